//! Rejudging after a test or a checker is fixed: one submission, a
//! question's, a contest's (or a question's in a contest). The submissions
//! go back to the shared queue at a lower priority than live ones; each
//! keeps its result until the new one replaces it, and what it replaced is
//! kept as its history. Scoreboards read the current results, so they follow.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{JudgingService, Refusal};
use crate::store::{RejudgeRecord, RejudgeScope, RejudgedResult};

/// What to rejudge (`POST /admin/rejudges`): a submission, or every
/// finished submission to a question, in a contest, or to a question in a
/// contest.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contest": "week-1", "question": "double"}))]
pub struct RejudgeRequest {
    pub submission_id: Option<Uuid>,
    pub contest: Option<String>,
    pub question: Option<String>,
}

/// A rejudge and its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejudgeView {
    pub rejudge_id: Uuid,
    pub submission_id: Option<Uuid>,
    pub contest: Option<String>,
    pub question: Option<String>,
    /// Submissions queued again.
    pub total: u32,
    /// Of those, judged again.
    pub done: u32,
    /// Of those, with another verdict or score than before.
    pub changed: u32,
    pub finished: bool,
    pub created_at: DateTime<Utc>,
}

impl From<RejudgeRecord> for RejudgeView {
    fn from(record: RejudgeRecord) -> Self {
        Self {
            rejudge_id: record.id,
            submission_id: record.scope.submission,
            contest: record.scope.contest,
            question: record.scope.question,
            total: record.total,
            done: record.done,
            changed: record.changed,
            finished: record.done >= record.total,
            created_at: record.created_at,
        }
    }
}

/// A result a rejudge replaced, in a submission's `history`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarlierResult {
    pub rejudge_id: Uuid,
    /// The result before the rejudge.
    pub execution_id: Option<Uuid>,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub verdict: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    /// When the rejudge replaced it, and with what verdict.
    pub replaced_at: DateTime<Utc>,
    pub replaced_by: String,
}

impl From<RejudgedResult> for EarlierResult {
    fn from(result: RejudgedResult) -> Self {
        Self {
            rejudge_id: result.rejudge_id,
            execution_id: result.previous_execution_id,
            score: result.previous_score,
            max_score: result.previous_max_score,
            verdict: result.previous_verdict,
            finished_at: result.previous_finished_at,
            replaced_at: result.finished_at,
            replaced_by: result.verdict,
        }
    }
}

impl JudgingService {
    /// Queues what `request` names again; the caller is an administrator.
    pub async fn rejudge(&self, request: RejudgeRequest) -> Result<RejudgeView, Refusal> {
        let RejudgeRequest {
            submission_id,
            contest,
            question,
        } = request;
        if submission_id.is_none() && contest.is_none() && question.is_none() {
            return Err(Refusal::Invalid(
                "name what to rejudge: a submission_id, a contest, a question, or a contest \
                 and a question"
                    .into(),
            ));
        }
        if let Some(id) = submission_id
            && self.database.submission(id).await?.is_none()
        {
            return Err(Refusal::NotFound(format!("no submission {id}")));
        }
        if let Some(slug) = &contest {
            let contest = self.contest(slug).await?;
            if let Some(question) = &question
                && !contest.contains(question)
            {
                return Err(Refusal::Invalid(format!(
                    "contest {slug:?} has no question {question:?}"
                )));
            }
        }
        if let Some(slug) = &question {
            self.question(slug).await?;
        }
        let scope = RejudgeScope {
            contest,
            question,
            submission: submission_id,
        };
        let id = self.database.rejudge(&scope).await?;
        self.queued.notify_waiters();
        self.rejudge_progress(id).await
    }

    pub async fn rejudge_progress(&self, id: Uuid) -> Result<RejudgeView, Refusal> {
        let record = self.database.rejudge_record(id).await?;
        let record = record.ok_or_else(|| Refusal::NotFound(format!("no rejudge {id}")))?;
        Ok(record.into())
    }

    /// The newest rejudges, of `contest` if given.
    pub async fn rejudges(&self, contest: Option<&str>) -> Result<Vec<RejudgeView>, Refusal> {
        let records = self.database.rejudges(contest, 50).await?;
        Ok(records.into_iter().map(RejudgeView::from).collect())
    }
}
