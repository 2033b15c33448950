//! Python: CPython 3.14 compiled to a WebAssembly component by componentize-py
//! and snapshotted after start-up (see `runtimes/python/app.py`).

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;

use super::{Language, LanguageInfo, Program};
use crate::sandbox::{Interpreter, Run, RunLimits, WasmSandbox};

const INFO: LanguageInfo = LanguageInfo {
    name: "python",
    version: "CPython 3.14 (wasm)",
    backend: "wasm",
    extensions: &["py"],
};

pub struct Python {
    interpreter: Arc<Interpreter>,
}

impl Python {
    pub fn load(sandbox: &WasmSandbox, runtimes_dir: &Path, cache_dir: &Path) -> Result<Self> {
        let wasm = runtimes_dir.join("python.wasm");
        let (interpreter, compiled) = Interpreter::load(sandbox, INFO.name, &wasm, cache_dir)?;
        if compiled {
            tracing::info!(path = %wasm.display(), "precompiled the python runtime");
        }
        Ok(Self {
            interpreter: Arc::new(interpreter),
        })
    }
}

#[async_trait]
impl Language for Python {
    fn info(&self) -> &LanguageInfo {
        &INFO
    }

    /// Nothing to do ahead of time: each run parses the source in its own
    /// fresh instance, which costs far less than a separate checking instance.
    async fn compile(&self, code: &str) -> Result<Arc<dyn Program>> {
        Ok(Arc::new(PythonProgram {
            interpreter: self.interpreter.clone(),
            code: code.into(),
        }))
    }
}

struct PythonProgram {
    interpreter: Arc<Interpreter>,
    code: String,
}

#[async_trait]
impl Program for PythonProgram {
    async fn run(&self, stdin: &[u8], limits: &RunLimits) -> Result<Run> {
        self.interpreter.run(&self.code, stdin, limits).await
    }
}
