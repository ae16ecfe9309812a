/*  agent_trace.c — one request's lineage from the network's side (see agent_trace.h). */
#include "agent_trace.h"
#include "agent_requests.h"

#include <assert.h>

cii_rc_t
agent_trace (agent_store_t *store, const char *key, const agent_trace_visitor_t *visitor, void *arg, cii_err_t *err)
{
    assert (store && visitor);
    int64_t id = 0;
    cii_rc_t rc = agent_requests_resolve (store, key, &id, err);
    if (rc == CII_OK && visitor->request)
        rc = agent_requests_get (store, id, visitor->request, arg, err);
    if (rc == CII_OK && visitor->signal)
        rc = agent_requests_signals (store, id, visitor->signal, arg, err);
    if (rc == CII_OK && visitor->lineage)
        rc = agent_store_trace_lineage (store, id, visitor->lineage, arg, NULL, err);
    if (rc == CII_OK && visitor->history)
        rc = agent_requests_history (store, id, visitor->history, arg, err);
    return rc;
}
