/*  hub_cli.c — the cii-hub verbs other than the server loop: init, enroll, revoke, agents,
    signals, notice, notices (and serve, which hands over to hub_server_run). Dispatch is one
    table {name, handler, usage}; every verb takes --help and --db; listings take --json. */
#include "hub_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

#include "cii_bundle.h"
#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_util.h"
#include "hub_server.h"
#include "hub_store.h"

#define S_EXIT_OK      0
#define S_EXIT_REFUSED 1
#define S_EXIT_USAGE   2
#define S_HELP_SHOWN   3        //  internal: --help printed, exit 0

#define S_MAX_POSITIONAL 2

//  What one verb invocation was given.
typedef struct {
    const char *db;          //  conninfo; NULL = PG* environment
    const char *certs;
    const char *bind;
    const char *endpoint;
    const char *out_path;
    const char *network;
    const char *to;
    const char *title;
    const char *text;
    const char *text_file;
    bool json;
    int npositional;
    const char *positional[S_MAX_POSITIONAL];
} s_args_t;

typedef struct _s_verb_t s_verb_t;

typedef struct {
    FILE *out;
    FILE *err;
    const char *program;
    const s_verb_t *verb;
    s_args_t args;
} s_ctx_t;

typedef int (s_handler_fn) (s_ctx_t *ctx);

struct _s_verb_t {
    const char *name;
    s_handler_fn *handler;
    const char *usage;       //  arguments after the verb
    const char *summary;
    const char *options;     //  allowed long options besides --db and --help, space separated
    int positionals;         //  exact number of positional arguments
};

static int s_init (s_ctx_t *ctx);
static int s_serve (s_ctx_t *ctx);
static int s_enroll (s_ctx_t *ctx);
static int s_revoke (s_ctx_t *ctx);
static int s_agents (s_ctx_t *ctx);
static int s_signals (s_ctx_t *ctx);
static int s_notice (s_ctx_t *ctx);
static int s_notices (s_ctx_t *ctx);

static const s_verb_t s_verbs[] = {
    { "init", s_init, "[--db CONNINFO] --certs DIR",
      "migrate the schema, seed the registry, create the hub key pair", "certs", 0 },
    { "serve", s_serve, "[--db CONNINFO] --certs DIR [--bind tcp://*:7300]",
      "run the hub: agents connect here", "certs bind", 0 },
    { "enroll", s_enroll, "[--db CONNINFO] NETWORK --endpoint tcp://HOST:PORT --out FILE",
      "enroll the agent of a network and write its bundle", "endpoint out", 1 },
    { "revoke", s_revoke, "[--db CONNINFO] NETWORK", "refuse the key of a network's agent from now on", "", 1 },
    { "agents", s_agents, "[--db CONNINFO] [--json]", "enrolled agents: connected, last seen, backlog", "json", 0 },
    { "signals", s_signals, "[--db CONNINFO] [--network NETWORK] [--json]", "signals received from the networks",
      "network json", 0 },
    { "notice", s_notice,
      "[--db CONNINFO] --to all|NET[,NET...] --title TITLE (--text TEXT | --text-file FILE) [--json]",
      "send a bureau notice to all networks or some", "to title text text-file json", 0 },
    { "notices", s_notices, "[--db CONNINFO] [--json]", "notices sent, with recipients and acks", "json", 0 },
};

#define S_VERB_COUNT (sizeof s_verbs / sizeof s_verbs[0])

//  --------------------------------------------------------------------------------------------
//  Output helpers

//  A refused operation: one line on the error stream, exit code 1.
static int
s_refuse (s_ctx_t *ctx, const char *format, ...)
{
    char line[600];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen (line);
    while (len > 0 && line[len - 1] == ' ')
        line[--len] = 0;
    fprintf (ctx->err, "%s %s: %s\n", ctx->program, ctx->verb ? ctx->verb->name : "", line);
    return S_EXIT_REFUSED;
}

static int
s_usage_error (s_ctx_t *ctx, const char *format, ...)
{
    char line[300];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    fprintf (ctx->err, "%s %s: %s\nusage: %s %s %s\n", ctx->program, ctx->verb->name, line, ctx->program,
             ctx->verb->name, ctx->verb->usage);
    return S_EXIT_USAGE;
}

static void
s_print_usage (FILE *stream, const char *program)
{
    fprintf (stream, "usage: %s [--db CONNINFO] [--verbose] COMMAND [ARGS]\n\ncommands:\n", program);
    for (size_t i = 0; i < S_VERB_COUNT; i++)
        fprintf (stream, "  %-8s %s\n", s_verbs[i].name, s_verbs[i].summary);
    fprintf (stream, "\nWithout --db the PG* environment variables (PGHOST, PGDATABASE, ...) apply.\n"
                     "Run '%s COMMAND --help' for the options of a command.\n", program);
}

//  ISO 8601 UTC of Unix milliseconds, or "-" / null when 0 (never).
static void
s_time (int64_t ms, char buf[32])
{
    if (ms == 0)
        snprintf (buf, 32, "-");
    else
        cii_util_iso8601 (ms, buf);
}

//  --------------------------------------------------------------------------------------------
//  Argument parsing

static bool
s_option_allowed (const s_verb_t *verb, const char *name)
{
    size_t len = strlen (name);
    for (const char *p = verb->options; (p = strstr (p, name)) != NULL; p += len) {
        bool start = p == verb->options || p[-1] == ' ';
        bool end = p[len] == 0 || p[len] == ' ';
        if (start && end)
            return true;
    }
    return false;
}

//  Parses the verb's arguments (argv[0] is the verb). Returns 0, S_HELP_SHOWN or S_EXIT_USAGE.
static int
s_parse (s_ctx_t *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { "certs", required_argument, NULL, 'c' },
        { "bind", required_argument, NULL, 'b' },
        { "endpoint", required_argument, NULL, 'e' },
        { "out", required_argument, NULL, 'o' },
        { "network", required_argument, NULL, 'n' },
        { "to", required_argument, NULL, 't' },
        { "title", required_argument, NULL, 'T' },
        { "text", required_argument, NULL, 'x' },
        { "text-file", required_argument, NULL, 'X' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    s_args_t *a = &ctx->args;
    optind = 0;             //  GNU: full re-initialisation, scanning starts at argv[1]
    opterr = 0;
    int index = -1;
    int c;
    while ((c = getopt_long (argc, argv, ":h", longopts, &index)) != -1) {
        if (c == '?')
            return s_usage_error (ctx, "unknown option %s", argv[optind - 1]);
        if (c == ':')
            return s_usage_error (ctx, "option %s needs a value", argv[optind - 1]);
        if (c == 'h') {
            fprintf (ctx->out, "usage: %s %s %s\n  %s\n", ctx->program, ctx->verb->name, ctx->verb->usage,
                     ctx->verb->summary);
            return S_HELP_SHOWN;
        }
        if (c != 'd' && (index < 0 || !s_option_allowed (ctx->verb, longopts[index].name)))
            return s_usage_error (ctx, "option %s is not valid here", argv[optind - 1]);
        index = -1;
        switch (c) {
            case 'd': a->db = optarg; break;
            case 'c': a->certs = optarg; break;
            case 'b': a->bind = optarg; break;
            case 'e': a->endpoint = optarg; break;
            case 'o': a->out_path = optarg; break;
            case 'n': a->network = optarg; break;
            case 't': a->to = optarg; break;
            case 'T': a->title = optarg; break;
            case 'x': a->text = optarg; break;
            case 'X': a->text_file = optarg; break;
            case 'j': a->json = true; break;
            default: return s_usage_error (ctx, "unexpected option");
        }
    }
    for (int i = optind; i < argc; i++) {
        if (a->npositional >= ctx->verb->positionals)
            return s_usage_error (ctx, "unexpected argument '%s'", argv[i]);
        a->positional[a->npositional++] = argv[i];
    }
    if (a->npositional < ctx->verb->positionals)
        return s_usage_error (ctx, "missing argument");
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  Database

//  Connects and (unless skipped) checks the schema is exactly this binary's. Returns the store,
//  or NULL with *code set after printing the one-line reason.
static hub_store_t *
s_open (s_ctx_t *ctx, bool check_schema, int *code)
{
    char reason[512] = "";
    hub_store_t *store = hub_store_new (ctx->args.db, reason, sizeof reason);
    if (!store) {
        *code = s_refuse (ctx, "%s", reason);
        return NULL;
    }
    if (!check_schema)
        return store;
    int have = hub_store_schema_version (store);
    int need = hub_store_binary_schema_version ();
    if (have == need)
        return store;
    if (have < 0)
        *code = s_refuse (ctx, "cannot read the schema version: %s", hub_store_error (store));
    else
    if (have > need)
        *code = s_refuse (ctx, "database schema is version %d, newer than this cii-hub (%d): upgrade cii-hub",
                          have, need);
    else
        *code = s_refuse (ctx, "database schema is version %d, this cii-hub needs %d: run cii-hub init", have,
                          need);
    hub_store_destroy (&store);
    return NULL;
}

//  --------------------------------------------------------------------------------------------
//  init

//  mkdir -p with mode 0700 for every directory it creates. 0 / -1 (errno set).
static int
s_mkdirs (const char *path)
{
    char buf[4096];
    if (snprintf (buf, sizeof buf, "%s", path) >= (int) sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir (buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir (buf, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat (buf, &st) != 0)
        return -1;
    if (!S_ISDIR (st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int
s_init (s_ctx_t *ctx)
{
    s_args_t *a = &ctx->args;
    if (!a->certs || !*a->certs)
        return s_usage_error (ctx, "--certs DIR is required");
    int code = S_EXIT_OK;
    char *stored = NULL;
    zcert_t *cert = NULL;
    char *pub_path = zsys_sprintf ("%s/hub.cert", a->certs);
    char *sec_path = zsys_sprintf ("%s/hub.cert_secret", a->certs);
    hub_store_t *store = s_open (ctx, false, &code);
    if (!store)
        goto cleanup;
    if (!pub_path || !sec_path) {
        code = s_refuse (ctx, "out of memory");
        goto cleanup;
    }
    int version = hub_store_migrate (store);
    if (version < 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    if (s_mkdirs (a->certs) != 0) {
        code = s_refuse (ctx, "cannot create %s: %s", a->certs, strerror (errno));
        goto cleanup;
    }
    stored = hub_store_setting_get (store, "hub_public_key");
    bool have_pub = access (pub_path, F_OK) == 0;
    bool have_sec = access (sec_path, F_OK) == 0;
    bool created = false;
    if (have_pub && have_sec) {
        cert = zcert_load (pub_path);
        if (!cert || streq (zcert_secret_txt (cert), "0000000000000000000000000000000000000000")) {
            code = s_refuse (ctx, "cannot load the hub key pair %s and %s", pub_path, sec_path);
            goto cleanup;
        }
    }
    else
    if (have_pub || have_sec) {
        code = s_refuse (ctx, "%s holds half a key pair (%s missing): restore it, or use a new directory",
                         a->certs, have_pub ? sec_path : pub_path);
        goto cleanup;
    }
    else
    if (stored) {
        //  A new key would orphan every bundle issued so far.
        code = s_refuse (ctx, "the database already has hub key %s but %s holds no key pair: use the "
                              "certificates directory of the first init", stored, a->certs);
        goto cleanup;
    }
    else {
        cert = zcert_new ();
        if (!cert) {
            code = s_refuse (ctx, "cannot generate a key pair");
            goto cleanup;
        }
        zcert_set_meta (cert, "name", "%s", "cii-hub");
        //  The secret file is created with the process umask: make that owner-only, so it is
        //  never readable by others, not even for a moment.
        mode_t old_mask = umask (077);
        int saved = zcert_save (cert, pub_path);
        umask (old_mask);
        if (saved != 0) {
            code = s_refuse (ctx, "cannot write %s: %s", pub_path, strerror (errno));
            goto cleanup;
        }
        if (chmod (sec_path, 0600) != 0 || chmod (pub_path, 0644) != 0) {
            code = s_refuse (ctx, "cannot set the mode of %s: %s", sec_path, strerror (errno));
            goto cleanup;
        }
        created = true;
    }
    const char *public_key = zcert_public_txt (cert);
    if (stored && !streq (stored, public_key)) {
        code = s_refuse (ctx, "the database holds hub key %s, %s holds %s: use the matching certificates "
                              "directory", stored, a->certs, public_key);
        goto cleanup;
    }
    if (!stored && hub_store_setting_set (store, "hub_public_key", public_key) != 0) {
        code = s_refuse (ctx, "cannot store the hub key: %s", hub_store_error (store));
        goto cleanup;
    }
    zsys_info ("hub: init: schema version %d, hub key %s%s", version, public_key, created ? " (new)" : "");
    fprintf (ctx->out, "schema version %d\n", version);
    fprintf (ctx->out, "hub public key %s (%s %s)\n", public_key, created ? "created" : "in", pub_path);

cleanup:
    zcert_destroy (&cert);
    free (stored);
    zstr_free (&pub_path);
    zstr_free (&sec_path);
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  serve

static int
s_serve (s_ctx_t *ctx)
{
    s_args_t *a = &ctx->args;
    if (!a->certs || !*a->certs)
        return s_usage_error (ctx, "--certs DIR is required");
    return hub_server_run (a->db, a->certs, a->bind ? a->bind : "tcp://*:7300") == 0 ? S_EXIT_OK
                                                                                     : S_EXIT_REFUSED;
}

//  --------------------------------------------------------------------------------------------
//  enroll / revoke

//  Checks that network is a known network name; prints the refusal otherwise. 0 ok, else exit code.
static int
s_check_network (s_ctx_t *ctx, hub_store_t *store, const char *network)
{
    if (!cii_domain_network_name_valid (network))
        return s_refuse (ctx, "unknown network %s", network);
    int exists = hub_store_network_exists (store, network);
    if (exists < 0)
        return s_refuse (ctx, "%s", hub_store_error (store));
    if (exists == 0)
        return s_refuse (ctx, "unknown network %s", network);
    return 0;
}

//  Enrolled-at time of the active agent of network, in *ms (0 if none). 0 / -1.
static int
s_active_agent (hub_store_t *store, const char *network, int64_t *ms)
{
    *ms = 0;
    hub_agent_info_t *rows = NULL;
    int count = hub_store_agent_list (store, &rows);
    if (count < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (!rows[i].revoked && streq (rows[i].network, network))
            *ms = rows[i].enrolled_at_ms;
    free (rows);
    return 0;
}

static int
s_enroll (s_ctx_t *ctx)
{
    s_args_t *a = &ctx->args;
    const char *network = a->positional[0];
    if (!a->endpoint || !a->out_path)
        return s_usage_error (ctx, "--endpoint and --out are required");
    if (strncmp (a->endpoint, "tcp://", 6) != 0 || strlen (a->endpoint) >= sizeof ((cii_bundle_t *) 0)->endpoint
        || strpbrk (a->endpoint, " \t\r\n"))
        return s_usage_error (ctx, "--endpoint must look like tcp://HOST:PORT");
    if (access (a->out_path, F_OK) == 0)
        return s_refuse (ctx, "%s already exists: refusing to overwrite it", a->out_path);

    int code = S_EXIT_OK;
    bool in_tx = false;
    cii_bundle_t bundle;
    memset (&bundle, 0, sizeof bundle);
    char *hub_key = NULL;
    hub_canton_row_t *cantons = NULL;
    zcert_t *cert = NULL;
    hub_store_t *store = s_open (ctx, true, &code);
    if (!store)
        goto cleanup;
    if ((code = s_check_network (ctx, store, network)) != 0)
        goto cleanup;
    hub_key = hub_store_setting_get (store, "hub_public_key");
    if (!hub_key || strlen (hub_key) != 40) {
        code = s_refuse (ctx, "the hub has no key pair yet: run cii-hub init --certs DIR");
        goto cleanup;
    }
    int64_t since = 0;
    if (s_active_agent (store, network, &since) != 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    if (since) {
        char when[32];
        cii_util_iso8601 (since, when);
        code = s_refuse (ctx, "network %s already has an active agent (enrolled %s); revoke it first", network, when);
        goto cleanup;
    }
    snprintf (bundle.network, sizeof bundle.network, "%s", network);
    snprintf (bundle.endpoint, sizeof bundle.endpoint, "%s", a->endpoint);
    snprintf (bundle.hub_public, sizeof bundle.hub_public, "%s", hub_key);
    int count = hub_store_cantons (store, &cantons);
    if (count < 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    for (int i = 0; i < count; i++) {
        if (!streq (cantons[i].network, network))
            continue;
        size_t len = strlen (bundle.cantons);
        snprintf (bundle.cantons + len, sizeof bundle.cantons - len, "%s%s", len ? "," : "", cantons[i].code);
    }
    if (!*bundle.cantons) {
        code = s_refuse (ctx, "network %s has no cantons", network);
        goto cleanup;
    }
    cert = zcert_new ();
    if (!cert) {
        code = s_refuse (ctx, "cannot generate a key pair");
        goto cleanup;
    }
    snprintf (bundle.agent_public, sizeof bundle.agent_public, "%s", zcert_public_txt (cert));
    snprintf (bundle.agent_secret, sizeof bundle.agent_secret, "%s", zcert_secret_txt (cert));

    //  The agent row and the bundle file exist together or not at all.
    if (hub_store_begin (store) != 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    in_tx = true;
    int64_t id = hub_store_enroll (store, network, bundle.agent_public);
    if (id == -3) {
        code = s_refuse (ctx, "network %s already has an active agent; revoke it first", network);
        goto cleanup;
    }
    if (id == -2) {
        code = s_refuse (ctx, "unknown network %s", network);
        goto cleanup;
    }
    if (id < 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    if (cii_bundle_save (&bundle, a->out_path) != 0) {
        code = s_refuse (ctx, "cannot write %s: %s", a->out_path, errno ? strerror (errno) : "see the log");
        goto cleanup;
    }
    in_tx = false;
    if (hub_store_commit (store) != 0) {
        unlink (a->out_path);
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    zsys_info ("hub: network %s: agent %s enrolled, bundle %s", network, bundle.agent_public, a->out_path);
    if (a->json) {
        fputs ("{\"network\":", ctx->out);
        cii_util_json_string (ctx->out, network);
        fputs (",\"public_key\":", ctx->out);
        cii_util_json_string (ctx->out, bundle.agent_public);
        fputs (",\"bundle\":", ctx->out);
        cii_util_json_string (ctx->out, a->out_path);
        fputs ("}\n", ctx->out);
    }
    else
        fprintf (ctx->out, "agent %s enrolled for network %s\nbundle written to %s\n", bundle.agent_public,
                 network, a->out_path);

cleanup:
    if (in_tx)
        hub_store_rollback (store);
    memset (&bundle, 0, sizeof bundle);     //  the agent's secret key does not linger
    zcert_destroy (&cert);
    free (cantons);
    free (hub_key);
    hub_store_destroy (&store);
    return code;
}

static int
s_revoke (s_ctx_t *ctx)
{
    const char *network = ctx->args.positional[0];
    int code = S_EXIT_OK;
    hub_store_t *store = s_open (ctx, true, &code);
    if (!store)
        return code;
    if ((code = s_check_network (ctx, store, network)) == 0) {
        int rc = hub_store_revoke (store, network);
        if (rc == -2)
            code = s_refuse (ctx, "network %s has no active agent", network);
        else
        if (rc != 0)
            code = s_refuse (ctx, "%s", hub_store_error (store));
        else
            fprintf (ctx->out, "agent of network %s revoked\n", network);
    }
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  agents

static int
s_agents (s_ctx_t *ctx)
{
    int code = S_EXIT_OK;
    hub_store_t *store = s_open (ctx, true, &code);
    if (!store)
        return code;
    hub_agent_info_t *rows = NULL;
    int count = hub_store_agent_list (store, &rows);
    if (count < 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        hub_store_destroy (&store);
        return code;
    }
    FILE *out = ctx->out;
    if (ctx->args.json) {
        fputc ('[', out);
        for (int i = 0; i < count; i++) {
            hub_agent_info_t *r = &rows[i];
            fputs (i ? ",\n {\"network\":" : "{\"network\":", out);
            cii_util_json_string (out, r->network);
            fputs (",\"public_key\":", out);
            cii_util_json_string (out, r->public_key);
            fprintf (out, ",\"connected\":%s,\"revoked\":%s,\"enrolled_at\":", r->connected ? "true" : "false",
                     r->revoked ? "true" : "false");
            cii_util_json_time (out, r->enrolled_at_ms);
            fputs (",\"last_seen\":", out);
            cii_util_json_time (out, r->last_seen_ms);
            fprintf (out, ",\"last_seq\":%" PRId64 ",\"acked_seq\":%" PRId64 ",\"backlog\":%" PRId64 "}",
                     r->last_seq, r->acked_seq, r->last_seq - r->acked_seq);
        }
        fputs ("]\n", out);
    }
    else
    if (count == 0)
        fprintf (out, "no agents enrolled\n");
    else {
        int width = (int) strlen ("NETWORK");
        for (int i = 0; i < count; i++)
            if ((int) strlen (rows[i].network) > width)
                width = (int) strlen (rows[i].network);
        fprintf (out, "%-*s  %-9s  %-40s  %-24s  %-24s  %8s  %8s  %8s\n", width, "NETWORK", "STATE", "PUBLIC KEY",
                 "ENROLLED", "LAST SEEN", "LAST SEQ", "ACKED", "BACKLOG");
        for (int i = 0; i < count; i++) {
            hub_agent_info_t *r = &rows[i];
            char enrolled[32], seen[32];
            s_time (r->enrolled_at_ms, enrolled);
            s_time (r->last_seen_ms, seen);
            fprintf (out, "%-*s  %-9s  %-40s  %-24s  %-24s  %8" PRId64 "  %8" PRId64 "  %8" PRId64 "\n", width,
                     r->network, r->revoked ? "revoked" : r->connected ? "connected" : "offline", r->public_key,
                     enrolled, seen, r->last_seq, r->acked_seq, r->last_seq - r->acked_seq);
        }
    }
    free (rows);
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  signals

typedef struct {
    FILE *out;
    bool json;
    int rows;
} s_listing_t;

static int
s_signal_row (const hub_signal_row_t *r, void *arg)
{
    s_listing_t *l = (s_listing_t *) arg;
    FILE *out = l->out;
    char created[32], received[32];
    s_time (r->created_at_ms, created);
    s_time (r->received_at_ms, received);
    if (l->json) {
        fprintf (out, "%s{\"id\":%" PRId64 ",\"ref\":", l->rows ? ",\n " : "[", r->id);
        cii_util_json_string (out, r->ref);
        fputs (",\"network\":", out);
        cii_util_json_string (out, r->network);
        fputs (",\"canton\":", out);
        cii_util_json_string (out, r->canton);
        fputs (",\"title\":", out);
        cii_util_json_string (out, r->title);
        fputs (",\"description\":", out);
        cii_util_json_string (out, r->description);
        fputs (",\"institutions\":", out);
        cii_util_json_list (out, r->institutions);
        fputs (",\"target_groups\":", out);
        cii_util_json_list (out, r->target_groups);
        fputs (",\"national_reason\":", out);
        cii_util_json_string (out, r->national_reason);
        fputs (",\"language\":", out);
        cii_util_json_string (out, r->language);
        fputs (",\"created_at\":", out);
        cii_util_json_time (out, r->created_at_ms);
        fputs (",\"received_at\":", out);
        cii_util_json_time (out, r->received_at_ms);
        fputc ('}', out);
    }
    else {
        if (l->rows == 0)
            fprintf (out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", "REF", "NETWORK", "CANTON", "LANG", "RECEIVED",
                     "TITLE");
        //  The title goes last: UTF-8 text of any width does not break the alignment.
        fprintf (out, "%-12s  %-12s  %-6s  %-4s  %-24s  %s\n", r->ref, r->network, r->canton, r->language, received,
                 r->title);
    }
    l->rows++;
    return 0;
}

static int
s_signals (s_ctx_t *ctx)
{
    int code = S_EXIT_OK;
    hub_store_t *store = s_open (ctx, true, &code);
    if (!store)
        return code;
    const char *network = ctx->args.network;
    if (network && (code = s_check_network (ctx, store, network)) != 0) {
        hub_store_destroy (&store);
        return code;
    }
    s_listing_t listing = { ctx->out, ctx->args.json, 0 };
    int rc = hub_store_signals (store, network, s_signal_row, &listing);
    //  The rows open the array ("[" before the first); on a failure stdout gets nothing more.
    if (listing.json && rc >= 0)
        fputs (listing.rows ? "]\n" : "[]\n", ctx->out);
    else
    if (rc == 0)
        fprintf (ctx->out, "no signals\n");
    if (rc < 0)
        code = s_refuse (ctx, "%s", hub_store_error (store));
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  notice / notices

static int
s_notice (s_ctx_t *ctx)
{
    s_args_t *a = &ctx->args;
    if (!a->to || !a->title)
        return s_usage_error (ctx, "--to and --title are required");
    if ((a->text != NULL) == (a->text_file != NULL))
        return s_usage_error (ctx, "give exactly one of --text and --text-file");

    int code = S_EXIT_OK;
    char *file_text = NULL;
    char *to = NULL;
    const char *networks[CII_MAX_NETWORKS];
    size_t count = 0;
    hub_store_t *store = NULL;
    const char *text = a->text;
    if (a->text_file) {
        size_t size = 0;
        file_text = cii_util_read_file (a->text_file, &size);
        if (!file_text) {
            code = s_refuse (ctx, "cannot read %s: %s", a->text_file, strerror (errno));
            goto cleanup;
        }
        if (strlen (file_text) != size) {
            code = s_refuse (ctx, "%s holds a NUL byte", a->text_file);
            goto cleanup;
        }
        text = file_text;
    }
    size_t title_size = strlen (a->title), text_size = strlen (text);
    if (title_size == 0 || title_size > CII_MAX_TITLE || !cii_domain_utf8_valid (a->title, title_size)) {
        code = s_refuse (ctx, "the title must be 1..%d bytes of UTF-8 text (got %zu bytes)", CII_MAX_TITLE, title_size);
        goto cleanup;
    }
    if (text_size == 0 || text_size > CII_MAX_TEXT || !cii_domain_utf8_valid (text, text_size)) {
        code = s_refuse (ctx, "the text must be 1..%d bytes of UTF-8 text (got %zu bytes)", CII_MAX_TEXT, text_size);
        goto cleanup;
    }
    store = s_open (ctx, true, &code);
    if (!store)
        goto cleanup;
    if (!streq (a->to, "all")) {
        to = strdup (a->to);
        if (!to) {
            code = s_refuse (ctx, "out of memory");
            goto cleanup;
        }
        char *save = NULL;
        for (char *name = strtok_r (to, ",", &save); name; name = strtok_r (NULL, ",", &save)) {
            if ((code = s_check_network (ctx, store, name)) != 0)
                goto cleanup;
            bool seen = false;
            for (size_t i = 0; i < count; i++)
                seen = seen || streq (networks[i], name);
            if (seen)
                continue;
            if (count == CII_MAX_NETWORKS) {
                code = s_refuse (ctx, "at most %d networks per notice", CII_MAX_NETWORKS);
                goto cleanup;
            }
            networks[count++] = name;
        }
        if (count == 0) {
            code = s_usage_error (ctx, "--to needs 'all' or network names");
            goto cleanup;
        }
    }
    int64_t id = hub_store_notice (store, a->title, text, networks, count);
    if (id < 0) {
        code = s_refuse (ctx, "%s", hub_store_error (store));
        goto cleanup;
    }
    int64_t recipients = hub_store_notice_recipients (store, id);
    if (recipients < 0) {
        code = s_refuse (ctx, "notice %" PRId64 " queued, but counting recipients failed: %s", id,
                         hub_store_error (store));
        goto cleanup;
    }
    if (a->json)
        fprintf (ctx->out, "{\"id\":%" PRId64 ",\"recipients\":%" PRId64 "}\n", id, recipients);
    else
        fprintf (ctx->out, "notice %" PRId64 " queued for %" PRId64 " agent%s\n", id, recipients,
                 recipients == 1 ? "" : "s");

cleanup:
    free (to);
    free (file_text);
    hub_store_destroy (&store);
    return code;
}

static int
s_notice_row (const hub_notice_row_t *r, void *arg)
{
    s_listing_t *l = (s_listing_t *) arg;
    FILE *out = l->out;
    if (l->json) {
        fprintf (out, "%s{\"id\":%" PRId64 ",\"title\":", l->rows ? ",\n " : "[", r->id);
        cii_util_json_string (out, r->title);
        fputs (",\"text\":", out);
        cii_util_json_string (out, r->text);
        fputs (",\"networks\":", out);
        cii_util_json_list (out, r->networks);
        fputs (",\"issued_at\":", out);
        cii_util_json_time (out, r->issued_at_ms);
        fprintf (out, ",\"recipients\":%" PRId64 ",\"acked\":%" PRId64 "}", r->recipients, r->acked);
    }
    else {
        char issued[32];
        s_time (r->issued_at_ms, issued);
        if (l->rows == 0)
            fprintf (out, "%6s  %-24s  %-24s  %10s  %6s  %s\n", "ID", "ISSUED", "TO", "RECIPIENTS", "ACKED", "TITLE");
        fprintf (out, "%6" PRId64 "  %-24s  %-24s  %10" PRId64 "  %6" PRId64 "  %s\n", r->id, issued,
                 *r->networks ? r->networks : "all", r->recipients, r->acked, r->title);
    }
    l->rows++;
    return 0;
}

static int
s_notices (s_ctx_t *ctx)
{
    int code = S_EXIT_OK;
    hub_store_t *store = s_open (ctx, true, &code);
    if (!store)
        return code;
    s_listing_t listing = { ctx->out, ctx->args.json, 0 };
    int rc = hub_store_notices (store, s_notice_row, &listing);
    //  The rows open the array ("[" before the first); on a failure stdout gets nothing more.
    if (listing.json && rc >= 0)
        fputs (listing.rows ? "]\n" : "[]\n", ctx->out);
    else
    if (rc == 0)
        fprintf (ctx->out, "no notices\n");
    if (rc < 0)
        code = s_refuse (ctx, "%s", hub_store_error (store));
    hub_store_destroy (&store);
    return code;
}

//  --------------------------------------------------------------------------------------------
//  Dispatch

int
hub_cli_run (int argc, char **argv, FILE *out, FILE *err)
{
    s_ctx_t ctx;
    memset (&ctx, 0, sizeof ctx);
    ctx.out = out;
    ctx.err = err;
    const char *slash = argc > 0 && argv[0] ? strrchr (argv[0], '/') : NULL;
    ctx.program = slash ? slash + 1 : argc > 0 && argv[0] ? argv[0] : "cii-hub";

    //  Global options come before the verb.
    const char *db = NULL;
    bool verbose = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (streq (argv[i], "--help") || streq (argv[i], "-h")) {
            s_print_usage (out, ctx.program);
            return S_EXIT_OK;
        }
        if (streq (argv[i], "--version")) {
            fprintf (out, "cii-hub 0.1.0 (schema %d, protocol %d)\n", hub_store_binary_schema_version (),
                     CII_PROTOCOL_VERSION);
            return S_EXIT_OK;
        }
        if (streq (argv[i], "--verbose") || streq (argv[i], "-v"))
            verbose = true;
        else
        if (strncmp (argv[i], "--db=", 5) == 0)
            db = argv[i] + 5;
        else
        if (streq (argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else
        if (streq (argv[i], "--db")) {
            fprintf (err, "%s: --db needs a value (a libpq connection string)\n", ctx.program);
            return S_EXIT_USAGE;
        }
        else {
            fprintf (err, "%s: unknown option %s\n", ctx.program, argv[i]);
            s_print_usage (err, ctx.program);
            return S_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fprintf (err, "%s: missing command\n", ctx.program);
        s_print_usage (err, ctx.program);
        return S_EXIT_USAGE;
    }
    for (size_t v = 0; v < S_VERB_COUNT; v++)
        if (streq (argv[i], s_verbs[v].name))
            ctx.verb = &s_verbs[v];
    if (!ctx.verb) {
        fprintf (err, "%s: unknown command %s\n", ctx.program, argv[i]);
        s_print_usage (err, ctx.program);
        return S_EXIT_USAGE;
    }
    int rc = s_parse (&ctx, argc - i, argv + i);
    if (rc == S_HELP_SHOWN)
        return S_EXIT_OK;
    if (rc != 0)
        return rc;
    if (!ctx.args.db)
        ctx.args.db = db;
    //  The one-shot verbs answer with their own one line; the log would only repeat it (and on
    //  stdout, czmq's default, it would spoil --json). `serve` keeps czmq's logging.
    if (ctx.verb->handler != s_serve)
        zsys_set_logstream (verbose ? err : NULL);
    else {
        zsys_set_logident ("cii-hub");
        zsys_set_logstream (err);     //  the service log: stderr (journald under systemd)
    }
    rc = ctx.verb->handler (&ctx);
    fflush (out);
    return rc;
}

int
hub_cli_main (int argc, char **argv)
{
    return hub_cli_run (argc, argv, stdout, stderr);
}
