//! `GET /questions` and `GET /questions/{slug}`: what students see of the
//! questions they may see. Hidden tests appear only as a count.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiPath, ErrorBody};
use super::{ApiError, AppState};
use crate::auth::{Principal, RANKED_OWNERS};
use crate::contest::Contest;
use crate::judge::{AppliedLimits, Comparison, Limits, Question, StatementImage};
use crate::store::{QuestionSummary, ScoreboardRow};

/// What students see of a question: hidden tests only as a count.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicQuestion {
    slug: String,
    title: String,
    statement: String,
    /// The general limits, as the teacher wrote them.
    limits: Limits,
    /// What each language it accepts gets, and why.
    language_limits: BTreeMap<String, AppliedLimits>,
    compare: Comparison,
    /// Empty: every language the server runs.
    languages: Vec<String>,
    /// Whether submissions talk to a judge program as they run; its
    /// examples then show `interaction`s, not input and output.
    interactive: bool,
    /// The visible test cases, numbered as in verdicts.
    examples: Vec<Example>,
    hidden_tests: usize,
    max_score: u32,
}

#[derive(Debug, Serialize, ToSchema)]
struct Example {
    test_number: usize,
    /// Empty for an interactive question: the input is the judge program's.
    input: String,
    /// Empty for an interactive question.
    expected_output: String,
    points: u32,
    /// What the judge program (lines starting `<`) and a solution (`>`) said.
    #[serde(skip_serializing_if = "Option::is_none")]
    interaction: Option<String>,
}

impl PublicQuestion {
    fn new(question: Question, state: &AppState) -> Self {
        let interactive = question.interactor().is_some();
        let shown = |text: &String| {
            if interactive {
                String::new()
            } else {
                text.clone()
            }
        };
        let examples = (question.examples())
            .map(|(test_number, test)| Example {
                test_number,
                input: shown(&test.input),
                expected_output: shown(&test.expected_output),
                points: test.points,
                interaction: test.interaction.clone(),
            })
            .collect();
        Self {
            language_limits: question.language_limits(&state.limits, &state.languages.names()),
            hidden_tests: question.test_cases().iter().filter(|t| t.hidden).count(),
            interactive,
            max_score: question.max_score(),
            examples,
            slug: question.slug().to_string(),
            title: question.title().to_string(),
            statement: question.statement().to_string(),
            limits: question.limits().clone(),
            compare: question.compare(),
            languages: question.languages().to_vec(),
        }
    }
}

/// The questions the caller may see
///
/// Questions in no contest are seen by all; a contest's from its start.
#[utoipa::path(
    get, path = "/questions", tag = "questions", operation_id = "list_questions",
    responses((status = 200, description = "The questions, by slug", body = Vec<QuestionSummary>)),
)]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<QuestionSummary>>, ApiError> {
    let questions = state
        .database
        .questions()
        .await
        .map_err(ApiError::internal)?;
    let contests = state
        .database
        .contests()
        .await
        .map_err(ApiError::internal)?;
    let now = Utc::now();
    let visible = |question: &QuestionSummary| {
        let holding: Vec<Contest> = (contests.iter())
            .filter(|contest| contest.contains(&question.slug))
            .cloned()
            .collect();
        state
            .service
            .access()
            .see_question(&principal, &holding, now)
    };
    Ok(Json(questions.into_iter().filter(visible).collect()))
}

/// What students see of a question
#[utoipa::path(
    get, path = "/questions/{slug}", tag = "questions", operation_id = "get_question",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The question", body = PublicQuestion),
        (status = 404, description = "`unknown_question`: none, or not visible to the caller", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<PublicQuestion>, ApiError> {
    let (question, contests) = find_in_contests(&state, &slug).await?;
    if !(state.service.access()).see_question(&principal, &contests, Utc::now()) {
        return Err(ApiError::unknown_question(&slug));
    }
    Ok(Json(PublicQuestion::new(question, &state)))
}

/// An image its statement shows
///
/// Served to whoever may see the question, where the statement's image
/// links point (the pages serve it at `/ui/questions/...` for a viewer's
/// session). An SVG cannot run script here: the response is sandboxed.
#[utoipa::path(
    get, path = "/questions/{slug}/images/{name}", tag = "questions",
    operation_id = "get_statement_image",
    params(("slug" = String, Path), ("name" = String, Path)),
    responses(
        (status = 200, description = "The image (png, jpeg, gif, svg or webp)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "`unknown_question`, or `not_found`: the statement shows no such image", body = ErrorBody),
    ),
)]
pub async fn image(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((slug, name)): ApiPath<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let image = (state.service)
        .statement_image(&principal, &slug, &name)
        .await?;
    let headers = [
        (header::CONTENT_TYPE, image.content_type()),
        (header::CACHE_CONTROL, "private, max-age=300"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            StatementImage::CONTENT_SECURITY_POLICY,
        ),
    ];
    Ok((headers, image.into_bytes()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionScoreboard {
    question_id: String,
    max_score: u32,
    /// Ranked by best score, then by who first got every point.
    users: Vec<ScoreboardRow>,
}

/// A question's scoreboard
///
/// Per user: best score, attempts, and when they first got every point. A
/// question in a contest is ranked on the contest's scoreboard instead.
#[utoipa::path(
    get, path = "/questions/{slug}/scoreboard", tag = "questions", operation_id = "question_scoreboard",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The scoreboard", body = QuestionScoreboard),
        (status = 403, description = "`scoreboard_hidden`: the question is in a contest (admin and service only)", body = ErrorBody),
        (status = 404, description = "`unknown_question`: none, or not visible to the caller", body = ErrorBody),
    ),
)]
pub async fn scoreboard(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<QuestionScoreboard>, ApiError> {
    let (question, contests) = find_in_contests(&state, &slug).await?;
    let access = state.service.access();
    if !access.see_question(&principal, &contests, Utc::now()) {
        return Err(ApiError::unknown_question(&slug));
    }
    access.question_scoreboard(&principal, &slug, &contests)?;
    let rows = state
        .database
        .scoreboard(&slug, RANKED_OWNERS)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(QuestionScoreboard {
        question_id: slug,
        max_score: question.max_score(),
        users: rows,
    }))
}

/// The question and the contests it is in, or a 404 naming it.
pub async fn find_in_contests(
    state: &AppState,
    slug: &str,
) -> Result<(Question, Vec<Contest>), ApiError> {
    Ok(state.service.question_in_contests(slug).await?)
}

/// The question, or a 404 naming it.
pub async fn find(state: &AppState, slug: &str) -> Result<Question, ApiError> {
    Ok(state.service.question(slug).await?)
}
