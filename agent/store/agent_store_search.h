/*  agent_store_search.h — full-text search over the agent's signals and requests (FTS5 tables
    `signals_fts`, `requests_fts`, kept by triggers; schema/agent/0003): the terms of any text as
    the indexes see them (SQLite's unicode61 tokenizer with diacritics removed, through the FTS5
    API, so "Accès" and "ACCES" are the term "acces"), how many signals hold a term, and the rows
    that match a query of terms. Which terms count and how hits rank is the service's
    (agent/service/agent_similar.c). */
#ifndef AGENT_STORE_SEARCH_H_INCLUDED
#define AGENT_STORE_SEARCH_H_INCLUDED

#include "agent_store.h"

#define AGENT_SEARCH_TERM_MAX 64          /* bytes of a term we keep (longer ones are cut) */

/*  Calls fn with every term of size bytes of text in order (repeats included), as the indexes
    tokenize it; fn returns false to stop. CII_FAILED when the tokenizer cannot be had. */
typedef bool (agent_term_fn) (const char *term, size_t size, void *arg);
cii_rc_t agent_store_search_terms (agent_store_t *self, const char *text, size_t size, agent_term_fn *fn, void *arg,
                                   cii_err_t *err);

/*  How many signals hold term (*df_p), and how many signals there are (*total_p). */
cii_rc_t agent_store_search_df (agent_store_t *self, const char *term, int64_t *df_p, int64_t *total_p,
                                cii_err_t *err);

/*  Calls fn with the id of every signal (table "signals") or request ("requests") whose text
    matches the FTS5 query (any of its terms: the caller writes it), best first by FTS5's rank,
    at most limit. fn returns false to stop. CII_BAD_INPUT when the query is not FTS5 syntax. */
typedef bool (agent_hit_fn) (int64_t id, void *arg);
cii_rc_t agent_store_search_match (agent_store_t *self, const char *table, const char *query, size_t limit,
                                   agent_hit_fn *fn, void *arg, cii_err_t *err);

#endif
