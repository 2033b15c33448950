//! What every guest run shares, whatever its kind (interpreter component or
//! compiled command module): WASI with capped streams and nothing else, a
//! store with the memory limiter and fuel, the CPU-time limit and the
//! wall-clock backstop, and telling the program's failures from the host's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use wasmtime::component::ResourceTable;
use wasmtime::{Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::cpu_time::CpuLimited;
use super::memory::MemoryLimiter;
use super::native::RunDir;
use super::output::CappedPipe;
use super::{Crash, Invocation, RUN_DIR_LIMIT, Run, RunLimits, Stdio, Stopped, Usage, WasmSandbox};

/// Host state of one run: its WASI context (`W`, by WASI version) and the
/// memory limiter.
pub(super) struct Guest<W> {
    pub wasi: W,
    pub memory: MemoryLimiter,
}

/// WASI 0.2 state: the context and the table of its resources.
pub(super) struct WasiP2 {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiP2 {
    pub fn new(ctx: WasiCtx) -> Self {
        Self {
            ctx,
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for WasiP2 {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiView for Guest<WasiP2> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.wasi.ctx()
    }
}

/// The program's standard streams, as the host provides and caps them.
pub(super) struct Streams {
    stdout: CappedPipe,
    stderr: CappedPipe,
}

/// A fault the host found for the guest (through a check the compiler
/// inserted, say): the run ends as a crash with this description.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct GuestFault(pub &'static str);

/// Instructions between yields to the async runtime: about 10 ms of guest
/// code. Each yield is where the CPU-time limit and the wall-clock backstop
/// can stop a busy loop, and where other runs get the thread.
const FUEL_SLICE: u64 = 5_000_000;

/// Fuel for a run without an instruction limit: metered, never exhausted.
const UNMETERED: u64 = i64::MAX as u64;

/// What a guest is given besides its streams: its arguments, and the run
/// directory it sees as its working directory (`.`), if it has one.
#[derive(Clone, Copy)]
pub(super) struct Given<'a> {
    invocation: &'a Invocation,
    dir: Option<&'a RunDir>,
}

impl<'a> Given<'a> {
    /// What `invocation` gives a guest, its files written into `dir`,
    /// which it must have when the invocation needs one.
    pub fn prepare(invocation: &'a Invocation, dir: Option<&'a RunDir>) -> Result<Self> {
        anyhow::ensure!(
            dir.is_some() || !invocation.needs_dir(),
            "a program given files needs a run directory"
        );
        if let Some(dir) = dir {
            dir.prepare(invocation)?;
        }
        Ok(Self { invocation, dir })
    }

    pub fn args(&self) -> &'a [String] {
        &self.invocation.args
    }

    /// `run` with what the guest left in its output directories.
    pub fn collect(&self, run: Run) -> Run {
        let written = (self.dir).map_or_else(Vec::new, |dir| dir.written(self.invocation));
        Run { written, ..run }
    }
}

/// WASI with `stdio`, capped stdout/stderr, and no network or
/// environment; no files or arguments but those `given`. The caller builds
/// it for its WASI version.
fn wasi(stdio: Stdio, limits: &RunLimits, given: Given) -> Result<(WasiCtxBuilder, Streams)> {
    let mut builder = WasiCtxBuilder::new();
    let forward = match stdio {
        Stdio::Input(input) => {
            builder.stdin(MemoryInputPipe::new(input.to_vec()));
            None
        }
        Stdio::Linked(end) => {
            // A read waits for the other side to write, without using CPU.
            builder.stdin(end.incoming);
            Some(end.outgoing)
        }
    };
    let streams = Streams {
        stdout: CappedPipe::forwarding(limits.stdout_bytes, forward),
        stderr: CappedPipe::new(limits.stderr_bytes),
    };
    builder
        .stdout(streams.stdout.clone())
        .stderr(streams.stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if !given.args().is_empty() {
        builder.args(&[PROGRAM_NAME]).args(given.args());
    }
    if let Some(dir) = given.dir {
        builder.preopened_dir(dir.path(), ".", FsPerms::ReadWrite)?;
    }
    Ok((builder, streams))
}

/// `argv[0]` of a guest given arguments.
const PROGRAM_NAME: &str = "program";

/// A store for one run, for `wasi`, with no limits of its own yet: memory
/// up to the sandbox's largest limit and unmetered fuel, so an instance can
/// be made in it before the run's limits are known (see `arm`).
pub(super) fn new_store<W: Send + 'static>(
    sandbox: &WasmSandbox,
    wasi: W,
) -> Result<Store<Guest<W>>> {
    let guest = Guest {
        wasi,
        memory: MemoryLimiter::new(sandbox.max_memory_bytes()),
    };
    let mut store = Store::new(sandbox.engine(), guest);
    store.limiter(|guest| &mut guest.memory);
    store.set_fuel(UNMETERED)?;
    // Fuel is the one interruption mechanism (epochs would cost 10-30% more
    // on CPU-bound code): the guest yields every slice, which also makes
    // compiled code write its fuel count back, so a run stopped by a limit
    // still reports what it ran.
    store.fuel_async_yield_interval(Some(FUEL_SLICE))?;
    Ok(store)
}

/// Gives `store` this run's WASI (made by `build` for the guest's WASI
/// version, with `stdio` and capped output), memory limit and fuel,
/// replacing whatever it had. `None` when the memory its instance already
/// holds is over the limit.
pub(super) fn arm<W>(
    store: &mut Store<Guest<W>>,
    stdio: Stdio,
    given: Given,
    limits: &RunLimits,
    build: impl FnOnce(&mut WasiCtxBuilder) -> W,
) -> Result<Option<Streams>> {
    let (mut builder, streams) = wasi(stdio, limits, given)?;
    let guest = store.data_mut();
    guest.wasi = build(&mut builder);
    if !guest.memory.set_limit(limits.memory_bytes) {
        return Ok(None);
    }
    store.set_fuel(limits.fuel.unwrap_or(UNMETERED))?;
    Ok(Some(streams))
}

/// Runs `call` in `store`, armed with `streams` for `limits`, under the CPU-time
/// limit, the wall-clock backstop and, if it was given a run directory,
/// `RUN_DIR_LIMIT`. `call` returns `Err` for a host failure (e.g.
/// instantiation), `Ok(Err)` for an error the guest caused, and `Ok(Ok)`
/// for how the program ended. The caller holds an instance permit.
pub(super) async fn run_limited<W: Send + 'static>(
    mut store: Store<Guest<W>>,
    streams: Streams,
    given: Given<'_>,
    limits: &RunLimits,
    call: impl AsyncFnOnce(&mut Store<Guest<W>>) -> Result<wasmtime::Result<Result<i32, Stopped>>>,
) -> Result<Run> {
    let fuel = store.get_fuel()?;
    let cpu_nanos = AtomicU64::new(0);
    let started = Instant::now();
    // Dropping the future on a limit unwinds the guest's fiber; the store
    // and its pooled instance are released when `store` drops.
    let work = CpuLimited::new(call(&mut store), &cpu_nanos, limits.cpu_time);
    let outgrown = async {
        match given.dir {
            Some(dir) => dir.outgrown(RUN_DIR_LIMIT).await,
            None => std::future::pending().await,
        }
    };
    let bounded = async {
        tokio::select! {
            returned = work => Some(returned),
            () = outgrown => None,
        }
    };
    let returned = tokio::time::timeout(limits.wall_time, bounded).await;
    let wall_time = started.elapsed();

    let (stdout, stdout_overflowed) = streams.stdout.take();
    let (stderr, stderr_overflowed) = streams.stderr.take();
    let ended = match returned {
        Err(_elapsed) => Err(Stopped::WallTime),
        Ok(None) => Err(Stopped::Disk {
            max_bytes: RUN_DIR_LIMIT.bytes,
            max_entries: RUN_DIR_LIMIT.entries,
        }),
        Ok(Some(None)) => Err(Stopped::CpuTime),
        Ok(Some(Some(called))) => match called? {
            Ok(ended) => ended,
            Err(_) if stdout_overflowed || stderr_overflowed => Err(Stopped::Output),
            Err(error) => Err(stopped_by(error)),
        },
    };
    let memory = &store.data().memory;
    let usage = Usage {
        wall_time,
        cpu_time: Duration::from_nanos(cpu_nanos.load(Ordering::Relaxed)),
        peak_memory_bytes: memory.peak_bytes(),
        memory_limit_hit: memory.limit_hit(),
        fuel_consumed: fuel - store.get_fuel()?,
    };
    Ok(Run {
        ended,
        stdout,
        stderr,
        usage,
        // What it left in its directory is for the caller, who knows where.
        written: Vec::new(),
    })
}

/// Why a guest call failed. Traps, exits and faults are ordinary; any other error
/// (a WASI call the host refused outright, a malformed return value) can only
/// come from a misbehaving guest, so it counts as a crash too.
fn stopped_by(error: wasmtime::Error) -> Stopped {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => Stopped::Fuel,
            Trap::StackOverflow => Stopped::StackOverflow,
            other => Stopped::Trap(Crash {
                reason: other.to_string(),
                signal: native_signal(*other),
            }),
        };
    }
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Stopped::Exit(exit.0);
    }
    if let Some(fault) = error.downcast_ref::<GuestFault>() {
        return Stopped::Trap(Crash::with_signal(fault.0, libc::SIGSEGV));
    }
    tracing::warn!(
        error = format!("{error:#}"),
        "a guest call failed without a trap"
    );
    Stopped::Trap(Crash::new(error.to_string()))
}

/// The signal a native build of the program would have died of where
/// WebAssembly traps: wasi-libc's `abort()` and a failed `assert` execute
/// `unreachable`.
fn native_signal(trap: Trap) -> Option<i32> {
    match trap {
        Trap::MemoryOutOfBounds | Trap::HeapMisaligned | Trap::TableOutOfBounds => {
            Some(libc::SIGSEGV)
        }
        Trap::IndirectCallToNull | Trap::BadSignature => Some(libc::SIGSEGV),
        Trap::IntegerDivisionByZero | Trap::IntegerOverflow | Trap::BadConversionToInteger => {
            Some(libc::SIGFPE)
        }
        Trap::UnreachableCodeReached => Some(libc::SIGABRT),
        _ => None,
    }
}
