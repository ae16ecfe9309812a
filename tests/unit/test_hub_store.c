/*  test_hub_store.c — the connection core of hub/store against a real PostgreSQL (a fresh database
    per test): statements with parameters, rows, the error kept with its SQLSTATE and mapped to a
    result code, joinable transactions, array literals, LISTEN/NOTIFY wake-ups and reconnects. The
    aggregates have their own files (test_hub_store_*.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_downward.h"
#include "hub_store_ingest.h"
#include "hub_store_schema.h"
#include "hub_store_signals.h"
#include "unit_domain.h"
#include "unit_hub.h"

static void
test_query_rows (void **state)
{
    unit_hub_t *hub = *state;
    const char *values [] = { "Zürich", NULL, "41" };
    hub_rows_t *rows = hub_store_query (hub->store, "rows",
                                        "SELECT $1::text, $2::text IS NULL, $3::bigint + g, g % 2 = 0, NULL::text "
                                        "FROM generate_series (1, 3) AS g ORDER BY g", 3, values);
    assert_non_null (rows);
    assert_int_equal (hub_rows_count (rows), 3);
    assert_string_equal (hub_rows_text (rows, 0), "");          //  before the first row: nothing
    int n = 0;
    while (hub_rows_next (rows)) {
        n++;
        assert_string_equal (hub_rows_text (rows, 0), "Zürich");
        assert_true (hub_rows_bool (rows, 1));
        assert_int_equal (hub_rows_i64 (rows, 2), 41 + n);
        assert_int_equal (hub_rows_bool (rows, 3), n % 2 == 0);
        assert_true (hub_rows_null (rows, 4));
        assert_string_equal (hub_rows_text (rows, 4), "");
        assert_int_equal (hub_rows_i64 (rows, 4), 0);
        assert_true (hub_rows_null (rows, 9));                  //  no such column
        char small [4];
        hub_rows_copy (rows, 0, small, sizeof small);
        assert_string_equal (small, "Z\xc3\xbc");               //  cut, NUL-terminated
    }
    assert_int_equal (n, 3);
    assert_false (hub_rows_next (rows));
    hub_rows_destroy (&rows);
    hub_rows_destroy (&rows);                                   //  safe twice
    assert_null (rows);

    //  Binary parameters and results: bytes with a NUL come back as they went.
    const uint8_t bytes [] = { 'a', 0, 0xff, 'z' };
    const char *bin [] = { (const char *) bytes };
    int lengths [] = { (int) sizeof bytes };
    int formats [] = { 1 };
    rows = hub_store_query_bin (hub->store, "bytes", "SELECT $1::bytea, 7::bigint, 5::int", 1, bin, lengths, formats,
                                true);
    assert_non_null (rows);
    assert_true (hub_rows_next (rows));
    size_t size = 0;
    const uint8_t *back = hub_rows_bytes (rows, 0, &size);
    assert_int_equal (size, sizeof bytes);
    assert_memory_equal (back, bytes, sizeof bytes);
    assert_int_equal (hub_rows_i64 (rows, 1), 7);
    assert_int_equal (hub_rows_i64 (rows, 2), 5);
    hub_rows_destroy (&rows);
}

static void
test_errors (void **state)
{
    unit_hub_t *hub = *state;
    hub_store_t *store = hub->store;
    assert_int_equal (hub_store_command (store, "make", "CREATE TABLE t (id int PRIMARY KEY, "
                                                  "parent int REFERENCES t (id), n int CHECK (n > 0))", 0, NULL),
                      CII_OK);
    assert_int_equal (hub_store_command (store, "one", "INSERT INTO t VALUES (1, NULL, 1)", 0, NULL), CII_OK);
    //  Each integrity or data error gets its code; the text names what was being done.
    assert_int_equal (hub_store_command (store, "again", "INSERT INTO t VALUES (1, NULL, 1)", 0, NULL), CII_CONFLICT);
    assert_string_equal (hub_store_sqlstate (store), "23505");
    assert_string_equal (hub_store_constraint (store), "t_pkey");
    assert_int_equal (strncmp (hub_store_error (store), "again: ", 7), 0);
    assert_int_equal (hub_store_command (store, "orphan", "INSERT INTO t VALUES (2, 99, 1)", 0, NULL), CII_NOT_FOUND);
    assert_int_equal (hub_store_command (store, "check", "INSERT INTO t VALUES (3, NULL, 0)", 0, NULL), CII_BAD_INPUT);
    assert_int_equal (hub_store_command (store, "range", "SELECT 1/0", 0, NULL), CII_BAD_INPUT);
    assert_memory_equal (hub_store_sqlstate (store), "22", 2);
    assert_int_equal (hub_store_command (store, "syntax", "SELEC 1", 0, NULL), CII_FAILED);
    cii_err_t err;
    assert_int_equal (hub_store_fail (store, &err), CII_FAILED);
    assert_int_equal (err.rc, CII_FAILED);
    assert_int_equal (strncmp (err.text, "syntax: ", 8), 0);
    assert_null (strchr (err.text, '\n'));
    assert_false (hub_store_broken (store));
    //  A statement that returns rows, run as a command, is an error too (and the other way round).
    assert_null (hub_store_query (store, "not rows", "INSERT INTO t VALUES (4, NULL, 1)", 0, NULL));
    //  An error of the caller's own.
    hub_store_set_error (store, "mine", "line one\nline two");
    assert_string_equal (hub_store_error (store), "mine: line one line two");
    //  The connection is usable after every one of them.
    assert_int_equal (hub_store_command (store, "after", "INSERT INTO t VALUES (5, 1, 2)", 0, NULL), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM t"), 3);
}

static void
test_transactions (void **state)
{
    unit_hub_t *hub = *state;
    hub_store_t *store = hub->store;
    unit_pg_exec (hub->pg, "CREATE TABLE t (id int PRIMARY KEY)");
    //  The outer call owns the transaction; an inner one joins it and leaves it open.
    bool own = false, inner = true;
    assert_int_equal (hub_store_tx_begin (store, "outer", &own), CII_OK);
    assert_true (own);
    assert_int_equal (hub_store_command (store, "a", "INSERT INTO t VALUES (1)", 0, NULL), CII_OK);
    assert_int_equal (hub_store_tx_begin (store, "inner", &inner), CII_OK);
    assert_false (inner);
    assert_int_equal (hub_store_command (store, "b", "INSERT INTO t VALUES (2)", 0, NULL), CII_OK);
    assert_int_equal (hub_store_tx_end (store, "inner", inner, true), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM t"), 0);      //  not committed yet
    assert_int_equal (hub_store_tx_end (store, "outer", own, true), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM t"), 2);

    //  A failed inner step: its owner rolls everything back, keeping the first error.
    assert_int_equal (hub_store_tx_begin (store, "outer", &own), CII_OK);
    assert_int_equal (hub_store_command (store, "c", "INSERT INTO t VALUES (3)", 0, NULL), CII_OK);
    assert_int_equal (hub_store_tx_begin (store, "inner", &inner), CII_OK);
    assert_int_equal (hub_store_command (store, "dup", "INSERT INTO t VALUES (1)", 0, NULL), CII_CONFLICT);
    assert_int_equal (hub_store_tx_end (store, "inner", inner, false), CII_FAILED);
    assert_int_equal (hub_store_tx_end (store, "outer", own, false), CII_FAILED);
    assert_string_equal (hub_store_sqlstate (store), "23505");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM t"), 2);

    //  The explicit form.
    assert_int_equal (hub_store_begin (store), CII_OK);
    assert_int_equal (hub_store_command (store, "d", "INSERT INTO t VALUES (4)", 0, NULL), CII_OK);
    assert_int_equal (hub_store_rollback (store), CII_OK);
    assert_int_equal (hub_store_begin (store), CII_OK);
    assert_int_equal (hub_store_command (store, "e", "INSERT INTO t VALUES (5)", 0, NULL), CII_OK);
    assert_int_equal (hub_store_commit (store), CII_OK);
    char *ids = unit_pg_text (hub->pg, "SELECT string_agg (id::text, ',' ORDER BY id) FROM t");
    assert_string_equal (ids, "1,2,5");
    free (ids);
}

static void
test_arrays (void **state)
{
    unit_hub_t *hub = *state;
    const char *items [] = { "a\"b", "c\\d", "", "Zürich,Genève", NULL };
    char *text = hub_store_text_array (items, 5);
    assert_non_null (text);
    int64_t numbers [] = { -1, 0, INT64_MAX };
    char *ids = hub_store_id_array (numbers, 3);
    assert_string_equal (ids, "{-1,0,9223372036854775807}");
    char *empty = hub_store_text_array (NULL, 0);
    assert_string_equal (empty, "{}");
    const char *values [] = { text, ids, empty };
    hub_rows_t *rows = hub_store_query (hub->store, "arrays",
                                        "SELECT cardinality ($1::text[]), ($1::text[])[1], ($1::text[])[2], "
                                        "($1::text[])[4], ($1::text[])[5], ($2::bigint[])[3], cardinality ($3::text[])",
                                        3, values);
    assert_non_null (rows);
    assert_true (hub_rows_next (rows));
    assert_int_equal (hub_rows_i64 (rows, 0), 5);
    assert_string_equal (hub_rows_text (rows, 1), "a\"b");
    assert_string_equal (hub_rows_text (rows, 2), "c\\d");
    assert_string_equal (hub_rows_text (rows, 3), "Zürich,Genève");
    assert_string_equal (hub_rows_text (rows, 4), "");          //  a NULL entry is ""
    assert_int_equal (hub_rows_i64 (rows, 5), INT64_MAX);
    assert_int_equal (hub_rows_i64 (rows, 6), 0);
    hub_rows_destroy (&rows);
    free (text);
    free (ids);
    free (empty);
}

//  --------------------------------------------------------------------------------------------
//  Wake-ups and connection loss

typedef struct {
    int downward;
    int agents;
    char payload [64];
} s_heard_t;

static void
s_heard (const char *channel, const char *payload, void *arg)
{
    s_heard_t *heard = arg;
    if (streq (channel, HUB_CHANNEL_DOWNWARD))
        heard->downward++;
    if (streq (channel, HUB_CHANNEL_AGENTS))
        heard->agents++;
    snprintf (heard->payload, sizeof heard->payload, "%s", payload);
}

//  Waits up to 3 s until *counter is at least want.
static void
s_wait_for (hub_store_t *listener, s_heard_t *heard, const int *counter, int want)
{
    for (int i = 0; i < 300 && *counter < want; i++) {
        assert_true (hub_store_notifications (listener, s_heard, heard) >= 0);
        if (*counter < want)
            usleep (10 * 1000);
    }
    assert_true (*counter >= want);
}

static void
test_notifications (void **state)
{
    unit_hub_t *hub = *state;
    hub_store_t *listener = hub_store_new (hub->pg->conninfo, NULL);
    assert_non_null (listener);
    assert_int_equal (hub_store_listen (listener, HUB_CHANNEL_DOWNWARD), CII_OK);
    assert_int_equal (hub_store_listen (listener, HUB_CHANNEL_AGENTS), CII_OK);
    assert_int_equal (hub_store_listen (listener, HUB_CHANNEL_AGENTS), CII_OK);     //  once is enough
    assert_true (hub_store_socket (listener) >= 0);
    s_heard_t heard = { 0, 0, "" };
    assert_int_equal (hub_store_notifications (listener, s_heard, &heard), 0);

    int64_t agent = unit_hub_enrol (hub, "ost");
    s_wait_for (listener, &heard, &heard.agents, 1);
    char id [24];
    snprintf (id, sizeof id, "%lld", (long long) agent);
    assert_string_equal (heard.payload, id);
    const uint8_t body [] = { 1, 2, 3 };
    assert_int_equal (hub_store_downward_queue (hub->store, "notice", body, sizeof body, NULL, 0, "notice:7", NULL),
                      CII_OK);
    s_wait_for (listener, &heard, &heard.downward, 1);
    assert_string_equal (heard.payload, "notice:7");
    assert_int_equal (hub_store_revoke (hub->store, "ost", NULL), CII_OK);
    s_wait_for (listener, &heard, &heard.agents, 2);

    //  Nothing is sent for a rolled-back enrolment.
    unit_hub_enrol (hub, "ost");
    s_wait_for (listener, &heard, &heard.agents, 3);
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    assert_int_equal (hub_store_revoke (hub->store, "ost", NULL), CII_OK);
    assert_int_equal (hub_store_rollback (hub->store), CII_OK);
    usleep (200 * 1000);
    assert_int_equal (hub_store_notifications (listener, s_heard, &heard), 0);
    assert_int_equal (heard.agents, 3);
    hub_store_destroy (&listener);
    hub_store_destroy (&listener);          //  safe twice
}

static void
test_reconnect (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zuerich");
    cii_signal_t signal;
    unit_domain_signal (&signal, "ZH", "vor dem Abbruch");
    hub_ingest_item_t item = { .agent_id = agent, .network = "zuerich", .message_id = "before",
                               .shape = &hub_store_signal_shape, .item = &signal };
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);     //  prepares the statement
    hub_store_t *listener = hub_store_new (hub->pg->conninfo, NULL);
    assert_non_null (listener);
    assert_int_equal (hub_store_listen (listener, HUB_CHANNEL_DOWNWARD), CII_OK);
    assert_true (unit_pg_terminate (hub->pg) >= 2);
    usleep (100 * 1000);

    int version = 0;
    assert_int_equal (hub_store_schema_version (hub->store, &version), CII_UNAVAILABLE);
    assert_true (hub_store_broken (hub->store));
    assert_memory_equal (hub_store_sqlstate (hub->store), "08", 2);
    //  Broken: nothing runs until the reconnect.
    assert_int_equal (hub_store_command (hub->store, "x", "SELECT 1", 0, NULL), CII_UNAVAILABLE);
    assert_int_equal (hub_store_reconnect (hub->store), CII_OK);
    assert_false (hub_store_broken (hub->store));
    assert_int_equal (hub_store_reconnect (hub->store), CII_OK);                  //  a no-op when connected
    assert_int_equal (hub_store_schema_version (hub->store, &version), CII_OK);
    assert_int_equal (version, hub_store_binary_schema_version ());
    //  The prepared ingest statement is prepared again on the new connection.
    unit_domain_signal (&signal, "ZH", "wieder da");
    item.message_id = "after-reconnect";
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    assert_true (item.stored);

    //  The listener notices the loss (the server's FATAL message and the end of the stream may
    //  come in separate reads), reconnects and listens again.
    int rc = 0;
    for (int i = 0; i < 100 && rc != -1; i++) {
        rc = hub_store_notifications (listener, NULL, NULL);
        if (rc != -1)
            usleep (10 * 1000);
    }
    assert_int_equal (rc, -1);
    assert_true (hub_store_broken (listener));
    assert_int_equal (hub_store_reconnect (listener), CII_OK);
    const uint8_t body [] = { 1 };
    assert_int_equal (hub_store_downward_queue (hub->store, "notice", body, 1, NULL, 0, "notice:1", NULL), CII_OK);
    s_heard_t heard = { 0, 0, "" };
    s_wait_for (listener, &heard, &heard.downward, 1);
    hub_store_destroy (&listener);
}

static void
test_connect_refused (void **state)
{
    (void) state;
    cii_err_t err;
    cii_err_clear (&err);
    assert_null (hub_store_new ("dbname=cii_no_such_database_here", &err));
    assert_int_equal (err.rc, CII_UNAVAILABLE);
    assert_non_null (strstr (err.text, "cannot connect to PostgreSQL"));
    assert_null (strchr (err.text, '\n'));
    assert_null (hub_store_new ("dbname=cii_no_such_database_here", NULL));
    hub_store_destroy (NULL);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_query_rows, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_errors, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_transactions, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_arrays, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_notifications, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_reconnect, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test (test_connect_refused),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
