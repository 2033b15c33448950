//! Reaping what runs leave behind. The service is a child subreaper, so the
//! descendants a program detached (setsid, double fork) become its children
//! when their parents die; after each run the service kills and reaps them.
//!
//! A child of the service is a run's when it is outside the service's own
//! session. Every run starts in a session of its own (`setsid` in the
//! child), and a process can only leave its session for a new one, never
//! join an existing one: whatever a run starts stays outside the service's
//! session however it detaches, in every configuration (uids, cgroups and
//! PID namespaces would tell only where those best-effort layers are on).
//! What the service starts itself (std or tokio commands) stays in it. The
//! check cannot race: until the service reaps a child, its pid is not
//! reused, so the session read and the kill concern the same process.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use tokio::process::{Child, Command};

/// A run's direct child, which sweeps leave to the run until it has waited
/// for it.
pub struct InFlight(u32);

impl InFlight {
    /// Spawns `command`, registered before any sweep can see the child.
    pub fn spawn(command: &mut Command) -> Result<(Child, Self)> {
        let mut pids = in_flight().lock().unwrap();
        let child = command.spawn()?;
        let pid = child
            .id()
            .context("the child has a pid until it is reaped")?;
        pids.insert(pid);
        Ok((child, Self(pid)))
    }

    pub fn pid(&self) -> u32 {
        self.0
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        in_flight().lock().unwrap().remove(&self.0);
    }
}

fn in_flight() -> &'static Mutex<HashSet<u32>> {
    static IN_FLIGHT: OnceLock<Mutex<HashSet<u32>>> = OnceLock::new();
    IN_FLIGHT.get_or_init(Default::default)
}

/// Kills and reaps the service's children that belong to runs no longer
/// waiting for them. Repeats while killing one reparents more.
pub fn reap() {
    // SAFETY: getsid only reads a session id.
    let service_session = unsafe { libc::getsid(0) };
    for _ in 0..8 {
        let in_flight_pids = in_flight().lock().unwrap();
        let orphans: Vec<i32> = service_children()
            .into_iter()
            .filter(|pid| !in_flight_pids.contains(pid))
            .map(|pid| pid as i32)
            // SAFETY: as above.
            .filter(|&pid| unsafe { libc::getsid(pid) } != service_session)
            .collect();
        drop(in_flight_pids);
        if orphans.is_empty() {
            return;
        }
        for pid in orphans {
            // SAFETY: `pid` is our child, so it cannot have been reused before we reap it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

/// The service's children (all threads), from /proc.
fn service_children() -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    #[test]
    fn a_sweep_kills_children_outside_the_services_session_and_no_other() {
        // SAFETY: prctl with these arguments only changes this process's flag.
        assert_eq!(
            unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) },
            0
        );
        let mut own = Command::new("/bin/sleep").arg("30").spawn().unwrap();
        // A detached descendant, as a run leaves one: a new session, then its
        // parent exits and it becomes this process's child.
        let started = Command::new("/bin/sh")
            .args(["-c", "setsid /bin/sleep 31 >/dev/null 2>&1 & echo $!"])
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        let detached: i32 = String::from_utf8(started.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        // SAFETY: getsid only reads session ids.
        while unsafe { libc::getsid(detached) == libc::getsid(0) } {
            assert!(Instant::now() < deadline, "setsid never ran");
            std::thread::sleep(Duration::from_millis(10));
        }

        super::reap();
        // SAFETY: signal 0 only asks whether the process exists.
        assert_ne!(
            unsafe { libc::kill(detached, 0) },
            0,
            "the detached one survived"
        );
        assert!(
            own.try_wait().unwrap().is_none(),
            "the service's own child was killed"
        );
        own.kill().unwrap();
        own.wait().unwrap();
    }
}
