//! Questions: a statement, limits, a comparison mode, the languages allowed,
//! and test cases, some hidden, each worth points. Validated here, stored
//! by `store`, judged like any submission.

use serde::{Deserialize, Serialize};

use super::{
    Comparison, LimitPolicy, Limits, MAX_TEST_CASES, RequestedLimits, Submission, TestCase,
};

const MAX_SLUG_CHARS: usize = 64;
const MAX_TITLE_CHARS: usize = 200;
const MAX_POINTS: u32 = 10_000;

/// A question as a teacher writes it (the admin API's and import's input).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub limits: RequestedLimits,
    #[serde(default)]
    pub compare: Comparison,
    /// Empty: every language the server runs.
    #[serde(default)]
    pub languages: Vec<String>,
    pub test_cases: Vec<QuestionTest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionTest {
    #[serde(default)]
    pub input: String,
    pub expected_output: String,
    /// Hidden tests are judged, but students never see their data.
    #[serde(default)]
    pub hidden: bool,
    #[serde(default = "super::one_point")]
    pub points: u32,
}

/// A validated question: build it with `Question::new`.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub slug: String,
    pub title: String,
    pub statement: String,
    pub limits: Limits,
    pub compare: Comparison,
    pub languages: Vec<String>,
    pub test_cases: Vec<QuestionTest>,
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
        spec.compare.validate()?;
        Ok(Self {
            limits: policy.resolve(&spec.limits)?,
            slug: spec.slug,
            title: spec.title.trim().to_string(),
            statement: spec.statement,
            compare: spec.compare,
            languages: spec.languages,
            test_cases: spec.test_cases,
        })
    }

    /// The question with `test` appended, if it is still valid.
    pub fn with_test(mut self, test: QuestionTest) -> Result<Self, String> {
        self.test_cases.push(test);
        check_tests(&self.test_cases)?;
        Ok(self)
    }

    /// The points of all its tests.
    pub fn max_score(&self) -> u32 {
        self.test_cases.iter().map(|test| test.points).sum()
    }

    /// Whether submissions in `language` are judged.
    pub fn allows(&self, language: &str) -> bool {
        self.languages.is_empty() || self.languages.iter().any(|l| l == language)
    }

    /// `code` as a submission to this question: its tests (hidden ones
    /// marked), limits and comparison.
    pub fn submission(&self, code: String) -> Result<Submission, String> {
        self.judged_on(code, |_| true)
    }

    /// `code` in `language` as a submission, if the question accepts it.
    pub fn submission_in(&self, language: &str, code: String) -> Result<Submission, String> {
        if !self.allows(language) {
            return Err(format!(
                "question {:?} accepts {}, not {language}",
                self.slug,
                self.languages.join(", ")
            ));
        }
        self.submission(code)
    }

    /// `code` in `language` run on the visible tests only (the examples):
    /// a student's trial, not a submission.
    pub fn trial_in(&self, language: &str, code: String) -> Result<Submission, String> {
        self.submission_in(language, code.clone())?;
        if self.test_cases.iter().all(|test| test.hidden) {
            return Err(format!("question {:?} has no examples to run", self.slug));
        }
        self.judged_on(code, |test| !test.hidden)
    }

    fn judged_on(
        &self,
        code: String,
        keep: impl Fn(&QuestionTest) -> bool,
    ) -> Result<Submission, String> {
        let tests = (self.test_cases.iter())
            .filter(|test| keep(test))
            .map(|test| TestCase {
                hidden: test.hidden,
                points: test.points,
                ..TestCase::new(test.input.clone(), Some(test.expected_output.clone()))
            })
            .collect();
        Submission::with_limits(code, tests, self.limits.clone(), self.compare)
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
