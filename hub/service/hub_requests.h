/*  hub_requests.h — the bureau's view of the requests received at the gate: the listing with its
    filters (state, network, canton), and one request with its criteria and its history as `show`
    prints them. A reference may also name a national theme (hub_themes). Read only: every change
    is a transition (hub_flow). */
#ifndef HUB_REQUESTS_H_INCLUDED
#define HUB_REQUESTS_H_INCLUDED

#include <stdbool.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_requests.h"

/*  Calls fn for each request that passes filter (NULL fields: any; filter->ref and ->theme are
    ignored), in reference order. Refused: CII_BAD_INPUT "unknown state X (received, ...)",
    CII_NOT_FOUND "unknown network X", "unknown canton X". */
cii_rc_t hub_requests_list (hub_store_t *store, const hub_request_filter_t *filter, hub_request_fn *fn, void *arg,
                            cii_err_t *err);

/*  True if ref names a national theme ("NT-2027-03"), false for anything else (a request). */
bool hub_requests_is_theme (const char *ref);

/*  A reference as a user typed it, safe to show in a reason: as it is when it looks like one (1..31
    of [A-Z0-9-]), else its first bytes sanitised (cii_domain_sanitize) into buf. */
const char *hub_requests_ref_shown (const char *ref, char buf [12]);

/*  What `show` is told, in order: the request, each criterion (C1 first), each history row (oldest
    first). A function may be NULL; returning false skips the rest of its kind. */
typedef struct {
    hub_request_fn *request;
    hub_criterion_fn *criterion;
    hub_history_fn *history;
} hub_request_visitor_t;

/*  Walks request ref with visitor. CII_NOT_FOUND "unknown request REF". */
cii_rc_t hub_requests_show (hub_store_t *store, const char *ref, const hub_request_visitor_t *visitor, void *arg,
                            cii_err_t *err);

#endif
