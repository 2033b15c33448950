//! Queued submissions: accepted at once, judged by the workers of any
//! replica exactly once, reported by polling and by callback; backpressure,
//! the scoreboard, and replicas that die or stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::helpers::{TestApp, judgebox};

const SUM: &str = "a, b = map(int, input().split())\nprint(a + b)";

/// The question `sum`: one visible test worth 1 point and one hidden worth 2.
fn sum_question() -> Value {
    json!({
        "slug": "sum", "title": "Sum",
        "test_cases": [
            {"input": "1 2", "expected_output": "3"},
            {"input": "20 22", "expected_output": "42", "hidden": true, "points": 2}
        ]
    })
}

/// A server with the question `sum`.
async fn app_with(env: &[(&str, &str)]) -> TestApp {
    TestApp::spawn_with_question(sum_question(), env).await
}

#[tokio::test]
async fn a_submission_is_accepted_at_once_and_judged_by_a_worker() {
    let app = app_with(&[]).await;
    let (status, body) = app
        .submit(json!({"language": "python", "code": SUM, "question_id": "sum", "user_id": "ada"}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(["queued", "running", "finished"].contains(&body["state"].as_str().unwrap()));
    let id = body["submission_id"].as_str().unwrap().to_string();
    let done = app.wait_for_submission(&id).await;
    assert_eq!(done["score"], 3, "{done}");
    assert_eq!(done["max_score"], 3);
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["result"]["submission_id"], id.as_str());
    let hidden = &done["result"]["test_results"][1];
    assert_eq!(hidden["status"], "accepted");
    assert_eq!(hidden["input"], "", "hidden tests stay hidden: {hidden}");
    assert!(!done.to_string().contains("20 22"));
}

#[tokio::test]
async fn bad_submissions_get_clear_errors() {
    let app = app_with(&[]).await;
    let cases = [
        (
            json!({"language": "python", "code": SUM, "question_id": "nope"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"language": "cobol", "code": SUM, "question_id": "sum"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"language": "python", "code": " ", "question_id": "sum"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"language": "python", "code": SUM, "question_id": "sum", "callback_url": "file:///etc/passwd"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (request, expected) in cases {
        let (status, body) = app.submit(request.clone()).await;
        assert_eq!(status, expected, "{request}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
        if request["language"] == "cobol" {
            // The same answer as POST /execute gives.
            assert_eq!(body["error"]["code"], "unsupported_language", "{body}");
        }
    }
    let (status, _) = app.get_submission(&uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.list_submissions("limit=1000").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn submissions_are_listed_by_user_and_question_with_paging() {
    let app = app_with(&[]).await;
    for user in ["ada", "ada", "ada", "bob"] {
        app.submit_accepted(
            json!({"language": "python", "code": SUM, "question_id": "sum", "user_id": user}),
        )
        .await;
    }
    let (_, page) = app
        .list_submissions("user_id=ada&question_id=sum&limit=2")
        .await;
    assert_eq!(page.as_array().unwrap().len(), 2, "{page}");
    let (_, rest) = app.list_submissions("user_id=ada&limit=2&offset=2").await;
    assert_eq!(rest.as_array().unwrap().len(), 1, "{rest}");
    assert!(rest[0]["result"].is_null(), "lists leave the results out");
    let (_, bob) = app.list_submissions("user_id=bob").await;
    assert_eq!(bob.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_scoreboard_ranks_best_scores_and_counts_attempts() {
    let app = app_with(&[]).await;
    // Submitted by a service for its users: anonymous submissions do not rank.
    let service = app.new_api_key("service").await;
    let wrong = "print(3)";
    for (user, code) in [("ada", wrong), ("ada", SUM), ("bob", wrong), ("cy", SUM)] {
        let (status, body) = app
            .submit_as(
                Some(&service),
                json!({"language": "python", "code": code, "question_id": "sum", "user_id": user}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["submission_id"].as_str().unwrap();
        app.wait_for_submission_as(id, Some(&service)).await;
    }
    // /execute against the question counts too.
    let (status, _) = app
        .execute_as(
            Some(&service),
            json!({"language": "python", "code": wrong, "question_id": "sum", "user_id": "bob"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, board) = app.scoreboard("sum").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["max_score"], 3);
    let users: Vec<(String, u64, u64)> = board["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["user_id"].as_str().unwrap().to_string(),
                u["best_score"].as_u64().unwrap(),
                u["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(users.len(), 3, "{board}");
    assert_eq!(users[2], ("bob".to_string(), 1, 2));
    assert!(users[..2].contains(&("ada".to_string(), 3, 2)), "{board}");
    assert!(users[..2].contains(&("cy".to_string(), 3, 1)), "{board}");
    assert!(board["users"][0]["solved_at"].is_string());
    assert!(board["users"][2]["solved_at"].is_null());
}

/// Lets callbacks reach the tests' local receivers.
const PRIVATE_CALLBACKS: (&str, &str) = ("JUDGEBOX_CALLBACK_ALLOW_PRIVATE", "1");

/// A local HTTP receiver that refuses the first callback with 500 and
/// takes the others, passing each one on with its answer.
async fn callback_receiver() -> (String, mpsc::UnboundedReceiver<(StatusCode, Value)>) {
    let (sender, received) = mpsc::unbounded_channel();
    let refused_one = Arc::new(AtomicBool::new(false));
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (sender, refused_one) = (sender.clone(), refused_one.clone());
            async move {
                let status = match refused_one.swap(true, Ordering::SeqCst) {
                    false => StatusCode::INTERNAL_SERVER_ERROR,
                    true => StatusCode::OK,
                };
                // Fails only once the test has stopped listening.
                let _ = sender.send((status, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received)
}

/// The next callback the receiver got, with its answer; long enough for a
/// restarted server to take over an attempt a killed one left in flight.
async fn next_callback(
    received: &mut mpsc::UnboundedReceiver<(StatusCode, Value)>,
) -> (StatusCode, Value) {
    tokio::time::timeout(Duration::from_secs(40), received.recv())
        .await
        .expect("no callback arrived")
        .expect("the receiver runs as long as the test")
}

fn assert_is_the_result(body: &Value, id: &str) {
    assert_eq!(body["submission_id"], id, "{body}");
    assert_eq!(body["state"], "finished", "{body}");
    assert_eq!(body["score"], 3, "{body}");
    assert_eq!(body["result"]["summary"]["score"], 3, "{body}");
}

/// Submits SUM with `url` as its callback and waits for the receiver to
/// refuse the first attempt; the submission's id.
async fn submit_until_the_first_callback_is_refused(
    app: &TestApp,
    url: &str,
    received: &mut mpsc::UnboundedReceiver<(StatusCode, Value)>,
) -> String {
    let id = app
        .submit_accepted(
            json!({"language": "python", "code": SUM, "question_id": "sum", "user_id": "ada", "callback_url": url}),
        )
        .await;
    let (refused, first) = next_callback(received).await;
    assert_eq!(refused, StatusCode::INTERNAL_SERVER_ERROR);
    assert_is_the_result(&first, &id);
    id
}

#[tokio::test]
async fn the_callback_gets_the_result_after_a_retry() {
    let app = app_with(&[PRIVATE_CALLBACKS]).await;
    let (url, mut received) = callback_receiver().await;
    let id = submit_until_the_first_callback_is_refused(&app, &url, &mut received).await;
    let (taken, body) = next_callback(&mut received).await;
    assert_eq!(taken, StatusCode::OK);
    assert_is_the_result(&body, &id);
}

#[tokio::test]
async fn a_callback_survives_a_kill_between_finishing_and_delivering() {
    let app = app_with(&[PRIVATE_CALLBACKS]).await;
    let (url, mut received) = callback_receiver().await;
    let id = submit_until_the_first_callback_is_refused(&app, &url, &mut received).await;
    // kill -9 before the retry, due half a second after the refusal.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _app = app.restart().await;
    let (taken, body) = next_callback(&mut received).await;
    assert_eq!(
        taken,
        StatusCode::OK,
        "the retry comes from the restarted server"
    );
    assert_is_the_result(&body, &id);
}

/// An https:// receiver at `localhost` with a certificate of its own,
/// which it writes (PEM) to `trusted` for the server to trust; passes each
/// callback's body on and answers 200.
async fn https_callback_receiver(
    trusted: &std::path::Path,
) -> (String, mpsc::UnboundedReceiver<Value>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(trusted, certified.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://localhost:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let (sender, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, sender) = (acceptor.clone(), sender.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                // One request: its headers, then Content-Length bytes of body.
                let mut request = Vec::new();
                let mut buffer = [0; 8192];
                let body = loop {
                    let Ok(read) = tls.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = (head.lines())
                        .find_map(|line| {
                            line.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|n| n.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break body.to_string();
                    }
                };
                let _ = sender.send(serde_json::from_str(&body).unwrap());
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                let _ = tls.write_all(answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn a_callback_reaches_an_https_receiver() {
    let trusted = tempfile::NamedTempFile::new().unwrap();
    let (url, mut received) = https_callback_receiver(trusted.path()).await;
    let certificates = ("SSL_CERT_FILE", trusted.path().to_str().unwrap());
    let app = app_with(&[PRIVATE_CALLBACKS, certificates]).await;
    let id = app
        .submit_accepted(
            json!({"language": "python", "code": SUM, "question_id": "sum", "callback_url": url}),
        )
        .await;
    let body = tokio::time::timeout(Duration::from_secs(40), received.recv())
        .await
        .expect("no callback arrived over https")
        .unwrap();
    assert_is_the_result(&body, &id);
}

#[tokio::test]
async fn callbacks_to_private_addresses_are_refused_unless_allowed() {
    let app = app_with(&[]).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        // Special-purpose ranges that are not private but not global either.
        "http://198.18.0.1/hook",
        "http://240.0.0.1/hook",
        "http://192.0.0.8/hook",
        "http://192.88.99.1/hook",
        "http://203.0.113.5/hook",
        "http://224.0.0.1/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[2001:db8::1]/hook",
        "http://[ff02::1]/hook",
    ] {
        let (status, body) = app
            .submit(json!({"language": "python", "code": SUM, "question_id": "sum", "callback_url": url}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("callback_url"), "{body}");
    }
}

#[tokio::test]
async fn the_log_names_a_callbacks_origin_never_its_whole_url() {
    let env = [
        ("JUDGEBOX_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN),
        ("JUDGEBOX_CALLBACK_ALLOW_PRIVATE", "1"),
    ];
    let (app, logs) = TestApp::spawn_with_logs(&env).await;
    let (status, body) = app.create_question(sum_question()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Nothing listens on port 9 here: the attempt fails, and is logged.
    let url = "http://127.0.0.1:9/hook/s3cret-path?token=s3cret-query";
    let id = app
        .submit_accepted(
            json!({"language": "python", "code": SUM, "question_id": "sum", "callback_url": url}),
        )
        .await;
    app.wait_for_submission(&id).await;
    let started = Instant::now();
    while !logs
        .lines()
        .iter()
        .any(|line| line.contains("callback failed"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            logs.lines()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = logs.lines();
    assert!(
        lines.iter().any(|line| line.contains("http://127.0.0.1:9")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|line| line.contains("s3cret")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_listed_callback_host_may_be_private() {
    let app = app_with(&[("JUDGEBOX_CALLBACK_HOSTS", "example.invalid,LOCALHOST")]).await;
    let (url, mut received) = callback_receiver().await;
    let url = url.replace("127.0.0.1", "localhost");
    let id = submit_until_the_first_callback_is_refused(&app, &url, &mut received).await;
    let (taken, body) = next_callback(&mut received).await;
    assert_eq!(taken, StatusCode::OK);
    assert_is_the_result(&body, &id);
}

#[tokio::test]
async fn a_synchronous_submission_longer_than_the_lease_is_judged_once() {
    // The lease runs out three times while the program runs; the replica
    // judging it renews it, so no worker takes the submission over.
    let app = app_with(&[("JUDGEBOX_LEASE_SECONDS", "1")]).await;
    let slow = "import time\ntime.sleep(3)\na, b = map(int, input().split())\nprint(a + b)";
    let (status, body) = app
        .execute(
            json!({"language": "python", "code": slow, "question_id": "sum", "user_id": "ada"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["summary"]["score"], 3, "{body}");
    // Time for a worker to take it over, if the lease were not renewed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, list) = app.list_submissions("question_id=sum").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let submissions = list.as_array().unwrap();
    assert_eq!(submissions.len(), 1, "{list}");
    assert_eq!(submissions[0]["state"], "finished", "{list}");
    assert_eq!(submissions[0]["attempts"], 1, "judged twice: {list}");
    assert_eq!(
        submissions[0]["replica"], submissions[0]["worker"],
        "{list}"
    );
}

#[tokio::test]
async fn a_full_pool_answers_503_with_retry_after() {
    // One slot and one place to wait: of three slow requests at once, at
    // least one is turned away (idle workers may hold the slot briefly too).
    let app = app_with(&[
        ("JUDGEBOX_JUDGING_SLOTS", "1"),
        ("JUDGEBOX_MAX_WAITING", "1"),
    ])
    .await;
    let slow = json!({"language": "python", "code": "import time\ntime.sleep(2)", "stdin": ""});
    let send = || async {
        app.request(Method::POST, "/execute")
            .json(&slow)
            .send()
            .await
            .unwrap()
    };
    let responses = futures::future::join_all([send(), send(), send()]).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    let busy: Vec<_> = responses
        .into_iter()
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "{statuses:?}");
    for response in busy {
        assert_eq!(response.headers()["retry-after"], "5");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "busy");
    }
}

#[tokio::test]
async fn a_full_queue_answers_503_and_keeps_what_it_has() {
    // The deprecated name of JUDGEBOX_JUDGING_SLOTS still works.
    let app = app_with(&[
        ("JUDGEBOX_SUBMISSION_SLOTS", "1"),
        ("JUDGEBOX_MAX_QUEUED", "1"),
    ])
    .await;
    let slow = "import time\ntime.sleep(1.5)\nprint(3)";
    let request =
        json!({"language": "python", "code": slow, "question_id": "sum", "user_id": "ada"});
    let first = app.submit_accepted(request.clone()).await;
    // The worker takes the first; the second waits in the queue; the third is refused.
    app.wait_until_running(&first).await;
    let second = app.submit_accepted(request.clone()).await;
    let (status, body) = app.submit(request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    for accepted in [first, second] {
        let done = app.wait_for_submission(&accepted).await;
        assert_eq!(done["state"], "finished");
    }
}

#[tokio::test]
async fn two_replicas_share_the_queue_and_judge_each_submission_once() {
    let first = app_with(&[]).await;
    let second = first.replica(&[]).await;
    let mut ids = Vec::new();
    for i in 0..16 {
        let app = if i % 2 == 0 { &first } else { &second };
        let request = json!({"language": "python", "code": SUM, "question_id": "sum", "user_id": format!("u{i}")});
        ids.push(app.submit_accepted(request).await);
    }
    let mut workers = std::collections::HashSet::new();
    for id in &ids {
        let done = first.wait_for_submission(id).await;
        assert_eq!(done["attempts"], 1, "judged once: {done}");
        assert_eq!(done["score"], 3);
        workers.insert(done["worker"].as_str().unwrap().to_string());
    }
    assert_eq!(workers.len(), 2, "both replicas worked: {workers:?}");
}

#[tokio::test]
async fn a_submission_left_by_a_killed_replica_is_finished_after_a_restart() {
    let app = app_with(&[("JUDGEBOX_LEASE_SECONDS", "1")]).await;
    let slow = "import time\ntime.sleep(3)\nprint(3)";
    let id = app
        .submit_accepted(
            json!({"language": "python", "code": slow, "question_id": "sum", "user_id": "ada"}),
        )
        .await;
    app.wait_until_running(&id).await;
    // kill -9 mid-run; the restarted server reclaims it when the lease runs out.
    let app = app.restart().await;
    let done = app.wait_for_submission(&id).await;
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(
        done["score"], 1,
        "the slow program passes the visible test only: {done}"
    );
}

#[tokio::test]
async fn sigterm_hands_running_work_back_and_exits() {
    let mut app = app_with(&[("JUDGEBOX_SHUTDOWN_GRACE_SECONDS", "1")]).await;
    let slow = "import time\ntime.sleep(4)\nprint(3)";
    let id = app
        .submit_accepted(
            json!({"language": "python", "code": slow, "question_id": "sum", "user_id": "ada"}),
        )
        .await;
    app.wait_until_running(&id).await;
    let started = Instant::now();
    let status = app.terminate();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "it did not wait the program out"
    );
    // Handed back, so the next server judges it without waiting for a lease.
    let app = app.restart().await;
    let done = app.wait_for_submission(&id).await;
    assert_eq!(done["attempts"], 2, "{done}");
}

#[tokio::test]
async fn a_worker_without_http_judges_what_the_server_queued() {
    let app = app_with(&[("JUDGEBOX_JUDGING_SLOTS", "1")]).await;
    // The server's one slot is busy with this, so the next one stays queued.
    let slow = "import time\ntime.sleep(4)\nprint(3)";
    let busy = app
        .submit_accepted(json!({"language": "python", "code": slow, "question_id": "sum"}))
        .await;
    app.wait_until_running(&busy).await;
    let queued = app
        .submit_accepted(json!({"language": "python", "code": SUM, "question_id": "sum"}))
        .await;
    let mut worker = judgebox("worker", &app.database_url())
        .spawn()
        .expect("starting judgebox worker");
    let done = app.wait_for_submission(&queued).await;
    let replica = done["replica"].as_str().unwrap().to_string();
    // SAFETY: signalling our own child; it stops as a server does.
    unsafe { libc::kill(worker.id() as i32, libc::SIGTERM) };
    let status = worker.wait().expect("waiting for the worker");
    assert!(
        replica.contains(&format!("-{}-", worker.id())),
        "judged by the worker, not the server: {done}"
    );
    assert_eq!(done["score"], 3, "{done}");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_submission_that_always_fails_is_finished_as_internal_error_after_its_attempts() {
    let app = app_with(&[
        ("JUDGEBOX_LEASE_SECONDS", "2"),
        ("JUDGEBOX_MAX_ATTEMPTS", "3"),
    ])
    .await;
    // No way in queues a language the server does not run any more; a row
    // left by an older version or another replica can still name one.
    let id = app.insert_queued_submission("sum", "cobol").await;
    let started = Instant::now();
    let done = app.wait_for_submission(&id).await;
    assert_eq!(
        done["attempts"], 3,
        "tried exactly max-attempts times: {done}"
    );
    assert!(
        done["result"].is_null() && done["score"].is_null(),
        "{done}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a failed attempt goes back to the queue at once, not after its lease"
    );
    // The reader who made it (anonymous) learns that it failed, not why.
    let error = done["error"].as_str().expect("an error");
    assert!(
        error.contains("your teacher can see why") && !error.contains("cobol"),
        "{done}"
    );
    // The teacher sees the reason, and the verdict in the submissions list.
    let (status, seen) = app
        .send(
            Method::GET,
            &format!("/submissions/{id}"),
            Some(crate::helpers::ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let reason = seen["error"].as_str().expect("a reason");
    assert!(
        reason.contains("language cobol is not loaded") && reason.contains("3 attempts"),
        "{seen}"
    );
    let (_, page) = app
        .get_page_as_admin("/ui/admin/submissions?verdict=internal_error")
        .await;
    assert!(page.contains(&id[..8]), "listed as internal_error: {page}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("judgebox_submissions_failed_total 1"),
        "{metrics}"
    );
    // It stays finished: no worker claims it again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, again) = app.get_submission(&id).await;
    assert_eq!(
        (&again["state"], &again["attempts"]),
        (&json!("finished"), &json!(3))
    );
}

#[tokio::test]
async fn a_submission_in_a_language_the_server_does_not_run_is_never_queued() {
    let app = app_with(&[]).await;
    let (status, body) = app
        .submit(json!({"language": "cobol", "code": "x", "question_id": "sum"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_language", "{body}");
    let (_, list) = app
        .send(
            Method::GET,
            "/submissions",
            Some(crate::helpers::ADMIN_TOKEN),
            None,
        )
        .await;
    assert_eq!(list, json!([]), "nothing stored");
}
