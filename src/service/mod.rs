//! The application layer: the use cases the API and the CLI call, over the
//! judge, the languages and the store.
//! - judge now (`POST /execute`), holding a judging slot;
//! - enqueue (`POST /submissions`), and work the queue: queue tasks on every
//!   replica claim queued submissions under a lease;
//! - record results, and deliver callbacks from an outbox any replica works;
//! - the views the API answers and the CLI prints.
//!
//! One bounded pool of judging slots serves both ways in, and both judge a
//! submission under a lease that is renewed until its result is recorded,
//! so a replica that dies leaves its work to another and no submission is
//! judged twice. Memory does not grow with the queue: it is rows.

mod authoring;
mod calibration;
mod callback;
mod clarifications;
mod contests;
mod exports;
mod identities;
mod import;
mod lease;
mod program_files;
mod queue_tasks;
mod refusal;
mod rejudges;
mod similarity;
mod slots;
mod submit;
mod views;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::Utc;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

pub use authoring::Saved;
pub use calibration::calibrate_question;
pub use callback::{CallbackPolicy, Unreachable};
pub use clarifications::{Answer, Ask};
pub use contests::Scoreboard;
pub use identities::{Identities, IssuedParticipant, SESSION_LIFETIME};
pub use import::{CheckedSubmission, ImportReport, Strictness};
pub use program_files::MAX_PROGRAM_FILE_BYTES;
pub use refusal::{Existing, Refusal};
pub use rejudges::{EarlierResult, RejudgeRequest, RejudgeView};
pub use similarity::{MAX_PAIRS, PairSide, SideBySide, SimilarPair, SimilarityReport};
pub use slots::{Busy, JudgingPermit, JudgingSlots};
pub use submit::Code;
pub use views::{ExecutionView, SubmissionView};

use crate::auth::{AccessPolicy, Author, Principal, ReadScope};
use crate::judge::{self, LimitPolicy, Question, Submission};
use crate::languages::{Language, Languages};
use crate::store::{Database, ExecutionRecord, NewSubmission, SubmissionRecord};
use crate::telemetry;

/// How judging and the queue are sized.
#[derive(Debug, Clone)]
pub struct JudgingConfig {
    /// Submissions judged at once on this replica (both ways in).
    pub slots: u32,
    /// `POST /execute` requests that may wait for a slot; past that, 503.
    pub max_waiting: u32,
    /// Queued submissions (all replicas) past which `POST /submissions` is 503.
    pub max_queued: u64,
    /// Tries of a submission whose judging fails (an error of ours, or a
    /// replica that died) before it is finished as `internal_error`.
    pub max_attempts: u32,
    /// How long a replica's hold on a submission lasts without renewal.
    pub lease: Duration,
    /// How often idle queue tasks look for work other replicas queued.
    pub poll: Duration,
    /// Where callbacks may go.
    pub callbacks: CallbackPolicy,
    /// Who may do what.
    pub access: AccessPolicy,
}

pub struct JudgingService {
    languages: Arc<Languages>,
    /// The server's limits and time factors, which queued submissions are judged under.
    limits: LimitPolicy,
    database: Database,
    config: JudgingConfig,
    /// This replica, as recorded in `submissions.replica`.
    replica_id: String,
    slots: JudgingSlots,
    queued: Notify,
    /// Wakes the deliverer when this replica queues a callback.
    callbacks_due: Notify,
    stopping: watch::Sender<bool>,
    scoreboards: contests::ScoreboardCache,
}

impl JudgingService {
    pub fn new(
        languages: Arc<Languages>,
        limits: LimitPolicy,
        database: Database,
        config: JudgingConfig,
    ) -> Arc<Self> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let replica_id = format!(
            "{}-{}-{}",
            host.trim(),
            std::process::id(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        Arc::new(Self {
            languages,
            limits,
            database,
            slots: JudgingSlots::new(config.slots, config.max_waiting),
            queued: Notify::new(),
            callbacks_due: Notify::new(),
            stopping: watch::channel(false).0,
            scoreboards: contests::scoreboard_cache(),
            config,
            replica_id,
        })
    }

    pub fn replica_id(&self) -> &str {
        &self.replica_id
    }

    /// The access rules every way in asks.
    pub fn access(&self) -> &AccessPolicy {
        &self.config.access
    }

    /// Judging slots in use and requests waiting for one, and submissions
    /// queued and running on every replica, in the metrics.
    pub async fn record_load(&self) -> Result<()> {
        let (queued, running) = self.database.submission_counts().await?;
        metrics::gauge!(telemetry::SUBMISSIONS, "state" => "queued").set(queued as f64);
        metrics::gauge!(telemetry::SUBMISSIONS, "state" => "running").set(running as f64);
        let slots = &self.slots;
        metrics::gauge!(telemetry::JUDGING_SLOTS, "state" => "total").set(f64::from(slots.count()));
        metrics::gauge!(telemetry::JUDGING_SLOTS, "state" => "in_use").set(slots.in_use() as f64);
        metrics::gauge!(telemetry::JUDGING_SLOTS, "state" => "waiting").set(slots.waiting() as f64);
        Ok(())
    }

    /// Nothing is being judged here and nothing waits in the queue: this
    /// replica may exit without leaving work behind.
    pub async fn is_idle(&self) -> Result<bool> {
        if self.slots.in_use() > 0 {
            return Ok(false);
        }
        let (queued, _running) = self.database.submission_counts().await?;
        Ok(queued == 0)
    }

    /// A judging slot for a synchronous request, or `Busy`.
    pub async fn judging_slot(&self) -> Result<JudgingPermit, Busy> {
        self.slots.acquire_or_busy().await
    }

    /// Judges ad hoc tests now and records the execution; `question_id`
    /// only labels it.
    async fn judge_tests(
        &self,
        _slot: JudgingPermit,
        language: &str,
        submission: Submission,
        author: Author,
        question_id: Option<String>,
    ) -> Result<ExecutionView> {
        let execution = self
            .judge_and_record(language, submission, Some(author), question_id, None)
            .await?;
        Ok(ExecutionView::new(execution))
    }

    /// Judges a submission to `question` now, recording it as a submission
    /// like the queued ones: held by this replica under a renewed lease, so
    /// no worker takes it over however long it runs.
    async fn judge_question_now(
        &self,
        _slot: JudgingPermit,
        language: &str,
        submission: Submission,
        author: Author,
        question: &Question,
    ) -> Result<ExecutionView> {
        let submission = (question.with_checkers(submission, &self.languages).await)
            .map_err(anyhow::Error::msg)?;
        let new = NewSubmission {
            owner: &author.owner,
            user_id: author.user_id.as_deref(),
            question_slug: question.slug(),
            language,
            code: &submission.code,
            callback_url: None,
        };
        let held = self
            .database
            .insert_submission(&new, Some((&self.replica_id, self.lease_until())))
            .await?;
        let judging = self.judge_and_record(
            language,
            submission,
            Some(author),
            Some(question.slug().to_string()),
            Some(held.id),
        );
        match self
            .judge_held(&held, async { judging.await.map(Some) })
            .await?
        {
            lease::Outcome::Recorded(Some(execution)) => Ok(ExecutionView::new(execution)),
            lease::Outcome::Recorded(None) | lease::Outcome::Lost => {
                anyhow::bail!("submission {} was taken over by another replica", held.id)
            }
        }
    }

    /// Queues a submission for the queue tasks; `Busy` when the queue is full.
    async fn enqueue(&self, new: &NewSubmission<'_>) -> Result<Result<SubmissionView, Busy>> {
        if self.database.queued_submissions().await? >= self.config.max_queued {
            return Ok(Err(Busy));
        }
        let record = self.database.insert_submission(new, None).await?;
        self.queued.notify_one();
        Ok(Ok(SubmissionView::new(record, None)))
    }

    /// A submission with its code, and its result once judged; `None` if
    /// there is none `principal` may read.
    pub async fn submission(
        &self,
        principal: &Principal,
        id: Uuid,
    ) -> Result<Option<SubmissionView>> {
        let record = self.database.submission(id).await?;
        let readable = |r: &SubmissionRecord| {
            self.access()
                .read(principal, r.owner.as_ref(), r.user_id.as_deref())
        };
        let Some(record) = record.filter(readable) else {
            return Ok(None);
        };
        let execution = match record.execution_id {
            Some(execution) => self.database.execution(execution).await?,
            None => None,
        };
        let history = self.database.rejudged_results(record.id).await?;
        let history = history.into_iter().map(Into::into).collect();
        let view = SubmissionView::with_code(record, execution, history);
        Ok(Some(self.as_seen_by(principal, view)))
    }

    /// `view` with what `principal` may not see of it withheld.
    fn as_seen_by(&self, principal: &Principal, view: SubmissionView) -> SubmissionView {
        if self.access().see_judging_details(principal) {
            view
        } else {
            view.without_judging_details()
        }
    }

    /// `view` with what `principal` may not see of it withheld.
    fn execution_as_seen_by(&self, principal: &Principal, view: ExecutionView) -> ExecutionView {
        if self.access().see_judging_details(principal) {
            view
        } else {
            view.without_hidden_figures()
        }
    }

    /// Newest first, without results, within `scope`.
    pub async fn submissions(
        &self,
        principal: &Principal,
        scope: &ReadScope,
        user_id: Option<&str>,
        question_slug: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<SubmissionView>> {
        let own = match scope {
            ReadScope::All => None,
            ReadScope::Own(participant) => Some(participant),
        };
        let records = self
            .database
            .submissions(own, user_id, question_slug, limit, offset)
            .await?;
        let view = |record| self.as_seen_by(principal, SubmissionView::new(record, None));
        Ok(records.into_iter().map(view).collect())
    }

    /// A recorded execution with its code; `None` if there is none
    /// `principal` may read.
    pub async fn execution(
        &self,
        principal: &Principal,
        id: Uuid,
    ) -> Result<Option<ExecutionView>> {
        let execution = self.database.execution(id).await?;
        let readable = |e: &ExecutionRecord| {
            self.access()
                .read(principal, e.owner.as_ref(), e.user_id.as_deref())
        };
        let view = |e| self.execution_as_seen_by(principal, ExecutionView::with_code(e));
        Ok(execution.filter(readable).map(view))
    }

    /// `None` when the question or language went away after the submission
    /// was queued: it is finished with no result.
    async fn judge_queued(&self, record: &SubmissionRecord) -> Result<Option<ExecutionRecord>> {
        let question = self.database.question(&record.question_slug).await?;
        let Some(question) = question.filter(|q| q.allows(&record.language)) else {
            tracing::warn!(id = %record.id, "the question or language of a queued submission is gone");
            return Ok(None);
        };
        let submission = question
            .submission_in(&record.language, record.code.clone(), &self.limits)
            .map_err(anyhow::Error::msg)?;
        let submission = (question.with_checkers(submission, &self.languages).await)
            .map_err(anyhow::Error::msg)?;
        // Recorded under the submission's author; none for a submission
        // queued before owners were kept.
        let author = record.owner.clone().map(|owner| Author {
            owner,
            user_id: record.user_id.clone(),
        });
        let execution = self
            .judge_and_record(
                &record.language,
                submission,
                author,
                Some(record.question_slug.clone()),
                Some(record.id),
            )
            .await?;
        Ok(Some(execution))
    }

    async fn judge_and_record(
        &self,
        language: &str,
        submission: Submission,
        author: Option<Author>,
        question_id: Option<String>,
        submission_id: Option<Uuid>,
    ) -> Result<ExecutionRecord> {
        let language = self
            .languages
            .get(language)
            .ok_or_else(|| anyhow::anyhow!("language {language} is not loaded"))?;
        let user_id = author.as_ref().and_then(|a| a.user_id.clone());
        let started = Instant::now();
        let mut record = judge_unrecorded(language, submission, user_id, question_id).await;
        count_judgement(&record, started.elapsed());
        record.owner = author.map(|a| a.owner);
        if let Some(id) = submission_id {
            record.submission_id = id;
        }
        self.database.insert_execution(&record).await?;
        Ok(record)
    }

    fn lease_until(&self) -> i64 {
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or_default();
        (Utc::now() + lease).timestamp_millis()
    }
}

/// One judgement in the metrics, under the verdict of its first failed test.
fn count_judgement(record: &ExecutionRecord, took: Duration) {
    let verdict = record.report.verdict().to_string();
    let language = record.language.clone();
    metrics::counter!(telemetry::JUDGEMENTS, "language" => language.clone(), "verdict" => verdict)
        .increment(1);
    metrics::histogram!(telemetry::JUDGE_DURATION, "language" => language).record(took);
}

/// Judges without a database, for `judgebox run`: the record as it would
/// be stored, with fresh ids.
pub async fn judge_unrecorded(
    language: Arc<dyn Language>,
    submission: Submission,
    user_id: Option<String>,
    question_id: Option<String>,
) -> ExecutionRecord {
    let created_at = Utc::now();
    let report = judge::judge(language.clone(), submission.clone()).await;
    ExecutionRecord::new(
        language.info(),
        submission,
        report,
        user_id,
        question_id,
        created_at,
    )
}
