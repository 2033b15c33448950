//! Interactive questions: each test, the submission and the interactor run
//! at the same time, each in its own sandbox, talking through their
//! standard streams. The problem: guess a number from 1 to 1000, told
//! "higher" or "lower" after each guess, within a number of guesses.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, statuses};

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
