//! `judgebox run` (judging a file locally, as a teacher checking a problem
//! set would, or profiling one), `judgebox import` and `judgebox doctor`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `judgebox` binary with its subcommand, to add arguments to.
fn judgebox(subcommand: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_judgebox"));
    command.arg(subcommand);
    command
}

/// `judgebox` with its subcommand, given the runtimes the build made.
fn judgebox_with_runtimes(subcommand: &str) -> Command {
    let runtimes = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes/build");
    let mut command = judgebox(subcommand);
    command
        .arg("--runtimes-dir")
        .arg(&runtimes)
        .arg("--cache-dir")
        .arg(runtimes.join("cache"));
    command
}

/// `judgebox run` with the runtimes the build made.
fn judgebox_run(args: &[&Path], extra: &[&str]) -> Output {
    judgebox_with_runtimes("run")
        .args(args)
        .args(extra)
        .output()
        .expect("running judgebox run")
}

/// `judgebox import` into a SQLite database.
fn judgebox_import(paths: &[&Path], database: &Path) -> Output {
    judgebox("import")
        .args(paths)
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .output()
        .expect("running judgebox import")
}

/// `judgebox calibrate SLUG` on a SQLite database.
fn judgebox_calibrate(slug: &str, database: &Path) -> Output {
    judgebox_with_runtimes("calibrate")
        .arg(slug)
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .output()
        .expect("running judgebox calibrate")
}

/// Writes `contents` to `name` under `dir`, making folders on the way; its path.
fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn run_prints_a_table_of_verdicts_and_fails_when_a_test_fails() {
    let dir = tempfile::tempdir().unwrap();
    let solution = write(dir.path(), "double.py", "print(int(input()) * 2)\n");
    let tests = write(
        dir.path(),
        "tests.json",
        r#"[{"input": "2", "expected_output": "4"}, {"input": "5", "expected_output": "11"}]"#,
    );

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
    let solution = write(dir.path(), "solution.txt", "print(1 / 3)\n");
    let tests = write(
        dir.path(),
        "suite.json",
        r#"{"test_cases": [{"input": "", "expected_output": "0.3333"}],
            "compare": {"mode": "float", "tolerance": 0.001}, "limits": {"time_ms": 2000}}"#,
    );

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
    // Written for no language in particular: Python's factor (3) applies.
    assert_eq!(body["metadata"]["limits"]["time_ms"], 6000);
    assert_eq!(body["metadata"]["limits"]["time_source"]["factor"], 3.0);
}

#[test]
fn run_explains_a_file_it_cannot_judge() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = write(dir.path(), "solution.rb", "puts 1\n");
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
    let solution = write(dir.path(), "solution.py", "print(1)\n");
    let tests = write(dir.path(), "tests.json", "[]");
    let output = judgebox_run(&[&solution], &["--tests", tests.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("test_cases must not be empty"), "{stderr}");
}

#[test]
fn run_with_a_wasm_perf_map_names_the_interpreters_functions_for_perf() {
    let dir = tempfile::tempdir().unwrap();
    let solution = write(dir.path(), "solution.py", "print(1)\n");
    let child = judgebox_with_runtimes("run")
        .arg(&solution)
        .arg("--wasm-perf-map")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starting judgebox run");
    let perf_map = PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let map = std::fs::read_to_string(&perf_map).expect("the perf map judgebox wrote");
    std::fs::remove_file(&perf_map).unwrap();
    // `perf` reads lines of "START SIZE NAME"; CPython's eval loop is one.
    assert!(
        map.lines()
            .any(|line| line.ends_with("::_PyEval_EvalFrameDefault")),
        "{}",
        &map[..map.len().min(500)]
    );
}

#[test]
fn doctor_reports_every_native_sandbox_layer() {
    let output = judgebox("doctor")
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

#[test]
fn import_reads_question_folders_and_json_documents() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("double-it");
    write(
        &folder,
        "question.json",
        r#"{"title": "Double it", "languages": ["python"], "points": 2}"#,
    );
    write(&folder, "statement.md", "Print twice the number.");
    write(&folder, "tests/01.in", "2\n");
    write(&folder, "tests/01.out", "4\n");
    write(&folder, "hidden/01.in", "21\n");
    write(&folder, "hidden/01.ans", "42\n");
    let document = write(
        dir.path(),
        "sum.json",
        r#"{"slug": "sum", "title": "Sum", "test_cases": [{"input": "1 2", "expected_output": "3"}]}"#,
    );
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
    write(&folder, "hidden/02.in", "5\n");
    let output = judgebox_import(&[&folder], &database);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("02.in has no .out or .ans"), "{stderr}");
}

#[test]
fn calibrate_sets_a_stored_questions_limits_from_its_reference_solutions() {
    let dir = tempfile::tempdir().unwrap();
    let document = write(
        dir.path(),
        "double.json",
        r#"{"slug": "double", "title": "Double it",
            "test_cases": [{"input": "2", "expected_output": "4"},
                           {"input": "5", "expected_output": "10", "hidden": true}],
            "reference_solutions": [{"language": "python", "code": "print(int(input()) * 2)"}],
            "calibration": {"deterministic": true}}"#,
    );
    let wrong = write(
        dir.path(),
        "wrong.json",
        r#"{"slug": "wrong", "title": "Wrong",
            "test_cases": [{"input": "2", "expected_output": "4"}],
            "reference_solutions": [{"language": "python", "code": "print(5)"}]}"#,
    );
    let database = dir.path().join("questions.db");
    let output = judgebox_import(&[&document, &wrong], &database);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let output = judgebox_calibrate("double", &database);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout} {output:?}");
    assert!(
        stdout.starts_with("python: time limit 1000 ms, instruction limit "),
        "the floor, and twice the instructions: {stdout}"
    );
    let output = judgebox_calibrate("wrong", &database);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("reference solution 1 (python) fails test 1: wrong_answer"),
        "{stderr}"
    );
    let output = judgebox_calibrate("missing", &database);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
