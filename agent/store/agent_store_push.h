/*  agent_store_push.h — recommendations as the agent holds them and the durable push queue
    (schema/agent/0005_recommendations.sql): each delivered version with its texts, each canton's
    push adapter (table canton_push), and one `pushes` row per (recommendation, version, canton),
    queued in the inbox transaction that stores the version, before any attempt. A push that ends
    (pushed, failed) is marked and its PUSH queued in the outbox in one transaction.

    Other parts may read these tables directly (the schema is the contract); the functions here
    are the ones the push service, the CLI and the kind handlers use. */
#ifndef AGENT_STORE_PUSH_H_INCLUDED
#define AGENT_STORE_PUSH_H_INCLUDED

#include "agent_store.h"
#include "cii_domain.h"

#define AGENT_PUSH_KEY_SIZE   48       /* "REC-2027-01.v2.VD" and its NUL, with room */
#define AGENT_PUSH_TARGET     1024     /* a command, folder, URL or secret file path */

/*  Stores version rec->version of recommendation rec->ref (its texts included) as carried by
    inbox item seq (joins the caller's transaction). A version held already is left as it is
    (CII_OK): the same version delivered again changes nothing. */
cii_rc_t agent_store_rec_add (agent_store_t *self, int64_t seq, const cii_recommendation_t *rec, cii_err_t *err);

/*  The idempotency key of a push, "REF.vVERSION.CANTON", into key[AGENT_PUSH_KEY_SIZE]. */
void agent_store_push_key (const char *ref, uint32_t version, const char *canton, char key [AGENT_PUSH_KEY_SIZE]);

/*  Queues the push of (ref, version) into canton (joins the caller's transaction); a push queued
    already is left as it is. *added_p (may be NULL) says whether a row was added. */
cii_rc_t agent_store_push_enqueue (agent_store_t *self, const char *ref, uint32_t version, const char *canton,
                                   bool *added_p, cii_err_t *err);

/*  --- adapters -------------------------------------------------------------------------------- */

/*  A canton's push adapter as the coordinator set it. adapter "none" when no row exists. */
typedef struct {
    char canton [3];
    char adapter [16];                 /* "none", "exec", "dir", "webhook" */
    char command [AGENT_PUSH_TARGET];  /* exec */
    char path [AGENT_PUSH_TARGET];     /* dir */
    char url [AGENT_PUSH_TARGET];      /* webhook */
    char secret_file [AGENT_PUSH_TARGET];
    int timeout_ms;                    /* exec, webhook */
    int64_t updated_at_ms;
} agent_canton_push_t;

/*  Sets canton's adapter (replacing the row) in one transaction; the values as given: checking
    them is the service's (agent_push_canton_set). */
cii_rc_t agent_store_canton_push_set (agent_store_t *self, const agent_canton_push_t *push, cii_err_t *err);

/*  Reads canton's adapter into *push (adapter "none", timeout 30 s when no row). */
cii_rc_t agent_store_canton_push_get (agent_store_t *self, const char *canton, agent_canton_push_t *push,
                                      cii_err_t *err);

/*  --- the queue ------------------------------------------------------------------------------- */

/*  One push row, copied. */
typedef struct {
    int64_t id;
    char ref [32];
    uint32_t version;
    char canton [3];
    char idem_key [AGENT_PUSH_KEY_SIZE];
    char state [16];                   /* "queued", "pushed", "failed" */
    char adapter [16];                 /* of the last attempt ("" before any) */
    int attempts;
    int64_t next_attempt_ms;
    int64_t first_attempt_ms;          /* 0 before any */
    char last_error [CII_MAX_DETAIL + 1];
    char detail [CII_MAX_DETAIL + 1];
    int64_t created_at_ms;
    int64_t done_at_ms;
    char hub_ref [32];                 /* the hub's receipt of its PUSH ("" until then) */
} agent_push_entry_t;

/*  The first queued push due at now_ms whose canton has an adapter other than none (oldest
    first), into *row. CII_NOT_FOUND when none is due. */
cii_rc_t agent_store_push_next_due (agent_store_t *self, int64_t now_ms, agent_push_entry_t *row, cii_err_t *err);

/*  Records an attempt about to start (attempts + 1, its adapter, the first attempt's time, the
    next attempt at next_ms should this one never end), in one transaction, before the attempt:
    an agent killed mid-push finds the row queued and tries again with the same key. */
cii_rc_t agent_store_push_attempt (agent_store_t *self, int64_t id, const char *adapter, int64_t now_ms,
                                   int64_t next_ms, cii_err_t *err);

/*  Records a failed attempt to be retried at next_ms, with its reason (one line). */
cii_rc_t agent_store_push_retry (agent_store_t *self, int64_t id, const char *error, int64_t next_ms,
                                 cii_err_t *err);

/*  Ends push id as state ("pushed" with detail, or "failed" with detail as the reason), and
    queues its PUSH (cii_wire_push_envelope, a fresh message id) in the outbox, in one
    transaction. CII_CONFLICT when the row is not queued any more. */
cii_rc_t agent_store_push_end (agent_store_t *self, int64_t id, const char *state, const char *detail, int64_t now_ms,
                               cii_err_t *err);

/*  What the hub said of push id's PUSH: its receipt, or a final refusal. */
cii_rc_t agent_store_push_delivered (agent_store_t *self, int64_t id, const char *hub_ref, int64_t hub_received_at_ms,
                                     cii_err_t *err);
cii_rc_t agent_store_push_refused (agent_store_t *self, int64_t id, int code, const char *text, cii_err_t *err);

/*  Calls fn for every push row (of state, or every state when NULL), oldest first, until fn
    returns false. */
typedef bool (agent_push_entry_fn) (const agent_push_entry_t *row, void *arg);
cii_rc_t agent_store_pushes_each (agent_store_t *self, const char *state, agent_push_entry_fn *fn, void *arg,
                                  size_t *count_p, cii_err_t *err);

/*  Push counts by state, all cantons (canton NULL) or one. */
typedef struct {
    int64_t queued;
    int64_t pushed;
    int64_t failed;
} agent_push_counts_t;
cii_rc_t agent_store_push_counts (agent_store_t *self, const char *canton, agent_push_counts_t *counts,
                                  cii_err_t *err);

/*  --- the stored recommendation --------------------------------------------------------------- */

/*  Version `version` of ref as stored, with its texts: strings owned by *rec_p (free with
    agent_store_rec_free). CII_NOT_FOUND when not held. */
typedef struct {
    cii_recommendation_t rec;          /* its strings and lists point into this object */
    char **owned;                      /* what agent_store_rec_free frees */
    size_t n_owned;
} agent_rec_t;
cii_rc_t agent_store_rec_get (agent_store_t *self, const char *ref, uint32_t version, agent_rec_t **rec_p,
                              cii_err_t *err);
void agent_store_rec_free (agent_rec_t **rec_p);

#endif
