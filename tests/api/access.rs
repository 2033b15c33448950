//! Who may do what: every route for every kind of caller (the admin token,
//! an admin API key, a service key, a contest participant, nobody), checked
//! from one table; open execution turned off; participants acting only as
//! themselves; bad tokens; and a student who cannot read another's code.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp, minutes_from_now};

const SUM: &str = "a, b = map(int, input().split())\nprint(a + b)";

/// One test worth 1 point.
fn question(slug: &str) -> Value {
    json!({
        "slug": slug, "title": format!("Question {slug}"),
        "test_cases": [{"input": "1 2", "expected_output": "3"}]
    })
}

/// A contest over `questions` that began an hour ago and ends in an hour.
fn running_contest(questions: &[&str], public: bool, scoreboard: &str) -> Value {
    json!({
        "title": "A running contest",
        "starts_at": minutes_from_now(-60), "ends_at": minutes_from_now(60),
        "questions": questions, "scoring": "ioi", "scoreboard": scoreboard,
        "public": public,
    })
}

#[derive(Debug, Clone, Copy)]
enum Role {
    AdminToken,
    AdminKey,
    Service,
    /// alice, of the contest `live`.
    Participant,
    Anonymous,
}

const ROLES: [Role; 5] = [
    Role::AdminToken,
    Role::AdminKey,
    Role::Service,
    Role::Participant,
    Role::Anonymous,
];

/// What a row expects of one role.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This success status.
    Is(u16),
    /// This error status with this `error.code`.
    Refused(u16, &'static str),
    /// Not checked by this row (it would change what later rows see).
    Skip,
}

use Expect::{Is, Refused, Skip};

const OK: Expect = Is(200);
const QUEUED: Expect = Is(202);
const NO_TOKEN: Expect = Refused(401, "unauthorized");
const FORBIDDEN: Expect = Refused(403, "forbidden");
const NOT_FOUND: Expect = Refused(404, "not_found");
const HIDDEN_BOARD: Expect = Refused(403, "scoreboard_hidden");
const ADMIN_ONLY: [Expect; 5] = [OK, OK, FORBIDDEN, FORBIDDEN, NO_TOKEN];

/// A request and what each role (in `ROLES` order) must get for it.
struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    expect: [Expect; 5],
}

fn row(method: Method, path: impl Into<String>, body: Option<Value>, expect: [Expect; 5]) -> Row {
    Row {
        method,
        path: path.into(),
        body,
        expect,
    }
}

fn get(path: impl Into<String>, expect: [Expect; 5]) -> Row {
    row(Method::GET, path, None, expect)
}

/// A server with three questions: `free` (in no contest), `live-q` (in the
/// private running contest `live`, whose scoreboard is for participants) and
/// `open-q` (in the public running contest `open`, whose scoreboard shows
/// after its end); alice and bob take part in `live`.
struct World {
    app: TestApp,
    admin_key: String,
    service_key: String,
    service_key_id: String,
    alice: String,
    bob: String,
}

impl World {
    async fn new(env: &[(&str, &str)]) -> Self {
        let app = TestApp::spawn_with_question(question("free"), env).await;
        for slug in ["live-q", "open-q"] {
            let (status, body) = app.create_question(question(slug)).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let live = running_contest(&["live-q"], false, "participants");
        let (status, body) = app.put_contest("live", live).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let open = running_contest(&["open-q"], true, "after_end");
        let (status, body) = app.put_contest("open", open).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let alice = app.add_participant("live", "alice").await;
        let bob = app.add_participant("live", "bob").await;
        let admin_key = app.new_api_key("admin").await;
        let (status, body) = app.create_api_key("grader", "service").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Self {
            app,
            admin_key,
            service_key: body["key"].as_str().unwrap().to_string(),
            service_key_id: body["id"].as_str().unwrap().to_string(),
            alice,
            bob,
        }
    }

    fn token(&self, role: Role) -> Option<&str> {
        match role {
            Role::AdminToken => Some(ADMIN_TOKEN),
            Role::AdminKey => Some(&self.admin_key),
            Role::Service => Some(&self.service_key),
            Role::Participant => Some(&self.alice),
            Role::Anonymous => None,
        }
    }

    /// Sends each row as each role; panics listing every mismatch.
    async fn check(&self, rows: &[Row]) {
        let mut failures = Vec::new();
        for row in rows {
            for (role, expect) in ROLES.iter().zip(row.expect) {
                let (expected, code) = match expect {
                    Is(status) => (status, None),
                    Refused(status, code) => (status, Some(code)),
                    Skip => continue,
                };
                let (status, body) = self
                    .app
                    .send(
                        row.method.clone(),
                        &row.path,
                        self.token(*role),
                        row.body.clone(),
                    )
                    .await;
                let code_matches = code.is_none_or(|code| body["error"]["code"] == code);
                if status.as_u16() != expected || !code_matches {
                    let body = body.to_string();
                    let body: String = body.chars().take(300).collect();
                    failures.push(format!(
                        "{role:?} {} {}: expected {expected} {}, got {status} {body}",
                        row.method,
                        row.path,
                        code.unwrap_or(""),
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of the access rules do not hold:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

fn own_tests() -> Value {
    json!({"language": "python", "code": SUM,
           "test_cases": [{"input": "1 2", "expected_output": "3"}]})
}

fn to_question(slug: &str) -> Value {
    json!({"language": "python", "code": SUM, "question_id": slug})
}

/// POST /execute on `question` with `token`, which must succeed: the ids of
/// the submission and the execution it made.
async fn judged(app: &TestApp, token: Option<&str>, question: &str) -> (String, String) {
    let (status, body) = app.execute_as(token, to_question(question)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["summary"]["score"], 1, "{body}");
    let id = |field: &str| body[field].as_str().unwrap().to_string();
    (id("submission_id"), id("execution_id"))
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_access_rules_say() {
    let world = World::new(&[]).await;
    let app = &world.app;
    // Records made by others than the reader alice: bob, nobody, a service.
    let (bob_submission, bob_execution) = judged(app, Some(&world.bob), "live-q").await;
    let (anonymous_submission, anonymous_execution) = judged(app, None, "free").await;
    let (service_submission, service_execution) =
        judged(app, Some(&world.service_key), "free").await;
    let (alice_submission, alice_execution) = judged(app, Some(&world.alice), "live-q").await;

    let mallory = json!([{"user_id": "mallory", "name": "Mallory"}]);
    let rows = [
        // Judging code on one's own tests: anyone while open execution is on.
        row(Method::POST, "/execute", Some(own_tests()), [OK; 5]),
        // Submitting to a contest's question: its participants, and admin
        // and service; nobody anonymous.
        row(
            Method::POST,
            "/execute",
            Some(to_question("live-q")),
            [OK, OK, OK, OK, NO_TOKEN],
        ),
        row(
            Method::POST,
            "/submissions",
            Some(to_question("live-q")),
            [QUEUED, QUEUED, QUEUED, QUEUED, NO_TOKEN],
        ),
        // Another contest's question: not alice's.
        row(
            Method::POST,
            "/execute",
            Some(to_question("open-q")),
            [OK, OK, OK, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::POST,
            "/submissions",
            Some(to_question("open-q")),
            [QUEUED, QUEUED, QUEUED, FORBIDDEN, NO_TOKEN],
        ),
        // A question in no contest: anyone but a participant, whose token
        // is for their contest.
        row(
            Method::POST,
            "/execute",
            Some(to_question("free")),
            [OK, OK, OK, FORBIDDEN, OK],
        ),
        row(
            Method::POST,
            "/submissions",
            Some(to_question("free")),
            [QUEUED, QUEUED, QUEUED, FORBIDDEN, QUEUED],
        ),
        // Reading records: admin and service all; alice her own only;
        // nobody only what was made anonymously. Others' are 404, never 403.
        get(
            format!("/submissions/{bob_submission}"),
            [OK, OK, OK, NOT_FOUND, NOT_FOUND],
        ),
        get(
            format!("/executions/{bob_execution}"),
            [OK, OK, OK, NOT_FOUND, NOT_FOUND],
        ),
        get(
            format!("/submissions/{anonymous_submission}"),
            [OK, OK, OK, NOT_FOUND, OK],
        ),
        get(
            format!("/executions/{anonymous_execution}"),
            [OK, OK, OK, NOT_FOUND, OK],
        ),
        get(
            format!("/submissions/{service_submission}"),
            [OK, OK, OK, NOT_FOUND, NOT_FOUND],
        ),
        get(
            format!("/executions/{service_execution}"),
            [OK, OK, OK, NOT_FOUND, NOT_FOUND],
        ),
        get(
            format!("/submissions/{alice_submission}"),
            [OK, OK, OK, OK, NOT_FOUND],
        ),
        get(
            format!("/executions/{alice_execution}"),
            [OK, OK, OK, OK, NOT_FOUND],
        ),
        get("/submissions?limit=5", [OK, OK, OK, OK, NO_TOKEN]),
        get("/submissions?user_id=bob", [OK, OK, OK, OK, NO_TOKEN]),
        // Questions: one in no contest for all; a private contest's for its
        // participants; a public running contest's for all.
        get("/questions", [OK; 5]),
        get("/questions/free", [OK; 5]),
        get(
            "/questions/live-q",
            [OK, OK, OK, OK, Refused(404, "unknown_question")],
        ),
        get("/questions/open-q", [OK; 5]),
        get("/questions/nope", [Refused(404, "unknown_question"); 5]),
        // Per-question scoreboards: open for a question in no contest; a
        // contest's question's standings are the contest's to show.
        get("/questions/free/scoreboard", [OK; 5]),
        get(
            "/questions/live-q/scoreboard",
            [OK, OK, OK, HIDDEN_BOARD, Refused(404, "unknown_question")],
        ),
        get(
            "/questions/open-q/scoreboard",
            [OK, OK, OK, HIDDEN_BOARD, HIDDEN_BOARD],
        ),
        // Contests and their scoreboards.
        get("/contests", [OK; 5]),
        get(
            "/contests/live",
            [OK, OK, OK, OK, Refused(404, "unknown_contest")],
        ),
        get("/contests/open", [OK; 5]),
        get("/contests/nope", [Refused(404, "unknown_contest"); 5]),
        get(
            "/contests/live/scoreboard",
            [OK, OK, OK, OK, Refused(404, "unknown_contest")],
        ),
        get(
            "/contests/open/scoreboard",
            [OK, OK, OK, HIDDEN_BOARD, HIDDEN_BOARD],
        ),
        // The admin API.
        get("/admin/api-keys", ADMIN_ONLY),
        get("/admin/contests", ADMIN_ONLY),
        get("/admin/contests/live", ADMIN_ONLY),
        get("/admin/contests/live/participants", ADMIN_ONLY),
        get("/admin/questions/free", ADMIN_ONLY),
        row(
            Method::POST,
            "/admin/api-keys",
            Some(json!({"name": "another", "role": "service"})),
            [Is(201), Is(201), FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::PUT,
            "/admin/questions/extra",
            Some(question("extra")),
            [Is(201), Is(200), FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::PUT,
            "/admin/contests/extra",
            Some(running_contest(&["extra"], false, "public")),
            [Is(201), Is(200), FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        // Changes only the refused may try here.
        row(
            Method::POST,
            "/admin/contests/live/participants",
            Some(mallory),
            [Skip, Skip, FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::DELETE,
            "/admin/contests/live/participants/bob",
            None,
            [Skip, Skip, FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::DELETE,
            "/admin/contests/live",
            None,
            [Skip, Skip, FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::DELETE,
            format!("/admin/api-keys/{}", world.service_key_id),
            None,
            [Skip, Skip, FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
        row(
            Method::DELETE,
            "/admin/questions/free",
            None,
            [Skip, Skip, FORBIDDEN, FORBIDDEN, NO_TOKEN],
        ),
    ];
    world.check(&rows).await;

    // The refused changes changed nothing.
    let (status, participants) = app.list_participants("live").await;
    assert_eq!(status, StatusCode::OK, "{participants}");
    let mut users: Vec<&str> = participants
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_str().unwrap())
        .collect();
    users.sort();
    assert_eq!(users, ["alice", "bob"]);
    let (status, _) = app.get_question_as_admin("free").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.list_submissions("limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .send(
            Method::GET,
            "/submissions?limit=1",
            Some(&world.service_key),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the service key still works: {body}"
    );
}

#[tokio::test]
async fn without_open_execution_nobody_anonymous_runs_code() {
    let world = World::new(&[("JUDGEBOX_OPEN_EXECUTE", "false")]).await;
    let rows = [
        row(
            Method::POST,
            "/execute",
            Some(own_tests()),
            [Skip, Skip, OK, OK, NO_TOKEN],
        ),
        row(
            Method::POST,
            "/execute",
            Some(to_question("free")),
            [Skip, Skip, OK, Skip, NO_TOKEN],
        ),
        row(
            Method::POST,
            "/submissions",
            Some(to_question("free")),
            [Skip, Skip, QUEUED, Skip, NO_TOKEN],
        ),
        row(
            Method::POST,
            "/execute",
            Some(to_question("live-q")),
            [Skip, Skip, Skip, OK, NO_TOKEN],
        ),
        // Reading is not running code.
        get("/questions/free", [Skip, Skip, Skip, Skip, OK]),
        get("/questions/free/scoreboard", [Skip, Skip, Skip, Skip, OK]),
        get("/contests", [Skip, Skip, Skip, Skip, OK]),
    ];
    world.check(&rows).await;
    // The refusal says how to get in.
    let response = world
        .app
        .request(Method::POST, "/execute")
        .json(&own_tests())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
}

#[tokio::test]
async fn a_participant_acts_only_as_themselves() {
    let world = World::new(&[]).await;
    let (app, alice) = (&world.app, Some(world.alice.as_str()));
    let mut as_bob = own_tests();
    as_bob["user_id"] = json!("bob");
    let (status, body) = app.execute_as(alice, as_bob).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "wrong_user", "{body}");
    let mut as_bob = to_question("live-q");
    as_bob["user_id"] = json!("bob");
    let (status, body) = app.submit_as(alice, as_bob.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "wrong_user", "{body}");
    let (status, body) = app.execute_as(alice, as_bob).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "wrong_user", "{body}");

    // Leaving it out, or naming herself, is alice.
    let (status, body) = app.execute_as(alice, own_tests()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_id"], "alice", "{body}");
    let (status, body) = app.submit_as(alice, to_question("live-q")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["user_id"], "alice", "{body}");
    let id = body["submission_id"].as_str().unwrap();
    let done = app.wait_for_submission_as(id, alice).await;
    assert_eq!(done["user_id"], "alice", "{done}");
    assert_eq!(done["score"], 1, "{done}");
    let mut as_alice = to_question("live-q");
    as_alice["user_id"] = json!("alice");
    let (status, body) = app.execute_as(alice, as_alice).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_id"], "alice", "{body}");

    // Admin and service name anyone.
    let mut as_carol = to_question("live-q");
    as_carol["user_id"] = json!("carol");
    for token in [ADMIN_TOKEN, world.service_key.as_str()] {
        let (status, body) = app.execute_as(Some(token), as_carol.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user_id"], "carol", "{body}");
    }

    // Alice's list holds only hers; a filter on bob narrows it to nothing.
    let (status, list) = app.send(Method::GET, "/submissions", alice, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(
        list.len(),
        2,
        "her queued and her judged submission: {list:?}"
    );
    assert!(list.iter().all(|s| s["user_id"] == "alice"), "{list:?}");
    let (status, list) = app
        .send(Method::GET, "/submissions?user_id=carol", alice, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_token_nobody_issued_is_refused_on_every_route() {
    let world = World::new(&[]).await;
    let app = &world.app;
    let unknown = [
        format!("jbk_{}", "0".repeat(64)),
        format!("jbp_{}", "0".repeat(64)),
        "not-a-token-at-all".to_string(),
        // The admin token with one character changed.
        ADMIN_TOKEN.replace('a', "b"),
    ];
    let requests = [
        (Method::GET, "/languages", None),
        (Method::GET, "/questions", None),
        (Method::GET, "/questions/free", None),
        (Method::GET, "/contests", None),
        (Method::POST, "/execute", Some(own_tests())),
        (Method::GET, "/admin/questions/free", None),
    ];
    for token in &unknown {
        for (method, path, body) in &requests {
            let mut request = app.request(method.clone(), path).bearer_auth(token);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            let what = format!("{method} {path} with {token:?}");
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
            let challenge = response
                .headers()
                .get("www-authenticate")
                .unwrap_or_else(|| panic!("{what}: no WWW-Authenticate"))
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                challenge.starts_with("Bearer") && challenge.contains(r#"error="invalid_token""#),
                "{what}: {challenge}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_token", "{what}: {body}");
        }
    }
    // Without a token the same public routes answer.
    let (status, _) = app.list_questions().await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.list_contests(None).await;
    assert_eq!(status, StatusCode::OK);
    // And where a token is needed, a missing one is asked for.
    let response = app
        .request(Method::GET, "/submissions")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    // The scheme's case does not matter (RFC 9110); the token's does.
    let response = app
        .request(Method::GET, "/submissions")
        .header("authorization", format!("bearer {}", world.service_key))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// GET `path` with `token`: the status and the body as text.
async fn read_text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let response = app
        .request(Method::GET, path)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_student_who_tries_every_route_never_sees_another_students_code_or_hidden_test_data() {
    const CODE_MARKER: &str = "alice-secret-approach-4d1e";
    const HIDDEN_MARKER: &str = "hidden-case-data-9e2b";
    let echo = json!({
        "slug": "echo", "title": "Echo",
        "statement": "Print the line you read.",
        "test_cases": [
            {"input": "hello", "expected_output": "hello"},
            {"input": HIDDEN_MARKER, "expected_output": HIDDEN_MARKER, "hidden": true}
        ]
    });
    let app = TestApp::spawn_with_question(echo, &[]).await;
    let exam = json!({
        "title": "Exam", "starts_at": minutes_from_now(-30), "ends_at": minutes_from_now(60),
        "questions": ["echo"], "scoring": "ioi", "scoreboard": "participants",
    });
    let (status, body) = app.put_contest("exam", exam).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let alice = app.add_participant("exam", "alice").await;
    let bob = app.add_participant("exam", "bob").await;

    // Alice submits three ways, her code carrying the marker.
    let code = format!("print(input())  # {CODE_MARKER}");
    let to_echo = json!({"language": "python", "code": code, "question_id": "echo"});
    let (status, body) = app.submit_as(Some(&alice), to_echo.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let queued = body["submission_id"].as_str().unwrap().to_string();
    let done = app.wait_for_submission_as(&queued, Some(&alice)).await;
    assert_eq!(done["score"], 2, "{done}");
    assert!(
        !done.to_string().contains(HIDDEN_MARKER),
        "even alice: {done}"
    );
    let queued_execution = done["result"]["execution_id"].as_str().unwrap().to_string();
    let (status, body) = app.execute_as(Some(&alice), to_echo).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let judged = body["submission_id"].as_str().unwrap().to_string();
    let judged_execution = body["execution_id"].as_str().unwrap().to_string();
    let own = json!({"language": "python", "code": code,
                     "test_cases": [{"input": "hi", "expected_output": "hi"}]});
    let (status, body) = app.execute_as(Some(&alice), own).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let playground_execution = body["execution_id"].as_str().unwrap().to_string();
    // Alice herself reads her code back.
    let (status, body) = app.get_execution_as(&judged_execution, Some(&alice)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["code"].as_str().unwrap().contains(CODE_MARKER),
        "{body}"
    );

    // Bob submits once, then tries everything.
    let (status, body) = app
        .execute_as(
            Some(&bob),
            json!({"language": "python", "code": "print('hello')", "question_id": "echo"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut expected = vec![
        ("/submissions".to_string(), StatusCode::OK),
        ("/submissions?user_id=alice".to_string(), StatusCode::OK),
        (
            "/submissions?question_id=echo&limit=100".to_string(),
            StatusCode::OK,
        ),
        ("/contests/exam/scoreboard".to_string(), StatusCode::OK),
        ("/contests".to_string(), StatusCode::OK),
        ("/contests/exam".to_string(), StatusCode::OK),
        ("/questions".to_string(), StatusCode::OK),
        ("/questions/echo".to_string(), StatusCode::OK),
        (
            "/questions/echo/scoreboard".to_string(),
            StatusCode::FORBIDDEN,
        ),
        ("/admin/questions/echo".to_string(), StatusCode::FORBIDDEN),
        ("/admin/contests/exam".to_string(), StatusCode::FORBIDDEN),
    ];
    for id in [&queued, &judged] {
        expected.push((format!("/submissions/{id}"), StatusCode::NOT_FOUND));
    }
    for id in [&queued_execution, &judged_execution, &playground_execution] {
        expected.push((format!("/executions/{id}"), StatusCode::NOT_FOUND));
    }
    for (path, status_expected) in &expected {
        let (status, text) = read_text(&app, path, &bob).await;
        assert_eq!(status, *status_expected, "GET {path}: {text}");
        for marker in [CODE_MARKER, HIDDEN_MARKER] {
            assert!(!text.contains(marker), "GET {path} shows {marker}: {text}");
        }
        if path == "/submissions" || path.starts_with("/submissions?") {
            let list: Value = serde_json::from_str(&text).unwrap();
            assert!(
                list.as_array()
                    .unwrap()
                    .iter()
                    .all(|s| s["user_id"] == "bob"),
                "GET {path} lists others' submissions: {list}"
            );
        }
    }
    let (_, text) = read_text(&app, "/submissions?user_id=alice", &bob).await;
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!([]));
    let (_, text) = read_text(&app, "/submissions", &bob).await;
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "bob's one: {list}");
    // The scoreboard shows what alice scored, not how.
    let (_, board) = app.contest_scoreboard("exam", Some(&bob)).await;
    let alice_row = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["user_id"] == "alice")
        .unwrap_or_else(|| panic!("no row for alice: {board}"))
        .clone();
    assert_eq!(alice_row["total"], 2, "{board}");
    assert_eq!(board["rows"][0]["user_id"], "alice", "{board}");
}
