#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback, for tests.
#   scripts/pg.sh start DIR PORT [NAME=VALUE...]
#                                  -> initialises DIR (if new) and starts the server, with
#                                     any server settings given (e.g. autovacuum=off)
#   scripts/pg.sh stop DIR         -> stops it
set -euo pipefail
cmd=${1:?start or stop}; dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
case "$cmd" in
  start)
    port=${3:?port}; shift 3
    extra=""; for setting in "$@"; do extra="$extra -c $setting"; done
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb -D '$dir' -A trust -U accord --no-sync" >/dev/null
    fi
    as_pg "$bin/pg_ctl -D '$dir' -w -l '$dir/log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off$extra\" start" >/dev/null
    as_pg "$bin/createdb -h 127.0.0.1 -p $port -U accord accord" 2>/dev/null || true
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_pg "$bin/pg_ctl -D '$dir' -w -m fast stop" >/dev/null || true
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
