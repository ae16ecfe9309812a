#!/usr/bin/env bash
# rabbit.sh — a throwaway RabbitMQ node for the benchmark's peer (issue 10): Debian's
# rabbitmq-server, run as the rabbitmq user with everything (database, logs, cookie) in DIR, on
# loopback ports of its own, stopped and removed by `stop`. Nothing of a system-wide RabbitMQ is
# touched.
#   rabbit.sh available             exit 0 when rabbitmq-server is installed (says so otherwise)
#   rabbit.sh start DIR PORT        start a node listening on 127.0.0.1:PORT (AMQP); waits until ready
#   rabbit.sh stop DIR              stop it
set -euo pipefail
server=/usr/lib/rabbitmq/bin/rabbitmq-server
ctl=/usr/lib/rabbitmq/bin/rabbitmqctl
case ${1:-} in
  available)
    if [ -x "$server" ] && id rabbitmq >/dev/null 2>&1; then exit 0; fi
    echo "rabbitmq-server is not installed (apt-get install rabbitmq-server librabbitmq-dev): the peer is skipped"
    exit 1 ;;
  start)
    dir=${2:?dir}; port=${3:?port}
    mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
    head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/home/.erlang.cookie"
    chmod 0400 "$dir/home/.erlang.cookie"
    chown -R rabbitmq:rabbitmq "$dir"
    chmod 0755 "$dir"
    cat >"$dir/env" <<ENV
export HOME=$dir/home
export RABBITMQ_NODENAME=cii_bench_$port@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$((port + 1))
export RABBITMQ_MNESIA_BASE=$dir/mnesia
export RABBITMQ_LOG_BASE=$dir/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
export RABBITMQ_CONFIG_FILE=$dir/rabbitmq
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$((port + 2))
ENV
    echo '[].' >"$dir/enabled_plugins"
    : >"$dir/rabbitmq.conf"
    chown rabbitmq:rabbitmq "$dir/env" "$dir/enabled_plugins" "$dir/rabbitmq.conf"
    (cd / && exec setsid runuser -u rabbitmq -- bash -c ". '$dir/env'; exec '$server'" >"$dir/server.out" 2>&1) &
    echo $! >"$dir/server.pid"
    for _ in $(seq 1 120); do
      if runuser -u rabbitmq -- bash -c ". '$dir/env'; '$ctl' -q await_startup" >/dev/null 2>&1; then exit 0; fi
      sleep 0.5
    done
    echo "rabbit.sh: the node did not start; see $dir/server.out and $dir/log" >&2
    tail -n 20 "$dir/server.out" >&2 || true
    exit 1 ;;
  stop)
    dir=${2:?dir}
    [ -f "$dir/env" ] || exit 0
    runuser -u rabbitmq -- bash -c ". '$dir/env'; '$ctl' -q stop" >/dev/null 2>&1 || true
    pid=$(cat "$dir/server.pid" 2>/dev/null || echo)
    for _ in $(seq 1 50); do { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || break; sleep 0.2; done
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true        # its whole session, if left
    runuser -u rabbitmq -- bash -c ". '$dir/env'; epmd -kill" >/dev/null 2>&1 || true   # our own epmd only
    ;;
  *) echo "usage: rabbit.sh available | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
