/*  hub_cli_trace.c — `cii-hub trace REF [--json]`: the lineage of a request, a theme or a signal
    (hub_trace): signals -> requests -> theme -> decisions -> working groups / projects, as one
    JSON object or as text (control characters of stored text shown as '?'). */
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
} s_doc_t;

static bool
s_request (const hub_request_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "ref", cii_json_str (r->ref));
    cii_json_set (row, "network", cii_json_str (r->network));
    cii_json_set (row, "title", cii_json_str (r->title));
    cii_json_set (row, "state", cii_json_str (r->state));
    cii_json_set (row, "cantons", cii_json_list (r->cantons));
    cii_json_set (row, "signals", cii_json_list (r->signals));
    cii_json_set (row, "theme", *r->theme ? cii_json_str (r->theme) : json_null ());
    cii_json_set (row, "lineage", hub_cli_lines (r->lineage));
    cii_json_set (row, "received_at", cii_json_time (r->received_at_ms));
    json_array_append_new (d->requests, row);
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

static void
s_print (FILE *out, const s_doc_t *d)
{
    size_t index;
    json_t *row;
    fprintf (out, "trace %s (%s)\n", json_string_value (json_object_get (d->doc, "ref")),
             json_string_value (json_object_get (d->doc, "kind")));
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
                  json_array () };
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc;
    if (!d.doc || !d.signals || !d.requests || !d.themes || !d.decisions || !d.wgs || !d.projects)
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    else {
        hub_trace_visitor_t visitor = { s_request, s_theme, s_signal, s_decision, s_wg, s_project };
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
    hub_store_destroy (&store);
    return code;
}
