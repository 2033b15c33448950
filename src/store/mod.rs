//! Persistence with sqlx, through its `Any` driver: SQLite is the embedded
//! default, PostgreSQL (a `postgres://` URL) serves several replicas. Each
//! kind of database has its schema in `migrations/<kind>`, applied at start-up.
//! Queries are written once, in the SQL both understand (`$1` parameters,
//! integers for flags, text for times). No business rules here.

mod api_keys;
mod browse;
mod callbacks;
mod clarifications;
mod contests;
mod executions;
mod program_files;
mod questions;
mod rejudges;
mod sessions;
mod submissions;

use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

pub use api_keys::ApiKeyRecord;
pub use browse::{ContestSubmission, SubmissionFilter};
pub use callbacks::{CallbackRecord, CallbackState};
pub use clarifications::{ClarificationRecord, NewClarification};
pub use contests::{ContestRefused, NewParticipant, ParticipantRecord};
pub use executions::ExecutionRecord;
pub use questions::QuestionSummary;
pub use rejudges::{RejudgeRecord, RejudgeScope, RejudgedResult};
pub use sessions::SessionRecord;
pub use submissions::{
    NewSubmission, ScoreboardRow, SubmissionEnd, SubmissionRecord, SubmissionState,
};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn of(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL {url:?} is neither sqlite:// nor postgres://")
        }
    }
}

#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    kind: DatabaseKind,
}

impl Database {
    /// Opens the database at `url` (creating a SQLite file if missing) and
    /// migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = DatabaseKind::of(url)?;
        let (url, connections) = match kind {
            // One writer at a time anyway; WAL lets readers go on meanwhile.
            DatabaseKind::Sqlite => (sqlite_url(url), 4),
            DatabaseKind::Postgres => (url.to_string(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("opening the database {}", redacted(&url)))?;
        let migrations = match kind {
            DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            DatabaseKind::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrations
            .run(&pool)
            .await
            .context("applying database migrations")?;
        Ok(Self { pool, kind })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// How a claim's subquery locks the row it picks: PostgreSQL replicas
    /// skip rows another one is claiming; SQLite has one writer anyway.
    fn skip_locked(&self) -> &'static str {
        match self.kind {
            DatabaseKind::Postgres => "FOR UPDATE SKIP LOCKED",
            DatabaseKind::Sqlite => "",
        }
    }

    fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that writes. On SQLite it takes the write lock at
    /// `BEGIN IMMEDIATE`, waiting for it up to the busy timeout: a plain
    /// (deferred) transaction that reads first fails at once with "database
    /// is locked" when another connection writes before it does.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DatabaseKind::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// A SQLite URL that creates the file when it is missing.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The URL without its password, for error messages and logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// An integer column as the Rust type it holds (every integer is stored as
/// a 64-bit one, the type both back ends agree on).
fn int<T: TryFrom<i64>>(row: &AnyRow, column: &str) -> Result<T>
where
    T::Error: std::error::Error + Send + Sync + 'static,
{
    Ok(T::try_from(row.try_get::<i64, _>(column)?)?)
}

/// A time column (RFC 3339 text, the form both back ends store).
/// A nullable integer column as a `u32`.
fn optional_int(row: &AnyRow, column: &str) -> Result<Option<u32>> {
    Ok(row
        .try_get::<Option<i64>, _>(column)?
        .map(u32::try_from)
        .transpose()?)
}

/// A nullable column of ids.
fn uuid(row: &AnyRow, column: &str) -> Result<Option<uuid::Uuid>> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .map(|id| uuid::Uuid::parse_str(&id))
        .transpose()?)
}

fn time(text: Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(text
        .map(|t| chrono::DateTime::parse_from_rfc3339(&t))
        .transpose()?
        .map(|t| t.with_timezone(&chrono::Utc)))
}

/// Parses a unit enum from its serde name, the form `to_text` stores.
fn from_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_string(),
    ))?)
}

/// A unit enum as its serde name.
fn to_text<T: serde::Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(text) => Ok(text),
        other => anyhow::bail!("{other} is not a unit enum"),
    }
}
