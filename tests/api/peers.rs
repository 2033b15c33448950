//! The Jobe, Judge0 and Piston APIs, driven as their clients drive them:
//! CodeRunner's request sequence for Jobe, and the real Judge0 Python SDK
//! and `piston-client` (installed by `make peer-clients`) for the others.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest, Md5};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Hello world in each language, as each peer names it: Jobe, Judge0's id,
/// Piston.
const HELLO: [(&str, u32, &str, &str); 5] = [
    ("python3", 71, "python", "print('hello, world')\n"),
    ("nodejs", 63, "javascript", "console.log('hello, world');\n"),
    (
        "c",
        50,
        "c",
        "#include <stdio.h>\nint main(void) { puts(\"hello, world\"); return 0; }\n",
    ),
    (
        "cpp",
        54,
        "c++",
        "#include <iostream>\nint main() { std::cout << \"hello, world\" << std::endl; }\n",
    ),
    (
        "java",
        62,
        "java",
        "public class Main { public static void main(String[] a) { System.out.println(\"hello, world\"); } }\n",
    ),
];

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

#[tokio::test]
async fn jobe_runs_every_language_and_reports_outcomes_as_jobe_decides_them() {
    let app = TestApp::spawn().await;
    let (status, languages) = app.get("/jobe/index.php/restapi/languages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        languages
            .as_array()
            .unwrap()
            .contains(&json!(["python3", "3.14"])),
        "{languages}"
    );
    for (language, _, _, code) in HELLO {
        // CodeRunner's own keys and PHP's empty `parameters` come along.
        let spec = json!({"language_id": language, "sourcecode": code, "input": "",
            "file_list": [], "parameters": [], "jobeserver": "localhost",
            "sourcefilename": format!("__tester__.{language}")});
        let (status, body) = app.jobe_run(None, spec).await;
        assert_eq!(status, StatusCode::OK, "{language}: {body}");
        assert_eq!(body["outcome"], 15, "{language}: {body}");
        assert_eq!(body["stdout"], "hello, world\n", "{language}: {body}");
        assert_eq!(
            (&body["stderr"], &body["cmpinfo"]),
            (&json!(""), &json!(""))
        );
        assert_eq!(body["run_id"], Value::Null);
    }
    let run = |language: &str, code: &str, parameters: Value| json!({"language_id": language, "sourcecode": code, "parameters": parameters});
    let warning = "#include <stdio.h>\nint main(void) { int unused; puts(\"hi\"); return 0; }\n";
    let cases = [
        // Warnings are errors under CodeRunner's C flags; -lm is accepted.
        (
            run(
                "c",
                warning,
                json!({"compileargs": ["-Wall -Werror"], "linkargs": ["-lm"]}),
            ),
            11,
        ),
        (run("c", warning, json!({})), 15),
        (run("python3", "print(1 +)", json!({})), 11),
        (
            run(
                "python3",
                "import sys\nprint('x', file=sys.stderr)",
                json!({}),
            ),
            12,
        ),
        (run("python3", "raise ValueError('no')", json!({})), 12),
        // Jobe ignores the exit status: no stderr, no error.
        (run("python3", "import sys\nsys.exit(3)", json!({})), 15),
        (
            run("c", "int main(void) { int *p = 0; return *p; }", json!({})),
            12,
        ),
        (
            run("python3", "while True: pass", json!({"cputime": 1})),
            13,
        ),
        (
            run(
                "python3",
                "while True: print('x' * 1000)",
                json!({"streamsize": 1}),
            ),
            13,
        ),
        (
            run(
                "python3",
                "x = bytearray(400 << 20)",
                json!({"memorylimit": 64}),
            ),
            17,
        ),
    ];
    for (spec, outcome) in cases {
        let (status, body) = app.jobe_run(None, spec.clone()).await;
        assert_eq!(
            (status, &body["outcome"]),
            (StatusCode::OK, &json!(outcome)),
            "{spec}: {body}"
        );
        match outcome {
            11 => assert!(!body["cmpinfo"].as_str().unwrap().is_empty(), "{body}"),
            12 => assert!(!body["stderr"].as_str().unwrap().is_empty(), "{body}"),
            // CodeRunner calls any stderr a runtime error.
            13 => assert_eq!(body["stderr"], "", "{body}"),
            _ => {}
        }
    }
    let args = run(
        "python3",
        "import sys\nprint(sys.argv[1:])",
        json!({"runargs": ["a 'b c'"]}),
    );
    let (_, body) = app.jobe_run(None, args).await;
    assert_eq!(body["stdout"], "['a', 'b c']\n", "{body}");
    // Jobe's own test of output that is not UTF-8.
    let bytes = "import sys\nsys.stdout.buffer.write(b'Hello world\\n\\x01\\x06\\xc0\\xc9\\n')";
    let (_, body) = app.jobe_run(None, run("python3", bytes, json!({}))).await;
    assert_eq!(
        body["stdout"], "Hello world\n\\x01\\x06\\xc0\\xc9\n",
        "{body}"
    );
    // A class that is not public runs too: CodeRunner names the file after it.
    let plain =
        "class Prog { public static void main(String[] a) { System.out.println(\"plain\"); } }";
    let spec = json!({"language_id": "java", "sourcecode": plain, "sourcefilename": "Prog.java"});
    let (_, body) = app.jobe_run(None, spec).await;
    assert_eq!(
        (&body["outcome"], &body["stdout"]),
        (&json!(15), &json!("plain\n")),
        "{body}"
    );
}

#[tokio::test]
async fn jobe_runs_naming_a_file_not_stored_get_404_then_the_files_coderunner_uploads() {
    let app = TestApp::spawn().await;
    let helper = "public class Helper { static int answer() { return 42; } }\n";
    let data = "three\nlines\nhere\n";
    let (helper_id, data_id) = (md5_hex(helper), md5_hex(data));
    let java = json!({"language_id": "java", "sourcefilename": "Prog.java",
        "sourcecode": "public class Prog { public static void main(String[] a) { System.out.println(Helper.answer()); } }\n",
        "file_list": [[helper_id, "Helper.java"]]});
    let python = json!({"language_id": "python3",
        "sourcecode": "print(len(open('data.txt').read().splitlines()))",
        "file_list": [[data_id, "data.txt"]]});
    for spec in [&java, &python] {
        let (status, body) = app.jobe_run(None, spec.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(
            body,
            "One or more of the specified files is missing/unavailable"
        );
    }
    assert_eq!(
        app.jobe_file_exists(None, &helper_id).await,
        StatusCode::NOT_FOUND
    );
    for (id, contents) in [(&helper_id, helper), (&data_id, data)] {
        assert_eq!(
            app.jobe_put_file(None, id, contents).await,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        app.jobe_file_exists(None, &helper_id).await,
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.jobe_run(None, java).await;
    assert_eq!(
        (status, &body["outcome"], &body["stdout"]),
        (StatusCode::OK, &json!(15), &json!("42\n")),
        "{body}"
    );
    let (_, body) = app.jobe_run(None, python).await;
    assert_eq!(body["stdout"], "3\n", "{body}");
    // An MD5 id must be the contents' digest: no one can replace a file
    // another run names with other contents under its id.
    assert_eq!(
        app.jobe_put_file(None, &data_id, "other").await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn jobe_files_are_kept_apart_by_who_stored_them() {
    let app = TestApp::spawn_admin().await;
    let key = app.new_api_key("service").await;
    let (id, contents) = ("sharedname1", "the service's");
    assert_eq!(
        app.jobe_put_file(Some(&key), id, contents).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.jobe_file_exists(Some(&key), id).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.jobe_file_exists(None, id).await, StatusCode::NOT_FOUND);
    let spec = json!({"language_id": "python3", "sourcecode": "print(open('f').read())",
        "file_list": [[id, "f"]]});
    let (status, _) = app.jobe_run(None, spec.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.jobe_run(Some(&key), spec).await;
    assert_eq!(
        (status, &body["stdout"]),
        (StatusCode::OK, &json!("the service's\n")),
        "{body}"
    );
    let (status, body) = app.jobe_run(Some("not-a-key"), json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn jobe_errors_are_json_strings_in_jobes_words() {
    let app = TestApp::spawn().await;
    let python = |extra: Value| {
        let mut spec = json!({"language_id": "python3", "sourcecode": "print(1)"});
        spec.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        spec
    };
    let cases = [
        (
            json!({"language_id": "cobol", "sourcecode": "x"}),
            "Language 'cobol' is not known",
        ),
        (
            json!({"language_id": "python3"}),
            "run_spec is missing the required attribute 'sourcecode'",
        ),
        (
            json!({"sourcecode": "x"}),
            "run_spec is missing the required attribute 'language_id'",
        ),
        (
            python(json!({"parameters": {"cputime": 1000}})),
            "cputime exceeds maximum allowed on this Jobe server (10 secs)",
        ),
        (
            python(json!({"sourcefilename": "../x.py"})),
            "The sourcefilename for the run_spec is illegal",
        ),
        (
            python(json!({"file_list": [["only-an-id"]]})),
            "Invalid file specifier: [\"only-an-id\"]",
        ),
    ];
    for (spec, message) in cases {
        let (status, body) = app.jobe_run(None, spec).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!(message)));
    }
    for refused in [
        json!({"compileargs": ["-I/etc"]}),
        json!({"interpreterargs": ["-c"]}),
    ] {
        let spec = json!({"language_id": "c", "sourcecode": "int main(void){return 0;}", "parameters": refused});
        let (status, body) = app.jobe_run(None, spec).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.is_string(), "{body}");
    }
    let request = app.request(Method::POST, "/jobe/index.php/restapi/runs");
    let response = request.body("{\"no_spec\": 1}").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "\"No run_spec attribute found in post data\""
    );
}

/// The venv `make peer-clients` installs the Judge0 SDK into.
fn peer_clients_venv() -> PathBuf {
    std::env::var_os("PEER_CLIENTS_VENV").map_or_else(
        || PathBuf::from("/var/cache/judgebox/peer-clients-venv"),
        PathBuf::from,
    )
}

/// What `program` (with `args`) printed given `spec` on stdin, as JSON.
fn run_client(program: PathBuf, args: &[&str], spec: &Value) -> Value {
    let mut child = Command::new(&program)
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{} (run `make peer-clients`): {error}", program.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed: {stderr}",
        program.display()
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("not JSON; stderr: {stderr}"))
}

fn judge0_sdk(spec: &Value) -> Vec<Value> {
    let python = peer_clients_venv().join("bin/python");
    let results = run_client(python, &["judge0_sdk.py"], spec);
    results.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_judge0_sdk_runs_every_language_with_an_api_key_in_x_auth_token() {
    let app = TestApp::spawn_with_env(&[
        ("JUDGEBOX_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN),
        ("JUDGEBOX_OPEN_EXECUTE", "false"),
    ])
    .await;
    let key = app.new_api_key("service").await;
    let endpoint = format!("{}/judge0", app.address);
    let hello: Vec<Value> = HELLO
        .iter()
        .map(|(_, id, _, code)| json!({"source_code": code, "language": id}))
        .collect();
    for batch in [false, true] {
        let spec = json!({"endpoint": endpoint, "headers": {"X-Auth-Token": key},
            "batch": batch, "submissions": hello});
        for (result, (_, id, ..)) in judge0_sdk(&spec).iter().zip(HELLO) {
            assert_eq!(result["status_id"], 3, "{id}: {result}");
            assert_eq!(result["stdout"], "hello, world\n", "{id}: {result}");
            assert!(
                result["time"].as_f64().is_some() && result["memory"].as_u64().is_some(),
                "{result}"
            );
        }
    }
    let judged = json!([
        {"source_code": "print(input())", "language": 71, "stdin": "hi", "expected_output": "hi \n\n"},
        {"source_code": "print(input())", "language": 71, "stdin": "hi", "expected_output": "ho"},
        {"source_code": "int main(void) { return x; }", "language": 50},
        {"source_code": "int main(void) { int *p = 0; return *p; }", "language": 50},
        {"source_code": "#include <stdlib.h>\nint main(void) { abort(); }", "language": 54},
        {"source_code": "import sys\nsys.exit(2)", "language": 71},
        {"source_code": "while True: pass", "language": 71},
    ]);
    let spec = json!({"endpoint": endpoint, "headers": {"X-Auth-Token": key},
        "batch": true, "submissions": judged});
    let statuses: Vec<Value> = judge0_sdk(&spec)
        .iter()
        .map(|r| r["status_id"].clone())
        .collect();
    assert_eq!(statuses, [3, 4, 6, 7, 10, 11, 5].map(|id| json!(id)));
    // Without the key, this server runs nothing.
    let spec = json!({"endpoint": endpoint, "batch": false, "submissions": [hello[0]]});
    let python = peer_clients_venv().join("bin/python");
    let output = Command::new(python)
        .arg("judge0_sdk.py")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(spec.to_string().as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(!output.status.success(), "an anonymous SDK client ran code");
}

#[tokio::test]
async fn judge0_checks_submissions_as_judge0_does_and_answers_in_base64() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"source_code": "print(1)", "language_id": 999}),
            "language_id",
        ),
        (json!({"language_id": 71}), "source_code"),
        (
            json!({"source_code": "print(1)", "language_id": 71, "cpu_time_limit": 1000}),
            "cpu_time_limit",
        ),
        (
            json!({"source_code": "print(1)", "language_id": 71, "memory_limit": 100}),
            "memory_limit",
        ),
        (
            json!({"source_code": "print(1)", "language_id": 71, "enable_network": true}),
            "enable_network",
        ),
        (
            json!({"source_code": "print(1)", "language_id": 71, "compiler_options": "-O2"}),
            "compiler_options",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.judge0_submit("", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(answer[field].is_array(), "{field}: {answer}");
    }
    let code = "import sys\nprint(sys.argv[1], open('in.txt').read())\nprint('é', file=sys.stderr)";
    let zip = zip_of("in.txt", "zipped");
    let body = json!({"source_code": BASE64.encode(code), "language_id": 71,
        "command_line_arguments": "first", "additional_files": zip});
    let (status, answer) = app
        .judge0_submit("base64_encoded=true&wait=true&fields=*", body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(
        answer["stdout"],
        format!("{}\n", BASE64.encode("first zipped\n")),
        "{answer}"
    );
    assert_eq!(answer["stderr"], format!("{}\n", BASE64.encode("é\n")));
    assert_eq!(
        (&answer["status"]["id"], &answer["language"]["id"]),
        (&json!(3), &json!(71))
    );
    let token = answer["token"].as_str().unwrap();
    let (status, shown) = app.get(&format!("/judge0/submissions/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    let mut keys: Vec<&String> = shown.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "compile_output",
            "memory",
            "message",
            "status",
            "stderr",
            "stdout",
            "time",
            "token"
        ]
    );
    let (status, body) = app
        .get(&format!("/judge0/submissions/{token}?fields=stdout,nope"))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid fields: [nope]"})
        )
    );
    let (status, _) = app
        .get("/judge0/submissions/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, batch) = app
        .get(&format!(
            "/judge0/submissions/batch?tokens={token},nope&fields=token"
        ))
        .await;
    assert_eq!(
        (status, batch),
        (
            StatusCode::OK,
            json!({"submissions": [{"token": token}, null]})
        )
    );
    let (status, about) = app.get("/judge0/about").await;
    assert_eq!(
        (status, &about["version"]),
        (StatusCode::OK, &json!("1.13.1"))
    );
}

/// A zip archive holding `name`, in base64, as Judge0's `additional_files`.
fn zip_of(name: &str, contents: &str) -> String {
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut bytes);
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(contents.as_bytes()).unwrap();
    zip.finish().unwrap();
    BASE64.encode(bytes.into_inner())
}

#[tokio::test]
async fn piston_client_runs_every_language_and_a_failed_compile_is_the_run() {
    let app = TestApp::spawn().await;
    let mut runs: Vec<Value> = HELLO
        .iter()
        .map(|(_, _, language, code)| json!({"language": language, "code": code}))
        .collect();
    runs.push(json!({"language": "c", "code": "int main(void) { return x; }"}));
    // An alias needs a version: the client looks canonical names up only.
    runs.push(
        json!({"language": "py", "code": "import sys\nprint(sys.argv[1:], input())",
        "options": {"version": "3", "args": ["a", "b"], "stdin": "typed"}}),
    );
    let node = PathBuf::from("node");
    let answer = run_client(
        node,
        &["piston_client.mjs"],
        &json!({"server": app.address, "runs": runs}),
    );
    let results = answer["results"].as_array().unwrap();
    for (result, (_, _, language, _)) in results.iter().zip(HELLO) {
        assert_eq!(result["language"], language, "{result}");
        assert_eq!(
            result["run"]["stdout"], "hello, world\n",
            "{language}: {result}"
        );
        assert_eq!(
            (&result["run"]["code"], &result["run"]["status"]),
            (&json!(0), &Value::Null)
        );
        let compiled = matches!(language, "c" | "c++");
        assert_eq!(result.get("compile").is_some(), compiled, "{result}");
    }
    let failed = &results[5];
    assert_eq!(failed["compile"]["code"], 1, "{failed}");
    assert!(
        failed["compile"]["stderr"].as_str().unwrap().contains("x"),
        "{failed}"
    );
    assert_eq!(failed["run"], failed["compile"]);
    assert_eq!(
        results[6]["run"]["stdout"], "['a', 'b'] typed\n",
        "{}",
        results[6]
    );
    let runtimes = answer["runtimes"].as_array().unwrap();
    assert_eq!(runtimes.len(), 5, "{runtimes:?}");
}

#[tokio::test]
async fn piston_refuses_what_piston_refuses_and_names_signals() {
    let app = TestApp::spawn().await;
    let python = |extra: Value| {
        let mut body = json!({"language": "python", "version": "*",
            "files": [{"content": "print(1)"}]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            json!({"version": "*", "files": []}),
            "language is required as a string",
        ),
        (
            json!({"language": "python", "files": []}),
            "version is required as a string",
        ),
        (
            json!({"language": "cobol", "version": "1", "files": [{"content": "x"}]}),
            "cobol-1 runtime is unknown",
        ),
        (
            json!({"language": "python", "version": "2", "files": [{"content": "x"}]}),
            "python-2 runtime is unknown",
        ),
        (
            python(json!({"run_timeout": 999_999})),
            "run_timeout cannot exceed the configured limit of 10000",
        ),
    ];
    for (body, message) in cases {
        let (status, answer) = app.piston_execute(body).await;
        assert_eq!(
            (status, answer),
            (StatusCode::BAD_REQUEST, json!({"message": message}))
        );
    }
    let (_, answer) = app
        .piston_execute(python(
            json!({"files": [{"content": "while True: pass"}], "run_timeout": 300}),
        ))
        .await;
    assert_eq!(
        (&answer["run"]["status"], &answer["run"]["signal"]),
        (&json!("TO"), &json!("SIGKILL")),
        "{answer}"
    );
    let segfault = json!({"language": "c", "version": "*",
        "files": [{"content": "int main(void) { int *p = 0; return *p; }"}]});
    let (_, answer) = app.piston_execute(segfault).await;
    assert_eq!(
        (&answer["run"]["status"], &answer["run"]["signal"]),
        (&json!("SG"), &json!("SIGSEGV")),
        "{answer}"
    );
    let (_, answer) = app
        .piston_execute(python(json!({"files": [{"content": "print(1 +)"}]})))
        .await;
    assert_eq!(
        (&answer["run"]["code"], &answer["run"]["status"]),
        (&json!(1), &json!("RE")),
        "{answer}"
    );
    assert!(answer.get("compile").is_none(), "{answer}");
}

#[tokio::test]
async fn each_peer_api_can_be_switched_off() {
    let app = TestApp::spawn_with_env(&[
        ("JUDGEBOX_JUDGE0_API", "false"),
        ("JUDGEBOX_PISTON_API", "false"),
    ])
    .await;
    for path in ["/judge0/about", "/api/v2/runtimes"] {
        let (status, _) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = app.get("/jobe/index.php/restapi/languages").await;
    assert_eq!(status, StatusCode::OK);
}
