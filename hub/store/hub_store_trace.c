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
