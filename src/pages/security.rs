//! The protections every page gets: changes only from our own pages (a
//! same-origin check, besides each session's CSRF token) and a strict
//! Content-Security-Policy with a nonce per response.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::PageError;
use crate::auth::{self, TokenKind};

/// This response's nonce for the editor's injected styles.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Every page: refuses changes from other sites, and sets a strict
/// Content-Security-Policy (no inline script; styles only from our file or
/// with this response's nonce) and the usual hardening headers.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) && !same_origin(request.headers()) {
        return PageError::forbidden("This request came from another site.").into_response();
    }
    let nonce = auth::new_token(TokenKind::Csrf).expose()[4..36].to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.entry(name).or_insert(value);
        }
    };
    set("content-security-policy", &policy);
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    // Join links carry a token: never send it on as a referrer.
    set("referrer-policy", "no-referrer");
    set("cache-control", "no-store");
    response
}

/// Whether a changing request comes from our own pages: browsers say where
/// it came from in `Sec-Fetch-Site` or `Origin`.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        // Not a browser, or an old one: the CSRF token still guards.
        _ => true,
    }
}
