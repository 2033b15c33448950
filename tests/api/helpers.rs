//! Spawns the real `judgebox serve` binary on a random port with its own
//! SQLite database, and talks to it over HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    server: Child,
    data_dir: TempDir,
    database: TestDatabase,
    env: Vec<(String, String)>,
}

/// The database a test server uses: a SQLite file in its data directory, or,
/// when `JUDGEBOX_TEST_POSTGRES_URL` names a PostgreSQL server (any database
/// on it), a fresh database there, dropped with the app.
enum TestDatabase {
    Sqlite(String),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another app's database (that app drops it).
    Shared(String),
}

impl TestDatabase {
    fn create(data_dir: &Path) -> Self {
        let Ok(admin_url) = std::env::var("JUDGEBOX_TEST_POSTGRES_URL") else {
            let file = data_dir.join("judgebox.db");
            return Self::Sqlite(format!("sqlite://{}", file.display()));
        };
        let name = format!("judgebox_test_{}", uuid::Uuid::new_v4().simple());
        psql(&admin_url, &format!("CREATE DATABASE {name}"));
        Self::Postgres { admin_url, name }
    }

    fn url(&self) -> String {
        match self {
            Self::Sqlite(url) | Self::Shared(url) => url.clone(),
            // The admin URL with its database replaced by ours.
            Self::Postgres { admin_url, name } => {
                let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
                let (server, _) = base.rsplit_once('/').expect("a URL with a path");
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{query}")
                };
                format!("{server}/{name}{query}")
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self {
            psql(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn psql(url: &str, statement: &str) {
    let status = Command::new("psql")
        .args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement])
        .stdout(Stdio::null())
        .status()
        .expect("running psql");
    assert!(status.success(), "psql failed: {statement}");
}

/// Servers running at once each get their own slot uids, as replicas on one
/// host must: processes of one uid share its RLIMIT_NPROC.
fn own_uid_range() -> u32 {
    static STARTED: AtomicU32 = AtomicU32::new(0);
    61_000 + 16 * (STARTED.fetch_add(1, Ordering::Relaxed) % 200)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with_env(&[]).await
    }

    /// Starts a server whose process environment also holds `env`.
    pub async fn spawn_with_env(env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("creating a temporary directory");
        let database = TestDatabase::create(data_dir.path());
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Self::start(data_dir, database, env)
    }

    /// A second server (a replica) on this one's database.
    pub async fn replica(&self, env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("creating a temporary directory");
        let database = TestDatabase::Shared(self.database.url());
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Self::start(data_dir, database, env)
    }

    /// Sends SIGTERM and waits for the server to exit; its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.server.id() as i32, libc::SIGTERM) };
        self.server.wait().expect("waiting for the server")
    }

    /// Stops the server (SIGKILL, nothing flushed on purpose) and starts a new
    /// one on the same database.
    pub async fn restart(mut self) -> Self {
        self.server.kill().expect("killing the server");
        self.server.wait().expect("reaping the server");
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        let database = std::mem::replace(&mut self.database, TestDatabase::Sqlite(String::new()));
        Self::start(data_dir, database, std::mem::take(&mut self.env))
    }

    fn start(data_dir: TempDir, database: TestDatabase, env: Vec<(String, String)>) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let runtimes = root.join("runtimes/build");
        let mut server = Command::new(env!("CARGO_BIN_EXE_judgebox"))
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .arg("--database-url")
            .arg(database.url())
            .arg("--runtimes-dir")
            .arg(&runtimes)
            .arg("--cache-dir")
            .arg(runtimes.join("cache"))
            .arg("--sandbox-first-uid")
            .arg(own_uid_range().to_string())
            .env("RUST_LOG", "warn")
            // Tests send far more than a student would; rate-limit tests set it.
            .env("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "0")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting judgebox serve");
        let address = listening_address(&mut server);
        Self {
            address,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            server,
            data_dir,
            database,
            env,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET failed");
        read(response).await
    }

    /// Any request; `token` goes in `Authorization: Bearer`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request failed")).await
    }

    pub async fn execute(&self, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/execute", self.address))
            .json(&body)
            .send()
            .await
            .expect("POST /execute failed");
        read(response).await
    }

    pub async fn execute_raw(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/execute", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST /execute failed");
        read(response).await
    }

    /// Runs `code` once as a playground run with `stdin`; returns its only test result.
    pub async fn run_code(&self, language: &str, code: &str, stdin: &str) -> Value {
        let (status, body) = self
            .execute(json!({"language": language, "code": code, "stdin": stdin}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["test_results"][0].clone()
    }

    /// Runs `code` once, without judging its output, under `limits`.
    pub async fn run_with_limits(&self, language: &str, code: &str, limits: Value) -> Value {
        let request = json!({"language": language, "code": code, "limits": limits});
        let (status, body) = self.execute(request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["test_results"][0].clone()
    }

    pub async fn run_python(&self, code: &str, stdin: &str) -> Value {
        self.run_code("python", code, stdin).await
    }

    /// Judges `code` against (input, expected output) pairs with extra request fields.
    pub async fn judge_code(
        &self,
        language: &str,
        code: &str,
        tests: &[(&str, &str)],
        extra: Value,
    ) -> Value {
        let test_cases: Vec<Value> = tests
            .iter()
            .map(|(input, expected)| json!({"input": input, "expected_output": expected}))
            .collect();
        let mut body = json!({
            "language": language, "code": code, "test_cases": test_cases,
            "user_id": "student_1", "question_id": "q1",
        });
        for (key, value) in extra.as_object().into_iter().flatten() {
            body[key] = value.clone();
        }
        let (status, body) = self.execute(body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn judge_python(&self, code: &str, tests: &[(&str, &str)], extra: Value) -> Value {
        self.judge_code("python", code, tests, extra).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("reading the body");
    if text.is_empty() {
        return (status, Value::Null);
    }
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text:?}"));
    (status, body)
}

fn listening_address(server: &mut Child) -> String {
    let stdout = server.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading the server's first line");
    let address = line
        .trim()
        .strip_prefix("judgebox listening on ")
        .unwrap_or_else(|| panic!("the server did not start: {line:?}"));
    address.to_string()
}
