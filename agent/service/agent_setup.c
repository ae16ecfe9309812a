/*  agent_setup.c — creating and opening the agent's state (see agent_setup.h). */
#include "agent_setup.h"

#include <assert.h>
#include <czmq.h>
#include <string.h>

#include "agent_store_config.h"
#include "cii_domain.h"

//  The bundle's comma list of cantons: distinct codes of the 26 (none is fine: the hub sends the
//  network's cantons with every WELCOME).
static bool
s_cantons_valid (const char *list)
{
    char seen [CII_CANTON_COUNT][3];
    size_t count = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn (p, ",");
        if (len != 2 || count == CII_CANTON_COUNT)
            return false;
        memcpy (seen [count], p, 2);
        seen [count][2] = '\0';
        if (!cii_domain_canton_valid (seen [count]))
            return false;
        for (size_t i = 0; i < count; i++)
            if (strcmp (seen [i], seen [count]) == 0)
                return false;
        count++;
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

cii_rc_t
agent_setup_init (const char *state_dir, const char *bundle_path, cii_bundle_t *config, cii_err_t *err)
{
    assert (state_dir && bundle_path);
    cii_err_t local;
    if (!err)
        err = &local;
    cii_bundle_t bundle;
    memset (&bundle, 0, sizeof bundle);
    cii_rc_t rc = cii_bundle_load (&bundle, bundle_path, err);
    if (rc != CII_OK)
        ;
    else
    if (!cii_domain_network_name_valid (bundle.network))
        rc = cii_err_set (err, CII_BAD_INPUT, "bundle network name '%s' is not valid", bundle.network);
    else
    if (!s_cantons_valid (bundle.cantons))
        rc = cii_err_set (err, CII_BAD_INPUT, "bundle canton list '%s' is not valid", bundle.cantons);
    agent_store_t *store = rc == CII_OK ? agent_store_create (state_dir, err) : NULL;
    if (rc == CII_OK && !store)
        rc = err->rc;
    if (store) {
        agent_store_set_label (store, bundle.network);
        rc = agent_store_config_put (store, &bundle, err);
        if (rc == CII_OK) {
            zsys_info ("agent %s: store: initialised %s (cantons %s)", bundle.network, state_dir, bundle.cantons);
            agent_store_destroy (&store);
        }
        else {
            cii_err_prefix (err, "cannot write the state in %s", state_dir);
            agent_store_discard (&store);
        }
    }
    memset (bundle.agent_secret, 0, sizeof bundle.agent_secret);
    if (rc == CII_OK && config)
        *config = bundle;
    return rc;
}

agent_store_t *
agent_setup_open (const char *state_dir, cii_bundle_t *config, cii_err_t *err)
{
    assert (state_dir);
    agent_store_t *store = agent_store_open (state_dir, err);
    if (!store)
        return NULL;
    cii_bundle_t local;
    if (!config)
        config = &local;
    if (agent_store_config_get (store, config, err) != CII_OK) {
        cii_err_prefix (err, "%s/%s", state_dir, AGENT_STORE_FILE);
        agent_store_destroy (&store);
        return NULL;
    }
    agent_store_set_label (store, config->network);
    if (config == &local)
        memset (&local, 0, sizeof local);
    return store;
}

void
agent_setup_cantons_text (const char *list, char *buf, size_t size)
{
    assert (list && buf && size > 0);
    size_t len = 0;
    for (const char *p = list; *p && len + 3 < size; p++) {
        buf [len++] = *p;
        if (*p == ',')
            buf [len++] = ' ';
    }
    buf [len] = '\0';
}
