//! Judging over HTTP: verdicts, input, comparison modes, the standard library.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SUM: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

#[tokio::test]
async fn a_correct_solution_is_accepted_on_every_test() {
    let app = TestApp::spawn().await;
    let body = app
        .judge_python(
            SUM,
            &[("1 2\n", "3\n"), ("10 -4\n", "6"), ("0 0", "0\n")],
            json!({}),
        )
        .await;
    assert_eq!(body["summary"]["total_tests"], 3);
    assert_eq!(body["summary"]["passed"], 3);
    assert_eq!(body["summary"]["failed"], 0);
    assert_eq!(body["summary"]["all_passed"], true);
    assert_eq!(body["summary"]["pass_percentage"], 100.0);
    assert_eq!(body["user_id"], "student_1");
    assert_eq!(body["question_id"], "q1");
    assert!(body["execution_id"].as_str().is_some() && body["submission_id"].as_str().is_some());
    assert_eq!(body["metadata"]["language"], "python");
    assert_eq!(body["metadata"]["runtime"], "CPython 3.14 (wasm)");
    for (i, test) in body["test_results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(test["test_number"], i + 1);
        assert_eq!(test["status"], "accepted");
        assert_eq!(test["passed"], true);
        assert_eq!(test["exit_code"], 0);
        assert!(test["instructions"].as_u64().unwrap() > 0, "{test}");
        assert!(test["memory_usage_mb"].as_f64().unwrap() > 0.0, "{test}");
        assert!(test["execution_time_ms"].as_f64().unwrap() > 0.0, "{test}");
    }
    assert_eq!(body["test_results"][1]["input"], "10 -4\n");
    assert_eq!(body["test_results"][1]["expected_output"], "6");
    assert_eq!(body["test_results"][1]["actual_output"], "6\n");
}

#[tokio::test]
async fn a_wrong_answer_is_reported_per_test_with_the_output() {
    let app = TestApp::spawn().await;
    let code = "a, b = map(int, input().split())\nprint(a * b)\n";
    let body = app
        .judge_python(code, &[("2 2", "4"), ("2 3", "5")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted");
    assert_eq!(body["test_results"][1]["status"], "wrong_answer");
    assert_eq!(body["test_results"][1]["passed"], false);
    assert_eq!(body["test_results"][1]["actual_output"], "6\n");
    assert_eq!(body["summary"]["passed"], 1);
    assert_eq!(body["summary"]["all_passed"], false);
    assert_eq!(body["summary"]["pass_percentage"], 50.0);
}

#[tokio::test]
async fn an_uncaught_exception_is_a_runtime_error_with_the_traceback() {
    let app = TestApp::spawn().await;
    let code = "def divide(a, b):\n    return a / b\n\nprint(divide(1, 0))\n";
    let result = app.run_python(code, "").await;
    assert_eq!(result["status"], "runtime_error");
    assert_eq!(result["exit_code"], 1);
    let stderr = result["stderr"].as_str().unwrap();
    assert!(
        stderr.starts_with("Traceback (most recent call last):"),
        "{stderr}"
    );
    assert!(
        stderr.contains("File \"main.py\", line 2, in divide"),
        "{stderr}"
    );
    assert!(stderr.contains("return a / b"), "{stderr}");
    assert!(
        stderr
            .trim_end()
            .ends_with("ZeroDivisionError: division by zero"),
        "{stderr}"
    );
}

#[tokio::test]
async fn exit_codes_follow_system_exit() {
    let app = TestApp::spawn().await;
    let cases = [
        ("import sys\nprint('ok')\nsys.exit(0)", "accepted", 0),
        ("exit(3)", "runtime_error", 3),
        ("raise SystemExit('bad input')", "runtime_error", 1),
        ("quit()", "accepted", 0),
    ];
    for (code, status, exit_code) in cases {
        let result = app.run_python(code, "").await;
        assert_eq!(result["status"], status, "{code}: {result}");
        assert_eq!(result["exit_code"], exit_code, "{code}: {result}");
    }
    let result = app.run_python("raise SystemExit('bad input')", "").await;
    assert_eq!(result["stderr"], "bad input\n");
}

#[tokio::test]
async fn a_syntax_error_is_a_compilation_error_on_every_test() {
    let app = TestApp::spawn().await;
    let body = app
        .judge_python("print('unterminated)\n", &[("", "x"), ("", "y")], json!({}))
        .await;
    for test in body["test_results"].as_array().unwrap() {
        assert_eq!(test["status"], "compilation_error", "{test}");
    }
    let output = body["compile_output"].as_str().unwrap();
    assert!(output.starts_with("  File \"main.py\", line 1"), "{output}");
    assert!(
        output.contains("SyntaxError: unterminated string literal"),
        "{output}"
    );
    assert_eq!(body["summary"]["passed"], 0);
}

#[tokio::test]
async fn programs_read_stdin_every_way_students_write_it() {
    let app = TestApp::spawn().await;
    let stdin = "3\n4 5\nrest of the input\nlast line\n";
    let programs = [
        ("n = int(input())\nprint(n * 2)", "6\n"),
        ("input()\nprint(sum(map(int, input().split())))", "9\n"),
        (
            "import sys\nprint(len(sys.stdin.read().splitlines()))",
            "4\n",
        ),
        ("import sys\nprint(sum(1 for _ in sys.stdin))", "4\n"),
        ("import sys\nprint(sys.stdin.readline().strip())", "3\n"),
        ("import sys\nprint(sys.stdin.buffer.read()[:1])", "b'3'\n"),
        ("print(open(0).read().split()[1])", "4\n"),
        ("x = input('prompt> ')\nprint(x)", "prompt> 3\n"),
    ];
    for (code, expected) in programs {
        let result = app.run_python(code, stdin).await;
        assert_eq!(result["status"], "accepted", "{code}: {result}");
        assert_eq!(result["actual_output"], expected, "{code}");
    }
    let eof = app.run_python("input()\ninput()", "only one line\n").await;
    assert_eq!(eof["status"], "runtime_error");
    assert!(
        eof["stderr"].as_str().unwrap().contains("EOFError"),
        "{eof}"
    );
}

#[tokio::test]
async fn a_playground_run_returns_the_output_without_judging_it() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print(input()[::-1])", "stdin": "olleh"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["summary"]["total_tests"], 1);
    let result = &body["test_results"][0];
    assert_eq!(result["status"], "accepted");
    assert_eq!(result["expected_output"], Value::Null);
    assert_eq!(result["actual_output"], "hello\n");
}

#[tokio::test]
async fn every_comparison_mode_judges_as_documented() {
    let app = TestApp::spawn().await;
    let code = "import sys\nsys.stdout.write(sys.stdin.read())";
    // (mode, tolerance, program output, expected output, accepted?)
    let cases = [
        ("trimmed", None, "1 2  \n3\n\n", "1 2\n3", true),
        ("trimmed", None, "1  2\n3\n", "1 2\n3", false),
        ("exact", None, "1 2\n", "1 2\n", true),
        ("exact", None, "1 2\n", "1 2", false),
        ("tokens", None, "1\n2   3\n", "1 2 3", true),
        ("tokens", None, "1 2", "1 2 3", false),
        ("float", None, "0.3333334 x\n", "0.333333 x", true),
        ("float", None, "0.34\n", "0.333333", false),
        ("float", Some(0.01), "0.34\n", "0.333333", true),
    ];
    for (mode, tolerance, output, expected, accepted) in cases {
        let mut compare = json!({"mode": mode});
        if let Some(tolerance) = tolerance {
            compare["tolerance"] = json!(tolerance);
        }
        let body = app
            .judge_python(code, &[(output, expected)], json!({"compare": compare}))
            .await;
        let status = &body["test_results"][0]["status"];
        let want = if accepted { "accepted" } else { "wrong_answer" };
        assert_eq!(
            status, want,
            "mode {mode}, output {output:?}, expected {expected:?}"
        );
        assert_eq!(body["metadata"]["compare"]["mode"], mode);
    }
    // Trimmed is the default.
    let body = app.judge_python(code, &[("7  \n\n", "7")], json!({})).await;
    assert_eq!(body["test_results"][0]["status"], "accepted");
    assert_eq!(body["metadata"]["compare"]["mode"], "trimmed");
}

#[tokio::test]
async fn the_standard_library_students_use_imports() {
    let app = TestApp::spawn().await;
    let modules = [
        "abc",
        "argparse",
        "array",
        "base64",
        "bisect",
        "calendar",
        "cmath",
        "collections",
        "collections.abc",
        "copy",
        "csv",
        "dataclasses",
        "datetime",
        "decimal",
        "difflib",
        "enum",
        "fnmatch",
        "fractions",
        "functools",
        "graphlib",
        "hashlib",
        "heapq",
        "html",
        "io",
        "itertools",
        "json",
        "keyword",
        "logging",
        "math",
        "numbers",
        "operator",
        "os",
        "pathlib",
        "pickle",
        "pprint",
        "queue",
        "random",
        "re",
        "secrets",
        "shlex",
        "statistics",
        "string",
        "struct",
        "sys",
        "textwrap",
        "time",
        "timeit",
        "typing",
        "unicodedata",
        "unittest",
        "uuid",
        "zlib",
    ];
    let code = format!("import {}\nprint('imported')", modules.join(", "));
    let result = app.run_python(&code, "").await;
    assert_eq!(result["status"], "accepted", "{result}");
    // And they work, not just import.
    let code = r#"
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from collections import Counter, deque
from dataclasses import dataclass
import statistics, heapq, bisect, itertools, functools, re, json, math, string

@dataclass(order=True)
class Point:
    x: int
    y: int = 0

print(date(2024, 2, 28) + timedelta(days=1))
print(Decimal("0.1") + Decimal("0.2"), Fraction(1, 3) * 3)
print(Counter("banana").most_common(1), deque([1, 2, 3], maxlen=2))
print(sorted([Point(2), Point(1, 5)]))
print(statistics.median([3, 1, 2]), heapq.nsmallest(2, [5, 1, 4]), bisect.bisect([1, 3], 2))
print(list(itertools.permutations("ab")), functools.reduce(lambda a, b: a * b, range(1, 6)))
print(re.findall(r"\d+", "a1b22"), json.dumps({"k": [1, 2]}), math.comb(5, 2), string.ascii_lowercase[:3])
"#;
    let expected = "2024-02-29\n0.3 1\n[('a', 3)] deque([2, 3], maxlen=2)\n[Point(x=1, y=5), Point(x=2, y=0)]\n2 [1, 4] 1\n[('a', 'b'), ('b', 'a')] 120\n['1', '22'] {\"k\": [1, 2]} 10 abc\n";
    let result = app.run_python(code, "").await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], expected);
}

#[tokio::test]
async fn test_results_keep_the_order_of_the_test_cases() {
    let app = TestApp::spawn().await;
    // Earlier tests take longer, so they finish last when run in parallel.
    let code = "import time\nn = int(input())\ntime.sleep(n / 10)\nprint(n)";
    let tests: Vec<(String, String)> = (0..6)
        .rev()
        .map(|n| (n.to_string(), n.to_string()))
        .collect();
    let tests: Vec<(&str, &str)> = tests
        .iter()
        .map(|(i, o)| (i.as_str(), o.as_str()))
        .collect();
    let body = app.judge_python(code, &tests, json!({})).await;
    let outputs: Vec<&str> = body["test_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["actual_output"].as_str().unwrap().trim())
        .collect();
    assert_eq!(outputs, ["5", "4", "3", "2", "1", "0"]);
    assert_eq!(body["summary"]["all_passed"], true);
}

#[tokio::test]
async fn fifty_concurrent_requests_are_all_answered() {
    let app = TestApp::spawn().await;
    let requests = (0..50).map(|i| {
        let app = &app;
        async move {
            let body = app
                .judge_python(SUM, &[(&format!("{i} 1"), &(i + 1).to_string())], json!({}))
                .await;
            body["summary"]["all_passed"].as_bool().unwrap()
        }
    });
    let results = futures::future::join_all(requests).await;
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|passed| *passed), "{results:?}");
}

#[tokio::test]
async fn the_same_program_uses_the_same_number_of_instructions_every_run() {
    let app = TestApp::spawn().await;
    let code = "print(sum(i * i for i in range(10000)))";
    let first = app.run_python(code, "").await;
    let second = app.run_python(code, "").await;
    assert_eq!(first["status"], "accepted");
    assert!(first["instructions"].as_u64().unwrap() > 0, "{first}");
    assert_eq!(
        first["instructions"], second["instructions"],
        "{first} {second}"
    );
}
