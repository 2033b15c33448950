//! Judging a submission this replica holds, however it came to hold it
//! (claimed from the queue, or inserted as running by a synchronous
//! request): the lease is renewed until the result is recorded, so no other
//! replica takes a live submission over, while a dead replica's lease runs out.

use anyhow::Result;

use super::JudgingService;
use crate::store::{ExecutionRecord, SubmissionRecord};

#[expect(
    clippy::large_enum_variant,
    reason = "returned once per submission, never stored"
)]
pub enum Outcome {
    /// Judged and recorded as this replica's result; `None`: finished
    /// without a result (its question or language went away).
    Recorded(Option<ExecutionRecord>),
    /// Another replica holds the submission now; its result counts.
    Lost,
}

impl JudgingService {
    /// Runs `judging` for `held` while renewing its lease, then records
    /// the outcome as the submission's result, queueing its callback.
    pub(super) async fn judge_held(
        &self,
        held: &SubmissionRecord,
        judging: impl Future<Output = Result<Option<ExecutionRecord>>>,
    ) -> Result<Outcome> {
        let renewing = async {
            loop {
                tokio::time::sleep(self.config.lease / 3).await;
                let renewed = self
                    .database
                    .renew_lease(held.id, &self.replica_id, self.lease_until())
                    .await;
                match renewed {
                    Ok(true) => {}
                    // Someone else holds it now: stop wasting the slot.
                    Ok(false) => return,
                    Err(error) => {
                        tracing::warn!(error = format!("{error:#}"), "renewing a lease failed")
                    }
                }
            }
        };
        let execution = tokio::select! {
            judged = judging => judged?,
            () = renewing => return Ok(Outcome::Lost),
        };
        let (execution_id, score, max_score) = match &execution {
            Some(execution) => (
                Some(execution.id),
                execution.report.summary.score,
                execution.report.summary.max_score,
            ),
            None => (None, 0, 0),
        };
        let finished = (self.database)
            .finish_submission(held.id, &self.replica_id, execution_id, score, max_score)
            .await?;
        if finished && held.callback_url.is_some() {
            self.callbacks_due.notify_one();
        }
        Ok(if finished {
            Outcome::Recorded(execution)
        } else {
            Outcome::Lost
        })
    }
}
