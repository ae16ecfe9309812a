/*  test_hub_cli_monitor.c — `cii-hub monitor [--rec REC] [--network N] [--json]`, `--overdue
    [--json]` and `--remind [--json]` run in process against a real PostgreSQL: the JSON shapes
    exactly, the matrix as text (cantons down, recommendations across, roll-ups, declined reasons),
    one-line refusals (exit 1) and usage errors (exit 2), --help from the table, nothing overdue.
    Recommendations, pushes and reports are written with SQL as the other parts store them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_cli.h"
#include "hub_store_downward.h"
#include "unit_cli.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

#define s_run(fx, ...) unit_hub_cli_run (fx, __VA_ARGS__)

//  Version `version` of ref (the current one from now on) to cantons ("{VD,GE}"), due report_by.
static void
s_rec (unit_hub_cli_t *fx, const char *ref, int version, const char *report_by, const char *cantons)
{
    unit_pg_exec (fx->hub->pg,
        "WITH r AS (INSERT INTO recommendations (ref, version) VALUES ('%s', %d) "
        "           ON CONFLICT (ref) DO UPDATE SET version = EXCLUDED.version RETURNING id), "
        "v AS (INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, all_cantons, cantons) "
        "      SELECT id, %d, '2020-01-10', '%s', false, '%s' FROM r RETURNING rec_id) "
        "INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
        "SELECT rec_id, %d, l, 'Titre', 'Texte' FROM v, unnest (ARRAY['fr', 'de', 'it']) AS l",
        ref, version, version, report_by, cantons, version);
}

static void
s_push (unit_hub_cli_t *fx, const char *ref, const char *canton, const char *network, const char *state,
        const char *detail)
{
    unit_pg_exec (fx->hub->pg,
        "INSERT INTO rec_pushes (rec_id, version, canton, network, agent_id, message_id, state, adapter, detail, "
        "                        attempts, at) "
        "SELECT id, version, '%s', '%s', 1, 'm-' || random (), '%s', 'dir', '%s', 1, now () FROM recommendations "
        "WHERE ref = '%s'", canton, network, state, detail, ref);
}

static void
s_report (unit_hub_cli_t *fx, const char *ref, const char *canton, const char *network, const char *state,
          const char *note)
{
    unit_pg_exec (fx->hub->pg,
        "INSERT INTO rec_reports (rec_id, version, canton, network, agent_id, message_id, state, note, at) "
        "SELECT id, 0, '%s', '%s', 1, 'm-' || random (), '%s', '%s', timestamptz '2027-05-02 10:00+02' "
        "FROM recommendations WHERE ref = '%s'", canton, network, state, note, ref);
}

//  REC-2027-01 (due 2020) to VD GE ZH: VD pushed implemented, GE failed declined, ZH queued
//  nothing; REC-2027-02 (due 2099) to VD: delivered, acknowledged. Agents of lemanique, zuerich.
static int
s_setup (void **state)
{
    unit_hub_cli_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (fx, "monitorcli", true);
    int64_t leman = unit_hub_enrol (fx->hub, "lemanique");
    unit_hub_enrol (fx->hub, "zuerich");
    s_rec (fx, "REC-2027-01", 1, "2020-12-31", "{VD,GE,ZH}");
    s_rec (fx, "REC-2027-02", 1, "2099-12-31", "{VD}");
    const char *all [] = { "lemanique", "zuerich" };
    const uint8_t body [] = { 0x0a, 0x00 };
    assert_int_equal (hub_store_downward_queue (fx->hub->store, "recommendation", body, sizeof body, all, 2,
                                                "recommendation:REC-2027-01.v1", NULL), CII_OK);
    assert_int_equal (hub_store_downward_queue (fx->hub->store, "recommendation", body, sizeof body, all, 1,
                                                "recommendation:REC-2027-02.v1", NULL), CII_OK);
    int64_t seq = 2;
    assert_int_equal (hub_store_acks (fx->hub->store, &leman, &seq, 1), CII_OK);
    s_push (fx, "REC-2027-01", "VD", "lemanique", "pushed", "");
    s_push (fx, "REC-2027-01", "GE", "lemanique", "failed", "HTTP 500");
    s_report (fx, "REC-2027-01", "VD", "lemanique", "implemented", "Fait.");
    s_report (fx, "REC-2027-01", "GE", "lemanique", "declined", "Déjà couvert, parce que la loi cantonale le prévoit.");
    s_report (fx, "REC-2027-02", "VD", "lemanique", "acknowledged", "");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    unit_hub_cli_t *fx = *state;
    unit_hub_cli_clear (fx);
    free (fx);
    return 0;
}

static void
test_help_and_usage (void **state)
{
    unit_hub_cli_t *fx = *state;
    assert_int_equal (s_run (fx, "monitor", "--help", NULL), 0);
    assert_non_null (strstr (fx->run.out, "usage: cii-hub monitor"));
    assert_non_null (strstr (fx->run.out, "--overdue"));
    assert_non_null (strstr (fx->run.out, "--remind"));
    assert_non_null (strstr (fx->run.out, "--rec REC-YYYY-NN"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->run.out, "monitor"));
    assert_int_equal (s_run (fx, "monitor", "--overdue", "--remind", NULL), 2);
    assert_string_equal (unit_hub_cli_err_line (fx, 0), "cii-hub monitor: give --overdue or --remind, not both");
    assert_int_equal (s_run (fx, "monitor", "--remind", "--rec", "REC-2027-01", NULL), 2);
    assert_int_equal (s_run (fx, "monitor", "REC-2027-01", NULL), 2);
    assert_int_equal (s_run (fx, "monitor", "--rec", NULL), 2);
    //  Refusals: one line, exit 1.
    s_run (fx, "monitor", "--rec", "REC-2027-09", NULL);
    unit_hub_cli_assert_refused (fx, "cii-hub monitor: unknown recommendation REC-2027-09");
    s_run (fx, "monitor", "--network", "atlantis", "--json", NULL);
    unit_hub_cli_assert_refused (fx, "cii-hub monitor: unknown network atlantis");
    s_run (fx, "monitor", "--rec", "REC-\x1b[2J'; DROP TABLE rec_reports; --", NULL);
    assert_int_equal (fx->run.status, 1);
    assert_int_equal (unit_lines (fx->run.err), 1);
    assert_null (strchr (fx->run.err, '\x1b'));
    assert_int_equal (unit_pg_int (fx->hub->pg, "SELECT count(*) FROM rec_reports"), 3);
}

static void
test_json (void **state)
{
    unit_hub_cli_t *fx = *state;
    assert_int_equal (s_run (fx, "monitor", "--json", NULL), 0);
    assert_int_equal (unit_lines (fx->run.out), 1);
    json_t *doc = s_json (fx->run.out);
    assert_int_equal (json_object_size (doc), 3);
    json_t *cells = json_object_get (doc, "cells");
    assert_int_equal (json_array_size (cells), 4);
    assert_true (s_json_is (json_array_get (cells, 0),
        "{\"rec\": \"REC-2027-01\", \"version\": 1, \"canton\": \"GE\", \"network\": \"lemanique\", "
        "\"push\": \"failed\", \"state\": \"declined\", \"reported_at\": \"2027-05-02\", "
        "\"note\": \"Déjà couvert, parce que la loi cantonale le prévoit.\"}"));
    assert_true (s_json_is (json_array_get (cells, 2),
        "{\"rec\": \"REC-2027-01\", \"version\": 1, \"canton\": \"ZH\", \"network\": \"zuerich\", "
        "\"push\": \"queued\", \"state\": \"none\", \"reported_at\": null, \"note\": \"\"}"));
    s_json_member (json_array_get (cells, 3), "push", "\"delivered\"");
    s_json_member (json_array_get (cells, 3), "state", "\"acknowledged\"");
    //  lemanique: GE declined, VD implemented, VD acknowledged; zuerich: ZH none.
    json_t *networks = json_object_get (doc, "networks");
    assert_int_equal (json_object_size (networks), 2);
    assert_true (s_json_is (json_object_get (networks, "zuerich"),
        "{\"acknowledged\": 0.0, \"planned\": 0.0, \"in-progress\": 0.0, \"implemented\": 0.0, \"declined\": 0.0, "
        "\"none\": 1.0}"));
    json_t *leman = json_object_get (networks, "lemanique");
    assert_true (fabs (json_real_value (json_object_get (leman, "declined")) - 0.3333) < 1e-9);
    assert_true (fabs (json_real_value (json_object_get (leman, "acknowledged")) - 0.3333) < 1e-9);
    assert_true (s_json_is (json_object_get (doc, "national"),
        "{\"acknowledged\": 0.25, \"planned\": 0.0, \"in-progress\": 0.0, \"implemented\": 0.25, \"declined\": 0.25, "
        "\"none\": 0.25}"));
    json_decref (doc);
    //  Filtered.
    assert_int_equal (s_run (fx, "monitor", "--rec", "REC-2027-02", "--json", NULL), 0);
    doc = s_json (fx->run.out);
    assert_int_equal (json_array_size (json_object_get (doc, "cells")), 1);
    json_decref (doc);
    assert_int_equal (s_run (fx, "monitor", "--network", "zuerich", "--json", NULL), 0);
    doc = s_json (fx->run.out);
    assert_int_equal (json_array_size (json_object_get (doc, "cells")), 1);
    assert_null (json_object_get (json_object_get (doc, "networks"), "lemanique"));
    json_decref (doc);
    //  Overdue: a list of cells, the same shape.
    assert_int_equal (s_run (fx, "monitor", "--overdue", "--json", NULL), 0);
    doc = s_json (fx->run.out);
    assert_true (s_json_is (doc, "[{\"rec\": \"REC-2027-01\", \"version\": 1, \"canton\": \"ZH\", "
                                 "\"network\": \"zuerich\", \"push\": \"queued\", \"state\": \"none\", "
                                 "\"reported_at\": null, \"note\": \"\"}]"));
    json_decref (doc);
}

static void
test_text (void **state)
{
    unit_hub_cli_t *fx = *state;
    assert_int_equal (s_run (fx, "monitor", NULL), 0);
    const char *out = fx->run.out;
    char *today = unit_pg_text (fx->hub->pg, "SELECT to_char ((now () AT TIME ZONE 'Europe/Zurich')::date, "
                                         "'YYYY-MM-DD')");
    char expect [256];
    snprintf (expect, sizeof expect, "Monitoring on %s: 2 recommendations, 4 cells, 1 overdue\n", today);
    assert_true (strncmp (out, expect, strlen (expect)) == 0);
    assert_non_null (strstr (out, "\ncanton          REC-2027-01 v1   REC-2027-02 v1\n"));
    assert_non_null (strstr (out, "\nGE lemanique    f declined       .\n"));
    assert_non_null (strstr (out, "\nVD lemanique    p implemented    d acknowledged\n"));
    assert_non_null (strstr (out, "\nZH zuerich      q none!          .\n"));
    assert_non_null (strstr (out, "\nrecommendation   v  report by   overdue    title\n"
                                  "REC-2027-01      1  2020-12-31  1 of 3     Titre\n"
                                  "REC-2027-02      1  2099-12-31  0 of 1     Titre\n"));
    assert_non_null (strstr (out, "\nroll-up           cells  acknowledged  planned  in-progress  implemented  declined"
                                  "    none\n"));
    assert_non_null (strstr (out, "\nnational              4         25.0%     0.0%         0.0%        25.0%     "
                                  "25.0%   25.0%\n"));
    assert_non_null (strstr (out, "\ndeclined, with their reasons:\n  REC-2027-01    GE lemanique    2027-05-02  "
                                  "Déjà couvert, parce que la loi cantonale le prévoit.\n"));
    assert_non_null (strstr (out, "\nfailed pushes:\n  REC-2027-01    GE lemanique    HTTP 500\n"));
    for (int i = 0; i < unit_lines (out); i++)
        assert_true (strlen (unit_hub_cli_out_line (fx, i)) <= 130);     //  120 columns (UTF-8 notes aside)
    //  Overdue as a table.
    assert_int_equal (s_run (fx, "monitor", "--overdue", NULL), 0);
    assert_non_null (strstr (fx->run.out, "REC-2027-01      1  2020-12-31 "));
    snprintf (expect, sizeof expect, "1 overdue cell of 1 recommendation on %s\n", today);
    assert_non_null (strstr (fx->run.out, expect));
    free (today);
}

static void
test_remind (void **state)
{
    unit_hub_cli_t *fx = *state;
    assert_int_equal (s_run (fx, "monitor", "--remind", NULL), 0);
    assert_non_null (strstr (fx->run.out, "reminder sent as notice 1 to zuerich (queued for 1 agent): Reminder: 1 "
                                          "implementation report overdue\n"));
    assert_non_null (strstr (fx->run.out, "\nzuerich:\n  REC-2027-01 (due 2020-12-31, "));
    assert_int_equal (unit_pg_int (fx->hub->pg, "SELECT count(*) FROM rec_reminders"), 1);
    assert_int_equal (s_run (fx, "monitor", "--remind", "--json", NULL), 0);
    json_t *doc = s_json (fx->run.out);
    s_json_member (doc, "sent", "true");
    s_json_member (doc, "notice", "2");
    s_json_member (doc, "networks", "[\"zuerich\"]");
    s_json_member (doc, "cells", "1");
    s_json_member (doc, "recipients", "1");
    json_decref (doc);
    //  Nothing overdue: said so, exit 0, nothing sent.
    s_report (fx, "REC-2027-01", "ZH", "zuerich", "implemented", "");
    assert_int_equal (s_run (fx, "monitor", "--remind", NULL), 0);
    assert_string_equal (fx->run.out, "no report is overdue: no reminder sent\n");
    assert_int_equal (s_run (fx, "monitor", "--remind", "--json", NULL), 0);
    doc = s_json (fx->run.out);
    s_json_member (doc, "sent", "false");
    s_json_member (doc, "notice", "null");
    json_decref (doc);
    assert_int_equal (unit_pg_int (fx->hub->pg, "SELECT count(*) FROM rec_reminders"), 2);
    assert_int_equal (s_run (fx, "monitor", "--overdue", NULL), 0);
    assert_non_null (strstr (fx->run.out, "no report is overdue ("));
    assert_int_equal (s_run (fx, "monitor", "--overdue", "--json", NULL), 0);
    assert_string_equal (fx->run.out, "[]\n");
}

static void
test_empty (void **state)
{
    unit_hub_cli_t *fx = *state;
    unit_pg_exec (fx->hub->pg, "TRUNCATE rec_pushes, rec_reports, rec_reminders, recommendation_texts, "
                               "recommendation_versions, recommendation_requests, recommendations CASCADE");
    assert_int_equal (s_run (fx, "monitor", "--json", NULL), 0);
    assert_string_equal (fx->run.out, "{\"cells\":[],\"networks\":{},\"national\":{\"acknowledged\":0.0,"
                                      "\"planned\":0.0,\"in-progress\":0.0,\"implemented\":0.0,\"declined\":0.0,"
                                      "\"none\":0.0}}\n");
    assert_int_equal (s_run (fx, "monitor", NULL), 0);
    assert_int_equal (unit_lines (fx->run.out), 1);
    assert_non_null (strstr (fx->run.out, ": 0 recommendations, 0 cells, 0 overdue\n"));
}

int
main (void)
{
    zsys_init ();
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_help_and_usage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_json, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_remind, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_empty, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
