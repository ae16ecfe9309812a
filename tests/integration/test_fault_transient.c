/*  test_fault_transient.c — integration, fault injection (U6, U7): a transient database error while
    the connection is up is not a refusal. A trigger the test creates on the hub's signals raises
    SQLSTATE 40001 (serialization_failure) or 53100 (disk_full) for the first rows it sees, in a
    batch of several messages and then for messages stored one by one: the agent must not mark
    any signal refused; every signal is stored later, exactly once, and delivered. */
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

#define N_SIGNALS 8
#define N_FAULTS  4 //  rows refused before the trigger lets them through

typedef struct {
    it_agent_t *agent;
    long expected;
} sent_t;

//  Every queued signal went out at least once.
static bool s_all_sent (void *arg)
{
    sent_t *sent = arg;
    return it_agent_sql_long (sent->agent, "SELECT count(*) FROM outbox WHERE attempts > 0") ==
           sent->expected;
}

static void s_transient (void **state, const char *sqlstate)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agent = it_agent_add (f, "mittelland");
    assert_non_null (agent);
    //  Queued while the daemon is down, so that they leave together
    for (int i = 1; i <= N_SIGNALS; i++) {
        char title[64];
        snprintf (title, sizeof title, "Erreur passagère %s n° %d", sqlstate, i);
        it_result_t r;
        assert_int_equal (it_signal_add (f, agent, i % 2 ? "BE" : "NE", title, NULL, NULL, &r), 0);
        it_result_free (&r);
    }
    //  The fault: the first N_FAULTS rows offered to signals fail with the SQLSTATE (a sequence
    //  counts them: it is not rolled back with the failed statement)
    char function[600];
    snprintf (function, sizeof function,
              "CREATE FUNCTION fault_transient () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
              " IF nextval ('fault_rows') <= %d THEN"
              "   RAISE EXCEPTION 'injected transient fault' USING ERRCODE = '%s';"
              " END IF; RETURN NEW; END $$",
              N_FAULTS, sqlstate);
    assert_int_equal (it_sql_exec (f, "CREATE SEQUENCE fault_rows", NULL), 0);
    assert_int_equal (it_sql_exec (f, function, NULL), 0);
    assert_int_equal (it_sql_exec (f,
                                   "CREATE TRIGGER fault_transient BEFORE INSERT ON signals"
                                   " FOR EACH ROW EXECUTE FUNCTION fault_transient ()",
                                   NULL),
                      0);
    //  Hold the ingest until every signal has arrived, so that the hub stores several in one batch
    //  (the batch fails, then its messages are stored one by one, the first ones failing again)
    assert_int_equal (it_sql_exec (f, "BEGIN", NULL), 0);
    assert_int_equal (it_sql_exec (f, "LOCK TABLE ingest_log IN ACCESS EXCLUSIVE MODE", NULL), 0);
    assert_int_equal (it_agent_start (f, agent), 0);
    sent_t sent = {agent, N_SIGNALS};
    assert_true (it_wait_until (20000, s_all_sent, &sent));
    usleep (300 * 1000);
    assert_int_equal (it_sql_exec (f, "COMMIT", NULL), 0);

    //  Stored later, exactly once each; none refused
    assert_true (it_wait_sql (f, 30000, N_SIGNALS, "SELECT count(*) FROM signals", NULL));
    assert_true (it_wait_delivered (f, agent, N_SIGNALS, 20000));
    assert_int_equal (
        it_agent_sql_long (agent, "SELECT count(*) FROM signals WHERE refused_code IS NOT NULL"),
        0);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), N_SIGNALS);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL),
                      N_SIGNALS);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM ingest_log", NULL), N_SIGNALS);
    //  The fault did happen, as many times as asked
    assert_true (it_sql_long (f, "SELECT last_value FROM fault_rows", NULL) > N_FAULTS);
    assert_true (it_file_contains (f->hub_log, "injected transient fault"));

    assert_int_equal (it_agent_stop (f, agent), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

static void test_serialization_failure (void **state)
{
    s_transient (state, "40001");
}

static void test_disk_full (void **state)
{
    s_transient (state, "53100");
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_serialization_failure, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_disk_full, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
