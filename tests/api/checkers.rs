//! Questions judged by a checker program (Kattis output validators and
//! testlib checkers, each in the sandbox), by the Kattis default
//! validator's comparison, and by test groups (subtasks).
//!
//! The problem of most tests: print two positive integers that add up to
//! the input; there are many right answers, which no comparison accepts.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp, statuses};

const TESTLIB_H: &str = include_str!("../fixtures/checkers/testlib.h");
const TESTLIB_CHECKER: &str = include_str!("../fixtures/checkers/pair_testlib.cpp");
const KATTIS_VALIDATOR: &str = include_str!("../fixtures/checkers/pair_kattis.cpp");

/// The same validator in Java: it runs in the native sandbox.
const KATTIS_VALIDATOR_JAVA: &str = r#"
import java.nio.file.*;
import java.util.*;

public class Validator {
    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(Files.readString(Path.of(args[0])).trim());
        String[] output = new Scanner(System.in).useDelimiter("\\A").next().trim().split("\\s+");
        boolean right = output.length == 2;
        if (right) {
            long a = Long.parseLong(output[0]), b = Long.parseLong(output[1]);
            right = a >= 1 && b >= 1 && a + b == n;
        }
        Files.writeString(Path.of(args[2], "teammessage.txt"), right ? "fine" : "no, in Java");
        System.exit(right ? 42 : 43);
    }
}
"#;

/// The same validator in Python: it runs in the WebAssembly interpreter,
/// given the test's files in its working directory.
const KATTIS_VALIDATOR_PYTHON: &str = r#"
import sys
n = int(open(sys.argv[1]).read())
words = sys.stdin.read().split()
right = len(words) == 2 and all(w.lstrip('-').isdigit() for w in words)
right = right and int(words[0]) >= 1 and int(words[1]) >= 1 and int(words[0]) + int(words[1]) == n
with open(sys.argv[3] + "/teammessage.txt", "w") as team:
    team.write("fine" if right else "no, in Python")
sys.exit(42 if right else 43)
"#;

/// A right answer in each language, each a different pair.
fn right_answers() -> [(&'static str, &'static str); 4] {
    [
        ("python", "n = int(input())\nprint(1, n - 1)"),
        (
            "javascript",
            "const n = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(2, n - 2);",
        ),
        (
            "cpp",
            "#include <iostream>\nint main() { long long n; std::cin >> n; std::cout << n - 3 << ' ' << 3 << '\\n'; }",
        ),
        (
            "java",
            "import java.util.*;\npublic class Main { public static void main(String[] a) { long n = new Scanner(System.in).nextLong(); System.out.println((n / 2) + \" \" + (n - n / 2)); } }",
        ),
    ]
}

/// A question whose tests a checker judges: one visible, two hidden.
fn pair_question(slug: &str, checker: Value) -> Value {
    json!({
        "slug": slug,
        "title": "Any pair",
        "statement": "Print two positive integers that add up to n.",
        "limits": {"time_ms": 4000},
        "checker": checker,
        "test_cases": [
            {"input": "10", "expected_output": "5 5"},
            {"input": "1000000", "expected_output": "500000 500000", "hidden": true, "points": 2},
            {"input": "7", "expected_output": "3 4", "hidden": true, "points": 2},
        ]
    })
}

fn testlib_checker() -> Value {
    json!({"protocol": "testlib", "language": "cpp", "source": TESTLIB_CHECKER,
           "files": {"testlib.h": TESTLIB_H}})
}

fn kattis_validator() -> Value {
    json!({"protocol": "kattis", "language": "cpp", "source": KATTIS_VALIDATOR})
}

async fn admin_view(app: &TestApp, execution_id: &str) -> Value {
    let path = format!("/executions/{execution_id}");
    let (status, body) = app.send(Method::GET, &path, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_checker_accepts_any_right_answer_in_every_language_in_both_protocols() {
    let app = TestApp::spawn_admin().await;
    let checkers = [
        ("testlib", testlib_checker()),
        ("kattis", kattis_validator()),
        (
            "kattis-java",
            json!({"protocol": "kattis", "language": "java", "source": KATTIS_VALIDATOR_JAVA}),
        ),
        (
            "kattis-python",
            json!({"protocol": "kattis", "language": "python", "source": KATTIS_VALIDATOR_PYTHON}),
        ),
    ];
    for (slug, checker) in checkers {
        let (status, body) = app.create_question(pair_question(slug, checker)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        for (language, code) in right_answers() {
            let body = app.judge_on_question(slug, language, code).await;
            assert_eq!(
                statuses(&body),
                ["accepted"; 3],
                "{slug}, {language}: {body}"
            );
            assert_eq!(body["summary"]["score"], 5, "{slug}, {language}");
        }
    }
}

#[tokio::test]
async fn a_checkers_verdict_and_message_reach_the_student_and_the_judges_message_the_teacher() {
    let app = TestApp::spawn_admin().await;
    for (slug, checker) in [
        ("testlib", testlib_checker()),
        ("kattis", kattis_validator()),
    ] {
        app.create_question(pair_question(slug, checker)).await;
        // Right on 10 and 7, wrong on 1000000 (hidden).
        let code = "n = int(input())\nprint(1, n - 1 if n < 100 else n)";
        let body = app.judge_on_question(slug, "python", code).await;
        assert_eq!(
            statuses(&body),
            ["accepted", "wrong_answer", "accepted"],
            "{slug}: {body}"
        );
        assert_eq!(body["summary"]["score"], 3);
        let hidden = &body["test_results"][1];
        assert_eq!(
            hidden["message"],
            Value::Null,
            "a hidden test's message is withheld"
        );
        assert!(body.get("judge_message").is_none());

        let wrong = "print(4, 4)";
        let body = app.judge_on_question(slug, "python", wrong).await;
        let visible = &body["test_results"][0];
        assert_eq!(visible["status"], "wrong_answer", "{body}");
        let expected_message = match slug {
            "testlib" => "wrong answer 4 + 4 is not 10",
            _ => "those numbers do not add up",
        };
        assert_eq!(visible["message"], expected_message, "{slug}");
        assert!(
            visible.get("judge_message").is_none(),
            "for the teacher only: {visible}"
        );
        if slug == "kattis" {
            let execution = body["execution_id"].as_str().unwrap();
            let teacher = admin_view(&app, execution).await;
            assert_eq!(teacher["test_results"][0]["judge_message"], "4 + 4 != 10");
            assert_eq!(
                teacher["test_results"][2]["judge_message"], "4 + 4 != 7",
                "hidden too"
            );
        }
    }
}

#[tokio::test]
async fn a_checker_giving_partial_points_scores_part_of_the_test() {
    let app = TestApp::spawn_admin().await;
    // Half the points for a pair that adds up but is not ordered a <= b.
    let source = TESTLIB_CHECKER.replace(
        "    quitf(_ok,",
        "    if (a > b) quitp(1, \"add up, but not in order\");\n    quitf(_ok,",
    );
    let checker = json!({"protocol": "testlib", "language": "cpp", "source": source,
                         "files": {"testlib.h": TESTLIB_H}});
    app.create_question(pair_question("partial", checker)).await;
    let body = app
        .judge_on_question("partial", "python", "n = int(input())\nprint(n - 1, 1)")
        .await;
    // One point: all of the visible test's, half of each hidden one's.
    assert_eq!(
        statuses(&body),
        ["accepted", "partially_accepted", "partially_accepted"],
        "{body}"
    );
    assert_eq!(body["test_results"][1]["score"], 1);
    assert_eq!(body["summary"]["score"], 3);
    assert_eq!(body["summary"]["max_score"], 5);
}

#[tokio::test]
async fn a_checker_that_fails_is_the_judges_error_never_the_students_wrong_answer() {
    let app = TestApp::spawn_admin().await;
    let failing = [
        // testlib's own failure exit.
        (
            "fails",
            "#include <cstdio>\nint main() { std::fputs(\"FAIL broken answer\", stderr); return 3; }",
        ),
        // A crash.
        ("crashes", "int main() { __builtin_trap(); }"),
        // Its own time limit.
        (
            "spins",
            "int main() { volatile unsigned long i = 0; for (;;) i++; }",
        ),
        // Its own memory limit (512 MiB): an allocation fails, and it gives up.
        (
            "hogs",
            "#include <cstdlib>\n#include <cstring>\nint main() { for (;;) { void *p = std::malloc(1 << 20); if (!p) return 9; std::memset(p, 1, 1 << 20); } }",
        ),
    ];
    for (slug, source) in failing {
        let checker =
            json!({"protocol": "testlib", "language": "cpp", "source": source, "time_ms": 300});
        let (status, body) = app.create_question(pair_question(slug, checker)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let body = app.judge_on_question(slug, "python", "print(5, 5)").await;
        assert_eq!(statuses(&body), ["internal_error"; 3], "{slug}: {body}");
        let message = body["test_results"][0]["message"].as_str().unwrap();
        assert!(message.contains("your teacher can see why"), "{message}");
        let teacher = admin_view(&app, body["execution_id"].as_str().unwrap()).await;
        let why = teacher["test_results"][0]["judge_message"]
            .as_str()
            .unwrap();
        assert!(why.starts_with("the checker"), "{slug}: {why}");
        if slug == "fails" {
            assert!(why.contains("FAIL broken answer"), "{why}");
        }
    }
}

#[tokio::test]
async fn a_checker_runs_in_the_sandbox_like_a_submission() {
    let app = TestApp::spawn_admin().await;
    // Accepts only if it can read a host file or write outside its directory.
    let escape = r#"#include <cstdio>
int main(int argc, char **argv) {
    bool host_file = std::fopen("/etc/passwd", "r") != nullptr;
    bool parent = std::fopen("../escaped", "w") != nullptr;
    std::FILE *team = std::fopen((std::string(argv[3]) + "/teammessage.txt").c_str(), "w");
    std::fprintf(team, "host file %d, parent %d", host_file, parent);
    return host_file || parent ? 42 : 43;
}"#
    .replace("#include <cstdio>", "#include <cstdio>\n#include <string>");
    let checker = json!({"protocol": "kattis", "language": "cpp", "source": escape});
    app.create_question(pair_question("escape", checker)).await;
    let body = app
        .judge_on_question("escape", "python", "print(5, 5)")
        .await;
    let visible = &body["test_results"][0];
    assert_eq!(visible["status"], "wrong_answer", "{body}");
    assert_eq!(visible["message"], "host file 0, parent 0");

    // The same in Python, in the interpreter's sandbox.
    let escape = r#"
import sys
def can(path, mode):
    try:
        open(path, mode).close()
        return 1
    except OSError:
        return 0
host_file, parent = can("/etc/passwd", "r"), can("../escaped", "w")
with open(sys.argv[3] + "/teammessage.txt", "w") as team:
    team.write(f"host file {host_file}, parent {parent}")
sys.exit(42 if host_file or parent else 43)
"#;
    let checker = json!({"protocol": "kattis", "language": "python", "source": escape});
    app.create_question(pair_question("escape-python", checker))
        .await;
    let body = app
        .judge_on_question("escape-python", "cpp", right_answers()[2].1)
        .await;
    let visible = &body["test_results"][0];
    assert_eq!(visible["status"], "wrong_answer", "{body}");
    assert_eq!(visible["message"], "host file 0, parent 0");

    // Filling the disk is stopped, and is the judge's error.
    let flood = r#"#include <cstdio>
#include <string>
int main(int argc, char **argv) {
    std::FILE *f = std::fopen((std::string(argv[3]) + "/judgemessage.txt").c_str(), "w");
    static char block[1 << 20];
    for (;;) std::fwrite(block, 1, sizeof block, f);
}"#;
    let checker = json!({"protocol": "kattis", "language": "cpp", "source": flood});
    app.create_question(pair_question("flood", checker)).await;
    let body = app
        .judge_on_question("flood", "python", "print(5, 5)")
        .await;
    assert_eq!(statuses(&body), ["internal_error"; 3], "{body}");
    let teacher = admin_view(&app, body["execution_id"].as_str().unwrap()).await;
    let why = teacher["test_results"][0]["judge_message"]
        .as_str()
        .unwrap();
    assert!(why.contains("wrote more than 64 MiB"), "{why}");
}

#[tokio::test]
async fn a_checker_that_does_not_compile_is_refused_with_the_compilers_message() {
    let app = TestApp::spawn_admin().await;
    let checker = json!({"protocol": "testlib", "language": "cpp", "source": TESTLIB_CHECKER});
    let (status, body) = app
        .create_question(pair_question("no-header", checker))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("does not compile") && message.contains("testlib.h"),
        "{message}"
    );
    let refused = [
        (
            json!({"protocol": "testlib", "language": "javascript", "source": "1"}),
            "checker.language",
        ),
        (
            json!({"protocol": "kattis", "language": "cpp", "source": " "}),
            "checker.source",
        ),
        (
            json!({"protocol": "testlib", "language": "cpp", "source": "x", "files": {"../x.h": ""}}),
            "checker.files",
        ),
        (
            json!({"protocol": "testlib", "language": "cpp", "source": "x", "arguments": ["a"]}),
            "kattis protocol only",
        ),
    ];
    for (checker, expected) in refused {
        let (status, body) = app.create_question(pair_question("bad", checker)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected}: {message}");
    }
    let (status, _) = app.get_question("bad").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was stored");
}

#[tokio::test]
async fn a_queued_submission_is_judged_by_the_checker_too() {
    let app = TestApp::spawn_admin().await;
    app.create_question(pair_question("queued", kattis_validator()))
        .await;
    let id = app
        .submit_accepted(json!({"language": "cpp", "code": right_answers()[2].1,
                                "question_id": "queued"}))
        .await;
    let done = app.wait_for_submission(&id).await;
    assert_eq!(done["score"], 5, "{done}");
}

#[tokio::test]
async fn the_kattis_comparison_ignores_case_and_spacing_and_takes_either_tolerance() {
    let app = TestApp::spawn().await;
    let code = "print('  YES\\n3.14160   2')";
    let cases = [
        (json!({"mode": "kattis"}), "yes 3.14160 2", "accepted"),
        (
            json!({"mode": "kattis", "case_sensitive": true}),
            "yes 3.14160 2",
            "wrong_answer",
        ),
        (json!({"mode": "kattis"}), "yes 3.1416 2", "wrong_answer"),
        (
            json!({"mode": "kattis", "float_absolute_tolerance": 1e-3}),
            "yes 3.1416 2.0",
            "accepted",
        ),
        (
            json!({"mode": "kattis", "float_relative_tolerance": 1e-9, "float_absolute_tolerance": 1e-3}),
            "yes 3.1416 2.0",
            "accepted",
        ),
        (
            json!({"mode": "kattis", "space_change_sensitive": true}),
            "YES\n3.14160 2\n",
            "wrong_answer",
        ),
        (
            json!({"mode": "kattis", "space_change_sensitive": true}),
            "  YES\n3.14160   2\n",
            "accepted",
        ),
    ];
    for (compare, expected, verdict) in cases {
        let (status, body) = app
            .execute(
                json!({"language": "python", "code": code, "compare": compare,
                            "test_cases": [{"input": "", "expected_output": expected}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["test_results"][0]["status"], verdict,
            "{compare} {expected:?}"
        );
    }
    let (status, body) = app
        .execute(json!({"language": "python", "code": code,
                        "compare": {"mode": "tokens", "case_sensitive": true},
                        "test_cases": [{"input": "", "expected_output": "x"}]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

/// Subtasks: a sample worth nothing, an all-or-nothing group that stops at
/// its first failure, and a group whose tests count one by one.
fn subtask_question() -> Value {
    json!({
        "slug": "subtasks",
        "title": "Double it",
        "groups": [
            {"name": "sample"},
            {"name": "small", "scoring": "min", "stop_at_first_failure": true},
            {"name": "large", "scoring": "sum"},
        ],
        "test_cases": [
            {"input": "2", "expected_output": "4", "group": "sample", "points": 0},
            {"input": "3", "expected_output": "6", "group": "small", "points": 10, "hidden": true},
            {"input": "-4", "expected_output": "-8", "group": "small", "points": 10, "hidden": true},
            {"input": "5", "expected_output": "10", "group": "small", "points": 10, "hidden": true},
            {"input": "1000000000000", "expected_output": "2000000000000", "group": "large", "points": 35, "hidden": true},
            {"input": "-1000000000000", "expected_output": "-2000000000000", "group": "large", "points": 35, "hidden": true},
        ]
    })
}

#[tokio::test]
async fn subtasks_score_by_group_and_a_failed_group_skips_the_rest() {
    let app = TestApp::spawn_admin().await;
    let (status, body) = app.create_question(subtask_question()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Wrong on negative numbers.
    let code = "n = int(input())\nprint(abs(2 * n))";
    let body = app.judge_on_question("subtasks", "python", code).await;
    assert_eq!(
        statuses(&body),
        [
            "accepted",
            "accepted",
            "wrong_answer",
            "skipped",
            "accepted",
            "wrong_answer"
        ],
        "{body}"
    );
    assert_eq!(body["summary"]["score"], 35);
    assert_eq!(body["summary"]["max_score"], 100);
    assert_eq!(
        body["summary"]["groups"],
        json!([
            {"name": "sample", "score": 0, "max_score": 0},
            {"name": "small", "score": 0, "max_score": 30},
            {"name": "large", "score": 35, "max_score": 35 * 2},
        ])
    );
    // The same summary when the execution is read back.
    let stored = admin_view(&app, body["execution_id"].as_str().unwrap()).await;
    assert_eq!(stored["summary"], body["summary"]);

    let right = app
        .judge_on_question("subtasks", "python", "print(2 * int(input()))")
        .await;
    assert_eq!(right["summary"]["score"], 100, "{right}");

    let mut undefined = subtask_question();
    undefined["test_cases"][1]["group"] = json!("medium");
    let (status, body) = app.put_question("subtasks", undefined).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("medium")
    );
}

#[tokio::test]
async fn the_teachers_form_takes_a_checker_and_groups_and_refuses_a_broken_checker() {
    let app = TestApp::spawn_admin().await;
    let teacher = app.teacher_session().await;
    let tests = r#"[{"input": "10", "expected_output": "5 5", "group": "all"}]"#;
    let groups = r#"[{"name": "all", "scoring": "min"}]"#;
    let checker = kattis_validator().to_string();
    let mut fields = vec![
        ("slug", "formed"),
        ("title", "Any pair"),
        ("compare", "trimmed"),
        ("tests", tests),
        ("groups", groups),
        ("checker", checker.as_str()),
    ];
    let (status, html) = teacher
        .post_form(
            "/ui/admin/questions/new",
            "/ui/admin/questions/new",
            &fields,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, stored) = app.get_question_as_admin("formed").await;
    assert_eq!(stored["checker"]["protocol"], "kattis");
    assert_eq!(stored["groups"][0]["scoring"], "min");
    let body = app
        .judge_on_question("formed", "python", "print(3, 7)")
        .await;
    assert_eq!(statuses(&body), ["accepted"], "{body}");

    // A checker that does not compile: the form says why; nothing changes.
    let broken =
        json!({"protocol": "kattis", "language": "cpp", "source": "int main( {"}).to_string();
    fields[5].1 = broken.as_str();
    fields[0].1 = "broken";
    let (status, html) = teacher
        .post_form(
            "/ui/admin/questions/new",
            "/ui/admin/questions/new",
            &fields,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("the checker does not compile"), "{html}");
    fields[5].1 = "{\"protocol\": \"kattis\"";
    let (status, html) = teacher
        .post_form(
            "/ui/admin/questions/new",
            "/ui/admin/questions/new",
            &fields,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Checker:"), "{html}");
    assert_eq!(app.get_question("broken").await.0, StatusCode::NOT_FOUND);
}
