/*  hub_store_downward.h — the per-agent downward queue, for items of any kind: (agent, seq 1, 2,
    3, ... without gaps, kind, the item's own packed message, subject). Producers (notices, status
    changes, recommendations) queue items inside their own transaction; the serving hub reads them
    in order, sends them, and records acknowledgements. Rows are never deleted before their
    acknowledgement. Each agent's highest assigned sequence is its head (downward_heads, schema
    0016), apart from its agents row where the acknowledged position is: producers and the serving
    hub never wait for each other. */
#ifndef HUB_STORE_DOWNWARD_H_INCLUDED
#define HUB_STORE_DOWNWARD_H_INCLUDED

#include "hub_store.h"

/*  The channel queueing NOTIFYs (payload: the subject): a wake-up hint for the serving hub. */
#define HUB_CHANNEL_DOWNWARD "cii_downward"

/*  One item to queue: kind is a downward kind's name, body its packed message
    (cii_codec_item_pack, size bytes), networks the n_networks networks whose active agent gets it
    (all networks when n_networks is 0), subject what it is about, for counts ("notice:42"; NULL:
    none). All borrowed. */
typedef struct {
    const char *kind;
    const uint8_t *body;
    size_t size;
    const char *const *networks;
    size_t n_networks;
    const char *subject;
} hub_downward_item_t;

/*  Queues count items with one statement: every active agent addressed by an item gets it at its
    next sequence, an agent's items in the order given (gapless per agent). The heads of all agents
    the batch addresses (downward_heads, never an agents row) are locked once, in agent id order,
    so batches of several networks neither deadlock with each other nor wait for the serving hub's
    acknowledgements, which never lock them. NOTIFYs the serving hub at commit (payload: each
    item's subject, else its kind). Joins the caller's transaction. recipients (when not NULL,
    count entries) receives for each item how many agents it was queued for. */
cii_rc_t hub_store_downward_queue_many (hub_store_t *self, const hub_downward_item_t *items, size_t count,
                                        int64_t *recipients);

/*  hub_store_downward_queue_many of one item. *recipients_p (when not NULL) receives how many
    agents it was queued for. A transaction that queues several items should queue them in one
    call of hub_store_downward_queue_many: one statement, and heads locked once in id order. */
cii_rc_t hub_store_downward_queue (hub_store_t *self, const char *kind, const uint8_t *body, size_t size,
                                   const char *const *networks, size_t n_networks, const char *subject,
                                   int64_t *recipients_p);

/*  Records acknowledgements: agent agent_ids[i] holds everything up to seqs[i] (acked_seq only
    moves forward and never past the committed last_seq; the rows in between get acked_at). One
    statement; it locks agents rows (id order) and never a head, so it never waits for a producer
    whose transaction is open. */
cii_rc_t hub_store_acks (hub_store_t *self, const int64_t *agent_ids, const int64_t *seqs, size_t count);

/*  What to read for one agent: the items after after_seq, at most limit. */
typedef struct {
    int64_t agent_id;
    int64_t after_seq;
    int limit;
} hub_fetch_t;

/*  Called for each item read; body is borrowed for the duration of the call. */
typedef void (hub_downward_fn) (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body,
                                size_t size, void *arg);

/*  Reads the items of count agents with one statement, each agent's in sequence order. */
cii_rc_t hub_store_downward_fetch (hub_store_t *self, const hub_fetch_t *fetch, size_t count,
                                   hub_downward_fn *fn, void *arg);

/*  Agents an item with this subject was queued for, and how many acknowledged it. */
cii_rc_t hub_store_downward_counts (hub_store_t *self, const char *subject, int64_t *recipients_p,
                                    int64_t *acked_p);

#endif
