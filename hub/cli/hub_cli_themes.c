/*  hub_cli_themes.c — `cii-hub theme new --title T REF REF... [--json]` (group requests of several
    networks into a national theme: hub_themes_new) and `cii-hub themes [--json]` (the themes with
    their requests, networks and cantons). */
#include "hub_cli_verbs.h"
#include "hub_themes.h"

#include <inttypes.h>
#include <stdlib.h>

int
hub_cli_theme_new (cii_cli_t *cli)
{
    const char *title = cii_cli_opt (cli, "title");
    if (!title)
        return cii_cli_usage (cli, "--title is required");
    int n = cii_cli_nargs (cli);
    const char **refs = calloc ((size_t) (n > 0 ? n : 1), sizeof *refs);
    if (!refs)
        return cii_cli_refuse (cli, "out of memory");
    for (int i = 0; i < n; i++)
        refs [i] = cii_cli_arg (cli, i);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store) {
        free (refs);
        return code;
    }
    cii_err_t err;
    cii_err_clear (&err);
    hub_theme_made_t made;
    if (hub_themes_new (store, title, refs, (size_t) n, &made, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (made.ref));
        cii_json_set (doc, "title", cii_json_str (title));
        json_t *list = json_array ();
        for (int i = 0; i < n; i++)
            json_array_append_new (list, cii_json_str (refs [i]));
        cii_json_set (doc, "requests", list);
        cii_json_set (doc, "created_at", cii_json_time (made.at_ms));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "%s: %zu requests of %zu network%s grouped\n", made.ref, made.requests, made.networks,
                 made.networks == 1 ? "" : "s");
    free (refs);
    hub_store_destroy (&store);
    return code;
}

static json_t *
s_theme_json (const hub_theme_row_t *t)
{
    json_t *theme = json_object ();
    cii_json_set (theme, "ref", cii_json_str (t->ref));
    cii_json_set (theme, "title", cii_json_str (t->title));
    cii_json_set (theme, "state", cii_json_str (t->state));
    cii_json_set (theme, "requests", cii_json_list (t->requests));
    cii_json_set (theme, "networks", cii_json_list (t->networks));
    cii_json_set (theme, "cantons", cii_json_list (t->cantons));
    cii_json_set (theme, "created_at", cii_json_time (t->created_at_ms));
    return theme;
}

//  Entries of a comma list.
static int
s_count (const char *list)
{
    int n = *list ? 1 : 0;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

static bool
s_theme_row (const hub_theme_row_t *t, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_theme_json (t));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-11s  %-12s  %8s  %8s  %7s  %-24s  %s\n", "REF", "STATE", "REQUESTS", "NETWORKS", "CANTONS",
                 "CREATED", "TITLE");
    char created [32];
    hub_cli_time (t->created_at_ms, created);
    fprintf (out, "%-11s  %-12s  %8d  %8d  %7d  %-24s  %s\n", t->ref, t->state, s_count (t->requests),
             s_count (t->networks), s_count (t->cantons), created, t->title);
    return true;
}

int
hub_cli_themes (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_themes_list (store, s_theme_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no themes");
    hub_store_destroy (&store);
    return code;
}
