/*  test_kinds.h — two test-only message kinds, not in proto/cii.proto: "probe-up" (an Envelope
    body, field 90) and "probe-down" (a Deliver item, field 90), both a cii_test.Probe
    (tests/support/cii_test.proto). Registered at run time with cii_kind_register, they travel
    through the real codec, hub and agent code as any kind does. */
#ifndef TEST_KINDS_H_INCLUDED
#define TEST_KINDS_H_INCLUDED

#include "cii_kind.h"
#include "cii_test.pb-c.h"

#define TEST_KIND_FIELD 90

extern const cii_kind_t test_kind_probe_up;
extern const cii_kind_t test_kind_probe_down;

/*  Registers both kinds with the codec (once; CII_OK when already registered). */
cii_rc_t test_kinds_register (void);

/*  Removes them again. */
void test_kinds_unregister (void);

#endif
