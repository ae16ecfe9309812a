/*  hub_store_schema.h — the hub's schema: forward-only migrations embedded from schema/hub/
    (hub_migrations), applied one transaction each under an advisory lock, and the check that a
    database is exactly what this binary expects. */
#ifndef HUB_STORE_SCHEMA_H_INCLUDED
#define HUB_STORE_SCHEMA_H_INCLUDED

#include "hub_store.h"

/*  Schema version this binary carries (highest embedded migration). */
int hub_store_binary_schema_version (void);

/*  Current database schema version into *version (0 when no migration applied yet). */
cii_rc_t hub_store_schema_version (hub_store_t *self, int *version);

/*  Applies every pending embedded migration, each in its own transaction with the version row
    locked; *version receives the resulting version. Refuses (CII_CONFLICT) a database newer than
    this binary. */
cii_rc_t hub_store_migrate (hub_store_t *self, int *version, cii_err_t *err);

/*  CII_OK when the database schema is exactly this binary's; else CII_CONFLICT with "database
    schema is version N, this cii-hub needs M: run cii-hub init" (or "... newer than this cii-hub
    (M): upgrade cii-hub"), or the database error. */
cii_rc_t hub_store_schema_check (hub_store_t *self, cii_err_t *err);

#endif
