//! API keys: a name, a role, and the digest of the key (never the key).

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Database, time};
use crate::auth::KeyRole;

/// An API key as `GET /admin/api-keys` lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub name: String,
    pub role: KeyRole,
    pub created_at: DateTime<Utc>,
}

impl Database {
    pub async fn insert_api_key(
        &self,
        name: &str,
        role: KeyRole,
        key_digest: &str,
    ) -> Result<ApiKeyRecord> {
        let record = ApiKeyRecord {
            id: Uuid::new_v4(),
            name: name.to_string(),
            role,
            created_at: Utc::now(),
        };
        sqlx::query(
            "INSERT INTO api_keys (id, name, role, key_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(record.id.to_string())
        .bind(name)
        .bind(role.as_str())
        .bind(key_digest)
        .bind(record.created_at.to_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(record)
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        let rows =
            sqlx::query("SELECT id, name, role, created_at FROM api_keys ORDER BY created_at")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(ApiKeyRecord {
                    id: Uuid::parse_str(row.try_get("id")?)?,
                    name: row.try_get("name")?,
                    role: KeyRole::parse(&role)
                        .ok_or_else(|| anyhow::anyhow!("unknown key role {role:?}"))?,
                    created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
                })
            })
            .collect()
    }

    /// Revokes a key; `false` if there was none.
    pub async fn delete_api_key(&self, id: Uuid) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM api_keys WHERE id = $1")
            .bind(id.to_string())
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    /// The role of the key with this digest, if it exists.
    pub async fn api_key_role(&self, digest: &str) -> Result<Option<KeyRole>> {
        let row = sqlx::query("SELECT role FROM api_keys WHERE key_hash = $1")
            .bind(digest)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => KeyRole::parse(row.try_get("role")?),
            None => None,
        })
    }
}
