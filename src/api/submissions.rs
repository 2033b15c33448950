//! `POST /submissions` (queued: answers 202 at once), `GET /submissions/{id}`
//! and `GET /submissions?user_id=&question_id=`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{ApiJson, ApiPath, ApiQuery};
use super::execute::check_id;
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::service::SubmissionView;
use crate::store::NewSubmission;

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

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<SubmitRequest>,
) -> Result<Response, ApiError> {
    check_id("user_id", request.user_id.as_deref())?;
    let slug = &request.question_id;
    let (question, contests) = super::questions::find_in_contests(&state, slug).await?;
    let user_id = request.user_id.as_deref();
    let author =
        (state.service.access()).submit(&principal, user_id, slug, &contests, Utc::now())?;
    let language = state.language(&request.language)?;
    // The checks judging will make, made now, so a bad submission is never queued.
    let name = language.info().name;
    super::questions::submission_to(&state, &question, name, request.code.clone())?;
    if let Some(url) = &request.callback_url {
        check_callback_url(&state, url).await?;
    }
    let new = NewSubmission {
        owner: &author.owner,
        user_id: author.user_id.as_deref(),
        question_id: &question.slug,
        language: &request.language,
        code: &request.code,
        callback_url: request.callback_url.as_deref(),
    };
    let view = (state.service.enqueue(&new).await)
        .map_err(ApiError::internal)?
        .map_err(|_| ApiError::busy("the submission queue is full"))?;
    let location = [("location", format!("/submissions/{}", view.id()))];
    Ok((StatusCode::ACCEPTED, location, Json(view)).into_response())
}

async fn check_callback_url(state: &AppState, url: &str) -> Result<(), ApiError> {
    let web = url.starts_with("http://") || url.starts_with("https://");
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|_| web && url.len() <= MAX_URL_CHARS);
    let Some(url) = parsed else {
        return Err(ApiError::invalid(
            "callback_url must be an http:// or https:// URL",
        ));
    };
    (state.service.check_callback_url(&url).await)
        .map_err(|unreachable| ApiError::invalid(format!("callback_url {unreachable}")))
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SubmissionView>, ApiError> {
    let view = (state.service.submission(&principal, id).await).map_err(ApiError::internal)?;
    let view = view.ok_or_else(|| ApiError::not_found(format!("no submission with id {id}")))?;
    Ok(Json(view))
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

/// What the caller may list: everything for admin and service, their own
/// for a participant.
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
        .submissions(&scope, user_id, question_id, query.limit, query.offset)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(views))
}
