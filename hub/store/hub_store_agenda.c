/*  hub_store_agenda.c — the SQL of the agenda builder and of published agendas (see
    hub_store_agenda.h). */
#include "hub_store_agenda.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_TODAY "(now () AT TIME ZONE 'Europe/Zurich')::date"

cii_rc_t
hub_store_agenda_candidates (hub_store_t *self, const char *const *states, size_t n, hub_agenda_row_fn *fn, void *arg)
{
    assert (self && (n == 0 || states) && fn);
    char *list = hub_store_text_array (states, n);
    if (!list) {
        hub_store_set_error (self, "agenda", "out of memory");
        return CII_NO_MEMORY;
    }
    //  JIT off for this statement (its estimated cost over 10,000 requests passes jit_above_cost, and
    //  compiling it took 15 of its 100 ms), in a transaction of its own or the caller's, whose
    //  setting is put back after.
    bool own = false;
    char saved [32] = "on";
    cii_rc_t rc = hub_store_tx_begin (self, "agenda", &own);
    hub_rows_t *rows = NULL;
    if (rc == CII_OK) {
        rows = hub_store_query (self, "agenda", "SELECT current_setting ('jit'), set_config ('jit', 'off', true)", 0,
                                NULL);
        if (rows && hub_rows_next (rows))
            hub_rows_copy (rows, 0, saved, sizeof saved);
        else
            rc = hub_store_rc (self);
        hub_rows_destroy (&rows);
    }
    const char *values [] = { list };
    //  The last history row by the (request_id, id) index: one lookup per request.
    if (rc == CII_OK)
        rows = hub_store_query (self, "agenda",
        "SELECT r.id, r.ref, r.title, r.network, array_to_string (r.cantons, ','), r.state, "
        "       coalesce (r.theme_id, 0), coalesce (t.ref, ''), coalesce (t.title, ''), "
        "       (SELECT coalesce (string_agg (c.id, ',' ORDER BY length (c.id), c.id) FILTER (WHERE c.met), '') "
        "        FROM request_criteria c WHERE c.request_id = r.id), "
        "       h.organ, coalesce (h.meeting, ''), to_char (h.at AT TIME ZONE 'Europe/Zurich', 'YYYY-MM-DD'), "
        "       (" S_TODAY " - (h.at AT TIME ZONE 'Europe/Zurich')::date), "
        "       CASE WHEN r.state = 'wg-reported' THEN coalesce ((SELECT m.organ FROM request_history m "
        "            WHERE m.request_id = r.id AND m.state = 'wg-mandated' ORDER BY m.id DESC LIMIT 1), '') "
        "            ELSE '' END "
        "FROM requests r "
        "LEFT JOIN themes t ON t.id = r.theme_id "
        "CROSS JOIN LATERAL (SELECT x.organ, x.meeting, x.at FROM request_history x "
        "                    WHERE x.request_id = r.id ORDER BY x.id DESC LIMIT 1) h "
        "WHERE r.state = ANY ($1::text[]) "
        "ORDER BY coalesce (r.theme_id, 0), r.id",
        1, values);
    free (list);
    if (rc == CII_OK && !rows)
        rc = hub_store_rc (self);
    while (rows && hub_rows_next (rows)) {
        hub_agenda_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .title = hub_rows_text (rows, 2),
            .network = hub_rows_text (rows, 3),
            .cantons = hub_rows_text (rows, 4),
            .state = hub_rows_text (rows, 5),
            .theme_id = hub_rows_i64 (rows, 6),
            .theme = hub_rows_text (rows, 7),
            .theme_title = hub_rows_text (rows, 8),
            .criteria_met = hub_rows_text (rows, 9),
            .last_organ = hub_rows_text (rows, 10),
            .last_meeting = hub_rows_text (rows, 11),
            .since = hub_rows_text (rows, 12),
            .waiting_days = (int) hub_rows_i64 (rows, 13),
            .mandated_by = hub_rows_text (rows, 14),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    if (rc == CII_OK && !own) {
        const char *setting [] = { saved };
        rows = hub_store_query (self, "agenda", "SELECT set_config ('jit', $1, true)", 1, setting);
        if (!rows)
            rc = hub_store_rc (self);
        hub_rows_destroy (&rows);
    }
    if (hub_store_tx_end (self, "agenda", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_rc (self);
    return rc;
}

cii_rc_t
hub_store_agenda_today (hub_store_t *self, char date [11])
{
    assert (self && date);
    hub_rows_t *rows = hub_store_query (self, "today", "SELECT to_char (" S_TODAY ", 'YYYY-MM-DD')", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    date [0] = 0;
    if (hub_rows_next (rows))
        hub_rows_copy (rows, 0, date, 11);
    hub_rows_destroy (&rows);
    return CII_OK;
}

cii_rc_t
hub_store_agenda_request_state (hub_store_t *self, const char *ref, char *state, size_t size)
{
    assert (self && ref && state && size > 0);
    const char *values [] = { ref };
    hub_rows_t *rows = hub_store_query (self, "request state", "SELECT state FROM requests WHERE ref = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    state [0] = 0;
    if (hub_rows_next (rows)) {
        hub_rows_copy (rows, 0, state, size);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_agenda_publication (hub_store_t *self, const char *meeting, hub_agenda_publication_t *out)
{
    assert (self && meeting && out);
    memset (out, 0, sizeof *out);
    const char *values [] = { meeting };
    hub_rows_t *rows = hub_store_query (self, "agenda lock", "SELECT id FROM meetings WHERE ref = $1 FOR UPDATE", 1,
                                        values);
    if (!rows)
        return hub_store_rc (self);
    bool found = hub_rows_next (rows);
    hub_rows_destroy (&rows);
    if (!found)
        return CII_NOT_FOUND;
    rows = hub_store_query (self, "agenda publication",
                            "SELECT content, items, notice_id, times, " HUB_SQL_MS ("published_at") " "
                            "FROM agenda_publications WHERE meeting = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        out->content = strdup (hub_rows_text (rows, 0));
        out->items = (int) hub_rows_i64 (rows, 1);
        out->notice_id = hub_rows_i64 (rows, 2);
        out->times = (int) hub_rows_i64 (rows, 3);
        out->published_at_ms = hub_rows_i64 (rows, 4);
        rc = CII_OK;
        if (!out->content) {
            hub_store_set_error (self, "agenda publication", "out of memory");
            rc = CII_NO_MEMORY;
        }
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_agenda_published (hub_store_t *self, const char *meeting, const char *content, int items, int64_t notice_id,
                            int64_t *published_at_ms)
{
    assert (self && meeting && content);
    char n [16], id [24];
    snprintf (n, sizeof n, "%d", items);
    snprintf (id, sizeof id, "%" PRId64, notice_id);
    const char *values [] = { meeting, content, n, id };
    hub_rows_t *rows = hub_store_query (self, "agenda published",
        "INSERT INTO agenda_publications (meeting, content, items, notice_id) VALUES ($1, $2, $3::int, $4::bigint) "
        "ON CONFLICT (meeting) DO UPDATE SET content = excluded.content, items = excluded.items, "
        "   notice_id = excluded.notice_id, times = agenda_publications.times + 1, published_at = now () "
        "RETURNING " HUB_SQL_MS ("published_at"),
        4, values);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows) && published_at_ms)
        *published_at_ms = hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    return CII_OK;
}
