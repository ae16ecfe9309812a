/*  hub_setup.h — setting the hub up and opening it: the database at this binary's schema, the hub's
    CURVE key pair in a certificates directory (hub.cert, hub.cert_secret) and its public key in the
    database, so that every bundle carries the key the serving hub uses. `cii-hub init` runs
    hub_setup_init; every other verb opens the database with hub_setup_connect; `serve` also loads
    the key pair with hub_setup_load_cert. */
#ifndef HUB_SETUP_H_INCLUDED
#define HUB_SETUP_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

#include "cii_rc.h"
#include "hub_store.h"

/*  The setting that holds the hub's public key (Z85), written by hub_setup_init. */
#define HUB_SETTING_PUBLIC_KEY "hub_public_key"

/*  Connects (conninfo as hub_store_new) and checks that the database schema is exactly this
    binary's. The store (hub_store_destroy), or NULL with err: CII_UNAVAILABLE "cannot connect to
    PostgreSQL: ...", CII_CONFLICT "database schema is version N, this cii-hub needs M: run cii-hub
    init" (or "..., newer than this cii-hub (M): upgrade cii-hub"). */
hub_store_t *hub_setup_connect (const char *conninfo, cii_err_t *err);

/*  What hub_setup_init did. */
typedef struct {
    int schema_version;         /* after the migrations */
    char public_key [41];       /* the hub's public key, Z85 */
    char cert_path [512];       /* CERTS/hub.cert */
    bool created;               /* the key pair was made now (else it was there) */
} hub_setup_info_t;

/*  Migrates the database, creates certs_dir (mode 0700, parents too) and in it the hub key pair
    unless it is there (the secret file owner-only from its first byte), and stores the public key
    in the database. Running it again changes nothing. Refuses (CII_CONFLICT), touching no key:
    half a key pair in certs_dir; a database that has a hub key while certs_dir has none (a new key
    would orphan every bundle issued so far); a key pair other than the database's. Other reasons:
    "cannot create DIR: ...", "cannot write FILE: ...", "cannot load the hub key pair ...", the
    migration's. store is open without a schema check (hub_store_new). */
cii_rc_t hub_setup_init (hub_store_t *store, const char *certs_dir, hub_setup_info_t *info, cii_err_t *err);

/*  The hub key pair of certs_dir, for the serving hub (zcert_destroy it). NULL with err
    CII_NOT_FOUND "cannot load the hub key pair DIR/hub.cert(_secret): run cii-hub init --certs DIR".
    When store is given and holds another public key, logs a warning (agents will not connect) but
    still returns the pair: the operator may be replacing it. */
zcert_t *hub_setup_load_cert (hub_store_t *store, const char *certs_dir, cii_err_t *err);

#endif
