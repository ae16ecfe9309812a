#!/usr/bin/env bash
# run.sh — runs the benchmarks against a throwaway PostgreSQL (tests/pg/pg_fixture.sh) and prints
# the figures that docs/performance.md records. Usage: tests/bench/run.sh BUILD_DIR [quick]
set -euo pipefail
build=${1:?build directory}; mode=${2:-full}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/cii-bench-pg.XXXXXX)
trap '"$here/../pg/pg_fixture.sh" stop "$dir" >/dev/null' EXIT
"$here/../pg/pg_fixture.sh" start "$dir" >/dev/null
export PGHOST=$dir/sock PGUSER=postgres PGDATABASE=postgres
if [ "$mode" = quick ]; then
  "$build/tests/bench_ingest" 5000
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 3 --fanout 200 --many 500
else
  "$build/tests/bench_ingest" 20000 1000000
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 10 --fanout 1000 --many 5000
fi
