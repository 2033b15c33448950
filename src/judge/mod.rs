//! Judging: runs a submission's test cases, compares output, and turns what
//! the sandbox saw into verdicts and a summary.
//!
//! This file runs the test cases; what a submission is lives in
//! `submission`, what judging returns in `report`, and the rules that turn a
//! run into a verdict in `verdict`.

mod calibration;
mod checker;
mod compare;
mod groups;
mod interaction;
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
pub use checker::{CHECKER_LANGUAGES, Checker, CheckerProtocol, CheckerSpec};
pub use compare::{CompareMode, Comparison};
pub use groups::{GroupScore, GroupScoring, TestGroup, check_groups};
pub use interaction::Interactor;
pub use limits::{AppliedLimits, LimitPolicy, Limits, MIN_MEMORY_MB, RequestedLimits, TimeSource};
pub use question::{
    Question, QuestionSpec, QuestionTest, ReferenceSolution, StatementImage, StoredQuestion,
    Verification, check_slug, image_type,
};
pub use report::{
    Report, Status, Summary, TestResult, cpu_usage_percent, peak_memory_mb, signal_number,
};
pub use submission::{Given, MAX_TEST_CASES, NonUtf8Output, Submission, TestCase, one_point};

use crate::languages::{Compiled, Language, Program, Source};
use crate::sandbox::{Invocation, Run, Stopped};
use checker::Checked;
use report::{megabytes, millis, signal_name};
use verdict::{COMPILE_FAILED, verdict};

/// How much program output one response (and stored execution) carries,
/// across all its test cases; each test's stdout and stderr get an equal
/// share, never less than `MIN_OUTPUT_SHARE_BYTES`. Comparison always sees
/// the whole output.
const OUTPUT_BUDGET_BYTES: usize = 8 << 20;
const MIN_OUTPUT_SHARE_BYTES: usize = 4 << 10;

/// Compiles once, then runs every test case in parallel (the sandbox bounds
/// how many run at once); results keep the order of the test cases. A
/// group that stops at its first failure runs its tests one by one.
pub async fn judge(language: Arc<dyn Language>, submission: Submission) -> Report {
    let started = Instant::now();
    let mut backend = None;
    let files = submission.source_files();
    let source = Source {
        code: &submission.code,
        files: &files,
        flags: submission.compile_flags(),
    };
    let (mut results, compile_output) = match language.compile_source(source).await {
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
    groups::apply(&submission.groups, &mut results);
    Report::new(results, compile_output, backend, started.elapsed())
}

/// The results in test-case order, and the syntax error if the code has one.
async fn run_all(
    program: Arc<dyn Program>,
    submission: &Submission,
) -> (Vec<TestResult>, Option<String>) {
    let count = submission.test_cases.len();
    let output_share = (OUTPUT_BUDGET_BYTES / (2 * count.max(1))).max(MIN_OUTPUT_SHARE_BYTES);
    let judging = Arc::new(Judging {
        program,
        limits: submission.limits.clone(),
        comparison: submission.comparison,
        checker: submission.checker.clone(),
        non_utf8_output: submission.non_utf8_output,
        interactor: submission.interactor.clone(),
        invocation: submission.invocation(),
        output_share,
    });
    // Dropped with this future (say, the client went away): every run is aborted.
    let mut tasks = JoinSet::new();
    for unit in units(submission) {
        let judging = judging.clone();
        // In the request's span, so its logs carry the request id.
        let judged = async move {
            let mut judged = Vec::with_capacity(unit.len());
            let mut failed = false;
            for (index, test) in unit.tests {
                let number = index as u32 + 1;
                let result = if failed {
                    (skipped(number, test), None)
                } else {
                    judging.judge_test(number, test).await
                };
                failed |= unit.stops_at_first_failure && !result.0.passed;
                judged.push((index, result));
            }
            judged
        };
        tasks.spawn(judged.in_current_span());
    }
    let mut judged = vec![None; count];
    while let Some(joined) = tasks.join_next().await {
        for (index, result) in joined.expect("judging a test case panicked") {
            judged[index] = Some(result);
        }
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

/// Tests judged one after another: a group that stops at its first
/// failure, or a test of its own.
struct Unit {
    tests: Vec<(usize, TestCase)>,
    stops_at_first_failure: bool,
}

impl Unit {
    fn len(&self) -> usize {
        self.tests.len()
    }
}

/// The submission's tests as units to judge in parallel, each test by its
/// index among all.
fn units(submission: &Submission) -> Vec<Unit> {
    if submission.stop_at_first_failure {
        return vec![Unit {
            tests: submission.test_cases.iter().cloned().enumerate().collect(),
            stops_at_first_failure: true,
        }];
    }
    let stopping = |test: &TestCase| {
        let group = test.group.as_deref()?;
        (submission.groups.iter()).find(|g| g.name == group && g.stop_at_first_failure)
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut group_units: Vec<(&str, usize)> = Vec::new();
    for (index, test) in submission.test_cases.iter().cloned().enumerate() {
        let Some(group) = stopping(&test) else {
            units.push(Unit {
                tests: vec![(index, test)],
                stops_at_first_failure: false,
            });
            continue;
        };
        match group_units.iter().find(|(name, _)| *name == group.name) {
            Some(&(_, unit)) => units[unit].tests.push((index, test)),
            None => {
                group_units.push((&group.name, units.len()));
                units.push(Unit {
                    tests: vec![(index, test)],
                    stops_at_first_failure: true,
                });
            }
        }
    }
    units
}

/// What judging each test of a submission needs.
struct Judging {
    program: Arc<dyn Program>,
    limits: Limits,
    comparison: Comparison,
    checker: Option<Checker>,
    non_utf8_output: NonUtf8Output,
    interactor: Option<Interactor>,
    /// The program's arguments and files, for every test.
    invocation: Invocation,
    output_share: usize,
}

impl Judging {
    /// The result of one test, and its syntax error if the program had one.
    async fn judge_test(&self, number: u32, test: TestCase) -> (TestResult, Option<String>) {
        let judged = match &self.interactor {
            Some(interactor) => {
                let checker = self.checker.as_ref();
                (interactor.judge(self.program.as_ref(), &test, &self.limits, checker)).await
            }
            None => self.run_and_judge(&test).await,
        };
        let (run, judged) = match judged {
            Ok(judged) => judged,
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    test_number = number,
                    "running a test case failed"
                );
                let message = internal_message(&error);
                return (
                    unrun_result(number, test, Status::InternalError, &message),
                    None,
                );
            }
        };
        let result = self.result(number, test, &run, judged);
        let syntax_error = match run.ended {
            Err(Stopped::SyntaxError(message)) => Some(message),
            _ => None,
        };
        (result, syntax_error)
    }

    /// Runs the program on `test`'s input, and judges how it ended and
    /// what it printed. `Err` is a host failure.
    async fn run_and_judge(&self, test: &TestCase) -> anyhow::Result<(Run, Checked)> {
        let (invocation, limits) = (&self.invocation, self.limits.run_limits());
        let input = test.input.as_bytes().into();
        let run = self.program.run(input, invocation, &limits).await?;
        let judged = match verdict(&run, &self.limits) {
            Some((status, message)) => Checked {
                status,
                score: 0,
                message,
                judge_message: None,
            },
            None => self.judge_output(test, &run.stdout).await,
        };
        Ok((run, judged))
    }

    /// The verdict on what a program that exited with 0 printed.
    async fn judge_output(&self, test: &TestCase, output: &[u8]) -> Checked {
        let (status, message) = match (&test.expected_output, &self.checker) {
            (None, _) => (Status::Accepted, None),
            (Some(expected), Some(checker)) => {
                return checker
                    .check(&test.input, expected, output, test.points)
                    .await;
            }
            (Some(expected), None) => {
                let output = String::from_utf8_lossy(output);
                if self.comparison.matches(expected, &output) {
                    (Status::Accepted, None)
                } else {
                    (Status::WrongAnswer, None)
                }
            }
        };
        let score = if status.is_pass() { test.points } else { 0 };
        Checked {
            status,
            score,
            message,
            judge_message: None,
        }
    }

    fn result(&self, test_number: u32, test: TestCase, run: &Run, judged: Checked) -> TestResult {
        let mut actual_output = self.non_utf8_output.decode(&run.stdout);
        let mut stderr = self.non_utf8_output.decode(&run.stderr);
        let share = self.output_share;
        let output_truncated = cut(&mut actual_output, share) | cut(&mut stderr, share);
        let result = TestResult {
            test_number,
            status: judged.status,
            passed: judged.status.is_pass(),
            input: test.input,
            expected_output: test.expected_output,
            actual_output: storable(actual_output),
            stderr: storable(stderr),
            output_truncated,
            exit_code: run.exit_code(),
            signal: match &run.ended {
                Err(Stopped::Trap(crash)) => crash.signal.map(signal_name),
                _ => None,
            },
            message: judged.message.map(storable),
            execution_time_ms: Some(millis(run.usage.wall_time)),
            cpu_time_ms: Some(millis(run.usage.cpu_time)),
            memory_usage_mb: Some(megabytes(run.usage.peak_memory_bytes)),
            instructions: Some(run.usage.fuel_consumed),
            points: test.points,
            score: judged.score,
            group: test.group,
            judge_message: judged.judge_message.map(storable),
            hidden: false,
        };
        result.hide_if(test.hidden)
    }
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
        input: test.input,
        expected_output: test.expected_output,
        points: test.points,
        group: test.group,
        ..TestResult::unrun(test_number, status, message.to_string())
    }
    .hide_if(hidden)
}

/// A test its group skipped after an earlier one failed.
fn skipped(test_number: u32, test: TestCase) -> TestResult {
    let message = "not run: an earlier test of its group failed";
    unrun_result(test_number, test, Status::Skipped, message)
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
            written: Vec::new(),
        })
    }

    /// A program whose every run ends as the one it was made with.
    struct Canned(Run);

    #[async_trait::async_trait]
    impl Program for Canned {
        fn backend(&self) -> &'static str {
            "wasm"
        }

        async fn run(
            &self,
            _: crate::sandbox::Stdio<'_>,
            _: &Invocation,
            _: &crate::sandbox::RunLimits,
        ) -> anyhow::Result<Run> {
            Ok(self.0.clone())
        }
    }

    fn judged(test: TestCase, run: anyhow::Result<Run>) -> (TestResult, Option<String>) {
        let judging = Judging {
            program: Arc::new(Canned(run.unwrap())),
            limits: limits(),
            comparison: Comparison::default(),
            checker: None,
            non_utf8_output: NonUtf8Output::default(),
            interactor: None,
            invocation: Invocation::default(),
            output_share: 1 << 10,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(judging.judge_test(1, test))
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
    fn output_that_is_not_utf8_is_replaced_or_escaped_as_jobe_escapes_it() {
        let printed = b"Hello world\n\x01\x06\xc0\xc9\n";
        assert_eq!(
            NonUtf8Output::Replaced.decode(printed),
            "Hello world\n\u{1}\u{6}\u{FFFD}\u{FFFD}\n"
        );
        // Jobe's own test of its escaping.
        assert_eq!(
            NonUtf8Output::Escaped.decode(printed),
            "Hello world\n\\x01\\x06\\xc0\\xc9\n"
        );
        assert_eq!(NonUtf8Output::Escaped.decode("é\n".as_bytes()), "é\n");
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
