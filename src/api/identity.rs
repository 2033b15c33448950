//! Who is asking: every request's `Authorization: Bearer` token becomes a
//! `Principal` (none: anonymous) before any route runs; a token that names
//! nobody is refused here, on every route, with 401.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::auth::Principal;

pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION);
    let bearer = match authorization.map(|value| value.to_str()) {
        None => None,
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
