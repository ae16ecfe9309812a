/*  hub_cli_meeting.c — the meetings of the CDC and the CP: `cii-hub meeting new --organ cdc|cp --date
    YYYY-MM-DD [--joint] [--json]`, `cii-hub meeting plan --year Y [--json]` (the year's calendar as
    proposed, nothing created) and `cii-hub meetings [--year Y] [--check] [--json]` (the list, or
    the warnings where a year departs from the plan). Parse, call hub_meeting, print. */
#include "hub_cli_verbs.h"
#include "hub_meeting.h"

#include <stdlib.h>
#include <string.h>

//  --year into *year (0 when not given): false after a usage error (*code).
static bool
s_year (cii_cli_t *cli, int *year, int *code)
{
    *year = 0;
    const char *text = cii_cli_opt (cli, "year");
    if (!text)
        return true;
    char *end = NULL;
    long n = strtol (text, &end, 10);
    if (end == text || *end || n < 1 || n > 99999) {
        *code = cii_cli_usage (cli, "--year needs a year such as 2027");
        return false;
    }
    *year = (int) n;
    return true;
}

static json_t *
s_meeting_json (const hub_meeting_t *m)
{
    json_t *doc = json_object ();
    if (*m->ref)
        cii_json_set (doc, "ref", cii_json_str (m->ref));
    cii_json_set (doc, "organ", cii_json_str (m->organ));
    cii_json_set (doc, "joint", json_boolean (m->joint));
    cii_json_set (doc, "date", cii_json_str (m->date));
    if (m->created_at_ms)
        cii_json_set (doc, "created_at", cii_json_time (m->created_at_ms));
    return doc;
}

//  "cdc", "cp", or "cdc+cp (joint, convened by the cp)".
static const char *
s_who (const hub_meeting_t *m, char buf [48])
{
    if (m->joint)
        snprintf (buf, 48, "cdc+cp (joint, convened by the %s)", m->organ);
    else
        snprintf (buf, 48, "%s", m->organ);
    return buf;
}

int
hub_cli_meeting_new (cii_cli_t *cli)
{
    const char *organ = cii_cli_opt (cli, "organ");
    const char *date = cii_cli_opt (cli, "date");
    if (!organ || !date)
        return cii_cli_usage (cli, "--organ and --date are required");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t meeting;
    char who [48];
    if (hub_meeting_new (store, organ, date, cii_cli_flag (cli, "joint"), &meeting, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli))
        code = cii_cli_print_json (cli, s_meeting_json (&meeting));
    else
        fprintf (cii_cli_out (cli), "%s: %s on %s\n", meeting.ref, s_who (&meeting, who), meeting.date);
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_meeting_plan (cii_cli_t *cli)
{
    int year = 0, code = CII_CLI_OK;
    if (!s_year (cli, &year, &code))
        return code;
    if (year == 0)
        return cii_cli_usage (cli, "--year is required");
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t plan [HUB_MEETING_PLAN];
    if (hub_meeting_plan (year, plan, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    char who [48];
    if (cii_cli_json (cli)) {
        json_t *list = json_array ();
        for (size_t i = 0; i < HUB_MEETING_PLAN; i++)
            json_array_append_new (list, s_meeting_json (&plan [i]));
        return cii_cli_print_json (cli, list);
    }
    FILE *out = cii_cli_out (cli);
    fprintf (out, "proposed calendar %d (nothing created; `cii-hub meeting new` creates each):\n", year);
    for (size_t i = 0; i < HUB_MEETING_PLAN; i++)
        fprintf (out, "  %s  %s\n", plan [i].date, s_who (&plan [i], who));
    return CII_CLI_OK;
}

static bool
s_meeting_row (const hub_meeting_t *m, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_meeting_json (m));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%-10s  %-10s  %s\n", "REF", "DATE", "ORGAN");
    char who [48];
    fprintf (out, "%-10s  %-10s  %s\n", m->ref, m->date, s_who (m, who));
    return true;
}

//  `meetings --check`: the warnings of each year, exit 0.
static int
s_check (cii_cli_t *cli, hub_store_t *store, int year)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_calendar_t *years = NULL;
    size_t n = 0;
    if (hub_meeting_check (store, year, &years, &n, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    int code = CII_CLI_OK;
    if (cii_cli_json (cli)) {
        json_t *list = json_array ();
        for (size_t i = 0; i < n; i++) {
            json_t *row = json_object ();
            cii_json_set (row, "year", json_integer (years [i].year));
            cii_json_set (row, "cdc", json_integer (years [i].cdc));
            cii_json_set (row, "cp", json_integer (years [i].cp));
            cii_json_set (row, "last", cii_json_str (*years [i].last.ref ? years [i].last.ref : NULL));
            json_t *warnings = json_array ();
            for (size_t w = 0; w < years [i].n_warnings; w++)
                json_array_append_new (warnings, cii_json_str (years [i].warnings [w]));
            cii_json_set (row, "warnings", warnings);
            json_array_append_new (list, row);
        }
        code = cii_cli_print_json (cli, list);
    }
    else
        for (size_t i = 0; i < n; i++) {
            for (size_t w = 0; w < years [i].n_warnings; w++)
                fprintf (cii_cli_out (cli), "warning: %s\n", years [i].warnings [w]);
            if (years [i].n_warnings == 0)
                fprintf (cii_cli_out (cli), "%d: follows the plan (%d CDC and %d CP meetings, the last joint)\n",
                         years [i].year, years [i].cdc, years [i].cp);
        }
    free (years);
    return code;
}

int
hub_cli_meetings (cii_cli_t *cli)
{
    int year = 0, code = CII_CLI_OK;
    if (!s_year (cli, &year, &code))
        return code;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    if (cii_cli_flag (cli, "check"))
        code = s_check (cli, store, year);
    else {
        hub_cli_listing_t listing;
        hub_cli_listing_init (&listing, cli);
        cii_rc_t rc = listing.failed ? CII_OK : hub_meeting_list (store, year, s_meeting_row, &listing, &listing.err);
        code = hub_cli_listing_end (&listing, rc, "no meetings");
    }
    hub_store_destroy (&store);
    return code;
}
