//! The verdict rules: how the way a run ended becomes a status, and a
//! sentence for the student.

use super::{Limits, Status};
use crate::sandbox::{Run, Stopped};

/// The message of every test case of a program that did not compile.
pub(super) const COMPILE_FAILED: &str = "the program did not compile: see compile_output";

/// The status of a run, and a sentence for the student when the status alone
/// does not say what happened. The first row that fits the run decides:
///
/// | the run                                     | status                  | message says          |
/// |---------------------------------------------|-------------------------|-----------------------|
/// | wrote past its stdout or stderr cap         | `output_limit_exceeded` | both caps             |
/// | ran out of wall time                        | `time_limit_exceeded`   | the time limit        |
/// | ran out of fuel                             | `time_limit_exceeded`   | the instruction limit |
/// | was refused memory, and did not exit with 0 | `memory_limit_exceeded` | the memory limit      |
/// | overflowed the WebAssembly stack            | `runtime_error`         | recursion too deep    |
/// | was rejected by the interpreter             | `compilation_error`     | see compile_output    |
/// | trapped                                     | `runtime_error`         | the trap              |
/// | exited with a status other than 0           | `runtime_error`         | the status            |
/// | exited with 0, and its output matches       | `accepted`              | nothing               |
/// | exited with 0, and its output differs       | `wrong_answer`          | nothing               |
///
/// Memory comes before the crashes because running out of memory often ends
/// in one; a program that was refused memory, recovered and exited with 0 is
/// judged on its output. `output_matches` is only called for exits with 0.
pub(super) fn verdict(
    run: &Run,
    limits: &Limits,
    output_matches: impl FnOnce() -> bool,
) -> (Status, Option<String>) {
    let exit_code = run.exit_code();
    let memory_exceeded = run.usage.memory_limit_hit && exit_code != Some(0);
    match &run.ended {
        Err(Stopped::Output) => (
            Status::OutputLimitExceeded,
            Some(format!(
                "output limit exceeded: stdout is capped at {} KiB, stderr at {} KiB",
                limits.output_kb, limits.stderr_kb
            )),
        ),
        Err(Stopped::WallTime) => (
            Status::TimeLimitExceeded,
            Some(format!("time limit of {} ms exceeded", limits.time_ms)),
        ),
        Err(Stopped::Fuel) => (
            Status::TimeLimitExceeded,
            Some(format!(
                "instruction limit of {} exceeded",
                limits.instruction_limit.unwrap_or_default()
            )),
        ),
        _ if memory_exceeded => (
            Status::MemoryLimitExceeded,
            Some(format!("memory limit of {} MiB exceeded", limits.memory_mb)),
        ),
        Err(Stopped::StackOverflow) => (
            Status::RuntimeError,
            Some("stack overflow: the recursion is too deep".into()),
        ),
        Err(Stopped::SyntaxError(_)) => (Status::CompilationError, Some(COMPILE_FAILED.into())),
        Err(Stopped::Trap(trap)) => (
            Status::RuntimeError,
            Some(format!("the program crashed: {trap}")),
        ),
        Ok(_) | Err(Stopped::Exit(_)) if exit_code != Some(0) => (
            Status::RuntimeError,
            Some(format!(
                "exited with status {}",
                exit_code.unwrap_or_default()
            )),
        ),
        Ok(_) | Err(Stopped::Exit(_)) => {
            let status = if output_matches() {
                Status::Accepted
            } else {
                Status::WrongAnswer
            };
            (status, None)
        }
    }
}
