/*  hub_cli_signals.c — `cii-hub signals [--network N] [--json]`: the signals received, through the
    intake service (hub_intake_signals), as a table or a JSON array. */
#include "hub_cli_verbs.h"
#include "hub_intake.h"

#include <inttypes.h>

typedef struct {
    FILE *out;
    json_t *list;       //  with --json: the rows, printed once the walk succeeded
    int rows;
    bool failed;        //  out of memory while building the JSON
} s_listing_t;

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
    s_listing_t *l = (s_listing_t *) arg;
    if (l->list) {
        json_t *signal = s_signal_json (r);
        l->failed = !signal || json_array_append_new (l->list, signal) != 0;
        return !l->failed;
    }
    if (l->rows++ == 0)
        fprintf (l->out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", "REF", "NETWORK", "CANTON", "LANG", "RECEIVED",
                 "TITLE");
    char received [32];
    hub_cli_time (r->received_at_ms, received);
    //  The title goes last: UTF-8 text of any width does not break the alignment.
    fprintf (l->out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", r->ref, r->network, r->canton, r->language, received,
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
    s_listing_t listing = { cii_cli_out (cli), cii_cli_json (cli) ? json_array () : NULL, 0, false };
    cii_err_t err;
    cii_err_clear (&err);
    if (cii_cli_json (cli) && !listing.list)
        code = cii_cli_refuse (cli, "out of memory");
    else
    if (hub_intake_signals (store, cii_cli_opt (cli, "network"), s_signal_row, &listing, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (listing.failed)
        code = cii_cli_refuse (cli, "out of memory");
    else
    if (listing.list) {
        code = cii_cli_print_json (cli, listing.list);
        listing.list = NULL;
    }
    else
    if (listing.rows == 0)
        fprintf (cii_cli_out (cli), "no signals\n");
    json_decref (listing.list);
    hub_store_destroy (&store);
    return code;
}
