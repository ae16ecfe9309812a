/*  hub_store_monitor.h — the follow-up of recommendations in the cantons (schema 0014, issue 9): how
    the batch ingest stores a PUSH (an agent's push of one version into one canton's systems) and a
    REPORT (a canton's implementation report), the cells of the monitoring matrix with the facts
    each is made of, and the record of reminders sent. SQL only: what a cell's push state is, when
    a cell is overdue, the shares and the reminder's words are in hub/service/hub_monitor.c. The
    recommendations themselves are read from the tables of schema 0013. */
#ifndef HUB_STORE_MONITOR_H_INCLUDED
#define HUB_STORE_MONITOR_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  The ingest shapes of kinds "push" and "report": hub_ingest_item_t.item is a const cii_push_t *
    / const cii_report_t *, already checked by the codec and authorised (the canton is of the
    sender's network) by the serving hub. Per item, in the batch's transaction: a message id stored
    before gives the original reference (duplicate, conflict as the generic ingest); else the
    recommendation must be held (CII_NOT_FOUND "report names REC-2027-09, which the hub does not
    hold"), so must the version a push names or a report names other than 0 (CII_NOT_FOUND "push
    names REC-2027-01 version 3, which the hub does not hold (its latest is version 2)"), and the
    canton must be addressed by that version (a push) or by the current one (a report):
    CII_REFUSED "REC-2027-01 is not addressed to ZH"; refused items write nothing. Else the
    ingest_log row (ref "PUSH-<id>" / "RPT-<id>") and the rec_pushes / rec_reports row. */
extern const hub_ingest_shape_t hub_store_push_shape;
extern const hub_ingest_shape_t hub_store_report_shape;

/*  One recommendation of the matrix, as stored (its current version). Strings borrowed during the
    callback. */
typedef struct {
    int64_t id;
    const char *ref;                        /* "REC-2027-01" */
    int version;                            /* the current version */
    const char *report_by;                  /* of the current version, "2027-12-31" */
    const char *title;                      /* the current version's French title ("" if none) */
    int addressed;                          /* cantons the current version addresses */
    int days_past;                          /* today - report_by in days (negative before the date) */
} hub_monitor_rec_row_t;

/*  One cell of the matrix, as stored: a canton addressed by a recommendation's current version.
    Strings borrowed during the callback. */
typedef struct {
    int64_t rec_id;
    const char *canton;
    const char *network;                    /* the canton's network now (registry) */
    bool queued;                            /* the version's downward item was queued for an agent of the network */
    bool acked;                             /* ... and acknowledged by one */
    const char *push;                       /* "" or the state of the latest PUSH of the current version */
    const char *push_detail;                /* its detail */
    const char *state;                      /* "" or the state of the latest REPORT (any version) */
    const char *reported_at;                /* "" or its date (Europe/Zurich), "2027-05-02" */
    const char *note;                       /* its note */
} hub_monitor_row_t;

typedef bool (hub_monitor_rec_fn) (const hub_monitor_rec_row_t *rec, void *arg);
typedef bool (hub_monitor_row_fn) (const hub_monitor_row_t *row, void *arg);

/*  Calls rec_fn for every recommendation (by id), then row_fn for every cell, ordered by
    recommendation (id) then canton: only those of recommendation rec, and cells of network, when
    given (NULL or ""). today ("2027-03-10") is the date days_past counts from. Both read one
    snapshot (REPEATABLE READ in a transaction of its own; the caller's otherwise), with JIT off
    and room to sort in memory (the caller's settings put back). */
cii_rc_t hub_store_monitor_cells (hub_store_t *self, const char *rec, const char *network, const char *today,
                                  hub_monitor_rec_fn *rec_fn, hub_monitor_row_fn *row_fn, void *arg);

/*  Whether recommendation rec (when not NULL) and network (when not NULL) exist. */
cii_rc_t hub_store_monitor_known (hub_store_t *self, const char *rec, bool *rec_known, const char *network,
                                  bool *network_known);

/*  Records a reminder: notice notice_id sent to networks[0..n-1] about cells overdue cells. Joins
    the caller's transaction. */
cii_rc_t hub_store_monitor_reminded (hub_store_t *self, int64_t notice_id, const char *const *networks, size_t n,
                                     size_t cells);

#endif
