//! cgroup v2: run cgroups go in the service's own cgroup, which must be
//! delegated to it (systemd's `Delegate=`, or a container with a cgroup
//! namespace of its own and a writable /sys/fs/cgroup) so that the service
//! may enable the memory and pids controllers for its children.
//!
//! A cgroup that enables controllers for its children may hold no processes
//! itself (cgroup v2's "no internal processes" rule). So the service first
//! moves itself, and whatever shares its cgroup, into a leaf of their own,
//! `judgebox-service`: what systemd asks of a service with `Delegate=yes`,
//! and what container engines do to run containers inside a container.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::ROOT;

/// The leaf the service's own processes move into.
const SERVICE_LEAF: &str = "judgebox-service";
const CONTROLLERS: [&str; 2] = ["memory", "pids"];

/// The directory run cgroups go in (the service's own cgroup, from
/// /proc/self/cgroup's `0::/some/path`), with memory and pids enabled for
/// its children.
pub fn delegated(own: &str) -> Result<PathBuf, String> {
    let relative = own
        .lines()
        .find_map(|line| line.strip_prefix("0::"))
        .ok_or("cgroup v2 is mounted, but /proc/self/cgroup has no v2 line")?;
    let mut dir = Path::new(ROOT).join(relative.trim_start_matches('/'));
    // Moved there by an earlier sandbox of this process.
    if dir.file_name() == Some(OsStr::new(SERVICE_LEAF)) {
        dir.pop();
    }
    if !lists_both(&dir, "cgroup.subtree_control") {
        enable(&dir)?;
    }
    Ok(dir)
}

/// Whether `dir`'s list `file` names both controllers.
fn lists_both(dir: &Path, file: &str) -> bool {
    fs::read_to_string(dir.join(file)).is_ok_and(|list| {
        CONTROLLERS
            .iter()
            .all(|controller| list.split_whitespace().any(|c| c == *controller))
    })
}

fn enable(dir: &Path) -> Result<(), String> {
    if !lists_both(dir, "cgroup.controllers") {
        return Err(format!(
            "cgroup v2: the service's cgroup {} is not given the memory and pids controllers; \
             run the service as a systemd unit with Delegate=yes, or in a container with a \
             cgroup namespace of its own",
            dir.display()
        ));
    }
    // The hierarchy's root (the only cgroup without cgroup.events) may hold
    // processes and enable controllers at once.
    let is_root = !dir.join("cgroup.events").exists();
    let enable = || fs::write(dir.join("cgroup.subtree_control"), "+memory +pids");
    let mut tries = 0;
    loop {
        if !is_root {
            move_into_leaf(dir).map_err(|e| {
                format!(
                    "cgroup v2: cannot move the service into {}: {e}",
                    dir.join(SERVICE_LEAF).display()
                )
            })?;
        }
        match enable() {
            Ok(()) => return Ok(()),
            // A process forked into `dir` while the others moved: again.
            Err(error) if error.raw_os_error() == Some(libc::EBUSY) && tries < 5 => tries += 1,
            Err(error) => {
                return Err(format!(
                    "cgroup v2: cannot enable memory and pids for the children of {}: {error}",
                    dir.display()
                ));
            }
        }
    }
}

/// Moves every process in `dir` into its service leaf.
fn move_into_leaf(dir: &Path) -> io::Result<()> {
    let leaf = dir.join(SERVICE_LEAF);
    match fs::create_dir(&leaf) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => return Err(error),
        _ => {}
    }
    for pid in fs::read_to_string(dir.join("cgroup.procs"))?.lines() {
        match fs::write(leaf.join("cgroup.procs"), pid) {
            // It exited meanwhile.
            Err(error) if error.raw_os_error() == Some(libc::ESRCH) => {}
            other => other?,
        }
    }
    Ok(())
}
