/*  hub_networks.c — a network named in a bureau operation must exist (see hub_networks.h). */
#include "hub_networks.h"
#include "hub_store_notices.h"

#include <assert.h>

#include "cii_domain.h"

cii_rc_t
hub_networks_check (hub_store_t *store, const char *const *networks, size_t count, cii_err_t *err)
{
    assert (store && (count == 0 || networks));
    //  A name that cannot be a network is unknown without asking the database (and never reaches
    //  it: it may be anything the user typed).
    for (size_t i = 0; i < count; i++)
        if (!networks [i] || !cii_domain_network_name_valid (networks [i]))
            return cii_err_set (err, CII_NOT_FOUND, "unknown network %s", networks [i] ? networks [i] : "");
    return hub_store_networks_exist (store, networks, count, err);
}

cii_rc_t
hub_networks_check_one (hub_store_t *store, const char *network, cii_err_t *err)
{
    assert (network);
    return hub_networks_check (store, &network, 1, err);
}
