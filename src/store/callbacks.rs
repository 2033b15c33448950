//! The callback outbox: one row per finished submission with a callback_url
//! (written by `finish_submission`), claimed by any replica's deliverer under
//! a lease, attempt by attempt, until it is delivered or failed.

use anyhow::Result;
use sqlx::Row;
use uuid::Uuid;

use super::{Database, int};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackState {
    Pending,
    Delivered,
    Failed,
}

impl CallbackState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// A claimed callback: an attempt to make now.
#[derive(Debug, Clone)]
pub struct CallbackRecord {
    pub submission_id: Uuid,
    pub url: String,
    /// Attempts made, counting this one.
    pub attempts: u32,
}

impl Database {
    /// Takes the pending callback due longest (whose last attempt is not
    /// still held by a live replica) for `replica`, until `lease_until`
    /// (unix ms), counting the attempt.
    pub async fn claim_callback(
        &self,
        replica: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<CallbackRecord>> {
        let lock = self.skip_locked();
        let row = sqlx::query(&format!(
            "UPDATE callbacks SET replica = $1, lease_until = $2, attempts = attempts + 1
             WHERE submission_id = (
                 SELECT submission_id FROM callbacks
                 WHERE state = 'pending' AND next_attempt_at <= $3
                     AND (lease_until IS NULL OR lease_until < $3)
                 ORDER BY next_attempt_at LIMIT 1 {lock})
             RETURNING submission_id, url, attempts"
        ))
        .bind(replica)
        .bind(lease_until)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(CallbackRecord {
                submission_id: Uuid::parse_str(&row.try_get::<String, _>("submission_id")?)?,
                url: row.try_get("url")?,
                attempts: int(&row, "attempts")?,
            })
        })
        .transpose()
    }

    /// When the next pending callback may be claimed (unix ms), if any is.
    pub async fn next_callback_due(&self) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN lease_until > next_attempt_at THEN lease_until
                             ELSE next_attempt_at END) AS due
             FROM callbacks WHERE state = 'pending'",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("due")?)
    }

    /// Records how `replica`'s attempt went and releases the row; `false`
    /// if its lease ran out and another replica claimed it meanwhile.
    pub async fn record_callback_attempt(
        &self,
        submission_id: Uuid,
        replica: &str,
        state: CallbackState,
        next_attempt_at: i64,
    ) -> Result<bool> {
        let recorded = sqlx::query(
            "UPDATE callbacks SET state = $1, next_attempt_at = $2, replica = NULL,
                 lease_until = NULL
             WHERE submission_id = $3 AND replica = $4",
        )
        .bind(state.as_str())
        .bind(next_attempt_at)
        .bind(submission_id.to_string())
        .bind(replica)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(recorded > 0)
    }
}
