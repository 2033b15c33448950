//! The submissions browser: every submission, newest first, filtered by
//! contest, student, question, language and verdict; and one submission
//! with its code and every test's result (hidden ones included).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::AdminViewer;
use crate::auth::Owner;
use crate::judge::{Status, TestResult};
use crate::pages::layout::{Layout, render};
use crate::pages::views::{VERDICTS, encode, verdict_label};
use crate::pages::{PageError, PagesState};
use crate::store::{ExecutionRecord, RejudgedResult, SubmissionFilter, SubmissionRecord};

const PAGE_SIZE: u32 = 50;

/// `?contest=&user_id=&question=&language=&verdict=&page=`; empty is any.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    contest: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    page: String,
}

fn given(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

impl Filters {
    fn filter(&self) -> SubmissionFilter<'_> {
        SubmissionFilter {
            contest: given(&self.contest),
            user_id: given(&self.user_id),
            question: given(&self.question),
            language: given(&self.language),
            verdict: given(&self.verdict),
        }
    }

    fn page(&self) -> u32 {
        self.page.trim().parse().unwrap_or(1).max(1)
    }

    /// This list's address at `page`.
    fn href(&self, page: u32) -> String {
        let mut query = Vec::new();
        for (name, value) in [
            ("contest", &self.contest),
            ("user_id", &self.user_id),
            ("question", &self.question),
            ("language", &self.language),
            ("verdict", &self.verdict),
        ] {
            if let Some(value) = given(value) {
                query.push(format!("{name}={}", encode(value)));
            }
        }
        if page > 1 {
            query.push(format!("page={page}"));
        }
        if query.is_empty() {
            "/ui/admin/submissions".into()
        } else {
            format!("/ui/admin/submissions?{}", query.join("&"))
        }
    }
}

struct Row {
    record: SubmissionRecord,
    contest: Option<String>,
    verdict: String,
    verdict_label: String,
}

#[derive(Template)]
#[template(path = "admin/submissions.html")]
struct SubmissionsPage {
    layout: Layout,
    filters: Filters,
    contests: Vec<String>,
    questions: Vec<String>,
    languages: Vec<String>,
    verdicts: [(&'static str, &'static str); 12],
    rows: Vec<Row>,
    page: u32,
    previous: Option<String>,
    next: Option<String>,
}

fn contest_of(record: &SubmissionRecord) -> Option<String> {
    match &record.owner {
        Some(Owner::Participant { contest }) => Some(contest.clone()),
        _ => None,
    }
}

/// `GET /ui/admin/submissions`.
pub async fn list(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Query(filters): Query<Filters>,
) -> Result<Response, PageError> {
    let page = filters.page();
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let mut found = (state.database)
        .browse_submissions(&filters.filter(), PAGE_SIZE + 1, offset)
        .await
        .map_err(PageError::internal)?;
    let more = found.len() > PAGE_SIZE as usize;
    found.truncate(PAGE_SIZE as usize);
    let rows = (found.into_iter())
        .map(|(record, verdict)| Row {
            contest: contest_of(&record),
            verdict_label: verdict_label(&verdict).to_string(),
            verdict,
            record,
        })
        .collect();
    let contests = (state.database.contests().await).map_err(PageError::internal)?;
    let questions = (state.database.questions().await).map_err(PageError::internal)?;
    render(&SubmissionsPage {
        layout: Layout::of(&viewer),
        contests: contests.into_iter().map(|c| c.slug().to_string()).collect(),
        questions: questions.into_iter().map(|q| q.slug).collect(),
        languages: (state.languages.names().iter())
            .map(|n| n.to_string())
            .collect(),
        verdicts: VERDICTS,
        rows,
        page,
        previous: (page > 1).then(|| filters.href(page - 1)),
        next: more.then(|| filters.href(page + 1)),
        filters,
    })
}

#[derive(Template)]
#[template(path = "admin/submission.html")]
struct SubmissionPage {
    layout: Layout,
    record: SubmissionRecord,
    contest: Option<String>,
    execution: Option<ExecutionRecord>,
    /// The results rejudges replaced, oldest first.
    history: Vec<RejudgedResult>,
}

impl SubmissionPage {
    fn verdict_label(&self, test: &TestResult) -> String {
        verdict_label(&test.status.to_string()).to_string()
    }

    /// A stored verdict as people read it; "–" when there is none.
    fn label(&self, verdict: Option<&str>) -> String {
        verdict.map_or("–", verdict_label).to_string()
    }

    /// Whether the test ran and failed, so its input and output tell why.
    fn worth_showing(&self, test: &TestResult) -> bool {
        !test.hidden && !test.passed && test.status != Status::CompilationError
    }

    /// Round to what a person reads: "12.3".
    fn short(&self, value: &Option<f64>) -> String {
        format!("{:.1}", value.unwrap_or_default())
    }

    /// The browser's address for this student's submissions.
    fn by_user(&self) -> Option<String> {
        let user_id = self.record.user_id.as_deref()?;
        let filters = Filters {
            contest: self.contest.clone().unwrap_or_default(),
            user_id: user_id.to_string(),
            ..Filters::default()
        };
        Some(filters.href(1))
    }
}

/// `GET /ui/admin/submissions/{id}`.
pub async fn show(
    State(state): State<PagesState>,
    viewer: AdminViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let unknown = || PageError::not_found("There is no such submission.");
    let id = Uuid::parse_str(&id).map_err(|_| unknown())?;
    let record = (state.database.submission(id).await)
        .map_err(PageError::internal)?
        .ok_or_else(unknown)?;
    let execution = match record.execution_id {
        Some(execution) => {
            (state.database.execution(execution).await).map_err(PageError::internal)?
        }
        None => None,
    };
    let history = (state.database.rejudged_results(id).await).map_err(PageError::internal)?;
    render(&SubmissionPage {
        layout: Layout::of(&viewer),
        contest: contest_of(&record),
        history,
        record,
        execution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_link_to_their_pages() {
        let filters = Filters {
            contest: "week-1".into(),
            user_id: "ann lee&co".into(),
            verdict: " ".into(),
            ..Filters::default()
        };
        assert_eq!(
            filters.href(2),
            "/ui/admin/submissions?contest=week-1&user_id=ann%20lee%26co&page=2"
        );
        assert_eq!(filters.filter().verdict, None);
        assert_eq!(Filters::default().href(1), "/ui/admin/submissions");
        assert_eq!(Filters::default().page(), 1);
    }
}
