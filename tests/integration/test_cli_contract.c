/*  test_cli_contract.c — integration: the command-line contract of both programs against a real
    database: --help on every verb (exit 0), bad usage exits 2, refused operations exit 1 with one
    line on stderr and change nothing, --json listings are arrays, CII_AGENT_STATE works. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

//  Checks a refused run: exit 1 and exactly one non-empty line on stderr.
static void s_assert_refused (it_result_t *r, const char *what)
{
    if (r->status != 1) print_message ("%s: exit %d, stderr: %s\n", what, r->status, r->err);
    assert_int_equal (r->status, 1);
    size_t len = strlen (r->err);
    if (!(len > 1 && strchr (r->err, '\n') == r->err + len - 1))
        print_message ("%s: stderr is not one line: [%s]\n", what, r->err);
    assert_true (len > 1);
    assert_true (strchr (r->err, '\n') == r->err + len - 1);
}

static void test_help_and_usage (void **state)
{
    it_fixture_t *f = *state;
    it_result_t r;
    static const char *hub_verbs[] = {"init",   "serve",   "enroll", "revoke",
                                      "agents", "signals", "notice", NULL};
    for (int i = 0; hub_verbs[i]; i++) {
        assert_int_equal (it_hub_cli (f, &r, hub_verbs[i], "--help", NULL), 0);
        assert_true (strlen (r.out) + strlen (r.err) > 0);
        assert_non_null (strstr (r.out, hub_verbs[i]));
        it_result_free (&r);
    }
    static const char *agent_verbs[][2] = {{"init", NULL},    {"run", NULL},     {"signal", "add"},
                                           {"signals", NULL}, {"notices", NULL}, {NULL, NULL}};
    for (int i = 0; agent_verbs[i][0]; i++) {
        const char *argv[] = {CII_AGENT_BIN, agent_verbs[i][0],
                              agent_verbs[i][1] ? agent_verbs[i][1] : "--help",
                              agent_verbs[i][1] ? "--help" : NULL, NULL};
        assert_int_equal (it_run (f, &r, argv), 0);
        assert_non_null (strstr (r.out, agent_verbs[i][0]));
        it_result_free (&r);
    }
    //  bad usage: 2
    assert_int_equal (it_hub_cli (f, &r, "no-such-verb", NULL), 2);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "enroll", NULL), 2);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "signals", "--no-such-option", NULL), 2);
    it_result_free (&r);
    const char *bogus[] = {CII_AGENT_BIN, "no-such-verb", NULL};
    assert_int_equal (it_run (f, &r, bogus), 2);
    it_result_free (&r);
    it_fixture_pass (f);
}

static void test_refusals (void **state)
{
    it_fixture_t *f = *state;
    it_result_t r;
    it_agent_t *lem = it_agent_add (f, "lemanique");
    assert_non_null (lem);

    //  the bundle holds a secret key: mode 0600
    struct stat st;
    assert_int_equal (stat (lem->bundle, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);

    //  hub: unknown network, second active agent, revoke without agent
    char out[600];
    snprintf (out, sizeof out, "%s/atlantis.bundle", f->dir);
    it_hub_cli (f, &r, "enroll", "atlantis", "--endpoint", f->endpoint, "--out", out, NULL);
    s_assert_refused (&r, "enroll atlantis");
    it_result_free (&r);
    snprintf (out, sizeof out, "%s/lemanique-2.bundle", f->dir);
    it_hub_cli (f, &r, "enroll", "lemanique", "--endpoint", f->endpoint, "--out", out, NULL);
    s_assert_refused (&r, "enroll lemanique twice");
    it_result_free (&r);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM agents", NULL), 1);
    it_hub_cli (f, &r, "revoke", "zuerich", NULL);
    s_assert_refused (&r, "revoke zuerich (never enrolled)");
    it_result_free (&r);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM agents WHERE revoked_at IS NOT NULL", NULL), 0);

    //  agent: init twice into the same state
    const char *init[] = {CII_AGENT_BIN, "init",     "--bundle", lem->bundle,
                          "--state",     lem->state, NULL};
    it_run (f, &r, init);
    s_assert_refused (&r, "agent init twice");
    it_result_free (&r);

    //  agent: a title of 201 bytes is refused and nothing is stored
    char long_title[202];
    memset (long_title, 'y', 201);
    long_title[201] = 0;
    it_signal_add (f, lem, "VD", long_title, NULL, "fr", &r);
    s_assert_refused (&r, "title of 201 bytes");
    it_result_free (&r);
    //  200 bytes of UTF-8 (100 x "é") are fine
    char max_title[201];
    for (int i = 0; i < 100; i++)
        memcpy (max_title + 2 * i, "\xc3\xa9", 2);
    max_title[200] = 0;
    assert_int_equal (it_signal_add (f, lem, "VD", max_title, NULL, "fr", &r), 0);
    it_result_free (&r);
    //  an unknown institution: refused (1) or bad usage (2), nothing stored either way
    int status =
        it_agent_cli (f, lem, &r, "signal", "add", "--canton", "VD", "--title",
                      "Institution inconnue", "--body", "x", "--institutions", "astrology", NULL);
    assert_true (status == 1 || status == 2);
    it_result_free (&r);
    //  missing --institutions: bad usage
    status = it_agent_cli (f, lem, &r, "signal", "add", "--canton", "VD", "--title",
                           "Sans institutions", "--body", "x", NULL);
    assert_true (status == 1 || status == 2);
    it_result_free (&r);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM signals"), 1);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM outbox"), 1);

    //  the one accepted signal is listed, not delivered (no hub running)
    assert_int_equal (it_agent_cli (f, lem, &r, "signals", "--json", NULL), 0);
    json_t *doc = it_json_array (r.out);
    assert_int_equal (json_array_size (doc), 1);
    const json_t *first = json_array_get (doc, 0);
    const char *title = it_json_str (first, "title");
    assert_non_null (title);
    assert_string_equal (title, max_title);
    assert_true (it_json_false (first, "delivered"));
    json_decref (doc);
    it_result_free (&r);

    //  CII_AGENT_STATE instead of --state
    setenv ("CII_AGENT_STATE", lem->state, 1);
    const char *listing[] = {CII_AGENT_BIN, "signals", "--json", NULL};
    status = it_run (f, &r, listing);
    unsetenv ("CII_AGENT_STATE");
    assert_int_equal (status, 0);
    doc = it_json_array (r.out);
    assert_int_equal (json_array_size (doc), 1);
    json_decref (doc);
    it_result_free (&r);

    //  listings are JSON arrays, empty ones too
    assert_int_equal (it_agent_cli (f, lem, &r, "notices", "--json", NULL), 0);
    doc = it_json_array (r.out);
    assert_int_equal (json_array_size (doc), 0);
    json_decref (doc);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "signals", "--json", NULL), 0);
    doc = it_json_array (r.out);
    assert_int_equal (json_array_size (doc), 0);
    json_decref (doc);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "agents", "--json", NULL), 0);
    doc = it_json_array (r.out);
    assert_int_equal (json_array_size (doc), 1);
    const json_t *agent = json_array_get (doc, 0);
    const char *network = it_json_str (agent, "network");
    const char *key = it_json_str (agent, "public_key");
    assert_non_null (network);
    assert_non_null (key);
    assert_string_equal (network, "lemanique");
    assert_int_equal (strlen (key), 40);
    assert_true (it_json_false (agent, "connected"));
    assert_true (it_json_false (agent, "revoked"));
    json_decref (doc);
    it_result_free (&r);

    //  a notice with no hub serving is queued (the serving hub delivers it later)
    assert_int_equal (it_hub_cli (f, &r, "notice", "--to", "all", "--title", "Avis hors ligne",
                                  "--text", "Texte de l'avis.", NULL),
                      0);
    it_result_free (&r);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM downward", NULL), 1);
    it_hub_cli (f, &r, "notice", "--to", "all", "--title", "", "--text", "Titre vide", NULL);
    assert_true (r.status == 1 || r.status == 2);
    it_result_free (&r);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM downward", NULL), 1);

    //  and the whole thing then flows once the hub and the daemon run
    assert_int_equal (it_hub_start (f), 0);
    assert_int_equal (it_agent_start (f, lem), 0);
    assert_true (it_wait_delivered (f, lem, 1, 30000));
    assert_true (it_wait_sql (f, 30000, 1,
                              "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE title = $1", max_title, NULL), 1);
    assert_int_equal (it_agent_stop (f, lem), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_help_and_usage, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
