//! What operators watch: logs (text on a terminal, JSON lines for log
//! collectors) and Prometheus metrics.
//!
//! Metrics go through the `metrics` facade, so any module can count without
//! holding a registry; this module installs the one recorder and renders it
//! for `GET /metrics`. The names, in one place:

use std::sync::OnceLock;

use clap::ValueEnum;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// Requests by `route` (the route's pattern, never the raw path), `method` and `status`.
pub const HTTP_REQUESTS: &str = "judgebox_http_requests_total";
/// Seconds from request to response, by `route`.
pub const HTTP_DURATION: &str = "judgebox_http_request_duration_seconds";
/// Requests refused because the service is at capacity, by `status` (429, 503).
pub const REFUSED: &str = "judgebox_requests_refused_total";
/// Judged submissions and executions, by `language` and `verdict` (the
/// first test that did not pass decides it).
pub const JUDGEMENTS: &str = "judgebox_judgements_total";
/// Seconds to judge a submission, compile included, by `language`.
pub const JUDGE_DURATION: &str = "judgebox_judge_duration_seconds";
/// Seconds a compiler ran, by `language` (cache misses only).
pub const COMPILE_DURATION: &str = "judgebox_compile_duration_seconds";
/// Compiles asked of the cache, by `language` and `result` (`memory`,
/// `disk` or `miss`).
pub const COMPILE_CACHE: &str = "judgebox_compile_cache_total";
/// Submissions finished as `internal_error` after judging failed on every
/// attempt (`--max-attempts`).
pub const SUBMISSIONS_FAILED: &str = "judgebox_submissions_failed_total";
/// Submissions by `state` (`queued`, `running`), all replicas together.
pub const SUBMISSIONS: &str = "judgebox_submissions";
/// This replica's judging slots by `state` (`in_use`, `waiting`, `total`).
pub const JUDGING_SLOTS: &str = "judgebox_judging_slots";
/// 1 for each isolation layer that holds on this machine, 0 for one that is off.
pub const SANDBOX_LAYER: &str = "judgebox_sandbox_layer_active";

/// Bucket bounds in seconds: from a hot-path request (1 ms) to a slow
/// compile or a test at the largest time limit.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, with the request's span (its `request_id`).
    Json,
}

/// Logs to stderr at `default_level` unless `RUST_LOG` says otherwise.
pub fn init_logging(format: LogFormat, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

/// The process's one metrics recorder, installed on first use.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed")
    })
}
