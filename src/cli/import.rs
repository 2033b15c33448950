//! `judgebox import PATH...`: questions into the database, from JSON
//! documents (as `POST /admin/questions` takes) or from folders:
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

use crate::configuration::LimitSettings;
use crate::judge::{
    CalibrationSettings, CheckerSpec, Comparison, Question, QuestionSpec, QuestionTest,
    ReferenceSolution, RequestedLimits, TestGroup,
};
use crate::languages;
use crate::store::Database;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Question folders or JSON documents.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The database to import into, as `judgebox serve` takes it.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://judgebox.db")]
    pub database_url: String,
    /// Questions are checked against the limits `judgebox serve` enforces.
    #[command(flatten)]
    pub limits: LimitSettings,
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
    groups: Vec<TestGroup>,
}

pub async fn import(args: ImportArgs) -> Result<ExitCode> {
    let policy = args.limits.policy()?;
    let database = Database::connect(&args.database_url).await?;
    let names = languages::names();
    for path in &args.paths {
        let spec = if path.is_dir() {
            folder_spec(path)?
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        };
        let question = Question::new(spec, &policy, &names)
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))?;
        let created = database.put_question(&question).await?;
        let hidden = question.test_cases().iter().filter(|t| t.hidden).count();
        println!(
            "{} {} ({} tests, {hidden} hidden)",
            if created { "created" } else { "replaced" },
            question.slug(),
            question.test_cases().len()
        );
    }
    Ok(ExitCode::SUCCESS)
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
            })
        })
        .collect()
}
