/*  hub_meeting.h — the meetings of the CDC and the CP (plan 2.1-2.2): each meets about four times a
    year, the last meeting of the year joint. A meeting gets M-YYYY-NN (gapless per year of its
    date); the calendar of a year can be proposed (hub_meeting_plan, nothing created) and checked
    against that pattern (hub_meeting_check, warnings only); a decision taken in a meeting must be
    of the meeting's organ (hub_meeting_allows, asked by hub_flow). */
#ifndef HUB_MEETING_H_INCLUDED
#define HUB_MEETING_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

#define HUB_MEETING_PER_YEAR  4     /* meetings of each organ a year, in the plan (a joint one counts for both) */
#define HUB_MEETING_PLAN      7     /* entries of a proposed calendar: 3 CDC, 3 CP, 1 joint */
#define HUB_MEETING_WARNINGS  3     /* warnings of one year at most */
#define HUB_MEETING_WARNING   240   /* bytes of one warning */

/*  One meeting, stored or proposed. */
typedef struct {
    char ref [HUB_MAX_REF];         /* "M-2027-03"; "" in a proposed calendar */
    char organ [4];                 /* "cdc" or "cp": the organ convening it */
    bool joint;                     /* of the CDC and the CP together (counts for both) */
    char date [11];                 /* "2027-03-10" */
    int64_t created_at_ms;          /* 0 in a proposed calendar */
} hub_meeting_t;

/*  Creates a meeting of organ ("cdc" or "cp") on date ("YYYY-MM-DD"), joint or not: *out filled.
    Refused, nothing stored: CII_BAD_INPUT "unknown organ \"x\": a meeting is of the cdc or the cp",
    "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"2027-02-30\")";
    CII_CONFLICT "the cdc already meets on 2027-03-10 (M-2027-01)". */
cii_rc_t hub_meeting_new (hub_store_t *store, const char *organ, const char *date, bool joint, hub_meeting_t *out,
                          cii_err_t *err);

/*  The meeting with reference ref: CII_OK, CII_NOT_FOUND "unknown meeting REF". */
cii_rc_t hub_meeting_find (hub_store_t *store, const char *ref, hub_meeting_t *out, cii_err_t *err);

typedef bool (hub_meeting_fn) (const hub_meeting_t *meeting, void *arg);

/*  Calls fn for the meetings of year (0: every year), by date. CII_BAD_INPUT "the year must be
    2000..9999 (got N)". */
cii_rc_t hub_meeting_list (hub_store_t *store, int year, hub_meeting_fn *fn, void *arg, cii_err_t *err);

/*  Proposes the calendar of year (nothing created) into plan[HUB_MEETING_PLAN], by date: the CDC
    on the first weekday from the 10th of March, June and September, the CP two weeks later (so
    that it takes up what the CDC referred), and the joint meeting (convened by the CP) on the
    first weekday of December. CII_BAD_INPUT for a year outside 2000..9999. */
cii_rc_t hub_meeting_plan (int year, hub_meeting_t plan [HUB_MEETING_PLAN], cii_err_t *err);

/*  How one year's meetings compare with the plan. */
typedef struct {
    int year;
    int cdc;                        /* meetings of the CDC (a joint one counts) */
    int cp;                         /* of the CP */
    hub_meeting_t last;             /* the last meeting of the year (ref "" when none) */
    char warnings [HUB_MEETING_WARNINGS][HUB_MEETING_WARNING];
    size_t n_warnings;              /* 0: the year follows the plan */
} hub_calendar_t;

/*  Checks year (0: every year that has meetings, else the current one) against the plan: a new
    array *years_p (free) of *count_p, each with its warnings: "2027: 3 meetings of the CDC (the
    plan has 4)", "2027: the last meeting of the year, M-2027-06 on 2027-11-20, is not joint".
    CII_BAD_INPUT for a year outside 2000..9999. */
cii_rc_t hub_meeting_check (hub_store_t *store, int year, hub_calendar_t **years_p, size_t *count_p, cii_err_t *err);

/*  May organ take a decision in meeting ref? CII_OK when the meeting exists and is of organ (a
    joint one: of the cdc or the cp); else CII_NOT_FOUND "unknown meeting REF", CII_REFUSED
    "M-2027-01 is a meeting of the cdc: the cp cannot decide in it", "M-2027-04 is a joint meeting
    of the cdc and the cp: the bureau cannot decide in it". */
cii_rc_t hub_meeting_allows (hub_store_t *store, const char *ref, const char *organ, cii_err_t *err);

#endif
