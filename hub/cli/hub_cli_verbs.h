/*  hub_cli_verbs.h — inside hub/cli only: the verbs of cii-hub (one file per group: hub_cli_setup.c
    init and serve, hub_cli_agents.c enroll, revoke and agents, hub_cli_signals.c signals,
    hub_cli_notices.c notice and notices) and the few helpers they share. The program table that
    names them is in hub_cli.c. */
#ifndef HUB_CLI_VERBS_H_INCLUDED
#define HUB_CLI_VERBS_H_INCLUDED

#include <stdint.h>

#include "cii_cli.h"
#include "hub_store.h"

int hub_cli_init (cii_cli_t *cli);
int hub_cli_serve (cii_cli_t *cli);
int hub_cli_enroll (cii_cli_t *cli);
int hub_cli_revoke (cii_cli_t *cli);
int hub_cli_agents (cii_cli_t *cli);
int hub_cli_signals (cii_cli_t *cli);
int hub_cli_notice (cii_cli_t *cli);
int hub_cli_notices (cii_cli_t *cli);
int hub_cli_requests (cii_cli_t *cli);      /* hub_cli_requests.c: requests, show */
int hub_cli_show (cii_cli_t *cli);
int hub_cli_request_new (cii_cli_t *cli);   /* hub_cli_request_new.c: request new --from-monitoring */
int hub_cli_trace (cii_cli_t *cli);         /* hub_cli_trace.c: trace */
int hub_cli_decide (cii_cli_t *cli);        /* hub_cli_decide.c: decide, gate */
int hub_cli_gate (cii_cli_t *cli);
int hub_cli_wg_new (cii_cli_t *cli);        /* hub_cli_wg.c: wg new|report|show, wgs */
int hub_cli_wg_report (cii_cli_t *cli);
int hub_cli_wg_show (cii_cli_t *cli);
int hub_cli_wgs (cii_cli_t *cli);
int hub_cli_programme_new (cii_cli_t *cli); /* hub_cli_programme.c: programme new|show, project add|set */
int hub_cli_programme_show (cii_cli_t *cli);
int hub_cli_project_add (cii_cli_t *cli);
int hub_cli_project_set (cii_cli_t *cli);
int hub_cli_theme_new (cii_cli_t *cli);     /* hub_cli_themes.c: theme new, themes */
int hub_cli_themes (cii_cli_t *cli);
int hub_cli_similar (cii_cli_t *cli);       /* hub_cli_match.c: similar, concept add|list */
int hub_cli_concept_add (cii_cli_t *cli);
int hub_cli_concept_list (cii_cli_t *cli);
int hub_cli_meeting_new (cii_cli_t *cli);   /* hub_cli_meeting.c: meeting new|plan, meetings */
int hub_cli_meeting_plan (cii_cli_t *cli);
int hub_cli_meetings (cii_cli_t *cli);
int hub_cli_agenda (cii_cli_t *cli);        /* hub_cli_agenda.c: agenda, minutes */
int hub_cli_minutes (cii_cli_t *cli);
int hub_cli_recommend (cii_cli_t *cli);     /* hub_cli_recommend.c: recommend, recommendations, show REC, */
int hub_cli_recommendations (cii_cli_t *cli);   /* partners, partner add */
int hub_cli_recommendation_show (cii_cli_t *cli);
int hub_cli_partners (cii_cli_t *cli);
int hub_cli_partner_add (cii_cli_t *cli);
int hub_cli_monitor (cii_cli_t *cli);        /* hub_cli_monitor.c: monitor [--overdue|--remind] */

/*  The store of --db (else the PG* environment), its schema checked (hub_setup_connect). NULL
    after printing the refusal; *code then holds the exit code. */
hub_store_t *hub_cli_connect (cii_cli_t *cli, int *code);

/*  Unix milliseconds as ISO 8601 UTC for a table, "-" when 0 (never). */
void hub_cli_time (int64_t ms, char buf [32]);

/*  A new JSON array of the LF-separated entries of text (a request's lineage): NULL or "" gives
    []; each entry as cii_json_str makes it. NULL when out of memory. */
json_t *hub_cli_lines (const char *text);

/*  Splits a comma list (NULL or "" gives none) into a new array of pointers into *copy_p, a copy
    of list cut at the commas; *n_p entries. The caller frees both; NULL when out of memory. */
const char **hub_cli_split (const char *list, char **copy_p, size_t *n_p);

/*  A listing as every listing verb prints it: with --json one array, printed only once the rows
    were all read (a failed listing prints nothing on stdout); else a table the verb prints as the
    rows come, or one line saying there are none. */
typedef struct {
    cii_cli_t *cli;
    json_t *list;           /* with --json: the rows so far */
    int rows;               /* rows seen (the verb counts its table rows here too) */
    bool failed;            /* out of memory while building the JSON */
    cii_err_t err;          /* for the service that reads the rows */
} hub_cli_listing_t;

/*  Starts a listing for the running verb (an array when --json was given). */
void hub_cli_listing_init (hub_cli_listing_t *self, cii_cli_t *cli);

/*  Adds one row (taking the reference; NULL means out of memory). False once the listing failed:
    the walk may stop. */
bool hub_cli_listing_add (hub_cli_listing_t *self, json_t *row);

/*  Ends the listing: the refusal in self->err when rc is not CII_OK, else the JSON array, or the
    line none when no row came and --json was not given. Frees what it holds; the exit code. */
int hub_cli_listing_end (hub_cli_listing_t *self, cii_rc_t rc, const char *none);

#endif
