/*  hub_enrol.h — enrolment of the agent of a regional network (one active agent per network): a
    new CURVE key pair, the agent row and the bundle file the coordinator installs with `cii-agent
    init` exist together or not at all; revocation; the listing of agents with their status. */
#ifndef HUB_ENROL_H_INCLUDED
#define HUB_ENROL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_agents.h"

/*  True if endpoint is what a bundle may carry: "tcp://..." without blanks, short enough for the
    bundle (several endpoints separated by ',' are allowed). */
bool hub_enrol_endpoint_valid (const char *endpoint);

/*  What hub_enrol_agent made. */
typedef struct {
    int64_t agent_id;
    char public_key [41];       /* the agent's public key, Z85 (the secret one is only in the bundle) */
} hub_enrolled_t;

/*  Enrols a new agent for network: makes its key pair, inserts it and writes the bundle (mode
    0600: the agent's keys, the network and its cantons, the hub's public key and endpoint) to
    bundle_path, all or nothing: when the file cannot be written nothing is enrolled, when the
    commit fails the file is removed. Needs its own transaction (CII_FAILED inside an open one).
    Refusals, checked in this order, nothing changed:
    CII_BAD_INPUT "--endpoint must look like tcp://HOST:PORT" (hub_enrol_endpoint_valid);
    CII_CONFLICT "FILE already exists: refusing to overwrite it";
    CII_NOT_FOUND "unknown network N";
    CII_REFUSED "the hub has no key pair yet: run cii-hub init --certs DIR";
    CII_CONFLICT "network N already has an active agent (enrolled TIME); revoke it first";
    CII_REFUSED "network N has no cantons";
    CII_FAILED "cannot write FILE: REASON"; or the database error. */
cii_rc_t hub_enrol_agent (hub_store_t *store, const char *network, const char *endpoint, const char *bundle_path,
                          hub_enrolled_t *out, cii_err_t *err);

/*  Revokes the active agent of network: its key is refused from now on (the serving hub closes its
    session). CII_NOT_FOUND "unknown network N" or "network N has no active agent". */
cii_rc_t hub_enrol_revoke (hub_store_t *store, const char *network, cii_err_t *err);

/*  Every agent, revoked ones included, by network then id: *count_p rows in a new array *rows_p
    (free()). */
cii_rc_t hub_enrol_agents (hub_store_t *store, hub_agent_row_t **rows_p, size_t *count_p, cii_err_t *err);

#endif
