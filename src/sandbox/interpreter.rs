//! An interpreter compiled to a WebAssembly component (CPython today) that
//! implements `runtimes/wit/interpreter.wit`. Every call gets a fresh
//! instance, so nothing a program does can be seen by the next one.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::BoxFuture;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

use super::artifact::load_component;
use super::cpu_time::CpuTimed;
use super::memory::MemoryLimiter;
use super::output::CappedPipe;
use super::{Run, RunLimits, Stopped, Usage, WasmSandbox};

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
    /// on first use. Returns the interpreter and whether it was compiled.
    pub fn load(
        sandbox: &WasmSandbox,
        name: &str,
        wasm_path: &Path,
        cache_dir: &Path,
    ) -> Result<(Self, bool)> {
        let engine = sandbox.engine();
        let (component, compiled) = load_component(engine, wasm_path, cache_dir, name)?;
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        let pre = bindings::InterpreterPre::new(linker.instantiate_pre(&component)?)?;
        let sandbox = sandbox.clone();
        Ok((Self { sandbox, pre }, compiled))
    }

    /// Parses `code`: `Ok(Some(message))` for a syntax error.
    pub async fn check(&self, code: &str, limits: &RunLimits) -> Result<Run<Option<String>>> {
        let code = code.to_owned();
        self.call(b"", limits, move |guest, store| {
            Box::pin(async move { guest.call_check(store, &code).await })
        })
        .await
    }

    /// Runs `code` with `stdin`; returns its exit status.
    pub async fn run(&self, code: &str, stdin: &[u8], limits: &RunLimits) -> Result<Run<i32>> {
        let code = code.to_owned();
        self.call(stdin, limits, move |guest, store| {
            Box::pin(async move { guest.call_run(store, &code).await })
        })
        .await
    }

    /// Calls into a fresh instance under `limits`. `Err` means the host failed
    /// (not the program): the caller reports an internal error.
    async fn call<R>(
        &self,
        stdin: &[u8],
        limits: &RunLimits,
        call: impl for<'a> FnOnce(
            &'a bindings::Interpreter,
            &'a mut Store<Guest>,
        ) -> BoxFuture<'a, wasmtime::Result<R>>
        + Send,
    ) -> Result<Run<R>>
    where
        R: Send + 'static,
    {
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
                let guest = self.pre.instantiate_async(&mut store).await?;
                call(&guest, &mut store).await
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
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) if stdout_overflowed || stderr_overflowed => Err(Stopped::Output),
            Ok(Err(error)) => Err(stopped_by(error)?),
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

/// Classifies an error from a guest call: a trap or exit is the program's
/// doing; anything else is a host failure and stays an error.
fn stopped_by(error: wasmtime::Error) -> Result<Stopped> {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return Ok(match trap {
            Trap::OutOfFuel => Stopped::Fuel,
            Trap::StackOverflow => Stopped::StackOverflow,
            other => Stopped::Trap(other.to_string()),
        });
    }
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Ok(Stopped::Exit(exit.0));
    }
    Err(anyhow::Error::from(error).context("the sandbox failed to run the program"))
}
