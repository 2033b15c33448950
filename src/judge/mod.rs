//! Judging: runs a submission's test cases, compares output, and turns what
//! the sandbox saw into verdicts and a summary.

mod compare;
mod limits;
mod question;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use serde::{Deserialize, Serialize};

pub use compare::{CompareMode, Comparison};
pub use limits::{LimitPolicy, Limits, RequestedLimits};
pub use question::{Question, QuestionSpec, QuestionTest};

use crate::languages::{Compiled, Language, Program};
use crate::sandbox::{Run, Stopped};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    WrongAnswer,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    RuntimeError,
    CompilationError,
    InternalError,
}

impl Status {
    pub fn is_pass(self) -> bool {
        self == Status::Accepted
    }
}

/// The serde name, e.g. `wrong_answer`.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.serialize(f)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    #[serde(default)]
    pub input: String,
    /// `None` runs the program without judging its output (a playground run):
    /// it is accepted if it exits normally.
    pub expected_output: Option<String>,
    /// A question's hidden test: its result never shows the input, the
    /// expected output or what the program printed. Not settable by requests.
    #[serde(skip)]
    pub hidden: bool,
    /// What passing it adds to the score.
    #[serde(skip, default = "one_point")]
    pub points: u32,
}

/// What a test is worth unless it says otherwise.
pub fn one_point() -> u32 {
    1
}

impl TestCase {
    /// A visible test worth one point.
    pub fn new(input: String, expected_output: Option<String>) -> Self {
        Self {
            input,
            expected_output,
            hidden: false,
            points: 1,
        }
    }
}

/// Most test cases one submission may carry.
pub const MAX_TEST_CASES: usize = 100;

/// A validated submission: build it with `Submission::new`.
#[derive(Debug, Clone)]
pub struct Submission {
    pub code: String,
    pub test_cases: Vec<TestCase>,
    pub limits: Limits,
    pub comparison: Comparison,
}

impl Submission {
    /// Checks what every way in (HTTP, CLI) must check; the error says what is wrong.
    pub fn new(
        code: String,
        test_cases: Vec<TestCase>,
        limits: &RequestedLimits,
        comparison: Comparison,
        policy: &LimitPolicy,
    ) -> Result<Self, String> {
        let limits = policy.resolve(limits)?;
        Self::with_limits(code, test_cases, limits, comparison)
    }

    /// The same checks, with limits already resolved (a question's).
    pub fn with_limits(
        code: String,
        test_cases: Vec<TestCase>,
        limits: Limits,
        comparison: Comparison,
    ) -> Result<Self, String> {
        if code.trim().is_empty() {
            return Err("code must not be empty".into());
        }
        if test_cases.is_empty() {
            return Err("test_cases must not be empty: give at least one test case".into());
        }
        if test_cases.len() > MAX_TEST_CASES {
            return Err(format!(
                "at most {MAX_TEST_CASES} test cases per submission, got {}",
                test_cases.len()
            ));
        }
        comparison.validate()?;
        Ok(Self {
            code,
            test_cases,
            limits,
            comparison,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    pub test_number: u32,
    pub status: Status,
    pub passed: bool,
    pub input: String,
    pub expected_output: Option<String>,
    pub actual_output: String,
    pub stderr: String,
    /// `actual_output` or `stderr` was cut to this test's share of the
    /// response; the comparison used the whole output.
    pub output_truncated: bool,
    pub exit_code: Option<i32>,
    /// Why a limit or crash ended the run, in words; absent for normal exits.
    pub message: Option<String>,
    pub execution_time_ms: f64,
    pub cpu_time_ms: f64,
    pub memory_usage_mb: f64,
    /// Wasmtime fuel consumed: the same program and input give the same count
    /// on any machine, unlike time.
    pub instructions: u64,
    /// What passing this test adds to the score.
    pub points: u32,
    /// A hidden test: input, expected output, output and stderr are withheld.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl TestResult {
    /// Withholds what would reveal a hidden test: its data, and what the
    /// program printed (which could echo the input).
    fn hide_if(mut self, hidden: bool) -> Self {
        if hidden {
            self.hidden = true;
            self.input = String::new();
            self.expected_output = None;
            self.actual_output = String::new();
            self.stderr = String::new();
            self.output_truncated = false;
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total_tests: u32,
    pub passed: u32,
    pub failed: u32,
    pub all_passed: bool,
    pub pass_percentage: f64,
    /// The points of the passed tests, out of `max_score`.
    pub score: u32,
    pub max_score: u32,
}

impl Summary {
    pub fn of(results: &[TestResult]) -> Self {
        let total_tests = results.len() as u32;
        let passed = results.iter().filter(|r| r.passed).count() as u32;
        let points = |passed_only: bool| {
            results
                .iter()
                .filter(|r| r.passed || !passed_only)
                .map(|r| r.points)
                .sum()
        };
        let pass_percentage = if total_tests == 0 {
            0.0
        } else {
            (f64::from(passed) * 1000.0 / f64::from(total_tests)).round() / 10.0
        };
        Self {
            total_tests,
            passed,
            failed: total_tests - passed,
            all_passed: passed == total_tests,
            pass_percentage,
            score: points(true),
            max_score: points(false),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub summary: Summary,
    pub test_results: Vec<TestResult>,
    /// The compiler's (or parser's) complaint when the code was rejected.
    pub compile_output: Option<String>,
    pub execution_time_ms: f64,
    /// CPU time over wall time for the whole submission; above 100 when test
    /// cases ran in parallel.
    pub cpu_usage_percent: f64,
    pub memory_usage_mb: f64,
    /// Where the program ran (`wasm` or `native`), once it compiled.
    pub backend: Option<String>,
}

/// How much program output one response (and stored execution) carries,
/// across all its test cases; each test's stdout and stderr get an equal
/// share, never less than `MIN_OUTPUT_SHARE_BYTES`. Comparison always sees
/// the whole output.
const OUTPUT_BUDGET_BYTES: usize = 8 << 20;
const MIN_OUTPUT_SHARE_BYTES: usize = 4 << 10;

const COMPILE_FAILED: &str = "the program did not compile: see compile_output";

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
    report(results, compile_output, backend, started.elapsed())
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
        tasks.spawn(async move {
            let run = program
                .run(test.input.as_bytes(), &limits.run_limits())
                .await;
            let number = index as u32 + 1;
            (
                index,
                judge_run(number, test, run, &limits, &comparison, output_share),
            )
        });
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
    let (status, message) = verdict(&run, exit_code, limits, || match &test.expected_output {
        None => true,
        Some(expected) => comparison.matches(expected, &actual_output),
    });
    let output_truncated = cut(&mut actual_output, output_share) | cut(&mut stderr, output_share);
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
        execution_time_ms: millis(run.usage.wall_time),
        cpu_time_ms: millis(run.usage.cpu_time),
        memory_usage_mb: megabytes(run.usage.peak_memory_bytes),
        instructions: run.usage.fuel_consumed,
        points: test.points,
        hidden: false,
    };
    (result.hide_if(test.hidden), syntax_error)
}

/// Cuts `text` to at most `max` bytes on a character boundary; true if it was longer.
fn cut(text: &mut String, max: usize) -> bool {
    let longer = text.len() > max;
    text.truncate(text.floor_char_boundary(max));
    longer
}

/// The status of a run, and a sentence for the student when the status alone
/// does not say what happened.
fn verdict(
    run: &Run,
    exit_code: Option<i32>,
    limits: &Limits,
    output_matches: impl FnOnce() -> bool,
) -> (Status, Option<String>) {
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
        // Checked before crashes: running out of memory often ends in one.
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
        execution_time_ms: 0.0,
        cpu_time_ms: 0.0,
        memory_usage_mb: 0.0,
        instructions: 0,
        points: test.points,
        hidden: false,
    }
    .hide_if(hidden)
}

fn report(
    test_results: Vec<TestResult>,
    compile_output: Option<String>,
    backend: Option<String>,
    elapsed: Duration,
) -> Report {
    let execution_time_ms = millis(elapsed);
    let cpu_ms: f64 = test_results.iter().map(|r| r.cpu_time_ms).sum();
    Report {
        summary: Summary::of(&test_results),
        memory_usage_mb: test_results
            .iter()
            .map(|r| r.memory_usage_mb)
            .fold(0.0, f64::max),
        cpu_usage_percent: if execution_time_ms > 0.0 {
            (cpu_ms * 1000.0 / execution_time_ms).round() / 10.0
        } else {
            0.0
        },
        execution_time_ms,
        compile_output,
        test_results,
        backend,
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / f64::from(1 << 20) * 100.0).round() / 100.0
}
