//! Pre-initialisation with Wizer: run a component's `wizer-initialize` export
//! once and keep the memory it leaves behind, so every run starts from a
//! ready interpreter instead of building one.

use anyhow::{Context, Result};
use wasmtime::component::Linker;
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtx;
use wasmtime_wizer::Wizer;

use super::guest::WasiP2;

/// Returns `wasm` with its initialisation already done. The guest gets no
/// files, network, environment or input while it initialises.
pub fn snapshot_component(engine: &Engine, wasm: &[u8]) -> Result<Vec<u8>> {
    // Wizer is async; run it on a runtime of its own, on a thread of its own,
    // so this works from inside the server's runtime as well as outside one.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(initialise(engine, wasm))
            })
            .join()
            .expect("the snapshot thread panicked")
    })
}

async fn initialise(engine: &Engine, wasm: &[u8]) -> Result<Vec<u8>> {
    let guest = WasiP2::new(WasiCtx::builder().build());
    let mut store = Store::new(engine, guest);
    // The engine meters fuel; initialisation is ours and gets all it needs.
    store.set_fuel(i64::MAX as u64)?;
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    // Keep the init export: with it removed, wasmtime-wizer 48 leaves the
    // component referring to a core export that no longer exists. Only the
    // host could call it, and it never does.
    let (snapshot, _init_results) = Wizer::new()
        .keep_init_func(true)
        .run_component(&mut store, wasm, async |store, component| {
            linker.instantiate_async(store, component).await
        })
        .await
        .map_err(anyhow::Error::from)
        .context("pre-initialising the component with Wizer")?;
    Ok(snapshot)
}
