//! What judging returns: a status and result per test case, the summary
//! that scores them, and the report around both.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::groups::{GroupScore, group_scores};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    /// A checker gave some of the test's points, not all.
    PartiallyAccepted,
    WrongAnswer,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    RuntimeError,
    CompilationError,
    InternalError,
    /// Not run: an earlier test of its group failed, and the group stops
    /// at its first failure.
    Skipped,
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

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The signal that ended a crashed program, e.g. `SIGSEGV`; for a
    /// WebAssembly trap, the one its native build would have died of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// Why a limit or crash ended the run, in words; absent for normal exits.
    pub message: Option<String>,
    /// The figures are null in a hidden test's result as students read it
    /// (`TestResult::withhold_judging_details`).
    pub execution_time_ms: Option<f64>,
    pub cpu_time_ms: Option<f64>,
    pub memory_usage_mb: Option<f64>,
    /// Wasmtime fuel consumed: the same program and input give the same count
    /// on any machine, unlike time.
    pub instructions: Option<u64>,
    /// What passing this test adds to the score.
    pub points: u32,
    /// What it did add: `points` when it passed, part of them when a
    /// checker gave partial points, after its group's rule.
    #[serde(default)]
    pub score: u32,
    /// The test group it belongs to, if the question has groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What the checker said to the judges, or how it failed: for the
    /// teacher only (`withhold_judging_details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_message: Option<String>,
    /// A hidden test: input, expected output, output and stderr are withheld.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// The signals programs die of, by number and name.
const SIGNALS: [(i32, &str); 11] = [
    (libc::SIGABRT, "SIGABRT"),
    (libc::SIGBUS, "SIGBUS"),
    (libc::SIGFPE, "SIGFPE"),
    (libc::SIGILL, "SIGILL"),
    (libc::SIGKILL, "SIGKILL"),
    (libc::SIGPIPE, "SIGPIPE"),
    (libc::SIGSEGV, "SIGSEGV"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGTRAP, "SIGTRAP"),
    (libc::SIGXCPU, "SIGXCPU"),
    (libc::SIGXFSZ, "SIGXFSZ"),
];

/// `SIGSEGV` for 11, as people read signals (`SIG40` for one unnamed).
pub(super) fn signal_name(signal: i32) -> String {
    (SIGNALS.iter().find(|(number, _)| *number == signal))
        .map_or_else(|| format!("SIG{signal}"), |(_, name)| name.to_string())
}

/// 11 for `SIGSEGV`: `signal_name` read back.
pub fn signal_number(name: &str) -> Option<i32> {
    let named = SIGNALS.iter().find(|(_, known)| *known == name);
    named
        .map(|(number, _)| *number)
        .or_else(|| name.strip_prefix("SIG")?.parse().ok())
}

impl TestResult {
    /// The result of test `test_number` that did not run, worth nothing,
    /// with no data: the caller adds the test's.
    pub(super) fn unrun(test_number: u32, status: Status, message: String) -> Self {
        Self {
            test_number,
            status,
            passed: false,
            input: String::new(),
            expected_output: None,
            actual_output: String::new(),
            stderr: String::new(),
            output_truncated: false,
            exit_code: None,
            signal: None,
            message: Some(message),
            execution_time_ms: Some(0.0),
            cpu_time_ms: Some(0.0),
            memory_usage_mb: Some(0.0),
            instructions: Some(0),
            points: 0,
            score: 0,
            group: None,
            judge_message: None,
            hidden: false,
        }
    }

    /// Withholds what would reveal a hidden test: its data, and anything
    /// the program chose (what it printed, its exit status, a message that
    /// quotes them), which could carry the input out bit by bit. Its
    /// verdict, time and memory stay.
    pub(super) fn hide_if(mut self, hidden: bool) -> Self {
        if hidden {
            self.hidden = true;
            self.input = String::new();
            self.expected_output = None;
            self.actual_output = String::new();
            self.stderr = String::new();
            self.output_truncated = false;
            self.exit_code = None;
            self.signal = None;
            self.message = None;
        }
        self
    }
}

impl TestResult {
    /// Withholds what is for the teacher: what a checker told the judges,
    /// and a hidden test's figures, which those who may not see its data
    /// must not see either: an exact instruction count, the memory, even
    /// the CPU time can be made to spell out the input (loop `input[i]`
    /// times, allocate `input[i]` megabytes). A visible test keeps them.
    pub fn withhold_judging_details(mut self) -> Self {
        self.judge_message = None;
        if self.hidden {
            self.execution_time_ms = None;
            self.cpu_time_ms = None;
            self.memory_usage_mb = None;
            self.instructions = None;
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    pub total_tests: u32,
    pub passed: u32,
    pub failed: u32,
    pub all_passed: bool,
    pub pass_percentage: f64,
    /// The points the tests earned, out of `max_score`.
    pub score: u32,
    pub max_score: u32,
    /// Each test group's part of the score, if the tests have groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupScore>,
}

impl Summary {
    pub fn of(results: &[TestResult]) -> Self {
        let total_tests = results.len() as u32;
        let passed = results.iter().filter(|r| r.passed).count() as u32;

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
            score: results.iter().map(|r| r.score).sum(),
            max_score: results.iter().map(|r| r.points).sum(),
            groups: group_scores(results),
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

impl Report {
    /// The report of a submission whose judging took `elapsed`.
    pub(super) fn new(
        test_results: Vec<TestResult>,
        compile_output: Option<String>,
        backend: Option<String>,
        elapsed: Duration,
    ) -> Self {
        let execution_time_ms = millis(elapsed);
        Self {
            summary: Summary::of(&test_results),
            memory_usage_mb: peak_memory_mb(&test_results),
            cpu_usage_percent: cpu_usage_percent(&test_results, execution_time_ms),
            execution_time_ms,
            compile_output,
            test_results,
            backend,
        }
    }

    /// The submission's verdict: the status of its first test that did not
    /// pass, or `Accepted` when all did.
    pub fn verdict(&self) -> Status {
        (self.test_results.iter())
            .find(|result| !result.passed)
            .map_or(Status::Accepted, |result| result.status)
    }
}

/// The most memory any of `results` used, of those that show it.
pub fn peak_memory_mb(results: &[TestResult]) -> f64 {
    (results.iter())
        .filter_map(|r| r.memory_usage_mb)
        .fold(0.0, f64::max)
}

/// The CPU time `results` show over `wall_ms`, as a percentage.
pub fn cpu_usage_percent(results: &[TestResult], wall_ms: f64) -> f64 {
    let cpu_ms: f64 = results.iter().filter_map(|r| r.cpu_time_ms).sum();
    if wall_ms > 0.0 {
        (cpu_ms * 1000.0 / wall_ms).round() / 10.0
    } else {
        0.0
    }
}

/// A duration as results state it: milliseconds, to the microsecond.
pub(super) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

/// A size as results state it: MiB, to two decimals.
pub(super) fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / f64::from(1 << 20) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A visible test's result that shows everything a hidden one withholds.
    fn result(passed: bool, points: u32) -> TestResult {
        let status = if passed {
            Status::Accepted
        } else {
            Status::WrongAnswer
        };
        TestResult {
            test_number: 1,
            status,
            passed,
            input: "1 2".into(),
            expected_output: Some("3".into()),
            actual_output: "1 2\n".into(),
            stderr: "echo 1 2".into(),
            output_truncated: true,
            exit_code: Some(0),
            signal: Some("SIGABRT".into()),
            message: None,
            execution_time_ms: Some(12.5),
            cpu_time_ms: Some(10.0),
            memory_usage_mb: Some(3.25),
            instructions: Some(1_000),
            points,
            score: if passed { points } else { 0 },
            group: None,
            judge_message: Some("expected 3".into()),
            hidden: false,
        }
    }

    #[test]
    fn the_score_counts_the_points_of_passed_tests_out_of_all_points() {
        let results = [result(true, 1), result(false, 3), result(true, 2)];
        assert_eq!(
            Summary::of(&results),
            Summary {
                total_tests: 3,
                passed: 2,
                failed: 1,
                all_passed: false,
                pass_percentage: 66.7,
                score: 3,
                max_score: 6,
                groups: Vec::new(),
            }
        );
    }

    #[test]
    fn pass_percentages_are_rounded_to_one_decimal() {
        let percentage = |passed: usize, total: usize| {
            let results: Vec<TestResult> = (0..total).map(|i| result(i < passed, 1)).collect();
            Summary::of(&results).pass_percentage
        };
        assert_eq!(percentage(1, 3), 33.3);
        assert_eq!(percentage(2, 3), 66.7);
        assert_eq!(percentage(1, 8), 12.5);
        assert_eq!(percentage(0, 2), 0.0);
        assert_eq!(percentage(4, 4), 100.0);
        assert_eq!(percentage(0, 0), 0.0);
    }

    #[test]
    fn all_passed_only_when_every_test_passed() {
        let all = Summary::of(&[result(true, 1), result(true, 1)]);
        assert!(all.all_passed && all.failed == 0);
        let one_failed = Summary::of(&[result(true, 1), result(false, 1)]);
        assert!(!one_failed.all_passed);
    }

    #[test]
    fn a_hidden_tests_result_withholds_its_data_and_output_but_not_its_verdict() {
        let hidden = result(false, 3).hide_if(true);
        assert!(hidden.hidden);
        assert_eq!(hidden.input, "");
        assert_eq!(hidden.expected_output, None);
        assert_eq!(hidden.actual_output, "");
        assert_eq!(hidden.stderr, "");
        assert!(
            !hidden.output_truncated,
            "truncation would hint at the output"
        );
        assert_eq!(hidden.status, Status::WrongAnswer);
        assert_eq!(
            (hidden.points, hidden.exit_code),
            (3, None),
            "the exit status is the program's choice"
        );
        assert_eq!(hidden.execution_time_ms, Some(12.5), "kept for the teacher");
    }

    #[test]
    fn a_hidden_tests_figures_are_withheld_and_a_visible_tests_kept() {
        let hidden = result(false, 3).hide_if(true).withhold_judging_details();
        assert_eq!((hidden.execution_time_ms, hidden.cpu_time_ms), (None, None));
        assert_eq!((hidden.memory_usage_mb, hidden.instructions), (None, None));
        let visible = result(false, 3).withhold_judging_details();
        assert_eq!(visible.instructions, Some(1_000));
        assert_eq!(
            visible.judge_message, None,
            "the judges' message is the teacher's"
        );
        let json = serde_json::to_value(hidden).unwrap();
        assert!(json["instructions"].is_null() && json["memory_usage_mb"].is_null());
    }

    #[test]
    fn a_visible_tests_result_is_kept_whole() {
        let visible = result(true, 1).hide_if(false);
        assert!(!visible.hidden);
        assert_eq!(visible.input, "1 2");
        assert_eq!(visible.expected_output.as_deref(), Some("3"));
        assert_eq!(visible.actual_output, "1 2\n");
        assert_eq!(visible.stderr, "echo 1 2");
        assert!(visible.output_truncated);
    }

    #[test]
    fn a_hidden_result_says_so_in_json_and_a_visible_one_leaves_the_field_out() {
        let visible = serde_json::to_value(result(true, 1)).unwrap();
        assert!(visible.get("hidden").is_none(), "{visible}");
        let hidden = serde_json::to_value(result(true, 1).hide_if(true)).unwrap();
        assert_eq!(hidden["hidden"], true);
    }
}
