/*  agent_kinds.h — the agent's handlers of domain message kinds (proto/cii_kind.h), one small
    table per direction, and the dispatchers the daemon calls:

    - downward: for each kind, the handler that turns a delivered item into domain terms and
      stores it, inside the inbox transaction that holds the item (agent_kinds_deliver);
    - upward: for each kind, what a RECEIPT (delivered: the hub's reference and time) and a final
      ERROR (refused: the code and text) change in the record an outbox entry stands for
      (agent_kinds_receipt, agent_kinds_refused), inside the transaction that clears the entry.

    Adding a kind is: its message in cii.proto, its codec limits (cii_kind.c), one entry here
    (s_down or s_up in agent_kinds.c), and nothing else: the outbox, the inbox and the daemon never
    name a kind. A kind registered at run time (cii_kind_register) gets its handlers with
    agent_kinds_register_down / _up (tests do; no product code changes). */
#ifndef AGENT_KINDS_H_INCLUDED
#define AGENT_KINDS_H_INCLUDED

#include <protobuf-c/protobuf-c.h>

#include "agent_store.h"
#include "agent_store_inbox.h"
#include "cii.pb-c.h"
#include "cii_kind.h"

/*  Stores downward item seq (already checked by the codec: item is of the kind's descriptor) in
    the kind's own terms. Called inside the inbox transaction: anything but CII_OK rolls the item
    back (not held, not acknowledged; the hub resends it). */
typedef cii_rc_t (agent_down_fn) (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err);

typedef struct {
    const char *kind;             /* the name of a CII_DOWN kind of cii_kind.h, e.g. "notice" */
    agent_down_fn *store;         /* may be NULL: the inbox row alone holds the item */
} agent_down_handler_t;

/*  What a RECEIPT changes in record ref_id (as given to agent_store_outbox_add). */
typedef cii_rc_t (agent_receipt_fn) (agent_store_t *store, int64_t ref_id, const char *hub_ref,
                                     int64_t hub_received_at_ms, cii_err_t *err);

/*  What a final ERROR (the hub stored nothing and never will) changes in record ref_id; code is
    the wire ErrorCode. */
typedef cii_rc_t (agent_refusal_fn) (agent_store_t *store, int64_t ref_id, int code, const char *text, cii_err_t *err);

typedef struct {
    const char *kind;             /* the name of a CII_UP kind of cii_kind.h, e.g. "signal" */
    agent_receipt_fn *receipt;    /* may be NULL: nothing to record */
    agent_refusal_fn *refused;    /* may be NULL */
} agent_up_handler_t;

/*  Registers handlers for a kind (registered with cii_kind_register first, of that direction).
    The entry is borrowed and must outlive its use. CII_OK; CII_CONFLICT when the kind has
    handlers already; CII_BAD_INPUT when no kind of that name and direction exists;
    CII_NO_MEMORY when the table is full. Not thread-safe: register before starting a daemon. */
cii_rc_t agent_kinds_register_down (const agent_down_handler_t *handler);
cii_rc_t agent_kinds_register_up (const agent_up_handler_t *handler);

/*  Removes handlers registered above (tests clean up); no-op for others. */
void agent_kinds_unregister_down (const agent_down_handler_t *handler);
void agent_kinds_unregister_up (const agent_up_handler_t *handler);

/*  The handlers of a kind, or NULL. */
const agent_down_handler_t *agent_kinds_down (const char *kind);
const agent_up_handler_t *agent_kinds_up (const char *kind);

/*  --- dispatch (the daemon) ------------------------------------------------------------------ */

/*  Stores the item a decoded DELIVER carries (protocol D3): its kind found by the codec, packed
    into the inbox as item `seq` and handed to the kind's handler, in one transaction. Results as
    agent_store_inbox_add: CII_OK and *outcome_p stored, duplicate or gap; else nothing stored
    (the handler's refusal included). A kind without handlers is held in the inbox alone
    (logged). */
cii_rc_t agent_kinds_deliver (agent_store_t *store, const Cii__Envelope *deliver, agent_inbox_outcome_t *outcome_p,
                              cii_err_t *err);

/*  Applies a RECEIPT (protocol U5): the outbox entry of receipt->message_id leaves and its kind's
    receipt handler records the delivery, in one transaction. CII_NOT_FOUND for an id that is not
    in the outbox (receipted before: nothing to do). */
cii_rc_t agent_kinds_receipt (agent_store_t *store, const Cii__Receipt *receipt, cii_err_t *err);

/*  Applies a final ERROR naming message_id (protocol U7): the entry leaves and its kind's refusal
    handler records code and text, in one transaction. CII_NOT_FOUND as above. */
cii_rc_t agent_kinds_refused (agent_store_t *store, const char *message_id, int code, const char *text,
                              cii_err_t *err);

#endif
