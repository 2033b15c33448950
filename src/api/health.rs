//! Liveness, readiness, metrics and the list of languages.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::languages::LanguageInfo;
use crate::telemetry;

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

/// Prometheus text format. Queue and slot figures are read now; if the
/// database does not answer, the rest is still served.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(error) = state.service.record_load().await {
        tracing::warn!(
            error = format!("{error:#}"),
            "cannot read the queue for metrics"
        );
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::metrics().render(),
    )
}
