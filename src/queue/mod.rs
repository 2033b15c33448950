//! Judging submissions to questions, shared by both ways in: `POST /execute`
//! (synchronous) and `POST /submissions` (queued in the database). One
//! bounded pool of judging slots serves both; workers on every replica
//! claim queued submissions under a lease, so a replica that dies leaves
//! work another picks up. Memory does not grow with the queue: it is rows.

mod callback;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use tokio::sync::{Notify, Semaphore, SemaphorePermit, watch};
use uuid::Uuid;

use crate::judge::{self, Question, Report, Submission};
use crate::languages::Languages;
use crate::store::{Database, ExecutionRecord, NewSubmission, SubmissionRecord};

/// How the pool and queue are sized.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// Submissions judged at once on this replica (both paths).
    pub slots: u32,
    /// `POST /execute` requests that may wait for a slot; past that, 503.
    pub max_waiting: u32,
    /// Queued submissions (all replicas) past which `POST /submissions` is 503.
    pub max_queued: u64,
    /// How long a claim holds without renewal.
    pub lease: Duration,
    /// How often idle workers look for work other replicas queued.
    pub poll: Duration,
}

/// The pool is full: try again later.
#[derive(Debug)]
pub struct Busy;

pub struct Judging {
    languages: Arc<Languages>,
    database: Database,
    config: QueueConfig,
    /// This replica, as recorded in `submissions.worker`.
    worker_id: String,
    slots: Semaphore,
    waiting: AtomicUsize,
    queued: Notify,
    stopping: watch::Sender<bool>,
    http: reqwest::Client,
}

impl Judging {
    pub fn new(languages: Arc<Languages>, database: Database, config: QueueConfig) -> Arc<Self> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let worker_id = format!(
            "{}-{}-{}",
            host.trim(),
            std::process::id(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        Arc::new(Self {
            languages,
            database,
            slots: Semaphore::new(config.slots as usize),
            waiting: AtomicUsize::new(0),
            queued: Notify::new(),
            stopping: watch::channel(false).0,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a default HTTP client"),
            config,
            worker_id,
        })
    }

    pub fn slots(&self) -> u32 {
        self.config.slots
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// A judging slot for a synchronous request, or `Busy` when too many
    /// already wait for one.
    pub async fn slot(&self) -> Result<SemaphorePermit<'_>, Busy> {
        if let Ok(permit) = self.slots.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.config.max_waiting as usize {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let permit = self.slots.acquire().await.expect("never closed");
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        Ok(permit)
    }

    /// Judges ad hoc tests now (the caller holds a slot); `question_id`
    /// only labels the record.
    pub async fn judge_adhoc(
        &self,
        language: &str,
        submission: Submission,
        user_id: Option<String>,
        question_id: Option<String>,
    ) -> Result<ExecutionRecord> {
        self.judge_and_record(language, submission, user_id, question_id, None)
            .await
    }

    /// Judges a submission to `question` now (the caller holds a slot),
    /// recording it as a submission like the queued ones.
    pub async fn judge_question_now(
        &self,
        language: &str,
        submission: Submission,
        user_id: Option<String>,
        question: &Question,
    ) -> Result<ExecutionRecord> {
        let new = NewSubmission {
            user_id: user_id.as_deref(),
            question_id: &question.slug,
            language,
            code: &submission.code,
            callback_url: None,
        };
        let record = self
            .database
            .insert_submission(&new, Some((&self.worker_id, self.lease_until())))
            .await?;
        let slug = question.slug.clone();
        let execution = self
            .judge_and_record(language, submission, user_id, Some(slug), Some(record.id))
            .await?;
        let summary = &execution.report.summary;
        self.database
            .finish_submission(
                record.id,
                &self.worker_id,
                Some(execution.id),
                summary.score,
                summary.max_score,
            )
            .await?;
        Ok(execution)
    }

    /// Queues a submission for the workers; `Busy` when the queue is full.
    pub async fn enqueue(&self, new: &NewSubmission<'_>) -> Result<Result<SubmissionRecord, Busy>> {
        if self.database.queued_submissions().await? >= self.config.max_queued {
            return Ok(Err(Busy));
        }
        let record = self.database.insert_submission(new, None).await?;
        self.queued.notify_one();
        Ok(Ok(record))
    }

    /// Starts `count` workers; they stop claiming once `stop` is called.
    pub fn start_workers(self: &Arc<Self>, count: u32) -> Vec<tokio::task::JoinHandle<()>> {
        (0..count)
            .map(|_| {
                let judging = self.clone();
                tokio::spawn(async move { judging.work().await })
            })
            .collect()
    }

    /// Stops claiming work, waits up to `grace` for workers to finish what
    /// they hold, then hands whatever is still running back to the queue.
    pub async fn stop(&self, workers: Vec<tokio::task::JoinHandle<()>>, grace: Duration) {
        self.stopping.send_replace(true);
        let all = futures::future::join_all(workers);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("workers still busy after {grace:?}: handing their submissions back");
        }
        match self.database.hand_back_submissions(&self.worker_id).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "handed running submissions back to the queue"),
            Err(error) => tracing::error!(error = format!("{error:#}"), "handing back failed"),
        }
    }

    async fn work(self: Arc<Self>) {
        let mut stopping = self.stopping.subscribe();
        loop {
            if *stopping.borrow() {
                return;
            }
            let claimed = match self.slots.acquire().await {
                Ok(permit) => {
                    let now = Utc::now().timestamp_millis();
                    let claim = self
                        .database
                        .claim_submission(&self.worker_id, now, self.lease_until())
                        .await;
                    claim.map(|claimed| claimed.map(|record| (record, permit)))
                }
                Err(_) => return,
            };
            match claimed {
                Ok(Some((record, _permit))) => {
                    let id = record.id;
                    if let Err(error) = self.run_claimed(record).await {
                        tracing::error!(%id, error = format!("{error:#}"), "judging a queued submission failed");
                    }
                }
                Ok(None) => {
                    tokio::select! {
                        _ = self.queued.notified() => {}
                        _ = tokio::time::sleep(self.config.poll) => {}
                        _ = stopping.changed() => {}
                    }
                }
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "claiming a submission failed");
                    tokio::time::sleep(self.config.poll).await;
                }
            }
        }
    }

    /// Judges a claimed submission, renewing its lease meanwhile.
    async fn run_claimed(&self, record: SubmissionRecord) -> Result<()> {
        let renewing = async {
            loop {
                tokio::time::sleep(self.config.lease / 3).await;
                match self
                    .database
                    .renew_lease(record.id, &self.worker_id, self.lease_until())
                    .await
                {
                    Ok(true) => {}
                    // Someone else holds it now: stop wasting the slot.
                    Ok(false) => return,
                    Err(error) => {
                        tracing::warn!(error = format!("{error:#}"), "renewing a lease failed")
                    }
                }
            }
        };
        let judged = tokio::select! {
            judged = self.judge_queued(&record) => judged?,
            () = renewing => return Ok(()),
        };
        let (execution_id, score, max_score) = match &judged {
            Some(execution) => (
                Some(execution.id),
                execution.report.summary.score,
                execution.report.summary.max_score,
            ),
            None => (None, 0, 0),
        };
        let finished = self
            .database
            .finish_submission(record.id, &self.worker_id, execution_id, score, max_score)
            .await?;
        if finished && let Some(url) = &record.callback_url {
            let record = self
                .database
                .submission(record.id)
                .await?
                .unwrap_or(record.clone());
            callback::send(self.http.clone(), url.clone(), record, judged);
        }
        Ok(())
    }

    /// `None` when the question or language went away after the submission
    /// was queued: it is finished with no result.
    async fn judge_queued(&self, record: &SubmissionRecord) -> Result<Option<ExecutionRecord>> {
        let question = self.database.question(&record.question_id).await?;
        let Some(question) = question.filter(|q| q.allows(&record.language)) else {
            tracing::warn!(id = %record.id, "the question or language of a queued submission is gone");
            return Ok(None);
        };
        let submission = question
            .submission(record.code.clone())
            .map_err(anyhow::Error::msg)?;
        let execution = self
            .judge_and_record(
                &record.language,
                submission,
                record.user_id.clone(),
                Some(record.question_id.clone()),
                Some(record.id),
            )
            .await?;
        Ok(Some(execution))
    }

    async fn judge_and_record(
        &self,
        language: &str,
        submission: Submission,
        user_id: Option<String>,
        question_id: Option<String>,
        submission_id: Option<Uuid>,
    ) -> Result<ExecutionRecord> {
        let language = self
            .languages
            .get(language)
            .ok_or_else(|| anyhow::anyhow!("language {language} is not loaded"))?;
        let created_at = Utc::now();
        let report: Report = judge::judge(language.clone(), submission.clone()).await;
        let mut record = ExecutionRecord::new(
            language.info(),
            submission,
            report,
            user_id,
            question_id,
            created_at,
        );
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
