/*  test_kinds.c — the test-only kinds "probe-up" and "probe-down" (see test_kinds.h). */
#include "test_kinds.h"
#include "cii_domain.h"

#include <string.h>

static cii_rc_t
s_check_probe (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    const CiiTest__Probe *probe = (const CiiTest__Probe *) item;
    size_t len = probe->text ? strlen (probe->text) : 0;
    if (len == 0)
        return cii_err_set (err, CII_BAD_INPUT, "%s.text: missing", prefix);
    if (len > CII_MAX_TITLE)
        return cii_err_set (err, CII_BAD_INPUT, "%s.text: %zu bytes, limit %d", prefix, len, CII_MAX_TITLE);
    if (!cii_domain_utf8_valid (probe->text, len))
        return cii_err_set (err, CII_BAD_INPUT, "%s.text: not valid UTF-8", prefix);
    return CII_OK;
}

const cii_kind_t test_kind_probe_up = {
    "probe-up", CII_UP, TEST_KIND_FIELD, &cii_test__probe__descriptor, s_check_probe
};
const cii_kind_t test_kind_probe_down = {
    "probe-down", CII_DOWN, TEST_KIND_FIELD, &cii_test__probe__descriptor, s_check_probe
};

cii_rc_t
test_kinds_register (void)
{
    cii_rc_t rc = CII_OK;
    if (cii_kind_find ("probe-up") != &test_kind_probe_up)
        rc = cii_kind_register (&test_kind_probe_up);
    if (rc == CII_OK && cii_kind_find ("probe-down") != &test_kind_probe_down)
        rc = cii_kind_register (&test_kind_probe_down);
    return rc;
}

void
test_kinds_unregister (void)
{
    cii_kind_unregister (&test_kind_probe_up);
    cii_kind_unregister (&test_kind_probe_down);
}
