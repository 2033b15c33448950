//! Judge0 CE 1.13.1's API, under `/judge0/` (its paths `/languages` and
//! `/submissions` are judgebox's own at the root): `about`, `config_info`,
//! `languages`, `statuses`, and submissions one by one or in batches, with
//! `base64_encoded`, `wait` and `fields`. A submission's token is the id of
//! the execution judgebox records. The API key comes in `X-Auth-Token`.
//!
//! As Judge0 does, `POST /submissions` answers at once with a token and
//! judges meanwhile (clients time out in seconds; a compile can take
//! longer); `wait=true` answers when judged. A token being judged is known
//! only to the replica judging it, until it is recorded.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{CheckedRun, ErrorShape, PeerError, ProgramRun, only_result};
use crate::api::{ApiError, AppState};
use crate::auth::Principal;
use crate::judge::{
    Given, MIN_MEMORY_MB, NonUtf8Output, RequestedLimits, Status, TestResult, signal_number,
};
use crate::languages::check_compile_flags;
use crate::package::PackageFiles;
use crate::service::{ExecutionView, Refusal};

const VERSION: &str = "1.13.1";
/// What a batch may hold, as Judge0's `max_submission_batch_size`.
const MAX_BATCH: usize = 20;
/// Judge0's bounds on what a submission may set.
const MAX_OPTION_CHARS: usize = 512;
const MAX_NUMBER_OF_RUNS: f64 = 20.0;
const MAX_WALL_TIME_LIMIT: f64 = 20.0;
const MIN_MEMORY_KB: f64 = 2048.0;

/// Judge0 CE's id, name, source file, and judgebox's language.
const LANGUAGES: [(u32, &str, &str, &str); 11] = [
    (48, "C (Clang 19, WebAssembly)", "main.c", "c"),
    (49, "C (Clang 19, WebAssembly)", "main.c", "c"),
    (50, "C (Clang 19, WebAssembly)", "main.c", "c"),
    (75, "C (Clang 19, WebAssembly)", "main.c", "c"),
    (52, "C++ (Clang 19, C++17, WebAssembly)", "main.cpp", "cpp"),
    (53, "C++ (Clang 19, C++17, WebAssembly)", "main.cpp", "cpp"),
    (54, "C++ (Clang 19, C++17, WebAssembly)", "main.cpp", "cpp"),
    (76, "C++ (Clang 19, C++17, WebAssembly)", "main.cpp", "cpp"),
    (62, "Java (OpenJDK 17)", "Main.java", "java"),
    (
        63,
        "JavaScript (QuickJS-NG, WebAssembly)",
        "script.js",
        "javascript",
    ),
    (71, "Python (3.14, WebAssembly)", "script.py", "python"),
];

/// Judge0's statuses, by id.
const STATUSES: [(u8, &str); 14] = [
    (1, "In Queue"),
    (2, "Processing"),
    (3, "Accepted"),
    (4, "Wrong Answer"),
    (5, "Time Limit Exceeded"),
    (6, "Compilation Error"),
    (7, "Runtime Error (SIGSEGV)"),
    (8, "Runtime Error (SIGXFSZ)"),
    (9, "Runtime Error (SIGFPE)"),
    (10, "Runtime Error (SIGABRT)"),
    (11, "Runtime Error (NZEC)"),
    (12, "Runtime Error (Other)"),
    (13, "Internal Error"),
    (14, "Exec Format Error"),
];

/// Every field of a submission, in Judge0's order; `fields=*` asks for all.
const FIELDS: [&str; 35] = [
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "wall_time",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
];
const DEFAULT_FIELDS: &str = "token,time,memory,stdout,stderr,compile_output,message,status";
/// Texts sent and answered in base64 when `base64_encoded=true`.
const BASE64_FIELDS: [&str; 6] = [
    "source_code",
    "stdin",
    "expected_output",
    "stdout",
    "stderr",
    "compile_output",
];

/// Where a token answered before its run was judged stands.
#[derive(Clone)]
enum Flight {
    Judging,
    Recorded(Uuid),
    /// Not judged: why, in words.
    Failed(String),
}

/// The tokens this replica answered before judging, for as long as a
/// client could poll them.
static IN_FLIGHT: LazyLock<moka::future::Cache<Uuid, Flight>> = LazyLock::new(|| {
    moka::future::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(Duration::from_secs(3600))
        .build()
});

/// Judges `run` as `principal`'s in the background; its token.
async fn judge_later(state: &AppState, principal: &Principal, run: CheckedRun) -> Uuid {
    let token = Uuid::new_v4();
    IN_FLIGHT.insert(token, Flight::Judging).await;
    let (state, principal) = (state.clone(), principal.clone());
    tokio::spawn(async move {
        let flight = match run.judge(&state, &principal).await {
            Ok(view) => Flight::Recorded(view.execution_id),
            Err(refusal) => Flight::Failed(ApiError::from(refusal).message().to_string()),
        };
        IN_FLIGHT.insert(token, flight).await;
    });
    token
}

/// The routes that run no code.
pub(super) fn other_routes() -> Router<AppState> {
    Router::new()
        .route("/judge0/about", get(about))
        .route("/judge0/config_info", get(config_info))
        .route("/judge0/languages", get(languages))
        .route("/judge0/languages/{id}", get(language))
        .route("/judge0/statuses", get(statuses))
        .route("/judge0/submissions/batch", get(show_batch))
        .route("/judge0/submissions/{token}", get(show))
}

/// The routes that run code, counted against the rate limit.
pub(super) fn code_runs() -> Router<AppState> {
    Router::new()
        .route("/judge0/submissions", post(create))
        .route("/judge0/submissions/batch", post(create_batch))
}

/// Judge0's errors are `{"error": ...}`, or a field's messages
/// (`{"cpu_time_limit": ["must be ..."]}`) with 422.
struct Judge0;

impl ErrorShape for Judge0 {
    fn body(message: &str) -> Value {
        json!({ "error": message })
    }
}

type Judge0Error = PeerError<Judge0>;

impl Judge0Error {
    fn error(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, Judge0::body(&message.into()))
    }

    fn field(field: &str, message: impl Into<String>) -> Self {
        let errors = json!({ field: [message.into()] });
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, errors)
    }
}

async fn about() -> Json<Value> {
    Json(json!({
        "version": VERSION,
        "homepage": "https://github.com/judgebox/judgebox",
        "source_code": "https://github.com/judgebox/judgebox",
        "maintainer": "judgebox (answering Judge0 CE's API)",
    }))
}

/// Every key Judge0 CE 1.13.1 answers (the SDK's `Config` requires them
/// all), with judgebox's limits where it has them.
async fn config_info(State(state): State<AppState>) -> Json<Value> {
    let policy = &state.limits;
    let default = policy.default_limits();
    let seconds = |ms: u64| ms as f64 / 1000.0;
    Json(json!({
        "maintenance_mode": false,
        "enable_wait_result": true,
        "enable_compiler_options": true,
        "allowed_languages_for_compile_options": [],
        "enable_command_line_arguments": true,
        "enable_submission_delete": false,
        "enable_callbacks": false,
        "callbacks_max_tries": 0,
        "callbacks_timeout": 0.0,
        "enable_additional_files": true,
        "max_queue_size": MAX_BATCH,
        "cpu_time_limit": seconds(default.time_ms),
        "max_cpu_time_limit": seconds(policy.max_time_ms()),
        "cpu_extra_time": 0.0,
        "max_cpu_extra_time": 5.0,
        "wall_time_limit": seconds(default.run_limits().wall_time.as_millis() as u64),
        "max_wall_time_limit": MAX_WALL_TIME_LIMIT,
        "memory_limit": default.memory_mb * 1024,
        "max_memory_limit": policy.max_memory_mb() * 1024,
        "stack_limit": 64000,
        "max_stack_limit": 128000,
        "max_processes_and_or_threads": 1,
        "max_max_processes_and_or_threads": 120,
        "enable_per_process_and_thread_time_limit": false,
        "allow_enable_per_process_and_thread_time_limit": true,
        "enable_per_process_and_thread_memory_limit": false,
        "allow_enable_per_process_and_thread_memory_limit": true,
        "max_file_size": default.output_kb,
        "max_max_file_size": policy.max_output_kb(),
        "number_of_runs": 1,
        "max_number_of_runs": MAX_NUMBER_OF_RUNS,
        "redirect_stderr_to_stdout": false,
        "max_extract_size": 10240,
        "enable_batched_submissions": true,
        "max_submission_batch_size": MAX_BATCH,
        "submission_cache_duration": 1.0,
        "use_docs_as_homepage": false,
        "allow_enable_network": false,
        "enable_network": false,
    }))
}

/// Sorted by name, as Judge0 lists them.
async fn languages() -> Json<Vec<Value>> {
    let mut languages = LANGUAGES.to_vec();
    languages.sort_by_key(|&(id, name, ..)| (name, id));
    Json(
        (languages.iter())
            .map(|(id, name, ..)| json!({ "id": id, "name": name }))
            .collect(),
    )
}

async fn language(Path(id): Path<String>) -> Result<Json<Value>, Judge0Error> {
    let found = id.parse::<u32>().ok().and_then(language_by_id);
    let Some((id, name, source_file, language)) = found else {
        return Err(Judge0Error::error(
            StatusCode::NOT_FOUND,
            format!("no language {id}"),
        ));
    };
    let (compile_cmd, run_cmd) = match language {
        "python" | "javascript" => (Value::Null, json!(format!("{language} {source_file}"))),
        "java" => (json!("javac %s Main.java"), json!("java Main")),
        _ => (json!(format!("clang %s {source_file}")), json!("./a.out")),
    };
    Ok(Json(json!({
        "id": id, "name": name, "is_archived": false, "source_file": source_file,
        "compile_cmd": compile_cmd, "run_cmd": run_cmd,
    })))
}

fn language_by_id(id: u32) -> Option<(u32, &'static str, &'static str, &'static str)> {
    LANGUAGES.iter().copied().find(|language| language.0 == id)
}

async fn statuses() -> Json<Vec<Value>> {
    let status = |&(id, description): &(u8, &str)| json!({"id": id, "description": description});
    Json(STATUSES.iter().map(status).collect())
}

#[derive(Debug, Deserialize)]
struct Options {
    base64_encoded: Option<String>,
    wait: Option<String>,
    fields: Option<String>,
    tokens: Option<String>,
}

impl Options {
    fn base64(&self) -> bool {
        self.base64_encoded.as_deref() == Some("true")
    }

    /// The fields asked for, or 400 naming those Judge0 does not have.
    fn fields(&self) -> Result<Vec<&'static str>, Judge0Error> {
        let asked = self.fields.as_deref().unwrap_or(DEFAULT_FIELDS);
        if asked.trim() == "*" {
            return Ok(FIELDS.to_vec());
        }
        let mut fields = Vec::new();
        let mut unknown = Vec::new();
        for name in asked
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            match FIELDS.iter().find(|field| **field == name) {
                Some(field) => fields.push(*field),
                None => unknown.push(name),
            }
        }
        if !unknown.is_empty() {
            return Err(Judge0Error::error(
                StatusCode::BAD_REQUEST,
                format!("invalid fields: [{}]", unknown.join(", ")),
            ));
        }
        Ok(fields)
    }
}

async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Query(options): Query<Options>,
    body: Bytes,
) -> Result<Response, Judge0Error> {
    let fields = options.fields()?;
    let request: Map<String, Value> = json_object(&body)?;
    let (program, echo) = program_run(&state, &request, options.base64())?;
    (state.service.access().run_own_tests(&principal, None)).map_err(Refusal::from)?;
    let run = program.checked(&state)?;
    let body = if options.wait.as_deref() == Some("true") {
        let judged = run.judge(&state, &principal).await?;
        submission(&judged, &echo, &fields, options.base64())
    } else {
        json!({ "token": judge_later(&state, &principal, run).await })
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn create_batch(
    State(state): State<AppState>,
    principal: Principal,
    Query(options): Query<Options>,
    body: Bytes,
) -> Result<Response, Judge0Error> {
    let request: Map<String, Value> = json_object(&body)?;
    let Some(submissions) = request.get("submissions").and_then(Value::as_array) else {
        return Err(Judge0Error::error(
            StatusCode::BAD_REQUEST,
            "there should be at least one submission in a batch",
        ));
    };
    check_batch_size(submissions.len())?;
    (state.service.access().run_own_tests(&principal, None)).map_err(Refusal::from)?;
    let mut answers = Vec::with_capacity(submissions.len());
    for submission in submissions {
        let checked = (submission.as_object())
            .ok_or_else(|| Judge0Error::field("submission", "must be an object"))
            .and_then(|request| program_run(&state, request, options.base64()))
            .and_then(|(program, _)| Ok(program.checked(&state)?));
        answers.push(match checked {
            Ok(run) => json!({ "token": judge_later(&state, &principal, run).await }),
            Err(error) => error.body,
        });
    }
    let any_created = answers.iter().any(|answer| answer.get("token").is_some());
    let status = if any_created {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(answers)).into_response())
}

/// The body, which Judge0 reads as JSON whatever its content type.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, Judge0Error> {
    serde_json::from_slice(body)
        .map_err(|_| Judge0Error::error(StatusCode::BAD_REQUEST, "the body must be a JSON object"))
}

fn check_batch_size(count: usize) -> Result<(), Judge0Error> {
    match count {
        0 => Err(Judge0Error::error(
            StatusCode::BAD_REQUEST,
            "there should be at least one submission in a batch",
        )),
        count if count > MAX_BATCH => Err(Judge0Error::error(
            StatusCode::BAD_REQUEST,
            format!("number of submissions in a batch should be less than or equal to {MAX_BATCH}"),
        )),
        _ => Ok(()),
    }
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(token): Path<String>,
    Query(options): Query<Options>,
) -> Result<Json<Value>, Judge0Error> {
    let fields = options.fields()?;
    let found = answer_for(&state, &principal, &token, &options, &fields).await?;
    let not_found = || Judge0Error::error(StatusCode::NOT_FOUND, format!("no submission {token}"));
    Ok(Json(found.ok_or_else(not_found)?))
}

async fn show_batch(
    State(state): State<AppState>,
    principal: Principal,
    Query(options): Query<Options>,
) -> Result<Json<Value>, Judge0Error> {
    let fields = options.fields()?;
    let tokens: Vec<&str> = (options.tokens.as_deref().unwrap_or_default().split(','))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .collect();
    check_batch_size(tokens.len())?;
    let mut submissions = Vec::with_capacity(tokens.len());
    for token in tokens {
        let found = answer_for(&state, &principal, token, &options, &fields).await?;
        submissions.push(found.unwrap_or(Value::Null));
    }
    Ok(Json(json!({ "submissions": submissions })))
}

/// The submission a token names as Judge0 answers it, if `principal` may
/// read it: judged (its token is then its execution's id, or maps to
/// one), or still in flight on this replica.
async fn answer_for(
    state: &AppState,
    principal: &Principal,
    token: &str,
    options: &Options,
    fields: &[&str],
) -> Result<Option<Value>, Judge0Error> {
    let Ok(token) = Uuid::parse_str(token) else {
        return Ok(None);
    };
    let id = match IN_FLIGHT.get(&token).await {
        None => token,
        Some(Flight::Recorded(id)) => id,
        Some(Flight::Judging) => return Ok(Some(unjudged(token, 2, None, fields))),
        Some(Flight::Failed(why)) => return Ok(Some(unjudged(token, 13, Some(why), fields))),
    };
    let view = (state.service.execution(principal, id).await).map_err(Refusal::from)?;
    let answer = |view: ExecutionView| {
        let mut answer = submission(&view, &Echo::of(&view), fields, options.base64());
        if let Some(shown) = answer.get_mut("token") {
            *shown = json!(token);
        }
        answer
    };
    Ok(view.map(answer))
}

/// A submission still being judged (2), or that failed to be (13).
fn unjudged(token: Uuid, status_id: u8, message: Option<String>, fields: &[&str]) -> Value {
    let description = STATUSES[usize::from(status_id) - 1].1;
    let known = |field: &str| match field {
        "token" => json!(token),
        "status_id" => json!(status_id),
        "status" => json!({ "id": status_id, "description": description }),
        "message" => json!(message),
        _ => Value::Null,
    };
    Value::Object(
        (fields.iter())
            .map(|field| (field.to_string(), known(field)))
            .collect(),
    )
}

/// What a submission said that the record does not keep, for `fields`.
#[derive(Default)]
struct Echo {
    language_id: Option<u32>,
    compiler_options: Option<String>,
    command_line_arguments: Option<String>,
    cpu_extra_time: Option<f64>,
    wall_time_limit: Option<f64>,
}

impl Echo {
    /// A recorded execution's: its language's newest Judge0 id.
    fn of(view: &ExecutionView) -> Self {
        let newest = [50, 54, 62, 63, 71]
            .into_iter()
            .find(|id| language_by_id(*id).is_some_and(|language| language.3 == view.language));
        Self {
            language_id: newest.or(Some(54)),
            ..Self::default()
        }
    }
}

/// The run a submission asks for, or 422 naming the field at fault.
fn program_run(
    state: &AppState,
    request: &Map<String, Value>,
    base64: bool,
) -> Result<(ProgramRun, Echo), Judge0Error> {
    let text = |field: &str| -> Result<Option<String>, Judge0Error> {
        let Some(value) = request.get(field).filter(|value| !value.is_null()) else {
            return Ok(None);
        };
        let text = value
            .as_str()
            .ok_or_else(|| Judge0Error::field(field, "must be a string"))?;
        if !base64 || !BASE64_FIELDS.contains(&field) {
            return Ok(Some(text.to_string()));
        }
        let bytes =
            decode_base64(text).ok_or_else(|| Judge0Error::field(field, "is not valid base64"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Judge0Error::field(field, "is not UTF-8 text once decoded"))?;
        Ok(Some(text))
    };
    let number = |field: &str| -> Result<Option<f64>, Judge0Error> {
        match request.get(field).filter(|value| !value.is_null()) {
            None => Ok(None),
            Some(value) => (value.as_f64())
                .or_else(|| value.as_str()?.trim().parse().ok())
                .map(Some)
                .ok_or_else(|| Judge0Error::field(field, "is not a number")),
        }
    };
    let flag = |field: &str| request.get(field).and_then(Value::as_bool).unwrap_or(false);
    let code = text("source_code")?
        .filter(|code| !code.trim().is_empty())
        .ok_or_else(|| Judge0Error::field("source_code", "can't be blank"))?;
    let language_id = number("language_id")?
        .ok_or_else(|| Judge0Error::field("language_id", "can't be blank"))?;
    let Some((language_id, _, _, language)) = language_by_id(language_id as u32) else {
        return Err(Judge0Error::field(
            "language_id",
            format!("language with id {language_id} doesn't exist"),
        ));
    };
    if flag("enable_network") {
        return Err(Judge0Error::field(
            "enable_network",
            "enabling network is not allowed",
        ));
    }
    if flag("redirect_stderr_to_stdout") {
        return Err(Judge0Error::field(
            "redirect_stderr_to_stdout",
            "this option cannot be enabled",
        ));
    }
    if request
        .get("callback_url")
        .is_some_and(|url| !url.is_null())
    {
        return Err(Judge0Error::field(
            "callback_url",
            "setting callback is not allowed",
        ));
    }
    let compiler_options = text("compiler_options")?;
    let command_line_arguments = text("command_line_arguments")?;
    let mut given = Given::default();
    for (field, value, words) in [
        (
            "compiler_options",
            &compiler_options,
            &mut given.compile_flags,
        ),
        (
            "command_line_arguments",
            &command_line_arguments,
            &mut given.args,
        ),
    ] {
        let Some(value) = value else { continue };
        if value.chars().count() > MAX_OPTION_CHARS {
            let message = format!("is too long (maximum is {MAX_OPTION_CHARS} characters)");
            return Err(Judge0Error::field(field, message));
        }
        *words = shlex::split(value)
            .ok_or_else(|| Judge0Error::field(field, "has unbalanced quotes"))?;
    }
    check_compile_flags(language, &given.compile_flags)
        .map_err(|message| Judge0Error::field("compiler_options", message))?;
    if let Some(files) = text("additional_files")? {
        given.files = additional_files(&files)?;
    }
    let limits = limits(state, &number)?;
    if let Some(runs) = number("number_of_runs")?
        && !(runs > 0.0 && runs <= MAX_NUMBER_OF_RUNS)
    {
        let message =
            format!("must be greater than 0 and less than or equal to {MAX_NUMBER_OF_RUNS}");
        return Err(Judge0Error::field("number_of_runs", message));
    }
    let echo = Echo {
        language_id: Some(language_id),
        compiler_options,
        command_line_arguments,
        cpu_extra_time: number("cpu_extra_time")?,
        wall_time_limit: number("wall_time_limit")?,
    };
    let run = ProgramRun {
        language,
        code,
        stdin: text("stdin")?.unwrap_or_default(),
        expected_output: text("expected_output")?,
        given,
        limits,
        non_utf8_output: NonUtf8Output::Replaced,
    };
    Ok((run, echo))
}

/// Judge0's base64: Ruby's, which takes line breaks anywhere.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// `additional_files`: a zip archive (base64, always), unpacked beside the
/// program; plain file names only.
fn additional_files(encoded: &str) -> Result<Vec<(String, Vec<u8>)>, Judge0Error> {
    let field = |message: String| Judge0Error::field("additional_files", message);
    let zip = decode_base64(encoded).ok_or_else(|| field("is not valid base64".into()))?;
    let files = PackageFiles::from_zip(&zip).map_err(field)?;
    Ok(files.into_files())
}

/// `cpu_time_limit` (seconds) and `memory_limit` (KB) as judgebox's
/// limits, within Judge0's bounds and the server's; the other limits have
/// no counterpart (see docs/peers/judge0.md) but are checked as Judge0 does.
fn limits(
    state: &AppState,
    number: &dyn Fn(&str) -> Result<Option<f64>, Judge0Error>,
) -> Result<RequestedLimits, Judge0Error> {
    let policy = &state.limits;
    let max_cpu = policy.max_time_ms() as f64 / 1000.0;
    let max_memory_kb = (policy.max_memory_mb() * 1024) as f64;
    let bounds: [(&str, f64, f64); 7] = [
        ("cpu_time_limit", 0.0, max_cpu),
        ("cpu_extra_time", 0.0, 5.0),
        ("wall_time_limit", 1.0, MAX_WALL_TIME_LIMIT),
        ("memory_limit", MIN_MEMORY_KB, max_memory_kb),
        ("stack_limit", 0.0, 128_000.0),
        ("max_processes_and_or_threads", 1.0, 120.0),
        ("max_file_size", 0.0, policy.max_output_kb() as f64),
    ];
    for (field, min, max) in bounds {
        match number(field)? {
            Some(value) if value < min => {
                return Err(Judge0Error::field(
                    field,
                    format!("must be greater than or equal to {min:?}"),
                ));
            }
            Some(value) if value > max => {
                return Err(Judge0Error::field(
                    field,
                    format!("must be less than or equal to {max:?}"),
                ));
            }
            _ => {}
        }
    }
    let time_ms = number("cpu_time_limit")?
        .filter(|seconds| *seconds > 0.0)
        .map(|seconds| ((seconds * 1000.0) as u64).max(1));
    // Judge0 allows 2 MB; the interpreters alone need more.
    let memory_mb = number("memory_limit")?
        .map(|kb| ((kb / 1024.0).ceil() as u64).clamp(MIN_MEMORY_MB, policy.max_memory_mb()));
    let output_kb = number("max_file_size")?
        .filter(|kb| *kb >= 1.0)
        .map(|kb| kb as u64);
    Ok(RequestedLimits {
        time_ms,
        memory_mb,
        output_kb,
        instruction_limit: None,
    })
}

/// Judge0's status of a judged run.
fn status(result: &TestResult) -> u8 {
    match result.status {
        Status::Accepted => 3,
        Status::WrongAnswer | Status::PartiallyAccepted => 4,
        Status::TimeLimitExceeded => 5,
        Status::CompilationError => 6,
        // Judge0's output limit is a file-size limit.
        Status::OutputLimitExceeded => 8,
        Status::RuntimeError => match result.signal.as_deref() {
            Some("SIGSEGV") => 7,
            Some("SIGXFSZ") => 8,
            Some("SIGFPE") => 9,
            Some("SIGABRT") => 10,
            Some(_) => 12,
            None => 11,
        },
        Status::MemoryLimitExceeded => 12,
        Status::InternalError | Status::Skipped => 13,
    }
}

/// A submission as Judge0 answers one, with just `fields`.
fn submission(view: &ExecutionView, echo: &Echo, fields: &[&str], base64: bool) -> Value {
    let result = only_result(view);
    let limits = &view.metadata.limits.limits;
    let status_id = status(result);
    let description = STATUSES[usize::from(status_id) - 1].1;
    let ran = !matches!(
        result.status,
        Status::CompilationError | Status::InternalError
    );
    let text = |text: &str| match text {
        "" => Value::Null,
        text if base64 => json!(encode_base64(text.as_bytes())),
        text => json!(text),
    };
    let seconds = |ms: Option<f64>| ms.filter(|_| ran).map(|ms| format!("{:.3}", ms / 1000.0));
    let finished = view.created_at
        + chrono::Duration::microseconds((view.metadata.execution_time_ms * 1000.0) as i64);
    let language = echo.language_id.and_then(language_by_id);
    let mut all: BTreeMap<&str, Value> = BTreeMap::new();
    all.insert(
        "source_code",
        view.code.as_deref().map_or(Value::Null, text),
    );
    all.insert("language_id", json!(echo.language_id));
    all.insert("stdin", text(&result.input));
    all.insert(
        "expected_output",
        result.expected_output.as_deref().map_or(Value::Null, text),
    );
    all.insert("stdout", text(&result.actual_output));
    all.insert("status_id", json!(status_id));
    all.insert("created_at", json!(timestamp(view.created_at)));
    all.insert("finished_at", json!(timestamp(finished)));
    all.insert("time", json!(seconds(result.cpu_time_ms)));
    all.insert("wall_time", json!(seconds(result.execution_time_ms)));
    let memory_kb = result
        .memory_usage_mb
        .filter(|_| ran)
        .map(|mb| (mb * 1024.0).round() as u64);
    all.insert("memory", json!(memory_kb));
    all.insert("stderr", text(&result.stderr));
    all.insert("token", json!(view.execution_id));
    all.insert("number_of_runs", json!(1));
    all.insert(
        "cpu_time_limit",
        json!(format!("{:.1}", limits.time_ms as f64 / 1000.0)),
    );
    all.insert(
        "cpu_extra_time",
        json!(format!("{:.1}", echo.cpu_extra_time.unwrap_or(0.0))),
    );
    let wall = limits.run_limits().wall_time.as_secs_f64();
    all.insert(
        "wall_time_limit",
        json!(format!("{:.1}", echo.wall_time_limit.unwrap_or(wall))),
    );
    all.insert("memory_limit", json!(limits.memory_mb * 1024));
    all.insert("stack_limit", json!(64000));
    all.insert("max_processes_and_or_threads", json!(1));
    all.insert("enable_per_process_and_thread_time_limit", json!(false));
    all.insert("enable_per_process_and_thread_memory_limit", json!(false));
    all.insert("max_file_size", json!(limits.output_kb));
    all.insert(
        "compile_output",
        view.compile_output.as_deref().map_or(Value::Null, text),
    );
    all.insert(
        "exit_code",
        json!(result.exit_code.filter(|_| ran).or(ran.then_some(0))),
    );
    let signal = result.signal.as_deref().and_then(signal_number);
    all.insert("exit_signal", json!(signal));
    all.insert(
        "message",
        result.message.as_deref().map_or(Value::Null, text),
    );
    all.insert("compiler_options", json!(echo.compiler_options));
    all.insert("command_line_arguments", json!(echo.command_line_arguments));
    all.insert("redirect_stderr_to_stdout", json!(false));
    all.insert("callback_url", Value::Null);
    all.insert("additional_files", Value::Null);
    all.insert("enable_network", json!(false));
    all.insert(
        "status",
        json!({ "id": status_id, "description": description }),
    );
    let language = language.map(|(id, name, ..)| json!({ "id": id, "name": name }));
    all.insert("language", language.unwrap_or(Value::Null));
    let mut answer = Map::new();
    for field in fields {
        answer.insert(field.to_string(), all.remove(field).unwrap_or(Value::Null));
    }
    Value::Object(answer)
}

/// Ruby's `Base64.encode64`, as Judge0 answers: a line break after every
/// 60 characters and at the end.
fn encode_base64(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut lines = String::with_capacity(encoded.len() + encoded.len() / 60 + 1);
    for chunk in encoded.as_bytes().chunks(60) {
        lines.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        lines.push('\n');
    }
    lines
}

/// Judge0's timestamps: milliseconds, UTC, `Z`.
fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
