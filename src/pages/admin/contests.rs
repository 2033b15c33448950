//! A contest's pages for teachers: the form that creates or edits it, and
//! the page that watches it (details, live scoreboard, charts).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};

use super::charts::{QuestionVerdicts, Timeline, TimelineChart, Verdict, VerdictChart};
use super::rejudges::RejudgesTable;
use super::{AdminViewer, Fields, form_error, optional_number, refused, see_other, window};
use crate::attachment::attachment;
use crate::contest::{Contest, ContestSpec};
use crate::pages::clarifications::ClarificationList;
use crate::pages::layout::{Layout, render};
use crate::pages::session::Viewer;
use crate::pages::views::scoreboard::{BoardView, ScoreboardTable, scoreboard_table, status_text};
use crate::pages::{PageError, PagesState};
use crate::service::Refusal;
use crate::store::QuestionSummary;

const SCORINGS: [(&str, &str); 2] = [
    ("ioi", "IOI: the sum of each question's best score"),
    ("icpc", "ICPC: questions solved, then time penalty"),
];

const SCOREBOARDS: [(&str, &str); 4] = [
    ("public", "everyone who may see the contest"),
    ("participants", "the contest's participants"),
    ("after_end", "everyone, once the contest has ended"),
    ("hidden", "teachers only"),
];

/// The form as typed (or as stored, when editing).
struct ContestFields {
    slug: String,
    title: String,
    starts_at: String,
    ends_at: String,
    scoring: String,
    scoreboard: String,
    freeze_minutes: String,
    public: bool,
    compile_errors_count: bool,
    practice_after_end: bool,
    /// Every stored question: the chosen ones first, in their order.
    questions: Vec<QuestionChoice>,
}

struct QuestionChoice {
    slug: String,
    title: String,
    chosen: bool,
    /// Where it goes among the chosen ones, as typed.
    position: String,
}

#[derive(Template)]
#[template(path = "admin/contest_form.html")]
struct ContestForm {
    layout: Layout,
    /// `None`: a new contest.
    editing: Option<String>,
    form: ContestFields,
    error: Option<String>,
    scorings: [(&'static str, &'static str); 2],
    scoreboards: [(&'static str, &'static str); 4],
}

impl ContestForm {
    fn new(viewer: &Viewer, editing: Option<String>, form: ContestFields) -> Self {
        Self {
            layout: Layout::of(viewer),
            editing,
            form,
            error: None,
            scorings: SCORINGS,
            scoreboards: SCOREBOARDS,
        }
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(slug) => format!("/ui/admin/contests/{slug}/edit"),
            None => "/ui/admin/contests/new".into(),
        }
    }
}

/// A time as `<input type="datetime-local">` shows it (UTC).
pub(super) fn local_input(time: DateTime<Utc>) -> String {
    let format = if time.second() == 0 {
        "%Y-%m-%dT%H:%M"
    } else {
        "%Y-%m-%dT%H:%M:%S"
    };
    time.format(format).to_string()
}

/// A `datetime-local` value, read as UTC (a full RFC 3339 time also does).
pub(super) fn parse_time(label: &str, text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(time.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| format!("{label}: give a date and time such as 2026-03-01T10:00"))
}

/// The stored questions as choices: `chosen` first, in their order.
fn choices(all: &[QuestionSummary], chosen: &[(String, String)]) -> Vec<QuestionChoice> {
    let title = |slug: &str| {
        (all.iter().find(|q| q.slug == slug)).map_or_else(|| slug.to_string(), |q| q.title.clone())
    };
    let mut choices: Vec<QuestionChoice> = (chosen.iter())
        .map(|(slug, position)| QuestionChoice {
            title: title(slug),
            slug: slug.clone(),
            chosen: true,
            position: position.clone(),
        })
        .collect();
    for question in all {
        if !chosen.iter().any(|(slug, _)| *slug == question.slug) {
            choices.push(QuestionChoice {
                slug: question.slug.clone(),
                title: question.title.clone(),
                chosen: false,
                position: String::new(),
            });
        }
    }
    choices
}

impl ContestFields {
    fn of(contest: &Contest, all: &[QuestionSummary]) -> Self {
        let chosen: Vec<(String, String)> = (1..)
            .zip(contest.questions())
            .map(|(i, slug)| (slug.clone(), i.to_string()))
            .collect();
        Self {
            slug: contest.slug().to_string(),
            title: contest.title().to_string(),
            starts_at: local_input(contest.starts_at()),
            ends_at: local_input(contest.ends_at()),
            scoring: serde_name(&contest.scoring()),
            scoreboard: serde_name(&contest.scoreboard()),
            freeze_minutes: contest
                .freeze_minutes()
                .map_or(String::new(), |m| m.to_string()),
            public: contest.public(),
            compile_errors_count: contest.compile_errors_count(),
            practice_after_end: contest.practice_after_end(),
            questions: choices(all, &chosen),
        }
    }

    /// A new contest: from the next full hour, for two hours.
    fn blank(all: &[QuestionSummary]) -> Self {
        let now = Utc::now();
        let start = now - Duration::seconds(now.timestamp() % 3600) + Duration::hours(1);
        Self {
            slug: String::new(),
            title: String::new(),
            starts_at: local_input(start),
            ends_at: local_input(start + Duration::hours(2)),
            scoring: "ioi".into(),
            scoreboard: "participants".into(),
            freeze_minutes: String::new(),
            public: false,
            compile_errors_count: false,
            practice_after_end: false,
            questions: choices(all, &[]),
        }
    }

    /// What was posted; the chosen questions ordered by the positions
    /// typed beside them (then as listed).
    fn posted(fields: &Fields, slug: String, all: &[QuestionSummary]) -> Self {
        let mut chosen: Vec<(String, String)> = (fields.all("questions"))
            .map(|q| {
                (
                    q.to_string(),
                    fields.get(&format!("position:{q}")).to_string(),
                )
            })
            .collect();
        chosen.sort_by_key(|(_, position)| position.trim().parse::<u32>().unwrap_or(u32::MAX));
        Self {
            slug,
            title: fields.get("title").to_string(),
            starts_at: fields.get("starts_at").to_string(),
            ends_at: fields.get("ends_at").to_string(),
            scoring: fields.get("scoring").to_string(),
            scoreboard: fields.get("scoreboard").to_string(),
            freeze_minutes: fields.get("freeze_minutes").to_string(),
            public: fields.has("public"),
            compile_errors_count: fields.has("compile_errors_count"),
            practice_after_end: fields.has("practice_after_end"),
            questions: choices(all, &chosen),
        }
    }

    /// The contest these fields describe, for `Contest::new` to check.
    fn spec(&self) -> Result<ContestSpec, String> {
        let spec = ContestSpec {
            title: self.title.clone(),
            starts_at: parse_time("Starts at", &self.starts_at)?,
            ends_at: parse_time("Ends at", &self.ends_at)?,
            questions: (self.questions.iter())
                .filter(|q| q.chosen)
                .map(|q| q.slug.clone())
                .collect(),
            scoring: from_serde_name("scoring", &self.scoring)?,
            scoreboard: from_serde_name("scoreboard", &self.scoreboard)?,
            freeze_minutes: optional_number("Freeze minutes", &self.freeze_minutes)?,
            public: self.public,
            compile_errors_count: self.compile_errors_count,
            practice_after_end: self.practice_after_end,
        };
        Ok(spec)
    }
}

/// A unit enum's serde name (`after_end`).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

fn from_serde_name<T: serde::de::DeserializeOwned>(label: &str, name: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| format!("{label}: {name:?} is not one of the choices"))
}

async fn all_questions(state: &PagesState) -> Result<Vec<QuestionSummary>, PageError> {
    (state.database.questions().await).map_err(PageError::internal)
}

/// `GET /ui/admin/contests/new`.
pub async fn new_form(
    State(state): State<PagesState>,
    viewer: AdminViewer,
) -> Result<Response, PageError> {
    let form = ContestFields::blank(&all_questions(&state).await?);
    render(&ContestForm::new(&viewer, None, form))
}

/// `GET /ui/admin/contests/{slug}/edit`.
pub async fn edit_form(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    let form = ContestFields::of(&contest, &all_questions(&state).await?);
    render(&ContestForm::new(&viewer, Some(slug), form))
}

/// `POST /ui/admin/contests/new`.
pub async fn create(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    viewer.check_csrf(Some(fields.get("csrf")))?;
    let slug = fields.get("slug").trim().to_string();
    let form = ContestFields::posted(&fields, slug.clone(), &all_questions(&state).await?);
    let created = match form.spec() {
        Ok(spec) => state.service.create_contest(slug, spec).await,
        Err(error) => Err(Refusal::Invalid(error)),
    };
    match created {
        Ok(contest) => Ok(see_other(&format!("/ui/admin/contests/{}", contest.slug()))),
        Err(refusal) => save_refused(&viewer, None, form, form_error(refusal)?),
    }
}

/// `POST /ui/admin/contests/{slug}/edit`: its participants stay.
pub async fn update(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    viewer.check_csrf(Some(fields.get("csrf")))?;
    state.service.contest(&slug).await?;
    let form = ContestFields::posted(&fields, slug.clone(), &all_questions(&state).await?);
    let saved = match form.spec() {
        Ok(spec) => state.service.put_contest(slug.clone(), spec).await,
        Err(error) => Err(Refusal::Invalid(error)),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/ui/admin/contests/{slug}"))),
        Err(refusal) => save_refused(&viewer, Some(slug), form, form_error(refusal)?),
    }
}

fn save_refused(
    viewer: &Viewer,
    editing: Option<String>,
    form: ContestFields,
    error: String,
) -> Result<Response, PageError> {
    let mut page = ContestForm::new(viewer, editing, form);
    page.error = Some(error);
    refused(&page)
}

#[derive(Template)]
#[template(path = "admin/contest.html")]
struct ContestPage {
    layout: Layout,
    contest: Contest,
    window: String,
    status: &'static str,
    scoreboard_setting: &'static str,
    questions: Vec<(String, String)>,
    participants: u32,
    scoreboard: Option<ScoreboardTable>,
    rejudges: RejudgesTable,
    clarifications: ClarificationList,
    charts: Charts,
}

/// `GET /ui/admin/contests/{slug}`: the contest, its live scoreboard and
/// its charts.
pub async fn show(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(slug): Path<String>,
    Query(view): Query<BoardView>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    let all = all_questions(&state).await?;
    let questions = (contest.questions().iter())
        .map(|slug| {
            let title = all.iter().find(|q| &q.slug == slug);
            (
                slug.clone(),
                title.map_or_else(String::new, |q| q.title.clone()),
            )
        })
        .collect();
    let participants =
        (state.database.participant_count(&slug).await).map_err(PageError::internal)?;
    let scoreboard_setting = (SCOREBOARDS.iter())
        .find(|(name, _)| *name == serde_name(&contest.scoreboard()))
        .map_or("", |(_, text)| *text);
    render(&ContestPage {
        layout: Layout::of(&viewer),
        window: window(&contest),
        status: status_text(contest.status(Utc::now())),
        scoreboard_setting,
        questions,
        participants,
        scoreboard: scoreboard_table(&state, &viewer, &contest, view).await?,
        charts: charts(&state, &contest).await?,
        rejudges: RejudgesTable::of(&state, &slug).await?,
        clarifications: ClarificationList::of(&state, &viewer, &contest, true).await?,
        contest,
    })
}

/// The contest's charts: the contest page shows them and refreshes them.
#[derive(Template)]
#[template(path = "admin/charts.html")]
struct Charts {
    contest: String,
    timeline: TimelineChart,
    verdicts: VerdictChart,
    per_question: Vec<QuestionVerdicts>,
    kinds: [Verdict; 4],
}

async fn charts(state: &PagesState, contest: &Contest) -> Result<Charts, PageError> {
    let submissions =
        (state.database.contest_submissions(contest.slug()).await).map_err(PageError::internal)?;
    let timeline = Timeline::new(
        submissions.iter().map(|s| s.created_at),
        contest.starts_at(),
        contest.ends_at(),
    );
    let per_question = super::charts::verdicts_per_question(contest.questions(), &submissions);
    Ok(Charts {
        contest: contest.slug().to_string(),
        timeline: TimelineChart::new(&timeline, contest.ends_at(), Utc::now()),
        verdicts: VerdictChart::new(&per_question),
        per_question,
        kinds: Verdict::ALL,
    })
}

/// `GET /ui/admin/contests/{slug}/charts`: the charts alone, which the
/// contest page fetches to keep them live.
pub async fn charts_fragment(
    State(state): State<PagesState>,
    _: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    render(&charts(&state, &contest).await?)
}

/// `GET /ui/admin/contests/{slug}/results.csv`: the results for a gradebook.
pub async fn results_csv(
    State(state): State<PagesState>,
    _: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    let csv = (state.service.contest_results_csv(&contest).await).map_err(PageError::internal)?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("{slug}-results.csv"),
        csv,
    ))
}

/// `GET /ui/admin/contests/{slug}/submissions.zip`: every submission, for
/// the archive.
pub async fn archive(
    State(state): State<PagesState>,
    _: AdminViewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let contest = state.service.contest(&slug).await?;
    let zip = (state.service.contest_archive(&contest).await).map_err(PageError::internal)?;
    Ok(attachment(
        "application/zip",
        &format!("{slug}-submissions.zip"),
        zip,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_values_are_utc() {
        let time = parse_time("Starts at", "2026-03-01T10:30").unwrap();
        assert_eq!(time.to_rfc3339(), "2026-03-01T10:30:00+00:00");
        assert_eq!(local_input(time), "2026-03-01T10:30");
        let seconds = parse_time("x", "2026-03-01T10:30:15").unwrap();
        assert_eq!(local_input(seconds), "2026-03-01T10:30:15");
        let offset = parse_time("x", "2026-03-01T12:30:00+02:00").unwrap();
        assert_eq!(offset, time);
        assert!(
            parse_time("Ends at", "tomorrow")
                .unwrap_err()
                .contains("Ends at")
        );
    }

    #[test]
    fn chosen_questions_follow_their_positions() {
        let fields = Fields(vec![
            ("questions".into(), "a".into()),
            ("position:a".into(), "2".into()),
            ("position:b".into(), "".into()),
            ("questions".into(), "c".into()),
            ("position:c".into(), "1".into()),
            ("scoring".into(), "icpc".into()),
        ]);
        let summary = |slug: &str| QuestionSummary {
            slug: slug.into(),
            title: slug.to_uppercase(),
            languages: vec![],
            test_cases: 1,
            max_score: 1,
        };
        let all = [summary("a"), summary("b"), summary("c")];
        let form = ContestFields::posted(&fields, "week-1".into(), &all);
        let order: Vec<(&str, bool)> = (form.questions.iter())
            .map(|q| (q.slug.as_str(), q.chosen))
            .collect();
        assert_eq!(order, [("c", true), ("a", true), ("b", false)]);
        assert!(!form.public);
        let error = form.spec().unwrap_err();
        assert!(error.contains("Starts at"), "{error}");
    }
}
