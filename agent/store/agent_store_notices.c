/*  agent_store_notices.c — the bureau's notices held by the agent (see agent_store_notices.h). */
#include "agent_store_notices.h"
#include "agent_store_inbox.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cii_util.h"

//  Joins the network names with ',' into a new *out_p; CII_BAD_INPUT for a name holding a ','.
static cii_rc_t
s_join (const cii_notice_t *notice, char **out_p, cii_err_t *err)
{
    size_t cap = 1;
    for (size_t i = 0; i < notice->n_networks; i++) {
        if (!notice->networks [i] || strchr (notice->networks [i], ','))
            return cii_err_set (err, CII_BAD_INPUT, "notice.networks[%zu]: not a network name", i);
        cap += strlen (notice->networks [i]) + 1;
    }
    char *out = malloc (cap);
    if (!out)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    size_t len = 0;
    out [0] = '\0';
    for (size_t i = 0; i < notice->n_networks; i++)
        len += (size_t) snprintf (out + len, cap - len, "%s%s", i ? "," : "", notice->networks [i]);
    *out_p = out;
    return CII_OK;
}

cii_rc_t
agent_store_notice_add (agent_store_t *self, int64_t seq, const cii_notice_t *notice, cii_err_t *err)
{
    assert (self && notice);
    char *networks = NULL;
    cii_rc_t rc = s_join (notice, &networks, err);
    int64_t item_id = 0;
    if (rc == CII_OK)
        rc = agent_store_inbox_item_id (self, seq, &item_id, err);
    if (rc != CII_OK) {
        free (networks);
        return rc;
    }
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO notices (inbox_id, seq, notice_id, title, text,"
                                                    " networks, issued_at, received_at)"
                                                    " VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
    rc = CII_FAILED;
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, seq);
        sqlite3_bind_int64 (stmt, 8, item_id);
        sqlite3_bind_int64 (stmt, 2, notice->id);
        sqlite3_bind_text (stmt, 3, notice->title ? notice->title : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 4, notice->text ? notice->text : "", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 5, networks, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 6, notice->issued_at_ms);
        sqlite3_bind_int64 (stmt, 7, cii_util_now_ms ());
        rc = agent_store_run (self, stmt, "insert notice", err);
    }
    free (networks);
    return rc;
}

typedef struct {
    agent_notice_fn *fn;
    void *arg;
} s_each_t;

static bool
s_notice_row (sqlite3_stmt *row, void *arg)
{
    s_each_t *each = arg;
    agent_notice_row_t notice = {
        .seq = sqlite3_column_int64 (row, 0),
        .notice_id = sqlite3_column_int64 (row, 1),
        .title = agent_store_text (row, 2),
        .text = agent_store_text (row, 3),
        .networks = agent_store_text (row, 4),
        .issued_at_ms = sqlite3_column_int64 (row, 5),
        .received_at_ms = sqlite3_column_int64 (row, 6),
    };
    return each->fn (&notice, each->arg);
}

cii_rc_t
agent_store_notices_each (agent_store_t *self, agent_notice_fn *fn, void *arg, size_t *count_p, cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT seq, notice_id, title, text, networks, issued_at,"
                                                    " received_at FROM notices ORDER BY inbox_id", err);
    if (!stmt)
        return CII_FAILED;
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "notices", s_notice_row, &each, count_p, err);
}
