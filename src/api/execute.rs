//! `POST /execute`: judge code against test cases (or run it once, as a
//! playground), record the execution, and answer with the verdicts.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiJson, ErrorBody};
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::judge::{Comparison, RequestedLimits, Submission, TestCase};
use crate::languages::LanguageName;
use crate::service::{Code, ExecutionView};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "python", "code": "print(int(input()) * 2)",
    "test_cases": [{"input": "21", "expected_output": "42"}]}))]
pub struct ExecuteRequest {
    #[schema(value_type = LanguageName)]
    language: String,
    /// Not empty or whitespace only.
    #[schema(min_length = 1)]
    code: String,
    /// Omitted: a playground run of the program once, with `stdin`.
    #[schema(min_items = 1, max_items = 100)]
    test_cases: Option<Vec<TestCase>>,
    /// Only without `test_cases`.
    stdin: Option<String>,
    /// A label; a participant's is their own.
    #[schema(max_length = 200)]
    user_id: Option<String>,
    /// Without `test_cases`: the stored question to judge on (a slug);
    /// with them, only a label.
    #[schema(max_length = 200)]
    question_id: Option<String>,
    limits: Option<RequestedLimits>,
    compare: Option<Comparison>,
}

/// Judges code now
///
/// On the request's test cases, or on a stored question's (`question_id`
/// without `test_cases`: then recorded as a submission). Rate limited.
#[utoipa::path(
    post, path = "/execute", tag = "judging", operation_id = "execute",
    request_body = ExecuteRequest,
    responses(
        (status = 200, description = "The verdicts", body = ExecutionView, links(
            ("GetExecution" = (operation_id = "get_execution",
                parameters(("id" = "$response.body#/execution_id")))),
        )),
        (status = 403, description = "`wrong_user`, `forbidden` (a question outside the participant's contest), `contest_not_running`", body = ErrorBody),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
        (status = 422, description = "`unsupported_language`, `invalid_request`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`busy`: every judging slot is taken and the wait is full", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ),
)]
pub async fn execute(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ExecuteRequest>,
) -> Result<Json<ExecutionView>, ApiError> {
    let service = &state.service;
    let language = service.language(&request.language)?;
    let view = match (&request.question_id, &request.test_cases) {
        (Some(slug), None) => {
            if request.stdin.is_some() || request.limits.is_some() || request.compare.is_some() {
                return Err(ApiError::invalid(format!(
                    "question {slug:?} sets the tests, limits and comparison: send only \
                     language, code and user_id (or give test_cases to run your own tests)"
                )));
            }
            let code = Code {
                language: request.language,
                code: request.code,
                user_id: request.user_id,
            };
            service.judge_question(&principal, slug, code).await?
        }
        _ => {
            let name = language.info().name;
            let submission = submission(&request, name, &state)?;
            let user_id = request.user_id.as_deref();
            (service.judge_own_tests(&principal, submission, name, user_id, request.question_id))
                .await?
        }
    };
    Ok(Json(view))
}

/// The request's checks beyond its JSON shape; the rest is `Submission::new`.
fn submission(
    request: &ExecuteRequest,
    language: &str,
    state: &AppState,
) -> Result<Submission, ApiError> {
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
        language,
    )
    .map_err(ApiError::invalid)
}
