//! What is judged: a submission's code, test cases, limits and comparison,
//! checked the same way whichever way (HTTP, CLI, a question) it came in.

use serde::Deserialize;

use crate::languages::check_compile_flags;
use crate::sandbox::Invocation;

use super::checker::plain_file_name;
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
    /// What the program is given beyond its input: set with `with_given`.
    pub(super) given: Given,
    /// How what it printed is shown where it is not UTF-8.
    pub non_utf8_output: NonUtf8Output,
}

/// How output that is not UTF-8 is shown (the comparison always sees the
/// bytes): U+FFFD for each bad sequence, or, as Jobe shows it, every byte
/// outside printable ASCII but line breaks and tabs as `\xNN`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NonUtf8Output {
    #[default]
    Replaced,
    Escaped,
}

impl NonUtf8Output {
    pub fn decode(self, bytes: &[u8]) -> String {
        match (self, std::str::from_utf8(bytes)) {
            (_, Ok(text)) => text.to_string(),
            (Self::Replaced, Err(_)) => String::from_utf8_lossy(bytes).into_owned(),
            (Self::Escaped, Err(_)) => bytes.iter().fold(String::new(), |mut text, &byte| {
                match byte {
                    b'\n' | b'\r' | b'\t' | 0x20..=0x7e => text.push(char::from(byte)),
                    _ => text.push_str(&format!("\\x{byte:02x}")),
                }
                text
            }),
        }
    }
}

/// Command-line arguments, files and compiler flags for a program, as the
/// Jobe, Judge0 and Piston APIs send them: a Java support class, a data
/// file to open, `-Wall -Werror`.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub args: Vec<String>,
    /// Added to the language's own (`languages::check_compile_flags`).
    pub compile_flags: Vec<String>,
    /// By plain file name: in the program's working directory when it
    /// runs, and, those that are text, beside its source when it compiles.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Most files a program may be given, and their bytes together.
pub const MAX_GIVEN_FILES: usize = 20;
pub const MAX_GIVEN_FILE_BYTES: usize = 8 << 20;
/// Most arguments, and the bytes of each.
pub const MAX_ARGS: usize = 100;
pub const MAX_ARG_BYTES: usize = 4 << 10;

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
            given: Given::default(),
            non_utf8_output: NonUtf8Output::default(),
        })
    }

    /// The same submission in `language`, its program given `given`, if
    /// its names, sizes and flags are allowed; the error says what is not.
    pub fn with_given(self, language: &str, given: Given) -> Result<Self, String> {
        check_compile_flags(language, &given.compile_flags)?;
        if given.files.len() > MAX_GIVEN_FILES {
            return Err(format!(
                "at most {MAX_GIVEN_FILES} files, got {}",
                given.files.len()
            ));
        }
        let bytes: usize = given.files.iter().map(|(_, bytes)| bytes.len()).sum();
        if bytes > MAX_GIVEN_FILE_BYTES {
            return Err(format!(
                "the files take {bytes} bytes: at most {} MiB together",
                MAX_GIVEN_FILE_BYTES >> 20
            ));
        }
        if let Some((name, _)) = (given.files.iter()).find(|(name, _)| !plain_file_name(name)) {
            return Err(format!(
                "file name {name:?} is not a plain file name: letters, digits, '_', '-' and \
                 '.', not starting with '.', at most 100 characters"
            ));
        }
        if given.args.len() > MAX_ARGS {
            return Err(format!(
                "at most {MAX_ARGS} arguments, got {}",
                given.args.len()
            ));
        }
        if (given.args.iter()).any(|arg| arg.len() > MAX_ARG_BYTES || arg.contains('\0')) {
            return Err(format!(
                "an argument is longer than {MAX_ARG_BYTES} bytes or holds a NUL character"
            ));
        }
        Ok(Self { given, ..self })
    }

    /// The files given to the program that are text, as sources beside its own.
    pub fn source_files(&self) -> Vec<(String, String)> {
        let text = |(name, bytes): &(String, Vec<u8>)| {
            Some((name.clone(), String::from_utf8(bytes.clone()).ok()?))
        };
        self.given.files.iter().filter_map(text).collect()
    }

    pub fn compile_flags(&self) -> &[String] {
        &self.given.compile_flags
    }

    /// How each test runs the program: with its arguments and files.
    pub fn invocation(&self) -> Invocation {
        Invocation {
            args: self.given.args.clone(),
            files: self.given.files.clone(),
            output_dirs: Vec::new(),
        }
    }

    /// The limits it is judged under, with their source.
    pub fn applied_limits(&self) -> AppliedLimits {
        AppliedLimits {
            limits: self.limits.clone(),
            time_source: self.time_source.clone(),
        }
    }
}
