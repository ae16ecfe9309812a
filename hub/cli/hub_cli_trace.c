/*  hub_cli_trace.c — `cii-hub trace REF [--json]`: the lineage of a request, a theme or a signal
    (hub_trace): signals -> requests -> theme -> decisions -> working groups / projects; for a
    recommendation REC the same of its basis, then its versions with their delivery per network,
    its cantons' push and report states, its reports and the national requests opened from its
    monitoring. As one JSON object or as text (control characters of stored text shown as '?'). */
#include "hub_cli_verbs.h"
#include "hub_trace.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    json_t *doc;
    json_t *signals;
    json_t *requests;
    json_t *themes;
    json_t *decisions;
    json_t *wgs;
    json_t *projects;
    //  a recommendation's
    json_t *rec;
    json_t *versions;
    json_t *cantons;
    json_t *reports;
    json_t *followups;
} s_doc_t;

//  One request as the trace lists it (a national request: network null, from_rec its REC).
static json_t *
s_request_json (const hub_request_row_t *r)
{
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (r->ref));
    cii_json_set (row, "network", *r->from_rec ? json_null () : cii_json_str (r->network));
    cii_json_set (row, "from_rec", *r->from_rec ? cii_json_str (r->from_rec) : json_null ());
    cii_json_set (row, "title", cii_json_str (r->title));
    cii_json_set (row, "state", cii_json_str (r->state));
    cii_json_set (row, "cantons", cii_json_list (r->cantons));
    cii_json_set (row, "signals", cii_json_list (r->signals));
    cii_json_set (row, "theme", *r->theme ? cii_json_str (r->theme) : json_null ());
    cii_json_set (row, "lineage", hub_cli_lines (r->lineage));
    cii_json_set (row, "received_at", cii_json_time (r->received_at_ms));
    return row;
}

static bool
s_request (const hub_request_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    json_array_append_new (d->requests, s_request_json (r));
    return true;
}

static bool
s_followup (const hub_request_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    json_array_append_new (d->followups, s_request_json (r));
    return true;
}

//  --- a recommendation's parts -------------------------------------------------------------------

static bool
s_rec (const hub_trace_rec_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    cii_json_set (d->rec, "ref", cii_json_str (r->ref));
    cii_json_set (d->rec, "version", json_integer (r->version));
    cii_json_set (d->rec, "meeting", *r->meeting ? cii_json_str (r->meeting) : json_null ());
    cii_json_set (d->rec, "created_at", cii_json_time (r->created_at_ms));
    cii_json_set (d->rec, "basis_networks", cii_json_list (r->networks));
    cii_json_set (d->rec, "basis_cantons", cii_json_list (r->cantons));
    return true;
}

static bool
s_version (const hub_trace_version_row_t *v, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "version", json_integer (v->version));
    json_t *title = json_object ();
    const char *langs [] = { "fr", "de", "it", "rm" };
    const char *titles [] = { v->title_fr, v->title_de, v->title_it, v->title_rm };
    for (size_t i = 0; i < 4; i++)
        if (*titles [i])
            cii_json_set (title, langs [i], cii_json_str (titles [i]));
    cii_json_set (row, "title", title);
    cii_json_set (row, "adopted_on", cii_json_str (v->adopted_on));
    cii_json_set (row, "report_by", cii_json_str (v->report_by));
    cii_json_set (row, "issued_at", cii_json_time (v->issued_at_ms));
    cii_json_set (row, "all_cantons", json_boolean (v->all_cantons));
    cii_json_set (row, "cantons", cii_json_list (v->cantons));
    cii_json_set (row, "partners", cii_json_list (v->partners));
    cii_json_set (row, "basis", hub_cli_lines (v->basis));
    cii_json_set (row, "note", cii_json_str (v->note));
    cii_json_set (row, "networks", json_array ());
    json_array_append_new (d->versions, row);
    return true;
}

static bool
s_delivery (const hub_trace_delivery_row_t *n, void *arg)
{
    s_doc_t *d = arg;
    size_t index;
    json_t *version, *networks = NULL;
    json_array_foreach (d->versions, index, version)
        if (json_integer_value (json_object_get (version, "version")) == n->version)
            networks = json_object_get (version, "networks");
    if (!networks)
        return true;
    json_t *row = json_object ();
    cii_json_set (row, "network", cii_json_str (n->network));
    cii_json_set (row, "cantons", cii_json_list (n->cantons));
    cii_json_set (row, "state", cii_json_str (n->state));
    cii_json_set (row, "agents", json_integer (n->agents));
    cii_json_set (row, "acknowledged", json_integer (n->acknowledged));
    cii_json_set (row, "queued_at", n->queued_at_ms ? cii_json_time (n->queued_at_ms) : json_null ());
    cii_json_set (row, "acked_at", n->acked_at_ms ? cii_json_time (n->acked_at_ms) : json_null ());
    json_array_append_new (networks, row);
    return true;
}

static bool
s_canton (const hub_trace_canton_row_t *c, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "canton", cii_json_str (c->canton));
    cii_json_set (row, "network", cii_json_str (c->network));
    cii_json_set (row, "addressed", json_boolean (c->addressed));
    cii_json_set (row, "push", cii_json_str (c->push));
    cii_json_set (row, "adapter", *c->adapter ? cii_json_str (c->adapter) : json_null ());
    cii_json_set (row, "push_detail", cii_json_str (c->push_detail));
    cii_json_set (row, "push_attempts", json_integer (c->push_attempts));
    cii_json_set (row, "pushed_at", c->pushed_at_ms ? cii_json_time (c->pushed_at_ms) : json_null ());
    cii_json_set (row, "state", cii_json_str (c->state));
    cii_json_set (row, "reported_at", c->reported_at_ms ? cii_json_time (c->reported_at_ms) : json_null ());
    cii_json_set (row, "note", cii_json_str (c->note));
    json_array_append_new (d->cantons, row);
    return true;
}

static bool
s_report (const hub_trace_report_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "canton", cii_json_str (r->canton));
    cii_json_set (row, "network", cii_json_str (r->network));
    cii_json_set (row, "version", json_integer (r->version));
    cii_json_set (row, "state", cii_json_str (r->state));
    cii_json_set (row, "note", cii_json_str (r->note));
    cii_json_set (row, "source", cii_json_str (r->source));
    cii_json_set (row, "at", cii_json_time (r->at_ms));
    cii_json_set (row, "received_at", cii_json_time (r->received_at_ms));
    json_array_append_new (d->reports, row);
    return true;
}

static bool
s_theme (const hub_theme_row_t *t, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (t->ref));
    cii_json_set (row, "title", cii_json_str (t->title));
    cii_json_set (row, "state", cii_json_str (t->state));
    cii_json_set (row, "networks", cii_json_list (t->networks));
    cii_json_set (row, "cantons", cii_json_list (t->cantons));
    json_array_append_new (d->themes, row);
    return true;
}

static bool
s_signal (const hub_trace_signal_row_t *s, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (s->ref));
    cii_json_set (row, "network", cii_json_str (s->network));
    cii_json_set (row, "canton", cii_json_str (s->canton));
    cii_json_set (row, "language", cii_json_str (s->language));
    cii_json_set (row, "title", cii_json_str (s->title));
    cii_json_set (row, "requests", cii_json_list (s->requests));
    cii_json_set (row, "received_at", cii_json_time (s->received_at_ms));
    json_array_append_new (d->signals, row);
    return true;
}

static bool
s_decision (const char *request, const hub_history_row_t *h, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "request", cii_json_str (request));
    cii_json_set (row, "state", cii_json_str (h->state));
    cii_json_set (row, "organ", cii_json_str (h->organ));
    cii_json_set (row, "meeting", *h->meeting ? cii_json_str (h->meeting) : json_null ());
    cii_json_set (row, "at", cii_json_time (h->at_ms));
    cii_json_set (row, "note", cii_json_str (h->note));
    json_array_append_new (d->decisions, row);
    return true;
}

static bool
s_wg (const hub_wg_row_t *g, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (g->ref));
    cii_json_set (row, "mandated_by", cii_json_str (g->mandated_by));
    cii_json_set (row, "meeting", *g->meeting ? cii_json_str (g->meeting) : json_null ());
    cii_json_set (row, "title", cii_json_str (g->mandate.title));
    cii_json_set (row, "until", cii_json_str (g->mandate.until));
    cii_json_set (row, "reported", json_boolean (g->reported_at_ms > 0));
    cii_json_set (row, "reported_at", cii_json_time (g->reported_at_ms));
    cii_json_set (row, "overdue", json_boolean (g->overdue));
    cii_json_set (row, "requests", cii_json_list (g->requests));
    json_array_append_new (d->wgs, row);
    return true;
}

static bool
s_project (const hub_project_row_t *p, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (p->ref));
    cii_json_set (row, "kind", cii_json_str (p->kind));
    cii_json_set (row, "programme", cii_json_str (p->programme));
    cii_json_set (row, "title", cii_json_str (p->title));
    cii_json_set (row, "decided_by", *p->decided_by ? cii_json_str (p->decided_by) : json_null ());
    cii_json_set (row, "requests", cii_json_list (p->requests));
    json_array_append_new (d->projects, row);
    return true;
}

//  --- text ---------------------------------------------------------------------------------------

//  text with control characters as '?'.
static void
s_text (FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        fputc (*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

//  The member key of row (a string, or an array of strings joined by commas), "-" when empty or
//  null.
static void
s_put (FILE *out, const json_t *row, const char *key)
{
    const json_t *value = json_object_get (row, key);
    if (json_is_array (value) && json_array_size (value) > 0) {
        size_t index;
        json_t *entry;
        json_array_foreach (value, index, entry) {
            if (index)
                fputc (',', out);
            s_text (out, json_string_value (entry) ? json_string_value (entry) : "");
        }
        return;
    }
    const char *text = json_string_value (value);
    s_text (out, text && *text ? text : "-");
}

static void
s_section (FILE *out, const char *name, const json_t *list)
{
    fprintf (out, "%s\n", name);
    if (json_array_size (list) == 0)
        fprintf (out, "  (none)\n");
}

//  Prints row's keys[] separated by two spaces, indented.
static void
s_line (FILE *out, const char *indent, const json_t *row, const char *const *keys)
{
    fputs (indent, out);
    for (size_t i = 0; keys [i]; i++) {
        if (i)
            fputs ("  ", out);
        s_put (out, row, keys [i]);
    }
    fputc ('\n', out);
}

//  A recommendation's forward parts: versions with their deliveries, cantons, reports, requests
//  opened from its monitoring.
static void
s_print_rec (FILE *out, const s_doc_t *d)
{
    size_t index, i;
    json_t *row, *net;
    s_section (out, "versions", d->versions);
    json_array_foreach (d->versions, index, row) {
        fprintf (out, "  v%d  issued ", (int) json_integer_value (json_object_get (row, "version")));
        s_put (out, row, "issued_at");
        fputs ("  adopted ", out);
        s_put (out, row, "adopted_on");
        fputs ("  report by ", out);
        s_put (out, row, "report_by");
        fputs (json_is_true (json_object_get (row, "all_cantons")) ? "  cantons all" : "  cantons ", out);
        if (!json_is_true (json_object_get (row, "all_cantons")))
            s_put (out, row, "cantons");
        fputs ("  partners ", out);
        s_put (out, row, "partners");
        fputs ("  ", out);
        s_put (out, json_object_get (row, "title"), "fr");
        fputc ('\n', out);
        json_array_foreach (json_object_get (row, "networks"), i, net) {
            fputs ("    ", out);
            s_put (out, net, "network");
            fputs ("  ", out);
            s_put (out, net, "state");
            fprintf (out, "  %d/%d  queued ", (int) json_integer_value (json_object_get (net, "acknowledged")),
                     (int) json_integer_value (json_object_get (net, "agents")));
            s_put (out, net, "queued_at");
            fputs ("  acked ", out);
            s_put (out, net, "acked_at");
            fputs ("  cantons ", out);
            s_put (out, net, "cantons");
            fputc ('\n', out);
        }
    }
    s_section (out, "cantons", d->cantons);
    json_array_foreach (d->cantons, index, row) {
        fputs ("  ", out);
        s_put (out, row, "canton");
        fputs ("  ", out);
        s_put (out, row, "network");
        if (!json_is_true (json_object_get (row, "addressed")))
            fputs (" (no longer addressed)", out);
        fputs ("  push ", out);
        s_put (out, row, "push");
        if (json_object_get (row, "pushed_at") && !json_is_null (json_object_get (row, "pushed_at"))) {
            fputs (" (", out);
            s_put (out, row, "adapter");
            fputs (", ", out);
            s_put (out, row, "pushed_at");
            const char *detail = json_string_value (json_object_get (row, "push_detail"));
            if (detail && *detail) {
                fputs (", ", out);
                s_text (out, detail);
            }
            fputc (')', out);
        }
        fputs ("  state ", out);
        s_put (out, row, "state");
        if (!json_is_null (json_object_get (row, "reported_at"))) {
            fputc (' ', out);
            s_put (out, row, "reported_at");
            const char *note = json_string_value (json_object_get (row, "note"));
            if (note && *note) {
                fputs ("  ", out);
                s_text (out, note);
            }
        }
        fputc ('\n', out);
    }
    s_section (out, "reports", d->reports);
    json_array_foreach (d->reports, index, row) {
        fputs ("  ", out);
        s_put (out, row, "at");
        fputs ("  ", out);
        s_put (out, row, "canton");
        fputs ("  ", out);
        s_put (out, row, "network");
        int version = (int) json_integer_value (json_object_get (row, "version"));
        if (version > 0)
            fprintf (out, "  v%d  ", version);
        else
            fputs ("  latest  ", out);
        s_put (out, row, "state");
        fputs ("  ", out);
        s_put (out, row, "note");
        fputc ('\n', out);
    }
    s_section (out, "requests from monitoring", d->followups);
    json_array_foreach (d->followups, index, row)
        s_line (out, "  ", row, (const char *[]) { "ref", "state", "title", NULL });
}

static void
s_print (FILE *out, const s_doc_t *d)
{
    size_t index;
    json_t *row;
    fprintf (out, "trace %s (%s)\n", json_string_value (json_object_get (d->doc, "ref")),
             json_string_value (json_object_get (d->doc, "kind")));
    bool recommendation = json_object_size (d->rec) > 0;
    if (recommendation) {
        fprintf (out, "recommendation\n  ");
        s_put (out, d->rec, "ref");
        fprintf (out, "  version %d  meeting ", (int) json_integer_value (json_object_get (d->rec, "version")));
        s_put (out, d->rec, "meeting");
        fputs ("  created ", out);
        s_put (out, d->rec, "created_at");
        fputs ("\n  basis: networks ", out);
        s_put (out, d->rec, "basis_networks");
        fputs ("; cantons ", out);
        s_put (out, d->rec, "basis_cantons");
        fputc ('\n', out);
    }
    s_section (out, "signals", d->signals);
    json_array_foreach (d->signals, index, row)
        s_line (out, "  ", row, (const char *[]) { "ref", "network", "canton", "language", "title", NULL });
    s_section (out, "requests", d->requests);
    json_array_foreach (d->requests, index, row) {
        s_line (out, "  ", row, (const char *[]) { "ref", "network", "state", "cantons", "title", NULL });
        size_t i;
        json_t *line;
        json_array_foreach (json_object_get (row, "lineage"), i, line) {
            fputs ("    lineage: ", out);
            s_text (out, json_string_value (line) ? json_string_value (line) : "");
            fputc ('\n', out);
        }
    }
    s_section (out, "theme", d->themes);
    json_array_foreach (d->themes, index, row)
        s_line (out, "  ", row, (const char *[]) { "ref", "state", "networks", "cantons", "title", NULL });
    s_section (out, "decisions", d->decisions);
    json_array_foreach (d->decisions, index, row)
        s_line (out, "  ", row, (const char *[]) { "at", "request", "state", "organ", "meeting", "note", NULL });
    s_section (out, "working groups", d->wgs);
    json_array_foreach (d->wgs, index, row) {
        fputs ("  ", out);
        s_put (out, row, "ref");
        fputs ("  mandated by ", out);
        s_put (out, row, "mandated_by");
        fputs ("  until ", out);
        s_put (out, row, "until");
        if (json_is_true (json_object_get (row, "reported"))) {
            fputs ("  reported ", out);
            s_put (out, row, "reported_at");
        }
        else
            fputs (json_is_true (json_object_get (row, "overdue")) ? "  not reported (overdue)" : "  not reported",
                   out);
        fputs ("  ", out);
        s_put (out, row, "title");
        fputc ('\n', out);
    }
    s_section (out, "projects", d->projects);
    json_array_foreach (d->projects, index, row)
        s_line (out, "  ", row, (const char *[]) { "ref", "kind", "programme", "title", NULL });
    if (recommendation)
        s_print_rec (out, d);
}

int
hub_cli_trace (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    s_doc_t d = { json_object (), json_array (), json_array (), json_array (), json_array (), json_array (),
                  json_array (), json_object (), json_array (), json_array (), json_array (), json_array () };
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc;
    if (!d.doc || !d.signals || !d.requests || !d.themes || !d.decisions || !d.wgs || !d.projects || !d.rec
    ||  !d.versions || !d.cantons || !d.reports || !d.followups)
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    else {
        hub_trace_visitor_t visitor = { s_request, s_theme, s_signal, s_decision, s_wg, s_project, s_rec, s_version,
                                        s_delivery, s_canton, s_report, s_followup };
        rc = hub_trace (store, ref, &visitor, &d, &err);
    }
    if (rc == CII_OK) {
        cii_json_set (d.doc, "ref", cii_json_str (ref));
        cii_json_set (d.doc, "kind", cii_json_str (hub_trace_kind (ref)));
        cii_json_set (d.doc, "signals", json_incref (d.signals));
        cii_json_set (d.doc, "requests", json_incref (d.requests));
        cii_json_set (d.doc, "themes", json_incref (d.themes));
        cii_json_set (d.doc, "decisions", json_incref (d.decisions));
        cii_json_set (d.doc, "working_groups", json_incref (d.wgs));
        cii_json_set (d.doc, "projects", json_incref (d.projects));
    }
    bool recommendation = rc == CII_OK && json_object_size (d.rec) > 0;
    if (recommendation) {
        cii_json_set (d.doc, "recommendation", json_incref (d.rec));
        cii_json_set (d.doc, "versions", json_incref (d.versions));
        cii_json_set (d.doc, "cantons", json_incref (d.cantons));
        cii_json_set (d.doc, "reports", json_incref (d.reports));
        cii_json_set (d.doc, "requests_from_monitoring", json_incref (d.followups));
    }
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        code = cii_cli_print_json (cli, d.doc);
        d.doc = NULL;
    }
    else
        s_print (cii_cli_out (cli), &d);
    json_decref (d.doc);
    json_decref (d.signals);
    json_decref (d.requests);
    json_decref (d.themes);
    json_decref (d.decisions);
    json_decref (d.wgs);
    json_decref (d.projects);
    json_decref (d.rec);
    json_decref (d.versions);
    json_decref (d.cantons);
    json_decref (d.reports);
    json_decref (d.followups);
    hub_store_destroy (&store);
    return code;
}
