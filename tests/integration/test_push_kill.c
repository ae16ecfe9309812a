/*  test_push_kill.c — integration: a recommendation addressed to three cantons of one network
    (VD and VS by exec, a slow real script standing for the cantonal system, keyed by the
    idempotency key; GE by dir into a real folder) goes down from a real hub to a real agent,
    whose daemon is SIGKILLed again and again while it pushes. Afterwards each (recommendation,
    version, canton) is pushed once in effect: one file per canton, every attempt of the exec
    canton's system carried the same key, one `pushed` row per canton at the agent, its PUSH
    receipted, and one PUSH row per canton at the hub.

    The hub's `recommend` verb is built in parallel: the test writes the recommendation into the
    hub's tables (schema/hub/0013) and queues the downward item with the hub's own store
    function, as the verb will. */
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
#include "hub_store.h"
#include "hub_store_downward.h"
#include "cii_util.h"
#include "cii_wire.h"

#define S_REF "REC-2027-01"

//  The recommendation in the hub's tables and its RECOMMENDATION item queued for lemanique.
static void s_recommend (it_fixture_t *f)
{
    assert_int_equal (it_sql_exec (f, "INSERT INTO recommendations (ref, version) VALUES ($1, 1)", S_REF, NULL), 0);
    assert_int_equal (it_sql_exec (f,
                                   "INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by,"
                                   " all_cantons, cantons, partners) SELECT id, 1, '2027-04-20', '2027-12-31',"
                                   " false, '{VD,VS,GE}', '{CSIAS}' FROM recommendations WHERE ref = $1",
                                   S_REF, NULL),
                      0);
    const char *texts [][3] = { { "fr", "Accès à la formation", "Les cantons créent un guichet « CII »." },
                                { "de", "Zugang zur Ausbildung", "Die Kantone schaffen eine Anlaufstelle." },
                                { "it", "Accesso alla formazione", "I cantoni creano uno sportello." } };
    for (int i = 0; i < 3; i++)
        assert_int_equal (it_sql_exec (f,
                                       "INSERT INTO recommendation_texts (rec_id, version, language, title, text)"
                                       " SELECT id, 1, $2, $3, $4 FROM recommendations WHERE ref = $1",
                                       S_REF, texts [i][0], texts [i][1], texts [i][2], NULL),
                          0);
    const char *cantons [] = { "VD", "VS", "GE" };
    const char *partners [] = { "CSIAS" };
    cii_recommendation_t rec = {
        .ref = S_REF, .version = 1, .n_translations = 3, .adopted_on = "2027-04-20", .report_by = "2027-12-31",
        .cantons = cantons, .n_cantons = 3, .partners = partners, .n_partners = 1,
        .issued_at_ms = cii_util_now_ms (), .note = "",
    };
    for (int i = 0; i < 3; i++) {
        snprintf (rec.translations [i].language, sizeof rec.translations [i].language, "%s", texts [i][0]);
        rec.translations [i].title = texts [i][1];
        rec.translations [i].text = texts [i][2];
    }
    uint8_t *body = NULL;
    size_t size = 0;
    cii_err_t err;
    assert_int_equal (cii_wire_recommendation_pack (&rec, &body, &size, &err), CII_OK);
    hub_store_t *store = hub_store_new (f->conninfo, &err);
    assert_non_null (store);
    const char *networks [] = { "lemanique" };
    int64_t recipients = 0;
    assert_int_equal (hub_store_downward_queue (store, "recommendation", body, size, networks, 1,
                                                "recommendation:" S_REF ".v1", &recipients),
                      CII_OK);
    assert_int_equal (recipients, 1);
    hub_store_destroy (&store);
    free (body);
}

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

    s_recommend (f);
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
    assert_int_equal (s_files (systems, S_REF ".v1.VD.json", &found), 2);
    assert_true (found);
    assert_int_equal (s_files (systems, S_REF ".v1.VS.json", &found), 2);
    assert_true (found);
    assert_int_equal (s_files (ge, S_REF ".v1.GE.json", &found), 1);
    assert_true (found);
    FILE *in = fopen (log, "r");
    assert_non_null (in);
    char line [128];
    int attempts = 0;
    while (fgets (line, sizeof line, in)) {
        line [strcspn (line, "\n")] = '\0';
        assert_true (strcmp (line, S_REF ".v1.VD") == 0 || strcmp (line, S_REF ".v1.VS") == 0);
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
    for (int i = 0; i < 3; i++) {
        const char *canton = (const char *[]) { "VD", "VS", "GE" } [i];
        assert_int_equal (it_sql_long (f, "SELECT count(*) FROM rec_pushes p JOIN recommendations r"
                                          " ON r.id = p.rec_id WHERE r.ref = $1 AND p.canton = $2"
                                          " AND p.state = 'pushed'", S_REF, canton, NULL),
                          1);
    }
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
