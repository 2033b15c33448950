//! `/admin/contests/...`: contests and their participants. A participant's
//! token (in their `join_url`) is shown once, when they are added.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::error::{ApiJson, ApiPath, ApiQuery, ErrorBody, ErrorCode};
use crate::api::{ApiError, AppState};
use crate::attachment::attachment;
use crate::contest::{
    Contest, ContestSpec, ContestStatus, OwnTime, ScoreboardSetting, Scoring,
    participants as roster,
};
use crate::service::{Answer, Ask, MAX_PAIRS, Saved, SimilarityReport};
use crate::store::{ClarificationRecord, ParticipantRecord};

/// A contest as admins see it.
#[derive(Debug, Serialize, ToSchema)]
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
    compile_errors_count: bool,
    practice_after_end: bool,
    participants: u32,
}

async fn view(state: &AppState, contest: Contest) -> Result<AdminContestView, ApiError> {
    let participants =
        (state.database.participant_count(contest.slug()).await).map_err(ApiError::internal)?;
    Ok(AdminContestView {
        status: contest.status(Utc::now()),
        slug: contest.slug().to_string(),
        title: contest.title().to_string(),
        starts_at: contest.starts_at(),
        ends_at: contest.ends_at(),
        questions: contest.questions().to_vec(),
        scoring: contest.scoring(),
        scoreboard: contest.scoreboard(),
        freeze_minutes: contest.freeze_minutes(),
        public: contest.public(),
        compile_errors_count: contest.compile_errors_count(),
        practice_after_end: contest.practice_after_end(),
        participants,
    })
}

/// Every contest
#[utoipa::path(
    get, path = "/admin/contests", tag = "admin", operation_id = "admin_list_contests",
    responses((status = 200, description = "The contests", body = Vec<AdminContestView>)),
)]
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

/// One contest, as admins see it
#[utoipa::path(
    get, path = "/admin/contests/{slug}", tag = "admin", operation_id = "admin_get_contest",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The contest", body = AdminContestView),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<AdminContestView>, ApiError> {
    let contest = state.service.contest(&slug).await?;
    Ok(Json(view(&state, contest).await?))
}

/// Creates or replaces a contest
///
/// Its participants stay.
#[utoipa::path(
    put, path = "/admin/contests/{slug}", tag = "admin", operation_id = "put_contest",
    params(("slug" = String, Path, description = "1 to 64 characters of a-z, 0-9 and -")),
    request_body = ContestSpec,
    responses(
        (status = 200, description = "Replaced", body = AdminContestView),
        (status = 201, description = "Created", body = AdminContestView, links(
            ("AddParticipants" = (operation_id = "add_participants",
                parameters(("slug" = "$request.path.slug")))),
            ("GetContest" = (operation_id = "get_contest",
                parameters(("slug" = "$request.path.slug")))),
            ("Scoreboard" = (operation_id = "contest_scoreboard",
                parameters(("slug" = "$request.path.slug")))),
        )),
    ),
)]
pub async fn put(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(spec): ApiJson<ContestSpec>,
) -> Result<(StatusCode, Json<AdminContestView>), ApiError> {
    let (contest, saved) = state.service.put_contest(slug, spec).await?;
    let status = match saved {
        Saved::Created => StatusCode::CREATED,
        Saved::Replaced => StatusCode::OK,
    };
    Ok((status, Json(view(&state, contest).await?)))
}

/// Deletes a contest with its participants and their tokens
///
/// Its submissions stay.
#[utoipa::path(
    delete, path = "/admin/contests/{slug}", tag = "admin", operation_id = "delete_contest",
    params(("slug" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn remove(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_contest(&slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A contest's participants, without tokens
#[utoipa::path(
    get, path = "/admin/contests/{slug}/participants", tag = "admin", operation_id = "list_participants",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The participants", body = Vec<ParticipantRecord>),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn participants(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<ParticipantRecord>>, ApiError> {
    state.service.contest(&slug).await?;
    let participants = (state.database.participants(&slug).await).map_err(ApiError::internal)?;
    Ok(Json(participants))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewParticipantSpec {
    user_id: String,
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedParticipants {
    participants: Vec<IssuedParticipantView>,
}

#[derive(Debug, Serialize, ToSchema)]
struct IssuedParticipantView {
    user_id: String,
    name: String,
    token: String,
    /// The page that signs the participant in (the token is the
    /// capability): absolute under `JUDGEBOX_PUBLIC_URL`, else a path.
    join_url: String,
}

/// Adds participants, each with a new token
///
/// From JSON (`[{"user_id", "name"}]`) or CSV (`user_id,name` per line):
/// each gets a new token, shown only now; an existing participant's old
/// token is revoked.
#[utoipa::path(
    post, path = "/admin/contests/{slug}/participants", tag = "admin", operation_id = "add_participants",
    params(("slug" = String, Path)),
    // CSV is any text, so it has no schema, only an example: a schema's
    // `type: string` would tell clients (and fuzzers) nothing.
    request_body(content(
        (Vec<NewParticipantSpec> = "application/json"),
        ("text/csv", example = "ada,Ada Lovelace\nalan,Alan Turing\n"),
    )),
    responses(
        (status = 201, description = "The participants with their tokens, shown only now",
            body = IssuedParticipants, links(
            ("RemoveParticipant" = (operation_id = "remove_participant", parameters(
                ("slug" = "$request.path.slug"),
                ("user_id" = "$response.body#/participants/0/user_id")))),
        )),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn add_participants(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    request: Request,
) -> Result<(StatusCode, Json<IssuedParticipants>), ApiError> {
    let content_type = (request.headers().get(header::CONTENT_TYPE))
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let people = if content_type.starts_with("application/json") {
        let ApiJson(specs) =
            ApiJson::<Vec<NewParticipantSpec>>::from_request(request, &state).await?;
        specs.into_iter().map(|p| (p.user_id, p.name)).collect()
    } else if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        let body = Bytes::from_request(request, &state).await?;
        roster::from_csv(&body).map_err(ApiError::invalid)?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send participants as application/json or as text/csv (user_id,name per line)",
        ));
    };
    let issued = state.identities.add_participants(&slug, people).await?;
    let participants = issued
        .into_iter()
        .map(|p| {
            let path = format!("/ui/join/{}", p.token.expose());
            IssuedParticipantView {
                join_url: (state.public_url.as_ref())
                    .map_or_else(|| path.clone(), |u| u.link(&path)),
                token: p.token.expose().to_string(),
                user_id: p.user_id,
                name: p.name,
            }
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(IssuedParticipants { participants }),
    ))
}

/// Removes a participant; their token stops working
#[utoipa::path(
    delete, path = "/admin/contests/{slug}/participants/{user_id}", tag = "admin", operation_id = "remove_participant",
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "`not_found`: no such participant", body = ErrorBody),
    ),
)]
pub async fn remove_participant(
    State(state): State<AppState>,
    ApiPath((slug, user_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.identities.remove_participant(&slug, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a participant's own time: a later start, extra minutes
///
/// For accommodations: their submissions, scoreboard times, penalties and
/// freeze follow their own window; their token stays.
#[utoipa::path(
    put, path = "/admin/contests/{slug}/participants/{user_id}/time", tag = "admin",
    operation_id = "set_participant_time",
    params(("slug" = String, Path), ("user_id" = String, Path)),
    request_body = OwnTime,
    responses(
        (status = 204, description = "Set"),
        (status = 404, description = "`unknown_contest`, or `not_found`: no such participant",
            body = ErrorBody),
        (status = 422, description = "`invalid`: too many extra minutes", body = ErrorBody),
    ),
)]
pub async fn set_participant_time(
    State(state): State<AppState>,
    ApiPath((slug, user_id)): ApiPath<(String, String)>,
    ApiJson(own): ApiJson<OwnTime>,
) -> Result<StatusCode, ApiError> {
    (state.identities)
        .set_participant_time(&slug, &user_id, &own)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The contest's results as CSV, for a gradebook
///
/// One row per participant, ranked: `rank, user_id, name`, then per
/// question its score, attempts and the time of its first full score, then
/// `total` and `penalty_minutes`. Live standings, as admins see them.
#[utoipa::path(
    get, path = "/admin/contests/{slug}/results.csv", tag = "admin", operation_id = "contest_results",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The results", content_type = "text/csv", body = String),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn results_csv(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, ApiError> {
    let contest = state.service.contest(&slug).await?;
    let csv = (state.service.contest_results_csv(&contest).await).map_err(ApiError::internal)?;
    let name = format!("{slug}-results.csv");
    Ok(attachment("text/csv; charset=utf-8", &name, csv))
}

/// Every submission to the contest with its code and verdict, zipped
///
/// `<user>/<question>/<n>-<verdict>.<extension>` for each, and
/// `submissions.csv` listing them all.
#[utoipa::path(
    get, path = "/admin/contests/{slug}/submissions.zip", tag = "admin", operation_id = "contest_archive",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The archive", content_type = "application/zip", body = Vec<u8>),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
    ),
)]
pub async fn archive(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, ApiError> {
    let contest = state.service.contest(&slug).await?;
    let zip = (state.service.contest_archive(&contest).await).map_err(ApiError::internal)?;
    let name = format!("{slug}-submissions.zip");
    Ok(attachment("application/zip", &name, zip))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarityQuery {
    /// Pairs to list, most alike first.
    #[serde(default = "default_pairs")]
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: usize,
}

fn default_pairs() -> usize {
    50
}

/// How alike the participants' final submissions to a question are
///
/// Every pair in the same language, compared as MOSS does (winnowed
/// fingerprints of the token stream: renamed names, comments, layout and
/// reordered functions do not hide a copy); the most alike first.
#[utoipa::path(
    get, path = "/admin/contests/{slug}/questions/{question}/similarity", tag = "admin",
    operation_id = "question_similarity",
    params(("slug" = String, Path), ("question" = String, Path), SimilarityQuery),
    responses(
        (status = 200, description = "The report", body = SimilarityReport),
        (status = 404, description = "`unknown_contest`, or `unknown_question`: not in the contest",
            body = ErrorBody),
    ),
)]
pub async fn similarity(
    State(state): State<AppState>,
    ApiPath((slug, question)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<SimilarityQuery>,
) -> Result<Json<SimilarityReport>, ApiError> {
    if !(1..=MAX_PAIRS).contains(&query.limit) {
        return Err(ApiError::invalid(format!("limit must be 1 to {MAX_PAIRS}")));
    }
    let contest = state.service.contest(&slug).await?;
    let report = state.service.similarity(&contest, &question, query.limit);
    Ok(Json(report.await?))
}

/// Posts an announcement to everyone in the contest
#[utoipa::path(
    post, path = "/admin/contests/{slug}/announcements", tag = "admin", operation_id = "announce",
    params(("slug" = String, Path)),
    request_body = Ask,
    responses(
        (status = 201, description = "Announced", body = ClarificationRecord),
        (status = 404, description = "`unknown_contest`", body = ErrorBody),
        (status = 422, description = "`invalid`: empty or too long, or not one of the contest's questions", body = ErrorBody),
    ),
)]
pub async fn announce(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(announcement): ApiJson<Ask>,
) -> Result<(StatusCode, Json<ClarificationRecord>), ApiError> {
    let contest = state.service.contest(&slug).await?;
    let posted = state.service.announce(&contest, announcement).await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

/// Answers a participant's question, to them or to everyone
///
/// Answering again replaces the answer.
#[utoipa::path(
    post, path = "/admin/contests/{slug}/clarifications/{id}/answer", tag = "admin",
    operation_id = "answer_clarification",
    params(("slug" = String, Path), ("id" = uuid::Uuid, Path)),
    request_body = Answer,
    responses(
        (status = 200, description = "Answered", body = ClarificationRecord),
        (status = 404, description = "`unknown_contest`, or `not_found`: no such question asked", body = ErrorBody),
        (status = 422, description = "`invalid`: empty or too long", body = ErrorBody),
    ),
)]
pub async fn answer(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, uuid::Uuid)>,
    ApiJson(answer): ApiJson<Answer>,
) -> Result<Json<ClarificationRecord>, ApiError> {
    let contest = state.service.contest(&slug).await?;
    Ok(Json(state.service.answer(&contest, id, answer).await?))
}
