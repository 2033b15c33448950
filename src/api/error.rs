//! Errors as JSON: `{"error": {"code": "...", "message": "..."}}`, with the
//! right status, for every way a request can be wrong.

use std::any::Any;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::auth::{Denied, Forbidden};
use crate::service::{Existing, Refusal};

/// What a client told "busy" should wait before retrying.
const BUSY_RETRY_SECONDS: u64 = 5;

/// Every error code an answer may carry: stable, one per kind of error, for
/// programs to act on (docs/api.md tables them; the OpenAPI document lists
/// them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    MalformedJson,
    BadRequest,
    Unauthorized,
    InvalidToken,
    Forbidden,
    WrongUser,
    ContestNotRunning,
    ScoreboardHidden,
    NotFound,
    UnknownQuestion,
    UnknownContest,
    MethodNotAllowed,
    QuestionExists,
    ContestExists,
    QuestionInContest,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnsupportedLanguage,
    InvalidRequest,
    CalibrationFailed,
    RateLimited,
    InternalError,
    Busy,
    AdminDisabled,
    NotReady,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// Seconds for a `Retry-After` header.
    retry_after: Option<u64>,
    /// A `WWW-Authenticate` challenge (401s).
    challenge: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
            challenge: None,
        }
    }

    /// 401: a token is needed.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            challenge: Some("Bearer"),
            ..Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
        }
    }

    /// 401: the token given names nobody.
    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self {
            challenge: Some(r#"Bearer error="invalid_token""#),
            ..Self::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidToken, message)
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What was wrong, in words: for the peers' APIs, which answer errors
    /// in their own shapes.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn retry_after(self, seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// A well-formed request whose values are not acceptable.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidRequest,
            message,
        )
    }

    /// A language this server does not run: the same answer on every route.
    pub fn unsupported_language(name: &str, supported: &[&str]) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UnsupportedLanguage,
            format!(
                "unsupported language {name:?}; supported: {}",
                supported.join(", ")
            ),
        )
    }

    /// No such question, or none the caller may see.
    pub fn unknown_question(slug: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownQuestion,
            format!("no question {slug:?}; GET /questions lists them"),
        )
    }

    /// No such contest, or none the caller may see.
    pub fn unknown_contest(slug: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownContest,
            format!("no contest {slug:?}; GET /contests lists those you may see"),
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// Full for now: 503, with `Retry-After`.
    pub fn busy(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy, message)
            .retry_after(BUSY_RETRY_SECONDS)
    }

    /// A failure of ours; the details go to the log, not to the client.
    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "the server failed to handle this request; it has been logged",
        )
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// For programs: stable, one per kind of error (docs/api.md lists them).
    code: ErrorCode,
    /// For people: what was wrong, naming the field or the thing.
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert("retry-after", HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.challenge {
            headers.insert("www-authenticate", HeaderValue::from_static(challenge));
        }
        response
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::SignInRequired(message) => Self::unauthorized(message),
            Denied::Forbidden { reason, message } => {
                let code = match reason {
                    Forbidden::NotPermitted => ErrorCode::Forbidden,
                    Forbidden::WrongUser => ErrorCode::WrongUser,
                    Forbidden::ContestNotRunning => ErrorCode::ContestNotRunning,
                    Forbidden::ScoreboardHidden => ErrorCode::ScoreboardHidden,
                };
                Self::new(StatusCode::FORBIDDEN, code, message)
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Denied(denied) => denied.into(),
            Refusal::UnknownQuestion(slug) => Self::unknown_question(&slug),
            Refusal::UnknownContest(slug) => Self::unknown_contest(&slug),
            Refusal::NotFound(message) => Self::not_found(message),
            Refusal::QuestionInContest(slug) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::QuestionInContest,
                format!("question {slug:?} is in a contest: take it out of the contest first"),
            ),
            Refusal::UnsupportedLanguage { name, supported } => {
                Self::unsupported_language(&name, &supported)
            }
            Refusal::Invalid(message) => Self::invalid(message),
            Refusal::Exists { what, message } => {
                let code = match what {
                    Existing::Question => ErrorCode::QuestionExists,
                    Existing::Contest => ErrorCode::ContestExists,
                };
                Self::new(StatusCode::CONFLICT, code, message)
            }
            Refusal::Busy(what) => Self::busy(what),
            Refusal::Internal(error) => Self::internal(error),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match &rejection {
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidRequest,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::BadRequest,
        };
        Self::new(rejection.status(), code, rejection.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        let code = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::BadRequest
        };
        Self::new(rejection.status(), code, rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            rejection.body_text(),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

/// No text a request gives may hold U+0000: PostgreSQL cannot store it, so
/// the extractors below refuse it the same way on every database.
const NUL_REFUSED: &str = "text may not contain the character U+0000";

/// `axum::Json`, with its rejections answered as `ApiError`s.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        // The body is read here, to be looked at as text too; `Json` reads it
        // again as the request it came in (headers and body limit).
        let (headers, extensions) = (request.headers().clone(), request.extensions().clone());
        let bytes = Bytes::from_request(request, state).await?;
        let mut json = Request::new(Body::from(bytes.clone()));
        *json.headers_mut() = headers;
        *json.extensions_mut() = extensions;
        let Json(value) = Json::<T>::from_request(json, state).await?;
        if holds_nul(&bytes) {
            return Err(ApiError::invalid(NUL_REFUSED));
        }
        Ok(Self(value))
    }
}

/// Whether JSON text holds U+0000, which JSON can only write as `\u0000`
/// (not preceded by another, unescaped, backslash).
fn holds_nul(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(at, window)| {
        let backslashes = json[..at].iter().rev().take_while(|&&b| b == b'\\');
        window == br"\u0000" && backslashes.count() % 2 == 0
    })
}

/// `axum::extract::Path`, with its rejections answered as `ApiError`s.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.uri.path().contains("%00") {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                NUL_REFUSED,
            ));
        }
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// `axum::extract::Query`, with its rejections answered as `ApiError`s.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if (parts.uri.query()).is_some_and(|query| query.contains("%00")) {
            return Err(ApiError::invalid(NUL_REFUSED));
        }
        let Query(value) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Unknown paths, wrong methods and handler panics answer in JSON too.
pub async fn unknown_route() -> ApiError {
    ApiError::not_found("no such endpoint; see GET /languages, POST /execute, GET /executions/{id}")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not accept that method",
    )
}

pub fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal(anyhow::anyhow!("a request handler panicked")).into_response()
}
