#!/usr/bin/env bash
# pg_fixture.sh — start/stop a throwaway PostgreSQL cluster for the tests, Unix socket only.
# Usage: pg_fixture.sh start DIR | stop DIR. As root the cluster runs as the postgres user
# (PostgreSQL refuses to run as root). Connect with PGHOST=DIR/sock PGUSER=postgres.
# Optional CII_PG_OPTIONS: more server options for start, appended to the fixed ones (benchmarks,
# e.g. "-c max_wal_size=8GB"); unset, the cluster is the tests' as always.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg_fixture: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  if [ -d "$dir/data" ]; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; fi
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=on -c max_connections=200${CII_PG_OPTIONS:+ $CII_PG_OPTIONS}" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "pg_fixture: PostgreSQL running, PGHOST=$dir/sock"
  ;;
stop)
  if [ -d "$dir/data" ]; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  echo "pg_fixture: stopped"
  ;;
*) echo "usage: pg_fixture.sh start|stop DIR" >&2; exit 2 ;;
esac
