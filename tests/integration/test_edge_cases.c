/*  test_edge_cases.c — integration: the corners a code review found, each against a real hub and
    PostgreSQL: a resend of a stored
    signal gets its receipt even after the bureau moved the canton to another network; an agent
    holding more than the (restored) database assigned is moved to a new stream epoch and gets the
    new items; an absurd HELLO.last_seq raises nothing and the true position is served after it;
    an agent whose first hub endpoint is
    dead reaches the second one; an agent whose key is refused says so in its status, and so does
    one whose daemon was killed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"

static cii_bundle_t
s_bundle (it_agent_t *agent)
{
    cii_bundle_t bundle;
    assert_int_equal (cii_bundle_load (&bundle, agent->bundle, NULL), CII_OK);
    return bundle;
}

//  Polls the daemon status the agent recorded in its state until it is `value` (20 s at most).
static bool
s_wait_daemon_status (it_agent_t *agent, const char *value)
{
    char sql[128];
    snprintf (sql, sizeof sql, "SELECT count(*) FROM status WHERE key = 'daemon' AND value = '%s'", value);
    for (int i = 0; i < 200; i++) {
        if (it_agent_sql_long (agent, sql) == 1)
            return true;
        usleep (100000);
    }
    return false;
}

static it_raw_t *
s_raw_session (it_agent_t *agent, uint64_t last_seq)
{
    cii_bundle_t bundle = s_bundle (agent);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-1", last_seq), 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);
    return raw;
}

static void
s_send_signal (it_raw_t *raw, const char *message_id, const char *canton)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal signal;
    it_signal_init (&signal, canton, "Accès à la formation professionnelle", "Les jeunes adultes…");
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *) message_id;
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &signal;
    assert_int_equal (it_raw_send (raw, &env), 0);
}

//  A signal stored, its receipt lost, the canton moved to another network, then resent: the
//  agent must get the original receipt, not a refusal that would mark a stored signal refused.
static void
test_resend_after_registry_change (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    it_raw_t *raw = s_raw_session (lem, 0);

    s_send_signal (raw, "moved-1", "VD");
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_RECEIPT);
    assert_false (reply->receipt->duplicate);
    char *ref = strdup (reply->receipt->ref);
    cii_codec_free (&reply);

    assert_int_equal (it_sql_long (f, "WITH u AS (UPDATE cantons SET network = 'mittelland' WHERE code = 'VD' "
                                      "RETURNING 1) SELECT count(*) FROM u", NULL), 1);
    //  The serving hub reloads its registry every second.
    it_result_t r;
    assert_int_equal (it_hub_cli (f, &r, "agents", "--json", NULL), 0);
    it_result_free (&r);
    bool refused = false;
    for (int i = 0; i < 100 && !refused; i++) {
        usleep (100000);
        char id[32];
        snprintf (id, sizeof id, "probe-%d", i);
        s_send_signal (raw, id, "VD");
        reply = it_raw_recv (raw, 20000, true);
        assert_non_null (reply);
        refused = reply->body_case == CII__ENVELOPE__BODY_ERROR
                  && reply->error->code == CII__ERROR_CODE__ERROR_NOT_AUTHORISED;
        cii_codec_free (&reply);
    }
    assert_true (refused);          //  the hub now says VD is not lemanique's

    s_send_signal (raw, "moved-1", "VD");
    reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_RECEIPT);
    assert_true (reply->receipt->duplicate);
    assert_string_equal (reply->receipt->ref, ref);
    assert_string_equal (reply->receipt->message_id, "moved-1");
    cii_codec_free (&reply);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals WHERE message_id = 'moved-1'", NULL), 1);
    free (ref);
    it_raw_destroy (&raw);
    it_fixture_pass (f);
}

//  HELLO with a stream epoch (as an agent of this version says it) from a raw client.
static void
s_hello_epoch (it_raw_t *raw, const char *id, uint64_t last_seq, uint64_t epoch)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.agent_version = "cii integration test";
    hello.stream_case = CII__HELLO__STREAM_EPOCH;
    hello.epoch = epoch;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *) id;
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    assert_int_equal (it_raw_send (raw, &env), 0);
}

//  The hub's database was restored from a backup older than what the agent holds: a new stream
//  epoch begins at what the database assigned, and new items, numbered from there, reach the
//  agent (it takes the epoch from WELCOME). The sequence is not raised to the agent's claim.
static void
test_agent_ahead_of_database (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    cii_bundle_t bundle = s_bundle (lem);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    s_hello_epoch (raw, "hello-ahead", 10, 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    assert_int_equal (reply->welcome->stream_case, CII__WELCOME__STREAM_EPOCH);
    assert_true (reply->welcome->epoch != 0);
    assert_int_equal (reply->welcome->resume_seq, 0);
    char epoch [24];
    snprintf (epoch, sizeof epoch, "%llu", (unsigned long long) reply->welcome->epoch);
    cii_codec_free (&reply);
    assert_true (it_wait_sql (f, 10000, 1, "SELECT count(*) FROM agents WHERE network = 'lemanique' "
                                            "AND epoch = $1::bigint AND epoch_start = 0", epoch, NULL));

    it_result_t r;
    assert_int_equal (it_hub_cli (f, &r, "notice", "--to", "lemanique", "--title", "Après la restauration",
                                  "--text", "Numérotée dans la nouvelle époque.", NULL), 0);
    it_result_free (&r);
    for (int i = 0; i < 5 && !reply; i++) {
        reply = it_raw_recv (raw, 20000, false);
        if (reply && reply->body_case != CII__ENVELOPE__BODY_DELIVER)
            cii_codec_free (&reply);
    }
    assert_non_null (reply);
    assert_int_equal (reply->deliver->seq, 1);
    assert_string_equal (reply->deliver->notice->title, "Après la restauration");
    cii_codec_free (&reply);
    assert_int_equal (it_sql_long (f, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'lemanique'", NULL), 1);
    it_raw_destroy (&raw);
    it_fixture_pass (f);
}

//  HELLO.last_seq beyond 2^63, or far beyond anything assigned, with or without an epoch: no
//  HELLO is refused for its position and nothing is raised; the true position is served after.
static void
test_absurd_hello (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);
    cii_bundle_t bundle = s_bundle (lem);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    uint64_t absurd[] = { UINT64_MAX, (uint64_t) 1 << 63, 5000000 };
    for (size_t i = 0; i < 6; i++) {
        if (i < 3)
            assert_int_equal (it_raw_send_hello (raw, "hello-absurd", absurd[i]), 0);
        else
            s_hello_epoch (raw, "hello-absurd-epoch", absurd[i - 3], 0);
        Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
        assert_non_null (reply);
        assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
        assert_int_equal (reply->welcome->last_seq, 0);
        assert_int_equal (reply->welcome->resume_seq, 0);
        cii_codec_free (&reply);
    }
    assert_int_equal (it_sql_long (f, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = 'lemanique'", NULL), 0);
    s_hello_epoch (raw, "hello-sane", 0, 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);
    it_result_t r;
    assert_int_equal (it_hub_cli (f, &r, "notice", "--to", "lemanique", "--title", "Après les absurdités",
                                  "--text", "Elle arrive.", NULL), 0);
    it_result_free (&r);
    reply = NULL;
    for (int i = 0; i < 5 && !reply; i++) {
        reply = it_raw_recv (raw, 20000, false);
        if (reply && reply->body_case != CII__ENVELOPE__BODY_DELIVER)
            cii_codec_free (&reply);
    }
    assert_non_null (reply);
    assert_int_equal (reply->deliver->seq, 1);
    cii_codec_free (&reply);
    it_raw_destroy (&raw);
    it_fixture_pass (f);
}

//  A bundle may list several hubs; with the first one dead the agent must reach the second.
static void
test_second_endpoint (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *tic = it_agent_add (f, "ticino");
    assert_non_null (tic);
    char sql[256];
    snprintf (sql, sizeof sql,
              "UPDATE config SET value = 'tcp://127.0.0.1:%d,%s' WHERE key = 'endpoint' RETURNING 1",
              f->port == 65535 ? 65534 : f->port + 1, f->endpoint);
    assert_int_equal (it_agent_sql_long (tic, sql), 1);
    assert_int_equal (it_agent_start (f, tic), 0);
    it_result_t r;
    assert_int_equal (it_signal_add (f, tic, "TI", "Collaborazione tra URC e servizi sociali", NULL, "it", &r), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, tic, 1, 30000));
    it_fixture_pass (f);
}

//  Revoked while its daemon was down: the handshake is refused, which ZeroMQ alone would retry in
//  silence; the agent must say so in its status for the coordinator.
static void
test_refused_key_reported (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *zen = it_agent_add (f, "zentral");
    assert_non_null (zen);
    it_result_t r;
    assert_int_equal (it_hub_cli (f, &r, "revoke", "zentral", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_start (f, zen), 0);
    assert_true (s_wait_daemon_status (zen, "refused"));
    assert_int_equal (it_agent_cli (f, zen, &r, "status", "--json", NULL), 0);
    json_t *status = it_json (r.out);
    const char *daemon_status = it_json_str (json_object_get (status, "daemon"), "status");
    assert_non_null (daemon_status);
    assert_string_equal (daemon_status, "refused");
    json_decref (status);
    it_result_free (&r);
    it_fixture_pass (f);
}

//  A daemon killed with SIGKILL cannot record that it stopped: `status` must still tell.
static void
test_status_of_killed_daemon (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *nw = it_agent_add (f, "nordwest");
    assert_non_null (nw);
    assert_int_equal (it_agent_start (f, nw), 0);
    assert_true (s_wait_daemon_status (nw, "connected"));
    it_result_t r;
    assert_int_equal (it_agent_cli (f, nw, &r, "status", "--json", NULL), 0);
    json_t *status = it_json (r.out);
    assert_true (it_json_true (json_object_get (status, "daemon"), "running"));
    json_decref (status);
    it_result_free (&r);

    assert_int_equal (it_agent_kill (f, nw), 0);
    assert_int_equal (it_agent_cli (f, nw, &r, "status", "--json", NULL), 0);
    status = it_json (r.out);
    const json_t *daemon = json_object_get (status, "daemon");
    const char *daemon_status = it_json_str (daemon, "status");
    assert_non_null (daemon_status);
    assert_string_equal (daemon_status, "connected");       //  the last word it recorded
    assert_true (it_json_false (daemon, "running"));
    json_decref (status);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, nw, &r, "status", NULL), 0);
    assert_non_null (strstr (r.out, "NOT RUNNING"));
    it_result_free (&r);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_resend_after_registry_change, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_agent_ahead_of_database, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_absurd_hello, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_second_endpoint, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_refused_key_reported, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_status_of_killed_daemon, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
