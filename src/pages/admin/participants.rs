//! A contest's participants: the list, adding people from CSV (pasted, or
//! uploaded and read by the page's script) and removing them. Each one
//! added gets a join link, shown once, on the page that answers the form:
//! only the tokens' digests are stored, so that page cannot be shown again
//! (nor by another replica), and it is answered directly rather than
//! through a redirect.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::contests::{local_input, parse_time};
use super::{AdminViewer, absolute_link, optional_number, refused, see_other};
use crate::contest::{Contest, OwnTime, participants as roster};
use crate::pages::layout::{Layout, render};
use crate::pages::session::Viewer;
use crate::pages::{PageError, PagesState};
use crate::service::Refusal;
use crate::store::ParticipantRecord;

#[derive(Template)]
#[template(path = "admin/participants.html")]
struct ParticipantsPage {
    layout: Layout,
    contest: Contest,
    participants: Vec<ParticipantRecord>,
    /// What was pasted, kept when it was refused.
    csv: String,
    error: Option<String>,
}

impl ParticipantsPage {
    /// A participant's own start as the form shows it; "" for the contest's.
    fn own_start(&self, participant: &ParticipantRecord) -> String {
        participant.starts_at.map_or_else(String::new, local_input)
    }
}

#[derive(Template)]
#[template(path = "admin/participants_added.html")]
struct AddedPage {
    layout: Layout,
    contest: Contest,
    added: Vec<JoinLink>,
}

struct JoinLink {
    user_id: String,
    name: String,
    url: String,
}

async fn page(
    state: &PagesState,
    viewer: &Viewer,
    contest: Contest,
    csv: String,
    error: Option<String>,
) -> Result<ParticipantsPage, PageError> {
    let participants =
        (state.database.participants(contest.slug()).await).map_err(PageError::internal)?;
    Ok(ParticipantsPage {
        layout: Layout::of(viewer),
        contest,
        participants,
        csv,
        error,
    })
}

/// `GET /ui/admin/contests/{slug}/participants`.
pub async fn list(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    render(&page(&state, &viewer, contest, String::new(), None).await?)
}

#[derive(Deserialize)]
pub struct NewParticipants {
    csrf: String,
    csv: String,
}

/// `POST /ui/admin/contests/{slug}/participants`: adds the people in the
/// CSV (an existing user id gets a new link; the old one stops working)
/// and shows their join links, this once.
pub async fn add(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<NewParticipants>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let contest = state.service.contest(&slug).await?;
    let issued = match roster::from_csv(form.csv.as_bytes()) {
        Ok(people) => state.identities.add_participants(&slug, people).await,
        Err(error) => Err(Refusal::Invalid(error)),
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(Refusal::Invalid(error)) => {
            return refused(&page(&state, &viewer, contest, form.csv, Some(error)).await?);
        }
        Err(refusal) => return Err(refusal.into()),
    };
    let added = (issued.into_iter())
        .map(|p| JoinLink {
            url: absolute_link(
                state.public_url.as_ref(),
                &headers,
                &format!("/ui/join/{}", p.token.expose()),
            ),
            user_id: p.user_id,
            name: p.name,
        })
        .collect();
    render(&AddedPage {
        layout: Layout::of(&viewer),
        contest,
        added,
    })
}

#[derive(Deserialize)]
pub struct Removal {
    csrf: String,
    user_id: String,
}

/// `POST /ui/admin/contests/{slug}/participants/remove`: their link stops
/// working; their submissions stay.
pub async fn remove(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(form): Form<Removal>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    (state.identities)
        .remove_participant(&slug, &form.user_id)
        .await?;
    Ok(see_other(&format!(
        "/ui/admin/contests/{slug}/participants"
    )))
}

#[derive(Deserialize)]
pub struct TimeForm {
    csrf: String,
    user_id: String,
    /// Empty: the contest's start.
    #[serde(default)]
    starts_at: String,
    /// Empty: none.
    #[serde(default)]
    extra_minutes: String,
}

impl TimeForm {
    fn own_time(&self) -> Result<OwnTime, String> {
        let starts_at = match self.starts_at.trim() {
            "" => None,
            text => Some(parse_time("Own start", text)?),
        };
        let extra_minutes = optional_number("Extra minutes", &self.extra_minutes)?.unwrap_or(0);
        Ok(OwnTime {
            starts_at,
            extra_minutes,
        })
    }
}

/// `POST /ui/admin/contests/{slug}/participants/time`: a participant's own
/// start and extra minutes (accommodations); their link keeps working.
pub async fn set_time(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(form): Form<TimeForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let contest = state.service.contest(&slug).await?;
    let saved = match form.own_time() {
        Ok(own) => {
            (state.identities)
                .set_participant_time(&slug, &form.user_id, &own)
                .await
        }
        Err(error) => Err(Refusal::Invalid(error)),
    };
    match saved {
        Ok(()) => Ok(see_other(&format!(
            "/ui/admin/contests/{slug}/participants"
        ))),
        Err(Refusal::Invalid(error)) => {
            refused(&page(&state, &viewer, contest, String::new(), Some(error)).await?)
        }
        Err(refusal) => Err(refusal.into()),
    }
}
