/*  hub_intake.c — the upward path's rules at the hub (see hub_intake.h). */
#include "hub_intake.h"
#include "hub_networks.h"

#include <assert.h>
#include <string.h>

cii_rc_t
hub_intake_authorise_signal (const hub_registry_t *registry, const char *network, const cii_signal_t *signal,
                             cii_err_t *err)
{
    assert (registry && network && signal);
    const char *owner = hub_registry_network_of (registry, signal->canton);
    if (!owner)
        return cii_err_set (err, CII_NOT_FOUND, "canton %s is not in the registry", signal->canton);
    if (strcmp (owner, network) != 0)
        return cii_err_set (err, CII_REFUSED, "canton %s belongs to network %s, not %s", signal->canton, owner,
                            network);
    return CII_OK;
}

cii_rc_t
hub_intake_signals (hub_store_t *store, const char *network, hub_signal_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    if (network) {
        cii_rc_t rc = hub_networks_check_one (store, network, err);
        if (rc != CII_OK)
            return rc;
    }
    if (hub_store_signals (store, network, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
