/*  test_hub_crash.c — integration: three agents each add a stream of 60 signals (a loop of
    `cii-agent signal add` calls, ~5 per second) while the hub is killed with SIGKILL twice
    mid-stream and restarted; in the end every signal is stored once and every outbox is empty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define N_SIGNALS 60
#define N_AGENTS  3

//  One writer: a shell loop of `signal add` calls; exits 1 at the first failing call.
static const char s_writer_script[] =
    "bin=$1; state=$2; canton=$3; lang=$4; n=$5; i=1\n"
    "while [ $i -le $n ]; do\n"
    "  \"$bin\" signal add --state \"$state\" --canton \"$canton\" --lang \"$lang\""
    " --title \"Flux $canton n° $i\" --body \"Signal $i du flux de test, canton $canton.\""
    " --institutions social-aid,unemployment >/dev/null"
    " || { echo \"writer $canton: signal add $i failed\" >&2; exit 1; }\n"
    "  i=$((i+1)); sleep 0.2\n"
    "done\n";

typedef struct {
    it_fixture_t *f;
    long target;
} ctx_t;

//  Total signals added locally by all agents so far.
static long s_local_total (it_fixture_t *f)
{
    long total = 0;
    for (size_t i = 0; i < f->agent_count; i++) {
        long n = it_agent_sql_long (&f->agents[i], "SELECT count(*) FROM signals");
        if (n > 0) total += n;
    }
    return total;
}

static bool s_hub_reached (void *arg)
{
    ctx_t *ctx = arg;
    return it_sql_long (ctx->f, "SELECT count(*) FROM signals", NULL) >= ctx->target;
}

static bool s_outboxes_empty (void *arg)
{
    ctx_t *ctx = arg;
    for (size_t i = 0; i < ctx->f->agent_count; i++)
        if (it_agent_sql_long (&ctx->f->agents[i], "SELECT count(*) FROM outbox") != 0)
            return false;
    return true;
}

//  Kills the hub once the hub holds at least hub_target signals, keeps it down for down_ms
//  (the writers go on adding meanwhile), restarts it.
static void s_crash_cycle (it_fixture_t *f, long hub_target, int down_ms)
{
    ctx_t ctx = {f, hub_target};
    bool reached = it_wait_until (60000, s_hub_reached, &ctx);
    long at_hub = it_sql_long (f, "SELECT count(*) FROM signals", NULL);
    long local = s_local_total (f);
    assert_int_equal (it_hub_kill (f), 0);
    print_message ("kill -9 hub: %ld stored at hub (target %ld %s), %ld added locally\n", at_hub,
                   hub_target, reached ? "reached" : "NOT reached", local);
    usleep ((useconds_t)down_ms * 1000); //  the outage itself, not an assertion
    assert_int_equal (it_hub_start (f), 0);
    print_message ("hub restarted after %d ms: %ld added locally\n", down_ms, s_local_total (f));
}

static void test_hub_crash (void **state)
{
    it_fixture_t *f = *state;
    static const char *networks[N_AGENTS] = {"lemanique", "mittelland", "nordwest"};
    static const char *cantons[N_AGENTS] = {"VD", "BE", "BS"};
    static const char *langs[N_AGENTS] = {"fr", "de", "de"};
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agents[N_AGENTS];
    for (int i = 0; i < N_AGENTS; i++) {
        agents[i] = it_agent_add (f, networks[i]);
        assert_non_null (agents[i]);
        assert_int_equal (it_agent_start (f, agents[i]), 0);
    }

    char count[16];
    snprintf (count, sizeof count, "%d", N_SIGNALS);
    pid_t writers[N_AGENTS];
    char log[N_AGENTS][600];
    for (int i = 0; i < N_AGENTS; i++) {
        snprintf (log[i], sizeof log[i], "%s/writer-%s.log", f->dir, networks[i]);
        const char *argv[] = {
            "/bin/sh",        "-c",       s_writer_script, "writer", CII_AGENT_BIN,
            agents[i]->state, cantons[i], langs[i],        count,    NULL};
        writers[i] = it_spawn (argv, log[i]);
        assert_true (writers[i] > 0);
    }

    //  two crashes mid-stream: after 20 stored a short outage (the agents' DEALERs reconnect
    //  and flush what they queued), after 90 stored one longer than 3 heartbeats (the agents
    //  give up on the session and recreate their DEALERs)
    s_crash_cycle (f, 20, 500);
    s_crash_cycle (f, 90, 3500);

    for (int i = 0; i < N_AGENTS; i++) {
        int status = it_wait_pid (writers[i], 120000);
        if (status != 0)
            print_message ("writer %s exited %d (see %s)\n", networks[i], status, log[i]);
        assert_int_equal (status, 0);
    }
    const long total = N_AGENTS * N_SIGNALS;
    assert_int_equal (s_local_total (f), total);

    ctx_t ctx = {f, total};
    assert_true (it_wait_sql (f, 60000, total, "SELECT count(*) FROM signals", NULL));
    assert_true (it_wait_until (30000, s_outboxes_empty, &ctx));
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), total);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL),
                      total);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM ingest_log", NULL), total);
    for (int i = 0; i < N_AGENTS; i++) {
        assert_int_equal (
            it_sql_long (f, "SELECT count(*) FROM signals WHERE network = $1 AND canton = $2",
                         networks[i], cantons[i], NULL),
            N_SIGNALS);
        assert_int_equal (it_agent_sql_long (
                              agents[i], "SELECT count(*) FROM signals WHERE delivered_at IS NULL"),
                          0);
        assert_int_equal (
            it_agent_sql_long (agents[i],
                               "SELECT count(*) FROM signals WHERE refused_code IS NOT NULL"),
            0);
        assert_true (it_wait_delivered (f, agents[i], N_SIGNALS, 30000));
    }
    //  no title stored twice and none missing: 60 distinct titles per canton
    for (int i = 0; i < N_AGENTS; i++)
        assert_int_equal (
            it_sql_long (f, "SELECT count(DISTINCT title) FROM signals WHERE canton = $1",
                         cantons[i], NULL),
            N_SIGNALS);

    for (int i = 0; i < N_AGENTS; i++)
        assert_int_equal (it_agent_stop (f, agents[i]), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_hub_crash, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
