/*  test_hub_setup.c — the setup service (hub_setup) against a real PostgreSQL: init migrates,
    creates the key pair owner-only and stores its public key, changes nothing when run again, and
    refuses every way of orphaning the bundles issued so far; serve's key pair load; the schema
    check on open. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub_setup.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "unit_fs.h"
#include "unit_hub.h"

static void
test_init (void **state)
{
    unit_hub_t *hub = *state;
    char *certs = unit_path (hub->dir, "deep/certs");
    char *pub = unit_path (certs, "hub.cert");
    char *sec = unit_path (certs, "hub.cert_secret");
    hub_setup_info_t info;
    cii_err_t err;
    assert_int_equal (hub_setup_init (hub->store, certs, &info, &err), CII_OK);
    assert_int_equal (info.schema_version, hub_store_binary_schema_version ());
    assert_true (info.created);
    assert_string_equal (info.cert_path, pub);
    assert_int_equal (strlen (info.public_key), 40);
    assert_int_equal (unit_mode (certs), 0700);
    assert_int_equal (unit_mode (sec) & 0077, 0);
    assert_int_equal (unit_mode (pub), 0644);
    zcert_t *cert = zcert_load (pub);
    assert_non_null (cert);
    assert_string_equal (zcert_public_txt (cert), info.public_key);
    zcert_destroy (&cert);
    char *stored = NULL;
    assert_int_equal (hub_store_setting_get (hub->store, HUB_SETTING_PUBLIC_KEY, &stored), CII_OK);
    assert_string_equal (stored, info.public_key);
    free (stored);

    //  Again: the same key, the same files, the same schema.
    char *secret = unit_read (sec, NULL);
    hub_setup_info_t again;
    assert_int_equal (hub_setup_init (hub->store, certs, &again, &err), CII_OK);
    assert_false (again.created);
    assert_string_equal (again.public_key, info.public_key);
    assert_int_equal (again.schema_version, info.schema_version);
    char *secret2 = unit_read (sec, NULL);
    assert_string_equal (secret, secret2);
    free (secret);
    free (secret2);
    free (certs);
    free (pub);
    free (sec);
}

static void
test_init_refusals (void **state)
{
    unit_hub_t *hub = *state;
    char *certs = unit_path (hub->dir, "certs");
    hub_setup_info_t info;
    cii_err_t err;
    assert_int_equal (hub_setup_init (hub->store, certs, &info, &err), CII_OK);

    //  Another, empty directory would orphan the bundles: refused, nothing written there.
    char *other = unit_path (hub->dir, "other");
    assert_int_equal (hub_setup_init (hub->store, other, &info, &err), CII_CONFLICT);
    char expect [300];
    char *stored = NULL;
    assert_int_equal (hub_store_setting_get (hub->store, HUB_SETTING_PUBLIC_KEY, &stored), CII_OK);
    snprintf (expect, sizeof expect, "the database already has hub key %s but %s holds no key pair: use the "
                                     "certificates directory of the first init", stored, other);
    assert_string_equal (err.text, expect);
    char *other_pub = unit_path (other, "hub.cert");
    assert_int_equal (access (other_pub, F_OK), -1);

    //  Half a key pair.
    char *half = unit_path (hub->dir, "half");
    char *half_pub = unit_path (half, "hub.cert");
    assert_int_equal (hub_setup_init (hub->store, half, &info, &err), CII_CONFLICT);     //  creates the directory
    unit_write_text (half_pub, "not a certificate\n");
    assert_int_equal (hub_setup_init (hub->store, half, &info, &err), CII_CONFLICT);
    assert_non_null (strstr (err.text, "holds half a key pair (" ));
    assert_non_null (strstr (err.text, "hub.cert_secret missing): restore it, or use a new directory"));

    //  A whole key pair that is not the database's.
    char *foreign = unit_path (hub->dir, "foreign");
    unit_pg_exec (hub->pg, "DELETE FROM settings");
    assert_int_equal (hub_setup_init (hub->store, foreign, &info, &err), CII_OK);       //  a new pair
    char *foreign_key = strdup (info.public_key);
    unit_pg_exec (hub->pg, "UPDATE settings SET value = '%s'", stored);
    assert_int_equal (hub_setup_init (hub->store, foreign, &info, &err), CII_CONFLICT);
    snprintf (expect, sizeof expect, "the database holds hub key %s, %s holds %s: use the matching certificates "
                                     "directory", stored, foreign, foreign_key);
    assert_string_equal (err.text, expect);

    //  A directory that cannot be made.
    char *blocked = unit_path (half_pub, "certs");
    assert_int_equal (hub_setup_init (hub->store, blocked, &info, &err), CII_FAILED);
    assert_int_equal (strncmp (err.text, "cannot create ", 14), 0);
    assert_null (strchr (err.text, '\n'));
    free (blocked);
    free (foreign);
    free (foreign_key);
    free (half);
    free (half_pub);
    free (other);
    free (other_pub);
    free (stored);
    free (certs);
}

static void
test_load_cert (void **state)
{
    unit_hub_t *hub = *state;
    char *certs = unit_path (hub->dir, "certs");
    cii_err_t err;
    assert_null (hub_setup_load_cert (hub->store, certs, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    char expect [600];
    snprintf (expect, sizeof expect, "cannot load the hub key pair %s/hub.cert(_secret): run cii-hub init --certs %s",
              certs, certs);
    assert_string_equal (err.text, expect);
    hub_setup_info_t info;
    assert_int_equal (hub_setup_init (hub->store, certs, &info, &err), CII_OK);
    zcert_t *cert = hub_setup_load_cert (hub->store, certs, &err);
    assert_non_null (cert);
    assert_string_equal (zcert_public_txt (cert), info.public_key);
    zcert_destroy (&cert);
    //  Another key in the database: still loaded (the operator may be replacing it), with a warning.
    unit_pg_exec (hub->pg, "UPDATE settings SET value = repeat ('Q', 40)");
    cert = hub_setup_load_cert (hub->store, certs, NULL);
    assert_non_null (cert);
    zcert_destroy (&cert);
    cert = hub_setup_load_cert (NULL, certs, NULL);
    assert_non_null (cert);
    zcert_destroy (&cert);
    //  A secret loosened by a restore or a copy: refused, naming the file and the chmod to run.
    char *sec = unit_path (certs, "hub.cert_secret");
    assert_int_equal (chmod (sec, 0644), 0);
    assert_null (hub_setup_load_cert (hub->store, certs, &err));
    assert_int_equal (err.rc, CII_REFUSED);
    snprintf (expect, sizeof expect, "%s is readable or writable by group or others (mode 0644): run chmod 600 %s",
              sec, sec);
    assert_string_equal (err.text, expect);
    assert_int_equal (chmod (sec, 0600), 0);
    cert = hub_setup_load_cert (hub->store, certs, &err);
    assert_non_null (cert);
    zcert_destroy (&cert);
    //  Without the secret half: refused.
    assert_int_equal (unlink (sec), 0);
    assert_null (hub_setup_load_cert (hub->store, certs, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    free (sec);
    free (certs);
}

static void
test_connect (void **state)
{
    unit_hub_t *hub = *state;
    cii_err_t err;
    assert_null (hub_setup_connect (hub->pg->conninfo, &err));
    assert_int_equal (err.rc, CII_CONFLICT);
    char expect [160];
    snprintf (expect, sizeof expect, "database schema is version 0, this cii-hub needs %d: run cii-hub init",
              hub_store_binary_schema_version ());
    assert_string_equal (err.text, expect);
    int version = 0;
    assert_int_equal (hub_store_migrate (hub->store, &version, NULL), CII_OK);
    hub_store_t *store = hub_setup_connect (hub->pg->conninfo, &err);
    assert_non_null (store);
    hub_store_destroy (&store);
    assert_null (hub_setup_connect ("dbname=cii_no_such_database_here", &err));
    assert_int_equal (err.rc, CII_UNAVAILABLE);
    assert_non_null (strstr (err.text, "cannot connect to PostgreSQL"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_init, unit_hub_setup_empty, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_init_refusals, unit_hub_setup_empty, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_load_cert, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_connect, unit_hub_setup_empty, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
