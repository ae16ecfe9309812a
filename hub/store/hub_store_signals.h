/*  hub_store_signals.h — signals received from the networks: how the batch ingest stores one
    (hub_store_signal_shape, reading a cii_signal_t) and the listing. */
#ifndef HUB_STORE_SIGNALS_H_INCLUDED
#define HUB_STORE_SIGNALS_H_INCLUDED

#include "cii_domain.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  The ingest shape of kind "signal": hub_ingest_item_t.item is a const cii_signal_t *. */
extern const hub_ingest_shape_t hub_store_signal_shape;

/*  One stored signal; strings are borrowed and valid only during the callback. institutions and
    target_groups are comma lists of domain names ("social-aid,health"; "" when empty). */
typedef struct {
    int64_t id;
    const char *ref;
    const char *network;
    const char *canton;
    const char *title;
    const char *description;
    const char *institutions;
    const char *target_groups;
    const char *national_reason;
    const char *language;
    int64_t created_at_ms;
    int64_t received_at_ms;
} hub_signal_row_t;

/*  Called for each row; returning false stops the walk. */
typedef bool (hub_signal_fn) (const hub_signal_row_t *row, void *arg);

/*  Calls fn for every stored signal (of network, or all when network is NULL), in id order. */
cii_rc_t hub_store_signals (hub_store_t *self, const char *network, hub_signal_fn *fn, void *arg);

#endif
