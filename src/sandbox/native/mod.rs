//! The native sandbox, for programs that cannot run as WebAssembly (compilers,
//! the JVM). Layers, each checked at start-up (`judgebox doctor`):
//! - always: a new session, rlimits, a wall-clock timeout that kills the whole
//!   process group, reaping of escaped descendants (the service is a child
//!   subreaper), capped stdout/stderr, a scrubbed environment, a private run
//!   directory removed without following symlinks, a seccomp denylist, and a
//!   bounded number of runs at once;
//! - best effort: Landlock (read-only toolchain, writable run directory, no
//!   TCP); an unprivileged uid per run with `RLIMIT_NPROC`; new network, IPC,
//!   UTS and PID namespaces; cgroup memory and pids limits.
//!
//! Without the always-on layers nothing runs: `NativeSandbox::new` fails.

mod cgroup;
mod child;
mod landlock;
mod permits;
mod seccomp;

use std::collections::HashSet;
use std::ffi::OsString;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use seccompiler::BpfProgram;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::Notify;

use self::cgroup::Cgroups;
use self::child::{ChildSetup, Report};
use self::permits::RunPermits;
use super::{Run, Stopped, Usage};

/// What one native run may use.
#[derive(Debug, Clone)]
pub struct NativeLimits {
    pub wall_time: Duration,
    /// RLIMIT_CPU: SIGXCPU at this many seconds, SIGKILL a second later.
    pub cpu_seconds: u64,
    /// RLIMIT_AS: the address space, which bounds memory everywhere.
    pub address_space_bytes: u64,
    /// The cgroup memory limit (resident memory and page cache), where
    /// cgroups are available; the OOM killer enforces it.
    pub memory_bytes: u64,
    /// RLIMIT_FSIZE: the largest file the program may write.
    pub file_size_bytes: u64,
    pub open_files: u64,
    pub stack_bytes: u64,
    /// Processes and threads: RLIMIT_NPROC of the run's uid, and the
    /// cgroup pids limit.
    pub processes: u64,
    pub stdout_bytes: usize,
    pub stderr_bytes: usize,
}

/// A program to run in a run directory.
#[derive(Debug, Clone, Default)]
pub struct NativeCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Added to a minimal environment (PATH, HOME and TMPDIR in the run directory).
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    /// Readable besides the system toolchain directories.
    pub read_only_paths: Vec<PathBuf>,
    /// What the program may execute besides `program` itself (files or
    /// directories; symlinks count by their targets).
    pub executables: Vec<PathBuf>,
    /// Compilers start their own tools; programs being judged may only
    /// start threads.
    pub may_start_processes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeExit {
    Code(i32),
    Signal(i32),
}

#[derive(Debug, Clone)]
pub struct NativeRun {
    /// `None` when the service killed it (timeout or output limit).
    pub exit: Option<NativeExit>,
    pub timed_out: bool,
    pub output_exceeded: bool,
    /// The cgroup's OOM killer ended it.
    pub out_of_memory: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub wall_time: Duration,
    /// User and system time, and peak resident memory, of the program and
    /// the children it waited for; zero when the service killed it.
    pub cpu_time: Duration,
    pub peak_memory_bytes: u64,
}

impl NativeRun {
    /// The run as the judge sees every run. A native process meters no fuel;
    /// `memory_limit_hit` adds what only the caller can tell (e.g. from the
    /// JVM's error) to the cgroup's OOM kill.
    pub fn into_run(self, memory_limit_hit: bool) -> Run {
        let ended = match self.exit {
            _ if self.output_exceeded => Err(Stopped::Output),
            _ if self.timed_out => Err(Stopped::WallTime),
            // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one.
            Some(NativeExit::Signal(libc::SIGXCPU)) => Err(Stopped::WallTime),
            Some(NativeExit::Signal(signal)) => {
                Err(Stopped::Trap(format!("killed by signal {signal}")))
            }
            Some(NativeExit::Code(code)) => Ok(code),
            None => Err(Stopped::WallTime),
        };
        Run {
            ended,
            stdout: self.stdout,
            stderr: self.stderr,
            usage: Usage {
                wall_time: self.wall_time,
                cpu_time: self.cpu_time,
                peak_memory_bytes: self.peak_memory_bytes,
                memory_limit_hit: memory_limit_hit || self.out_of_memory,
                fuel_consumed: 0,
            },
        }
    }
}

/// A private directory for one run: mode 0700, removed on drop with
/// `remove_dir_all`, which never follows symlinks the program planted.
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file a run left here, read without following symlinks at any step
    /// (what ran here could have planted them; it has ended by now).
    pub fn read(&self, relative: &str) -> Result<Vec<u8>> {
        let mut path = self.path.clone();
        for component in Path::new(relative).components() {
            let Component::Normal(name) = component else {
                anyhow::bail!("{relative} is not a plain relative path");
            };
            path.push(name);
            let kind = std::fs::symlink_metadata(&path)
                .with_context(|| format!("reading {relative}"))?
                .file_type();
            anyhow::ensure!(!kind.is_symlink(), "{relative} is a symlink");
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .with_context(|| format!("reading {relative}"))?;
        anyhow::ensure!(file.metadata()?.is_file(), "{relative} is not a file");
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(bytes)
    }

    /// The names of the plain files in a directory of the run (no symlinks).
    pub fn files_in(&self, relative: &str) -> Result<Vec<String>> {
        let dir = self.path.join(relative);
        anyhow::ensure!(
            std::fs::symlink_metadata(&dir)?.is_dir(),
            "{relative} is not a directory"
        );
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(names)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove a run directory");
        }
    }
}

/// How a layer stands on this machine, for the start-up log and `judgebox doctor`.
#[derive(Debug, Clone)]
pub struct Layer {
    pub name: &'static str,
    pub active: bool,
    pub detail: String,
}

/// How the native sandbox is set up.
#[derive(Debug, Clone)]
pub struct NativeConfig {
    pub runs_dir: PathBuf,
    /// Native runs (compiles and programs) at once.
    pub concurrent_runs: u32,
    /// Runs get uids `first_uid` to `first_uid + concurrent_runs - 1` when
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
    /// Whether each best-effort layer is on here, or why not.
    uids: Result<(), String>,
    namespaces: Result<(), String>,
    cgroups: Result<Cgroups, String>,
}

/// Direct children of runs in flight: every other child of the service is
/// an orphan some run left behind.
fn in_flight() -> &'static Mutex<HashSet<u32>> {
    static IN_FLIGHT: OnceLock<Mutex<HashSet<u32>>> = OnceLock::new();
    IN_FLIGHT.get_or_init(Default::default)
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
        let uids = permits::uids(config.concurrent_runs, config.first_uid, &shared);
        let permits = RunPermits::new(config.concurrent_runs, uids.clone().unwrap_or_default());
        Ok(Self {
            seccomp: Arc::new(seccomp),
            no_processes: Arc::new(no_processes),
            runs_dir: runs_dir.clone(),
            permits,
            uids: uids.map(drop),
            namespaces: child::namespaces_available(),
            cgroups: Cgroups::probe(),
        })
    }

    pub fn run_dir(&self) -> Result<RunDir> {
        let path = self.runs_dir.join(format!("run-{}", uuid::Uuid::new_v4()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        Ok(RunDir { path })
    }

    /// Runs `command` in `dir` under every layer and `limits`, once a run
    /// permit is free. `Err` is a failure of the service (it could not start the
    /// program).
    pub async fn run(
        &self,
        dir: &RunDir,
        command: &NativeCommand,
        limits: &NativeLimits,
    ) -> Result<NativeRun> {
        let permit = self.permits.acquire().await;
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
            .run_as(dir, command, limits, permit.uid, cgroups.as_ref())
            .await;
        let out_of_memory = cgroups.as_ref().is_some_and(|c| c.oom_killed());
        if let Some(cgroups) = cgroups {
            cgroups.remove_when_empty(reap_orphans).await;
        }
        run.map(|run| NativeRun {
            out_of_memory,
            ..run
        })
    }

    async fn run_as(
        &self,
        dir: &RunDir,
        command: &NativeCommand,
        limits: &NativeLimits,
        uid: Option<u32>,
        cgroups: Option<&cgroup::RunCgroups>,
    ) -> Result<NativeRun> {
        let program = std::fs::canonicalize(&command.program)
            .with_context(|| format!("finding {}", command.program.display()))?;
        let executables: Vec<PathBuf> = command
            .executables
            .iter()
            .cloned()
            .chain([program])
            .collect();
        let landlock = landlock::ruleset(dir.path(), &command.read_only_paths, &executables)
            .context("preparing the Landlock ruleset")?;
        let (report, report_writer) = child::pipe().context("creating the report pipe")?;
        let setup = ChildSetup {
            limits: limits.clone(),
            uid,
            cgroups: match cgroups {
                Some(cgroups) => cgroups.join_files().context("opening the run's cgroups")?,
                None => Vec::new(),
            },
            namespaces: self.namespaces.is_ok(),
            landlock: Mutex::new(Some(landlock)),
            seccomp: self.seccomp.clone(),
            no_processes: (!command.may_start_processes).then(|| self.no_processes.clone()),
            report: report_writer,
        };
        let mut process = Command::new(&command.program);
        process
            .args(&command.args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", dir.path())
            .env("TMPDIR", dir.path())
            .env("LANG", "C.UTF-8")
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // SAFETY: `pre_exec` makes only syscalls and allocates nothing (see child.rs).
        unsafe {
            process.pre_exec(move || setup.pre_exec());
        }

        let started = Instant::now();
        // Registered before any orphan sweep can see it as someone's leftover.
        let (mut child, pid) = {
            let mut in_flight_pids = in_flight().lock().unwrap();
            let child = process
                .spawn()
                .with_context(|| format!("starting {}", command.program.display()))?;
            let pid = child
                .id()
                .context("the child has a pid until it is reaped")?;
            in_flight_pids.insert(pid);
            (child, pid)
        };
        // The service's copies of the child's descriptors (the report pipe's
        // writing end above all) close with the command.
        drop(process);
        let exceeded = Arc::new(Notify::new());
        let stdout = tokio::spawn(read_capped(
            child.stdout.take(),
            limits.stdout_bytes,
            exceeded.clone(),
        ));
        let stderr = tokio::spawn(read_capped(
            child.stderr.take(),
            limits.stderr_bytes,
            exceeded.clone(),
        ));
        if let Some(mut stdin) = child.stdin.take() {
            let input = command.stdin.clone();
            // A program that exits without reading its input closes the pipe early: fine.
            tokio::spawn(async move { stdin.write_all(&input).await });
        }

        let (exited, timed_out) = tokio::select! {
            status = child.wait() => (Some(status?), false),
            _ = tokio::time::sleep(limits.wall_time) => (None, true),
            _ = exceeded.notified() => (None, false),
        };
        // Whatever the program left in its session dies with it.
        kill_group(pid);
        if exited.is_none() {
            // Killed by us: reap it, but its status says nothing about the program.
            child.wait().await?;
        }
        in_flight().lock().unwrap().remove(&pid);
        reap_orphans();
        let wall_time = started.elapsed();
        // The reaper wrote it before the child the service waited for ended.
        let report = exited.and_then(|status| match Report::read(&report) {
            Some(report) => Some(report),
            None => {
                tracing::warn!(%status, "a native run ended without its reaper's report");
                None
            }
        });
        let (stdout, stdout_exceeded) = stdout.await?;
        let (stderr, stderr_exceeded) = stderr.await?;
        Ok(NativeRun {
            exit: report.map(|r| r.exit()),
            timed_out,
            output_exceeded: stdout_exceeded || stderr_exceeded,
            out_of_memory: false,
            stdout,
            stderr,
            wall_time,
            cpu_time: report.map(|r| r.cpu_time()).unwrap_or_default(),
            peak_memory_bytes: report.map(|r| r.peak_memory_bytes()).unwrap_or_default(),
        })
    }

    /// Checks each layer in a throwaway child and says how it stands.
    pub async fn layers(&self) -> Vec<Layer> {
        let mut layers = vec![Layer {
            name: "session, rlimits, timeout, process-group kill, orphan reaping, output caps, bounded runs at once",
            active: true,
            detail: "always on".into(),
        }];
        let probe = |script: &str| NativeCommand {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            may_start_processes: true,
            ..Default::default()
        };
        let limits = NativeLimits {
            wall_time: Duration::from_secs(5),
            cpu_seconds: 5,
            address_space_bytes: 512 << 20,
            memory_bytes: 256 << 20,
            file_size_bytes: 1 << 20,
            open_files: 64,
            stack_bytes: 8 << 20,
            processes: 16,
            stdout_bytes: 4096,
            stderr_bytes: 4096,
        };
        let probe_run = |script: &'static str| {
            let limits = limits.clone();
            async move {
                let dir = self.run_dir()?;
                self.run(&dir, &probe(script), &limits).await
            }
        };
        layers.push(match probe_run("exit 0").await {
            Ok(run) if run.exit == Some(NativeExit::Code(0)) => Layer {
                name: "seccomp denylist (no sockets but AF_UNIX, no ptrace, mounts, namespaces, bpf, io_uring)",
                active: true,
                detail: "always on".into(),
            },
            other => Layer {
                name: "seccomp denylist",
                active: false,
                detail: format!("a probe under the filter failed: {other:?}"),
            },
        });
        // Landlock refuses reading /etc and running anything the command does
        // not list; without it, the shell can do both.
        layers.push(match probe_run("read -r line < /etc/passwd || /bin/true").await {
            Ok(run) if run.exit != Some(NativeExit::Code(0)) => Layer {
                name: "Landlock (read-only toolchain, writable run directory, only the command's executables, no TCP)",
                active: true,
                detail: "enforced".into(),
            },
            _ => Layer {
                name: "Landlock",
                active: false,
                detail:
                    "unavailable on this kernel: files outside the run directory are readable; \
                         seccomp still blocks network sockets"
                        .into(),
            },
        });
        layers.push(best_effort(
            "unprivileged uid per run with RLIMIT_NPROC",
            &self.uids,
            format!("{} run uids", self.permits.count()),
        ));
        layers.push(best_effort(
            "namespaces (network, IPC, UTS; PID with a reaper as PID 1)",
            &self.namespaces,
            "no network interfaces; whatever a run leaves dies with its PID 1",
        ));
        layers.push(best_effort(
            "cgroup v1 memory and pids limits per run",
            &self.cgroups.as_ref().map(drop).map_err(Clone::clone),
            "the OOM killer enforces resident memory; pids.max holds fork bombs even as root",
        ));
        layers
    }
}

fn best_effort(name: &'static str, state: &Result<(), String>, active: impl Into<String>) -> Layer {
    match state {
        Ok(()) => Layer {
            name,
            active: true,
            detail: active.into(),
        },
        Err(why) => Layer {
            name,
            active: false,
            detail: why.clone(),
        },
    }
}

/// Reads at most `cap` bytes; past that, tells the run to stop the program
/// (RLIMIT_FSIZE does not apply to pipes).
async fn read_capped(
    pipe: Option<impl AsyncRead + Unpin>,
    cap: usize,
    exceeded: Arc<Notify>,
) -> (Vec<u8>, bool) {
    let Some(mut pipe) = pipe else {
        return (Vec::new(), false);
    };
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => return (bytes, false),
            Ok(n) if bytes.len() + n > cap => {
                bytes.extend_from_slice(&chunk[..cap - bytes.len()]);
                exceeded.notify_one();
                return (bytes, true);
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
}

fn kill_group(pgid: u32) {
    // SAFETY: signalling a process group we created; failure means it is gone.
    unsafe { libc::kill(-(pgid as i32), libc::SIGKILL) };
}

/// Kills and reaps the service's children that no run is waiting for: the
/// descendants a program detached (setsid, double fork), reparented to the
/// service because it is a subreaper. Repeats while killing one reparents more.
fn reap_orphans() {
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

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

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
