//! Interactive questions: each test, the submission and the interactor run
//! at the same time, each in its own sandbox, talking through their
//! standard streams. The problem: guess a number from 1 to 1000, told
//! "higher" or "lower" after each guess, within a number of guesses.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{ADMIN_TOKEN, TestApp, statuses};
use crate::packages::{file, zipped};

const TESTLIB_H: &str = include_str!("../fixtures/checkers/testlib.h");
const KATTIS_INTERACTOR: &str = include_str!("../fixtures/interactive/guess_kattis.cpp");
const TESTLIB_INTERACTOR: &str = include_str!("../fixtures/interactive/guess_testlib.cpp");
const TESTLIB_CHECKER: &str = include_str!("../fixtures/interactive/guess_checker.cpp");

/// The sample: the secret 42, found by a binary search in 8 guesses.
const SAMPLE_INTERACTION: &str = "> 500\n< lower\n> 250\n< lower\n> 125\n< lower\n> 62\n< lower\n\
                                  > 31\n< higher\n> 46\n< lower\n> 38\n< higher\n> 42\n< correct\n";

/// A binary search in every language, each flushing as its language needs.
fn binary_searches() -> [(&'static str, &'static str); 5] {
    [
        // input() flushes stdout before it reads.
        (
            "python",
            "lo, hi = 1, 1000\nwhile True:\n    guess = (lo + hi) // 2\n    print(guess)\n    \
             answer = input()\n    if answer == 'correct':\n        break\n    \
             if answer == 'higher':\n        lo = guess + 1\n    else:\n        hi = guess - 1\n",
        ),
        // Node does not buffer stdout: neither does judgebox's runtime.
        (
            "javascript",
            "const rl = require('readline').createInterface({ input: process.stdin });\n\
             let lo = 1, hi = 1000, guess = 500;\nconsole.log(guess);\n\
             rl.on('line', (answer) => {\n  if (answer === 'correct') { rl.close(); return; }\n  \
             if (answer === 'higher') lo = guess + 1; else hi = guess - 1;\n  \
             guess = (lo + hi) >> 1;\n  console.log(guess);\n});\n",
        ),
        (
            "c",
            "#include <stdio.h>\n#include <string.h>\nint main(void) {\n  int lo = 1, hi = 1000;\n  \
             char answer[16];\n  for (;;) {\n    int guess = (lo + hi) / 2;\n    \
             printf(\"%d\\n\", guess);\n    fflush(stdout);\n    \
             if (scanf(\"%15s\", answer) != 1 || !strcmp(answer, \"correct\")) return 0;\n    \
             if (!strcmp(answer, \"higher\")) lo = guess + 1; else hi = guess - 1;\n  }\n}\n",
        ),
        // std::cin is tied to std::cout: reading flushes.
        (
            "cpp",
            "#include <iostream>\n#include <string>\nint main() {\n  int lo = 1, hi = 1000;\n  \
             std::string answer;\n  for (;;) {\n    int guess = (lo + hi) / 2;\n    \
             std::cout << guess << '\\n';\n    \
             if (!(std::cin >> answer) || answer == \"correct\") return 0;\n    \
             if (answer == \"higher\") lo = guess + 1; else hi = guess - 1;\n  }\n}\n",
        ),
        (
            "java",
            "import java.io.*;\npublic class Main {\n  public static void main(String[] a) throws IOException {\n    \
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n    \
             int lo = 1, hi = 1000;\n    for (;;) {\n      int guess = (lo + hi) / 2;\n      \
             System.out.println(guess);\n      System.out.flush();\n      \
             String answer = in.readLine();\n      if (answer == null || answer.equals(\"correct\")) return;\n      \
             if (answer.equals(\"higher\")) lo = guess + 1; else hi = guess - 1;\n    }\n  }\n}\n",
        ),
    ]
}

/// Python: the binary search, then `after` once the number is found.
fn python_search_then(after: &str) -> String {
    format!(
        "lo, hi = 1, 1000\nwhile True:\n    guess = (lo + hi) // 2\n    print(guess)\n    \
         answer = input()\n    if answer == 'correct':\n        break\n    \
         if answer == 'higher':\n        lo = guess + 1\n    else:\n        hi = guess - 1\n{after}\n"
    )
}

/// Guesses 1, 2, 3, ... until told it is right.
const LINEAR_PY: &str = "guess = 1\nwhile True:\n    print(guess)\n    if input() == 'correct':\n        break\n    guess += 1\n";

/// The Kattis interactor in Python: it runs in the WebAssembly interpreter,
/// reading the submission's guesses as they come.
const PYTHON_INTERACTOR: &str = r#"
import sys
secret, limit = map(int, open(sys.argv[1]).read().split())
def say(name, text):
    with open(sys.argv[3] + name, "w") as feedback:
        feedback.write(text)
for guesses in range(1, limit + 1):
    line = sys.stdin.readline().strip()
    if not line.isdigit():
        say("teammessage.txt", "expected a guess")
        sys.exit(43)
    if int(line) == secret:
        print("correct", flush=True)
        sys.exit(42)
    if guesses < limit:
        print("higher" if int(line) < secret else "lower", flush=True)
say("teammessage.txt", "too many guesses")
sys.exit(43)
"#;

/// The Kattis interactor in Java: it runs in the native sandbox.
const JAVA_INTERACTOR: &str = r#"
import java.io.*;
import java.nio.file.*;

public class Interactor {
    public static void main(String[] args) throws IOException {
        String[] input = Files.readString(Path.of(args[0])).trim().split("\\s+");
        int secret = Integer.parseInt(input[0]), limit = Integer.parseInt(input[1]);
        BufferedReader guesses = new BufferedReader(new InputStreamReader(System.in));
        for (int count = 1; ; count++) {
            String line = guesses.readLine();
            if (line == null || !line.trim().matches("\\d+")) say(args[2], "expected a guess", 43);
            int guess = Integer.parseInt(line.trim());
            if (guess == secret) {
                System.out.println("correct");
                System.out.flush();
                System.exit(42);
            }
            if (count >= limit) say(args[2], "too many guesses", 43);
            System.out.println(guess < secret ? "higher" : "lower");
            System.out.flush();
        }
    }

    static void say(String feedback, String text, int exit) throws IOException {
        Files.writeString(Path.of(feedback, "teammessage.txt"), text);
        System.exit(exit);
    }
}
"#;

fn guess_question(slug: &str, interactor: Value, checker: Option<Value>, limit: u32) -> Value {
    let test = |secret: u32| format!("{secret} {limit}\n");
    json!({
        "slug": slug,
        "title": "Guess the number",
        "statement": "Guess a number from 1 to 1000.",
        "limits": {"time_ms": 2000},
        "interactor": interactor,
        "checker": checker,
        "test_cases": [
            {"input": test(42), "expected_output": "", "interaction": SAMPLE_INTERACTION},
            {"input": test(1), "expected_output": "", "hidden": true},
            {"input": test(1000), "expected_output": "", "hidden": true},
            {"input": test(777), "expected_output": "", "hidden": true},
        ]
    })
}

fn kattis_interactor() -> Value {
    json!({"protocol": "kattis", "language": "cpp", "source": KATTIS_INTERACTOR})
}

async fn kattis_guessing(app: &TestApp) {
    let question = guess_question("guess", kattis_interactor(), None, 10);
    let (status, body) = app.create_question(question).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_submission_talks_to_the_interactor_in_every_language() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    for (language, code) in binary_searches() {
        let body = app.judge_on_question("guess", language, code).await;
        assert_eq!(statuses(&body), ["accepted"; 4], "{language}: {body}");
        let sample = &body["test_results"][0];
        assert_eq!(
            sample["actual_output"], "500\n250\n125\n62\n31\n46\n38\n42\n",
            "what it said: {language}"
        );
    }
}

#[tokio::test]
async fn interactors_run_in_python_and_in_java_too() {
    let app = TestApp::spawn_admin().await;
    for (language, source) in [("python", PYTHON_INTERACTOR), ("java", JAVA_INTERACTOR)] {
        let interactor = json!({"protocol": "kattis", "language": language, "source": source});
        let (status, body) = app
            .create_question(guess_question(language, interactor, None, 10))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        for (submission, code) in [binary_searches()[0], binary_searches()[3]] {
            let body = app.judge_on_question(language, submission, code).await;
            assert_eq!(
                statuses(&body),
                ["accepted"; 4],
                "{language}, {submission}: {body}"
            );
        }
        let body = app.judge_on_question(language, "python", LINEAR_PY).await;
        assert_eq!(body["test_results"][0]["status"], "wrong_answer", "{body}");
        assert_eq!(
            body["test_results"][0]["message"], "too many guesses",
            "{language}"
        );
    }
}

#[tokio::test]
async fn the_interactor_decides_and_its_message_reaches_the_student() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    let body = app.judge_on_question("guess", "python", LINEAR_PY).await;
    // 42 takes 42 guesses, 1 takes one.
    assert_eq!(
        statuses(&body),
        ["wrong_answer", "accepted", "wrong_answer", "wrong_answer"],
        "{body}"
    );
    assert_eq!(body["test_results"][0]["message"], "too many guesses");

    let body = app
        .judge_on_question("guess", "python", "print('a guess')")
        .await;
    assert_eq!(body["test_results"][0]["status"], "wrong_answer", "{body}");
    assert_eq!(body["test_results"][0]["message"], "expected a guess");
}

#[tokio::test]
async fn a_satisfied_interactor_does_not_accept_a_submission_that_then_fails() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    let cases = [
        ("while True:\n    pass", "time_limit_exceeded"),
        ("raise SystemExit(3)", "runtime_error"),
        ("x = bytearray(10 ** 9)", "memory_limit_exceeded"),
    ];
    for (after, expected) in cases {
        let code = python_search_then(after);
        let body = app.judge_on_question("guess", "python", &code).await;
        assert_eq!(statuses(&body), [expected; 4], "{after}: {body}");
    }
}

#[tokio::test]
async fn two_sides_waiting_for_each_other_end_as_time_limit_exceeded() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    // It writes its guess but never flushes it, then waits for the answer.
    let code = "import sys\nsys.stdout.write('500\\n')\nsys.stdin.readline()\n";
    let body = app.judge_on_question("guess", "python", code).await;
    assert_eq!(statuses(&body), ["time_limit_exceeded"; 4], "{body}");
    // Waiting is no CPU time: the wall clock ended it.
    let cpu_ms = body["test_results"][0]["cpu_time_ms"].as_f64().unwrap();
    assert!(cpu_ms < 1000.0, "{cpu_ms} ms of CPU while waiting");
}

#[tokio::test]
async fn an_interactor_that_fails_is_the_judges_error_never_the_students() {
    let app = TestApp::spawn_admin().await;
    // It exits 0 where the protocol says 42.
    let broken = KATTIS_INTERACTOR.replace("return 42;", "return 0;");
    let interactor = json!({"protocol": "kattis", "language": "cpp", "source": broken});
    app.create_question(guess_question("broken", interactor, None, 10))
        .await;
    let body = app
        .judge_on_question("broken", "python", binary_searches()[0].1)
        .await;
    assert_eq!(statuses(&body), ["internal_error"; 4], "{body}");
    let message = body["test_results"][0]["message"].as_str().unwrap();
    assert!(message.contains("your teacher can see why"), "{message}");
}

#[tokio::test]
async fn a_testlib_interactor_talks_and_the_checker_judges_what_it_kept() {
    let app = TestApp::spawn_admin().await;
    let files = json!({"testlib.h": TESTLIB_H});
    let interactor = json!({"protocol": "testlib", "language": "cpp",
                            "source": TESTLIB_INTERACTOR, "files": files});
    let checker = json!({"protocol": "testlib", "language": "cpp",
                         "source": TESTLIB_CHECKER, "files": files});
    let question = guess_question("testlib-guess", interactor, Some(checker), 1000);
    let (status, body) = app.create_question(question).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let body = app
        .judge_on_question("testlib-guess", "cpp", binary_searches()[3].1)
        .await;
    assert_eq!(statuses(&body), ["accepted"; 4], "{body}");
    assert_eq!(body["test_results"][0]["message"], "ok 8 guesses");

    // The interactor is satisfied after 42 guesses; the checker is not.
    let body = app
        .judge_on_question("testlib-guess", "python", LINEAR_PY)
        .await;
    assert_eq!(
        statuses(&body),
        ["wrong_answer", "accepted", "wrong_answer", "wrong_answer"],
        "{body}"
    );
    assert_eq!(
        body["test_results"][0]["message"],
        "wrong answer 42 guesses are more than a binary search needs"
    );
}

#[tokio::test]
async fn an_interactive_submission_is_judged_through_the_queue() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    let (language, code) = binary_searches()[4];
    let id = app
        .submit_accepted(json!({"language": language, "code": code, "question_id": "guess"}))
        .await;
    let done = app.wait_for_submission(&id).await;
    assert_eq!(done["result"]["summary"]["passed"], 4, "{done}");
}

#[tokio::test]
async fn students_see_the_sample_interaction_not_the_interactors_data() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    let (status, body) = app.get("/questions/guess").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["interactive"], true);
    let example = &body["examples"][0];
    assert_eq!(example["interaction"], SAMPLE_INTERACTION);
    assert_eq!(example["input"], "", "the interactor's input is its own");
}

#[tokio::test]
async fn interactors_are_checked_when_the_question_is_stored() {
    let app = TestApp::spawn_admin().await;
    let testlib = json!({"protocol": "testlib", "language": "cpp", "source": "int main() {}"});
    let cases = [
        (
            guess_question("a", kattis_interactor(), Some(testlib.clone()), 10),
            "a kattis interactor judges by itself",
        ),
        (
            guess_question(
                "b",
                json!({"protocol": "kattis", "language": "javascript", "source": "x"}),
                None,
                10,
            ),
            "interactor.language must be one of",
        ),
        (
            guess_question(
                "c",
                json!({"protocol": "kattis", "language": "cpp", "source": "int main( {"}),
                None,
                10,
            ),
            "the interactor does not compile",
        ),
    ];
    for (question, expected) in cases {
        let (status, body) = app.create_question(question).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains(expected), "{expected}: {body}");
    }
    let mut sample_only = guess_question("d", kattis_interactor(), None, 10);
    sample_only["interactor"] = Value::Null;
    let (status, body) = app.create_question(sample_only).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string()
            .contains("has an interaction, but the question has no interactor")
    );
}

/// A binary search in Python, JavaScript, C++ and Java, and a linear
/// search that takes too many guesses, as a package's submissions.
fn package_submissions(dir: &str, wrong_dir: &str) -> Vec<(String, String)> {
    let [python, javascript, _, cpp, java] = binary_searches().map(|(_, code)| code);
    vec![
        file(&format!("{dir}/search.py"), python),
        file(&format!("{dir}/search.js"), javascript),
        file(&format!("{dir}/search.cpp"), cpp),
        file(&format!("{dir}/Main.java"), java),
        file(&format!("{wrong_dir}/linear.py"), LINEAR_PY),
    ]
}

/// Every submission of an import's report judged as the package expects.
fn all_as_expected(report: &Value) {
    let submissions = report["submissions"].as_array().unwrap();
    assert_eq!(submissions.len(), 5, "{report}");
    for submission in submissions {
        assert_eq!(submission["as_expected"], true, "{submission}");
    }
}

#[tokio::test]
async fn a_kattis_interactive_package_imports_verifies_and_shows_its_sample_interaction() {
    let app = TestApp::spawn_admin().await;
    let mut files = vec![
        file(
            "problem.yaml",
            "name: Guess\nvalidation: custom interactive\n",
        ),
        file(
            "problem_statement/problem.en.tex",
            "\\problemname{Guess}\nGuess a number $1 \\le s \\le 1000$.\n",
        ),
        file("output_validators/guess/guess.cpp", KATTIS_INTERACTOR),
        file("data/sample/1.in", "42 10\n"),
        file("data/sample/1.ans", ""),
        file("data/sample/1.interaction", SAMPLE_INTERACTION),
    ];
    for (name, secret) in [("a", 1), ("b", 1000), ("c", 777)] {
        files.push(file(
            &format!("data/secret/{name}.in"),
            &format!("{secret} 10\n"),
        ));
        files.push(file(&format!("data/secret/{name}.ans"), ""));
    }
    files.extend(package_submissions(
        "submissions/accepted",
        "submissions/wrong_answer",
    ));
    let (status, body) = app.import_package("guess", zipped(&files), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["report"]["verified"], true, "{body}");
    all_as_expected(&body["report"]);
    assert_eq!(body["question"]["interactor"]["protocol"], "kattis");

    let (_, question) = app.get("/questions/guess").await;
    assert_eq!(question["examples"][0]["interaction"], SAMPLE_INTERACTION);

    let browser = Browser::open(&app.address).await;
    browser.visit("/ui/signin").await;
    browser.sign_in(ADMIN_TOKEN).await;
    browser.visit("/ui/admin/questions/guess/preview").await;
    let page = browser.wait_for_text("This problem is interactive").await;
    assert!(page.contains("Your program"), "{page}");
    assert!(
        !page.contains("42 10"),
        "the interactor's input stays its own"
    );
    // The statement's math, rendered by KaTeX as MathML.
    let tex = browser.find(".statement .math math annotation").await;
    let tex = tex.prop("textContent").await.unwrap();
    assert_eq!(tex.as_deref(), Some("1 \\le s \\le 1000"), "{page}");
    browser.screenshot("student-interactive-question").await;
    browser.close().await;
}

#[tokio::test]
async fn a_polygon_interactive_package_imports_with_its_interactor_and_checker() {
    let app = TestApp::spawn_admin().await;
    let mut files = vec![
        file(
            "problem.xml",
            r#"<?xml version="1.0" encoding="utf-8"?>
<problem revision="1" short-name="guess">
  <names><name language="english" value="Guess, Polygon style"/></names>
  <judging>
    <testset name="tests">
      <time-limit>2000</time-limit>
      <memory-limit>268435456</memory-limit>
      <test-count>3</test-count>
      <input-path-pattern>tests/%02d</input-path-pattern>
      <answer-path-pattern>tests/%02d.a</answer-path-pattern>
      <tests>
        <test method="manual" sample="true"/>
        <test method="manual"/>
        <test method="manual"/>
      </tests>
    </testset>
  </judging>
  <files><resources><file path="files/testlib.h" type="h.g++"/></resources></files>
  <assets>
    <checker name="guesses" type="testlib"><source path="files/check.cpp" type="cpp.g++17"/></checker>
    <interactor><source path="files/interactor.cpp" type="cpp.g++17"/></interactor>
    <solutions>
      <solution tag="main"><source path="solutions/search.cpp" type="cpp.g++17"/></solution>
      <solution tag="accepted"><source path="solutions/search.py" type="python.3"/></solution>
      <solution tag="accepted"><source path="solutions/search.js" type="js"/></solution>
      <solution tag="accepted"><source path="solutions/Main.java" type="java11"/></solution>
      <solution tag="wrong-answer"><source path="solutions/linear.py" type="python.3"/></solution>
    </solutions>
  </assets>
</problem>"#,
        ),
        file("files/testlib.h", TESTLIB_H),
        file("files/check.cpp", TESTLIB_CHECKER),
        file("files/interactor.cpp", TESTLIB_INTERACTOR),
    ];
    for (number, secret) in [(1, 42), (2, 1), (3, 777)] {
        files.push(file(
            &format!("tests/0{number}"),
            &format!("{secret} 1000\n"),
        ));
        files.push(file(&format!("tests/0{number}.a"), ""));
    }
    files.extend(package_submissions("solutions", "solutions"));
    let (status, body) = app.import_package("guess", zipped(&files), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["report"]["verified"], true, "{body}");
    all_as_expected(&body["report"]);
    let question = &body["question"];
    assert_eq!(question["interactor"]["protocol"], "testlib");
    assert_eq!(question["checker"]["protocol"], "testlib");
}

#[tokio::test]
async fn an_interactive_question_exports_as_a_kattis_interactive_package_and_back() {
    let app = TestApp::spawn_admin().await;
    kattis_guessing(&app).await;
    let (status, zip) = app.export_package("guess").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.import_package("guess-again", zip, "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let question = &body["question"];
    assert_eq!(question["interactor"]["source"], KATTIS_INTERACTOR);
    assert_eq!(question["test_cases"][0]["interaction"], SAMPLE_INTERACTION);
    let body = app
        .judge_on_question("guess-again", "python", binary_searches()[0].1)
        .await;
    assert_eq!(statuses(&body), ["accepted"; 4], "{body}");
}
