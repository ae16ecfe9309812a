#!/usr/bin/env bash
# summary.sh — the figures of issue 10 from one run of tests/bench/run.sh, each with its peer or
# baseline, the ratio and the goal. Usage: summary.sh RUN_OUTPUT (run.sh calls it at its end).
# It only reads what the benchmarks printed; a figure a part did not print shows as "-".
set -euo pipefail
awk '
function num(s) { gsub(/,/, "", s); return s + 0 }
function field(line, re,    m) { return match(line, re) ? substr(line, RSTART, RLENGTH) : "" }
function after(line, key,    s) { s = field(line, key "[0-9.]+"); sub(key, "", s); return s == "" ? "" : s + 0 }
function ratio(a, b) { return (a != "" && b != "" && b + 0 > 0) ? sprintf("%.2fx", a / b) : "-" }
function verdict(ok) { return ok ? "met" : "NOT met" }
function show(v, fmt) { return v == "" ? "-" : sprintf(fmt, v) }

/^upward signal: / { size = num($3) }
/^latency at / {
    p50[size] = after($0, "p50 "); p99[size] = after($0, "p99 "); p999[size] = after($0, "p99.9 ")
    mx[size] = after($0, "max ")
}
/^throughput with / { tput[size] = after($0, "window 256: ") }
/^rabbitmq publish: / { rsize = after($0, "in flight, "); rpub[rsize] = after($0, "publish: ") }
/^rabbitmq consume: / { rcons = after($0, "consume: ") }
/^limit: COPY/ { copy = after($0, "ingest_log +") }
/^goal 1 \(issue 10\): ingest / { ingest = after($0, "ingest "); xone = after($0, "= "); pcopy = after($0, "x the 1/tx loop \\(goal >= 10x: [a-z ]+\\), ") }
/^goal 3 \(issue 10\): / { growth = $0; sub(/^goal 3 \(issue 10\): /, "", growth) }
/^hub RSS with [0-9]+ more connected agents/ { many = $4; rss = after($0, "\\(") }
/^hub CPU with [0-9]+ connected agents, idle: / { idle = after($0, "idle: ") }
/^notice acknowledged by / { fan_ms = after($0, "agents in "); fan_n = $4 }
/^recommendation \([0-9]+ bytes\) acknowledged by / { rec_ms = after($0, "agents in ") }
/^downward: [0-9]+ items/ { down = after($0, "s: ") }
/^downward backlog: / { backlog = after($0, "s: ") }
/^  every PUSH state stored at the hub: / { push = $0; sub(/^  every PUSH state stored at the hub: /, "", push) }
/^== / { section = $2 }
section == "bench_agenda" && /^agenda of a joint meeting/ { med["agenda"] = after($0, "p50 +") }
section == "bench_monitor" && /^the whole matrix/ { med["monitor"] = after($0, "p50 +") }
section == "bench_similar" && /^similar REF \(limit 10\)/ { med["similar"] = after($0, "p50 +") }
/^idle agent \(connected/ { agent_rss = after($0, "VmRSS:[ \t]+") }

END {
    print "== summary: issue 10 figures, each beside its peer or baseline from this run"
    for (i = 1; i <= 2; i++) {
        s = i == 1 ? 1024 : 90
        r = ratio(tput[s], rpub[s])
        printf "1. throughput %4d B: bus %s receipts/s, RabbitMQ %s confirmed msg/s: %s (goal >= 2x: %s)\n", s,
               show(tput[s], "%.0f"), show(rpub[s], "%.0f"), r,
               (tput[s] != "" && rpub[s] != "") ? verdict(tput[s] >= 2 * rpub[s]) : "no peer"
    }
    printf "1. durable ingest (hub_store_ingest, 2 lanes as serve): %s rows/s = %sx a 1-row-per-transaction loop (goal >= 10x: %s), %s%% of COPY %s rows/s (goal >= 50%%: %s)\n",
           show(ingest, "%.0f"), show(xone, "%s"), xone != "" ? verdict(xone >= 10) : "-",
           show(pcopy, "%s"), show(copy, "%.0f"), pcopy != "" ? verdict(pcopy >= 50) : "-"
    for (i = 1; i <= 2; i++) {
        s = i == 1 ? 1024 : 90
        printf "2. latency at 500 msg/s, %4d B: p50 %s, p99 %s, p99.9 %s, max %s ms (goal p99 < 5 ms: %s)\n", s,
               show(p50[s], "%s"), show(p99[s], "%s"), show(p999[s], "%s"), show(mx[s], "%s"),
               p99[s] != "" ? verdict(p99[s] < 5) : "-"
    }
    printf "3. growth: %s\n", growth != "" ? growth : "-"
    printf "3. p50: similar %s ms, joint agenda over 10,000 open requests %s ms, monitoring matrix 1,000 x 26 %s ms (goal < 200 ms: %s)\n",
           show(med["similar"], "%s"), show(med["agenda"], "%s"), show(med["monitor"], "%s"),
           (med["similar"] != "" && med["agenda"] != "" && med["monitor"] != "") ? verdict(med["similar"] < 200 && med["agenda"] < 200 && med["monitor"] < 200) : "-"
    printf "4. %s connected agents: hub RSS %s, idle CPU %s%% of a core (goals < 1 GiB, < 10 %%: %s)\n",
           many != "" ? many : "-", rss != "" ? rss " MiB" : "-", show(idle, "%s"),
           (rss != "" && idle != "") ? verdict(rss < 1024 && idle < 10) : "-"
    printf "4. one notice acknowledged by %s agents in %s ms, one recommendation in %s ms (goal < 1000 ms: %s)\n",
           fan_n != "" ? fan_n : "-", show(fan_ms, "%s"), show(rec_ms, "%s"),
           rec_ms != "" ? verdict(rec_ms < 1000 && fan_ms < 1000) : "-"
    push_med = after(push, "median ")
    printf "4. one recommendation pushed into 26 cantons through 7 agents, PUSH states at the hub: %s (goal < 1000 ms: %s)\n",
           push != "" ? push : "-", push_med != "" ? verdict(push_med < 1000) : "-"
    printf "5. downward to 7 agents: live %s items/s, backlog %s items/s; RabbitMQ consumer acks %s msg/s: %s live, %s backlog\n",
           show(down, "%.0f"), show(backlog, "%.0f"), show(rcons, "%.0f"), ratio(down, rcons), ratio(backlog, rcons)
    printf "   idle agent resident: %s (DESIGN: < 10 MiB: %s)\n", agent_rss != "" ? sprintf("%.1f MiB", agent_rss / 1024) : "-",
           agent_rss != "" ? verdict(agent_rss < 10240) : "-"
}
' "${1:?run output}"
