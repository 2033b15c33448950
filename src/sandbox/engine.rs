//! The one wasmtime `Engine` every language shares, configured for many short
//! runs: a pooling allocator with copy-on-write memory images, and fuel
//! metering, which also makes running guests yield (see `guest.rs`).

use std::sync::Arc;

use anyhow::Result;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ProfilingStrategy,
};

use super::Stdio;
use super::function_cache::CompiledFunctions;

/// Native stack for compiled guest code. CPython recurses on the C stack for
/// calls through C (`lru_cache`, `map`, `sorted(key=...)`), so depth 10^5
/// needs far more than wasmtime's 512 KiB default.
const MAX_WASM_STACK: usize = 48 << 20;

/// Per instance in the pool; the component-model interpreters instantiate a
/// dozen core modules that share one linear memory.
const CORE_INSTANCES_PER_RUN: u32 = 32;
const MEMORIES_PER_RUN: u32 = 4;
const TABLES_PER_RUN: u32 = 16;

/// Instances made ahead of runs, beyond the runs' own: one per interpreter
/// (see `interpreter.rs`), with room to spare.
const AHEAD_INSTANCES: u32 = 4;

/// Memory for functions Cranelift compiled, reused by later compiles: the
/// libc++ that C++ programs link is about 10 MiB of them.
const COMPILED_FUNCTIONS_BYTES: u64 = 64 << 20;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Instances alive at once; runs beyond this wait for an instance permit.
    pub max_concurrent_runs: u32,
    /// The largest memory limit any run may be given.
    pub max_memory_bytes: u64,
    /// Linear memory kept resident per pooled instance after a run: reset with
    /// `memset` instead of `madvise`, which is faster under parallel load.
    pub keep_resident_bytes: usize,
    /// Write `/tmp/perf-PID.map` for `perf` (see `docs/performance.md`).
    pub perf_map: bool,
}

/// The shared engine plus the permits that bound instances alive at once, so
/// the pool can never be exhausted: a run waits for a permit instead of failing.
#[derive(Clone)]
pub struct WasmSandbox {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    max_memory_bytes: u64,
    instances: u32,
    instance_permits: Semaphore,
    /// As many again, for the judge's side of linked runs (`link`).
    companion_permits: Semaphore,
    ahead_permits: Arc<Semaphore>,
}

impl WasmSandbox {
    pub fn new(config: &SandboxConfig) -> Result<Self> {
        let instances = config.max_concurrent_runs.max(1);
        let pooled = 2 * instances + AHEAD_INSTANCES;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(pooled)
            .total_core_instances(pooled * CORE_INSTANCES_PER_RUN)
            .total_memories(pooled * MEMORIES_PER_RUN)
            .total_tables(pooled * TABLES_PER_RUN)
            .total_stacks(pooled)
            .max_core_instances_per_component(CORE_INSTANCES_PER_RUN)
            .max_memories_per_component(MEMORIES_PER_RUN)
            .max_tables_per_component(TABLES_PER_RUN)
            .max_memory_size(usize::try_from(config.max_memory_bytes)?)
            .max_core_instance_size(4 << 20)
            .max_component_instance_size(4 << 20)
            .table_elements(50_000)
            .linear_memory_keep_resident(config.keep_resident_bytes)
            .table_keep_resident(config.keep_resident_bytes.min(1 << 20))
            // Restore only the pages a run wrote, where Linux can say which
            // (6.7 and later), instead of copying all that is kept resident:
            // a JavaScript hello world runs 10x faster.
            .pagemap_scan(Enabled::Auto);

        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .consume_fuel(true)
            .memory_init_cow(true)
            .max_wasm_stack(MAX_WASM_STACK)
            .async_stack_size(MAX_WASM_STACK + (1 << 20))
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .enable_incremental_compilation(Arc::new(CompiledFunctions::new(
                COMPILED_FUNCTIONS_BYTES,
            )))?;
        if config.perf_map {
            wasm.profiler(ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&wasm)?;
        // Every layer here is in-process and always available; say what holds.
        tracing::info!(
            instances,
            max_memory_mb = config.max_memory_bytes >> 20,
            "sandbox: WebAssembly (Wasmtime) with no files, network, environment or \
             process access; fuel metering with a CPU-time limit; \
             pooling allocator with copy-on-write memory"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                max_memory_bytes: config.max_memory_bytes,
                instances,
                instance_permits: Semaphore::new(instances as usize),
                companion_permits: Semaphore::new(instances as usize),
                ahead_permits: Arc::new(Semaphore::new(AHEAD_INSTANCES as usize)),
            }),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The largest memory limit any run may be given.
    pub fn max_memory_bytes(&self) -> u64 {
        self.inner.max_memory_bytes
    }

    /// Room in the pool for an instance made ahead of a run, if there is any;
    /// the instance holds it until a run takes the instance over.
    pub fn ahead_permit(&self) -> Option<OwnedSemaphorePermit> {
        self.inner.ahead_permits.clone().try_acquire_owned().ok()
    }

    /// Runs at once (companions aside).
    pub fn concurrent_runs(&self) -> u32 {
        self.inner.instances
    }

    /// Waits until an instance for a run with `stdio` may be created; the
    /// permit is held until dropped.
    pub async fn instance_permit(&self, stdio: &Stdio<'_>) -> SemaphorePermit<'_> {
        let permits = match stdio.is_companion() {
            true => &self.inner.companion_permits,
            false => &self.inner.instance_permits,
        };
        permits
            .acquire()
            .await
            .expect("the instance semaphores are never closed")
    }
}
