//! `GET /executions/{id}`: a recorded execution.

use axum::Json;
use axum::extract::{Path, State};
use uuid::Uuid;

use super::execute::ExecutionView;
use super::{ApiError, AppState};

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<ExecutionView>, ApiError> {
    let Path(id) = id?;
    let execution = state
        .database
        .execution(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no execution with id {id}")))?;
    Ok(Json(ExecutionView::with_code(execution)))
}
