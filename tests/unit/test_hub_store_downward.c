/*  test_hub_store_downward.c — the per-agent downward queue of any kind (hub_store_downward)
    against a real PostgreSQL: fan-out to the active agents of the addressed networks with
    consecutive sequences, the batched fetch of several agents in one statement, acknowledgements
    that only move forward and never past what was assigned, and the counts by subject. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_downward.h"
#include "unit_hub.h"

typedef struct {
    int64_t revoked, lemanique, zuerich, ost;
} s_agents_t;

//  Four agents: a revoked one and the active agents of lemanique, zuerich and ost.
static s_agents_t
s_agents (unit_hub_t *hub)
{
    s_agents_t a;
    a.revoked = unit_hub_enrol (hub, "lemanique");
    assert_int_equal (hub_store_revoke (hub->store, "lemanique", NULL), CII_OK);
    a.lemanique = unit_hub_enrol (hub, "lemanique");
    a.zuerich = unit_hub_enrol (hub, "zuerich");
    a.ost = unit_hub_enrol (hub, "ost");
    return a;
}

//  Queues a one-byte body b of kind for networks (NULL-terminated; none = all); the recipients.
static int64_t
s_queue (unit_hub_t *hub, const char *kind, uint8_t b, const char *subject, const char *const *networks)
{
    size_t count = 0;
    while (networks && networks [count])
        count++;
    int64_t recipients = -1;
    assert_int_equal (hub_store_downward_queue (hub->store, kind, &b, 1, networks, count, subject, &recipients), CII_OK);
    return recipients;
}

static void
test_fanout (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    assert_int_equal (s_queue (hub, "notice", 1, "notice:1", NULL), 3);           //  the revoked agent gets nothing
    const char *zh [] = { "zuerich", NULL };
    assert_int_equal (s_queue (hub, "notice", 2, "notice:2", zh), 1);
    const char *two [] = { "zuerich", "ticino", NULL };                          //  ticino has no agent
    assert_int_equal (s_queue (hub, "status", 3, "status:CII-2027-0001", two), 1);
    const char *none [] = { "ticino", NULL };
    assert_int_equal (s_queue (hub, "notice", 4, "notice:4", none), 0);
    //  No subject, no count wanted.
    uint8_t body = 5;
    assert_int_equal (hub_store_downward_queue (hub->store, "notice", &body, 1, zh, 1, NULL, NULL), CII_OK);

    assert_int_equal (unit_hub_agent (hub, a.lemanique).last_seq, 1);
    assert_int_equal (unit_hub_agent (hub, a.ost).last_seq, 1);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).last_seq, 4);
    assert_int_equal (unit_hub_agent (hub, a.revoked).last_seq, 0);
    //  Consecutive sequences per agent, no gaps, each with its kind, body and subject.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld AND seq BETWEEN 1 AND 4",
                                   (long long) a.zuerich), 4);
    char *row = unit_pg_text (hub->pg, "SELECT string_agg (seq || ':' || kind || ':' || get_byte (body, 0) || ':' || "
                                       "coalesce (subject, '-'), ' ' ORDER BY seq) FROM downward WHERE agent_id = %lld",
                              (long long) a.zuerich);
    assert_string_equal (row, "1:notice:1:notice:1 2:notice:2:notice:2 3:status:3:status:CII-2027-0001 4:notice:5:-");
    free (row);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld", (long long) a.revoked),
                      0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE acked_at IS NOT NULL"), 0);
}

typedef struct {
    int count;
    int64_t agents [16];
    int64_t seqs [16];
    char kinds [16][16];
    uint8_t first [16];
} s_fetched_t;

static void
s_fetch_cb (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    s_fetched_t *f = arg;
    assert_true (f->count < 16);
    assert_int_equal (size, 1);
    f->agents [f->count] = agent_id;
    f->seqs [f->count] = seq;
    snprintf (f->kinds [f->count], sizeof f->kinds [0], "%s", kind);
    f->first [f->count] = body [0];
    f->count++;
}

static void
test_fetch (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    s_queue (hub, "notice", 10, "notice:1", NULL);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "status", 11, "status:1", zh);
    s_queue (hub, "notice", 12, "notice:2", zh);
    const char *ost [] = { "ost", NULL };
    s_queue (hub, "notice", 13, "notice:3", ost);

    //  One agent: everything after a sequence, at most a limit.
    s_fetched_t f;
    memset (&f, 0, sizeof f);
    hub_fetch_t one = { a.zuerich, 0, 100 };
    assert_int_equal (hub_store_downward_fetch (hub->store, &one, 1, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal (f.agents [i], a.zuerich);
        assert_int_equal (f.seqs [i], i + 1);
        assert_int_equal (f.first [i], 10 + i);
    }
    assert_string_equal (f.kinds [0], "notice");
    assert_string_equal (f.kinds [1], "status");
    memset (&f, 0, sizeof f);
    one.after_seq = 1;
    one.limit = 1;
    assert_int_equal (hub_store_downward_fetch (hub->store, &one, 1, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 1);
    assert_int_equal (f.seqs [0], 2);
    memset (&f, 0, sizeof f);
    one.after_seq = 3;
    one.limit = 100;
    assert_int_equal (hub_store_downward_fetch (hub->store, &one, 1, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 0);

    //  Several agents with one statement, each with its own position and limit; an agent without
    //  items (or unknown) gives nothing. Items come by agent, each agent's in sequence order.
    hub_fetch_t many [] = {
        { a.ost, 0, 100 }, { a.zuerich, 1, 100 }, { a.lemanique, 0, 100 }, { a.revoked, 0, 100 }, { 9999, 0, 100 },
    };
    memset (&f, 0, sizeof f);
    assert_int_equal (hub_store_downward_fetch (hub->store, many, 5, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 5);
    int per_agent [3] = { 0, 0, 0 };
    for (int i = 0; i < f.count; i++) {
        if (i > 0 && f.agents [i] == f.agents [i - 1])
            assert_true (f.seqs [i] == f.seqs [i - 1] + 1);
        if (i > 0)
            assert_true (f.agents [i] >= f.agents [i - 1]);
        per_agent [0] += f.agents [i] == a.ost;
        per_agent [1] += f.agents [i] == a.zuerich;
        per_agent [2] += f.agents [i] == a.lemanique;
        if (f.agents [i] == a.zuerich)
            assert_true (f.seqs [i] > 1);
        if (f.agents [i] == a.ost)
            assert_int_equal (f.first [i], f.seqs [i] == 1 ? 10 : 13);
    }
    assert_int_equal (per_agent [0], 2);
    assert_int_equal (per_agent [1], 2);
    assert_int_equal (per_agent [2], 1);
    //  Limits apply per agent.
    hub_fetch_t limited [] = { { a.zuerich, 0, 2 }, { a.ost, 0, 1 } };
    memset (&f, 0, sizeof f);
    assert_int_equal (hub_store_downward_fetch (hub->store, limited, 2, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 3);
    assert_int_equal (hub_store_downward_fetch (hub->store, NULL, 0, s_fetch_cb, &f), CII_OK);
    assert_int_equal (f.count, 3);
}

static void
test_acks (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    s_queue (hub, "notice", 1, "notice:1", NULL);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "notice", 2, "notice:2", zh);
    s_queue (hub, "notice", 3, "notice:3", zh);

    int64_t ids [] = { a.zuerich };
    int64_t seqs [] = { 1 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 1);
    seqs [0] = 0;                   //  backwards: ignored
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld AND acked_at IS NOT NULL",
                                   (long long) a.zuerich), 1);
    //  Several agents in one call (the highest ack of an agent counts); beyond last_seq is cut
    //  to last_seq.
    int64_t many_ids [] = { a.zuerich, a.ost, a.zuerich };
    int64_t many_seqs [] = { 2, 1, 99 };
    assert_int_equal (hub_store_acks (hub->store, many_ids, many_seqs, 3), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 3);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).last_seq, 3);
    assert_int_equal (unit_hub_agent (hub, a.ost).acked_seq, 1);
    assert_int_equal (unit_hub_agent (hub, a.lemanique).acked_seq, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE acked_at IS NULL"), 1);
    //  An ack of an unknown agent changes nothing; none at all is fine.
    int64_t stranger [] = { 9999 };
    assert_int_equal (hub_store_acks (hub->store, stranger, seqs, 1), CII_OK);
    assert_int_equal (hub_store_acks (hub->store, NULL, NULL, 0), CII_OK);
    //  Acknowledged rows are kept (nothing is deleted by an ack).
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), 5);
}

static void
test_counts (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    s_queue (hub, "notice", 1, "notice:1", NULL);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "notice", 2, "notice:2", zh);
    int64_t ids [] = { a.zuerich, a.ost };
    int64_t seqs [] = { 2, 1 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 2), CII_OK);
    int64_t recipients = -1, acked = -1;
    assert_int_equal (hub_store_downward_counts (hub->store, "notice:1", &recipients, &acked), CII_OK);
    assert_int_equal (recipients, 3);
    assert_int_equal (acked, 2);
    assert_int_equal (hub_store_downward_counts (hub->store, "notice:2", &recipients, &acked), CII_OK);
    assert_int_equal (recipients, 1);
    assert_int_equal (acked, 1);
    assert_int_equal (hub_store_downward_counts (hub->store, "notice:99", &recipients, NULL), CII_OK);
    assert_int_equal (recipients, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_fanout, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_fetch, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_acks, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_counts, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
