/*  agent_trace.c — one request's lineage from the network's side (see agent_trace.h). */
#include "agent_trace.h"
#include "agent_requests.h"

#include <assert.h>
#include <string.h>

#include "agent_reports.h"

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

bool
agent_trace_is_rec (const char *key)
{
    char ref [CII_MAX_REF + 1];
    return key && strlen (key) <= CII_MAX_REF && cii_domain_rec_ref_valid (agent_reports_upper (key, ref, sizeof ref));
}

static bool
s_no_version (const agent_rec_row_t *row, void *arg)
{
    (void) row;
    (void) arg;
    return true;
}

static bool
s_no_report (const agent_report_row_t *row, void *arg)
{
    (void) row;
    (void) arg;
    return false;
}

cii_rc_t
agent_trace_recommendation (agent_store_t *store, const char *key, const agent_trace_rec_visitor_t *visitor,
                            void *arg, cii_err_t *err)
{
    assert (store && visitor);
    char ref [CII_MAX_REF + 1], buf [24];
    if (!agent_trace_is_rec (key))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            cii_domain_shown (key, buf));
    agent_reports_upper (key, ref, sizeof ref);
    size_t versions = 0, reports = 0;
    cii_rc_t rc = agent_store_rec_versions (store, ref, visitor->version ? visitor->version : s_no_version, arg,
                                            &versions, err);
    if (rc == CII_OK && versions == 0)
        rc = agent_store_reports_each (store, ref, NULL, s_no_report, NULL, &reports, err);
    if (rc == CII_OK && versions == 0 && reports == 0)
        return cii_err_set (err, CII_NOT_FOUND, "no recommendation %s was received by this agent", ref);
    if (rc == CII_OK && visitor->push)
        rc = agent_store_rec_pushes (store, ref, visitor->push, arg, NULL, err);
    if (rc == CII_OK && visitor->report)
        rc = agent_store_reports_each (store, ref, NULL, visitor->report, arg, NULL, err);
    return rc;
}
