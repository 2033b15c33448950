//! Questions and their test cases.

use anyhow::Result;
use chrono::Utc;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Database, int};
use crate::judge::{Calibration, Question, QuestionTest, StatementImage, StoredQuestion};

/// A question as `GET /questions` lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuestionSummary {
    pub slug: String,
    pub title: String,
    pub languages: Vec<String>,
    pub test_cases: u32,
    pub max_score: u32,
}

impl Database {
    /// Stores a new question; `false` if its slug is taken.
    pub async fn insert_question(&self, question: &Question) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let inserted = write_question(&mut tx, question, "DO NOTHING").await?;
        if inserted == 0 {
            return Ok(false);
        }
        insert_tests(&mut tx, question.slug(), question.test_cases(), 1).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Creates or replaces a question with all its test cases; `true` if it
    /// was new.
    pub async fn put_question(&self, question: &Question) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let existed = sqlx::query("SELECT 1 FROM questions WHERE slug = $1")
            .bind(question.slug())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        // The last calibration stays unless one comes with the question (an
        // import's): its fingerprint tells whether it still applies.
        let replace = "DO UPDATE SET title = $2, statement = $3, limits = $4, comparison = $5,
             languages = $6, updated_at = $7, limits_by_language = $8,
             reference_solutions = $9, calibration = $10, checker = $11, test_groups = $12,
             verification = $13, calibrated = COALESCE($14, questions.calibrated),
             interactor = $15";
        write_question(&mut tx, question, replace).await?;
        sqlx::query("DELETE FROM question_tests WHERE question_slug = $1")
            .bind(question.slug())
            .execute(&mut *tx)
            .await?;
        insert_tests(&mut tx, question.slug(), question.test_cases(), 1).await?;
        tx.commit().await?;
        Ok(!existed)
    }

    /// Replaces the images the question `slug`'s statement shows.
    pub async fn put_statement_images(&self, slug: &str, images: &[StatementImage]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM statement_images WHERE question_slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        for image in images {
            sqlx::query(
                "INSERT INTO statement_images (question_slug, name, bytes) VALUES ($1, $2, $3)",
            )
            .bind(slug)
            .bind(image.name())
            .bind(image.bytes().to_vec())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every image the question `slug`'s statement shows, by name.
    pub async fn statement_images(&self, slug: &str) -> Result<Vec<StatementImage>> {
        let rows = sqlx::query(
            "SELECT name, bytes FROM statement_images WHERE question_slug = $1 ORDER BY name",
        )
        .bind(slug)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(image_from_row).collect()
    }

    /// The image `name` of the question `slug`'s statement, if it has one.
    pub async fn statement_image(&self, slug: &str, name: &str) -> Result<Option<StatementImage>> {
        let row = sqlx::query(
            "SELECT name, bytes FROM statement_images WHERE question_slug = $1 AND name = $2",
        )
        .bind(slug)
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(image_from_row).transpose()
    }

    /// `false` if there was no such question.
    pub async fn delete_question(&self, slug: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM statement_images WHERE question_slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        // Explicitly, for SQLite connections without foreign keys enforced.
        sqlx::query("DELETE FROM question_tests WHERE question_slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM questions WHERE slug = $1")
            .bind(slug)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }

    pub async fn question(&self, slug: &str) -> Result<Option<Question>> {
        let Some(row) = sqlx::query(
            "SELECT slug, title, statement, limits, comparison, languages, limits_by_language,
                 reference_solutions, calibration, calibrated, checker, test_groups, verification,
                 interactor
             FROM questions WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let test_cases = sqlx::query(
            "SELECT input, expected_output, hidden, points, test_group, interaction
             FROM question_tests
             WHERE question_slug = $1 ORDER BY position",
        )
        .bind(slug)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(test_from_row)
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(Question::restore(StoredQuestion {
            slug: row.try_get("slug")?,
            title: row.try_get("title")?,
            statement: row.try_get("statement")?,
            limits: serde_json::from_str(row.try_get("limits")?)?,
            compare: serde_json::from_str(row.try_get("comparison")?)?,
            languages: serde_json::from_str(row.try_get("languages")?)?,
            test_cases,
            limits_by_language: serde_json::from_str(row.try_get("limits_by_language")?)?,
            reference_solutions: serde_json::from_str(row.try_get("reference_solutions")?)?,
            calibration: serde_json::from_str(row.try_get("calibration")?)?,
            checker: (row.try_get::<Option<String>, _>("checker")?)
                .map(|text| serde_json::from_str(&text))
                .transpose()?,
            interactor: (row.try_get::<Option<String>, _>("interactor")?)
                .map(|text| serde_json::from_str(&text))
                .transpose()?,
            groups: serde_json::from_str(row.try_get("test_groups")?)?,
            verification: (row.try_get::<Option<String>, _>("verification")?)
                .map(|text| serde_json::from_str(&text))
                .transpose()?,
            calibrated: (row.try_get::<Option<String>, _>("calibrated")?)
                .map(|text| serde_json::from_str(&text))
                .transpose()?,
        })))
    }

    /// Records `calibration` as the question's last; `false` if there is
    /// no such question.
    pub async fn set_calibration(&self, slug: &str, calibration: &Calibration) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE questions SET calibrated = $1 WHERE slug = $2")
            .bind(serde_json::to_string(calibration)?)
            .bind(slug)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        touch(&mut tx, slug).await?;
        tx.commit().await?;
        Ok(updated > 0)
    }

    pub async fn questions(&self) -> Result<Vec<QuestionSummary>> {
        sqlx::query(
            "SELECT q.slug, q.title, q.languages, COUNT(t.position) AS test_cases,
                 CAST(COALESCE(SUM(t.points), 0) AS BIGINT) AS max_score
             FROM questions q LEFT JOIN question_tests t ON t.question_slug = q.slug
             GROUP BY q.slug, q.title, q.languages ORDER BY q.slug",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(QuestionSummary {
                slug: row.try_get("slug")?,
                title: row.try_get("title")?,
                languages: serde_json::from_str(row.try_get("languages")?)?,
                test_cases: int(row, "test_cases")?,
                max_score: int(row, "max_score")?,
            })
        })
        .collect()
    }

    /// Appends a test case; its number, or `None` if there is no such question.
    pub async fn add_question_test(&self, slug: &str, test: &QuestionTest) -> Result<Option<u32>> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT CAST(COALESCE(MAX(t.position), 0) AS BIGINT) AS last,
                 COUNT(t.position) AS count
             FROM questions q LEFT JOIN question_tests t ON t.question_slug = q.slug
             WHERE q.slug = $1 GROUP BY q.slug",
        )
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let last: i64 = int(&row, "last")?;
        let count: u32 = int(&row, "count")?;
        insert_tests(&mut tx, slug, std::slice::from_ref(test), last + 1).await?;
        touch(&mut tx, slug).await?;
        tx.commit().await?;
        Ok(Some(count + 1))
    }

    /// Deletes test case `number` (1-based, in order); `false` if there is none.
    pub async fn delete_question_test(&self, slug: &str, number: u32) -> Result<bool> {
        // Numbers count from 1: there is no test 0 (as OFFSET -1, PostgreSQL
        // refuses it and SQLite reads no offset, the first test).
        let Some(offset) = number.checked_sub(1) else {
            return Ok(false);
        };
        let mut tx = self.begin_write().await?;
        let position = sqlx::query(
            "SELECT position FROM question_tests WHERE question_slug = $1
             ORDER BY position LIMIT 1 OFFSET $2",
        )
        .bind(slug)
        .bind(i64::from(offset))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(position) = position else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM question_tests WHERE question_slug = $1 AND position = $2")
            .bind(slug)
            .bind(position.try_get::<i64, _>("position")?)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, slug).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Writes the question's own row; `on_conflict` says what an existing slug
/// gets. How many rows it wrote.
async fn write_question(
    tx: &mut Transaction<'_, Any>,
    question: &Question,
    on_conflict: &str,
) -> Result<u64> {
    let written = sqlx::query(&format!(
        "INSERT INTO questions (slug, title, statement, limits, comparison, languages,
             created_at, updated_at, limits_by_language, reference_solutions, calibration,
             checker, test_groups, verification, calibrated, interactor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (slug) {on_conflict}"
    ))
    .bind(question.slug())
    .bind(question.title())
    .bind(question.statement())
    .bind(serde_json::to_string(&question.limits())?)
    .bind(serde_json::to_string(&question.compare())?)
    .bind(serde_json::to_string(question.languages())?)
    .bind(Utc::now().to_rfc3339())
    .bind(serde_json::to_string(&question.limits_by_language())?)
    .bind(serde_json::to_string(question.reference_solutions())?)
    .bind(serde_json::to_string(&question.calibration())?)
    .bind(question.checker().map(serde_json::to_string).transpose()?)
    .bind(serde_json::to_string(question.groups())?)
    .bind(
        question
            .verification()
            .map(serde_json::to_string)
            .transpose()?,
    )
    .bind(
        question
            .calibrated()
            .map(serde_json::to_string)
            .transpose()?,
    )
    .bind(
        question
            .interactor()
            .map(serde_json::to_string)
            .transpose()?,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(written)
}

async fn insert_tests(
    tx: &mut Transaction<'_, Any>,
    slug: &str,
    tests: &[QuestionTest],
    first_position: i64,
) -> Result<()> {
    for (position, test) in (first_position..).zip(tests) {
        sqlx::query(
            "INSERT INTO question_tests (question_slug, position, input, expected_output,
                 hidden, points, test_group, interaction)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(slug)
        .bind(position)
        .bind(&test.input)
        .bind(&test.expected_output)
        .bind(test.hidden as i64)
        .bind(i64::from(test.points))
        .bind(&test.group)
        .bind(&test.interaction)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn touch(tx: &mut Transaction<'_, Any>, slug: &str) -> Result<()> {
    sqlx::query("UPDATE questions SET updated_at = $1 WHERE slug = $2")
        .bind(Utc::now().to_rfc3339())
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn image_from_row(row: &AnyRow) -> Result<StatementImage> {
    let name: String = row.try_get("name")?;
    StatementImage::new(&name, row.try_get("bytes")?).map_err(anyhow::Error::msg)
}

fn test_from_row(row: &AnyRow) -> Result<QuestionTest> {
    Ok(QuestionTest {
        input: row.try_get("input")?,
        expected_output: row.try_get("expected_output")?,
        hidden: row.try_get::<i64, _>("hidden")? != 0,
        points: int(row, "points")?,
        group: row.try_get("test_group")?,
        interaction: row.try_get("interaction")?,
    })
}
