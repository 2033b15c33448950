//! Jobe's REST API (the sandbox behind Moodle's CodeRunner), under
//! `/jobe/index.php/restapi/`: `GET languages`, `POST runs`, and the file
//! cache (`PUT`/`HEAD files/{id}`). Answers are Jobe's: a run is always 200
//! with an `outcome`, errors are JSON strings in Jobe's words, and a run
//! naming a file not stored is 404, which is how CodeRunner knows to upload
//! it. The API key comes in `X-API-KEY`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Router, extract::Path};
use base64::Engine;
use serde_json::{Value, json};

use super::{ErrorShape, PeerError, ProgramRun, only_result};
use crate::api::AppState;
use crate::auth::Principal;
use crate::judge::{Given, MIN_MEMORY_MB, NonUtf8Output, RequestedLimits, Status};
use crate::service::{ExecutionView, Refusal};

const PREFIX: &str = "/jobe/index.php/restapi";

/// Jobe's name, judgebox's, and the version `GET languages` shows.
const LANGUAGES: [(&str, &str, &str); 5] = [
    ("c", "c", "19.1"),
    ("cpp", "cpp", "19.1"),
    ("java", "java", "17"),
    ("nodejs", "javascript", "0.10"),
    ("python3", "python", "3.14"),
];

/// Jobe's outcomes.
const COMPILE_ERROR: u8 = 11;
const RUNTIME_ERROR: u8 = 12;
const TIME_LIMIT: u8 = 13;
const SUCCESS: u8 = 15;
const MEMORY_LIMIT: u8 = 17;
const INTERNAL_ERROR: u8 = 20;
const SERVER_OVERLOAD: u8 = 21;

/// The routes that run no code.
pub(super) fn other_routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{PREFIX}/languages"), get(languages))
        .route(&format!("{PREFIX}/languages/"), get(languages))
        .route(
            &format!("{PREFIX}/files/{{id}}"),
            put(put_file).head(file_exists),
        )
}

/// The routes that run code, counted against the rate limit.
pub(super) fn code_runs() -> Router<AppState> {
    Router::new().route(&format!("{PREFIX}/runs"), post(run))
}

/// Jobe's errors are JSON strings; CodeRunner reads 400 as a bad request,
/// 403 as an authentication error, anything else as the server's failure.
struct Jobe;

impl ErrorShape for Jobe {
    fn status(status: StatusCode) -> StatusCode {
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => StatusCode::FORBIDDEN,
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            status => status,
        }
    }

    fn body(message: &str) -> Value {
        json!(message)
    }
}

type JobeError = PeerError<Jobe>;

async fn languages() -> Json<Vec<[&'static str; 2]>> {
    Json(LANGUAGES.map(|(name, _, version)| [name, version]).to_vec())
}

async fn put_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, JobeError> {
    let body: Value =
        serde_json::from_slice(&body).map_err(|_| JobeError::bad("put: the body is not JSON"))?;
    let Some(contents) = body.get("file_contents").and_then(Value::as_str) else {
        return Err(JobeError::bad("put: missing file_contents parameter"));
    };
    let bytes = (base64::engine::general_purpose::STANDARD.decode(contents))
        .map_err(|_| JobeError::bad(format!("put: contents of file {id} are not valid base-64")))?;
    (state.service)
        .store_program_file(&principal, &id, &bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn file_exists(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> StatusCode {
    match state.service.has_program_file(&principal, &id).await {
        Ok(true) => StatusCode::NO_CONTENT,
        Ok(false) | Err(Refusal::Invalid(_)) => StatusCode::NOT_FOUND,
        Err(refusal) => JobeError::from(refusal).status,
    }
}

async fn run(
    State(state): State<AppState>,
    principal: Principal,
    body: Bytes,
) -> Result<Json<Value>, JobeError> {
    let body: Value = serde_json::from_slice(&body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| JobeError::bad("Non-JSON post data received"))?;
    let Some(spec) = body.get("run_spec").filter(|spec| spec.is_object()) else {
        return Err(JobeError::bad("No run_spec attribute found in post data"));
    };
    let program = program_run(&state, &principal, spec).await?;
    let judged = match program.judge(&state, &principal).await {
        Ok(judged) => judged,
        Err(Refusal::Busy(_)) => return Ok(Json(reply(SERVER_OVERLOAD, "", "", ""))),
        Err(refusal) => return Err(refusal.into()),
    };
    Ok(Json(answer(&judged)))
}

/// The run `spec` asks for, its files read from the cache.
async fn program_run(
    state: &AppState,
    principal: &Principal,
    spec: &Value,
) -> Result<ProgramRun, JobeError> {
    let text = |key: &str| spec.get(key).and_then(Value::as_str);
    let Some(code) = text("sourcecode") else {
        return Err(JobeError::bad(
            "run_spec is missing the required attribute 'sourcecode'",
        ));
    };
    let Some(language_id) = text("language_id") else {
        return Err(JobeError::bad(
            "run_spec is missing the required attribute 'language_id'",
        ));
    };
    let language_id = language_id.to_lowercase();
    let Some(&(_, language, _)) = LANGUAGES.iter().find(|(name, ..)| *name == language_id) else {
        return Err(JobeError::bad(format!(
            "Language '{language_id}' is not known"
        )));
    };
    if let Some(name) = text("sourcefilename") {
        check_source_file_name(name)?;
    }
    // `[]` is what PHP's empty array becomes: CodeRunner's "no parameters".
    let parameters = spec.get("parameters").and_then(Value::as_object);
    let parameter = |key: &str| parameters.and_then(|p| p.get(key));
    let files = files(state, principal, spec.get("file_list")).await?;
    let mut compile_flags = words(parameter("compileargs"), "compileargs")?;
    // libm is always linked: `-lm` (CodeRunner's C prototypes send it) is a no-op.
    let link_flags = words(parameter("linkargs"), "linkargs")?;
    compile_flags.extend(link_flags.into_iter().filter(|flag| flag != "-lm"));
    for item in words(parameter("interpreterargs"), "interpreterargs")? {
        check_interpreter_arg(language, &item)?;
    }
    let given = Given {
        args: words(parameter("runargs"), "runargs")?,
        compile_flags,
        files,
    };
    Ok(ProgramRun {
        language,
        code: code.to_string(),
        stdin: text("input").unwrap_or_default().to_string(),
        expected_output: None,
        given,
        limits: limits(state, parameters)?,
        non_utf8_output: NonUtf8Output::Escaped,
    })
}

/// Jobe's rule: what sanitising would change is illegal.
fn check_source_file_name(name: &str) -> Result<(), JobeError> {
    let illegal = |c: char| c.is_control() || "<>:\"/\\|?*#[]@!$&'()+,;={}^~`".contains(c);
    if name.is_empty() || name.starts_with(['.', '-']) || name.chars().any(illegal) {
        return Err(JobeError::bad(
            "The sourcefilename for the run_spec is illegal",
        ));
    }
    Ok(())
}

/// The files `file_list` names (`[[id, name], ...]`), read from the cache;
/// 404 when one is not there.
async fn files(
    state: &AppState,
    principal: &Principal,
    list: Option<&Value>,
) -> Result<Vec<(String, Vec<u8>)>, JobeError> {
    let Some(list) = list.filter(|list| !list.is_null()) else {
        return Ok(Vec::new());
    };
    let invalid = |item: &Value| JobeError::bad(format!("Invalid file specifier: {item}"));
    let Some(items) = list.as_array() else {
        return Err(invalid(list));
    };
    let mut files = Vec::with_capacity(items.len());
    for item in items {
        let pair = item.as_array().filter(|pair| (2..=3).contains(&pair.len()));
        let strings = pair.and_then(|pair| Some((pair[0].as_str()?, pair[1].as_str()?)));
        let Some((id, name)) = strings else {
            return Err(invalid(item));
        };
        let bytes = match state.service.program_file(principal, id).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) | Err(Refusal::Invalid(_)) => {
                return Err(JobeError::new(
                    StatusCode::NOT_FOUND,
                    json!("One or more of the specified files is missing/unavailable"),
                ));
            }
            Err(refusal) => return Err(refusal.into()),
        };
        files.push((name.to_string(), bytes));
    }
    Ok(files)
}

/// A parameter's items, each split into words as a shell would (Jobe joins
/// them into a shell command; judgebox never runs a shell).
fn words(items: Option<&Value>, name: &str) -> Result<Vec<String>, JobeError> {
    let Some(items) = items.filter(|items| !items.is_null()) else {
        return Ok(Vec::new());
    };
    let invalid = || JobeError::bad(format!("{name} must be a list of strings"));
    let items = items.as_array().ok_or_else(invalid)?;
    let mut words = Vec::new();
    for item in items {
        let item = item.as_str().ok_or_else(invalid)?;
        let split = shlex::split(item)
            .ok_or_else(|| JobeError::bad(format!("{name}: unbalanced quotes in {item:?}")))?;
        words.extend(split);
    }
    Ok(words)
}

/// What Jobe's interpreters are given that judgebox's runtimes already
/// behave as: accepted and ignored. Anything else would be silently lost,
/// so it is refused.
fn check_interpreter_arg(language: &str, arg: &str) -> Result<(), JobeError> {
    let as_already = match language {
        // No bytecode written, no environment read, no user site, unbuffered.
        "python" => {
            arg.len() > 1 && arg.starts_with('-') && arg[1..].chars().all(|c| "BEIsSu".contains(c))
        }
        // The heap is the memory limit; the stack and signals are judgebox's.
        "java" => ["-Xrs", "-Xss", "-Xmx", "-Xms"]
            .iter()
            .any(|p| arg.starts_with(p)),
        "javascript" => arg == "--use_strict" || arg == "--use-strict",
        _ => false,
    };
    if as_already {
        Ok(())
    } else {
        Err(JobeError::bad(format!(
            "interpreterargs: {arg:?} is not supported by this server's {language}"
        )))
    }
}

/// `cputime` (seconds), `memorylimit` and `streamsize` (MB) as judgebox's
/// limits; `numprocs` and `disklimit` have no counterpart (programs start
/// no processes, and their disk is bounded by the sandbox).
fn limits(
    state: &AppState,
    parameters: Option<&serde_json::Map<String, Value>>,
) -> Result<RequestedLimits, JobeError> {
    let number = |key: &str| parameters.and_then(|p| p.get(key)).and_then(Value::as_f64);
    let policy = &state.limits;
    let max_seconds = policy.max_time_ms() / 1000;
    let time_ms = match number("cputime") {
        Some(seconds) if seconds > max_seconds as f64 => {
            return Err(JobeError::bad(format!(
                "cputime exceeds maximum allowed on this Jobe server ({max_seconds} secs)"
            )));
        }
        Some(seconds) if seconds > 0.0 => Some((seconds * 1000.0) as u64),
        _ => None,
    };
    let max_memory = policy.max_memory_mb();
    let memory_mb = match number("memorylimit") {
        // Jobe's "no limit".
        Some(0.0) => Some(max_memory),
        Some(mb) if mb > 0.0 => Some((mb as u64).clamp(MIN_MEMORY_MB, max_memory)),
        _ => None,
    };
    let output_kb = number("streamsize")
        .filter(|mb| *mb > 0.0)
        .map(|mb| ((mb * 1024.0) as u64).clamp(1, policy.max_output_kb()));
    Ok(RequestedLimits {
        time_ms,
        memory_mb,
        output_kb,
        instruction_limit: None,
    })
}

/// The run as Jobe reports one. Jobe decides by what was written to
/// stderr, not by the exit status: any stderr is a runtime error, a
/// non-zero exit without it a success; a time limit wipes stderr (else
/// CodeRunner would call it a runtime error).
fn answer(view: &ExecutionView) -> Value {
    let result = only_result(view);
    let stderr = result.stderr.as_str();
    let outcome = match result.status {
        Status::CompilationError => {
            let cmpinfo = view.compile_output.as_deref().unwrap_or_default();
            return reply(COMPILE_ERROR, cmpinfo, "", "");
        }
        Status::TimeLimitExceeded | Status::OutputLimitExceeded => {
            return reply(TIME_LIMIT, "", &result.actual_output, "");
        }
        Status::MemoryLimitExceeded => MEMORY_LIMIT,
        Status::InternalError => INTERNAL_ERROR,
        Status::RuntimeError if result.signal.is_some() => RUNTIME_ERROR,
        _ if !stderr.trim().is_empty() => RUNTIME_ERROR,
        _ => SUCCESS,
    };
    // A crash that wrote nothing says why, as Jobe's runguard does.
    let why = match (outcome, stderr.is_empty(), &result.message) {
        (RUNTIME_ERROR | MEMORY_LIMIT | INTERNAL_ERROR, true, Some(message)) => message.as_str(),
        _ => stderr,
    };
    reply(outcome, "", &result.actual_output, why)
}

fn reply(outcome: u8, cmpinfo: &str, stdout: &str, stderr: &str) -> Value {
    json!({
        "run_id": null,
        "outcome": outcome,
        "cmpinfo": cmpinfo,
        "stdout": stdout,
        "stderr": stderr,
    })
}
