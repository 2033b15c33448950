#!/usr/bin/env bash
# Fuzzes a running judgebox from its own OpenAPI document with Schemathesis:
# every check, a bounded number of examples per operation. No 5xx, and every
# answer must match the document. Exit 1 (a check failed) or 2 (Schemathesis
# could not run) fails the build.
#
# Usage: tests/schemathesis.sh JUDGEBOX_BINARY SCHEMATHESIS_BINARY
# - SCHEMATHESIS_EXAMPLES bounds the examples per operation (default 100:
#   under a minute on 2 cores);
# - SCHEMATHESIS_SEED replays a run (each run prints its seed);
# - SCHEMATHESIS_ARGS adds options (say `--report har --report-dir DIR`);
# - JUDGEBOX_FUZZ_DATABASE_URL fuzzes on that database instead of a
#   throw-away SQLite file: a PostgreSQL one must be reached through its Unix
#   socket (postgres:///DB?host=/var/run/postgresql), as the namespace below
#   has no network.
#
# It runs in a network namespace of its own, with only loopback: generated
# callback URLs may name any public address, and no callback, nor any DNS
# look-up of a generated host name, may leave this machine.
set -euo pipefail

if [[ -z "${JUDGEBOX_FUZZ_NETNS:-}" ]]; then
    exec unshare --net env JUDGEBOX_FUZZ_NETNS=1 "$0" "$@"
fi
ip link set lo up

absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
binary=$(absolute "$1")
schemathesis=$(absolute "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=""
cleanup() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

token=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
JUDGEBOX_ADMIN_TOKEN=$token RUST_LOG=${RUST_LOG:-error} \
    "$binary" serve --bind 127.0.0.1:0 \
    --database-url "${JUDGEBOX_FUZZ_DATABASE_URL:-sqlite://$work/judgebox.db}" \
    --runtimes-dir "$root/runtimes/build" --cache-dir "$root/runtimes/build/cache" \
    >"$work/stdout" &
server=$!

# Its first line names the port the kernel chose; then it must be ready.
ready=""
for _ in $(seq 300); do
    line=$(head -n 1 "$work/stdout" 2>/dev/null || true)
    base=${line#judgebox listening on }
    if [[ "$base" == http://* ]] && curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
[[ -n "$ready" ]] || { echo "judgebox did not become ready" >&2; exit 2; }

# The question the document's examples name, so that they reach judging.
curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d '{"slug": "double", "title": "Double it", "test_cases": [{"input": "21", "expected_output": "42"}]}' \
    "$base/admin/questions"

# Every check but positive_data_acceptance, which expects any request the
# schema allows to succeed. Here, beyond its shape, a request is checked
# against this server's configuration (its languages, its maximum limits),
# against what is stored (a contest may list only existing questions; a
# question holds at most 100 tests, added one by one) and across fields
# (stdin only without test_cases; ends_at after starts_at; a callback's host
# must resolve to a public address): a schema cannot say all that, so such a
# request is rightly 422. The document says these rules in words.
started=$SECONDS
status=0
# From the throw-away directory, where it keeps its cache.
cd "$work"
# The hooks (tests/schemathesis_hooks.py) send zip bodies as raw bytes.
PYTHONPATH="$root/tests" SCHEMATHESIS_HOOKS=schemathesis_hooks \
"$schemathesis" run "$base/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" \
    ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
    --header "Authorization: Bearer $token" \
    --request-timeout 60 \
    --generation-database none \
    --no-color ${SCHEMATHESIS_ARGS:-} || status=$?
echo "schemathesis: exit $status after $((SECONDS - started)) s"
exit "$status"
