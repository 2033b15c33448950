//! Around every request, pages included: a request id (the client's
//! `x-request-id` if it is a sane one, else a new one) returned in the
//! response and carried by every log line of the request, the HTTP metrics,
//! and the activity that idle exit watches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use uuid::Uuid;

use crate::telemetry;

const REQUEST_ID: &str = "x-request-id";
const MAX_REQUEST_ID_CHARS: usize = 128;

/// Requests in flight and when the last one ended.
pub struct Activity {
    in_flight: AtomicUsize,
    last_ended: Mutex<Instant>,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            last_ended: Mutex::new(Instant::now()),
        })
    }

    /// How long no request has been in flight; zero while one is.
    pub fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        self.last_ended.lock().unwrap().elapsed()
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.clone())
    }
}

/// One request in flight, until dropped (answered, or the client went away).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        *self.0.last_ended.lock().unwrap() = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn observe(
    State(activity): State<Arc<Activity>>,
    mut request: Request,
    next: Next,
) -> Response {
    let _in_flight = activity.begin();
    let id = request_id(request.headers());
    request.headers_mut().insert(REQUEST_ID, id.clone());
    // The route's pattern, not the path: ids in paths would make a metric per id.
    let route = (request.extensions().get::<MatchedPath>())
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().to_string();
    let span = tracing::info_span!(
        "request",
        request_id = id.to_str().unwrap_or_default(),
        method,
        route
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    span.in_scope(|| {
        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "answered"
        );
    });
    count(&route, method, status, started.elapsed());
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The client's id if it is short and plain (it ends up in logs), else a new one.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    let plain = |id: &str| {
        (1..=MAX_REQUEST_ID_CHARS).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    };
    match headers.get(REQUEST_ID) {
        Some(id) if id.to_str().is_ok_and(plain) => id.clone(),
        _ => HeaderValue::from_str(&Uuid::new_v4().to_string()).expect("a UUID is a header value"),
    }
}

fn count(route: &str, method: String, status: StatusCode, took: Duration) {
    let code = status.as_str().to_owned();
    metrics::counter!(telemetry::HTTP_REQUESTS,
        "route" => route.to_owned(), "method" => method, "status" => code.clone())
    .increment(1);
    metrics::histogram!(telemetry::HTTP_DURATION, "route" => route.to_owned()).record(took);
    // At capacity by design (rate limit, full wait): counted, not logged as errors.
    if matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        metrics::counter!(telemetry::REFUSED, "status" => code).increment(1);
    }
}
