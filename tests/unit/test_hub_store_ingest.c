/*  test_hub_store_ingest.c — the generic batch ingest (hub_store_ingest) and the signal shape and
    listing (hub_store_signals) against a real PostgreSQL: a batch in one statement per kind,
    idempotency by (agent, message id) across batches and inside one, resends with the original
    reference and time, all or nothing on a database error, and a second, test-only kind (probes,
    in a table of the test's database) stored in the same transaction as signals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub_store_ingest.h"
#include "hub_store_signals.h"
#include "unit_domain.h"
#include "unit_hub.h"

//  One batch item of a signal.
static hub_ingest_item_t
s_item (int64_t agent, const char *network, const char *message_id, const cii_signal_t *signal)
{
    return (hub_ingest_item_t) { .agent_id = agent, .network = network, .message_id = message_id,
                                 .shape = &hub_store_signal_shape, .item = signal };
}

static hub_ingest_item_t
s_probe (int64_t agent, const char *network, const char *message_id, const unit_probe_t *probe)
{
    return (hub_ingest_item_t) { .agent_id = agent, .network = network, .message_id = message_id,
                                 .shape = &unit_hub_probe_shape, .item = probe };
}

typedef struct {
    int rows;
    int stop_after;
    char title [256];
    char institutions [128];
    char target_groups [128];
    char national_reason [128];
    char network [33];
    int64_t created_at_ms;
    int64_t received_at_ms;
    int64_t last_id;
} s_seen_t;

static bool
s_signal_cb (const hub_signal_row_t *row, void *arg)
{
    s_seen_t *seen = arg;
    assert_true (row->id > seen->last_id);             //  in id order
    seen->last_id = row->id;
    if (seen->rows++ == 0) {
        snprintf (seen->title, sizeof seen->title, "%s", row->title);
        snprintf (seen->institutions, sizeof seen->institutions, "%s", row->institutions);
        snprintf (seen->target_groups, sizeof seen->target_groups, "%s", row->target_groups);
        snprintf (seen->national_reason, sizeof seen->national_reason, "%s", row->national_reason);
        snprintf (seen->network, sizeof seen->network, "%s", row->network);
        seen->created_at_ms = row->created_at_ms;
        seen->received_at_ms = row->received_at_ms;
    }
    return !(seen->stop_after && seen->rows >= seen->stop_after);
}

static void
test_ingest_batch (void **state)
{
    unit_hub_t *hub = *state;
    int64_t ost = unit_hub_enrol (hub, "ost");
    cii_signal_t signals [5];
    hub_ingest_item_t items [5];
    char ids [5][16];
    const char *cantons [] = { "SG", "GR", "TG", "AI", "SH" };
    for (int i = 0; i < 5; i++) {
        snprintf (ids [i], sizeof ids [i], "msg-%d", i);
        unit_domain_signal (&signals [i], cantons [i], "Übergang Schule–Beruf für Spätankömmlinge");
        signals [i].target_groups [0] = CII_TARGET_GROUP_LATE_ARRIVING_YOUTH;
        signals [i].national_reason = "Gleiche Lücke in mehreren Kantonen";
        signals [i].created_at_ms = 1700000000123;
        items [i] = s_item (ost, "ost", ids [i], &signals [i]);
    }
    signals [4].n_target_groups = 0;
    signals [4].national_reason = NULL;
    assert_int_equal (hub_store_ingest (hub->store, items, 5, NULL), CII_OK);
    for (int i = 0; i < 5; i++) {
        assert_true (items [i].stored);
        assert_false (items [i].duplicate);
        assert_int_equal (strncmp (items [i].ref, "SIG-", 4), 0);
        assert_true (items [i].received_at_ms > 1700000000000);
        for (int j = 0; j < i; j++)
            assert_string_not_equal (items [i].ref, items [j].ref);
    }
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals"), 5);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log WHERE kind = 'signal'"), 5);
    //  The log's ref is the signal's ref.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log l JOIN signals s ON s.ref = l.ref "
                                            "AND s.message_id = l.message_id AND s.agent_id = l.agent_id "
                                            "AND s.received_at = l.received_at"), 5);
    char *empty = unit_pg_text (hub->pg, "SELECT target_groups::text || national_reason FROM signals "
                                         "WHERE message_id = 'msg-4'");
    assert_string_equal (empty, "{}");
    free (empty);

    s_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_signals (hub->store, "ost", s_signal_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 5);
    assert_string_equal (seen.title, "Übergang Schule–Beruf für Spätankömmlinge");
    assert_string_equal (seen.network, "ost");
    assert_string_equal (seen.institutions, "social-aid,health");
    assert_string_equal (seen.target_groups, "late-arriving-youth");
    assert_string_equal (seen.national_reason, "Gleiche Lücke in mehreren Kantonen");
    assert_int_equal (seen.created_at_ms, 1700000000123);
    assert_int_equal (seen.received_at_ms, items [0].received_at_ms);
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_signals (hub->store, "zuerich", s_signal_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 0);
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_signals (hub->store, NULL, s_signal_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 5);
    //  The callback stops the walk.
    memset (&seen, 0, sizeof seen);
    seen.stop_after = 2;
    assert_int_equal (hub_store_signals (hub->store, NULL, s_signal_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 2);
}

static void
test_ingest_duplicate (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    cii_signal_t first;
    unit_domain_signal (&first, "ZH", "Erstes Signal");
    hub_ingest_item_t item = s_item (zh, "zuerich", "dup-1", &first);
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    assert_true (item.stored);
    assert_false (item.duplicate);
    char ref [HUB_MAX_REF];
    snprintf (ref, sizeof ref, "%s", item.ref);
    int64_t received = item.received_at_ms;
    usleep (20 * 1000);

    //  The same id again (even with other content): the original ref and time.
    cii_signal_t again;
    unit_domain_signal (&again, "ZH", "Changed title");
    hub_ingest_item_t batch [3] = {
        s_item (zh, "zuerich", "dup-1", &again),
        s_item (zh, "zuerich", "dup-1", &first),
        s_item (zh, "zuerich", "dup-1", &first),
    };
    assert_int_equal (hub_store_ingest (hub->store, batch, 3, NULL), CII_OK);
    for (int i = 0; i < 3; i++) {
        assert_true (batch [i].stored);
        assert_true (batch [i].duplicate);
        assert_string_equal (batch [i].ref, ref);
        assert_int_equal (batch [i].received_at_ms, received);
    }
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals WHERE message_id = 'dup-1'"), 1);
    char *title = unit_pg_text (hub->pg, "SELECT title FROM signals WHERE message_id = 'dup-1'");
    assert_string_equal (title, "Erstes Signal");
    free (title);
    char found [HUB_MAX_REF];
    int64_t at = 0;
    assert_int_equal (hub_store_ingest_lookup (hub->store, zh, "dup-1", found, &at), CII_OK);
    assert_string_equal (found, ref);
    assert_int_equal (at, received);
    assert_int_equal (hub_store_ingest_lookup (hub->store, zh, "never-sent", found, &at), CII_NOT_FOUND);

    //  A new id and its resend inside one batch: stored once, the second is a duplicate.
    cii_signal_t fresh;
    unit_domain_signal (&fresh, "ZH", "Zweites");
    hub_ingest_item_t pair [2] = { s_item (zh, "zuerich", "dup-2", &fresh), s_item (zh, "zuerich", "dup-2", &fresh) };
    assert_int_equal (hub_store_ingest (hub->store, pair, 2, NULL), CII_OK);
    assert_true (pair [0].stored && pair [1].stored);
    assert_false (pair [0].duplicate);
    assert_true (pair [1].duplicate);
    assert_string_equal (pair [0].ref, pair [1].ref);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals WHERE message_id = 'dup-2'"), 1);
    assert_false (pair [0].conflict || pair [1].conflict);          //  no digests: resends
}

//  With digests, a message id reused with other content is told apart from a resend: in one
//  batch, across batches, and by the lookup; an id stored without a digest stays a resend.
static void
test_ingest_digest (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    cii_signal_t one, other;
    unit_domain_signal (&one, "ZH", "Eins");
    unit_domain_signal (&other, "ZH", "Anderes");
    hub_ingest_item_t batch [3] = {
        s_item (zh, "zuerich", "d-1", &one), s_item (zh, "zuerich", "d-1", &one), s_item (zh, "zuerich", "d-1", &other),
    };
    batch [0].digest = batch [1].digest = "AAAA";
    batch [2].digest = "BBBB";
    assert_int_equal (hub_store_ingest (hub->store, batch, 3, NULL), CII_OK);
    assert_true (batch [0].stored && !batch [0].duplicate && !batch [0].conflict);
    assert_true (batch [1].stored && batch [1].duplicate && !batch [1].conflict);
    assert_true (batch [2].stored && batch [2].duplicate && batch [2].conflict);
    assert_string_equal (batch [2].ref, batch [0].ref);
    hub_ingest_item_t later [2] = { s_item (zh, "zuerich", "d-1", &one), s_item (zh, "zuerich", "d-1", &other) };
    later [0].digest = "AAAA";
    later [1].digest = "BBBB";
    assert_int_equal (hub_store_ingest (hub->store, later, 2, NULL), CII_OK);
    assert_true (later [0].duplicate && !later [0].conflict);
    assert_true (later [1].duplicate && later [1].conflict);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals WHERE message_id = 'd-1'"), 1);
    char ref [HUB_MAX_REF];
    int64_t at = 0;
    bool conflict = false;
    assert_int_equal (hub_store_ingest_lookup_digest (hub->store, zh, "d-1", "BBBB", ref, &at, &conflict), CII_OK);
    assert_true (conflict);
    assert_int_equal (hub_store_ingest_lookup_digest (hub->store, zh, "d-1", "AAAA", ref, &at, &conflict), CII_OK);
    assert_false (conflict);
    //  Stored before digests existed (NULL): whatever comes is a resend, as it always was
    hub_ingest_item_t old = s_item (zh, "zuerich", "d-old", &one);
    assert_int_equal (hub_store_ingest (hub->store, &old, 1, NULL), CII_OK);
    old.digest = "CCCC";
    assert_int_equal (hub_store_ingest (hub->store, &old, 1, NULL), CII_OK);
    assert_true (old.duplicate && !old.conflict);
}

static void
test_ingest_other_agent (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    cii_signal_t zsig, vsig;
    unit_domain_signal (&zsig, "ZH", "Erstes Signal");
    unit_domain_signal (&vsig, "VD", "Même identifiant, autre agent");
    //  The same message id from two agents, even in one batch: two messages.
    hub_ingest_item_t items [2] = { s_item (zh, "zuerich", "dup-1", &zsig), s_item (lem, "lemanique", "dup-1", &vsig) };
    assert_int_equal (hub_store_ingest (hub->store, items, 2, NULL), CII_OK);
    assert_true (items [0].stored && items [1].stored);
    assert_false (items [0].duplicate || items [1].duplicate);
    assert_string_not_equal (items [0].ref, items [1].ref);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals WHERE message_id = 'dup-1'"), 2);
}

static void
test_ingest_rollback (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    cii_signal_t good, bad, after;
    unit_domain_signal (&good, "ZH", "fine");
    //  The codec and the serving hub keep such input out; here it stands for any message the
    //  database refuses (a time beyond PostgreSQL's range: SQLSTATE class 22).
    unit_domain_signal (&bad, "ZH", "time out of range");
    bad.created_at_ms = INT64_MAX;
    unit_domain_signal (&after, "ZH", "fine too");
    hub_ingest_item_t items [3] = {
        s_item (zh, "zuerich", "rb-1", &good), s_item (zh, "zuerich", "rb-2", &bad), s_item (zh, "zuerich", "rb-3", &after),
    };
    cii_err_t err;
    assert_int_equal (hub_store_ingest (hub->store, items, 3, &err), CII_BAD_INPUT);
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_true (strlen (err.text) > 0);
    for (int i = 0; i < 3; i++)
        assert_false (items [i].stored);
    assert_memory_equal (hub_store_sqlstate (hub->store), "22", 2);
    assert_false (hub_store_broken (hub->store));
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log"), 0);

    //  The connection is usable at once; the good ones go through on their own.
    hub_ingest_item_t retry [2] = { items [0], items [2] };
    assert_int_equal (hub_store_ingest (hub->store, retry, 2, NULL), CII_OK);
    assert_true (retry [0].stored && retry [1].stored);
    assert_false (retry [0].duplicate || retry [1].duplicate);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals"), 2);

    //  An item its shape cannot turn into a row (or without a message id, or a shape) is skipped
    //  (stored = false) without failing the batch.
    cii_signal_t broken, more;
    unit_domain_signal (&broken, "ZH", "no description");
    broken.description = NULL;
    unit_domain_signal (&more, "ZH", "after the broken one");
    hub_ingest_item_t mixed [4] = {
        s_item (zh, "zuerich", "rb-4", &broken), s_item (zh, "zuerich", NULL, &more),
        s_item (zh, "zuerich", "rb-6", &more), s_item (zh, "zuerich", "rb-7", &more),
    };
    mixed [3].shape = NULL;
    assert_int_equal (hub_store_ingest (hub->store, mixed, 4, NULL), CII_OK);
    assert_false (mixed [0].stored);
    assert_false (mixed [1].stored);
    assert_true (mixed [2].stored);
    assert_false (mixed [3].stored);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals"), 3);
    assert_int_equal (hub_store_ingest (hub->store, NULL, 0, NULL), CII_OK);
}

//  A second kind next to signals: both are stored by one transaction, or neither.
static void
test_ingest_two_kinds (void **state)
{
    unit_hub_t *hub = *state;
    unit_hub_probe_table (hub);
    int64_t ti = unit_hub_enrol (hub, "ticino");
    int64_t ost = unit_hub_enrol (hub, "ost");
    cii_signal_t signal, other;
    unit_domain_signal (&signal, "TI", "Segnale");
    unit_domain_signal (&other, "SG", "Signal aus St. Gallen");
    unit_probe_t probe = { "sonda", 7 }, second = { "zweite Sonde", 0 };
    hub_ingest_item_t items [4] = {
        s_item (ti, "ticino", "m-1", &signal), s_probe (ti, "ticino", "m-2", &probe),
        s_probe (ost, "ost", "m-1", &second), s_item (ost, "ost", "m-3", &other),
    };
    assert_int_equal (hub_store_ingest (hub->store, items, 4, NULL), CII_OK);
    for (int i = 0; i < 4; i++) {
        assert_true (items [i].stored);
        assert_false (items [i].duplicate);
    }
    assert_int_equal (strncmp (items [0].ref, "SIG-", 4), 0);
    assert_int_equal (strncmp (items [1].ref, "PRB-", 4), 0);
    assert_int_equal (strncmp (items [2].ref, "PRB-", 4), 0);
    assert_int_equal (strncmp (items [3].ref, "SIG-", 4), 0);
    //  One transaction: the same commit time for every item of the batch.
    for (int i = 1; i < 4; i++)
        assert_int_equal (items [i].received_at_ms, items [0].received_at_ms);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log WHERE kind = 'probe-up'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log WHERE kind = 'signal'"), 2);
    char *row = unit_pg_text (hub->pg, "SELECT network || '/' || text || '/' || number || '/' || ref || '/' || message_id "
                                       "FROM probes WHERE agent_id = %lld", (long long) ti);
    char expect [96];
    snprintf (expect, sizeof expect, "ticino/sonda/7/%s/m-2", items [1].ref);
    assert_string_equal (row, expect);
    free (row);

    //  Resent, mixed the other way round: the original references, nothing new.
    hub_ingest_item_t resent [2] = { items [2], items [0] };
    assert_int_equal (hub_store_ingest (hub->store, resent, 2, NULL), CII_OK);
    assert_true (resent [0].duplicate && resent [1].duplicate);
    assert_string_equal (resent [0].ref, items [2].ref);
    assert_string_equal (resent [1].ref, items [0].ref);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM probes"), 2);

    //  The probe fails in the database (number < 0): the signals of the batch are not stored
    //  either, whichever kind comes first.
    cii_signal_t third;
    unit_domain_signal (&third, "TI", "Terzo");
    unit_probe_t negative = { "negativa", -1 };
    hub_ingest_item_t fails [2] = { s_item (ti, "ticino", "m-4", &third), s_probe (ti, "ticino", "m-5", &negative) };
    cii_err_t err;
    assert_int_equal (hub_store_ingest (hub->store, fails, 2, &err), CII_BAD_INPUT);
    assert_false (fails [0].stored || fails [1].stored);
    assert_string_equal (hub_store_sqlstate (hub->store), "23514");
    cii_signal_t bad;
    unit_domain_signal (&bad, "TI", "fuori tempo");
    bad.created_at_ms = INT64_MAX;
    unit_probe_t fine = { "buona", 1 };
    hub_ingest_item_t fails_too [2] = { s_probe (ti, "ticino", "m-6", &fine), s_item (ti, "ticino", "m-7", &bad) };
    assert_int_equal (hub_store_ingest (hub->store, fails_too, 2, NULL), CII_BAD_INPUT);
    assert_false (fails_too [0].stored || fails_too [1].stored);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM signals"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM probes"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log"), 4);
    //  Nothing is left open: the good half goes through alone.
    fails [1].item = &fine;
    assert_int_equal (hub_store_ingest (hub->store, fails, 2, NULL), CII_OK);
    assert_true (fails [0].stored && fails [1].stored);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log"), 6);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_ingest_batch, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ingest_duplicate, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ingest_digest, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ingest_other_agent, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ingest_rollback, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ingest_two_kinds, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
