//! One run's process: started under every layer, fed its input, read with
//! caps, timed, and killed with everything it left in its session.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::sync::Notify;

use super::cgroup::RunCgroups;
use super::child::{self, ChildSetup, Report};
use super::orphans::{self, InFlight};
use super::{NativeCommand, NativeLimits, NativeRun, NativeSandbox, RunDir, landlock};
use crate::sandbox::Stdio;
use crate::sandbox::link::Outgoing;

impl NativeSandbox {
    /// Spawns `command` in `dir` with `stdio` as `uid` in `cgroups` and
    /// waits for it to end or be stopped (by its limits, or by `stop`).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn spawn_and_wait(
        &self,
        dir: &RunDir,
        command: &NativeCommand,
        stdio: Stdio<'_>,
        limits: &NativeLimits,
        uid: Option<u32>,
        cgroups: Option<&RunCgroups>,
        stop: impl Future<Output = ()>,
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
            namespaces: self.namespaces.as_ref().ok().cloned(),
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
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        // SAFETY: `pre_exec` makes only syscalls and allocates nothing (see child.rs).
        unsafe {
            process.pre_exec(move || setup.pre_exec());
        }

        let started = Instant::now();
        let (mut child, in_flight) = InFlight::spawn(&mut process)
            .with_context(|| format!("starting {}", command.program.display()))?;
        let pid = in_flight.pid();
        // The service's copies of the child's descriptors (the report pipe's
        // writing end above all) close with the command.
        drop(process);
        let exceeded = Arc::new(Notify::new());
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let (mut input, forward): (Box<dyn AsyncRead + Send + Unpin>, _) = match stdio {
            Stdio::Input(input) => (Box::new(std::io::Cursor::new(input.to_vec())), None),
            Stdio::Linked(end) => (Box::new(end.incoming), Some(end.outgoing)),
        };
        // A program that exits without reading its input closes the pipe early: fine.
        let feeding = tokio::spawn(async move {
            let _ = tokio::io::copy(&mut input, &mut stdin).await;
        });
        let stdout = tokio::spawn(read_capped(
            child.stdout.take(),
            limits.stdout_bytes,
            forward,
            exceeded.clone(),
        ));
        let stderr = tokio::spawn(read_capped(
            child.stderr.take(),
            limits.stderr_bytes,
            None,
            exceeded.clone(),
        ));

        let (exited, timed_out, disk_exceeded) = tokio::select! {
            status = child.wait() => (Some(status?), false, false),
            _ = tokio::time::sleep(limits.wall_time) => (None, true, false),
            _ = exceeded.notified() => (None, false, false),
            () = stop => (None, false, false),
            () = dir.outgrown(limits.disk) => (None, false, true),
        };
        // Whatever the program left in its session dies with it.
        kill_group(pid);
        // A linked run's other side may still be writing: not to this one.
        feeding.abort();
        if exited.is_none() {
            // Killed by us: reap it, but its status says nothing about the program.
            child.wait().await?;
        }
        drop(in_flight);
        orphans::reap();
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
            disk_exceeded,
            out_of_memory: false,
            stdout,
            stderr,
            wall_time,
            cpu_time: report.map(|r| r.cpu_time()).unwrap_or_default(),
            peak_memory_bytes: report.map(|r| r.peak_memory_bytes()).unwrap_or_default(),
        })
    }
}

/// Reads at most `cap` bytes, sending them on to `forward` as they come;
/// past that, tells the run to stop the program (RLIMIT_FSIZE does not
/// apply to pipes).
async fn read_capped(
    pipe: Option<impl AsyncRead + Unpin>,
    cap: usize,
    forward: Option<Outgoing>,
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
            Ok(n) => {
                bytes.extend_from_slice(&chunk[..n]);
                if let Some(forward) = &forward {
                    forward.send(&chunk[..n]);
                }
            }
        }
    }
}

fn kill_group(pgid: u32) {
    // SAFETY: signalling a process group we created; failure means it is gone.
    unsafe { libc::kill(-(pgid as i32), libc::SIGKILL) };
}
