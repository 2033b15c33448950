//! `judgebox bench`: per-test sandbox latency, end-to-end `/execute` latency
//! over HTTP, throughput, and the same programs run by native `python3`.
//! Prints figures; asserts nothing (these machines are shared and noisy).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use crate::configuration::{RuntimeSettings, ServerSettings};
use crate::languages::{Compiled, Program};
use crate::startup::{Application, Runtime};

const HELLO: &str = "print('hello, world')";
const CPU_BOUND: &str = "print(sum(i*i for i in range(10**6)))";

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Timed runs per latency figure.
    #[arg(long, default_value_t = 300)]
    pub iterations: usize,
    /// Seconds per throughput figure.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// The native Python to compare against.
    #[arg(long, default_value = "python3")]
    pub python: PathBuf,
    #[command(flatten)]
    pub runtime: RuntimeSettings,
}

pub async fn bench(args: BenchArgs) -> Result<()> {
    let runtime = Runtime::load(&args.runtime)?;
    let workers = args.runtime.workers();
    println!(
        "judgebox bench: {} iterations, {workers} workers, keep-resident {} MiB",
        args.iterations, args.runtime.keep_resident_mb
    );

    let hello = compile(&runtime, HELLO).await?;
    let sandbox = time_runs(args.iterations, || run_once(&hello, &runtime)).await?;
    report("sandbox run, hello world (per test)", &sandbox);

    let native = time_runs(args.iterations.min(100), || {
        native_python(&args.python, HELLO)
    })
    .await?;
    report("native python3 -c, hello world", &native);

    let http = HttpBench::start(&args.runtime).await?;
    let end_to_end = time_runs(args.iterations, || http.execute(HELLO)).await?;
    report("POST /execute over HTTP, 1 test", &end_to_end);

    let sandbox_rate = throughput(workers as usize, args.seconds, || {
        run_once(&hello, &runtime)
    })
    .await?;
    println!(
        "{:<44} {sandbox_rate:>9.0} runs/s",
        format!("sandbox throughput ({workers} parallel)")
    );
    let http_rate = throughput(workers as usize, args.seconds, || http.execute(HELLO)).await?;
    println!(
        "{:<44} {http_rate:>9.0} requests/s",
        format!("POST /execute throughput ({workers} clients)")
    );

    let cpu = compile(&runtime, CPU_BOUND).await?;
    let wasm_cpu = time_runs(5, || run_once(&cpu, &runtime)).await?;
    let native_cpu = time_runs(5, || native_python(&args.python, CPU_BOUND)).await?;
    report("sandbox, sum(i*i for i in range(10**6))", &wasm_cpu);
    report("native python3, same program", &native_cpu);

    println!();
    println!(
        "/execute p50 vs native python3 p50: {:.1}x faster",
        percentile(&native, 50.0) / percentile(&end_to_end, 50.0)
    );
    println!(
        "sandbox p50 vs native python3 p50:  {:.1}x faster",
        percentile(&native, 50.0) / percentile(&sandbox, 50.0)
    );
    println!(
        "CPU-bound slowdown (median):        {:.1}x slower than native",
        percentile(&wasm_cpu, 50.0) / percentile(&native_cpu, 50.0)
    );
    Ok(())
}

async fn compile(runtime: &Runtime, code: &str) -> Result<Arc<dyn Program>> {
    let python = runtime
        .languages
        .get("python")
        .context("python is not loaded")?;
    let limits = runtime.limits.default.run_limits();
    match python.compile(code, &limits).await? {
        Compiled::Ready(program) => Ok(program),
        Compiled::Failed { output } => bail!("the benchmark program did not compile: {output}"),
    }
}

async fn run_once(program: &Arc<dyn Program>, runtime: &Runtime) -> Result<()> {
    let run = program
        .run(b"", &runtime.limits.default.run_limits())
        .await?;
    if run.exit_code() != Some(0) {
        bail!(
            "the benchmark program failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    Ok(())
}

async fn native_python(python: &PathBuf, code: &str) -> Result<()> {
    let output = tokio::process::Command::new(python)
        .args(["-c", code])
        .output()
        .await
        .with_context(|| format!("running {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// One warm-up, then `n` timed runs, in milliseconds.
async fn time_runs<F, Fut>(n: usize, mut f: F) -> Result<Vec<f64>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    f().await?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// Completed calls per second with `parallel` callers for `seconds`.
async fn throughput<F, Fut>(parallel: usize, seconds: u64, f: F) -> Result<f64>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let callers = (0..parallel).map(|_| async {
        let mut done = 0u64;
        while Instant::now() < deadline {
            f().await?;
            done += 1;
        }
        anyhow::Ok(done)
    });
    let done: u64 = futures::future::try_join_all(callers)
        .await?
        .into_iter()
        .sum();
    Ok(done as f64 / started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn report(label: &str, sorted: &[f64]) {
    println!(
        "{label:<44} p50 {:>8.3} ms   p99 {:>8.3} ms   min {:>8.3} ms   (n={})",
        percentile(sorted, 50.0),
        percentile(sorted, 99.0),
        sorted[0],
        sorted.len()
    );
}

/// The real server on a loopback port with a throw-away SQLite database.
struct HttpBench {
    client: reqwest::Client,
    url: String,
    database_dir: PathBuf,
}

impl HttpBench {
    async fn start(runtime: &RuntimeSettings) -> Result<Self> {
        let database_dir =
            std::env::temp_dir().join(format!("judgebox-bench-{}", std::process::id()));
        std::fs::create_dir_all(&database_dir)?;
        let settings = ServerSettings {
            bind: "127.0.0.1:0".parse()?,
            database_url: format!("sqlite://{}", database_dir.join("bench.db").display()),
            max_body_bytes: 16 << 20,
            runtime: runtime.clone(),
        };
        let app = Application::build(&settings).await?;
        let url = format!("http://{}/execute", app.local_addr()?);
        tokio::spawn(app.run_until_stopped());
        Ok(Self {
            client: reqwest::Client::new(),
            url,
            database_dir,
        })
    }

    async fn execute(&self, code: &str) -> Result<()> {
        let body = json!({
            "language": "python", "code": code, "user_id": "bench", "question_id": "hello",
            "test_cases": [{"input": "", "expected_output": "hello, world"}],
        });
        let response = self.client.post(&self.url).json(&body).send().await?;
        if !response.status().is_success() {
            bail!("POST /execute answered {}", response.status());
        }
        let body: serde_json::Value = response.json().await?;
        if body["summary"]["all_passed"] != true {
            bail!("the benchmark submission was not accepted: {body}");
        }
        Ok(())
    }
}

impl Drop for HttpBench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.database_dir);
    }
}
