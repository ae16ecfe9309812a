/*  cii_bundle.h — the enrollment bundle: one ZPL file (mode 0600) written by `cii-hub enroll` and
    read by `cii-agent init`, holding the agent's CURVE key pair, its network and cantons, and the
    hub's public key and endpoint. */
#ifndef CII_BUNDLE_H_INCLUDED
#define CII_BUNDLE_H_INCLUDED

#include <czmq.h>

typedef struct {
    char network[33];
    char endpoint[256];          /* tcp://HOST:PORT; several separated by ',' are allowed */
    char hub_public[41];         /* Z85 */
    char agent_public[41];       /* Z85 */
    char agent_secret[41];       /* Z85 */
    char cantons[26 * 3 + 1];    /* comma list, e.g. "VD,VS,GE" */
} cii_bundle_t;

/*  Writes bundle to path with mode 0600 (refuses to overwrite an existing file). 0 or -1 with
    errno set / a reason logged. */
int cii_bundle_save (const cii_bundle_t *bundle, const char *path);

/*  Loads and checks a bundle (all keys present and 40 chars Z85, network valid). 0 on success,
    -1 if unreadable, -2 if malformed; reason (when not NULL, size reason_size) says which. */
int cii_bundle_load (cii_bundle_t *bundle, const char *path, char *reason, size_t reason_size);

#endif
