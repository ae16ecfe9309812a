/*  test_recommendation_loop.c — integration (issue 9): the whole loop with real processes, from
    cantonal signals to a CP recommendation pushed into three cantons of three languages and their
    implementation reports in the hub's monitoring matrix. Vaud (French, lemanique), Zurich (German,
    zuerich) and Ticino (Italian, ticino) each raise a signal that their coordinator forwards as a
    request; the bureau and the CP take the three to `recommendation-planned`; the bureau publishes
    REC-YYYY-01 on them, addressed to the three cantons. Each coordinator gives its canton a push
    adapter: a folder for Vaud (dir), a command for Zurich (exec), the canton's HTTP endpoint for
    Ticino (webhook, a real HTTP server process). Each canton receives the recommendation in its own
    language only; the requests end `recommended` at their agents; the cantons report (the
    coordinator's CLI for Vaud and Ticino, a report file dropped by Zurich's system), Ticino
    declining with its reason; the matrix, the roll-ups and the trace show it all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "it_loop.h"

//  The three cantons, their networks and languages, and what each one's signal says.
typedef struct {
    const char *canton, *network, *lang, *signal, *body, *title;
    it_agent_t *agent;
    long id;
    char ids [24];
    char ref [40];
} s_canton_t;

static s_canton_t s_cantons [] = {
    { "VD", "lemanique", "fr", "Jeunes adultes sans interlocuteur entre l'ORP et l'aide sociale",
      "Les jeunes adultes passent de l'ORP à l'aide sociale sans interlocuteur unique ; les dossiers se perdent.",
      "Un interlocuteur unique pour les jeunes adultes", NULL, 0, "", "" },
    { "ZH", "zuerich", "de", "Junge Erwachsene ohne Ansprechperson zwischen RAV und Sozialhilfe",
      "Junge Erwachsene wechseln vom RAV zur Sozialhilfe ohne eine Ansprechperson; Unterlagen gehen verloren.",
      "Eine Ansprechperson für junge Erwachsene", NULL, 0, "", "" },
    { "TI", "ticino", "it", "Giovani adulti senza interlocutore tra URC e assistenza sociale",
      "I giovani adulti passano dall'URC all'assistenza sociale senza un interlocutore unico; i dossier si perdono.",
      "Un interlocutore unico per i giovani adulti", NULL, 0, "", "" },
};
#define S_COUNT 3

//  The recommendation's titles: each canton must get its own and no other.
static const char *s_title_fr = "Un interlocuteur unique pour les jeunes adultes à l'aide sociale";
static const char *s_title_de = "Eine Ansprechperson für junge Erwachsene in der Sozialhilfe";
static const char *s_title_it = "Un interlocutore unico per i giovani adulti nell'assistenza sociale";

//  True once path exists (a regular file).
static bool
s_exists (void *arg)
{
    struct stat st;
    return stat ((const char *) arg, &st) == 0 && S_ISREG (st.st_mode);
}

//  The monitor's cells (`cii-hub monitor --rec REC --json`).
typedef struct {
    it_fixture_t *f;
    const char *rec;
    const char *field;            //  "push" or "state"
    const char *values [S_COUNT]; //  expected per canton of s_cantons
} s_cells_wait_t;

static bool
s_cells_are (void *arg)
{
    s_cells_wait_t *w = arg;
    json_t *doc = it_hub_json (w->f, "monitor", "monitor", "--rec", w->rec, "--json", NULL);
    json_t *cells = json_object_get (doc, "cells");
    bool all = json_array_size (cells) == S_COUNT;
    for (size_t i = 0; all && i < S_COUNT; i++) {
        json_t *cell = it_json_find (cells, "canton", s_cantons [i].canton);
        const char *value = cell ? it_json_str (cell, w->field) : NULL;
        all = value && streq (value, w->values [i]);
    }
    json_decref (doc);
    return all;
}

//  Reads a whole small file (the test's own folders): a new string.
static char *
s_slurp (const char *path)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    static char buf [65536];
    size_t n = fread (buf, 1, sizeof buf - 1, file);
    fclose (file);
    buf [n] = '\0';
    return strdup (buf);
}

//  The payload pushed to a canton holds its language's title and no other.
static void
s_assert_language (const char *payload, const char *canton, const char *mine)
{
    const char *titles [] = { s_title_fr, s_title_de, s_title_it };
    if (!strstr (payload, mine))
        fail_msg ("%s: its title \"%s\" is not in %s", canton, mine, payload);
    for (size_t i = 0; i < 3; i++)
        if (titles [i] != mine && strstr (payload, titles [i]))
            fail_msg ("%s: a title in another language (\"%s\") in %s", canton, titles [i], payload);
}

static void
test_recommendation_loop (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_result_t r;

    //  1. A signal each, a request each, forwarded
    for (size_t i = 0; i < S_COUNT; i++) {
        s_canton_t *c = &s_cantons [i];
        c->agent = it_agent_add (f, c->network);
        assert_non_null (c->agent);
        assert_int_equal (it_agent_start (f, c->agent), 0);
        assert_int_equal (it_agent_cli (f, c->agent, &r, "signal", "add", "--canton", c->canton, "--lang", c->lang,
                                        "--title", c->signal, "--body", c->body, "--institutions",
                                        "unemployment,social-aid", NULL), 0);
        it_result_free (&r);
    }
    for (size_t i = 0; i < S_COUNT; i++) {
        s_canton_t *c = &s_cantons [i];
        c->id = it_draft_of (f, c->agent, c->signal, c->title, c->body, "labour-market-integration", c->ids);
        assert_int_equal (it_agent_run (f, c->agent, &r, "request", "forward", c->ids, NULL), 0);
        it_result_free (&r);
    }
    for (size_t i = 0; i < S_COUNT; i++)
        it_wait_request_state (f, s_cantons [i].agent, s_cantons [i].id, "received", s_cantons [i].ref);

    //  2. The bureau and the CP: admissible, scheduled, a recommendation planned in a CP meeting
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    char d_cp [32], adopted [32], report_by [32];
    snprintf (d_cp, sizeof d_cp, "%04d-06-24", tm.tm_year + 1901);
    snprintf (adopted, sizeof adopted, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf (report_by, sizeof report_by, "%04d-12-31", tm.tm_year + 1902);
    char m_cp [40];
    it_ref_of (IT_HUB_JSON (f, "meeting", "new", "--organ", "cp", "--date", d_cp), m_cp);
    for (size_t i = 0; i < S_COUNT; i++) {
        const char *ref = s_cantons [i].ref;
        assert_int_equal (it_hub_cli (f, &r, "decide", ref, "--to", "admissible", "--organ", "bureau", NULL), 0);
        it_result_free (&r);
        assert_int_equal (it_hub_cli (f, &r, "decide", ref, "--to", "scheduled", "--organ", "bureau", NULL), 0);
        it_result_free (&r);
        assert_int_equal (it_hub_cli (f, &r, "decide", ref, "--to", "recommendation-planned", "--organ", "cp",
                                      "--meeting", m_cp, "--note", "Le CP prépare une recommandation.", NULL), 0);
        it_result_free (&r);
    }

    //  3. The coordinators give their cantons push adapters
    char vd_dir [600], zh_out [600], zh_script [600], path [600];
    snprintf (vd_dir, sizeof vd_dir, "%s/sedex-VD", f->dir);
    assert_int_equal (mkdir (vd_dir, 0755), 0);
    snprintf (zh_out, sizeof zh_out, "%s/zh-system", f->dir);
    assert_int_equal (mkdir (zh_out, 0755), 0);
    char script [2048];
    snprintf (script, sizeof script,
              "#!/bin/sh\n"
              "# Zurich's system: takes the recommendation on stdin\n"
              "cat > \"%s/$CII_REF.v$CII_VERSION.$CII_CANTON.json\" || exit 3\n"
              "printf '%%s' \"$CII_LANG\" > \"%s/$CII_REF.v$CII_VERSION.$CII_CANTON.lang\"\n",
              zh_out, zh_out);
    it_write_file (f, "zh-push.sh", script, zh_script);
    assert_int_equal (chmod (zh_script, 0755), 0);
    assert_int_equal (it_agent_run (f, s_cantons [0].agent, &r, "canton", "set", "VD", "--push", "dir", "--path",
                                    vd_dir, NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, s_cantons [1].agent, &r, "canton", "set", "ZH", "--push", "exec",
                                    "--command", zh_script, NULL), 0);
    it_result_free (&r);
    //  Ticino: its canton's HTTP endpoint, a real server process
    char ti_dir [600], ti_secret [600], ti_url [128];
    snprintf (ti_dir, sizeof ti_dir, "%s/ti-system", f->dir);
    assert_int_equal (mkdir (ti_dir, 0755), 0);
    it_write_file (f, "ti.secret", "segreto-del-cantone-ticino\n", ti_secret);
    assert_int_equal (chmod (ti_secret, 0600), 0);
    int ti_port = 0;
    pid_t sink = it_webhook_sink_start (f, ti_dir, &ti_port);
    assert_true (sink > 0);
    snprintf (ti_url, sizeof ti_url, "http://127.0.0.1:%d/cii/raccomandazioni", ti_port);
    assert_int_equal (it_agent_run (f, s_cantons [2].agent, &r, "canton", "set", "TI", "--push", "webhook", "--url",
                                    ti_url, "--secret-file", ti_secret, NULL), 0);
    it_result_free (&r);

    //  4. A recommendation missing its Italian text is refused, nothing stored; then published
    char text [4096];
    snprintf (text, sizeof text,
              "{\"title\": {\"fr\": \"%s\", \"de\": \"%s\"},\n"
              " \"text\": {\"fr\": \"Les cantons désignent un interlocuteur unique.\", \"de\": \"Die Kantone bezeichnen eine Ansprechperson.\"},\n"
              " \"adopted_on\": \"%s\", \"report_by\": \"%s\", \"basis\": [\"%s\"],\n"
              " \"addressees\": {\"cantons\": [\"VD\", \"ZH\", \"TI\"]}}\n",
              s_title_fr, s_title_de, adopted, report_by, s_cantons [0].ref);
    it_write_file (f, "rec-bad.json", text, path);
    assert_int_equal (it_hub_cli (f, &r, "recommend", "--file", path, NULL), 1);
    assert_non_null (strstr (r.err, "it"));
    it_result_free (&r);
    snprintf (text, sizeof text,
              "{\"title\": {\"fr\": \"%s\", \"de\": \"%s\", \"it\": \"%s\"},\n"
              " \"text\": {\"fr\": \"Les cantons désignent un interlocuteur unique pour les jeunes adultes.\",\n"
              "          \"de\": \"Die Kantone bezeichnen für junge Erwachsene eine Ansprechperson (Fallführung).\",\n"
              "          \"it\": \"I Cantoni designano un interlocutore unico per i giovani adulti.\"},\n"
              " \"adopted_on\": \"%s\", \"report_by\": \"%s\",\n"
              " \"basis\": [\"%s\", \"%s\", \"%s\", \"Étude des besoins 2026\"],\n"
              " \"addressees\": {\"cantons\": [\"VD\", \"ZH\", \"TI\"], \"partners\": [\"CSIAS\"]}}\n",
              s_title_fr, s_title_de, s_title_it, adopted, report_by, s_cantons [0].ref, s_cantons [1].ref,
              s_cantons [2].ref);
    it_write_file (f, "rec.json", text, path);
    char rec [40];
    it_ref_of (IT_HUB_JSON (f, "recommend", "--file", path), rec);
    char expected_ref [40];
    snprintf (expected_ref, sizeof expected_ref, "REC-%04d-01", tm.tm_year + 1900);
    assert_string_equal (rec, expected_ref);

    //  5. Pushed into each canton's system, in its language only, once
    char vd_file [700], zh_file [700], zh_lang [700];
    snprintf (vd_file, sizeof vd_file, "%s/%s.v1.VD.json", vd_dir, rec);
    snprintf (zh_file, sizeof zh_file, "%s/%s.v1.ZH.json", zh_out, rec);
    snprintf (zh_lang, sizeof zh_lang, "%s/%s.v1.ZH.lang", zh_out, rec);
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_exists, vd_file));
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_exists, zh_lang));
    s_cells_wait_t pushed = { f, rec, "push", { "pushed", "pushed", "pushed" } };
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_cells_are, &pushed));
    char *payload = s_slurp (vd_file);
    s_assert_language (payload, "VD", s_title_fr);
    free (payload);
    payload = s_slurp (zh_file);
    s_assert_language (payload, "ZH", s_title_de);
    free (payload);
    payload = s_slurp (zh_lang);
    assert_string_equal (payload, "de");
    free (payload);
    char *request = it_webhook_sink_request (ti_dir, 1);
    assert_non_null (request);
    s_assert_language (request, "TI", s_title_it);
    char key [64];
    snprintf (key, sizeof key, "Idempotency-Key: %s.v1.TI", rec);
    assert_non_null (strcasestr (request, key));
    assert_non_null (strcasestr (request, "X-CII-Signature: sha256="));
    free (request);

    //  6. The requests of the basis are `recommended` at their agents
    for (size_t i = 0; i < S_COUNT; i++)
        it_wait_request_state (f, s_cantons [i].agent, s_cantons [i].id, "recommended", NULL);

    //  7. Reports: Vaud by its coordinator, Zurich's system by a file, Ticino declines
    assert_int_equal (it_agent_run (f, s_cantons [0].agent, &r, "report", rec, "--canton", "VD", "--state",
                                    "implemented", "--note", "Interlocuteur unique en place dans les ORP vaudois.",
                                    NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, s_cantons [2].agent, &r, "report", rec, "--canton", "TI", "--state",
                                    "declined", NULL), 1);
    assert_non_null (strstr (r.err, "declined"));
    it_result_free (&r);
    const char *reason = "Declinato, perché il Cantone ha già uno sportello unico (Sportello Giovani).";
    assert_int_equal (it_agent_run (f, s_cantons [2].agent, &r, "report", rec, "--canton", "TI", "--state",
                                    "declined", "--note", reason, NULL), 0);
    it_result_free (&r);
    //  ... a report for a canton of another network is refused by the agent
    assert_int_equal (it_agent_run (f, s_cantons [2].agent, &r, "report", rec, "--canton", "VD", "--state",
                                    "planned", NULL), 1);
    it_result_free (&r);
    char reports [700], report_file [800], done [800];
    snprintf (reports, sizeof reports, "%s/reports", s_cantons [1].agent->state);
    mkdir (reports, 0755);
    snprintf (reports, sizeof reports, "%s/reports/ZH", s_cantons [1].agent->state);
    mkdir (reports, 0755);
    snprintf (report_file, sizeof report_file, "%s/umsetzung-1.json", reports);
    FILE *file = fopen (report_file, "w");
    assert_non_null (file);
    fprintf (file, "{\"rec\": \"%s\", \"state\": \"planned\", \"note\": \"Umsetzung im RAV ab Januar geplant.\"}\n",
             rec);
    assert_int_equal (fclose (file), 0);
    snprintf (done, sizeof done, "%s/done/umsetzung-1.json", reports);
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_exists, done));

    //  8. The matrix: each cell's report, the roll-ups, the reason of the decline
    s_cells_wait_t reported = { f, rec, "state", { "implemented", "planned", "declined" } };
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_cells_are, &reported));
    json_t *doc = IT_HUB_JSON (f, "monitor", "--rec", rec);
    json_t *cell = it_json_find (json_object_get (doc, "cells"), "canton", "TI");
    assert_string_equal (it_json_str (cell, "note"), reason);
    assert_string_equal (it_json_str (cell, "network"), "ticino");
    assert_int_equal (it_json_long (cell, "version"), 1);
    json_t *national = json_object_get (doc, "national");
    assert_true (json_is_object (national));
    assert_true (json_real_value (json_object_get (national, "implemented")) > 0.33
                 || json_integer_value (json_object_get (national, "implemented")) > 0);
    json_t *networks = json_object_get (doc, "networks");
    assert_non_null (json_object_get (networks, "zuerich"));
    json_decref (doc);
    assert_int_equal (it_hub_cli (f, &r, "monitor", NULL), 0);
    assert_non_null (strstr (r.out, reason));
    it_result_free (&r);

    //  9. The trace from the recommendation back to the cantons' signals and forward to the cells
    assert_int_equal (it_hub_cli (f, &r, "trace", rec, NULL), 0);
    for (size_t i = 0; i < S_COUNT; i++) {
        if (!strstr (r.out, s_cantons [i].ref) || !strstr (r.out, s_cantons [i].canton))
            fail_msg ("trace %s lacks %s or %s:\n%s", rec, s_cantons [i].ref, s_cantons [i].canton, r.out);
    }
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, s_cantons [2].agent, &r, "recommendations", "--json", NULL), 0);
    assert_non_null (strstr (r.out, rec));
    it_result_free (&r);

    it_webhook_sink_stop (f, sink);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_recommendation_loop, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
