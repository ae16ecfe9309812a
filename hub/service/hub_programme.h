/*  hub_programme.h — the biennial work programme of the CP (plan 3.2): adopted for two years at
    each change of presidency, the presidency rotating every two years among the four federal
    offices (OFAS, SEFRI, SECO, SEM); it lists CII projects (led and financed by CII partners) and
    associated projects, each with its milestones and the requests it answers. A CP decision moving
    a request to `project` creates a CII project linked to it (hub_programme_on_project, called by
    hub_flow_move): its lead, financing and objective are left empty and shown as incomplete until
    `project set` records them, because the plan says the CP cannot decide them (the partners do,
    in their organisations, and communicate them to the CP). The SQL is in
    hub/store/hub_store_programme.c. */
#ifndef HUB_PROGRAMME_H_INCLUDED
#define HUB_PROGRAMME_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_programme.h"
#include "hub_store_requests.h"

#define HUB_PROGRAMME_WARNINGS    3
#define HUB_PROGRAMME_WARNING     240
#define HUB_PROJECT_MAX_REFS      64
#define HUB_PROJECT_MAX_MILESTONES 24

/*  One programme. */
typedef struct {
    char ref [HUB_MAX_REF];             /* "WP-2027-2028" */
    int year_from;
    int year_to;
    char presidency [8];
    int64_t created_at_ms;
    char warnings [HUB_PROGRAMME_WARNINGS][HUB_PROGRAMME_WARNING];
    size_t n_warnings;                  /* hub_programme_new: where it breaks the rotation */
} hub_programme_t;

/*  Adopts the programme of years from..to with presidency. Refused, nothing stored:
    CII_BAD_INPUT "the first year must be 2000..9998 (got N)", "a work programme covers two years:
    --to must be 2028 (got 2029)", "unknown presidency \"x\": OFAS, SEFRI, SECO or SEM";
    CII_CONFLICT "WP-2027-2028 already covers 2028: work programmes may not overlap". Stored with
    warnings (not refused) where it breaks the rotation relative to the programmes before it: "no
    work programme covers 2029-2030, between WP-2027-2028 and this one", "the presidency stays with
    the SEM (WP-2027-2028 had it): it changes every two years", "the SEM presided WP-2023-2024
    already: the rotation gives the presidency to an office that has not had it for the last
    three programmes (OFAS or SEFRI)". */
cii_rc_t hub_programme_new (hub_store_t *store, int from, int to, const char *presidency, hub_programme_t *out,
                            cii_err_t *err);

/*  The programme covering year (0: the current year, Europe/Zurich): CII_OK, or CII_NOT_FOUND "no
    work programme covers 2027 (cii-hub programme new adopts one)". *year_p: the year looked at. */
cii_rc_t hub_programme_find (hub_store_t *store, int year, hub_programme_t *out, int *year_p, cii_err_t *err);

/*  A project to add. Borrowed strings. */
typedef struct {
    const char *kind;                   /* "cii" or "associated" */
    const char *title;                  /* one line, 1..CII_MAX_TITLE bytes */
    const char *lead;                   /* one line, 1..CII_MAX_TITLE bytes */
    const char *financing;              /* 1..CII_MAX_TEXT bytes */
    const char *objective;              /* 1..CII_MAX_TEXT bytes */
    const char *const *refs;            /* requests it answers (may be 0) */
    size_t n_refs;
    const char *const *milestones;      /* "YYYY-MM-DD:TEXT", TEXT one line of 1..CII_MAX_TITLE bytes */
    size_t n_milestones;
} hub_project_new_t;

/*  What hub_programme_project_add did. */
typedef struct {
    char ref [HUB_MAX_REF];             /* "PR-2027-01" */
    char programme [HUB_MAX_REF];       /* "WP-2027-2028" */
    int64_t id;
} hub_project_done_t;

/*  Adds a project to the programme covering the current year, with the next PR-YYYY-NN, its
    milestones and its requests, all or none. CII_BAD_INPUT "unknown kind \"x\": a project is cii
    or associated", "a project needs its lead (--lead)" (title, lead, financing, objective), the
    text limits (hub_text_check), "a milestone is YYYY-MM-DD:TEXT (got \"x\")", "CII-2027-0001 is
    named twice"; CII_NOT_FOUND "unknown request REF", "no work programme covers 2027 (...)". */
cii_rc_t hub_programme_project_add (hub_store_t *store, const hub_project_new_t *project, hub_project_done_t *out,
                                    cii_err_t *err);

/*  Records what the partners communicated for project ref: its lead, financing and objective (a
    NULL one left as it is; at least one given). CII_BAD_INPUT as hub_programme_project_add,
    "nothing to set: --lead, --financing or --objective"; CII_NOT_FOUND "unknown project REF". */
cii_rc_t hub_programme_project_set (hub_store_t *store, const char *ref, const char *lead, const char *financing,
                                    const char *objective, cii_err_t *err);

/*  The hook of a CP project decision (hub_flow_move, in its transaction, after the move): a CII
    project of the programme covering the current year, titled after the requests' theme when
    they share one, else after the first request, decided by organ, linked to the count requests,
    lead, financing and objective empty (incomplete). CII_REFUSED "no work programme covers 2027:
    a project decision adds the request to it (cii-hub programme new first)". *ref (when given)
    the project's reference. */
cii_rc_t hub_programme_on_project (hub_store_t *store, const hub_request_lock_t *requests, size_t count,
                                   const char *organ, char ref [HUB_MAX_REF], cii_err_t *err);

/*  One milestone. */
typedef struct {
    char date [11];
    char text [CII_MAX_TITLE + 1];
} hub_milestone_t;

/*  Called per project by hub_programme_show: the row (borrowed), the parts still missing
    ("lead,financing,objective", "" when complete), its milestones in order. */
typedef bool (hub_project_fn) (const hub_project_row_t *row, const char *incomplete, const hub_milestone_t *milestones,
                               size_t n_milestones, void *arg);

/*  The programme covering year (0: the current one) into *programme (hub_programme_find's
    refusal), then fn for each of its projects, CII projects first. */
cii_rc_t hub_programme_show (hub_store_t *store, int year, hub_programme_t *programme, hub_project_fn *fn, void *arg,
                             cii_err_t *err);

#endif
