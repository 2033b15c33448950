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
/// | exited with 0                               | its output decides      | (the caller's)        |
///
/// Memory comes before the crashes because running out of memory often ends
/// in one; a program that was refused memory, recovered and exited with 0 is
/// judged on its output: `None` says so, and the caller judges it (by
/// comparison or by checker).
pub(super) fn verdict(run: &Run, limits: &Limits) -> Option<(Status, Option<String>)> {
    let exit_code = run.exit_code();
    let memory_exceeded = run.usage.memory_limit_hit && exit_code != Some(0);
    Some(match &run.ended {
        Err(Stopped::Output) => (
            Status::OutputLimitExceeded,
            Some(format!(
                "output limit exceeded: stdout is capped at {} KiB, stderr at {} KiB",
                limits.output_kb, limits.stderr_kb
            )),
        ),
        Err(Stopped::Disk {
            max_bytes,
            max_entries,
        }) => (
            Status::OutputLimitExceeded,
            Some(format!(
                "output limit exceeded: the program wrote more than {} MiB or {max_entries} \
                 files to disk",
                max_bytes >> 20
            )),
        ),
        Err(Stopped::CpuTime) => (
            Status::TimeLimitExceeded,
            Some(format!(
                "time limit of {} ms (CPU time) exceeded",
                limits.time_ms
            )),
        ),
        Err(Stopped::WallTime) => (
            Status::TimeLimitExceeded,
            Some(format!(
                "still running after {} ms of wall-clock time: the program slept or \
                 waited (the time limit of {} ms counts CPU time)",
                limits.run_limits().wall_time.as_millis(),
                limits.time_ms
            )),
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
        Ok(_) | Err(Stopped::Exit(_)) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Usage;

    fn limits() -> Limits {
        Limits {
            time_ms: 1500,
            memory_mb: 128,
            output_kb: 64,
            stderr_kb: 32,
            instruction_limit: Some(1_000_000),
        }
    }

    /// A run that ended as `ended` without touching the memory limit.
    fn run(ended: Result<i32, Stopped>) -> Run {
        Run {
            ended,
            stdout: Vec::new(),
            stderr: Vec::new(),
            usage: Usage::default(),
            written: Vec::new(),
        }
    }

    /// A run that ended as `ended` after the guest was refused memory.
    fn refused_memory(ended: Result<i32, Stopped>) -> Run {
        let mut run = run(ended);
        run.usage.memory_limit_hit = true;
        run
    }

    fn trap() -> Stopped {
        Stopped::Trap(crate::sandbox::Crash::with_signal(
            "wasm trap: integer divide by zero",
            libc::SIGFPE,
        ))
    }

    /// The verdict of `run` when its output would (or would not) match.
    fn verdict_of(run: Run, output_matches: bool) -> (Status, Option<String>) {
        let judged = match output_matches {
            true => Status::Accepted,
            false => Status::WrongAnswer,
        };
        verdict(&run, &limits()).unwrap_or((judged, None))
    }

    /// The verdict of a run whose output must not even be compared.
    fn verdict_without_comparing(run: Run) -> (Status, Option<String>) {
        let judged = verdict(&run, &limits());
        judged.unwrap_or_else(|| panic!("the output of {run:?} is to be judged"))
    }

    fn with_message(status: Status, message: &str) -> (Status, Option<String>) {
        (status, Some(message.to_string()))
    }

    #[test]
    fn exiting_with_0_and_matching_output_is_accepted() {
        assert_eq!(verdict_of(run(Ok(0)), true), (Status::Accepted, None));
    }

    #[test]
    fn exiting_with_0_through_wasi_exit_and_matching_output_is_accepted() {
        let exited = run(Err(Stopped::Exit(0)));
        assert_eq!(verdict_of(exited, true), (Status::Accepted, None));
    }

    #[test]
    fn exiting_with_0_and_other_output_is_a_wrong_answer() {
        assert_eq!(verdict_of(run(Ok(0)), false), (Status::WrongAnswer, None));
        let exited = run(Err(Stopped::Exit(0)));
        assert_eq!(verdict_of(exited, false), (Status::WrongAnswer, None));
    }

    #[test]
    fn writing_past_a_cap_is_output_limit_exceeded_naming_both_caps() {
        assert_eq!(
            verdict_without_comparing(run(Err(Stopped::Output))),
            with_message(
                Status::OutputLimitExceeded,
                "output limit exceeded: stdout is capped at 64 KiB, stderr at 32 KiB"
            )
        );
    }

    #[test]
    fn running_out_of_cpu_time_is_time_limit_exceeded_naming_the_time() {
        assert_eq!(
            verdict_without_comparing(run(Err(Stopped::CpuTime))),
            with_message(
                Status::TimeLimitExceeded,
                "time limit of 1500 ms (CPU time) exceeded"
            )
        );
    }

    #[test]
    fn waiting_past_the_wall_clock_backstop_is_time_limit_exceeded_naming_both() {
        let (status, message) = verdict_without_comparing(run(Err(Stopped::WallTime)));
        assert_eq!(status, Status::TimeLimitExceeded);
        let message = message.unwrap();
        assert!(
            message.contains("5500 ms of wall-clock time") && message.contains("1500 ms"),
            "{message}"
        );
    }

    #[test]
    fn running_out_of_fuel_is_time_limit_exceeded_naming_the_instructions() {
        assert_eq!(
            verdict_without_comparing(run(Err(Stopped::Fuel))),
            with_message(
                Status::TimeLimitExceeded,
                "instruction limit of 1000000 exceeded"
            )
        );
    }

    #[test]
    fn being_refused_memory_and_failing_is_memory_limit_exceeded() {
        let memory_limit = with_message(
            Status::MemoryLimitExceeded,
            "memory limit of 128 MiB exceeded",
        );
        for ended in [Ok(1), Err(Stopped::Exit(137))] {
            assert_eq!(
                verdict_without_comparing(refused_memory(ended)),
                memory_limit
            );
        }
    }

    #[test]
    fn memory_limit_exceeded_wins_over_the_crash_it_caused() {
        for crash in [trap(), Stopped::StackOverflow] {
            assert_eq!(
                verdict_without_comparing(refused_memory(Err(crash))).0,
                Status::MemoryLimitExceeded
            );
        }
    }

    #[test]
    fn being_refused_memory_then_exiting_with_0_is_judged_on_the_output() {
        assert_eq!(
            verdict_of(refused_memory(Ok(0)), true),
            (Status::Accepted, None)
        );
        assert_eq!(
            verdict_of(refused_memory(Err(Stopped::Exit(0))), false),
            (Status::WrongAnswer, None)
        );
    }

    #[test]
    fn a_stopping_limit_wins_over_the_memory_limit() {
        let cases = [
            (Stopped::Output, Status::OutputLimitExceeded),
            (Stopped::CpuTime, Status::TimeLimitExceeded),
            (Stopped::WallTime, Status::TimeLimitExceeded),
            (Stopped::Fuel, Status::TimeLimitExceeded),
        ];
        for (stopped, status) in cases {
            assert_eq!(
                verdict_without_comparing(refused_memory(Err(stopped))).0,
                status
            );
        }
    }

    #[test]
    fn a_stack_overflow_is_a_runtime_error_blaming_the_recursion() {
        assert_eq!(
            verdict_without_comparing(run(Err(Stopped::StackOverflow))),
            with_message(
                Status::RuntimeError,
                "stack overflow: the recursion is too deep"
            )
        );
    }

    #[test]
    fn a_syntax_error_is_a_compilation_error_pointing_at_compile_output() {
        let rejected = run(Err(Stopped::SyntaxError("SyntaxError: oops".into())));
        assert_eq!(
            verdict_without_comparing(rejected),
            with_message(
                Status::CompilationError,
                "the program did not compile: see compile_output"
            )
        );
    }

    #[test]
    fn a_trap_is_a_runtime_error_quoting_the_trap() {
        assert_eq!(
            verdict_without_comparing(run(Err(trap()))),
            with_message(
                Status::RuntimeError,
                "the program crashed: wasm trap: integer divide by zero"
            )
        );
    }

    #[test]
    fn a_nonzero_exit_is_a_runtime_error_naming_the_status() {
        for ended in [Ok(3), Err(Stopped::Exit(3))] {
            assert_eq!(
                verdict_without_comparing(run(ended)),
                with_message(Status::RuntimeError, "exited with status 3")
            );
        }
    }
}
