/*  test_notices_offline.c — integration: bureau notices go downward to every agent in order;
    an agent that was stopped while five notices were published gets all five (seq 1..5, titles
    in order) when restarted; a notice to one network reaches only that network's agent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define N_NOTICES 5

static const char *s_titles[N_NOTICES] = {
    "Avis n° 1 : recommandation « accès à la formation »",
    "Hinweis 2: Übergänge für Jugendliche – größere Klarheit",
    "Avviso 3: l'integrazione è più rapida già così",
    "Avis n° 4 : réunion CDC déplacée à Berne",
    "Hinweis 5: Rückmeldung bis 30. Juni fällig",
};

//  Checks `cii-agent notices --json`: exactly `count` notices, seq 1..count, titles as expected
//  (titles[i] for seq i+1), texts kept.
static void s_check_notices (it_fixture_t *f, it_agent_t *agent, const char *const *titles,
                             long count)
{
    it_result_t r;
    assert_int_equal (it_agent_cli (f, agent, &r, "notices", "--json", NULL), 0);
    json_t *listing = it_json_array (r.out);
    if ((long)json_array_size (listing) != count)
        print_message ("%s notices: %s\n", agent->network, r.out);
    assert_int_equal (json_array_size (listing), count);
    for (long i = 0; i < count; i++) {
        const json_t *element = json_array_get (listing, (size_t)i);
        assert_non_null (element);
        assert_int_equal (it_json_long (element, "seq"), i + 1);
        const char *title = it_json_str (element, "title");
        assert_non_null (title);
        assert_string_equal (title, titles[i]);
        const char *text = it_json_str (element, "text");
        assert_non_null (text);
        assert_true (strstr (text, "Texte de l'avis") != NULL);
    }
    json_decref (listing);
    it_result_free (&r);
}

static void s_notice (it_fixture_t *f, const char *to, const char *title, int expected_status)
{
    it_result_t r;
    char text[300];
    snprintf (text, sizeof text, "Texte de l'avis : %s — mit Umlauten äöü, e città.", title);
    int status = it_hub_cli (f, &r, "notice", "--to", to, "--title", title, "--text", text, NULL);
    if (status != expected_status)
        print_message ("notice --to %s exited %d: %s\n", to, status, r.err);
    assert_int_equal (status, expected_status);
    if (expected_status == 1) {
        //  refused: one line on stderr
        size_t len = strlen (r.err);
        assert_true (len > 1);
        assert_true (strchr (r.err, '\n') == r.err + len - 1);
    }
    it_result_free (&r);
}

static void test_notices_offline (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    it_agent_t *zur = it_agent_add (f, "zuerich");
    it_agent_t *tic = it_agent_add (f, "ticino");
    assert_non_null (lem);
    assert_non_null (zur);
    assert_non_null (tic);
    assert_int_equal (it_agent_start (f, lem), 0);
    assert_int_equal (it_agent_start (f, zur), 0);
    assert_int_equal (it_agent_start (f, tic), 0);
    assert_true (it_wait_sql (f, 30000, 3, "SELECT count(*) FROM agents WHERE connected", NULL));
    //  ticino goes offline
    assert_int_equal (it_agent_stop (f, tic), 0);
    assert_true (it_wait_sql (
        f, 30000, 0, "SELECT count(*) FROM agents WHERE network = 'ticino' AND connected", NULL));

    for (int i = 0; i < N_NOTICES; i++)
        s_notice (f, "all", s_titles[i], 0);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM downward", NULL), 3 * N_NOTICES);

    //  the two online agents get all five, acknowledged at the hub
    assert_true (it_wait_sql (f, 30000, N_NOTICES,
                              "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_true (it_wait_sql (f, 30000, N_NOTICES,
                              "SELECT acked_seq FROM agents WHERE network = 'zuerich'", NULL));
    s_check_notices (f, lem, s_titles, N_NOTICES);
    s_check_notices (f, zur, s_titles, N_NOTICES);
    assert_int_equal (
        it_sql_long (f, "SELECT acked_seq FROM agents WHERE network = 'ticino'", NULL), 0);
    assert_int_equal (it_agent_sql_long (tic, "SELECT count(*) FROM notices"), 0);

    //  ticino comes back and catches up, in order
    assert_int_equal (it_agent_start (f, tic), 0);
    assert_true (it_wait_sql (f, 30000, N_NOTICES,
                              "SELECT acked_seq FROM agents WHERE network = 'ticino'", NULL));
    s_check_notices (f, tic, s_titles, N_NOTICES);
    assert_true (
        it_wait_sql (f, 10000, 0, "SELECT count(*) FROM downward WHERE acked_at IS NULL", NULL));

    //  a notice to one network only
    static const char *zur_titles[N_NOTICES + 1];
    for (int i = 0; i < N_NOTICES; i++)
        zur_titles[i] = s_titles[i];
    zur_titles[N_NOTICES] = "Nur für Zürich: Umsetzungsbericht";
    s_notice (f, "zuerich", zur_titles[N_NOTICES], 0);
    assert_true (it_wait_sql (f, 30000, N_NOTICES + 1,
                              "SELECT acked_seq FROM agents WHERE network = 'zuerich'", NULL));
    s_check_notices (f, zur, zur_titles, N_NOTICES + 1);

    //  and one to two networks: lemanique + ticino get seq 6, zuerich stays at 6 with its own
    static const char *two_titles[N_NOTICES + 1];
    for (int i = 0; i < N_NOTICES; i++)
        two_titles[i] = s_titles[i];
    two_titles[N_NOTICES] = "Avis aux réseaux lémanique et tessinois";
    s_notice (f, "lemanique,ticino", two_titles[N_NOTICES], 0);
    assert_true (it_wait_sql (f, 30000, N_NOTICES + 1,
                              "SELECT acked_seq FROM agents WHERE network = 'lemanique'", NULL));
    assert_true (it_wait_sql (f, 30000, N_NOTICES + 1,
                              "SELECT acked_seq FROM agents WHERE network = 'ticino'", NULL));
    s_check_notices (f, lem, two_titles, N_NOTICES + 1);
    s_check_notices (f, tic, two_titles, N_NOTICES + 1);
    s_check_notices (f, zur, zur_titles, N_NOTICES + 1);
    assert_int_equal (it_sql_long (f, "SELECT max(last_seq) FROM downward_heads", NULL), N_NOTICES + 1);

    //  an unknown network is refused with one line, and nothing is queued
    s_notice (f, "atlantis", "Avis perdu", 1);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM downward", NULL), 3 * N_NOTICES + 3);

    assert_int_equal (it_agent_stop (f, lem), 0);
    assert_int_equal (it_agent_stop (f, zur), 0);
    assert_int_equal (it_agent_stop (f, tic), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  Downward under faults: 30 notices published while the agent is killed with SIGKILL every 10
//  and the hub once; in the end the agent holds exactly seq 1..30 in order, all acknowledged.
static void test_notices_under_kills (void **state)
{
    it_fixture_t *f = *state;
    enum { N = 30 };
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *zen = it_agent_add (f, "zentral");
    assert_non_null (zen);
    assert_int_equal (it_agent_start (f, zen), 0);

    static char titles[N][64];
    static const char *title_ptrs[N];
    for (int i = 0; i < N; i++) {
        snprintf (titles[i], sizeof titles[i], "Mitteilung %02d für Zentralschweiz", i + 1);
        title_ptrs[i] = titles[i];
        s_notice (f, "all", titles[i], 0);
        if (i % 10 == 4) {
            //  kill the agent right after a notice went out (maybe stored, maybe acked, maybe not)
            assert_int_equal (it_agent_kill (f, zen), 0);
            assert_int_equal (it_agent_start (f, zen), 0);
        }
        if (i == 17) {
            assert_int_equal (it_hub_kill (f), 0);
            assert_int_equal (it_hub_start (f), 0);
        }
    }
    assert_true (
        it_wait_sql (f, 30000, N, "SELECT acked_seq FROM agents WHERE network = 'zentral'", NULL));
    s_check_notices (f, zen, title_ptrs, N);
    assert_int_equal (it_agent_sql_long (zen, "SELECT count(*) FROM inbox"), N);
    assert_int_equal (it_agent_sql_long (zen, "SELECT max(seq) FROM notices"), N);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM downward WHERE acked_at IS NULL", NULL),
                      0);

    assert_int_equal (it_agent_stop (f, zen), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_notices_offline, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_notices_under_kills, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
