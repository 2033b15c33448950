//! HTTP only: routes, request parsing, errors and status codes. The use
//! cases and the views they answer live in `service`; who may do what in
//! `auth` (asked through `service.access()`). Nothing outside this module
//! imports it.

mod admin;
mod contests;
mod error;
mod execute;
mod executions;
mod health;
mod identity;
mod observe;
mod openapi;
mod peers;
mod questions;
mod rate_limit;
mod submissions;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

pub use error::ApiError;
pub use observe::{Activity, observe};
pub use rate_limit::RateLimits;

use crate::configuration::{PeerApis, PublicUrl};
use crate::judge::LimitPolicy;
use crate::languages::Languages;
use crate::service::{Identities, JudgingService};
use crate::store::Database;

#[derive(Clone)]
pub struct AppState {
    pub languages: Arc<Languages>,
    pub limits: LimitPolicy,
    pub database: Database,
    /// Who a request's token names.
    pub identities: Arc<Identities>,
    pub service: Arc<JudgingService>,
    pub rate_limits: Arc<RateLimits>,
    /// Where the server is reached from outside, for absolute links.
    pub public_url: Option<PublicUrl>,
}

pub fn router(state: AppState, max_body_bytes: usize, peer_apis: PeerApis) -> Router {
    let (peers_running, peers_other) = peers::routes(peer_apis);
    // Submitting code counts against a rate limit.
    let submitting = Router::new()
        .route("/execute", post(execute::execute))
        .route("/submissions", post(submissions::submit))
        .merge(peers_running)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ));
    Router::new()
        .merge(admin::routes(state.clone()))
        .merge(submitting)
        .merge(peers_other)
        .route("/questions", get(questions::list))
        .route("/questions/{slug}", get(questions::show))
        .route("/questions/{slug}/scoreboard", get(questions::scoreboard))
        .route("/questions/{slug}/images/{name}", get(questions::image))
        .route("/contests", get(contests::list))
        .route("/contests/{slug}", get(contests::show))
        .route("/contests/{slug}/scoreboard", get(contests::scoreboard))
        .route(
            "/contests/{slug}/clarifications",
            get(contests::clarifications).post(contests::ask),
        )
        .route("/submissions", get(submissions::list))
        .route("/submissions/{id}", get(submissions::show))
        .route("/executions/{id}", get(executions::show))
        .route("/languages", get(health::languages))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(openapi::routes())
        .fallback(error::unknown_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        // Every request, whatever its route, is from a principal or refused.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            identity::identify,
        ))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state)
}
