//! A package's files, read whole into memory from a zip archive or a
//! folder, with every path checked: a package is untrusted input, so a
//! path that leaves it (`../`, absolute), a symlink, or an archive that
//! unpacks to far more than it weighs (a zip bomb) is refused before
//! anything is read from it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path};

/// Bounds on what a package may unpack to.
const MAX_ENTRIES: usize = 10_000;
const MAX_FILE_BYTES: u64 = 64 << 20;
const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// Folders nested deeper than this are refused (no real package needs it).
const MAX_DEPTH: usize = 16;

/// The files of a package, by relative path with `/` between components.
#[derive(Debug, Default)]
pub struct PackageFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl PackageFiles {
    /// The files of a zip archive. A single folder holding everything (as
    /// zipping a folder makes) is looked into.
    pub fn from_zip(bytes: &[u8]) -> Result<Self, String> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|error| format!("the package is not a zip archive: {error}"))?;
        if archive.len() > MAX_ENTRIES {
            return Err(format!(
                "the package holds {} entries, more than {MAX_ENTRIES}",
                archive.len()
            ));
        }
        let mut files = Self::default();
        let mut total = 0;
        for index in 0..archive.len() {
            let mut entry = archive
                .by_index(index)
                .map_err(|error| format!("entry {index} of the package: {error}"))?;
            let name = (entry.name())
                .map_err(|error| {
                    format!("entry {index} of the package has no usable name: {error}")
                })?
                .into_owned();
            if entry.is_symlink() {
                return Err(format!(
                    "{name} is a symlink: a package holds plain files only"
                ));
            }
            if entry.is_dir() {
                checked_path(&name)?;
                continue;
            }
            let path = checked_path(&name)?;
            // The size the archive declares, then what it really unpacks to.
            check_size(&path, entry.size(), &mut total)?;
            let mut contents = Vec::new();
            (&mut entry)
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut contents)
                .map_err(|error| format!("{path} cannot be unpacked: {error}"))?;
            if contents.len() as u64 > entry.size() {
                return Err(format!("{path} unpacks to more than its declared size"));
            }
            files.add(path, contents)?;
        }
        Ok(files.without_top_folder())
    }

    /// The files of a folder, which must hold no symlinks.
    pub fn from_dir(dir: &Path) -> Result<Self, String> {
        let mut files = Self::default();
        let mut total = 0;
        files.add_dir(dir, "", 0, &mut total)?;
        Ok(files)
    }

    fn add_dir(
        &mut self,
        dir: &Path,
        prefix: &str,
        depth: usize,
        total: &mut u64,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "{prefix} is nested more than {MAX_DEPTH} folders deep"
            ));
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|error| format!("reading {}: {error}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|error| format!("reading {}: {error}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            // Not followed: the file's own type, a symlink included.
            let kind = entry
                .file_type()
                .map_err(|error| format!("{path}: {error}"))?;
            if kind.is_symlink() {
                return Err(format!(
                    "{path} is a symlink: a package holds plain files only"
                ));
            }
            if kind.is_dir() {
                self.add_dir(&entry.path(), &format!("{path}/"), depth + 1, total)?;
            } else if kind.is_file() {
                let size = entry
                    .metadata()
                    .map_err(|error| format!("{path}: {error}"))?
                    .len();
                check_size(&path, size, total)?;
                let contents =
                    std::fs::read(entry.path()).map_err(|error| format!("{path}: {error}"))?;
                self.add(path, contents)?;
            }
        }
        Ok(())
    }

    fn add(&mut self, path: String, contents: Vec<u8>) -> Result<(), String> {
        if self.files.len() >= MAX_ENTRIES {
            return Err(format!("the package holds more than {MAX_ENTRIES} files"));
        }
        self.files.insert(path, contents);
        Ok(())
    }

    /// Everything under one top folder, as if it were the root.
    fn without_top_folder(self) -> Self {
        let top = |path: &str| path.split_once('/').map(|(top, _)| top.to_string());
        let Some(first) = self.files.keys().next().and_then(|p| top(p)) else {
            return self;
        };
        if !self
            .files
            .keys()
            .all(|path| top(path).as_deref() == Some(&first))
        {
            return self;
        }
        let files = (self.files.into_iter())
            .map(|(path, contents)| (path[first.len() + 1..].to_string(), contents))
            .collect();
        Self { files }
    }

    /// Every file, by path, in path order.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.files.into_iter().collect()
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// A text file, if there is one at `path`; `Err` if it is not UTF-8.
    pub fn text(&self, path: &str) -> Result<Option<String>, String> {
        self.get(path)
            .map(|bytes| {
                String::from_utf8(bytes.to_vec()).map_err(|_| format!("{path} is not UTF-8 text"))
            })
            .transpose()
    }

    /// The paths under the folder `dir` (with its `/`), in name order.
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        (self.files.range(dir.to_string()..))
            .map(|(path, _)| path.as_str())
            .take_while(move |path| path.starts_with(dir))
    }

    /// Whether anything is under the folder `dir` (with its `/`).
    pub fn has_dir(&self, dir: &str) -> bool {
        self.under(dir).next().is_some()
    }
}

/// `name` as a plain relative path, or why it is refused.
fn checked_path(name: &str) -> Result<String, String> {
    let trimmed = name.trim_end_matches('/');
    let path = Path::new(trimmed);
    let plain = !trimmed.is_empty()
        && !name.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(format!(
            "{name:?} is not a plain relative path inside the package"
        ));
    }
    if path.components().count() > MAX_DEPTH {
        return Err(format!(
            "{name} is nested more than {MAX_DEPTH} folders deep"
        ));
    }
    Ok(trimmed.to_string())
}

fn check_size(path: &str, size: u64, total: &mut u64) -> Result<(), String> {
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{path} is larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    *total += size;
    if *total > MAX_TOTAL_BYTES {
        return Err(format!(
            "the package unpacks to more than {} MiB",
            MAX_TOTAL_BYTES >> 20
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, contents) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(contents).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_of_one_folder_reads_as_that_folder() {
        let bytes = zipped(&[("pair/problem.yaml", b"name: x"), ("pair/data/a.in", b"1")]);
        let files = PackageFiles::from_zip(&bytes).unwrap();
        assert_eq!(files.get("problem.yaml"), Some(&b"name: x"[..]));
        assert_eq!(files.under("data/").collect::<Vec<_>>(), ["data/a.in"]);
    }

    #[test]
    fn paths_that_leave_the_package_are_refused() {
        for name in ["../evil", "/etc/passwd", "a/../../b", "a\\..\\b"] {
            let error = PackageFiles::from_zip(&zipped(&[(name, b"x")])).unwrap_err();
            assert!(error.contains("plain relative path"), "{name}: {error}");
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        let big = vec![0u8; (MAX_FILE_BYTES + 1) as usize];
        let error = PackageFiles::from_zip(&zipped(&[("big.in", &big)])).unwrap_err();
        assert!(error.contains("larger than"), "{error}");
        let many: Vec<(String, &[u8])> = (0..=MAX_ENTRIES)
            .map(|i| (format!("{i}"), &b""[..]))
            .collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        let error = PackageFiles::from_zip(&zipped(&many)).unwrap_err();
        assert!(error.contains("entries"), "{error}");
    }

    #[test]
    fn a_folder_with_a_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("problem.yaml"), "name: x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("leak.in")).unwrap();
        let error = PackageFiles::from_dir(dir.path()).unwrap_err();
        assert!(error.contains("symlink"), "{error}");
    }
}
