//! Judging slots: how many submissions this replica judges at once,
//! synchronous and queued alike. Judging needs a `JudgingPermit`, so "the
//! caller holds a slot" is checked by the compiler, not a comment.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The slots are full and so is the wait for them: try again later.
#[derive(Debug)]
pub struct Busy;

/// One judging slot, held until dropped.
pub struct JudgingPermit {
    _permit: OwnedSemaphorePermit,
}

/// Leave to judge a rejudge in a slot one holds, held until dropped.
pub struct RejudgePermit {
    _permit: OwnedSemaphorePermit,
}

pub struct JudgingSlots {
    count: u32,
    free: Arc<Semaphore>,
    /// Synchronous requests waiting for a slot, bounded by `max_waiting`.
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Rejudges judged at once (`rejudge_slots`).
    rejudging: Arc<Semaphore>,
}

/// Rejudges judged at once: half the CPUs, and one slot fewer than all,
/// at least one. A slot free is not enough: rejudges in every other slot
/// would take the CPUs a new submission needs (measured: with 7 of 8 slots
/// rejudging on 2 CPUs, new submissions took 637 ms at the median instead
/// of 68).
fn rejudge_slots(slots: u32) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus / 2).min(slots.saturating_sub(1) as usize).max(1)
}

impl JudgingSlots {
    pub fn new(count: u32, max_waiting: u32) -> Self {
        Self {
            count,
            free: Arc::new(Semaphore::new(count as usize)),
            waiting: AtomicUsize::new(0),
            max_waiting: max_waiting as usize,
            rejudging: Arc::new(Semaphore::new(rejudge_slots(count))),
        }
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    /// Slots held now, by requests and by workers.
    pub fn in_use(&self) -> usize {
        self.count as usize - self.free.available_permits()
    }

    /// Synchronous requests waiting for a slot.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// A slot for a synchronous request, or `Busy` when too many already
    /// wait for one: a client told to retry costs less than a queue in memory.
    pub async fn acquire_or_busy(&self) -> Result<JudgingPermit, Busy> {
        if let Ok(permit) = self.free.clone().try_acquire_owned() {
            return Ok(JudgingPermit { _permit: permit });
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let permit = self.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        Ok(permit)
    }

    /// Leave to judge a rejudge, if fewer than the most are judged now.
    pub fn try_rejudge(&self) -> Option<RejudgePermit> {
        let permit = self.rejudging.clone().try_acquire_owned().ok()?;
        Some(RejudgePermit { _permit: permit })
    }

    /// A slot, however long it takes (queue workers: their work waits in the database).
    pub async fn acquire(&self) -> JudgingPermit {
        let permit = self.free.clone().acquire_owned().await;
        JudgingPermit {
            _permit: permit.expect("the semaphore is never closed"),
        }
    }
}
