//! The frame every page shares (`base.html`), and templates as responses.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use super::PageError;
use super::session::Viewer;
use crate::auth::Principal;

/// What every page's frame (`base.html`) shows.
pub struct Layout {
    pub nonce: String,
    pub csrf: Option<String>,
    /// Who is signed in, as the header names them.
    pub who: Option<String>,
}

impl Layout {
    pub fn of(viewer: &Viewer) -> Self {
        let who = match &viewer.principal {
            Principal::Admin => Some("Teacher".to_string()),
            Principal::Participant(p) => Some(p.user_id.clone()),
            Principal::Service | Principal::Anonymous => None,
        };
        Self {
            nonce: viewer.nonce.clone(),
            csrf: viewer.csrf.clone(),
            who,
        }
    }
}

/// A template as a page.
pub fn render(template: &impl Template) -> Result<Response, PageError> {
    let html = template
        .render()
        .map_err(|error| PageError::internal(error.into()))?;
    Ok(Html(html).into_response())
}
