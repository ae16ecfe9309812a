/*  agent_store_requests.c — the coordinator's requests and what the hub said about them (see
    agent_store_requests.h). */
#include "agent_store_requests.h"

#include <assert.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_util.h"

//  Binds text (NULL as SQL NULL when nullable, else as "").
static void
s_bind_text (sqlite3_stmt *stmt, int index, const char *text, bool nullable)
{
    if (!text && nullable)
        sqlite3_bind_null (stmt, index);
    else
        sqlite3_bind_text (stmt, index, text ? text : "", -1, SQLITE_STATIC);
}

//  Binds ms, 0 as SQL NULL (never happened).
static void
s_bind_time (sqlite3_stmt *stmt, int index, int64_t ms)
{
    if (ms > 0)
        sqlite3_bind_int64 (stmt, index, ms);
    else
        sqlite3_bind_null (stmt, index);
}

//  The columns ?1..?24 of a request, in the order of both INSERT and UPDATE.
static void
s_bind_row (sqlite3_stmt *stmt, const agent_request_row_t *row)
{
    s_bind_text (stmt, 1, row->state, false);
    s_bind_text (stmt, 2, row->origin ? row->origin : "agent", false);
    s_bind_text (stmt, 3, row->title, false);
    s_bind_text (stmt, 4, row->summary, false);
    s_bind_text (stmt, 5, row->assessment, false);
    s_bind_text (stmt, 6, row->language, false);
    s_bind_text (stmt, 7, row->objectives, false);
    s_bind_text (stmt, 8, row->priorities, false);
    s_bind_text (stmt, 9, row->support, false);
    s_bind_text (stmt, 10, row->institutions, false);
    s_bind_text (stmt, 11, row->target_groups, false);
    s_bind_text (stmt, 12, row->cantons, false);
    s_bind_text (stmt, 13, row->national_reason, false);
    sqlite3_bind_int64 (stmt, 14, row->created_at_ms);
    sqlite3_bind_int64 (stmt, 15, row->updated_at_ms);
    s_bind_text (stmt, 16, row->message_id, true);
    s_bind_time (stmt, 17, row->forwarded_at_ms);
    s_bind_text (stmt, 18, row->hub_ref, true);
    s_bind_time (stmt, 19, row->hub_received_at_ms);
    if (row->refused)
        sqlite3_bind_int (stmt, 20, row->refused_code);
    else
        sqlite3_bind_null (stmt, 20);
    s_bind_text (stmt, 21, row->refused ? row->refused_text : NULL, true);
    s_bind_time (stmt, 22, row->refused ? row->refused_at_ms : 0);
    s_bind_text (stmt, 23, row->theme, false);
}

cii_rc_t
agent_store_request_insert (agent_store_t *self, const agent_request_row_t *row, int64_t *id_p, cii_err_t *err)
{
    assert (self && row && id_p);
    sqlite3_stmt *stmt = agent_store_prepare (self,
        "INSERT INTO requests (state, origin, title, summary, assessment, language, objectives, priorities,"
        " support, institutions, target_groups, cantons, national_reason, created_at, updated_at, message_id,"
        " forwarded_at, hub_ref, hub_received_at, refused_code, refused_text, refused_at, theme)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
        " ?22, ?23)", err);
    if (!stmt)
        return CII_FAILED;
    s_bind_row (stmt, row);
    cii_rc_t rc = agent_store_run (self, stmt, "insert request", err);
    if (rc == CII_OK)
        *id_p = agent_store_last_rowid (self);
    return rc;
}

cii_rc_t
agent_store_request_update (agent_store_t *self, const agent_request_row_t *row, cii_err_t *err)
{
    assert (self && row);
    sqlite3_stmt *stmt = agent_store_prepare (self,
        "UPDATE requests SET state = ?1, origin = ?2, title = ?3, summary = ?4, assessment = ?5, language = ?6,"
        " objectives = ?7, priorities = ?8, support = ?9, institutions = ?10, target_groups = ?11, cantons = ?12,"
        " national_reason = ?13, created_at = ?14, updated_at = ?15, message_id = ?16, forwarded_at = ?17,"
        " hub_ref = ?18, hub_received_at = ?19, refused_code = ?20, refused_text = ?21, refused_at = ?22,"
        " theme = ?23 WHERE id = ?24", err);
    if (!stmt)
        return CII_FAILED;
    s_bind_row (stmt, row);
    sqlite3_bind_int64 (stmt, 24, row->id);
    cii_rc_t rc = agent_store_run (self, stmt, "update request", err);
    if (rc == CII_OK && sqlite3_changes (agent_store_handle (self)) == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "no request %lld", (long long) row->id);
    return rc;
}

cii_rc_t
agent_store_request_signals_set (agent_store_t *self, int64_t id, const int64_t *signal_ids, size_t count,
                                 cii_err_t *err)
{
    assert (self && (count == 0 || signal_ids));
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    sqlite3_stmt *stmt = agent_store_prepare (self, "DELETE FROM request_signals WHERE request_id = ?1", err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, id);
        rc = agent_store_run (self, stmt, "delete request signals", err);
    }
    for (size_t i = 0; i < count && rc == CII_OK; i++) {
        stmt = agent_store_prepare (self, "INSERT INTO request_signals (request_id, signal_id, position)"
                                          " VALUES (?1, ?2, ?3)", err);
        if (!stmt) {
            rc = CII_FAILED;
            break;
        }
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_int64 (stmt, 2, signal_ids [i]);
        sqlite3_bind_int64 (stmt, 3, (int64_t) i);
        rc = agent_store_run (self, stmt, "insert request signal", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

//  The columns of a request row, read by s_request_row.
#define S_REQUEST_COLUMNS \
    "SELECT r.id, r.state, r.origin, r.title, r.summary, r.assessment, r.language, r.objectives, r.priorities," \
    " r.support, r.institutions, r.target_groups, r.cantons, r.national_reason, r.created_at, r.updated_at," \
    " r.message_id, r.forwarded_at, r.hub_ref, r.hub_received_at, r.refused_code, r.refused_text, r.refused_at," \
    " r.theme, (SELECT group_concat (signal_id) FROM (SELECT signal_id FROM request_signals" \
    " WHERE request_id = r.id ORDER BY position)) FROM requests r"

typedef struct {
    agent_request_fn *fn;
    void *arg;
} s_request_each_t;

static bool
s_request_row (sqlite3_stmt *row, void *arg)
{
    s_request_each_t *each = arg;
    bool refused = sqlite3_column_type (row, 20) != SQLITE_NULL;
    agent_request_row_t request = {
        .id = sqlite3_column_int64 (row, 0),
        .state = agent_store_text (row, 1),
        .origin = agent_store_text (row, 2),
        .title = agent_store_text (row, 3),
        .summary = agent_store_text (row, 4),
        .assessment = agent_store_text (row, 5),
        .language = agent_store_text (row, 6),
        .objectives = agent_store_text (row, 7),
        .priorities = agent_store_text (row, 8),
        .support = agent_store_text (row, 9),
        .institutions = agent_store_text (row, 10),
        .target_groups = agent_store_text (row, 11),
        .cantons = agent_store_text (row, 12),
        .national_reason = agent_store_text (row, 13),
        .created_at_ms = sqlite3_column_int64 (row, 14),
        .updated_at_ms = sqlite3_column_int64 (row, 15),
        .message_id = agent_store_text_or_null (row, 16),
        .forwarded_at_ms = sqlite3_column_int64 (row, 17),
        .hub_ref = agent_store_text_or_null (row, 18),
        .hub_received_at_ms = sqlite3_column_int64 (row, 19),
        .refused = refused,
        .refused_code = sqlite3_column_int (row, 20),
        .refused_name = refused ? cii_codec_error_name ((Cii__ErrorCode) sqlite3_column_int (row, 20)) : NULL,
        .refused_text = refused ? agent_store_text (row, 21) : NULL,
        .refused_at_ms = sqlite3_column_int64 (row, 22),
        .theme = agent_store_text (row, 23),
        .signals = agent_store_text (row, 24),
    };
    return each->fn (&request, each->arg);
}

cii_rc_t
agent_store_request_get (agent_store_t *self, int64_t id, agent_request_fn *fn, void *arg, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, S_REQUEST_COLUMNS " WHERE r.id = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_request_each_t each = { fn, arg };
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "request", s_request_row, &each, &count, err);
    if (rc == CII_OK && count == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "no request %lld", (long long) id);
    return rc;
}

cii_rc_t
agent_store_request_find (agent_store_t *self, const char *message_id, const char *ref, int64_t *id_p, cii_err_t *err)
{
    assert (self && id_p);
    cii_rc_t rc = cii_err_set (err, CII_NOT_FOUND, "no such request");
    if (message_id) {
        sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id FROM requests WHERE message_id = ?1", err);
        if (!stmt)
            return CII_FAILED;
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
        rc = agent_store_int (self, stmt, "request by message id", id_p, err);
    }
    if (rc == CII_NOT_FOUND && ref) {
        sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id FROM requests WHERE hub_ref = ?1 ORDER BY id"
                                                        " LIMIT 1", err);
        if (!stmt)
            return CII_FAILED;
        sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_STATIC);
        rc = agent_store_int (self, stmt, "request by reference", id_p, err);
    }
    return rc;
}

cii_rc_t
agent_store_requests_each (agent_store_t *self, const agent_request_filter_t *filter, agent_request_fn *fn, void *arg,
                           size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, S_REQUEST_COLUMNS
        " WHERE (?1 IS NULL OR r.state = ?1)"
        " AND (?2 IS NULL OR instr (',' || r.cantons || ',', ',' || ?2 || ',') > 0)"
        " AND (?3 = 0 OR EXISTS (SELECT 1 FROM request_signals s WHERE s.request_id = r.id AND s.signal_id = ?3))"
        " ORDER BY r.id", err);
    if (!stmt)
        return CII_FAILED;
    if (filter && filter->state)
        sqlite3_bind_text (stmt, 1, filter->state, -1, SQLITE_STATIC);
    if (filter && filter->canton)
        sqlite3_bind_text (stmt, 2, filter->canton, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, filter ? filter->signal_id : 0);
    s_request_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "requests", s_request_row, &each, count_p, err);
}

//  --------------------------------------------------------------------------------------------
//  Lineage

cii_rc_t
agent_store_request_lineage_add (agent_store_t *self, int64_t id, const char *relation, int64_t other_id,
                                 int64_t at_ms, cii_err_t *err)
{
    assert (self && relation);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO request_lineage (request_id, relation, other_id, at)"
                                                    " VALUES (?1, ?2, ?3, ?4)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, relation, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, other_id);
    sqlite3_bind_int64 (stmt, 4, at_ms);
    return agent_store_run (self, stmt, "insert lineage", err);
}

typedef struct {
    agent_lineage_fn *fn;
    void *arg;
} s_lineage_each_t;

static bool
s_lineage_row (sqlite3_stmt *row, void *arg)
{
    s_lineage_each_t *each = arg;
    agent_lineage_row_t lineage = {
        .relation = agent_store_text (row, 0),
        .other_id = sqlite3_column_int64 (row, 1),
        .other_title = agent_store_text (row, 2),
        .other_ref = agent_store_text_or_null (row, 3),
        .at_ms = sqlite3_column_int64 (row, 4),
    };
    return each->fn (&lineage, each->arg);
}

cii_rc_t
agent_store_request_lineage_each (agent_store_t *self, int64_t id, agent_lineage_fn *fn, void *arg, size_t *count_p,
                                  cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT l.relation, l.other_id, o.title, o.hub_ref, l.at"
                                                    " FROM request_lineage l JOIN requests o ON o.id = l.other_id"
                                                    " WHERE l.request_id = ?1 ORDER BY l.id", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_lineage_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "lineage", s_lineage_row, &each, count_p, err);
}

//  --------------------------------------------------------------------------------------------
//  Withdrawals

cii_rc_t
agent_store_withdrawal_add (agent_store_t *self, int64_t request_id, const char *message_id, const char *reason,
                            int64_t *id_p, cii_err_t *err)
{
    assert (self && message_id && id_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO request_withdrawals (request_id, message_id, reason,"
                                                    " created_at) VALUES (?1, ?2, ?3, ?4)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, request_id);
    sqlite3_bind_text (stmt, 2, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, cii_util_now_ms ());
    cii_rc_t rc = agent_store_run (self, stmt, "insert withdrawal", err);
    if (rc == CII_OK)
        *id_p = agent_store_last_rowid (self);
    return rc;
}

cii_rc_t
agent_store_withdrawal_delivered (agent_store_t *self, int64_t id, int64_t hub_received_at_ms, cii_err_t *err)
{
    //  A WITHDRAW's receipt carries no reference of its own: ?2 stays unused
    return agent_store_mark_delivered (self, "UPDATE request_withdrawals SET hub_received_at = ?3, delivered_at = ?4"
                                             " WHERE id = ?1",
                                       id, NULL, hub_received_at_ms, "withdrawal delivered", err);
}

cii_rc_t
agent_store_withdrawal_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err)
{
    return agent_store_mark_refused (self, "UPDATE request_withdrawals SET refused_code = ?2, refused_text = ?3"
                                           " WHERE id = ?1",
                                     id, code, text, "withdrawal refused", err);
}

typedef struct {
    agent_withdrawal_fn *fn;
    void *arg;
} s_withdrawal_each_t;

static bool
s_withdrawal_row (sqlite3_stmt *row, void *arg)
{
    s_withdrawal_each_t *each = arg;
    bool refused = sqlite3_column_type (row, 7) != SQLITE_NULL;
    agent_withdrawal_row_t withdrawal = {
        .id = sqlite3_column_int64 (row, 0),
        .request_id = sqlite3_column_int64 (row, 1),
        .message_id = agent_store_text (row, 2),
        .reason = agent_store_text (row, 3),
        .created_at_ms = sqlite3_column_int64 (row, 4),
        .delivered_at_ms = sqlite3_column_int64 (row, 5),
        .hub_received_at_ms = sqlite3_column_int64 (row, 6),
        .refused = refused,
        .refused_code = sqlite3_column_int (row, 7),
        .refused_name = refused ? cii_codec_error_name ((Cii__ErrorCode) sqlite3_column_int (row, 7)) : NULL,
        .refused_text = refused ? agent_store_text (row, 8) : NULL,
    };
    return each->fn (&withdrawal, each->arg);
}

cii_rc_t
agent_store_withdrawals_each (agent_store_t *self, int64_t request_id, agent_withdrawal_fn *fn, void *arg,
                              size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id, request_id, message_id, reason, created_at,"
                                                    " delivered_at, hub_received_at, refused_code, refused_text"
                                                    " FROM request_withdrawals WHERE request_id = ?1 ORDER BY id", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, request_id);
    s_withdrawal_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "withdrawals", s_withdrawal_row, &each, count_p, err);
}

//  --------------------------------------------------------------------------------------------
//  History and criteria

cii_rc_t
agent_store_request_history_add (agent_store_t *self, int64_t request_id, int64_t inbox_id, const cii_status_t *status,
                                 cii_err_t *err)
{
    assert (self && status);
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO request_history (inbox_id, request_id, ref, state,"
                                                    " organ, at, note, theme, received_at, meeting)"
                                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, inbox_id);
    sqlite3_bind_int64 (stmt, 2, request_id);
    s_bind_text (stmt, 3, status->ref, false);
    s_bind_text (stmt, 4, status->state, false);
    s_bind_text (stmt, 5, status->organ, false);
    sqlite3_bind_int64 (stmt, 6, status->at_ms);
    s_bind_text (stmt, 7, status->note, false);
    s_bind_text (stmt, 8, status->theme, false);
    sqlite3_bind_int64 (stmt, 9, cii_util_now_ms ());
    s_bind_text (stmt, 10, status->meeting, false);
    return agent_store_run (self, stmt, "insert history", err);
}

cii_rc_t
agent_store_request_criteria_set (agent_store_t *self, int64_t request_id, int64_t inbox_id,
                                  const cii_criterion_t *criteria, size_t count, cii_err_t *err)
{
    assert (self && (count == 0 || criteria));
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    sqlite3_stmt *stmt = agent_store_prepare (self, "DELETE FROM request_criteria WHERE request_id = ?1", err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_int64 (stmt, 1, request_id);
        rc = agent_store_run (self, stmt, "delete criteria", err);
    }
    for (size_t i = 0; i < count && rc == CII_OK; i++) {
        //  The same id twice in one STATUS: the last one counts
        stmt = agent_store_prepare (self, "INSERT OR REPLACE INTO request_criteria (request_id, id, position, met,"
                                          " reason, inbox_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
        if (!stmt) {
            rc = CII_FAILED;
            break;
        }
        sqlite3_bind_int64 (stmt, 1, request_id);
        s_bind_text (stmt, 2, criteria [i].id, false);
        sqlite3_bind_int64 (stmt, 3, (int64_t) i);
        sqlite3_bind_int (stmt, 4, criteria [i].met ? 1 : 0);
        s_bind_text (stmt, 5, criteria [i].reason, false);
        sqlite3_bind_int64 (stmt, 6, inbox_id);
        rc = agent_store_run (self, stmt, "insert criterion", err);
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

typedef struct {
    agent_history_fn *fn;
    void *arg;
} s_history_each_t;

static bool
s_history_row (sqlite3_stmt *row, void *arg)
{
    s_history_each_t *each = arg;
    agent_history_row_t history = {
        .ref = agent_store_text (row, 0),
        .state = agent_store_text (row, 1),
        .organ = agent_store_text (row, 2),
        .at_ms = sqlite3_column_int64 (row, 3),
        .note = agent_store_text (row, 4),
        .theme = agent_store_text (row, 5),
        .received_at_ms = sqlite3_column_int64 (row, 6),
        .meeting = agent_store_text (row, 7),
    };
    return each->fn (&history, each->arg);
}

cii_rc_t
agent_store_request_history_each (agent_store_t *self, int64_t id, agent_history_fn *fn, void *arg, size_t *count_p,
                                  cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT ref, state, organ, at, note, theme, received_at,"
                                                    " meeting FROM request_history WHERE request_id = ?1 ORDER BY inbox_id",
                                              err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_history_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "history", s_history_row, &each, count_p, err);
}

typedef struct {
    agent_criterion_fn *fn;
    void *arg;
} s_criterion_each_t;

static bool
s_criterion_row (sqlite3_stmt *row, void *arg)
{
    s_criterion_each_t *each = arg;
    cii_criterion_t criterion = {
        .id = agent_store_text (row, 0),
        .met = sqlite3_column_int (row, 1) != 0,
        .reason = agent_store_text (row, 2),
    };
    return each->fn (&criterion, each->arg);
}

cii_rc_t
agent_store_request_criteria_each (agent_store_t *self, int64_t id, agent_criterion_fn *fn, void *arg,
                                   size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id, met, reason FROM request_criteria"
                                                    " WHERE request_id = ?1 ORDER BY position", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_criterion_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "criteria", s_criterion_row, &each, count_p, err);
}
