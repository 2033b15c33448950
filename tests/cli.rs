//! `judgebox run` (judging a file locally, as a teacher checking a problem
//! set would), `judgebox import` and `judgebox doctor`.

use std::path::Path;
use std::process::{Command, Output};

fn judgebox_run(args: &[&Path], extra: &[&str]) -> Output {
    let runtimes = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes/build");
    Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .arg("run")
        .args(args)
        .args(extra)
        .arg("--runtimes-dir")
        .arg(&runtimes)
        .arg("--cache-dir")
        .arg(runtimes.join("cache"))
        .output()
        .expect("running judgebox")
}

#[test]
fn run_prints_a_table_of_verdicts_and_fails_when_a_test_fails() {
    let dir = tempfile::tempdir().unwrap();
    let solution = dir.path().join("double.py");
    std::fs::write(&solution, "print(int(input()) * 2)\n").unwrap();
    let tests = dir.path().join("tests.json");
    std::fs::write(
        &tests,
        r#"[{"input": "2", "expected_output": "4"}, {"input": "5", "expected_output": "11"}]"#,
    )
    .unwrap();

    let output = judgebox_run(&[&solution], &["--tests", tests.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("1  accepted")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("2  wrong_answer")),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected") && stdout.contains("\"11\""),
        "{stdout}"
    );
    assert!(stdout.contains("1 of 2 passed (50%)"), "{stdout}");
}

#[test]
fn run_with_a_suite_file_and_json_output_matches_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let solution = dir.path().join("solution.txt");
    std::fs::write(&solution, "print(1 / 3)\n").unwrap();
    let tests = dir.path().join("suite.json");
    std::fs::write(
        &tests,
        r#"{"test_cases": [{"input": "", "expected_output": "0.3333"}],
            "compare": {"mode": "float", "tolerance": 0.001}, "limits": {"time_ms": 2000}}"#,
    )
    .unwrap();

    let output = judgebox_run(
        &[&solution],
        &[
            "--tests",
            tests.to_str().unwrap(),
            "--language",
            "python",
            "--json",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(body["summary"]["all_passed"], true);
    assert_eq!(body["test_results"][0]["status"], "accepted");
    assert_eq!(body["metadata"]["limits"]["time_ms"], 2000);
}

#[test]
fn run_explains_a_file_it_cannot_judge() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = dir.path().join("solution.rb");
    std::fs::write(&unknown, "puts 1\n").unwrap();
    let output = judgebox_run(&[&unknown], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--language") && stderr.contains("python"),
        "{stderr}"
    );
}

#[test]
fn run_refuses_an_empty_test_list() {
    let dir = tempfile::tempdir().unwrap();
    let solution = dir.path().join("solution.py");
    std::fs::write(&solution, "print(1)\n").unwrap();
    let tests = dir.path().join("tests.json");
    std::fs::write(&tests, "[]").unwrap();
    let output = judgebox_run(&[&solution], &["--tests", tests.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("test_cases must not be empty"), "{stderr}");
}

#[test]
fn doctor_reports_every_native_sandbox_layer() {
    let output = Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .arg("doctor")
        .output()
        .expect("running judgebox doctor");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("native: seccomp denylist"), "{stdout}");
    assert!(
        stdout.contains("native: session, rlimits, timeout"),
        "{stdout}"
    );
    assert!(stdout.contains("Landlock"), "{stdout}");
    assert!(
        stdout.lines().all(|l| l.contains(": active (")
            || l.contains("UNAVAILABLE")
            || l.starts_with("WebAssembly")),
        "{stdout}"
    );
}

fn judgebox_import(paths: &[&Path], database: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .arg("import")
        .args(paths)
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .output()
        .expect("running judgebox import")
}

#[test]
fn import_reads_question_folders_and_json_documents() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("double-it");
    for sub in ["tests", "hidden"] {
        std::fs::create_dir_all(folder.join(sub)).unwrap();
    }
    std::fs::write(
        folder.join("question.json"),
        r#"{"title": "Double it", "languages": ["python"], "points": 2}"#,
    )
    .unwrap();
    std::fs::write(folder.join("statement.md"), "Print twice the number.").unwrap();
    std::fs::write(folder.join("tests/01.in"), "2\n").unwrap();
    std::fs::write(folder.join("tests/01.out"), "4\n").unwrap();
    std::fs::write(folder.join("hidden/01.in"), "21\n").unwrap();
    std::fs::write(folder.join("hidden/01.ans"), "42\n").unwrap();
    let document = dir.path().join("sum.json");
    std::fs::write(
        &document,
        r#"{"slug": "sum", "title": "Sum", "test_cases": [{"input": "1 2", "expected_output": "3"}]}"#,
    )
    .unwrap();
    let database = dir.path().join("questions.db");

    let output = judgebox_import(&[&folder, &document], &database);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        "created double-it (2 tests, 1 hidden)\ncreated sum (1 tests, 0 hidden)\n"
    );
    // Again: replaced, not duplicated.
    let output = judgebox_import(&[&folder], &database);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "replaced double-it (2 tests, 1 hidden)\n"
    );

    // A folder with an input but no expected output is refused, naming the file.
    std::fs::write(folder.join("hidden/02.in"), "5\n").unwrap();
    let output = judgebox_import(&[&folder], &database);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("02.in has no .out or .ans"), "{stderr}");
}
