/*  hub_gate.c — the admissibility criteria, the C3 thresholds, what a network may send, and the
    work after a batch stored requests or withdrawals (see hub_gate.h). */
#include "hub_gate.h"
#include "hub_flow.h"
#include "hub_store_registry.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define S_DEFAULT_MIN        2
#define S_PENDING_PER_RUN    256     //  requests whose STATUS one run of the after-commit work queues
#define S_LIST_ITEMS         12      //  entries of a list shown in a reason, then "..."
#define S_MIN_SIMILARITY     0.05    //  below, every request of another network would count

//  --------------------------------------------------------------------------------------------
//  The criteria

//  Entries of a comma list ("" has none).
static int
s_count (const char *list)
{
    if (!list || !*list)
        return 0;
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

//  A comma list as "A, B, C" into buf, at most S_LIST_ITEMS entries, then "...".
static const char *
s_list (const char *list, char *buf, size_t size)
{
    size_t used = 0;
    int items = 0;
    buf [0] = 0;
    for (const char *p = list ? list : ""; *p && used + 8 < size; items++) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        if (items == S_LIST_ITEMS || used + len + 8 >= size) {
            used += (size_t) snprintf (buf + used, size - used, ", ...");
            break;
        }
        used += (size_t) snprintf (buf + used, size - used, "%s%.*s", items ? ", " : "", (int) len, p);
        p += len + (end ? 1 : 0);
    }
    return buf;
}

static void
s_set (hub_criterion_t *c, const char *id, bool met, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_set (hub_criterion_t *c, const char *id, bool met, const char *format, ...)
{
    snprintf (c->id, sizeof c->id, "%s", id);
    c->met = met;
    va_list args;
    va_start (args, format);
    vsnprintf (c->reason, sizeof c->reason, format, args);
    va_end (args);
}

//  The other networks with a similar request as "ticino CII-2027-0007, zuerich CII-2027-0009" into
//  buf, at most S_LIST_ITEMS, then "...".
static void
s_peers (const hub_match_breadth_t *similar, char *buf, size_t size)
{
    buf [0] = 0;
    if (!similar || !similar->networks)
        return;
    size_t used = 0;
    const char *name = similar->names, *ref = similar->refs;
    for (int i = 0; *name && used + 8 < size; i++) {
        size_t name_len = strcspn (name, ","), ref_len = strcspn (ref, ",");
        if (i == S_LIST_ITEMS || used + name_len + ref_len + 8 >= size) {
            snprintf (buf + used, size - used, ", ...");
            return;
        }
        used += (size_t) snprintf (buf + used, size - used, "%s%.*s %.*s", i ? ", " : "", (int) name_len, name,
                                   (int) ref_len, ref);
        name += name_len + (name [name_len] == ',');
        ref += ref_len + (ref [ref_len] == ',');
    }
}

void
hub_gate_criteria (const hub_request_facts_t *facts, const hub_match_breadth_t *similar,
                   const hub_gate_thresholds_t *thresholds, hub_criterion_t out [HUB_GATE_CRITERIA])
{
    assert (facts && thresholds && out);
    char a [160], b [160];
    //  C1: the CII understanding
    int n = s_count (facts->institutions);
    if (n >= 2)
        s_set (&out [0], "C1", true, "%d institutions involved: %s", n, s_list (facts->institutions, a, sizeof a));
    else
    if (n == 1)
        s_set (&out [0], "C1", false, "1 institution involved (%s): CII needs at least 2", facts->institutions);
    else
        s_set (&out [0], "C1", false, "no institution named: CII needs at least 2");
    //  C2: a general objective
    n = s_count (facts->objectives);
    if (n >= 1)
        s_set (&out [1], "C2", true, "linked to %s", s_list (facts->objectives, a, sizeof a));
    else
        s_set (&out [1], "C2", false, "linked to no general objective (labour-market-integration or "
                                      "system-coordination)");
    //  C3: broadly shared: cantons, networks raising it (a similar request in any language), a theme
    int own = s_count (facts->cantons);
    int others = similar ? similar->networks : 0;
    char peers [260];
    s_peers (similar, peers, sizeof peers);
    char alike [340];
    if (others)
        snprintf (alike, sizeof alike, "%d other network%s with a similar request (%s)", others, others == 1 ? "" : "s",
                  peers);
    else
        snprintf (alike, sizeof alike, "no other network with a similar request");
    //  A national request (from the monitoring of a recommendation) was raised by no network.
    const char *from_rec = facts->from_rec && *facts->from_rec ? facts->from_rec : NULL;
    int raising = from_rec ? 0 : 1;
    bool met = own >= thresholds->min_cantons || raising + others >= thresholds->min_networks;
    if (facts->theme && *facts->theme) {
        int cantons = s_count (facts->theme_cantons), networks = s_count (facts->theme_networks);
        met = met || cantons >= thresholds->min_cantons || networks >= thresholds->min_networks;
        s_set (&out [2], "C3", met, "theme %s: %d network%s (%s), %d canton%s (%s); %s; thresholds %d network%s or "
               "%d canton%s", facts->theme, networks, networks == 1 ? "" : "s",
               s_list (facts->theme_networks, a, sizeof a), cantons, cantons == 1 ? "" : "s",
               s_list (facts->theme_cantons, b, sizeof b), alike, thresholds->min_networks,
               thresholds->min_networks == 1 ? "" : "s", thresholds->min_cantons, thresholds->min_cantons == 1 ? "" : "s");
    }
    else
    if (from_rec)
        s_set (&out [2], "C3", met, "national request from the monitoring of %s: no supporting canton, no network "
               "raised it; %s; thresholds %d canton%s or %d network%s", from_rec, alike, thresholds->min_cantons,
               thresholds->min_cantons == 1 ? "" : "s", thresholds->min_networks,
               thresholds->min_networks == 1 ? "" : "s");
    else
        s_set (&out [2], "C3", met, "%d supporting canton%s (%s); %s; thresholds %d canton%s or %d network%s", own,
               own == 1 ? "" : "s", s_list (facts->cantons, a, sizeof a), alike, thresholds->min_cantons,
               thresholds->min_cantons == 1 ? "" : "s", thresholds->min_networks,
               thresholds->min_networks == 1 ? "" : "s");
    //  C4: a national or uniform answer needed
    int signals = s_count (facts->reason_signals);
    if (from_rec)
        s_set (&out [3], "C4", true, "national request from the monitoring of %s: the follow-up of a CP "
               "recommendation", from_rec);
    else
    if (facts->has_reason && signals)
        s_set (&out [3], "C4", true, "reason given by the request and by signal%s %s", signals == 1 ? "" : "s",
               s_list (facts->reason_signals, a, sizeof a));
    else
    if (facts->has_reason)
        s_set (&out [3], "C4", true, "reason given by the request");
    else
    if (signals)
        s_set (&out [3], "C4", true, "reason given by signal%s %s", signals == 1 ? "" : "s",
               s_list (facts->reason_signals, a, sizeof a));
    else
        s_set (&out [3], "C4", false, "no reason given why it needs a national or uniform answer");
}

bool
hub_gate_describe (size_t index, const hub_gate_thresholds_t *t, char id [4], char *buf, size_t size)
{
    assert (t && id && buf);
    switch (index) {
        case 0:
            snprintf (buf, size, "CII understanding: at least 2 institutions involved (the request's and its signals')");
            break;
        case 1:
            snprintf (buf, size, "linked to a general objective (labour-market-integration, system-coordination)");
            break;
        case 2:
            snprintf (buf, size, "broadly shared: at least %d supporting canton%s, or at least %d network%s raising it "
                      "(its own and those with a request scoring %.2f or more against it, in any language), or, in "
                      "a theme, at least %d canton%s or %d network%s over the theme", t->min_cantons,
                      t->min_cantons == 1 ? "" : "s", t->min_networks, t->min_networks == 1 ? "" : "s",
                      t->min_similarity, t->min_cantons, t->min_cantons == 1 ? "" : "s", t->min_networks,
                      t->min_networks == 1 ? "" : "s");
            break;
        case 3:
            snprintf (buf, size, "needs a national or uniform answer: a reason given, by the request or its signals");
            break;
        default:
            return false;
    }
    snprintf (id, 4, "C%zu", index + 1);
    return true;
}

//  --------------------------------------------------------------------------------------------
//  Thresholds

static int
s_setting (hub_store_t *store, const char *key, int max, cii_rc_t *rc_p)
{
    char *value = NULL;
    cii_rc_t rc = hub_store_setting_get (store, key, &value);
    int result = S_DEFAULT_MIN;
    if (rc == CII_OK && value) {
        char *end = NULL;
        long n = strtol (value, &end, 10);
        if (end != value && *end == 0 && n >= 1 && n <= max)
            result = (int) n;
    }
    free (value);
    if (rc != CII_OK && rc != CII_NOT_FOUND)
        *rc_p = rc;
    return result;
}

cii_rc_t
hub_gate_thresholds (hub_store_t *store, hub_gate_thresholds_t *out, cii_err_t *err)
{
    assert (store && out);
    cii_rc_t rc = CII_OK;
    out->min_cantons = s_setting (store, "c3_min_cantons", CII_CANTON_COUNT, &rc);
    out->min_networks = s_setting (store, "c3_min_networks", CII_MAX_NETWORKS, &rc);
    out->min_similarity = hub_match_c3_threshold (store);
    return rc == CII_OK ? CII_OK : hub_store_fail (store, err);
}

cii_rc_t
hub_gate_set_thresholds (hub_store_t *store, const int *min_cantons, const int *min_networks,
                         const double *min_similarity, hub_gate_thresholds_t *out, size_t *reevaluated, cii_err_t *err)
{
    assert (store && out);
    if (reevaluated)
        *reevaluated = 0;
    if (min_cantons && (*min_cantons < 1 || *min_cantons > CII_CANTON_COUNT))
        return cii_err_set (err, CII_BAD_INPUT, "c3_min_cantons must be 1..%d (got %d)", CII_CANTON_COUNT, *min_cantons);
    if (min_networks && (*min_networks < 1 || *min_networks > CII_MAX_NETWORKS))
        return cii_err_set (err, CII_BAD_INPUT, "c3_min_networks must be 1..%d (got %d)", CII_MAX_NETWORKS,
                            *min_networks);
    if (min_similarity && !(*min_similarity >= S_MIN_SIMILARITY && *min_similarity <= 1))
        return cii_err_set (err, CII_BAD_INPUT, "c3_min_similarity must be %.2f..1 (got %g)", S_MIN_SIMILARITY,
                            *min_similarity);
    bool changed = min_cantons || min_networks || min_similarity;
    bool own = false;
    if (hub_store_tx_begin (store, "thresholds", &own) != CII_OK)
        return hub_store_fail (store, err);
    cii_rc_t rc = CII_OK;
    char number [16];
    if (min_cantons) {
        snprintf (number, sizeof number, "%d", *min_cantons);
        if (hub_store_setting_set (store, "c3_min_cantons", number) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    if (rc == CII_OK && min_networks) {
        snprintf (number, sizeof number, "%d", *min_networks);
        if (hub_store_setting_set (store, "c3_min_networks", number) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    if (rc == CII_OK && min_similarity) {
        snprintf (number, sizeof number, "%.2f", *min_similarity);
        if (hub_store_setting_set (store, "c3_min_similarity", number) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    int64_t *ids = NULL;
    size_t count = 0;
    if (rc == CII_OK && changed) {
        const char *gate [8];
        size_t n = hub_flow_states_with (HUB_STATE_GATE, gate, 8);
        if (hub_store_requests_in_states (store, gate, n, &ids, &count) != CII_OK)
            rc = hub_store_fail (store, err);
        for (size_t i = 0; rc == CII_OK && i < count; i++)
            rc = hub_gate_evaluate (store, ids [i], err);
    }
    free (ids);
    if (rc == CII_OK)
        rc = hub_gate_thresholds (store, out, err);
    if (hub_store_tx_end (store, "thresholds", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && reevaluated)
        *reevaluated = count;
    if (rc == CII_OK && changed)
        zsys_info ("hub: C3 thresholds now %d cantons, %d networks, similarity %.2f; %zu request%s re-evaluated",
                   out->min_cantons, out->min_networks, out->min_similarity, count, count == 1 ? "" : "s");
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Evaluation

cii_rc_t
hub_gate_evaluate (hub_store_t *store, int64_t request_id, cii_err_t *err)
{
    assert (store);
    hub_gate_thresholds_t thresholds;
    cii_rc_t rc = hub_gate_thresholds (store, &thresholds, err);
    if (rc != CII_OK)
        return rc;
    const char *left [8];
    size_t n_left = hub_flow_states_with (HUB_STATE_LEFT, left, 8);
    hub_request_facts_t facts;
    rc = hub_store_request_facts (store, request_id, left, n_left, &facts);
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, rc, "no request %" PRId64, request_id);
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    hub_match_breadth_t similar;
    rc = hub_match_networks (store, NULL, request_id, thresholds.min_similarity, &similar, err);
    if (rc != CII_OK) {
        hub_request_facts_clear (&facts);
        return rc;
    }
    hub_criterion_t criteria [HUB_GATE_CRITERIA];
    hub_gate_criteria (&facts, &similar, &thresholds, criteria);
    cii_criterion_t list [HUB_GATE_CRITERIA];
    int met = 0;
    for (size_t i = 0; i < HUB_GATE_CRITERIA; i++) {
        list [i] = (cii_criterion_t) { criteria [i].id, criteria [i].met, criteria [i].reason };
        met += criteria [i].met;
    }
    if (hub_store_criteria_set (store, request_id, list, HUB_GATE_CRITERIA) != CII_OK)
        rc = hub_store_fail (store, err);
    else
        zsys_info ("hub: %s: criteria evaluated, %d of %d met", facts.ref, met, HUB_GATE_CRITERIA);
    hub_request_facts_clear (&facts);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  What a network may send

cii_rc_t
hub_gate_authorise_request (const hub_registry_t *registry, const char *network, const cii_request_t *request,
                            cii_err_t *err)
{
    assert (registry && network && request);
    for (size_t i = 0; i < request->n_cantons && request->cantons; i++) {
        cii_rc_t rc = hub_registry_authorise (registry, network, request->cantons [i], err);
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

cii_rc_t
hub_gate_authorise_withdraw (const hub_registry_t *registry, const char *network, const cii_withdraw_t *withdraw,
                             cii_err_t *err)
{
    (void) registry;
    (void) network;
    (void) withdraw;
    (void) err;
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  After the commit

//  hub_criterion_fn: counts.
static bool
s_count_row (const hub_criterion_row_t *row, void *arg)
{
    (void) row;
    (*(size_t *) arg)++;
    return true;
}

//  hub_history_fn: whether a row not yet sent down leaves the gate for good (withdrawn).
static bool
s_left_row (const hub_history_row_t *row, void *arg)
{
    const hub_state_t *state = hub_flow_state (row->state);
    if (state && (state->flags & HUB_STATE_LEFT))
        *(bool *) arg = true;
    return true;
}

cii_rc_t
hub_gate_refresh_similar (hub_store_t *store, int64_t request_id, cii_err_t *err)
{
    assert (store);
    hub_gate_thresholds_t thresholds;
    cii_rc_t rc = hub_gate_thresholds (store, &thresholds, err);
    hub_match_breadth_t similar;
    bool own = false;
    if (rc == CII_OK && hub_store_tx_begin (store, "similar", &own) != CII_OK)
        rc = hub_store_fail (store, err);
    else
    if (rc == CII_OK) {
        rc = hub_match_networks (store, NULL, request_id, thresholds.min_similarity, &similar, err);
        if (hub_store_tx_end (store, "similar", own, rc == CII_OK) != CII_OK && rc == CII_OK)
            rc = hub_store_fail (store, err);
    }
    //  Each peer in a transaction of its own, its row locked first as a decision locks it: never
    //  two requests held at once, so no order to keep.
    const char *ref = rc == CII_OK && similar.networks ? similar.refs : "";
    while (rc == CII_OK && *ref) {
        char peer [HUB_MAX_REF];
        size_t len = strcspn (ref, ",");
        snprintf (peer, sizeof peer, "%.*s", (int) (len < sizeof peer ? len : sizeof peer - 1), ref);
        ref += len + (ref [len] == ',');
        if (hub_store_tx_begin (store, "similar", &own) != CII_OK)
            return hub_store_fail (store, err);
        hub_request_lock_t request;
        rc = hub_store_request_lock (store, peer, &request);
        if (rc == CII_NOT_FOUND)
            rc = CII_OK;                //  not a request (the breadth names requests only): nothing to do
        else
        if (rc != CII_OK)
            hub_store_fail (store, err);
        else {
            const hub_state_t *state = hub_flow_state (request.state);
            if (state && (state->flags & HUB_STATE_GATE))
                rc = hub_gate_evaluate (store, request.id, err);
        }
        if (hub_store_tx_end (store, "similar", own, rc == CII_OK) != CII_OK && rc == CII_OK)
            rc = hub_store_fail (store, err);
    }
    return rc;
}

cii_rc_t
hub_gate_after_commit (hub_store_t *store, cii_err_t *err)
{
    assert (store);
    cii_rc_t rc = CII_OK;
    //  A few rounds at most: a burst of requests is sent down at once, and the control worker is
    //  never held for long (the rest waits for the next run, 5 s later at most).
    for (int round = 0; rc == CII_OK && round < 8; round++) {
        int64_t *ids = NULL;
        size_t count = 0;
        if (hub_store_requests_pending (store, S_PENDING_PER_RUN, &ids, &count) != CII_OK)
            return hub_store_fail (store, err);
        for (size_t i = 0; rc == CII_OK && i < count; i++) {
            //  A request evaluated here for the first time may make others broadly shared (C3);
            //  one withdrawn no longer does: either way its similar peers at the gate are evaluated
            //  again (after its STATUS is queued, so that a failure there does not hold that back).
            size_t criteria = 0;
            bool left = false;
            if (hub_store_criteria (store, ids [i], s_count_row, &criteria) != CII_OK
            ||  hub_store_request_history (store, ids [i], true, s_left_row, &left) != CII_OK)
                rc = hub_store_fail (store, err);
            if (rc == CII_OK)
                rc = hub_flow_queue (store, ids [i], err);
            if (rc == CII_OK && (criteria == 0 || left))
                rc = hub_gate_refresh_similar (store, ids [i], err);
        }
        free (ids);
        if (count < S_PENDING_PER_RUN)
            break;
    }
    return rc;
}
