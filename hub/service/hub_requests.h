/*  hub_requests.h — the bureau's view of the requests received at the gate: the listing with its
    filters (state, network, canton), and one request with its criteria and its history as `show`
    prints them. A reference may also name a national theme (hub_themes). Read only: every change
    is a transition (hub_flow). */
#ifndef HUB_REQUESTS_H_INCLUDED
#define HUB_REQUESTS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
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

/*  --- national requests (plan 3.4: monitoring may lead to new work) --------------------------- */

/*  The organ that opens a national request (its first history row). */
#define HUB_REQUESTS_NATIONAL_ORGAN "bureau"

/*  What hub_requests_from_monitoring opened. */
typedef struct {
    char ref [HUB_MAX_REF];                 /* "CII-2027-0042" */
    char rec [HUB_MAX_REF];                 /* "REC-2027-01" */
    char state [CII_MAX_STATE + 1];         /* "received" */
    char organ [CII_MAX_STATE + 1];         /* "bureau" */
    char note [2 * HUB_MAX_REF + 48];       /* "opened from the monitoring of REC-2027-01" */
    int64_t at_ms;
} hub_national_t;

/*  Opens a national request from the monitoring of recommendation rec: no network, no agent, no
    signal, no supporting canton; linked to the recommendation; the next CII-YYYY-NNNN of the gapless
    counter the networks' requests take theirs from; the institutions, target groups, objectives and
    priorities of the requests of the recommendation's basis; state "received" by the bureau with
    the note "opened from the monitoring of REC". In one transaction with it: its criteria are
    evaluated (hub_gate_evaluate: no network of its own for C3, C4 met by its origin) and its
    history marked told (hub_flow_queue: no STATUS goes down, there is no network to tell). From
    there it is a request like any other: the bureau decides on it, agendas take it up. language
    NULL: "fr". Each call opens one more request. Refused, nothing written: CII_BAD_INPUT
    "\"X\" is not a recommendation reference (REC-YYYY-NN)", "a request needs its title (--title)",
    "the title must be one line of UTF-8 text of at most 200 bytes (got N bytes)", "a request needs
    its summary (--summary)", "the summary must be UTF-8 text of at most 8000 bytes (got N bytes)",
    "unknown language \"X\" (fr, de, it or rm)"; CII_NOT_FOUND "unknown recommendation REC". */
cii_rc_t hub_requests_from_monitoring (hub_store_t *store, const char *rec, const char *title, const char *summary,
                                       const char *language, hub_national_t *out, cii_err_t *err);

#endif
