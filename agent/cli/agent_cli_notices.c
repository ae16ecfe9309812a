/*  agent_cli_notices.c — `notices`: the bureau's notices the agent received, as a table or as
    JSON. */
#include "agent_cli_verbs.h"

#include <inttypes.h>

#include "agent_query.h"
#include "cii_util.h"

typedef struct {
    FILE *out;
    json_t *json;                 //  the array when --json, else NULL
    bool no_memory;               //  an entry could not be added to it
    size_t count;
} s_listing_t;

static bool
s_notice (const agent_notice_row_t *row, void *arg)
{
    s_listing_t *listing = arg;
    if (listing->json) {
        json_t *notice = json_object ();
        cii_json_set (notice, "seq", json_integer (row->seq));
        cii_json_set (notice, "notice_id", json_integer (row->notice_id));
        cii_json_set (notice, "title", cii_json_str (row->title));
        cii_json_set (notice, "text", cii_json_str (row->text));
        cii_json_set (notice, "networks", cii_json_list (row->networks));
        cii_json_set (notice, "issued_at", cii_json_time (row->issued_at_ms));
        cii_json_set (notice, "received_at", cii_json_time (row->received_at_ms));
        listing->no_memory = json_array_append_new (listing->json, notice) != 0;
        return !listing->no_memory;
    }
    if (listing->count++ == 0)
        fprintf (listing->out, "%-6s %-8s %-24s %-20s %s\n", "SEQ", "NOTICE", "ISSUED", "NETWORKS", "TITLE");
    char issued [32];
    cii_util_iso8601 (row->issued_at_ms, issued);
    fprintf (listing->out, "%-6" PRId64 " %-8" PRId64 " %-24s %-20s %s\n", row->seq, row->notice_id, issued,
             *row->networks ? row->networks : "(all)", row->title);
    return true;
}

int
agent_cli_notices (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    s_listing_t listing = { cii_cli_out (cli), cii_cli_json (cli) ? json_array () : NULL, false, 0 };
    cii_err_t err;
    size_t count = 0;
    cii_rc_t rc = agent_query_notices (store, s_notice, &listing, &count, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK) {
        json_decref (listing.json);
        return cii_cli_fail (cli, &err);
    }
    if (listing.no_memory)
        json_decref (listing.json);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, listing.no_memory ? NULL : listing.json);
    if (count == 0)
        fprintf (listing.out, "no notices\n");
    return CII_CLI_OK;
}
