/*  agent_store_status.h — the daemon's status as it last recorded it (table `status`): what it
    is doing ("connecting", "connected", "disconnected", "refused", "revoked", "stopped"), a
    detail, when, and which process, so `cii-agent status` can tell a daemon that died; and how
    often and when last another process with the same key took its session over. */
#ifndef AGENT_STORE_STATUS_H_INCLUDED
#define AGENT_STORE_STATUS_H_INCLUDED

#include "agent_store.h"

#define AGENT_STATUS_NAME    32
#define AGENT_STATUS_DETAIL  256

typedef struct {
    char status [AGENT_STATUS_NAME];
    char detail [AGENT_STATUS_DETAIL];
    int64_t time_ms;              /* when it was recorded, Unix milliseconds */
    int64_t pid;                  /* the daemon process that recorded it (0 when unknown) */
    int64_t replaced_count;       /* sessions taken over by another process with this key */
    int64_t replaced_ms;          /* the last time, Unix milliseconds (0: never) */
} agent_daemon_status_t;

/*  Records status and detail (NULL as "") with the time and the calling process's pid, in one
    transaction. */
cii_rc_t agent_store_status_set (agent_store_t *self, const char *status, const char *detail, cii_err_t *err);

/*  Counts one session taken over by another process with this agent's key, now. */
cii_rc_t agent_store_status_replaced (agent_store_t *self, cii_err_t *err);

/*  Reads the last recorded status into *status (zeroed first). CII_NOT_FOUND when the daemon
    never recorded one. */
cii_rc_t agent_store_status_get (agent_store_t *self, agent_daemon_status_t *status, cii_err_t *err);

#endif
