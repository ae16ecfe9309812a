/*  hub_cli_requests.c — `cii-hub requests [--state S] [--network N] [--canton C] [--json]` (the
    requests received at the gate, hub_requests_list) and `cii-hub show REF [--json]` (one request
    with its criteria, history and lineage, hub_requests_show; or a theme with its requests,
    hub_themes_show; a recommendation, REC-..., goes to hub_cli_recommend.c), as tables or JSON. */
#include "hub_cli_verbs.h"
#include "hub_recommend.h"
#include "hub_requests.h"
#include "hub_themes.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  "3/4" of a request's criteria met, "-" before they are evaluated.
static const char *
s_met (const hub_request_row_t *r, char buf [16])
{
    int met = 0;
    if (*r->criteria_met)
        met = 1;
    for (const char *p = r->criteria_met; *p; p++)
        met += *p == ',';
    if (r->criteria == 0)
        snprintf (buf, 16, "-");
    else
        snprintf (buf, 16, "%d/%d", met, r->criteria);
    return buf;
}

static json_t *
s_request_json (const hub_request_row_t *r)
{
    json_t *request = json_object ();
    cii_json_set (request, "ref", cii_json_str (r->ref));
    cii_json_set (request, "network", *r->from_rec ? json_null () : cii_json_str (r->network));
    cii_json_set (request, "from_rec", *r->from_rec ? cii_json_str (r->from_rec) : json_null ());
    cii_json_set (request, "title", cii_json_str (r->title));
    cii_json_set (request, "state", cii_json_str (r->state));
    cii_json_set (request, "cantons", cii_json_list (r->cantons));
    cii_json_set (request, "criteria_met", cii_json_list (r->criteria_met));
    cii_json_set (request, "theme", *r->theme ? cii_json_str (r->theme) : json_null ());
    cii_json_set (request, "received_at", cii_json_time (r->received_at_ms));
    return request;
}

static bool
s_request_row (const hub_request_row_t *r, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_request_json (r));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-14s  %-12s  %-22s  %-8s  %-24s  %-24s  %s\n", "REF", "NETWORK", "STATE", "CRITERIA",
                 "CANTONS", "RECEIVED", "TITLE");
    char received [32], met [16];
    hub_cli_time (r->received_at_ms, received);
    //  A national request has no network: its link instead, after the title.
    fprintf (out, "%-14s  %-12s  %-22s  %-8s  %-24s  %-24s  %s%s%s%s\n", r->ref, *r->network ? r->network : "-",
             r->state, s_met (r, met), *r->cantons ? r->cantons : "-", received, r->title,
             *r->from_rec ? "  (from monitoring of " : "", r->from_rec, *r->from_rec ? ")" : "");
    return true;
}

int
hub_cli_requests (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_request_filter_t filter = {
        .state = cii_cli_opt (cli, "state"),
        .network = cii_cli_opt (cli, "network"),
        .canton = cii_cli_opt (cli, "canton"),
    };
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_requests_list (store, &filter, s_request_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no requests");
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  show

//  The document `show` builds, printed as JSON or as text.
typedef struct {
    json_t *doc;
    json_t *criteria;
    json_t *history;
    json_t *requests;           //  a theme's
} s_show_t;

static bool
s_show_request (const hub_request_row_t *r, void *arg)
{
    s_show_t *show = arg;
    json_t *doc = show->doc;
    cii_json_set (doc, "ref", cii_json_str (r->ref));
    cii_json_set (doc, "network", *r->from_rec ? json_null () : cii_json_str (r->network));
    cii_json_set (doc, "from_rec", *r->from_rec ? cii_json_str (r->from_rec) : json_null ());
    cii_json_set (doc, "request_id", *r->from_rec ? json_null () : cii_json_str (r->message_id));
    cii_json_set (doc, "title", cii_json_str (r->title));
    cii_json_set (doc, "summary", cii_json_str (r->summary));
    cii_json_set (doc, "state", cii_json_str (r->state));
    cii_json_set (doc, "cantons", cii_json_list (r->cantons));
    cii_json_set (doc, "institutions", cii_json_list (r->institutions));
    cii_json_set (doc, "target_groups", cii_json_list (r->target_groups));
    cii_json_set (doc, "objectives", cii_json_list (r->objectives));
    cii_json_set (doc, "priorities", cii_json_list (r->priorities));
    cii_json_set (doc, "signals", cii_json_list (r->signals));
    cii_json_set (doc, "assessment", cii_json_str (r->assessment));
    cii_json_set (doc, "national_reason", cii_json_str (r->national_reason));
    cii_json_set (doc, "language", cii_json_str (r->language));
    cii_json_set (doc, "theme", *r->theme ? cii_json_str (r->theme) : json_null ());
    cii_json_set (doc, "lineage", hub_cli_lines (r->lineage));
    cii_json_set (doc, "created_at", cii_json_time (r->created_at_ms));
    cii_json_set (doc, "received_at", cii_json_time (r->received_at_ms));
    cii_json_set (doc, "criteria", json_incref (show->criteria));
    cii_json_set (doc, "history", json_incref (show->history));
    return false;
}

static bool
s_show_criterion (const hub_criterion_row_t *c, void *arg)
{
    s_show_t *show = arg;
    json_t *row = json_object ();
    cii_json_set (row, "id", cii_json_str (c->id));
    cii_json_set (row, "met", json_boolean (c->met));
    cii_json_set (row, "reason", cii_json_str (c->reason));
    json_array_append_new (show->criteria, row);
    return true;
}

static bool
s_show_history (const hub_history_row_t *h, void *arg)
{
    s_show_t *show = arg;
    json_t *row = json_object ();
    cii_json_set (row, "state", cii_json_str (h->state));
    cii_json_set (row, "organ", cii_json_str (h->organ));
    cii_json_set (row, "at", cii_json_time (h->at_ms));
    cii_json_set (row, "note", cii_json_str (h->note));
    if (*h->meeting)
        cii_json_set (row, "meeting", cii_json_str (h->meeting));
    json_array_append_new (show->history, row);
    return true;
}

static bool
s_show_theme (const hub_theme_row_t *t, void *arg)
{
    s_show_t *show = arg;
    json_t *doc = show->doc;
    cii_json_set (doc, "ref", cii_json_str (t->ref));
    cii_json_set (doc, "title", cii_json_str (t->title));
    cii_json_set (doc, "state", cii_json_str (t->state));
    cii_json_set (doc, "networks", cii_json_list (t->networks));
    cii_json_set (doc, "cantons", cii_json_list (t->cantons));
    cii_json_set (doc, "created_at", cii_json_time (t->created_at_ms));
    cii_json_set (doc, "requests", json_incref (show->requests));
    return false;
}

static bool
s_show_theme_request (const hub_request_row_t *r, void *arg)
{
    s_show_t *show = arg;
    json_array_append_new (show->requests, s_request_json (r));
    return true;
}

//  "a, b, c" of a JSON array of strings, into a new string (free).
static char *
s_joined (const json_t *list)
{
    size_t size = 1, index;
    json_t *value;
    json_array_foreach (list, index, value)
        size += strlen (json_string_value (value) ? json_string_value (value) : "") + 2;
    char *out = calloc (1, size);
    json_array_foreach (list, index, value)
        if (out) {
            if (index)
                strcat (out, ", ");
            strcat (out, json_string_value (value) ? json_string_value (value) : "");
        }
    return out;
}

static void
s_field (FILE *out, const char *name, const json_t *value)
{
    if (json_is_array (value)) {
        char *text = s_joined (value);
        fprintf (out, "%-16s %s\n", name, text && *text ? text : "-");
        free (text);
    }
    else {
        const char *text = json_string_value (value);
        fprintf (out, "%-16s %s\n", name, text && *text ? text : "-");
    }
}

//  The text form of a request's document.
static void
s_print_request (FILE *out, const json_t *doc)
{
    static const char *const fields [] = { "ref", "network", "state", "title", "summary", "cantons", "institutions",
                                           "target_groups", "objectives", "priorities", "signals", "theme",
                                           "assessment", "national_reason", "language", "created_at", "received_at",
                                           NULL };
    const char *from_rec = json_string_value (json_object_get (doc, "from_rec"));
    for (size_t i = 0; fields [i]; i++) {
        s_field (out, fields [i], json_object_get (doc, fields [i]));
        if (i == 1 && from_rec)
            fprintf (out, "%-16s monitoring of %s (a national request)\n", "from", from_rec);
    }
    size_t index;
    json_t *row;
    fprintf (out, "lineage\n");
    json_array_foreach (json_object_get (doc, "lineage"), index, row)
        fprintf (out, "  %s\n", json_string_value (row));
    fprintf (out, "criteria\n");
    json_array_foreach (json_object_get (doc, "criteria"), index, row)
        fprintf (out, "  %-3s %-8s %s\n", json_string_value (json_object_get (row, "id")),
                 json_is_true (json_object_get (row, "met")) ? "met" : "not met",
                 json_string_value (json_object_get (row, "reason")));
    fprintf (out, "history\n");
    json_array_foreach (json_object_get (doc, "history"), index, row) {
        const char *note = json_string_value (json_object_get (row, "note"));
        const char *meeting = json_string_value (json_object_get (row, "meeting"));
        fprintf (out, "  %-24s  %-22s  %-8s  %s%s%s\n", json_string_value (json_object_get (row, "at")),
                 json_string_value (json_object_get (row, "state")), json_string_value (json_object_get (row, "organ")),
                 meeting ? meeting : "", meeting ? "  " : "", note ? note : "");
    }
}

static void
s_print_theme (FILE *out, const json_t *doc)
{
    static const char *const fields [] = { "ref", "state", "title", "networks", "cantons", "created_at", NULL };
    for (size_t i = 0; fields [i]; i++)
        s_field (out, fields [i], json_object_get (doc, fields [i]));
    fprintf (out, "requests\n");
    size_t index;
    json_t *row;
    json_array_foreach (json_object_get (doc, "requests"), index, row) {
        char *cantons = s_joined (json_object_get (row, "cantons"));
        fprintf (out, "  %-14s  %-12s  %-22s  %-24s  %s\n", json_string_value (json_object_get (row, "ref")),
                 json_string_value (json_object_get (row, "network")), json_string_value (json_object_get (row, "state")),
                 cantons ? cantons : "", json_string_value (json_object_get (row, "title")));
        free (cantons);
    }
}

int
hub_cli_show (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    if (hub_recommend_is_ref (ref))
        return hub_cli_recommendation_show (cli);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    s_show_t show = { json_object (), json_array (), json_array (), json_array () };
    cii_err_t err;
    cii_err_clear (&err);
    bool theme = hub_requests_is_theme (ref);
    cii_rc_t rc;
    if (!show.doc || !show.criteria || !show.history || !show.requests)
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    else
    if (theme)
        rc = hub_themes_show (store, ref, s_show_theme, s_show_theme_request, &show, &err);
    else {
        hub_request_visitor_t visitor = { s_show_request, s_show_criterion, s_show_history };
        rc = hub_requests_show (store, ref, &visitor, &show, &err);
    }
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        code = cii_cli_print_json (cli, show.doc);
        show.doc = NULL;
    }
    else
    if (theme)
        s_print_theme (cii_cli_out (cli), show.doc);
    else
        s_print_request (cii_cli_out (cli), show.doc);
    json_decref (show.doc);
    json_decref (show.criteria);
    json_decref (show.history);
    json_decref (show.requests);
    hub_store_destroy (&store);
    return code;
}
