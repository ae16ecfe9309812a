/*  hub_store_downward.c — the per-agent downward queue of any kind (see hub_store_downward.h). */
#include "hub_store_downward.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

//  The batch as statement parameters: per item its kind, offset and size in one binary body of
//  all bodies, subject (and whether it has one), whether it goes to all networks; per addressed
//  network its item (1-based) and name.
typedef struct {
    char *kinds, *offsets, *sizes, *subjects, *has_subject, *all_networks, *net_items, *net_names;
    uint8_t *bodies;
    size_t bodies_size;
} s_batch_t;

static void
s_batch_free (s_batch_t *b)
{
    free (b->kinds);
    free (b->offsets);
    free (b->sizes);
    free (b->subjects);
    free (b->has_subject);
    free (b->all_networks);
    free (b->net_items);
    free (b->net_names);
    free (b->bodies);
}

//  Fills b from items; false out of memory (b then holds what to free).
static bool
s_batch_fill (s_batch_t *b, const hub_downward_item_t *items, size_t count)
{
    size_t n_nets = 0;
    for (size_t i = 0; i < count; i++) {
        assert (items [i].kind && (items [i].body || items [i].size == 0));
        assert (items [i].n_networks == 0 || items [i].networks);
        n_nets += items [i].n_networks;
        b->bodies_size += items [i].size;
    }
    const char **kinds = calloc (count, sizeof *kinds), **subjects = calloc (count, sizeof *subjects),
               **has = calloc (count, sizeof *has), **all = calloc (count, sizeof *all),
               **names = calloc (n_nets + 1, sizeof *names);
    int64_t *offsets = calloc (count, sizeof *offsets), *sizes = calloc (count, sizeof *sizes),
            *net_items = calloc (n_nets + 1, sizeof *net_items);
    b->bodies = malloc (b->bodies_size ? b->bodies_size : 1);
    bool ok = kinds && subjects && has && all && names && offsets && sizes && net_items && b->bodies;
    if (ok) {
        size_t offset = 0, n = 0;
        for (size_t i = 0; i < count; i++) {
            const hub_downward_item_t *item = &items [i];
            kinds [i] = item->kind;
            subjects [i] = item->subject;
            has [i] = item->subject ? "t" : "f";
            all [i] = item->n_networks == 0 ? "t" : "f";
            offsets [i] = (int64_t) offset;
            sizes [i] = (int64_t) item->size;
            if (item->size)
                memcpy (b->bodies + offset, item->body, item->size);
            offset += item->size;
            for (size_t j = 0; j < item->n_networks; j++, n++) {
                net_items [n] = (int64_t) i + 1;
                names [n] = item->networks [j];
            }
        }
        b->kinds = hub_store_text_array (kinds, count);
        b->offsets = hub_store_id_array (offsets, count);
        b->sizes = hub_store_id_array (sizes, count);
        b->subjects = hub_store_text_array (subjects, count);
        b->has_subject = hub_store_text_array (has, count);
        b->all_networks = hub_store_text_array (all, count);
        b->net_items = hub_store_id_array (net_items, n_nets);
        b->net_names = hub_store_text_array (names, n_nets);
        ok = b->kinds && b->offsets && b->sizes && b->subjects && b->has_subject && b->all_networks && b->net_items
          && b->net_names;
    }
    free (kinds);
    free (subjects);
    free (has);
    free (all);
    free (names);
    free (offsets);
    free (sizes);
    free (net_items);
    return ok;
}

cii_rc_t
hub_store_downward_queue_many (hub_store_t *self, const hub_downward_item_t *items, size_t count,
                               int64_t *recipients)
{
    if (recipients)
        for (size_t i = 0; i < count; i++)
            recipients [i] = 0;
    if (count == 0)
        return CII_OK;
    assert (items);
    if (count > INT_MAX)
        return CII_BAD_INPUT;
    s_batch_t b = { 0 };
    if (!s_batch_fill (&b, items, count) || b.bodies_size > INT_MAX) {
        s_batch_free (&b);
        return b.bodies_size > INT_MAX ? CII_BAD_INPUT : CII_NO_MEMORY;
    }
    const char *values [] = { b.kinds, (const char *) b.bodies, b.offsets, b.sizes, b.subjects, b.has_subject,
                              b.all_networks, b.net_items, b.net_names };
    int lengths [] = { 0, (int) b.bodies_size, 0, 0, 0, 0, 0, 0, 0 };
    int formats [] = { 0, 1, 0, 0, 0, 0, 0, 0, 0 };
    //  item: the batch; addr: (item, agent) for every active agent an item addresses; want: how
    //  many items each agent gets. Their heads are locked once, in agent id order, then raised by
    //  that many; an agent's items take the sequences after its old head in the batch's order.
    //  Agents rows are read, never locked: acknowledgements, sessions and revocations never wait
    //  for a producer (an agent revoked while this runs may still get the batch, as it would had
    //  the batch come just before). The NOTIFYs are sent at commit, identical ones once.
    hub_rows_t *rows = hub_store_query_bin (self, "downward queue",
        "WITH item AS MATERIALIZED ("
        "  SELECT i, kind, CASE WHEN has_subject THEN subject END AS subject, all_networks, "
        "         substring ($2::bytea FROM (off + 1)::int FOR len::int) AS body "
        "  FROM unnest ($1::text[], $3::bigint[], $4::bigint[], $5::text[], $6::boolean[], $7::boolean[]) "
        "       WITH ORDINALITY AS t (kind, off, len, subject, has_subject, all_networks, i)), "
        "addr AS MATERIALIZED ("
        "  SELECT it.i, g.id AS agent_id FROM item it JOIN agents g ON it.all_networks AND g.revoked_at IS NULL "
        "  UNION "
        "  SELECT n.i, g.id FROM unnest ($8::bigint[], $9::text[]) AS n (i, network) "
        "  JOIN agents g ON g.network = n.network AND g.revoked_at IS NULL), "
        "want AS (SELECT agent_id, count (*) AS n FROM addr GROUP BY agent_id), "
        "locked AS (SELECT h.agent_id FROM downward_heads h JOIN want w ON w.agent_id = h.agent_id "
        "           ORDER BY h.agent_id FOR UPDATE OF h), "
        "up AS (UPDATE downward_heads h SET last_seq = h.last_seq + w.n FROM want w, locked l "
        "       WHERE w.agent_id = h.agent_id AND l.agent_id = h.agent_id "
        "       RETURNING h.agent_id, h.last_seq - w.n AS base), "
        "ins AS (INSERT INTO downward (agent_id, seq, kind, body, subject) "
        "        SELECT a.agent_id, up.base + row_number () OVER (PARTITION BY a.agent_id ORDER BY a.i), "
        "               it.kind, it.body, it.subject "
        "        FROM addr a JOIN up ON up.agent_id = a.agent_id JOIN item it ON it.i = a.i), "
        "sent AS (SELECT a.i, count (*) AS n FROM addr a JOIN up ON up.agent_id = a.agent_id GROUP BY a.i) "
        "SELECT it.i, coalesce (s.n, 0), pg_notify ('" HUB_CHANNEL_DOWNWARD "', coalesce (it.subject, it.kind)) "
        "FROM item it LEFT JOIN sent s ON s.i = it.i ORDER BY it.i",
        9, values, lengths, formats, false);
    s_batch_free (&b);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        int64_t i = hub_rows_i64 (rows, 0);
        if (recipients && i >= 1 && (size_t) i <= count)
            recipients [i - 1] = hub_rows_i64 (rows, 1);
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_downward_queue (hub_store_t *self, const char *kind, const uint8_t *body, size_t size,
                          const char *const *networks, size_t n_networks, const char *subject,
                          int64_t *recipients_p)
{
    assert (kind && body && (n_networks == 0 || networks));
    hub_downward_item_t item = { kind, body, size, networks, n_networks, subject };
    return hub_store_downward_queue_many (self, &item, 1, recipients_p);
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
        //  One statement = one transaction. acked_seq only grows and never passes last_seq (the
        //  committed head, read without a lock: a producer's open transaction neither blocks this
        //  nor is blocked by it, and what it has not committed was never sent); the rows between
        //  the old and the new acked_seq get acked_at. Agent rows are locked in id order, as
        //  sessions and last_seen lock them, so they never deadlock, and FOR NO KEY UPDATE, which
        //  the KEY SHARE lock of a producer's downward rows (their foreign key) does not hold back.
        rc = hub_store_command (self, "acks",
            "WITH a AS (SELECT agent_id, max (seq) AS seq "
            "           FROM unnest ($1::bigint[], $2::bigint[]) AS t (agent_id, seq) GROUP BY agent_id), "
            "old AS (SELECT g.id, g.acked_seq AS old_seq, least (a.seq, h.last_seq) AS new_seq "
            "        FROM agents g JOIN a ON g.id = a.agent_id JOIN downward_heads h ON h.agent_id = g.id "
            "        WHERE a.seq > g.acked_seq ORDER BY g.id FOR NO KEY UPDATE OF g), "
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
