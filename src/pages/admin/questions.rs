//! A question's pages for teachers: the form that creates or edits it
//! (tests as JSON, which the page's script can fill from uploaded files),
//! each language's limits and a button to calibrate them from the
//! reference solutions, and a preview of what students see, where the
//! teacher may run code on the examples.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Form, Json};

use super::{AdminViewer, Fields, form_error, optional_number, refused, see_other};
use crate::judge::{Comparison, Question, QuestionSpec, QuestionTest, RequestedLimits};
use crate::package::DEFAULT_STATEMENT_LANGUAGE;
use crate::pages::layout::{Layout, render};
use crate::pages::session::Viewer;
use crate::pages::views::question::{Code, LimitRow, QuestionPage, limit_rows, run_examples};
use crate::pages::{PageError, PagesState};
use crate::service::{ExecutionView, ImportReport, Refusal, Strictness};
use serde::{Deserialize, Serialize};

const COMPARE_MODES: [(&str, &str); 5] = [
    ("trimmed", "trimmed: ignore trailing spaces and blank lines"),
    ("exact", "exact: byte for byte"),
    ("tokens", "tokens: the same words, any spacing"),
    ("float", "float: numbers equal within the tolerance"),
    (
        "kattis",
        "kattis: as Kattis's default validator (words in any case)",
    ),
];

/// The form as typed (or as stored, when editing).
struct QuestionFields {
    slug: String,
    title: String,
    statement: String,
    time_ms: String,
    memory_mb: String,
    output_kb: String,
    instruction_limit: String,
    compare: String,
    tolerance: String,
    /// Every language the server runs, and whether it is ticked.
    languages: Vec<(String, bool)>,
    /// The tests, as a JSON array.
    tests: String,
    /// The test groups, as a JSON array; empty: none.
    groups: String,
    /// The checker, as a JSON object; empty: none (the comparison judges).
    checker: String,
    /// The interactor, as a JSON object; empty: not an interactive question.
    interactor: String,
}

#[derive(Template)]
#[template(path = "admin/question_form.html")]
struct QuestionForm {
    layout: Layout,
    /// `None`: a new question.
    editing: Option<String>,
    form: QuestionFields,
    error: Option<String>,
    compare_modes: [(&'static str, &'static str); 5],
    /// The server's defaults, shown as placeholders.
    default_time_ms: u64,
    default_memory_mb: u64,
    default_output_kb: u64,
    /// The stored question's limits per language (none for a new one).
    limits: Vec<LimitRow>,
    calibration: Option<CalibrationSummary>,
    /// What calibrating just did.
    notice: Option<String>,
    /// How the stored question is judged beyond the form: its checker,
    /// groups, and the package it came from.
    judging: Vec<String>,
    /// Whether the package it came from is not verified, and why.
    unverified: Option<String>,
}

/// A stored question's reference solutions and last calibration, in words.
struct CalibrationSummary {
    /// e.g. "2 (cpp, python)"
    references: String,
    /// When, each language's reference time, and whether it is stale.
    last: Option<String>,
    reference_times: Vec<(String, String)>,
}

impl CalibrationSummary {
    fn of(question: &Question) -> Self {
        let languages: Vec<&str> = (question.reference_solutions().iter())
            .map(|r| r.language.as_str())
            .collect();
        let references = match languages.len() {
            0 => "none".to_string(),
            n => format!("{n} ({})", languages.join(", ")),
        };
        let calibrated = question.calibrated();
        let last = calibrated.map(|c| {
            let stale = if question.fresh_calibration().is_none() {
                " — stale: the tests or reference solutions changed since, so it no longer \
                 applies; calibrate again"
            } else {
                ""
            };
            format!("{} UTC{stale}", c.calibrated_at.format("%Y-%m-%d %H:%M"))
        });
        let reference_times = (calibrated.into_iter())
            .flat_map(|c| &c.languages)
            .map(|(language, measured)| {
                let text = format!(
                    "{:.1} ms CPU on test {} → {} ms",
                    measured.reference_cpu_ms, measured.slowest_test, measured.time_ms
                );
                (language.clone(), text)
            })
            .collect();
        Self {
            references,
            last,
            reference_times,
        }
    }
}

impl QuestionForm {
    fn new(
        state: &PagesState,
        viewer: &Viewer,
        editing: Option<String>,
        form: QuestionFields,
    ) -> Self {
        let defaults = state.limits.default_limits();
        Self {
            layout: Layout::of(viewer),
            editing,
            form,
            error: None,
            compare_modes: COMPARE_MODES,
            default_time_ms: defaults.time_ms,
            default_memory_mb: defaults.memory_mb,
            default_output_kb: defaults.output_kb,
            limits: Vec::new(),
            calibration: None,
            notice: None,
            judging: Vec::new(),
            unverified: None,
        }
    }

    /// The form for editing `question`, with its limits and calibration.
    fn editing(state: &PagesState, viewer: &Viewer, question: &Question) -> Self {
        let names = state.languages.names();
        let form = QuestionFields::of(question, &names);
        let mut judging = Vec::new();
        if let Some(checker) = question.checker() {
            judging.push(format!(
                "A checker judges the outputs: {} protocol, in {}.",
                api_name(&checker.protocol),
                checker.language
            ));
        }
        if let Some(interactor) = question.interactor() {
            judging.push(format!(
                "Interactive: submissions talk to an interactor as they run ({} protocol, in {}).",
                api_name(&interactor.protocol),
                interactor.language
            ));
        }
        if !question.groups().is_empty() {
            let groups: Vec<String> = (question.groups().iter())
                .map(|g| format!("{} ({})", g.name, api_name(&g.scoring)))
                .collect();
            judging.push(format!("Test groups: {}.", groups.join(", ")));
        }
        let verification = question.verification();
        if verification.is_some_and(|v| v.verified) {
            judging
                .push("Imported from a package whose own solutions all passed: verified.".into());
        }
        let unverified =
            (verification.filter(|v| !v.verified)).map(|v| v.reason.clone().unwrap_or_default());
        Self {
            limits: limit_rows(question, &state.limits, &names),
            calibration: Some(CalibrationSummary::of(question)),
            judging,
            unverified,
            ..Self::new(state, viewer, Some(question.slug().to_string()), form)
        }
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(slug) => format!("/ui/admin/questions/{slug}/edit"),
            None => "/ui/admin/questions/new".into(),
        }
    }
}

/// An enum's name in the API (`kattis`, `min`).
fn api_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

impl QuestionFields {
    fn of(question: &Question, names: &[&str]) -> Self {
        let limits = &question.limits();
        Self {
            slug: question.slug().to_string(),
            title: question.title().to_string(),
            statement: question.statement().to_string(),
            time_ms: limits.time_ms.to_string(),
            memory_mb: limits.memory_mb.to_string(),
            output_kb: limits.output_kb.to_string(),
            instruction_limit: (limits.instruction_limit).map_or(String::new(), |n| n.to_string()),
            compare: api_name(&question.compare().mode),
            tolerance: question.compare().tolerance.to_string(),
            languages: (names.iter())
                .map(|name| {
                    (
                        name.to_string(),
                        question.languages().iter().any(|l| l == name),
                    )
                })
                .collect(),
            tests: serde_json::to_string_pretty(question.test_cases()).unwrap_or_default(),
            groups: match question.groups() {
                [] => String::new(),
                groups => serde_json::to_string_pretty(groups).unwrap_or_default(),
            },
            checker: (question.checker())
                .and_then(|checker| serde_json::to_string_pretty(checker).ok())
                .unwrap_or_default(),
            interactor: (question.interactor())
                .and_then(|interactor| serde_json::to_string_pretty(interactor).ok())
                .unwrap_or_default(),
        }
    }

    fn blank(names: &[&str]) -> Self {
        Self {
            slug: String::new(),
            title: String::new(),
            statement: String::new(),
            time_ms: String::new(),
            memory_mb: String::new(),
            output_kb: String::new(),
            instruction_limit: String::new(),
            compare: "trimmed".into(),
            tolerance: Comparison::default().tolerance.to_string(),
            languages: names.iter().map(|name| (name.to_string(), false)).collect(),
            tests: String::new(),
            groups: String::new(),
            checker: String::new(),
            interactor: String::new(),
        }
    }

    fn posted(fields: &Fields, slug: String, names: &[&str]) -> Self {
        let ticked: Vec<&str> = fields.all("languages").collect();
        Self {
            slug,
            title: fields.get("title").to_string(),
            statement: fields.get("statement").to_string(),
            time_ms: fields.get("time_ms").to_string(),
            memory_mb: fields.get("memory_mb").to_string(),
            output_kb: fields.get("output_kb").to_string(),
            instruction_limit: fields.get("instruction_limit").to_string(),
            compare: fields.get("compare").to_string(),
            tolerance: fields.get("tolerance").to_string(),
            languages: (names.iter())
                .map(|name| (name.to_string(), ticked.contains(name)))
                .collect(),
            tests: fields.get("tests").to_string(),
            groups: fields.get("groups").to_string(),
            checker: fields.get("checker").to_string(),
            interactor: fields.get("interactor").to_string(),
        }
    }

    /// The spec these fields describe, for `Question::new` to check.
    fn spec(&self) -> Result<QuestionSpec, String> {
        let tests = self.tests.trim();
        let test_cases: Vec<QuestionTest> = if tests.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(tests).map_err(|error| format!("Tests: {error}"))?
        };
        let tolerance = match self.tolerance.trim() {
            "" => Comparison::default().tolerance,
            text => (text.parse()).map_err(|_| format!("Tolerance: {text:?} is not a number"))?,
        };
        let mode = serde_json::from_value(serde_json::Value::String(self.compare.clone()))
            .map_err(|_| format!("Comparison: {:?} is not one of the choices", self.compare))?;
        Ok(QuestionSpec {
            slug: self.slug.trim().to_string(),
            title: self.title.clone(),
            statement: self.statement.replace("\r\n", "\n"),
            limits: RequestedLimits {
                time_ms: optional_number("Time limit", &self.time_ms)?,
                memory_mb: optional_number("Memory limit", &self.memory_mb)?,
                output_kb: optional_number("Output limit", &self.output_kb)?,
                instruction_limit: optional_number("Instruction limit", &self.instruction_limit)?,
            },
            compare: Comparison {
                mode,
                tolerance,
                ..Comparison::default()
            },
            languages: (self.languages.iter())
                .filter(|(_, ticked)| *ticked)
                .map(|(name, _)| name.clone())
                .collect(),
            test_cases,
            limits_by_language: Default::default(),
            reference_solutions: Vec::new(),
            calibration: Default::default(),
            checker: optional_json("Checker", &self.checker)?,
            interactor: optional_json("Interactor", &self.interactor)?,
            groups: optional_json("Groups", &self.groups)?.unwrap_or_default(),
        })
    }
}

/// `GET /ui/admin/questions/new`.
pub async fn new_form(
    State(state): State<PagesState>,
    viewer: AdminViewer,
) -> Result<Response, PageError> {
    let form = QuestionFields::blank(&state.languages.names());
    render(&QuestionForm::new(&state, &viewer, None, form))
}

/// `GET /ui/admin/questions/{slug}/edit`.
pub async fn edit_form(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let question = state.service.question(&slug).await?;
    render(&QuestionForm::editing(&state, &viewer, &question))
}

#[derive(Debug, Deserialize)]
pub struct UploadOptions {
    #[serde(default)]
    strict: bool,
}

/// What the question pages' package upload answers.
#[derive(Debug, Serialize)]
pub struct Uploaded {
    edit_url: String,
    report: ImportReport,
}

/// A script's call from a teacher's page: its CSRF header, and an admin
/// making it; refused in JSON, so not through `AdminViewer`.
fn check_admin_script(
    state: &PagesState,
    viewer: &Viewer,
    headers: &HeaderMap,
) -> Result<(), PageError> {
    viewer.check_csrf_header(headers)?;
    (state.service.access().administer(&viewer.principal))
        .map_err(|denied| PageError::from(denied).as_json())
}

/// `PUT /ui/admin/questions/{slug}/package`: the question pages' upload of
/// a problem package (the zip as the body, sent by the page's script),
/// imported as the admin API imports one; answered in JSON.
pub async fn import_package(
    State(state): State<PagesState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(options): Query<UploadOptions>,
    body: Bytes,
) -> Result<Json<Uploaded>, PageError> {
    check_admin_script(&state, &viewer, &headers)?;
    let strictness = Strictness::strict_if(options.strict);
    let language = DEFAULT_STATEMENT_LANGUAGE.to_string();
    let (question, _, report) = (state
        .service
        .import_zip(body, slug, language, strictness)
        .await)
        .map_err(|refusal| PageError::from(refusal).as_json())?;
    Ok(Json(Uploaded {
        edit_url: format!("/ui/admin/questions/{}/edit", question.slug()),
        report,
    }))
}

/// `POST /ui/admin/questions/{slug}/calibrate`: judges the reference
/// solutions and shows the edit page with the limits they give, or why
/// there are none.
pub async fn calibrate(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    viewer.check_csrf(Some(Fields(fields).get("csrf")))?;
    state.service.question(&slug).await?;
    let slot = (state.service.judging_slot().await).map_err(|_| PageError::busy())?;
    let calibrated = (state.service.calibrate(slot, &slug).await)
        .map_err(PageError::internal)?
        .ok_or_else(|| Refusal::UnknownQuestion(slug.clone()))?;
    let question = state.service.question(&slug).await?;
    let mut page = QuestionForm::editing(&state, &viewer, &question);
    match calibrated {
        Ok(calibrated) => {
            let warnings = calibrated.warnings.join("; ");
            page.notice = Some(if warnings.is_empty() {
                "Calibrated.".into()
            } else {
                format!("Calibrated. Note: {warnings}.")
            });
            render(&page)
        }
        Err(why) => {
            page.error = Some(format!("Not calibrated: {why}."));
            refused(&page)
        }
    }
}

/// `POST /ui/admin/questions/new`.
pub async fn create(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    viewer.check_csrf(Some(fields.get("csrf")))?;
    let slug = fields.get("slug").trim().to_string();
    let form = QuestionFields::posted(&fields, slug, &state.languages.names());
    let created = match form.spec() {
        Ok(spec) => state.service.create_question(spec).await,
        Err(error) => Err(Refusal::Invalid(error)),
    };
    match created {
        Ok(question) => Ok(see_other(&format!(
            "/ui/admin/questions/{}/edit",
            question.slug()
        ))),
        Err(refusal) => save_refused(&state, &viewer, None, form, form_error(refusal)?),
    }
}

/// A field holding JSON, or nothing; the error names the field.
fn optional_json<T: serde::de::DeserializeOwned>(
    name: &str,
    text: &str,
) -> Result<Option<T>, String> {
    match text.trim() {
        "" => Ok(None),
        text => serde_json::from_str(text)
            .map(Some)
            .map_err(|error| format!("{name}: {error}")),
    }
}

/// `POST /ui/admin/questions/{slug}/edit`: replaces it, tests and all.
pub async fn update(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    viewer.check_csrf(Some(fields.get("csrf")))?;
    let stored = state.service.question(&slug).await?;
    let form = QuestionFields::posted(&fields, slug.clone(), &state.languages.names());
    // The form edits neither per-language limits nor reference solutions:
    // they are kept as stored.
    let kept = form.spec().map(|spec| QuestionSpec {
        limits_by_language: stored.limits_by_language().clone(),
        reference_solutions: stored.reference_solutions().to_vec(),
        calibration: stored.calibration().clone(),
        // The form shows the mode and tolerance only: the Kattis flags stay.
        compare: match spec.compare.mode == stored.compare().mode {
            true => Comparison {
                tolerance: spec.compare.tolerance,
                ..stored.compare()
            },
            false => spec.compare,
        },
        ..spec
    });
    let saved = match kept {
        Ok(spec) => state.service.put_question(spec).await,
        Err(error) => Err(Refusal::Invalid(error)),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/ui/admin/questions/{slug}/edit"))),
        Err(refusal) => save_refused(&state, &viewer, Some(slug), form, form_error(refusal)?),
    }
}

fn save_refused(
    state: &PagesState,
    viewer: &Viewer,
    editing: Option<String>,
    form: QuestionFields,
    error: String,
) -> Result<Response, PageError> {
    let mut page = QuestionForm::new(state, viewer, editing, form);
    page.error = Some(error);
    refused(&page)
}

/// `GET /ui/admin/questions/{slug}/preview`: the student's page for the
/// question, with submitting turned off (running on the examples works).
pub async fn preview(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let question = state.service.question(&slug).await?;
    let names = state.languages.names();
    let mut page = QuestionPage::new(Layout::of(&viewer), question, &names, &state.limits);
    page.back_href = format!("/ui/admin/questions/{slug}/edit");
    page.back_label = format!("Edit {}", page.question_title());
    page.run_url = format!("/ui/admin/questions/{slug}/run");
    page.closed = Some(
        "This is a preview of what students see: they submit from their contest's page. \
         Running on the examples works here."
            .into(),
    );
    page.draft_key = format!("preview:{slug}");
    render(&page)
}

/// `POST /ui/admin/questions/{slug}/run`: the preview's "Run on the
/// examples", recorded as the admin's execution.
pub async fn run(
    State(state): State<PagesState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Json(body): Json<Code>,
) -> Result<Json<ExecutionView>, PageError> {
    check_admin_script(&state, &viewer, &headers)?;
    let question = (state.service.question(&slug).await)
        .map_err(|refusal| PageError::from(refusal).as_json())?;
    run_examples(&state, &viewer, question, body).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::CompareMode;

    #[test]
    fn the_form_becomes_a_spec_or_says_what_is_wrong() {
        let fields = Fields(vec![
            ("title".into(), "Sum".into()),
            ("time_ms".into(), "2000".into()),
            ("memory_mb".into(), "".into()),
            ("compare".into(), "tokens".into()),
            ("tolerance".into(), "".into()),
            ("languages".into(), "python".into()),
            (
                "tests".into(),
                r#"[{"input": "1 2", "expected_output": "3", "hidden": true, "points": 2}]"#.into(),
            ),
        ]);
        let form = QuestionFields::posted(&fields, "sum".into(), &["c", "python"]);
        assert_eq!(
            form.languages,
            [("c".to_string(), false), ("python".to_string(), true)]
        );
        let spec = form.spec().unwrap();
        assert_eq!(spec.limits.time_ms, Some(2000));
        assert_eq!(spec.limits.memory_mb, None);
        assert_eq!(spec.compare.mode, CompareMode::Tokens);
        assert_eq!(spec.languages, ["python"]);
        assert!(spec.test_cases[0].hidden && spec.test_cases[0].points == 2);

        let mut bad = form;
        bad.time_ms = "2 s".into();
        assert!(bad.spec().unwrap_err().contains("Time limit"));
        bad.time_ms = String::new();
        bad.tests = "[{\"input\": 1}]".into();
        assert!(bad.spec().unwrap_err().starts_with("Tests:"));
    }
}
