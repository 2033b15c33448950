//! Rejudging from the teachers' pages: a button on the contest page (the
//! whole contest or one question) and on a submission's page, and the
//! contest's rejudges with their progress, which the contest page keeps live.
//! The same use case as `POST /admin/rejudges`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::{AdminViewer, see_other};
use crate::pages::layout::render;
use crate::pages::{PageError, PagesState};
use crate::service::{RejudgeRequest, RejudgeView};

/// A contest's rejudges, newest first, with their progress.
#[derive(Template)]
#[template(path = "admin/rejudges.html")]
pub(super) struct RejudgesTable {
    rejudges: Vec<RejudgeView>,
}

impl RejudgesTable {
    pub(super) async fn of(state: &PagesState, contest: &str) -> Result<Self, PageError> {
        let rejudges = state.service.rejudges(Some(contest)).await?;
        Ok(Self { rejudges })
    }

    fn what(&self, rejudge: &RejudgeView) -> String {
        match (&rejudge.submission_id, &rejudge.question) {
            (Some(id), _) => format!("submission {}", &id.to_string()[..8]),
            (None, Some(question)) => format!("question {question}"),
            (None, None) => "every question".into(),
        }
    }
}

/// `GET /ui/admin/contests/{slug}/rejudges`: the table alone, which the
/// contest page fetches while a rejudge runs.
pub async fn fragment(
    State(state): State<PagesState>,
    _: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    state.service.contest(&slug).await?;
    render(&RejudgesTable::of(&state, &slug).await?)
}

#[derive(Deserialize)]
pub struct RejudgeForm {
    csrf: String,
    #[serde(default)]
    contest: String,
    /// Empty: every question of the contest.
    #[serde(default)]
    question: String,
    #[serde(default)]
    submission_id: Option<Uuid>,
}

/// `POST /ui/admin/rejudges`: queues the rejudge, then back to the page
/// it was asked from, which shows its progress.
pub async fn create(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Form(form): Form<RejudgeForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let given = |text: String| Some(text).filter(|t| !t.is_empty());
    let request = RejudgeRequest {
        submission_id: form.submission_id,
        contest: given(form.contest),
        question: given(form.question),
    };
    let back = match (&request.submission_id, &request.contest) {
        (Some(id), _) => format!("/ui/admin/submissions/{id}"),
        (None, Some(contest)) => format!("/ui/admin/contests/{contest}#rejudges"),
        (None, None) => "/ui/admin".into(),
    };
    state.service.rejudge(request).await?;
    Ok(see_other(&back))
}
