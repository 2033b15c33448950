//! Who is asking: every request's `Authorization: Bearer` token (or, for
//! the peers' APIs, `X-Auth-Token` or `X-API-KEY`) becomes a `Principal`
//! (none: anonymous) before any route runs; a token that names
//! nobody is refused here, on every route, with 401.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::auth::Principal;

/// Where the peers' clients send an API key (`api::peers`): Judge0's and
/// Jobe's headers, read when there is no `Authorization`.
const PEER_KEY_HEADERS: [&str; 2] = ["x-auth-token", "x-api-key"];

pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let authorization = headers.get(header::AUTHORIZATION);
    let peer_key = PEER_KEY_HEADERS.iter().find_map(|name| headers.get(*name));
    let bearer = match authorization.map(|value| value.to_str()) {
        None => match peer_key.map(|value| value.to_str()) {
            None => None,
            Some(Ok(key)) => Some(key.trim().to_string()),
            Some(Err(_)) => {
                return ApiError::invalid_token("the API key header is not text").into_response();
            }
        },
        Some(Ok(value)) => match bearer_token(value) {
            Some(token) => Some(token.to_string()),
            None => {
                return ApiError::invalid_token("use Authorization: Bearer <token>")
                    .into_response();
            }
        },
        Some(Err(_)) => {
            return ApiError::invalid_token("the Authorization header is not text").into_response();
        }
    };
    match state.identities.principal(bearer.as_deref()).await {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Ok(None) => {
            ApiError::invalid_token("the token is wrong or has been revoked").into_response()
        }
        Err(error) => ApiError::internal(error).into_response(),
    }
}

/// The token of `Bearer <token>`; the scheme's case does not matter.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        (parts.extensions.get::<Principal>().cloned())
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a route runs without `identify`")))
    }
}
