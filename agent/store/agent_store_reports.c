/*  agent_store_reports.c — the cantons' implementation reports and the reads of the received
    recommendations and their pushes (see agent_store_reports.h). */
#include "agent_store_reports.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "agent_store_outbox.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"

cii_rc_t
agent_store_report_add (agent_store_t *self, const cii_report_t *report, const char *file_name,
                        const char *file_digest, int64_t *id_p, char *message_id, cii_err_t *err)
{
    assert (self && report && id_p);
    char mid [AGENT_MESSAGE_ID_SIZE];
    cii_util_uuid (mid);
    cii_report_t stored = *report;
    if (stored.at_ms <= 0)
        stored.at_ms = cii_util_now_ms ();
    uint8_t *data = NULL;
    size_t size = 0;
    cii_rc_t rc = cii_wire_report_envelope (&stored, mid, &data, &size, err);
    if (rc != CII_OK)
        return rc;
    rc = agent_store_begin (self, err);
    if (rc != CII_OK) {
        free (data);
        return rc;
    }
    sqlite3_stmt *stmt = agent_store_prepare (self,
        "INSERT INTO reports (ref, version, canton, state, note, source, file_name, file_digest, message_id,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, stored.ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, stored.version);
        sqlite3_bind_text (stmt, 3, stored.canton, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 4, stored.state, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, stored.note ? stored.note : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 6, stored.source && *stored.source ? stored.source : "cli", -1, SQLITE_STATIC);
        if (file_name)
            sqlite3_bind_text (stmt, 7, file_name, -1, SQLITE_STATIC);
        if (file_digest)
            sqlite3_bind_text (stmt, 8, file_digest, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 9, mid, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 10, stored.at_ms);
        rc = agent_store_run (self, stmt, "insert report", err);
        if (rc == CII_CONFLICT && file_digest)
            cii_err_set (err, rc, "report file %s of %s was imported already", file_name ? file_name : "?",
                         stored.canton);
    }
    int64_t id = agent_store_last_rowid (self);
    if (rc == CII_OK)    //  the REPORT as cii_wire_report_envelope packed it (the codec checked it there)
        rc = agent_store_outbox_add_frame (self, "report", id, mid, data, size, cii_util_now_ms (), err);
    free (data);
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    rc = agent_store_commit (self, err);
    if (rc == CII_OK) {
        *id_p = id;
        if (message_id)
            agent_store_copy (message_id, AGENT_MESSAGE_ID_SIZE, mid);
    }
    return rc;
}

cii_rc_t
agent_store_report_by_digest (agent_store_t *self, const char *canton, const char *digest, int64_t *id_p,
                              cii_err_t *err)
{
    assert (self && canton && digest && id_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id FROM reports WHERE canton = ?1 AND file_digest = ?2",
                                              err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, canton, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, digest, -1, SQLITE_STATIC);
    return agent_store_int (self, stmt, "report by digest", id_p, err);
}

cii_rc_t
agent_store_report_delivered (agent_store_t *self, int64_t id, const char *hub_ref, int64_t hub_received_at_ms,
                              cii_err_t *err)
{
    return agent_store_mark_delivered (self, "UPDATE reports SET hub_ref = ?2, hub_received_at = ?3,"
                                             " delivered_at = ?4 WHERE id = ?1",
                                       id, hub_ref, hub_received_at_ms, "report delivered", err);
}

cii_rc_t
agent_store_report_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err)
{
    return agent_store_mark_refused (self, "UPDATE reports SET refused_code = ?2, refused_text = ?3 WHERE id = ?1",
                                     id, code, text, "report refused", err);
}

//  --------------------------------------------------------------------------------------------
//  Reading reports

#define S_REPORT_COLUMNS "r.id, r.ref, r.version, r.canton, r.state, r.note, r.source, r.file_name, r.file_digest," \
                         " r.message_id, r.created_at, r.delivered_at, r.hub_ref, r.hub_received_at, r.refused_code," \
                         " r.refused_text"

typedef struct {
    agent_report_fn *fn;
    void *arg;
} s_report_each_t;

static bool
s_report_row (sqlite3_stmt *row, void *arg)
{
    s_report_each_t *each = arg;
    agent_report_row_t r = {
        .id = sqlite3_column_int64 (row, 0),
        .ref = agent_store_text (row, 1),
        .version = sqlite3_column_int64 (row, 2),
        .canton = agent_store_text (row, 3),
        .state = agent_store_text (row, 4),
        .note = agent_store_text (row, 5),
        .source = agent_store_text (row, 6),
        .file_name = agent_store_text_or_null (row, 7),
        .file_digest = agent_store_text_or_null (row, 8),
        .message_id = agent_store_text (row, 9),
        .created_at_ms = sqlite3_column_int64 (row, 10),
        .delivered_at_ms = sqlite3_column_int64 (row, 11),
        .hub_ref = agent_store_text_or_null (row, 12),
        .hub_received_at_ms = sqlite3_column_int64 (row, 13),
        .refused = sqlite3_column_type (row, 14) != SQLITE_NULL,
        .refused_code = sqlite3_column_int (row, 14),
        .refused_name = sqlite3_column_type (row, 14) != SQLITE_NULL
                        ? cii_codec_error_name ((Cii__ErrorCode) sqlite3_column_int (row, 14)) : NULL,
        .refused_text = agent_store_text_or_null (row, 15),
    };
    return each->fn (&r, each->arg);
}

cii_rc_t
agent_store_reports_each (agent_store_t *self, const char *ref, const char *canton, agent_report_fn *fn, void *arg,
                          size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_REPORT_COLUMNS " FROM reports r"
                                                    " WHERE (?1 IS NULL OR r.ref = ?1) AND (?2 IS NULL OR r.canton = ?2)"
                                                    " ORDER BY r.id", err);
    if (!stmt)
        return CII_FAILED;
    if (ref)
        sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    if (canton)
        sqlite3_bind_text (stmt, 2, canton, -1, SQLITE_STATIC);
    s_report_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "reports", s_report_row, &each, count_p, err);
}

cii_rc_t
agent_store_reports_latest (agent_store_t *self, const char *ref, agent_report_fn *fn, void *arg, cii_err_t *err)
{
    assert (self && ref && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_REPORT_COLUMNS " FROM reports r"
                                                    " WHERE r.ref = ?1 AND r.id = (SELECT max(l.id) FROM reports l"
                                                    " WHERE l.ref = r.ref AND l.canton = r.canton) ORDER BY r.canton",
                                              err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    s_report_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "latest reports", s_report_row, &each, NULL, err);
}

//  --------------------------------------------------------------------------------------------
//  Recommendations as received, their texts and pushes

#define S_REC_COLUMNS "r.ref, r.version, r.seq, r.adopted_on, r.report_by, r.basis, r.cantons, r.partners," \
                      " r.all_cantons, r.issued_at, r.note, r.received_at"

typedef struct {
    agent_rec_fn *fn;
    void *arg;
} s_rec_each_t;

static bool
s_rec_row (sqlite3_stmt *row, void *arg)
{
    s_rec_each_t *each = arg;
    agent_rec_row_t r = {
        .ref = agent_store_text (row, 0),
        .version = sqlite3_column_int64 (row, 1),
        .seq = sqlite3_column_int64 (row, 2),
        .adopted_on = agent_store_text (row, 3),
        .report_by = agent_store_text (row, 4),
        .basis = agent_store_text (row, 5),
        .cantons = agent_store_text (row, 6),
        .partners = agent_store_text (row, 7),
        .all_cantons = sqlite3_column_int (row, 8) != 0,
        .issued_at_ms = sqlite3_column_int64 (row, 9),
        .note = agent_store_text (row, 10),
        .received_at_ms = sqlite3_column_int64 (row, 11),
    };
    return each->fn (&r, each->arg);
}

cii_rc_t
agent_store_rec_latest (agent_store_t *self, const char *ref, agent_rec_fn *fn, void *arg, cii_err_t *err)
{
    assert (self && ref && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT " S_REC_COLUMNS " FROM recommendations r"
                                                    " WHERE r.ref = ?1 ORDER BY r.version DESC LIMIT 1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    s_rec_each_t each = { fn, arg };
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "recommendation", s_rec_row, &each, &count, err);
    if (rc == CII_OK && count == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "no recommendation %s was received by this agent", ref);
    return rc;
}

cii_rc_t
agent_store_rec_versions (agent_store_t *self, const char *ref, agent_rec_fn *fn, void *arg, size_t *count_p,
                          cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = ref
        ? agent_store_prepare (self, "SELECT " S_REC_COLUMNS " FROM recommendations r WHERE r.ref = ?1"
                                     " ORDER BY r.version", err)
        : agent_store_prepare (self, "SELECT " S_REC_COLUMNS " FROM recommendations r WHERE r.version ="
                                     " (SELECT max(l.version) FROM recommendations l WHERE l.ref = r.ref)"
                                     " ORDER BY r.ref", err);
    if (!stmt)
        return CII_FAILED;
    if (ref)
        sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    s_rec_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "recommendations", s_rec_row, &each, count_p, err);
}

typedef struct {
    agent_rec_text_fn *fn;
    void *arg;
} s_text_each_t;

static bool
s_text_row (sqlite3_stmt *row, void *arg)
{
    s_text_each_t *each = arg;
    return each->fn (agent_store_text (row, 0), agent_store_text (row, 1), agent_store_text (row, 2), each->arg);
}

cii_rc_t
agent_store_rec_texts (agent_store_t *self, const char *ref, int64_t version, agent_rec_text_fn *fn, void *arg,
                       cii_err_t *err)
{
    assert (self && ref && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT language, title, text FROM recommendation_texts"
                                                    " WHERE ref = ?1 AND version = ?2 ORDER BY language", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, version);
    s_text_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "recommendation texts", s_text_row, &each, NULL, err);
}

typedef struct {
    agent_push_fn *fn;
    void *arg;
} s_push_each_t;

static bool
s_push_row (sqlite3_stmt *row, void *arg)
{
    s_push_each_t *each = arg;
    agent_push_row_t p = {
        .id = sqlite3_column_int64 (row, 0),
        .ref = agent_store_text (row, 1),
        .version = sqlite3_column_int64 (row, 2),
        .canton = agent_store_text (row, 3),
        .idem_key = agent_store_text (row, 4),
        .state = agent_store_text (row, 5),
        .adapter = agent_store_text_or_null (row, 6),
        .attempts = sqlite3_column_int64 (row, 7),
        .last_error = agent_store_text_or_null (row, 8),
        .detail = agent_store_text_or_null (row, 9),
        .created_at_ms = sqlite3_column_int64 (row, 10),
        .done_at_ms = sqlite3_column_int64 (row, 11),
    };
    return each->fn (&p, each->arg);
}

cii_rc_t
agent_store_rec_pushes (agent_store_t *self, const char *ref, agent_push_fn *fn, void *arg, size_t *count_p,
                        cii_err_t *err)
{
    assert (self && ref && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id, ref, version, canton, idem_key, state, adapter,"
                                                    " attempts, last_error, detail, created_at, done_at FROM pushes"
                                                    " WHERE ref = ?1 ORDER BY version, canton", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
    s_push_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "pushes", s_push_row, &each, count_p, err);
}
