//! The memory limit: the sum of all linear memories of one instance.

use wasmtime::ResourceLimiter;

/// Enough for the interpreters' function tables; a guest cannot use tables to
/// get around the memory limit.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

pub struct MemoryLimiter {
    limit: u64,
    used: u64,
    limit_hit: bool,
}

impl MemoryLimiter {
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            used: 0,
            limit_hit: false,
        }
    }

    /// Linear memory never shrinks, so what is in use is also the peak.
    pub fn peak_bytes(&self) -> u64 {
        self.used
    }

    pub fn limit_hit(&self) -> bool {
        self.limit_hit
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let used = self.used + (desired - current) as u64;
        if used > self.limit {
            // Refusing makes `memory.grow` return -1, which the guest's
            // allocator turns into its own out-of-memory error (MemoryError).
            self.limit_hit = true;
            return Ok(false);
        }
        self.used = used;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
