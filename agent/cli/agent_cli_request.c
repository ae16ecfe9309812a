/*  agent_cli_request.c — the coordinator's consolidation verbs: `request new|edit|merge|split|
    forward|withdraw`, the `requests` listing (by state, by canton: what a canton signalled or
    supports), `show ID|REF` (everything about one request: lineage, withdrawals, criteria, the
    hub's history) and `similar SIGNAL` (the network's signals and requests that look like it).
    Each parses, calls one service function (agent_requests.h, agent_similar.h) and prints. */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_requests.h"
#include "agent_similar.h"
#include "cii_util.h"

#define S_JOINED_MAX 512              //  repeated --objective / --priority values, joined
#define S_LINE_MAX   (CII_MAX_REASON + 160)   //  a line of show: a time, a state and a note

//  --------------------------------------------------------------------------------------------
//  Helpers

//  A request id argument: a positive integer. 0 when it is none.
static int64_t
s_id (const char *arg)
{
    if (!arg || !*arg || strlen (arg) > 18 || strspn (arg, "0123456789") != strlen (arg))
        return 0;
    return strtoll (arg, NULL, 10);
}

//  The values of a repeatable option joined with ',' into buf; NULL when it was not given.
static const char *
s_joined (cii_cli_t *cli, const char *name, char buf [S_JOINED_MAX])
{
    int count = cii_cli_opt_count (cli, name);
    if (count == 0)
        return NULL;
    size_t len = 0;
    buf [0] = '\0';
    for (int i = 0; i < count && len < S_JOINED_MAX - 1; i++)
        len += (size_t) snprintf (buf + len, S_JOINED_MAX - len, "%s%s", i ? "," : "", cii_cli_opt_at (cli, name, i));
    return buf;
}

//  A JSON array of integers from a comma list of them ("3,7").
static json_t *
s_int_list (const char *list)
{
    json_t *array = json_array ();
    for (const char *p = list ? list : ""; array && *p; ) {
        json_array_append_new (array, json_integer (strtoll (p, NULL, 10)));
        p += strcspn (p, ",");
        if (*p == ',')
            p++;
    }
    return array ? array : json_null ();
}

//  "VD,GE" as "VD, GE" ("-" when empty) into buf.
static const char *
s_list_text (const char *list, char *buf, size_t size)
{
    if (!list || !*list)
        return "-";
    size_t len = 0;
    for (const char *p = list; *p && len + 3 < size; p++) {
        buf [len++] = *p;
        if (*p == ',')
            buf [len++] = ' ';
    }
    buf [len] = '\0';
    return buf;
}

//  A labelled field of `show`: continuation lines of value indented under the first.
static void
s_field (FILE *out, const char *label, const char *value)
{
    fprintf (out, "  %-15s ", label);
    for (const char *p = value && *value ? value : "-"; *p; p++) {
        fputc (*p, out);
        if (*p == '\n' && p [1] && p [1] != '\n')
            fprintf (out, "  %-15s ", "");      //  no trailing spaces on a blank line
    }
    fputc ('\n', out);
}

static const char *
s_time (int64_t ms, char buf [32])
{
    if (ms <= 0)
        return "-";
    cii_util_iso8601 (ms, buf);
    return buf;
}

//  The input of `request new` and `request edit` from the options.
static void
s_input (cii_cli_t *cli, agent_request_input_t *input, char objectives [S_JOINED_MAX], char priorities [S_JOINED_MAX])
{
    memset (input, 0, sizeof *input);
    input->title = cii_cli_opt (cli, "title");
    input->summary = cii_cli_opt (cli, "summary");
    input->summary_file = cii_cli_opt (cli, "summary-file");
    input->assessment = cii_cli_opt (cli, "assessment");
    input->signals = cii_cli_opt (cli, "signals");
    input->add_signals = cii_cli_opt (cli, "add-signals");
    input->remove_signals = cii_cli_opt (cli, "remove-signals");
    input->objectives = s_joined (cli, "objective", objectives);
    input->priorities = s_joined (cli, "priority", priorities);
    input->support = cii_cli_opt (cli, "support");
    input->lang = cii_cli_opt (cli, "lang");
}

//  {"id": ID, "state": STATE}: what most verbs answer with --json.
static json_t *
s_id_json (int64_t id, const char *state)
{
    json_t *result = json_object ();
    cii_json_set (result, "id", json_integer (id));
    cii_json_set (result, "state", cii_json_str (state));
    return result;
}

//  --------------------------------------------------------------------------------------------
//  request new | edit | merge | split | forward | withdraw

int
agent_cli_request_new (cii_cli_t *cli)
{
    char objectives [S_JOINED_MAX], priorities [S_JOINED_MAX];
    agent_request_input_t input;
    s_input (cli, &input, objectives, priorities);
    if (!input.title)
        return cii_cli_usage (cli, "--title TEXT is required");
    if ((input.summary != NULL) == (input.summary_file != NULL))
        return cii_cli_usage (cli, "give exactly one of --summary TEXT and --summary-file FILE");
    if (!input.signals || !*input.signals)
        return cii_cli_usage (cli, "--signals ID,... is required");
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    int64_t id = 0;
    cii_err_t err;
    cii_rc_t rc = agent_requests_new (store, &input, &id, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, s_id_json (id, "draft"));
    fprintf (cii_cli_out (cli), "request %" PRId64 " drafted (cii-agent show %" PRId64 ")\n", id, id);
    return CII_CLI_OK;
}

int
agent_cli_request_edit (cii_cli_t *cli)
{
    int64_t id = s_id (cii_cli_arg (cli, 0));
    if (!id)
        return cii_cli_usage (cli, "'%s' is not a request id", cii_cli_arg (cli, 0));
    char objectives [S_JOINED_MAX], priorities [S_JOINED_MAX];
    agent_request_input_t input;
    s_input (cli, &input, objectives, priorities);
    if (input.summary && input.summary_file)
        return cii_cli_usage (cli, "give --summary TEXT or --summary-file FILE, not both");
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    bool reopened = false;
    cii_err_t err;
    cii_rc_t rc = agent_requests_edit (store, id, &input, &reopened, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, cii_json_set (s_id_json (id, "draft"), "reopened", json_boolean (reopened)));
    fprintf (cii_cli_out (cli), "request %" PRId64 " %s\n", id,
             reopened ? "is a draft again (it was refused by the hub): correct it, then forward it" : "updated");
    return CII_CLI_OK;
}

int
agent_cli_request_merge (cii_cli_t *cli)
{
    int64_t into = s_id (cii_cli_arg (cli, 0)), from = s_id (cii_cli_arg (cli, 1));
    if (!into || !from)
        return cii_cli_usage (cli, "'%s' is not a request id", cii_cli_arg (cli, into ? 1 : 0));
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_rc_t rc = agent_requests_merge (store, into, from, cii_cli_opt (cli, "title"), &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, cii_json_set (s_id_json (into, "draft"), "merged", json_integer (from)));
    fprintf (cii_cli_out (cli), "request %" PRId64 " merged into request %" PRId64 "\n", from, into);
    return CII_CLI_OK;
}

int
agent_cli_request_split (cii_cli_t *cli)
{
    int64_t id = s_id (cii_cli_arg (cli, 0));
    if (!id)
        return cii_cli_usage (cli, "'%s' is not a request id", cii_cli_arg (cli, 0));
    const char *signals = cii_cli_opt (cli, "signals"), *title = cii_cli_opt (cli, "title");
    if (!signals || !*signals)
        return cii_cli_usage (cli, "--signals ID,... is required");
    if (!title)
        return cii_cli_usage (cli, "--title TEXT is required");
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    int64_t new_id = 0;
    cii_err_t err;
    cii_rc_t rc = agent_requests_split (store, id, signals, title, cii_cli_opt (cli, "summary"), &new_id, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, cii_json_set (s_id_json (new_id, "draft"), "split_from", json_integer (id)));
    fprintf (cii_cli_out (cli), "request %" PRId64 " split from request %" PRId64 "\n", new_id, id);
    return CII_CLI_OK;
}

int
agent_cli_request_forward (cii_cli_t *cli)
{
    int64_t id = s_id (cii_cli_arg (cli, 0));
    if (!id)
        return cii_cli_usage (cli, "'%s' is not a request id", cii_cli_arg (cli, 0));
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_forwarded_t forwarded;
    cii_err_t err;
    cii_rc_t rc = agent_requests_forward (store, id, &forwarded, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *result = s_id_json (id, "forwarded");
        cii_json_set (result, "message_id", cii_json_str (forwarded.message_id));
        json_t *waiting = json_array (), *notes = json_array ();
        for (size_t i = 0; i < forwarded.n_waiting; i++)
            json_array_append_new (waiting, json_integer (forwarded.waiting [i]));
        for (size_t i = 0; i < forwarded.n_notes; i++)
            json_array_append_new (notes, cii_json_str (forwarded.notes [i]));
        cii_json_set (result, "waiting_for_signals", waiting);
        cii_json_set (result, "notes", notes);
        return cii_cli_print_json (cli, result);
    }
    FILE *out = cii_cli_out (cli);
    fprintf (out, "request %" PRId64 " forwarded (message %s)", id, forwarded.message_id);
    if (forwarded.n_waiting > 0) {
        fprintf (out, "; it goes up once the hub has receipted signal%s", forwarded.n_waiting > 1 ? "s" : "");
        for (size_t i = 0; i < forwarded.n_waiting; i++)
            fprintf (out, "%s %" PRId64, i ? "," : "", forwarded.waiting [i]);
    }
    fputc ('\n', out);
    for (size_t i = 0; i < forwarded.n_notes; i++)
        fprintf (out, "note: %s\n", forwarded.notes [i]);
    return CII_CLI_OK;
}

int
agent_cli_request_withdraw (cii_cli_t *cli)
{
    int64_t id = s_id (cii_cli_arg (cli, 0));
    if (!id)
        return cii_cli_usage (cli, "'%s' is not a request id", cii_cli_arg (cli, 0));
    const char *reason = cii_cli_opt (cli, "reason");
    if (!reason)
        return cii_cli_usage (cli, "--reason TEXT is required");
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    char message_id [AGENT_MESSAGE_ID_SIZE];
    cii_err_t err;
    cii_rc_t rc = agent_requests_withdraw (store, id, reason, message_id, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *result = json_object ();
        cii_json_set (result, "id", json_integer (id));
        cii_json_set (result, "message_id", cii_json_str (message_id));
        cii_json_set (result, "queued", json_true ());
        return cii_cli_print_json (cli, result);
    }
    fprintf (cii_cli_out (cli), "withdrawal of request %" PRId64 " queued (message %s); the hub decides and says "
             "so in the request's history\n", id, message_id);
    return CII_CLI_OK;
}

//  --------------------------------------------------------------------------------------------
//  requests

static bool
s_request_line (const agent_request_row_t *row, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json) {
        json_t *request = json_object ();
        cii_json_set (request, "id", json_integer (row->id));
        cii_json_set (request, "ref", cii_json_str (row->hub_ref));
        cii_json_set (request, "title", cii_json_str (row->title));
        cii_json_set (request, "state", cii_json_str (row->state));
        cii_json_set (request, "cantons", cii_json_list (row->cantons));
        cii_json_set (request, "signals", s_int_list (row->signals));
        cii_json_set (request, "updated_at", cii_json_time (row->updated_at_ms));
        return agent_cli_listing_add (listing, request);
    }
    FILE *out = listing->out;
    if (listing->count == 0)
        fprintf (out, "%-5s %-14s %-22s %-15s %-12s %-24s %s\n", "ID", "REF", "STATE", "CANTONS", "SIGNALS",
                 "UPDATED", "TITLE");
    char updated [32];
    fprintf (out, "%-5" PRId64 " %-14s %-22s %-15s %-12s %-24s %s\n", row->id, row->hub_ref ? row->hub_ref : "-",
             row->state, *row->cantons ? row->cantons : "-", *row->signals ? row->signals : "-",
             s_time (row->updated_at_ms, updated),
             strcmp (row->origin, "hub") == 0 ? "(known only from the hub's status)" : row->title);
    return agent_cli_listing_add (listing, NULL);
}

static cii_rc_t
s_requests_query (agent_store_t *store, agent_cli_listing_t *listing, void *arg, cii_err_t *err)
{
    cii_cli_t *cli = arg;
    return agent_requests_list (store, agent_cli_state_filter (cli), cii_cli_opt (cli, "canton"), s_request_line,
                                listing, NULL, err);
}

int
agent_cli_requests (cii_cli_t *cli)
{
    return agent_cli_list_arg (cli, s_requests_query, cli, "no requests");
}

//  --------------------------------------------------------------------------------------------
//  show ID|REF

//  What show gathers: the JSON object, or the text stream.
typedef struct {
    json_t *json;                 //  with --json: the object being filled
    json_t *list;                 //  the array of the part being read
    FILE *out;                    //  without --json
    size_t count;
    bool no_memory;
} s_show_t;

static void
s_append (s_show_t *show, json_t *entry)
{
    if (!entry || json_array_append_new (show->list, entry) != 0)
        show->no_memory = true;
}

static bool
s_show_request (const agent_request_row_t *row, void *arg)
{
    s_show_t *show = arg;
    char a [32], b [32], list [S_JOINED_MAX];
    if (show->json) {
        json_t *o = show->json;
        cii_json_set (o, "id", json_integer (row->id));
        cii_json_set (o, "ref", cii_json_str (row->hub_ref));
        cii_json_set (o, "state", cii_json_str (row->state));
        cii_json_set (o, "origin", cii_json_str (row->origin));
        cii_json_set (o, "title", cii_json_str (row->title));
        cii_json_set (o, "summary", cii_json_str (row->summary));
        cii_json_set (o, "assessment", cii_json_str (row->assessment));
        cii_json_set (o, "language", cii_json_str (row->language));
        cii_json_set (o, "cantons", cii_json_list (row->cantons));
        cii_json_set (o, "support", cii_json_list (row->support));
        cii_json_set (o, "institutions", cii_json_list (row->institutions));
        cii_json_set (o, "target_groups", cii_json_list (row->target_groups));
        cii_json_set (o, "objectives", cii_json_list (row->objectives));
        cii_json_set (o, "priorities", cii_json_list (row->priorities));
        cii_json_set (o, "national_reason", cii_json_str (row->national_reason));
        cii_json_set (o, "theme", cii_json_str (*row->theme ? row->theme : NULL));
        cii_json_set (o, "message_id", cii_json_str (row->message_id));
        cii_json_set (o, "created_at", cii_json_time (row->created_at_ms));
        cii_json_set (o, "updated_at", cii_json_time (row->updated_at_ms));
        cii_json_set (o, "forwarded_at", cii_json_time (row->forwarded_at_ms));
        cii_json_set (o, "hub_received_at", cii_json_time (row->hub_received_at_ms));
        json_t *refused = json_null ();
        if (row->refused) {
            refused = json_object ();
            cii_json_set (refused, "code", json_integer (row->refused_code));
            cii_json_set (refused, "name", cii_json_str (row->refused_name));
            cii_json_set (refused, "text", cii_json_str (row->refused_text));
            cii_json_set (refused, "at", cii_json_time (row->refused_at_ms));
        }
        cii_json_set (o, "refused", refused);
        return false;
    }
    FILE *out = show->out;
    fprintf (out, "request %" PRId64 "  %s  %s%s\n", row->id, row->hub_ref ? row->hub_ref : "(no reference yet)",
             row->state, strcmp (row->origin, "hub") == 0 ? "  (known only from the hub's status)" : "");
    s_field (out, "title", row->title);
    s_field (out, "summary", row->summary);
    s_field (out, "assessment", row->assessment);
    s_field (out, "language", row->language);
    s_field (out, "cantons", s_list_text (row->cantons, list, sizeof list));
    s_field (out, "support", s_list_text (row->support, list, sizeof list));
    s_field (out, "institutions", s_list_text (row->institutions, list, sizeof list));
    s_field (out, "target groups", s_list_text (row->target_groups, list, sizeof list));
    s_field (out, "objectives", s_list_text (row->objectives, list, sizeof list));
    s_field (out, "priorities", s_list_text (row->priorities, list, sizeof list));
    s_field (out, "national reason", row->national_reason);
    s_field (out, "theme", row->theme);
    s_field (out, "created", s_time (row->created_at_ms, a));
    s_field (out, "updated", s_time (row->updated_at_ms, a));
    if (row->message_id) {
        char line [160];
        snprintf (line, sizeof line, "%s (message %s)", s_time (row->forwarded_at_ms, a), row->message_id);
        s_field (out, "forwarded", line);
    }
    if (row->hub_received_at_ms > 0)
        s_field (out, "received", s_time (row->hub_received_at_ms, b));
    if (row->refused) {
        char line [S_LINE_MAX];
        snprintf (line, sizeof line, "%s %s: %s", s_time (row->refused_at_ms, a), row->refused_name,
                  row->refused_text);
        s_field (out, strcmp (row->state, "refused") == 0 ? "refused" : "refused before", line);
    }
    return false;
}

static bool
s_show_signal (const agent_signal_row_t *row, void *arg)
{
    s_show_t *show = arg;
    const char *state = row->delivered_at_ms > 0 ? "delivered" : row->refused ? "refused" : "pending";
    if (show->json) {
        json_t *signal = json_object ();
        cii_json_set (signal, "id", json_integer (row->id));
        cii_json_set (signal, "message_id", cii_json_str (row->message_id));
        cii_json_set (signal, "canton", cii_json_str (row->canton));
        cii_json_set (signal, "title", cii_json_str (row->title));
        cii_json_set (signal, "state", cii_json_str (state));
        cii_json_set (signal, "hub_ref", cii_json_str (row->hub_ref));
        s_append (show, signal);
        return !show->no_memory;
    }
    fprintf (show->out, "  %-15s %-5" PRId64 " %-3s %-10s %-12s %s\n", show->count++ ? "" : "signals", row->id,
             row->canton, state, row->hub_ref ? row->hub_ref : row->refused ? row->refused_name : "-", row->title);
    return true;
}

static const char *
s_relation_text (const char *relation)
{
    return strcmp (relation, "merged-from") == 0 ? "merged from"
         : strcmp (relation, "merged-into") == 0 ? "merged into"
         : strcmp (relation, "split-from") == 0 ? "split from"
         : strcmp (relation, "split-into") == 0 ? "split into" : relation;
}

static bool
s_show_lineage (const agent_lineage_row_t *row, void *arg)
{
    s_show_t *show = arg;
    char at [32];
    if (show->json) {
        json_t *entry = json_object ();
        cii_json_set (entry, "relation", cii_json_str (row->relation));
        cii_json_set (entry, "request", json_integer (row->other_id));
        cii_json_set (entry, "ref", cii_json_str (row->other_ref));
        cii_json_set (entry, "title", cii_json_str (row->other_title));
        cii_json_set (entry, "at", cii_json_time (row->at_ms));
        s_append (show, entry);
        return !show->no_memory;
    }
    fprintf (show->out, "  %-15s %s request %" PRId64 "%s%s (%s): %s\n", show->count++ ? "" : "lineage",
             s_relation_text (row->relation), row->other_id, row->other_ref ? " " : "",
             row->other_ref ? row->other_ref : "", s_time (row->at_ms, at), row->other_title);
    return true;
}

static bool
s_show_withdrawal (const agent_withdrawal_row_t *row, void *arg)
{
    s_show_t *show = arg;
    const char *state = row->refused ? "refused" : row->delivered_at_ms > 0 ? "received" : "pending";
    char at [32];
    if (show->json) {
        json_t *entry = json_object ();
        cii_json_set (entry, "message_id", cii_json_str (row->message_id));
        cii_json_set (entry, "reason", cii_json_str (row->reason));
        cii_json_set (entry, "created_at", cii_json_time (row->created_at_ms));
        cii_json_set (entry, "state", cii_json_str (state));
        cii_json_set (entry, "hub_received_at", cii_json_time (row->hub_received_at_ms));
        json_t *refused = json_null ();
        if (row->refused) {
            refused = json_object ();
            cii_json_set (refused, "code", json_integer (row->refused_code));
            cii_json_set (refused, "name", cii_json_str (row->refused_name));
            cii_json_set (refused, "text", cii_json_str (row->refused_text));
        }
        cii_json_set (entry, "refused", refused);
        s_append (show, entry);
        return !show->no_memory;
    }
    char line [S_LINE_MAX];
    snprintf (line, sizeof line, "%s %s%s%s%s: %s", s_time (row->created_at_ms, at), state, row->refused ? " (" : "",
              row->refused ? row->refused_name : "", row->refused ? ")" : "",
              row->refused ? row->refused_text : row->reason);
    s_field (show->out, show->count++ ? "" : "withdrawals", line);
    return true;
}

static bool
s_show_criterion (const cii_criterion_t *criterion, void *arg)
{
    s_show_t *show = arg;
    if (show->json) {
        json_t *entry = json_object ();
        cii_json_set (entry, "id", cii_json_str (criterion->id));
        cii_json_set (entry, "met", json_boolean (criterion->met));
        cii_json_set (entry, "reason", cii_json_str (criterion->reason));
        s_append (show, entry);
        return !show->no_memory;
    }
    fprintf (show->out, "  %-15s %-4s %-7s %s\n", show->count++ ? "" : "criteria", criterion->id,
             criterion->met ? "met" : "not met", criterion->reason);
    return true;
}

static bool
s_show_history (const agent_history_row_t *row, void *arg)
{
    s_show_t *show = arg;
    char at [32];
    if (show->json) {
        json_t *entry = json_object ();
        cii_json_set (entry, "state", cii_json_str (row->state));
        cii_json_set (entry, "organ", cii_json_str (row->organ));
        cii_json_set (entry, "at", cii_json_time (row->at_ms));
        cii_json_set (entry, "note", cii_json_str (row->note));
        cii_json_set (entry, "theme", cii_json_str (*row->theme ? row->theme : NULL));
        if (*row->meeting)
            cii_json_set (entry, "meeting", cii_json_str (row->meeting));
        s_append (show, entry);
        return !show->no_memory;
    }
    char line [S_LINE_MAX];
    snprintf (line, sizeof line, "%s %-22s %-7s %s%s%s", s_time (row->at_ms, at), row->state, row->organ, row->meeting,
              *row->meeting ? "  " : "", row->note);
    for (size_t len = strlen (line); len > 0 && line [len - 1] == ' '; len--)
        line [len - 1] = '\0';             //  no note: no trailing spaces
    s_field (show->out, show->count++ ? "" : "history", line);
    return true;
}

//  Reads one part of the request into the array key of the JSON object (or prints it).
typedef cii_rc_t (s_part_fn) (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err);

static cii_rc_t
s_part (agent_store_t *store, int64_t id, s_show_t *show, const char *key, s_part_fn *part, cii_err_t *err)
{
    show->count = 0;
    if (show->json) {
        show->list = json_array ();
        if (!show->list || json_object_set_new (show->json, key, show->list) != 0)
            show->no_memory = true;
    }
    cii_rc_t rc = part (store, id, show, err);
    if (rc == CII_OK && show->no_memory)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    return rc;
}

static cii_rc_t
s_part_signals (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err)
{
    return agent_requests_signals (store, id, s_show_signal, show, err);
}

static cii_rc_t
s_part_lineage (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err)
{
    return agent_requests_lineage (store, id, s_show_lineage, show, err);
}

static cii_rc_t
s_part_withdrawals (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err)
{
    return agent_requests_withdrawals (store, id, s_show_withdrawal, show, err);
}

static cii_rc_t
s_part_criteria (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err)
{
    return agent_requests_criteria (store, id, s_show_criterion, show, err);
}

static cii_rc_t
s_part_history (agent_store_t *store, int64_t id, s_show_t *show, cii_err_t *err)
{
    return agent_requests_history (store, id, s_show_history, show, err);
}

int
agent_cli_show (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    //  Text is written to memory first: a failed show prints nothing but its reason
    char *text = NULL;
    size_t size = 0;
    s_show_t show = { 0 };
    if (cii_cli_json (cli))
        show.json = json_object ();
    else
        show.out = open_memstream (&text, &size);
    int64_t id = 0;
    cii_err_t err;
    cii_rc_t rc = show.json || show.out ? CII_OK : cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        rc = agent_requests_resolve (store, cii_cli_arg (cli, 0), &id, &err);
    if (rc == CII_OK)
        rc = agent_requests_get (store, id, s_show_request, &show, &err);
    if (rc == CII_OK)
        rc = s_part (store, id, &show, "signals", s_part_signals, &err);
    if (rc == CII_OK)
        rc = s_part (store, id, &show, "lineage", s_part_lineage, &err);
    if (rc == CII_OK)
        rc = s_part (store, id, &show, "withdrawals", s_part_withdrawals, &err);
    if (rc == CII_OK)
        rc = s_part (store, id, &show, "criteria", s_part_criteria, &err);
    if (rc == CII_OK)
        rc = s_part (store, id, &show, "history", s_part_history, &err);
    agent_store_destroy (&store);
    if (show.out)
        fclose (show.out);
    if (rc != CII_OK) {
        json_decref (show.json);
        free (text);
        return cii_cli_fail (cli, &err);
    }
    if (show.json)
        return cii_cli_print_json (cli, show.json);
    fwrite (text, 1, size, cii_cli_out (cli));
    free (text);
    return CII_CLI_OK;
}

//  --------------------------------------------------------------------------------------------
//  similar SIGNAL

static bool
s_similar_line (const agent_similar_t *hit, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json) {
        json_t *entry = json_object ();
        cii_json_set (entry, "kind", cii_json_str (hit->kind));
        cii_json_set (entry, "id", json_integer (hit->id));
        cii_json_set (entry, "title", cii_json_str (hit->title));
        cii_json_set (entry, "state", cii_json_str (hit->state));
        cii_json_set (entry, "cantons", cii_json_list (hit->cantons));
        cii_json_set (entry, "ref", cii_json_str (hit->ref));
        cii_json_set (entry, "score", json_integer (hit->score));
        json_t *why = json_object ();
        cii_json_set (why, "words", cii_json_list (hit->words));
        cii_json_set (why, "institutions", cii_json_list (hit->institutions));
        cii_json_set (why, "target_groups", cii_json_list (hit->target_groups));
        cii_json_set (why, "contains", json_boolean (hit->contains));
        cii_json_set (entry, "why", why);
        return agent_cli_listing_add (listing, entry);
    }
    FILE *out = listing->out;
    if (listing->count == 0)
        fprintf (out, "%-6s %-7s %-5s %-10s %-15s %s\n", "SCORE", "KIND", "ID", "STATE", "CANTONS", "TITLE");
    fprintf (out, "%6" PRId64 " %-7s %-5" PRId64 " %-10s %-15s %s\n", hit->score, hit->kind, hit->id, hit->state,
             *hit->cantons ? hit->cantons : "-", hit->title);
    char why [1024];
    size_t len = 0;
    why [0] = '\0';
    if (hit->contains)
        len += (size_t) snprintf (why + len, sizeof why - len, "consolidates this signal already");
    if (*hit->words && len < sizeof why)
        len += (size_t) snprintf (why + len, sizeof why - len, "%swords %s", len ? "; " : "", hit->words);
    if (*hit->institutions && len < sizeof why)
        len += (size_t) snprintf (why + len, sizeof why - len, "%sinstitutions %s", len ? "; " : "", hit->institutions);
    if (*hit->target_groups && len < sizeof why)
        snprintf (why + len, sizeof why - len, "%starget groups %s", len ? "; " : "", hit->target_groups);
    fprintf (out, "%-6s why: %s\n", "", why);
    return agent_cli_listing_add (listing, NULL);
}

static cii_rc_t
s_similar_query (agent_store_t *store, agent_cli_listing_t *listing, void *arg, cii_err_t *err)
{
    cii_cli_t *cli = arg;
    const char *limit_text = cii_cli_opt (cli, "limit");
    size_t limit = limit_text ? (size_t) s_id (limit_text) : 0;
    return agent_similar (store, cii_cli_arg (cli, 0), limit, s_similar_line, listing, NULL, NULL, err);
}

int
agent_cli_similar (cii_cli_t *cli)
{
    const char *limit = cii_cli_opt (cli, "limit");
    if (limit && (!s_id (limit) || s_id (limit) > AGENT_SIMILAR_LIMIT_MAX))
        return cii_cli_usage (cli, "--limit N takes 1..%d", AGENT_SIMILAR_LIMIT_MAX);
    return agent_cli_list_arg (cli, s_similar_query, cli, "nothing similar");
}
