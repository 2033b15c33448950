use std::process::ExitCode;

use clap::{Parser, Subcommand};

use judgebox::cli::{bench, calibrate, import, run};
use judgebox::configuration::{RuntimeSettings, ServerSettings, WorkerSettings};
use judgebox::sandbox::native::NativeSandbox;
use judgebox::startup::{Application, LoadedLanguages, Worker};
use judgebox::telemetry::{self, LogFormat};

/// Runs untrusted student code in WebAssembly sandboxes and judges it.
#[derive(Parser)]
#[command(name = "judgebox", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines are written to stderr: `json` for log collectors.
    #[arg(
        long,
        global = true,
        env = "JUDGEBOX_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API and the pages, and work the queue.
    Serve(ServerSettings),
    /// Work the queue only: judge queued submissions and deliver callbacks, without HTTP.
    Worker(WorkerSettings),
    /// Judge a source file locally, without a server, and print the verdicts.
    Run(run::RunArgs),
    /// Precompile the runtimes into the cache, so the server starts in milliseconds.
    Precompile(RuntimeSettings),
    /// Measure sandbox and HTTP latency and throughput, against native interpreters.
    Bench(bench::BenchArgs),
    /// Import questions from folders or JSON documents into the database.
    Import(import::ImportArgs),
    /// Set a stored question's time limits from its reference solutions.
    Calibrate(calibrate::CalibrateArgs),
    /// Check each isolation layer of the native sandbox on this machine.
    Doctor(RuntimeSettings),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs its work; the local commands print results, so only problems.
    let default_level = match cli.command {
        Command::Serve(_) | Command::Worker(_) => "info",
        _ => "warn",
    };
    telemetry::init_logging(cli.log_format, default_level);
    let result = match cli.command {
        Command::Serve(settings) => serve(settings).await,
        Command::Worker(settings) => work(settings).await,
        Command::Run(args) => run::run(args).await,
        Command::Precompile(settings) => LoadedLanguages::load(&settings)
            .await
            .map(|_| ExitCode::SUCCESS),
        Command::Bench(args) => bench::bench(args).await.map(|()| ExitCode::SUCCESS),
        Command::Import(args) => import::import(args).await,
        Command::Calibrate(args) => calibrate::calibrate(args).await,
        Command::Doctor(settings) => doctor(settings).await,
    };
    result.unwrap_or_else(|error| {
        eprintln!("judgebox: {error:#}");
        ExitCode::from(2)
    })
}

async fn serve(settings: ServerSettings) -> anyhow::Result<ExitCode> {
    let app = Application::build(&settings).await?;
    // A plain line on stdout, for people and for tests waiting on the port.
    println!("judgebox listening on http://{}", app.local_addr()?);
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

async fn work(settings: WorkerSettings) -> anyhow::Result<ExitCode> {
    let worker = Worker::build(&settings).await?;
    tracing::info!("working the queue (no HTTP)");
    worker.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

/// One line per layer; fails if a layer that must always be on is not.
async fn doctor(settings: RuntimeSettings) -> anyhow::Result<ExitCode> {
    let sandbox = NativeSandbox::new(&settings.native())?;
    let layers = sandbox.layers().await;
    println!("WebAssembly sandbox: always on (no files, network, environment or processes)");
    for layer in &layers {
        let state = if layer.active {
            "active"
        } else {
            "UNAVAILABLE"
        };
        println!("native: {}: {state} ({})", layer.name, layer.detail);
    }
    let seccomp_active = layers
        .iter()
        .any(|l| l.active && l.name.starts_with("seccomp"));
    Ok(if seccomp_active {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
