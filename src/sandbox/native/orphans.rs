//! Reaping what runs leave behind. The service is a child subreaper, so the
//! descendants a program detached (setsid, double fork) become its children
//! when their parents die.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Direct children of runs in flight: every other child of the service is
/// an orphan some run left behind.
pub fn in_flight() -> &'static Mutex<HashSet<u32>> {
    static IN_FLIGHT: OnceLock<Mutex<HashSet<u32>>> = OnceLock::new();
    IN_FLIGHT.get_or_init(Default::default)
}

/// Kills and reaps the service's children that no run is waiting for: the
/// descendants a program detached (setsid, double fork), reparented to the
/// service because it is a subreaper. Repeats while killing one reparents more.
pub fn reap() {
    for _ in 0..8 {
        let in_flight_pids = in_flight().lock().unwrap();
        let orphans: Vec<u32> = service_children()
            .into_iter()
            .filter(|pid| !in_flight_pids.contains(pid))
            .collect();
        drop(in_flight_pids);
        if orphans.is_empty() {
            return;
        }
        for pid in orphans {
            // SAFETY: `pid` is our child, so it cannot have been reused before we reap it.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
                libc::waitpid(pid as i32, std::ptr::null_mut(), 0);
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
