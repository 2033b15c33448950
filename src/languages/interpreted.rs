//! A language whose interpreter is a WebAssembly component implementing
//! `runtimes/wit/interpreter.wit`: nothing to compile, each run parses and
//! runs the source in a fresh instance.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;

use super::{Compiled, Language, LanguageInfo, Program};
use crate::sandbox::{Interpreter, Run, RunLimits, WasmSandbox};

pub struct Interpreted {
    info: LanguageInfo,
    interpreter: Arc<Interpreter>,
}

impl Interpreted {
    /// Loads `<runtimes_dir>/<name>.wasm`; `wizer` as for `Interpreter::load`.
    pub fn load(
        info: LanguageInfo,
        sandbox: &WasmSandbox,
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
        })
    }
}

#[async_trait]
impl Language for Interpreted {
    fn info(&self) -> &LanguageInfo {
        &self.info
    }

    /// Nothing to do ahead of time: each run parses the source in its own
    /// fresh instance, which costs far less than a separate checking instance.
    async fn compile(&self, code: &str) -> Result<Compiled> {
        Ok(Compiled::Ready(Arc::new(Source {
            interpreter: self.interpreter.clone(),
            code: code.into(),
        })))
    }
}

struct Source {
    interpreter: Arc<Interpreter>,
    code: String,
}

#[async_trait]
impl Program for Source {
    fn backend(&self) -> &'static str {
        "wasm"
    }

    async fn run(&self, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        self.interpreter.run(&self.code, stdin, limits).await
    }
}
