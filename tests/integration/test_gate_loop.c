/*  test_gate_loop.c — integration (issue 7): the upward loop at the national level with real
    processes. Three networks in three languages consolidate their signals into requests (with a
    merge and a split), forward them, get national references and criteria; the bureau finds the
    other-language twin with `similar`, groups twins into a theme, decides; every agent holds the
    right history. Then: the hub killed between forward and receipt (one request, one reference),
    an agent offline during a decision that gets it after reconnecting, and eight `cii-hub theme
    new` processes at once (references without gap or duplicate, every network told). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "it_loop.h"

#define S_WAIT_MS 60000

static void
test_three_networks (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    it_agent_t *ti = it_agent_add (f, "ticino");
    it_agent_t *zh = it_agent_add (f, "zuerich");
    assert_int_equal (it_agent_start (f, lem), 0);
    assert_int_equal (it_agent_start (f, ti), 0);
    assert_int_equal (it_agent_start (f, zh), 0);
    it_result_t r;

    //  Signals in French, Italian, German, about the same problem (the exchange between the
    //  public employment services and social aid when unemployment benefits run out), plus others.
    const char *fr_title = "Échange de données entre l'ORP et l'aide sociale en fin de droits";
    const char *it_title = "Collaborazione tra URC e assistenza sociale per i disoccupati in fine diritto";
    const char *de_title = "Datenaustausch zwischen RAV und Sozialhilfe bei Aussteuerung";
    assert_int_equal (it_agent_cli (f, lem, &r, "signal", "add", "--canton", "GE", "--lang", "fr", "--title", fr_title,
                                    "--body", "Quand un chômeur arrive en fin de droits, l'aide sociale reprend le "
                                    "dossier sans les informations de l'ORP sur les démarches de recherche d'emploi.",
                                    "--institutions", "unemployment,social-aid", "--target-groups", "social-aid-recipients",
                                    "--reason", "L'échange d'informations relève du droit fédéral (LACI).", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, lem, &r, "signal", "add", "--canton", "VD", "--lang", "fr", "--title",
                                    "Accès à la formation pour les personnes admises à titre provisoire", "--body",
                                    "Les jeunes adultes admis à titre provisoire n'accèdent pas aux formations.",
                                    "--institutions", "vocational-training,migration", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, ti, &r, "signal", "add", "--canton", "TI", "--lang", "it", "--title", it_title,
                                    "--body", "Quando un disoccupato esaurisce il diritto alle indennità, l'assistenza "
                                    "sociale riceve il caso senza le informazioni dell'URC sul collocamento.",
                                    "--institutions", "unemployment,social-aid", "--target-groups", "social-aid-recipients",
                                    "--reason", "Lo scambio d'informazioni è disciplinato dal diritto federale.", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, zh, &r, "signal", "add", "--canton", "ZH", "--lang", "de", "--title", de_title,
                                    "--body", "Bei der Aussteuerung übernimmt die Sozialhilfe die Person, ohne dass "
                                    "das RAV seine Informationen zur Stellensuche weitergibt.",
                                    "--institutions", "unemployment,social-aid", NULL), 0);
    it_result_free (&r);
    assert_true (it_wait_delivered (f, lem, 2, S_WAIT_MS));
    assert_true (it_wait_delivered (f, ti, 1, S_WAIT_MS));
    assert_true (it_wait_delivered (f, zh, 1, S_WAIT_MS));

    //  lemanique: two drafts, merged, then split again (lineage kept)
    char sig_ge [24], sig_vd [24];
    snprintf (sig_ge, sizeof sig_ge, "%ld", it_agent_signal_id (f, lem, fr_title));
    snprintf (sig_vd, sizeof sig_vd, "%ld",
              it_agent_signal_id (f, lem, "Accès à la formation pour les personnes admises à titre provisoire"));
    long d1 = it_agent_run_id (f, lem, "request new", "request", "new", "--title", "Fin de droits : échange ORP – aide sociale",
                               "--summary", "Les ORP et l'aide sociale n'échangent pas les données utiles en fin de droits.",
                               "--signals", sig_ge, "--objective", "system-coordination", "--json", NULL);
    long d2 = it_agent_run_id (f, lem, "request new", "request", "new", "--title", "Formation des admis provisoires",
                               "--summary", "Accès à la formation.", "--signals", sig_vd, "--json", NULL);
    char d1s [24], d2s [24];
    snprintf (d1s, sizeof d1s, "%ld", d1);
    snprintf (d2s, sizeof d2s, "%ld", d2);
    assert_int_equal (it_agent_run (f, lem, &r, "request", "merge", d1s, d2s, "--json", NULL), 0);
    it_result_free (&r);
    long split = it_agent_run_id (f, lem, "request split", "request", "split", d1s, "--signals", sig_vd, "--title",
                                  "Formation des admis provisoires", "--json", NULL);
    assert_true (split > 0 && split != d1);
    assert_int_equal (it_agent_run (f, lem, &r, "show", d1s, "--json", NULL), 0);
    assert_non_null (strstr (r.out, "split"));          //  the lineage says so
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, lem, &r, "request", "edit", d1s, "--support", "VD", "--json", NULL), 0);
    it_result_free (&r);

    //  ticino and zuerich: one request each
    char sig_ti [24], sig_zh [24];
    snprintf (sig_ti, sizeof sig_ti, "%ld", it_agent_signal_id (f, ti, it_title));
    snprintf (sig_zh, sizeof sig_zh, "%ld", it_agent_signal_id (f, zh, de_title));
    long t1 = it_agent_run_id (f, ti, "request new", "request", "new", "--title", "URC e assistenza sociale a fine diritto",
                               "--summary", "Manca lo scambio d'informazioni tra URC e assistenza sociale.", "--signals", sig_ti,
                               "--objective", "labour-market-integration", "--support", "TI", "--json", NULL);
    long z1 = it_agent_run_id (f, zh, "request new", "request", "new", "--title", "RAV und Sozialhilfe bei Aussteuerung",
                               "--summary", "Kein Informationsfluss vom RAV zur Sozialhilfe.", "--signals", sig_zh, "--json", NULL);
    char t1s [24], z1s [24];
    snprintf (t1s, sizeof t1s, "%ld", t1);
    snprintf (z1s, sizeof z1s, "%ld", z1);

    //  Forwarded: national references and criteria
    assert_int_equal (it_agent_run (f, lem, &r, "request", "forward", d1s, NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, ti, &r, "request", "forward", t1s, NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, zh, &r, "request", "forward", z1s, NULL), 0);
    it_result_free (&r);
    //  Forwarding twice is refused (no longer a draft)
    assert_int_equal (it_agent_run (f, lem, &r, "request", "forward", d1s, NULL), 1);
    it_result_free (&r);
    char ref_fr [40], ref_it [40], ref_de [40];
    it_wait_request_state (f, lem, d1, "received", ref_fr);
    it_wait_request_state (f, ti, t1, "received", ref_it);
    it_wait_request_state (f, zh, z1, "received", ref_de);
    assert_true (strncmp (ref_fr, "CII-", 4) == 0 && strncmp (ref_it, "CII-", 4) == 0);
    assert_string_not_equal (ref_fr, ref_it);
    json_t *doc = it_hub_show (f, ref_fr);
    assert_string_equal (it_json_str (doc, "network"), "lemanique");
    json_t *criteria = json_object_get (doc, "criteria");
    assert_true (json_is_array (criteria) && json_array_size (criteria) == 4);
    assert_true (json_is_true (json_object_get (it_json_find (criteria, "id", "C1"), "met")));   //  2 institutions
    assert_true (json_is_true (json_object_get (it_json_find (criteria, "id", "C2"), "met")));   //  an objective
    assert_true (json_is_true (json_object_get (it_json_find (criteria, "id", "C3"), "met")));   //  GE + VD
    json_decref (doc);
    doc = it_hub_show (f, ref_de);
    criteria = json_object_get (doc, "criteria");
    assert_true (json_is_false (json_object_get (it_json_find (criteria, "id", "C2"), "met")));  //  no objective
    json_decref (doc);

    //  Cross-language matching: the Italian twin among the first three for the French request
    assert_int_equal (it_hub_cli (f, &r, "similar", ref_fr, "--limit", "3", "--json", NULL), 0);
    json_t *hits = it_json_array (r.out);
    bool twin = false;
    for (size_t i = 0; i < json_array_size (hits); i++)
        twin = twin || streq (it_json_str (json_array_get (hits, i), "ref") ? it_json_str (json_array_get (hits, i), "ref") : "",
                              ref_it);
    if (!twin)
        print_message ("similar %s: %s\n", ref_fr, r.out);
    assert_true (twin);
    json_decref (hits);
    it_result_free (&r);

    //  A theme of the two twins, decided admissible; the German request declared inadmissible
    assert_int_equal (it_hub_cli (f, &r, "theme", "new", "--title", "Fin de droits : ORP/URC et aide sociale", ref_fr,
                                  ref_it, "--json", NULL), 0);
    doc = it_json (r.out);
    char theme [40];
    snprintf (theme, sizeof theme, "%s", it_json_str (doc, "ref"));
    json_decref (doc);
    it_result_free (&r);
    assert_true (strncmp (theme, "NT-", 3) == 0);
    assert_int_equal (it_hub_cli (f, &r, "decide", theme, "--to", "admissible", "--organ", "bureau", "--note",
                                  "Thème partagé par deux réseaux", NULL), 0);
    it_result_free (&r);
    //  inadmissible needs a note; a forbidden transition is refused naming the allowed ones
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_de, "--to", "inadmissible", "--organ", "bureau", NULL), 1);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_de, "--to", "inadmissible", "--organ", "bureau", "--note",
                                  "Kein Bezug zu einem allgemeinen Ziel der IIZ", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_de, "--to", "admissible", "--organ", "bureau", NULL), 1);
    assert_non_null (strstr (r.err, "inadmissible"));
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "decide", "CII-1999-9999", "--to", "admissible", "--organ", "bureau", NULL), 1);
    it_result_free (&r);

    //  Each agent holds the right history
    it_wait_request_state (f, lem, d1, "admissible", NULL);
    it_wait_request_state (f, ti, t1, "admissible", NULL);
    it_wait_request_state (f, zh, z1, "inadmissible", NULL);
    assert_int_equal (it_agent_run (f, zh, &r, "show", ref_de, "--json", NULL), 0);
    doc = it_json (r.out);
    json_t *history = json_object_get (doc, "history");
    assert_true (json_is_array (history) && json_array_size (history) >= 2);
    json_t *last = json_array_get (history, json_array_size (history) - 1);
    assert_string_equal (it_json_str (last, "state"), "inadmissible");
    assert_string_equal (it_json_str (last, "note"), "Kein Bezug zu einem allgemeinen Ziel der IIZ");
    json_decref (doc);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, ti, &r, "show", t1s, "--json", NULL), 0);
    assert_non_null (strstr (r.out, "grouped"));
    assert_non_null (strstr (r.out, theme));
    it_result_free (&r);
    //  The per-canton view: what GE signalled or supports
    assert_int_equal (it_agent_run (f, lem, &r, "requests", "--canton", "GE", "--json", NULL), 0);
    json_t *list = it_json_array (r.out);
    assert_non_null (it_json_find (list, "ref", ref_fr));
    json_decref (list);
    it_result_free (&r);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  The hub killed between forward and receipt: one request, one reference, no gap.
static void
test_hub_killed (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *ti = it_agent_add (f, "ticino");
    assert_int_equal (it_agent_start (f, ti), 0);
    it_result_t r;
    assert_int_equal (it_signal_add (f, ti, "TI", "Segnale per la richiesta", NULL, "it", &r), 0);
    it_result_free (&r);
    char ids [24];
    long id = it_draft_of (f, ti, "Segnale per la richiesta", "Richiesta", "Sintesi.", NULL, ids);
    //  The ingest is held (a lock on requests) so that the hub dies with the request in flight
    assert_int_equal (it_sql_exec (f, "BEGIN", NULL), 0);
    assert_int_equal (it_sql_exec (f, "LOCK TABLE requests IN ACCESS EXCLUSIVE MODE", NULL), 0);
    assert_int_equal (it_agent_run (f, ti, &r, "request", "forward", ids, NULL), 0);
    it_result_free (&r);
    usleep (1500 * 1000);              //  sent; the batch waits for the lock
    assert_int_equal (it_hub_kill (f), 0);
    assert_int_equal (it_sql_exec (f, "COMMIT", NULL), 0);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM requests", NULL), 0);
    assert_int_equal (it_hub_start (f), 0);
    char ref [40];
    it_wait_request_state (f, ti, id, "received", ref);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM requests", NULL), 1);
    assert_int_equal (it_sql_long (f, "SELECT last FROM ref_counters WHERE prefix = 'CII'", NULL), 1);
    assert_true (strstr (ref, "-0001") != NULL);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

//  An agent offline during the decision gets it after reconnecting.
static void
test_offline_agent (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *zh = it_agent_add (f, "zuerich");
    assert_int_equal (it_agent_start (f, zh), 0);
    it_result_t r;
    assert_int_equal (it_agent_cli (f, zh, &r, "signal", "add", "--canton", "ZH", "--lang", "de", "--title", "Signal",
                                    "--body", "Text.", "--institutions", "unemployment,social-aid", NULL), 0);
    it_result_free (&r);
    char ids [24];
    long id = it_draft_of (f, zh, "Signal", "Antrag", "Zusammenfassung.", "system-coordination", ids);
    assert_int_equal (it_agent_run (f, zh, &r, "request", "forward", ids, NULL), 0);
    it_result_free (&r);
    char ref [40];
    it_wait_request_state (f, zh, id, "received", ref);
    assert_int_equal (it_agent_stop (f, zh), 0);
    assert_int_equal (it_hub_cli (f, &r, "decide", ref, "--to", "admissible", "--organ", "bureau", "--note",
                                  "Entscheid während das Netz offline ist", NULL), 0);
    it_result_free (&r);
    usleep (1000 * 1000);
    assert_int_equal (it_agent_start (f, zh), 0);
    it_wait_request_state (f, zh, id, "admissible", NULL);
    assert_int_equal (it_agent_run (f, zh, &r, "show", ids, "--json", NULL), 0);
    assert_non_null (strstr (r.out, "Entscheid während das Netz offline ist"));
    it_result_free (&r);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

typedef struct {
    it_agent_t *agent;
    const char *sql;
    long expected;
} s_agent_count_t;

//  True when the agent's state answers sql with the expected number.
static bool
s_agent_count_is (void *arg)
{
    s_agent_count_t *w = arg;
    return it_agent_sql_long (w->agent, w->sql) == w->expected;
}

//  Eight bureau members creating themes at once (eight `cii-hub theme new` processes, eight
//  connections allocating NT references in the same year): NT-YYYY-01..08, no gap, no duplicate.
#define S_PAIRS 8

static void
test_concurrent_themes (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agents [2] = { it_agent_add (f, "lemanique"), it_agent_add (f, "ticino") };
    const char *cantons [2] = { "GE", "TI" };
    const char *langs [2] = { "fr", "it" };
    for (int a = 0; a < 2; a++) {
        assert_int_equal (it_agent_start (f, agents [a]), 0);
        for (int i = 0; i < S_PAIRS; i++) {
            char title [64];
            snprintf (title, sizeof title, "Segnale %d-%d", a, i);
            it_result_t r;
            assert_int_equal (it_signal_add (f, agents [a], cantons [a], title, NULL, langs [a], &r), 0);
            json_t *doc = it_json (r.out);
            char sig [24];
            snprintf (sig, sizeof sig, "%ld", it_json_long (doc, "id"));
            json_decref (doc);
            it_result_free (&r);
            long id = it_agent_run_id (f, agents [a], "request new", "request", "new", "--title", title, "--summary",
                                       "Sintesi.", "--signals", sig, "--json", NULL);
            char ids [24];
            snprintf (ids, sizeof ids, "%ld", id);
            //  forwarded at once: held in the outbox until its signal is receipted
            assert_int_equal (it_agent_run (f, agents [a], &r, "request", "forward", ids, NULL), 0);
            it_result_free (&r);
        }
    }
    assert_true (it_wait_sql (f, S_WAIT_MS, 2 * S_PAIRS, "SELECT count(*) FROM requests", NULL));
    //  Pair i: lemanique's i-th request and ticino's i-th, each pair a theme of its own
    char refs [2][S_PAIRS][40];
    for (int a = 0; a < 2; a++)
        for (int i = 0; i < S_PAIRS; i++) {
            char sql [200];
            snprintf (sql, sizeof sql, "SELECT ref FROM requests WHERE network = '%s' ORDER BY ref OFFSET %d LIMIT 1",
                      agents [a]->network, i);
            char *ref = it_sql_text (f, sql, NULL);
            assert_non_null (ref);
            snprintf (refs [a][i], sizeof refs [a][i], "%s", ref);
            free (ref);
        }
    pid_t pids [S_PAIRS];
    for (int i = 0; i < S_PAIRS; i++) {
        char title [64], log [600];
        snprintf (title, sizeof title, "Tema %d", i);
        snprintf (log, sizeof log, "%s/theme-%d.log", f->dir, i);
        const char *argv [] = { CII_HUB_BIN, "--db", f->conninfo, "theme", "new", "--title", title,
                                refs [0][i], refs [1][i], NULL };
        pids [i] = it_spawn (argv, log);
        assert_true (pids [i] > 0);
    }
    for (int i = 0; i < S_PAIRS; i++)
        assert_int_equal (it_wait_pid (pids [i], S_WAIT_MS), 0);
    char *numbers = it_sql_text (f, "SELECT string_agg (right (ref, 2), ',' ORDER BY ref) FROM themes", NULL);
    assert_string_equal (numbers, "01,02,03,04,05,06,07,08");
    free (numbers);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT theme_id) FROM requests", NULL), S_PAIRS);
    assert_int_equal (it_sql_long (f, "SELECT last FROM ref_counters WHERE prefix = 'NT'", NULL), S_PAIRS);
    //  The request references too: CII-YYYY-0001..0016 whatever the interleaving of the two agents
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT ref) FROM requests WHERE right (ref, 4)::int "
                                      "BETWEEN 1 AND 16", NULL), 2 * S_PAIRS);
    //  Every network is told: the last pair's requests reach "grouped" at both agents
    for (int a = 0; a < 2; a++) {
        s_agent_count_t w = { agents [a], "SELECT count(*) FROM requests WHERE state = 'grouped'", S_PAIRS };
        if (!it_wait_until (S_WAIT_MS, s_agent_count_is, &w))
            fail_msg ("%s holds %ld grouped requests, expected %d", agents [a]->network,
                      it_agent_sql_long (agents [a], w.sql), S_PAIRS);
    }
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_three_networks, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_hub_killed, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_offline_agent, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_concurrent_themes, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
