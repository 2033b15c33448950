//! Piston v2's API, under `/api/v2/` and `/api/v2/piston/` (the path
//! clients use for the public instance): `GET runtimes` and `POST execute`.
//! The body is read as JSON whatever its content type (`piston-client`
//! sends none). The answer has Piston's stages: `compile` for compiled
//! languages, `run` always, which mirrors a failed compile.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Map, Value, json};

use super::{ErrorShape, PeerError, ProgramRun, only_result};
use crate::api::AppState;
use crate::auth::Principal;
use crate::judge::{Given, MIN_MEMORY_MB, NonUtf8Output, RequestedLimits, Status, TestResult};
use crate::service::ExecutionView;

const PREFIXES: [&str; 2] = ["/api/v2", "/api/v2/piston"];

/// Piston's language, the version it reports, its aliases, and judgebox's
/// language; whether it has a compile stage.
struct Runtime {
    language: &'static str,
    version: &'static str,
    aliases: &'static [&'static str],
    judgebox: &'static str,
    compiled: bool,
}

const RUNTIMES: [Runtime; 5] = [
    Runtime {
        language: "c",
        version: "19.1.7",
        aliases: &["gcc", "clang"],
        judgebox: "c",
        compiled: true,
    },
    Runtime {
        language: "c++",
        version: "19.1.7",
        aliases: &["cpp", "g++", "clang++"],
        judgebox: "cpp",
        compiled: true,
    },
    // Piston runs Java source directly: no compile stage.
    Runtime {
        language: "java",
        version: "17.0.0",
        aliases: &[],
        judgebox: "java",
        compiled: false,
    },
    Runtime {
        language: "javascript",
        version: "0.10.0",
        aliases: &["node-javascript", "node-js", "node", "js", "quickjs"],
        judgebox: "javascript",
        compiled: false,
    },
    Runtime {
        language: "python",
        version: "3.14.0",
        aliases: &["py", "py3", "python3", "python3.14"],
        judgebox: "python",
        compiled: false,
    },
];

/// The routes that run no code.
pub(super) fn other_routes() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in PREFIXES {
        router = router.route(&format!("{prefix}/runtimes"), get(runtimes));
    }
    router
}

/// The routes that run code, counted against the rate limit.
pub(super) fn code_runs() -> Router<AppState> {
    let mut router = Router::new();
    for prefix in PREFIXES {
        router = router.route(&format!("{prefix}/execute"), post(execute));
    }
    router
}

/// Piston's errors are 400 `{"message": ...}`.
struct Piston;

impl ErrorShape for Piston {
    fn status(status: StatusCode) -> StatusCode {
        match status {
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            status => status,
        }
    }

    fn body(message: &str) -> Value {
        json!({ "message": message })
    }
}

type PistonError = PeerError<Piston>;

async fn runtimes() -> Json<Vec<Value>> {
    let runtime =
        |r: &Runtime| json!({ "language": r.language, "version": r.version, "aliases": r.aliases });
    Json(RUNTIMES.iter().map(runtime).collect())
}

async fn execute(
    State(state): State<AppState>,
    principal: Principal,
    body: Bytes,
) -> Result<Json<Value>, PistonError> {
    let request: Map<String, Value> = serde_json::from_slice(&body)
        .map_err(|_| PistonError::bad("the body must be a JSON object"))?;
    let (runtime, program) = program_run(&state, &request)?;
    let view = program.judge(&state, &principal).await?;
    Ok(Json(answer(runtime, &view)))
}

/// The runtime `language` and `version` name: `*` or a version's prefix
/// (`3`, `3.14`), as Piston's semver ranges are used.
fn runtime(language: &str, version: &str) -> Option<&'static Runtime> {
    let version = version.trim().trim_start_matches(['^', '~', '=', 'v']);
    let matches_version = |runtime: &Runtime| {
        let prefix_of = |full: &str| {
            full == version || full.starts_with(&format!("{version}.")) || version.is_empty()
        };
        version == "*" || version == "x" || prefix_of(runtime.version)
    };
    (RUNTIMES.iter()).find(|runtime| {
        (runtime.language == language || runtime.aliases.contains(&language))
            && matches_version(runtime)
    })
}

fn program_run(
    state: &AppState,
    request: &Map<String, Value>,
) -> Result<(&'static Runtime, ProgramRun), PistonError> {
    let text = |field: &str| request.get(field).and_then(Value::as_str);
    let language =
        text("language").ok_or_else(|| PistonError::bad("language is required as a string"))?;
    let version =
        text("version").ok_or_else(|| PistonError::bad("version is required as a string"))?;
    let runtime = runtime(&language.to_lowercase(), version)
        .ok_or_else(|| PistonError::bad(format!("{language}-{version} runtime is unknown")))?;
    let files = request.get("files").and_then(Value::as_array);
    let Some(files) = files.filter(|files| !files.is_empty()) else {
        return Err(PistonError::bad("files is required as an array"));
    };
    let mut decoded = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        decoded.push(decode_file(index, file)?);
    }
    // The first file is the program; the others are beside it.
    let (_, main) = decoded.remove(0);
    let code = String::from_utf8(main)
        .map_err(|_| PistonError::bad("files[0] (the program) must be UTF-8 text"))?;
    if code.trim().is_empty() {
        return Err(PistonError::bad("files[0].content must not be empty"));
    }
    let args = match request.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(args)) => (args.iter())
            .map(|arg| arg.as_str().map(String::from))
            .collect::<Option<_>>()
            .ok_or_else(|| PistonError::bad("args must be an array of strings"))?,
        Some(_) => return Err(PistonError::bad("args must be an array of strings")),
    };
    let stdin = match request.get("stdin") {
        None | Some(Value::Null) => String::new(),
        // Piston ends what it is given with a line break.
        Some(Value::String(stdin)) if !stdin.is_empty() && !stdin.ends_with('\n') => {
            format!("{stdin}\n")
        }
        Some(Value::String(stdin)) => stdin.clone(),
        Some(_) => return Err(PistonError::bad("stdin must be a string")),
    };
    let given = Given {
        args,
        files: decoded,
        ..Given::default()
    };
    let program = ProgramRun {
        language: runtime.judgebox,
        code,
        stdin,
        expected_output: None,
        given,
        limits: limits(state, request)?,
        non_utf8_output: NonUtf8Output::Replaced,
    };
    Ok((runtime, program))
}

/// A file's name (one is made up when it has none) and contents in the
/// encoding it names: `utf8` (the default), `base64` or `hex`.
fn decode_file(index: usize, file: &Value) -> Result<(String, Vec<u8>), PistonError> {
    let field = |name: &str| file.get(name).and_then(Value::as_str);
    let content = field("content").ok_or_else(|| {
        PistonError::bad(format!("files[{index}].content is required as a string"))
    })?;
    let bytes = match field("encoding").unwrap_or("utf8") {
        "utf8" => content.as_bytes().to_vec(),
        "base64" => (base64::engine::general_purpose::STANDARD.decode(content))
            .map_err(|_| PistonError::bad(format!("files[{index}].content is not base64")))?,
        "hex" => hex::decode(content)
            .map_err(|_| PistonError::bad(format!("files[{index}].content is not hex")))?,
        other => {
            return Err(PistonError::bad(format!(
                "files[{index}].encoding {other:?} is not one of utf8, base64, hex"
            )));
        }
    };
    let name = field("name").map_or_else(|| format!("file{index}.code"), String::from);
    Ok((name, bytes))
}

/// `run_timeout` and `run_cpu_time` (ms) and `run_memory_limit` (bytes;
/// -1 for none) as judgebox's limits: the CPU time is the limit, the wall
/// time its backstop. The compile stage has judgebox's own limits.
fn limits(state: &AppState, request: &Map<String, Value>) -> Result<RequestedLimits, PistonError> {
    let policy = &state.limits;
    let number = |field: &str| -> Result<Option<i64>, PistonError> {
        match request.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => (value.as_f64())
                .map(|n| Some(n as i64))
                .ok_or_else(|| PistonError::bad(format!("{field} must be a number"))),
        }
    };
    for field in [
        "compile_timeout",
        "compile_cpu_time",
        "compile_memory_limit",
    ] {
        number(field)?;
    }
    let max_ms = policy.max_time_ms() as i64;
    let mut time_ms = None;
    for field in ["run_timeout", "run_cpu_time"] {
        match number(field)? {
            Some(ms) if ms > max_ms => {
                return Err(PistonError::bad(format!(
                    "{field} cannot exceed the configured limit of {max_ms}"
                )));
            }
            Some(ms) if ms >= 1 => {
                time_ms = Some(time_ms.map_or(ms as u64, |t: u64| t.min(ms as u64)));
            }
            Some(ms) if ms < 0 => {}
            Some(_) => return Err(PistonError::bad(format!("{field} must be at least 1"))),
            None => {}
        }
    }
    let max_bytes = (policy.max_memory_mb() << 20) as i64;
    let memory_mb = match number("run_memory_limit")? {
        Some(bytes) if bytes > max_bytes => {
            return Err(PistonError::bad(format!(
                "run_memory_limit cannot exceed the configured limit of {max_bytes}"
            )));
        }
        Some(bytes) if bytes >= 0 => Some(((bytes as u64) >> 20).max(MIN_MEMORY_MB)),
        _ => None,
    };
    Ok(RequestedLimits {
        time_ms,
        memory_mb,
        output_kb: None,
        instruction_limit: None,
    })
}

fn answer(runtime: &Runtime, view: &ExecutionView) -> Value {
    let result = only_result(view);
    let compile_failed = result.status == Status::CompilationError;
    let mut answer = json!({
        "language": runtime.language,
        "version": runtime.version,
        "run": run_stage(result),
    });
    let failed = compile_failed.then(|| {
        let output = view.compile_output.as_deref().unwrap_or_default();
        let message = "the program did not compile";
        stage("", output, Some(1), None, Some("RE"), Some(message), None)
    });
    match (runtime.compiled, failed) {
        // A failed compile is what the run stage shows too, as Piston does.
        (true, Some(failed)) => {
            answer["run"] = failed.clone();
            answer["compile"] = failed;
        }
        (true, None) => answer["compile"] = stage("", "", Some(0), None, None, None, None),
        // An interpreter's syntax error is its run's error.
        (false, Some(failed)) => answer["run"] = failed,
        (false, None) => {}
    }
    answer
}

/// The run stage: Piston's status codes are `TO` (timed out), `OL`/`EL`
/// (stdout/stderr too long), `SG` (killed by a signal), `RE` (runtime
/// error), `XX` (internal error); none for a normal exit.
fn run_stage(result: &TestResult) -> Value {
    let (status, signal) = match result.status {
        Status::TimeLimitExceeded => (Some("TO"), Some("SIGKILL")),
        Status::OutputLimitExceeded => (Some("OL"), Some("SIGKILL")),
        Status::MemoryLimitExceeded => (Some("SG"), Some("SIGKILL")),
        Status::InternalError => (Some("XX"), None),
        Status::RuntimeError if result.signal.is_some() => (Some("SG"), result.signal.as_deref()),
        Status::RuntimeError => (Some("RE"), None),
        _ => (None, None),
    };
    let code = if signal.is_some() {
        None
    } else {
        result.exit_code.or(Some(0))
    };
    stage(
        &result.actual_output,
        &result.stderr,
        code,
        signal,
        status,
        result.message.as_deref(),
        Some(result),
    )
}

fn stage(
    stdout: &str,
    stderr: &str,
    code: Option<i32>,
    signal: Option<&str>,
    status: Option<&str>,
    message: Option<&str>,
    used: Option<&TestResult>,
) -> Value {
    let used = |figure: fn(&TestResult) -> Option<f64>| used.and_then(figure);
    json!({
        "stdout": stdout,
        "stderr": stderr,
        "output": format!("{stdout}{stderr}"),
        "code": code,
        "signal": signal,
        "message": message,
        "status": status,
        "cpu_time": used(|r| r.cpu_time_ms).map(|ms| ms.round() as u64),
        "wall_time": used(|r| r.execution_time_ms).map(|ms| ms.round() as u64),
        "memory": used(|r| r.memory_usage_mb).map(|mb| (mb * 1024.0 * 1024.0) as u64),
    })
}
