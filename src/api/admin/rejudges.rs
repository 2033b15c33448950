//! `/admin/rejudges`: judging submissions again after a test or a checker
//! was fixed, and following the progress.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::api::error::{ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::api::{ApiError, AppState};
use crate::service::{RejudgeRequest, RejudgeView};

/// Rejudges a submission, a question's, a contest's, or a question's in a
/// contest
///
/// The submissions go back to the queue behind every live submission and
/// are judged a few at a time (half the CPUs); each keeps its result until the
/// new one replaces it, and what it replaced stays in its `history`.
/// Submissions still queued or running are judged anyway and are not
/// counted.
#[utoipa::path(
    post, path = "/admin/rejudges", tag = "admin", operation_id = "rejudge",
    request_body = RejudgeRequest,
    responses(
        (status = 202, description = "Queued; follow it at `/admin/rejudges/{rejudge_id}`",
            body = RejudgeView, links(
            ("RejudgeProgress" = (operation_id = "rejudge_progress",
                parameters(("id" = "$response.body#/rejudge_id")))),
        )),
        (status = 404, description = "`unknown_contest`, `unknown_question` or `not_found`",
            body = ErrorBody),
        (status = 422, description = "`invalid`: nothing named, or a question not in the contest",
            body = ErrorBody),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RejudgeRequest>,
) -> Result<(StatusCode, Json<RejudgeView>), ApiError> {
    let view = state.service.rejudge(request).await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this contest's.
    contest: Option<String>,
}

/// The 50 newest rejudges, with their progress
#[utoipa::path(
    get, path = "/admin/rejudges", tag = "admin", operation_id = "list_rejudges",
    params(ListQuery),
    responses((status = 200, description = "Newest first", body = Vec<RejudgeView>)),
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<RejudgeView>>, ApiError> {
    Ok(Json(
        state.service.rejudges(query.contest.as_deref()).await?,
    ))
}

/// A rejudge's progress
#[utoipa::path(
    get, path = "/admin/rejudges/{id}", tag = "admin", operation_id = "rejudge_progress",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "How far it got", body = RejudgeView),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RejudgeView>, ApiError> {
    Ok(Json(state.service.rejudge_progress(id).await?))
}
