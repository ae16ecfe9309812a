/*  test_hub_cli.c — the cii-hub command line (hub_cli_run) against a real PostgreSQL, a fresh
    database per case: exit codes 0/1/2, one-line refusals "cii-hub VERB: reason", --help on every
    verb, init idempotence and key files, enroll bundles (nothing half-done on failure), revoke,
    notices (--text-file bounded by the protocol limit) and the --json listings with UTF-8 text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_bundle.h"
#include "cii_codec.h"
#include "hub_cli.h"
#include "hub_store_ingest.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "hub_store_signals.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_domain.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

//  One case: its hub (database, store, directory) and the last run.
typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    char hub_key [41];
} s_fixture_t;

//  The shared cii-hub fixture (unit_hub_cli.h) under this file's names.
#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_err_line(fx, n) unit_hub_cli_err_line (&(fx)->cli, n)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "cli", false);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_cli_clear (&fx->cli);
    free (fx);
    return 0;
}

//  `cii-hub init --certs DIR/certs`; the hub key in fx->hub_key.
static void
s_init (s_fixture_t *fx)
{
    char *certs = unit_path (fx->cli.hub->dir, "certs");
    assert_int_equal (s_run (fx, "init", "--certs", certs, NULL), 0);
    char *pub = unit_path (certs, "hub.cert");
    zcert_t *cert = zcert_load (pub);
    assert_non_null (cert);
    snprintf (fx->hub_key, sizeof fx->hub_key, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    free (pub);
    free (certs);
}

//  `cii-hub enroll NETWORK --endpoint tcp://h:1 --out DIR/NETWORK.bundle`, which must succeed.
static void
s_enroll (s_fixture_t *fx, const char *network)
{
    char name [64];
    snprintf (name, sizeof name, "%s.bundle", network);
    char *path = unit_path (fx->cli.hub->dir, name);
    assert_int_equal (s_run (fx, "enroll", network, "--endpoint", "tcp://h:1", "--out", path, NULL), 0);
    free (path);
}

static void
test_usage (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub: missing command");
    assert_int_equal (s_run (fx, "frobnicate", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub: unknown command 'frobnicate'");
    assert_int_equal (s_run (fx, "agents", "--bogus", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub agents: unknown option --bogus");
    assert_int_equal (strncmp (s_err_line (fx, 1), "usage: cii-hub agents", 21), 0);
    assert_int_equal (s_run (fx, "agents", "--certs", "x", NULL), 2);          //  valid option, wrong verb
    assert_int_equal (s_run (fx, "revoke", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub revoke: missing argument NETWORK");
    assert_int_equal (s_run (fx, "revoke", "a", "b", NULL), 2);
    assert_int_equal (s_run (fx, "init", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub init: --certs DIR is required");
    assert_int_equal (s_run (fx, "serve", NULL), 2);
    assert_int_equal (s_run (fx, "enroll", "ost", "--endpoint", NULL), 2);
    assert_int_equal (s_run (fx, "enroll", "ost", "--out", "/tmp/x", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub enroll: --endpoint and --out are required");
    assert_int_equal (s_run (fx, "enroll", "ost", "--endpoint", "udp://x", "--out", "/tmp/x", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub enroll: --endpoint must look like tcp://HOST:PORT");
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub notice: give exactly one of --text and --text-file");
    assert_int_equal (s_run (fx, "notice", "--title", "x", "--text", "y", NULL), 2);
    assert_int_equal (s_run (fx, "notice", "--to", ",", "--title", "x", "--text", "y", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub notice: --to needs 'all' or network names");
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text", "y", "--text-file", "f", NULL), 2);
    //  --db without a value is bad usage too.
    const char *bare [] = { "cii-hub", NULL };
    assert_int_equal (unit_cli_run (&fx->cli.run, hub_cli_run, bare, "agents", "--db", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub agents: --db needs a value");

    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "enroll"));
    assert_non_null (strstr (fx->cli.run.out, "PG* environment"));
    const char *verbs [] = { "init", "serve", "enroll", "revoke", "agents", "signals", "notice", "notices" };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs [0]; i++) {
        assert_int_equal (s_run (fx, verbs [i], "--help", NULL), 0);
        char expect [64];
        snprintf (expect, sizeof expect, "usage: cii-hub %s", verbs [i]);
        assert_non_null (strstr (fx->cli.run.out, expect));
        assert_string_equal (fx->cli.run.err, "");
    }
    assert_int_equal (s_run (fx, "--version", NULL), 0);
    char version [80];
    snprintf (version, sizeof version, "cii-hub " CII_VERSION " (schema %d, protocol %d)\n", hub_store_binary_schema_version (),
              CII_PROTOCOL_VERSION);
    assert_string_equal (fx->cli.run.out, version);
}

static void
test_before_init (void **state)
{
    s_fixture_t *fx = *state;
    char expect [160];
    snprintf (expect, sizeof expect,
              "cii-hub agents: database schema is version 0, this cii-hub needs %d: run cii-hub init",
              hub_store_binary_schema_version ());
    assert_int_equal (s_run (fx, "agents", NULL), 1);
    s_assert_refused (fx, expect);
    //  No database at all.
    const char *head [] = { "cii-hub", "--db", "dbname=cii_no_such_database_here", NULL };
    assert_int_equal (unit_cli_run (&fx->cli.run, hub_cli_run, head, "notices", "--json", NULL), 1);
    assert_string_equal (fx->cli.run.out, "");
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_int_equal (strncmp (fx->cli.run.err, "cii-hub notices: cannot connect to PostgreSQL", 45), 0);
}

static void
test_init (void **state)
{
    s_fixture_t *fx = *state;
    char *certs = unit_path (fx->cli.hub->dir, "certs");
    char *pub = unit_path (certs, "hub.cert");
    char *sec = unit_path (certs, "hub.cert_secret");
    s_init (fx);
    char expect [700];
    snprintf (expect, sizeof expect, "schema version %d\nhub public key %s (created %s)\n",
              hub_store_binary_schema_version (), fx->hub_key, pub);
    assert_string_equal (fx->cli.run.out, expect);
    assert_string_equal (fx->cli.run.err, "");
    assert_int_equal (unit_mode (certs), 0700);
    assert_int_equal (unit_mode (sec) & 0077, 0);
    char *stored = NULL;
    assert_int_equal (hub_store_setting_get (fx->cli.hub->store, "hub_public_key", &stored), CII_OK);
    assert_string_equal (stored, fx->hub_key);
    free (stored);

    //  Second run: same key, same files, same schema.
    char *secret1 = unit_read (sec, NULL);
    assert_int_equal (s_run (fx, "init", "--certs", certs, NULL), 0);
    snprintf (expect, sizeof expect, "schema version %d\nhub public key %s (in %s)\n",
              hub_store_binary_schema_version (), fx->hub_key, pub);
    assert_string_equal (fx->cli.run.out, expect);
    char *secret2 = unit_read (sec, NULL);
    assert_string_equal (secret1, secret2);

    //  Another directory would orphan the bundles: refused.
    char *other = unit_path (fx->cli.hub->dir, "other");
    assert_int_equal (s_run (fx, "init", "--certs", other, NULL), 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_int_equal (strncmp (fx->cli.run.err, "cii-hub init: the database already has hub key ", 47), 0);
    free (other);
    free (secret1);
    free (secret2);
    free (certs);
    free (pub);
    free (sec);
}

static void
test_enroll (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    char *bundle_path = unit_path (fx->cli.hub->dir, "lemanique.bundle");
    assert_int_equal (s_run (fx, "enroll", "lemanique", "--endpoint", "tcp://hub.example:7300", "--out", bundle_path,
                             NULL), 0);
    cii_bundle_t bundle;
    assert_int_equal (cii_bundle_load (&bundle, bundle_path, NULL), CII_OK);
    assert_string_equal (bundle.network, "lemanique");
    assert_string_equal (bundle.cantons, "GE,VD,VS");
    assert_string_equal (bundle.hub_public, fx->hub_key);
    assert_string_equal (bundle.endpoint, "tcp://hub.example:7300");
    char expect [600];
    snprintf (expect, sizeof expect, "agent %s enrolled for network lemanique\nbundle written to %s\n",
              bundle.agent_public, bundle_path);
    assert_string_equal (fx->cli.run.out, expect);
    assert_int_equal (unit_mode (bundle_path) & 0077, 0);

    char *other = unit_path (fx->cli.hub->dir, "again.bundle");
    assert_int_equal (s_run (fx, "enroll", "lemanique", "--endpoint", "tcp://h:1", "--out", other, NULL), 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_non_null (strstr (fx->cli.run.err, "cii-hub enroll: network lemanique already has an active agent (enrolled "));
    assert_int_equal (access (other, F_OK), -1);
    assert_int_equal (s_run (fx, "enroll", "atlantis", "--endpoint", "tcp://h:1", "--out", other, NULL), 1);
    s_assert_refused (fx, "cii-hub enroll: unknown network atlantis");
    assert_int_equal (s_run (fx, "enroll", "ost", "--endpoint", "tcp://h:1", "--out", bundle_path, NULL), 1);
    snprintf (expect, sizeof expect, "cii-hub enroll: %s already exists: refusing to overwrite it", bundle_path);
    s_assert_refused (fx, expect);
    //  The bundle cannot be written: no agent is left behind.
    assert_int_equal (s_run (fx, "enroll", "ost", "--endpoint", "tcp://h:1", "--out", "/nonexistent/dir/b", NULL), 1);
    s_assert_refused (fx, "cii-hub enroll: cannot write /nonexistent/dir/b: No such file or directory");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM agents WHERE network = 'ost'"), 0);
    //  --json gives what was made.
    char *ost = unit_path (fx->cli.hub->dir, "ost.bundle");
    assert_int_equal (s_run (fx, "enroll", "ost", "--endpoint", "tcp://h:1", "--out", ost, "--json", NULL), 0);
    json_t *made = s_json (fx->cli.run.out);
    s_json_member (made, "network", "\"ost\"");
    snprintf (expect, sizeof expect, "\"%s\"", ost);
    s_json_member (made, "bundle", expect);
    assert_int_equal (strlen (json_string_value (json_object_get (made, "public_key"))), 40);
    json_decref (made);

    assert_int_equal (s_run (fx, "agents", "--json", NULL), 0);
    json_t *listing = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (listing), 2);
    const json_t *agent = s_json_find (listing, "network", "\"lemanique\"");
    assert_non_null (agent);
    snprintf (expect, sizeof expect, "\"%s\"", bundle.agent_public);
    s_json_member (agent, "public_key", expect);
    s_json_member (agent, "connected", "false");
    s_json_member (agent, "revoked", "false");
    s_json_member (agent, "last_seen", "null");
    s_json_member (agent, "last_seq", "0");
    s_json_member (agent, "acked_seq", "0");
    s_json_member (agent, "backlog", "0");
    s_json_member (agent, "epoch", "\"0\"");
    s_json_member (agent, "epoch_start", "0");
    s_json_member (agent, "replacements", "0");
    s_json_member (agent, "last_replaced_at", "null");
    assert_int_equal (json_object_size (agent), 13);
    assert_true (json_is_string (json_object_get (agent, "enrolled_at")));
    json_decref (listing);
    assert_int_equal (s_run (fx, "agents", NULL), 0);
    assert_int_equal (strncmp (fx->cli.run.out, "NETWORK    STATE      PUBLIC KEY", 32), 0);
    assert_non_null (strstr (fx->cli.run.out, "offline"));
    assert_non_null (strstr (fx->cli.run.out, "BACKLOG  REPLACED\n"));
    assert_int_equal (unit_lines (fx->cli.run.out), 3);
    //  Sessions taken over by another connection with the key (two processes, one bundle), and a
    //  new stream epoch after a restore, as the serving hub records them
    unit_pg_exec (fx->cli.hub->pg, "UPDATE agents SET replacements = 12, last_replaced_at = now (), epoch = 4294967297,"
                               " epoch_start = 5 WHERE network = 'lemanique'");
    assert_int_equal (s_run (fx, "agents", "--json", NULL), 0);
    listing = s_json (fx->cli.run.out);
    agent = s_json_find (listing, "network", "\"lemanique\"");
    s_json_member (agent, "replacements", "12");
    s_json_member (agent, "epoch", "\"4294967297\"");
    s_json_member (agent, "epoch_start", "5");
    assert_true (json_is_string (json_object_get (agent, "last_replaced_at")));
    json_decref (listing);
    assert_int_equal (s_run (fx, "agents", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "       12\n"));
    free (ost);
    free (other);
    free (bundle_path);
}

static void
test_notice (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    s_enroll (fx, "lemanique");
    s_enroll (fx, "zuerich");

    const char *title = "Empfehlung für Zürich — « très » importante";
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", title, "--text", "Texte à appliquer.", NULL), 0);
    assert_string_equal (fx->cli.run.out, "notice 1 queued for 2 agents\n");
    assert_int_equal (s_run (fx, "notice", "--to", "zuerich", "--title", "Nur ZH", "--text", "Hinweis", "--json", NULL),
                      0);
    assert_string_equal (fx->cli.run.out, "{\"id\":2,\"recipients\":1}\n");
    assert_int_equal (s_run (fx, "notice", "--to", "ticino", "--title", "Avviso", "--text", "Nessuno", NULL), 0);
    assert_string_equal (fx->cli.run.out, "notice 3 queued for 0 agents\n");
    assert_int_equal (s_run (fx, "notice", "--to", "zuerich,atlantis", "--title", "x", "--text", "y", NULL), 1);
    s_assert_refused (fx, "cii-hub notice: unknown network atlantis");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM notices"), 3);
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text", "\xff\xfe", NULL), 1);
    s_assert_refused (fx, "cii-hub notice: the text must be 1..8000 bytes of UTF-8 text (got 2 bytes)");
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "", "--text", "y", NULL), 1);
    s_assert_refused (fx, "cii-hub notice: the title must be 1..200 bytes of UTF-8 text (got 0 bytes)");

    char *text_path = unit_path (fx->cli.hub->dir, "notice.txt");
    unit_write_text (text_path, "Avviso per il Ticino\ne per Zürich\n");
    assert_int_equal (s_run (fx, "notice", "--to", "lemanique", "--title", "Avviso", "--text-file", text_path, NULL), 0);
    //  The file is bounded by the protocol limit: a larger one is refused before it is read.
    char *big_path = unit_path (fx->cli.hub->dir, "big.txt");
    char big [CII_MAX_TEXT + 1];
    memset (big, 'x', sizeof big);
    unit_write (big_path, big, sizeof big);
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text-file", big_path, NULL), 1);
    char expect [600];
    snprintf (expect, sizeof expect, "cii-hub notice: %s is larger than %d bytes", big_path, CII_MAX_TEXT);
    s_assert_refused (fx, expect);
    unit_write (big_path, big, CII_MAX_TEXT);             //  exactly the limit: fine
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text-file", big_path, NULL), 0);
    unit_write (big_path, "a\0b", 3);
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text-file", big_path, NULL), 1);
    snprintf (expect, sizeof expect, "cii-hub notice: %s holds a NUL byte", big_path);
    s_assert_refused (fx, expect);
    assert_int_equal (s_run (fx, "notice", "--to", "all", "--title", "x", "--text-file", "/nonexistent/t", NULL), 1);
    s_assert_refused (fx, "cii-hub notice: cannot read /nonexistent/t: No such file or directory");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM notices"), 5);

    assert_int_equal (s_run (fx, "notices", "--json", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, title));                  //  UTF-8 untouched, not escaped
    json_t *listing = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (listing), 5);
    char expected [200];
    snprintf (expected, sizeof expected, "\"%s\"", title);
    const json_t *first = s_json_find (listing, "title", expected);
    assert_non_null (first);
    s_json_member (first, "id", "1");
    s_json_member (first, "text", "\"Texte à appliquer.\"");
    s_json_member (first, "networks", "[]");
    s_json_member (first, "recipients", "2");
    s_json_member (first, "acked", "0");
    assert_true (json_is_string (json_object_get (first, "issued_at")));
    assert_int_equal (json_object_size (first), 7);
    assert_non_null (s_json_find (listing, "text", "\"Avviso per il Ticino\\ne per Zürich\\n\""));
    assert_non_null (s_json_find (listing, "networks", "[\"zuerich\"]"));
    json_decref (listing);
    assert_int_equal (s_run (fx, "notices", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 6);
    assert_non_null (strstr (fx->cli.run.out, "RECIPIENTS"));
    assert_non_null (strstr (fx->cli.run.out, title));

    assert_int_equal (s_run (fx, "agents", "--json", NULL), 0);
    listing = s_json (fx->cli.run.out);
    const json_t *agent = s_json_find (listing, "network", "\"zuerich\"");
    assert_non_null (agent);
    s_json_member (agent, "last_seq", "3");
    s_json_member (agent, "acked_seq", "0");
    s_json_member (agent, "backlog", "3");
    json_decref (listing);
    free (big_path);
    free (text_path);
}

static void
test_signals (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    s_enroll (fx, "zuerich");
    int64_t zh = unit_pg_int (fx->cli.hub->pg, "SELECT id FROM agents WHERE network = 'zuerich'");
    cii_signal_t signal;
    unit_domain_signal (&signal, "ZH", "Lücke bei \"Spätankömmlingen\"");
    signal.institutions [0] = CII_INSTITUTION_UNEMPLOYMENT;
    signal.institutions [1] = CII_INSTITUTION_MIGRATION;
    signal.n_target_groups = 0;
    signal.national_reason = "Gleiche Lücke in mehreren Kantonen";
    snprintf (signal.language, sizeof signal.language, "de");
    signal.created_at_ms = 1767225600000;                   //  2026-01-01T00:00:00Z
    hub_ingest_item_t item = { .agent_id = zh, .network = "zuerich", .message_id = "cli-1",
                               .shape = &hub_store_signal_shape, .item = &signal };
    assert_int_equal (hub_store_ingest (fx->cli.hub->store, &item, 1, NULL), CII_OK);
    assert_true (item.stored);

    assert_int_equal (s_run (fx, "signals", "--json", NULL), 0);
    json_t *listing = s_json (fx->cli.run.out);
    const json_t *found = s_json_find (listing, "title", "\"Lücke bei \\\"Spätankömmlingen\\\"\"");
    assert_non_null (found);
    s_json_member (found, "network", "\"zuerich\"");
    s_json_member (found, "canton", "\"ZH\"");
    s_json_member (found, "institutions", "[\"unemployment\",\"migration\"]");
    s_json_member (found, "target_groups", "[]");
    s_json_member (found, "language", "\"de\"");
    s_json_member (found, "national_reason", "\"Gleiche Lücke in mehreren Kantonen\"");
    s_json_member (found, "created_at", "\"2026-01-01T00:00:00.000Z\"");
    char ref [48];
    snprintf (ref, sizeof ref, "\"%s\"", item.ref);
    s_json_member (found, "ref", ref);
    assert_true (json_is_integer (json_object_get (found, "id")));
    assert_true (json_is_string (json_object_get (found, "description")));
    assert_true (json_is_string (json_object_get (found, "received_at")));
    assert_int_equal (json_object_size (found), 12);
    json_decref (listing);
    assert_int_equal (s_run (fx, "signals", "--network", "lemanique", "--json", NULL), 0);
    assert_string_equal (fx->cli.run.out, "[]\n");
    assert_int_equal (s_run (fx, "signals", "--network", "zuerich", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 2);
    assert_non_null (strstr (fx->cli.run.out, "Lücke"));
    assert_int_equal (s_run (fx, "signals", "--network", "lemanique", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no signals\n");
    assert_int_equal (s_run (fx, "signals", "--network", "atlantis", "--json", NULL), 1);
    s_assert_refused (fx, "cii-hub signals: unknown network atlantis");
}

static void
test_revoke (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    s_enroll (fx, "zuerich");
    assert_int_equal (s_run (fx, "revoke", "zuerich", NULL), 0);
    assert_string_equal (fx->cli.run.out, "agent of network zuerich revoked\n");
    assert_int_equal (s_run (fx, "revoke", "zuerich", NULL), 1);
    s_assert_refused (fx, "cii-hub revoke: network zuerich has no active agent");
    assert_int_equal (s_run (fx, "revoke", "atlantis", NULL), 1);
    s_assert_refused (fx, "cii-hub revoke: unknown network atlantis");
    assert_int_equal (s_run (fx, "agents", "--json", NULL), 0);
    json_t *listing = s_json (fx->cli.run.out);
    const json_t *agent = s_json_find (listing, "network", "\"zuerich\"");
    assert_non_null (agent);
    s_json_member (agent, "revoked", "true");
    json_decref (listing);
    assert_int_equal (s_run (fx, "agents", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "revoked"));
}

static void
test_empty_listings (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    assert_int_equal (s_run (fx, "agents", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no agents enrolled\n");
    assert_int_equal (s_run (fx, "signals", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no signals\n");
    assert_int_equal (s_run (fx, "notices", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no notices\n");
    const char *verbs [] = { "agents", "signals", "notices" };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal (s_run (fx, verbs [i], "--json", NULL), 0);
        assert_string_equal (fx->cli.run.out, "[]\n");
        assert_string_equal (fx->cli.run.err, "");
    }
}

//  Options before the verb or after it; --verbose (or -v before the verb) adds log lines on stderr.
static void
test_common_options (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    const char *bare [] = { "cii-hub", NULL };
    assert_int_equal (unit_cli_run (&fx->cli.run, hub_cli_run, bare, "agents", "--db", fx->cli.hub->pg->conninfo, NULL), 0);
    assert_string_equal (fx->cli.run.out, "no agents enrolled\n");
    char db [128];
    snprintf (db, sizeof db, "--db=%s", fx->cli.hub->pg->conninfo);
    assert_int_equal (unit_cli_run (&fx->cli.run, hub_cli_run, bare, db, "notices", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no notices\n");

    assert_int_equal (s_run (fx, "revoke", "ost", NULL), 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    s_enroll (fx, "ost");
    assert_string_equal (fx->cli.run.err, "");
    char *path = unit_path (fx->cli.hub->dir, "zuerich.bundle");
    assert_int_equal (s_run (fx, "--verbose", "enroll", "zuerich", "--endpoint", "tcp://h:1", "--out", path, NULL), 0);
    assert_non_null (strstr (fx->cli.run.err, "network zuerich: agent "));
    assert_int_equal (s_run (fx, "-v", "revoke", "zuerich", NULL), 0);
    assert_non_null (strstr (fx->cli.run.err, "network zuerich: agent revoked"));
    free (path);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_usage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_before_init, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_init, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_enroll, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_notice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_signals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_revoke, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_empty_listings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_common_options, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
