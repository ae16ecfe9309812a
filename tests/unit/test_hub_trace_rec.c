/*  test_hub_trace_rec.c — `cii-hub trace REC [--json]` (hub_trace, hub_store_trace) run in process
    against a real PostgreSQL: a recommendation (stored with SQL as schema 0013 says, two versions)
    whose basis is two requests of two networks, its versions queued down with the real downward
    queue and partly acknowledged, pushes and reports as the ingest stores them (schema 0014, with
    SQL), a national request opened from its monitoring; the trace backward (signals, requests,
    decisions, the basis's networks and cantons) and forward (versions and their delivery per
    network, each canton's push and report state, the report history, the national requests), as
    JSON and as text; refusals with one line, exit 1. */
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
#include "hub_store_downward.h"
#include "hub_trace.h"
#include "unit_cli.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

#define S_DECLINED "Déclinée, parce que la loi cantonale «LASoc» l'exclut.\n\"'; DROP TABLE rec_reports;--\x1b[2J"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    int64_t leman;
    int64_t ticino;
    char a [HUB_MAX_REF];       //  lemanique VD
    char b [HUB_MAX_REF];       //  ticino TI
    char rec [HUB_MAX_REF];     //  REC-YEAR-01
    char national [HUB_MAX_REF];
    int year;
} s_fixture_t;

#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

#define S_OK(fx, ...) unit_hub_cli_ok (&(fx)->cli, __VA_ARGS__, NULL)

//  Queues version's item for networks[0..n-1] with the real downward queue; returns the agents.
static int64_t
s_queue (s_fixture_t *fx, int version, const char *const *networks, size_t n)
{
    char subject [64];
    snprintf (subject, sizeof subject, "recommendation:%s.v%d", fx->rec, version);
    const uint8_t body [] = { 0x0a, 0x01, 0x41 };
    int64_t recipients = 0;
    assert_int_equal (hub_store_downward_queue (fx->cli.hub->store, "recommendation", body, sizeof body, networks, n,
                                                subject, &recipients),
                      CII_OK);
    return recipients;
}

//  Acknowledges everything agent holds, as its ACK does.
static void
s_ack (s_fixture_t *fx, int64_t agent)
{
    int64_t seq = unit_pg_int (fx->cli.hub->pg, "SELECT last_seq FROM downward_heads WHERE agent_id = %lld", (long long) agent);
    assert_int_equal (hub_store_acks (fx->cli.hub->store, &agent, &seq, 1), CII_OK);
}

static void
s_push (s_fixture_t *fx, int version, const char *canton, const char *network, int64_t agent, const char *state,
        const char *adapter, const char *detail, int attempts)
{
    unit_pg_exec (fx->cli.hub->pg, "INSERT INTO rec_pushes (rec_id, version, canton, network, agent_id, message_id, "
                                   "state, adapter, detail, attempts, at) SELECT id, %d, '%s', '%s', %lld, "
                                   "'push-%s-%d-%s', '%s', '%s', '%s', %d, '2031-05-02T10:00:00Z' FROM recommendations "
                                   "WHERE ref = '%s'", version, canton, network, (long long) agent, canton, version,
                  state, state, adapter, detail, attempts, fx->rec);
}

//  A report with note (quoted by the caller as an SQL literal).
static void
s_report (s_fixture_t *fx, int version, const char *canton, const char *network, int64_t agent, const char *state,
          const char *note_sql, const char *at)
{
    unit_pg_exec (fx->cli.hub->pg, "INSERT INTO rec_reports (rec_id, version, canton, network, agent_id, message_id, "
                                   "state, note, source, at) SELECT id, %d, '%s', '%s', %lld, 'rpt-%s-%s', '%s', %s, "
                                   "'cli', '%s' FROM recommendations WHERE ref = '%s'", version, canton, network,
                  (long long) agent, canton, state, state, note_sql, at, fx->rec);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "tracerec", true);
    unit_pg_t *pg = fx->cli.hub->pg;
    fx->leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    fx->ticino = unit_hub_enrol (fx->cli.hub, "ticino");
    fx->year = ug_year (fx->cli.hub);
    ug_simple (fx->cli.hub, fx->leman, "lemanique", "VD", "req-a", fx->a);
    ug_simple (fx->cli.hub, fx->ticino, "ticino", "TI", "req-b", fx->b);
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_gate_after_commit (fx->cli.hub->store, &err), CII_OK);
    S_OK (fx, "decide", fx->a, "--to", "admissible", "--organ", "bureau");
    //  The recommendation: version 1 to GE, TI, VD; version 2 adds ZH (zuerich has no agent).
    snprintf (fx->rec, sizeof fx->rec, "REC-%d-01", fx->year);
    unit_pg_exec (pg, "INSERT INTO recommendations (ref, version) VALUES ('%s', 2)", fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, basis, all_cantons, "
                      "cantons, partners, note, issued_at) SELECT id, 1, '2031-04-20', '2031-12-31', "
                      "ARRAY['%s', '%s', 'Étude OFAS 2030, annexe 2'], false, '{VD,GE,TI}', '{CSIAS}', '', "
                      "'2031-04-21T08:00:00Z' FROM recommendations WHERE ref = '%s'", fx->a, fx->b, fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, basis, all_cantons, "
                      "cantons, partners, note, issued_at) SELECT id, 2, '2031-06-20', '2032-03-31', ARRAY['%s', '%s'], "
                      "false, '{GE,TI,VD,ZH}', '{}', 'Zurich ajouté', '2031-06-21T08:00:00Z' FROM recommendations "
                      "WHERE ref = '%s'", fx->a, fx->b, fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
                      "SELECT id, v, l, 'Guichet commun v' || v || ' ' || l, 'Texte' FROM recommendations, "
                      "unnest ('{fr,de,it}'::text[]) AS l, generate_series (1, 2) AS v WHERE ref = '%s'", fx->rec);
    unit_pg_exec (pg, "INSERT INTO recommendation_requests (rec_id, request_id) SELECT c.id, r.id "
                      "FROM recommendations c, requests r WHERE c.ref = '%s' AND r.ref IN ('%s', '%s')",
                  fx->rec, fx->a, fx->b);
    //  Down: version 1 to both networks, acknowledged; version 2 acknowledged by lemanique only.
    const char *v1 [] = { "lemanique", "ticino" };
    assert_int_equal (s_queue (fx, 1, v1, 2), 2);
    s_ack (fx, fx->leman);
    s_ack (fx, fx->ticino);
    const char *v2 [] = { "lemanique", "ticino", "zuerich" };
    assert_int_equal (s_queue (fx, 2, v2, 3), 2);
    s_ack (fx, fx->leman);
    //  Pushes: GE pushed v1 then failed v2; VD pushed v2 (second attempt).
    s_push (fx, 1, "GE", "lemanique", fx->leman, "pushed", "webhook", "", 1);
    s_push (fx, 2, "GE", "lemanique", fx->leman, "failed", "webhook", "HTTP 500 after 12 attempts", 12);
    s_push (fx, 2, "VD", "lemanique", fx->leman, "pushed", "dir", "", 2);
    //  Reports: VD acknowledged then implemented; GE declined with its reason; TI planned.
    s_report (fx, 1, "VD", "lemanique", fx->leman, "acknowledged", "''", "2031-05-03T09:00:00Z");
    s_report (fx, 2, "VD", "lemanique", fx->leman, "implemented", "'Guichet ouvert à Lausanne.'",
              "2031-07-01T09:00:00Z");
    s_report (fx, 2, "GE", "lemanique", fx->leman, "declined",
              "E'Déclinée, parce que la loi cantonale «LASoc» l''exclut.\\n\"''; DROP TABLE rec_reports;--\\x1b[2J'",
              "2031-07-02T09:00:00Z");
    s_report (fx, 0, "TI", "ticino", fx->ticino, "planned", "'Prévu pour 2032.'", "2031-07-03T09:00:00Z");
    //  Monitoring leads to new work.
    S_OK (fx, "request", "new", "--from-monitoring", fx->rec, "--title", "Suivi: Genève décline", "--summary",
          "Que faire quand un canton décline?", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    snprintf (fx->national, sizeof fx->national, "%s", json_string_value (json_object_get (doc, "ref")));
    json_decref (doc);
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

static const char *
s_str (const json_t *obj, const char *key)
{
    const char *text = json_string_value (json_object_get (obj, key));
    if (!text)
        fail_msg ("%s is not a string", key);
    return text;
}

static json_t *
s_find (const json_t *array, const char *key, const char *value)
{
    char expect [128];
    snprintf (expect, sizeof expect, "\"%s\"", value);
    json_t *row = s_json_find (array, key, expect);
    if (!row)
        fail_msg ("no %s %s", key, value);
    return row;
}

static void
test_trace_rec_json (void **state)
{
    s_fixture_t *fx = *state;
    S_OK (fx, "trace", fx->rec, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    char expect [256];
    assert_string_equal (s_str (doc, "ref"), fx->rec);
    assert_string_equal (s_str (doc, "kind"), "recommendation");
    //  The recommendation and where it came from.
    json_t *rec = json_object_get (doc, "recommendation");
    assert_string_equal (s_str (rec, "ref"), fx->rec);
    s_json_member (rec, "version", "2");
    s_json_member (rec, "meeting", "null");
    s_json_member (rec, "basis_networks", "[\"lemanique\", \"ticino\"]");
    s_json_member (rec, "basis_cantons", "[\"TI\", \"VD\"]");
    //  Backward: the requests of its basis, their signals and decisions.
    json_t *requests = json_object_get (doc, "requests");
    assert_int_equal (json_array_size (requests), 2);
    assert_string_equal (s_str (json_array_get (requests, 0), "ref"), fx->a);
    assert_string_equal (s_str (json_array_get (requests, 0), "network"), "lemanique");
    assert_string_equal (s_str (json_array_get (requests, 0), "state"), "admissible");
    assert_string_equal (s_str (json_array_get (requests, 1), "ref"), fx->b);
    json_t *signals = json_object_get (doc, "signals");
    assert_int_equal (json_array_size (signals), 2);
    s_json_member (json_array_get (signals, 0), "canton", "\"VD\"");
    s_json_member (json_array_get (signals, 1), "canton", "\"TI\"");
    assert_int_equal (json_array_size (json_object_get (doc, "decisions")), 3);
    //  Forward: every version, each network's delivery.
    json_t *versions = json_object_get (doc, "versions");
    assert_int_equal (json_array_size (versions), 2);
    json_t *v1 = json_array_get (versions, 0), *v2 = json_array_get (versions, 1);
    s_json_member (v1, "version", "1");
    s_json_member (v1, "adopted_on", "\"2031-04-20\"");
    s_json_member (v1, "report_by", "\"2031-12-31\"");
    s_json_member (v1, "issued_at", "\"2031-04-21T08:00:00.000Z\"");
    s_json_member (v1, "cantons", "[\"GE\", \"TI\", \"VD\"]");
    s_json_member (v1, "partners", "[\"CSIAS\"]");
    snprintf (expect, sizeof expect, "[\"%s\", \"%s\", \"Étude OFAS 2030, annexe 2\"]", fx->a, fx->b);
    s_json_member (v1, "basis", expect);
    s_json_member (v1, "title", "{\"fr\": \"Guichet commun v1 fr\", \"de\": \"Guichet commun v1 de\", "
                                "\"it\": \"Guichet commun v1 it\"}");
    s_json_member (v2, "note", "\"Zurich ajouté\"");
    s_json_member (v2, "all_cantons", "false");
    json_t *n1 = json_object_get (v1, "networks");
    assert_int_equal (json_array_size (n1), 2);
    json_t *row = s_find (n1, "network", "lemanique");
    s_json_member (row, "state", "\"acknowledged\"");
    s_json_member (row, "cantons", "[\"GE\", \"VD\"]");
    s_json_member (row, "agents", "1");
    s_json_member (row, "acknowledged", "1");
    assert_non_null (json_string_value (json_object_get (row, "queued_at")));
    assert_non_null (json_string_value (json_object_get (row, "acked_at")));
    s_json_member (s_find (n1, "network", "ticino"), "state", "\"acknowledged\"");
    json_t *n2 = json_object_get (v2, "networks");
    assert_int_equal (json_array_size (n2), 3);
    s_json_member (s_find (n2, "network", "lemanique"), "state", "\"acknowledged\"");
    row = s_find (n2, "network", "ticino");
    s_json_member (row, "state", "\"queued\"");
    s_json_member (row, "agents", "1");
    s_json_member (row, "acknowledged", "0");
    s_json_member (row, "acked_at", "null");
    row = s_find (n2, "network", "zuerich");
    s_json_member (row, "state", "\"unsent\"");
    s_json_member (row, "cantons", "[\"ZH\"]");
    s_json_member (row, "agents", "0");
    s_json_member (row, "queued_at", "null");
    //  Every canton: the latest push of the current version, the latest report.
    json_t *cantons = json_object_get (doc, "cantons");
    assert_int_equal (json_array_size (cantons), 4);
    row = s_find (cantons, "canton", "GE");
    s_json_member (row, "network", "\"lemanique\"");
    s_json_member (row, "addressed", "true");
    s_json_member (row, "push", "\"failed\"");
    s_json_member (row, "adapter", "\"webhook\"");
    s_json_member (row, "push_detail", "\"HTTP 500 after 12 attempts\"");
    s_json_member (row, "push_attempts", "12");
    s_json_member (row, "state", "\"declined\"");
    assert_string_equal (s_str (row, "note"), S_DECLINED);
    row = s_find (cantons, "canton", "VD");
    s_json_member (row, "push", "\"pushed\"");
    s_json_member (row, "adapter", "\"dir\"");
    s_json_member (row, "pushed_at", "\"2031-05-02T10:00:00.000Z\"");
    s_json_member (row, "state", "\"implemented\"");
    s_json_member (row, "reported_at", "\"2031-07-01T09:00:00.000Z\"");
    s_json_member (row, "note", "\"Guichet ouvert à Lausanne.\"");
    row = s_find (cantons, "canton", "TI");
    s_json_member (row, "push", "\"queued\"");
    s_json_member (row, "adapter", "null");
    s_json_member (row, "state", "\"planned\"");
    row = s_find (cantons, "canton", "ZH");
    s_json_member (row, "network", "\"zuerich\"");
    s_json_member (row, "push", "\"unsent\"");
    s_json_member (row, "state", "\"none\"");
    s_json_member (row, "reported_at", "null");
    //  The report history, as received.
    json_t *reports = json_object_get (doc, "reports");
    assert_int_equal (json_array_size (reports), 4);
    s_json_member (json_array_get (reports, 0), "state", "\"acknowledged\"");
    s_json_member (json_array_get (reports, 0), "version", "1");
    s_json_member (json_array_get (reports, 1), "state", "\"implemented\"");
    s_json_member (json_array_get (reports, 2), "canton", "\"GE\"");
    assert_string_equal (s_str (json_array_get (reports, 2), "note"), S_DECLINED);
    s_json_member (json_array_get (reports, 3), "version", "0");
    s_json_member (json_array_get (reports, 3), "source", "\"cli\"");
    s_json_member (json_array_get (reports, 3), "network", "\"ticino\"");
    //  The national requests opened from its monitoring.
    json_t *followups = json_object_get (doc, "requests_from_monitoring");
    assert_int_equal (json_array_size (followups), 1);
    assert_string_equal (s_str (json_array_get (followups, 0), "ref"), fx->national);
    s_json_member (json_array_get (followups, 0), "network", "null");
    snprintf (expect, sizeof expect, "\"%s\"", fx->rec);
    s_json_member (json_array_get (followups, 0), "from_rec", expect);
    s_json_member (json_array_get (followups, 0), "state", "\"received\"");
    json_decref (doc);
    //  A request's trace keeps its shape: no recommendation parts.
    S_OK (fx, "trace", fx->a, "--json");
    doc = s_json (fx->cli.run.out);
    assert_null (json_object_get (doc, "recommendation"));
    assert_null (json_object_get (doc, "versions"));
    s_json_member (json_array_get (json_object_get (doc, "requests"), 0), "from_rec", "null");
    json_decref (doc);
}

static void
test_trace_rec_text (void **state)
{
    s_fixture_t *fx = *state;
    S_OK (fx, "trace", fx->rec);
    const char *out = fx->cli.run.out;
    char expect [256];
    snprintf (expect, sizeof expect, "trace %s (recommendation)\nrecommendation\n  %s  version 2  meeting -  created ",
              fx->rec, fx->rec);
    if (strncmp (out, expect, strlen (expect)) != 0)
        fail_msg ("got: %s", out);
    assert_non_null (strstr (out, "\n  basis: networks lemanique,ticino; cantons TI,VD\nsignals\n"));
    assert_non_null (strstr (out, "\nversions\n  v1  issued 2031-04-21T08:00:00.000Z  adopted 2031-04-20  report by "
                                  "2031-12-31  cantons GE,TI,VD  partners CSIAS  Guichet commun v1 fr\n"));
    assert_non_null (strstr (out, "\n    zuerich  unsent  0/0  queued -  acked -  cantons ZH\n"));
    assert_non_null (strstr (out, "\n    ticino  queued  0/1  queued "));
    assert_non_null (strstr (out, "\ncantons\n  GE  lemanique  push failed (webhook, 2031-05-02T10:00:00.000Z, HTTP 500 "
                                  "after 12 attempts)  state declined 2031-07-02T09:00:00.000Z  Déclinée, parce que la "
                                  "loi cantonale «LASoc» l'exclut.?\"'; DROP TABLE rec_reports;--?[2J\n"));
    assert_non_null (strstr (out, "\n  TI  ticino  push queued  state planned 2031-07-03T09:00:00.000Z  Prévu pour "
                                  "2032.\n"));
    assert_non_null (strstr (out, "\n  ZH  zuerich  push unsent  state none\n"));
    assert_non_null (strstr (out, "\nreports\n  2031-05-03T09:00:00.000Z  VD  lemanique  v1  acknowledged  -\n"));
    assert_non_null (strstr (out, "  TI  ticino  latest  planned  Prévu pour 2032.\n"));
    snprintf (expect, sizeof expect, "\nrequests from monitoring\n  %s  received  Suivi: Genève décline\n",
              fx->national);
    assert_non_null (strstr (out, expect));
    //  No control character of stored text reaches the terminal.
    assert_null (strchr (out, '\x1b'));
}

static void
test_trace_rec_refused (void **state)
{
    s_fixture_t *fx = *state;
    char ref [32], expect [128];
    snprintf (ref, sizeof ref, "REC-%d-99", fx->year);
    s_run (fx, "trace", ref, "--json", NULL);
    snprintf (expect, sizeof expect, "cii-hub trace: unknown recommendation %s", ref);
    s_assert_refused (fx, expect);
    s_run (fx, "trace", "REC-1'; DROP TABLE recommendations;--", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_non_null (strstr (fx->cli.run.err, "cii-hub trace: unknown recommendation "));
    s_run (fx, "trace", "REC-\x1b[2J", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_null (strchr (fx->cli.run.err, '\x1b'));
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM recommendations"), 1);
    //  A recommendation without basis, version rows or anything down: empty parts, no error.
    unit_pg_exec (fx->cli.hub->pg, "INSERT INTO recommendations (ref) VALUES ('REC-%d-02')", fx->year);
    snprintf (ref, sizeof ref, "REC-%d-02", fx->year);
    S_OK (fx, "trace", ref, "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "requests", "[]");
    s_json_member (doc, "versions", "[]");
    s_json_member (doc, "cantons", "[]");
    s_json_member (doc, "reports", "[]");
    s_json_member (doc, "requests_from_monitoring", "[]");
    json_decref (doc);
    S_OK (fx, "trace", ref);
    assert_non_null (strstr (fx->cli.run.out, "\nversions\n  (none)\ncantons\n  (none)\nreports\n  (none)\n"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_trace_rec_json),
        cmocka_unit_test (test_trace_rec_text),
        cmocka_unit_test (test_trace_rec_refused),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
