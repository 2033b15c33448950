//! The APIs of other judges, answered by judgebox, so that their clients
//! switch by changing one URL: Jobe (Moodle CodeRunner), Judge0 CE and
//! Piston. Each file maps its peer's request onto one run of a program on
//! the path `POST /execute` takes (`JudgingService::judge_own_tests`: the
//! same sandbox, limits, access rules and records), and the result back
//! onto the peer's shape. docs/peers/ says what each one differs in.

mod jobe;
mod judge0;
mod piston;

use std::marker::PhantomData;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::Value;

use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::configuration::PeerApis;
use crate::judge::{
    Comparison, Given, NonUtf8Output, RequestedLimits, Submission, TestCase, TestResult,
};
use crate::service::{ExecutionView, Refusal};

/// The routes of the peers' APIs switched on: those that run code (to
/// count against the rate limit), and the others.
pub fn routes(apis: PeerApis) -> (Router<AppState>, Router<AppState>) {
    let (mut code_runs, mut other_routes) = (Router::new(), Router::new());
    if apis.jobe {
        code_runs = code_runs.merge(jobe::code_runs());
        other_routes = other_routes.merge(jobe::other_routes());
    }
    if apis.judge0 {
        code_runs = code_runs.merge(judge0::code_runs());
        other_routes = other_routes.merge(judge0::other_routes());
    }
    if apis.piston {
        code_runs = code_runs.merge(piston::code_runs());
        other_routes = other_routes.merge(piston::other_routes());
    }
    (code_runs, other_routes)
}

/// An error as a peer answers one: a status and a JSON body, in the shape
/// `S` gives what judgebox refused.
struct PeerError<S> {
    status: StatusCode,
    body: Value,
    shape: PhantomData<S>,
}

/// How a peer words a refusal: its status for judgebox's, and its body.
trait ErrorShape {
    fn status(status: StatusCode) -> StatusCode {
        status
    }

    fn body(message: &str) -> Value;
}

impl<S: ErrorShape> PeerError<S> {
    fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            shape: PhantomData,
        }
    }

    /// 400 with `message`, in the peer's shape.
    fn bad(message: impl AsRef<str>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, S::body(message.as_ref()))
    }
}

impl<S> IntoResponse for PeerError<S> {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl<S: ErrorShape> From<Refusal> for PeerError<S> {
    fn from(refusal: Refusal) -> Self {
        let error = ApiError::from(refusal);
        Self::new(S::status(error.status()), S::body(error.message()))
    }
}

/// What every peer's request comes down to: one program, run once.
struct ProgramRun {
    /// judgebox's name for it.
    language: &'static str,
    code: String,
    stdin: String,
    /// Judged as `POST /execute`'s `trimmed` comparison when given.
    expected_output: Option<String>,
    given: Given,
    limits: RequestedLimits,
    non_utf8_output: NonUtf8Output,
}

impl ProgramRun {
    /// Judged and recorded as `principal`'s own run.
    async fn judge(
        self,
        state: &AppState,
        principal: &Principal,
    ) -> Result<ExecutionView, Refusal> {
        self.checked(state)?.judge(state, principal).await
    }

    /// The submission to judge, if every value is acceptable.
    fn checked(self, state: &AppState) -> Result<CheckedRun, Refusal> {
        let texts = [
            Some(&self.code),
            Some(&self.stdin),
            self.expected_output.as_ref(),
        ];
        if texts.into_iter().flatten().any(|text| text.contains('\0')) {
            return Err(Refusal::Invalid(
                "the source, input and expected output may not contain the character U+0000".into(),
            ));
        }
        let test = TestCase::new(self.stdin, self.expected_output);
        let comparison = Comparison::default();
        let submission = (Submission::new(
            self.code,
            vec![test],
            &self.limits,
            comparison,
            &state.limits,
            self.language,
        ))
        .and_then(|submission| submission.with_given(self.language, self.given))
        .map(|mut submission| {
            submission.non_utf8_output = self.non_utf8_output;
            submission
        })
        .map_err(Refusal::Invalid)?;
        Ok(CheckedRun {
            language: self.language,
            submission,
        })
    }
}

/// A run whose values were checked, to judge now or later.
pub(super) struct CheckedRun {
    language: &'static str,
    submission: Submission,
}

impl CheckedRun {
    async fn judge(
        self,
        state: &AppState,
        principal: &Principal,
    ) -> Result<ExecutionView, Refusal> {
        (state.service)
            .judge_own_tests(principal, self.submission, self.language, None, None)
            .await
    }
}

/// The result of the one test a peer's run has.
fn only_result(view: &ExecutionView) -> &TestResult {
    &view.test_results[0]
}
