/*  agent_store_signals.h — the cantonal signals the agent queued (table `signals`), each with
    its upward message in the outbox, and what the hub made of it: delivered (its reference and
    time) or refused (the error code and text); read one by one, all, or those of a request. */
#ifndef AGENT_STORE_SIGNALS_H_INCLUDED
#define AGENT_STORE_SIGNALS_H_INCLUDED

#include "agent_store.h"
#include "cii_domain.h"

/*  Stores signal (already checked by the caller: agent_intake) and queues it upward (outbox kind
    "signal", packed by the codec), in one transaction (joins the caller's, so an import stores
    all its signals or none). *id_p receives the signal's id and message_id (may be NULL,
    AGENT_MESSAGE_ID_SIZE bytes) its message id. created_at_ms <= 0 is stored as now.
    CII_BAD_INPUT when the codec refuses the signal (reason in err). */
cii_rc_t agent_store_signal_add (agent_store_t *self, const cii_signal_t *signal, int64_t *id_p, char *message_id,
                                 cii_err_t *err);

/*  Marks signal id delivered: the hub's reference and first-commit time, now as delivered_at. */
cii_rc_t agent_store_signal_delivered (agent_store_t *self, int64_t id, const char *hub_ref,
                                       int64_t hub_received_at_ms, cii_err_t *err);

/*  Marks signal id refused by the hub with a wire error code and its text. */
cii_rc_t agent_store_signal_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err);

/*  One stored signal. Strings are borrowed for the duration of the callback. Lists are comma
    separated CLI names ("social-aid,health"; "" when empty). */
typedef struct {
    int64_t id;
    const char *message_id;
    const char *canton;
    const char *title;
    const char *description;
    const char *institutions;
    const char *target_groups;
    const char *national_reason;
    const char *language;
    int64_t created_at_ms;
    int64_t delivered_at_ms;      /* 0 until the hub's RECEIPT arrived */
    const char *hub_ref;          /* NULL until delivered */
    int64_t hub_received_at_ms;   /* 0 until delivered */
    bool refused;
    int refused_code;             /* a wire error code (cii.proto ErrorCode) when refused */
    const char *refused_name;     /* its name ("NOT_AUTHORISED"); NULL unless refused */
    const char *refused_text;     /* NULL unless refused */
} agent_signal_row_t;

/*  Calls fn for every signal, oldest first (by id), until it returns false; *count_p (may be
    NULL) receives the number fn saw. fn must not write to the store. */
typedef bool (agent_signal_fn) (const agent_signal_row_t *row, void *arg);
cii_rc_t agent_store_signals_each (agent_store_t *self, agent_signal_fn *fn, void *arg, size_t *count_p,
                                   cii_err_t *err);

/*  Reads signal id: fn is called once. CII_NOT_FOUND when there is none. */
cii_rc_t agent_store_signal_get (agent_store_t *self, int64_t id, agent_signal_fn *fn, void *arg, cii_err_t *err);

/*  The id of the signal the hub gave reference hub_ref ("SIG-42"). CII_NOT_FOUND when none has it. */
cii_rc_t agent_store_signal_by_ref (agent_store_t *self, const char *hub_ref, int64_t *id_p, cii_err_t *err);

/*  Calls fn for every signal request request_id consolidates, in its order. */
cii_rc_t agent_store_signals_of_request (agent_store_t *self, int64_t request_id, agent_signal_fn *fn, void *arg,
                                         size_t *count_p, cii_err_t *err);

#endif
