/*  hub_migrations.h — the forward-only schema migrations embedded into cii-hub at build time.
    schema/embed.cmake generates the array from schema/NNNN_name.sql (sorted by version); only
    hub_store applies them. */
#ifndef HUB_MIGRATIONS_H_INCLUDED
#define HUB_MIGRATIONS_H_INCLUDED

#include <stddef.h>

typedef struct {
    int version;          /* NNNN of the file name, 1, 2, ... */
    const char *name;     /* file name without extension, e.g. "0001_core" */
    const char *sql;      /* the whole file, UTF-8; may hold several statements */
} hub_migration_t;

/*  The embedded migrations in ascending version order, and their number. */
extern const hub_migration_t hub_migrations[];
extern const size_t hub_migrations_count;

#endif
