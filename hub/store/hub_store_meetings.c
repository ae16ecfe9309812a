/*  hub_store_meetings.c — the SQL of the meetings of the CDC and the CP (see hub_store_meetings.h). */
#include "hub_store_meetings.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cii_rc_t
hub_store_meeting_add (hub_store_t *self, const char *organ, const char *date, int year, bool joint,
                       char ref [HUB_MAX_REF], char existing [HUB_MAX_REF])
{
    assert (self && organ && date && ref);
    if (existing)
        existing [0] = 0;
    bool own = false;
    cii_rc_t rc = hub_store_tx_begin (self, "meeting", &own);
    if (rc != CII_OK)
        return rc;
    const char *values [] = { organ, date, NULL, joint ? "true" : "false" };
    //  Looked up first so that the refusal can name the meeting (a concurrent insert of the same one
    //  still meets the unique constraint: CII_CONFLICT without a name).
    hub_rows_t *rows = hub_store_query (self, "meeting",
                                        "SELECT ref FROM meetings WHERE organ = $1 AND date = $2::date", 2, values);
    if (!rows)
        rc = hub_store_rc (self);
    else {
        if (hub_rows_next (rows)) {
            if (existing)
                hub_rows_copy (rows, 0, existing, HUB_MAX_REF);
            rc = CII_CONFLICT;
        }
        hub_rows_destroy (&rows);
    }
    if (rc == CII_OK)
        rc = hub_store_ref_next_year (self, "M", year, 2, ref);
    if (rc == CII_OK) {
        values [2] = ref;
        rc = hub_store_command (self, "meeting",
                                "INSERT INTO meetings (organ, date, ref, joint) VALUES ($1, $2::date, $3, $4::bool)", 4,
                                values);
    }
    if (hub_store_tx_end (self, "meeting", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_rc (self);
    return rc;
}

cii_rc_t
hub_store_meetings (hub_store_t *self, const char *ref, int year, hub_meeting_row_fn *fn, void *arg)
{
    assert (self && fn);
    char which [16];
    snprintf (which, sizeof which, "%d", year);
    const char *values [] = { ref, which };
    hub_rows_t *rows = hub_store_query (self, "meetings",
        "SELECT id, ref, organ, joint, to_char (date, 'YYYY-MM-DD'), extract (year FROM date)::int, "
        "       " HUB_SQL_MS ("created_at") " "
        "FROM meetings WHERE CASE WHEN $1::text IS NOT NULL THEN ref = $1 "
        "                         ELSE $2::int = 0 OR extract (year FROM date)::int = $2::int END "
        "ORDER BY date, id",
        2, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_meeting_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .organ = hub_rows_text (rows, 2),
            .joint = hub_rows_bool (rows, 3),
            .date = hub_rows_text (rows, 4),
            .year = (int) hub_rows_i64 (rows, 5),
            .created_at_ms = hub_rows_i64 (rows, 6),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_meeting_years (hub_store_t *self, int **years_p, size_t *count_p)
{
    assert (self && years_p && count_p);
    *years_p = NULL;
    *count_p = 0;
    hub_rows_t *rows = hub_store_query (self, "meeting years",
                                        "SELECT DISTINCT extract (year FROM date)::int AS y FROM meetings "
                                        "ORDER BY y", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    int count = hub_rows_count (rows);
    int *years = calloc (count > 0 ? (size_t) count : 1, sizeof *years);
    if (!years) {
        hub_rows_destroy (&rows);
        hub_store_set_error (self, "meeting years", "out of memory");
        return CII_NO_MEMORY;
    }
    size_t n = 0;
    while (hub_rows_next (rows))
        years [n++] = (int) hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    *years_p = years;
    *count_p = n;
    return CII_OK;
}
