/*  hub_store_wg.h — working groups (schema 0012, plan 2.4): a new group with its gapless reference
    WG-YYYY-NN (ref_counters), the requests linked to it, its one report, the listings. SQL only:
    who may mandate, what a mandate needs and when a group is overdue are in hub/service/hub_wg.c. */
#ifndef HUB_STORE_WG_H_INCLUDED
#define HUB_STORE_WG_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  The mandate of a working group, as plan 2.4 names its parts. Borrowed strings. */
typedef struct {
    const char *title;
    const char *context;                /* the context and the question */
    const char *objective;
    const char *deliverables;           /* the services it delivers */
    const char *process;
    const char *composition;
    const char *communication;
    const char *financing;
    const char *lead;                   /* who leads it */
    const char *staffing;               /* the staff it needs */
    const char *until;                  /* "YYYY-MM-DD": when its result is due */
} hub_wg_mandate_t;

/*  Stores a group mandated by organ ("cdc" or "cp"), in meeting (NULL: none), with the next
    reference WG-<current year>-NN, joining the caller's transaction (which should hold it all):
    ref and *id_p filled. */
cii_rc_t hub_store_wg_add (hub_store_t *self, const hub_wg_mandate_t *mandate, const char *organ, const char *meeting,
                           char ref [HUB_MAX_REF], int64_t *id_p);

/*  Links request_id to group wg_id. */
cii_rc_t hub_store_wg_link (hub_store_t *self, int64_t wg_id, int64_t request_id);

/*  The group request_id is linked to that has not reported yet: CII_OK (ref filled),
    CII_NOT_FOUND when none, or the database error. */
cii_rc_t hub_store_wg_open_of (hub_store_t *self, int64_t request_id, char ref [HUB_MAX_REF]);

/*  A group locked FOR UPDATE. */
typedef struct {
    int64_t id;
    char ref [HUB_MAX_REF];
    char mandated_by [4];
    bool reported;
    int64_t reported_at_ms;
} hub_wg_lock_t;

/*  Locks the group with reference ref: CII_OK, CII_NOT_FOUND, or the database error. */
cii_rc_t hub_store_wg_lock (hub_store_t *self, const char *ref, hub_wg_lock_t *out);

/*  The ids of the requests linked to group wg_id, in id order: a new array *ids_p (free) of
    *count_p. */
cii_rc_t hub_store_wg_request_ids (hub_store_t *self, int64_t wg_id, int64_t **ids_p, size_t *count_p);

/*  Stores the result of group id (its report time now): *at_ms filled. */
cii_rc_t hub_store_wg_report (hub_store_t *self, int64_t id, const char *result, int64_t *at_ms);

/*  One group. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    const char *mandated_by;
    const char *meeting;                /* "" when none */
    hub_wg_mandate_t mandate;
    const char *requests;               /* references of its requests, comma list, by id */
    const char *result;                 /* "" until it reported */
    int64_t reported_at_ms;             /* 0 until it reported */
    bool overdue;                       /* past its date (Europe/Zurich) without a report */
    int64_t created_at_ms;
} hub_wg_row_t;

typedef bool (hub_wg_row_fn) (const hub_wg_row_t *row, void *arg);

/*  Calls fn for the group with reference ref (when not NULL), else for every group (only the
    overdue ones when overdue), by reference order (id). */
cii_rc_t hub_store_wgs (hub_store_t *self, const char *ref, bool overdue, hub_wg_row_fn *fn, void *arg);

#endif
