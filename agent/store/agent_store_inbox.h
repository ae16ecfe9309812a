/*  agent_store_inbox.h — the durable inbox of downward items, any kind (protocol D1-D9), per
    stream epoch (§6.2): the agent follows one epoch of the hub at a time (table `streams`, the
    last row is the current one) and its position is (that epoch, the highest seq held in it, or
    where it entered it). Item `seq` of a kind, as its own packed message, is stored only when seq
    is exactly one more than the position, in one transaction together with what the kind's
    handler makes of it (a notice row, ...). The position is what HELLO says and what ACK
    acknowledges; items of earlier epochs are kept. */
#ifndef AGENT_STORE_INBOX_H_INCLUDED
#define AGENT_STORE_INBOX_H_INCLUDED

#include <protobuf-c/protobuf-c.h>

#include "agent_store.h"
#include "cii_kind.h"

/*  The position in the current epoch: the highest sequence held in it, or the sequence the agent
    entered it at when it holds none yet (0 for a new agent). */
cii_rc_t agent_store_inbox_last_seq (agent_store_t *self, int64_t *seq_p, cii_err_t *err);

/*  The current epoch and the position in it (what HELLO says). */
cii_rc_t agent_store_inbox_position (agent_store_t *self, uint64_t *epoch_p, int64_t *seq_p, cii_err_t *err);

/*  The hub says items now follow resume_seq in epoch (WELCOME). When that is not the current
    epoch, the agent enters it at resume_seq (a new `streams` row; what is held stays) and
    *entered_p (may be NULL) is true; else nothing changes. CII_BAD_INPUT for a resume_seq out of
    range. */
cii_rc_t agent_store_inbox_enter (agent_store_t *self, uint64_t epoch, uint64_t resume_seq, bool *entered_p,
                                  cii_err_t *err);

/*  Called inside the inbox transaction with the item just stored: records it in the kind's own
    terms. Anything but CII_OK rolls the whole item back (it is not held, not acknowledged). */
typedef cii_rc_t (agent_inbox_fn) (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, void *arg,
                                   cii_err_t *err);

/*  What became of a delivered item. */
typedef enum {
    AGENT_INBOX_STORED,           /* seq was the position + 1: held now */
    AGENT_INBOX_DUPLICATE,        /* seq <= the position: nothing to do (acknowledge again) */
    AGENT_INBOX_GAP               /* seq > the position + 1: not stored */
} agent_inbox_outcome_t;

/*  Stores item seq of downward kind (packed by the codec, which checks it) in the current epoch
    and runs fn (may be NULL) in the same transaction, if seq is the position + 1 (read under the
    write lock, so two writers cannot both store it). CII_OK with *outcome_p saying which; else
    nothing is stored: CII_BAD_INPUT for a seq out of range or an item the codec refuses, fn's own
    code when it refuses, or what failed in the store. */
cii_rc_t agent_store_inbox_add (agent_store_t *self, uint64_t seq, const cii_kind_t *kind,
                                const ProtobufCMessage *item, agent_inbox_fn *fn, void *arg,
                                agent_inbox_outcome_t *outcome_p, cii_err_t *err);

/*  The id of the inbox row of item seq in the current epoch, for the kinds' handlers (inside the
    inbox transaction). CII_NOT_FOUND when there is none. */
cii_rc_t agent_store_inbox_item_id (agent_store_t *self, int64_t seq, int64_t *id_p, cii_err_t *err);

/*  One stored item, borrowed for the duration of a callback. */
typedef struct {
    int64_t seq;
    uint64_t epoch;               /* the stream epoch it was numbered in */
    const char *kind;
    const uint8_t *body;          /* the item's own packed message (cii_codec_item_unpack) */
    size_t size;
    int64_t received_at_ms;
} agent_inbox_item_t;

/*  Calls fn for every held item of kind (NULL: every kind) in the order they arrived, until it
    returns false. *count_p (may be NULL) receives the number fn saw. fn must not write to the
    store. */
typedef bool (agent_inbox_item_fn) (const agent_inbox_item_t *item, void *arg);
cii_rc_t agent_store_inbox_each (agent_store_t *self, const char *kind, agent_inbox_item_fn *fn, void *arg,
                                 size_t *count_p, cii_err_t *err);

#endif
