//! JavaScript over HTTP: programs written for `node` work unchanged when they
//! only use the language and standard input/output.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const STDIN: &str = "3\n4 5\nlast line\n";

async fn run_js(app: &TestApp, code: &str, stdin: &str) -> Value {
    app.run_code("javascript", code, stdin).await
}

#[tokio::test]
async fn every_verdict_is_given_for_javascript() {
    let app = TestApp::spawn().await;
    let sum = "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\nconsole.log(a + b);";
    let body = app
        .judge_code("javascript", sum, &[("1 2", "3"), ("2 2", "5")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    assert_eq!(body["test_results"][1]["status"], "wrong_answer");
    assert_eq!(body["metadata"]["runtime"], "QuickJS-NG 0.16.2 (wasm)");
    assert!(body["test_results"][0]["instructions"].as_u64().unwrap() > 0);

    let body = app
        .judge_code("javascript", "let x = ;", &[("", "")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "compilation_error");
    let output = body["compile_output"].as_str().unwrap();
    assert!(
        output.starts_with("SyntaxError: unexpected token"),
        "{output}"
    );
    assert!(output.contains("main.js:1:9"), "{output}");

    let cases = [
        (
            "while (true) {}",
            json!({"time_ms": 500}),
            "time_limit_exceeded",
        ),
        (
            "let n = 0; for (;;) n++;",
            json!({"instruction_limit": 10_000_000}),
            "time_limit_exceeded",
        ),
        (
            "const a = []; while (true) a.push(new Array(1e6).fill(1));",
            json!({}),
            "memory_limit_exceeded",
        ),
        (
            "while (true) console.log('spam'.repeat(100));",
            json!({}),
            "output_limit_exceeded",
        ),
        ("null.x;", json!({}), "runtime_error"),
    ];
    for (code, limits, status) in cases {
        let result = app.run_with_limits("javascript", code, limits).await;
        assert_eq!(result["status"], status, "{code}: {result}");
    }
    // And the next run is unaffected.
    assert_eq!(
        run_js(&app, "console.log('ok')", "").await["actual_output"],
        "ok\n"
    );
}

#[tokio::test]
async fn every_way_students_read_input_works() {
    let app = TestApp::spawn().await;
    let programs = [
        "const lines = require('fs').readFileSync(0, 'utf8').trim().split('\\n');\nconsole.log(lines.length, lines[1]);",
        "const lines = require('fs').readFileSync('/dev/stdin', 'utf8').trim().split('\\n');\nconsole.log(lines.length, lines[1]);",
        "const rl = require('readline').createInterface({ input: process.stdin });\nconst lines = [];\nrl.on('line', (l) => lines.push(l));\nrl.on('close', () => console.log(lines.length, lines[1]));",
        "const readline = require('readline');\n(async () => {\n  const lines = [];\n  for await (const line of readline.createInterface({ input: process.stdin })) lines.push(line);\n  console.log(lines.length, lines[1]);\n})();",
        "let data = '';\nprocess.stdin.on('data', (c) => (data += c));\nprocess.stdin.on('end', () => {\n  const lines = data.trim().split('\\n');\n  process.stdout.write(`${lines.length} ${lines[1]}\\n`);\n});",
        "import { readFileSync } from 'fs';\nconst lines = readFileSync(0, 'utf8').trim().split('\\n');\nconsole.log(lines.length, lines[1]);",
    ];
    for code in programs {
        let result = run_js(&app, code, STDIN).await;
        assert_eq!(result["status"], "accepted", "{code}: {result}");
        assert_eq!(result["actual_output"], "3 4 5\n", "{code}");
    }
}

#[tokio::test]
async fn console_log_formats_values_like_node() {
    let app = TestApp::spawn().await;
    // Each expected line was printed by node 20 for the same statement.
    let cases = [
        ("console.log([1, 'a', {b: 2}])", "[ 1, 'a', { b: 2 } ]"),
        (
            "console.log(new Map([['k', 1]]), new Set([1, 2]))",
            "Map(1) { 'k' => 1 } Set(2) { 1, 2 }",
        ),
        (
            "console.log(undefined, null, -0, 3.5, 10n, true)",
            "undefined null -0 3.5 10n true",
        ),
        (
            "console.log([1,2,3,4,5,6,7,8,9,10])",
            "[\n  1, 2, 3, 4,  5,\n  6, 7, 8, 9, 10\n]",
        ),
        (
            "console.log({a: 1, d: {e: {f: {g: 1}}}})",
            "{ a: 1, d: { e: { f: [Object] } } }",
        ),
        (
            "console.log([[1, 2], [3, 4]], [], {})",
            "[ [ 1, 2 ], [ 3, 4 ] ] [] {}",
        ),
        ("console.log('%s is %d', 'Bob', 42)", "Bob is 42"),
        (
            "console.log({'a-b': 1, s: \"it's\"})",
            "{ 'a-b': 1, s: \"it's\" }",
        ),
        (
            "class P { constructor() { this.x = 1 } }; console.log(new P())",
            "P { x: 1 }",
        ),
        (
            "console.log(function foo() {}, [undefined, null])",
            "[Function: foo] [ undefined, null ]",
        ),
    ];
    for (code, expected) in cases {
        let result = run_js(&app, code, "").await;
        assert_eq!(result["actual_output"], format!("{expected}\n"), "{code}");
    }
    let result = run_js(&app, "console.error('oops', {a: 1})", "").await;
    assert_eq!(
        (result["actual_output"].as_str(), result["stderr"].as_str()),
        (Some(""), Some("oops { a: 1 }\n"))
    );
}

#[tokio::test]
async fn modules_that_could_escape_the_sandbox_fail_with_a_clear_error() {
    let app = TestApp::spawn().await;
    for module in [
        "child_process",
        "net",
        "http",
        "https",
        "worker_threads",
        "node:child_process",
    ] {
        let code = format!("const m = require('{module}');\nconsole.log('loaded');");
        let result = run_js(&app, &code, "").await;
        assert_eq!(result["status"], "runtime_error", "{module}: {result}");
        assert_eq!(result["actual_output"], "");
        let stderr = result["stderr"].as_str().unwrap();
        let name = module.trim_start_matches("node:");
        assert!(
            stderr.starts_with(&format!("Uncaught Error: Module '{name}' is not available")),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn uncaught_errors_and_rejections_print_the_error_and_exit_1() {
    let app = TestApp::spawn().await;
    let result = run_js(
        &app,
        "function f() { throw new TypeError('bad') }\nf();",
        "",
    )
    .await;
    assert_eq!(result["status"], "runtime_error");
    assert_eq!(result["exit_code"], 1);
    let stderr = result["stderr"].as_str().unwrap();
    assert!(
        stderr.starts_with("Uncaught TypeError: bad\n    at f (main.js:1"),
        "{stderr}"
    );

    let result = run_js(
        &app,
        "console.log('before');\nPromise.reject(new RangeError('async boom'));",
        "",
    )
    .await;
    assert_eq!(result["exit_code"], 1, "{result}");
    assert_eq!(result["actual_output"], "before\n");
    assert!(
        result["stderr"]
            .as_str()
            .unwrap()
            .starts_with("Uncaught RangeError: async boom"),
        "{result}"
    );

    let handled = "Promise.reject(new Error('x')).catch(() => console.log('handled'));";
    assert_eq!(run_js(&app, handled, "").await["status"], "accepted");
}

#[tokio::test]
async fn process_exit_ends_the_program_with_its_code() {
    let app = TestApp::spawn().await;
    let result = run_js(
        &app,
        "console.log('before');\nprocess.exit(3);\nconsole.log('after');",
        "",
    )
    .await;
    assert_eq!(
        (
            result["exit_code"].as_i64(),
            result["actual_output"].as_str()
        ),
        (Some(3), Some("before\n"))
    );
    // Not even a catch-all stops it, as in Node.
    let result = run_js(
        &app,
        "try { process.exit(4) } catch (e) { console.log('caught') }",
        "",
    )
    .await;
    assert_eq!(
        (
            result["exit_code"].as_i64(),
            result["actual_output"].as_str()
        ),
        (Some(4), Some(""))
    );
    let result = run_js(&app, "console.log('done'); process.exit(0);", "").await;
    assert_eq!(result["status"], "accepted");
    let result = run_js(&app, "process.exitCode = 2;", "").await;
    assert_eq!(result["exit_code"], 2);
}

#[tokio::test]
async fn recursion_works_deep_and_runaway_recursion_is_a_runtime_error() {
    let app = TestApp::spawn().await;
    let deep =
        "function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }\nconsole.log(depth(10000));";
    assert_eq!(run_js(&app, deep, "").await["actual_output"], "10000\n");
    let runaway = "function f(n) { return 1 + f(n + 1); }\nf(0);";
    let result = run_js(&app, runaway, "").await;
    assert_eq!(result["status"], "runtime_error", "{result}");
    assert!(
        result["stderr"]
            .as_str()
            .unwrap()
            .contains("RangeError: Maximum call stack size exceeded"),
        "{result}"
    );
}

#[tokio::test]
async fn nothing_a_run_changes_is_seen_by_the_next() {
    let app = TestApp::spawn().await;
    let tamper = "globalThis.leak = 1; Array.prototype.leak = 2; Math.PI = 3; console.log = () => {}; process.stdout.write('tampered\\n');";
    assert_eq!(
        run_js(&app, tamper, "").await["actual_output"],
        "tampered\n"
    );
    let inspect = "console.log(typeof leak, [].leak, Math.PI);";
    assert_eq!(
        run_js(&app, inspect, "").await["actual_output"],
        "undefined undefined 3.141592653589793\n"
    );
    let mut outputs = std::collections::HashSet::new();
    for _ in 0..3 {
        outputs.insert(
            run_js(&app, "console.log(Math.random())", "").await["actual_output"].to_string(),
        );
    }
    assert_eq!(
        outputs.len(),
        3,
        "Math.random must differ between runs: {outputs:?}"
    );
}

#[tokio::test]
async fn programs_see_no_host_environment_or_files() {
    let app = TestApp::spawn_with_env(&[("JUDGEBOX_TEST_CANARY", "the-host-secret-4711")]).await;
    let code = "console.log(JSON.stringify(process.env), process.argv.length);\ntry { require('fs').readFileSync('/etc/passwd', 'utf8') } catch (e) { console.log(e.code) }";
    let result = run_js(&app, code, "").await;
    assert_eq!(result["actual_output"], "{} 2\nENOENT\n");
    assert!(!result.to_string().contains("the-host-secret-4711"));
}
