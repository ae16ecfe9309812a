/*  agent_store.h — the agent's local state in SQLite (WAL mode, PRAGMA user_version migrations):
    configuration from the enrollment bundle, signals, the durable outbox of upward messages, the
    inbox of downward items (notices). Shared by the daemon and the CLI through the same file,
    DIR/agent.db; every write is one transaction. */
#ifndef AGENT_STORE_H_INCLUDED
#define AGENT_STORE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cii.pb-c.h"
#include "cii_bundle.h"
#include "cii_codec.h"

typedef struct _agent_store_t agent_store_t;

/*  Creates state_dir (mode 0700) if needed and DIR/agent.db (0600) from a loaded bundle. Refuses
    (-1) when DIR/agent.db already exists. reason (size n) receives a one-line reason. */
int agent_store_init (const char *state_dir, const cii_bundle_t *bundle, char *reason, size_t n);

/*  Opens an initialised state directory (WAL, busy timeout, schema migrated). NULL on failure
    with a one-line reason. */
agent_store_t *agent_store_open (const char *state_dir, char *reason, size_t n);

/*  Closes and frees; sets *self_p to NULL; safe on NULL. */
void agent_store_destroy (agent_store_t **self_p);

/*  The configuration the agent was initialised with (keys, network, endpoint, cantons as
    updated by the last WELCOME). 0 / -1. */
int agent_store_config (agent_store_t *self, cii_bundle_t *config);

/*  Replaces the network's canton list (from WELCOME). 0, -2 if a code is not a valid canton
    (nothing changed), -1 on error. */
int agent_store_set_cantons (agent_store_t *self, const char *const *cantons, size_t count);

/*  1 if canton belongs to this agent's network, 0 if not, -1 on error. */
int agent_store_canton_in_network (agent_store_t *self, const char *canton);

/*  Stores a new signal and its upward message (an Envelope with a fresh UUID message id, packed
    by the codec) in the outbox, in one transaction. Returns 0 with *id_p the local signal id and
    message_id (65 bytes) filled; -2 when the codec refuses the signal or its canton is not in
    this agent's network (err, when not NULL, says why; nothing stored); -1 on a storage error. */
int agent_store_add_signal (agent_store_t *self, const Cii__Signal *signal, int64_t *id_p,
                            char *message_id, cii_codec_error_t *err);

/*  Stores count signals as agent_store_add_signal does, all in one transaction: every one is
    stored or none. On 0, ids[i] and message_ids[i] (either may be NULL) receive each signal's id
    and message id. -2 when signal *failed_p (when not NULL) is refused (err says why; nothing
    stored); -1 on a storage error (nothing stored). */
int agent_store_add_signals (agent_store_t *self, const Cii__Signal *const *signals, size_t count,
                             int64_t *ids, char (*message_ids)[65], size_t *failed_p,
                             cii_codec_error_t *err);

/*  --- outbox -------------------------------------------------------------------------------- */

typedef struct {
    int64_t id;
    char message_id[65];
    const uint8_t *data;     /* packed Envelope, borrowed for the duration of the callback */
    size_t size;
    int attempts;            /* sends so far */
} agent_outbox_item_t;

typedef int (agent_outbox_fn) (const agent_outbox_item_t *item, void *arg);

/*  Calls fn for outbox entries due at now_ms (never sent, or next attempt reached), oldest
    first, at most limit. fn returning -1 stops. Returns the number visited, or -1. */
int agent_store_outbox_due (agent_store_t *self, int64_t now_ms, int limit, agent_outbox_fn *fn, void *arg);

/*  Records a send of entry id: attempts + 1, next attempt at next_ms. 0 / -1. */
int agent_store_outbox_sent (agent_store_t *self, int64_t id, int64_t next_ms);

/*  The same for count entries in one transaction (one disk sync for a whole poll). 0 / -1. */
int agent_store_outbox_sent_many (agent_store_t *self, const int64_t *ids, const int64_t *next_ms,
                                  size_t count);

/*  Makes every outbox entry due now (after a new session opened). 0 / -1. */
int agent_store_outbox_reset (agent_store_t *self);

/*  Number of entries in the outbox, or -1. */
int agent_store_outbox_count (agent_store_t *self);

/*  Applies a RECEIPT: removes the outbox entry of receipt->message_id and marks what it carried
    as delivered (signals: delivered_at, hub_ref) in one transaction. 0 applied, 1 unknown
    message id (already receipted: nothing to do), -1 error. */
int agent_store_receipt (agent_store_t *self, const Cii__Receipt *receipt);

/*  Records an ERROR the hub returned for an outbox message: removes the entry and marks the
    signal as refused with code and text (the hub stored nothing; resending would not help).
    0 applied, 1 unknown message id, -1 error. */
int agent_store_refused (agent_store_t *self, const char *message_id, int code, const char *text);

/*  --- downward ------------------------------------------------------------------------------ */

/*  Highest downward sequence held (0 when none), or -1 on error. */
int64_t agent_store_last_seq (agent_store_t *self);

/*  Stores a DELIVER durably (inbox row and the item's own table, e.g. notices) in one transaction
    if deliver->seq == last_seq + 1. Returns 0 stored, 1 duplicate (seq <= last_seq: nothing to do),
    2 gap (seq > last_seq + 1: not stored), -2 unknown item kind, -1 storage error. */
int agent_store_deliver (agent_store_t *self, const Cii__Deliver *deliver);

/*  --- daemon status ------------------------------------------------------------------------- */

/*  Records the daemon's view of the session ("connected", "disconnected", "revoked"), the time
    and the calling process's pid (so `cii-agent status` can tell a dead daemon). 0 / -1. */
int agent_store_set_status (agent_store_t *self, const char *status, const char *detail);

/*  The daemon status last recorded by agent_store_set_status. */
typedef struct {
    char status[32];         /* "connected", "disconnected", "revoked", ... */
    char detail[256];
    int64_t time_ms;         /* when it was recorded, Unix milliseconds */
    int64_t pid;             /* the daemon process that recorded it (0 when unknown) */
} agent_daemon_status_t;

/*  Reads the last recorded daemon status into *status. 0 found, 1 never recorded (status
    zeroed), -1 error. */
int agent_store_get_status (agent_store_t *self, agent_daemon_status_t *status);

/*  --- listings (for the CLI) ---------------------------------------------------------------- */

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
    int64_t delivered_at_ms;     /* 0 until the hub's RECEIPT arrived */
    const char *hub_ref;         /* NULL until delivered */
    int64_t hub_received_at_ms;  /* 0 until delivered */
    bool refused;
    int refused_code;            /* a CII__ERROR_CODE__* value when refused */
    const char *refused_text;    /* NULL unless refused */
} agent_signal_row_t;

typedef int (agent_signal_fn) (const agent_signal_row_t *row, void *arg);

/*  Calls fn for every signal, oldest first (by id). fn must not write to the store; fn
    returning -1 stops. Returns the number visited, or -1. */
int agent_store_signals (agent_store_t *self, agent_signal_fn *fn, void *arg);

/*  One stored notice (a downward item). Strings are borrowed for the duration of the callback;
    networks is a comma list of network names ("" = all networks). */
typedef struct {
    int64_t seq;
    int64_t notice_id;
    const char *title;
    const char *text;
    const char *networks;
    int64_t issued_at_ms;
    int64_t received_at_ms;
} agent_notice_row_t;

typedef int (agent_notice_fn) (const agent_notice_row_t *row, void *arg);

/*  Calls fn for every notice in sequence order. fn must not write to the store; fn returning -1
    stops. Returns the number visited, or -1. */
int agent_store_notices (agent_store_t *self, agent_notice_fn *fn, void *arg);

/*  The schema version of the open store (PRAGMA user_version), or -1. */
int agent_store_schema_version (agent_store_t *self);

#endif
