//! Rejudging: after a test is fixed, a contest's submissions are judged
//! again through the queue, behind live submissions; each keeps its earlier
//! result as history, the scoreboard follows, and the student sees the
//! change.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp, minutes_from_now};

const SUM: &str = "a, b = map(int, input().split())\nprint(a + b)";
/// Right on the first test only.
const THREE: &str = "print(3)";

/// Two tests of a point each; the hidden one expects `hidden_expects`.
fn sum_question(hidden_expects: &str) -> Value {
    json!({
        "slug": "sum", "title": "Sum",
        "test_cases": [
            {"input": "1 2", "expected_output": "3"},
            {"input": "5 5", "expected_output": hidden_expects, "hidden": true}
        ]
    })
}

/// A running ICPC contest over `sum` with participants `users`; their tokens.
async fn contest_with(app: &TestApp, users: &[&str]) -> Vec<String> {
    let contest = json!({
        "title": "Week 1", "starts_at": minutes_from_now(-10), "ends_at": minutes_from_now(60),
        "questions": ["sum"], "scoring": "icpc", "scoreboard": "public",
    });
    let (status, body) = app.put_contest("week-1", contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut tokens = Vec::new();
    for user in users {
        tokens.push(app.add_participant("week-1", user).await);
    }
    tokens
}

/// `code` judged now on `sum` with `token`; its submission id.
async fn judged(app: &TestApp, token: &str, code: &str) -> String {
    let request = json!({"language": "python", "code": code, "question_id": "sum"});
    let (status, body) = app.execute_as(Some(token), request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["submission_id"].as_str().unwrap().to_string()
}

fn solved(board: &Value, user: &str) -> Value {
    let rows = board["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["user_id"] == user).unwrap();
    json!([row["total"], row["questions"]["sum"]["score"]])
}

#[tokio::test]
async fn a_contest_rejudged_after_a_test_is_fixed_changes_verdicts_keeps_history_and_moves_the_scoreboard()
 {
    let app = TestApp::spawn_admin().await;
    // The hidden test is wrong: it expects 11 for 5 + 5.
    let (status, body) = app.create_question(sum_question("11")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let tokens = contest_with(&app, &["ada", "bob"]).await;
    let ada = judged(&app, &tokens[0], SUM).await;
    let bob = judged(&app, &tokens[1], THREE).await;
    let (_, before) = app.get_submission_as(&ada, Some(&tokens[0])).await;
    assert_eq!(
        (&before["verdict"], &before["score"]),
        (&json!("wrong_answer"), &json!(1)),
        "{before}"
    );
    let (_, board) = app.contest_scoreboard("week-1", Some(&tokens[0])).await;
    assert_eq!(solved(&board, "ada"), json!([0, 1]), "{board}");

    let (status, body) = app.put_question("sum", sum_question("10")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, rejudge) = app.rejudge(json!({"contest": "week-1"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{rejudge}");
    assert_eq!(rejudge["total"], 2, "{rejudge}");
    let progress = app
        .wait_for_rejudge(rejudge["rejudge_id"].as_str().unwrap())
        .await;
    // Ada's verdict changed; Bob's wrong answer stays one.
    assert_eq!(
        (&progress["done"], &progress["changed"]),
        (&json!(2), &json!(1)),
        "{progress}"
    );

    // Ada sees her new verdict, and what it replaced.
    let (status, after) = app.get_submission_as(&ada, Some(&tokens[0])).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(
        (&after["verdict"], &after["score"], &after["rejudging"]),
        (&json!("accepted"), &json!(2), &json!(false)),
        "{after}"
    );
    let history = after["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{after}");
    assert_eq!(history[0]["verdict"], "wrong_answer");
    assert_eq!(history[0]["score"], 1);
    assert_eq!(history[0]["replaced_by"], "accepted");
    assert_eq!(history[0]["execution_id"], before["result"]["execution_id"]);
    assert_ne!(
        after["result"]["execution_id"],
        before["result"]["execution_id"]
    );
    // The earlier execution is still there to read.
    let earlier = history[0]["execution_id"].as_str().unwrap();
    let (status, _) = app.get_execution_as(earlier, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, StatusCode::OK);

    let (_, board) = app.contest_scoreboard("week-1", Some(&tokens[0])).await;
    assert_eq!(solved(&board, "ada"), json!([1, 2]), "{board}");
    assert_eq!(solved(&board, "bob"), json!([0, 1]), "{board}");

    // One submission alone; the list shows both rejudges, newest first.
    let (status, one) = app.rejudge(json!({"submission_id": bob})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{one}");
    assert_eq!(one["total"], 1, "{one}");
    app.wait_for_rejudge(one["rejudge_id"].as_str().unwrap())
        .await;
    let (_, bob_after) = app.get_submission_as(&bob, Some(ADMIN_TOKEN)).await;
    assert_eq!(
        bob_after["history"].as_array().unwrap().len(),
        2,
        "{bob_after}"
    );
    let path = "/admin/rejudges?contest=week-1";
    let (status, list) = app.send(Method::GET, path, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["rejudge_id"])
        .collect();
    assert_eq!(ids, [&rejudge["rejudge_id"]], "only the contest's: {list}");
}

#[tokio::test]
async fn rejudges_are_for_admins_and_name_something_that_exists() {
    let app = TestApp::spawn_admin().await;
    let (status, body) = app.create_question(sum_question("10")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.create_question(json!({"slug": "other", "title": "Other",
        "test_cases": [{"input": "", "expected_output": "1"}]}))
        .await;
    let tokens = contest_with(&app, &["ada"]).await;
    let cases = [
        (
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name what to rejudge",
        ),
        (json!({"contest": "nope"}), StatusCode::NOT_FOUND, "nope"),
        (json!({"question": "nope"}), StatusCode::NOT_FOUND, "nope"),
        (
            json!({"contest": "week-1", "question": "other"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "has no question",
        ),
        (
            json!({"submission_id": "00000000-0000-4000-8000-000000000000"}),
            StatusCode::NOT_FOUND,
            "no submission",
        ),
        (
            json!({"contest": "week-1", "everything": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "everything",
        ),
    ];
    for (body, expected, says) in cases {
        let (status, answer) = app.rejudge(body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {answer}");
    }
    let (status, missing) = app
        .rejudge_progress("00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    // A participant may not rejudge, not even their own submission.
    let own = judged(&app, &tokens[0], SUM).await;
    let (status, denied) = app
        .send(
            Method::POST,
            "/admin/rejudges",
            Some(&tokens[0]),
            Some(json!({"submission_id": own})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{denied}");
    // Nothing finished to rejudge: an empty rejudge is finished at once.
    let (status, empty) = app.rejudge(json!({"question": "other"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{empty}");
    assert_eq!(
        (&empty["total"], &empty["finished"]),
        (&json!(0), &json!(true)),
        "{empty}"
    );
}

/// With one judging slot, a whole question's rejudge queued first, a new
/// submission is still judged before the rejudge is through: live
/// submissions are claimed first.
#[tokio::test]
async fn a_new_submission_is_judged_before_a_queued_rejudge() {
    let app =
        TestApp::spawn_with_question(sum_question("10"), &[("JUDGEBOX_JUDGING_SLOTS", "1")]).await;
    // Each takes a quarter of a second of wall time.
    let slow = format!("import time\ntime.sleep(0.25)\n{SUM}");
    for _ in 0..12 {
        let id = app
            .submit_accepted(json!({"language": "python", "code": slow, "question_id": "sum"}))
            .await;
        app.wait_for_submission(&id).await;
    }
    let (status, rejudge) = app.rejudge(json!({"question": "sum"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{rejudge}");
    assert_eq!(rejudge["total"], 12, "{rejudge}");
    let live = app
        .submit_accepted(json!({"language": "python", "code": SUM, "question_id": "sum"}))
        .await;
    let judged = app.wait_for_submission(&live).await;
    assert_eq!(judged["verdict"], "accepted", "{judged}");
    let (_, progress) = app
        .rejudge_progress(rejudge["rejudge_id"].as_str().unwrap())
        .await;
    assert!(
        progress["done"].as_u64().unwrap() < 12,
        "the new submission waited for the whole rejudge: {progress}"
    );
    let progress = app
        .wait_for_rejudge(rejudge["rejudge_id"].as_str().unwrap())
        .await;
    assert_eq!(progress["changed"], 0, "{progress}");
}
