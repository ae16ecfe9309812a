/*  hub_themes.c — national themes (see hub_themes.h). */
#include "hub_themes.h"
#include "hub_flow.h"
#include "hub_requests.h"

#include <assert.h>
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define S_LEFT_MAX 8

//  The states whose requests no longer count for a theme's breadth.
static size_t
s_left (const char **names)
{
    return hub_flow_states_with (HUB_STATE_LEFT, names, S_LEFT_MAX);
}

cii_rc_t
hub_themes_new (hub_store_t *store, const char *title, const char *const *refs, size_t n, hub_theme_made_t *out,
                cii_err_t *err)
{
    assert (store && out && (n == 0 || refs));
    memset (out, 0, sizeof *out);
    size_t len = title ? strlen (title) : 0;
    if (len < 1 || len > CII_MAX_TITLE || !cii_domain_utf8_valid (title, len))
        return cii_err_set (err, CII_BAD_INPUT, "the title must be 1..%d bytes of UTF-8 text (got %zu bytes)",
                            CII_MAX_TITLE, len);
    if (n < HUB_THEMES_MIN)
        return cii_err_set (err, CII_BAD_INPUT, "a theme groups at least %d requests", HUB_THEMES_MIN);
    char shown [12];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (refs [i] && refs [j] && streq (refs [i], refs [j]))
                return cii_err_set (err, CII_BAD_INPUT, "%s is named twice", hub_requests_ref_shown (refs [i], shown));
    bool own = false;
    if (hub_store_tx_begin (store, "theme", &own) != CII_OK)
        return hub_store_fail (store, err);
    hub_request_lock_t *requests = NULL;
    size_t count = 0;
    cii_rc_t rc = CII_OK;
    if (hub_store_requests_lock_refs (store, refs, n, &requests, &count) != CII_OK)
        rc = hub_store_fail (store, err);
    //  Every reference named must be a request, none already in a theme.
    for (size_t i = 0; rc == CII_OK && i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < count && !found; j++)
            found = refs [i] && streq (refs [i], requests [j].ref);
        if (!found)
            rc = cii_err_set (err, CII_NOT_FOUND, "unknown request %s", hub_requests_ref_shown (refs [i], shown));
    }
    for (size_t i = 0; rc == CII_OK && i < count; i++)
        if (requests [i].theme_id)
            rc = cii_err_set (err, CII_CONFLICT, "%s is already in theme %s", requests [i].ref, requests [i].theme);
    //  The networks grouped, sorted, for the note each is told (a national request has none).
    const char *networks [CII_MAX_NETWORKS];
    size_t n_networks = 0;
    for (size_t i = 0; rc == CII_OK && i < count; i++) {
        if (!*requests [i].network)
            continue;
        size_t at = 0;
        while (at < n_networks && strcmp (networks [at], requests [i].network) < 0)
            at++;
        if ((at < n_networks && streq (networks [at], requests [i].network)) || n_networks == CII_MAX_NETWORKS)
            continue;
        memmove (&networks [at + 1], &networks [at], (n_networks - at) * sizeof networks [0]);
        networks [at] = requests [i].network;
        n_networks++;
    }
    hub_move_t move = { .to = "grouped", .organ = "bureau", .by = HUB_BY_THEME };
    for (size_t i = 0; rc == CII_OK && i < count; i++)
        rc = hub_flow_check (requests [i].ref, requests [i].state, &move, NULL, err);
    if (rc == CII_OK && hub_store_theme_add (store, title, "grouped", out->ref, &out->id) != CII_OK)
        rc = hub_store_fail (store, err);
    char *note = NULL;
    if (rc == CII_OK) {
        char list [CII_MAX_NETWORKS * (CII_MAX_NETWORK_NAME + 2) + 1] = "";
        size_t used = 0;
        for (size_t i = 0; i < n_networks && used < sizeof list; i++)
            used += (size_t) snprintf (list + used, sizeof list - used, "%s%s", i ? ", " : "", networks [i]);
        note = n_networks ? zsys_sprintf ("%s (network%s %s): %s", out->ref, n_networks == 1 ? "" : "s", list, title)
                          : zsys_sprintf ("%s (national requests): %s", out->ref, title);
        if (!note)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    move.note = note;
    move.theme_id = out->id;
    if (rc == CII_OK)
        rc = hub_flow_move (store, requests, count, &move, 0, &out->at_ms, err);
    if (hub_store_tx_end (store, "theme", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    zstr_free (&note);
    free (requests);
    if (rc != CII_OK) {
        memset (out, 0, sizeof *out);
        return rc;
    }
    out->requests = count;
    out->networks = n_networks;
    zsys_info ("hub: theme %s groups %zu requests of %zu network%s", out->ref, count, n_networks,
               n_networks == 1 ? "" : "s");
    return CII_OK;
}

cii_rc_t
hub_themes_list (hub_store_t *store, hub_theme_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    const char *left [S_LEFT_MAX];
    size_t n = s_left (left);
    if (hub_store_themes (store, NULL, left, n, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

typedef struct {
    hub_theme_fn *fn;
    void *arg;
    bool found;
} s_show_t;

static bool
s_theme (const hub_theme_row_t *row, void *arg)
{
    s_show_t *show = arg;
    show->found = true;
    if (show->fn)
        show->fn (row, show->arg);
    return false;
}

cii_rc_t
hub_themes_show (hub_store_t *store, const char *ref, hub_theme_fn *theme_fn, hub_request_fn *request_fn, void *arg,
                 cii_err_t *err)
{
    assert (store && ref);
    const char *left [S_LEFT_MAX];
    size_t n = s_left (left);
    s_show_t show = { theme_fn, arg, false };
    if (hub_store_themes (store, ref, left, n, s_theme, &show) != CII_OK)
        return hub_store_fail (store, err);
    char shown [12];
    if (!show.found)
        return cii_err_set (err, CII_NOT_FOUND, "unknown theme %s", hub_requests_ref_shown (ref, shown));
    hub_request_filter_t filter = { .theme = ref };
    if (request_fn && hub_store_requests (store, &filter, request_fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}
