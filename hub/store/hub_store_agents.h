/*  hub_store_agents.h — enrolled agents: enrolment and revocation (each NOTIFYs the serving hub on
    "cii_agents"), the listing with live status, and what the serving hub records of sessions. */
#ifndef HUB_STORE_AGENTS_H_INCLUDED
#define HUB_STORE_AGENTS_H_INCLUDED

#include "hub_store.h"

/*  The channel enrolments and revocations NOTIFY (payload: the agent id). */
#define HUB_CHANNEL_AGENTS "cii_agents"

typedef struct {
    int64_t id;
    char network [33];
    char public_key [41];   /* Z85 */
    bool revoked;
    bool connected;         /* connected AND last_seen within the last 10 seconds */
    int64_t enrolled_at_ms;
    int64_t revoked_at_ms;  /* 0 when not revoked */
    int64_t last_seen_ms;   /* 0 when never seen */
    int64_t last_seq;       /* highest downward sequence assigned */
    int64_t acked_seq;      /* highest acknowledged: backlog = last_seq - acked_seq */
    int64_t epoch;          /* the downward stream's epoch (0 until a restore or a faulty agent) */
    int64_t epoch_start;    /* the sequence at which that epoch began */
    int64_t replacements;   /* sessions taken over by another connection with the same key */
    int64_t last_replaced_at_ms;  /* when that last happened, 0 when never */
} hub_agent_row_t;

/*  All agents with their status, ordered by network then id, revoked ones included: *count_p rows
    in a new array *rows_p (caller frees with free()). */
cii_rc_t hub_store_agent_list (hub_store_t *self, hub_agent_row_t **rows_p, size_t *count_p);

/*  Enrolls a new agent for network with the Z85 public key; *id_p its id. CII_NOT_FOUND when the
    network is unknown, CII_CONFLICT when the network already has an active (non-revoked) agent or
    the key is enrolled already (err says which). Joins the caller's transaction. */
cii_rc_t hub_store_enroll (hub_store_t *self, const char *network, const char *public_key, int64_t *id_p,
                           cii_err_t *err);

/*  Revokes the active agent of network. CII_NOT_FOUND when it has none. */
cii_rc_t hub_store_revoke (hub_store_t *self, const char *network, cii_err_t *err);

/*  Records sessions opened (connected true) or closed, with last_seen = now, for count agents
    (one statement; rows locked in id order). */
cii_rc_t hub_store_agents_session (hub_store_t *self, const int64_t *agent_ids, const bool *connected,
                                   size_t count);

/*  Sets last_seen = now for count agents (one statement; rows locked in id order). */
cii_rc_t hub_store_agents_seen (hub_store_t *self, const int64_t *agent_ids, size_t count);

/*  Marks every agent disconnected (the serving hub calls this when it starts). */
cii_rc_t hub_store_agents_reset_sessions (hub_store_t *self);

/*  Records the downward stream epoch of count agents: agent_ids[i] is in epochs[i], begun at
    sequence starts[i] (one statement; rows locked in id order; the last given for an agent wins). */
cii_rc_t hub_store_agents_epoch (hub_store_t *self, const int64_t *agent_ids, const int64_t *epochs,
                                 const int64_t *starts, size_t count);

/*  Adds counts[i] session replacements to agent agent_ids[i], last_replaced_at = now (one
    statement; rows locked in id order). */
cii_rc_t hub_store_agents_replaced (hub_store_t *self, const int64_t *agent_ids, const int64_t *counts,
                                    size_t count);

#endif
