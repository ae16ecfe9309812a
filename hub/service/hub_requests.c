/*  hub_requests.c — the listing of requests and one request in full (see hub_requests.h). */
#include "hub_requests.h"
#include "hub_flow.h"
#include "hub_gate.h"
#include "hub_networks.h"
#include "hub_wg.h"

#include <assert.h>
#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "cii_domain.h"

cii_rc_t
hub_requests_list (hub_store_t *store, const hub_request_filter_t *filter, hub_request_fn *fn, void *arg,
                   cii_err_t *err)
{
    assert (store && fn);
    hub_request_filter_t mine = { NULL, NULL, NULL, NULL, NULL, NULL };
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

//  --------------------------------------------------------------------------------------------
//  National requests

cii_rc_t
hub_requests_from_monitoring (hub_store_t *store, const char *rec, const char *title, const char *summary,
                              const char *language, hub_national_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    char shown [12];
    if (!rec || !cii_domain_rec_ref_valid (rec))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            hub_requests_ref_shown (rec ? rec : "", shown));
    cii_rc_t rc = hub_text_check ("a request needs its title", "title", title, true, CII_MAX_TITLE, err);
    if (rc == CII_OK)
        rc = hub_text_check ("a request needs its summary", "summary", summary, false, CII_MAX_TEXT, err);
    if (rc != CII_OK)
        return rc;
    if (!language)
        language = "fr";
    if (!cii_domain_language_valid (language))
        return cii_err_set (err, CII_BAD_INPUT, "unknown language \"%s\" (fr, de, it or rm)",
                            cii_domain_sanitize (language, shown));
    snprintf (out->rec, sizeof out->rec, "%s", rec);
    snprintf (out->note, sizeof out->note, "opened from the monitoring of %s", rec);
    bool own = false;
    if (hub_store_tx_begin (store, "national request", &own) != CII_OK)
        return hub_store_fail (store, err);
    int64_t id = 0;
    rc = hub_store_request_national (store, rec, title, summary, language, HUB_REQUESTS_NATIONAL_ORGAN, out->note,
                                     out->ref, &id, &out->at_ms);
    if (rc == CII_NOT_FOUND)
        cii_err_set (err, rc, "unknown recommendation %s", rec);
    else
    if (rc != CII_OK)
        hub_store_fail (store, err);
    //  Its criteria now (the bureau sees them at once), and its history told: there is no network
    //  to tell, so nothing waits for the serving hub's work after the commit.
    if (rc == CII_OK)
        rc = hub_gate_evaluate (store, id, err);
    if (rc == CII_OK)
        rc = hub_flow_queue (store, id, err);
    if (hub_store_tx_end (store, "national request", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        memset (out, 0, sizeof *out);
        return rc;
    }
    snprintf (out->state, sizeof out->state, "%s", HUB_STORE_REQUEST_INITIAL);
    snprintf (out->organ, sizeof out->organ, "%s", HUB_REQUESTS_NATIONAL_ORGAN);
    zsys_info ("hub: %s: national request opened from the monitoring of %s", out->ref, rec);
    return CII_OK;
}
