//! Queue tasks: one per judging slot in every replica (a server or a
//! `judgebox worker`), each claiming the oldest queued submission under a
//! lease and judging it, live submissions before rejudges, and only a few
//! rejudges at once (`slots::rejudge_slots`); with them, the callback
//! deliverer. On shutdown they stop claiming, and what is still
//! running after the grace period goes back to the queue for another replica.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

use super::{JudgingPermit, JudgingService};
use crate::store::{SubmissionEnd, SubmissionRecord};
use crate::telemetry;

/// The running queue tasks and deliverer, for `JudgingService::stop`.
pub struct QueueTasks(Vec<JoinHandle<()>>);

impl JudgingService {
    /// Starts one worker per judging slot, and the callback deliverer.
    pub fn start_queue_tasks(self: &Arc<Self>) -> QueueTasks {
        let mut tasks: Vec<_> = (0..self.slots.count())
            .map(|_| tokio::spawn(self.clone().work()))
            .collect();
        tasks.push(tokio::spawn(self.clone().deliver_callbacks()));
        tracing::info!(replica = self.replica_id(), "queue tasks started");
        QueueTasks(tasks)
    }

    /// Queue tasks finish what they hold but claim nothing more.
    pub fn stop_claiming(&self) {
        self.stopping.send_replace(true);
    }

    /// Stops claiming work, waits up to `grace` for the tasks to finish what
    /// they hold, then hands whatever is still running back to the queue.
    pub async fn stop(&self, tasks: QueueTasks, grace: Duration) {
        self.stop_claiming();
        let all = futures::future::join_all(tasks.0);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                "queue tasks still busy after {grace:?}: handing their submissions back"
            );
        }
        match self.database.hand_back_submissions(&self.replica_id).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "handed running submissions back to the queue"),
            Err(error) => tracing::error!(error = format!("{error:#}"), "handing back failed"),
        }
    }

    async fn work(self: Arc<Self>) {
        let mut stopping = self.stopping.subscribe();
        while !*stopping.borrow() {
            let slot = self.slots.acquire().await;
            let rejudge = self.slots.try_rejudge();
            let now = Utc::now().timestamp_millis();
            let claimed = self
                .database
                .claim_submission(&self.replica_id, now, self.lease_until(), rejudge.is_some())
                .await;
            match claimed {
                Ok(Some(record)) => {
                    // Held while a rejudge is judged; a live one lets it go.
                    let _rejudge = rejudge.filter(|_| record.rejudge_id.is_some());
                    self.judge_claimed(slot, record).await
                }
                Ok(None) => {
                    drop(slot);
                    tokio::select! {
                        _ = self.queued.notified() => {}
                        _ = tokio::time::sleep(self.config.poll) => {}
                        _ = stopping.changed() => {}
                    }
                }
                Err(error) => {
                    drop(slot);
                    tracing::error!(error = format!("{error:#}"), "claiming a submission failed");
                    tokio::time::sleep(self.config.poll).await;
                }
            }
        }
    }

    /// Judges a claimed submission. When judging fails with an error of
    /// ours, the submission goes back to the queue for another attempt, up
    /// to `max_attempts`; then it is finished as `internal_error` with the
    /// reason, so no submission stays queued or running forever. One whose
    /// earlier replicas died while judging it has used its attempts too.
    async fn judge_claimed(&self, _slot: JudgingPermit, record: SubmissionRecord) {
        let id = record.id;
        let max = self.config.max_attempts;
        let failure = if record.attempts > max {
            format!("gave up after {max} attempts: the replicas judging it stopped")
        } else {
            match self.judge_held(&record, self.judge_queued(&record)).await {
                Ok(_) => return,
                Err(error) => format!("{error:#}"),
            }
        };
        tracing::error!(%id, attempt = record.attempts, error = failure, "judging a queued submission failed");
        let handled = if record.attempts >= max {
            metrics::counter!(telemetry::SUBMISSIONS_FAILED).increment(1);
            let reason = format!(
                "judging failed on {} attempts: {failure}",
                record.attempts.min(max)
            );
            self.finish(&record, SubmissionEnd::Failed { reason: &reason })
                .await
        } else {
            self.database.release_submission(id, &self.replica_id).await
        };
        if let Err(error) = handled {
            tracing::error!(%id, error = format!("{error:#}"), "recording a failed submission failed");
        }
    }
}
