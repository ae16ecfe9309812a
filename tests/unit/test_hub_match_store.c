/*  test_hub_match_store.c — the store of cross-language matching (schema 0009, hub_store_similar)
    against a real PostgreSQL, a fresh database per case: the seeded thesaurus (size, the plan's
    examples, every term a query), what a text becomes (accents, acronyms kept from the stop word
    lists, prefixes, phrases), the queue the inserts leave (one row per statement, a consolidated
    signal, a changed request), the catch-up (bounded, exact document frequencies, idempotent),
    candidates and text comparison, and the thesaurus edits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_similar.h"
#include "unit_hub.h"

//  Inserts a request of network (language lang) with its comma lists of institutions and target
//  groups; returns its id.
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

//  Inserts a signal; returns its id.
static int64_t
s_signal (unit_hub_t *hub, const char *network, const char *canton, const char *lang, const char *title,
          const char *description, const char *institutions)
{
    static int n;
    unit_pg_exec (hub->pg,
                  "INSERT INTO signals (agent_id, network, canton, title, description, institutions, language, "
                  "  created_at, message_id) "
                  "VALUES (1, '%s', '%s', $t$%s$t$, $t$%s$t$, string_to_array ('%s', ','), '%s', now (), 's-%d')",
                  network, canton, title, description, institutions, lang, ++n);
    return unit_pg_int (hub->pg, "SELECT max (id) FROM signals");
}

//  The concepts of an indexed document as a comma list (new string).
static char *
s_concepts (unit_hub_t *hub, const char *kind, int64_t id)
{
    return unit_pg_text (hub->pg, "SELECT array_to_string (concepts, ',') FROM match_docs WHERE kind = '%s' AND "
                         "doc_id = %lld", kind, (long long) id);
}

//  True when the comma list has name.
static bool
s_has (const char *list, const char *name)
{
    char padded [2048], needle [128];
    snprintf (padded, sizeof padded, ",%s,", list);
    snprintf (needle, sizeof needle, ",%s,", name);
    return strstr (padded, needle) != NULL;
}

//  The concepts a text of lang holds (as the index would tag it), comma list (new string).
static char *
s_tag (unit_hub_t *hub, const char *lang, const char *text)
{
    return unit_pg_text (hub->pg,
                         "SELECT array_to_string (ARRAY (SELECT DISTINCT concept FROM concept_terms "
                         "  WHERE language = '%s' AND cii_match_tsv ('%s', $t$%s$t$) @@ query ORDER BY 1), ',')",
                         lang, lang, text);
}

static void
test_thesaurus_seed (void **state)
{
    unit_hub_t *hub = *state;
    //  At least 150 terms, and many more in each language.
    assert_true (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms") >= 150);
    assert_true (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE language = 'fr'") >= 150);
    assert_true (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE language = 'de'") >= 150);
    assert_true (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE language = 'it'") >= 150);
    //  Every concept has terms in the three languages.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM (SELECT concept FROM concept_terms GROUP BY concept "
                                   "HAVING count (DISTINCT language) <> 3) x"), 0);
    //  The examples of the issue, each in its concept in the three languages.
    const char *examples [][4] = {
        { "social-aid", "aide sociale", "Sozialhilfe*", "assistenza sociale" },
        { "invalidity-insurance", "AI", "IV", "AI" },
        { "public-employment-service", "ORP", "RAV", "URC" },
        { "late-arriving-youth", "jeunes arrivés tardivement", "spät zugewandert*", "giovani giunti tardivamente" },
        { "apprenticeship", "apprentissage", "Lehre", "apprendistato" },
    };
    const char *langs [] = { "fr", "de", "it" };
    for (size_t i = 0; i < sizeof examples / sizeof examples [0]; i++)
        for (int l = 0; l < 3; l++)
            assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE concept = '%s' AND "
                                           "language = '%s' AND term = '%s'", examples [i][0], langs [l],
                                           examples [i][l + 1]), 1);
    //  Every term is a query with at least one lexeme (the table refuses any other).
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE numnode (query) = 0"), 0);
    //  The document frequencies start empty; the C3 threshold is set.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '*'"), 0);
    char *threshold = unit_pg_text (hub->pg, "SELECT value FROM settings WHERE key = 'c3_min_similarity'");
    assert_string_equal (threshold, "0.40");
    free (threshold);
}

static void
test_text_preparation (void **state)
{
    unit_hub_t *hub = *state;
    //  Accents go; acronyms of capitals are kept from the stop word lists ("ai" is a French and an
    //  Italian stop word, "s" a French one); a slash splits words.
    char *text = unit_pg_text (hub->pg, "SELECT cii_match_prep ('L''AI, l''ORP et le permis S ; AI/IV à Genève')");
    assert_string_equal (text, "L'AI0, l'ORP0 et le permis S0 ; AI0 / IV0 a Geneve");
    free (text);
    text = unit_pg_text (hub->pg, "SELECT cii_title_key ('Accès à l''Étude')");
    assert_string_equal (text, "acces a l'etude");
    free (text);
    //  The same word in the query of a term and in a text.
    char *tags = s_tag (hub, "fr", "La personne a déposé une demande à l'AI l'an passé.");
    assert_true (s_has (tags, "invalidity-insurance"));
    free (tags);
    tags = s_tag (hub, "fr", "J'ai rencontré le conseiller hier.");
    assert_false (s_has (tags, "invalidity-insurance"));
    free (tags);
    tags = s_tag (hub, "it", "Offriamo corsi ai giovani.");
    assert_false (s_has (tags, "invalidity-insurance"));
    free (tags);
    tags = s_tag (hub, "it", "L'ufficio AI ha respinto la domanda.");
    assert_true (s_has (tags, "invalidity-insurance"));
    free (tags);
    //  A prefix: "Sozialhilfe*" finds a compound; a phrase needs its words in order.
    tags = s_tag (hub, "de", "Die Sozialhilfebeziehenden finden keine Lehrstelle.");
    assert_true (s_has (tags, "social-aid"));
    assert_true (s_has (tags, "social-aid-recipients"));
    assert_true (s_has (tags, "apprenticeship"));
    free (tags);
    tags = s_tag (hub, "fr", "Les jeunes arrivés tardivement en Suisse.");
    assert_true (s_has (tags, "late-arriving-youth"));
    free (tags);
    tags = s_tag (hub, "fr", "Arrivés à la gare tardivement, les jeunes.");
    assert_false (s_has (tags, "late-arriving-youth"));
    free (tags);
    //  Hyphens separate words: "IV-Stelle" and "IV Stelle" alike; the stemmer joins inflections.
    tags = s_tag (hub, "de", "Die IV Stelle hat entschieden.");
    assert_true (s_has (tags, "invalidity-insurance"));
    free (tags);
    tags = s_tag (hub, "it", "I giovani giunti tardivamente in Ticino.");
    assert_true (s_has (tags, "late-arriving-youth"));
    free (tags);
    //  Romansh (or any other language): the simple configuration, no concepts.
    tags = unit_pg_text (hub->pg, "SELECT cii_match_tsv ('rm', 'Agid sozial')::text");
    assert_string_equal (tags, "'agid':1 'sozial':2");
    free (tags);
}

static void
test_queue (void **state)
{
    unit_hub_t *hub = *state;
    //  One queue row per INSERT statement, whatever its size.
    unit_pg_exec (hub->pg,
                  "INSERT INTO signals (agent_id, network, canton, title, description, institutions, language, "
                  "  created_at, message_id) "
                  "SELECT 1, 'lemanique', 'VD', 'Titre ' || g, 'Aide sociale et AI', '{social-aid}', 'fr', now (), "
                  "       'q-' || g FROM generate_series (1, 300) g");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT hi - lo + 1 FROM match_queue"), 300);
    int64_t pending = 0;
    assert_int_equal (hub_store_match_pending (hub->store, true, &pending), CII_OK);
    assert_int_equal (pending, 300);
    assert_int_equal (hub_store_match_pending (hub->store, false, &pending), CII_OK);
    assert_int_equal (pending, 0);

    //  A bounded catch-up reads about what it is allowed (whole queue rows), the rest stays.
    int64_t indexed = 0;
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 100, 100, &indexed), CII_OK);
    assert_int_equal (indexed, 300);        //  one queue row: taken whole
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '*'"), 300);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'social-aid'"), 300);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'invalidity-insurance'"), 300);

    for (int i = 0; i < 5; i++)
        s_signal (hub, "ticino", "TI", "it", "Assistenza", "Assistenza sociale", "social-aid");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 5);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 1, 2, &indexed), CII_OK);
    assert_int_equal (indexed, 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 3);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, &indexed), CII_OK);
    assert_int_equal (indexed, 3);
    //  Nothing queued: nothing done, the counts unchanged.
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, &indexed), CII_OK);
    assert_int_equal (indexed, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '*'"), 305);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'social-aid'"), 305);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_docs"), 305);
}

static void
test_requests_and_consolidation (void **state)
{
    unit_hub_t *hub = *state;
    int64_t sig = s_signal (hub, "zuerich", "ZH", "de", "Lehrabbruch", "Nach dem Lehrabbruch keine Begleitung",
                            "vocational-training");
    int64_t req = s_request (hub, "CII-2026-0001", "zuerich", "de", "Lehrabbrüche ohne Begleitung",
                             "Die Jugendlichen werden nach der Lehrvertragsauflösung nicht begleitet.",
                             "vocational-training,social-aid", "");
    //  Requests only: the signal stays queued.
    int64_t indexed = 0;
    assert_int_equal (hub_store_match_catch_up (hub->store, false, 2000, 0, &indexed), CII_OK);
    assert_int_equal (indexed, 1);
    char *concepts = s_concepts (hub, "request", req);
    assert_true (s_has (concepts, "apprenticeship-dropout"));
    free (concepts);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, &indexed), CII_OK);
    assert_int_equal (indexed, 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT consolidated::int FROM match_docs WHERE kind = 'signal' AND "
                                   "doc_id = %lld", (long long) sig), 0);

    //  Consolidated: queued again, and flagged at the next catch-up; the counts do not move.
    unit_pg_exec (hub->pg, "INSERT INTO request_signals (request_id, signal_id) VALUES (%lld, %lld)", (long long) req,
                  (long long) sig);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 1);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, &indexed), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT consolidated::int FROM match_docs WHERE kind = 'signal' AND "
                                   "doc_id = %lld", (long long) sig), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '*'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'apprenticeship-dropout'"), 2);

    //  A request whose text changes is read again, its concepts counted again exactly; a change of
    //  its state alone is not queued.
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'admissible' WHERE id = %lld", (long long) req);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM match_queue"), 0);
    unit_pg_exec (hub->pg, "UPDATE requests SET summary = 'Schulden und Lohnpfändung' WHERE id = %lld", (long long) req);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, &indexed), CII_OK);
    assert_int_equal (indexed, 1);
    concepts = s_concepts (hub, "request", req);
    assert_true (s_has (concepts, "debts"));
    assert_true (s_has (concepts, "apprenticeship-dropout"));      //  the title still says so
    free (concepts);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = '*'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'debts'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_df f WHERE f.concept <> '*' AND f.docs <> "
                                   "(SELECT count (*) FROM match_docs m WHERE f.concept = ANY (m.concepts))"), 0);
}

typedef struct {
    int count;
    char refs [8][32];
    char concepts [8][512];
    char network [8][33];
} s_docs_t;

static bool
s_doc_cb (const hub_match_doc_t *doc, void *arg)
{
    s_docs_t *docs = arg;
    if (docs->count < 8) {
        snprintf (docs->refs [docs->count], 32, "%s", doc->ref);
        snprintf (docs->concepts [docs->count], 512, "%s", doc->concepts);
        snprintf (docs->network [docs->count], 33, "%s", doc->network);
    }
    docs->count++;
    return true;
}

static void
s_text_cb (const hub_match_text_t *text, void *arg)
{
    hub_match_text_t *out = arg;
    *out = *text;
    out->ref = out->language = out->title = out->kind = NULL;
}

static void
test_reads (void **state)
{
    unit_hub_t *hub = *state;
    int64_t a = s_request (hub, "CII-2026-0001", "lemanique", "fr", "Jeunes arrivés tardivement",
                           "Les jeunes arrivés tardivement n'ont pas de place d'apprentissage.", "vocational-training",
                           "late-arriving-youth");
    s_request (hub, "CII-2026-0002", "ticino", "it", "Giovani giunti tardivamente",
               "I giovani giunti tardivamente non trovano un posto di tirocinio.", "vocational-training,migration", "");
    s_request (hub, "CII-2026-0003", "lemanique", "fr", "Même réseau", "Apprentissage", "vocational-training", "");
    s_request (hub, "CII-2026-0004", "zuerich", "de", "Schulden", "Lohnpfändung", "social-aid", "");
    int64_t withdrawn = s_request (hub, "CII-2026-0005", "nordwest", "de", "Lehrstellen", "Lehrstellen fehlen",
                                   "vocational-training", "");
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'withdrawn' WHERE id = %lld", (long long) withdrawn);
    int64_t sig = s_signal (hub, "mittelland", "BE", "de", "Lehre", "Keine Lehre", "vocational-training");
    int64_t sig2 = s_signal (hub, "mittelland", "BE", "de", "Lehre", "Keine Lehre", "vocational-training");
    unit_pg_exec (hub->pg, "INSERT INTO request_signals (request_id, signal_id) VALUES (%lld, %lld)", (long long) a,
                  (long long) sig2);
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, NULL), CII_OK);

    //  The query document by reference or by id; unknown ones.
    s_docs_t docs = { 0 };
    assert_int_equal (hub_store_match_request (hub->store, "CII-2026-0001", 0, s_doc_cb, &docs), CII_OK);
    assert_int_equal (docs.count, 1);
    assert_string_equal (docs.refs [0], "CII-2026-0001");
    assert_true (s_has (docs.concepts [0], "late-arriving-youth"));
    assert_true (s_has (docs.concepts [0], "apprenticeship"));
    memset (&docs, 0, sizeof docs);
    assert_int_equal (hub_store_match_request (hub->store, NULL, a, s_doc_cb, &docs), CII_OK);
    assert_string_equal (docs.refs [0], "CII-2026-0001");
    assert_int_equal (hub_store_match_request (hub->store, "CII-2026-0099", 0, s_doc_cb, &docs), CII_NOT_FOUND);
    assert_int_equal (hub_store_match_request (hub->store, "SIG-1", 0, s_doc_cb, &docs), CII_NOT_FOUND);
    assert_int_equal (hub_store_match_request (hub->store, NULL, 999, s_doc_cb, &docs), CII_NOT_FOUND);

    //  Candidates: other networks only, the withdrawn request and the consolidated signal left out.
    hub_match_doc_t query = { .kind = "request", .id = a, .network = "lemanique" };
    const char *open [] = { "apprenticeship" };
    const char *skip [] = { "withdrawn" };
    hub_match_filter_t filter = { .concepts = open, .n_concepts = 1, .signals = true, .skip_states = skip,
                                  .n_skip_states = 1 };
    memset (&docs, 0, sizeof docs);
    assert_int_equal (hub_store_match_candidates (hub->store, &query, &filter, s_doc_cb, &docs), CII_OK);
    assert_int_equal (docs.count, 2);                       //  CII-2026-0002 and the signal
    for (int i = 0; i < docs.count; i++)
        assert_string_not_equal (docs.network [i], "lemanique");
    filter.signals = false;
    memset (&docs, 0, sizeof docs);
    assert_int_equal (hub_store_match_candidates (hub->store, &query, &filter, s_doc_cb, &docs), CII_OK);
    assert_int_equal (docs.count, 1);
    filter.everything = true;
    filter.signals = true;
    memset (&docs, 0, sizeof docs);
    assert_int_equal (hub_store_match_candidates (hub->store, &query, &filter, s_doc_cb, &docs), CII_OK);
    assert_int_equal (docs.count, 3);                       //  0002, 0004 and the unconsolidated signal

    //  The texts: display fields, title trigrams and shared lexemes.
    const char *kinds [] = { "request", "signal" };
    int64_t ids [] = { unit_pg_int (hub->pg, "SELECT id FROM requests WHERE ref = 'CII-2026-0003'"), sig };
    hub_match_text_t text;
    memset (&text, 0, sizeof text);
    assert_int_equal (hub_store_match_text (hub->store, &query, kinds, ids, 1, s_text_cb, &text), CII_OK);
    assert_int_equal (text.id, ids [0]);
    assert_true (text.shared_lexemes >= 1);                 //  "apprentissage"
    assert_true (text.title_similarity >= 0 && text.title_similarity < 0.5);
    assert_true (text.lexemes > 0 && text.query_lexemes > text.lexemes);
    assert_int_equal (hub_store_match_text (hub->store, &query, kinds, ids, 0, s_text_cb, &text), CII_OK);
}

static int s_df_rows;

static void
s_df_cb (const char *concept, int64_t docs, void *arg)
{
    (void) arg;
    assert_true (docs > 0);
    assert_string_not_equal (concept, "*");
    s_df_rows++;
}

static void
test_df (void **state)
{
    unit_hub_t *hub = *state;
    s_request (hub, "CII-2026-0001", "lemanique", "fr", "Dettes", "Surendettement et aide sociale", "social-aid", "");
    s_request (hub, "CII-2026-0002", "ticino", "it", "Debiti", "Debiti e assistenza sociale", "social-aid", "");
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, NULL), CII_OK);
    int64_t total = 0;
    s_df_rows = 0;
    assert_int_equal (hub_store_match_df (hub->store, s_df_cb, NULL, &total), CII_OK);
    assert_int_equal (total, 2);
    assert_int_equal (s_df_rows, unit_pg_int (hub->pg, "SELECT count (*) FROM concept_df WHERE concept <> '*' AND "
                                              "docs > 0"));
    assert_true (s_df_rows >= 2);                           //  debts, social-aid
}

typedef struct {
    int rows;
    char first [64];
    char last_lang [4];
    int64_t docs;
} s_list_t;

static bool
s_concept_cb (const hub_concept_row_t *row, void *arg)
{
    s_list_t *list = arg;
    if (list->rows++ == 0)
        snprintf (list->first, sizeof list->first, "%s/%s/%s", row->concept, row->language, row->term);
    snprintf (list->last_lang, sizeof list->last_lang, "%s", row->language);
    list->docs = row->docs;
    assert_true (*row->query);
    return true;
}

static void
test_thesaurus_edit (void **state)
{
    unit_hub_t *hub = *state;
    int64_t a = s_request (hub, "CII-2026-0001", "lemanique", "fr", "Transports", "Les trajets en car postal sont longs.",
                           "unemployment", "");
    s_request (hub, "CII-2026-0002", "ticino", "it", "Trasporti", "Il tragitto in autopostale è lungo.",
               "unemployment", "");
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, NULL), CII_OK);
    char *concepts = s_concepts (hub, "request", a);
    assert_false (s_has (concepts, "mobility"));
    free (concepts);

    //  The query of a term; only stop words give an empty one.
    char *query = NULL;
    assert_int_equal (hub_store_concept_query (hub->store, "fr", "car postal", &query), CII_OK);
    assert_string_equal (query, "'car' <-> 'postal'");
    free (query);
    assert_int_equal (hub_store_concept_query (hub->store, "fr", "le la de", &query), CII_OK);
    assert_string_equal (query, "");
    free (query);

    //  A new concept: the documents it finds are tagged at once, counted in its frequency.
    int64_t tagged = 0, docs = 0;
    assert_int_equal (hub_store_concept_add (hub->store, "mobility", "fr", "car postal", &tagged, &docs), CII_OK);
    assert_int_equal (tagged, 1);
    assert_int_equal (docs, 1);
    assert_int_equal (hub_store_concept_add (hub->store, "mobility", "it", "autopostale", &tagged, &docs), CII_OK);
    assert_int_equal (tagged, 1);
    assert_int_equal (docs, 2);
    concepts = s_concepts (hub, "request", a);
    assert_true (s_has (concepts, "mobility"));
    free (concepts);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'mobility'"), 2);
    //  Twice: a conflict, nothing changed.
    assert_int_equal (hub_store_concept_add (hub->store, "mobility", "fr", "car postal", &tagged, &docs), CII_CONFLICT);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms WHERE concept = 'mobility'"), 2);
    //  A term that finds nothing new tags nothing.
    assert_int_equal (hub_store_concept_add (hub->store, "mobility", "fr", "trajets", &tagged, &docs), CII_OK);
    assert_int_equal (tagged, 0);
    assert_int_equal (docs, 2);
    //  A document indexed later gets it too.
    int64_t c = s_request (hub, "CII-2026-0003", "zuerich", "fr", "Car postal", "Le car postal ne passe plus.",
                           "unemployment", "");
    assert_int_equal (hub_store_match_catch_up (hub->store, true, 2000, 0, NULL), CII_OK);
    concepts = s_concepts (hub, "request", c);
    assert_true (s_has (concepts, "mobility"));
    free (concepts);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT docs FROM concept_df WHERE concept = 'mobility'"), 3);

    //  The listing: by concept, then fr, de, it.
    s_list_t list = { 0 };
    assert_int_equal (hub_store_concepts (hub->store, "mobility", s_concept_cb, &list), CII_OK);
    assert_int_equal (list.rows, 3);
    assert_string_equal (list.first, "mobility/fr/car postal");
    assert_string_equal (list.last_lang, "it");
    assert_int_equal (list.docs, 3);
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_store_concepts (hub->store, NULL, s_concept_cb, &list), CII_OK);
    assert_int_equal (list.rows, unit_pg_int (hub->pg, "SELECT count (*) FROM concept_terms"));
    char *first = unit_pg_text (hub->pg, "SELECT concept || '/fr/' || min (term) FROM concept_terms "
                                "WHERE concept = (SELECT min (concept) FROM concept_terms) AND language = 'fr' "
                                "GROUP BY concept");
    assert_string_equal (list.first, first);
    free (first);
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_store_concepts (hub->store, "no-such", s_concept_cb, &list), CII_OK);
    assert_int_equal (list.rows, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_thesaurus_seed, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_text_preparation, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_queue, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_requests_and_consolidation, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_reads, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_df, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_thesaurus_edit, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
