/*  hub_store_wg.c — the SQL of the working groups (see hub_store_wg.h). */
#include "hub_store_wg.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_TODAY "(now () AT TIME ZONE 'Europe/Zurich')::date"

cii_rc_t
hub_store_wg_add (hub_store_t *self, const hub_wg_mandate_t *m, const char *organ, const char *meeting,
                  char ref [HUB_MAX_REF], int64_t *id_p)
{
    assert (self && m && organ && ref && id_p);
    cii_rc_t rc = hub_store_ref_next (self, "WG", 2, ref);
    if (rc != CII_OK)
        return rc;
    const char *values [] = { ref, organ, meeting, m->title, m->context, m->objective, m->deliverables, m->process,
                              m->composition, m->communication, m->financing, m->lead, m->staffing, m->until };
    return hub_store_query_id (self, "working group",
        "INSERT INTO working_groups (ref, mandated_by, meeting, title, context, objective, deliverables, process, "
        "                            composition, communication, financing, lead, staffing, until) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::date) RETURNING id",
        14, values, id_p);
}

cii_rc_t
hub_store_wg_link (hub_store_t *self, int64_t wg_id, int64_t request_id)
{
    assert (self);
    char a [24], b [24];
    snprintf (a, sizeof a, "%" PRId64, wg_id);
    snprintf (b, sizeof b, "%" PRId64, request_id);
    const char *values [] = { a, b };
    return hub_store_command (self, "working group link",
                              "INSERT INTO working_group_requests (wg_id, request_id) VALUES ($1::bigint, $2::bigint) "
                              "ON CONFLICT DO NOTHING", 2, values);
}

cii_rc_t
hub_store_wg_open_of (hub_store_t *self, int64_t request_id, char ref [HUB_MAX_REF])
{
    assert (self && ref);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "open working group",
        "SELECT g.ref FROM working_group_requests l JOIN working_groups g ON g.id = l.wg_id "
        "WHERE l.request_id = $1::bigint AND g.reported_at IS NULL ORDER BY g.id LIMIT 1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        hub_rows_copy (rows, 0, ref, HUB_MAX_REF);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_wg_lock (hub_store_t *self, const char *ref, hub_wg_lock_t *out)
{
    assert (self && ref && out);
    memset (out, 0, sizeof *out);
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "lock working group",
        "SELECT id, ref, mandated_by, reported_at IS NOT NULL, coalesce (" HUB_SQL_MS ("reported_at") ", 0) "
        "FROM working_groups WHERE ref = $1 FOR UPDATE", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        out->id = hub_rows_i64 (rows, 0);
        hub_rows_copy (rows, 1, out->ref, sizeof out->ref);
        hub_rows_copy (rows, 2, out->mandated_by, sizeof out->mandated_by);
        out->reported = hub_rows_bool (rows, 3);
        out->reported_at_ms = hub_rows_i64 (rows, 4);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_wg_request_ids (hub_store_t *self, int64_t wg_id, int64_t **ids_p, size_t *count_p)
{
    assert (self && ids_p && count_p);
    *ids_p = NULL;
    *count_p = 0;
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, wg_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "working group requests",
        "SELECT request_id FROM working_group_requests WHERE wg_id = $1::bigint ORDER BY request_id", 1, values);
    return hub_rows_ids (self, rows, ids_p, count_p);
}

cii_rc_t
hub_store_wg_report (hub_store_t *self, int64_t id, const char *result, int64_t *at_ms)
{
    assert (self && result);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, id);
    const char *values [] = { number, result };
    hub_rows_t *rows = hub_store_query (self, "working group report",
        "UPDATE working_groups SET result = $2, reported_at = now () "
        "WHERE id = $1::bigint AND reported_at IS NULL RETURNING " HUB_SQL_MS ("reported_at"), 2, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_CONFLICT;
    if (hub_rows_next (rows)) {
        if (at_ms)
            *at_ms = hub_rows_i64 (rows, 0);
        rc = CII_OK;
    }
    else
        hub_store_set_error (self, "working group report", "reported already");
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_wgs (hub_store_t *self, const char *ref, bool overdue, hub_wg_row_fn *fn, void *arg)
{
    assert (self && fn);
    const char *values [] = { ref, overdue ? "true" : "false" };
    hub_rows_t *rows = hub_store_query (self, "working groups",
        "SELECT g.id, g.ref, g.mandated_by, coalesce (g.meeting, ''), g.title, g.context, g.objective, "
        "       g.deliverables, g.process, g.composition, g.communication, g.financing, g.lead, g.staffing, "
        "       to_char (g.until, 'YYYY-MM-DD'), "
        "       coalesce ((SELECT string_agg (r.ref, ',' ORDER BY r.id) FROM working_group_requests l "
        "                  JOIN requests r ON r.id = l.request_id WHERE l.wg_id = g.id), ''), "
        "       coalesce (g.result, ''), coalesce (" HUB_SQL_MS ("g.reported_at") ", 0), "
        "       g.reported_at IS NULL AND g.until < " S_TODAY ", " HUB_SQL_MS ("g.created_at") " "
        "FROM working_groups g "
        "WHERE CASE WHEN $1::text IS NOT NULL THEN g.ref = $1 "
        "           ELSE NOT $2::bool OR (g.reported_at IS NULL AND g.until < " S_TODAY ") END "
        "ORDER BY g.id",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_wg_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .mandated_by = hub_rows_text (rows, 2),
            .meeting = hub_rows_text (rows, 3),
            .mandate = {
                .title = hub_rows_text (rows, 4),
                .context = hub_rows_text (rows, 5),
                .objective = hub_rows_text (rows, 6),
                .deliverables = hub_rows_text (rows, 7),
                .process = hub_rows_text (rows, 8),
                .composition = hub_rows_text (rows, 9),
                .communication = hub_rows_text (rows, 10),
                .financing = hub_rows_text (rows, 11),
                .lead = hub_rows_text (rows, 12),
                .staffing = hub_rows_text (rows, 13),
                .until = hub_rows_text (rows, 14),
            },
            .requests = hub_rows_text (rows, 15),
            .result = hub_rows_text (rows, 16),
            .reported_at_ms = hub_rows_i64 (rows, 17),
            .overdue = hub_rows_bool (rows, 18),
            .created_at_ms = hub_rows_i64 (rows, 19),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
