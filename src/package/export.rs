//! A question as a Kattis package (the 2025-09 layout), which imports
//! again to the same question where the format can say it all:
//!
//! ```text
//! problem.yaml                 name, type, time and memory limits, languages
//! statement/problem.en.md      the statement, and the images it shows
//! data/sample/NNN.in, .ans     the visible tests (.interaction: an interactive sample)
//! data/secret/[GROUP/]NNN.in   the hidden tests, in their groups
//!   test_group.yaml            a group's score and aggregation
//! data/test_group.yaml         the Kattis comparison's flags
//! output_validator/            the checker or interactor (Kattis protocol)
//! submissions/accepted/        the reference solutions
//! ```
//!
//! What Kattis cannot say is approximated: a visible test is a sample,
//! worth nothing; a group's points are split evenly over its tests; the
//! comparison modes other than `kattis` become its nearest flags.

use std::io::Write;

use serde_yaml::{Mapping, Value};

use crate::judge::{
    CheckerProtocol, CompareMode, GroupScoring, Question, StatementImage, TestGroup,
};

/// The group of hidden tests that are in none.
const UNGROUPED: &str = "secret";

/// The zipped package; `Err` when the question cannot be one (a testlib
/// checker or interactor: Kattis packages speak only the Kattis protocol).
/// `images` are those its statement shows.
pub fn kattis_zip(question: &Question, images: &[StatementImage]) -> Result<Vec<u8>, String> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |path: String, text: &str| files.push((path, text.as_bytes().to_vec()));

    let scored = !question.groups().is_empty()
        || (question.test_cases().iter()).any(|t| t.hidden && t.points != 1);
    add("problem.yaml".into(), &problem_yaml(question, scored));
    // The images beside the statement, which names them as the package's own.
    let served = StatementImage::served_under(question.slug());
    add(
        "statement/problem.en.md".into(),
        &question.statement().replace(&served, ""),
    );

    let mut numbers = 0;
    for test in question.test_cases() {
        numbers += 1;
        let folder = match (test.hidden, &test.group) {
            (false, _) => "data/sample".to_string(),
            (true, Some(group)) if group != UNGROUPED && group != "sample" => {
                format!("data/secret/{group}")
            }
            (true, _) => "data/secret".to_string(),
        };
        add(format!("{folder}/{numbers:03}.in"), &test.input);
        add(format!("{folder}/{numbers:03}.ans"), &test.expected_output);
        if let Some(interaction) = &test.interaction {
            add(format!("{folder}/{numbers:03}.interaction"), interaction);
        }
    }
    if scored {
        for (folder, points, group) in group_scores(question) {
            let aggregation = match group.map(|g| g.scoring) {
                Some(GroupScoring::Min) => "min",
                _ => "sum",
            };
            let mut yaml = format!("score: {points}\naggregation: {aggregation}\n");
            if group.is_some_and(|g| g.stop_at_first_failure) {
                yaml.push_str("on_reject: break\n");
            }
            add(format!("{folder}/test_group.yaml"), &yaml);
        }
    }
    // An interactive question's interactor is its output validator.
    let validator = question.interactor().or(question.checker());
    // The arguments of the validator, or the default validator's flags.
    let flags = match validator {
        Some(validator) => validator.arguments.clone(),
        None => validator_flags(question),
    };
    if !flags.is_empty() {
        add(
            "data/test_group.yaml".into(),
            &format!("output_validator_args: {}\n", flags.join(" ")),
        );
    }
    if let Some(checker) = validator {
        if checker.protocol != CheckerProtocol::Kattis {
            return Err(
                "its checker or interactor speaks testlib's protocol, which Kattis packages \
                 do not: export needs a Kattis output validator"
                    .into(),
            );
        }
        let main = match checker.language.as_str() {
            "c" => "validate.c",
            "java" => "Validator.java",
            _ => "validate.cpp",
        };
        add(format!("output_validator/{main}"), &checker.source);
        for (name, text) in &checker.files {
            add(format!("output_validator/{name}"), text);
        }
    }
    for (number, reference) in (1..).zip(question.reference_solutions()) {
        let extension = match reference.language.as_str() {
            "python" => "py",
            "javascript" => "js",
            "c" => "c",
            "java" => "java",
            _ => "cpp",
        };
        let name = match extension {
            // javac names the file after its public class.
            "java" => format!("submissions/accepted/reference{number}/Main.java"),
            _ => format!("submissions/accepted/reference{number}.{extension}"),
        };
        add(name, &reference.code);
    }
    for image in images {
        files.push((
            format!("statement/{}", image.name()),
            image.bytes().to_vec(),
        ));
    }
    zip(&files)
}

fn problem_yaml(question: &Question, scored: bool) -> String {
    let limits = question.limits();
    let mut yaml = Mapping::new();
    let mut set = |key: &str, value: Value| {
        yaml.insert(Value::String(key.into()), value);
    };
    set("problem_format_version", "2025-09".into());
    set("name", question.title().into());
    set("uuid", uuid::Uuid::new_v4().to_string().into());
    let kind = Value::from(if scored { "scoring" } else { "pass-fail" });
    match question.interactor() {
        Some(_) => set("type", Value::Sequence(vec![kind, "interactive".into()])),
        None => set("type", kind),
    }
    let mut limit = Mapping::new();
    limit.insert("time_limit".into(), (limits.time_ms as f64 / 1000.0).into());
    limit.insert("memory".into(), limits.memory_mb.into());
    limit.insert("output".into(), (limits.output_kb.div_ceil(1024)).into());
    set("limits", Value::Mapping(limit));
    if !question.languages().is_empty() {
        let languages = question
            .languages()
            .iter()
            .map(|l| Value::String(l.clone()));
        set("languages", Value::Sequence(languages.collect()));
    }
    serde_yaml::to_string(&yaml).unwrap_or_default()
}

/// Each folder of hidden tests, its points, and its group, in the tests' order.
fn group_scores(question: &Question) -> Vec<(String, u32, Option<&TestGroup>)> {
    let mut scores: Vec<(String, u32, Option<&TestGroup>)> = Vec::new();
    for test in question.test_cases().iter().filter(|t| t.hidden) {
        let name = test
            .group
            .as_deref()
            .filter(|g| *g != UNGROUPED && *g != "sample");
        let folder = name.map_or("data/secret".to_string(), |g| format!("data/secret/{g}"));
        let group =
            (question.groups().iter()).find(|g| Some(g.name.as_str()) == test.group.as_deref());
        match scores.iter_mut().find(|(f, _, _)| *f == folder) {
            Some((_, points, _)) => *points += test.points,
            None => scores.push((folder, test.points, group)),
        }
    }
    scores
}

/// The comparison as the Kattis default validator's flags.
fn validator_flags(question: &Question) -> Vec<String> {
    let compare = question.compare();
    let mut flags = Vec::new();
    let case_sensitive = compare.mode != CompareMode::Kattis || compare.case_sensitive;
    if case_sensitive {
        flags.push("case_sensitive".to_string());
    }
    if compare.space_change_sensitive || compare.mode == CompareMode::Exact {
        flags.push("space_change_sensitive".into());
    }
    let tolerances = match compare.mode {
        CompareMode::Float => (Some(compare.tolerance), Some(compare.tolerance)),
        _ => (
            compare.float_absolute_tolerance,
            compare.float_relative_tolerance,
        ),
    };
    if let Some(tolerance) = tolerances.0 {
        flags.extend(["float_absolute_tolerance".into(), tolerance.to_string()]);
    }
    if let Some(tolerance) = tolerances.1 {
        flags.extend(["float_relative_tolerance".into(), tolerance.to_string()]);
    }
    flags
}

/// A zip archive of `files` (path, contents), deflated.
pub fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (path, contents) in files {
        (writer.start_file(path.as_str(), options))
            .and_then(|()| Ok(writer.write_all(contents)?))
            .map_err(|error| format!("zipping {path}: {error}"))?;
    }
    let cursor = writer
        .finish()
        .map_err(|error| format!("zipping: {error}"))?;
    Ok(cursor.into_inner())
}
