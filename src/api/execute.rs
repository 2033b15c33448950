//! `POST /execute`: judge code against test cases (or run it once, as a
//! playground), record the execution, and answer with the verdicts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::ApiJson;
use super::{ApiError, AppState};
use crate::judge::{
    Comparison, Limits, Question, RequestedLimits, Submission, Summary, TestCase, TestResult,
};
use crate::store::ExecutionRecord;

const MAX_ID_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecuteRequest {
    language: String,
    code: String,
    /// Omitted: a playground run of the program once, with `stdin`.
    test_cases: Option<Vec<TestCase>>,
    stdin: Option<String>,
    user_id: Option<String>,
    question_id: Option<String>,
    limits: Option<RequestedLimits>,
    compare: Option<Comparison>,
}

pub async fn execute(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ExecuteRequest>,
) -> Result<Json<ExecutionView>, ApiError> {
    let language = state.languages.get(&request.language).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_language",
            format!(
                "unsupported language {:?}; supported: {}",
                request.language,
                state.languages.names().join(", ")
            ),
        )
    })?;
    check_id("user_id", request.user_id.as_deref())?;
    check_id("question_id", request.question_id.as_deref())?;
    state.rate_limits.check_user(request.user_id.as_deref())?;
    let name = language.info().name;
    let (submission, question) = match (&request.question_id, &request.test_cases) {
        (Some(slug), None) => {
            let question = super::questions::find(&state, slug).await?;
            (
                question_submission(&request, &question, name)?,
                Some(question),
            )
        }
        _ => (submission(&request, &state)?, None),
    };
    let _slot = state
        .judging
        .slot()
        .await
        .map_err(|_| ApiError::busy("every judging slot is taken and the wait is full"))?;
    let judging = &state.judging;
    let (user, question_id) = (request.user_id, request.question_id);
    let record = match &question {
        Some(question) => {
            judging
                .judge_question_now(name, submission, user, question)
                .await
        }
        None => {
            judging
                .judge_adhoc(name, submission, user, question_id)
                .await
        }
    }
    .map_err(ApiError::internal)?;
    Ok(Json(ExecutionView::new(record)))
}

/// Ids are the client's; bounded so a request cannot store megabytes in one.
pub fn check_id(name: &str, id: Option<&str>) -> Result<(), ApiError> {
    if id.is_some_and(|id| id.chars().count() > MAX_ID_CHARS) {
        return Err(ApiError::invalid(format!(
            "{name} is longer than {MAX_ID_CHARS} characters"
        )));
    }
    Ok(())
}

/// The request's checks beyond its JSON shape; the rest is `Submission::new`.
fn submission(request: &ExecuteRequest, state: &AppState) -> Result<Submission, ApiError> {
    let test_cases = match (&request.test_cases, &request.stdin) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "stdin is for playground runs; give each test case its own input",
            ));
        }
        (Some(tests), None) => tests.clone(),
        (None, stdin) => vec![TestCase::new(stdin.clone().unwrap_or_default(), None)],
    };
    Submission::new(
        request.code.clone(),
        test_cases,
        &request.limits.clone().unwrap_or_default(),
        request.compare.unwrap_or_default(),
        &state.limits,
    )
    .map_err(ApiError::invalid)
}

/// A submission to a stored question: its tests, limits and comparison.
fn question_submission(
    request: &ExecuteRequest,
    question: &Question,
    language: &str,
) -> Result<Submission, ApiError> {
    let slug = &question.slug;
    if request.stdin.is_some() || request.limits.is_some() || request.compare.is_some() {
        return Err(ApiError::invalid(format!(
            "question {slug:?} sets the tests, limits and comparison: send only language, code \
             and user_id (or give test_cases to run your own tests)"
        )));
    }
    if !question.allows(language) {
        return Err(ApiError::invalid(format!(
            "question {slug:?} accepts {}, not {language}",
            question.languages.join(", ")
        )));
    }
    question
        .submission(request.code.clone())
        .map_err(ApiError::invalid)
}

/// An execution as the API shows it: the response to `POST /execute` and,
/// with the code, to `GET /executions/{id}`.
#[derive(Debug, Serialize)]
pub struct ExecutionView {
    pub execution_id: Uuid,
    pub submission_id: Uuid,
    pub user_id: Option<String>,
    pub question_id: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub summary: Summary,
    pub test_results: Vec<TestResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_output: Option<String>,
    pub metadata: Metadata,
}

#[derive(Debug, Serialize)]
pub struct Metadata {
    pub language: String,
    pub runtime: String,
    /// Where the program ran: `wasm`, or `native` (Java, C++ that needs
    /// exceptions or threads); absent when it did not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub execution_time_ms: f64,
    pub cpu_usage_percent: f64,
    pub memory_usage_mb: f64,
    pub limits: Limits,
    pub compare: Comparison,
}

impl ExecutionView {
    pub fn new(record: ExecutionRecord) -> Self {
        let report = record.report;
        Self {
            execution_id: record.id,
            submission_id: record.submission_id,
            user_id: record.user_id,
            question_id: record.question_id,
            created_at: record.created_at,
            code: None,
            summary: report.summary,
            test_results: report.test_results,
            compile_output: report.compile_output,
            metadata: Metadata {
                language: record.language.clone(),
                runtime: record.runtime,
                backend: report.backend,
                execution_time_ms: report.execution_time_ms,
                cpu_usage_percent: report.cpu_usage_percent,
                memory_usage_mb: report.memory_usage_mb,
                limits: record.limits,
                compare: record.comparison,
            },
            language: record.language,
        }
    }

    pub fn with_code(record: ExecutionRecord) -> Self {
        let code = record.code.clone();
        Self {
            code: Some(code),
            ..Self::new(record)
        }
    }
}
