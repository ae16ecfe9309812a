/*  hub_match.h — cross-language matching (issue 7; plan 2.3: the bureau must see when networks in
    other languages raise the same problem): the requests, and the signals no request consolidates
    yet, of OTHER networks that look like a request, in French, German and Italian, ranked by a
    score in 0..1 with why (the concepts of the CII thesaurus both texts hold, the institutions and
    target groups both name); the breadth the gate's C3 counts (how many other networks have a
    similar request); and the thesaurus itself (concept add, concept list).

    The score (docs/matching.md has the reasoning and the figures):
        score = 0.55 * concepts + 0.15 * institutions + 0.10 * target groups
              + 0.10 * title + 0.10 * words
    - concepts: cosine of the two texts' concept sets, each concept weighted by its rarity in the
      index, w = ln (1 + N / df) (N documents, df of them holding it); language-independent, it
      carries the cross-language match;
    - institutions, target groups: Jaccard overlap of the sets the networks tagged;
    - title: pg_trgm similarity of the titles without accents (cognates, names, acronyms);
    - words: cosine overlap of the two full-text vectors (lexemes; it can only help texts of the
      same language, so it weighs little: a text in another language about the same problem
      outranks a text in the same language about another one).
    In a large index only documents holding one of the query's rarest concepts are scored (as many
    concepts as hold 8,000 documents together, at least one; a text without concepts: those with a
    similar title); the text parts are read for those the other parts leave within reach. */
#ifndef HUB_MATCH_H_INCLUDED
#define HUB_MATCH_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_similar.h"

#define HUB_MATCH_LIMIT_MAX     100     /* hits of one `similar` */
#define HUB_MATCH_LIMIT_DEFAULT 10
#define HUB_MATCH_C3_DEFAULT    0.40    /* c3_min_similarity when the setting is missing or invalid */

/*  One hit; strings belong to the hits object. Comma lists: "" when empty. */
typedef struct {
    const char *kind;                   /* "request" or "signal" */
    const char *ref;
    const char *network;
    const char *title;
    const char *language;
    double score;                       /* 0..1 */
    const char *concepts;               /* shared concepts, most telling first */
    const char *institutions;           /* shared institutions */
    const char *target_groups;          /* shared target groups */
    //  The parts of the score (each 0..1, before its weight), for the benchmarks and the curious.
    double part_concepts, part_institutions, part_target_groups, part_title, part_words;
} hub_match_hit_t;

typedef struct _hub_match_hits_t hub_match_hits_t;

/*  Ranks the requests and unconsolidated signals of other networks that look like request ref
    (first reading whatever the index has not read yet: hub_store_match_catch_up). Returns the
    best limit hits (1..HUB_MATCH_LIMIT_MAX), best first (ties by reference), in a new object; NULL
    with err: CII_BAD_INPUT "REF is not a request reference (CII-YYYY-NNNN)" or "--limit must be
    1..100"; CII_NOT_FOUND "no request REF"; or the database error. Requests a network withdrew
    are left out. */
hub_match_hits_t *hub_match_similar (hub_store_t *store, const char *ref, int limit, cii_err_t *err);

/*  hub_match_similar with the candidates opened by concepts holding at most budget documents
    together (hub_match_similar: 8,000; negative: every document is a candidate, the exact ranking
    the benchmark compares with). */
hub_match_hits_t *hub_match_similar_budget (hub_store_t *store, const char *ref, int limit, double budget,
                                            cii_err_t *err);

/*  The number of hits, and hit i (0 .. count - 1; NULL past the end). */
size_t hub_match_hits_count (const hub_match_hits_t *self);
const hub_match_hit_t *hub_match_hit_at (const hub_match_hits_t *self, size_t index);

/*  Frees the hits; sets *self_p to NULL; safe on NULL. */
void hub_match_hits_destroy (hub_match_hits_t **self_p);

/*  --- indexing ------------------------------------------------------------------------------- */

/*  Reads at most max_docs documents the index has not read yet (requests first, then signals), a
    chunk per transaction; *indexed (when not NULL): how many. `similar` and hub_match_networks do
    this themselves before they read the index; the serving hub's housekeeping (hub_match_background)
    keeps them from paying for it. */
cii_rc_t hub_match_index (hub_store_t *store, int64_t max_docs, int64_t *indexed, cii_err_t *err);

/*  hub_match_index of at most 1,024 documents (about 0.3 s). The serving hub calls it from its
    housekeeping when no batch was stored during the last second (hub/net/hub_server.c s_on_tick):
    indexing costs about 0.28 ms of PostgreSQL's CPU a document, several times storing one, and run
    after every batch it raised the receipts' p99 at 500 signals/s from 2 to 5 ms on two cores. Under a
    sustained flood the index waits; `similar` reads what is left first. */
cii_rc_t hub_match_background (hub_store_t *store, cii_err_t *err);

/*  --- C3, broadly shared ----------------------------------------------------------------------

    For the gate (hub_gate.c), C3 "similar requests from >= N networks":

        hub_match_breadth_t breadth;
        if (hub_match_networks (store, NULL, request_id, -1, &breadth, &err) == CII_OK)
            ... breadth.networks other networks (breadth.names) have a request scoring at least
                breadth.threshold (the bureau's c3_min_similarity) against it ...

    Requests only (signals do not count), withdrawn ones left out; the request's own network is
    not counted (add 1 for "networks raising it"). Joins the caller's transaction (it reads the
    requests the index has not read yet, under the index lock, until that transaction ends). */
typedef struct {
    int networks;                       /* other networks with a similar request */
    char names [512];                   /* their names, comma list, sorted */
    char refs [1024];                   /* the best similar request of each, in the same order */
    double threshold;                   /* the threshold applied */
} hub_match_breadth_t;

/*  The bureau's C3 similarity threshold: the setting c3_min_similarity when it is a number in
    (0, 1], else HUB_MATCH_C3_DEFAULT. (Set through hub_gate_set_thresholds.) */
double hub_match_c3_threshold (hub_store_t *store);

/*  Counts the other networks with a request scoring at least threshold (0..1; a negative value:
    the setting c3_min_similarity, else HUB_MATCH_C3_DEFAULT) against the request given by ref
    (when not NULL) or by request_id. CII_OK; CII_NOT_FOUND "no request REF"; CII_BAD_INPUT for a
    threshold above 1; or the database error. */
cii_rc_t hub_match_networks (hub_store_t *store, const char *ref, int64_t request_id, double threshold,
                             hub_match_breadth_t *out, cii_err_t *err);

/*  --- the thesaurus ------------------------------------------------------------------------ */

/*  What hub_match_concept_add did. */
typedef struct {
    char query [512];                   /* the full-text query the term became (may be cut) */
    int64_t tagged;                     /* indexed documents that gained the concept */
    int64_t docs;                       /* indexed documents holding the concept now */
} hub_concept_added_t;

/*  Adds term in language lang to concept (a new concept is created by its first term), effective
    at once for every indexed document. Refusals, nothing changed: CII_BAD_INPUT "the concept name
    must be 1..48 characters of [a-z0-9-], starting with a letter (got \"...\")", "the language
    must be fr, de or it (got \"...\")", "the term must be 1..120 bytes of one-line UTF-8 text (got
    N bytes)", "the term \"...\" has no searchable word in fr (only stop words)"; CII_CONFLICT
    "concept C already has the fr term \"...\""; or the database error. */
cii_rc_t hub_match_concept_add (hub_store_t *store, const char *concept, const char *lang, const char *term,
                                hub_concept_added_t *out, cii_err_t *err);

/*  Calls fn for every term of concept (all when NULL), by concept, language and term.
    CII_NOT_FOUND "no concept C" when concept is given and has no term. */
cii_rc_t hub_match_concepts (hub_store_t *store, const char *concept, hub_concept_fn *fn, void *arg, cii_err_t *err);

#endif
