/*  hub_store.h — everything the hub keeps in PostgreSQL: schema migrations, the registry (cantons,
    networks), enrolled agents, idempotent ingest of upward messages in batches, the per-agent
    downward queue, notices. The only module of the hub that speaks SQL. Every statement uses $n
    parameters; one wrapper checks results, keeps the SQLSTATE and treats class 08 as "reconnect". */
#ifndef HUB_STORE_H_INCLUDED
#define HUB_STORE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cii.pb-c.h"

typedef struct _hub_store_t hub_store_t;

/*  Connects with a libpq conninfo string (NULL or "" = PG* environment variables). Returns NULL on
    failure after logging the reason; *reason (when given, size n) receives it too. */
hub_store_t *hub_store_new (const char *conninfo, char *reason, size_t n);

/*  Closes the connection and frees the store; sets *self_p to NULL; safe on NULL. */
void hub_store_destroy (hub_store_t **self_p);

/*  Last error of this store: one line, and its SQLSTATE ("" if none). Borrowed strings. */
const char *hub_store_error (hub_store_t *self);
const char *hub_store_sqlstate (hub_store_t *self);

/*  True once the connection was lost (SQLSTATE class 08 or CONNECTION_BAD). */
bool hub_store_broken (hub_store_t *self);

/*  Tries to reconnect a broken connection (and re-LISTEN if listening). 0 ok, -1 still down. */
int hub_store_reconnect (hub_store_t *self);

/*  --- schema ------------------------------------------------------------------------------- */

/*  Schema version this binary carries (highest embedded migration). */
int hub_store_binary_schema_version (void);

/*  Applies every pending embedded migration, each in its own transaction with the version row
    locked. Returns the resulting version, or -1 (error logged). Refuses (-1) when the database
    is newer than this binary. */
int hub_store_migrate (hub_store_t *self);

/*  Current database schema version (0 when no migration applied yet), or -1 on error. */
int hub_store_schema_version (hub_store_t *self);

/*  --- settings and registry ------------------------------------------------------------------ */

/*  Reads/writes a row of the settings table (e.g. "hub_public_key"). get returns a new string the
    caller frees, or NULL if absent/error. set returns 0 / -1. */
char *hub_store_setting_get (hub_store_t *self, const char *key);
int hub_store_setting_set (hub_store_t *self, const char *key, const char *value);

typedef struct {
    char code[3];          /* "VD" */
    char network[33];      /* "lemanique" */
} hub_canton_row_t;

/*  Loads the canton -> network registry. Returns the count and a new array in *rows_p (caller
    frees with free()), or -1. */
int hub_store_cantons (hub_store_t *self, hub_canton_row_t **rows_p);

/*  True if network exists in the registry; -1 on error (as int: 1 yes, 0 no, -1 error). */
int hub_store_network_exists (hub_store_t *self, const char *network);

/*  --- agents -------------------------------------------------------------------------------- */

typedef struct {
    int64_t id;
    char network[33];
    char public_key[41];   /* Z85 */
    bool revoked;
    bool connected;        /* connected AND last_seen within the last 10 seconds */
    int64_t enrolled_at_ms;
    int64_t revoked_at_ms; /* 0 when not revoked */
    int64_t last_seen_ms;  /* 0 when never seen */
    int64_t last_seq;
    int64_t acked_seq;     /* backlog = last_seq - acked_seq */
} hub_agent_info_t;

/*  Loads all agents with their status (for the listings and the serving hub's cache), ordered by
        network then id, revoked ones included. Returns the count and a new array in *rows_p (caller
    frees with free()), or -1. */
int hub_store_agent_list (hub_store_t *self, hub_agent_info_t **rows_p);

/*  Enrolls a new agent for network with the given Z85 public key. Returns its id; -1 on error;
    -2 when the network is unknown; -3 when the network already has an active (non-revoked) agent. */
int64_t hub_store_enroll (hub_store_t *self, const char *network, const char *public_key);

/*  Revokes the active agent of network and NOTIFYs the serving hub. 0 ok, -1 error, -2 no active
    agent for that network. */
int hub_store_revoke (hub_store_t *self, const char *network);

/*  Records a session opened (connected=true) or closed for an agent; sets last_seen = now(). */
int hub_store_agent_session (hub_store_t *self, int64_t agent_id, bool connected);

/*  Sets last_seen = now() for the given agents (one statement). 0 / -1. */
int hub_store_agents_seen (hub_store_t *self, const int64_t *agent_ids, size_t count);

/*  An agent says (HELLO) it holds every downward item up to held, more than this database
    assigned it (the database was restored from an older backup): raises last_seq and acked_seq
    to held so that new items are numbered after what the agent holds. 0 / -1. */
int hub_store_agent_hold (hub_store_t *self, int64_t agent_id, int64_t held);

/*  Marks every agent as disconnected (the serving hub calls this when it starts). */
int hub_store_agents_reset_sessions (hub_store_t *self);

/*  --- upward ingest ------------------------------------------------------------------------- */

typedef struct {
    /* in */
    int64_t agent_id;
    const char *network;              /* the sender's network (already checked by the caller) */
    const Cii__Envelope *env;         /* body: SIGNAL (later: more kinds) */
    /* out, valid after hub_store_ingest returned 0 */
    bool stored;                      /* true: committed now or before; a receipt may be sent */
    bool duplicate;                   /* true: this message id had been stored before */
    char ref[32];                     /* the hub's reference, e.g. "SIG-42" */
    int64_t received_at_ms;           /* first commit time */
} hub_ingest_item_t;

/*  Stores a batch of upward messages with ONE statement (one transaction). A message id already
    stored for that agent is a no-op that yields the original ref and time (duplicate = true).
    Returns 0 when the transaction committed (each item's out fields filled; an item with stored =
    false could not be resolved and must not be receipted), or -1 when nothing was committed. */
int hub_store_ingest (hub_store_t *self, hub_ingest_item_t *items, size_t count);

/*  Looks up an upward message already stored for this agent: 1 found (ref[32] and
    *received_at_ms filled), 0 not stored, -1 error. */
int hub_store_ingest_lookup (hub_store_t *self, int64_t agent_id, const char *message_id, char ref[32],
                             int64_t *received_at_ms);

/*  --- downward ------------------------------------------------------------------------------ */

/*  Records acknowledgements: for each i, agent agent_ids[i] holds everything up to seqs[i]
    (acked_seq only moves forward; downward rows get acked_at). One transaction. 0 / -1. */
int hub_store_acks (hub_store_t *self, const int64_t *agent_ids, const int64_t *seqs, size_t count);

/*  Calls fn for each downward item of agent with seq > after_seq, in sequence order, at most limit
    items. body is the stored packed item (e.g. a packed cii.Notice), kind its name ("notice").
    fn returning -1 stops the walk. Returns the number of items visited, or -1 on error. */
typedef int (hub_downward_fn) (int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg);
int hub_store_downward (hub_store_t *self, int64_t agent_id, int64_t after_seq, int limit,
                        hub_downward_fn *fn, void *arg);

/*  Publishes a bureau notice to all networks (networks NULL / count 0) or to the listed ones: one
    transaction stores the notice and gives every addressed active agent its next sequence, then
    NOTIFYs the serving hub. Returns the notice id; -1 on error; -2 if a network is unknown (or
    the notice breaks a protocol limit: title, text, number of networks). */
int64_t hub_store_notice (hub_store_t *self, const char *title, const char *text,
                          const char *const *networks, size_t count);

/*  --- wake-ups ------------------------------------------------------------------------------ */

/*  LISTENs on the hub's channels ("cii_downward", "cii_agents"). 0 / -1. */
int hub_store_listen (hub_store_t *self);

/*  The connection's socket, for polling (readable = notifications may have arrived); -1 if none. */
int hub_store_socket (hub_store_t *self);

/*  Consumes pending input and notifications. Returns a bit set: 1 = downward work, 2 = agents
    changed; 0 = nothing; -1 = connection lost. Notifications are hints only. */
int hub_store_notifications (hub_store_t *self);

/*  --- transactions and listings (CLI) ------------------------------------------------------- */

/*  Opens / commits / rolls back an explicit transaction on this store's connection, so a caller
    can make several calls atomic (e.g. `enroll` removes the agent again when the bundle cannot be
    written). Functions that need several statements join an open transaction instead of
    starting their own; NOTIFYs are then sent at the caller's commit. 0 / -1. */
int hub_store_begin (hub_store_t *self);
int hub_store_commit (hub_store_t *self);
int hub_store_rollback (hub_store_t *self);


/*  One stored signal; strings are borrowed and valid only during the callback. institutions and
    target_groups are comma lists of domain names ("social-aid,health"; "" when empty). */
typedef struct {
    int64_t id;
    const char *ref;
    const char *network;
    const char *canton;
    const char *title;
    const char *description;
    const char *institutions;
    const char *target_groups;
    const char *national_reason;
    const char *language;
    int64_t created_at_ms;
    int64_t received_at_ms;
} hub_signal_row_t;

typedef int (hub_signal_fn) (const hub_signal_row_t *row, void *arg);

/*  Calls fn for every stored signal (of network, or all when network is NULL), in id order. fn
    returning -1 stops the walk. Returns the number of rows visited, or -1 on error. */
int hub_store_signals (hub_store_t *self, const char *network, hub_signal_fn *fn, void *arg);

/*  One notice with its delivery counts; strings borrowed during the callback. networks is a comma
    list of the addressed networks, "" meaning all. */
typedef struct {
    int64_t id;
    const char *title;
    const char *text;
    const char *networks;
    int64_t issued_at_ms;
    int64_t recipients;    /* agents the notice was queued for */
    int64_t acked;         /* of those, how many acknowledged it */
} hub_notice_row_t;

typedef int (hub_notice_fn) (const hub_notice_row_t *row, void *arg);

/*  Calls fn for every notice in id order. fn returning -1 stops. Returns rows visited, or -1. */
int hub_store_notices (hub_store_t *self, hub_notice_fn *fn, void *arg);

/*  Number of agents a notice was queued for (downward rows), or -1 on error. */
int64_t hub_store_notice_recipients (hub_store_t *self, int64_t notice_id);

#endif
