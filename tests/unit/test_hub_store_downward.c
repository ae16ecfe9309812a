/*  test_hub_store_downward.c — the per-agent downward queue of any kind (hub_store_downward)
    against a real PostgreSQL: fan-out to the active agents of the addressed networks with
    consecutive sequences, one batch of items of several networks in one statement, the batched
    fetch of several agents in one statement, acknowledgements that only move forward and never
    past what was assigned (nor past what a producer has not committed), the counts by subject;
    producers and acknowledgements on separate connections never wait for each other, two
    producers of the same networks in opposite orders never deadlock; schema 0016 moves last_seq
    into downward_heads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_downward.h"
#include "hub_store_schema.h"
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

//  The sequence:body of every item of agent, in order ("1:7 2:8").
static char *
s_items_of (unit_hub_t *hub, int64_t agent)
{
    return unit_pg_text (hub->pg, "SELECT coalesce (string_agg (seq || ':' || get_byte (body, 0), ' ' ORDER BY seq), '') "
                                  "FROM downward WHERE agent_id = %lld", (long long) agent);
}

static void
s_items_are (unit_hub_t *hub, int64_t agent, const char *expected)
{
    char *items = s_items_of (hub, agent);
    assert_string_equal (items, expected);
    free (items);
}

//  One batch of several networks: every agent's items in the batch's order at its next
//  sequences, one recipient count per item; a batch continues where single items left off.
static void
test_queue_many (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "notice", 1, "notice:1", zh);                     //  zuerich at 1
    uint8_t b [6] = { 10, 11, 12, 13, 14, 15 };
    const char *ost_zh_ost [] = { "ost", "zuerich", "ost" };        //  a network twice: once
    const char *zh_ti [] = { "zuerich", "ticino" };                 //  ticino has no agent
    const char *lem [] = { "lemanique" };
    const char *ti [] = { "ticino" };
    hub_downward_item_t items [] = {
        { "notice", &b [0], 1, NULL, 0, "notice:10" },              //  all three
        { "status", &b [1], 1, ost_zh_ost, 3, "request:CII-2027-0001" },
        { "status", &b [2], 1, zh_ti, 2, NULL },                    //  no subject
        { "status", &b [3], 1, ti, 1, "request:CII-2027-0002" },    //  nobody
        { "recommendation", &b [4], 1, lem, 1, "recommendation:REC-2027-01.v1" },
        { "notice", &b [5], 1, ost_zh_ost, 1, "notice:15" },        //  ost only (n_networks 1)
    };
    int64_t recipients [6] = { -1, -1, -1, -1, -1, -1 };
    assert_int_equal (hub_store_downward_queue_many (hub->store, items, 6, recipients), CII_OK);
    assert_int_equal (recipients [0], 3);
    assert_int_equal (recipients [1], 2);
    assert_int_equal (recipients [2], 1);
    assert_int_equal (recipients [3], 0);
    assert_int_equal (recipients [4], 1);
    assert_int_equal (recipients [5], 1);
    s_items_are (hub, a.zuerich, "1:1 2:10 3:11 4:12");
    s_items_are (hub, a.ost, "1:10 2:11 3:15");
    s_items_are (hub, a.lemanique, "1:10 2:14");
    s_items_are (hub, a.revoked, "");
    assert_int_equal (unit_hub_agent (hub, a.zuerich).last_seq, 4);
    assert_int_equal (unit_hub_agent (hub, a.ost).last_seq, 3);
    assert_int_equal (unit_hub_agent (hub, a.lemanique).last_seq, 2);
    char *row = unit_pg_text (hub->pg, "SELECT string_agg (kind || '/' || coalesce (subject, '-'), ' ' ORDER BY seq) "
                                       "FROM downward WHERE agent_id = %lld", (long long) a.zuerich);
    assert_string_equal (row, "notice/notice:1 notice/notice:10 status/request:CII-2027-0001 status/-");
    free (row);
    //  A larger batch after it, then a single item: still gapless.
    hub_downward_item_t more [40];
    uint8_t body [40];
    const char *rotation [] = { "zuerich", "ost", "lemanique" };
    for (int i = 0; i < 40; i++) {
        body [i] = (uint8_t) (100 + i);
        more [i] = (hub_downward_item_t) { "status", &body [i], 1, &rotation [i % 3], 1, NULL };
    }
    assert_int_equal (hub_store_downward_queue_many (hub->store, more, 40, NULL), CII_OK);
    s_queue (hub, "notice", 200, NULL, NULL);
    int64_t agents [] = { a.zuerich, a.ost, a.lemanique };
    int64_t want [] = { 4 + 14 + 1, 3 + 13 + 1, 2 + 13 + 1 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal (unit_hub_agent (hub, agents [i]).last_seq, want [i]);
        assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld", (long long) agents [i]),
                          want [i]);
        assert_int_equal (unit_pg_int (hub->pg, "SELECT max (seq) - min (seq) + 1 FROM downward WHERE agent_id = %lld",
                                       (long long) agents [i]), want [i]);
        assert_int_equal (unit_pg_int (hub->pg, "SELECT get_byte (body, 0) FROM downward WHERE agent_id = %lld AND seq = %lld",
                                       (long long) agents [i], (long long) want [i]), 200);
    }
    //  The batch's order within an agent: zuerich got 100, 103, 106, ...
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM (SELECT seq, get_byte (body, 0) AS b, lag (get_byte (body, 0)) "
                                            "OVER (ORDER BY seq) AS p FROM downward WHERE agent_id = %lld AND seq BETWEEN 5 AND 18) t "
                                            "WHERE p IS NOT NULL AND b <> p + 3", (long long) a.zuerich), 0);
    //  Nothing to queue is fine.
    assert_int_equal (hub_store_downward_queue_many (hub->store, NULL, 0, NULL), CII_OK);
}

//  A second store on the test's database with a statement timeout: a statement that waits for a
//  lock fails after timeout_ms instead of hanging the test.
static hub_store_t *
s_store_with_timeout (unit_hub_t *hub, int timeout_ms)
{
    hub_store_t *store = hub_store_new (hub->pg->conninfo, NULL);
    assert_non_null (store);
    char sql [64];
    snprintf (sql, sizeof sql, "SET statement_timeout = %d", timeout_ms);
    assert_int_equal (hub_store_command (store, "timeout", sql, 0, NULL), CII_OK);
    return store;
}

//  While a producer's transaction that queued for an agent is open, the serving hub's writes on
//  another connection (ACK, sessions, last_seen) complete; the ACK never passes what the producer
//  has not committed. And while an ACK's transaction is open, a producer completes.
static void
test_ack_beside_open_producer (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "notice", 1, "notice:1", zh);
    s_queue (hub, "notice", 2, "notice:2", zh);

    hub_store_t *hub_side = s_store_with_timeout (hub, 3000);
    //  The producer: queues for zuerich (and everyone) and keeps its transaction open.
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    s_queue (hub, "notice", 3, "notice:3", zh);
    s_queue (hub, "notice", 4, "notice:4", NULL);
    int64_t ids [] = { a.zuerich, a.ost };
    int64_t seqs [] = { 99, 1 };                //  zuerich claims more than was committed
    int64_t t0 = zclock_mono ();
    assert_int_equal (hub_store_acks (hub_side, ids, seqs, 2), CII_OK);
    bool connected [] = { true, true };
    assert_int_equal (hub_store_agents_session (hub_side, ids, connected, 2), CII_OK);
    assert_int_equal (hub_store_agents_seen (hub_side, ids, 2), CII_OK);
    assert_true (zclock_mono () - t0 < 2000);
    //  Cut to the committed head (2), not to the producer's uncommitted 4; ost had nothing
    //  committed: its ack of 1 is cut to 0.
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 2);
    assert_int_equal (unit_hub_agent (hub, a.ost).acked_seq, 0);
    assert_int_equal (hub_store_commit (hub->store), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).last_seq, 4);
    s_items_are (hub, a.zuerich, "1:1 2:2 3:3 4:4");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld AND acked_at IS NOT NULL",
                                   (long long) a.zuerich), 2);

    //  The other way: the hub's ACK in an open transaction, a producer with a timeout beside it.
    hub_store_t *producer = s_store_with_timeout (hub, 3000);
    assert_int_equal (hub_store_begin (hub_side), CII_OK);
    seqs [0] = 3;
    seqs [1] = 1;
    assert_int_equal (hub_store_acks (hub_side, ids, seqs, 2), CII_OK);
    uint8_t b = 5;
    int64_t recipients = 0;
    assert_int_equal (hub_store_downward_queue (producer, "notice", &b, 1, NULL, 0, "notice:5", &recipients), CII_OK);
    assert_int_equal (recipients, 3);
    assert_int_equal (hub_store_commit (hub_side), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 3);
    assert_int_equal (unit_hub_agent (hub, a.ost).acked_seq, 1);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).last_seq, 5);
    hub_store_destroy (&producer);
    hub_store_destroy (&hub_side);
}

typedef struct {
    const char *conninfo;
    const char *const *networks;    //  two, one item each, in this order
    uint8_t first;
    cii_rc_t rc;
} s_producer_t;

//  A producer's transaction on its own connection: one batch of two items, then commit.
static void *
s_producer (void *arg)
{
    s_producer_t *p = arg;
    hub_store_t *store = hub_store_new (p->conninfo, NULL);
    p->rc = CII_FAILED;
    if (!store)
        return NULL;
    uint8_t bodies [2] = { p->first, (uint8_t) (p->first + 1) };
    hub_downward_item_t items [2] = { { "status", &bodies [0], 1, &p->networks [0], 1, NULL },
                                      { "status", &bodies [1], 1, &p->networks [1], 1, NULL } };
    if (hub_store_command (store, "timeout", "SET statement_timeout = 5000", 0, NULL) == CII_OK
    &&  hub_store_begin (store) == CII_OK) {
        p->rc = hub_store_downward_queue_many (store, items, 2, NULL);
        if (p->rc == CII_OK)
            p->rc = hub_store_commit (store);
        else
            hub_store_rollback (store);
    }
    hub_store_destroy (&store);
    return NULL;
}

//  Two producers queueing for the same two networks in opposite orders (one item each, in one
//  batch each) while the first holds its transaction open: the second waits for it (heads locked
//  in id order by both) and then completes; no deadlock, sequences gapless in commit order.
static void
test_opposite_orders (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    const char *lem_zh [] = { "lemanique", "zuerich" };
    const char *zh_lem [] = { "zuerich", "lemanique" };
    //  The first producer: zuerich then lemanique (against the id order), open.
    uint8_t bodies [2] = { 1, 2 };
    hub_downward_item_t items [2] = { { "status", &bodies [0], 1, &zh_lem [0], 1, NULL },
                                      { "status", &bodies [1], 1, &zh_lem [1], 1, NULL } };
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    assert_int_equal (hub_store_downward_queue_many (hub->store, items, 2, NULL), CII_OK);
    //  The second: lemanique then zuerich, in a thread; it waits for the first.
    s_producer_t second = { hub->pg->conninfo, lem_zh, 10, CII_FAILED };
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_producer, &second), 0);
    int waiting = 0;
    for (int i = 0; i < 300 && !waiting; i++) {
        waiting = (int) unit_pg_int (hub->pg, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database () "
                                              "AND wait_event_type = 'Lock' AND query LIKE '%%downward_heads%%'");
        if (!waiting)
            usleep (10 * 1000);
    }
    assert_int_equal (waiting, 1);
    //  Meanwhile the first queues once more, for lemanique alone: it holds that head already.
    uint8_t more = 3;
    const char *lem [] = { "lemanique", NULL };
    assert_int_equal (s_queue (hub, "status", more, NULL, lem), 1);
    assert_int_equal (hub_store_commit (hub->store), CII_OK);
    assert_int_equal (pthread_join (thread, NULL), 0);
    assert_int_equal (second.rc, CII_OK);
    s_items_are (hub, a.zuerich, "1:1 2:11");
    s_items_are (hub, a.lemanique, "1:2 2:3 3:10");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE agent_id = %lld", (long long) a.ost), 0);
}

//  acked_seq never beyond the head, whoever writes it: the ACK cuts, a direct UPDATE is refused.
static void
test_acked_within_head (void **state)
{
    unit_hub_t *hub = *state;
    s_agents_t a = s_agents (hub);
    const char *zh [] = { "zuerich", NULL };
    s_queue (hub, "notice", 1, "notice:1", zh);
    s_queue (hub, "notice", 2, "notice:2", zh);
    assert_int_equal (hub_store_command (hub->store, "beyond", "UPDATE agents SET acked_seq = 3 WHERE network = 'zuerich' "
                                                                "AND revoked_at IS NULL", 0, NULL), CII_BAD_INPUT);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 0);
    assert_int_equal (hub_store_command (hub->store, "within", "UPDATE agents SET acked_seq = 2 WHERE network = 'zuerich' "
                                                                "AND revoked_at IS NULL", 0, NULL), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 2);
    //  An ACK beyond, then behind: neither moves it.
    int64_t ids [] = { a.zuerich };
    int64_t seqs [] = { 7 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 2);
    seqs [0] = 1;
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    assert_int_equal (unit_hub_agent (hub, a.zuerich).acked_seq, 2);
}

//  A database as cii-hub with schema 15 left it (last_seq in agents): after 0016 every agent's head
//  holds its last_seq, acked_seq is as it was, and queueing and acknowledging go on from there; a
//  new agent gets its head at enrolment.
static void
test_migration_0016 (void **state)
{
    unit_hub_t *hub = *state;
    unit_hub_migrate_to (hub, 15);
    unit_pg_exec (hub->pg,
                  "INSERT INTO agents (id, network, public_key, last_seq, acked_seq, revoked_at) VALUES "
                  "  (1, 'lemanique', repeat ('A', 40), 3, 1, now ()), (2, 'lemanique', repeat ('B', 40), 2, 2, NULL), "
                  "  (3, 'ticino', repeat ('C', 40), 0, 0, NULL);"
                  "INSERT INTO downward (agent_id, seq, kind, body, acked_at) VALUES "
                  "  (1, 1, 'notice', '\\x01', now ()), (1, 2, 'notice', '\\x02', NULL), (1, 3, 'notice', '\\x03', NULL), "
                  "  (2, 1, 'notice', '\\x01', now ()), (2, 2, 'notice', '\\x02', now ());"
                  "SELECT setval ('agents_id_seq', 3);");
    int version = 0;
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    assert_int_equal (version, hub_store_binary_schema_version ());
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM information_schema.columns "
                                            "WHERE table_name = 'agents' AND column_name = 'last_seq'"), 0);
    char *heads = unit_pg_text (hub->pg, "SELECT string_agg (agent_id || ':' || last_seq, ' ' ORDER BY agent_id) "
                                         "FROM downward_heads");
    assert_string_equal (heads, "1:3 2:2 3:0");
    free (heads);
    assert_int_equal (unit_hub_agent (hub, 1).last_seq, 3);
    assert_int_equal (unit_hub_agent (hub, 1).acked_seq, 1);
    assert_int_equal (unit_hub_agent (hub, 2).acked_seq, 2);
    const char *lem [] = { "lemanique", NULL };
    assert_int_equal (s_queue (hub, "notice", 3, "notice:3", lem), 1);
    s_items_are (hub, 2, "1:1 2:2 3:3");
    int64_t ids [] = { 2 };
    int64_t seqs [] = { 3 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    assert_int_equal (unit_hub_agent (hub, 2).acked_seq, 3);
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT last_seq FROM downward_heads WHERE agent_id = %lld", (long long) zh), 0);
    assert_int_equal (s_queue (hub, "notice", 4, "notice:4", NULL), 3);
    s_items_are (hub, zh, "1:4");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_fanout, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_fetch, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_acks, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_counts, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_queue_many, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_ack_beside_open_producer, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_opposite_orders, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_acked_within_head, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_migration_0016, unit_hub_setup_empty, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
