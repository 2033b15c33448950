//! C and C++: compiled in the native sandbox to WebAssembly, judged like the
//! interpreted languages.

use std::path::Path;

use serde_json::json;

use crate::helpers::TestApp;

const SUM_CPP: &str = "#include <bits/stdc++.h>\nusing namespace std;\nint main() { long long a, b; cin >> a >> b; cout << a + b << endl; }\n";

#[tokio::test]
async fn a_cpp_solution_is_compiled_and_judged() {
    let app = TestApp::spawn().await;
    let body = app
        .judge_code(
            "cpp",
            SUM_CPP,
            &[("1 2", "3"), ("20 22", "42"), ("2 2", "5")],
            json!({}),
        )
        .await;
    let statuses: Vec<&str> = body["test_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "accepted", "wrong_answer"], "{body}");
    assert_eq!(body["metadata"]["runtime"], "C++17, clang 19 (wasm)");
    // The same source again: served from the compiled-program cache, same verdicts.
    let again = app
        .judge_code("cpp", SUM_CPP, &[("1 2", "3")], json!({}))
        .await;
    assert_eq!(again["test_results"][0]["status"], "accepted");
}

#[tokio::test]
async fn a_c_solution_is_compiled_and_judged() {
    let app = TestApp::spawn().await;
    let code = "#include <stdio.h>\n#include <math.h>\nint main(void) { double x; scanf(\"%lf\", &x); printf(\"%.3f\\n\", sqrt(x)); return 0; }\n";
    let body = app
        .judge_code("c", code, &[("2", "1.414")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
}

#[tokio::test]
async fn a_compile_error_reports_the_native_compilers_diagnostics_on_every_test() {
    let app = TestApp::spawn().await;
    let code = "int main() { return undefined_name; }\n";
    let body = app
        .judge_code("cpp", code, &[("", ""), ("", "")], json!({}))
        .await;
    for test in body["test_results"].as_array().unwrap() {
        assert_eq!(test["status"], "compilation_error");
    }
    let output = body["compile_output"].as_str().unwrap();
    // g++'s words, not clang's ("use of undeclared identifier").
    assert!(
        output.contains("main.cpp:1:21: error: ")
            && output.contains("undefined_name")
            && output.contains("was not declared in this scope"),
        "{output}"
    );
    let code = "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 1) }\n";
    let body = app.judge_code("c", code, &[("", "1")], json!({})).await;
    assert_eq!(body["test_results"][0]["status"], "compilation_error");
    let output = body["compile_output"].as_str().unwrap();
    assert!(
        output.contains("main.c:2:") && output.contains("error: expected ‘;’ before ‘}’ token"),
        "{output}"
    );
}

#[tokio::test]
async fn including_host_files_does_not_leak_them() {
    let app = TestApp::spawn().await;
    let code = "#include \"/etc/passwd\"\nint main() {}\n";
    let body = app.judge_code("cpp", code, &[("", "")], json!({})).await;
    assert_eq!(body["test_results"][0]["status"], "compilation_error");
    let output = body["compile_output"].as_str().unwrap();
    assert!(!output.contains("root:"), "{output}");
    assert!(output.contains("/etc/passwd"), "{output}");
}

#[tokio::test]
async fn every_limit_and_crash_gives_its_verdict() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "int main() { for (;;) {} }",
            json!({"time_ms": 500}),
            "time_limit_exceeded",
        ),
        (
            "int main() { volatile long n = 0; for (;;) n++; }",
            json!({"instruction_limit": 1_000_000}),
            "time_limit_exceeded",
        ),
        (
            "#include <vector>\nint main() { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 20, 1); }",
            json!({}),
            "memory_limit_exceeded",
        ),
        (
            "#include <cstdio>\nint main() { for (;;) puts(\"spam spam spam\"); }",
            json!({}),
            "output_limit_exceeded",
        ),
        (
            "#include <cstdio>\nint main() { volatile int zero = 0; printf(\"%d\", 7 / zero); }",
            json!({}),
            "runtime_error",
        ),
        (
            "#include <cstdlib>\nint main() { abort(); }",
            json!({}),
            "runtime_error",
        ),
        ("int main() { return 3; }", json!({}), "runtime_error"),
    ];
    for (code, limits, status) in cases {
        let result = app.run_with_limits("cpp", code, limits).await;
        assert_eq!(result["status"], status, "{code}: {result}");
    }
    let result = app
        .run_with_limits("cpp", "int main() { return 3; }", json!({}))
        .await;
    assert_eq!(result["exit_code"], 3);
}

#[tokio::test]
async fn recursion_a_million_deep_works_and_runaway_recursion_is_a_runtime_error() {
    let app = TestApp::spawn().await;
    let deep = "#include <cstdio>\nint depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }\nint main() { volatile int n = 1000000; printf(\"%d\\n\", depth(n)); }";
    let result = app.run_with_limits("cpp", deep, json!({})).await;
    assert_eq!(result["actual_output"], "1000000\n", "{result}");
    // A volatile read after the call keeps clang from turning it into a loop.
    let runaway = "int f(int n) { volatile int a[16]; a[n % 16] = n; return f(n + 1) + a[0]; }\nint main() { return f(0); }";
    let result = app.run_with_limits("cpp", runaway, json!({})).await;
    assert_eq!(result["status"], "runtime_error", "{result}");
}

#[tokio::test]
async fn cpp_that_webassembly_cannot_build_falls_back_to_native_gcc() {
    let app = TestApp::spawn().await;
    let exceptions = "#include <bits/stdc++.h>\nusing namespace std;\nint main() { try { throw runtime_error(\"x\"); } catch (const exception& e) { cout << \"caught \" << e.what() << endl; } }\n";
    let body = app
        .judge_code("cpp", exceptions, &[("", "caught x")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    assert_eq!(body["metadata"]["backend"], "native");
    let threads = "#include <thread>\n#include <iostream>\nint main() { int x = 0; std::thread t([&] { x = 42; }); t.join(); std::cout << x << std::endl; }\n";
    let body = app
        .judge_code("cpp", threads, &[("", "42")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    // Programs WebAssembly can build stay there.
    let body = app
        .judge_code("cpp", SUM_CPP, &[("1 2", "3")], json!({}))
        .await;
    assert_eq!(body["metadata"]["backend"], "wasm");
}

#[tokio::test]
async fn programs_including_a_precompiled_header_build_with_both_compilers() {
    let app = TestApp::spawn().await;
    // Made at start-up for clang and g++, where docs/languages.md says.
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes/build/cache/cpp");
    let names: Vec<String> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for gch in ["bits/stdc++.h.gch", "iostream.gch"] {
        let found = names
            .iter()
            .any(|name| name.ends_with(".gch") && cache.join(name).join(gch).is_file());
        assert!(found, "no {gch} in {}: {names:?}", cache.display());
    }
    assert!(
        names.iter().filter(|name| name.ends_with(".pch")).count() >= 2,
        "{names:?}"
    );

    for header in ["bits/stdc++.h", "iostream"] {
        // Built by clang with its precompiled header.
        let code = format!(
            "#include <{header}>\nint main() {{ std::string s; std::cin >> s; std::cout << s << '!' << std::endl; }}\n"
        );
        let body = app
            .judge_code("cpp", &code, &[("hi", "hi!")], json!({}))
            .await;
        assert_eq!(
            body["test_results"][0]["status"], "accepted",
            "{header}: {body}"
        );
        assert_eq!(body["metadata"]["backend"], "wasm", "{header}: {body}");
        // Built by g++ with its own.
        let code = format!(
            "#include <{header}>\nint main() {{ try {{ throw 7; }} catch (int e) {{ std::cout << e << std::endl; }} }}\n"
        );
        let body = app
            .judge_code("cpp20", &code, &[("", "7")], json!({}))
            .await;
        assert_eq!(
            body["test_results"][0]["status"], "accepted",
            "{header}: {body}"
        );
        assert_eq!(body["metadata"]["backend"], "native", "{header}: {body}");
        // Rejected by both: g++'s diagnostics, on the program's own line.
        let code = format!("#include <{header}>\nint main() {{ std::cout << hello; }}\n");
        let body = app.judge_code("cpp", &code, &[("", "")], json!({})).await;
        assert_eq!(
            body["test_results"][0]["status"], "compilation_error",
            "{body}"
        );
        let output = body["compile_output"].as_str().unwrap();
        assert!(
            output.contains("main.cpp:2:") && output.contains("was not declared in this scope"),
            "{header}: {output}"
        );
    }
}

/// A linked list of `n` nodes 1..=n from stdin, summed by a walk that goes
/// `extra` nodes too far: one past the end reads through the null `next`.
fn list_walk(language: &str, extra: u32) -> String {
    let (include, new) = match language {
        "c" => (
            "#include <stdio.h>\n#include <stdlib.h>",
            "malloc(sizeof(struct node))",
        ),
        _ => ("#include <cstdio>", "new node"),
    };
    format!(
        "{include}\nstruct node {{ int val; struct node *next; }};\n\
         int main(void) {{\n  int n; if (scanf(\"%d\", &n) != 1) return 1;\n  struct node *head = 0;\n\
         for (int i = n; i >= 1; i--) {{ struct node *p = {new}; p->val = i; p->next = head; head = p; }}\n\
         long sum = 0; struct node *p = head;\n  for (int i = 0; i < n + {extra}; i++) {{ sum += p->val; p = p->next; }}\n\
         printf(\"%ld\\n\", sum);\n  return 0;\n}}\n"
    )
}

#[tokio::test]
async fn a_null_pointer_dereference_is_a_runtime_error_in_c_and_cpp() {
    let question = json!({
        "slug": "list-sum", "title": "List sum", "statement": "Sum 1..n through a linked list.",
        "languages": ["c", "cpp"],
        "test_cases": [
            {"input": "4", "expected_output": "10"},
            {"input": "100", "expected_output": "5050", "hidden": true},
        ]
    });
    let app = TestApp::spawn_with_question(question, &[]).await;
    for language in ["c", "cpp"] {
        // The walk one node too far: WebAssembly reads zeros at address 0
        // and would print the right sum.
        let submission = json!({"language": language, "code": list_walk(language, 1), "question_id": "list-sum"});
        let (status, body) = app.execute(submission).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
        assert_eq!(body["metadata"]["backend"], "wasm", "{body}");
        let [example, hidden] = [&body["test_results"][0], &body["test_results"][1]];
        assert_eq!(example["status"], "runtime_error", "{language}: {body}");
        assert_eq!(
            example["message"], "the program crashed: null pointer dereference",
            "{language}: {body}"
        );
        // A hidden test says only the verdict.
        assert_eq!(hidden["status"], "runtime_error", "{language}: {body}");
        assert!(hidden["message"].is_null(), "{body}");
        // The right walk is still accepted.
        let submission = json!({"language": language, "code": list_walk(language, 0), "question_id": "list-sum"});
        let (_, body) = app.execute(submission).await;
        assert_eq!(body["summary"]["all_passed"], true, "{language}: {body}");
    }
    let cases = [
        (
            "c",
            "#include <stdio.h>\nint main(void) { int *volatile p = 0; printf(\"%d\\n\", *p); }",
        ),
        (
            "c",
            "struct s { int a, b[4]; };\nint main(void) { struct s *volatile p = 0; p->b[2] = 1; }",
        ),
        (
            "cpp",
            "#include <iostream>\nstruct S { int x; int get() const { return x; } };\nint main() { S *volatile p = nullptr; std::cout << p->get() << std::endl; }",
        ),
        (
            "cpp",
            "#include <iostream>\nint main() { int *volatile p = nullptr; int &r = *p; std::cout << r << std::endl; }",
        ),
    ];
    for (language, code) in cases {
        let result = app.run_with_limits(language, code, json!({})).await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
        assert_eq!(
            result["message"], "the program crashed: null pointer dereference",
            "{code}: {result}"
        );
    }
}

#[tokio::test]
async fn what_only_the_native_compiler_builds_is_judged_natively() {
    let app = TestApp::spawn().await;
    let sleep = "#include <chrono>\n#include <iostream>\n#include <thread>\nint main() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); std::cout << \"awake\" << std::endl; }\n";
    for language in ["cpp", "cpp20"] {
        let body = app
            .judge_code(language, sleep, &[("", "awake")], json!({}))
            .await;
        assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
        assert_eq!(body["metadata"]["backend"], "native", "{body}");
    }
    // C has its fallback too: clock() and threads need more than WASI has.
    let clock = "#include <stdio.h>\n#include <time.h>\n#include <pthread.h>\nstatic void *run(void *arg) { return arg; }\nint main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_join(t, 0); printf(\"%d\\n\", clock() >= 0); return 0; }\n";
    let body = app.judge_code("c", clock, &[("", "1")], json!({})).await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    assert_eq!(body["metadata"]["backend"], "native", "{body}");
    // Natively, a null pointer is a segmentation fault, said so.
    let segfault = "#include <cstdio>\n#include <thread>\nint main() { std::thread([] {}).join(); int *volatile p = nullptr; std::printf(\"%d\\n\", *p); }\n";
    let result = app.run_with_limits("cpp", segfault, json!({})).await;
    assert_eq!(result["status"], "runtime_error", "{result}");
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("segmentation fault"),
        "{result}"
    );
}

#[tokio::test]
async fn a_native_cpp_program_cannot_fork_and_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let fork_bomb = "#include <unistd.h>\n#include <cstdio>\n#include <stdexcept>\nint main() { try { throw 1; } catch (...) {} for (;;) if (fork() < 0) { perror(\"fork\"); return 1; } }\n";
    let result = app
        .run_with_limits("cpp", fork_bomb, json!({"time_ms": 2000}))
        .await;
    assert_eq!(result["status"], "runtime_error", "{result}");
    assert!(
        result["stderr"]
            .as_str()
            .unwrap()
            .contains("fork: Resource temporarily unavailable"),
        "{result}"
    );
    let (status, _) = app.health().await;
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn cpp20_is_its_own_language() {
    let app = TestApp::spawn().await;
    // Ranges, concepts and the spaceship operator are C++20 only.
    let code = "#include <bits/stdc++.h>\nstruct P { int a; auto operator<=>(const P&) const = default; };\ntemplate <std::integral T> T twice(T x) { return 2 * x; }\nint main() { std::vector<int> v{3, 1, 2}; std::ranges::sort(v); std::cout << v[0] << v[2] << twice(21) << (P{1} < P{2}) << std::endl; }\n";
    let body = app
        .judge_code("cpp20", code, &[("", "13421")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    assert_eq!(body["metadata"]["runtime"], "C++20, clang 19 (wasm)");
    let body = app
        .judge_code("cpp", code, &[("", "13421")], json!({}))
        .await;
    assert_eq!(
        body["test_results"][0]["status"], "compilation_error",
        "{body}"
    );
}

#[tokio::test]
async fn a_natively_run_program_reports_its_memory_and_cpu_time() {
    let app = TestApp::spawn().await;
    // Exceptions send it to the native build; it touches 64 MiB.
    let code = "#include <bits/stdc++.h>\nint main() { try { std::vector<char> v(64 << 20, 1); long s = 0; for (char c : v) s += c; std::cout << s << std::endl; throw 1; } catch (int) {} }\n";
    let body = app
        .judge_code("cpp", code, &[("", "67108864")], json!({}))
        .await;
    let test = &body["test_results"][0];
    assert_eq!(test["status"], "accepted", "{body}");
    assert_eq!(body["metadata"]["backend"], "native");
    let memory = test["memory_usage_mb"].as_f64().unwrap();
    assert!((64.0..256.0).contains(&memory), "{test}");
    assert!(test["cpu_time_ms"].as_f64().unwrap() > 0.0, "{test}");
}

/// The builds of `language` in the tests' shared cache directory.
fn builds_dir(language: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("runtimes/build/cache")
        .join(language)
        .join("builds")
}

/// The build of `language` that holds `text` (a string constant of its
/// source, kept in the compiled program's data).
fn build_holding(language: &str, text: &str) -> std::path::PathBuf {
    let entries = std::fs::read_dir(builds_dir(language)).expect("the builds folder");
    (entries.flatten())
        .map(|entry| entry.path())
        .find(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            bytes
                .windows(text.len())
                .any(|window| window == text.as_bytes())
        })
        .unwrap_or_else(|| panic!("no build holds {text}"))
}

fn set_age(path: &std::path::Path, age: std::time::Duration) {
    let file = std::fs::File::open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - age)
        .unwrap();
}

#[tokio::test]
async fn the_disk_cache_keeps_what_is_used_and_evicts_the_least_recently_used_past_its_bound() {
    let hour = std::time::Duration::from_secs(3600);
    // Sources no other test compiles.
    let unique = || {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let code = format!("#include <stdio.h>\nint main(void) {{ puts(\"{id}\"); return 0; }}\n");
        (id, code)
    };
    let app = TestApp::spawn().await;
    let (id, used) = unique();
    let first = app.run_code("c", &used, "").await;
    assert_eq!(first["status"], "accepted", "{first}");
    let build = build_holding("c", &id);
    // Judging the same source again marks its build used, even when it
    // comes from memory.
    set_age(&build, 2 * hour);
    app.run_code("c", &used, "").await;
    let age = std::fs::metadata(&build)
        .unwrap()
        .modified()
        .unwrap()
        .elapsed()
        .unwrap();
    assert!(age < hour, "{} was not marked used", build.display());

    // A stale build of 2 MiB, and a replica whose bound is 1 MiB: its next
    // build evicts the stale one, and keeps the one used just now.
    let stale = builds_dir("c").join(format!("{:064x}.cwasm", 0xdead_u32));
    std::fs::write(&stale, vec![0u8; 2 << 20]).unwrap();
    set_age(&stale, 3 * hour);
    let replica = app.replica(&[("JUDGEBOX_CACHE_MAX_MB", "1")]).await;
    let result = replica.run_code("c", &unique().1, "").await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert!(!stale.exists(), "the least recently used build was evicted");
    assert!(build.exists(), "a build used within the hour stays");
    // An evicted build is simply built again.
    std::fs::remove_file(&build).unwrap();
    let again = replica.run_code("c", &used, "").await;
    assert_eq!(again["status"], "accepted", "{again}");
}
