/*  hub_registry.c — the canton -> network registry in memory (see hub_registry.h). 26 cantons:
    a fixed table indexed like cii_domain_canton_at, no hashing needed. */
#include "hub_registry.h"
#include "hub_store_registry.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct _hub_registry_t {
    char network [CII_CANTON_COUNT][CII_MAX_NETWORK_NAME + 1];     //  "" = unknown
};

hub_registry_t *
hub_registry_new (void)
{
    return calloc (1, sizeof (hub_registry_t));
}

void
hub_registry_destroy (hub_registry_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

static int
s_index (const char *canton)
{
    for (size_t i = 0; canton && i < CII_CANTON_COUNT; i++)
        if (strcmp (cii_domain_canton_at (i), canton) == 0)
            return (int) i;
    return -1;
}

void
hub_registry_set (hub_registry_t *self, const char *canton, const char *network)
{
    assert (self);
    int i = s_index (canton);
    if (i >= 0 && network && strlen (network) <= CII_MAX_NETWORK_NAME)
        strcpy (self->network [i], network);
}

cii_rc_t
hub_registry_load (hub_registry_t *self, hub_store_t *store, cii_err_t *err)
{
    assert (self && store);
    hub_canton_row_t *rows = NULL;
    size_t count = 0;
    if (hub_store_cantons (store, &rows, &count) != CII_OK)
        return hub_store_fail (store, err);
    memset (self->network, 0, sizeof self->network);
    for (size_t i = 0; i < count; i++)
        hub_registry_set (self, rows [i].code, rows [i].network);
    free (rows);
    return CII_OK;
}

const char *
hub_registry_network_of (const hub_registry_t *self, const char *canton)
{
    assert (self);
    int i = s_index (canton);
    return i >= 0 && self->network [i][0] ? self->network [i] : NULL;
}

cii_rc_t
hub_registry_authorise (const hub_registry_t *self, const char *network, const char *canton, cii_err_t *err)
{
    const char *owner = hub_registry_network_of (self, canton);
    char shown [12];
    if (!owner)
        return cii_err_set (err, CII_NOT_FOUND, "canton %s is not in the registry", cii_domain_sanitize (canton, shown));
    if (strcmp (owner, network) != 0)
        return cii_err_set (err, CII_REFUSED, "canton %s belongs to network %s, not %s", canton, owner, network);
    return CII_OK;
}

size_t
hub_registry_cantons_of (const hub_registry_t *self, const char *network, const char *cantons [CII_CANTON_COUNT])
{
    assert (self && network);
    size_t n = 0;
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)        //  cii_domain_canton_at is alphabetical
        if (strcmp (self->network [i], network) == 0)
            cantons [n++] = cii_domain_canton_at (i);
    return n;
}
