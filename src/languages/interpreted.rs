//! A language whose interpreter is a WebAssembly component implementing
//! `runtimes/wit/interpreter.wit`: nothing to compile, each run parses and
//! runs the source in a fresh instance.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;

use super::{Compiled, Language, LanguageInfo, Program, Source};
use crate::sandbox::native::NativeSandbox;
use crate::sandbox::{Interpreter, Invocation, Run, RunLimits, Stdio, WasmSandbox};

pub struct Interpreted {
    info: LanguageInfo,
    interpreter: Arc<Interpreter>,
    /// Makes the directory of a run given files (a checker's).
    native: Arc<NativeSandbox>,
}

impl Interpreted {
    /// Loads `<runtimes_dir>/<name>.wasm`; `wizer` as for `Interpreter::load`.
    pub fn load(
        info: LanguageInfo,
        sandbox: &WasmSandbox,
        native: &Arc<NativeSandbox>,
        runtimes_dir: &Path,
        cache_dir: &Path,
        wizer: bool,
    ) -> Result<Self> {
        let wasm = runtimes_dir.join(format!("{}.wasm", info.name));
        let (interpreter, compiled) =
            Interpreter::load(sandbox, info.name, &wasm, cache_dir, wizer)?;
        if compiled {
            tracing::info!(path = %wasm.display(), "precompiled the {} runtime", info.name);
        }
        Ok(Self {
            info,
            interpreter: Arc::new(interpreter),
            native: native.clone(),
        })
    }
}

#[async_trait]
impl Language for Interpreted {
    fn info(&self) -> &LanguageInfo {
        &self.info
    }

    /// The first run's instance, made now.
    async fn prepare(&self) -> Result<()> {
        self.interpreter.make_ahead();
        Ok(())
    }

    /// Nothing to do ahead of time: each run parses the source in its own
    /// fresh instance, which costs far less than a separate checking instance.
    /// The files beside the source are the run's to find in its working
    /// directory (`Invocation::files`), where a module is imported from.
    async fn compile_source(&self, source: Source<'_>) -> Result<Compiled> {
        Ok(Compiled::Ready(Arc::new(Script {
            interpreter: self.interpreter.clone(),
            native: self.native.clone(),
            code: source.code.into(),
        })))
    }
}

struct Script {
    interpreter: Arc<Interpreter>,
    native: Arc<NativeSandbox>,
    code: String,
}

#[async_trait]
impl Program for Script {
    fn backend(&self) -> &'static str {
        "wasm"
    }

    async fn run(
        &self,
        stdio: Stdio<'_>,
        invocation: &Invocation,
        limits: &RunLimits,
    ) -> Result<Run> {
        let dir = self.native.run_dir_for(invocation)?;
        (self.interpreter)
            .run(&self.code, stdio, invocation, dir.as_ref(), limits)
            .await
    }
}
