/*  agent_store_inbox.c — the durable inbox of downward items of any kind, per stream epoch (see
    agent_store_inbox.h). */
#include "agent_store_inbox.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cii_codec.h"
#include "cii_util.h"

//  The current stream (the last row of `streams`): its id, epoch and position.
typedef struct {
    int64_t id;
    uint64_t epoch;
    int64_t seq;
} s_stream_t;

static bool
s_stream_row (sqlite3_stmt *row, void *arg)
{
    s_stream_t *stream = arg;
    stream->id = sqlite3_column_int64 (row, 0);
    stream->epoch = (uint64_t) sqlite3_column_int64 (row, 1);
    stream->seq = sqlite3_column_int64 (row, 2);
    return false;
}

static cii_rc_t
s_current (agent_store_t *self, s_stream_t *stream, cii_err_t *err)
{
    *stream = (s_stream_t) { 0 };
    sqlite3_stmt *stmt = agent_store_prepare (self,
        "SELECT s.id, s.epoch, max (s.resume_seq, coalesce ((SELECT max (seq) FROM inbox WHERE stream = s.id), 0)) "
        "FROM streams s ORDER BY s.id DESC LIMIT 1", err);
    if (!stmt)
        return CII_FAILED;
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "stream", s_stream_row, stream, &count, err);
    if (rc == CII_OK && count == 0)
        return cii_err_set (err, CII_FAILED, "the inbox has no stream");
    return rc;
}

cii_rc_t
agent_store_inbox_last_seq (agent_store_t *self, int64_t *seq_p, cii_err_t *err)
{
    assert (self && seq_p);
    s_stream_t stream;
    cii_rc_t rc = s_current (self, &stream, err);
    if (rc == CII_OK)
        *seq_p = stream.seq;
    return rc;
}

cii_rc_t
agent_store_inbox_position (agent_store_t *self, uint64_t *epoch_p, int64_t *seq_p, cii_err_t *err)
{
    assert (self && epoch_p && seq_p);
    s_stream_t stream;
    cii_rc_t rc = s_current (self, &stream, err);
    if (rc == CII_OK) {
        *epoch_p = stream.epoch;
        *seq_p = stream.seq;
    }
    return rc;
}

cii_rc_t
agent_store_inbox_enter (agent_store_t *self, uint64_t epoch, uint64_t resume_seq, bool *entered_p, cii_err_t *err)
{
    assert (self);
    if (entered_p)
        *entered_p = false;
    if (resume_seq > INT64_MAX)
        return cii_err_set (err, CII_BAD_INPUT, "resume seq %" PRIu64 " out of range", resume_seq);
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    s_stream_t stream;
    rc = s_current (self, &stream, err);
    if (rc == CII_OK && stream.epoch == epoch) {
        agent_store_rollback (self);          //  nothing to write
        return CII_OK;
    }
    sqlite3_stmt *stmt = NULL;
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "INSERT INTO streams (epoch, resume_seq, started_at) VALUES (?1, ?2, ?3)",
                                    err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, (int64_t) epoch);
        sqlite3_bind_int64 (stmt, 2, (int64_t) resume_seq);
        sqlite3_bind_int64 (stmt, 3, cii_util_now_ms ());
        rc = agent_store_run (self, stmt, "enter stream", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    rc = agent_store_commit (self, err);
    if (rc == CII_OK && entered_p)
        *entered_p = true;
    return rc;
}

cii_rc_t
agent_store_inbox_item_id (agent_store_t *self, int64_t seq, int64_t *id_p, cii_err_t *err)
{
    assert (self && id_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id FROM inbox WHERE seq = ?1 "
                                                    "AND stream = (SELECT max (id) FROM streams)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, seq);
    return agent_store_int (self, stmt, "inbox item", id_p, err);
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
    //  Where seq stands against the position, read under the write lock
    s_stream_t stream;
    rc = s_current (self, &stream, err);
    int64_t at = (int64_t) seq;
    agent_inbox_outcome_t outcome = at <= stream.seq ? AGENT_INBOX_DUPLICATE
                                  : at > stream.seq + 1 ? AGENT_INBOX_GAP : AGENT_INBOX_STORED;
    if (rc == CII_OK && outcome != AGENT_INBOX_STORED) {
        agent_store_rollback (self);          //  nothing to write
        free (body);
        *outcome_p = outcome;
        return CII_OK;
    }
    sqlite3_stmt *stmt = NULL;
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "INSERT INTO inbox (stream, seq, kind, body, received_at)"
                                          " VALUES (?1, ?2, ?3, ?4, ?5)", err);
        rc = stmt ? CII_OK : CII_FAILED;
    }
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, stream.id);
        sqlite3_bind_int64 (stmt, 2, at);
        sqlite3_bind_text (stmt, 3, kind->name, -1, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 4, body, (int) size, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 5, cii_util_now_ms ());
        rc = agent_store_run (self, stmt, "insert inbox", err);
    }
    if (rc == CII_OK && fn)
        rc = fn (self, at, item, arg, err);
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
        .epoch = (uint64_t) sqlite3_column_int64 (row, 1),
        .kind = agent_store_text (row, 2),
        .body = sqlite3_column_blob (row, 3),
        .size = (size_t) sqlite3_column_bytes (row, 3),
        .received_at_ms = sqlite3_column_int64 (row, 4),
    };
    return each->fn (&item, each->arg);
}

cii_rc_t
agent_store_inbox_each (agent_store_t *self, const char *kind, agent_inbox_item_fn *fn, void *arg, size_t *count_p,
                        cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT i.seq, s.epoch, i.kind, i.body, i.received_at"
                                                    " FROM inbox i JOIN streams s ON s.id = i.stream"
                                                    " WHERE ?1 IS NULL OR i.kind = ?1 ORDER BY i.id", err);
    if (!stmt)
        return CII_FAILED;
    if (kind)
        sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "inbox", s_item_row, &each, count_p, err);
}
