/*  hub_store_notices.h — bureau notices: the stored notice (its downward items are queued by the
    notices service through hub_store_downward) and the listing with delivery counts. */
#ifndef HUB_STORE_NOTICES_H_INCLUDED
#define HUB_STORE_NOTICES_H_INCLUDED

#include "cii_domain.h"
#include "hub_store.h"

/*  The downward subject of notice id ("notice:42") into buf[32]. */
void hub_store_notice_subject (int64_t id, char buf [32]);

/*  Inserts a notice (title, text, networks; id and time are assigned): *id_p and *issued_at_ms_p
    receive them. Joins the caller's transaction. */
cii_rc_t hub_store_notice_add (hub_store_t *self, const cii_notice_t *notice, int64_t *id_p,
                               int64_t *issued_at_ms_p);

/*  CII_OK if every network exists; else CII_NOT_FOUND with err "unknown network NAME". */
cii_rc_t hub_store_networks_exist (hub_store_t *self, const char *const *networks, size_t count, cii_err_t *err);

/*  One notice with its delivery counts; strings borrowed during the callback. networks is a comma
    list of the addressed networks, "" meaning all. */
typedef struct {
    int64_t id;
    const char *title;
    const char *text;
    const char *networks;
    int64_t issued_at_ms;
    int64_t recipients;     /* agents the notice was queued for */
    int64_t acked;          /* of those, how many acknowledged it */
} hub_notice_row_t;

/*  Called for each row; returning false stops the walk. */
typedef bool (hub_notice_fn) (const hub_notice_row_t *row, void *arg);

/*  Calls fn for every notice in id order. */
cii_rc_t hub_store_notices (hub_store_t *self, hub_notice_fn *fn, void *arg);

#endif
