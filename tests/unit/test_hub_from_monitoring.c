/*  test_hub_from_monitoring.c — `cii-hub request new --from-monitoring REC --title T --summary S
    [--language L] [--json]` (hub_requests_from_monitoring, hub_store_request_national) run in
    process against a real PostgreSQL: a national request (no network, no agent) linked to a
    recommendation (stored with SQL, as the schema of 0013 says), its reference from the same
    gapless counter as the networks' requests, its first history row, its criteria; refusals with
    one line and nothing written, no number taken; `requests` and `show` naming the link; and the
    code that used to assume a network (STATUS queueing, gate after the commit, decisions, themes,
    agendas, the match index and `similar`, trace) taking it through. */
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
#include "hub_gate.h"
#include "hub_requests.h"
#include "unit_cli.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    int64_t leman;
    int64_t ticino;
    char a [HUB_MAX_REF];       //  lemanique VD: in the recommendation's basis
    char b [HUB_MAX_REF];       //  ticino TI: in the basis
    char rec [HUB_MAX_REF];     //  REC-YEAR-01
    int year;
} s_fixture_t;

#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_err_line(fx, n) unit_hub_cli_err_line (&(fx)->cli, n)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

#define S_OK(fx, ...) unit_hub_cli_ok (&(fx)->cli, __VA_ARGS__, NULL)

#define S_TITLE   "Suivi «AI – aide sociale»: les cantons n'ont pas de guichet commun"
#define S_SUMMARY "Le monitoring montre que 3 cantons ont décliné.\nIl faut une réponse nationale."

//  A recommendation as H1's `recommend` stores it (schema 0013), with SQL: ref, version 1 addressed
//  to VD and TI, its three texts, its basis the requests a and b.
static void
s_recommendation (s_fixture_t *fx)
{
    unit_pg_t *pg = fx->cli.hub->pg;
    snprintf (fx->rec, sizeof fx->rec, "REC-%d-01", fx->year);
    unit_pg_exec (pg, "INSERT INTO recommendations (ref, version) VALUES ('%s', 1)", fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, basis, all_cantons, "
                      "cantons, partners) SELECT id, 1, '2031-04-20', '2031-12-31', ARRAY['%s', '%s'], false, "
                      "'{TI,VD}', '{CSIAS}' FROM recommendations WHERE ref = '%s'", fx->a, fx->b, fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
                      "SELECT id, 1, l, 'Guichet ' || l, 'Texte ' || l FROM recommendations, "
                      "unnest ('{fr,de,it}'::text[]) AS l WHERE ref = '%s'", fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_requests (rec_id, request_id) SELECT c.id, r.id "
                      "FROM recommendations c, requests r WHERE c.ref = '%s' AND r.ref IN ('%s', '%s')",
                  fx->rec, fx->a, fx->b);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "frommon", true);
    fx->leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    fx->ticino = unit_hub_enrol (fx->cli.hub, "ticino");
    fx->year = ug_year (fx->cli.hub);
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-a", fx->a);
    ug_simple (fx->cli.hub, fx->ticino, "ticino", "TI", "req-b", fx->b);
    //  Their STATUS down, as the serving hub does after the commit.
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_gate_after_commit (fx->cli.hub->store, &err), CII_OK);
    s_recommendation (fx);
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

//  Opens a national request with the CLI; its reference into ref.
static void
s_open (s_fixture_t *fx, const char *title, char ref [HUB_MAX_REF])
{
    S_OK (fx, "request", "new", "--from-monitoring", fx->rec, "--title", title, "--summary", S_SUMMARY, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    snprintf (ref, HUB_MAX_REF, "%s", json_string_value (json_object_get (doc, "ref")));
    json_decref (doc);
}

static long long
s_int (s_fixture_t *fx, const char *format, const char *arg)
{
    return unit_pg_int (fx->cli.hub->pg, format, arg);
}

static void
test_open (void **state)
{
    s_fixture_t *fx = *state;
    //  --json: the next number of the counter the networks' requests take theirs from.
    S_OK (fx, "request", "new", "--from-monitoring", fx->rec, "--title", S_TITLE, "--summary", S_SUMMARY, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    char ref [HUB_MAX_REF], expect [128];
    snprintf (ref, sizeof ref, "CII-%d-0003", fx->year);
    snprintf (expect, sizeof expect, "\"%s\"", ref);
    s_json_member (doc, "ref", expect);
    snprintf (expect, sizeof expect, "\"%s\"", fx->rec);
    s_json_member (doc, "from_rec", expect);
    s_json_member (doc, "network", "null");
    s_json_member (doc, "state", "\"received\"");
    s_json_member (doc, "organ", "\"bureau\"");
    snprintf (expect, sizeof expect, "\"opened from the monitoring of %s\"", fx->rec);
    s_json_member (doc, "note", expect);
    assert_non_null (json_string_value (json_object_get (doc, "received_at")));
    json_decref (doc);
    //  Stored: no agent, no network, linked; texts untouched; the basis's domain links, no canton.
    unit_pg_t *pg = fx->cli.hub->pg;
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM requests r JOIN recommendations c ON c.id = r.from_rec_id "
                                       "WHERE r.ref = '%s' AND c.ref = '%s' AND r.agent_id IS NULL AND r.network IS NULL "
                                       "AND r.message_id = '' AND r.language = 'fr' "
                                       "AND r.cantons = '{}' AND r.institutions = '{health,social-aid}' "
                                       "AND r.objectives = '{labour-market-integration}' AND r.priorities = '{P3}' "
                                       "AND r.state = 'received'", ref, fx->rec),
                      1);
    char *text = unit_pg_text (pg, "SELECT summary FROM requests WHERE ref = '%s'", ref);
    assert_string_equal (text, S_SUMMARY);
    free (text);
    text = unit_pg_text (pg, "SELECT title FROM requests WHERE ref = '%s'", ref);
    assert_string_equal (text, S_TITLE);
    free (text);
    //  One history row, by the bureau, with the note naming the recommendation, told (nothing to
    //  send down: no STATUS for it in the downward queue).
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM request_history h JOIN requests r ON r.id = h.request_id "
                                       "WHERE r.ref = '%s' AND h.state = 'received' AND h.organ = 'bureau' "
                                       "AND h.note = 'opened from the monitoring of %s' AND h.queued", ref, fx->rec),
                      1);
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_history h JOIN requests r ON r.id = h.request_id "
                                 "WHERE r.ref = '%s'", ref), 1);
    assert_int_equal (s_int (fx, "SELECT count(*) FROM downward WHERE subject = 'request:%s'", ref), 0);
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM downward WHERE kind = 'status'"), 2);
    //  Its criteria now: C1, C2 from the basis; C3 counts no network of its own; C4 by its origin.
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_criteria c JOIN requests r ON r.id = c.request_id "
                                 "WHERE r.ref = '%s'", ref), 4);
    char *c3 = unit_pg_text (pg, "SELECT c.reason FROM request_criteria c JOIN requests r ON r.id = c.request_id "
                                 "WHERE r.ref = '%s' AND c.id = 'C3'", ref);
    snprintf (expect, sizeof expect, "national request from the monitoring of %s: no supporting canton, no network "
              "raised it; ", fx->rec);
    if (strncmp (c3, expect, strlen (expect)) != 0)
        fail_msg ("C3: %s", c3);
    free (c3);
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_criteria c JOIN requests r ON r.id = c.request_id "
                                 "WHERE r.ref = '%s' AND c.met AND c.id IN ('C1', 'C2', 'C4')", ref), 3);
    //  Text: one line; German; the next network request takes the next number: one counter, no gap.
    S_OK (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "Nachfrage", "--summary", "Zusammenfassung",
          "--language", "de");
    snprintf (expect, sizeof expect, "CII-%d-0004: national request opened from the monitoring of %s (received by the "
              "bureau)\n", fx->year, fx->rec);
    assert_string_equal (fx->cli.run.out, expect);
    char next [HUB_MAX_REF];
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "GE", "req-c", next);
    snprintf (expect, sizeof expect, "CII-%d-0005", fx->year);
    assert_string_equal (next, expect);
    //  The serving hub's work after a commit passes the national requests by without error.
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_gate_after_commit (fx->cli.hub->store, &err), CII_OK);
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM downward WHERE kind = 'status'"), 3);
    //  The schema refuses a request with neither origin, or both.
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM pg_constraint WHERE conname = 'requests_origin'"), 1);
}

static void
test_refused (void **state)
{
    s_fixture_t *fx = *state;
    unit_pg_t *pg = fx->cli.hub->pg;
    char rec99 [32], expect [256];
    snprintf (rec99, sizeof rec99, "REC-%d-99", fx->year);
    s_run (fx, "request", "new", "--from-monitoring", rec99, "--title", "T", "--summary", "S", NULL);
    snprintf (expect, sizeof expect, "cii-hub request new: unknown recommendation %s", rec99);
    s_assert_refused (fx, expect);
    s_run (fx, "request", "new", "--from-monitoring", fx->a, "--title", "T", "--summary", "S", NULL);
    snprintf (expect, sizeof expect, "cii-hub request new: \"%s\" is not a recommendation reference (REC-YYYY-NN)",
              fx->a);
    s_assert_refused (fx, expect);
    s_run (fx, "request", "new", "--from-monitoring", "REC-1'; DROP TABLE requests;--", "--title", "T", "--summary",
           "S", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_non_null (strstr (fx->cli.run.err, "is not a recommendation reference (REC-YYYY-NN)"));
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "", "--summary", "S", NULL);
    s_assert_refused (fx, "cii-hub request new: a request needs its title (--title)");
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", " \t ", "--summary", "S", NULL);
    s_assert_refused (fx, "cii-hub request new: a request needs its title (--title)");
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "T", "--summary", "\n", NULL);
    s_assert_refused (fx, "cii-hub request new: a request needs its summary (--summary)");
    char title [CII_MAX_TITLE + 2];
    memset (title, 'x', sizeof title - 1);
    title [sizeof title - 1] = 0;
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", title, "--summary", "S", NULL);
    s_assert_refused (fx, "cii-hub request new: the title must be one line of UTF-8 text of at most 200 bytes "
                          "(got 201 bytes)");
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "two\nlines", "--summary", "S", NULL);
    s_assert_refused (fx, "cii-hub request new: the title must be one line of UTF-8 text of at most 200 bytes "
                          "(got 9 bytes)");
    char *summary = malloc (CII_MAX_TEXT + 2);
    assert_non_null (summary);
    memset (summary, 'y', CII_MAX_TEXT + 1);
    summary [CII_MAX_TEXT + 1] = 0;
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "T", "--summary", summary, NULL);
    free (summary);
    s_assert_refused (fx, "cii-hub request new: the summary must be UTF-8 text of at most 8000 bytes (got 8001 bytes)");
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "T", "--summary", "\xff\xfe", NULL);
    s_assert_refused (fx, "cii-hub request new: the summary must be UTF-8 text of at most 8000 bytes (got 2 bytes)");
    s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "T", "--summary", "S", "--language", "en",
           NULL);
    s_assert_refused (fx, "cii-hub request new: unknown language \"en\" (fr, de, it or rm)");
    //  Usage: exit 2.
    assert_int_equal (s_run (fx, "request", "new", "--title", "T", "--summary", "S", NULL), 2);
    assert_non_null (strstr (s_err_line (fx, 0), "--from-monitoring REC is required"));
    assert_int_equal (s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--summary", "S", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "T", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "extra", "--from-monitoring", fx->rec, "--title", "T", "--summary",
                             "S", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--from-monitoring REC"));
    //  Nothing written, no number taken.
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM requests"), 2);
    assert_int_equal (unit_pg_int (pg, "SELECT last FROM ref_counters WHERE prefix = 'CII'"), 2);
    char ref [HUB_MAX_REF];
    s_open (fx, "Suite", ref);
    snprintf (expect, sizeof expect, "CII-%d-0003", fx->year);
    assert_string_equal (ref, expect);
}

static void
test_listed (void **state)
{
    s_fixture_t *fx = *state;
    char ref [HUB_MAX_REF], expect [256];
    s_open (fx, S_TITLE, ref);
    //  requests: the link after the title, no network, no canton.
    S_OK (fx, "requests");
    const char *line = strstr (fx->cli.run.out, ref);
    assert_non_null (line);
    snprintf (expect, sizeof expect, S_TITLE "  (from monitoring of %s)\n", fx->rec);
    assert_non_null (strstr (line, expect));
    assert_non_null (strstr (line, "  -             received"));
    S_OK (fx, "requests", "--json");
    json_t *list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 3);
    snprintf (expect, sizeof expect, "\"%s\"", ref);
    json_t *row = s_json_find (list, "ref", expect);
    assert_non_null (row);
    s_json_member (row, "network", "null");
    snprintf (expect, sizeof expect, "\"%s\"", fx->rec);
    s_json_member (row, "from_rec", expect);
    s_json_member (row, "cantons", "[]");
    snprintf (expect, sizeof expect, "\"%s\"", fx->a);
    s_json_member (s_json_find (list, "ref", expect), "from_rec", "null");
    json_decref (list);
    //  Filters: no network's, no canton's; --state finds it.
    S_OK (fx, "requests", "--network", "lemanique", "--json");
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 1);
    json_decref (list);
    S_OK (fx, "requests", "--canton", "VD", "--json");
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 1);
    json_decref (list);
    //  show: the link, in text and JSON.
    S_OK (fx, "show", ref);
    snprintf (expect, sizeof expect, "\nfrom             monitoring of %s (a national request)\n", fx->rec);
    assert_non_null (strstr (fx->cli.run.out, expect));
    assert_non_null (strstr (fx->cli.run.out, "\nnetwork          -\n"));
    assert_non_null (strstr (fx->cli.run.out, "opened from the monitoring of "));
    S_OK (fx, "show", ref, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "network", "null");
    s_json_member (doc, "request_id", "null");
    snprintf (expect, sizeof expect, "\"%s\"", fx->rec);
    s_json_member (doc, "from_rec", expect);
    s_json_member (doc, "signals", "[]");
    assert_int_equal (json_array_size (json_object_get (doc, "criteria")), 4);
    assert_int_equal (json_array_size (json_object_get (doc, "history")), 1);
    json_decref (doc);
    S_OK (fx, "show", fx->a, "--json");
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "from_rec", "null");
    s_json_member (doc, "network", "\"lemanique\"");
    json_decref (doc);
    //  trace of it: the request with its link, its one decision, no signal.
    S_OK (fx, "trace", ref, "--json");
    doc = s_json (fx->cli.run.out);
    json_t *request = json_array_get (json_object_get (doc, "requests"), 0);
    s_json_member (request, "network", "null");
    s_json_member (request, "from_rec", expect);
    s_json_member (doc, "signals", "[]");
    assert_int_equal (json_array_size (json_object_get (doc, "decisions")), 1);
    json_decref (doc);
}

//  A national request goes through the gate, a theme, an agenda and the matcher like any other.
static void
test_through (void **state)
{
    s_fixture_t *fx = *state;
    unit_pg_t *pg = fx->cli.hub->pg;
    char n1 [HUB_MAX_REF], n2 [HUB_MAX_REF], expect [256];
    s_open (fx, S_TITLE, n1);
    s_open (fx, "Passerelles AI et aide sociale", n2);
    long long statuses = unit_pg_int (pg, "SELECT count(*) FROM downward WHERE kind = 'status'");
    //  decide: admissible, then scheduled by the bureau; nothing goes down, the history is told.
    S_OK (fx, "decide", n1, "--to", "admissible", "--organ", "bureau", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "state", "\"admissible\"");
    json_decref (doc);
    S_OK (fx, "decide", n1, "--to", "scheduled", "--organ", "bureau");
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_history h JOIN requests r ON r.id = h.request_id "
                                 "WHERE r.ref = '%s' AND h.queued", n1), 3);
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM downward WHERE kind = 'status'"), statuses);
    //  inadmissible needs its reason, as for any request.
    s_run (fx, "decide", n2, "--to", "inadmissible", "--organ", "bureau", NULL);
    snprintf (expect, sizeof expect, "cii-hub decide: a note is required to move %s to inadmissible (the reason)", n2);
    s_assert_refused (fx, expect);
    //  A theme with a network's request: its networks are the network's only.
    S_OK (fx, "theme", "new", fx->a, n2, "--title", "Guichet commun");
    char theme [HUB_MAX_REF];
    snprintf (theme, sizeof theme, "NT-%d-01", fx->year);
    S_OK (fx, "themes", "--json");
    doc = s_json (fx->cli.run.out);
    json_t *t = json_array_get (doc, 0);
    s_json_member (t, "networks", "[\"lemanique\"]");
    s_json_member (t, "cantons", "[\"VD\"]");
    json_decref (doc);
    assert_int_equal (s_int (fx, "SELECT count(*) FROM requests WHERE theme_id IS NOT NULL AND ref = '%s'", n2), 1);
    assert_int_equal (unit_pg_int (pg, "SELECT count(*) FROM downward WHERE kind = 'status'"), statuses + 1);
    //  An agenda of the CDC takes up the scheduled national request: no network, no canton.
    S_OK (fx, "meeting", "new", "--organ", "cdc", "--date", "2031-03-10");
    S_OK (fx, "agenda", "M-2031-01", "--json");
    doc = s_json (fx->cli.run.out);
    snprintf (expect, sizeof expect, "\"%s\"", n1);
    json_t *item = s_json_find (json_object_get (doc, "items"), "ref", expect);
    if (!item)
        fail_msg ("%s is not on the agenda: %s", n1, fx->cli.run.out);
    s_json_member (item, "kind", "\"request\"");
    s_json_member (item, "networks", "[]");
    s_json_member (item, "cantons", "[]");
    json_decref (doc);
    S_OK (fx, "agenda", "M-2031-01");
    assert_non_null (strstr (fx->cli.run.out, n1));
    //  And the CDC decides on it in its meeting.
    S_OK (fx, "decide", n1, "--to", "answered", "--organ", "cdc", "--meeting", "M-2031-01", "--note", "Réponse.");
    assert_int_equal (s_int (fx, "SELECT count(*) FROM requests WHERE ref = '%s' AND state = 'answered'", n1), 1);
    //  The matcher indexes it (no network: never another network's similar request) and `similar`
    //  compares it with every network's.
    S_OK (fx, "similar", n1, "--json");
    doc = s_json (fx->cli.run.out);
    assert_true (json_is_array (doc));
    json_decref (doc);
    assert_int_equal (s_int (fx, "SELECT count(*) FROM match_docs m JOIN requests r ON r.id = m.doc_id "
                                 "AND m.kind = 'request' WHERE r.ref = '%s' AND m.network IS NULL", n1), 1);
    S_OK (fx, "similar", fx->b, "--json");
    doc = s_json (fx->cli.run.out);
    snprintf (expect, sizeof expect, "\"%s\"", n1);
    assert_null (s_json_find (doc, "ref", expect));
    json_decref (doc);
    //  The gate's thresholds re-evaluate every request at the gate, national ones too: over its
    //  theme, one canton now suffices.
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_criteria c JOIN requests r ON r.id = c.request_id "
                                 "WHERE r.ref = '%s' AND c.id = 'C3' AND NOT c.met", n2), 1);
    S_OK (fx, "gate", "--c3-min-cantons", "1");
    assert_int_equal (s_int (fx, "SELECT count(*) FROM request_criteria c JOIN requests r ON r.id = c.request_id "
                                 "WHERE r.ref = '%s' AND c.id = 'C3' AND c.met AND c.reason LIKE 'theme NT-%%'", n2),
                      1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_open, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_through, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
