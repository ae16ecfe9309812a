/*  agent_trace.h — the lineage of one request from the network's side, as `cii-agent trace`
    prints it: its signals (local id, canton, hub reference, title), the request with its national
    reference and theme, where it came from and went (merged, split: the drafts at the other end
    and their states), and the whole history the hub sent down (state, organ, meeting, at, note)
    in the order received. Read only. */
#ifndef AGENT_TRACE_H_INCLUDED
#define AGENT_TRACE_H_INCLUDED

#include "agent_store.h"
#include "agent_store_reports.h"
#include "agent_store_requests.h"
#include "agent_store_signals.h"
#include "agent_store_trace.h"

/*  What a trace is told, in this order: the request (once), its signals in order, its lineage,
    its history. A function may be NULL; returning false skips the rest of its kind. */
typedef struct {
    agent_request_fn *request;
    agent_signal_fn *signal;
    agent_trace_lineage_fn *lineage;
    agent_history_fn *history;
} agent_trace_visitor_t;

/*  Walks the lineage of the request named by key (a local id, or a national reference in any
    case: agent_requests_resolve). CII_NOT_FOUND "no request 'x' in this agent". */
cii_rc_t agent_trace (agent_store_t *store, const char *key, const agent_trace_visitor_t *visitor, void *arg,
                      cii_err_t *err);

/*  --- a recommendation (issue 9) ------------------------------------------------------------- */

/*  True if key names a recommendation ("REC-2027-01", any case) rather than a request. */
bool agent_trace_is_rec (const char *key);

/*  What a recommendation's trace is told, in this order: every version received (oldest first),
    every push of every version (by version, canton: its state, adapter, attempts, detail), every
    report (oldest first: the cantons' history). A function may be NULL. */
typedef struct {
    agent_rec_fn *version;
    agent_push_fn *push;
    agent_report_fn *report;
} agent_trace_rec_visitor_t;

/*  Walks the network's side of recommendation key (any case). CII_BAD_INPUT for a malformed
    reference; CII_NOT_FOUND "no recommendation REC-2027-09 was received by this agent" when it
    has neither a version nor a report here. */
cii_rc_t agent_trace_recommendation (agent_store_t *store, const char *key, const agent_trace_rec_visitor_t *visitor,
                                     void *arg, cii_err_t *err);

#endif
