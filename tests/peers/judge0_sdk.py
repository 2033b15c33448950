"""Runs submissions through the real Judge0 Python SDK (judge0 on PyPI)
against a server, for tests/api/peers.rs.

Reads {"endpoint", "headers", "batch", "submissions": [{"source_code",
"language", "stdin"?, "expected_output"?}]} as JSON on stdin, and prints
one JSON object per submission: what the SDK made of the answer.
"""

import json
import sys

import judge0


def as_dict(result):
    return {
        "token": result.token,
        "status_id": result.status.value if result.status else None,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "compile_output": result.compile_output,
        "message": result.message,
        "time": result.time,
        "memory": result.memory,
        "exit_code": result.exit_code,
    }


def main():
    spec = json.load(sys.stdin)
    client = judge0.Client(spec["endpoint"], headers=spec.get("headers") or {})
    submissions = [
        judge0.Submission(
            source_code=s["source_code"],
            language=s["language"],
            stdin=s.get("stdin"),
            expected_output=s.get("expected_output"),
        )
        for s in spec["submissions"]
    ]
    if spec.get("batch"):
        results = judge0.run(client=client, submissions=submissions)
    else:
        results = [judge0.run(client=client, submissions=s) for s in submissions]
    print(json.dumps([as_dict(r) for r in results]))


if __name__ == "__main__":
    main()
