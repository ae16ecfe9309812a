/*  agent_store_reports.h — the cantons' implementation reports (table `reports`, each with its
    REPORT in the outbox) and the reads of the network's view of recommendations: the versions
    received, their texts, the push queue's state per canton (tables of 0005_recommendations.sql,
    written by the downward handler and the push worker: read here with SQL) and the latest report
    per canton. SQL only; the rules are agent_reports.c's. */
#ifndef AGENT_STORE_REPORTS_H_INCLUDED
#define AGENT_STORE_REPORTS_H_INCLUDED

#include "agent_store.h"
#include "cii_domain.h"

#define AGENT_REPORT_DIGEST_SIZE 65     /* a SHA-256 in hex and its NUL */

/*  Stores report (already checked: agent_reports_add) and queues its REPORT (outbox kind
    "report", the frame of cii_wire_report_envelope), in one transaction. file_name and
    file_digest (may be NULL) record the report file it came from: a (canton, file_digest) pair
    is stored once. *id_p receives the report's id, message_id (may be NULL,
    AGENT_MESSAGE_ID_SIZE bytes) its message id. CII_CONFLICT when a report of that canton has
    file_digest already (nothing stored); CII_BAD_INPUT when the codec refuses the report. */
cii_rc_t agent_store_report_add (agent_store_t *self, const cii_report_t *report, const char *file_name,
                                 const char *file_digest, int64_t *id_p, char *message_id, cii_err_t *err);

/*  The id of canton's report that came from a file of SHA-256 digest. CII_NOT_FOUND when none. */
cii_rc_t agent_store_report_by_digest (agent_store_t *self, const char *canton, const char *digest, int64_t *id_p,
                                       cii_err_t *err);

/*  Report id delivered (the hub's reference "RPT-N" and first-commit time; now as delivered_at),
    or refused by the hub (wire error code and text). */
cii_rc_t agent_store_report_delivered (agent_store_t *self, int64_t id, const char *hub_ref,
                                       int64_t hub_received_at_ms, cii_err_t *err);
cii_rc_t agent_store_report_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err);

/*  One stored report; strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    int64_t version;              /* the version reported on; 0: the latest */
    const char *canton;
    const char *state;
    const char *note;
    const char *source;           /* "cli", "file" */
    const char *file_name;        /* NULL unless from a file */
    const char *file_digest;      /* NULL unless from a file */
    const char *message_id;
    int64_t created_at_ms;
    int64_t delivered_at_ms;      /* 0 until the hub's RECEIPT */
    const char *hub_ref;          /* NULL until delivered */
    int64_t hub_received_at_ms;
    bool refused;
    int refused_code;             /* a wire error code (cii.proto ErrorCode) when refused */
    const char *refused_name;     /* its name ("NOT_AUTHORISED"); NULL unless refused */
    const char *refused_text;     /* NULL unless refused */
} agent_report_row_t;

typedef bool (agent_report_fn) (const agent_report_row_t *row, void *arg);

/*  Calls fn for every report of ref (NULL: any) and canton (NULL: any), oldest first (by id). */
cii_rc_t agent_store_reports_each (agent_store_t *self, const char *ref, const char *canton, agent_report_fn *fn,
                                   void *arg, size_t *count_p, cii_err_t *err);

/*  --- recommendations as received (0005_recommendations.sql) ------------------------------- */

/*  One received version; strings borrowed during the callback. */
typedef struct {
    const char *ref;
    int64_t version;
    int64_t seq;                  /* the inbox item that carried it */
    const char *adopted_on;
    const char *report_by;
    const char *basis;            /* newline list */
    const char *cantons;          /* comma list: the addressed cantons of this network */
    const char *partners;
    bool all_cantons;
    int64_t issued_at_ms;
    const char *note;
    int64_t received_at_ms;
} agent_rec_row_t;

typedef bool (agent_rec_fn) (const agent_rec_row_t *row, void *arg);

/*  The latest version of ref received: fn called once. CII_NOT_FOUND when ref was never
    received. */
cii_rc_t agent_store_rec_latest (agent_store_t *self, const char *ref, agent_rec_fn *fn, void *arg, cii_err_t *err);

/*  Every version of ref received, oldest first (ref NULL: the latest version of every
    recommendation, by ref). */
cii_rc_t agent_store_rec_versions (agent_store_t *self, const char *ref, agent_rec_fn *fn, void *arg,
                                   size_t *count_p, cii_err_t *err);

/*  The text of one version in one language; strings borrowed during the callback. */
typedef bool (agent_rec_text_fn) (const char *language, const char *title, const char *text, void *arg);

/*  Calls fn for the texts of (ref, version), by language. */
cii_rc_t agent_store_rec_texts (agent_store_t *self, const char *ref, int64_t version, agent_rec_text_fn *fn,
                                void *arg, cii_err_t *err);

/*  One push of the queue; strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *ref;
    int64_t version;
    const char *canton;
    const char *idem_key;
    const char *state;            /* "queued", "pushed", "failed" */
    const char *adapter;          /* NULL before the first attempt */
    int64_t attempts;
    const char *last_error;       /* NULL when none */
    const char *detail;           /* NULL when none */
    int64_t created_at_ms;
    int64_t done_at_ms;           /* 0 while queued */
} agent_push_row_t;

typedef bool (agent_push_fn) (const agent_push_row_t *row, void *arg);

/*  Calls fn for every push of ref (every version), by version, canton. */
cii_rc_t agent_store_rec_pushes (agent_store_t *self, const char *ref, agent_push_fn *fn, void *arg,
                                 size_t *count_p, cii_err_t *err);

/*  Calls fn for the latest report of each canton on ref (any version), by canton. */
cii_rc_t agent_store_reports_latest (agent_store_t *self, const char *ref, agent_report_fn *fn, void *arg,
                                     cii_err_t *err);

#endif
