/*  test_hub_store_agents.c — hub_store_agents against a real PostgreSQL: enrolment (one active
    agent per network, a key never enrolled twice, not even after its revocation), revocation, the
    listing with its live status, the session bookkeeping of the serving hub: sessions, the stream
    epoch of an agent and the count of its sessions taken over by another connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_agents.h"
#include "unit_hub.h"

//  Keys: 40 chars of Z85, distinct per agent.
#define KEY_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define KEY_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define KEY_Z "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
#define KEY_O "OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO"

static int64_t
s_enroll (unit_hub_t *hub, const char *network, const char *key)
{
    int64_t id = -1;
    assert_int_equal (hub_store_enroll (hub->store, network, key, &id, NULL), CII_OK);
    assert_true (id > 0);
    return id;
}

static void
test_enroll_revoke (void **state)
{
    unit_hub_t *hub = *state;
    int64_t first = s_enroll (hub, "lemanique", KEY_A);
    cii_err_t err;
    int64_t id = -1;
    assert_int_equal (hub_store_enroll (hub->store, "lemanique", KEY_B, &id, &err), CII_CONFLICT);
    assert_string_equal (err.text, "network lemanique already has an active agent: revoke it first");
    assert_int_equal (id, 0);
    assert_int_equal (hub_store_enroll (hub->store, "atlantis", KEY_B, &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    assert_int_equal (hub_store_revoke (hub->store, "lemanique", &err), CII_OK);
    assert_int_equal (hub_store_revoke (hub->store, "lemanique", &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "network lemanique has no active agent");
    assert_int_equal (hub_store_revoke (hub->store, "ticino", NULL), CII_NOT_FOUND);
    //  A revoked key never comes back, not even for another network.
    assert_int_equal (hub_store_enroll (hub->store, "ticino", KEY_A, &id, &err), CII_CONFLICT);
    assert_string_equal (err.text, "key " KEY_A " is enrolled already");
    int64_t lemanique = s_enroll (hub, "lemanique", KEY_B);
    assert_true (lemanique > first);

    hub_agent_row_t old = unit_hub_agent (hub, first);
    assert_true (old.revoked);
    assert_string_equal (old.network, "lemanique");
    assert_true (old.revoked_at_ms >= old.enrolled_at_ms);
    hub_agent_row_t now = unit_hub_agent (hub, lemanique);
    assert_false (now.revoked);
    assert_int_equal (now.revoked_at_ms, 0);
    assert_string_equal (now.public_key, KEY_B);
    assert_int_equal (now.last_seq, 0);
    assert_int_equal (now.acked_seq, 0);
    assert_int_equal (now.last_seen_ms, 0);
    assert_true (now.enrolled_at_ms > 1700000000000);
}

static void
test_listing_and_sessions (void **state)
{
    unit_hub_t *hub = *state;
    int64_t revoked = s_enroll (hub, "lemanique", KEY_A);
    assert_int_equal (hub_store_revoke (hub->store, "lemanique", NULL), CII_OK);
    int64_t lemanique = s_enroll (hub, "lemanique", KEY_B);
    int64_t zuerich = s_enroll (hub, "zuerich", KEY_Z);
    int64_t ost = s_enroll (hub, "ost", KEY_O);

    //  Session bookkeeping, as the listing shows it.
    int64_t opened [] = { zuerich, lemanique };
    bool connected [] = { true, true };
    assert_int_equal (hub_store_agents_session (hub->store, opened, connected, 2), CII_OK);
    //  The last state given for an agent wins (closed and reopened in one flush, or the reverse).
    int64_t flips [] = { lemanique, lemanique };
    bool states [] = { true, false };
    assert_int_equal (hub_store_agents_session (hub->store, flips, states, 2), CII_OK);
    int64_t seen [] = { zuerich, ost };
    assert_int_equal (hub_store_agents_seen (hub->store, seen, 2), CII_OK);
    assert_int_equal (hub_store_agents_seen (hub->store, NULL, 0), CII_OK);
    assert_int_equal (hub_store_agents_session (hub->store, NULL, NULL, 0), CII_OK);

    hub_agent_row_t *rows = NULL;
    size_t count = 0;
    assert_int_equal (hub_store_agent_list (hub->store, &rows, &count), CII_OK);
    assert_int_equal (count, 4);
    //  By network, then id.
    assert_string_equal (rows [0].network, "lemanique");
    assert_int_equal (rows [0].id, revoked);
    assert_int_equal (rows [1].id, lemanique);
    assert_string_equal (rows [2].network, "ost");
    assert_string_equal (rows [3].network, "zuerich");
    int nconnected = 0, nrevoked = 0;
    for (size_t i = 0; i < count; i++) {
        nconnected += rows [i].connected;
        nrevoked += rows [i].revoked;
    }
    free (rows);
    assert_int_equal (nconnected, 1);
    assert_int_equal (nrevoked, 1);
    assert_true (unit_hub_agent (hub, zuerich).connected);
    assert_false (unit_hub_agent (hub, lemanique).connected);
    assert_true (unit_hub_agent (hub, lemanique).last_seen_ms > 0);
    hub_agent_row_t o = unit_hub_agent (hub, ost);
    assert_false (o.connected);                             //  seen, but no session
    assert_true (o.last_seen_ms > 0);

    //  A stale last_seen means not connected, whatever the flag says.
    unit_pg_exec (hub->pg, "UPDATE agents SET last_seen = now () - interval '1 minute' WHERE connected");
    assert_false (unit_hub_agent (hub, zuerich).connected);
    assert_int_equal (hub_store_agents_reset_sessions (hub->store), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents WHERE connected"), 0);
    //  A revoked agent's session is closed by the revocation.
    assert_int_equal (hub_store_agents_session (hub->store, &zuerich, connected, 1), CII_OK);
    assert_int_equal (hub_store_revoke (hub->store, "zuerich", NULL), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents WHERE connected"), 0);
}

static void
test_agent_epoch (void **state)
{
    unit_hub_t *hub = *state;
    int64_t id = s_enroll (hub, "ticino", KEY_A);
    int64_t other = s_enroll (hub, "zuerich", KEY_Z);
    unit_pg_exec (hub->pg, "UPDATE downward_heads SET last_seq = 5 WHERE agent_id = %lld; "
                  "UPDATE agents SET acked_seq = 3 WHERE id = %lld", (long long) id, (long long) id);
    //  Every agent starts in epoch 0 at 0.
    hub_agent_row_t row = unit_hub_agent (hub, id);
    assert_int_equal (row.epoch, 0);
    assert_int_equal (row.epoch_start, 0);
    //  A new epoch from 5: the sequences themselves are untouched. The last one given wins.
    int64_t ids [] = { id, other, id };
    int64_t epochs [] = { (int64_t) 1 << 32 | 77, (int64_t) 1 << 32 | 5, (int64_t) 2 << 32 | 78 };
    int64_t starts [] = { 4, 0, 5 };
    assert_int_equal (hub_store_agents_epoch (hub->store, ids, epochs, starts, 3), CII_OK);
    row = unit_hub_agent (hub, id);
    assert_int_equal (row.epoch, (int64_t) 2 << 32 | 78);
    assert_int_equal (row.epoch_start, 5);
    assert_int_equal (row.last_seq, 5);
    assert_int_equal (row.acked_seq, 3);
    assert_int_equal (unit_hub_agent (hub, other).epoch, (int64_t) 1 << 32 | 5);
    assert_int_equal (hub_store_agents_epoch (hub->store, NULL, NULL, NULL, 0), CII_OK);
    //  The columns refuse nonsense.
    int64_t bad [] = { -1 };
    assert_int_not_equal (hub_store_agents_epoch (hub->store, ids, bad, starts, 1), CII_OK);
}

static void
test_agent_replacements (void **state)
{
    unit_hub_t *hub = *state;
    int64_t id = s_enroll (hub, "ticino", KEY_A);
    int64_t other = s_enroll (hub, "zuerich", KEY_Z);
    hub_agent_row_t row = unit_hub_agent (hub, id);
    assert_int_equal (row.replacements, 0);
    assert_int_equal (row.last_replaced_at_ms, 0);
    //  Counts add up per agent, with the time of the last write; a zero count changes nothing.
    int64_t ids [] = { id, other, id };
    int64_t counts [] = { 3, 0, 2 };
    assert_int_equal (hub_store_agents_replaced (hub->store, ids, counts, 3), CII_OK);
    assert_int_equal (hub_store_agents_replaced (hub->store, ids, counts, 1), CII_OK);
    row = unit_hub_agent (hub, id);
    assert_int_equal (row.replacements, 8);
    assert_true (row.last_replaced_at_ms > 0);
    row = unit_hub_agent (hub, other);
    assert_int_equal (row.replacements, 0);
    assert_int_equal (row.last_replaced_at_ms, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_enroll_revoke, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_listing_and_sessions, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_agent_epoch, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_agent_replacements, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
