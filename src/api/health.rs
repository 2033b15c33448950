//! Liveness, readiness and the list of languages.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::languages::LanguageInfo;

pub async fn languages(State(state): State<AppState>) -> Json<Vec<LanguageInfo>> {
    Json(state.languages.infos())
}

/// The process is up and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Runtimes are loaded (they are before the server listens) and the database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.database.ping().await.map_err(|error| {
        tracing::warn!(error = format!("{error:#}"), "database unreachable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database is not reachable",
        )
    })?;
    Ok(Json(json!({
        "status": "ready",
        "languages": state.languages.names(),
        "database": "ok",
    })))
}
