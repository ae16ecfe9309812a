/*  test_hub_store_registry.c — hub_store_registry against a real PostgreSQL: the seeded registry
    (26 cantons, seven networks, institutions, target groups, UTF-8 names), canton -> network rows,
    network lookups and the settings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_notices.h"
#include "hub_store_registry.h"
#include "unit_hub.h"

static void
test_seed (void **state)
{
    unit_hub_t *hub = *state;
    hub_canton_row_t *rows = NULL;
    size_t count = 0;
    assert_int_equal (hub_store_cantons (hub->store, &rows, &count), CII_OK);
    assert_int_equal (count, 26);
    assert_string_equal (rows [0].code, "AG");                  //  by code
    bool vd = false;
    for (size_t i = 0; i < count; i++)
        if (streq (rows [i].code, "VD"))
            vd = streq (rows [i].network, "lemanique");
    free (rows);
    assert_true (vd);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM networks"), 7);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM institutions"), 6);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM target_groups"), 5);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM cantons WHERE network = 'ost'"), 7);
    char *name = unit_pg_text (hub->pg, "SELECT name FROM cantons WHERE code = 'ZH'");
    assert_string_equal (name, "Z\xc3\xbcrich");
    free (name);
    char *langs = unit_pg_text (hub->pg, "SELECT languages::text FROM cantons WHERE code = 'GR'");
    assert_string_equal (langs, "{de,it,rm}");
    free (langs);
}

static void
test_networks (void **state)
{
    unit_hub_t *hub = *state;
    assert_int_equal (hub_store_network_exists (hub->store, "lemanique"), CII_OK);
    assert_int_equal (hub_store_network_exists (hub->store, "atlantis"), CII_NOT_FOUND);
    const char *known [] = { "ticino", "ost" };
    assert_int_equal (hub_store_networks_exist (hub->store, known, 2, NULL), CII_OK);
    assert_int_equal (hub_store_networks_exist (hub->store, NULL, 0, NULL), CII_OK);
    const char *some [] = { "ticino", "atlantis", "mu" };
    cii_err_t err;
    assert_int_equal (hub_store_networks_exist (hub->store, some, 3, &err), CII_NOT_FOUND);
    assert_int_equal (err.rc, CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    //  A registry change is seen at once.
    unit_pg_exec (hub->pg, "INSERT INTO networks (name) VALUES ('atlantis')");
    assert_int_equal (hub_store_network_exists (hub->store, "atlantis"), CII_OK);
}

static void
test_settings (void **state)
{
    unit_hub_t *hub = *state;
    char *value = (char *) "untouched";
    assert_int_equal (hub_store_setting_get (hub->store, "hub_public_key", &value), CII_NOT_FOUND);
    assert_null (value);
    assert_int_equal (hub_store_setting_set (hub->store, "hub_public_key", "first"), CII_OK);
    assert_int_equal (hub_store_setting_get (hub->store, "hub_public_key", &value), CII_OK);
    assert_string_equal (value, "first");
    free (value);
    assert_int_equal (hub_store_setting_set (hub->store, "hub_public_key", "Zweiter Schlüssel"), CII_OK);
    assert_int_equal (hub_store_setting_get (hub->store, "hub_public_key", &value), CII_OK);
    assert_string_equal (value, "Zweiter Schlüssel");
    free (value);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM settings WHERE key = 'hub_public_key'"), 1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_seed, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_networks, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_settings, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
