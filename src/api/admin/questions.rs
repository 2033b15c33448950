//! `/admin/questions/...`: questions and their test cases.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::{ApiJson, ApiPath};
use crate::api::{ApiError, AppState, questions};
use crate::judge::{Question, QuestionSpec, QuestionTest};

fn validated(spec: QuestionSpec, state: &AppState) -> Result<Question, ApiError> {
    Question::new(spec, &state.limits, &state.languages.names()).map_err(ApiError::invalid)
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
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
    Ok((StatusCode::CREATED, Json(question)))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Question>, ApiError> {
    Ok(Json(questions::find(&state, &slug).await?))
}

/// Creates or replaces the question at `slug`, tests and all.
pub async fn replace(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
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
    Ok((status, Json(question)))
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
