/*  test_push_kill.c — integration: a recommendation addressed to three cantons of one network
    (VD and VS by exec, a slow real script standing for the cantonal system, keyed by the
    idempotency key; GE by dir into a real folder) goes down from a real hub to a real agent,
    whose daemon is SIGKILLed again and again while it pushes. Afterwards each (recommendation,
    version, canton) is pushed once in effect: one file per canton, every attempt of the exec
    canton's system carried the same key, one `pushed` row per canton at the agent, its PUSH
    receipted, and one PUSH row per canton at the hub. The recommendation is published with
    `cii-hub recommend`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "it_loop.h"

//  The recommendation `cii-hub recommend` publishes: to VD, VS and GE (all of lemanique).
static const char s_rec [] =
    "{\"title\": {\"fr\": \"Accès à la formation\", \"de\": \"Zugang zur Ausbildung\","
    " \"it\": \"Accesso alla formazione\"},"
    " \"text\": {\"fr\": \"Les cantons créent un guichet « CII ».\","
    " \"de\": \"Die Kantone schaffen eine Anlaufstelle.\", \"it\": \"I cantoni creano uno sportello.\"},"
    " \"adopted_on\": \"2027-04-20\", \"report_by\": \"2027-12-31\", \"basis\": [],"
    " \"addressees\": {\"cantons\": [\"VD\", \"VS\", \"GE\"], \"partners\": [\"CSIAS\"]}}\n";

//  Names in folder that do not start with a dot; the count, and whether name is among them.
static int s_files (const char *folder, const char *name, bool *found_p)
{
    DIR *dir = opendir (folder);
    assert_non_null (dir);
    int count = 0;
    *found_p = false;
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        if (entry->d_name [0] == '.') continue;
        count++;
        if (strcmp (entry->d_name, name) == 0) *found_p = true;
    }
    closedir (dir);
    return count;
}

typedef struct {
    it_agent_t *agent;
} s_ctx_t;

//  Every push ended and every PUSH receipted or refused.
static bool s_settled (void *arg)
{
    s_ctx_t *ctx = arg;
    return it_agent_sql_long (ctx->agent, "SELECT count(*) FROM pushes WHERE state = 'pushed'") == 3
           && it_agent_sql_long (ctx->agent, "SELECT count(*) FROM outbox") == 0;
}

static bool s_queued (void *arg)
{
    s_ctx_t *ctx = arg;
    return it_agent_sql_long (ctx->agent, "SELECT count(*) FROM pushes") == 3;
}

static void test_push_kill (void **state)
{
    it_fixture_t *f = *state;
    //  Retries after a kill come quickly (the documented test limits)
    setenv ("CII_PUSH_BACKOFF_MS", "100", 1);
    setenv ("CII_PUSH_BACKOFF_MAX_MS", "200", 1);
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agent = it_agent_add (f, "lemanique");
    assert_non_null (agent);

    //  The cantons' systems: one folder keyed by file name for the exec cantons, one for GE
    char systems [600], ge [600], script [600], log [600];
    snprintf (systems, sizeof systems, "%s/canton-systems", f->dir);
    snprintf (ge, sizeof ge, "%s/ge-inbox", f->dir);
    snprintf (script, sizeof script, "%s/canton-system.sh", f->dir);
    snprintf (log, sizeof log, "%s/attempts.log", f->dir);
    assert_int_equal (mkdir (systems, 0700), 0);
    assert_int_equal (mkdir (ge, 0700), 0);
    FILE *out = fopen (script, "w");
    assert_non_null (out);
    //  A slow system that keys on the push: what it takes in goes to KEY.json, written whole
    fprintf (out, "#!/bin/sh\n"
                  "key=\"$CII_REF.v$CII_VERSION.$CII_CANTON\"\n"
                  "echo \"$key\" >> \"%s\"\n"
                  "sleep 0.3\n"
                  "cat > \"%s/.$key.part\" && mv \"%s/.$key.part\" \"%s/$key.json\" || exit 1\n"
                  "echo \"stored $key\"\n",
             log, systems, systems, systems);
    fclose (out);
    chmod (script, 0700);
    it_result_t r;
    assert_int_equal (it_agent_cli (f, agent, &r, "canton", "set", "VD", "--push", "exec", "--command", script,
                                    "--timeout", "10", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, agent, &r, "canton", "set", "VS", "--push", "exec", "--command", script,
                                    NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, agent, &r, "canton", "set", "GE", "--push", "dir", "--path", ge, NULL), 0);
    it_result_free (&r);

    char rec [600], ref [40], key [3][48], file [3][64];   //  ref: REC-YYYY-NN
    it_write_file (f, "rec.json", s_rec, rec);
    it_ref_of (IT_HUB_JSON (f, "recommend", "--file", rec), ref);
    const char *cantons [] = { "VD", "VS", "GE" };
    for (int i = 0; i < 3; i++) {
        snprintf (key [i], sizeof key [i], "%.31s.v1.%s", ref, cantons [i]);
        snprintf (file [i], sizeof file [i], "%.47s.json", key [i]);
    }
    assert_int_equal (it_agent_start (f, agent), 0);
    s_ctx_t ctx = { agent };
    assert_true (it_wait_until (30000, s_queued, &ctx));
    //  Killed again and again while it pushes
    for (int round = 0; round < 6; round++) {
        usleep ((useconds_t) (120000 + round * 60000));
        assert_int_equal (it_agent_kill (f, agent), 0);
        assert_int_equal (it_agent_start (f, agent), 0);
    }
    assert_true (it_wait_until (60000, s_settled, &ctx));

    //  Once in effect: one file per canton, every attempt with the canton's one key
    bool found = false;
    assert_int_equal (s_files (systems, file [0], &found), 2);
    assert_true (found);
    assert_int_equal (s_files (systems, file [1], &found), 2);
    assert_true (found);
    assert_int_equal (s_files (ge, file [2], &found), 1);
    assert_true (found);
    FILE *in = fopen (log, "r");
    assert_non_null (in);
    char line [128];
    int attempts = 0;
    while (fgets (line, sizeof line, in)) {
        line [strcspn (line, "\n")] = '\0';
        assert_true (strcmp (line, key [0]) == 0 || strcmp (line, key [1]) == 0);
        attempts++;
    }
    fclose (in);
    assert_true (attempts >= 2);
    print_message ("exec attempts: %d for 2 cantons (the agent was killed 6 times)\n", attempts);

    //  The agent: one pushed row per canton, its PUSH receipted by the hub
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM pushes WHERE state = 'pushed'"
                                                " AND hub_ref LIKE 'PUSH-%'"), 3);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(DISTINCT canton) FROM pushes"), 3);
    //  The hub: one PUSH per canton
    for (int i = 0; i < 3; i++)
        assert_int_equal (it_sql_long (f, "SELECT count(*) FROM rec_pushes p JOIN recommendations r"
                                          " ON r.id = p.rec_id WHERE r.ref = $1 AND p.canton = $2"
                                          " AND p.state = 'pushed'", ref, cantons [i], NULL),
                          1);
    //  What the VS system took in: the payload in French and German only
    char path [700];
    snprintf (path, sizeof path, "%s/%s", systems, file [1]);
    assert_true (it_file_contains (path, "\"languages\":[\"fr\",\"de\"]"));
    assert_true (it_file_contains (path, "Die Kantone schaffen eine Anlaufstelle."));
    assert_false (it_file_contains (path, "I cantoni"));
    assert_int_equal (it_agent_stop (f, agent), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_push_kill, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
