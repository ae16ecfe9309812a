/*  test_hub_cli_processing.c — the national processing verbs of cii-hub (meeting new|plan,
    meetings [--check], decide --meeting, show) run in process against a real PostgreSQL: JSON and
    text, --help from the table, one-line refusals (exit 1) with nothing stored, usage errors
    (exit 2), hostile text. */
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
    unit_hub_cli_init (&fx->cli, "proccli", true);
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

static void
test_usage_and_help (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "meeting", "new", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub meeting new"));
    assert_non_null (strstr (fx->cli.run.out, "--organ cdc|cp"));
    assert_non_null (strstr (fx->cli.run.out, "--joint"));
    assert_int_equal (s_run (fx, "meeting", "plan", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub meeting plan"));
    assert_int_equal (s_run (fx, "meetings", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--check"));
    assert_int_equal (s_run (fx, "decide", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--meeting M-YYYY-NN"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "meetings"));
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub meeting new: --organ and --date are required");
    assert_int_equal (s_run (fx, "meeting", "plan", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub meeting plan: --year is required");
    assert_int_equal (s_run (fx, "meeting", "plan", "--year", "next", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub meeting plan: --year needs a year such as 2027");
    assert_int_equal (s_run (fx, "meetings", "--year", "2031x", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub meetings: --year needs a year such as 2027");
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", "--joint", "yes", NULL), 2);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM meetings"), 0);
}

static void
test_meetings (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "meetings", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no meetings\n");
    assert_int_equal (s_run (fx, "meetings", "--json", NULL), 0);
    assert_string_equal (fx->cli.run.out, "[]\n");
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "ref", "\"M-2031-01\"");
    s_json_member (doc, "organ", "\"cdc\"");
    s_json_member (doc, "joint", "false");
    s_json_member (doc, "date", "\"2031-03-10\"");
    assert_true (json_is_string (json_object_get (doc, "created_at")));
    json_decref (doc);
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cp", "--date", "2031-12-01", "--joint", NULL), 0);
    assert_string_equal (fx->cli.run.out, "M-2031-02: cdc+cp (joint, convened by the cp) on 2031-12-01\n");
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cp", "--date", "2032-03-24", NULL), 0);
    assert_string_equal (fx->cli.run.out, "M-2032-01: cp on 2032-03-24\n");
    //  Refused, one line, exit 1, nothing stored.
    s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-02-30", NULL);
    s_assert_refused (fx, "cii-hub meeting new: the date must be a calendar date YYYY-MM-DD between 2000 and 9999 "
                          "(got \"2031-02-30\")");
    s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "10.03.2031", NULL);
    s_assert_refused (fx, "cii-hub meeting new: the date must be a calendar date YYYY-MM-DD between 2000 and 9999 "
                          "(got \"10.03.2031\")");
    s_run (fx, "meeting", "new", "--organ", "CP", "--date", "2031-06-10", NULL);
    s_assert_refused (fx, "cii-hub meeting new: unknown organ \"CP\": a meeting is of the cdc or the cp");
    s_run (fx, "meeting", "new", "--organ", "cp\n\x1b[2J\"; DELETE FROM meetings; --", "--date", "2031-06-10", NULL);
    s_assert_refused (fx, "cii-hub meeting new: unknown organ \"cp??[2J?; DELETE...\": a meeting is of the cdc or "
                          "the cp");
    s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", NULL);
    s_assert_refused (fx, "cii-hub meeting new: the cdc already meets on 2031-03-10 (M-2031-01)");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM meetings"), 3);
    //  Listings.
    assert_int_equal (s_run (fx, "meetings", NULL), 0);
    assert_string_equal (fx->cli.run.out, "REF         DATE        ORGAN\n"
                                      "M-2031-01   2031-03-10  cdc\n"
                                      "M-2031-02   2031-12-01  cdc+cp (joint, convened by the cp)\n"
                                      "M-2032-01   2032-03-24  cp\n");
    assert_int_equal (s_run (fx, "meetings", "--year", "2032", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 1);
    s_json_member (json_array_get (doc, 0), "ref", "\"M-2032-01\"");
    json_decref (doc);
    s_run (fx, "meetings", "--year", "1999", NULL);
    s_assert_refused (fx, "cii-hub meetings: the year must be 2000..9999 (got 1999)");
}

static void
test_plan_and_check (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "meeting", "plan", "--year", "2031", NULL), 0);
    assert_string_equal (fx->cli.run.out, "proposed calendar 2031 (nothing created; `cii-hub meeting new` creates each):\n"
                                      "  2031-03-10  cdc\n"
                                      "  2031-03-24  cp\n"
                                      "  2031-06-10  cdc\n"
                                      "  2031-06-24  cp\n"
                                      "  2031-09-10  cdc\n"
                                      "  2031-09-24  cp\n"
                                      "  2031-12-01  cdc+cp (joint, convened by the cp)\n");
    assert_int_equal (s_run (fx, "meeting", "plan", "--year", "2031", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 7);
    s_json_member (json_array_get (doc, 6), "joint", "true");
    s_json_member (json_array_get (doc, 6), "date", "\"2031-12-01\"");
    assert_null (json_object_get (json_array_get (doc, 0), "ref"));
    json_decref (doc);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM meetings"), 0);
    s_run (fx, "meeting", "plan", "--year", "12345", NULL);
    s_assert_refused (fx, "cii-hub meeting plan: the year must be 2000..9999 (got 12345)");
    //  The check warns, and exits 0.
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", NULL), 0);
    assert_int_equal (s_run (fx, "meetings", "--check", "--year", "2031", NULL), 0);
    assert_string_equal (fx->cli.run.out, "warning: 2031: 1 meeting of the CDC (the plan has 4; a joint one counts for "
                                      "both)\n"
                                      "warning: 2031: no meeting of the CP (the plan has 4)\n"
                                      "warning: 2031: the last meeting of the year, M-2031-01 of the cdc on "
                                      "2031-03-10, is not joint (the plan makes it joint)\n");
    assert_int_equal (s_run (fx, "meetings", "--check", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 1);
    s_json_member (json_array_get (doc, 0), "year", "2031");
    s_json_member (json_array_get (doc, 0), "cdc", "1");
    s_json_member (json_array_get (doc, 0), "last", "\"M-2031-01\"");
    assert_int_equal (json_array_size (json_object_get (json_array_get (doc, 0), "warnings")), 3);
    json_decref (doc);
    //  The plan, created: no warning.
    const char *dates [] = { "2031-03-24", "2031-06-10", "2031-06-24", "2031-09-10", "2031-09-24" };
    for (int i = 0; i < 5; i++)
        assert_int_equal (s_run (fx, "meeting", "new", "--organ", i % 2 ? "cdc" : "cp", "--date", dates [i], NULL), 0);
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cp", "--date", "2031-12-01", "--joint", NULL), 0);
    assert_int_equal (s_run (fx, "meetings", "--check", NULL), 0);
    assert_string_equal (fx->cli.run.out, "2031: follows the plan (4 CDC and 4 CP meetings, the last joint)\n");
}

static void
test_decide_in_meeting (void **state)
{
    s_fixture_t *fx = *state;
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-a", fx->a);
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10", NULL), 0);
    assert_int_equal (s_run (fx, "meeting", "new", "--organ", "cp", "--date", "2031-03-24", NULL), 0);
    assert_int_equal (s_run (fx, "decide", fx->a, "--to", "admissible", "--organ", "bureau", NULL), 0);
    assert_int_equal (s_run (fx, "decide", fx->a, "--to", "scheduled", "--organ", "bureau", NULL), 0);
    char expect [512];
    snprintf (expect, sizeof expect, "%s: admissible -> scheduled (bureau)\n", fx->a);
    assert_string_equal (fx->cli.run.out, expect);
    s_run (fx, "decide", fx->a, "--to", "referred-to-cp", "--organ", "cdc", "--meeting", "M-2031-02", NULL);
    s_assert_refused (fx, "cii-hub decide: M-2031-02 is a meeting of the cp: the cdc cannot decide in it");
    s_run (fx, "decide", fx->a, "--to", "referred-to-cp", "--organ", "cdc", "--meeting", "M-2031-07", NULL);
    s_assert_refused (fx, "cii-hub decide: unknown meeting M-2031-07");
    s_run (fx, "decide", fx->a, "--to", "declined", "--organ", "cdc", "--meeting", "M-2031-01", "--note", "Non", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: %s is scheduled: the cdc may move it to answered, wg-mandated, "
              "referred-to-cp or deferred; the cp may move it to answered, declined, project, recommendation-planned, "
              "returned-to-cdc, wg-mandated or deferred", fx->a);
    s_assert_refused (fx, expect);
    s_run (fx, "decide", fx->a, "--to", "answered", "--organ", "cdc", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: a note is required to move %s to answered (the answer)", fx->a);
    s_assert_refused (fx, expect);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM request_history"), 3);
    assert_int_equal (s_run (fx, "decide", fx->a, "--to", "referred-to-cp", "--organ", "cdc", "--meeting",
                             "M-2031-01", "--note", "Au CP.", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "state", "\"referred-to-cp\"");
    s_json_member (doc, "organ", "\"cdc\"");
    s_json_member (doc, "meeting", "\"M-2031-01\"");
    s_json_member (json_array_get (json_object_get (doc, "requests"), 0), "from", "\"scheduled\"");
    json_decref (doc);
    assert_int_equal (s_run (fx, "decide", fx->a, "--to", "answered", "--organ", "cp", "--meeting", "M-2031-02",
                             "--note", "Réponse du CP.", NULL), 0);
    snprintf (expect, sizeof expect, "%s: referred-to-cp -> answered (cp, M-2031-02)\n", fx->a);
    assert_string_equal (fx->cli.run.out, expect);
    //  show: the meeting in the history, JSON and text.
    assert_int_equal (s_run (fx, "show", fx->a, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    json_t *history = json_object_get (doc, "history");
    assert_int_equal (json_array_size (history), 5);
    s_json_member (json_array_get (history, 3), "meeting", "\"M-2031-01\"");
    s_json_member (json_array_get (history, 4), "state", "\"answered\"");
    s_json_member (json_array_get (history, 4), "meeting", "\"M-2031-02\"");
    assert_null (json_object_get (json_array_get (history, 2), "meeting"));
    json_decref (doc);
    assert_int_equal (s_run (fx, "show", fx->a, NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "referred-to-cp          cdc       M-2031-01  Au CP.\n"));
    assert_non_null (strstr (fx->cli.run.out, "answered                cp        M-2031-02  Réponse du CP.\n"));
    assert_int_equal (s_run (fx, "requests", "--state", "answered", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 1);
    json_decref (doc);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_usage_and_help, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_meetings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_plan_and_check, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_decide_in_meeting, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
