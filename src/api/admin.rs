//! `/admin/...`: questions and their test cases, for teachers. Every route
//! needs `Authorization: Bearer <JUDGEBOX_ADMIN_TOKEN>`; with no token
//! configured there is no admin API at all (503), never a default one.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use super::error::{ApiJson, ApiPath};
use super::{ApiError, AppState};
use crate::judge::{Question, QuestionSpec, QuestionTest};

pub fn routes(state: AppState) -> Router<AppState> {
    use axum::routing::{delete, get, post};
    Router::new()
        .route("/admin/questions", post(create))
        .route(
            "/admin/questions/{slug}",
            get(show).put(replace).delete(remove),
        )
        .route("/admin/questions/{slug}/test-cases", post(add_test))
        .route(
            "/admin/questions/{slug}/test-cases/{number}",
            delete(remove_test),
        )
        .route_layer(axum::middleware::from_fn_with_state(state, require_token))
}

async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.admin_token else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "admin_disabled",
            "the admin API is off: start the server with JUDGEBOX_ADMIN_TOKEN set to a secret \
             of at least 16 characters",
        )
        .into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if given.is_some_and(|given| token.matches(given)) {
        return next.run(request).await;
    }
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "admin endpoints need the header Authorization: Bearer <JUDGEBOX_ADMIN_TOKEN>",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, "Bearer".parse().unwrap());
    response
}

fn validated(spec: QuestionSpec, state: &AppState) -> Result<Question, ApiError> {
    Question::new(spec, &state.limits, &state.languages.names()).map_err(ApiError::invalid)
}

async fn create(
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

async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Question>, ApiError> {
    Ok(Json(super::questions::find(&state, &slug).await?))
}

/// Creates or replaces the question at `slug`, tests and all.
async fn replace(
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

async fn remove(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    match state.database.delete_question(&slug).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(super::questions::unknown(&slug)),
        Err(error) => Err(ApiError::internal(error)),
    }
}

async fn add_test(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(test): ApiJson<QuestionTest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let question = super::questions::find(&state, &slug).await?;
    // The question with the new test must still be valid (count, points).
    question
        .with_test(test.clone())
        .map_err(ApiError::invalid)?;
    let number = state
        .database
        .add_question_test(&slug, &test)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| super::questions::unknown(&slug))?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"test_number": number})),
    ))
}

async fn remove_test(
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
