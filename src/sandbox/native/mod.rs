//! The native sandbox, for programs that cannot run as WebAssembly (compilers,
//! the JVM). Layers, each checked at start-up (`judgebox doctor`):
//! - always: a new session, rlimits, a wall-clock timeout that kills the whole
//!   process group, reaping of escaped descendants (the service is a child
//!   subreaper), capped stdout/stderr, a scrubbed environment, a private run
//!   directory removed without following symlinks, a seccomp denylist, and a
//!   bounded number of runs at once;
//! - best effort: Landlock (read-only toolchain, writable run directory, no
//!   TCP); an unprivileged uid per run with `RLIMIT_NPROC`; new network, IPC,
//!   UTS and PID namespaces (in a user namespace of the run's own when the
//!   service is not root); cgroup memory and pids limits (v2, or v1).
//!
//! Without the always-on layers nothing runs: `NativeSandbox::new` fails.

mod cgroup;
mod child;
mod landlock;
mod layers;
mod orphans;
mod permits;
mod process;
mod run;
mod run_dir;
mod seccomp;
mod service;

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use seccompiler::BpfProgram;

use self::cgroup::Cgroups;
pub use self::layers::Layer;
use self::permits::RunPermits;
pub use self::run::{DiskLimit, NativeCommand, NativeExit, NativeLimits, NativeRun};
pub use self::run_dir::RunDir;
pub use self::service::NativeService;
use super::{Invocation, Stdio};

/// How the native sandbox is set up.
#[derive(Debug, Clone)]
pub struct NativeConfig {
    pub runs_dir: PathBuf,
    /// Native runs (compiles and programs) at once.
    pub concurrent_runs: u32,
    /// Runs get uids `first_uid` to `first_uid + 2 * concurrent_runs - 1`
    /// (half of them for the judge's side of linked runs) when
    /// the service is root.
    pub first_uid: u32,
    /// Directories programs read (runtimes, caches): a run uid needs to
    /// read them as "other".
    pub shared_paths: Vec<PathBuf>,
}

/// Uids from here are rarely accounts (Debian reserves 60000-64999 for
/// its own global allocation, which nothing on a judge host uses).
pub const DEFAULT_FIRST_UID: u32 = 60_000;

impl NativeConfig {
    /// One run per CPU at once, no shared directories.
    pub fn new(runs_dir: &Path) -> Self {
        Self {
            runs_dir: runs_dir.to_path_buf(),
            concurrent_runs: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            first_uid: DEFAULT_FIRST_UID,
            shared_paths: Vec::new(),
        }
    }
}

pub struct NativeSandbox {
    seccomp: Arc<Vec<BpfProgram>>,
    no_processes: Arc<BpfProgram>,
    runs_dir: PathBuf,
    permits: RunPermits,
    /// As many again, with uids of their own, for the judge's side of
    /// linked runs (`crate::sandbox::link`).
    companion_permits: RunPermits,
    /// One, with a uid of its own, for a program that stays running
    /// (`NativeService`): it must never hold a permit that runs wait for.
    service_permits: RunPermits,
    /// Whether each best-effort layer is on here, or why not.
    uids: Result<(), String>,
    namespaces: Result<child::Namespaces, String>,
    cgroups: Result<Cgroups, String>,
}

impl NativeSandbox {
    /// Installs what the service needs (child subreaper), prepares the
    /// filters and probes the best-effort layers; fails if an always-on
    /// layer is unavailable.
    pub fn new(config: &NativeConfig) -> Result<Self> {
        // SAFETY: prctl with these arguments only changes this process's flag.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error()).context("becoming a child subreaper");
        }
        let seccomp = seccomp::filters().context("building the seccomp filters")?;
        let no_processes = seccomp::no_processes().context("building the seccomp filters")?;
        let runs_dir = &config.runs_dir;
        std::fs::DirBuilder::new()
            .recursive(true)
            .create(runs_dir)
            .with_context(|| format!("creating {}", runs_dir.display()))?;
        // Run uids may pass through to their own run directory, whose
        // random name they are told; they cannot list the others.
        std::fs::set_permissions(runs_dir, std::fs::Permissions::from_mode(0o711))
            .with_context(|| format!("securing {}", runs_dir.display()))?;
        let mut shared = config.shared_paths.clone();
        shared.push(runs_dir.clone());
        // The companions' uids follow the runs', and the service's theirs.
        let runs = config.concurrent_runs as usize;
        let uids = permits::uids(2 * runs as u32 + 1, config.first_uid, &shared);
        let (run_uids, companion_uids, service_uids) = match &uids {
            Ok(uids) => (
                uids[..runs].to_vec(),
                uids[runs..2 * runs].to_vec(),
                uids[2 * runs..].to_vec(),
            ),
            Err(_) => (Vec::new(), Vec::new(), Vec::new()),
        };
        Ok(Self {
            seccomp: Arc::new(seccomp),
            no_processes: Arc::new(no_processes),
            runs_dir: runs_dir.clone(),
            permits: RunPermits::new(runs as u32, run_uids),
            companion_permits: RunPermits::new(runs as u32, companion_uids),
            service_permits: RunPermits::new(1, service_uids),
            uids: uids.map(drop),
            namespaces: child::namespaces_available(),
            cgroups: Cgroups::probe(),
        })
    }

    /// Runs at once (companions aside).
    pub fn concurrent_runs(&self) -> u32 {
        self.permits.count()
    }

    pub fn run_dir(&self) -> Result<RunDir> {
        RunDir::create(&self.runs_dir)
    }

    /// A run directory for a WebAssembly run given files, if `invocation`
    /// gives any.
    pub fn run_dir_for(&self, invocation: &Invocation) -> Result<Option<RunDir>> {
        (invocation.needs_dir()).then(|| self.run_dir()).transpose()
    }

    /// Runs `command` in `dir` with `stdio` under every layer and `limits`,
    /// once a run permit is free. `Err` is a failure of the service (it
    /// could not start the program).
    pub async fn run(
        &self,
        dir: &RunDir,
        command: &NativeCommand,
        stdio: Stdio<'_>,
        limits: &NativeLimits,
    ) -> Result<NativeRun> {
        let permits = match stdio.is_companion() {
            true => &self.companion_permits,
            false => &self.permits,
        };
        let forever = std::future::pending();
        self.run_on(permits, dir, command, stdio, limits, forever)
            .await
    }

    /// `run` on one of `permits`, stopped early (as a timeout would stop
    /// it) once `stop` is ready.
    async fn run_on(
        &self,
        permits: &RunPermits,
        dir: &RunDir,
        command: &NativeCommand,
        stdio: Stdio<'_>,
        limits: &NativeLimits,
        stop: impl Future<Output = ()>,
    ) -> Result<NativeRun> {
        let permit = permits.acquire().await;
        if let Some(uid) = permit.uid {
            std::os::unix::fs::lchown(dir.path(), Some(uid), Some(uid))
                .context("giving the run directory to the run's uid")?;
        }
        let cgroups = match &self.cgroups {
            Ok(cgroups) => Some(
                cgroups
                    .create(
                        &uuid::Uuid::new_v4().to_string(),
                        limits.memory_bytes,
                        limits.processes,
                    )
                    .context("creating the run's cgroups")?,
            ),
            Err(_) => None,
        };
        let run = self
            .spawn_and_wait(
                dir,
                command,
                stdio,
                limits,
                permit.uid,
                cgroups.as_ref(),
                stop,
            )
            .await;
        let out_of_memory = cgroups.as_ref().is_some_and(|c| c.oom_killed());
        // The cgroup's figure covers what `wait4` cannot: a run the service
        // killed, and the page cache a program's files hold.
        let cgroup_peak = cgroups.as_ref().and_then(|c| c.peak_memory_bytes());
        if let Some(cgroups) = cgroups {
            cgroups.remove_when_empty(orphans::reap).await;
        }
        run.map(|run| NativeRun {
            out_of_memory,
            peak_memory_bytes: run.peak_memory_bytes.max(cgroup_peak.unwrap_or(0)),
            ..run
        })
    }
}
