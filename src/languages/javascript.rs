//! JavaScript: QuickJS-NG compiled to a WebAssembly component with the
//! Node-style I/O students write (`runtimes/javascript`), snapshotted with
//! Wizer when it is first precompiled.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use super::LanguageInfo;
use super::interpreted::Interpreted;
use crate::sandbox::WasmSandbox;
use crate::sandbox::native::NativeSandbox;

pub(super) const INFO: LanguageInfo = LanguageInfo {
    name: "javascript",
    version: "QuickJS-NG 0.16.2 (wasm)",
    backend: "wasm",
    extensions: &["js", "mjs", "cjs"],
};

pub fn load(
    sandbox: &WasmSandbox,
    native: &Arc<NativeSandbox>,
    runtimes_dir: &Path,
    cache_dir: &Path,
) -> Result<Interpreted> {
    Interpreted::load(INFO, sandbox, native, runtimes_dir, cache_dir, true)
}
