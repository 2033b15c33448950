//! Page sessions, by the digest of their cookie.

use anyhow::Result;
use chrono::Utc;
use sqlx::Row;

use super::Database;

/// A live session: the credential it was opened with, and its CSRF token.
pub struct SessionRecord {
    pub token_digest: String,
    pub csrf: String,
}

impl Database {
    /// Stores a session until `expires_at` (unix ms), and drops expired ones.
    pub async fn insert_session(
        &self,
        id_digest: &str,
        token_digest: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(Utc::now().timestamp_millis())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, token_hash, csrf, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_digest)
        .bind(token_digest)
        .bind(csrf)
        .bind(Utc::now().to_rfc3339())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session, unless it has expired.
    pub async fn session(&self, id_digest: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, csrf FROM sessions WHERE id_hash = $1 AND expires_at >= $2",
        )
        .bind(id_digest)
        .bind(Utc::now().timestamp_millis())
        .fetch_optional(self.pool())
        .await?;
        let record = |row: sqlx::any::AnyRow| -> Result<SessionRecord> {
            Ok(SessionRecord {
                token_digest: row.try_get("token_hash")?,
                csrf: row.try_get("csrf")?,
            })
        };
        row.map(record).transpose()
    }

    pub async fn delete_session(&self, id_digest: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_digest)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
