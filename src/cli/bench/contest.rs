//! `judgebox bench --contest RATE`: a replay of the seed's contest (200
//! students, two questions each, every source new) through `POST /execute`,
//! paced at RATE submissions a minute and then all at once. Prints latency
//! percentiles, throughput, and how many verdicts differed from the ones the
//! sources were written to get.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};

use super::{HttpBench, percentile};

/// Students per language, as in the seed's contest.
const STUDENTS: [(&str, usize); 4] = [
    ("python", 99),
    ("cpp", 50),
    ("java", 33),
    ("javascript", 18),
];

/// What a source was written to get.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expected {
    Accepted,
    WrongAnswer,
    CompilationError,
}

impl Expected {
    fn status(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::WrongAnswer => "wrong_answer",
            Self::CompilationError => "compilation_error",
        }
    }
}

#[derive(Clone, Copy)]
enum Question {
    /// Add two numbers: a test of start-up and I/O.
    Sum,
    /// Count the primes up to n (10^6 at most): CPU-bound.
    Primes,
}

struct Entry {
    language: &'static str,
    code: String,
    tests: Arc<Value>,
    expected: Expected,
}

/// One submission's outcome: its latency, and whether its verdict was the
/// one it was written to get.
struct Outcome {
    millis: f64,
    right: bool,
}

pub async fn replay(http: &Arc<HttpBench>, per_minute: u32) -> Result<()> {
    // Builds outlive a replay in the cache on disk: a replay's sources are
    // its own.
    let replay_id = uuid::Uuid::new_v4().simple().to_string();
    let submissions = submissions(&replay_id[..12]);
    let count = submissions.len();
    println!(
        "\n== contest replay: {count} submissions from 200 students (python 99, cpp 50, java 33, \
         javascript 18), every source new"
    );
    let spacing = Duration::from_secs_f64(60.0 / f64::from(per_minute.max(1)));
    let started = Instant::now();
    let outcomes = run_all(http, &submissions, Arrivals::Paced(spacing)).await?;
    summarise(
        &format!("paced at {per_minute}/min"),
        &outcomes,
        started.elapsed(),
    );
    let started = Instant::now();
    let outcomes = run_all(http, &rename(&submissions), Arrivals::AllAtOnce).await?;
    summarise("all at once", &outcomes, started.elapsed());
    Ok(())
}

/// The same submissions with new sources, so that none is a cached build.
fn rename(submissions: &[Entry]) -> Vec<Entry> {
    submissions
        .iter()
        .map(|entry| Entry {
            language: entry.language,
            code: entry.code.replace("student ", "student again "),
            tests: entry.tests.clone(),
            expected: entry.expected,
        })
        .collect()
}

enum Arrivals {
    /// One submission each interval.
    Paced(Duration),
    /// Every student submits at once, each waiting for their answer before
    /// their next submission.
    AllAtOnce,
}

/// Posts every entry as `arrivals` says and collects how each went.
async fn run_all(
    http: &Arc<HttpBench>,
    entries: &[Entry],
    arrivals: Arrivals,
) -> Result<Vec<Outcome>> {
    let start = tokio::time::Instant::now();
    // One browser per student: at most 200 submissions wait at once.
    let browsers = Arc::new(tokio::sync::Semaphore::new(200));
    let mut tasks = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        if let Arrivals::Paced(spacing) = arrivals {
            tokio::time::sleep_until(start + spacing * n as u32).await;
        }
        let browser = browsers.clone().acquire_owned().await?;
        let http = http.clone();
        let body = json!({"language": entry.language, "code": entry.code,
            "user_id": "contest", "test_cases": *entry.tests});
        let expected = entry.expected;
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let answer = http.execute(&body).await?;
            let millis = started.elapsed().as_secs_f64() * 1e3;
            drop(browser);
            anyhow::Ok(Outcome {
                millis,
                right: verdict(&answer) == expected.status(),
            })
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await??);
    }
    Ok(outcomes)
}

/// `accepted` when every test passed, otherwise the first failed test's status.
fn verdict(answer: &Value) -> &str {
    if answer["summary"]["all_passed"] == true {
        return "accepted";
    }
    let results = answer["test_results"].as_array();
    results
        .and_then(|results| results.iter().find(|r| r["passed"] != true))
        .and_then(|failed| failed["status"].as_str())
        .unwrap_or("no verdict")
}

fn summarise(label: &str, outcomes: &[Outcome], elapsed: Duration) {
    let mut millis: Vec<f64> = outcomes.iter().map(|o| o.millis).collect();
    millis.sort_by(f64::total_cmp);
    let wrong = outcomes.iter().filter(|o| !o.right).count();
    println!(
        "{label:<20} p50 {:>7.0} ms   p95 {:>7.0} ms   p99 {:>7.0} ms   max {:>7.0} ms   \
         {:>5.0} submissions/min   {wrong} wrong verdicts",
        percentile(&millis, 50.0),
        percentile(&millis, 95.0),
        percentile(&millis, 99.0),
        millis[millis.len() - 1],
        outcomes.len() as f64 * 60.0 / elapsed.as_secs_f64(),
    );
}

/// Every student's submissions in the order they arrive: both questions,
/// with a wrong answer first for every third student on the sum and every
/// fourth on the primes, and a compile error first for every fifth student
/// in C++ or Java. Languages are interleaved as students arrive. `replay`
/// names the replay in every source.
fn submissions(replay: &str) -> Vec<Entry> {
    let sum_tests = Arc::new(tests(Question::Sum));
    let primes_tests = Arc::new(tests(Question::Primes));
    let mut students = Vec::new();
    for (language, count) in STUDENTS {
        students.extend((0..count).map(|n| (language, n)));
    }
    // A fixed shuffle (a multiplier coprime with 200), so languages mix.
    let order = (0..students.len()).map(|i| students[(i * 37) % students.len()]);
    let mut entries = Vec::new();
    for (language, n) in order {
        let compiled = matches!(language, "cpp" | "java");
        for (question, tests) in [
            (Question::Sum, &sum_tests),
            (Question::Primes, &primes_tests),
        ] {
            let mut attempts = Vec::new();
            if compiled && n % 5 == 0 {
                attempts.push(Expected::CompilationError);
            }
            let wrong_first = match question {
                Question::Sum => n % 3 == 0,
                Question::Primes => n % 4 == 0,
            };
            if wrong_first {
                attempts.push(Expected::WrongAnswer);
            }
            attempts.push(Expected::Accepted);
            for expected in attempts {
                entries.push(Entry {
                    language,
                    code: source(
                        language,
                        question,
                        expected,
                        &format!("{language} {n} of replay {replay}"),
                    ),
                    tests: tests.clone(),
                    expected,
                });
            }
        }
    }
    entries
}

fn tests(question: Question) -> Value {
    let cases: Vec<Value> = match question {
        Question::Sum => [(1, 2), (-5, 5), (1 << 40, 7), (123456789, 987654321), (0, 0)]
            .iter()
            .map(|(a, b): &(i64, i64)| json!({"input": format!("{a} {b}\n"), "expected_output": (a + b).to_string()}))
            .collect(),
        Question::Primes => [10, 1000, 100_000, 500_000, 1_000_000]
            .iter()
            .map(|&n| json!({"input": format!("{n}\n"), "expected_output": primes_up_to(n).to_string()}))
            .collect(),
    };
    Value::Array(cases)
}

fn primes_up_to(n: usize) -> usize {
    let mut composite = vec![false; n + 1];
    let mut count = 0;
    for i in 2..=n {
        if !composite[i] {
            count += 1;
            for j in (i * i..=n).step_by(i) {
                composite[j] = true;
            }
        }
    }
    count
}

/// A student's source: `student` goes in a comment, so each is new to the
/// build cache; a wrong answer adds one, a compile error drops a `;`.
fn source(language: &str, question: Question, expected: Expected, student: &str) -> String {
    let plus = if expected == Expected::WrongAnswer {
        " + 1"
    } else {
        ""
    };
    let semicolon = if expected == Expected::CompilationError {
        ""
    } else {
        ";"
    };
    match (language, question) {
        ("python", Question::Sum) => {
            format!("# student {student}\na, b = map(int, input().split())\nprint(a + b{plus})\n")
        }
        ("python", Question::Primes) => format!(
            "# student {student}\nn = int(input())\nsieve = bytearray([1]) * (n + 1)\n\
             sieve[0:2] = b'\\x00\\x00'\nfor i in range(2, int(n ** 0.5) + 1):\n    \
             if sieve[i]:\n        sieve[i*i::i] = bytearray(len(range(i*i, n + 1, i)))\n\
             print(sum(sieve){plus})\n"
        ),
        ("javascript", Question::Sum) => format!(
            "// student {student}\nconst [a, b] = require('fs').readFileSync(0, 'utf8').trim()\
             .split(/\\s+/).map(Number);\nconsole.log(a + b{plus});\n"
        ),
        ("javascript", Question::Primes) => format!(
            "// student {student}\nconst n = Number(require('fs').readFileSync(0, 'utf8'));\n\
             const composite = new Uint8Array(n + 1);\nlet count = 0;\n\
             for (let i = 2; i <= n; i++) {{\n  if (composite[i]) continue;\n  count++;\n  \
             for (let j = i * i; j <= n; j += i) composite[j] = 1;\n}}\n\
             console.log(count{plus});\n"
        ),
        ("cpp", Question::Sum) => format!(
            "// student {student}\n#include <bits/stdc++.h>\nusing namespace std;\n\
             int main() {{ long long a, b; cin >> a >> b; cout << a + b{plus} << endl{semicolon} }}\n"
        ),
        ("cpp", Question::Primes) => format!(
            "// student {student}\n#include <bits/stdc++.h>\nusing namespace std;\n\
             int main() {{\n  int n; cin >> n;\n  vector<bool> composite(n + 1);\n  int count = 0;\n  \
             for (long long i = 2; i <= n; i++) {{\n    if (composite[i]) continue;\n    count++;\n    \
             for (long long j = i * i; j <= n; j += i) composite[j] = true;\n  }}\n  \
             cout << count{plus} << endl{semicolon}\n}}\n"
        ),
        ("java", Question::Sum) => format!(
            "// student {student}\nimport java.util.*;\npublic class Main {{\n  \
             public static void main(String[] args) {{\n    Scanner in = new Scanner(System.in);\n    \
             long a = in.nextLong(), b = in.nextLong();\n    System.out.println(a + b{plus}){semicolon}\n  }}\n}}\n"
        ),
        ("java", Question::Primes) => format!(
            "// student {student}\nimport java.util.*;\npublic class Main {{\n  \
             public static void main(String[] args) {{\n    int n = new Scanner(System.in).nextInt();\n    \
             boolean[] composite = new boolean[n + 1];\n    int count = 0;\n    \
             for (long i = 2; i <= n; i++) {{\n      if (composite[(int) i]) continue;\n      count++;\n      \
             for (long j = i * i; j <= n; j += i) composite[(int) j] = true;\n    }}\n    \
             System.out.println(count{plus}){semicolon}\n  }}\n}}\n"
        ),
        _ => unreachable!("no contest source for {language}"),
    }
}
