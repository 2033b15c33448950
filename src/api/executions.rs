//! `GET /executions/{id}`: a recorded execution, to those who may read it.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiPath;
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::service::ExecutionView;

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ExecutionView>, ApiError> {
    let view = (state.service.execution(&principal, id).await).map_err(ApiError::internal)?;
    let view = view.ok_or_else(|| ApiError::not_found(format!("no execution with id {id}")))?;
    Ok(Json(view))
}
