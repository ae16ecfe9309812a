/*  test_pg_crash.c — integration: PostgreSQL itself is stopped hard (pg_ctl -m immediate, a
    crash for the server) while two agents stream signals, then started again; the hub keeps
    running, and every signal ends up stored exactly once. Uses a private cluster of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define N_SIGNALS 40
#define N_AGENTS  2

static char s_pg_dir[256]; //  the private cluster: DIR/data, DIR/sock, DIR/server.log
static char s_pg_bin[256]; //  /usr/lib/postgresql/NN/bin

static const char s_writer_script[] =
    "bin=$1; state=$2; canton=$3; lang=$4; n=$5; i=1\n"
    "while [ $i -le $n ]; do\n"
    "  \"$bin\" signal add --state \"$state\" --canton \"$canton\" --lang \"$lang\""
    " --title \"Panne PG $canton n° $i\" --body \"Signal $i pendant la panne.\""
    " --institutions social-aid,health >/dev/null"
    " || { echo \"writer $canton: signal add $i failed\" >&2; exit 1; }\n"
    "  i=$((i+1)); sleep 0.1\n"
    "done\n";

//  pg_ctl ARGS as the cluster's owner (runuser when we are root). Returns the exit status.
static int s_pg_ctl (const char *action)
{
    char data[300], log[300], opts[400];
    snprintf (data, sizeof data, "%s/data", s_pg_dir);
    snprintf (log, sizeof log, "%s/server.log", s_pg_dir);
    snprintf (opts, sizeof opts,
              "-c listen_addresses='' -c unix_socket_directories='%s/sock' -c fsync=on", s_pg_dir);
    char pg_ctl[300];
    snprintf (pg_ctl, sizeof pg_ctl, "%s/pg_ctl", s_pg_bin);
    it_result_t r;
    int status;
    if (strcmp (action, "start") == 0) {
        const char *as_root[] = {"/usr/sbin/runuser",
                                 "-u",
                                 "postgres",
                                 "--",
                                 pg_ctl,
                                 "-D",
                                 data,
                                 "-l",
                                 log,
                                 "-w",
                                 "-t",
                                 "60",
                                 "-o",
                                 opts,
                                 "start",
                                 NULL};
        status = it_run (NULL, &r, geteuid () == 0 ? as_root : as_root + 4);
    } else {
        const char *as_root[] = {
            "/usr/sbin/runuser", "-u", "postgres", "--", pg_ctl, "-D", data, "-m",
            "immediate",         "-w", "stop",     NULL};
        status = it_run (NULL, &r, geteuid () == 0 ? as_root : as_root + 4);
    }
    if (status != 0) print_message ("pg_ctl %s exited %d: %s%s\n", action, status, r.out, r.err);
    it_result_free (&r);
    return status;
}

static int s_group_setup (void **state)
{
    (void)state;
    glob_t g;
    if (glob ("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) != 0 || g.gl_pathc == 0) return -1;
    snprintf (s_pg_bin, sizeof s_pg_bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
    globfree (&g);
    *strrchr (s_pg_bin, '/') = 0;
    snprintf (s_pg_dir, sizeof s_pg_dir, "/tmp/cii-it-pgcrash-XXXXXX");
    if (!mkdtemp (s_pg_dir)) return -1;
    it_result_t r;
    const char *argv[] = {CII_SOURCE_DIR "/tests/pg/pg_fixture.sh", "start", s_pg_dir, NULL};
    int status = it_run (NULL, &r, argv);
    if (status != 0) fprintf (stderr, "pg_fixture.sh start %s: %s%s", s_pg_dir, r.out, r.err);
    it_result_free (&r);
    if (status != 0) return -1;
    char sock[300];
    snprintf (sock, sizeof sock, "%s/sock", s_pg_dir);
    setenv ("PGHOST", sock, 1);
    setenv ("PGUSER", "postgres", 1);
    setenv ("PGDATABASE", "postgres", 1);
    return 0;
}

static int s_group_teardown (void **state)
{
    (void)state;
    it_result_t r;
    const char *argv[] = {CII_SOURCE_DIR "/tests/pg/pg_fixture.sh", "stop", s_pg_dir, NULL};
    it_run (NULL, &r, argv);
    it_result_free (&r);
    return 0;
}

static bool s_hub_has_15 (void *arg)
{
    return it_sql_long ((it_fixture_t *)arg, "SELECT count(*) FROM signals", NULL) >= 15;
}

typedef struct {
    it_fixture_t *f;
} ctx_t;

static bool s_outboxes_empty (void *arg)
{
    ctx_t *ctx = arg;
    for (size_t i = 0; i < ctx->f->agent_count; i++)
        if (it_agent_sql_long (&ctx->f->agents[i], "SELECT count(*) FROM outbox") != 0)
            return false;
    return true;
}

static void test_pg_crash (void **state)
{
    it_fixture_t *f = *state;
    static const char *networks[N_AGENTS] = {"lemanique", "mittelland"};
    static const char *cantons[N_AGENTS] = {"VS", "NE"};
    static const char *langs[N_AGENTS] = {"de", "fr"};
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agents[N_AGENTS];
    pid_t writers[N_AGENTS];
    char count[16];
    snprintf (count, sizeof count, "%d", N_SIGNALS);
    for (int i = 0; i < N_AGENTS; i++) {
        agents[i] = it_agent_add (f, networks[i]);
        assert_non_null (agents[i]);
        assert_int_equal (it_agent_start (f, agents[i]), 0);
    }
    for (int i = 0; i < N_AGENTS; i++) {
        char log[600];
        snprintf (log, sizeof log, "%s/writer-%s.log", f->dir, networks[i]);
        const char *argv[] = {
            "/bin/sh",        "-c",       s_writer_script, "writer", CII_AGENT_BIN,
            agents[i]->state, cantons[i], langs[i],        count,    NULL};
        writers[i] = it_spawn (argv, log);
        assert_true (writers[i] > 0);
    }

    //  PostgreSQL crashes mid-stream and stays down for 3 s
    assert_true (it_wait_until (30000, s_hub_has_15, f));
    assert_int_equal (s_pg_ctl ("stop"), 0);
    print_message ("PostgreSQL stopped (immediate)\n");
    usleep (3000 * 1000); //  the outage, not an assertion
    assert_int_equal (s_pg_ctl ("start"), 0);
    print_message ("PostgreSQL started again\n");

    for (int i = 0; i < N_AGENTS; i++)
        assert_int_equal (it_wait_pid (writers[i], 120000), 0);
    const long total = N_AGENTS * N_SIGNALS;
    assert_true (it_wait_sql (f, 60000, total, "SELECT count(*) FROM signals", NULL));
    ctx_t ctx = {f};
    assert_true (it_wait_until (30000, s_outboxes_empty, &ctx));
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL),
                      total);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM ingest_log", NULL), total);
    for (int i = 0; i < N_AGENTS; i++) {
        assert_true (it_wait_delivered (f, agents[i], N_SIGNALS, 30000));
        assert_int_equal (
            it_agent_sql_long (agents[i],
                               "SELECT count(*) FROM signals WHERE refused_code IS NOT NULL"),
            0);
    }

    //  the hub survived the outage (still the same process, stops cleanly)
    assert_true (f->hub_pid > 0);
    for (int i = 0; i < N_AGENTS; i++)
        assert_int_equal (it_agent_stop (f, agents[i]), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_pg_crash, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, s_group_setup, s_group_teardown);
}
