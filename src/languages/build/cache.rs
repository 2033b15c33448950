//! One language's part of the shared cache directory, `<cache_dir>/<name>/`.
//! Entries are named by build key, a SHA-256 over everything that shapes a
//! build, so a changed compiler, flag or source is a new name and a stale
//! entry is never loaded. Concurrent builds and server replicas share the
//! directory, so every entry is written whole or not at all: under a
//! temporary name in the same directory, then renamed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::sandbox::write_atomically;

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

    /// Names what building `source` makes.
    pub fn key(&self, source: &str) -> String {
        hex::encode(self.identity.clone().chain_update(source).finalize())
    }

    /// Where entry `name` is, whether or not it exists.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `bytes` as entry `name`.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.path(name);
        write_atomically(&path, bytes)?;
        Ok(path)
    }

    /// Makes directory `name`: `fill` writes its files into a staging
    /// directory, renamed whole once complete.
    pub fn write_dir(&self, name: &str, fill: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
        let path = self.path(name);
        let staging = self.path(&format!("staging-{}", uuid::Uuid::new_v4()));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, identity: &[&str], source: &str) -> String {
        let identity: Vec<String> = identity.iter().map(|part| part.to_string()).collect();
        CacheDir::new(Path::new("/cache"), name, &identity).key(source)
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
        let entries = std::fs::read_dir(root.path().join("java")).unwrap();
        assert_eq!(entries.count(), 1);
    }
}
