#!/usr/bin/env bash
# Validates deploy/: every YAML file lints, Kubernetes objects match the
# Kubernetes schemas, references between files hold, every JUDGEBOX_*
# variable and DATABASE_URL named is a real setting of the binary, and
# systemd accepts the units. Idempotent; reports every failure, then exits 1.
#
#   bash deploy/check.sh [BIN]
#
# BIN: the judgebox binary whose `serve --help` and `worker --help` list the
# settings (default /var/cache/judgebox/target/release/judgebox, or $BIN).
# DEPLOY_VENV: where yamllint and kubernetes-validate are installed
# (default /var/cache/judgebox/deploy-venv). PYTHON: the Python that makes it.
set -euo pipefail

DEPLOY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-${BIN:-/var/cache/judgebox/target/release/judgebox}}
VENV=${DEPLOY_VENV:-/var/cache/judgebox/deploy-venv}
PYTHON=${PYTHON:-python3}
# Both install on Python 3.11; kubernetes-validate 1.37.0 carries the
# Kubernetes 1.37 schemas.
PINS="yamllint==1.38.0 kubernetes-validate==1.37.0"

failed=0
fail() { echo "FAIL $*"; failed=1; }
step() { echo "== $*"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step "tools in $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]; then
    # shellcheck disable=SC2086 # PINS is a list of requirements
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
    echo "$PINS" > "$VENV/.pins"
fi
echo "  $PINS"

step "yamllint (every YAML file in deploy/ parses and follows .yamllint)"
if "$VENV/bin/yamllint" --strict -c "$DEPLOY/.yamllint" "$DEPLOY"; then
    echo "  ok"
else
    fail "yamllint"
fi

step "references between files; Kubernetes objects for the schemas"
"$VENV/bin/python" "$DEPLOY/check.py" "$DEPLOY" "$TMP" || fail "check.py"

step "kubernetes-validate --strict (core kinds; the Knative pod template)"
shopt -s nullglob
objects=("$TMP"/*.yaml)
if [ ${#objects[@]} -eq 0 ]; then
    fail "no Kubernetes objects found to validate"
elif ! "$VENV/bin/kubernetes-validate" --strict --quiet "${objects[@]}"; then
    fail "kubernetes-validate"
else
    echo "  ok: ${#objects[@]} objects"
fi

step "docker compose config"
if docker compose version >/dev/null 2>&1; then
    # Throw-away values for the required variables, only to render the file.
    if POSTGRES_PASSWORD=check JUDGEBOX_ADMIN_TOKEN=check-check-check-check \
        docker compose -f "$DEPLOY/compose.yaml" config --quiet; then
        echo "  ok"
    else
        fail "docker compose config"
    fi
else
    echo "  skipped: no docker compose here (yamllint and check.py still read compose.yaml)"
fi

step "every JUDGEBOX_* variable and DATABASE_URL named in deploy/ is a setting of $BIN"
used=$(grep -rhoE --exclude=check.sh --exclude=check.py '\b(JUDGEBOX_[A-Z0-9_]+|DATABASE_URL)\b' "$DEPLOY" | sort -u)
if [ ! -x "$BIN" ]; then
    fail "no judgebox binary at $BIN: build it (make build) or give its path"
else
    # clap shows each variable as `[env: NAME=VALUE]` or `[env: NAME]`,
    # wherever the help wraps; join the lines first.
    help=$("$BIN" serve --help) || fail "$BIN serve --help failed"
    if worker_help=$("$BIN" worker --help 2>&1); then
        help+=" $worker_help"
    else
        fail "$BIN has no worker subcommand, which deploy/keda and deploy/azure/worker.yaml run"
    fi
    known=$(echo "$help" | tr -s '[:space:]' ' ' | grep -oE '\[env: [A-Z0-9_]+' | cut -c7- | sort -u)
    unknown=$(comm -23 <(echo "$used") <(echo "$known"))
    if [ -n "$unknown" ]; then
        fail "named in deploy/ but no setting of $BIN:" "$(paste -sd ' ' <<<"$unknown")"
    else
        echo "  ok: $(echo "$used" | wc -l) names"
    fi
fi

step "systemd-analyze verify"
if ! command -v systemd-analyze >/dev/null; then
    echo "  skipped: no systemd-analyze here"
else
    # The units name the installed paths; give verify ones that exist here.
    mkdir "$TMP/units"
    cp "$DEPLOY"/systemd/*.socket "$DEPLOY"/systemd/*.service "$TMP/units/"
    sed -i 's|^ExecStart=/usr/local/bin/judgebox|ExecStart=/bin/true|' "$TMP/units/judgebox.service"
    # verify exits 0 on unknown keys and bad values, but prints them: any
    # output is a failure.
    status=0
    out=$(cd "$TMP/units" && systemd-analyze verify --man=no judgebox.socket judgebox.service 2>&1) || status=$?
    if [ "$status" -eq 0 ] && [ -z "$out" ]; then
        echo "  ok"
    elif grep -qiE 'Failed to (connect|initialize)|System has not been booted' <<<"$out"; then
        echo "  skipped: systemd-analyze cannot work here: $out"
    else
        echo "$out"
        fail "systemd-analyze verify (exit status $status)"
    fi
fi

if [ "$failed" -ne 0 ]; then
    echo "deploy/ check FAILED"
    exit 1
fi
echo "deploy/ check passed"
