//! An interpreter compiled to a WebAssembly component (CPython, QuickJS)
//! that implements `runtimes/wit/interpreter.wit`. Every run gets a fresh
//! instance, so nothing a program does can be seen by the next one.
//!
//! Instantiating CPython costs about as much as a short run (componentize-py
//! links thousands of imports), so the instance for the next run is made
//! ahead, in the background, while this one runs: a run takes it and arms it
//! with its own stdin and limits, and nothing of the making counts against
//! the program's time or instructions.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use tokio::sync::OwnedSemaphorePermit;
use wasmtime::Store;
use wasmtime::component::Linker;
use wasmtime_wasi::WasiCtxBuilder;

use super::artifact::load_component;
use super::guest::{Given, Guest, WasiP2, arm, new_store, run_limited};
use super::native::RunDir;
use super::{Crash, Invocation, Run, RunLimits, Stdio, Stopped, Usage, WasmSandbox};
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
    ahead: Arc<Mutex<Ahead>>,
}

/// The instance made ahead of the next run: at most one per interpreter.
enum Ahead {
    Empty,
    Making,
    /// Holds its room in the pool until a run takes it.
    Made(Instance, OwnedSemaphorePermit),
}

/// An instance in a store of its own, not yet armed for a run.
struct Instance {
    store: Store<Guest<WasiP2>>,
    guest: bindings::Interpreter,
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
        let interpreter = Self {
            sandbox: sandbox.clone(),
            pre,
            ahead: Arc::new(Mutex::new(Ahead::Empty)),
        };
        Ok((interpreter, compiled))
    }

    /// Runs `code` with `stdio` and what `invocation` gives it in a fresh
    /// instance under `limits`; its files are in `dir`, which it sees as its
    /// working directory and must be given when the invocation needs one.
    /// `Err` means the host failed (e.g. could not instantiate), not the
    /// program.
    pub async fn run(
        &self,
        code: &str,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        dir: Option<&RunDir>,
        limits: &RunLimits,
    ) -> Result<Run> {
        let given = Given::prepare(invocation, dir)?;
        let _instance = self.sandbox.instance_permit(&stdio).await;
        let Instance { mut store, guest } = match self.take_ahead() {
            Some(instance) => instance,
            None => instantiate(&self.sandbox, &self.pre).await?,
        };
        let build = |wasi: &mut WasiCtxBuilder| WasiP2::new(wasi.build());
        let Some(streams) = arm(&mut store, stdio, given, limits, build)? else {
            return Ok(over_memory_limit());
        };
        let run = run_limited(store, streams, given, limits, async |store| {
            Ok(guest
                .call_run(&mut *store, code, given.args())
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
        .await?;
        Ok(given.collect(run))
    }

    /// The instance made ahead, if it is ready; either way, starts making
    /// the next one unless one is being made or the pool has no room.
    fn take_ahead(&self) -> Option<Instance> {
        let mut ahead = self.ahead.lock().unwrap();
        let taken = match std::mem::replace(&mut *ahead, Ahead::Empty) {
            Ahead::Made(instance, _room) => Some(instance),
            Ahead::Making => {
                *ahead = Ahead::Making;
                return None;
            }
            Ahead::Empty => None,
        };
        self.start_making(&mut ahead);
        taken
    }

    /// Starts making an instance for the first run, so that it does not
    /// wait for one (called at start-up).
    pub fn make_ahead(&self) {
        let mut ahead = self.ahead.lock().unwrap();
        if matches!(*ahead, Ahead::Empty) {
            self.start_making(&mut ahead);
        }
    }

    /// Makes an instance in the background into `ahead`, which is empty, if
    /// the pool has room for it.
    fn start_making(&self, ahead: &mut Ahead) {
        let Some(room) = self.sandbox.ahead_permit() else {
            return;
        };
        *ahead = Ahead::Making;
        let (sandbox, pre, slot) = (self.sandbox.clone(), self.pre.clone(), self.ahead.clone());
        tokio::spawn(async move {
            let made = instantiate(&sandbox, &pre).await;
            *slot.lock().unwrap() = match made {
                Ok(instance) => Ahead::Made(instance, room),
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "cannot make an instance ahead"
                    );
                    Ahead::Empty
                }
            };
        });
    }
}

async fn instantiate(
    sandbox: &WasmSandbox,
    pre: &bindings::InterpreterPre<Guest<WasiP2>>,
) -> Result<Instance> {
    let mut store = new_store(sandbox, WasiP2::new(WasiCtxBuilder::new().build()))?;
    let guest = pre
        .instantiate_async(&mut store)
        .await
        .map_err(|e| anyhow::Error::from(e).context("instantiating the runtime"))?;
    Ok(Instance { store, guest })
}

/// A run that never started: the interpreter alone is over the memory limit.
fn over_memory_limit() -> Run {
    Run {
        ended: Err(Stopped::Trap(Crash::new(
            "the interpreter's initial memory is over the memory limit",
        ))),
        stdout: Vec::new(),
        stderr: Vec::new(),
        usage: Usage {
            memory_limit_hit: true,
            ..Usage::default()
        },
        written: Vec::new(),
    }
}
