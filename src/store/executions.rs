//! Executions: every judged run, with its per-test results.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Database, from_text, int, time};
use crate::auth::Owner;
use crate::judge::{AppliedLimits, Comparison, Report, Status, Submission, Summary, TestResult};
use crate::languages::LanguageInfo;

/// One judged execution as it is stored and returned by `GET /executions/{id}`.
#[derive(Debug, Clone)]
pub struct ExecutionRecord {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub user_id: Option<String>,
    pub question_id: Option<String>,
    pub language: String,
    pub runtime: String,
    pub code: String,
    pub limits: AppliedLimits,
    pub comparison: Comparison,
    pub created_at: DateTime<Utc>,
    pub report: Report,
    /// Who made it; `None` for records from before owners were kept.
    pub owner: Option<Owner>,
}

impl ExecutionRecord {
    /// A record of `submission` judged as `report`, with fresh ids.
    pub fn new(
        language: &LanguageInfo,
        submission: Submission,
        report: Report,
        user_id: Option<String>,
        question_id: Option<String>,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::new_v4(),
            submission_id: Uuid::new_v4(),
            user_id,
            question_id,
            language: language.name.to_string(),
            runtime: language.version.to_string(),
            limits: submission.applied_limits(),
            code: submission.code,
            comparison: submission.comparison,
            created_at,
            report,
            owner: None,
        }
    }
}

impl Database {
    pub async fn insert_execution(&self, execution: &ExecutionRecord) -> Result<()> {
        let report = &execution.report;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO executions (id, submission_id, user_id, question_id, language, runtime, code,
                 limits, comparison, total_tests, passed, compile_output, backend, execution_time_ms,
                 cpu_usage_percent, memory_usage_mb, created_at, owner, contest_slug)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)",
        )
        .bind(execution.id.to_string())
        .bind(execution.submission_id.to_string())
        .bind(&execution.user_id)
        .bind(&execution.question_id)
        .bind(&execution.language)
        .bind(&execution.runtime)
        .bind(&execution.code)
        .bind(serde_json::to_string(&execution.limits)?)
        .bind(serde_json::to_string(&execution.comparison)?)
        .bind(i64::from(report.summary.total_tests))
        .bind(i64::from(report.summary.passed))
        .bind(&report.compile_output)
        .bind(&report.backend)
        .bind(report.execution_time_ms)
        .bind(report.cpu_usage_percent)
        .bind(report.memory_usage_mb)
        .bind(execution.created_at.to_rfc3339())
        .bind(execution.owner.as_ref().map(Owner::as_str))
        .bind(execution.owner.as_ref().and_then(Owner::contest))
        .execute(&mut *tx)
        .await?;
        for result in &report.test_results {
            sqlx::query(
                "INSERT INTO execution_test_results (execution_id, test_number, status, input,
                     expected_output, actual_output, stderr, output_truncated, exit_code, message,
                     execution_time_ms, cpu_time_ms, memory_usage_mb, instructions, points, hidden,
                     score, test_group, judge_message, signal)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20)",
            )
            .bind(execution.id.to_string())
            .bind(i64::from(result.test_number))
            .bind(result.status.to_string())
            .bind(&result.input)
            .bind(&result.expected_output)
            .bind(&result.actual_output)
            .bind(&result.stderr)
            .bind(result.output_truncated as i64)
            .bind(result.exit_code.map(i64::from))
            .bind(&result.message)
            .bind(result.execution_time_ms.unwrap_or_default())
            .bind(result.cpu_time_ms.unwrap_or_default())
            .bind(result.memory_usage_mb.unwrap_or_default())
            .bind(i64::try_from(result.instructions.unwrap_or_default())?)
            .bind(i64::from(result.points))
            .bind(result.hidden as i64)
            .bind(i64::from(result.score))
            .bind(&result.group)
            .bind(&result.judge_message)
            .bind(&result.signal)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn execution(&self, id: Uuid) -> Result<Option<ExecutionRecord>> {
        let id_text = id.to_string();
        let Some(row) = sqlx::query("SELECT * FROM executions WHERE id = $1")
            .bind(&id_text)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let test_results = sqlx::query(
            // SQLite's schema declares the flag BOOLEAN, which the Any driver
            // cannot read: as an integer expression it can.
            "SELECT test_number, status, input, expected_output, actual_output, stderr,
                 CAST(output_truncated AS BIGINT) AS output_truncated, exit_code, message,
                 execution_time_ms, cpu_time_ms, memory_usage_mb, instructions, points, hidden,
                 score, test_group, judge_message, signal
             FROM execution_test_results WHERE execution_id = $1 ORDER BY test_number",
        )
        .bind(&id_text)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(test_result_from_row)
        .collect::<Result<Vec<_>>>()?;
        let report = Report {
            summary: Summary::of(&test_results),
            test_results,
            compile_output: row.try_get("compile_output")?,
            backend: row.try_get("backend")?,
            execution_time_ms: row.try_get("execution_time_ms")?,
            cpu_usage_percent: row.try_get("cpu_usage_percent")?,
            memory_usage_mb: row.try_get("memory_usage_mb")?,
        };
        Ok(Some(ExecutionRecord {
            id,
            submission_id: Uuid::parse_str(row.try_get("submission_id")?)?,
            user_id: row.try_get("user_id")?,
            question_id: row.try_get("question_id")?,
            language: row.try_get("language")?,
            runtime: row.try_get("runtime")?,
            code: row.try_get("code")?,
            limits: serde_json::from_str(row.try_get("limits")?)?,
            comparison: serde_json::from_str(row.try_get("comparison")?)?,
            created_at: time(Some(row.try_get("created_at")?))?.expect("given"),
            report,
            owner: Owner::from_columns(row.try_get("owner")?, row.try_get("contest_slug")?),
        }))
    }
}

fn test_result_from_row(row: &AnyRow) -> Result<TestResult> {
    let status: Status = from_text(row.try_get("status")?)?;
    let points = int(row, "points")?;
    let score = match row.try_get::<Option<i64>, _>("score")? {
        Some(score) => u32::try_from(score)?,
        // Stored before tests earned part of their points.
        None if status.is_pass() => points,
        None => 0,
    };
    Ok(TestResult {
        test_number: int(row, "test_number")?,
        status,
        passed: status.is_pass(),
        input: row.try_get("input")?,
        expected_output: row.try_get("expected_output")?,
        actual_output: row.try_get("actual_output")?,
        stderr: row.try_get("stderr")?,
        output_truncated: row.try_get::<i64, _>("output_truncated")? != 0,
        exit_code: row
            .try_get::<Option<i64>, _>("exit_code")?
            .map(i32::try_from)
            .transpose()?,
        signal: row.try_get("signal")?,
        message: row.try_get("message")?,
        execution_time_ms: Some(row.try_get("execution_time_ms")?),
        cpu_time_ms: Some(row.try_get("cpu_time_ms")?),
        memory_usage_mb: Some(row.try_get("memory_usage_mb")?),
        instructions: Some(int(row, "instructions")?),
        points,
        score,
        group: row.try_get("test_group")?,
        judge_message: row.try_get("judge_message")?,
        hidden: row.try_get::<i64, _>("hidden")? != 0,
    })
}
