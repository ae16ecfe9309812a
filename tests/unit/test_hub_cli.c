/*  test_hub_cli.c — the cii-hub command line (hub_cli_run) against a real PostgreSQL: exit codes
    0/1/2, one-line refusals, --help on every verb, init idempotence and key files, enroll bundles
    (nothing half-done on failure), revoke, notices and the --json listings with UTF-8 text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <czmq.h>
#include <libpq-fe.h>

#include "cii_bundle.h"
#include "cii_codec.h"
#include "hub_cli.h"
#include "hub_store.h"
#include "unit_json.h"
#include "unit_pg.h"

static char s_dbname[64];
static char s_conninfo[128];
static char s_dir[128];
static char s_out[65536];
static char s_err[4096];


static long long
s_query_int (const char *sql)
{
    PGconn *conn = PQconnectdb (s_conninfo);
    assert_int_equal (PQstatus (conn), CONNECTION_OK);
    PGresult *res = PQexec (conn, sql);
    assert_int_equal (PQresultStatus (res), PGRES_TUPLES_OK);
    long long n = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    PQfinish (conn);
    return n;
}

static void
s_slurp (FILE *f, char *buf, size_t size)
{
    rewind (f);
    size_t n = fread (buf, 1, size - 1, f);
    buf[n] = 0;
    fclose (f);
}

//  Runs cii-hub with the given arguments (NULL-terminated) on the test database; output in s_out
//  and s_err. Returns the exit code.
static int
s_run (const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *) "cii-hub";
    argv[argc++] = (char *) "--db";
    argv[argc++] = s_conninfo;
    va_list args;
    va_start (args, first);
    for (const char *a = first; a && argc < 31; a = va_arg (args, const char *))
        argv[argc++] = (char *) a;
    va_end (args);
    argv[argc] = NULL;
    FILE *out = tmpfile ();
    FILE *err = tmpfile ();
    assert_non_null (out);
    assert_non_null (err);
    int rc = hub_cli_run (argc, argv, out, err);
    s_slurp (out, s_out, sizeof s_out);
    s_slurp (err, s_err, sizeof s_err);
    return rc;
}

static int
s_lines (const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static int
s_setup (void **state)
{
    (void) state;
    zsys_init ();
    snprintf (s_dbname, sizeof s_dbname, "cii_test_cli_%d", (int) getpid ());
    snprintf (s_conninfo, sizeof s_conninfo, "dbname=%s", s_dbname);
    snprintf (s_dir, sizeof s_dir, "/tmp/cii_test_cli_%d", (int) getpid ());
    char sql[160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", s_dbname);
    s_admin (sql);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", s_dbname);
    s_admin (sql);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    char sql[160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", s_dbname);
    s_admin (sql);
    char cmd[300];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system (cmd) != 0)
        return -1;
    return 0;
}

static void
test_usage (void **state)
{
    (void) state;
    assert_int_equal (s_run (NULL), 2);
    assert_int_equal (s_run ("frobnicate", NULL), 2);
    assert_non_null (strstr (s_err, "unknown command"));
    assert_int_equal (s_run ("agents", "--bogus", NULL), 2);
    assert_int_equal (s_run ("agents", "--certs", "x", NULL), 2);      //  valid option, wrong verb
    assert_int_equal (s_run ("revoke", NULL), 2);
    assert_int_equal (s_run ("revoke", "a", "b", NULL), 2);
    assert_int_equal (s_run ("init", NULL), 2);
    assert_int_equal (s_run ("enroll", "ost", "--endpoint", NULL), 2);
    assert_int_equal (s_run ("enroll", "ost", "--endpoint", "udp://x", "--out", "/tmp/x", NULL), 2);
    assert_int_equal (s_run ("--help", NULL), 0);
    assert_non_null (strstr (s_out, "enroll"));
    const char *verbs[] = { "init", "serve", "enroll", "revoke", "agents", "signals", "notice", "notices" };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        assert_int_equal (s_run (verbs[i], "--help", NULL), 0);
        char expect[64];
        snprintf (expect, sizeof expect, "usage: cii-hub %s", verbs[i]);
        assert_non_null (strstr (s_out, expect));
    }
}

static void
test_before_init (void **state)
{
    (void) state;
    assert_int_equal (s_run ("agents", NULL), 1);
    assert_int_equal (s_lines (s_err), 1);
    char expect[128];
    snprintf (expect, sizeof expect, "database schema is version 0, this cii-hub needs %d: run cii-hub init",
              hub_store_binary_schema_version ());
    assert_non_null (strstr (s_err, expect));
    assert_string_equal (s_out, "");
}

static char s_hub_key[41];

static void
test_init (void **state)
{
    (void) state;
    char certs[200], pub[240], sec[240];
    snprintf (certs, sizeof certs, "%s/certs", s_dir);
    snprintf (pub, sizeof pub, "%s/hub.cert", certs);
    snprintf (sec, sizeof sec, "%s/hub.cert_secret", certs);
    assert_int_equal (s_run ("init", "--certs", certs, NULL), 0);
    char expect[64];
    snprintf (expect, sizeof expect, "schema version %d", hub_store_binary_schema_version ());
    assert_non_null (strstr (s_out, expect));
    struct stat st;
    assert_int_equal (stat (certs, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0700);
    assert_int_equal (stat (sec, &st), 0);
    assert_int_equal (st.st_mode & 0077, 0);
    zcert_t *cert = zcert_load (pub);
    assert_non_null (cert);
    snprintf (s_hub_key, sizeof s_hub_key, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    assert_non_null (strstr (s_out, s_hub_key));
    hub_store_t *store = hub_store_new (s_conninfo, NULL, 0);
    assert_non_null (store);
    char *stored = hub_store_setting_get (store, "hub_public_key");
    assert_string_equal (stored, s_hub_key);
    free (stored);
    hub_store_destroy (&store);

    //  Second run: same key, same files, same schema.
    size_t size = 0;
    FILE *f = fopen (sec, "rb");
    assert_non_null (f);
    char secret1[1024];
    size = fread (secret1, 1, sizeof secret1 - 1, f);
    secret1[size] = 0;
    fclose (f);
    assert_int_equal (s_run ("init", "--certs", certs, NULL), 0);
    assert_non_null (strstr (s_out, s_hub_key));
    f = fopen (sec, "rb");
    char secret2[1024];
    size = fread (secret2, 1, sizeof secret2 - 1, f);
    secret2[size] = 0;
    fclose (f);
    assert_string_equal (secret1, secret2);

    //  Another directory would orphan the bundles: refused.
    char other[200];
    snprintf (other, sizeof other, "%s/other", s_dir);
    assert_int_equal (s_run ("init", "--certs", other, NULL), 1);
    assert_int_equal (s_lines (s_err), 1);
}

static void
test_enroll (void **state)
{
    (void) state;
    char bundle_path[200];
    snprintf (bundle_path, sizeof bundle_path, "%s/lemanique.bundle", s_dir);
    assert_int_equal (s_run ("enroll", "lemanique", "--endpoint", "tcp://hub.example:7300", "--out", bundle_path, NULL), 0);
    cii_bundle_t bundle;
    char reason[200];
    assert_int_equal (cii_bundle_load (&bundle, bundle_path, reason, sizeof reason), 0);
    assert_string_equal (bundle.network, "lemanique");
    assert_string_equal (bundle.cantons, "GE,VD,VS");
    assert_string_equal (bundle.hub_public, s_hub_key);
    assert_string_equal (bundle.endpoint, "tcp://hub.example:7300");
    assert_non_null (strstr (s_out, bundle.agent_public));
    struct stat st;
    assert_int_equal (stat (bundle_path, &st), 0);
    assert_int_equal (st.st_mode & 0077, 0);

    char other[200];
    snprintf (other, sizeof other, "%s/again.bundle", s_dir);
    assert_int_equal (s_run ("enroll", "lemanique", "--endpoint", "tcp://h:1", "--out", other, NULL), 1);
    assert_int_equal (s_lines (s_err), 1);
    assert_non_null (strstr (s_err, "network lemanique already has an active agent (enrolled "));
    assert_int_equal (access (other, F_OK), -1);
    assert_int_equal (s_run ("enroll", "atlantis", "--endpoint", "tcp://h:1", "--out", other, NULL), 1);
    assert_non_null (strstr (s_err, "unknown network atlantis"));
    assert_int_equal (s_run ("enroll", "ost", "--endpoint", "tcp://h:1", "--out", bundle_path, NULL), 1);
    assert_non_null (strstr (s_err, "already exists"));
    //  The bundle cannot be written: no agent is left behind.
    assert_int_equal (s_run ("enroll", "ost", "--endpoint", "tcp://h:1", "--out", "/nonexistent/dir/b", NULL), 1);
    assert_int_equal (s_lines (s_err), 1);
    assert_int_equal (s_query_int ("SELECT count(*) FROM agents WHERE network = 'ost'"), 0);

    assert_int_equal (s_run ("agents", "--json", NULL), 0);
    json_t *listing = s_json (s_out);
    const json_t *agent = s_json_find (listing, "network", "\"lemanique\"");
    assert_non_null (agent);
    s_json_member (agent, "connected", "false");
    s_json_member (agent, "last_seen", "null");
    s_json_member (agent, "backlog", "0");
    json_decref (listing);
    assert_int_equal (s_run ("agents", NULL), 0);
    assert_non_null (strstr (s_out, "offline"));
}

static void
test_notice (void **state)
{
    (void) state;
    char bundle_path[200];
    snprintf (bundle_path, sizeof bundle_path, "%s/zuerich.bundle", s_dir);
    assert_int_equal (s_run ("enroll", "zuerich", "--endpoint", "tcp://h:1", "--out", bundle_path, NULL), 0);

    const char *title = "Empfehlung für Zürich — « très » importante";
    assert_int_equal (s_run ("notice", "--to", "all", "--title", title, "--text", "Texte à appliquer.", NULL), 0);
    assert_string_equal (s_out, "notice 1 queued for 2 agents\n");
    assert_int_equal (s_run ("notice", "--to", "zuerich", "--title", "Nur ZH", "--text", "Hinweis", "--json", NULL), 0);
    assert_string_equal (s_out, "{\"id\":2,\"recipients\":1}\n");
    assert_int_equal (s_run ("notice", "--to", "zuerich,atlantis", "--title", "x", "--text", "y", NULL), 1);
    assert_non_null (strstr (s_err, "unknown network atlantis"));
    assert_int_equal (s_lines (s_err), 1);
    assert_int_equal (s_query_int ("SELECT count(*) FROM notices"), 2);
    assert_int_equal (s_run ("notice", "--to", "all", "--title", "x", NULL), 2);
    assert_int_equal (s_run ("notice", "--to", "all", "--title", "x", "--text", "\xff\xfe", NULL), 1);

    char text_path[200];
    snprintf (text_path, sizeof text_path, "%s/notice.txt", s_dir);
    FILE *f = fopen (text_path, "w");
    assert_non_null (f);
    fputs ("Avviso per il Ticino\ne per Zürich\n", f);
    fclose (f);
    assert_int_equal (s_run ("notice", "--to", "lemanique", "--title", "Avviso", "--text-file", text_path, NULL), 0);

    assert_int_equal (s_run ("notices", "--json", NULL), 0);
    assert_non_null (strstr (s_out, title));                 //  UTF-8 untouched, not escaped
    json_t *listing = s_json (s_out);
    char expected[200];
    snprintf (expected, sizeof expected, "\"%s\"", title);
    assert_non_null (s_json_find (listing, "title", expected));
    assert_non_null (s_json_find (listing, "text", "\"Avviso per il Ticino\\ne per Zürich\\n\""));
    assert_non_null (s_json_find (listing, "networks", "[]"));
    assert_non_null (s_json_find (listing, "networks", "[\"zuerich\"]"));
    const json_t *to_all = s_json_find (listing, "recipients", "2");
    assert_non_null (to_all);
    s_json_member (to_all, "acked", "0");
    json_decref (listing);
    assert_int_equal (s_run ("agents", "--json", NULL), 0);
    listing = s_json (s_out);
    const json_t *agent = s_json_find (listing, "last_seq", "2");
    assert_non_null (agent);
    s_json_member (agent, "acked_seq", "0");
    s_json_member (agent, "backlog", "2");
    json_decref (listing);
}

static void
test_signals (void **state)
{
    (void) state;
    hub_store_t *store = hub_store_new (s_conninfo, NULL, 0);
    assert_non_null (store);
    hub_agent_info_t *rows = NULL;
    int count = hub_store_agent_list (store, &rows);
    int64_t zh = 0;
    for (int i = 0; i < count; i++)
        if (streq (rows[i].network, "zuerich"))
            zh = rows[i].id;
    free (rows);
    assert_true (zh > 0);
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal sig = CII__SIGNAL__INIT;
    Cii__Institution inst[] = { CII__INSTITUTION__INSTITUTION_UNEMPLOYMENT, CII__INSTITUTION__INSTITUTION_MIGRATION };
    sig.canton = (char *) "ZH";
    sig.title = (char *) "Lücke bei \"Spätankömmlingen\"";
    sig.description = (char *) "Beschreibung";
    sig.n_institutions = 2;
    sig.institutions = inst;
    sig.language = (char *) "de";
    sig.created_at_ms = 1767225600000;     //  2026-01-01T00:00:00Z
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *) "cli-1";
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &sig;
    hub_ingest_item_t item = { .agent_id = zh, .network = "zuerich", .env = &env };
    assert_int_equal (hub_store_ingest (store, &item, 1), 0);
    hub_store_destroy (&store);

    assert_int_equal (s_run ("signals", "--json", NULL), 0);
    json_t *listing = s_json (s_out);
    const json_t *signal = s_json_find (listing, "title", "\"Lücke bei \\\"Spätankömmlingen\\\"\"");
    assert_non_null (signal);
    s_json_member (signal, "institutions", "[\"unemployment\",\"migration\"]");
    s_json_member (signal, "target_groups", "[]");
    s_json_member (signal, "created_at", "\"2026-01-01T00:00:00.000Z\"");
    char ref[48];
    snprintf (ref, sizeof ref, "\"%s\"", item.ref);
    s_json_member (signal, "ref", ref);
    json_decref (listing);
    assert_int_equal (s_run ("signals", "--network", "lemanique", "--json", NULL), 0);
    assert_string_equal (s_out, "[]\n");
    assert_int_equal (s_run ("signals", "--network", "zuerich", NULL), 0);
    assert_non_null (strstr (s_out, "Lücke"));
    assert_int_equal (s_run ("signals", "--network", "atlantis", NULL), 1);
}

static void
test_revoke (void **state)
{
    (void) state;
    assert_int_equal (s_run ("revoke", "zuerich", NULL), 0);
    assert_int_equal (s_run ("revoke", "zuerich", NULL), 1);
    assert_non_null (strstr (s_err, "no active agent"));
    assert_int_equal (s_lines (s_err), 1);
    assert_int_equal (s_run ("revoke", "atlantis", NULL), 1);
    assert_int_equal (s_run ("agents", "--json", NULL), 0);
    json_t *listing = s_json (s_out);
    const json_t *agent = s_json_find (listing, "network", "\"zuerich\"");
    assert_non_null (agent);
    s_json_member (agent, "revoked", "true");
    json_decref (listing);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_usage),
        cmocka_unit_test (test_before_init),
        cmocka_unit_test (test_init),
        cmocka_unit_test (test_enroll),
        cmocka_unit_test (test_notice),
        cmocka_unit_test (test_signals),
        cmocka_unit_test (test_revoke),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
