/*  hub_cli_match.c — `cii-hub similar REF` (requests and signals of other networks that look like a
    request, across French, German and Italian: hub_match_similar) and `cii-hub concept add|list`
    (the CII concept thesaurus the matching reads: hub_match_concept_add, hub_match_concepts). */
#include "hub_cli_verbs.h"
#include "hub_match.h"

#include <czmq.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

//  A score as --json gives it: 3 decimals.
static json_t *
s_score_json (double score)
{
    return json_real (round (score * 1000.0) / 1000.0);
}

static json_t *
s_hit_json (const hub_match_hit_t *hit)
{
    json_t *why = json_object ();
    cii_json_set (why, "concepts", cii_json_list (hit->concepts));
    cii_json_set (why, "institutions", cii_json_list (hit->institutions));
    cii_json_set (why, "target_groups", cii_json_list (hit->target_groups));
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (hit->ref));
    cii_json_set (row, "kind", cii_json_str (hit->kind));
    cii_json_set (row, "network", cii_json_str (hit->network));
    cii_json_set (row, "title", cii_json_str (hit->title));
    cii_json_set (row, "lang", cii_json_str (hit->language));
    cii_json_set (row, "score", s_score_json (hit->score));
    cii_json_set (row, "why", why);
    return row;
}

//  The why of a hit as one line: "concepts a, b; institutions c; target groups d".
static void
s_why_line (const hub_match_hit_t *hit, char *buf, size_t size)
{
    size_t used = 0;
    buf [0] = 0;
    const char *labels [] = { "concepts", "institutions", "target groups" };
    const char *lists [] = { hit->concepts, hit->institutions, hit->target_groups };
    for (size_t i = 0; i < 3; i++) {
        if (!*lists [i])
            continue;
        int n = snprintf (buf + used, size - used, "%s%s ", used ? "; " : "", labels [i]);
        if (n < 0 || (size_t) n >= size - used)
            return;
        used += (size_t) n;
        for (const char *p = lists [i]; *p && used + 3 < size; p++) {
            buf [used++] = *p;
            if (*p == ',')
                buf [used++] = ' ';
        }
        buf [used] = 0;
    }
    if (!used)
        snprintf (buf, size, "a similar title");        //  nothing else makes a hit (hub_match_similar)
}

int
hub_cli_similar (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int limit = HUB_MATCH_LIMIT_DEFAULT;
    const char *limit_text = cii_cli_opt (cli, "limit");
    if (limit_text) {
        char *end = NULL;
        long value = strtol (limit_text, &end, 10);
        if (!*limit_text || *end || value < 1 || value > HUB_MATCH_LIMIT_MAX)
            return cii_cli_usage (cli, "--limit must be 1..%d", HUB_MATCH_LIMIT_MAX);
        limit = (int) value;
    }
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_match_hits_t *hits = hub_match_similar (store, ref, limit, &err);
    if (!hits)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *list = json_array ();
        for (size_t i = 0; list && i < hub_match_hits_count (hits); i++)
            if (json_array_append_new (list, s_hit_json (hub_match_hit_at (hits, i))) != 0) {
                json_decref (list);
                list = NULL;
            }
        code = list ? cii_cli_print_json (cli, list) : cii_cli_refuse (cli, "out of memory");
    }
    else
    if (hub_match_hits_count (hits) == 0)
        fprintf (cii_cli_out (cli), "nothing in other networks looks like %s\n", ref);
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "%4s  %5s  %-14s  %-10s  %-4s  %s\n", "RANK", "SCORE", "REF", "NETWORK", "LANG", "TITLE");
        for (size_t i = 0; i < hub_match_hits_count (hits); i++) {
            const hub_match_hit_t *hit = hub_match_hit_at (hits, i);
            char why [1024];
            s_why_line (hit, why, sizeof why);
            fprintf (out, "%4zu  %5.3f  %-14s  %-10s  %-4s  %s\n", i + 1, hit->score, hit->ref, hit->network,
                     hit->language, hit->title);
            fprintf (out, "%4s  %5s  why: %s\n", "", "", why);
        }
    }
    hub_match_hits_destroy (&hits);
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_concept_add (cii_cli_t *cli)
{
    const char *concept = cii_cli_arg (cli, 0);
    const char *term = cii_cli_arg (cli, 1);
    const char *lang = cii_cli_opt (cli, "lang");
    if (!lang)
        return cii_cli_usage (cli, "--lang is required (fr, de or it)");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_concept_added_t added;
    if (hub_match_concept_add (store, concept, lang, term, &added, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "concept", cii_json_str (concept));
        cii_json_set (doc, "lang", cii_json_str (lang));
        cii_json_set (doc, "term", cii_json_str (term));
        cii_json_set (doc, "query", cii_json_str (added.query));
        cii_json_set (doc, "tagged", json_integer (added.tagged));
        cii_json_set (doc, "documents", json_integer (added.docs));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "concept %s: %s term added (query %s); %" PRId64 " more document%s, %" PRId64
                 " in all\n", concept, lang, added.query, added.tagged, added.tagged == 1 ? "" : "s", added.docs);
    hub_store_destroy (&store);
    return code;
}

static bool
s_concept_row (const hub_concept_row_t *row, void *arg)
{
    hub_cli_listing_t *listing = arg;
    if (listing->list) {
        json_t *item = json_object ();
        cii_json_set (item, "concept", cii_json_str (row->concept));
        cii_json_set (item, "lang", cii_json_str (row->language));
        cii_json_set (item, "term", cii_json_str (row->term));
        cii_json_set (item, "query", cii_json_str (row->query));
        cii_json_set (item, "documents", json_integer (row->docs));
        return hub_cli_listing_add (listing, item);
    }
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-32s  %-4s  %9s  %s\n", "CONCEPT", "LANG", "DOCUMENTS", "TERM");
    fprintf (out, "%-32s  %-4s  %9" PRId64 "  %s\n", row->concept, row->language, row->docs, row->term);
    return true;
}

int
hub_cli_concept_list (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK
                : hub_match_concepts (store, cii_cli_opt (cli, "concept"), s_concept_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "the thesaurus is empty");
    hub_store_destroy (&store);
    return code;
}
