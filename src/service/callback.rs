//! Tells a submitter's `callback_url` the result: a POST of the same JSON
//! as `GET /submissions/{id}`, retried with backoff a few times.

use std::time::Duration;

use super::SubmissionView;
use crate::store::{ExecutionRecord, SubmissionRecord};

const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// Sends in the background; a callback that never answers costs nothing
/// but a task for a few seconds.
pub fn send(
    http: reqwest::Client,
    url: String,
    record: SubmissionRecord,
    execution: Option<ExecutionRecord>,
) {
    let body = SubmissionView::new(record, execution);
    tokio::spawn(async move {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            match http.post(&url).json(&body).send().await {
                Ok(response) if response.status().is_success() => return,
                Ok(response) => {
                    tracing::warn!(%url, attempt, status = %response.status(), "callback refused")
                }
                Err(error) => tracing::warn!(%url, attempt, %error, "callback failed"),
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
        tracing::error!(%url, "callback gave up after {ATTEMPTS} attempts");
    });
}
