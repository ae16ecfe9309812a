/*  test_hub_cli_gate.c — the bureau's gate verbs of cii-hub (requests, show, decide, theme new,
    themes, gate) run in process against a real PostgreSQL: the listing and its filters, a request
    and a theme shown in full as JSON and text, decisions and their one-line refusals (exit 1) and
    usage errors (exit 2), themes, thresholds, --help, and hostile text through every field
    untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_cli.h"
#include "hub_gate.h"
#include "unit_cli.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    int64_t leman;
    int64_t zh;
    char a [HUB_MAX_REF];       //  lemanique, VD
    char b [HUB_MAX_REF];       //  zuerich, ZH
} s_fixture_t;

//  The shared cii-hub fixture (unit_hub_cli.h) under this file's names.
#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_err_line(fx, n) unit_hub_cli_err_line (&(fx)->cli, n)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "gatecli", true);
    fx->leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    fx->zh = unit_hub_enrol (fx->cli.hub, "zuerich");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_cli_clear (&fx->cli);
    free (fx);
    return 0;
}

//  Two requests (lemanique VD, zuerich ZH), evaluated and their first STATUS queued.
static void
s_two (s_fixture_t *fx)
{
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-a", fx->a);
    ug_simple (fx->cli.hub, fx->zh, "zuerich", "ZH", "req-b", fx->b);
    cii_err_t err;
    assert_int_equal (hub_gate_after_commit (fx->cli.hub->store, &err), CII_OK);
}

static void
test_usage_and_help (void **state)
{
    s_fixture_t *fx = *state;
    const char *verbs [] = { "requests", "show", "decide", "themes", "gate" };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs [0]; i++) {
        assert_int_equal (s_run (fx, verbs [i], "--help", NULL), 0);
        char expect [64];
        snprintf (expect, sizeof expect, "usage: cii-hub %s", verbs [i]);
        assert_non_null (strstr (fx->cli.run.out, expect));
    }
    assert_int_equal (s_run (fx, "theme", "new", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub theme new"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "decide"));
    assert_int_equal (s_run (fx, "show", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub show: missing argument REF");
    assert_int_equal (s_run (fx, "decide", "CII-2027-0001", "--to", "admissible", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub decide: --to and --organ are required");
    assert_int_equal (s_run (fx, "theme", "new", "CII-2027-0001", "CII-2027-0002", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub theme new: --title is required");
    assert_int_equal (s_run (fx, "theme", "new", "--title", "T", NULL), 2);
    assert_int_equal (s_run (fx, "gate", "--c3-min-cantons", "two", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub gate: --c3-min-cantons needs a whole number");
    assert_int_equal (s_run (fx, "requests", "--state", NULL), 2);
}

static void
test_requests (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "requests", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no requests\n");
    assert_int_equal (s_run (fx, "requests", "--json", NULL), 0);
    assert_string_equal (fx->cli.run.out, "[]\n");
    s_two (fx);
    assert_int_equal (s_run (fx, "requests", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 3);
    assert_non_null (strstr (fx->cli.run.out, fx->a));
    assert_non_null (strstr (fx->cli.run.out, "3/4"));
    assert_int_equal (s_run (fx, "requests", "--json", NULL), 0);
    json_t *list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 2);
    json_t *first = json_array_get (list, 0);
    char quoted [64];
    snprintf (quoted, sizeof quoted, "\"%s\"", fx->a);
    s_json_member (first, "ref", quoted);
    s_json_member (first, "network", "\"lemanique\"");
    s_json_member (first, "title", "\"Demande\"");
    s_json_member (first, "state", "\"received\"");
    s_json_member (first, "cantons", "[\"VD\"]");
    s_json_member (first, "criteria_met", "[\"C1\",\"C2\",\"C4\"]");
    s_json_member (first, "theme", "null");
    assert_true (json_is_string (json_object_get (first, "received_at")));
    json_decref (list);
    //  Filters.
    assert_int_equal (s_run (fx, "requests", "--network", "zuerich", "--json", NULL), 0);
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 1);
    snprintf (quoted, sizeof quoted, "\"%s\"", fx->b);
    s_json_member (json_array_get (list, 0), "ref", quoted);
    json_decref (list);
    assert_int_equal (s_run (fx, "requests", "--canton", "VD", "--state", "received", "--json", NULL), 0);
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 1);
    json_decref (list);
    assert_int_equal (s_run (fx, "requests", "--state", "admissible", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no requests\n");
    s_run (fx, "requests", "--state", "decided", NULL);
    s_assert_refused (fx, "cii-hub requests: unknown state \"decided\" (received, grouped, admissible, inadmissible, "
                          "withdrawn, scheduled, answered, wg-mandated, referred-to-cp, deferred, declined, project, "
                          "recommendation-planned, returned-to-cdc, wg-reported, recommended)");
    s_run (fx, "requests", "--network", "atlantis", "--json", NULL);
    s_assert_refused (fx, "cii-hub requests: unknown network atlantis");
    s_run (fx, "requests", "--canton", "XX", NULL);
    s_assert_refused (fx, "cii-hub requests: unknown canton \"XX\"");
}

static void
test_show (void **state)
{
    s_fixture_t *fx = *state;
    s_two (fx);
    assert_int_equal (s_run (fx, "show", fx->a, "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    char quoted [64];
    snprintf (quoted, sizeof quoted, "\"%s\"", fx->a);
    s_json_member (doc, "ref", quoted);
    s_json_member (doc, "network", "\"lemanique\"");
    s_json_member (doc, "title", "\"Demande\"");
    s_json_member (doc, "summary", "\"Les personnes atteintes dans leur santé tombent entre l'AI et l'aide sociale.\"");
    s_json_member (doc, "state", "\"received\"");
    s_json_member (doc, "cantons", "[\"VD\"]");
    s_json_member (doc, "institutions", "[\"social-aid\",\"health\"]");
    s_json_member (doc, "target_groups", "[]");
    s_json_member (doc, "objectives", "[\"labour-market-integration\"]");
    s_json_member (doc, "priorities", "[\"P3\"]");
    s_json_member (doc, "signals", "[\"SIG-1\"]");
    s_json_member (doc, "theme", "null");
    s_json_member (doc, "lineage", "[]");
    s_json_member (doc, "request_id", "\"req-a\"");
    json_t *criteria = json_object_get (doc, "criteria");
    assert_int_equal (json_array_size (criteria), 4);
    s_json_member (json_array_get (criteria, 2), "id", "\"C3\"");
    s_json_member (json_array_get (criteria, 2), "met", "false");
    s_json_member (json_array_get (criteria, 2), "reason", "\"1 supporting canton (VD); no other network with a similar "
                                                           "request; thresholds 2 cantons or 2 networks\"");
    json_t *history = json_object_get (doc, "history");
    assert_int_equal (json_array_size (history), 1);
    s_json_member (json_array_get (history, 0), "state", "\"received\"");
    s_json_member (json_array_get (history, 0), "organ", "\"hub\"");
    s_json_member (json_array_get (history, 0), "note", "\"\"");
    assert_true (json_is_string (json_object_get (json_array_get (history, 0), "at")));
    json_decref (doc);
    //  The text form.
    assert_int_equal (s_run (fx, "show", fx->a, NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "criteria\n  C1  met      2 institutions involved"));
    assert_non_null (strstr (fx->cli.run.out, "  C3  not met  1 supporting canton (VD)"));
    assert_non_null (strstr (fx->cli.run.out, "history\n"));
    assert_non_null (strstr (fx->cli.run.out, "received                hub"));
    s_run (fx, "show", "CII-1999-0001", NULL);
    s_assert_refused (fx, "cii-hub show: unknown request CII-1999-0001");
    s_run (fx, "show", "NT-1999-01", "--json", NULL);
    s_assert_refused (fx, "cii-hub show: unknown theme NT-1999-01");
    s_run (fx, "show", "bad\tref\n", NULL);
    s_assert_refused (fx, "cii-hub show: unknown request bad?ref?");
}

static void
test_decide (void **state)
{
    s_fixture_t *fx = *state;
    s_two (fx);
    char expect [512];
    s_run (fx, "decide", fx->a, "--to", "inadmissible", "--organ", "bureau", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: a note is required to move %s to inadmissible (the reason)", fx->a);
    s_assert_refused (fx, expect);
    s_run (fx, "decide", fx->a, "--to", "decided", "--organ", "bureau", NULL);
    s_assert_refused (fx, "cii-hub decide: unknown state \"decided\" (received, grouped, admissible, inadmissible, "
                          "withdrawn, scheduled, answered, wg-mandated, referred-to-cp, deferred, declined, project, "
                          "recommendation-planned, returned-to-cdc, wg-reported or recommended)");
    s_run (fx, "decide", fx->a, "--to", "scheduled", "--organ", "bureau", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: %s is received: the bureau may move it to admissible or "
              "inadmissible", fx->a);
    s_assert_refused (fx, expect);
    s_run (fx, "decide", fx->a, "--to", "admissible", "--organ", "cp", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: %s is received: the bureau may move it to admissible or "
              "inadmissible", fx->a);
    s_assert_refused (fx, expect);
    s_run (fx, "decide", "CII-1999-0001", "--to", "admissible", "--organ", "bureau", NULL);
    s_assert_refused (fx, "cii-hub decide: unknown request CII-1999-0001");
    assert_int_equal (s_run (fx, "decide", fx->a, "--to", "admissible", "--organ", "bureau", NULL), 0);
    snprintf (expect, sizeof expect, "%s: received -> admissible (bureau)\n", fx->a);
    assert_string_equal (fx->cli.run.out, expect);
    assert_int_equal (s_run (fx, "decide", fx->b, "--to", "inadmissible", "--organ", "bureau", "--note",
                             "Kein CII-Bezug: nur ein Amt betroffen.", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    char quoted [64];
    snprintf (quoted, sizeof quoted, "\"%s\"", fx->b);
    s_json_member (doc, "ref", quoted);
    s_json_member (doc, "state", "\"inadmissible\"");
    s_json_member (doc, "organ", "\"bureau\"");
    char requests [128];
    snprintf (requests, sizeof requests, "[{\"ref\":\"%s\",\"from\":\"received\"}]", fx->b);
    s_json_member (doc, "requests", requests);
    json_decref (doc);
    s_run (fx, "decide", fx->b, "--to", "admissible", "--organ", "bureau", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: %s is inadmissible, which is final", fx->b);
    s_assert_refused (fx, expect);
    assert_int_equal (s_run (fx, "show", fx->b, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    json_t *history = json_object_get (doc, "history");
    assert_int_equal (json_array_size (history), 2);
    s_json_member (json_array_get (history, 1), "note", "\"Kein CII-Bezug: nur ein Amt betroffen.\"");
    json_decref (doc);
}

static void
test_themes (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "themes", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no themes\n");
    s_two (fx);
    assert_int_equal (s_run (fx, "theme", "new", "--title", "Santé psychique — Psychische Gesundheit", fx->a, fx->b,
                             "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    char ref [HUB_MAX_REF], quoted [64];
    snprintf (ref, sizeof ref, "NT-%d-01", ug_year (fx->cli.hub));
    snprintf (quoted, sizeof quoted, "\"%s\"", ref);
    s_json_member (doc, "ref", quoted);
    s_json_member (doc, "title", "\"Santé psychique — Psychische Gesundheit\"");
    json_decref (doc);
    assert_int_equal (s_run (fx, "themes", "--json", NULL), 0);
    json_t *list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 1);
    s_json_member (json_array_get (list, 0), "networks", "[\"lemanique\",\"zuerich\"]");
    s_json_member (json_array_get (list, 0), "cantons", "[\"VD\",\"ZH\"]");
    s_json_member (json_array_get (list, 0), "state", "\"grouped\"");
    json_decref (list);
    assert_int_equal (s_run (fx, "themes", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 2);
    assert_int_equal (s_run (fx, "show", ref, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "ref", quoted);
    json_t *requests = json_object_get (doc, "requests");
    assert_int_equal (json_array_size (requests), 2);
    s_json_member (json_array_get (requests, 1), "state", "\"grouped\"");
    s_json_member (json_array_get (requests, 1), "theme", quoted);
    s_json_member (json_array_get (requests, 1), "criteria_met", "[\"C1\",\"C2\",\"C3\",\"C4\"]");
    json_decref (doc);
    assert_int_equal (s_run (fx, "show", ref, NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "requests\n"));
    assert_int_equal (s_run (fx, "decide", ref, "--to", "admissible", "--organ", "bureau", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 2);
    char expect [256];
    snprintf (expect, sizeof expect, "%s: grouped -> admissible (bureau)\n", fx->b);
    assert_non_null (strstr (fx->cli.run.out, expect));
    s_run (fx, "theme", "new", "--title", "Encore", fx->a, NULL);
    s_assert_refused (fx, "cii-hub theme new: a theme groups at least 2 requests");
}

static void
test_gate (void **state)
{
    s_fixture_t *fx = *state;
    s_two (fx);
    assert_int_equal (s_run (fx, "gate", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "C1  CII understanding"));
    assert_non_null (strstr (fx->cli.run.out, "thresholds: c3_min_cantons 2, c3_min_networks 2, c3_min_similarity 0.40\n"));
    s_run (fx, "gate", "--c3-min-similarity", "1.5", NULL);
    s_assert_refused (fx, "cii-hub gate: c3_min_similarity must be 0.05..1 (got 1.5)");
    assert_int_equal (s_run (fx, "gate", "--c3-min-similarity", "high", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub gate: --c3-min-similarity needs a number such as 0.4");
    assert_int_equal (s_run (fx, "gate", "--c3-min-similarity", "0.55", "--json", NULL), 0);
    json_t *set = s_json (fx->cli.run.out);
    s_json_member (set, "c3_min_similarity", "0.55");
    s_json_member (set, "reevaluated", "2");
    json_decref (set);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM settings WHERE key = 'c3_min_similarity' "
                                                "AND value = '0.55'"), 1);
    s_run (fx, "gate", "--c3-min-networks", "0", NULL);
    s_assert_refused (fx, "cii-hub gate: c3_min_networks must be 1..64 (got 0)");
    assert_int_equal (s_run (fx, "gate", "--c3-min-cantons", "1", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "c3_min_cantons", "1");
    s_json_member (doc, "c3_min_networks", "2");
    s_json_member (doc, "reevaluated", "2");
    assert_int_equal (json_array_size (json_object_get (doc, "criteria")), 4);
    json_decref (doc);
    assert_int_equal (s_run (fx, "requests", "--json", NULL), 0);
    json_t *list = s_json (fx->cli.run.out);
    s_json_member (json_array_get (list, 0), "criteria_met", "[\"C1\",\"C2\",\"C3\",\"C4\"]");
    json_decref (list);
}

//  Hostile text in every field of a request and of a decision comes back untouched.
static void
test_hostile_text (void **state)
{
    s_fixture_t *fx = *state;
    ug_signal (fx->cli.hub, fx->leman, "lemanique", "sig-h", "GE");
    const char *signals [] = { "sig-h" };
    const char *cantons [] = { "GE" };
    cii_request_t request;
    const char *title = "«Titre» \"quoted\" \\ {a,b} ; DROP TABLE requests; -- 🙂";
    ug_request (&request, title, signals, 1, cantons, 1);
    request.summary = "ligne 1\nZeile 2\r\n\triga 3 <script>alert(1)</script> %s %n";
    request.assessment = "\x1b[31m? no: escapes are not text";
    request.assessment = "NUL-free, but \"quotes\" and \\backslashes\\";
    const char *lineage [] = { "merged from \"a\", {b}", "split from \\c" };
    request.lineage = lineage;
    request.n_lineage = 2;
    hub_ingest_item_t item = ug_ingest_request (fx->cli.hub, fx->leman, "lemanique", "req-h", &request);
    assert_true (item.stored);
    cii_err_t err;
    assert_int_equal (hub_gate_after_commit (fx->cli.hub->store, &err), CII_OK);
    const char *note = "Motif: «hors champ» — \"nicht\" \\ {x}\nzweite Zeile\t%s";
    assert_int_equal (s_run (fx, "decide", item.ref, "--to", "inadmissible", "--organ", "bureau", "--note", note, NULL),
                      0);
    assert_int_equal (s_run (fx, "show", item.ref, "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    assert_string_equal (json_string_value (json_object_get (doc, "title")), title);
    assert_string_equal (json_string_value (json_object_get (doc, "summary")), request.summary);
    assert_string_equal (json_string_value (json_object_get (doc, "assessment")), request.assessment);
    assert_string_equal (json_string_value (json_array_get (json_object_get (doc, "lineage"), 0)), lineage [0]);
    assert_string_equal (json_string_value (json_array_get (json_object_get (doc, "lineage"), 1)), lineage [1]);
    json_t *history = json_object_get (doc, "history");
    assert_string_equal (json_string_value (json_object_get (json_array_get (history, 1), "note")), note);
    json_decref (doc);
    assert_int_equal (s_run (fx, "requests", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, title));
    //  A note that is not text is refused on one line, and nothing changes.
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-i", fx->a);
    s_run (fx, "decide", fx->a, "--to", "inadmissible", "--organ", "bureau", "--note", "bad \x01\xfe", NULL);
    s_assert_refused (fx, "cii-hub decide: the note must be at most 4000 bytes of UTF-8 text (got 6 bytes, not valid "
                          "text)");
    s_run (fx, "theme", "new", "--title", "\xc3", fx->a, item.ref, NULL);
    s_assert_refused (fx, "cii-hub theme new: the title must be 1..200 bytes of UTF-8 text (got 1 bytes)");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_usage_and_help, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_requests, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_show, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_decide, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_themes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gate, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_hostile_text, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
