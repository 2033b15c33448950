//! Polygon's full packages (Codeforces, and what CMS imports): `problem.xml`
//! says where everything is.
//!
//! ```text
//! problem.xml         names, the testset (time limit in ms, memory limit in
//!                     bytes, tests with sample / points / group, path
//!                     patterns, groups and their points policy), the
//!                     checker, validators and solutions with their tags
//! tests/01, 01.a      the tests and their answers, as the patterns say
//! files/check.cpp     the testlib checker, with files/testlib.h
//! statements/english/ the statement's sections
//! ```

use std::collections::BTreeMap;

use roxmltree::{Document, Node};

use super::{
    FAILURES, Format, Package, PackageFiles, PackageProgram, PackageSubmission, TimeLimit,
    statement,
};
use crate::judge::{
    CalibrationSettings, CheckerProtocol, Comparison, GroupScoring, QuestionSpec, QuestionTest,
    RequestedLimits, Status, TestGroup,
};

pub fn read(files: &PackageFiles, slug: &str, statement_language: &str) -> Result<Package, String> {
    let xml = files.text("problem.xml")?.unwrap_or_default();
    let document = Document::parse(&xml).map_err(|error| format!("problem.xml: {error}"))?;
    let problem = document.root_element();
    let mut warnings = Vec::new();
    let testset = (child(problem, "judging"))
        .and_then(|judging| {
            let testsets = judging.children().filter(|n| n.has_tag_name("testset"));
            let mut testsets: Vec<Node> = testsets.collect();
            let tests = testsets
                .iter()
                .position(|t| t.attribute("name") == Some("tests"));
            tests
                .map(|index| testsets.swap_remove(index))
                .or(testsets.into_iter().next())
        })
        .ok_or("problem.xml has no <judging><testset>")?;
    let number = |name: &str| {
        (child(testset, name))
            .and_then(|n| n.text())
            .and_then(|t| t.trim().parse::<u64>().ok())
    };
    let time_ms = number("time-limit").ok_or("the testset has no <time-limit>")?;
    let memory_mb = number("memory-limit").map(|bytes| bytes >> 20);
    let (test_cases, groups) = tests(files, testset)?;

    let assets = child(problem, "assets");
    // The checker, and an interactive problem's interactor: testlib both.
    let testlib = |name: &str| match assets.and_then(|a| child(a, name)) {
        Some(node) => {
            let path = source_path(node).ok_or_else(|| format!("the <{name}> has no <source>"))?;
            let program = program(files, path, &resources(problem))?;
            program
                .checker(CheckerProtocol::Testlib, Vec::new())
                .map(Some)
        }
        None => Ok(None),
    };
    let checker = testlib("checker")?;
    let interactor = testlib("interactor")?;
    let validators = (assets.and_then(|a| child(a, "validators")).into_iter())
        .flat_map(|validators| {
            validators
                .children()
                .filter(|n| n.has_tag_name("validator"))
        })
        .filter_map(source_path);
    let mut input_validators = Vec::new();
    for path in validators {
        let program = program(files, path, &resources(problem))?;
        input_validators.extend(program.input_validator(CheckerProtocol::Testlib, &mut warnings)?);
    }
    let submissions = solutions(files, problem, &mut warnings)?;

    let title = (child(problem, "names").into_iter())
        .flat_map(|names| names.children().filter(|n| n.has_tag_name("name")))
        .map(|name| {
            (
                name.attribute("language").unwrap_or(""),
                name.attribute("value").unwrap_or(""),
            )
        })
        .fold(
            None,
            |found: Option<(&str, &str)>, (language, value)| match found {
                Some(found) if found.0 == polygon_language_name(statement_language) => Some(found),
                _ => Some((language, value)),
            },
        )
        .map(|(_, value)| value.to_string())
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| slug.to_string());

    let spec = QuestionSpec {
        slug: slug.to_string(),
        title,
        statement: statement::polygon(files, statement_language, &mut warnings)?,
        limits: RequestedLimits {
            time_ms: Some(time_ms),
            memory_mb,
            output_kb: None,
            instruction_limit: None,
        },
        compare: Comparison::default(),
        languages: Vec::new(),
        test_cases,
        limits_by_language: BTreeMap::new(),
        reference_solutions: Vec::new(),
        calibration: CalibrationSettings::default(),
        checker,
        interactor,
        groups,
    };
    Ok(Package {
        format: Format::Polygon,
        spec,
        input_validators,
        submissions,
        time_limit: TimeLimit::Given(time_ms),
        warnings,
        images: Vec::new(),
    })
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn source_path<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    child(node, "source").and_then(|source| source.attribute("path"))
}

fn polygon_language_name(code: &str) -> &str {
    if code == "en" { "english" } else { code }
}

/// The files every program compiles with (`files/testlib.h`).
fn resources(problem: Node) -> Vec<String> {
    (child(problem, "files")
        .and_then(|files| child(files, "resources"))
        .into_iter())
    .flat_map(|resources| resources.children().filter(|n| n.has_tag_name("file")))
    .filter_map(|file| file.attribute("path").map(String::from))
    .collect()
}

/// The program at `path`, with the package's resources beside it.
fn program(
    files: &PackageFiles,
    path: &str,
    resources: &[String],
) -> Result<PackageProgram, String> {
    let mut program = PackageProgram::read(files, path)?
        .ok_or_else(|| format!("{path} is not in the package"))?;
    for resource in resources {
        let name = resource.rsplit('/').next().unwrap_or(resource);
        if let Some(text) = files.text(resource)? {
            program.files.entry(name.to_string()).or_insert(text);
        }
    }
    Ok(program)
}

/// The tests as the path patterns name them (`tests/%02d`), with their
/// points and groups.
fn tests(
    files: &PackageFiles,
    testset: Node,
) -> Result<(Vec<QuestionTest>, Vec<TestGroup>), String> {
    let pattern = |name: &str, default: &str| {
        (child(testset, name))
            .and_then(|n| n.text())
            .unwrap_or(default)
            .trim()
            .to_string()
    };
    let input_pattern = pattern("input-path-pattern", "tests/%02d");
    let answer_pattern = pattern("answer-path-pattern", "tests/%02d.a");
    let listed: Vec<Node> = (child(testset, "tests").into_iter())
        .flat_map(|tests| tests.children().filter(|n| n.has_tag_name("test")))
        .collect();
    if listed.is_empty() {
        return Err("the testset lists no <test>".into());
    }
    let mut tests = Vec::new();
    for (number, test) in (1..).zip(&listed) {
        let input_path = numbered(&input_pattern, number);
        let answer_path = numbered(&answer_pattern, number);
        let input = (files.text(&input_path)?)
            .ok_or_else(|| format!("test {number}: {input_path} is not in the package (build the full package, tests included)"))?;
        let expected_output = (files.text(&answer_path)?)
            .ok_or_else(|| format!("test {number}: {answer_path} is not in the package"))?;
        let sample = test.attribute("sample") == Some("true");
        let points = match test.attribute("points") {
            Some(points) => points
                .parse::<f64>()
                .map_err(|_| format!("test {number}'s points {points:?} are not a number"))?,
            None if sample => 0.0,
            None => 1.0,
        };
        tests.push(QuestionTest {
            input,
            expected_output,
            hidden: !sample,
            points: points.round() as u32,
            group: test.attribute("group").map(String::from),
            interaction: None,
        });
    }
    let policies: BTreeMap<&str, &str> = (child(testset, "groups").into_iter())
        .flat_map(|groups| groups.children().filter(|n| n.has_tag_name("group")))
        .filter_map(|group| {
            Some((
                group.attribute("name")?,
                group.attribute("points-policy").unwrap_or("each-test"),
            ))
        })
        .collect();
    let mut groups: Vec<TestGroup> = Vec::new();
    for test in &tests {
        if let Some(name) = &test.group
            && !groups.iter().any(|g| &g.name == name)
        {
            let complete = policies.get(name.as_str()) == Some(&"complete-group");
            groups.push(TestGroup {
                name: name.clone(),
                scoring: if complete {
                    GroupScoring::Min
                } else {
                    GroupScoring::Sum
                },
                stop_at_first_failure: complete,
            });
        }
    }
    Ok((tests, groups))
}

/// A path pattern (`tests/%02d`) with `number` in it.
fn numbered(pattern: &str, number: usize) -> String {
    let Some(start) = pattern.find('%') else {
        return pattern.to_string();
    };
    let end = start + pattern[start..].find('d').map_or(1, |d| d + 1);
    let width: usize = pattern[start + 1..end - 1]
        .trim_start_matches('0')
        .parse()
        .unwrap_or(0);
    let zero = pattern[start + 1..].starts_with('0');
    let number = if zero {
        format!("{number:0width$}")
    } else {
        format!("{number:width$}")
    };
    format!("{}{number}{}", &pattern[..start], &pattern[end..])
}

/// The solutions and what their tags expect.
fn solutions(
    files: &PackageFiles,
    problem: Node,
    warnings: &mut Vec<String>,
) -> Result<Vec<PackageSubmission>, String> {
    let solutions = (child(problem, "assets")
        .and_then(|a| child(a, "solutions"))
        .into_iter())
    .flat_map(|solutions| solutions.children().filter(|n| n.has_tag_name("solution")));
    let mut submissions = Vec::new();
    for solution in solutions {
        let tag = solution.attribute("tag").unwrap_or("");
        let Some(path) = source_path(solution) else {
            continue;
        };
        let outcomes = match tag {
            "main" | "accepted" => vec![Status::Accepted],
            "wrong-answer" | "presentation-error" => vec![Status::WrongAnswer],
            "time-limit-exceeded" => vec![Status::TimeLimitExceeded],
            "time-limit-exceeded-or-accepted" => vec![Status::TimeLimitExceeded, Status::Accepted],
            "time-limit-exceeded-or-memory-limit-exceeded" => {
                vec![Status::TimeLimitExceeded, Status::MemoryLimitExceeded]
            }
            "memory-limit-exceeded" => vec![Status::MemoryLimitExceeded],
            "rejected" => FAILURES.to_vec(),
            other => {
                warnings.push(format!(
                    "{path} is not checked: judgebox does not know what tag {other:?} expects"
                ));
                continue;
            }
        };
        let Some(program) = PackageProgram::read(files, path)? else {
            warnings.push(format!("{path} is not in the package"));
            continue;
        };
        submissions.push(PackageSubmission {
            program,
            expected: tag.to_string(),
            outcomes,
        });
    }
    Ok(submissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns_take_the_test_number() {
        assert_eq!(numbered("tests/%02d", 3), "tests/03");
        assert_eq!(numbered("tests/%02d.a", 12), "tests/12.a");
        assert_eq!(numbered("tests/%d", 7), "tests/7");
    }
}
