/*  hub_trace.c — the lineage of a request, a theme, a signal or a recommendation (see hub_trace.h). */
#include "hub_trace.h"
#include "hub_monitor.h"
#include "hub_requests.h"
#include "hub_themes.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The requests of a trace as they are found: ids, references, and their themes.
typedef struct {
    const hub_trace_visitor_t *visitor;
    void *arg;
    int64_t *ids;
    hub_trace_ref_t *refs;
    size_t count;
    size_t size;
    hub_trace_ref_t *themes;            //  distinct, in the order met
    size_t n_themes;
    bool skip;                          //  the visitor asked for no more requests
    bool failed;                        //  out of memory
} s_trace_t;

static bool
s_request (const hub_request_row_t *row, void *arg)
{
    s_trace_t *trace = arg;
    if (trace->count == trace->size) {
        size_t size = trace->size ? trace->size * 2 : 8;
        int64_t *ids = realloc (trace->ids, size * sizeof *ids);
        if (ids)
            trace->ids = ids;
        hub_trace_ref_t *refs = ids ? realloc (trace->refs, size * sizeof *refs) : NULL;
        hub_trace_ref_t *themes = refs ? realloc (trace->themes, size * sizeof *themes) : NULL;
        if (refs)
            trace->refs = refs;
        if (!themes) {
            trace->failed = true;
            return false;
        }
        trace->themes = themes;
        trace->size = size;
    }
    trace->ids [trace->count] = row->id;
    snprintf (trace->refs [trace->count].ref, HUB_MAX_REF, "%s", row->ref);
    trace->count++;
    if (*row->theme) {
        bool seen = false;
        for (size_t i = 0; i < trace->n_themes && !seen; i++)
            seen = strcmp (trace->themes [i].ref, row->theme) == 0;
        if (!seen)
            snprintf (trace->themes [trace->n_themes++].ref, HUB_MAX_REF, "%s", row->theme);
    }
    if (trace->visitor->request && !trace->skip)
        trace->skip = !trace->visitor->request (row, trace->arg);
    return true;
}

//  The theme of a request trace: told, no requests.
static bool
s_theme (const hub_theme_row_t *row, void *arg)
{
    s_trace_t *trace = arg;
    if (trace->visitor->theme)
        trace->visitor->theme (row, trace->arg);
    return false;
}

typedef struct {
    const hub_trace_visitor_t *visitor;
    void *arg;
    const char *request;
    bool more;
} s_history_t;

static bool
s_history (const hub_history_row_t *row, void *arg)
{
    s_history_t *history = arg;
    history->more = history->visitor->decision (history->request, row, history->arg);
    return history->more;
}

typedef struct {
    hub_wg_row_fn *wg;
    hub_project_row_fn *project;
    void *arg;
    bool more;
} s_link_t;

static bool
s_wg (const hub_wg_row_t *row, void *arg)
{
    s_link_t *link = arg;
    link->more = link->wg (row, link->arg);
    return false;
}

static bool
s_project (const hub_project_row_t *row, void *arg)
{
    s_link_t *link = arg;
    link->more = link->project (row, link->arg);
    return false;
}

const char *
hub_trace_kind (const char *ref)
{
    if (!ref)
        return NULL;
    if (strncmp (ref, "CII-", 4) == 0)
        return "request";
    if (strncmp (ref, "NT-", 3) == 0)
        return "theme";
    if (strncmp (ref, "SIG-", 4) == 0)
        return "signal";
    if (strncmp (ref, "REC-", 4) == 0)
        return "recommendation";
    return NULL;
}

//  --------------------------------------------------------------------------------------------
//  A recommendation's own parts

void
hub_trace_canton_states (hub_trace_canton_row_t *row)
{
    assert (row);
    row->push = hub_monitor_push_state (row->push_state, row->queued, row->delivered);
    row->state = *row->report_state ? row->report_state : "none";
}

typedef struct {
    const hub_trace_visitor_t *visitor;
    void *arg;
    int64_t id;
    bool found;
} s_rec_t;

static bool
s_rec (const hub_trace_rec_row_t *row, void *arg)
{
    s_rec_t *rec = arg;
    rec->id = row->id;
    rec->found = true;
    if (rec->visitor->rec)
        rec->visitor->rec (row, rec->arg);
    return false;
}

static bool
s_delivery (const hub_trace_delivery_row_t *row, void *arg)
{
    s_rec_t *rec = arg;
    hub_trace_delivery_row_t told = *row;
    told.state = row->agents == 0 ? HUB_TRACE_UNSENT
               : row->acknowledged == row->agents ? HUB_TRACE_ACKNOWLEDGED : HUB_TRACE_QUEUED;
    return rec->visitor->delivery (&told, rec->arg);
}

static bool
s_canton (const hub_trace_canton_row_t *row, void *arg)
{
    s_rec_t *rec = arg;
    hub_trace_canton_row_t told = *row;
    hub_trace_canton_states (&told);
    return rec->visitor->canton (&told, rec->arg);
}

//  Finds the requests refs[0..count-1] into trace (telling them); frees refs.
static cii_rc_t
s_tell_refs (hub_store_t *store, hub_trace_ref_t *refs, size_t count, s_trace_t *trace, cii_err_t *err)
{
    cii_rc_t rc = CII_OK;
    for (size_t i = 0; i < count && rc == CII_OK && !trace->failed; i++) {
        hub_request_filter_t filter = { .ref = refs [i].ref };
        if (hub_store_requests (store, &filter, s_request, trace) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    free (refs);
    return rc;
}

//  Finds recommendation ref, tells it, and the requests of its basis into trace.
static cii_rc_t
s_find_rec (hub_store_t *store, const char *ref, s_trace_t *trace, s_rec_t *rec, cii_err_t *err)
{
    char shown [12];
    cii_rc_t rc = hub_store_trace_rec (store, ref, s_rec, rec);
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, rc, "unknown recommendation %s", hub_requests_ref_shown (ref, shown));
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    hub_trace_ref_t *refs;
    size_t count;
    if (hub_store_trace_rec_requests (store, rec->id, &refs, &count) != CII_OK)
        return hub_store_fail (store, err);
    return s_tell_refs (store, refs, count, trace, err);
}

//  Tells the forward parts of recommendation ref (after its lineage).
static cii_rc_t
s_forward (hub_store_t *store, const char *ref, s_rec_t *rec, cii_err_t *err)
{
    const hub_trace_visitor_t *visitor = rec->visitor;
    if (visitor->version && hub_store_trace_rec_versions (store, rec->id, visitor->version, rec->arg) != CII_OK)
        return hub_store_fail (store, err);
    if (visitor->delivery && hub_store_trace_rec_deliveries (store, rec->id, ref, s_delivery, rec) != CII_OK)
        return hub_store_fail (store, err);
    if (visitor->canton && hub_store_trace_rec_cantons (store, rec->id, ref, s_canton, rec) != CII_OK)
        return hub_store_fail (store, err);
    if (visitor->report && hub_store_trace_rec_reports (store, rec->id, visitor->report, rec->arg) != CII_OK)
        return hub_store_fail (store, err);
    if (visitor->followup) {
        hub_request_filter_t filter = { .from_rec = ref };
        if (hub_store_requests (store, &filter, visitor->followup, rec->arg) != CII_OK)
            return hub_store_fail (store, err);
    }
    return CII_OK;
}

//  Finds the requests of ref into trace (telling them, and the theme of a theme trace).
static cii_rc_t
s_find (hub_store_t *store, const char *ref, const char *kind, s_trace_t *trace, cii_err_t *err)
{
    char shown [12];
    if (strcmp (kind, "theme") == 0) {
        cii_rc_t rc = hub_themes_show (store, ref, s_theme, s_request, trace, err);
        trace->n_themes = 0;            //  told already
        return rc;
    }
    if (strcmp (kind, "request") == 0) {
        hub_request_filter_t filter = { .ref = ref };
        if (hub_store_requests (store, &filter, s_request, trace) != CII_OK)
            return hub_store_fail (store, err);
        if (trace->count == 0 && !trace->failed)
            return cii_err_set (err, CII_NOT_FOUND, "unknown request %s", hub_requests_ref_shown (ref, shown));
        return CII_OK;
    }
    bool found;
    hub_trace_ref_t *refs;
    size_t count;
    if (hub_store_trace_signal_requests (store, ref, &found, &refs, &count) != CII_OK)
        return hub_store_fail (store, err);
    if (!found)
        return cii_err_set (err, CII_NOT_FOUND, "unknown signal %s", hub_requests_ref_shown (ref, shown));
    return s_tell_refs (store, refs, count, trace, err);
}

//  Tells the groups (kind "wg") or projects of the traced requests.
static cii_rc_t
s_links (hub_store_t *store, const char *kind, s_trace_t *trace, cii_err_t *err)
{
    const hub_trace_visitor_t *visitor = trace->visitor;
    bool wg = strcmp (kind, "wg") == 0;
    if ((wg && !visitor->wg) || (!wg && !visitor->project))
        return CII_OK;
    hub_trace_ref_t *refs;
    size_t count;
    if (hub_store_trace_links (store, kind, trace->ids, trace->count, &refs, &count) != CII_OK)
        return hub_store_fail (store, err);
    s_link_t link = { visitor->wg, visitor->project, trace->arg, true };
    cii_rc_t rc = CII_OK;
    for (size_t i = 0; i < count && link.more && rc == CII_OK; i++)
        if ((wg ? hub_store_wgs (store, refs [i].ref, false, s_wg, &link)
                : hub_store_projects (store, 0, refs [i].ref, s_project, &link)) != CII_OK)
            rc = hub_store_fail (store, err);
    free (refs);
    return rc;
}

cii_rc_t
hub_trace (hub_store_t *store, const char *ref, const hub_trace_visitor_t *visitor, void *arg, cii_err_t *err)
{
    assert (store && visitor);
    const char *kind = hub_trace_kind (ref);
    char shown [12];
    if (!kind)
        return cii_err_set (err, CII_BAD_INPUT, "unknown reference %s: a request (CII-YYYY-NNNN), a theme "
                            "(NT-YYYY-NN), a signal (SIG-N) or a recommendation (REC-YYYY-NN)",
                            hub_requests_ref_shown (ref ? ref : "", shown));
    s_trace_t trace = { .visitor = visitor, .arg = arg };
    bool recommendation = strcmp (kind, "recommendation") == 0;
    s_rec_t rec = { visitor, arg, 0, false };
    cii_rc_t rc = recommendation ? s_find_rec (store, ref, &trace, &rec, err) : s_find (store, ref, kind, &trace, err);
    if (rc == CII_OK && trace.failed)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == CII_OK && i < trace.n_themes && visitor->theme; i++)
        rc = hub_themes_show (store, trace.themes [i].ref, s_theme, NULL, &trace, err);
    if (rc == CII_OK && visitor->signal
        && hub_store_trace_signals (store, trace.ids, trace.count, strcmp (kind, "signal") == 0 ? ref : NULL,
                                   visitor->signal, arg) != CII_OK)
        rc = hub_store_fail (store, err);
    s_history_t history = { visitor, arg, NULL, true };
    for (size_t i = 0; rc == CII_OK && visitor->decision && history.more && i < trace.count; i++) {
        history.request = trace.refs [i].ref;
        if (hub_store_request_history (store, trace.ids [i], false, s_history, &history) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    if (rc == CII_OK)
        rc = s_links (store, "wg", &trace, err);
    if (rc == CII_OK)
        rc = s_links (store, "project", &trace, err);
    if (rc == CII_OK && recommendation)
        rc = s_forward (store, ref, &rec, err);
    free (trace.ids);
    free (trace.refs);
    free (trace.themes);
    return rc;
}
