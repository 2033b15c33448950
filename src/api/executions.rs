//! `GET /executions/{id}`: a recorded execution, to those who may read it.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::{ApiPath, ErrorBody};
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::service::ExecutionView;

/// A recorded execution, with its code
///
/// To those who may read it: admin and service all, a participant their
/// own, anonymous callers those made anonymously.
#[utoipa::path(
    get, path = "/executions/{id}", tag = "judging", operation_id = "get_execution",
    params(("id" = Uuid, Path, description = "`execution_id`")),
    responses(
        (status = 200, description = "The execution", body = ExecutionView),
        (status = 404, description = "`not_found`: none, or not the caller's to read", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ExecutionView>, ApiError> {
    let view = (state.service.execution(&principal, id).await).map_err(ApiError::internal)?;
    let view = view.ok_or_else(|| ApiError::not_found(format!("no execution with id {id}")))?;
    Ok(Json(view))
}
