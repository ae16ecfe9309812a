/*  agent_store_signals.c — the cantonal signals and their upward messages (see
    agent_store_signals.h). */
#include "agent_store_signals.h"

#include <assert.h>
#include <string.h>

#include "agent_store_outbox.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"

//  Comma list of the names of count enum values into buf (size: all names fit: the domain
//  bounds the counts). Unknown values are left out (the caller checked the signal).
static void
s_names (const int *values, size_t count, const char *(*name_of) (int), char *buf, size_t size)
{
    size_t len = 0;
    buf [0] = '\0';
    for (size_t i = 0; i < count && len < size; i++) {
        const char *name = name_of (values [i]);
        if (name)
            len += (size_t) snprintf (buf + len, size - len, "%s%s", len ? "," : "", name);
    }
}

//  Room for every institution name (or target-group name), commas included.
#define S_NAMES_MAX 160

cii_rc_t
agent_store_signal_add (agent_store_t *self, const cii_signal_t *signal, int64_t *id_p, char *message_id,
                        cii_err_t *err)
{
    assert (self && signal && id_p);
    int institutions [CII_MAX_INSTITUTIONS], groups [CII_MAX_TARGET_GROUPS];
    size_t n_institutions = signal->n_institutions < CII_MAX_INSTITUTIONS ? signal->n_institutions
                                                                          : CII_MAX_INSTITUTIONS;
    size_t n_groups = signal->n_target_groups < CII_MAX_TARGET_GROUPS ? signal->n_target_groups
                                                                       : CII_MAX_TARGET_GROUPS;
    for (size_t i = 0; i < n_institutions; i++)
        institutions [i] = (int) signal->institutions [i];
    for (size_t i = 0; i < n_groups; i++)
        groups [i] = (int) signal->target_groups [i];
    char institution_names [S_NAMES_MAX], group_names [S_NAMES_MAX];
    s_names (institutions, n_institutions, cii_domain_institution_name, institution_names, sizeof institution_names);
    s_names (groups, n_groups, cii_domain_target_group_name, group_names, sizeof group_names);

    char mid [AGENT_MESSAGE_ID_SIZE];
    cii_util_uuid (mid);
    cii_signal_t stored = *signal;
    if (stored.created_at_ms <= 0)
        stored.created_at_ms = cii_util_now_ms ();
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    sqlite3_stmt *stmt = agent_store_prepare (self,
        "INSERT INTO signals (message_id, canton, title, description, institutions, target_groups,"
        " national_reason, language, created_at) VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
    rc = stmt ? CII_OK : CII_FAILED;
    if (rc == CII_OK) {
        sqlite3_bind_text (stmt, 1, stored.canton, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, stored.title ? stored.title : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 3, stored.description ? stored.description : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 4, institution_names, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, group_names, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 6, stored.national_reason ? stored.national_reason : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 7, stored.language, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 8, stored.created_at_ms);
        sqlite3_bind_text (stmt, 9, mid, -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "insert signal", err);
    }
    int64_t id = agent_store_last_rowid (self);
    if (rc == CII_OK) {
        cii_wire_signal_t wire;
        cii_wire_signal_fill (&wire, &stored);
        rc = agent_store_outbox_add (self, cii_kind_find ("signal"), &wire.msg.base, id, mid, err);
    }
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
agent_store_signal_delivered (agent_store_t *self, int64_t id, const char *hub_ref, int64_t hub_received_at_ms,
                              cii_err_t *err)
{
    return agent_store_mark_delivered (self, "UPDATE signals SET hub_ref = ?2, hub_received_at = ?3,"
                                             " delivered_at = ?4 WHERE id = ?1",
                                       id, hub_ref, hub_received_at_ms, "signal delivered", err);
}

cii_rc_t
agent_store_signal_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err)
{
    return agent_store_mark_refused (self, "UPDATE signals SET refused_code = ?2, refused_text = ?3 WHERE id = ?1",
                                     id, code, text, "signal refused", err);
}

typedef struct {
    agent_signal_fn *fn;
    void *arg;
} s_each_t;

static bool
s_signal_row (sqlite3_stmt *row, void *arg)
{
    s_each_t *each = arg;
    bool delivered = sqlite3_column_type (row, 11) != SQLITE_NULL;
    bool refused = sqlite3_column_type (row, 13) != SQLITE_NULL;
    agent_signal_row_t signal = {
        .id = sqlite3_column_int64 (row, 0),
        .message_id = agent_store_text (row, 1),
        .canton = agent_store_text (row, 2),
        .title = agent_store_text (row, 3),
        .description = agent_store_text (row, 4),
        .institutions = agent_store_text (row, 5),
        .target_groups = agent_store_text (row, 6),
        .national_reason = agent_store_text (row, 7),
        .language = agent_store_text (row, 8),
        .created_at_ms = sqlite3_column_int64 (row, 9),
        .delivered_at_ms = sqlite3_column_int64 (row, 10),
        .hub_ref = delivered ? agent_store_text (row, 11) : NULL,
        .hub_received_at_ms = sqlite3_column_int64 (row, 12),
        .refused = refused,
        .refused_code = sqlite3_column_int (row, 13),
        .refused_name = refused ? cii_codec_error_name ((Cii__ErrorCode) sqlite3_column_int (row, 13)) : NULL,
        .refused_text = refused ? agent_store_text (row, 14) : NULL,
    };
    return each->fn (&signal, each->arg);
}

//  The columns s_signal_row reads, from signals s.
#define S_SIGNAL_COLUMNS \
    "SELECT s.id, s.message_id, s.canton, s.title, s.description, s.institutions, s.target_groups," \
    " s.national_reason, s.language, s.created_at, s.delivered_at, s.hub_ref, s.hub_received_at, s.refused_code," \
    " s.refused_text"

cii_rc_t
agent_store_signals_each (agent_store_t *self, agent_signal_fn *fn, void *arg, size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, S_SIGNAL_COLUMNS " FROM signals s ORDER BY s.id", err);
    if (!stmt)
        return CII_FAILED;
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "signals", s_signal_row, &each, count_p, err);
}

cii_rc_t
agent_store_signal_get (agent_store_t *self, int64_t id, agent_signal_fn *fn, void *arg, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, S_SIGNAL_COLUMNS " FROM signals s WHERE s.id = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_each_t each = { fn, arg };
    size_t count = 0;
    cii_rc_t rc = agent_store_rows (self, stmt, "signal", s_signal_row, &each, &count, err);
    if (rc == CII_OK && count == 0)
        rc = cii_err_set (err, CII_NOT_FOUND, "no signal %lld", (long long) id);
    return rc;
}

cii_rc_t
agent_store_signal_by_ref (agent_store_t *self, const char *hub_ref, int64_t *id_p, cii_err_t *err)
{
    assert (self && hub_ref && id_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT id FROM signals WHERE hub_ref = ?1 ORDER BY id LIMIT 1",
                                              err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, hub_ref, -1, SQLITE_STATIC);
    return agent_store_int (self, stmt, "signal by reference", id_p, err);
}

cii_rc_t
agent_store_signals_of_request (agent_store_t *self, int64_t request_id, agent_signal_fn *fn, void *arg,
                                size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, S_SIGNAL_COLUMNS " FROM request_signals r JOIN signals s"
                                                    " ON s.id = r.signal_id WHERE r.request_id = ?1"
                                                    " ORDER BY r.position", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, request_id);
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "signals of request", s_signal_row, &each, count_p, err);
}
