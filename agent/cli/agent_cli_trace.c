/*  agent_cli_trace.c — `cii-agent trace ID|REF|REC [--json]`: one request's lineage from the
    network's side (agent_trace): its signals, the request with its national reference and theme,
    its lineage (merged, split, the drafts at the other end), and the whole history the hub sent
    down, in order; or a recommendation's (agent_trace_recommendation): the versions received and,
    per canton, its pushes and its history of reports. One JSON object, or text (control
    characters of stored text shown as '?'). */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_reports.h"
#include "agent_trace.h"

typedef struct {
    json_t *doc;
    json_t *signals;
    json_t *lineage;
    json_t *history;
} s_doc_t;

static json_t *
s_str_or_null (const char *text)
{
    return text && *text ? cii_json_str (text) : json_null ();
}

static bool
s_request (const agent_request_row_t *r, void *arg)
{
    s_doc_t *d = arg;
    cii_json_set (d->doc, "id", json_integer (r->id));
    cii_json_set (d->doc, "ref", s_str_or_null (r->hub_ref));
    cii_json_set (d->doc, "state", cii_json_str (r->state));
    cii_json_set (d->doc, "title", cii_json_str (r->title));
    cii_json_set (d->doc, "cantons", cii_json_list (r->cantons));
    cii_json_set (d->doc, "theme", s_str_or_null (r->theme));
    cii_json_set (d->doc, "forwarded_at", cii_json_time (r->forwarded_at_ms));
    cii_json_set (d->doc, "hub_received_at", cii_json_time (r->hub_received_at_ms));
    return false;
}

static bool
s_signal (const agent_signal_row_t *s, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "id", json_integer (s->id));
    cii_json_set (row, "canton", cii_json_str (s->canton));
    cii_json_set (row, "ref", s_str_or_null (s->hub_ref));
    cii_json_set (row, "language", cii_json_str (s->language));
    cii_json_set (row, "title", cii_json_str (s->title));
    json_array_append_new (d->signals, row);
    return true;
}

static bool
s_lineage (const agent_trace_lineage_row_t *l, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "relation", cii_json_str (l->lineage.relation));
    cii_json_set (row, "request", json_integer (l->lineage.other_id));
    cii_json_set (row, "ref", s_str_or_null (l->lineage.other_ref));
    cii_json_set (row, "state", cii_json_str (l->other_state));
    cii_json_set (row, "title", cii_json_str (l->lineage.other_title));
    cii_json_set (row, "at", cii_json_time (l->lineage.at_ms));
    json_array_append_new (d->lineage, row);
    return true;
}

static bool
s_history (const agent_history_row_t *h, void *arg)
{
    s_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "state", cii_json_str (h->state));
    cii_json_set (row, "organ", cii_json_str (h->organ));
    cii_json_set (row, "meeting", s_str_or_null (h->meeting));
    cii_json_set (row, "at", cii_json_time (h->at_ms));
    cii_json_set (row, "note", cii_json_str (h->note ? h->note : ""));
    cii_json_set (row, "theme", s_str_or_null (h->theme));
    json_array_append_new (d->history, row);
    return true;
}

//  --- text ---------------------------------------------------------------------------------------

//  Member key of row: a string ("-" when empty or null), an integer, or strings joined by ','.
static void
s_put (FILE *out, const json_t *row, const char *key)
{
    const json_t *value = json_object_get (row, key);
    if (json_is_integer (value)) {
        fprintf (out, "%" JSON_INTEGER_FORMAT, json_integer_value (value));
        return;
    }
    if (json_is_array (value) && json_array_size (value) > 0) {
        size_t index;
        json_t *entry;
        json_array_foreach (value, index, entry) {
            if (index)
                fputc (',', out);
            agent_cli_put_text (out, json_string_value (entry) ? json_string_value (entry) : "");
        }
        return;
    }
    const char *text = json_string_value (value);
    agent_cli_put_text (out, text && *text ? text : "-");
}

static void
s_line (FILE *out, const json_t *row, const char *const *keys)
{
    fputs ("  ", out);
    for (size_t i = 0; keys [i]; i++) {
        if (i)
            fputs ("  ", out);
        s_put (out, row, keys [i]);
    }
    fputc ('\n', out);
}

static void
s_section (FILE *out, const char *name, const json_t *list, const char *const *keys)
{
    fprintf (out, "%s\n", name);
    if (json_array_size (list) == 0)
        fprintf (out, "  (none)\n");
    size_t index;
    json_t *row;
    json_array_foreach (list, index, row)
        s_line (out, row, keys);
}

static void
s_print (FILE *out, const s_doc_t *d)
{
    fputs ("trace request ", out);
    s_put (out, d->doc, "id");
    fputs ("  ", out);
    s_put (out, d->doc, "ref");
    fputs ("  ", out);
    s_put (out, d->doc, "state");
    fputs ("\n  title  ", out);
    s_put (out, d->doc, "title");
    fputs ("\n  theme  ", out);
    s_put (out, d->doc, "theme");
    fputc ('\n', out);
    s_section (out, "signals", d->signals, (const char *[]) { "id", "canton", "ref", "title", NULL });
    s_section (out, "lineage", d->lineage, (const char *[]) { "relation", "request", "ref", "state", "title", NULL });
    s_section (out, "history", d->history, (const char *[]) { "at", "state", "organ", "meeting", "note", NULL });
}

//  --- a recommendation ---------------------------------------------------------------------------

typedef struct {
    json_t *doc;
    json_t *versions;
    json_t *cantons;              //  [{"canton", "pushes", "reports"}], in order of appearance
} s_rec_doc_t;

//  The entry of canton in d->cantons, made when missing (NULL when out of memory).
static json_t *
s_canton (s_rec_doc_t *d, const char *canton)
{
    size_t index;
    json_t *entry;
    json_array_foreach (d->cantons, index, entry)
        if (strcmp (json_string_value (json_object_get (entry, "canton")), canton) == 0)
            return entry;
    entry = json_object ();
    cii_json_set (entry, "canton", cii_json_str (canton));
    cii_json_set (entry, "pushes", json_array ());
    cii_json_set (entry, "reports", json_array ());
    return json_array_append_new (d->cantons, entry) == 0 ? entry : NULL;
}

static bool
s_rec_version (const agent_rec_row_t *r, void *arg)
{
    s_rec_doc_t *d = arg;
    json_t *row = json_object ();
    cii_json_set (row, "version", json_integer (r->version));
    cii_json_set (row, "adopted_on", cii_json_str (r->adopted_on));
    cii_json_set (row, "report_by", cii_json_str (r->report_by));
    cii_json_set (row, "cantons", cii_json_list (r->cantons));
    cii_json_set (row, "all_cantons", json_boolean (r->all_cantons));
    cii_json_set (row, "note", cii_json_str (r->note));
    cii_json_set (row, "issued_at", cii_json_time (r->issued_at_ms));
    cii_json_set (row, "received_at", cii_json_time (r->received_at_ms));
    cii_json_set (row, "seq", json_integer (r->seq));
    json_array_append_new (d->versions, row);
    for (const char *p = r->cantons; *p; ) {
        size_t len = strcspn (p, ",");
        char canton [3] = "";
        if (len == 2) {
            memcpy (canton, p, 2);
            s_canton (d, canton);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

static bool
s_rec_push (const agent_push_row_t *p, void *arg)
{
    s_rec_doc_t *d = arg;
    json_t *canton = s_canton (d, p->canton);
    if (!canton)
        return false;
    json_t *row = json_object ();
    cii_json_set (row, "version", json_integer (p->version));
    cii_json_set (row, "state", cii_json_str (p->state));
    cii_json_set (row, "adapter", s_str_or_null (p->adapter));
    cii_json_set (row, "attempts", json_integer (p->attempts));
    cii_json_set (row, "idem_key", cii_json_str (p->idem_key));
    cii_json_set (row, "detail", s_str_or_null (p->detail));
    cii_json_set (row, "last_error", s_str_or_null (p->last_error));
    cii_json_set (row, "queued_at", cii_json_time (p->created_at_ms));
    cii_json_set (row, "done_at", cii_json_time (p->done_at_ms));
    json_array_append_new (json_object_get (canton, "pushes"), row);
    return true;
}

static bool
s_rec_report (const agent_report_row_t *r, void *arg)
{
    s_rec_doc_t *d = arg;
    json_t *canton = s_canton (d, r->canton);
    if (!canton)
        return false;
    bool delivered = r->delivered_at_ms > 0;
    json_t *row = json_object ();
    cii_json_set (row, "id", json_integer (r->id));
    cii_json_set (row, "version", json_integer (r->version));
    cii_json_set (row, "state", cii_json_str (r->state));
    cii_json_set (row, "note", cii_json_str (r->note));
    cii_json_set (row, "source", cii_json_str (r->source));
    cii_json_set (row, "file", s_str_or_null (r->file_name));
    cii_json_set (row, "at", cii_json_time (r->created_at_ms));
    cii_json_set (row, "hub_ref", s_str_or_null (delivered ? r->hub_ref : NULL));
    cii_json_set (row, "refused", r->refused ? cii_json_str (r->refused_text ? r->refused_text : "") : json_null ());
    json_array_append_new (json_object_get (canton, "reports"), row);
    return true;
}

static void
s_rec_print (FILE *out, const s_rec_doc_t *d)
{
    fputs ("trace recommendation ", out);
    s_put (out, d->doc, "ref");
    fputc ('\n', out);
    s_section (out, "versions", d->versions,
               (const char *[]) { "version", "adopted_on", "report_by", "cantons", "received_at", "note", NULL });
    size_t index;
    json_t *canton;
    json_array_foreach (d->cantons, index, canton) {
        fputs ("canton ", out);
        s_put (out, canton, "canton");
        fputc ('\n', out);
        s_section (out, " pushes", json_object_get (canton, "pushes"),
                   (const char *[]) { "version", "state", "adapter", "attempts", "detail", "last_error", NULL });
        s_section (out, " reports", json_object_get (canton, "reports"),
                   (const char *[]) { "at", "state", "source", "hub_ref", "note", NULL });
    }
}

static int
s_trace_rec (cii_cli_t *cli, agent_store_t *store)
{
    s_rec_doc_t d = { json_object (), json_array (), json_array () };
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc;
    if (!d.doc || !d.versions || !d.cantons)
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    else {
        char ref [CII_MAX_REF + 1];
        agent_reports_upper (cii_cli_arg (cli, 0), ref, sizeof ref);
        cii_json_set (d.doc, "ref", cii_json_str (ref));
        agent_trace_rec_visitor_t visitor = { s_rec_version, s_rec_push, s_rec_report };
        rc = agent_trace_recommendation (store, ref, &visitor, &d, &err);
    }
    int code = CII_CLI_OK;
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        cii_json_set (d.doc, "versions", json_incref (d.versions));
        cii_json_set (d.doc, "cantons", json_incref (d.cantons));
        code = cii_cli_print_json (cli, d.doc);
        d.doc = NULL;
    }
    else
        s_rec_print (cii_cli_out (cli), &d);
    json_decref (d.doc);
    json_decref (d.versions);
    json_decref (d.cantons);
    return code;
}

int
agent_cli_trace (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    if (agent_trace_is_rec (cii_cli_arg (cli, 0))) {
        code = s_trace_rec (cli, store);
        agent_store_destroy (&store);
        return code;
    }
    s_doc_t d = { json_object (), json_array (), json_array (), json_array () };
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc;
    if (!d.doc || !d.signals || !d.lineage || !d.history)
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    else {
        agent_trace_visitor_t visitor = { s_request, s_signal, s_lineage, s_history };
        rc = agent_trace (store, cii_cli_arg (cli, 0), &visitor, &d, &err);
    }
    agent_store_destroy (&store);
    if (rc == CII_OK) {
        cii_json_set (d.doc, "signals", json_incref (d.signals));
        cii_json_set (d.doc, "lineage", json_incref (d.lineage));
        cii_json_set (d.doc, "history", json_incref (d.history));
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
    json_decref (d.lineage);
    json_decref (d.history);
    return code;
}
