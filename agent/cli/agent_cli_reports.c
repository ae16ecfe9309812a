/*  agent_cli_reports.c — `cii-agent report REC --canton C --state S [--note T] [--version N]`
    (a canton's implementation report, sent up exactly once), `cii-agent reports [--rec REC]
    [--canton C]` (the history) and `cii-agent reports import` (the report files of
    STATE/reports/, once by hand: the daemon does it every second), and `cii-agent
    recommendations` (each received recommendation with its cantons' push and report states). */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_reports.h"
#include "cii_util.h"

//  --- report -------------------------------------------------------------------------------------

int
agent_cli_report (cii_cli_t *cli)
{
    const char *canton = cii_cli_opt (cli, "canton");
    const char *state = agent_cli_state_filter (cli);
    const char *version_text = cii_cli_opt (cli, "version");
    if (!canton || !*canton)
        return cii_cli_usage (cli, "--canton is required (the canton reporting, one of the network's)");
    if (!state || !*state)
        return cii_cli_usage (cli, "--state is required (acknowledged, planned, in-progress, implemented or "
                                   "declined); the state directory then goes before the command "
                                   "(cii-agent --state DIR report ...) or in $CII_AGENT_STATE");
    uint32_t version = 0;
    if (version_text) {
        char *end = NULL;
        unsigned long long value = strtoull (version_text, &end, 10);
        if (!*version_text || *end || value < 1 || value > UINT32_MAX || version_text [0] == '-')
            return cii_cli_usage (cli, "--version must be a whole number from 1 (the version reported on)");
        version = (uint32_t) value;
    }
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_report_input_t input = {
        .ref = cii_cli_arg (cli, 0),
        .canton = canton,
        .state = state,
        .note = cii_cli_opt (cli, "note"),
        .version = version,
        .source = "cli",
    };
    agent_reported_t reported;
    cii_err_t err;
    cii_rc_t rc = agent_reports_add (store, &input, &reported, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "id", json_integer (reported.id));
        cii_json_set (doc, "ref", cii_json_str (reported.ref));
        cii_json_set (doc, "version", json_integer (reported.version));
        cii_json_set (doc, "canton", cii_json_str (reported.canton));
        cii_json_set (doc, "state", cii_json_str (state));
        cii_json_set (doc, "message_id", cii_json_str (reported.message_id));
        return cii_cli_print_json (cli, doc);
    }
    fprintf (cii_cli_out (cli), "report %" PRId64 ": %s version %" PRId64 ", %s %s, queued for the hub (message %s)\n",
             reported.id, reported.ref, reported.version, reported.canton, state, reported.message_id);
    return CII_CLI_OK;
}

//  --- reports ------------------------------------------------------------------------------------

static json_t *
s_report_json (const agent_report_row_t *row)
{
    bool delivered = row->delivered_at_ms > 0;
    json_t *report = json_object ();
    cii_json_set (report, "id", json_integer (row->id));
    cii_json_set (report, "ref", cii_json_str (row->ref));
    cii_json_set (report, "version", json_integer (row->version));
    cii_json_set (report, "canton", cii_json_str (row->canton));
    cii_json_set (report, "state", cii_json_str (row->state));
    cii_json_set (report, "note", cii_json_str (row->note));
    cii_json_set (report, "source", cii_json_str (row->source));
    cii_json_set (report, "file", cii_json_str (row->file_name));
    cii_json_set (report, "message_id", cii_json_str (row->message_id));
    cii_json_set (report, "created_at", cii_json_time (row->created_at_ms));
    cii_json_set (report, "delivered", json_boolean (delivered));
    cii_json_set (report, "hub_ref", cii_json_str (delivered ? row->hub_ref : NULL));
    cii_json_set (report, "hub_received_at", cii_json_time (delivered ? row->hub_received_at_ms : 0));
    json_t *refused = json_null ();
    if (row->refused) {
        refused = json_object ();
        cii_json_set (refused, "code", json_integer (row->refused_code));
        cii_json_set (refused, "name", cii_json_str (row->refused_name));
        cii_json_set (refused, "text", cii_json_str (row->refused_text ? row->refused_text : ""));
    }
    cii_json_set (report, "refused", refused);
    return report;
}

static bool
s_report (const agent_report_row_t *row, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json)
        return agent_cli_listing_add (listing, s_report_json (row));
    FILE *out = listing->out;
    if (listing->count == 0)
        fprintf (out, "%-6s %-12s %-3s %-6s %-13s %-24s %-5s %-16s %s\n", "ID", "REC", "V", "CANTON", "STATE",
                 "CREATED", "FROM", "HUB", "NOTE");
    char created [32], version [16];
    cii_util_iso8601 (row->created_at_ms, created);
    snprintf (version, sizeof version, row->version ? "%" PRId64 : "-", row->version);
    const char *hub = row->delivered_at_ms > 0 && row->hub_ref ? row->hub_ref
                    : row->refused ? row->refused_name : "pending";
    fprintf (out, "%-6" PRId64 " %-12s %-3s %-6s %-13s %-24s %-5s %-16s ", row->id, row->ref, version, row->canton,
             row->state, created, row->source, hub ? hub : "refused");
    agent_cli_put_text (out, row->note);
    fputc ('\n', out);
    return agent_cli_listing_add (listing, NULL);
}

typedef struct {
    const char *rec;
    const char *canton;
} s_filter_t;

static cii_rc_t
s_query_reports (agent_store_t *store, agent_cli_listing_t *listing, void *arg, cii_err_t *err)
{
    const s_filter_t *filter = arg;
    return agent_reports_list (store, filter->rec, filter->canton, s_report, listing, NULL, err);
}

//  `reports import`: one run of the import, its counts.
static int
s_import (cii_cli_t *cli)
{
    if (cii_cli_opt (cli, "rec") || cii_cli_opt (cli, "canton"))
        return cii_cli_usage (cli, "reports import takes no --rec or --canton (it imports every canton's files)");
    int code = CII_CLI_OK;
    const char *dir = agent_cli_state_dir (cli, &code);
    agent_store_t *store = dir ? agent_cli_open (cli, NULL, &code) : NULL;
    if (!store)
        return code;
    agent_reports_summary_t summary;
    cii_err_t err;
    cii_rc_t rc = agent_reports_import (store, dir, &summary, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "imported", json_integer ((json_int_t) summary.imported));
        cii_json_set (doc, "duplicates", json_integer ((json_int_t) summary.duplicates));
        cii_json_set (doc, "rejected", json_integer ((json_int_t) summary.rejected));
        cii_json_set (doc, "left", json_integer ((json_int_t) summary.left));
        return cii_cli_print_json (cli, doc);
    }
    fprintf (cii_cli_out (cli), "report files: %zu imported, %zu imported before, %zu rejected (see %s/%s/CANTON/%s/)"
             ", %zu left for the next run\n", summary.imported, summary.duplicates, summary.rejected, dir,
             AGENT_REPORTS_DIR, AGENT_REPORTS_REJECTED, summary.left);
    return CII_CLI_OK;
}

int
agent_cli_reports (cii_cli_t *cli)
{
    if (cii_cli_nargs (cli) == 1) {
        if (strcmp (cii_cli_arg (cli, 0), "import") != 0)
            return cii_cli_usage (cli, "unexpected argument '%s' (reports import, or reports [--rec REC] [--canton C])",
                                  cii_cli_arg (cli, 0));
        return s_import (cli);
    }
    s_filter_t filter = { cii_cli_opt (cli, "rec"), cii_cli_opt (cli, "canton") };
    return agent_cli_list_arg (cli, s_query_reports, &filter, "no reports");
}

//  --- recommendations ----------------------------------------------------------------------------

typedef struct {
    agent_cli_listing_t *listing;
    json_t *rec;                  //  the recommendation being walked
    json_t *titles;
    json_t *cantons;
} s_recs_t;

//  Adds the recommendation walked so far to the listing (or prints it).
static bool
s_rec_flush (s_recs_t *recs)
{
    if (!recs->rec)
        return true;
    json_t *rec = recs->rec;
    recs->rec = NULL;
    cii_json_set (rec, "titles", recs->titles);
    cii_json_set (rec, "cantons", recs->cantons);
    recs->titles = recs->cantons = NULL;
    if (recs->listing->json)
        return agent_cli_listing_add (recs->listing, rec);
    FILE *out = recs->listing->out;
    fprintf (out, "%s  version %" JSON_INTEGER_FORMAT "  adopted %s  report by %s\n",
             json_string_value (json_object_get (rec, "ref")), json_integer_value (json_object_get (rec, "version")),
             json_string_value (json_object_get (rec, "adopted_on")),
             json_string_value (json_object_get (rec, "report_by")));
    const char *language;
    json_t *title;
    json_object_foreach (json_object_get (rec, "titles"), language, title) {
        fprintf (out, "  %s: ", language);
        agent_cli_put_text (out, json_string_value (title));
        fputc ('\n', out);
    }
    size_t index;
    json_t *cell;
    json_array_foreach (json_object_get (rec, "cantons"), index, cell) {
        const char *at = json_string_value (json_object_get (cell, "reported_at"));
        fprintf (out, "  %-3s push %-7s report %-13s %s\n", json_string_value (json_object_get (cell, "canton")),
                 json_string_value (json_object_get (cell, "push")), json_string_value (json_object_get (cell, "state")),
                 at ? at : "");
    }
    json_decref (rec);
    return agent_cli_listing_add (recs->listing, NULL);
}

static bool
s_rec (const agent_rec_row_t *row, void *arg)
{
    s_recs_t *recs = arg;
    if (!s_rec_flush (recs))
        return false;
    recs->rec = json_object ();
    recs->titles = json_object ();
    recs->cantons = json_array ();
    cii_json_set (recs->rec, "ref", cii_json_str (row->ref));
    cii_json_set (recs->rec, "version", json_integer (row->version));
    cii_json_set (recs->rec, "adopted_on", cii_json_str (row->adopted_on));
    cii_json_set (recs->rec, "report_by", cii_json_str (row->report_by));
    cii_json_set (recs->rec, "all_cantons", json_boolean (row->all_cantons));
    cii_json_set (recs->rec, "partners", cii_json_list (row->partners));
    cii_json_set (recs->rec, "received_at", cii_json_time (row->received_at_ms));
    return true;
}

static bool
s_title (const char *language, const char *title, const char *text, void *arg)
{
    (void) text;
    s_recs_t *recs = arg;
    cii_json_set (recs->titles, language, cii_json_str (title));
    return true;
}

static bool
s_cell (const agent_rec_cell_t *cell, void *arg)
{
    s_recs_t *recs = arg;
    json_t *entry = json_object ();
    cii_json_set (entry, "canton", cii_json_str (cell->canton));
    cii_json_set (entry, "push", cii_json_str (cell->push));
    cii_json_set (entry, "state", cii_json_str (cell->state));
    cii_json_set (entry, "reported_at", cii_json_time (cell->reported_at_ms));
    json_array_append_new (recs->cantons, entry);
    return true;
}

static cii_rc_t
s_query_recs (agent_store_t *store, agent_cli_listing_t *listing, cii_err_t *err)
{
    s_recs_t recs = { listing, NULL, NULL, NULL };
    agent_recs_visitor_t visitor = { s_rec, s_title, s_cell };
    cii_rc_t rc = agent_reports_recommendations (store, &visitor, &recs, NULL, err);
    if (rc == CII_OK && !s_rec_flush (&recs))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    json_decref (recs.rec);
    json_decref (recs.titles);
    json_decref (recs.cantons);
    return rc;
}

int
agent_cli_recommendations (cii_cli_t *cli)
{
    return agent_cli_list (cli, s_query_recs, "no recommendations received");
}
