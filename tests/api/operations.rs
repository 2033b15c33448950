//! What operators watch and how the service scales: `/metrics`, request ids
//! and JSON logs, and socket activation with idle exit.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, TestApp, judgebox};

/// The value of the sample of `name` with all of `labels`; 0 if there is none.
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    metrics
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .filter(|line| {
            (labels.iter()).all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

#[tokio::test]
async fn metrics_move_with_judgements_compiles_and_refusals() {
    let app = TestApp::spawn_with_env(&[("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "4")]).await;
    let before = app.metrics().await;
    app.judge_python("print(1)", &[("", "1")], json!({})).await;
    app.judge_python("print(2)", &[("", "1")], json!({})).await;
    // New source, so the first compile is a miss and the second is remembered.
    let cpp = format!(
        "// {:?}\n#include <cstdio>\nint main() {{ puts(\"1\"); }}\n",
        Instant::now()
    );
    app.judge_code("cpp", &cpp, &[("", "1")], json!({})).await;
    app.judge_code("cpp", &cpp, &[("", "1")], json!({})).await;
    let (refused, _) = app
        .execute(json!({"language": "python", "code": "print(1)"}))
        .await;
    assert_eq!(refused, StatusCode::TOO_MANY_REQUESTS);
    let after = app.metrics().await;

    let moved = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    let python = ("language", "python");
    let judgements = "judgebox_judgements_total";
    assert_eq!(
        moved(judgements, &[python, ("verdict", "accepted")]),
        1.0,
        "{after}"
    );
    assert_eq!(
        moved(judgements, &[python, ("verdict", "wrong_answer")]),
        1.0,
        "{after}"
    );
    assert_eq!(
        moved(judgements, &[("language", "cpp"), ("verdict", "accepted")]),
        2.0
    );
    let cache = "judgebox_compile_cache_total";
    assert_eq!(
        moved(cache, &[("language", "cpp"), ("result", "miss")]),
        1.0,
        "{after}"
    );
    assert_eq!(
        moved(cache, &[("language", "cpp"), ("result", "memory")]),
        1.0,
        "{after}"
    );
    let compiles = "judgebox_compile_duration_seconds_count";
    assert_eq!(moved(compiles, &[("language", "cpp")]), 1.0, "{after}");
    let judged = "judgebox_judge_duration_seconds_count";
    assert_eq!(moved(judged, &[python]), 2.0, "{after}");
    let execute_ok = [("route", "/execute"), ("method", "POST"), ("status", "200")];
    assert_eq!(
        moved("judgebox_http_requests_total", &execute_ok),
        4.0,
        "{after}"
    );
    assert_eq!(
        moved("judgebox_requests_refused_total", &[("status", "429")]),
        1.0
    );
    assert_eq!(
        sample(
            &after,
            "judgebox_sandbox_layer_active",
            &[("layer", "webassembly")]
        ),
        1.0
    );
    assert!(
        sample(&after, "judgebox_judging_slots", &[("state", "total")]) >= 1.0,
        "{after}"
    );
    assert!(
        after.contains("judgebox_submissions{state=\"queued\"} 0"),
        "{after}"
    );
    assert!(
        after.contains("judgebox_judging_slots{state=\"in_use\"}"),
        "{after}"
    );
}

async fn request_id(app: &TestApp, sent: Option<&str>) -> String {
    let mut request = app.request(Method::GET, "/healthz");
    if let Some(id) = sent {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_log_line_of_a_request_is_json_and_carries_its_id() {
    let env = [
        ("JUDGEBOX_LOG_FORMAT", "json"),
        ("RUST_LOG", "judgebox=debug"),
        ("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "1"),
    ];
    let (app, logs) = TestApp::spawn_with_logs(&env).await;
    assert_eq!(request_id(&app, Some("trace-42")).await, "trace-42");
    let generated = request_id(&app, None).await;
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    let injected = request_id(&app, Some("two words\" and a quote")).await;
    assert!(uuid::Uuid::parse_str(&injected).is_ok(), "{injected}");
    let too_long = "x".repeat(500);
    assert_ne!(request_id(&app, Some(&too_long)).await, too_long);
    // The second is refused by the rate limit: by design, not an error.
    for id in ["judge-1", "judge-2"] {
        let response = (app.request(Method::POST, "/execute"))
            .header("x-request-id", id)
            .json(&json!({"language": "python", "code": "print(1)"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], id);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let lines: Vec<Value> = (logs.lines().iter())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let of = |id: &str| {
        (lines.iter())
            .filter(|line| line["span"]["request_id"] == id)
            .count()
    };
    assert!(of("trace-42") >= 1, "{lines:#?}");
    assert!(of("judge-1") >= 1, "{lines:#?}");
    assert!(of("judge-2") >= 1, "{lines:#?}");
    let errors: Vec<_> = lines.iter().filter(|l| l["level"] == "ERROR").collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Plays systemd's part in socket activation: holds the listening socket
/// and starts `judgebox serve` on it (`LISTEN_FDS`) whenever a connection
/// waits and no server runs.
struct SocketActivation {
    address: String,
    starts: Arc<AtomicU32>,
    running: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
}

impl SocketActivation {
    fn start(database_url: String, env: &'static [(&'static str, &'static str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let activation = Self {
            address: format!("http://{}", listener.local_addr().unwrap()),
            starts: Arc::default(),
            running: Arc::default(),
            stopping: Arc::default(),
        };
        let (starts, running, stopping) = (
            activation.starts.clone(),
            activation.running.clone(),
            activation.stopping.clone(),
        );
        std::thread::spawn(move || {
            let fd = listener.as_raw_fd();
            while !stopping.load(Ordering::SeqCst) {
                let mut waiting = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                if unsafe { libc::poll(&mut waiting, 1, 100) } < 1 {
                    continue;
                }
                let mut server = judgebox("serve", &database_url);
                server
                    .env("LISTEN_FDS", "1")
                    .envs(env.iter().copied())
                    .stdout(Stdio::piped());
                // SAFETY: only dup2, which is async-signal-safe, between fork and exec.
                unsafe {
                    server.pre_exec(move || match libc::dup2(fd, 3) {
                        -1 => Err(std::io::Error::last_os_error()),
                        _ => Ok(()),
                    });
                }
                running.store(true, Ordering::SeqCst);
                let mut server = server.spawn().expect("starting judgebox serve");
                starts.fetch_add(1, Ordering::SeqCst);
                let mut line = String::new();
                let stdout = server.stdout.take().unwrap();
                BufReader::new(stdout).read_line(&mut line).unwrap();
                assert!(line.starts_with("judgebox listening on"), "{line:?}");
                assert!(server.wait().unwrap().success());
                running.store(false, Ordering::SeqCst);
            }
        });
        activation
    }

    fn starts(&self) -> u32 {
        self.starts.load(Ordering::SeqCst)
    }

    /// Waits until the server has exited by itself.
    async fn wait_for_exit(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.running.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the server never went idle");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SocketActivation {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn under_socket_activation_the_server_exits_when_idle_and_starts_again() {
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", data_dir.path().join("judgebox.db").display());
    let env = &[
        ("JUDGEBOX_IDLE_EXIT_SECONDS", "1"),
        ("JUDGEBOX_ADMIN_TOKEN", ADMIN_TOKEN),
    ];
    let activation = SocketActivation::start(database_url, env);
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", activation.address);

    // The first connection starts the server, which answers it.
    let question = json!({"slug": "echo", "title": "Echo",
        "test_cases": [{"input": "1", "expected_output": "1"}]});
    let created = (client.post(url("/admin/questions")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&question)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(activation.starts(), 1);

    // Queued work keeps it up until it is judged.
    let slow = "import time\ntime.sleep(2)\nprint(input())";
    let submitted = (client.post(url("/submissions")))
        .json(&json!({"language": "python", "code": slow, "question_id": "echo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    let id = submitted.json::<Value>().await.unwrap()["submission_id"]
        .as_str()
        .unwrap()
        .to_string();
    activation.wait_for_exit().await;
    assert_eq!(activation.starts(), 1, "one server judged it and went idle");

    // After the idle exit, the next request starts it again and is answered.
    let read = client
        .get(url(&format!("/submissions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let submission: Value = read.json().await.unwrap();
    assert_eq!(submission["state"], "finished", "{submission}");
    assert_eq!(submission["score"], 1, "{submission}");
    assert_eq!(activation.starts(), 2);
}
