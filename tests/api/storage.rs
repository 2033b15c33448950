//! Executions are recorded, can be read back, and survive a restart.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_execution_is_recorded_with_its_code_and_results() {
    let app = TestApp::spawn().await;
    let code = "print(int(input()) + 1)";
    let posted = app
        .judge_python(code, &[("1", "2"), ("5", "7")], json!({}))
        .await;
    let id = posted["execution_id"].as_str().unwrap();
    let (status, stored) = app.get_execution(id).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["execution_id"], id);
    assert_eq!(stored["code"], code);
    assert_eq!(stored["language"], "python");
    for field in [
        "submission_id",
        "user_id",
        "question_id",
        "summary",
        "test_results",
        "created_at",
    ] {
        assert_eq!(stored[field], posted[field], "{field}");
    }
    assert_eq!(stored["metadata"]["limits"], posted["metadata"]["limits"]);
    assert_eq!(stored["test_results"][1]["status"], "wrong_answer");
}

#[tokio::test]
async fn recorded_executions_survive_a_restart() {
    let app = TestApp::spawn().await;
    let posted = app
        .judge_python("print('kept')", &[("", "kept")], json!({}))
        .await;
    let id = posted["execution_id"].as_str().unwrap().to_string();
    let app = app.restart().await;
    let (status, stored) = app.get_execution(&id).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["test_results"][0]["actual_output"], "kept\n");
    assert_eq!(stored["summary"]["all_passed"], true);
}

#[tokio::test]
async fn health_readiness_and_languages_answer() {
    let app = TestApp::spawn().await;
    let (status, body) = app.health().await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = app.readiness().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["languages"],
        json!(["c", "cpp", "cpp20", "java", "javascript", "python"])
    );
    let (status, body) = app.languages().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([
            {"name": "c", "version": "C17, clang 19 (wasm)", "backend": "wasm"},
            {"name": "cpp", "version": "C++17, clang 19 (wasm)", "backend": "wasm"},
            {"name": "cpp20", "version": "C++20, clang 19 (wasm)", "backend": "wasm"},
            {"name": "java", "version": "Java 17, OpenJDK (native sandbox)", "backend": "native"},
            {"name": "javascript", "version": "QuickJS-NG 0.16.2 (wasm)", "backend": "wasm"},
            {"name": "python", "version": "CPython 3.14 (wasm)", "backend": "wasm"},
        ])
    );
}
