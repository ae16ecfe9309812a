/*  agent_cli.c — the cii-agent command line: a verb table {name, handler, usage} in PgBouncer
    admin.c style with nested verbs, option parsing, and the verbs init, run, signal add,
    signal import, signals, notices and status (JSON output with --json on every listing). */
#include "agent_cli.h"

#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_daemon.h"
#include "agent_import.h"
#include "agent_store.h"
#include "cii_bundle.h"
#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_util.h"

#define PROG "cii-agent"
#define MAX_OPTS 16
#define MAX_ARGS 8

//  --- option parsing -------------------------------------------------------------------------

typedef struct {
    const char *name;        //  without the leading "--"
    bool has_arg;
} s_opt_t;

typedef struct _s_verb_t s_verb_t;

typedef struct {
    FILE *out;
    FILE *err;
    const s_verb_t *verb;
    const char *path;        //  "signal add": the verb's full name
    const char *values[MAX_OPTS];    //  by index in verb->opts; flags get ""
    const char *args[MAX_ARGS];
    int nargs;
} s_ctx_t;

typedef int (s_handler_fn) (s_ctx_t *ctx);

struct _s_verb_t {
    const char *name;
    s_handler_fn *handler;   //  NULL for a group of nested verbs
    const s_verb_t *sub;     //  nested verbs, ends with a NULL name
    const s_opt_t *opts;     //  ends with a NULL name
    const char *usage;       //  after "cii-agent "
    const char *summary;
};

static const char *
s_opt (s_ctx_t *ctx, const char *name)
{
    for (int i = 0; ctx->verb->opts && ctx->verb->opts[i].name; i++)
        if (streq (ctx->verb->opts[i].name, name))
            return ctx->values[i];
    return NULL;
}

static bool
s_flag (s_ctx_t *ctx, const char *name)
{
    return s_opt (ctx, name) != NULL;
}

static int
s_usage_error (s_ctx_t *ctx, const char *format, ...)
{
    fprintf (ctx->err, "%s %s: ", PROG, ctx->path);
    va_list args;
    va_start (args, format);
    vfprintf (ctx->err, format, args);
    va_end (args);
    fprintf (ctx->err, "\nusage: %s %s\n", PROG, ctx->verb->usage);
    return 2;
}

//  A refused operation: one line on err, exit code 1.
static int
s_refuse (s_ctx_t *ctx, const char *format, ...)
{
    fprintf (ctx->err, "%s: ", PROG);
    va_list args;
    va_start (args, format);
    vfprintf (ctx->err, format, args);
    va_end (args);
    fputc ('\n', ctx->err);
    return 1;
}

//  Parses argv[first..] against the verb's options. 0, or 2 after a usage message.
static int
s_parse (s_ctx_t *ctx, int argc, char **argv, int first)
{
    bool only_args = false;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (only_args || arg[0] != '-' || arg[1] == 0) {
            if (ctx->nargs == MAX_ARGS)
                return s_usage_error (ctx, "too many arguments");
            ctx->args[ctx->nargs++] = arg;
            continue;
        }
        if (streq (arg, "--")) {
            only_args = true;
            continue;
        }
        if (streq (arg, "-h"))
            arg = "--help";
        if (arg[1] != '-')
            return s_usage_error (ctx, "unknown option %s", arg);
        const char *name = arg + 2;
        const char *eq = strchr (name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen (name);
        int found = -1;
        for (int o = 0; ctx->verb->opts && ctx->verb->opts[o].name; o++)
            if (strlen (ctx->verb->opts[o].name) == len
                && strncmp (ctx->verb->opts[o].name, name, len) == 0)
                found = o;
        if (found < 0)
            return s_usage_error (ctx, "unknown option --%.*s", (int) len, name);
        const s_opt_t *opt = &ctx->verb->opts[found];
        const char *value = "";
        if (opt->has_arg) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return s_usage_error (ctx, "--%s needs a value", opt->name);
        }
        else if (eq)
            return s_usage_error (ctx, "--%s takes no value", opt->name);
        if (ctx->values[found] && !streq (opt->name, "help"))
            return s_usage_error (ctx, "--%s given twice", opt->name);
        ctx->values[found] = value;
    }
    return 0;
}

//  --state DIR, else CII_AGENT_STATE; NULL after a usage message (exit 2).
static const char *
s_state_dir (s_ctx_t *ctx)
{
    const char *dir = s_opt (ctx, "state");
    if (!dir || !*dir)
        dir = getenv ("CII_AGENT_STATE");
    if (!dir || !*dir) {
        s_usage_error (ctx, "no state directory: give --state DIR or set CII_AGENT_STATE");
        return NULL;
    }
    return dir;
}

//  Opens the store; NULL after a one-line refusal.
static agent_store_t *
s_open_store (s_ctx_t *ctx, const char *dir)
{
    char reason[256] = "";
    agent_store_t *store = agent_store_open (dir, reason, sizeof reason);
    if (!store)
        s_refuse (ctx, "%s", reason);
    return store;
}

//  "VD,VS,GE" -> "VD, VS, GE" into buf.
static void
s_pretty_list (const char *list, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (const char *p = list; *p && len + 3 < size; p++) {
        buf[len++] = *p;
        if (*p == ',')
            buf[len++] = ' ';
    }
    buf[len] = 0;
}


//  --- building a signal from user input (signal add, signal import) --------------------------
//  Format and vocabulary checks live in agent_import.c; the network check needs the store.

//  The canton (already one of the 26) must belong to the agent's network. 0, -2 refused,
//  -1 database error; reason in both cases.
static int
s_canton_member (agent_store_t *store, const cii_bundle_t *config, const char *canton,
                 char *reason, size_t n)
{
    int member = agent_store_canton_in_network (store, canton);
    if (member < 0) {
        snprintf (reason, n, "cannot read the state database");
        return -1;
    }
    if (member == 0) {
        char list[128];
        s_pretty_list (config->cantons, list, sizeof list);
        snprintf (reason, n, "canton %s is not in network %s (%s)", canton, config->network, list);
        return -2;
    }
    return 0;
}

static int
s_input_canton (agent_import_input_t *in, agent_store_t *store, const cii_bundle_t *config,
                const char *canton, char *reason, size_t n)
{
    if (agent_import_input_canton (in, canton, reason, n))
        return -2;
    return s_canton_member (store, config, in->canton, reason, n);
}

typedef struct {
    agent_store_t *store;
    const cii_bundle_t *config;
} s_member_arg_t;

//  agent_import_canton_fn for `signal import`
static int
s_import_canton (const char *canton, void *arg, char *reason, size_t n)
{
    s_member_arg_t *member = (s_member_arg_t *) arg;
    return s_canton_member (member->store, member->config, canton, reason, n);
}

//  --- verbs ----------------------------------------------------------------------------------

static int
s_verb_init (s_ctx_t *ctx)
{
    const char *bundle_path = s_opt (ctx, "bundle");
    if (!bundle_path || !*bundle_path)
        return s_usage_error (ctx, "--bundle FILE is required");
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;
    cii_bundle_t bundle;
    memset (&bundle, 0, sizeof bundle);
    char reason[256] = "";
    if (cii_bundle_load (&bundle, bundle_path, reason, sizeof reason) != 0)
        return s_refuse (ctx, "%s", *reason ? reason : "cannot read the bundle");
    if (agent_store_init (dir, &bundle, reason, sizeof reason) != 0)
        return s_refuse (ctx, "%s", reason);
    memset (bundle.agent_secret, 0, sizeof bundle.agent_secret);
    char list[128];
    s_pretty_list (bundle.cantons, list, sizeof list);
    if (s_flag (ctx, "json")) {
        fprintf (ctx->out, "{\"network\":");
        cii_util_json_string (ctx->out, bundle.network);
        fprintf (ctx->out, ",\"cantons\":");
        cii_util_json_list (ctx->out, bundle.cantons);
        fprintf (ctx->out, ",\"endpoint\":");
        cii_util_json_string (ctx->out, bundle.endpoint);
        fprintf (ctx->out, ",\"state\":");
        cii_util_json_string (ctx->out, dir);
        fprintf (ctx->out, "}\n");
    }
    else
        fprintf (ctx->out, "initialised network %s (cantons %s) in %s; hub %s\n", bundle.network,
                 list, dir, bundle.endpoint);
    return 0;
}

static int
s_verb_run (s_ctx_t *ctx)
{
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;
    return agent_daemon_run (dir) == 0 ? 0 : 1;
}

static int
s_verb_signal_add (s_ctx_t *ctx)
{
    const char *canton = s_opt (ctx, "canton");
    const char *title = s_opt (ctx, "title");
    const char *body = s_opt (ctx, "body");
    const char *body_file = s_opt (ctx, "body-file");
    const char *institutions = s_opt (ctx, "institutions");
    const char *created = s_opt (ctx, "created-at");
    if (!canton || !*canton)
        return s_usage_error (ctx, "--canton CODE is required");
    if (!title)
        return s_usage_error (ctx, "--title TEXT is required");
    if ((body != NULL) == (body_file != NULL))
        return s_usage_error (ctx, "give exactly one of --body TEXT and --body-file FILE");
    if (!institutions)
        return s_usage_error (ctx, "--institutions a,b is required");
    if (ctx->nargs > 0)
        return s_usage_error (ctx, "unexpected argument %s", ctx->args[0]);
    int64_t created_ms = 0;
    if (created && agent_import_parse_time (created, &created_ms) != 0)
        return s_usage_error (ctx, "--created-at '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]]Z)",
                              created);
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;

    int rc = 1;
    char *file_text = NULL;
    char reason[512] = "";
    cii_bundle_t config;
    agent_import_input_t in;
    memset (&in, 0, sizeof in);
    agent_store_t *store = s_open_store (ctx, dir);
    if (!store)
        goto cleanup;
    if (agent_store_config (store, &config) != 0) {
        s_refuse (ctx, "cannot read the configuration in %s", dir);
        goto cleanup;
    }
    //  The canton first: the most likely mistake, and the one to state plainly
    if (s_input_canton (&in, store, &config, canton, reason, sizeof reason)
        || agent_import_input_list (&in, institutions, agent_import_input_institution, reason,
                                    sizeof reason)
        || agent_import_input_list (&in, s_opt (ctx, "target-groups") ? s_opt (ctx, "target-groups") : "",
                                    agent_import_input_group, reason, sizeof reason)
        || agent_import_input_lang (&in, s_opt (ctx, "lang"), reason, sizeof reason)) {
        s_refuse (ctx, "%s", reason);
        goto cleanup;
    }
    if (body_file) {
        size_t size = 0;
        file_text = cii_util_read_file (body_file, &size);
        if (!file_text) {
            s_refuse (ctx, "cannot read %s: %s", body_file, strerror (errno));
            goto cleanup;
        }
        if (!cii_domain_utf8_valid (file_text, size)) {
            s_refuse (ctx, "%s is not valid UTF-8 text (or holds control characters)", body_file);
            goto cleanup;
        }
    }
    agent_import_input_finish (&in, (char *) title, file_text ? file_text : (char *) body,
                    (char *) s_opt (ctx, "reason"), created_ms);
    int64_t id = 0;
    char message_id[65] = "";
    cii_codec_error_t err;
    memset (&err, 0, sizeof err);
    int src = agent_store_add_signal (store, &in.signal, &id, message_id, &err);
    if (src == -2) {
        s_refuse (ctx, "signal refused: %s", err.text);
        goto cleanup;
    }
    if (src != 0) {
        s_refuse (ctx, "cannot store the signal in %s", dir);
        goto cleanup;
    }
    if (s_flag (ctx, "json")) {
        fprintf (ctx->out, "{\"id\":%" PRId64 ",\"message_id\":", id);
        cii_util_json_string (ctx->out, message_id);
        fprintf (ctx->out, ",\"canton\":");
        cii_util_json_string (ctx->out, in.canton);
        fprintf (ctx->out, ",\"queued\":true}\n");
    }
    else
        fprintf (ctx->out, "signal %" PRId64 " queued (message %s)\n", id, message_id);
    rc = 0;

cleanup:
    free (file_text);
    agent_store_destroy (&store);
    return rc;
}

static int
s_verb_signal_import (s_ctx_t *ctx)
{
    if (ctx->nargs != 1)
        return s_usage_error (ctx, "give exactly one FILE.json");
    const char *path = ctx->args[0];
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;
    int rc = 1;
    char error[600] = "";
    size_t size = 0;
    agent_import_t *import = NULL;
    int64_t *ids = NULL;
    char (*mids)[65] = NULL;
    agent_store_t *store = NULL;
    char *text = cii_util_read_file (path, &size);
    if (!text) {
        s_refuse (ctx, "cannot read %s: %s", path, strerror (errno));
        goto cleanup;
    }
    //  The document first, then the state, then each entry (the canton against the network)
    if (agent_import_read (text, size, &import, error, sizeof error) != 0) {
        s_refuse (ctx, "%s: %s", path, error);
        goto cleanup;
    }
    store = s_open_store (ctx, dir);
    if (!store)
        goto cleanup;
    cii_bundle_t config;
    if (agent_store_config (store, &config) != 0) {
        s_refuse (ctx, "cannot read the configuration in %s", dir);
        goto cleanup;
    }
    size_t count = agent_import_count (import);
    ids = calloc (count + 1, sizeof *ids);
    mids = calloc (count + 1, sizeof *mids);
    if (!ids || !mids) {
        s_refuse (ctx, "out of memory");
        goto cleanup;
    }
    s_member_arg_t member = {store, &config};
    if (agent_import_check (import, s_import_canton, &member, error, sizeof error) != 0) {
        s_refuse (ctx, "%s: %s (nothing imported)", path, error);
        goto cleanup;
    }
    size_t failed = 0;
    cii_codec_error_t err;
    memset (&err, 0, sizeof err);
    int src = agent_store_add_signals (store, agent_import_signals (import), count, ids, mids,
                                       &failed, &err);
    if (src == -2) {
        s_refuse (ctx, "%s: signal %zu refused: %s (nothing imported)", path, failed + 1, err.text);
        goto cleanup;
    }
    if (src != 0) {
        s_refuse (ctx, "cannot store the signals in %s (nothing imported)", dir);
        goto cleanup;
    }
    bool json = s_flag (ctx, "json");
    if (json)
        fputc ('[', ctx->out);
    for (size_t i = 0; i < count; i++) {
        if (json) {
            fprintf (ctx->out, "%s{\"id\":%" PRId64 ",\"message_id\":", i ? "," : "", ids[i]);
            cii_util_json_string (ctx->out, mids[i]);
            fprintf (ctx->out, ",\"canton\":");
            cii_util_json_string (ctx->out, agent_import_signal (import, i)->canton);
            fprintf (ctx->out, ",\"queued\":true}");
        }
        else
            fprintf (ctx->out, "signal %" PRId64 " queued (message %s)\n", ids[i], mids[i]);
    }
    if (json)
        fputs ("]\n", ctx->out);
    else
        fprintf (ctx->out, "%zu signal%s imported\n", count, count == 1 ? "" : "s");
    rc = 0;

cleanup:
    agent_store_destroy (&store);
    free (mids);
    free (ids);
    agent_import_destroy (&import);
    free (text);
    return rc;
}

typedef struct {
    FILE *out;
    bool json;
    int count;
} s_listing_t;

static int
s_print_signal (const agent_signal_row_t *row, void *arg)
{
    s_listing_t *l = arg;
    FILE *out = l->out;
    if (l->json) {
        fprintf (out, "%s{\"id\":%" PRId64 ",\"message_id\":", l->count++ ? "," : "", row->id);
        cii_util_json_string (out, row->message_id);
        fputs (",\"canton\":", out);
        cii_util_json_string (out, row->canton);
        fputs (",\"title\":", out);
        cii_util_json_string (out, row->title);
        fputs (",\"language\":", out);
        cii_util_json_string (out, row->language);
        fputs (",\"institutions\":", out);
        cii_util_json_list (out, row->institutions);
        fputs (",\"target_groups\":", out);
        cii_util_json_list (out, row->target_groups);
        fputs (",\"created_at\":", out);
        cii_util_json_time (out, row->created_at_ms);
        fprintf (out, ",\"delivered\":%s,\"hub_ref\":", row->delivered_at_ms > 0 ? "true" : "false");
        cii_util_json_string (out, row->delivered_at_ms > 0 ? row->hub_ref : NULL);
        fputs (",\"hub_received_at\":", out);
        cii_util_json_time (out, row->delivered_at_ms > 0 ? row->hub_received_at_ms : 0);
        fputs (",\"refused\":", out);
        if (row->refused) {
            fprintf (out, "{\"code\":%d,\"text\":", row->refused_code);
            cii_util_json_string (out, row->refused_text ? row->refused_text : "");
            fputc ('}', out);
        }
        else
            fputs ("null", out);
        fputc ('}', out);
        return 0;
    }
    if (l->count++ == 0)
        fprintf (out, "%-6s %-6s %-4s %-9s %-24s %-16s %s\n", "ID", "CANTON", "LANG", "STATE",
                 "CREATED", "HUB REF", "TITLE");
    char created[32];
    cii_util_iso8601 (row->created_at_ms, created);
    const char *state = row->delivered_at_ms > 0 ? "delivered" : row->refused ? "refused" : "pending";
    const char *ref = "-";
    if (row->delivered_at_ms > 0 && row->hub_ref)
        ref = row->hub_ref;
    else if (row->refused)
        ref = cii_codec_error_name ((Cii__ErrorCode) row->refused_code);
    fprintf (out, "%-6" PRId64 " %-6s %-4s %-9s %-24s %-16s %s\n", row->id, row->canton,
             row->language, state, created, ref ? ref : "-", row->title);
    return 0;
}

static int
s_print_notice (const agent_notice_row_t *row, void *arg)
{
    s_listing_t *l = arg;
    FILE *out = l->out;
    if (l->json) {
        fprintf (out, "%s{\"seq\":%" PRId64 ",\"notice_id\":%" PRId64 ",\"title\":",
                 l->count++ ? "," : "", row->seq, row->notice_id);
        cii_util_json_string (out, row->title);
        fputs (",\"text\":", out);
        cii_util_json_string (out, row->text);
        fputs (",\"networks\":", out);
        cii_util_json_list (out, row->networks);
        fputs (",\"issued_at\":", out);
        cii_util_json_time (out, row->issued_at_ms);
        fputs (",\"received_at\":", out);
        cii_util_json_time (out, row->received_at_ms);
        fputc ('}', out);
        return 0;
    }
    if (l->count++ == 0)
        fprintf (out, "%-6s %-8s %-24s %-20s %s\n", "SEQ", "NOTICE", "ISSUED", "NETWORKS", "TITLE");
    char issued[32];
    cii_util_iso8601 (row->issued_at_ms, issued);
    fprintf (out, "%-6" PRId64 " %-8" PRId64 " %-24s %-20s %s\n", row->seq, row->notice_id, issued,
             row->networks && *row->networks ? row->networks : "(all)", row->title);
    return 0;
}

//  Shared body of `signals` and `notices`.
static int
s_listing (s_ctx_t *ctx, bool signals)
{
    if (ctx->nargs > 0)
        return s_usage_error (ctx, "unexpected argument %s", ctx->args[0]);
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;
    agent_store_t *store = s_open_store (ctx, dir);
    if (!store)
        return 1;
    s_listing_t l = {ctx->out, s_flag (ctx, "json"), 0};
    if (l.json)
        fputc ('[', ctx->out);
    int visited = signals ? agent_store_signals (store, s_print_signal, &l)
                          : agent_store_notices (store, s_print_notice, &l);
    agent_store_destroy (&store);
    if (l.json)
        fputs ("]\n", ctx->out);
    else if (visited == 0)
        fprintf (ctx->out, signals ? "no signals\n" : "no notices\n");
    if (visited < 0)
        return s_refuse (ctx, "cannot read %s from %s", signals ? "signals" : "notices", dir);
    return 0;
}

static int
s_verb_signals (s_ctx_t *ctx)
{
    return s_listing (ctx, true);
}

static int
s_verb_notices (s_ctx_t *ctx)
{
    return s_listing (ctx, false);
}

static int
s_verb_status (s_ctx_t *ctx)
{
    if (ctx->nargs > 0)
        return s_usage_error (ctx, "unexpected argument %s", ctx->args[0]);
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;
    agent_store_t *store = s_open_store (ctx, dir);
    if (!store)
        return 1;
    cii_bundle_t config;
    agent_daemon_status_t daemon;
    int crc = agent_store_config (store, &config);
    int drc = agent_store_get_status (store, &daemon);
    int waiting = agent_store_outbox_count (store);
    int64_t last_seq = agent_store_last_seq (store);
    int version = agent_store_schema_version (store);
    agent_store_destroy (&store);
    memset (config.agent_secret, 0, sizeof config.agent_secret);
    if (crc != 0 || drc < 0 || waiting < 0 || last_seq < 0)
        return s_refuse (ctx, "cannot read the state in %s", dir);
    char when[32] = "";
    if (drc == 0 && daemon.time_ms > 0)
        cii_util_iso8601 (daemon.time_ms, when);
    //  A daemon killed with SIGKILL could not record that it stopped: check its process.
    bool running = drc == 0 && daemon.pid > 0 && daemon.pid <= INT32_MAX
                   && (kill ((pid_t) daemon.pid, 0) == 0 || errno == EPERM);
    bool final = drc == 0 && (streq (daemon.status, "stopped") || streq (daemon.status, "revoked"));
    FILE *out = ctx->out;
    if (s_flag (ctx, "json")) {
        fputs ("{\"network\":", out);
        cii_util_json_string (out, config.network);
        fputs (",\"cantons\":", out);
        cii_util_json_list (out, config.cantons);
        fputs (",\"endpoint\":", out);
        cii_util_json_string (out, config.endpoint);
        fputs (",\"agent_public\":", out);
        cii_util_json_string (out, config.agent_public);
        fputs (",\"daemon\":", out);
        if (drc == 0) {
            fputs ("{\"status\":", out);
            cii_util_json_string (out, daemon.status);
            fputs (",\"detail\":", out);
            cii_util_json_string (out, daemon.detail);
            fputs (",\"time\":", out);
            cii_util_json_time (out, daemon.time_ms);
            fprintf (out, ",\"running\":%s}", running ? "true" : "false");
        }
        else
            fputs ("null", out);
        fprintf (out, ",\"outbox\":%d,\"last_seq\":%" PRId64 ",\"schema_version\":%d}\n", waiting,
                 last_seq, version);
        return 0;
    }
    char list[128];
    s_pretty_list (config.cantons, list, sizeof list);
    fprintf (out, "network   %s\n", config.network);
    fprintf (out, "cantons   %s\n", list);
    fprintf (out, "hub       %s\n", config.endpoint);
    fprintf (out, "agent key %s\n", config.agent_public);
    if (drc == 0 && !running && !final)
        fprintf (out, "daemon    NOT RUNNING (it died; last recorded: %s at %s)\n", daemon.status, when);
    else
    if (drc == 0)
        fprintf (out, "daemon    %s%s%s%s (recorded %s)\n", daemon.status, *daemon.detail ? " (" : "",
                 daemon.detail, *daemon.detail ? ")" : "", when);
    else
        fprintf (out, "daemon    never ran\n");
    fprintf (out, "outbox    %d waiting\n", waiting);
    fprintf (out, "last seq  %" PRId64 "\n", last_seq);
    return 0;
}

//  --- the verb table -------------------------------------------------------------------------

static const s_opt_t s_opts_init[] = {
    {"bundle", true}, {"state", true}, {"json", false}, {"help", false}, {NULL, false}};
static const s_opt_t s_opts_state[] = {{"state", true}, {"help", false}, {NULL, false}};
static const s_opt_t s_opts_listing[] = {
    {"state", true}, {"json", false}, {"help", false}, {NULL, false}};
static const s_opt_t s_opts_add[] = {
    {"state", true},        {"canton", true},  {"title", true},     {"body", true},
    {"body-file", true},    {"institutions", true}, {"target-groups", true}, {"reason", true},
    {"lang", true},         {"created-at", true}, {"json", false},   {"help", false},
    {NULL, false}};

static const s_verb_t s_signal_verbs[] = {
    {"add", s_verb_signal_add, NULL, s_opts_add,
     "signal add [--state DIR] --canton CODE --title TEXT (--body TEXT | --body-file FILE)\n"
     "       --institutions a,b [--target-groups x,y] [--reason TEXT] [--lang fr|de|it|rm]\n"
     "       [--created-at YYYY-MM-DD[THH:MM[:SS]]Z] [--json]",
     "queue a cantonal signal for the hub"},
    {"import", s_verb_signal_import, NULL, s_opts_listing,
     "signal import [--state DIR] FILE.json [--json]\n"
     "       FILE.json: [{\"canton\":\"VD\",\"title\":\"…\",\"body\":\"…\",\"institutions\":[\"…\"],\n"
     "                    \"target_groups\":[\"…\"],\"reason\":\"…\",\"lang\":\"fr\"}, …]",
     "queue several signals at once (all or none)"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const s_verb_t s_verbs[] = {
    {"init", s_verb_init, NULL, s_opts_init, "init --bundle FILE [--state DIR] [--json]",
     "create the local state from an enrollment bundle"},
    {"run", s_verb_run, NULL, s_opts_state, "run [--state DIR]", "run the daemon"},
    {"signal", NULL, s_signal_verbs, s_opts_state, "signal (add | import) …", "signals: add, import"},
    {"signals", s_verb_signals, NULL, s_opts_listing, "signals [--state DIR] [--json]",
     "list signals with their delivery state"},
    {"notices", s_verb_notices, NULL, s_opts_listing, "notices [--state DIR] [--json]",
     "list notices received from the bureau"},
    {"status", s_verb_status, NULL, s_opts_listing, "status [--state DIR] [--json]",
     "network, hub, daemon state, outbox and inbox"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static void
s_main_usage (FILE *out)
{
    fprintf (out, "usage: %s VERB [options]   (--state DIR or CII_AGENT_STATE on every verb)\n",
             PROG);
    for (const s_verb_t *v = s_verbs; v->name; v++) {
        if (v->sub)
            for (const s_verb_t *s = v->sub; s->name; s++) {
                char name[64];
                snprintf (name, sizeof name, "%s %s", v->name, s->name);
                fprintf (out, "  %-16s %s\n", name, s->summary);
            }
        else
            fprintf (out, "  %-16s %s\n", v->name, v->summary);
    }
    fprintf (out, "'%s VERB --help' describes a verb.\n", PROG);
}

static const s_verb_t *
s_find (const s_verb_t *table, const char *name)
{
    for (const s_verb_t *v = table; v->name; v++)
        if (streq (v->name, name))
            return v;
    return NULL;
}

int
agent_cli_run (int argc, char **argv, FILE *out, FILE *err)
{
    if (argc < 2) {
        s_main_usage (err);
        return 2;
    }
    if (streq (argv[1], "--help") || streq (argv[1], "-h") || streq (argv[1], "help")) {
        s_main_usage (out);
        return 0;
    }
    const s_verb_t *verb = s_find (s_verbs, argv[1]);
    if (!verb) {
        fprintf (err, "%s: unknown verb '%s'\n", PROG, argv[1]);
        s_main_usage (err);
        return 2;
    }
    int first = 2;
    char path[64];
    snprintf (path, sizeof path, "%s", verb->name);
    if (verb->sub) {
        const s_verb_t *sub = argc > 2 ? s_find (verb->sub, argv[2]) : NULL;
        if (!sub) {
            bool help = argc > 2 && (streq (argv[2], "--help") || streq (argv[2], "-h"));
            FILE *dest = help ? out : err;
            if (argc > 2 && !help)
                fprintf (err, "%s %s: unknown verb '%s'\n", PROG, verb->name, argv[2]);
            for (const s_verb_t *s = verb->sub; s->name; s++)
                fprintf (dest, "usage: %s %s\n", PROG, s->usage);
            return help ? 0 : 2;
        }
        snprintf (path, sizeof path, "%s %s", verb->name, sub->name);
        verb = sub;
        first = 3;
    }
    s_ctx_t ctx;
    memset (&ctx, 0, sizeof ctx);
    ctx.out = out;
    ctx.err = err;
    ctx.verb = verb;
    ctx.path = path;
    int rc = s_parse (&ctx, argc, argv, first);
    if (rc != 0)
        return rc;
    if (s_flag (&ctx, "help")) {
        fprintf (out, "usage: %s %s\n%s.\n", PROG, verb->usage, verb->summary);
        return 0;
    }
    rc = verb->handler (&ctx);
    fflush (out);
    return rc;
}

int
agent_cli_main (int argc, char **argv)
{
    //  czmq logs to stdout by default; for the CLI verbs keep stdout for results (and --json)
    //  and leave SIGINT/SIGTERM to their default action. `run` sets up logging itself.
    if (!(argc > 1 && streq (argv[1], "run"))) {
        //  The one-shot verbs answer with their own result or one-line refusal; the store's log
        //  lines would only repeat it. CII_AGENT_VERBOSE=1 shows them on stderr.
        zsys_handler_set (NULL);
        const char *verbose = getenv ("CII_AGENT_VERBOSE");
        zsys_set_logstream (verbose && *verbose && !streq (verbose, "0") ? stderr : NULL);
    }
    return agent_cli_run (argc, argv, stdout, stderr);
}
