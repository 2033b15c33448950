//! Liveness, readiness, metrics and the list of languages.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::error::ErrorCode;
use super::{ApiError, AppState};
use crate::languages::LanguageInfo;
use crate::telemetry;

/// The languages this server runs
#[utoipa::path(
    get, path = "/languages", tag = "service", operation_id = "list_languages",
    responses((status = 200, description = "Their names, runtimes and backends", body = Vec<LanguageInfo>)),
)]
pub async fn languages(State(state): State<AppState>) -> Json<Vec<LanguageInfo>> {
    Json(state.languages.infos())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// Liveness: the process is up and serving HTTP
#[utoipa::path(
    get, path = "/healthz", tag = "service", operation_id = "healthz",
    responses((status = 200, description = "Always `{\"status\": \"ok\"}`", body = Health)),
)]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(value_type = String, example = "ok")]
    database: &'static str,
    languages: Vec<&'static str>,
    #[schema(value_type = String, example = "ready")]
    status: &'static str,
}

/// Readiness: runtimes are loaded and the database answers
///
/// Runtimes are loaded before the server listens, so only the database
/// can make it fail.
#[utoipa::path(
    get, path = "/readyz", tag = "service", operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "`not_ready`: the database does not answer", body = ErrorBody),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    state.database.ping().await.map_err(|error| {
        tracing::warn!(error = format!("{error:#}"), "database unreachable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::NotReady,
            "the database is not reachable",
        )
    })?;
    Ok(Json(Readiness {
        database: "ok",
        languages: state.languages.names(),
        status: "ready",
    }))
}

/// Metrics in Prometheus text format
///
/// Queue and slot figures are read now; if the database does not answer,
/// the rest is still served. docs/operations.md lists the metrics.
#[utoipa::path(
    get, path = "/metrics", tag = "service", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)),
)]
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
