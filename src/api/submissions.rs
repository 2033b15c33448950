//! `POST /submissions` (queued: answers 202 at once), `GET /submissions/{id}`
//! and `GET /submissions?user_id=&question_id=`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiJson, ApiPath, ApiQuery, ErrorBody};
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::languages::LanguageName;
use crate::service::{Code, SubmissionView};

const MAX_PAGE: u32 = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "python", "code": "print(int(input()) * 2)",
    "question_id": "double"}))]
pub struct SubmitRequest {
    #[schema(value_type = LanguageName)]
    language: String,
    /// Not empty or whitespace only.
    #[schema(min_length = 1)]
    code: String,
    /// The question's slug.
    question_id: String,
    /// A participant's is their own.
    #[schema(max_length = 200)]
    user_id: Option<String>,
    /// Receives the result as a POST when the submission is judged; its
    /// host must not be a private address.
    #[schema(pattern = "^https?://", max_length = 2000)]
    callback_url: Option<String>,
}

/// Queues code for a question
///
/// Answers at once; a worker judges it later on the question's tests.
/// Rate limited.
#[utoipa::path(
    post, path = "/submissions", tag = "submissions", operation_id = "submit",
    request_body = SubmitRequest,
    responses(
        (status = 202, description = "Queued", body = SubmissionView,
            headers(("location" = String, description = "`/submissions/{id}`")), links(
            ("GetSubmission" = (operation_id = "get_submission",
                parameters(("id" = "$response.body#/submission_id")))),
        )),
        (status = 403, description = "`wrong_user`, `forbidden` (a question outside the participant's contest), `contest_not_running`", body = ErrorBody),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
        (status = 422, description = "`unsupported_language`, `invalid_request`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`busy`: the queue is full", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ),
)]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<SubmitRequest>,
) -> Result<Response, ApiError> {
    let code = Code {
        language: request.language,
        code: request.code,
        user_id: request.user_id,
    };
    let callback_url = request.callback_url.as_deref();
    let view = (state.service)
        .submit(&principal, &request.question_id, code, callback_url)
        .await?;
    let location = [("location", format!("/submissions/{}", view.id()))];
    Ok((StatusCode::ACCEPTED, location, Json(view)).into_response())
}

/// A submission, with its code and, once judged, its result
///
/// To those who may read it: admin and service all, a participant their
/// own, anonymous callers those made anonymously.
#[utoipa::path(
    get, path = "/submissions/{id}", tag = "submissions", operation_id = "get_submission",
    params(("id" = Uuid, Path, description = "`submission_id`")),
    responses(
        (status = 200, description = "The submission", body = SubmissionView),
        (status = 404, description = "`not_found`: none, or not the caller's to read", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SubmissionView>, ApiError> {
    let view = (state.service.submission(&principal, id).await).map_err(ApiError::internal)?;
    let view = view.ok_or_else(|| ApiError::not_found(format!("no submission with id {id}")))?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    user_id: Option<String>,
    /// A question's slug.
    question_id: Option<String>,
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: u32,
    // utoipa documents a u32 as an int32, which would refuse offsets the
    // server takes.
    #[serde(default)]
    #[param(value_type = u64, maximum = 4294967295_u64)]
    offset: u32,
}

fn default_limit() -> u32 {
    20
}

/// Submissions, newest first, without their results
///
/// What the caller may list: everything for admin and service, their own
/// for a participant.
#[utoipa::path(
    get, path = "/submissions", tag = "submissions", operation_id = "list_submissions",
    params(ListQuery),
    security(("admin" = []), ("service" = []), ("participant" = [])),
    responses((status = 200, description = "The submissions", body = Vec<SubmissionView>)),
)]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<SubmissionView>>, ApiError> {
    let scope = state.service.access().list(&principal)?;
    if query.limit == 0 || query.limit > MAX_PAGE {
        return Err(ApiError::invalid(format!("limit must be 1 to {MAX_PAGE}")));
    }
    let (user_id, question_id) = (query.user_id.as_deref(), query.question_id.as_deref());
    let views = state
        .service
        .submissions(
            &principal,
            &scope,
            user_id,
            question_id,
            query.limit,
            query.offset,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(views))
}
