/*  agent_store_inbox.c — the durable inbox of downward items of any kind (see
    agent_store_inbox.h). */
#include "agent_store_inbox.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cii_codec.h"
#include "cii_util.h"

cii_rc_t
agent_store_inbox_last_seq (agent_store_t *self, int64_t *seq_p, cii_err_t *err)
{
    assert (self && seq_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT coalesce(max(seq), 0) FROM inbox", err);
    return stmt ? agent_store_int (self, stmt, "last seq", seq_p, err) : CII_FAILED;
}

//  Where seq stands against what is held, read under the write lock.
static cii_rc_t
s_in_order (agent_store_t *self, int64_t seq, agent_inbox_outcome_t *outcome_p, cii_err_t *err)
{
    int64_t last = 0;
    cii_rc_t rc = agent_store_inbox_last_seq (self, &last, err);
    if (rc == CII_OK)
        *outcome_p = seq <= last ? AGENT_INBOX_DUPLICATE : seq > last + 1 ? AGENT_INBOX_GAP : AGENT_INBOX_STORED;
    return rc;
}

cii_rc_t
agent_store_inbox_add (agent_store_t *self, uint64_t seq, const cii_kind_t *kind, const ProtobufCMessage *item,
                       agent_inbox_fn *fn, void *arg, agent_inbox_outcome_t *outcome_p, cii_err_t *err)
{
    assert (self && kind && item && outcome_p);
    *outcome_p = AGENT_INBOX_GAP;
    if (seq == 0 || seq > INT64_MAX)
        return cii_err_set (err, CII_BAD_INPUT, "seq %" PRIu64 " out of range", seq);
    uint8_t *body = NULL;
    size_t size = 0;
    cii_codec_error_t refusal;
    cii_rc_t rc = cii_codec_item_pack (kind, item, &body, &size, &refusal);
    if (rc != CII_OK)
        return rc == CII_BAD_INPUT ? cii_err_set (err, rc, "%s", refusal.text)
                                   : cii_err_set (err, rc, "cannot pack the %s", kind->name);
    rc = agent_store_begin (self, err);
    if (rc != CII_OK) {
        free (body);
        return rc;
    }
    agent_inbox_outcome_t outcome = AGENT_INBOX_GAP;
    rc = s_in_order (self, (int64_t) seq, &outcome, err);
    if (rc == CII_OK && outcome != AGENT_INBOX_STORED) {
        agent_store_rollback (self);          //  nothing to write
        free (body);
        *outcome_p = outcome;
        return CII_OK;
    }
    sqlite3_stmt *stmt = NULL;
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "INSERT INTO inbox (seq, kind, body, received_at) VALUES (?1, ?2, ?3, ?4)",
                                    err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, (int64_t) seq);
        sqlite3_bind_text (stmt, 2, kind->name, -1, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 3, body, (int) size, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 4, cii_util_now_ms ());
        rc = agent_store_run (self, stmt, "insert inbox", err);
    }
    if (rc == CII_OK && fn)
        rc = fn (self, (int64_t) seq, item, arg, err);
    free (body);
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    rc = agent_store_commit (self, err);
    if (rc == CII_OK)
        *outcome_p = AGENT_INBOX_STORED;
    return rc;
}

typedef struct {
    agent_inbox_item_fn *fn;
    void *arg;
} s_each_t;

static bool
s_item_row (sqlite3_stmt *row, void *arg)
{
    s_each_t *each = arg;
    agent_inbox_item_t item = {
        .seq = sqlite3_column_int64 (row, 0),
        .kind = agent_store_text (row, 1),
        .body = sqlite3_column_blob (row, 2),
        .size = (size_t) sqlite3_column_bytes (row, 2),
        .received_at_ms = sqlite3_column_int64 (row, 3),
    };
    return each->fn (&item, each->arg);
}

cii_rc_t
agent_store_inbox_each (agent_store_t *self, const char *kind, agent_inbox_item_fn *fn, void *arg, size_t *count_p,
                        cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT seq, kind, body, received_at FROM inbox"
                                                    " WHERE ?1 IS NULL OR kind = ?1 ORDER BY seq", err);
    if (!stmt)
        return CII_FAILED;
    if (kind)
        sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "inbox", s_item_row, &each, count_p, err);
}
