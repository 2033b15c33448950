//! `/admin/...`: what teachers and operators manage: questions, contests
//! and their participants, rejudges, API keys. Only admins (the operator's
//! `JUDGEBOX_ADMIN_TOKEN` or an admin API key); with neither configured
//! there is no admin API at all (503), never a default password.

pub(super) mod api_keys;
pub(super) mod contests;
pub(super) mod questions;
pub(super) mod rejudges;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ErrorCode;
use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::package;

pub fn routes(state: AppState) -> Router<AppState> {
    use axum::routing::{delete, get, post, put};
    Router::new()
        .route("/admin/questions", post(questions::create))
        .route(
            "/admin/questions/{slug}",
            get(questions::show)
                .put(questions::replace)
                .delete(questions::remove),
        )
        .route(
            "/admin/questions/{slug}/test-cases",
            post(questions::add_test),
        )
        .route(
            "/admin/questions/{slug}/calibrate",
            post(questions::calibrate),
        )
        .route(
            "/admin/questions/{slug}/package",
            put(questions::import_package)
                .layer(DefaultBodyLimit::max(package::MAX_UPLOAD_BYTES))
                .get(questions::export_package),
        )
        .route(
            "/admin/questions/{slug}/test-cases/{number}",
            delete(questions::remove_test),
        )
        .route("/admin/contests", get(contests::list))
        .route(
            "/admin/contests/{slug}",
            get(contests::show)
                .put(contests::put)
                .delete(contests::remove),
        )
        .route(
            "/admin/contests/{slug}/participants",
            get(contests::participants).post(contests::add_participants),
        )
        .route(
            "/admin/contests/{slug}/participants/{user_id}",
            delete(contests::remove_participant),
        )
        .route(
            "/admin/contests/{slug}/questions/{question}/similarity",
            get(contests::similarity),
        )
        .route(
            "/admin/contests/{slug}/announcements",
            post(contests::announce),
        )
        .route(
            "/admin/contests/{slug}/clarifications/{id}/answer",
            post(contests::answer),
        )
        .route(
            "/admin/contests/{slug}/results.csv",
            get(contests::results_csv),
        )
        .route(
            "/admin/contests/{slug}/submissions.zip",
            get(contests::archive),
        )
        .route(
            "/admin/contests/{slug}/participants/{user_id}/time",
            put(contests::set_participant_time),
        )
        .route(
            "/admin/rejudges",
            get(rejudges::list).post(rejudges::create),
        )
        .route("/admin/rejudges/{id}", get(rejudges::show))
        .route(
            "/admin/api-keys",
            get(api_keys::list).post(api_keys::create),
        )
        .route("/admin/api-keys/{id}", delete(api_keys::revoke))
        .route_layer(axum::middleware::from_fn_with_state(state, require_admin))
}

async fn require_admin(
    State(state): State<AppState>,
    principal: Principal,
    request: Request,
    next: Next,
) -> Response {
    if principal == Principal::Anonymous && !state.identities.has_admin_token() {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::AdminDisabled,
            "the admin API is off: start the server with JUDGEBOX_ADMIN_TOKEN set to a secret \
             of at least 16 characters",
        )
        .into_response();
    }
    match state.service.access().administer(&principal) {
        Ok(()) => next.run(request).await,
        Err(denied) => ApiError::from(denied).into_response(),
    }
}
