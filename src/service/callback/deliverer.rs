//! The deliverer: one task per replica (started and stopped with the
//! workers) that claims due outbox rows under a lease and makes one
//! attempt per claim, a few at once. A failed attempt is tried again after
//! a doubling backoff, by whichever replica claims it then.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::Url;
use tokio::task::JoinSet;

use super::{REQUEST_TIMEOUT, RESOLVE_TIMEOUT, Unreachable};
use crate::auth::Principal;
use crate::service::JudgingService;
use crate::store::{CallbackRecord, CallbackState};

const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const CONCURRENT_ATTEMPTS: usize = 8;
/// Outlasts an attempt (resolving, then the request), so no other replica
/// claims one in flight; a replica that dies mid-attempt holds it this long.
const LEASE: Duration = RESOLVE_TIMEOUT.saturating_add(REQUEST_TIMEOUT.saturating_mul(2));
/// Not to spin when a due row is locked by another replica.
const MIN_WAIT: Duration = Duration::from_millis(50);

/// Why an attempt failed.
enum Failure {
    /// It would never succeed: recorded as failed at once.
    Refused(String),
    /// It may succeed later.
    Failed(String),
}

impl From<Unreachable> for Failure {
    fn from(unreachable: Unreachable) -> Self {
        match unreachable {
            Unreachable::Private => Self::Refused(unreachable.to_string()),
            Unreachable::Unresolved(_) => Self::Failed(unreachable.to_string()),
        }
    }
}

impl JudgingService {
    /// Claims and attempts due callbacks until the service stops claiming,
    /// then waits for the attempts in flight.
    pub(in crate::service) async fn deliver_callbacks(self: Arc<Self>) {
        let mut stopping = self.stopping.subscribe();
        let mut attempts = JoinSet::new();
        while !*stopping.borrow() {
            while attempts.try_join_next().is_some() {}
            if attempts.len() >= CONCURRENT_ATTEMPTS {
                attempts.join_next().await;
                continue;
            }
            let now = Utc::now().timestamp_millis();
            let lease_until = now + LEASE.as_millis() as i64;
            match (self.database)
                .claim_callback(&self.replica_id, now, lease_until)
                .await
            {
                Ok(Some(callback)) => {
                    let service = self.clone();
                    attempts.spawn(async move { service.attempt(callback).await });
                }
                Ok(None) => {
                    let wait = self.until_a_callback_is_due().await;
                    tokio::select! {
                        _ = self.callbacks_due.notified() => {}
                        _ = tokio::time::sleep(wait) => {}
                        _ = stopping.changed() => {}
                        // A failed attempt may be due again before `wait` ends.
                        Some(_) = attempts.join_next(), if !attempts.is_empty() => {}
                    }
                }
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "claiming a callback failed");
                    tokio::time::sleep(self.config.poll).await;
                }
            }
        }
        attempts.join_all().await;
    }

    /// Until the next pending callback is due here, at most the poll
    /// interval (other replicas add callbacks too).
    async fn until_a_callback_is_due(&self) -> Duration {
        let due = match self.database.next_callback_due().await {
            Ok(Some(due)) => due - Utc::now().timestamp_millis(),
            Ok(None) => return self.config.poll,
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "reading the callback outbox failed"
                );
                return self.config.poll;
            }
        };
        Duration::from_millis(due.max(0) as u64).clamp(MIN_WAIT, self.config.poll)
    }

    /// Makes one attempt and records how it went.
    async fn attempt(&self, callback: CallbackRecord) {
        let (id, attempt) = (callback.submission_id, callback.attempts);
        // A callback URL may carry a secret (a token in its path or query):
        // the log names its origin only.
        let url = origin(&callback.url);
        let now = Utc::now().timestamp_millis();
        let (state, next_attempt_at) = match self.post_result(&callback).await {
            Ok(()) => (CallbackState::Delivered, now),
            Err(Failure::Refused(why)) => {
                tracing::warn!(%id, url, "callback refused: {why}");
                (CallbackState::Failed, now)
            }
            Err(Failure::Failed(why)) if attempt >= ATTEMPTS => {
                tracing::error!(%id, url, "callback gave up after {ATTEMPTS} attempts: {why}");
                (CallbackState::Failed, now)
            }
            Err(Failure::Failed(why)) => {
                tracing::warn!(%id, url, attempt, "callback failed: {why}");
                let backoff = FIRST_BACKOFF * 2u32.pow(attempt.saturating_sub(1));
                (CallbackState::Pending, now + backoff.as_millis() as i64)
            }
        };
        let recorded = (self.database)
            .record_callback_attempt(id, &self.replica_id, state, next_attempt_at)
            .await;
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(%id, "a callback attempt outlasted its lease"),
            Err(error) => {
                tracing::error!(%id, error = format!("{error:#}"), "recording a callback failed")
            }
        }
    }

    async fn post_result(&self, callback: &CallbackRecord) -> Result<(), Failure> {
        let url = Url::parse(&callback.url).map_err(|error| Failure::Refused(error.to_string()))?;
        // The result goes to where its submitter asked: read as the service.
        let view = (self
            .submission(&Principal::Service, callback.submission_id)
            .await)
            .map_err(|error| Failure::Failed(format!("{error:#}")))?
            .ok_or_else(|| Failure::Refused("the submission is gone".into()))?;
        let target = self.config.callbacks.target(&url).await?;
        let client = target
            .client()
            .map_err(|error| Failure::Failed(error.to_string()))?;
        // reqwest's errors name the URL: the log must not.
        let response = (client.post(url).json(&view).send().await)
            .map_err(|error| Failure::Failed(error.without_url().to_string()))?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(Failure::Failed(format!("the receiver answered {status}"))),
        }
    }
}

/// What a log may say of a callback URL: its scheme, host and port.
fn origin(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => "(not a URL)".into(),
    }
}
