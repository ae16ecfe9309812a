/*  hub_gate.h — the bureau's national entry gate (plan 2.1): what a network may send (a request
    supported by its own cantons; a withdrawal), the admissibility criteria C1..C4 evaluated for
    every request and stored, each met or not with its reason, shown to the bureau and never
    deciding by itself, the bureau's thresholds for C3, and the work after a batch stored requests
    or withdrawals (criteria of new requests, then their STATUS down). The decisions themselves are
    transitions (hub_flow). */
#ifndef HUB_GATE_H_INCLUDED
#define HUB_GATE_H_INCLUDED

#include <stdbool.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_match.h"
#include "hub_registry.h"
#include "hub_store.h"
#include "hub_store_requests.h"

#define HUB_GATE_CRITERIA       4       /* C1..C4 */
#define HUB_GATE_REASON         400     /* bytes of a criterion's reason (one line, as STATUS carries it) */

/*  The settings the bureau sets for C3 (settings c3_min_cantons, c3_min_networks,
    c3_min_similarity). */
typedef struct {
    int min_cantons;                    /* supporting cantons, 1..26 (default 2) */
    int min_networks;                   /* networks raising it (over a theme, or with a similar request), 1..64 (default 2) */
    double min_similarity;              /* the score (hub_match) at which another network's request is similar,
                                           0.05..1 (default HUB_MATCH_C3_DEFAULT) */
} hub_gate_thresholds_t;

/*  One criterion as evaluated. */
typedef struct {
    char id [4];                        /* "C1" */
    bool met;
    char reason [HUB_GATE_REASON + 1];  /* one line of ASCII: names, codes, references, counts */
} hub_criterion_t;

/*  The criteria of a request from its facts (hub_store_request_facts) and the other networks with
    a similar request (hub_match_networks at thresholds->min_similarity; NULL: none counted), into
    out[0..3]:
    C1 CII understanding: >= 2 institutions involved (the request's and its signals');
    C2 linked to a general objective;
    C3 broadly shared: >= min_cantons supporting cantons (its own and its signals'), or >=
       min_networks networks raising it (its own and those with a similar request, in any
       language), or, for a request in a theme, >= min_cantons over the theme or >= min_networks
       networks in it;
    C4 needs a national or uniform answer: a reason given, by the request or by one of its signals.
    A national request (facts->from_rec, from the monitoring of a recommendation) counts no network
    of its own for C3 (only those with a similar request, or its theme's), and meets C4 by its
    origin (the follow-up of a CP recommendation).
    Reasons name what was counted ("3 supporting cantons (GE, VD, VS); 1 other network with a
    similar request (ticino CII-2027-0007); thresholds 2 cantons or 2 networks") and never copy
    user text. */
void hub_gate_criteria (const hub_request_facts_t *facts, const hub_match_breadth_t *similar,
                        const hub_gate_thresholds_t *thresholds, hub_criterion_t out [HUB_GATE_CRITERIA]);

/*  What criterion index (0..3) asks, with the thresholds t, into buf: its id and one line
    ("C3", "broadly shared: at least 2 supporting cantons, or ..."). False past the last. */
bool hub_gate_describe (size_t index, const hub_gate_thresholds_t *t, char id [4], char *buf, size_t size);

/*  The thresholds in force (defaults for a setting missing or not a number in range). */
cii_rc_t hub_gate_thresholds (hub_store_t *store, hub_gate_thresholds_t *out, cii_err_t *err);

/*  Sets the thresholds given (NULL: unchanged) and re-evaluates the criteria of every request still
    at the gate (HUB_STATE_GATE), in one transaction; no STATUS goes down for it (the next change
    carries them). *out: the thresholds now, *reevaluated (when not NULL): how many requests.
    CII_BAD_INPUT "c3_min_cantons must be 1..26 (got N)", "c3_min_networks must be 1..64 (got N)",
    "c3_min_similarity must be 0.05..1 (got X)". */
cii_rc_t hub_gate_set_thresholds (hub_store_t *store, const int *min_cantons, const int *min_networks,
                                  const double *min_similarity, hub_gate_thresholds_t *out, size_t *reevaluated,
                                  cii_err_t *err);

/*  Evaluates the criteria of request_id now and stores them (joins the caller's transaction). */
cii_rc_t hub_gate_evaluate (hub_store_t *store, int64_t request_id, cii_err_t *err);

/*  After request_id was evaluated for the first time, or withdrawn: re-evaluates, each in a
    transaction of its own, the requests of other networks still at the gate that it is similar to,
    so that their C3 counts it (or no longer does). No STATUS goes down for that: the next change
    carries the criteria. */
cii_rc_t hub_gate_refresh_similar (hub_store_t *store, int64_t request_id, cii_err_t *err);

/*  May the agent of network send request? Every supporting canton must be in the registry
    (CII_NOT_FOUND "canton XX is not in the registry": UNKNOWN_CANTON on the wire) and belong to
    network (CII_REFUSED "canton VD belongs to network lemanique, not ticino": NOT_AUTHORISED).
    Its signals are checked when it is stored (hub_store_request_shape). */
cii_rc_t hub_gate_authorise_request (const hub_registry_t *registry, const char *network,
                                     const cii_request_t *request, cii_err_t *err);

/*  May the agent of network send withdraw? Always (the request is found, and the transition
    checked, when it is stored: hub_flow_withdraw_shape). */
cii_rc_t hub_gate_authorise_withdraw (const hub_registry_t *registry, const char *network,
                                      const cii_withdraw_t *withdraw, cii_err_t *err);

/*  The work after a batch stored requests or withdrawals (hub_kinds' after_commit, run by the
    serving hub's control worker after such a batch and every 5 s): every request with history
    rows not yet queued — new requests first have their criteria evaluated — gets its STATUS items
    queued in order (hub_flow_queue), one transaction per request. Idempotent: a hub killed
    meanwhile leaves the rows for the next run. CII_OK, or the first error (the rest is retried). */
cii_rc_t hub_gate_after_commit (hub_store_t *store, cii_err_t *err);

#endif
