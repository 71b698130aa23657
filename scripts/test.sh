#!/usr/bin/env bash
# Every check and test: lint, migrations, the suite on SQLite, the suite on PostgreSQL.
# Extra arguments go to pytest (e.g. scripts/test.sh -k tenancy).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export ACCORD_DATA_DIR="${ACCORD_DATA_DIR:-$PWD/var/test}"
# Compiled modules, and the test modules pytest rewrites, are kept between processes (each
# pass's workers and every server and worker the tests start) in the data directory, out of
# the source tree: without them each process compiles everything again, which made a
# worker's collection alone take half a minute.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$ACCORD_DATA_DIR/pycache"
unset DATABASE_URL
# One pytest worker per core (pytest-xdist); each test file runs whole in one worker, so a
# module's shared fixtures (generated organizations, servers) are built once.
PARALLEL=(-n "${ACCORD_TEST_WORKERS:-auto}" --dist loadfile)
[ "${ACCORD_TEST_WORKERS:-auto}" = 0 ] && PARALLEL=()
# The slowest tests of each pass are listed at its end: the suite's time is a budget.
PARALLEL+=(--durations=15 --durations-min=5)
started=$(date +%s)
mkdir -p "$ACCORD_DATA_DIR"

# A throwaway PostgreSQL for the second pass, in the background. Each pass's test database is
# a copy of a template migrated once (tests/template_db.py); both templates are migrated now,
# beside the checks, rather than by a test process while the other one waits.
pgdir=$(mktemp -d /tmp/accord-pg.XXXXXX)
port=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Through the server's Unix socket: each query's round trip is shorter than over TCP.
socket=$($BIN/python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pgdir")
pg_url="postgres://accord@$socket:$port/accord"
template() { DJANGO_SETTINGS_MODULE=accord.settings $BIN/python -m tests.template_db; }
# A template that fails to build here is built again by the pass, which reports why.
template >"$ACCORD_DATA_DIR/template-sqlite.log" 2>&1 &
sqlite_template=$!
# Without autovacuum: its workers analysed every test database the pass creates and fills,
# on the cores the tests need (a tenth of the pass's time); what needs fresh statistics
# (the generated organizations, the demo) runs ANALYZE itself.
(scripts/pg.sh start "$pgdir" "$port" autovacuum=off && DATABASE_URL="$pg_url" template) \
  >"$ACCORD_DATA_DIR/template-postgresql.log" 2>&1 &
pg_template=$!
trap 'kill $sqlite_template $pg_template 2>/dev/null || true; wait || true
      scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT

echo "== lint (ruff)"
$BIN/ruff check .
$BIN/ruff format --check .

echo "== migrations are complete"
$BIN/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Models changed without a migration: run python manage.py makemigrations" >&2; exit 1; }

echo "== test suite on SQLite"
wait $sqlite_template || true
$BIN/pytest "${PARALLEL[@]}" "$@"

echo "== test suite on PostgreSQL"
wait $pg_template || cat "$ACCORD_DATA_DIR/template-postgresql.log" >&2
# The OpenAPI fuzzer, the browser journeys and the tests that reach no database run on the
# SQLite pass only: on PostgreSQL they would repeat the same checks through the same code
# (every page and write they drive is also tested through Django's client on both). The
# fuzzer's module is not even collected: schemathesis builds its cases as it collects.
DATABASE_URL="$pg_url" \
  $BIN/pytest "${PARALLEL[@]}" -m "not fuzz and not browser and not no_database" \
  --ignore=tests/api/test_fuzz_openapi.py "$@"

echo "== all checks passed in $(( $(date +%s) - started ))s"
