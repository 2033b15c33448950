//! `POST /submissions` (queued: answers 202 at once), `GET /submissions/{id}`
//! and `GET /submissions?user_id=&question_id=`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::ApiJson;
use super::execute::{ExecutionView, check_id};
use super::{ApiError, AppState};
use crate::store::{ExecutionRecord, NewSubmission, SubmissionRecord, SubmissionState};

const MAX_PAGE: u32 = 100;
const MAX_URL_CHARS: usize = 2000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    language: String,
    code: String,
    question_id: String,
    user_id: Option<String>,
    /// Receives the result as a POST when the submission is judged.
    callback_url: Option<String>,
}

/// A submission as the API shows it; `result` once it is judged.
#[derive(Debug, Serialize)]
pub struct SubmissionView {
    submission_id: Uuid,
    user_id: Option<String>,
    question_id: String,
    language: String,
    state: SubmissionState,
    score: Option<u32>,
    max_score: Option<u32>,
    attempts: u32,
    /// The replica that ran it.
    worker: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<ExecutionView>,
}

impl SubmissionView {
    pub fn new(record: SubmissionRecord, execution: Option<ExecutionRecord>) -> Self {
        Self {
            submission_id: record.id,
            user_id: record.user_id,
            question_id: record.question_id,
            language: record.language,
            state: record.state,
            score: record.score,
            max_score: record.max_score,
            attempts: record.attempts,
            worker: record.worker,
            created_at: record.created_at,
            started_at: record.started_at,
            finished_at: record.finished_at,
            result: execution.map(ExecutionView::new),
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SubmitRequest>,
) -> Result<Response, ApiError> {
    check_id("user_id", request.user_id.as_deref())?;
    state.rate_limits.check_user(request.user_id.as_deref())?;
    let question = super::questions::find(&state, &request.question_id).await?;
    if state.languages.get(&request.language).is_none() || !question.allows(&request.language) {
        return Err(ApiError::invalid(format!(
            "question {:?} does not accept {:?}",
            question.slug, request.language
        )));
    }
    if request.code.trim().is_empty() {
        return Err(ApiError::invalid("code must not be empty"));
    }
    if let Some(url) = &request.callback_url {
        let web = url.starts_with("http://") || url.starts_with("https://");
        if !web || url.len() > MAX_URL_CHARS || reqwest::Url::parse(url).is_err() {
            return Err(ApiError::invalid(
                "callback_url must be an http:// or https:// URL",
            ));
        }
    }
    let new = NewSubmission {
        user_id: request.user_id.as_deref(),
        question_id: &question.slug,
        language: &request.language,
        code: &request.code,
        callback_url: request.callback_url.as_deref(),
    };
    let record = state
        .judging
        .enqueue(&new)
        .await
        .map_err(ApiError::internal)?
        .map_err(|_| ApiError::busy("the submission queue is full"))?;
    let id = record.id;
    let body = Json(SubmissionView::new(record, None));
    let location = [("location", format!("/submissions/{id}"))];
    Ok((StatusCode::ACCEPTED, location, body).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<SubmissionView>, ApiError> {
    let Path(id) = id?;
    let record = state
        .database
        .submission(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no submission with id {id}")))?;
    let execution = match record.execution_id {
        Some(execution) => state
            .database
            .execution(execution)
            .await
            .map_err(ApiError::internal)?,
        None => None,
    };
    Ok(Json(SubmissionView::new(record, execution)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    user_id: Option<String>,
    question_id: Option<String>,
    #[serde(default = "default_limit")]
    limit: u32,
    #[serde(default)]
    offset: u32,
}

fn default_limit() -> u32 {
    20
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<SubmissionView>>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::invalid(rejection.body_text()))?;
    if query.limit == 0 || query.limit > MAX_PAGE {
        return Err(ApiError::invalid(format!("limit must be 1 to {MAX_PAGE}")));
    }
    let records = state
        .database
        .submissions(
            query.user_id.as_deref(),
            query.question_id.as_deref(),
            query.limit,
            query.offset,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        records
            .into_iter()
            .map(|record| SubmissionView::new(record, None))
            .collect(),
    ))
}
