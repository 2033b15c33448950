//! CPU time of a future, summed over its polls. A wasm run is polled on
//! whichever tokio worker is free, so per-thread CPU clocks are read around
//! each poll rather than once around the whole run.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

pub struct CpuTimed<'a, F> {
    inner: Pin<Box<F>>,
    nanos: &'a AtomicU64,
}

impl<'a, F: Future> CpuTimed<'a, F> {
    /// Adds the CPU time spent polling `inner` to `nanos`, which survives the
    /// future being dropped (a timeout drops it).
    pub fn new(inner: F, nanos: &'a AtomicU64) -> Self {
        Self {
            inner: Box::pin(inner),
            nanos,
        }
    }
}

impl<F: Future> Future for CpuTimed<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let start = thread_cpu_time();
        let result = self.inner.as_mut().poll(cx);
        let spent = thread_cpu_time().saturating_sub(start);
        self.nanos
            .fetch_add(spent.as_nanos() as u64, Ordering::Relaxed);
        result
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
