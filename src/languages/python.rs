//! Python: CPython 3.14 compiled to a WebAssembly component by componentize-py,
//! which also snapshots it after start-up (see `runtimes/python/app.py`).

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use super::LanguageInfo;
use super::interpreted::Interpreted;
use crate::sandbox::WasmSandbox;
use crate::sandbox::native::NativeSandbox;

pub(super) const INFO: LanguageInfo = LanguageInfo {
    name: "python",
    version: "CPython 3.14 (wasm)",
    backend: "wasm",
    extensions: &["py"],
};

pub fn load(
    sandbox: &WasmSandbox,
    native: &Arc<NativeSandbox>,
    runtimes_dir: &Path,
    cache_dir: &Path,
) -> Result<Interpreted> {
    Interpreted::load(INFO, sandbox, native, runtimes_dir, cache_dir, false)
}
