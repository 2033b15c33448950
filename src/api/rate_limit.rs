//! Rate limits on submitting code (`POST /execute`, `POST /submissions`):
//! per client IP, in a middleware, and per `user_id`, once the body names
//! one. `governor` keeps one token bucket per key; 429 with `Retry-After`.

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

use super::{ApiError, AppState};

pub struct RateLimits {
    by_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    by_user: Option<DefaultKeyedRateLimiter<String>>,
    /// Peers whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<IpAddr>,
}

impl RateLimits {
    /// `per_minute` requests per IP and per user (0: no limit).
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Arc<Self> {
        let quota = NonZeroU32::new(per_minute).map(Quota::per_minute);
        let limits = Arc::new(Self {
            by_ip: quota.map(DefaultKeyedRateLimiter::keyed),
            by_user: quota.map(DefaultKeyedRateLimiter::keyed),
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
                if let Some(l) = &limits.by_user {
                    l.retain_recent();
                }
            }
        });
        limits
    }

    /// Counts a request by `user_id`; `Err` is the 429 to answer.
    pub fn check_user(&self, user_id: Option<&str>) -> Result<(), ApiError> {
        let (Some(limiter), Some(user)) = (&self.by_user, user_id) else {
            return Ok(());
        };
        limiter
            .check_key(&user.to_string())
            .map_err(|not_until| too_many("user", wait(&not_until)))
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

/// The per-IP limit, for the routes that submit code.
pub async fn by_ip(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.rate_limits;
    if let Some(limiter) = &limits.by_ip {
        let client = limits.client(peer.ip(), request.headers());
        if let Err(not_until) = limiter.check_key(&client) {
            return too_many("client address", wait(&not_until)).into_response();
        }
    }
    next.run(request).await
}

fn wait(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

fn too_many(per: &str, wait: Duration) -> ApiError {
    let seconds = wait.as_secs() + 1;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many submissions from this {per}; retry in {seconds} s"),
    )
    .retry_after(seconds)
}
