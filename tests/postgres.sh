#!/usr/bin/env bash
# Prints the URL of a PostgreSQL server the API tests may create databases
# on: the one on 127.0.0.1:5432 when it answers (JUDGEBOX_TEST_POSTGRES_URL
# overrides), else Debian's, installed and started here and reached through
# its Unix socket as a superuser role named after the caller (peer
# authentication: no password is set anywhere). Idempotent.
set -euo pipefail

url=${JUDGEBOX_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
install() {
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

command -v psql >/dev/null || install postgresql-client
if psql "$url" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    echo "$url"
    exit 0
fi

echo "PostgreSQL does not answer at $url: using a local one from Debian's packages" >&2
command -v pg_ctlcluster >/dev/null || install postgresql
cluster=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$cluster" main start 2>/dev/null || true
user=$(id -un)
runuser -u postgres -- psql -qAtc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1 ||
    runuser -u postgres -- psql -qc "CREATE ROLE \"$user\" SUPERUSER LOGIN" >&2
socket_url="postgres:///postgres?host=/var/run/postgresql&user=$user"
psql "$socket_url" -qAtc 'SELECT 1' >/dev/null
echo "$socket_url"
