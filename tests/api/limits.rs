//! Every limit, exceeded; and the next run is unaffected.

use serde_json::json;

use crate::helpers::TestApp;

const HELLO: &str = "print('hello')";

async fn assert_still_judges(app: &TestApp) {
    let result = app.run_python(HELLO, "").await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], "hello\n");
}

#[tokio::test]
async fn a_busy_loop_and_a_long_sleep_stop_at_the_time_limit() {
    // No per-language factor: the limit is the 500 ms asked for.
    let app = TestApp::spawn_with_env(&[("JUDGEBOX_TIME_FACTORS", "python=1")]).await;
    // (program, what stopped it): computing uses CPU time; sleeping uses
    // almost none and is stopped by the wall-clock backstop.
    for (code, stopped_by) in [
        ("while True: pass", "CPU time"),
        ("import time\ntime.sleep(60)", "wall-clock"),
        ("import time\nwhile True: time.sleep(0.001)", "wall-clock"),
    ] {
        let result = app
            .run_with_limits("python", code, json!({"time_ms": 500}))
            .await;
        assert_eq!(result["status"], "time_limit_exceeded", "{code}: {result}");
        let elapsed = result["execution_time_ms"].as_f64().unwrap();
        assert!(
            (500.0..10_000.0).contains(&elapsed),
            "{code}: ran {elapsed} ms"
        );
        let message = result["message"].as_str().unwrap();
        assert!(
            message.contains("500 ms") && message.contains(stopped_by),
            "{code}: {result}"
        );
        assert_still_judges(&app).await;
    }
}

/// Keeps every core busy in this process until dropped.
struct Load(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Load {
    fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        for _ in 0..cores {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
            });
        }
        Self(stop)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[tokio::test]
async fn an_endless_loop_is_a_time_limit_in_every_language_on_a_loaded_machine() {
    let app = TestApp::spawn().await;
    let endless = [
        ("python", "while True: pass"),
        ("javascript", "for (;;) {}"),
        (
            "c",
            "int main(void) { volatile unsigned long x = 0; for (;;) x++; }",
        ),
        (
            "cpp",
            "int main() { volatile unsigned long x = 0; for (;;) x++; }",
        ),
        // A thread sends C++ to the native build (g++ in the native sandbox).
        (
            "cpp",
            "#include <thread>\nint main() { std::thread([] {}).join();\n\
             volatile unsigned long x = 0; for (;;) x++; }",
        ),
        // The JVM's own threads (JIT, GC) count against RLIMIT_CPU too.
        (
            "java",
            "public class Main { public static void main(String[] a) {\n\
             long x = 0; while (true) { x++; } } }",
        ),
    ];
    let _load = Load::start();
    for (language, code) in endless {
        let result = app
            .run_with_limits(language, code, json!({"time_ms": 2000}))
            .await;
        assert_eq!(
            result["status"], "time_limit_exceeded",
            "{language}: {code}: {result}"
        );
    }
}

#[tokio::test]
async fn writing_files_past_the_disk_limit_is_output_limit_exceeded() {
    let app = TestApp::spawn().await;
    // A thread sends C++ to the native build; each file is within the
    // per-file limit, 3000 of them are 3 GB.
    let code = "#include <cstdio>\n#include <string>\n#include <thread>\n\
                int main() { std::thread([] {}).join(); std::string block(1000000, 'x');\n\
                for (int i = 0; i < 3000; i++) {\n\
                  FILE *f = std::fopen((\"f\" + std::to_string(i)).c_str(), \"w\");\n\
                  if (!f) return 1; std::fwrite(block.data(), 1, block.size(), f); std::fclose(f); }\n\
                std::puts(\"done\"); }";
    let result = app
        .run_with_limits("cpp", code, json!({"time_ms": 10000}))
        .await;
    assert_eq!(result["status"], "output_limit_exceeded", "{result}");
    let message = result["message"].as_str().unwrap();
    assert!(
        message.contains("64 MiB") && message.contains("disk"),
        "{result}"
    );
    assert_still_judges(&app).await;
}

#[tokio::test]
async fn sleeping_costs_no_cpu_time_and_is_allowed_within_the_backstop() {
    let app = TestApp::spawn().await;
    let code = "import time\ntime.sleep(0.6)\nprint('awake')";
    let result = app
        .run_with_limits("python", code, json!({"time_ms": 500}))
        .await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert!(
        result["execution_time_ms"].as_f64().unwrap() >= 600.0,
        "{result}"
    );
    assert!(result["cpu_time_ms"].as_f64().unwrap() < 250.0, "{result}");
}

#[tokio::test]
async fn a_verdict_does_not_depend_on_how_many_runs_share_the_cores() {
    // Twice as many runs at once as this machine has cores, each needing
    // 60% of its limit: judged on CPU time, every one passes. (Not more:
    // together they need 1.2 times the limit in wall time, and the wall
    // backstop of 3 times the limit must hold even while other tests load
    // the machine.)
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let copies = 2 * cores;
    // No per-language factor: the limit is exactly the one computed here.
    let env = [
        ("JUDGEBOX_CONCURRENT_RUNS", copies.to_string()),
        ("JUDGEBOX_TIME_FACTORS", "python=1".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with_env(&env).await;
    let code = "n = int(input())\ns = 0\nfor i in range(n): s += i * i % 7\nprint(s)";
    let alone = app.run_code("python", code, "1000000").await;
    assert_eq!(alone["status"], "accepted", "{alone}");
    let cpu_ms = alone["cpu_time_ms"].as_f64().unwrap();
    let limit_ms = (cpu_ms / 0.6).ceil() as u64;

    let tests: Vec<_> = (0..copies)
        .map(|_| json!({"input": "1000000", "expected_output": alone["actual_output"]}))
        .collect();
    let request = json!({
        "language": "python", "code": code, "test_cases": tests,
        "limits": {"time_ms": limit_ms},
    });
    let (status, body) = app.execute(request).await;
    assert_eq!(status, 200, "{body}");
    for result in body["test_results"].as_array().unwrap() {
        assert_eq!(
            result["status"], "accepted",
            "limit {limit_ms} ms: {result}"
        );
    }
    // They did share the cores: together they took far longer than one.
    let slowest = body["test_results"].as_array().unwrap().iter();
    let slowest = slowest
        .map(|r| r["execution_time_ms"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(slowest > limit_ms as f64, "{body}");
}

#[tokio::test]
async fn output_printed_before_a_timeout_is_kept() {
    let app = TestApp::spawn().await;
    let code = "import sys\nprint('started')\nsys.stdout.flush()\nwhile True: pass";
    let result = app
        .run_with_limits("python", code, json!({"time_ms": 300}))
        .await;
    assert_eq!(result["status"], "time_limit_exceeded");
    assert_eq!(result["actual_output"], "started\n");
}

#[tokio::test]
async fn the_instruction_limit_gives_the_same_verdict_on_any_machine() {
    let app = TestApp::spawn().await;
    let code = "total = 0\nfor i in range(10**7):\n    total += i\nprint(total)";
    let limits = json!({"instruction_limit": 50_000_000});
    let first = app.run_with_limits("python", code, limits.clone()).await;
    let second = app.run_with_limits("python", code, limits).await;
    for result in [&first, &second] {
        assert_eq!(result["status"], "time_limit_exceeded", "{result}");
        assert!(
            result["message"]
                .as_str()
                .unwrap()
                .contains("instruction limit"),
            "{result}"
        );
    }
    // Fuel runs out exactly at the limit.
    assert_eq!(first["instructions"], 50_000_000);
    assert_eq!(second["instructions"], 50_000_000);
    // Enough instructions: accepted, and the count is reported.
    let small = "print(sum(range(1000)))";
    let result = app
        .run_with_limits("python", small, json!({"instruction_limit": 1_000_000_000}))
        .await;
    assert_eq!(result["actual_output"], "499500\n");
    assert!(result["instructions"].as_u64().unwrap() < 1_000_000_000);
}

#[tokio::test]
async fn allocating_past_the_memory_limit_is_memory_limit_exceeded() {
    let app = TestApp::spawn().await;
    let programs = [
        "x = bytearray(10**9)",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(2**20))",
        "s = 'x' * (300 * 2**20)",
    ];
    for code in programs {
        let result = app.run_with_limits("python", code, json!({})).await;
        assert_eq!(
            result["status"], "memory_limit_exceeded",
            "{code}: {result}"
        );
        assert!(
            result["memory_usage_mb"].as_f64().unwrap() <= 256.0,
            "{result}"
        );
        assert_still_judges(&app).await;
    }
    // Under a raised limit the same allocation succeeds.
    let code = "x = bytearray(300 * 2**20)\nprint(len(x))";
    let result = app
        .run_with_limits("python", code, json!({"memory_mb": 512}))
        .await;
    assert_eq!(result["actual_output"], format!("{}\n", 300 * (1 << 20)));
    assert!(
        result["memory_usage_mb"].as_f64().unwrap() > 300.0,
        "{result}"
    );
}

#[tokio::test]
async fn printing_past_the_output_limit_is_output_limit_exceeded() {
    let app = TestApp::spawn().await;
    let exactly = "import sys\nsys.stdout.write('x' * 1024)";
    let result = app
        .run_with_limits("python", exactly, json!({"output_kb": 1}))
        .await;
    assert_eq!(
        result["actual_output"].as_str().unwrap().len(),
        1024,
        "{result}"
    );
    assert_eq!(result["status"], "accepted");

    let one_more = "import sys\nsys.stdout.write('x' * 1025)";
    let result = app
        .run_with_limits("python", one_more, json!({"output_kb": 1}))
        .await;
    assert_eq!(result["status"], "output_limit_exceeded", "{result}");
    assert_eq!(
        result["actual_output"].as_str().unwrap().len(),
        1024,
        "kept at most the cap"
    );

    let endless = "while True: print('spam' * 100)";
    let result = app.run_with_limits("python", endless, json!({})).await;
    assert_eq!(result["status"], "output_limit_exceeded", "{result}");
    // One test may echo up to its share of the 8 MiB response budget per stream.
    assert_eq!(result["actual_output"].as_str().unwrap().len(), 4 << 20);
    assert_eq!(result["output_truncated"], true);

    let endless_stderr = "import sys\nwhile True: sys.stderr.write('e' * 1000)";
    let result = app
        .run_with_limits("python", endless_stderr, json!({}))
        .await;
    assert_eq!(result["status"], "output_limit_exceeded", "{result}");
    assert_eq!(result["stderr"].as_str().unwrap().len(), 1 << 20);
    assert_eq!(result["output_truncated"], false);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("stderr at 1024 KiB"),
        "{result}"
    );
    assert_still_judges(&app).await;
}

#[tokio::test]
async fn runaway_recursion_is_a_runtime_error() {
    let app = TestApp::spawn().await;
    let programs = [
        "def f(n): return f(n + 1) + 1\nf(0)",
        "import sys\nsys.setrecursionlimit(10**6)\ndef f(n): return f(n + 1) + 1\nf(0)",
        "import sys\nsys.setrecursionlimit(10**6)\ndef f(n): return list(map(f, [n + 1]))\nf(0)",
        "import sys\nsys.setrecursionlimit(10**6)\nx = []\nfor _ in range(10**5): x = [x]\nprint(repr(x)[:10])",
    ];
    for code in programs {
        let result = app.run_with_limits("python", code, json!({})).await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
        let explained = result["stderr"]
            .as_str()
            .unwrap()
            .contains("RecursionError")
            || result["message"]
                .as_str()
                .unwrap_or_default()
                .contains("stack overflow");
        assert!(explained, "{code}: {result}");
        assert_still_judges(&app).await;
    }
}

#[tokio::test]
async fn recursive_solutions_to_depth_ten_to_the_fifth_work() {
    let app = TestApp::spawn().await;
    let code = "import sys\nsys.setrecursionlimit(10**6)\ndef depth(n): return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(10**5))";
    let result = app.run_with_limits("python", code, json!({})).await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], "100000\n");
    let dfs = r#"
import sys
sys.setrecursionlimit(10**6)
n = 10**5
children = [[i + 1] if i + 1 < n else [] for i in range(n)]
def size(v):
    total = 1
    for child in children[v]:
        total += size(child)
    return total
print(size(0))
"#;
    let result = app.run_with_limits("python", dfs, json!({})).await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], "100000\n");
    // Memoised recursion goes through C frames, bounded by CPython's own C-stack guard.
    let memoised = "import sys, functools\nsys.setrecursionlimit(10**6)\n@functools.lru_cache(None)\ndef f(n): return f(n - 1) + 1 if n else 0\nprint(f(2000))";
    let result = app.run_with_limits("python", memoised, json!({})).await;
    assert_eq!(result["actual_output"], "2000\n", "{result}");
}

#[tokio::test]
async fn a_response_carries_a_bounded_share_of_each_tests_output() {
    let app = TestApp::spawn().await;
    // 10 tests each printing 1 MiB: judged on their whole output, but the
    // response keeps 400 KiB of each (8 MiB / 10 tests / 2 streams).
    let code = "import sys\nsys.stdout.write('x' * 2**20)";
    let expected = "x".repeat(1 << 20);
    let tests: Vec<(&str, &str)> = (0..10).map(|_| ("", expected.as_str())).collect();
    let body = app.judge_python(code, &tests, json!({})).await;
    assert_eq!(body["summary"]["passed"], 10);
    for test in body["test_results"].as_array().unwrap() {
        assert_eq!(
            test["actual_output"].as_str().unwrap().len(),
            (8 << 20) / 20
        );
        assert_eq!(test["output_truncated"], true);
    }
}

#[tokio::test]
async fn a_huge_syntax_error_is_capped_and_reported_once() {
    let app = TestApp::spawn().await;
    // An unterminated string on one 2 MiB line: CPython quotes the line.
    let code = format!("x = 'unterminated {}", "y".repeat(2 << 20));
    let tests: Vec<(&str, &str)> = (0..10).map(|_| ("", "")).collect();
    let body = app.judge_python(&code, &tests, json!({})).await;
    let output = body["compile_output"].as_str().unwrap();
    assert!(
        output.len() <= 1 << 20,
        "compile_output is {} bytes",
        output.len()
    );
    for test in body["test_results"].as_array().unwrap() {
        assert_eq!(test["status"], "compilation_error");
        assert_eq!(test["stderr"], "", "the message is in compile_output only");
    }
}

#[tokio::test]
async fn a_run_stopped_by_the_clock_reports_the_instructions_it_ran() {
    let app = TestApp::spawn().await;
    let result = app
        .run_with_limits("python", "while True: pass", json!({"time_ms": 500}))
        .await;
    assert_eq!(result["status"], "time_limit_exceeded", "{result}");
    // Half a second of a busy loop is hundreds of millions of instructions.
    let instructions = result["instructions"].as_u64().unwrap();
    assert!(instructions > 10_000_000, "{result}");
}
