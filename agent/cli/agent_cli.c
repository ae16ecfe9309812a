/*  agent_cli.c — the cii-agent program: its verb table on the common CLI framework (names,
    options, arguments, one-line summaries: --help is generated from it), the logging set-up of
    the one-shot verbs, and the helpers the verb files share (see agent_cli.h). */
#include "agent_cli.h"
#include "agent_cli_verbs.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "agent_setup.h"
#include "cii_domain.h"

#define S_PROGRAM  "cii-agent"
#define S_VERSION  CII_VERSION
#define S_TEXT(x)  S_TEXT_ (x)        //  a limit's value in a help line
#define S_TEXT_(x) #x

static const cii_cli_opt_t s_common [] = {
    { "state", "DIR", "the agent's state directory (else $CII_AGENT_STATE)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_json [] = {
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_init [] = {
    { "bundle", "FILE", "the enrollment bundle written by cii-hub enroll (required)", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_add [] = {
    { "canton", "CODE", "the canton raising it, one of the network's (required)", false },
    { "title", "TEXT", "a title, up to " S_TEXT (CII_MAX_TITLE) " bytes (required)", false },
    { "body", "TEXT", "the description, up to " S_TEXT (CII_MAX_TEXT) " bytes (or --body-file)", false },
    { "body-file", "FILE", "a UTF-8 file holding the description", false },
    { "institutions", "a,b", "institutions involved, e.g. social-aid,health (required)", false },
    { "target-groups", "x,y", "target groups, e.g. late-arriving-youth,health-impaired", false },
    { "reason", "TEXT", "why it needs a national or uniform answer", false },
    { "lang", "fr|de|it|rm", "its language (default: the canton's first)", false },
    { "created-at", "DATE", "when the canton raised it, YYYY-MM-DD[THH:MM[:SS]]Z (default: now)", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_verb_t s_signal_verbs [] = {
    { "add", agent_cli_signal_add, NULL, s_opts_add, "", 0, 0, "queue a cantonal signal for the hub" },
    { "import", agent_cli_signal_import, NULL, s_opts_json, "FILE.json", 1, 1,
      "queue several signals from a JSON array of {canton, title, body, institutions, target_groups, "
      "reason, lang, created_at} (all or none)" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};

static const cii_cli_verb_t s_verbs [] = {
    { "init", agent_cli_init, NULL, s_opts_init, "", 0, 0, "create the local state from an enrollment bundle" },
    { "run", agent_cli_daemon, NULL, NULL, "", 0, 0, "run the daemon" },
    { "signal", NULL, s_signal_verbs, NULL, "", 0, 0, "signals: add, import" },
    { "signals", agent_cli_signals, NULL, s_opts_json, "", 0, 0, "list signals with their delivery state" },
    { "notices", agent_cli_notices, NULL, s_opts_json, "", 0, 0, "list notices received from the bureau" },
    { "status", agent_cli_status, NULL, s_opts_json, "", 0, 0, "network, hub, daemon state, outbox and inbox" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};

//  The one-shot verbs answer with their own result or one-line refusal; the store's log lines
//  would only repeat it. CII_AGENT_VERBOSE=1 shows them on stderr. `run` logs itself.
static int
s_before (cii_cli_t *cli)
{
    if (strcmp (cii_cli_verb (cli), "run") != 0) {
        zsys_handler_set (NULL);          //  SIGINT/SIGTERM keep their default action
        const char *verbose = getenv ("CII_AGENT_VERBOSE");
        zsys_set_logstream (verbose && *verbose && strcmp (verbose, "0") != 0 ? stderr : NULL);
    }
    return CII_CLI_OK;
}

static const cii_cli_program_t s_program = {
    .name = S_PROGRAM,
    .version = S_VERSION,
    .common = s_common,
    .verbs = s_verbs,
    .epilog = "Every command works on the state directory given by --state DIR or $CII_AGENT_STATE.",
    .before = s_before,
};

int
agent_cli_run (int argc, char **argv, FILE *out, FILE *err)
{
    return cii_cli_run (&s_program, argc, argv, out, err, NULL);
}

int
agent_cli_main (int argc, char **argv)
{
    return agent_cli_run (argc, argv, stdout, stderr);
}

const char *
agent_cli_state_dir (cii_cli_t *cli, int *code_p)
{
    const char *dir = cii_cli_opt (cli, "state");
    if (!dir || !*dir)
        dir = getenv ("CII_AGENT_STATE");
    if (!dir || !*dir) {
        *code_p = cii_cli_usage (cli, "no state directory: give --state DIR or set CII_AGENT_STATE");
        return NULL;
    }
    return dir;
}

bool
agent_cli_listing_add (agent_cli_listing_t *listing, json_t *entry)
{
    listing->count++;
    if (listing->json)
        listing->no_memory = json_array_append_new (listing->json, entry) != 0;
    return !listing->no_memory;
}

int
agent_cli_list (cii_cli_t *cli, agent_cli_query_fn *query, const char *empty)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_cli_listing_t listing = { cii_cli_out (cli), cii_cli_json (cli) ? json_array () : NULL, false, 0 };
    cii_err_t err;
    cii_rc_t rc = query (store, &listing, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK || listing.no_memory) {
        json_decref (listing.json);
        return rc != CII_OK ? cii_cli_fail (cli, &err) : cii_cli_refuse (cli, "out of memory");
    }
    if (cii_cli_json (cli))
        return cii_cli_print_json (cli, listing.json);
    if (listing.count == 0)
        fprintf (listing.out, "%s\n", empty);
    return CII_CLI_OK;
}

agent_store_t *
agent_cli_open (cii_cli_t *cli, cii_bundle_t *config, int *code_p)
{
    const char *dir = agent_cli_state_dir (cli, code_p);
    if (!dir)
        return NULL;
    cii_err_t err;
    agent_store_t *store = agent_setup_open (dir, config, &err);
    if (!store)
        *code_p = cii_cli_fail (cli, &err);
    return store;
}
