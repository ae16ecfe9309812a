/*  hub_cli_signals.c — `cii-hub signals [--network N] [--json]`: the signals received, through the
    intake service (hub_intake_signals), as a table or a JSON array. */
#include "hub_cli_verbs.h"
#include "hub_intake.h"

#include <inttypes.h>

static json_t *
s_signal_json (const hub_signal_row_t *r)
{
    json_t *signal = json_object ();
    cii_json_set (signal, "id", json_integer (r->id));
    cii_json_set (signal, "ref", cii_json_str (r->ref));
    cii_json_set (signal, "network", cii_json_str (r->network));
    cii_json_set (signal, "canton", cii_json_str (r->canton));
    cii_json_set (signal, "title", cii_json_str (r->title));
    cii_json_set (signal, "description", cii_json_str (r->description));
    cii_json_set (signal, "institutions", cii_json_list (r->institutions));
    cii_json_set (signal, "target_groups", cii_json_list (r->target_groups));
    cii_json_set (signal, "national_reason", cii_json_str (r->national_reason));
    cii_json_set (signal, "language", cii_json_str (r->language));
    cii_json_set (signal, "created_at", cii_json_time (r->created_at_ms));
    cii_json_set (signal, "received_at", cii_json_time (r->received_at_ms));
    return signal;
}

static bool
s_signal_row (const hub_signal_row_t *r, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_signal_json (r));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", "REF", "NETWORK", "CANTON", "LANG", "RECEIVED", "TITLE");
    char received [32];
    hub_cli_time (r->received_at_ms, received);
    //  The title goes last: UTF-8 text of any width does not break the alignment.
    fprintf (out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", r->ref, r->network, r->canton, r->language, received,
             r->title);
    return true;
}

int
hub_cli_signals (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK
                : hub_intake_signals (store, cii_cli_opt (cli, "network"), s_signal_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no signals");
    hub_store_destroy (&store);
    return code;
}
