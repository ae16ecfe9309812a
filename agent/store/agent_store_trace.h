/*  agent_store_trace.h — the one read of the agent's lineage view (`cii-agent trace`,
    agent/service/agent_trace.c) the request store does not have: a request's lineage with the
    state of each request at the other end (a draft merged into one that went up, and what became
    of it). SQL only. */
#ifndef AGENT_STORE_TRACE_H_INCLUDED
#define AGENT_STORE_TRACE_H_INCLUDED

#include "agent_store.h"
#include "agent_store_requests.h"

/*  One lineage row with the other request's state. Strings borrowed during the callback. */
typedef struct {
    agent_lineage_row_t lineage;    /* relation, other id, title, reference (NULL: none), at */
    const char *other_state;        /* "draft", "merged", "forwarded", or the hub's */
} agent_trace_lineage_row_t;

typedef bool (agent_trace_lineage_fn) (const agent_trace_lineage_row_t *row, void *arg);

/*  Calls fn for the lineage of request id in the order it was recorded. */
cii_rc_t agent_store_trace_lineage (agent_store_t *self, int64_t id, agent_trace_lineage_fn *fn, void *arg,
                                    size_t *count_p, cii_err_t *err);

#endif
