/*  agent_cli_verbs.h — inside the cii-agent command line: the verbs of each group file and the
    helpers they share (the state directory, opening the state). Not for other layers. */
#ifndef AGENT_CLI_VERBS_H_INCLUDED
#define AGENT_CLI_VERBS_H_INCLUDED

#include "agent_store.h"
#include "cii_bundle.h"
#include "cii_cli.h"

/*  agent_cli_setup.c */
int agent_cli_init (cii_cli_t *cli);
int agent_cli_daemon (cii_cli_t *cli);
int agent_cli_status (cii_cli_t *cli);

/*  agent_cli_signal.c */
int agent_cli_signal_add (cii_cli_t *cli);
int agent_cli_signal_import (cii_cli_t *cli);
int agent_cli_signals (cii_cli_t *cli);

/*  agent_cli_notices.c */
int agent_cli_notices (cii_cli_t *cli);

/*  agent_cli_request.c */
int agent_cli_request_new (cii_cli_t *cli);
int agent_cli_request_edit (cii_cli_t *cli);
int agent_cli_request_merge (cii_cli_t *cli);
int agent_cli_request_split (cii_cli_t *cli);
int agent_cli_request_forward (cii_cli_t *cli);
int agent_cli_request_withdraw (cii_cli_t *cli);
int agent_cli_requests (cii_cli_t *cli);
int agent_cli_show (cii_cli_t *cli);
int agent_cli_trace (cii_cli_t *cli);           /* agent_cli_trace.c */
int agent_cli_similar (cii_cli_t *cli);

/*  agent_cli_reports.c */
int agent_cli_report (cii_cli_t *cli);
int agent_cli_reports (cii_cli_t *cli);
int agent_cli_recommendations (cii_cli_t *cli);

/*  agent_cli_cantons.c: `canton set`, `cantons`, and the pushes part of `status` (counts by
    state and the failed pushes with their reasons: into json when not NULL, else lines on out). */
int agent_cli_canton_set (cii_cli_t *cli);
int agent_cli_cantons (cii_cli_t *cli);
cii_rc_t agent_cli_status_pushes (agent_store_t *store, FILE *out, json_t *json, cii_err_t *err);

/*  The state directory: --state DIR, else CII_AGENT_STATE; NULL after a usage error (exit 2,
    which *code_p receives). For a verb with an option of its own called --state (`requests
    --state S`: the contract's names), only a --state before the verb names the directory. */
const char *agent_cli_state_dir (cii_cli_t *cli, int *code_p);

/*  The value of the verb's own --state option (given after the verb), for the verbs that have
    one; NULL when not given. */
const char *agent_cli_state_filter (cii_cli_t *cli);

/*  Opens the state named by --state / CII_AGENT_STATE, with its configuration in *config (may be
    NULL). NULL after a usage error or a refusal; *code_p receives the exit code. */
agent_store_t *agent_cli_open (cii_cli_t *cli, cii_bundle_t *config, int *code_p);

/*  Writes stored text (NULL as nothing) on one line: control characters as '?'. */
void agent_cli_put_text (FILE *out, const char *text);

/*  A listing's output, filled by the row callback of a query: one JSON array (--json), printed
    whole once the query succeeded (a failed listing prints nothing), or lines of text. */
typedef struct {
    FILE *out;
    json_t *json;                 /* the array with --json, else NULL */
    bool no_memory;               /* an entry could not be added to it */
    size_t count;                 /* entries seen so far */
} agent_cli_listing_t;

/*  Counts an entry and, with --json, adds it to the array (taking the reference). False (stop the
    query) when out of memory. For a text listing entry is NULL. */
bool agent_cli_listing_add (agent_cli_listing_t *listing, json_t *entry);

/*  A listing verb: opens the state, runs query (which fills listing through its row callback),
    then prints the JSON array, or empty (e.g. "no signals") when a text listing saw no entry. */
typedef cii_rc_t (agent_cli_query_fn) (agent_store_t *store, agent_cli_listing_t *listing, cii_err_t *err);
int agent_cli_list (cii_cli_t *cli, agent_cli_query_fn *query, const char *empty);

/*  The same for a query that needs an argument (the verb's options, a key). */
typedef cii_rc_t (agent_cli_query_arg_fn) (agent_store_t *store, agent_cli_listing_t *listing, void *arg,
                                           cii_err_t *err);
int agent_cli_list_arg (cii_cli_t *cli, agent_cli_query_arg_fn *query, void *arg, const char *empty);

#endif
