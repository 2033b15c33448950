//! Rate limits on submitting code (`POST /execute`, `POST /submissions`),
//! counted against what `auth` says: anonymous requests per client address,
//! participants per token (a classroom shares one address), admin and
//! service not at all. `governor` keeps one token bucket per key; 429 with
//! `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::ErrorCode;
use super::{ApiError, AppState};
use crate::auth::{Principal, RateLimitKey};

pub struct RateLimits {
    by_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    by_participant: Option<DefaultKeyedRateLimiter<String>>,
    /// Peers whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<IpAddr>,
}

impl RateLimits {
    /// `per_minute` requests per address and per participant (0: no limit).
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Arc<Self> {
        let quota = NonZeroU32::new(per_minute).map(Quota::per_minute);
        let limits = Arc::new(Self {
            by_ip: quota.map(DefaultKeyedRateLimiter::keyed),
            by_participant: quota.map(DefaultKeyedRateLimiter::keyed),
            trusted_proxies,
        });
        // Forget idle clients, so memory stays bounded by recent ones.
        let weak = Arc::downgrade(&limits);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(limits) = weak.upgrade() else { return };
                if let Some(l) = &limits.by_ip {
                    l.retain_recent();
                }
                if let Some(l) = &limits.by_participant {
                    l.retain_recent();
                }
            }
        });
        limits
    }

    /// The client: the peer, or, behind a trusted proxy, the last address in
    /// `X-Forwarded-For` that is not one of the trusted proxies.
    fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .rev()
            .find(|hop| !self.trusted_proxies.contains(hop))
            .unwrap_or(peer)
    }
}

/// The limit, for the routes that submit code.
pub async fn limit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    principal: Principal,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.rate_limits;
    let checked = match state.service.access().rate_limit_key(&principal) {
        None => Ok(()),
        Some(RateLimitKey::ClientAddress) => match &limits.by_ip {
            Some(limiter) => {
                let client = limits.client(peer.ip(), request.headers());
                (limiter.check_key(&client)).map_err(|n| too_many("client address", wait(&n)))
            }
            None => Ok(()),
        },
        Some(RateLimitKey::Participant(key)) => match &limits.by_participant {
            Some(limiter) => {
                (limiter.check_key(&key)).map_err(|n| too_many("participant", wait(&n)))
            }
            None => Ok(()),
        },
    };
    match checked {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

fn wait(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

fn too_many(per: &str, wait: Duration) -> ApiError {
    let seconds = wait.as_secs() + 1;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many submissions from this {per}; retry in {seconds} s"),
    )
    .retry_after(seconds)
}
