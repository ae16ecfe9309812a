/*  agent_store_push.c — recommendations held by the agent and the durable push queue (see
    agent_store_push.h). */
#include "agent_store_push.h"
#include "cii_domain.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_store_outbox.h"
#include "cii_util.h"
#include "cii_wire.h"

#define S_DEFAULT_TIMEOUT_MS 30000

//  Joins n strings with sep into a new string (*out_p); CII_BAD_INPUT when one holds sep.
static cii_rc_t
s_join (const char *const *items, size_t n, char sep, const char *what, char **out_p, cii_err_t *err)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) {
        if (!items [i] || strchr (items [i], sep))
            return cii_err_set (err, CII_BAD_INPUT, "recommendation.%s[%zu]: not a list entry", what, i);
        cap += strlen (items [i]) + 1;
    }
    char *out = malloc (cap);
    if (!out)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    size_t len = 0;
    out [0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t) snprintf (out + len, cap - len, "%s%s", i ? (sep == ',' ? "," : "\n") : "", items [i]);
    *out_p = out;
    return CII_OK;
}

cii_rc_t
agent_store_rec_add (agent_store_t *self, int64_t seq, const cii_recommendation_t *rec, cii_err_t *err)
{
    assert (self && rec && rec->ref);
    char *basis = NULL, *cantons = NULL, *partners = NULL;
    cii_rc_t rc = s_join (rec->basis, rec->n_basis, '\n', "basis", &basis, err);
    if (rc == CII_OK)
        rc = s_join (rec->cantons, rec->n_cantons, ',', "cantons", &cantons, err);
    if (rc == CII_OK)
        rc = s_join (rec->partners, rec->n_partners, ',', "partners", &partners, err);
    if (rc == CII_OK)
        rc = agent_store_begin (self, err);
    if (rc != CII_OK) {
        free (basis), free (cantons), free (partners);
        return rc;
    }
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO recommendations (ref, version, seq, adopted_on,"
                                                    " report_by, basis, cantons, partners, all_cantons, issued_at,"
                                                    " note, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                                                    " ?9, ?10, ?11, ?12) ON CONFLICT (ref, version) DO NOTHING",
                                              err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, rec->ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, rec->version);
        sqlite3_bind_int64 (stmt, 3, seq);
        sqlite3_bind_text (stmt, 4, rec->adopted_on ? rec->adopted_on : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, rec->report_by ? rec->report_by : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 6, basis, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 7, cantons, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 8, partners, -1, SQLITE_STATIC);
        sqlite3_bind_int (stmt, 9, rec->all_cantons ? 1 : 0);
        sqlite3_bind_int64 (stmt, 10, rec->issued_at_ms);
        sqlite3_bind_text (stmt, 11, rec->note ? rec->note : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 12, cii_util_now_ms ());
        rc = agent_store_run (self, stmt, "insert recommendation", err);
    }
    for (size_t i = 0; i < rec->n_translations && i < CII_MAX_TRANSLATIONS && rc == CII_OK; i++) {
        const cii_translation_t *t = &rec->translations [i];
        stmt = agent_store_prepare (self, "INSERT INTO recommendation_texts (ref, version, language, title, text)"
                                          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING", err);
        if (!stmt) {
            rc = CII_FAILED;
            break;
        }
        sqlite3_bind_text (stmt, 1, rec->ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, rec->version);
        sqlite3_bind_text (stmt, 3, t->language, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 4, t->title ? t->title : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, t->text ? t->text : "", -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "insert recommendation text", err);
    }
    free (basis), free (cantons), free (partners);
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

void
agent_store_push_key (const char *ref, uint32_t version, const char *canton, char key [AGENT_PUSH_KEY_SIZE])
{
    snprintf (key, AGENT_PUSH_KEY_SIZE, "%.31s.v%" PRIu32 ".%.2s", ref, version, canton);
}

cii_rc_t
agent_store_push_enqueue (agent_store_t *self, const char *ref, uint32_t version, const char *canton, bool *added_p,
                          cii_err_t *err)
{
    assert (self && ref && canton);
    char key [AGENT_PUSH_KEY_SIZE];
    agent_store_push_key (ref, version, canton, key);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO pushes (ref, version, canton, idem_key, created_at)"
                                                    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, version);
    sqlite3_bind_text (stmt, 3, canton, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, cii_util_now_ms ());
    cii_rc_t rc = agent_store_run (self, stmt, "queue push", err);
    if (added_p)
        *added_p = rc == CII_OK && sqlite3_changes (agent_store_handle (self)) > 0;
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Adapters

cii_rc_t
agent_store_canton_push_set (agent_store_t *self, const agent_canton_push_t *push, cii_err_t *err)
{
    assert (self && push);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO canton_push (canton, adapter, command, path, url,"
                                                    " secret_file, timeout_ms, updated_at) VALUES (?1, ?2, NULLIF (?3, ''),"
                                                    " NULLIF (?4, ''), NULLIF (?5, ''), NULLIF (?6, ''), ?7, ?8)"
                                                    " ON CONFLICT (canton) DO UPDATE SET adapter = excluded.adapter,"
                                                    " command = excluded.command, path = excluded.path,"
                                                    " url = excluded.url, secret_file = excluded.secret_file,"
                                                    " timeout_ms = excluded.timeout_ms,"
                                                    " updated_at = excluded.updated_at", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, push->canton, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, push->adapter, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, push->command, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, push->path, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, push->url, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 6, push->secret_file, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 7, push->timeout_ms > 0 ? push->timeout_ms : S_DEFAULT_TIMEOUT_MS);
    sqlite3_bind_int64 (stmt, 8, cii_util_now_ms ());
    return agent_store_run (self, stmt, "set canton push", err);
}

static bool
s_canton_push_row (sqlite3_stmt *row, void *arg)
{
    agent_canton_push_t *push = arg;
    agent_store_copy (push->adapter, sizeof push->adapter, agent_store_text (row, 0));
    agent_store_copy (push->command, sizeof push->command, agent_store_text (row, 1));
    agent_store_copy (push->path, sizeof push->path, agent_store_text (row, 2));
    agent_store_copy (push->url, sizeof push->url, agent_store_text (row, 3));
    agent_store_copy (push->secret_file, sizeof push->secret_file, agent_store_text (row, 4));
    push->timeout_ms = sqlite3_column_int (row, 5);
    push->updated_at_ms = sqlite3_column_int64 (row, 6);
    return false;
}

cii_rc_t
agent_store_canton_push_get (agent_store_t *self, const char *canton, agent_canton_push_t *push, cii_err_t *err)
{
    assert (self && canton && push);
    memset (push, 0, sizeof *push);
    agent_store_copy (push->canton, sizeof push->canton, canton);
    strcpy (push->adapter, "none");
    push->timeout_ms = S_DEFAULT_TIMEOUT_MS;
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT adapter, command, path, url, secret_file, timeout_ms,"
                                                    " updated_at FROM canton_push WHERE canton = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, canton, -1, SQLITE_STATIC);
    return agent_store_rows (self, stmt, "canton push", s_canton_push_row, push, NULL, err);
}

//  --------------------------------------------------------------------------------------------
//  The queue

#define S_PUSH_COLUMNS "p.id, p.ref, p.version, p.canton, p.idem_key, p.state, p.adapter, p.attempts," \
                       " p.next_attempt_ms, p.first_attempt_ms, p.last_error, p.detail, p.created_at," \
                       " p.done_at, p.hub_ref"

static void
s_push_read (sqlite3_stmt *row, agent_push_entry_t *push)
{
    memset (push, 0, sizeof *push);
    push->id = sqlite3_column_int64 (row, 0);
    agent_store_copy (push->ref, sizeof push->ref, agent_store_text (row, 1));
    push->version = (uint32_t) sqlite3_column_int64 (row, 2);
    agent_store_copy (push->canton, sizeof push->canton, agent_store_text (row, 3));
    agent_store_copy (push->idem_key, sizeof push->idem_key, agent_store_text (row, 4));
    agent_store_copy (push->state, sizeof push->state, agent_store_text (row, 5));
    agent_store_copy (push->adapter, sizeof push->adapter, agent_store_text (row, 6));
    push->attempts = sqlite3_column_int (row, 7);
    push->next_attempt_ms = sqlite3_column_int64 (row, 8);
    push->first_attempt_ms = sqlite3_column_int64 (row, 9);
    agent_store_copy (push->last_error, sizeof push->last_error, agent_store_text (row, 10));
    agent_store_copy (push->detail, sizeof push->detail, agent_store_text (row, 11));
    push->created_at_ms = sqlite3_column_int64 (row, 12);
    push->done_at_ms = sqlite3_column_int64 (row, 13);
    agent_store_copy (push->hub_ref, sizeof push->hub_ref, agent_store_text (row, 14));
}

static bool
s_one_row (sqlite3_stmt *row, void *arg)
{
    s_push_read (row, arg);
    return false;
}

cii_rc_t
agent_store_push_next_due (agent_store_t *self, int64_t now_ms, agent_push_entry_t *row, cii_err_t *err)
{
    assert (self && row);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_PUSH_COLUMNS " FROM pushes p JOIN canton_push c"
                                                    " ON c.canton = p.canton AND c.adapter <> 'none'"
                                                    " WHERE p.state = 'queued' AND p.next_attempt_ms <= ?1"
                                                    " ORDER BY p.next_attempt_ms, p.id LIMIT 1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, now_ms);
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "due push", s_one_row, row, &count, err);
    if (rc == CII_OK && count == 0)
        return cii_err_set (err, CII_NOT_FOUND, "no push due");
    return rc;
}

cii_rc_t
agent_store_push_attempt (agent_store_t *self, int64_t id, const char *adapter, int64_t now_ms, int64_t next_ms,
                          cii_err_t *err)
{
    assert (self && adapter);
    sqlite3_stmt *stmt = agent_store_prepare (self, "UPDATE pushes SET attempts = attempts + 1, adapter = ?2,"
                                                    " first_attempt_ms = coalesce (first_attempt_ms, ?3),"
                                                    " next_attempt_ms = ?4 WHERE id = ?1 AND state = 'queued'", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, adapter, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, now_ms);
    sqlite3_bind_int64 (stmt, 4, next_ms);
    return agent_store_run (self, stmt, "push attempt", err);
}

cii_rc_t
agent_store_push_retry (agent_store_t *self, int64_t id, const char *error, int64_t next_ms, cii_err_t *err)
{
    assert (self);
    sqlite3_stmt *stmt = agent_store_prepare (self, "UPDATE pushes SET last_error = ?2, next_attempt_ms = ?3"
                                                    " WHERE id = ?1 AND state = 'queued'", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, next_ms);
    return agent_store_run (self, stmt, "push retry", err);
}

//  The row of push id, read inside the caller's transaction.
static cii_rc_t
s_push_get (agent_store_t *self, int64_t id, agent_push_entry_t *row, cii_err_t *err)
{
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_PUSH_COLUMNS " FROM pushes p WHERE p.id = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "push", s_one_row, row, &count, err);
    if (rc == CII_OK && count == 0)
        return cii_err_set (err, CII_NOT_FOUND, "no push %" PRId64, id);
    return rc;
}

//  Queues the PUSH of row (its state now ended) in the outbox, inside the caller's transaction.
static cii_rc_t
s_queue_push_message (agent_store_t *self, const agent_push_entry_t *row, const char *detail, int64_t now_ms,
                      char message_id [37], cii_err_t *err)
{
    cii_push_t push = {
        .ref = row->ref, .version = row->version, .state = row->state, .adapter = row->adapter,
        .detail = detail, .attempts = row->attempts > 0 ? (uint32_t) row->attempts : 1, .at_ms = now_ms,
    };
    agent_store_copy (push.canton, sizeof push.canton, row->canton);
    cii_util_uuid (message_id);
    uint8_t *data = NULL;
    size_t size = 0;
    cii_rc_t rc = cii_wire_push_envelope (&push, message_id, &data, &size, err);
    if (rc != CII_OK)
        return rc;
    rc = agent_store_outbox_add_frame (self, "push", row->id, message_id, data, size, now_ms, err);
    free (data);
    return rc;
}

cii_rc_t
agent_store_push_end (agent_store_t *self, int64_t id, const char *state, const char *detail, int64_t now_ms,
                      cii_err_t *err)
{
    assert (self && state);
    bool pushed = strcmp (state, "pushed") == 0;
    //  One line, within the protocol's limit
    char line [CII_MAX_DETAIL + 1];
    cii_domain_line_copy (line, sizeof line, detail ? detail : "", detail ? strlen (detail) : 0);
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    agent_push_entry_t row;
    rc = s_push_get (self, id, &row, err);
    if (rc == CII_OK && strcmp (row.state, "queued") != 0)
        rc = cii_err_set (err, CII_CONFLICT, "push %s is %s already", row.idem_key, row.state);
    sqlite3_stmt *stmt = NULL;
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, pushed ? "UPDATE pushes SET state = 'pushed', detail = ?2, done_at = ?3,"
                                                   " message_id = ?4 WHERE id = ?1"
                                                 : "UPDATE pushes SET state = 'failed', last_error = ?2, done_at = ?3,"
                                                   " message_id = ?4 WHERE id = ?1", err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    char message_id [37] = "";
    if (rc == CII_OK) {
        agent_store_copy (row.state, sizeof row.state, pushed ? "pushed" : "failed");
        if (!*row.adapter)
            agent_store_copy (row.adapter, sizeof row.adapter, "exec");   //  never: an end follows an attempt
        rc = s_queue_push_message (self, &row, line, now_ms, message_id, err);
    }
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_text (stmt, 2, line, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 3, now_ms);
        sqlite3_bind_text (stmt, 4, message_id, -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "end push", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

cii_rc_t
agent_store_push_delivered (agent_store_t *self, int64_t id, const char *hub_ref, int64_t hub_received_at_ms,
                            cii_err_t *err)
{
    //  A push keeps no time of delivery of its own: done_at is when it ended
    return agent_store_mark_delivered (self, "UPDATE pushes SET hub_ref = ?2, hub_received_at = ?3 WHERE id = ?1",
                                       id, hub_ref, hub_received_at_ms, "push delivered", err);
}

cii_rc_t
agent_store_push_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err)
{
    return agent_store_mark_refused (self, "UPDATE pushes SET refused_code = ?2, refused_text = ?3 WHERE id = ?1",
                                     id, code, text, "push refused", err);
}

typedef struct {
    agent_push_entry_fn *fn;
    void *arg;
} s_each_t;

static bool
s_each_row (sqlite3_stmt *row, void *arg)
{
    s_each_t *each = arg;
    agent_push_entry_t push;
    s_push_read (row, &push);
    return each->fn (&push, each->arg);
}

cii_rc_t
agent_store_pushes_each (agent_store_t *self, const char *state, agent_push_entry_fn *fn, void *arg, size_t *count_p,
                         cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_PUSH_COLUMNS " FROM pushes p"
                                                    " WHERE ?1 IS NULL OR p.state = ?1 ORDER BY p.id", err);
    if (!stmt)
        return CII_FAILED;
    if (state)
        sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "pushes", s_each_row, &each, count_p, err);
}

static bool
s_count_row (sqlite3_stmt *row, void *arg)
{
    agent_push_counts_t *counts = arg;
    const char *state = agent_store_text (row, 0);
    int64_t n = sqlite3_column_int64 (row, 1);
    if (strcmp (state, "queued") == 0)
        counts->queued = n;
    else
    if (strcmp (state, "pushed") == 0)
        counts->pushed = n;
    else
    if (strcmp (state, "failed") == 0)
        counts->failed = n;
    return true;
}

cii_rc_t
agent_store_push_counts (agent_store_t *self, const char *canton, agent_push_counts_t *counts, cii_err_t *err)
{
    assert (self && counts);
    memset (counts, 0, sizeof *counts);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT state, count(*) FROM pushes"
                                                    " WHERE ?1 IS NULL OR canton = ?1 GROUP BY state", err);
    if (!stmt)
        return CII_FAILED;
    if (canton)
        sqlite3_bind_text (stmt, 1, canton, -1, SQLITE_STATIC);
    return agent_store_rows (self, stmt, "push counts", s_count_row, counts, NULL, err);
}

//  --------------------------------------------------------------------------------------------
//  The stored recommendation

//  Keeps ptr in rec (freed with it); NULL (ptr freed) when out of memory.
static void *
s_keep (agent_rec_t *rec, void *ptr)
{
    char **owned = ptr ? realloc (rec->owned, (rec->n_owned + 1) * sizeof *owned) : NULL;
    if (!owned) {
        free (ptr);
        return NULL;
    }
    rec->owned = owned;
    rec->owned [rec->n_owned++] = ptr;
    return ptr;
}

//  A copy of s kept by rec (NULL when out of memory).
static char *
s_own (agent_rec_t *rec, const char *s)
{
    return s_keep (rec, strdup (s ? s : ""));
}

//  Splits a copy of list at sep into an array kept by rec (NULL when out of memory).
static const char *const *
s_split (agent_rec_t *rec, const char *list, char sep, size_t *n_p)
{
    *n_p = 0;
    char *copy = s_own (rec, list);
    if (!copy)
        return NULL;
    size_t n = 1;
    for (const char *c = copy; *c; c++)
        n += *c == sep;
    const char **items = s_keep (rec, calloc (n + 1, sizeof (char *)));
    if (!items)
        return NULL;
    char *save = NULL;
    char seps [2] = { sep, '\0' };
    for (char *tok = strtok_r (copy, seps, &save); tok; tok = strtok_r (NULL, seps, &save))
        items [(*n_p)++] = tok;
    return items;
}

static bool
s_rec_row (sqlite3_stmt *row, void *arg)
{
    agent_rec_t *rec = arg;
    cii_recommendation_t *r = &rec->rec;
    r->ref = s_own (rec, agent_store_text (row, 0));
    r->version = (uint32_t) sqlite3_column_int64 (row, 1);
    r->adopted_on = s_own (rec, agent_store_text (row, 2));
    r->report_by = s_own (rec, agent_store_text (row, 3));
    r->basis = s_split (rec, agent_store_text (row, 4), '\n', &r->n_basis);
    r->cantons = s_split (rec, agent_store_text (row, 5), ',', &r->n_cantons);
    r->partners = s_split (rec, agent_store_text (row, 6), ',', &r->n_partners);
    r->all_cantons = sqlite3_column_int (row, 7) != 0;
    r->issued_at_ms = sqlite3_column_int64 (row, 8);
    r->note = s_own (rec, agent_store_text (row, 9));
    return false;
}

static bool
s_text_row (sqlite3_stmt *row, void *arg)
{
    agent_rec_t *rec = arg;
    cii_recommendation_t *r = &rec->rec;
    if (r->n_translations >= CII_MAX_TRANSLATIONS)
        return false;
    cii_translation_t *t = &r->translations [r->n_translations++];
    agent_store_copy (t->language, sizeof t->language, agent_store_text (row, 0));
    t->title = s_own (rec, agent_store_text (row, 1));
    t->text = s_own (rec, agent_store_text (row, 2));
    return true;
}

cii_rc_t
agent_store_rec_get (agent_store_t *self, const char *ref, uint32_t version, agent_rec_t **rec_p, cii_err_t *err)
{
    assert (self && ref && rec_p);
    *rec_p = NULL;
    agent_rec_t *rec = calloc (1, sizeof *rec);
    if (!rec)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT ref, version, adopted_on, report_by, basis, cantons,"
                                                    " partners, all_cantons, issued_at, note FROM recommendations"
                                                    " WHERE ref = ?1 AND version = ?2", err);
    size_t count = 0;
    cii_rc_t rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, version);
        rc = agent_store_rows (self, stmt, "recommendation", s_rec_row, rec, &count, err);
    }
    if (rc == CII_OK && count == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "%s version %" PRIu32 " is not held", ref, version);
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "SELECT language, title, text FROM recommendation_texts"
                                          " WHERE ref = ?1 AND version = ?2"
                                          " ORDER BY CASE language WHEN 'fr' THEN 0 WHEN 'de' THEN 1"
                                          " WHEN 'it' THEN 2 ELSE 3 END", err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, version);
        rc = agent_store_rows (self, stmt, "recommendation texts", s_text_row, rec, NULL, err);
    }
    const cii_recommendation_t *r = &rec->rec;
    if (rc == CII_OK && (!r->ref || !r->adopted_on || !r->report_by || !r->note || !r->basis || !r->cantons
                         || !r->partners))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == CII_OK && i < r->n_translations; i++)
        if (!r->translations [i].title || !r->translations [i].text)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc != CII_OK) {
        agent_store_rec_free (&rec);
        return rc;
    }
    *rec_p = rec;
    return CII_OK;
}

void
agent_store_rec_free (agent_rec_t **rec_p)
{
    if (!rec_p || !*rec_p)
        return;
    agent_rec_t *rec = *rec_p;
    for (size_t i = 0; i < rec->n_owned; i++)
        free (rec->owned [i]);
    free (rec->owned);
    free (rec);
    *rec_p = NULL;
}
