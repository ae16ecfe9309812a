/*  hub_match.c — cross-language matching: the score, the candidates, the C3 breadth and the
    thesaurus rules (see hub_match.h). */
#include "hub_match.h"
#include "hub_flow.h"
#include "hub_store_registry.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cii_domain.h"

//  The weights of the parts of the score (they sum to 1).
#define S_W_CONCEPTS        0.55
#define S_W_INSTITUTIONS    0.15
#define S_W_TARGET_GROUPS   0.10
#define S_W_TITLE           0.10
#define S_W_WORDS           0.10
//  What the text parts (read in a second step) can add at most.
#define S_W_TEXT            (S_W_TITLE + S_W_WORDS)
//  The concept part leans towards the query: dot / (|Q|^(2a) |D|^(2(1-a))), the weighted geometric
//  mean of how much of the query the candidate holds (weight a) and how much of the candidate is
//  the query's; a = 0.5 would be the cosine, which ranks a short text holding two common concepts
//  of the query above a longer one holding all of them.
#define S_QUERY_EMPHASIS    0.7

//  Candidates: those holding one of the query's rarest concepts, as many concepts as hold at most
//  S_BUDGET documents together (at least one); a text without concepts finds its candidates by
//  title; in an index of at most S_SMALL_INDEX documents, every document of another network is one.
#define S_BUDGET            8000
#define S_SMALL_INDEX       2000
//  Documents read per transaction by the catch-up; candidates whose texts are compared, at most.
#define S_CATCH_UP_CHUNK    2000
//  Documents one background run reads at most (about 0.3 s of PostgreSQL's CPU): the serving hub
//  runs it from its housekeeping when no batch was stored in the last second, so that indexing never
//  competes with storing (see hub_match_background).
#define S_BACKGROUND_DOCS   1024
#define S_TEXT_MAX          1000

//  --------------------------------------------------------------------------------------------
//  Small sets of names (comma lists)

typedef struct {
    char *buf;
    char **items;
    size_t count;
} s_names_t;

static int
s_strcmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  Splits the comma list into self, sorted and without repeats. -1 out of memory.
static int
s_names_parse (s_names_t *self, const char *list)
{
    memset (self, 0, sizeof *self);
    self->buf = strdup (list ? list : "");
    size_t slots = 1;
    for (const char *p = list ? list : ""; *p; p++)
        slots += *p == ',';
    self->items = calloc (slots, sizeof *self->items);
    if (!self->buf || !self->items)
        return -1;
    char *save = NULL;
    for (char *name = strtok_r (self->buf, ",", &save); name; name = strtok_r (NULL, ",", &save))
        self->items [self->count++] = name;
    qsort (self->items, self->count, sizeof *self->items, s_strcmp);
    size_t kept = 0;
    for (size_t i = 0; i < self->count; i++)
        if (kept == 0 || strcmp (self->items [kept - 1], self->items [i]) != 0)
            self->items [kept++] = self->items [i];
    self->count = kept;
    return 0;
}

static void
s_names_free (s_names_t *self)
{
    free (self->buf);
    free (self->items);
    memset (self, 0, sizeof *self);
}

static bool
s_names_has (const s_names_t *self, const char *name)
{
    return self->count && bsearch (&name, self->items, self->count, sizeof *self->items, s_strcmp) != NULL;
}

//  Jaccard overlap of two sets (0 when both are empty); the shared names into shared (a comma
//  list, cut to size).
static double
s_jaccard (const s_names_t *a, const s_names_t *b, char *shared, size_t size)
{
    size_t both = 0, used = 0;
    if (size)
        shared [0] = 0;
    for (size_t i = 0; i < a->count; i++)
        if (s_names_has (b, a->items [i])) {
            both++;
            int n = size > used ? snprintf (shared + used, size - used, "%s%s", used ? "," : "", a->items [i]) : 0;
            used += n > 0 && (size_t) n < size - used ? (size_t) n : 0;
        }
    size_t either = a->count + b->count - both;
    return either ? (double) both / (double) either : 0.0;
}

//  --------------------------------------------------------------------------------------------
//  Concept weights: w = ln (1 + N / df), from the index's document frequencies

typedef struct {
    char *name;
    double df;                  //  documents holding it
} s_weight_t;

typedef struct {
    s_weight_t *items;          //  by name
    size_t count, capacity;
    int64_t total;              //  documents in the index
    bool failed;
} s_weights_t;

static int
s_weight_cmp (const void *a, const void *b)
{
    return strcmp (((const s_weight_t *) a)->name, ((const s_weight_t *) b)->name);
}

static void
s_df_row (const char *concept, int64_t docs, void *arg)
{
    s_weights_t *self = arg;
    if (self->failed)
        return;
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 128;
        s_weight_t *items = realloc (self->items, capacity * sizeof *items);
        if (!items) {
            self->failed = true;
            return;
        }
        self->items = items;
        self->capacity = capacity;
    }
    char *name = strdup (concept);
    if (!name) {
        self->failed = true;
        return;
    }
    self->items [self->count].name = name;
    self->items [self->count].df = (double) docs;
    self->count++;
}

static void
s_weights_free (s_weights_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        free (self->items [i].name);
    free (self->items);
    memset (self, 0, sizeof *self);
}

static cii_rc_t
s_weights_load (s_weights_t *self, hub_store_t *store, cii_err_t *err)
{
    memset (self, 0, sizeof *self);
    if (hub_store_match_df (store, s_df_row, self, &self->total) != CII_OK)
        return hub_store_fail (store, err);
    if (self->failed)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (self->count)
        qsort (self->items, self->count, sizeof *self->items, s_weight_cmp);
    return CII_OK;
}

//  The document frequency of concept (0 if no document holds it).
static double
s_df (const s_weights_t *self, const char *concept)
{
    s_weight_t key = { .name = (char *) concept };
    const s_weight_t *found = self->count ? bsearch (&key, self->items, self->count, sizeof key, s_weight_cmp) : NULL;
    return found ? found->df : 0.0;
}

static double
s_weight (const s_weights_t *self, const char *concept)
{
    double df = s_df (self, concept);
    double total = self->total > 0 ? (double) self->total : 1.0;
    return log (1.0 + total / (df > 0 ? df : 1.0));
}

//  A reference as cii-hub gives them: "CII-" year "-" number.
static bool
s_request_ref_valid (const char *ref)
{
    size_t len = strlen (ref);
    if (len < 10 || len > CII_MAX_REF || strncmp (ref, "CII-", 4) != 0 || ref [8] != '-')
        return false;
    for (size_t i = 4; i < len; i++)
        if (i != 8 && (ref [i] < '0' || ref [i] > '9'))
            return false;
    return true;
}

//  --------------------------------------------------------------------------------------------
//  One run: the query, its concepts, the candidates with their scores

typedef struct {
    const char *kind;           //  static "request" / "signal"
    int64_t id;
    char *ref, *network, *language, *title;
    s_names_t concepts, institutions, target_groups;
    double part_concepts, part_institutions, part_target_groups, part_title, part_words;
    double partial, score;
    bool texted;
    char shared_institutions [128], shared_target_groups [160];
} s_cand_t;

typedef struct {
    hub_store_t *store;
    //  the query
    char *kind;
    int64_t id;
    char *ref, *network;
    s_names_t concepts, institutions, target_groups;
    double norm;                //  |Q| with the weights
    //  the index
    s_weights_t weights;
    //  the candidates
    s_cand_t *cands;
    size_t count, capacity;
    bool failed;
} s_run_t;

static void
s_cand_free (s_cand_t *c)
{
    free (c->ref);
    free (c->network);
    free (c->language);
    free (c->title);
    s_names_free (&c->concepts);
    s_names_free (&c->institutions);
    s_names_free (&c->target_groups);
}

static void
s_run_free (s_run_t *run)
{
    free (run->kind);
    free (run->ref);
    free (run->network);
    s_names_free (&run->concepts);
    s_names_free (&run->institutions);
    s_names_free (&run->target_groups);
    s_weights_free (&run->weights);
    for (size_t i = 0; i < run->count; i++)
        s_cand_free (&run->cands [i]);
    free (run->cands);
    memset (run, 0, sizeof *run);
}

static bool
s_query_row (const hub_match_doc_t *doc, void *arg)
{
    s_run_t *run = arg;
    run->kind = strdup (doc->kind);
    run->id = doc->id;
    run->ref = strdup (doc->ref);
    run->network = strdup (doc->network);
    if (!run->kind || !run->ref || !run->network || s_names_parse (&run->concepts, doc->concepts)
    ||  s_names_parse (&run->institutions, doc->institutions) || s_names_parse (&run->target_groups, doc->target_groups))
        run->failed = true;
    return false;
}

//  The concept part (weighted cosine), the Jaccard parts and the partial score of candidate c.
static void
s_score_partial (const s_run_t *run, s_cand_t *c)
{
    double dot = 0, norm = 0;
    for (size_t i = 0; i < c->concepts.count; i++) {
        double w = s_weight (&run->weights, c->concepts.items [i]);
        norm += w * w;
        if (s_names_has (&run->concepts, c->concepts.items [i]))
            dot += w * w;
    }
    c->part_concepts = dot > 0 && norm > 0 && run->norm > 0
                     ? dot / (pow (run->norm, 2 * S_QUERY_EMPHASIS) * pow (sqrt (norm), 2 * (1 - S_QUERY_EMPHASIS)))
                     : 0.0;
    c->part_concepts = c->part_concepts > 1 ? 1 : c->part_concepts;
    c->part_institutions = s_jaccard (&run->institutions, &c->institutions, c->shared_institutions,
                                      sizeof c->shared_institutions);
    c->part_target_groups = s_jaccard (&run->target_groups, &c->target_groups, c->shared_target_groups,
                                       sizeof c->shared_target_groups);
    c->partial = S_W_CONCEPTS * c->part_concepts + S_W_INSTITUTIONS * c->part_institutions
               + S_W_TARGET_GROUPS * c->part_target_groups;
    c->score = c->partial;
}

static bool
s_cand_row (const hub_match_doc_t *doc, void *arg)
{
    s_run_t *run = arg;
    if (run->count == run->capacity) {
        size_t capacity = run->capacity ? run->capacity * 2 : 256;
        s_cand_t *cands = realloc (run->cands, capacity * sizeof *cands);
        if (!cands) {
            run->failed = true;
            return false;
        }
        run->cands = cands;
        run->capacity = capacity;
    }
    s_cand_t *c = &run->cands [run->count];
    memset (c, 0, sizeof *c);
    c->kind = streq (doc->kind, "signal") ? "signal" : "request";
    c->id = doc->id;
    c->network = strdup (doc->network);
    run->count++;
    if (!c->network || s_names_parse (&c->concepts, doc->concepts) || s_names_parse (&c->institutions, doc->institutions)
    ||  s_names_parse (&c->target_groups, doc->target_groups)) {
        run->failed = true;
        return false;
    }
    s_score_partial (run, c);
    return true;
}

//  Candidates by partial score, best first (ties by id: a stable order for the same index).
static int
s_by_partial (const void *a, const void *b)
{
    const s_cand_t *x = a, *y = b;
    if (x->partial != y->partial)
        return x->partial < y->partial ? 1 : -1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return strcmp (x->kind, y->kind);
}

//  Compared candidates by score, best first, ties by reference; the others after them.
static int
s_by_score (const void *a, const void *b)
{
    const s_cand_t *x = a, *y = b;
    if (x->texted != y->texted)
        return x->texted ? -1 : 1;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp (x->ref ? x->ref : "", y->ref ? y->ref : "");
}

//  The first count candidates (those sent to hub_store_match_text), by (id, kind) for the lookup.
typedef struct {
    s_run_t *run;
    s_cand_t **sent;
    size_t count;
} s_text_ctx_t;

static int
s_by_key (const void *a, const void *b)
{
    const s_cand_t *x = *(s_cand_t *const *) a, *y = *(s_cand_t *const *) b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return strcmp (x->kind, y->kind);
}

static void
s_text_row (const hub_match_text_t *text, void *arg)
{
    s_text_ctx_t *ctx = arg;
    s_cand_t key = { .kind = text->kind, .id = text->id }, *pkey = &key;
    s_cand_t **found = bsearch (&pkey, ctx->sent, ctx->count, sizeof *ctx->sent, s_by_key);
    if (!found)
        return;
    s_cand_t *c = *found;
    c->ref = strdup (text->ref);
    c->language = strdup (text->language);
    c->title = strdup (text->title);
    if (!c->ref || !c->language || !c->title) {
        ctx->run->failed = true;
        return;
    }
    c->part_title = text->title_similarity < 0 ? 0 : text->title_similarity > 1 ? 1 : text->title_similarity;
    double norm = sqrt ((double) text->lexemes * (double) text->query_lexemes);
    c->part_words = norm > 0 ? (double) text->shared_lexemes / norm : 0.0;
    c->score = c->partial + S_W_TITLE * c->part_title + S_W_WORDS * c->part_words;
    c->texted = true;
}

typedef struct {
    const char *name;
    double df;
} s_by_df_t;

static int
s_by_df (const void *a, const void *b)
{
    const s_by_df_t *x = a, *y = b;
    if (x->df != y->df)
        return x->df < y->df ? -1 : 1;
    return strcmp (x->name, y->name);
}

//  The run up to the partial scores: catch-up, the query, the weights, the candidates (requests
//  only unless signals) with their partial scores, sorted. budget: the documents the concepts that
//  open the way may hold together (negative: no limit).
static cii_rc_t
s_run (s_run_t *run, hub_store_t *store, const char *ref, int64_t id, bool signals, double budget, cii_err_t *err)
{
    memset (run, 0, sizeof *run);
    run->store = store;
    if (hub_store_match_catch_up (store, signals, S_CATCH_UP_CHUNK, 0, NULL) != CII_OK)
        return hub_store_fail (store, err);
    cii_rc_t rc = hub_store_match_request (store, ref, id, s_query_row, run);
    if (rc == CII_NOT_FOUND) {
        if (ref)            //  a valid reference (s_request_ref_valid): printable as it is
            return cii_err_set (err, CII_NOT_FOUND, "no request %s", ref);
        return cii_err_set (err, CII_NOT_FOUND, "no request with id %" PRId64, id);
    }
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    if (run->failed)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if ((rc = s_weights_load (&run->weights, store, err)) != CII_OK)
        return rc;
    double norm = 0;
    for (size_t i = 0; i < run->concepts.count; i++) {
        double w = s_weight (&run->weights, run->concepts.items [i]);
        norm += w * w;
    }
    run->norm = sqrt (norm);

    //  The concepts that open the way: the query's rarest (the most telling), as many as hold at
    //  most budget documents together, at least one. A document sharing none of them shares only
    //  commoner, lighter concepts: it could only rank where the rarest concepts leave room.
    s_by_df_t *order = calloc (run->concepts.count + 1, sizeof *order);
    const char **open = calloc (run->concepts.count + 1, sizeof *open);
    if (!order || !open) {
        free (order);
        free (open);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < run->concepts.count; i++)
        order [i] = (s_by_df_t) { run->concepts.items [i], s_df (&run->weights, run->concepts.items [i]) };
    qsort (order, run->concepts.count, sizeof *order, s_by_df);
    size_t n_open = 0;
    double held = 0;
    for (size_t i = 0; i < run->concepts.count; i++) {
        if (n_open && budget >= 0 && held + order [i].df > budget)
            break;
        open [n_open++] = order [i].name;
        held += order [i].df;
    }
    hub_match_filter_t filter = {
        .everything = run->weights.total <= S_SMALL_INDEX || budget < 0,
        .concepts = open,
        .n_concepts = n_open,
        .title_trigrams = n_open == 0,          //  a text without any concept: by its title
        .signals = signals,
    };
    //  Requests the network took back (HUB_STATE_LEFT) no longer count
    const char *left [8];
    filter.n_skip_states = hub_flow_states_with (HUB_STATE_LEFT, left, 8);
    filter.skip_states = left;
    hub_match_doc_t query = { .kind = run->kind, .id = run->id, .network = run->network };
    rc = hub_store_match_candidates (store, &query, &filter, s_cand_row, run);
    free (order);
    free (open);
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    if (run->failed)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (run->count)
        qsort (run->cands, run->count, sizeof *run->cands, s_by_partial);
    return CII_OK;
}

//  Reads the text parts of the first count candidates (sorted by partial score).
static cii_rc_t
s_run_texts (s_run_t *run, size_t count, cii_err_t *err)
{
    if (count == 0)
        return CII_OK;
    const char **kinds = calloc (count, sizeof *kinds);
    int64_t *ids = calloc (count, sizeof *ids);
    if (!kinds || !ids) {
        free (kinds);
        free (ids);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        kinds [i] = run->cands [i].kind;
        ids [i] = run->cands [i].id;
    }
    s_text_ctx_t ctx = { .run = run, .count = count, .sent = calloc (count, sizeof (s_cand_t *)) };
    if (!ctx.sent) {
        free (kinds);
        free (ids);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < count; i++)
        ctx.sent [i] = &run->cands [i];
    qsort (ctx.sent, count, sizeof *ctx.sent, s_by_key);
    hub_match_doc_t query = { .kind = run->kind, .id = run->id, .network = run->network };
    cii_rc_t rc = hub_store_match_text (run->store, &query, kinds, ids, count, s_text_row, &ctx);
    free (kinds);
    free (ids);
    free (ctx.sent);
    if (rc != CII_OK)
        return hub_store_fail (run->store, err);
    if (run->failed)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    return CII_OK;
}

//  How many of the candidates (sorted by partial score) may still reach floor once their text
//  parts are added.
static size_t
s_in_reach (const s_run_t *run, double floor)
{
    size_t n = 0;
    while (n < run->count && n < S_TEXT_MAX && run->cands [n].partial + S_W_TEXT >= floor)
        n++;
    return n;
}

//  --------------------------------------------------------------------------------------------
//  similar

//  What makes a hit: something shared beyond the words of a language.
#define S_TITLE_SHARED      0.3     /* pg_trgm's own threshold for "similar" (%) */

static bool
s_shares (const s_cand_t *c)
{
    return c->part_concepts > 0 || c->part_institutions > 0 || c->part_target_groups > 0
        || c->part_title >= S_TITLE_SHARED;
}

struct _hub_match_hits_t {
    hub_match_hit_t *hits;
    size_t count;
    char **strings;             //  everything the hits point to
    size_t n_strings;
};

void
hub_match_hits_destroy (hub_match_hits_t **self_p)
{
    assert (self_p);
    hub_match_hits_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n_strings; i++)
        free (self->strings [i]);
    free (self->strings);
    free (self->hits);
    free (self);
    *self_p = NULL;
}

size_t
hub_match_hits_count (const hub_match_hits_t *self)
{
    assert (self);
    return self->count;
}

const hub_match_hit_t *
hub_match_hit_at (const hub_match_hits_t *self, size_t index)
{
    assert (self);
    return index < self->count ? &self->hits [index] : NULL;
}

//  A copy of s owned by self (NULL out of memory).
static const char *
s_keep (hub_match_hits_t *self, const char *s)
{
    char *copy = strdup (s ? s : "");
    if (copy)
        self->strings [self->n_strings++] = copy;
    return copy;
}

typedef struct {
    const char *name;
    double weight;
} s_shared_t;

static int
s_by_weight (const void *a, const void *b)
{
    const s_shared_t *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return strcmp (x->name, y->name);
}

//  The concepts c shares with the query, most telling (rarest) first, as a comma list into buf.
static void
s_shared_concepts (const s_run_t *run, const s_cand_t *c, char *buf, size_t size)
{
    s_shared_t shared [256];
    size_t n = 0;
    for (size_t i = 0; i < c->concepts.count && n < sizeof shared / sizeof shared [0]; i++)
        if (s_names_has (&run->concepts, c->concepts.items [i]))
            shared [n++] = (s_shared_t) { c->concepts.items [i], s_weight (&run->weights, c->concepts.items [i]) };
    qsort (shared, n, sizeof shared [0], s_by_weight);
    size_t used = 0;
    buf [0] = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf (buf + used, size - used, "%s%s", used ? "," : "", shared [i].name);
        if (w < 0 || (size_t) w >= size - used)
            break;
        used += (size_t) w;
    }
}

hub_match_hits_t *
hub_match_similar (hub_store_t *store, const char *ref, int limit, cii_err_t *err)
{
    return hub_match_similar_budget (store, ref, limit, S_BUDGET, err);
}

hub_match_hits_t *
hub_match_similar_budget (hub_store_t *store, const char *ref, int limit, double budget, cii_err_t *err)
{
    assert (store && ref);
    char buf [12];
    if (!s_request_ref_valid (ref)) {
        cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a request reference (CII-YYYY-NNNN)", cii_domain_sanitize (ref, buf));
        return NULL;
    }
    if (limit < 1 || limit > HUB_MATCH_LIMIT_MAX) {
        cii_err_set (err, CII_BAD_INPUT, "--limit must be 1..%d (got %d)", HUB_MATCH_LIMIT_MAX, limit);
        return NULL;
    }
    s_run_t run;
    hub_match_hits_t *self = NULL;
    if (s_run (&run, store, ref, 0, true, budget, err) != CII_OK)
        goto done;
    //  The k-th best partial score is a floor for the k-th best score: only candidates whose text
    //  parts can lift them to it are compared, so the ranking is the one of scoring them all.
    double floor = run.count >= (size_t) limit ? run.cands [limit - 1].partial : 0.0;
    size_t texted = s_in_reach (&run, floor);
    if (s_run_texts (&run, texted, err) != CII_OK)
        goto done;
    if (texted)
        qsort (run.cands, texted, sizeof *run.cands, s_by_score);
    //  A hit shares something: a concept, an institution, a target group, or a similar title
    //  (words alone are the language's, not the problem's).
    size_t count = 0;
    for (size_t i = 0; i < texted && count < (size_t) limit; i++)
        if (s_shares (&run.cands [i])) {
            //  Swapped, not copied: each candidate owns its strings.
            s_cand_t kept = run.cands [i];
            run.cands [i] = run.cands [count];
            run.cands [count++] = kept;
        }

    self = calloc (1, sizeof *self);
    if (self) {
        self->hits = calloc (count ? count : 1, sizeof *self->hits);
        self->strings = calloc (count * 8 + 1, sizeof *self->strings);
    }
    if (!self || !self->hits || !self->strings) {
        hub_match_hits_destroy (&self);
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const s_cand_t *c = &run.cands [i];
        char concepts [1024];
        s_shared_concepts (&run, c, concepts, sizeof concepts);
        hub_match_hit_t *hit = &self->hits [i];
        *hit = (hub_match_hit_t) {
            .kind = c->kind,
            .ref = s_keep (self, c->ref),
            .network = s_keep (self, c->network),
            .title = s_keep (self, c->title),
            .language = s_keep (self, c->language),
            .score = c->score,
            .concepts = s_keep (self, concepts),
            .institutions = s_keep (self, c->shared_institutions),
            .target_groups = s_keep (self, c->shared_target_groups),
            .part_concepts = c->part_concepts,
            .part_institutions = c->part_institutions,
            .part_target_groups = c->part_target_groups,
            .part_title = c->part_title,
            .part_words = c->part_words,
        };
        self->count++;
        if (!hit->ref || !hit->network || !hit->title || !hit->language || !hit->concepts || !hit->institutions
        ||  !hit->target_groups) {
            hub_match_hits_destroy (&self);
            cii_err_set (err, CII_NO_MEMORY, "out of memory");
            goto done;
        }
    }
done:
    s_run_free (&run);
    return self;
}

//  --------------------------------------------------------------------------------------------
//  Indexing

cii_rc_t
hub_match_index (hub_store_t *store, int64_t max_docs, int64_t *indexed, cii_err_t *err)
{
    assert (store);
    int64_t requests = 0, signals = 0;
    if (hub_store_match_catch_up (store, false, S_CATCH_UP_CHUNK, max_docs, &requests) != CII_OK)
        return hub_store_fail (store, err);
    if (max_docs <= 0 || requests < max_docs)
        if (hub_store_match_catch_up (store, true, S_CATCH_UP_CHUNK, max_docs > 0 ? max_docs - requests : 0, &signals)
            != CII_OK)
            return hub_store_fail (store, err);
    if (indexed)
        *indexed = requests + signals;
    return CII_OK;
}

cii_rc_t
hub_match_background (hub_store_t *store, cii_err_t *err)
{
    return hub_match_index (store, S_BACKGROUND_DOCS, NULL, err);
}

//  --------------------------------------------------------------------------------------------
//  C3

double
hub_match_c3_threshold (hub_store_t *store)
{
    char *value = NULL;
    double threshold = HUB_MATCH_C3_DEFAULT;
    if (hub_store_setting_get (store, "c3_min_similarity", &value) == CII_OK && value) {
        char *end = NULL;
        double v = strtod (value, &end);
        if (end != value && *end == 0 && v > 0 && v <= 1)
            threshold = v;
    }
    free (value);
    return threshold;
}

cii_rc_t
hub_match_networks (hub_store_t *store, const char *ref, int64_t request_id, double threshold,
                    hub_match_breadth_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    if (threshold > 1)
        return cii_err_set (err, CII_BAD_INPUT, "the similarity threshold must be 0..1 (got %.3f)", threshold);
    char buf [12];
    if (ref && !s_request_ref_valid (ref))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a request reference (CII-YYYY-NNNN)",
                            cii_domain_sanitize (ref, buf));
    out->threshold = threshold < 0 ? hub_match_c3_threshold (store) : threshold;
    s_run_t run;
    cii_rc_t rc = s_run (&run, store, ref, request_id, false, S_BUDGET, err);
    if (rc == CII_OK) {
        size_t texted = s_in_reach (&run, out->threshold);
        rc = s_run_texts (&run, texted, err);
        if (rc == CII_OK) {
            if (texted)
                qsort (run.cands, texted, sizeof *run.cands, s_by_score);
            //  Networks in name order, each with its best request (the first met, by score).
            const char *names [CII_MAX_NETWORKS];
            const char *refs [CII_MAX_NETWORKS];
            int n = 0;
            for (size_t i = 0; i < texted && run.cands [i].score >= out->threshold; i++) {
                bool seen = false;
                for (int j = 0; j < n && !seen; j++)
                    seen = streq (names [j], run.cands [i].network);
                if (!seen && n < CII_MAX_NETWORKS) {
                    names [n] = run.cands [i].network;
                    refs [n++] = run.cands [i].ref;
                }
            }
            for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && strcmp (names [j - 1], names [j]) > 0; j--) {
                    const char *t = names [j]; names [j] = names [j - 1]; names [j - 1] = t;
                    t = refs [j]; refs [j] = refs [j - 1]; refs [j - 1] = t;
                }
            size_t un = 0, ur = 0;
            for (int i = 0; i < n; i++) {
                int a = snprintf (out->names + un, sizeof out->names - un, "%s%s", i ? "," : "", names [i]);
                int b = snprintf (out->refs + ur, sizeof out->refs - ur, "%s%s", i ? "," : "", refs [i]);
                if (a < 0 || b < 0 || (size_t) a >= sizeof out->names - un || (size_t) b >= sizeof out->refs - ur)
                    break;
                un += (size_t) a;
                ur += (size_t) b;
            }
            out->networks = n;
        }
    }
    s_run_free (&run);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The thesaurus

static bool
s_concept_name_valid (const char *name)
{
    size_t len = strlen (name);
    if (len < 1 || len > 48 || name [0] < 'a' || name [0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((name [i] >= 'a' && name [i] <= 'z') || (name [i] >= '0' && name [i] <= '9') || name [i] == '-'))
            return false;
    return true;
}

cii_rc_t
hub_match_concept_add (hub_store_t *store, const char *concept, const char *lang, const char *term,
                       hub_concept_added_t *out, cii_err_t *err)
{
    assert (store && concept && lang && term && out);
    memset (out, 0, sizeof *out);
    char buf [12];
    if (!s_concept_name_valid (concept))
        return cii_err_set (err, CII_BAD_INPUT, "the concept name must be 1..48 characters of [a-z0-9-], starting "
                            "with a letter (got \"%s\")", cii_domain_sanitize (concept, buf));
    if (!streq (lang, "fr") && !streq (lang, "de") && !streq (lang, "it"))
        return cii_err_set (err, CII_BAD_INPUT, "the language must be fr, de or it (got \"%s\")",
                            cii_domain_sanitize (lang, buf));
    size_t len = strlen (term);
    bool blank = true;
    for (const char *p = term; *p && blank; p++)
        blank = *p == ' ';
    if (len < 1 || len > 120 || blank || !cii_domain_line_valid (term, len))
        return cii_err_set (err, CII_BAD_INPUT, "the term must be 1..120 bytes of one-line UTF-8 text (got %zu bytes)",
                            len);
    char *query = NULL;
    if (hub_store_concept_query (store, lang, term, &query) != CII_OK)
        return hub_store_fail (store, err);
    bool empty = *query == 0;
    snprintf (out->query, sizeof out->query, "%s", query);
    free (query);
    if (empty)
        return cii_err_set (err, CII_BAD_INPUT, "the term \"%s\" has no searchable word in %s (only stop words)",
                            term, lang);
    //  The counts are those of the whole index: what it has not read yet first.
    if (hub_store_match_catch_up (store, true, S_CATCH_UP_CHUNK, 0, NULL) != CII_OK)
        return hub_store_fail (store, err);
    cii_rc_t rc = hub_store_concept_add (store, concept, lang, term, &out->tagged, &out->docs);
    //  The term is one line of valid UTF-8 by now: shown whole.
    if (rc == CII_CONFLICT)
        return cii_err_set (err, CII_CONFLICT, "concept %s already has the %s term \"%s\"", concept, lang, term);
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    zsys_info ("hub: concept %s: %s term added, %" PRId64 " document%s tagged", concept, lang, out->tagged,
               out->tagged == 1 ? "" : "s");
    return CII_OK;
}

typedef struct {
    hub_concept_fn *fn;
    void *arg;
    int64_t rows;
} s_list_ctx_t;

static bool
s_concept_row (const hub_concept_row_t *row, void *arg)
{
    s_list_ctx_t *ctx = arg;
    ctx->rows++;
    return ctx->fn (row, ctx->arg);
}

cii_rc_t
hub_match_concepts (hub_store_t *store, const char *concept, hub_concept_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    char buf [12];
    if (concept && !s_concept_name_valid (concept))
        return cii_err_set (err, CII_BAD_INPUT, "the concept name must be 1..48 characters of [a-z0-9-], starting "
                            "with a letter (got \"%s\")", cii_domain_sanitize (concept, buf));
    s_list_ctx_t ctx = { .fn = fn, .arg = arg };
    if (hub_store_concepts (store, concept, s_concept_row, &ctx) != CII_OK)
        return hub_store_fail (store, err);
    if (concept && ctx.rows == 0)
        return cii_err_set (err, CII_NOT_FOUND, "no concept %s", concept);
    return CII_OK;
}
