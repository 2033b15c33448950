//! An interpreter compiled to a WebAssembly component (CPython today) that
//! implements `runtimes/wit/interpreter.wit`. Every run gets a fresh
//! instance, so nothing a program does can be seen by the next one.

use std::path::Path;

use anyhow::Result;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::artifact::load_component;
use super::guest::{self, Limited, run_limited};
use super::memory::MemoryLimiter;
use super::{Run, RunLimits, Stopped, WasmSandbox};
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

impl Limited for Guest {
    fn memory(&mut self) -> &mut MemoryLimiter {
        &mut self.memory
    }

    fn memory_ref(&self) -> &MemoryLimiter {
        &self.memory
    }
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
        let (mut wasi, streams) = guest::wasi(stdin, limits);
        let state = Guest {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            memory: MemoryLimiter::new(limits.memory_bytes),
        };
        run_limited(
            self.sandbox.engine(),
            state,
            streams,
            limits,
            async |store| {
                // Failing to instantiate is ours; anything the call does is the program's.
                let guest = self
                    .pre
                    .instantiate_async(&mut *store)
                    .await
                    .map_err(|e| anyhow::Error::from(e).context("instantiating the runtime"))?;
                Ok(guest
                    .call_run(&mut *store, code)
                    .await
                    .map(|outcome| match outcome {
                        Outcome::Exited(status) => Ok(status),
                        Outcome::SyntaxError(mut message) => {
                            // The message quotes the offending line, which can be huge.
                            message.truncate(message.floor_char_boundary(limits.stderr_bytes));
                            Err(Stopped::SyntaxError(message))
                        }
                    }))
            },
        )
        .await
    }
}
