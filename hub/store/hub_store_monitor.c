/*  hub_store_monitor.c — PUSH and REPORT stored by the batch ingest, the cells of the monitoring
    matrix, reminders (see hub_store_monitor.h). */
#include "hub_store_monitor.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------------------------
//  The ingest shapes

//  What one PUSH or REPORT names, as checked against the stored recommendation.
typedef struct {
    const char *kind;               //  "push" or "report"
    const char *ref;
    const char *canton;
    uint32_t version;               //  0: none named (a report on the latest)
    bool addressed_by_named;        //  check the canton against the named version (push), else the current
} s_target_t;

//  Resolves target: CII_OK with *rec_id, or the item refused (item->refused set and logged, CII_OK
//  returned), or the database error.
static cii_rc_t
s_resolve (hub_store_t *store, hub_ingest_item_t *item, const s_target_t *target, int64_t *rec_id)
{
    char version [16];
    snprintf (version, sizeof version, "%" PRIu32, target->version);
    const char *values [] = { target->ref, version, target->canton };
    hub_rows_t *rows = hub_store_query (store, "recommendation of an upward message",
        "SELECT r.id, r.version, g.version IS NOT NULL, coalesce ($3 = ANY (g.cantons), false), "
        "       coalesce ($3 = ANY (c.cantons), false) "
        "FROM recommendations r "
        "LEFT JOIN recommendation_versions c ON c.rec_id = r.id AND c.version = r.version "
        "LEFT JOIN recommendation_versions g ON g.rec_id = r.id AND g.version = $2::int "
        "WHERE r.ref = $1",
        3, values);
    if (!rows)
        return hub_store_rc (store);
    if (!hub_rows_next (rows)) {
        item->refused = CII_NOT_FOUND;
        snprintf (item->reason, sizeof item->reason, "%s names %.32s, which the hub does not hold", target->kind,
                  target->ref);
    }
    else {
        *rec_id = hub_rows_i64 (rows, 0);
        int64_t latest = hub_rows_i64 (rows, 1);
        bool named = hub_rows_bool (rows, 2);
        bool addressed = target->addressed_by_named ? hub_rows_bool (rows, 3) : hub_rows_bool (rows, 4);
        if (target->version > 0 && !named) {
            item->refused = CII_NOT_FOUND;
            snprintf (item->reason, sizeof item->reason,
                      "%s names %.32s version %" PRIu32 ", which the hub does not hold (its latest is version %" PRId64
                      ")", target->kind, target->ref, target->version, latest);
        }
        else
        if (!addressed) {
            item->refused = CII_REFUSED;
            if (target->addressed_by_named && target->version != (uint32_t) latest)
                snprintf (item->reason, sizeof item->reason, "%.32s version %" PRIu32 " is not addressed to %s",
                          target->ref, target->version, target->canton);
            else
                snprintf (item->reason, sizeof item->reason, "%.32s is not addressed to %s", target->ref,
                          target->canton);
        }
    }
    hub_rows_destroy (&rows);
    if (item->refused != CII_OK)
        zsys_warning ("hub: agent %s: refused %s: %s", item->network, item->message_id, item->reason);
    return CII_OK;
}

//  Runs the statement that writes the ingest_log row and the kind's row (values: agent_id,
//  message_id, digest, then the kind's own). CII_OK with item stored, or a resend found, or the
//  database error.
static cii_rc_t
s_write (hub_store_t *store, hub_ingest_item_t *item, const char *what, const char *sql, int nparams,
         const char *const *values)
{
    hub_rows_t *rows = hub_store_query (store, what, sql, nparams, values);
    if (!rows)
        return hub_store_rc (store);
    bool written = hub_rows_next (rows);
    if (written) {
        hub_rows_copy (rows, 0, item->ref, sizeof item->ref);
        item->received_at_ms = hub_rows_i64 (rows, 1);
        item->stored = true;
    }
    hub_rows_destroy (&rows);
    cii_rc_t rc = CII_OK;
    //  Nothing written: the log row exists (a concurrent insert of the same message committed).
    if (!written && !hub_store_ingest_resend (store, item, &rc) && rc == CII_OK)
        zsys_warning ("hub store: %s %s of agent %" PRId64 ": logged and gone", what, item->message_id, item->agent_id);
    return rc;
}

//  The ingest_log row first (its ref from the row's id, taken before), then the row: a message id
//  stored meanwhile (ON CONFLICT) writes neither.
#define S_LOGGED(kind, prefix, seq)                                                                \
    "WITH n AS (SELECT nextval ('" seq "') AS id), "                                                \
    "lg AS (INSERT INTO ingest_log (agent_id, message_id, kind, ref, digest) "                     \
    "       SELECT $1::bigint, $2, '" kind "', '" prefix "' || n.id, nullif ($3, '') FROM n "      \
    "       ON CONFLICT (agent_id, message_id) DO NOTHING RETURNING ref, received_at) "

static cii_rc_t
s_push_one (hub_store_t *store, hub_ingest_item_t *item)
{
    const cii_push_t *push = item->item;
    cii_rc_t rc;
    if (hub_store_ingest_resend (store, item, &rc) || rc != CII_OK)
        return rc;
    if (!push->ref || !push->state || !push->adapter) {
        item->refused = CII_BAD_INPUT;          //  the codec lets none of these through
        snprintf (item->reason, sizeof item->reason, "push out of its limits");
        return CII_OK;
    }
    s_target_t target = { "push", push->ref, push->canton, push->version, true };
    int64_t rec_id = 0;
    if ((rc = s_resolve (store, item, &target, &rec_id)) != CII_OK || item->refused != CII_OK)
        return rc;
    char agent [24], rec [24], version [16], attempts [16], at [24];
    snprintf (agent, sizeof agent, "%" PRId64, item->agent_id);
    snprintf (rec, sizeof rec, "%" PRId64, rec_id);
    snprintf (version, sizeof version, "%" PRIu32, push->version);
    snprintf (attempts, sizeof attempts, "%" PRIu32, push->attempts);
    snprintf (at, sizeof at, "%" PRId64, push->at_ms);
    const char *values [] = { agent, item->message_id, item->digest ? item->digest : "", rec, version, push->canton,
                              item->network, push->state, push->adapter, push->detail ? push->detail : "", attempts, at };
    return s_write (store, item, "push",
        S_LOGGED ("push", "PUSH-", "rec_pushes_id_seq")
        ", p AS (INSERT INTO rec_pushes (id, rec_id, version, canton, network, agent_id, message_id, state, adapter, "
        "                            detail, attempts, at, received_at) "
        "        SELECT n.id, $4::bigint, $5::int, $6, $7, $1::bigint, $2, $8, $9, $10, $11::int, "
        "               timestamptz 'epoch' + $12::bigint * interval '1 millisecond', lg.received_at FROM n, lg "
        "        RETURNING id) "
        "SELECT lg.ref, " HUB_SQL_MS ("lg.received_at") " FROM lg, p",
        12, values);
}

static cii_rc_t
s_report_one (hub_store_t *store, hub_ingest_item_t *item)
{
    const cii_report_t *report = item->item;
    cii_rc_t rc;
    if (hub_store_ingest_resend (store, item, &rc) || rc != CII_OK)
        return rc;
    if (!report->ref || !report->state) {
        item->refused = CII_BAD_INPUT;          //  the codec lets none of these through
        snprintf (item->reason, sizeof item->reason, "report out of its limits");
        return CII_OK;
    }
    s_target_t target = { "report", report->ref, report->canton, report->version, false };
    int64_t rec_id = 0;
    if ((rc = s_resolve (store, item, &target, &rec_id)) != CII_OK || item->refused != CII_OK)
        return rc;
    char agent [24], rec [24], version [16], at [24];
    snprintf (agent, sizeof agent, "%" PRId64, item->agent_id);
    snprintf (rec, sizeof rec, "%" PRId64, rec_id);
    snprintf (version, sizeof version, "%" PRIu32, report->version);
    snprintf (at, sizeof at, "%" PRId64, report->at_ms);
    const char *values [] = { agent, item->message_id, item->digest ? item->digest : "", rec, version,
                              report->canton, item->network, report->state, report->note ? report->note : "",
                              report->source ? report->source : "", at };
    return s_write (store, item, "report",
        S_LOGGED ("report", "RPT-", "rec_reports_id_seq")
        ", p AS (INSERT INTO rec_reports (id, rec_id, version, canton, network, agent_id, message_id, state, note, "
        "                             source, at, received_at) "
        "        SELECT n.id, $4::bigint, $5::int, $6, $7, $1::bigint, $2, $8, $9, $10, "
        "               timestamptz 'epoch' + $11::bigint * interval '1 millisecond', lg.received_at FROM n, lg "
        "        RETURNING id) "
        "SELECT lg.ref, " HUB_SQL_MS ("lg.received_at") " FROM lg, p",
        11, values);
}

const hub_ingest_shape_t hub_store_push_shape = {
    .kind = "push",
    .statement = "cii_ingest_push",
    .store = s_push_one,
};

const hub_ingest_shape_t hub_store_report_shape = {
    .kind = "report",
    .statement = "cii_ingest_report",
    .store = s_report_one,
};

//  --------------------------------------------------------------------------------------------
//  The matrix

//  Sets a setting for the rest of the transaction, keeping what it was in saved (size bytes).
static cii_rc_t
s_set (hub_store_t *self, const char *name, const char *value, char *saved, size_t size)
{
    const char *values [] = { name, value };
    hub_rows_t *rows = hub_store_query (self, "monitor", "SELECT current_setting ($1), set_config ($1, $2, true)", 2,
                                        values);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows))
        hub_rows_copy (rows, 0, saved, size);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_monitor_cells (hub_store_t *self, const char *rec, const char *network, const char *today,
                         hub_monitor_rec_fn *rec_fn, hub_monitor_row_fn *row_fn, void *arg)
{
    assert (self && today && rec_fn && row_fn);
    //  JIT off, as for the agenda: over 26,000 cells the estimate passes jit_above_cost, and
    //  compiling costs more than the statement saves; work_mem for the sorts to stay in memory.
    bool own = false;
    char jit [32] = "on", work_mem [32] = "4MB";
    cii_rc_t rc = hub_store_tx_begin (self, "monitor", &own);
    if (rc == CII_OK && own)
        rc = hub_store_command (self, "monitor", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", 0, NULL);
    if (rc == CII_OK)
        rc = s_set (self, "jit", "off", jit, sizeof jit);
    if (rc == CII_OK)
        rc = s_set (self, "work_mem", "64MB", work_mem, sizeof work_mem);
    const char *values [] = { rec ? rec : "", today };
    const char *cell_values [] = { rec ? rec : "", network ? network : "" };
    //  The recommendations: their current version, title and dates.
    hub_rows_t *rows = NULL;
    if (rc == CII_OK && !(rows = hub_store_query (self, "monitor",
        "SELECT r.id, r.ref, r.version, to_char (v.report_by, 'YYYY-MM-DD'), "
        "       coalesce ((SELECT t.title FROM recommendation_texts t WHERE t.rec_id = r.id "
        "                  AND t.version = r.version AND t.language = 'fr'), ''), "
        "       cardinality (v.cantons), $2::date - v.report_by "
        "FROM recommendations r JOIN recommendation_versions v ON v.rec_id = r.id AND v.version = r.version "
        "WHERE $1 = '' OR r.ref = $1 ORDER BY r.id",
        2, values)))
        rc = hub_store_rc (self);
    bool more = true;
    while (rc == CII_OK && more && hub_rows_next (rows)) {
        hub_monitor_rec_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .version = (int) hub_rows_i64 (rows, 2),
            .report_by = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .addressed = (int) hub_rows_i64 (rows, 5),
            .days_past = (int) hub_rows_i64 (rows, 6),
        };
        more = rec_fn (&row, arg);
    }
    hub_rows_destroy (&rows);
    //  The cells, with their latest PUSH and REPORT as rec_cells keeps them (the PUSH counts for
    //  the current version only), and the downward item of the current version per network.
    if (rc == CII_OK && more && !(rows = hub_store_query (self, "monitor",
        "WITH r AS MATERIALIZED ("
        "  SELECT r.id, r.version, v.cantons, 'recommendation:' || r.ref || '.v' || r.version AS subject "
        "  FROM recommendations r JOIN recommendation_versions v ON v.rec_id = r.id AND v.version = r.version "
        "  WHERE $1 = '' OR r.ref = $1), "
        "d AS (SELECT r.id, a.network, bool_or (w.acked_at IS NOT NULL) AS acked "
        "      FROM r JOIN downward w ON w.subject = r.subject JOIN agents a ON a.id = w.agent_id "
        "      GROUP BY r.id, a.network) "
        "SELECT r.id, x.canton, k.network, d.id IS NOT NULL, coalesce (d.acked, false), "
        "       CASE WHEN l.push_version = r.version THEN l.push_state ELSE '' END, "
        "       CASE WHEN l.push_version = r.version THEN l.push_detail ELSE '' END, "
        "       coalesce (l.report_state, ''), "
        "       coalesce (to_char (l.report_at AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD'), ''), "
        "       coalesce (l.report_note, '') "
        "FROM r CROSS JOIN LATERAL unnest (r.cantons) AS x (canton) JOIN cantons k ON k.code = x.canton "
        "LEFT JOIN rec_cells l ON l.rec_id = r.id AND l.canton = x.canton "
        "LEFT JOIN d ON d.id = r.id AND d.network = k.network "
        "WHERE $2 = '' OR k.network = $2 "
        "ORDER BY r.id, x.canton",
        2, cell_values)))
        rc = hub_store_rc (self);
    while (rc == CII_OK && more && hub_rows_next (rows)) {
        hub_monitor_row_t row = {
            .rec_id = hub_rows_i64 (rows, 0),
            .canton = hub_rows_text (rows, 1),
            .network = hub_rows_text (rows, 2),
            .queued = hub_rows_bool (rows, 3),
            .acked = hub_rows_bool (rows, 4),
            .push = hub_rows_text (rows, 5),
            .push_detail = hub_rows_text (rows, 6),
            .state = hub_rows_text (rows, 7),
            .reported_at = hub_rows_text (rows, 8),
            .note = hub_rows_text (rows, 9),
        };
        more = row_fn (&row, arg);
    }
    hub_rows_destroy (&rows);
    if (rc == CII_OK && !own) {
        char ignored [32];
        rc = s_set (self, "jit", jit, ignored, sizeof ignored);
        if (rc == CII_OK)
            rc = s_set (self, "work_mem", work_mem, ignored, sizeof ignored);
    }
    if (hub_store_tx_end (self, "monitor", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_rc (self);
    return rc;
}

cii_rc_t
hub_store_monitor_known (hub_store_t *self, const char *rec, bool *rec_known, const char *network,
                         bool *network_known)
{
    assert (self);
    const char *values [] = { rec ? rec : "", network ? network : "" };
    hub_rows_t *rows = hub_store_query (self, "monitor",
                                        "SELECT EXISTS (SELECT 1 FROM recommendations WHERE ref = $1), "
                                        "       EXISTS (SELECT 1 FROM networks WHERE name = $2)", 2, values);
    if (!rows)
        return hub_store_rc (self);
    bool found = hub_rows_next (rows);
    if (rec_known)
        *rec_known = found && hub_rows_bool (rows, 0);
    if (network_known)
        *network_known = found && hub_rows_bool (rows, 1);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_monitor_reminded (hub_store_t *self, int64_t notice_id, const char *const *networks, size_t n, size_t cells)
{
    assert (self && (n == 0 || networks));
    char *list = hub_store_text_array (networks, n);
    if (!list) {
        hub_store_set_error (self, "reminder", "out of memory");
        return CII_NO_MEMORY;
    }
    char id [24], count [24];
    snprintf (id, sizeof id, "%" PRId64, notice_id);
    snprintf (count, sizeof count, "%zu", cells);
    const char *values [] = { id, list, count };
    cii_rc_t rc = hub_store_command (self, "reminder",
                                     "INSERT INTO rec_reminders (notice_id, networks, cells) "
                                     "VALUES ($1::bigint, $2::text[], $3::int)", 3, values);
    free (list);
    return rc;
}
