/*  agent_cli_signal.c — the verbs about cantonal signals: `signal add`, `signal import` (both
    through the intake service) and the `signals` listing with each one's fate at the hub. */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <stdlib.h>

#include "agent_import.h"
#include "agent_intake.h"
#include "agent_query.h"
#include "cii_util.h"

//  One queued signal: {"id", "message_id", "canton", "queued": true}, or its line of text.
static json_t *
s_queued_json (const agent_queued_t *queued)
{
    json_t *result = json_object ();
    cii_json_set (result, "id", json_integer (queued->id));
    cii_json_set (result, "message_id", cii_json_str (queued->message_id));
    cii_json_set (result, "canton", cii_json_str (queued->canton));
    cii_json_set (result, "queued", json_true ());
    return result;
}

static void
s_queued_text (FILE *out, const agent_queued_t *queued)
{
    fprintf (out, "signal %" PRId64 " queued (message %s)\n", queued->id, queued->message_id);
}

int
agent_cli_signal_add (cii_cli_t *cli)
{
    agent_signal_input_t input = {
        .canton = cii_cli_opt (cli, "canton"),
        .title = cii_cli_opt (cli, "title"),
        .body = cii_cli_opt (cli, "body"),
        .body_file = cii_cli_opt (cli, "body-file"),
        .institutions = cii_cli_opt (cli, "institutions"),
        .target_groups = cii_cli_opt (cli, "target-groups"),
        .reason = cii_cli_opt (cli, "reason"),
        .lang = cii_cli_opt (cli, "lang"),
    };
    const char *created = cii_cli_opt (cli, "created-at");
    if (!input.canton || !*input.canton)
        return cii_cli_usage (cli, "--canton CODE is required");
    if (!input.title)
        return cii_cli_usage (cli, "--title TEXT is required");
    if ((input.body != NULL) == (input.body_file != NULL))
        return cii_cli_usage (cli, "give exactly one of --body TEXT and --body-file FILE");
    if (!input.institutions)
        return cii_cli_usage (cli, "--institutions a,b is required");
    if (created && agent_import_parse_time (created, &input.created_at_ms) != CII_OK)
        return cii_cli_usage (cli, "--created-at '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]]Z)", created);
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_queued_t queued;
    cii_err_t err;
    cii_rc_t rc = agent_intake_add (store, &input, &queued, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, s_queued_json (&queued));
    s_queued_text (cii_cli_out (cli), &queued);
    return CII_CLI_OK;
}

int
agent_cli_signal_import (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_queued_t *queued = NULL;
    size_t count = 0;
    cii_err_t err;
    cii_rc_t rc = agent_intake_import (store, cii_cli_arg (cli, 0), &queued, &count, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *result = json_array ();
        for (size_t i = 0; i < count && result; i++)
            if (json_array_append_new (result, s_queued_json (&queued [i])) != 0) {
                json_decref (result);
                result = NULL;
            }
        free (queued);
        return cii_cli_print_json (cli, result);
    }
    for (size_t i = 0; i < count; i++)
        s_queued_text (cii_cli_out (cli), &queued [i]);
    fprintf (cii_cli_out (cli), "%zu signal%s imported\n", count, count == 1 ? "" : "s");
    free (queued);
    return CII_CLI_OK;
}

static json_t *
s_signal_json (const agent_signal_row_t *row)
{
    bool delivered = row->delivered_at_ms > 0;
    json_t *signal = json_object ();
    cii_json_set (signal, "id", json_integer (row->id));
    cii_json_set (signal, "message_id", cii_json_str (row->message_id));
    cii_json_set (signal, "canton", cii_json_str (row->canton));
    cii_json_set (signal, "title", cii_json_str (row->title));
    cii_json_set (signal, "language", cii_json_str (row->language));
    cii_json_set (signal, "institutions", cii_json_list (row->institutions));
    cii_json_set (signal, "target_groups", cii_json_list (row->target_groups));
    cii_json_set (signal, "created_at", cii_json_time (row->created_at_ms));
    cii_json_set (signal, "delivered", json_boolean (delivered));
    cii_json_set (signal, "hub_ref", cii_json_str (delivered ? row->hub_ref : NULL));
    cii_json_set (signal, "hub_received_at", cii_json_time (delivered ? row->hub_received_at_ms : 0));
    json_t *refused = json_null ();
    if (row->refused) {
        refused = json_object ();
        cii_json_set (refused, "code", json_integer (row->refused_code));
        cii_json_set (refused, "text", cii_json_str (row->refused_text ? row->refused_text : ""));
    }
    cii_json_set (signal, "refused", refused);
    return signal;
}

static bool
s_signal (const agent_signal_row_t *row, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json)
        return agent_cli_listing_add (listing, s_signal_json (row));
    FILE *out = listing->out;
    if (listing->count == 0)
        fprintf (out, "%-6s %-6s %-4s %-9s %-24s %-16s %s\n", "ID", "CANTON", "LANG", "STATE", "CREATED",
                 "HUB REF", "TITLE");
    char created [32];
    cii_util_iso8601 (row->created_at_ms, created);
    bool delivered = row->delivered_at_ms > 0;
    const char *state = delivered ? "delivered" : row->refused ? "refused" : "pending";
    const char *ref = delivered && row->hub_ref ? row->hub_ref
                    : row->refused ? row->refused_name : "-";
    fprintf (out, "%-6" PRId64 " %-6s %-4s %-9s %-24s %-16s %s\n", row->id, row->canton, row->language, state,
             created, ref, row->title);
    return agent_cli_listing_add (listing, NULL);
}

static cii_rc_t
s_query (agent_store_t *store, agent_cli_listing_t *listing, cii_err_t *err)
{
    return agent_query_signals (store, s_signal, listing, NULL, err);
}

int
agent_cli_signals (cii_cli_t *cli)
{
    return agent_cli_list (cli, s_query, "no signals");
}
