//! A program that stays running in the native sandbox and answers one
//! request after another on its stdin and stdout: a compiler kept warm.
//! Every layer of a run holds for its whole life, its limits cover all the
//! requests it answers, and it runs as a uid of its own, on a permit that
//! no run waits for.

use std::io;
use std::sync::Arc;

use anyhow::Result;
use tokio::io::AsyncReadExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{NativeCommand, NativeLimits, NativeRun, NativeSandbox};
use crate::sandbox::Stdio;
use crate::sandbox::link::{self, Incoming, Outgoing};

/// A running program: what is sent goes to its stdin, what it writes is
/// read from its stdout. Dropping it kills the program.
pub struct NativeService {
    stdin: Outgoing,
    stdout: Incoming,
    /// Dropped with the service, which stops the run.
    _stop: oneshot::Sender<()>,
    run: JoinHandle<Result<NativeRun>>,
}

impl NativeSandbox {
    /// Starts `command` in a run directory of its own under `limits`,
    /// which it keeps until it ends or the service is dropped.
    pub fn start_service(
        self: &Arc<Self>,
        command: NativeCommand,
        limits: NativeLimits,
    ) -> Result<NativeService> {
        let dir = self.run_dir()?;
        let (host, program) = link::link();
        let (stop, stopped) = oneshot::channel::<()>();
        let native = self.clone();
        let run = tokio::spawn(async move {
            // A dropped sender ends the wait as a sent stop would.
            let stopped = async {
                let _ = stopped.await;
            };
            let stdio = Stdio::Linked(program);
            (native.run_on(
                &native.service_permits,
                &dir,
                &command,
                stdio,
                &limits,
                stopped,
            ))
            .await
        });
        Ok(NativeService {
            stdin: host.outgoing,
            stdout: host.incoming,
            _stop: stop,
            run,
        })
    }
}

impl NativeService {
    pub fn send(&self, bytes: &[u8]) {
        self.stdin.send(bytes);
    }

    /// Fills `buf` from what the program writes; an error once it has
    /// ended without writing that much.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.stdout.read_exact(buf).await.map(drop)
    }

    /// Whether it has ended (by itself, or stopped by its limits).
    pub fn has_ended(&self) -> bool {
        self.run.is_finished()
    }
}
