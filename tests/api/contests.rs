//! Contests and identities through the admin API: contests, participants
//! (JSON and CSV) and their tokens, API keys, secrets kept only as digests;
//! contest windows, who sees which contest and scoreboard, and the
//! standings (ioi, icpc, frozen).

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{ADMIN_TOKEN, TestApp, minutes_from_now};

const SUM: &str = "a, b = map(int, input().split())\nprint(a + b)";
/// Right on the first of `two_tests`' tests only.
const HALF: &str = "print(3)";

/// Worth 2 points: two tests of 1 point.
fn two_tests(slug: &str) -> Value {
    json!({
        "slug": slug, "title": format!("Question {slug}"),
        "test_cases": [
            {"input": "1 2", "expected_output": "3"},
            {"input": "5 5", "expected_output": "10", "hidden": true}
        ]
    })
}

/// A contest from `starts` to `ends` minutes from now.
fn contest(questions: &[&str], starts: i64, ends: i64, scoring: &str, scoreboard: &str) -> Value {
    json!({
        "title": "Week 1",
        "starts_at": minutes_from_now(starts), "ends_at": minutes_from_now(ends),
        "questions": questions, "scoring": scoring, "scoreboard": scoreboard,
    })
}

/// A server with the admin API and questions `slugs` (each `two_tests`).
async fn app_with_questions(slugs: &[&str]) -> TestApp {
    let app = TestApp::spawn_admin().await;
    for slug in slugs {
        let (status, body) = app.create_question(two_tests(slug)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app
}

async fn create_contest(app: &TestApp, slug: &str, contest: Value) {
    let (status, body) = app.put_contest(slug, contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|error| panic!("{text:?}: {error}"))
        .with_timezone(&Utc)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

/// POST /execute of `code` on `question` with `token`, which must be
/// judged; the submission as an admin reads it.
async fn judged(app: &TestApp, token: Option<&str>, question: &str, code: &str) -> Value {
    let request = json!({"language": "python", "code": code, "question_id": question});
    let (status, body) = app.execute_as(token, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["submission_id"].as_str().unwrap();
    let (status, submission) = app.get_submission_as(id, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{submission}");
    assert_eq!(submission["state"], "finished", "{submission}");
    submission
}

/// The rows of a scoreboard as (rank, user_id, total, penalty_minutes).
fn standings(board: &Value) -> Vec<(u64, String, u64, u64)> {
    let rows = board["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {board}"));
    rows.iter()
        .map(|row| {
            (
                row["rank"].as_u64().unwrap(),
                row["user_id"].as_str().unwrap().to_string(),
                row["total"].as_u64().unwrap(),
                row["penalty_minutes"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `user`'s row of a scoreboard.
fn row_of<'a>(board: &'a Value, user: &str) -> &'a Value {
    (board["rows"].as_array().unwrap().iter())
        .find(|row| row["user_id"] == user)
        .unwrap_or_else(|| panic!("no row for {user}: {board}"))
}

fn slugs(list: &Value) -> Vec<String> {
    let list = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    let mut slugs: Vec<String> = (list.iter())
        .map(|item| item["slug"].as_str().unwrap().to_string())
        .collect();
    slugs.sort();
    slugs
}

#[tokio::test]
async fn contests_are_created_read_replaced_and_deleted() {
    let app = app_with_questions(&["q1", "q2"]).await;
    let (starts, ends) = (minutes_from_now(-10), minutes_from_now(50));
    let week = json!({
        "title": "Week 1", "starts_at": starts, "ends_at": ends,
        "questions": ["q1", "q2"], "scoring": "ioi", "scoreboard": "public",
    });
    let (status, created) = app.put_contest("week-1", week).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["slug"], "week-1");
    assert_eq!(created["title"], "Week 1");
    assert_eq!(time(&created["starts_at"]), time(&json!(starts)));
    assert_eq!(time(&created["ends_at"]), time(&json!(ends)));
    assert_eq!(created["status"], "running");
    assert_eq!(created["questions"], json!(["q1", "q2"]));
    assert_eq!(created["scoring"], "ioi");
    assert_eq!(created["scoreboard"], "public");
    assert_eq!(created["freeze_minutes"], Value::Null);
    assert_eq!(created["public"], false, "private unless asked");
    assert_eq!(created["participants"], 0);

    let (status, read) = app.get_contest_as_admin("week-1").await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read, created);
    let (status, list) = app.list_contests_as_admin().await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!([created]));
    // Private: nobody anonymous sees it.
    let (status, body) = app.get_contest("week-1", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");

    // PUT again replaces it whole.
    let replacement = json!({
        "title": "Week one", "starts_at": starts, "ends_at": ends,
        "questions": ["q2"], "scoring": "icpc", "scoreboard": "after_end",
        "freeze_minutes": 10, "public": true,
    });
    let (status, replaced) = app.put_contest("week-1", replacement).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["title"], "Week one");
    assert_eq!(replaced["questions"], json!(["q2"]));
    assert_eq!(replaced["scoring"], "icpc");
    assert_eq!(replaced["scoreboard"], "after_end");
    assert_eq!(replaced["freeze_minutes"], 10);
    assert_eq!(replaced["public"], true);
    let (_, read) = app.get_contest_as_admin("week-1").await;
    assert_eq!(read, replaced);

    // Public now: what anyone sees.
    let (status, shown) = app.get_contest("week-1", None).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["slug"], "week-1");
    assert_eq!(shown["title"], "Week one");
    assert_eq!(shown["status"], "running");
    assert_eq!(shown["scoring"], "icpc");
    assert_eq!(shown["scoreboard"], "after_end");
    assert_eq!(shown["freeze_minutes"], 10);
    assert_eq!(time(&shown["ends_at"]), time(&json!(ends)));
    assert_eq!(
        shown["questions"],
        json!([{"slug": "q2", "title": "Question q2"}])
    );
    assert!(shown.get("participants").is_none(), "{shown}");
    let (status, list) = app.list_contests(None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!([shown]));

    let (status, body) = app.delete_contest("week-1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.get_contest_as_admin("week-1").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (status, body) = app.get_contest("week-1", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (status, body) = app.delete_contest("week-1").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (_, list) = app.list_contests_as_admin().await;
    assert_eq!(list, json!([]));
    // Its questions are free to go now.
    let (status, _) = app.delete_question("q1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_contests_are_refused_and_unknown_ones_are_404() {
    let app = app_with_questions(&["q1", "q2"]).await;
    let valid = || contest(&["q1", "q2"], 0, 60, "ioi", "public");
    type Breakage = fn(&mut Value);
    let cases: [(&str, Breakage, &str); 13] = [
        (
            "a year past 9999",
            |c| c["ends_at"] = json!("+10000-01-01T00:00:00Z"),
            "ends_at",
        ),
        (
            "a year before 0",
            |c| c["starts_at"] = json!("-0001-01-01T00:00:00Z"),
            "starts_at",
        ),
        (
            "ends when it starts",
            |c| c["ends_at"] = c["starts_at"].clone(),
            "ends_at",
        ),
        (
            "ends before it starts",
            |c| c["ends_at"] = json!(minutes_from_now(-5)),
            "ends_at",
        ),
        (
            "an unknown question",
            |c| c["questions"] = json!(["q1", "nope"]),
            "nope",
        ),
        (
            "a question twice",
            |c| c["questions"] = json!(["q1", "q2", "q1"]),
            "q1",
        ),
        (
            "a freeze longer than the contest",
            |c| c["freeze_minutes"] = json!(61),
            "freeze",
        ),
        ("an empty title", |c| c["title"] = json!(""), "title"),
        ("an unknown scoring", |c| c["scoring"] = json!("elo"), ""),
        (
            "an unknown scoreboard setting",
            |c| c["scoreboard"] = json!("everyone"),
            "",
        ),
        (
            "no start",
            |c| {
                c.as_object_mut().unwrap().remove("starts_at");
            },
            "",
        ),
        (
            "a time that is not one",
            |c| c["starts_at"] = json!("next monday"),
            "",
        ),
        ("an unknown field", |c| c["secret"] = json!(true), ""),
    ];
    for (what, break_it, named) in cases {
        let mut body = valid();
        break_it(&mut body);
        let (status, answer) = app.put_contest("week-1", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
        assert_eq!(
            answer["error"]["code"], "invalid_request",
            "{what}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(named),
            "{what}: {message:?} should name {named:?}"
        );
    }
    let too_long = "a".repeat(65);
    for slug in ["Week_1", "week%201", too_long.as_str()] {
        let (status, answer) = app.put_contest(slug, valid()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}: {answer}");
        assert_eq!(
            answer["error"]["code"], "invalid_request",
            "{slug}: {answer}"
        );
    }
    // A freeze as long as the contest is allowed.
    let mut whole = valid();
    whole["freeze_minutes"] = json!(60);
    let (status, answer) = app.put_contest("whole", whole).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, list) = app.list_contests_as_admin().await;
    assert_eq!(slugs(&list), ["whole"], "nothing else was created");

    let participants = json!([{"user_id": "ada", "name": "Ada"}]);
    let unknown = [
        app.get_contest_as_admin("nope").await,
        app.delete_contest("nope").await,
        app.add_participants("nope", participants).await,
        app.add_participants_csv("nope", "ada,Ada\n").await,
        app.list_participants("nope").await,
        app.get_contest("nope", Some(ADMIN_TOKEN)).await,
        app.contest_scoreboard("nope", Some(ADMIN_TOKEN)).await,
    ];
    for (status, body) in unknown {
        assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    }
    let (status, body) = app.delete_participant("nope", "ada").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn participants_are_added_from_json_or_csv_and_get_a_token_each_shown_once() {
    let app = app_with_questions(&["q1"]).await;
    create_contest(
        &app,
        "week-1",
        contest(&["q1"], -10, 60, "ioi", "participants"),
    )
    .await;

    let (status, body) = app
        .add_participants(
            "week-1",
            json!([{"user_id": "ada", "name": "Ada Lovelace"}, {"user_id": "bob", "name": "Bob"}]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut tokens = std::collections::HashMap::new();
    let added = body["participants"].as_array().unwrap();
    assert_eq!(added.len(), 2, "{body}");
    for (participant, (user, name)) in added.iter().zip([("ada", "Ada Lovelace"), ("bob", "Bob")]) {
        assert_eq!(participant["user_id"], user, "{body}");
        assert_eq!(participant["name"], name, "{body}");
        let token = participant["token"].as_str().unwrap();
        assert!(token.starts_with("jbp_"), "{token}");
        assert_eq!(token.len(), 4 + 64, "{token}");
        assert!(token[4..].chars().all(|c| c.is_ascii_hexdigit()), "{token}");
        assert_eq!(participant["join_url"], format!("/ui/join/{token}"));
        tokens.insert(user.to_string(), token.to_string());
    }
    assert_ne!(tokens["ada"], tokens["bob"]);

    // CSV with a header line and a quoted name holding a comma.
    let csv = "user_id,name\ncy,\"Hopper, Grace\"\ndee,Dee\n";
    let (status, body) = app.add_participants_csv("week-1", csv).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let added = body["participants"].as_array().unwrap();
    assert_eq!(added.len(), 2, "{body}");
    assert_eq!(added[0]["user_id"], "cy", "{body}");
    assert_eq!(added[0]["name"], "Hopper, Grace", "{body}");
    assert_eq!(added[1]["user_id"], "dee", "{body}");
    for participant in added {
        let user = participant["user_id"].as_str().unwrap().to_string();
        tokens.insert(user, participant["token"].as_str().unwrap().to_string());
    }
    // Plain text, no header.
    let response = app
        .request(Method::POST, "/admin/contests/week-1/participants")
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "text/plain")
        .body("eve,Eve\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["participants"][0]["user_id"], "eve", "{body}");
    assert_eq!(body["participants"][0]["name"], "Eve", "{body}");
    tokens.insert(
        "eve".into(),
        body["participants"][0]["token"].as_str().unwrap().into(),
    );

    // Listed without their tokens.
    let (status, list) = app.list_participants("week-1").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    let mut listed: Vec<(String, String)> = (list.iter())
        .map(|p| {
            let mut fields: Vec<&String> = p.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(
                fields,
                [
                    "created_at",
                    "extra_minutes",
                    "name",
                    "starts_at",
                    "user_id"
                ],
                "{p}"
            );
            assert!(time(&p["created_at"]) <= Utc::now(), "{p}");
            (
                p["user_id"].as_str().unwrap().into(),
                p["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    listed.sort();
    let expected = [
        ("ada", "Ada Lovelace"),
        ("bob", "Bob"),
        ("cy", "Hopper, Grace"),
        ("dee", "Dee"),
        ("eve", "Eve"),
    ];
    let expected: Vec<(String, String)> = (expected.iter())
        .map(|(u, n)| (u.to_string(), n.to_string()))
        .collect();
    assert_eq!(listed, expected);
    let (_, contest_view) = app.get_contest_as_admin("week-1").await;
    assert_eq!(contest_view["participants"], 5, "{contest_view}");
    let listed_text = serde_json::to_string(&list).unwrap();
    for (user, token) in &tokens {
        assert!(
            !listed_text.contains(&token[4..]),
            "{user}'s token is listed"
        );
        // Each token opens the (private) contest.
        let (status, body) = app.get_contest("week-1", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
    }

    // Added again: a new token, and the old one is dead.
    let (status, body) = app
        .add_participants("week-1", json!([{"user_id": "ada", "name": "Ada King"}]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let new_token = body["participants"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_token, tokens["ada"]);
    let (status, body) = app.get_contest("week-1", Some(&tokens["ada"])).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, body) = app.list_contests(Some(&tokens["ada"])).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, body) = app.get_contest("week-1", Some(&new_token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app.list_participants("week-1").await;
    let adas: Vec<&Value> = (list.as_array().unwrap().iter())
        .filter(|p| p["user_id"] == "ada")
        .collect();
    assert_eq!(adas.len(), 1, "{list}");
    assert_eq!(adas[0]["name"], "Ada King", "{list}");

    // Deleted: the token is dead.
    let (status, body) = app.delete_participant("week-1", "bob").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.get_contest("week-1", Some(&tokens["bob"])).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, _) = app.delete_participant("week-1", "bob").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.list_participants("week-1").await;
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
    assert!(!list.to_string().contains("\"bob\""), "{list}");
    let (status, body) = app.get_contest("week-1", Some(&tokens["cy"])).await;
    assert_eq!(status, StatusCode::OK, "the others still work: {body}");
}

#[tokio::test]
async fn bad_participant_lists_are_refused_whole() {
    let app = app_with_questions(&["q1"]).await;
    create_contest(
        &app,
        "week-1",
        contest(&["q1"], -10, 60, "ioi", "participants"),
    )
    .await;
    let json_cases = [
        ("an empty list", json!([])),
        ("no name", json!([{"user_id": "x1"}])),
        ("no user_id", json!([{"name": "X"}])),
        (
            "one user twice",
            json!([{"user_id": "x1", "name": "X"}, {"user_id": "x1", "name": "Y"}]),
        ),
        ("not a list", json!({"user_id": "x1", "name": "X"})),
    ];
    for (what, participants) in json_cases {
        let (status, body) = app.add_participants("week-1", participants).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request", "{what}: {body}");
    }
    let csv_cases = [
        ("a header only", "user_id,name\n"),
        ("no name", "x1,X\nx2\n"),
        ("one user twice", "x1,X\nx1,Y\n"),
    ];
    for (what, csv) in csv_cases {
        let (status, body) = app.add_participants_csv("week-1", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request", "{what}: {body}");
    }
    // Broken JSON is a 400, as on every JSON route; a list for an unknown
    // contest is a 404 whatever it holds.
    let response = app
        .request(Method::POST, "/admin/contests/week-1/participants")
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(r#"[{"user_id": "#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "malformed_json", "{body}");
    let (status, body) = app.add_participants("nope", json!([])).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (_, list) = app.list_participants("week-1").await;
    assert_eq!(list, json!([]), "none of them was added");
}

#[tokio::test]
async fn api_keys_are_created_listed_without_the_key_and_revoked() {
    let app = TestApp::spawn_admin().await;
    let (status, service) = app.create_api_key("grader", "service").await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    assert_eq!(service["name"], "grader");
    assert_eq!(service["role"], "service");
    assert!(time(&service["created_at"]) <= Utc::now(), "{service}");
    let service_key = service["key"].as_str().unwrap().to_string();
    assert!(service_key.starts_with("jbk_"), "{service_key}");
    assert_eq!(service_key.len(), 4 + 64);
    assert!(service_key[4..].chars().all(|c| c.is_ascii_hexdigit()));
    let (status, deputy) = app.create_api_key("deputy", "admin").await;
    assert_eq!(status, StatusCode::CREATED, "{deputy}");
    let deputy_key = deputy["key"].as_str().unwrap().to_string();
    assert_ne!(deputy_key, service_key);

    let (status, list) = app.list_api_keys().await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let keys = list.as_array().unwrap();
    assert_eq!(keys.len(), 2, "{list}");
    for key in keys {
        let mut fields: Vec<&String> = key.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(fields, ["created_at", "id", "name", "role"], "{key}");
    }
    for secret in [&service_key, &deputy_key] {
        assert!(!list.to_string().contains(&secret[4..]), "{list}");
    }
    let roles: Vec<(&str, &str)> = (keys.iter())
        .map(|k| (k["name"].as_str().unwrap(), k["role"].as_str().unwrap()))
        .collect();
    assert!(roles.contains(&("grader", "service")), "{list}");
    assert!(roles.contains(&("deputy", "admin")), "{list}");

    // The service key reads everything but is no admin; the admin key is.
    let (status, body) = app
        .send(Method::GET, "/submissions", Some(&service_key), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .send(Method::GET, "/admin/api-keys", Some(&service_key), None)
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .send(
            Method::POST,
            "/admin/api-keys",
            Some(&deputy_key),
            Some(json!({"name": "made by the deputy", "role": "service"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Revoked: refused at once.
    let id = service["id"].as_str().unwrap();
    let (status, body) = app.delete_api_key(id).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app
        .send(Method::GET, "/submissions", Some(&service_key), None)
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, _) = app.delete_api_key(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.delete_api_key(&uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.list_api_keys().await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(!list.to_string().contains(id), "{list}");
    let (status, body) = app
        .send(Method::GET, "/admin/api-keys", Some(&deputy_key), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the other key still works: {body}");

    // Bad keys.
    let too_long = "n".repeat(101);
    for (name, role) in [
        ("grader", "root"),
        ("grader", "participant"),
        ("", "service"),
        (too_long.as_str(), "service"),
    ] {
        let (status, body) = app.create_api_key(name, role).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?} {role}: {body}"
        );
        assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    }
    let (status, body) = app.create_api_key(&"n".repeat(100), "service").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "100 characters is fine: {body}"
    );
}

/// Every text cell of every row of `table`.
async fn text_cells(pool: &sqlx::AnyPool, table: &str) -> Vec<String> {
    use sqlx::Row;
    let rows = sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|error| panic!("reading {table}: {error}"));
    let mut cells = Vec::new();
    for row in &rows {
        for column in 0..row.len() {
            if let Ok(Some(text)) = row.try_get::<Option<String>, _>(column) {
                cells.push(text);
            }
        }
    }
    assert!(!rows.is_empty(), "{table} is empty");
    cells
}

#[tokio::test]
async fn keys_and_tokens_are_stored_only_as_sha256_digests() {
    let app = app_with_questions(&["q1"]).await;
    create_contest(&app, "week-1", contest(&["q1"], -10, 60, "ioi", "public")).await;
    let (status, body) = app
        .add_participants(
            "week-1",
            json!([{"user_id": "ada", "name": "Ada"}, {"user_id": "bob", "name": "Bob"}]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let participant_tokens: Vec<String> = (body["participants"].as_array().unwrap().iter())
        .map(|p| p["token"].as_str().unwrap().to_string())
        .collect();
    let keys = [
        app.new_api_key("service").await,
        app.new_api_key("admin").await,
    ];

    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&app.database_url())
        .await
        .expect("opening the server's database");
    let key_cells = text_cells(&pool, "api_keys").await;
    let participant_cells = text_cells(&pool, "participants").await;
    pool.close().await;

    let everything: Vec<&String> = key_cells.iter().chain(&participant_cells).collect();
    for (secret, cells) in (keys.iter().map(|k| (k, &key_cells)))
        .chain(participant_tokens.iter().map(|t| (t, &participant_cells)))
    {
        let random_part = &secret[4..];
        for cell in &everything {
            assert!(!cell.contains(random_part), "stored in the clear: {cell}");
            assert!(!cell.contains(&random_part[..16]), "partly stored: {cell}");
        }
        let digest = sha256_hex(secret);
        assert!(
            cells.contains(&digest),
            "no SHA-256 of {} among {cells:?}",
            &secret[..4]
        );
    }
    // And the tokens still work: it is the digests that are looked up.
    let (status, body) = app
        .get_contest("week-1", Some(&participant_tokens[0]))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn upcoming_and_ended_contests_take_no_submissions_and_hide_what_they_should() {
    let app = app_with_questions(&["soon-q", "past-q"]).await;
    let mut soon = contest(&["soon-q"], 60, 120, "ioi", "public");
    soon["public"] = json!(true);
    create_contest(&app, "soon", soon).await;
    create_contest(
        &app,
        "past",
        contest(&["past-q"], -180, -60, "icpc", "after_end"),
    )
    .await;
    let soon_token = app.add_participant("soon", "ada").await;
    let past_token = app.add_participant("past", "ada").await;

    for (token, question) in [(&soon_token, "soon-q"), (&past_token, "past-q")] {
        let request = json!({"language": "python", "code": SUM, "question_id": question});
        let (status, body) = app.execute_as(Some(token), request.clone()).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "contest_not_running");
        let (status, body) = app.submit_as(Some(token), request).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "contest_not_running");
    }
    let (_, list) = app.list_submissions("limit=100").await;
    assert_eq!(list, json!([]), "nothing was recorded");

    // Before its start: a public contest shows, its questions do not, nor
    // its scoreboard, which would name them.
    for (who, token) in [
        ("participant", Some(soon_token.as_str())),
        ("anonymous", None),
    ] {
        let (status, body) = app.contest_scoreboard("soon", token).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "scoreboard_hidden");
        assert!(!body.to_string().contains("soon-q"), "{who}: {body}");
        let page = match token {
            Some(token) => {
                app.get_page_as_participant(token, "/ui/contests/soon")
                    .await
            }
            None => app.get_page("/ui/contests/soon").await,
        };
        assert_eq!(page.0, StatusCode::OK, "{who}");
        assert!(!page.1.contains("soon-q"), "{who}: {}", page.1);
        let (status, body) = app.get_contest("soon", token).await;
        assert_eq!(status, StatusCode::OK, "{who}: {body}");
        assert_eq!(body["status"], "upcoming", "{who}: {body}");
        assert!(body.get("questions").is_none(), "{who}: {body}");
        assert!(!body.to_string().contains("soon-q"), "{who}: {body}");
        let (status, body) = app
            .send(Method::GET, "/questions/soon-q", token, None)
            .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_question");
        let (status, list) = app.send(Method::GET, "/questions", token, None).await;
        assert_eq!(status, StatusCode::OK, "{who}: {list}");
        assert!(
            !slugs(&list).contains(&"soon-q".to_string()),
            "{who}: {list}"
        );
    }
    // Admin sees them all along.
    let (status, body) = app.get_contest("soon", Some(ADMIN_TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["questions"][0]["slug"], "soon-q", "{body}");
    let (status, body) = app
        .send(Method::GET, "/questions/soon-q", Some(ADMIN_TOKEN), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // After its end: the participant still sees it and its questions;
    // being private, nobody else does.
    let (status, body) = app.get_contest("past", Some(&past_token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ended", "{body}");
    assert_eq!(
        body["questions"],
        json!([{"slug": "past-q", "title": "Question past-q"}])
    );
    let (status, body) = app
        .send(Method::GET, "/questions/past-q", Some(&past_token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get_question("past-q").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_question");
    let (status, body) = app.get_contest("past", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    // after_end: its scoreboard is open to its participants now.
    let (status, board) = app.contest_scoreboard("past", Some(&past_token)).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(standings(&board), [(1, "ada".to_string(), 0, 0)]);
    // One contest's token is not another's.
    let (status, body) = app.get_contest("past", Some(&soon_token)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (_, admin_view) = app.get_contest_as_admin("past").await;
    assert_eq!(admin_view["status"], "ended", "{admin_view}");
}

#[tokio::test]
async fn a_stored_contest_that_cannot_be_read_does_not_take_the_lists_down() {
    let app = app_with_questions(&["q1"]).await;
    create_contest(&app, "week-1", contest(&["q1"], 0, 60, "ioi", "public")).await;
    // As a version without the date check stored it.
    app.execute_sql(
        "INSERT INTO contests (slug, title, starts_at, ends_at, scoring, scoreboard, public,
             created_at, updated_at)
         VALUES ('broken', 'Broken', '2026-01-01T00:00:00Z', '+10000-01-01T00:00:00Z',
                 'ioi', 'public', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .await;
    let (status, list) = app.list_contests_as_admin().await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(slugs(&list), ["week-1"], "{list}");
    let (status, list) = app.send(Method::GET, "/contests", None, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let (status, _) = app.get_page("/ui").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_page_as_admin("/ui/admin").await;
    assert_eq!(status, StatusCode::OK);
    // Put right through the API, it reads again.
    let (status, body) = app
        .put_contest("broken", contest(&["q1"], 0, 60, "ioi", "public"))
        .await;
    assert!(status.is_success(), "{body}");
    let (_, list) = app.list_contests_as_admin().await;
    assert_eq!(slugs(&list), ["broken", "week-1"], "{list}");
}

#[tokio::test]
async fn contests_and_scoreboards_show_to_whom_their_settings_say() {
    let app = app_with_questions(&["q"]).await;
    // (slug, public, scoreboard, starts, ends) in minutes from now.
    let contests = [
        ("pub-run", true, "public", -10, 60),
        ("pub-parts", true, "participants", -10, 60),
        ("after-run", true, "after_end", -10, 60),
        ("after-done", true, "after_end", -120, -60),
        ("hidden-run", true, "hidden", -10, 60),
        ("private-run", false, "participants", -10, 60),
        ("private-public", false, "public", -10, 60),
    ];
    let mut tokens = std::collections::HashMap::new();
    for (slug, public, scoreboard, starts, ends) in contests {
        let mut body = contest(&["q"], starts, ends, "ioi", scoreboard);
        body["public"] = json!(public);
        create_contest(&app, slug, body).await;
        tokens.insert(slug, app.add_participant(slug, "ada").await);
    }
    let service = app.new_api_key("service").await;

    // Who lists which.
    let (_, all) = app.list_contests(Some(&service)).await;
    let mut every: Vec<String> = contests.iter().map(|c| c.0.to_string()).collect();
    every.sort();
    assert_eq!(slugs(&all), every);
    let (_, all) = app.list_contests(Some(ADMIN_TOKEN)).await;
    assert_eq!(slugs(&all), every);
    let public = [
        "after-done",
        "after-run",
        "hidden-run",
        "pub-parts",
        "pub-run",
    ];
    let (status, anyone) = app.list_contests(None).await;
    assert_eq!(status, StatusCode::OK, "{anyone}");
    assert_eq!(slugs(&anyone), public);
    let (_, ada) = app.list_contests(Some(&tokens["private-run"])).await;
    let mut hers: Vec<&str> = public.to_vec();
    hers.push("private-run");
    hers.sort();
    assert_eq!(slugs(&ada), hers);

    // Who sees which scoreboard: (contest, own participant, anonymous,
    // a participant of private-run).
    let ok = Ok(());
    let hidden = Err((StatusCode::FORBIDDEN, "scoreboard_hidden"));
    let unseen = Err((StatusCode::NOT_FOUND, "unknown_contest"));
    let expectations = [
        ("pub-run", ok, ok, ok),
        ("pub-parts", ok, hidden, hidden),
        ("after-run", hidden, hidden, hidden),
        ("after-done", ok, ok, ok),
        ("hidden-run", hidden, hidden, hidden),
        ("private-run", ok, unseen, ok),
        ("private-public", ok, unseen, unseen),
    ];
    for (slug, own, anonymous, other) in expectations {
        let callers = [
            ("its participant", Some(tokens[slug].as_str()), own),
            ("anonymous", None, anonymous),
            (
                "private-run's participant",
                Some(tokens["private-run"].as_str()),
                other,
            ),
        ];
        for (who, token, expected) in callers {
            let (status, body) = app.contest_scoreboard(slug, token).await;
            match expected {
                Ok(()) => {
                    assert_eq!(status, StatusCode::OK, "{slug} for {who}: {body}");
                    assert_eq!(body["contest"], slug, "{body}");
                }
                Err((expected, code)) => {
                    assert_eq!(status, expected, "{slug} for {who}: {body}");
                    assert_eq!(body["error"]["code"], code, "{slug} for {who}: {body}");
                }
            }
        }
        // Admin and service always.
        for token in [ADMIN_TOKEN, service.as_str()] {
            let (status, body) = app.contest_scoreboard(slug, Some(token)).await;
            assert_eq!(status, StatusCode::OK, "{slug}: {body}");
        }
    }
}

#[tokio::test]
async fn ioi_ranks_by_the_sum_of_best_scores_and_ties_share_a_rank() {
    let app = app_with_questions(&["sum"]).await;
    create_contest(
        &app,
        "ioi-week",
        contest(&["sum"], -30, 60, "ioi", "public"),
    )
    .await;
    let mut tokens = std::collections::HashMap::new();
    for user in ["ada", "bob", "cy", "dee"] {
        tokens.insert(user, app.add_participant("ioi-week", user).await);
    }
    // ada: full then half (her best stays); bob: full; cy: half; dee: nothing.
    for (user, code) in [("ada", SUM), ("ada", HALF), ("bob", SUM), ("cy", HALF)] {
        judged(&app, Some(&tokens[user]), "sum", code).await;
    }
    // Not counted: admin's (any user_id, unranked) and a service's, even for
    // a participant's user_id.
    for (token, user) in [
        (ADMIN_TOKEN.to_string(), "eve"),
        (app.new_api_key("service").await, "cy"),
    ] {
        let request =
            json!({"language": "python", "code": SUM, "question_id": "sum", "user_id": user});
        let (status, body) = app.execute_as(Some(&token), request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, board) = app
        .contest_scoreboard("ioi-week", Some(&tokens["dee"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["contest"], "ioi-week");
    assert_eq!(board["scoring"], "ioi");
    assert_eq!(board["frozen"], false);
    assert_eq!(board["frozen_at"], Value::Null);
    assert_eq!(board["questions"], json!([{"slug": "sum", "max_score": 2}]));
    let s = |u: &str| u.to_string();
    assert_eq!(
        standings(&board),
        [
            (1, s("ada"), 2, 0),
            (1, s("bob"), 2, 0),
            (3, s("cy"), 1, 0),
            (4, s("dee"), 0, 0)
        ]
    );
    let ada = row_of(&board, "ada");
    assert_eq!(ada["name"], "Student ada");
    let cell = &ada["questions"]["sum"];
    assert_eq!(
        (&cell["score"], &cell["max_score"], &cell["attempts"]),
        (&json!(2), &json!(2), &json!(2)),
        "{board}"
    );
    assert!(cell["solved_at"].is_string(), "{board}");
    let cy = &row_of(&board, "cy")["questions"]["sum"];
    assert_eq!(
        (&cy["score"], &cy["attempts"]),
        (&json!(1), &json!(1)),
        "{board}"
    );
    assert_eq!(cy["solved_at"], Value::Null);
    let dee = &row_of(&board, "dee")["questions"]["sum"];
    assert_eq!(
        (&dee["score"], &dee["attempts"]),
        (&json!(0), &json!(0)),
        "{board}"
    );
}

#[tokio::test]
async fn icpc_ranks_by_solved_questions_then_minutes_plus_20_per_rejection() {
    let app = app_with_questions(&["sum"]).await;
    let starts = minutes_from_now(-90);
    let mut icpc = contest(&["sum"], 0, 60, "icpc", "participants");
    icpc["starts_at"] = json!(starts);
    create_contest(&app, "icpc-week", icpc).await;
    let starts = time(&json!(starts));
    let mut tokens = std::collections::HashMap::new();
    for user in ["ada", "bob", "cy"] {
        tokens.insert(user, app.add_participant("icpc-week", user).await);
    }
    // ada solves at once; bob is rejected once, solves, then is rejected
    // again (which no longer counts); cy never submits.
    let ada_solved = judged(&app, Some(&tokens["ada"]), "sum", SUM).await;
    assert_eq!(ada_solved["score"], 2);
    let rejected = judged(&app, Some(&tokens["bob"]), "sum", HALF).await;
    assert_eq!(rejected["score"], 1);
    let bob_solved = judged(&app, Some(&tokens["bob"]), "sum", SUM).await;
    judged(&app, Some(&tokens["bob"]), "sum", HALF).await;

    // Whole minutes from the start to each first full score, from the
    // times the submissions were recorded at.
    let minutes_in =
        |submission: &Value| (time(&submission["created_at"]) - starts).num_minutes() as u64;
    let ada_penalty = minutes_in(&ada_solved);
    let bob_penalty = minutes_in(&bob_solved) + 20;
    assert!((90..100).contains(&ada_penalty), "{ada_penalty}");

    let (status, board) = app
        .contest_scoreboard("icpc-week", Some(&tokens["cy"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["scoring"], "icpc");
    let s = |u: &str| u.to_string();
    assert_eq!(
        standings(&board),
        [
            (1, s("ada"), 1, ada_penalty),
            (2, s("bob"), 1, bob_penalty),
            (3, s("cy"), 0, 0)
        ]
    );
    let penalties: Vec<u64> = standings(&board).iter().map(|r| r.3).collect();
    assert!(
        [20, 21].contains(&(penalties[1] - penalties[0])),
        "one rejection is 20 minutes (plus a minute boundary at most): {board}"
    );
    let ada = &row_of(&board, "ada")["questions"]["sum"];
    assert_eq!(
        (&ada["score"], &ada["attempts"]),
        (&json!(2), &json!(1)),
        "{board}"
    );
    assert_eq!(time(&ada["solved_at"]), time(&ada_solved["created_at"]));
    let bob = &row_of(&board, "bob")["questions"]["sum"];
    assert_eq!(
        (&bob["score"], &bob["attempts"]),
        (&json!(2), &json!(2)),
        "{board}"
    );
    assert_eq!(time(&bob["solved_at"]), time(&bob_solved["created_at"]));
    let cy = &row_of(&board, "cy")["questions"]["sum"];
    assert_eq!(
        (&cy["attempts"], &cy["solved_at"]),
        (&json!(0), &Value::Null),
        "{board}"
    );
}

#[tokio::test]
async fn icpc_counts_no_compile_error_as_an_attempt_unless_the_contest_says_so() {
    let app = app_with_questions(&["sum"]).await;
    let mut icpc = contest(&["sum"], -30, 60, "icpc", "public");
    create_contest(&app, "icpc-ce", icpc.clone()).await;
    let token = app.add_participant("icpc-ce", "ada").await;
    // A syntax error, a wrong answer, then the solution.
    let broken = judged(&app, Some(&token), "sum", "print(3").await;
    assert_eq!(broken["verdict"], "compilation_error", "{broken}");
    let wrong = judged(&app, Some(&token), "sum", HALF).await;
    assert_eq!(wrong["verdict"], "wrong_answer", "{wrong}");
    judged(&app, Some(&token), "sum", SUM).await;
    let ada = |board: &Value| {
        let row = row_of(board, "ada");
        (
            row["questions"]["sum"]["attempts"].clone(),
            row["penalty_minutes"].as_u64().unwrap(),
        )
    };
    let (_, board) = app.contest_scoreboard("icpc-ce", Some(&token)).await;
    let (attempts, penalty) = ada(&board);
    assert_eq!(attempts, 2, "the compile error is not an attempt: {board}");
    assert!(
        (50..=52).contains(&penalty),
        "30 minutes in, plus 20 for one rejection: {board}"
    );

    icpc["compile_errors_count"] = json!(true);
    let (status, body) = app.put_contest("icpc-ce", icpc).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["compile_errors_count"], true, "{body}");
    let (_, board) = app.contest_scoreboard("icpc-ce", Some(&token)).await;
    assert_eq!(ada(&board), (json!(3), penalty + 20), "{board}");
}

/// PUT a participant's own time (as admin).
async fn set_time(app: &TestApp, contest: &str, user: &str, time: Value) -> (StatusCode, Value) {
    let path = format!("/admin/contests/{contest}/participants/{user}/time");
    app.send(Method::PUT, &path, Some(ADMIN_TOKEN), Some(time))
        .await
}

#[tokio::test]
async fn a_participant_with_their_own_time_submits_ranks_and_freezes_in_their_window() {
    let app = app_with_questions(&["sum"]).await;
    // From 60 minutes ago to 10 from now, frozen for its last 30 minutes:
    // the board is frozen now.
    let mut icpc = contest(&["sum"], -60, 10, "icpc", "public");
    icpc["freeze_minutes"] = json!(30);
    create_contest(&app, "own-time", icpc).await;
    let ada = app.add_participant("own-time", "ada").await;
    let bob = app.add_participant("own-time", "bob").await;
    let cy = app.add_participant("own-time", "cy").await;
    // Bob starts 20 minutes late with 30 more: his window ends 40 minutes
    // from now, and his freeze 10 minutes from now.
    let bob_start = minutes_from_now(-40);
    let own = json!({"starts_at": bob_start, "extra_minutes": 30});
    let (status, body) = set_time(&app, "own-time", "bob", own).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // A start before the contest's counts as the contest's: Cy's window is
    // the contest's.
    let own = json!({"starts_at": minutes_from_now(-120), "extra_minutes": 0});
    let (status, body) = set_time(&app, "own-time", "cy", own).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    judged(&app, Some(&ada), "sum", SUM).await;
    let bob_solved = judged(&app, Some(&bob), "sum", SUM).await;
    let (_, board) = app.contest_scoreboard("own-time", Some(&cy)).await;
    assert_eq!(board["frozen"], true, "{board}");
    // Ada solved inside her freeze: hidden. Bob's freeze is later: shown,
    // his minutes counted from his own start.
    assert_eq!(row_of(&board, "ada")["total"], 0, "{board}");
    assert_eq!(row_of(&board, "bob")["total"], 1, "{board}");
    let minutes = (time(&bob_solved["created_at"]) - time(&json!(bob_start))).num_minutes();
    assert_eq!(row_of(&board, "bob")["penalty_minutes"], minutes, "{board}");
    let (_, live) = app.contest_scoreboard("own-time", Some(ADMIN_TOKEN)).await;
    assert_eq!(
        row_of(&live, "ada")["total"],
        1,
        "admins see it live: {live}"
    );

    let (status, list) = app.list_participants("own-time").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let bob_row = (list.as_array().unwrap().iter())
        .find(|p| p["user_id"] == "bob")
        .unwrap();
    assert_eq!(bob_row["extra_minutes"], 30, "{list}");
    assert_eq!(time(&bob_row["starts_at"]), time(&json!(bob_start)));

    // Ending the contest for everyone else leaves Bob his time.
    let mut ended = contest(&["sum"], -60, -1, "icpc", "public");
    ended["freeze_minutes"] = json!(30);
    let (status, body) = app.put_contest("own-time", ended).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = json!({"language": "python", "code": SUM, "question_id": "sum"});
    let (status, body) = app.execute_as(Some(&ada), request.clone()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "contest_not_running");
    let (status, body) = app.execute_as(Some(&bob), request).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let cases = [
        (
            "own-time",
            "nobody",
            json!({"extra_minutes": 5}),
            StatusCode::NOT_FOUND,
        ),
        (
            "nope",
            "bob",
            json!({"extra_minutes": 5}),
            StatusCode::NOT_FOUND,
        ),
        (
            "own-time",
            "bob",
            json!({"extra_minutes": 20000}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "own-time",
            "bob",
            json!({"extra_minutes": -1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "own-time",
            "bob",
            json!({"minutes": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (contest, user, own, expected) in cases {
        let (status, body) = set_time(&app, contest, user, own.clone()).await;
        assert_eq!(status, expected, "{contest}/{user} {own}: {body}");
    }
}

#[tokio::test]
async fn practice_after_the_end_is_judged_and_shown_but_never_ranked() {
    let app = app_with_questions(&["sum"]).await;
    let mut ended = contest(&["sum"], -60, -1, "ioi", "public");
    ended["practice_after_end"] = json!(true);
    create_contest(&app, "practice", ended.clone()).await;
    let ada = app.add_participant("practice", "ada").await;
    let practiced = judged(&app, Some(&ada), "sum", SUM).await;
    assert_eq!(practiced["score"], 2, "{practiced}");
    let id = practiced["submission_id"].as_str().unwrap();
    let (status, own) = app.get_submission_as(id, Some(&ada)).await;
    assert_eq!(
        (status, &own["score"]),
        (StatusCode::OK, &json!(2)),
        "{own}"
    );
    let (_, board) = app.contest_scoreboard("practice", Some(&ada)).await;
    let row = row_of(&board, "ada");
    assert_eq!(
        (&row["total"], &row["questions"]["sum"]["attempts"]),
        (&json!(0), &json!(0)),
        "practice is not ranked: {board}"
    );
    ended["practice_after_end"] = json!(false);
    app.put_contest("practice", ended).await;
    let request = json!({"language": "python", "code": SUM, "question_id": "sum"});
    let (status, body) = app.execute_as(Some(&ada), request).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "contest_not_running");
}

#[tokio::test]
async fn results_export_as_csv_and_every_submission_as_a_zip() {
    let app = app_with_questions(&["sum", "other"]).await;
    create_contest(
        &app,
        "export",
        contest(&["sum", "other"], -30, 60, "ioi", "public"),
    )
    .await;
    let ada = app.add_participant("export", "ada").await;
    let formula = json!([{"user_id": "bob", "name": "=HYPERLINK(\"x\")"}]);
    let (status, added) = app.add_participants("export", formula).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    judged(&app, Some(&ada), "sum", HALF).await;
    judged(&app, Some(&ada), "sum", SUM).await;
    judged(&app, Some(&ada), "other", "print(3").await;

    let response = (app.request(Method::GET, "/admin/contests/export/results.csv"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("export-results.csv")
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "rank",
            "user_id",
            "name",
            "sum score",
            "sum attempts",
            "sum solved_at",
            "other score",
            "other attempts",
            "other solved_at",
            "total",
            "penalty_minutes"
        ]
    );
    let rows: Vec<Vec<String>> = (reader.records())
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(
        rows[0][..5],
        ["1", "ada", "Student ada", "2", "2"],
        "{text}"
    );
    assert!(
        rows[0][5].starts_with("20"),
        "the time of the full score: {text}"
    );
    // A compile error is no attempt.
    assert_eq!(rows[0][6..], ["0", "0", "", "2", "0"], "{text}");
    assert_eq!(
        rows[1][..3],
        ["2", "bob", "'=HYPERLINK(\"x\")"],
        "no formula: {text}"
    );

    let response = (app.request(Method::GET, "/admin/contests/export/submissions.zip"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut names: Vec<String> = (archive.file_names())
        .map(|name| name.unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ada/other/001-compilation_error.py",
            "ada/sum/001-wrong_answer.py",
            "ada/sum/002-accepted.py",
            "submissions.csv"
        ]
    );
    let mut code = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("ada/sum/002-accepted.py").unwrap(),
        &mut code,
    )
    .unwrap();
    assert_eq!(code, SUM);
    let mut index = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("submissions.csv").unwrap(), &mut index)
        .unwrap();
    assert_eq!(index.lines().count(), 4, "{index}");
    assert!(index.contains(",ada,sum,python,"), "{index}");

    for path in [
        "/admin/contests/nope/results.csv",
        "/admin/contests/nope/submissions.zip",
    ] {
        let (status, body) = app.send(Method::GET, path, Some(ADMIN_TOKEN), None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
        let (status, _) = app.send(Method::GET, path, Some(&ada), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn a_frozen_scoreboard_hides_the_last_submissions_from_all_but_admin_and_service() {
    let app = app_with_questions(&["sum"]).await;
    let ends = minutes_from_now(30);
    let mut last_hour = contest(&["sum"], -120, 0, "ioi", "public");
    last_hour["ends_at"] = json!(ends);
    last_hour["freeze_minutes"] = json!(60);
    last_hour["public"] = json!(true);
    create_contest(&app, "final", last_hour).await;
    let frozen_at = time(&json!(ends)) - chrono::Duration::minutes(60);
    let ada = app.add_participant("final", "ada").await;
    let bob = app.add_participant("final", "bob").await;
    let service = app.new_api_key("service").await;
    judged(&app, Some(&ada), "sum", SUM).await;

    for (who, token) in [
        ("ada", Some(ada.as_str())),
        ("bob", Some(bob.as_str())),
        ("anonymous", None),
    ] {
        let (status, board) = app.contest_scoreboard("final", token).await;
        assert_eq!(status, StatusCode::OK, "{who}: {board}");
        assert_eq!(board["frozen"], true, "{who}: {board}");
        assert_eq!(time(&board["frozen_at"]), frozen_at, "{who}: {board}");
        assert_eq!(
            row_of(&board, "ada")["total"],
            0,
            "{who} sees past the freeze: {board}"
        );
        assert_eq!(
            row_of(&board, "ada")["questions"]["sum"]["attempts"],
            0,
            "{who}: {board}"
        );
    }
    for (who, token) in [("admin", ADMIN_TOKEN), ("service", service.as_str())] {
        let (status, board) = app.contest_scoreboard("final", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{who}: {board}");
        assert_eq!(board["frozen"], false, "{who}: {board}");
        assert_eq!(board["frozen_at"], Value::Null, "{who}: {board}");
        let s = |u: &str| u.to_string();
        assert_eq!(
            standings(&board),
            [(1, s("ada"), 2, 0), (2, s("bob"), 0, 0)],
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_contest_questions_own_scoreboard_is_hidden_and_others_count_no_anonymous_submissions() {
    let app = app_with_questions(&["free", "cq"]).await;
    let mut open = contest(&["cq"], -10, 60, "ioi", "public");
    open["public"] = json!(true);
    create_contest(&app, "open", open).await;
    let ada = app.add_participant("open", "ada").await;
    let service = app.new_api_key("service").await;

    for (who, token) in [("anonymous", None), ("a participant", Some(ada.as_str()))] {
        let (status, body) = app
            .send(Method::GET, "/questions/cq/scoreboard", token, None)
            .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "scoreboard_hidden");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("/contests/open/scoreboard"),
            "{who}: {message}"
        );
    }
    for token in [ADMIN_TOKEN, service.as_str()] {
        let (status, body) = app
            .send(Method::GET, "/questions/cq/scoreboard", Some(token), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // On a question in no contest, only a service's submissions rank.
    for (token, user) in [
        (None, "anon-user"),
        (Some(ADMIN_TOKEN), "admin-user"),
        (Some(service.as_str()), "svc-user"),
    ] {
        let request =
            json!({"language": "python", "code": SUM, "question_id": "free", "user_id": user});
        let (status, body) = app.execute_as(token, request).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
    }
    let (status, board) = app.scoreboard("free").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    let users: Vec<&str> = (board["users"].as_array().unwrap().iter())
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["svc-user"], "{board}");
    assert_eq!(board["users"][0]["best_score"], 2, "{board}");
}

#[tokio::test]
async fn a_deleted_contest_frees_its_questions_and_revokes_tokens_but_keeps_submissions() {
    let app = app_with_questions(&["sum"]).await;
    create_contest(&app, "gone", contest(&["sum"], -10, 60, "ioi", "public")).await;
    let ada = app.add_participant("gone", "ada").await;
    let submission = judged(&app, Some(&ada), "sum", SUM).await;
    let id = submission["submission_id"].as_str().unwrap();

    let (status, body) = app.delete_question("sum").await;
    assert_error(status, &body, StatusCode::CONFLICT, "question_in_contest");
    let (status, _) = app.get_question_as_admin("sum").await;
    assert_eq!(status, StatusCode::OK, "still there");

    let (status, body) = app.delete_contest("gone").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.list_contests(Some(&ada)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, body) = app.list_participants("gone").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "unknown_contest");
    let (status, kept) = app.get_submission_as(id, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(kept["user_id"], "ada");
    assert_eq!(kept["score"], 2);

    let (status, body) = app.delete_question("sum").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "free to go now: {body}");
}
