"""Figures, not a test (these machines are shared: nothing here asserts a
time). A contest of 529 submissions (Python 60%, C++ 20%, Java 12%,
JavaScript 8%, every source unique) judged by the release binary, then the
latency of new live submissions without and during a contest-wide rejudge,
and the similarity report's time over the 529 final submissions.

    python3 tests/figures/rejudge_and_similarity.py   (after `make setup`)
"""
import json, os, random, statistics, subprocess, tempfile, time, urllib.request

BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", "/var/cache/judgebox/target"), "release/judgebox")
ADMIN = "figures-admin-token-0123456789"
PORT = 18723
BASE = f"http://127.0.0.1:{PORT}"

def call(method, path, body=None, token=ADMIN):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read() or b"null")

SOURCES = {
    "python": "a, b = map(int, input().split())\n# {n}\nprint(a + b)\n",
    "cpp": "#include <iostream>\n// {n}\nint main() {{ long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }}\n",
    "java": "import java.util.*;\n// {n}\npublic class Main {{ public static void main(String[] x) {{ Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); }} }}\n",
    "javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n// {n}\nconsole.log(a + b);\n",
}

def main():
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, JUDGEBOX_ADMIN_TOKEN=ADMIN, DATABASE_URL=f"sqlite://{tmp}/f.db",
               JUDGEBOX_BIND=f"127.0.0.1:{PORT}", JUDGEBOX_RATE_LIMIT_PER_MINUTE="0",
               JUDGEBOX_MAX_QUEUED="100000", RUST_LOG="warn")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                call("GET", "/healthz", token=None); break
            except Exception:
                time.sleep(0.1)
        call("POST", "/admin/questions", {"slug": "sum", "title": "Sum", "test_cases": [
            {"input": "1 2", "expected_output": "3"}, {"input": "20 22", "expected_output": "42", "hidden": True},
            {"input": "100 -1", "expected_output": "99", "hidden": True}]})
        now = time.time()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        call("PUT", "/admin/contests/seed", {"title": "Seed", "starts_at": iso(now - 600), "ends_at": iso(now + 7200),
             "questions": ["sum"], "scoring": "icpc", "scoreboard": "participants"})
        people = [{"user_id": f"s{n:03}", "name": f"Student {n}"} for n in range(529)]
        tokens = [p["token"] for p in call("POST", "/admin/contests/seed/participants", people)["participants"]]
        languages = ["python"] * 60 + ["cpp"] * 20 + ["java"] * 12 + ["javascript"] * 8
        random.seed(7)
        started = time.time()
        ids = []
        for n, token in enumerate(tokens):
            language = random.choice(languages)
            body = {"language": language, "code": SOURCES[language].format(n=n), "question_id": "sum"}
            ids.append(call("POST", "/submissions", body, token)["submission_id"])
        def wait(ids):
            for i in ids:
                while call("GET", f"/submissions/{i}")["state"] != "finished":
                    time.sleep(0.05)
        wait(ids)
        print(f"529 submissions judged in {time.time() - started:.1f} s")

        def live(count):
            latencies = []
            for n in range(count):
                body = {"language": "python", "code": SOURCES["python"].format(n=f"live {n} {time.time()}"), "question_id": "sum", "user_id": f"live{n}"}
                t = time.time()
                i = call("POST", "/submissions", body)["submission_id"]
                wait([i])
                latencies.append((time.time() - t) * 1000)
                time.sleep(0.2)
            return latencies
        def show(name, values):
            values = sorted(values)
            p95 = values[int(0.95 * (len(values) - 1))]
            print(f"{name}: n={len(values)} p50={statistics.median(values):.0f} ms p95={p95:.0f} ms max={values[-1]:.0f} ms")
        show("new submissions, no rejudge", live(20))
        t = time.time()
        rejudge = call("POST", "/admin/rejudges", {"contest": "seed"})
        during = live(20)
        progress = call("GET", f"/admin/rejudges/{rejudge['rejudge_id']}")
        show(f"new submissions during the rejudge (rejudge {progress['done']}/{progress['total']} done after them)", during)
        while not call("GET", f"/admin/rejudges/{rejudge['rejudge_id']}")["finished"]:
            time.sleep(0.2)
        print(f"rejudge of {rejudge['total']} done in {time.time() - t:.1f} s")
        t = time.time()
        report = call("GET", "/admin/contests/seed/questions/sum/similarity?limit=50")
        print(f"similarity: {report['submissions']} final submissions, {report['pairs_compared']} pairs, "
              f"report took {report['took_ms']:.0f} ms in the server, {1000 * (time.time() - t):.0f} ms over HTTP")
    finally:
        server.terminate()
        server.wait()

main()
