/*  test_hub_enrol.c — the enrolment service (hub_enrol) against a real PostgreSQL: a bundle with
    the network's cantons and the hub's key, the agent row and the bundle file together or not at
    all (nothing enrolled when the file cannot be written), every refusal with its reason and
    nothing changed, revocation, the listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_bundle.h"
#include "hub_enrol.h"
#include "hub_setup.h"
#include "unit_fs.h"
#include "unit_hub.h"

#define ENDPOINT "tcp://hub.example:7300"

//  A hub that went through init: its public key in *hub_key.
static void
s_init (unit_hub_t *hub, char hub_key [41])
{
    char *certs = unit_path (hub->dir, "certs");
    hub_setup_info_t info;
    cii_err_t err;
    if (hub_setup_init (hub->store, certs, &info, &err) != CII_OK)
        fail_msg ("init: %s", err.text);
    snprintf (hub_key, 41, "%s", info.public_key);
    free (certs);
}

static void
test_endpoint (void **state)
{
    (void) state;
    assert_true (hub_enrol_endpoint_valid ("tcp://hub.example:7300"));
    assert_true (hub_enrol_endpoint_valid ("tcp://a:1,tcp://b:2"));
    assert_false (hub_enrol_endpoint_valid (NULL));
    assert_false (hub_enrol_endpoint_valid (""));
    assert_false (hub_enrol_endpoint_valid ("udp://x"));
    assert_false (hub_enrol_endpoint_valid ("tcp://a b:1"));
    assert_false (hub_enrol_endpoint_valid ("tcp://a:1\n"));
    char long_one [300];
    memset (long_one, 'h', sizeof long_one - 1);
    memcpy (long_one, "tcp://", 6);
    long_one [sizeof long_one - 1] = 0;
    assert_false (hub_enrol_endpoint_valid (long_one));
}

static void
test_enrol (void **state)
{
    unit_hub_t *hub = *state;
    char hub_key [41];
    s_init (hub, hub_key);
    char *path = unit_path (hub->dir, "lemanique.bundle");
    hub_enrolled_t enrolled;
    cii_err_t err;
    assert_int_equal (hub_enrol_agent (hub->store, "lemanique", ENDPOINT, path, &enrolled, &err), CII_OK);
    assert_true (enrolled.agent_id > 0);
    cii_bundle_t bundle;
    assert_int_equal (cii_bundle_load (&bundle, path, NULL), CII_OK);
    assert_string_equal (bundle.network, "lemanique");
    assert_string_equal (bundle.cantons, "GE,VD,VS");
    assert_string_equal (bundle.hub_public, hub_key);
    assert_string_equal (bundle.endpoint, ENDPOINT);
    assert_string_equal (bundle.agent_public, enrolled.public_key);
    assert_int_equal (unit_mode (path), 0600);
    hub_agent_row_t row = unit_hub_agent (hub, enrolled.agent_id);
    assert_string_equal (row.public_key, enrolled.public_key);
    assert_string_equal (row.network, "lemanique");
    assert_false (row.revoked);

    hub_agent_row_t *rows = NULL;
    size_t count = 0;
    assert_int_equal (hub_enrol_agents (hub->store, &rows, &count, &err), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (rows [0].id, enrolled.agent_id);
    free (rows);
    free (path);
}

static void
test_refusals (void **state)
{
    unit_hub_t *hub = *state;
    char *path = unit_path (hub->dir, "x.bundle");
    hub_enrolled_t enrolled;
    cii_err_t err;
    //  Before init: no hub key to put in the bundle.
    assert_int_equal (hub_enrol_agent (hub->store, "ost", ENDPOINT, path, &enrolled, &err), CII_REFUSED);
    assert_string_equal (err.text, "the hub has no key pair yet: run cii-hub init --certs DIR");
    char hub_key [41];
    s_init (hub, hub_key);

    assert_int_equal (hub_enrol_agent (hub->store, "ost", "udp://x", path, &enrolled, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "--endpoint must look like tcp://HOST:PORT");
    assert_int_equal (hub_enrol_agent (hub->store, "atlantis", ENDPOINT, path, &enrolled, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    assert_int_equal (hub_enrol_agent (hub->store, "Not A Name", ENDPOINT, path, &enrolled, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network Not A Name");
    //  A network the bureau configured without cantons.
    unit_pg_exec (hub->pg, "INSERT INTO networks (name) VALUES ('leer')");
    assert_int_equal (hub_enrol_agent (hub->store, "leer", ENDPOINT, path, &enrolled, &err), CII_REFUSED);
    assert_string_equal (err.text, "network leer has no cantons");
    assert_int_equal (access (path, F_OK), -1);

    //  A second agent for a network: refused, with the first one's enrolment time.
    assert_int_equal (hub_enrol_agent (hub->store, "ost", ENDPOINT, path, &enrolled, &err), CII_OK);
    char *other = unit_path (hub->dir, "again.bundle");
    assert_int_equal (hub_enrol_agent (hub->store, "ost", ENDPOINT, other, &enrolled, &err), CII_CONFLICT);
    assert_int_equal (strncmp (err.text, "network ost already has an active agent (enrolled 20", 52), 0);
    assert_non_null (strstr (err.text, "Z); revoke it first"));
    assert_int_equal (access (other, F_OK), -1);
    //  An existing file is never overwritten.
    assert_int_equal (hub_enrol_agent (hub->store, "ticino", ENDPOINT, path, &enrolled, &err), CII_CONFLICT);
    char expect [600];
    snprintf (expect, sizeof expect, "%s already exists: refusing to overwrite it", path);
    assert_string_equal (err.text, expect);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents"), 1);
    assert_int_equal (enrolled.agent_id, 0);
    free (other);
    free (path);
}

//  The bundle cannot be written: the agent row goes too (no key that nobody holds).
static void
test_rollback (void **state)
{
    unit_hub_t *hub = *state;
    char hub_key [41];
    s_init (hub, hub_key);
    hub_enrolled_t enrolled;
    cii_err_t err;
    assert_int_equal (hub_enrol_agent (hub->store, "ost", ENDPOINT, "/nonexistent/dir/ost.bundle", &enrolled, &err),
                      CII_FAILED);
    assert_string_equal (err.text, "cannot write /nonexistent/dir/ost.bundle: No such file or directory");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents"), 0);
    assert_int_equal (enrolled.agent_id, 0);
    //  The store is left usable, outside any transaction: the next enrolment works.
    char *path = unit_path (hub->dir, "ost.bundle");
    assert_int_equal (hub_enrol_agent (hub->store, "ost", ENDPOINT, path, &enrolled, &err), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents"), 1);

    //  Inside a transaction of the caller's, the file and the row could part: refused.
    char *other = unit_path (hub->dir, "ticino.bundle");
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    assert_int_equal (hub_enrol_agent (hub->store, "ticino", ENDPOINT, other, &enrolled, &err), CII_FAILED);
    assert_int_equal (hub_store_rollback (hub->store), CII_OK);
    assert_int_equal (access (other, F_OK), -1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agents"), 1);
    free (other);
    free (path);
}

static void
test_revoke (void **state)
{
    unit_hub_t *hub = *state;
    int64_t id = unit_hub_enrol (hub, "zuerich");
    cii_err_t err;
    assert_int_equal (hub_enrol_revoke (hub->store, "zuerich", &err), CII_OK);
    assert_true (unit_hub_agent (hub, id).revoked);
    assert_int_equal (hub_enrol_revoke (hub->store, "zuerich", &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "network zuerich has no active agent");
    assert_int_equal (hub_enrol_revoke (hub->store, "atlantis", &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    assert_int_equal (hub_enrol_revoke (hub->store, "ZH", &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network ZH");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_endpoint),
        cmocka_unit_test_setup_teardown (test_enrol, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_rollback, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_revoke, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
