/*  hub_store_registry.h — the hub's settings (e.g. its public key) and the registry the bureau
    configures: networks and the canton -> network map. */
#ifndef HUB_STORE_REGISTRY_H_INCLUDED
#define HUB_STORE_REGISTRY_H_INCLUDED

#include "hub_store.h"

/*  Reads a setting: CII_OK and *value_p a new string (caller frees), CII_NOT_FOUND (*value_p
    NULL), or the database error. */
cii_rc_t hub_store_setting_get (hub_store_t *self, const char *key, char **value_p);

/*  Writes (inserts or replaces) a setting. */
cii_rc_t hub_store_setting_set (hub_store_t *self, const char *key, const char *value);

typedef struct {
    char code [3];          /* "VD" */
    char network [33];      /* "lemanique" */
} hub_canton_row_t;

/*  The canton -> network registry, by canton code: *count_p rows in a new array *rows_p (caller
    frees with free()). */
cii_rc_t hub_store_cantons (hub_store_t *self, hub_canton_row_t **rows_p, size_t *count_p);

/*  CII_OK if network exists in the registry, CII_NOT_FOUND if not, or the database error. */
cii_rc_t hub_store_network_exists (hub_store_t *self, const char *network);

#endif
