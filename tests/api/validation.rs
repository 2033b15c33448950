//! Bad requests get a clear JSON error with the right status, never a 500.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn assert_error(
    status: StatusCode,
    body: &Value,
    want_status: StatusCode,
    want_code: &str,
    mentions: &str,
) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message.contains(mentions),
        "{message:?} should mention {mentions:?}"
    );
}

/// A 422 `invalid_request` whose message mentions `mentions`.
fn assert_invalid(status: StatusCode, body: &Value, mentions: &str) {
    assert_error(
        status,
        body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
        mentions,
    );
}

#[tokio::test]
async fn an_unknown_language_lists_the_supported_ones() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .execute(json!({"language": "cobol", "code": "DISPLAY 'HI'."}))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unsupported_language",
        "cobol",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("python")
    );
}

#[tokio::test]
async fn missing_or_empty_code_is_rejected() {
    let app = TestApp::spawn().await;
    let (status, body) = app.execute(json!({"language": "python"})).await;
    assert_invalid(status, &body, "code");
    let (status, body) = app
        .execute(json!({"language": "python", "code": "  \n"}))
        .await;
    assert_invalid(status, &body, "code must not be empty");
}

#[tokio::test]
async fn malformed_or_mistyped_json_is_rejected() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .execute_raw("{\"language\": \"python\", ", "application/json")
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json", "");
    let (status, body) = app.execute_raw("print(1)", "text/plain").await;
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "",
    );
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print(1)", "test_cases": "nope"}))
        .await;
    assert_invalid(status, &body, "test_cases");
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print(1)", "test_case": []}))
        .await;
    assert_invalid(status, &body, "test_case");
}

#[tokio::test]
async fn too_many_or_no_test_cases_are_rejected() {
    let app = TestApp::spawn().await;
    let tests: Vec<Value> = (0..101)
        .map(|_| json!({"input": "", "expected_output": ""}))
        .collect();
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print()", "test_cases": tests}))
        .await;
    assert_invalid(status, &body, "at most 100");
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print()", "test_cases": []}))
        .await;
    assert_invalid(status, &body, "test_cases");
}

#[tokio::test]
async fn limits_and_tolerances_out_of_range_are_rejected() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"limits": {"time_ms": 60_000}}), "limits.time_ms"),
        (
            json!({"limits": {"memory_mb": 100_000}}),
            "limits.memory_mb",
        ),
        (json!({"limits": {"output_kb": 0}}), "limits.output_kb"),
        (
            json!({"limits": {"instruction_limit": 0}}),
            "limits.instruction_limit",
        ),
        (json!({"limits": {"network": true}}), "network"),
        (json!({"compare": {"mode": "fuzzy"}}), "fuzzy"),
        (
            json!({"compare": {"mode": "float", "tolerance": -1}}),
            "tolerance",
        ),
    ];
    for (extra, mentions) in cases {
        let mut request = json!({"language": "python", "code": "print()"});
        for (key, value) in extra.as_object().unwrap() {
            request[key] = value.clone();
        }
        let (status, body) = app.execute(request).await;
        assert_invalid(status, &body, mentions);
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_rejected_with_413() {
    let app = TestApp::spawn().await;
    // Only just past the limit: see questions.rs on broken pipes.
    let huge = "x".repeat((16 << 20) + 4096);
    let body = json!({"language": "python", "code": format!("# {huge}")}).to_string();
    let (status, body) = app.execute_raw(body, "application/json").await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "",
    );
}

#[tokio::test]
async fn unknown_executions_and_routes_are_404_and_bad_ids_400() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get_execution("7c9e6679-7425-40de-944b-e07fc1f90ae7")
        .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "not_found",
        "7c9e6679",
    );
    let (status, body) = app.get_execution("not-a-uuid").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request", "");
    let (status, body) = app.get("/no/such/route").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found", "");
    let (status, body) = app.get("/execute").await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method",
    );
}

/// PostgreSQL cannot store U+0000, so no request may give it (on every
/// database alike), and a program that prints it gets U+FFFD instead.
#[tokio::test]
async fn the_nul_character_is_refused_in_requests_and_replaced_in_output() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .execute(json!({"language": "python", "code": "print(1)", "stdin": "a\u{0}b"}))
        .await;
    assert_invalid(status, &body, "U+0000");
    // An escaped backslash before `u0000` is no NUL.
    let run = app.run_python("print(input())", "a\\u0000b").await;
    assert_eq!(run["actual_output"], "a\\u0000b\n", "{run}");
    let (status, body) = app.get("/questions/a%00b").await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "U+0000",
    );

    let run = app
        .run_python(
            "import sys\nsys.stdout.write('a\\0b')\nsys.stderr.write('\\0')",
            "",
        )
        .await;
    assert_eq!(run["status"], "accepted", "{run}");
    assert_eq!(run["actual_output"], "a\u{FFFD}b", "{run}");
    assert_eq!(run["stderr"], "\u{FFFD}", "{run}");
}
