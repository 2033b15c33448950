//! One language's part of the shared cache directory, `<cache_dir>/<name>/`:
//! what `prepare` makes once (a precompiled header, a class-data archive)
//! at its top, and builds in `builds/`. Entries are named by build key, a
//! SHA-256 over everything that shapes a build (the toolchain's files by
//! path, size and time included), so a changed or upgraded compiler, flag,
//! header or source is a new name and a stale entry is never loaded.
//! Concurrent builds and server replicas share the directory, so every
//! entry is written whole or not at all: under a temporary name in the same
//! directory, then renamed.
//!
//! Builds on disk are bounded by size across languages (`DiskBudget`): the
//! least recently used go first, and none used within `EVICTION_GRACE`, so
//! a program that a judgement (in any process) is running is never removed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::languages::Source;
use crate::sandbox::write_atomically;

/// Builds used this recently are never evicted: longer than any judgement
/// runs (100 tests at the largest limits).
const EVICTION_GRACE: Duration = Duration::from_secs(60 * 60);
/// A process looks at the disk cache's size at most this often.
const EVICTION_EVERY: Duration = Duration::from_secs(30);
/// Eviction goes down to this share of the bound, so that it is not
/// needed again at the next build.
const EVICTION_TARGET: f64 = 0.9;

pub struct CacheDir {
    dir: PathBuf,
    /// The key's hash over the language's name and identity, ready for a source.
    identity: Sha256,
}

impl CacheDir {
    /// `identity` is everything besides the source that shapes a build:
    /// compiler, version, flags.
    pub fn new(cache_dir: &Path, name: &str, identity: &[String]) -> Self {
        let mut hash = Sha256::new();
        for part in std::iter::once(name).chain(identity.iter().map(String::as_str)) {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        Self {
            dir: cache_dir.join(name),
            identity: hash,
        }
    }

    /// Names what building `source` makes: a submission's key is over its
    /// code alone, as it always was.
    pub fn key(&self, source: Source<'_>) -> String {
        let mut hash = self.identity.clone().chain_update(source.code);
        for (name, text) in source.files {
            for part in [name, text] {
                hash.update([0]);
                hash.update(part.as_bytes());
            }
        }
        for flag in source.flags {
            hash.update([1]);
            hash.update(flag.as_bytes());
        }
        hex::encode(hash.finalize())
    }

    /// Where what `prepare` makes, `name`, is, whether or not it exists.
    /// It is never evicted.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `bytes` as what `prepare` makes, `name`.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.path(name);
        write_atomically(&path, bytes)?;
        Ok(path)
    }

    /// Where the build `name` (its key, with an extension or not) is,
    /// whether or not it exists.
    pub fn build_path(&self, name: &str) -> PathBuf {
        self.dir.join(BUILDS).join(name)
    }

    /// Marks the builds named by `key` as just used, for eviction; those
    /// that do not exist are skipped.
    pub fn mark_used(&self, key: &str) {
        let now = SystemTime::now();
        for name in [key.to_string(), format!("{key}.cwasm")] {
            if let Ok(entry) = std::fs::File::open(self.build_path(&name)) {
                let _ = entry.set_modified(now);
            }
        }
    }

    /// Makes the build directory `name`: `fill` writes its files into a
    /// staging directory, renamed whole once complete.
    pub fn write_dir(&self, name: &str, fill: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
        let path = self.build_path(name);
        let staging = self.build_path(&format!("staging-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("creating {}", staging.display()))?;
        let staged = fill(&staging).and_then(|()| Ok(std::fs::rename(&staging, &path)?));
        if let Err(error) = staged {
            let _ = std::fs::remove_dir_all(&staging);
            // Fine if a build of the same key got there first.
            if !path.exists() {
                return Err(error.context(format!("caching {}", path.display())));
            }
        }
        Ok(path)
    }
}

/// The folder of a language's cache that holds its builds.
const BUILDS: &str = "builds";

/// What marks a toolchain file's version, for build keys: its real path,
/// size and modification time (a package upgrade changes them). Cheaper
/// than asking the compiler, which is a process.
pub fn file_identity(path: &Path) -> String {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let (size, modified) = match std::fs::metadata(&real) {
        Ok(metadata) => {
            let modified = (metadata.modified().ok())
                .and_then(|time| time.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            (metadata.len(), modified)
        }
        Err(_) => (0, 0),
    };
    format!("{} {size} {modified}", real.display())
}

/// The bound on what builds take on disk, every language's together.
pub struct DiskBudget {
    cache_dir: PathBuf,
    max_bytes: u64,
    /// When this process last looked.
    looked: Mutex<Option<Instant>>,
}

impl DiskBudget {
    pub fn new(cache_dir: &Path, max_bytes: u64) -> Self {
        Self {
            cache_dir: cache_dir.to_path_buf(),
            max_bytes,
            looked: Mutex::new(None),
        }
    }

    /// After a build: evicts the least recently used builds if the cache is
    /// over its bound (looking at most every `EVICTION_EVERY`).
    pub async fn after_build(&self) {
        {
            let mut looked = self.looked.lock().expect("not poisoned");
            if looked.is_some_and(|at| at.elapsed() < EVICTION_EVERY) {
                return;
            }
            *looked = Some(Instant::now());
        }
        let (dir, max) = (self.cache_dir.clone(), self.max_bytes);
        let evicted = tokio::task::spawn_blocking(move || {
            evict(&dir, max, EVICTION_GRACE, SystemTime::now())
        })
        .await;
        match evicted {
            Ok(Ok(Evicted { builds: 0, .. })) => {}
            Ok(Ok(evicted)) => tracing::info!(
                builds = evicted.builds,
                freed_mb = evicted.bytes >> 20,
                "evicted the least recently used builds from the compile cache"
            ),
            Ok(Err(error)) => tracing::warn!(%error, "cannot bound the compile cache"),
            Err(error) => tracing::warn!(%error, "cannot bound the compile cache"),
        }
    }
}

/// What one eviction removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Evicted {
    pub builds: u64,
    pub bytes: u64,
}

/// One build on disk: a file or a directory in a language's `builds/`.
struct Build {
    path: PathBuf,
    bytes: u64,
    used: SystemTime,
}

/// If the builds under `cache_dir` take more than `max_bytes`, removes the
/// least recently used (by modification time, which `mark_used` sets) down
/// to `EVICTION_TARGET` of it, sparing those used within `grace` of `now`.
/// Only names that start with a build key are builds; staging and partial
/// files of a build in progress elsewhere are too young to go.
fn evict(
    cache_dir: &Path,
    max_bytes: u64,
    grace: Duration,
    now: SystemTime,
) -> std::io::Result<Evicted> {
    let mut builds = Vec::new();
    for language in std::fs::read_dir(cache_dir)? {
        let builds_dir = language?.path().join(BUILDS);
        let Ok(entries) = std::fs::read_dir(&builds_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let key = name.to_string_lossy();
            let key = key.split('.').next().unwrap_or_default();
            if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            builds.push(Build {
                bytes: size_of(&entry.path(), &metadata),
                used: metadata.modified().unwrap_or(now),
                path: entry.path(),
            });
        }
    }
    let mut total: u64 = builds.iter().map(|build| build.bytes).sum();
    let mut evicted = Evicted::default();
    if total <= max_bytes {
        return Ok(evicted);
    }
    let target = (max_bytes as f64 * EVICTION_TARGET) as u64;
    builds.sort_by_key(|build| build.used);
    for build in builds {
        let recent = now.duration_since(build.used).unwrap_or_default() < grace;
        if total <= target || recent {
            break;
        }
        if remove(&build.path).is_ok() {
            total -= build.bytes;
            evicted.builds += 1;
            evicted.bytes += build.bytes;
        }
    }
    Ok(evicted)
}

/// A file's size, or a directory's files' sizes, never following a symlink.
fn size_of(path: &Path, metadata: &std::fs::Metadata) -> u64 {
    if !metadata.is_dir() {
        return metadata.len();
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| Some((entry.path(), std::fs::symlink_metadata(entry.path()).ok()?)))
        .map(|(path, metadata)| size_of(&path, &metadata))
        .sum()
}

/// Removes a build; a directory is renamed out of the way first, so that no
/// one sees it half removed.
fn remove(path: &Path) -> std::io::Result<()> {
    if !std::fs::symlink_metadata(path)?.is_dir() {
        return std::fs::remove_file(path);
    }
    let doomed = path.with_file_name(format!("evicted-{}", uuid::Uuid::new_v4()));
    std::fs::rename(path, &doomed)?;
    std::fs::remove_dir_all(doomed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, identity: &[&str], source: &str) -> String {
        let identity: Vec<String> = identity.iter().map(|part| part.to_string()).collect();
        CacheDir::new(Path::new("/cache"), name, &identity).key(Source::code(source))
    }

    #[test]
    fn a_key_changes_with_the_language_its_identity_and_the_source() {
        let main = "int main() {}";
        let base = key("cpp", &["clang", "-O2"], main);
        assert_eq!(base, key("cpp", &["clang", "-O2"], main));
        assert_ne!(base, key("c", &["clang", "-O2"], main));
        assert_ne!(base, key("cpp", &["clang", "-O0"], main));
        assert_ne!(base, key("cpp", &["clang", "-O2"], "int main() { }"));
        // Parts are delimited: moving a character across a boundary is another key.
        assert_ne!(base, key("cpp", &["clan", "g-O2"], main));
    }

    #[test]
    fn the_files_a_source_includes_are_part_of_its_key() {
        let cache = CacheDir::new(Path::new("/cache"), "cpp", &[]);
        let with = |files: &[(String, String)]| {
            cache.key(Source {
                code: "#include \"a.h\"",
                files,
                flags: &[],
            })
        };
        let header = |name: &str, text: &str| (name.to_string(), text.to_string());
        let base = with(&[header("a.h", "int x;")]);
        assert_ne!(base, with(&[]));
        assert_ne!(base, with(&[header("a.h", "int y;")]));
        assert_ne!(base, with(&[header("b.h", "int x;")]));
        assert_ne!(base, with(&[header("a.hint x", ";")]));
    }

    #[test]
    fn a_cached_directory_appears_whole_and_the_first_build_stays() {
        let root = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(root.path(), "java", &[]);
        let build = |text: &'static str| {
            cache.write_dir("entry", |staging| {
                Ok(std::fs::write(staging.join("Main.class"), text)?)
            })
        };
        let first = build("first").unwrap();
        assert_eq!(build("second").unwrap(), first);
        let kept = std::fs::read_to_string(first.join("Main.class")).unwrap();
        assert_eq!(kept, "first");
        let failed = cache.write_dir("failed", |_| anyhow::bail!("javac vanished"));
        assert!(failed.is_err());
        // Neither the second build's staging directory nor the failed one remains.
        let entries = std::fs::read_dir(root.path().join("java").join(BUILDS)).unwrap();
        assert_eq!(entries.count(), 1);
    }

    #[test]
    fn eviction_removes_the_least_recently_used_builds_past_the_bound_and_spares_recent_ones() {
        let root = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let hour = Duration::from_secs(3600);
        let key = |n: u8| format!("{n:064x}");
        let put = |language: &str, name: String, bytes: usize, age: Duration| {
            let dir = root.path().join(language).join(BUILDS);
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(name);
            std::fs::write(&path, vec![0u8; bytes]).unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(now - age).unwrap();
            path
        };
        let oldest = put("cpp", format!("{}.cwasm", key(1)), 400, 5 * hour);
        let older = put("c", format!("{}.cwasm", key(2)), 400, 4 * hour);
        let old = put("cpp", format!("{}.cwasm", key(3)), 400, 3 * hour);
        let recent = put(
            "cpp",
            format!("{}.cwasm", key(4)),
            400,
            Duration::from_secs(60),
        );
        // Not builds: what `prepare` made, and a stray file.
        let pch = root.path().join("cpp").join("header.pch");
        std::fs::write(&pch, vec![0u8; 10_000]).unwrap();
        let stray = put("cpp", "notes.txt".into(), 10_000, 9 * hour);

        // 1600 bytes of builds, bound 1000: down to 900, oldest first.
        let evicted = evict(root.path(), 1000, hour, now).unwrap();
        assert_eq!(
            evicted,
            Evicted {
                builds: 2,
                bytes: 800
            }
        );
        assert!(!oldest.exists() && !older.exists());
        assert!(old.exists() && recent.exists() && pch.exists() && stray.exists());
        // Within the bound: nothing more goes.
        assert_eq!(
            evict(root.path(), 1000, hour, now).unwrap(),
            Evicted::default()
        );
        // Far over, but what was used within the grace period stays.
        let evicted = evict(root.path(), 10, hour, now).unwrap();
        assert_eq!(evicted.builds, 1);
        assert!(!old.exists() && recent.exists());
    }

    #[test]
    fn a_changed_toolchain_file_changes_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clang");
        std::fs::write(&path, "version 1").unwrap();
        let before = file_identity(&path);
        assert_eq!(before, file_identity(&path));
        std::fs::write(&path, "version 2, longer").unwrap();
        assert_ne!(before, file_identity(&path));
    }
}
