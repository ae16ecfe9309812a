/*  test_hostile.c — integration: a real hub against hostile peers (issue 6). Each case checks that
    the peer is answered (or dropped), that the hub's memory stays bounded, and that a second agent
    is served throughout: frames far over the limit from an enrolled (or stolen) key, a flood of
    frames just under it, a HELLO flood from one key, a flood of handshakes with unknown keys (the
    log stays quiet). */
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

#include "cii_util.h"
#include "harness.h"

//  Resident memory of a process, KiB (-1 when unknown).
static long
s_rss_kib (pid_t pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen (path, "r");
    long kib = -1;
    while (f && fgets (line, sizeof line, f))
        if (strncmp (line, "VmRSS:", 6) == 0)
            kib = atol (line + 6);
    if (f)
        fclose (f);
    return kib;
}

static void
s_load_bundle (it_agent_t *agent, cii_bundle_t *bundle)
{
    cii_err_t err;
    cii_rc_t rc = cii_bundle_load (bundle, agent->bundle, &err);
    if (rc)
        print_message ("bundle %s: %s\n", agent->bundle, err.text);
    assert_int_equal (rc, CII_OK);
}

//  The second agent: its daemon runs; a signal it adds must be delivered within timeout_ms.
static void
s_second_agent_served (it_fixture_t *f, it_agent_t *agent, const char *title, long expected)
{
    it_result_t r = { 0 };
    assert_int_equal (it_signal_add (f, agent, "TI", title, NULL, "it", &r), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, agent, expected, 30000));
}

//  A raw client of an enrolled key, in session.
static it_raw_t *
s_raw_session (it_agent_t *agent)
{
    cii_bundle_t bundle;
    s_load_bundle (agent, &bundle);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-raw", 0), 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);
    return raw;
}

//  Frames far over the limit: libzmq drops the connection before reading them, so the hub does
//  not grow by their size; frames just under it, as fast as possible: at most 32 of them wait per
//  peer, so the hub grows by a few MiB at most.
static void
test_big_frames (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *attacker = it_agent_add (f, "lemanique");
    it_agent_t *other = it_agent_add (f, "ticino");
    assert_non_null (attacker);
    assert_non_null (other);
    assert_int_equal (it_agent_start (f, other), 0);
    s_second_agent_served (f, other, "Prima del test", 1);
    long before = s_rss_kib (f->hub_pid);

    it_raw_t *raw = s_raw_session (attacker);
    size_t big = 64u << 20;
    uint8_t *data = calloc (1, big);
    assert_non_null (data);
    for (int i = 0; i < 4; i++)
        it_raw_send_bytes (raw, data, big);       //  256 MiB offered in all
    zclock_sleep (2000);
    long after_big = s_rss_kib (f->hub_pid);
    s_second_agent_served (f, other, "Dopo i grandi frame", 2);
    it_raw_destroy (&raw);

    raw = s_raw_session (attacker);
    for (int i = 0; i < 3000; i++)
        it_raw_send_bytes (raw, data, CII_MAX_FRAME - 100);    //  ~190 MiB of malformed frames
    long peak = 0;
    for (int i = 0; i < 30; i++) {
        long rss = s_rss_kib (f->hub_pid);
        if (rss > peak)
            peak = rss;
        zclock_sleep (100);
    }
    s_second_agent_served (f, other, "Dopo il flusso", 3);
    it_raw_destroy (&raw);
    free (data);
    print_message ("      hub RSS: %ld KiB before, %ld KiB after 4 frames of 64 MiB, peak %ld KiB during 3,000 "
                   "frames of 64 KiB\n", before, after_big, peak);
#if defined(__SANITIZE_ADDRESS__)
    //  Under AddressSanitizer the hub keeps freed memory in quarantine (hundreds of MiB by design):
    //  its resident size says nothing about what it holds. The plain build checks the bounds.
    (void) after_big;
    (void) peak;
#else
    assert_true (after_big - before < 8 * 1024);
    assert_true (peak - before < 32 * 1024);
#endif
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  A HELLO flood from one key: the throttle answers it (UNAVAILABLE), the key's real agent and
//  another agent are served throughout.
static void
test_hello_flood (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *attacker = it_agent_add (f, "lemanique");
    it_agent_t *other = it_agent_add (f, "ticino");
    assert_int_equal (it_agent_start (f, other), 0);
    cii_bundle_t bundle;
    s_load_bundle (attacker, &bundle);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    char id [32];
    for (int i = 0; i < 2000; i++) {
        snprintf (id, sizeof id, "hello-%d", i);
        it_raw_send_hello (raw, id, 0);
    }
    int welcomes = 0, throttled = 0;
    Cii__Envelope *reply;
    while ((reply = it_raw_recv (raw, 2000, true)) != NULL) {
        if (reply->body_case == CII__ENVELOPE__BODY_WELCOME)
            welcomes++;
        else
        if (reply->body_case == CII__ENVELOPE__BODY_ERROR && reply->error->code == CII__ERROR_CODE__ERROR_UNAVAILABLE)
            throttled++;
        cii_codec_free (&reply);
    }
    print_message ("      2,000 HELLOs: %d welcomed, %d throttled\n", welcomes, throttled);
    assert_true (welcomes >= 10 && welcomes < 100);
    assert_int_equal (welcomes + throttled, 2000);
    s_second_agent_served (f, other, "Durante l'inondazione", 1);
    it_raw_destroy (&raw);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  Handshakes with unknown keys, many: refused, and the hub's log says so in a few lines.
static void
test_refused_handshakes (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *other = it_agent_add (f, "ticino");
    assert_int_equal (it_agent_start (f, other), 0);
    cii_bundle_t bundle;
    s_load_bundle (other, &bundle);
    for (int i = 0; i < 300; i++) {
        char public_key [41], secret_key [41];
        assert_int_equal (zmq_curve_keypair (public_key, secret_key), 0);
        it_raw_t *raw = it_raw_new (f->endpoint, bundle.hub_public, public_key, secret_key);
        assert_non_null (raw);
        it_raw_send_hello (raw, "hello-stranger", 0);
        if (i % 50 == 0)
            assert_int_equal (it_raw_wait_event (raw, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 10000),
                              ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
        it_raw_destroy (&raw);
    }
    s_second_agent_served (f, other, "Dopo gli sconosciuti", 1);
    zclock_sleep (11000);           //  one log interval (10 s)
    assert_int_equal (it_hub_stop (f), 0);
    size_t size = 0;
    char *log = NULL;
    assert_int_equal (cii_util_read_file_max (f->hub_log, 64u << 20, &log, &size, NULL), CII_OK);
    int lines = 0, per_key = 0;
    for (const char *p = log; (p = strstr (p, "hub: refused ")) != NULL; p++) {
        if (strncmp (p, "hub: refused CURVE key", 22) == 0)
            per_key++;
        else
            lines++;
    }
    print_message ("      300 refused handshakes: %d log line(s), %zu bytes of hub log in all\n", lines, size);
    assert_int_equal (per_key, 0);
    assert_true (lines >= 1 && lines <= 4);
    assert_non_null (strstr (log, "(not enrolled) x"));
    free (log);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_big_frames, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_hello_flood, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_refused_handshakes, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
