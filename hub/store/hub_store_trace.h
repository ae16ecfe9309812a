/*  hub_store_trace.h — the few reads the lineage view (`cii-hub trace`, hub/service/hub_trace.c)
    needs beyond the existing listings: the requests that consolidate a signal, the signals of a
    set of requests, and the working groups and projects those requests are linked to; for a
    recommendation (schema 0013-0015), its basis, its versions and their downward deliveries per
    network, its cantons' latest push and report, its report history. SQL only: what a trace
    contains, in which order, and what a state means, is in the service. */
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

/*  --- recommendations ---------------------------------------------------------------------- */

/*  A recommendation as its trace starts. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;                    /* "REC-2027-01" */
    int version;                        /* its current version */
    const char *meeting;                /* "" or the meeting that adopted it */
    const char *networks;               /* the networks of the requests of its basis, sorted, comma list */
    const char *cantons;                /* their supporting cantons and their signals' cantons, sorted */
    int64_t created_at_ms;
} hub_trace_rec_row_t;

typedef bool (hub_trace_rec_fn) (const hub_trace_rec_row_t *row, void *arg);

/*  Calls fn for the recommendation with reference ref: CII_OK, CII_NOT_FOUND (fn not called), or
    the database error. */
cii_rc_t hub_store_trace_rec (hub_store_t *self, const char *ref, hub_trace_rec_fn *fn, void *arg);

/*  The references of the requests of the basis of recommendation rec_id (recommendation_requests),
    by id: a new array *refs_p (free; NULL when none) of *count_p. */
cii_rc_t hub_store_trace_rec_requests (hub_store_t *self, int64_t rec_id, hub_trace_ref_t **refs_p,
                                       size_t *count_p);

/*  One version of a recommendation. Strings borrowed during the callback. */
typedef struct {
    int version;
    const char *adopted_on;             /* "2027-04-20" */
    const char *report_by;
    bool all_cantons;
    const char *cantons;                /* addressed, sorted, comma list */
    const char *partners;
    const char *basis;                  /* its basis as given, one entry per line (LF) */
    const char *note;                   /* what it changed */
    const char *title_fr;               /* its titles ("" when that language has none) */
    const char *title_de;
    const char *title_it;
    const char *title_rm;
    int64_t issued_at_ms;
} hub_trace_version_row_t;

typedef bool (hub_trace_version_fn) (const hub_trace_version_row_t *row, void *arg);

/*  Calls fn for each version of recommendation rec_id, in order. */
cii_rc_t hub_store_trace_rec_versions (hub_store_t *self, int64_t rec_id, hub_trace_version_fn *fn, void *arg);

/*  One version's downward item to one network: the networks holding an addressed canton of that
    version (registry now) and the networks it was queued for (downward subject
    "recommendation:REF.vN"), once each. Strings borrowed during the callback. */
typedef struct {
    int version;
    const char *network;
    const char *cantons;                /* the version's addressed cantons in that network ("" when none now) */
    int agents;                         /* agents it was queued for (0: none) */
    int acknowledged;                   /* of those, how many acknowledged it */
    int64_t queued_at_ms;               /* when it was queued (0: never) */
    int64_t acked_at_ms;                /* the last acknowledgement (0: none) */
    const char *state;                  /* NULL here: the service says what it means (hub_trace) */
} hub_trace_delivery_row_t;

typedef bool (hub_trace_delivery_fn) (const hub_trace_delivery_row_t *row, void *arg);

/*  Calls fn for each version (in order) and network (by name) of recommendation rec_id, reference
    ref. */
cii_rc_t hub_store_trace_rec_deliveries (hub_store_t *self, int64_t rec_id, const char *ref,
                                         hub_trace_delivery_fn *fn, void *arg);

/*  One canton of a recommendation: addressed by its current version, or with a push or report of
    it. Strings borrowed during the callback. */
typedef struct {
    const char *canton;
    const char *network;                /* its network now */
    bool addressed;                     /* by the current version */
    bool queued;                        /* the current version's item was queued for its network's agent */
    bool delivered;                     /* ... and acknowledged */
    const char *push_state;             /* the latest PUSH of the current version: "pushed", "failed", "" none */
    const char *adapter;                /* its adapter ("" none) */
    const char *push_detail;
    int push_attempts;
    int64_t pushed_at_ms;               /* when it ended, as the agent said (0: none) */
    const char *report_state;           /* the latest REPORT (any version), "" none */
    int report_version;                 /* the version it was about (0: the latest the canton had) */
    const char *note;
    int64_t reported_at_ms;             /* 0: none */
    const char *push;                   /* NULL here: the service's cell states (hub_trace) */
    const char *state;
} hub_trace_canton_row_t;

typedef bool (hub_trace_canton_fn) (const hub_trace_canton_row_t *row, void *arg);

/*  Calls fn for each canton of recommendation rec_id, reference ref, by code. */
cii_rc_t hub_store_trace_rec_cantons (hub_store_t *self, int64_t rec_id, const char *ref, hub_trace_canton_fn *fn,
                                      void *arg);

/*  One report of a canton, as received. Strings borrowed during the callback. */
typedef struct {
    const char *canton;
    const char *network;                /* the network that sent it */
    int version;                        /* 0: the latest the canton had */
    const char *state;
    const char *note;
    const char *source;                 /* how the agent got it ("cli", "file", ...; "" unknown) */
    int64_t at_ms;                      /* when the canton reported it */
    int64_t received_at_ms;
} hub_trace_report_row_t;

typedef bool (hub_trace_report_fn) (const hub_trace_report_row_t *row, void *arg);

/*  Calls fn for each report of recommendation rec_id, in the order received. */
cii_rc_t hub_store_trace_rec_reports (hub_store_t *self, int64_t rec_id, hub_trace_report_fn *fn, void *arg);

#endif
