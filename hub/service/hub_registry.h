/*  hub_registry.h — the canton -> network registry as the hub's rules need it: loaded from the
    store, held in memory by the serving hub (reloaded when the bureau changes it), asked which
    network a canton belongs to and which cantons a network holds. */
#ifndef HUB_REGISTRY_H_INCLUDED
#define HUB_REGISTRY_H_INCLUDED

#include <stddef.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"

typedef struct _hub_registry_t hub_registry_t;

/*  An empty registry (every canton unknown). NULL when out of memory. */
hub_registry_t *hub_registry_new (void);

/*  Frees it; sets *self_p to NULL; safe on NULL. */
void hub_registry_destroy (hub_registry_t **self_p);

/*  Replaces the content with the store's registry. On failure the previous content stays. */
cii_rc_t hub_registry_load (hub_registry_t *self, hub_store_t *store, cii_err_t *err);

/*  Sets canton's network (for the serving hub, which loads the rows through its database worker). */
void hub_registry_set (hub_registry_t *self, const char *canton, const char *network);

/*  The network canton belongs to now, or NULL (unknown canton). Borrowed until the next change. */
const char *hub_registry_network_of (const hub_registry_t *self, const char *canton);

/*  Whether canton belongs to network now: CII_OK; CII_NOT_FOUND "canton XX is not in the
    registry" (the code sanitised); CII_REFUSED "canton VD belongs to network lemanique, not ticino"
    (an upward message's NOT_AUTHORISED). */
cii_rc_t hub_registry_authorise (const hub_registry_t *self, const char *network, const char *canton,
                                 cii_err_t *err);

/*  The cantons of network, sorted, into cantons[CII_CANTON_COUNT] (borrowed codes); the count. */
size_t hub_registry_cantons_of (const hub_registry_t *self, const char *network,
                                const char *cantons [CII_CANTON_COUNT]);

#endif
