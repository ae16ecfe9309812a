/*  hub_cli_monitor.c — `cii-hub monitor [--rec REC] [--network N] [--json]` (the canton x
    recommendation matrix, its roll-ups and the declined ones with their reasons), `cii-hub monitor
    --overdue [--json]` (the cells past their report date without a final report) and `cii-hub
    monitor --remind [--json]` (a notice about them to the networks concerned). Parse, call
    hub_monitor, print. */
#include "hub_cli_verbs.h"
#include "hub_monitor.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_util.h"

#define S_WIDTH      120            //  the text output's width
#define S_CELL       17             //  one column of the matrix: "p in-progress!" and room

static json_t *
s_cell_json (const hub_monitor_t *m, const hub_monitor_cell_t *cell)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "rec", cii_json_str (m->recs [cell->rec].ref));
    cii_json_set (doc, "version", json_integer (m->recs [cell->rec].version));
    cii_json_set (doc, "canton", cii_json_str (cell->canton));
    cii_json_set (doc, "network", cii_json_str (cell->network));
    cii_json_set (doc, "push", cii_json_str (cell->push));
    cii_json_set (doc, "state", cii_json_str (cell->state));
    cii_json_set (doc, "reported_at", *cell->reported_at ? cii_json_str (cell->reported_at) : json_null ());
    cii_json_set (doc, "note", cii_json_str (cell->note ? cell->note : ""));
    return doc;
}

//  The JSON output is written one cell at a time into one buffer, then printed whole (nothing when
//  out of memory): for 26,000 cells a tree of 200,000 jansson values took 30 MB and half the run.
//  Same bytes as cii_json_print would print for the whole document (its flags).
#define S_JSON_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION (6))

typedef struct {
    char *text;
    size_t len;
    size_t cap;
    bool failed;
} s_out_t;

static void
s_out_add (s_out_t *o, const char *data, size_t len)
{
    if (o->failed)
        return;
    if (o->len + len + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 64 * 1024;
        while (o->len + len + 1 > cap)
            cap *= 2;
        char *grown = realloc (o->text, cap);
        if (!grown) {
            o->failed = true;
            return;
        }
        o->text = grown;
        o->cap = cap;
    }
    memcpy (o->text + o->len, data, len);
    o->len += len;
    o->text [o->len] = 0;
}

//  Appends value as compact JSON and drops the reference.
static void
s_out_json (s_out_t *o, json_t *value)
{
    char small [1024];
    size_t need = value ? json_dumpb (value, small, sizeof small, S_JSON_FLAGS) : 0;
    if (need == 0)
        o->failed = true;
    else
    if (need <= sizeof small)
        s_out_add (o, small, need);
    else {
        char *big = malloc (need);
        if (big && json_dumpb (value, big, need, S_JSON_FLAGS) == need)
            s_out_add (o, big, need);
        else
            o->failed = true;
        free (big);
    }
    json_decref (value);
}

static void
s_out_cells (s_out_t *o, const hub_monitor_t *m)
{
    s_out_add (o, "[", 1);
    for (size_t i = 0; i < m->count && !o->failed; i++) {
        if (i > 0)
            s_out_add (o, ",", 1);
        s_out_json (o, s_cell_json (m, &m->cells [i]));
    }
    s_out_add (o, "]", 1);
}

static json_t *
s_shares_json (const hub_monitor_rollup_t *rollup)
{
    json_t *doc = json_object ();
    for (size_t s = 0; s < HUB_MONITOR_STATES; s++)
        cii_json_set (doc, hub_monitor_state_at (s), json_real (hub_monitor_share (rollup, s)));
    return doc;
}

//  Prints the matrix ({cells, networks, national}) or, when overdue, the list of its cells.
static int
s_print_json (cii_cli_t *cli, const hub_monitor_t *m, bool overdue)
{
    s_out_t o = { NULL, 0, 0, false };
    if (!overdue)
        s_out_add (&o, "{\"cells\":", 9);
    s_out_cells (&o, m);
    if (!overdue) {
        json_t *networks = json_object ();
        for (size_t i = 0; i < m->n_networks; i++)
            cii_json_set (networks, m->networks [i].network, s_shares_json (&m->networks [i]));
        s_out_add (&o, ",\"networks\":", 12);
        s_out_json (&o, networks);
        s_out_add (&o, ",\"national\":", 12);
        s_out_json (&o, s_shares_json (&m->national));
        s_out_add (&o, "}", 1);
    }
    s_out_add (&o, "\n", 1);
    int code = CII_CLI_OK;
    FILE *out = cii_cli_out (cli);
    if (o.failed)
        code = cii_cli_refuse (cli, "out of memory");
    else
    if (fwrite (o.text, 1, o.len, out) != o.len || fflush (out) != 0)
        code = cii_cli_refuse (cli, "cannot write the output");
    free (o.text);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  Text

//  One letter for a push state.
static char
s_push_letter (const char *push)
{
    return streq (push, "pushed") ? 'p' : streq (push, "failed") ? 'f' : streq (push, "delivered") ? 'd'
         : streq (push, "queued") ? 'q' : '-';
}

//  The cell of recommendation r for canton, or NULL (its cells from first[r] on, by canton).
static const hub_monitor_cell_t *
s_find (const hub_monitor_t *m, const size_t *first, size_t r, const char *canton)
{
    for (size_t k = first [r]; k < m->count && m->cells [k].rec == r; k++)
        if (streq (m->cells [k].canton, canton))
            return &m->cells [k];
    return NULL;
}

//  The matrix: cantons down, recommendations across, in blocks as wide as the page.
static void
s_print_matrix (FILE *out, const hub_monitor_t *m, const size_t *first)
{
    int label = 16;                         //  "VD lemanique": the canton and its network
    for (size_t n = 0; n < m->n_networks; n++) {
        int len = (int) strlen (m->networks [n].network) + 5;
        if (len > label)
            label = len;
    }
    if (label > 24)
        label = 24;
    size_t per_block = (size_t) ((S_WIDTH - label) / S_CELL);
    if (per_block < 1)
        per_block = 1;
    for (size_t from = 0; from < m->n_recs; from += per_block) {
        size_t to = from + per_block < m->n_recs ? from + per_block : m->n_recs;
        fprintf (out, "\n%-*s", label, "canton");
        for (size_t r = from; r < to; r++) {
            char head [HUB_MAX_REF + 16];
            snprintf (head, sizeof head, "%s v%d", m->recs [r].ref, m->recs [r].version);
            fprintf (out, r + 1 < to ? "%-*s" : "%.*s", S_CELL, head);
        }
        fputc ('\n', out);
        for (size_t c = 0; c < CII_CANTON_COUNT; c++) {
            const char *canton = cii_domain_canton_at (c);
            const char *network = NULL;
            for (size_t r = from; r < to && !network; r++) {
                const hub_monitor_cell_t *cell = s_find (m, first, r, canton);
                network = cell ? cell->network : NULL;
            }
            if (!network)
                continue;                   //  addressed by none of the block's recommendations
            char row [64];
            snprintf (row, sizeof row, "%s %.*s", canton, label - 4, network);
            fprintf (out, "%-*s", label, row);
            for (size_t r = from; r < to; r++) {
                const hub_monitor_cell_t *cell = s_find (m, first, r, canton);
                char text [S_CELL + 8] = "";
                if (cell)
                    snprintf (text, sizeof text, "%c %s%s", s_push_letter (cell->push), cell->state,
                              cell->overdue ? "!" : "");
                else
                    snprintf (text, sizeof text, ".");
                fprintf (out, r + 1 < to ? "%-*s" : "%.*s", S_CELL, text);
            }
            fputc ('\n', out);
        }
    }
}

//  The width of state index's column in the roll-ups: its name, at least "100.0%".
static int
s_state_width (size_t index)
{
    int len = (int) strlen (hub_monitor_state_at (index));
    return len < 6 ? 6 : len;
}

static void
s_print_rollup (FILE *out, const char *name, const hub_monitor_rollup_t *rollup)
{
    fprintf (out, "%-16s %6d", name, rollup->cells);
    for (size_t s = 0; s < HUB_MONITOR_STATES; s++)
        fprintf (out, "  %*.1f%%", s_state_width (s) - 1, 100.0 * hub_monitor_share (rollup, s));
    fputc ('\n', out);
}

static void
s_print (FILE *out, const hub_monitor_t *m)
{
    fprintf (out, "Monitoring on %s: %zu recommendation%s, %zu cell%s, %zu overdue\n", m->today, m->n_recs,
             m->n_recs == 1 ? "" : "s", m->count, m->count == 1 ? "" : "s", m->overdue);
    if (m->count == 0)
        return;
    size_t *first = calloc (m->n_recs, sizeof *first);
    if (!first)
        return;
    for (size_t k = m->count; k-- > 0;)
        first [m->cells [k].rec] = k;
    fprintf (out, "push: p pushed, f failed, d delivered to the network, q queued, - not sent; then the latest "
             "report; ! overdue\n");
    s_print_matrix (out, m, first);

    fprintf (out, "\n%-14s %3s  %-10s  %-9s  %s\n", "recommendation", "v", "report by", "overdue", "title");
    for (size_t r = 0; r < m->n_recs; r++) {
        const hub_monitor_rec_t *rec = &m->recs [r];
        char overdue [24];
        snprintf (overdue, sizeof overdue, "%d of %d", rec->overdue, rec->cells);
        fprintf (out, "%-14s %3d  %-10s  %-9s  %s\n", rec->ref, rec->version, rec->report_by, overdue, rec->title);
    }

    fprintf (out, "\n%-16s %6s", "roll-up", "cells");
    for (size_t s = 0; s < HUB_MONITOR_STATES; s++)
        fprintf (out, "  %*s", s_state_width (s), hub_monitor_state_at (s));
    fputc ('\n', out);
    for (size_t n = 0; n < m->n_networks; n++)
        s_print_rollup (out, m->networks [n].network, &m->networks [n]);
    s_print_rollup (out, "national", &m->national);

    bool any = false;
    for (size_t k = 0; k < m->count; k++) {
        const hub_monitor_cell_t *cell = &m->cells [k];
        if (!streq (cell->state, "declined"))
            continue;
        if (!any)
            fprintf (out, "\ndeclined, with their reasons:\n");
        any = true;
        fprintf (out, "  %-14s %s %-12s %s  %s\n", m->recs [cell->rec].ref, cell->canton, cell->network,
                 cell->reported_at, cell->note ? cell->note : "");
    }
    any = false;
    for (size_t k = 0; k < m->count; k++) {
        const hub_monitor_cell_t *cell = &m->cells [k];
        if (!streq (cell->push, "failed"))
            continue;
        if (!any)
            fprintf (out, "\nfailed pushes:\n");
        any = true;
        fprintf (out, "  %-14s %s %-12s %s\n", m->recs [cell->rec].ref, cell->canton, cell->network,
                 cell->push_detail ? cell->push_detail : "");
    }
    free (first);
}

static void
s_print_overdue (FILE *out, const hub_monitor_t *m)
{
    if (m->count == 0) {
        fprintf (out, "no report is overdue (%s)\n", m->today);
        return;
    }
    fprintf (out, "%-14s %3s  %-10s %5s  %-6s %-12s %-9s %-12s %s\n", "REC", "V", "DUE", "DAYS", "CANTON", "NETWORK",
             "PUSH", "STATE", "REPORTED");
    for (size_t k = 0; k < m->count; k++) {
        const hub_monitor_cell_t *cell = &m->cells [k];
        const hub_monitor_rec_t *rec = &m->recs [cell->rec];
        fprintf (out, "%-14s %3d  %-10s %5d  %-6s %-12s %-9s %-12s %s\n", rec->ref, rec->version, rec->report_by,
                 rec->days_past, cell->canton, cell->network, cell->push, cell->state,
                 *cell->reported_at ? cell->reported_at : "-");
    }
    fprintf (out, "%zu overdue cell%s of %zu recommendation%s on %s\n", m->count, m->count == 1 ? "" : "s", m->n_recs,
             m->n_recs == 1 ? "" : "s", m->today);
}

//  --------------------------------------------------------------------------------------------
//  The verb

static int
s_remind (cii_cli_t *cli, hub_store_t *store)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_monitor_reminder_t sent;
    if (hub_monitor_remind (store, &sent, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    int code = CII_CLI_OK;
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "sent", json_boolean (sent.sent));
        cii_json_set (doc, "notice", sent.sent ? json_integer (sent.notice_id) : json_null ());
        cii_json_set (doc, "networks", cii_json_list (sent.networks));
        cii_json_set (doc, "cells", json_integer ((json_int_t) sent.cells));
        cii_json_set (doc, "recipients", json_integer (sent.recipients));
        cii_json_set (doc, "title", sent.sent ? cii_json_str (sent.title) : json_null ());
        cii_json_set (doc, "text", sent.sent ? cii_json_str (sent.text) : json_null ());
        code = cii_cli_print_json (cli, doc);
    }
    else
    if (!sent.sent)
        fprintf (cii_cli_out (cli), "no report is overdue: no reminder sent\n");
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "reminder sent as notice %" PRId64 " to ", sent.notice_id);
        for (const char *p = sent.networks; p && *p; p++)
            fputs (*p == ',' ? ", " : (char []) { *p, 0 }, out);
        fprintf (out, " (queued for %" PRId64 " agent%s): %s\n\n", sent.recipients, sent.recipients == 1 ? "" : "s",
                 sent.title);
        fputs (sent.text, out);
    }
    hub_monitor_reminder_clear (&sent);
    return code;
}

int
hub_cli_monitor (cii_cli_t *cli)
{
    bool overdue = cii_cli_flag (cli, "overdue"), remind = cii_cli_flag (cli, "remind");
    const char *rec = cii_cli_opt (cli, "rec"), *network = cii_cli_opt (cli, "network");
    if (overdue && remind)
        return cii_cli_usage (cli, "give --overdue or --remind, not both");
    if (remind && (rec || network))
        return cii_cli_usage (cli, "--remind reminds every network of all its overdue reports: no --rec or --network");
    if (rec && !*rec)
        return cii_cli_usage (cli, "--rec needs a recommendation, REC-YYYY-NN");
    if (network && !*network)
        return cii_cli_usage (cli, "--network needs a network's name");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    if (remind) {
        code = s_remind (cli, store);
        hub_store_destroy (&store);
        return code;
    }
    cii_err_t err;
    cii_err_clear (&err);
    hub_monitor_t m;
    hub_monitor_filter_t filter = { rec, network, overdue };
    if (hub_monitor_build (store, &filter, &m, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli))
        code = s_print_json (cli, &m, overdue);
    else
    if (overdue)
        s_print_overdue (cii_cli_out (cli), &m);
    else
        s_print (cii_cli_out (cli), &m);
    hub_monitor_clear (&m);
    hub_store_destroy (&store);
    return code;
}
