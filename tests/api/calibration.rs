//! Fair time limits: per-language limits, reference solutions and their
//! calibration, per-language factors, and the limit that applied shown in
//! every answer.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, minutes_from_now};

/// The sum of i² for i below n: a loop an interpreter takes a while over.
const PYTHON_REFERENCE: &str = "n = int(input())\nprint(sum(i * i for i in range(n)))";
const CPP_REFERENCE: &str = "#include <cstdio>\nint main() { long long n, s = 0; scanf(\"%lld\", &n);\n\
     for (long long i = 0; i < n; i++) s += i * i; printf(\"%lld\\n\", s); }\n";
/// A student's solution: correct, and slower than the reference.
const PYTHON_LOOP: &str =
    "n = int(input())\ntotal = 0\nfor i in range(n):\n    total += i * i\nprint(total)";

/// The squares question, with reference solutions in C++ and Python and
/// `extra` fields.
fn squares(slug: &str, extra: Value) -> Value {
    let mut question = json!({
        "slug": slug, "title": "Sum of squares",
        "languages": ["cpp", "python"],
        "test_cases": [
            {"input": "300000", "expected_output": "8999955000050000"},
            {"input": "200000", "expected_output": "2666646666700000", "hidden": true},
        ],
        "reference_solutions": [
            {"language": "cpp", "code": CPP_REFERENCE},
            {"language": "python", "code": PYTHON_REFERENCE},
        ],
        // A generous multiplier: the limit is still judged on wall time here.
        "calibration": {"multiplier": 5, "floor_ms": 10},
    });
    for (key, value) in extra.as_object().into_iter().flatten() {
        question[key] = value.clone();
    }
    question
}

fn time_ms(limits: &Value) -> u64 {
    limits["time_ms"]
        .as_u64()
        .unwrap_or_else(|| panic!("{limits}"))
}

#[tokio::test]
async fn calibration_gives_python_a_larger_limit_than_cpp_under_which_a_slow_correct_python_passes()
{
    let app = TestApp::spawn_with_question(squares("squares", json!({})), &[]).await;
    let (status, body) = app.calibrate("squares").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let measured = &body["calibrated"]["languages"];
    let (python, cpp) = (time_ms(&measured["python"]), time_ms(&measured["cpp"]));
    assert!(python > cpp, "python {python} ms, cpp {cpp} ms: {body}");
    let reference_ms = measured["python"]["reference_cpu_ms"].as_f64().unwrap();
    assert!(reference_ms > 0.0, "{body}");
    let applied = &body["language_limits"]["python"];
    assert_eq!(time_ms(applied), python);
    assert_eq!(applied["time_source"]["kind"], "calibrated", "{body}");

    // Teachers see the limit and the reference time it came from; students the limit.
    let (_, admin) = app.get_question_as_admin("squares").await;
    assert_eq!(admin["calibrated"]["stale"], false, "{admin}");
    assert_eq!(
        admin["calibrated"]["languages"]["python"]["reference_cpu_ms"],
        reference_ms
    );
    let (_, public) = app.get_question("squares").await;
    assert_eq!(time_ms(&public["language_limits"]["python"]), python);
    assert_eq!(time_ms(&public["language_limits"]["cpp"]), cpp);

    // A slower, correct Python solution passes under Python's limit...
    let submission = json!({"language": "python", "code": PYTHON_LOOP, "question_id": "squares"});
    let (status, judged) = app.execute(submission).await;
    assert_eq!(status, StatusCode::OK, "{judged}");
    assert_eq!(judged["summary"]["all_passed"], true, "{judged}");
    assert_eq!(time_ms(&judged["metadata"]["limits"]), python);
    assert_eq!(
        judged["metadata"]["limits"]["time_source"]["kind"],
        "calibrated"
    );

    // ... and fails C++'s.
    let cpp_limit = json!({"limits_by_language": {"python": {"time_ms": cpp}}});
    let (status, body) = app
        .create_question(squares("squares-cpp-limit", cpp_limit))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let submission =
        json!({"language": "python", "code": PYTHON_LOOP, "question_id": "squares-cpp-limit"});
    let (status, judged) = app.execute(submission).await;
    assert_eq!(status, StatusCode::OK, "{judged}");
    assert_eq!(
        judged["test_results"][0]["status"], "time_limit_exceeded",
        "{judged}"
    );
    let applied = &judged["metadata"]["limits"];
    assert_eq!(time_ms(applied), cpp);
    assert_eq!(applied["time_source"]["kind"], "set_for_language");

    // A new test makes the calibration stale: it no longer applies.
    let test = json!({"input": "10", "expected_output": "285"});
    let (status, body) = app.add_test_case("squares", test).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, admin) = app.get_question_as_admin("squares").await;
    assert_eq!(admin["calibrated"]["stale"], true, "{admin}");
    let python = &admin["language_limits"]["python"];
    assert_eq!(python["time_source"]["kind"], "scaled", "{admin}");
}

#[tokio::test]
async fn a_reference_solution_that_fails_a_test_makes_calibration_fail_naming_both() {
    let question = json!({
        "slug": "double", "title": "Double it",
        "test_cases": [
            {"input": "2", "expected_output": "4"},
            {"input": "5", "expected_output": "10", "hidden": true},
        ],
        "reference_solutions": [
            {"language": "python", "code": "print(int(input()) * 2)"},
            {"language": "javascript", "code": "const n = Number(require('fs').readFileSync(0, 'utf8')); console.log(n === 5 ? 0 : n * 2)"},
        ],
    });
    let app = TestApp::spawn_with_question(question, &[]).await;
    let (status, body) = app.calibrate("double").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "calibration_failed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("reference solution 2 (javascript) fails test 2: wrong_answer"),
        "{message}"
    );
    let (_, admin) = app.get_question_as_admin("double").await;
    assert_eq!(admin["calibrated"], Value::Null, "nothing recorded");

    // Without reference solutions there is nothing to calibrate from.
    let plain = json!({"slug": "plain", "title": "Plain",
                       "test_cases": [{"input": "", "expected_output": "1"}]});
    let (status, body) = app.create_question(plain).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app.calibrate("plain").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no reference_solutions"),
        "{body}"
    );
    let (status, body) = app.calibrate("missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn per_language_limits_are_checked_like_limits_and_apply_unscaled() {
    let question = json!({
        "slug": "echo", "title": "Echo",
        "limits": {"time_ms": 1000},
        "limits_by_language": {"python": {"time_ms": 1200, "memory_mb": 128}},
        "test_cases": [{"input": "hi", "expected_output": "hi"}],
    });
    let app = TestApp::spawn_with_question(question.clone(), &[]).await;
    let (_, public) = app.get_question("echo").await;
    let limits = &public["language_limits"];
    assert_eq!(
        (&limits["python"]["time_ms"], &limits["python"]["memory_mb"]),
        (&json!(1200), &json!(128)),
        "{public}"
    );
    assert_eq!(limits["python"]["time_source"]["kind"], "set_for_language");
    assert_eq!(
        limits["javascript"]["time_ms"], 3000,
        "scaled by 3: {public}"
    );
    assert_eq!(limits["cpp"]["time_ms"], 2000, "scaled by 2: {public}");
    assert_eq!(limits["java"]["time_ms"], 1000, "{public}");
    assert_eq!(limits["java"]["time_source"]["kind"], "unscaled");

    let cases = [
        (
            json!({"cobol": {"time_ms": 1}, "fortran": {}}),
            json!([]),
            "cobol, fortran",
        ),
        (
            json!({"python": {"time_ms": 60_000}}),
            json!([]),
            "limits_by_language.python.time_ms",
        ),
        (
            json!({"python": {"memory_mb": 1}}),
            json!([]),
            "limits_by_language.python.memory_mb",
        ),
        (json!({"python": {"cpu_ms": 1}}), json!([]), "cpu_ms"),
        (
            json!({"python": {"time_ms": 100}}),
            json!(["cpp"]),
            "not among the question's languages",
        ),
    ];
    for (by_language, languages, expected) in cases {
        let mut bad = question.clone();
        bad["slug"] = json!("bad");
        bad["limits_by_language"] = by_language;
        bad["languages"] = languages;
        let (status, body) = app.create_question(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected}: {message}");
    }
}

#[tokio::test]
async fn the_time_factor_scales_an_execute_requests_limit_in_python_and_not_in_java() {
    let app = TestApp::spawn().await;
    let run = |language: &str, code: &str| json!({"language": language, "code": code, "limits": {"time_ms": 1000}});
    let (status, body) = app.execute(run("python", "print(1)")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let limits = &body["metadata"]["limits"];
    assert_eq!(time_ms(limits), 3000, "{body}");
    assert_eq!(
        limits["time_source"],
        json!({"kind": "scaled", "general_time_ms": 1000, "factor": 3.0, "capped": false})
    );
    let java = "public class Main { public static void main(String[] a) {} }";
    let (status, body) = app.execute(run("java", java)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let limits = &body["metadata"]["limits"];
    assert_eq!(time_ms(limits), 1000, "{body}");
    assert_eq!(limits["time_source"], json!({"kind": "unscaled"}));
    // The server's default (5000 ms), scaled, is cut to its maximum.
    let body = json!({"language": "python", "code": "print(1)"});
    let (_, body) = app.execute(body).await;
    let limits = &body["metadata"]["limits"];
    assert_eq!(time_ms(limits), 10_000, "{body}");
    assert_eq!(limits["time_source"]["capped"], true, "{body}");
    // The applied limits are kept with the execution.
    let id = body["execution_id"].as_str().unwrap();
    let (_, stored) = app.get_execution(id).await;
    assert_eq!(stored["metadata"]["limits"], body["metadata"]["limits"]);

    // A factor of 1 turns scaling off.
    let app = TestApp::spawn_with_env(&[("JUDGEBOX_TIME_FACTORS", "python=1")]).await;
    let (_, body) = app.execute(run("python", "print(1)")).await;
    assert_eq!(time_ms(&body["metadata"]["limits"]), 1000, "{body}");
}

#[tokio::test]
async fn a_factor_for_an_unknown_language_stops_the_server_from_starting() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(["--database-url", "sqlite::memory:"])
        .env("JUDGEBOX_TIME_FACTORS", "python=3,cobol=2")
        .output()
        .expect("running judgebox serve");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"cobol\""), "{stderr}");
}

#[tokio::test]
async fn reference_solutions_are_never_shown_to_participants_or_anonymous_callers() {
    const MARKER: &str = "REFERENCE-SOLUTION-MARKER";
    let code = format!("# {MARKER}\nprint(int(input()) * 2)");
    let question = |slug: &str| {
        json!({"slug": slug, "title": "Double",
               "test_cases": [{"input": "2", "expected_output": "4"}],
               "reference_solutions": [{"language": "python", "code": code}]})
    };
    let app = TestApp::spawn_with_question(question("in-contest"), &[]).await;
    let (status, body) = app.create_question(question("public")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let contest = json!({
        "title": "Week 1", "starts_at": minutes_from_now(-5), "ends_at": minutes_from_now(55),
        "questions": ["in-contest"], "scoring": "ioi", "scoreboard": "participants"
    });
    let (status, body) = app.put_contest("week-1", contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ann = app.add_participant("week-1", "ann").await;

    let (_, admin) = app.get_question_as_admin("in-contest").await;
    assert!(admin.to_string().contains(MARKER), "admins see it");
    let mut shown = Vec::new();
    for token in [None, Some(ann.as_str())] {
        for path in [
            "/questions",
            "/questions/in-contest",
            "/questions/public",
            "/contests",
            "/contests/week-1",
        ] {
            let (status, body) = app.send(reqwest::Method::GET, path, token, None).await;
            shown.push((format!("{path} as {token:?}: {status}"), body.to_string()));
        }
        let submission = json!({"language": "python", "code": "print(4)", "question_id": "public"});
        let (status, body) = app.execute_as(token, submission).await;
        shown.push((format!("execute as {token:?}: {status}"), body.to_string()));
    }
    let (status, page) = app
        .get_page_as_participant(&ann, "/ui/contests/week-1/questions/in-contest")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("python"),
        "the page shows the limits per language"
    );
    shown.push(("the question page".into(), page));
    for path in ["/ui/admin/questions/in-contest/edit", "/ui/contests/week-1"] {
        let (status, page) = app.get_page(path).await;
        shown.push((format!("{path} anonymously: {status}"), page));
    }
    for (what, body) in shown {
        assert!(!body.contains(MARKER), "{what} shows a reference solution");
    }
    // Neither may they calibrate.
    let path = "/admin/questions/public/calibrate";
    for (token, refused) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(ann.as_str()), StatusCode::FORBIDDEN),
    ] {
        let (status, body) = app.send(reqwest::Method::POST, path, token, None).await;
        assert_eq!(status, refused, "{body}");
    }
}
