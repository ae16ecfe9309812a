/*  unit_bundle.h — enrolment bundles for the unit tests: a bundle as `cii-hub enroll` would write
    it, with fresh CURVE keys for the agent and a stand-in hub, without a hub. */
#ifndef UNIT_BUNDLE_H_INCLUDED
#define UNIT_BUNDLE_H_INCLUDED

#include "cii_bundle.h"

/*  Fills bundle: network, cantons (comma list), endpoint, and new key pairs (the agent's, and a
    hub public key). */
void unit_bundle_fill (cii_bundle_t *bundle, const char *network, const char *cantons, const char *endpoint);

/*  unit_bundle_fill, then writes the bundle to path (cii_bundle_save: mode 0600). */
void unit_bundle_save (cii_bundle_t *bundle, const char *network, const char *cantons, const char *endpoint,
                       const char *path);

#endif
