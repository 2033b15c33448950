//! Compilers and natively built programs in the native sandbox: the limits
//! each runs under, and what a run's end means.

use std::time::Duration;

use anyhow::Result;

use super::BuildError;
use crate::sandbox::native::{
    DiskLimit, NativeCommand, NativeExit, NativeLimits, NativeSandbox, RunDir,
};
use crate::sandbox::{Invocation, RUN_DIR_LIMIT, Run, RunLimits, Stdio};

/// Compiler diagnostics kept for `compile_output`.
const MAX_DIAGNOSTICS: usize = 64 << 10;

/// Processes and threads a natively built program may have: a JVM starts
/// about 15 of its own; a program may start some more threads, not thousands.
const PROGRAM_THREADS: u64 = 64;

/// Compilers are large programs reading untrusted input: 10 s of CPU time,
/// 512 MiB. Like programs, they are held to CPU time; the wall clock only
/// backs it up, generously, because a loaded server stretches a compile
/// (g++ on `bits/stdc++.h` took 20 s of wall time with four builds on two
/// cores).
pub fn compile_limits() -> NativeLimits {
    NativeLimits {
        cpu_time: Duration::from_secs(10),
        wall_time: Duration::from_secs(30),
        address_space_bytes: 512 << 20,
        memory_bytes: 512 << 20,
        file_size_bytes: 64 << 20,
        // A JVM's class-data archive (javac.jsa) is the largest output.
        disk: DiskLimit {
            bytes: 256 << 20,
            entries: 4096,
        },
        open_files: 256,
        stack_bytes: 8 << 20,
        // javac's JVM has about 20 threads; g++ runs cc1plus, as and ld.
        processes: 64,
        stdout_bytes: MAX_DIAGNOSTICS,
        stderr_bytes: MAX_DIAGNOSTICS,
    }
}

/// A precompiled header is built once, ahead of compiles, and is large:
/// g++'s of `bits/stdc++.h` is about 100 MiB and takes 5 s of CPU time.
pub fn precompiled_header_limits() -> NativeLimits {
    let limits = compile_limits();
    NativeLimits {
        cpu_time: 4 * limits.cpu_time,
        wall_time: 4 * limits.wall_time,
        file_size_bytes: limits.disk.bytes,
        ..limits
    }
}

/// Runs a compiler in a fresh run directory holding `sources` (file name,
/// text): the directory, with what the compiler wrote, when it succeeded;
/// `Rejected` with what it said, or why it was stopped, otherwise.
pub async fn run_compiler(
    native: &NativeSandbox,
    sources: &[(&str, &str)],
    command: &NativeCommand,
    limits: &NativeLimits,
) -> Result<RunDir, BuildError> {
    let dir = native.run_dir()?;
    for (name, text) in sources {
        dir.write(name, text.as_bytes())?;
    }
    let run = native.run(&dir, command, Stdio::Input(&[]), limits).await?;
    if run.timed_out || matches!(run.exit, Some(NativeExit::Signal(libc::SIGXCPU))) {
        let seconds = limits.cpu_time.as_secs();
        return Err(BuildError::Rejected(format!(
            "compilation took longer than {seconds} s"
        )));
    }
    if run.exit != Some(NativeExit::Code(0)) {
        // javac prints some diagnostics on stdout.
        return Err(BuildError::Rejected(diagnostics(
            &[run.stderr, run.stdout].concat(),
        )));
    }
    Ok(dir)
}

/// What a compiler said, as kept for `compile_output`.
pub fn diagnostics(output: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(output).into_owned();
    text.truncate(text.floor_char_boundary(MAX_DIAGNOSTICS));
    text
}

/// Limits for a natively built program, from the submission's: its wall
/// time (and a second more of CPU), memory and output; few files and
/// threads. A runtime adds what it needs on top (a larger stack, a JVM).
pub fn program_limits(limits: &RunLimits) -> NativeLimits {
    NativeLimits {
        cpu_time: limits.cpu_time,
        wall_time: limits.wall_time,
        address_space_bytes: limits.memory_bytes,
        memory_bytes: limits.memory_bytes,
        file_size_bytes: 1 << 20,
        disk: RUN_DIR_LIMIT,
        open_files: 64,
        stack_bytes: 8 << 20,
        processes: PROGRAM_THREADS,
        stdout_bytes: limits.stdout_bytes,
        stderr_bytes: limits.stderr_bytes,
    }
}

/// Runs a natively built program once, in a fresh run directory holding
/// what `invocation` gives it: `command` (made for that directory, the
/// invocation's arguments added) with `stdio`, under `limits`.
/// `out_of_memory` is what its runtime prints when an allocation failed.
pub async fn run_program(
    native: &NativeSandbox,
    command: impl FnOnce(&RunDir) -> NativeCommand,
    stdio: Stdio<'_>,
    invocation: &Invocation,
    limits: &NativeLimits,
    out_of_memory: &str,
) -> Result<Run> {
    let dir = native.run_dir()?;
    dir.prepare(invocation)?;
    let mut command = command(&dir);
    command.args.extend(invocation.args.iter().map(Into::into));
    let run = native.run(&dir, &command, stdio, limits).await?;
    let out_of_memory = String::from_utf8_lossy(&run.stderr).contains(out_of_memory);
    Ok(Run {
        written: dir.written(invocation),
        ..run.into_run(limits, out_of_memory)
    })
}
