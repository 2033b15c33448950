//! What a native run is given (a command and its limits) and what it
//! reports back.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::sandbox::{Crash, Run, Stopped, Usage};

/// What one native run may use.
#[derive(Debug, Clone)]
pub struct NativeLimits {
    /// The CPU time of the program and its threads: checked when it ends,
    /// and enforced while it runs by RLIMIT_CPU at the next whole second
    /// (SIGXCPU, then SIGKILL a second later).
    pub cpu_time: Duration,
    /// A backstop for programs that sleep or wait.
    pub wall_time: Duration,
    /// RLIMIT_AS: the address space, which bounds memory everywhere.
    pub address_space_bytes: u64,
    /// The cgroup memory limit (resident memory and page cache), where
    /// cgroups are available; the OOM killer enforces it.
    pub memory_bytes: u64,
    /// RLIMIT_FSIZE: the largest file the program may write.
    pub file_size_bytes: u64,
    /// What the run directory may hold in all, in bytes allocated and in
    /// entries (files, directories, links): checked while it runs, since
    /// RLIMIT_FSIZE bounds each file but not how many there are.
    pub disk: DiskLimit,
    pub open_files: u64,
    pub stack_bytes: u64,
    /// Processes and threads: RLIMIT_NPROC of the run's uid, and the
    /// cgroup pids limit.
    pub processes: u64,
    pub stdout_bytes: usize,
    pub stderr_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskLimit {
    pub bytes: u64,
    pub entries: u64,
}

/// A program to run in a run directory.
#[derive(Debug, Clone, Default)]
pub struct NativeCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Added to a minimal environment (PATH, HOME and TMPDIR in the run directory).
    pub env: Vec<(String, String)>,
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
    /// The run directory outgrew `NativeLimits::disk`.
    pub disk_exceeded: bool,
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
    /// The run under `limits` as the judge sees every run. A native process
    /// meters no fuel; `memory_limit_hit` adds what only the caller can tell
    /// (e.g. from the JVM's error) to the cgroup's OOM kill.
    pub fn into_run(self, limits: &NativeLimits, memory_limit_hit: bool) -> Run {
        let ended = match self.exit {
            _ if self.output_exceeded => Err(Stopped::Output),
            _ if self.disk_exceeded => Err(Stopped::Disk {
                max_bytes: limits.disk.bytes,
                max_entries: limits.disk.entries,
            }),
            _ if self.timed_out => Err(Stopped::WallTime),
            // RLIMIT_CPU sends SIGXCPU at the soft limit. The kernel counts
            // every thread (a JVM's JIT and GC too) and samples at ticks, so
            // the CPU time read after the exit may fall a little short of
            // the limit: the signal itself says the time ran out.
            Some(NativeExit::Signal(libc::SIGXCPU)) => Err(Stopped::CpuTime),
            // SIGKILL at RLIMIT_CPU's hard limit, a second later.
            Some(NativeExit::Signal(libc::SIGKILL)) if self.cpu_time >= limits.cpu_time => {
                Err(Stopped::CpuTime)
            }
            _ if self.cpu_time > limits.cpu_time => Err(Stopped::CpuTime),
            // What a WebAssembly build reports as a null pointer dereference.
            Some(NativeExit::Signal(libc::SIGSEGV)) => Err(Stopped::Trap(Crash::with_signal(
                "segmentation fault (signal 11): an invalid memory access, such as \
                 through a null pointer",
                libc::SIGSEGV,
            ))),
            Some(NativeExit::Signal(signal)) => Err(Stopped::Trap(Crash::with_signal(
                format!("killed by signal {signal}"),
                signal,
            ))),
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
            written: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(cpu_ms: u64) -> NativeLimits {
        NativeLimits {
            cpu_time: Duration::from_millis(cpu_ms),
            wall_time: Duration::from_millis(3 * cpu_ms),
            address_space_bytes: 1 << 30,
            memory_bytes: 1 << 28,
            file_size_bytes: 1 << 20,
            disk: DiskLimit {
                bytes: 1 << 20,
                entries: 16,
            },
            open_files: 64,
            stack_bytes: 1 << 23,
            processes: 16,
            stdout_bytes: 1 << 20,
            stderr_bytes: 1 << 20,
        }
    }

    fn ended(exit: NativeExit, cpu_ms: u64) -> Result<i32, Stopped> {
        let run = NativeRun {
            exit: Some(exit),
            timed_out: false,
            output_exceeded: false,
            disk_exceeded: false,
            out_of_memory: false,
            stdout: Vec::new(),
            stderr: Vec::new(),
            wall_time: Duration::from_millis(cpu_ms),
            cpu_time: Duration::from_millis(cpu_ms),
            peak_memory_bytes: 0,
        };
        run.into_run(&limits(2000), false).ended
    }

    #[test]
    fn sigxcpu_is_the_cpu_time_limit_even_when_the_time_read_falls_short() {
        // A JVM's threads: RLIMIT_CPU fired, the rusage read says 1946 ms.
        let stopped = ended(NativeExit::Signal(libc::SIGXCPU), 1946);
        assert!(matches!(stopped, Err(Stopped::CpuTime)), "{stopped:?}");
    }

    #[test]
    fn a_program_killed_before_its_limit_crashed() {
        let stopped = ended(NativeExit::Signal(libc::SIGKILL), 300);
        assert!(matches!(stopped, Err(Stopped::Trap(_))), "{stopped:?}");
        let stopped = ended(NativeExit::Signal(libc::SIGKILL), 2100);
        assert!(matches!(stopped, Err(Stopped::CpuTime)), "{stopped:?}");
    }
}
