//! Precompiled components on disk, so start-up deserialises native code in
//! milliseconds instead of compiling a 20 MB interpreter for seconds.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where the precompiled form of `wasm` lives: keyed by the component's
/// content and by the engine settings it was compiled for, so a rebuilt
/// runtime or a changed engine configuration never loads stale code.
pub fn precompiled_path(engine: &Engine, wasm: &[u8], cache_dir: &Path, name: &str) -> PathBuf {
    let content = hex::encode(&Sha256::digest(wasm)[..12]);
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    cache_dir.join(format!("{name}-{content}-{:016x}.cwasm", hasher.finish()))
}

/// Loads the component at `wasm_path`, compiling and caching it first if needed.
/// Returns the component and whether it had to be compiled.
pub fn load_component(
    engine: &Engine,
    wasm_path: &Path,
    cache_dir: &Path,
    name: &str,
) -> Result<(Component, bool)> {
    let wasm = std::fs::read(wasm_path).with_context(|| {
        format!(
            "reading the {name} runtime at {} (run `make setup` to build it)",
            wasm_path.display()
        )
    })?;
    let path = precompiled_path(engine, &wasm, cache_dir, name);
    let compiled = !path.exists();
    if compiled {
        std::fs::create_dir_all(cache_dir)
            .with_context(|| format!("creating {}", cache_dir.display()))?;
        let code = engine
            .precompile_component(&wasm)
            .map_err(|e| anyhow::anyhow!("compiling the {name} runtime: {e:?}"))?;
        // Write then rename, so a concurrent or interrupted start never sees half a file.
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, code).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
    }
    // SAFETY: the file was produced by `precompile_component` above or by an
    // earlier start of this program, in a directory only the operator controls;
    // its name carries the engine compatibility hash, so wasmtime's own checks
    // see a matching configuration.
    let component = unsafe { Component::deserialize_file(engine, &path) }
        .map_err(|e| anyhow::anyhow!("loading {}: {e:?}", path.display()))?;
    Ok((component, compiled))
}
