/*  hub_wg.h — working groups (plan 2.4): the CDC or the CP mandates a group on requests, with a
    mandate naming every part the plan names (context, objective, deliverables, process,
    composition, communication, financing, lead, staffing, and the date its result is due); the
    group gets WG-YYYY-NN and its requests move to wg-mandated through hub_flow (history, STATUS
    down; the organ is the mandating one). The group reports once: its result is stored and its
    requests move wg-mandated -> wg-reported (organ wg), back to the organ that mandated it. The
    SQL is in hub/store/hub_store_wg.c. */
#ifndef HUB_WG_H_INCLUDED
#define HUB_WG_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_flow.h"
#include "hub_store.h"
#include "hub_store_wg.h"

#define HUB_WG_MAX_REFS    64          /* requests of one mandate */
#define HUB_WG_MAX_RESULT  200000      /* bytes of a group's result (UTF-8 text, e.g. Markdown) */

/*  What a new group or a report did. */
typedef struct {
    char ref [HUB_MAX_REF];             /* "WG-2027-01" */
    char mandated_by [4];               /* "cdc" or "cp" */
    char meeting [HUB_MAX_REF];         /* "" or the meeting */
    char until [11];
    int64_t at_ms;                      /* created, or reported */
    hub_moved_t *requests;              /* its requests, by id: ref and the state before (a request already
                                           wg-mandated when linked: "wg-mandated") */
    size_t count;
} hub_wg_done_t;

/*  Shared with hub_programme: checks one text field: CII_BAD_INPUT "WHAT (--OPTION)" when value is
    NULL or blank; "the OPTION must be one line of UTF-8 text of at most MAX bytes (got N bytes)"
    (one_line), "the OPTION must be UTF-8 text of at most MAX bytes (got N bytes)" (else). */
cii_rc_t hub_text_check (const char *what, const char *option, const char *value, bool one_line, size_t max,
                         cii_err_t *err);


/*  Frees what done holds (safe twice). */
void hub_wg_done_clear (hub_wg_done_t *done);

/*  Mandates a group: organ ("cdc" or "cp") in meeting (NULL or "": outside a meeting; else one of
    that organ, hub_meeting_allows), on the requests refs[0..n-1], with mandate. All or none:
    refused with nothing stored, CII_BAD_INPUT "the mandate needs its context (--context)" for
    any missing or blank part (in the order of hub_wg_mandate_t), "the title must be one line of
    UTF-8 text of at most 200 bytes", "the context must be UTF-8 text of at most 8000 bytes (got N
    bytes)", "the mandate needs its mandating organ (--mandated-by)", "the date --until must be a
    calendar date YYYY-MM-DD (got \"x\")", "unknown organ
    \"x\": a working group is mandated by the cdc or the cp", "a working group needs at least one
    request (--refs)", "CII-2027-0001 is named twice"; CII_NOT_FOUND "unknown request REF";
    CII_REFUSED for a request its organ may not move to wg-mandated (hub_flow's reason, naming
    it), "CII-2027-0001 is wg-mandated by the cp: the cdc cannot give it a working group", or
    "CII-2027-0001 is already with working group WG-2027-01". A request already wg-mandated (a
    decision of the same organ) stays and is linked. */
cii_rc_t hub_wg_new (hub_store_t *store, const hub_wg_mandate_t *mandate, const char *organ,
                     const char *const *refs, size_t n, const char *meeting, hub_wg_done_t *out, cii_err_t *err);

/*  Group ref reports result (size bytes, UTF-8, at most HUB_WG_MAX_RESULT, stored as it is): its
    requests in wg-mandated move to wg-reported (organ wg; the others have moved on and stay).
    CII_NOT_FOUND "unknown working group REF"; CII_CONFLICT "WG-2027-01 reported already (on
    2027-05-02T...): a group reports once"; CII_BAD_INPUT "the result must be UTF-8 text ..." or
    "the result is empty". */
cii_rc_t hub_wg_report (hub_store_t *store, const char *ref, const char *result, size_t size, hub_wg_done_t *out,
                        cii_err_t *err);

/*  Calls fn for group ref (CII_NOT_FOUND "unknown working group REF" when none), or, with ref
    NULL, for every group (only the overdue ones: past their date without a report, when
    overdue). */
cii_rc_t hub_wg_list (hub_store_t *store, const char *ref, bool overdue, hub_wg_row_fn *fn, void *arg,
                      cii_err_t *err);

#endif
