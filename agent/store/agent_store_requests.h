/*  agent_store_requests.h — the coordinator's requests in the agent's state (tables `requests`,
    `request_signals`, `request_lineage`, `request_withdrawals`, `request_history`,
    `request_criteria`): drafts and what became of them, the signals each consolidates, where each
    came from (merged, split), its withdrawals, and what the hub said about it in STATUS items.
    SQL only: which change is allowed in which state is agent/service/agent_requests.c's. */
#ifndef AGENT_STORE_REQUESTS_H_INCLUDED
#define AGENT_STORE_REQUESTS_H_INCLUDED

#include "agent_store.h"
#include "cii_domain.h"

/*  One request as stored. Strings are borrowed for the duration of a callback (or from the
    caller, when written); lists are comma separated ("VD,GE"; "" when empty). */
typedef struct {
    int64_t id;
    const char *state;            /* "draft", "merged", "forwarded", "refused", or the hub's */
    const char *origin;           /* "agent"; "hub" when known only from a STATUS */
    const char *title;
    const char *summary;
    const char *assessment;
    const char *language;
    const char *objectives;       /* CLI names, in enum order */
    const char *priorities;
    const char *support;          /* cantons added by the coordinator */
    const char *institutions;     /* derived from the signals while a draft, frozen at forward */
    const char *target_groups;
    const char *cantons;          /* the signals' cantons and the support */
    const char *national_reason;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    const char *message_id;       /* the REQUEST's; NULL before forward */
    int64_t forwarded_at_ms;      /* 0 before forward */
    const char *hub_ref;          /* the national reference; NULL until known */
    int64_t hub_received_at_ms;   /* 0 until the RECEIPT */
    bool refused;                 /* the hub refused the REQUEST */
    int refused_code;             /* its wire error code */
    const char *refused_name;     /* read only: its name ("UNKNOWN_REFERENCE"); NULL unless refused */
    const char *refused_text;     /* NULL unless refused */
    int64_t refused_at_ms;
    const char *theme;            /* "" or "NT-2027-03" */
    const char *signals;          /* read only: local signal ids in order ("3,7") */
} agent_request_row_t;

/*  Inserts row (every field but id and signals) as a new request; *id_p receives its id. */
cii_rc_t agent_store_request_insert (agent_store_t *self, const agent_request_row_t *row, int64_t *id_p,
                                     cii_err_t *err);

/*  Writes every field of row (but signals) to request row->id. CII_NOT_FOUND when there is none;
    CII_CONFLICT when message_id is another request's. */
cii_rc_t agent_store_request_update (agent_store_t *self, const agent_request_row_t *row, cii_err_t *err);

/*  Replaces the signals of request id by the count local signal ids, in that order. */
cii_rc_t agent_store_request_signals_set (agent_store_t *self, int64_t id, const int64_t *signal_ids, size_t count,
                                          cii_err_t *err);

/*  Reads request id: fn is called once. CII_NOT_FOUND when there is none. */
typedef bool (agent_request_fn) (const agent_request_row_t *row, void *arg);
cii_rc_t agent_store_request_get (agent_store_t *self, int64_t id, agent_request_fn *fn, void *arg, cii_err_t *err);

/*  The request whose REQUEST had message_id, or (when message_id is NULL or unknown and ref is
    not NULL) the one with national reference ref. CII_NOT_FOUND when there is none. */
cii_rc_t agent_store_request_find (agent_store_t *self, const char *message_id, const char *ref, int64_t *id_p,
                                   cii_err_t *err);

/*  Which requests agent_store_requests_each reads: NULL members (0 for signal_id) match all. */
typedef struct {
    const char *state;            /* exactly this state */
    const char *canton;           /* among its cantons (signalled or supporting) */
    int64_t signal_id;            /* consolidates this signal */
} agent_request_filter_t;

/*  Calls fn for every request that filter (may be NULL) matches, by id, until it returns false;
    *count_p (may be NULL) receives the number fn saw. fn must not write to the store. */
cii_rc_t agent_store_requests_each (agent_store_t *self, const agent_request_filter_t *filter, agent_request_fn *fn,
                                    void *arg, size_t *count_p, cii_err_t *err);

/*  --- lineage ------------------------------------------------------------------------------- */

/*  Records that request id stands in relation ("merged-from", "merged-into", "split-from",
    "split-into") to request other_id since at_ms. */
cii_rc_t agent_store_request_lineage_add (agent_store_t *self, int64_t id, const char *relation, int64_t other_id,
                                          int64_t at_ms, cii_err_t *err);

typedef struct {
    const char *relation;
    int64_t other_id;
    const char *other_title;
    const char *other_ref;        /* the other's national reference, NULL when it has none */
    int64_t at_ms;
} agent_lineage_row_t;

typedef bool (agent_lineage_fn) (const agent_lineage_row_t *row, void *arg);
cii_rc_t agent_store_request_lineage_each (agent_store_t *self, int64_t id, agent_lineage_fn *fn, void *arg,
                                           size_t *count_p, cii_err_t *err);

/*  --- withdrawals --------------------------------------------------------------------------- */

/*  Records a withdrawal of request request_id queued as message_id; *id_p its id. */
cii_rc_t agent_store_withdrawal_add (agent_store_t *self, int64_t request_id, const char *message_id,
                                     const char *reason, int64_t *id_p, cii_err_t *err);

/*  The hub received withdrawal id (its RECEIPT), or refused it (code and text). */
cii_rc_t agent_store_withdrawal_delivered (agent_store_t *self, int64_t id, int64_t hub_received_at_ms,
                                           cii_err_t *err);
cii_rc_t agent_store_withdrawal_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err);

typedef struct {
    int64_t id;
    int64_t request_id;
    const char *message_id;
    const char *reason;
    int64_t created_at_ms;
    int64_t delivered_at_ms;      /* 0 until the RECEIPT */
    int64_t hub_received_at_ms;
    bool refused;
    int refused_code;
    const char *refused_name;     /* NULL unless refused */
    const char *refused_text;     /* NULL unless refused */
} agent_withdrawal_row_t;

typedef bool (agent_withdrawal_fn) (const agent_withdrawal_row_t *row, void *arg);
cii_rc_t agent_store_withdrawals_each (agent_store_t *self, int64_t request_id, agent_withdrawal_fn *fn, void *arg,
                                       size_t *count_p, cii_err_t *err);

/*  --- what the hub said: STATUS items -------------------------------------------------------- */

/*  Records status, received as the inbox row inbox_id, in the history of request request_id. */
cii_rc_t agent_store_request_history_add (agent_store_t *self, int64_t request_id, int64_t inbox_id,
                                          const cii_status_t *status, cii_err_t *err);

/*  Replaces the criteria of request request_id by status's (received as inbox row inbox_id). */
cii_rc_t agent_store_request_criteria_set (agent_store_t *self, int64_t request_id, int64_t inbox_id,
                                           const cii_criterion_t *criteria, size_t count, cii_err_t *err);

typedef struct {
    const char *ref;
    const char *state;
    const char *organ;
    int64_t at_ms;
    const char *note;
    const char *theme;
    int64_t received_at_ms;
    const char *meeting;          /* "" or the CDC or CP meeting it was decided in, "M-2027-02" */
} agent_history_row_t;

/*  The history of request id in the order it was received. */
typedef bool (agent_history_fn) (const agent_history_row_t *row, void *arg);
cii_rc_t agent_store_request_history_each (agent_store_t *self, int64_t id, agent_history_fn *fn, void *arg,
                                           size_t *count_p, cii_err_t *err);

/*  The criteria of request id as last received, in the order they came. */
typedef bool (agent_criterion_fn) (const cii_criterion_t *criterion, void *arg);
cii_rc_t agent_store_request_criteria_each (agent_store_t *self, int64_t id, agent_criterion_fn *fn, void *arg,
                                            size_t *count_p, cii_err_t *err);

#endif
