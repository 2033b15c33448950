//! A private directory per run, where compilers write and programs run.

use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

/// A private directory for one run: mode 0700, removed on drop with
/// `remove_dir_all`, which never follows symlinks the program planted.
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// A new directory with a random name in `runs_dir`.
    pub(super) fn create(runs_dir: &Path) -> Result<Self> {
        let path = runs_dir.join(format!("run-{}", uuid::Uuid::new_v4()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file a run left here, read without following symlinks at any step
    /// (what ran here could have planted them; it has ended by now).
    pub fn read(&self, relative: &str) -> Result<Vec<u8>> {
        let mut path = self.path.clone();
        for component in Path::new(relative).components() {
            let Component::Normal(name) = component else {
                anyhow::bail!("{relative} is not a plain relative path");
            };
            path.push(name);
            let kind = std::fs::symlink_metadata(&path)
                .with_context(|| format!("reading {relative}"))?
                .file_type();
            anyhow::ensure!(!kind.is_symlink(), "{relative} is a symlink");
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .with_context(|| format!("reading {relative}"))?;
        anyhow::ensure!(file.metadata()?.is_file(), "{relative} is not a file");
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(bytes)
    }

    /// The names of the plain files in a directory of the run (no symlinks).
    pub fn files_in(&self, relative: &str) -> Result<Vec<String>> {
        let dir = self.path.join(relative);
        anyhow::ensure!(
            std::fs::symlink_metadata(&dir)?.is_dir(),
            "{relative} is not a directory"
        );
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(names)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove a run directory");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::super::{NativeConfig, NativeSandbox};

    #[test]
    fn run_directories_are_private() {
        let base = tempfile::tempdir().unwrap();
        let sandbox = NativeSandbox::new(&NativeConfig::new(base.path())).unwrap();
        let dir = sandbox.run_dir().unwrap();
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
    }
}
