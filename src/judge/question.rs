//! Questions: a statement, limits, a comparison mode, the languages allowed,
//! and test cases, some hidden, each worth points. Validated here, stored
//! by `store`, judged like any submission.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checker::plain_file_name;
use super::{
    AppliedLimits, Calibration, CalibrationSettings, Checker, CheckerProtocol, CheckerSpec,
    Comparison, Interactor, LimitPolicy, Limits, MAX_TEST_CASES, RequestedLimits, Submission,
    TestCase, TestGroup, TimeSource, check_groups,
};
use crate::languages::{LanguageName, Languages};

const MAX_SLUG_CHARS: usize = 64;
const MAX_TITLE_CHARS: usize = 200;
const MAX_POINTS: u32 = 10_000;
/// Each is judged several times per calibration.
const MAX_REFERENCE_SOLUTIONS: usize = 10;
const MAX_GROUPS: usize = 100;

/// A question as a teacher writes it (the admin API's and import's input).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "double", "title": "Double it",
    "statement": "Print twice the number read.",
    "test_cases": [{"input": "21", "expected_output": "42"},
        {"input": "5", "expected_output": "10", "hidden": true}]}))]
pub struct QuestionSpec {
    #[schema(pattern = "^[a-z0-9-]{1,64}$")]
    pub slug: String,
    /// 1 to 200 characters, not counting surrounding whitespace.
    #[schema(min_length = 1)]
    pub title: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub limits: RequestedLimits,
    #[serde(default)]
    pub compare: Comparison,
    /// Empty: every language the server runs.
    #[serde(default)]
    #[schema(value_type = Vec<LanguageName>)]
    pub languages: Vec<String>,
    #[schema(min_items = 1, max_items = 100)]
    pub test_cases: Vec<QuestionTest>,
    /// Limits written for one language; unset fields fall back to `limits`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<LanguageName, RequestedLimits>)]
    pub limits_by_language: BTreeMap<String, RequestedLimits>,
    /// Solutions known to be correct, for calibration; admins only.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub reference_solutions: Vec<ReferenceSolution>,
    #[serde(default)]
    pub calibration: CalibrationSettings,
    /// A program that judges each output instead of `compare`.
    #[serde(default)]
    pub checker: Option<CheckerSpec>,
    /// For an interactive question: the program each submission talks to
    /// as it runs, which judges it (a Kattis interactive output validator,
    /// or a testlib interactor whose output `checker` may judge).
    #[serde(default)]
    pub interactor: Option<CheckerSpec>,
    /// Test groups (subtasks) the tests may name.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub groups: Vec<TestGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSolution {
    #[schema(value_type = LanguageName)]
    pub language: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionTest {
    #[serde(default)]
    pub input: String,
    pub expected_output: String,
    /// Hidden tests are judged, but students never see their data.
    #[serde(default)]
    pub hidden: bool,
    #[serde(default = "super::one_point")]
    #[schema(maximum = 10_000, default = 1)]
    pub points: u32,
    /// The name of its group in `groups`, if it is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// An interactive question's sample: what the interactor (lines
    /// starting `<`) and a solution (`>`) said, shown to students instead
    /// of the input and answer, which are the interactor's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
}

/// A validated question: build it with `Question::new`. Its serialized
/// form is the admin's view: it holds the reference solutions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "A question, all of it: hidden tests and reference solutions too.")]
pub struct Question {
    slug: String,
    title: String,
    statement: String,
    /// The general limits, for every language (time scaled by its factor)
    /// but those `limits_by_language` or a calibration set.
    limits: Limits,
    compare: Comparison,
    languages: Vec<String>,
    test_cases: Vec<QuestionTest>,
    limits_by_language: BTreeMap<String, RequestedLimits>,
    reference_solutions: Vec<ReferenceSolution>,
    calibration: CalibrationSettings,
    #[serde(skip_serializing_if = "Option::is_none")]
    checker: Option<CheckerSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interactor: Option<CheckerSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<TestGroup>,
    /// Whether the package it was imported from judged its own solutions
    /// as they expect; absent for a question written here.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<Verification>,
    /// The last calibration; it applies while its fingerprint is the
    /// question's (`fresh_calibration`).
    #[serde(skip)]
    calibrated: Option<Calibration>,
}

/// What importing a package found of its own solutions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub verified: bool,
    /// Why not, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A question as the store keeps it, to give back as it was saved:
/// `Question::new` checked it then, against the limits of that day (a
/// server whose limits shrank since still reads it).
pub struct StoredQuestion {
    pub slug: String,
    pub title: String,
    pub statement: String,
    pub limits: Limits,
    pub compare: Comparison,
    pub languages: Vec<String>,
    pub test_cases: Vec<QuestionTest>,
    pub limits_by_language: BTreeMap<String, RequestedLimits>,
    pub reference_solutions: Vec<ReferenceSolution>,
    pub calibration: CalibrationSettings,
    pub checker: Option<CheckerSpec>,
    pub interactor: Option<CheckerSpec>,
    pub groups: Vec<TestGroup>,
    pub verification: Option<Verification>,
    pub calibrated: Option<Calibration>,
}

impl Question {
    /// Checks `spec` against the server's limits and languages; the error
    /// says what is wrong.
    pub fn new(spec: QuestionSpec, policy: &LimitPolicy, known: &[&str]) -> Result<Self, String> {
        check_slug(&spec.slug)?;
        let title_chars = spec.title.trim().chars().count();
        if title_chars == 0 || title_chars > MAX_TITLE_CHARS {
            return Err(format!("title must be 1 to {MAX_TITLE_CHARS} characters"));
        }
        if let Some(unknown) = spec.languages.iter().find(|l| !known.contains(&l.as_str())) {
            return Err(format!(
                "unknown language {unknown:?} in languages; supported: {}",
                known.join(", ")
            ));
        }
        check_tests(&spec.test_cases)?;
        check_groups(
            &spec.groups,
            spec.test_cases.iter().map(|t| t.group.as_deref()),
        )?;
        if spec.groups.len() > MAX_GROUPS {
            return Err(format!("at most {MAX_GROUPS} groups"));
        }
        spec.compare.validate()?;
        for (field, program) in [("checker", &spec.checker), ("interactor", &spec.interactor)] {
            let Some(program) = program else { continue };
            program
                .validate()
                .map_err(|e| e.replacen("checker", field, 1))?;
            if !known.contains(&program.language.as_str()) {
                return Err(format!(
                    "{field}.language {:?} is not run by this server",
                    program.language
                ));
            }
        }
        check_interaction(&spec)?;
        let accepted = |language: &str| {
            known.contains(&language)
                && (spec.languages.is_empty() || spec.languages.iter().any(|l| l == language))
        };
        let refused: Vec<&str> = (spec.limits_by_language.keys())
            .map(String::as_str)
            .filter(|language| !accepted(language))
            .collect();
        if !refused.is_empty() {
            return Err(format!(
                "limits_by_language names {}, not among the question's languages ({})",
                refused.join(", "),
                allowed_names(&spec.languages, known)
            ));
        }
        for (language, limits) in &spec.limits_by_language {
            policy.resolve_named(&format!("limits_by_language.{language}"), limits)?;
        }
        if spec.reference_solutions.len() > MAX_REFERENCE_SOLUTIONS {
            return Err(format!(
                "at most {MAX_REFERENCE_SOLUTIONS} reference_solutions, got {}",
                spec.reference_solutions.len()
            ));
        }
        for (number, reference) in (1..).zip(&spec.reference_solutions) {
            if !accepted(&reference.language) {
                return Err(format!(
                    "reference solution {number} is in {:?}, not among the question's \
                     languages ({})",
                    reference.language,
                    allowed_names(&spec.languages, known)
                ));
            }
            if reference.code.trim().is_empty() {
                return Err(format!("reference solution {number} has no code"));
            }
        }
        spec.calibration.validate(policy.max_time_ms())?;
        Ok(Self {
            limits: policy.resolve(&spec.limits)?,
            slug: spec.slug,
            title: spec.title.trim().to_string(),
            statement: spec.statement,
            compare: spec.compare,
            languages: spec.languages,
            test_cases: spec.test_cases,
            limits_by_language: spec.limits_by_language,
            reference_solutions: spec.reference_solutions,
            calibration: spec.calibration,
            checker: spec.checker,
            interactor: spec.interactor,
            groups: spec.groups,
            verification: None,
            calibrated: None,
        })
    }

    /// A question the store saved (it was checked then).
    pub fn restore(stored: StoredQuestion) -> Self {
        Self {
            slug: stored.slug,
            title: stored.title,
            statement: stored.statement,
            limits: stored.limits,
            compare: stored.compare,
            languages: stored.languages,
            test_cases: stored.test_cases,
            limits_by_language: stored.limits_by_language,
            reference_solutions: stored.reference_solutions,
            calibration: stored.calibration,
            checker: stored.checker,
            interactor: stored.interactor,
            groups: stored.groups,
            verification: stored.verification,
            calibrated: stored.calibrated,
        }
    }

    pub fn slug(&self) -> &str {
        &self.slug
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Markdown.
    pub fn statement(&self) -> &str {
        &self.statement
    }

    /// The general limits (see `limits_in` for a language's).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn compare(&self) -> Comparison {
        self.compare
    }

    /// The languages it accepts; none: every one the server runs.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    pub fn test_cases(&self) -> &[QuestionTest] {
        &self.test_cases
    }

    /// The tests students may see (those not hidden), each with its number
    /// counted from 1 among all the tests.
    pub fn examples(&self) -> impl Iterator<Item = (usize, &QuestionTest)> {
        (1..).zip(&self.test_cases).filter(|(_, test)| !test.hidden)
    }

    pub fn limits_by_language(&self) -> &BTreeMap<String, RequestedLimits> {
        &self.limits_by_language
    }

    pub fn reference_solutions(&self) -> &[ReferenceSolution] {
        &self.reference_solutions
    }

    pub fn calibration(&self) -> &CalibrationSettings {
        &self.calibration
    }

    /// The program that judges its outputs, if it has one.
    pub fn checker(&self) -> Option<&CheckerSpec> {
        self.checker.as_ref()
    }

    /// The program submissions talk to, if it is an interactive question.
    pub fn interactor(&self) -> Option<&CheckerSpec> {
        self.interactor.as_ref()
    }

    pub fn groups(&self) -> &[TestGroup] {
        &self.groups
    }

    pub fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }

    /// It as imported from a package whose solutions `verification` says how it judged.
    pub fn verified(self, verification: Verification) -> Self {
        Self {
            verification: Some(verification),
            ..self
        }
    }

    /// It with `calibration` as its last, and its general time limit
    /// the least calibrated one in terms of the server's time factors, so
    /// that languages no reference solution covers are scaled from it.
    pub fn calibrated_as(self, calibration: Calibration, policy: &LimitPolicy) -> Self {
        let general = (calibration.languages.iter())
            .map(|(language, c)| (c.time_ms as f64 / policy.time_factor(language)).round() as u64)
            .min()
            .map(|ms| ms.max(self.calibration.floor_ms).min(policy.max_time_ms()));
        let limits = Limits {
            time_ms: general.unwrap_or(self.limits.time_ms),
            ..self.limits.clone()
        };
        Self {
            limits,
            calibrated: Some(calibration),
            ..self
        }
    }

    /// `submission` (one of this question's) with its checker and
    /// interactor built, if the question has them; `Err` says why one
    /// cannot be built.
    pub async fn with_checkers(
        &self,
        submission: Submission,
        languages: &Languages,
    ) -> Result<Submission, String> {
        let (checker, interactor) = self.build_checkers(languages).await?;
        Ok(Submission {
            checker,
            interactor,
            ..submission
        })
    }

    /// Its checker and interactor, built (or their cached builds) if it
    /// has them; `Err` says why one cannot be built, the compiler's
    /// message included.
    pub async fn build_checkers(
        &self,
        languages: &Languages,
    ) -> Result<(Option<Checker>, Option<Interactor>), String> {
        let build = async |spec: &Option<CheckerSpec>, role: &str| {
            let Some(spec) = spec else { return Ok(None) };
            let language = (languages.get(&spec.language))
                .ok_or_else(|| format!("the {role}'s language {} is not loaded", spec.language))?;
            let built = spec.build(language.as_ref()).await;
            built.map(Some).map_err(|e| e.replacen("checker", role, 1))
        };
        let checker = build(&self.checker, "checker").await?;
        let interactor = (build(&self.interactor, "interactor").await?)
            .map(|program| Interactor::new(program, languages.links()));
        Ok((checker, interactor))
    }

    /// The last calibration, fresh or not (`fresh_calibration` says).
    pub fn calibrated(&self) -> Option<&Calibration> {
        self.calibrated.as_ref()
    }

    /// The limits a run in `language` gets, and where its time limit
    /// came from: set for the language, else calibrated, else the general
    /// limit scaled by the language's factor.
    pub fn limits_in(&self, language: &str, policy: &LimitPolicy) -> AppliedLimits {
        let own = self.limits_by_language.get(language);
        let calibrated = (self.fresh_calibration()).and_then(|c| c.languages.get(language));
        let mut applied = match (own.and_then(|own| own.time_ms), calibrated) {
            (Some(time_ms), _) => AppliedLimits {
                limits: Limits {
                    time_ms,
                    ..self.limits.clone()
                },
                time_source: TimeSource::SetForLanguage,
            },
            (None, Some(calibrated)) => AppliedLimits {
                limits: Limits {
                    time_ms: calibrated.time_ms,
                    ..self.limits.clone()
                },
                time_source: TimeSource::Calibrated {
                    reference_cpu_ms: calibrated.reference_cpu_ms,
                    multiplier: self.calibration.multiplier,
                },
            },
            (None, None) => policy.scaled(language, self.limits.clone()),
        };
        let limits = &mut applied.limits;
        limits.instruction_limit = (own.and_then(|own| own.instruction_limit))
            .or(calibrated.and_then(|c| c.instruction_limit))
            .or(limits.instruction_limit);
        if let Some(own) = own {
            limits.memory_mb = own.memory_mb.unwrap_or(limits.memory_mb);
            limits.output_kb = own.output_kb.unwrap_or(limits.output_kb);
        }
        applied
    }

    /// `limits_in` for every language it accepts (of `known`, if it names none).
    pub fn language_limits(
        &self,
        policy: &LimitPolicy,
        known: &[&str],
    ) -> BTreeMap<String, AppliedLimits> {
        let languages: Vec<&str> = if self.languages.is_empty() {
            known.to_vec()
        } else {
            self.languages.iter().map(String::as_str).collect()
        };
        (languages.into_iter())
            .map(|language| (language.to_string(), self.limits_in(language, policy)))
            .collect()
    }

    /// The last calibration, unless the tests, reference solutions,
    /// comparison or calibration settings changed since.
    pub fn fresh_calibration(&self) -> Option<&Calibration> {
        (self.calibrated.as_ref()).filter(|c| c.fingerprint == self.calibration_fingerprint())
    }

    /// A digest of what a calibration measures.
    pub fn calibration_fingerprint(&self) -> String {
        let measured = serde_json::json!({
            "test_cases": self.test_cases,
            "reference_solutions": self.reference_solutions,
            "calibration": self.calibration,
            "compare": self.compare,
            "checker": self.checker,
        });
        let mut measured = measured;
        // Absent rather than null: the questions calibrated before there
        // were interactors keep their fingerprint.
        if let Some(interactor) = &self.interactor {
            measured["interactor"] = serde_json::json!(interactor);
        }
        hex::encode(Sha256::digest(measured.to_string()))
    }

    /// `reference` as calibration judges it: on every test, with the
    /// language's limits but the server's maximum time and no instruction
    /// limit, so that its own cost is what is measured.
    pub(super) fn reference_submission(
        &self,
        reference: &ReferenceSolution,
        policy: &LimitPolicy,
    ) -> Result<Submission, String> {
        let limits = Limits {
            time_ms: policy.max_time_ms(),
            instruction_limit: None,
            ..self.limits_in(&reference.language, policy).limits
        };
        let applied = AppliedLimits {
            limits,
            time_source: TimeSource::Maximum,
        };
        self.judged_on(reference.code.clone(), |_| true, applied)
    }

    /// The question with `test` appended, if it is still valid.
    pub fn with_test(mut self, test: QuestionTest) -> Result<Self, String> {
        self.test_cases.push(test);
        check_tests(&self.test_cases)?;
        check_groups(
            &self.groups,
            self.test_cases.iter().map(|t| t.group.as_deref()),
        )?;
        Ok(self)
    }

    /// The points of all its tests (samples are usually worth none).
    pub fn max_score(&self) -> u32 {
        self.test_cases.iter().map(|test| test.points).sum()
    }

    /// Whether submissions in `language` are judged.
    pub fn allows(&self, language: &str) -> bool {
        self.languages.is_empty() || self.languages.iter().any(|l| l == language)
    }

    /// `code` in `language` as a submission, if the question accepts it:
    /// its tests (hidden ones marked), the language's limits and the
    /// comparison.
    pub fn submission_in(
        &self,
        language: &str,
        code: String,
        policy: &LimitPolicy,
    ) -> Result<Submission, String> {
        if !self.allows(language) {
            return Err(format!(
                "question {:?} accepts {}, not {language}",
                self.slug,
                self.languages.join(", ")
            ));
        }
        self.judged_on(code, |_| true, self.limits_in(language, policy))
    }

    /// `code` in `language` run on the visible tests only (the examples):
    /// a student's trial, not a submission.
    pub fn trial_in(
        &self,
        language: &str,
        code: String,
        policy: &LimitPolicy,
    ) -> Result<Submission, String> {
        self.submission_in(language, code.clone(), policy)?;
        if self.test_cases.iter().all(|test| test.hidden) {
            return Err(format!("question {:?} has no examples to run", self.slug));
        }
        self.judged_on(code, |test| !test.hidden, self.limits_in(language, policy))
    }

    fn judged_on(
        &self,
        code: String,
        keep: impl Fn(&QuestionTest) -> bool,
        limits: AppliedLimits,
    ) -> Result<Submission, String> {
        let tests = (self.test_cases.iter())
            .filter(|test| keep(test))
            .map(|test| TestCase {
                hidden: test.hidden,
                points: test.points,
                group: test.group.clone(),
                ..TestCase::new(test.input.clone(), Some(test.expected_output.clone()))
            })
            .collect();
        let submission = Submission::with_limits(code, tests, limits, self.compare)?;
        Ok(Submission {
            groups: self.groups.clone(),
            ..submission
        })
    }
}

/// The languages a question accepts, in words.
fn allowed_names(languages: &[String], known: &[&str]) -> String {
    if languages.is_empty() {
        known.join(", ")
    } else {
        languages.join(", ")
    }
}

/// Question and contest slugs: short, lowercase, URL-safe.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let slug_ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if slug.is_empty() || slug.len() > MAX_SLUG_CHARS || !slug.chars().all(slug_ok) {
        return Err(format!(
            "slug must be 1 to {MAX_SLUG_CHARS} characters of a-z, 0-9 and '-', got {slug:?}"
        ));
    }
    Ok(())
}

/// An interactor's rules: a Kattis one judges alone (the checker is for
/// testlib interactors, which only talk), and only an interactive question
/// has sample interactions.
fn check_interaction(spec: &QuestionSpec) -> Result<(), String> {
    match (&spec.interactor, &spec.checker) {
        (Some(interactor), Some(checker)) => {
            if interactor.protocol == CheckerProtocol::Kattis {
                return Err("a kattis interactor judges by itself: leave out checker".into());
            }
            if checker.protocol != CheckerProtocol::Testlib {
                return Err("a testlib interactor's output is judged by a testlib checker".into());
            }
        }
        (None, _) => {
            if let Some(number) = (1..)
                .zip(&spec.test_cases)
                .find_map(|(n, t)| t.interaction.is_some().then_some(n))
            {
                return Err(format!(
                    "test case {number} has an interaction, but the question has no interactor"
                ));
            }
        }
        (Some(_), None) => {}
    }
    Ok(())
}

/// An image a statement shows (a package's figure), served with the
/// question at `/questions/{slug}/images/{name}`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementImage {
    name: String,
    bytes: Vec<u8>,
}

impl StatementImage {
    /// At most this many per question, each at most `MAX_BYTES`.
    pub const MAX_COUNT: usize = 64;
    pub const MAX_BYTES: usize = 4 << 20;

    /// The policy it is served under, wherever it is: an SVG runs no script.
    pub const CONTENT_SECURITY_POLICY: &str =
        "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    /// Where the question `slug` serves its images (the API's route, which a
    /// statement's image links name), followed by an image's name.
    pub fn served_under(slug: &str) -> String {
        format!("/questions/{slug}/images/")
    }

    /// `bytes` as the image `name`: a plain file name with an image
    /// extension (png, jpg, jpeg, gif, svg, webp).
    pub fn new(name: &str, bytes: Vec<u8>) -> Result<Self, String> {
        if !plain_file_name(name) {
            return Err(format!("{name:?} is not a plain file name"));
        }
        if image_type(name).is_none() {
            return Err(format!("{name} is not a png, jpg, gif, svg or webp image"));
        }
        if bytes.len() > Self::MAX_BYTES {
            return Err(format!(
                "{name} is larger than {} MiB",
                Self::MAX_BYTES >> 20
            ));
        }
        Ok(Self {
            name: name.to_string(),
            bytes,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn content_type(&self) -> &'static str {
        image_type(&self.name).expect("checked when made")
    }
}

/// The content type of an image file, by its extension.
pub fn image_type(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => return None,
    })
}

fn check_tests(tests: &[QuestionTest]) -> Result<(), String> {
    if tests.is_empty() || tests.len() > MAX_TEST_CASES {
        return Err(format!(
            "a question needs 1 to {MAX_TEST_CASES} test cases, got {}",
            tests.len()
        ));
    }
    if let Some((number, _)) = (1..).zip(tests).find(|(_, test)| test.points > MAX_POINTS) {
        return Err(format!(
            "test case {number} is worth more than {MAX_POINTS} points"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LimitPolicy {
        let default = Limits {
            time_ms: 1000,
            memory_mb: 64,
            output_kb: 64,
            stderr_kb: 64,
            instruction_limit: None,
        };
        LimitPolicy::new(default, 5000, 256, 1024).unwrap()
    }

    fn spec() -> QuestionSpec {
        serde_json::from_value(serde_json::json!({
            "slug": "sum-two",
            "title": "Sum two numbers",
            "test_cases": [{"input": "1 2", "expected_output": "3"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_minimal_question_takes_the_defaults() {
        let question = Question::new(spec(), &policy(), &["python"]).unwrap();
        assert_eq!(question.limits.time_ms, 1000);
        assert_eq!(question.test_cases[0].points, 1);
        assert!(!question.test_cases[0].hidden);
        assert!(question.allows("anything"));
    }

    fn calibrated(question: &Question, language: &str, time_ms: u64) -> Calibration {
        let measured = crate::judge::CalibratedLanguage {
            time_ms,
            reference_cpu_ms: 100.0,
            slowest_test: 1,
            instruction_limit: None,
            reference_instructions: None,
        };
        Calibration {
            languages: [(language.to_string(), measured)].into(),
            calibrated_at: chrono::Utc::now(),
            fingerprint: question.calibration_fingerprint(),
        }
    }

    #[test]
    fn a_language_gets_its_own_limit_else_a_calibrated_one_else_the_general_one_scaled() {
        let mut spec = spec();
        spec.limits_by_language = [(
            "cpp".to_string(),
            RequestedLimits {
                time_ms: Some(700),
                memory_mb: Some(128),
                ..Default::default()
            },
        )]
        .into();
        let known = ["cpp", "java", "python"];
        let policy = policy()
            .with_time_factors(&[("python".into(), 3.0)], &known)
            .unwrap();
        let mut question = Question::new(spec, &policy, &known).unwrap();
        let cpp = question.limits_in("cpp", &policy);
        assert_eq!((cpp.limits.time_ms, cpp.limits.memory_mb), (700, 128));
        assert_eq!(cpp.time_source, TimeSource::SetForLanguage);
        let python = question.limits_in("python", &policy);
        assert_eq!((python.limits.time_ms, python.limits.memory_mb), (3000, 64));
        let java = question.limits_in("java", &policy);
        assert_eq!(java.time_source, TimeSource::Unscaled);

        question.calibrated = Some(calibrated(&question, "python", 1500));
        let python = question.limits_in("python", &policy);
        assert_eq!(python.limits.time_ms, 1500);
        assert!(matches!(python.time_source, TimeSource::Calibrated { .. }));

        // A new test makes the calibration stale: it no longer applies.
        question.test_cases.push(question.test_cases[0].clone());
        assert!(question.fresh_calibration().is_none());
        assert_eq!(question.limits_in("python", &policy).limits.time_ms, 3000);
    }

    #[test]
    fn per_language_limits_and_reference_solutions_are_checked_like_the_rest() {
        type Breakage = fn(&mut QuestionSpec);
        let cases: [(Breakage, &str); 5] = [
            (
                |s| {
                    s.limits_by_language = [
                        ("cobol".to_string(), RequestedLimits::default()),
                        ("fortran".to_string(), RequestedLimits::default()),
                    ]
                    .into()
                },
                "names cobol, fortran",
            ),
            (
                |s| {
                    s.limits_by_language = [(
                        "python".to_string(),
                        RequestedLimits {
                            time_ms: Some(60_000),
                            ..Default::default()
                        },
                    )]
                    .into()
                },
                "limits_by_language.python.time_ms",
            ),
            (
                |s| {
                    s.reference_solutions = vec![ReferenceSolution {
                        language: "cobol".into(),
                        code: "x".into(),
                    }]
                },
                "reference solution 1",
            ),
            (
                |s| {
                    s.reference_solutions = vec![ReferenceSolution {
                        language: "python".into(),
                        code: " ".into(),
                    }]
                },
                "has no code",
            ),
            (|s| s.calibration.multiplier = 0.0, "calibration.multiplier"),
        ];
        for (break_it, expected) in cases {
            let mut spec = spec();
            break_it(&mut spec);
            let error = Question::new(spec, &policy(), &["python"]).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn bad_slugs_titles_languages_and_tests_are_refused() {
        type Breakage = fn(&mut QuestionSpec);
        let cases: [(Breakage, &str); 5] = [
            (|s| s.slug = "Has Spaces".into(), "slug"),
            (|s| s.title = "  ".into(), "title"),
            (|s| s.languages = vec!["cobol".into()], "unknown language"),
            (|s| s.test_cases.clear(), "1 to 100 test cases"),
            (|s| s.test_cases[0].points = 1_000_000, "more than"),
        ];
        for (break_it, expected) in cases {
            let mut spec = spec();
            break_it(&mut spec);
            let error = Question::new(spec, &policy(), &["python"]).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }
}
