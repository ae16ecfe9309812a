/*  agent_cli_notices.c — `notices`: the bureau's notices the agent received, as a table or as
    JSON. */
#include "agent_cli_verbs.h"

#include <inttypes.h>

#include "agent_query.h"
#include "cii_util.h"

static bool
s_notice (const agent_notice_row_t *row, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json) {
        json_t *notice = json_object ();
        cii_json_set (notice, "seq", json_integer (row->seq));
        cii_json_set (notice, "notice_id", json_integer (row->notice_id));
        cii_json_set (notice, "title", cii_json_str (row->title));
        cii_json_set (notice, "text", cii_json_str (row->text));
        cii_json_set (notice, "networks", cii_json_list (row->networks));
        cii_json_set (notice, "issued_at", cii_json_time (row->issued_at_ms));
        cii_json_set (notice, "received_at", cii_json_time (row->received_at_ms));
        return agent_cli_listing_add (listing, notice);
    }
    if (listing->count == 0)
        fprintf (listing->out, "%-6s %-8s %-24s %-20s %s\n", "SEQ", "NOTICE", "ISSUED", "NETWORKS", "TITLE");
    char issued [32];
    cii_util_iso8601 (row->issued_at_ms, issued);
    fprintf (listing->out, "%-6" PRId64 " %-8" PRId64 " %-24s %-20s %s\n", row->seq, row->notice_id, issued,
             *row->networks ? row->networks : "(all)", row->title);
    return agent_cli_listing_add (listing, NULL);
}

static cii_rc_t
s_query (agent_store_t *store, agent_cli_listing_t *listing, cii_err_t *err)
{
    return agent_query_notices (store, s_notice, listing, NULL, err);
}

int
agent_cli_notices (cii_cli_t *cli)
{
    return agent_cli_list (cli, s_query, "no notices");
}
