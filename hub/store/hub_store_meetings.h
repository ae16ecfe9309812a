/*  hub_store_meetings.h — the meetings of the CDC and the CP (schema 0010): a new meeting with its
    gapless reference M-YYYY-NN (ref_counters, the year of its date) and the listings. SQL only: what
    a valid meeting is and what the calendar should look like are in hub/service/hub_meeting.c. */
#ifndef HUB_STORE_MEETINGS_H_INCLUDED
#define HUB_STORE_MEETINGS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  Stores a meeting of organ ("cdc" or "cp", checked by the caller) on date ("YYYY-MM-DD", a valid
    calendar date of year `year`), joint or not, with the next reference M-YEAR-NN, in one
    transaction (the caller's, joined, or its own): ref filled. CII_CONFLICT when organ already
    meets on that date (*existing, when given, its reference), else the database error. */
cii_rc_t hub_store_meeting_add (hub_store_t *self, const char *organ, const char *date, int year, bool joint,
                                char ref [HUB_MAX_REF], char existing [HUB_MAX_REF]);

/*  One meeting. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    const char *organ;                      /* "cdc" or "cp": the organ convening it */
    bool joint;
    const char *date;                       /* "2027-03-10" */
    int year;
    int64_t created_at_ms;
} hub_meeting_row_t;

typedef bool (hub_meeting_row_fn) (const hub_meeting_row_t *row, void *arg);

/*  Calls fn for the meeting with reference ref (when not NULL), else for the meetings of year
    (0: of every year), by date then reference. */
cii_rc_t hub_store_meetings (hub_store_t *self, const char *ref, int year, hub_meeting_row_fn *fn, void *arg);

/*  The years that have meetings, ascending: a new array *years_p (free) of *count_p. */
cii_rc_t hub_store_meeting_years (hub_store_t *self, int **years_p, size_t *count_p);

#endif
