//! Files a client stored for its runs to name (the Jobe API's file cache),
//! by owner and id.

use anyhow::Result;
use chrono::Utc;
use sqlx::Row;

use super::Database;

impl Database {
    /// Stores `bytes` as `owner`'s file `id`, replacing what was there.
    pub async fn put_program_file(&self, owner: &str, id: &str, bytes: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO program_files (owner, id, bytes, stored_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner, id) DO UPDATE SET bytes = excluded.bytes,
                 stored_at = excluded.stored_at",
        )
        .bind(owner)
        .bind(id)
        .bind(bytes.to_vec())
        .bind(Utc::now().to_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// `owner`'s file `id`, if it stored one.
    pub async fn program_file(&self, owner: &str, id: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT bytes FROM program_files WHERE owner = $1 AND id = $2")
            .bind(owner)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("bytes")).transpose()?)
    }

    /// Whether `owner` stored a file `id`, without reading it.
    pub async fn has_program_file(&self, owner: &str, id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS found FROM program_files WHERE owner = $1 AND id = $2")
            .bind(owner)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }
}
