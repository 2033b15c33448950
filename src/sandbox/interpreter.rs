//! An interpreter compiled to a WebAssembly component (CPython today) that
//! implements `runtimes/wit/interpreter.wit`. Every run gets a fresh
//! instance, so nothing a program does can be seen by the next one.

use std::path::Path;

use anyhow::Result;
use wasmtime::component::Linker;
use wasmtime_wasi::WasiCtxBuilder;

use super::artifact::load_component;
use super::guest::{Guest, WasiP2, run_limited};
use super::{Run, RunLimits, Stopped, WasmSandbox};
use bindings::Outcome;

mod bindings {
    wasmtime::component::bindgen!({
        path: "runtimes/wit",
        world: "interpreter",
        exports: { default: async },
    });
}

pub struct Interpreter {
    sandbox: WasmSandbox,
    pre: bindings::InterpreterPre<Guest<WasiP2>>,
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
        let build = |wasi: &mut WasiCtxBuilder| WasiP2::new(wasi.build());
        run_limited(&self.sandbox, stdin, limits, build, async |store| {
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
        })
        .await
    }
}
