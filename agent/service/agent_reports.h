/*  agent_reports.h — the cantons' implementation reports on the recommendations the network
    received (issue 9), and the network's view of those recommendations:

    - one rule for every report, typed by the coordinator (`cii-agent report`) or dropped as a
      file by a cantonal system (agent_reports_add): the canton is one of this network's, the
      agent received the recommendation and its latest version addresses that canton, the report
      passes cii_report_check ("declined" needs its reason). The report and its REPORT (outbox,
      exactly once upward) are stored in one transaction; a canton's history is kept, never
      overwritten;
    - the import of report files from STATE/reports/CANTON/ (agent_reports_import): each
      completed file is imported once in effect, across crashes (its SHA-256 is stored with the
      report, unique per canton), then moved to done/, or to rejected/ with NAME.error saying why;
    - reads: the history, each received recommendation with its cantons' push and report states,
      and a recommendation's trace (versions, pushes, reports). */
#ifndef AGENT_REPORTS_H_INCLUDED
#define AGENT_REPORTS_H_INCLUDED

#include <czmq.h>

#include "agent_store.h"
#include "agent_store_reports.h"
#include "cii_domain.h"
#include "cii_json.h"

#define AGENT_REPORTS_DIR         "reports"   /* STATE/reports/CANTON/ */
#define AGENT_REPORTS_DONE        "done"
#define AGENT_REPORTS_REJECTED    "rejected"
#define AGENT_REPORT_FILE_MAX     65536       /* bytes of one report file, checked before reading */
#define AGENT_REPORTS_IMPORT_MS   1000        /* the daemon's import period */

/*  A report as given; all borrowed. */
typedef struct {
    const char *ref;              /* "REC-2027-01" (any case) */
    const char *canton;           /* "VD" (any case) */
    const char *state;            /* acknowledged, planned, in-progress, implemented, declined */
    const char *note;             /* may be NULL; required (not blank) for declined */
    uint32_t version;             /* the version reported on; 0: the latest received (stored and sent as
                                     that number) */
    const char *source;           /* "cli" or "file": also chooses the hint of a refusal */
    const char *file_name;        /* source "file": the file's name and ... */
    const char *file_digest;      /* ... its SHA-256 in hex; else NULL */
} agent_report_input_t;

/*  What agent_reports_add stored. */
typedef struct {
    int64_t id;
    char message_id [AGENT_MESSAGE_ID_SIZE];
    char ref [CII_MAX_REF + 1];
    char canton [3];
    int64_t version;              /* the version reported on (the latest when 0 was given) */
} agent_reported_t;

/*  Checks input and stores it with its REPORT in the outbox (one transaction). Refusals (nothing
    stored), one line each: CII_BAD_INPUT for a malformed reference, state or note, "declined
    needs its reason: give --note \"declined, because ...\"" (for a file: give "note");
    CII_NOT_FOUND for an unknown canton, a recommendation this agent did not receive ("no
    recommendation REC-2027-09 was received by this agent") or version; CII_REFUSED for a canton
    of another network ("canton ZH is not in network lemanique (VD, VS, GE)") or one the latest
    version does not address ("REC-2027-01 version 2 is not addressed to VD (only GE, VS)");
    CII_CONFLICT when a report of that canton was imported from a file of that digest already. */
cii_rc_t agent_reports_add (agent_store_t *store, const agent_report_input_t *input, agent_reported_t *reported,
                            cii_err_t *err);

/*  Reads one report file's bytes (text, size: need not be NUL-terminated) into input: ref,
    state, note (NULL when absent) and version (0 when absent), borrowed from *doc_p (a new
    reference: json_decref it after use; NULL on failure); the other fields are zero. Only the
    document is checked here (agent_reports_add checks the report). CII_BAD_INPUT, one line:
    "not UTF-8 text: line L, column C", "line L, column C: REASON" (not JSON), "not a JSON
    object {...}", "unknown member \"x\" (known: rec, state, note, version)", "\"note\" must be
    a string", "\"version\" must be a whole number from 1", "missing \"rec\" (...)", "missing
    \"state\" (...)"; CII_NO_MEMORY. */
cii_rc_t agent_reports_parse (const char *text, size_t size, agent_report_input_t *input, json_t **doc_p,
                              cii_err_t *err);

/*  What one import run did. */
typedef struct {
    size_t imported;              /* new reports */
    size_t duplicates;            /* files imported before (a crash came before the move): moved to done/ */
    size_t rejected;              /* moved to rejected/ with NAME.error */
    size_t left;                  /* left in place after a transient failure (database busy): retried */
} agent_reports_summary_t;

/*  Imports the completed report files under STATE/reports/ (state_dir is the agent's state
    directory): for every folder named after a canton, each file (not its done/ and rejected/
    folders; names starting with '.' or ending in ".tmp" are being written: left alone) is read
    (at most AGENT_REPORT_FILE_MAX bytes, checked before reading; a symbolic link or anything but
    a regular file is refused unread), must be UTF-8 JSON {"rec", "state", "note"?, "version"?}
    and passes agent_reports_add with source "file". Imported (or imported before: same digest)
    files go to CANTON/done/, refused ones to CANTON/rejected/ with NAME.error (one line: why,
    with line and column for bad JSON); a folder named after a canton of another network has its
    files rejected the same way. A name taken in done/ or rejected/ gets a suffix ".1", ".2", ...
    Makes STATE/reports/CANTON/ for the network's cantons when missing (mode 0700). *summary
    (may be NULL) receives the counts. CII_OK even when files were rejected; an error only when
    STATE/reports cannot be read or the configuration not read. */
cii_rc_t agent_reports_import (agent_store_t *store, const char *state_dir, agent_reports_summary_t *summary,
                               cii_err_t *err);

/*  The history: every report of ref (NULL: any; any case) and canton (NULL: any; any case),
    oldest first. CII_BAD_INPUT for a malformed reference, CII_NOT_FOUND for an unknown canton. */
cii_rc_t agent_reports_list (agent_store_t *store, const char *ref, const char *canton, agent_report_fn *fn,
                             void *arg, size_t *count_p, cii_err_t *err);

/*  One addressed canton of a received recommendation, as `cii-agent recommendations` shows it;
    strings borrowed during the callback. */
typedef struct {
    const char *ref;
    int64_t version;              /* the latest version received */
    const char *canton;
    const char *push;             /* its push of that version: "queued", "pushed", "failed"; "none": none */
    const char *state;            /* its latest report's state; "none": nothing reported */
    int64_t reported_at_ms;       /* 0 with "none" */
} agent_rec_cell_t;

typedef bool (agent_rec_cell_fn) (const agent_rec_cell_t *cell, void *arg);

/*  What the walk of the received recommendations is told, per recommendation (by reference):
    its latest version (rec), its titles in the network's languages (title), then each canton it
    addresses (cell). A function may be NULL. */
typedef struct {
    agent_rec_fn *rec;
    agent_rec_text_fn *title;
    agent_rec_cell_fn *cell;
} agent_recs_visitor_t;

/*  Walks every recommendation received. *count_p (may be NULL): how many. */
cii_rc_t agent_reports_recommendations (agent_store_t *store, const agent_recs_visitor_t *visitor, void *arg,
                                        size_t *count_p, cii_err_t *err);

/*  RECEIPT and final ERROR of report id's REPORT (the daemon's kind handlers, inside the
    transaction that clears the outbox entry): delivered (hub reference "RPT-N", time), or
    refused with the code and text (logged). */
cii_rc_t agent_reports_on_receipt (agent_store_t *store, int64_t id, const char *hub_ref, int64_t received_at_ms,
                                   cii_err_t *err);
cii_rc_t agent_reports_on_refusal (agent_store_t *store, int64_t id, int code, const char *text, cii_err_t *err);

/*  Upper-cases a reference or canton key into buf (size bytes); returns buf. */
char *agent_reports_upper (const char *key, char *buf, size_t size);

/*  The daemon's import worker, as a czmq actor; args is the state directory (const char *,
    borrowed until zactor_new returns). It opens its own connection to the state and runs
    agent_reports_import every AGENT_REPORTS_IMPORT_MS (logging what it did), off the daemon's
    event loop, until "$TERM". */
void agent_reports_actor (zsock_t *pipe, void *args);

#endif
