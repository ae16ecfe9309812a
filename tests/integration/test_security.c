/*  test_security.c — integration: an unknown CURVE key gets no reply (ZAP refuses the handshake);
    a revoked agent's daemon exits 1 and nothing it adds afterwards reaches the hub; an agent may
    not raise a signal for another network's canton, neither from its CLI nor on the wire. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>

#include "harness.h"

static void s_load_bundle (it_agent_t *agent, cii_bundle_t *bundle)
{
    cii_err_t err;
    cii_rc_t rc = cii_bundle_load (bundle, agent->bundle, &err);
    if (rc) print_message ("bundle %s: %s\n", agent->bundle, err.text);
    assert_int_equal (rc, CII_OK);
}

//  An unknown key: the handshake is refused by ZAP and no message ever comes back.
static void test_unknown_key (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    cii_bundle_t bundle;
    s_load_bundle (lem, &bundle);

    char public_key[41], secret_key[41];
    assert_int_equal (zmq_curve_keypair (public_key, secret_key), 0);
    it_raw_t *raw = it_raw_new (f->endpoint, bundle.hub_public, public_key, secret_key);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-unknown-key", 0), 0);
    int event = it_raw_wait_event (
        raw, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 10000);
    assert_int_equal (event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    Cii__Envelope *reply = it_raw_recv (raw, 2000, false);
    assert_null (reply);
    it_raw_destroy (&raw);

    //  the same client code with the enrolled key does get a WELCOME (the test can tell)
    raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-enrolled-key", 0), 0);
    reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    assert_string_equal (reply->welcome->network, "lemanique");
    cii_codec_free (&reply);
    it_raw_destroy (&raw);

    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  Another network's canton: refused by the agent CLI (exit 1, one line, nothing stored) and,
//  on the wire with the agent's own key, answered ERROR NOT_AUTHORISED (nothing stored at hub).
static void test_wrong_network (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);

    it_result_t r;
    int status = it_signal_add (f, lem, "ZH", "Signal zurichois depuis le Léman", NULL, "fr", &r);
    print_message ("signal add --canton ZH on lemanique: exit %d, stderr: %s", status, r.err);
    assert_int_equal (status, 1);
    size_t len = strlen (r.err);
    assert_true (len > 1);
    assert_true (strchr (r.err, '\n') == r.err + len - 1); //  exactly one line
    assert_non_null (strstr (r.err, "ZH"));                //  says which canton
    it_result_free (&r);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM signals"), 0);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM outbox"), 0);
    //  an unknown canton as well
    assert_int_equal (it_signal_add (f, lem, "XX", "Canton inconnu", NULL, "fr", &r), 1);
    it_result_free (&r);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM signals"), 0);

    //  the wire: a raw DEALER with lemanique's keys (its daemon is not running)
    cii_bundle_t bundle;
    s_load_bundle (lem, &bundle);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-1", 0), 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);

    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal signal;
    it_signal_init (&signal, "ZH", "Zürcher Signal über das Lemanique-Netz",
                    "Darf nicht gespeichert werden.");
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "raw-zh-1";
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &signal;
    assert_int_equal (it_raw_send (raw, &env), 0);
    reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_ERROR);
    print_message ("ZH over lemanique: ERROR %s: %s\n", cii_codec_error_name (reply->error->code),
                   reply->error->text);
    assert_int_equal (reply->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (reply->error->message_id, "raw-zh-1");
    cii_codec_free (&reply);

    //  positive control on the same session: a VD signal is receipted
    it_signal_init (&signal, "VD", "Signal vaudois valable", "À enregistrer une seule fois.");
    env.message_id = "raw-vd-1";
    assert_int_equal (it_raw_send (raw, &env), 0);
    reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (reply->receipt->message_id, "raw-vd-1");
    assert_false (reply->receipt->duplicate);
    cii_codec_free (&reply);
    it_raw_destroy (&raw);

    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals WHERE canton = 'ZH'", NULL), 0);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), 1);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM ingest_log WHERE message_id = 'raw-zh-1'", NULL), 0);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE message_id = 'raw-vd-1'", NULL), 1);

    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  Revocation: the daemon's session ends and it exits 1; the hub lists it revoked; a signal
//  added afterwards never reaches the hub; the key cannot connect again.
static void test_revoked (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *zur = it_agent_add (f, "zuerich");
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (zur);
    assert_non_null (lem);
    assert_int_equal (it_agent_start (f, zur), 0);
    assert_int_equal (it_agent_start (f, lem), 0);

    it_result_t r;
    assert_int_equal (it_signal_add (f, zur, "ZH", "Vor dem Widerruf", NULL, "de", &r), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, zur, 1, 30000));

    assert_int_equal (it_hub_cli (f, &r, "revoke", "zuerich", NULL), 0);
    it_result_free (&r);
    int status = it_agent_wait_exit (f, zur, 15000);
    assert_int_equal (status, 1);

    assert_int_equal (it_hub_cli (f, &r, "agents", "--json", NULL), 0);
    json_t *listing = it_json_array (r.out);
    const json_t *entry = it_json_find (listing, "network", "zuerich");
    assert_non_null (entry);
    assert_true (it_json_true (entry, "revoked"));
    json_decref (listing);
    it_result_free (&r);
    assert_int_equal (it_sql_long (f,
                                   "SELECT count(*) FROM agents WHERE network = 'zuerich' "
                                   "AND revoked_at IS NOT NULL",
                                   NULL),
                      1);
    assert_true (it_wait_sql (f, 15000, 0,
                              "SELECT count(*) FROM agents WHERE network = 'zuerich' "
                              "AND connected",
                              NULL));

    //  a signal added afterwards (the CLI may accept it locally or refuse it) never arrives,
    //  even with the daemon started again
    status = it_signal_add (f, zur, "ZH", "Nach dem Widerruf", NULL, "de", &r);
    print_message ("signal add after revoke: exit %d %s", status, r.err);
    it_result_free (&r);
    assert_true (status == 0 || status == 1);
    assert_int_equal (it_agent_start (f, zur), 0);
    status = it_agent_wait_exit (f, zur, 4000); //  the negative window: 4 s
    print_message ("restarted revoked agent: %s (status %d)\n",
                   status == -1 ? "still running" : "exited", status);
    assert_true (status == -1 || status == 1);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE network = 'zuerich'", NULL), 1);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE title = 'Nach dem Widerruf'", NULL), 0);

    //  the revoked key cannot even complete a handshake
    cii_bundle_t bundle;
    s_load_bundle (zur, &bundle);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-revoked", 0), 0);
    int event = it_raw_wait_event (
        raw, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 10000);
    assert_int_equal (event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_null (it_raw_recv (raw, 2000, false));
    it_raw_destroy (&raw);

    //  the other agent is unaffected
    assert_int_equal (it_signal_add (f, lem, "GE", "Le réseau lémanique continue", NULL, "fr", &r),
                      0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, lem, 1, 30000));
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE network = 'zuerich'", NULL), 1);

    if (zur->pid > 0) it_agent_kill (f, zur);
    assert_int_equal (it_agent_stop (f, lem), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_unknown_key, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_wrong_network, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_revoked, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
