/*  test_report_kill.c — integration: report files dropped by cantonal systems into
    STATE/reports/CANTON/ (written as a cantonal system should: a temporary name, then a rename)
    while the agent daemon imports them, the agent SIGKILLed again and again during the import and
    restarted; afterwards every file is imported exactly once: one reports row per file (its
    digest), each file once in done/ (none left, none rejected, none twice), one REPORT per file
    in the agent's outbox until its receipt, and one row per file at the hub (rec_reports and
    ingest_log by message id). The recommendation is published with `cii-hub recommend` and comes
    down to the agent as a RECOMMENDATION. */
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

#include "agent_reports.h"
#include "harness.h"
#include "it_loop.h"

#define S_WAVES      8            //  drop, then kill during the import, this many times
#define S_PER_WAVE   40           //  files per wave, spread over the three cantons

static const char *s_cantons [] = { "VD", "VS", "GE" };

static char s_ref [40];            //  the recommendation: REC-2027-NN

//  The recommendation `cii-hub recommend` publishes: to VD, VS and GE (all of lemanique).
static const char s_rec [] =
    "{\"title\": {\"fr\": \"Accès à la formation\", \"de\": \"Zugang zur Ausbildung\","
    " \"it\": \"Accesso alla formazione\"},"
    " \"text\": {\"fr\": \"Les cantons rendent compte.\", \"de\": \"Die Kantone berichten.\","
    " \"it\": \"I cantoni riferiscono.\"},"
    " \"adopted_on\": \"2027-04-20\", \"report_by\": \"2027-12-31\", \"basis\": [],"
    " \"addressees\": {\"cantons\": [\"VD\", \"VS\", \"GE\"]}}\n";

//  Files (not folders, not names starting with '.') in STATE/reports/CANTON[/sub].
static long
s_files (it_agent_t *agent, const char *canton, const char *sub)
{
    char path [800];
    snprintf (path, sizeof path, "%s/reports/%s%s%s", agent->state, canton, sub ? "/" : "", sub ? sub : "");
    DIR *dir = opendir (path);
    if (!dir)
        return 0;
    long count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL) {
        char file [1100];
        struct stat st;
        snprintf (file, sizeof file, "%s/%s", path, entry->d_name);
        if (entry->d_name [0] != '.' && lstat (file, &st) == 0 && S_ISREG (st.st_mode))
            count++;
    }
    closedir (dir);
    return count;
}

static long
s_all (it_agent_t *agent, const char *sub)
{
    long count = 0;
    for (size_t i = 0; i < 3; i++)
        count += s_files (agent, s_cantons [i], sub);
    return count;
}

//  Drops report file n as a cantonal system does: NAME.tmp written, then renamed.
static void
s_drop (it_agent_t *agent, int n)
{
    const char *canton = s_cantons [n % 3];
    static const char *states [] = { "acknowledged", "planned", "in-progress", "implemented" };
    char dir [700], tmp [800], path [800], text [300];
    snprintf (dir, sizeof dir, "%s/reports/%s", agent->state, canton);
    mkdir (dir, 0700);
    snprintf (tmp, sizeof tmp, "%s/r%04d.json.tmp", dir, n);
    snprintf (path, sizeof path, "%s/r%04d.json", dir, n);
    snprintf (text, sizeof text, "{\"rec\": \"%s\", \"state\": \"%s\", \"note\": \"Rapport n° %d de %s\"}", s_ref,
              states [n % 4], n, canton);
    FILE *file = fopen (tmp, "w");
    assert_non_null (file);
    assert_int_equal (fputs (text, file) >= 0, 1);
    assert_int_equal (fclose (file), 0);
    assert_int_equal (rename (tmp, path), 0);
}

//  Lines of the agent's daemon log holding text.
static long
s_log_count (it_agent_t *agent, const char *text)
{
    FILE *log = fopen (agent->log, "r");
    if (!log)
        return 0;
    long count = 0;
    char line [2048];
    while (fgets (line, sizeof line, log))
        count += strstr (line, text) != NULL;
    fclose (log);
    return count;
}

typedef struct {
    it_agent_t *agent;
    long expected;
} s_wait_t;

//  The recommendation is in the agent's state.
static bool
s_received (void *arg)
{
    s_wait_t *w = arg;
    return it_agent_sql_long (w->agent, "SELECT count(*) FROM recommendations") == w->expected;
}

//  Every file in done/, none left in the cantons' folders.
static bool
s_all_done (void *arg)
{
    s_wait_t *w = arg;
    return s_all (w->agent, AGENT_REPORTS_DONE) == w->expected && s_all (w->agent, NULL) == 0;
}

static void
test_report_kill (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agent = it_agent_add (f, "lemanique");
    assert_non_null (agent);
    //  The recommendation, published and received
    char rec [600];
    it_write_file (f, "rec.json", s_rec, rec);
    it_ref_of (IT_HUB_JSON (f, "recommend", "--file", rec), s_ref);
    assert_int_equal (it_agent_start (f, agent), 0);
    assert_true (it_wait_sql (f, 30000, 1, "SELECT count(*) FROM agents WHERE network = 'lemanique' AND connected",
                              NULL));
    s_wait_t received = { agent, 1 };
    assert_true (it_wait_until (30000, s_received, &received));

    //  Waves: the daemon running, drop files, SIGKILL it a varying moment later (the import of a
    //  wave takes a few hundred milliseconds: most kills land inside it), restart
    int n = 0;
    long mid_import = 0;
    for (int wave = 0; wave < S_WAVES; wave++) {
        usleep (400 * 1000);              //  the restarted daemon and its import worker are up
        long done_before = s_all (agent, AGENT_REPORTS_DONE);
        for (int i = 0; i < S_PER_WAVE; i++)
            s_drop (agent, n++);
        if (wave % 2 == 0) {
            //  As soon as the import of this wave has begun (within ~1 s: the import period)
            for (int i = 0; i < 3000 && s_all (agent, AGENT_REPORTS_DONE) == done_before; i++)
                usleep (1000);
        }
        else
            usleep ((useconds_t) (wave * 150) * 1000);
        assert_int_equal (it_agent_kill (f, agent), 0);
        long pending = s_all (agent, NULL), done = s_all (agent, AGENT_REPORTS_DONE);
        mid_import += pending > 0 && done > done_before;
        print_message ("wave %d: killed with %ld file(s) waiting, %ld done\n", wave, pending, done);
        assert_int_equal (it_agent_start (f, agent), 0);
    }
    //  And once more during the catch-up after a restart
    usleep (30 * 1000);
    assert_int_equal (it_agent_kill (f, agent), 0);
    assert_int_equal (it_agent_start (f, agent), 0);
    print_message ("%ld of %d kills landed in the middle of an import\n", mid_import, S_WAVES);

    //  Every file imported, once
    s_wait_t w = { agent, n };
    assert_true (it_wait_until (60000, s_all_done, &w));
    print_message ("%ld file(s) found again after a kill between their commit and their move\n",
                   s_log_count (agent, "was imported before"));
    assert_int_equal (s_all (agent, AGENT_REPORTS_REJECTED), 0);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM reports"), n);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(DISTINCT file_digest) FROM reports"), n);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(DISTINCT file_name) FROM reports"), n);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM reports WHERE source = 'file'"), n);
    //  Each went up once: the outbox empties, each report is receipted, one row each at the hub
    assert_true (it_wait_sql (f, 60000, n, "SELECT count(*) FROM ingest_log WHERE kind = 'report'", NULL));
    for (int i = 0; i < 600 && it_agent_sql_long (agent, "SELECT count(*) FROM outbox") != 0; i++)
        usleep (100 * 1000);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM reports WHERE hub_ref LIKE 'RPT-%'"), n);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM reports WHERE refused_code IS NOT NULL"), 0);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM rec_reports", NULL), n);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM rec_reports", NULL), n);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT note) FROM rec_reports WHERE source = 'file'", NULL), n);
    //  The same message ids on both sides
    it_result_t r;
    assert_int_equal (it_agent_cli (f, agent, &r, "reports", "--json", NULL), 0);
    json_t *listing = it_json_array (r.out);
    assert_int_equal ((long) json_array_size (listing), n);
    size_t index;
    json_t *report;
    json_array_foreach (listing, index, report) {
        const char *mid = it_json_str (report, "message_id");
        assert_non_null (mid);
        assert_int_equal (it_sql_long (f, "SELECT count(*) FROM rec_reports WHERE message_id = $1", mid, NULL), 1);
        char *ref = it_sql_text (f, "SELECT ref FROM ingest_log WHERE message_id = $1", mid, NULL);
        assert_non_null (ref);
        assert_string_equal (ref, it_json_str (report, "hub_ref"));
        free (ref);
    }
    json_decref (listing);
    it_result_free (&r);
    //  The bureau's matrix: each canton's cell holds a report
    assert_int_equal (it_hub_cli (f, &r, "monitor", "--rec", s_ref, "--json", NULL), 0);
    json_t *matrix = it_json (r.out);
    json_t *cells = json_object_get (matrix, "cells");
    assert_int_equal ((long) json_array_size (cells), 3);
    json_array_foreach (cells, index, report) {
        const char *cell_state = it_json_str (report, "state");
        assert_non_null (cell_state);
        assert_string_not_equal (cell_state, "none");
    }
    json_decref (matrix);
    it_result_free (&r);

    assert_int_equal (it_agent_stop (f, agent), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_report_kill, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
