/*  hub_store_registry.c — settings, networks and cantons (see hub_store_registry.h). */
#include "hub_store_registry.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

cii_rc_t
hub_store_setting_get (hub_store_t *self, const char *key, char **value_p)
{
    assert (key && value_p);
    *value_p = NULL;
    const char *values [] = { key };
    hub_rows_t *rows = hub_store_query (self, "setting get", "SELECT value FROM settings WHERE key = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_NOT_FOUND;
    if (hub_rows_next (rows)) {
        *value_p = strdup (hub_rows_text (rows, 0));
        rc = *value_p ? CII_OK : CII_NO_MEMORY;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_setting_set (hub_store_t *self, const char *key, const char *value)
{
    assert (key && value);
    const char *values [] = { key, value };
    return hub_store_command (self, "setting set",
                              "INSERT INTO settings (key, value) VALUES ($1, $2) "
                              "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", 2, values);
}

cii_rc_t
hub_store_cantons (hub_store_t *self, hub_canton_row_t **rows_p, size_t *count_p)
{
    assert (rows_p && count_p);
    *rows_p = NULL;
    *count_p = 0;
    hub_rows_t *rows = hub_store_query (self, "cantons", "SELECT code, network FROM cantons ORDER BY code", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    hub_canton_row_t *out = calloc ((size_t) hub_rows_count (rows) + 1, sizeof *out);
    if (!out) {
        hub_rows_destroy (&rows);
        return CII_NO_MEMORY;
    }
    size_t n = 0;
    while (hub_rows_next (rows)) {
        hub_rows_copy (rows, 0, out [n].code, sizeof out [n].code);
        hub_rows_copy (rows, 1, out [n].network, sizeof out [n].network);
        n++;
    }
    hub_rows_destroy (&rows);
    *rows_p = out;
    *count_p = n;
    return CII_OK;
}

cii_rc_t
hub_store_network_exists (hub_store_t *self, const char *network)
{
    assert (network);
    const char *values [] = { network };
    hub_rows_t *rows = hub_store_query (self, "network exists", "SELECT 1 FROM networks WHERE name = $1", 1, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = hub_rows_count (rows) > 0 ? CII_OK : CII_NOT_FOUND;
    hub_rows_destroy (&rows);
    return rc;
}
