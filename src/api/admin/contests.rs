//! `/admin/contests/...`: contests and their participants. A participant's
//! token (in their `join_url`) is shown once, when they are added.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::error::{ApiJson, ApiPath};
use crate::api::{ApiError, AppState, contests};
use crate::contest::{
    Contest, ContestSpec, ContestStatus, ScoreboardSetting, Scoring, participants as roster,
};
use crate::store::{ContestRefused, ParticipantRecord};

/// A contest as admins see it.
#[derive(Debug, Serialize)]
pub struct AdminContestView {
    slug: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: ContestStatus,
    questions: Vec<String>,
    scoring: Scoring,
    scoreboard: ScoreboardSetting,
    freeze_minutes: Option<u32>,
    public: bool,
    participants: u32,
}

async fn view(state: &AppState, contest: Contest) -> Result<AdminContestView, ApiError> {
    let participants =
        (state.database.participant_count(&contest.slug).await).map_err(ApiError::internal)?;
    Ok(AdminContestView {
        status: contest.status(Utc::now()),
        slug: contest.slug,
        title: contest.title,
        starts_at: contest.starts_at,
        ends_at: contest.ends_at,
        questions: contest.questions,
        scoring: contest.scoring,
        scoreboard: contest.scoreboard,
        freeze_minutes: contest.freeze_minutes,
        public: contest.public,
        participants,
    })
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<AdminContestView>>, ApiError> {
    let contests = state
        .database
        .contests()
        .await
        .map_err(ApiError::internal)?;
    let mut views = Vec::with_capacity(contests.len());
    for contest in contests {
        views.push(view(&state, contest).await?);
    }
    Ok(Json(views))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<AdminContestView>, ApiError> {
    let contest = contests::find(&state, &slug).await?;
    Ok(Json(view(&state, contest).await?))
}

/// Creates or replaces the contest at `slug`; its participants stay.
pub async fn put(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(spec): ApiJson<ContestSpec>,
) -> Result<(StatusCode, Json<AdminContestView>), ApiError> {
    let contest = Contest::new(slug, spec).map_err(ApiError::invalid)?;
    let stored = state.database.put_contest(&contest).await;
    let created = match stored.map_err(ApiError::internal)? {
        Ok(created) => created,
        Err(ContestRefused::UnknownQuestion(question)) => {
            return Err(ApiError::invalid(format!(
                "no question {question:?}; create it first (POST /admin/questions)"
            )));
        }
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view(&state, contest).await?)))
}

pub async fn remove(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    match state.database.delete_contest(&slug).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(contests::unknown(&slug)),
        Err(error) => Err(ApiError::internal(error)),
    }
}

pub async fn participants(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<ParticipantRecord>>, ApiError> {
    contests::find(&state, &slug).await?;
    let participants = (state.database.participants(&slug).await).map_err(ApiError::internal)?;
    Ok(Json(participants))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewParticipantSpec {
    user_id: String,
    name: String,
}

#[derive(Debug, Serialize)]
pub struct IssuedParticipants {
    participants: Vec<IssuedParticipantView>,
}

#[derive(Debug, Serialize)]
struct IssuedParticipantView {
    user_id: String,
    name: String,
    token: String,
    /// The page that signs the participant in (the token is the capability).
    join_url: String,
}

/// Adds participants from JSON (`[{"user_id", "name"}]`) or CSV
/// (`user_id,name` per line): each gets a new token, shown only now.
pub async fn add_participants(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    request: Request,
) -> Result<(StatusCode, Json<IssuedParticipants>), ApiError> {
    let content_type = (request.headers().get(header::CONTENT_TYPE))
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    contests::find(&state, &slug).await?;
    let people = if content_type.starts_with("application/json") {
        let ApiJson(specs) =
            ApiJson::<Vec<NewParticipantSpec>>::from_request(request, &state).await?;
        specs.into_iter().map(|p| (p.user_id, p.name)).collect()
    } else if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        let body = Bytes::from_request(request, &state)
            .await
            .map_err(|rejection| {
                let code = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "bad_request"
                };
                ApiError::new(rejection.status(), code, rejection.body_text())
            })?;
        roster::from_csv(&body).map_err(ApiError::invalid)?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send participants as application/json or as text/csv (user_id,name per line)",
        ));
    };
    let people = roster::checked(people).map_err(ApiError::invalid)?;
    let issued =
        (state.identities.add_participants(&slug, people).await).map_err(ApiError::internal)?;
    let participants = issued
        .into_iter()
        .map(|p| IssuedParticipantView {
            join_url: format!("/ui/join/{}", p.token.expose()),
            token: p.token.expose().to_string(),
            user_id: p.user_id,
            name: p.name,
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(IssuedParticipants { participants }),
    ))
}

pub async fn remove_participant(
    State(state): State<AppState>,
    ApiPath((slug, user_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    match state.database.delete_participant(&slug, &user_id).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::not_found(format!(
            "contest {slug:?} has no participant {user_id:?}"
        ))),
        Err(error) => Err(ApiError::internal(error)),
    }
}
