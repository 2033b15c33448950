//! Executions and submissions as users see them: the JSON the API answers,
//! callbacks post and `judgebox run --json` prints.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::rejudges::EarlierResult;
use crate::judge::{
    AppliedLimits, Comparison, Summary, TestResult, cpu_usage_percent, peak_memory_mb,
};
use crate::store::{ExecutionRecord, SubmissionRecord, SubmissionState};

/// An execution: the response to `POST /execute` and, with the code, to
/// `GET /executions/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExecutionView {
    pub execution_id: Uuid,
    pub submission_id: Uuid,
    pub user_id: Option<String>,
    pub question_id: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub summary: Summary,
    pub test_results: Vec<TestResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compile_output: Option<String>,
    pub metadata: Metadata,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Metadata {
    pub language: String,
    pub runtime: String,
    /// Where the program ran: `wasm`, or `native` (Java, C++ that needs
    /// exceptions or threads); absent when it did not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub execution_time_ms: f64,
    pub cpu_usage_percent: f64,
    pub memory_usage_mb: f64,
    /// The limits the run was judged under, and where its time limit came from.
    pub limits: AppliedLimits,
    pub compare: Comparison,
}

impl ExecutionView {
    pub fn new(record: ExecutionRecord) -> Self {
        let report = record.report;
        Self {
            execution_id: record.id,
            submission_id: record.submission_id,
            user_id: record.user_id,
            question_id: record.question_id,
            created_at: record.created_at,
            code: None,
            summary: report.summary,
            test_results: report.test_results,
            compile_output: report.compile_output,
            metadata: Metadata {
                language: record.language.clone(),
                runtime: record.runtime,
                backend: report.backend,
                execution_time_ms: report.execution_time_ms,
                cpu_usage_percent: report.cpu_usage_percent,
                memory_usage_mb: report.memory_usage_mb,
                limits: record.limits,
                compare: record.comparison,
            },
            language: record.language,
        }
    }

    /// The same, with hidden tests' figures withheld, and the figures of
    /// the whole (peak memory, CPU use) over the visible tests only.
    pub fn without_hidden_figures(mut self) -> Self {
        self.test_results = (self.test_results.into_iter())
            .map(TestResult::withhold_judging_details)
            .collect();
        self.metadata.memory_usage_mb = peak_memory_mb(&self.test_results);
        self.metadata.cpu_usage_percent =
            cpu_usage_percent(&self.test_results, self.metadata.execution_time_ms);
        self
    }

    pub fn with_code(record: ExecutionRecord) -> Self {
        let code = record.code.clone();
        Self {
            code: Some(code),
            ..Self::new(record)
        }
    }
}

/// What a failed submission's `error` says to those not shown the reason.
const FAILED_FOR_STUDENTS: &str =
    "the judge failed on this submission (not your program's fault); your teacher can see why";

/// A submission to a question; `result` once it is judged.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    submission_id: Uuid,
    user_id: Option<String>,
    question_id: String,
    language: String,
    state: SubmissionState,
    score: Option<u32>,
    max_score: Option<u32>,
    /// The status of its first test that did not pass, `accepted`,
    /// `internal_error` or `not_judged`; absent until it is first judged.
    verdict: Option<String>,
    /// It is queued or running again for a rejudge; `score`, `verdict` and
    /// `result` are its earlier result until the new one replaces them.
    rejudging: bool,
    attempts: u32,
    /// The replica that judged (or judges) it.
    replica: Option<String>,
    /// The same as `replica`, under its old name; deprecated.
    worker: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    /// Set when it finished as `internal_error`: judging it failed with an
    /// error of the server's on every attempt. The reason is shown to
    /// administrators and services; others read that it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Only when one submission is read: its code.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<ExecutionView>,
    /// Only when one submission is read: the results rejudges replaced,
    /// oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<EarlierResult>,
}

impl SubmissionView {
    pub fn new(record: SubmissionRecord, execution: Option<ExecutionRecord>) -> Self {
        Self {
            submission_id: record.id,
            user_id: record.user_id,
            question_id: record.question_slug,
            language: record.language,
            state: record.state,
            score: record.score,
            max_score: record.max_score,
            verdict: record.verdict,
            rejudging: record.rejudge_id.is_some(),
            attempts: record.attempts,
            worker: record.replica.clone(),
            replica: record.replica,
            created_at: record.created_at,
            started_at: record.started_at,
            finished_at: record.finished_at,
            error: record.error,
            code: None,
            result: execution.map(ExecutionView::new),
            history: Vec::new(),
        }
    }

    /// The submission with its code, its result once judged, and the
    /// results rejudges replaced.
    pub fn with_code(
        record: SubmissionRecord,
        execution: Option<ExecutionRecord>,
        history: Vec<EarlierResult>,
    ) -> Self {
        let code = record.code.clone();
        Self {
            code: Some(code),
            history,
            ..Self::new(record, execution)
        }
    }

    /// The same, as students see it: its result without hidden tests'
    /// figures, and without the reason a failed submission failed (the
    /// server's own error says nothing a student can act on and may name
    /// the server's internals).
    pub fn without_judging_details(self) -> Self {
        Self {
            error: (self.error).map(|_| FAILED_FOR_STUDENTS.to_string()),
            result: self.result.map(ExecutionView::without_hidden_figures),
            ..self
        }
    }

    pub fn id(&self) -> Uuid {
        self.submission_id
    }
}
