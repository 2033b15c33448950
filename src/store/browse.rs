//! What teachers look through: a contest's submissions for its charts, and
//! every submission filtered by contest, user, question, language and
//! verdict. A submission's verdict (stored with it when it finishes) is its
//! execution's first failing test's status, or `accepted` when every test
//! passed; one whose judging failed on every attempt is `internal_error`,
//! and one finished without a result (its question or language went away)
//! is `not_judged`. Listed, one still in the queue has its state instead
//! (`queued`, `running`), a rejudged one too until its new result is in.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::submissions::{COLUMNS, submission_from_row};
use super::{Database, SubmissionRecord, SubmissionState, from_text, optional_int, time};
use crate::judge::Status;

/// One of a contest's submissions, as its charts count it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestSubmission {
    pub created_at: DateTime<Utc>,
    pub question: String,
    pub language: String,
    pub user_id: Option<String>,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub state: SubmissionState,
    /// Whether it has a result: finished ones without one were not judged.
    pub judged: bool,
    /// Its verdict, once judged.
    pub verdict: Option<Status>,
}

/// Which submissions to list; `None` matches any.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter<'a> {
    pub contest: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub question: Option<&'a str>,
    pub language: Option<&'a str>,
    /// A status (`wrong_answer`...), `accepted`, `queued`, `running` or
    /// `not_judged`.
    pub verdict: Option<&'a str>,
}

impl Database {
    /// The submissions participants made in `contest`, oldest first.
    pub async fn contest_submissions(&self, contest: &str) -> Result<Vec<ContestSubmission>> {
        let rows = sqlx::query(
            "SELECT s.created_at, s.question_slug, s.language, s.user_id, s.score, s.max_score,
                 s.state, s.execution_id, s.verdict
             FROM submissions s
             WHERE s.contest_slug = $1 AND s.owner = 'participant'
             ORDER BY s.created_at",
        )
        .bind(contest)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let verdict: Option<String> = row.try_get("verdict")?;
                Ok(ContestSubmission {
                    created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
                    question: row.try_get("question_slug")?,
                    language: row.try_get("language")?,
                    user_id: row.try_get("user_id")?,
                    score: optional_int(row, "score")?,
                    max_score: optional_int(row, "max_score")?,
                    state: from_text(row.try_get("state")?)?,
                    judged: row.try_get::<Option<String>, _>("execution_id")?.is_some(),
                    // `not_judged` is no status: it has no result.
                    verdict: (verdict.as_deref())
                        .filter(|v| *v != "not_judged")
                        .map(from_text)
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Each participant's last submission to `question` in `contest`.
    pub async fn final_submissions(
        &self,
        contest: &str,
        question: &str,
    ) -> Result<Vec<SubmissionRecord>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM submissions s
             WHERE s.contest_slug = $1 AND s.question_slug = $2 AND s.owner = 'participant'
                 AND s.created_at = (SELECT MAX(t.created_at) FROM submissions t
                     WHERE t.contest_slug = s.contest_slug AND t.question_slug = s.question_slug
                         AND t.owner = 'participant' AND t.user_id = s.user_id)
             ORDER BY s.user_id"
        ))
        .bind(contest)
        .bind(question)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(submission_from_row)
        .collect()
    }

    /// Newest first, with each one's verdict, `limit` from `offset`.
    pub async fn browse_submissions(
        &self,
        filter: &SubmissionFilter<'_>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<(SubmissionRecord, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM (
                 SELECT {COLUMNS},
                     CASE WHEN s.state <> 'finished' THEN s.state
                          ELSE s.verdict END AS listed_verdict
                 FROM submissions s
                 WHERE ($1 IS NULL OR s.contest_slug = $1) AND ($2 IS NULL OR s.user_id = $2)
                     AND ($3 IS NULL OR s.question_slug = $3) AND ($4 IS NULL OR s.language = $4)
             ) browsed
             WHERE $5 IS NULL OR listed_verdict = $5
             ORDER BY created_at DESC, id LIMIT $6 OFFSET $7"
        ))
        .bind(filter.contest)
        .bind(filter.user_id)
        .bind(filter.question)
        .bind(filter.language)
        .bind(filter.verdict)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((submission_from_row(row)?, row.try_get("listed_verdict")?)))
            .collect()
    }
}
