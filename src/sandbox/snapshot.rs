//! Pre-initialisation with Wizer: run a component's `wizer-initialize` export
//! once and keep the memory it leaves behind, so every run starts from a
//! ready interpreter instead of building one.
//!
//! Wizer's own runner (its `wasmtime` feature) turns on Wasmtime features
//! judgebox never uses (its code cache with zstd, GC, threads, WAVE): this
//! module runs the instrumented component itself and lets Wizer read the
//! state through `ComponentInstanceState`.

use anyhow::{Context, Result};
use wasmtime::component::{Component, Instance, Lift, Linker, WasmList};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtx;
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use super::guest::WasiP2;

/// The export Wizer calls to initialise, by its default name.
const INIT_FUNC: &str = "wizer-initialize";

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
    let mut wizer = Wizer::new();
    // Keep the init export: with it removed, wasmtime-wizer 48 leaves the
    // component referring to a core export that no longer exists. Only the
    // host could call it, and it never does.
    wizer.keep_init_func(true);
    let (context, instrumented) = (wizer.instrument_component(wasm))
        .map_err(anyhow::Error::from)
        .context("instrumenting the component for Wizer")?;
    let component = Component::new(engine, &instrumented)
        .map_err(anyhow::Error::from)
        .context("compiling the instrumented component")?;

    let guest = WasiP2::new(WasiCtx::builder().build());
    let mut store = Store::new(engine, guest);
    // The engine meters fuel; initialisation is ours and gets all it needs.
    store.set_fuel(i64::MAX as u64)?;
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    let instance = linker.instantiate_async(&mut store, &component).await?;
    let init = (instance.get_typed_func::<(), ()>(&mut store, INIT_FUNC))
        .map_err(anyhow::Error::from)
        .with_context(|| format!("the component has no {INIT_FUNC} export"))?;
    (init.call_async(&mut store, ()).await)
        .map_err(anyhow::Error::from)
        .context("the component's initialisation trapped")?;

    let mut state = Initialised {
        store: &mut store,
        instance,
    };
    (wizer.snapshot_component(&context, &mut state).await)
        .map_err(anyhow::Error::from)
        .context("snapshotting the initialised component")
}

/// An initialised instance, as Wizer reads it: through the accessor
/// functions its instrumentation exported. They exist by construction, so
/// a failure to find or call one is a bug in Wizer, reported as a panic
/// (the trait has no way to return an error).
struct Initialised<'a> {
    store: &'a mut Store<WasiP2>,
    instance: Instance,
}

impl Initialised<'_> {
    async fn call<R: Lift + Send + Sync + 'static, T>(
        &mut self,
        instance: &str,
        func: &str,
        read: impl FnOnce(&Store<WasiP2>, R) -> T,
    ) -> T {
        let store = &mut *self.store;
        let (_, exported) = (self.instance.get_export(&mut *store, None, instance))
            .unwrap_or_else(|| panic!("Wizer's accessor instance {instance} is missing"));
        let (_, index) = (self.instance.get_export(&mut *store, Some(&exported), func))
            .unwrap_or_else(|| panic!("Wizer's accessor {instance}#{func} is missing"));
        let accessor = (self.instance.get_typed_func::<(), (R,)>(&mut *store, index))
            .unwrap_or_else(|error| panic!("Wizer's accessor {func}: {error}"));
        let (value,) = (accessor.call_async(&mut *store, ()).await)
            .unwrap_or_else(|error| panic!("Wizer's accessor {func} trapped: {error}"));
        read(store, value)
    }
}

impl ComponentInstanceState for Initialised<'_> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        (self.call(instance, func, |store, list: WasmList<u8>| {
            contents(list.as_le_slice(store))
        }))
        .await
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, value| value).await
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, value| value).await
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, value: f32| value.to_bits())
            .await
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, value: f64| value.to_bits())
            .await
    }
}
