//! The web pages, served by the binary itself under `/ui`: students join a
//! contest from a link, read questions, write code in an editor, run it on
//! the examples and submit; teachers sign in once and manage contests,
//! questions and participants, and watch the scoreboard and submissions.
//!
//! Server-rendered HTML from askama templates (checked at compile time),
//! plus one small script (`app.js`) and the editor bundle (`editor.js`,
//! built from npm by `make`). Sessions are cookies; every form and script
//! call that changes something carries the session's CSRF token; the
//! Content-Security-Policy forbids inline scripts. Who may see or do what
//! is asked of `auth`, exactly as the API asks.

mod admin;
mod assets;
mod clarifications;
mod error;
mod layout;
mod markdown;
mod security;
mod session;
mod student;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::PageError;
pub use session::Viewer;

use crate::configuration::PublicUrl;
use crate::judge::LimitPolicy;
use crate::languages::Languages;
use crate::package;
use crate::service::{Identities, JudgingService};
use crate::store::Database;

#[derive(Clone)]
pub struct PagesState {
    pub service: Arc<JudgingService>,
    pub identities: Arc<Identities>,
    pub database: Database,
    pub languages: Arc<Languages>,
    /// The server's limits, which questions are checked against.
    pub limits: LimitPolicy,
    /// Where the server is reached from outside, for links shown to copy.
    pub public_url: Option<PublicUrl>,
}

pub fn router(state: PagesState, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/ui", get(student::home))
        .route(
            "/ui/join/{token}",
            get(session::join_form).post(session::join),
        )
        .route(
            "/ui/signin",
            get(session::sign_in_form).post(session::sign_in),
        )
        .route("/ui/signout", post(session::sign_out))
        .route("/ui/admin", get(admin::dashboard))
        .route(
            "/ui/admin/contests/new",
            get(admin::contests::new_form).post(admin::contests::create),
        )
        .route("/ui/admin/contests/{contest}", get(admin::contests::show))
        .route(
            "/ui/admin/contests/{contest}/edit",
            get(admin::contests::edit_form).post(admin::contests::update),
        )
        .route(
            "/ui/admin/contests/{contest}/charts",
            get(admin::contests::charts_fragment),
        )
        .route(
            "/ui/admin/contests/{contest}/participants",
            get(admin::participants::list).post(admin::participants::add),
        )
        .route(
            "/ui/admin/contests/{contest}/participants/remove",
            post(admin::participants::remove),
        )
        .route(
            "/ui/admin/contests/{contest}/participants/time",
            post(admin::participants::set_time),
        )
        .route(
            "/ui/admin/questions/new",
            get(admin::questions::new_form).post(admin::questions::create),
        )
        .route(
            "/ui/admin/questions/{question}/edit",
            get(admin::questions::edit_form).post(admin::questions::update),
        )
        .route(
            "/ui/admin/questions/{question}/preview",
            get(admin::questions::preview),
        )
        .route(
            "/ui/admin/questions/{question}/run",
            post(admin::questions::run),
        )
        .route(
            "/ui/admin/questions/{question}/calibrate",
            post(admin::questions::calibrate),
        )
        .route(
            "/ui/admin/questions/{question}/package",
            put(admin::questions::import_package)
                .layer(DefaultBodyLimit::max(package::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/ui/admin/contests/{contest}/results.csv",
            get(admin::contests::results_csv),
        )
        .route(
            "/ui/admin/contests/{contest}/submissions.zip",
            get(admin::contests::archive),
        )
        .route(
            "/ui/admin/contests/{contest}/rejudges",
            get(admin::rejudges::fragment),
        )
        .route("/ui/admin/rejudges", post(admin::rejudges::create))
        .route(
            "/ui/admin/contests/{contest}/similarity/{question}",
            get(admin::similarity::report),
        )
        .route(
            "/ui/admin/contests/{contest}/similarity/{question}/{a}/{b}",
            get(admin::similarity::pair),
        )
        .route("/ui/admin/submissions", get(admin::submissions::list))
        .route("/ui/admin/submissions/{id}", get(admin::submissions::show))
        .route("/ui/contests/{contest}", get(student::contest))
        .route(
            "/ui/contests/{contest}/scoreboard",
            get(student::scoreboard_fragment),
        )
        .route(
            "/ui/contests/{contest}/questions/{question}",
            get(student::question),
        )
        .route(
            "/ui/contests/{contest}/questions/{question}/run",
            post(student::run),
        )
        .route(
            "/ui/contests/{contest}/questions/{question}/submissions",
            post(student::submit),
        )
        .route(
            "/ui/contests/{contest}/clarifications",
            get(clarifications::fragment).post(clarifications::ask),
        )
        .route(
            "/ui/admin/contests/{contest}/announcements",
            post(clarifications::announce),
        )
        .route(
            "/ui/admin/contests/{contest}/clarifications/{id}/answer",
            post(clarifications::answer),
        )
        .route("/ui/submissions/{id}", get(student::submission))
        .route(
            "/ui/questions/{question}/images/{name}",
            get(student::statement_image),
        )
        .route("/ui/assets/{name}", get(assets::serve))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(axum::middleware::from_fn(security::security_headers))
        .layer(CatchPanicLayer::custom(error::panic_page))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The span of a page request: its method and path, but never a join
/// link's token (debug logs would otherwise keep sign-in credentials).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/ui/join/") {
        "/ui/join/{token}"
    } else {
        path
    };
    tracing::debug_span!("request", method = %request.method(), path)
}
