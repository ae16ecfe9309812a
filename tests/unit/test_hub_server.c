/*  test_hub_server.c — the serving hub driven in one process (as Malamute's mlm_server_test):
    the server runs as an actor on a fresh PostgreSQL database, the test plays agents with CURVE
    DEALER sockets and checks every answer: sessions, receipts, refusals, downward items and their
    acknowledgements, stream epochs (a restored database, hostile positions, an agent older than
    epochs, a new epoch the hub died before writing), session replacements counted and logged, a
    test-only kind carried both ways, and that the event loop keeps answering while the database
    is blocked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <libpq-fe.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"
#include "hub_kinds.h"
#include "hub_server.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_downward.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "test_kinds.h"
#include "unit_pg.h"
#include "unit_server.h"

//  --- a test agent: a CURVE DEALER -----------------------------------------------------------

//  HELLO with a stream epoch; without one (has_epoch false) as an agent older than epochs.
static void
s_hello_epoch (zsock_t *dealer, const char *id, uint64_t last_seq, bool has_epoch, uint64_t epoch)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.agent_version = "test";
    if (has_epoch) {
        hello.stream_case = CII__HELLO__STREAM_EPOCH;
        hello.epoch = epoch;
    }
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    unit_send (dealer, &env, id);
}

//  What a WELCOME said about the stream.
typedef struct {
    uint64_t epoch;
    uint64_t resume;
    uint64_t last_seq;
} s_welcome_t;

static s_welcome_t
s_expect_welcome (zsock_t *dealer)
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_WELCOME);
    assert_int_equal (env->welcome->stream_case, CII__WELCOME__STREAM_EPOCH);
    s_welcome_t welcome = { env->welcome->epoch, env->welcome->resume_seq, env->welcome->last_seq };
    cii_codec_free (&env);
    return welcome;
}

//  A new connection of agent index saying HELLO (epoch, last_seq); its WELCOME into *welcome.
static zsock_t *
s_session_at (unit_server_t *fx, int index, uint64_t last_seq, bool has_epoch, uint64_t epoch, s_welcome_t *welcome)
{
    zsock_t *dealer = unit_server_dealer (fx, index);
    s_hello_epoch (dealer, "hello-at", last_seq, has_epoch, epoch);
    *welcome = s_expect_welcome (dealer);
    return dealer;
}

//  The hub database put back as a backup taken when ticino had been assigned `at` would have it:
//  restored with the hub stopped, as an operator does.
static void
s_restore_ticino (unit_server_t *fx, int at)
{
    unit_server_stop (fx);
    char sql [400];
    snprintf (sql, sizeof sql, "DELETE FROM downward WHERE agent_id = (SELECT id FROM agents WHERE network = "
                               "'ticino') AND seq > %d", at);
    unit_server_exec (fx, sql);
    snprintf (sql, sizeof sql, "UPDATE downward_heads SET last_seq = %d WHERE agent_id = (SELECT id FROM agents "
                               "WHERE network = 'ticino'); UPDATE agents SET acked_seq = least (acked_seq, %d) "
                               "WHERE network = 'ticino'", at, at);
    unit_server_exec (fx, sql);
    unit_server_start (fx);
}

#define S_TICINO_EPOCH "SELECT epoch FROM agents WHERE network = 'ticino'"

//  The next message is a PONG (unit_expect passes PONGs over); the caller frees it.
static Cii__Envelope *
s_expect_pong (zsock_t *dealer)
{
    Cii__Envelope *env = unit_recv (dealer, UNIT_WAIT_MS, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_PONG);
    return env;
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_session (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_server_dealer (fx, 0);
    //  Before HELLO: no session
    unit_ping (dealer, "early-ping");
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_NO_SESSION, "early-ping");
    unit_hello (dealer, "hello-1", 0);
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_WELCOME);
    assert_string_equal (env->welcome->network, "lemanique");
    assert_int_equal (env->welcome->n_cantons, 3);
    assert_string_equal (env->welcome->cantons [0], "GE");
    assert_string_equal (env->welcome->cantons [2], "VS");
    assert_int_equal (env->welcome->heartbeat_ms, 1000);
    cii_codec_free (&env);
    unit_ping (dealer, "ping-1");
    env = s_expect_pong (dealer);
    assert_int_equal (env->pong->sent_at_ms, 42);
    cii_codec_free (&env);
    //  The session is recorded (by the control worker, soon)
    int64_t deadline = zclock_mono () + UNIT_WAIT_MS;
    while (unit_server_long (fx, "SELECT count(*) FROM agents WHERE connected") != 1 && zclock_mono () < deadline)
        zclock_sleep (20);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM agents WHERE connected"), 1);
    //  An ERROR from the agent, even one with code 0 (refused by the codec), is only logged
    Cii__Error error = CII__ERROR__INIT;
    error.code = CII__ERROR_CODE__ERROR_MALFORMED;
    error.text = "test";
    Cii__Envelope out = CII__ENVELOPE__INIT;
    out.body_case = CII__ENVELOPE__BODY_ERROR;
    out.error = &error;
    unit_send (dealer, &out, "err-1");
    uint8_t raw [] = { 0x08, 0x01, 0x12, 0x05, 'e', 'r', 'r', '-', '0', 0x6a, 0x02, 0x08, 0x00 };
    unit_send_bytes (dealer, raw, sizeof raw);           //  Error{code 0}: malformed, yet no answer
    unit_ping (dealer, "ping-2");
    env = unit_recv (dealer, UNIT_WAIT_MS, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_PONG);     //  the PONG comes first
    cii_codec_free (&env);
    //  A malformed frame of another kind is answered, with its message id
    uint8_t bad [] = { 0x08, 0x01, 0x12, 0x05, 'b', 'a', 'd', '-', '1', 0xa2, 0x01, 0x01, 0xff };
    unit_send_bytes (dealer, bad, sizeof bad);
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_MALFORMED, "bad-1");
    zsock_destroy (&dealer);
}

//  More enrolled agents than the PING budget: the WELCOME's heartbeat lengthens (three agents at a
//  budget of one PING a second: 3 s), and the session outlives the 5 s a 1 s heartbeat would allow.
static void
test_heartbeat_budget (void **state)
{
    unit_server_t *fx = *state;
    unit_server_stop (fx);
    fx->ping_budget = 1;
    unit_server_start (fx);
    zsock_t *dealer = unit_server_dealer (fx, 0);
    unit_hello (dealer, "hello-budget", 0);
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_WELCOME);
    assert_int_equal (env->welcome->heartbeat_ms, 3000);
    cii_codec_free (&env);
    //  A PONG says nothing while the heartbeat stays
    unit_ping (dealer, "ping-same");
    env = s_expect_pong (dealer);
    assert_int_equal (env->pong->heartbeat_ms, 0);
    cii_codec_free (&env);
    //  A fourth agent enrolled: after the hub's next reload, the next PONG gives 4 s
    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    assert_non_null (store);
    zcert_t *fourth = zcert_new ();
    int64_t id = 0;
    assert_int_equal (hub_store_enroll (store, "nordwest", zcert_public_txt (fourth), &id, &err), CII_OK);
    zcert_destroy (&fourth);
    hub_store_destroy (&store);
    //  Silent longer than the 5 s a 1 s heartbeat allows, and past the reload
    zclock_sleep (6500);
    unit_ping (dealer, "ping-late");
    env = s_expect_pong (dealer);
    assert_int_equal (env->pong->heartbeat_ms, 4000);
    cii_codec_free (&env);
    zsock_destroy (&dealer);
}

static void
test_signals (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 0, 0);
    unit_signal (dealer, "sig-1", "VD", "Accès à la formation");
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->message_id, "sig-1");
    assert_false (env->receipt->duplicate);
    char ref [32];
    snprintf (ref, sizeof ref, "%s", env->receipt->ref);
    assert_true (strncmp (ref, "SIG-", 4) == 0);
    cii_codec_free (&env);
    //  The same message id again: the original receipt, flagged duplicate; stored once
    unit_signal (dealer, "sig-1", "VD", "Accès à la formation");
    env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->ref, ref);
    assert_true (env->receipt->duplicate);
    cii_codec_free (&env);
    //  The same message id with other content is not a resend: ERROR CONFLICT, nothing stored
    unit_signal (dealer, "sig-1", "VD", "Autre chose");
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_CONFLICT, "sig-1");
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM signals"), 1);
    PGresult *res = PQexec (fx->pg, "SELECT title FROM signals");
    assert_string_equal (PQgetvalue (res, 0, 0), "Accès à la formation");
    PQclear (res);
    //  Nothing more is stored for a second: the hub indexes the signal for `similar` by itself
    unit_server_wait_long (fx, "SELECT count(*) FROM match_docs WHERE kind = 'signal'", 1);
    //  A canton of another network: refused, nothing stored
    unit_signal (dealer, "sig-2", "TI", "Fuori rete");
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "sig-2");

    //  The bureau moves VD to ticino: once the hub has reloaded (ticino's WELCOME lists VD), a
    //  resend of a message stored before the move still gets its original receipt, and a new
    //  VD signal from lemanique is refused.
    unit_server_exec (fx, "UPDATE cantons SET network = 'ticino' WHERE code = 'VD'");
    unit_server_exec (fx, "SELECT pg_notify ('cii_agents', '0')");
    bool moved = false;
    for (int64_t deadline = zclock_mono () + UNIT_WAIT_MS; !moved && zclock_mono () < deadline; ) {
        zsock_t *ticino = unit_server_dealer (fx, 1);
        unit_hello (ticino, "hello-t", 0);
        env = unit_recv (ticino, UNIT_WAIT_MS, true);
        assert_non_null (env);
        if (env->body_case == CII__ENVELOPE__BODY_WELCOME)
            for (size_t i = 0; i < env->welcome->n_cantons; i++)
                moved = moved || streq (env->welcome->cantons [i], "VD");
        else        //  the HELLO throttle (10 at once, then one a second): ask less often
            assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNAVAILABLE);
        cii_codec_free (&env);
        zsock_destroy (&ticino);
        if (!moved)
            zclock_sleep (200);
    }
    assert_true (moved);
    unit_signal (dealer, "sig-1", "VD", "Accès à la formation");
    env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->ref, ref);
    assert_true (env->receipt->duplicate);
    cii_codec_free (&env);
    unit_signal (dealer, "sig-1", "VD", "Autre chose encore");     //  refused by the rule, and a reused id
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_CONFLICT, "sig-1");
    unit_signal (dealer, "sig-4", "VD", "New after the move");
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "sig-4");
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM signals"), 1);

    //  A kind the hub does not take
    assert_int_equal (test_kinds_register (), CII_OK);
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = "probe";
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_encode_up (&test_kind_probe_up, &probe.base, "probe-1", &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_UNEXPECTED, "probe-1");
    //  From another connection with the same key, without HELLO: no session
    zsock_t *other = unit_server_dealer (fx, 0);
    unit_signal (other, "sig-5", "GE", "Stranger");
    unit_expect_error (other, CII__ERROR_CODE__ERROR_NO_SESSION, "sig-5");
    zsock_destroy (&other);
    zsock_destroy (&dealer);
}

//  Queues a notice for every agent through the store, as the notices service does.
static void
s_queue_notice (unit_server_t *fx, const char *title)
{
    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    assert_non_null (store);
    cii_notice_t notice = { .id = 7, .title = title, .text = "Séance du CDC le 3 mars.", .issued_at_ms = 1764355337000 };
    uint8_t *body = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_notice_pack (&notice, &body, &size, &err), CII_OK);
    int64_t recipients = 0;
    assert_int_equal (hub_store_downward_queue (store, "notice", body, size, NULL, 0, "notice:7", &recipients), CII_OK);
    assert_int_equal (recipients, 3);
    free (body);
    hub_store_destroy (&store);
}

static void
test_downward (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 1, 0);
    s_queue_notice (fx, "Avviso uno");
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    assert_int_equal (env->deliver->seq, 1);
    assert_int_equal (env->deliver->item_case, CII__DELIVER__ITEM_NOTICE);
    assert_string_equal (env->deliver->notice->title, "Avviso uno");
    cii_codec_free (&env);
    s_queue_notice (fx, "Avviso due");
    env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    assert_int_equal (env->deliver->seq, 2);
    cii_codec_free (&env);
    //  ACK beyond what was sent: refused; the cumulative ACK is recorded
    unit_ack (dealer, "ack-9", 9);
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_BAD_ACK, "ack-9");
    unit_ack (dealer, "ack-2", 2);
    int64_t deadline = zclock_mono () + UNIT_WAIT_MS;
    while (unit_server_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'") != 2 && zclock_mono () < deadline)
        zclock_sleep (20);
    assert_int_equal (unit_server_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'"), 2);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM downward WHERE acked_at IS NOT NULL"), 2);
    //  A new session replays what comes after what the agent holds
    zsock_destroy (&dealer);
    dealer = unit_session (fx, 1, 1);
    env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    assert_int_equal (env->deliver->seq, 2);
    cii_codec_free (&env);
    zsock_destroy (&dealer);
}

//  The hub database restored from a backup older than what the agent holds: a new epoch from
//  what the database assigned; new items are numbered on from there and reach the agent, which
//  acknowledges them; nothing is raised, nothing sent twice.
static void
test_restore_new_epoch (void **state)
{
    unit_server_t *fx = *state;
    s_welcome_t welcome;
    zsock_t *dealer = s_session_at (fx, 1, 0, true, 0, &welcome);
    assert_true (welcome.epoch == 0);
    assert_true (welcome.resume == 0);
    for (uint64_t seq = 1; seq <= 10; seq++) {
        s_queue_notice (fx, "Avviso");
        unit_expect_deliver (dealer, seq);
    }
    unit_ack (dealer, "ack-10", 10);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 10);
    zsock_destroy (&dealer);

    s_restore_ticino (fx, 5);
    dealer = s_session_at (fx, 1, 10, true, 0, &welcome);
    assert_true (welcome.epoch != 0);
    assert_true (welcome.resume == 5);
    assert_true (welcome.last_seq == 5);
    uint64_t epoch = welcome.epoch;
    char sql [160];
    snprintf (sql, sizeof sql, "SELECT count(*) FROM agents JOIN downward_heads h ON h.agent_id = id "
                               "WHERE network = 'ticino' AND epoch = %" PRIu64
                               " AND epoch_start = 5 AND h.last_seq = 5", epoch);
    unit_server_wait_long (fx, sql, 1);
    unit_expect_nothing (dealer, 300);                    //  nothing it held is sent again
    s_queue_notice (fx, "Dopo il ripristino");
    s_queue_notice (fx, "Dopo il ripristino, due");
    unit_expect_deliver (dealer, 6);
    unit_expect_deliver (dealer, 7);
    unit_ack (dealer, "ack-7", 7);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 7);
    zsock_destroy (&dealer);
    //  Back in the new epoch, the agent resumes where it is
    dealer = s_session_at (fx, 1, 7, true, epoch, &welcome);
    assert_true (welcome.epoch == epoch);
    assert_true (welcome.resume == 7);
    unit_expect_nothing (dealer, 300);
    s_queue_notice (fx, "Otto");
    unit_expect_deliver (dealer, 8);
    assert_int_equal (unit_server_long (fx, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'ticino'"), 8);
    zsock_destroy (&dealer);
    //  A copy of the agent still in the old epoch (it died before storing the new one) says it
    //  holds 10: of this stream it holds only what came before the new epoch began (5), so it gets
    //  6, 7 and 8 again, not "everything after 10"
    dealer = s_session_at (fx, 1, 10, true, 0, &welcome);
    assert_true (welcome.epoch == epoch);
    assert_true (welcome.resume == 5);
    unit_expect_deliver (dealer, 6);
    unit_expect_deliver (dealer, 7);
    unit_expect_deliver (dealer, 8);
    zsock_destroy (&dealer);
}

//  Whatever another connection with the key claims (far beyond what was assigned, 2^64 - 1, with
//  or without an epoch), once the agent states its true position every item after it arrives.
//  No HELLO is refused for its position, and the sequence is never raised.
static void
test_hostile_positions (void **state)
{
    unit_server_t *fx = *state;
    s_welcome_t welcome;
    zsock_t *agent = s_session_at (fx, 1, 0, true, 0, &welcome);
    for (uint64_t seq = 1; seq <= 3; seq++) {
        s_queue_notice (fx, "Avviso");
        unit_expect_deliver (agent, seq);
    }
    unit_ack (agent, "ack-2", 2);                         //  it stored 1 and 2 only
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 2);

    zsock_t *hostile = unit_server_dealer (fx, 1);
    s_hello_epoch (hostile, "hello-far", 3 + 1000000, true, 0);
    welcome = s_expect_welcome (hostile);
    uint64_t first = welcome.epoch;
    assert_true (first != 0);
    assert_true (welcome.resume == 3);
    unit_expect_error (agent, CII__ERROR_CODE__ERROR_SESSION_REPLACED, NULL);
    s_hello_epoch (hostile, "hello-max", UINT64_MAX, true, first);
    welcome = s_expect_welcome (hostile);
    uint64_t second = welcome.epoch;
    assert_true (second != first && second != 0);
    assert_true (welcome.resume == 3);
    s_hello_epoch (hostile, "hello-max-old", UINT64_MAX, false, 0);
    welcome = s_expect_welcome (hostile);
    assert_true (welcome.epoch == second);             //  without an epoch: no new one
    assert_true (welcome.resume == 3);
    s_hello_epoch (hostile, "hello-made-up", 2, true, UINT64_MAX);
    welcome = s_expect_welcome (hostile);
    assert_true (welcome.resume == 2);
    unit_expect_deliver (hostile, 3);                     //  (an epoch it made up, below what was assigned)
    char sql [160];
    snprintf (sql, sizeof sql, "SELECT count(*) FROM agents WHERE network = 'ticino' AND epoch = %" PRId64
                               " AND epoch_start = 3", (int64_t) second);
    unit_server_wait_long (fx, sql, 1);
    assert_int_equal (unit_server_long (fx, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'ticino'"), 3);
    assert_int_equal (unit_server_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'"), 2);

    //  The agent says where it really is (its epoch 0, seq 2): item 3 comes again, then the rest
    s_hello_epoch (agent, "hello-true", 2, true, 0);
    welcome = s_expect_welcome (agent);
    assert_true (welcome.epoch == second);
    assert_true (welcome.resume == 2);
    unit_expect_error (hostile, CII__ERROR_CODE__ERROR_SESSION_REPLACED, NULL);
    unit_expect_deliver (agent, 3);
    s_queue_notice (fx, "Quattro");
    unit_expect_deliver (agent, 4);
    unit_ack (agent, "ack-4", 4);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 4);
    //  It took the hub's epoch: from there on it resumes in it
    zsock_destroy (&agent);
    agent = s_session_at (fx, 1, 4, true, second, &welcome);
    assert_true (welcome.epoch == second);
    assert_true (welcome.resume == 4);
    unit_expect_nothing (agent, 300);
    zsock_destroy (&hostile);
    zsock_destroy (&agent);
}

//  An agent older than epochs (no epoch in HELLO) works as before: WELCOME carries fields it
//  ignores, it gets what comes after its position. Ahead of the database, the items up to its
//  position are skipped in that session (it would drop them as held) and nothing is written.
static void
test_agent_without_epoch (void **state)
{
    unit_server_t *fx = *state;
    s_welcome_t welcome;
    zsock_t *old = s_session_at (fx, 1, 0, false, 0, &welcome);
    assert_true (welcome.epoch == 0 && welcome.resume == 0);
    s_queue_notice (fx, "Uno");
    s_queue_notice (fx, "Due");
    unit_expect_deliver (old, 1);
    unit_expect_deliver (old, 2);
    unit_ack (old, "ack-2", 2);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 2);
    zsock_destroy (&old);
    old = s_session_at (fx, 1, 1, false, 0, &welcome);
    assert_true (welcome.resume == 1);
    unit_expect_deliver (old, 2);
    zsock_destroy (&old);

    old = s_session_at (fx, 1, 5, false, 0, &welcome);
    assert_true (welcome.epoch == 0);
    assert_true (welcome.resume == 2 && welcome.last_seq == 2);
    for (int i = 0; i < 4; i++)
        s_queue_notice (fx, "Dopo");
    unit_expect_deliver (old, 6);
    unit_ack (old, "ack-6", 6);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 6);
    assert_int_equal (unit_server_long (fx, S_TICINO_EPOCH), 0);
    assert_int_equal (unit_server_long (fx, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'ticino'"), 6);
    zsock_destroy (&old);
}

//  The hub starts a new epoch, the agent takes it, and the hub dies before writing it: the next
//  hub does not know the epoch, and still resumes the agent where it is (no item again, none
//  missed).
static void
test_new_epoch_not_written (void **state)
{
    unit_server_t *fx = *state;
    s_welcome_t welcome;
    zsock_t *dealer = s_session_at (fx, 1, 0, true, 0, &welcome);
    s_queue_notice (fx, "Uno");
    s_queue_notice (fx, "Due");
    unit_expect_deliver (dealer, 1);
    unit_expect_deliver (dealer, 2);
    unit_ack (dealer, "ack-2", 2);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 2);
    zsock_destroy (&dealer);
    s_restore_ticino (fx, 1);
    dealer = s_session_at (fx, 1, 2, true, 0, &welcome);
    uint64_t epoch = welcome.epoch;
    assert_true (epoch != 0 && welcome.resume == 1);
    s_queue_notice (fx, "Due, nuovo");
    unit_expect_deliver (dealer, 2);
    unit_ack (dealer, "ack-2b", 2);
    zsock_destroy (&dealer);
    //  As if the hub had died before its control worker wrote the epoch
    unit_server_stop (fx);
    unit_server_exec (fx, "UPDATE agents SET epoch = 0, epoch_start = 0 WHERE network = 'ticino'");
    unit_server_start (fx);
    dealer = s_session_at (fx, 1, 2, true, epoch, &welcome);
    assert_true (welcome.epoch == epoch);              //  the agent keeps its stream
    assert_true (welcome.resume == 2);
    unit_expect_nothing (dealer, 300);
    s_queue_notice (fx, "Tre");
    unit_expect_deliver (dealer, 3);
    //  Restored once more below what it holds: a new epoch after both
    zsock_destroy (&dealer);
    s_restore_ticino (fx, 1);
    dealer = s_session_at (fx, 1, 3, true, epoch, &welcome);
    assert_true (welcome.epoch != epoch && welcome.epoch != 0);
    assert_true (welcome.resume == 1);
    zsock_destroy (&dealer);
}

static char *s_log_text;
static size_t s_log_size;

//  Two connections with one key take the session from each other (the same bundle initialised
//  twice): each is told SESSION_REPLACED, the count goes to the database, and the hub logs one
//  line for the interval.
static void
test_session_replacements (void **state)
{
    unit_server_t *fx = *state;
    FILE *log = open_memstream (&s_log_text, &s_log_size);
    zsys_set_logstream (log);
    zsock_t *one = unit_server_dealer (fx, 2);
    zsock_t *two = unit_server_dealer (fx, 2);
    char id [32];
    for (int i = 0; i < 6; i++) {
        snprintf (id, sizeof id, "hello-%d", i);
        s_hello_epoch (i % 2 ? two : one, id, 0, true, 0);
        s_expect_welcome (i % 2 ? two : one);
        if (i > 0)
            unit_expect_error (i % 2 ? one : two, CII__ERROR_CODE__ERROR_SESSION_REPLACED, NULL);
    }
    unit_server_wait_long (fx, "SELECT replacements FROM agents WHERE network = 'zuerich'", 5);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM agents WHERE last_replaced_at IS NOT NULL"), 1);
    zclock_sleep (2500);            //  the 1 s interval of this test's server, and a tick
    zsys_set_logstream (NULL);
    fflush (log);
    const char *line = "hub: agent zuerich: session replaced 5 times in the last 1000 ms: two processes with one key?";
    const char *found = s_log_text ? strstr (s_log_text, line) : NULL;
    assert_non_null (found);
    assert_null (strstr (found + 1, line));
    assert_int_equal (unit_server_long (fx, "SELECT sum(replacements) FROM agents"), 5);
    fclose (log);
    free (s_log_text);
    s_log_text = NULL;
    zsock_destroy (&one);
    zsock_destroy (&two);
}

//  While the ingest statement is blocked (a lock held from another connection), the loop still
//  answers PING and HELLO; the batch is stored once the lock goes; beyond the bound, UNAVAILABLE.
static void
test_database_blocked (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 0, 0);
    unit_server_exec (fx, "BEGIN");
    unit_server_exec (fx, "LOCK TABLE ingest_log IN ACCESS EXCLUSIVE MODE");
    unit_signal (dealer, "blocked-1", "GE", "Pendant le verrou");
    zclock_sleep (200);
    int64_t start = zclock_mono ();
    unit_ping (dealer, "ping-blocked");
    Cii__Envelope *env = unit_recv (dealer, UNIT_WAIT_MS, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_PONG);   //  not the RECEIPT: still blocked
    cii_codec_free (&env);
    int64_t pong_ms = zclock_mono () - start;
    zsock_t *other = unit_session (fx, 1, 0);                         //  HELLO answered too
    //  The pending bound: what does not fit is refused at once
    char id [32];
    for (int i = 0; i < 4200; i++) {
        snprintf (id, sizeof id, "flood-%d", i);
        unit_signal (dealer, id, "VD", "Flot");
    }
    int unavailable = 0;
    while ((env = unit_recv (dealer, 2000, true)) != NULL) {
        assert_int_equal (env->body_case, CII__ENVELOPE__BODY_ERROR);
        assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNAVAILABLE);
        unavailable++;
        cii_codec_free (&env);
    }
    assert_true (unavailable >= 100);
    assert_true (unavailable <= 4200);
    unit_server_exec (fx, "COMMIT");
    //  Now everything queued is stored and receipted
    int receipts = 0;
    while ((env = unit_recv (dealer, UNIT_WAIT_MS, true)) != NULL) {
        if (env->body_case == CII__ENVELOPE__BODY_RECEIPT)
            receipts++;
        cii_codec_free (&env);
        if (receipts == 4201 - unavailable)
            break;
    }
    assert_int_equal (receipts, 4201 - unavailable);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM signals"), 4201 - unavailable);
    print_message ("      PONG after %" PRId64 " ms with the ingest blocked; %d of 4200 refused UNAVAILABLE\n",
                   pong_ms, unavailable);
    zsock_destroy (&other);
    zsock_destroy (&dealer);
}

//  --- a test-only kind, both ways ------------------------------------------------------------

typedef struct {
    const char *text;
    int64_t number;
} s_probe_t;

static void
s_probe_view (const ProtobufCMessage *item, void *domain)
{
    const CiiTest__Probe *probe = (const CiiTest__Probe *) item;
    s_probe_t *out = domain;
    out->text = probe->text;
    out->number = probe->number;
}

static cii_rc_t
s_probe_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    (void) registry;
    (void) network;
    const s_probe_t *probe = domain;
    return probe->number < 0 ? cii_err_set (err, CII_REFUSED, "negative probe") : CII_OK;
}

static cii_rc_t
s_probe_row (const void *item, const char **values, char *scratch, size_t scratch_size)
{
    const s_probe_t *probe = item;
    snprintf (scratch, scratch_size, "%" PRId64, probe->number);
    values [0] = probe->text;
    values [1] = scratch;
    return CII_OK;
}

static const hub_ingest_column_t s_probe_columns [] = { { "text", "text" }, { "number", "bigint" } };

static const hub_ingest_shape_t s_probe_shape = {
    .kind = "probe-up",
    .statement = "test_ingest_probe",
    .id_sql = "nextval ('probes_id_seq')",
    .ref_sql = "'PRB-' || id",
    .columns = s_probe_columns,
    .ncolumns = 2,
    .insert_sql = "INSERT INTO probes (id, agent_id, text, number) SELECT f.id, f.agent_id, f.text, f.number "
                  "FROM fresh f JOIN log l ON l.agent_id = f.agent_id AND l.message_id = f.message_id",
    .row = s_probe_row,
    .scratch_size = 24,
};

static hub_upward_kind_t s_probe_handler = {
    &test_kind_probe_up, sizeof (s_probe_t), s_probe_view, s_probe_authorise, &s_probe_shape, NULL
};

static void
test_kind_both_ways (void **state)
{
    unit_server_t *fx = *state;
    unit_server_exec (fx, "CREATE TABLE probes (id bigserial PRIMARY KEY, agent_id bigint, text text, number bigint)");
    assert_int_equal (test_kinds_register (), CII_OK);
    assert_int_equal (hub_kinds_register_upward (&s_probe_handler), CII_OK);
    assert_int_equal (hub_kinds_register_upward (&s_probe_handler), CII_CONFLICT);
    zsock_t *dealer = unit_session (fx, 0, 0);
    //  Upward: stored by the generic ingest with its own shape, receipted with its reference
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = "Grüezi aus dem Test";
    probe.number = 42;
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_encode_up (&test_kind_probe_up, &probe.base, "probe-1", &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_true (strncmp (env->receipt->ref, "PRB-", 4) == 0);
    cii_codec_free (&env);
    PGresult *res = PQexec (fx->pg, "SELECT text, number FROM probes");
    assert_int_equal (PQntuples (res), 1);
    assert_string_equal (PQgetvalue (res, 0, 0), "Grüezi aus dem Test");
    assert_string_equal (PQgetvalue (res, 0, 1), "42");
    PQclear (res);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM ingest_log WHERE kind = 'probe-up'"), 1);
    //  A signal and a probe in one batch, and a refused probe
    probe.number = -1;
    assert_int_equal (cii_codec_encode_up (&test_kind_probe_up, &probe.base, "probe-2", &data, &size, NULL), CII_OK);
    unit_signal (dealer, "sig-with-probe", "GE", "Avec une sonde");
    unit_send_bytes (dealer, data, size);
    free (data);
    env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->message_id, "sig-with-probe");
    cii_codec_free (&env);
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "probe-2");

    //  Downward: queued as (kind, packed body), delivered as Deliver field 90, decoded back
    CiiTest__Probe down = CII_TEST__PROBE__INIT;
    down.text = "Salut d'en haut";
    down.number = 7;
    assert_int_equal (cii_codec_item_pack (&test_kind_probe_down, &down.base, &data, &size, NULL), CII_OK);
    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    int64_t recipients = 0;
    const char *only [] = { "lemanique" };
    assert_int_equal (hub_store_downward_queue (store, "probe-down", data, size, only, 1, "probe:1", &recipients), CII_OK);
    assert_int_equal (recipients, 1);
    hub_store_destroy (&store);
    free (data);
    env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    assert_int_equal (env->deliver->seq, 1);
    assert_ptr_equal (cii_codec_kind (env), &test_kind_probe_down);
    ProtobufCMessage *owned = NULL;
    const CiiTest__Probe *got = (const CiiTest__Probe *) cii_codec_item (env, &owned);
    assert_non_null (got);
    assert_string_equal (got->text, "Salut d'en haut");
    assert_int_equal (got->number, 7);
    cii_codec_item_free (&owned);
    cii_codec_free (&env);
    unit_ack (dealer, "ack-probe", 1);
    int64_t deadline = zclock_mono () + UNIT_WAIT_MS;
    while (unit_server_long (fx, "SELECT count(*) FROM downward WHERE subject = 'probe:1' AND acked_at IS NOT NULL") != 1
           && zclock_mono () < deadline)
        zclock_sleep (20);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM downward WHERE subject = 'probe:1' AND acked_at IS NOT NULL"),
                      1);
    zsock_destroy (&dealer);
    hub_kinds_unregister_upward (&s_probe_handler);
}


//  A HELLO flood from one key: refused beyond the throttle (10 at once, then one a second), the
//  session of another agent unaffected.
static void
test_hello_throttle (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *other = unit_session (fx, 1, 0);
    zsock_t *dealer = unit_server_dealer (fx, 0);
    char id [32];
    for (int i = 0; i < 30; i++) {
        snprintf (id, sizeof id, "hello-%d", i);
        unit_hello (dealer, id, 0);
    }
    int welcomes = 0, throttled = 0;
    Cii__Envelope *env;
    while ((env = unit_recv (dealer, 1000, true)) != NULL) {
        if (env->body_case == CII__ENVELOPE__BODY_WELCOME)
            welcomes++;
        else
        if (env->body_case == CII__ENVELOPE__BODY_ERROR && env->error->code == CII__ERROR_CODE__ERROR_UNAVAILABLE
            && strstr (env->error->text, "too many HELLOs"))
            throttled++;
        cii_codec_free (&env);
    }
    assert_true (welcomes >= 10 && welcomes <= 12);
    assert_int_equal (welcomes + throttled, 30);
    unit_ping (other, "ping-other");
    env = unit_recv (other, UNIT_WAIT_MS, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_PONG);
    cii_codec_free (&env);
    zsock_destroy (&dealer);
    zsock_destroy (&other);
}

//  Frames over the bound: a frame a little over the protocol limit is answered TOO_LARGE; one over
//  twice the limit makes libzmq drop the sender's connection before reading it (the hub never holds
//  it: tests/integration/test_hostile.c measures the hub's memory); another agent is served
//  throughout.
static void
test_frame_bounds (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *other = unit_session (fx, 1, 0);
    zsock_t *dealer = unit_session (fx, 0, 0);
    uint8_t *big = calloc (1, 8 << 20);
    assert_non_null (big);
    unit_send_bytes (dealer, big, CII_MAX_FRAME + 100);
    unit_expect_error (dealer, CII__ERROR_CODE__ERROR_TOO_LARGE, NULL);
    unit_send_bytes (dealer, big, 8 << 20);
    free (big);
    //  The connection was dropped: the session is over (libzmq reconnects on a new routing id,
    //  which has no session); nothing is answered for the big frame.
    zclock_sleep (300);
    unit_ping (dealer, "ping-after-big");
    Cii__Envelope *env = unit_recv (dealer, 2000, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NO_SESSION);
    cii_codec_free (&env);
    unit_ping (other, "ping-other");
    env = unit_recv (other, UNIT_WAIT_MS, false);
    assert_non_null (env);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_PONG);
    cii_codec_free (&env);
    zsock_destroy (&dealer);
    zsock_destroy (&other);
}

//  Refused handshakes are logged as one line per interval, with counts and addresses.
static void
test_refusal_log (void **state)
{
    unit_server_t *fx = *state;
    FILE *log = open_memstream (&s_log_text, &s_log_size);
    zsys_set_logstream (log);
    for (int i = 0; i < 40; i++) {
        zsock_t *stranger = zsock_new (ZMQ_DEALER);
        zcert_t *cert = zcert_new ();
        zcert_apply (cert, stranger);
        zsock_set_curve_serverkey (stranger, fx->hub_public);
        zsock_set_linger (stranger, 0);
        zsock_connect (stranger, "%s", fx->endpoint);
        unit_hello (stranger, "hello-x", 0);
        zclock_sleep (20);
        zsock_destroy (&stranger);
        zcert_destroy (&cert);
    }
    zclock_sleep (2500);            //  the 1 s interval of this test's server, and a tick
    zsys_set_logstream (NULL);
    fflush (log);
    int lines = 0, per_key = 0;
    for (const char *p = s_log_text; p && (p = strstr (p, "hub: refused ")) != NULL; p++) {
        if (strncmp (p, "hub: refused CURVE key", 22) == 0)
            per_key++;
        else
            lines++;
    }
    fclose (log);
    print_message ("      %d aggregated refusal line(s) for 40 refused handshakes\n", lines);
    assert_int_equal (per_key, 0);
    assert_true (lines >= 1 && lines <= 4);
    assert_non_null (strstr (s_log_text, "(not enrolled) x"));
    free (s_log_text);
    s_log_text = NULL;
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (getenv ("CII_TEST_VERBOSE") ? stderr : NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_session, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_heartbeat_budget, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_signals, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_downward, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_restore_new_epoch, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_hostile_positions, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_agent_without_epoch, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_new_epoch_not_written, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_session_replacements, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_database_blocked, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_kind_both_ways, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_hello_throttle, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_frame_bounds, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_refusal_log, unit_server_setup, unit_server_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
