//! `judgebox bench`: per-test sandbox latency, end-to-end `/execute` latency
//! over HTTP, throughput, and the same programs run by native `python3`.
//! Prints figures; asserts nothing (these machines are shared and noisy).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::configuration::{JudgingSettings, RuntimeSettings, ServerSettings, WorkerSettings};
use crate::judge::{CheckerProtocol, CheckerSpec, Interactor, Status, TestCase};
use crate::languages::{Compiled, Program};
use crate::sandbox::{Invocation, RunLimits, Stdio};
use crate::startup::{Application, LoadedLanguages};

mod contest;

/// One language's benchmark programs and the native interpreter to beat.
struct Subject {
    language: &'static str,
    hello: &'static str,
    /// CPU-bound programs, each compared with the native interpreter.
    cpu_bound: &'static [&'static str],
    /// The native interpreter's flag for running a program given inline.
    inline_flag: &'static str,
}

const SUBJECTS: [Subject; 2] = [
    Subject {
        language: "python",
        hello: "print('hello, world')",
        cpu_bound: &[
            "print(sum(i*i for i in range(10**6)))",
            "a, b = 0, 1\nfor _ in range(10**6): a, b = b, (a + b) % 1000000007\nprint(a)",
            "d = {}\nfor i in range(300000): d[str(i)] = i\nprint(len(d), d['12345'])",
        ],
        inline_flag: "-c",
    },
    Subject {
        language: "javascript",
        hello: "console.log('hello, world')",
        cpu_bound: &[
            "let s = 0; for (let i = 0; i < 3e6; i++) s += (i * i) % 7; console.log(s)",
            "const a = []; for (let i = 0; i < 200000; i++) a.push((i * 7919) % 200003);\n\
             a.sort((x, y) => x - y); console.log(a.slice(0, 3).join(' '), a.length)",
        ],
        inline_flag: "-e",
    },
];

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Timed runs per latency figure.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: u64,
    /// Seconds per throughput figure.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: u64,
    /// The native Python to compare against (Debian's, not a pyenv shim).
    #[arg(long, default_value = "/usr/bin/python3")]
    pub python: PathBuf,
    /// The native Node.js to compare against.
    #[arg(long, default_value = "node")]
    pub node: PathBuf,
    /// Instead of the other figures, replay a contest like the seed's (200
    /// students, every source new): paced at this many submissions a
    /// minute, then all at once.
    #[arg(long, value_name = "PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..))]
    pub contest: Option<u32>,
    #[command(flatten)]
    pub runtime: RuntimeSettings,
}

/// One benchmarked operation; cloneable so parallel callers can each run it.
type Call = Arc<dyn Fn() -> BoxFuture<'static, Result<()>> + Send + Sync>;

pub async fn bench(args: BenchArgs) -> Result<()> {
    let loaded = LoadedLanguages::load(&args.runtime).await?;
    let concurrent_runs = args.runtime.concurrent_runs() as usize;
    println!(
        "judgebox bench: {} iterations, {concurrent_runs} concurrent runs, keep-resident {} MiB",
        args.iterations, args.runtime.keep_resident_mb,
    );
    let http = Arc::new(HttpBench::start(&args.runtime).await?);
    if let Some(per_minute) = args.contest {
        contest::replay(&http, per_minute).await?;
        return http.print_metrics().await;
    }
    for subject in &SUBJECTS {
        let native = match subject.language {
            "python" => &args.python,
            _ => &args.node,
        };
        bench_language(&args, &loaded, &http, subject, native, concurrent_runs).await?;
    }
    for subject in &COMPILED {
        bench_compiled(&loaded, &http, subject).await?;
    }
    bench_null_checks(&loaded).await?;
    bench_interaction(&loaded).await?;
    bench_peer_apis(&args, &http, concurrent_runs).await?;
    bench_cold_start(&args).await?;
    http.print_metrics().await
}

/// Hello world in the languages the peer APIs are compared on: judgebox's
/// name, Jobe's, Judge0's id, the source.
const PEER_HELLO: [(&str, &str, u32, &str); 2] = [
    ("python", "python3", 71, "print('hello, world')\n"),
    (
        "c",
        "c",
        50,
        "#include <stdio.h>\nint main(void) { puts(\"hello, world\"); return 0; }\n",
    ),
];

/// Cold starts this many times for each figure.
const COLD_STARTS: u64 = 20;

/// A new `judgebox serve` process, from spawning it to its first judged
/// Python answer, on a database made by an earlier start (a container that
/// scaled to zero starting again); then `judgebox run` from spawn to exit,
/// beside `python3` doing the same.
async fn bench_cold_start(args: &BenchArgs) -> Result<()> {
    println!("\n== cold start (a new process each time, n={COLD_STARTS})");
    let exe = std::env::current_exe().context("finding this judgebox")?;
    let dir = std::env::temp_dir().join(format!("judgebox-cold-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("hello.py"), "print('hello, world')\n")?;
    let (runtimes_dir, cache_dir) = (
        args.runtime.runtimes_dir.clone(),
        args.runtime.cache_dir.clone(),
    );
    let database_url = format!("sqlite://{}/cold.db?mode=rwc", dir.display());
    let command = move |subcommand: &str| {
        let mut command = tokio::process::Command::new(&exe);
        command
            .arg(subcommand)
            .env("JUDGEBOX_RUNTIMES_DIR", &runtimes_dir)
            .env("JUDGEBOX_CACHE_DIR", &cache_dir)
            .env("JUDGEBOX_BIND", "127.0.0.1:0")
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    };
    let serve: Call = Arc::new({
        let command = command.clone();
        move || {
            let mut serve = command("serve");
            Box::pin(async move { first_answer(&mut serve).await })
        }
    });
    report(
        "serve, spawn to the first judged Python",
        &time_runs(COLD_STARTS, &serve).await?,
    );
    let run: Call = Arc::new({
        let hello = dir.join("hello.py");
        move || {
            let mut run = command("run");
            run.arg(&hello);
            Box::pin(async move {
                let output = run.output().await?;
                if !output.status.success() {
                    bail!(
                        "judgebox run failed: {}",
                        String::from_utf8_lossy(&output.stdout)
                    );
                }
                Ok(())
            })
        }
    });
    report(
        "judgebox run hello.py, spawn to exit",
        &time_runs(COLD_STARTS, &run).await?,
    );
    let native = native_call(&args.python, "-c", "print('hello, world')");
    report(
        "python3, spawn to exit",
        &time_runs(COLD_STARTS, &native).await?,
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Starts `serve`, reads the address it says it listens on, and judges a
/// Python hello world there.
async fn first_answer(serve: &mut tokio::process::Command) -> Result<()> {
    use tokio::io::AsyncBufReadExt;
    let mut child = serve.spawn().context("starting judgebox serve")?;
    let stdout = child.stdout.take().context("judgebox serve's stdout")?;
    let mut line = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut line)
        .await?;
    let address = line
        .trim()
        .strip_prefix("judgebox listening on ")
        .with_context(|| format!("judgebox serve said {line:?}"))?;
    let body = json!({"language": "python", "code": "print('hello, world')",
        "test_cases": [{"input": "", "expected_output": "hello, world"}]});
    let answer: Value = reqwest::Client::new()
        .post(format!("{address}/execute"))
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    child.kill().await?;
    if answer["test_results"][0]["status"] != "accepted" {
        bail!("the cold start's answer: {answer}");
    }
    Ok(())
}

/// A way to run a program over HTTP: its label, path and body, and whether
/// an answer says the program passed.
type PeerWay = (&'static str, &'static str, Value, fn(&Value) -> bool);

/// The Jobe, Judge0 and Piston APIs against `POST /execute` on the same
/// program (compiled once, then cached), through one kept-alive client:
/// latency one at a time, then requests per second with `parallel` callers.
async fn bench_peer_apis(args: &BenchArgs, http: &Arc<HttpBench>, parallel: usize) -> Result<()> {
    println!("\n== peer APIs against POST /execute (hello world, kept-alive connections)");
    for (language, jobe, judge0, code) in PEER_HELLO {
        let expected = json!([{"input": "", "expected_output": "hello, world"}]);
        let ways: [PeerWay; 4] = [
            (
                "POST /execute",
                "/execute",
                json!({"language": language, "code": code, "test_cases": expected}),
                |body| body["test_results"][0]["status"] == "accepted",
            ),
            (
                "Jobe POST runs",
                "/jobe/index.php/restapi/runs",
                json!({"run_spec": {"language_id": jobe, "sourcecode": code}}),
                |body| body["outcome"] == 15,
            ),
            (
                "Judge0 POST submissions?wait=true",
                "/judge0/submissions?wait=true",
                json!({"source_code": code, "language_id": judge0}),
                |body| body["status"]["id"] == 3,
            ),
            (
                "Piston POST execute",
                "/api/v2/execute",
                json!({"language": language, "version": "*", "files": [{"content": code}]}),
                |body| body["run"]["stdout"] == "hello, world\n",
            ),
        ];
        for (label, path, body, accepted) in ways {
            let http = http.clone();
            let call: Call = Arc::new(move || {
                let (http, body) = (http.clone(), body.clone());
                Box::pin(async move { http.post(path, &body, accepted).await })
            });
            let label = format!("{language}: {label}");
            report(&label, &time_runs(args.iterations.min(100), &call).await?);
            let rate = throughput(parallel, args.seconds, &call).await?;
            println!("{:<44} {rate:>8.1} requests/s with {parallel} callers", "");
        }
    }
    Ok(())
}

/// Pointer work as students write it: a red-black tree (`std::set`), a
/// linked list threaded through a shuffled pool, a tree walked by
/// recursion, and a sieve over a vector.
const POINTER_PROGRAM: &str = r#"#include <bits/stdc++.h>
struct Node { int val; Node *next; };
struct Tree { Tree *left = nullptr, *right = nullptr; int key; };
Tree *insert(Tree *t, Tree *n) { if (!t) return n; if (n->key < t->key) t->left = insert(t->left, n); else t->right = insert(t->right, n); return t; }
long long depths(const Tree *t, int d) { return t ? d + depths(t->left, d + 1) + depths(t->right, d + 1) : 0; }
int main() {
    const int n = 1 << 18;
    std::mt19937 rng(1);
    std::set<int> set;
    for (int i = 0; i < n; i++) set.insert(rng() % (4 * n));
    long long found = 0;
    for (int i = 0; i < n; i++) found += set.count(rng() % (4 * n));
    std::vector<Node> pool(n);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (int i = 0; i < n; i++) pool[order[i]] = {i, i + 1 < n ? &pool[order[i + 1]] : nullptr};
    long long sum = 0;
    for (int round = 0; round < 10; round++)
        for (Node *p = &pool[order[0]]; p; p = p->next) sum += p->val;
    std::vector<Tree> trees(n);
    Tree *root = nullptr;
    for (auto &t : trees) { t.key = rng(); root = insert(root, &t); }
    std::vector<char> composite(1 << 23);
    int primes = 0;
    for (int i = 2; i < (1 << 23); i++)
        if (!composite[i]) { primes++; for (long long j = 1LL * i * i; j < (1 << 23); j += i) composite[j] = 1; }
    printf("%lld %lld %lld %d\n", found, sum, depths(root, 0), primes);
}
"#;

/// Turns the null checks off for every function that follows.
const NO_NULL_CHECKS: &str =
    "#pragma clang attribute push(__attribute__((no_sanitize(\"null\"))), apply_to = function)\n";

/// What clang's null checks cost: the same program with them (as judged)
/// and without, run in turns so that both see the same machine.
async fn bench_null_checks(loaded: &LoadedLanguages) -> Result<()> {
    println!("\n== cpp null checks");
    let limits = loaded.limits.default_limits().run_limits();
    let cpp = loaded.languages.get("cpp").context("cpp is not loaded")?;
    let checked = sandbox_call(ready(cpp.compile(POINTER_PROGRAM).await?)?, b"", &limits);
    let unchecked = format!("{NO_NULL_CHECKS}{POINTER_PROGRAM}");
    let unchecked = sandbox_call(ready(cpp.compile(&unchecked).await?)?, b"", &limits);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    checked().await?;
    unchecked().await?;
    for _ in 0..5 {
        with.push(time_once(&checked).await?);
        without.push(time_once(&unchecked).await?);
    }
    with.sort_by(f64::total_cmp);
    without.sort_by(f64::total_cmp);
    report("sandbox, pointer-heavy program", &with);
    report("same, null checks off (no_sanitize)", &without);
    println!(
        "null checks (p50):                  {:+.1}%",
        (percentile(&with, 50.0) / percentile(&without, 50.0) - 1.0) * 100.0
    );
    Ok(())
}

/// A program answering each of the n numbers it reads with its double,
/// flushing each answer.
const DOUBLER: &str = "#include <cstdio>\nint main() { int n; if (scanf(\"%d\", &n) != 1) return 1; \
    for (int i = 0; i < n; i++) { long long x; if (scanf(\"%lld\", &x) != 1) return 1; \
    printf(\"%lld\\n\", 2 * x); fflush(stdout); } }\n";

/// Its interactor (Kattis protocol): n, then 1 to n, each number sent once
/// the answer to the one before is in.
const DOUBLING_INTERACTOR: &str = r#"#include <cstdio>
int main(int argc, char** argv) {
    FILE* input = std::fopen(argv[1], "r");
    int n;
    if (!input || std::fscanf(input, "%d", &n) != 1) return 1;
    std::printf("%d\n", n);
    std::fflush(stdout);
    for (int i = 1; i <= n; i++) {
        std::printf("%d\n", i);
        std::fflush(stdout);
        long long answer;
        if (std::scanf("%lld", &answer) != 1 || answer != 2LL * i) return 43;
    }
    return 42;
}
"#;

/// What talking to an interactor costs against reading a file: the same
/// program given its n numbers on stdin, or one at a time by the
/// interactor, which runs beside it in a sandbox of its own.
async fn bench_interaction(loaded: &LoadedLanguages) -> Result<()> {
    println!("\n== interactive (a cpp program doubling n numbers, a cpp interactor)");
    let cpp = loaded.languages.get("cpp").context("cpp is not loaded")?;
    let program = ready(cpp.compile(DOUBLER).await?)?;
    let spec = CheckerSpec {
        protocol: CheckerProtocol::Kattis,
        language: "cpp".into(),
        source: DOUBLING_INTERACTOR.into(),
        files: Default::default(),
        arguments: Vec::new(),
        time_ms: CheckerSpec::DEFAULT_TIME_MS,
    };
    let built = spec.build(cpp.as_ref()).await.map_err(anyhow::Error::msg)?;
    let interactor = Interactor::new(built, loaded.languages.links());
    let limits = loaded.limits.default_limits();
    for n in [1u32, 1000] {
        let numbers: Vec<String> = (std::iter::once(n).chain(1..=n))
            .map(|x| x.to_string())
            .collect();
        let input = format!("{}\n", numbers.join("\n"));
        let file_run = sandbox_call(program.clone(), input.as_bytes(), &limits.run_limits());
        let test = TestCase::new(format!("{n}\n"), Some(String::new()));
        let (program, interactor, limits) = (program.clone(), interactor.clone(), limits.clone());
        let interactive: Call = Arc::new(move || {
            let (program, interactor) = (program.clone(), interactor.clone());
            let (test, limits) = (test.clone(), limits.clone());
            Box::pin(async move {
                let (_, judged) = interactor.judge(&*program, &test, &limits, None).await?;
                if judged.status != Status::Accepted {
                    bail!("the interactive benchmark was judged {}", judged.status);
                }
                Ok(())
            })
        });
        let from_file = time_runs(50, &file_run).await?;
        let linked = time_runs(50, &interactive).await?;
        report(&format!("file run, {n} numbers"), &from_file);
        report(&format!("interactive, {n} exchanges"), &linked);
        println!(
            "interactive / file run (p50):        {:.2}x",
            percentile(&linked, 50.0) / percentile(&from_file, 50.0)
        );
    }
    Ok(())
}

/// A compiled language: what a submission waits for (compile and run), what a
/// resubmission waits for (cached), and both against the native toolchain:
/// its build of the same sources, and compute against its build.
struct CompiledSubject {
    language: &'static str,
    source_file: &'static str,
    hello: &'static str,
    /// A program with a mistake in it: what a compile error waits for.
    broken: &'static str,
    cpu_bound: &'static str,
    /// The native compiler, run in a directory holding `source_file`.
    native_build: &'static [&'static str],
    /// Runs what `native_build` built in a directory.
    native_run: fn(&Path) -> tokio::process::Command,
}

const COMPILED: [CompiledSubject; 2] = [
    CompiledSubject {
        language: "cpp",
        source_file: "main.cpp",
        hello: "#include <bits/stdc++.h>\nint main() { std::cout << \"hello, world\" << std::endl; }\n",
        broken: "#include <bits/stdc++.h>\nint main() { std::cout << hello << std::endl; }\n",
        cpu_bound: "#include <cstdio>\nint main() { unsigned long long s = 0; for (unsigned i = 0; i < 300000000u; i++) s += (i * i) % 7; printf(\"%llu\\n\", s); }\n",
        native_build: &["g++", "-O2", "-o", "main", "main.cpp"],
        native_run: |dir| tokio::process::Command::new(dir.join("main")),
    },
    CompiledSubject {
        language: "java",
        source_file: "Main.java",
        hello: "public class Main { public static void main(String[] a) { System.out.println(\"hello, world\"); } }\n",
        broken: "public class Main { public static void main(String[] a) { System.out.println(hello); } }\n",
        cpu_bound: "public class Main { public static void main(String[] a) { long s = 0; for (int i = 0; i < 300000000; i++) s += ((long) i * i) % 7; System.out.println(s); } }\n",
        native_build: &["javac", "Main.java"],
        native_run: |dir| {
            let mut java = tokio::process::Command::new("java");
            java.args(["-cp", &dir.display().to_string(), "Main"]);
            java
        },
    },
];

/// `source`, marked so that no earlier run (of this process or another) built it.
fn new_source(source: &str, n: usize) -> String {
    format!("// judgebox bench {} {n}\n{source}", std::process::id())
}

async fn bench_compiled(
    loaded: &LoadedLanguages,
    http: &Arc<HttpBench>,
    subject: &'static CompiledSubject,
) -> Result<()> {
    println!("\n== {} (compiled)", subject.language);
    let fresh = |source: &'static str, expected: &'static str| -> Call {
        let (http, counter) = (http.clone(), Arc::new(AtomicUsize::new(0)));
        Arc::new(move || {
            let (http, n) = (http.clone(), counter.fetch_add(1, Ordering::Relaxed));
            let code = new_source(source, n);
            Box::pin(async move { http.judge(subject.language, &code, expected).await })
        })
    };
    let dir = tempfile_dir()?;
    let native_build = |source: &'static str, succeeds: bool| -> Call {
        let (dir, counter) = (dir.clone(), Arc::new(AtomicUsize::new(0)));
        Arc::new(move || {
            let (dir, n) = (dir.clone(), counter.fetch_add(1, Ordering::Relaxed));
            Box::pin(async move {
                std::fs::write(dir.join(subject.source_file), new_source(source, n))?;
                let [compiler, args @ ..] = subject.native_build else {
                    bail!("no native compiler")
                };
                let built = tokio::process::Command::new(compiler)
                    .args(args)
                    .current_dir(&dir)
                    .output()
                    .await?;
                anyhow::ensure!(
                    built.status.success() == succeeds,
                    "{compiler} surprised us"
                );
                Ok(())
            })
        })
    };
    let p50 = |times: &[f64]| percentile(times, 50.0);
    let new = time_runs(5, &fresh(subject.hello, "accepted")).await?;
    report("POST /execute, compile and run (new source)", &new);
    let native_new = time_runs(5, &native_build(subject.hello, true)).await?;
    report("native build, same source (new)", &native_new);
    let error = time_runs(5, &fresh(subject.broken, "compilation_error")).await?;
    report("POST /execute, compile error (new source)", &error);
    let native_error = time_runs(5, &native_build(subject.broken, false)).await?;
    report("native build, same compile error", &native_error);
    println!(
        "against the native build (p50):      {:.2}x (compile and run), {:.2}x (compile error)",
        p50(&new) / p50(&native_new),
        p50(&error) / p50(&native_error)
    );
    let cached = judge_hello(http, subject.language, subject.hello);
    report(
        "POST /execute, resubmission (cached)",
        &time_runs(30, &cached).await?,
    );

    let limits = loaded.limits.default_limits().run_limits();
    let language = loaded
        .languages
        .get(subject.language)
        .context("not loaded")?;
    let cpu = ready(language.compile(subject.cpu_bound).await?)?;
    let sandboxed = time_runs(3, &sandbox_call(cpu, b"", &limits)).await?;
    report("sandbox, CPU-bound program", &sandboxed);
    (native_build(subject.cpu_bound, true))().await?;
    let native_command = Arc::new(tokio::sync::Mutex::new((subject.native_run)(&dir)));
    let native: Call = Arc::new(move || {
        let command = native_command.clone();
        Box::pin(async move {
            let output = command.lock().await.output().await?;
            anyhow::ensure!(output.status.success(), "the native build failed to run");
            Ok(())
        })
    });
    let native_times = time_runs(3, &native).await?;
    report("native build, same program", &native_times);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "CPU-bound program (p50):            {:.1}x slower than native",
        p50(&sandboxed) / p50(&native_times)
    );
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("judgebox-bench-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn bench_language(
    args: &BenchArgs,
    loaded: &LoadedLanguages,
    http: &Arc<HttpBench>,
    subject: &'static Subject,
    native: &Path,
    concurrent_runs: usize,
) -> Result<()> {
    println!("\n== {} (native: {})", subject.language, native.display());
    let limits = loaded.limits.default_limits().run_limits();
    let language = loaded
        .languages
        .get(subject.language)
        .with_context(|| format!("{} is not loaded", subject.language))?;
    let hello = sandbox_call(ready(language.compile(subject.hello).await?)?, b"", &limits);
    let hello_native = native_call(native, subject.inline_flag, subject.hello);
    let hello_http = judge_hello(http, subject.language, subject.hello);

    let sandbox = time_runs(args.iterations, &hello).await?;
    report("sandbox run, hello world (per test)", &sandbox);
    let native_times = time_runs(args.iterations.min(100), &hello_native).await?;
    report("native, hello world (process per run)", &native_times);
    let end_to_end = time_runs(args.iterations, &hello_http).await?;
    report("POST /execute over HTTP, 1 test", &end_to_end);

    let rate = throughput(concurrent_runs, args.seconds, &hello).await?;
    println!(
        "{:<44} {rate:>9.0} runs/s",
        format!("sandbox throughput ({concurrent_runs} parallel)")
    );
    let rate = throughput(concurrent_runs, args.seconds, &hello_http).await?;
    println!(
        "{:<44} {rate:>9.0} requests/s",
        format!("POST /execute throughput ({concurrent_runs} clients)")
    );

    let p50 = |times: &[f64]| percentile(times, 50.0);
    println!(
        "per-test sandbox vs native (p50):   {:.1}x faster",
        p50(&native_times) / p50(&sandbox)
    );
    println!(
        "POST /execute vs native (p50):      {:.1}x faster",
        p50(&native_times) / p50(&end_to_end)
    );
    // Start-up (the hello world's time) subtracted on both sides: the ratio
    // is the interpreters' speed, which per-language time factors answer.
    println!("CPU-bound programs, p50 of 5, start-up subtracted:");
    for code in subject.cpu_bound {
        let program = ready(language.compile(code).await?)?;
        let wasm = p50(&time_runs(5, &sandbox_call(program, b"", &limits)).await?) - p50(&sandbox);
        let native_call = native_call(native, subject.inline_flag, code);
        let native = p50(&time_runs(5, &native_call).await?) - p50(&native_times);
        println!(
            "  sandbox {wasm:>8.1} ms   native {native:>8.1} ms   {:>5.1}x slower   {}",
            wasm / native,
            code.replace('\n', "; ")
        );
    }
    Ok(())
}

fn ready(compiled: Compiled) -> Result<Arc<dyn Program>> {
    match compiled {
        Compiled::Ready(program) => Ok(program),
        Compiled::Failed { output } => bail!("the benchmark program did not compile: {output}"),
    }
}

fn sandbox_call(program: Arc<dyn Program>, input: &[u8], limits: &RunLimits) -> Call {
    let (input, limits) = (Arc::<[u8]>::from(input), limits.clone());
    Arc::new(move || {
        let (program, input, limits) = (program.clone(), input.clone(), limits.clone());
        Box::pin(async move {
            let run = program
                .run(Stdio::Input(&input), &Invocation::default(), &limits)
                .await?;
            if run.exit_code() != Some(0) {
                bail!(
                    "the benchmark program failed: {}",
                    String::from_utf8_lossy(&run.stderr)
                );
            }
            Ok(())
        })
    })
}

fn native_call(interpreter: &Path, inline_flag: &'static str, code: &'static str) -> Call {
    let interpreter = interpreter.to_path_buf();
    Arc::new(move || {
        let interpreter = interpreter.clone();
        Box::pin(async move {
            let output = tokio::process::Command::new(&interpreter)
                .args([inline_flag, code])
                .output()
                .await
                .with_context(|| format!("running {}", interpreter.display()))?;
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                bail!("{} failed: {stderr}", interpreter.display());
            }
            Ok(())
        })
    })
}

/// Judging `hello` in `language` through `POST /execute`, which must accept it.
fn judge_hello(http: &Arc<HttpBench>, language: &'static str, hello: &'static str) -> Call {
    let http = http.clone();
    Arc::new(move || {
        let http = http.clone();
        Box::pin(async move { http.judge(language, hello, "accepted").await })
    })
}

/// One warm-up, then `n` timed calls, in milliseconds, sorted.
async fn time_runs(n: u64, call: &Call) -> Result<Vec<f64>> {
    call().await?;
    let mut times = Vec::new();
    for _ in 0..n {
        times.push(time_once(call).await?);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// One call, in milliseconds.
async fn time_once(call: &Call) -> Result<f64> {
    let started = Instant::now();
    call().await?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// Completed calls per second with `parallel` callers, each its own task so
/// they run on separate threads, for `seconds`.
async fn throughput(parallel: usize, seconds: u64, call: &Call) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let callers: Vec<_> = (0..parallel)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    call().await?;
                    done += 1;
                }
                anyhow::Ok(done)
            })
        })
        .collect();
    let mut done = 0;
    for caller in callers {
        done += caller.await??;
    }
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
            max_body_bytes: 16 << 20,
            admin_token: None,
            rate_limit_per_minute: 0,
            trusted_proxies: Vec::new(),
            open_execute: true,
            jobe_api: true,
            judge0_api: true,
            piston_api: true,
            public_url: None,
            idle_exit_seconds: None,
            worker: WorkerSettings {
                database_url: format!("sqlite://{}", database_dir.join("bench.db").display()),
                callback_allow_private: false,
                callback_hosts: Vec::new(),
                judging: JudgingSettings {
                    judging_slots: None,
                    deprecated_submission_slots: None,
                    max_waiting: 1024,
                    max_queued: 10_000,
                    max_attempts: 3,
                    lease_seconds: 30,
                    shutdown_grace_seconds: 1,
                },
                runtime: runtime.clone(),
            },
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

    /// What the server's `/metrics` says after the benchmark's requests,
    /// without the histograms' buckets.
    async fn print_metrics(&self) -> Result<()> {
        let metrics = self.url.replace("/execute", "/metrics");
        let text = self.client.get(metrics).send().await?.text().await?;
        println!("\n== GET /metrics after the benchmark");
        let shown = text.lines().filter(|line| {
            !line.is_empty() && !line.starts_with('#') && !line.contains("_bucket{")
        });
        for line in shown {
            println!("{line}");
        }
        Ok(())
    }

    /// POSTs `body` to `path`, whose answer must be `accepted`.
    async fn post(&self, path: &str, body: &Value, accepted: fn(&Value) -> bool) -> Result<()> {
        let url = self.url.replace("/execute", path);
        let response = self.client.post(url).json(body).send().await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        if !status.is_success() || !accepted(&answer) {
            bail!("POST {path} answered {status}: {answer}");
        }
        Ok(())
    }

    /// POSTs `body` to `/execute`, which must answer 200, and returns the answer.
    async fn execute(&self, body: &Value) -> Result<Value> {
        let response = self.client.post(&self.url).json(body).send().await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        if !status.is_success() {
            bail!("POST /execute answered {status}: {answer}");
        }
        Ok(answer)
    }

    /// Judges `code` on one test, which must end as `expected`.
    async fn judge(&self, language: &str, code: &str, expected: &str) -> Result<()> {
        let body = self
            .execute(&json!({
                "language": language, "code": code, "user_id": "bench", "question_id": "hello",
                "test_cases": [{"input": "", "expected_output": "hello, world"}],
            }))
            .await?;
        if body["test_results"][0]["status"] != expected {
            bail!("the benchmark submission was not {expected}: {body}");
        }
        Ok(())
    }
}

impl Drop for HttpBench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.database_dir);
    }
}
