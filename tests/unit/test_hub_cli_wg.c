/*  test_hub_cli_wg.c — the working-group and work-programme verbs of cii-hub (wg new|report|show,
    wgs [--overdue], programme new|show, project add|set, decide --to project) run in process
    against a real PostgreSQL: JSON (every create verb's `ref`) and text, --help from the table,
    one-line refusals (exit 1) with nothing stored, usage errors (exit 2), hostile text, a result
    file over the limit refused before it is read. */
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
#include "hub_wg.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    int64_t leman;
    char a [HUB_MAX_REF];
    char b [HUB_MAX_REF];
    char *dir;
    int year;
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
    unit_hub_cli_init (&fx->cli, "wgcli", true);
    fx->leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    fx->dir = unit_dir_new ("wgcli");
    fx->year = ug_year (fx->cli.hub);
    *state = fx;
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

static void
s_scheduled (s_fixture_t *fx, const char *id, const char *canton, char ref [HUB_MAX_REF])
{
    ug_simple (fx->cli.hub, fx->leman, "lemanique", canton, id, ref);
    assert_int_equal (s_run (fx, "decide", ref, "--to", "admissible", "--organ", "bureau", NULL), 0);
    assert_int_equal (s_run (fx, "decide", ref, "--to", "scheduled", "--organ", "bureau", NULL), 0);
}

//  `wg new` with every part, and one left out (skip: its option name, or NULL).
#define S_WG_NEW(fx, organ, refs, until, skip, ...)                                                        \
    s_wg_new (fx, skip, (const char *[]) { "wg", "new", "--mandated-by", organ, "--refs", refs,          \
              "--title", "Passerelles AI – aide sociale", "--context", "Contexte:\n\"'; DROP TABLE x;--",   \
              "--objective", "Objectif.", "--deliverables", "Un rapport.", "--process", "Trois séances.",   \
              "--composition", "OFAS, CDAS.", "--communication", "Au CDC.", "--financing", "Partenaires.",  \
              "--lead", "OFAS", "--staffing", "Bureau, 10 %.", "--until", until, __VA_ARGS__, NULL })

static int
s_wg_new (s_fixture_t *fx, const char *skip, const char *const *words)
{
    const char *argv [64];
    size_t n = 0;
    argv [n++] = "cii-hub";
    argv [n++] = "--db";
    argv [n++] = fx->cli.hub->pg->conninfo;
    for (size_t i = 0; words [i] && n < 62; i++) {
        if (skip && words [i][0] == '-' && strcmp (words [i] + 2, skip) == 0) {
            i++;
            continue;
        }
        argv [n++] = words [i];
    }
    argv [n] = NULL;
    return unit_cli_run (&fx->cli.run, hub_cli_run, argv, NULL);
}

static void
test_help_and_usage (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "wg", "new", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub wg new"));
    assert_non_null (strstr (fx->cli.run.out, "--mandated-by cdc|cp"));
    assert_non_null (strstr (fx->cli.run.out, "--staffing TEXT"));
    assert_int_equal (s_run (fx, "wg", "report", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--file RESULT.md"));
    assert_int_equal (s_run (fx, "wgs", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--overdue"));
    assert_int_equal (s_run (fx, "programme", "new", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--presidency OFAS|SEFRI|SECO|SEM"));
    assert_int_equal (s_run (fx, "project", "add", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--milestone YYYY-MM-DD:TEXT"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "programme"));
    assert_non_null (strstr (fx->cli.run.out, "wgs"));
    assert_int_equal (s_run (fx, "wg", "report", "WG-2031-01", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub wg report: --file is required");
    assert_int_equal (s_run (fx, "programme", "new", "--from", "2031", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub programme new: --from, --to and --presidency are required");
    assert_int_equal (s_run (fx, "programme", "new", "--from", "MMXXXI", "--to", "2032", "--presidency", "SEM", NULL),
                      2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub programme new: --from needs a year such as 2027");
    assert_int_equal (s_run (fx, "programme", "show", "--year", "x", NULL), 2);
    assert_int_equal (s_run (fx, "wg", "new", "--until", "2031-01-01", "--until", "2031-01-02", NULL), 2);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM working_groups"), 0);
}

static void
test_wg (void **state)
{
    s_fixture_t *fx = *state;
    s_scheduled (fx, "req-a", "VD", fx->a);
    s_scheduled (fx, "req-b", "GE", fx->b);
    char refs [2 * HUB_MAX_REF + 2], expect [1024], wg [HUB_MAX_REF];
    snprintf (refs, sizeof refs, "%s,%s", fx->a, fx->b);
    //  Every part required: named, exit 1, nothing stored.
    static const char *const parts [] = { "mandated-by", "title", "context", "objective", "deliverables", "process",
                                          "composition", "communication", "financing", "lead", "staffing", "until" };
    for (size_t i = 0; i < sizeof parts / sizeof parts [0]; i++) {
        S_WG_NEW (fx, "cdc", refs, "2031-09-30", parts [i], "--json");
        if (i == 0)
            s_assert_refused (fx, "cii-hub wg new: the mandate needs its mandating organ (--mandated-by)");
        else {
            snprintf (expect, sizeof expect, "cii-hub wg new: the mandate needs its %s (--%s)", parts [i], parts [i]);
            s_assert_refused (fx, expect);
        }
    }
    S_WG_NEW (fx, "cdc", "", "2031-09-30", NULL, "--json");
    s_assert_refused (fx, "cii-hub wg new: a working group needs at least one request (--refs)");
    S_WG_NEW (fx, "cdc", refs, "2031-09-30", NULL, "--title", "x");
    assert_int_equal (fx->cli.run.status, 2);
    S_WG_NEW (fx, "CDC\x1b[1m", refs, "2031-09-30", NULL, "--json");
    s_assert_refused (fx, "cii-hub wg new: unknown organ \"CDC?[1m\": a working group is mandated by the cdc or "
                          "the cp");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM working_groups"), 0);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests WHERE state = 'wg-mandated'"), 0);
    //  Created: the JSON's ref is the new reference.
    assert_int_equal (S_WG_NEW (fx, "cdc", refs, "2031-09-30", NULL, "--json"), 0);
    json_t *doc = s_json (fx->cli.run.out);
    snprintf (wg, sizeof wg, "WG-%d-01", fx->year);
    snprintf (expect, sizeof expect, "\"%s\"", wg);
    s_json_member (doc, "ref", expect);
    s_json_member (doc, "mandated_by", "\"cdc\"");
    s_json_member (doc, "meeting", "null");
    s_json_member (doc, "until", "\"2031-09-30\"");
    assert_int_equal (json_array_size (json_object_get (doc, "requests")), 2);
    s_json_member (json_array_get (json_object_get (doc, "requests"), 0), "from", "\"scheduled\"");
    json_decref (doc);
    //  Already with a group: refused.
    S_WG_NEW (fx, "cdc", fx->a, "2031-09-30", NULL, "--json");
    snprintf (expect, sizeof expect, "cii-hub wg new: %s is already with working group %s", fx->a, wg);
    s_assert_refused (fx, expect);
    //  Text output, with a meeting; a request decided wg-mandated by the cdc is linked.
    char c [HUB_MAX_REF];
    s_scheduled (fx, "req-c", "VS", c);
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", NULL), 0);
    assert_int_equal (s_run (fx, "decide", c, "--to", "wg-mandated", "--organ", "cdc", "--meeting", "M-2031-01", NULL),
                      0);
    assert_int_equal (S_WG_NEW (fx, "cdc", c, "2001-06-30", NULL, "--meeting", "M-2031-01"), 0);
    snprintf (expect, sizeof expect, "WG-%d-02: mandated by the cdc in M-2031-01, result due by 2001-06-30\n"
              "  %s: wg-mandated already, linked\n", fx->year, c);
    assert_string_equal (fx->cli.run.out, expect);
    //  Listings: all, overdue (the second is past its date).
    assert_int_equal (s_run (fx, "wgs", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 2);
    s_json_member (json_array_get (doc, 0), "overdue", "false");
    s_json_member (json_array_get (doc, 1), "overdue", "true");
    s_json_member (json_array_get (doc, 1), "meeting", "\"M-2031-01\"");
    json_decref (doc);
    assert_int_equal (s_run (fx, "wgs", "--overdue", NULL), 0);
    snprintf (expect, sizeof expect, "WG-%d-02   cdc  2001-06-30  overdue   %-30s  Passerelles AI – aide sociale\n",
              fx->year, c);
    if (!strstr (fx->cli.run.out, expect))
        fail_msg ("got:\n%s\nexpected line:\n%s", fx->cli.run.out, expect);
    assert_int_equal (unit_lines (fx->cli.run.out), 2);
    //  The report: file over the limit refused before it is read, bad UTF-8 refused, then once.
    char *big = unit_path (fx->dir, "big.md");
    FILE *f = fopen (big, "w");
    assert_non_null (f);
    assert_int_equal (fseek (f, HUB_WG_MAX_RESULT, SEEK_SET), 0);
    fputc ('x', f);
    fclose (f);
    s_run (fx, "wg", "report", wg, "--file", big, NULL);
    snprintf (expect, sizeof expect, "cii-hub wg report: %s is larger than %d bytes", big, HUB_WG_MAX_RESULT);
    s_assert_refused (fx, expect);
    char *bad = unit_path (fx->dir, "bad.md");
    unit_write (bad, "caf\xc3(", 5);
    s_run (fx, "wg", "report", wg, "--file", bad, NULL);
    s_assert_refused (fx, "cii-hub wg report: the result must be UTF-8 text of at most 200000 bytes (got 5 bytes)");
    char *missing = unit_path (fx->dir, "missing.md");
    s_run (fx, "wg", "report", wg, "--file", missing, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM working_groups WHERE result IS NOT NULL"), 0);
    char *result = unit_path (fx->dir, "result.md");
    const char text [] = "# Résultat\r\n\n- point 1\t«guillemets» \"'; DROP TABLE working_groups;--\n";
    unit_write (result, text, sizeof text - 1);
    assert_int_equal (s_run (fx, "wg", "report", wg, "--file", result, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    snprintf (expect, sizeof expect, "\"%s\"", wg);
    s_json_member (doc, "ref", expect);
    s_json_member (doc, "mandated_by", "\"cdc\"");
    assert_int_equal (json_array_size (json_object_get (doc, "requests")), 2);
    json_decref (doc);
    s_run (fx, "wg", "report", wg, "--file", result, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_non_null (strstr (fx->cli.run.err, "a group reports once"));
    //  show: the result untouched (JSON), the mandate (text).
    assert_int_equal (s_run (fx, "wg", "show", wg, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_string_equal (json_string_value (json_object_get (doc, "result")), text);
    s_json_member (doc, "context", "\"Contexte:\\n\\\"'; DROP TABLE x;--\"");
    assert_true (json_is_string (json_object_get (doc, "reported_at")));
    json_decref (doc);
    assert_int_equal (s_run (fx, "wg", "show", wg, NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "lead: OFAS\n"));
    assert_non_null (strstr (fx->cli.run.out, "staffing: Bureau, 10 %.\n"));
    s_run (fx, "wg", "show", "WG-1\n2", NULL);
    s_assert_refused (fx, "cii-hub wg show: unknown working group WG-1?2");
    //  Back to the CDC: the requests are wg-reported, and the CP may not take them.
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests WHERE state = 'wg-reported'"), 2);
    s_run (fx, "decide", fx->a, "--to", "declined", "--organ", "cp", "--note", "Non.", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: %s is wg-reported: its working group was mandated by the cdc, so "
              "only the cdc may move it (to answered, wg-mandated, referred-to-cp or deferred)", fx->a);
    s_assert_refused (fx, expect);
    assert_int_equal (s_run (fx, "wgs", "--overdue", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 2);
    free (big);
    free (bad);
    free (missing);
    free (result);
}

static void
test_programme (void **state)
{
    s_fixture_t *fx = *state;
    char from [16], to [16], expect [1024];
    snprintf (from, sizeof from, "%d", fx->year);
    snprintf (to, sizeof to, "%d", fx->year + 1);
    //  No programme yet.
    s_run (fx, "programme", "show", NULL);
    snprintf (expect, sizeof expect, "cii-hub programme show: no work programme covers %d (cii-hub programme new "
                                     "adopts one)", fx->year);
    s_assert_refused (fx, expect);
    s_run (fx, "project", "add", "--kind", "cii", "--title", "T", "--lead", "L", "--financing", "F", "--objective",
           "O", NULL);
    snprintf (expect, sizeof expect, "cii-hub project add: no work programme covers %d (cii-hub programme new "
                                     "adopts one)", fx->year);
    s_assert_refused (fx, expect);
    //  Adopted: the previous one presided by SECO, this one too: a warning, stored.
    assert_int_equal (s_run (fx, "programme", "new", "--from", "2001", "--to", "2002", "--presidency", "SECO", NULL),
                      0);
    assert_string_equal (fx->cli.run.out, "WP-2001-2002: work programme 2001-2002, presidency SECO\n");
    assert_int_equal (s_run (fx, "programme", "new", "--from", from, "--to", to, "--presidency", "SECO", "--json",
                             NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    snprintf (expect, sizeof expect, "\"WP-%d-%d\"", fx->year, fx->year + 1);
    s_json_member (doc, "ref", expect);
    s_json_member (doc, "presidency", "\"SECO\"");
    assert_int_equal (json_array_size (json_object_get (doc, "warnings")), 2);
    json_decref (doc);
    assert_non_null (strstr (fx->cli.run.err, "cii-hub programme new: warning: the presidency stays with the SECO "
                                          "(WP-2001-2002 had it): it changes every two years\n"));
    s_run (fx, "programme", "new", "--from", to, "--to", to, "--presidency", "SEM", NULL);
    snprintf (expect, sizeof expect, "cii-hub programme new: a work programme covers two years: --to must be %d (got %d)",
              fx->year + 2, fx->year + 1);
    s_assert_refused (fx, expect);
    snprintf (from, sizeof from, "%d", fx->year - 1);
    s_run (fx, "programme", "new", "--from", from, "--to", to, "--presidency", "SEM", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    s_run (fx, "programme", "new", "--from", from, "--to", "2099", "--presidency", "SEM", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    snprintf (to, sizeof to, "%d", fx->year);
    s_run (fx, "programme", "new", "--from", from, "--to", to, "--presidency", "SEM", NULL);
    snprintf (expect, sizeof expect, "cii-hub programme new: WP-%d-%d already covers %d: work programmes may not "
              "overlap", fx->year, fx->year + 1, fx->year);
    s_assert_refused (fx, expect);
    s_run (fx, "programme", "new", "--from", "2041", "--to", "2042", "--presidency", "SEM\n\x1b[2J", NULL);
    s_assert_refused (fx, "cii-hub programme new: unknown presidency \"SEM??[2J\": OFAS, SEFRI, SECO or SEM");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM programmes"), 2);
    //  Projects: a CII one with milestones and a request, an associated one.
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-a", fx->a);
    assert_int_equal (s_run (fx, "project", "add", "--kind", "cii", "--title", "Coaching intégré", "--lead", "SECO",
                             "--financing", "SECO et OFAS", "--objective", "Accompagnement commun.", "--refs", fx->a,
                             "--milestone", "2031-06-30:Rapport intermédiaire", "--milestone",
                             "2031-12-15:Rapport final", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    snprintf (expect, sizeof expect, "\"PR-%d-01\"", fx->year);
    s_json_member (doc, "ref", expect);
    s_json_member (doc, "kind", "\"cii\"");
    json_decref (doc);
    assert_int_equal (s_run (fx, "project", "add", "--kind", "associated", "--title", "Orientation «pro»", "--lead",
                             "CDIP", "--financing", "CDIP", "--objective", "Orienter.", NULL), 0);
    snprintf (expect, sizeof expect, "PR-%d-02: associated project of WP-%d-%d\n", fx->year, fx->year, fx->year + 1);
    assert_string_equal (fx->cli.run.out, expect);
    s_run (fx, "project", "add", "--kind", "cii", "--title", "T", "--lead", "L", "--financing", "F", NULL);
    s_assert_refused (fx, "cii-hub project add: a project needs its objective (--objective)");
    s_run (fx, "project", "add", "--kind", "cii", "--title", "T", "--lead", "L", "--financing", "F", "--objective",
           "O", "--milestone", "30.06.2031:Rapport", NULL);
    s_assert_refused (fx, "cii-hub project add: a milestone is YYYY-MM-DD:TEXT with a calendar date (got "
                          "\"30.06.2031:Rappo...\")");
    s_run (fx, "project", "add", "--kind", "cii", "--title", "T", "--lead", "L", "--financing", "F", "--objective",
           "O", "--refs", "CII-2031-0001,x'--", NULL);
    s_assert_refused (fx, "cii-hub project add: unknown request CII-2031-0001");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM projects"), 2);
    //  A CP project decision: a linked project, incomplete until `project set`.
    char b [HUB_MAX_REF];
    s_scheduled (fx, "req-b", "GE", b);
    assert_int_equal (s_run (fx, "decide", b, "--to", "project", "--organ", "cp", NULL), 0);
    assert_int_equal (s_run (fx, "programme", "show", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    json_t *cii = json_object_get (doc, "cii_projects"), *assoc = json_object_get (doc, "associated_projects");
    assert_int_equal (json_array_size (cii), 2);
    assert_int_equal (json_array_size (assoc), 1);
    s_json_member (json_array_get (cii, 0), "incomplete", "[]");
    s_json_member (json_array_get (cii, 0), "milestones", "[{\"date\":\"2031-06-30\",\"text\":\"Rapport interm\\u00e9diaire\"},"
                                                          "{\"date\":\"2031-12-15\",\"text\":\"Rapport final\"}]");
    snprintf (expect, sizeof expect, "[\"%s\"]", fx->a);
    s_json_member (json_array_get (cii, 0), "requests", expect);
    s_json_member (json_array_get (cii, 1), "decided_by", "\"cp\"");
    s_json_member (json_array_get (cii, 1), "lead", "null");
    s_json_member (json_array_get (cii, 1), "incomplete", "[\"lead\",\"financing\",\"objective\"]");
    snprintf (expect, sizeof expect, "[\"%s\"]", b);
    s_json_member (json_array_get (cii, 1), "requests", expect);
    s_json_member (json_array_get (assoc, 0), "title", "\"Orientation «pro»\"");
    json_decref (doc);
    char pr [HUB_MAX_REF];
    snprintf (pr, sizeof pr, "PR-%d-03", fx->year);
    assert_int_equal (s_run (fx, "project", "set", pr, "--lead", "OFAS", "--financing", "OFAS", "--json", NULL), 0);
    snprintf (expect, sizeof expect, "{\"ref\":\"%s\"}\n", pr);
    assert_string_equal (fx->cli.run.out, expect);
    s_run (fx, "project", "set", pr, NULL);
    s_assert_refused (fx, "cii-hub project set: nothing to set: --lead, --financing or --objective");
    assert_int_equal (s_run (fx, "programme", "show", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "CII projects:\n"));
    assert_non_null (strstr (fx->cli.run.out, "Associated projects:\n"));
    assert_non_null (strstr (fx->cli.run.out, "    2031-06-30  Rapport intermédiaire\n"));
    assert_non_null (strstr (fx->cli.run.out, "    incomplete: no objective yet (cii-hub project set)\n"));
    assert_true (strstr (fx->cli.run.out, "CII projects:") < strstr (fx->cli.run.out, "Orientation «pro»"));
    assert_true (strstr (fx->cli.run.out, "Associated projects:") < strstr (fx->cli.run.out, "Orientation «pro»"));
    assert_int_equal (s_run (fx, "programme", "show", "--year", "2002", NULL), 0);
    assert_string_equal (fx->cli.run.out, "WP-2001-2002: work programme 2001-2002, presidency SECO\n"
                                      "CII projects: none\nAssociated projects: none\n");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_help_and_usage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wg, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_programme, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
