/*  hub_store_trace.h — the few reads the lineage view (`cii-hub trace`, hub/service/hub_trace.c)
    needs beyond the existing listings: the requests that consolidate a signal, the signals of a
    set of requests, and the working groups and projects those requests are linked to. SQL only:
    what a trace contains and in which order is in the service. */
#ifndef HUB_STORE_TRACE_H_INCLUDED
#define HUB_STORE_TRACE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  A reference, as the lists below return them. */
typedef struct {
    char ref [HUB_MAX_REF];
} hub_trace_ref_t;

/*  Whether the signal with hub reference ref ("SIG-42") is stored (*found_p), and the references
    of the requests that consolidate it, by id: a new array *refs_p (free; NULL when none) of
    *count_p. */
cii_rc_t hub_store_trace_signal_requests (hub_store_t *self, const char *ref, bool *found_p,
                                          hub_trace_ref_t **refs_p, size_t *count_p);

/*  One signal of a traced request. Strings borrowed during the callback. */
typedef struct {
    const char *ref;                    /* "SIG-42" */
    const char *network;
    const char *canton;
    const char *language;
    const char *title;
    const char *requests;               /* the traced requests it is in, comma list, by id */
    int64_t received_at_ms;
} hub_trace_signal_row_t;

typedef bool (hub_trace_signal_fn) (const hub_trace_signal_row_t *row, void *arg);

/*  Calls fn for each signal of the requests ids[0..n-1] and the signal with reference ref (NULL:
    none; a signal in no request), once each, by signal id. */
cii_rc_t hub_store_trace_signals (hub_store_t *self, const int64_t *ids, size_t n, const char *ref,
                                  hub_trace_signal_fn *fn, void *arg);

/*  The references of the working groups (kind "wg") or projects (kind "project") linked to one
    of the requests ids[0..n-1], once each, by id: a new array *refs_p (free; NULL when none). */
cii_rc_t hub_store_trace_links (hub_store_t *self, const char *kind, const int64_t *ids, size_t n,
                                hub_trace_ref_t **refs_p, size_t *count_p);

#endif
