/*  test_malformed.c — integration: a raw DEALER with an enrolled key sends garbage, an envelope
    of the wrong version, an empty envelope and an over-long title; each gets the specific ERROR,
    nothing is stored, the session survives, and a normal agent keeps getting signals through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

//  Packs env with protobuf-c directly, bypassing the codec's checks: the test must be able to
//  put on the wire what the codec (rightly) refuses to encode.
static void s_send_unchecked (it_raw_t *raw, const Cii__Envelope *env)
{
    size_t size = cii__envelope__get_packed_size (env);
    uint8_t *data = malloc (size ? size : 1);
    assert_non_null (data);
    assert_int_equal (cii__envelope__pack (env, data), size);
    assert_int_equal (it_raw_send_bytes (raw, data, size), 0);
    free (data);
}

//  Waits for the next non-chatter message and checks it is ERROR code.
static Cii__Envelope *s_expect_error (it_raw_t *raw, Cii__ErrorCode code, const char *what)
{
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    if (reply->body_case != CII__ENVELOPE__BODY_ERROR || reply->error->code != code)
        print_message ("%s: got %s %s\n", what, cii_codec_body_name (reply),
                       reply->body_case == CII__ENVELOPE__BODY_ERROR
                           ? cii_codec_error_name (reply->error->code)
                           : "");
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_ERROR);
    print_message ("%s: ERROR %s: %s\n", what, cii_codec_error_name (reply->error->code),
                   reply->error->text);
    assert_int_equal (reply->error->code, code);
    assert_true (reply->error->text && strlen (reply->error->text) > 0);
    return reply;
}

static void test_malformed (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");  //  the normal agent
    it_agent_t *mit = it_agent_add (f, "mittelland"); //  its key is used by the raw DEALER
    assert_non_null (lem);
    assert_non_null (mit);
    assert_int_equal (it_agent_start (f, lem), 0);

    it_result_t r;
    assert_int_equal (it_signal_add (f, lem, "VD", "Avant les déchets", NULL, "fr", &r), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, lem, 1, 30000));

    cii_bundle_t bundle;
    assert_int_equal (cii_bundle_load (&bundle, mit->bundle, NULL), CII_OK);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-raw", 0), 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);

    //  1. garbage bytes: not a protobuf at all
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 'g',  'a',  'r',
                                      'b',  'a',  'g',  'e',  0x00, 0x80, 0x80, 0x80};
    assert_int_equal (it_raw_send_bytes (raw, garbage, sizeof garbage), 0);
    reply = s_expect_error (raw, CII__ERROR_CODE__ERROR_MALFORMED, "garbage");
    cii_codec_free (&reply);

    //  2. a well-formed envelope of protocol version 2
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal signal;
    it_signal_init (&signal, "BE", "Version deux", "Ne doit pas être enregistré.");
    env.version = 2;
    env.message_id = "raw-v2";
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &signal;
    s_send_unchecked (raw, &env);
    reply = s_expect_error (raw, CII__ERROR_CODE__ERROR_VERSION, "version 2");
    cii_codec_free (&reply);

    //  3. version 1 without a body
    Cii__Envelope empty = CII__ENVELOPE__INIT;
    empty.version = CII_PROTOCOL_VERSION;
    empty.message_id = "raw-empty";
    s_send_unchecked (raw, &empty);
    reply = s_expect_error (raw, CII__ERROR_CODE__ERROR_MALFORMED, "no body");
    cii_codec_free (&reply);

    //  4. a signal whose title breaks the limit (201 bytes): refused with its message id
    char long_title[CII_MAX_TITLE + 2];
    memset (long_title, 'x', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = 0;
    it_signal_init (&signal, "BE", long_title, "Titre trop long.");
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "raw-long-title";
    s_send_unchecked (raw, &env);
    reply = s_expect_error (raw, CII__ERROR_CODE__ERROR_MALFORMED, "title 201 bytes");
    assert_string_equal (reply->error->message_id, "raw-long-title");
    cii_codec_free (&reply);

    //  the raw session still works: a valid BE signal is receipted
    it_signal_init (&signal, "BE", "Gültiges Signal nach dem Müll", "Wird gespeichert.");
    env.message_id = "raw-valid";
    assert_int_equal (it_raw_send (raw, &env), 0);
    reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (reply->receipt->message_id, "raw-valid");
    cii_codec_free (&reply);
    it_raw_destroy (&raw);

    //  the normal agent keeps going: a signal added after the garbage is stored
    assert_int_equal (it_signal_add (f, lem, "GE", "Après les déchets", NULL, "fr", &r), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, lem, 2, 30000));
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE title = $1", "Après les déchets", NULL),
        1);

    //  nothing of the refused messages was stored
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), 3);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE network = 'mittelland'", NULL), 1);
    assert_int_equal (it_sql_long (f,
                                   "SELECT count(*) FROM ingest_log WHERE message_id IN "
                                   "('raw-v2', 'raw-empty', 'raw-long-title')",
                                   NULL),
                      0);

    assert_int_equal (it_agent_stop (f, lem), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_malformed, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
