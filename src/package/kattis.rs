//! The Kattis / ICPC problem package format: legacy, 2023-07 and 2025-09.
//!
//! ```text
//! problem.yaml                      name, type / validation, limits, validator_flags
//! problem_statement/problem.en.md   (or .tex; statement/ in 2025-09)
//! data/sample/*.in, *.ans           visible tests, worth nothing
//!   *.interaction                   an interactive sample, shown to students
//! data/secret/**/*.in, *.ans        hidden tests; subfolders are test groups
//!   testdata.yaml, test_group.yaml  a group's settings (score, aggregation, flags)
//! output_validators/NAME/           (legacy) or output_validator/: a custom checker,
//!                                   or an interactive problem's interactor
//! input_validators/NAME/            programs that accept each input (exit 42)
//! submissions/accepted/...          solutions and their expected verdicts
//! ```

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::{
    FAILURES, Format, InputValidator, Package, PackageFiles, PackageProgram, PackageSubmission,
    TimeLimit, split_points,
};
use crate::judge::{
    CalibrationSettings, CheckerProtocol, CompareMode, Comparison, GroupScoring, QuestionSpec,
    QuestionTest, ReferenceSolution, RequestedLimits, Status, TestGroup,
};
use crate::package::statement;

/// The legacy format's default multiplier over the slowest accepted
/// submission, and the current formats' (`ac_to_time_limit`).
const LEGACY_TIME_MULTIPLIER: f64 = 5.0;
const TIME_MULTIPLIER: f64 = 2.0;
/// Accepted submissions used to set the time limit (each runs several times).
const MAX_REFERENCES: usize = 10;

pub fn read(files: &PackageFiles, slug: &str, statement_language: &str) -> Result<Package, String> {
    let yaml = files.text("problem.yaml")?.unwrap_or_default();
    let problem: Value = serde_yaml::from_str(&yaml)
        .map_err(|error| format!("problem.yaml is not YAML: {error}"))?;
    let problem = if problem.is_null() {
        Value::Mapping(Default::default())
    } else {
        problem
    };
    let mut warnings = Vec::new();
    let legacy = problem
        .get("problem_format_version")
        .is_none_or(|v| v.as_str() == Some("legacy"));
    let types = problem_types(&problem);
    let interactive = types.iter().any(|t| t == "interactive");
    for unsupported in ["multi-pass", "submit-answer"] {
        if types.iter().any(|t| t == unsupported) {
            return Err(format!("{unsupported} problems are not supported"));
        }
    }
    let scoring = types.iter().any(|t| t == "scoring");

    let flags = validator_flags(&problem, files)?;
    let validator = output_validator(files, &flags)?;
    let compare = match &validator {
        Some(_) => Comparison::default(),
        None => default_validator(&flags)?,
    };
    // An interactive problem's output validator talks to the submission.
    let (checker, interactor) = match (interactive, validator) {
        (true, None) => {
            return Err(
                "an interactive problem needs its output validator (the interactor)".into(),
            );
        }
        (true, validator) => (None, validator),
        (false, validator) => (validator, None),
    };
    let (test_cases, groups) = tests(files, scoring)?;
    let limits = &problem["limits"];
    let mib = |key: &str| limits[key].as_f64().map(|mib| mib as u64);
    let time_limit = match limits["time_limit"].as_f64() {
        Some(seconds) => TimeLimit::Given((seconds * 1000.0).round() as u64),
        None => TimeLimit::FromAccepted {
            multiplier: (limits["time_multipliers"]["ac_to_time_limit"].as_f64())
                .or(limits["time_multiplier"].as_f64())
                .unwrap_or(if legacy {
                    LEGACY_TIME_MULTIPLIER
                } else {
                    TIME_MULTIPLIER
                }),
        },
    };
    let submissions = submissions(files, &mut warnings)?;
    let languages = languages(&problem, &mut warnings);
    let allowed = |language: &str| languages.is_empty() || languages.iter().any(|l| l == language);
    let accepted = (submissions.iter())
        .filter(|s| s.expected == "accepted" && s.program.language.is_some_and(allowed))
        .take(MAX_REFERENCES)
        .map(|s| ReferenceSolution {
            language: s.program.language.expect("filtered").to_string(),
            code: s.program.source.clone(),
        });
    // Reference solutions either way: calibration may be run later.
    let reference_solutions = accepted.collect();
    let calibration = match time_limit {
        TimeLimit::FromAccepted { multiplier } => CalibrationSettings {
            multiplier,
            ..CalibrationSettings::default()
        },
        TimeLimit::Given(_) => CalibrationSettings::default(),
    };
    let spec = QuestionSpec {
        slug: slug.to_string(),
        title: name(&problem, statement_language).unwrap_or_else(|| slug.to_string()),
        statement: statement::kattis(files, statement_language, &mut warnings)?,
        limits: RequestedLimits {
            time_ms: match time_limit {
                TimeLimit::Given(ms) => Some(ms),
                TimeLimit::FromAccepted { .. } => None,
            },
            memory_mb: mib("memory"),
            output_kb: mib("output").map(|mib| mib * 1024),
            instruction_limit: None,
        },
        compare,
        languages,
        test_cases,
        limits_by_language: BTreeMap::new(),
        reference_solutions,
        calibration,
        checker,
        interactor,
        groups,
    };
    Ok(Package {
        format: Format::Kattis,
        spec,
        input_validators: input_validators(files, &mut warnings)?,
        submissions,
        time_limit,
        warnings,
        images: Vec::new(),
    })
}

/// The languages `languages` (2025-09) allows, those judgebox runs under
/// Kattis's names; none (every language) if it names no other.
fn languages(problem: &Value, warnings: &mut Vec<String>) -> Vec<String> {
    let Some(listed) = problem["languages"].as_sequence() else {
        return Vec::new();
    };
    let mut languages = Vec::new();
    for name in listed.iter().filter_map(Value::as_str) {
        let ours = match name {
            "python3" | "python" => Some("python"),
            "cpp" | "c++" => Some("cpp"),
            "cpp20" => Some("cpp20"),
            "c" => Some("c"),
            "java" => Some("java"),
            "javascript" | "nodejs" => Some("javascript"),
            _ => None,
        };
        match ours {
            Some(ours) if !languages.iter().any(|l| l == ours) => languages.push(ours.to_string()),
            Some(_) => {}
            None => warnings.push(format!(
                "the package allows {name}, which judgebox does not run"
            )),
        }
    }
    languages
}

/// `type` (a word or a list, current formats) and the legacy `validation`.
fn problem_types(problem: &Value) -> Vec<String> {
    let mut types: Vec<String> = match &problem["type"] {
        Value::String(word) => word.split_whitespace().map(String::from).collect(),
        Value::Sequence(words) => words
            .iter()
            .filter_map(|w| w.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(validation) = problem["validation"].as_str() {
        let words: Vec<&str> = validation.split_whitespace().collect();
        if words.contains(&"interactive") {
            types.push("interactive".into());
        }
        if words.contains(&"score") {
            types.push("scoring".into());
        }
    }
    types
}

/// The problem's name: a string, or one per language (current formats).
fn name(problem: &Value, language: &str) -> Option<String> {
    match &problem["name"] {
        Value::String(name) => Some(name.clone()),
        Value::Mapping(names) => names
            .get(language)
            .or_else(|| names.values().next())
            .and_then(Value::as_str)
            .map(String::from),
        _ => None,
    }
}

/// The output validator's flags: legacy `validator_flags`, or
/// `output_validator_flags` / `output_validator_args` of `data/testdata.yaml`.
fn validator_flags(problem: &Value, files: &PackageFiles) -> Result<Vec<String>, String> {
    let data = group_settings(files, "data")?;
    let flags = [
        &problem["validator_flags"],
        &data["output_validator_flags"],
        &data["output_validator_args"],
    ];
    Ok(match flags.into_iter().find(|f| !f.is_null()) {
        Some(Value::String(flags)) => flags.split_whitespace().map(String::from).collect(),
        Some(Value::Sequence(flags)) => (flags.iter())
            .map(|flag| match flag {
                Value::String(text) => text.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// The default validator's flags as a comparison.
fn default_validator(flags: &[String]) -> Result<Comparison, String> {
    let mut compare = Comparison {
        mode: CompareMode::Kattis,
        ..Comparison::default()
    };
    let mut flags = flags.iter();
    let number = |flag: &str, value: Option<&String>| {
        (value.and_then(|v| v.parse::<f64>().ok()))
            .ok_or_else(|| format!("validator flag {flag} needs a number after it"))
    };
    while let Some(flag) = flags.next() {
        match flag.as_str() {
            "case_sensitive" => compare.case_sensitive = true,
            "space_change_sensitive" => compare.space_change_sensitive = true,
            "float_absolute_tolerance" => {
                compare.float_absolute_tolerance = Some(number(flag, flags.next())?);
            }
            "float_relative_tolerance" => {
                compare.float_relative_tolerance = Some(number(flag, flags.next())?);
            }
            "float_tolerance" => {
                let tolerance = number(flag, flags.next())?;
                compare.float_absolute_tolerance = Some(tolerance);
                compare.float_relative_tolerance = Some(tolerance);
            }
            other => return Err(format!("unknown default validator flag {other:?}")),
        }
    }
    compare.validate()?;
    Ok(compare)
}

/// The custom output validator: `output_validator/` (current formats) is
/// the program; `output_validators/` (legacy) holds one.
fn output_validator(
    files: &PackageFiles,
    flags: &[String],
) -> Result<Option<crate::judge::CheckerSpec>, String> {
    let program = if files.has_dir("output_validator/") {
        PackageProgram::read(files, "output_validator")?
    } else {
        match programs_in(files, "output_validators")?.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            several => {
                let paths: Vec<&str> = several.iter().map(|p| p.path.as_str()).collect();
                return Err(format!(
                    "more than one output validator: {}",
                    paths.join(", ")
                ));
            }
        }
    };
    program
        .map(|program| program.checker(CheckerProtocol::Kattis, flags.to_vec()))
        .transpose()
}

fn input_validators(
    files: &PackageFiles,
    warnings: &mut Vec<String>,
) -> Result<Vec<InputValidator>, String> {
    let mut programs = programs_in(files, "input_validators")?;
    if files.has_dir("input_validator/")
        && let Some(program) = PackageProgram::read(files, "input_validator")?
    {
        programs.push(program);
    }
    let mut validators = Vec::new();
    for program in programs {
        validators.extend(program.input_validator(CheckerProtocol::Kattis, warnings)?);
    }
    Ok(validators)
}

/// The programs in `dir`: each file or folder directly in it.
fn programs_in(files: &PackageFiles, dir: &str) -> Result<Vec<PackageProgram>, String> {
    let prefix = format!("{dir}/");
    let mut entries: Vec<String> = (files.under(&prefix))
        .map(|path| {
            let rest = &path[prefix.len()..];
            format!("{prefix}{}", rest.split('/').next().unwrap_or(rest))
        })
        .collect();
    entries.dedup();
    let mut programs = Vec::new();
    for entry in entries {
        if let Some(program) = PackageProgram::read(files, &entry)? {
            programs.push(program);
        }
    }
    Ok(programs)
}

/// A folder's `test_group.yaml` (current) or `testdata.yaml` (legacy);
/// null if it has neither.
fn group_settings(files: &PackageFiles, dir: &str) -> Result<Value, String> {
    for name in ["test_group.yaml", "testdata.yaml"] {
        let path = format!("{dir}/{name}");
        if let Some(text) = files.text(&path)? {
            return serde_yaml::from_str(&text).map_err(|error| format!("{path}: {error}"));
        }
    }
    Ok(Value::Null)
}

/// The tests under `data/`, samples first, each folder's in name order,
/// and their groups: every folder holding tests is one when the problem is
/// scored or has subgroups, named `sample`, `secret`, or by its path under
/// `data/secret/`.
/// A test as its folder holds it: `.in`, `.ans`, and an interactive
/// sample's `.interaction`.
struct FolderTest {
    input: String,
    expected: String,
    interaction: Option<String>,
}

fn tests(
    files: &PackageFiles,
    scoring: bool,
) -> Result<(Vec<QuestionTest>, Vec<TestGroup>), String> {
    let mut by_folder: Vec<(String, Vec<FolderTest>)> = Vec::new();
    for top in ["data/sample/", "data/secret/"] {
        for path in files.under(top).filter(|p| p.ends_with(".in")) {
            let folder = path.rsplit_once('/').expect("under a folder").0.to_string();
            let base = path.trim_end_matches(".in");
            let answer = format!("{base}.ans");
            let Some(expected) = files.text(&answer)? else {
                return Err(format!("{path} has no {answer} beside it"));
            };
            let test = FolderTest {
                input: files.text(path)?.expect("listed"),
                expected,
                interaction: files.text(&format!("{base}.interaction"))?,
            };
            match by_folder.last_mut() {
                Some((last, tests)) if *last == folder => tests.push(test),
                _ => by_folder.push((folder, vec![test])),
            }
        }
    }
    if !by_folder
        .iter()
        .any(|(folder, _)| folder.starts_with("data/secret"))
    {
        return Err("the package has no tests in data/secret/".into());
    }
    let grouped = scoring || by_folder.iter().any(|(f, _)| f.starts_with("data/secret/"));
    let mut tests = Vec::new();
    let mut groups = Vec::new();
    for (folder, folder_tests) in by_folder {
        let sample = folder == "data/sample";
        // `sample`, `secret`, and a subgroup by its path under `secret/`.
        let name = (folder.strip_prefix("data/secret/"))
            .unwrap_or_else(|| folder.trim_start_matches("data/"))
            .to_string();
        let settings = inherited_settings(files, &folder)?;
        let score = settings["score"]
            .as_u64()
            .or(settings["scoring"]["score"].as_u64());
        let accept_score = settings["accept_score"].as_u64().unwrap_or(1) as u32;
        let points = match (sample, score) {
            (true, _) => vec![0; folder_tests.len()],
            (false, Some(score)) => split_points(score as u32, folder_tests.len()),
            (false, None) => vec![accept_score; folder_tests.len()],
        };
        for (test, points) in folder_tests.into_iter().zip(points) {
            tests.push(QuestionTest {
                input: test.input,
                expected_output: test.expected,
                hidden: !sample,
                points,
                group: grouped.then(|| name.clone()),
                interaction: test.interaction,
            });
        }
        if grouped {
            groups.push(TestGroup {
                name,
                scoring: aggregation(&settings),
                stop_at_first_failure: settings["on_reject"].as_str() == Some("break"),
            });
        }
    }
    Ok((tests, groups))
}

/// A folder's settings, over those of the folders it is in.
fn inherited_settings(files: &PackageFiles, folder: &str) -> Result<Value, String> {
    let mut settings = serde_yaml::Mapping::new();
    let mut path = String::new();
    for part in folder.split('/') {
        path = if path.is_empty() {
            part.to_string()
        } else {
            format!("{path}/{part}")
        };
        if let Value::Mapping(own) = group_settings(files, &path)? {
            settings.extend(own);
        }
    }
    Ok(Value::Mapping(settings))
}

/// `min` where a group says so (2023-07's `aggregation`, 2025-09's
/// `score_aggregation`, legacy `grader_flags`).
fn aggregation(settings: &Value) -> GroupScoring {
    let said = [
        &settings["score_aggregation"],
        &settings["aggregation"],
        &settings["scoring"]["aggregation"],
        &settings["grader_flags"],
    ];
    let min = said
        .iter()
        .filter_map(|v| v.as_str())
        .any(|words| words.split_whitespace().any(|w| w == "min"));
    if min {
        GroupScoring::Min
    } else {
        GroupScoring::Sum
    }
}

/// `submissions/<verdict>/<program>`, for every verdict folder judgebox
/// can check.
fn submissions(
    files: &PackageFiles,
    warnings: &mut Vec<String>,
) -> Result<Vec<PackageSubmission>, String> {
    let mut submissions = Vec::new();
    let mut folders: Vec<&str> = (files.under("submissions/"))
        .filter_map(|path| path.split('/').nth(1))
        .collect();
    folders.dedup();
    for folder in folders {
        let outcomes = match folder {
            "accepted" => vec![Status::Accepted],
            "wrong_answer" => vec![Status::WrongAnswer],
            "time_limit_exceeded" => vec![Status::TimeLimitExceeded],
            "run_time_error" => vec![Status::RuntimeError],
            "rejected" => FAILURES.to_vec(),
            other => {
                warnings.push(format!(
                    "submissions/{other}/ is not checked: judgebox does not know what it expects"
                ));
                continue;
            }
        };
        for program in programs_in(files, &format!("submissions/{folder}"))? {
            submissions.push(PackageSubmission {
                program,
                expected: folder.to_string(),
                outcomes: outcomes.clone(),
            });
        }
    }
    Ok(submissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_flags_become_the_kattis_comparison() {
        let flags: Vec<String> = ["case_sensitive", "float_tolerance", "1e-6"]
            .map(String::from)
            .to_vec();
        let compare = default_validator(&flags).unwrap();
        assert_eq!(compare.mode, CompareMode::Kattis);
        assert!(compare.case_sensitive && !compare.space_change_sensitive);
        assert_eq!(compare.float_absolute_tolerance, Some(1e-6));
        assert_eq!(compare.float_relative_tolerance, Some(1e-6));
        assert!(default_validator(&["float_tolerance".into()]).is_err());
        assert!(default_validator(&["loose".into()]).is_err());
    }
}
