/*  agent_store_status.c — the daemon's last recorded status (see agent_store_status.h). */
#include "agent_store_status.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_util.h"

cii_rc_t
agent_store_status_set (agent_store_t *self, const char *status, const char *detail, cii_err_t *err)
{
    assert (self);
    char when [24], pid [24];
    snprintf (when, sizeof when, "%" PRId64, cii_util_now_ms ());
    snprintf (pid, sizeof pid, "%ld", (long) getpid ());
    const char *keys [] = { "daemon", "detail", "time_ms", "pid" };
    const char *values [] = { status ? status : "", detail ? detail : "", when, pid };
    cii_rc_t rc = agent_store_begin (self, err);
    for (size_t i = 0; i < sizeof keys / sizeof keys [0] && rc == CII_OK; i++) {
        sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO status (key, value) VALUES (?1, ?2)"
                                                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", err);
        if (!stmt) {
            agent_store_rollback (self);
            return CII_FAILED;
        }
        sqlite3_bind_text (stmt, 1, keys [i], -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, values [i], -1, SQLITE_STATIC);
        rc = agent_store_run (self, stmt, "status", err);
        if (rc != CII_OK)
            agent_store_rollback (self);
    }
    return rc == CII_OK ? agent_store_commit (self, err) : rc;
}

cii_rc_t
agent_store_status_replaced (agent_store_t *self, cii_err_t *err)
{
    assert (self);
    char when [24];
    snprintf (when, sizeof when, "%" PRId64, cii_util_now_ms ());
    cii_rc_t rc = agent_store_begin (self, err);
    sqlite3_stmt *stmt = NULL;
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "INSERT INTO status (key, value) VALUES ('replaced_count', '1')"
                                          " ON CONFLICT (key) DO UPDATE SET value = CAST (value AS INTEGER) + 1", err);
        rc = stmt ? agent_store_run (self, stmt, "status", err) : CII_FAILED;
    }
    if (rc == CII_OK) {
        stmt = agent_store_prepare (self, "INSERT INTO status (key, value) VALUES ('replaced_ms', ?1)"
                                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value", err);
        if (stmt)
            sqlite3_bind_text (stmt, 1, when, -1, SQLITE_STATIC);
        rc = stmt ? agent_store_run (self, stmt, "status", err) : CII_FAILED;
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

typedef struct {
    agent_daemon_status_t *status;
    bool found;
} s_get_t;

static bool
s_status_row (sqlite3_stmt *row, void *arg)
{
    s_get_t *get = arg;
    agent_daemon_status_t *status = get->status;
    const char *key = agent_store_text (row, 0);
    const char *value = agent_store_text (row, 1);
    if (strcmp (key, "daemon") == 0) {
        agent_store_copy (status->status, sizeof status->status, value);
        get->found = true;
    }
    else
    if (strcmp (key, "detail") == 0)
        agent_store_copy (status->detail, sizeof status->detail, value);
    else
    if (strcmp (key, "time_ms") == 0)
        status->time_ms = strtoll (value, NULL, 10);
    else
    if (strcmp (key, "pid") == 0)
        status->pid = strtoll (value, NULL, 10);
    else
    if (strcmp (key, "replaced_count") == 0)
        status->replaced_count = strtoll (value, NULL, 10);
    else
    if (strcmp (key, "replaced_ms") == 0)
        status->replaced_ms = strtoll (value, NULL, 10);
    return true;
}

cii_rc_t
agent_store_status_get (agent_store_t *self, agent_daemon_status_t *status, cii_err_t *err)
{
    assert (self && status);
    memset (status, 0, sizeof *status);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT key, value FROM status", err);
    if (!stmt)
        return CII_FAILED;
    s_get_t get = { status, false };
    cii_rc_t rc = agent_store_rows (self, stmt, "status", s_status_row, &get, NULL, err);
    if (rc == CII_OK && !get.found)
        return cii_err_set (err, CII_NOT_FOUND, "the daemon never ran");
    return rc;
}
