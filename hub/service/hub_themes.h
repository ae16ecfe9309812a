/*  hub_themes.h — national themes (NT-YYYY-NN): the bureau groups requests of several networks
    that raise the same problem; breadth (networks, cantons) and criterion C3 are then counted over
    the theme, each request's network is told (STATUS "grouped" with the theme), and a decision on
    the theme applies to each of its requests (hub_flow_decide). */
#ifndef HUB_THEMES_H_INCLUDED
#define HUB_THEMES_H_INCLUDED

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_requests.h"

#define HUB_THEMES_MIN 2            /* requests a theme groups, at least */

/*  What hub_themes_new made. */
typedef struct {
    char ref [HUB_MAX_REF];         /* "NT-2027-03" */
    int64_t id;
    size_t requests;
    size_t networks;
    int64_t at_ms;
} hub_theme_made_t;

/*  Groups the requests refs[0..n-1] into a new theme titled title, in one transaction: the next
    gapless NT reference of the year, each request moved to "grouped" by the bureau (hub_flow_move,
    HUB_BY_THEME: the table must allow it) with the note "NT-2027-03 (networks a, b): TITLE", the
    criteria of each re-evaluated over the theme, and its STATUS queued to its network. Refused,
    nothing stored: CII_BAD_INPUT "the title must be 1..200 bytes of UTF-8 text (got N bytes)", "a
    theme groups at least 2 requests", "CII-2027-0001 is named twice"; CII_NOT_FOUND "unknown request
    X"; CII_CONFLICT "CII-2027-0001 is already in theme NT-2027-01"; hub_flow_check's refusals. */
cii_rc_t hub_themes_new (hub_store_t *store, const char *title, const char *const *refs, size_t n,
                         hub_theme_made_t *out, cii_err_t *err);

/*  Calls fn for every theme, in reference order. */
cii_rc_t hub_themes_list (hub_store_t *store, hub_theme_fn *fn, void *arg, cii_err_t *err);

/*  Calls theme_fn for theme ref, then request_fn for each of its requests. CII_NOT_FOUND "unknown
    theme REF". */
cii_rc_t hub_themes_show (hub_store_t *store, const char *ref, hub_theme_fn *theme_fn, hub_request_fn *request_fn,
                          void *arg, cii_err_t *err);

#endif
