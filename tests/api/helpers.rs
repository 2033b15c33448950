//! How the API tests talk to a server.
//!
//! - Start one: `TestApp::spawn()` runs the real `judgebox serve` binary on
//!   a random port with its own database; `spawn_with_question` also turns
//!   the admin API on (`ADMIN_TOKEN`) and creates a question.
//! - Send a request: one method per endpoint (`execute`, `submit`,
//!   `get_submission`, `create_question`, `put_contest`, ...), each returning
//!   the status and the JSON body; `run_python` and friends run code and
//!   return its result. The `/admin` methods (and `list_submissions`) send
//!   `ADMIN_TOKEN`; the others are anonymous, except those that take a
//!   `token` (`execute_as`, `get_contest`, ...), which send it when `Some`.
//!   `send` makes any request with any token.
//! - Wait: `wait_for_submission` polls a queued submission until it is
//!   judged (`wait_for_submission_as` reads it with a token).
//! - Set up contests: `new_api_key` and `add_participant` return the new
//!   secret; `minutes_from_now` makes contest times.
//! - Look inside: `database_url` names the server's database;
//!   `execute_sql` writes rows no endpoint would accept.
//! - Pages: `get_page` (anonymous) and `get_page_as_participant`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The admin token of servers started by `spawn_admin` and `spawn_with_question`.
pub const ADMIN_TOKEN: &str = "a-test-admin-token-0123456789";

/// How long a queued submission may take to be judged, or to be taken by a
/// worker, and how often to ask meanwhile.
const JUDGED_WITHIN: Duration = Duration::from_secs(60);
const TAKEN_WITHIN: Duration = Duration::from_secs(10);
const POLL_EVERY: Duration = Duration::from_millis(20);

pub struct TestApp {
    pub address: String,
    client: reqwest::Client,
    server: Child,
    data_dir: TempDir,
    database: TestDatabase,
    env: Vec<(String, String)>,
}

/// Starting and stopping servers.
impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with_env(&[]).await
    }

    /// Starts a server whose process environment also holds `env`.
    pub async fn spawn_with_env(env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("creating a temporary directory");
        let database = TestDatabase::create(data_dir.path());
        Self::start(data_dir, database, owned(env))
    }

    /// A server with the admin API on, behind `ADMIN_TOKEN`.
    pub async fn spawn_admin() -> Self {
        Self::spawn_with_env(&[("JUDGEBOX_ADMIN_TOKEN", ADMIN_TOKEN)]).await
    }

    /// A server with the admin API on, `env` in its environment, and
    /// `question` created.
    pub async fn spawn_with_question(question: Value, env: &[(&str, &str)]) -> Self {
        let env = [&[("JUDGEBOX_ADMIN_TOKEN", ADMIN_TOKEN)], env].concat();
        let app = Self::spawn_with_env(&env).await;
        let (status, body) = app.create_question(question).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app
    }

    /// A server with `env` whose log lines (stderr) are collected as they come.
    pub async fn spawn_with_logs(env: &[(&str, &str)]) -> (Self, LogLines) {
        let data_dir = tempfile::tempdir().expect("creating a temporary directory");
        let database = TestDatabase::create(data_dir.path());
        let mut app = Self::start_logged(data_dir, database, owned(env), Stdio::piped());
        let stderr = app.server.stderr.take().expect("piped stderr");
        let lines = LogLines::default();
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                collected.0.lock().unwrap().push(line);
            }
        });
        (app, lines)
    }

    /// A second server (a replica) on this one's database.
    pub async fn replica(&self, env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("creating a temporary directory");
        let database = TestDatabase::Shared(self.database.url());
        Self::start(data_dir, database, owned(env))
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
        Self::start_logged(data_dir, database, env, Stdio::inherit())
    }

    /// A server whose stderr (its logs) goes to `stderr`.
    fn start_logged(
        data_dir: TempDir,
        database: TestDatabase,
        env: Vec<(String, String)>,
        stderr: Stdio,
    ) -> Self {
        let mut server = judgebox("serve", &database.url())
            .args(["--bind", "127.0.0.1:0"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(stderr)
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

    /// The server's database: `sqlite://...` or `postgres://...`.
    pub fn database_url(&self) -> String {
        self.database.url()
    }

    /// Runs `statement` on the server's database, past every check a way
    /// in makes: to write a row as an older version or another replica may
    /// have left it.
    pub async fn execute_sql(&self, statement: &str) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url())
            .await
            .expect("connecting to the server's database");
        (sqlx::query(statement).execute(&pool).await)
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
        pool.close().await;
    }

    /// Queues an anonymous submission straight into the database (see
    /// `execute_sql`). Its id.
    pub async fn insert_queued_submission(&self, question: &str, language: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let now = chrono::Utc::now().to_rfc3339();
        self.execute_sql(&format!(
            "INSERT INTO submissions (id, question_slug, language, code, state, attempts,
                 created_at, owner)
             VALUES ('{id}', '{question}', '{language}', 'x', 'queued', 0, '{now}', 'anonymous')"
        ))
        .await;
        id
    }
}

/// The endpoints, one method each: the status and the JSON body (`Null`
/// when empty).
impl TestApp {
    pub async fn execute(&self, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, "/execute", None, Some(body)).await
    }

    /// POST /execute with a body that need not be JSON.
    pub async fn execute_raw(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        let request = self
            .request(Method::POST, "/execute")
            .header("content-type", content_type)
            .body(body);
        read(request.send().await.expect("POST /execute failed")).await
    }

    /// POST /execute with `token` (anonymous when `None`).
    pub async fn execute_as(&self, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, "/execute", token, Some(body)).await
    }

    pub async fn submit(&self, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, "/submissions", None, Some(body))
            .await
    }

    /// POST /submissions with `token` (anonymous when `None`).
    pub async fn submit_as(&self, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, "/submissions", token, Some(body))
            .await
    }

    pub async fn get_submission(&self, id: &str) -> (StatusCode, Value) {
        self.get(&format!("/submissions/{id}")).await
    }

    pub async fn get_submission_as(&self, id: &str, token: Option<&str>) -> (StatusCode, Value) {
        let path = format!("/submissions/{id}");
        self.send(Method::GET, &path, token, None).await
    }

    /// GET /submissions?`query`, e.g. `user_id=ada&limit=2`, as an admin.
    pub async fn list_submissions(&self, query: &str) -> (StatusCode, Value) {
        let path = format!("/submissions?{query}");
        self.admin(Method::GET, &path, None).await
    }

    pub async fn get_execution(&self, id: &str) -> (StatusCode, Value) {
        self.get(&format!("/executions/{id}")).await
    }

    pub async fn get_execution_as(&self, id: &str, token: Option<&str>) -> (StatusCode, Value) {
        let path = format!("/executions/{id}");
        self.send(Method::GET, &path, token, None).await
    }

    pub async fn list_questions(&self) -> (StatusCode, Value) {
        self.get("/questions").await
    }

    /// A question as students see it: no hidden tests.
    pub async fn get_question(&self, slug: &str) -> (StatusCode, Value) {
        self.get(&format!("/questions/{slug}")).await
    }

    pub async fn scoreboard(&self, slug: &str) -> (StatusCode, Value) {
        self.get(&format!("/questions/{slug}/scoreboard")).await
    }

    /// GET /contests: the contests `token`'s holder may see.
    pub async fn list_contests(&self, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, "/contests", token, None).await
    }

    pub async fn get_contest(&self, slug: &str, token: Option<&str>) -> (StatusCode, Value) {
        let path = format!("/contests/{slug}");
        self.send(Method::GET, &path, token, None).await
    }

    pub async fn contest_scoreboard(&self, slug: &str, token: Option<&str>) -> (StatusCode, Value) {
        let path = format!("/contests/{slug}/scoreboard");
        self.send(Method::GET, &path, token, None).await
    }

    pub async fn languages(&self) -> (StatusCode, Value) {
        self.get("/languages").await
    }

    pub async fn health(&self) -> (StatusCode, Value) {
        self.get("/healthz").await
    }

    pub async fn readiness(&self) -> (StatusCode, Value) {
        self.get("/readyz").await
    }

    /// The OpenAPI document.
    pub async fn openapi(&self) -> (StatusCode, Value) {
        self.get("/openapi.json").await
    }

    // The admin endpoints send `ADMIN_TOKEN`.

    pub async fn create_question(&self, question: Value) -> (StatusCode, Value) {
        self.admin(Method::POST, "/admin/questions", Some(question))
            .await
    }

    /// A question as teachers see it: hidden tests included.
    pub async fn get_question_as_admin(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}");
        self.admin(Method::GET, &path, None).await
    }

    /// Replaces the whole question.
    pub async fn put_question(&self, slug: &str, question: Value) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}");
        self.admin(Method::PUT, &path, Some(question)).await
    }

    pub async fn delete_question(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}");
        self.admin(Method::DELETE, &path, None).await
    }

    pub async fn add_test_case(&self, slug: &str, test: Value) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}/test-cases");
        self.admin(Method::POST, &path, Some(test)).await
    }

    /// Deletes test case `number` (counted from 1).
    pub async fn delete_test_case(&self, slug: &str, number: u32) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}/test-cases/{number}");
        self.admin(Method::DELETE, &path, None).await
    }

    /// Judges the question's reference solutions and records the limits they give.
    pub async fn calibrate(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}/calibrate");
        self.admin(Method::POST, &path, None).await
    }

    /// Imports a zipped problem package as `slug`; `query` as the
    /// endpoint takes it (`strict=true`), or empty.
    pub async fn import_package(
        &self,
        slug: &str,
        zip: Vec<u8>,
        query: &str,
    ) -> (StatusCode, Value) {
        let path = format!("/admin/questions/{slug}/package?{query}");
        let request = (self.request(Method::PUT, &path))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "application/zip")
            .body(zip);
        read(request.send().await.expect("PUT package failed")).await
    }

    /// The question as a zipped Kattis package.
    pub async fn export_package(&self, slug: &str) -> (StatusCode, Vec<u8>) {
        let path = format!("/admin/questions/{slug}/package");
        let response = (self
            .request(Method::GET, &path)
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await)
            .expect("GET package failed");
        let status = response.status();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// `role`: `admin` or `service`. The answer holds the `key`, shown only here.
    pub async fn create_api_key(&self, name: &str, role: &str) -> (StatusCode, Value) {
        let body = json!({"name": name, "role": role});
        self.admin(Method::POST, "/admin/api-keys", Some(body))
            .await
    }

    pub async fn list_api_keys(&self) -> (StatusCode, Value) {
        self.admin(Method::GET, "/admin/api-keys", None).await
    }

    /// Revokes the key.
    pub async fn delete_api_key(&self, id: &str) -> (StatusCode, Value) {
        let path = format!("/admin/api-keys/{id}");
        self.admin(Method::DELETE, &path, None).await
    }

    /// Creates (201) or replaces (200) the contest.
    pub async fn put_contest(&self, slug: &str, contest: Value) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}");
        self.admin(Method::PUT, &path, Some(contest)).await
    }

    pub async fn get_contest_as_admin(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}");
        self.admin(Method::GET, &path, None).await
    }

    pub async fn list_contests_as_admin(&self) -> (StatusCode, Value) {
        self.admin(Method::GET, "/admin/contests", None).await
    }

    pub async fn delete_contest(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}");
        self.admin(Method::DELETE, &path, None).await
    }

    /// `participants`: `[{"user_id", "name"}]`. The answer holds their tokens,
    /// shown only here.
    pub async fn add_participants(&self, slug: &str, participants: Value) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}/participants");
        self.admin(Method::POST, &path, Some(participants)).await
    }

    /// The same from CSV text (`user_id,name` lines), sent as `text/csv`.
    pub async fn add_participants_csv(&self, slug: &str, csv: &str) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}/participants");
        let request = self
            .request(Method::POST, &path)
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "text/csv")
            .body(csv.to_string());
        read(request.send().await.expect("POST participants failed")).await
    }

    pub async fn list_participants(&self, slug: &str) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}/participants");
        self.admin(Method::GET, &path, None).await
    }

    /// Removes the participant; their token stops working.
    pub async fn delete_participant(&self, slug: &str, user_id: &str) -> (StatusCode, Value) {
        let path = format!("/admin/contests/{slug}/participants/{user_id}");
        self.admin(Method::DELETE, &path, None).await
    }

    /// `what`: `{"submission_id"}`, `{"question"}`, `{"contest"}` or a
    /// contest and a question.
    pub async fn rejudge(&self, what: Value) -> (StatusCode, Value) {
        self.admin(Method::POST, "/admin/rejudges", Some(what))
            .await
    }

    pub async fn rejudge_progress(&self, id: &str) -> (StatusCode, Value) {
        let path = format!("/admin/rejudges/{id}");
        self.admin(Method::GET, &path, None).await
    }

    /// Polls until the rejudge has judged all it queued; its progress.
    pub async fn wait_for_rejudge(&self, id: &str) -> Value {
        let deadline = Instant::now() + JUDGED_WITHIN;
        loop {
            let (status, progress) = self.rejudge_progress(id).await;
            assert_eq!(status, StatusCode::OK, "{progress}");
            if progress["finished"] == true {
                return progress;
            }
            assert!(Instant::now() < deadline, "rejudge not done: {progress}");
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send(method, path, Some(ADMIN_TOKEN), body).await
    }

    /// A web page (no token, no cookie): the status and the HTML.
    pub async fn get_page(&self, path: &str) -> (StatusCode, String) {
        let response = (self.request(Method::GET, path).send().await)
            .unwrap_or_else(|error| panic!("GET {path} failed: {error}"));
        (response.status(), response.text().await.unwrap_or_default())
    }

    /// A web page as the participant with `join_token` sees it, signed in
    /// through their join link: the status and the HTML.
    pub async fn get_page_as_participant(
        &self,
        join_token: &str,
        path: &str,
    ) -> (StatusCode, String) {
        self.participant_session(join_token).await.get(path).await
    }

    /// A web page as a signed-in teacher sees it: the status and the HTML.
    pub async fn get_page_as_admin(&self, path: &str) -> (StatusCode, String) {
        self.teacher_session().await.get(path).await
    }

    /// The pages as the participant with `join_token`, signed in through
    /// their join link.
    pub async fn participant_session(&self, join_token: &str) -> PageSession {
        PageSession::start(&self.address, &format!("/ui/join/{join_token}"), &[]).await
    }

    /// The pages as a teacher, signed in with `ADMIN_TOKEN`.
    pub async fn teacher_session(&self) -> PageSession {
        PageSession::start(&self.address, "/ui/signin", &[("token", ADMIN_TOKEN)]).await
    }

    /// `GET /metrics`: the Prometheus text.
    pub async fn metrics(&self) -> String {
        let response = self.request(Method::GET, "/metrics").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        response.text().await.unwrap()
    }

    /// Jobe's `POST runs`, with the headers CodeRunner sends (`X-API-KEY`
    /// when `key` is `Some`).
    pub async fn jobe_run(&self, key: Option<&str>, run_spec: Value) -> (StatusCode, Value) {
        let request = self.jobe_request(Method::POST, "runs", key);
        read(
            request
                .json(&json!({ "run_spec": run_spec }))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Jobe's `PUT files/{id}`: `contents` in base64.
    pub async fn jobe_put_file(&self, key: Option<&str>, id: &str, contents: &str) -> StatusCode {
        let body = json!({ "file_contents": BASE64.encode(contents) });
        let request = self.jobe_request(Method::PUT, &format!("files/{id}"), key);
        request.json(&body).send().await.unwrap().status()
    }

    /// Jobe's `HEAD files/{id}`.
    pub async fn jobe_file_exists(&self, key: Option<&str>, id: &str) -> StatusCode {
        let request = self.jobe_request(Method::HEAD, &format!("files/{id}"), key);
        request.send().await.unwrap().status()
    }

    fn jobe_request(
        &self,
        method: Method,
        resource: &str,
        key: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let path = format!("/jobe/index.php/restapi/{resource}");
        let request = self
            .request(method, &path)
            .header("User-Agent", "CodeRunner");
        match key {
            Some(key) => request.header("X-API-KEY", key),
            None => request,
        }
    }

    /// Judge0's `POST /submissions?{query}`.
    pub async fn judge0_submit(&self, query: &str, body: Value) -> (StatusCode, Value) {
        let path = format!("/judge0/submissions?{query}");
        self.send(Method::POST, &path, None, Some(body)).await
    }

    /// Piston's `POST /api/v2/execute`, with no content type, as
    /// `piston-client` sends it.
    pub async fn piston_execute(&self, body: Value) -> (StatusCode, Value) {
        let request = self
            .request(Method::POST, "/api/v2/execute")
            .body(body.to_string());
        read(request.send().await.unwrap()).await
    }

    /// Any GET, for paths no endpoint method covers.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None, None).await
    }

    /// Any request; `token` goes in `Authorization: Bearer`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method.clone(), path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path} failed: {error}"));
        read(response).await
    }

    /// A request to finish and send yourself: for headers the methods above
    /// neither set nor return.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
    }
}

/// The log lines a server wrote so far.
#[derive(Clone, Default)]
pub struct LogLines(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl LogLines {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The `judgebox` binary for `subcommand` (`serve`, `worker`) on
/// `database_url`, with the checkout's runtimes and a sandbox uid range of
/// this test process's own.
pub fn judgebox(subcommand: &str, database_url: &str) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runtimes = root.join("runtimes/build");
    let mut command = Command::new(env!("CARGO_BIN_EXE_judgebox"));
    command
        .arg(subcommand)
        .arg("--database-url")
        .arg(database_url)
        .arg("--runtimes-dir")
        .arg(&runtimes)
        .arg("--cache-dir")
        .arg(runtimes.join("cache"))
        .arg("--sandbox-first-uid")
        .arg(own_uid_range().to_string())
        .env("RUST_LOG", "warn")
        // Tests send far more than a student would; rate-limit tests set it.
        .env("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "0");
    command
}

/// Running code through POST /execute, which must answer 200.
impl TestApp {
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

    /// Judges `code` on the stored question `slug` now; the whole answer.
    pub async fn judge_on_question(&self, slug: &str, language: &str, code: &str) -> Value {
        let (status, body) = self
            .execute(json!({"language": language, "code": code, "question_id": slug}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
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

/// Identities and contests, through the admin API, which must succeed.
impl TestApp {
    /// A new API key with `role` (`admin` or `service`); the key.
    pub async fn new_api_key(&self, role: &str) -> String {
        let (status, body) = self.create_api_key(&format!("a {role} key"), role).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["key"].as_str().unwrap().to_string()
    }

    /// Adds `user_id` to contest `slug`; their token.
    pub async fn add_participant(&self, slug: &str, user_id: &str) -> String {
        let participants = json!([{"user_id": user_id, "name": format!("Student {user_id}")}]);
        let (status, body) = self.add_participants(slug, participants).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["participants"][0]["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A moment `minutes` from now (before it, if negative), in RFC 3339 to
/// the second, as contests' `starts_at` and `ends_at` take it.
pub fn minutes_from_now(minutes: i64) -> String {
    let moment = chrono::Utc::now() + chrono::Duration::minutes(minutes);
    moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Queued submissions: submitting one, and waiting for its worker.
impl TestApp {
    /// POST /submissions, which must accept it (202); its id.
    pub async fn submit_accepted(&self, body: Value) -> String {
        let (status, body) = self.submit(body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["submission_id"].as_str().unwrap().to_string()
    }

    /// Polls until the submission is judged; it as GET /submissions/{id}
    /// returns it (anonymously: for submissions made anonymously).
    pub async fn wait_for_submission(&self, id: &str) -> Value {
        self.wait_for_state(id, None, "finished", JUDGED_WITHIN)
            .await
    }

    /// `wait_for_submission`, reading it with `token`.
    pub async fn wait_for_submission_as(&self, id: &str, token: Option<&str>) -> Value {
        self.wait_for_state(id, token, "finished", JUDGED_WITHIN)
            .await
    }

    /// Polls until a worker has taken the submission.
    pub async fn wait_until_running(&self, id: &str) {
        self.wait_for_state(id, None, "running", TAKEN_WITHIN).await;
    }

    async fn wait_for_state(
        &self,
        id: &str,
        token: Option<&str>,
        state: &str,
        within: Duration,
    ) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self.get_submission_as(id, token).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if body["state"] == state {
                return body;
            }
            assert!(
                started.elapsed() < within,
                "not {state} within {within:?}: {body}"
            );
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
}

/// Signed in to the pages without a browser: a session cookie.
pub struct PageSession {
    client: reqwest::Client,
    address: String,
    cookie: String,
}

impl PageSession {
    /// Signs in by posting `form` to `path` (not following the redirect).
    async fn start(address: &str, path: &str, form: &[(&str, &str)]) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signed_in = (client
            .post(format!("{address}{path}"))
            .form(form)
            .send()
            .await)
            .unwrap_or_else(|error| panic!("POST {path} failed: {error}"));
        let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        Self {
            client,
            address: address.to_string(),
            cookie,
        }
    }

    /// A page: the status and the HTML.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let url = format!("{}{path}", self.address);
        let response = (self
            .client
            .get(url)
            .header("cookie", &self.cookie)
            .send()
            .await)
            .unwrap_or_else(|error| panic!("GET {path} failed: {error}"));
        (response.status(), response.text().await.unwrap_or_default())
    }

    /// POSTs `body` as JSON the way the pages' script does, with the CSRF
    /// token that `page` carries: the status and the JSON answer.
    pub async fn post_json(&self, page: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let csrf = self.csrf_token(page).await;
        let url = format!("{}{path}", self.address);
        let response = (self.client.post(url))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("POST {path} failed: {error}"));
        read(response).await
    }

    /// Submits `fields` to `path` as a form, with the CSRF token that
    /// `page` carries: the status and the HTML answer.
    pub async fn post_form(
        &self,
        page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let csrf = self.csrf_token(page).await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        let url = format!("{}{path}", self.address);
        let response = (self.client.post(url))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap_or_else(|error| panic!("POST {path} failed: {error}"));
        (response.status(), response.text().await.unwrap_or_default())
    }

    /// The CSRF token `page` carries.
    async fn csrf_token(&self, page: &str) -> String {
        let (_, html) = self.get(page).await;
        (html.split("name=\"csrf-token\" content=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{page} carries no CSRF token"))
            .to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

// What the above is built on; tests need not read on.

fn owned(env: &[(&str, &str)]) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
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

/// Each test's status in an execution, in order.
pub fn statuses(execution: &Value) -> Vec<String> {
    (execution["test_results"].as_array().unwrap().iter())
        .map(|test| test["status"].as_str().unwrap().to_string())
        .collect()
}
