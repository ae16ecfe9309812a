/*  agent_setup.h — the agent's state directory as a whole: `cii-agent init` (a new state from an
    enrollment bundle: the bundle's network and cantons checked, keys stored, owner-only modes)
    and opening an initialised state for every other use case and for the daemon. */
#ifndef AGENT_SETUP_H_INCLUDED
#define AGENT_SETUP_H_INCLUDED

#include "agent_store.h"
#include "cii_bundle.h"

/*  Creates the state in state_dir from the enrollment bundle at bundle_path: the network name,
    the canton list (distinct codes of the 26; may be empty) and the keys are checked, then written in one
    transaction; nothing is left behind on failure. *config (may be NULL) receives what was
    stored, the agent's secret key wiped. CII_BAD_INPUT for a bad bundle ("bundle canton list 'X'
    is not valid", cii_bundle_load's reason), CII_CONFLICT when the state exists already, else
    what failed. */
cii_rc_t agent_setup_init (const char *state_dir, const char *bundle_path, cii_bundle_t *config, cii_err_t *err);

/*  Opens the state in state_dir (migrated in place) and reads its configuration into *config
    (may be NULL: the caller then has no use for it); log lines of the store name the network.
    NULL with err: CII_NOT_FOUND "DIR is not initialised (...)", CII_REFUSED for a state made by a
    newer cii-agent, CII_NOT_FOUND "PATH has no network configured (incomplete init?)". */
agent_store_t *agent_setup_open (const char *state_dir, cii_bundle_t *config, cii_err_t *err);

/*  A comma list of cantons ("VD,VS,GE") as people read it ("VD, VS, GE") into buf (size bytes;
    twice the list's length is always enough). */
void agent_setup_cantons_text (const char *list, char *buf, size_t size);

#endif
