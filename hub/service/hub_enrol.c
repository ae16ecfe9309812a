/*  hub_enrol.c — enrolment, revocation and the agent listing (see hub_enrol.h). */
#include "hub_enrol.h"
#include "hub_networks.h"
#include "hub_setup.h"
#include "hub_store_registry.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_bundle.h"
#include "cii_util.h"

bool
hub_enrol_endpoint_valid (const char *endpoint)
{
    return endpoint && strncmp (endpoint, "tcp://", 6) == 0
        && strlen (endpoint) < sizeof ((cii_bundle_t *) 0)->endpoint && !strpbrk (endpoint, " \t\r\n");
}

//  The enrolment time of network's active agent into *since_ms (0 when it has none).
static cii_rc_t
s_active_since (hub_store_t *store, const char *network, int64_t *since_ms, cii_err_t *err)
{
    *since_ms = 0;
    hub_agent_row_t *rows = NULL;
    size_t count = 0;
    if (hub_store_agent_list (store, &rows, &count) != CII_OK)
        return hub_store_fail (store, err);
    for (size_t i = 0; i < count; i++)
        if (!rows [i].revoked && streq (rows [i].network, network))
            *since_ms = rows [i].enrolled_at_ms;
    free (rows);
    return CII_OK;
}

//  Fills what the bundle says about the hub and the network: the hub key, the network's cantons.
static cii_rc_t
s_bundle_fill (hub_store_t *store, const char *network, const char *endpoint, cii_bundle_t *bundle, cii_err_t *err)
{
    char *hub_key = NULL;
    cii_rc_t rc = hub_store_setting_get (store, HUB_SETTING_PUBLIC_KEY, &hub_key);
    if (rc != CII_OK && rc != CII_NOT_FOUND)
        return hub_store_fail (store, err);
    if (!hub_key || strlen (hub_key) != 40) {
        free (hub_key);
        return cii_err_set (err, CII_REFUSED, "the hub has no key pair yet: run cii-hub init --certs DIR");
    }
    snprintf (bundle->network, sizeof bundle->network, "%s", network);
    snprintf (bundle->endpoint, sizeof bundle->endpoint, "%s", endpoint);
    snprintf (bundle->hub_public, sizeof bundle->hub_public, "%s", hub_key);
    free (hub_key);

    int64_t since = 0;
    if ((rc = s_active_since (store, network, &since, err)) != CII_OK)
        return rc;
    if (since) {
        char when [32];
        cii_util_iso8601 (since, when);
        return cii_err_set (err, CII_CONFLICT, "network %s already has an active agent (enrolled %s); revoke it first",
                            network, when);
    }
    hub_canton_row_t *cantons = NULL;
    size_t count = 0;
    if (hub_store_cantons (store, &cantons, &count) != CII_OK)
        return hub_store_fail (store, err);
    for (size_t i = 0; i < count; i++) {
        if (!streq (cantons [i].network, network))
            continue;
        size_t len = strlen (bundle->cantons);
        snprintf (bundle->cantons + len, sizeof bundle->cantons - len, "%s%s", len ? "," : "", cantons [i].code);
    }
    free (cantons);
    if (!*bundle->cantons)
        return cii_err_set (err, CII_REFUSED, "network %s has no cantons", network);
    return CII_OK;
}

cii_rc_t
hub_enrol_agent (hub_store_t *store, const char *network, const char *endpoint, const char *bundle_path,
                 hub_enrolled_t *out, cii_err_t *err)
{
    assert (store && network && bundle_path && out);
    memset (out, 0, sizeof *out);
    if (!hub_enrol_endpoint_valid (endpoint))
        return cii_err_set (err, CII_BAD_INPUT, "--endpoint must look like tcp://HOST:PORT");
    if (access (bundle_path, F_OK) == 0)
        return cii_err_set (err, CII_CONFLICT, "%s already exists: refusing to overwrite it", bundle_path);
    cii_rc_t rc = hub_networks_check_one (store, network, err);
    if (rc != CII_OK)
        return rc;

    cii_bundle_t bundle;
    memset (&bundle, 0, sizeof bundle);
    zcert_t *cert = NULL;
    bool own = false;
    if ((rc = s_bundle_fill (store, network, endpoint, &bundle, err)) != CII_OK)
        goto cleanup;
    cert = zcert_new ();
    if (!cert) {
        rc = cii_err_set (err, CII_FAILED, "cannot generate a key pair");
        goto cleanup;
    }
    snprintf (bundle.agent_public, sizeof bundle.agent_public, "%s", zcert_public_txt (cert));
    snprintf (bundle.agent_secret, sizeof bundle.agent_secret, "%s", zcert_secret_txt (cert));

    //  The agent row and the bundle file exist together or not at all: the row is inserted, the
    //  file written, and only then is the row committed (the file goes again if the commit fails).
    if (hub_store_tx_begin (store, "enroll", &own) != CII_OK) {
        rc = hub_store_fail (store, err);
        goto cleanup;
    }
    if (!own) {
        rc = cii_err_set (err, CII_FAILED, "enroll: cannot run inside an open transaction");
        goto cleanup;
    }
    if ((rc = hub_store_enroll (store, network, bundle.agent_public, &out->agent_id, err)) != CII_OK)
        goto cleanup;
    if ((rc = cii_bundle_save (&bundle, bundle_path, err)) != CII_OK)
        goto cleanup;
    own = false;
    if (hub_store_tx_end (store, "enroll", true, true) != CII_OK) {
        unlink (bundle_path);
        rc = hub_store_fail (store, err);
        goto cleanup;
    }
    snprintf (out->public_key, sizeof out->public_key, "%s", bundle.agent_public);
    zsys_info ("hub: network %s: agent %s enrolled, bundle %s", network, bundle.agent_public, bundle_path);

cleanup:
    if (own)
        hub_store_tx_end (store, "enroll", own, false);
    if (rc != CII_OK)
        out->agent_id = 0;
    memset (&bundle, 0, sizeof bundle);     //  the agent's secret key does not linger
    zcert_destroy (&cert);
    return rc;
}

cii_rc_t
hub_enrol_revoke (hub_store_t *store, const char *network, cii_err_t *err)
{
    assert (store && network);
    cii_rc_t rc = hub_networks_check_one (store, network, err);
    if (rc == CII_OK)
        rc = hub_store_revoke (store, network, err);
    return rc;
}

cii_rc_t
hub_enrol_agents (hub_store_t *store, hub_agent_row_t **rows_p, size_t *count_p, cii_err_t *err)
{
    assert (store && rows_p && count_p);
    if (hub_store_agent_list (store, rows_p, count_p) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
