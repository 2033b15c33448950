//! A private directory per run, where compilers write and programs run.
//! What ran there may have planted symlinks (to /etc/passwd, to `..`, in
//! place of a directory) or FIFOs, so the host reaches its files only
//! through a `cap_std` handle on it: each component opened beneath the one
//! before, never through a symlink, in one `openat` per step (no window
//! between a check and an open).

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsSyncExt};
use cap_std::fs::{Dir, File, MetadataExt, OpenOptions};

use super::run::DiskLimit;
use crate::sandbox::{Invocation, WRITTEN_FILE_BYTES};

/// How often a run's directory is measured: a program writing as fast as
/// the page cache takes it gets a few tens of MiB past its limit at most.
const DISK_CHECK_EVERY: Duration = Duration::from_millis(20);

/// A private directory for one run: mode 0700, removed on drop through its
/// handle, without following symlinks.
pub struct RunDir {
    path: PathBuf,
    dir: Dir,
}

impl RunDir {
    /// A new directory with a random name in `runs_dir`.
    pub(super) fn create(runs_dir: &Path) -> Result<Self> {
        let path = runs_dir.join(format!("run-{}", uuid::Uuid::new_v4()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        let dir = Dir::open_ambient_dir(&path, cap_std::ambient_authority())
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Self { path, dir })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A plain file a run left here.
    pub fn read(&self, relative: &str) -> Result<Vec<u8>> {
        self.read_at_most(relative, u64::MAX)
    }

    /// The first `max` bytes of a plain file a run left here.
    fn read_at_most(&self, relative: &str, max: u64) -> Result<Vec<u8>> {
        let file = self
            .open(relative, OpenOptions::new().read(true))
            .with_context(|| format!("reading {relative}"))?;
        anyhow::ensure!(file.metadata()?.is_file(), "{relative} is not a file");
        let mut bytes = Vec::new();
        file.take(max).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Writes what `invocation` gives a run: its files, and its output
    /// directories, empty.
    pub fn prepare(&self, invocation: &Invocation) -> Result<()> {
        for dir in &invocation.output_dirs {
            // Writable by the run's own uid (the run directory keeps others out).
            let writable = std::fs::Permissions::from_mode(0o777);
            (self.dir.create_dir(dir))
                .and_then(|()| {
                    let permissions = cap_std::fs::Permissions::from_std(writable);
                    self.dir.set_permissions(dir, permissions)
                })
                .with_context(|| format!("creating {dir}"))?;
        }
        for (relative, bytes) in &invocation.files {
            self.write(relative, bytes)?;
        }
        Ok(())
    }

    /// The plain files a run left in `invocation`'s output directories,
    /// the first `WRITTEN_FILE_BYTES` of each, in path order. What is not a
    /// plain file (a symlink, a FIFO) is skipped.
    pub fn written(&self, invocation: &Invocation) -> Vec<(String, Vec<u8>)> {
        let mut written = Vec::new();
        for dir in &invocation.output_dirs {
            let mut names = self.files_in(dir).unwrap_or_default();
            names.sort();
            for name in names {
                let path = format!("{dir}/{name}");
                if let Ok(bytes) = self.read_at_most(&path, WRITTEN_FILE_BYTES as u64) {
                    written.push((path, bytes));
                }
            }
        }
        written
    }

    /// Writes a file (a source, say) for a run, replacing what is there.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        self.open(
            relative,
            OpenOptions::new().write(true).create(true).truncate(true),
        )
        .and_then(|mut file| Ok(file.write_all(bytes)?))
        .with_context(|| format!("writing {relative}"))
    }

    /// The names of the plain files in a directory of the run (no symlinks).
    pub fn files_in(&self, relative: &str) -> Result<Vec<String>> {
        let dir = self
            .subdir(Path::new(relative))
            .with_context(|| format!("listing {relative}"))?;
        let mut names = Vec::new();
        for entry in dir.entries()? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(names)
    }

    /// Whether what the run left here is within `limit`: the blocks its
    /// files take, and its entries, counted through this directory's handle
    /// without following a symlink. `false` too when a directory cannot be
    /// read (a program could hide files in one it made unreadable).
    pub fn within(&self, limit: DiskLimit) -> bool {
        let mut used = DiskLimit {
            bytes: 0,
            entries: 0,
        };
        add_usage(&self.dir, &mut used, limit, 0).is_ok()
    }

    /// Returns once the directory holds more than `limit`.
    pub async fn outgrown(&self, limit: DiskLimit) {
        loop {
            tokio::time::sleep(DISK_CHECK_EVERY).await;
            if !self.within(limit) {
                return;
            }
        }
    }

    /// The file at `relative`, which must not be a symlink, in a directory
    /// reached by `subdir`.
    fn open(&self, relative: &str, options: &mut OpenOptions) -> Result<File> {
        let path = Path::new(relative);
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            anyhow::bail!("{relative} is not a file's path");
        };
        // Non-blocking: a FIFO would hold the open until a writer came, and
        // none will once the run has ended.
        options.follow(FollowSymlinks::No).nonblock(true);
        Ok(self.subdir(parent)?.open_with(name, options)?)
    }

    /// The directory at `relative` (plain names only), one component at a
    /// time, refusing symlinks.
    fn subdir(&self, relative: &Path) -> Result<Dir> {
        let mut dir = self.dir.try_clone()?;
        for component in relative.components() {
            let Component::Normal(name) = component else {
                anyhow::bail!("{} is not a plain relative path", relative.display());
            };
            dir = dir.open_dir_nofollow(name)?;
        }
        Ok(dir)
    }
}

/// Directories deeper than this count as over the limit.
const MAX_DEPTH: u32 = 64;

/// Adds `dir`'s entries to `used`; `Err` once `used` passes `limit`, or a
/// directory cannot be read. An entry removed meanwhile is skipped.
fn add_usage(dir: &Dir, used: &mut DiskLimit, limit: DiskLimit, depth: u32) -> Result<(), ()> {
    if depth > MAX_DEPTH {
        return Err(());
    }
    for entry in dir.entries().map_err(drop)? {
        let Ok(entry) = entry else { continue };
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        // Blocks allocated, so a sparse file counts what it really takes.
        used.bytes += metadata.blocks() * 512;
        used.entries += 1;
        if used.bytes > limit.bytes || used.entries > limit.entries {
            return Err(());
        }
        if metadata.is_dir() {
            let subdir = entry.open_dir().map_err(drop)?;
            add_usage(&subdir, used, limit, depth + 1)?;
        }
    }
    Ok(())
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if let Err(error) = self.dir.try_clone().and_then(Dir::remove_open_dir_all) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove a run directory");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
