/*  test_agent_daemon.c — the agent daemon driven in one process: the daemon runs as an actor
    (agent_daemon_actor) and the test plays the hub on a CURVE-server ROUTER. HELLO with last_seq,
    WELCOME (cantons replaced), outbox entries up and RECEIPTs clearing them, a final ERROR
    marking a signal refused, DELIVERs stored then acknowledged cumulatively, a duplicate re-acked,
    a gap not stored and answered with HELLO, a new stream epoch announced in WELCOME (the hub's
    database restored) entered at its resume point, PING at the heartbeat and a reconnect when the hub
    is silent, the next endpoint when one does not answer, NO_SESSION, SESSION_REPLACED, REVOKED
    stopping the daemon, test-only kinds both ways through the real code, the pending signal of
    a state made by cii-agent 0.1.0 still sent, and requests: a REQUEST held in the outbox until
    every one of its signals is receipted, its RECEIPT with the national reference, STATUS items
    stored in order (duplicates and gaps as for any item), a WITHDRAW, and the refusals
    (UNKNOWN_REFERENCE for a request whose signal the hub refused). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "agent_daemon.h"
#include "agent_intake.h"
#include "agent_kinds.h"
#include "agent_link.h"
#include "agent_requests.h"
#include "agent_setup.h"
#include "agent_store_config.h"
#include "agent_store_inbox.h"
#include "agent_store_outbox.h"
#include "agent_store_signals.h"
#include "agent_store_status.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "test_kinds.h"
#include "unit_agent.h"
#include "unit_fs.h"

#define S_WAIT_MS      5000       //  what the daemon must do, it does within this
#define S_HEARTBEAT_MS 1000

typedef struct {
    unit_agent_t *agent;          //  directory, state path, bundle
    zcert_t *hub_cert;
    zsock_t *router;              //  the test's hub
    int port;
    zframe_t *peer;               //  routing id of the agent's last message
    zactor_t *daemon;
    agent_store_t *store;         //  the test's own handle on the agent's state
    int sent;                     //  the test hub's message counter
} s_hub_t;

//  --- the test's hub ----------------------------------------------------------------------------

static int
s_setup (void **state)
{
    s_hub_t *hub = calloc (1, sizeof *hub);
    assert_non_null (hub);
    hub->agent = unit_agent_new ("agent-daemon", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:1");
    hub->hub_cert = zcert_new ();
    assert_non_null (hub->hub_cert);
    hub->router = zsock_new (ZMQ_ROUTER);
    assert_non_null (hub->router);
    zcert_apply (hub->hub_cert, hub->router);
    zsock_set_curve_server (hub->router, 1);
    zsock_set_router_mandatory (hub->router, 1);
    hub->port = zsock_bind (hub->router, "tcp://127.0.0.1:*");
    assert_true (hub->port > 0);
    *state = hub;
    return 0;
}

static int
s_teardown (void **state)
{
    s_hub_t *hub = *state;
    zactor_destroy (&hub->daemon);
    agent_store_destroy (&hub->store);
    zframe_destroy (&hub->peer);
    zsock_destroy (&hub->router);
    zcert_destroy (&hub->hub_cert);
    unit_agent_destroy (&hub->agent);
    free (hub);
    test_kinds_unregister ();
    return 0;
}

//  An agent state for network lemanique (VD, VS, GE) whose bundle points at endpoints (NULL: the
//  test's hub) with the test hub's key; the test's own store handle on it.
static void
s_agent_init (s_hub_t *hub, const char *endpoints)
{
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", hub->port);
    char *bundle_path = unit_path (hub->agent->root, "test-hub.bundle");
    cii_bundle_t bundle = hub->agent->bundle;
    snprintf (bundle.endpoint, sizeof bundle.endpoint, "%s", endpoints ? endpoints : endpoint);
    snprintf (bundle.hub_public, sizeof bundle.hub_public, "%s", zcert_public_txt (hub->hub_cert));
    assert_int_equal (cii_bundle_save (&bundle, bundle_path, NULL), CII_OK);
    hub->store = unit_agent_init (hub->agent, bundle_path);
    free (bundle_path);
}

static void
s_daemon_start (s_hub_t *hub)
{
    hub->daemon = zactor_new (agent_daemon_actor, hub->agent->state);
    assert_non_null (hub->daemon);
}

//  The daemon's session state, asked over the actor's pipe.
static char *
s_daemon_state (s_hub_t *hub)
{
    zstr_send (hub->daemon, "STATE");
    char *name = zstr_recv (hub->daemon);
    assert_non_null (name);
    return name;
}

//  The next message from the agent within timeout_ms (NULL at the deadline), PINGs skipped when
//  skip_pings. The routing id is kept for the replies.
static Cii__Envelope *
s_recv (s_hub_t *hub, int timeout_ms, bool skip_pings)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - cii_util_mono_ms ();
        if (left <= 0)
            return NULL;
        zsock_set_rcvtimeo (hub->router, (int) left);
        zmsg_t *msg = zmsg_recv (hub->router);
        if (!msg)
            return NULL;
        assert_int_equal (zmsg_size (msg), 2);
        zframe_destroy (&hub->peer);
        hub->peer = zmsg_pop (msg);
        zframe_t *body = zmsg_pop (msg);
        zmsg_destroy (&msg);
        Cii__Envelope *env = NULL;
        cii_codec_error_t err;
        cii_rc_t rc = cii_codec_decode (zframe_data (body), zframe_size (body), &env, &err);
        zframe_destroy (&body);
        if (rc != CII_OK)
            fail_msg ("the agent sent a frame the codec refuses: %s", err.text);
        if (skip_pings && env->body_case == CII__ENVELOPE__BODY_PING) {
            cii_codec_free (&env);
            continue;
        }
        return env;
    }
}

//  The next message of body case, other messages (but PINGs) failing the test.
static Cii__Envelope *
s_expect (s_hub_t *hub, Cii__Envelope__BodyCase body_case, int timeout_ms)
{
    Cii__Envelope *env = s_recv (hub, timeout_ms, true);
    if (!env)
        fail_msg ("no message of body case %d within %d ms", (int) body_case, timeout_ms);
    if (env->body_case != body_case)
        fail_msg ("expected body case %d, got %s", (int) body_case, cii_codec_body_name (env));
    return env;
}

//  Asserts the agent sends nothing but PINGs for ms.
static void
s_expect_quiet (s_hub_t *hub, int ms)
{
    Cii__Envelope *env = s_recv (hub, ms, true);
    if (env)
        fail_msg ("unexpected %s from the agent", cii_codec_body_name (env));
}

//  Packs env (version and a message id of the test hub set here) and sends it to the agent.
static void
s_send (s_hub_t *hub, Cii__Envelope *env)
{
    char id [32];
    snprintf (id, sizeof id, "h-test-%d", ++hub->sent);
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = id;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    if (cii_codec_encode (env, &data, &size, &err) != CII_OK)
        fail_msg ("the test hub cannot encode: %s", err.text);
    zmsg_t *msg = zmsg_new ();
    zframe_t *peer = zframe_dup (hub->peer);
    zmsg_append (msg, &peer);
    zmsg_addmem (msg, data, size);
    free (data);
    assert_int_equal (zmsg_send (&msg, hub->router), 0);
}

static void
s_send_frame (s_hub_t *hub, const uint8_t *data, size_t size)
{
    zmsg_t *msg = zmsg_new ();
    zframe_t *peer = zframe_dup (hub->peer);
    zmsg_append (msg, &peer);
    zmsg_addmem (msg, data, size);
    assert_int_equal (zmsg_send (&msg, hub->router), 0);
}

//  WELCOME as a hub older than stream epochs sends it (no epoch), or with epoch and resume_seq.
static void
s_send_welcome_at (s_hub_t *hub, const char *const *cantons, size_t count, uint32_t heartbeat_ms, uint64_t last_seq,
                   bool has_epoch, uint64_t epoch, uint64_t resume_seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Welcome welcome = CII__WELCOME__INIT;
    welcome.network = (char *) "lemanique";
    welcome.cantons = (char **) cantons;
    welcome.n_cantons = count;
    welcome.heartbeat_ms = heartbeat_ms;
    welcome.last_seq = last_seq;
    welcome.hub_time_ms = cii_util_now_ms ();
    if (has_epoch) {
        welcome.stream_case = CII__WELCOME__STREAM_EPOCH;
        welcome.epoch = epoch;
        welcome.resume_seq = resume_seq;
    }
    env.body_case = CII__ENVELOPE__BODY_WELCOME;
    env.welcome = &welcome;
    s_send (hub, &env);
}

static void
s_send_welcome (s_hub_t *hub, const char *const *cantons, size_t count, uint32_t heartbeat_ms, uint64_t last_seq)
{
    s_send_welcome_at (hub, cantons, count, heartbeat_ms, last_seq, false, 0, 0);
}

static const char *s_lemanique [] = { "GE", "VD", "VS" };

//  HELLO (asserting its position: epoch 0, last_seq), then WELCOME with the heartbeat.
static void
s_open_session (s_hub_t *hub, uint64_t last_seq, uint32_t heartbeat_ms)
{
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, last_seq);
    assert_int_equal (hello->hello->stream_case, CII__HELLO__STREAM_EPOCH);
    assert_true (hello->hello->epoch == 0);
    assert_string_equal (hello->hello->agent_version, AGENT_DAEMON_VERSION);
    cii_codec_free (&hello);
    s_send_welcome (hub, s_lemanique, 3, heartbeat_ms, last_seq);
}

static void
s_send_receipt (s_hub_t *hub, const char *message_id, const char *ref)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = (char *) message_id;
    receipt.ref = (char *) ref;
    receipt.received_at_ms = 1772359200000;
    env.body_case = CII__ENVELOPE__BODY_RECEIPT;
    env.receipt = &receipt;
    s_send (hub, &env);
}

static void
s_send_error (s_hub_t *hub, Cii__ErrorCode code, const char *message_id, const char *text)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Error error = CII__ERROR__INIT;
    error.code = code;
    error.message_id = (char *) message_id;
    error.text = (char *) text;
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    s_send (hub, &env);
}

static void
s_send_notice (s_hub_t *hub, uint64_t seq, const char *title)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    Cii__Notice notice = CII__NOTICE__INIT;
    notice.notice_id = (int64_t) seq + 100;
    notice.title = (char *) title;
    notice.text = (char *) "Texte de l'avis.";
    notice.issued_at_ms = 1772359200000;
    deliver.seq = seq;
    deliver.item_case = CII__DELIVER__ITEM_NOTICE;
    deliver.notice = &notice;
    env.body_case = CII__ENVELOPE__BODY_DELIVER;
    env.deliver = &deliver;
    s_send (hub, &env);
}

//  Waits for ACKs until one acknowledges seq; every ACK seen is at most seq. Returns how many.
static int
s_expect_ack (s_hub_t *hub, uint64_t seq)
{
    int acks = 0;
    for (;;) {
        Cii__Envelope *env = s_expect (hub, CII__ENVELOPE__BODY_ACK, S_WAIT_MS);
        uint64_t got = env->ack->seq;
        cii_codec_free (&env);
        acks++;
        assert_true (got <= seq);
        if (got == seq)
            return acks;
    }
}

//  Queues a signal through the intake service; its message id into mid.
static void
s_signal_add (s_hub_t *hub, const char *canton, const char *title, char *mid)
{
    agent_signal_input_t input = {
        .canton = canton, .title = title, .body = "Description du signal.", .institutions = "social-aid,health",
    };
    agent_queued_t queued;
    cii_err_t err;
    if (agent_intake_add (hub->store, &input, &queued, &err) != CII_OK)
        fail_msg ("intake: %s", err.text);
    snprintf (mid, AGENT_MESSAGE_ID_SIZE, "%s", queued.message_id);
}

typedef struct {
    char hub_ref [32];
    bool refused;
    int refused_code;
} s_fate_t;

static bool
s_fate_row (const agent_signal_row_t *row, void *arg)
{
    s_fate_t *fate = arg;
    snprintf (fate [row->id - 1].hub_ref, sizeof fate->hub_ref, "%s", row->hub_ref ? row->hub_ref : "");
    fate [row->id - 1].refused = row->refused;
    fate [row->id - 1].refused_code = row->refused_code;
    return row->id < 8;
}

//  What became of signals 1..8 at the hub, as the agent recorded it.
static void
s_fates (s_hub_t *hub, s_fate_t fate [8])
{
    memset (fate, 0, 8 * sizeof fate [0]);
    assert_int_equal (agent_store_signals_each (hub->store, s_fate_row, fate, NULL, NULL), CII_OK);
}

//  Polls the daemon's recorded status until it is status (true) or the deadline (false).
static bool
s_wait_status (s_hub_t *hub, const char *status, agent_daemon_status_t *out)
{
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (cii_util_mono_ms () < deadline) {
        if (agent_store_status_get (hub->store, out, NULL) == CII_OK && streq (out->status, status))
            return true;
        zclock_sleep (20);
    }
    return false;
}

//  --- tests ------------------------------------------------------------------------------------

static void
test_upward (void **state)
{
    s_hub_t *hub = *state;
    s_agent_init (hub, NULL);
    char mid1 [AGENT_MESSAGE_ID_SIZE], mid2 [AGENT_MESSAGE_ID_SIZE];
    s_signal_add (hub, "VD", "Avant la session", mid1);
    s_daemon_start (hub);

    //  HELLO with the last sequence held, WELCOME with the registry's cantons (VS moved away)
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 0);
    assert_true (strncmp (hello->message_id, "a-", 2) == 0);
    cii_codec_free (&hello);
    const char *cantons [] = { "GE", "VD" };
    s_send_welcome (hub, cantons, 2, S_HEARTBEAT_MS, 0);

    //  The outbox entry goes up at once, as it was stored
    Cii__Envelope *env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, mid1);
    assert_string_equal (env->signal->canton, "VD");
    assert_string_equal (env->signal->title, "Avant la session");
    cii_codec_free (&env);
    char *name = s_daemon_state (hub);
    assert_string_equal (name, "ready");
    zstr_free (&name);
    agent_daemon_status_t status;
    assert_true (s_wait_status (hub, "connected", &status));
    cii_bundle_t config;
    assert_int_equal (agent_store_config_get (hub->store, &config, NULL), CII_OK);
    assert_string_equal (config.cantons, "GE,VD");

    //  RECEIPT: delivered, out of the outbox; a second RECEIPT changes nothing
    s_send_receipt (hub, mid1, "SIG-7");
    s_send_receipt (hub, mid1, "SIG-7");
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (unit_agent_outbox (hub->store) > 0 && cii_util_mono_ms () < deadline)
        zclock_sleep (20);
    assert_int_equal (unit_agent_outbox (hub->store), 0);
    s_fate_t fate [8];
    s_fates (hub, fate);
    assert_string_equal (fate [0].hub_ref, "SIG-7");

    //  A signal added while the daemon runs goes up within a poll; a final ERROR marks it refused
    s_signal_add (hub, "GE", "Pendant la session", mid2);
    env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, mid2);
    cii_codec_free (&env);
    s_send_error (hub, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, mid2, "canton GE belongs to network x");
    deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (unit_agent_outbox (hub->store) > 0 && cii_util_mono_ms () < deadline)
        zclock_sleep (20);
    s_fates (hub, fate);
    assert_true (fate [1].refused);
    assert_int_equal (fate [1].refused_code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);

    //  UNAVAILABLE keeps an entry; it is resent after its backoff (2 s)
    char mid3 [AGENT_MESSAGE_ID_SIZE];
    s_signal_add (hub, "VD", "Renvoyé", mid3);
    env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    cii_codec_free (&env);
    s_send_error (hub, CII__ERROR_CODE__ERROR_UNAVAILABLE, mid3, "database down");
    env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, mid3);
    cii_codec_free (&env);
    assert_int_equal (unit_agent_outbox (hub->store), 1);

    //  $TERM stops it cleanly
    zactor_destroy (&hub->daemon);
    assert_true (s_wait_status (hub, "stopped", &status));
}

static void
test_downward (void **state)
{
    s_hub_t *hub = *state;
    s_agent_init (hub, NULL);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);

    //  Three items in a row: stored in order, acknowledged up to the last (cumulatively: one ACK
    //  may stand for several items)
    s_send_notice (hub, 1, "un");
    s_send_notice (hub, 2, "deux");
    s_send_notice (hub, 3, "trois");
    assert_true (s_expect_ack (hub, 3) <= 3);
    assert_int_equal (unit_agent_last_seq (hub->store), 3);

    //  A duplicate is stored once and acknowledged again with what is held
    s_send_notice (hub, 2, "deux encore");
    assert_int_equal (s_expect_ack (hub, 3), 1);
    assert_int_equal (unit_agent_last_seq (hub->store), 3);

    //  A gap is not stored: the agent resynchronises with HELLO (last_seq 3)
    s_send_notice (hub, 5, "cinq");
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 3);
    cii_codec_free (&hello);
    assert_int_equal (unit_agent_last_seq (hub->store), 3);
    //  The hub replays from 4 after WELCOME
    s_send_welcome (hub, s_lemanique, 3, S_HEARTBEAT_MS, 5);
    s_send_notice (hub, 4, "quatre");
    s_send_notice (hub, 5, "cinq");
    s_expect_ack (hub, 5);
    assert_int_equal (unit_agent_last_seq (hub->store), 5);

    //  A frame the codec refuses is dropped (logged); nothing changes, the session goes on
    const uint8_t garbage [] = { 0x08, 0x02, 0xff };
    s_send_frame (hub, garbage, sizeof garbage);
    s_send_notice (hub, 6, "six");
    s_expect_ack (hub, 6);
    //  A DELIVER before the session is open is ignored: after NO_SESSION the agent says HELLO
    s_send_error (hub, CII__ERROR_CODE__ERROR_NO_SESSION, "", "no session");
    hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 6);
    cii_codec_free (&hello);
    s_send_notice (hub, 7, "sept");
    s_expect_quiet (hub, 500);
    assert_int_equal (unit_agent_last_seq (hub->store), 6);
    //  ... and so are the NO_SESSIONs for messages queued before its HELLO
    s_send_error (hub, CII__ERROR_CODE__ERROR_NO_SESSION, "", "no session");
    s_expect_quiet (hub, 500);
    s_send_welcome (hub, s_lemanique, 3, S_HEARTBEAT_MS, 7);
    s_send_notice (hub, 7, "sept");
    s_expect_ack (hub, 7);
}

//  What the inbox holds, as "SEQ@EPOCH" items in arrival order.
static bool
s_inbox_item (const agent_inbox_item_t *item, void *arg)
{
    char *list = arg;
    size_t len = strlen (list);
    snprintf (list + len, 256 - len, "%s%" PRId64 "@%" PRIu64, len ? " " : "", item->seq, item->epoch);
    return true;
}

//  The hub's database was restored (it assigned 2 then, the agent holds 4): WELCOME names a new
//  stream epoch and resumes at 2; the agent enters it, stores 3 and 4 of the new epoch (other
//  items than its 3 and 4, which it keeps), acknowledges them, and says its new position in the
//  next HELLO. A WELCOME of the same epoch, or of a hub older than epochs, changes nothing.
static void
test_new_epoch (void **state)
{
    s_hub_t *hub = *state;
    s_agent_init (hub, NULL);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);
    for (uint64_t seq = 1; seq <= 4; seq++)
        s_send_notice (hub, seq, "avant");
    s_expect_ack (hub, 4);

    s_send_error (hub, CII__ERROR_CODE__ERROR_NO_SESSION, "", "no session");
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 4);
    assert_true (hello->hello->epoch == 0);
    cii_codec_free (&hello);
    uint64_t epoch = (uint64_t) 1 << 32 | 0x5eed;
    s_send_welcome_at (hub, s_lemanique, 3, S_HEARTBEAT_MS, 2, true, epoch, 2);
    s_send_notice (hub, 3, "trois, nouveau");
    s_send_notice (hub, 4, "quatre, nouveau");
    s_expect_ack (hub, 4);
    char held [256] = "";
    assert_int_equal (agent_store_inbox_each (hub->store, NULL, s_inbox_item, held, NULL, NULL), CII_OK);
    char expect [256];
    snprintf (expect, sizeof expect, "1@0 2@0 3@0 4@0 3@%" PRIu64 " 4@%" PRIu64, epoch, epoch);
    assert_string_equal (held, expect);

    //  The next HELLO says the new position; the same epoch again keeps it
    s_send_error (hub, CII__ERROR_CODE__ERROR_NO_SESSION, "", "no session");
    hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 4);
    assert_true (hello->hello->epoch == epoch);
    cii_codec_free (&hello);
    s_send_welcome_at (hub, s_lemanique, 3, S_HEARTBEAT_MS, 4, true, epoch, 4);
    s_send_notice (hub, 5, "cinq");
    s_expect_ack (hub, 5);
    //  A hub older than epochs (no epoch in WELCOME): the position stays as it is
    s_send_error (hub, CII__ERROR_CODE__ERROR_NO_SESSION, "", "no session");
    hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    cii_codec_free (&hello);
    s_send_welcome (hub, s_lemanique, 3, S_HEARTBEAT_MS, 5);
    s_send_notice (hub, 5, "cinq encore");
    assert_int_equal (s_expect_ack (hub, 5), 1);          //  a duplicate, acknowledged again
    s_send_notice (hub, 6, "six");
    s_expect_ack (hub, 6);
    uint64_t now_epoch = 0;
    int64_t now_seq = 0;
    assert_int_equal (agent_store_inbox_position (hub->store, &now_epoch, &now_seq, NULL), CII_OK);
    assert_true (now_epoch == epoch);
    assert_int_equal (now_seq, 6);
}

//  The next message is a PING, within timeout_ms.
static void
s_expect_ping (s_hub_t *hub, int timeout_ms)
{
    Cii__Envelope *ping = s_recv (hub, timeout_ms, false);
    assert_non_null (ping);
    assert_int_equal (ping->body_case, CII__ENVELOPE__BODY_PING);
    cii_codec_free (&ping);
}

//  A daemon in session at the shortest heartbeat (100 ms), its first PING received.
static void
s_pinging_session (s_hub_t *hub)
{
    s_agent_init (hub, NULL);
    s_daemon_start (hub);
    s_open_session (hub, 0, CII_HEARTBEAT_MIN_MS);
    s_expect_ping (hub, S_WAIT_MS);
}

static void
test_heartbeat_and_reconnect (void **state)
{
    s_hub_t *hub = *state;
    //  PINGs at the heartbeat
    s_pinging_session (hub);
    //  A silent hub (3 heartbeats): a new connection and a new HELLO
    zframe_t *first = zframe_dup (hub->peer);
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    cii_codec_free (&hello);
    assert_false (zframe_eq (first, hub->peer));
    zframe_destroy (&first);
    agent_daemon_status_t status;
    assert_true (s_wait_status (hub, "disconnected", &status));
    assert_string_equal (status.detail, "hub silent");
    //  The DEALER bounds frames at the protocol's limit
    cii_bundle_t config;
    assert_int_equal (agent_store_config_get (hub->store, &config, NULL), CII_OK);
    agent_link_t *link = agent_link_new (&config);
    assert_int_equal (agent_link_connect (link, false), CII_OK);
    assert_int_equal (zsock_maxmsgsize (agent_link_dealer (link)), CII_MAX_FRAME);
    assert_string_equal (agent_link_endpoint (link), config.endpoint);
    agent_link_destroy (&link);
    agent_link_destroy (&link);
}

//  A PONG with a heartbeat replaces the WELCOME's: PINGs at 100 ms, then at 1 s.
static void
test_pong_heartbeat (void **state)
{
    s_hub_t *hub = *state;
    s_pinging_session (hub);
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Pong pong = CII__PONG__INIT;
    pong.heartbeat_ms = 1000;
    env.body_case = CII__ENVELOPE__BODY_PONG;
    env.pong = &pong;
    s_send (hub, &env);
    //  At most one PING already on its way when the PONG arrived, then none for most of a second
    Cii__Envelope *ping = s_recv (hub, 150, false);
    cii_codec_free (&ping);
    assert_null (s_recv (hub, 600, false));
    s_expect_ping (hub, 1500);
}

static void
test_next_endpoint (void **state)
{
    s_hub_t *hub = *state;
    //  The first endpoint never answers (nothing listens there): after the HELLO timeout the
    //  daemon moves to the next one
    zsock_t *dead = zsock_new (ZMQ_ROUTER);
    int dead_port = zsock_bind (dead, "tcp://127.0.0.1:*");
    assert_true (dead_port > 0);
    zsock_destroy (&dead);
    char endpoints [128];
    snprintf (endpoints, sizeof endpoints, "tcp://127.0.0.1:%d,tcp://127.0.0.1:%d", dead_port, hub->port);
    s_agent_init (hub, endpoints);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);
    char *name = NULL;
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    do {
        zstr_free (&name);
        name = s_daemon_state (hub);
    } while (!streq (name, "ready") && cii_util_mono_ms () < deadline);
    assert_string_equal (name, "ready");
    zstr_free (&name);
}

static void
test_replaced_and_revoked (void **state)
{
    s_hub_t *hub = *state;
    s_agent_init (hub, NULL);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);
    //  SESSION_REPLACED: another process holds the key; the daemon backs off before its HELLO
    s_send_error (hub, CII__ERROR_CODE__ERROR_SESSION_REPLACED, "", "replaced");
    agent_daemon_status_t status;
    assert_true (s_wait_status (hub, "disconnected", &status));
    assert_string_equal (status.detail, "session taken over by another process with this agent's key");
    assert_int_equal (status.replaced_count, 1);
    assert_true (status.replaced_ms > 0);
    int64_t replaced = cii_util_mono_ms ();
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, 3 * S_WAIT_MS);
    cii_codec_free (&hello);
    assert_true (cii_util_mono_ms () - replaced >= 4000);
    s_send_welcome (hub, s_lemanique, 3, S_HEARTBEAT_MS, 0);
    assert_true (s_wait_status (hub, "connected", &status));

    //  REVOKED: the daemon stops on its own and says so
    s_send_error (hub, CII__ERROR_CODE__ERROR_REVOKED, "", "this key was revoked by the bureau");
    zsock_set_rcvtimeo (hub->daemon, S_WAIT_MS);
    char *message = zstr_recv (hub->daemon);
    assert_non_null (message);
    assert_string_equal (message, "STOPPED");
    zstr_free (&message);
    assert_int_equal (agent_store_status_get (hub->store, &status, NULL), CII_OK);
    assert_string_equal (status.status, "revoked");
    assert_string_equal (status.detail, "this key was revoked by the bureau");
    s_expect_quiet (hub, 300);
}

static void
test_state_not_initialised (void **state)
{
    s_hub_t *hub = *state;
    //  No state: the actor says it stopped, and ends on $TERM
    hub->daemon = zactor_new (agent_daemon_actor, hub->agent->state);
    assert_non_null (hub->daemon);
    zsock_set_rcvtimeo (hub->daemon, S_WAIT_MS);
    char *message = zstr_recv (hub->daemon);
    assert_non_null (message);
    assert_string_equal (message, "STOPPED");
    zstr_free (&message);
    cii_err_t err;
    assert_null (agent_daemon_new (hub->agent->state, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    assert_int_equal (agent_daemon_run (hub->agent->state), 1);
}

//  --- test-only kinds through the real daemon ---------------------------------------------------

static atomic_int s_down_calls;
static atomic_llong s_down_number;
static atomic_int s_receipts;
static atomic_llong s_receipt_ref_id;
static atomic_int s_refusals;
static atomic_int s_refusal_code;

static cii_rc_t
s_probe_down (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err)
{
    (void) store;
    (void) seq;
    const CiiTest__Probe *probe = (const CiiTest__Probe *) item;
    if (probe->number < 0)
        return cii_err_set (err, CII_REFUSED, "the test's handler refuses negative numbers");
    atomic_store (&s_down_number, probe->number);
    atomic_fetch_add (&s_down_calls, 1);
    return CII_OK;
}

static cii_rc_t
s_probe_receipt (agent_store_t *store, int64_t ref_id, const char *hub_ref, int64_t at, cii_err_t *err)
{
    (void) store;
    (void) hub_ref;
    (void) at;
    (void) err;
    atomic_store (&s_receipt_ref_id, ref_id);
    atomic_fetch_add (&s_receipts, 1);
    return CII_OK;
}

static cii_rc_t
s_probe_refused (agent_store_t *store, int64_t ref_id, int code, const char *text, cii_err_t *err)
{
    (void) store;
    (void) ref_id;
    (void) text;
    (void) err;
    atomic_store (&s_refusal_code, code);
    atomic_fetch_add (&s_refusals, 1);
    return CII_OK;
}

static const agent_down_handler_t s_probe_down_handler = { "probe-down", s_probe_down };
static const agent_up_handler_t s_probe_up_handler = { "probe-up", s_probe_receipt, s_probe_refused };

static void
s_send_probe (s_hub_t *hub, uint64_t seq, const char *text, int64_t number)
{
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = (char *) text;
    probe.number = number;
    uint8_t *item = NULL, *frame = NULL;
    size_t item_size = 0, frame_size = 0;
    assert_int_equal (cii_codec_item_pack (&test_kind_probe_down, &probe.base, &item, &item_size, NULL), CII_OK);
    char id [32];
    snprintf (id, sizeof id, "d-test-%" PRIu64, seq);
    assert_int_equal (cii_codec_encode_deliver (seq, "probe-down", item, item_size, id, &frame, &frame_size), CII_OK);
    s_send_frame (hub, frame, frame_size);
    free (item);
    free (frame);
}

static bool
s_inbox_probe (const agent_inbox_item_t *item, void *arg)
{
    ProtobufCMessage *probe = NULL;
    assert_int_equal (cii_codec_item_unpack (&test_kind_probe_down, item->body, item->size, &probe, NULL), CII_OK);
    snprintf (arg, 64, "%" PRId64 ":%s", item->seq, ((CiiTest__Probe *) probe)->text);
    cii_codec_item_free (&probe);
    return true;
}

static void
test_kinds_both_ways (void **state)
{
    s_hub_t *hub = *state;
    assert_int_equal (test_kinds_register (), CII_OK);
    assert_int_equal (agent_kinds_register_down (&s_probe_down_handler), CII_OK);
    assert_int_equal (agent_kinds_register_up (&s_probe_up_handler), CII_OK);
    //  Registering twice, or for a kind the codec does not know, is refused
    assert_int_equal (agent_kinds_register_down (&s_probe_down_handler), CII_CONFLICT);
    const agent_up_handler_t unknown = { "no-such-kind", NULL, NULL };
    assert_int_equal (agent_kinds_register_up (&unknown), CII_BAD_INPUT);
    const agent_up_handler_t wrong_way = { "probe-down", NULL, NULL };
    assert_int_equal (agent_kinds_register_up (&wrong_way), CII_BAD_INPUT);
    assert_ptr_equal (agent_kinds_down ("probe-down"), &s_probe_down_handler);
    assert_non_null (agent_kinds_down ("notice"));
    assert_non_null (agent_kinds_up ("signal"));
    //  Every compiled kind has its handlers
    const cii_kind_t *kind;
    for (size_t i = 0; (kind = cii_kind_index (i)) != NULL; i++)
        if (cii_kind_compiled (kind))
            assert_non_null (kind->direction == CII_UP ? (const void *) agent_kinds_up (kind->name)
                                                       : (const void *) agent_kinds_down (kind->name));

    s_agent_init (hub, NULL);
    //  Upward: a probe queued in the outbox for record 77 goes up like any kind
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = (char *) "sonde montante";
    probe.number = 42;
    assert_int_equal (agent_store_outbox_add (hub->store, &test_kind_probe_up, &probe.base, 77, "probe-a", NULL), CII_OK);
    assert_int_equal (agent_store_outbox_add (hub->store, &test_kind_probe_up, &probe.base, 78, "probe-b", NULL), CII_OK);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);
    for (int i = 0; i < 2; i++) {
        Cii__Envelope *env = s_recv (hub, S_WAIT_MS, true);
        assert_non_null (env);
        assert_ptr_equal (cii_codec_kind (env), &test_kind_probe_up);
        ProtobufCMessage *owned = NULL;
        const CiiTest__Probe *got = (const CiiTest__Probe *) cii_codec_item (env, &owned);
        assert_non_null (got);
        assert_string_equal (got->text, "sonde montante");
        assert_int_equal (got->number, 42);
        //  The first is receipted, the second refused
        if (streq (env->message_id, "probe-a"))
            s_send_receipt (hub, "probe-a", "PRB-1");
        else
            s_send_error (hub, CII__ERROR_CODE__ERROR_MALFORMED, env->message_id, "probe refused by the test hub");
        cii_codec_item_free (&owned);
        cii_codec_free (&env);
    }
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while ((atomic_load (&s_receipts) < 1 || atomic_load (&s_refusals) < 1) && cii_util_mono_ms () < deadline)
        zclock_sleep (20);
    assert_int_equal (atomic_load (&s_receipts), 1);
    assert_int_equal (atomic_load (&s_receipt_ref_id), 77);
    assert_int_equal (atomic_load (&s_refusals), 1);
    assert_int_equal (atomic_load (&s_refusal_code), CII__ERROR_CODE__ERROR_MALFORMED);
    assert_int_equal (unit_agent_outbox (hub->store), 0);

    //  Downward: a probe item is stored in the inbox and handed to its handler, then acknowledged
    s_send_probe (hub, 1, "sonde descendante", 9);
    s_expect_ack (hub, 1);
    assert_int_equal (atomic_load (&s_down_calls), 1);
    assert_int_equal (atomic_load (&s_down_number), 9);
    char held [64] = "";
    size_t count = 0;
    assert_int_equal (agent_store_inbox_each (hub->store, "probe-down", s_inbox_probe, held, &count, NULL), CII_OK);
    assert_int_equal (count, 1);
    assert_string_equal (held, "1:sonde descendante");
    //  A handler's refusal rolls the item back: not held, not acknowledged
    s_send_probe (hub, 2, "refusée", -1);
    s_expect_quiet (hub, 500);
    assert_int_equal (unit_agent_last_seq (hub->store), 1);
    //  Sent again, accepted this time: held as 2, in order
    s_send_probe (hub, 2, "acceptée", 10);
    s_expect_ack (hub, 2);
    assert_int_equal (atomic_load (&s_down_calls), 2);

    zactor_destroy (&hub->daemon);
    agent_kinds_unregister_down (&s_probe_down_handler);
    agent_kinds_unregister_up (&s_probe_up_handler);
    assert_null (agent_kinds_down ("probe-down"));
    assert_null (agent_kinds_up ("probe-up"));
}

//  --- the state of a released agent ---------------------------------------------------------------

static void
test_release_0_1_0_pending_signal_sent (void **state)
{
    s_hub_t *hub = *state;
    //  A copy of the state made by cii-agent 0.1.0, pointed at the test's hub (the bundle's hub
    //  key is replaced: its secret half is not in the fixture)
    char *copy = unit_agent_release_0_1_0 (hub->agent);
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open (copy, &db), SQLITE_OK);
    char *sql = sqlite3_mprintf ("UPDATE config SET value = 'tcp://127.0.0.1:%d' WHERE key = 'endpoint';"
                                 "UPDATE config SET value = %Q WHERE key = 'hub_public'",
                                 hub->port, zcert_public_txt (hub->hub_cert));
    assert_int_equal (sqlite3_exec (db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free (sql);
    sqlite3_close (db);
    hub->store = agent_setup_open (hub->agent->state, NULL, NULL);
    assert_non_null (hub->store);

    s_daemon_start (hub);
    s_open_session (hub, 1, S_HEARTBEAT_MS);        //  it holds notice 1
    Cii__Envelope *env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, "f0d37d27-0022-4e80-a508-6adf41e62d9b");
    assert_string_equal (env->signal->canton, "GE");
    assert_string_equal (env->signal->title, "Giovani in arrivo tardivo");
    assert_string_equal (env->signal->language, "it");
    s_send_receipt (hub, env->message_id, "SIG-3");
    cii_codec_free (&env);
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (unit_agent_outbox (hub->store) > 0 && cii_util_mono_ms () < deadline)
        zclock_sleep (20);
    s_fate_t fate [8];
    s_fates (hub, fate);
    assert_string_equal (fate [2].hub_ref, "SIG-3");
    assert_string_equal (fate [0].hub_ref, "SIG-2");
    //  The next notice follows the one it held
    s_send_notice (hub, 2, "deux");
    s_expect_ack (hub, 2);
    free (copy);
}

//  --- requests ------------------------------------------------------------------------------------

static void
s_send_status (s_hub_t *hub, uint64_t seq, const char *ref, const char *request_id, const char *state_name,
               const char *organ, const char *note, size_t n_criteria)
{
    Cii__Criterion c [2] = { CII__CRITERION__INIT, CII__CRITERION__INIT };
    Cii__Criterion *criteria [2] = { &c [0], &c [1] };
    c [0].id = (char *) "C1";
    c [0].met = true;
    c [0].reason = (char *) "3 institutions";
    c [1].id = (char *) "C2";
    c [1].reason = (char *) "no general objective";
    Cii__Status status = CII__STATUS__INIT;
    status.ref = (char *) ref;
    status.request_id = (char *) request_id;
    status.state = (char *) state_name;
    status.organ = (char *) organ;
    status.at_ms = 1790000000000 + (int64_t) seq;
    status.note = (char *) note;
    status.criteria = criteria;
    status.n_criteria = n_criteria;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = seq;
    deliver.item_case = CII__DELIVER__ITEM_STATUS;
    deliver.status = &status;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.body_case = CII__ENVELOPE__BODY_DELIVER;
    env.deliver = &deliver;
    s_send (hub, &env);
}

typedef struct {
    char state [40];
    char ref [32];
    int refused_code;
} s_request_fate_t;

static bool
s_request_fate_row (const agent_request_row_t *row, void *arg)
{
    s_request_fate_t *fate = arg;
    snprintf (fate->state, sizeof fate->state, "%s", row->state);
    snprintf (fate->ref, sizeof fate->ref, "%s", row->hub_ref ? row->hub_ref : "");
    fate->refused_code = row->refused ? row->refused_code : 0;
    return false;
}

//  Polls request id until it is in state (true) or the deadline (false); its fate in *fate.
static bool
s_wait_request (s_hub_t *hub, int64_t id, const char *state_name, s_request_fate_t *fate)
{
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (cii_util_mono_ms () < deadline) {
        memset (fate, 0, sizeof *fate);
        if (agent_requests_get (hub->store, id, s_request_fate_row, fate, NULL) == CII_OK
            && streq (fate->state, state_name))
            return true;
        zclock_sleep (20);
    }
    return false;
}

static bool
s_history_row (const agent_history_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s/%s", len ? ";" : "", row->state, row->organ);
    return true;
}

static bool
s_withdrawal_row (const agent_withdrawal_row_t *row, void *arg)
{
    int *code = arg;
    *code = row->refused ? row->refused_code : row->delivered_at_ms > 0 ? -1 : 0;
    return true;
}

//  A draft over signals (comma list of ids), forwarded; its REQUEST's message id into mid.
static int64_t
s_request_forward (s_hub_t *hub, const char *signals, char *mid)
{
    agent_request_input_t input = { .title = "Coordination AI / aide sociale", .summary = "Deux cantons signalent.",
                                    .signals = signals, .objectives = "system-coordination" };
    int64_t id = 0;
    cii_err_t err;
    if (agent_requests_new (hub->store, &input, &id, &err) != CII_OK)
        fail_msg ("request new: %s", err.text);
    agent_forwarded_t forwarded;
    if (agent_requests_forward (hub->store, id, &forwarded, &err) != CII_OK)
        fail_msg ("request forward: %s", err.text);
    snprintf (mid, AGENT_MESSAGE_ID_SIZE, "%s", forwarded.message_id);
    return id;
}

static void
test_requests (void **state)
{
    s_hub_t *hub = *state;
    s_agent_init (hub, NULL);
    char mid1 [AGENT_MESSAGE_ID_SIZE], mid2 [AGENT_MESSAGE_ID_SIZE], request_mid [AGENT_MESSAGE_ID_SIZE];
    s_signal_add (hub, "VD", "Signal vaudois", mid1);
    s_signal_add (hub, "GE", "Signal genevois", mid2);
    int64_t id = s_request_forward (hub, "1,2", request_mid);
    s_daemon_start (hub);
    s_open_session (hub, 0, S_HEARTBEAT_MS);

    //  The signals go up; the REQUEST waits for both their receipts (the hub would refuse a
    //  request naming a signal it does not hold)
    Cii__Envelope *env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, mid1);
    cii_codec_free (&env);
    env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    assert_string_equal (env->message_id, mid2);
    cii_codec_free (&env);
    s_expect_quiet (hub, 700);
    s_send_receipt (hub, mid1, "SIG-1");
    s_expect_quiet (hub, 700);
    s_send_receipt (hub, mid2, "SIG-2");
    env = s_expect (hub, CII__ENVELOPE__BODY_REQUEST, S_WAIT_MS);
    assert_string_equal (env->message_id, request_mid);
    assert_int_equal (env->request->n_signal_ids, 2);
    assert_string_equal (env->request->signal_ids [0], mid1);
    assert_string_equal (env->request->signal_ids [1], mid2);
    cii_codec_free (&env);

    //  UNAVAILABLE: sent again after its backoff, with the same id; then the RECEIPT carries the
    //  national reference
    s_send_error (hub, CII__ERROR_CODE__ERROR_UNAVAILABLE, request_mid, "database down");
    env = s_expect (hub, CII__ENVELOPE__BODY_REQUEST, S_WAIT_MS);
    assert_string_equal (env->message_id, request_mid);
    cii_codec_free (&env);
    s_send_receipt (hub, request_mid, "CII-2027-0042");
    s_request_fate_t fate;
    assert_true (s_wait_request (hub, id, "received", &fate));
    assert_string_equal (fate.ref, "CII-2027-0042");

    //  STATUS items: stored in order, acknowledged; a duplicate is re-acked and not stored
    //  twice; a gap is not stored and the agent says HELLO to be replayed from what it holds
    s_send_status (hub, 1, "CII-2027-0042", request_mid, "received", "hub", "", 2);
    s_send_status (hub, 2, "CII-2027-0042", request_mid, "admissible", "bureau", "Recevable.", 0);
    s_expect_ack (hub, 2);
    s_send_status (hub, 2, "CII-2027-0042", request_mid, "admissible", "bureau", "Recevable.", 0);
    assert_int_equal (s_expect_ack (hub, 2), 1);
    s_send_status (hub, 4, "CII-2027-0042", request_mid, "cdc-agenda", "cdc", "", 0);
    Cii__Envelope *hello = s_expect (hub, CII__ENVELOPE__BODY_HELLO, S_WAIT_MS);
    assert_int_equal (hello->hello->last_seq, 2);
    cii_codec_free (&hello);
    s_send_welcome (hub, s_lemanique, 3, S_HEARTBEAT_MS, 4);
    s_send_status (hub, 3, "CII-2027-0042", request_mid, "grouped", "bureau", "", 0);
    s_send_status (hub, 4, "CII-2027-0042", request_mid, "cdc-agenda", "cdc", "", 0);
    s_expect_ack (hub, 4);
    assert_true (s_wait_request (hub, id, "cdc-agenda", &fate));
    char history [256] = "";
    assert_int_equal (agent_requests_history (hub->store, id, s_history_row, history, NULL), CII_OK);
    assert_string_equal (history, "received/hub;admissible/bureau;grouped/bureau;cdc-agenda/cdc");

    //  A WITHDRAW goes up at once (its REQUEST is receipted); the hub's refusal is recorded
    char withdraw_mid [AGENT_MESSAGE_ID_SIZE];
    cii_err_t err;
    assert_int_equal (agent_requests_withdraw (hub->store, id, "Le canton a trouvé une solution.", withdraw_mid, &err),
                      CII_OK);
    env = s_expect (hub, CII__ENVELOPE__BODY_WITHDRAW, S_WAIT_MS);
    assert_string_equal (env->message_id, withdraw_mid);
    assert_string_equal (env->withdraw->request_id, request_mid);
    assert_string_equal (env->withdraw->reason, "Le canton a trouvé une solution.");
    cii_codec_free (&env);
    s_send_error (hub, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, withdraw_mid, "already decided");
    int code = 0;
    int64_t deadline = cii_util_mono_ms () + S_WAIT_MS;
    while (code == 0 && cii_util_mono_ms () < deadline) {
        agent_requests_withdrawals (hub->store, id, s_withdrawal_row, &code, NULL);
        zclock_sleep (20);
    }
    assert_int_equal (code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);

    //  A request whose signal the hub refuses after the forward: the REQUEST is no longer held,
    //  the hub refuses it (UNKNOWN_REFERENCE) and the agent records it refused, code and text
    char mid3 [AGENT_MESSAGE_ID_SIZE], second_mid [AGENT_MESSAGE_ID_SIZE];
    s_signal_add (hub, "VS", "Signal valaisan", mid3);
    env = s_expect (hub, CII__ENVELOPE__BODY_SIGNAL, S_WAIT_MS);
    cii_codec_free (&env);
    int64_t second = s_request_forward (hub, "3", second_mid);
    s_expect_quiet (hub, 700);
    s_send_error (hub, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, mid3, "canton VS belongs to network x");
    env = s_expect (hub, CII__ENVELOPE__BODY_REQUEST, S_WAIT_MS);
    assert_string_equal (env->message_id, second_mid);
    cii_codec_free (&env);
    s_send_error (hub, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE, second_mid, "signal not held by the hub");
    assert_true (s_wait_request (hub, second, "refused", &fate));
    assert_int_equal (fate.refused_code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_int_equal (unit_agent_outbox (hub->store), 0);

    //  A STATUS about a request this agent does not know is stored and shown all the same
    s_send_status (hub, 5, "CII-2027-0001", "0b5d0c1e-0000-4000-8000-000000000001", "inadmissible", "bureau",
                   "Un seul canton.", 0);
    s_expect_ack (hub, 5);
    int64_t unknown = 0;
    assert_int_equal (agent_requests_resolve (hub->store, "CII-2027-0001", &unknown, NULL), CII_OK);
    assert_true (s_wait_request (hub, unknown, "inadmissible", &fate));
    zactor_destroy (&hub->daemon);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_upward, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_downward, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_new_epoch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_heartbeat_and_reconnect, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_pong_heartbeat, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_next_endpoint, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replaced_and_revoked, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state_not_initialised, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kinds_both_ways, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_release_0_1_0_pending_signal_sent, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_requests, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
