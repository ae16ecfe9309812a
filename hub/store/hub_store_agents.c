/*  hub_store_agents.c — enrolled agents (see hub_store_agents.h). Agent rows are always locked in
    id order (acks, sessions, last_seen, epochs), so concurrent writers never deadlock, and FOR NO
    KEY UPDATE: producers of downward items lock the agents' heads (downward_heads), never these
    rows, but their downward rows' foreign key takes a KEY SHARE lock on them, which FOR UPDATE
    would wait for until the producer commits. */
#include "hub_store_agents.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

cii_rc_t
hub_store_agent_list (hub_store_t *self, hub_agent_row_t **rows_p, size_t *count_p)
{
    assert (rows_p && count_p);
    *rows_p = NULL;
    *count_p = 0;
    hub_rows_t *rows = hub_store_query (self, "agent list",
                                        "SELECT id, network, public_key, revoked_at IS NOT NULL, "
                                        "connected AND last_seen > now () - interval '10 seconds', "
                                        HUB_SQL_MS ("enrolled_at") ", " HUB_SQL_MS ("revoked_at") ", "
                                        HUB_SQL_MS ("last_seen") ", coalesce (h.last_seq, 0), acked_seq, epoch, "
                                        "epoch_start, replacements, " HUB_SQL_MS ("last_replaced_at") " "
                                        "FROM agents LEFT JOIN downward_heads h ON h.agent_id = id "
                                        "ORDER BY network, id", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    hub_agent_row_t *out = calloc ((size_t) hub_rows_count (rows) + 1, sizeof *out);
    if (!out) {
        hub_rows_destroy (&rows);
        return CII_NO_MEMORY;
    }
    size_t n = 0;
    while (hub_rows_next (rows)) {
        hub_agent_row_t *r = &out [n++];
        r->id = hub_rows_i64 (rows, 0);
        hub_rows_copy (rows, 1, r->network, sizeof r->network);
        hub_rows_copy (rows, 2, r->public_key, sizeof r->public_key);
        r->revoked = hub_rows_bool (rows, 3);
        r->connected = hub_rows_bool (rows, 4);
        r->enrolled_at_ms = hub_rows_i64 (rows, 5);
        r->revoked_at_ms = hub_rows_i64 (rows, 6);
        r->last_seen_ms = hub_rows_i64 (rows, 7);
        r->last_seq = hub_rows_i64 (rows, 8);
        r->acked_seq = hub_rows_i64 (rows, 9);
        r->epoch = hub_rows_i64 (rows, 10);
        r->epoch_start = hub_rows_i64 (rows, 11);
        r->replacements = hub_rows_i64 (rows, 12);
        r->last_replaced_at_ms = hub_rows_i64 (rows, 13);
    }
    hub_rows_destroy (&rows);
    *rows_p = out;
    *count_p = n;
    return CII_OK;
}

cii_rc_t
hub_store_enroll (hub_store_t *self, const char *network, const char *public_key, int64_t *id_p, cii_err_t *err)
{
    assert (network && public_key && id_p);
    *id_p = 0;
    const char *values [] = { network, public_key };
    //  One statement: the insert and its NOTIFY commit together (or with the caller's transaction).
    hub_rows_t *rows = hub_store_query (self, "enroll",
                                        "WITH ins AS (INSERT INTO agents (network, public_key) VALUES ($1, $2) "
                                        "RETURNING id) SELECT id, pg_notify ('" HUB_CHANNEL_AGENTS "', id::text) "
                                        "FROM ins", 2, values);
    if (!rows) {
        cii_rc_t rc = hub_store_rc (self);
        if (rc == CII_NOT_FOUND)
            return cii_err_set (err, rc, "unknown network %s", network);
        if (rc == CII_CONFLICT && streq (hub_store_constraint (self), "agents_one_active_per_network"))
            return cii_err_set (err, rc, "network %s already has an active agent: revoke it first", network);
        if (rc == CII_CONFLICT)
            return cii_err_set (err, rc, "key %s is enrolled already", public_key);
        return hub_store_fail (self, err);
    }
    if (hub_rows_next (rows))
        *id_p = hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    if (*id_p <= 0)
        return cii_err_set (err, CII_FAILED, "enroll: no agent id returned");
    zsys_info ("hub store: network %s: agent %" PRId64 " enrolled, key %s", network, *id_p, public_key);
    return CII_OK;
}

cii_rc_t
hub_store_revoke (hub_store_t *self, const char *network, cii_err_t *err)
{
    assert (network);
    const char *values [] = { network };
    hub_rows_t *rows = hub_store_query (self, "revoke",
                                        "WITH r AS (UPDATE agents SET revoked_at = now (), connected = false "
                                        "           WHERE network = $1 AND revoked_at IS NULL RETURNING id) "
                                        "SELECT id, pg_notify ('" HUB_CHANNEL_AGENTS "', id::text) FROM r",
                                        1, values);
    if (!rows)
        return hub_store_fail (self, err);
    int count = hub_rows_count (rows);
    hub_rows_destroy (&rows);
    if (count == 0)
        return cii_err_set (err, CII_NOT_FOUND, "network %s has no active agent", network);
    zsys_info ("hub store: network %s: agent revoked", network);
    return CII_OK;
}

cii_rc_t
hub_store_agents_session (hub_store_t *self, const int64_t *agent_ids, const bool *connected, size_t count)
{
    if (count == 0)
        return CII_OK;
    assert (agent_ids && connected);
    char *ids = hub_store_id_array (agent_ids, count);
    const char **flags = calloc (count, sizeof *flags);
    char *states = NULL;
    cii_rc_t rc = CII_NO_MEMORY;
    if (ids && flags) {
        for (size_t i = 0; i < count; i++)
            flags [i] = connected [i] ? "t" : "f";
        states = hub_store_text_array (flags, count);
    }
    if (states) {
        const char *values [] = { ids, states };
        //  The last state given for an agent wins (a session closed and reopened in one flush).
        rc = hub_store_command (self, "agent sessions",
                                "WITH s AS (SELECT DISTINCT ON (agent_id) agent_id, connected "
                                "           FROM unnest ($1::bigint[], $2::boolean[]) WITH ORDINALITY "
                                "                AS t (agent_id, connected, ord) ORDER BY agent_id, ord DESC), "
                                "locked AS (SELECT g.id FROM agents g JOIN s ON g.id = s.agent_id "
                                "           ORDER BY g.id FOR NO KEY UPDATE OF g) "
                                "UPDATE agents g SET connected = s.connected, last_seen = now () "
                                "FROM s, locked l WHERE g.id = s.agent_id AND l.id = g.id", 2, values);
    }
    free (states);
    free (flags);
    free (ids);
    return rc;
}

cii_rc_t
hub_store_agents_seen (hub_store_t *self, const int64_t *agent_ids, size_t count)
{
    if (count == 0)
        return CII_OK;
    assert (agent_ids);
    char *ids = hub_store_id_array (agent_ids, count);
    if (!ids)
        return CII_NO_MEMORY;
    const char *values [] = { ids };
    cii_rc_t rc = hub_store_command (self, "agents seen",
                                     "UPDATE agents SET last_seen = now () WHERE id IN "
                                     "(SELECT id FROM agents WHERE id = ANY ($1::bigint[]) ORDER BY id "
                                     " FOR NO KEY UPDATE)",
                                     1, values);
    free (ids);
    return rc;
}

cii_rc_t
hub_store_agents_reset_sessions (hub_store_t *self)
{
    return hub_store_command (self, "reset sessions", "UPDATE agents SET connected = false WHERE connected", 0, NULL);
}

cii_rc_t
hub_store_agents_epoch (hub_store_t *self, const int64_t *agent_ids, const int64_t *epochs, const int64_t *starts,
                        size_t count)
{
    if (count == 0)
        return CII_OK;
    assert (agent_ids && epochs && starts);
    char *ids = hub_store_id_array (agent_ids, count);
    char *ep = hub_store_id_array (epochs, count);
    char *st = hub_store_id_array (starts, count);
    cii_rc_t rc = CII_NO_MEMORY;
    if (ids && ep && st) {
        const char *values [] = { ids, ep, st };
        rc = hub_store_command (self, "agent epochs",
                                "WITH e AS (SELECT DISTINCT ON (agent_id) agent_id, epoch, epoch_start "
                                "           FROM unnest ($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY "
                                "                AS t (agent_id, epoch, epoch_start, ord) ORDER BY agent_id, ord DESC), "
                                "locked AS (SELECT g.id FROM agents g JOIN e ON g.id = e.agent_id "
                                "           ORDER BY g.id FOR NO KEY UPDATE OF g) "
                                "UPDATE agents g SET epoch = e.epoch, epoch_start = e.epoch_start "
                                "FROM e, locked l WHERE g.id = e.agent_id AND l.id = g.id", 3, values);
    }
    free (st);
    free (ep);
    free (ids);
    return rc;
}

cii_rc_t
hub_store_agents_replaced (hub_store_t *self, const int64_t *agent_ids, const int64_t *counts, size_t count)
{
    if (count == 0)
        return CII_OK;
    assert (agent_ids && counts);
    char *ids = hub_store_id_array (agent_ids, count);
    char *ns = hub_store_id_array (counts, count);
    cii_rc_t rc = CII_NO_MEMORY;
    if (ids && ns) {
        const char *values [] = { ids, ns };
        rc = hub_store_command (self, "agent replacements",
                                "WITH r AS (SELECT agent_id, sum (n) AS n "
                                "           FROM unnest ($1::bigint[], $2::bigint[]) AS t (agent_id, n) "
                                "           GROUP BY agent_id), "
                                "locked AS (SELECT g.id FROM agents g JOIN r ON g.id = r.agent_id "
                                "           ORDER BY g.id FOR NO KEY UPDATE OF g) "
                                "UPDATE agents g SET replacements = g.replacements + r.n, last_replaced_at = now () "
                                "FROM r, locked l WHERE g.id = r.agent_id AND l.id = g.id AND r.n > 0", 2, values);
    }
    free (ns);
    free (ids);
    return rc;
}
