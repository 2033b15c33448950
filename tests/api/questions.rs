//! Questions stored in the database: the admin API and its token, what
//! students see, and submissions judged against stored (hidden) tests.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp};

const SECRET_INPUT: &str = "987654 123456";

/// Worth 6 points: one visible test (1 point) and two hidden ones (3 and 2).
fn sum_question() -> Value {
    json!({
        "slug": "sum-two",
        "title": "Sum two numbers",
        "statement": "Read two integers and print their sum.",
        "limits": {"time_ms": 2000},
        "languages": ["python", "cpp"],
        "test_cases": [
            {"input": "1 2", "expected_output": "3"},
            {"input": SECRET_INPUT, "expected_output": "1111110", "hidden": true, "points": 3},
            {"input": "-5 5", "expected_output": "0", "hidden": true, "points": 2},
        ]
    })
}

#[tokio::test]
async fn without_a_configured_token_the_admin_api_is_off() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .send(Method::POST, "/admin/questions", None, Some(sum_question()))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "admin_disabled");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("JUDGEBOX_ADMIN_TOKEN")
    );
    // The admin token, which this server has nothing to check against,
    // names nobody.
    let (status, body) = app.create_question(sum_question()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_refused() {
    let app = TestApp::spawn_admin().await;
    let cases = [
        (None, "unauthorized"),
        (Some("wrong-token-wrong-token"), "invalid_token"),
        (Some(""), "invalid_token"),
    ];
    for (token, code) in cases {
        let (status, body) = app
            .send(
                Method::POST,
                "/admin/questions",
                token,
                Some(sum_question()),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert_eq!(body["error"]["code"], code);
    }
    let (status, _) = app.get_question("sum-two").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was created");
}

#[tokio::test]
async fn a_short_admin_token_stops_the_server_from_starting() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "sqlite::memory:",
        ])
        .env("JUDGEBOX_ADMIN_TOKEN", "short")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 16 characters"), "{stderr}");
}

#[tokio::test]
async fn questions_are_created_read_updated_and_deleted() {
    let app = TestApp::spawn_admin().await;
    let (status, body) = app.create_question(sum_question()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app.create_question(sum_question()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "question_exists");

    // Teachers see everything, hidden tests included.
    let (status, body) = app.get_question_as_admin("sum-two").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["test_cases"][1]["input"], SECRET_INPUT);
    assert_eq!(body["limits"]["time_ms"], 2000);

    let (status, list) = app.list_questions().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!([{"slug": "sum-two", "title": "Sum two numbers", "languages": ["python", "cpp"],
                "test_cases": 3, "max_score": 6}])
    );

    // A new test case, then one removed: numbers follow the order.
    let new_test = json!({"input": "10 10", "expected_output": "20"});
    let (status, body) = app.add_test_case("sum-two", new_test).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["test_number"], 4);
    let (status, _) = app.delete_test_case("sum-two", 1).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.delete_test_case("sum-two", 9).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Numbers count from 1: there is no test 0 (it once removed the first).
    let (status, body) = app.delete_test_case("sum-two", 0).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // A test number that is not a number: the JSON error every route gives.
    let path = "/admin/questions/sum-two/test-cases/first";
    let (status, body) = app
        .send(Method::DELETE, path, Some(ADMIN_TOKEN), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    let (_, body) = app.get_question_as_admin("sum-two").await;
    let inputs: Vec<&str> = body["test_cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["input"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, [SECRET_INPUT, "-5 5", "10 10"]);

    // PUT replaces the whole question.
    let mut replacement = sum_question();
    replacement["title"] = json!("Add two numbers");
    let (status, body) = app.put_question("sum-two", replacement).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get_question("sum-two").await;
    assert_eq!(body["title"], "Add two numbers");

    let (status, _) = app.delete_question("sum-two").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get_question("sum-two").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "unknown_question");
    let (status, _) = app.delete_question("sum-two").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn students_see_examples_but_never_hidden_tests() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    let (status, body) = app.get_question("sum-two").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["examples"],
        json!([{"test_number": 1, "input": "1 2", "expected_output": "3", "points": 1}])
    );
    assert_eq!(body["hidden_tests"], 2);
    assert_eq!(body["max_score"], 6);
    assert!(!body.to_string().contains(SECRET_INPUT), "{body}");
}

#[tokio::test]
async fn a_submission_is_judged_on_the_stored_tests_without_revealing_hidden_ones() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    // Prints its input to stdout and stderr: the hidden input must not come back.
    let code = "import sys\ndata = sys.stdin.read()\nprint(data, file=sys.stderr)\na, b = map(int, data.split())\nprint(a + b if a > 0 else data)";
    let (status, body) = app
        .execute(
            json!({"language": "python", "code": code, "question_id": "sum-two", "user_id": "ada"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let statuses: Vec<&str> = body["test_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "accepted", "wrong_answer"]);
    assert_eq!(body["summary"]["score"], 4);
    assert_eq!(body["summary"]["max_score"], 6);
    let hidden = &body["test_results"][1];
    assert_eq!(hidden["hidden"], true);
    assert_eq!(hidden["input"], "");
    assert_eq!(hidden["expected_output"], Value::Null);
    assert_eq!(hidden["actual_output"], "");
    assert_eq!(hidden["stderr"], "");
    for figure in [
        "execution_time_ms",
        "cpu_time_ms",
        "memory_usage_mb",
        "instructions",
    ] {
        assert!(hidden[figure].is_null(), "{figure} withheld: {hidden}");
        assert!(
            body["test_results"][0][figure].is_number(),
            "{figure} shown: {body}"
        );
    }
    assert_eq!(
        body["test_results"][0]["input"], "1 2",
        "visible tests show their data"
    );
    for secret in [SECRET_INPUT, "1111110", "-5 5"] {
        assert!(
            !body.to_string().contains(secret),
            "{secret} leaked: {body}"
        );
    }
    // Nor does the stored execution.
    let id = body["execution_id"].as_str().unwrap();
    let (_, stored) = app.get_execution(id).await;
    assert_eq!(stored["summary"]["score"], 4);
    for secret in [SECRET_INPUT, "1111110", "-5 5"] {
        assert!(
            !stored.to_string().contains(secret),
            "{secret} leaked: {stored}"
        );
    }
}

#[tokio::test]
async fn a_hidden_tests_input_cannot_be_read_back_from_its_figures() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    // Loops and allocates as much as the input's second character says: an
    // exact instruction count or memory figure would spell it out.
    let code = "import sys\ndata = sys.stdin.read()\nn = ord(data[1])\n\
                for _ in range(n * 2000): pass\nblock = bytearray(n * 100_000)\nprint(0)";
    let (status, body) = app
        .execute(json!({"language": "python", "code": code, "question_id": "sum-two"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["test_results"].as_array().unwrap();
    assert!(results[0]["instructions"].as_u64().unwrap() > 0, "{body}");
    for hidden in &results[1..] {
        for figure in [
            "execution_time_ms",
            "cpu_time_ms",
            "memory_usage_mb",
            "instructions",
        ] {
            assert!(hidden[figure].is_null(), "{figure}: {hidden}");
        }
    }
    // The whole's figures count the visible test only.
    let visible_memory = results[0]["memory_usage_mb"].as_f64().unwrap();
    assert_eq!(
        body["metadata"]["memory_usage_mb"], visible_memory,
        "{body}"
    );
    // Stored, the figures are there for the teacher.
    let id = body["execution_id"].as_str().unwrap();
    let (status, stored) = app
        .send(
            Method::GET,
            &format!("/executions/{id}"),
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert!(
        stored["test_results"][1]["instructions"].as_u64().unwrap() > 0,
        "{stored}"
    );
    // Read back as its (anonymous) author, they are withheld again.
    let (_, again) = app.get_execution(id).await;
    assert!(
        again["test_results"][1]["instructions"].is_null(),
        "{again}"
    );
}

#[tokio::test]
async fn bad_question_submissions_get_clear_errors() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    let cases = [
        (
            json!({"language": "python", "code": "print(1)", "question_id": "no-such"}),
            StatusCode::NOT_FOUND,
            "unknown_question",
        ),
        (
            json!({"language": "java", "code": "class Main {}", "question_id": "sum-two"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "accepts python, cpp, not java",
        ),
        (
            json!({"language": "python", "code": "print(1)", "question_id": "sum-two", "limits": {"time_ms": 9000}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sets the tests, limits and comparison",
        ),
    ];
    for (request, expected_status, expected_text) in cases {
        let (status, body) = app.execute(request.clone()).await;
        assert_eq!(status, expected_status, "{request}: {body}");
        assert!(body["error"].to_string().contains(expected_text), "{body}");
    }
    let mut bad = sum_question();
    bad["slug"] = json!("Not A Slug");
    let (status, body) = app.create_question(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("slug"));
    let mut bad = sum_question();
    bad["languages"] = json!(["cobol"]);
    let (status, _) = app.create_question(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Test data past the body limit (16 MiB) is refused whole. Only just
    // past it: the server answers as soon as it has read 16 MiB, and a
    // client with megabytes still unsent would see a broken pipe instead.
    let mut huge = sum_question();
    huge["test_cases"][0]["input"] = json!("1".repeat((16 << 20) + 4096));
    let (status, body) = app.create_question(huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

#[tokio::test]
async fn questions_with_megabytes_of_test_data_work_and_survive_a_restart() {
    let app = TestApp::spawn_admin().await;
    let numbers: Vec<String> = (0..600_000).map(|i| i.to_string()).collect();
    let input = numbers.join(" ");
    let total: u64 = (0..600_000u64).sum();
    assert!(input.len() > 3 << 20);
    let question = json!({
        "slug": "big-sum", "title": "Sum many numbers",
        "test_cases": [{"input": input, "expected_output": total.to_string(), "hidden": true}]
    });
    let (status, body) = app.create_question(question).await;
    assert_eq!(status, StatusCode::CREATED, "{}", body["error"]);
    let app = app.restart().await;
    let code = "import sys\nprint(sum(map(int, sys.stdin.read().split())))";
    let (status, body) = app
        .execute(json!({"language": "python", "code": code, "question_id": "big-sum"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", body["error"]);
    assert_eq!(
        body["test_results"][0]["status"], "accepted",
        "{}",
        body["test_results"][0]
    );
}
