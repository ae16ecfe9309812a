/*  hub_cli_agents.c — `cii-hub enroll`, `revoke` and `agents`: the enrolment service (hub_enrol)
    called from the command line, and the agents table or its JSON. */
#include "hub_cli_verbs.h"
#include "hub_enrol.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int
hub_cli_enroll (cii_cli_t *cli)
{
    const char *network = cii_cli_arg (cli, 0);
    const char *endpoint = cii_cli_opt (cli, "endpoint");
    const char *out_path = cii_cli_opt (cli, "out");
    if (!endpoint || !out_path)
        return cii_cli_usage (cli, "--endpoint and --out are required");
    if (!hub_enrol_endpoint_valid (endpoint))
        return cii_cli_usage (cli, "--endpoint must look like tcp://HOST:PORT");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_enrolled_t enrolled;
    if (hub_enrol_agent (store, network, endpoint, out_path, &enrolled, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "network", cii_json_str (network));
        cii_json_set (doc, "public_key", cii_json_str (enrolled.public_key));
        cii_json_set (doc, "bundle", cii_json_str (out_path));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "agent %s enrolled for network %s\nbundle written to %s\n", enrolled.public_key,
                 network, out_path);
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_revoke (cii_cli_t *cli)
{
    const char *network = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_enrol_revoke (store, network, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
        fprintf (cii_cli_out (cli), "agent of network %s revoked\n", network);
    hub_store_destroy (&store);
    return code;
}

static json_t *
s_agent_json (const hub_agent_row_t *r)
{
    json_t *agent = json_object ();
    cii_json_set (agent, "network", cii_json_str (r->network));
    cii_json_set (agent, "public_key", cii_json_str (r->public_key));
    cii_json_set (agent, "connected", json_boolean (r->connected));
    cii_json_set (agent, "revoked", json_boolean (r->revoked));
    cii_json_set (agent, "enrolled_at", cii_json_time (r->enrolled_at_ms));
    cii_json_set (agent, "last_seen", cii_json_time (r->last_seen_ms));
    cii_json_set (agent, "last_seq", json_integer (r->last_seq));
    cii_json_set (agent, "acked_seq", json_integer (r->acked_seq));
    cii_json_set (agent, "backlog", json_integer (r->last_seq - r->acked_seq));
    char epoch [24];
    snprintf (epoch, sizeof epoch, "%" PRId64, r->epoch);
    cii_json_set (agent, "epoch", cii_json_str (epoch));
    cii_json_set (agent, "epoch_start", json_integer (r->epoch_start));
    cii_json_set (agent, "replacements", json_integer (r->replacements));
    cii_json_set (agent, "last_replaced_at", cii_json_time (r->last_replaced_at_ms));
    return agent;
}

//  The table of count agents (nothing when there are none).
static void
s_agents_table (FILE *out, const hub_agent_row_t *rows, size_t count)
{
    if (count == 0)
        return;
    int width = (int) strlen ("NETWORK");
    for (size_t i = 0; i < count; i++)
        if ((int) strlen (rows [i].network) > width)
            width = (int) strlen (rows [i].network);
    fprintf (out, "%-*s  %-9s  %-40s  %-24s  %-24s  %8s  %8s  %8s  %8s\n", width, "NETWORK", "STATE", "PUBLIC KEY",
             "ENROLLED", "LAST SEEN", "LAST SEQ", "ACKED", "BACKLOG", "REPLACED");
    for (size_t i = 0; i < count; i++) {
        const hub_agent_row_t *r = &rows [i];
        char enrolled [32], seen [32];
        hub_cli_time (r->enrolled_at_ms, enrolled);
        hub_cli_time (r->last_seen_ms, seen);
        fprintf (out, "%-*s  %-9s  %-40s  %-24s  %-24s  %8" PRId64 "  %8" PRId64 "  %8" PRId64 "  %8" PRId64 "\n",
                 width, r->network, r->revoked ? "revoked" : r->connected ? "connected" : "offline", r->public_key,
                 enrolled, seen, r->last_seq, r->acked_seq, r->last_seq - r->acked_seq, r->replacements);
    }
}

int
hub_cli_agents (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    hub_agent_row_t *rows = NULL;
    size_t count = 0;
    cii_rc_t rc = listing.failed ? CII_OK : hub_enrol_agents (store, &rows, &count, &listing.err);
    for (size_t i = 0; rc == CII_OK && listing.list && i < count; i++)
        hub_cli_listing_add (&listing, s_agent_json (&rows [i]));
    if (rc == CII_OK && !listing.list && !listing.failed) {
        s_agents_table (cii_cli_out (cli), rows, count);
        listing.rows = (int) count;
    }
    code = hub_cli_listing_end (&listing, rc, "no agents enrolled");
    free (rows);
    hub_store_destroy (&store);
    return code;
}
