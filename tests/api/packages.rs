//! Problem packages imported as questions: Kattis (legacy and current
//! layouts) and Polygon, each built here, zipped, imported, verified and
//! then judged; and the bad packages a teacher might upload, each refused
//! with what is wrong and nothing stored.

use std::io::Write;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_TOKEN, TestApp, judgebox, minutes_from_now, statuses};

const TESTLIB_H: &str = include_str!("../fixtures/checkers/testlib.h");
const TESTLIB_CHECKER: &str = include_str!("../fixtures/checkers/pair_testlib.cpp");
const KATTIS_VALIDATOR: &str = include_str!("../fixtures/checkers/pair_kattis.cpp");

/// Accepts one line holding an integer from 2 to 10^9 (Kattis: exit 42).
const INPUT_VALIDATOR: &str = r#"#include <cstdio>
int main() {
    long long n; char end;
    if (std::scanf("%lld%c", &n, &end) != 2 || end != '\n' || n < 2 || n > 1000000000) return 43;
    return std::scanf("%c", &end) == EOF ? 42 : 43;
}"#;

/// A solution per language, each printing a different right pair.
const PAIR_PY: &str = "n = int(input())\nprint(1, n - 1)\n";
const PAIR_JS: &str =
    "const n = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(n - 1, 1);\n";
const PAIR_CPP: &str = "#include <iostream>\nint main() { long long n; std::cin >> n; std::cout << n / 2 << ' ' << n - n / 2 << '\\n'; }\n";
const PAIR_JAVA: &str = "import java.util.*;\npublic class Pair { public static void main(String[] a) { long n = new Scanner(System.in).nextLong(); System.out.println((n / 3 + 1) + \" \" + (n - n / 3 - 1)); } }\n";
const WRONG_PY: &str = "n = int(input())\nprint(n, 0)\n";
const SLOW_PY: &str = "n = int(input())\nwhile True:\n    n += 1\n";

pub(crate) fn zipped(files: &[(String, String)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, contents) in files {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(contents.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub(crate) fn file(path: &str, contents: &str) -> (String, String) {
    (path.to_string(), contents.to_string())
}

/// A legacy Kattis package: custom output validator, an input validator,
/// a LaTeX statement, and solutions in four languages plus two that fail.
fn kattis_pair() -> Vec<(String, String)> {
    let mut files = vec![
        file(
            "problem.yaml",
            "name: Any Pair\nvalidation: custom\nlimits:\n  time_multiplier: 5\n  memory: 512\n",
        ),
        file(
            "problem_statement/problem.en.tex",
            "\\problemname{Any Pair}\nPrint two positive integers $a, b$ with $a + b = n$.\n\\section*{Input}\nOne integer $n$.\n",
        ),
        file("data/sample/1.in", "10\n"),
        file("data/sample/1.ans", "5 5\n"),
        file("output_validators/pair/validate.cpp", KATTIS_VALIDATOR),
        file("input_validators/line/validate.cpp", INPUT_VALIDATOR),
        file("submissions/accepted/pair.py", PAIR_PY),
        file("submissions/accepted/pair.js", PAIR_JS),
        file("submissions/accepted/pair.cpp", PAIR_CPP),
        file("submissions/accepted/Pair.java", PAIR_JAVA),
        file("submissions/wrong_answer/zero.py", WRONG_PY),
        file("submissions/time_limit_exceeded/spin.py", SLOW_PY),
        file("submissions/accepted/pair.rb", "puts 1"),
    ];
    for (name, n) in [("a", 2), ("b", 7), ("c", 1_000_000_000)] {
        files.push(file(&format!("data/secret/{name}.in"), &format!("{n}\n")));
        files.push(file(
            &format!("data/secret/{name}.ans"),
            &format!("1 {}\n", n - 1),
        ));
    }
    files
}

#[tokio::test]
async fn a_kattis_package_imports_verifies_and_judges_as_kattis_would() {
    let app = TestApp::spawn_admin().await;
    let mut files = kattis_pair();
    // A validator judgebox cannot run is left out, saying so.
    files.push(file(
        "input_validators/check.ctd",
        "INT(2, 1000000000) NEWLINE EOF",
    ));
    // A validator in Python runs, as one in C++ does.
    let python_validator =
        "import sys\nn = int(sys.stdin.read())\nsys.exit(42 if 2 <= n <= 10**9 else 43)\n";
    files.push(file("input_validators/range.py", python_validator));
    let (status, body) = app.import_package("pair", zipped(&files), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let report = &body["report"];
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("input validator input_validators/check.ctd is not run"),
        "{warnings}"
    );
    assert_eq!(report["format"], "kattis");
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["tests"], 4);
    assert_eq!(
        report["input_validators"],
        json!(["input_validators/line", "input_validators/range.py"])
    );
    assert_eq!(report["time_limit_source"], "calibrated");
    let submissions = report["submissions"].as_array().unwrap();
    let by_path = |path: &str| {
        (submissions.iter())
            .find(|s| s["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {report}"))
    };
    for path in ["pair.py", "pair.js", "pair.cpp", "Pair.java"] {
        let checked = by_path(&format!("submissions/accepted/{path}"));
        assert_eq!(checked["outcome"], "accepted", "{checked}");
        assert_eq!(checked["as_expected"], true);
    }
    assert_eq!(
        by_path("submissions/wrong_answer/zero.py")["outcome"],
        "wrong_answer"
    );
    let slow = by_path("submissions/time_limit_exceeded/spin.py");
    assert_eq!(slow["outcome"], "time_limit_exceeded", "{slow}");
    let ruby = by_path("submissions/accepted/pair.rb");
    assert_eq!(ruby["skipped"], "a language judgebox does not run");

    let question = &body["question"];
    assert_eq!(question["title"], "Any Pair");
    assert_eq!(question["limits"]["memory_mb"], 512);
    assert_eq!(question["checker"]["protocol"], "kattis");
    assert_eq!(question["verification"]["verified"], true);
    assert!(
        question["statement"].as_str().unwrap().contains("## Input"),
        "{question}"
    );
    // Samples are visible and worth nothing; secret tests hidden.
    let tests = question["test_cases"].as_array().unwrap();
    assert_eq!(
        (tests[0]["hidden"].as_bool(), tests[0]["points"].as_u64()),
        (Some(false), Some(0))
    );
    assert!(
        tests[1..]
            .iter()
            .all(|t| t["hidden"] == true && t["points"] == 1)
    );

    // A student's right answer, different from the package's answers.
    let body = app
        .judge_on_question("pair", "python", "n = int(input())\nprint(n - 1, 1)")
        .await;
    assert_eq!(statuses(&body), ["accepted"; 4], "{body}");
    let (_, student_view) = app.get_question("pair").await;
    assert_eq!(student_view["examples"][0]["input"], "10\n");
}

#[tokio::test]
async fn a_package_whose_solutions_fail_is_stored_unverified_or_refused_when_strict() {
    let app = TestApp::spawn_admin().await;
    let mut files = kattis_pair();
    // An "accepted" solution that is wrong.
    files.push(file("submissions/accepted/wrong.py", WRONG_PY));
    let (status, body) = app
        .import_package("strict", zipped(&files), "strict=true")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("submissions/accepted/wrong.py (accepted) was wrong_answer"),
        "{message}"
    );
    assert_eq!(app.get_question("strict").await.0, StatusCode::NOT_FOUND);

    let (status, body) = app.import_package("lenient", zipped(&files), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["report"]["verified"], false);
    let (_, question) = app.get_question_as_admin("lenient").await;
    assert_eq!(question["verification"]["verified"], false);
    let reason = question["verification"]["reason"].as_str().unwrap();
    assert!(reason.contains("wrong.py"), "{reason}");
}

/// A 2023-07 scoring package: the default validator with flags, two
/// subtasks (one all-or-nothing), and a time limit the package gives.
fn kattis_scoring() -> Vec<(String, String)> {
    let mut files = vec![
        file(
            "problem.yaml",
            "problem_format_version: 2023-07-draft\nname:\n  en: Shout\n  sv: Ropa\ntype: scoring\nlimits:\n  time_limit: 2.5\n",
        ),
        file("statement/problem.en.md", "Print the word in capitals."),
        file(
            "data/testdata.yaml",
            "output_validator_args: case_sensitive\n",
        ),
        file("data/sample/1.in", "hi\n"),
        file("data/sample/1.ans", "HI\n"),
        file(
            "data/secret/short/test_group.yaml",
            "score: 40\naggregation: min\n",
        ),
        file(
            "data/secret/long/test_group.yaml",
            "score: 60\naggregation: sum\n",
        ),
        file("submissions/accepted/upper.py", "print(input().upper())\n"),
        file("submissions/wrong_answer/same.py", "print(input())\n"),
    ];
    for (group, words) in [
        ("short", ["ab", "cd", "ef"]),
        ("long", ["abcdefgh", "ijklmnop", "qrstuvwx"]),
    ] {
        for (number, word) in (1..).zip(words) {
            let stem = format!("data/secret/{group}/{number}");
            files.push(file(&format!("{stem}.in"), &format!("{word}\n")));
            files.push(file(
                &format!("{stem}.ans"),
                &format!("{}\n", word.to_uppercase()),
            ));
        }
    }
    files
}

#[tokio::test]
async fn a_scoring_package_keeps_its_subtasks_flags_and_time_limit() {
    let app = TestApp::spawn_admin().await;
    let (status, body) = app
        .import_package("shout", zipped(&kattis_scoring()), "")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["report"]["verified"], true, "{body}");
    assert_eq!(body["report"]["time_limit_source"], "package");
    let question = &body["question"];
    assert_eq!(question["title"], "Shout");
    assert_eq!(question["limits"]["time_ms"], 2500);
    assert_eq!(question["compare"]["mode"], "kattis");
    assert_eq!(question["compare"]["case_sensitive"], true);
    assert_eq!(
        question["groups"],
        json!([
            {"name": "sample", "scoring": "sum", "stop_at_first_failure": false},
            {"name": "long", "scoring": "sum", "stop_at_first_failure": false},
            {"name": "short", "scoring": "min", "stop_at_first_failure": false},
        ])
    );
    // Right on the long words only: the all-or-nothing group gives nothing.
    let code = "w = input()\nprint(w.upper() if len(w) > 2 else w)";
    let body = app.judge_on_question("shout", "python", code).await;
    assert_eq!(body["summary"]["score"], 60, "{body}");
    let groups = &body["summary"]["groups"];
    assert_eq!(
        groups[1],
        json!({"name": "long", "score": 60, "max_score": 60})
    );
    assert_eq!(
        groups[2],
        json!({"name": "short", "score": 0, "max_score": 40})
    );
}

/// A Polygon package: testlib checker and resources, a validator, tests
/// with points in groups, and tagged solutions.
fn polygon_pair() -> Vec<(String, String)> {
    let validator = INPUT_VALIDATOR
        .replace("return 43", "return 3")
        .replace("? 42 : 43", "? 0 : 3");
    vec![
        file(
            "problem.xml",
            r#"<?xml version="1.0" encoding="utf-8"?>
<problem revision="3" short-name="pair">
  <names><name language="english" value="Pairs, Polygon style"/></names>
  <judging>
    <testset name="tests">
      <time-limit>2000</time-limit>
      <memory-limit>268435456</memory-limit>
      <test-count>4</test-count>
      <input-path-pattern>tests/%02d</input-path-pattern>
      <answer-path-pattern>tests/%02d.a</answer-path-pattern>
      <tests>
        <test method="manual" sample="true" points="0" group="0"/>
        <test method="manual" points="25" group="1"/>
        <test method="manual" points="25" group="1"/>
        <test method="manual" points="50" group="2"/>
      </tests>
      <groups>
        <group name="0" points-policy="each-test"/>
        <group name="1" points-policy="complete-group"/>
        <group name="2" points-policy="each-test"/>
      </groups>
    </testset>
  </judging>
  <files><resources><file path="files/testlib.h" type="h.g++"/></resources></files>
  <assets>
    <checker name="pair" type="testlib"><source path="files/check.cpp" type="cpp.g++17"/></checker>
    <validators><validator><source path="files/val.cpp" type="cpp.g++17"/></validator></validators>
    <solutions>
      <solution tag="main"><source path="solutions/main.cpp" type="cpp.g++17"/></solution>
      <solution tag="accepted"><source path="solutions/ok.py" type="python.3"/></solution>
      <solution tag="wrong-answer"><source path="solutions/wa.py" type="python.3"/></solution>
    </solutions>
  </assets>
</problem>"#,
        ),
        file(
            "statements/english/problem-properties.json",
            r#"{"legend": "Find two positive integers that add up to $n$.", "input": "One integer $n$.", "output": "Two integers."}"#,
        ),
        file("files/testlib.h", TESTLIB_H),
        file("files/check.cpp", TESTLIB_CHECKER),
        file("files/val.cpp", &validator),
        file("solutions/main.cpp", PAIR_CPP),
        file("solutions/ok.py", PAIR_PY),
        file("solutions/wa.py", WRONG_PY),
        file("tests/01", "10\n"),
        file("tests/01.a", "5 5\n"),
        file("tests/02", "3\n"),
        file("tests/02.a", "1 2\n"),
        file("tests/03", "4\n"),
        file("tests/03.a", "2 2\n"),
        file("tests/04", "999999999\n"),
        file("tests/04.a", "1 999999998\n"),
    ]
}

#[tokio::test]
async fn a_polygon_package_imports_with_its_checker_groups_and_solutions() {
    let app = TestApp::spawn_admin().await;
    let (status, body) = app
        .import_package("polygon-pair", zipped(&polygon_pair()), "")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let report = &body["report"];
    assert_eq!(report["format"], "polygon");
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["input_validators"], json!(["files/val.cpp"]));
    assert_eq!(report["time_limit_ms"], 2000);
    let question = &body["question"];
    assert_eq!(question["title"], "Pairs, Polygon style");
    assert_eq!(question["limits"]["memory_mb"], 256);
    assert_eq!(question["checker"]["protocol"], "testlib");
    assert!(question["checker"]["files"]["testlib.h"].is_string());
    assert!(
        question["statement"]
            .as_str()
            .unwrap()
            .contains("## Output")
    );
    // Group 1 is all or nothing: a solution wrong on n = 4 loses both its tests.
    let code = "n = int(input())\nprint(1, n - 1) if n != 4 else print(4, 0)";
    let body = app.judge_on_question("polygon-pair", "java", "public class Main { public static void main(String[] a) { long n = new java.util.Scanner(System.in).nextLong(); System.out.println(n == 4 ? \"4 0\" : \"1 \" + (n - 1)); } }").await;
    assert_eq!(body["summary"]["score"], 50, "{body}");
    assert_eq!(
        statuses(&body),
        ["accepted", "accepted", "wrong_answer", "accepted"]
    );
    let body = app.judge_on_question("polygon-pair", "python", code).await;
    assert_eq!(body["summary"]["score"], 50, "{body}");
}

#[tokio::test]
async fn bad_packages_are_refused_saying_what_is_wrong_and_nothing_is_stored() {
    let app = TestApp::spawn_admin().await;
    let without = |path: &str| -> Vec<(String, String)> {
        kattis_pair()
            .into_iter()
            .filter(|(p, _)| p != path)
            .collect()
    };
    let with = |extra: (String, String)| {
        let mut files = kattis_pair();
        files.push(extra);
        files
    };
    let mut uncompilable = kattis_pair();
    uncompilable.retain(|(p, _)| !p.starts_with("output_validators/"));
    uncompilable.push(file("output_validators/pair/validate.cpp", "int main( {"));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            zipped(&without("data/secret/b.ans")),
            "data/secret/b.in has no data/secret/b.ans",
        ),
        (
            zipped(&[file("README.md", "hello")]),
            "unknown package format",
        ),
        (
            zipped(&with(file("../escape.txt", "x"))),
            "not a plain relative path",
        ),
        (
            zipped(&with(file("/etc/passwd", "x"))),
            "not a plain relative path",
        ),
        (zipped(&uncompilable), "does not compile"),
        (
            zipped(
                &with(file("data/secret/d.in", "1\n"))
                    .into_iter()
                    .chain([file("data/secret/d.ans", "0 1\n")])
                    .collect::<Vec<_>>(),
            ),
            "input validator input_validators/line refuses test 5",
        ),
        (b"not a zip".to_vec(), "not a zip archive"),
        (
            zipped(&[file("problem.yaml", "name: [unclosed")]),
            "problem.yaml is not YAML",
        ),
    ];
    for (zip, expected) in cases {
        let (status, body) = app.import_package("bad", zip, "").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected}: {message}");
        assert_eq!(
            app.get_question("bad").await.0,
            StatusCode::NOT_FOUND,
            "{expected}"
        );
    }
    // A zip bomb: one entry that unpacks to far more than a package may hold.
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    writer.start_file("data/secret/huge.in", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..80 {
        writer.write_all(&zeros).unwrap();
    }
    let bomb = writer.finish().unwrap().into_inner();
    assert!(
        bomb.len() < 1 << 20,
        "it compresses well: {} bytes",
        bomb.len()
    );
    let (status, body) = app.import_package("bad", bomb, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 64 MiB"),
        "{body}"
    );

    let request = (app.request(Method::PUT, "/admin/questions/bad/package"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({}));
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn the_command_line_imports_a_package_folder() {
    let app = TestApp::spawn_admin().await;
    let folder = tempfile::tempdir().unwrap();
    let package = folder.path().join("Any_Pair");
    for (path, contents) in kattis_scoring() {
        let path = package.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    let import = || {
        judgebox("import", &app.database_url())
            .arg(&package)
            .output()
            .unwrap()
    };
    let output = import();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("verified") && printed.contains("created any-pair"),
        "{printed}"
    );
    let (status, question) = app.get_question_as_admin("any-pair").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(question["verification"]["verified"], true);

    // A symlink in a package folder is refused: it could read the host.
    std::os::unix::fs::symlink("/etc/passwd", package.join("data/secret/short/4.in")).unwrap();
    let output = import();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("symlink"),
        "{output:?}"
    );
}

#[tokio::test]
async fn a_teacher_uploads_a_package_on_the_question_page_and_reads_its_report() {
    let app = TestApp::spawn_admin().await;
    let zip = tempfile::Builder::new().suffix(".zip").tempfile().unwrap();
    std::fs::write(zip.path(), zipped(&kattis_scoring())).unwrap();
    let browser = crate::browser::Browser::open(&app.address).await;
    browser.visit("/ui/signin").await;
    browser.sign_in(ADMIN_TOKEN).await;

    browser.visit("/ui/admin/questions/new").await;
    browser
        .find("#package-slug")
        .await
        .send_keys("shout")
        .await
        .unwrap();
    let file = browser.find("#package-file").await;
    file.send_keys(zip.path().to_str().unwrap()).await.unwrap();
    browser.click("#package-form button[type='submit']").await;
    browser.wait_for_text("Imported and verified").await;
    let report = browser.text_of("#package-report").await;
    assert!(
        report.contains("submissions/wrong_answer/same.py") && report.contains("as expected"),
        "{report}"
    );
    assert!(report.contains("time limit 2500 ms (package)"), "{report}");
    browser.screenshot("teacher-package-report").await;

    browser.click("#package-report a.button").await;
    browser.wait_for_text("Edit question shout").await;
    let page = browser.text().await;
    assert!(
        page.contains("Test groups: sample (sum), long (sum), short (min)"),
        "{page}"
    );
    assert!(page.contains("verified"), "{page}");
    browser.screenshot("teacher-package-question").await;

    // A bad package: the page says why, and nothing is stored.
    std::fs::write(zip.path(), b"not a zip").unwrap();
    browser.visit("/ui/admin/questions/new").await;
    browser
        .find("#package-slug")
        .await
        .send_keys("broken")
        .await
        .unwrap();
    let file = browser.find("#package-file").await;
    file.send_keys(zip.path().to_str().unwrap()).await.unwrap();
    browser.click("#package-form button[type='submit']").await;
    browser
        .wait_for_text("Not imported: the package cannot be imported")
        .await;
    assert_eq!(app.get_question("broken").await.0, StatusCode::NOT_FOUND);
    browser.close().await;
}

#[tokio::test]
async fn an_exported_package_imports_again_to_the_same_question() {
    let app = TestApp::spawn_admin().await;
    for (slug, files) in [("shout", kattis_scoring()), ("pair", kattis_pair())] {
        let (status, imported) = app.import_package(slug, zipped(&files), "").await;
        assert!(status.is_success(), "{imported}");
        let (status, exported) = app.export_package(slug).await;
        assert_eq!(status, StatusCode::OK);
        let copy = format!("{slug}-copy");
        let (status, again) = app.import_package(&copy, exported, "").await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["report"]["verified"], true, "{again}");
        let (_, original) = app.get_question_as_admin(slug).await;
        let (_, copied) = app.get_question_as_admin(&copy).await;
        for field in [
            "title",
            "statement",
            "limits",
            "compare",
            "languages",
            "test_cases",
            "groups",
            "checker",
            "reference_solutions",
        ] {
            assert_eq!(copied[field], original[field], "{slug}: {field}");
        }
    }
    // A testlib checker has no place in a Kattis package.
    let checker = json!({"protocol": "testlib", "language": "cpp", "source": TESTLIB_CHECKER,
                         "files": {"testlib.h": TESTLIB_H}});
    let question = json!({"slug": "testlib", "title": "T", "checker": checker,
                          "test_cases": [{"input": "4", "expected_output": "2 2"}]});
    app.create_question(question).await;
    let (status, _) = app.export_package("testlib").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.export_package("nothing").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_statements_images_are_served_with_the_question_and_exported_with_it() {
    let app = TestApp::spawn_admin().await;
    let figure = r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="teal"/><script>alert(1)</script></svg>"#;
    let mut files = kattis_pair();
    files.retain(|(path, _)| !path.starts_with("problem_statement/"));
    files.push(file(
        "problem_statement/problem.en.tex",
        "\\problemname{Any Pair}\nPrint two numbers.\n\\includegraphics[width=0.3\\textwidth]{pairs}\n",
    ));
    files.push(file("problem_statement/pairs.svg", figure));
    files.push(file("problem_statement/unused.png", "not shown"));
    let (status, body) = app.import_package("pair", zipped(&files), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (_, question) = app.get("/questions/pair").await;
    let statement = question["statement"].as_str().unwrap();
    assert!(
        statement.contains("![](/questions/pair/images/pairs.svg)"),
        "{statement}"
    );
    let response = app
        .request(Method::GET, "/questions/pair/images/pairs.svg")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "image/svg+xml");
    assert!(
        header("content-security-policy").contains("sandbox"),
        "an SVG's script never runs on the server's origin"
    );
    assert_eq!(response.text().await.unwrap(), figure);
    // A student of a contest (not public: the API's route, which knows
    // callers by their token, does not serve them) sees it on the page.
    let contest = json!({
        "title": "Week 1", "starts_at": minutes_from_now(-5), "ends_at": minutes_from_now(55),
        "questions": ["pair"], "scoring": "ioi", "scoreboard": "participants"
    });
    let (status, body) = app.put_contest("week-1", contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ann = app.add_participant("week-1", "ann").await;
    let browser = crate::browser::Browser::open(&app.address).await;
    browser.visit(&format!("/ui/join/{ann}")).await;
    browser.click("form[action^='/ui/join/'] button").await;
    browser.wait_for_text("not tried").await;
    browser.visit("/ui/contests/week-1/questions/pair").await;
    browser
        .find(".statement img[src='/ui/questions/pair/images/pairs.svg']")
        .await;
    let script = "return document.querySelector('.statement img').naturalWidth";
    let width = browser.client.execute(script, Vec::new()).await.unwrap();
    assert_eq!(width, json!(40), "the image loaded");
    browser.screenshot("student-statement-image").await;
    browser.close().await;
    let anonymous = (app.request(Method::GET, "/ui/questions/pair/images/pairs.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::NOT_FOUND,
        "not without the session"
    );
    for missing in [
        "/questions/pair/images/unused.png",
        "/questions/nope/images/pairs.svg",
    ] {
        let (status, body) = app.get(missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
    }

    // The package exported holds the image, and imports again the same.
    let (status, zip) = app.export_package("pair").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.import_package("pair-again", zip, "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let statement = body["question"]["statement"].as_str().unwrap();
    assert!(
        statement.contains("![](/questions/pair-again/images/pairs.svg)"),
        "{statement}"
    );
    let again = (app.request(Method::GET, "/questions/pair-again/images/pairs.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.text().await.unwrap(), figure);
}
