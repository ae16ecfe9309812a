/*  hub_networks.h — the one rule that names a network in a bureau operation (enrol, revoke, address
    a notice, list a network's signals): a valid network name that the registry holds. Everything
    else about networks (which cantons, which agent) is asked of the registry and the agents. */
#ifndef HUB_NETWORKS_H_INCLUDED
#define HUB_NETWORKS_H_INCLUDED

#include <stddef.h>

#include "cii_rc.h"
#include "hub_store.h"

/*  CII_OK when every one of the count names is a valid network name (cii_domain_network_name_valid)
    held by the registry; else CII_NOT_FOUND "unknown network NAME" for the first that is not (in
    the order given), or the database error. count 0 is CII_OK. */
cii_rc_t hub_networks_check (hub_store_t *store, const char *const *networks, size_t count, cii_err_t *err);

/*  The same for one network. */
cii_rc_t hub_networks_check_one (hub_store_t *store, const char *network, cii_err_t *err);

#endif
