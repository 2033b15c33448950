//! What is judged: a submission's code, test cases, limits and comparison,
//! checked the same way whichever way (HTTP, CLI, a question) it came in.

use serde::Deserialize;

use super::{
    AppliedLimits, Checker, Comparison, Interactor, LimitPolicy, Limits, RequestedLimits,
    TestGroup, TimeSource,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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
    /// A question's test group. Not settable by requests.
    #[serde(skip)]
    pub group: Option<String>,
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
            group: None,
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
    /// Where `limits.time_ms` came from.
    pub time_source: TimeSource,
    pub comparison: Comparison,
    /// Judges the output instead of `comparison`, if the question has one.
    pub checker: Option<Checker>,
    /// The interactor it talks to as it runs, for an interactive question.
    pub interactor: Option<Interactor>,
    /// The test groups the tests name (a question's).
    pub groups: Vec<TestGroup>,
    /// Run the tests one by one and skip the rest after the first failure
    /// (verifying a package's failing solution: only its first failure counts).
    pub stop_at_first_failure: bool,
}

impl Submission {
    /// Checks what every way in (HTTP, CLI) must check; the error says
    /// what is wrong. The limits, written for no language in particular,
    /// are scaled by `language`'s time factor.
    pub fn new(
        code: String,
        test_cases: Vec<TestCase>,
        limits: &RequestedLimits,
        comparison: Comparison,
        policy: &LimitPolicy,
        language: &str,
    ) -> Result<Self, String> {
        let limits = policy.scaled(language, policy.resolve(limits)?);
        Self::with_limits(code, test_cases, limits, comparison)
    }

    /// The same checks, with limits already applied (a question's).
    pub fn with_limits(
        code: String,
        test_cases: Vec<TestCase>,
        applied: AppliedLimits,
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
            limits: applied.limits,
            time_source: applied.time_source,
            comparison,
            checker: None,
            interactor: None,
            groups: Vec::new(),
            stop_at_first_failure: false,
        })
    }

    /// The limits it is judged under, with their source.
    pub fn applied_limits(&self) -> AppliedLimits {
        AppliedLimits {
            limits: self.limits.clone(),
            time_source: self.time_source.clone(),
        }
    }
}
