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
    /// Rejudges judged at once: one slot fewer than all, so that a
    /// rejudge of a whole contest leaves a slot for a new submission.
    rejudging: Arc<Semaphore>,
}

impl JudgingSlots {
    pub fn new(count: u32, max_waiting: u32) -> Self {
        Self {
            count,
            free: Arc::new(Semaphore::new(count as usize)),
            waiting: AtomicUsize::new(0),
            max_waiting: max_waiting as usize,
            rejudging: Arc::new(Semaphore::new(count.saturating_sub(1).max(1) as usize)),
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
