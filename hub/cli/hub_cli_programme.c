/*  hub_cli_programme.c — the work programme (plan 3.2): `cii-hub programme new --from YYYY --to YYYY
    --presidency OFAS|SEFRI|SECO|SEM [--json]`, `cii-hub programme show [--year Y] [--json]`,
    `cii-hub project add --kind cii|associated --title T --lead TEXT --financing TEXT --objective
    TEXT [--refs REF,...] [--milestone YYYY-MM-DD:TEXT]... [--json]` and `cii-hub project set PR
    [--lead TEXT] [--financing TEXT] [--objective TEXT] [--json]`. Parse, call hub_programme, print. */
#include "hub_cli_verbs.h"
#include "hub_programme.h"

#include <stdlib.h>
#include <string.h>

//  A year option into *year (0 when absent): false after a usage error (*code).
static bool
s_year (cii_cli_t *cli, const char *name, int *year, int *code)
{
    *year = 0;
    const char *text = cii_cli_opt (cli, name);
    if (!text)
        return true;
    char *end = NULL;
    long n = strtol (text, &end, 10);
    if (end == text || *end || n < 1 || n > 99999) {
        *code = cii_cli_usage (cli, "--%s needs a year such as 2027", name);
        return false;
    }
    *year = (int) n;
    return true;
}

int
hub_cli_programme_new (cii_cli_t *cli)
{
    int from = 0, to = 0, code = CII_CLI_OK;
    if (!s_year (cli, "from", &from, &code) || !s_year (cli, "to", &to, &code))
        return code;
    if (!from || !to || !cii_cli_opt (cli, "presidency"))
        return cii_cli_usage (cli, "--from, --to and --presidency are required");
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_programme_t p;
    if (hub_programme_new (store, from, to, cii_cli_opt (cli, "presidency"), &p, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else {
        //  A break of the rotation is the CP's to judge: warned, not refused.
        for (size_t i = 0; i < p.n_warnings; i++)
            fprintf (cii_cli_err (cli), "%s %s: warning: %s\n", cii_cli_program (cli), cii_cli_verb (cli),
                     p.warnings [i]);
        if (cii_cli_json (cli)) {
            json_t *doc = json_object ();
            cii_json_set (doc, "ref", cii_json_str (p.ref));
            cii_json_set (doc, "from", json_integer (p.year_from));
            cii_json_set (doc, "to", json_integer (p.year_to));
            cii_json_set (doc, "presidency", cii_json_str (p.presidency));
            cii_json_set (doc, "created_at", cii_json_time (p.created_at_ms));
            json_t *warnings = json_array ();
            for (size_t i = 0; i < p.n_warnings; i++)
                json_array_append_new (warnings, cii_json_str (p.warnings [i]));
            cii_json_set (doc, "warnings", warnings);
            code = cii_cli_print_json (cli, doc);
        }
        else
            fprintf (cii_cli_out (cli), "%s: work programme %d-%d, presidency %s\n", p.ref, p.year_from, p.year_to,
                     p.presidency);
    }
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_project_add (cii_cli_t *cli)
{
    int n_milestones = cii_cli_opt_count (cli, "milestone");
    char *copy = NULL;
    size_t n_refs = 0;
    const char **refs = hub_cli_split (cii_cli_opt (cli, "refs"), &copy, &n_refs);
    const char **milestones = calloc ((size_t) n_milestones + 1, sizeof *milestones);
    if (!refs || !milestones) {
        free (refs);
        free (copy);
        free (milestones);
        return cii_cli_refuse (cli, "out of memory");
    }
    for (int i = 0; i < n_milestones; i++)
        milestones [i] = cii_cli_opt_at (cli, "milestone", i);
    hub_project_new_t project = {
        .kind = cii_cli_opt (cli, "kind"),
        .title = cii_cli_opt (cli, "title"),
        .lead = cii_cli_opt (cli, "lead"),
        .financing = cii_cli_opt (cli, "financing"),
        .objective = cii_cli_opt (cli, "objective"),
        .refs = refs,
        .n_refs = n_refs,
        .milestones = milestones,
        .n_milestones = (size_t) n_milestones,
    };
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (store) {
        cii_err_t err;
        cii_err_clear (&err);
        hub_project_done_t done;
        if (hub_programme_project_add (store, &project, &done, &err) != CII_OK)
            code = cii_cli_fail (cli, &err);
        else
        if (cii_cli_json (cli)) {
            json_t *doc = json_object ();
            cii_json_set (doc, "ref", cii_json_str (done.ref));
            cii_json_set (doc, "programme", cii_json_str (done.programme));
            cii_json_set (doc, "kind", cii_json_str (project.kind));
            cii_json_set (doc, "title", cii_json_str (project.title));
            code = cii_cli_print_json (cli, doc);
        }
        else
            fprintf (cii_cli_out (cli), "%s: %s project of %s\n", done.ref, project.kind, done.programme);
        hub_store_destroy (&store);
    }
    free (refs);
    free (copy);
    free (milestones);
    return code;
}

int
hub_cli_project_set (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_programme_project_set (store, ref, cii_cli_opt (cli, "lead"), cii_cli_opt (cli, "financing"),
                                   cii_cli_opt (cli, "objective"), &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (ref));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "%s: updated\n", ref);
    hub_store_destroy (&store);
    return code;
}

typedef struct {
    json_t *cii;
    json_t *associated;
} s_show_t;

static bool
s_project (const hub_project_row_t *row, const char *incomplete, const hub_milestone_t *milestones, size_t n,
           void *arg)
{
    s_show_t *show = arg;
    json_t *doc = json_object ();
    cii_json_set (doc, "ref", cii_json_str (row->ref));
    cii_json_set (doc, "kind", cii_json_str (row->kind));
    cii_json_set (doc, "title", cii_json_str (row->title));
    cii_json_set (doc, "lead", cii_json_str (*row->lead ? row->lead : NULL));
    cii_json_set (doc, "financing", cii_json_str (*row->financing ? row->financing : NULL));
    cii_json_set (doc, "objective", cii_json_str (*row->objective ? row->objective : NULL));
    cii_json_set (doc, "decided_by", cii_json_str (*row->decided_by ? row->decided_by : NULL));
    cii_json_set (doc, "incomplete", cii_json_list (incomplete));
    json_t *list = json_array ();
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_object ();
        cii_json_set (m, "date", cii_json_str (milestones [i].date));
        cii_json_set (m, "text", cii_json_str (milestones [i].text));
        json_array_append_new (list, m);
    }
    cii_json_set (doc, "milestones", list);
    cii_json_set (doc, "requests", cii_json_list (row->requests));
    cii_json_set (doc, "created_at", cii_json_time (row->created_at_ms));
    json_array_append_new (strcmp (row->kind, "cii") == 0 ? show->cii : show->associated, doc);
    return true;
}

static void
s_print_projects (FILE *out, const char *heading, json_t *list)
{
    fprintf (out, "%s:%s\n", heading, json_array_size (list) ? "" : " none");
    for (size_t i = 0; i < json_array_size (list); i++) {
        json_t *p = json_array_get (list, i);
        fprintf (out, "  %s  %s\n", json_string_value (json_object_get (p, "ref")),
                 json_string_value (json_object_get (p, "title")));
        const char *lead = json_string_value (json_object_get (p, "lead"));
        fprintf (out, "    lead: %s\n", lead ? lead : "(not yet known)");
        json_t *incomplete = json_object_get (p, "incomplete");
        if (json_array_size (incomplete)) {
            fprintf (out, "    incomplete: no");
            for (size_t k = 0; k < json_array_size (incomplete); k++)
                fprintf (out, "%s %s", k ? "," : "", json_string_value (json_array_get (incomplete, k)));
            fprintf (out, " yet (cii-hub project set)\n");
        }
        json_t *milestones = json_object_get (p, "milestones");
        for (size_t k = 0; k < json_array_size (milestones); k++)
            fprintf (out, "    %s  %s\n", json_string_value (json_object_get (json_array_get (milestones, k), "date")),
                     json_string_value (json_object_get (json_array_get (milestones, k), "text")));
        json_t *requests = json_object_get (p, "requests");
        if (json_array_size (requests)) {
            fprintf (out, "    requests:");
            for (size_t k = 0; k < json_array_size (requests); k++)
                fprintf (out, " %s", json_string_value (json_array_get (requests, k)));
            fprintf (out, "\n");
        }
    }
}

int
hub_cli_programme_show (cii_cli_t *cli)
{
    int year = 0, code = CII_CLI_OK;
    if (!s_year (cli, "year", &year, &code))
        return code;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_programme_t p;
    s_show_t show = { json_array (), json_array () };
    if (hub_programme_show (store, year, &p, s_project, &show, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (p.ref));
        cii_json_set (doc, "from", json_integer (p.year_from));
        cii_json_set (doc, "to", json_integer (p.year_to));
        cii_json_set (doc, "presidency", cii_json_str (p.presidency));
        cii_json_set (doc, "cii_projects", json_incref (show.cii));
        cii_json_set (doc, "associated_projects", json_incref (show.associated));
        code = cii_cli_print_json (cli, doc);
    }
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "%s: work programme %d-%d, presidency %s\n", p.ref, p.year_from, p.year_to, p.presidency);
        s_print_projects (out, "CII projects", show.cii);
        s_print_projects (out, "Associated projects", show.associated);
    }
    json_decref (show.cii);
    json_decref (show.associated);
    hub_store_destroy (&store);
    return code;
}
