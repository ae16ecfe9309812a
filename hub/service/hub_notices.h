/*  hub_notices.h — bureau notices: one to all networks or to some, queued downward (kind
    "notice") for every active agent addressed, in the same transaction as the notice itself; and
    the listing with how many agents it was queued for and how many acknowledged it. */
#ifndef HUB_NOTICES_H_INCLUDED
#define HUB_NOTICES_H_INCLUDED

#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_notices.h"

/*  What hub_notices_send stored. */
typedef struct {
    int64_t id;
    int64_t issued_at_ms;
    int64_t recipients;         /* active agents it was queued for */
} hub_notice_sent_t;

/*  Sends notice (its title, text and networks; id and time are the hub's): the networks it names
    (none: all) lose their repeats, each must exist; then, in one transaction, the notice is stored
    and packed with its id and time, and queued for every active agent of those networks (NOTIFYing
    the serving hub at commit). Joins the caller's transaction. Refusals, nothing stored:
    CII_BAD_INPUT "the title must be 1..200 bytes of UTF-8 text (got N bytes)", the same for the
    text, "at most 64 networks per notice"; CII_NOT_FOUND "unknown network N" (the first, in the
    order given); any other rule of cii_notice_check with its reason; or the database error. */
cii_rc_t hub_notices_send (hub_store_t *store, const cii_notice_t *notice, hub_notice_sent_t *out, cii_err_t *err);

/*  Calls fn for every notice in id order with its delivery counts. */
cii_rc_t hub_notices_list (hub_store_t *store, hub_notice_fn *fn, void *arg, cii_err_t *err);

#endif
