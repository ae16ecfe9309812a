/*  test_hub_cli_agenda.c — `cii-hub agenda MEETING [--publish] [--json]` and `cii-hub minutes MEETING
    --file OUTCOMES.json [--json]` run in process against a real PostgreSQL: JSON and text, --help
    from the table, one-line refusals (exit 1) with nothing changed, usage errors (exit 2), the
    minutes file read with jansson (line and column, size limit before reading, shape named by
    item), hostile text. */
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
#include "hub_flow.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    char *dir;
    char *file;                 //  the minutes file
    char a [HUB_MAX_REF];       //  lemanique VD, scheduled
    char b [HUB_MAX_REF];       //  zuerich ZH, admissible
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
    unit_hub_cli_init (&fx->cli, "agendacli", true);
    int64_t leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    int64_t zh = unit_hub_enrol (fx->cli.hub, "zuerich");
    ug_simple (fx->cli.hub, leman, "lemanique", "VD", "req-a", fx->a);
    ug_simple (fx->cli.hub, zh, "zuerich", "ZH", "req-b", fx->b);
    unit_hub_decide (fx->cli.hub, fx->a, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (fx->cli.hub, fx->a, "scheduled", "bureau", NULL, NULL);
    unit_hub_decide (fx->cli.hub, fx->b, "admissible", "bureau", NULL, NULL);
    unit_pg_exec (fx->cli.hub->pg, "UPDATE request_history SET at = now () - interval '9 days' WHERE request_id = "
                               "(SELECT id FROM requests WHERE ref = '%s')", fx->b);
    fx->dir = unit_dir_new ("agendacli");
    fx->file = unit_path (fx->dir, "outcomes.json");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_cli_clear (&fx->cli);
    free (fx->file);
    unit_dir_destroy (&fx->dir);
    free (fx);
    return 0;
}

static void
s_meeting (s_fixture_t *fx, const char *organ, const char *date, bool joint)
{
    if (s_run (fx, "meeting", "new", "--organ", organ, "--date", date, joint ? "--joint" : NULL, NULL) != 0)
        fail_msg ("meeting: %s", fx->cli.run.err);
}

static void
test_help_and_usage (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "agenda", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub agenda"));
    assert_non_null (strstr (fx->cli.run.out, "--publish"));
    assert_int_equal (s_run (fx, "minutes", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--file OUTCOMES.json"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "agenda"));
    assert_non_null (strstr (fx->cli.run.out, "minutes"));
    assert_int_equal (s_run (fx, "agenda", NULL), 2);
    assert_int_equal (s_run (fx, "minutes", "M-2031-01", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub minutes: --file is required");
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--publish", "yes", NULL), 2);
}

static void
test_agenda (void **state)
{
    s_fixture_t *fx = *state;
    s_meeting (fx, "cdc", "2031-03-10", false);
    s_meeting (fx, "cp", "2031-03-24", false);
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "meeting", "\"M-2031-01\"");
    s_json_member (doc, "organ", "\"cdc\"");
    s_json_member (doc, "joint", "false");
    json_t *items = json_object_get (doc, "items");
    assert_int_equal (json_array_size (items), 2);
    //  Both one network and one canton: B has waited longer.
    json_t *first = json_array_get (items, 0);
    char ref [64];
    snprintf (ref, sizeof ref, "\"%s\"", fx->b);
    s_json_member (first, "ref", ref);
    s_json_member (first, "kind", "\"request\"");
    s_json_member (first, "title", "\"Demande\"");
    s_json_member (first, "networks", "[\"zuerich\"]");
    s_json_member (first, "cantons", "[\"ZH\"]");
    s_json_member (first, "waiting_days", "9");
    assert_true (json_is_array (json_object_get (first, "criteria_met")));
    assert_non_null (strstr (json_string_value (json_object_get (first, "why")), "admissible since "));
    snprintf (ref, sizeof ref, "\"%s\"", fx->a);
    s_json_member (json_array_get (items, 1), "ref", ref);
    s_json_member (json_array_get (items, 1), "waiting_days", "0");
    assert_null (json_object_get (doc, "published"));
    json_decref (doc);
    //  Text.
    assert_int_equal (s_run (fx, "agenda", "M-2031-02", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "Agenda of M-2031-02, meeting of the CP on 2031-03-24"));
    assert_non_null (strstr (fx->cli.run.out, ": 1 item\n"));
    assert_non_null (strstr (fx->cli.run.out, ": sent straight on to the CP\n"));
    //  Refused.
    s_meeting (fx, "cdc", "2020-01-10", false);
    s_run (fx, "agenda", "M-2020-01", NULL);
    char *today = unit_pg_text (fx->cli.hub->pg, "SELECT to_char ((now () AT TIME ZONE 'Europe/Zurich')::date, "
                                             "'YYYY-MM-DD')");
    char expect [256];
    snprintf (expect, sizeof expect, "cii-hub agenda: M-2020-01 met on 2020-01-10, in the past: its agenda can no "
             "longer be built (today is %s)", today);
    free (today);
    s_assert_refused (fx, expect);
    s_run (fx, "agenda", "M-2020-01", "--publish", NULL);
    s_assert_refused (fx, expect);
    s_run (fx, "agenda", "M-\x1b[2J; DROP TABLE meetings", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM meetings"), 3);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM notices"), 0);
}

static void
test_publish (void **state)
{
    s_fixture_t *fx = *state;
    s_meeting (fx, "cdc", "2031-03-10", false);
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--publish", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "\npublished as notice 1, queued for 2 agents\n"));
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM downward WHERE kind = 'notice'"), 2);
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--publish", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    json_t *p = json_object_get (doc, "published");
    s_json_member (p, "sent", "false");
    s_json_member (p, "notice", "1");
    s_json_member (p, "times", "1");
    assert_int_equal (json_array_size (json_object_get (doc, "items")), 2);
    json_decref (doc);
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--publish", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, ", unchanged: not sent again\n"));
    unit_hub_decide (fx->cli.hub, fx->b, "scheduled", "bureau", NULL, NULL);
    assert_int_equal (s_run (fx, "agenda", "M-2031-01", "--publish", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    p = json_object_get (doc, "published");
    s_json_member (p, "sent", "true");
    s_json_member (p, "changed", "true");
    s_json_member (p, "recipients", "2");
    s_json_member (p, "times", "2");
    json_decref (doc);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM downward WHERE kind = 'notice'"), 4);
}

static void
test_minutes_file (void **state)
{
    s_fixture_t *fx = *state;
    s_meeting (fx, "cdc", "2031-03-10", false);
    long long history = unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM request_history");
    char expect [1024], text [1024];
    //  Not JSON: line and column.
    unit_write_text (fx->file, "[{\"ref\": \"x\",\n \"to\": }]");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    snprintf (expect, sizeof expect, "cii-hub minutes: %s: line 2, column ", fx->file);
    assert_int_equal (strncmp (s_err_line (fx, 0), expect, strlen (expect)), 0);
    //  The shape, named by item.
    unit_write_text (fx->file, "{\"ref\": \"x\"}");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: the minutes must be a JSON array of {\"ref\", \"to\", \"organ\", \"note\"} "
                          "objects");
    unit_write_text (fx->file, "[{\"ref\": \"x\", \"to\": \"answered\"}, 3]");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: item 2: not an object");
    unit_write_text (fx->file, "[{\"ref\": \"x\", \"to\": \"answered\", \"when\\u001b[2J\": \"now\"}]");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: item 1: unknown key \"when?[2J\" (ref, to, organ, note)");
    unit_write_text (fx->file, "[{\"ref\": \"x\", \"to\": [\"answered\"]}]");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: item 1: \"to\" must be a string");
    unit_write_text (fx->file, "[]");
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: the minutes have no item");
    //  Too large: refused before it is read.
    char *big = malloc (1024 * 1024 + 16);
    memset (big, ' ', 1024 * 1024 + 15);
    big [0] = '[';
    big [1024 * 1024 + 14] = ']';
    big [1024 * 1024 + 15] = 0;
    unit_write_text (fx->file, big);
    free (big);
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub minutes: %s is larger than 1048576 bytes", fx->file);
    s_assert_refused (fx, expect);
    char *missing = unit_path (fx->dir, "none.json");
    s_run (fx, "minutes", "M-2031-01", "--file", missing, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    free (missing);
    //  All or none: the second item (admissible: it would be scheduled for the meeting first) lacks
    //  the answer its outcome needs; nothing is written, not the first item, not the scheduling.
    snprintf (text, sizeof text, "[{\"ref\": \"%s\", \"to\": \"referred-to-cp\", \"note\": \"Au CP.\"},\n"
              " {\"ref\": \"%s\", \"to\": \"answered\"}]", fx->a, fx->b);
    unit_write_text (fx->file, text);
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub minutes: item 2 (%s): a note is required to move %s to answered (the "
              "answer)", fx->b, fx->b);
    s_assert_refused (fx, expect);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM request_history"), history);
    s_run (fx, "minutes", "M-2031-07", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub minutes: unknown meeting M-2031-07");
    //  Recorded.
    snprintf (text, sizeof text, "[{\"ref\": \"%s\", \"to\": \"referred-to-cp\", \"note\": \"Au CP.\"}]", fx->a);
    unit_write_text (fx->file, text);
    assert_int_equal (s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL), 0);
    snprintf (expect, sizeof expect, "M-2031-01: 1 outcome recorded\n  %s: scheduled -> referred-to-cp (cdc)\n", fx->a);
    assert_string_equal (fx->cli.run.out, expect);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM request_history WHERE meeting = 'M-2031-01'"), 1);
    //  Again: it is no longer on the CDC's agenda.
    s_run (fx, "minutes", "M-2031-01", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub minutes: item 1 (%s): %s is not on the agenda of M-2031-01 (it is "
              "referred-to-cp)", fx->a, fx->a);
    s_assert_refused (fx, expect);
    //  The CP's minutes, JSON.
    s_meeting (fx, "cp", "2031-03-24", false);
    snprintf (text, sizeof text, "[{\"ref\": \"%s\", \"to\": \"answered\", \"organ\": \"cp\", \"note\": \"R\\u00e9ponse.\"}]",
              fx->a);
    unit_write_text (fx->file, text);
    assert_int_equal (s_run (fx, "minutes", "M-2031-02", "--file", fx->file, "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "meeting", "\"M-2031-02\"");
    json_t *row = json_array_get (json_object_get (doc, "outcomes"), 0);
    s_json_member (row, "state", "\"answered\"");
    s_json_member (row, "organ", "\"cp\"");
    s_json_member (json_array_get (json_object_get (row, "requests"), 0), "from", "\"referred-to-cp\"");
    json_decref (doc);
    s_run (fx, "minutes", "M-2031-02", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub minutes: item 1 (%s): %s is answered, which is final: it is closed",
              fx->a, fx->a);
    s_assert_refused (fx, expect);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_help_and_usage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_agenda, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_publish, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_minutes_file, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
