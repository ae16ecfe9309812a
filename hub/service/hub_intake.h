/*  hub_intake.h — the upward path's rules at the hub: what a network's agent may send (a signal
    only for a canton of its own network, as the registry says now), and the listing of signals. */
#ifndef HUB_INTAKE_H_INCLUDED
#define HUB_INTAKE_H_INCLUDED

#include "cii_domain.h"
#include "hub_registry.h"
#include "hub_store.h"
#include "hub_store_signals.h"

/*  CII_OK when the agent of network may send signal: its canton belongs to that network in the
    registry now. CII_NOT_FOUND "canton XX is not in the registry" (UNKNOWN_CANTON on the wire),
    CII_REFUSED "canton VD belongs to network lemanique, not ticino" (NOT_AUTHORISED). The signal
    itself was checked by the codec. */
cii_rc_t hub_intake_authorise_signal (const hub_registry_t *registry, const char *network,
                                      const cii_signal_t *signal, cii_err_t *err);

/*  Calls fn for every signal of network (all when NULL), in arrival order. CII_NOT_FOUND "unknown
    network X" for a network the registry does not have. */
cii_rc_t hub_intake_signals (hub_store_t *store, const char *network, hub_signal_fn *fn, void *arg,
                             cii_err_t *err);

#endif
