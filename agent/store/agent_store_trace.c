/*  agent_store_trace.c — the lineage with the other end's state (see agent_store_trace.h). */
#include "agent_store_trace.h"

#include <assert.h>

typedef struct {
    agent_trace_lineage_fn *fn;
    void *arg;
} s_each_t;

static bool
s_row (sqlite3_stmt *row, void *arg)
{
    s_each_t *each = arg;
    agent_trace_lineage_row_t lineage = {
        .lineage = {
            .relation = agent_store_text (row, 0),
            .other_id = sqlite3_column_int64 (row, 1),
            .other_title = agent_store_text (row, 2),
            .other_ref = sqlite3_column_type (row, 3) == SQLITE_NULL ? NULL : agent_store_text (row, 3),
            .at_ms = sqlite3_column_int64 (row, 4),
        },
        .other_state = agent_store_text (row, 5),
    };
    return each->fn (&lineage, each->arg);
}

cii_rc_t
agent_store_trace_lineage (agent_store_t *self, int64_t id, agent_trace_lineage_fn *fn, void *arg, size_t *count_p,
                           cii_err_t *err)
{
    assert (self && fn);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT l.relation, l.other_id, o.title, o.hub_ref, l.at, o.state"
                                                    " FROM request_lineage l JOIN requests o ON o.id = l.other_id"
                                                    " WHERE l.request_id = ?1 ORDER BY l.id", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    s_each_t each = { fn, arg };
    return agent_store_rows (self, stmt, "trace lineage", s_row, &each, count_p, err);
}
