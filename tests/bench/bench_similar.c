/*  bench_similar.c — the speed of cross-language matching at scale: a fresh hub database with
    100,000 signals and 10,000 requests (half of the signals consolidated into them) generated from
    the sentences of the evaluation texts (tests/data/matching: realistic vocabulary, a main
    problem per text with one or two sentences of others, cantons and languages as in the
    registry); the time to index them all (hub_store_match_catch_up), then `similar` (hub_match_similar,
    limit 10) and the C3 breadth (hub_match_networks) for random requests, and the catch-up of a new
    batch of 512 signals followed by `similar`. docs/performance.md, "Cross-language matching".
    Usage: PGHOST=... PGUSER=... bench_similar [--signals N] [--requests N] [--queries N] [--seed S]
           [--data DIR] [--keep DBNAME]   (--keep: create DBNAME and leave it, for EXPLAIN) */
#include "bench_util.h"
#include "hub_match.h"
#include "hub_store.h"
#include "hub_store_similar.h"
#include "cii_domain.h"
#include "cii_json.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_TEXTS     256
#define S_MAX_SENTENCES 32

typedef struct {
    char lang [4];
    char title [256];
    char *sentences [S_MAX_SENTENCES];
    int n_sentences;
    char institutions [160];
    char target_groups [200];
} s_text_t;

static s_text_t s_texts [S_MAX_TEXTS];
static int s_ntexts;
static uint64_t s_rand_state = 42;

static uint32_t
s_rand (void)
{
    //  xorshift64*: the same rows for the same seed, on every machine.
    s_rand_state ^= s_rand_state >> 12;
    s_rand_state ^= s_rand_state << 25;
    s_rand_state ^= s_rand_state >> 27;
    return (uint32_t) ((s_rand_state * 2685821657736338717ULL) >> 32);
}

//  A JSON array of names as a text[] literal.
static void
s_array (json_t *list, char *buf, size_t size)
{
    size_t used = (size_t) snprintf (buf, size, "{");
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item)
        used += (size_t) snprintf (buf + used, size - used, "%s%s", i ? "," : "", json_string_value (item));
    snprintf (buf + used, size - used, "}");
}

//  Keeps a text of the evaluation set, cut into sentences.
static void
s_keep (json_t *doc)
{
    if (s_ntexts == S_MAX_TEXTS)
        return;
    s_text_t *t = &s_texts [s_ntexts++];
    snprintf (t->lang, sizeof t->lang, "%s", json_string_value (json_object_get (doc, "lang")));
    snprintf (t->title, sizeof t->title, "%s", json_string_value (json_object_get (doc, "title")));
    s_array (json_object_get (doc, "institutions"), t->institutions, sizeof t->institutions);
    s_array (json_object_get (doc, "target_groups"), t->target_groups, sizeof t->target_groups);
    char *copy = strdup (json_string_value (json_object_get (doc, "summary")));
    char *p = copy;
    while (*p && t->n_sentences < S_MAX_SENTENCES) {
        char *end = p;
        while (*end && !((*end == '.' || *end == '?' || *end == '!') && (end [1] == ' ' || !end [1])))
            end++;
        size_t len = (size_t) (end - p) + (*end ? 1 : 0);
        t->sentences [t->n_sentences] = strndup (p, len);
        t->n_sentences++;
        p = end + (*end ? 1 : 0);
        while (*p == ' ')
            p++;
    }
    free (copy);
}

//  A random text of language lang (index into s_texts).
static int
s_pick (const char *lang)
{
    for (;;) {
        int i = (int) (s_rand () % (uint32_t) s_ntexts);
        if (streq (s_texts [i].lang, lang))
            return i;
    }
}

//  Appends a generated description in lang (a main text's sentences, shuffled and cut, and one or
//  two sentences of others) to buf.
static void
s_description (const char *lang, int main_text, char *buf, size_t size)
{
    const s_text_t *t = &s_texts [main_text];
    size_t used = 0;
    buf [0] = 0;
    int take = t->n_sentences - (int) (s_rand () % 2);
    take = take < 1 ? 1 : take;
    int start = (int) (s_rand () % (uint32_t) t->n_sentences);
    for (int k = 0; k < take; k++) {
        const char *s = t->sentences [(start + k) % t->n_sentences];
        used += (size_t) snprintf (buf + used, size - used, "%s%s", used ? " " : "", s);
    }
    int others = 1 + (int) (s_rand () % 3);
    for (int k = 0; k < others && used < size; k++) {
        const s_text_t *o = &s_texts [s_pick (lang)];
        const char *s = o->sentences [s_rand () % (uint32_t) o->n_sentences];
        used += (size_t) snprintf (buf + used, size - used, " %s", s);
    }
}

//  A canton at random (as many signals from each), its network and one of its languages.
static void
s_canton (char code [3], const char **network, char lang [4])
{
    for (;;) {
        const char *c = cii_domain_canton_at (s_rand () % 26);
        const char *langs = cii_domain_canton_languages (c);
        char pick [16];
        snprintf (pick, sizeof pick, "%s", langs);
        //  Romansh texts are rare: take the canton's first two languages.
        int n = 1 + (int) (strchr (pick, ',') != NULL);
        int which = (int) (s_rand () % (uint32_t) n);
        char *l = strtok (pick, ",");
        for (int k = 0; k < which; k++)
            l = strtok (NULL, ",");
        if (!l || streq (l, "rm"))
            continue;
        snprintf (code, 3, "%s", c);
        *network = cii_domain_default_network (c);
        snprintf (lang, 4, "%s", l);
        return;
    }
}

//  Inserts count signals (generated), in statements of batch rows as the ingest does. Returns the
//  first id.
static void
s_signals (PGconn *conn, int count, int batch, int64_t *message_seq)
{
    char *sql = malloc ((size_t) batch * 3000 + 1024);
    char *desc = malloc (4096), *title = malloc (512);
    for (int done = 0; done < count; done += batch) {
        int n = count - done < batch ? count - done : batch;
        size_t used = (size_t) sprintf (sql, "INSERT INTO signals (agent_id, network, canton, title, description, "
                                        "institutions, target_groups, language, created_at, message_id) VALUES ");
        for (int k = 0; k < n; k++) {
            char canton [3], lang [4];
            const char *network = NULL;
            s_canton (canton, &network, lang);
            int main_text = s_pick (lang);
            s_description (lang, main_text, desc, 4096);
            snprintf (title, 512, "%s", s_texts [main_text].title);
            char *q_title = PQescapeLiteral (conn, title, strlen (title));
            char *q_desc = PQescapeLiteral (conn, desc, strlen (desc));
            const char *inst = s_texts [main_text].institutions;
            used += (size_t) sprintf (sql + used, "%s(1, '%s', '%s', %s, %s, '%s', '%s', '%s', now (), 'b%" PRId64 "')",
                                      k ? "," : "", network, canton, q_title, q_desc,
                                      streq (inst, "{}") ? "{social-aid}" : inst, s_texts [main_text].target_groups,
                                      lang, (*message_seq)++);
            PQfreemem (q_title);
            PQfreemem (q_desc);
        }
        bench_exec (conn, sql);
    }
    free (sql);
    free (desc);
    free (title);
}

int
main (int argc, char **argv)
{
    bench_init ("bench_similar");
    int n_signals = 100000, n_requests = 10000, n_queries = 100;
    const char *keep = NULL;
    const char *data = CII_SOURCE_DIR "/tests/data/matching";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--signals"))
            n_signals = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--requests"))
            n_requests = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--queries"))
            n_queries = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--seed"))
            s_rand_state = (uint64_t) strtoull (argv [i + 1], NULL, 10) | 1;
        else
        if (streq (argv [i], "--data"))
            data = argv [i + 1];
        else
        if (streq (argv [i], "--keep"))
            keep = argv [i + 1];
        else {
            fprintf (stderr, "usage: bench_similar [--signals N] [--requests N] [--queries N] [--seed S] [--data DIR] [--keep DBNAME]\n");
            return 2;
        }
    }
    if (n_requests < 1 || n_signals < 0 || n_queries < 1)
        bench_die ("bad counts", NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    cii_err_t err;
    char path [1024];
    const char *files [] = { "topics.json", "distractors.json" };
    for (int f = 0; f < 2; f++) {
        snprintf (path, sizeof path, "%s/%s", data, files [f]);
        json_t *root = cii_json_load_file (path, 1 << 20, &err);
        if (!root)
            bench_die ("cannot read the data", err.text);
        size_t i, j;
        json_t *topic, *doc;
        if (f == 0)
            json_array_foreach (json_object_get (root, "topics"), i, topic)
                json_array_foreach (json_object_get (topic, "docs"), j, doc)
                    s_keep (doc);
        else
            json_array_foreach (json_object_get (root, "docs"), i, doc)
                s_keep (doc);
        json_decref (root);
    }

    bench_db_t db;
    bench_db_open (&db, "cii_bench_similar", keep);
    hub_store_t *store = db.store;
    PGconn *conn = db.conn;

    //  The rows: signals in batches of 512 (as the ingest stores them), then requests, each
    //  consolidating 5 signals of its network while there are.
    int64_t seq = 0, t0 = zclock_mono ();
    s_signals (conn, n_signals, 512, &seq);
    char *rsql = malloc (200 * 4096 + 1024), *desc = malloc (4096);
    for (int done = 0; done < n_requests; done += 200) {
        int n = n_requests - done < 200 ? n_requests - done : 200;
        size_t used = (size_t) sprintf (rsql, "INSERT INTO requests (ref, agent_id, network, message_id, title, "
                                        "summary, institutions, target_groups, objectives, cantons, language, "
                                        "created_at, state) VALUES ");
        for (int k = 0; k < n; k++) {
            char canton [3], lang [4];
            const char *network = NULL;
            s_canton (canton, &network, lang);
            int main_text = s_pick (lang);
            s_description (lang, main_text, desc, 4096);
            char *q_title = PQescapeLiteral (conn, s_texts [main_text].title, strlen (s_texts [main_text].title));
            char *q_desc = PQescapeLiteral (conn, desc, strlen (desc));
            int number = done + k + 1;
            const char *inst = s_texts [main_text].institutions;
            used += (size_t) sprintf (rsql + used, "%s('CII-%d-%04d', 1, '%s', 'r%d', %s, %s, '%s', '%s', "
                                      "'{labour-market-integration}', '{%s}', '%s', now (), '%s')",
                                      k ? "," : "", 2020 + number % 7, number, network, number, q_title, q_desc,
                                      streq (inst, "{}") ? "{social-aid}" : inst, s_texts [main_text].target_groups,
                                      canton, lang, number % 50 == 0 ? "withdrawn" : "received");
            PQfreemem (q_title);
            PQfreemem (q_desc);
        }
        bench_exec (conn, rsql);
    }
    free (rsql);
    free (desc);
    bench_exec (conn, "INSERT INTO request_signals (request_id, signal_id) "
                      "SELECT r.id, s.id FROM (SELECT id, network, row_number () OVER (PARTITION BY network ORDER BY id) AS k "
                      "                        FROM requests) r "
                      "JOIN (SELECT id, network, row_number () OVER (PARTITION BY network ORDER BY id) AS k FROM signals) s "
                      "  ON s.network = r.network AND s.k BETWEEN (r.k - 1) * 5 + 1 AND r.k * 5");
    bench_exec (conn, "VACUUM ANALYZE signals");
    bench_exec (conn, "VACUUM ANALYZE requests");
    bench_exec (conn, "VACUUM ANALYZE request_signals");
    PGresult *res = PQexec (conn, "SELECT (SELECT count (*) FROM signals), (SELECT count (*) FROM requests), "
                                  "(SELECT count (*) FROM request_signals), "
                                  "(SELECT avg (length (description))::int FROM signals)");
    printf ("stored %s signals, %s requests, %s signals consolidated; descriptions of %s bytes on average (%.1f s)\n",
            PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2), PQgetvalue (res, 0, 3),
            (zclock_mono () - t0) / 1000.0);
    PQclear (res);

    //  Indexing everything (what the first `similar` after an upgrade does).
    int64_t indexed = 0;
    t0 = zclock_mono ();
    if (hub_store_match_catch_up (store, true, 2000, 0, &indexed) != CII_OK)
        bench_die ("catch-up", hub_store_error (store));
    double secs = (zclock_mono () - t0) / 1000.0;
    printf ("indexed %" PRId64 " documents in %.1f s (%.0f documents/s)\n", indexed, secs, indexed / secs);
    bench_exec (conn, "VACUUM ANALYZE match_docs");
    res = PQexec (conn, "SELECT avg (cardinality (concepts))::numeric (5,1), avg (length (tsv))::int, "
                        "pg_size_pretty (pg_total_relation_size ('match_docs')) FROM match_docs");
    printf ("index: %s concepts and %s lexemes per document on average, %s on disk with its indexes\n",
            PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2));
    PQclear (res);

    //  The queries: random requests, `similar` with the default limit, then C3.
    double *ms = calloc ((size_t) n_queries, sizeof *ms);
    size_t hits_total = 0;
    for (int q = 0; q < n_queries; q++) {
        int number = 1 + (int) (s_rand () % (uint32_t) n_requests);
        char ref [32];
        snprintf (ref, sizeof ref, "CII-%d-%04d", 2020 + number % 7, number);
        int64_t start = zclock_usecs ();
        hub_match_hits_t *hits = hub_match_similar (store, ref, 10, &err);
        ms [q] = (zclock_usecs () - start) / 1000.0;
        if (!hits)
            bench_die ("similar", err.text);
        hits_total += hub_match_hits_count (hits);
        hub_match_hits_destroy (&hits);
    }
    bench_report ("similar REF (limit 10)", 46, ms, n_queries);
    printf ("  %.1f hits per query on average\n", (double) hits_total / n_queries);

    //  What the candidate rule costs in ranking: the top 10 against the exact top 10 (every
    //  document of another network scored).
    int exact_n = n_queries < 30 ? (n_queries > 0 ? n_queries : 0) : 30, same = 0, total = 0;
    double *exact_ms = calloc ((size_t) exact_n, sizeof *exact_ms);
    for (int q = 0; q < exact_n; q++) {
        int number = 1 + (int) (s_rand () % (uint32_t) n_requests);
        char ref [32];
        snprintf (ref, sizeof ref, "CII-%d-%04d", 2020 + number % 7, number);
        hub_match_hits_t *fast = hub_match_similar (store, ref, 10, &err);
        int64_t start = zclock_usecs ();
        hub_match_hits_t *exact = hub_match_similar_budget (store, ref, 10, -1, &err);
        exact_ms [q] = (zclock_usecs () - start) / 1000.0;
        if (!fast || !exact)
            bench_die ("similar", err.text);
        for (size_t a = 0; a < hub_match_hits_count (exact); a++) {
            total++;
            for (size_t b = 0; b < hub_match_hits_count (fast); b++)
                same += streq (hub_match_hit_at (exact, a)->ref, hub_match_hit_at (fast, b)->ref);
        }
        hub_match_hits_destroy (&fast);
        hub_match_hits_destroy (&exact);
    }
    bench_report ("similar REF, every document scored", 46, exact_ms, exact_n);
    printf ("  top 10 with the candidate rule holds %d of the %d hits of the exact top 10 (%.1f%%)\n", same, total,
            total ? 100.0 * same / total : 0);
    free (exact_ms);
    int counted = 0;
    for (int q = 0; q < n_queries; q++) {
        int number = 1 + (int) (s_rand () % (uint32_t) n_requests);
        char ref [32];
        snprintf (ref, sizeof ref, "CII-%d-%04d", 2020 + number % 7, number);
        hub_match_breadth_t breadth;
        int64_t start = zclock_usecs ();
        if (hub_match_networks (store, ref, 0, -1, &breadth, &err) != CII_OK)
            bench_die ("networks", err.text);
        ms [q] = (zclock_usecs () - start) / 1000.0;
        counted += breadth.networks;
    }
    bench_report ("C3 breadth (hub_match_networks)", 46, ms, n_queries);
    printf ("  %.1f other networks counted per request on average\n", (double) counted / n_queries);

    //  A new batch arrives: the next `similar` indexes it first.
    int rounds = n_queries < 10 ? n_queries : 10;
    for (int q = 0; q < rounds; q++) {
        s_signals (conn, 512, 512, &seq);
        int number = 1 + (int) (s_rand () % (uint32_t) n_requests);
        char ref [32];
        snprintf (ref, sizeof ref, "CII-%d-%04d", 2020 + number % 7, number);
        int64_t start = zclock_usecs ();
        hub_match_hits_t *hits = hub_match_similar (store, ref, 10, &err);
        ms [q] = (zclock_usecs () - start) / 1000.0;
        if (!hits)
            bench_die ("similar", err.text);
        hub_match_hits_destroy (&hits);
    }
    bench_report ("similar REF after 512 new signals", 46, ms, rounds);
    free (ms);

    bench_db_close (&db);
    return 0;
}
