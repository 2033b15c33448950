//! The teachers' pages (teachers are admins: the code says admin, the
//! pages say teacher). Every one needs an admin session (the admin token
//! or an admin API key, given once at `/ui/signin`): its handler takes an
//! `AdminViewer`, which asks `access().administer`, as the admin API does;
//! every form that changes something carries the session's CSRF token. What
//! they save goes through the same use cases as the admin API
//! (`service::authoring`, `Identities::add_participants`).

mod charts;
pub mod contests;
pub mod participants;
pub mod questions;
pub mod rejudges;
pub mod similarity;
pub mod submissions;

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::layout::{Layout, render};
use super::session::Viewer;
use super::views::scoreboard::status_text;
use super::{PageError, PagesState};
use crate::configuration::PublicUrl;
use crate::service::Refusal;
use crate::store::QuestionSummary;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: Layout,
    contests: Vec<ContestRow>,
    questions: Vec<QuestionSummary>,
}

struct ContestRow {
    slug: String,
    title: String,
    window: String,
    status: &'static str,
    participants: u32,
    questions: usize,
}

/// `GET /ui/admin`: the contests and questions, and buttons to make more.
pub async fn dashboard(
    State(state): State<PagesState>,
    viewer: AdminViewer,
) -> Result<Response, PageError> {
    let now = Utc::now();
    let mut contests = Vec::new();
    for contest in (state.database.contests().await).map_err(PageError::internal)? {
        let participants = (state.database.participant_count(contest.slug()).await)
            .map_err(PageError::internal)?;
        contests.push(ContestRow {
            window: window(&contest),
            status: status_text(contest.status(now)),
            questions: contest.questions().len(),
            participants,
            slug: contest.slug().to_string(),
            title: contest.title().to_string(),
        });
    }
    let questions = (state.database.questions().await).map_err(PageError::internal)?;
    render(&Dashboard {
        layout: Layout::of(&viewer),
        contests,
        questions,
    })
}

/// An administrator is asking: every teacher's page takes one, and anyone
/// else is refused by the rule the admin API follows. A changing request
/// checks its CSRF token too (`check_csrf`).
pub struct AdminViewer(Viewer);

impl FromRequestParts<PagesState> for AdminViewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &PagesState) -> Result<Self, PageError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        state.service.access().administer(&viewer.principal)?;
        Ok(Self(viewer))
    }
}

impl std::ops::Deref for AdminViewer {
    type Target = Viewer;

    fn deref(&self) -> &Viewer {
        &self.0
    }
}

/// "2026-01-01 10:00 – 12:00 UTC", with the end's date when it differs.
fn window(contest: &crate::contest::Contest) -> String {
    let same_day = contest.starts_at().date_naive() == contest.ends_at().date_naive();
    format!(
        "{} – {} UTC",
        contest.starts_at().format("%Y-%m-%d %H:%M"),
        contest
            .ends_at()
            .format(if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" })
    )
}

/// A form's fields in order, with repeated names (checkboxes) kept: what
/// `Form<Vec<(String, String)>>` gives.
struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value named `name`, or "".
    fn get(&self, name: &str) -> &str {
        (self.0.iter())
            .find(|(field, _)| field == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Every value named `name`, in order.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        (self.0.iter())
            .filter(move |(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(field, _)| field == name)
    }
}

/// An optional whole number typed in a form: empty is `None`.
fn optional_number<T: std::str::FromStr>(label: &str, text: &str) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    (text.parse().map(Some)).map_err(|_| format!("{label}: {text:?} is not a whole number"))
}

/// A form shown again with what was typed and why it was refused.
fn refused(page: &impl Template) -> Result<Response, PageError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// A refused save as the message its form shows again, or, when the
/// refusal is not about what was written, the error page it is.
fn form_error(refusal: Refusal) -> Result<String, PageError> {
    match refusal {
        Refusal::Invalid(message) | Refusal::Exists { message, .. } => Ok(message),
        other => Err(other.into()),
    }
}

/// After a change: on to the page that shows it.
fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// The absolute link to `path`, for links to hand out: under
/// `JUDGEBOX_PUBLIC_URL` if set, else at this server's address as the
/// request reached it (`Host`), with `https` when a proxy in front says so.
fn absolute_link(public_url: Option<&PublicUrl>, headers: &HeaderMap, path: &str) -> String {
    if let Some(public_url) = public_url {
        return public_url.link(path);
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text("host").unwrap_or("localhost");
    let https = (text("x-forwarded-proto")).is_some_and(|proto| proto.trim() == "https");
    format!("{}://{host}{path}", if https { "https" } else { "http" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_use_the_public_url_else_the_host_and_the_proxys_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "judge.example:8080".parse().unwrap());
        let link = |public: Option<&PublicUrl>, headers: &HeaderMap| {
            absolute_link(public, headers, "/ui/join/t")
        };
        assert_eq!(link(None, &headers), "http://judge.example:8080/ui/join/t");
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(link(None, &headers), "https://judge.example:8080/ui/join/t");
        let public = PublicUrl::parse("https://judge.example.edu/course").unwrap();
        assert_eq!(
            link(Some(&public), &headers),
            "https://judge.example.edu/course/ui/join/t"
        );
    }

    #[test]
    fn fields_keep_repeated_names_in_order() {
        let fields = Fields(vec![
            ("q".into(), "b".into()),
            ("title".into(), "T".into()),
            ("q".into(), "a".into()),
        ]);
        assert_eq!(fields.all("q").collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(fields.get("title"), "T");
        assert_eq!(fields.get("missing"), "");
        assert!(fields.has("q") && !fields.has("public"));
        assert_eq!(optional_number::<u32>("freeze", " 30 "), Ok(Some(30)));
        assert_eq!(optional_number::<u32>("freeze", ""), Ok(None));
        assert!(
            optional_number::<u32>("freeze", "-1")
                .unwrap_err()
                .contains("freeze")
        );
    }
}
