/*  hub_notices.c — sending and listing bureau notices (see hub_notices.h). */
#include "hub_notices.h"
#include "hub_networks.h"
#include "hub_store_downward.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_wire.h"

//  Checks the notice as the domain does, naming the field in the words of the bureau's command
//  line for the title and the text (the domain's reason says "notice.title: 213 bytes, limit 200").
static cii_rc_t
s_check (const cii_notice_t *notice, cii_err_t *err)
{
    cii_err_t mine;
    cii_rc_t rc = cii_notice_check (notice, "notice", &mine);
    if (rc == CII_OK)
        return CII_OK;
    bool title = strncmp (mine.text, "notice.title:", 13) == 0;
    bool text = strncmp (mine.text, "notice.text:", 12) == 0;
    if (!title && !text) {
        if (err)
            *err = mine;
        return rc;
    }
    const char *value = title ? notice->title : notice->text;
    return cii_err_set (err, rc, "the %s must be 1..%d bytes of UTF-8 text (got %zu bytes)", title ? "title" : "text",
                        title ? CII_MAX_TITLE : CII_MAX_TEXT, value ? strlen (value) : (size_t) 0);
}

cii_rc_t
hub_notices_send (hub_store_t *store, const cii_notice_t *notice, hub_notice_sent_t *out, cii_err_t *err)
{
    assert (store && notice && out);
    memset (out, 0, sizeof *out);
    //  The title and the text first (the networks are checked below, in the user's words).
    cii_notice_t mine = *notice;
    mine.n_networks = 0;
    mine.networks = NULL;
    cii_rc_t rc = s_check (&mine, err);
    if (rc != CII_OK)
        return rc;
    //  A network named twice is addressed once.
    const char *networks [CII_MAX_NETWORKS];
    size_t count = 0;
    for (size_t i = 0; i < notice->n_networks; i++) {
        const char *name = notice->networks [i];
        bool seen = false;
        for (size_t j = 0; j < count && !seen; j++)
            seen = name && streq (networks [j], name);
        if (seen)
            continue;
        if (count == CII_MAX_NETWORKS)
            return cii_err_set (err, CII_BAD_INPUT, "at most %d networks per notice", CII_MAX_NETWORKS);
        networks [count++] = name;
    }
    if ((rc = hub_networks_check (store, networks, count, err)) != CII_OK)
        return rc;
    mine.networks = networks;
    mine.n_networks = count;
    if ((rc = s_check (&mine, err)) != CII_OK)
        return rc;

    uint8_t *body = NULL;
    size_t size = 0;
    bool own = false;
    if (hub_store_tx_begin (store, "notice", &own) != CII_OK)
        return hub_store_fail (store, err);
    if (hub_store_notice_add (store, &mine, &mine.id, &mine.issued_at_ms) != CII_OK)
        rc = hub_store_fail (store, err);
    else
    if ((rc = cii_wire_notice_pack (&mine, &body, &size, err)) == CII_OK) {
        char subject [32];
        hub_store_notice_subject (mine.id, subject);
        if (hub_store_downward_queue (store, "notice", body, size, mine.networks, mine.n_networks, subject,
                                      &out->recipients) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    free (body);
    if (hub_store_tx_end (store, "notice", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        out->recipients = 0;
        return rc;
    }
    out->id = mine.id;
    out->issued_at_ms = mine.issued_at_ms;
    zsys_info ("hub: notice %" PRId64 " queued for %" PRId64 " agent%s", out->id, out->recipients,
               out->recipients == 1 ? "" : "s");
    return CII_OK;
}

cii_rc_t
hub_notices_list (hub_store_t *store, hub_notice_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    if (hub_store_notices (store, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
