/*  cii_bundle.h — the enrollment bundle: one ZPL file (mode 0600) written by `cii-hub enroll` and
    read by `cii-agent init`, holding the agent's CURVE key pair, its network and cantons, and the
    hub's public key and endpoint. */
#ifndef CII_BUNDLE_H_INCLUDED
#define CII_BUNDLE_H_INCLUDED

#include <czmq.h>

#include "cii_rc.h"

#define CII_BUNDLE_MAX 65536     /* bytes of a bundle file */

typedef struct {
    char network[33];
    char endpoint[256];          /* tcp://HOST:PORT; several separated by ',' are allowed */
    char hub_public[41];         /* Z85 */
    char agent_public[41];       /* Z85 */
    char agent_secret[41];       /* Z85 */
    char cantons[26 * 3 + 1];    /* comma list, e.g. "VD,VS,GE" */
} cii_bundle_t;

/*  Writes bundle to path with mode 0600, refusing to overwrite an existing file: CII_OK;
    CII_CONFLICT "FILE already exists"; CII_FAILED "cannot write FILE: REASON". */
cii_rc_t cii_bundle_save (const cii_bundle_t *bundle, const char *path, cii_err_t *err);

/*  Loads and checks a bundle (all keys present and 40 chars Z85, network valid, cantons valid):
    CII_OK; CII_NOT_FOUND / CII_FAILED "cannot read bundle FILE: REASON" when unreadable;
    CII_BAD_INPUT when malformed, err naming what ("bundle FILE: missing or invalid hub/endpoint").
    On failure *bundle is all zeroes. */
cii_rc_t cii_bundle_load (cii_bundle_t *bundle, const char *path, cii_err_t *err);

#endif
