//! `GET /contests`, `/contests/{slug}` and `/contests/{slug}/scoreboard`:
//! what the caller may see of contests. A contest they may not see is
//! answered as if it did not exist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiJson, ApiPath, ErrorBody};
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::contest::{Contest, ContestStatus, ScoreboardSetting, Scoring};
use crate::service::{Ask, Scoreboard};
use crate::store::{ClarificationRecord, QuestionSummary};

/// A contest as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContestView {
    slug: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: ContestStatus,
    scoring: Scoring,
    scoreboard: ScoreboardSetting,
    freeze_minutes: Option<u32>,
    /// Once it has started (always, for admin and service).
    #[serde(skip_serializing_if = "Option::is_none")]
    questions: Option<Vec<QuestionTitle>>,
}

#[derive(Debug, Serialize, ToSchema)]
struct QuestionTitle {
    slug: String,
    title: String,
}

fn view(
    state: &AppState,
    principal: &Principal,
    contest: Contest,
    titles: &[QuestionSummary],
    now: DateTime<Utc>,
) -> ContestView {
    let shown = state
        .service
        .access()
        .see_contest_questions(principal, &contest, now);
    let questions = shown.then(|| {
        (contest.questions().iter())
            .map(|slug| QuestionTitle {
                slug: slug.clone(),
                title: (titles.iter().find(|q| &q.slug == slug))
                    .map_or_else(String::new, |q| q.title.clone()),
            })
            .collect()
    });
    ContestView {
        status: contest.status(now),
        slug: contest.slug().to_string(),
        title: contest.title().to_string(),
        starts_at: contest.starts_at(),
        ends_at: contest.ends_at(),
        scoring: contest.scoring(),
        scoreboard: contest.scoreboard(),
        freeze_minutes: contest.freeze_minutes(),
        questions,
    }
}

/// The contests the caller may see
#[utoipa::path(
    get, path = "/contests", tag = "contests", operation_id = "list_contests",
    responses((status = 200, description = "The contests", body = Vec<ContestView>)),
)]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<ContestView>>, ApiError> {
    let contests = state
        .database
        .contests()
        .await
        .map_err(ApiError::internal)?;
    let titles = state
        .database
        .questions()
        .await
        .map_err(ApiError::internal)?;
    let now = Utc::now();
    let access = state.service.access();
    let views = (contests.into_iter())
        .filter(|contest| access.see_contest(&principal, contest))
        .map(|contest| view(&state, &principal, contest, &titles, now))
        .collect();
    Ok(Json(views))
}

/// One contest: its window, status, and its questions once started
#[utoipa::path(
    get, path = "/contests/{slug}", tag = "contests", operation_id = "get_contest",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The contest", body = ContestView),
        (status = 404, description = "`unknown_contest`: none, or not visible to the caller", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<ContestView>, ApiError> {
    let contest = visible(&state, &principal, &slug).await?;
    let titles = state
        .database
        .questions()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(view(&state, &principal, contest, &titles, Utc::now())))
}

/// The contest's ranking, as its `scoreboard` setting allows
#[utoipa::path(
    get, path = "/contests/{slug}/scoreboard", tag = "contests", operation_id = "contest_scoreboard",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The ranking, live or as at the freeze", body = Scoreboard),
        (status = 403, description = "`scoreboard_hidden`: not shown to the caller now", body = ErrorBody),
        (status = 404, description = "`unknown_contest`: none, or not visible to the caller", body = ErrorBody),
    ),
)]
pub async fn scoreboard(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Scoreboard>, ApiError> {
    let contest = visible(&state, &principal, &slug).await?;
    let standings = (state.service.access()).scoreboard(&principal, &contest, Utc::now())?;
    let scoreboard =
        (state.service.scoreboard(&contest, standings).await).map_err(ApiError::internal)?;
    Ok(Json(scoreboard))
}

/// The contest's clarifications and announcements the caller reads
///
/// Announcements and answers given to everyone; a participant's own
/// questions too; admins and services read all. Newest first.
#[utoipa::path(
    get, path = "/contests/{slug}/clarifications", tag = "contests", operation_id = "list_clarifications",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "Newest first", body = Vec<ClarificationRecord>),
        (status = 404, description = "`unknown_contest`: none, or not visible to the caller", body = ErrorBody),
    ),
)]
pub async fn clarifications(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<ClarificationRecord>>, ApiError> {
    let contest = visible(&state, &principal, &slug).await?;
    Ok(Json(
        state.service.clarifications(&principal, &contest).await?,
    ))
}

/// Asks a question about one of the contest's questions, or the contest
///
/// Participants only, while the contest runs for them; the teacher answers
/// privately or to everyone.
#[utoipa::path(
    post, path = "/contests/{slug}/clarifications", tag = "contests", operation_id = "ask",
    params(("slug" = String, Path)),
    request_body = Ask,
    responses(
        (status = 201, description = "Asked", body = ClarificationRecord),
        (status = 403, description = "`forbidden`: not a participant of this contest; `contest_not_running`", body = ErrorBody),
        (status = 404, description = "`unknown_contest`: none, or not visible to the caller", body = ErrorBody),
        (status = 422, description = "`invalid`: empty or too long, or not one of the contest's questions", body = ErrorBody),
    ),
)]
pub async fn ask(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
    ApiJson(ask): ApiJson<Ask>,
) -> Result<(StatusCode, Json<ClarificationRecord>), ApiError> {
    let contest = visible(&state, &principal, &slug).await?;
    let asked = state.service.ask(&principal, &contest, ask).await?;
    Ok((StatusCode::CREATED, Json(asked)))
}

/// The contest if `principal` may see it; otherwise the same 404 as for
/// one that does not exist.
async fn visible(state: &AppState, principal: &Principal, slug: &str) -> Result<Contest, ApiError> {
    let contest = state.service.contest(slug).await?;
    if !state.service.access().see_contest(principal, &contest) {
        return Err(ApiError::unknown_contest(slug));
    }
    Ok(contest)
}
