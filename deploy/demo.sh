#!/usr/bin/env bash
# demo.sh — the main job: builds cii-hub and cii-agent, runs a throwaway PostgreSQL, a hub and seven
# regional agents on loopback, sends cantonal signals up and a bureau notice down, consolidates
# signals into requests (merge, split), forwards them for national references and criteria, finds a
# cross-language twin, groups and decides at the national gate, plays CDC and CP meetings (agendas,
# minutes, a working group, a project of the work programme), publishes a CP recommendation that the
# agents push into the cantons' systems (folder, command, webhook) and the cantons report on (the
# monitoring matrix), shows the decisions at the agents,
# checks every expected outcome (exit 1 if one is missing) and removes everything it started.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
timeout_s=${CII_DEMO_TIMEOUT:-60}          # seconds to wait for each expected outcome
build_dir=${CII_DEMO_BUILD:-$root/build}
networks=(lemanique mittelland nordwest zuerich ost zentral ticino)
declare -A net_of=([VD]=lemanique [VS]=lemanique [GE]=lemanique [BE]=mittelland [FR]=mittelland
  [SO]=mittelland [NE]=mittelland [JU]=mittelland [BS]=nordwest [BL]=nordwest [AG]=nordwest
  [ZH]=zuerich [GL]=ost [SH]=ost [AR]=ost [AI]=ost [SG]=ost [GR]=ost [TG]=ost [LU]=zentral
  [UR]=zentral [SZ]=zentral [OW]=zentral [NW]=zentral [ZG]=zentral [TI]=ticino)

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo: FAILED: $*" >&2; failures=$((failures + 1)); }
failures=0

# --- 1. dependencies and build -----------------------------------------------------------------
say "dependencies"
bash "$root/deploy/install-deps.sh" </dev/null
say "build ($build_dir)"
build_log=$(mktemp /tmp/cii-demo-build.XXXXXX)
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build_log" 2>&1 \
  && cmake --build "$build_dir" --target cii-hub cii-agent webhook_sink -j "$(nproc 2>/dev/null || echo 2)" >>"$build_log" 2>&1 \
  || { tail -n 40 "$build_log"; echo "demo: build failed (log: $build_log)" >&2; exit 1; }
rm -f "$build_log"
hub_bin=$build_dir/cii-hub
agent_bin=$build_dir/cii-agent

# --- 2. throwaway directory, cleanup on every exit ---------------------------------------------
work=$(mktemp -d /tmp/cii-demo.XXXXXX)
chmod 0755 "$work"                    # the postgres user must reach $work/pg
declare -A agent_pid=()
hub_pid=""
sink_pid=""
pg_started=0

stop_pid() {   # stop_pid PID NAME: SIGTERM, wait up to 10 s, then SIGKILL
  local pid=$1 name=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "demo: $name did not stop on SIGTERM, killing" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" -ne 0 ] && [ -d "$work/logs" ]; then
    for f in "$work"/logs/*.log; do [ -s "$f" ] && { echo "--- tail of $(basename "$f")"; tail -n 15 "$f"; }; done >&2
  fi
  for n in "${!agent_pid[@]}"; do stop_pid "${agent_pid[$n]}" "agent $n"; done
  [ -n "$hub_pid" ] && stop_pid "$hub_pid" "hub"
  [ -n "$sink_pid" ] && stop_pid "$sink_pid" "Ticino's webhook endpoint"
  [ "$pg_started" = 1 ] && "$root/tests/pg/pg_fixture.sh" stop "$work/pg" >/dev/null 2>&1
  if [ -n "${CII_DEMO_KEEP:-}" ]; then echo "demo: kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/logs" "$work/bundles" "$work/agents"

# wait_for DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds or $timeout_s passes.
wait_for() {
  local what=$1; shift
  local deadline=$(( $(date +%s) + timeout_s ))
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then fail "$what (not within ${timeout_s} s)"; return 1; fi
    sleep 0.2
  done
  echo "demo: ok: $what"
}
# count REGEX TEXT: number of matches of an extended regex in TEXT (for --json output).
count() { grep -oE "$1" <<<"$2" | wc -l; }

# --- 3. PostgreSQL, hub --------------------------------------------------------------------------
say "PostgreSQL (throwaway cluster, Unix socket only, in $work/pg)"
pg_started=1                          # before start: a signal during start must still stop it
"$root/tests/pg/pg_fixture.sh" start "$work/pg"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
runuser_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
(cd / && runuser_pg "$bindir/createdb" -h "$work/pg/sock" -U postgres -E UTF8 cii)
db="host=$work/pg/sock user=postgres dbname=cii"
hub() { "$hub_bin" --db "$db" "$@"; }

port=7300
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
endpoint="tcp://127.0.0.1:$port"

say "cii-hub init"
hub init --certs "$work/certs"
say "cii-hub serve on $endpoint"
"$hub_bin" --db "$db" serve --certs "$work/certs" --bind "$endpoint" >"$work/logs/hub.log" 2>&1 &
hub_pid=$!
hub_listening() { kill -0 "$hub_pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
wait_for "hub listening on $endpoint" hub_listening || exit 1

# --- 4. seven agents -----------------------------------------------------------------------------
say "enroll and start the seven regional agents"
for n in "${networks[@]}"; do
  hub enroll "$n" --endpoint "$endpoint" --out "$work/bundles/$n.bundle"
  "$agent_bin" init --bundle "$work/bundles/$n.bundle" --state "$work/agents/$n"
  "$agent_bin" run --state "$work/agents/$n" >"$work/logs/agent-$n.log" 2>&1 &
  agent_pid[$n]=$!
done
all_connected() { [ "$(count '"connected": *true' "$(hub agents --json)")" -eq ${#networks[@]} ]; }
wait_for "all ${#networks[@]} agents connected" all_connected || exit 1

# --- 5. signals upward ---------------------------------------------------------------------------
say "cantonal signals (deploy/demo-signals)"
declare -A expected=()     # network -> number of signals submitted
titles=()                  # every title submitted, to compare byte for byte with the hub's copy
total=0
for f in "$root"/deploy/demo-signals/[0-9]*.txt; do
  declare -A s=()
  while IFS= read -r line && [ -n "$line" ]; do s[${line%%:*}]=${line#*: }; done <"$f"
  body=$(sed '1,/^$/d' "$f")
  n=${net_of[${s[canton]}]}
  args=(signal add --state "$work/agents/$n" --canton "${s[canton]}" --lang "${s[lang]}"
        --title "${s[title]}" --body "$body" --institutions "${s[institutions]}" --reason "${s[reason]}")
  [ -n "${s[target-groups]:-}" ] && args+=(--target-groups "${s[target-groups]}")
  printf '%-10s %s  ' "$n" "${s[canton]}"
  "$agent_bin" "${args[@]}"
  titles+=("${s[title]}")
  expected[$n]=$(( ${expected[$n]:-0} + 1 ))
  total=$((total + 1))
  unset s
done

say "a refusal: the lemanique agent may not speak for ZH"
set +e
refusal=$("$agent_bin" signal add --state "$work/agents/lemanique" --canton ZH --lang de \
  --title "Falscher Kanton" --body "Dieses Signal gehört nicht zum Netz lemanique." \
  --institutions social-aid,health 2>&1 >/dev/null)
refusal_rc=$?
set -e
echo "cii-agent exit status $refusal_rc: $refusal"
[ "$refusal_rc" -eq 1 ] || fail "signal for ZH on lemanique: exit status $refusal_rc, expected 1"
[ "$(wc -l <<<"$refusal")" -eq 1 ] || fail "signal for ZH on lemanique: expected one line on stderr"
[ "$(count '"message_id": *"' "$("$agent_bin" signals --state "$work/agents/lemanique" --json)")" -eq "${expected[lemanique]}" ] \
  || fail "the refused ZH signal was stored by the lemanique agent"

delivered() {   # delivered NETWORK: every signal of that agent delivered
  local j; j=$("$agent_bin" signals --state "$work/agents/$1" --json) || return 1
  [ "$(count '"delivered": *true' "$j")" -eq "${expected[$1]:-0}" ]
}
for n in "${networks[@]}"; do wait_for "$n: ${expected[$n]:-0} signal(s) delivered" delivered "$n" || true; done
hub_has_all() { [ "$(count '"ref": *"' "$(hub signals --json)")" -eq "$total" ]; }
wait_for "hub stores exactly $total signals" hub_has_all || true
hub_json=$(hub signals --json)
for t in "${titles[@]}"; do   # UTF-8 untouched end to end (the titles contain no JSON escapes)
  grep -qF "\"$t\"" <<<"$hub_json" || fail "title not found byte for byte at the hub: $t"
done
grep -qF "Falscher Kanton" <<<"$hub_json" && fail "the refused ZH signal reached the hub"
echo "demo: ok: all $total titles stored byte for byte at the hub; the refused signal is not there"

# --- 6. a bureau notice downward -----------------------------------------------------------------
say "cii-hub notice --to all"
hub notice --to all \
  --title "Rencontre nationale CII 2026 / Nationale IIZ-Tagung 2026 / Incontro nazionale CII 2026" \
  --text "La rencontre nationale CII aura lieu à Berne. Die nationale IIZ-Tagung findet in Bern statt. L'incontro nazionale CII si terrà a Berna. Merci d'annoncer vos thèmes avant la séance du CDC."
has_notice() { [ "$(count '"notice_id": *[0-9]' "$("$agent_bin" notices --state "$work/agents/$1" --json)")" -eq 1 ]; }
for n in "${networks[@]}"; do wait_for "$n: notice stored" has_notice "$n" || true; done
no_backlog() { [ "$(count '"backlog": *0([^0-9]|$)' "$(hub agents --json)")" -eq ${#networks[@]} ]; }
wait_for "hub: every agent acknowledged (backlog 0)" no_backlog || true

# --- 7. the upward loop at the national level ---------------------------------------------------
say "consolidation: the coordinators turn signals into requests"
agent() { local n=$1; shift; "$agent_bin" --state "$work/agents/$n" "$@"; }
signal_id() {   # signal_id NETWORK TITLE-PREFIX: the local id of the first signal whose title starts so
  agent "$1" signals --json | tr '{' '\n' | grep -F "\"title\":\"$2" | grep -oE '"id": *[0-9]+' | grep -oE '[0-9]+' | head -n 1
}
json_num() { grep -oE "\"$1\": *[0-9]+" | head -n 1 | grep -oE '[0-9]+$'; }
json_str() { grep -oE "\"$1\": *\"[^\"]*\"" | head -n 1 | sed -E 's/.*: *"([^"]*)"/\1/'; }
ge=$(signal_id lemanique "Échange de données"); vd=$(signal_id lemanique "Accès des personnes")
ti=$(signal_id ticino "Collaborazione tra URC"); zh=$(signal_id zuerich "Koordination zwischen IV")
# lemanique drafts two requests, merges them, then splits the training part out again (lineage kept)
d1=$(agent lemanique request new --title "Fin de droits : échange de données ORP – aide sociale" \
     --summary "En fin de droits, l'aide sociale reprend les dossiers sans les informations de l'ORP." \
     --signals "$ge" --objective system-coordination --json | json_num id)
d2=$(agent lemanique request new --title "Formation des personnes admises à titre provisoire" \
     --summary "L'accès à la formation dépend du statut fédéral." --signals "$vd" \
     --objective labour-market-integration --json | json_num id)
agent lemanique request merge "$d1" "$d2" >/dev/null
d3=$(agent lemanique request split "$d1" --signals "$vd" --title "Formation des personnes admises à titre provisoire" \
     --json | json_num id)
agent lemanique request edit "$d3" --summary "L'accès à la formation des personnes admises à titre provisoire dépend du statut fédéral." >/dev/null
agent lemanique request edit "$d1" --support VD >/dev/null
t1=$(agent ticino request new --title "URC e assistenza sociale: scambio d'informazioni a fine diritto" \
     --summary "L'assistenza sociale riprende i casi senza le informazioni dell'URC." --signals "$ti" \
     --objective labour-market-integration --json | json_num id)
z1=$(agent zuerich request new --title "IV-Stelle und Sozialdienst: Zuständigkeiten bei der Wiedereingliederung" \
     --summary "Die Zuständigkeiten zwischen IV und Sozialhilfe sind unklar." --signals "$zh" --json | json_num id)
say "lemanique: cii-agent show $d1 (draft, with its lineage)"; agent lemanique show "$d1"
say "forward: the requests go up and get their national references"
agent lemanique request forward "$d1"; agent lemanique request forward "$d3"
agent ticino request forward "$t1"; agent zuerich request forward "$z1"
ref_of() { agent "$1" show "$2" --json | json_str ref; }
has_ref() { [ -n "$(ref_of "$1" "$2")" ]; }
for pair in "lemanique $d1" "lemanique $d3" "ticino $t1" "zuerich $z1"; do
  wait_for "$pair: national reference received" has_ref $pair || true
done
ref_fr=$(ref_of lemanique "$d1"); ref_it=$(ref_of ticino "$t1"); ref_de=$(ref_of zuerich "$z1")
echo "demo: references $ref_fr (lemanique), $ref_it (ticino), $ref_de (zuerich)"
say "hub: cii-hub requests (criteria C1 CII understanding, C2 objective, C3 broadly shared, C4 national answer)"
hub requests
say "hub: cii-hub similar $ref_fr (other networks, across languages)"
hub similar "$ref_fr" --limit 3
hub similar "$ref_fr" --limit 3 --json | grep -qF "\"$ref_it\"" \
  && echo "demo: ok: the Italian twin $ref_it is among the first three for $ref_fr" \
  || fail "the Italian twin $ref_it is not among the first three for $ref_fr"
say "hub: a national theme of the twins, decided admissible; the Zurich request inadmissible"
theme=$(hub theme new --title "Fin de droits : ORP/URC et aide sociale" "$ref_fr" "$ref_it" --json | json_str ref)
hub decide "$theme" --to admissible --organ bureau --note "Problème partagé par deux réseaux"
hub decide "$ref_de" --to inadmissible --organ bureau --note "Kein Bezug zu einem allgemeinen Ziel der IIZ (C2)"
state_is() { [ "$(agent "$1" show "$2" --json | json_str state)" = "$3" ]; }
wait_for "lemanique holds $ref_fr as admissible" state_is lemanique "$d1" admissible || true
wait_for "ticino holds $ref_it as admissible" state_is ticino "$t1" admissible || true
wait_for "zuerich holds $ref_de as inadmissible" state_is zuerich "$z1" inadmissible || true
say "hub: cii-hub show $theme"; hub show "$theme"
say "ticino: cii-agent show $ref_it (its history, as the hub sent it down)"; agent ticino show "$ref_it"
say "zuerich: cii-agent requests"; agent zuerich requests

# --- 8. national processing: a CDC and a CP meeting, a working group, the work programme --------
say "meetings of next year: two of the CDC, one of the CP (cii-hub meeting new)"
year=$(( $(date +%Y) + 1 ))
m_cdc1=$(hub meeting new --organ cdc --date "$year-03-10" --json | json_str ref)
m_cdc2=$(hub meeting new --organ cdc --date "$year-06-10" --json | json_str ref)
m_cp=$(hub meeting new --organ cp --date "$year-06-24" --json | json_str ref)
hub meetings --year "$year"
[ -n "$m_cdc1" ] && [ -n "$m_cdc2" ] && [ -n "$m_cp" ] || fail "meeting new: no M- reference"
ref_d3=$(ref_of lemanique "$d3")
say "bureau: $ref_d3 admissible; the theme and $ref_d3 scheduled for the CDC"
hub decide "$ref_d3" --to admissible --organ bureau \
  --note "Formation des personnes admises à titre provisoire : compétence partagée Confédération – cantons"
hub decide "$theme" --to scheduled --organ bureau
hub decide "$ref_d3" --to scheduled --organ bureau
say "hub: cii-hub agenda $m_cdc1 (broadest first, each item with why it is there)"
hub agenda "$m_cdc1"
[ "$(hub agenda "$m_cdc1" --json | json_str ref)" = "$theme" ] \
  && echo "demo: ok: the theme of two networks, $theme, heads the agenda of $m_cdc1" \
  || fail "the agenda of $m_cdc1 does not start with the theme $theme"
say "hub: cii-hub agenda $m_cdc1 --publish (to every network: the coordinators sit on the CDC)"
hub agenda "$m_cdc1" --publish >/dev/null
has_agenda() { agent "$1" notices --json | grep -qF "\"title\":\"Agenda $m_cdc1"; }
for n in "${networks[@]}"; do wait_for "$n: agenda of $m_cdc1 received as a notice" has_agenda "$n" || true; done

say "CDC $m_cdc1: minutes (the theme referred to the CP, $ref_d3 to a working group)"
cat >"$work/minutes-cdc1.json" <<JSON
[{"ref": "$theme", "to": "referred-to-cp", "note": "Le CDC recommande une solution nationale ; décision au CP. Der TAK empfiehlt eine nationale Lösung."},
 {"ref": "$ref_d3", "to": "wg-mandated", "note": "Un groupe de travail examine les passerelles vers la formation."}]
JSON
hub minutes "$m_cdc1" --file "$work/minutes-cdc1.json"
wg=$(hub wg new --mandated-by cdc --refs "$ref_d3" --meeting "$m_cdc1" \
  --title "Passerelles vers la formation pour les personnes admises à titre provisoire" \
  --context "Les jeunes adultes admis à titre provisoire restent souvent sans formation certifiante." \
  --objective "Proposer des passerelles communes entre l'intégration, l'orientation et la formation professionnelle." \
  --deliverables "Un rapport au CDC avec des recommandations et un modèle de convention cantonale." \
  --process "Quatre séances, une consultation des réseaux régionaux." \
  --composition "SEM, SEFRI, deux cantons romands, un canton alémanique, le Tessin." \
  --communication "Rapport au CDC ; synthèse aux réseaux par le bureau." \
  --financing "Chaque partenaire prend en charge ses frais ; secrétariat par le bureau CII." \
  --lead "SEM" --staffing "Bureau national CII, 10 % d'un poste" --until "$year-05-31" --json | json_str ref)
[ -n "$wg" ] || fail "wg new: no WG- reference"
hub wg show "$wg"
wait_for "lemanique holds $ref_d3 as wg-mandated" state_is lemanique "$d3" wg-mandated || true
wait_for "ticino holds $ref_it as referred-to-cp" state_is ticino "$t1" referred-to-cp || true

say "working group $wg reports to the CDC"
cat >"$work/wg-result.md" <<'MD'
# Passerelles vers la formation

Le groupe recommande une année préparatoire commune (intégration, orientation, formation
professionnelle) financée par le forfait d'intégration, et un modèle de convention cantonale.
MD
hub wg report "$wg" --file "$work/wg-result.md"
say "hub: cii-hub agenda $m_cdc2 (the group's result back to the CDC)"
hub agenda "$m_cdc2"
hub agenda "$m_cdc2" --json | grep -qF "\"$ref_d3\"" \
  && echo "demo: ok: $ref_d3 is back on the agenda of $m_cdc2" || fail "$ref_d3 is not on the agenda of $m_cdc2"
cat >"$work/minutes-cdc2.json" <<JSON
[{"ref": "$ref_d3", "to": "referred-to-cp", "note": "Le CDC transmet le rapport du groupe au CP et propose un projet CII."}]
JSON
hub minutes "$m_cdc2" --file "$work/minutes-cdc2.json"

say "the work programme $(date +%Y)-$(( $(date +%Y) + 1 )) (cii-hub programme new), before the CP decides"
hub programme new --from "$(date +%Y)" --to "$(( $(date +%Y) + 1 ))" --presidency SECO
say "hub: cii-hub agenda $m_cp"
hub agenda "$m_cp"
cat >"$work/minutes-cp.json" <<JSON
[{"ref": "$theme", "to": "recommendation-planned", "note": "Le CP prépare une recommandation aux cantons : échange de données ORP – aide sociale dès la fin de droits. Der Lenkungsausschuss bereitet eine Empfehlung vor. Il CP prepara una raccomandazione."},
 {"ref": "$ref_d3", "to": "project", "note": "Projet CII : passerelles vers la formation, selon le rapport du groupe de travail."}]
JSON
say "CP $m_cp: minutes (a recommendation planned on the theme, $ref_d3 a project of the work programme)"
hub minutes "$m_cp" --file "$work/minutes-cp.json"
say "hub: cii-hub programme show"; hub programme show
hub programme show --json | grep -qF "\"$ref_d3\"" \
  && echo "demo: ok: a CII project of the work programme answers $ref_d3" || fail "no project for $ref_d3 in the work programme"

say "the statuses at the agents"
wait_for "lemanique holds $ref_fr as recommendation-planned" state_is lemanique "$d1" recommendation-planned || true
wait_for "ticino holds $ref_it as recommendation-planned" state_is ticino "$t1" recommendation-planned || true
wait_for "lemanique holds $ref_d3 as project" state_is lemanique "$d3" project || true
say "lemanique: cii-agent requests"; agent lemanique requests
say "lemanique: cii-agent show $ref_d3 (CDC, working group, CDC, CP)"; agent lemanique show "$ref_d3"
say "ticino: cii-agent show $ref_it"; agent ticino show "$ref_it"

# --- 9. a CP recommendation down to every canton: pushed, reported, monitored --------------------
say "coordinators give their cantons push adapters (cii-agent canton set)"
cantons_dir=$work/cantons
mkdir -p "$cantons_dir/VD" "$cantons_dir/GE" "$cantons_dir/ZH" "$cantons_dir/TI"
cat >"$cantons_dir/zh-import.sh" <<'SH'
#!/bin/sh
# Zurich's case-management system: takes the recommendation (JSON) on stdin.
cat >"$(dirname "$0")/ZH/$CII_REF.v$CII_VERSION.json" || exit 1
echo "in die Fallführung des Kantons Zürich übernommen ($CII_LANG)"
SH
chmod 0755 "$cantons_dir/zh-import.sh"
printf 'segreto-del-cantone-ticino\n' >"$cantons_dir/ti.secret"; chmod 0600 "$cantons_dir/ti.secret"
"$build_dir/tests/webhook_sink" --dir "$cantons_dir/TI" --port-file "$cantons_dir/ti.port" >"$work/logs/ti-webhook.log" 2>&1 &
sink_pid=$!
sink_up() { [ -s "$cantons_dir/ti.port" ]; }
wait_for "Ticino's HTTP endpoint listening" sink_up || true
ti_port=$(cat "$cantons_dir/ti.port" 2>/dev/null || echo 9)
agent lemanique canton set VD --push dir --path "$cantons_dir/VD"
agent lemanique canton set GE --push dir --path "$cantons_dir/GE"
agent zuerich canton set ZH --push exec --command "$cantons_dir/zh-import.sh" --timeout 10
agent ticino canton set TI --push webhook --url "http://127.0.0.1:$ti_port/cii/raccomandazioni" \
  --secret-file "$cantons_dir/ti.secret"
say "lemanique: cii-agent cantons"; agent lemanique cantons

say "bureau: the CP's recommendation on $theme, to all cantons (cii-hub recommend --file)"
cat >"$work/rec.json" <<JSON
{"title": {"fr": "Fin de droits : transmettre le dossier ORP à l'aide sociale",
           "de": "Aussteuerung: das RAV-Dossier an die Sozialhilfe übergeben",
           "it": "Fine del diritto: trasmettere il dossier URC all'assistenza sociale",
           "rm": "Fin dal dretg: transmetter il dossier URC a l'agid social"},
 "text": {"fr": "Le CP recommande aux cantons de transmettre, avec l'accord de la personne, le dossier de l'ORP au service social dès la fin de droits.",
          "de": "Der Lenkungsausschuss empfiehlt den Kantonen, das RAV-Dossier mit Zustimmung der Person bei der Aussteuerung an den Sozialdienst zu übergeben.",
          "it": "Il CP raccomanda ai Cantoni di trasmettere, con il consenso della persona, il dossier dell'URC al servizio sociale alla fine del diritto.",
          "rm": "Il CP recumonda als chantuns da transmetter il dossier da l'URC al servetsch social a la fin dal dretg."},
 "adopted_on": "$(date +%Y-%m-%d)", "report_by": "$(( $(date +%Y) + 1 ))-12-31",
 "basis": ["$theme", "Étude des besoins CII 2026"],
 "addressees": {"cantons": "all", "partners": ["CSIAS", "CDAS"]}}
JSON
rec=$(hub recommend --file "$work/rec.json" --json | json_str ref)
[ -n "$rec" ] || fail "recommend: no REC- reference"
hub show "$rec"
pushed() { [ -s "$1" ]; }
wait_for "VD: $rec.v1.VD.json in the canton's folder (dir)" pushed "$cantons_dir/VD/$rec.v1.VD.json" || true
wait_for "GE: $rec.v1.GE.json in the canton's folder (dir)" pushed "$cantons_dir/GE/$rec.v1.GE.json" || true
wait_for "ZH: taken by the canton's command (exec)" pushed "$cantons_dir/ZH/$rec.v1.json" || true
wait_for "TI: posted to the canton's endpoint (webhook)" pushed "$cantons_dir/TI/1.body" || true
grep -q '"fr"' "$cantons_dir/ZH/$rec.v1.json" 2>/dev/null && fail "ZH got the French text (German only expected)"
grep -qF 'Idempotency-Key' "$cantons_dir/TI/1.headers" 2>/dev/null \
  && echo "demo: ok: TI's request carries its Idempotency-Key and X-CII-Signature" \
  || fail "TI's request has no Idempotency-Key"
wait_for "lemanique holds $ref_fr as recommended" state_is lemanique "$d1" recommended || true
wait_for "ticino holds $ref_it as recommended" state_is ticino "$t1" recommended || true

say "cantons report: VD and GE by their coordinator, Zurich's system by a report file, Ticino declines"
agent lemanique report "$rec" --canton VD --state implemented \
  --note "Transmission du dossier en place dans les ORP vaudois depuis janvier."
agent lemanique report "$rec" --canton GE --state acknowledged
mkdir -p "$work/agents/zuerich/reports/ZH"
printf '{"rec": "%s", "state": "planned", "note": "Umsetzung in den RAV ab dem zweiten Quartal geplant."}\n' "$rec" \
  >"$work/agents/zuerich/reports/ZH/.umsetzung.json"
mv "$work/agents/zuerich/reports/ZH/.umsetzung.json" "$work/agents/zuerich/reports/ZH/umsetzung.json"
set +e
agent ticino report "$rec" --canton TI --state declined 2>&1 \
  && fail "a decline without its reason was accepted" || echo "demo: ok: declined without a reason refused"
set -e
agent ticino report "$rec" --canton TI --state declined \
  --note "Declinato, perché il Ticino trasmette già i dossier tramite lo Sportello unico cantonale."
cell_state() { hub monitor --rec "$rec" --json | tr '{' '\n' | grep -F "\"canton\":\"$1\"" | grep -qF "\"state\":\"$2\""; }
wait_for "the matrix: VD implemented" cell_state VD implemented || true
wait_for "the matrix: ZH planned (from the report file)" cell_state ZH planned || true
wait_for "the matrix: TI declined" cell_state TI declined || true
say "hub: cii-hub monitor (canton x recommendation, roll-ups per network and national, declined with reasons)"
hub monitor
say "hub: cii-hub monitor --overdue"; hub monitor --overdue
say "hub: cii-hub trace $rec (back to the cantons' signals, forward to every canton)"; hub trace "$rec"
say "ticino: cii-agent recommendations"; agent ticino recommendations
say "bureau: monitoring leads to new work (cii-hub request new --from-monitoring)"
hub request new --from-monitoring "$rec" --title "Guichets uniques cantonaux et transmission des dossiers" \
  --summary "Le Tessin décline : examiner si les guichets uniques cantonaux remplissent le but de $rec."
kill "$sink_pid" 2>/dev/null || true

# --- 10. both sides -------------------------------------------------------------------------------
say "hub: cii-hub signals";  hub signals
say "hub: cii-hub agents";   hub agents
say "hub: cii-hub notices";  hub notices
for n in "${networks[@]}"; do
  say "agent $n: cii-agent signals"; "$agent_bin" signals --state "$work/agents/$n"
  say "agent $n: cii-agent notices"; "$agent_bin" notices --state "$work/agents/$n"
done

# --- 11. verdict ---------------------------------------------------------------------------------
for n in "${networks[@]}"; do
  kill -0 "${agent_pid[$n]}" 2>/dev/null || fail "agent $n is no longer running"
done
kill -0 "$hub_pid" 2>/dev/null || fail "the hub is no longer running"
say "result"
if [ "$failures" -ne 0 ]; then
  echo "demo: $failures expected outcome(s) missing" >&2
  exit 1
fi
echo "demo: $total signals from $(printf '%s\n' "${!expected[@]}" | wc -l) networks delivered and stored once;" \
     "1 notice delivered to ${#networks[@]} agents; 1 refusal; 4 requests referenced, a cross-language" \
     "twin found, a theme decided, CDC and CP meetings with a published agenda, minutes, a working group" \
     "and a project, every decision held by its network; a recommendation pushed into the cantons by" \
     "folder, command and webhook, their reports in the monitoring matrix. All good."
