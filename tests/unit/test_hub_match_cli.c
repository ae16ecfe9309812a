/*  test_hub_match_cli.c — `cii-hub similar` and `cii-hub concept add|list` (hub_cli_run) against a
    real PostgreSQL, a fresh database per case: the table and --json of similar with why, --limit,
    the one-line refusals (exit 1) and bad usage (exit 2), --help; concept add with its effect and
    concept list, both with --json and UTF-8 text untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_cli.h"
#include "unit_cli.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
} s_fixture_t;

//  The shared cii-hub fixture (unit_hub_cli.h) under this file's names.
#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_out_line(fx, n) unit_hub_cli_out_line (&(fx)->cli, n)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "match_cli", true);
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

static void
s_request (s_fixture_t *fx, const char *ref, const char *network, const char *lang, const char *title,
           const char *summary, const char *institutions, const char *groups)
{
    unit_pg_exec (fx->cli.hub->pg,
                  "INSERT INTO requests (ref, agent_id, network, message_id, title, summary, institutions, "
                  "  target_groups, cantons, language, created_at) "
                  "VALUES ('%s', 1, '%s', 'm-%s', $t$%s$t$, $t$%s$t$, string_to_array ('%s', ','), "
                  "  coalesce (string_to_array (nullif ('%s', ''), ','), '{}'), '{VD}', '%s', now ())",
                  ref, network, ref, title, summary, institutions, groups, lang);
}

static void
s_corpus (s_fixture_t *fx)
{
    s_request (fx, "CII-2026-0001", "lemanique", "fr", "Jeunes arrivés tardivement sans place d'apprentissage",
               "Les jeunes arrivés tardivement en Suisse ne trouvent pas de place d'apprentissage faute de cours de "
               "langue.", "vocational-training,migration", "late-arriving-youth");
    s_request (fx, "CII-2026-0002", "zuerich", "de", "Spät zugewanderte Jugendliche finden keine Lehrstelle",
               "Spät zugewanderte Jugendliche finden kaum eine Lehrstelle; Deutschkurse fehlen.",
               "vocational-training,migration", "late-arriving-youth");
    s_request (fx, "CII-2026-0003", "ticino", "it", "Giovani giunti tardivamente e apprendistato",
               "I giovani giunti tardivamente non accedono al tirocinio: mancano corsi di lingua.",
               "vocational-training", "late-arriving-youth");
    s_request (fx, "CII-2026-0004", "mittelland", "fr", "Dettes des jeunes adultes",
               "Les jeunes adultes endettés ne trouvent pas de travail.", "social-aid", "");
}

static void
test_similar (void **state)
{
    s_fixture_t *fx = *state;
    s_corpus (fx);
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", NULL), 0);
    assert_string_equal (fx->cli.run.err, "");
    //  A header, then two lines a hit: rank, score, reference, network, language, title; why.
    assert_int_equal (unit_lines (fx->cli.run.out), 1 + 2 * 3);
    assert_non_null (strstr (s_out_line (fx, 0), "RANK"));
    assert_non_null (strstr (s_out_line (fx, 0), "TITLE"));
    const char *first = s_out_line (fx, 1);
    assert_non_null (strstr (first, "   1  0."));
    bool de_first = strstr (first, "CII-2026-0002") != NULL;
    assert_true (de_first || strstr (first, "CII-2026-0003"));
    assert_non_null (strstr (s_out_line (fx, 2), "why: concepts "));
    assert_non_null (strstr (s_out_line (fx, 2), "late-arriving-youth"));
    assert_non_null (strstr (s_out_line (fx, 2), "; institutions "));
    assert_non_null (strstr (s_out_line (fx, 2), "; target groups late-arriving-youth"));
    assert_non_null (strstr (s_out_line (fx, 5), "CII-2026-0004"));
    //  UTF-8 titles as they were sent.
    assert_non_null (strstr (fx->cli.run.out, "Spät zugewanderte Jugendliche finden keine Lehrstelle"));

    //  --json: one array of {ref, kind, network, title, lang, score, why}.
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--json", "--limit", "2", NULL), 0);
    json_t *list = s_json (fx->cli.run.out);
    assert_true (json_is_array (list));
    assert_int_equal (json_array_size (list), 2);
    json_t *de = s_json_find (list, "ref", "\"CII-2026-0002\"");
    assert_non_null (de);
    s_json_member (de, "kind", "\"request\"");
    s_json_member (de, "network", "\"zuerich\"");
    s_json_member (de, "lang", "\"de\"");
    s_json_member (de, "title", "\"Spät zugewanderte Jugendliche finden keine Lehrstelle\"");
    json_t *score = json_object_get (de, "score");
    assert_true (json_is_real (score) && json_real_value (score) > 0 && json_real_value (score) <= 1);
    json_t *why = json_object_get (de, "why");
    s_json_member (why, "institutions", "[\"migration\",\"vocational-training\"]");
    s_json_member (why, "target_groups", "[\"late-arriving-youth\"]");
    json_t *concepts = json_object_get (why, "concepts");
    assert_true (json_is_array (concepts) && json_array_size (concepts) >= 3);
    size_t i;
    json_t *c;
    bool late = false;
    json_array_foreach (concepts, i, c)
        late = late || streq (json_string_value (c), "late-arriving-youth");
    assert_true (late);
    assert_int_equal (json_object_size (de), 7);
    json_decref (list);

    //  Nothing in other networks shares anything with it.
    s_request (fx, "CII-2026-0005", "ost", "de", "Allein", "Allein", "health", "");
    assert_int_equal (s_run (fx, "similar", "CII-2026-0005", NULL), 0);
    assert_string_equal (fx->cli.run.out, "nothing in other networks looks like CII-2026-0005\n");
    assert_int_equal (s_run (fx, "similar", "CII-2026-0005", "--json", NULL), 0);
    assert_string_equal (fx->cli.run.out, "[]\n");
}

static void
test_similar_refused (void **state)
{
    s_fixture_t *fx = *state;
    s_corpus (fx);
    assert_int_equal (s_run (fx, "similar", "CII-2026-0099", NULL), 1);
    s_assert_refused (fx, "cii-hub similar: no request CII-2026-0099");
    assert_int_equal (s_run (fx, "similar", "SIG-1", "--json", NULL), 1);
    s_assert_refused (fx, "cii-hub similar: \"SIG-1\" is not a request reference (CII-YYYY-NNNN)");
    //  Bad usage: exit 2, the usage line.
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--limit", "0", NULL), 2);
    assert_non_null (strstr (fx->cli.run.err, "cii-hub similar: --limit must be 1..100"));
    assert_non_null (strstr (fx->cli.run.err, "usage: cii-hub similar"));
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--limit", "ten", NULL), 2);
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--limit", "101", NULL), 2);
    assert_int_equal (s_run (fx, "similar", NULL), 2);
    assert_int_equal (s_run (fx, "similar", "A", "B", NULL), 2);
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--lang", "fr", NULL), 2);
    //  --help.
    assert_int_equal (s_run (fx, "similar", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--limit N"));
    assert_non_null (strstr (fx->cli.run.out, "--json"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "similar"));
    assert_non_null (strstr (fx->cli.run.out, "concept"));
    //  A database that cannot be reached: a refusal, not a crash.
    const char *head [] = { "cii-hub", "--db", "host=/nonexistent dbname=none", NULL };
    assert_int_equal (unit_cli_run (&fx->cli.run, hub_cli_run, head, "similar", "CII-2026-0001", NULL), 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
}

static void
test_concept (void **state)
{
    s_fixture_t *fx = *state;
    s_request (fx, "CII-2026-0001", "lemanique", "fr", "Le car postal", "Le car postal ne passe plus.", "unemployment", "");
    s_request (fx, "CII-2026-0002", "ticino", "it", "L'autopostale", "L'autopostale non passa più.", "unemployment", "");
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "--lang", "fr", "car postal", NULL), 0);
    assert_string_equal (fx->cli.run.out, "concept mobility: fr term added (query 'car' <-> 'postal'); 1 more document, 1 "
                         "in all\n");
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "autopostale", "--lang", "it", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "concept", "\"mobility\"");
    s_json_member (doc, "lang", "\"it\"");
    s_json_member (doc, "term", "\"autopostale\"");
    s_json_member (doc, "query", "\"'autopostal'\"");
    s_json_member (doc, "tagged", "1");
    s_json_member (doc, "documents", "2");
    json_decref (doc);
    assert_int_equal (s_run (fx, "similar", "CII-2026-0001", "--json", NULL), 0);
    json_t *list = s_json (fx->cli.run.out);
    s_json_member (json_object_get (json_array_get (list, 0), "why"), "concepts", "[\"mobility\"]");
    json_decref (list);

    //  The listing: a table, or --json, of a concept or all.
    assert_int_equal (s_run (fx, "concept", "list", "--concept", "mobility", NULL), 0);
    assert_int_equal (unit_lines (fx->cli.run.out), 3);
    assert_non_null (strstr (s_out_line (fx, 0), "CONCEPT"));
    assert_non_null (strstr (s_out_line (fx, 1), "mobility"));
    assert_non_null (strstr (s_out_line (fx, 1), "car postal"));
    assert_non_null (strstr (s_out_line (fx, 2), "autopostale"));
    assert_int_equal (s_run (fx, "concept", "list", "--json", NULL), 0);
    list = s_json (fx->cli.run.out);
    assert_true (json_array_size (list) >= 450);
    json_t *row = s_json_find (list, "term", "\"Sozialhilfe*\"");
    assert_non_null (row);
    s_json_member (row, "concept", "\"social-aid\"");
    s_json_member (row, "lang", "\"de\"");
    s_json_member (row, "query", "\"'sozialhilf':*\"");
    row = s_json_find (list, "term", "\"jeunes arrivés tardivement\"");
    assert_non_null (row);
    s_json_member (row, "concept", "\"late-arriving-youth\"");
    json_decref (list);

    //  Refusals and bad usage.
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "--lang", "fr", "car postal", NULL), 1);
    s_assert_refused (fx, "cii-hub concept add: concept mobility already has the fr term \"car postal\"");
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "--lang", "en", "bus", NULL), 1);
    s_assert_refused (fx, "cii-hub concept add: the language must be fr, de or it (got \"en\")");
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "--lang", "fr", "de la", NULL), 1);
    s_assert_refused (fx, "cii-hub concept add: the term \"de la\" has no searchable word in fr (only stop words)");
    assert_int_equal (s_run (fx, "concept", "list", "--concept", "nothing-here", NULL), 1);
    s_assert_refused (fx, "cii-hub concept list: no concept nothing-here");
    assert_int_equal (s_run (fx, "concept", "add", "mobility", "bus", NULL), 2);
    assert_non_null (strstr (fx->cli.run.err, "--lang is required"));
    assert_int_equal (s_run (fx, "concept", "add", "mobility", NULL), 2);
    assert_int_equal (s_run (fx, "concept", NULL), 2);
    assert_int_equal (s_run (fx, "concept", "add", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "--lang fr|de|it"));
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count (*) FROM concept_terms WHERE concept = 'mobility'"), 2);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_similar, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_similar_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_concept, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
