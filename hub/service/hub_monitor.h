/*  hub_monitor.h — the monitoring of recommendations (plan 3.4, issue 9): who may send a PUSH or a
    REPORT, the canton x recommendation matrix with its roll-ups, the overdue cells and the
    reminders sent about them.

    A cell is a canton addressed by a recommendation's current version. Its push state, first that
    applies: "pushed" / "failed" (the latest PUSH of the current version, failed with its detail),
    "delivered" (the version's downward item was acknowledged by the network's agent, no PUSH yet),
    "queued" (queued for the network's agent, not yet acknowledged), "unsent" (queued for no agent
    of the network: none was enrolled when it was published). Its state: the latest REPORT's
    (acknowledged, planned, in-progress, implemented, declined), "none" when nothing was reported.
    A cell is overdue once today (Europe/Zurich) is past the current version's report_by and its
    state is not final (implemented, declined). Shares are of the cells counted, per network (the
    canton's network now) and national. */
#ifndef HUB_MONITOR_H_INCLUDED
#define HUB_MONITOR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_registry.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  The cell states in their order: the five report states, then "none". */
#define HUB_MONITOR_STATES 6

/*  The push state of a cell, the one rule for the matrix and the trace: the latest PUSH of the
    current version as it came ("pushed", "failed"), else "delivered" (the network's agent
    acknowledged the item: acked), "queued" (queued for it, not yet acknowledged) or "unsent" (no
    agent of the network had it queued). */
const char *hub_monitor_push_state (const char *push, bool queued, bool acked);

/*  The cell state at index (0..HUB_MONITOR_STATES-1; NULL past the end), and the index of a state
    (-1 when it is none of them). */
const char *hub_monitor_state_at (size_t index);
int hub_monitor_state_index (const char *state);

/*  May the agent of network send push / report? Its canton must be in the registry (CII_NOT_FOUND
    "canton XX is not in the registry": UNKNOWN_CANTON on the wire) and belong to network
    (CII_REFUSED "canton ZH belongs to network zuerich, not lemanique": NOT_AUTHORISED). The
    recommendation, its version and its addressees are checked when it is stored
    (hub_store_push_shape, hub_store_report_shape). */
cii_rc_t hub_monitor_authorise_push (const hub_registry_t *registry, const char *network, const cii_push_t *push,
                                     cii_err_t *err);
cii_rc_t hub_monitor_authorise_report (const hub_registry_t *registry, const char *network,
                                       const cii_report_t *report, cii_err_t *err);

/*  One recommendation of a matrix (its current version). */
typedef struct {
    char ref [HUB_MAX_REF];
    int version;
    char report_by [11];                    /* "2027-12-31" */
    char *title;                            /* the French title ("" if none) */
    int addressed;                          /* cantons the version addresses (all of them, whatever the filter) */
    int cells;                              /* its cells in the matrix */
    int overdue;                            /* ... overdue */
    int days_past;                          /* today - report_by, in days (negative before) */
} hub_monitor_rec_t;

/*  One cell. */
typedef struct {
    size_t rec;                             /* index into the matrix's recs */
    char canton [3];
    char network [CII_MAX_NETWORK_NAME + 1];
    const char *push;                       /* "pushed", "failed", "delivered", "queued", "unsent" (static) */
    char *push_detail;                      /* a failed push: why ("" otherwise) */
    const char *state;                      /* a report state or "none" (static) */
    char reported_at [11];                  /* the latest report's date, "" when none */
    char *note;                             /* its note ("" when none) */
    bool overdue;
} hub_monitor_cell_t;

/*  Counts of cells per state, for one network or the nation. */
typedef struct {
    char network [CII_MAX_NETWORK_NAME + 1];   /* "" for the national roll-up */
    int cells;
    int counts [HUB_MONITOR_STATES];        /* by hub_monitor_state_at's index */
} hub_monitor_rollup_t;

/*  A matrix. Everything is its own (hub_monitor_clear frees it). */
typedef struct {
    char today [11];                        /* the date it was built (Europe/Zurich) */
    hub_monitor_rec_t *recs;                /* in id order */
    size_t n_recs;
    hub_monitor_cell_t *cells;              /* by recommendation, then canton */
    size_t count;
    hub_monitor_rollup_t *networks;         /* networks with cells, by name */
    size_t n_networks;
    hub_monitor_rollup_t national;
    size_t overdue;                         /* cells overdue */
} hub_monitor_t;

/*  What a matrix holds: all cells, or only those of a recommendation, of a network, overdue. */
typedef struct {
    const char *rec;                        /* NULL: every recommendation */
    const char *network;                    /* NULL: every network */
    bool overdue;                           /* only the overdue cells (roll-ups and recs count those) */
} hub_monitor_filter_t;

/*  Frees what a matrix holds (safe twice, and on a zeroed one). */
void hub_monitor_clear (hub_monitor_t *monitor);

/*  Builds the matrix (filter may be NULL: everything) into *out (cleared first). A recommendation
    without cells under the filter is left out. CII_NOT_FOUND "unknown recommendation REC-2027-09",
    "unknown network N"; or the database error. */
cii_rc_t hub_monitor_build (hub_store_t *store, const hub_monitor_filter_t *filter, hub_monitor_t *out,
                            cii_err_t *err);

/*  The share (0..1, four decimals) of rollup's cells in state index; 0 when it has none. */
double hub_monitor_share (const hub_monitor_rollup_t *rollup, size_t index);

/*  The overdue cells of monitor in words, as a reminder carries them: a heading line, then per
    network its recommendations with the due date and the cantons overdue. A new string (free),
    NULL out of memory. At most max_bytes (0: no limit): what does not fit is counted in a last
    line instead. */
char *hub_monitor_overdue_text (const hub_monitor_t *monitor, size_t max_bytes);

/*  What hub_monitor_remind sent. */
typedef struct {
    bool sent;                              /* false: nothing was overdue, nothing sent */
    size_t cells;                           /* overdue cells listed */
    size_t n_recs;                          /* recommendations they belong to */
    char *networks;                         /* the networks it went to, comma list (free with _clear) */
    int64_t notice_id;
    int64_t recipients;                     /* agents it was queued for */
    char title [CII_MAX_TITLE + 1];
    char *text;                             /* what the notice says */
} hub_monitor_reminder_t;

/*  Frees what a reminder holds (safe twice, and on a zeroed one). */
void hub_monitor_reminder_clear (hub_monitor_reminder_t *reminder);

/*  Sends one notice (hub_notices_send) to the networks that have overdue cells, listing them
    (hub_monitor_overdue_text; title "Reminder: 5 implementation reports overdue"), and records it
    in rec_reminders, in one transaction. Nothing overdue: CII_OK with out->sent false, nothing
    stored. Or the database error. */
cii_rc_t hub_monitor_remind (hub_store_t *store, hub_monitor_reminder_t *out, cii_err_t *err);

#endif
