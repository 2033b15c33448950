//! An interpreter compiled to a WebAssembly component (CPython today) that
//! implements `runtimes/wit/interpreter.wit`. Every run gets a fresh
//! instance, so nothing a program does can be seen by the next one.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

use super::artifact::load_component;
use super::cpu_time::CpuTimed;
use super::memory::MemoryLimiter;
use super::output::CappedPipe;
use super::{Run, RunLimits, Stopped, Usage, WasmSandbox};
use bindings::Outcome;

mod bindings {
    wasmtime::component::bindgen!({
        path: "runtimes/wit",
        world: "interpreter",
        exports: { default: async },
    });
}

/// Host state of one instance: WASI with no files, network, environment or
/// arguments, and the memory limiter.
struct Guest {
    wasi: WasiCtx,
    table: ResourceTable,
    memory: MemoryLimiter,
}

impl WasiView for Guest {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

pub struct Interpreter {
    sandbox: WasmSandbox,
    pre: bindings::InterpreterPre<Guest>,
}

impl Interpreter {
    /// Loads the component at `wasm_path`, precompiling it into `cache_dir`
    /// on first use (after a Wizer snapshot if `wizer` is set, for guests
    /// that export `wizer-initialize`). Returns the interpreter and whether
    /// it was compiled.
    pub fn load(
        sandbox: &WasmSandbox,
        name: &str,
        wasm_path: &Path,
        cache_dir: &Path,
        wizer: bool,
    ) -> Result<(Self, bool)> {
        let engine = sandbox.engine();
        let (component, compiled) = load_component(engine, wasm_path, cache_dir, name, wizer)?;
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        let pre = bindings::InterpreterPre::new(linker.instantiate_pre(&component)?)?;
        let sandbox = sandbox.clone();
        Ok((Self { sandbox, pre }, compiled))
    }

    /// Runs `code` with `stdin` in a fresh instance under `limits`. `Err`
    /// means the host failed (e.g. could not instantiate), not the program.
    pub async fn run(&self, code: &str, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        let _slot = self.sandbox.slot().await;
        let stdout = CappedPipe::new(limits.stdout_bytes);
        let stderr = CappedPipe::new(limits.stderr_bytes);
        let wasi = WasiCtx::builder()
            .stdin(MemoryInputPipe::new(stdin.to_vec()))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let guest = Guest {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryLimiter::new(limits.memory_bytes),
        };
        let mut store = Store::new(self.sandbox.engine(), guest);
        store.limiter(|guest| &mut guest.memory);
        let fuel = limits.fuel.unwrap_or(i64::MAX as u64);
        store.set_fuel(fuel)?;
        // Yield at every epoch tick so the timeout below can fire mid-loop.
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);

        let cpu_nanos = AtomicU64::new(0);
        let started = Instant::now();
        let work = CpuTimed::new(
            async {
                // Failing to instantiate is ours; anything the call does is the program's.
                let guest = self
                    .pre
                    .instantiate_async(&mut store)
                    .await
                    .map_err(|e| anyhow::Error::from(e).context("instantiating the runtime"))?;
                anyhow::Ok(guest.call_run(&mut store, code).await)
            },
            &cpu_nanos,
        );
        // Dropping the future on timeout unwinds the guest's fiber; the store
        // and its pool slot are released when `store` drops below.
        let returned = tokio::time::timeout(limits.wall_time, work).await;
        let wall_time = started.elapsed();

        let (stdout, stdout_overflowed) = stdout.take();
        let (stderr, stderr_overflowed) = stderr.take();
        let ended = match returned {
            Err(_elapsed) => Err(Stopped::WallTime),
            Ok(instantiated) => match instantiated? {
                Ok(Outcome::Exited(status)) => Ok(status),
                Ok(Outcome::SyntaxError(mut message)) => {
                    // The message quotes the offending line, which can be huge.
                    message.truncate(message.floor_char_boundary(limits.stderr_bytes));
                    Err(Stopped::SyntaxError(message))
                }
                Err(_) if stdout_overflowed || stderr_overflowed => Err(Stopped::Output),
                Err(error) => Err(stopped_by(error)),
            },
        };
        let usage = Usage {
            wall_time,
            cpu_time: Duration::from_nanos(cpu_nanos.load(Ordering::Relaxed)),
            peak_memory_bytes: store.data().memory.peak_bytes(),
            memory_limit_hit: store.data().memory.limit_hit(),
            fuel_consumed: fuel - store.get_fuel()?,
        };
        Ok(Run {
            ended,
            stdout,
            stderr,
            usage,
        })
    }
}

/// Why a guest call failed. Traps and exits are ordinary; any other error
/// (a WASI call the host refused outright, a malformed return value) can only
/// come from a misbehaving guest, so it counts as a crash too.
fn stopped_by(error: wasmtime::Error) -> Stopped {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => Stopped::Fuel,
            Trap::StackOverflow => Stopped::StackOverflow,
            other => Stopped::Trap(other.to_string()),
        };
    }
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Stopped::Exit(exit.0);
    }
    tracing::warn!(
        error = format!("{error:#}"),
        "a guest call failed without a trap"
    );
    Stopped::Trap(error.to_string())
}
