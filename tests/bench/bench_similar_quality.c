/*  bench_similar_quality.c — the quality of cross-language matching (`cii-hub similar`): loads the
    evaluation set of tests/data/matching (topics written independently in French, German and
    Italian, plus distractors) as requests of their networks into a fresh hub database, runs
    hub_match_similar for every topic text and counts its other-language twins in the top 3
    (recall@3), per half (dev: tuned on; held-out: not), with the mean reciprocal rank of the
    twins and the score of the best text that is not a twin; then the C3 breadth at the bureau's
    threshold (hub_match_networks). docs/performance.md, "Cross-language matching".
    --verbose shows the misses of the dev half only (tuning looks at those, never at the held-out
    ones); --verbose-all shows every miss.
    Usage: PGHOST=... PGUSER=... bench_similar_quality [--data DIR] [--no-thesaurus] [--sweep] [--verbose | --verbose-all] */
#include "bench_util.h"
#include "hub_match.h"
#include "hub_store.h"
#include "cii_json.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_DOCS 256

typedef struct {
    char ref [32];
    char topic [8];             //  "" for a distractor
    char half [16];
    char lang [4];
    char network [33];
    char title [256];
} s_doc_t;

static s_doc_t s_docs [S_MAX_DOCS];
static int s_ndocs;

//  Joins the strings of a JSON array as a PostgreSQL text[] literal into buf.
static void
s_array (json_t *list, char *buf, size_t size)
{
    size_t used = (size_t) snprintf (buf, size, "{");
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item)
        used += (size_t) snprintf (buf + used, size - used, "%s\"%s\"", i ? "," : "", json_string_value (item));
    snprintf (buf + used, size - used, "}");
}

//  Stores one text as a request of its network; remembers it.
static void
s_load (PGconn *conn, json_t *doc, const char *topic, const char *half)
{
    if (s_ndocs == S_MAX_DOCS)
        bench_die ("too many texts", NULL);
    s_doc_t *d = &s_docs [s_ndocs];
    snprintf (d->ref, sizeof d->ref, "CII-2026-%04d", s_ndocs + 1);
    snprintf (d->topic, sizeof d->topic, "%s", topic ? topic : "");
    snprintf (d->half, sizeof d->half, "%s", half ? half : "");
    snprintf (d->lang, sizeof d->lang, "%s", json_string_value (json_object_get (doc, "lang")));
    snprintf (d->network, sizeof d->network, "%s", json_string_value (json_object_get (doc, "network")));
    snprintf (d->title, sizeof d->title, "%s", json_string_value (json_object_get (doc, "title")));
    char inst [256], groups [256], cantons [16], message [16];
    s_array (json_object_get (doc, "institutions"), inst, sizeof inst);
    s_array (json_object_get (doc, "target_groups"), groups, sizeof groups);
    snprintf (cantons, sizeof cantons, "{%s}", json_string_value (json_object_get (doc, "canton")));
    snprintf (message, sizeof message, "m%d", s_ndocs + 1);
    const char *values [] = {
        d->ref, d->network, message, d->title, json_string_value (json_object_get (doc, "summary")), inst, groups,
        cantons, d->lang,
    };
    PGresult *res = PQexecParams (conn,
                                  "INSERT INTO requests (ref, agent_id, network, message_id, title, summary, "
                                  "  institutions, target_groups, objectives, cantons, language, created_at) "
                                  "VALUES ($1, 1, $2, $3, $4, $5, $6::text[], $7::text[], "
                                  "  '{labour-market-integration}', $8::text[], $9, now ())",
                                  9, NULL, values, NULL, NULL, 0);
    if (PQresultStatus (res) != PGRES_COMMAND_OK)
        bench_die ("insert", PQerrorMessage (conn));
    PQclear (res);
    s_ndocs++;
}

//  Per half: twins found in the top 3, twins, queries with both twins in the top 3, queries, the
//  sum of the reciprocal ranks of the first twin (0 beyond the top 10), queries where a text of
//  the query's language about another topic ranks above a twin.
typedef struct {
    int found, twins, both, queries;
    double rr;
    int first_lang_wins;        //  a same-language text about another topic ranked above a twin
} s_tally_t;

//  C3 at threshold (negative: the bureau's setting) over the topic texts of half (NULL: all): the
//  other networks hub_match_networks counts, against the networks of the twins. Prints one line;
//  returns the threshold applied.
static double
s_c3 (hub_store_t *store, double threshold, const char *half, bool long_form)
{
    int right = 0, missed = 0, extra = 0, queries = 0;
    double applied = threshold;
    cii_err_t err;
    for (int q = 0; q < s_ndocs; q++) {
        const s_doc_t *d = &s_docs [q];
        if (!*d->topic || (half && !streq (d->half, half)))
            continue;
        hub_match_breadth_t breadth;
        if (hub_match_networks (store, d->ref, 0, threshold, &breadth, &err) != CII_OK)
            bench_die ("networks", err.text);
        applied = breadth.threshold;
        queries++;
        char hay [520];
        snprintf (hay, sizeof hay, ",%s,", breadth.names);
        char twin_nets [128] = ",";
        for (int t = 0; t < s_ndocs; t++) {
            if (t == q || !streq (s_docs [t].topic, d->topic))
                continue;
            char needle [40];
            snprintf (needle, sizeof needle, ",%s,", s_docs [t].network);
            if (strstr (hay, needle))
                right++;
            else
                missed++;
            size_t used = strlen (twin_nets);
            snprintf (twin_nets + used, sizeof twin_nets - used, "%s,", s_docs [t].network);
        }
        //  Networks counted that hold no twin.
        char *names = strdup (breadth.names), *save = NULL;
        for (char *n = strtok_r (names, ",", &save); n; n = strtok_r (NULL, ",", &save)) {
            char needle [40];
            snprintf (needle, sizeof needle, ",%s,", n);
            extra += strstr (twin_nets, needle) == NULL;
        }
        free (names);
    }
    if (long_form)
        printf ("C3 at c3_min_similarity %.2f: %d of %d twin networks counted, %d missed, %d other networks counted "
                "beyond the twins' (over %d requests)\n", applied, right, right + missed, missed, extra, queries);
    else
        printf ("  threshold %.2f %-8s: twin networks counted %3d of %3d (%5.1f%%), networks without a twin counted %3d\n",
                applied, half ? half : "all", right, right + missed, 100.0 * right / (right + missed ? right + missed : 1),
                extra);
    return applied;
}

int
main (int argc, char **argv)
{
    bench_init ("bench_similar_quality");
    const char *data = CII_SOURCE_DIR "/tests/data/matching";
    bool no_thesaurus = false, verbose = false, verbose_all = false, sweep = false;
    for (int i = 1; i < argc; i++) {
        if (streq (argv [i], "--data") && i + 1 < argc)
            data = argv [++i];
        else
        if (streq (argv [i], "--no-thesaurus"))
            no_thesaurus = true;
        else
        if (streq (argv [i], "--sweep"))
            sweep = true;
        else
        if (streq (argv [i], "--verbose"))
            verbose = true;
        else
        if (streq (argv [i], "--verbose-all"))
            verbose = verbose_all = true;
        else {
            fprintf (stderr, "usage: bench_similar_quality [--data DIR] [--no-thesaurus] [--sweep] [--verbose | --verbose-all]\n");
            return 2;
        }
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    char path [1024];
    cii_err_t err;
    snprintf (path, sizeof path, "%s/topics.json", data);
    json_t *topics = cii_json_load_file (path, 1 << 20, &err);
    snprintf (path, sizeof path, "%s/distractors.json", data);
    json_t *distractors = cii_json_load_file (path, 1 << 20, &err);
    if (!topics || !distractors)
        bench_die ("cannot read the data", err.text);

    bench_db_t db;
    bench_db_open (&db, "cii_bench_quality", NULL);
    hub_store_t *store = db.store;
    PGconn *conn = db.conn;
    if (no_thesaurus)
        bench_exec (conn, "DELETE FROM concept_terms");

    size_t i, j;
    json_t *topic, *doc;
    int n_topics = 0;
    json_array_foreach (json_object_get (topics, "topics"), i, topic) {
        n_topics++;
        json_array_foreach (json_object_get (topic, "docs"), j, doc)
            s_load (conn, doc, json_string_value (json_object_get (topic, "id")),
                    json_string_value (json_object_get (topic, "half")));
    }
    json_array_foreach (json_object_get (distractors, "docs"), i, doc)
        s_load (conn, doc, NULL, NULL);
    printf ("%d topics x 3 languages + %d distractors = %d requests in 7 networks%s\n", n_topics,
            (int) json_array_size (json_object_get (distractors, "docs")), s_ndocs,
            no_thesaurus ? " (thesaurus emptied: full text, trigrams, institutions and target groups only)" : "");

    s_tally_t tally [3];                //  dev, held-out, all
    memset (tally, 0, sizeof tally);
    double twin_min = 1, other_max = 0, twin_sum = 0;
    int twin_scores = 0;
    int64_t total_ms = 0, worst_ms = 0;
    for (int q = 0; q < s_ndocs; q++) {
        const s_doc_t *d = &s_docs [q];
        if (!*d->topic)
            continue;
        int64_t start = zclock_mono ();
        hub_match_hits_t *hits = hub_match_similar (store, d->ref, 10, &err);
        int64_t ms = zclock_mono () - start;
        total_ms += ms;
        worst_ms = ms > worst_ms ? ms : worst_ms;
        if (!hits)
            bench_die ("similar", err.text);
        int half = streq (d->half, "dev") ? 0 : 1;
        int found = 0, twins = 0;
        bool twin_below_other_lang_same = false;
        for (int t = 0; t < s_ndocs; t++)
            twins += t != q && streq (s_docs [t].topic, d->topic);
        double rr = 0;                  //  reciprocal rank of the first twin
        bool other_seen = false;
        for (size_t h = 0; h < hub_match_hits_count (hits); h++) {
            const hub_match_hit_t *hit = hub_match_hit_at (hits, h);
            int k = atoi (hit->ref + 9) - 1;
            bool twin = k >= 0 && k < s_ndocs && streq (s_docs [k].topic, d->topic);
            if (twin) {
                rr = rr > 0 ? rr : 1.0 / (double) (h + 1);
                found += h < 3;
                twin_min = hit->score < twin_min ? hit->score : twin_min;
                twin_sum += hit->score;
                twin_scores++;
                if (other_seen)
                    twin_below_other_lang_same = true;
            }
            else {
                other_max = hit->score > other_max ? hit->score : other_max;
                if (k >= 0 && k < s_ndocs && streq (s_docs [k].lang, d->lang))
                    other_seen = true;
            }
        }
        for (int s = 0; s < 2; s++) {
            s_tally_t *t = &tally [s ? 2 : half];
            t->found += found;
            t->twins += twins;
            t->both += found == twins;
            t->queries++;
            t->rr += rr;
            t->first_lang_wins += twin_below_other_lang_same;
        }
        if (verbose && (verbose_all || half == 0) && (found < twins || twin_below_other_lang_same)) {
            printf ("  %s %s %s (%s): %d of %d twins in the top 3\n", d->topic, d->lang, d->ref, d->network, found,
                    twins);
            for (size_t h = 0; h < hub_match_hits_count (hits) && h < 5; h++) {
                const hub_match_hit_t *hit = hub_match_hit_at (hits, h);
                int k = atoi (hit->ref + 9) - 1;
                printf ("    %zu. %.3f %s %s %s [c %.2f i %.2f g %.2f t %.2f w %.2f] %s | %s\n", h + 1, hit->score,
                        k >= 0 && k < s_ndocs && *s_docs [k].topic ? s_docs [k].topic : "D", hit->language, hit->ref,
                        hit->part_concepts, hit->part_institutions, hit->part_target_groups, hit->part_title,
                        hit->part_words, hit->title, hit->concepts);
            }
        }
        hub_match_hits_destroy (&hits);
    }
    const char *names [] = { "dev", "held-out", "all" };
    printf ("%-9s %8s %14s %16s %6s %s\n", "half", "queries", "recall@3", "both twins @3", "MRR",
            "same-language non-twin above a twin");
    for (int s = 0; s < 3; s++) {
        s_tally_t *t = &tally [s];
        printf ("%-9s %8d %6d/%-3d %5.1f%% %9d %5.1f%% %6.3f %16d\n", names [s], t->queries, t->found, t->twins,
                t->twins ? 100.0 * t->found / t->twins : 0, t->both, t->queries ? 100.0 * t->both / t->queries : 0,
                t->queries ? t->rr / t->queries : 0, t->first_lang_wins);
    }
    printf ("scores: twins in the top 10 %.3f mean, %.3f lowest; best non-twin %.3f\n",
            twin_scores ? twin_sum / twin_scores : 0, twin_min, other_max);
    printf ("similar: %.1f ms mean, %" PRId64 " ms worst (index of %d requests)\n",
            (double) total_ms / (tally [2].queries ? tally [2].queries : 1), worst_ms, s_ndocs);

    //  C3 at the bureau's threshold, and around it (--sweep) per half.
    double threshold = s_c3 (store, -1, NULL, true);
    if (sweep)
        for (double t = 0.25; t < 0.601; t += 0.05)
            for (int h = 0; h < 2; h++)
                s_c3 (store, t, h ? "held-out" : "dev", false);
    (void) threshold;

    bench_db_close (&db);
    json_decref (topics);
    json_decref (distractors);
    return 0;
}
