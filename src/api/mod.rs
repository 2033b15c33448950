//! HTTP only: routes, request parsing and response shapes. Judging lives in
//! `judge`, storage in `store`.

mod admin;
mod error;
mod execute;
mod executions;
mod health;
mod questions;
mod rate_limit;
mod submissions;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use execute::ExecutionView;
pub use rate_limit::RateLimits;
pub use submissions::SubmissionView;

use crate::judge::LimitPolicy;
use crate::languages::Languages;
use crate::queue::Judging;
use crate::store::Database;

#[derive(Clone)]
pub struct AppState {
    pub languages: Arc<Languages>,
    pub limits: LimitPolicy,
    pub database: Database,
    /// `None`: the admin API answers 503.
    pub admin_token: Option<Arc<str>>,
    pub judging: Arc<Judging>,
    pub rate_limits: Arc<RateLimits>,
}

pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    // Submitting code counts against the per-address rate limit.
    let submitting = Router::new()
        .route("/execute", post(execute::execute))
        .route("/submissions", post(submissions::submit))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::by_ip,
        ));
    Router::new()
        .merge(admin::routes(state.clone()))
        .merge(submitting)
        .route("/questions", get(questions::list))
        .route("/questions/{slug}", get(questions::show))
        .route("/questions/{slug}/scoreboard", get(questions::scoreboard))
        .route("/submissions", get(submissions::list))
        .route("/submissions/{id}", get(submissions::show))
        .route("/executions/{id}", get(executions::show))
        .route("/languages", get(health::languages))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(error::unknown_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
