//! Native run permits: a bounded number of native runs at once. When the
//! service is root each permit carries its own unprivileged uid, so that
//! `RLIMIT_NPROC` (which counts every process and thread of a uid, and is not
//! enforced for root) bounds one run, and a run cannot signal or read
//! another's processes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio::sync::{Semaphore, SemaphorePermit};

pub struct RunPermits {
    count: u32,
    available: Semaphore,
    /// Free run uids; empty when runs keep the service's uid.
    free_uids: Mutex<Vec<u32>>,
}

/// A permit held for one run; its uid goes back to the pool on drop.
pub struct RunPermit<'a> {
    pub uid: Option<u32>,
    permits: &'a RunPermits,
    _permit: SemaphorePermit<'a>,
}

impl RunPermits {
    /// `uids` is one per permit, or empty to run everything as the service.
    pub fn new(count: u32, uids: Vec<u32>) -> Self {
        Self {
            count,
            available: Semaphore::new(count as usize),
            free_uids: Mutex::new(uids),
        }
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub async fn acquire(&self) -> RunPermit<'_> {
        let permit = self
            .available
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let uid = self.free_uids.lock().unwrap().pop();
        RunPermit {
            uid,
            permits: self,
            _permit: permit,
        }
    }
}

impl Drop for RunPermit<'_> {
    fn drop(&mut self) {
        if let Some(uid) = self.uid {
            self.permits.free_uids.lock().unwrap().push(uid);
        }
    }
}

/// The uids for `count` permits from `first`, or why runs keep the service's uid.
pub fn uids(count: u32, first: u32, shared: &[PathBuf]) -> Result<Vec<u32>, String> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("the service is not root, so it cannot switch uids; \
                    programs cannot fork (seccomp), threads are bounded by RLIMIT_AS and, \
                    where available, the cgroup pids limit"
            .into());
    }
    let uids: Vec<u32> = (first..first.saturating_add(count)).collect();
    // A uid that is someone's account would let a program act as that user.
    if let Some(taken) = uids.iter().find(|&&uid| has_account(uid)) {
        return Err(format!(
            "uid {taken} belongs to an account; choose a free range with --sandbox-first-uid"
        ));
    }
    if let Some(hidden) = shared.iter().find(|path| !reachable_by_others(path)) {
        return Err(format!(
            "{} is not reachable by other users (it and every parent directory need o+x), \
             so programs run as the service's uid",
            hidden.display()
        ));
    }
    Ok(uids)
}

fn has_account(uid: u32) -> bool {
    // SAFETY: getpwuid returns null or a pointer we only test.
    !unsafe { libc::getpwuid(uid) }.is_null()
}

/// Whether a user with no relation to the owner can reach `path` (the
/// files in it are the service's, world-readable with the usual umask).
fn reachable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Ok(path) = std::fs::canonicalize(path) else {
        // Not there (yet): nothing to protect, and nothing to read either.
        return true;
    };
    let mode = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.permissions().mode());
    path.ancestors().all(|dir| mode(dir) & 0o001 != 0)
}
