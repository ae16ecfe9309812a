/*  hub_trace.h — the lineage of a request, a theme, a signal or a recommendation, as `cii-hub
    trace` prints it: signals -> request(s) (with the lineage the agent sent: merged, split) ->
    theme -> each decision in order (state, organ, meeting, date, note) -> working group(s) /
    project(s). For a recommendation, backward the same lineage of the requests of its basis, and
    forward every version with its delivery to each network, each canton's push and report state,
    the report history, and the national requests opened from its monitoring. Read only; the SQL is
    in hub_store_trace and the stores of requests, themes, groups, programme. */
#ifndef HUB_TRACE_H_INCLUDED
#define HUB_TRACE_H_INCLUDED

#include <stdbool.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_programme.h"
#include "hub_store_requests.h"
#include "hub_store_trace.h"
#include "hub_store_wg.h"

/*  One decision of a traced request: its history row and the request's reference (borrowed
    during the callback). */
typedef bool (hub_trace_decision_fn) (const char *request, const hub_history_row_t *row, void *arg);

/*  What a trace is told. Every function may be NULL; returning false skips the rest of its kind.
    The order of the calls: the theme or the requests first (a theme's before its requests), then
    the signals, the decisions (request by request, each in order), the groups, the projects. */
typedef struct {
    hub_request_fn *request;            /* each traced request, by id */
    hub_theme_fn *theme;                /* the theme traced, or each theme of the traced requests */
    hub_trace_signal_fn *signal;        /* each signal of the traced requests, by id */
    hub_trace_decision_fn *decision;
    hub_wg_row_fn *wg;                  /* each working group of the traced requests, by id */
    hub_project_row_fn *project;        /* each project of the traced requests, by id */
    /*  A recommendation only, told first: */
    hub_trace_rec_fn *rec;              /* the recommendation (the traced requests are its basis) */
    /*  ... and after the projects: */
    hub_trace_version_fn *version;      /* each version, in order */
    hub_trace_delivery_fn *delivery;    /* each version's item per network (state: HUB_TRACE_*) */
    hub_trace_canton_fn *canton;        /* each canton, by code (push and state: the cell states) */
    hub_trace_report_fn *report;        /* each report, as received */
    hub_request_fn *followup;           /* each national request opened from its monitoring, by id */
} hub_trace_visitor_t;

/*  What a version's delivery to a network means (hub_trace_delivery_row_t.state): queued for the
    network's agent and acknowledged by it, queued and not yet acknowledged, or queued for no agent
    (none was enrolled when it was issued). */
#define HUB_TRACE_ACKNOWLEDGED "acknowledged"
#define HUB_TRACE_QUEUED       "queued"
#define HUB_TRACE_UNSENT       "unsent"

/*  A canton's push state and state in a recommendation's trace, as the monitoring matrix says them
    (hub_monitor.h): push "pushed" / "failed" (the latest PUSH of the current version), else
    "delivered" (the network's agent acknowledged the current version), "queued", "unsent";
    state the latest REPORT's, "none" when nothing was reported. Into row->push and row->state. */
void hub_trace_canton_states (hub_trace_canton_row_t *row);

/*  What kind of reference ref is: "request" (CII-...), "theme" (NT-...), "signal" (SIG-...),
    "recommendation" (REC-...), or NULL for none of them. */
const char *hub_trace_kind (const char *ref);

/*  Walks the lineage of ref (a request, a theme, or a signal: the requests that consolidate it;
    a signal in none has only itself; a recommendation: the requests of its basis, then its own
    parts). Refused: CII_BAD_INPUT "unknown reference X: a request (CII-YYYY-NNNN), a theme
    (NT-YYYY-NN), a signal (SIG-N) or a recommendation (REC-YYYY-NN)"; CII_NOT_FOUND "unknown
    request X", "unknown theme X", "unknown signal X", "unknown recommendation X" (X as
    hub_requests_ref_shown shows it). */
cii_rc_t hub_trace (hub_store_t *store, const char *ref, const hub_trace_visitor_t *visitor, void *arg,
                    cii_err_t *err);

#endif
