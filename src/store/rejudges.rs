//! Rejudges: submissions queued again, at a lower priority than live ones,
//! each keeping its result until the new one replaces it; and the history
//! of what each rejudge changed.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Database, int, optional_int, time, uuid};

/// Which finished submissions a rejudge queues again; each `None` is any,
/// but a rejudge names at least one.
#[derive(Debug, Clone, Default)]
pub struct RejudgeScope {
    pub contest: Option<String>,
    pub question: Option<String>,
    pub submission: Option<Uuid>,
}

/// A rejudge and how far it got.
#[derive(Debug, Clone)]
pub struct RejudgeRecord {
    pub id: Uuid,
    pub scope: RejudgeScope,
    /// Submissions it queued.
    pub total: u32,
    /// Of those, rejudged so far.
    pub done: u32,
    /// Of those, with another verdict or score than before.
    pub changed: u32,
    pub created_at: DateTime<Utc>,
}

/// A result a rejudge replaced, and what replaced it.
#[derive(Debug, Clone)]
pub struct RejudgedResult {
    pub rejudge_id: Uuid,
    pub previous_execution_id: Option<Uuid>,
    pub previous_score: Option<u32>,
    pub previous_max_score: Option<u32>,
    pub previous_verdict: Option<String>,
    pub previous_finished_at: Option<DateTime<Utc>>,
    pub execution_id: Option<Uuid>,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub verdict: String,
    pub finished_at: DateTime<Utc>,
}

const REJUDGE_COLUMNS: &str = "r.id, r.contest_slug, r.question_slug, r.submission_id, r.total,
    r.created_at,
    (SELECT COUNT(*) FROM rejudged_submissions d WHERE d.rejudge_id = r.id) AS done,
    (SELECT COUNT(*) FROM rejudged_submissions d WHERE d.rejudge_id = r.id
         AND (d.verdict IS DISTINCT FROM d.previous_verdict
              OR d.score IS DISTINCT FROM d.previous_score)) AS changed";

impl Database {
    /// Queues every finished submission in `scope` again, at rejudge
    /// priority; those queued or running already are judged anyway.
    pub async fn rejudge(&self, scope: &RejudgeScope) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO rejudges (id, contest_slug, question_slug, submission_id, total,
                 created_at)
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(id.to_string())
        .bind(scope.contest.as_deref())
        .bind(scope.question.as_deref())
        .bind(scope.submission.map(|id| id.to_string()))
        .bind(Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
        let queued = sqlx::query(
            "UPDATE submissions SET state = 'queued', priority = 1, rejudge_id = $1,
                 attempts = 0, replica = NULL, lease_until = NULL
             WHERE state = 'finished' AND ($2 IS NULL OR contest_slug = $2)
                 AND ($3 IS NULL OR question_slug = $3) AND ($4 IS NULL OR id = $4)",
        )
        .bind(id.to_string())
        .bind(scope.contest.as_deref())
        .bind(scope.question.as_deref())
        .bind(scope.submission.map(|id| id.to_string()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("UPDATE rejudges SET total = $1 WHERE id = $2")
            .bind(i64::try_from(queued)?)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn rejudge_record(&self, id: Uuid) -> Result<Option<RejudgeRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {REJUDGE_COLUMNS} FROM rejudges r WHERE r.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(rejudge_from_row).transpose()
    }

    /// The newest rejudges of `contest` (all contests' with `None`), newest first.
    pub async fn rejudges(&self, contest: Option<&str>, limit: u32) -> Result<Vec<RejudgeRecord>> {
        sqlx::query(&format!(
            "SELECT {REJUDGE_COLUMNS} FROM rejudges r
             WHERE $1 IS NULL OR r.contest_slug = $1
             ORDER BY r.created_at DESC, r.id LIMIT $2"
        ))
        .bind(contest)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(rejudge_from_row)
        .collect()
    }

    /// The results rejudges replaced on `submission`, oldest first.
    pub async fn rejudged_results(&self, submission: Uuid) -> Result<Vec<RejudgedResult>> {
        sqlx::query(
            "SELECT * FROM rejudged_submissions WHERE submission_id = $1
             ORDER BY finished_at, rejudge_id",
        )
        .bind(submission.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(RejudgedResult {
                rejudge_id: uuid(row, "rejudge_id")?.expect("not null"),
                previous_execution_id: uuid(row, "previous_execution_id")?,
                previous_score: optional_int(row, "previous_score")?,
                previous_max_score: optional_int(row, "previous_max_score")?,
                previous_verdict: row.try_get("previous_verdict")?,
                previous_finished_at: time(row.try_get("previous_finished_at")?)?,
                execution_id: uuid(row, "execution_id")?,
                score: optional_int(row, "score")?,
                max_score: optional_int(row, "max_score")?,
                verdict: row.try_get("verdict")?,
                finished_at: time(Some(row.try_get("finished_at")?))?.expect("given"),
            })
        })
        .collect()
    }
}

fn rejudge_from_row(row: &AnyRow) -> Result<RejudgeRecord> {
    Ok(RejudgeRecord {
        id: uuid(row, "id")?.expect("primary key"),
        scope: RejudgeScope {
            contest: row.try_get("contest_slug")?,
            question: row.try_get("question_slug")?,
            submission: uuid(row, "submission_id")?,
        },
        total: int(row, "total")?,
        done: int(row, "done")?,
        changed: int(row, "changed")?,
        created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
    })
}
