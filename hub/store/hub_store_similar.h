/*  hub_store_similar.h — the store of cross-language matching (schema 0009): the match index (one
    row per request and signal: its full-text vector in its own language, its concepts, its title
    key for trigrams), filled from the queue the inserts leave (never on the ingest path); the
    concepts' document frequencies; the reads the matcher scores (hub_match) and the CII concept
    thesaurus. The scoring rules live in hub_match.c; this file only reads and writes. */
#ifndef HUB_STORE_SIMILAR_H_INCLUDED
#define HUB_STORE_SIMILAR_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "hub_store.h"

/*  One document of the match index; strings are borrowed, valid during the callback only.
    Comma lists are "" when empty; concepts are sorted by name. */
typedef struct {
    const char *kind;               /* "request" or "signal" */
    int64_t id;                     /* requests.id or signals.id */
    const char *ref;                /* "CII-2027-0042", "SIG-42" */
    const char *network;
    const char *language;           /* "fr", "de", "it", "rm" */
    const char *title;
    const char *concepts;           /* "apprenticeship,late-arriving-youth" */
    const char *institutions;       /* "social-aid,vocational-training" */
    const char *target_groups;
} hub_match_doc_t;

/*  Called for each document; returning false stops the walk. */
typedef bool (hub_match_doc_fn) (const hub_match_doc_t *doc, void *arg);

/*  Reads what the inserts queued (requests; and signals when signals is true) into the index, a
    chunk of about chunk_docs documents per transaction (when the caller has none open; else in
    the caller's), each under the index lock (so that a catch-up and a thesaurus change never
    interleave), and keeps the document frequencies exact; stops once max_docs documents were read
    (0: when nothing is queued). *indexed (when not NULL): documents (re)indexed. CII_OK or the
    database error. */
cii_rc_t hub_store_match_catch_up (hub_store_t *self, bool signals, int chunk_docs, int64_t max_docs,
                                   int64_t *indexed);

/*  Documents still queued (requests; and signals, with the consolidation changes of signals, when
    signals is true). */
cii_rc_t hub_store_match_pending (hub_store_t *self, bool signals, int64_t *pending);

/*  Calls fn once with the indexed document of a request, found by its reference ref (when not
    NULL) or by its id: CII_OK; CII_NOT_FOUND when there is no such request in the index. */
cii_rc_t hub_store_match_request (hub_store_t *self, const char *ref, int64_t id, hub_match_doc_fn *fn, void *arg);

/*  The concepts' document frequencies: fn (concept, documents holding it, arg) for every concept
    held by a document; *total: the documents of the index. */
typedef void (hub_match_df_fn) (const char *concept, int64_t docs, void *arg);
cii_rc_t hub_store_match_df (hub_store_t *self, hub_match_df_fn *fn, void *arg, int64_t *total);

/*  Which documents may look like query. */
typedef struct {
    bool everything;                /* every document passes (a small index), else: */
    const char *const *concepts;    /* a candidate holds one of these concepts ... */
    size_t n_concepts;
    bool title_trigrams;            /* ... or has a title similar to the query's (pg_trgm %) */
    bool signals;                   /* signals too (only those no request consolidates) */
    const char *const *skip_states; /* requests in these states are left out */
    size_t n_skip_states;
} hub_match_filter_t;

/*  Calls fn for every document of another network than query's that passes filter: only kind, id,
    network, concepts, institutions and target groups are read (ref, language and title are "";
    hub_store_match_text reads them for the few it is asked about). Signals a request consolidates
    and requests in filter->skip_states are left out. */
cii_rc_t hub_store_match_candidates (hub_store_t *self, const hub_match_doc_t *query, const hub_match_filter_t *filter,
                                     hub_match_doc_fn *fn, void *arg);

/*  What the texts of a candidate share with the query's, and what is shown of it. */
typedef struct {
    const char *kind;
    int64_t id;
    const char *ref;
    const char *language;
    const char *title;
    double title_similarity;        /* pg_trgm similarity of the title keys, 0..1 */
    int64_t shared_lexemes;         /* lexemes in both full-text vectors */
    int64_t lexemes;                /* lexemes of the candidate's vector */
    int64_t query_lexemes;          /* lexemes of the query's vector */
} hub_match_text_t;

typedef void (hub_match_text_fn) (const hub_match_text_t *text, void *arg);

/*  Calls fn for each of the count documents (kinds[i], ids[i]) of the index: its text compared
    with query's. */
cii_rc_t hub_store_match_text (hub_store_t *self, const hub_match_doc_t *query, const char *const *kinds,
                               const int64_t *ids, size_t count, hub_match_text_fn *fn, void *arg);

/*  --- the thesaurus ------------------------------------------------------------------------ */

/*  The full-text query a term of language lang becomes (cii_term_query), as text into *query_p (a
    new string; "" when it holds only stop words). */
cii_rc_t hub_store_concept_query (hub_store_t *self, const char *lang, const char *term, char **query_p);

/*  Adds term (language lang) to concept, and the concept to every indexed document of that
    language the term finds, under the index lock, in one transaction (or the caller's).
    *tagged: documents that now hold the concept and did not before; *docs: documents holding it.
    CII_CONFLICT when the concept has this term already (nothing changed). */
cii_rc_t hub_store_concept_add (hub_store_t *self, const char *concept, const char *lang, const char *term,
                                int64_t *tagged, int64_t *docs);

/*  One term of the thesaurus; strings borrowed during the callback. */
typedef struct {
    const char *concept;
    const char *language;
    const char *term;
    const char *query;              /* as cii_term_query made it */
    int64_t docs;                   /* indexed documents holding the concept */
    int64_t added_at_ms;
} hub_concept_row_t;

typedef bool (hub_concept_fn) (const hub_concept_row_t *row, void *arg);

/*  Calls fn for every term (of concept, or all when NULL), by concept, language (fr, de, it) and
    term. */
cii_rc_t hub_store_concepts (hub_store_t *self, const char *concept, hub_concept_fn *fn, void *arg);

#endif
