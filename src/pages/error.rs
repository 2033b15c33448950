//! Page errors: a plain page saying what went wrong (a script's call gets
//! the same text as JSON, like the API's errors).

use std::any::Any;

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::service::Refusal;

#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
    /// Answer as JSON, for the pages' scripts.
    json: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
    sign_in: bool,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            json: false,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn sign_in_required() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Sign in first.")
    }

    /// Every judging slot or the queue is full.
    pub fn busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The judge is busy: try again in a few seconds.",
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// A failure of ours; the details go to the log.
    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed to handle this request; it has been logged.",
        )
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error, answered as JSON.
    pub fn as_json(self) -> Self {
        Self { json: true, ..self }
    }
}

impl From<crate::auth::Denied> for PageError {
    fn from(denied: crate::auth::Denied) -> Self {
        match denied {
            crate::auth::Denied::SignInRequired(_) => Self::sign_in_required(),
            crate::auth::Denied::Forbidden { message, .. } => Self::forbidden(message),
        }
    }
}

impl From<Refusal> for PageError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Denied(denied) => denied.into(),
            Refusal::UnknownQuestion(slug) => {
                Self::not_found(format!("There is no question {slug:?} here."))
            }
            Refusal::UnknownContest(slug) => {
                Self::not_found(format!("There is no contest {slug:?}."))
            }
            Refusal::NotFound(message) => Self::not_found(message),
            Refusal::QuestionInContest(slug) => Self::new(
                StatusCode::CONFLICT,
                format!("Question {slug:?} is in a contest: take it out of the contest first."),
            ),
            Refusal::UnsupportedLanguage { name, supported } => Self::invalid(format!(
                "This judge does not run {name:?}; it runs {}.",
                supported.join(", ")
            )),
            Refusal::Invalid(message) => Self::invalid(message),
            Refusal::Exists { message, .. } => Self::new(StatusCode::CONFLICT, message),
            Refusal::Busy(_) => Self::busy(),
            Refusal::Internal(error) => Self::internal(error),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({"error": {"message": self.message}});
            return (self.status, Json(body)).into_response();
        }
        let page = ErrorPage {
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
            sign_in: self.status == StatusCode::UNAUTHORIZED,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

pub fn panic_page(_: Box<dyn Any + Send + 'static>) -> Response {
    PageError::internal(anyhow::anyhow!("a page handler panicked")).into_response()
}
