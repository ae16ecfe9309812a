/*  hub_wg.c — working groups: the mandate, its requests through hub_flow, the one report (see
    hub_wg.h). The SQL is in hub/store/hub_store_wg.c. */
#include "hub_wg.h"
#include "hub_meeting.h"
#include "hub_requests.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cii_domain.h"
#include "cii_util.h"

static bool
s_blank (const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

cii_rc_t
hub_text_check (const char *what, const char *option, const char *value, bool one_line, size_t max, cii_err_t *err)
{
    if (!value || s_blank (value))
        return cii_err_set (err, CII_BAD_INPUT, "%s (--%s)", what, option);
    size_t size = strlen (value);
    if (one_line && (size > max || !cii_domain_line_valid (value, size)))
        return cii_err_set (err, CII_BAD_INPUT, "the %s must be one line of UTF-8 text of at most %zu bytes (got %zu "
                            "bytes)", option, max, size);
    if (!one_line && (size > max || !cii_domain_utf8_valid (value, size)))
        return cii_err_set (err, CII_BAD_INPUT, "the %s must be UTF-8 text of at most %zu bytes (got %zu bytes)", option,
                            max, size);
    return CII_OK;
}

void
hub_wg_done_clear (hub_wg_done_t *done)
{
    if (!done)
        return;
    free (done->requests);
    done->requests = NULL;
    done->count = 0;
}

//  Every part of the mandate, in the order of hub_wg_mandate_t.
static cii_rc_t
s_check_mandate (const hub_wg_mandate_t *m, cii_err_t *err)
{
    const struct {
        const char *name;
        const char *value;
        bool one_line;
    } parts [] = {
        { "title", m->title, true }, { "context", m->context, false }, { "objective", m->objective, false },
        { "deliverables", m->deliverables, false }, { "process", m->process, false },
        { "composition", m->composition, false }, { "communication", m->communication, false },
        { "financing", m->financing, false }, { "lead", m->lead, true }, { "staffing", m->staffing, false },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts [0]; i++) {
        char what [64];
        snprintf (what, sizeof what, "the mandate needs its %s", parts [i].name);
        cii_rc_t rc = hub_text_check (what, parts [i].name, parts [i].value, parts [i].one_line,
                                      parts [i].one_line ? CII_MAX_TITLE : CII_MAX_TEXT, err);
        if (rc != CII_OK)
            return rc;
    }
    if (!m->until || s_blank (m->until))
        return cii_err_set (err, CII_BAD_INPUT, "the mandate needs its until (--until)");
    char shown [24];
    if (!cii_domain_date_valid (m->until, NULL))
        return cii_err_set (err, CII_BAD_INPUT, "the date --until must be a calendar date YYYY-MM-DD (got \"%s\")",
                            cii_domain_shown (m->until, shown));
    return CII_OK;
}

static cii_rc_t
s_check_refs (const char *const *refs, size_t n, cii_err_t *err)
{
    if (n == 0)
        return cii_err_set (err, CII_BAD_INPUT, "a working group needs at least one request (--refs)");
    if (n > HUB_WG_MAX_REFS)
        return cii_err_set (err, CII_BAD_INPUT, "a working group takes at most %d requests (got %zu)", HUB_WG_MAX_REFS,
                            n);
    char shown [12];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp (refs [i], refs [j]) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s is named twice", hub_requests_ref_shown (refs [i], shown));
    return CII_OK;
}

cii_rc_t
hub_wg_new (hub_store_t *store, const hub_wg_mandate_t *mandate, const char *organ, const char *const *refs,
            size_t n, const char *meeting, hub_wg_done_t *out, cii_err_t *err)
{
    assert (store && mandate && (n == 0 || refs) && out);
    memset (out, 0, sizeof *out);
    if (meeting && !*meeting)
        meeting = NULL;
    char shown [24];
    if (!organ || s_blank (organ))
        return cii_err_set (err, CII_BAD_INPUT, "the mandate needs its mandating organ (--mandated-by)");
    if ((strcmp (organ, "cdc") != 0 && strcmp (organ, "cp") != 0))
        return cii_err_set (err, CII_BAD_INPUT, "unknown organ \"%s\": a working group is mandated by the cdc or the cp",
                            cii_domain_shown (organ, shown));
    cii_rc_t rc = s_check_mandate (mandate, err);
    if (rc == CII_OK)
        rc = s_check_refs (refs, n, err);
    if (rc != CII_OK)
        return rc;
    bool own = false;
    if (hub_store_tx_begin (store, "wg new", &own) != CII_OK)
        return hub_store_fail (store, err);
    if (meeting)
        rc = hub_meeting_allows (store, meeting, organ, err);
    hub_request_lock_t *rows = NULL, *moving = NULL;
    size_t count = 0, n_moving = 0;
    if (rc == CII_OK && hub_store_requests_lock_refs (store, refs, n, &rows, &count) != CII_OK)
        rc = hub_store_fail (store, err);
    //  Every named request is there...
    for (size_t i = 0; rc == CII_OK && count < n && i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < count && !found; j++)
            found = strcmp (rows [j].ref, refs [i]) == 0;
        if (!found)
            rc = cii_err_set (err, CII_NOT_FOUND, "unknown request %s", hub_requests_ref_shown (refs [i], shown));
    }
    if (rc == CII_OK && !(moving = calloc (count ? count : 1, sizeof *moving)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    //  ... with no other group, and the organ may mandate it (or did already).
    hub_move_t move = { .to = "wg-mandated", .organ = organ, .by = HUB_BY_DECIDE, .meeting = meeting };
    for (size_t i = 0; rc == CII_OK && i < count; i++) {
        char other [HUB_MAX_REF];
        cii_rc_t open = hub_store_wg_open_of (store, rows [i].id, other);
        if (open == CII_OK)
            rc = cii_err_set (err, CII_REFUSED, "%s is already with working group %s", rows [i].ref, other);
        else
        if (open != CII_NOT_FOUND)
            rc = hub_store_fail (store, err);
        else
        if (strcmp (rows [i].state, "wg-mandated") == 0) {
            if (strcmp (rows [i].mandated_by, organ) != 0)
                rc = cii_err_set (err, CII_REFUSED, "%s is wg-mandated by the %s: the %s cannot give it a working group",
                                  rows [i].ref, *rows [i].mandated_by ? rows [i].mandated_by : "?", organ);
        }
        else {
            rc = hub_flow_check (rows [i].ref, rows [i].state, &move, NULL, err);
            if (rc == CII_OK)
                moving [n_moving++] = rows [i];
        }
    }
    int64_t id = 0;
    char note [CII_MAX_TITLE + 64];
    if (rc == CII_OK && hub_store_wg_add (store, mandate, organ, meeting, out->ref, &id) != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < count; i++)
        if (hub_store_wg_link (store, id, rows [i].id) != CII_OK)
            rc = hub_store_fail (store, err);
    if (rc == CII_OK && n_moving > 0) {
        //  The STATUS down names the group.
        snprintf (note, sizeof note, "working group %s: %s", out->ref, mandate->title);
        move.note = note;
        rc = hub_flow_move (store, moving, n_moving, &move, 0, &out->at_ms, err);
    }
    if (rc == CII_OK && !(out->requests = calloc (count, sizeof *out->requests)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (hub_store_tx_end (store, "wg new", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK) {
        snprintf (out->mandated_by, sizeof out->mandated_by, "%s", organ);
        snprintf (out->meeting, sizeof out->meeting, "%s", meeting ? meeting : "");
        snprintf (out->until, sizeof out->until, "%s", mandate->until);
        for (size_t i = 0; i < count; i++) {
            snprintf (out->requests [i].ref, sizeof out->requests [i].ref, "%s", rows [i].ref);
            snprintf (out->requests [i].from, sizeof out->requests [i].from, "%s", rows [i].state);
        }
        out->count = count;
        if (out->at_ms == 0)
            out->at_ms = zclock_time ();
        zsys_info ("hub: %s mandated by the %s on %zu request%s (%zu moved)", out->ref, organ, count,
                   count == 1 ? "" : "s", n_moving);
    }
    else {
        hub_wg_done_clear (out);
        memset (out, 0, sizeof *out);
    }
    free (rows);
    free (moving);
    return rc;
}

cii_rc_t
hub_wg_report (hub_store_t *store, const char *ref, const char *result, size_t size, hub_wg_done_t *out,
               cii_err_t *err)
{
    assert (store && ref && out);
    memset (out, 0, sizeof *out);
    if (!result || size > HUB_WG_MAX_RESULT || !cii_domain_utf8_valid (result, size))
        return cii_err_set (err, CII_BAD_INPUT, "the result must be UTF-8 text of at most %d bytes (got %zu bytes)",
                            HUB_WG_MAX_RESULT, size);
    if (s_blank (result))
        return cii_err_set (err, CII_BAD_INPUT, "the result is empty");
    char shown [12];
    bool own = false;
    if (hub_store_tx_begin (store, "wg report", &own) != CII_OK)
        return hub_store_fail (store, err);
    hub_wg_lock_t group;
    cii_rc_t rc = hub_store_wg_lock (store, ref, &group);
    if (rc == CII_NOT_FOUND)
        cii_err_set (err, rc, "unknown working group %s", hub_requests_ref_shown (ref, shown));
    else
    if (rc != CII_OK)
        hub_store_fail (store, err);
    if (rc == CII_OK && group.reported) {
        char when [32];
        cii_util_iso8601 (group.reported_at_ms, when);
        rc = cii_err_set (err, CII_CONFLICT, "%s reported already (on %s): a group reports once", group.ref, when);
    }
    int64_t *ids = NULL;
    size_t count = 0, n_moving = 0;
    hub_request_lock_t *moving = NULL;
    if (rc == CII_OK && hub_store_wg_request_ids (store, group.id, &ids, &count) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && !(moving = calloc (count ? count : 1, sizeof *moving)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == CII_OK && i < count; i++) {
        if (hub_store_request_lock_id (store, ids [i], &moving [n_moving]) != CII_OK)
            rc = hub_store_fail (store, err);
        else
        if (strcmp (moving [n_moving].state, "wg-mandated") == 0)
            n_moving++;         //  the others have moved on meanwhile (a decision): they stay
    }
    if (rc == CII_OK && hub_store_wg_report (store, group.id, result, &out->at_ms) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && n_moving > 0) {
        char note [128];
        snprintf (note, sizeof note, "working group %s reported to the %s", group.ref, group.mandated_by);
        hub_move_t move = { .to = "wg-reported", .organ = "wg", .by = HUB_BY_DECIDE, .note = note };
        rc = hub_flow_move (store, moving, n_moving, &move, 0, NULL, err);
    }
    if (rc == CII_OK && !(out->requests = calloc (n_moving ? n_moving : 1, sizeof *out->requests)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (hub_store_tx_end (store, "wg report", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK) {
        snprintf (out->ref, sizeof out->ref, "%s", group.ref);
        snprintf (out->mandated_by, sizeof out->mandated_by, "%s", group.mandated_by);
        for (size_t i = 0; i < n_moving; i++) {
            snprintf (out->requests [i].ref, sizeof out->requests [i].ref, "%s", moving [i].ref);
            snprintf (out->requests [i].from, sizeof out->requests [i].from, "%s", moving [i].state);
        }
        out->count = n_moving;
        zsys_info ("hub: %s reported to the %s (%zu bytes, %zu request%s back)", group.ref, group.mandated_by, size,
                   n_moving, n_moving == 1 ? "" : "s");
    }
    else
        hub_wg_done_clear (out);
    free (ids);
    free (moving);
    return rc;
}

typedef struct {
    hub_wg_row_fn *fn;
    void *arg;
    bool found;
} s_each_t;

static bool
s_each (const hub_wg_row_t *row, void *arg)
{
    s_each_t *each = arg;
    each->found = true;
    return each->fn (row, each->arg);
}

cii_rc_t
hub_wg_list (hub_store_t *store, const char *ref, bool overdue, hub_wg_row_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    s_each_t each = { fn, arg, false };
    if (hub_store_wgs (store, ref, overdue, s_each, &each) != CII_OK)
        return hub_store_fail (store, err);
    char shown [12];
    if (ref && !each.found)
        return cii_err_set (err, CII_NOT_FOUND, "unknown working group %s", hub_requests_ref_shown (ref, shown));
    return CII_OK;
}
