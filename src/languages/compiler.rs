//! What the compiled languages share: the limits compilers run under, the
//! diagnostics they may report, and how a failed build is told apart from a
//! failed host.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use super::{Compiled, Program};
use crate::sandbox::native::NativeLimits;

/// Compiler diagnostics kept for `compile_output`.
pub const MAX_DIAGNOSTICS: usize = 64 << 10;

/// Compilers are large programs reading untrusted input: 10 s, 512 MiB.
pub fn limits() -> NativeLimits {
    NativeLimits {
        wall_time: Duration::from_secs(10),
        cpu_seconds: 10,
        address_space_bytes: 512 << 20,
        file_size_bytes: 64 << 20,
        open_files: 256,
        stack_bytes: 8 << 20,
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
