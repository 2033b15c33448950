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

use super::{AdminViewer, origin, refused, see_other};
use crate::contest::{Contest, participants as roster};
use crate::pages::session::{Layout, Viewer, render};
use crate::pages::{PageError, PagesState};
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

async fn find(state: &PagesState, slug: &str) -> Result<Contest, PageError> {
    (state.database.contest(slug).await)
        .map_err(PageError::internal)?
        .ok_or_else(|| PageError::not_found(format!("There is no contest {slug:?}.")))
}

async fn page(
    state: &PagesState,
    viewer: &Viewer,
    contest: Contest,
    csv: String,
    error: Option<String>,
) -> Result<ParticipantsPage, PageError> {
    let participants =
        (state.database.participants(&contest.slug).await).map_err(PageError::internal)?;
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
    let contest = find(&state, &slug).await?;
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
    let contest = find(&state, &slug).await?;
    let people = roster::from_csv(form.csv.as_bytes()).and_then(roster::checked);
    let people = match people {
        Ok(people) => people,
        Err(error) => {
            return refused(&page(&state, &viewer, contest, form.csv, Some(error)).await?);
        }
    };
    let issued =
        (state.identities.add_participants(&slug, people).await).map_err(PageError::internal)?;
    let origin = origin(&headers);
    let added = (issued.into_iter())
        .map(|p| JoinLink {
            url: format!("{origin}/ui/join/{}", p.token.expose()),
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
    find(&state, &slug).await?;
    let removed = (state
        .database
        .delete_participant(&slug, &form.user_id)
        .await)
        .map_err(PageError::internal)?;
    if !removed {
        return Err(PageError::not_found(format!(
            "Contest {slug:?} has no participant {:?}.",
            form.user_id
        )));
    }
    Ok(see_other(&format!(
        "/ui/admin/contests/{slug}/participants"
    )))
}
