/*  test_hub_gate_server.c — the national gate over the wire, with the serving hub in one process
    (as test_hub_server.c) on a fresh PostgreSQL database and raw CURVE DEALERs as agents: a REQUEST
    referenced CII-YYYY-NNNN in its RECEIPT and resent as a duplicate, refused for an unknown signal
    (UNKNOWN_REFERENCE), another network's signal or canton (NOT_AUTHORISED) or a reused id
    (CONFLICT) with nothing stored, STATUS items arriving in order with their criteria (received,
    then a bureau decision picked up from the database, a withdrawal), and an agent offline during
    decisions getting their STATUS after reconnecting, in order (a CDC decision with its meeting). */
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
#include "hub_meeting.h"
#include "hub_server.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "unit_server.h"

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
    unit_send_bytes (dealer, data, size);
    free (data);
}

static void
s_withdraw (zsock_t *dealer, const char *id, const char *request_id, const char *reason)
{
    cii_withdraw_t withdraw = { request_id, reason };
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_withdraw_envelope (&withdraw, id, &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
}

//  Expects a RECEIPT for message_id; its ref into ref (when given).
static void
s_expect_receipt (zsock_t *dealer, const char *message_id, bool duplicate, char ref [32])
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
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
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    if (env->deliver->seq != seq)
        fail_msg ("expected DELIVER %" PRIu64 ", got %" PRIu64, seq, env->deliver->seq);
    assert_int_equal (env->deliver->item_case, CII__DELIVER__ITEM_STATUS);
    const Cii__Status *status = env->deliver->status;
    assert_string_equal (status->ref, ref);
    assert_string_equal (status->state, state);
    assert_string_equal (status->organ, organ);
    assert_int_equal (status->n_criteria, n_criteria);
    assert_true (status->at_ms > 0);
    unit_ack (dealer, "ack", seq);
    return env;
}

static int
s_year (unit_server_t *fx)
{
    return (int) unit_server_long (fx, "SELECT extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int");
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_request_referenced (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 0, 0);
    //  A signal and the request that consolidates it, back to back as an agent's outbox sends them.
    unit_signal (dealer, "sig-1", "VD", "Jeunes arrivés tardivement");
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
    unit_expect_nothing (dealer, 300);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM requests"), 2);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM downward WHERE kind = 'status'"), 2);
    zsock_destroy (&dealer);
}

static void
test_request_refused (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *leman = unit_session (fx, 0, 0);
    zsock_t *ticino = unit_session (fx, 1, 0);
    unit_signal (ticino, "sig-ti", "TI", "Segnale ticinese");
    s_expect_receipt (ticino, "sig-ti", false, NULL);
    unit_signal (leman, "sig-vd", "VD", "Signal vaudois");
    s_expect_receipt (leman, "sig-vd", false, NULL);
    //  A signal the hub does not hold.
    s_request (leman, "req-1", "sig-nowhere", "VD", "Inconnu");
    Cii__Envelope *env = unit_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_string_equal (env->error->message_id, "req-1");
    assert_string_equal (env->error->text, "request names signal sig-nowhere, which the hub does not hold");
    cii_codec_free (&env);
    //  Another network's signal.
    s_request (leman, "req-2", "sig-ti", "VD", "Étranger");
    env = unit_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (env->error->text, "request names signal sig-ti, of network ticino");
    cii_codec_free (&env);
    //  A supporting canton of another network.
    s_request (leman, "req-3", "sig-vd", "ZH", "Zurich");
    env = unit_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (env->error->text, "canton ZH belongs to network zuerich, not lemanique");
    cii_codec_free (&env);
    //  Nothing stored for any of them, no number taken, nothing sent down.
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM requests"), 0);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM ingest_log WHERE kind <> 'signal'"), 0);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM ref_counters"), 0);
    //  A good one, then its id reused with other content.
    s_request (leman, "req-4", "sig-vd", "VD", "Bonne");
    s_expect_receipt (leman, "req-4", false, NULL);
    s_request (leman, "req-4", "sig-vd", "VD", "Autre contenu");
    unit_expect_error (leman, CII__ERROR_CODE__ERROR_CONFLICT, "req-4");
    //  A withdrawal of a request the network never sent.
    s_withdraw (ticino, "w-1", "req-4", "pas à nous");
    env = unit_expect (ticino, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_string_equal (env->error->text, "withdraw names request req-4, which network ticino has not sent");
    cii_codec_free (&env);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM requests"), 1);
    zsock_destroy (&leman);
    zsock_destroy (&ticino);
}

//  A bureau decision taken elsewhere (as `cii-hub decide` does, on its own connection).
static void
s_decide (unit_server_t *fx, const char *ref, const char *to, const char *note)
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
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 2, 0);
    unit_signal (dealer, "sig-zh", "ZH", "Spät zugewanderte Jugendliche");
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
    env = unit_expect (dealer, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    char expect [128];
    snprintf (expect, sizeof expect, "%s is inadmissible, which is final", a);
    assert_string_equal (env->error->text, expect);
    cii_codec_free (&env);
    s_withdraw (dealer, "w-b", "req-b", "Kantonal gelöst.");
    s_expect_receipt (dealer, "w-b", true, NULL);
    unit_expect_nothing (dealer, 300);
    zsock_destroy (&dealer);
}

static void
test_offline_decision (void **state)
{
    unit_server_t *fx = *state;
    zsock_t *dealer = unit_session (fx, 1, 0);
    unit_signal (dealer, "sig-ti", "TI", "Apprendistato");
    s_expect_receipt (dealer, "sig-ti", false, NULL);
    char ref [32];
    s_request (dealer, "req-1", "sig-ti", "TI", "Giovani giunti tardivamente");
    s_expect_receipt (dealer, "req-1", false, ref);
    Cii__Envelope *env = s_expect_status (dealer, 1, ref, "received", "hub", 4);
    cii_codec_free (&env);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 1);
    zsock_destroy (&dealer);
    //  Decided while the agent is away; it gets the STATUS after its HELLO.
    s_decide (fx, ref, "admissible", NULL);
    dealer = unit_session (fx, 1, 1);
    env = s_expect_status (dealer, 2, ref, "admissible", "bureau", 0);
    assert_string_equal (env->deliver->status->meeting, "");
    cii_codec_free (&env);
    unit_server_wait_long (fx, "SELECT acked_seq FROM agents WHERE network = 'ticino'", 2);
    zsock_destroy (&dealer);
    //  The national processing while it is away again: scheduled, then referred to the CP in a
    //  CDC meeting; both come in order after its HELLO, the second naming the meeting.
    cii_err_t err;
    hub_store_t *store = hub_store_new (fx->conninfo, &err);
    assert_non_null (store);
    hub_meeting_t meeting;
    assert_int_equal (hub_meeting_new (store, "cdc", "2031-03-10", false, &meeting, &err), CII_OK);
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide_in (store, ref, "scheduled", "bureau", NULL, NULL, &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    assert_int_equal (hub_flow_decide_in (store, ref, "referred-to-cp", "cdc", meeting.ref, "Al CP.", &decision, &err),
                      CII_OK);
    hub_decision_clear (&decision);
    hub_store_destroy (&store);
    dealer = unit_session (fx, 1, 2);
    env = s_expect_status (dealer, 3, ref, "scheduled", "bureau", 0);
    cii_codec_free (&env);
    env = s_expect_status (dealer, 4, ref, "referred-to-cp", "cdc", 0);
    assert_string_equal (env->deliver->status->meeting, "M-2031-01");
    assert_string_equal (env->deliver->status->note, "Al CP.");
    cii_codec_free (&env);
    unit_ping (dealer, "ping");
    unit_expect_nothing (dealer, 300);
    zsock_destroy (&dealer);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (getenv ("CII_TEST_VERBOSE") ? stderr : NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_request_referenced, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_request_refused, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_status_in_order, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_offline_decision, unit_server_setup, unit_server_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
