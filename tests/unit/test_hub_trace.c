/*  test_hub_trace.c — `cii-hub trace REF [--json]` (hub_trace, hub_store_trace) run in process
    against a real PostgreSQL: two requests of a theme (one with the lineage its agent sent)
    through the bureau, a CDC meeting and a CP meeting to a project and a working group that
    reports; the trace of a request, of the theme, of a signal (and of a signal in no request) as
    JSON and as text; unknown references refused with one line, exit 1; hostile text. */
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
#include "hub_trace.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

#define S_HOSTILE "Demande «AI» \"'; DROP TABLE requests;--\x1b[2J"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    int64_t leman;
    char a [HUB_MAX_REF];
    char b [HUB_MAX_REF];
    char theme [HUB_MAX_REF];
    char wg [HUB_MAX_REF];
    char project [HUB_MAX_REF];
    char sig_a [HUB_MAX_REF];
    char sig_b [HUB_MAX_REF];
    char *dir;
    int year;
} s_fixture_t;

//  The shared cii-hub fixture (unit_hub_cli.h) under this file's names.
#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

#define S_OK(fx, ...) unit_hub_cli_ok (&(fx)->cli, __VA_ARGS__, NULL)

//  A request of lemanique with one signal of canton, title and lineage notes (n of them).
static void
s_request (s_fixture_t *fx, const char *id, const char *canton, const char *title, const char *const *lineage,
           size_t n, char ref [HUB_MAX_REF], char sig [HUB_MAX_REF])
{
    char signal_id [80];
    snprintf (signal_id, sizeof signal_id, "sig-%s", id);
    cii_signal_t signal;
    unit_domain_signal (&signal, canton, title);
    hub_ingest_item_t item = ug_item (fx->leman, "lemanique", signal_id, &hub_store_signal_shape, &signal, signal_id);
    assert_int_equal (hub_store_ingest (fx->cli.hub->store, &item, 1, NULL), CII_OK);
    assert_true (item.stored);
    snprintf (sig, HUB_MAX_REF, "%s", item.ref);
    const char *signals [] = { signal_id };
    const char *cantons [] = { canton };
    cii_request_t request;
    ug_request (&request, title, signals, 1, cantons, 1);
    request.lineage = lineage;
    request.n_lineage = n;
    hub_ingest_item_t stored = ug_ingest_request (fx->cli.hub, fx->leman, "lemanique", id, &request);
    if (!stored.stored)
        fail_msg ("request %s not stored: %s", id, stored.reason);
    snprintf (ref, HUB_MAX_REF, "%s", stored.ref);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "trace", true);
    fx->leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    fx->dir = unit_dir_new ("trace");
    fx->year = ug_year (fx->cli.hub);
    *state = fx;
    //  The story: a theme of two requests through the bureau, the CDC (M-2031-01) and the CP
    //  (M-2031-02): a project for the first, a working group (reported) for the second.
    const char *lineage [] = { "merged from draft 4 (GE)", "split from draft 2" };
    s_request (fx, "req-a", "VD", S_HOSTILE, lineage, 2, fx->a, fx->sig_a);
    s_request (fx, "req-b", "GE", "Passerelles AI", NULL, 0, fx->b, fx->sig_b);
    char from [16], to [16];
    snprintf (from, sizeof from, "%d", fx->year);
    snprintf (to, sizeof to, "%d", fx->year + 1);
    S_OK (fx, "programme", "new", "--from", from, "--to", to, "--presidency", "SECO");
    S_OK (fx, "theme", "new", fx->a, fx->b, "--title", "Passerelles");
    snprintf (fx->theme, sizeof fx->theme, "NT-%d-01", fx->year);
    S_OK (fx, "decide", fx->theme, "--to", "admissible", "--organ", "bureau");
    S_OK (fx, "decide", fx->theme, "--to", "scheduled", "--organ", "bureau");
    S_OK (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10");
    S_OK (fx, "meeting", "new", "--organ", "cp", "--date", "2031-04-10");
    S_OK (fx, "decide", fx->theme, "--to", "referred-to-cp", "--organ", "cdc", "--meeting", "M-2031-01", "--note",
          "Au CP.\n«suite» \"'; --");
    S_OK (fx, "decide", fx->a, "--to", "project", "--organ", "cp", "--meeting", "M-2031-02");
    snprintf (fx->project, sizeof fx->project, "PR-%d-01", fx->year);
    S_OK (fx, "decide", fx->b, "--to", "wg-mandated", "--organ", "cp", "--meeting", "M-2031-02");
    S_OK (fx, "wg", "new", "--mandated-by", "cp", "--refs", fx->b, "--title", "Groupe passerelles", "--context", "C.",
          "--objective", "O.", "--deliverables", "D.", "--process", "P.", "--composition", "C.", "--communication",
          "C.", "--financing", "F.", "--lead", "OFAS", "--staffing", "S.", "--until", "2031-09-30", "--meeting",
          "M-2031-02");
    snprintf (fx->wg, sizeof fx->wg, "WG-%d-01", fx->year);
    char *result = unit_path (fx->dir, "result.md");
    unit_write_text (result, "# Résultat\n");
    S_OK (fx, "wg", "report", fx->wg, "--file", result);
    free (result);
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_cli_clear (&fx->cli);
    unit_dir_destroy (&fx->dir);
    free (fx);
    return 0;
}

static const char *
s_str (const json_t *obj, const char *key)
{
    const char *text = json_string_value (json_object_get (obj, key));
    if (!text)
        fail_msg ("%s is not a string", key);
    return text;
}

//  The decisions of doc for request ref, as "state/organ/meeting" joined by spaces.
static void
s_decisions_are (const json_t *doc, const char *ref, const char *expect)
{
    char got [1024] = "";
    size_t used = 0, index;
    json_t *row;
    json_array_foreach (json_object_get (doc, "decisions"), index, row) {
        if (strcmp (s_str (row, "request"), ref) != 0)
            continue;
        const char *meeting = json_string_value (json_object_get (row, "meeting"));
        assert_non_null (json_string_value (json_object_get (row, "at")));
        used += (size_t) snprintf (got + used, sizeof got - used, "%s%s/%s/%s", used ? " " : "", s_str (row, "state"),
                                   s_str (row, "organ"), meeting ? meeting : "-");
    }
    if (strcmp (got, expect) != 0)
        fail_msg ("decisions of %s: got \"%s\", expected \"%s\"", ref, got, expect);
}

static void
test_trace_request_json (void **state)
{
    s_fixture_t *fx = *state;
    S_OK (fx, "trace", fx->a, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    assert_string_equal (s_str (doc, "ref"), fx->a);
    assert_string_equal (s_str (doc, "kind"), "request");
    //  signals -> request -> theme
    json_t *signals = json_object_get (doc, "signals");
    assert_int_equal (json_array_size (signals), 1);
    json_t *sig = json_array_get (signals, 0);
    assert_string_equal (s_str (sig, "ref"), fx->sig_a);
    assert_string_equal (s_str (sig, "canton"), "VD");
    assert_string_equal (s_str (sig, "language"), "fr");
    assert_string_equal (s_str (sig, "title"), S_HOSTILE);
    assert_string_equal (json_string_value (json_array_get (json_object_get (sig, "requests"), 0)), fx->a);
    json_t *requests = json_object_get (doc, "requests");
    assert_int_equal (json_array_size (requests), 1);
    json_t *request = json_array_get (requests, 0);
    assert_string_equal (s_str (request, "ref"), fx->a);
    assert_string_equal (s_str (request, "state"), "project");
    assert_string_equal (s_str (request, "title"), S_HOSTILE);
    assert_string_equal (s_str (request, "theme"), fx->theme);
    json_t *lineage = json_object_get (request, "lineage");
    assert_int_equal (json_array_size (lineage), 2);
    assert_string_equal (json_string_value (json_array_get (lineage, 0)), "merged from draft 4 (GE)");
    json_t *themes = json_object_get (doc, "themes");
    assert_int_equal (json_array_size (themes), 1);
    assert_string_equal (s_str (json_array_get (themes, 0), "ref"), fx->theme);
    assert_string_equal (s_str (json_array_get (themes, 0), "title"), "Passerelles");
    //  each decision in order, with its organ and meeting; the note untouched
    s_decisions_are (doc, fx->a, "received/hub/- grouped/bureau/- admissible/bureau/- scheduled/bureau/- "
                                 "referred-to-cp/cdc/M-2031-01 project/cp/M-2031-02");
    json_t *referred = json_array_get (json_object_get (doc, "decisions"), 4);
    assert_string_equal (s_str (referred, "note"), "Au CP.\n«suite» \"'; --");
    //  the project, no working group
    assert_int_equal (json_array_size (json_object_get (doc, "working_groups")), 0);
    json_t *projects = json_object_get (doc, "projects");
    assert_int_equal (json_array_size (projects), 1);
    json_t *project = json_array_get (projects, 0);
    assert_string_equal (s_str (project, "ref"), fx->project);
    assert_string_equal (s_str (project, "kind"), "cii");
    char programme [32];
    snprintf (programme, sizeof programme, "WP-%d-%d", fx->year, fx->year + 1);
    assert_string_equal (s_str (project, "programme"), programme);
    assert_string_equal (s_str (project, "decided_by"), "cp");
    json_decref (doc);
}

static void
test_trace_theme_and_signal (void **state)
{
    s_fixture_t *fx = *state;
    S_OK (fx, "trace", fx->theme, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    assert_string_equal (s_str (doc, "kind"), "theme");
    assert_int_equal (json_array_size (json_object_get (doc, "signals")), 2);
    assert_int_equal (json_array_size (json_object_get (doc, "requests")), 2);
    assert_int_equal (json_array_size (json_object_get (doc, "themes")), 1);
    s_decisions_are (doc, fx->b, "received/hub/- grouped/bureau/- admissible/bureau/- scheduled/bureau/- "
                                 "referred-to-cp/cdc/M-2031-01 wg-mandated/cp/M-2031-02 wg-reported/wg/-");
    assert_int_equal (json_array_size (json_object_get (doc, "working_groups")), 1);
    assert_int_equal (json_array_size (json_object_get (doc, "projects")), 1);
    json_decref (doc);
    //  A signal: found through its request.
    S_OK (fx, "trace", fx->sig_b, "--json");
    doc = s_json (fx->cli.run.out);
    assert_string_equal (s_str (doc, "kind"), "signal");
    assert_int_equal (json_array_size (json_object_get (doc, "requests")), 1);
    assert_string_equal (s_str (json_array_get (json_object_get (doc, "requests"), 0), "ref"), fx->b);
    json_t *wg = json_array_get (json_object_get (doc, "working_groups"), 0);
    assert_string_equal (s_str (wg, "ref"), fx->wg);
    assert_string_equal (s_str (wg, "mandated_by"), "cp");
    assert_string_equal (s_str (wg, "until"), "2031-09-30");
    assert_string_equal (s_str (wg, "meeting"), "M-2031-02");
    assert_true (json_is_true (json_object_get (wg, "reported")));
    assert_int_equal (json_array_size (json_object_get (doc, "projects")), 0);
    json_decref (doc);
    //  A signal no request consolidates: itself, nothing else.
    ug_signal (fx->cli.hub, fx->leman, "lemanique", "sig-alone", "VS");
    char *alone = unit_pg_text (fx->cli.hub->pg, "SELECT ref FROM signals WHERE message_id = 'sig-alone'");
    S_OK (fx, "trace", alone, "--json");
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (json_object_get (doc, "signals")), 1);
    assert_string_equal (s_str (json_array_get (json_object_get (doc, "signals"), 0), "canton"), "VS");
    assert_int_equal (json_array_size (json_object_get (json_array_get (json_object_get (doc, "signals"), 0),
                                                        "requests")), 0);
    assert_int_equal (json_array_size (json_object_get (doc, "requests")), 0);
    assert_int_equal (json_array_size (json_object_get (doc, "decisions")), 0);
    json_decref (doc);
    S_OK (fx, "trace", alone);
    assert_non_null (strstr (fx->cli.run.out, "requests\n  (none)\n"));
    free (alone);
}

static void
test_trace_text (void **state)
{
    s_fixture_t *fx = *state;
    S_OK (fx, "trace", fx->b);
    char expect [512];
    const char *out = fx->cli.run.out;
    snprintf (expect, sizeof expect, "trace %s (request)\nsignals\n  %s  lemanique  GE  fr  Passerelles AI\n",
              fx->b, fx->sig_b);
    if (strncmp (out, expect, strlen (expect)) != 0)
        fail_msg ("got:\n%s\nexpected to start with:\n%s", out, expect);
    snprintf (expect, sizeof expect, "requests\n  %s  lemanique  wg-reported  GE  Passerelles AI\ntheme\n  %s  ",
              fx->b, fx->theme);
    assert_non_null (strstr (out, expect));
    snprintf (expect, sizeof expect, "  %s  referred-to-cp  cdc  M-2031-01  Au CP.?«suite» \"'; --\n", fx->b);
    if (!strstr (out, expect))
        fail_msg ("got:\n%s\nexpected line:\n%s", out, expect);
    snprintf (expect, sizeof expect, "working groups\n  %s  mandated by cp  until 2031-09-30  reported ", fx->wg);
    assert_non_null (strstr (out, expect));
    assert_non_null (strstr (out, "projects\n  (none)\n"));
    //  The hostile title and the lineage of the first: control characters shown as '?'.
    S_OK (fx, "trace", fx->a);
    assert_non_null (strstr (fx->cli.run.out, "Demande «AI» \"'; DROP TABLE requests;--?[2J\n"));
    assert_null (strchr (fx->cli.run.out, '\x1b'));
    assert_non_null (strstr (fx->cli.run.out, "    lineage: merged from draft 4 (GE)\n    lineage: split from draft 2\n"));
    snprintf (expect, sizeof expect, "projects\n  %s  cii  WP-%d-%d  ", fx->project, fx->year, fx->year + 1);
    assert_non_null (strstr (fx->cli.run.out, expect));
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests"), 2);
}

static void
test_trace_unknown (void **state)
{
    s_fixture_t *fx = *state;
    s_run (fx, "trace", "CII-2031-0999", NULL);
    s_assert_refused (fx, "cii-hub trace: unknown request CII-2031-0999");
    s_run (fx, "trace", "NT-2031-99", "--json", NULL);
    s_assert_refused (fx, "cii-hub trace: unknown theme NT-2031-99");
    s_run (fx, "trace", "SIG-999999", NULL);
    s_assert_refused (fx, "cii-hub trace: unknown signal SIG-999999");
    s_run (fx, "trace", "WG-2031-01", NULL);
    s_assert_refused (fx, "cii-hub trace: unknown reference WG-2031-01: a request (CII-YYYY-NNNN), a theme "
                          "(NT-YYYY-NN), a signal (SIG-N) or a recommendation (REC-YYYY-NN)");
    s_run (fx, "trace", "CII-1'; DROP TABLE requests;--", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_non_null (strstr (fx->cli.run.err, "cii-hub trace: unknown request "));
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    s_run (fx, "trace", "SIG-\n\x1b[2J", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_null (strchr (fx->cli.run.err, '\x1b'));
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    //  Usage: no reference, two.
    assert_int_equal (s_run (fx, "trace", NULL), 2);
    assert_int_equal (s_run (fx, "trace", fx->a, fx->b, NULL), 2);
    assert_int_equal (s_run (fx, "trace", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub trace "));
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests"), 2);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_trace_request_json, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_theme_and_signal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_unknown, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
