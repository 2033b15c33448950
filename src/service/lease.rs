//! Judging a submission this replica holds, however it came to hold it
//! (claimed from the queue, or inserted as running by a synchronous
//! request): the lease is renewed until the result is recorded, so no other
//! replica takes a live submission over, while a dead replica's lease runs out.

use anyhow::Result;

use super::JudgingService;
use crate::store::{ExecutionRecord, SubmissionEnd, SubmissionRecord};

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
        let end = match &execution {
            Some(execution) => SubmissionEnd::Judged {
                execution_id: execution.id,
                score: execution.report.summary.score,
                max_score: execution.report.summary.max_score,
                verdict: execution.report.verdict(),
            },
            None => SubmissionEnd::NotJudged,
        };
        let finished = self.finish(held, end).await?;
        Ok(if finished {
            Outcome::Recorded(execution)
        } else {
            Outcome::Lost
        })
    }

    /// Records how `held` ended, waking the deliverer for its callback;
    /// `false` if another replica holds it now.
    pub(super) async fn finish(
        &self,
        held: &SubmissionRecord,
        end: SubmissionEnd<'_>,
    ) -> Result<bool> {
        let finished = (self.database)
            .finish_submission(held.id, &self.replica_id, end)
            .await?;
        if finished && held.callback_url.is_some() {
            self.callbacks_due.notify_one();
        }
        Ok(finished)
    }
}
