/*  hub_cli_wg.c — working groups (plan 2.4): `cii-hub wg new --mandated-by cdc|cp --refs REF,...
    --title T --context ... --until YYYY-MM-DD [--meeting M-YYYY-NN] [--json]`, `cii-hub wg report
    WG --file RESULT.md [--json]`, `cii-hub wg show WG [--json]` and `cii-hub wgs [--overdue]
    [--json]`. Parse, call hub_wg, print. */
#include "hub_cli_verbs.h"
#include "hub_wg.h"

#include <stdlib.h>
#include <string.h>

#include "cii_util.h"

static json_t *
s_moved_json (const hub_wg_done_t *done)
{
    json_t *list = json_array ();
    for (size_t i = 0; i < done->count; i++) {
        json_t *row = json_object ();
        cii_json_set (row, "ref", cii_json_str (done->requests [i].ref));
        cii_json_set (row, "from", cii_json_str (done->requests [i].from));
        json_array_append_new (list, row);
    }
    return list;
}

int
hub_cli_wg_new (cii_cli_t *cli)
{
    hub_wg_mandate_t mandate = {
        .title = cii_cli_opt (cli, "title"),
        .context = cii_cli_opt (cli, "context"),
        .objective = cii_cli_opt (cli, "objective"),
        .deliverables = cii_cli_opt (cli, "deliverables"),
        .process = cii_cli_opt (cli, "process"),
        .composition = cii_cli_opt (cli, "composition"),
        .communication = cii_cli_opt (cli, "communication"),
        .financing = cii_cli_opt (cli, "financing"),
        .lead = cii_cli_opt (cli, "lead"),
        .staffing = cii_cli_opt (cli, "staffing"),
        .until = cii_cli_opt (cli, "until"),
    };
    char *copy = NULL;
    size_t n = 0;
    const char **refs = hub_cli_split (cii_cli_opt (cli, "refs"), &copy, &n);
    if (!refs) {
        free (copy);
        return cii_cli_refuse (cli, "out of memory");
    }
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store) {
        free (refs);
        free (copy);
        return code;
    }
    cii_err_t err;
    cii_err_clear (&err);
    hub_wg_done_t done;
    if (hub_wg_new (store, &mandate, cii_cli_opt (cli, "mandated-by"), refs, n, cii_cli_opt (cli, "meeting"), &done, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (done.ref));
        cii_json_set (doc, "mandated_by", cii_json_str (done.mandated_by));
        cii_json_set (doc, "meeting", cii_json_str (*done.meeting ? done.meeting : NULL));
        cii_json_set (doc, "until", cii_json_str (done.until));
        cii_json_set (doc, "at", cii_json_time (done.at_ms));
        cii_json_set (doc, "requests", s_moved_json (&done));
        code = cii_cli_print_json (cli, doc);
    }
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "%s: mandated by the %s%s%s, result due by %s\n", done.ref, done.mandated_by,
                 *done.meeting ? " in " : "", done.meeting, done.until);
        for (size_t i = 0; i < done.count; i++)
            if (strcmp (done.requests [i].from, "wg-mandated") == 0)
                fprintf (out, "  %s: wg-mandated already, linked\n", done.requests [i].ref);
            else
                fprintf (out, "  %s: %s -> wg-mandated\n", done.requests [i].ref, done.requests [i].from);
    }
    hub_wg_done_clear (&done);
    hub_store_destroy (&store);
    free (refs);
    free (copy);
    return code;
}

int
hub_cli_wg_report (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    const char *path = cii_cli_opt (cli, "file");
    if (!path)
        return cii_cli_usage (cli, "--file is required");
    cii_err_t err;
    cii_err_clear (&err);
    //  The limit bounds the read: a larger file is refused before it is read.
    char *text = NULL;
    size_t size = 0;
    if (cii_util_read_file_max (path, HUB_WG_MAX_RESULT, &text, &size, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store) {
        free (text);
        return code;
    }
    hub_wg_done_t done;
    if (hub_wg_report (store, ref, text, size, &done, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (done.ref));
        cii_json_set (doc, "mandated_by", cii_json_str (done.mandated_by));
        cii_json_set (doc, "reported_at", cii_json_time (done.at_ms));
        cii_json_set (doc, "bytes", json_integer ((json_int_t) size));
        cii_json_set (doc, "requests", s_moved_json (&done));
        code = cii_cli_print_json (cli, doc);
    }
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "%s reported to the %s (%zu bytes)\n", done.ref, done.mandated_by, size);
        for (size_t i = 0; i < done.count; i++)
            fprintf (out, "  %s: wg-mandated -> wg-reported\n", done.requests [i].ref);
    }
    hub_wg_done_clear (&done);
    hub_store_destroy (&store);
    free (text);
    return code;
}

static json_t *
s_wg_json (const hub_wg_row_t *row, bool full)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "ref", cii_json_str (row->ref));
    cii_json_set (doc, "mandated_by", cii_json_str (row->mandated_by));
    cii_json_set (doc, "meeting", cii_json_str (*row->meeting ? row->meeting : NULL));
    cii_json_set (doc, "title", cii_json_str (row->mandate.title));
    cii_json_set (doc, "until", cii_json_str (row->mandate.until));
    cii_json_set (doc, "requests", cii_json_list (row->requests));
    cii_json_set (doc, "reported_at", cii_json_time (row->reported_at_ms));
    cii_json_set (doc, "overdue", json_boolean (row->overdue));
    cii_json_set (doc, "created_at", cii_json_time (row->created_at_ms));
    if (full) {
        const hub_wg_mandate_t *m = &row->mandate;
        cii_json_set (doc, "context", cii_json_str (m->context));
        cii_json_set (doc, "objective", cii_json_str (m->objective));
        cii_json_set (doc, "deliverables", cii_json_str (m->deliverables));
        cii_json_set (doc, "process", cii_json_str (m->process));
        cii_json_set (doc, "composition", cii_json_str (m->composition));
        cii_json_set (doc, "communication", cii_json_str (m->communication));
        cii_json_set (doc, "financing", cii_json_str (m->financing));
        cii_json_set (doc, "lead", cii_json_str (m->lead));
        cii_json_set (doc, "staffing", cii_json_str (m->staffing));
        cii_json_set (doc, "result", cii_json_str (row->reported_at_ms ? row->result : NULL));
    }
    return doc;
}

static const char *
s_wg_state (const hub_wg_row_t *row)
{
    return row->reported_at_ms ? "reported" : row->overdue ? "overdue" : "open";
}

static bool
s_wg_row (const hub_wg_row_t *row, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_wg_json (row, false));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-11s  %-3s  %-10s  %-8s  %-30s  %s\n", "REF", "BY", "UNTIL", "STATE", "REQUESTS", "TITLE");
    fprintf (out, "%-11s  %-3s  %-10s  %-8s  %-30s  %s\n", row->ref, row->mandated_by, row->mandate.until,
             s_wg_state (row), *row->requests ? row->requests : "-", row->mandate.title);
    return true;
}

int
hub_cli_wgs (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    bool overdue = cii_cli_flag (cli, "overdue");
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_wg_list (store, NULL, overdue, s_wg_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, overdue ? "no working group is overdue" : "no working groups");
    hub_store_destroy (&store);
    return code;
}

static bool
s_wg_show (const hub_wg_row_t *row, void *arg)
{
    json_t **doc = arg;
    *doc = s_wg_json (row, true);
    return false;
}

int
hub_cli_wg_show (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    json_t *doc = NULL;
    if (hub_wg_list (store, ref, false, s_wg_show, &doc, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (!doc)
        code = cii_cli_refuse (cli, "out of memory");
    else
    if (cii_cli_json (cli)) {
        code = cii_cli_print_json (cli, doc);
        doc = NULL;
    }
    else {
        FILE *out = cii_cli_out (cli);
        static const char *const keys [] = { "ref", "title", "mandated_by", "meeting", "until", "context", "objective",
                                             "deliverables", "process", "composition", "communication", "financing",
                                             "lead", "staffing" };
        for (size_t i = 0; i < sizeof keys / sizeof keys [0]; i++) {
            const char *value = json_string_value (json_object_get (doc, keys [i]));
            fprintf (out, "%s: %s\n", keys [i], value ? value : "-");
        }
        json_t *requests = json_object_get (doc, "requests");
        fprintf (out, "requests:");
        for (size_t i = 0; i < json_array_size (requests); i++)
            fprintf (out, " %s", json_string_value (json_array_get (requests, i)));
        fprintf (out, "%s\n", json_array_size (requests) ? "" : " -");
        const char *reported = json_string_value (json_object_get (doc, "reported_at"));
        if (reported)
            fprintf (out, "reported: %s\nresult:\n%s\n", reported,
                     json_string_value (json_object_get (doc, "result")));
        else
            fprintf (out, "reported: not yet%s\n", json_is_true (json_object_get (doc, "overdue")) ? " (overdue)" : "");
    }
    json_decref (doc);
    hub_store_destroy (&store);
    return code;
}
