/*  agent_store_outbox.c — the durable outbox of upward messages of any kind (see
    agent_store_outbox.h). The only store code that packs an Envelope, through the codec. */
#include "agent_store_outbox.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_util.h"

_Static_assert (AGENT_MESSAGE_ID_SIZE == CII_MAX_MESSAGE_ID + 1, "a message id and its NUL");

cii_rc_t
agent_store_outbox_add (agent_store_t *self, const cii_kind_t *kind, const ProtobufCMessage *item, int64_t ref_id,
                        const char *message_id, cii_err_t *err)
{
    assert (self && kind && item && message_id);
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t refusal;
    cii_rc_t rc = cii_codec_encode_up (kind, item, message_id, &data, &size, &refusal);
    if (rc == CII_BAD_INPUT)
        return cii_err_set (err, rc, "%s", refusal.text);
    if (rc != CII_OK)
        return cii_err_set (err, rc, "cannot pack the %s", kind->name);
    rc = agent_store_outbox_add_frame (self, kind->name, ref_id, message_id, data, size, cii_util_now_ms (), err);
    free (data);
    return rc;
}

cii_rc_t
agent_store_outbox_add_frame (agent_store_t *self, const char *kind, int64_t ref_id, const char *message_id,
                              const uint8_t *data, size_t size, int64_t created_at_ms, cii_err_t *err)
{
    assert (self && kind && message_id && data);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO outbox (message_id, kind, ref_id, body, created_at)"
                                                    " VALUES (?1, ?2, ?3, ?4, ?5)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, ref_id);
    sqlite3_bind_blob (stmt, 4, data, (int) size, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, created_at_ms);
    return agent_store_run (self, stmt, "insert outbox", err);   //  autocommit, or the caller's
}

cii_rc_t
agent_store_outbox_add_after (agent_store_t *self, const cii_kind_t *kind, const ProtobufCMessage *item,
                              int64_t ref_id, const char *message_id, const char *const *after, size_t n_after,
                              cii_err_t *err)
{
    assert (self && (n_after == 0 || after));
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    rc = agent_store_outbox_add (self, kind, item, ref_id, message_id, err);
    for (size_t i = 0; i < n_after && rc == CII_OK; i++) {
        sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT OR IGNORE INTO outbox_after (message_id, after)"
                                                        " VALUES (?1, ?2)", err);
        if (!stmt) {
            rc = CII_FAILED;
            break;
        }
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, after [i] ? after [i] : "", -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "insert outbox_after", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

cii_rc_t
agent_store_outbox_held (agent_store_t *self, int64_t *count_p, cii_err_t *err)
{
    assert (self && count_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT count(*) FROM outbox o WHERE EXISTS (SELECT 1"
                                                    " FROM outbox_after a JOIN outbox w ON w.message_id = a.after"
                                                    " WHERE a.message_id = o.message_id)", err);
    return stmt ? agent_store_int (self, stmt, "outbox held", count_p, err) : CII_FAILED;
}

typedef struct {
    agent_outbox_item_t *items;
    size_t count;
    size_t limit;
    bool no_memory;
} s_due_t;

//  Copies one due row, so the read ends before the caller's callbacks run.
static bool
s_due_row (sqlite3_stmt *row, void *arg)
{
    s_due_t *due = arg;
    const void *blob = sqlite3_column_blob (row, 3);
    int size = sqlite3_column_bytes (row, 3);
    if (!blob || size <= 0)
        return true;                //  never written so; skip rather than send an empty frame
    uint8_t *copy = malloc ((size_t) size);
    if (!copy) {
        due->no_memory = true;
        return false;
    }
    memcpy (copy, blob, (size_t) size);
    agent_outbox_item_t *item = &due->items [due->count++];
    item->id = sqlite3_column_int64 (row, 0);
    agent_store_copy (item->message_id, sizeof item->message_id, agent_store_text (row, 1));
    agent_store_copy (item->kind, sizeof item->kind, agent_store_text (row, 2));
    item->data = copy;
    item->size = (size_t) size;
    item->attempts = sqlite3_column_int (row, 4);
    item->ref_id = sqlite3_column_int64 (row, 5);
    return due->count < due->limit;
}

cii_rc_t
agent_store_outbox_due (agent_store_t *self, int64_t now_ms, size_t limit, agent_outbox_fn *fn, void *arg,
                        size_t *visited_p, cii_err_t *err)
{
    assert (self && fn);
    if (visited_p)
        *visited_p = 0;
    if (limit == 0)
        return CII_OK;
    if (limit > AGENT_OUTBOX_DUE_MAX)
        limit = AGENT_OUTBOX_DUE_MAX;
    s_due_t due = { .items = calloc (limit, sizeof (agent_outbox_item_t)), .limit = limit };
    if (!due.items)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    //  An entry waits while one it is held by is still here (outbox_after)
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id, message_id, kind, body, attempts, ref_id FROM outbox o"
                                                    " WHERE next_attempt_ms <= ?1 AND NOT EXISTS (SELECT 1"
                                                    " FROM outbox_after a JOIN outbox w ON w.message_id = a.after"
                                                    " WHERE a.message_id = o.message_id) ORDER BY id LIMIT ?2", err);
    cii_rc_t rc = CII_FAILED;
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, now_ms);
        sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) limit);
        rc = agent_store_rows (self, stmt, "outbox due", s_due_row, &due, NULL, err);
    }
    if (rc == CII_OK && due.no_memory)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    size_t visited = 0;
    for (size_t i = 0; rc == CII_OK && i < due.count; i++) {
        visited++;
        if (!fn (&due.items [i], arg))
            break;
    }
    for (size_t i = 0; i < due.count; i++)
        free ((void *) due.items [i].data);
    free (due.items);
    if (visited_p)
        *visited_p = visited;
    return rc;
}

cii_rc_t
agent_store_outbox_sent (agent_store_t *self, const int64_t *ids, const int64_t *next_ms, size_t count, cii_err_t *err)
{
    assert (self && (count == 0 || (ids && next_ms)));
    if (count == 0)
        return CII_OK;
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    int64_t now = cii_util_now_ms ();
    for (size_t i = 0; i < count && rc == CII_OK; i++) {
        sqlite3_stmt *stmt = agent_store_prepare (self, "UPDATE outbox SET attempts = attempts + 1,"
                                                        " next_attempt_ms = ?2, last_sent_ms = ?3 WHERE id = ?1", err);
        if (!stmt) {
            rc = CII_FAILED;
            break;
        }
        sqlite3_bind_int64 (stmt, 1, ids [i]);
        sqlite3_bind_int64 (stmt, 2, next_ms [i]);
        sqlite3_bind_int64 (stmt, 3, now);
        rc = agent_store_run (self, stmt, "outbox sent", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

cii_rc_t
agent_store_outbox_reset (agent_store_t *self, cii_err_t *err)
{
    assert (self);
    sqlite3_stmt *stmt = agent_store_prepare (self, "UPDATE outbox SET next_attempt_ms = 0", err);
    return stmt ? agent_store_run (self, stmt, "outbox reset", err) : CII_FAILED;
}

cii_rc_t
agent_store_outbox_count (agent_store_t *self, int64_t *count_p, cii_err_t *err)
{
    assert (self && count_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT count(*) FROM outbox", err);
    return stmt ? agent_store_int (self, stmt, "outbox count", count_p, err) : CII_FAILED;
}

typedef struct {
    char kind [32];
    int64_t ref_id;
} s_entry_t;

static bool
s_entry_row (sqlite3_stmt *row, void *arg)
{
    s_entry_t *entry = arg;
    agent_store_copy (entry->kind, sizeof entry->kind, agent_store_text (row, 0));
    entry->ref_id = sqlite3_column_int64 (row, 1);
    return false;
}

cii_rc_t
agent_store_outbox_settle (agent_store_t *self, const char *message_id, agent_outbox_settle_fn *fn, void *arg,
                           cii_err_t *err)
{
    assert (self && message_id && fn);
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    s_entry_t entry = { "", 0 };
    size_t found = 0;
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT kind, ref_id FROM outbox WHERE message_id = ?1", err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
        rc = agent_store_rows (self, stmt, "outbox lookup", s_entry_row, &entry, &found, err);
    }
    if (rc == CII_OK && found == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "no outbox entry %s", message_id);
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "DELETE FROM outbox WHERE message_id = ?1", err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "outbox delete", err);
    }
    if (rc == CII_OK) {             //  what it waited for, if anything, is of no use now
        stmt = agent_store_prepare (self, "DELETE FROM outbox_after WHERE message_id = ?1", err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "outbox_after delete", err);
    }
    if (rc == CII_OK)
        rc = fn (self, entry.kind, entry.ref_id, arg, err);
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}
