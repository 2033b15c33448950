//! Clarifications on the pages. Students ask from the contest page or a
//! question page and read answers and announcements in a list that both
//! pages keep live, with a count of unread ones (kept by the browser).
//! Teachers answer, to the asker or to everyone, and announce, from the
//! contest page. The same use cases and access rules as the API's.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::admin::AdminViewer;
use super::layout::render;
use super::session::Viewer;
use super::views::encode;
use super::{PageError, PagesState};
use crate::contest::Contest;
use crate::service::{Answer, Ask};
use crate::store::ClarificationRecord;

/// A contest's clarifications and announcements as the viewer reads them.
#[derive(Template)]
#[template(path = "clarifications.html")]
pub(super) struct ClarificationList {
    contest: String,
    items: Vec<ClarificationRecord>,
    /// The teacher's list, with a form to answer each question.
    teacher: bool,
    csrf: String,
}

impl ClarificationList {
    pub(super) async fn of(
        state: &PagesState,
        viewer: &Viewer,
        contest: &Contest,
        teacher: bool,
    ) -> Result<Self, PageError> {
        let items = (state.service)
            .clarifications(&viewer.principal, contest)
            .await?;
        Ok(Self {
            contest: contest.slug().to_string(),
            items,
            teacher,
            csrf: viewer.csrf.clone().unwrap_or_default(),
        })
    }

    pub(super) fn unanswered(&self) -> usize {
        (self.items.iter())
            .filter(|c| c.asked_by.is_some() && c.answer.is_none())
            .count()
    }
}

/// `GET /ui/contests/{slug}/clarifications`: the list alone, which the
/// contest and question pages fetch to keep it live.
pub async fn fragment(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = super::student::visible_contest(&state, &viewer, &slug).await?;
    render(&ClarificationList::of(&state, &viewer, &contest, false).await?)
}

#[derive(Deserialize)]
pub struct AskForm {
    csrf: String,
    /// Empty: about the contest.
    #[serde(default)]
    question: String,
    text: String,
    /// Back to the question's page rather than the contest's.
    #[serde(default)]
    from_question: bool,
}

/// `POST /ui/contests/{slug}/clarifications`: a participant asks, then
/// back to the page they asked from.
pub async fn ask(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let contest = super::student::visible_contest(&state, &viewer, &slug).await?;
    let question = Some(form.question).filter(|q| !q.is_empty());
    let back = match (&question, form.from_question) {
        (Some(question), true) => format!(
            "/ui/contests/{}/questions/{}#clarifications",
            encode(&slug),
            encode(question)
        ),
        _ => format!("/ui/contests/{}#clarifications", encode(&slug)),
    };
    let ask = Ask {
        question,
        text: form.text,
    };
    state.service.ask(&viewer.principal, &contest, ask).await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct AnnounceForm {
    csrf: String,
    #[serde(default)]
    question: String,
    text: String,
}

/// `POST /ui/admin/contests/{slug}/announcements`.
pub async fn announce(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(form): Form<AnnounceForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let contest = state.service.contest(&slug).await?;
    let announcement = Ask {
        question: Some(form.question).filter(|q| !q.is_empty()),
        text: form.text,
    };
    state.service.announce(&contest, announcement).await?;
    Ok(back_to_teacher(&slug))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    csrf: String,
    answer: String,
    #[serde(default)]
    public: Option<String>,
}

/// `POST /ui/admin/contests/{slug}/clarifications/{id}/answer`.
pub async fn answer(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let id = Uuid::parse_str(&id).map_err(|_| PageError::not_found("No such clarification."))?;
    let contest = state.service.contest(&slug).await?;
    let answer = Answer {
        answer: form.answer,
        public: form.public.is_some(),
    };
    state.service.answer(&contest, id, answer).await?;
    Ok(back_to_teacher(&slug))
}

fn back_to_teacher(slug: &str) -> Response {
    Redirect::to(&format!(
        "/ui/admin/contests/{}#clarifications",
        encode(slug)
    ))
    .into_response()
}
