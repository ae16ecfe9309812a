/*  agent_store_config.c — the agent's configuration and its network's cantons (see
    agent_store_config.h). */
#include "agent_store_config.h"

#include <assert.h>
#include <string.h>


//  Inserts or replaces one configuration value; inside the caller's transaction.
static cii_rc_t
s_put (agent_store_t *self, const char *key, const char *value, cii_err_t *err)
{
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO config (key, value) VALUES (?1, ?2)"
                                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
    return agent_store_run (self, stmt, "config", err);
}

//  Empties the canton list; inside the caller's transaction.
static cii_rc_t
s_cantons_clear (agent_store_t *self, cii_err_t *err)
{
    sqlite3_stmt *stmt = agent_store_prepare (self, "DELETE FROM cantons", err);
    return stmt ? agent_store_run (self, stmt, "cantons", err) : CII_FAILED;
}

//  Adds canton (len bytes of code) at position; inside the caller's transaction.
static cii_rc_t
s_canton_add (agent_store_t *self, const char *code, size_t len, size_t position, cii_err_t *err)
{
    sqlite3_stmt *stmt = agent_store_prepare (self, "INSERT INTO cantons (code, position) VALUES (?1, ?2)", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, code, (int) len, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) position);
    return agent_store_run (self, stmt, "canton", err);
}

cii_rc_t
agent_store_config_put (agent_store_t *self, const cii_bundle_t *config, cii_err_t *err)
{
    assert (self && config);
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    const char *keys [] = { "network", "endpoint", "hub_public", "agent_public", "agent_secret" };
    const char *values [] = { config->network, config->endpoint, config->hub_public, config->agent_public,
                              config->agent_secret };
    for (size_t i = 0; i < sizeof keys / sizeof keys [0] && rc == CII_OK; i++)
        rc = s_put (self, keys [i], values [i], err);
    if (rc == CII_OK)
        rc = s_cantons_clear (self, err);
    const char *p = config->cantons;
    for (size_t position = 0; rc == CII_OK && *p; position++) {
        size_t len = strcspn (p, ",");
        rc = s_canton_add (self, p, len, position, err);
        p += len;
        if (*p == ',')
            p++;
    }
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

//  Row of `SELECT key, value FROM config` into the bundle.
static bool
s_config_row (sqlite3_stmt *row, void *arg)
{
    cii_bundle_t *config = arg;
    const char *key = agent_store_text (row, 0);
    const char *value = agent_store_text (row, 1);
    if (strcmp (key, "network") == 0)
        agent_store_copy (config->network, sizeof config->network, value);
    else
    if (strcmp (key, "endpoint") == 0)
        agent_store_copy (config->endpoint, sizeof config->endpoint, value);
    else
    if (strcmp (key, "hub_public") == 0)
        agent_store_copy (config->hub_public, sizeof config->hub_public, value);
    else
    if (strcmp (key, "agent_public") == 0)
        agent_store_copy (config->agent_public, sizeof config->agent_public, value);
    else
    if (strcmp (key, "agent_secret") == 0)
        agent_store_copy (config->agent_secret, sizeof config->agent_secret, value);
    return true;
}

//  Row of `SELECT code FROM cantons` appended to the bundle's comma list.
static bool
s_canton_row (sqlite3_stmt *row, void *arg)
{
    cii_bundle_t *config = arg;
    const char *code = agent_store_text (row, 0);
    size_t len = strlen (config->cantons);
    if (strlen (code) == 2 && len + 4 <= sizeof config->cantons)
        snprintf (config->cantons + len, sizeof config->cantons - len, "%s%s", len ? "," : "", code);
    return true;
}

cii_rc_t
agent_store_config_get (agent_store_t *self, cii_bundle_t *config, cii_err_t *err)
{
    assert (self && config);
    memset (config, 0, sizeof *config);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT key, value FROM config", err);
    cii_rc_t rc = stmt ? agent_store_rows (self, stmt, "config", s_config_row, config, NULL, err) : CII_FAILED;
    if (rc != CII_OK)
        return rc;
    if (!config->network [0])
        return cii_err_set (err, CII_NOT_FOUND, "no network configured (incomplete init?)");
    stmt = agent_store_prepare (self, "SELECT code FROM cantons ORDER BY position, code", err);
    return stmt ? agent_store_rows (self, stmt, "cantons", s_canton_row, config, NULL, err) : CII_FAILED;
}

cii_rc_t
agent_store_cantons_set (agent_store_t *self, const char *const *cantons, size_t count, cii_err_t *err)
{
    assert (self && (cantons || count == 0));
    cii_rc_t rc = agent_store_begin (self, err);
    if (rc != CII_OK)
        return rc;
    rc = s_cantons_clear (self, err);
    for (size_t i = 0; i < count && rc == CII_OK; i++)
        rc = s_canton_add (self, cantons [i], strlen (cantons [i]), i, err);
    if (rc != CII_OK) {
        agent_store_rollback (self);
        return rc;
    }
    return agent_store_commit (self, err);
}

cii_rc_t
agent_store_canton_member (agent_store_t *self, const char *canton, bool *member_p, cii_err_t *err)
{
    assert (self && canton && member_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "SELECT count(*) FROM cantons WHERE code = ?1", err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_text (stmt, 1, canton, -1, SQLITE_STATIC);
    int64_t count = 0;
    cii_rc_t rc = agent_store_int (self, stmt, "canton lookup", &count, err);
    *member_p = rc == CII_OK && count > 0;
    return rc;
}
