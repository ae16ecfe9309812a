/*  agent_store_outbox.h — the durable outbox of upward messages, any kind (protocol U1-U7): each
    entry is a packed Envelope with its message id, the kind it carries and the local record it
    stands for (ref_id: a signal's id, ...), its sends and its next attempt. An entry is written
    in the same transaction as the record it carries and leaves only on RECEIPT or a final ERROR,
    in the same transaction as what that changes in the record (agent_store_outbox_settle). An
    entry may wait for others (agent_store_outbox_add_after): it is not due while any of them is
    still in the outbox (a REQUEST waits for the receipts of its signals). */
#ifndef AGENT_STORE_OUTBOX_H_INCLUDED
#define AGENT_STORE_OUTBOX_H_INCLUDED

#include <protobuf-c/protobuf-c.h>

#include "agent_store.h"
#include "cii_kind.h"

#define AGENT_OUTBOX_DUE_MAX   4096     /* entries read by one agent_store_outbox_due */

/*  Packs item as the body of an Envelope of upward kind with message_id (fresh and unique:
    cii_util_uuid; CII_CONFLICT when the outbox has it already) and queues it for record ref_id,
    in one transaction (joins the caller's: queue an entry together with its record). The codec
    checks the item: CII_BAD_INPUT with its reason when it refuses it. */
cii_rc_t agent_store_outbox_add (agent_store_t *self, const cii_kind_t *kind, const ProtobufCMessage *item,
                                 int64_t ref_id, const char *message_id, cii_err_t *err);

/*  Queues data, an Envelope of kind already packed and checked by proto/ (cii_wire_report_envelope,
    cii_wire_push_envelope) with message_id, for record ref_id, created at created_at_ms; joins the
    caller's transaction. CII_CONFLICT when the outbox has message_id already. */
cii_rc_t agent_store_outbox_add_frame (agent_store_t *self, const char *kind, int64_t ref_id, const char *message_id,
                                       const uint8_t *data, size_t size, int64_t created_at_ms, cii_err_t *err);

/*  agent_store_outbox_add, and the entry is held (not due) while any of the n_after entries
    named by message id in after is still in the outbox; ids not in the outbox hold nothing. */
cii_rc_t agent_store_outbox_add_after (agent_store_t *self, const cii_kind_t *kind, const ProtobufCMessage *item,
                                       int64_t ref_id, const char *message_id, const char *const *after,
                                       size_t n_after, cii_err_t *err);

/*  Entries held now because an entry they wait for is still in the outbox. */
cii_rc_t agent_store_outbox_held (agent_store_t *self, int64_t *count_p, cii_err_t *err);

/*  One outbox entry, borrowed for the duration of a callback. */
typedef struct {
    int64_t id;
    char message_id [AGENT_MESSAGE_ID_SIZE];
    char kind [32];
    int64_t ref_id;
    const uint8_t *data;          /* the packed Envelope */
    size_t size;
    int attempts;                 /* sends so far */
} agent_outbox_item_t;

/*  Calls fn for the entries due at now_ms (never sent, or their next attempt reached, and not
    held by an entry they wait for), oldest
    first, at most limit (capped at AGENT_OUTBOX_DUE_MAX), until fn returns false. The entries are
    read first, so fn may write to the store. *visited_p (may be NULL) receives the count. */
typedef bool (agent_outbox_fn) (const agent_outbox_item_t *item, void *arg);
cii_rc_t agent_store_outbox_due (agent_store_t *self, int64_t now_ms, size_t limit, agent_outbox_fn *fn,
                                 void *arg, size_t *visited_p, cii_err_t *err);

/*  Records that count entries were sent (attempts + 1, next attempt at next_ms[i]), in one
    transaction: one disk sync for a whole poll. */
cii_rc_t agent_store_outbox_sent (agent_store_t *self, const int64_t *ids, const int64_t *next_ms, size_t count,
                                  cii_err_t *err);

/*  Makes every entry due now (a new session opened). */
cii_rc_t agent_store_outbox_reset (agent_store_t *self, cii_err_t *err);

/*  Number of entries. */
cii_rc_t agent_store_outbox_count (agent_store_t *self, int64_t *count_p, cii_err_t *err);

/*  Removes the entry of message_id and, in the same transaction, calls fn with the kind and
    ref_id it carried so the record can be updated (a failure of fn rolls everything back).
    CII_NOT_FOUND when no entry has that id (already settled: nothing to do). */
typedef cii_rc_t (agent_outbox_settle_fn) (agent_store_t *store, const char *kind, int64_t ref_id, void *arg,
                                           cii_err_t *err);
cii_rc_t agent_store_outbox_settle (agent_store_t *self, const char *message_id, agent_outbox_settle_fn *fn,
                                    void *arg, cii_err_t *err);

#endif
