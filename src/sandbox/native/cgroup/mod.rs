//! Per-run cgroups, when the service may create them: cgroup v2 (a
//! delegated subtree, `v2.rs`) or the v1 `memory` and `pids` hierarchies of
//! a hybrid layout (`v1.rs`). They bound what rlimits cannot: resident
//! memory with a clean OOM kill (told apart from a crash by the kernel's
//! own count), and processes even for root. Each run's cgroups live under
//! the service's own, and are emptied and removed when the run ends.

mod v1;
mod v2;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = "/sys/fs/cgroup";
/// Run cgroups are named `judgebox-run-<service pid>-<name>`.
const PREFIX: &str = "judgebox-run-";

/// Which cgroup interface the runs get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// What each version names the files a run's limits and figures live in.
struct Files {
    memory_max: &'static str,
    /// No swap past the memory limit (v2 only: v1 needs swap accounting
    /// on the kernel's command line).
    swap_max: Option<&'static str>,
    /// The file whose `oom_kill` line counts the OOM killer's kills.
    events: &'static str,
    /// The most memory the run held at once.
    peak: &'static str,
}

impl Version {
    fn files(self) -> &'static Files {
        match self {
            Self::V1 => &Files {
                memory_max: "memory.limit_in_bytes",
                swap_max: None,
                events: "memory.oom_control",
                peak: "memory.max_usage_in_bytes",
            },
            Self::V2 => &Files {
                memory_max: "memory.max",
                swap_max: Some("memory.swap.max"),
                events: "memory.events",
                peak: "memory.peak",
            },
        }
    }
}

/// Where the service may create run cgroups: its own memory and pids
/// cgroups (one and the same directory on cgroup v2).
pub struct Cgroups {
    version: Version,
    memory: PathBuf,
    pids: PathBuf,
}

/// One run's cgroups.
pub struct RunCgroups {
    version: Version,
    memory: PathBuf,
    pids: PathBuf,
}

impl Cgroups {
    /// Finds the service's cgroups (on cgroup v2, enabling the controllers
    /// for its children) and checks that a run cgroup can be made; `Err`
    /// says why not.
    pub fn probe() -> Result<Self, String> {
        let own = fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
        // Only a unified hierarchy has cgroup.controllers at its root; a
        // hybrid layout keeps memory and pids on v1.
        let cgroups = if Path::new(ROOT).join("cgroup.controllers").exists() {
            let parent = v2::delegated(&own)?;
            Self {
                version: Version::V2,
                memory: parent.clone(),
                pids: parent,
            }
        } else {
            Self {
                version: Version::V1,
                memory: v1::own(&own, "memory")?,
                pids: v1::own(&own, "pids")?,
            }
        };
        cgroups.remove_stale();
        let probe = cgroups
            .create(&format!("probe-{}", uuid::Uuid::new_v4()), 64 << 20, 8)
            .map_err(|e| format!("cannot create a cgroup: {e}"))?;
        drop(probe);
        Ok(cgroups)
    }

    /// Which interface, and where, for `judgebox doctor`.
    pub fn describe(&self) -> String {
        match self.version {
            Version::V1 => format!(
                "cgroup v1, runs under {} and {}",
                self.memory.display(),
                self.pids.display()
            ),
            Version::V2 => format!("cgroup v2, runs under {}", self.memory.display()),
        }
    }

    /// A run's cgroups, limited to `memory_bytes` (resident memory and page
    /// cache, no swap) and `processes` (processes and threads).
    pub fn create(&self, name: &str, memory_bytes: u64, processes: u64) -> io::Result<RunCgroups> {
        let run = RunCgroups {
            version: self.version,
            memory: self.memory.join(run_name(name)),
            pids: self.pids.join(run_name(name)),
        };
        let files = self.version.files();
        let made = (|| {
            for dir in run.dirs() {
                fs::create_dir(dir)?;
            }
            fs::write(run.memory.join(files.memory_max), memory_bytes.to_string())?;
            // Absent where the kernel does not account swap: then there is none to limit.
            if let Some(swap_max) = files.swap_max.map(|file| run.memory.join(file))
                && swap_max.exists()
            {
                fs::write(swap_max, "0")?;
            }
            fs::write(run.pids.join("pids.max"), processes.to_string())
        })();
        // On an error, `run` is dropped, which removes what was made.
        made.map(|()| run)
    }

    /// Run cgroups a crashed service left behind. Only those of services
    /// that are gone: others sharing this cgroup may be starting runs.
    fn remove_stale(&self) {
        for parent in [&self.memory, &self.pids] {
            let Ok(entries) = fs::read_dir(parent) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let owner = name
                    .strip_prefix(PREFIX)
                    .and_then(|rest| rest.split('-').next())
                    .and_then(|pid| pid.parse::<i32>().ok());
                // SAFETY: signal 0 only asks whether the process exists.
                if owner.is_some_and(|pid| unsafe { libc::kill(pid, 0) } != 0) {
                    let _ = fs::remove_dir(entry.path());
                }
            }
        }
    }
}

fn run_name(name: &str) -> String {
    format!("{PREFIX}{}-{name}", std::process::id())
}

impl RunCgroups {
    /// Its directories, each once (v2 has one for both controllers).
    fn dirs(&self) -> Vec<&Path> {
        let mut dirs = vec![self.memory.as_path()];
        if self.pids != self.memory {
            dirs.push(&self.pids);
        }
        dirs
    }

    /// `cgroup.procs` of each, open for the child to write "0" into (joining
    /// them) before it executes anything.
    pub fn join_files(&self) -> io::Result<Vec<OwnedFd>> {
        self.dirs()
            .into_iter()
            .map(|dir| {
                let file: File = OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_CLOEXEC)
                    .open(dir.join("cgroup.procs"))?;
                Ok(file.into())
            })
            .collect()
    }

    /// Whether the kernel's OOM killer killed a process of this run.
    pub fn oom_killed(&self) -> bool {
        fs::read_to_string(self.memory.join(self.version.files().events))
            .ok()
            .and_then(|events| {
                events
                    .lines()
                    .find_map(|line| line.strip_prefix("oom_kill "))
                    .and_then(|count| count.trim().parse::<u64>().ok())
            })
            .is_some_and(|kills| kills > 0)
    }

    /// The most memory the run held at once (its page cache included), where
    /// the kernel keeps the figure.
    pub fn peak_memory_bytes(&self) -> Option<u64> {
        fs::read_to_string(self.memory.join(self.version.files().peak))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Kills whatever is still in the run's cgroups.
    pub fn kill_all(&self) {
        // cgroup.kill (cgroup v2, Linux 5.14) kills them all at once, even
        // while they fork.
        if self.version == Version::V2 && fs::write(self.memory.join("cgroup.kill"), "1").is_ok() {
            return;
        }
        for dir in self.dirs() {
            let Ok(procs) = fs::read_to_string(dir.join("cgroup.procs")) else {
                continue;
            };
            for pid in procs.lines().filter_map(|p| p.parse::<i32>().ok()) {
                // SAFETY: signalling a process of this run's cgroup.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }

    /// Removes the (empty) cgroups, waiting briefly for killed processes to
    /// leave them; `reap` collects the ones that were the service's children.
    pub async fn remove_when_empty(self, reap: impl Fn()) {
        for _ in 0..50 {
            self.kill_all();
            reap();
            if self.try_remove() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tracing::warn!(cgroup = %self.memory.display(), "a run cgroup would not empty; left behind");
    }

    fn try_remove(&self) -> bool {
        self.dirs()
            .into_iter()
            .all(|dir| match fs::remove_dir(dir) {
                Ok(()) => true,
                Err(error) => error.kind() == io::ErrorKind::NotFound,
            })
    }
}

/// Removed when dropped, as far as it can be: most runs have removed them
/// already, but a run abandoned midway (the service shutting down while a
/// run, or javac kept warm, is still going) only kills its program, which
/// then leaves its cgroups within milliseconds.
impl Drop for RunCgroups {
    fn drop(&mut self) {
        for _ in 0..25 {
            if self.try_remove() {
                return;
            }
            self.kill_all();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
