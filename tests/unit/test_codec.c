/*  test_codec.c — unit tests of proto/cii_codec: round trip of every message kind, and every
    malformed or out-of-limit input (refused on decode AND on encode) with its exact error code.
    Bad frames are crafted with protobuf-c directly, since the codec itself refuses to pack them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cii_codec.h"
#include "cii_domain.h"

// --------------------------------------------------------------------------------------------
//  Helpers

/*  Packs env without any validation (to craft frames the codec must refuse). Caller frees. */
static uint8_t *
s_pack_raw (const Cii__Envelope *env, size_t *size_p)
{
    size_t size = cii__envelope__get_packed_size (env);
    uint8_t *data = malloc (size ? size : 1);
    assert_non_null (data);
    assert_int_equal (cii__envelope__pack (env, data), size);
    *size_p = size;
    return data;
}

/*  Asserts that decoding data fails with -2 and code; returns nothing, err is left for checks. */
static void
s_expect_decode_fail (const uint8_t *data, size_t size, Cii__ErrorCode code, cii_codec_error_t *err)
{
    Cii__Envelope *env = (Cii__Envelope *) 0x1;
    int rc = cii_codec_decode (data, size, &env, err);
    if (rc != CII_BAD_INPUT || err->code != code)
        fprintf (stderr, "expected %s, got rc=%d %s: %s\n", cii_codec_error_name (code), rc,
                 cii_codec_error_name (err->code), err->text);
    assert_int_equal (rc, CII_BAD_INPUT);
    assert_null (env);
    assert_int_equal (err->code, code);
    assert_true (strlen (err->text) > 0);
    assert_true (cii_domain_utf8_valid (err->text, strlen (err->text)));
}

/*  Asserts that env is refused with code both by cii_codec_encode and, packed raw, by
    cii_codec_decode; returns the decode error in *err_out when not NULL. */
static void
s_expect_invalid (const Cii__Envelope *env, Cii__ErrorCode code, cii_codec_error_t *err_out)
{
    cii_codec_error_t err;
    uint8_t *data = (uint8_t *) 0x1;
    size_t size = 99;
    int rc = cii_codec_encode (env, &data, &size, &err);
    if (rc != CII_BAD_INPUT || err.code != code)
        fprintf (stderr, "encode: expected %s, got rc=%d %s: %s\n", cii_codec_error_name (code), rc,
                 cii_codec_error_name (err.code), err.text);
    assert_int_equal (rc, CII_BAD_INPUT);
    assert_null (data);
    assert_int_equal (size, 0);
    assert_int_equal (err.code, code);
    assert_int_equal (cii_codec_validate (env, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, code);

    uint8_t *raw = s_pack_raw (env, &size);
    s_expect_decode_fail (raw, size, code, &err);
    free (raw);
    if (err_out)
        *err_out = err;
}

/*  Encodes env (must succeed), decodes it again (must succeed) and returns the decoded copy. */
static Cii__Envelope *
s_round_trip (const Cii__Envelope *env)
{
    cii_codec_error_t err;
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = cii_codec_encode (env, &data, &size, &err);
    if (rc != 0)
        fprintf (stderr, "encode: %s\n", err.text);
    assert_int_equal (rc, 0);
    assert_non_null (data);
    assert_true (size > 0 && size <= CII_MAX_FRAME);
    Cii__Envelope *back = NULL;
    rc = cii_codec_decode (data, size, &back, &err);
    if (rc != 0)
        fprintf (stderr, "decode: %s\n", err.text);
    assert_int_equal (rc, 0);
    assert_non_null (back);
    assert_int_equal (back->version, CII_PROTOCOL_VERSION);
    assert_string_equal (back->message_id, env->message_id);
    assert_int_equal (back->body_case, env->body_case);
    free (data);
    return back;
}

/*  Replaces the first occurrence of marker in data by the bytes of replacement (same length). */
static void
s_patch (uint8_t *data, size_t size, const char *marker, const char *replacement, size_t len)
{
    for (size_t i = 0; i + len <= size; i++)
        if (memcmp (data + i, marker, len) == 0) {
            memcpy (data + i, replacement, len);
            return;
        }
    fail_msg ("marker %s not found", marker);
}

static char *
s_repeat (char c, size_t n)
{
    char *s = malloc (n + 1);
    assert_non_null (s);
    memset (s, c, n);
    s [n] = '\0';
    return s;
}

static Cii__Institution s_institutions [6] = {
    CII__INSTITUTION__INSTITUTION_SOCIAL_AID, CII__INSTITUTION__INSTITUTION_HEALTH,
    CII__INSTITUTION__INSTITUTION_UNEMPLOYMENT, CII__INSTITUTION__INSTITUTION_INVALIDITY,
    CII__INSTITUTION__INSTITUTION_VOCATIONAL_TRAINING, CII__INSTITUTION__INSTITUTION_MIGRATION
};
static Cii__TargetGroup s_groups [5] = {
    CII__TARGET_GROUP__TARGET_GROUP_LATE_ARRIVING_YOUTH, CII__TARGET_GROUP__TARGET_GROUP_HEALTH_IMPAIRED,
    CII__TARGET_GROUP__TARGET_GROUP_SOCIAL_AID_RECIPIENTS,
    CII__TARGET_GROUP__TARGET_GROUP_LOW_QUALIFIED_ADULTS,
    CII__TARGET_GROUP__TARGET_GROUP_PROVISIONALLY_ADMITTED_AND_REFUGEES
};

typedef struct {
    Cii__Envelope env;
    Cii__Signal signal;
    Cii__Institution institutions [8];
    Cii__TargetGroup groups [8];
} s_signal_msg_t;

static void
s_signal_msg (s_signal_msg_t *m)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal signal = CII__SIGNAL__INIT;
    m->env = env;
    m->signal = signal;
    memcpy (m->institutions, s_institutions, sizeof (s_institutions));
    memcpy (m->groups, s_groups, sizeof (s_groups));
    m->env.version = CII_PROTOCOL_VERSION;
    m->env.message_id = "6f1c2b8e-0d4a-4e59-9a43-2f7b8c1d0e11";
    m->env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    m->env.signal = &m->signal;
    m->signal.canton = "VD";
    m->signal.title = "Jeunes arrivés tardivement : accès à la formation";
    m->signal.description = "Les jeunes arrivés après 16 ans n'ont pas accès\naux mesures\tAI/ORP.";
    m->signal.national_reason = "Règle fédérale; pas de solution cantonale.";
    m->signal.language = "fr";
    m->signal.n_institutions = 2;
    m->signal.institutions = m->institutions;
    m->signal.n_target_groups = 1;
    m->signal.target_groups = m->groups;
    m->signal.created_at_ms = 1764355337123;
}

typedef struct {
    Cii__Envelope env;
    Cii__Deliver deliver;
    Cii__Notice notice;
    char *networks [70];
} s_deliver_msg_t;

static void
s_deliver_msg (s_deliver_msg_t *m)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    Cii__Notice notice = CII__NOTICE__INIT;
    m->env = env;
    m->deliver = deliver;
    m->notice = notice;
    m->networks [0] = "lemanique";
    m->networks [1] = "ticino";
    m->env.version = CII_PROTOCOL_VERSION;
    m->env.message_id = "D-7";
    m->env.body_case = CII__ENVELOPE__BODY_DELIVER;
    m->env.deliver = &m->deliver;
    m->deliver.seq = 7;
    m->deliver.item_case = CII__DELIVER__ITEM_NOTICE;
    m->deliver.notice = &m->notice;
    m->notice.notice_id = 42;
    m->notice.title = "Empfehlung REC-2026-03: Übergänge";
    m->notice.text = "Die Kantone prüfen die Umsetzung bis Ende Jahr.\nGrazie, città.";
    m->notice.n_networks = 2;
    m->notice.networks = m->networks;
    m->notice.issued_at_ms = 1764355337000;
}

// --------------------------------------------------------------------------------------------
//  Round trips

static void
test_round_trip_signal (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    m.signal.n_institutions = 6;
    m.signal.n_target_groups = 5;
    Cii__Envelope *back = s_round_trip (&m.env);
    Cii__Signal *s = back->signal;
    assert_string_equal (s->canton, "VD");
    assert_string_equal (s->title, m.signal.title);
    assert_string_equal (s->description, m.signal.description);
    assert_string_equal (s->national_reason, m.signal.national_reason);
    assert_string_equal (s->language, "fr");
    assert_int_equal (s->n_institutions, 6);
    assert_int_equal (s->n_target_groups, 5);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal (s->institutions [i], s_institutions [i]);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal (s->target_groups [i], s_groups [i]);
    assert_int_equal (s->created_at_ms, 1764355337123);
    assert_string_equal (cii_codec_body_name (back), "signal");
    cii_codec_free (&back);
    assert_null (back);
    cii_codec_free (&back);             /* safe twice */
    cii_codec_free (NULL);

    /*  the limits themselves are allowed */
    char *title = s_repeat ('t', CII_MAX_TITLE);
    char *text = s_repeat ('d', CII_MAX_TEXT);
    char *reason = s_repeat ('r', CII_MAX_REASON);
    char *id = s_repeat ('~', CII_MAX_MESSAGE_ID);
    m.signal.title = title;
    m.signal.description = text;
    m.signal.national_reason = reason;
    m.signal.n_target_groups = 0;
    m.signal.language = "rm";
    m.signal.canton = "GR";
    m.env.message_id = id;
    back = s_round_trip (&m.env);
    assert_int_equal (strlen (back->signal->title), CII_MAX_TITLE);
    assert_int_equal (strlen (back->signal->description), CII_MAX_TEXT);
    assert_int_equal (strlen (back->signal->national_reason), CII_MAX_REASON);
    assert_int_equal (back->signal->n_target_groups, 0);
    cii_codec_free (&back);
    free (title);
    free (text);
    free (reason);
    free (id);
}

static void
test_round_trip_hello_welcome (void **state)
{
    (void) state;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = 123456789012ULL;
    hello.agent_version = "cii-agent 0.1.0";
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "hello-1";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    Cii__Envelope *back = s_round_trip (&env);
    assert_int_equal (back->hello->last_seq, 123456789012ULL);
    assert_string_equal (back->hello->agent_version, "cii-agent 0.1.0");
    assert_string_equal (cii_codec_body_name (back), "hello");
    cii_codec_free (&back);

    /*  empty agent_version and last_seq 0 are fine */
    hello.agent_version = "";
    hello.last_seq = 0;
    back = s_round_trip (&env);
    assert_string_equal (back->hello->agent_version, "");
    /*  without an epoch: absent (an agent older than stream epochs), not 0 */
    assert_int_equal (back->hello->stream_case, CII__HELLO__STREAM__NOT_SET);
    cii_codec_free (&back);
    /*  an epoch, even 0, is present on the wire; any 64-bit value goes */
    uint64_t epochs [] = { 0, 1, (uint64_t) 7 << 32 | 12345, UINT64_MAX };
    for (size_t i = 0; i < 4; i++) {
        hello.stream_case = CII__HELLO__STREAM_EPOCH;
        hello.epoch = epochs [i];
        back = s_round_trip (&env);
        assert_int_equal (back->hello->stream_case, CII__HELLO__STREAM_EPOCH);
        assert_true (back->hello->epoch == epochs [i]);
        cii_codec_free (&back);
    }

    char *cantons [] = { "BE", "FR", "SO", "NE", "JU" };
    Cii__Welcome welcome = CII__WELCOME__INIT;
    welcome.network = "mittelland";
    welcome.n_cantons = 5;
    welcome.cantons = cantons;
    welcome.heartbeat_ms = 5000;
    welcome.last_seq = 17;
    welcome.hub_time_ms = -5;
    env.body_case = CII__ENVELOPE__BODY_WELCOME;
    env.welcome = &welcome;
    back = s_round_trip (&env);
    assert_string_equal (back->welcome->network, "mittelland");
    assert_int_equal (back->welcome->n_cantons, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal (back->welcome->cantons [i], cantons [i]);
    assert_int_equal (back->welcome->heartbeat_ms, 5000);
    assert_int_equal (back->welcome->last_seq, 17);
    assert_int_equal (back->welcome->hub_time_ms, -5);
    assert_int_equal (back->welcome->stream_case, CII__WELCOME__STREAM__NOT_SET);
    cii_codec_free (&back);
    /*  the stream epoch and the resume point (at most last_seq) */
    welcome.stream_case = CII__WELCOME__STREAM_EPOCH;
    welcome.epoch = (uint64_t) 3 << 32 | 99;
    welcome.resume_seq = 17;
    back = s_round_trip (&env);
    assert_int_equal (back->welcome->stream_case, CII__WELCOME__STREAM_EPOCH);
    assert_true (back->welcome->epoch == ((uint64_t) 3 << 32 | 99));
    assert_int_equal (back->welcome->resume_seq, 17);
    cii_codec_free (&back);
    welcome.epoch = 0;
    welcome.resume_seq = 0;
    back = s_round_trip (&env);
    assert_int_equal (back->welcome->stream_case, CII__WELCOME__STREAM_EPOCH);
    assert_int_equal (back->welcome->epoch, 0);
    cii_codec_free (&back);
    welcome.stream_case = CII__WELCOME__STREAM__NOT_SET;

    /*  heartbeat bounds, empty canton list */
    welcome.heartbeat_ms = 100;
    welcome.n_cantons = 0;
    back = s_round_trip (&env);
    assert_int_equal (back->welcome->n_cantons, 0);
    cii_codec_free (&back);
    welcome.heartbeat_ms = 600000;
    back = s_round_trip (&env);
    cii_codec_free (&back);
}

static void
test_round_trip_receipt_error (void **state)
{
    (void) state;
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = "6f1c2b8e-0d4a-4e59-9a43-2f7b8c1d0e11";
    receipt.ref = "SIG-42";
    receipt.received_at_ms = 1764355337999;
    receipt.duplicate = 1;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "R1";
    env.body_case = CII__ENVELOPE__BODY_RECEIPT;
    env.receipt = &receipt;
    Cii__Envelope *back = s_round_trip (&env);
    assert_string_equal (back->receipt->message_id, receipt.message_id);
    assert_string_equal (back->receipt->ref, "SIG-42");
    assert_int_equal (back->receipt->received_at_ms, 1764355337999);
    assert_true (back->receipt->duplicate);
    cii_codec_free (&back);

    Cii__Error error = CII__ERROR__INIT;
    error.code = CII__ERROR_CODE__ERROR_NOT_AUTHORISED;
    error.text = "canton ZH is not in network lemanique";
    error.message_id = "m-9";
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    back = s_round_trip (&env);
    assert_int_equal (back->error->code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (back->error->text, error.text);
    assert_string_equal (back->error->message_id, "m-9");
    cii_codec_free (&back);

    /*  empty message id and text are allowed in an ERROR */
    error.message_id = "";
    error.text = "";
    error.code = CII__ERROR_CODE__ERROR_UNEXPECTED;
    back = s_round_trip (&env);
    assert_string_equal (back->error->message_id, "");
    cii_codec_free (&back);
}

static void
test_round_trip_ping_pong_ack (void **state)
{
    (void) state;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = 1234567;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "p";
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    Cii__Envelope *back = s_round_trip (&env);
    assert_int_equal (back->ping->sent_at_ms, 1234567);
    cii_codec_free (&back);

    Cii__Pong pong = CII__PONG__INIT;
    pong.sent_at_ms = 1234567;
    env.body_case = CII__ENVELOPE__BODY_PONG;
    env.pong = &pong;
    back = s_round_trip (&env);
    assert_int_equal (back->pong->sent_at_ms, 1234567);
    assert_int_equal (back->pong->heartbeat_ms, 0);
    assert_string_equal (cii_codec_body_name (back), "pong");
    cii_codec_free (&back);
    //  a PONG with a new heartbeat: 0 (none) or within the WELCOME's bounds
    pong.heartbeat_ms = 5000;
    back = s_round_trip (&env);
    assert_int_equal (back->pong->heartbeat_ms, 5000);
    cii_codec_free (&back);
    cii_codec_error_t err;
    pong.heartbeat_ms = 99;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "pong.heartbeat_ms: 99, limits 0 or 100..600000");
    pong.heartbeat_ms = 600001;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    pong.heartbeat_ms = 0;

    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = 99;
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    back = s_round_trip (&env);
    assert_int_equal (back->ack->seq, 99);
    cii_codec_free (&back);
}

static void
test_round_trip_deliver (void **state)
{
    (void) state;
    s_deliver_msg_t m;
    s_deliver_msg (&m);
    Cii__Envelope *back = s_round_trip (&m.env);
    assert_int_equal (back->deliver->seq, 7);
    assert_int_equal (back->deliver->item_case, CII__DELIVER__ITEM_NOTICE);
    Cii__Notice *n = back->deliver->notice;
    assert_int_equal (n->notice_id, 42);
    assert_string_equal (n->title, m.notice.title);
    assert_string_equal (n->text, m.notice.text);
    assert_int_equal (n->n_networks, 2);
    assert_string_equal (n->networks [1], "ticino");
    assert_int_equal (n->issued_at_ms, 1764355337000);
    cii_codec_free (&back);

    /*  64 distinct networks is the limit; 0 means all networks */
    char names [64][8];
    for (int i = 0; i < 64; i++) {
        snprintf (names [i], sizeof (names [i]), "net%d", i);
        m.networks [i] = names [i];
    }
    m.notice.n_networks = 64;
    back = s_round_trip (&m.env);
    assert_int_equal (back->deliver->notice->n_networks, 64);
    cii_codec_free (&back);
    m.notice.n_networks = 0;
    back = s_round_trip (&m.env);
    assert_int_equal (back->deliver->notice->n_networks, 0);
    cii_codec_free (&back);
}

static void
test_encode_notice_and_deliver (void **state)
{
    (void) state;
    s_deliver_msg_t m;
    s_deliver_msg (&m);
    uint8_t *body = NULL;
    size_t body_size = 0;
    assert_int_equal (cii_codec_item_pack (cii_kind_find ("notice"), &m.notice.base, &body, &body_size, NULL), 0);
    assert_non_null (body);

    ProtobufCMessage *notice = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("notice"), body, body_size, &notice, &err), 0);
    assert_string_equal (((Cii__Notice *) notice)->title, m.notice.title);
    cii_codec_item_free (&notice);
    assert_null (notice);
    cii_codec_item_free (&notice);

    uint8_t *frame = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_encode_deliver (12, "notice", body, body_size, "dl-12", &frame, &size), 0);
    Cii__Envelope *env = NULL;
    assert_int_equal (cii_codec_decode (frame, size, &env, &err), 0);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_DELIVER);
    assert_string_equal (env->message_id, "dl-12");
    assert_int_equal (env->deliver->seq, 12);
    assert_int_equal (env->deliver->notice->notice_id, 42);
    assert_string_equal (env->deliver->notice->text, m.notice.text);
    assert_string_equal (env->deliver->notice->networks [0], "lemanique");
    cii_codec_free (&env);
    free (frame);

    /*  refusals: unknown kind, seq 0, bad id, garbage body, empty body */
    frame = (uint8_t *) 0x1;
    assert_int_equal (cii_codec_encode_deliver (1, "recommendation", body, body_size, "x", &frame, &size), CII_BAD_INPUT);
    assert_null (frame);
    assert_int_equal (cii_codec_encode_deliver (1, NULL, body, body_size, "x", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (0, "notice", body, body_size, "x", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", body, body_size, "", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", body, body_size, NULL, &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", body, body_size, "a b", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", body, 0, "x", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", body, body_size - 1, "x", &frame, &size), CII_BAD_INPUT);
    const uint8_t garbage [] = { 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal (cii_codec_encode_deliver (1, "notice", garbage, sizeof (garbage), "x", &frame, &size), CII_BAD_INPUT);
    assert_null (frame);
    assert_int_equal (size, 0);
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("notice"), garbage, sizeof (garbage), &notice, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_MALFORMED);
    assert_null (notice);

    /*  a stored notice with an embedded NUL in its title */
    uint8_t *bad = malloc (body_size);
    memcpy (bad, body, body_size);
    s_patch (bad, body_size, "REC-2026", "REC\0" "2026", 8);
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("notice"), bad, body_size, &notice, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_MALFORMED);
    assert_non_null (strstr (err.text, "notice.title: embedded NUL"));
    assert_int_equal (cii_codec_encode_deliver (1, "notice", bad, body_size, "x", &frame, &size), CII_BAD_INPUT);
    free (bad);
    free (body);

    /*  encode_notice refuses what a peer would refuse */
    m.notice.title = "";
    assert_int_equal (cii_codec_item_pack (cii_kind_find ("notice"), &m.notice.base, &body, &body_size, NULL), CII_BAD_INPUT);
    assert_null (body);
    assert_int_equal (cii_codec_item_pack (cii_kind_find ("notice"), NULL, &body, &body_size, NULL), CII_BAD_INPUT);
    /*  and a stored notice without title cannot be delivered */
    Cii__Notice empty = CII__NOTICE__INIT;
    empty.text = "text";
    empty.notice_id = 3;
    size_t raw_size = cii__notice__get_packed_size (&empty);
    uint8_t *raw = malloc (raw_size);
    cii__notice__pack (&empty, raw);
    assert_int_equal (cii_codec_encode_deliver (1, "notice", raw, raw_size, "x", &frame, &size), CII_BAD_INPUT);
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("notice"), raw, raw_size, &notice, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "notice.title: missing");
    free (raw);
}

static void
test_utf8_untouched (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    m.signal.canton = "TI";
    m.signal.language = "it";
    m.signal.title = "Giovani arrivati tardivamente: città, perché — €, \xf0\x9f\x98\x80";
    m.signal.description = "Übergänge für gesundheitlich beeinträchtigte Personen\r\nœuvre";
    Cii__Envelope *back = s_round_trip (&m.env);
    assert_memory_equal (back->signal->title, m.signal.title, strlen (m.signal.title) + 1);
    assert_memory_equal (back->signal->description, m.signal.description,
                         strlen (m.signal.description) + 1);
    cii_codec_free (&back);
}

static void
test_unknown_fields_tolerated (void **state)
{
    (void) state;
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = 5;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "ack-5";
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    size_t size;
    uint8_t *raw = s_pack_raw (&env, &size);
    /*  append field 99 (varint 150) and field 98 (string "future\0x": NUL in an unknown field is
        not our business) */
    const uint8_t extra [] = { 0x98, 0x06, 0x96, 0x01, 0x92, 0x06, 0x08,
                               'f', 'u', 't', 'u', 'r', 'e', 0, 'x' };
    uint8_t *frame = malloc (size + sizeof (extra));
    memcpy (frame, raw, size);
    memcpy (frame + size, extra, sizeof (extra));
    Cii__Envelope *back = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (frame, size + sizeof (extra), &back, &err), 0);
    assert_int_equal (back->ack->seq, 5);
    assert_int_equal (back->base.n_unknown_fields, 2);
    /*  re-encoding keeps them */
    uint8_t *again = NULL;
    size_t again_size = 0;
    assert_int_equal (cii_codec_encode (back, &again, &again_size, &err), 0);
    assert_int_equal (again_size, size + sizeof (extra));
    free (again);
    cii_codec_free (&back);
    free (frame);
    free (raw);
}

// --------------------------------------------------------------------------------------------
//  Frame-level refusals

static void
test_empty_and_oversize_frames (void **state)
{
    (void) state;
    cii_codec_error_t err;
    const uint8_t one [1] = { 0 };
    s_expect_decode_fail (one, 0, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    s_expect_decode_fail (NULL, 0, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    Cii__Envelope *env = NULL;
    assert_int_equal (cii_codec_decode (NULL, 0, &env, NULL), CII_BAD_INPUT);   /* err is optional */

    /*  a well-formed envelope padded with an unknown field past the limit */
    size_t size = CII_MAX_FRAME + 1;
    uint8_t *big = calloc (1, size);
    const uint8_t head [] = { 0x08, 0x01, 0x12, 0x03, 'b', 'i', 'g' };
    memcpy (big, head, sizeof (head));
    size_t pad = size - sizeof (head) - 4;      /* tag (1) + 3-byte length */
    big [7] = 0x92; big [8] = 0x06;             /* field 98, wire type 2: 2-byte key */
    pad -= 1;
    big [9] = (uint8_t) (0x80 | (pad & 0x7f));
    big [10] = (uint8_t) (0x80 | ((pad >> 7) & 0x7f));
    big [11] = (uint8_t) (pad >> 14);
    assert_int_equal (sizeof (head) + 5 + pad, size);
    s_expect_decode_fail (big, size, CII__ERROR_CODE__ERROR_TOO_LARGE, &err);
    assert_string_equal (err.message_id, "big");
    assert_string_equal (err.text, "envelope: 65537 bytes, limit 65536");
    /*  one byte less is within the limit, but then the padding field is cut short: malformed */
    s_expect_decode_fail (big, size - 1, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    free (big);

    /*  encode refuses a frame that would be too large (unknown fields kept from a decode) */
    size = CII_MAX_FRAME;
    big = calloc (1, size);
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = 1;
    Cii__Envelope small = CII__ENVELOPE__INIT;
    small.version = 1;
    small.message_id = "big";
    small.body_case = CII__ENVELOPE__BODY_ACK;
    small.ack = &ack;
    size_t small_size;
    uint8_t *raw = s_pack_raw (&small, &small_size);
    memcpy (big, raw, small_size);
    pad = size - small_size - 5;
    big [small_size] = 0x92; big [small_size + 1] = 0x06;
    big [small_size + 2] = (uint8_t) (0x80 | (pad & 0x7f));
    big [small_size + 3] = (uint8_t) (0x80 | ((pad >> 7) & 0x7f));
    big [small_size + 4] = (uint8_t) (pad >> 14);
    Cii__Envelope *decoded = NULL;
    assert_int_equal (cii_codec_decode (big, size, &decoded, &err), 0);
    decoded->ack->seq = 300;                    /* one byte longer */
    uint8_t *out = (uint8_t *) 0x1;
    size_t out_size;
    assert_int_equal (cii_codec_encode (decoded, &out, &out_size, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_TOO_LARGE);
    assert_null (out);
    cii_codec_free (&decoded);
    free (raw);
    free (big);
}

static void
test_truncated_frames (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    size_t size;
    uint8_t *raw = s_pack_raw (&m.env, &size);
    Cii__Envelope *env = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (raw, size, &env, &err), 0);
    cii_codec_free (&env);
    for (size_t cut = 0; cut < size; cut++) {
        /*  copy so ASan sees any read past the cut */
        uint8_t *part = malloc (cut ? cut : 1);
        memcpy (part, raw, cut);
        s_expect_decode_fail (part, cut, CII__ERROR_CODE__ERROR_MALFORMED, &err);
        free (part);
    }
    free (raw);
}

static void
test_random_bytes (void **state)
{
    (void) state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    uint8_t buf [256];
    for (int round = 0; round < 5000; round++) {
        size_t size = 1 + (size_t) (x % sizeof (buf));
        for (size_t i = 0; i < size; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf [i] = (uint8_t) x;
        }
        uint8_t *copy = malloc (size);
        memcpy (copy, buf, size);
        Cii__Envelope *env = NULL;
        cii_codec_error_t err;
        int rc = cii_codec_decode (copy, size, &env, &err);
        assert_int_equal (rc, CII_BAD_INPUT);
        assert_null (env);
        assert_true (err.code == CII__ERROR_CODE__ERROR_MALFORMED
                  || err.code == CII__ERROR_CODE__ERROR_VERSION);
        free (copy);
    }
}

static void
test_version (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    m.env.version = 2;
    m.env.message_id = "v2-msg";
    cii_codec_error_t err;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_VERSION, &err);
    assert_string_equal (err.text, "protocol version 2 not supported; this peer speaks 1");
    assert_string_equal (err.message_id, "v2-msg");
    m.env.version = 0;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_VERSION, &err);
    assert_string_equal (err.text, "protocol version 0 not supported; this peer speaks 1");
    /*  version is checked before the body: a future version may have other rules */
    m.env.version = 7;
    m.signal.title = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_VERSION, &err);
}

static void
test_message_id (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    cii_codec_error_t err;
    m.env.message_id = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "envelope.message_id: missing");
    assert_string_equal (err.message_id, "");
    const char *bad [] = { "has space", "tab\there", "del\x7f", "caf\xc3\xa9", "nl\n" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        m.env.message_id = (char *) bad [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
        assert_non_null (strstr (err.text, "envelope.message_id: byte 0x"));
        assert_string_equal (err.message_id, "");
    }
    char *longer = s_repeat ('a', CII_MAX_MESSAGE_ID + 1);
    m.env.message_id = longer;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "envelope.message_id: 65 bytes, limit 64");
    free (longer);
    m.env.message_id = NULL;            /* NULL counts as missing on encode */
    assert_int_equal (cii_codec_validate (&m.env, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_MALFORMED);

    /*  embedded NUL in the id: refused, and the truncated id is never reported */
    m.env.message_id = "idXXpart";
    size_t size;
    uint8_t *raw = s_pack_raw (&m.env, &size);
    s_patch (raw, size, "XX", "\0\0", 2);
    s_expect_decode_fail (raw, size, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "envelope.message_id: embedded NUL byte");
    assert_string_equal (err.message_id, "");
    free (raw);
}

static void
test_no_body (void **state)
{
    (void) state;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "nobody";
    cii_codec_error_t err;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "envelope has no body");
    assert_string_equal (err.message_id, "nobody");
    assert_string_equal (cii_codec_body_name (&env), "none");
    assert_string_equal (cii_codec_body_name (NULL), "none");

    /*  encode side: a body case without its message */
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = NULL;
    uint8_t *data;
    size_t size;
    assert_int_equal (cii_codec_encode (&env, &data, &size, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_MALFORMED);
    assert_string_equal (err.text, "envelope.signal: missing");
    env.body_case = (Cii__Envelope__BodyCase) 99;
    assert_int_equal (cii_codec_encode (&env, &data, &size, NULL), CII_BAD_INPUT);
    assert_int_equal (cii_codec_validate (NULL, &err), CII_BAD_INPUT);
}

// --------------------------------------------------------------------------------------------
//  Signal limits

static void
test_signal_strings (void **state)
{
    (void) state;
    s_signal_msg_t m;
    cii_codec_error_t err;

    char *s = s_repeat ('x', 213);
    s_signal_msg (&m);
    m.signal.title = s;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.title: 213 bytes, limit 200");
    /*  the id is copied so the ERROR reply can refer to it */
    assert_string_equal (err.message_id, "6f1c2b8e-0d4a-4e59-9a43-2f7b8c1d0e11");
    free (s);

    s_signal_msg (&m);
    m.signal.title = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.title: missing");

    s = s_repeat ('x', CII_MAX_TEXT + 1);
    s_signal_msg (&m);
    m.signal.description = s;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.description: 8001 bytes, limit 8000");
    free (s);

    s_signal_msg (&m);
    m.signal.description = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.description: missing");

    s = s_repeat ('x', CII_MAX_REASON + 1);
    s_signal_msg (&m);
    m.signal.national_reason = s;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.national_reason: 4001 bytes, limit 4000");
    free (s);

    /*  an empty national reason is fine */
    s_signal_msg (&m);
    m.signal.national_reason = "";
    Cii__Envelope *back = s_round_trip (&m.env);
    cii_codec_free (&back);

    /*  oversize counts bytes, not characters: 100 x "é" = 200 bytes ok, 101 = 202 refused */
    char accents [203];
    for (int i = 0; i < 101; i++)
        memcpy (accents + 2 * i, "\xc3\xa9", 2);
    accents [200] = '\0';
    m.signal.title = accents;
    back = s_round_trip (&m.env);
    cii_codec_free (&back);
    accents [202] = '\0';
    accents [200] = '\xc3';
    accents [201] = '\xa9';
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.title: 202 bytes, limit 200");
}

static void
test_signal_bad_utf8 (void **state)
{
    (void) state;
    const char *bad [] = {
        "overlong \xc0\xaf", "overlong3 \xe0\x80\xaf", "overlong4 \xf0\x80\x80\xaf",
        "surrogate \xed\xa0\x80", "low surrogate \xed\xbf\xbf", "too big \xf4\x90\x80\x80",
        "lone \x80", "truncated \xc3", "bad cont \xc3\x28", "byte \xff", "control \x01",
        "escape \x1b[31m"
    };
    s_signal_msg_t m;
    cii_codec_error_t err;
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        s_signal_msg (&m);
        m.signal.title = (char *) bad [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
        s_signal_msg (&m);
        m.signal.description = (char *) bad [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
        s_signal_msg (&m);
        m.signal.national_reason = (char *) bad [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    s_signal_msg (&m);
    m.signal.title = "bad \xed\xa0\x80";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.title: not valid UTF-8 (or a control character)");
}

static void
test_signal_embedded_nul (void **state)
{
    (void) state;
    const struct { const char *field; const char *expect; } cases [] = {
        { "title", "signal.title: embedded NUL byte" },
        { "description", "signal.description: embedded NUL byte" },
        { "national_reason", "signal.national_reason: embedded NUL byte" },
        { "canton", "signal.canton: embedded NUL byte" },
        { "language", "signal.language: embedded NUL byte" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        s_signal_msg_t m;
        s_signal_msg (&m);
        if (strcmp (cases [i].field, "title") == 0)
            m.signal.title = "before@after";
        else
        if (strcmp (cases [i].field, "description") == 0)
            m.signal.description = "before@after";
        else
        if (strcmp (cases [i].field, "national_reason") == 0)
            m.signal.national_reason = "before@after";
        else
        if (strcmp (cases [i].field, "canton") == 0)
            m.signal.canton = "V@";
        else
            m.signal.language = "f@";
        size_t size;
        uint8_t *raw = s_pack_raw (&m.env, &size);
        /*  unpatched, canton "V@" and language "f@" are refused for other reasons; patched,
            they would read as "V" and "f"; the title would silently read "before" */
        s_patch (raw, size, "@", "\0", 1);
        cii_codec_error_t err;
        s_expect_decode_fail (raw, size, CII__ERROR_CODE__ERROR_MALFORMED, &err);
        assert_string_equal (err.text, cases [i].expect);
        assert_string_equal (err.message_id, "6f1c2b8e-0d4a-4e59-9a43-2f7b8c1d0e11");
        free (raw);
    }
}

static void
test_signal_canton_language (void **state)
{
    (void) state;
    s_signal_msg_t m;
    cii_codec_error_t err;
    const char *unknown [] = { "XX", "vd", "VDX", "CH", "V", "\xc3\xa9\xc3\xa9" };
    for (size_t i = 0; i < sizeof (unknown) / sizeof (unknown [0]); i++) {
        s_signal_msg (&m);
        m.signal.canton = (char *) unknown [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON, &err);
    }
    s_signal_msg (&m);
    m.signal.canton = "XX";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON, &err);
    assert_string_equal (err.text, "signal.canton: unknown canton \"XX\"");
    s_signal_msg (&m);
    m.signal.canton = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.canton: missing");

    /*  every canton is accepted */
    for (size_t i = 0; i < CII_CANTON_COUNT; i++) {
        s_signal_msg (&m);
        m.signal.canton = (char *) cii_domain_canton_at (i);
        assert_int_equal (cii_codec_validate (&m.env, &err), 0);
    }

    const char *langs [] = { "en", "FR", "", "fra", "f" };
    for (size_t i = 0; i < sizeof (langs) / sizeof (langs [0]); i++) {
        s_signal_msg (&m);
        m.signal.language = (char *) langs [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    s_signal_msg (&m);
    m.signal.language = "en";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.language: \"en\" is not fr, de, it or rm");
    const char *good [] = { "fr", "de", "it", "rm" };
    for (size_t i = 0; i < 4; i++) {
        s_signal_msg (&m);
        m.signal.language = (char *) good [i];
        assert_int_equal (cii_codec_validate (&m.env, &err), 0);
    }

    s_signal_msg (&m);
    m.signal.created_at_ms = -1;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.created_at_ms: -1 outside 0..253402300799999 (9999-12-31)");
    m.signal.created_at_ms = 0;
    assert_int_equal (cii_codec_validate (&m.env, &err), 0);
    m.signal.created_at_ms = CII_MAX_TIME_MS;
    assert_int_equal (cii_codec_validate (&m.env, &err), 0);
    //  Beyond year 9999 PostgreSQL cannot store it: refused here, not by the database.
    m.signal.created_at_ms = CII_MAX_TIME_MS + 1;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    m.signal.created_at_ms = INT64_MAX;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
}

//  Texts that end up in logs are one line: a peer cannot forge log lines with them.
static void
test_one_line_fields (void **state)
{
    (void) state;
    cii_codec_error_t err;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Error error = CII__ERROR__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "m-1";
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    error.code = CII__ERROR_CODE__ERROR_MALFORMED;
    error.message_id = "";
    error.text = "fine, one line";
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    const char *bad[] = { "two\nlines", "carriage\rreturn", "tab\there" };
    for (size_t i = 0; i < 3; i++) {
        error.text = (char *) bad[i];
        assert_int_equal (cii_codec_validate (&env, &err), CII_BAD_INPUT);
        assert_string_equal (err.text, "error.text: must be one line (no TAB, CR, LF)");
    }
    Cii__Hello hello = CII__HELLO__INIT;
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    hello.agent_version = "cii-agent 0.1.0\nI: forged log line";
    assert_int_equal (cii_codec_validate (&env, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "hello.agent_version: must be one line (no TAB, CR, LF)");
}

static void
test_signal_lists (void **state)
{
    (void) state;
    s_signal_msg_t m;
    cii_codec_error_t err;

    s_signal_msg (&m);
    m.signal.n_institutions = 0;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.institutions: missing, at least 1 required");

    s_signal_msg (&m);
    m.signal.n_institutions = 7;
    m.institutions [6] = CII__INSTITUTION__INSTITUTION_HEALTH;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.institutions: 7 entries, limit 6");

    s_signal_msg (&m);
    m.institutions [1] = m.institutions [0];
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.institutions[1]: duplicate social-aid");

    const int unknown_inst [] = { 0, 7, -1, 1000 };
    for (size_t i = 0; i < 4; i++) {
        s_signal_msg (&m);
        m.institutions [1] = (Cii__Institution) unknown_inst [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    s_signal_msg (&m);
    m.institutions [1] = (Cii__Institution) 7;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.institutions[1]: unknown value 7");

    s_signal_msg (&m);
    m.signal.n_target_groups = 6;
    m.groups [5] = CII__TARGET_GROUP__TARGET_GROUP_HEALTH_IMPAIRED;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.target_groups: 6 entries, limit 5");

    s_signal_msg (&m);
    m.signal.n_target_groups = 3;
    m.groups [2] = m.groups [0];
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "signal.target_groups[2]: duplicate late-arriving-youth");

    const int unknown_group [] = { 0, 6, -7 };
    for (size_t i = 0; i < 3; i++) {
        s_signal_msg (&m);
        m.groups [0] = (Cii__TargetGroup) unknown_group [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
}

static void
test_validate_signal_alone (void **state)
{
    (void) state;
    s_signal_msg_t m;
    s_signal_msg (&m);
    cii_codec_error_t err;
    assert_int_equal (cii_codec_validate_signal (&m.signal, NULL, &err), 0);
    m.signal.canton = "ZZ";
    assert_int_equal (cii_codec_validate_signal (&m.signal, NULL, &err), CII_BAD_INPUT);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON);
    m.signal.canton = "VD";
    m.signal.title = "";
    assert_int_equal (cii_codec_validate_signal (&m.signal, "input", &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "input.title: missing");
    assert_int_equal (cii_codec_validate_signal (NULL, NULL, NULL), CII_BAD_INPUT);
}

// --------------------------------------------------------------------------------------------
//  Other bodies

static void
test_hello_welcome_limits (void **state)
{
    (void) state;
    cii_codec_error_t err;
    Cii__Hello hello = CII__HELLO__INIT;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "h";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    char *s = s_repeat ('v', CII_MAX_SHORT + 1);
    hello.agent_version = s;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "hello.agent_version: 65 bytes, limit 64");
    free (s);
    hello.agent_version = "agent \xff";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);

    char *cantons [30] = { "VD", "VS", "GE" };
    Cii__Welcome welcome = CII__WELCOME__INIT;
    welcome.network = "lemanique";
    welcome.n_cantons = 3;
    welcome.cantons = cantons;
    welcome.heartbeat_ms = 5000;
    env.body_case = CII__ENVELOPE__BODY_WELCOME;
    env.welcome = &welcome;
    assert_int_equal (cii_codec_validate (&env, &err), 0);

    /*  a resume point beyond what the hub says it assigned */
    welcome.last_seq = 5;
    welcome.stream_case = CII__WELCOME__STREAM_EPOCH;
    welcome.epoch = 42;
    welcome.resume_seq = 5;
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    welcome.resume_seq = 6;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "welcome.resume_seq: 6 is beyond welcome.last_seq 5");
    welcome.stream_case = CII__WELCOME__STREAM__NOT_SET;     /*  without an epoch it means nothing */
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    welcome.resume_seq = 0;

    const char *networks [] = { "", "Lemanique", "1net", "net_a", "abcdefghijklmnopqrstuvwxyz0123456" };
    for (size_t i = 0; i < sizeof (networks) / sizeof (networks [0]); i++) {
        welcome.network = (char *) networks [i];
        s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    welcome.network = "lemanique";

    cantons [1] = "XX";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON, &err);
    assert_string_equal (err.text, "welcome.cantons[1]: unknown canton \"XX\"");
    cantons [1] = "VD";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "welcome.cantons[1]: duplicate canton VD");
    cantons [1] = "VS";

    /*  27 entries */
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        cantons [i] = (char *) cii_domain_canton_at (i);
    welcome.n_cantons = CII_CANTON_COUNT;
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    cantons [26] = "ZH";
    welcome.n_cantons = 27;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "welcome.cantons: 27 entries, limit 26");
    welcome.n_cantons = 3;

    welcome.heartbeat_ms = 99;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "welcome.heartbeat_ms: 99, limits 100..600000");
    welcome.heartbeat_ms = 600001;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    welcome.heartbeat_ms = 0;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    welcome.heartbeat_ms = 1000;

    /*  a NUL inside a repeated string */
    cantons [0] = "VD";
    cantons [1] = "V@";
    size_t size;
    uint8_t *raw = s_pack_raw (&env, &size);
    s_patch (raw, size, "@", "\0", 1);
    s_expect_decode_fail (raw, size, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "welcome.cantons: embedded NUL byte");
    free (raw);
}

static void
test_receipt_error_limits (void **state)
{
    (void) state;
    cii_codec_error_t err;
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = "m1";
    receipt.ref = "SIG-1";
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "r";
    env.body_case = CII__ENVELOPE__BODY_RECEIPT;
    env.receipt = &receipt;
    assert_int_equal (cii_codec_validate (&env, &err), 0);

    receipt.message_id = "";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "receipt.message_id: missing");
    receipt.message_id = "a b";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    char *s = s_repeat ('i', 65);
    receipt.message_id = s;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    free (s);
    receipt.message_id = "m1";

    receipt.ref = "";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    s = s_repeat ('R', 31);
    receipt.ref = s;
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    free (s);
    s = s_repeat ('R', 32);
    receipt.ref = s;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "receipt.ref: 32 bytes, limit 31");
    free (s);
    receipt.ref = "SIG 1";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);

    Cii__Error error = CII__ERROR__INIT;
    error.code = CII__ERROR_CODE__ERROR_MALFORMED;
    error.text = "signal.title: 213 bytes, limit 200";
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    const int codes [] = { 0, 14, -1, 255 };
    for (size_t i = 0; i < 4; i++) {
        error.code = (Cii__ErrorCode) codes [i];
        s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    error.code = (Cii__ErrorCode) 14;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "error.code: unknown value 14");
    error.code = CII__ERROR_CODE__ERROR_REVOKED;
    s = s_repeat ('e', CII_MAX_ERROR_TEXT);
    error.text = s;
    assert_int_equal (cii_codec_validate (&env, &err), 0);
    free (s);
    s = s_repeat ('e', CII_MAX_ERROR_TEXT + 1);
    error.text = s;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "error.text: 401 bytes, limit 400");
    free (s);
    error.text = "bad \xc0\x80";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    error.text = "ok";
    error.message_id = "bad id";
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
}

static void
test_deliver_ack_limits (void **state)
{
    (void) state;
    cii_codec_error_t err;
    s_deliver_msg_t m;

    s_deliver_msg (&m);
    m.deliver.seq = 0;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver.seq: 0, minimum 1");
    assert_string_equal (err.message_id, "D-7");

    s_deliver_msg (&m);
    m.deliver.item_case = CII__DELIVER__ITEM__NOT_SET;
    m.deliver.notice = NULL;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver has no item");

    char *s = s_repeat ('T', CII_MAX_TITLE + 1);
    s_deliver_msg (&m);
    m.notice.title = s;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver.notice.title: 201 bytes, limit 200");
    free (s);
    s_deliver_msg (&m);
    m.notice.title = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    s = s_repeat ('T', CII_MAX_TEXT + 1);
    s_deliver_msg (&m);
    m.notice.text = s;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver.notice.text: 8001 bytes, limit 8000");
    free (s);
    s_deliver_msg (&m);
    m.notice.text = "";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    s_deliver_msg (&m);
    m.notice.text = "surrogate \xed\xb0\x80";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);

    s_deliver_msg (&m);
    m.networks [1] = "lemanique";
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver.notice.networks[1]: duplicate network lemanique");
    const char *bad [] = { "", "Ost", "9x", "a b", "n\xc3\xa9t" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        s_deliver_msg (&m);
        m.networks [0] = (char *) bad [i];
        s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    }
    char names [65][8];
    s_deliver_msg (&m);
    for (int i = 0; i < 65; i++) {
        snprintf (names [i], sizeof (names [i]), "n%d", i);
        m.networks [i] = names [i];
    }
    m.notice.n_networks = 65;
    s_expect_invalid (&m.env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "deliver.notice.networks: 65 entries, limit 64");

    /*  a NUL in the nested notice's text */
    s_deliver_msg (&m);
    m.notice.text = "nested@nul";
    size_t size;
    uint8_t *raw = s_pack_raw (&m.env, &size);
    s_patch (raw, size, "@", "\0", 1);
    s_expect_decode_fail (raw, size, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "notice.text: embedded NUL byte");
    assert_string_equal (err.message_id, "D-7");
    free (raw);

    Cii__Ack ack = CII__ACK__INIT;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "a";
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    s_expect_invalid (&env, CII__ERROR_CODE__ERROR_MALFORMED, &err);
    assert_string_equal (err.text, "ack.seq: 0, minimum 1");
}

static void
test_names (void **state)
{
    (void) state;
    assert_string_equal (cii_codec_error_name (CII__ERROR_CODE__ERROR_MALFORMED), "MALFORMED");
    assert_string_equal (cii_codec_error_name (CII__ERROR_CODE__ERROR_NOT_AUTHORISED), "NOT_AUTHORISED");
    assert_string_equal (cii_codec_error_name (CII__ERROR_CODE__ERROR_UNEXPECTED), "UNEXPECTED");
    assert_string_equal (cii_codec_error_name (CII__ERROR_CODE__ERROR_SESSION_REPLACED), "SESSION_REPLACED");
    assert_string_equal (cii_codec_error_name (CII__ERROR_CODE__ERROR_UNSPECIFIED), "UNSPECIFIED");
    assert_string_equal (cii_codec_error_name ((Cii__ErrorCode) 14), "UNKNOWN");
    assert_string_equal (cii_codec_error_name ((Cii__ErrorCode) -1), "UNKNOWN");
    /*  every name matches the generated enum descriptor */
    for (int code = 0; code <= 13; code++) {
        const ProtobufCEnumValue *value =
            protobuf_c_enum_descriptor_get_value (&cii__error_code__descriptor, code);
        assert_non_null (value);
        assert_string_equal (value->name + strlen ("ERROR_"), cii_codec_error_name ((Cii__ErrorCode) code));
    }
    Cii__Envelope env = CII__ENVELOPE__INIT;
    const char *names [] = { "hello", "welcome", "receipt", "error", "ping", "pong", "deliver", "ack" };
    for (int i = 0; i < 8; i++) {
        env.body_case = (Cii__Envelope__BodyCase) (10 + i);
        assert_string_equal (cii_codec_body_name (&env), names [i]);
    }
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    assert_string_equal (cii_codec_body_name (&env), "signal");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip_signal),
        cmocka_unit_test (test_round_trip_hello_welcome),
        cmocka_unit_test (test_round_trip_receipt_error),
        cmocka_unit_test (test_round_trip_ping_pong_ack),
        cmocka_unit_test (test_round_trip_deliver),
        cmocka_unit_test (test_encode_notice_and_deliver),
        cmocka_unit_test (test_utf8_untouched),
        cmocka_unit_test (test_unknown_fields_tolerated),
        cmocka_unit_test (test_empty_and_oversize_frames),
        cmocka_unit_test (test_truncated_frames),
        cmocka_unit_test (test_random_bytes),
        cmocka_unit_test (test_version),
        cmocka_unit_test (test_message_id),
        cmocka_unit_test (test_no_body),
        cmocka_unit_test (test_signal_strings),
        cmocka_unit_test (test_signal_bad_utf8),
        cmocka_unit_test (test_signal_embedded_nul),
        cmocka_unit_test (test_signal_canton_language),
        cmocka_unit_test (test_one_line_fields),
        cmocka_unit_test (test_signal_lists),
        cmocka_unit_test (test_validate_signal_alone),
        cmocka_unit_test (test_hello_welcome_limits),
        cmocka_unit_test (test_receipt_error_limits),
        cmocka_unit_test (test_deliver_ack_limits),
        cmocka_unit_test (test_names),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
