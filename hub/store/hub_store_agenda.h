/*  hub_store_agenda.h — the SQL of the agenda builder and of published agendas (schema 0011): the
    requests that may wait for an organ, with what the builder needs about each (its theme, its
    criteria met, its last history row, the organ that mandated its working group), today's date,
    and the record of an agenda sent down as a notice. SQL only: which request waits for which
    organ, the order and the reasons are in hub/service/hub_agenda.c. */
#ifndef HUB_STORE_AGENDA_H_INCLUDED
#define HUB_STORE_AGENDA_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  One request that may be on an agenda. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    const char *title;
    const char *network;
    const char *cantons;                    /* supporting cantons, comma list as stored */
    const char *state;
    int64_t theme_id;                       /* 0: in no theme */
    const char *theme;                      /* "" or "NT-2027-03" */
    const char *theme_title;                /* "" or the theme's title */
    const char *criteria_met;               /* "C1,C2" */
    const char *last_organ;                 /* the organ of its last history row (who put it in its state) */
    const char *last_meeting;               /* "" or the meeting of that row */
    const char *since;                      /* the date of that row (Europe/Zurich), "2027-03-10" */
    int waiting_days;                       /* whole days from that date to today (Europe/Zurich) */
    const char *mandated_by;                /* "" or the organ of its last wg-mandated row */
} hub_agenda_row_t;

typedef bool (hub_agenda_row_fn) (const hub_agenda_row_t *row, void *arg);

/*  Calls fn for each request in one of states[0..n-1], the requests of one theme one after the
    other: ordered by theme (those in none first), then by id. Runs with JIT off, in the caller's
    transaction (its JIT setting put back) or its own. */
cii_rc_t hub_store_agenda_candidates (hub_store_t *self, const char *const *states, size_t n, hub_agenda_row_fn *fn,
                                      void *arg);

/*  Today's date in Europe/Zurich, "2027-03-10", as the database sees it. */
cii_rc_t hub_store_agenda_today (hub_store_t *self, char date [11]);

/*  The state of the request with reference ref into state (size bytes): CII_OK, CII_NOT_FOUND. */
cii_rc_t hub_store_agenda_request_state (hub_store_t *self, const char *ref, char *state, size_t size);

/*  What was published of a meeting's agenda. content is the caller's to free. */
typedef struct {
    char *content;                          /* "REF|why" lines as published */
    int items;
    int64_t notice_id;
    int times;
    int64_t published_at_ms;
} hub_agenda_publication_t;

/*  Locks meeting ref's row (FOR UPDATE, in the caller's transaction) and reads its publication:
    CII_OK (filled), CII_NOT_FOUND (never published; out zeroed), or the database error. */
cii_rc_t hub_store_agenda_publication (hub_store_t *self, const char *meeting, hub_agenda_publication_t *out);

/*  Records that meeting's agenda (content, items) went down as notice notice_id, now: a first
    publication or one more (times + 1). *published_at_ms (when not NULL): its time. */
cii_rc_t hub_store_agenda_published (hub_store_t *self, const char *meeting, const char *content, int items,
                                     int64_t notice_id, int64_t *published_at_ms);

#endif
