//! Clarifications and announcements, as stored; who sees which is
//! `auth::access`'s to say.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Database, time, uuid};

/// A participant's question with its answer, or an announcement.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClarificationRecord {
    pub id: Uuid,
    /// The contest's question it is about; none: the contest.
    pub question: Option<String>,
    /// Who asked; none: an announcement.
    pub asked_by: Option<String>,
    /// The question asked, or the announcement.
    pub text: String,
    pub answer: Option<String>,
    /// Everyone who sees the contest reads it (announcements always).
    pub public: bool,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl ClarificationRecord {
    /// When it last changed for its readers: asked, announced or answered.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.answered_at.unwrap_or(self.created_at)
    }
}

/// A new clarification (`asked_by`) or announcement (none).
pub struct NewClarification<'a> {
    pub contest: &'a str,
    pub question: Option<&'a str>,
    pub asked_by: Option<&'a str>,
    pub text: &'a str,
}

impl Database {
    pub async fn insert_clarification(&self, new: &NewClarification<'_>) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let announcement = new.asked_by.is_none();
        sqlx::query(
            "INSERT INTO clarifications (id, contest_slug, question_slug, asked_by, text, public,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(new.contest)
        .bind(new.question)
        .bind(new.asked_by)
        .bind(new.text)
        .bind(i64::from(announcement))
        .bind(Utc::now().to_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Answers a clarification of `contest`, to its asker or to everyone;
    /// `false` if there is no such clarification.
    pub async fn answer_clarification(
        &self,
        contest: &str,
        id: Uuid,
        answer: &str,
        public: bool,
    ) -> Result<bool> {
        let answered = sqlx::query(
            "UPDATE clarifications SET answer = $1, public = $2, answered_at = $3
             WHERE id = $4 AND contest_slug = $5 AND asked_by IS NOT NULL",
        )
        .bind(answer)
        .bind(i64::from(public))
        .bind(Utc::now().to_rfc3339())
        .bind(id.to_string())
        .bind(contest)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(answered > 0)
    }

    /// `contest`'s clarifications and announcements, newest first.
    pub async fn clarifications(&self, contest: &str) -> Result<Vec<ClarificationRecord>> {
        sqlx::query(
            "SELECT * FROM clarifications WHERE contest_slug = $1 ORDER BY created_at DESC, id",
        )
        .bind(contest)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(clarification_from_row)
        .collect()
    }
}

fn clarification_from_row(row: &AnyRow) -> Result<ClarificationRecord> {
    Ok(ClarificationRecord {
        id: uuid(row, "id")?.expect("primary key"),
        question: row.try_get("question_slug")?,
        asked_by: row.try_get("asked_by")?,
        text: row.try_get("text")?,
        answer: row.try_get("answer")?,
        public: row.try_get::<i64, _>("public")? != 0,
        created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
        answered_at: time(row.try_get("answered_at")?)?,
    })
}
