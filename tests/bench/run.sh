#!/usr/bin/env bash
# run.sh — runs the benchmarks against a throwaway PostgreSQL (tests/pg/pg_fixture.sh) and prints
# the figures that docs/performance.md records, then a summary of issue 10's figures each beside its
# peer or baseline (summary.sh). Usage: tests/bench/run.sh BUILD_DIR [quick|2m]
# Both clusters run with the settings docs/operator-guide.md recommends (max_wal_size,
# checkpoint_completion_target).
#   bench_ingest  durable ingest vs the two libpq baselines of DESIGN §6 and a COPY of the same rows
#                 into the same tables (the practical limit), and flatness from empty tables to 10M
#                 rows (2m: to 2M; quick: 100k) on a cluster of its own
#   bench_e2e     latency at 500 msg/s over 60 s (p50/p99/p99.9/max), throughput, downward items
#                 to 7 agents, one notice acked by 1,000 agents, hub memory and idle CPU with
#                 10,000 connected agents (simulated agents, real hub); 1 KiB, then 90 B signals
#   idle agent    resident memory of a real `cii-agent run`, connected and idle
#   bench_similar_quality  cross-language matching: recall of the other-language twins in the top 3
#   bench_similar `similar` and the C3 breadth with 100,000 signals and 10,000 requests stored
#   bench_agenda  an agenda over 10,000 open requests
#   bench_monitor the monitoring matrix of 1,000 recommendations x 26 cantons
#   bench_push    one recommendation into 26 cantons through 7 real agents (dir adapter)
#   peer          RabbitMQ from Debian (when installed) at the same shape: 7 publishers x 256 in
#                 flight, durable queue, persistent messages, publisher confirms (1 KiB and 90 B);
#                 7 consumers with manual acks (peer_rabbit.c, rabbit.sh)
set -euo pipefail
build=$(cd "${1:?build directory}" && pwd); mode=${2:-full}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/cii-bench.XXXXXX)
chmod 755 "$dir"       # the cluster inside runs as the postgres user
agent_pid=; hub_pid=; rabbit_started=
cleanup() {
  [ -n "$rabbit_started" ] && "$here/rabbit.sh" stop "$dir/rabbit" >/dev/null 2>&1 || true
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  "$here/../pg/pg_fixture.sh" stop "$dir/pg" >/dev/null 2>&1 || true
  "$here/../pg/pg_fixture.sh" stop "$dir/pg-ingest" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
started=$(date +%s)
pg_options="-c max_wal_size=8GB -c checkpoint_completion_target=0.9"
CII_PG_OPTIONS=$pg_options "$here/../pg/pg_fixture.sh" start "$dir/pg" >/dev/null
export PGHOST=$dir/pg/sock PGUSER=postgres PGDATABASE=postgres
log=$dir/run.log      # what summary.sh reads: every figure shown below
quiet() { { grep -v -e 'dangling' -e 'enrolled, key' -e 'schema migrated' -e 'NOTICE:' -e 'queued for' || true; } | tee -a "$log"; }
section() { echo "== $*" | tee -a "$log"; }

section bench_ingest
# Its own cluster, stopped afterwards (the growth leaves gigabytes behind).
CII_PG_OPTIONS=$pg_options "$here/../pg/pg_fixture.sh" start "$dir/pg-ingest" >/dev/null
if [ "$mode" = quick ]; then
  PGHOST=$dir/pg-ingest/sock "$build/tests/bench_ingest" --rows 5000 --copy 20000 --growth 100000 --step 25000 2>&1 | quiet
elif [ "$mode" = 2m ]; then
  PGHOST=$dir/pg-ingest/sock "$build/tests/bench_ingest" --rows 20000 --copy 200000 --growth 2000000 --step 200000 2>&1 | quiet
else
  PGHOST=$dir/pg-ingest/sock "$build/tests/bench_ingest" --rows 20000 --copy 200000 --growth 10000000 --step 1000000 2>&1 | quiet
fi
"$here/../pg/pg_fixture.sh" stop "$dir/pg-ingest" >/dev/null

section bench_e2e
if [ "$mode" = quick ]; then
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 3 --size 1024 --down 2000 --fanout 200 --many 500 2>&1 | quiet
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 2 --size 90 --fanout 0 --many 0 2>&1 | quiet
else
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 60 --throughput-seconds 10 --size 1024 --down 20000 \
    --fanout 1000 --many 10000 2>&1 | quiet
  "$build/tests/bench_e2e" --agents 7 --rate 500 --seconds 60 --throughput-seconds 10 --size 90 --fanout 0 --many 0 2>&1 | quiet
fi

section idle agent
createdb cii_bench_idle
port=$(( 30000 + RANDOM % 20000 ))
"$build/cii-hub" --db dbname=cii_bench_idle init --certs "$dir/certs" >/dev/null
"$build/cii-hub" --db dbname=cii_bench_idle serve --certs "$dir/certs" --bind "tcp://127.0.0.1:$port" 2>"$dir/hub.log" &
hub_pid=$!
sleep 0.5
"$build/cii-hub" --db dbname=cii_bench_idle enroll lemanique --endpoint "tcp://127.0.0.1:$port" --out "$dir/b" >/dev/null
"$build/cii-agent" init --bundle "$dir/b" --state "$dir/agent" >/dev/null
"$build/cii-agent" run --state "$dir/agent" 2>"$dir/agent.log" &
agent_pid=$!
sleep 5
echo "idle agent (connected, 5 s): $(grep VmRSS /proc/$agent_pid/status | tr -s ' ')" | tee -a "$log"
"$build/cii-agent" status --state "$dir/agent" | head -3

section bench_similar_quality
"$build/tests/bench_similar_quality" 2>&1 | quiet

section bench_similar
if [ "$mode" = quick ]; then
  "$build/tests/bench_similar" --signals 10000 --requests 1000 --queries 30 2>&1 | quiet
else
  "$build/tests/bench_similar" 2>&1 | quiet
fi

section bench_agenda
"$build/tests/bench_agenda" --runs "$([ "$mode" = quick ] && echo 3 || echo 20)" 2>&1 | quiet

section bench_monitor
"$build/tests/bench_monitor" --runs "$([ "$mode" = quick ] && echo 3 || echo 20)" 2>&1 | quiet

section "bench_push (one recommendation into 26 cantons through 7 agents)"
if [ "$mode" = quick ]; then
  "$here/bench_push.sh" "$build" 2 2>&1 | quiet
else
  "$here/bench_push.sh" "$build" 5 2>&1 | quiet
fi

section "peer: RabbitMQ (durable queue, persistent messages, publisher confirms)"
if [ ! -x "$build/tests/peer_rabbit" ]; then
  echo "peer skipped: peer_rabbit was not built (apt-get install librabbitmq-dev, then configure again)"
elif ! "$here/rabbit.sh" available; then
  echo "peer skipped"
else
  rport=$(( 40000 + RANDOM % 9000 ))
  rabbit_started=1
  "$here/rabbit.sh" start "$dir/rabbit" "$rport"
  rseconds=$([ "$mode" = quick ] && echo 3 || echo 10)
  rmessages=$([ "$mode" = quick ] && echo 20000 || echo 100000)
  "$build/tests/peer_rabbit" publish --port "$rport" --publishers 7 --window 256 --size 1024 --seconds "$rseconds" | tee -a "$log"
  "$build/tests/peer_rabbit" publish --port "$rport" --publishers 7 --window 256 --size 90 --seconds "$rseconds" | tee -a "$log"
  "$build/tests/peer_rabbit" consume --port "$rport" --publishers 7 --window 256 --size 1024 --messages "$rmessages" | tee -a "$log"
  "$here/rabbit.sh" stop "$dir/rabbit"
  rabbit_started=
fi

echo
"$here/summary.sh" "$log"
echo "run.sh $mode: $(( $(date +%s) - started )) s"
