/*  cii_migration.h — one forward-only schema migration, embedded at build time from
    schema/hub/NNNN_name.sql (hub_migrations) or schema/agent/NNNN_name.sql (agent_migrations) by
    schema/embed.cmake. The stores apply them in version order, one transaction each. */
#ifndef CII_MIGRATION_H_INCLUDED
#define CII_MIGRATION_H_INCLUDED

#include <stddef.h>

typedef struct {
    int version;          /* NNNN of the file name: 1, 2, ... */
    const char *name;     /* file name without extension, e.g. "0001_core" */
    const char *sql;      /* the whole file, UTF-8; may hold several statements */
} cii_migration_t;

/*  The hub's migrations (schema/hub/) and the agent's (schema/agent/), ascending by version. */
extern const cii_migration_t hub_migrations[];
extern const size_t hub_migrations_count;
extern const cii_migration_t agent_migrations[];
extern const size_t agent_migrations_count;

/*  Highest version among count migrations (0 when none). */
int cii_migration_latest (const cii_migration_t *migrations, size_t count);

#endif
