/*  hub_setup.c — migrations, the hub key pair and the schema check on open (see hub_setup.h). */
#include "hub_setup.h"
#include "cii_util.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  What zcert_load leaves as the secret key when the secret file is missing.
#define S_NO_SECRET "0000000000000000000000000000000000000000"

hub_store_t *
hub_setup_connect (const char *conninfo, cii_err_t *err)
{
    hub_store_t *store = hub_store_new (conninfo, err);
    if (store && hub_store_schema_check (store, err) != CII_OK)
        hub_store_destroy (&store);
    return store;
}

//  mkdir -p with mode 0700 for every directory it creates. 0, or -1 with errno set.
static int
s_mkdirs (const char *path)
{
    char buf [4096];
    if (snprintf (buf, sizeof buf, "%s", path) >= (int) sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir (buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir (buf, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat (buf, &st) != 0)
        return -1;
    if (!S_ISDIR (st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

//  A new key pair saved as pub_path and pub_path_secret. NULL with err.
static zcert_t *
s_create_cert (const char *pub_path, const char *sec_path, cii_err_t *err)
{
    zcert_t *cert = zcert_new ();
    if (!cert) {
        cii_err_set (err, CII_FAILED, "cannot generate a key pair");
        return NULL;
    }
    zcert_set_meta (cert, "name", "%s", "cii-hub");
    //  The secret file is created with the process umask: make that owner-only, so it is never
    //  readable by others, not even for a moment.
    mode_t old_mask = umask (077);
    int saved = zcert_save (cert, pub_path);
    int saved_errno = errno;
    umask (old_mask);
    if (saved != 0) {
        cii_err_set (err, CII_FAILED, "cannot write %s: %s", pub_path, strerror (saved_errno));
        zcert_destroy (&cert);
        return NULL;
    }
    if (chmod (sec_path, 0600) != 0 || chmod (pub_path, 0644) != 0) {
        cii_err_set (err, CII_FAILED, "cannot set the mode of %s: %s", sec_path, strerror (errno));
        zcert_destroy (&cert);
        return NULL;
    }
    return cert;
}

cii_rc_t
hub_setup_init (hub_store_t *store, const char *certs_dir, hub_setup_info_t *info, cii_err_t *err)
{
    assert (store && certs_dir && info);
    memset (info, 0, sizeof *info);
    char sec_path [sizeof info->cert_path + 8];
    if (snprintf (info->cert_path, sizeof info->cert_path, "%s/hub.cert", certs_dir) >= (int) sizeof info->cert_path)
        return cii_err_set (err, CII_BAD_INPUT, "the certificates directory name is too long");
    snprintf (sec_path, sizeof sec_path, "%s_secret", info->cert_path);

    cii_rc_t rc = hub_store_migrate (store, &info->schema_version, err);
    if (rc != CII_OK)
        return rc;
    if (s_mkdirs (certs_dir) != 0)
        return cii_err_set (err, CII_FAILED, "cannot create %s: %s", certs_dir, strerror (errno));
    char *stored = NULL;
    rc = hub_store_setting_get (store, HUB_SETTING_PUBLIC_KEY, &stored);
    if (rc != CII_OK && rc != CII_NOT_FOUND)
        return hub_store_fail (store, err);

    zcert_t *cert = NULL;
    bool have_pub = access (info->cert_path, F_OK) == 0;
    bool have_sec = access (sec_path, F_OK) == 0;
    if (have_pub && have_sec) {
        cert = zcert_load (info->cert_path);
        if (!cert || streq (zcert_secret_txt (cert), S_NO_SECRET))
            rc = cii_err_set (err, CII_FAILED, "cannot load the hub key pair %s and %s", info->cert_path, sec_path);
    }
    else
    if (have_pub || have_sec)
        rc = cii_err_set (err, CII_CONFLICT, "%s holds half a key pair (%s missing): restore it, or use a new directory",
                          certs_dir, have_pub ? sec_path : info->cert_path);
    else
    if (stored)
        //  A new key would orphan every bundle issued so far.
        rc = cii_err_set (err, CII_CONFLICT, "the database already has hub key %s but %s holds no key pair: use the "
                                             "certificates directory of the first init", stored, certs_dir);
    else {
        cert = s_create_cert (info->cert_path, sec_path, err);
        rc = cert ? CII_OK : err ? err->rc : CII_FAILED;
        info->created = cert != NULL;
    }
    if (rc == CII_OK) {
        const char *public_key = zcert_public_txt (cert);
        snprintf (info->public_key, sizeof info->public_key, "%s", public_key);
        if (stored && !streq (stored, public_key))
            rc = cii_err_set (err, CII_CONFLICT, "the database holds hub key %s, %s holds %s: use the matching "
                                                 "certificates directory", stored, certs_dir, public_key);
        else
        if (!stored && hub_store_setting_set (store, HUB_SETTING_PUBLIC_KEY, public_key) != CII_OK) {
            hub_store_fail (store, err);
            rc = cii_err_prefix (err, "cannot store the hub key");
        }
    }
    if (rc == CII_OK)
        zsys_info ("hub: init: schema version %d, hub key %s%s", info->schema_version, info->public_key,
                   info->created ? " (new)" : "");
    zcert_destroy (&cert);
    zstr_free (&stored);
    return rc;
}

zcert_t *
hub_setup_load_cert (hub_store_t *store, const char *certs_dir, cii_err_t *err)
{
    assert (certs_dir);
    char path [4096];
    snprintf (path, sizeof path, "%s/hub.cert", certs_dir);
    zcert_t *cert = zcert_load (path);
    if (!cert || streq (zcert_secret_txt (cert), S_NO_SECRET)) {
        zcert_destroy (&cert);
        cii_err_set (err, CII_NOT_FOUND, "cannot load the hub key pair %s(_secret): run cii-hub init --certs %s", path,
                     certs_dir);
        return NULL;
    }
    //  The secret must still be the owner's alone: a restore or a copy may have loosened it.
    snprintf (path, sizeof path, "%s/hub.cert_secret", certs_dir);
    if (cii_util_check_private (path, err) != CII_OK) {
        zcert_destroy (&cert);
        return NULL;
    }
    char *stored = NULL;
    if (store && hub_store_setting_get (store, HUB_SETTING_PUBLIC_KEY, &stored) == CII_OK
    &&  !streq (stored, zcert_public_txt (cert)))
        zsys_warning ("hub: the key in %s differs from the one bundles were issued with: agents will not connect",
                      certs_dir);
    zstr_free (&stored);
    return cert;
}
