//! `/admin/questions/...`: questions, their test cases, and their
//! calibration from reference solutions.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::error::{ApiJson, ApiPath, ApiQuery, ErrorBody, ErrorCode};
use crate::api::{ApiError, AppState, questions};
use crate::attachment::attachment;
use crate::judge::{AppliedLimits, Calibration, Question, QuestionSpec, QuestionTest};
use crate::package::{self, DEFAULT_STATEMENT_LANGUAGE};
use crate::service::{ImportReport, Saved, Strictness};

/// A question as admins see it: all of it, reference solutions too, with
/// its last calibration and what each language it accepts gets.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminQuestion {
    #[serde(flatten)]
    question: Question,
    calibrated: Option<CalibrationState>,
    language_limits: BTreeMap<String, AppliedLimits>,
}

#[derive(Debug, Serialize, ToSchema)]
struct CalibrationState {
    #[serde(flatten)]
    calibration: Calibration,
    /// The tests, reference solutions, comparison or calibration settings
    /// changed since: it no longer applies until the question is calibrated again.
    stale: bool,
}

impl AdminQuestion {
    fn new(question: Question, state: &AppState) -> Self {
        let stale = question.fresh_calibration().is_none();
        let calibrated = (question.calibrated().cloned())
            .map(|calibration| CalibrationState { calibration, stale });
        Self {
            language_limits: question.language_limits(&state.limits, &state.languages.names()),
            calibrated,
            question,
        }
    }
}

/// Creates a question
#[utoipa::path(
    post, path = "/admin/questions", tag = "admin", operation_id = "create_question",
    request_body = QuestionSpec,
    responses(
        (status = 201, description = "Created", body = AdminQuestion, links(
            ("GetQuestion" = (operation_id = "admin_get_question",
                parameters(("slug" = "$response.body#/slug")))),
            ("AddTestCase" = (operation_id = "add_test_case",
                parameters(("slug" = "$response.body#/slug")))),
            ("Calibrate" = (operation_id = "calibrate_question",
                parameters(("slug" = "$response.body#/slug")))),
            ("Delete" = (operation_id = "delete_question",
                parameters(("slug" = "$response.body#/slug")))),
        )),
        (status = 409, description = "`question_exists`: the slug is taken (`PUT` replaces)", body = ErrorBody),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<AdminQuestion>), ApiError> {
    let question = state.service.create_question(spec).await?;
    Ok((
        StatusCode::CREATED,
        Json(AdminQuestion::new(question, &state)),
    ))
}

/// The whole question, hidden tests and reference solutions included
#[utoipa::path(
    get, path = "/admin/questions/{slug}", tag = "admin", operation_id = "admin_get_question",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The question", body = AdminQuestion),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<AdminQuestion>, ApiError> {
    let question = questions::find(&state, &slug).await?;
    Ok(Json(AdminQuestion::new(question, &state)))
}

/// Creates or replaces a question, tests and all
#[utoipa::path(
    put, path = "/admin/questions/{slug}", tag = "admin", operation_id = "put_question",
    params(("slug" = String, Path, description = "The body's `slug`")),
    request_body = QuestionSpec,
    responses(
        (status = 200, description = "Replaced", body = AdminQuestion),
        (status = 201, description = "Created", body = AdminQuestion),
    ),
)]
pub async fn replace(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(spec): ApiJson<QuestionSpec>,
) -> Result<(StatusCode, Json<AdminQuestion>), ApiError> {
    if spec.slug != slug {
        return Err(ApiError::invalid(format!(
            "the body's slug {:?} is not the path's {slug:?}",
            spec.slug
        )));
    }
    let status = status_of(state.service.put_question(spec).await?.1);
    // As stored: with its last calibration, stale or not.
    let question = questions::find(&state, &slug).await?;
    Ok((status, Json(AdminQuestion::new(question, &state))))
}

/// What importing a package answers: the question as stored, and what
/// the import found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedQuestion {
    question: AdminQuestion,
    report: ImportReport,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportOptions {
    /// Refuse (422) a package whose own solutions are not judged as it
    /// expects, instead of storing it marked not verified.
    #[serde(default)]
    strict: bool,
    /// The statement's language, where the package has several (a code
    /// such as `en`, the default).
    #[serde(default = "default_statement_language")]
    statement_language: String,
}

fn default_statement_language() -> String {
    DEFAULT_STATEMENT_LANGUAGE.into()
}

/// Imports a problem package (Kattis / ICPC or Polygon) as a question
///
/// The body is the package zipped. Its checker is built and its input
/// validators run on every test (a failure refuses the package); its time
/// limit is the package's own, or calibrated from its accepted
/// submissions; every solution it ships is judged, and the report says how.
#[utoipa::path(
    put, path = "/admin/questions/{slug}/package", tag = "admin", operation_id = "import_package",
    params(("slug" = String, Path, description = "The question's slug"), ImportOptions),
    request_body(content = Vec<u8>, content_type = "application/zip", description = "The package, zipped"),
    responses(
        (status = 200, description = "Replaced", body = ImportedQuestion),
        (status = 201, description = "Created", body = ImportedQuestion),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/zip`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: what is wrong with the package; nothing was stored", body = ErrorBody),
    ),
)]
pub async fn import_package(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(options): ApiQuery<ImportOptions>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportedQuestion>), ApiError> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if !content_type.is_some_and(|t| t.starts_with("application/zip")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the package zipped, with Content-Type: application/zip",
        ));
    }
    let strictness = Strictness::strict_if(options.strict);
    let imported = state
        .service
        .import_zip(body, slug, options.statement_language, strictness);
    let (question, saved, report) = imported.await?;
    let status = status_of(saved);
    let question = AdminQuestion::new(question, &state);
    Ok((status, Json(ImportedQuestion { question, report })))
}

/// The question as a Kattis package (2025-09 layout)
///
/// It imports again (`PUT .../package`) to the same question, where the
/// format can say it all (see docs/problems.md).
#[utoipa::path(
    get, path = "/admin/questions/{slug}/package", tag = "admin", operation_id = "export_package",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The package, zipped", content_type = "application/zip", body = Vec<u8>),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: the question cannot be a Kattis package (a testlib checker or interactor)", body = ErrorBody),
    ),
)]
pub async fn export_package(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let question = questions::find(&state, &slug).await?;
    let images = (state.database.statement_images(&slug).await).map_err(ApiError::internal)?;
    let zip = package::kattis_zip(&question, &images)
        .map_err(|why| ApiError::invalid(format!("question {slug:?} cannot be exported: {why}")))?;
    Ok(attachment("application/zip", &format!("{slug}.zip"), zip))
}

/// 201 for a question created, 200 for one replaced.
fn status_of(saved: Saved) -> StatusCode {
    match saved {
        Saved::Created => StatusCode::CREATED,
        Saved::Replaced => StatusCode::OK,
    }
}

/// What `POST /admin/questions/{slug}/calibrate` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationReport {
    question_id: String,
    calibrated: Calibration,
    /// Limits capped at the server's maximum, languages that count no
    /// instructions, per-language limits that apply instead.
    warnings: Vec<String>,
    language_limits: BTreeMap<String, AppliedLimits>,
}

/// Calibrates a question's time limits from its reference solutions
///
/// Judges every reference solution three times on every test and records
/// the limits they give; 422 naming the solution and the test if one fails.
#[utoipa::path(
    post, path = "/admin/questions/{slug}/calibrate", tag = "admin", operation_id = "calibrate_question",
    params(("slug" = String, Path)),
    responses(
        (status = 200, description = "The calibration and the limits each language now gets", body = CalibrationReport),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
        (status = 422, description = "`calibration_failed`: no reference solutions, or one fails a test", body = ErrorBody),
        (status = 503, description = "`busy`: every judging slot is taken and the wait is full; `admin_disabled`", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait (`busy`)"))),
    ),
)]
pub async fn calibrate(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<CalibrationReport>, ApiError> {
    questions::find(&state, &slug).await?;
    let slot = (state.service.judging_slot().await)
        .map_err(|_| ApiError::busy("every judging slot is taken and the wait is full"))?;
    let calibrated = (state.service.calibrate(slot, &slug).await)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unknown_question(&slug))?
        .map_err(|why| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::CalibrationFailed,
                why,
            )
        })?;
    let question = questions::find(&state, &slug).await?;
    Ok(Json(CalibrationReport {
        language_limits: question.language_limits(&state.limits, &state.languages.names()),
        question_id: slug,
        calibrated: calibrated.calibration,
        warnings: calibrated.warnings,
    }))
}

/// Deletes a question and its tests
///
/// Recorded executions and submissions stay.
#[utoipa::path(
    delete, path = "/admin/questions/{slug}", tag = "admin", operation_id = "delete_question",
    params(("slug" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
        (status = 409, description = "`question_in_contest`: take it out of its contests first", body = ErrorBody),
    ),
)]
pub async fn remove(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_question(&slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestNumber {
    /// Counted from 1.
    test_number: u32,
}

/// Appends a test case to a question
#[utoipa::path(
    post, path = "/admin/questions/{slug}/test-cases", tag = "admin", operation_id = "add_test_case",
    params(("slug" = String, Path)),
    request_body = QuestionTest,
    responses(
        // No link to deleting it: a test's number is its place, which a
        // deletion before it changes, so it names no resource for long.
        (status = 201, description = "Added", body = TestNumber),
        (status = 404, description = "`unknown_question`", body = ErrorBody),
    ),
)]
pub async fn add_test(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(test): ApiJson<QuestionTest>,
) -> Result<(StatusCode, Json<TestNumber>), ApiError> {
    let number = state.service.add_question_test(&slug, test).await?;
    Ok((
        StatusCode::CREATED,
        Json(TestNumber {
            test_number: number,
        }),
    ))
}

/// Deletes a test case; later ones move up a number
#[utoipa::path(
    delete, path = "/admin/questions/{slug}/test-cases/{number}", tag = "admin", operation_id = "delete_test_case",
    params(("slug" = String, Path), ("number" = u32, Path, minimum = 1, description = "Counted from 1")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`: no such test case", body = ErrorBody),
    ),
)]
pub async fn remove_test(
    State(state): State<AppState>,
    ApiPath((slug, number)): ApiPath<(String, u32)>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_question_test(&slug, number).await?;
    Ok(StatusCode::NO_CONTENT)
}
