//! Per-run cgroups (v1 `memory` and `pids`, as on this machine's hybrid
//! layout), when the service may create them. They bound what rlimits
//! cannot: resident memory with a clean OOM kill, and processes even for
//! root. Each run's cgroups live under the service's own, and are emptied
//! and removed when the run ends.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = "/sys/fs/cgroup";
/// Run cgroups are named `judgebox-run-<service pid>-<name>`.
const PREFIX: &str = "judgebox-run-";

/// Where the service may create run cgroups: its own memory and pids cgroups.
pub struct Cgroups {
    memory: PathBuf,
    pids: PathBuf,
}

/// One run's cgroups.
pub struct RunCgroups {
    memory: PathBuf,
    pids: PathBuf,
}

impl Cgroups {
    /// Finds the service's cgroups and checks that a run cgroup can be
    /// made; `Err` says why not.
    pub fn probe() -> Result<Self, String> {
        let own = fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
        let cgroups = Self {
            memory: own_cgroup(&own, "memory")?,
            pids: own_cgroup(&own, "pids")?,
        };
        cgroups.remove_stale();
        let probe = cgroups
            .create(&format!("probe-{}", uuid::Uuid::new_v4()), 64 << 20, 8)
            .map_err(|e| format!("cannot create a cgroup: {e}"))?;
        probe.remove();
        Ok(cgroups)
    }

    /// A run's cgroups, limited to `memory_bytes` (resident memory and page
    /// cache) and `processes` (processes and threads).
    pub fn create(&self, name: &str, memory_bytes: u64, processes: u64) -> io::Result<RunCgroups> {
        let run = RunCgroups {
            memory: self.memory.join(run_name(name)),
            pids: self.pids.join(run_name(name)),
        };
        let made = (|| {
            fs::create_dir(&run.memory)?;
            fs::write(
                run.memory.join("memory.limit_in_bytes"),
                memory_bytes.to_string(),
            )?;
            fs::create_dir(&run.pids)?;
            fs::write(run.pids.join("pids.max"), processes.to_string())
        })();
        match made {
            Ok(()) => Ok(run),
            Err(error) => {
                run.remove();
                Err(error)
            }
        }
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

/// The service's cgroup directory for a v1 `controller`, from
/// /proc/self/cgroup lines such as `4:memory:/some/path`.
fn own_cgroup(own: &str, controller: &str) -> Result<PathBuf, String> {
    own.lines()
        .filter_map(|line| line.split_once(':')?.1.split_once(':'))
        .find(|(controllers, _)| controllers.split(',').any(|c| c == controller))
        .map(|(_, path)| {
            let relative = path.trim_start_matches('/');
            Path::new(ROOT).join(controller).join(relative)
        })
        .filter(|path| path.join("cgroup.procs").exists())
        .ok_or_else(|| {
            format!(
                "no cgroup v1 {controller} hierarchy (cgroup v2 delegation is not supported yet)"
            )
        })
}

fn run_name(name: &str) -> String {
    format!("{PREFIX}{}-{name}", std::process::id())
}

impl RunCgroups {
    /// `cgroup.procs` of each, open for the child to write "0" into (joining
    /// them) before it executes anything.
    pub fn join_files(&self) -> io::Result<Vec<OwnedFd>> {
        [&self.memory, &self.pids]
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
        fs::read_to_string(self.memory.join("memory.oom_control"))
            .ok()
            .and_then(|control| {
                control
                    .lines()
                    .find_map(|line| line.strip_prefix("oom_kill "))
                    .and_then(|count| count.trim().parse::<u64>().ok())
            })
            .is_some_and(|kills| kills > 0)
    }

    /// Kills whatever is still in the run's cgroups.
    pub fn kill_all(&self) {
        for dir in [&self.pids, &self.memory] {
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
        [&self.memory, &self.pids]
            .into_iter()
            .all(|dir| match fs::remove_dir(dir) {
                Ok(()) => true,
                Err(error) => error.kind() == io::ErrorKind::NotFound,
            })
    }

    fn remove(self) {
        self.try_remove();
    }
}
