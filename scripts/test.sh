#!/usr/bin/env bash
# Every check and test: lint, migrations, the suite on SQLite, the suite on PostgreSQL.
# Extra arguments go to pytest (e.g. scripts/test.sh -k tenancy).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1
export ACCORD_DATA_DIR="${ACCORD_DATA_DIR:-$PWD/var/test}"
unset DATABASE_URL
# One pytest worker per core (pytest-xdist); each test file runs whole in one worker, so a
# module's shared fixtures (generated organizations, servers) are built once.
PARALLEL=(-n "${ACCORD_TEST_WORKERS:-auto}" --dist loadfile)
[ "${ACCORD_TEST_WORKERS:-auto}" = 0 ] && PARALLEL=()
# The slowest tests of each pass are listed at its end: the suite's time is a budget.
PARALLEL+=(--durations=15 --durations-min=5)
started=$(date +%s)

echo "== lint (ruff)"
$BIN/ruff check .
$BIN/ruff format --check .

echo "== migrations are complete"
$BIN/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Models changed without a migration: run python manage.py makemigrations" >&2; exit 1; }

echo "== test suite on SQLite"
$BIN/pytest "${PARALLEL[@]}" "$@"

echo "== test suite on PostgreSQL"
pgdir=$(mktemp -d /tmp/accord-pg.XXXXXX)
port=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
scripts/pg.sh start "$pgdir" "$port"
# The OpenAPI fuzzer, the browser journeys and the tests that reach no database run on the
# SQLite pass only: on PostgreSQL they would repeat the same checks through the same code
# (every page and write they drive is also tested through Django's client on both).
# Through the server's Unix socket: each query's round trip is shorter than over TCP.
socket=$($BIN/python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pgdir")
DATABASE_URL="postgres://accord@$socket:$port/accord" \
  $BIN/pytest "${PARALLEL[@]}" -m "not fuzz and not browser and not no_database" "$@"

echo "== all checks passed in $(( $(date +%s) - started ))s"
