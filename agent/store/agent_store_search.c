/*  agent_store_search.c — full-text search over signals and requests (see agent_store_search.h):
    the unicode61 tokenizer found through the FTS5 API (the documented "SELECT fts5(?1)" pointer),
    the vocabulary table of the signals' index, and MATCH queries. */
#include "agent_store_search.h"

#include <assert.h>
#include <string.h>

//  The FTS5 API of the connection, or NULL.
static fts5_api *
s_fts5 (sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK) {
        sqlite3_finalize (stmt);
        return NULL;
    }
    sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
    sqlite3_step (stmt);
    sqlite3_finalize (stmt);
    return api;
}

typedef struct {
    agent_term_fn *fn;
    void *arg;
    bool stopped;
} s_terms_t;

//  fts5 xToken: one term (colocated synonyms are not produced by unicode61).
static int
s_token (void *ctx, int flags, const char *token, int size, int start, int end)
{
    (void) flags;
    (void) start;
    (void) end;
    s_terms_t *terms = ctx;
    if (size <= 0)
        return SQLITE_OK;
    if (!terms->fn (token, (size_t) size > AGENT_SEARCH_TERM_MAX ? AGENT_SEARCH_TERM_MAX : (size_t) size, terms->arg)) {
        terms->stopped = true;
        return SQLITE_DONE;           //  stops the tokenizer; not an error for us
    }
    return SQLITE_OK;
}

cii_rc_t
agent_store_search_terms (agent_store_t *self, const char *text, size_t size, agent_term_fn *fn, void *arg,
                          cii_err_t *err)
{
    assert (self && fn);
    if (!text || size == 0)
        return CII_OK;
    if (size > (size_t) INT32_MAX)
        return cii_err_set (err, CII_BAD_INPUT, "text too large to search");
    fts5_api *api = s_fts5 (agent_store_handle (self));
    void *user = NULL;
    fts5_tokenizer tokenizer;
    if (!api || api->iVersion < 2 || api->xFindTokenizer (api, "unicode61", &user, &tokenizer) != SQLITE_OK)
        return cii_err_set (err, CII_FAILED, "the SQLite library has no FTS5 unicode61 tokenizer");
    //  The same tokenizer as the indexes of schema/agent/0003_requests.sql
    const char *args [] = { "remove_diacritics", "2" };
    Fts5Tokenizer *instance = NULL;
    if (tokenizer.xCreate (user, args, 2, &instance) != SQLITE_OK)
        return cii_err_set (err, CII_FAILED, "cannot create the unicode61 tokenizer");
    s_terms_t terms = { fn, arg, false };
    int rc = tokenizer.xTokenize (instance, &terms, FTS5_TOKENIZE_DOCUMENT, text, (int) size, s_token);
    tokenizer.xDelete (instance);
    if (rc != SQLITE_OK && !(rc == SQLITE_DONE && terms.stopped))
        return cii_err_set (err, rc == SQLITE_NOMEM ? CII_NO_MEMORY : CII_FAILED, "cannot tokenize: %s",
                            sqlite3_errstr (rc));
    return CII_OK;
}

cii_rc_t
agent_store_search_df (agent_store_t *self, const char *term, int64_t *df_p, int64_t *total_p, cii_err_t *err)
{
    assert (self && term && df_p && total_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT doc FROM signals_terms WHERE term = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, term, -1, SQLITE_STATIC);
    int64_t df = 0;
    cii_rc_t rc = agent_store_int (self, stmt, "term frequency", &df, err);
    if (rc == CII_NOT_FOUND) {
        df = 0;
        rc = CII_OK;
    }
    if (rc != CII_OK)
        return rc;
    stmt = agent_store_prepare (self, "SELECT count(*) FROM signals", err);
    if (!stmt)
        return CII_FAILED;
    rc = agent_store_int (self, stmt, "signal count", total_p, err);
    if (rc == CII_OK)
        *df_p = df;
    return rc;
}

typedef struct {
    agent_hit_fn *fn;
    void *arg;
} s_hits_t;

static bool
s_hit_row (sqlite3_stmt *row, void *arg)
{
    s_hits_t *hits = arg;
    return hits->fn (sqlite3_column_int64 (row, 0), hits->arg);
}

cii_rc_t
agent_store_search_match (agent_store_t *self, const char *table, const char *query, size_t limit, agent_hit_fn *fn,
                          void *arg, cii_err_t *err)
{
    assert (self && table && query && fn);
    const char *sql = NULL;
    if (strcmp (table, "signals") == 0)
        sql = "SELECT rowid FROM signals_fts WHERE signals_fts MATCH ?1 ORDER BY rank LIMIT ?2";
    else
    if (strcmp (table, "requests") == 0)
        sql = "SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?1 ORDER BY rank LIMIT ?2";
    else
        return cii_err_set (err, CII_BAD_INPUT, "no full-text index for %s", table);
    sqlite3_stmt *stmt = agent_store_prepare (self, sql, err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, (int64_t) limit);
    s_hits_t hits = { fn, arg };
    cii_err_t local;
    cii_rc_t rc = agent_store_rows (self, stmt, "full-text search", s_hit_row, &hits, NULL, &local);
    if (rc == CII_FAILED && sqlite3_errcode (agent_store_handle (self)) == SQLITE_ERROR)
        return cii_err_set (err, CII_BAD_INPUT, "%s", local.text);
    if (rc != CII_OK && err)
        *err = local;
    return rc;
}
