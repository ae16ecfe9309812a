/*  hub_store_programme.c — the SQL of the work programme and its projects (see
    hub_store_programme.h). */
#include "hub_store_programme.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_YEAR "extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int"

#define S_PROGRAMME_COLUMNS \
    "SELECT id, ref, year_from, year_to, presidency, " HUB_SQL_MS ("created_at") " FROM programmes "

static cii_rc_t
s_programmes (hub_store_t *self, const char *sql, int nparams, const char *const *values, hub_programme_row_fn *fn,
              void *arg)
{
    hub_rows_t *rows = hub_store_query (self, "programmes", sql, nparams, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_programme_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .year_from = (int) hub_rows_i64 (rows, 2),
            .year_to = (int) hub_rows_i64 (rows, 3),
            .presidency = hub_rows_text (rows, 4),
            .created_at_ms = hub_rows_i64 (rows, 5),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_programme_add (hub_store_t *self, const char *ref, int from, const char *presidency,
                         char existing [HUB_MAX_REF], int64_t *id_p)
{
    assert (self && ref && presidency && id_p);
    if (existing)
        existing [0] = 0;
    bool own = false;
    cii_rc_t rc = hub_store_tx_begin (self, "programme", &own);
    if (rc != CII_OK)
        return rc;
    //  Two adds at once would each see no overlap: the second waits for the first here.
    rc = hub_store_command (self, "programme", "LOCK TABLE programmes IN SHARE ROW EXCLUSIVE MODE", 0, NULL);
    char year [16];
    snprintf (year, sizeof year, "%d", from);
    const char *values [] = { ref, year, presidency };
    if (rc == CII_OK) {
        hub_rows_t *rows = hub_store_query (self, "programme",
            "SELECT ref FROM programmes WHERE year_from <= $1::int + 1 AND year_to >= $1::int ORDER BY year_from "
            "LIMIT 1", 1, (const char *[]) { year });
        if (!rows)
            rc = hub_store_rc (self);
        else {
            if (hub_rows_next (rows)) {
                if (existing)
                    hub_rows_copy (rows, 0, existing, HUB_MAX_REF);
                hub_store_set_error (self, "programme", "overlaps");
                rc = CII_CONFLICT;
            }
            hub_rows_destroy (&rows);
        }
    }
    if (rc == CII_OK)
        rc = hub_store_query_id (self, "programme",
            "INSERT INTO programmes (ref, year_from, year_to, presidency) VALUES ($1, $2::int, $2::int + 1, $3) "
            "RETURNING id", 3, values, id_p);
    if (hub_store_tx_end (self, "programme", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_rc (self);
    return rc;
}

cii_rc_t
hub_store_programmes (hub_store_t *self, hub_programme_row_fn *fn, void *arg)
{
    assert (self && fn);
    return s_programmes (self, S_PROGRAMME_COLUMNS "ORDER BY year_from", 0, NULL, fn, arg);
}

cii_rc_t
hub_store_programme_covering (hub_store_t *self, int year, int *year_p, hub_programme_row_fn *fn, void *arg)
{
    assert (self && fn);
    if (year <= 0) {
        hub_rows_t *rows = hub_store_query (self, "current year", "SELECT " S_YEAR, 0, NULL);
        if (!rows)
            return hub_store_rc (self);
        if (hub_rows_next (rows))
            year = (int) hub_rows_i64 (rows, 0);
        hub_rows_destroy (&rows);
    }
    if (year_p)
        *year_p = year;
    char which [16];
    snprintf (which, sizeof which, "%d", year);
    const char *values [] = { which };
    return s_programmes (self, S_PROGRAMME_COLUMNS "WHERE $1::int BETWEEN year_from AND year_to", 1, values, fn, arg);
}

cii_rc_t
hub_store_project_add (hub_store_t *self, int64_t programme_id, const char *kind, const char *title, const char *lead,
                       const char *financing, const char *objective, const char *decided_by,
                       char ref [HUB_MAX_REF], int64_t *id_p)
{
    assert (self && kind && title && ref && id_p);
    cii_rc_t rc = hub_store_ref_next (self, "PR", 2, ref);
    if (rc != CII_OK)
        return rc;
    char programme [24];
    snprintf (programme, sizeof programme, "%" PRId64, programme_id);
    const char *values [] = { ref, programme, kind, title, lead ? lead : "", financing ? financing : "",
                              objective ? objective : "", decided_by };
    return hub_store_query_id (self, "project",
        "INSERT INTO projects (ref, programme_id, kind, title, lead, financing, objective, decided_by) "
        "VALUES ($1, $2::bigint, $3, $4, $5, $6, $7, $8) RETURNING id", 8, values, id_p);
}

cii_rc_t
hub_store_project_milestone (hub_store_t *self, int64_t project_id, int position, const char *date, const char *text)
{
    assert (self && date && text);
    char id [24], pos [16];
    snprintf (id, sizeof id, "%" PRId64, project_id);
    snprintf (pos, sizeof pos, "%d", position);
    const char *values [] = { id, pos, date, text };
    return hub_store_command (self, "milestone",
                              "INSERT INTO project_milestones (project_id, position, date, text) "
                              "VALUES ($1::bigint, $2::int, $3::date, $4)", 4, values);
}

cii_rc_t
hub_store_project_link (hub_store_t *self, int64_t project_id, int64_t request_id)
{
    assert (self);
    char a [24], b [24];
    snprintf (a, sizeof a, "%" PRId64, project_id);
    snprintf (b, sizeof b, "%" PRId64, request_id);
    const char *values [] = { a, b };
    return hub_store_command (self, "project link",
                              "INSERT INTO project_requests (project_id, request_id) VALUES ($1::bigint, $2::bigint) "
                              "ON CONFLICT DO NOTHING", 2, values);
}

cii_rc_t
hub_store_project_set (hub_store_t *self, const char *ref, const char *lead, const char *financing,
                       const char *objective)
{
    assert (self && ref);
    const char *values [] = { ref, lead, financing, objective };
    hub_rows_t *rows = hub_store_query (self, "project",
        "UPDATE projects SET lead = coalesce ($2, lead), financing = coalesce ($3, financing), "
        "                    objective = coalesce ($4, objective) WHERE ref = $1 RETURNING id", 4, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = hub_rows_next (rows) ? CII_OK : CII_NOT_FOUND;
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_project_title_of (hub_store_t *self, const int64_t *ids, size_t n, char *title, size_t size)
{
    assert (self && (n == 0 || ids) && title && size);
    title [0] = 0;
    char *list = hub_store_id_array (ids, n);
    if (!list)
        return CII_NO_MEMORY;
    const char *values [] = { list };
    hub_rows_t *rows = hub_store_query (self, "project title",
        "SELECT CASE WHEN count (DISTINCT r.theme_id) = 1 AND bool_and (r.theme_id IS NOT NULL) "
        "            THEN (SELECT t.title FROM themes t WHERE t.id = min (r.theme_id)) "
        "            ELSE (SELECT q.title FROM requests q WHERE q.id = min (r.id)) END "
        "FROM requests r WHERE r.id = ANY ($1::bigint[])", 1, values);
    free (list);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows))
        hub_rows_copy (rows, 0, title, size);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_projects (hub_store_t *self, int64_t programme_id, const char *ref, hub_project_row_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, programme_id);
    const char *values [] = { id, ref };
    hub_rows_t *rows = hub_store_query (self, "projects",
        "SELECT p.id, p.ref, g.ref, p.kind, p.title, p.lead, p.financing, p.objective, coalesce (p.decided_by, ''), "
        "       coalesce ((SELECT string_agg (r.ref, ',' ORDER BY r.id) FROM project_requests l "
        "                  JOIN requests r ON r.id = l.request_id WHERE l.project_id = p.id), ''), "
        "       " HUB_SQL_MS ("p.created_at") " "
        "FROM projects p JOIN programmes g ON g.id = p.programme_id "
        "WHERE CASE WHEN $1::bigint > 0 THEN p.programme_id = $1::bigint ELSE p.ref = $2 END "
        "ORDER BY p.kind = 'associated', p.id",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_project_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .programme = hub_rows_text (rows, 2),
            .kind = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .lead = hub_rows_text (rows, 5),
            .financing = hub_rows_text (rows, 6),
            .objective = hub_rows_text (rows, 7),
            .decided_by = hub_rows_text (rows, 8),
            .requests = hub_rows_text (rows, 9),
            .created_at_ms = hub_rows_i64 (rows, 10),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_project_milestones (hub_store_t *self, int64_t project_id, hub_milestone_fn *fn, void *arg)
{
    assert (self && fn);
    char id [24];
    snprintf (id, sizeof id, "%" PRId64, project_id);
    const char *values [] = { id };
    hub_rows_t *rows = hub_store_query (self, "milestones",
        "SELECT to_char (date, 'YYYY-MM-DD'), text FROM project_milestones WHERE project_id = $1::bigint "
        "ORDER BY position", 1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows))
        if (!fn (hub_rows_text (rows, 0), hub_rows_text (rows, 1), arg))
            break;
    hub_rows_destroy (&rows);
    return CII_OK;
}
