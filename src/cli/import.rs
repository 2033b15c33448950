//! `judgebox import PATH...`: questions into the database, from problem
//! packages (Kattis / ICPC or Polygon, a folder or a zip: imported as
//! `PUT /admin/questions/{slug}/package` does, validators, verification and
//! all), from JSON documents (as `POST /admin/questions` takes), or from
//! folders of judgebox's own:
//!
//! ```text
//! sum-two/              the folder's name is the slug, unless question.json says
//!   question.json       {"title", "statement"?, "limits"?, "compare"?, "languages"?, "points"?,
//!                        "limits_by_language"?, "reference_solutions"?, "calibration"?,
//!                        "checker"?, "groups"?}
//!   statement.md        the statement, when question.json has none
//!   tests/NAME.in       visible tests, with NAME.out (or NAME.ans), in name order
//!   hidden/NAME.in      hidden tests, the same way
//! ```
//!
//! An existing question with the same slug is replaced, tests and all.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;

use crate::auth::AccessPolicy;
use crate::configuration::WorkerSettings;
use crate::judge::{
    CalibrationSettings, CheckerSpec, Comparison, QuestionSpec, QuestionTest, ReferenceSolution,
    RequestedLimits, TestGroup,
};
use crate::package::{self, DEFAULT_STATEMENT_LANGUAGE};
use crate::service::{ImportReport, JudgingService, Refusal, Saved, Strictness};
use crate::startup::LoadedLanguages;
use crate::store::Database;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Problem packages (folders or zips), question folders or JSON documents.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Refuse a package whose own solutions are not judged as it expects,
    /// instead of importing it marked not verified.
    #[arg(long)]
    pub strict: bool,
    /// A package's statement language, where it has several.
    #[arg(long, default_value = DEFAULT_STATEMENT_LANGUAGE)]
    pub statement_language: String,
    /// The database, runtimes and limits, as `judgebox serve` takes them:
    /// questions are checked against the limits it enforces, and packages'
    /// programs run in its sandbox.
    #[command(flatten)]
    pub worker: WorkerSettings,
}

/// `question.json` in a folder: the spec without its tests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FolderSpec {
    slug: Option<String>,
    title: String,
    statement: Option<String>,
    #[serde(default)]
    limits: RequestedLimits,
    #[serde(default)]
    compare: Comparison,
    #[serde(default)]
    languages: Vec<String>,
    /// What each test is worth.
    #[serde(default = "crate::judge::one_point")]
    points: u32,
    #[serde(default)]
    limits_by_language: BTreeMap<String, RequestedLimits>,
    #[serde(default)]
    reference_solutions: Vec<ReferenceSolution>,
    #[serde(default)]
    calibration: CalibrationSettings,
    #[serde(default)]
    checker: Option<CheckerSpec>,
    #[serde(default)]
    interactor: Option<CheckerSpec>,
    #[serde(default)]
    groups: Vec<TestGroup>,
}

/// Exits 0 when everything was imported (packages verified or not), 1
/// when a path is refused (nothing of it is stored), 2 on other errors.
pub async fn import(args: ImportArgs) -> Result<ExitCode> {
    let loaded = LoadedLanguages::load(&args.worker.runtime).await?;
    let database = Database::connect(&args.worker.database_url).await?;
    let access = AccessPolicy {
        open_execute: false,
    };
    let service = JudgingService::new(
        loaded.languages,
        loaded.limits,
        database,
        args.worker.judging(access),
    );
    let strictness = Strictness::strict_if(args.strict);
    for path in &args.paths {
        let imported = if package::is_package(path) {
            let slug = slug_of(path)?;
            let package = package::read_path(path, &slug, &args.statement_language)
                .map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))?;
            match service.import_package(package, strictness).await {
                Ok((question, saved, report)) => {
                    print_report(&report);
                    Ok((question, saved))
                }
                Err(refusal) => Err(refusal),
            }
        } else {
            let spec = if path.is_dir() {
                folder_spec(path)?
            } else {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("parsing {}", path.display()))?
            };
            service.put_question(spec).await
        };
        let (question, saved) = match imported {
            Ok(imported) => imported,
            Err(Refusal::Internal(error)) => return Err(error),
            Err(refusal) => {
                eprintln!("judgebox: {}: {refusal}", path.display());
                return Ok(ExitCode::FAILURE);
            }
        };
        let hidden = question.test_cases().iter().filter(|t| t.hidden).count();
        println!(
            "{} {} ({} tests, {hidden} hidden)",
            match saved {
                Saved::Created => "created",
                Saved::Replaced => "replaced",
            },
            question.slug(),
            question.test_cases().len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A package's slug: its folder's or zip's name, lowercased, with what a
/// slug may not hold turned into `-`.
fn slug_of(path: &Path) -> Result<String> {
    let path = path.canonicalize()?;
    let name = path
        .file_stem()
        .context("a package has a name")?
        .to_string_lossy();
    let slug: String = (name.to_lowercase().chars())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok(slug.trim_matches('-').chars().take(64).collect())
}

fn print_report(report: &ImportReport) {
    for submission in &report.submissions {
        let outcome = match (&submission.skipped, submission.outcome) {
            (Some(why), _) => format!("skipped ({why})"),
            (None, Some(outcome)) => outcome.to_string(),
            (None, None) => "not judged".into(),
        };
        let mark = if submission.skipped.is_some() || submission.as_expected {
            "ok"
        } else {
            "MISMATCH"
        };
        println!(
            "  {mark:8} {} expects {}: {outcome} ({:.0} ms CPU at most)",
            submission.path, submission.expected, submission.max_cpu_time_ms
        );
    }
    println!(
        "  time limit {} ms ({}); {}",
        report.time_limit_ms,
        report.time_limit_source,
        match &report.reason {
            None => "verified".to_string(),
            Some(reason) => format!("NOT VERIFIED: {reason}"),
        }
    );
    for warning in &report.warnings {
        println!("  warning: {warning}");
    }
}

fn folder_spec(dir: &Path) -> Result<QuestionSpec> {
    let spec_path = dir.join("question.json");
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let spec: FolderSpec =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", spec_path.display()))?;
    let statement = match spec.statement {
        Some(statement) => statement,
        None => std::fs::read_to_string(dir.join("statement.md")).unwrap_or_default(),
    };
    let mut test_cases = tests_in(&dir.join("tests"), false, spec.points)?;
    test_cases.extend(tests_in(&dir.join("hidden"), true, spec.points)?);
    let slug = match spec.slug {
        Some(slug) => slug,
        None => dir
            .canonicalize()?
            .file_name()
            .context("a folder has a name")?
            .to_string_lossy()
            .into_owned(),
    };
    Ok(QuestionSpec {
        slug,
        title: spec.title,
        statement,
        limits: spec.limits,
        compare: spec.compare,
        languages: spec.languages,
        test_cases,
        limits_by_language: spec.limits_by_language,
        reference_solutions: spec.reference_solutions,
        calibration: spec.calibration,
        checker: spec.checker,
        interactor: spec.interactor,
        groups: spec.groups,
    })
}

/// `NAME.in` with `NAME.out` or `NAME.ans`, in name order; none if `dir`
/// does not exist.
fn tests_in(dir: &Path, hidden: bool, points: u32) -> Result<Vec<QuestionTest>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut inputs: Vec<PathBuf> = entries
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    inputs.retain(|path| path.extension().is_some_and(|e| e == "in"));
    inputs.sort();
    inputs
        .into_iter()
        .map(|input| {
            let Some(expected) = ["out", "ans"]
                .iter()
                .map(|extension| input.with_extension(extension))
                .find(|path| path.exists())
            else {
                bail!("{} has no .out or .ans beside it", input.display());
            };
            Ok(QuestionTest {
                input: std::fs::read_to_string(&input)?,
                expected_output: std::fs::read_to_string(&expected)?,
                hidden,
                points,
                group: None,
                interaction: None,
            })
        })
        .collect()
}
