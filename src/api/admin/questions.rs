//! `/admin/questions/...`: questions, their test cases, and their
//! calibration from reference solutions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::api::error::{ApiJson, ApiPath};
use crate::api::{ApiError, AppState, questions};
use crate::judge::{AppliedLimits, Calibration, Question, QuestionSpec, QuestionTest};

/// A question as admins see it: all of it, reference solutions too, with
/// its last calibration and what each language it accepts gets.
#[derive(Debug, Serialize)]
pub struct AdminQuestion {
    #[serde(flatten)]
    question: Question,
    calibrated: Option<CalibrationState>,
    language_limits: BTreeMap<String, AppliedLimits>,
}

#[derive(Debug, Serialize)]
struct CalibrationState {
    #[serde(flatten)]
    calibration: Calibration,
    /// The tests, reference solutions, comparison or calibration settings
    /// changed since: it no longer applies until the question is calibrated again.
    stale: bool,
}

impl AdminQuestion {
    fn new(question: Question, state: &AppState) -> Self {
        let stale = question.fresh_calibration().is_none();
        let calibrated = (question.calibrated.clone())
            .map(|calibration| CalibrationState { calibration, stale });
        Self {
            language_limits: question.language_limits(&state.limits, &state.languages.names()),
            calibrated,
            question,
        }
    }
}

fn validated(spec: QuestionSpec, state: &AppState) -> Result<Question, ApiError> {
    Question::new(spec, &state.limits, &state.languages.names()).map_err(ApiError::invalid)
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<AdminQuestion>), ApiError> {
    let question = validated(spec, &state)?;
    let created = state
        .database
        .insert_question(&question)
        .await
        .map_err(ApiError::internal)?;
    if !created {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "question_exists",
            format!(
                "question {:?} exists: PUT /admin/questions/{0} replaces it",
                question.slug
            ),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(AdminQuestion::new(question, &state)),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<AdminQuestion>, ApiError> {
    let question = questions::find(&state, &slug).await?;
    Ok(Json(AdminQuestion::new(question, &state)))
}

/// Creates or replaces the question at `slug`, tests and all.
pub async fn replace(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<AdminQuestion>), ApiError> {
    if spec.slug != slug {
        return Err(ApiError::invalid(format!(
            "the body's slug {:?} is not the path's {slug:?}",
            spec.slug
        )));
    }
    let question = validated(spec, &state)?;
    let created = state
        .database
        .put_question(&question)
        .await
        .map_err(ApiError::internal)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    // As stored: with its last calibration, stale or not.
    let question = questions::find(&state, &slug).await?;
    Ok((status, Json(AdminQuestion::new(question, &state))))
}

/// What `POST /admin/questions/{slug}/calibrate` answers.
#[derive(Debug, Serialize)]
pub struct CalibrationReport {
    question_id: String,
    calibrated: Calibration,
    /// Limits capped at the server's maximum, languages that count no
    /// instructions, per-language limits that apply instead.
    warnings: Vec<String>,
    language_limits: BTreeMap<String, AppliedLimits>,
}

/// Judges every reference solution on every test and records the limits
/// they give; 422 naming the solution and the test if one fails.
pub async fn calibrate(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<CalibrationReport>, ApiError> {
    questions::find(&state, &slug).await?;
    let slot = (state.service.judging_slot().await)
        .map_err(|_| ApiError::busy("every judging slot is taken and the wait is full"))?;
    let calibrated = (state.service.calibrate(slot, &slug).await)
        .map_err(ApiError::internal)?
        .ok_or_else(|| questions::unknown(&slug))?
        .map_err(|why| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "calibration_failed", why)
        })?;
    let question = questions::find(&state, &slug).await?;
    Ok(Json(CalibrationReport {
        language_limits: question.language_limits(&state.limits, &state.languages.names()),
        question_id: slug,
        calibrated: calibrated.calibration,
        warnings: calibrated.warnings,
    }))
}

pub async fn remove(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let in_contest =
        (state.database.question_in_contest(&slug).await).map_err(ApiError::internal)?;
    if in_contest {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "question_in_contest",
            format!("question {slug:?} is in a contest: take it out of the contest first"),
        ));
    }
    match state.database.delete_question(&slug).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(questions::unknown(&slug)),
        Err(error) => Err(ApiError::internal(error)),
    }
}

pub async fn add_test(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(test): ApiJson<QuestionTest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let question = questions::find(&state, &slug).await?;
    // The question with the new test must still be valid (count, points).
    question
        .with_test(test.clone())
        .map_err(ApiError::invalid)?;
    let number = state
        .database
        .add_question_test(&slug, &test)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| questions::unknown(&slug))?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"test_number": number})),
    ))
}

pub async fn remove_test(
    State(state): State<AppState>,
    ApiPath((slug, number)): ApiPath<(String, u32)>,
) -> Result<StatusCode, ApiError> {
    match state.database.delete_question_test(&slug, number).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::not_found(format!(
            "question {slug:?} has no test case {number}"
        ))),
        Err(error) => Err(ApiError::internal(error)),
    }
}
