//! Judging: runs a submission's test cases, compares output, and turns what
//! the sandbox saw into verdicts and a summary.
//!
//! This file runs the test cases; what a submission is lives in
//! `submission`, what judging returns in `report`, and the rules that turn a
//! run into a verdict in `verdict`.

mod calibration;
mod compare;
mod limits;
mod question;
mod report;
mod submission;
mod verdict;

use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;
use tracing::Instrument;

pub use calibration::{
    Calibrated, CalibratedLanguage, Calibration, CalibrationSettings, calibrate,
};
pub use compare::{CompareMode, Comparison};
pub use limits::{AppliedLimits, LimitPolicy, Limits, RequestedLimits, TimeSource};
pub use question::{
    Question, QuestionSpec, QuestionTest, ReferenceSolution, StoredQuestion, check_slug,
};
pub use report::{Report, Status, Summary, TestResult, cpu_usage_percent, peak_memory_mb};
pub use submission::{MAX_TEST_CASES, Submission, TestCase, one_point};

use crate::languages::{Compiled, Language, Program};
use crate::sandbox::{Run, Stopped};
use report::{megabytes, millis};
use verdict::{COMPILE_FAILED, verdict};

/// How much program output one response (and stored execution) carries,
/// across all its test cases; each test's stdout and stderr get an equal
/// share, never less than `MIN_OUTPUT_SHARE_BYTES`. Comparison always sees
/// the whole output.
const OUTPUT_BUDGET_BYTES: usize = 8 << 20;
const MIN_OUTPUT_SHARE_BYTES: usize = 4 << 10;

/// Compiles once, then runs every test case in parallel (the sandbox bounds
/// how many run at once); results keep the order of the test cases.
pub async fn judge(language: Arc<dyn Language>, submission: Submission) -> Report {
    let started = Instant::now();
    let mut backend = None;
    let (results, compile_output) = match language.compile(&submission.code).await {
        Ok(Compiled::Ready(program)) => {
            backend = Some(program.backend().to_string());
            run_all(program, &submission).await
        }
        Ok(Compiled::Failed { output }) => {
            let results = unrun_results(&submission, Status::CompilationError, COMPILE_FAILED);
            (results, Some(output))
        }
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "compiling a submission failed"
            );
            let message = internal_message(&error);
            (
                unrun_results(&submission, Status::InternalError, &message),
                None,
            )
        }
    };
    Report::new(results, compile_output, backend, started.elapsed())
}

/// The results in test-case order, and the syntax error if the code has one.
async fn run_all(
    program: Arc<dyn Program>,
    submission: &Submission,
) -> (Vec<TestResult>, Option<String>) {
    let count = submission.test_cases.len();
    let output_share = (OUTPUT_BUDGET_BYTES / (2 * count.max(1))).max(MIN_OUTPUT_SHARE_BYTES);
    // Dropped with this future (say, the client went away): every run is aborted.
    let mut tasks = JoinSet::new();
    for (index, test) in submission.test_cases.iter().cloned().enumerate() {
        let program = program.clone();
        let limits = submission.limits.clone();
        let comparison = submission.comparison;
        // In the request's span, so its logs carry the request id.
        let judging = async move {
            let run = program
                .run(test.input.as_bytes(), &limits.run_limits())
                .await;
            let number = index as u32 + 1;
            (
                index,
                judge_run(number, test, run, &limits, &comparison, output_share),
            )
        };
        tasks.spawn(judging.in_current_span());
    }
    let mut judged = vec![None; count];
    while let Some(joined) = tasks.join_next().await {
        let (index, result) = joined.expect("judging a test case panicked");
        judged[index] = Some(result);
    }
    let mut compile_output = None;
    let results = judged
        .into_iter()
        .map(|judged| {
            let (result, syntax_error) = judged.expect("every test case is judged");
            compile_output = compile_output.take().or(syntax_error);
            result
        })
        .collect();
    (results, compile_output)
}

/// The verdict of one run, and its syntax error if it had one.
fn judge_run(
    test_number: u32,
    test: TestCase,
    run: anyhow::Result<Run>,
    limits: &Limits,
    comparison: &Comparison,
    output_share: usize,
) -> (TestResult, Option<String>) {
    let run = match run {
        Ok(run) => run,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                test_number,
                "running a test case failed"
            );
            let message = internal_message(&error);
            return (
                unrun_result(test_number, test, Status::InternalError, &message),
                None,
            );
        }
    };
    let mut actual_output = String::from_utf8_lossy(&run.stdout).into_owned();
    let mut stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let exit_code = run.exit_code();
    let (status, message) = verdict(&run, limits, || match &test.expected_output {
        None => true,
        Some(expected) => comparison.matches(expected, &actual_output),
    });
    let output_truncated = cut(&mut actual_output, output_share) | cut(&mut stderr, output_share);
    let (actual_output, stderr) = (storable(actual_output), storable(stderr));
    let message = message.map(storable);
    let syntax_error = match run.ended {
        Err(Stopped::SyntaxError(message)) => Some(message),
        _ => None,
    };
    let result = TestResult {
        test_number,
        status,
        passed: status.is_pass(),
        input: test.input,
        expected_output: test.expected_output,
        actual_output,
        stderr,
        output_truncated,
        exit_code,
        message,
        execution_time_ms: Some(millis(run.usage.wall_time)),
        cpu_time_ms: Some(millis(run.usage.cpu_time)),
        memory_usage_mb: Some(megabytes(run.usage.peak_memory_bytes)),
        instructions: Some(run.usage.fuel_consumed),
        points: test.points,
        hidden: false,
    };
    (result.hide_if(test.hidden), syntax_error)
}

/// `text` with U+0000, which a program may print but PostgreSQL cannot
/// store, shown as U+FFFD, as bytes that are not UTF-8 already are. Only
/// after the comparison, which sees what was printed.
fn storable(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary; true if it was longer.
fn cut(text: &mut String, max: usize) -> bool {
    let longer = text.len() > max;
    text.truncate(text.floor_char_boundary(max));
    longer
}

fn internal_message(error: &anyhow::Error) -> String {
    format!("internal error: {error}; the program was not judged, please retry")
}

/// Every test case of a submission that did not get to run.
fn unrun_results(submission: &Submission, status: Status, message: &str) -> Vec<TestResult> {
    (1..)
        .zip(submission.test_cases.iter().cloned())
        .map(|(number, test)| unrun_result(number, test, status, message))
        .collect()
}

/// A test case that did not get to run (compilation failed, or the host did).
fn unrun_result(test_number: u32, test: TestCase, status: Status, message: &str) -> TestResult {
    let hidden = test.hidden;
    TestResult {
        test_number,
        status,
        passed: false,
        input: test.input,
        expected_output: test.expected_output,
        actual_output: String::new(),
        stderr: String::new(),
        output_truncated: false,
        exit_code: None,
        message: Some(message.to_string()),
        execution_time_ms: Some(0.0),
        cpu_time_ms: Some(0.0),
        memory_usage_mb: Some(0.0),
        instructions: Some(0),
        points: test.points,
        hidden: false,
    }
    .hide_if(hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Usage;

    fn limits() -> Limits {
        Limits {
            time_ms: 1000,
            memory_mb: 64,
            output_kb: 64,
            stderr_kb: 64,
            instruction_limit: None,
        }
    }

    /// A run that exited with 0 after printing `stdout` to both streams.
    fn printed(stdout: &str) -> anyhow::Result<Run> {
        Ok(Run {
            ended: Ok(0),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stdout.as_bytes().to_vec(),
            usage: Usage::default(),
        })
    }

    fn judged(test: TestCase, run: anyhow::Result<Run>) -> (TestResult, Option<String>) {
        judge_run(1, test, run, &limits(), &Comparison::default(), 1 << 10)
    }

    #[test]
    fn a_playground_run_that_exits_with_0_is_accepted_whatever_it_printed() {
        let (result, _) = judged(TestCase::new(String::new(), None), printed("anything"));
        assert_eq!(result.status, Status::Accepted);
        assert_eq!(result.actual_output, "anything");
    }

    #[test]
    fn a_hidden_test_keeps_its_verdict_and_points_but_not_what_the_program_echoed() {
        let test = TestCase {
            hidden: true,
            points: 3,
            ..TestCase::new("secret".into(), Some("42".into()))
        };
        let (result, _) = judged(test, printed("secret"));
        assert_eq!((result.status, result.points), (Status::WrongAnswer, 3));
        assert!(result.hidden);
        assert_eq!(
            (result.input, result.actual_output, result.stderr),
            (String::new(), String::new(), String::new())
        );
        assert_eq!(result.expected_output, None);
    }

    #[test]
    fn a_hidden_test_does_not_tell_the_exit_status_a_program_chose() {
        let test = TestCase {
            hidden: true,
            ..TestCase::new("7".into(), Some("8".into()))
        };
        // A program could exit with a byte of the hidden input.
        let run = Run {
            ended: Ok(55),
            ..printed("").unwrap()
        };
        let (result, _) = judged(test, Ok(run));
        assert_eq!(result.status, Status::RuntimeError);
        assert_eq!((result.exit_code, result.message), (None, None));
    }

    #[test]
    fn output_is_judged_whole_but_reported_up_to_the_tests_share() {
        let long = "x".repeat(2 << 10);
        let test = TestCase::new(String::new(), Some(long.clone()));
        let (result, _) = judged(test, printed(&long));
        assert_eq!(result.status, Status::Accepted);
        assert_eq!(result.actual_output.len(), 1 << 10);
        assert!(result.output_truncated);
    }

    #[test]
    fn a_syntax_error_becomes_the_compile_output() {
        let run = Run {
            ended: Err(Stopped::SyntaxError("SyntaxError: oops".into())),
            ..printed("").unwrap()
        };
        let (result, syntax_error) = judged(TestCase::new(String::new(), None), Ok(run));
        assert_eq!(result.status, Status::CompilationError);
        assert_eq!(syntax_error.as_deref(), Some("SyntaxError: oops"));
    }

    #[test]
    fn output_is_cut_on_a_character_boundary() {
        let mut text = "héllo".to_string();
        assert!(cut(&mut text, 2), "é takes bytes 1 and 2");
        assert_eq!(text, "h");
        let mut short = "hi".to_string();
        assert!(!cut(&mut short, 2));
        assert_eq!(short, "hi");
    }
}
