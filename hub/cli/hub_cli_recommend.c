/*  hub_cli_recommend.c — the CP's recommendations: `cii-hub recommend --file REC.json [--amend REC]
    [--json]`, `cii-hub recommendations [--json]`, `cii-hub show REC [--json]` (the show verb hands a
    REC-... reference here), `cii-hub partners [--json]` and `cii-hub partner add CODE --name NAME
    [--json]`. Parse, call hub_recommend, print. */
#include "hub_cli_verbs.h"
#include "hub_recommend.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_util.h"

//  --------------------------------------------------------------------------------------------
//  recommend

static json_t *
s_done_json (const hub_rec_done_t *done)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "ref", cii_json_str (done->ref));
    cii_json_set (doc, "version", json_integer (done->version));
    cii_json_set (doc, "adopted_on", cii_json_str (done->adopted_on));
    cii_json_set (doc, "report_by", cii_json_str (done->report_by));
    cii_json_set (doc, "meeting", cii_json_str (*done->meeting ? done->meeting : NULL));
    cii_json_set (doc, "issued_at", cii_json_time (done->issued_at_ms));
    json_t *requests = json_array ();
    for (size_t i = 0; i < done->count; i++) {
        json_t *row = json_object ();
        cii_json_set (row, "ref", cii_json_str (done->requests [i].ref));
        cii_json_set (row, "from", cii_json_str (done->requests [i].from));
        json_array_append_new (requests, row);
    }
    cii_json_set (doc, "requests", requests);
    json_t *networks = json_array ();
    for (size_t i = 0; i < done->n_sent; i++) {
        json_t *row = json_object ();
        cii_json_set (row, "network", cii_json_str (done->sent [i].network));
        cii_json_set (row, "cantons", cii_json_list (done->sent [i].cantons));
        cii_json_set (row, "recipients", json_integer (done->sent [i].recipients));
        json_array_append_new (networks, row);
    }
    cii_json_set (doc, "networks", networks);
    return doc;
}

int
hub_cli_recommend (cii_cli_t *cli)
{
    const char *path = cii_cli_opt (cli, "file");
    if (!path)
        return cii_cli_usage (cli, "--file is required");
    const char *amend = cii_cli_opt (cli, "amend");
    cii_err_t err;
    cii_err_clear (&err);
    //  The limit bounds the read: a larger file is refused before it is read.
    char *text = NULL;
    size_t size = 0;
    if (cii_util_read_file_max (path, HUB_REC_MAX_BYTES, &text, &size, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    hub_rec_file_t file;
    cii_rc_t rc = hub_recommend_parse (path, text, size, &file, &err);
    free (text);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    hub_rec_done_t done;
    memset (&done, 0, sizeof done);
    if (store) {
        rc = amend ? hub_recommend_amend (store, amend, &file.draft, &done, &err)
                   : hub_recommend_publish (store, &file.draft, &done, &err);
        if (rc != CII_OK)
            code = cii_cli_fail (cli, &err);
        else
        if (cii_cli_json (cli))
            code = cii_cli_print_json (cli, s_done_json (&done));
        else {
            FILE *out = cii_cli_out (cli);
            fprintf (out, "%s v%" PRIu32 ": %s on %s%s%s, implementation reported by %s\n", done.ref, done.version,
                     amend ? "amended" : "adopted", done.adopted_on, *done.meeting ? " in " : "", done.meeting,
                     done.report_by);
            for (size_t i = 0; i < done.count; i++)
                if (strcmp (done.requests [i].from, "recommended") == 0)
                    fprintf (out, "  %s: recommended already, linked\n", done.requests [i].ref);
                else
                    fprintf (out, "  %s: %s -> recommended\n", done.requests [i].ref, done.requests [i].from);
            for (size_t i = 0; i < done.n_sent; i++)
                fprintf (out, "  %s (%s): queued for %" PRId64 " agent%s\n", done.sent [i].network,
                         done.sent [i].cantons, done.sent [i].recipients, done.sent [i].recipients == 1 ? "" : "s");
            if (done.n_sent == 0)
                fprintf (out, "  no canton addressed: nothing goes down\n");
        }
    }
    hub_rec_done_clear (&done);
    hub_store_destroy (&store);
    hub_recommend_file_clear (&file);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  recommendations

static json_t *
s_rec_json (const hub_rec_row_t *row)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "ref", cii_json_str (row->ref));
    cii_json_set (doc, "version", json_integer (row->version));
    cii_json_set (doc, "title", cii_json_str (row->title));
    cii_json_set (doc, "adopted_on", cii_json_str (row->adopted_on));
    cii_json_set (doc, "amended_on", cii_json_str (*row->amended_on ? row->amended_on : NULL));
    cii_json_set (doc, "report_by", cii_json_str (row->report_by));
    cii_json_set (doc, "meeting", cii_json_str (*row->meeting ? row->meeting : NULL));
    cii_json_set (doc, "all_cantons", json_boolean (row->all_cantons));
    cii_json_set (doc, "cantons", cii_json_list (row->cantons));
    cii_json_set (doc, "partners", cii_json_list (row->partners));
    cii_json_set (doc, "requests", cii_json_list (row->requests));
    cii_json_set (doc, "created_at", cii_json_time (row->created_at_ms));
    return doc;
}

//  "all", "VD,ZH", with the partners after a "+": "all+CSIAS", "CSIAS".
static void
s_addressees (const hub_rec_row_t *row, char *buf, size_t size)
{
    const char *cantons = row->all_cantons ? "all" : row->cantons;
    snprintf (buf, size, "%s%s%s", cantons, *cantons && *row->partners ? "+" : "", row->partners);
}

static bool
s_rec_row (const hub_rec_row_t *row, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_rec_json (row));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-11s  %-2s  %-10s  %-10s  %-24s  %s\n", "REF", "V", "ADOPTED", "REPORT BY", "ADDRESSEES", "TITLE");
    char addressees [512];
    s_addressees (row, addressees, sizeof addressees);
    fprintf (out, "%-11s  %-2" PRIu32 "  %-10s  %-10s  %-24s  %s\n", row->ref, row->version, row->adopted_on,
             row->report_by, addressees, row->title);
    return true;
}

int
hub_cli_recommendations (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_recommend_list (store, s_rec_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no recommendations");
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  show REC

typedef struct {
    json_t *doc;
    json_t *versions;
    bool failed;
} s_show_t;

static bool
s_show_rec (const hub_rec_row_t *row, void *arg)
{
    s_show_t *show = arg;
    show->doc = s_rec_json (row);
    return true;
}

static json_t *
s_languages_json (const hub_rec_version_row_t *row, bool titles)
{
    json_t *doc = json_object ();
    for (size_t i = 0; i < row->n_translations; i++)
        cii_json_set (doc, row->translations [i].language,
                      cii_json_str (titles ? row->translations [i].title : row->translations [i].text));
    return doc;
}

static bool
s_show_version (const hub_rec_version_row_t *row, void *arg)
{
    s_show_t *show = arg;
    json_t *v = json_object ();
    cii_json_set (v, "version", json_integer (row->version));
    cii_json_set (v, "adopted_on", cii_json_str (row->adopted_on));
    cii_json_set (v, "report_by", cii_json_str (row->report_by));
    cii_json_set (v, "meeting", cii_json_str (*row->meeting ? row->meeting : NULL));
    cii_json_set (v, "note", cii_json_str (row->note));
    cii_json_set (v, "issued_at", cii_json_time (row->issued_at_ms));
    cii_json_set (v, "title", s_languages_json (row, true));
    cii_json_set (v, "text", s_languages_json (row, false));
    cii_json_set (v, "basis", hub_cli_lines (row->basis));
    json_t *addressees = json_object ();
    cii_json_set (addressees, "cantons", row->all_cantons ? json_string ("all") : cii_json_list (row->cantons));
    cii_json_set (addressees, "partners", cii_json_list (row->partners));
    cii_json_set (v, "addressees", addressees);
    cii_json_set (v, "cantons", cii_json_list (row->cantons));
    cii_json_set (v, "networks", json_array ());
    if (!show->versions || json_array_append_new (show->versions, v) != 0)
        show->failed = true;
    return true;
}

static bool
s_show_delivery (const hub_rec_delivery_row_t *row, void *arg)
{
    s_show_t *show = arg;
    json_t *versions = show->versions;
    for (size_t i = 0; i < json_array_size (versions); i++) {
        json_t *v = json_array_get (versions, i);
        if (json_integer_value (json_object_get (v, "version")) != (json_int_t) row->version)
            continue;
        json_t *d = json_object ();
        cii_json_set (d, "network", cii_json_str (row->network));
        cii_json_set (d, "cantons", cii_json_list (row->cantons));
        cii_json_set (d, "queued", json_integer (row->queued));
        cii_json_set (d, "acknowledged", json_integer (row->acked));
        if (json_array_append_new (json_object_get (v, "networks"), d) != 0)
            show->failed = true;
    }
    return true;
}

static const char *
s_str (json_t *doc, const char *key)
{
    const char *s = json_string_value (json_object_get (doc, key));
    return s ? s : "-";
}

//  The entries of a JSON array of strings joined by sep, or "-".
static void
s_print_list (FILE *out, json_t *list, const char *sep)
{
    for (size_t i = 0; i < json_array_size (list); i++)
        fprintf (out, "%s%s", i ? sep : "", json_string_value (json_array_get (list, i)));
    if (json_array_size (list) == 0)
        fputs ("-", out);
}

static void
s_print_rec (FILE *out, json_t *doc)
{
    json_t *versions = json_object_get (doc, "versions");
    size_t n = json_array_size (versions);
    fprintf (out, "%s (version %" JSON_INTEGER_FORMAT ")\n", s_str (doc, "ref"),
             json_integer_value (json_object_get (doc, "version")));
    fprintf (out, "adopted: %s%s%s\n", s_str (doc, "adopted_on"), json_is_string (json_object_get (doc, "meeting"))
             ? " in " : "", json_is_string (json_object_get (doc, "meeting")) ? s_str (doc, "meeting") : "");
    fprintf (out, "requests: ");
    s_print_list (out, json_object_get (doc, "requests"), ", ");
    fputs ("\n", out);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get (versions, i);
        fprintf (out, "\nversion %" JSON_INTEGER_FORMAT "%s: adopted on %s%s%s, issued %s\n",
                 json_integer_value (json_object_get (v, "version")), i + 1 == n ? " (current)" : "",
                 s_str (v, "adopted_on"), json_is_string (json_object_get (v, "meeting")) ? " in " : "",
                 json_is_string (json_object_get (v, "meeting")) ? s_str (v, "meeting") : "", s_str (v, "issued_at"));
        json_t *titles = json_object_get (v, "title");
        const char *lang;
        json_t *title;
        json_object_foreach (titles, lang, title)
            fprintf (out, "  title (%s): %s\n", lang, json_string_value (title));
        fprintf (out, "  report by: %s\n  basis: ", s_str (v, "report_by"));
        s_print_list (out, json_object_get (v, "basis"), "; ");
        json_t *addressees = json_object_get (v, "addressees");
        fprintf (out, "\n  cantons: ");
        if (json_is_string (json_object_get (addressees, "cantons")))
            fputs ("all", out);
        else
            s_print_list (out, json_object_get (addressees, "cantons"), ",");
        fprintf (out, "\n  partners: ");
        s_print_list (out, json_object_get (addressees, "partners"), ",");
        fputs ("\n", out);
        const char *note = json_string_value (json_object_get (v, "note"));
        if (note && *note)
            fprintf (out, "  note: %s\n", note);
        json_t *networks = json_object_get (v, "networks");
        for (size_t j = 0; j < json_array_size (networks); j++) {
            json_t *d = json_array_get (networks, j);
            fprintf (out, "  %s (", s_str (d, "network"));
            s_print_list (out, json_object_get (d, "cantons"), ",");
            fprintf (out, "): %" JSON_INTEGER_FORMAT " queued, %" JSON_INTEGER_FORMAT " acknowledged\n",
                     json_integer_value (json_object_get (d, "queued")),
                     json_integer_value (json_object_get (d, "acknowledged")));
        }
    }
    if (n > 0) {
        json_t *texts = json_object_get (json_array_get (versions, n - 1), "text");
        const char *lang;
        json_t *text;
        json_object_foreach (texts, lang, text)
            fprintf (out, "\ntext (%s):\n%s\n", lang, json_string_value (text));
    }
}

int
hub_cli_recommendation_show (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    s_show_t show = { NULL, json_array (), false };
    hub_rec_visitor_t visitor = { s_show_rec, s_show_version, s_show_delivery };
    cii_rc_t rc = hub_recommend_show (store, ref, &visitor, &show, &err);
    if (rc == CII_OK && (show.failed || !show.doc || !show.versions))
        rc = cii_err_set (&err, CII_NO_MEMORY, "out of memory");
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else {
        cii_json_set (show.doc, "versions", show.versions);
        show.versions = NULL;
        if (cii_cli_json (cli)) {
            code = cii_cli_print_json (cli, show.doc);
            show.doc = NULL;
        }
        else
            s_print_rec (cii_cli_out (cli), show.doc);
    }
    json_decref (show.doc);
    json_decref (show.versions);
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  partners

static bool
s_partner_row (const hub_partner_row_t *row, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list) {
        json_t *doc = json_object ();
        cii_json_set (doc, "code", cii_json_str (row->code));
        cii_json_set (doc, "name", cii_json_str (row->name));
        return hub_cli_listing_add (listing, doc);
    }
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-8s  %s\n", "CODE", "NAME");
    fprintf (out, "%-8s  %s\n", row->code, row->name);
    return true;
}

int
hub_cli_partners (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_recommend_partners (store, s_partner_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no partners");
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_partner_add (cii_cli_t *cli)
{
    const char *partner = cii_cli_arg (cli, 0);
    const char *name = cii_cli_opt (cli, "name");
    if (!name)
        return cii_cli_usage (cli, "--name is required");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_recommend_partner_add (store, partner, name, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "code", cii_json_str (partner));
        cii_json_set (doc, "name", cii_json_str (name));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "partner %s added: %s\n", partner, name);
    hub_store_destroy (&store);
    return code;
}
