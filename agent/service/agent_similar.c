/*  agent_similar.c — the network's signals and requests that look like a signal (see
    agent_similar.h): the signal's terms through the indexes' own tokenizer, the rarest asked of
    both full-text indexes, each hit scored by the terms, institutions and target groups it shares. */
#include "agent_similar.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_requests.h"
#include "agent_store_requests.h"
#include "agent_store_search.h"
#include "agent_store_signals.h"
#include "cii_domain.h"

#define S_HITS_MAX     200            //  hits read from each index

//  Common words of the network's languages, as the tokenizer gives them (lower case, no
//  diacritics): they match everything and say nothing.
static const char *s_stopwords [] = {
    //  fr
    "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles", "en", "entre",
    "est", "et", "etre", "ete", "il", "ils", "la", "le", "les", "leur", "leurs", "lors", "mais", "meme", "ne",
    "nous", "ou", "par", "pas", "peut", "peuvent", "plus", "pour", "qu", "que", "qui", "sa", "sans", "se", "ses",
    "son", "sont", "sous", "sur", "tres", "tout", "tous", "toute", "toutes", "un", "une", "vous", "ainsi", "aussi",
    "car", "comme", "donc", "dont", "souvent", "doit", "doivent", "ont", "fait", "faire", "autre", "autres",
    //  de
    "am", "an", "auf", "aus", "bei", "bis", "das", "dass", "dem", "den", "der", "des", "die", "dies", "diese",
    "dieser", "dieses", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es", "fur", "fuer",
    "haben", "hat", "ihr", "ihre", "im", "in", "ist", "kann", "konnen", "mit", "muss", "mussen", "nach", "nicht",
    "noch", "nur", "oder", "oft", "ohne", "sich", "sie", "sind", "so", "uber", "um", "und", "unter", "vom", "von",
    "vor", "war", "werden", "wie", "wir", "wird", "wurde", "zu", "zum", "zur", "zwischen", "als", "auch", "wenn",
    //  it
    "agli", "ai", "al", "alla", "alle", "allo", "anche", "che", "chi", "come", "con", "cui", "da", "dai", "dal",
    "dalla", "dalle", "degli", "dei", "del", "della", "delle", "dello", "di", "ed", "essere", "gli", "ha", "hanno",
    "lo", "loro", "ma", "nei", "nel", "nella", "nelle", "non", "per", "piu", "puo", "possono", "quella", "quello",
    "queste", "questi", "questo", "questa", "si", "spesso", "su", "sul", "sulla", "tra", "fra", "uno", "deve",
    "devono",
    //  en
    "and", "are", "as", "at", "be", "by", "for", "from", "is", "of", "on", "or", "the", "to", "with",
};

//  True for a term worth matching: two bytes or more, not only digits, not a common word.
static bool
s_meaningful (const char *term)
{
    size_t len = strlen (term);
    if (len < 2 || strspn (term, "0123456789") == len)
        return false;
    for (size_t i = 0; i < sizeof s_stopwords / sizeof s_stopwords [0]; i++)
        if (strcmp (term, s_stopwords [i]) == 0)
            return false;
    return true;
}

//  ln x for x >= 1 without libm: halve to [1, 2), then 2 atanh ((x - 1) / (x + 1)).
static double
s_ln (double x)
{
    int halvings = 0;
    while (x >= 2.0) {
        x /= 2.0;
        halvings++;
    }
    double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y, sum = 0.0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= y2;
    }
    return 2.0 * sum + halvings * 0.69314718055994530942;
}

//  --------------------------------------------------------------------------------------------
//  Terms

typedef struct {
    char text [AGENT_SEARCH_TERM_MAX + 1];
    double weight;                    //  its rarity: ln (1 + N / df)
} s_term_t;

typedef struct {
    s_term_t *items;
    size_t count;
    size_t cap;
    bool no_memory;
} s_terms_t;

//  agent_term_fn: collects the meaningful terms (duplicates included; s_unique removes them).
static bool
s_collect (const char *term, size_t size, void *arg)
{
    s_terms_t *terms = arg;
    char text [AGENT_SEARCH_TERM_MAX + 1];
    memcpy (text, term, size);
    text [size] = '\0';
    if (!s_meaningful (text))
        return true;
    if (terms->count == terms->cap) {
        size_t cap = terms->cap ? terms->cap * 2 : 64;
        s_term_t *items = realloc (terms->items, cap * sizeof *items);
        if (!items) {
            terms->no_memory = true;
            return false;
        }
        terms->items = items;
        terms->cap = cap;
    }
    memcpy (terms->items [terms->count].text, text, size + 1);
    terms->items [terms->count].weight = 0.0;
    terms->count++;
    return true;
}

static int
s_by_text (const void *a, const void *b)
{
    return strcmp (((const s_term_t *) a)->text, ((const s_term_t *) b)->text);
}

//  Rarest first, then alphabetical.
static int
s_by_weight (const void *a, const void *b)
{
    const s_term_t *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return strcmp (x->text, y->text);
}

//  Sorts by text and drops repeats.
static void
s_unique (s_terms_t *terms)
{
    if (terms->count == 0)
        return;
    qsort (terms->items, terms->count, sizeof terms->items [0], s_by_text);
    size_t kept = 1;
    for (size_t i = 1; i < terms->count; i++)
        if (strcmp (terms->items [i].text, terms->items [kept - 1].text) != 0)
            terms->items [kept++] = terms->items [i];
    terms->count = kept;
}

//  The distinct meaningful terms of text into *terms (sorted by text).
static cii_rc_t
s_terms_of (agent_store_t *store, const char *text, s_terms_t *terms, cii_err_t *err)
{
    memset (terms, 0, sizeof *terms);
    cii_rc_t rc = agent_store_search_terms (store, text, strlen (text), s_collect, terms, err);
    if (rc == CII_OK && terms->no_memory)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        s_unique (terms);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Hits

typedef struct {
    const char *kind;
    int64_t id;
    bool contains;
    bool keep;                        //  read and worth showing
    char *title;
    char *text;                       //  what is matched: title, description or summary, ...
    char state [CII_MAX_STATE + 8];
    char cantons [CII_CANTON_COUNT * 3 + 1];
    char ref [CII_MAX_REF + 1];
    unsigned institutions;
    unsigned target_groups;
    double score;
    char words [AGENT_SIMILAR_WORDS * (AGENT_SEARCH_TERM_MAX + 1) + 1];
    char shared_institutions [160];
    char shared_groups [160];
} s_hit_t;

typedef struct {
    s_hit_t *items;
    size_t count;
    size_t cap;
    bool no_memory;
    int64_t signal_id;                //  the signal itself is no hit
} s_hits_t;

static s_hit_t *
s_hit_add (s_hits_t *hits, const char *kind, int64_t id)
{
    for (size_t i = 0; i < hits->count; i++)
        if (hits->items [i].id == id && hits->items [i].kind == kind)
            return &hits->items [i];
    if (hits->count == hits->cap) {
        size_t cap = hits->cap ? hits->cap * 2 : 32;
        s_hit_t *items = realloc (hits->items, cap * sizeof *items);
        if (!items) {
            hits->no_memory = true;
            return NULL;
        }
        hits->items = items;
        hits->cap = cap;
    }
    s_hit_t *hit = &hits->items [hits->count++];
    memset (hit, 0, sizeof *hit);
    hit->kind = kind;
    hit->id = id;
    return hit;
}

static void
s_hits_free (s_hits_t *hits)
{
    for (size_t i = 0; i < hits->count; i++) {
        free (hits->items [i].title);
        free (hits->items [i].text);
    }
    free (hits->items);
    memset (hits, 0, sizeof *hits);
}

static bool
s_signal_hit (int64_t id, void *arg)
{
    s_hits_t *hits = arg;
    return id == hits->signal_id || s_hit_add (hits, "signal", id) != NULL;
}

static bool
s_request_hit (int64_t id, void *arg)
{
    return s_hit_add (arg, "request", id) != NULL;
}

static bool
s_request_contains (const agent_request_row_t *row, void *arg)
{
    s_hit_t *hit = s_hit_add (arg, "request", row->id);
    if (hit)
        hit->contains = true;
    return hit != NULL;
}

//  A comma list of names into bits (institutions or target groups).
static unsigned
s_bits (const char *list, int (*from_name) (const char *))
{
    unsigned bits = 0;
    for (const char *p = list ? list : ""; *p; ) {
        size_t len = strcspn (p, ",");
        char name [64];
        if (len < sizeof name) {
            memcpy (name, p, len);
            name [len] = '\0';
            int value = from_name (name);
            if (value > 0 && value < 32)
                bits |= 1u << value;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return bits;
}

static int
s_institution_value (const char *name)
{
    return (int) cii_domain_institution_from_name (name);
}

static int
s_group_value (const char *name)
{
    return (int) cii_domain_target_group_from_name (name);
}

//  title \n a \n b \n c, or NULL when out of memory.
static char *
s_join (const char *title, const char *a, const char *b, const char *c)
{
    size_t size = strlen (title) + strlen (a) + strlen (b) + strlen (c) + 4;
    char *text = malloc (size);
    if (text)
        snprintf (text, size, "%s\n%s\n%s\n%s", title, a, b, c);
    return text;
}

static bool
s_fill_signal (const agent_signal_row_t *row, void *arg)
{
    s_hit_t *hit = arg;
    hit->title = strdup (row->title);
    hit->text = s_join (row->title, row->description, row->national_reason ? row->national_reason : "", "");
    snprintf (hit->state, sizeof hit->state, "%s",
              row->delivered_at_ms > 0 ? "delivered" : row->refused ? "refused" : "pending");
    snprintf (hit->cantons, sizeof hit->cantons, "%s", row->canton);
    snprintf (hit->ref, sizeof hit->ref, "%s", row->hub_ref ? row->hub_ref : "");
    hit->institutions = s_bits (row->institutions, s_institution_value);
    hit->target_groups = s_bits (row->target_groups, s_group_value);
    hit->keep = true;
    return false;
}

static bool
s_fill_request (const agent_request_row_t *row, void *arg)
{
    s_hit_t *hit = arg;
    //  Merged drafts live on in the one they were merged into; requests known only from a
    //  STATUS have no text here
    if (strcmp (row->state, "merged") == 0 || strcmp (row->origin, "hub") == 0)
        return false;
    hit->title = strdup (row->title);
    hit->text = s_join (row->title, row->summary, row->assessment, "");
    snprintf (hit->state, sizeof hit->state, "%s", row->state);
    snprintf (hit->cantons, sizeof hit->cantons, "%s", row->cantons);
    snprintf (hit->ref, sizeof hit->ref, "%s", row->hub_ref ? row->hub_ref : "");
    hit->institutions = s_bits (row->institutions, s_institution_value);
    hit->target_groups = s_bits (row->target_groups, s_group_value);
    hit->keep = true;
    return false;
}

//  Names of the set bits into buf.
static void
s_bit_names (unsigned bits, const char *(*name_of) (int), char *buf, size_t size)
{
    size_t len = 0;
    buf [0] = '\0';
    for (int value = 1; value < 32 && len < size; value++)
        if (bits & (1u << value) && name_of (value))
            len += (size_t) snprintf (buf + len, size - len, "%s%s", len ? "," : "", name_of (value));
}

//  Scores hit against the signal's terms (sorted by text), institutions and target groups.
static cii_rc_t
s_score (agent_store_t *store, s_hit_t *hit, const s_terms_t *terms, unsigned institutions, unsigned groups,
         cii_err_t *err)
{
    s_terms_t mine;
    cii_rc_t rc = s_terms_of (store, hit->text ? hit->text : "", &mine, err);
    if (rc != CII_OK)
        return rc;
    s_terms_t shared = { 0 };
    for (size_t i = 0; i < mine.count && terms->count > 0; i++) {
        const s_term_t *found = bsearch (&mine.items [i], terms->items, terms->count, sizeof terms->items [0],
                                         s_by_text);
        if (found && s_collect (found->text, strlen (found->text), &shared))
            shared.items [shared.count - 1].weight = found->weight;
    }
    free (mine.items);
    if (shared.no_memory) {
        free (shared.items);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    if (shared.count > 1)
        qsort (shared.items, shared.count, sizeof shared.items [0], s_by_weight);
    size_t len = 0;
    hit->words [0] = '\0';
    for (size_t i = 0; i < shared.count; i++) {
        hit->score += shared.items [i].weight;
        if (i < AGENT_SIMILAR_WORDS)
            len += (size_t) snprintf (hit->words + len, sizeof hit->words - len, "%s%s", len ? "," : "",
                                      shared.items [i].text);
    }
    free (shared.items);
    unsigned same_institutions = hit->institutions & institutions, same_groups = hit->target_groups & groups;
    for (int value = 1; value < 32; value++) {
        if (same_institutions & (1u << value))
            hit->score += AGENT_SIMILAR_INSTITUTION;
        if (same_groups & (1u << value))
            hit->score += AGENT_SIMILAR_GROUP;
    }
    s_bit_names (same_institutions, cii_domain_institution_name, hit->shared_institutions,
                 sizeof hit->shared_institutions);
    s_bit_names (same_groups, cii_domain_target_group_name, hit->shared_groups, sizeof hit->shared_groups);
    return CII_OK;
}

//  Best first; on a tie, requests before signals (they consolidate), then by id.
static int
s_by_score (const void *a, const void *b)
{
    const s_hit_t *x = a, *y = b;
    if (x->keep != y->keep)
        return x->keep ? -1 : 1;
    if (x->contains != y->contains)
        return x->contains ? -1 : 1;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->kind != y->kind)
        return strcmp (x->kind, y->kind) < 0 ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

//  --------------------------------------------------------------------------------------------

typedef struct {
    char *text;
    unsigned institutions;
    unsigned target_groups;
} s_signal_t;

static bool
s_read_signal (const agent_signal_row_t *row, void *arg)
{
    s_signal_t *signal = arg;
    signal->text = s_join (row->title, row->description, row->national_reason ? row->national_reason : "", "");
    signal->institutions = s_bits (row->institutions, s_institution_value);
    signal->target_groups = s_bits (row->target_groups, s_group_value);
    return false;
}

//  The FTS5 query: the rarest terms, each quoted, any of them ("a" OR "b" ...). NULL: no memory.
static char *
s_query (const s_terms_t *terms)
{
    s_term_t *sorted = malloc ((terms->count + 1) * sizeof *sorted);
    if (!sorted)
        return NULL;
    memcpy (sorted, terms->items, terms->count * sizeof *sorted);
    qsort (sorted, terms->count, sizeof *sorted, s_by_weight);
    size_t count = terms->count < AGENT_SIMILAR_QUERY_TERMS ? terms->count : AGENT_SIMILAR_QUERY_TERMS;
    size_t size = count * (2 * AGENT_SEARCH_TERM_MAX + 8) + 1;
    char *query = malloc (size);
    if (query) {
        size_t len = 0;
        query [0] = '\0';
        for (size_t i = 0; i < count; i++) {
            len += (size_t) snprintf (query + len, size - len, "%s\"", i ? " OR " : "");
            for (const char *p = sorted [i].text; *p; p++) {
                if (*p == '"')
                    query [len++] = '"';      //  a quote inside a string is doubled
                query [len++] = *p;
            }
            query [len++] = '"';
            query [len] = '\0';
        }
    }
    free (sorted);
    return query;
}

cii_rc_t
agent_similar (agent_store_t *store, const char *key, size_t limit, agent_similar_fn *fn, void *arg,
               int64_t *signal_id_p, size_t *count_p, cii_err_t *err)
{
    assert (store && key && fn);
    if (count_p)
        *count_p = 0;
    if (limit == 0)
        limit = AGENT_SIMILAR_LIMIT;
    if (limit > AGENT_SIMILAR_LIMIT_MAX)
        limit = AGENT_SIMILAR_LIMIT_MAX;
    int64_t id = 0;
    s_signal_t signal = { 0 };
    s_terms_t terms = { 0 };
    s_hits_t hits = { 0 };
    char *query = NULL;
    cii_rc_t rc = agent_requests_signal_key (store, key, &id, err);
    if (rc == CII_OK)
        rc = agent_store_signal_get (store, id, s_read_signal, &signal, err);
    if (rc == CII_OK && !signal.text)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        rc = s_terms_of (store, signal.text, &terms, err);
    //  Each term's weight: its rarity among the network's signals
    for (size_t i = 0; rc == CII_OK && i < terms.count; i++) {
        int64_t df = 0, total = 0;
        rc = agent_store_search_df (store, terms.items [i].text, &df, &total, err);
        terms.items [i].weight = s_ln (1.0 + (double) (total > 0 ? total : 1) / (double) (df > 0 ? df : 1));
    }
    hits.signal_id = id;
    if (rc == CII_OK && terms.count > 0) {
        query = s_query (&terms);
        if (!query)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
        if (rc == CII_OK)
            rc = agent_store_search_match (store, "signals", query, S_HITS_MAX, s_signal_hit, &hits, err);
        if (rc == CII_OK)
            rc = agent_store_search_match (store, "requests", query, S_HITS_MAX, s_request_hit, &hits, err);
    }
    agent_request_filter_t filter = { .signal_id = id };
    if (rc == CII_OK)
        rc = agent_store_requests_each (store, &filter, s_request_contains, &hits, NULL, err);
    if (rc == CII_OK && hits.no_memory)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == CII_OK && i < hits.count; i++) {
        s_hit_t *hit = &hits.items [i];
        rc = strcmp (hit->kind, "signal") == 0 ? agent_store_signal_get (store, hit->id, s_fill_signal, hit, err)
                                               : agent_store_request_get (store, hit->id, s_fill_request, hit, err);
        if (rc == CII_OK && hit->keep && (!hit->title || !hit->text))
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
        if (rc == CII_OK && hit->keep)
            rc = s_score (store, hit, &terms, signal.institutions, signal.target_groups, err);
    }
    if (rc == CII_OK) {
        if (hits.count > 1)
            qsort (hits.items, hits.count, sizeof hits.items [0], s_by_score);
        size_t seen = 0;
        for (size_t i = 0; i < hits.count && seen < limit && hits.items [i].keep; i++) {
            const s_hit_t *hit = &hits.items [i];
            agent_similar_t out = {
                .kind = hit->kind,
                .id = hit->id,
                .title = hit->title,
                .state = hit->state,
                .cantons = hit->cantons,
                .ref = hit->ref [0] ? hit->ref : NULL,
                .score = (int64_t) (hit->score * 100.0 + 0.5),
                .words = hit->words,
                .institutions = hit->shared_institutions,
                .target_groups = hit->shared_groups,
                .contains = hit->contains,
            };
            seen++;
            if (!fn (&out, arg))
                break;
        }
        if (count_p)
            *count_p = seen;
        if (signal_id_p)
            *signal_id_p = id;
    }
    free (query);
    s_hits_free (&hits);
    free (terms.items);
    free (signal.text);
    return rc;
}
