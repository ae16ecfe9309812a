/*  hub_store_requests.c — requests, their history and criteria, national themes, gapless references
    (see hub_store_requests.h). */
#include "hub_store_requests.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  The calendar year of the bureau, for references ("per calendar year of receipt").
#define S_YEAR "extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int"

//  The cantons a request counts for breadth: its supporting cantons and its signals' cantons, for
//  the requests q that match COND (an SQL condition on q).
#define S_CANTONS_OF(cond)                                                                       \
    "(SELECT coalesce (string_agg (x.c, ',' ORDER BY x.c), '') FROM ("                          \
    "   SELECT unnest (q.cantons) AS c FROM requests q WHERE " cond " "                          \
    "   UNION SELECT s.canton FROM requests q JOIN request_signals rs ON rs.request_id = q.id "   \
    "   JOIN signals s ON s.id = rs.signal_id WHERE " cond ") x)"

//  --------------------------------------------------------------------------------------------
//  Small helpers

//  A text[] literal of the names of count enum values (name_of), or NULL (unknown value or out of
//  memory). A new string (free).
static char *
s_names (const int *values, size_t count, const char *(*name_of) (int))
{
    const char *names [CII_MAX_INSTITUTIONS + CII_MAX_TARGET_GROUPS];
    if (count > sizeof names / sizeof names [0])
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!(names [i] = name_of (values [i])))
            return NULL;
    return hub_store_text_array (names, count);
}

//  --------------------------------------------------------------------------------------------
//  Ingest building blocks

cii_rc_t
hub_store_requests_log (hub_store_t *self, int64_t agent_id, const char *message_id, const char *kind,
                        const char *ref, const char *digest, int64_t *received_at_ms)
{
    assert (self && message_id && kind && ref);
    char agent [24];
    snprintf (agent, sizeof agent, "%" PRId64, agent_id);
    const char *values [] = { agent, message_id, kind, ref, digest && *digest ? digest : NULL };
    hub_rows_t *rows = hub_store_query (self, "ingest log",
                                        "INSERT INTO ingest_log (agent_id, message_id, kind, ref, digest) "
                                        "VALUES ($1::bigint, $2, $3, $4, $5) ON CONFLICT (agent_id, message_id) DO NOTHING "
                                        "RETURNING " HUB_SQL_MS ("received_at"),
                                        5, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_CONFLICT;
    if (hub_rows_next (rows)) {
        if (received_at_ms)
            *received_at_ms = hub_rows_i64 (rows, 0);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_ref_next (hub_store_t *self, const char *prefix, int digits, char ref [HUB_MAX_REF])
{
    return hub_store_ref_next_year (self, prefix, 0, digits, ref);
}

cii_rc_t
hub_store_ref_next_year (hub_store_t *self, const char *prefix, int year, int digits, char ref [HUB_MAX_REF])
{
    assert (self && prefix && ref);
    char width [8], which [16];
    snprintf (width, sizeof width, "%d", digits);
    snprintf (which, sizeof which, "%d", year);
    const char *values [] = { prefix, width, which };
    //  The counter row is locked until the caller's transaction ends: gapless, in order.
    hub_rows_t *rows = hub_store_query (self, "reference",
        "WITH n AS (INSERT INTO ref_counters (prefix, year, last) "
        "           VALUES ($1, CASE WHEN $3::int > 0 THEN $3::int ELSE " S_YEAR " END, 1) "
        "           ON CONFLICT (prefix, year) DO UPDATE SET last = ref_counters.last + 1 RETURNING year, last) "
        "SELECT $1 || '-' || year || '-' || "
        "       CASE WHEN length (last::text) < $2::int THEN lpad (last::text, $2::int, '0') ELSE last::text END "
        "FROM n",
        3, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_FAILED;
    if (hub_rows_next (rows)) {
        hub_rows_copy (rows, 0, ref, HUB_MAX_REF);
        rc = CII_OK;
    }
    else
        hub_store_set_error (self, "reference", "no counter row");
    hub_rows_destroy (&rows);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The request shape

//  Resolves the request's signals (message ids of the sender's network) to hub ids into ids[]:
//  CII_OK, or the item refused (item->refused set, CII_OK returned), or the database error.
static cii_rc_t
s_signals (hub_store_t *store, hub_ingest_item_t *item, const cii_request_t *request, int64_t *ids)
{
    char *list = hub_store_text_array (request->signal_ids, request->n_signal_ids);
    if (!list)
        return CII_NO_MEMORY;
    const char *values [] = { list, item->network };
    //  Each named message id: the sender's network's signal with it, else another network's, else
    //  nothing. Found through ingest_log's primary key, agent by agent (every agent ever enrolled:
    //  a network's earlier keys included), and the signal's id in the log's ref ('SIG-' || id):
    //  the signals table has no index of its own on message ids (schema 0017).
    hub_rows_t *rows = hub_store_query (store, "request signals",
        "SELECT m.ord, s.id, s.network FROM unnest ($1::text[]) WITH ORDINALITY AS m (mid, ord) "
        "LEFT JOIN LATERAL (SELECT g.id, g.network FROM agents a "
        "                   JOIN ingest_log l ON l.agent_id = a.id AND l.message_id = m.mid AND l.kind = 'signal' "
        "                   JOIN signals g ON g.id = substr (l.ref, 5)::bigint AND g.network = a.network "
        "                   ORDER BY g.network = $2 DESC, g.id LIMIT 1) s ON true "
        "ORDER BY m.ord",
        2, values);
    free (list);
    if (!rows)
        return hub_store_rc (store);
    size_t n = 0;
    while (hub_rows_next (rows) && n < request->n_signal_ids && item->refused == CII_OK) {
        const char *mid = request->signal_ids [n];
        if (hub_rows_null (rows, 1)) {
            item->refused = CII_NOT_FOUND;
            snprintf (item->reason, sizeof item->reason, "request names signal %.64s, which the hub does not hold", mid);
        }
        else
        if (strcmp (hub_rows_text (rows, 2), item->network) != 0) {
            item->refused = CII_REFUSED;
            snprintf (item->reason, sizeof item->reason, "request names signal %.64s, of network %.32s", mid,
                      hub_rows_text (rows, 2));
        }
        else
            ids [n++] = hub_rows_i64 (rows, 1);
    }
    hub_rows_destroy (&rows);
    if (item->refused == CII_OK && n != request->n_signal_ids) {
        hub_store_set_error (store, "request signals", "fewer rows than signals");
        return CII_FAILED;
    }
    return CII_OK;
}

//  Writes one request (ingest_log row already written): its reference, the log's ref, the request,
//  its signals, its first history row.
static cii_rc_t
s_request_rows (hub_store_t *store, hub_ingest_item_t *item, const cii_request_t *request, const int64_t *signal_ids)
{
    cii_rc_t rc = hub_store_ref_next (store, "CII", 4, item->ref);
    if (rc != CII_OK)
        return rc;
    int inst [CII_MAX_INSTITUTIONS], groups [CII_MAX_TARGET_GROUPS], objectives [CII_MAX_OBJECTIVES],
        priorities [CII_MAX_PRIORITIES];
    size_t n_inst = request->n_institutions <= CII_MAX_INSTITUTIONS ? request->n_institutions : 0;
    size_t n_groups = request->n_target_groups <= CII_MAX_TARGET_GROUPS ? request->n_target_groups : 0;
    size_t n_obj = request->n_objectives <= CII_MAX_OBJECTIVES ? request->n_objectives : 0;
    size_t n_prio = request->n_priorities <= CII_MAX_PRIORITIES ? request->n_priorities : 0;
    for (size_t i = 0; i < n_inst; i++)
        inst [i] = (int) request->institutions [i];
    for (size_t i = 0; i < n_groups; i++)
        groups [i] = (int) request->target_groups [i];
    for (size_t i = 0; i < n_obj; i++)
        objectives [i] = (int) request->objectives [i];
    for (size_t i = 0; i < n_prio; i++)
        priorities [i] = (int) request->priorities [i];
    char agent [24], created [24];
    snprintf (agent, sizeof agent, "%" PRId64, item->agent_id);
    snprintf (created, sizeof created, "%" PRId64, request->created_at_ms);
    char *a_inst = s_names (inst, n_inst, cii_domain_institution_name);
    char *a_groups = s_names (groups, n_groups, cii_domain_target_group_name);
    char *a_obj = s_names (objectives, n_obj, cii_domain_objective_name);
    char *a_prio = s_names (priorities, n_prio, cii_domain_priority_name);
    char *a_cantons = hub_store_text_array (request->cantons, request->n_cantons);
    char *a_lineage = hub_store_text_array (request->lineage, request->n_lineage);
    char *a_signals = hub_store_id_array (signal_ids, request->n_signal_ids);
    rc = CII_NO_MEMORY;
    if (a_inst && a_groups && a_obj && a_prio && a_cantons && a_lineage && a_signals) {
        const char *values [] = { agent, item->message_id, item->ref, item->network, request->title, request->summary,
                                  a_inst, a_groups, a_obj, a_prio, a_cantons,
                                  request->assessment ? request->assessment : "",
                                  request->national_reason ? request->national_reason : "", request->language,
                                  a_lineage, created, a_signals, HUB_STORE_REQUEST_INITIAL, HUB_STORE_REQUEST_ORGAN };
        hub_rows_t *rows = hub_store_query (store, "request",
            "WITH lg AS (UPDATE ingest_log SET ref = $3 WHERE agent_id = $1::bigint AND message_id = $2 "
            "            RETURNING received_at), "
            "req AS (INSERT INTO requests (ref, agent_id, network, message_id, title, summary, institutions, "
            "                              target_groups, objectives, priorities, cantons, assessment, "
            "                              national_reason, language, lineage, created_at, received_at, state, "
            "                              updated_at) "
            "        SELECT $3, $1::bigint, $4, $2, $5, $6, $7::text[], $8::text[], $9::text[], $10::text[], "
            "               $11::text[], $12, $13, $14, $15::text[], "
            "               timestamptz 'epoch' + $16::bigint * interval '1 millisecond', lg.received_at, $18, "
            "               lg.received_at FROM lg RETURNING id, received_at), "
            "sig AS (INSERT INTO request_signals (request_id, signal_id) "
            "        SELECT req.id, s FROM req, unnest ($17::bigint[]) AS s), "
            "his AS (INSERT INTO request_history (request_id, state, organ, at) "
            "        SELECT id, $18, $19, received_at FROM req) "
            "SELECT " HUB_SQL_MS ("received_at") " FROM req",
            19, values);
        if (!rows)
            rc = hub_store_rc (store);
        else {
            rc = CII_OK;
            if (hub_rows_next (rows))
                item->received_at_ms = hub_rows_i64 (rows, 0);
            else {
                hub_store_set_error (store, "request", "its ingest_log row is gone");
                rc = CII_FAILED;
            }
            hub_rows_destroy (&rows);
        }
    }
    free (a_inst);
    free (a_groups);
    free (a_obj);
    free (a_prio);
    free (a_cantons);
    free (a_lineage);
    free (a_signals);
    return rc;
}

static cii_rc_t
s_request_one (hub_store_t *store, hub_ingest_item_t *item)
{
    const cii_request_t *request = item->item;
    cii_rc_t rc;
    if (hub_store_ingest_resend (store, item, &rc) || rc != CII_OK)
        return rc;
    if (request->n_signal_ids < 1 || request->n_signal_ids > CII_MAX_REQUEST_SIGNALS || !request->signal_ids
    ||  !request->title || !request->summary || !request->cantons || request->n_cantons > CII_CANTON_COUNT
    ||  request->n_lineage > CII_MAX_LINEAGE) {
        item->refused = CII_BAD_INPUT;          //  the codec lets none of these through
        snprintf (item->reason, sizeof item->reason, "request out of its limits");
        return CII_OK;
    }
    int64_t ids [CII_MAX_REQUEST_SIGNALS];
    if ((rc = s_signals (store, item, request, ids)) != CII_OK)
        return rc;
    if (item->refused != CII_OK) {
        zsys_warning ("hub: agent %s: refused %s: %s", item->network, item->message_id, item->reason);
        return CII_OK;
    }
    //  The log row first: a concurrent insert of the same message (another hub) makes this one a
    //  resend before any number is taken.
    rc = hub_store_requests_log (store, item->agent_id, item->message_id, "request", "", item->digest,
                                 &item->received_at_ms);
    if (rc == CII_CONFLICT) {
        if (!hub_store_ingest_resend (store, item, &rc) && rc == CII_OK)
            zsys_warning ("hub store: request %s of agent %" PRId64 ": logged and gone", item->message_id,
                          item->agent_id);
        return rc;
    }
    if (rc != CII_OK)
        return rc;
    if ((rc = s_request_rows (store, item, request, ids)) != CII_OK)
        return rc;
    item->stored = true;
    return CII_OK;
}

const hub_ingest_shape_t hub_store_request_shape = {
    .kind = "request",
    .statement = "cii_ingest_request",
    .store = s_request_one,
};

//  --------------------------------------------------------------------------------------------
//  National requests

//  The union of one array column over the requests of the basis of recommendation $1::bigint.
#define S_BASIS_UNION(col)                                                                         \
    "(SELECT coalesce (array_agg (DISTINCT x.v ORDER BY x.v), '{}') FROM recommendation_requests b " \
    " JOIN requests q ON q.id = b.request_id, unnest (q." col ") AS x (v) WHERE b.rec_id = $1::bigint)"

cii_rc_t
hub_store_request_national (hub_store_t *self, const char *rec, const char *title, const char *summary,
                            const char *language, const char *organ, const char *note, char ref [HUB_MAX_REF],
                            int64_t *id_p, int64_t *at_ms)
{
    assert (self && rec && title && summary && language && organ && ref && id_p);
    ref [0] = 0;
    *id_p = 0;
    //  The recommendation first: an unknown one takes no number. Its row is held (KEY SHARE) so
    //  that it cannot go before the request that names it is stored.
    const char *lookup [] = { rec };
    hub_rows_t *rows = hub_store_query (self, "national request",
                                        "SELECT id FROM recommendations WHERE ref = $1 FOR KEY SHARE", 1, lookup);
    if (!rows)
        return hub_store_rc (self);
    char rec_id [24] = "";
    if (hub_rows_next (rows))
        hub_rows_copy (rows, 0, rec_id, sizeof rec_id);
    hub_rows_destroy (&rows);
    if (!*rec_id)
        return CII_NOT_FOUND;
    cii_rc_t rc = hub_store_ref_next (self, "CII", 4, ref);
    if (rc != CII_OK)
        return rc;
    const char *values [] = { rec_id, ref, title, summary, language, HUB_STORE_REQUEST_INITIAL, organ,
                              note ? note : "" };
    rows = hub_store_query (self, "national request",
        "WITH req AS (INSERT INTO requests (ref, agent_id, network, message_id, title, summary, institutions, "
        "                                   target_groups, objectives, priorities, cantons, language, created_at, "
        "                                   state, from_rec_id) "
        "             VALUES ($2, NULL, NULL, '', $3, $4, " S_BASIS_UNION ("institutions") ", "
        "                     " S_BASIS_UNION ("target_groups") ", " S_BASIS_UNION ("objectives") ", "
        "                     " S_BASIS_UNION ("priorities") ", '{}', $5, now (), $6, $1::bigint) "
        "             RETURNING id, received_at), "
        "his AS (INSERT INTO request_history (request_id, state, organ, at, note) "
        "        SELECT id, $6, $7, received_at, $8 FROM req) "
        "SELECT id, " HUB_SQL_MS ("received_at") " FROM req",
        8, values);
    if (!rows)
        return hub_store_rc (self);
    rc = CII_FAILED;
    if (hub_rows_next (rows)) {
        *id_p = hub_rows_i64 (rows, 0);
        if (at_ms)
            *at_ms = hub_rows_i64 (rows, 1);
        rc = CII_OK;
    }
    else
        hub_store_set_error (self, "national request", "no row inserted");
    hub_rows_destroy (&rows);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Locked requests

#define S_LOCK_COLUMNS                                                                            \
    "SELECT r.id, r.ref, r.network, r.message_id, r.state, coalesce (r.theme_id, 0), coalesce (t.ref, ''), " \
    "       coalesce ((SELECT h.organ FROM request_history h WHERE h.request_id = r.id " \
    "                  AND h.state = 'wg-mandated' ORDER BY h.id DESC LIMIT 1), '') " \
    "FROM requests r LEFT JOIN themes t ON t.id = r.theme_id "

static void
s_lock_row (hub_rows_t *rows, hub_request_lock_t *out)
{
    memset (out, 0, sizeof *out);
    out->id = hub_rows_i64 (rows, 0);
    hub_rows_copy (rows, 1, out->ref, sizeof out->ref);
    hub_rows_copy (rows, 2, out->network, sizeof out->network);
    hub_rows_copy (rows, 3, out->message_id, sizeof out->message_id);
    hub_rows_copy (rows, 4, out->state, sizeof out->state);
    out->theme_id = hub_rows_i64 (rows, 5);
    hub_rows_copy (rows, 6, out->theme, sizeof out->theme);
    hub_rows_copy (rows, 7, out->mandated_by, sizeof out->mandated_by);
}

//  Runs a locking query; the rows into a new array.
static cii_rc_t
s_lock_many (hub_store_t *self, const char *sql, int nparams, const char *const *values,
             hub_request_lock_t **rows_p, size_t *count_p)
{
    *rows_p = NULL;
    *count_p = 0;
    hub_rows_t *rows = hub_store_query (self, "lock requests", sql, nparams, values);
    if (!rows)
        return hub_store_rc (self);
    int count = hub_rows_count (rows);
    hub_request_lock_t *out = calloc (count > 0 ? (size_t) count : 1, sizeof *out);
    if (!out) {
        hub_rows_destroy (&rows);
        hub_store_set_error (self, "lock requests", "out of memory");
        return CII_NO_MEMORY;
    }
    size_t n = 0;
    while (hub_rows_next (rows))
        s_lock_row (rows, &out [n++]);
    hub_rows_destroy (&rows);
    *rows_p = out;
    *count_p = n;
    return CII_OK;
}

static cii_rc_t
s_lock_one (hub_store_t *self, const char *sql, int nparams, const char *const *values, hub_request_lock_t *out)
{
    hub_request_lock_t *rows = NULL;
    size_t count = 0;
    cii_rc_t rc = s_lock_many (self, sql, nparams, values, &rows, &count);
    if (rc == CII_OK && count == 0)
        rc = CII_NOT_FOUND;
    if (rc == CII_OK)
        *out = rows [0];
    free (rows);
    return rc;
}

cii_rc_t
hub_store_request_lock (hub_store_t *self, const char *ref, hub_request_lock_t *out)
{
    assert (self && ref && out);
    const char *values [] = { ref };
    return s_lock_one (self, S_LOCK_COLUMNS "WHERE r.ref = $1 FOR UPDATE OF r", 1, values, out);
}

cii_rc_t
hub_store_request_lock_message (hub_store_t *self, const char *network, const char *message_id,
                                hub_request_lock_t *out)
{
    assert (self && network && message_id && out);
    const char *values [] = { network, message_id };
    return s_lock_one (self, S_LOCK_COLUMNS "WHERE r.network = $1 AND r.message_id = $2 ORDER BY r.id LIMIT 1 "
                       "FOR UPDATE OF r", 2, values, out);
}

cii_rc_t
hub_store_request_lock_id (hub_store_t *self, int64_t id, hub_request_lock_t *out)
{
    assert (self && out);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, id);
    const char *values [] = { number };
    return s_lock_one (self, S_LOCK_COLUMNS "WHERE r.id = $1::bigint FOR UPDATE OF r", 1, values, out);
}

cii_rc_t
hub_store_requests_lock_theme (hub_store_t *self, const char *theme_ref, hub_request_lock_t **rows_p,
                               size_t *count_p)
{
    assert (self && theme_ref && rows_p && count_p);
    const char *values [] = { theme_ref };
    return s_lock_many (self, S_LOCK_COLUMNS "WHERE t.ref = $1 ORDER BY r.id FOR UPDATE OF r", 1, values, rows_p,
                        count_p);
}

cii_rc_t
hub_store_requests_lock_refs (hub_store_t *self, const char *const *refs, size_t n, hub_request_lock_t **rows_p,
                              size_t *count_p)
{
    assert (self && (n == 0 || refs) && rows_p && count_p);
    char *list = hub_store_text_array (refs, n);
    if (!list)
        return CII_NO_MEMORY;
    const char *values [] = { list };
    cii_rc_t rc = s_lock_many (self, S_LOCK_COLUMNS "WHERE r.ref = ANY ($1::text[]) ORDER BY r.id FOR UPDATE OF r", 1,
                               values, rows_p, count_p);
    free (list);
    return rc;
}

cii_rc_t
hub_store_requests_lock_agents (hub_store_t *self, const char *const *networks, size_t n)
{
    assert (self && (n == 0 || networks));
    char *list = hub_store_text_array (networks, n);
    if (!list)
        return CII_NO_MEMORY;
    const char *values [] = { list };
    hub_rows_t *rows = hub_store_query (self, "lock agents",
                                        "SELECT h.agent_id FROM downward_heads h JOIN agents g ON g.id = h.agent_id "
                                        "WHERE g.revoked_at IS NULL AND g.network = ANY ($1::text[]) "
                                        "ORDER BY h.agent_id FOR UPDATE OF h", 1, values);
    free (list);
    if (!rows)
        return hub_store_rc (self);
    hub_rows_destroy (&rows);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  History

cii_rc_t
hub_store_request_change (hub_store_t *self, int64_t request_id, const char *state, const char *organ,
                          const char *note, const char *meeting, int64_t theme_id, int64_t *at_ms)
{
    assert (self && state && organ);
    char id [24], theme [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    snprintf (theme, sizeof theme, "%" PRId64, theme_id);
    const char *values [] = { id, state, organ, note ? note : "", meeting && *meeting ? meeting : NULL, theme };
    hub_rows_t *rows = hub_store_query (self, "request change",
        "WITH u AS (UPDATE requests SET state = $2, updated_at = now (), "
        "                  theme_id = CASE WHEN $6::bigint > 0 THEN $6::bigint ELSE theme_id END "
        "           WHERE id = $1::bigint RETURNING id), "
        "h AS (INSERT INTO request_history (request_id, state, organ, note, meeting) "
        "      SELECT id, $2, $3, $4, $5 FROM u RETURNING at) "
        "SELECT " HUB_SQL_MS ("at") " FROM h",
        6, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        if (at_ms)
            *at_ms = hub_rows_i64 (rows, 0);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_request_history (hub_store_t *self, int64_t request_id, bool pending, hub_history_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    const char *values [] = { id, pending ? "true" : "false" };
    hub_rows_t *rows = hub_store_query (self, "request history",
                                        "SELECT id, state, organ, " HUB_SQL_MS ("at") ", note, coalesce (meeting, ''), "
                                        "queued FROM request_history "
                                        "WHERE request_id = $1::bigint AND (NOT $2::bool OR NOT queued) ORDER BY id",
                                        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_history_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .state = hub_rows_text (rows, 1),
            .organ = hub_rows_text (rows, 2),
            .at_ms = hub_rows_i64 (rows, 3),
            .note = hub_rows_text (rows, 4),
            .meeting = hub_rows_text (rows, 5),
            .queued = hub_rows_bool (rows, 6),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_history_queued (hub_store_t *self, const int64_t *history_ids, size_t count)
{
    assert (self && (history_ids || count == 0));
    if (count == 0)
        return CII_OK;
    char *ids = hub_store_id_array (history_ids, count);
    if (!ids)
        return CII_NO_MEMORY;
    const char *values [] = { ids };
    cii_rc_t rc = hub_store_command (self, "history queued",
                                     "UPDATE request_history SET queued = true WHERE id = ANY ($1::bigint[])", 1, values);
    free (ids);
    return rc;
}

cii_rc_t
hub_store_requests_pending (hub_store_t *self, size_t limit, int64_t **ids_p, size_t *count_p)
{
    assert (self && ids_p && count_p);
    *ids_p = NULL;
    *count_p = 0;
    char number [24];
    snprintf (number, sizeof number, "%zu", limit);
    const char *values [] = { number };
    hub_rows_t *rows = hub_store_query (self, "pending statuses",
                                        "SELECT request_id FROM request_history WHERE NOT queued "
                                        "GROUP BY request_id ORDER BY min (id) LIMIT $1::bigint",
                                        1, values);
    return hub_rows_ids (self, rows, ids_p, count_p);
}

cii_rc_t
hub_store_requests_in_states (hub_store_t *self, const char *const *states, size_t n, int64_t **ids_p,
                              size_t *count_p)
{
    assert (self && (n == 0 || states) && ids_p && count_p);
    *ids_p = NULL;
    *count_p = 0;
    char *list = hub_store_text_array (states, n);
    if (!list)
        return CII_NO_MEMORY;
    const char *values [] = { list };
    hub_rows_t *rows = hub_store_query (self, "requests in states",
                                        "SELECT id FROM requests WHERE state = ANY ($1::text[]) ORDER BY id", 1, values);
    free (list);
    return hub_rows_ids (self, rows, ids_p, count_p);
}

//  --------------------------------------------------------------------------------------------
//  Criteria

void
hub_request_facts_clear (hub_request_facts_t *facts)
{
    if (!facts)
        return;
    free (facts->ref);
    free (facts->institutions);
    free (facts->objectives);
    free (facts->cantons);
    free (facts->reason_signals);
    free (facts->theme);
    free (facts->theme_cantons);
    free (facts->theme_networks);
    free (facts->from_rec);
    memset (facts, 0, sizeof *facts);
}

cii_rc_t
hub_store_request_facts (hub_store_t *self, int64_t request_id, const char *const *excluded, size_t n_excluded,
                         hub_request_facts_t *out)
{
    assert (self && out && (n_excluded == 0 || excluded));
    memset (out, 0, sizeof *out);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    char *states = hub_store_text_array (excluded, n_excluded);
    if (!states)
        return CII_NO_MEMORY;
    const char *values [] = { id, states };
    hub_rows_t *rows = hub_store_query (self, "request facts",
        "SELECT r.ref, "
        "  (SELECT coalesce (string_agg (x.i, ',' ORDER BY x.i), '') FROM ("
        "     SELECT unnest (r.institutions) AS i UNION SELECT unnest (s.institutions) FROM request_signals rs "
        "     JOIN signals s ON s.id = rs.signal_id WHERE rs.request_id = r.id) x), "
        "  array_to_string (r.objectives, ','), "
        "  " S_CANTONS_OF ("q.id = r.id") ", "
        "  btrim (r.national_reason, E' \\t\\r\\n') <> '', "
        "  (SELECT coalesce (string_agg (s.ref, ',' ORDER BY s.id), '') FROM request_signals rs "
        "   JOIN signals s ON s.id = rs.signal_id "
        "   WHERE rs.request_id = r.id AND btrim (s.national_reason, E' \\t\\r\\n') <> ''), "
        "  coalesce (t.ref, ''), "
        "  " S_CANTONS_OF ("q.theme_id = r.theme_id AND q.state <> ALL ($2::text[])") ", "
        "  (SELECT coalesce (string_agg (DISTINCT q.network, ',' ORDER BY q.network), '') FROM requests q "
        "   WHERE q.theme_id = r.theme_id AND q.state <> ALL ($2::text[])), "
        "  coalesce ((SELECT c.ref FROM recommendations c WHERE c.id = r.from_rec_id), '') "
        "FROM requests r LEFT JOIN themes t ON t.id = r.theme_id WHERE r.id = $1::bigint",
        2, values);
    free (states);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        out->ref = strdup (hub_rows_text (rows, 0));
        out->institutions = strdup (hub_rows_text (rows, 1));
        out->objectives = strdup (hub_rows_text (rows, 2));
        out->cantons = strdup (hub_rows_text (rows, 3));
        out->has_reason = hub_rows_bool (rows, 4);
        out->reason_signals = strdup (hub_rows_text (rows, 5));
        out->theme = strdup (hub_rows_text (rows, 6));
        out->theme_cantons = strdup (hub_rows_text (rows, 7));
        out->theme_networks = strdup (hub_rows_text (rows, 8));
        out->from_rec = strdup (hub_rows_text (rows, 9));
        rc = CII_OK;
        if (!out->ref || !out->institutions || !out->objectives || !out->cantons || !out->reason_signals || !out->theme
        ||  !out->theme_cantons || !out->theme_networks || !out->from_rec) {
            hub_request_facts_clear (out);
            hub_store_set_error (self, "request facts", "out of memory");
            rc = CII_NO_MEMORY;
        }
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_criteria_set (hub_store_t *self, int64_t request_id, const cii_criterion_t *criteria, size_t n)
{
    assert (self && (n == 0 || criteria));
    const char *ids [CII_MAX_CRITERIA], *reasons [CII_MAX_CRITERIA];
    if (n > CII_MAX_CRITERIA)
        return CII_BAD_INPUT;
    char met [CII_MAX_CRITERIA * 2 + 3];
    size_t used = 0;
    met [used++] = '{';
    for (size_t i = 0; i < n; i++) {
        ids [i] = criteria [i].id;
        reasons [i] = criteria [i].reason ? criteria [i].reason : "";
        if (i)
            met [used++] = ',';
        met [used++] = criteria [i].met ? 't' : 'f';
    }
    met [used++] = '}';
    met [used] = 0;
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    char *a_ids = hub_store_text_array (ids, n);
    char *a_reasons = hub_store_text_array (reasons, n);
    cii_rc_t rc = CII_NO_MEMORY;
    if (a_ids && a_reasons) {
        const char *values [] = { id, a_ids, met, a_reasons };
        rc = hub_store_command (self, "criteria",
                                "DELETE FROM request_criteria WHERE request_id = $1::bigint AND id <> ALL ($2::text[])",
                                2, values);
        if (rc == CII_OK)
            rc = hub_store_command (self, "criteria",
                "INSERT INTO request_criteria (request_id, id, met, reason) "
                "SELECT $1::bigint, c.id, c.met, c.reason "
                "FROM unnest ($2::text[], $3::bool[], $4::text[]) AS c (id, met, reason) "
                "ON CONFLICT (request_id, id) DO UPDATE "
                "SET met = excluded.met, reason = excluded.reason, evaluated_at = now ()",
                4, values);
    }
    free (a_ids);
    free (a_reasons);
    return rc;
}

cii_rc_t
hub_store_criteria (hub_store_t *self, int64_t request_id, hub_criterion_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, request_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "criteria",
                                        "SELECT id, met, reason, " HUB_SQL_MS ("evaluated_at") " FROM request_criteria "
                                        "WHERE request_id = $1::bigint ORDER BY length (id), id",
                                        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_criterion_row_t row = {
            .id = hub_rows_text (rows, 0),
            .met = hub_rows_bool (rows, 1),
            .reason = hub_rows_text (rows, 2),
            .evaluated_at_ms = hub_rows_i64 (rows, 3),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Listings

cii_rc_t
hub_store_requests (hub_store_t *self, const hub_request_filter_t *filter, hub_request_fn *fn, void *arg)
{
    assert (self && fn);
    hub_request_filter_t none = { NULL, NULL, NULL, NULL, NULL, NULL };
    if (!filter)
        filter = &none;
    const char *values [] = { filter->ref, filter->state, filter->network, filter->canton, filter->theme,
                              filter->from_rec };
    hub_rows_t *rows = hub_store_query (self, "requests",
        "SELECT r.id, r.ref, r.network, r.message_id, r.title, r.summary, r.state, coalesce (t.ref, ''), "
        "       array_to_string (r.cantons, ','), array_to_string (r.institutions, ','), "
        "       array_to_string (r.target_groups, ','), array_to_string (r.objectives, ','), "
        "       array_to_string (r.priorities, ','), r.assessment, r.national_reason, r.language, "
        "       array_to_string (r.lineage, E'\\n'), "
        "       (SELECT coalesce (string_agg (s.ref, ',' ORDER BY s.id), '') FROM request_signals rs "
        "        JOIN signals s ON s.id = rs.signal_id WHERE rs.request_id = r.id), "
        "       (SELECT coalesce (string_agg (c.id, ',' ORDER BY length (c.id), c.id) FILTER (WHERE c.met), '') "
        "        FROM request_criteria c WHERE c.request_id = r.id), "
        "       " HUB_SQL_MS ("r.created_at") ", " HUB_SQL_MS ("r.received_at") ", " HUB_SQL_MS ("r.updated_at") ", "
        "       (SELECT count (*) FROM request_criteria c WHERE c.request_id = r.id), coalesce (rc.ref, '') "
        "FROM requests r LEFT JOIN themes t ON t.id = r.theme_id "
        "LEFT JOIN recommendations rc ON rc.id = r.from_rec_id "
        "WHERE ($1::text IS NULL OR r.ref = $1) AND ($2::text IS NULL OR r.state = $2) "
        "  AND ($3::text IS NULL OR r.network = $3) "
        "  AND ($4::text IS NULL OR $4 = ANY (r.cantons) OR EXISTS (SELECT 1 FROM request_signals rs "
        "       JOIN signals s ON s.id = rs.signal_id WHERE rs.request_id = r.id AND s.canton = $4)) "
        "  AND ($5::text IS NULL OR t.ref = $5) AND ($6::text IS NULL OR rc.ref = $6) "
        "ORDER BY r.id",
        6, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_request_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .network = hub_rows_text (rows, 2),
            .message_id = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .summary = hub_rows_text (rows, 5),
            .state = hub_rows_text (rows, 6),
            .theme = hub_rows_text (rows, 7),
            .cantons = hub_rows_text (rows, 8),
            .institutions = hub_rows_text (rows, 9),
            .target_groups = hub_rows_text (rows, 10),
            .objectives = hub_rows_text (rows, 11),
            .priorities = hub_rows_text (rows, 12),
            .assessment = hub_rows_text (rows, 13),
            .national_reason = hub_rows_text (rows, 14),
            .language = hub_rows_text (rows, 15),
            .lineage = hub_rows_text (rows, 16),
            .signals = hub_rows_text (rows, 17),
            .criteria_met = hub_rows_text (rows, 18),
            .criteria = (int) hub_rows_i64 (rows, 22),
            .created_at_ms = hub_rows_i64 (rows, 19),
            .received_at_ms = hub_rows_i64 (rows, 20),
            .updated_at_ms = hub_rows_i64 (rows, 21),
            .from_rec = hub_rows_text (rows, 23),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Themes

cii_rc_t
hub_store_theme_add (hub_store_t *self, const char *title, const char *state, char ref [HUB_MAX_REF], int64_t *id_p)
{
    assert (self && title && state && ref && id_p);
    cii_rc_t rc = hub_store_ref_next (self, "NT", 2, ref);
    if (rc != CII_OK)
        return rc;
    const char *values [] = { ref, title, state };
    return hub_store_query_id (self, "theme", "INSERT INTO themes (ref, title, state) VALUES ($1, $2, $3) RETURNING id",
                               3, values, id_p);
}

cii_rc_t
hub_store_theme_state (hub_store_t *self, int64_t id, const char *state)
{
    assert (self && state);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, id);
    const char *values [] = { number, state };
    return hub_store_command (self, "theme state", "UPDATE themes SET state = $2 WHERE id = $1::bigint", 2, values);
}

cii_rc_t
hub_store_themes (hub_store_t *self, const char *ref, const char *const *excluded, size_t n_excluded,
                  hub_theme_fn *fn, void *arg)
{
    assert (self && fn && (n_excluded == 0 || excluded));
    char *states = hub_store_text_array (excluded, n_excluded);
    if (!states)
        return CII_NO_MEMORY;
    const char *values [] = { ref, states };
    hub_rows_t *rows = hub_store_query (self, "themes",
        "SELECT t.id, t.ref, t.title, t.state, "
        "  (SELECT coalesce (string_agg (q.ref, ',' ORDER BY q.id), '') FROM requests q WHERE q.theme_id = t.id), "
        "  (SELECT coalesce (string_agg (DISTINCT q.network, ',' ORDER BY q.network), '') FROM requests q "
        "   WHERE q.theme_id = t.id AND q.state <> ALL ($2::text[])), "
        "  " S_CANTONS_OF ("q.theme_id = t.id AND q.state <> ALL ($2::text[])") ", "
        "  " HUB_SQL_MS ("t.created_at") " "
        "FROM themes t WHERE $1::text IS NULL OR t.ref = $1 ORDER BY t.id",
        2, values);
    free (states);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_theme_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .title = hub_rows_text (rows, 2),
            .state = hub_rows_text (rows, 3),
            .requests = hub_rows_text (rows, 4),
            .networks = hub_rows_text (rows, 5),
            .cantons = hub_rows_text (rows, 6),
            .created_at_ms = hub_rows_i64 (rows, 7),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
