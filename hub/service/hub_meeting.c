/*  hub_meeting.c — the meetings of the CDC and the CP, their calendar and who may decide in them
    (see hub_meeting.h). The SQL is in hub/store/hub_store_meetings.c. */
#include "hub_meeting.h"
#include "hub_requests.h"
#include "hub_store_meetings.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cii_domain.h"

#define S_YEAR_MIN 2000
#define S_YEAR_MAX 9999

//  0 Sunday .. 6 Saturday (Sakamoto).
static int
s_weekday (int year, int month, int day)
{
    static const int t [] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
    if (month < 3)
        year--;
    return (year + year / 4 - year / 100 + year / 400 + t [month - 1] + day) % 7;
}

static cii_rc_t
s_check_year (int year, cii_err_t *err)
{
    if (year < S_YEAR_MIN || year > S_YEAR_MAX)
        return cii_err_set (err, CII_BAD_INPUT, "the year must be %d..%d (got %d)", S_YEAR_MIN, S_YEAR_MAX, year);
    return CII_OK;
}

static bool
s_organ (const char *organ)
{
    return organ && (strcmp (organ, "cdc") == 0 || strcmp (organ, "cp") == 0);
}

static void
s_copy_row (const hub_meeting_row_t *row, hub_meeting_t *out)
{
    memset (out, 0, sizeof *out);
    snprintf (out->ref, sizeof out->ref, "%s", row->ref);
    snprintf (out->organ, sizeof out->organ, "%s", row->organ);
    out->joint = row->joint;
    snprintf (out->date, sizeof out->date, "%s", row->date);
    out->created_at_ms = row->created_at_ms;
}

cii_rc_t
hub_meeting_new (hub_store_t *store, const char *organ, const char *date, bool joint, hub_meeting_t *out,
                 cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    char shown [24];
    if (!s_organ (organ))
        return cii_err_set (err, CII_BAD_INPUT, "unknown organ \"%s\": a meeting is of the cdc or the cp",
                            cii_domain_shown (organ, shown));
    int year = 0;
    if (!cii_domain_date_valid (date, &year))
        return cii_err_set (err, CII_BAD_INPUT, "the date must be a calendar date YYYY-MM-DD between %d and %d "
                            "(got \"%s\")", S_YEAR_MIN, S_YEAR_MAX, cii_domain_shown (date, shown));
    char ref [HUB_MAX_REF], existing [HUB_MAX_REF];
    cii_rc_t rc = hub_store_meeting_add (store, organ, date, year, joint, ref, existing);
    if (rc == CII_CONFLICT)
        return cii_err_set (err, rc, "the %s already meets on %s%s%s%s", organ, date, *existing ? " (" : "", existing,
                            *existing ? ")" : "");
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    hub_meeting_row_t row = { .ref = ref, .organ = organ, .joint = joint, .date = date };
    s_copy_row (&row, out);
    return hub_meeting_find (store, ref, out, err);
}

typedef struct {
    hub_meeting_fn *fn;
    void *arg;
    bool found;
} s_each_t;

static bool
s_each (const hub_meeting_row_t *row, void *arg)
{
    s_each_t *each = arg;
    hub_meeting_t meeting;
    s_copy_row (row, &meeting);
    each->found = true;
    return each->fn (&meeting, each->arg);
}

static bool
s_keep (const hub_meeting_t *meeting, void *arg)
{
    *(hub_meeting_t *) arg = *meeting;
    return false;
}

cii_rc_t
hub_meeting_find (hub_store_t *store, const char *ref, hub_meeting_t *out, cii_err_t *err)
{
    assert (store && out);
    char shown [12];
    s_each_t each = { s_keep, out, false };
    if (!ref || hub_store_meetings (store, ref, 0, s_each, &each) != CII_OK) {
        if (!ref)
            return cii_err_set (err, CII_NOT_FOUND, "unknown meeting \"\"");
        return hub_store_fail (store, err);
    }
    if (!each.found)
        return cii_err_set (err, CII_NOT_FOUND, "unknown meeting %s", hub_requests_ref_shown (ref, shown));
    return CII_OK;
}

cii_rc_t
hub_meeting_list (hub_store_t *store, int year, hub_meeting_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    if (year != 0 && s_check_year (year, err) != CII_OK)
        return err ? err->rc : CII_BAD_INPUT;
    s_each_t each = { fn, arg, false };
    if (hub_store_meetings (store, NULL, year, s_each, &each) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

//  The first weekday on or after year-month-day, into out (organ, joint).
static void
s_propose (int year, int month, int day, const char *organ, bool joint, hub_meeting_t *out)
{
    memset (out, 0, sizeof *out);
    int wd = s_weekday (year, month, day);
    day += wd == 6 ? 2 : wd == 0 ? 1 : 0;
    snprintf (out->organ, sizeof out->organ, "%s", organ);
    out->joint = joint;
    snprintf (out->date, sizeof out->date, "%04d-%02d-%02d", year, month, day);
}

cii_rc_t
hub_meeting_plan (int year, hub_meeting_t plan [HUB_MEETING_PLAN], cii_err_t *err)
{
    assert (plan);
    cii_rc_t rc = s_check_year (year, err);
    if (rc != CII_OK)
        return rc;
    static const int months [] = { 3, 6, 9 };
    for (int q = 0; q < 3; q++) {
        s_propose (year, months [q], 10, "cdc", false, &plan [2 * q]);
        s_propose (year, months [q], 24, "cp", false, &plan [2 * q + 1]);
    }
    s_propose (year, 12, 1, "cp", true, &plan [6]);
    return CII_OK;
}

static bool
s_count (const hub_meeting_t *meeting, void *arg)
{
    hub_calendar_t *c = arg;
    if (meeting->joint || strcmp (meeting->organ, "cdc") == 0)
        c->cdc++;
    if (meeting->joint || strcmp (meeting->organ, "cp") == 0)
        c->cp++;
    c->last = *meeting;         //  by date: the last one seen is the last of the year
    return true;
}

static void
s_warn (hub_calendar_t *c, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_warn (hub_calendar_t *c, const char *format, ...)
{
    if (c->n_warnings == HUB_MEETING_WARNINGS)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (c->warnings [c->n_warnings++], HUB_MEETING_WARNING, format, args);
    va_end (args);
}

static void
s_warn_count (hub_calendar_t *c, int count, const char *organ)
{
    if (count == HUB_MEETING_PER_YEAR)
        return;
    if (count == 0)
        s_warn (c, "%d: no meeting of the %s (the plan has %d)", c->year, organ, HUB_MEETING_PER_YEAR);
    else
        s_warn (c, "%d: %d meeting%s of the %s (the plan has %d; a joint one counts for both)", c->year, count,
                count == 1 ? "" : "s", organ, HUB_MEETING_PER_YEAR);
}

cii_rc_t
hub_meeting_check (hub_store_t *store, int year, hub_calendar_t **years_p, size_t *count_p, cii_err_t *err)
{
    assert (store && years_p && count_p);
    *years_p = NULL;
    *count_p = 0;
    if (year != 0 && s_check_year (year, err) != CII_OK)
        return err ? err->rc : CII_BAD_INPUT;
    int *years = NULL;
    size_t n = 0;
    if (year != 0 || (hub_store_meeting_years (store, &years, &n) == CII_OK && n == 0)) {
        free (years);
        years = malloc (sizeof *years);
        if (!years)
            return cii_err_set (err, CII_NO_MEMORY, "out of memory");
        if (year == 0) {
            time_t now = time (NULL);
            struct tm tm;
            gmtime_r (&now, &tm);
            year = tm.tm_year + 1900;
        }
        years [0] = year;
        n = 1;
    }
    else
    if (!years)
        return hub_store_fail (store, err);
    hub_calendar_t *out = calloc (n, sizeof *out);
    if (!out) {
        free (years);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    cii_rc_t rc = CII_OK;
    for (size_t i = 0; rc == CII_OK && i < n; i++) {
        hub_calendar_t *c = &out [i];
        c->year = years [i];
        rc = hub_meeting_list (store, c->year, s_count, c, err);
        s_warn_count (c, c->cdc, "CDC");
        s_warn_count (c, c->cp, "CP");
        if (*c->last.ref && !c->last.joint)
            s_warn (c, "%d: the last meeting of the year, %s of the %s on %s, is not joint (the plan makes it joint)",
                    c->year, c->last.ref, c->last.organ, c->last.date);
    }
    free (years);
    if (rc != CII_OK) {
        free (out);
        return rc;
    }
    *years_p = out;
    *count_p = n;
    return CII_OK;
}

cii_rc_t
hub_meeting_allows (hub_store_t *store, const char *ref, const char *organ, cii_err_t *err)
{
    assert (store && organ);
    hub_meeting_t meeting;
    cii_rc_t rc = hub_meeting_find (store, ref, &meeting, err);
    if (rc != CII_OK)
        return rc;
    bool allowed = strcmp (meeting.organ, organ) == 0 || (meeting.joint && s_organ (organ));
    if (allowed)
        return CII_OK;
    if (meeting.joint)
        return cii_err_set (err, CII_REFUSED, "%s is a joint meeting of the cdc and the cp: the %s cannot decide in it",
                            meeting.ref, organ);
    return cii_err_set (err, CII_REFUSED, "%s is a meeting of the %s: the %s cannot decide in it", meeting.ref,
                        meeting.organ, organ);
}
