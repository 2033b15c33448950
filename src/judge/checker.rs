//! Checkers: programs that decide whether a test's output is right where a
//! comparison cannot (many right answers, partial points). A checker comes
//! with its question, often from a problem package off the internet, so it
//! is as untrusted as a submission: it is built like one (once, then cached
//! by its source) and runs in the sandbox, under limits of its own. Two
//! protocols are in use, and both are spoken:
//!
//! - **Kattis output validator**: `checker input answer feedback/ [arguments]
//!   < output`. Exit 42 accepts, 43 rejects; `feedback/teammessage.txt` is
//!   for the student, `judgemessage.txt` for the teacher, and `score.txt`
//!   holds a scoring problem's points.
//! - **testlib**: `checker input output answer`. Exit 0 accepts, 1 (wrong
//!   answer) and 2 (presentation error) reject, 7 gives the points its
//!   message starts with; 3 is its own failure. The message is on stderr.
//!
//! Whatever else a checker does (crash, run out of time, exit otherwise)
//! is the judge's failure, never the student's wrong answer: the test ends
//! as `internal_error`, which the teacher sees and can judge again.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Status;
use crate::languages::{Compiled, Language, Program, Source};
use crate::sandbox::{Invocation, Run, RunLimits, Stopped};

/// The languages a checker may be written in: those whose programs take
/// arguments and files (JavaScript's runtime has neither).
pub const CHECKER_LANGUAGES: &[&str] = &["c", "cpp", "cpp20", "java", "python"];
/// A checker's sources, headers included (testlib.h is about 200 KiB).
const MAX_CHECKER_BYTES: usize = 4 << 20;
const MAX_ARGUMENTS: usize = 32;

const MAX_CHECKER_TIME_MS: u64 = 60_000;
/// What a checker may hold and write, whatever the test's own limits.
const CHECKER_MEMORY_BYTES: u64 = 512 << 20;
const CHECKER_OUTPUT_BYTES: usize = 64 << 10;

fn default_checker_time_ms() -> u64 {
    CheckerSpec::DEFAULT_TIME_MS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckerProtocol {
    /// A Kattis / ICPC output validator.
    Kattis,
    /// A testlib checker (Codeforces, Polygon).
    Testlib,
}

/// A checker as a teacher writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"protocol": "testlib", "language": "cpp",
    "source": "#include \"testlib.h\"\nint main(int argc, char* argv[]) { ... }",
    "files": {"testlib.h": "..."}}))]
pub struct CheckerSpec {
    pub protocol: CheckerProtocol,
    /// One of `c`, `cpp`, `cpp20`, `java` or `python`.
    pub language: String,
    /// The main source file's text.
    pub source: String,
    /// Files it includes or compiles with (`testlib.h`, `validate.h`), by
    /// plain file name; they come with the question, never with judgebox.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
    /// Kattis only: passed after the feedback directory (the package's
    /// `validator_flags`).
    #[serde(default)]
    pub arguments: Vec<String>,
    /// Its CPU time per test (its own limit, not the submission's).
    #[serde(default = "default_checker_time_ms")]
    #[schema(minimum = 1, maximum = 60_000, default = 10_000)]
    pub time_ms: u64,
}

impl CheckerSpec {
    /// Its CPU time per test unless it says otherwise: generous, since it
    /// reads the test's whole input and output.
    pub const DEFAULT_TIME_MS: u64 = 10_000;

    /// Checks what can be checked without compiling it.
    pub fn validate(&self) -> Result<(), String> {
        if !CHECKER_LANGUAGES.contains(&self.language.as_str()) {
            return Err(format!(
                "checker.language must be one of {}, got {:?}",
                CHECKER_LANGUAGES.join(", "),
                self.language
            ));
        }
        if self.source.trim().is_empty() {
            return Err("checker.source must not be empty".into());
        }
        let size = self.source.len()
            + self
                .files
                .iter()
                .map(|(n, t)| n.len() + t.len())
                .sum::<usize>();
        if size > MAX_CHECKER_BYTES {
            return Err(format!(
                "a checker's files may hold at most {} MiB, got {size} bytes",
                MAX_CHECKER_BYTES >> 20
            ));
        }
        if let Some(name) = self.files.keys().find(|name| !plain_file_name(name)) {
            return Err(format!(
                "checker.files names {name:?}: a file name is letters, digits, '_', '-' and \
                 '.', not starting with '.'"
            ));
        }
        if self.arguments.len() > MAX_ARGUMENTS {
            return Err(format!("at most {MAX_ARGUMENTS} checker.arguments"));
        }
        if !(1..=MAX_CHECKER_TIME_MS).contains(&self.time_ms) {
            return Err(format!(
                "checker.time_ms must be 1 to {MAX_CHECKER_TIME_MS}, got {}",
                self.time_ms
            ));
        }
        if self.protocol == CheckerProtocol::Testlib && !self.arguments.is_empty() {
            return Err("checker.arguments are for the kattis protocol only".into());
        }
        Ok(())
    }

    /// Builds it (a cached build if its sources were built before):
    /// `Err` says why it cannot check anything, the compiler's message
    /// included.
    pub async fn build(&self, language: &dyn Language) -> Result<Checker, String> {
        let files: Vec<(String, String)> = self.files.clone().into_iter().collect();
        let source = Source {
            code: &self.source,
            files: &files,
            flags: &[],
        };
        match language.compile_source(source).await {
            Ok(Compiled::Ready(program)) => Ok(Checker {
                protocol: self.protocol,
                program,
                arguments: self.arguments.clone(),
                limits: RunLimits {
                    cpu_time: Duration::from_millis(self.time_ms),
                    wall_time: Duration::from_millis(2 * self.time_ms + 1000),
                    memory_bytes: CHECKER_MEMORY_BYTES,
                    stdout_bytes: CHECKER_OUTPUT_BYTES,
                    stderr_bytes: CHECKER_OUTPUT_BYTES,
                    fuel: None,
                },
            }),
            Ok(Compiled::Failed { output }) => {
                Err(format!("the checker does not compile:\n{output}"))
            }
            Err(error) => Err(format!("the checker cannot be built: {error:#}")),
        }
    }
}

/// A name a file may have beside a checker's source (or a statement).
pub(super) fn plain_file_name(name: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    !name.is_empty() && name.len() <= 100 && !name.starts_with('.') && name.chars().all(allowed)
}

/// A built checker, ready for every test of a submission.
#[derive(Clone)]
pub struct Checker {
    pub(super) protocol: CheckerProtocol,
    pub(super) program: Arc<dyn Program>,
    arguments: Vec<String>,
    pub(super) limits: RunLimits,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("protocol", &self.protocol)
            .field("arguments", &self.arguments)
            .finish_non_exhaustive()
    }
}

/// What a checker decided about one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// `accepted`, `partially_accepted`, `wrong_answer`, or
    /// `internal_error` when the checker itself failed.
    pub status: Status,
    /// The points earned, of `points`.
    pub score: u32,
    /// For the student: what the checker says to them.
    pub message: Option<String>,
    /// For the teacher: what it says to the judges, or how it failed.
    pub judge_message: Option<String>,
}

impl Checker {
    /// Runs the checker on a test worth `points` whose `input` and `answer`
    /// the program answered with `output`.
    pub async fn check(&self, input: &str, answer: &str, output: &[u8], points: u32) -> Checked {
        let (stdin, invocation) = match self.protocol {
            CheckerProtocol::Kattis => (output, self.kattis_invocation(input, answer)),
            CheckerProtocol::Testlib => {
                let invocation = Invocation {
                    args: vec!["input".into(), "output".into(), "answer".into()],
                    files: vec![
                        ("input".into(), input.as_bytes().to_vec()),
                        ("output".into(), output.to_vec()),
                        ("answer".into(), answer.as_bytes().to_vec()),
                    ],
                    output_dirs: Vec::new(),
                };
                (&[][..], invocation)
            }
        };
        let run = self
            .program
            .run(stdin.into(), &invocation, &self.limits)
            .await;
        self.verdict(run, points)
    }

    /// `checker input answer feedback/ [arguments]`, the feedback
    /// directory read back.
    pub(super) fn kattis_invocation(&self, input: &str, answer: &str) -> Invocation {
        let mut args = vec!["input".into(), "answer".into(), "feedback/".into()];
        args.extend(self.arguments.iter().cloned());
        Invocation {
            args,
            files: vec![
                ("input".into(), input.as_bytes().to_vec()),
                ("answer".into(), answer.as_bytes().to_vec()),
            ],
            output_dirs: vec!["feedback".into()],
        }
    }

    /// What its run (or the host's failure to run it) says, in its protocol.
    pub(super) fn verdict(&self, run: anyhow::Result<Run>, points: u32) -> Checked {
        match run {
            Ok(run) => match self.protocol {
                CheckerProtocol::Kattis => kattis_verdict(&run, points),
                CheckerProtocol::Testlib => testlib_verdict(&run, points),
            },
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "running a checker failed");
                failed(format!("the checker could not run: {error:#}"))
            }
        }
    }
}

impl Checker {
    /// Runs it as an input validator on `input` (on its stdin): `Err` says
    /// why the input is refused, or how the validator failed. Kattis
    /// validators accept with 42, testlib ones with 0.
    pub async fn validate_input(&self, input: &str) -> Result<(), String> {
        let invocation = Invocation {
            args: self.arguments.clone(),
            ..Invocation::default()
        };
        let run = (self
            .program
            .run(input.as_bytes().into(), &invocation, &self.limits)
            .await)
            .map_err(|error| format!("the validator could not run: {error:#}"))?;
        let accepted = match self.protocol {
            CheckerProtocol::Kattis => 42,
            CheckerProtocol::Testlib => 0,
        };
        match run.exit_code() {
            Some(code) if code == accepted => Ok(()),
            Some(_) => {
                let said = text(&run.stderr).or_else(|| text(&run.stdout));
                Err(format!(
                    "refused{}",
                    said.map_or(String::new(), |s| format!(": {s}"))
                ))
            }
            None => Err(failure(&run).replacen("the checker", "the validator", 1)),
        }
    }
}

/// A checker that failed: the judge's error, with the reason for the teacher.
fn failed(reason: String) -> Checked {
    Checked {
        status: Status::InternalError,
        score: 0,
        message: Some(
            "the checker failed on this test: your teacher can see why and judge it again".into(),
        ),
        judge_message: Some(reason),
    }
}

/// Why a checker's run did not end in one of its protocol's exits.
fn failure(run: &Run) -> String {
    let stderr = text(&run.stderr);
    let how = match (&run.ended, run.exit_code()) {
        (_, Some(code)) => format!("exited with status {code}"),
        (Err(Stopped::CpuTime | Stopped::Fuel), _) => "ran out of its time limit".into(),
        (Err(Stopped::WallTime), _) => "was still running at its wall-clock limit".into(),
        (Err(Stopped::Output), _) => "wrote more than its output limit".into(),
        (
            Err(Stopped::Disk {
                max_bytes,
                max_entries,
            }),
            _,
        ) => format!(
            "wrote more than {} MiB or {max_entries} files to disk",
            max_bytes >> 20
        ),
        (Err(Stopped::StackOverflow), _) => "overflowed its stack".into(),
        (Err(Stopped::Trap(trap)), _) => format!("crashed: {trap}"),
        (Err(Stopped::SyntaxError(error)), _) => format!("did not parse: {error}"),
        (Ok(_) | Err(Stopped::Exit(_)), None) => unreachable!("an exit has a code"),
    };
    match stderr {
        Some(stderr) => format!("the checker {how}; it wrote: {stderr}"),
        None => format!("the checker {how}"),
    }
}

fn kattis_verdict(run: &Run, points: u32) -> Checked {
    let file = |name: &str| {
        (run.written.iter())
            .find(|(path, _)| path == &format!("feedback/{name}"))
            .and_then(|(_, bytes)| text(bytes))
    };
    let (status, score) = match run.exit_code() {
        Some(42) => match file("score.txt") {
            None => (Status::Accepted, points),
            Some(score) => match score.parse::<f64>() {
                Ok(score) if score.is_finite() && score >= 0.0 => partial(score, points),
                _ => return failed(format!("the checker wrote a score.txt of {score:?}")),
            },
        },
        Some(43) => (Status::WrongAnswer, 0),
        _ => return failed(failure(run)),
    };
    Checked {
        status,
        score,
        message: file("teammessage.txt"),
        judge_message: file("judgemessage.txt"),
    }
}

fn testlib_verdict(run: &Run, points: u32) -> Checked {
    let message = text(&run.stderr);
    let (status, score) = match run.exit_code() {
        Some(0) => (Status::Accepted, points),
        Some(1 | 2) => (Status::WrongAnswer, 0),
        Some(7) => {
            // `quitp` writes "points <value> <message>".
            let value = (message.as_deref())
                .map(|m| m.trim_start_matches("points").trim_start())
                .and_then(|m| m.split_whitespace().next())
                .and_then(|value| value.parse::<f64>().ok())
                .filter(|value| value.is_finite() && *value >= 0.0);
            match value {
                Some(value) => partial(value, points),
                None => {
                    return failed(format!(
                        "the checker gave partial points without a number: {message:?}"
                    ));
                }
            }
        }
        _ => return failed(failure(run)),
    };
    Checked {
        status,
        score,
        judge_message: message.clone(),
        message,
    }
}

/// `value` points of `points`, in whole points (scores are whole), at most
/// `points`: full marks are `accepted`, anything less partial.
fn partial(value: f64, points: u32) -> (Status, u32) {
    let score = value.round().min(f64::from(points)) as u32;
    if score >= points {
        (Status::Accepted, points)
    } else {
        (Status::PartiallyAccepted, score)
    }
}

/// What a checker wrote, as text, if it wrote anything but whitespace.
fn text(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Usage;

    fn exited(code: i32, stderr: &str, written: &[(&str, &str)]) -> Run {
        Run {
            ended: Ok(code),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
            usage: Usage::default(),
            written: (written.iter())
                .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn kattis_exits_42_and_43_decide_and_the_messages_go_to_their_readers() {
        let messages = [
            ("feedback/teammessage.txt", "close, but no\n"),
            ("feedback/judgemessage.txt", "line 3: expected 7"),
        ];
        let checked = kattis_verdict(&exited(43, "", &messages), 5);
        assert_eq!((checked.status, checked.score), (Status::WrongAnswer, 0));
        assert_eq!(checked.message.as_deref(), Some("close, but no"));
        assert_eq!(checked.judge_message.as_deref(), Some("line 3: expected 7"));
        let checked = kattis_verdict(&exited(42, "", &[]), 5);
        assert_eq!((checked.status, checked.score), (Status::Accepted, 5));
    }

    #[test]
    fn a_kattis_score_file_gives_partial_points() {
        let scored =
            |score: &str| kattis_verdict(&exited(42, "", &[("feedback/score.txt", score)]), 10);
        assert_eq!(
            (scored("4\n").status, scored("4\n").score),
            (Status::PartiallyAccepted, 4)
        );
        assert_eq!(scored("12").status, Status::Accepted);
        assert_eq!(scored("12").score, 10);
        assert_eq!(scored("lots").status, Status::InternalError);
    }

    #[test]
    fn testlib_exits_decide_and_its_message_is_shown() {
        let checked = testlib_verdict(&exited(0, "ok 3 numbers\n", &[]), 2);
        assert_eq!((checked.status, checked.score), (Status::Accepted, 2));
        assert_eq!(checked.message.as_deref(), Some("ok 3 numbers"));
        for code in [1, 2] {
            assert_eq!(
                testlib_verdict(&exited(code, "wrong", &[]), 2).status,
                Status::WrongAnswer
            );
        }
        let partial = testlib_verdict(&exited(7, "points 3 of 10 pairs", &[]), 10);
        assert_eq!(
            (partial.status, partial.score),
            (Status::PartiallyAccepted, 3)
        );
    }

    #[test]
    fn a_checker_that_fails_is_never_the_students_wrong_answer() {
        let failures = [
            exited(3, "FAIL answer file is broken", &[]),
            exited(1, "", &[]).clone(),
            Run {
                ended: Err(Stopped::CpuTime),
                ..exited(0, "", &[])
            },
            Run {
                ended: Err(Stopped::Trap(crate::sandbox::Crash::new("unreachable"))),
                ..exited(0, "", &[])
            },
        ];
        let kattis = [failures[0].clone(), exited(0, "", &[]), failures[2].clone()];
        for run in &kattis {
            assert_eq!(
                kattis_verdict(run, 1).status,
                Status::InternalError,
                "{run:?}"
            );
        }
        for run in [&failures[0], &failures[2], &failures[3]] {
            let checked = testlib_verdict(run, 1);
            assert_eq!(checked.status, Status::InternalError, "{run:?}");
            assert!(checked.judge_message.unwrap().contains("the checker"));
        }
        assert_eq!(testlib_verdict(&failures[1], 1).status, Status::WrongAnswer);
        let no_points = testlib_verdict(&exited(7, "points", &[]), 1);
        assert_eq!(no_points.status, Status::InternalError);
    }
}
