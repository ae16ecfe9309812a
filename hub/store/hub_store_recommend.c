/*  hub_store_recommend.c — the SQL of the CP's recommendations and the national partners (see
    hub_store_recommend.h). */
#include "hub_store_recommend.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------------------------
//  Partners

cii_rc_t
hub_store_partners (hub_store_t *self, hub_partner_fn *fn, void *arg)
{
    assert (self && fn);
    hub_rows_t *rows = hub_store_query (self, "partners", "SELECT code, name FROM partners ORDER BY code", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_partner_row_t row = { hub_rows_text (rows, 0), hub_rows_text (rows, 1) };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_partner_exists (hub_store_t *self, const char *code)
{
    assert (self && code);
    const char *values [] = { code };
    hub_rows_t *rows = hub_store_query (self, "partner", "SELECT 1 FROM partners WHERE code = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = hub_rows_next (rows) ? CII_OK : CII_NOT_FOUND;
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_partner_add (hub_store_t *self, const char *code, const char *name)
{
    assert (self && code && name);
    const char *values [] = { code, name };
    return hub_store_command (self, "partner add", "INSERT INTO partners (code, name) VALUES ($1, $2)", 2, values);
}

//  --------------------------------------------------------------------------------------------
//  The basis

cii_rc_t
hub_store_rec_basis_exists (hub_store_t *self, const char *ref)
{
    assert (self && ref);
    static const struct {
        const char *prefix;
        const char *sql;
    } tables [] = {
        { "CII-", "SELECT 1 FROM requests WHERE ref = $1" },
        { "NT-", "SELECT 1 FROM themes WHERE ref = $1" },
        { "REC-", "SELECT 1 FROM recommendations WHERE ref = $1" },
        { "PR-", "SELECT 1 FROM projects WHERE ref = $1" },
        { "WG-", "SELECT 1 FROM working_groups WHERE ref = $1" },
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables [0]; i++) {
        if (strncmp (ref, tables [i].prefix, strlen (tables [i].prefix)) != 0)
            continue;
        const char *values [] = { ref };
        hub_rows_t *rows = hub_store_query (self, "basis reference", tables [i].sql, 1, values);
        if (!rows)
            return hub_store_rc (self);
        cii_rc_t rc = hub_rows_next (rows) ? CII_OK : CII_NOT_FOUND;
        hub_rows_destroy (&rows);
        return rc;
    }
    return CII_NOT_FOUND;
}

//  --------------------------------------------------------------------------------------------
//  Recommendations

cii_rc_t
hub_store_rec_lock (hub_store_t *self, const char *ref, hub_rec_lock_t *out)
{
    assert (self && ref && out);
    memset (out, 0, sizeof *out);
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "lock recommendation",
        "SELECT r.id, r.ref, r.version, to_char (v.adopted_on, 'YYYY-MM-DD') "
        "FROM recommendations r JOIN recommendation_versions v ON v.rec_id = r.id AND v.version = r.version "
        "WHERE r.ref = $1 FOR UPDATE OF r", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        out->id = hub_rows_i64 (rows, 0);
        hub_rows_copy (rows, 1, out->ref, sizeof out->ref);
        out->version = (uint32_t) hub_rows_i64 (rows, 2);
        hub_rows_copy (rows, 3, out->adopted_on, sizeof out->adopted_on);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_rec_add (hub_store_t *self, int year, const char *meeting, char ref [HUB_MAX_REF], int64_t *id_p)
{
    assert (self && ref && id_p);
    cii_rc_t rc = hub_store_ref_next_year (self, "REC", year, 2, ref);
    if (rc != CII_OK)
        return rc;
    const char *values [] = { ref, meeting };
    return hub_store_query_id (self, "recommendation",
        "INSERT INTO recommendations (ref, meeting) VALUES ($1, $2) RETURNING id", 2, values, id_p);
}

cii_rc_t
hub_store_rec_version_add (hub_store_t *self, int64_t rec_id, const cii_recommendation_t *rec, const char *meeting,
                           int64_t *issued_at_ms)
{
    assert (self && rec);
    char id [24], version [16];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    snprintf (version, sizeof version, "%" PRIu32, rec->version);
    char *basis = hub_store_text_array (rec->basis, rec->n_basis);
    char *cantons = hub_store_text_array (rec->cantons, rec->n_cantons);
    char *partners = hub_store_text_array (rec->partners, rec->n_partners);
    const char *languages [CII_MAX_TRANSLATIONS], *titles [CII_MAX_TRANSLATIONS], *texts [CII_MAX_TRANSLATIONS];
    size_t n = rec->n_translations <= CII_MAX_TRANSLATIONS ? rec->n_translations : CII_MAX_TRANSLATIONS;
    for (size_t i = 0; i < n; i++) {
        languages [i] = rec->translations [i].language;
        titles [i] = rec->translations [i].title;
        texts [i] = rec->translations [i].text;
    }
    char *a_languages = hub_store_text_array (languages, n);
    char *a_titles = hub_store_text_array (titles, n);
    char *a_texts = hub_store_text_array (texts, n);
    cii_rc_t rc = CII_NO_MEMORY;
    if (basis && cantons && partners && a_languages && a_titles && a_texts) {
        const char *values [] = { id, version, rec->adopted_on, rec->report_by, basis, rec->all_cantons ? "true" : "false",
                                  cantons, partners, rec->note ? rec->note : "", meeting, a_languages, a_titles,
                                  a_texts };
        //  The version, its texts, and the recommendation's current version: one statement.
        hub_rows_t *rows = hub_store_query (self, "recommendation version",
            "WITH v AS (INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, basis, "
            "                                               all_cantons, cantons, partners, note, meeting) "
            "           VALUES ($1::bigint, $2::int, $3::date, $4::date, $5::text[], $6::bool, $7::text[], "
            "                   $8::text[], $9, $10) RETURNING rec_id, version, issued_at), "
            "t AS (INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
            "      SELECT v.rec_id, v.version, l.language, l.title, l.text FROM v, "
            "             unnest ($11::text[], $12::text[], $13::text[]) AS l (language, title, text)), "
            "r AS (UPDATE recommendations SET version = $2::int WHERE id = $1::bigint) "
            "SELECT " HUB_SQL_MS ("issued_at") " FROM v",
            13, values);
        rc = rows ? CII_OK : hub_store_rc (self);
        if (rows && hub_rows_next (rows) && issued_at_ms)
            *issued_at_ms = hub_rows_i64 (rows, 0);
        hub_rows_destroy (&rows);
    }
    free (basis);
    free (cantons);
    free (partners);
    free (a_languages);
    free (a_titles);
    free (a_texts);
    return rc;
}

cii_rc_t
hub_store_rec_link (hub_store_t *self, int64_t rec_id, int64_t request_id)
{
    assert (self);
    char a [24], b [24];
    snprintf (a, sizeof a, "%" PRId64, rec_id);
    snprintf (b, sizeof b, "%" PRId64, request_id);
    const char *values [] = { a, b };
    return hub_store_command (self, "recommendation basis",
                              "INSERT INTO recommendation_requests (rec_id, request_id) VALUES ($1::bigint, $2::bigint) "
                              "ON CONFLICT DO NOTHING", 2, values);
}

//  The reference order: year, then number.
#define S_REC_ORDER "substr (r.ref, 5, 4)::int, substr (r.ref, 10)::int"

cii_rc_t
hub_store_recs (hub_store_t *self, const char *ref, hub_rec_row_fn *fn, void *arg)
{
    assert (self && fn);
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "recommendations",
        "SELECT r.id, r.ref, r.version, coalesce (t.title, ''), to_char (f.adopted_on, 'YYYY-MM-DD'), "
        "       CASE WHEN r.version > 1 THEN to_char (v.adopted_on, 'YYYY-MM-DD') ELSE '' END, "
        "       to_char (v.report_by, 'YYYY-MM-DD'), coalesce (r.meeting, ''), v.all_cantons, "
        "       array_to_string (v.cantons, ','), array_to_string (v.partners, ','), "
        "       coalesce ((SELECT string_agg (q.ref, ',' ORDER BY q.id) FROM recommendation_requests l "
        "                  JOIN requests q ON q.id = l.request_id WHERE l.rec_id = r.id), ''), "
        "       " HUB_SQL_MS ("r.created_at") " "
        "FROM recommendations r "
        "JOIN recommendation_versions v ON v.rec_id = r.id AND v.version = r.version "
        "JOIN recommendation_versions f ON f.rec_id = r.id AND f.version = 1 "
        "LEFT JOIN recommendation_texts t ON t.rec_id = r.id AND t.version = r.version AND t.language = 'fr' "
        "WHERE $1::text IS NULL OR r.ref = $1 "
        "ORDER BY " S_REC_ORDER,
        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_rec_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .version = (uint32_t) hub_rows_i64 (rows, 2),
            .title = hub_rows_text (rows, 3),
            .adopted_on = hub_rows_text (rows, 4),
            .amended_on = hub_rows_text (rows, 5),
            .report_by = hub_rows_text (rows, 6),
            .meeting = hub_rows_text (rows, 7),
            .all_cantons = hub_rows_bool (rows, 8),
            .cantons = hub_rows_text (rows, 9),
            .partners = hub_rows_text (rows, 10),
            .requests = hub_rows_text (rows, 11),
            .created_at_ms = hub_rows_i64 (rows, 12),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_rec_versions (hub_store_t *self, int64_t rec_id, hub_rec_version_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id };
    //  Titles and texts by language: fr, de, it, rm (NULL when the version has none).
    hub_rows_t *rows = hub_store_query (self, "recommendation versions",
        "SELECT v.version, to_char (v.adopted_on, 'YYYY-MM-DD'), to_char (v.report_by, 'YYYY-MM-DD'), "
        "       coalesce (v.meeting, ''), array_to_string (v.basis, E'\\n'), v.all_cantons, "
        "       array_to_string (v.cantons, ','), array_to_string (v.partners, ','), v.note, "
        "       " HUB_SQL_MS ("v.issued_at") ", "
        "       fr.title, fr.text, de.title, de.text, it.title, it.text, rm.title, rm.text "
        "FROM recommendation_versions v "
        "LEFT JOIN recommendation_texts fr ON (fr.rec_id, fr.version, fr.language) = (v.rec_id, v.version, 'fr') "
        "LEFT JOIN recommendation_texts de ON (de.rec_id, de.version, de.language) = (v.rec_id, v.version, 'de') "
        "LEFT JOIN recommendation_texts it ON (it.rec_id, it.version, it.language) = (v.rec_id, v.version, 'it') "
        "LEFT JOIN recommendation_texts rm ON (rm.rec_id, rm.version, rm.language) = (v.rec_id, v.version, 'rm') "
        "WHERE v.rec_id = $1::bigint ORDER BY v.version",
        1, values);
    if (!rows)
        return hub_store_rc (self);
    static const char *const languages [] = { "fr", "de", "it", "rm" };
    while (hub_rows_next (rows)) {
        hub_rec_version_row_t row = {
            .version = (uint32_t) hub_rows_i64 (rows, 0),
            .adopted_on = hub_rows_text (rows, 1),
            .report_by = hub_rows_text (rows, 2),
            .meeting = hub_rows_text (rows, 3),
            .basis = hub_rows_text (rows, 4),
            .all_cantons = hub_rows_bool (rows, 5),
            .cantons = hub_rows_text (rows, 6),
            .partners = hub_rows_text (rows, 7),
            .note = hub_rows_text (rows, 8),
            .issued_at_ms = hub_rows_i64 (rows, 9),
        };
        for (int i = 0; i < 4; i++) {
            if (hub_rows_null (rows, 10 + 2 * i))
                continue;
            cii_translation_t *t = &row.translations [row.n_translations++];
            snprintf (t->language, sizeof t->language, "%s", languages [i]);
            t->title = hub_rows_text (rows, 10 + 2 * i);
            t->text = hub_rows_text (rows, 11 + 2 * i);
        }
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_rec_deliveries (hub_store_t *self, int64_t rec_id, const char *ref, hub_rec_delivery_fn *fn, void *arg)
{
    assert (self && ref && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, rec_id);
    const char *values [] = { id, ref };
    //  Per version: the networks of its addressed cantons (registry now), and those that got its item.
    hub_rows_t *rows = hub_store_query (self, "recommendation deliveries",
        "WITH v AS (SELECT version, cantons, 'recommendation:' || $2 || '.v' || version AS subject "
        "           FROM recommendation_versions WHERE rec_id = $1::bigint), "
        "held AS (SELECT v.version, c.network, string_agg (c.code, ',' ORDER BY c.code) AS cantons "
        "         FROM v JOIN cantons c ON c.code = ANY (v.cantons) GROUP BY v.version, c.network), "
        "got AS (SELECT v.version, g.network, count (*) AS queued, count (d.acked_at) AS acked "
        "        FROM v JOIN downward d ON d.subject = v.subject JOIN agents g ON g.id = d.agent_id "
        "        GROUP BY v.version, g.network) "
        "SELECT coalesce (h.version, x.version), coalesce (h.network, x.network), coalesce (h.cantons, ''), "
        "       coalesce (x.queued, 0), coalesce (x.acked, 0) "
        "FROM held h FULL JOIN got x ON x.version = h.version AND x.network = h.network "
        "ORDER BY 1, 2",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_rec_delivery_row_t row = {
            .version = (uint32_t) hub_rows_i64 (rows, 0),
            .network = hub_rows_text (rows, 1),
            .cantons = hub_rows_text (rows, 2),
            .queued = hub_rows_i64 (rows, 3),
            .acked = hub_rows_i64 (rows, 4),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
