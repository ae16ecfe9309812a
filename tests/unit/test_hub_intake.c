/*  test_hub_intake.c — the intake service (hub_intake) with the registry (hub_registry) against a
    real PostgreSQL: a signal only for a canton of the sender's network, as the registry says now,
    and the listing of a network's signals (an unknown network refused). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_intake.h"
#include "hub_registry.h"
#include "hub_store_ingest.h"
#include "unit_domain.h"
#include "unit_hub.h"

static void
test_authorise (void **state)
{
    unit_hub_t *hub = *state;
    hub_registry_t *registry = hub_registry_new ();
    assert_non_null (registry);
    cii_signal_t signal;
    unit_domain_signal (&signal, "VD", "Signal vaudois");
    cii_err_t err;
    //  An empty registry knows no canton.
    assert_int_equal (hub_intake_authorise_signal (registry, "lemanique", &signal, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "canton VD is not in the registry");
    assert_int_equal (hub_registry_load (registry, hub->store, &err), CII_OK);
    assert_int_equal (hub_intake_authorise_signal (registry, "lemanique", &signal, &err), CII_OK);
    assert_int_equal (hub_intake_authorise_signal (registry, "ticino", &signal, &err), CII_REFUSED);
    assert_string_equal (err.text, "canton VD belongs to network lemanique, not ticino");
    unit_domain_signal (&signal, "ZZ", "no such canton");
    assert_int_equal (hub_intake_authorise_signal (registry, "lemanique", &signal, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "canton ZZ is not in the registry");

    //  The bureau moves a canton: the rule follows the registry once reloaded.
    unit_pg_exec (hub->pg, "UPDATE cantons SET network = 'mittelland' WHERE code = 'VS'");
    unit_domain_signal (&signal, "VS", "Signal valaisan");
    assert_int_equal (hub_intake_authorise_signal (registry, "lemanique", &signal, NULL), CII_OK);
    assert_int_equal (hub_registry_load (registry, hub->store, &err), CII_OK);
    assert_int_equal (hub_intake_authorise_signal (registry, "lemanique", &signal, &err), CII_REFUSED);
    assert_string_equal (err.text, "canton VS belongs to network mittelland, not lemanique");
    assert_int_equal (hub_intake_authorise_signal (registry, "mittelland", &signal, NULL), CII_OK);
    const char *cantons [CII_CANTON_COUNT];
    assert_int_equal (hub_registry_cantons_of (registry, "lemanique", cantons), 2);
    assert_string_equal (cantons [0], "GE");
    assert_string_equal (cantons [1], "VD");
    hub_registry_destroy (&registry);
    hub_registry_destroy (&registry);
}

static bool
s_count_cb (const hub_signal_row_t *row, void *arg)
{
    (void) row;
    (*(int *) arg)++;
    return true;
}

static void
test_signals (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    cii_signal_t signal;
    unit_domain_signal (&signal, "GE", "Signal genevois");
    hub_ingest_item_t item = { .agent_id = lem, .network = "lemanique", .message_id = "m-1",
                               .shape = &hub_store_signal_shape, .item = &signal };
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    int rows = 0;
    cii_err_t err;
    assert_int_equal (hub_intake_signals (hub->store, "lemanique", s_count_cb, &rows, &err), CII_OK);
    assert_int_equal (rows, 1);
    rows = 0;
    assert_int_equal (hub_intake_signals (hub->store, "ticino", s_count_cb, &rows, &err), CII_OK);
    assert_int_equal (rows, 0);
    assert_int_equal (hub_intake_signals (hub->store, NULL, s_count_cb, &rows, &err), CII_OK);
    assert_int_equal (rows, 1);
    //  A network the registry does not have, or no network name at all: refused, nothing listed.
    rows = 0;
    assert_int_equal (hub_intake_signals (hub->store, "atlantis", s_count_cb, &rows, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    assert_int_equal (hub_intake_signals (hub->store, "GE'; --", s_count_cb, &rows, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network GE'; --");
    assert_int_equal (rows, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_authorise, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_signals, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
