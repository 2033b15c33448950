//! Java: javac and the JVM in the native sandbox.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_java_solution_is_compiled_and_judged() {
    let app = TestApp::spawn().await;
    let code = "import java.util.*;\npublic class Solution {\n  public static void main(String[] args) {\n    Scanner in = new Scanner(System.in);\n    System.out.println(in.nextLong() + in.nextLong());\n  }\n}\n";
    let body = app
        .judge_code("java", code, &[("1 2", "3"), ("2 2", "5")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    assert_eq!(body["test_results"][1]["status"], "wrong_answer");
    assert_eq!(
        body["metadata"]["runtime"],
        "Java 17, OpenJDK (native sandbox)"
    );
    // The JVM's peak resident memory and CPU time, from the reaper's wait4.
    let test = &body["test_results"][0];
    assert!(test["memory_usage_mb"].as_f64().unwrap() > 10.0, "{test}");
    assert!(test["cpu_time_ms"].as_f64().unwrap() > 10.0, "{test}");
}

#[tokio::test]
async fn a_java_compile_error_reports_javacs_diagnostics() {
    let app = TestApp::spawn().await;
    let body = app
        .judge_code(
            "java",
            "public class Main { public static void main(String[] a) { int x = \"s\"; } }",
            &[("", "")],
            json!({}),
        )
        .await;
    assert_eq!(body["test_results"][0]["status"], "compilation_error");
    let output = body["compile_output"].as_str().unwrap();
    assert!(
        output.contains("Main.java:1: error: incompatible types"),
        "{output}"
    );
}

#[tokio::test]
async fn one_compile_sees_nothing_of_an_earlier_ones_classes() {
    let app = TestApp::spawn().await;
    // javac is kept warm between compiles: the second program names a class
    // only the first one declared.
    let first = "class Helper { static int answer() { return 42; } }\n\
        public class Main { public static void main(String[] a) { System.out.println(Helper.answer()); } }";
    let body = app
        .judge_code("java", first, &[("", "42")], json!({}))
        .await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
    let second = "public class Main { public static void main(String[] a) { System.out.println(Helper.answer()); } }";
    let body = app
        .judge_code("java", second, &[("", "42")], json!({}))
        .await;
    assert_eq!(
        body["test_results"][0]["status"], "compilation_error",
        "{body}"
    );
    let output = body["compile_output"].as_str().unwrap();
    assert!(
        output.contains("Main.java:1: error: cannot find symbol"),
        "{output}"
    );
}

#[tokio::test]
async fn a_source_that_crashes_javac_is_a_compilation_error_and_the_next_compiles() {
    let app = TestApp::spawn().await;
    // Parentheses nested deeper than javac's stack.
    let deep = format!(
        "public class Main {{ public static void main(String[] a) {{ int x = {}1{}; }} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let body = app.judge_code("java", &deep, &[("", "")], json!({})).await;
    assert_eq!(
        body["test_results"][0]["status"], "compilation_error",
        "{body}"
    );
    let output = body["compile_output"].as_str().unwrap();
    // In the words of a javac of its own: the warm one hands such a source on.
    assert!(
        output.contains("The system is out of resources"),
        "{output}"
    );
    assert!(output.contains("StackOverflowError"), "{output}");
    let fine =
        "public class Main { public static void main(String[] a) { System.out.println(7); } }";
    let body = app.judge_code("java", fine, &[("", "7")], json!({})).await;
    assert_eq!(body["test_results"][0]["status"], "accepted", "{body}");
}

#[tokio::test]
async fn java_limits_and_failures_give_their_verdicts() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "public class Main { public static void main(String[] a) { while (true) {} } }",
            json!({"time_ms": 1500}),
            "time_limit_exceeded",
        ),
        (
            "import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 20]); } }",
            json!({}),
            "memory_limit_exceeded",
        ),
        (
            "public class Main { public static void main(String[] a) { throw new IllegalStateException(\"boom\"); } }",
            json!({}),
            "runtime_error",
        ),
        (
            "public class Main { public static void main(String[] a) { while (true) System.out.println(\"spam spam\"); } }",
            json!({}),
            "output_limit_exceeded",
        ),
    ];
    for (code, limits, status) in cases {
        let result = app.run_with_limits("java", code, limits).await;
        assert_eq!(result["status"], status, "{code}: {result}");
    }
    let deep = "public class Main { static int d(int n) { return n == 0 ? 0 : 1 + d(n - 1); } public static void main(String[] a) { System.out.println(d(100000)); } }";
    assert_eq!(
        app.run_with_limits("java", deep, json!({})).await["actual_output"],
        "100000\n"
    );
}

#[tokio::test]
async fn java_threads_start_and_join_beside_a_deep_main() {
    let app = TestApp::spawn().await;
    let code = "public class Main {\n\
        static int d(int n) { return n == 0 ? 0 : 1 + d(n - 1); }\n\
        public static void main(String[] a) throws Exception {\n\
          long[] sums = new long[16]; Thread[] ts = new Thread[16];\n\
          for (int i = 0; i < 16; i++) { final int k = i;\n\
            ts[i] = new Thread(() -> { for (int j = 0; j <= 1000; j++) sums[k] += j; }); ts[i].start(); }\n\
          long total = 0; for (int i = 0; i < 16; i++) { ts[i].join(); total += sums[i]; }\n\
          System.out.println(total + \" \" + d(100000)); } }";
    let result = app.run_with_limits("java", code, json!({})).await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], "8008000 100000\n", "{result}");
}

#[tokio::test]
async fn a_java_class_name_too_long_for_a_file_is_a_compilation_error() {
    let app = TestApp::spawn().await;
    let name = "A".repeat(300);
    let code = format!("public class {name} {{ public static void main(String[] a) {{ }} }}");
    let body = app.judge_code("java", &code, &[("", "")], json!({})).await;
    assert_eq!(
        body["test_results"][0]["status"], "compilation_error",
        "{body}"
    );
    let output = body["compile_output"].as_str().unwrap();
    assert!(output.contains("255 bytes"), "{output}");
}

#[tokio::test]
async fn java_programs_cannot_reach_the_network_files_or_processes() {
    let app = TestApp::spawn().await;
    let attempts = [
        "new java.net.Socket(\"127.0.0.1\", 5432);",
        "System.out.println(java.nio.file.Files.readString(java.nio.file.Path.of(\"/etc/passwd\")));",
        "new ProcessBuilder(\"/bin/sh\", \"-c\", \"echo escaped\").inheritIO().start().waitFor();",
    ];
    for attempt in attempts {
        let code = format!(
            "public class Main {{ public static void main(String[] a) throws Exception {{ {attempt} System.out.println(\"reached\"); }} }}"
        );
        let result = app.run_with_limits("java", &code, json!({})).await;
        assert_eq!(result["status"], "runtime_error", "{attempt}: {result}");
        assert!(
            !result["actual_output"]
                .as_str()
                .unwrap()
                .contains("reached"),
            "{attempt}"
        );
        assert!(
            !result["actual_output"].as_str().unwrap().contains("root:"),
            "{attempt}"
        );
    }
    // Ten thousand threads: refused by the limits, and the server goes on.
    let threads = "public class Main { public static void main(String[] a) throws Exception { for (int i = 0; i < 10000; i++) { Thread t = new Thread(() -> { try { Thread.sleep(60000); } catch (Exception e) {} }); t.setDaemon(true); t.start(); } System.out.println(\"all started\"); } }";
    let result = app
        .run_with_limits("java", threads, json!({"time_ms": 3000}))
        .await;
    assert_ne!(result["status"], "accepted", "{result}");
    let (status, _) = app.health().await;
    assert_eq!(status, reqwest::StatusCode::OK);
}
