//! What untrusted code must not reach: network, host files, host environment,
//! processes, or anything a previous run left behind.

use crate::helpers::TestApp;

const CANARY: &str = "JUDGEBOX_TEST_CANARY";
const CANARY_VALUE: &str = "the-host-secret-4711";

#[tokio::test]
async fn programs_cannot_open_network_connections() {
    let app = TestApp::spawn().await;
    let address = app.address.trim_start_matches("http://").to_string();
    let (host, port) = address.rsplit_once(':').unwrap();
    // The raw socket module exists: these reach the host's WASI policy, which
    // refuses to create TCP or UDP sockets at all.
    let refused_by_the_host = [
        "import _socket\ns = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)".to_string(),
        "import _socket\ns = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)".to_string(),
        format!("import _socket\ns = _socket.socket()\ns.connect(('{host}', {port}))"),
    ];
    for code in refused_by_the_host {
        let result = app
            .run_python(&format!("{code}\nprint('connected')"), "")
            .await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
        assert_eq!(result["actual_output"], "", "{code}");
        let stderr = result["stderr"].as_str().unwrap();
        assert!(stderr.contains("PermissionError"), "{code}: {stderr}");
    }
    let missing_modules = [
        "import socket",
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1/')",
        "import http.client\nhttp.client.HTTPConnection('127.0.0.1').request('GET', '/')",
    ];
    for code in missing_modules {
        let result = app.run_python(code, "").await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
        assert!(
            result["stderr"]
                .as_str()
                .unwrap()
                .contains("ModuleNotFoundError"),
            "{code}"
        );
    }
}

#[tokio::test]
async fn programs_cannot_read_or_list_host_files() {
    let app = TestApp::spawn().await;
    let database = app.data_dir().join("judgebox.db");
    let attempts = [
        "print(open('/etc/passwd').read())".to_string(),
        format!(
            "print(open({:?}, 'rb').read()[:16])",
            database.display().to_string()
        ),
        "import os\nprint(os.listdir('/'))".to_string(),
        "import os\nprint(os.listdir('.'))".to_string(),
        "print(open('/proc/self/environ').read())".to_string(),
        "open('/tmp/judgebox-escape', 'w').write('x')".to_string(),
    ];
    for code in attempts {
        let result = app.run_python(&code, "").await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
        assert_eq!(result["actual_output"], "", "{code}");
        let stderr = result["stderr"].as_str().unwrap();
        assert!(
            stderr.contains("No such file or directory"),
            "{code}: {stderr}"
        );
    }
    assert!(!std::path::Path::new("/tmp/judgebox-escape").exists());
}

#[tokio::test]
async fn programs_cannot_see_the_host_environment() {
    let app = TestApp::spawn_with_env(&[(CANARY, CANARY_VALUE)]).await;
    let code = "import os, sys\nprint(dict(os.environ))\nprint(os.environ.get('JUDGEBOX_TEST_CANARY'))\nprint(sys.argv)";
    let result = app.run_python(code, "").await;
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["actual_output"], "{}\nNone\n[]\n");
    assert!(!result.to_string().contains(CANARY_VALUE));
}

#[tokio::test]
async fn programs_cannot_start_processes_or_threads() {
    let app = TestApp::spawn().await;
    let attempts = [
        "import subprocess\nsubprocess.run(['ls'])",
        "import os\nos.system('ls')",
        "import os\nos.fork()",
        "import os\nos.execv('/bin/sh', ['sh'])",
        "import threading\nthreading.Thread(target=print).start()",
    ];
    for code in attempts {
        let result = app.run_python(code, "").await;
        assert_eq!(result["status"], "runtime_error", "{code}: {result}");
    }
}

#[tokio::test]
async fn nothing_a_run_changes_is_seen_by_the_next() {
    let app = TestApp::spawn().await;
    let tamper = r#"
import sys, builtins, json, math
counter = 1
sys.leak = 1
builtins.leak = 2
json.leak = 3
math.pi = 3
sys.setrecursionlimit(50)
print("tampered")
"#;
    assert_eq!(
        app.run_python(tamper, "").await["actual_output"],
        "tampered\n"
    );
    let inspect = r#"
import sys, builtins, json, math
print('counter' in globals(), hasattr(sys, 'leak'), hasattr(builtins, 'leak'), hasattr(json, 'leak'))
print(math.pi, sys.getrecursionlimit())
"#;
    let result = app.run_python(inspect, "").await;
    assert_eq!(
        result["actual_output"],
        "False False False False\n3.141592653589793 1000\n"
    );
}

#[tokio::test]
async fn random_numbers_differ_between_runs() {
    let app = TestApp::spawn().await;
    let code = "import random\nprint(random.random(), random.randint(0, 10**9))";
    let mut outputs = std::collections::HashSet::new();
    for _ in 0..3 {
        outputs.insert(
            app.run_python(code, "").await["actual_output"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(outputs.len(), 3, "{outputs:?}");
}
