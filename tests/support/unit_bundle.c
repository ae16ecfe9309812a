/*  unit_bundle.c — enrolment bundles with fresh keys for the unit tests (see unit_bundle.h). */
#include "unit_bundle.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

void
unit_bundle_fill (cii_bundle_t *bundle, const char *network, const char *cantons, const char *endpoint)
{
    assert_non_null (bundle);
    memset (bundle, 0, sizeof *bundle);
    zcert_t *agent = zcert_new ();
    zcert_t *hub = zcert_new ();
    assert_non_null (agent);
    assert_non_null (hub);
    snprintf (bundle->network, sizeof bundle->network, "%s", network);
    snprintf (bundle->endpoint, sizeof bundle->endpoint, "%s", endpoint);
    snprintf (bundle->cantons, sizeof bundle->cantons, "%s", cantons);
    snprintf (bundle->hub_public, sizeof bundle->hub_public, "%s", zcert_public_txt (hub));
    snprintf (bundle->agent_public, sizeof bundle->agent_public, "%s", zcert_public_txt (agent));
    snprintf (bundle->agent_secret, sizeof bundle->agent_secret, "%s", zcert_secret_txt (agent));
    zcert_destroy (&agent);
    zcert_destroy (&hub);
}

void
unit_bundle_save (cii_bundle_t *bundle, const char *network, const char *cantons, const char *endpoint,
                  const char *path)
{
    unit_bundle_fill (bundle, network, cantons, endpoint);
    if (cii_bundle_save (bundle, path, NULL) != CII_OK)
        fail_msg ("cannot save the bundle %s", path);
}
