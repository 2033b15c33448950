//! Submissions and the work queue over them. A replica's worker claims the
//! oldest queued submission (or a running one whose lease ran out: its
//! replica died) and holds it under a lease it renews; PostgreSQL replicas skip
//! rows another one has locked, SQLite has one writer anyway.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Database, int, optional_int, time, uuid};
use crate::auth::{Owner, Participant};
use crate::judge::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    Queued,
    Running,
    Finished,
}

impl SubmissionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Finished => "finished",
        }
    }
}

/// A submission as stored.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRecord {
    pub id: Uuid,
    pub user_id: Option<String>,
    /// The API calls it `question_id`; it is the question's slug.
    #[serde(rename = "question_id")]
    pub question_slug: String,
    pub language: String,
    #[serde(skip)]
    pub code: String,
    pub state: SubmissionState,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub execution_id: Option<Uuid>,
    #[serde(skip)]
    pub callback_url: Option<String>,
    /// The replica that ran (or runs) it.
    pub replica: Option<String>,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Who made it; `None` for records from before owners were kept.
    #[serde(skip)]
    pub owner: Option<Owner>,
    /// Why it finished without a result: judging it failed on every attempt.
    pub error: Option<String>,
    /// Its result's verdict (see `store::browse`); `None` until first judged.
    pub verdict: Option<String>,
    /// The rejudge it is queued or running for; its earlier result stands
    /// until the new one replaces it.
    pub rejudge_id: Option<Uuid>,
}

/// How a held submission ends.
#[derive(Debug, Clone, Copy)]
pub enum SubmissionEnd<'a> {
    /// Judged: its execution, score and verdict.
    Judged {
        execution_id: Uuid,
        score: u32,
        max_score: u32,
        verdict: Status,
    },
    /// Not judged: its question or language went away (scored 0 of 0).
    NotJudged,
    /// Judging it failed with an error of ours on its last attempt.
    Failed { reason: &'a str },
}

/// What a new submission says.
pub struct NewSubmission<'a> {
    pub owner: &'a Owner,
    pub user_id: Option<&'a str>,
    pub question_slug: &'a str,
    pub language: &'a str,
    pub code: &'a str,
    pub callback_url: Option<&'a str>,
}

/// A user's standing on a question.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoreboardRow {
    pub user_id: String,
    pub best_score: u32,
    pub max_score: u32,
    pub attempts: u32,
    /// When the user first got every point, if they did.
    pub solved_at: Option<DateTime<Utc>>,
}

pub(super) const COLUMNS: &str =
    "id, user_id, question_slug, language, code, state, score, max_score,
    execution_id, callback_url, replica, attempts, created_at, started_at, finished_at, owner,
    contest_slug, error, verdict, rejudge_id";

impl Database {
    /// Stores a submission in the queue, or, with `replica`, as already
    /// running there under a lease (the synchronous path).
    pub async fn insert_submission(
        &self,
        new: &NewSubmission<'_>,
        replica: Option<(&str, i64)>,
    ) -> Result<SubmissionRecord> {
        let id = Uuid::new_v4();
        let now = Utc::now().to_rfc3339();
        let (state, replica, lease, started) = match replica {
            Some((replica, lease_until)) => {
                ("running", Some(replica), Some(lease_until), Some(&now))
            }
            None => ("queued", None, None, None),
        };
        sqlx::query(
            "INSERT INTO submissions (id, user_id, question_slug, language, code, state,
                 callback_url, replica, lease_until, attempts, created_at, started_at, owner,
                 contest_slug)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id.to_string())
        .bind(new.user_id)
        .bind(new.question_slug)
        .bind(new.language)
        .bind(new.code)
        .bind(state)
        .bind(new.callback_url)
        .bind(replica)
        .bind(lease)
        .bind(i64::from(replica.is_some()))
        .bind(&now)
        .bind(started)
        .bind(new.owner.as_str())
        .bind(new.owner.contest())
        .execute(self.pool())
        .await?;
        self.submission(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("submission {id} vanished after insert"))
    }

    pub async fn submission(&self, id: Uuid) -> Result<Option<SubmissionRecord>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM submissions WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    /// Newest first, filtered by user and question when given; with `own`,
    /// only what that participant made with their token.
    pub async fn submissions(
        &self,
        own: Option<&Participant>,
        user_id: Option<&str>,
        question_slug: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<SubmissionRecord>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM submissions
             WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR question_slug = $2)
                 AND ($5 IS NULL OR (owner = 'participant' AND contest_slug = $5
                                     AND user_id = $6))
             ORDER BY created_at DESC, id LIMIT $3 OFFSET $4"
        ))
        .bind(user_id)
        .bind(question_slug)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .bind(own.map(|p| p.contest.as_str()))
        .bind(own.map(|p| p.user_id.as_str()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(submission_from_row)
        .collect()
    }

    /// How many live submissions wait for a worker (rejudges wait behind
    /// them and are not counted: a rejudge never fills the queue).
    pub async fn queued_submissions(&self) -> Result<u64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS queued FROM submissions WHERE state = 'queued' AND priority = 0",
        )
        .fetch_one(self.pool())
        .await?;
        int(&row, "queued")
    }

    /// Submissions queued and running, on every replica.
    pub async fn submission_counts(&self) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0) AS queued,
                    COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS running
             FROM submissions WHERE state IN ('queued', 'running')",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((int(&row, "queued")?, int(&row, "running")?))
    }

    /// Takes the oldest submission that waits (or whose replica's lease ran
    /// out) for `replica`, until `lease_until` (unix ms): live submissions
    /// before rejudges, and rejudges only if `rejudges` says so.
    pub async fn claim_submission(
        &self,
        replica: &str,
        now: i64,
        lease_until: i64,
        rejudges: bool,
    ) -> Result<Option<SubmissionRecord>> {
        let lock = self.skip_locked();
        let row = sqlx::query(&format!(
            "UPDATE submissions SET state = 'running', replica = $1, lease_until = $2,
                 attempts = attempts + 1, started_at = $3
             WHERE id = (SELECT id FROM submissions
                         WHERE (state = 'queued' OR (state = 'running' AND lease_until < $4))
                             AND (priority = 0 OR $5 = 1)
                         ORDER BY priority, created_at LIMIT 1 {lock})
             RETURNING {COLUMNS}"
        ))
        .bind(replica)
        .bind(lease_until)
        .bind(Utc::now().to_rfc3339())
        .bind(now)
        .bind(i64::from(rejudges))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    /// Extends the lease; `false` if the submission is no longer this replica's.
    pub async fn renew_lease(&self, id: Uuid, replica: &str, lease_until: i64) -> Result<bool> {
        let renewed = sqlx::query(
            "UPDATE submissions SET lease_until = $1
             WHERE id = $2 AND replica = $3 AND state = 'running'",
        )
        .bind(lease_until)
        .bind(id.to_string())
        .bind(replica)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(renewed > 0)
    }

    /// Records how the submission ended and, in the same transaction, what
    /// it replaced if it was rejudged, and its callback (if it has one), due
    /// at once; `false` if another replica took the submission over
    /// meanwhile (its result wins).
    pub async fn finish_submission(
        &self,
        id: Uuid,
        replica: &str,
        end: SubmissionEnd<'_>,
    ) -> Result<bool> {
        let (execution_id, score, max_score, error, verdict) = match end {
            SubmissionEnd::Judged {
                execution_id,
                score,
                max_score,
                verdict,
            } => (
                Some(execution_id.to_string()),
                Some(i64::from(score)),
                Some(i64::from(max_score)),
                None,
                verdict.to_string(),
            ),
            SubmissionEnd::NotJudged => (None, Some(0), Some(0), None, "not_judged".into()),
            SubmissionEnd::Failed { reason } => {
                (None, None, None, Some(reason), "internal_error".into())
            }
        };
        let now = Utc::now().to_rfc3339();
        let mut transaction = self.begin_write().await?;
        // Before it is overwritten: the result a rejudge replaces.
        sqlx::query(
            "INSERT INTO rejudged_submissions (rejudge_id, submission_id, previous_execution_id,
                 previous_score, previous_max_score, previous_verdict, previous_finished_at,
                 execution_id, score, max_score, verdict, finished_at)
             SELECT rejudge_id, id, execution_id, score, max_score, verdict, finished_at,
                 $1, $2, $3, $4, $5
             FROM submissions
             WHERE id = $6 AND replica = $7 AND state = 'running' AND rejudge_id IS NOT NULL",
        )
        .bind(&execution_id)
        .bind(score)
        .bind(max_score)
        .bind(&verdict)
        .bind(&now)
        .bind(id.to_string())
        .bind(replica)
        .execute(&mut *transaction)
        .await?;
        let finished = sqlx::query(
            "UPDATE submissions SET state = 'finished', execution_id = $1, score = $2,
                 max_score = $3, error = $4, verdict = $5, finished_at = $6,
                 lease_until = NULL, priority = 0, rejudge_id = NULL
             WHERE id = $7 AND replica = $8 AND state = 'running'",
        )
        .bind(execution_id)
        .bind(score)
        .bind(max_score)
        .bind(error)
        .bind(verdict)
        .bind(&now)
        .bind(id.to_string())
        .bind(replica)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if finished == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE contests SET scoreboard_version = scoreboard_version + 1
             WHERE slug = (SELECT contest_slug FROM submissions WHERE id = $1)",
        )
        .bind(id.to_string())
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO callbacks (submission_id, url, state, attempts, next_attempt_at)
             SELECT id, callback_url, 'pending', 0, $1 FROM submissions
             WHERE id = $2 AND callback_url IS NOT NULL",
        )
        .bind(Utc::now().timestamp_millis())
        .bind(id.to_string())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// Puts a submission this replica failed to judge back in the queue,
    /// for its next attempt; `false` if it is no longer this replica's.
    pub async fn release_submission(&self, id: Uuid, replica: &str) -> Result<bool> {
        let released = sqlx::query(
            "UPDATE submissions SET state = 'queued', replica = NULL, lease_until = NULL
             WHERE id = $1 AND replica = $2 AND state = 'running'",
        )
        .bind(id.to_string())
        .bind(replica)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(released > 0)
    }

    /// Puts this replica's running submissions back in the queue (shutdown).
    pub async fn hand_back_submissions(&self, replica: &str) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE submissions SET state = 'queued', replica = NULL, lease_until = NULL
             WHERE replica = $1 AND state = 'running'",
        )
        .bind(replica)
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// Per user: best score, attempts, and when they first got every point,
    /// over the submissions of `ranked` owners (and those from before owners
    /// were kept).
    pub async fn scoreboard(
        &self,
        question_slug: &str,
        ranked: [&str; 2],
    ) -> Result<Vec<ScoreboardRow>> {
        sqlx::query(
            "SELECT user_id, MAX(score) AS best_score, MAX(max_score) AS max_score,
                 COUNT(*) AS attempts,
                 MIN(CASE WHEN score = max_score THEN finished_at END) AS solved_at
             FROM submissions
             WHERE question_slug = $1 AND score IS NOT NULL AND user_id IS NOT NULL
                 AND (owner IS NULL OR owner IN ($2, $3))
             GROUP BY user_id
             ORDER BY MAX(score) DESC,
                 MIN(CASE WHEN score = max_score THEN finished_at END) IS NULL,
                 MIN(CASE WHEN score = max_score THEN finished_at END), user_id",
        )
        .bind(question_slug)
        .bind(ranked[0])
        .bind(ranked[1])
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(ScoreboardRow {
                user_id: row.try_get("user_id")?,
                best_score: int(row, "best_score")?,
                max_score: int(row, "max_score")?,
                attempts: int(row, "attempts")?,
                solved_at: time(row.try_get("solved_at")?)?,
            })
        })
        .collect()
    }
}

pub(super) fn submission_from_row(row: &AnyRow) -> Result<SubmissionRecord> {
    let state = match row.try_get::<String, _>("state")?.as_str() {
        "queued" => SubmissionState::Queued,
        "running" => SubmissionState::Running,
        "finished" => SubmissionState::Finished,
        other => anyhow::bail!("unknown submission state {other:?}"),
    };
    Ok(SubmissionRecord {
        id: Uuid::parse_str(&row.try_get::<String, _>("id")?)?,
        user_id: row.try_get("user_id")?,
        question_slug: row.try_get("question_slug")?,
        language: row.try_get("language")?,
        code: row.try_get("code")?,
        state,
        score: optional_int(row, "score")?,
        max_score: optional_int(row, "max_score")?,
        execution_id: uuid(row, "execution_id")?,
        callback_url: row.try_get("callback_url")?,
        replica: row.try_get("replica")?,
        attempts: int(row, "attempts")?,
        created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
        started_at: time(row.try_get("started_at")?)?,
        finished_at: time(row.try_get("finished_at")?)?,
        owner: Owner::from_columns(row.try_get("owner")?, row.try_get("contest_slug")?),
        error: row.try_get("error")?,
        verdict: row.try_get("verdict")?,
        rejudge_id: uuid(row, "rejudge_id")?,
    })
}
