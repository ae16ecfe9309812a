/*  test_hub_gate_server.c — the national gate over the wire, with the serving hub in one process
    (as test_hub_server.c) on a fresh PostgreSQL database and raw CURVE DEALERs as agents: a REQUEST
    referenced CII-YYYY-NNNN in its RECEIPT and resent as a duplicate, refused for an unknown signal
    (UNKNOWN_REFERENCE), another network's signal or canton (NOT_AUTHORISED) or a reused id
    (CONFLICT) with nothing stored, STATUS items arriving in order with their criteria (received,
    then a bureau decision picked up from the database, a withdrawal), and an agent offline during a
    decision getting its STATUS after reconnecting. */
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
#include "hub_flow.h"
#include "hub_server.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"

#define S_WAIT_MS 5000

typedef struct {
    char dbname [64];
    char conninfo [128];
    char dir [128];
    zactor_t *server;
    char endpoint [256];
    char hub_public [41];
    zcert_t *agents [3];          //  lemanique, ticino, zuerich
    PGconn *pg;
} s_fixture_t;

static const char *s_networks [] = { "lemanique", "ticino", "zuerich" };

static void
s_quiet (void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

static void
s_admin (const char *sql)
{
    PGconn *conn = PQconnectdb ("");
    assert_int_equal (PQstatus (conn), CONNECTION_OK);
    PQsetNoticeProcessor (conn, s_quiet, NULL);
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (conn));
    PQclear (res);
    PQfinish (conn);
}

static long
s_query_long (s_fixture_t *fx, const char *sql)
{
    PGresult *res = PQexec (fx->pg, sql);
    if (PQresultStatus (res) != PGRES_TUPLES_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (fx->pg));
    long value = PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? strtol (PQgetvalue (res, 0, 0), NULL, 10) : -1;
    PQclear (res);
    return value;
}

static void
s_server_start (s_fixture_t *fx)
{
    hub_server_config_t config = { .conninfo = fx->conninfo, .certs_dir = fx->dir, .bind = "tcp://127.0.0.1:*",
                                   .refusal_log_ms = 1000, .replaced_log_ms = 1000 };
    fx->server = zactor_new (hub_server_actor, &config);
    assert_non_null (fx->server);
    char *status = NULL, *endpoint = NULL, *key = NULL;
    assert_int_equal (zsock_recv (fx->server, "sss", &status, &endpoint, &key), 0);
    if (!streq (status, "READY"))
        fail_msg ("server did not start: %s", endpoint ? endpoint : "?");
    snprintf (fx->endpoint, sizeof fx->endpoint, "%s", endpoint);
    assert_string_equal (key, fx->hub_public);
    zstr_free (&status);
    zstr_free (&endpoint);
    zstr_free (&key);
}

static int
s_setup (void **state)
{
    static int counter = 0;
    s_fixture_t *fx = calloc (1, sizeof *fx);
    snprintf (fx->dbname, sizeof fx->dbname, "cii_gatesrv_%d_%d", (int) getpid (), counter++);
    snprintf (fx->conninfo, sizeof fx->conninfo, "dbname=%s", fx->dbname);
    char sql [160];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
    s_admin (sql);
    snprintf (fx->dir, sizeof fx->dir, "/tmp/cii-gatesrv-XXXXXX");
    assert_non_null (mkdtemp (fx->dir));

    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    assert_non_null (store);
    int version = 0;
    if (hub_store_migrate (store, &version, &err) != CII_OK)
        fail_msg ("migrate: %s", err.text);
    zcert_t *hub = zcert_new ();
    char path [256];
    snprintf (path, sizeof path, "%s/hub.cert", fx->dir);
    assert_int_equal (zcert_save (hub, path), 0);
    snprintf (fx->hub_public, sizeof fx->hub_public, "%s", zcert_public_txt (hub));
    assert_int_equal (hub_store_setting_set (store, "hub_public_key", fx->hub_public), CII_OK);
    zcert_destroy (&hub);
    for (int i = 0; i < 3; i++) {
        fx->agents [i] = zcert_new ();
        int64_t id = 0;
        assert_int_equal (hub_store_enroll (store, s_networks [i], zcert_public_txt (fx->agents [i]), &id, &err),
                          CII_OK);
    }
    hub_store_destroy (&store);
    fx->pg = PQconnectdb (fx->conninfo);
    assert_int_equal (PQstatus (fx->pg), CONNECTION_OK);
    PQsetNoticeProcessor (fx->pg, s_quiet, NULL);
    s_server_start (fx);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    zactor_destroy (&fx->server);
    PQfinish (fx->pg);
    for (int i = 0; i < 3; i++)
        zcert_destroy (&fx->agents [i]);
    char sql [160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->dbname);
    s_admin (sql);
    char command [300];
    snprintf (command, sizeof command, "rm -rf '%s'", fx->dir);
    assert_int_equal (system (command), 0);
    free (fx);
    return 0;
}

//  --- a test agent: a CURVE DEALER -----------------------------------------------------------

static zsock_t *
s_agent (s_fixture_t *fx, int index)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zcert_apply (fx->agents [index], dealer);
    zsock_set_curve_serverkey (dealer, fx->hub_public);
    zsock_set_linger (dealer, 0);
    zsock_set_sndtimeo (dealer, S_WAIT_MS);
    assert_int_equal (zsock_connect (dealer, "%s", fx->endpoint), 0);
    return dealer;
}

static void
s_send (zsock_t *dealer, Cii__Envelope *env, const char *message_id)
{
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = (char *) message_id;
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_encode (env, &data, &size, NULL), CII_OK);
    assert_int_equal (zmq_send (zsock_resolve (dealer), data, size, 0), (int) size);
    free (data);
}

static void
s_send_bytes (zsock_t *dealer, const uint8_t *data, size_t size)
{
    assert_int_equal (zmq_send (zsock_resolve (dealer), data, size, 0), (int) size);
}

//  The next frame (skipping PONGs when skip_pong), decoded; NULL after timeout_ms.
static Cii__Envelope *
s_recv (zsock_t *dealer, int timeout_ms, bool skip_pong)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (zclock_mono () < deadline) {
        zsock_set_rcvtimeo (dealer, (int) (deadline - zclock_mono ()) + 1);
        zframe_t *frame = zframe_recv (dealer);
        if (!frame)
            return NULL;
        Cii__Envelope *env = NULL;
        cii_rc_t rc = cii_codec_decode (zframe_data (frame), zframe_size (frame), &env, NULL);
        zframe_destroy (&frame);
        assert_int_equal (rc, CII_OK);
        if (skip_pong && env->body_case == CII__ENVELOPE__BODY_PONG) {
            cii_codec_free (&env);
            continue;
        }
        return env;
    }
    return NULL;
}

static Cii__Envelope *
s_expect (zsock_t *dealer, Cii__Envelope__BodyCase body)
{
    Cii__Envelope *env = s_recv (dealer, S_WAIT_MS, true);
    if (!env)
        fail_msg ("expected %d, got nothing", (int) body);
    if (env->body_case != body)
        fail_msg ("expected body %d, got %s%s%s", (int) body, cii_codec_body_name (env),
                  env->body_case == CII__ENVELOPE__BODY_ERROR ? ": " : "",
                  env->body_case == CII__ENVELOPE__BODY_ERROR ? env->error->text : "");
    return env;
}

static void
s_expect_error (zsock_t *dealer, Cii__ErrorCode code, const char *message_id)
{
    Cii__Envelope *env = s_expect (dealer, CII__ENVELOPE__BODY_ERROR);
    if (env->error->code != code)
        fail_msg ("expected error %s, got %s: %s", cii_codec_error_name (code), cii_codec_error_name (env->error->code),
                  env->error->text);
    if (message_id)
        assert_string_equal (env->error->message_id, message_id);
    cii_codec_free (&env);
}

static void
s_hello (zsock_t *dealer, const char *id, uint64_t last_seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.agent_version = "test";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    s_send (dealer, &env, id);
}

static void
s_ping (zsock_t *dealer, const char *id)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = 42;
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    s_send (dealer, &env, id);
}

static void
s_ack (zsock_t *dealer, const char *id, uint64_t seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = seq;
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    s_send (dealer, &env, id);
}

static void
s_signal (zsock_t *dealer, const char *id, const char *canton, const char *title)
{
    cii_signal_t signal = { .title = title, .description = "Les mesures AI ne sont pas ouvertes à l'aide sociale.",
                            .institutions = { CII_INSTITUTION_SOCIAL_AID, CII_INSTITUTION_INVALIDITY },
                            .n_institutions = 2, .language = "fr", .created_at_ms = 1764355337000 };
    snprintf (signal.canton, sizeof signal.canton, "%s", canton);
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_signal_envelope (&signal, id, &data, &size, NULL), CII_OK);
    s_send_bytes (dealer, data, size);
    free (data);
}

//  Opens a session: HELLO, expects WELCOME.
static zsock_t *
s_session (s_fixture_t *fx, int index, uint64_t last_seq)
{
    zsock_t *dealer = s_agent (fx, index);
    s_hello (dealer, "hello-1", last_seq);
    Cii__Envelope *env = s_expect (dealer, CII__ENVELOPE__BODY_WELCOME);
    assert_string_equal (env->welcome->network, s_networks [index]);
    cii_codec_free (&env);
    return dealer;
}


//  Nothing but PONGs for ms.
static void
s_expect_nothing (zsock_t *dealer, int ms)
{
    Cii__Envelope *env = s_recv (dealer, ms, true);
    if (env)
        fail_msg ("unexpected %s", cii_codec_body_name (env));
}


//  Polls sql until it returns expected (the control worker writes soon, not at once).
static void
s_wait_long (s_fixture_t *fx, const char *sql, long expected)
{
    int64_t deadline = zclock_mono () + S_WAIT_MS;
    while (s_query_long (fx, sql) != expected && zclock_mono () < deadline)
        zclock_sleep (20);
    long got = s_query_long (fx, sql);
    if (got != expected)
        fail_msg ("%s: %ld, expected %ld", sql, got, expected);
}

//  --- the gate's messages -----------------------------------------------------------------------

//  A REQUEST naming one signal (by message id), supported by canton; title distinguishes content.
static void
s_request (zsock_t *dealer, const char *id, const char *signal_id, const char *canton, const char *title)
{
    const char *signals [] = { signal_id };
    const char *cantons [] = { canton };
    cii_request_t request = {
        .title = title, .summary = "Les jeunes arrivés tardivement n'accèdent pas à la formation.",
        .signal_ids = signals, .n_signal_ids = 1,
        .institutions = { CII_INSTITUTION_VOCATIONAL_TRAINING, CII_INSTITUTION_MIGRATION }, .n_institutions = 2,
        .objectives = { CII_OBJECTIVE_LABOUR_MARKET_INTEGRATION }, .n_objectives = 1,
        .cantons = cantons, .n_cantons = 1, .language = "fr", .created_at_ms = 1800000000000LL,
    };
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_request_envelope (&request, id, &data, &size, NULL), CII_OK);
    s_send_bytes (dealer, data, size);
    free (data);
}

static void
s_withdraw (zsock_t *dealer, const char *id, const char *request_id, const char *reason)
{
    cii_withdraw_t withdraw = { request_id, reason };
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_withdraw_envelope (&withdraw, id, &data, &size, NULL), CII_OK);
    s_send_bytes (dealer, data, size);
    free (data);
}

//  Expects a RECEIPT for message_id; its ref into ref (when given).
static void
s_expect_receipt (zsock_t *dealer, const char *message_id, bool duplicate, char ref [32])
{
    Cii__Envelope *env = s_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->message_id, message_id);
    assert_int_equal (env->receipt->duplicate, duplicate);
    if (ref)
        snprintf (ref, 32, "%s", env->receipt->ref);
    cii_codec_free (&env);
}

//  Expects DELIVER seq carrying a STATUS of ref in state, by organ, with n_criteria criteria; acks
//  it. The envelope is returned for more checks (free it).
static Cii__Envelope *
s_expect_status (zsock_t *dealer, uint64_t seq, const char *ref, const char *state, const char *organ,
                 size_t n_criteria)
{
    Cii__Envelope *env = s_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    if (env->deliver->seq != seq)
        fail_msg ("expected DELIVER %" PRIu64 ", got %" PRIu64, seq, env->deliver->seq);
    assert_int_equal (env->deliver->item_case, CII__DELIVER__ITEM_STATUS);
    const Cii__Status *status = env->deliver->status;
    assert_string_equal (status->ref, ref);
    assert_string_equal (status->state, state);
    assert_string_equal (status->organ, organ);
    assert_int_equal (status->n_criteria, n_criteria);
    assert_true (status->at_ms > 0);
    s_ack (dealer, "ack", seq);
    return env;
}

static int
s_year (s_fixture_t *fx)
{
    return (int) s_query_long (fx, "SELECT extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int");
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_request_referenced (void **state)
{
    s_fixture_t *fx = *state;
    zsock_t *dealer = s_session (fx, 0, 0);
    //  A signal and the request that consolidates it, back to back as an agent's outbox sends them.
    s_signal (dealer, "sig-1", "VD", "Jeunes arrivés tardivement");
    s_request (dealer, "req-1", "sig-1", "VD", "Accès à l'apprentissage");
    s_expect_receipt (dealer, "sig-1", false, NULL);
    char ref [32], expect [32];
    s_expect_receipt (dealer, "req-1", false, ref);
    snprintf (expect, sizeof expect, "CII-%d-0001", s_year (fx));
    assert_string_equal (ref, expect);
    //  Then its first STATUS, with the criteria.
    Cii__Envelope *env = s_expect_status (dealer, 1, ref, "received", "hub", 4);
    const Cii__Status *status = env->deliver->status;
    assert_string_equal (status->request_id, "req-1");
    assert_string_equal (status->theme, "");
    assert_string_equal (status->criteria [0]->id, "C1");
    assert_true (status->criteria [0]->met);
    assert_string_equal (status->criteria [0]->reason, "4 institutions involved: invalidity, migration, "
                                                        "social-aid, vocational-training");
    cii_codec_free (&env);
    //  A resend: the original receipt; nothing stored twice, no second STATUS.
    s_request (dealer, "req-1", "sig-1", "VD", "Accès à l'apprentissage");
    char again [32];
    s_expect_receipt (dealer, "req-1", true, again);
    assert_string_equal (again, ref);
    //  The next request takes the next number.
    s_request (dealer, "req-2", "sig-1", "VD", "Deuxième demande");
    s_expect_receipt (dealer, "req-2", false, again);
    snprintf (expect, sizeof expect, "CII-%d-0002", s_year (fx));
    assert_string_equal (again, expect);
    env = s_expect_status (dealer, 2, expect, "received", "hub", 4);
    cii_codec_free (&env);
    s_expect_nothing (dealer, 300);
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM requests"), 2);
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM downward WHERE kind = 'status'"), 2);
    zsock_destroy (&dealer);
}

static void
test_request_refused (void **state)
{
    s_fixture_t *fx = *state;
    zsock_t *leman = s_session (fx, 0, 0);
    zsock_t *ticino = s_session (fx, 1, 0);
    s_signal (ticino, "sig-ti", "TI", "Segnale ticinese");
    s_expect_receipt (ticino, "sig-ti", false, NULL);
    s_signal (leman, "sig-vd", "VD", "Signal vaudois");
    s_expect_receipt (leman, "sig-vd", false, NULL);
    //  A signal the hub does not hold.
    s_request (leman, "req-1", "sig-nowhere", "VD", "Inconnu");
    Cii__Envelope *env = s_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_string_equal (env->error->message_id, "req-1");
    assert_string_equal (env->error->text, "request names signal sig-nowhere, which the hub does not hold");
    cii_codec_free (&env);
    //  Another network's signal.
    s_request (leman, "req-2", "sig-ti", "VD", "Étranger");
    env = s_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (env->error->text, "request names signal sig-ti, of network ticino");
    cii_codec_free (&env);
    //  A supporting canton of another network.
    s_request (leman, "req-3", "sig-vd", "ZH", "Zurich");
    env = s_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (env->error->text, "canton ZH belongs to network zuerich, not lemanique");
    cii_codec_free (&env);
    //  Nothing stored for any of them, no number taken, nothing sent down.
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM requests"), 0);
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM ingest_log WHERE kind <> 'signal'"), 0);
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM ref_counters"), 0);
    //  A good one, then its id reused with other content.
    s_request (leman, "req-4", "sig-vd", "VD", "Bonne");
    s_expect_receipt (leman, "req-4", false, NULL);
    s_request (leman, "req-4", "sig-vd", "VD", "Autre contenu");
    s_expect_error (leman, CII__ERROR_CODE__ERROR_CONFLICT, "req-4");
    //  A withdrawal of a request the network never sent.
    s_withdraw (ticino, "w-1", "req-4", "pas à nous");
    env = s_expect (ticino, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_string_equal (env->error->text, "withdraw names request req-4, which network ticino has not sent");
    cii_codec_free (&env);
    assert_int_equal (s_query_long (fx, "SELECT count(*) FROM requests"), 1);
    zsock_destroy (&leman);
    zsock_destroy (&ticino);
}

//  A bureau decision taken elsewhere (as `cii-hub decide` does, on its own connection).
static void
s_decide (s_fixture_t *fx, const char *ref, const char *to, const char *note)
{
    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    assert_non_null (store);
    hub_decision_t decision;
    if (hub_flow_decide (store, ref, to, "bureau", note, &decision, &err) != CII_OK)
        fail_msg ("decide %s: %s", ref, err.text);
    hub_decision_clear (&decision);
    hub_store_destroy (&store);
}

static void
test_status_in_order (void **state)
{
    s_fixture_t *fx = *state;
    zsock_t *dealer = s_session (fx, 2, 0);
    s_signal (dealer, "sig-zh", "ZH", "Spät zugewanderte Jugendliche");
    s_expect_receipt (dealer, "sig-zh", false, NULL);
    char a [32], b [32];
    s_request (dealer, "req-a", "sig-zh", "ZH", "Lehrstellen");
    s_expect_receipt (dealer, "req-a", false, a);
    Cii__Envelope *env = s_expect_status (dealer, 1, a, "received", "hub", 4);
    cii_codec_free (&env);
    //  The bureau decides: the serving hub picks it up and sends it down.
    s_decide (fx, a, "inadmissible", "Keine nationale Frage.");
    env = s_expect_status (dealer, 2, a, "inadmissible", "bureau", 0);
    assert_string_equal (env->deliver->status->note, "Keine nationale Frage.");
    cii_codec_free (&env);
    //  The network withdraws another one: RECEIPT with the request's reference, then its STATUS.
    s_request (dealer, "req-b", "sig-zh", "ZH", "Zweite");
    s_expect_receipt (dealer, "req-b", false, b);
    env = s_expect_status (dealer, 3, b, "received", "hub", 4);
    cii_codec_free (&env);
    s_withdraw (dealer, "w-b", "req-b", "Kantonal gelöst.");
    char ref [32];
    s_expect_receipt (dealer, "w-b", false, ref);
    assert_string_equal (ref, b);
    env = s_expect_status (dealer, 4, b, "withdrawn", "network", 0);
    assert_string_equal (env->deliver->status->note, "Kantonal gelöst.");
    assert_string_equal (env->deliver->status->request_id, "req-b");
    cii_codec_free (&env);
    //  Withdrawn, or decided: no more withdrawals (final), and a resend still gets its receipt.
    s_withdraw (dealer, "w-a", "req-a", "Zu spät.");
    env = s_expect (dealer, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    char expect [128];
    snprintf (expect, sizeof expect, "%s is inadmissible, which is final", a);
    assert_string_equal (env->error->text, expect);
    cii_codec_free (&env);
    s_withdraw (dealer, "w-b", "req-b", "Kantonal gelöst.");
    s_expect_receipt (dealer, "w-b", true, NULL);
    s_expect_nothing (dealer, 300);
    zsock_destroy (&dealer);
}

static void
test_offline_decision (void **state)
{
    s_fixture_t *fx = *state;
    zsock_t *dealer = s_session (fx, 1, 0);
    s_signal (dealer, "sig-ti", "TI", "Apprendistato");
    s_expect_receipt (dealer, "sig-ti", false, NULL);
    char ref [32];
    s_request (dealer, "req-1", "sig-ti", "TI", "Giovani giunti tardivamente");
    s_expect_receipt (dealer, "req-1", false, ref);
    Cii__Envelope *env = s_expect_status (dealer, 1, ref, "received", "hub", 4);
    cii_codec_free (&env);
    s_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 1);
    zsock_destroy (&dealer);
    //  Decided while the agent is away; it gets the STATUS after its HELLO.
    s_decide (fx, ref, "admissible", NULL);
    dealer = s_session (fx, 1, 1);
    env = s_expect_status (dealer, 2, ref, "admissible", "bureau", 0);
    cii_codec_free (&env);
    s_ping (dealer, "ping");
    s_expect_nothing (dealer, 300);
    zsock_destroy (&dealer);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (getenv ("CII_TEST_VERBOSE") ? stderr : NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_request_referenced, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_request_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_status_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_offline_decision, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
