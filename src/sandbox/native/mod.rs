//! The native sandbox, for programs that cannot run as WebAssembly (compilers,
//! the JVM). Layers, each checked at start-up (`judgebox doctor`):
//! - always: a new session, rlimits, a wall-clock timeout that kills the whole
//!   process group, reaping of escaped descendants (the service is a child
//!   subreaper), capped stdout/stderr, a scrubbed environment, a private run
//!   directory removed without following symlinks, and a seccomp denylist;
//! - best effort: Landlock (read-only toolchain, writable run directory, no TCP).
//!
//! Without the always-on layers nothing runs: `NativeSandbox::new` fails.

mod landlock;
mod seccomp;

use std::collections::HashSet;
use std::ffi::OsString;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use seccompiler::BpfProgram;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::Notify;

use super::{Run, Stopped, Usage};

/// What one native run may use.
#[derive(Debug, Clone)]
pub struct NativeLimits {
    pub wall_time: Duration,
    /// RLIMIT_CPU: SIGXCPU at this many seconds, SIGKILL a second later.
    pub cpu_seconds: u64,
    /// RLIMIT_AS: the address space, which bounds memory.
    pub address_space_bytes: u64,
    /// RLIMIT_FSIZE: the largest file the program may write.
    pub file_size_bytes: u64,
    pub open_files: u64,
    pub stack_bytes: u64,
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
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub wall_time: Duration,
}

impl NativeRun {
    /// The run as the judge sees every run. A native process meters no fuel;
    /// `memory_limit_hit` is for the caller to tell (e.g. from the JVM's error).
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
                memory_limit_hit,
                ..Usage::default()
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

pub struct NativeSandbox {
    seccomp: Arc<Vec<BpfProgram>>,
    no_processes: Arc<BpfProgram>,
    runs_dir: PathBuf,
}

/// Direct children of runs in flight: every other child of the service is
/// an orphan some run left behind.
fn in_flight() -> &'static Mutex<HashSet<u32>> {
    static IN_FLIGHT: OnceLock<Mutex<HashSet<u32>>> = OnceLock::new();
    IN_FLIGHT.get_or_init(Default::default)
}

impl NativeSandbox {
    /// Installs what the service needs (child subreaper) and prepares the
    /// filters; fails if an always-on layer is unavailable.
    pub fn new(runs_dir: &Path) -> Result<Self> {
        // SAFETY: prctl with these arguments only changes this process's flag.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error()).context("becoming a child subreaper");
        }
        let seccomp = seccomp::filters().context("building the seccomp filters")?;
        let no_processes = seccomp::no_processes().context("building the seccomp filters")?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(runs_dir)
            .with_context(|| format!("creating {}", runs_dir.display()))?;
        Ok(Self {
            seccomp: Arc::new(seccomp),
            no_processes: Arc::new(no_processes),
            runs_dir: runs_dir.to_path_buf(),
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

    /// Runs `command` in `dir` under every layer and `limits`. `Err` is a
    /// failure of the service (it could not start the program).
    pub async fn run(
        &self,
        dir: &RunDir,
        command: &NativeCommand,
        limits: &NativeLimits,
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
        let seccomp = self.seccomp.clone();
        let no_processes = (!command.may_start_processes).then(|| self.no_processes.clone());
        let limits_in_child = limits.clone();
        let landlock = Mutex::new(Some(landlock));
        // SAFETY: runs in the forked child before exec; it only makes syscalls
        // (setsid, setrlimit, landlock, seccomp) and allocates nothing.
        unsafe {
            process.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                apply_rlimits(&limits_in_child)?;
                if let Some(ruleset) = landlock.lock().ok().and_then(|mut r| r.take()) {
                    ruleset.restrict_self().map_err(io::Error::other)?;
                }
                for filter in seccomp.iter().chain(no_processes.as_deref()) {
                    seccompiler::apply_filter(filter).map_err(io::Error::other)?;
                }
                Ok(())
            });
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

        let (exit, timed_out) = tokio::select! {
            status = child.wait() => (Some(status?), false),
            _ = tokio::time::sleep(limits.wall_time) => (None, true),
            _ = exceeded.notified() => (None, false),
        };
        // Whatever the program left in its session dies with it.
        kill_group(pid);
        let exit = match exit {
            Some(status) => Some(status),
            // Killed by us: reap it, but its status says nothing about the program.
            None => {
                child.wait().await?;
                None
            }
        };
        in_flight().lock().unwrap().remove(&pid);
        reap_orphans();
        let wall_time = started.elapsed();
        let (stdout, stdout_exceeded) = stdout.await?;
        let (stderr, stderr_exceeded) = stderr.await?;
        Ok(NativeRun {
            exit: exit.map(|status| match status.code() {
                Some(code) => NativeExit::Code(code),
                None => NativeExit::Signal(status.signal().unwrap_or(0)),
            }),
            timed_out,
            output_exceeded: stdout_exceeded || stderr_exceeded,
            stdout,
            stderr,
            wall_time,
        })
    }

    /// Checks each layer in a throwaway child and says how it stands.
    pub async fn layers(&self) -> Vec<Layer> {
        let mut layers = vec![Layer {
            name: "session, rlimits, timeout, process-group kill, orphan reaping, output caps",
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
            file_size_bytes: 1 << 20,
            open_files: 64,
            stack_bytes: 8 << 20,
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
        layers
    }
}

fn apply_rlimits(limits: &NativeLimits) -> io::Result<()> {
    let set = |resource, soft: u64, hard: u64| {
        let limit = libc::rlimit {
            rlim_cur: soft,
            rlim_max: hard,
        };
        // SAFETY: a valid rlimit for a valid resource.
        if unsafe { libc::setrlimit(resource, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    };
    set(libc::RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)?;
    set(
        libc::RLIMIT_AS,
        limits.address_space_bytes,
        limits.address_space_bytes,
    )?;
    set(
        libc::RLIMIT_FSIZE,
        limits.file_size_bytes,
        limits.file_size_bytes,
    )?;
    set(libc::RLIMIT_NOFILE, limits.open_files, limits.open_files)?;
    set(libc::RLIMIT_STACK, limits.stack_bytes, limits.stack_bytes)?;
    set(libc::RLIMIT_CORE, 0, 0)
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
        let sandbox = NativeSandbox::new(base.path()).unwrap();
        let dir = sandbox.run_dir().unwrap();
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
    }
}
