/*  agent_cli.c — the cii-agent command line: a verb table {name, handler, usage} in PgBouncer
    admin.c style with nested verbs, option parsing, and the verbs init, run, signal add,
    signal import, signals, notices and status (JSON output with --json on every listing). */
#include "agent_cli.h"

#include <ctype.h>
#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_daemon.h"
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

//  Prints a comma list as a JSON array of strings.
static void
s_json_list (FILE *out, const char *list)
{
    fputc ('[', out);
    const char *p = list ? list : "";
    bool first = true;
    while (*p) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char item[128];
        snprintf (item, sizeof item, "%.*s", (int) len, p);
        if (!first)
            fputc (',', out);
        cii_util_json_string (out, item);
        first = false;
        p += len;
        if (*p == ',')
            p++;
    }
    fputc (']', out);
}

static void
s_json_time (FILE *out, int64_t ms)
{
    if (ms <= 0) {
        fputs ("null", out);
        return;
    }
    char iso[32];
    cii_util_iso8601 (ms, iso);
    cii_util_json_string (out, iso);
}

//  Accepts Unix milliseconds or "YYYY-MM-DD[(T| )HH:MM[:SS[.mmm]]][Z]" (UTC). 0 / -1.
static int
s_parse_time (const char *s, int64_t *ms_p)
{
    size_t len = strlen (s);
    if (len > 0 && len <= 15 && strspn (s, "0123456789") == len) {
        *ms_p = strtoll (s, NULL, 10);
        return *ms_p > 0 ? 0 : -1;
    }
    int f[6] = {0, 0, 0, 0, 0, 0};      //  year month day hour minute second
    int millis = 0;
    const char *p = s;
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
    int i;
    for (i = 0; i < 6; i++) {
        for (int d = 0; d < widths[i]; d++, p++) {
            if (!isdigit ((unsigned char) *p))
                return -1;
            f[i] = f[i] * 10 + (*p - '0');
        }
        if (*p == 0 || *p == 'Z')
            break;
        if (*p != seps[i] && !(i == 2 && *p == ' '))
            return -1;
        p++;
        if (i == 5)
            break;
    }
    if (i < 2 || i == 3)          //  a date at least; never an hour without minutes
        return -1;
    if (i == 5 && p[-1] == '.') {
        for (int d = 0; d < 3; d++, p++) {
            if (!isdigit ((unsigned char) *p))
                return -1;
            millis = millis * 10 + (*p - '0');
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != 0)
        return -1;
    struct tm tm = {0};
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    time_t t = timegm (&tm);
    struct tm check;
    if (t == (time_t) -1 || !gmtime_r (&t, &check) || check.tm_year != f[0] - 1900
        || check.tm_mon != f[1] - 1 || check.tm_mday != f[2] || check.tm_hour != f[3]
        || check.tm_min != f[4] || check.tm_sec != f[5] || t <= 0)
        return -1;
    *ms_p = (int64_t) t * 1000 + millis;
    return 0;
}

//  --- building a signal from user input (signal add, signal import) --------------------------

typedef struct {
    char canton[3];
    char lang[3];
    Cii__Institution institutions[8];
    size_t n_institutions;
    Cii__TargetGroup groups[8];
    size_t n_groups;
    Cii__Signal signal;
} s_signal_input_t;

static char s_empty[] = "";

//  Names of all values of an enum, "a, b, c", into buf.
static void
s_valid_names (const char *(*name_of) (int), char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int v = 1; name_of (v) && len < size; v++)
        len += (size_t) snprintf (buf + len, size - len, "%s%s", v > 1 ? ", " : "", name_of (v));
}

//  Each check writes a one-line reason and returns -1 on refusal.
static int
s_input_canton (s_signal_input_t *in, agent_store_t *store, const cii_bundle_t *config,
                const char *canton, char *reason, size_t n)
{
    size_t len = strlen (canton);
    if (len != 2) {
        snprintf (reason, n, "unknown canton %.16s", canton);
        return -1;
    }
    in->canton[0] = (char) toupper ((unsigned char) canton[0]);
    in->canton[1] = (char) toupper ((unsigned char) canton[1]);
    in->canton[2] = 0;
    if (!cii_domain_canton_valid (in->canton)) {
        snprintf (reason, n, "unknown canton %s", in->canton);
        return -1;
    }
    int member = agent_store_canton_in_network (store, in->canton);
    if (member < 0) {
        snprintf (reason, n, "cannot read the state database");
        return -1;
    }
    if (member == 0) {
        char list[128];
        s_pretty_list (config->cantons, list, sizeof list);
        snprintf (reason, n, "canton %s is not in network %s (%s)", in->canton, config->network,
                  list);
        return -1;
    }
    return 0;
}

static int
s_input_institution (s_signal_input_t *in, const char *name, char *reason, size_t n)
{
    Cii__Institution value = cii_domain_institution_from_name (name);
    if (value == CII__INSTITUTION__INSTITUTION_UNSPECIFIED) {
        char names[256];
        s_valid_names (cii_domain_institution_name, names, sizeof names);
        snprintf (reason, n, "unknown institution '%.40s' (valid: %s)", name, names);
        return -1;
    }
    for (size_t i = 0; i < in->n_institutions; i++)
        if (in->institutions[i] == value) {
            snprintf (reason, n, "institution %s given twice", name);
            return -1;
        }
    if (in->n_institutions == 8) {
        snprintf (reason, n, "too many institutions");
        return -1;
    }
    in->institutions[in->n_institutions++] = value;
    return 0;
}

static int
s_input_group (s_signal_input_t *in, const char *name, char *reason, size_t n)
{
    Cii__TargetGroup value = cii_domain_target_group_from_name (name);
    if (value == CII__TARGET_GROUP__TARGET_GROUP_UNSPECIFIED) {
        char names[256];
        s_valid_names (cii_domain_target_group_name, names, sizeof names);
        snprintf (reason, n, "unknown target group '%.40s' (valid: %s)", name, names);
        return -1;
    }
    for (size_t i = 0; i < in->n_groups; i++)
        if (in->groups[i] == value) {
            snprintf (reason, n, "target group %s given twice", name);
            return -1;
        }
    if (in->n_groups == 8) {
        snprintf (reason, n, "too many target groups");
        return -1;
    }
    in->groups[in->n_groups++] = value;
    return 0;
}

//  Adds each name of a comma list with add().
static int
s_input_list (s_signal_input_t *in, const char *list,
              int (*add) (s_signal_input_t *, const char *, char *, size_t), char *reason, size_t n)
{
    const char *p = list;
    while (*p) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char name[64];
        snprintf (name, sizeof name, "%.*s", (int) len, p);
        //  Tolerate spaces after commas: "social-aid, health"
        char *start = name;
        while (*start == ' ')
            start++;
        char *stop = start + strlen (start);
        while (stop > start && stop[-1] == ' ')
            *--stop = 0;
        if (*start && add (in, start, reason, n))
            return -1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

//  Language: given, else the canton's first official language.
static int
s_input_lang (s_signal_input_t *in, const char *lang, char *reason, size_t n)
{
    if (!lang || !*lang) {
        const char *langs = cii_domain_canton_languages (in->canton);
        snprintf (in->lang, sizeof in->lang, "%.2s", langs ? langs : "fr");
        return 0;
    }
    if (!cii_domain_language_valid (lang)) {
        snprintf (reason, n, "unknown language '%.16s' (valid: fr, de, it, rm)", lang);
        return -1;
    }
    snprintf (in->lang, sizeof in->lang, "%s", lang);
    return 0;
}

//  Fills in->signal from the checked parts; strings are borrowed.
static void
s_input_finish (s_signal_input_t *in, char *title, char *body, char *reason_text, int64_t created)
{
    Cii__Signal init = CII__SIGNAL__INIT;
    in->signal = init;
    in->signal.canton = in->canton;
    in->signal.title = title;
    in->signal.description = body;
    in->signal.national_reason = reason_text ? reason_text : s_empty;
    in->signal.language = in->lang;
    in->signal.institutions = in->institutions;
    in->signal.n_institutions = in->n_institutions;
    in->signal.target_groups = in->groups;
    in->signal.n_target_groups = in->n_groups;
    in->signal.created_at_ms = created > 0 ? created : cii_util_now_ms ();
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
        s_json_list (ctx->out, bundle.cantons);
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
    if (created && s_parse_time (created, &created_ms) != 0)
        return s_usage_error (ctx, "--created-at '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]]Z)",
                              created);
    const char *dir = s_state_dir (ctx);
    if (!dir)
        return 2;

    int rc = 1;
    char *file_text = NULL;
    char reason[512] = "";
    cii_bundle_t config;
    s_signal_input_t in;
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
        || s_input_list (&in, institutions, s_input_institution, reason, sizeof reason)
        || s_input_list (&in, s_opt (ctx, "target-groups") ? s_opt (ctx, "target-groups") : "",
                         s_input_group, reason, sizeof reason)
        || s_input_lang (&in, s_opt (ctx, "lang"), reason, sizeof reason)) {
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
    s_input_finish (&in, (char *) title, file_text ? file_text : (char *) body,
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

//  --- a small strict JSON reader for `signal import` ---------------------------------------------

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } s_jtype_t;

typedef struct _s_json_t s_json_t;
struct _s_json_t {
    s_jtype_t type;
    bool boolean;
    int64_t number;          //  integers only
    char *string;            //  J_STRING: decoded, NUL-terminated UTF-8
    size_t size;             //  J_STRING: bytes
    s_json_t **items;        //  J_ARRAY and J_OBJECT values
    char **keys;             //  J_OBJECT keys
    size_t count;
};

typedef struct {
    const char *p;
    const char *end;
    const char *start;
    char error[128];
    int depth;
} s_jparser_t;

static void
s_json_destroy (s_json_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_json_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        s_json_destroy (&self->items[i]);
        if (self->keys)
            free (self->keys[i]);
    }
    free (self->items);
    free (self->keys);
    free (self->string);
    free (self);
    *self_p = NULL;
}

static s_json_t *
s_jfail (s_jparser_t *jp, const char *what)
{
    if (!jp->error[0])
        snprintf (jp->error, sizeof jp->error, "%s at byte %zu", what, (size_t) (jp->p - jp->start));
    return NULL;
}

static void
s_jspace (s_jparser_t *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

static int
s_jhex4 (s_jparser_t *jp, unsigned *value)
{
    if (jp->end - jp->p < 4)
        return -1;
    *value = 0;
    for (int i = 0; i < 4; i++) {
        char c = *jp->p++;
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned) (c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned) (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned) (c - 'A' + 10);
        else
            return -1;
        *value = *value * 16 + d;
    }
    return 0;
}

//  Parses a string literal (jp->p on the opening quote) into a new buffer.
static char *
s_jstring (s_jparser_t *jp, size_t *size_p)
{
    jp->p++;
    size_t cap = 64, len = 0;
    char *buf = malloc (cap);
    if (!buf)
        return (char *) s_jfail (jp, "out of memory");
    while (true) {
        if (jp->p >= jp->end) {
            free (buf);
            return (char *) s_jfail (jp, "unterminated string");
        }
        if (cap - len < 5) {
            char *bigger = realloc (buf, cap * 2);
            if (!bigger) {
                free (buf);
                return (char *) s_jfail (jp, "out of memory");
            }
            buf = bigger;
            cap *= 2;
        }
        unsigned char c = (unsigned char) *jp->p;
        if (c == '"') {
            jp->p++;
            break;
        }
        if (c < 0x20) {
            free (buf);
            return (char *) s_jfail (jp, "control character in string");
        }
        if (c != '\\') {
            buf[len++] = (char) c;
            jp->p++;
            continue;
        }
        jp->p++;
        if (jp->p >= jp->end) {
            free (buf);
            return (char *) s_jfail (jp, "unterminated string");
        }
        char e = *jp->p++;
        unsigned cp = 0;
        switch (e) {
            case '"': buf[len++] = '"'; continue;
            case '\\': buf[len++] = '\\'; continue;
            case '/': buf[len++] = '/'; continue;
            case 'b': buf[len++] = '\b'; continue;
            case 'f': buf[len++] = '\f'; continue;
            case 'n': buf[len++] = '\n'; continue;
            case 'r': buf[len++] = '\r'; continue;
            case 't': buf[len++] = '\t'; continue;
            case 'u':
                if (s_jhex4 (jp, &cp))
                    break;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low;
                    if (jp->end - jp->p < 6 || jp->p[0] != '\\' || jp->p[1] != 'u')
                        break;
                    jp->p += 2;
                    if (s_jhex4 (jp, &low) || low < 0xDC00 || low > 0xDFFF)
                        break;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                else if (cp >= 0xDC00 && cp <= 0xDFFF)
                    break;
                if (cp < 0x80)
                    buf[len++] = (char) cp;
                else if (cp < 0x800) {
                    buf[len++] = (char) (0xC0 | (cp >> 6));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                else if (cp < 0x10000) {
                    buf[len++] = (char) (0xE0 | (cp >> 12));
                    buf[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                else {
                    buf[len++] = (char) (0xF0 | (cp >> 18));
                    buf[len++] = (char) (0x80 | ((cp >> 12) & 0x3F));
                    buf[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                continue;
            default:
                break;
        }
        free (buf);
        return (char *) s_jfail (jp, "bad escape in string");
    }
    buf[len] = 0;
    //  Text is stored untouched, so it must be valid UTF-8 without NUL or odd controls
    if (!cii_domain_utf8_valid (buf, len)) {
        free (buf);
        return (char *) s_jfail (jp, "string is not valid UTF-8 text");
    }
    *size_p = len;
    return buf;
}

static s_json_t *s_jvalue (s_jparser_t *jp);

//  Appends value (and key, owned) to a container. 0 / -1.
static int
s_jappend (s_json_t *container, s_json_t *value, char *key)
{
    s_json_t **items = realloc (container->items, (container->count + 1) * sizeof *items);
    if (!items)
        return -1;
    container->items = items;
    if (container->type == J_OBJECT) {
        char **keys = realloc (container->keys, (container->count + 1) * sizeof *keys);
        if (!keys)
            return -1;
        container->keys = keys;
        keys[container->count] = key;
    }
    items[container->count++] = value;
    return 0;
}

static s_json_t *
s_jcontainer (s_jparser_t *jp, s_json_t *self)
{
    char close = self->type == J_ARRAY ? ']' : '}';
    jp->p++;
    if (++jp->depth > 16)
        return s_jfail (jp, "nested too deeply");
    s_jspace (jp);
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return self;
    }
    while (true) {
        char *key = NULL;
        if (self->type == J_OBJECT) {
            s_jspace (jp);
            size_t klen;
            if (jp->p >= jp->end || *jp->p != '"')
                return s_jfail (jp, "expected a key");
            key = s_jstring (jp, &klen);
            if (!key)
                return NULL;
            for (size_t i = 0; i < self->count; i++)
                if (streq (self->keys[i], key)) {
                    free (key);
                    return s_jfail (jp, "duplicate key");
                }
            s_jspace (jp);
            if (jp->p >= jp->end || *jp->p != ':') {
                free (key);
                return s_jfail (jp, "expected ':'");
            }
            jp->p++;
        }
        s_json_t *value = s_jvalue (jp);
        if (!value || s_jappend (self, value, key)) {
            free (key);
            s_json_destroy (&value);
            return s_jfail (jp, "out of memory");
        }
        s_jspace (jp);
        if (jp->p < jp->end && *jp->p == ',') {
            jp->p++;
            continue;
        }
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
            jp->depth--;
            return self;
        }
        return s_jfail (jp, self->type == J_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

static s_json_t *
s_jvalue (s_jparser_t *jp)
{
    s_jspace (jp);
    if (jp->p >= jp->end)
        return s_jfail (jp, "unexpected end");
    s_json_t *self = calloc (1, sizeof *self);
    if (!self)
        return s_jfail (jp, "out of memory");
    char c = *jp->p;
    size_t left = (size_t) (jp->end - jp->p);
    if (c == '{' || c == '[') {
        self->type = c == '{' ? J_OBJECT : J_ARRAY;
        if (!s_jcontainer (jp, self))
            s_json_destroy (&self);
    }
    else if (c == '"') {
        self->type = J_STRING;
        self->string = s_jstring (jp, &self->size);
        if (!self->string)
            s_json_destroy (&self);
    }
    else if (left >= 4 && strncmp (jp->p, "null", 4) == 0) {
        self->type = J_NULL;
        jp->p += 4;
    }
    else if (left >= 4 && strncmp (jp->p, "true", 4) == 0) {
        self->type = J_BOOL;
        self->boolean = true;
        jp->p += 4;
    }
    else if (left >= 5 && strncmp (jp->p, "false", 5) == 0) {
        self->type = J_BOOL;
        jp->p += 5;
    }
    else if (c == '-' || isdigit ((unsigned char) c)) {
        self->type = J_NUMBER;
        const char *q = jp->p + (c == '-');
        const char *digits = q;
        while (q < jp->end && isdigit ((unsigned char) *q))
            q++;
        size_t count = (size_t) (q - digits);
        if (count == 0 || count > 15 || (q < jp->end && (*q == '.' || *q == 'e' || *q == 'E'))) {
            s_json_destroy (&self);
            return s_jfail (jp, "only whole numbers of up to 15 digits are accepted");
        }
        int64_t value = 0;
        for (const char *d = digits; d < q; d++)
            value = value * 10 + (*d - '0');
        self->number = c == '-' ? -value : value;
        jp->p = q;
    }
    else {
        s_json_destroy (&self);
        return s_jfail (jp, "unexpected character");
    }
    if (!self)
        return s_jfail (jp, "invalid value");
    return self;
}

static s_json_t *
s_json_parse (const char *text, size_t size, char *error, size_t n)
{
    s_jparser_t jp = {text, text + size, text, "", 0};
    s_json_t *root = s_jvalue (&jp);
    if (root) {
        s_jspace (&jp);
        if (jp.p != jp.end) {
            s_json_destroy (&root);
            s_jfail (&jp, "trailing data");
        }
    }
    if (!root)
        snprintf (error, n, "%s", jp.error[0] ? jp.error : "invalid JSON");
    return root;
}

static const s_json_t *
s_jget (const s_json_t *object, const char *key)
{
    for (size_t i = 0; i < object->count; i++)
        if (streq (object->keys[i], key))
            return object->items[i];
    return NULL;
}

//  One import entry -> checked input. 0, or -1 with reason.
static int
s_import_entry (const s_json_t *obj, s_signal_input_t *in, agent_store_t *store,
                const cii_bundle_t *config, char *reason, size_t n)
{
    static const char *known[] = {"canton", "title", "body", "institutions", "target_groups",
                                  "reason", "lang", "created_at", NULL};
    if (obj->type != J_OBJECT) {
        snprintf (reason, n, "not an object");
        return -1;
    }
    for (size_t i = 0; i < obj->count; i++) {
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || streq (obj->keys[i], known[k]);
        if (!ok) {
            snprintf (reason, n, "unknown field \"%.40s\"", obj->keys[i]);
            return -1;
        }
    }
    const s_json_t *canton = s_jget (obj, "canton");
    const s_json_t *title = s_jget (obj, "title");
    const s_json_t *body = s_jget (obj, "body");
    const s_json_t *inst = s_jget (obj, "institutions");
    const s_json_t *groups = s_jget (obj, "target_groups");
    const s_json_t *why = s_jget (obj, "reason");
    const s_json_t *lang = s_jget (obj, "lang");
    const s_json_t *created = s_jget (obj, "created_at");
    if (!canton || canton->type != J_STRING) {
        snprintf (reason, n, "\"canton\" must be a string");
        return -1;
    }
    if (s_input_canton (in, store, config, canton->string, reason, n))
        return -1;
    if (!title || title->type != J_STRING || !body || body->type != J_STRING) {
        snprintf (reason, n, "\"title\" and \"body\" must be strings");
        return -1;
    }
    if (!inst || inst->type != J_ARRAY) {
        snprintf (reason, n, "\"institutions\" must be an array of names");
        return -1;
    }
    for (size_t i = 0; i < inst->count; i++) {
        if (inst->items[i]->type != J_STRING) {
            snprintf (reason, n, "\"institutions\" must be an array of names");
            return -1;
        }
        if (s_input_institution (in, inst->items[i]->string, reason, n))
            return -1;
    }
    if (groups && groups->type != J_NULL) {
        if (groups->type != J_ARRAY) {
            snprintf (reason, n, "\"target_groups\" must be an array of names");
            return -1;
        }
        for (size_t i = 0; i < groups->count; i++) {
            if (groups->items[i]->type != J_STRING) {
                snprintf (reason, n, "\"target_groups\" must be an array of names");
                return -1;
            }
            if (s_input_group (in, groups->items[i]->string, reason, n))
                return -1;
        }
    }
    if (why && why->type != J_STRING && why->type != J_NULL) {
        snprintf (reason, n, "\"reason\" must be a string");
        return -1;
    }
    if (lang && lang->type != J_STRING && lang->type != J_NULL) {
        snprintf (reason, n, "\"lang\" must be a string");
        return -1;
    }
    if (s_input_lang (in, lang && lang->type == J_STRING ? lang->string : NULL, reason, n))
        return -1;
    int64_t created_ms = 0;
    if (created && created->type == J_NUMBER && created->number > 0)
        created_ms = created->number;
    else if (created && created->type == J_STRING) {
        if (s_parse_time (created->string, &created_ms)) {
            snprintf (reason, n, "\"created_at\" is not a date");
            return -1;
        }
    }
    else if (created && created->type != J_NULL) {
        snprintf (reason, n, "\"created_at\" must be a date string or Unix milliseconds");
        return -1;
    }
    s_input_finish (in, title->string, body->string,
                    why && why->type == J_STRING ? why->string : NULL, created_ms);
    return 0;
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
    char reason[512] = "";
    size_t size = 0;
    s_json_t *root = NULL;
    s_signal_input_t *inputs = NULL;
    const Cii__Signal **signals = NULL;
    int64_t *ids = NULL;
    char (*mids)[65] = NULL;
    agent_store_t *store = NULL;
    char *text = cii_util_read_file (path, &size);
    if (!text) {
        s_refuse (ctx, "cannot read %s: %s", path, strerror (errno));
        goto cleanup;
    }
    root = s_json_parse (text, size, reason, sizeof reason);
    if (!root) {
        s_refuse (ctx, "%s: %s", path, reason);
        goto cleanup;
    }
    if (root->type != J_ARRAY) {
        s_refuse (ctx, "%s: expected a JSON array of signals", path);
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
    size_t count = root->count;
    inputs = calloc (count + 1, sizeof *inputs);
    signals = calloc (count + 1, sizeof *signals);
    ids = calloc (count + 1, sizeof *ids);
    mids = calloc (count + 1, sizeof *mids);
    if (!inputs || !signals || !ids || !mids) {
        s_refuse (ctx, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        if (s_import_entry (root->items[i], &inputs[i], store, &config, reason, sizeof reason)) {
            s_refuse (ctx, "%s: signal %zu: %s (nothing imported)", path, i + 1, reason);
            goto cleanup;
        }
        signals[i] = &inputs[i].signal;
    }
    size_t failed = 0;
    cii_codec_error_t err;
    memset (&err, 0, sizeof err);
    int src = agent_store_add_signals (store, signals, count, ids, mids, &failed, &err);
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
            cii_util_json_string (ctx->out, inputs[i].canton);
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
    free (signals);
    free (inputs);
    s_json_destroy (&root);
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
        s_json_list (out, row->institutions);
        fputs (",\"target_groups\":", out);
        s_json_list (out, row->target_groups);
        fputs (",\"created_at\":", out);
        s_json_time (out, row->created_at_ms);
        fprintf (out, ",\"delivered\":%s,\"hub_ref\":", row->delivered_at_ms > 0 ? "true" : "false");
        cii_util_json_string (out, row->delivered_at_ms > 0 ? row->hub_ref : NULL);
        fputs (",\"hub_received_at\":", out);
        s_json_time (out, row->delivered_at_ms > 0 ? row->hub_received_at_ms : 0);
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
        s_json_list (out, row->networks);
        fputs (",\"issued_at\":", out);
        s_json_time (out, row->issued_at_ms);
        fputs (",\"received_at\":", out);
        s_json_time (out, row->received_at_ms);
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
    FILE *out = ctx->out;
    if (s_flag (ctx, "json")) {
        fputs ("{\"network\":", out);
        cii_util_json_string (out, config.network);
        fputs (",\"cantons\":", out);
        s_json_list (out, config.cantons);
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
            s_json_time (out, daemon.time_ms);
            fputc ('}', out);
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
