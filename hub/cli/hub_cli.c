/*  hub_cli.c — the cii-hub command line: the program table (verbs, their options, the common
    --db and --verbose) over the common CLI framework, and the hook that sets logging up before a
    verb runs. The verbs are in hub_cli_setup.c, hub_cli_agents.c, hub_cli_signals.c,
    hub_cli_notices.c, and for the national gate hub_cli_requests.c, hub_cli_decide.c and
    hub_cli_themes.c; cross-language matching in hub_cli_match.c; meetings of the national processing
    in hub_cli_meeting.c; working groups in hub_cli_wg.c; the work programme in hub_cli_programme.c;
    the monitoring of recommendations in hub_cli_monitor.c. */
#include "hub_cli.h"
#include "hub_cli_verbs.h"
#include "hub_setup.h"
#include "hub_store_schema.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_util.h"

#define S_STR(x)  S_STR2 (x)
#define S_STR2(x) #x

static const cii_cli_opt_t s_common [] = {
    { "db", "CONNINFO", "libpq connection string (default: the PG* environment)", false },
    { "verbose", NULL, "also print log lines on stderr", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_init_opts [] = {
    { "certs", "DIR", "directory of the hub key pair (created, mode 0700)", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_serve_opts [] = {
    { "certs", "DIR", "directory of the hub key pair written by init", false },
    { "bind", "ENDPOINT", "where agents connect (default tcp://*:7300)", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_enroll_opts [] = {
    { "endpoint", "tcp://HOST:PORT", "the hub as agents reach it (several: comma-separated)", false },
    { "out", "FILE", "the bundle to write (never overwritten)", false },
    { "json", NULL, "print {network, public_key, bundle} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_json_opts [] = {
    { "json", NULL, "one JSON array on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_signals_opts [] = {
    { "network", "NETWORK", "only the signals of this network", false },
    { "json", NULL, "one JSON array on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_notice_opts [] = {
    { "to", "all|NET[,NET...]", "all networks, or these", false },
    { "title", "TITLE", "the title (1.." S_STR (CII_MAX_TITLE) " bytes)", false },
    { "text", "TEXT", "the text (1.." S_STR (CII_MAX_TEXT) " bytes)", false },
    { "text-file", "FILE", "the text, read from FILE (instead of --text)", false },
    { "json", NULL, "print {id, recipients} as JSON", false },
    { NULL, NULL, NULL, false },
};

// The national gate (hub_cli_requests.c, hub_cli_decide.c, hub_cli_themes.c)
static const cii_cli_opt_t s_requests_opts [] = {
    { "state", "STATE", "only the requests in this state (received, admissible, ...)", false },
    { "network", "NETWORK", "only the requests of this network", false },
    { "canton", "CANTON", "only the requests this canton supports or raised a signal of", false },
    { "json", NULL, "one JSON array on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_show_opts [] = {
    { "json", NULL, "one JSON object on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_decide_opts [] = {
    { "to", "STATE", "the state to move it to (admissible, scheduled, referred-to-cp, answered, ...)", false },
    { "organ", "ORGAN", "the organ that decides (bureau, cdc, cp, wg)", false },
    { "meeting", "M-YYYY-NN", "the meeting it is decided in (one of that organ; a joint one for the cdc or the cp)",
      false },
    { "note", "TEXT", "the note (required where the table says: the reason of inadmissible or declined, "
      "the answer of answered)", false },
    { "json", NULL, "print {ref, state, organ, meeting, at, requests} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_request_new_opts [] = {
    { "from-monitoring", "REC", "the recommendation whose monitoring leads to it, REC-YYYY-NN (required)", false },
    { "title", "TITLE", "the title, one line (1.." S_STR (CII_MAX_TITLE) " bytes, required)", false },
    { "summary", "TEXT", "the summary (1.." S_STR (CII_MAX_TEXT) " bytes, required)", false },
    { "language", "fr|de|it|rm", "the language of its texts (default fr)", false },
    { "json", NULL, "print {ref, from_rec, network, state, organ, note, received_at} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_request_verbs [] = {
    { "new", hub_cli_request_new, NULL, s_request_new_opts, "", 0, 0,
      "open a national request (no network) from the monitoring of a recommendation (plan 3.4)" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_opt_t s_theme_new_opts [] = {
    { "title", "TITLE", "the theme's title (1.." S_STR (CII_MAX_TITLE) " bytes)", false },
    { "json", NULL, "print {ref, title, requests, created_at} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_theme_verbs [] = {
    { "new", hub_cli_theme_new, NULL, s_theme_new_opts, "REF REF...", 1, -1,
      "group requests of several networks into a national theme NT-YYYY-NN" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_opt_t s_gate_opts [] = {
    { "c3-min-cantons", "N", "set C3's threshold of supporting cantons (1..26)", false },
    { "c3-min-networks", "N", "set C3's threshold of networks raising it, with a similar request or over a theme (1..64)", false },
    { "c3-min-similarity", "X", "set the score at which another network's request counts as similar for C3 (0.05..1)", false },
    { "json", NULL, "print the thresholds and the criteria as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_similar_opts [] = {
    { "limit", "N", "at most N hits (1..100, default 10)", false },
    { "json", NULL, "one JSON array of {ref, kind, network, title, lang, score, why} on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_concept_add_opts [] = {
    { "lang", "fr|de|it", "the language of the term (required)", false },
    { "json", NULL, "print {concept, lang, term, query, tagged, documents} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_concept_list_opts [] = {
    { "concept", "CONCEPT", "only the terms of this concept", false },
    { "json", NULL, "one JSON array of {concept, lang, term, query, documents} on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_concept_verbs [] = {
    { "add", hub_cli_concept_add, NULL, s_concept_add_opts, "CONCEPT TERM", 2, 2,
      "add a term (one or more words; WORD* matches a prefix) of a concept" },
    { "list", hub_cli_concept_list, NULL, s_concept_list_opts, "", 0, 0, "the concepts and their terms" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

// Working groups (hub_cli_wg.c) and the work programme (hub_cli_programme.c)
static const cii_cli_opt_t s_wg_new_opts [] = {
    { "mandated-by", "cdc|cp", "the organ that mandates the group (required)", false },
    { "refs", "REF,...", "the requests it works on (required): moved to wg-mandated, or linked when already there",
      false },
    { "meeting", "M-YYYY-NN", "the meeting of that organ that mandates it", false },
    { "title", "TITLE", "the group's title (one line, required)", false },
    { "context", "TEXT", "the mandate: the context and the question (required)", false },
    { "objective", "TEXT", "the mandate: the objective (required)", false },
    { "deliverables", "TEXT", "the mandate: what it delivers (required)", false },
    { "process", "TEXT", "the mandate: the process (required)", false },
    { "composition", "TEXT", "the mandate: the composition (required)", false },
    { "communication", "TEXT", "the mandate: the communication (required)", false },
    { "financing", "TEXT", "the mandate: the financing (required)", false },
    { "lead", "TEXT", "the mandate: who leads it (one line, required)", false },
    { "staffing", "TEXT", "the mandate: the staff it needs (required)", false },
    { "until", "YYYY-MM-DD", "when its result is due (required)", false },
    { "json", NULL, "print {ref, mandated_by, meeting, until, at, requests} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_wg_report_opts [] = {
    { "file", "RESULT.md", "the group's result, UTF-8 text (required)", false },
    { "json", NULL, "print {ref, mandated_by, reported_at, bytes, requests} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_wg_verbs [] = {
    { "new", hub_cli_wg_new, NULL, s_wg_new_opts, "", 0, 0,
      "mandate a working group on requests: WG-YYYY-NN (plan 2.4: every part of the mandate)" },
    { "report", hub_cli_wg_report, NULL, s_wg_report_opts, "WG", 1, 1,
      "hand a group's result to the organ that mandated it (once)" },
    { "show", hub_cli_wg_show, NULL, s_show_opts, "WG", 1, 1, "one working group: its mandate, requests, result" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_opt_t s_wgs_opts [] = {
    { "overdue", NULL, "only the groups past their date without a report", false },
    { "json", NULL, "one JSON array on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_programme_new_opts [] = {
    { "from", "YYYY", "the first of its two years (required)", false },
    { "to", "YYYY", "the second (required)", false },
    { "presidency", "OFAS|SEFRI|SECO|SEM", "the federal office presiding the CP (required)", false },
    { "json", NULL, "print {ref, from, to, presidency, created_at, warnings} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_programme_show_opts [] = {
    { "year", "YYYY", "the programme covering this year (default: the current one)", false },
    { "json", NULL, "one JSON object on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_programme_verbs [] = {
    { "new", hub_cli_programme_new, NULL, s_programme_new_opts, "", 0, 0,
      "adopt the two-year work programme WP-YYYY-YYYY (warns where the presidency breaks the rotation)" },
    { "show", hub_cli_programme_show, NULL, s_programme_show_opts, "", 0, 0,
      "a programme: CII projects and associated projects, their milestones and requests" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_opt_t s_project_add_opts [] = {
    { "kind", "cii|associated", "a CII project or an associated project (required)", false },
    { "title", "TITLE", "the title (one line, required)", false },
    { "lead", "TEXT", "who leads it (one line, required)", false },
    { "financing", "TEXT", "how it is financed (required)", false },
    { "objective", "TEXT", "its objective (required)", false },
    { "refs", "REF,...", "the requests it answers", false },
    { "milestone", "YYYY-MM-DD:TEXT", "a milestone (repeat for several)", true },
    { "json", NULL, "print {ref, programme, kind, title} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_project_set_opts [] = {
    { "lead", "TEXT", "who leads it, as the partners communicated it", false },
    { "financing", "TEXT", "how it is financed", false },
    { "objective", "TEXT", "its objective", false },
    { "json", NULL, "print {ref} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_project_verbs [] = {
    { "add", hub_cli_project_add, NULL, s_project_add_opts, "", 0, 0,
      "add a project to the programme covering the current year: PR-YYYY-NN" },
    { "set", hub_cli_project_set, NULL, s_project_set_opts, "PR", 1, 1,
      "record a project's lead, financing or objective (a CP project decision leaves them to the partners)" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

// National processing (hub_cli_meeting.c)
static const cii_cli_opt_t s_meeting_new_opts [] = {
    { "organ", "cdc|cp", "the organ that meets (required)", false },
    { "date", "YYYY-MM-DD", "the date of the meeting (required)", false },
    { "joint", NULL, "a joint meeting of the CDC and the CP (the last of the year)", false },
    { "json", NULL, "print {ref, organ, joint, date, created_at} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_meeting_plan_opts [] = {
    { "year", "YYYY", "the year to plan (required)", false },
    { "json", NULL, "one JSON array of {organ, joint, date} on stdout", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_meeting_verbs [] = {
    { "new", hub_cli_meeting_new, NULL, s_meeting_new_opts, "", 0, 0,
      "a meeting of the CDC or the CP: M-YYYY-NN" },
    { "plan", hub_cli_meeting_plan, NULL, s_meeting_plan_opts, "", 0, 0,
      "propose a year's calendar: four CDC and four CP meetings, the last joint (nothing created)" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_opt_t s_meetings_opts [] = {
    { "year", "YYYY", "only the meetings of this year", false },
    { "check", NULL, "warn where a year departs from the plan (four of each, the last joint); exit 0", false },
    { "json", NULL, "one JSON array on stdout", false },
    { NULL, NULL, NULL, false },
};

// Agendas and minutes (hub_cli_agenda.c)
static const cii_cli_opt_t s_agenda_opts [] = {
    { "publish", NULL, "send it down to every network as a notice (again only when it changed)", false },
    { "json", NULL, "print {meeting, organ, joint, date, built_on, items[, published]} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_minutes_opts [] = {
    { "file", "OUTCOMES.json", "the outcomes: [{\"ref\", \"to\", \"note\", \"organ\" (a joint meeting)}, ...] "
      "(required)", false },
    { "json", NULL, "print {meeting, outcomes} as JSON", false },
    { NULL, NULL, NULL, false },
};

// The monitoring of recommendations (hub_cli_monitor.c)
static const cii_cli_opt_t s_monitor_opts [] = {
    { "rec", "REC-YYYY-NN", "only this recommendation's cells", false },
    { "network", "NETWORK", "only the cells of this network's cantons", false },
    { "overdue", NULL, "only the cells past their report date without a final report (implemented, declined)",
      false },
    { "remind", NULL, "send the networks concerned a notice listing their overdue cells", false },
    { "json", NULL, "print {cells, networks, national} (--overdue: the list of cells; --remind: what was sent) "
      "as JSON", false },
    { NULL, NULL, NULL, false },
};

// Recommendations (hub_cli_recommend.c)
static const cii_cli_opt_t s_recommend_opts [] = {
    { "file", "REC.json", "the recommendation (required): {\"title\": {\"fr\", \"de\", \"it\"[, \"rm\"]}, "
      "\"text\": {...}, \"adopted_on\", \"report_by\", \"basis\": [...], \"addressees\": {\"cantons\": \"all\" | [...], "
      "\"partners\": [...]}[, \"note\", \"meeting\"]}", false },
    { "amend", "REC", "make it version n+1 of this recommendation (delivered again, the earlier versions kept)", false },
    { "json", NULL, "print {ref, version, adopted_on, report_by, meeting, issued_at, requests, networks} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_opt_t s_partner_add_opts [] = {
    { "name", "NAME", "the partner's name (one line, required)", false },
    { "json", NULL, "print {code, name} as JSON", false },
    { NULL, NULL, NULL, false },
};

static const cii_cli_verb_t s_partner_verbs [] = {
    { "add", hub_cli_partner_add, NULL, s_partner_add_opts, "CODE", 1, 1,
      "add a national partner a recommendation may address (CODE: letters, digits, '-')" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static const cii_cli_verb_t s_verbs [] = {
    { "init", hub_cli_init, NULL, s_init_opts, "", 0, 0,
      "migrate the schema, seed the registry, create the hub key pair" },
    { "serve", hub_cli_serve, NULL, s_serve_opts, "", 0, 0, "run the hub: agents connect here" },
    { "enroll", hub_cli_enroll, NULL, s_enroll_opts, "NETWORK", 1, 1,
      "enroll the agent of a network and write its bundle" },
    { "revoke", hub_cli_revoke, NULL, NULL, "NETWORK", 1, 1, "refuse the key of a network's agent from now on" },
    { "agents", hub_cli_agents, NULL, s_json_opts, "", 0, 0, "enrolled agents: connected, last seen, backlog" },
    { "signals", hub_cli_signals, NULL, s_signals_opts, "", 0, 0, "signals received from the networks" },
    { "notice", hub_cli_notice, NULL, s_notice_opts, "", 0, 0, "send a bureau notice to all networks or some" },
    { "notices", hub_cli_notices, NULL, s_json_opts, "", 0, 0, "notices sent, with recipients and acks" },
    { "requests", hub_cli_requests, NULL, s_requests_opts, "", 0, 0, "requests received at the gate, with criteria met" },
    { "show", hub_cli_show, NULL, s_show_opts, "REF", 1, 1,
      "one request in full (criteria, history, lineage), a theme and its requests, or a recommendation (REC: "
      "every version, deliveries)" },
    { "trace", hub_cli_trace, NULL, s_show_opts, "REF", 1, 1,
      "the lineage of a request, a theme, a signal or a recommendation (REC: its basis, versions, deliveries, "
      "pushes, reports)" },
    { "request", NULL, s_request_verbs, NULL, "", 0, 0,
      "requests the bureau opens itself: new --from-monitoring REC (a national request)" },
    { "decide", hub_cli_decide, NULL, s_decide_opts, "REF", 1, 1, "move a request, or each request of a theme" },
    { "theme", NULL, s_theme_verbs, NULL, "", 0, 0, "national themes: new" },
    { "themes", hub_cli_themes, NULL, s_json_opts, "", 0, 0, "national themes, their requests and breadth" },
    { "gate", hub_cli_gate, NULL, s_gate_opts, "", 0, 0, "the admissibility criteria and C3 thresholds (show, set)" },
    { "similar", hub_cli_similar, NULL, s_similar_opts, "REF", 1, 1,
      "requests and signals of other networks like request REF, in any language" },
    { "concept", NULL, s_concept_verbs, NULL, "", 0, 0, "the CII concept thesaurus of similar: add, list" },
    { "wg", NULL, s_wg_verbs, NULL, "", 0, 0, "working groups mandated by the CDC or the CP: new, report, show" },
    { "wgs", hub_cli_wgs, NULL, s_wgs_opts, "", 0, 0, "working groups, their dates and reports (--overdue)" },
    { "programme", NULL, s_programme_verbs, NULL, "", 0, 0, "the CP's two-year work programme: new, show" },
    { "project", NULL, s_project_verbs, NULL, "", 0, 0, "projects of the work programme: add, set" },
    { "meeting", NULL, s_meeting_verbs, NULL, "", 0, 0, "meetings of the CDC and the CP: new, plan" },
    { "meetings", hub_cli_meetings, NULL, s_meetings_opts, "", 0, 0,
      "meetings of the CDC and the CP, or with --check the calendar's warnings" },
    { "agenda", hub_cli_agenda, NULL, s_agenda_opts, "MEETING", 1, 1,
      "the agenda of a meeting, built from what waits for its organ (--publish: send it to every network)" },
    { "minutes", hub_cli_minutes, NULL, s_minutes_opts, "MEETING", 1, 1,
      "record a meeting's outcomes, one transition per item, all or none" },
    { "recommend", hub_cli_recommend, NULL, s_recommend_opts, "", 0, 0,
      "publish a CP recommendation REC-YYYY-NN (or --amend one): its basis moves to recommended, each network "
      "holding an addressed canton gets it" },
    { "recommendations", hub_cli_recommendations, NULL, s_json_opts, "", 0, 0,
      "the CP's recommendations: version, dates, addressees" },
    { "partners", hub_cli_partners, NULL, s_json_opts, "", 0, 0, "the national partners a recommendation may address" },
    { "partner", NULL, s_partner_verbs, NULL, "", 0, 0, "national partners: add" },
    { "monitor", hub_cli_monitor, NULL, s_monitor_opts, "", 0, 0,
      "the canton x recommendation matrix: pushes, reports, roll-ups (--overdue, --remind)" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

//  The one-shot verbs answer with their own one line; the log would only repeat it (and on stdout,
//  czmq's default, it would spoil --json): it goes to stderr with --verbose, else nowhere. `serve`
//  logs as a service does: on stderr (journald under systemd).
static int
s_before (cii_cli_t *cli)
{
    if (streq (cii_cli_verb (cli), "serve")) {
        zsys_set_logident ("cii-hub");
        zsys_set_logstream (cii_cli_err (cli));
    }
    else
        zsys_set_logstream (cii_cli_flag (cli, "verbose") ? cii_cli_err (cli) : NULL);
    //  A password on the command line is readable by every user of the machine (ps, /proc): say so
    //  once, and carry on (the operator guide shows the password file to use instead).
    const char *db = cii_cli_opt (cli, "db");
    if (db && (strstr (db, "password") || (strstr (db, "://") && strchr (db, '@') && strchr (strstr (db, "://") + 3, ':')
                                            && strchr (strstr (db, "://") + 3, ':') < strchr (db, '@'))))
        fprintf (cii_cli_err (cli), "%s: warning: the password in --db is visible to every user of this machine "
                 "(ps, /proc): put it in a password file instead (PGPASSFILE; see docs/operator-guide.md)\n",
                 cii_cli_program (cli));
    return CII_CLI_OK;
}

int
hub_cli_run (int argc, char **argv, FILE *out, FILE *err)
{
    char version [64];
    snprintf (version, sizeof version, CII_VERSION " (schema %d, protocol %d)", hub_store_binary_schema_version (),
              CII_PROTOCOL_VERSION);
    const cii_cli_program_t program = {
        .name = "cii-hub",
        .version = version,
        .common = s_common,
        .verbs = s_verbs,
        .epilog = "Without --db the PG* environment variables (PGHOST, PGDATABASE, ...) apply.",
        .before = s_before,
    };
    //  -v was --verbose before the framework (long options only): still accepted before the verb.
    char **args = argc > 0 ? calloc ((size_t) argc + 1, sizeof *args) : NULL;
    for (int i = 0, before_verb = 1; args && i < argc; i++) {
        args [i] = argv [i];
        if (i == 0 || !before_verb || !argv [i])
            continue;
        if (streq (argv [i], "-v"))
            args [i] = (char *) "--verbose";
        else
        if (streq (argv [i], "--db") && i + 1 < argc) {
            i++;
            args [i] = argv [i];
        }
        else
        if (argv [i][0] != '-' || streq (argv [i], "--"))
            before_verb = 0;
    }
    int code = cii_cli_run (&program, argc, args ? args : argv, out, err, NULL);
    //  The log stream was the caller's err: nothing is kept of it once the run is over.
    zsys_set_logstream (NULL);
    free (args);
    return code;
}

int
hub_cli_main (int argc, char **argv)
{
    return hub_cli_run (argc, argv, stdout, stderr);
}

//  --------------------------------------------------------------------------------------------
//  Shared by the verbs

hub_store_t *
hub_cli_connect (cii_cli_t *cli, int *code)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_store_t *store = hub_setup_connect (cii_cli_opt (cli, "db"), &err);
    if (!store)
        *code = cii_cli_fail (cli, &err);
    return store;
}

void
hub_cli_time (int64_t ms, char buf [32])
{
    if (ms == 0)
        snprintf (buf, 32, "-");
    else
        cii_util_iso8601 (ms, buf);
}

json_t *
hub_cli_lines (const char *text)
{
    json_t *list = json_array ();
    for (const char *p = text; list && p && *p;) {
        const char *end = strchr (p, '\n');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char *line = strndup (p, len);
        json_array_append_new (list, cii_json_str (line));
        free (line);
        p += len + (end ? 1 : 0);
    }
    return list;
}

const char **
hub_cli_split (const char *list, char **copy_p, size_t *n_p)
{
    *n_p = 0;
    *copy_p = strdup (list ? list : "");
    size_t slots = 1;
    for (const char *c = *copy_p ? *copy_p : ""; *c; c++)
        slots += *c == ',';
    const char **items = calloc (slots, sizeof *items);
    if (!*copy_p || !items) {
        free (items);
        return NULL;
    }
    if (!**copy_p)
        return items;
    for (char *start = *copy_p, *comma;; start = comma + 1) {
        comma = strchr (start, ',');
        if (comma)
            *comma = 0;
        items [(*n_p)++] = start;
        if (!comma)
            break;
    }
    return items;
}

void
hub_cli_listing_init (hub_cli_listing_t *self, cii_cli_t *cli)
{
    memset (self, 0, sizeof *self);
    self->cli = cli;
    if (cii_cli_json (cli)) {
        self->list = json_array ();
        self->failed = !self->list;
    }
}

bool
hub_cli_listing_add (hub_cli_listing_t *self, json_t *row)
{
    self->rows++;
    if (self->failed || !row || json_array_append_new (self->list, row) != 0)
        self->failed = true;
    return !self->failed;
}

int
hub_cli_listing_end (hub_cli_listing_t *self, cii_rc_t rc, const char *none)
{
    int code = CII_CLI_OK;
    if (rc != CII_OK)
        code = cii_cli_fail (self->cli, &self->err);
    else
    if (self->failed)
        code = cii_cli_refuse (self->cli, "out of memory");
    else
    if (self->list) {
        code = cii_cli_print_json (self->cli, self->list);
        self->list = NULL;
    }
    else
    if (self->rows == 0)
        fprintf (cii_cli_out (self->cli), "%s\n", none);
    json_decref (self->list);
    self->list = NULL;
    return code;
}
