//! `judgebox run FILE`: judge a file locally and print a table of verdicts,
//! for teachers checking a problem set.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;

use crate::configuration::RuntimeSettings;
use crate::judge::{Comparison, RequestedLimits, Submission, TestCase, TestResult};
use crate::languages::Language;
use crate::service::{self, ExecutionView};
use crate::startup::LoadedLanguages;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The source file to judge.
    pub file: PathBuf,
    /// The language [default: from the file's extension].
    #[arg(long, short)]
    pub language: Option<String>,
    /// Test cases as JSON: a list of {"input", "expected_output"}, or an object
    /// with "test_cases" and optional "limits" and "compare" as in POST /execute.
    /// Without it, the program runs once with this command's stdin.
    #[arg(long, short)]
    pub tests: Option<PathBuf>,
    /// Print the JSON the API would answer instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub runtime: RuntimeSettings,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TestsFile {
    List(Vec<TestCase>),
    Suite(Suite),
}

/// The `POST /execute` fields that describe tests, checked as strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    test_cases: Vec<TestCase>,
    #[serde(default)]
    limits: RequestedLimits,
    #[serde(default)]
    compare: Comparison,
}

/// Exits 0 when every test passed, 1 otherwise.
pub async fn run(args: RunArgs) -> Result<ExitCode> {
    let code = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let loaded = LoadedLanguages::load(&args.runtime).await?;
    let language = pick_language(&args, &loaded)?;
    let (test_cases, limits, comparison) = match &args.tests {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            match serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", path.display()))?
            {
                TestsFile::List(tests) => {
                    (tests, RequestedLimits::default(), Comparison::default())
                }
                TestsFile::Suite(suite) => (suite.test_cases, suite.limits, suite.compare),
            }
        }
        None => (
            vec![TestCase::new(read_stdin()?, None)],
            RequestedLimits::default(),
            Comparison::default(),
        ),
    };
    let name = language.info().name;
    let submission = Submission::new(code, test_cases, &limits, comparison, &loaded.limits, name)
        .map_err(anyhow::Error::msg)?;
    let playground = args.tests.is_none();
    let record = service::judge_unrecorded(language, submission, None, None).await;
    let report = &record.report;
    let all_passed = report.summary.all_passed;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&ExecutionView::new(record))?
        );
    } else {
        if playground {
            let result = &report.test_results[0];
            print!("{}", result.actual_output);
            eprint!("{}", result.stderr);
        }
        if let Some(output) = &report.compile_output {
            println!("compilation failed:\n{output}");
        }
        print_table(&report.test_results);
        let s = &report.summary;
        println!(
            "{} of {} passed ({}%)",
            s.passed, s.total_tests, s.pass_percentage
        );
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn pick_language(args: &RunArgs, loaded: &LoadedLanguages) -> Result<Arc<dyn Language>> {
    let supported = loaded.languages.names().join(", ");
    if let Some(name) = &args.language {
        return loaded
            .languages
            .get(name)
            .with_context(|| format!("unsupported language {name:?}; supported: {supported}"));
    }
    let extension = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match loaded.languages.for_extension(extension) {
        Some(language) => Ok(language),
        None => bail!(
            "cannot tell the language of {} from its extension; pass --language ({supported})",
            args.file.display()
        ),
    }
}

fn read_stdin() -> Result<String> {
    let mut input = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin()
            .read_to_string(&mut input)
            .context("reading stdin")?;
    }
    Ok(input)
}

fn print_table(results: &[TestResult]) {
    println!(
        "{:>4}  {:<22} {:>10} {:>10} {:>14}",
        "test", "status", "time", "memory", "instructions"
    );
    for r in results {
        println!(
            "{:>4}  {:<22} {:>7.1} ms {:>7.1} MB {:>14}",
            r.test_number,
            r.status.to_string(),
            r.execution_time_ms.unwrap_or_default(),
            r.memory_usage_mb.unwrap_or_default(),
            r.instructions.unwrap_or_default()
        );
        if !r.passed {
            print_failure(r);
        }
    }
}

/// A few lines under a failed test: enough to see what went wrong.
fn print_failure(result: &TestResult) {
    const WIDTH: usize = 100;
    let show = |label: &str, text: &str| {
        if !text.is_empty() {
            let line: String = format!("{text:?}").chars().take(WIDTH).collect();
            println!("        {label:<9} {line}");
        }
    };
    show("message", result.message.as_deref().unwrap_or_default());
    if let Some(expected) = &result.expected_output {
        show("expected", expected);
        show("got", &result.actual_output);
    }
    show("stderr", result.stderr.lines().last().unwrap_or_default());
}
