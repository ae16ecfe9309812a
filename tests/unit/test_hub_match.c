/*  test_hub_match.c — cross-language matching (hub_match) against a real PostgreSQL, a fresh
    database per case: the other-language twin of a request ranks above texts of its own language
    about other problems; only other networks, requests not withdrawn and signals no request
    consolidates; why (concepts, institutions, target groups); limits and refusals; a large index
    (the candidate rule, the title way in for a text without concepts); the C3 breadth and its
    threshold; the thesaurus rules; indexing in the background; hostile text. Requests are rows
    written directly (as the gate stores them). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_match.h"
#include "unit_hub.h"

//  Inserts a request (comma lists of institutions and target groups); returns its id.
static int64_t
s_request (unit_hub_t *hub, const char *ref, const char *network, const char *lang, const char *title,
           const char *summary, const char *institutions, const char *groups)
{
    unit_pg_exec (hub->pg,
                  "INSERT INTO requests (ref, agent_id, network, message_id, title, summary, institutions, "
                  "  target_groups, cantons, language, created_at) "
                  "VALUES ('%s', 1, '%s', 'm-%s', $t$%s$t$, $t$%s$t$, string_to_array ('%s', ','), "
                  "  coalesce (string_to_array (nullif ('%s', ''), ','), '{}'), '{VD}', '%s', now ())",
                  ref, network, ref, title, summary, institutions, groups, lang);
    return unit_pg_int (hub->pg, "SELECT id FROM requests WHERE ref = '%s'", ref);
}

static int64_t
s_signal (unit_hub_t *hub, const char *network, const char *lang, const char *title, const char *description,
          const char *institutions)
{
    static int n;
    unit_pg_exec (hub->pg,
                  "INSERT INTO signals (agent_id, network, canton, title, description, institutions, language, "
                  "  created_at, message_id) "
                  "VALUES (1, '%s', 'ZH', $t$%s$t$, $t$%s$t$, string_to_array ('%s', ','), '%s', now (), 'u-%d')",
                  network, title, description, institutions, lang, ++n);
    return unit_pg_int (hub->pg, "SELECT max (id) FROM signals");
}

//  Three texts on one problem (late-arriving youth and apprenticeship) in three languages and
//  networks, and texts in French about other problems in another French-speaking network.
static void
s_corpus (unit_hub_t *hub)
{
    s_request (hub, "CII-2026-0001", "lemanique", "fr", "Jeunes arrivés tardivement sans place d'apprentissage",
               "Les jeunes arrivés tardivement en Suisse, souvent admis à titre provisoire, ne trouvent pas de place "
               "d'apprentissage faute de cours de langue adaptés.", "vocational-training,migration",
               "late-arriving-youth");
    s_request (hub, "CII-2026-0002", "zuerich", "de", "Spät zugewanderte Jugendliche finden keine Lehrstelle",
               "Spät zugewanderte Jugendliche und vorläufig Aufgenommene finden kaum eine Lehrstelle; Deutschkurse "
               "fehlen, die Brückenangebote sind zu kurz.", "vocational-training,migration", "late-arriving-youth");
    s_request (hub, "CII-2026-0003", "ticino", "it", "Giovani giunti tardivamente e apprendistato",
               "I giovani giunti tardivamente in Svizzera non accedono al tirocinio: mancano corsi di lingua.",
               "vocational-training,migration", "late-arriving-youth");
    //  Same language as 0001, another network, other problems (sharing words and an institution).
    s_request (hub, "CII-2026-0004", "mittelland", "fr", "Les jeunes et le logement",
               "Les jeunes à l'aide sociale ne trouvent pas de logement en Suisse; les loyers sont trop élevés "
               "pour leur budget.", "social-aid", "");
    s_request (hub, "CII-2026-0005", "mittelland", "fr", "Dettes des jeunes adultes",
               "Les jeunes adultes endettés ne trouvent pas de travail en Suisse; les poursuites les découragent.",
               "social-aid,vocational-training", "");
    //  Same network as 0001: never a hit of it.
    s_request (hub, "CII-2026-0006", "lemanique", "fr", "Jeunes arrivés tardivement : stages",
               "Les jeunes arrivés tardivement ont besoin de stages avant l'apprentissage.", "vocational-training",
               "late-arriving-youth");
}

static int
s_rank (hub_match_hits_t *hits, const char *ref)
{
    for (size_t i = 0; i < hub_match_hits_count (hits); i++)
        if (streq (hub_match_hit_at (hits, i)->ref, ref))
            return (int) i + 1;
    return 0;
}

static bool
s_has (const char *list, const char *name)
{
    char padded [1024], needle [128];
    snprintf (padded, sizeof padded, ",%s,", list);
    snprintf (needle, sizeof needle, ",%s,", name);
    return strstr (padded, needle) != NULL;
}

static void
test_twins_first (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    cii_err_t err;
    hub_match_hits_t *hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    //  The German and the Italian twins first, then the French texts on other problems.
    assert_int_equal (hub_match_hits_count (hits), 4);
    assert_true (s_rank (hits, "CII-2026-0002") <= 2);
    assert_true (s_rank (hits, "CII-2026-0003") <= 2);
    assert_true (s_rank (hits, "CII-2026-0004") > 2);
    assert_true (s_rank (hits, "CII-2026-0005") > 2);
    assert_int_equal (s_rank (hits, "CII-2026-0006"), 0);          //  its own network
    const hub_match_hit_t *top = hub_match_hit_at (hits, 0);
    assert_true (top->score > 0.3 && top->score <= 1.0);
    for (size_t i = 1; i < hub_match_hits_count (hits); i++)
        assert_true (hub_match_hit_at (hits, i)->score <= hub_match_hit_at (hits, i - 1)->score);
    //  Why: the shared concepts by name, the institutions and target groups both name.
    const hub_match_hit_t *de = hub_match_hit_at (hits, s_rank (hits, "CII-2026-0002") - 1);
    assert_string_equal (de->kind, "request");
    assert_string_equal (de->network, "zuerich");
    assert_string_equal (de->language, "de");
    assert_string_equal (de->title, "Spät zugewanderte Jugendliche finden keine Lehrstelle");
    assert_true (s_has (de->concepts, "late-arriving-youth"));
    assert_true (s_has (de->concepts, "apprenticeship"));
    assert_true (s_has (de->concepts, "language-skills"));
    assert_true (s_has (de->concepts, "refugees-provisionally-admitted"));
    assert_string_equal (de->institutions, "migration,vocational-training");
    assert_string_equal (de->target_groups, "late-arriving-youth");
    //  The rarest (most telling) concept is named first.
    char *list = strdup (de->concepts), *save = NULL;
    long long first_df = -1;
    for (char *c = strtok_r (list, ",", &save); c; c = strtok_r (NULL, ",", &save)) {
        long long df = unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '%s'", c);
        if (first_df < 0)
            first_df = df;
        assert_true (first_df <= df);
    }
    free (list);
    //  A text about another problem shares little.
    const hub_match_hit_t *other = hub_match_hit_at (hits, s_rank (hits, "CII-2026-0004") - 1);
    assert_true (other->score < de->score);
    assert_false (s_has (other->concepts, "late-arriving-youth"));
    hub_match_hits_destroy (&hits);
    hub_match_hits_destroy (&hits);                                 //  safe twice

    //  The limit.
    hits = hub_match_similar (hub->store, "CII-2026-0003", 1, &err);
    assert_non_null (hits);
    assert_int_equal (hub_match_hits_count (hits), 1);
    assert_string_equal (hub_match_hit_at (hits, 0)->network, "lemanique");
    assert_null (hub_match_hit_at (hits, 1));
    hub_match_hits_destroy (&hits);
}

static void
test_refusals (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    cii_err_t err;
    assert_null (hub_match_similar (hub->store, "CII-2026-0099", 10, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    assert_string_equal (err.text, "no request CII-2026-0099");
    assert_null (hub_match_similar (hub->store, "SIG-1", 10, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_string_equal (err.text, "\"SIG-1\" is not a request reference (CII-YYYY-NNNN)");
    assert_null (hub_match_similar (hub->store, "CII-2026-00x1", 10, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_null (hub_match_similar (hub->store, "CII-2026-0001\n'; DROP TABLE requests; --", 10, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_null (strchr (err.text, '\n'));
    assert_null (hub_match_similar (hub->store, "", 10, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_null (hub_match_similar (hub->store, "CII-2026-0001", 0, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_string_equal (err.text, "--limit must be 1..100 (got 0)");
    assert_null (hub_match_similar (hub->store, "CII-2026-0001", 101, &err));
    assert_int_equal (err.rc, CII_BAD_INPUT);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM requests"), 6);
}

static void
test_signals_and_states (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    int64_t free_sig = s_signal (hub, "nordwest", "de", "Spät eingereiste Jugendliche ohne Lehrstelle",
                                 "Spät zugewanderte Jugendliche finden keine Lehrstelle.", "vocational-training,migration");
    int64_t taken_sig = s_signal (hub, "zuerich", "de", "Spät zugewanderte Jugendliche",
                                  "Spät zugewanderte Jugendliche finden keine Lehrstelle.", "vocational-training");
    int64_t req2 = unit_pg_int (hub->pg, "SELECT id FROM requests WHERE ref = 'CII-2026-0002'");
    unit_pg_exec (hub->pg, "INSERT INTO request_signals (request_id, signal_id) VALUES (%lld, %lld)", (long long) req2,
                  (long long) taken_sig);
    cii_err_t err;
    hub_match_hits_t *hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    char ref [32];
    snprintf (ref, sizeof ref, "SIG-%lld", (long long) free_sig);
    int rank = s_rank (hits, ref);
    assert_true (rank >= 1 && rank <= 3);
    assert_string_equal (hub_match_hit_at (hits, rank - 1)->kind, "signal");
    snprintf (ref, sizeof ref, "SIG-%lld", (long long) taken_sig);
    assert_int_equal (s_rank (hits, ref), 0);                       //  consolidated
    hub_match_hits_destroy (&hits);

    //  A withdrawn request no longer shows; a request taken out of a request's signals shows again.
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'withdrawn' WHERE ref = 'CII-2026-0002'");
    unit_pg_exec (hub->pg, "DELETE FROM request_signals WHERE signal_id = %lld", (long long) taken_sig);
    hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    assert_int_equal (s_rank (hits, "CII-2026-0002"), 0);
    assert_true (s_rank (hits, ref) > 0);
    hub_match_hits_destroy (&hits);
    //  A withdrawn request may still be looked at.
    hits = hub_match_similar (hub->store, "CII-2026-0002", 10, &err);
    assert_non_null (hits);
    assert_true (s_rank (hits, "CII-2026-0001") >= 1);
    hub_match_hits_destroy (&hits);
}

static void
test_large_index (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    //  2,400 other signals on other problems: beyond the small-index size, candidates come by the
    //  query's rarest concepts (or, for a text without any, by its title).
    unit_pg_exec (hub->pg,
                  "INSERT INTO signals (agent_id, network, canton, title, description, institutions, language, "
                  "  created_at, message_id) "
                  "SELECT 1, (ARRAY ['ost', 'zentral', 'nordwest'])[1 + g %% 3], 'ZH', "
                  "       (ARRAY ['Schulden und Lohnpfändung', 'Wohnungsnot in der Sozialhilfe', "
                  "               'Dettes et saisies de salaire', 'Logement et aide sociale'])[1 + g %% 4] || ' ' || g, "
                  "       (ARRAY ['Die Sozialhilfe und das RAV: Schulden, Betreibungsregister.', "
                  "               'Die Sozialhilfe findet keine Wohnung.', "
                  "               'L''aide sociale et les poursuites.', "
                  "               'L''aide sociale et le logement.'])[1 + g %% 4], "
                  "       '{social-aid}', (ARRAY ['de', 'de', 'fr', 'fr'])[1 + g %% 4], now (), 'big-' || g "
                  "FROM generate_series (1, 2400) g");
    cii_err_t err;
    hub_match_hits_t *hits = hub_match_similar (hub->store, "CII-2026-0001", 5, &err);
    assert_non_null (hits);
    assert_true (s_rank (hits, "CII-2026-0002") >= 1 && s_rank (hits, "CII-2026-0002") <= 2);
    assert_true (s_rank (hits, "CII-2026-0003") >= 1 && s_rank (hits, "CII-2026-0003") <= 2);
    //  The exact ranking (every document scored) agrees.
    hub_match_hits_t *exact = hub_match_similar_budget (hub->store, "CII-2026-0001", 5, -1, &err);
    assert_non_null (exact);
    assert_string_equal (hub_match_hit_at (exact, 0)->ref, hub_match_hit_at (hits, 0)->ref);
    assert_string_equal (hub_match_hit_at (exact, 1)->ref, hub_match_hit_at (hits, 1)->ref);
    hub_match_hits_destroy (&exact);
    hub_match_hits_destroy (&hits);

    //  A text without any concept finds the texts with a similar title.
    s_request (hub, "CII-2026-0007", "ticino", "it", "Wohnungsnot in der Sozialhilfe 17", "xyz", "social-aid", "");
    unit_pg_exec (hub->pg, "UPDATE requests SET language = 'rm' WHERE ref = 'CII-2026-0007'");
    hits = hub_match_similar (hub->store, "CII-2026-0007", 3, &err);
    assert_non_null (hits);
    assert_int_equal (hub_match_hits_count (hits), 3);
    assert_non_null (strstr (hub_match_hit_at (hits, 0)->title, "Wohnungsnot in der Sozialhilfe 17"));
    hub_match_hits_destroy (&hits);
}

static void
test_networks (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    int64_t id = unit_pg_int (hub->pg, "SELECT id FROM requests WHERE ref = 'CII-2026-0001'");
    hub_match_breadth_t breadth;
    cii_err_t err;
    //  The bureau's threshold: the twins' networks.
    assert_int_equal (hub_match_networks (hub->store, NULL, id, -1, &breadth, &err), CII_OK);
    assert_true (breadth.threshold > 0.39 && breadth.threshold < 0.41);
    assert_int_equal (breadth.networks, 2);
    assert_string_equal (breadth.names, "ticino,zuerich");
    assert_string_equal (breadth.refs, "CII-2026-0003,CII-2026-0002");
    //  By reference, with a threshold of its own; 0 counts every other network with a request.
    assert_int_equal (hub_match_networks (hub->store, "CII-2026-0001", 0, 0.99, &breadth, &err), CII_OK);
    assert_int_equal (breadth.networks, 0);
    assert_string_equal (breadth.names, "");
    assert_int_equal (hub_match_networks (hub->store, "CII-2026-0001", 0, 0, &breadth, &err), CII_OK);
    assert_int_equal (breadth.networks, 3);
    assert_string_equal (breadth.names, "mittelland,ticino,zuerich");
    //  The setting moves it; a setting out of range falls back to the default.
    unit_pg_exec (hub->pg, "UPDATE settings SET value = '0.95' WHERE key = 'c3_min_similarity'");
    assert_int_equal (hub_match_networks (hub->store, NULL, id, -1, &breadth, &err), CII_OK);
    assert_int_equal (breadth.networks, 0);
    unit_pg_exec (hub->pg, "UPDATE settings SET value = 'high' WHERE key = 'c3_min_similarity'");
    assert_int_equal (hub_match_networks (hub->store, NULL, id, -1, &breadth, &err), CII_OK);
    assert_true (breadth.threshold > 0.39 && breadth.threshold < 0.41);
    assert_int_equal (breadth.networks, 2);
    //  Signals never count; a withdrawn request no longer does.
    s_signal (hub, "nordwest", "de", "Spät zugewanderte Jugendliche ohne Lehrstelle",
              "Spät zugewanderte Jugendliche finden keine Lehrstelle.", "vocational-training,migration");
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'withdrawn' WHERE ref = 'CII-2026-0003'");
    assert_int_equal (hub_match_networks (hub->store, NULL, id, -1, &breadth, &err), CII_OK);
    assert_string_equal (breadth.names, "zuerich");
    //  Refusals.
    assert_int_equal (hub_match_networks (hub->store, NULL, 999, -1, &breadth, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no request with id 999");
    assert_int_equal (hub_match_networks (hub->store, "CII-2026-0099", 0, -1, &breadth, &err), CII_NOT_FOUND);
    assert_int_equal (hub_match_networks (hub->store, NULL, id, 1.5, &breadth, &err), CII_BAD_INPUT);
    assert_int_equal (hub_match_networks (hub->store, "NT-2026-01", 0, -1, &breadth, &err), CII_BAD_INPUT);
    //  In the caller's transaction (as the gate evaluates C3): the request it has just stored counts.
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    s_request (hub, "CII-2026-0010", "zentral", "de", "Spät eingereiste Jugendliche ohne Lehrstelle",
               "Spät zugewanderte Jugendliche finden keine Lehrstelle, Deutschkurse fehlen.",
               "vocational-training,migration", "late-arriving-youth");
    assert_int_equal (hub_match_networks (hub->store, "CII-2026-0010", 0, -1, &breadth, &err), CII_OK);
    assert_true (s_has (breadth.names, "lemanique"));
    assert_int_equal (hub_store_rollback (hub->store), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_docs WHERE ref = 'CII-2026-0010'"), 0);
}

static void
test_thesaurus (void **state)
{
    unit_hub_t *hub = *state;
    s_request (hub, "CII-2026-0001", "lemanique", "fr", "Les trajets en car postal", "Le car postal ne passe plus.",
               "unemployment", "");
    s_request (hub, "CII-2026-0002", "ticino", "it", "L'autopostale", "L'autopostale non passa più.",
               "unemployment", "");
    cii_err_t err;
    hub_match_hits_t *hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    assert_string_equal (hub_match_hit_at (hits, 0)->concepts, "");
    hub_match_hits_destroy (&hits);

    hub_concept_added_t added;
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "car postal", &added, &err), CII_OK);
    assert_string_equal (added.query, "'car' <-> 'postal'");
    assert_int_equal (added.tagged, 1);
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "it", "autopostale", &added, &err), CII_OK);
    assert_int_equal (added.docs, 2);
    hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    assert_string_equal (hub_match_hit_at (hits, 0)->concepts, "mobility");
    hub_match_hits_destroy (&hits);

    //  Refusals, nothing changed.
    int64_t terms = unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms");
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "car postal", &added, &err), CII_CONFLICT);
    assert_string_equal (err.text, "concept mobility already has the fr term \"car postal\"");
    assert_int_equal (hub_match_concept_add (hub->store, "Mobility", "fr", "bus", &added, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the concept name must be 1..48 characters of [a-z0-9-], starting with a letter "
                         "(got \"Mobility\")");
    assert_int_equal (hub_match_concept_add (hub->store, "9lives", "fr", "bus", &added, &err), CII_BAD_INPUT);
    assert_int_equal (hub_match_concept_add (hub->store, "a-very-long-concept-name-that-is-far-beyond-48-chars",
                                             "fr", "bus", &added, &err), CII_BAD_INPUT);
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "rm", "bus", &added, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the language must be fr, de or it (got \"rm\")");
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "", &added, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the term must be 1..120 bytes of one-line UTF-8 text (got 0 bytes)");
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "   ", &added, &err), CII_BAD_INPUT);
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "car\npostal", &added, &err), CII_BAD_INPUT);
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "\xff\xfe", &added, &err), CII_BAD_INPUT);
    char longer [200];
    memset (longer, 'a', sizeof longer - 1);
    longer [sizeof longer - 1] = 0;
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", longer, &added, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the term must be 1..120 bytes of one-line UTF-8 text (got 199 bytes)");
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "fr", "le la de", &added, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the term \"le la de\" has no searchable word in fr (only stop words)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms"), terms);
    //  Hostile but valid text is a term like another (quotes, query syntax).
    assert_int_equal (hub_match_concept_add (hub->store, "mobility", "de", "Post'auto & !(Bus) | <-> :*", &added, &err),
                      CII_OK);
    assert_string_equal (added.query, "'post' <-> 'auto' <-> 'bus'");
}

typedef struct {
    int rows;
    char last [160];
} s_rows_t;

static bool
s_concept_cb (const hub_concept_row_t *row, void *arg)
{
    s_rows_t *rows = arg;
    rows->rows++;
    snprintf (rows->last, sizeof rows->last, "%s/%s/%s", row->concept, row->language, row->term);
    return true;
}

static void
test_concepts_list (void **state)
{
    unit_hub_t *hub = *state;
    s_rows_t rows = { 0 };
    cii_err_t err;
    assert_int_equal (hub_match_concepts (hub->store, "public-employment-service", s_concept_cb, &rows, &err), CII_OK);
    assert_true (rows.rows >= 10);
    assert_string_equal (rows.last, "public-employment-service/it/ufficio regionale di collocamento");
    memset (&rows, 0, sizeof rows);
    assert_int_equal (hub_match_concepts (hub->store, NULL, s_concept_cb, &rows, &err), CII_OK);
    assert_true (rows.rows >= 450);
    assert_int_equal (hub_match_concepts (hub->store, "no-such-concept", s_concept_cb, &rows, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no concept no-such-concept");
    assert_int_equal (hub_match_concepts (hub->store, "Bad Name", s_concept_cb, &rows, &err), CII_BAD_INPUT);
}

static void
test_index (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    for (int i = 0; i < 5; i++)
        s_signal (hub, "ost", "de", "Schulden", "Schulden und Lohnpfändung", "social-aid");
    //  Bounded: requests first (one queue row of the six), then signals while there is room.
    int64_t indexed = 0;
    cii_err_t err;
    assert_int_equal (hub_match_index (hub->store, 7, &indexed, &err), CII_OK);
    assert_int_equal (indexed, 7);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_docs WHERE kind = 'request'"), 6);
    assert_int_equal (hub_match_background (hub->store, &err), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_docs"), 11);
    assert_int_equal (hub_match_index (hub->store, 0, &indexed, &err), CII_OK);
    assert_int_equal (indexed, 0);
}

static void
test_hostile_text (void **state)
{
    unit_hub_t *hub = *state;
    s_corpus (hub);
    //  Quotes, control characters, query syntax, very long text: stored as sent, matched as text.
    unit_pg_exec (hub->pg,
                  "INSERT INTO requests (ref, agent_id, network, message_id, title, summary, institutions, "
                  "  target_groups, cantons, language, created_at) "
                  "VALUES ('CII-2026-0100', 1, 'ost', 'm-h', E'Jeunes arriv\\u00e9s tardivement \\'; DROP --\\t<->', "
                  "        repeat (E'apprentissage & !(AI) | '':* \\\\ ', 300), '{vocational-training}', '{}', '{SG}', "
                  "        'fr', now ())");
    cii_err_t err;
    hub_match_hits_t *hits = hub_match_similar (hub->store, "CII-2026-0001", 10, &err);
    assert_non_null (hits);
    assert_true (s_rank (hits, "CII-2026-0100") >= 1);
    hub_match_hits_destroy (&hits);
    hits = hub_match_similar (hub->store, "CII-2026-0100", 10, &err);
    assert_non_null (hits);
    assert_true (hub_match_hits_count (hits) >= 1);
    hub_match_hits_destroy (&hits);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM requests"), 7);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_twins_first, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_signals_and_states, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_large_index, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_networks, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_thesaurus, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_concepts_list, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_index, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_hostile_text, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
