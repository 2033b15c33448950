//! Importing a problem package, for `PUT /admin/questions/{slug}/package`,
//! `judgebox import` and the teacher's upload alike: the package is read
//! into a question; its checker is built and its input validators run on
//! every test (either failing refuses the package); the time limit is the
//! package's, or calibrated from its accepted submissions; then every
//! solution it ships is judged, and the question is stored as verified or
//! not verified, with the report.

use std::sync::Arc;

use serde::Serialize;

use super::{JudgingService, Refusal, Saved};
use crate::judge::{self, Question, Status, Verification, check_slug};
use crate::package::{self, Format, Package, PackageFiles, PackageSubmission, TimeLimit};

/// Whether a package whose solutions are not all judged as it expects is
/// stored (marked not verified) or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    StoreUnverified,
    Refuse,
}

impl Strictness {
    /// `Refuse` when asked to be strict (`?strict=true`, `--strict`).
    pub fn strict_if(strict: bool) -> Self {
        if strict {
            Self::Refuse
        } else {
            Self::StoreUnverified
        }
    }
}

/// What an import found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub format: Format,
    /// Every solution the package ships was judged as it expects.
    pub verified: bool,
    /// Why not, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The general time limit, and where it came from: `package`,
    /// `calibrated` (from the accepted submissions) or `default`.
    pub time_limit_ms: u64,
    pub time_limit_source: &'static str,
    pub tests: usize,
    /// The input validators that accepted every test.
    pub input_validators: Vec<String>,
    pub submissions: Vec<CheckedSubmission>,
    pub warnings: Vec<String>,
}

/// One of the package's solutions, judged.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckedSubmission {
    /// Where it is in the package.
    pub path: String,
    pub language: Option<String>,
    /// What the package expects of it (its folder or tag).
    pub expected: String,
    /// `accepted`, or the status of the first test it failed; absent if
    /// it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Status>,
    /// Whether the outcome is one the package expects.
    pub as_expected: bool,
    /// Why it was not judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub score: u32,
    /// The slowest test's CPU time.
    pub max_cpu_time_ms: f64,
}

impl JudgingService {
    /// Imports the zipped package `zip` as the question `slug`, its
    /// statement in `statement_language` where it has several.
    pub async fn import_zip(
        &self,
        zip: bytes::Bytes,
        slug: String,
        statement_language: String,
        strictness: Strictness,
    ) -> Result<(Question, Saved, ImportReport), Refusal> {
        check_slug(&slug).map_err(Refusal::Invalid)?;
        // Unpacking up to 256 MiB is work for a blocking thread.
        let read = tokio::task::spawn_blocking(move || {
            let files = PackageFiles::from_zip(&zip)?;
            package::read(&files, &slug, &statement_language)
        });
        let package = (read.await)
            .map_err(|error| Refusal::Internal(error.into()))?
            .map_err(|problem| {
                Refusal::Invalid(format!("the package cannot be imported: {problem}"))
            })?;
        self.import_package(package, strictness).await
    }

    /// Imports `package` as its question (replacing one of the same slug).
    pub async fn import_package(
        &self,
        mut package: Package,
        strictness: Strictness,
    ) -> Result<(Question, Saved, ImportReport), Refusal> {
        self.fit_limits(&mut package);
        let question = self.check_question(package.spec.clone()).await?;
        let input_validators = self.validate_inputs(&package, &question).await?;
        let (question, time_limit_source, calibration_failed) =
            self.time_limit(&package, question).await?;
        let mut submissions = Vec::new();
        for submission in &package.submissions {
            submissions.push(self.check_submission(&question, submission).await?);
        }
        let mismatches: Vec<String> = (submissions.iter())
            .filter(|s| s.skipped.is_none() && !s.as_expected)
            .map(|s| {
                let outcome = s.outcome.map_or("not judged".into(), |o| o.to_string());
                format!("{} ({}) was {outcome}", s.path, s.expected)
            })
            .collect();
        let reason = match (calibration_failed, mismatches.is_empty()) {
            (None, true) => None,
            (Some(why), true) => Some(why),
            (why, false) => {
                let listed = format!(
                    "not judged as the package expects: {}",
                    mismatches.join("; ")
                );
                Some(why.map_or(listed.clone(), |why| format!("{why}; {listed}")))
            }
        };
        let report = ImportReport {
            format: package.format,
            verified: reason.is_none(),
            time_limit_ms: question.limits().time_ms,
            time_limit_source,
            tests: question.test_cases().len(),
            input_validators,
            submissions,
            warnings: package.warnings,
            reason: reason.clone(),
        };
        if let (Strictness::Refuse, Some(reason)) = (strictness, &reason) {
            return Err(Refusal::Invalid(format!(
                "the package is not verified: {reason}"
            )));
        }
        let question = question.verified(Verification {
            verified: reason.is_none(),
            reason,
        });
        let saved = match self.database.put_question(&question).await? {
            true => Saved::Created,
            false => Saved::Replaced,
        };
        (self.database)
            .put_statement_images(question.slug(), &package.images)
            .await?;
        Ok((question, saved, report))
    }

    /// Limits above the server's maxima are brought down to them, saying so.
    fn fit_limits(&self, package: &mut Package) {
        let limits = &mut package.spec.limits;
        let fits = [
            (
                "memory",
                "MiB",
                &mut limits.memory_mb,
                self.limits.max_memory_mb(),
            ),
            (
                "output",
                "KiB",
                &mut limits.output_kb,
                self.limits.max_output_kb(),
            ),
            ("time", "ms", &mut limits.time_ms, self.limits.max_time_ms()),
        ];
        for (what, unit, limit, max) in fits {
            if let Some(value) = limit.filter(|value| *value > max) {
                package.warnings.push(format!(
                    "the package's {what} limit of {value} {unit} is above this server's \
                     {max} {unit}: {max} {unit} is used"
                ));
                *limit = Some(max);
            }
        }
    }

    /// Runs every input validator on every test; the validators' paths.
    async fn validate_inputs(
        &self,
        package: &Package,
        question: &Question,
    ) -> Result<Vec<String>, Refusal> {
        let mut validated = Vec::new();
        for validator in &package.input_validators {
            let language = self.language(&validator.program.language)?;
            let built = (validator.program.build(language.as_ref()).await).map_err(|error| {
                Refusal::Invalid(format!("input validator {}: {error}", validator.path))
            })?;
            for (number, test) in (1..).zip(question.test_cases()) {
                built.validate_input(&test.input).await.map_err(|why| {
                    Refusal::Invalid(format!(
                        "input validator {} refuses test {number}: {why}",
                        validator.path
                    ))
                })?;
            }
            validated.push(validator.path.clone());
        }
        Ok(validated)
    }

    /// The question with its time limit set, where it came from, and why
    /// calibration failed if it did.
    async fn time_limit(
        &self,
        package: &Package,
        question: Question,
    ) -> Result<(Question, &'static str, Option<String>), Refusal> {
        let TimeLimit::FromAccepted { .. } = package.time_limit else {
            return Ok((question, "package", None));
        };
        if question.reference_solutions().is_empty() {
            return Ok((question, "default", None));
        }
        match judge::calibrate(&question, &self.languages, &self.limits).await? {
            Ok(calibrated) => {
                let question = question.calibrated_as(calibrated.calibration, &self.limits);
                Ok((question, "calibrated", None))
            }
            Err(why) => Ok((
                question,
                "default",
                Some(format!("the time limit cannot be calibrated: {why}")),
            )),
        }
    }

    /// Judges one of the package's solutions on the question.
    async fn check_submission(
        &self,
        question: &Question,
        submission: &PackageSubmission,
    ) -> Result<CheckedSubmission, Refusal> {
        let program = &submission.program;
        let mut checked = CheckedSubmission {
            path: program.path.clone(),
            language: program.language.map(String::from),
            expected: submission.expected.clone(),
            outcome: None,
            as_expected: false,
            skipped: None,
            score: 0,
            max_cpu_time_ms: 0.0,
        };
        let language = program.language.and_then(|name| self.languages.get(name));
        let (Some(language), true) = (language, program.files.is_empty()) else {
            checked.skipped = Some(match program.language {
                Some(_) => "a solution of several files".into(),
                None => "a language judgebox does not run".into(),
            });
            return Ok(checked);
        };
        let name = language.info().name;
        let judged = (question.submission_in(name, program.source.clone(), &self.limits))
            .map_err(Refusal::Invalid)?;
        let mut judged = (question.with_checkers(judged, &self.languages).await)
            .map_err(|error| Refusal::Internal(anyhow::anyhow!(error)))?;
        // A solution expected to fail is done at its first failure (a
        // too slow one would otherwise run out of time on every test).
        judged.stop_at_first_failure = !submission.outcomes.contains(&Status::Accepted);
        let report = judge::judge(Arc::clone(&language), judged).await;
        let outcome = (report.test_results.iter())
            .find(|result| !result.passed)
            .map_or(Status::Accepted, |result| result.status);
        checked.outcome = Some(outcome);
        checked.as_expected = submission.outcomes.contains(&outcome);
        checked.score = report.summary.score;
        checked.max_cpu_time_ms = (report.test_results.iter())
            .filter_map(|r| r.cpu_time_ms)
            .fold(0.0, f64::max);
        Ok(checked)
    }
}
