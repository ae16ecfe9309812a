/*  cii_migration.c — helpers over the embedded schema migrations (see cii_migration.h). */
#include "cii_migration.h"

int
cii_migration_latest (const cii_migration_t *migrations, size_t count)
{
    int version = 0;
    for (size_t i = 0; i < count; i++)
        if (migrations [i].version > version)
            version = migrations [i].version;
    return version;
}
