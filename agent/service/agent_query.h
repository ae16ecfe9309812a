/*  agent_query.h — what a coordinator asks the agent: the signals and their fate at the hub, the
    notices received, and the agent's status (configuration, daemon, outbox, inbox), including
    whether the daemon that last recorded its status is still alive. */
#ifndef AGENT_QUERY_H_INCLUDED
#define AGENT_QUERY_H_INCLUDED

#include "agent_store.h"
#include "agent_store_notices.h"
#include "agent_store_signals.h"
#include "agent_store_status.h"
#include "cii_bundle.h"

/*  Every signal, oldest first (agent_store_signals_each); *count_p (may be NULL) the number. */
cii_rc_t agent_query_signals (agent_store_t *store, agent_signal_fn *fn, void *arg, size_t *count_p, cii_err_t *err);

/*  Every notice in the order they arrived (agent_store_notices_each). */
cii_rc_t agent_query_notices (agent_store_t *store, agent_notice_fn *fn, void *arg, size_t *count_p, cii_err_t *err);

/*  A session taken over by another process with the same key this recently is worth a warning
    in the status: two processes run one enrollment bundle. */
#define AGENT_REPLACED_RECENT_MS (10 * 60 * 1000)

/*  The agent's status. */
typedef struct {
    cii_bundle_t config;              /* as stored; the agent's secret key is wiped */
    bool daemon_known;                /* the daemon recorded a status at least once */
    agent_daemon_status_t daemon;     /* its last record (zeroed when not known) */
    bool running;                     /* the recording process is alive */
    bool dead;                        /* it is not, though its last record says it runs: it was
                                         killed outright (not "stopped", "revoked") */
    int64_t outbox;                   /* upward messages waiting for a receipt ... */
    int64_t outbox_held;              /* ... of which held until others have theirs (a REQUEST
                                         until its signals are receipted) */
    int64_t last_seq;                 /* the position in the downward stream: highest item held ... */
    uint64_t epoch;                   /* ... in this stream epoch (0 until a hub restore) */
    bool replaced_recently;           /* another process with this agent's key took the session
                                         over within AGENT_REPLACED_RECENT_MS (daemon.replaced_*) */
    int schema_version;
} agent_status_t;

/*  Fills *status from the store and the process table. */
cii_rc_t agent_query_status (agent_store_t *store, agent_status_t *status, cii_err_t *err);

#endif
