/*  test_hub_monitor.c — the monitoring of recommendations on the hub (issue 9): PUSH and REPORT
    through the serving hub in one process, driven by raw CURVE DEALERs as agents (receipts
    "PUSH-<id>" / "RPT-<id>", resends idempotent, every refusal with its wire code and nothing
    stored); then on a database of its own: the matrix (push states queued / delivered / pushed /
    failed / unsent, the latest report, shares per network and national, filters), the overdue
    cells, a reminder sent as a notice to the networks concerned, and the recommendation item of a
    CDC agenda. Recommendations are written with SQL, as the publishing part stores them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_wire.h"
#include "hub_agenda.h"
#include "hub_meeting.h"
#include "hub_monitor.h"
#include "hub_store_downward.h"
#include "hub_store_monitor.h"
#include "unit_hub.h"
#include "unit_server.h"

//  --- recommendations, as the publishing part stores them ---------------------------------------

//  The SQL that stores version `version` of ref (the current one from now on), addressed to
//  cantons (a text[] literal, "{VD,GE}"), due report_by.
static char *
s_rec_sql (const char *ref, int version, const char *report_by, const char *cantons)
{
    return zsys_sprintf (
        "WITH r AS (INSERT INTO recommendations (ref, version) VALUES ('%s', %d) "
        "           ON CONFLICT (ref) DO UPDATE SET version = EXCLUDED.version RETURNING id), "
        "v AS (INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, all_cantons, cantons) "
        "      SELECT id, %d, '2020-01-10', '%s', cardinality ('%s'::text[]) = 26, '%s' FROM r RETURNING rec_id) "
        "INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
        "SELECT rec_id, %d, l, t, 'Texte, Text, Testo' FROM v, "
        "       (VALUES ('fr', 'Coordination AI et aide sociale (%s)'), ('de', 'Koordination'), "
        "               ('it', 'Coordinamento')) AS x (l, t)",
        ref, version, version, report_by, cantons, cantons, version, ref);
}

static void
s_rec_server (unit_server_t *fx, const char *ref, int version, const char *report_by, const char *cantons)
{
    char *sql = s_rec_sql (ref, version, report_by, cantons);
    unit_server_exec (fx, sql);
    zstr_free (&sql);
}

static void
s_rec (unit_hub_t *hub, const char *ref, int version, const char *report_by, const char *cantons)
{
    char *sql = s_rec_sql (ref, version, report_by, cantons);
    unit_pg_exec (hub->pg, "%s", sql);
    zstr_free (&sql);
}

//  --- over the wire -----------------------------------------------------------------------------

static void
s_send_push (zsock_t *dealer, const char *id, const char *ref, uint32_t version, const char *canton,
             const char *state, const char *detail)
{
    cii_push_t push = { .ref = ref, .version = version, .state = state, .adapter = "dir", .detail = detail,
                        .attempts = 1, .at_ms = 1800000000000LL };
    snprintf (push.canton, sizeof push.canton, "%s", canton);
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_push_envelope (&push, id, &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
}

static void
s_send_report (zsock_t *dealer, const char *id, const char *ref, const char *canton, const char *state,
               const char *note)
{
    cii_report_t report = { .ref = ref, .state = state, .note = note, .at_ms = 1800000000000LL, .source = "cli" };
    snprintf (report.canton, sizeof report.canton, "%s", canton);
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_report_envelope (&report, id, &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
}

static void
s_expect_receipt (zsock_t *dealer, const char *message_id, bool duplicate, const char *ref)
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_RECEIPT);
    assert_string_equal (env->receipt->message_id, message_id);
    assert_int_equal (env->receipt->duplicate, duplicate);
    assert_string_equal (env->receipt->ref, ref);
    cii_codec_free (&env);
}

static void
s_expect_refused (zsock_t *dealer, const char *message_id, Cii__ErrorCode code, const char *text)
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (env->error->code, code);
    assert_string_equal (env->error->message_id, message_id);
    if (text)
        assert_string_equal (env->error->text, text);
    cii_codec_free (&env);
}

//  PUSH and REPORT stored, resent, refused, over the wire. REC-2027-01 v1 addressed VD GE ZH, v2
//  (current) VD ZH.
static void
test_ingest (void **state)
{
    unit_server_t *fx = *state;
    s_rec_server (fx, "REC-2027-01", 1, "2099-12-31", "{VD,GE,ZH}");
    s_rec_server (fx, "REC-2027-01", 2, "2099-12-31", "{VD,ZH}");
    zsock_t *leman = unit_session (fx, 0, 0);
    //  Stored, with their references; resends give the same receipt and store nothing again.
    s_send_push (leman, "push-1", "REC-2027-01", 2, "VD", "pushed", "REC-2027-01.v2.VD.json");
    s_expect_receipt (leman, "push-1", false, "PUSH-1");
    s_send_push (leman, "push-1", "REC-2027-01", 2, "VD", "pushed", "REC-2027-01.v2.VD.json");
    s_expect_receipt (leman, "push-1", true, "PUSH-1");
    s_send_report (leman, "rpt-1", "REC-2027-01", "VD", "planned", "Prévu pour 2028.");
    s_expect_receipt (leman, "rpt-1", false, "RPT-1");
    s_send_report (leman, "rpt-1", "REC-2027-01", "VD", "planned", "Prévu pour 2028.");
    s_expect_receipt (leman, "rpt-1", true, "RPT-1");
    //  A push of version 1 into GE: version 1 addresses it.
    s_send_push (leman, "push-2", "REC-2027-01", 1, "GE", "failed", "no such directory");
    s_expect_receipt (leman, "push-2", false, "PUSH-2");
    //  Refusals, each with its code.
    s_send_push (leman, "push-3", "REC-2027-01", 2, "GE", "pushed", "");
    s_expect_refused (leman, "push-3", CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "REC-2027-01 is not addressed to GE");
    s_send_report (leman, "rpt-2", "REC-2027-01", "GE", "acknowledged", "");
    s_expect_refused (leman, "rpt-2", CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "REC-2027-01 is not addressed to GE");
    s_send_report (leman, "rpt-3", "REC-2027-09", "VD", "acknowledged", "");
    s_expect_refused (leman, "rpt-3", CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE,
                      "report names REC-2027-09, which the hub does not hold");
    s_send_push (leman, "push-4", "REC-2027-09", 1, "VD", "pushed", "");
    s_expect_refused (leman, "push-4", CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE,
                      "push names REC-2027-09, which the hub does not hold");
    s_send_push (leman, "push-5", "REC-2027-01", 3, "VD", "pushed", "");
    s_expect_refused (leman, "push-5", CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE,
                      "push names REC-2027-01 version 3, which the hub does not hold (its latest is version 2)");
    s_send_report (leman, "rpt-4", "REC-2027-01", "ZH", "implemented", "");
    s_expect_refused (leman, "rpt-4", CII__ERROR_CODE__ERROR_NOT_AUTHORISED,
                      "canton ZH belongs to network zuerich, not lemanique");
    s_send_push (leman, "push-6", "REC-2027-01", 2, "ZH", "pushed", "");
    s_expect_refused (leman, "push-6", CII__ERROR_CODE__ERROR_NOT_AUTHORISED,
                      "canton ZH belongs to network zuerich, not lemanique");
    //  A reused id with other content.
    s_send_report (leman, "rpt-1", "REC-2027-01", "VD", "implemented", "Fait.");
    s_expect_refused (leman, "rpt-1", CII__ERROR_CODE__ERROR_CONFLICT, NULL);
    //  "declined" without its reason: the codec refuses it (packed by hand: the wire library will not).
    Cii__Report report = CII__REPORT__INIT;
    report.ref = "REC-2027-01";
    report.canton = "VD";
    report.state = "declined";
    report.note = "  ";
    report.at_ms = 1800000000000LL;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = "rpt-5";
    env.body_case = CII__ENVELOPE__BODY_REPORT;
    env.report = &report;
    uint8_t raw [256];
    size_t size = cii__envelope__get_packed_size (&env);
    assert_true (size <= sizeof raw);
    cii__envelope__pack (&env, raw);
    unit_send_bytes (leman, raw, size);
    Cii__Envelope *got = unit_expect (leman, CII__ENVELOPE__BODY_ERROR);
    assert_int_equal (got->error->code, CII__ERROR_CODE__ERROR_MALFORMED);
    assert_non_null (strstr (got->error->text, "declined needs its reason"));
    cii_codec_free (&got);
    //  Nothing of the refused ones was stored.
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM rec_pushes"), 2);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM rec_reports"), 1);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM ingest_log WHERE kind IN ('push', 'report')"), 3);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM rec_pushes WHERE canton = 'GE' AND version = 1 "
                                            "AND state = 'failed' AND detail = 'no such directory' "
                                            "AND network = 'lemanique' AND adapter = 'dir' AND attempts = 1"), 1);
    assert_int_equal (unit_server_long (fx, "SELECT count(*) FROM rec_reports WHERE canton = 'VD' AND version = 0 "
                                            "AND state = 'planned' AND note = 'Prévu pour 2028.' AND source = 'cli' "
                                            "AND at = timestamptz '2027-01-15 08:00:00+00'"), 1);
    //  The zuerich agent reports on ZH.
    zsock_t *zh = unit_session (fx, 2, 0);
    s_send_report (zh, "rpt-zh", "REC-2027-01", "ZH", "declined", "Déjà couvert par le droit cantonal.");
    s_expect_receipt (zh, "rpt-zh", false, "RPT-2");
    zsock_destroy (&zh);
    zsock_destroy (&leman);
}

//  --- the matrix --------------------------------------------------------------------------------

static void
s_ingest (unit_hub_t *hub, int64_t agent, const char *network, const char *id, const hub_ingest_shape_t *shape,
          const void *item)
{
    hub_ingest_item_t it = { .agent_id = agent, .network = network, .message_id = id, .digest = id,
                             .shape = shape, .item = item };
    assert_int_equal (hub_store_ingest (hub->store, &it, 1, NULL), CII_OK);
    if (!it.stored)
        fail_msg ("%s not stored: %s", id, it.reason);
}

static void
s_push (unit_hub_t *hub, int64_t agent, const char *network, const char *id, const char *ref, uint32_t version,
        const char *canton, const char *state, const char *detail)
{
    cii_push_t push = { .ref = ref, .version = version, .state = state, .adapter = "webhook", .detail = detail,
                        .attempts = 3, .at_ms = 1800000000000LL };
    snprintf (push.canton, sizeof push.canton, "%s", canton);
    s_ingest (hub, agent, network, id, &hub_store_push_shape, &push);
}

static void
s_report (unit_hub_t *hub, int64_t agent, const char *network, const char *id, const char *ref, const char *canton,
          const char *state, const char *note, int64_t at_ms)
{
    cii_report_t report = { .ref = ref, .state = state, .note = note, .at_ms = at_ms, .source = "file" };
    snprintf (report.canton, sizeof report.canton, "%s", canton);
    s_ingest (hub, agent, network, id, &hub_store_report_shape, &report);
}

//  Queues the downward item of ref.vN for the networks' agents (as publishing does).
static void
s_queue (unit_hub_t *hub, const char *ref, int version, const char *const *networks, size_t n)
{
    char subject [64];
    snprintf (subject, sizeof subject, "recommendation:%s.v%d", ref, version);
    const uint8_t body [] = { 0x0a, 0x00 };
    assert_int_equal (hub_store_downward_queue (hub->store, "recommendation", body, sizeof body, networks, n, subject,
                                                NULL), CII_OK);
}

static const hub_monitor_cell_t *
s_cell (const hub_monitor_t *m, const char *rec, const char *canton)
{
    for (size_t i = 0; i < m->count; i++)
        if (streq (m->recs [m->cells [i].rec].ref, rec) && streq (m->cells [i].canton, canton))
            return &m->cells [i];
    fail_msg ("no cell %s %s", rec, canton);
    return NULL;
}

static const hub_monitor_rollup_t *
s_net (const hub_monitor_t *m, const char *network)
{
    for (size_t i = 0; i < m->n_networks; i++)
        if (streq (m->networks [i].network, network))
            return &m->networks [i];
    fail_msg ("no roll-up of %s", network);
    return NULL;
}

//  The fixture of the matrix tests: agents of lemanique, mittelland and zuerich (ticino has none);
//  REC-2027-01 (due in the past) to VD GE BE ZH TI, REC-2027-02 (due 2099) to VD ZH, REC-2027-03
//  v1 then v2; pushes and reports.
typedef struct {
    unit_hub_t *hub;
    int64_t leman, mittel, zh;
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    fx->hub = unit_hub_new ("monitor", true);
    unit_hub_t *hub = fx->hub;
    fx->leman = unit_hub_enrol (hub, "lemanique");
    fx->mittel = unit_hub_enrol (hub, "mittelland");
    fx->zh = unit_hub_enrol (hub, "zuerich");
    s_rec (hub, "REC-2027-01", 1, "2020-12-31", "{BE,GE,TI,VD,ZH}");
    s_rec (hub, "REC-2027-02", 1, "2099-12-31", "{VD,ZH}");
    s_rec (hub, "REC-2027-03", 1, "2099-12-31", "{VD}");
    s_rec (hub, "REC-2027-03", 2, "2099-12-31", "{VD,GE}");
    const char *all [] = { "lemanique", "mittelland", "zuerich", "ticino" };
    s_queue (hub, "REC-2027-01", 1, all, 4);        //  seq 1 for each agent
    s_queue (hub, "REC-2027-02", 1, all, 4);        //  seq 2
    s_queue (hub, "REC-2027-03", 1, all, 1);        //  seq 3 of lemanique
    s_queue (hub, "REC-2027-03", 2, all, 1);        //  seq 4 of lemanique
    //  lemanique acknowledged everything, mittelland REC-2027-01, zuerich nothing.
    int64_t agents [] = { fx->leman, fx->mittel };
    int64_t seqs [] = { 4, 1 };
    assert_int_equal (hub_store_acks (hub->store, agents, seqs, 2), CII_OK);
    //  REC-2027-01: VD pushed then implemented; GE failed, declined; BE delivered, in progress;
    //  ZH queued, acknowledged; TI (no agent) nothing.
    s_push (hub, fx->leman, "lemanique", "p1", "REC-2027-01", 1, "VD", "pushed", "");
    s_push (hub, fx->leman, "lemanique", "p2", "REC-2027-01", 1, "GE", "failed", "HTTP 500 after 3 attempts");
    s_report (hub, fx->leman, "lemanique", "r1", "REC-2027-01", "VD", "planned", "", 1800000000000LL);
    s_report (hub, fx->leman, "lemanique", "r2", "REC-2027-01", "VD", "implemented", "Mis en œuvre.", 1801000000000LL);
    s_report (hub, fx->leman, "lemanique", "r3", "REC-2027-01", "GE", "declined", "Déjà couvert par la loi.",
              1800000000000LL);
    s_report (hub, fx->mittel, "mittelland", "r4", "REC-2027-01", "BE", "in-progress", "Im Gange.", 1800000000000LL);
    s_report (hub, fx->zh, "zuerich", "r5", "REC-2027-01", "ZH", "acknowledged", "", 1800000000000LL);
    //  REC-2027-03: VD pushed version 1 only (the current is 2: delivered), GE failed on v2.
    s_push (hub, fx->leman, "lemanique", "p3", "REC-2027-03", 1, "VD", "pushed", "");
    s_push (hub, fx->leman, "lemanique", "p4", "REC-2027-03", 2, "GE", "failed", "timeout");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_destroy (&fx->hub);
    free (fx);
    return 0;
}

static void
test_matrix (void **state)
{
    s_fixture_t *fx = *state;
    hub_monitor_t m;
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_monitor_build (fx->hub->store, NULL, &m, &err), CII_OK);
    assert_int_equal (m.n_recs, 3);
    assert_int_equal (m.count, 9);
    assert_string_equal (m.recs [0].ref, "REC-2027-01");
    assert_string_equal (m.recs [0].report_by, "2020-12-31");
    assert_string_equal (m.recs [0].title, "Coordination AI et aide sociale (REC-2027-01)");
    assert_int_equal (m.recs [0].addressed, 5);
    assert_int_equal (m.recs [2].version, 2);
    //  Cells by recommendation then canton.
    assert_string_equal (m.cells [0].canton, "BE");
    assert_string_equal (m.cells [4].canton, "ZH");
    const hub_monitor_cell_t *c = s_cell (&m, "REC-2027-01", "VD");
    assert_string_equal (c->push, "pushed");
    assert_string_equal (c->state, "implemented");
    assert_string_equal (c->reported_at, "2027-01-26");
    assert_string_equal (c->note, "Mis en œuvre.");
    assert_false (c->overdue);
    c = s_cell (&m, "REC-2027-01", "GE");
    assert_string_equal (c->push, "failed");
    assert_string_equal (c->push_detail, "HTTP 500 after 3 attempts");
    assert_string_equal (c->state, "declined");
    assert_false (c->overdue);
    c = s_cell (&m, "REC-2027-01", "BE");
    assert_string_equal (c->push, "delivered");
    assert_string_equal (c->network, "mittelland");
    assert_string_equal (c->state, "in-progress");
    assert_true (c->overdue);
    c = s_cell (&m, "REC-2027-01", "ZH");
    assert_string_equal (c->push, "queued");
    assert_string_equal (c->state, "acknowledged");
    assert_true (c->overdue);
    c = s_cell (&m, "REC-2027-01", "TI");
    assert_string_equal (c->push, "unsent");
    assert_string_equal (c->state, "none");
    assert_string_equal (c->reported_at, "");
    assert_null (c->note);
    assert_true (c->overdue);
    //  Pushes of an older version do not count for the current one.
    c = s_cell (&m, "REC-2027-03", "VD");
    assert_string_equal (c->push, "delivered");
    c = s_cell (&m, "REC-2027-03", "GE");
    assert_string_equal (c->push, "failed");
    assert_string_equal (c->push_detail, "timeout");
    c = s_cell (&m, "REC-2027-02", "ZH");
    assert_string_equal (c->push, "queued");
    assert_false (c->overdue);
    assert_int_equal (m.overdue, 3);
    assert_int_equal (m.recs [0].overdue, 3);
    //  Roll-ups: lemanique has REC-01 VD GE, REC-02 VD, REC-03 VD GE = 5 cells: 1 implemented,
    //  1 declined, 3 none.
    assert_int_equal (m.n_networks, 4);
    assert_string_equal (m.networks [0].network, "lemanique");
    const hub_monitor_rollup_t *r = s_net (&m, "lemanique");
    assert_int_equal (r->cells, 5);
    assert_true (hub_monitor_share (r, 3) == 0.2);
    assert_true (hub_monitor_share (r, 4) == 0.2);
    assert_true (hub_monitor_share (r, 5) == 0.6);
    assert_true (hub_monitor_share (r, 0) == 0);
    r = s_net (&m, "zuerich");
    assert_int_equal (r->cells, 2);
    assert_true (hub_monitor_share (r, 0) == 0.5);
    assert_int_equal (m.national.cells, 9);
    assert_true (hub_monitor_share (&m.national, 5) == round (10000.0 * 5 / 9) / 10000.0);
    assert_true (hub_monitor_share (&m.national, 2) == 0.1111);
    double sum = 0;
    for (size_t s = 0; s < HUB_MONITOR_STATES; s++)
        sum += m.national.counts [s];
    assert_true (sum == 9);
    hub_monitor_clear (&m);
    hub_monitor_clear (&m);

    //  Filters.
    hub_monitor_filter_t filter = { "REC-2027-01", NULL, false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, &err), CII_OK);
    assert_int_equal (m.n_recs, 1);
    assert_int_equal (m.count, 5);
    hub_monitor_clear (&m);
    filter = (hub_monitor_filter_t) { NULL, "zuerich", false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, &err), CII_OK);
    assert_int_equal (m.n_recs, 2);
    assert_int_equal (m.count, 2);
    assert_int_equal (m.n_networks, 1);
    assert_int_equal (m.recs [0].addressed, 5);         //  all of its cantons, whatever the filter
    hub_monitor_clear (&m);
    filter = (hub_monitor_filter_t) { NULL, NULL, true };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, &err), CII_OK);
    assert_int_equal (m.count, 3);
    assert_string_equal (m.cells [0].canton, "BE");
    assert_string_equal (m.cells [1].canton, "TI");
    assert_string_equal (m.cells [2].canton, "ZH");
    hub_monitor_clear (&m);
    filter = (hub_monitor_filter_t) { "REC-2027-09", NULL, false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown recommendation REC-2027-09");
    filter = (hub_monitor_filter_t) { NULL, "atlantis", false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    assert_int_equal (m.count, 0);
}

//  A later report replaces the state; the history is kept.
static void
test_latest_report (void **state)
{
    s_fixture_t *fx = *state;
    s_report (fx->hub, fx->zh, "zuerich", "r6", "REC-2027-01", "ZH", "implemented", "Umgesetzt.", 1802000000000LL);
    hub_monitor_t m;
    hub_monitor_filter_t filter = { "REC-2027-01", "zuerich", false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, NULL), CII_OK);
    assert_int_equal (m.count, 1);
    assert_string_equal (m.cells [0].state, "implemented");
    assert_false (m.cells [0].overdue);
    assert_int_equal (m.overdue, 0);
    hub_monitor_clear (&m);
    assert_int_equal (unit_pg_int (fx->hub->pg, "SELECT count(*) FROM rec_reports WHERE canton = 'ZH'"), 2);
    //  A push of an older version arriving late does not replace the current version's.
    s_push (fx->hub, fx->leman, "lemanique", "p5", "REC-2027-03", 2, "VD", "pushed", "");
    s_push (fx->hub, fx->leman, "lemanique", "p6", "REC-2027-03", 1, "VD", "failed", "late retry");
    filter = (hub_monitor_filter_t) { "REC-2027-03", "lemanique", false };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, NULL), CII_OK);
    assert_int_equal (m.count, 2);
    assert_string_equal (m.cells [1].canton, "VD");
    assert_string_equal (m.cells [1].push, "pushed");
    hub_monitor_clear (&m);
    //  A duplicate stores nothing.
    s_report (fx->hub, fx->zh, "zuerich", "r6", "REC-2027-01", "ZH", "implemented", "Umgesetzt.", 1802000000000LL);
    assert_int_equal (unit_pg_int (fx->hub->pg, "SELECT count(*) FROM rec_reports WHERE canton = 'ZH'"), 2);
}

static void
test_remind (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_t *hub = fx->hub;
    hub_monitor_reminder_t sent;
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_monitor_remind (hub->store, &sent, &err), CII_OK);
    assert_true (sent.sent);
    assert_int_equal (sent.cells, 3);
    assert_int_equal (sent.n_recs, 1);
    assert_string_equal (sent.networks, "mittelland,ticino,zuerich");
    assert_int_equal (sent.recipients, 2);              //  ticino has no agent
    assert_string_equal (sent.title, "Reminder: 3 implementation reports overdue");
    assert_non_null (strstr (sent.text, "\nmittelland:\n  REC-2027-01 (due 2020-12-31, "));
    assert_non_null (strstr (sent.text, "): BE\n"));
    assert_non_null (strstr (sent.text, "\nticino:\n  REC-2027-01 (due 2020-12-31, "));
    assert_non_null (strstr (sent.text, "\nzuerich:\n"));
    assert_null (strstr (sent.text, "lemanique"));
    //  Stored: the notice to those networks, queued for their agents, and the reminder.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices WHERE id = %" PRId64 " AND networks = "
                                   "'{mittelland,ticino,zuerich}' AND title = '%s'", sent.notice_id, sent.title), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'notice:%" PRId64 "'",
                                   sent.notice_id), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM rec_reminders WHERE notice_id = %" PRId64
                                   " AND cells = 3 AND networks = '{mittelland,ticino,zuerich}'", sent.notice_id), 1);
    hub_monitor_reminder_clear (&sent);
    hub_monitor_reminder_clear (&sent);
    //  Once every overdue cell has a final report: nothing to send, nothing stored.
    s_report (hub, fx->mittel, "mittelland", "r7", "REC-2027-01", "BE", "implemented", "", 1802000000000LL);
    s_report (hub, fx->zh, "zuerich", "r8", "REC-2027-01", "ZH", "declined", "Nein, weil ...", 1802000000000LL);
    unit_pg_exec (hub->pg, "UPDATE recommendation_versions SET cantons = '{BE,GE,VD,ZH}' WHERE version = 1 AND "
                           "rec_id = (SELECT id FROM recommendations WHERE ref = 'REC-2027-01')");
    assert_int_equal (hub_monitor_remind (hub->store, &sent, &err), CII_OK);
    assert_false (sent.sent);
    assert_int_equal (sent.cells, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM rec_reminders"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 1);
    hub_monitor_reminder_clear (&sent);
}

//  A long list is cut to fit a notice, the rest counted.
static void
test_overdue_text (void **state)
{
    s_fixture_t *fx = *state;
    unit_pg_exec (fx->hub->pg, "UPDATE recommendation_versions SET report_by = '2020-12-31', "
                               "cantons = '{AG,AI,AR,BE,BL,BS,FR,GE,GL,GR,JU,LU,NE,NW,OW,SG,SH,SO,SZ,TG,TI,UR,VD,VS,ZG,ZH}'");
    hub_monitor_t m;
    hub_monitor_filter_t filter = { NULL, NULL, true };
    assert_int_equal (hub_monitor_build (fx->hub->store, &filter, &m, NULL), CII_OK);
    assert_int_equal (m.n_networks, 7);
    char *all = hub_monitor_overdue_text (&m, 0);
    assert_non_null (strstr (all, "\nost:\n  REC-2027-01 (due 2020-12-31, "));
    assert_non_null (strstr (all, "): AI, AR, GL, GR, SG, SH, TG\n"));
    char *cut = hub_monitor_overdue_text (&m, 600);
    assert_true (strlen (cut) <= 600);
    assert_non_null (strstr (cut, " more overdue cantons: cii-hub monitor --overdue lists them all.\n"));
    free (all);
    free (cut);
    hub_monitor_clear (&m);
}

//  The CDC's agenda: one item per recommendation with overdue cells; not on the CP's.
static void
test_agenda (void **state)
{
    s_fixture_t *fx = *state;
    hub_store_t *store = fx->hub->store;
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t cdc, cp, joint;
    assert_int_equal (hub_meeting_new (store, "cdc", "2099-03-10", false, &cdc, &err), CII_OK);
    assert_int_equal (hub_meeting_new (store, "cp", "2099-03-24", false, &cp, &err), CII_OK);
    assert_int_equal (hub_meeting_new (store, "cp", "2099-12-01", true, &joint, &err), CII_OK);
    hub_agenda_t agenda;
    assert_int_equal (hub_agenda_build (store, cdc.ref, &agenda, &err), CII_OK);
    assert_int_equal (agenda.count, 1);
    const hub_agenda_item_t *item = &agenda.items [0];
    assert_string_equal (item->ref, "REC-2027-01");
    assert_string_equal (item->kind, "recommendation");
    assert_string_equal (item->title, "Coordination AI et aide sociale (REC-2027-01)");
    assert_string_equal (item->networks, "mittelland,ticino,zuerich");
    assert_int_equal (item->n_networks, 3);
    assert_string_equal (item->cantons, "BE,TI,ZH");
    assert_int_equal (item->n_cantons, 3);
    assert_string_equal (item->organs, "cdc");
    assert_string_equal (item->why, "report due 2020-12-31: 3 of 5 cantons overdue (BE, TI, ZH)");
    assert_true (item->waiting_days > 2000);
    char *text = hub_agenda_text (&agenda, 0);
    assert_non_null (strstr (text, "1. REC-2027-01 (recommendation): Coordination AI et aide sociale (REC-2027-01)\n"));
    free (text);
    //  The minutes record no outcome for it.
    hub_outcome_t outcome = { .ref = "REC-2027-01", .to = "answered", .note = "vu" };
    hub_minutes_t minutes;
    assert_int_equal (hub_agenda_minutes (store, cdc.ref, &outcome, 1, &minutes, &err), CII_REFUSED);
    assert_non_null (strstr (err.text, "REC-2027-01 is on the agenda for its overdue reports"));
    hub_minutes_clear (&minutes);
    hub_agenda_clear (&agenda);
    assert_int_equal (hub_agenda_build (store, cp.ref, &agenda, &err), CII_OK);
    assert_int_equal (agenda.count, 0);
    hub_agenda_clear (&agenda);
    assert_int_equal (hub_agenda_build (store, joint.ref, &agenda, &err), CII_OK);
    assert_int_equal (agenda.count, 1);
    hub_agenda_clear (&agenda);
    //  Nothing overdue: no item.
    unit_pg_exec (fx->hub->pg, "UPDATE recommendation_versions SET report_by = '2099-12-31'");
    assert_int_equal (hub_agenda_build (store, cdc.ref, &agenda, &err), CII_OK);
    assert_int_equal (agenda.count, 0);
    hub_agenda_clear (&agenda);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (getenv ("CII_TEST_VERBOSE") ? stderr : NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_ingest, unit_server_setup, unit_server_teardown),
        cmocka_unit_test_setup_teardown (test_matrix, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_latest_report, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_remind, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_overdue_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_agenda, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
