/*  agent_query.c — listings and the agent's status (see agent_query.h). */
#include "agent_query.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "agent_store_config.h"
#include "agent_store_inbox.h"
#include "agent_store_outbox.h"
#include "cii_util.h"

cii_rc_t
agent_query_signals (agent_store_t *store, agent_signal_fn *fn, void *arg, size_t *count_p, cii_err_t *err)
{
    return agent_store_signals_each (store, fn, arg, count_p, err);
}

cii_rc_t
agent_query_notices (agent_store_t *store, agent_notice_fn *fn, void *arg, size_t *count_p, cii_err_t *err)
{
    return agent_store_notices_each (store, fn, arg, count_p, err);
}

//  True if process pid exists (a daemon killed with SIGKILL could not record that it stopped).
static bool
s_alive (int64_t pid)
{
    return pid > 0 && pid <= INT32_MAX && (kill ((pid_t) pid, 0) == 0 || errno == EPERM);
}

cii_rc_t
agent_query_status (agent_store_t *store, agent_status_t *status, cii_err_t *err)
{
    assert (store && status);
    memset (status, 0, sizeof *status);
    cii_rc_t rc = agent_store_config_get (store, &status->config, err);
    memset (status->config.agent_secret, 0, sizeof status->config.agent_secret);
    if (rc == CII_OK) {
        rc = agent_store_status_get (store, &status->daemon, err);
        status->daemon_known = rc == CII_OK;
        if (rc == CII_NOT_FOUND)
            rc = CII_OK;
    }
    if (rc == CII_OK)
        rc = agent_store_outbox_count (store, &status->outbox, err);
    if (rc == CII_OK)
        rc = agent_store_outbox_held (store, &status->outbox_held, err);
    if (rc == CII_OK)
        rc = agent_store_inbox_position (store, &status->epoch, &status->last_seq, err);
    if (rc == CII_OK)
        rc = agent_store_schema_version (store, &status->schema_version, err);
    if (rc == CII_OK && status->daemon_known) {
        status->running = s_alive (status->daemon.pid);
        bool final = strcmp (status->daemon.status, "stopped") == 0 || strcmp (status->daemon.status, "revoked") == 0;
        status->dead = !status->running && !final;
        status->replaced_recently = status->daemon.replaced_ms > 0
                                 && cii_util_now_ms () - status->daemon.replaced_ms < AGENT_REPLACED_RECENT_MS;
    }
    return rc;
}
