/*  hub_store_schema.c — migrations and the schema check (see hub_store_schema.h). */
#include "hub_store_schema.h"
#include "hub_store_internal.h"
#include "cii_migration.h"

#include <czmq.h>
#include <stdio.h>

//  Advisory lock key serialising migrations across concurrent `cii-hub init`s ("CIIMIGR").
#define S_MIGRATE_LOCK "4848571758954822"

int
hub_store_binary_schema_version (void)
{
    return cii_migration_latest (hub_migrations, hub_migrations_count);
}

cii_rc_t
hub_store_schema_version (hub_store_t *self, int *version)
{
    *version = -1;
    //  Two statements: a query naming a table that does not exist fails at parse time.
    hub_rows_t *rows = hub_store_query (self, "schema version", "SELECT to_regclass ('schema_migrations') IS NOT NULL",
                                        0, NULL);
    if (!rows)
        return hub_store_rc (self);
    bool exists = hub_rows_next (rows) && hub_rows_bool (rows, 0);
    hub_rows_destroy (&rows);
    if (!exists) {
        *version = 0;
        return CII_OK;
    }
    rows = hub_store_query (self, "schema version", "SELECT coalesce (max (version), 0) FROM schema_migrations", 0,
                            NULL);
    if (!rows)
        return hub_store_rc (self);
    if (hub_rows_next (rows))
        *version = (int) hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    return *version >= 0 ? CII_OK : CII_FAILED;
}

//  Applies migration m if the database is below it, in one transaction holding the migration
//  lock. *version receives the version after the step.
static cii_rc_t
s_migrate_one (hub_store_t *self, const cii_migration_t *m, int *version, cii_err_t *err)
{
    const char *what = "migrate";
    bool own = false;
    cii_rc_t rc = hub_store_tx_begin (self, what, &own);
    if (rc != CII_OK)
        return hub_store_fail (self, err);
    if (!own) {
        hub_store_tx_end (self, what, own, false);
        return cii_err_set (err, CII_FAILED, "cannot migrate inside an open transaction");
    }
    hub_rows_t *rows = NULL;
    rows = hub_store_query (self, what, "SELECT pg_advisory_xact_lock (" S_MIGRATE_LOCK ")", 0, NULL);
    if (!rows)
        goto failed;
    hub_rows_destroy (&rows);
    if (hub_store_command (self, what,
                           "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, "
                           "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now ())", 0, NULL)
    ||  hub_store_command (self, what, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE", 0, NULL))
        goto failed;
    rows = hub_store_query (self, what, "SELECT coalesce (max (version), 0) FROM schema_migrations", 0, NULL);
    if (!rows || !hub_rows_next (rows))
        goto failed;
    int current = (int) hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    if (current > hub_store_binary_schema_version ()) {
        hub_store_tx_end (self, what, own, false);
        return cii_err_set (err, CII_CONFLICT, "database schema is version %d, newer than this cii-hub (%d)",
                            current, hub_store_binary_schema_version ());
    }
    if (current >= m->version) {
        *version = current;          //  applied before (maybe by a concurrent init)
        return hub_store_tx_end (self, what, own, true) == CII_OK ? CII_OK : hub_store_fail (self, err);
    }
    //  A migration file holds several statements without parameters: the simple query protocol.
    PGconn *conn = hub_store_conn (self);
    if (!conn)
        goto failed;
    PGresult *res = PQexec (conn, m->sql);
    char label [96];
    snprintf (label, sizeof label, "migration %s", m->name);
    int checked = hub_store_check_result (self, res, label, PGRES_COMMAND_OK);
    PQclear (res);
    if (checked != 0)
        goto failed;
    char number [16];
    snprintf (number, sizeof number, "%d", m->version);
    const char *values [] = { number, m->name };
    if (hub_store_command (self, what, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", 2,
                           values))
        goto failed;
    if (hub_store_tx_end (self, what, own, true) != CII_OK)
        return hub_store_fail (self, err);
    *version = m->version;
    zsys_info ("hub store: schema migrated to version %d (%s)", m->version, m->name);
    return CII_OK;

failed:
    hub_rows_destroy (&rows);
    hub_store_fail (self, err);
    hub_store_tx_end (self, what, own, false);
    return err ? err->rc : CII_FAILED;
}

cii_rc_t
hub_store_migrate (hub_store_t *self, int *version, cii_err_t *err)
{
    if (hub_store_schema_version (self, version) != CII_OK)
        return hub_store_fail (self, err);
    int binary = hub_store_binary_schema_version ();
    if (*version > binary)
        return cii_err_set (err, CII_CONFLICT, "database schema is version %d, newer than this cii-hub (%d)",
                            *version, binary);
    for (size_t i = 0; i < hub_migrations_count; i++) {
        if (hub_migrations [i].version <= *version)
            continue;
        cii_rc_t rc = s_migrate_one (self, &hub_migrations [i], version, err);
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

cii_rc_t
hub_store_schema_check (hub_store_t *self, cii_err_t *err)
{
    int have = -1;
    if (hub_store_schema_version (self, &have) != CII_OK)
        return cii_err_set (err, hub_store_rc (self), "cannot read the schema version: %s", hub_store_error (self));
    int need = hub_store_binary_schema_version ();
    if (have > need)
        return cii_err_set (err, CII_CONFLICT,
                            "database schema is version %d, newer than this cii-hub (%d): upgrade cii-hub", have, need);
    if (have < need)
        return cii_err_set (err, CII_CONFLICT, "database schema is version %d, this cii-hub needs %d: run cii-hub init",
                            have, need);
    return CII_OK;
}
