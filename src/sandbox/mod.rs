//! Isolation for untrusted programs. No HTTP and no SQL here: callers hand in
//! code, input and limits, and get back what the program did.

mod artifact;
mod command;
mod cpu_time;
mod engine;
mod function_cache;
mod guest;
mod interpreter;
mod link;
mod memory;
pub mod native;
mod output;
mod snapshot;

use std::time::Duration;

pub(crate) use artifact::write_atomically;
pub use command::{NULL_POINTER_HANDLER, WasiCommand};
pub use engine::{SandboxConfig, WasmSandbox};
pub use interpreter::Interpreter;
pub use link::{LinkEnd, OutputEnd, link};

/// A run's standard input, and where its standard output goes besides
/// the run's record of it.
#[derive(Debug)]
pub enum Stdio<'a> {
    /// All of its input, given before it starts: a test's input.
    Input(&'a [u8]),
    /// Linked to another program running at the same time (an interactive
    /// problem's interactor): it reads what that one writes, and that one
    /// reads what it writes, as it writes it.
    Linked(LinkEnd),
}

impl Stdio<'_> {
    /// Whether the run is the judge's side of a link (`link`).
    pub fn is_companion(&self) -> bool {
        matches!(self, Self::Linked(end) if end.companion)
    }
}

impl<'a> From<&'a [u8]> for Stdio<'a> {
    fn from(input: &'a [u8]) -> Self {
        Self::Input(input)
    }
}

/// What a run gets besides its stdin: arguments, and files in its working
/// directory. A submission gets none; the programs that judge one (a
/// checker) read the test's files and leave the details of their verdict.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The arguments after the program's name.
    pub args: Vec<String>,
    /// Written into the working directory before the run: a relative
    /// path, and the contents.
    pub files: Vec<(String, Vec<u8>)>,
    /// Directories made empty for the run; the plain files it leaves in
    /// them are read back (`Run::written`).
    pub output_dirs: Vec<String>,
}

impl Invocation {
    /// Whether the run needs a working directory of its own.
    pub fn needs_dir(&self) -> bool {
        !self.files.is_empty() || !self.output_dirs.is_empty()
    }
}

/// What a program given a directory may write there: enough for a
/// checker's messages and a program's scratch files, not a disk.
pub const RUN_DIR_LIMIT: native::DiskLimit = native::DiskLimit {
    bytes: 64 << 20,
    entries: 256,
};

/// How much of each file a run leaves in an output directory is read back.
pub const WRITTEN_FILE_BYTES: usize = 64 << 10;

/// What one run may use. Every field is enforced by the host, not the guest.
#[derive(Debug, Clone)]
pub struct RunLimits {
    /// The CPU time the program may use: the time limit it is judged by.
    pub cpu_time: Duration,
    /// A backstop for programs that sleep or wait instead of computing.
    pub wall_time: Duration,
    pub memory_bytes: u64,
    pub stdout_bytes: usize,
    pub stderr_bytes: usize,
    /// Wasmtime fuel; `None` meters without a limit.
    pub fuel: Option<u64>,
}

/// Why a run ended without the guest returning normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The CPU-time limit passed.
    CpuTime,
    /// The wall-clock backstop passed: the program slept or waited.
    WallTime,
    /// The fuel (instruction) limit ran out.
    Fuel,
    /// The program wrote more than its stdout or stderr cap.
    Output,
    /// The program wrote more to its (native) run directory than it may
    /// keep there: bytes or files.
    Disk { max_bytes: u64, max_entries: u64 },
    /// The WebAssembly call stack overflowed (runaway native recursion).
    StackOverflow,
    /// Any other WebAssembly trap (with wasmtime's description), or a
    /// native program's death by a signal.
    Trap(Crash),
    /// The guest ended the process itself through WASI `exit` (`os._exit(n)`).
    Exit(i32),
    /// The interpreter rejected the source before running it; the message is
    /// the language's own.
    SyntaxError(String),
}

/// How a program crashed: in words, and the signal that ended it. A
/// WebAssembly trap has no signal, but most have the one its native build
/// would have died of: clients of other judges tell crashes apart by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    pub reason: String,
    pub signal: Option<i32>,
}

impl Crash {
    /// A crash no signal stands for.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            signal: None,
        }
    }

    pub fn with_signal(reason: impl Into<String>, signal: i32) -> Self {
        Self {
            reason: reason.into(),
            signal: Some(signal),
        }
    }
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// What a run used. `memory_limit_hit` is set when the guest asked for more
/// memory than allowed and was refused, whatever it did next.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub wall_time: Duration,
    pub cpu_time: Duration,
    pub peak_memory_bytes: u64,
    pub memory_limit_hit: bool,
    pub fuel_consumed: u64,
}

/// The result of a run in a fresh instance: what the guest returned, or why
/// it was stopped, plus what it wrote and used.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit status, or why the program did not get to exit by itself.
    pub ended: Result<i32, Stopped>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub usage: Usage,
    /// The files left in the invocation's output directories (their
    /// path, at most `WRITTEN_FILE_BYTES` of each), in path order.
    pub written: Vec<(String, Vec<u8>)>,
}

impl Run {
    /// The program's exit status, however it exited; `None` if it was stopped.
    pub fn exit_code(&self) -> Option<i32> {
        match self.ended {
            Ok(code) | Err(Stopped::Exit(code)) => Some(code),
            Err(_) => None,
        }
    }
}
