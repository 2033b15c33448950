//! Contests, their questions and participants, and the attempts their
//! scoreboards rank.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Database, from_text, int, time, to_text};
use crate::auth::Participant;
use crate::contest::{Attempt, Contest, ContestSpec, OwnTime, ScoreboardSetting, Scoring};

/// Why a contest could not be stored.
#[derive(Debug)]
pub enum ContestRefused {
    UnknownQuestion(String),
}

/// A participant as `GET /admin/contests/{slug}/participants` lists them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ParticipantRecord {
    pub user_id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Their own start, if later than the contest's.
    pub starts_at: Option<DateTime<Utc>>,
    /// Minutes added to their window.
    pub extra_minutes: u32,
}

impl ParticipantRecord {
    /// Their own start and extra minutes.
    pub fn time(&self) -> OwnTime {
        OwnTime {
            starts_at: self.starts_at,
            extra_minutes: self.extra_minutes,
        }
    }
}

/// A participant to add, with the digest of their new token.
pub struct NewParticipant<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub token_digest: String,
}

const CONTEST_COLUMNS: &str = "slug, title, starts_at, ends_at, scoring, scoreboard,
    freeze_minutes, public, compile_errors_count, practice_after_end";

impl Database {
    /// Creates or replaces a contest; `Ok(true)` if it was new.
    pub async fn put_contest(&self, contest: &Contest) -> Result<Result<bool, ContestRefused>> {
        let mut tx = self.begin_write().await?;
        for question in contest.questions() {
            let exists = sqlx::query("SELECT 1 FROM questions WHERE slug = $1")
                .bind(question)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Ok(Err(ContestRefused::UnknownQuestion(question.clone())));
            }
        }
        let existed = sqlx::query("SELECT 1 FROM contests WHERE slug = $1")
            .bind(contest.slug())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        let now = Utc::now().to_rfc3339();
        sqlx::query(
            "INSERT INTO contests (slug, title, starts_at, ends_at, scoring, scoreboard,
                 freeze_minutes, public, compile_errors_count, practice_after_end, created_at,
                 updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (slug) DO UPDATE SET title = $2, starts_at = $3, ends_at = $4,
                 scoring = $5, scoreboard = $6, freeze_minutes = $7, public = $8,
                 compile_errors_count = $9, practice_after_end = $10, updated_at = $11,
                 scoreboard_version = contests.scoreboard_version + 1",
        )
        .bind(contest.slug())
        .bind(contest.title())
        .bind(contest.starts_at().to_rfc3339())
        .bind(contest.ends_at().to_rfc3339())
        .bind(to_text(&contest.scoring())?)
        .bind(to_text(&contest.scoreboard())?)
        .bind(contest.freeze_minutes().map(i64::from))
        .bind(i64::from(contest.public()))
        .bind(i64::from(contest.compile_errors_count()))
        .bind(i64::from(contest.practice_after_end()))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM contest_questions WHERE contest_slug = $1")
            .bind(contest.slug())
            .execute(&mut *tx)
            .await?;
        for (position, question) in (1_i64..).zip(contest.questions()) {
            sqlx::query(
                "INSERT INTO contest_questions (contest_slug, question_slug, position)
                 VALUES ($1, $2, $3)",
            )
            .bind(contest.slug())
            .bind(question)
            .bind(position)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(!existed))
    }

    pub async fn contest(&self, slug: &str) -> Result<Option<Contest>> {
        let contests = self.contests_where("WHERE slug = $1", Some(slug)).await?;
        Ok(contests.into_iter().next())
    }

    /// Every contest, by start.
    pub async fn contests(&self) -> Result<Vec<Contest>> {
        self.contests_where("", None).await
    }

    /// The contests `question` is in.
    pub async fn contests_with_question(&self, question: &str) -> Result<Vec<Contest>> {
        self.contests_where(
            "WHERE slug IN (SELECT contest_slug FROM contest_questions WHERE question_slug = $1)",
            Some(question),
        )
        .await
    }

    async fn contests_where(&self, filter: &str, value: Option<&str>) -> Result<Vec<Contest>> {
        let sql =
            format!("SELECT {CONTEST_COLUMNS} FROM contests {filter} ORDER BY starts_at, slug");
        let mut query = sqlx::query(&sql);
        if let Some(value) = value {
            query = query.bind(value);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut contests = Vec::with_capacity(rows.len());
        for row in &rows {
            let slug: String = row.try_get("slug")?;
            let questions = sqlx::query(
                "SELECT question_slug FROM contest_questions WHERE contest_slug = $1
                 ORDER BY position",
            )
            .bind(&slug)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| row.try_get("question_slug"))
            .collect::<Result<Vec<String>, _>>()?;
            // One unreadable row (written before a check existed) must not
            // take every list of contests down: it is left out, and said.
            match contest_from_row(row, questions) {
                Ok(contest) => contests.push(contest),
                Err(error) => {
                    tracing::error!(%slug, error = format!("{error:#}"), "a stored contest cannot be read: left out")
                }
            }
        }
        Ok(contests)
    }

    /// Deletes a contest with its participants (their tokens stop working);
    /// submissions stay. `false` if there was none.
    pub async fn delete_contest(&self, slug: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        for table in ["participants", "contest_questions", "clarifications"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE contest_slug = $1"))
                .bind(slug)
                .execute(&mut *tx)
                .await?;
        }
        let deleted = sqlx::query("DELETE FROM contests WHERE slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Adds participants to `contest`, or gives existing ones a new token
    /// (the old one stops working) and name.
    pub async fn add_participants(
        &self,
        contest: &str,
        participants: &[NewParticipant<'_>],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = Utc::now().to_rfc3339();
        for participant in participants {
            sqlx::query(
                "INSERT INTO participants (contest_slug, user_id, name, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (contest_slug, user_id) DO UPDATE SET name = $3, token_hash = $4",
            )
            .bind(contest)
            .bind(participant.user_id)
            .bind(participant.name)
            .bind(&participant.token_digest)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        bump_scoreboard(&mut tx, contest).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn participants(&self, contest: &str) -> Result<Vec<ParticipantRecord>> {
        sqlx::query(
            "SELECT user_id, name, created_at, starts_at, extra_minutes FROM participants
             WHERE contest_slug = $1 ORDER BY user_id",
        )
        .bind(contest)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(ParticipantRecord {
                user_id: row.try_get("user_id")?,
                name: row.try_get("name")?,
                created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
                starts_at: time(row.try_get("starts_at")?)?,
                extra_minutes: int(row, "extra_minutes")?,
            })
        })
        .collect()
    }

    /// Sets a participant's own time; `false` if there is no such participant.
    pub async fn set_participant_time(
        &self,
        contest: &str,
        user_id: &str,
        own: &OwnTime,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE participants SET starts_at = $1, extra_minutes = $2
             WHERE contest_slug = $3 AND user_id = $4",
        )
        .bind(own.starts_at.map(|t| t.to_rfc3339()))
        .bind(i64::from(own.extra_minutes))
        .bind(contest)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        bump_scoreboard(&mut tx, contest).await?;
        tx.commit().await?;
        Ok(updated > 0)
    }

    pub async fn participant_count(&self, contest: &str) -> Result<u32> {
        let row = sqlx::query("SELECT COUNT(*) AS count FROM participants WHERE contest_slug = $1")
            .bind(contest)
            .fetch_one(self.pool())
            .await?;
        int(&row, "count")
    }

    /// `false` if there was no such participant.
    pub async fn delete_participant(&self, contest: &str, user_id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let deleted =
            sqlx::query("DELETE FROM participants WHERE contest_slug = $1 AND user_id = $2")
                .bind(contest)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        bump_scoreboard(&mut tx, contest).await?;
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// What a computed scoreboard of `contest` depends on, as a key that
    /// changes when it does: its changes and its questions' worth (a
    /// question edited); `None` if there is no such contest.
    pub async fn scoreboard_version(&self, contest: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT c.scoreboard_version,
                 (SELECT MAX(q.updated_at) FROM questions q
                  JOIN contest_questions cq ON cq.question_slug = q.slug
                  WHERE cq.contest_slug = c.slug) AS questions_at
             FROM contests c WHERE c.slug = $1",
        )
        .bind(contest)
        .fetch_optional(self.pool())
        .await?;
        let key = |row: AnyRow| -> Result<String> {
            let version: i64 = row.try_get("scoreboard_version")?;
            let questions_at: Option<String> = row.try_get("questions_at")?;
            Ok(format!("{version}/{}", questions_at.unwrap_or_default()))
        };
        row.map(key).transpose()
    }

    /// The participant a token's digest belongs to.
    pub async fn participant_by_token(&self, digest: &str) -> Result<Option<Participant>> {
        let row = sqlx::query(
            "SELECT contest_slug, user_id, starts_at, extra_minutes FROM participants
             WHERE token_hash = $1",
        )
        .bind(digest)
        .fetch_optional(self.pool())
        .await?;
        let participant = |row: AnyRow| -> Result<Participant> {
            Ok(Participant {
                contest: row.try_get("contest_slug")?,
                user_id: row.try_get("user_id")?,
                time: own_time(&row)?,
            })
        };
        row.map(participant).transpose()
    }

    /// The judged submissions made to `contest` with its participants'
    /// tokens, in no order; one being rejudged with its earlier result.
    /// The judge's own errors are not the participant's: left out.
    pub async fn contest_attempts(&self, contest: &str) -> Result<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT user_id, question_slug, score, max_score, created_at, verdict
             FROM submissions
             WHERE contest_slug = $1 AND owner = 'participant' AND score IS NOT NULL
                 AND (verdict IS NULL OR verdict <> 'internal_error')",
        )
        .bind(contest)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Attempt {
                    user_id: row.try_get("user_id")?,
                    question: row.try_get("question_slug")?,
                    score: int(row, "score")?,
                    max_score: int(row, "max_score")?,
                    submitted_at: time(Some(row.try_get("created_at")?))?.expect("given"),
                    compile_error: row.try_get::<Option<String>, _>("verdict")?.as_deref()
                        == Some("compilation_error"),
                })
            })
            .collect()
    }

    /// Whether `question` is in some contest.
    pub async fn question_in_contest(&self, question: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM contest_questions WHERE question_slug = $1 LIMIT 1")
            .bind(question)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }
}

/// Marks `contest`'s computed scoreboards out of date.
async fn bump_scoreboard(tx: &mut Transaction<'static, Any>, contest: &str) -> Result<()> {
    sqlx::query("UPDATE contests SET scoreboard_version = scoreboard_version + 1 WHERE slug = $1")
        .bind(contest)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn own_time(row: &AnyRow) -> Result<OwnTime> {
    Ok(OwnTime {
        starts_at: time(row.try_get("starts_at")?)?,
        extra_minutes: int(row, "extra_minutes")?,
    })
}

fn contest_from_row(row: &AnyRow, questions: Vec<String>) -> Result<Contest> {
    let scoring: Scoring = from_text(row.try_get("scoring")?)?;
    let scoreboard: ScoreboardSetting = from_text(row.try_get("scoreboard")?)?;
    let spec = ContestSpec {
        title: row.try_get("title")?,
        starts_at: time(Some(row.try_get("starts_at")?))?.expect("given"),
        ends_at: time(Some(row.try_get("ends_at")?))?.expect("given"),
        questions,
        scoring,
        scoreboard,
        freeze_minutes: row
            .try_get::<Option<i64>, _>("freeze_minutes")?
            .map(u32::try_from)
            .transpose()?,
        public: row.try_get::<i64, _>("public")? != 0,
        compile_errors_count: row.try_get::<i64, _>("compile_errors_count")? != 0,
        practice_after_end: row.try_get::<i64, _>("practice_after_end")? != 0,
    };
    // Checked as it was when stored, so a row that no longer passes is
    // unreadable (and skipped by lists), never half-read.
    Contest::new(row.try_get("slug")?, spec).map_err(anyhow::Error::msg)
}
