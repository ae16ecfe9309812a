/*  test_stream_epoch.c — integration: the downward stream across a restore of the hub's database,
    with real processes. The database is dumped with pg_dump while the agent holds 5 notices, the
    agent goes on to hold 10, the hub is stopped and the dump restored with pg_restore: the
    restarted hub starts a new stream epoch at 5, the running agent enters it, and the notices sent
    after reach it once each. Then the hub is killed (SIGKILL) after it told an agent about a new
    epoch and before it could write it (a row lock holds the write back): the next hub does not
    know the epoch and still serves the agent from where it is, nothing twice, nothing missed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
s_notice (it_fixture_t *f, const char *title)
{
    it_result_t r;
    int status = it_hub_cli (f, &r, "notice", "--to", "lemanique", "--title", title, "--text",
                             "Texte de l'avis, en français.", NULL);
    if (status != 0)
        fail_msg ("cii-hub notice: exit %d: %s", status, r.err);
    it_result_free (&r);
}

typedef struct {
    it_agent_t *agent;
    const char *sql;
    long expected;
} s_agent_check_t;

static bool
s_agent_is (void *arg)
{
    s_agent_check_t *check = arg;
    return it_agent_sql_long (check->agent, check->sql) == check->expected;
}

//  Polls a query on the agent's state until it returns expected.
static bool
s_agent_wait (it_agent_t *agent, long expected, const char *sql)
{
    s_agent_check_t check = { agent, sql, expected };
    return it_wait_until (30000, s_agent_is, &check);
}

//  The agent's position in its current stream epoch (what its HELLO says).
#define S_POSITION "SELECT max (s.resume_seq, coalesce ((SELECT max (seq) FROM inbox WHERE stream = s.id), 0)) " \
                   "FROM streams s ORDER BY s.id DESC LIMIT 1"

//  True when the hub's log holds text.
static bool
s_hub_logged (it_fixture_t *f, const char *text)
{
    FILE *log = fopen (f->hub_log, "r");
    if (!log)
        return false;
    char line [2048];
    bool found = false;
    while (!found && fgets (line, sizeof line, log))
        found = strstr (line, text) != NULL;
    fclose (log);
    return found;
}

//  A program of the PostgreSQL client, on the test database, over the PG* environment.
static void
s_pg_tool (it_fixture_t *f, const char *const argv [])
{
    it_result_t r;
    int status = it_run (f, &r, argv);
    if (status != 0)
        fail_msg ("%s: exit %d: %s", argv [0], status, r.err);
    it_result_free (&r);
}

static void
test_restore_with_pg_restore (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    assert_int_equal (it_agent_start (f, lem), 0);
    char title [64];
    for (int i = 1; i <= 5; i++) {
        snprintf (title, sizeof title, "Avis %d", i);
        s_notice (f, title);
    }
    assert_true (it_wait_sql (f, 30000, 5, "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));

    //  The nightly dump, then five more notices the agent holds
    char dump [600];
    snprintf (dump, sizeof dump, "%s/cii.dump", f->dir);
    const char *pg_dump [] = { "/usr/bin/pg_dump", "-Fc", "-f", dump, f->dbname, NULL };
    s_pg_tool (f, pg_dump);
    for (int i = 6; i <= 10; i++) {
        snprintf (title, sizeof title, "Avis %d", i);
        s_notice (f, title);
    }
    assert_true (it_wait_sql (f, 30000, 10, "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_true (s_agent_wait (lem, 10, S_POSITION));

    //  The database is lost and restored from the dump, with the hub stopped; the agent runs on
    assert_int_equal (it_hub_stop (f), 0);
    const char *pg_restore [] = { "/usr/bin/pg_restore", "--clean", "--if-exists", "--single-transaction", "-d",
                                  f->dbname, dump, NULL };
    s_pg_tool (f, pg_restore);
    assert_int_equal (it_sql_long (f, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'lemanique'", NULL), 5);
    assert_int_equal (it_hub_start (f), 0);
    assert_true (it_wait_sql (f, 30000, 1, "SELECT count(*) FROM agents JOIN downward_heads h ON h.agent_id = id "
                                           "WHERE network = 'lemanique' AND epoch <> 0 AND epoch_start = 5 "
                                           "AND h.last_seq = 5", NULL));
    assert_true (s_hub_logged (f, "hub: agent lemanique: holds seq 10 of epoch 0 but only 5 were assigned here"));
    assert_true (s_agent_wait (lem, 2, "SELECT count(*) FROM streams"));
    assert_true (s_agent_wait (lem, 5, S_POSITION));

    //  New notices are numbered 6, 7 in the new epoch and reach the agent once each
    s_notice (f, "Après la restauration");
    s_notice (f, "Après la restauration, deux");
    assert_true (it_wait_sql (f, 30000, 7, "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_true (s_agent_wait (lem, 7, S_POSITION));
    usleep (500000);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM inbox"), 12);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM notices"), 12);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM notices WHERE title LIKE 'Après%'"), 2);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(DISTINCT title) FROM notices"), 12);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM inbox i JOIN streams s ON s.id = i.stream "
                                              "WHERE s.id = 2 AND i.seq IN (6, 7)"), 2);
    it_result_t r;
    assert_int_equal (it_agent_cli (f, lem, &r, "status", NULL), 0);
    assert_non_null (strstr (r.out, "last seq  7 (stream epoch "));
    it_result_free (&r);
    assert_int_equal (it_agent_stop (f, lem), 0);
    it_fixture_pass (f);
}

static void
test_hub_killed_before_epoch_written (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    assert_int_equal (it_agent_start (f, lem), 0);
    s_notice (f, "Un");
    s_notice (f, "Deux");
    s_notice (f, "Trois");
    assert_true (it_wait_sql (f, 30000, 3, "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_int_equal (it_agent_stop (f, lem), 0);

    //  The database put back to where it had assigned 1 (as a restore would), the hub stopped
    assert_int_equal (it_hub_stop (f), 0);
    assert_int_equal (it_sql_long (f, "WITH d AS (DELETE FROM downward WHERE seq > 1 RETURNING 1) "
                                      "SELECT count(*) FROM d", NULL), 2);
    assert_int_equal (it_sql_long (f, "WITH h AS (UPDATE downward_heads SET last_seq = 1), "
                                      "u AS (UPDATE agents SET acked_seq = 1 RETURNING 1) "
                                      "SELECT count(*) FROM u", NULL), 1);
    //  A lock on the agent's row holds back every write of the hub's control worker
    PGconn *lock = PQconnectdb (f->conninfo);
    assert_int_equal (PQstatus (lock), CONNECTION_OK);
    PGresult *res = PQexec (lock, "BEGIN; SELECT 1 FROM agents WHERE network = 'lemanique' FOR UPDATE");
    assert_int_equal (PQresultStatus (res), PGRES_TUPLES_OK);
    PQclear (res);
    assert_int_equal (it_hub_start (f), 0);
    assert_int_equal (it_agent_start (f, lem), 0);
    //  The agent holds 3: the hub answers with a new epoch from 1, which the agent takes ...
    assert_true (s_agent_wait (lem, 2, "SELECT count(*) FROM streams"));
    assert_true (s_agent_wait (lem, 1, S_POSITION));
    assert_true (s_hub_logged (f, "hub: agent lemanique: holds seq 3 of epoch 0 but only 1 were assigned here"));
    //  ... and the hub dies before it could write it (its statements waiting on the lock die with
    //  it: the server would otherwise run them once the lock goes)
    assert_int_equal (it_hub_kill (f), 0);
    char lock_pid [16];
    snprintf (lock_pid, sizeof lock_pid, "%d", PQbackendPID (lock));
    assert_true (it_sql_long (f, "SELECT count (pg_terminate_backend (pid)) FROM pg_stat_activity "
                                 "WHERE datname = current_database () AND pid <> pg_backend_pid () "
                                 "AND pid <> $1::int", lock_pid, NULL) >= 1);
    res = PQexec (lock, "ROLLBACK");
    PQclear (res);
    PQfinish (lock);
    assert_int_equal (it_sql_long (f, "SELECT epoch FROM agents WHERE network = 'lemanique'", NULL), 0);

    //  The next hub does not know that epoch: the agent is served from where it is
    assert_int_equal (it_hub_start (f), 0);
    s_notice (f, "Deux, après");
    s_notice (f, "Trois, après");
    assert_true (it_wait_sql (f, 30000, 3, "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_true (s_agent_wait (lem, 3, S_POSITION));
    usleep (500000);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM streams"), 2);   //  no third epoch
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM inbox"), 5);     //  3 + 2, none twice
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM inbox WHERE stream = 2 AND seq IN (2, 3)"), 2);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM notices WHERE title LIKE '%après'"), 2);
    assert_int_equal (it_agent_stop (f, lem), 0);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_restore_with_pg_restore, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_hub_killed_before_epoch_written, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
