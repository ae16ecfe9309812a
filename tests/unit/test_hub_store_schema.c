/*  test_hub_store_schema.c — hub_store_schema against a real PostgreSQL: migrations applied once
    and in order, refused on a database newer than the binary, safe when several hubs run them at
    once, the schema check every verb makes, and 0003 (downward.notice_id becomes subject) on a
    database that already holds notices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cii_migration.h"
#include "hub_store_downward.h"
#include "hub_store_notices.h"
#include "hub_store_schema.h"
#include "unit_hub.h"

static void
test_migrate_twice (void **state)
{
    unit_hub_t *hub = *state;
    int binary = hub_store_binary_schema_version ();
    assert_true (binary >= 3);
    int version = -1;
    assert_int_equal (hub_store_schema_version (hub->store, &version), CII_OK);
    assert_int_equal (version, 0);
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (version, binary);
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (version, binary);
    assert_int_equal (hub_store_schema_version (hub->store, &version), CII_OK);
    assert_int_equal (version, binary);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM schema_migrations"), (long long) hub_migrations_count);
    //  The seed ran exactly once.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM cantons"), 26);
}

static void
test_refuse_newer (void **state)
{
    unit_hub_t *hub = *state;
    int binary = hub_store_binary_schema_version ();
    unit_pg_exec (hub->pg, "INSERT INTO schema_migrations (version, name) VALUES (%d, 'future')", binary + 1);
    int version = 0;
    assert_int_equal (hub_store_schema_version (hub->store, &version), CII_OK);
    assert_int_equal (version, binary + 1);
    cii_err_t err;
    assert_int_equal (hub_store_migrate (hub->store, &version, &err), CII_CONFLICT);
    assert_non_null (strstr (err.text, "newer"));
    assert_int_equal (hub_store_schema_check (hub->store, &err), CII_CONFLICT);
    char expect [160];
    snprintf (expect, sizeof expect, "database schema is version %d, newer than this cii-hub (%d): upgrade cii-hub",
              binary + 1, binary);
    assert_string_equal (err.text, expect);
    unit_pg_exec (hub->pg, "DELETE FROM schema_migrations WHERE name = 'future'");
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (version, binary);
}

static void
test_schema_check (void **state)
{
    unit_hub_t *hub = *state;
    int binary = hub_store_binary_schema_version ();
    cii_err_t err;
    assert_int_equal (hub_store_schema_check (hub->store, &err), CII_CONFLICT);
    char expect [160];
    snprintf (expect, sizeof expect, "database schema is version 0, this cii-hub needs %d: run cii-hub init", binary);
    assert_string_equal (err.text, expect);
    unit_hub_migrate_to (hub, 2);
    assert_int_equal (hub_store_schema_check (hub->store, &err), CII_CONFLICT);
    snprintf (expect, sizeof expect, "database schema is version 2, this cii-hub needs %d: run cii-hub init", binary);
    assert_string_equal (err.text, expect);
    int version = 0;
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (hub_store_schema_check (hub->store, &err), CII_OK);
    assert_int_equal (hub_store_schema_check (hub->store, NULL), CII_OK);
}

typedef struct {
    const char *conninfo;
    cii_rc_t rc;
    int version;
} s_migrate_job_t;

static void *
s_migrate_thread (void *arg)
{
    s_migrate_job_t *job = arg;
    hub_store_t *store = hub_store_new (job->conninfo, NULL);
    job->rc = store ? hub_store_migrate (store, &job->version, NULL) : CII_UNAVAILABLE;
    hub_store_destroy (&store);
    return NULL;
}

static void
test_concurrent_migrate (void **state)
{
    unit_hub_t *hub = *state;
    s_migrate_job_t jobs [4];
    pthread_t threads [4];
    for (int i = 0; i < 4; i++) {
        jobs [i] = (s_migrate_job_t) { hub->pg->conninfo, CII_FAILED, -1 };
        assert_int_equal (pthread_create (&threads [i], NULL, s_migrate_thread, &jobs [i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join (threads [i], NULL);
        assert_int_equal (jobs [i].rc, CII_OK);
        assert_int_equal (jobs [i].version, hub_store_binary_schema_version ());
    }
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM schema_migrations"), (long long) hub_migrations_count);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM networks"), 7);
}

typedef struct {
    int rows;
    int64_t recipients [4];
    int64_t acked [4];
} s_counts_t;

static bool
s_count_notice (const hub_notice_row_t *row, void *arg)
{
    s_counts_t *counts = arg;
    if (counts->rows < 4) {
        counts->recipients [counts->rows] = row->recipients;
        counts->acked [counts->rows] = row->acked;
    }
    counts->rows++;
    return true;
}

//  A database as cii-hub with schema 2 left it, holding two notices and their downward items (one
//  acknowledged), and an item about no notice: after 0003, each notice's items carry its subject,
//  the counts read the same, and new items are queued by subject.
static void
test_migration_0003 (void **state)
{
    unit_hub_t *hub = *state;
    unit_hub_migrate_to (hub, 2);
    unit_pg_exec (hub->pg,
                  "INSERT INTO agents (id, network, public_key, last_seq, acked_seq) VALUES "
                  "  (1, 'lemanique', repeat ('A', 40), 3, 1), (2, 'ticino', repeat ('B', 40), 1, 0);"
                  "INSERT INTO notices (id, title, text) VALUES (1, 'Première', 'un'), (2, 'Seconda', 'due');"
                  "INSERT INTO downward (agent_id, seq, kind, body, notice_id, acked_at) VALUES "
                  "  (1, 1, 'notice', '\\x01', 1, now ()), (2, 1, 'notice', '\\x01', 1, NULL), "
                  "  (1, 2, 'notice', '\\x02', 2, NULL), (1, 3, 'other', '\\x03', NULL, NULL);"
                  "SELECT setval ('agents_id_seq', 2); SELECT setval ('notices_id_seq', 2);");
    int version = 0;
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (version, hub_store_binary_schema_version ());
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM information_schema.columns "
                                            "WHERE table_name = 'downward' AND column_name = 'notice_id'"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'notice:1'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'notice:2'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject IS NULL"), 1);
    //  Nothing else changed: the bodies, sequences and acks are as they were.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), 4);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE acked_at IS NOT NULL"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT get_byte (body, 0) FROM downward WHERE agent_id = 1 AND seq = 2"),
                      2);

    s_counts_t counts;
    memset (&counts, 0, sizeof counts);
    assert_int_equal (hub_store_notices (hub->store, s_count_notice, &counts), CII_OK);
    assert_int_equal (counts.rows, 2);
    assert_int_equal (counts.recipients [0], 2);
    assert_int_equal (counts.acked [0], 1);
    assert_int_equal (counts.recipients [1], 1);
    assert_int_equal (counts.acked [1], 0);
    int64_t recipients = 0, acked = 0;
    assert_int_equal (hub_store_downward_counts (hub->store, "notice:1", &recipients, &acked), CII_OK);
    assert_int_equal (recipients, 2);
    assert_int_equal (acked, 1);
    //  The queue goes on numbering after what was there.
    const uint8_t body [] = { 4 };
    assert_int_equal (hub_store_downward_queue (hub->store, "notice", body, 1, NULL, 0, "notice:3", &recipients),
                      CII_OK);
    assert_int_equal (recipients, 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT seq FROM downward WHERE agent_id = 1 AND subject = 'notice:3'"), 4);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_migrate_twice, unit_hub_setup_empty, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refuse_newer, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_schema_check, unit_hub_setup_empty, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_concurrent_migrate, unit_hub_setup_empty, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_migration_0003, unit_hub_setup_empty, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
