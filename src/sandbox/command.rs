//! A program compiled to a WASI (preview 1) command module, C and C++ today,
//! run from `_start` in a fresh instance for every test case.
//!
//! Address 0 is ordinary memory in WebAssembly, so reading through a null
//! pointer does not fault by itself: clang's null checks (`-fsanitize=null`
//! with the minimal runtime) call `NULL_POINTER_HANDLER` instead, which the
//! module imports from `env` and the host turns into a crash that says so.

use std::path::Path;

use anyhow::{Context, Result};
use wasmtime::{InstancePre, Linker, Module};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::WasiP1Ctx;

use super::artifact::{write_atomically, written_only_by_us};
use super::guest::{Given, Guest, GuestFault, arm, new_store, run_limited};
use super::native::RunDir;
use super::{Crash, Invocation, Run, RunLimits, Stdio, Stopped, WasmSandbox};

/// What a failed null check calls (`-fno-sanitize-recover`: it never returns).
pub const NULL_POINTER_HANDLER: &str = "__ubsan_handle_type_mismatch_minimal_abort";

pub struct WasiCommand {
    sandbox: WasmSandbox,
    pre: InstancePre<Guest<WasiP1Ctx>>,
    /// Size of the compiled native code, for cache accounting.
    native_bytes: usize,
}

impl WasiCommand {
    /// Compiles `wasm` to native code, stores it at `artifact` for later
    /// starts, and prepares it to run.
    pub fn compile(sandbox: &WasmSandbox, wasm: &[u8], artifact: &Path) -> Result<Self> {
        let code = sandbox
            .engine()
            .precompile_module(wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the program to native code")?;
        if let Err(error) = write_atomically(artifact, &code) {
            tracing::warn!(path = %artifact.display(), error = format!("{error:#}"), "cannot cache a compiled program");
        }
        // SAFETY: `code` was produced by `precompile_module` just now.
        let module = unsafe { Module::deserialize(sandbox.engine(), &code) }?;
        Self::new(sandbox, module, code.len())
    }

    /// Loads a program `compile` stored earlier, or `None` if there is none.
    pub fn load(sandbox: &WasmSandbox, artifact: &Path) -> Result<Option<Self>> {
        if !artifact.exists() {
            return Ok(None);
        }
        written_only_by_us(artifact)
            .with_context(|| format!("refusing to load {}", artifact.display()))?;
        // SAFETY: written by `compile` above, into a directory only this user
        // or root can write (checked above); wasmtime checks the engine settings.
        let module = unsafe { Module::deserialize_file(sandbox.engine(), artifact) }?;
        let native_bytes = std::fs::metadata(artifact)?.len() as usize;
        Ok(Some(Self::new(sandbox, module, native_bytes)?))
    }

    fn new(sandbox: &WasmSandbox, module: Module, native_bytes: usize) -> Result<Self> {
        let mut linker = Linker::new(sandbox.engine());
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |guest: &mut Guest<WasiP1Ctx>| {
            &mut guest.wasi
        })?;
        linker.func_wrap("env", NULL_POINTER_HANDLER, || -> wasmtime::Result<()> {
            Err(wasmtime::Error::new(GuestFault("null pointer dereference")))
        })?;
        Ok(Self {
            sandbox: sandbox.clone(),
            pre: linker.instantiate_pre(&module)?,
            native_bytes,
        })
    }

    pub fn native_bytes(&self) -> usize {
        self.native_bytes
    }

    /// Runs the program with `stdio` and what `invocation` gives it under
    /// `limits`; its files are in `dir`, which it sees as its working
    /// directory and must be given when the invocation needs one. `Err` is
    /// a host failure.
    pub async fn run(
        &self,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        dir: Option<&RunDir>,
        limits: &RunLimits,
    ) -> Result<Run> {
        let given = Given::prepare(invocation, dir)?;
        let _instance = self.sandbox.instance_permit(&stdio).await;
        let mut store = new_store(&self.sandbox, WasiCtxBuilder::new().build_p1())?;
        let streams = arm(&mut store, stdio, given, limits, WasiCtxBuilder::build_p1)?
            .expect("an empty store holds no memory");
        let run = run_limited(store, streams, given, limits, async |store| {
            let instance = match self.pre.instantiate_async(&mut *store).await {
                Ok(instance) => instance,
                // Its initial memory (the stack included) is already over the limit.
                Err(_) if store.data().memory.limit_hit() => {
                    let reason = "the program's initial memory is over the memory limit";
                    return Ok(Ok(Err(Stopped::Trap(Crash::new(reason)))));
                }
                Err(error) => {
                    return Err(anyhow::Error::from(error).context("instantiating the program"));
                }
            };
            let start = instance
                .get_typed_func::<(), ()>(&mut *store, "_start")
                .map_err(|e| anyhow::Error::from(e).context("the program has no _start"))?;
            // Returning from main with 0 returns; any other status is a WASI exit.
            Ok(start.call_async(&mut *store, ()).await.map(|()| Ok(0)))
        })
        .await?;
        Ok(given.collect(run))
    }
}
