//! The memory limit: the sum of all linear memories of one instance.

use wasmtime::ResourceLimiter;

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

    /// Sets the limit for what follows; false (and a hit) if what is in use
    /// is already over it.
    pub fn set_limit(&mut self, limit: u64) -> bool {
        self.limit = limit;
        self.limit_hit = self.used > limit;
        !self.limit_hit
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
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let used = self.used + (desired - current) as u64;
        // `maximum` is the module's own or the pool's per-memory size; wasmtime would
        // refuse past it anyway, but then the refusal must count as a hit too.
        if used > self.limit || maximum.is_some_and(|maximum| desired > maximum) {
            // Refusing makes `memory.grow` return -1, which the guest's
            // allocator turns into its own out-of-memory error (MemoryError).
            self.limit_hit = true;
            return Ok(false);
        }
        self.used = used;
        Ok(true)
    }

    /// Tables are bounded by the pool (`table_elements`), so they cannot be
    /// used to get around the memory limit.
    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
