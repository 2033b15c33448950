//! The teachers' pages. Every one needs an admin session: the admin token
//! or an admin API key, given once at `/ui/signin`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;

use super::session::{Layout, Viewer, render};
use super::{PageError, PagesState};
use crate::contest::Contest;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: Layout,
    contests: Vec<Contest>,
    now: chrono::DateTime<Utc>,
}

/// `GET /ui/admin`: the contests.
pub async fn dashboard(
    State(state): State<PagesState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    state.service.access().administer(&viewer.principal)?;
    let contests = (state.database.contests().await).map_err(PageError::internal)?;
    render(&Dashboard {
        layout: Layout::of(&viewer),
        contests,
        now: Utc::now(),
    })
}
