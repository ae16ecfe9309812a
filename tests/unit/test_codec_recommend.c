/*  test_codec_recommend.c — unit tests of the issue-9 kinds on the wire: RECOMMENDATION (downward),
    PUSH and REPORT (upward). Round trips through the domain structs (proto/cii_wire) and the codec,
    UTF-8 untouched, the largest legal item in one frame, and every limit refused with its field
    named — on encode and, for frames crafted with protobuf-c directly, on decode. */
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
#include "cii_wire.h"

//  --------------------------------------------------------------------------------------------
//  A recommendation as the hub sends it to lemanique

static const char *const s_basis [] = { "CII-2027-0001", "NT-2027-02", "Étude BASS 2026 « coordination »" };
static const char *const s_cantons [] = { "VD", "VS", "GE" };
static const char *const s_partners [] = { "CSIAS", "CDAS" };

static void
s_recommendation (cii_recommendation_t *rec)
{
    memset (rec, 0, sizeof *rec);
    rec->ref = "REC-2027-01";
    rec->version = 2;
    static const cii_translation_t translations [] = {
        { "fr", "Guichet unique pour les jeunes adultes", "Les cantons désignent un interlocuteur unique (Case Management)." },
        { "de", "Anlaufstelle für junge Erwachsene", "Die Kantone bezeichnen eine Ansprechperson; Übergänge gemäß Maßnahme." },
        { "it", "Sportello unico per i giovani adulti", "I Cantoni designano un interlocutore unico; più efficacia." },
        { "rm", "Post da contact unic", "Ils chantuns designeschan ina persuna da contact." },
    };
    memcpy (rec->translations, translations, sizeof translations);
    rec->n_translations = 4;
    rec->adopted_on = "2027-04-20";
    rec->report_by = "2027-12-31";
    rec->basis = s_basis;
    rec->n_basis = 3;
    rec->cantons = s_cantons;
    rec->n_cantons = 3;
    rec->partners = s_partners;
    rec->n_partners = 2;
    rec->all_cantons = true;
    rec->issued_at_ms = 1808000000000;
    rec->note = "Texte allemand corrigé";
}

//  Packs rec as a stored item, wraps it in a DELIVER, decodes the frame: the item back.
static Cii__Envelope *
s_deliver_round_trip (const cii_recommendation_t *rec, cii_recommendation_t *back)
{
    uint8_t *body = NULL, *frame = NULL;
    size_t body_size = 0, frame_size = 0;
    cii_err_t err;
    assert_int_equal (cii_wire_recommendation_pack (rec, &body, &body_size, &err), CII_OK);
    assert_int_equal (cii_codec_encode_deliver (9, "recommendation", body, body_size, "d-1-9", &frame, &frame_size),
                      CII_OK);
    free (body);
    assert_true (frame_size <= CII_MAX_FRAME);
    Cii__Envelope *env = NULL;
    cii_codec_error_t cerr;
    assert_int_equal (cii_codec_decode (frame, frame_size, &env, &cerr), CII_OK);
    free (frame);
    const cii_kind_t *kind = cii_codec_kind (env);
    assert_non_null (kind);
    assert_string_equal (kind->name, "recommendation");
    assert_int_equal (env->deliver->item_case, CII__DELIVER__ITEM_RECOMMENDATION);
    cii_wire_recommendation_view (env->deliver->recommendation, back);
    return env;
}

static void
test_recommendation_round_trip (void **state)
{
    (void) state;
    cii_recommendation_t rec, back;
    s_recommendation (&rec);
    Cii__Envelope *env = s_deliver_round_trip (&rec, &back);
    assert_string_equal (back.ref, "REC-2027-01");
    assert_int_equal (back.version, 2);
    assert_int_equal (back.n_translations, 4);
    for (size_t i = 0; i < 4; i++) {
        const cii_translation_t *t = cii_recommendation_translation (&back, rec.translations [i].language);
        assert_non_null (t);
        //  byte for byte: accents, ß, umlauts, guillemets
        assert_string_equal (t->title, rec.translations [i].title);
        assert_string_equal (t->text, rec.translations [i].text);
    }
    assert_null (cii_recommendation_translation (&back, "en"));
    assert_string_equal (back.adopted_on, "2027-04-20");
    assert_string_equal (back.report_by, "2027-12-31");
    assert_int_equal (back.n_basis, 3);
    assert_string_equal (back.basis [2], s_basis [2]);
    assert_int_equal (back.n_cantons, 3);
    assert_string_equal (back.cantons [1], "VS");
    assert_int_equal (back.n_partners, 2);
    assert_true (back.all_cantons);
    assert_int_equal (back.issued_at_ms, 1808000000000);
    assert_string_equal (back.note, rec.note);
    cii_codec_free (&env);
}

//  Four texts of 8,000 bytes and four titles of 200, 64 basis entries, 26 cantons, 32 partners:
//  the largest legal recommendation fits in one frame.
static void
test_recommendation_largest_fits (void **state)
{
    (void) state;
    cii_recommendation_t rec, back;
    s_recommendation (&rec);
    static char texts [4][CII_MAX_TEXT + 1], titles [4][CII_MAX_TITLE + 1];
    for (size_t i = 0; i < 4; i++) {
        memset (texts [i], 'a' + (int) i, CII_MAX_TEXT);
        memset (titles [i], 'A' + (int) i, CII_MAX_TITLE);
        rec.translations [i].text = texts [i];
        rec.translations [i].title = titles [i];
    }
    static char basis [CII_MAX_BASIS][CII_MAX_BASIS_ITEM + 1];
    static const char *basis_p [CII_MAX_BASIS];
    for (size_t i = 0; i < CII_MAX_BASIS; i++) {
        memset (basis [i], 'x', CII_MAX_BASIS_ITEM);
        snprintf (basis [i], 8, "B%04zu", i);
        basis [i][7] = 'x';
        basis_p [i] = basis [i];
    }
    rec.basis = basis_p;
    rec.n_basis = CII_MAX_BASIS;
    static const char *cantons [CII_CANTON_COUNT];
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        cantons [i] = cii_domain_canton_at (i);
    rec.cantons = cantons;
    rec.n_cantons = CII_CANTON_COUNT;
    static char partners [CII_MAX_PARTNERS][CII_MAX_BASIS_ITEM + 1];
    static const char *partners_p [CII_MAX_PARTNERS];
    for (size_t i = 0; i < CII_MAX_PARTNERS; i++) {
        memset (partners [i], 'p', CII_MAX_BASIS_ITEM);
        snprintf (partners [i], 8, "P%04zu", i);
        partners [i][7] = 'p';
        partners_p [i] = partners [i];
    }
    rec.partners = partners_p;
    rec.n_partners = CII_MAX_PARTNERS;
    static char note [CII_MAX_REASON + 1];
    memset (note, 'n', CII_MAX_REASON);
    rec.note = note;
    Cii__Envelope *env = s_deliver_round_trip (&rec, &back);
    assert_int_equal (back.n_cantons, 26);
    assert_int_equal (strlen (back.translations [3].text), CII_MAX_TEXT);
    cii_codec_free (&env);
}

//  rec must be refused by the domain check and by the packer, with a reason containing `field`.
static void
s_refused (const cii_recommendation_t *rec, const char *field)
{
    cii_err_t err;
    cii_rc_t rc = cii_recommendation_check (rec, NULL, &err);
    if (rc == CII_OK || !strstr (err.text, field))
        fail_msg ("expected a refusal naming %s, got %d: %s", field, rc, rc == CII_OK ? "" : err.text);
    uint8_t *body = (uint8_t *) 0x1;
    size_t size = 0;
    assert_int_not_equal (cii_wire_recommendation_pack (rec, &body, &size, &err), CII_OK);
    assert_true (strstr (err.text, field) != NULL);
}

static void
test_recommendation_limits (void **state)
{
    (void) state;
    cii_recommendation_t rec;

    s_recommendation (&rec);
    rec.ref = "REC-27-1";
    s_refused (&rec, "recommendation.ref");
    rec.ref = "CII-2027-0001";
    s_refused (&rec, "recommendation.ref");

    s_recommendation (&rec);
    rec.version = 0;
    s_refused (&rec, "recommendation.version");

    //  Italian missing (only fr, de, rm)
    s_recommendation (&rec);
    rec.translations [2] = rec.translations [3];
    rec.n_translations = 3;
    s_refused (&rec, "recommendation.title.it: missing");

    //  the same language twice
    s_recommendation (&rec);
    rec.translations [3] = rec.translations [0];
    s_refused (&rec, "a second fr text");

    //  a language that is not one of ours
    s_recommendation (&rec);
    memcpy (rec.translations [3].language, "en", 3);
    s_refused (&rec, "translations[3].language");

    s_recommendation (&rec);
    rec.translations [1].text = "";
    s_refused (&rec, "recommendation.text.de: missing");
    s_recommendation (&rec);
    rec.translations [0].title = "Titre\001de contrôle";
    s_refused (&rec, "recommendation.title.fr: not valid UTF-8");

    s_recommendation (&rec);
    rec.report_by = "";
    s_refused (&rec, "recommendation.report_by");
    s_recommendation (&rec);
    rec.report_by = "2027-02-30";
    s_refused (&rec, "recommendation.report_by");
    s_recommendation (&rec);
    rec.report_by = "2027-04-19";
    s_refused (&rec, "before the adoption");
    s_recommendation (&rec);
    rec.adopted_on = "20.04.2027";
    s_refused (&rec, "recommendation.adopted_on");

    static const char *const bad_canton [] = { "VD", "ZZ" };
    s_recommendation (&rec);
    rec.cantons = bad_canton;
    rec.n_cantons = 2;
    s_refused (&rec, "recommendation.cantons[1]");
    static const char *const twice [] = { "VD", "VD" };
    rec.cantons = twice;
    s_refused (&rec, "duplicate");
    rec.n_cantons = 0;
    s_refused (&rec, "recommendation.cantons: missing");

    static const char *const bad_basis [] = { "CII-2027-0001", "deux\nlignes" };
    s_recommendation (&rec);
    rec.basis = bad_basis;
    rec.n_basis = 2;
    s_refused (&rec, "recommendation.basis[1]");
}

//  A crafted DELIVER with a recommendation the codec must refuse on decode: MALFORMED, field named.
static void
test_recommendation_decode_refused (void **state)
{
    (void) state;
    Cii__Translation fr = CII__TRANSLATION__INIT, de = CII__TRANSLATION__INIT;
    fr.language = "fr";
    fr.title = "Titre";
    fr.text = "Texte";
    de.language = "de";
    de.title = "Titel";
    de.text = "Text";
    Cii__Translation *translations [] = { &fr, &de };
    Cii__Recommendation rec = CII__RECOMMENDATION__INIT;
    rec.ref = "REC-2027-01";
    rec.version = 1;
    rec.translations = translations;
    rec.n_translations = 2;                      //  no Italian
    rec.adopted_on = "2027-04-20";
    rec.report_by = "2027-12-31";
    char *cantons [] = { "VD" };
    rec.cantons = cantons;
    rec.n_cantons = 1;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = 3;
    deliver.item_case = CII__DELIVER__ITEM_RECOMMENDATION;
    deliver.recommendation = &rec;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "d-1-3";
    env.body_case = CII__ENVELOPE__BODY_DELIVER;
    env.deliver = &deliver;
    size_t size = cii__envelope__get_packed_size (&env);
    uint8_t *data = malloc (size);
    assert_non_null (data);
    cii__envelope__pack (&env, data);
    Cii__Envelope *out = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (data, size, &out, &err), CII_BAD_INPUT);
    assert_null (out);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_MALFORMED);
    assert_non_null (strstr (err.text, "title.it: missing"));
    assert_string_equal (err.message_id, "d-1-3");
    free (data);
}

//  --------------------------------------------------------------------------------------------
//  PUSH and REPORT

static void
s_push (cii_push_t *push)
{
    memset (push, 0, sizeof *push);
    push->ref = "REC-2027-01";
    push->version = 2;
    memcpy (push->canton, "VD", 3);
    push->state = "pushed";
    push->adapter = "webhook";
    push->detail = "HTTP 201 from https://sedex.vd.ch/cii";
    push->attempts = 3;
    push->at_ms = 1808000100000;
}

static void
s_report (cii_report_t *report)
{
    memset (report, 0, sizeof *report);
    report->ref = "REC-2027-01";
    memcpy (report->canton, "TI", 3);
    report->state = "declined";
    report->note = "Declinato, perché il Cantone ha già un servizio equivalente (Sportello più).";
    report->at_ms = 1808000200000;
    report->version = 2;
    report->source = "file";
}

//  Encodes an upward frame and decodes it: the envelope (free it).
static Cii__Envelope *
s_up_round_trip (uint8_t *data, size_t size, const char *kind)
{
    Cii__Envelope *env = NULL;
    cii_codec_error_t cerr;
    assert_int_equal (cii_codec_decode (data, size, &env, &cerr), CII_OK);
    free (data);
    assert_string_equal (cii_codec_kind (env)->name, kind);
    return env;
}

static void
test_push_report_round_trip (void **state)
{
    (void) state;
    cii_push_t push, push_back;
    s_push (&push);
    uint8_t *data = NULL;
    size_t size = 0;
    cii_err_t err;
    assert_int_equal (cii_wire_push_envelope (&push, "m-push-1", &data, &size, &err), CII_OK);
    Cii__Envelope *env = s_up_round_trip (data, size, "push");
    cii_wire_push_view (env->push, &push_back);
    assert_string_equal (push_back.ref, "REC-2027-01");
    assert_int_equal (push_back.version, 2);
    assert_string_equal (push_back.canton, "VD");
    assert_string_equal (push_back.state, "pushed");
    assert_string_equal (push_back.adapter, "webhook");
    assert_string_equal (push_back.detail, push.detail);
    assert_int_equal (push_back.attempts, 3);
    assert_int_equal (push_back.at_ms, push.at_ms);
    cii_codec_free (&env);

    cii_report_t report, report_back;
    s_report (&report);
    assert_int_equal (cii_wire_report_envelope (&report, "m-report-1", &data, &size, &err), CII_OK);
    env = s_up_round_trip (data, size, "report");
    cii_wire_report_view (env->report, &report_back);
    assert_string_equal (report_back.ref, "REC-2027-01");
    assert_string_equal (report_back.canton, "TI");
    assert_string_equal (report_back.state, "declined");
    assert_string_equal (report_back.note, report.note);
    assert_int_equal (report_back.version, 2);
    assert_string_equal (report_back.source, "file");
    cii_codec_free (&env);
}

static void
s_push_refused (const cii_push_t *push, cii_rc_t rc, const char *field)
{
    cii_err_t err;
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_push_check (push, NULL, &err), rc);
    assert_non_null (strstr (err.text, field));
    assert_int_not_equal (cii_wire_push_envelope (push, "m-1", &data, &size, &err), CII_OK);
    assert_null (data);
}

static void
s_report_refused (const cii_report_t *report, cii_rc_t rc, const char *field)
{
    cii_err_t err;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_rc_t got = cii_report_check (report, NULL, &err);
    if (got != rc || !strstr (err.text, field))
        fail_msg ("expected %d naming %s, got %d: %s", rc, field, got, got ? err.text : "");
    assert_int_not_equal (cii_wire_report_envelope (report, "m-1", &data, &size, &err), CII_OK);
    assert_null (data);
}

static void
test_push_limits (void **state)
{
    (void) state;
    cii_push_t push;
    s_push (&push);
    push.state = "queued";
    s_push_refused (&push, CII_BAD_INPUT, "push.state");
    s_push (&push);
    push.adapter = "ftp";
    s_push_refused (&push, CII_BAD_INPUT, "push.adapter");
    s_push (&push);
    memcpy (push.canton, "XX", 3);
    s_push_refused (&push, CII_NOT_FOUND, "push.canton: unknown canton");
    s_push (&push);
    push.attempts = 0;
    s_push_refused (&push, CII_BAD_INPUT, "push.attempts");
    s_push (&push);
    push.version = 0;
    s_push_refused (&push, CII_BAD_INPUT, "push.version");
    s_push (&push);
    push.detail = "two\nlines";
    s_push_refused (&push, CII_BAD_INPUT, "push.detail");

    //  an unknown canton on the wire is answered UNKNOWN_CANTON
    Cii__PushState wire = CII__PUSH_STATE__INIT;
    wire.ref = "REC-2027-01";
    wire.version = 1;
    wire.canton = "QQ";
    wire.state = "pushed";
    wire.adapter = "dir";
    wire.attempts = 1;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "m-push-9";
    env.body_case = CII__ENVELOPE__BODY_PUSH;
    env.push = &wire;
    size_t size = cii__envelope__get_packed_size (&env);
    uint8_t *data = malloc (size);
    assert_non_null (data);
    cii__envelope__pack (&env, data);
    Cii__Envelope *out = NULL;
    cii_codec_error_t cerr;
    assert_int_equal (cii_codec_decode (data, size, &out, &cerr), CII_BAD_INPUT);
    assert_int_equal (cerr.code, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON);
    assert_string_equal (cerr.message_id, "m-push-9");
    free (data);
}

static void
test_report_limits (void **state)
{
    (void) state;
    cii_report_t report;

    //  declined needs its reason: none, or blanks only
    s_report (&report);
    report.note = "";
    s_report_refused (&report, CII_BAD_INPUT, "declined needs its reason");
    report.note = " \t\n ";
    s_report_refused (&report, CII_BAD_INPUT, "declined needs its reason");
    //  ... but every other state may come without a note
    for (size_t i = 0; cii_domain_report_state_at (i); i++) {
        s_report (&report);
        report.state = cii_domain_report_state_at (i);
        if (strcmp (report.state, "declined") == 0)
            continue;
        report.note = "";
        cii_err_t err;
        assert_int_equal (cii_report_check (&report, NULL, &err), CII_OK);
    }
    s_report (&report);
    report.state = "done";
    s_report_refused (&report, CII_BAD_INPUT, "report.state");
    s_report (&report);
    report.ref = "REC-2027";
    s_report_refused (&report, CII_BAD_INPUT, "report.rec");
    s_report (&report);
    memcpy (report.canton, "??", 3);
    s_report_refused (&report, CII_NOT_FOUND, "report.canton");
    s_report (&report);
    report.source = "Coordinator";
    s_report_refused (&report, CII_BAD_INPUT, "report.source");
    s_report (&report);
    static char note [CII_MAX_REASON + 2];
    memset (note, 'x', CII_MAX_REASON + 1);
    report.note = note;
    s_report_refused (&report, CII_BAD_INPUT, "report.note: 4001 bytes, limit 4000");
}

static void
test_vocabulary (void **state)
{
    (void) state;
    assert_true (cii_domain_rec_ref_valid ("REC-2027-01"));
    assert_true (cii_domain_rec_ref_valid ("REC-2027-123"));
    assert_false (cii_domain_rec_ref_valid ("REC-2027-1"));
    assert_false (cii_domain_rec_ref_valid ("REC-2027-0A"));
    assert_false (cii_domain_rec_ref_valid ("rec-2027-01"));
    assert_false (cii_domain_rec_ref_valid (NULL));
    assert_true (cii_domain_report_state_final ("implemented"));
    assert_true (cii_domain_report_state_final ("declined"));
    assert_false (cii_domain_report_state_final ("in-progress"));
    assert_string_equal (cii_domain_report_state_at (2), "in-progress");
    assert_null (cii_domain_report_state_at (5));
    assert_true (cii_domain_push_adapter_valid ("dir"));
    assert_false (cii_domain_push_adapter_valid ("none"));
    const cii_kind_t *kind = cii_kind_find ("recommendation");
    assert_non_null (kind);
    assert_int_equal (kind->direction, CII_DOWN);
    assert_int_equal (kind->field, 12);
    assert_int_equal (cii_kind_find ("push")->field, 23);
    assert_int_equal (cii_kind_find ("report")->field, 24);
}

//  What a foreign system answers, made a valid one-line field: kept characters, '?' for the rest,
//  cut at a character boundary, ended at the first line.
static void
test_line_copy (void **state)
{
    (void) state;
    char out [16];
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "  ok\tdone \r\nmore", 19), "ok?done");
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "\xe9t\xe9 \xff", 6), "?t? ?");
    //  15 bytes fit: 14 letters, then a 2-byte character that would not fit whole is left out
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "abcdefghijklmn\xc3\xa9", 16), "abcdefghijklmn");
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "\xc3\xa9t\xc3\xa9", 5), "\xc3\xa9t\xc3\xa9");
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "\xe2\x82", 2), "??");      //  cut character
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "\xed\xa0\x80", 3), "???");  //  surrogate
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "a\0b", 3), "a");
    assert_string_equal (cii_domain_line_copy (out, sizeof out, "", 0), "");
    char big [600];
    memset (big, 'x', sizeof big);
    char detail [CII_MAX_DETAIL + 1];
    cii_domain_line_copy (detail, sizeof detail, big, sizeof big);
    assert_int_equal (strlen (detail), CII_MAX_DETAIL);
    assert_true (cii_domain_line_valid (detail, strlen (detail)));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_recommendation_round_trip),
        cmocka_unit_test (test_recommendation_largest_fits),
        cmocka_unit_test (test_recommendation_limits),
        cmocka_unit_test (test_recommendation_decode_refused),
        cmocka_unit_test (test_push_report_round_trip),
        cmocka_unit_test (test_push_limits),
        cmocka_unit_test (test_report_limits),
        cmocka_unit_test (test_vocabulary),
        cmocka_unit_test (test_line_copy),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
