/*  hub_store_similar.c — the match index, its queue and the thesaurus (see hub_store_similar.h;
    the schema is schema/hub/0009_concepts.sql). */
#include "hub_store_similar.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The index lock ("CIIMATCH"): a catch-up and a thesaurus change hold it until their commit, so
//  that a document is never indexed with a thesaurus that is changing, nor counted twice.
#define S_INDEX_LOCK "SELECT pg_advisory_xact_lock (4848487069998400328)"

//  One chunk of the catch-up: the queue rows (oldest first) that hold about $2 ids, deleted; the
//  documents they name read, vectorised and tagged with the concepts whose terms they contain,
//  upserted; the document frequencies moved by the difference. Returns the queue rows taken and
//  the documents indexed.
static const char *s_catch_up_sql =
    "WITH q AS ("
    "  DELETE FROM match_queue WHERE id IN ("
    "    SELECT id FROM (SELECT id, hi - lo + 1 AS size, sum (hi - lo + 1) OVER (ORDER BY id) AS upto "
    "                    FROM match_queue WHERE kind = ANY ($1::text[]) AND kind <> 'consolidation' "
    "                    ORDER BY id LIMIT 256) c "
    "    WHERE upto - size < $2::bigint) "
    "  RETURNING kind, lo, hi), "
    "src AS ("
    "  SELECT 'signal'::text AS kind, s.id, s.ref, s.network, s.language, s.title, "
    "         s.title || E'\\n' || s.description AS body, s.institutions, s.target_groups, "
    "         EXISTS (SELECT 1 FROM request_signals rs WHERE rs.signal_id = s.id) AS consolidated "
    "  FROM q JOIN signals s ON q.kind = 'signal' AND s.id BETWEEN q.lo AND q.hi "
    "  UNION ALL "
    "  SELECT 'request', r.id, r.ref, r.network, r.language, r.title, r.title || E'\\n' || r.summary, "
    "         r.institutions, r.target_groups, false "
    "  FROM q JOIN requests r ON q.kind = 'request' AND r.id BETWEEN q.lo AND q.hi), "
    "doc AS MATERIALIZED ("
    "  SELECT d.*, cii_match_tsv (d.language, d.body) AS tsv FROM (SELECT DISTINCT ON (kind, id) * FROM src) d), "
    //  The concepts: a term is tried on the texts holding its first lexeme (a hash join of the
    //  texts' lexemes with the terms' heads), a term without a head on every text of its language.
    "lex AS MATERIALIZED ("
    "  SELECT doc.kind, doc.id, doc.language, l.lex FROM doc, unnest (tsvector_to_array (doc.tsv)) AS l (lex)), "
    "pair AS MATERIALIZED ("
    "  SELECT lex.kind, lex.id, t.concept, t.query "
    "  FROM lex JOIN concept_terms t ON t.language = lex.language AND t.head = lex.lex), "
    "hit AS ("
    "  SELECT p.kind, p.id, p.concept FROM pair p JOIN doc ON doc.kind = p.kind AND doc.id = p.id "
    "  WHERE doc.tsv @@ p.query "
    "  UNION "
    "  SELECT doc.kind, doc.id, t.concept "
    "  FROM doc JOIN concept_terms t ON t.language = doc.language AND t.head IS NULL WHERE doc.tsv @@ t.query), "
    "con AS (SELECT kind, id, array_agg (DISTINCT concept ORDER BY concept) AS concepts FROM hit GROUP BY kind, id), "
    "old AS (SELECT m.concepts FROM match_docs m JOIN doc ON m.kind = doc.kind AND m.doc_id = doc.id), "
    "up AS ("
    "  INSERT INTO match_docs AS m (kind, doc_id, ref, network, language, title, title_key, institutions, "
    "                               target_groups, tsv, concepts, consolidated) "
    "  SELECT doc.kind, doc.id, ref, network, language, title, cii_title_key (title), institutions, target_groups, "
    "         tsv, coalesce (con.concepts, '{}'), consolidated "
    "  FROM doc LEFT JOIN con ON con.kind = doc.kind AND con.id = doc.id "
    "  ON CONFLICT (kind, doc_id) DO UPDATE SET ref = EXCLUDED.ref, network = EXCLUDED.network, "
    "     language = EXCLUDED.language, title = EXCLUDED.title, title_key = EXCLUDED.title_key, "
    "     institutions = EXCLUDED.institutions, target_groups = EXCLUDED.target_groups, tsv = EXCLUDED.tsv, "
    "     concepts = EXCLUDED.concepts, consolidated = EXCLUDED.consolidated "
    "  RETURNING m.concepts), "
    "delta AS ("
    "  SELECT c, sum (n)::bigint AS n FROM ("
    "    SELECT unnest (concepts) AS c, 1 AS n FROM up "
    "    UNION ALL SELECT unnest (concepts), -1 FROM old "
    "    UNION ALL SELECT '*', (SELECT count (*) FROM up) - (SELECT count (*) FROM old)) d "
    "  GROUP BY c HAVING sum (n) <> 0), "
    //  (Two statements: an INSERT ... ON CONFLICT checks the row it proposes, whose count may be
    //  negative, before it finds the conflict.)
    "df_old AS (UPDATE concept_df f SET docs = f.docs + d.n FROM delta d WHERE f.concept = d.c), "
    "df_new AS ("
    "  INSERT INTO concept_df (concept, docs) SELECT c, n FROM delta "
    "  WHERE NOT EXISTS (SELECT 1 FROM concept_df f WHERE f.concept = delta.c)) "
    "SELECT (SELECT count (*) FROM q), (SELECT count (*) FROM up)";

static const char *
s_kinds (bool signals)
{
    return signals ? "{request,signal,consolidation}" : "{request}";
}

//  The signals whose consolidation changed (queue rows of kind 'consolidation', oldest first,
//  about $1 of them), deleted from the queue; their flag set again from request_signals (those
//  not indexed yet get it when they are). Returns the queue rows taken.
static const char *s_flags_sql =
    "WITH q AS ("
    "  DELETE FROM match_queue WHERE id IN ("
    "    SELECT id FROM match_queue WHERE kind = 'consolidation' ORDER BY id LIMIT $1::bigint) "
    "  RETURNING lo, hi), "
    "f AS ("
    "  UPDATE match_docs m SET consolidated = EXISTS (SELECT 1 FROM request_signals rs WHERE rs.signal_id = m.doc_id) "
    "  FROM (SELECT DISTINCT g FROM q, generate_series (q.lo, q.hi) g) s "
    "  WHERE m.kind = 'signal' AND m.doc_id = s.g) "
    "SELECT count (*) FROM q";

//  Opens a transaction (or joins the caller's) with JIT off until it ends: compiling the
//  matcher's statements costs more than running them (the catch-up with nothing queued: 65 ms of
//  71 in JIT). *saved: the setting to put back in a joined transaction.
static cii_rc_t
s_begin (hub_store_t *self, const char *what, bool *own, char saved [32])
{
    if (hub_store_tx_begin (self, what, own) != CII_OK)
        return hub_store_rc (self);
    hub_rows_t *rows = hub_store_query (self, what, "SELECT current_setting ('jit'), set_config ('jit', 'off', true)",
                                        0, NULL);
    bool ok = rows && hub_rows_next (rows);
    if (ok)
        hub_rows_copy (rows, 0, saved, 32);
    hub_rows_destroy (&rows);
    if (!ok) {
        cii_rc_t rc = hub_store_rc (self);
        hub_store_tx_end (self, what, *own, false);
        return rc;
    }
    return CII_OK;
}

//  Ends what s_begin began (ok: commit, else roll back); a joined transaction gets its JIT
//  setting back. CII_OK or the first error's code.
static cii_rc_t
s_end (hub_store_t *self, const char *what, bool own, const char *saved, bool ok)
{
    if (ok && !own) {
        const char *values [] = { saved };
        hub_rows_t *rows = hub_store_query (self, what, "SELECT set_config ('jit', $1, true)", 1, values);
        ok = rows != NULL;
        hub_rows_destroy (&rows);
    }
    cii_rc_t rc = ok ? CII_OK : hub_store_rc (self);
    if (hub_store_tx_end (self, what, own, ok) != CII_OK && rc == CII_OK)
        rc = hub_store_rc (self);
    return rc;
}

cii_rc_t
hub_store_match_catch_up (hub_store_t *self, bool signals, int chunk_docs, int64_t max_docs, int64_t *indexed)
{
    assert (self);
    if (indexed)
        *indexed = 0;
    const char *what = "match catch-up";
    //  Nothing queued (the usual case): done, without the lock.
    const char *kinds [] = { s_kinds (signals) };
    hub_rows_t *rows = hub_store_query (self, what, "SELECT EXISTS (SELECT 1 FROM match_queue WHERE kind = ANY ($1::text[]))",
                                        1, kinds);
    if (!rows)
        return hub_store_rc (self);
    bool queued = hub_rows_next (rows) && hub_rows_bool (rows, 0);
    hub_rows_destroy (&rows);
    int64_t done = 0;
    while (queued) {
        int64_t size = chunk_docs > 0 ? chunk_docs : 1;
        if (max_docs > 0 && max_docs - done < size)
            size = max_docs - done;
        if (size <= 0)
            return CII_OK;
        char chunk [24];
        snprintf (chunk, sizeof chunk, "%" PRId64, size);
        const char *values [] = { s_kinds (signals), chunk };
        bool own = false;
        char saved [32];
        if (s_begin (self, what, &own, saved) != CII_OK)
            return hub_store_rc (self);
        rows = hub_store_query (self, what, S_INDEX_LOCK, 0, NULL);
        bool ok = rows != NULL;
        hub_rows_destroy (&rows);
        int64_t taken = 0;
        if (ok) {
            rows = hub_store_query (self, what, s_catch_up_sql, 2, values);
            ok = rows && hub_rows_next (rows);
            if (ok) {
                taken = hub_rows_i64 (rows, 0);
                done += hub_rows_i64 (rows, 1);
                if (indexed)
                    *indexed += hub_rows_i64 (rows, 1);
            }
            hub_rows_destroy (&rows);
        }
        //  Then the consolidation flags (with the signals, after what this chunk indexed).
        if (ok && signals) {
            const char *limit [] = { chunk };
            rows = hub_store_query (self, what, s_flags_sql, 1, limit);
            ok = rows && hub_rows_next (rows);
            if (ok)
                taken += hub_rows_i64 (rows, 0);
            hub_rows_destroy (&rows);
        }
        cii_rc_t rc = s_end (self, what, own, saved, ok);
        if (rc != CII_OK)
            return rc;
        queued = taken > 0;
    }
    return CII_OK;
}

cii_rc_t
hub_store_match_pending (hub_store_t *self, bool signals, int64_t *pending)
{
    assert (self && pending);
    *pending = 0;
    const char *values [] = { s_kinds (signals) };
    hub_rows_t *rows = hub_store_query (self, "match pending",
                                        "SELECT coalesce (sum (hi - lo + 1), 0)::bigint FROM match_queue "
                                        "WHERE kind = ANY ($1::text[])", 1, values);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows))
        *pending = hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    return CII_OK;
}

//  The columns of a document, in the order s_doc_walk reads them.
#define S_DOC_COLUMNS "m.kind, m.doc_id, m.ref, m.network, m.language, m.title, array_to_string (m.concepts, ','), " \
                      "array_to_string (m.institutions, ','), array_to_string (m.target_groups, ',')"

//  Calls fn for each row of rows (S_DOC_COLUMNS); *seen: how many.
static void
s_doc_walk (hub_rows_t *rows, hub_match_doc_fn *fn, void *arg, int64_t *seen)
{
    while (hub_rows_next (rows)) {
        hub_match_doc_t doc = {
            .kind = hub_rows_text (rows, 0),
            .id = hub_rows_i64 (rows, 1),
            .ref = hub_rows_text (rows, 2),
            .network = hub_rows_text (rows, 3),
            .language = hub_rows_text (rows, 4),
            .title = hub_rows_text (rows, 5),
            .concepts = hub_rows_text (rows, 6),
            .institutions = hub_rows_text (rows, 7),
            .target_groups = hub_rows_text (rows, 8),
        };
        if (seen)
            (*seen)++;
        if (!fn (&doc, arg))
            break;
    }
}

cii_rc_t
hub_store_match_request (hub_store_t *self, const char *ref, int64_t id, hub_match_doc_fn *fn, void *arg)
{
    assert (self && fn);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, id);
    const char *values [] = { ref, number };
    hub_rows_t *rows = hub_store_query (self, "match request",
                                        "SELECT " S_DOC_COLUMNS " FROM match_docs m "
                                        "WHERE m.kind = 'request' AND m.doc_id = CASE WHEN $1::text IS NULL "
                                        "  THEN $2::bigint ELSE (SELECT r.id FROM requests r WHERE r.ref = $1::text) END",
                                        2, values);
    if (!rows)
        return hub_store_rc (self);
    int64_t seen = 0;
    s_doc_walk (rows, fn, arg, &seen);
    hub_rows_destroy (&rows);
    return seen ? CII_OK : CII_NOT_FOUND;
}

cii_rc_t
hub_store_match_df (hub_store_t *self, hub_match_df_fn *fn, void *arg, int64_t *total)
{
    assert (self && fn && total);
    *total = 0;
    hub_rows_t *rows = hub_store_query (self, "match weights", "SELECT concept, docs FROM concept_df WHERE docs > 0",
                                        0, NULL);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        const char *concept = hub_rows_text (rows, 0);
        if (strcmp (concept, "*") == 0)
            *total = hub_rows_i64 (rows, 1);
        else
            fn (concept, hub_rows_i64 (rows, 1), arg);
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_match_candidates (hub_store_t *self, const hub_match_doc_t *query, const hub_match_filter_t *filter,
                            hub_match_doc_fn *fn, void *arg)
{
    assert (self && query && filter && fn);
    char *concepts = hub_store_text_array (filter->concepts, filter->n_concepts);
    char *states = hub_store_text_array (filter->skip_states, filter->n_skip_states);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, query->id);
    if (!concepts || !states) {
        free (concepts);
        free (states);
        hub_store_set_error (self, "match candidates", "out of memory");
        return CII_NO_MEMORY;
    }
    const char *values [] = {
        query->network, filter->signals ? "true" : "false", concepts, filter->title_trigrams ? "true" : "false",
        query->kind, number, states, filter->everything ? "true" : "false",
    };
    //  The two ways in are two GIN indexes (concepts, title trigrams): a BitmapOr.
    bool own = false;
    char saved [32];
    if (s_begin (self, "match candidates", &own, saved) != CII_OK) {
        free (concepts);
        free (states);
        return hub_store_rc (self);
    }
    hub_rows_t *rows = hub_store_query (
        self, "match candidates",
        "SELECT m.kind, m.doc_id, '', m.network, '', '', array_to_string (m.concepts, ','), "
        "       array_to_string (m.institutions, ','), array_to_string (m.target_groups, ',') "
        "FROM match_docs m "
        "WHERE m.network <> $1 AND (m.kind = 'request' OR $2::boolean) "
        "  AND ($8::boolean OR m.concepts && $3::text[] "
        "       OR ($4::boolean AND m.title_key % (SELECT q.title_key FROM match_docs q "
        "                                           WHERE q.kind = $5 AND q.doc_id = $6::bigint))) "
        "  AND NOT m.consolidated "
        "  AND (m.kind <> 'request' OR NOT EXISTS (SELECT 1 FROM requests r "
        "                                          WHERE r.id = m.doc_id AND r.state = ANY ($7::text[])))",
        8, values);
    free (concepts);
    free (states);
    if (rows)
        s_doc_walk (rows, fn, arg, NULL);
    cii_rc_t rc = s_end (self, "match candidates", own, saved, rows != NULL);
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_match_text (hub_store_t *self, const hub_match_doc_t *query, const char *const *kinds, const int64_t *ids,
                      size_t count, hub_match_text_fn *fn, void *arg)
{
    assert (self && query && fn);
    if (count == 0)
        return CII_OK;
    char *kind_array = hub_store_text_array (kinds, count);
    char *id_array = hub_store_id_array (ids, count);
    char number [24];
    snprintf (number, sizeof number, "%" PRId64, query->id);
    if (!kind_array || !id_array) {
        free (kind_array);
        free (id_array);
        hub_store_set_error (self, "match text", "out of memory");
        return CII_NO_MEMORY;
    }
    const char *values [] = { query->kind, number, kind_array, id_array };
    //  The lexemes both vectors hold: |a| + |b| - |a || b| (|| merges the lexemes).
    bool own = false;
    char saved [32];
    if (s_begin (self, "match text", &own, saved) != CII_OK) {
        free (kind_array);
        free (id_array);
        return hub_store_rc (self);
    }
    hub_rows_t *rows = hub_store_query (
        self, "match text",
        "SELECT m.kind, m.doc_id, m.ref, m.language, m.title, similarity (m.title_key, q.title_key), "
        "       length (m.tsv) + length (q.tsv) - length (m.tsv || q.tsv), length (m.tsv), length (q.tsv) "
        "FROM unnest ($3::text[], $4::bigint[]) AS c (kind, id) "
        "JOIN match_docs m ON m.kind = c.kind AND m.doc_id = c.id "
        "CROSS JOIN (SELECT title_key, tsv FROM match_docs WHERE kind = $1 AND doc_id = $2::bigint) q",
        4, values);
    free (kind_array);
    free (id_array);
    while (rows && hub_rows_next (rows)) {
        hub_match_text_t text = {
            .kind = hub_rows_text (rows, 0),
            .id = hub_rows_i64 (rows, 1),
            .ref = hub_rows_text (rows, 2),
            .language = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .title_similarity = strtod (hub_rows_text (rows, 5), NULL),
            .shared_lexemes = hub_rows_i64 (rows, 6),
            .lexemes = hub_rows_i64 (rows, 7),
            .query_lexemes = hub_rows_i64 (rows, 8),
        };
        fn (&text, arg);
    }
    cii_rc_t rc = s_end (self, "match text", own, saved, rows != NULL);
    hub_rows_destroy (&rows);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The thesaurus

cii_rc_t
hub_store_concept_query (hub_store_t *self, const char *lang, const char *term, char **query_p)
{
    assert (self && lang && term && query_p);
    *query_p = NULL;
    const char *values [] = { lang, term };
    hub_rows_t *rows = hub_store_query (self, "concept query", "SELECT cii_term_query ($1, $2)::text", 2, values);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows))
        *query_p = strdup (hub_rows_text (rows, 0));
    hub_rows_destroy (&rows);
    if (!*query_p) {
        hub_store_set_error (self, "concept query", "out of memory");
        return CII_NO_MEMORY;
    }
    return CII_OK;
}

cii_rc_t
hub_store_concept_add (hub_store_t *self, const char *concept, const char *lang, const char *term, int64_t *tagged,
                       int64_t *docs)
{
    assert (self && concept && lang && term && tagged && docs);
    *tagged = *docs = 0;
    const char *what = "concept add";
    const char *values [] = { concept, lang, term };
    bool own = false;
    char saved [32];
    if (s_begin (self, what, &own, saved) != CII_OK)
        return hub_store_rc (self);
    cii_rc_t rc = CII_OK;
    hub_rows_t *rows = hub_store_query (self, what, S_INDEX_LOCK, 0, NULL);
    if (!rows)
        goto failed;
    hub_rows_destroy (&rows);
    rows = hub_store_query (self, what,
                            "INSERT INTO concept_terms (concept, language, term) VALUES ($1, $2, $3) "
                            "ON CONFLICT DO NOTHING RETURNING 1", 3, values);
    if (!rows)
        goto failed;
    bool added = hub_rows_next (rows);
    hub_rows_destroy (&rows);
    if (!added) {
        hub_store_set_error (self, what, "the concept has this term already");
        s_end (self, what, own, saved, false);
        return CII_CONFLICT;
    }
    //  The term's query is a constant of the statement (an immutable function of constants), so
    //  the GIN index on the vectors finds the documents.
    rows = hub_store_query (self, what,
                            "WITH up AS ("
                            "  UPDATE match_docs m SET concepts = (SELECT array_agg (c ORDER BY c) "
                            "                                      FROM unnest (m.concepts || $1::text) c) "
                            "  WHERE m.language = $2 AND m.tsv @@ cii_term_query ($2, $3) "
                            "    AND NOT m.concepts @> ARRAY [$1::text] RETURNING 1), "
                            "n AS (SELECT count (*) AS n FROM up), "
                            "df AS (INSERT INTO concept_df AS f (concept, docs) SELECT $1, n FROM n WHERE n > 0 "
                            "       ON CONFLICT (concept) DO UPDATE SET docs = f.docs + EXCLUDED.docs) "
                            "SELECT n, n + coalesce ((SELECT docs FROM concept_df WHERE concept = $1), 0) FROM n",
                            3, values);
    if (!rows || !hub_rows_next (rows))
        goto failed;
    *tagged = hub_rows_i64 (rows, 0);
    *docs = hub_rows_i64 (rows, 1);
    hub_rows_destroy (&rows);
    return s_end (self, what, own, saved, true);

failed:
    hub_rows_destroy (&rows);
    rc = hub_store_rc (self);
    s_end (self, what, own, saved, false);
    return rc;
}

cii_rc_t
hub_store_concepts (hub_store_t *self, const char *concept, hub_concept_fn *fn, void *arg)
{
    assert (self && fn);
    const char *values [] = { concept };
    hub_rows_t *rows = hub_store_query (self, "concepts",
                                        "SELECT t.concept, t.language, t.term, t.query::text, coalesce (f.docs, 0), "
                                        HUB_SQL_MS ("t.added_at") " "
                                        "FROM concept_terms t LEFT JOIN concept_df f ON f.concept = t.concept "
                                        "WHERE $1::text IS NULL OR t.concept = $1::text "
                                        "ORDER BY t.concept COLLATE \"C\", "
                                        "         array_position (ARRAY ['fr', 'de', 'it'], t.language), t.term COLLATE \"C\"",
                                        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_concept_row_t row = {
            .concept = hub_rows_text (rows, 0),
            .language = hub_rows_text (rows, 1),
            .term = hub_rows_text (rows, 2),
            .query = hub_rows_text (rows, 3),
            .docs = hub_rows_i64 (rows, 4),
            .added_at_ms = hub_rows_i64 (rows, 5),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
