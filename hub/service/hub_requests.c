/*  hub_requests.c — the listing of requests and one request in full (see hub_requests.h). */
#include "hub_requests.h"
#include "hub_flow.h"
#include "hub_networks.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cii_domain.h"

cii_rc_t
hub_requests_list (hub_store_t *store, const hub_request_filter_t *filter, hub_request_fn *fn, void *arg,
                   cii_err_t *err)
{
    assert (store && fn);
    hub_request_filter_t mine = { NULL, NULL, NULL, NULL, NULL };
    if (filter) {
        mine.state = filter->state;
        mine.network = filter->network;
        mine.canton = filter->canton;
    }
    char shown [12];
    if (mine.state && !hub_flow_state (mine.state)) {
        char names [256] = "";
        size_t used = 0;
        const hub_state_t *state;
        for (size_t i = 0; (state = hub_flow_state_at (i)) != NULL && used < sizeof names; i++)
            used += (size_t) snprintf (names + used, sizeof names - used, "%s%s", i ? ", " : "", state->name);
        return cii_err_set (err, CII_BAD_INPUT, "unknown state \"%s\" (%s)", cii_domain_state_name_valid (mine.state) ? mine.state : cii_domain_sanitize (mine.state, shown),
                            names);
    }
    if (mine.canton && !cii_domain_canton_valid (mine.canton))
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton \"%s\"", cii_domain_sanitize (mine.canton, shown));
    if (mine.network) {
        cii_rc_t rc = hub_networks_check_one (store, mine.network, err);
        if (rc != CII_OK)
            return rc;
    }
    if (hub_store_requests (store, &mine, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

bool
hub_requests_is_theme (const char *ref)
{
    return ref && strncmp (ref, "NT-", 3) == 0;
}

const char *
hub_requests_ref_shown (const char *ref, char buf [12])
{
    size_t len = ref ? strlen (ref) : 0;
    bool plain = len > 0 && len <= CII_MAX_REF;
    for (size_t i = 0; plain && i < len; i++)
        plain = (ref [i] >= 'A' && ref [i] <= 'Z') || (ref [i] >= '0' && ref [i] <= '9') || ref [i] == '-';
    return plain ? ref : cii_domain_sanitize (ref, buf);
}

typedef struct {
    const hub_request_visitor_t *visitor;
    void *arg;
    int64_t id;
    bool found;
} s_show_t;

static bool
s_request (const hub_request_row_t *row, void *arg)
{
    s_show_t *show = arg;
    show->found = true;
    show->id = row->id;
    if (show->visitor->request)
        show->visitor->request (row, show->arg);
    return false;
}

cii_rc_t
hub_requests_show (hub_store_t *store, const char *ref, const hub_request_visitor_t *visitor, void *arg,
                   cii_err_t *err)
{
    assert (store && ref && visitor);
    hub_request_filter_t filter = { .ref = ref };
    s_show_t show = { visitor, arg, 0, false };
    if (hub_store_requests (store, &filter, s_request, &show) != CII_OK)
        return hub_store_fail (store, err);
    char shown [12];
    if (!show.found)
        return cii_err_set (err, CII_NOT_FOUND, "unknown request %s", hub_requests_ref_shown (ref, shown));
    if (visitor->criterion && hub_store_criteria (store, show.id, visitor->criterion, arg) != CII_OK)
        return hub_store_fail (store, err);
    if (visitor->history && hub_store_request_history (store, show.id, false, visitor->history, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
