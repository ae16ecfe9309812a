/*  hub_programme.c — the work programme: adoption and the rotation of the presidency, projects,
    their milestones and requests, and the CP's project decision (see hub_programme.h). The SQL
    is in hub/store/hub_store_programme.c. */
#include "hub_programme.h"
#include "hub_requests.h"
#include "hub_wg.h"

#include <assert.h>
#include <czmq.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cii_domain.h"

static const char *const s_offices [] = { "OFAS", "SEFRI", "SECO", "SEM" };
#define S_OFFICES 4
#define S_ROTATION 3            /* an office presides again after the three others */

static bool
s_office (const char *name)
{
    for (size_t i = 0; name && i < S_OFFICES; i++)
        if (strcmp (name, s_offices [i]) == 0)
            return true;
    return false;
}

static void
s_copy (const hub_programme_row_t *row, hub_programme_t *out)
{
    memset (out, 0, sizeof *out);
    snprintf (out->ref, sizeof out->ref, "%s", row->ref);
    out->year_from = row->year_from;
    out->year_to = row->year_to;
    snprintf (out->presidency, sizeof out->presidency, "%s", row->presidency);
    out->created_at_ms = row->created_at_ms;
}

//  The programmes before a year, most recent first (at most S_ROTATION).
typedef struct {
    int before;
    hub_programme_t rows [S_ROTATION];
    size_t count;
} s_previous_t;

static bool
s_previous_row (const hub_programme_row_t *row, void *arg)
{
    s_previous_t *previous = arg;
    if (row->year_to >= previous->before)
        return true;
    //  Ascending by year: shift, keep the last S_ROTATION with the newest first.
    size_t keep = previous->count < S_ROTATION ? previous->count : S_ROTATION - 1;
    memmove (&previous->rows [1], &previous->rows [0], keep * sizeof previous->rows [0]);
    s_copy (row, &previous->rows [0]);
    previous->count = keep + 1;
    return true;
}

static void
s_warn (hub_programme_t *out, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_warn (hub_programme_t *out, const char *format, ...)
{
    if (out->n_warnings == HUB_PROGRAMME_WARNINGS)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (out->warnings [out->n_warnings++], HUB_PROGRAMME_WARNING, format, args);
    va_end (args);
}

//  Where the new programme breaks the rotation relative to those before it.
static void
s_rotation (const s_previous_t *previous, hub_programme_t *out)
{
    if (previous->count == 0)
        return;
    const hub_programme_t *last = &previous->rows [0];
    if (last->year_to != out->year_from - 1)
        s_warn (out, "no work programme covers %d-%d, between %s and this one", last->year_to + 1, out->year_from - 1,
                last->ref);
    if (strcmp (last->presidency, out->presidency) == 0) {
        s_warn (out, "the presidency stays with the %s (%s had it): it changes every two years", out->presidency,
                last->ref);
        return;
    }
    for (size_t i = 1; i < previous->count; i++)
        if (strcmp (previous->rows [i].presidency, out->presidency) == 0) {
            char free_ [64] = "";
            size_t n = 0;
            for (size_t o = 0; o < S_OFFICES; o++) {
                bool held = false;
                for (size_t p = 0; p < previous->count; p++)
                    held = held || strcmp (previous->rows [p].presidency, s_offices [o]) == 0;
                if (!held) {
                    size_t used = strlen (free_);
                    snprintf (free_ + used, sizeof free_ - used, "%s%s", n++ ? " or " : "", s_offices [o]);
                }
            }
            s_warn (out, "the %s presided %s already: the rotation gives the presidency to an office that has not "
                    "had it for the last three programmes (%s)", out->presidency, previous->rows [i].ref,
                    n ? free_ : "none");
            return;
        }
}

cii_rc_t
hub_programme_new (hub_store_t *store, int from, int to, const char *presidency, hub_programme_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    char shown [24];
    if (from < 2000 || from > 9998)
        return cii_err_set (err, CII_BAD_INPUT, "the first year must be 2000..9998 (got %d)", from);
    if (to != from + 1)
        return cii_err_set (err, CII_BAD_INPUT, "a work programme covers two years: --to must be %d (got %d)", from + 1,
                            to);
    if (!s_office (presidency))
        return cii_err_set (err, CII_BAD_INPUT, "unknown presidency \"%s\": OFAS, SEFRI, SECO or SEM",
                            cii_domain_shown (presidency, shown));
    snprintf (out->ref, sizeof out->ref, "WP-%d-%d", from, to);
    out->year_from = from;
    out->year_to = to;
    snprintf (out->presidency, sizeof out->presidency, "%s", presidency);
    bool own = false;
    if (hub_store_tx_begin (store, "programme new", &own) != CII_OK)
        return hub_store_fail (store, err);
    char existing [HUB_MAX_REF];
    int64_t id = 0;
    cii_rc_t rc = hub_store_programme_add (store, out->ref, from, presidency, existing, &id);
    if (rc == CII_CONFLICT && *existing) {
        int a = 0, b = 0;
        sscanf (existing, "WP-%d-%d", &a, &b);
        rc = cii_err_set (err, rc, "%s already covers %d: work programmes may not overlap", existing,
                          (a == from || a == to) ? a : b);
    }
    else
    if (rc != CII_OK)
        hub_store_fail (store, err);
    s_previous_t previous = { .before = from, .count = 0 };
    if (rc == CII_OK && hub_store_programmes (store, s_previous_row, &previous) != CII_OK)
        rc = hub_store_fail (store, err);
    hub_programme_t stored;
    int year = 0;
    if (rc == CII_OK)
        rc = hub_programme_find (store, from, &stored, &year, err);
    if (hub_store_tx_end (store, "programme new", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        memset (out, 0, sizeof *out);
        return rc;
    }
    out->created_at_ms = stored.created_at_ms;
    s_rotation (&previous, out);
    zsys_info ("hub: work programme %s adopted, presidency %s%s", out->ref, presidency,
               out->n_warnings ? " (breaks the rotation)" : "");
    return CII_OK;
}

typedef struct {
    hub_programme_t *out;
    int64_t id;
    bool found;
} s_find_t;

static bool
s_find_row (const hub_programme_row_t *row, void *arg)
{
    s_find_t *find = arg;
    s_copy (row, find->out);
    find->id = row->id;
    find->found = true;
    return false;
}

static cii_rc_t
s_find (hub_store_t *store, int year, hub_programme_t *out, int64_t *id_p, int *year_p, cii_err_t *err)
{
    s_find_t find = { out, 0, false };
    int looked = 0;
    if (hub_store_programme_covering (store, year, &looked, s_find_row, &find) != CII_OK)
        return hub_store_fail (store, err);
    if (year_p)
        *year_p = looked;
    if (!find.found)
        return cii_err_set (err, CII_NOT_FOUND, "no work programme covers %d (cii-hub programme new adopts one)",
                            looked);
    if (id_p)
        *id_p = find.id;
    return CII_OK;
}

cii_rc_t
hub_programme_find (hub_store_t *store, int year, hub_programme_t *out, int *year_p, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    if (year != 0 && (year < 2000 || year > 9999))
        return cii_err_set (err, CII_BAD_INPUT, "the year must be 2000..9999 (got %d)", year);
    return s_find (store, year, out, NULL, year_p, err);
}

//  "YYYY-MM-DD:TEXT" into date and text (pointing into milestone).
static cii_rc_t
s_milestone (const char *milestone, char date [11], const char **text_p, cii_err_t *err)
{
    char shown [24];
    if (!milestone || strlen (milestone) < 12 || milestone [10] != ':')
        return cii_err_set (err, CII_BAD_INPUT, "a milestone is YYYY-MM-DD:TEXT (got \"%s\")",
                            cii_domain_shown (milestone, shown));
    memcpy (date, milestone, 10);
    date [10] = 0;
    if (!cii_domain_date_valid (date, NULL))
        return cii_err_set (err, CII_BAD_INPUT, "a milestone is YYYY-MM-DD:TEXT with a calendar date (got \"%s\")",
                            cii_domain_shown (milestone, shown));
    *text_p = milestone + 11;
    return hub_text_check ("a milestone needs its text after the date", "milestone", *text_p, true, CII_MAX_TITLE,
                           err);
}

static cii_rc_t
s_project_texts (const char *title, const char *lead, const char *financing, const char *objective, bool all,
                 cii_err_t *err)
{
    const struct {
        const char *name;
        const char *value;
        bool one_line;
    } parts [] = {
        { "title", title, true }, { "lead", lead, true }, { "financing", financing, false },
        { "objective", objective, false },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts [0]; i++) {
        if (!all && !parts [i].value)
            continue;
        char what [64];
        snprintf (what, sizeof what, "a project needs its %s", parts [i].name);
        cii_rc_t rc = hub_text_check (what, parts [i].name, parts [i].value, parts [i].one_line,
                                      parts [i].one_line ? CII_MAX_TITLE : CII_MAX_TEXT, err);
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

cii_rc_t
hub_programme_project_add (hub_store_t *store, const hub_project_new_t *p, hub_project_done_t *out, cii_err_t *err)
{
    assert (store && p && out);
    memset (out, 0, sizeof *out);
    char shown [24], refshown [12];
    if (!p->kind || (strcmp (p->kind, "cii") != 0 && strcmp (p->kind, "associated") != 0))
        return cii_err_set (err, CII_BAD_INPUT, "unknown kind \"%s\": a project is cii or associated",
                            cii_domain_shown (p->kind, shown));
    cii_rc_t rc = s_project_texts (p->title, p->lead, p->financing, p->objective, true, err);
    if (rc != CII_OK)
        return rc;
    if (p->n_refs > HUB_PROJECT_MAX_REFS)
        return cii_err_set (err, CII_BAD_INPUT, "a project names at most %d requests (got %zu)", HUB_PROJECT_MAX_REFS,
                            p->n_refs);
    if (p->n_milestones > HUB_PROJECT_MAX_MILESTONES)
        return cii_err_set (err, CII_BAD_INPUT, "a project has at most %d milestones (got %zu)",
                            HUB_PROJECT_MAX_MILESTONES, p->n_milestones);
    for (size_t i = 0; i < p->n_refs; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp (p->refs [i], p->refs [j]) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s is named twice", hub_requests_ref_shown (p->refs [i],
                                                                                                   refshown));
    char dates [HUB_PROJECT_MAX_MILESTONES][11];
    const char *texts [HUB_PROJECT_MAX_MILESTONES];
    for (size_t i = 0; i < p->n_milestones; i++)
        if ((rc = s_milestone (p->milestones [i], dates [i], &texts [i], err)) != CII_OK)
            return rc;
    bool own = false;
    if (hub_store_tx_begin (store, "project add", &own) != CII_OK)
        return hub_store_fail (store, err);
    hub_programme_t programme;
    int64_t programme_id = 0;
    rc = s_find (store, 0, &programme, &programme_id, NULL, err);
    hub_request_lock_t *rows = NULL;
    size_t count = 0;
    if (rc == CII_OK && p->n_refs && hub_store_requests_lock_refs (store, p->refs, p->n_refs, &rows, &count) != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && count < p->n_refs && i < p->n_refs; i++) {
        bool found = false;
        for (size_t j = 0; j < count && !found; j++)
            found = strcmp (rows [j].ref, p->refs [i]) == 0;
        if (!found)
            rc = cii_err_set (err, CII_NOT_FOUND, "unknown request %s", hub_requests_ref_shown (p->refs [i], refshown));
    }
    if (rc == CII_OK && hub_store_project_add (store, programme_id, p->kind, p->title, p->lead, p->financing,
                                               p->objective, NULL, out->ref, &out->id) != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < p->n_milestones; i++)
        if (hub_store_project_milestone (store, out->id, (int) i + 1, dates [i], texts [i]) != CII_OK)
            rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < count; i++)
        if (hub_store_project_link (store, out->id, rows [i].id) != CII_OK)
            rc = hub_store_fail (store, err);
    if (hub_store_tx_end (store, "project add", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    free (rows);
    if (rc != CII_OK) {
        memset (out, 0, sizeof *out);
        return rc;
    }
    snprintf (out->programme, sizeof out->programme, "%s", programme.ref);
    zsys_info ("hub: project %s (%s) added to %s", out->ref, p->kind, programme.ref);
    return CII_OK;
}

cii_rc_t
hub_programme_project_set (hub_store_t *store, const char *ref, const char *lead, const char *financing,
                           const char *objective, cii_err_t *err)
{
    assert (store && ref);
    if (!lead && !financing && !objective)
        return cii_err_set (err, CII_BAD_INPUT, "nothing to set: --lead, --financing or --objective");
    cii_rc_t rc = s_project_texts (NULL, lead, financing, objective, false, err);
    if (rc != CII_OK)
        return rc;
    rc = hub_store_project_set (store, ref, lead, financing, objective);
    char shown [12];
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, rc, "unknown project %s", hub_requests_ref_shown (ref, shown));
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

cii_rc_t
hub_programme_on_project (hub_store_t *store, const hub_request_lock_t *requests, size_t count, const char *organ,
                          char ref [HUB_MAX_REF], cii_err_t *err)
{
    assert (store && (count == 0 || requests) && organ);
    hub_programme_t programme;
    int64_t programme_id = 0;
    int year = 0;
    cii_rc_t rc = s_find (store, 0, &programme, &programme_id, &year, err);
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, CII_REFUSED, "no work programme covers %d: a project decision adds the request to it "
                            "(cii-hub programme new first)", year);
    if (rc != CII_OK)
        return rc;
    int64_t *ids = calloc (count ? count : 1, sizeof *ids);
    if (!ids)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < count; i++)
        ids [i] = requests [i].id;
    char title [CII_MAX_TITLE + 1], made [HUB_MAX_REF];
    int64_t id = 0;
    if (hub_store_project_title_of (store, ids, count, title, sizeof title) != CII_OK
    ||  hub_store_project_add (store, programme_id, "cii", *title ? title : "?", "", "", "", organ, made, &id)
        != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < count; i++)
        if (hub_store_project_link (store, id, ids [i]) != CII_OK)
            rc = hub_store_fail (store, err);
    free (ids);
    if (rc == CII_OK) {
        if (ref)
            snprintf (ref, HUB_MAX_REF, "%s", made);
        zsys_info ("hub: project %s added to %s by the %s's decision on %zu request%s (lead, financing and objective "
                   "to be communicated)", made, programme.ref, organ, count, count == 1 ? "" : "s");
    }
    return rc;
}

typedef struct {
    hub_store_t *store;
    hub_project_fn *fn;
    void *arg;
    cii_rc_t rc;
} s_show_t;

typedef struct {
    hub_milestone_t rows [HUB_PROJECT_MAX_MILESTONES];
    size_t count;
} s_milestones_t;

static bool
s_milestone_row (const char *date, const char *text, void *arg)
{
    s_milestones_t *list = arg;
    if (list->count == HUB_PROJECT_MAX_MILESTONES)
        return false;
    snprintf (list->rows [list->count].date, sizeof list->rows [0].date, "%s", date);
    snprintf (list->rows [list->count].text, sizeof list->rows [0].text, "%s", text);
    list->count++;
    return true;
}

static bool
s_project_row (const hub_project_row_t *row, void *arg)
{
    s_show_t *show = arg;
    s_milestones_t milestones;
    milestones.count = 0;
    if (hub_store_project_milestones (show->store, row->id, s_milestone_row, &milestones) != CII_OK) {
        show->rc = hub_store_rc (show->store);
        return false;
    }
    char incomplete [40] = "";
    const char *parts [] = { row->lead, row->financing, row->objective };
    const char *names [] = { "lead", "financing", "objective" };
    for (size_t i = 0; i < 3; i++)
        if (!*parts [i]) {
            size_t used = strlen (incomplete);
            snprintf (incomplete + used, sizeof incomplete - used, "%s%s", used ? "," : "", names [i]);
        }
    return show->fn (row, incomplete, milestones.rows, milestones.count, show->arg);
}

cii_rc_t
hub_programme_show (hub_store_t *store, int year, hub_programme_t *programme, hub_project_fn *fn, void *arg,
                    cii_err_t *err)
{
    assert (store && programme && fn);
    memset (programme, 0, sizeof *programme);
    if (year != 0 && (year < 2000 || year > 9999))
        return cii_err_set (err, CII_BAD_INPUT, "the year must be 2000..9999 (got %d)", year);
    int64_t id = 0;
    cii_rc_t rc = s_find (store, year, programme, &id, NULL, err);
    if (rc != CII_OK)
        return rc;
    s_show_t show = { store, fn, arg, CII_OK };
    if (hub_store_projects (store, id, NULL, s_project_row, &show) != CII_OK || show.rc != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
