/*  agent_intake.c — signal intake: `signal add` and `signal import` as use cases (see
    agent_intake.h). The rule "a signal's canton is one of this network's cantons" is
    agent_intake_in_network, used by both and by the requests' supporting cantons. */
#include "agent_intake.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "agent_import.h"
#include "agent_setup.h"
#include "agent_store_config.h"
#include "agent_store_signals.h"
#include "cii_util.h"

//  The rule: canton (one of the 26, upper case) must be one of the network's cantons, as the
//  hub's last WELCOME (or the bundle) gave them. CII_REFUSED with the network's list otherwise.
cii_rc_t
agent_intake_in_network (const cii_bundle_t *config, const char *canton, cii_err_t *err)
{
    for (const char *p = config->cantons; *p; ) {
        size_t len = strcspn (p, ",");
        if (len == strlen (canton) && strncmp (p, canton, len) == 0)
            return CII_OK;
        p += len;
        if (*p == ',')
            p++;
    }
    char list [sizeof config->cantons * 2];
    agent_setup_cantons_text (config->cantons, list, sizeof list);
    return cii_err_set (err, CII_REFUSED, "canton %s is not in network %s (%s)", canton, config->network, list);
}

//  agent_import_canton_fn over the network's configuration.
static cii_rc_t
s_import_canton (const char *canton, void *arg, cii_err_t *err)
{
    return agent_intake_in_network ((const cii_bundle_t *) arg, canton, err);
}

cii_rc_t
agent_intake_add (agent_store_t *store, const agent_signal_input_t *input, agent_queued_t *queued, cii_err_t *err)
{
    assert (store && input && input->canton && input->title && queued);
    assert ((input->body != NULL) != (input->body_file != NULL));
    memset (queued, 0, sizeof *queued);
    cii_bundle_t config;
    agent_import_input_t in;
    memset (&in, 0, sizeof in);
    //  The canton first: the most likely mistake, and the one to state plainly
    cii_rc_t rc = agent_store_config_get (store, &config, err);
    if (rc == CII_OK)
        rc = agent_import_input_canton (&in, input->canton, err);
    if (rc == CII_OK)
        rc = agent_intake_in_network (&config, in.signal.canton, err);
    if (rc == CII_OK)
        rc = agent_import_input_list (&in, input->institutions ? input->institutions : "",
                                      agent_import_input_institution, err);
    if (rc == CII_OK)
        rc = agent_import_input_list (&in, input->target_groups ? input->target_groups : "",
                                      agent_import_input_group, err);
    if (rc == CII_OK)
        rc = agent_import_input_lang (&in, input->lang, err);
    char *file_text = NULL;
    if (rc == CII_OK && input->body_file) {
        size_t size = 0;
        rc = cii_util_read_file_max (input->body_file, CII_MAX_TEXT, &file_text, &size, err);
        if (rc == CII_OK && !cii_domain_utf8_valid (file_text, size))
            rc = cii_err_set (err, CII_BAD_INPUT, "%s is not valid UTF-8 text (or holds control characters)",
                              input->body_file);
    }
    if (rc == CII_OK) {
        agent_import_input_finish (&in, input->title, file_text ? file_text : input->body, input->reason,
                                   input->created_at_ms);
        if (cii_signal_check (&in.signal, "signal", err) != CII_OK) {
            cii_err_prefix (err, "signal refused");
            rc = CII_BAD_INPUT;
        }
    }
    if (rc == CII_OK)
        rc = agent_store_signal_add (store, &in.signal, &queued->id, queued->message_id, err);
    if (rc == CII_OK)
        memcpy (queued->canton, in.signal.canton, sizeof queued->canton);
    free (file_text);
    return rc;
}

cii_rc_t
agent_intake_import (agent_store_t *store, const char *path, agent_queued_t **queued_p, size_t *count_p,
                     cii_err_t *err)
{
    assert (store && path && queued_p && count_p);
    *queued_p = NULL;
    *count_p = 0;
    char *text = NULL;
    size_t size = 0;
    agent_import_t *import = NULL;
    agent_queued_t *queued = NULL;
    cii_bundle_t config;
    //  The document first, then each entry (the canton against the network), then the limits
    cii_rc_t rc = cii_util_read_file_max (path, AGENT_IMPORT_MAX_BYTES, &text, &size, err);
    if (rc == CII_OK && (rc = agent_import_read (text, size, &import, err)) != CII_OK)
        cii_err_prefix (err, "%s", path);
    if (rc == CII_OK)
        rc = agent_store_config_get (store, &config, err);
    if (rc == CII_OK && (rc = agent_import_check (import, s_import_canton, &config, err)) != CII_OK)
        cii_err_prefix (err, "%s", path);
    size_t count = agent_import_count (import);
    if (rc == CII_OK && !(queued = calloc (count + 1, sizeof *queued)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    //  One transaction: every signal of the document or none
    if (rc == CII_OK)
        rc = agent_store_begin (store, err);
    if (rc == CII_OK) {
        for (size_t i = 0; i < count && rc == CII_OK; i++) {
            rc = agent_store_signal_add (store, agent_import_signal (import, i), &queued [i].id,
                                         queued [i].message_id, err);
            memcpy (queued [i].canton, agent_import_signal (import, i)->canton, sizeof queued [i].canton);
            if (rc != CII_OK)
                cii_err_prefix (err, "%s: signal %zu", path, i + 1);
        }
        if (rc == CII_OK)
            rc = agent_store_commit (store, err);
        else
            agent_store_rollback (store);
    }
    if (rc == CII_OK) {
        *queued_p = queued;
        *count_p = count;
        queued = NULL;
    }
    else
    if (import && err) {
        char reason [CII_ERR_TEXT];
        memcpy (reason, err->text, sizeof reason);
        cii_err_set (err, rc, "%s (nothing imported)", reason);
    }
    free (queued);
    agent_import_destroy (&import);
    free (text);
    return rc;
}
