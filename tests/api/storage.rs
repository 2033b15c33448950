//! Executions are recorded, can be read back, survive a restart, and
//! databases of earlier versions upgrade in place.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN_TOKEN, TestApp};

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

/// Runs `statements` on a stopped server's database, as if it were made
/// by an earlier version.
async fn downgrade(url: &str, statements: &[&str]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("opening the database");
    for statement in statements {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    pool.close().await;
}

/// Undoes migrations 0008 (calibration) and 0006 (identities): the owner
/// columns and new tables go.
async fn downgrade_to_before_identities(url: &str) {
    downgrade_to_before_rejudges(url).await;
    downgrade_to_before_calibration(url).await;
    let statements = [
        "DROP TABLE participants",
        "DROP TABLE contest_questions",
        "DROP TABLE contests",
        "DROP TABLE api_keys",
        "DROP INDEX submissions_by_contest",
        "ALTER TABLE executions DROP COLUMN owner",
        "ALTER TABLE executions DROP COLUMN contest_slug",
        "ALTER TABLE submissions DROP COLUMN owner",
        "ALTER TABLE submissions DROP COLUMN contest_slug",
        "DELETE FROM _sqlx_migrations WHERE version = 6",
    ];
    downgrade(url, &statements).await;
}

/// Undoes migrations 0014 to 0017 (rejudges and verdicts, participants'
/// own time, scoreboard versions, clarifications): an older database has
/// none of their tables and columns.
async fn downgrade_to_before_rejudges(url: &str) {
    let statements = [
        "DROP TABLE clarifications",
        "ALTER TABLE contests DROP COLUMN scoreboard_version",
        "ALTER TABLE participants DROP COLUMN starts_at",
        "ALTER TABLE participants DROP COLUMN extra_minutes",
        "ALTER TABLE contests DROP COLUMN practice_after_end",
        "DROP TABLE rejudged_submissions",
        "DROP TABLE rejudges",
        "DROP INDEX submissions_queue",
        "CREATE INDEX submissions_queue ON submissions (state, created_at)",
        "ALTER TABLE submissions DROP COLUMN priority",
        "ALTER TABLE submissions DROP COLUMN verdict",
        "ALTER TABLE submissions DROP COLUMN rejudge_id",
        "ALTER TABLE contests DROP COLUMN compile_errors_count",
        "DELETE FROM _sqlx_migrations WHERE version >= 14",
    ];
    downgrade(url, &statements).await;
}

/// Undoes migration 0008 (calibration): per-language limits, reference
/// solutions and calibrations go.
async fn downgrade_to_before_calibration(url: &str) {
    let statements = [
        "ALTER TABLE questions DROP COLUMN limits_by_language",
        "ALTER TABLE questions DROP COLUMN reference_solutions",
        "ALTER TABLE questions DROP COLUMN calibration",
        "ALTER TABLE questions DROP COLUMN calibrated",
        "DELETE FROM _sqlx_migrations WHERE version = 8",
    ];
    downgrade(url, &statements).await;
}

#[tokio::test]
async fn a_database_from_before_calibration_upgrades_and_its_questions_get_the_factors() {
    let question = json!({"slug": "sum", "title": "Sum", "limits": {"time_ms": 1000},
                          "test_cases": [{"input": "1 2", "expected_output": "3"}]});
    let mut app = TestApp::spawn_with_question(question.clone(), &[]).await;
    app.terminate();
    downgrade_to_before_calibration(&app.database_url()).await;

    let app = app.restart().await;
    let (status, admin) = app.get_question_as_admin("sum").await;
    assert_eq!(status, StatusCode::OK, "{admin}");
    assert_eq!(admin["reference_solutions"], json!([]));
    assert_eq!(admin["limits_by_language"], json!({}));
    assert_eq!(admin["calibration"]["multiplier"], 2.0);
    assert_eq!(admin["calibrated"], json!(null));
    assert_eq!(admin["language_limits"]["python"]["time_ms"], 3000);
    assert_eq!(admin["language_limits"]["java"]["time_ms"], 1000);
    // The new fields are stored from now on.
    let mut with_reference = question;
    with_reference["reference_solutions"] =
        json!([{"language": "python", "code": "a, b = map(int, input().split())\nprint(a + b)"}]);
    let (status, body) = app.put_question("sum", with_reference).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.calibrate("sum").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, admin) = app.get_question_as_admin("sum").await;
    assert_eq!(
        admin["language_limits"]["python"]["time_ms"], 1000,
        "the floor: {admin}"
    );
    assert_eq!(
        admin["language_limits"]["python"]["time_source"]["kind"],
        "calibrated"
    );
}

#[tokio::test]
async fn a_database_from_before_identities_upgrades_in_place_and_only_the_trusted_read_its_records()
{
    let question = json!({"slug": "sum", "title": "Sum",
                          "test_cases": [{"input": "1 2", "expected_output": "3"}]});
    let mut app = TestApp::spawn_with_question(question, &[]).await;
    let code = "a, b = map(int, input().split())\nprint(a + b)";
    let body = json!({"language": "python", "code": code, "question_id": "sum", "user_id": "ada"});
    let (status, judged) = app.execute(body).await;
    assert_eq!(status, StatusCode::OK, "{judged}");
    let execution = judged["execution_id"].as_str().unwrap().to_string();
    let submission = judged["submission_id"].as_str().unwrap().to_string();
    app.terminate();
    downgrade_to_before_identities(&app.database_url()).await;

    let app = app.restart().await;
    let service = app.new_api_key("service").await;
    for (token, status) in [
        (None, StatusCode::NOT_FOUND),
        (Some(ADMIN_TOKEN), StatusCode::OK),
        (Some(service.as_str()), StatusCode::OK),
    ] {
        let (got, body) = app.get_execution_as(&execution, token).await;
        assert_eq!(got, status, "execution as {token:?}: {body}");
        let (got, body) = app.get_submission_as(&submission, token).await;
        assert_eq!(got, status, "submission as {token:?}: {body}");
    }
    let (_, stored) = app.get_execution_as(&execution, Some(ADMIN_TOKEN)).await;
    assert_eq!(stored["code"], code);
    let (_, board) = app.scoreboard("sum").await;
    assert_eq!(board["users"][0]["user_id"], "ada", "{board}");
}
