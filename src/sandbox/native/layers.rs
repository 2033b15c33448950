//! How each layer stands on this machine, checked in throwaway runs: for the
//! start-up log and `judgebox doctor`.

use std::time::Duration;

use super::child::Namespaces;
use super::{DiskLimit, NativeCommand, NativeExit, NativeLimits, NativeSandbox};
use crate::sandbox::Stdio;

/// How a layer stands on this machine, for the start-up log and `judgebox doctor`.
#[derive(Debug, Clone)]
pub struct Layer {
    pub name: &'static str,
    pub active: bool,
    pub detail: String,
}

impl NativeSandbox {
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
            cpu_time: Duration::from_secs(5),
            wall_time: Duration::from_secs(5),
            address_space_bytes: 512 << 20,
            memory_bytes: 256 << 20,
            file_size_bytes: 1 << 20,
            disk: DiskLimit {
                bytes: 1 << 20,
                entries: 16,
            },
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
                self.run(&dir, &probe(script), Stdio::Input(&[]), &limits)
                    .await
            }
        };
        // Landlock refuses reading /etc and running anything the command does
        // not list; without it, the shell can do both. Both probes at once.
        let (filtered, landlocked) = tokio::join!(
            probe_run("exit 0"),
            probe_run("read -r line < /etc/passwd || /bin/true")
        );
        layers.push(match filtered {
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
        layers.push(match landlocked {
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
            format!(
                "{} run uids",
                2 * self.permits.count() + self.service_permits.count()
            ),
        ));
        layers.push(best_effort(
            "namespaces (network, IPC, UTS; PID with a reaper as PID 1)",
            &self.namespaces.as_ref().map(drop).map_err(Clone::clone),
            match &self.namespaces {
                Ok(Namespaces::InUserNamespace { .. }) => {
                    "in a user namespace of each run's own (no root needed): no network interfaces; \
                     whatever a run leaves dies with its PID 1; RLIMIT_NPROC counts each run's processes"
                }
                _ => "no network interfaces; whatever a run leaves dies with its PID 1",
            },
        ));
        layers.push(best_effort(
            "cgroup memory and pids limits per run",
            &self.cgroups.as_ref().map(drop).map_err(Clone::clone),
            match &self.cgroups {
                Ok(cgroups) => format!(
                    "{}: the OOM killer enforces resident memory (its kills are \
                     memory_limit_exceeded); pids.max holds fork bombs even as root",
                    cgroups.describe()
                ),
                Err(_) => String::new(),
            },
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
