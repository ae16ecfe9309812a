/*  agent_store_config.h — the configuration aggregate of the agent's state: what `cii-agent init`
    took from the enrollment bundle (network, hub endpoint and key, the agent's key pair) and the
    network's cantons, replaced by every WELCOME. Tables `config` and `cantons`. */
#ifndef AGENT_STORE_CONFIG_H_INCLUDED
#define AGENT_STORE_CONFIG_H_INCLUDED

#include "agent_store.h"
#include "cii_bundle.h"

/*  Writes every field of config (cantons included) in one transaction (joins the caller's). The
    values are stored as given: checking them is the caller's (agent_setup). */
cii_rc_t agent_store_config_put (agent_store_t *self, const cii_bundle_t *config, cii_err_t *err);

/*  Reads the configuration into *config (zeroed first): cantons as a comma list in the order they
    were given. CII_NOT_FOUND when no network is configured (an incomplete init). */
cii_rc_t agent_store_config_get (agent_store_t *self, cii_bundle_t *config, cii_err_t *err);

/*  Replaces the network's cantons (codes as given, in order) in one transaction. */
cii_rc_t agent_store_cantons_set (agent_store_t *self, const char *const *cantons, size_t count, cii_err_t *err);

/*  True in *member_p when canton is one of the network's cantons. */
cii_rc_t agent_store_canton_member (agent_store_t *self, const char *canton, bool *member_p, cii_err_t *err);

#endif
