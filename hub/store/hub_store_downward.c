/*  hub_store_downward.c — the per-agent downward queue of any kind (see hub_store_downward.h). */
#include "hub_store_downward.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

cii_rc_t
hub_store_downward_queue (hub_store_t *self, const char *kind, const uint8_t *body, size_t size,
                          const char *const *networks, size_t n_networks, const char *subject,
                          int64_t *recipients_p)
{
    assert (kind && body && (n_networks == 0 || networks));
    if (recipients_p)
        *recipients_p = 0;
    char *nets = hub_store_text_array (networks, n_networks);
    if (!nets)
        return CII_NO_MEMORY;
    const char *values [] = { nets, (const char *) body, kind, subject };
    int lengths [] = { 0, (int) size, 0, 0 };
    int formats [] = { 0, 1, 0, 0 };
    //  Addressed active agents get their next sequence, locked in id order; the NOTIFY is sent at
    //  commit (of this statement, or of the caller's transaction).
    hub_rows_t *rows = hub_store_query_bin (self, "downward queue",
        "WITH up AS (UPDATE agents SET last_seq = last_seq + 1 WHERE id IN "
        "  (SELECT id FROM agents WHERE revoked_at IS NULL AND "
        "   (cardinality ($1::text[]) = 0 OR network = ANY ($1::text[])) ORDER BY id FOR UPDATE) "
        "  RETURNING id, last_seq), "
        "ins AS (INSERT INTO downward (agent_id, seq, kind, body, subject) "
        "        SELECT id, last_seq, $3, $2::bytea, $4 FROM up RETURNING 1) "
        "SELECT count (*), pg_notify ('" HUB_CHANNEL_DOWNWARD "', coalesce ($4, $3)) FROM ins",
        4, values, lengths, formats, false);
    free (nets);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows) && recipients_p)
        *recipients_p = hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_acks (hub_store_t *self, const int64_t *agent_ids, const int64_t *seqs, size_t count)
{
    if (count == 0)
        return CII_OK;
    assert (agent_ids && seqs);
    char *ids = hub_store_id_array (agent_ids, count);
    char *sq = hub_store_id_array (seqs, count);
    cii_rc_t rc = CII_NO_MEMORY;
    if (ids && sq) {
        const char *values [] = { ids, sq };
        //  One statement = one transaction. acked_seq only grows and never passes last_seq; the
        //  rows between the old and the new acked_seq get acked_at. Agent rows are locked in id
        //  order, as the fan-out and last_seen lock them, so they never deadlock.
        rc = hub_store_command (self, "acks",
            "WITH a AS (SELECT agent_id, max (seq) AS seq "
            "           FROM unnest ($1::bigint[], $2::bigint[]) AS t (agent_id, seq) GROUP BY agent_id), "
            "old AS (SELECT g.id, g.acked_seq AS old_seq, least (a.seq, g.last_seq) AS new_seq "
            "        FROM agents g JOIN a ON g.id = a.agent_id WHERE a.seq > g.acked_seq "
            "        ORDER BY g.id FOR UPDATE OF g), "
            "upd AS (UPDATE agents g SET acked_seq = o.new_seq FROM old o "
            "        WHERE g.id = o.id AND g.acked_seq < o.new_seq RETURNING g.id) "
            "UPDATE downward d SET acked_at = now () FROM old o "
            "WHERE d.agent_id = o.id AND d.seq > o.old_seq AND d.seq <= o.new_seq AND d.acked_at IS NULL",
            2, values);
    }
    free (ids);
    free (sq);
    return rc;
}

cii_rc_t
hub_store_downward_fetch (hub_store_t *self, const hub_fetch_t *fetch, size_t count, hub_downward_fn *fn,
                          void *arg)
{
    if (count == 0)
        return CII_OK;
    assert (fetch && fn);
    int64_t *ids = malloc (count * sizeof *ids), *after = malloc (count * sizeof *after),
            *limits = malloc (count * sizeof *limits);
    char *ids_text = NULL, *after_text = NULL, *limits_text = NULL;
    cii_rc_t rc = CII_NO_MEMORY;
    if (ids && after && limits) {
        for (size_t i = 0; i < count; i++) {
            ids [i] = fetch [i].agent_id;
            after [i] = fetch [i].after_seq;
            limits [i] = fetch [i].limit;
        }
        ids_text = hub_store_id_array (ids, count);
        after_text = hub_store_id_array (after, count);
        limits_text = hub_store_id_array (limits, count);
    }
    if (ids_text && after_text && limits_text) {
        const char *values [] = { ids_text, after_text, limits_text };
        //  Binary results: the body comes back as raw bytes.
        hub_rows_t *rows = hub_store_query_bin (self, "downward fetch",
            "SELECT d.agent_id, d.seq, d.kind, d.body "
            "FROM unnest ($1::bigint[], $2::bigint[], $3::bigint[]) AS r (agent_id, after_seq, lim) "
            "CROSS JOIN LATERAL (SELECT agent_id, seq, kind, body FROM downward "
            "                    WHERE agent_id = r.agent_id AND seq > r.after_seq "
            "                    ORDER BY seq LIMIT r.lim) d "
            "ORDER BY d.agent_id, d.seq",
            3, values, NULL, NULL, true);
        if (!rows)
            rc = hub_store_rc (self);
        else {
            while (hub_rows_next (rows)) {
                size_t size = 0, kind_size = 0;
                const uint8_t *body = hub_rows_bytes (rows, 3, &size);
                const uint8_t *kind = hub_rows_bytes (rows, 2, &kind_size);
                char name [64];
                snprintf (name, sizeof name, "%.*s", (int) (kind_size < sizeof name ? kind_size : sizeof name - 1),
                          kind ? (const char *) kind : "");
                fn (hub_rows_i64 (rows, 0), hub_rows_i64 (rows, 1), name, body, size, arg);
            }
            hub_rows_destroy (&rows);
            rc = CII_OK;
        }
    }
    free (ids);
    free (after);
    free (limits);
    free (ids_text);
    free (after_text);
    free (limits_text);
    return rc;
}

cii_rc_t
hub_store_downward_counts (hub_store_t *self, const char *subject, int64_t *recipients_p, int64_t *acked_p)
{
    assert (subject);
    const char *values [] = { subject };
    hub_rows_t *rows = hub_store_query (self, "downward counts",
                                        "SELECT count (*), count (acked_at) FROM downward WHERE subject = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows)) {
        if (recipients_p)
            *recipients_p = hub_rows_i64 (rows, 0);
        if (acked_p)
            *acked_p = hub_rows_i64 (rows, 1);
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
