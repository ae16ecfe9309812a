/*  test_agent_reports.c — implementation reports on the agent (agent_reports, agent_store_reports)
    run in process on a real agent state of network lemanique (VD, VS, GE) holding two received
    recommendations (rows written with SQL as the downward handler writes them): `cii-agent
    report` (stored with its REPORT frame in the outbox; every refusal with its one line and
    nothing stored), the history and the hub's receipt and refusal, `recommendations` (titles in
    the network's languages, each canton's push and latest report), `trace REC`, and the import of
    report files (imported once, done/ and rejected/ with NAME.error for every hostile file, a file
    seen again after a crash before its move), and a report on a recommendation that came down
    through the RECOMMENDATION kind's handler. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_cli.h"
#include "agent_kinds.h"
#include "agent_reports.h"
#include "agent_setup.h"
#include "agent_store_outbox.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "unit_agent.h"
#include "unit_agent_cli.h"
#include "unit_cli.h"
#include "unit_json.h"

typedef struct {
    unit_agent_cli_t cli;
    char db [600];                //  STATE/agent.db
    char reports [600];           //  STATE/reports
} s_fixture_t;

#define s_run(fx, ...) unit_agent_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_open(fx) unit_agent_cli_open (&(fx)->cli)

#define S_OK(fx, ...) unit_agent_cli_ok (&(fx)->cli, __VA_ARGS__, NULL)

//  `cii-agent --state DIR ARGS...` must exit 1 with exactly "cii-agent VERB: reason\n".
#define S_REFUSED(fx, expected, ...)                                                     \
    do {                                                                                 \
        s_run (fx, "--state", (fx)->cli.agent->state, __VA_ARGS__, NULL);                \
        assert_int_equal ((fx)->cli.run.status, 1);                                      \
        assert_string_equal ((fx)->cli.run.err, expected);                               \
        assert_string_equal ((fx)->cli.run.out, "");                                     \
    } while (0)

static long
s_count (s_fixture_t *fx, const char *sql)
{
    agent_store_t *store = s_open (fx);
    long value = (long) unit_agent_int (store, sql);
    agent_store_destroy (&store);
    return value;
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_agent_cli_init (&fx->cli, "agent-reports", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7398");
    *state = fx;
    const char *st = fx->cli.agent->state;
    S_OK (fx, "init", "--bundle", fx->cli.agent->bundle_path, "--state", st);
    snprintf (fx->db, sizeof fx->db, "%s/agent.db", st);
    snprintf (fx->reports, sizeof fx->reports, "%s/reports", st);
    //  As the downward handler stores RECOMMENDATION items: REC-2027-01 in two versions (the
    //  second adds VS), REC-2027-02 for GE only; pushes of REC-2027-01 v2 in every state.
    unit_agent_sql (fx->db,
        "INSERT INTO recommendations (ref, version, seq, adopted_on, report_by, basis, cantons, all_cantons,"
        " issued_at, note, received_at) VALUES"
        " ('REC-2027-01', 1, 1, '2027-04-20', '2027-12-31', 'CII-2027-0001', 'VD,GE', 0, 1800000000000, '', 1800000001000),"
        " ('REC-2027-01', 2, 2, '2027-04-20', '2027-12-31', 'CII-2027-0001', 'VD,VS,GE', 1, 1800000100000,"
        "  'VS added', 1800000101000),"
        " ('REC-2027-02', 1, 3, '2027-06-01', '2028-06-30', '', 'GE', 0, 1800000200000, '', 1800000201000);"
        "INSERT INTO recommendation_texts (ref, version, language, title, text) VALUES"
        " ('REC-2027-01', 2, 'fr', 'Accès à l''apprentissage', 'Texte.'),"
        " ('REC-2027-01', 2, 'de', 'Zugang zur Lehre', 'Text.'),"
        " ('REC-2027-01', 2, 'it', 'Accesso all''apprendistato', 'Testo.'),"
        " ('REC-2027-02', 1, 'fr', 'Santé', 'Texte.');"
        "INSERT INTO pushes (ref, version, canton, idem_key, state, adapter, attempts, last_error, detail, created_at,"
        " done_at) VALUES"
        " ('REC-2027-01', 2, 'VD', 'REC-2027-01.v2.VD', 'pushed', 'dir', 1, NULL, 'REC-2027-01.v2.VD.json',"
        "  1800000102000, 1800000103000),"
        " ('REC-2027-01', 2, 'GE', 'REC-2027-01.v2.GE', 'failed', 'webhook', 9, 'HTTP 500', NULL, 1800000102000,"
        "  1800086500000),"
        " ('REC-2027-01', 2, 'VS', 'REC-2027-01.v2.VS', 'queued', NULL, 0, NULL, NULL, 1800000102000, NULL);");
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_agent_cli_clear (&fx->cli);
    free (fx);
    return 0;
}

//  The REPORT frame of the outbox entry of report id: decoded, checked against the fields.
static bool
s_frame (const agent_outbox_item_t *item, void *arg)
{
    json_t *frames = arg;
    Cii__Envelope *env = NULL;
    cii_codec_error_t cerr;
    assert_int_equal (cii_codec_decode (item->data, item->size, &env, &cerr), CII_OK);
    assert_string_equal (item->kind, "report");
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_REPORT);
    assert_string_equal (env->message_id, item->message_id);
    const Cii__Report *r = env->report;
    json_t *frame = json_object ();
    cii_json_set (frame, "ref_id", json_integer (item->ref_id));
    cii_json_set (frame, "message_id", json_string (item->message_id));
    cii_json_set (frame, "ref", json_string (r->ref));
    cii_json_set (frame, "canton", json_string (r->canton));
    cii_json_set (frame, "state", json_string (r->state));
    cii_json_set (frame, "note", json_string (r->note));
    cii_json_set (frame, "version", json_integer (r->version));
    cii_json_set (frame, "source", json_string (r->source));
    cii_json_set (frame, "at_ms_set", json_boolean (r->at_ms > 0));
    json_array_append_new (frames, frame);
    cii_codec_free (&env);
    return true;
}

static json_t *
s_frames (s_fixture_t *fx)
{
    json_t *frames = json_array ();
    agent_store_t *store = s_open (fx);
    assert_int_equal (agent_store_outbox_due (store, INT64_MAX, 100, s_frame, frames, NULL, NULL), CII_OK);
    agent_store_destroy (&store);
    return frames;
}

//  --------------------------------------------------------------------------------------------

static void
test_report_cli (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    //  The state directory before the verb; --state after it is the report's state
    S_OK (fx, "--state", st, "report", "rec-2027-01", "--canton", "vd", "--state", "planned", "--note",
          "Mise en œuvre prévue « 2028 »", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "id", "1");
    s_json_member (doc, "ref", "\"REC-2027-01\"");
    s_json_member (doc, "version", "2");
    s_json_member (doc, "canton", "\"VD\"");
    s_json_member (doc, "state", "\"planned\"");
    const char *mid = json_string_value (json_object_get (doc, "message_id"));
    assert_non_null (mid);
    //  The outbox holds its REPORT, with the same message id and fields
    json_t *frames = s_frames (fx);
    assert_int_equal (json_array_size (frames), 1);
    json_t *frame = json_array_get (frames, 0);
    s_json_member (frame, "ref_id", "1");
    assert_string_equal (json_string_value (json_object_get (frame, "message_id")), mid);
    s_json_member (frame, "ref", "\"REC-2027-01\"");
    s_json_member (frame, "canton", "\"VD\"");
    s_json_member (frame, "state", "\"planned\"");
    s_json_member (frame, "note", "\"Mise en œuvre prévue « 2028 »\"");
    s_json_member (frame, "version", "2");
    s_json_member (frame, "source", "\"cli\"");
    s_json_member (frame, "at_ms_set", "true");
    json_decref (frames);
    json_decref (doc);
    //  CII_AGENT_STATE, an older version, text output
    setenv ("CII_AGENT_STATE", st, 1);
    S_OK (fx, "report", "REC-2027-01", "--canton", "GE", "--state", "acknowledged", "--version", "1");
    unsetenv ("CII_AGENT_STATE");
    assert_non_null (strstr (fx->cli.run.out, "report 2: REC-2027-01 version 1, GE acknowledged, queued for the hub"));

    //  Every refusal: one line, exit 1, nothing stored
    S_REFUSED (fx, "cii-agent report: no recommendation REC-2027-09 was received by this agent (cii-agent "
                   "recommendations lists them)\n",
               "report", "REC-2027-09", "--canton", "VD", "--state", "planned");
    S_REFUSED (fx, "cii-agent report: canton ZH is not in network lemanique (VD, VS, GE)\n",
               "report", "REC-2027-01", "--canton", "ZH", "--state", "planned");
    S_REFUSED (fx, "cii-agent report: unknown canton \"XX\"\n",
               "report", "REC-2027-01", "--canton", "XX", "--state", "planned");
    S_REFUSED (fx, "cii-agent report: REC-2027-02 version 1 is not addressed to VD (only GE)\n",
               "report", "REC-2027-02", "--canton", "VD", "--state", "planned");
    S_REFUSED (fx, "cii-agent report: declined needs its reason (recommendations are not binding): give --note "
                   "\"declined, because ...\"\n",
               "report", "REC-2027-01", "--canton", "VD", "--state", "declined");
    S_REFUSED (fx, "cii-agent report: declined needs its reason (recommendations are not binding): give --note "
                   "\"declined, because ...\"\n",
               "report", "REC-2027-01", "--canton", "VD", "--state", "declined", "--note", "  \n ");
    S_REFUSED (fx, "cii-agent report: state \"done\" is not acknowledged, planned, in-progress, implemented or "
                   "declined\n",
               "report", "REC-2027-01", "--canton", "VD", "--state", "done");
    S_REFUSED (fx, "cii-agent report: \"REC-27\" is not a recommendation reference (REC-YYYY-NN)\n",
               "report", "REC-27", "--canton", "VD", "--state", "planned");
    S_REFUSED (fx, "cii-agent report: REC-2027-01 has no version 3 here (latest: 2)\n",
               "report", "REC-2027-01", "--canton", "VD", "--state", "planned", "--version", "3");
    char long_note [CII_MAX_REASON + 2];
    memset (long_note, 'a', sizeof long_note - 1);
    long_note [sizeof long_note - 1] = '\0';
    s_run (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "planned", "--note", long_note,
           NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_non_null (strstr (fx->cli.run.err, "cii-agent report: report refused: report.note"));
    //  Usage
    assert_int_equal (s_run (fx, "--state", st, "report", "REC-2027-01", "--state", "planned", NULL), 2);
    assert_non_null (strstr (fx->cli.run.err, "--canton is required"));
    assert_int_equal (s_run (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", NULL), 2);
    assert_non_null (strstr (fx->cli.run.err, "--state is required"));
    assert_int_equal (s_run (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "planned",
                             "--version", "0", NULL), 2);
    assert_int_equal (s_run (fx, "--state", st, "report", "--canton", "VD", "--state", "planned", NULL), 2);
    assert_int_equal (s_run (fx, "report", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-agent report"));
    //  A declined report with its reason is a legitimate answer
    S_OK (fx, "--state", st, "report", "REC-2027-01", "--canton", "VS", "--state", "declined", "--note",
          "declined, because the cantonal law already provides it");
    assert_int_equal (s_count (fx, "SELECT count(*) FROM reports"), 3);
    assert_int_equal (s_count (fx, "SELECT count(*) FROM outbox WHERE kind = 'report'"), 3);
}

static void
test_history (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    S_OK (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "planned");
    S_OK (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "implemented", "--note", "Fait.");
    S_OK (fx, "--state", st, "report", "REC-2027-02", "--canton", "GE", "--state", "in-progress");
    //  The hub receipts the first, refuses the second
    json_t *frames = s_frames (fx);
    assert_int_equal (json_array_size (frames), 3);
    agent_store_t *store = s_open (fx);
    const char *receipted_mid = json_string_value (json_object_get (json_array_get (frames, 0), "message_id"));
    assert_int_equal (unit_agent_receipt (store, receipted_mid, "RPT-7", 1800001000000), CII_OK);
    const char *refused_mid = json_string_value (json_object_get (json_array_get (frames, 1), "message_id"));
    assert_int_equal (agent_kinds_refused (store, refused_mid, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "not yours", NULL),
                      CII_OK);
    agent_store_destroy (&store);
    json_decref (frames);

    S_OK (fx, "reports", "--state", st, "--rec", "rec-2027-01", "--canton", "vd", "--json");
    json_t *list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 2);
    json_t *first = json_array_get (list, 0), *second = json_array_get (list, 1);
    s_json_member (first, "state", "\"planned\"");
    s_json_member (first, "delivered", "true");
    s_json_member (first, "hub_ref", "\"RPT-7\"");
    s_json_member (first, "hub_received_at", "\"2027-01-15T08:16:40.000Z\"");
    s_json_member (first, "refused", "null");
    s_json_member (first, "source", "\"cli\"");
    s_json_member (second, "state", "\"implemented\"");
    s_json_member (second, "note", "\"Fait.\"");
    s_json_member (second, "delivered", "false");
    s_json_member (second, "refused", "{\"code\": 4, \"name\": \"NOT_AUTHORISED\", \"text\": \"not yours\"}");
    json_decref (list);
    S_OK (fx, "reports", "--state", st, "--json");
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 3);
    json_decref (list);
    S_OK (fx, "reports", "--state", st);
    assert_int_equal (unit_lines (fx->cli.run.out), 4);
    assert_non_null (strstr (fx->cli.run.out, "RPT-7"));
    assert_non_null (strstr (fx->cli.run.out, "NOT_AUTHORISED"));
    S_OK (fx, "reports", "--state", st, "--canton", "VS");
    assert_string_equal (fx->cli.run.out, "no reports\n");
    S_REFUSED (fx, "cii-agent reports: unknown canton \"QQ\"\n", "reports", "--canton", "QQ");
    S_REFUSED (fx, "cii-agent reports: \"x\" is not a recommendation reference (REC-YYYY-NN)\n", "reports", "--rec",
               "x");
    assert_int_equal (s_run (fx, "--state", st, "reports", "export", NULL), 2);

    //  The network's view: titles in fr and de (VD, GE: fr; VS: fr, de), never it
    S_OK (fx, "recommendations", "--state", st, "--json");
    list = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (list), 2);
    json_t *rec = s_json_find (list, "ref", "\"REC-2027-01\"");
    assert_non_null (rec);
    s_json_member (rec, "version", "2");
    s_json_member (rec, "adopted_on", "\"2027-04-20\"");
    s_json_member (rec, "report_by", "\"2027-12-31\"");
    s_json_member (rec, "titles", "{\"de\": \"Zugang zur Lehre\", \"fr\": \"Accès à l'apprentissage\"}");
    json_t *cantons = json_object_get (rec, "cantons");
    assert_int_equal (json_array_size (cantons), 3);
    json_t *vd = s_json_find (cantons, "canton", "\"VD\"");
    s_json_member (vd, "push", "\"pushed\"");
    s_json_member (vd, "state", "\"implemented\"");
    assert_true (json_is_string (json_object_get (vd, "reported_at")));
    json_t *vs = s_json_find (cantons, "canton", "\"VS\"");
    s_json_member (vs, "push", "\"queued\"");
    s_json_member (vs, "state", "\"none\"");
    s_json_member (vs, "reported_at", "null");
    json_t *ge = s_json_find (cantons, "canton", "\"GE\"");
    s_json_member (ge, "push", "\"failed\"");
    s_json_member (ge, "state", "\"none\"");
    rec = s_json_find (list, "ref", "\"REC-2027-02\"");
    cantons = json_object_get (rec, "cantons");
    assert_int_equal (json_array_size (cantons), 1);
    ge = json_array_get (cantons, 0);
    s_json_member (ge, "canton", "\"GE\"");
    s_json_member (ge, "push", "\"none\"");
    s_json_member (ge, "state", "\"in-progress\"");
    assert_true (json_is_string (json_object_get (ge, "reported_at")));
    json_decref (list);
    S_OK (fx, "recommendations", "--state", st);
    assert_non_null (strstr (fx->cli.run.out, "REC-2027-01  version 2  adopted 2027-04-20  report by 2027-12-31\n"));
    assert_non_null (strstr (fx->cli.run.out, "  fr: Accès à l'apprentissage\n"));
    assert_non_null (strstr (fx->cli.run.out, "  VS  push queued  report none"));
}

static void
test_trace_rec (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    S_OK (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "acknowledged");
    S_OK (fx, "--state", st, "report", "REC-2027-01", "--canton", "VD", "--state", "implemented");
    S_OK (fx, "trace", "--state", st, "rec-2027-01", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "ref", "\"REC-2027-01\"");
    json_t *versions = json_object_get (doc, "versions");
    assert_int_equal (json_array_size (versions), 2);
    s_json_member (json_array_get (versions, 0), "cantons", "[\"VD\", \"GE\"]");
    s_json_member (json_array_get (versions, 1), "note", "\"VS added\"");
    json_t *cantons = json_object_get (doc, "cantons");
    assert_int_equal (json_array_size (cantons), 3);
    json_t *vd = s_json_find (cantons, "canton", "\"VD\"");
    assert_int_equal (json_array_size (json_object_get (vd, "pushes")), 1);
    s_json_member (json_array_get (json_object_get (vd, "pushes"), 0), "idem_key", "\"REC-2027-01.v2.VD\"");
    json_t *reports = json_object_get (vd, "reports");
    assert_int_equal (json_array_size (reports), 2);
    s_json_member (json_array_get (reports, 0), "state", "\"acknowledged\"");
    s_json_member (json_array_get (reports, 1), "state", "\"implemented\"");
    json_t *ge = s_json_find (cantons, "canton", "\"GE\"");
    s_json_member (json_array_get (json_object_get (ge, "pushes"), 0), "last_error", "\"HTTP 500\"");
    json_decref (doc);
    S_OK (fx, "trace", "--state", st, "REC-2027-01");
    assert_non_null (strstr (fx->cli.run.out, "trace recommendation REC-2027-01\nversions\n"));
    assert_non_null (strstr (fx->cli.run.out, "canton VD\n pushes\n  2  pushed  dir  1  REC-2027-01.v2.VD.json  -\n"));
    S_REFUSED (fx, "cii-agent trace: no recommendation REC-2027-77 was received by this agent\n", "trace",
               "REC-2027-77");
}

//  --------------------------------------------------------------------------------------------
//  Report files

static void
s_write (const char *path, const char *text, size_t size)
{
    FILE *file = fopen (path, "wb");
    assert_non_null (file);
    assert_int_equal (fwrite (text, 1, size, file), size);
    assert_int_equal (fclose (file), 0);
}

static void
s_drop (s_fixture_t *fx, const char *canton, const char *name, const char *text)
{
    char path [800];
    snprintf (path, sizeof path, "%s/%s", fx->reports, canton);
    mkdir (fx->reports, 0700);
    mkdir (path, 0700);
    snprintf (path, sizeof path, "%s/%s/%s", fx->reports, canton, name);
    s_write (path, text, strlen (text));
}

static bool
s_exists (s_fixture_t *fx, const char *rel)
{
    char path [800];
    snprintf (path, sizeof path, "%s/%s", fx->reports, rel);
    struct stat st;
    return lstat (path, &st) == 0;
}

//  The one line of CANTON/rejected/NAME.error.
static char *
s_error (s_fixture_t *fx, const char *canton, const char *name)
{
    char path [800];
    snprintf (path, sizeof path, "%s/%s/rejected/%s.error", fx->reports, canton, name);
    char *text = NULL;
    size_t size = 0;
    if (cii_util_read_file_max (path, 4096, &text, &size, NULL) != CII_OK)
        fail_msg ("no %s", path);
    assert_int_equal (unit_lines (text), 1);
    return text;
}

#define S_REJECTED_WITH(fx, canton, name, expected)                                      \
    do {                                                                                 \
        char *why_ = s_error (fx, canton, name);                                         \
        if (!strstr (why_, expected))                                                    \
            fail_msg ("%s/%s: error %s, expected %s", canton, name, why_, expected);     \
        free (why_);                                                                     \
        assert_true (s_exists (fx, canton "/rejected/" name));                           \
        assert_false (s_exists (fx, canton "/" name));                                   \
    } while (0)

static void
test_import_files (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    //  Good ones
    s_drop (fx, "VD", "a.json", "{\"rec\": \"REC-2027-01\", \"state\": \"implemented\", \"note\": \"Loi du 3 mai.\"}");
    s_drop (fx, "GE", "b.json", "{\"rec\": \"REC-2027-01\", \"state\": \"planned\", \"version\": 1}");
    s_drop (fx, "VS", "c", "{\"rec\": \"REC-2027-01\", \"state\": \"declined\", \"note\": \"declined, because non.\"}");
    //  Hostile or broken ones
    s_drop (fx, "VD", "badjson.json", "{\"rec\": \"REC-2027-01\",\n  \"state\": implemented}");
    s_drop (fx, "VD", "unknown.json", "{\"rec\": \"REC-2027-99\", \"state\": \"planned\"}");
    s_drop (fx, "VD", "notaddressed.json", "{\"rec\": \"REC-2027-02\", \"state\": \"planned\"}");
    s_drop (fx, "VD", "declined.json", "{\"rec\": \"REC-2027-01\", \"state\": \"declined\"}");
    s_drop (fx, "VD", "latin1.json", "{\"rec\": \"REC-2027-01\",\n \"state\": \"planned\", \"note\": \"d\xe9j\xe0\"}");
    s_drop (fx, "VD", "member.json", "{\"rec\": \"REC-2027-01\", \"state\": \"planned\", \"canton\": \"GE\"}");
    s_drop (fx, "VD", "array.json", "[1, 2]");
    s_drop (fx, "VD", "nostate.json", "{\"rec\": \"REC-2027-01\"}");
    s_drop (fx, "ZH", "z.json", "{\"rec\": \"REC-2027-01\", \"state\": \"planned\"}");
    s_drop (fx, "VD", "badversion.json", "{\"rec\": \"REC-2027-01\", \"state\": \"planned\", \"version\": 7}");
    char *big = malloc (AGENT_REPORT_FILE_MAX + 2);
    memset (big, ' ', AGENT_REPORT_FILE_MAX + 1);
    big [AGENT_REPORT_FILE_MAX + 1] = '\0';
    s_drop (fx, "VD", "big.json", big);
    free (big);
    char path [800], target [800];
    snprintf (path, sizeof path, "%s/VD/link.json", fx->reports);
    snprintf (target, sizeof target, "%s/VD/a.json", fx->reports);
    assert_int_equal (symlink (target, path), 0);
    snprintf (path, sizeof path, "%s/VD/fifo.json", fx->reports);
    assert_int_equal (mkfifo (path, 0600), 0);
    //  Being written: left alone
    s_drop (fx, "VD", ".partial.json", "{");
    s_drop (fx, "VD", "later.json.tmp", "{");

    S_OK (fx, "reports", "import", "--state", st, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "imported", "3");
    s_json_member (doc, "duplicates", "0");
    s_json_member (doc, "rejected", "13");
    s_json_member (doc, "left", "0");
    json_decref (doc);
    assert_true (s_exists (fx, "VD/done/a.json"));
    assert_true (s_exists (fx, "GE/done/b.json"));
    assert_true (s_exists (fx, "VS/done/c"));
    assert_true (s_exists (fx, "VD/.partial.json"));
    assert_true (s_exists (fx, "VD/later.json.tmp"));
    S_REJECTED_WITH (fx, "VD", "badjson.json", "line 2, column");
    S_REJECTED_WITH (fx, "VD", "unknown.json", "no recommendation REC-2027-99 was received by this agent");
    S_REJECTED_WITH (fx, "VD", "notaddressed.json", "REC-2027-02 version 1 is not addressed to VD (only GE)");
    S_REJECTED_WITH (fx, "VD", "declined.json", "declined needs its reason (recommendations are not binding): give "
                                                "\"note\": \"declined, because ...\"");
    S_REJECTED_WITH (fx, "VD", "latin1.json", "not UTF-8 text: line 2, column 32");
    S_REJECTED_WITH (fx, "VD", "member.json", "unknown member \"canton\"");
    S_REJECTED_WITH (fx, "VD", "array.json", "not a JSON object");
    S_REJECTED_WITH (fx, "VD", "nostate.json", "missing \"state\"");
    S_REJECTED_WITH (fx, "VD", "badversion.json", "REC-2027-01 has no version 7 here (latest: 2)");
    S_REJECTED_WITH (fx, "VD", "big.json", "too big: 65537 bytes, a report file holds at most 65536");
    S_REJECTED_WITH (fx, "VD", "link.json", "a symbolic link");
    S_REJECTED_WITH (fx, "VD", "fifo.json", "not a regular file");
    S_REJECTED_WITH (fx, "ZH", "z.json", "canton ZH is not in network lemanique (VD, VS, GE)");
    //  The network's folders are made for the cantonal systems
    assert_true (s_exists (fx, "VS"));

    //  What was stored: three reports from files, each with its digest and REPORT
    assert_int_equal (s_count (fx, "SELECT count(*) FROM reports WHERE source = 'file' AND length(file_digest) = 64"),
                      3);
    assert_int_equal (s_count (fx, "SELECT count(*) FROM outbox WHERE kind = 'report'"), 3);
    assert_int_equal (s_count (fx, "SELECT version FROM reports WHERE canton = 'GE'"), 1);
    json_t *frames = s_frames (fx);
    json_t *frame = s_json_find (frames, "canton", "\"VS\"");
    s_json_member (frame, "source", "\"file\"");
    s_json_member (frame, "state", "\"declined\"");
    s_json_member (frame, "note", "\"declined, because non.\"");
    json_decref (frames);
    S_OK (fx, "reports", "--state", st, "--canton", "VD", "--json");
    doc = s_json (fx->cli.run.out);
    s_json_member (json_array_get (doc, 0), "file", "\"a.json\"");
    json_decref (doc);

    //  A crash between the commit and the move: the same bytes seen again go to done/ only
    char done [800];
    snprintf (done, sizeof done, "%s/VD/done/a.json", fx->reports);
    snprintf (path, sizeof path, "%s/VD/a.json", fx->reports);
    assert_int_equal (link (done, path), 0);
    S_OK (fx, "reports", "import", "--state", st);
    assert_non_null (strstr (fx->cli.run.out, "report files: 0 imported, 1 imported before, 0 rejected"));
    assert_int_equal (s_count (fx, "SELECT count(*) FROM reports"), 3);
    assert_true (s_exists (fx, "VD/done/a.json.1"));
    assert_false (s_exists (fx, "VD/a.json"));
    //  Nothing more to do
    S_OK (fx, "reports", "import", "--state", st, "--json");
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "imported", "0");
    s_json_member (doc, "rejected", "0");
    json_decref (doc);
    assert_int_equal (s_count (fx, "SELECT count(*) FROM outbox WHERE kind = 'report'"), 3);
}

//  The service called directly: the rule is the same as the CLI's, and a digest is stored once.
static void
test_import_service (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_open (fx);
    agent_report_input_t input = { .ref = "REC-2027-01", .canton = "VD", .state = "planned", .source = "file",
                                   .file_name = "x.json",
                                   .file_digest = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" };
    agent_reported_t reported;
    cii_err_t err;
    assert_int_equal (agent_reports_add (store, &input, &reported, &err), CII_OK);
    assert_int_equal (agent_reports_add (store, &input, &reported, &err), CII_CONFLICT);
    assert_string_equal (err.text, "report file x.json of VD was imported already");
    int64_t id = 0;
    assert_int_equal (agent_store_report_by_digest (store, "VD", input.file_digest, &id, NULL), CII_OK);
    assert_int_equal (id, 1);
    //  The same digest for another canton is another file
    input.canton = "GE";
    assert_int_equal (agent_reports_add (store, &input, &reported, &err), CII_OK);
    agent_reports_summary_t summary;
    //  No report folder yet: the import makes one per canton, finds nothing
    assert_int_equal (agent_reports_import (store, fx->cli.agent->state, &summary, &err), CII_OK);
    assert_int_equal (summary.imported + summary.rejected + summary.duplicates + summary.left, 0);
    assert_true (s_exists (fx, "VD") && s_exists (fx, "VS") && s_exists (fx, "GE"));
    agent_store_destroy (&store);
    assert_int_equal (s_count (fx, "SELECT count(*) FROM outbox WHERE kind = 'report'"), 2);
}

//  Through the downward path: a RECOMMENDATION item delivered as the daemon delivers it (stored
//  and its pushes queued by its kind's handler), then reported on.
static void
test_downward (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    Cii__Translation fr = CII__TRANSLATION__INIT, de = CII__TRANSLATION__INIT, it = CII__TRANSLATION__INIT;
    fr.language = (char *) "fr", fr.title = (char *) "Titre", fr.text = (char *) "Texte.";
    de.language = (char *) "de", de.title = (char *) "Titel", de.text = (char *) "Text.";
    it.language = (char *) "it", it.title = (char *) "Titolo", it.text = (char *) "Testo.";
    Cii__Translation *translations [] = { &fr, &de, &it };
    char *cantons [] = { (char *) "VD", (char *) "VS" };
    Cii__Recommendation rec = CII__RECOMMENDATION__INIT;
    rec.ref = (char *) "REC-2027-05";
    rec.version = 1;
    rec.translations = translations;
    rec.n_translations = 3;
    rec.adopted_on = (char *) "2027-04-20";
    rec.report_by = (char *) "2027-12-31";
    rec.cantons = cantons;
    rec.n_cantons = 2;
    rec.issued_at_ms = 1800000000000;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = 1;
    deliver.item_case = CII__DELIVER__ITEM_RECOMMENDATION;
    deliver.recommendation = &rec;
    agent_store_t *store = s_open (fx);
    agent_inbox_outcome_t outcome;
    cii_err_t err;
    cii_err_clear (&err);
    if (unit_agent_deliver (store, &deliver, &outcome, &err) != CII_OK)
        fail_msg ("RECOMMENDATION: %s", err.text);
    agent_store_destroy (&store);
    S_OK (fx, "--state", st, "report", "REC-2027-05", "--canton", "VS", "--state", "acknowledged", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "version", "1");
    json_decref (doc);
    S_REFUSED (fx, "cii-agent report: REC-2027-05 version 1 is not addressed to GE (only VD, VS)\n",
               "report", "REC-2027-05", "--canton", "GE", "--state", "planned");
    S_OK (fx, "recommendations", "--state", st, "--json");
    json_t *list = s_json (fx->cli.run.out);
    json_t *found = s_json_find (list, "ref", "\"REC-2027-05\"");
    assert_non_null (found);
    s_json_member (found, "titles", "{\"de\": \"Titel\", \"fr\": \"Titre\"}");
    json_t *vs = s_json_find (json_object_get (found, "cantons"), "canton", "\"VS\"");
    s_json_member (vs, "push", "\"queued\"");
    s_json_member (vs, "state", "\"acknowledged\"");
    json_decref (list);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_report_cli, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_rec, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_import_files, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_import_service, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_downward, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
