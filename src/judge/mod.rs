//! Judging: runs a submission's test cases, compares output, and turns what
//! the sandbox saw into verdicts and a summary.

mod compare;
mod limits;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use compare::{CompareMode, Comparison};
pub use limits::{LimitPolicy, Limits, RequestedLimits};

use crate::languages::{Language, Program};
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
            limits: policy.resolve(limits)?,
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
    pub exit_code: Option<i32>,
    /// Why a limit or crash ended the run, in words; absent for normal exits.
    pub message: Option<String>,
    pub execution_time_ms: f64,
    pub cpu_time_ms: f64,
    pub memory_usage_mb: f64,
    /// Wasmtime fuel consumed: the same program and input give the same count
    /// on any machine, unlike time.
    pub instructions: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total_tests: u32,
    pub passed: u32,
    pub failed: u32,
    pub all_passed: bool,
    pub pass_percentage: f64,
}

impl Summary {
    pub fn new(total_tests: u32, passed: u32) -> Self {
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
}

/// Compiles once, then runs every test case in parallel (the sandbox bounds
/// how many run at once); results keep the order of the test cases.
pub async fn judge(language: Arc<dyn Language>, submission: Submission) -> Report {
    let started = Instant::now();
    let results = match language.compile(&submission.code).await {
        Ok(program) => run_all(program, &submission).await,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "compiling a submission failed"
            );
            let message = Some(internal_message(&error));
            (1..)
                .zip(submission.test_cases.iter().cloned())
                .map(|(number, test)| unrun_result(number, test, message.clone()))
                .collect()
        }
    };
    report(results, started.elapsed())
}

async fn run_all(program: Arc<dyn Program>, submission: &Submission) -> Vec<TestResult> {
    let tasks: Vec<_> = (1..)
        .zip(submission.test_cases.iter().cloned())
        .map(|(number, test)| {
            let program = program.clone();
            let limits = submission.limits.clone();
            let comparison = submission.comparison;
            tokio::spawn(async move {
                let run = program
                    .run(test.input.as_bytes(), &limits.run_limits())
                    .await;
                judge_run(number, test, run, &limits, &comparison)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("judging a test case panicked"));
    }
    results
}

fn judge_run(
    test_number: u32,
    test: TestCase,
    run: anyhow::Result<Run>,
    limits: &Limits,
    comparison: &Comparison,
) -> TestResult {
    let run = match run {
        Ok(run) => run,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                test_number,
                "running a test case failed"
            );
            return unrun_result(test_number, test, Some(internal_message(&error)));
        }
    };
    let actual_output = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = match &run.ended {
        // Where the language itself prints it.
        Err(Stopped::SyntaxError(message)) => message.clone(),
        _ => String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    let exit_code = run.exit_code();
    let (status, message) = verdict(&run, exit_code, limits, || match &test.expected_output {
        None => true,
        Some(expected) => comparison.matches(expected, &actual_output),
    });
    TestResult {
        test_number,
        status,
        passed: status == Status::Accepted,
        input: test.input,
        expected_output: test.expected_output,
        actual_output,
        stderr,
        exit_code,
        message,
        execution_time_ms: millis(run.usage.wall_time),
        cpu_time_ms: millis(run.usage.cpu_time),
        memory_usage_mb: megabytes(run.usage.peak_memory_bytes),
        instructions: run.usage.fuel_consumed,
    }
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
                limits.instruction_limit.unwrap_or(u64::MAX)
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
        Err(Stopped::SyntaxError(_)) => (
            Status::CompilationError,
            Some("the program did not compile: see compile_output".into()),
        ),
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

/// A test case that could not be run because the host failed.
fn unrun_result(test_number: u32, test: TestCase, message: Option<String>) -> TestResult {
    TestResult {
        test_number,
        status: Status::InternalError,
        passed: false,
        input: test.input,
        expected_output: test.expected_output,
        actual_output: String::new(),
        stderr: String::new(),
        exit_code: None,
        message,
        execution_time_ms: 0.0,
        cpu_time_ms: 0.0,
        memory_usage_mb: 0.0,
        instructions: 0,
    }
}

fn report(test_results: Vec<TestResult>, elapsed: Duration) -> Report {
    // A program that does not compile fails every test the same way.
    let compile_output = test_results
        .iter()
        .find(|r| r.status == Status::CompilationError)
        .map(|r| r.stderr.clone());
    let total = test_results.len() as u32;
    let passed = test_results.iter().filter(|r| r.passed).count() as u32;
    let execution_time_ms = millis(elapsed);
    let cpu_ms: f64 = test_results.iter().map(|r| r.cpu_time_ms).sum();
    Report {
        summary: Summary::new(total, passed),
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
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / f64::from(1 << 20) * 100.0).round() / 100.0
}
