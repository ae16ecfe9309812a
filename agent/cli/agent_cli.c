/*  agent_cli.c — the cii-agent program: its verb table on the common CLI framework (names,
    options, arguments, one-line summaries: --help is generated from it), the logging set-up of
    the one-shot verbs, and the helpers the verb files share (see agent_cli.h). */
#include "agent_cli.h"
#include "agent_cli_verbs.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "agent_setup.h"
#include "agent_similar.h"
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

static const cii_cli_opt_t s_opts_request_new [] = {
    { "title", "TEXT", "a title, up to " S_TEXT (CII_MAX_TITLE) " bytes (required)", false },
    { "summary", "TEXT", "the summary, up to " S_TEXT (CII_MAX_TEXT) " bytes (or --summary-file)", false },
    { "summary-file", "FILE", "a UTF-8 file holding the summary", false },
    { "signals", "ID,...", "the signals it consolidates: ids of `signals`, or hub references (required)", false },
    { "objective", "NAME", "labour-market-integration or system-coordination", true },
    { "priority", "P1|P2|P3", "a content priority", true },
    { "assessment", "TEXT", "the coordinator's assessment, up to " S_TEXT (CII_MAX_REASON) " bytes", false },
    { "support", "CODE,...", "more supporting cantons of this network (the signals' cantons always are)", false },
    { "lang", "fr|de|it|rm", "the language of its texts (default: most of its signals')", false },
    { "json", NULL, "print JSON (one line): {\"id\": N, ...}", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_request_edit [] = {
    { "title", "TEXT", "a new title", false },
    { "summary", "TEXT", "a new summary (or --summary-file)", false },
    { "summary-file", "FILE", "a UTF-8 file holding the new summary", false },
    { "assessment", "TEXT", "a new assessment", false },
    { "add-signals", "ID,...", "signals to add", false },
    { "remove-signals", "ID,...", "signals to take out (one must stay)", false },
    { "objective", "NAME", "the objectives, replacing the list (may be repeated; none: no objective)", true },
    { "priority", "P1|P2|P3", "the priorities, replacing the list (may be repeated; none: no priority)", true },
    { "support", "CODE,...", "the added supporting cantons, replacing the list (none: no addition)", false },
    { "lang", "fr|de|it|rm", "the language of its texts", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_request_merge [] = {
    { "title", "TEXT", "a title for the merged request (default: the first one's)", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_request_split [] = {
    { "signals", "ID,...", "the signals that go to the new draft (required)", false },
    { "title", "TEXT", "the new draft's title (required)", false },
    { "summary", "TEXT", "the new draft's summary (default: a copy of the first one's)", false },
    { "json", NULL, "print JSON (one line): {\"id\": N, ...}", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_request_withdraw [] = {
    { "reason", "TEXT", "why the network withdraws it, up to " S_TEXT (CII_MAX_REASON) " bytes (required)", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_requests [] = {
    { "state", "STATE", "only requests in this state (draft, forwarded, received, ...); the state directory "
      "then goes before the command (cii-agent --state DIR requests ...) or in $CII_AGENT_STATE", false },
    { "canton", "CODE", "only what this canton signalled or supports", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_similar [] = {
    { "limit", "N", "at most N hits (default " S_TEXT (AGENT_SIMILAR_LIMIT) ")", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_report [] = {
    { "canton", "CODE", "the canton reporting, one of the network's (required)", false },
    { "state", "STATE", "acknowledged, planned, in-progress, implemented or declined (required); the state "
      "directory then goes before the command (cii-agent --state DIR report ...) or in $CII_AGENT_STATE", false },
    { "note", "TEXT", "what the canton says, up to " S_TEXT (CII_MAX_REASON) " bytes (declined: its reason, "
      "required)", false },
    { "version", "N", "the version reported on (default: the latest)", false },
    { "json", NULL, "print JSON (one line): {\"id\": N, \"message_id\": ...}", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_reports [] = {
    { "rec", "REC", "only the reports on this recommendation", false },
    { "canton", "CODE", "only this canton's reports", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_opt_t s_opts_canton_set [] = {
    { "push", "ADAPTER", "exec, dir, webhook or none (required)", false },
    { "command", "PATH", "exec: the program run for each push (no shell), the payload on stdin", false },
    { "timeout", "S", "exec, webhook: the time limit of one attempt in seconds (default 30)", false },
    { "path", "DIR", "dir: the folder REC.vN.CANTON.json files are written into", false },
    { "url", "URL", "webhook: https://... (plain http only to 127.0.0.1, ::1, localhost)", false },
    { "secret-file", "F", "webhook: the HMAC-SHA256 key of X-CII-Signature (mode 0600 or 0400)", false },
    { "json", NULL, "print JSON (one line)", false },
    { NULL, NULL, NULL, false }
};

static const cii_cli_verb_t s_canton_verbs [] = {
    { "set", agent_cli_canton_set, NULL, s_opts_canton_set, "CANTON", 1, 1,
      "set how recommendations are pushed into a canton's systems" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};

static const cii_cli_verb_t s_request_verbs [] = {
    { "new", agent_cli_request_new, NULL, s_opts_request_new, "", 0, 0, "draft a request from the network's signals" },
    { "edit", agent_cli_request_edit, NULL, s_opts_request_edit, "ID", 1, 1,
      "change a draft (a refused request becomes a draft again)" },
    { "merge", agent_cli_request_merge, NULL, s_opts_request_merge, "ID OTHER", 2, 2,
      "fold draft OTHER into draft ID (lineage kept)" },
    { "split", agent_cli_request_split, NULL, s_opts_request_split, "ID", 1, 1,
      "move some signals of draft ID into a new draft (lineage kept)" },
    { "forward", agent_cli_request_forward, NULL, s_opts_json, "ID", 1, 1,
      "freeze a draft and send it to the hub (after its signals are receipted)" },
    { "withdraw", agent_cli_request_withdraw, NULL, s_opts_request_withdraw, "ID", 1, 1,
      "ask the hub to withdraw a forwarded request" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
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
    { "request", NULL, s_request_verbs, NULL, "", 0, 0, "requests: new, edit, merge, split, forward, withdraw" },
    { "requests", agent_cli_requests, NULL, s_opts_requests, "", 0, 0,
      "list requests with their state (by state, by canton)" },
    { "show", agent_cli_show, NULL, s_opts_json, "ID|REF", 1, 1,
      "one request: fields, signals, lineage, criteria, the hub's history" },
    { "trace", agent_cli_trace, NULL, s_opts_json, "ID|REF|REC", 1, 1,
      "one request's lineage (signals, merges, splits, decisions), or a recommendation's versions, pushes and "
      "reports" },
    { "similar", agent_cli_similar, NULL, s_opts_similar, "SIGNAL", 1, 1,
      "the network's signals and requests that look like a signal, with why" },
    { "recommendations", agent_cli_recommendations, NULL, s_opts_json, "", 0, 0,
      "recommendations received, each canton's push and latest report state" },
    { "report", agent_cli_report, NULL, s_opts_report, "REC", 1, 1,
      "record a canton's implementation report on a recommendation and send it to the hub" },
    { "reports", agent_cli_reports, NULL, s_opts_reports, "[import]", 0, 1,
      "the history of reports; `reports import`: import the report files of STATE/reports/CANTON/ now" },
    { "canton", NULL, s_canton_verbs, NULL, "", 0, 0, "a canton's push adapter: set" },
    { "cantons", agent_cli_cantons, NULL, s_opts_json, "", 0, 0,
      "the network's cantons: languages, push adapter and target, queued / pushed / failed pushes" },
    { "status", agent_cli_status, NULL, s_opts_json, "", 0, 0,
      "network, hub, daemon state, outbox and inbox, pushes (failed ones with their reasons)" },
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

//  What the words before the verb say. Only the common options may come there (--state DIR),
//  with --help and --version, so the first word that is no option is the verb.
typedef struct {
    const char *state_before;         //  --state DIR given before the verb
} s_app_t;

static void
s_scan_before_verb (int argc, char **argv, s_app_t *app)
{
    for (int i = 1; i < argc && argv [i]; i++) {
        const char *word = argv [i];
        if (strcmp (word, "--") == 0 || word [0] != '-' || strcmp (word, "-") == 0)
            return;                   //  the verb (or what stands for it) comes now
        if (strcmp (word, "--state") == 0 && i + 1 < argc)
            app->state_before = argv [++i];
        else
        if (strncmp (word, "--state=", 8) == 0)
            app->state_before = word + 8;
    }
}

int
agent_cli_run (int argc, char **argv, FILE *out, FILE *err)
{
    s_app_t app = { NULL };
    s_scan_before_verb (argc, argv, &app);
    return cii_cli_run (&s_program, argc, argv, out, err, &app);
}

//  True for the verbs with an option of their own called --state.
static bool
s_own_state (cii_cli_t *cli)
{
    return strcmp (cii_cli_verb (cli), "requests") == 0 || strcmp (cii_cli_verb (cli), "report") == 0;
}

const char *
agent_cli_state_filter (cii_cli_t *cli)
{
    if (!s_own_state (cli))
        return NULL;
    const s_app_t *app = cii_cli_app (cli);
    int count = cii_cli_opt_count (cli, "state");
    //  The values in command-line order: the one before the verb (if any) first
    int after = app && app->state_before ? 1 : 0;
    return count > after ? cii_cli_opt_at (cli, "state", count - 1) : NULL;
}

int
agent_cli_main (int argc, char **argv)
{
    return agent_cli_run (argc, argv, stdout, stderr);
}

const char *
agent_cli_state_dir (cii_cli_t *cli, int *code_p)
{
    const s_app_t *app = cii_cli_app (cli);
    const char *dir = !s_own_state (cli) ? cii_cli_opt (cli, "state") : app ? app->state_before : NULL;
    if (!dir || !*dir)
        dir = getenv ("CII_AGENT_STATE");
    if (!dir || !*dir) {
        *code_p = cii_cli_usage (cli, "no state directory: give --state DIR or set CII_AGENT_STATE");
        return NULL;
    }
    return dir;
}

void
agent_cli_put_text (FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *) (text ? text : ""); *p; p++)
        fputc (*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

bool
agent_cli_listing_add (agent_cli_listing_t *listing, json_t *entry)
{
    listing->count++;
    if (listing->json)
        listing->no_memory = json_array_append_new (listing->json, entry) != 0;
    return !listing->no_memory;
}

//  agent_cli_query_arg_fn over an agent_cli_query_fn.
static cii_rc_t
s_query_plain (agent_store_t *store, agent_cli_listing_t *listing, void *arg, cii_err_t *err)
{
    agent_cli_query_fn **query = arg;
    return (*query) (store, listing, err);
}

int
agent_cli_list (cii_cli_t *cli, agent_cli_query_fn *query, const char *empty)
{
    return agent_cli_list_arg (cli, s_query_plain, &query, empty);
}

int
agent_cli_list_arg (cii_cli_t *cli, agent_cli_query_arg_fn *query, void *arg, const char *empty)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_cli_listing_t listing = { cii_cli_out (cli), cii_cli_json (cli) ? json_array () : NULL, false, 0 };
    cii_err_t err;
    cii_rc_t rc = query (store, &listing, arg, &err);
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
