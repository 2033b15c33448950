"""Judges a small program in every language the server lists, and one C++
program that only the native g++ fallback builds; fails unless each is
accepted on the backend it should use.

Usage: python3 judge_every_language.py BASE_URL FIRST_PYTHON_ANSWER_JSON
"""

import json
import sys
import urllib.request

ECHO = {
    "python": "print(input())",
    "javascript": "const fs = require('fs');\nprocess.stdout.write(fs.readFileSync(0, 'utf8'));",
    "c": '#include <stdio.h>\nint main(void) { char s[64]; scanf("%63s", s); printf("%s\\n", s); }',
    "cpp": "#include <iostream>\n#include <string>\n"
    "int main() { std::string s; std::cin >> s; std::cout << s << '\\n'; }",
    "cpp20": "#include <iostream>\n#include <string>\n"
    "int main() { std::string s; std::cin >> s; std::cout << s << '\\n'; }",
    "java": "import java.util.Scanner;\npublic class Main { public static void main(String[] a) "
    "{ System.out.println(new Scanner(System.in).next()); } }",
}
# WASI has no threads: g++ builds it, and it runs in the native sandbox.
NATIVE_CPP = (
    "#include <chrono>\n#include <iostream>\n#include <string>\n#include <thread>\n"
    "int main() { std::this_thread::sleep_for(std::chrono::milliseconds(1));"
    " std::string s; std::cin >> s; std::cout << s << '\\n'; }"
)


def post(base, body):
    request = urllib.request.Request(
        f"{base}/execute",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def check(name, answer):
    statuses = [test["status"] for test in answer["test_results"]]
    backend = answer["metadata"].get("backend", "-")
    print(f"{name:<14} {backend:<7} {', '.join(statuses)}"
          f"  {answer['metadata']['execution_time_ms']:.0f} ms")
    if statuses != ["accepted"]:
        print(json.dumps(answer, indent=2), file=sys.stderr)
        sys.exit(f"{name} was not accepted")
    return backend


def main():
    base, first = sys.argv[1], json.loads(sys.argv[2])
    check("python (first)", first)
    with urllib.request.urlopen(f"{base}/languages", timeout=10) as response:
        languages = [language["name"] for language in json.load(response)]
    missing = [name for name in languages if name not in ECHO]
    if missing:
        sys.exit(f"no test program for {missing}: add one to {__file__}")
    test = [{"input": "judged\n", "expected_output": "judged\n"}]
    for name in languages:
        check(name, post(base, {"language": name, "code": ECHO[name], "test_cases": test}))
    backend = check("cpp (g++)", post(base, {"language": "cpp", "code": NATIVE_CPP, "test_cases": test}))
    if backend != "native":
        sys.exit(f"the thread-using C++ program ran on {backend}, not the native fallback")


main()
