/*  hub_store_trace.c — the reads of the lineage view (see hub_store_trace.h). */
#include "hub_store_trace.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  "{1,2,3}": ids as a PostgreSQL array literal, into a new string (free), NULL out of memory.
static char *
s_id_array (const int64_t *ids, size_t n)
{
    size_t size = 3 + n * 21;
    char *text = malloc (size);
    if (!text)
        return NULL;
    size_t used = (size_t) snprintf (text, size, "{");
    for (size_t i = 0; i < n; i++)
        used += (size_t) snprintf (text + used, size - used, "%s%" PRId64, i ? "," : "", ids [i]);
    snprintf (text + used, size - used, "}");
    return text;
}

//  The first column of rows as a new array of references (NULL when none).
static cii_rc_t
s_refs (hub_store_t *self, hub_rows_t *rows, hub_trace_ref_t **refs_p, size_t *count_p)
{
    *refs_p = NULL;
    *count_p = 0;
    int count = hub_rows_count (rows);
    if (count > 0) {
        *refs_p = calloc ((size_t) count, sizeof **refs_p);
        if (!*refs_p) {
            hub_rows_destroy (&rows);
            hub_store_set_error (self, "trace", "out of memory");
            return CII_NO_MEMORY;
        }
    }
    while (hub_rows_next (rows) && *count_p < (size_t) count)
        hub_rows_copy (rows, 0, (*refs_p) [(*count_p)++].ref, HUB_MAX_REF);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_trace_signal_requests (hub_store_t *self, const char *ref, bool *found_p, hub_trace_ref_t **refs_p,
                                 size_t *count_p)
{
    assert (self && ref && found_p && refs_p && count_p);
    *found_p = false;
    *refs_p = NULL;
    *count_p = 0;
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "signal of a trace", "SELECT 1 FROM signals WHERE ref = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    *found_p = hub_rows_next (rows);
    hub_rows_destroy (&rows);
    if (!*found_p)
        return CII_OK;
    rows = hub_store_query (self, "requests of a signal",
        "SELECT r.ref FROM signals s JOIN request_signals l ON l.signal_id = s.id "
        "JOIN requests r ON r.id = l.request_id WHERE s.ref = $1 ORDER BY r.id",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    return s_refs (self, rows, refs_p, count_p);
}

cii_rc_t
hub_store_trace_signals (hub_store_t *self, const int64_t *ids, size_t n, const char *ref, hub_trace_signal_fn *fn,
                         void *arg)
{
    assert (self && fn);
    if (n == 0 && !ref)
        return CII_OK;
    char *list = s_id_array (ids, n);
    if (!list) {
        hub_store_set_error (self, "trace", "out of memory");
        return CII_NO_MEMORY;
    }
    const char *values [] = { list, ref };
    hub_rows_t *rows = hub_store_query (self, "signals of a trace",
        "SELECT s.ref, s.network, s.canton, s.language, s.title, "
        "       coalesce (string_agg (r.ref, ',' ORDER BY r.id) FILTER (WHERE r.id = ANY ($1::bigint[])), ''), "
        "       " HUB_SQL_MS ("s.received_at") " "
        "FROM signals s LEFT JOIN request_signals l ON l.signal_id = s.id "
        "LEFT JOIN requests r ON r.id = l.request_id "
        "WHERE s.id IN (SELECT signal_id FROM request_signals WHERE request_id = ANY ($1::bigint[])) "
        "   OR s.ref = $2 "
        "GROUP BY s.id ORDER BY s.id",
        2, values);
    free (list);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_trace_signal_row_t row = {
            .ref = hub_rows_text (rows, 0),
            .network = hub_rows_text (rows, 1),
            .canton = hub_rows_text (rows, 2),
            .language = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .requests = hub_rows_text (rows, 5),
            .received_at_ms = hub_rows_i64 (rows, 6),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_trace_links (hub_store_t *self, const char *kind, const int64_t *ids, size_t n, hub_trace_ref_t **refs_p,
                       size_t *count_p)
{
    assert (self && kind && refs_p && count_p);
    *refs_p = NULL;
    *count_p = 0;
    if (n == 0)
        return CII_OK;
    bool wg = strcmp (kind, "wg") == 0;
    assert (wg || strcmp (kind, "project") == 0);
    char *list = s_id_array (ids, n);
    if (!list) {
        hub_store_set_error (self, "trace", "out of memory");
        return CII_NO_MEMORY;
    }
    const char *values [] = { list };
    hub_rows_t *rows = wg
        ? hub_store_query (self, "working groups of a trace",
              "SELECT g.ref FROM working_groups g WHERE g.id IN "
              "(SELECT wg_id FROM working_group_requests WHERE request_id = ANY ($1::bigint[])) ORDER BY g.id",
              1, values)
        : hub_store_query (self, "projects of a trace",
              "SELECT p.ref FROM projects p WHERE p.id IN "
              "(SELECT project_id FROM project_requests WHERE request_id = ANY ($1::bigint[])) ORDER BY p.id",
              1, values);
    free (list);
    if (!rows)
        return hub_store_rc (self);
    return s_refs (self, rows, refs_p, count_p);
}

//  --------------------------------------------------------------------------------------------
//  Recommendations

cii_rc_t
hub_store_trace_rec (hub_store_t *self, const char *ref, hub_trace_rec_fn *fn, void *arg)
{
    assert (self && ref && fn);
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "recommendation of a trace",
        "SELECT r.id, r.ref, r.version, coalesce (r.meeting, ''), "
        "  (SELECT coalesce (string_agg (DISTINCT q.network, ',' ORDER BY q.network), '') "
        "   FROM recommendation_requests b JOIN requests q ON q.id = b.request_id WHERE b.rec_id = r.id), "
        "  (SELECT coalesce (string_agg (DISTINCT x.c, ',' ORDER BY x.c), '') FROM ("
        "     SELECT unnest (q.cantons) AS c FROM recommendation_requests b JOIN requests q ON q.id = b.request_id "
        "     WHERE b.rec_id = r.id "
        "     UNION SELECT s.canton FROM recommendation_requests b JOIN request_signals l ON l.request_id = b.request_id "
        "     JOIN signals s ON s.id = l.signal_id WHERE b.rec_id = r.id) x), "
        "  " HUB_SQL_MS ("r.created_at") " "
        "FROM recommendations r WHERE r.ref = $1",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        hub_trace_rec_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .version = (int) hub_rows_i64 (rows, 2),
            .meeting = hub_rows_text (rows, 3),
            .networks = hub_rows_text (rows, 4),
            .cantons = hub_rows_text (rows, 5),
            .created_at_ms = hub_rows_i64 (rows, 6),
        };
        fn (&row, arg);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_trace_rec_requests (hub_store_t *self, int64_t rec_id, hub_trace_ref_t **refs_p, size_t *count_p)
{
    assert (self && refs_p && count_p);
    *refs_p = NULL;
    *count_p = 0;
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "basis of a trace",
        "SELECT q.ref FROM recommendation_requests b JOIN requests q ON q.id = b.request_id "
        "WHERE b.rec_id = $1::bigint ORDER BY q.id",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    return s_refs (self, rows, refs_p, count_p);
}

cii_rc_t
hub_store_trace_rec_versions (hub_store_t *self, int64_t rec_id, hub_trace_version_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "versions of a trace",
        "SELECT v.version, to_char (v.adopted_on, 'YYYY-MM-DD'), to_char (v.report_by, 'YYYY-MM-DD'), v.all_cantons, "
        "  (SELECT coalesce (string_agg (c, ',' ORDER BY c), '') FROM unnest (v.cantons) AS c), "
        "  array_to_string (v.partners, ','), array_to_string (v.basis, E'\\n'), v.note, "
        "  coalesce (max (t.title) FILTER (WHERE t.language = 'fr'), ''), "
        "  coalesce (max (t.title) FILTER (WHERE t.language = 'de'), ''), "
        "  coalesce (max (t.title) FILTER (WHERE t.language = 'it'), ''), "
        "  coalesce (max (t.title) FILTER (WHERE t.language = 'rm'), ''), "
        "  " HUB_SQL_MS ("v.issued_at") " "
        "FROM recommendation_versions v "
        "LEFT JOIN recommendation_texts t ON t.rec_id = v.rec_id AND t.version = v.version "
        "WHERE v.rec_id = $1::bigint GROUP BY v.rec_id, v.version ORDER BY v.version",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_trace_version_row_t row = {
            .version = (int) hub_rows_i64 (rows, 0),
            .adopted_on = hub_rows_text (rows, 1),
            .report_by = hub_rows_text (rows, 2),
            .all_cantons = hub_rows_bool (rows, 3),
            .cantons = hub_rows_text (rows, 4),
            .partners = hub_rows_text (rows, 5),
            .basis = hub_rows_text (rows, 6),
            .note = hub_rows_text (rows, 7),
            .title_fr = hub_rows_text (rows, 8),
            .title_de = hub_rows_text (rows, 9),
            .title_it = hub_rows_text (rows, 10),
            .title_rm = hub_rows_text (rows, 11),
            .issued_at_ms = hub_rows_i64 (rows, 12),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_trace_rec_deliveries (hub_store_t *self, int64_t rec_id, const char *ref, hub_trace_delivery_fn *fn,
                                void *arg)
{
    assert (self && ref && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id, ref };
    //  What should have gone (the networks holding an addressed canton now) and what went (the
    //  downward rows of the version's subject), side by side.
    hub_rows_t *rows = hub_store_query (self, "deliveries of a trace",
        "WITH v AS (SELECT version, cantons, 'recommendation:' || $2 || '.v' || version AS subject "
        "           FROM recommendation_versions WHERE rec_id = $1::bigint), "
        "should AS (SELECT v.version, k.network, string_agg (k.code, ',' ORDER BY k.code) AS cantons "
        "           FROM v CROSS JOIN LATERAL unnest (v.cantons) AS x (code) JOIN cantons k ON k.code = x.code "
        "           GROUP BY v.version, k.network), "
        "went AS (SELECT v.version, a.network, count (*) AS agents, count (d.acked_at) AS acked, "
        "                min (d.created_at) AS queued_at, max (d.acked_at) AS acked_at "
        "         FROM v JOIN downward d ON d.subject = v.subject JOIN agents a ON a.id = d.agent_id "
        "         GROUP BY v.version, a.network) "
        "SELECT coalesce (s.version, w.version), coalesce (s.network, w.network), coalesce (s.cantons, ''), "
        "       coalesce (w.agents, 0), coalesce (w.acked, 0), coalesce (" HUB_SQL_MS ("w.queued_at") ", 0), "
        "       coalesce (" HUB_SQL_MS ("w.acked_at") ", 0) "
        "FROM should s FULL JOIN went w ON w.version = s.version AND w.network = s.network "
        "ORDER BY 1, 2",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_trace_delivery_row_t row = {
            .version = (int) hub_rows_i64 (rows, 0),
            .network = hub_rows_text (rows, 1),
            .cantons = hub_rows_text (rows, 2),
            .agents = (int) hub_rows_i64 (rows, 3),
            .acknowledged = (int) hub_rows_i64 (rows, 4),
            .queued_at_ms = hub_rows_i64 (rows, 5),
            .acked_at_ms = hub_rows_i64 (rows, 6),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_trace_rec_cantons (hub_store_t *self, int64_t rec_id, const char *ref, hub_trace_canton_fn *fn, void *arg)
{
    assert (self && ref && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id, ref };
    hub_rows_t *rows = hub_store_query (self, "cantons of a trace",
        "WITH cur AS (SELECT v.version, v.cantons, 'recommendation:' || $2 || '.v' || v.version AS subject "
        "             FROM recommendations r JOIN recommendation_versions v ON v.rec_id = r.id AND v.version = r.version "
        "             WHERE r.id = $1::bigint), "
        "cs AS (SELECT unnest (cantons) AS code FROM cur "
        "       UNION SELECT canton FROM rec_pushes WHERE rec_id = $1::bigint "
        "       UNION SELECT canton FROM rec_reports WHERE rec_id = $1::bigint), "
        "p AS (SELECT DISTINCT ON (p.canton) p.canton, p.state, p.adapter, p.detail, p.attempts, p.at "
        "      FROM rec_pushes p JOIN cur ON p.version = cur.version WHERE p.rec_id = $1::bigint "
        "      ORDER BY p.canton, p.id DESC), "
        "q AS (SELECT DISTINCT ON (q.canton) q.canton, q.state, q.version, q.note, q.at "
        "      FROM rec_reports q WHERE q.rec_id = $1::bigint ORDER BY q.canton, q.id DESC), "
        "d AS (SELECT a.network, bool_or (w.acked_at IS NOT NULL) AS acked "
        "      FROM cur JOIN downward w ON w.subject = cur.subject JOIN agents a ON a.id = w.agent_id "
        "      GROUP BY a.network) "
        "SELECT cs.code, coalesce (k.network, ''), cs.code = ANY (coalesce ((SELECT cantons FROM cur), '{}')), "
        "       d.network IS NOT NULL, coalesce (d.acked, false), coalesce (p.state, ''), coalesce (p.adapter, ''), "
        "       coalesce (p.detail, ''), coalesce (p.attempts, 0), coalesce (" HUB_SQL_MS ("p.at") ", 0), "
        "       coalesce (q.state, ''), coalesce (q.version, 0), coalesce (q.note, ''), "
        "       coalesce (" HUB_SQL_MS ("q.at") ", 0) "
        "FROM cs LEFT JOIN cantons k ON k.code = cs.code LEFT JOIN d ON d.network = k.network "
        "LEFT JOIN p ON p.canton = cs.code LEFT JOIN q ON q.canton = cs.code "
        "ORDER BY cs.code",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_trace_canton_row_t row = {
            .canton = hub_rows_text (rows, 0),
            .network = hub_rows_text (rows, 1),
            .addressed = hub_rows_bool (rows, 2),
            .queued = hub_rows_bool (rows, 3),
            .delivered = hub_rows_bool (rows, 4),
            .push_state = hub_rows_text (rows, 5),
            .adapter = hub_rows_text (rows, 6),
            .push_detail = hub_rows_text (rows, 7),
            .push_attempts = (int) hub_rows_i64 (rows, 8),
            .pushed_at_ms = hub_rows_i64 (rows, 9),
            .report_state = hub_rows_text (rows, 10),
            .report_version = (int) hub_rows_i64 (rows, 11),
            .note = hub_rows_text (rows, 12),
            .reported_at_ms = hub_rows_i64 (rows, 13),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_trace_rec_reports (hub_store_t *self, int64_t rec_id, hub_trace_report_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "reports of a trace",
        "SELECT canton, network, version, state, note, source, " HUB_SQL_MS ("at") ", " HUB_SQL_MS ("received_at") " "
        "FROM rec_reports WHERE rec_id = $1::bigint ORDER BY id",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_trace_report_row_t row = {
            .canton = hub_rows_text (rows, 0),
            .network = hub_rows_text (rows, 1),
            .version = (int) hub_rows_i64 (rows, 2),
            .state = hub_rows_text (rows, 3),
            .note = hub_rows_text (rows, 4),
            .source = hub_rows_text (rows, 5),
            .at_ms = hub_rows_i64 (rows, 6),
            .received_at_ms = hub_rows_i64 (rows, 7),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
