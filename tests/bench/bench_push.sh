#!/usr/bin/env bash
# bench_push.sh — one recommendation into all 26 cantons through the seven regional agents (issue 9):
# a real hub and seven real agents on loopback, every canton with the dir adapter (the way sedex
# hands files to cantonal systems). Times, from the start of `cii-hub recommend`, until all 26 files
# are in the cantons' folders, and until the hub holds all 26 PUSH states; RUNS recommendations,
# min / median / max. Goal (issue 9): under 1 s.
# Usage: PGHOST=... bench_push.sh BUILD_DIR [RUNS]   (a PostgreSQL reachable through the PG* variables)
set -euo pipefail
build=$(cd "${1:?build directory}" && pwd); runs=${2:-5}
dir=$(mktemp -d /tmp/cii-bench-push.XXXXXX)
db=cii_bench_push_$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
hub() { "$build/cii-hub" --db "dbname=$db" "$@"; }
now_ms() { date +%s%3N; }
declare -A net_of=([VD]=lemanique [VS]=lemanique [GE]=lemanique [BE]=mittelland [FR]=mittelland
  [SO]=mittelland [NE]=mittelland [JU]=mittelland [BS]=nordwest [BL]=nordwest [AG]=nordwest
  [ZH]=zuerich [GL]=ost [SH]=ost [AR]=ost [AI]=ost [SG]=ost [GR]=ost [TG]=ost [LU]=zentral
  [UR]=zentral [SZ]=zentral [OW]=zentral [NW]=zentral [ZG]=zentral [TI]=ticino)
networks=(lemanique mittelland nordwest zuerich ost zentral ticino)

createdb "$db"
mkdir -p "$dir/agents"
port=$(( 30000 + RANDOM % 20000 ))
hub init --certs "$dir/certs" >/dev/null
"$build/cii-hub" --db "dbname=$db" serve --certs "$dir/certs" --bind "tcp://127.0.0.1:$port" 2>"$dir/hub.log" &
pids+=($!)
sleep 0.5
for n in "${networks[@]}"; do
  hub enroll "$n" --endpoint "tcp://127.0.0.1:$port" --out "$dir/$n.bundle" >/dev/null
  "$build/cii-agent" init --bundle "$dir/$n.bundle" --state "$dir/agents/$n" >/dev/null
done
for c in "${!net_of[@]}"; do
  mkdir -p "$dir/sedex/$c"
  "$build/cii-agent" --state "$dir/agents/${net_of[$c]}" canton set "$c" --push dir --path "$dir/sedex/$c" >/dev/null
done
for n in "${networks[@]}"; do
  "$build/cii-agent" run --state "$dir/agents/$n" 2>"$dir/$n.log" &
  pids+=($!)
done
# every agent connected
for i in $(seq 1 100); do
  [ "$(psql -d "$db" -tAc "SELECT count(*) FROM agents WHERE connected")" = 7 ] && break
  sleep 0.1
done

text='Les cantons désignent pour chaque jeune adulte sans formation un interlocuteur unique.'
files=(); stored=()
for r in $(seq 1 "$runs"); do
  cat >"$dir/rec.json" <<JSON
{"title": {"fr": "Interlocuteur unique $r", "de": "Eine Ansprechperson $r", "it": "Un interlocutore unico $r"},
 "text": {"fr": "$text", "de": "Die Kantone bezeichnen eine Ansprechperson für junge Erwachsene.", "it": "I Cantoni designano un interlocutore unico."},
 "adopted_on": "$(date +%Y-%m-%d)", "report_by": "$(( $(date +%Y) + 1 ))-12-31",
 "basis": ["Étude de besoins 2026"], "addressees": {"cantons": "all", "partners": ["CSIAS"]}}
JSON
  t0=$(now_ms)
  ref=$(hub recommend --file "$dir/rec.json" --json | sed -n 's/.*"ref": *"\([^"]*\)".*/\1/p')
  t_files=""; t_hub=""
  while [ -z "$t_hub" ]; do
    if [ -z "$t_files" ] && [ "$(ls "$dir"/sedex/*/"$ref".v1.*.json 2>/dev/null | wc -l)" = 26 ]; then
      t_files=$(( $(now_ms) - t0 ))
    fi
    if [ "$(psql -d "$db" -tAc "SELECT count(*) FROM rec_pushes p JOIN recommendations r ON r.id = p.rec_id
                                 WHERE r.ref = '$ref' AND p.state = 'pushed'")" = 26 ]; then
      t_hub=$(( $(now_ms) - t0 ))
      [ -n "$t_files" ] || t_files=$t_hub
    fi
    [ $(( $(now_ms) - t0 )) -lt 30000 ] || { echo "bench_push: $ref not pushed into 26 cantons in 30 s" >&2; exit 1; }
  done
  files+=("$t_files"); stored+=("$t_hub")
  echo "run $r: $ref in 26 cantons' folders after $t_files ms, 26 PUSH states at the hub after $t_hub ms"
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %d / median %d / max %d ms", a[1], a[int((NR+1)/2)], a[NR]}'; }
echo "one recommendation pushed into 26 cantons through 7 agents (dir adapter), $runs runs:"
echo "  files in every canton's folder: $(stats "${files[@]}")"
echo "  every PUSH state stored at the hub: $(stats "${stored[@]}")"
