/*  hub_store_programme.h — the biennial work programme of the CP and its projects (schema 0012,
    plan 3.2): programmes WP-YYYY-YYYY (no two covering the same year), projects PR-YYYY-NN
    (gapless per year through ref_counters) with their milestones and linked requests. SQL only: the
    rotation of the presidency, what a project needs and the CP's project decision are in
    hub/service/hub_programme.c. */
#ifndef HUB_STORE_PROGRAMME_H_INCLUDED
#define HUB_STORE_PROGRAMME_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  One programme. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;                    /* "WP-2027-2028" */
    int year_from;
    int year_to;
    const char *presidency;             /* OFAS, SEFRI, SECO or SEM */
    int64_t created_at_ms;
} hub_programme_row_t;

typedef bool (hub_programme_row_fn) (const hub_programme_row_t *row, void *arg);

/*  Stores programme ref of years from..from+1 with presidency, in one transaction (the caller's,
    joined, or its own) that first locks the table against concurrent adds: CII_CONFLICT when a
    stored programme covers one of the two years (existing: its reference), else *id_p. */
cii_rc_t hub_store_programme_add (hub_store_t *self, const char *ref, int from, const char *presidency,
                                  char existing [HUB_MAX_REF], int64_t *id_p);

/*  Calls fn for every programme, by first year. */
cii_rc_t hub_store_programmes (hub_store_t *self, hub_programme_row_fn *fn, void *arg);

/*  Calls fn for the programme covering year (0: the current year in Europe/Zurich), if any;
    *year_p (when given) the year looked at. */
cii_rc_t hub_store_programme_covering (hub_store_t *self, int year, int *year_p, hub_programme_row_fn *fn, void *arg);

/*  Stores a project of programme_id (kind "cii" or "associated") with the next reference
    PR-<current year>-NN, joining the caller's transaction: ref and *id_p filled. decided_by: NULL,
    or "cp" when a CP project decision created it. */
cii_rc_t hub_store_project_add (hub_store_t *self, int64_t programme_id, const char *kind, const char *title,
                                const char *lead, const char *financing, const char *objective,
                                const char *decided_by, char ref [HUB_MAX_REF], int64_t *id_p);

/*  Adds milestone number position (from 1) of project_id: date "YYYY-MM-DD", one line of text. */
cii_rc_t hub_store_project_milestone (hub_store_t *self, int64_t project_id, int position, const char *date,
                                      const char *text);

/*  Links request_id to project_id. */
cii_rc_t hub_store_project_link (hub_store_t *self, int64_t project_id, int64_t request_id);

/*  Sets the lead, financing and objective of project ref (a NULL one is left as it is): CII_OK,
    CII_NOT_FOUND. */
cii_rc_t hub_store_project_set (hub_store_t *self, const char *ref, const char *lead, const char *financing,
                                const char *objective);

/*  The title a project created by a decision on the requests ids[0..n-1] takes: their theme's when
    they all belong to one, else the first one's. */
cii_rc_t hub_store_project_title_of (hub_store_t *self, const int64_t *ids, size_t n, char *title, size_t size);

/*  One project. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    const char *programme;              /* the programme's reference */
    const char *kind;                   /* "cii" or "associated" */
    const char *title;
    const char *lead;                   /* "" not yet known */
    const char *financing;
    const char *objective;
    const char *decided_by;             /* "" or "cp" */
    const char *requests;               /* references of its requests, comma list */
    int64_t created_at_ms;
} hub_project_row_t;

typedef bool (hub_project_row_fn) (const hub_project_row_t *row, void *arg);

/*  Calls fn for the projects of programme_id (0: the project with reference ref), CII projects
    first, then by reference (id). */
cii_rc_t hub_store_projects (hub_store_t *self, int64_t programme_id, const char *ref, hub_project_row_fn *fn,
                             void *arg);

typedef bool (hub_milestone_fn) (const char *date, const char *text, void *arg);

/*  Calls fn for the milestones of project_id, in order. */
cii_rc_t hub_store_project_milestones (hub_store_t *self, int64_t project_id, hub_milestone_fn *fn, void *arg);

#endif
