//! What the compiled languages share: the limits compilers run under, the
//! diagnostics they may report, and how a failed build is told apart from a
//! failed host.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use super::{Compiled, Program};
use crate::sandbox::native::NativeLimits;

/// Compiler diagnostics kept for `compile_output`.
pub const MAX_DIAGNOSTICS: usize = 64 << 10;

/// Processes and threads a compiled program may have: a JVM starts about
/// 15 of its own; a program may start some more threads, not thousands.
pub const PROGRAM_THREADS: u64 = 64;

/// Compilers are large programs reading untrusted input: 10 s, 512 MiB.
pub fn limits() -> NativeLimits {
    NativeLimits {
        wall_time: Duration::from_secs(10),
        cpu_seconds: 10,
        address_space_bytes: 512 << 20,
        memory_bytes: 512 << 20,
        file_size_bytes: 64 << 20,
        open_files: 256,
        stack_bytes: 8 << 20,
        // javac's JVM has about 20 threads; g++ runs cc1plus, as and ld.
        processes: 64,
        stdout_bytes: MAX_DIAGNOSTICS,
        stderr_bytes: MAX_DIAGNOSTICS,
    }
}

/// What the compiler printed, cut to what `compile_output` keeps.
pub fn diagnostics(output: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(output).into_owned();
    text.truncate(text.floor_char_boundary(MAX_DIAGNOSTICS));
    text
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the compiler rejected the program")]
    Rejected(String),
    #[error(transparent)]
    Host(#[from] anyhow::Error),
}

/// A build's outcome as `Language::compile` reports it (builds are shared
/// through a cache, hence the `Arc`).
pub fn compiled(built: Result<Arc<dyn Program>, Arc<BuildError>>) -> Result<Compiled> {
    match built {
        Ok(program) => Ok(Compiled::Ready(program)),
        Err(error) => match error.as_ref() {
            BuildError::Rejected(output) => Ok(Compiled::Failed {
                output: output.clone(),
            }),
            BuildError::Host(error) => Err(anyhow::anyhow!("{error:#}")),
        },
    }
}

/// Builds once what speeds every compile up (a precompiled header, a
/// class-data-sharing archive) and keeps it in `cell`. Without it compiles
/// still work, only slower, so a failure is a warning.
pub async fn prepare_once(
    cell: &tokio::sync::OnceCell<Option<PathBuf>>,
    what: &str,
    build: impl Future<Output = Result<PathBuf>>,
) {
    let ready = cell
        .get_or_init(async || match build.await {
            Ok(path) => Some(path),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "cannot make {what}");
                None
            }
        })
        .await;
    if let Some(path) = ready {
        tracing::info!(path = %path.display(), "{what} ready");
    }
}
