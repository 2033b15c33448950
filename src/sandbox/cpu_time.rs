//! CPU time of a future, summed over its polls, and a limit on it. A wasm run
//! is polled on whichever tokio worker is free, so per-thread CPU clocks are
//! read around each poll rather than once around the whole run. Time spent
//! waiting (for a timer, or for a core while other runs have it) is not
//! counted, so a run's CPU time does not depend on the server's load.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

pub struct CpuLimited<'a, F> {
    inner: Pin<Box<F>>,
    nanos: &'a AtomicU64,
    limit_nanos: u64,
}

impl<'a, F: Future> CpuLimited<'a, F> {
    /// Adds the CPU time spent polling `inner` to `nanos`, which survives the
    /// future being dropped (a timeout drops it), and ends with `None` once
    /// that time passes `limit`. Guests yield every fuel slice, so the check
    /// runs at least that often.
    pub fn new(inner: F, nanos: &'a AtomicU64, limit: Duration) -> Self {
        Self {
            inner: Box::pin(inner),
            nanos,
            limit_nanos: u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX),
        }
    }
}

impl<F: Future> Future for CpuLimited<'_, F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let start = thread_cpu_time();
        let result = self.inner.as_mut().poll(cx);
        let spent = thread_cpu_time().saturating_sub(start);
        let total = self
            .nanos
            .fetch_add(spent.as_nanos() as u64, Ordering::Relaxed)
            + spent.as_nanos() as u64;
        match result {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if total > self.limit_nanos => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; this clock always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
