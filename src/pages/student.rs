//! The students' pages: a contest with their standing on each question,
//! a question with its statement, examples and an editor, and the calls
//! its script makes (run on the examples, submit, follow a submission).

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use uuid::Uuid;

use super::clarifications::ClarificationList;
use super::layout::{Layout, render};
use super::session::Viewer;
use super::views::question::{Code, OwnSubmission, QuestionPage, run_examples};
use super::views::scoreboard::{BoardView, ScoreboardTable, scoreboard_table, status_text, table};
use super::{PageError, PagesState};
use crate::auth::Principal;
use crate::contest::{Contest, ContestStatus, OwnTime, Window};
use crate::judge::{Question, StatementImage};
use crate::service::{ExecutionView, SubmissionView};
use crate::store::{SubmissionRecord, SubmissionState};

/// Submissions a question page lists.
const HISTORY: u32 = 20;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    contests: Vec<ContestLink>,
}

struct ContestLink {
    slug: String,
    title: String,
    status: String,
}

/// `GET /ui`: a participant's contest, a teacher's dashboard, or the
/// public contests.
pub async fn home(State(state): State<PagesState>, viewer: Viewer) -> Result<Response, PageError> {
    match &viewer.principal {
        Principal::Participant(p) => {
            return Ok(Redirect::to(&format!("/ui/contests/{}", p.contest)).into_response());
        }
        Principal::Admin => return Ok(Redirect::to("/ui/admin").into_response()),
        Principal::Service | Principal::Anonymous => {}
    }
    let now = Utc::now();
    let access = state.service.access();
    let contests = (state.database.contests().await).map_err(PageError::internal)?;
    let contests = (contests.into_iter())
        .filter(|contest| access.see_contest(&viewer.principal, contest))
        .map(|contest| ContestLink {
            status: status_text(contest.status(now)).to_string(),
            slug: contest.slug().to_string(),
            title: contest.title().to_string(),
        })
        .collect();
    render(&HomePage {
        layout: Layout::of(&viewer),
        contests,
    })
}

#[derive(Template)]
#[template(path = "contest.html")]
struct ContestPage {
    layout: Layout,
    contest: Contest,
    /// The viewer's window: a participant's own, else the contest's.
    window: Window,
    /// Whether the viewer's time is their own (a later start, extra minutes).
    own_time: bool,
    status: &'static str,
    /// The viewer's window is over and they may keep practicing.
    practice: bool,
    clarifications: ClarificationList,
    /// The viewer may ask now.
    can_ask: bool,
    /// `None` before the start (for students).
    questions: Option<Vec<QuestionStanding>>,
    scoreboard: Option<ScoreboardTable>,
}

/// A question on the contest page, with the viewer's standing on it.
struct QuestionStanding {
    slug: String,
    title: String,
    /// not tried, tried, partly solved, solved
    status: &'static str,
    /// The status as a CSS class.
    css: &'static str,
    score: Option<u32>,
    max_score: u32,
}

/// `GET /ui/contests/{slug}`.
pub async fn contest(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(view): Query<BoardView>,
) -> Result<Response, PageError> {
    let contest = visible_contest(&state, &viewer, &slug).await?;
    let now = Utc::now();
    let access = state.service.access();
    let questions = if access.see_contest_questions(&viewer.principal, &contest, now) {
        Some(standings(&state, &viewer, &contest).await?)
    } else {
        None
    };
    let scoreboard = scoreboard_table(&state, &viewer, &contest, view).await?;
    let own = own_time(&viewer);
    let window = contest.window(&own);
    let status = window.status(now);
    render(&ContestPage {
        layout: Layout::of(&viewer),
        window,
        own_time: own != OwnTime::default(),
        status: status_text(status),
        practice: status == ContestStatus::Ended && contest.practice_after_end(),
        clarifications: ClarificationList::of(&state, &viewer, &contest, false).await?,
        can_ask: access.ask(&viewer.principal, &contest, now).is_ok(),
        contest,
        questions,
        scoreboard,
    })
}

/// The viewer's best on each of the contest's questions.
async fn standings(
    state: &PagesState,
    viewer: &Viewer,
    contest: &Contest,
) -> Result<Vec<QuestionStanding>, PageError> {
    let summaries = (state.database.questions().await).map_err(PageError::internal)?;
    let mine = own_submissions(state, viewer, None).await?;
    let mut best: HashMap<&str, (u32, u32)> = HashMap::new();
    for record in &mine {
        let score = (record.score.unwrap_or(0), record.max_score.unwrap_or(0));
        let entry = best.entry(record.question_slug.as_str()).or_insert((0, 0));
        if record.state == SubmissionState::Finished && score.0 >= entry.0 {
            *entry = score;
        }
    }
    let tried: Vec<&str> = mine.iter().map(|r| r.question_slug.as_str()).collect();
    Ok((contest.questions().iter())
        .map(|slug| {
            let summary = summaries.iter().find(|q| &q.slug == slug);
            let max_score = summary.map_or(0, |q| q.max_score);
            let (status, score) = match best.get(slug.as_str()) {
                Some(&(score, max)) if max > 0 && score >= max => ("solved", Some(score)),
                Some(&(score, _)) if score > 0 => ("partly solved", Some(score)),
                _ if tried.contains(&slug.as_str()) => ("tried", Some(0)),
                _ => ("not tried", None),
            };
            QuestionStanding {
                css: match status {
                    "solved" => "solved",
                    "partly solved" => "partly",
                    "tried" => "tried",
                    _ => "untried",
                },
                slug: slug.clone(),
                title: summary.map_or_else(|| slug.clone(), |q| q.title.clone()),
                status,
                score,
                max_score,
            }
        })
        .collect())
}

/// A participant's own time in their contest; anyone else's is the contest's.
fn own_time(viewer: &Viewer) -> OwnTime {
    match &viewer.principal {
        Principal::Participant(participant) => participant.time,
        _ => OwnTime::default(),
    }
}

/// A participant's own submissions (to `question`, or all), newest first;
/// nobody else has any here.
async fn own_submissions(
    state: &PagesState,
    viewer: &Viewer,
    question: Option<&str>,
) -> Result<Vec<SubmissionRecord>, PageError> {
    let Principal::Participant(participant) = &viewer.principal else {
        return Ok(Vec::new());
    };
    (state.database)
        .submissions(Some(participant), None, question, 100, 0)
        .await
        .map_err(PageError::internal)
}

/// The newest of `records`, each with the verdict its last rejudge
/// replaced when that changed it.
async fn with_rejudges(
    state: &PagesState,
    records: Vec<SubmissionRecord>,
) -> Result<Vec<OwnSubmission>, PageError> {
    let mut rows = Vec::new();
    for record in records.into_iter().take(HISTORY as usize) {
        let rejudged =
            (state.database.rejudged_results(record.id).await).map_err(PageError::internal)?;
        let was = (rejudged.into_iter().next_back())
            .and_then(|last| last.previous_verdict.filter(|v| *v != last.verdict));
        rows.push(OwnSubmission { record, was });
    }
    Ok(rows)
}

/// `GET /ui/contests/{slug}/scoreboard`: the table alone, which the
/// contest page's script fetches to keep it live.
pub async fn scoreboard_fragment(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(view): Query<BoardView>,
) -> Result<Response, PageError> {
    let contest = visible_contest(&state, &viewer, &slug).await?;
    let standings = (state.service.access()).scoreboard(&viewer.principal, &contest, Utc::now())?;
    render(&table(&state, &contest, standings, view).await?)
}

/// `GET /ui/contests/{contest}/questions/{question}`.
pub async fn question(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path((contest, slug)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (contest, question) = visible_question(&state, &viewer, &contest, &slug).await?;
    let contests =
        (state.database.contests_with_question(&slug).await).map_err(PageError::internal)?;
    let access = state.service.access();
    let closed = (access.submit(&viewer.principal, None, &slug, &contests, Utc::now()))
        .err()
        .map(|denied| PageError::from(denied).message().to_string());
    let who = match &viewer.principal {
        Principal::Participant(p) => p.user_id.clone(),
        _ => "teacher".into(),
    };
    let base = format!("/ui/contests/{}/questions/{slug}", contest.slug());
    render(&QuestionPage {
        back_href: format!("/ui/contests/{}", contest.slug()),
        back_label: contest.title().to_string(),
        run_url: format!("{base}/run"),
        submit_url: format!("{base}/submissions"),
        history: with_rejudges(&state, own_submissions(&state, &viewer, Some(&slug)).await?)
            .await?,
        draft_key: format!("{}:{}:{}", contest.slug(), slug, who),
        contest_slug: contest.slug().to_string(),
        clarifications: Some(ClarificationList::of(&state, &viewer, &contest, false).await?),
        can_ask: access.ask(&viewer.principal, &contest, Utc::now()).is_ok(),
        practice: closed.is_none()
            && contest.practice_after_end()
            && contest.window(&own_time(&viewer)).status(Utc::now()) == ContestStatus::Ended,
        closed,
        ..QuestionPage::new(
            Layout::of(&viewer),
            question,
            &state.languages.names(),
            &state.limits,
        )
    })
}

/// `GET /ui/questions/{slug}/images/{name}`: an image a statement shows,
/// to a viewer who may see the question (by their session, which the API's
/// route does not read). Sandboxed, as the API's is: an SVG runs no script.
pub async fn statement_image(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path((slug, name)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let image = (state.service)
        .statement_image(&viewer.principal, &slug, &name)
        .await?;
    let headers = [
        (header::CONTENT_TYPE, image.content_type()),
        (header::CACHE_CONTROL, "private, max-age=300"),
        (
            header::CONTENT_SECURITY_POLICY,
            StatementImage::CONTENT_SECURITY_POLICY,
        ),
    ];
    Ok((headers, image.into_bytes()).into_response())
}

/// `POST .../run`: the code on the question's examples, now; not a
/// submission and never ranked.
pub async fn run(
    State(state): State<PagesState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((contest, slug)): Path<(String, String)>,
    Json(body): Json<Code>,
) -> Result<Json<ExecutionView>, PageError> {
    viewer.check_csrf_header(&headers)?;
    let (_, question) =
        (visible_question(&state, &viewer, &contest, &slug).await).map_err(PageError::as_json)?;
    run_examples(&state, &viewer, question, body).await
}

/// `POST .../submissions`: queues the code for judging on every test; the
/// script then follows it at `/ui/submissions/{id}`.
pub async fn submit(
    State(state): State<PagesState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((contest, slug)): Path<(String, String)>,
    Json(body): Json<Code>,
) -> Result<Json<SubmissionView>, PageError> {
    viewer.check_csrf_header(&headers)?;
    visible_question(&state, &viewer, &contest, &slug)
        .await
        .map_err(PageError::as_json)?;
    let view = (state.service)
        .submit(&viewer.principal, &slug, body.into(), None)
        .await
        .map_err(|refusal| PageError::from(refusal).as_json())?;
    Ok(Json(view))
}

/// `GET /ui/submissions/{id}`: one of the viewer's submissions, with its
/// code and, once judged, its results (hidden tests withheld).
pub async fn submission(
    State(state): State<PagesState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Result<Json<SubmissionView>, PageError> {
    let view = (state.service.submission(&viewer.principal, id).await)
        .map_err(|e| PageError::internal(e).as_json())?;
    view.map(Json)
        .ok_or_else(|| PageError::not_found("No such submission.").as_json())
}

/// The contest, if the viewer may see it (otherwise as if there were none).
pub(super) async fn visible_contest(
    state: &PagesState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Contest, PageError> {
    let contest = (state.database.contest(slug).await).map_err(PageError::internal)?;
    let access = state.service.access();
    contest
        .filter(|contest| access.see_contest(&viewer.principal, contest))
        .ok_or_else(|| {
            let hint = if viewer.is_signed_in() {
                ""
            } else {
                " Open your join link to sign in."
            };
            PageError::not_found(format!("There is no contest {slug:?} you may see.{hint}"))
        })
}

/// A question of a contest, if the viewer may see the contest's questions.
async fn visible_question(
    state: &PagesState,
    viewer: &Viewer,
    contest: &str,
    slug: &str,
) -> Result<(Contest, Question), PageError> {
    let contest = visible_contest(state, viewer, contest).await?;
    let access = state.service.access();
    let unknown = || PageError::not_found(format!("There is no question {slug:?} here."));
    if !contest.contains(slug)
        || !access.see_contest_questions(&viewer.principal, &contest, Utc::now())
    {
        return Err(unknown());
    }
    let question = (state.database.question(slug).await).map_err(PageError::internal)?;
    Ok((contest, question.ok_or_else(unknown)?))
}
