//! Who is looking at a page: a session cookie opened by a participant's
//! join link or a teacher's sign-in, and the CSRF token each session
//! holds for its forms.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::layout::{Layout, render};
use super::security::CspNonce;
use super::{PageError, PagesState};
use crate::auth::{self, Principal};
use crate::service::SESSION_LIFETIME;

const COOKIE: &str = "jb_session";

/// The principal behind a page request, with what its page needs to send
/// back: the session's CSRF token and this response's CSP nonce.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    /// `None` without a session.
    pub csrf: Option<String>,
    pub nonce: String,
    cookie: Option<String>,
}

impl Viewer {
    /// Refuses a change whose CSRF token is not this session's.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), PageError> {
        match (&self.csrf, given) {
            (Some(csrf), Some(given))
                if auth::constant_time_eq(csrf.as_bytes(), given.as_bytes()) =>
            {
                Ok(())
            }
            (None, _) => Err(PageError::sign_in_required()),
            _ => Err(PageError::forbidden(
                "This form has expired or did not come from this site: reload the page and try again.",
            )),
        }
    }

    /// Refuses a change from a script whose `X-CSRF-Token` header is not
    /// this session's.
    pub fn check_csrf_header(&self, headers: &HeaderMap) -> Result<(), PageError> {
        let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        self.check_csrf(given).map_err(PageError::as_json)
    }

    pub fn is_signed_in(&self) -> bool {
        self.principal != Principal::Anonymous
    }
}

impl FromRequestParts<PagesState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &PagesState) -> Result<Self, PageError> {
        let nonce = (parts.extensions.get::<CspNonce>())
            .map(|n| n.0.clone())
            .unwrap_or_default();
        let cookie = session_cookie(&parts.headers);
        let session = match &cookie {
            Some(cookie) => {
                (state.identities.session(cookie).await).map_err(PageError::internal)?
            }
            None => None,
        };
        let (principal, csrf) = match session {
            Some((principal, csrf)) => (principal, Some(csrf)),
            None => (Principal::Anonymous, None),
        };
        Ok(Self {
            principal,
            csrf,
            nonce,
            cookie,
        })
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    (headers.get_all(header::COOKIE).iter())
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// `Set-Cookie` for a new session (`Secure` when the page came over HTTPS,
/// as a proxy in front says).
fn set_cookie(value: &str, headers: &HeaderMap) -> String {
    let https = (headers.get("x-forwarded-proto")).is_some_and(|proto| proto == "https");
    format!(
        "{COOKIE}={value}; Path=/ui; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_LIFETIME.num_seconds(),
        if https { "; Secure" } else { "" }
    )
}

fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/ui; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    layout: Layout,
    contest: String,
    user_id: String,
    token: String,
}

/// `GET /ui/join/{token}`: a participant's join link asks them to confirm
/// who they are joining as. Nothing is signed in by a GET, so another site
/// cannot sign a student in as someone else by sending them a link.
pub async fn join_form(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let principal =
        (state.identities.principal(Some(&token)).await).map_err(PageError::internal)?;
    let Some(Principal::Participant(participant)) = principal else {
        return Err(invalid_join_link());
    };
    let contest = (state.database.contest(&participant.contest).await)
        .map_err(PageError::internal)?
        .map_or(participant.contest, |contest| contest.title().to_string());
    render(&JoinPage {
        layout: Layout::of(&viewer),
        contest,
        user_id: participant.user_id,
        token,
    })
}

/// `POST /ui/join/{token}`: signs the participant in to their contest and
/// opens it. The same-origin check in `security_headers` guards it.
pub async fn join(
    State(state): State<PagesState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let opened = (state.identities.open_session(&token).await).map_err(PageError::internal)?;
    let Some((Principal::Participant(participant), session, _)) = opened else {
        return Err(invalid_join_link());
    };
    let location = format!("/ui/contests/{}", participant.contest);
    let cookie = set_cookie(session.expose(), &headers);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&location)).into_response())
}

fn invalid_join_link() -> PageError {
    PageError::not_found(
        "This join link is not valid: it was mistyped, or replaced by a newer one. \
         Ask your teacher for your link.",
    )
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    layout: Layout,
    message: Option<String>,
}

/// `GET /ui/signin`: teachers sign in with the admin token or an admin API key.
pub async fn sign_in_form(viewer: Viewer) -> Result<Response, PageError> {
    if viewer.principal == Principal::Admin {
        return Ok(Redirect::to("/ui/admin").into_response());
    }
    render(&SignInPage {
        layout: Layout::of(&viewer),
        message: None,
    })
}

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

/// `POST /ui/signin`. No session exists yet to hold a CSRF token: the
/// same-origin check in `security_headers` guards it.
pub async fn sign_in(
    State(state): State<PagesState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Result<Response, PageError> {
    let opened =
        (state.identities.open_session(form.token.trim()).await).map_err(PageError::internal)?;
    match opened {
        Some((Principal::Admin, session, _)) => {
            let cookie = set_cookie(session.expose(), &headers);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/ui/admin")).into_response())
        }
        _ => {
            let page = SignInPage {
                layout: Layout::of(&viewer),
                message: Some("That is not an admin token or admin API key.".into()),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /ui/signout`: ends the session.
pub async fn sign_out(
    State(state): State<PagesState>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(&form.csrf))?;
    if let Some(cookie) = &viewer.cookie {
        (state.identities.end_session(cookie).await).map_err(PageError::internal)?;
    }
    Ok(([(header::SET_COOKIE, clear_cookie())], Redirect::to("/ui")).into_response())
}
