/*  hub_store_ingest.c — the generic batch ingest (see hub_store_ingest.h): groups a batch by kind,
    builds each kind's set-based statement from its shape, runs them in one transaction. */
#include "hub_store_ingest.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define S_FIXED 4         //  agent_id, message_id, network, digest: the columns every kind has

//  The statement of one shape. A new string (caller frees) or NULL.
static char *
s_statement (const hub_ingest_shape_t *shape)
{
    char params [2048] = "", names [1024] = "";
    size_t p = 0, n = 0;
    for (size_t c = 0; c < shape->ncolumns; c++) {
        p += (size_t) snprintf (params + p, sizeof params - p, ", $%zu::%s[]", c + S_FIXED + 1,
                                shape->columns [c].type);
        n += (size_t) snprintf (names + n, sizeof names - n, ", %s", shape->columns [c].name);
        if (p >= sizeof params || n >= sizeof names)
            return NULL;
    }
    //  The wide columns (a signal's texts) are read from their arrays once, straight into the
    //  kind's rows: every CTE below carries only the keys. Materialising, sorting and joining the
    //  whole rows copied each text four times (issue 10: memmove was the backend's first cost).
    return zsys_sprintf (
        "WITH input AS MATERIALIZED ("
        "  SELECT * FROM unnest ($1::bigint[], $2::text[], $3::text[], $4::text[]) "
        "  WITH ORDINALITY AS t (agent_id, message_id, network, digest, ord)), "
        //  One candidate per (agent, message id), the first in the batch, each with a new id.
        "first AS MATERIALIZED ("
        "  SELECT d.*, %s AS id FROM ("
        "    SELECT DISTINCT ON (i.agent_id, i.message_id) i.* FROM input i "
        "    ORDER BY i.agent_id, i.message_id, i.ord) d), "
        //  The log row decides: an id stored before conflicts and inserts nothing.
        "log AS ("
        "  INSERT INTO ingest_log (agent_id, message_id, kind, ref, digest) "
        "  SELECT agent_id, message_id, '%s', %s, nullif (digest, '') FROM first "
        "  ON CONFLICT (agent_id, message_id) DO NOTHING RETURNING agent_id, message_id, ref, received_at), "
        //  The candidates with all their columns, for the kind's insert_sql.
        "fresh AS ("
        "  SELECT w.*, f.id FROM first f "
        "  JOIN unnest ($1::bigint[], $2::text[], $3::text[], $4::text[]%s) "
        "       WITH ORDINALITY AS w (agent_id, message_id, network, digest%s, ord) ON w.ord = f.ord), "
        "item AS (%s) "
        //  Every input row: its new log row, or else the one stored before this statement (visible
        //  in its snapshot; looked up only for the rare resends), or nothing (a concurrent insert).
        //  A duplicate whose stored digest differs from its own (both known) is a reused id.
        //  OFFSET 0 keeps the lookup a subquery run per row behind its `l.ref IS NULL` gate: pulled
        //  up into a join, a plan made while ingest_log was small (the prepared statement's cached
        //  generic plan) hashes a sequential scan of the whole log on every batch, and the rate fell
        //  by 65 % at 300,000 rows until ANALYZE replaced the plan (docs/performance.md, issue 10).
        "SELECT i.ord, coalesce (l.ref, o.ref), " HUB_SQL_MS ("coalesce (l.received_at, o.received_at)") ", "
        "       l.ref IS NULL OR f.ord <> i.ord, "
        "       nullif (coalesce (CASE WHEN l.ref IS NOT NULL THEN f.digest ELSE o.digest END, ''), '') "
        "       <> nullif (i.digest, '') "
        "FROM input i "
        "LEFT JOIN log l ON l.agent_id = i.agent_id AND l.message_id = i.message_id "
        "LEFT JOIN first f ON f.agent_id = i.agent_id AND f.message_id = i.message_id "
        "LEFT JOIN LATERAL (SELECT g.ref, g.received_at, g.digest FROM ingest_log g "
        "                   WHERE l.ref IS NULL AND g.agent_id = i.agent_id AND g.message_id = i.message_id "
        "                   OFFSET 0) o "
        "ON true",
        shape->id_sql, shape->kind, shape->ref_sql, params, names, shape->insert_sql);
}

//  Stores the items of one shape with one statement (inside the caller's transaction, or as its
//  own). CII_OK (out fields filled) or the error's code.
static cii_rc_t
s_ingest_shape (hub_store_t *self, const hub_ingest_shape_t *shape, hub_ingest_item_t *items, size_t count)
{
    size_t ncols = S_FIXED + shape->ncolumns;
    cii_rc_t rc = CII_NO_MEMORY;
    char *sql = NULL, *numbers = NULL, *scratch = NULL;
    char **literals = calloc (ncols, sizeof *literals);
    const char ***cols = calloc (ncols, sizeof *cols);
    size_t *index = calloc (count, sizeof *index);
    const char **values = calloc (shape->ncolumns + 1, sizeof *values);
    numbers = calloc (count, 24);
    scratch = calloc (count, shape->scratch_size + 1);
    bool oom = !literals || !cols || !index || !values || !numbers || !scratch;
    for (size_t c = 0; !oom && c < ncols; c++)
        oom = !(cols [c] = calloc (count, sizeof (char *)));
    if (oom) {
        hub_store_set_error (self, "ingest", "out of memory");
        goto cleanup;
    }
    size_t rows = 0;
    for (size_t i = 0; i < count; i++) {
        hub_ingest_item_t *item = &items [i];
        char *mine = scratch + rows * (shape->scratch_size + 1);
        if (!item->message_id || !*item->message_id || !item->network
        ||  shape->row (item->item, values, mine, shape->scratch_size) != CII_OK) {
            zsys_warning ("hub store: agent %" PRId64 ": message %s (%s) cannot be stored", item->agent_id,
                          item->message_id ? item->message_id : "?", shape->kind);
            continue;
        }
        snprintf (numbers + rows * 24, 24, "%" PRId64, item->agent_id);
        cols [0][rows] = numbers + rows * 24;
        cols [1][rows] = item->message_id;
        cols [2][rows] = item->network;
        cols [3][rows] = item->digest ? item->digest : "";
        for (size_t c = 0; c < shape->ncolumns; c++)
            cols [S_FIXED + c][rows] = values [c] ? values [c] : "";
        index [rows++] = i;
    }
    if (rows == 0) {
        rc = CII_OK;
        goto cleanup;
    }
    for (size_t c = 0; c < ncols; c++)
        if (!(literals [c] = hub_store_text_array (cols [c], rows))) {
            hub_store_set_error (self, "ingest", "out of memory");
            goto cleanup;
        }
    sql = s_statement (shape);
    if (!sql) {
        hub_store_set_error (self, "ingest", "cannot build the statement");
        rc = CII_FAILED;
        goto cleanup;
    }
    hub_rows_t *result = hub_store_query_prepared (self, "ingest", shape->statement, sql, (int) ncols,
                                                   (const char *const *) literals);
    if (!result) {
        rc = hub_store_rc (self);
        goto cleanup;
    }
    while (hub_rows_next (result)) {
        int64_t ord = hub_rows_i64 (result, 0);
        if (ord < 1 || (size_t) ord > rows || hub_rows_null (result, 1))
            continue;       //  resolved by nobody (concurrent insert elsewhere): resend later
        hub_ingest_item_t *item = &items [index [ord - 1]];
        hub_rows_copy (result, 1, item->ref, sizeof item->ref);
        item->received_at_ms = hub_rows_i64 (result, 2);
        item->duplicate = hub_rows_bool (result, 3);
        item->conflict = item->duplicate && hub_rows_bool (result, 4);
        item->stored = true;
    }
    hub_rows_destroy (&result);
    rc = CII_OK;

cleanup:
    for (size_t c = 0; c < ncols; c++) {
        if (literals)
            free (literals [c]);
        if (cols)
            free (cols [c]);
    }
    zstr_free (&sql);
    free (literals);
    free (cols);
    free (index);
    free (values);
    free (numbers);
    free (scratch);
    return rc;
}

//  Stores the items of a shape that stores each itself, in batch order; stops at the first error.
static cii_rc_t
s_ingest_each (hub_store_t *self, const hub_ingest_shape_t *shape, hub_ingest_item_t *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hub_ingest_item_t *item = &items [i];
        if (!item->message_id || !*item->message_id || !item->network || !item->item)
            continue;
        cii_rc_t rc = shape->store (self, item);
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

cii_rc_t
hub_store_ingest (hub_store_t *self, hub_ingest_item_t *items, size_t count, cii_err_t *err)
{
    assert (self && (count == 0 || items));
    for (size_t i = 0; i < count; i++) {
        items [i].stored = false;
        items [i].duplicate = false;
        items [i].conflict = false;
        items [i].refused = CII_OK;
        items [i].reason [0] = 0;
        items [i].ref [0] = 0;
        items [i].received_at_ms = 0;
    }
    if (count == 0)
        return CII_OK;
    //  The distinct shapes, in order of first appearance (a kind that refers to another, such as a
    //  request to its signals, comes after it in the batch as it did in the agent's outbox).
    const hub_ingest_shape_t *shapes [16];
    size_t nshapes = 0;
    for (size_t i = 0; i < count; i++) {
        bool known = false;
        for (size_t s = 0; s < nshapes; s++)
            known = known || shapes [s] == items [i].shape;
        if (!known && items [i].shape && nshapes < sizeof shapes / sizeof shapes [0])
            shapes [nshapes++] = items [i].shape;
    }
    if (nshapes == 0)
        return CII_OK;
    //  One kind with its one statement: that statement is its own transaction. Several kinds, or
    //  a kind that stores itself with several statements: one BEGIN/COMMIT.
    bool own = false, wrap = nshapes > 1;
    for (size_t s = 0; s < nshapes; s++)
        wrap = wrap || shapes [s]->store;
    if (wrap && hub_store_tx_begin (self, "ingest", &own) != CII_OK)
        return hub_store_fail (self, err);
    cii_rc_t rc = CII_OK;
    hub_ingest_item_t *group = calloc (count, sizeof *group);
    size_t *where = calloc (count, sizeof *where);
    if (!group || !where)
        rc = cii_err_set (err, CII_NO_MEMORY, "ingest: out of memory");
    for (size_t s = 0; rc == CII_OK && s < nshapes; s++) {
        size_t n = 0;
        for (size_t i = 0; i < count; i++)
            if (items [i].shape == shapes [s]) {
                group [n] = items [i];
                where [n++] = i;
            }
        rc = shapes [s]->store ? s_ingest_each (self, shapes [s], group, n) : s_ingest_shape (self, shapes [s], group, n);
        if (rc != CII_OK)
            hub_store_fail (self, err);
        for (size_t k = 0; rc == CII_OK && k < n; k++)
            items [where [k]] = group [k];
    }
    free (group);
    free (where);
    if (wrap) {
        cii_rc_t end = hub_store_tx_end (self, "ingest", own, rc == CII_OK);
        if (rc == CII_OK && end != CII_OK)
            rc = hub_store_fail (self, err);
    }
    if (rc != CII_OK)
        for (size_t i = 0; i < count; i++)
            items [i].stored = false;
    return rc;
}

cii_rc_t
hub_store_ingest_lookup_digest (hub_store_t *self, int64_t agent_id, const char *message_id, const char *digest,
                                char ref [HUB_MAX_REF], int64_t *received_at_ms, bool *conflict_p)
{
    assert (message_id && ref && received_at_ms);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, agent_id);
    const char *values [] = { id, message_id };
    hub_rows_t *rows = hub_store_query (self, "ingest lookup",
                                        "SELECT ref, " HUB_SQL_MS ("received_at") ", coalesce (digest, '') "
                                        "FROM ingest_log WHERE agent_id = $1::bigint AND message_id = $2", 2, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        hub_rows_copy (rows, 0, ref, HUB_MAX_REF);
        *received_at_ms = hub_rows_i64 (rows, 1);
        const char *stored = hub_rows_text (rows, 2);
        if (conflict_p)
            *conflict_p = *stored && digest && *digest && strcmp (stored, digest) != 0;
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

bool
hub_store_ingest_resend (hub_store_t *self, hub_ingest_item_t *item, cii_rc_t *rc_p)
{
    assert (item && rc_p);
    bool conflict = false;
    cii_rc_t rc = hub_store_ingest_lookup_digest (self, item->agent_id, item->message_id, item->digest, item->ref,
                                                  &item->received_at_ms, &conflict);
    *rc_p = rc == CII_NOT_FOUND ? CII_OK : rc;
    if (rc != CII_OK)
        return false;
    item->stored = true;
    item->duplicate = true;
    item->conflict = conflict;
    return true;
}

cii_rc_t
hub_store_ingest_lookup (hub_store_t *self, int64_t agent_id, const char *message_id, char ref [HUB_MAX_REF],
                         int64_t *received_at_ms)
{
    return hub_store_ingest_lookup_digest (self, agent_id, message_id, NULL, ref, received_at_ms, NULL);
}
