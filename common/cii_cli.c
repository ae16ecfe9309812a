/*  cii_cli.c — the table-driven command line of cii-hub and cii-agent (see cii_cli.h): one pass
    over argv that names the verb (nested groups included), collects long options and positional
    arguments, generates --help from the tables at every level, and writes the one-line refusals
    and the two-part usage errors. Everything lives in one cii_cli_t per run: no global state. */
#include "cii_cli.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_RUN       (-1)        //  internal: the parse succeeded, run the verb
#define S_WRAP      80          //  usage lines are wrapped before this column

//  One option value as given, in command-line order.
typedef struct {
    const char *name;           //  borrowed from the option table
    const char *value;          //  borrowed from argv; "" for a flag
    bool after;                 //  given after the (runnable) verb was named
} s_value_t;

struct _cii_cli_t {
    const cii_cli_program_t *program;
    FILE *out;
    FILE *err;
    void *app;
    const cii_cli_verb_t **path;    //  verbs named so far, outermost first (at most argc)
    int depth;
    char *verb_name;                //  "signal add"; "" before a verb is named
    s_value_t *values;              //  at most argc
    int nvalues;
    const char **args;              //  at most argc
    int nargs;
};

//  --------------------------------------------------------------------------------------------
//  Small helpers

static bool
s_streq (const char *a, const char *b)
{
    return strcmp (a, b) == 0;
}

//  A new formatted string (caller frees), or NULL when out of memory.
static char *
s_vformat (const char *format, va_list args)
{
    va_list copy;
    va_copy (copy, args);
    int len = vsnprintf (NULL, 0, format, copy);
    va_end (copy);
    if (len < 0)
        return NULL;
    char *text = malloc ((size_t) len + 1);
    if (text)
        vsnprintf (text, (size_t) len + 1, format, args);
    return text;
}

static char *
s_format (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static char *
s_format (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = s_vformat (format, args);
    va_end (args);
    return text;
}

//  Newlines, tabs and every other control character (user input often ends up in a reason:
//  no vertical tab, no terminal escape) become spaces; trailing spaces go. UTF-8 is untouched.
static void
s_one_line (char *text)
{
    for (char *p = text; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = ' ';
    size_t len = strlen (text);
    while (len > 0 && text [len - 1] == ' ')
        text [--len] = '\0';
}

//  The innermost verb named so far, or NULL.
static const cii_cli_verb_t *
s_current (cii_cli_t *self)
{
    return self->depth > 0 ? self->path [self->depth - 1] : NULL;
}

//  True once a verb that runs (not a group) is named.
static bool
s_resolved (cii_cli_t *self)
{
    const cii_cli_verb_t *verb = s_current (self);
    return verb && verb->run;
}

static const cii_cli_verb_t *
s_find_verb (const cii_cli_verb_t *table, const char *name)
{
    for (const cii_cli_verb_t *verb = table; verb && verb->name; verb++)
        if (s_streq (verb->name, name))
            return verb;
    return NULL;
}

static const cii_cli_opt_t *
s_find_opt (const cii_cli_opt_t *table, const char *name, size_t len)
{
    for (const cii_cli_opt_t *opt = table; opt && opt->name; opt++)
        if (strlen (opt->name) == len && strncmp (opt->name, name, len) == 0)
            return opt;
    return NULL;
}

//  The option a token names at this point of the command line: the verb's own, then those of
//  its enclosing groups (inner first), then the common ones.
static const cii_cli_opt_t *
s_lookup_opt (cii_cli_t *self, const char *name, size_t len)
{
    for (int level = self->depth - 1; level >= 0; level--) {
        const cii_cli_opt_t *opt = s_find_opt (self->path [level]->opts, name, len);
        if (opt)
            return opt;
    }
    return s_find_opt (self->program->common, name, len);
}

//  --------------------------------------------------------------------------------------------
//  Object lifetime

static cii_cli_t *
s_cli_new (const cii_cli_program_t *program, int argc, FILE *out, FILE *err, void *app)
{
    size_t slots = argc > 0 ? (size_t) argc : 1;
    cii_cli_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->program = program;
    self->out = out;
    self->err = err;
    self->app = app;
    self->path = calloc (slots, sizeof *self->path);
    self->values = calloc (slots, sizeof *self->values);
    self->args = calloc (slots, sizeof *self->args);
    self->verb_name = calloc (1, 1);
    if (!self->path || !self->values || !self->args || !self->verb_name) {
        free (self->path);
        free (self->values);
        free (self->args);
        free (self->verb_name);
        free (self);
        return NULL;
    }
    return self;
}

static void
s_cli_destroy (cii_cli_t **self_p)
{
    if (self_p && *self_p) {
        cii_cli_t *self = *self_p;
        free (self->path);
        free (self->values);
        free (self->args);
        free (self->verb_name);
        free (self);
        *self_p = NULL;
    }
}

//  Names verb as the next level of the path. 0, or -1 when out of memory.
static int
s_push (cii_cli_t *self, const cii_cli_verb_t *verb)
{
    assert (verb->run || verb->sub);
    char *name = self->depth ? s_format ("%s %s", self->verb_name, verb->name)
                             : s_format ("%s", verb->name);
    if (!name)
        return -1;
    free (self->verb_name);
    self->verb_name = name;
    self->path [self->depth++] = verb;
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  Help and usage, generated from the tables

//  "--name VALUE" or "--name" into a new string; NULL when out of memory.
static char *
s_opt_label (const cii_cli_opt_t *opt)
{
    return opt->value ? s_format ("--%s %s", opt->name, opt->value) : s_format ("--%s", opt->name);
}

//  Writes the words of a usage line, wrapped before column S_WRAP; continuation lines are
//  indented under the first word after the head.
typedef struct {
    FILE *out;
    size_t column;
    size_t indent;
} s_wrap_t;

static void
s_wrap_word (s_wrap_t *wrap, const char *word)
{
    size_t len = strlen (word);
    if (len == 0)
        return;
    if (wrap->column > wrap->indent && wrap->column + 1 + len > S_WRAP) {
        fprintf (wrap->out, "\n%*s", (int) wrap->indent, "");
        wrap->column = wrap->indent;
    }
    else {
        fputc (' ', wrap->out);
        wrap->column++;
    }
    fputs (word, wrap->out);
    wrap->column += len;
}

//  True when opt is --help (always shown apart) or is declared again by one of the ninner verbs
//  of inner: an option declared at several levels is shown once, at the innermost.
static bool
s_hidden (const cii_cli_opt_t *opt, const cii_cli_verb_t *const *inner, int ninner)
{
    if (s_streq (opt->name, "help"))
        return true;
    for (int i = 0; i < ninner; i++)
        if (s_find_opt (inner [i]->opts, opt->name, strlen (opt->name)))
            return true;
    return false;
}

//  "[--name VALUE]" (or "[--name VALUE]..." when repeatable) for each option of table that is
//  not hidden.
static void
s_wrap_opts (s_wrap_t *wrap, const cii_cli_opt_t *table, const cii_cli_verb_t *const *inner,
             int ninner)
{
    for (const cii_cli_opt_t *opt = table; opt && opt->name; opt++) {
        if (s_hidden (opt, inner, ninner))
            continue;
        const char *more = opt->repeat ? "..." : "";
        char *word = opt->value ? s_format ("[--%s %s]%s", opt->name, opt->value, more)
                                : s_format ("[--%s]%s", opt->name, more);
        s_wrap_word (wrap, word ? word : "[...]");
        free (word);
    }
}

//  "usage: PROG [VERB PATH] [options...] TAIL", with the options of the path and the common ones.
static void
s_print_usage_line (cii_cli_t *self, FILE *out, const char *tail)
{
    const char *program = self->program->name;
    int head = fprintf (out, "usage: %s%s%s", program, self->depth ? " " : "", self->verb_name);
    s_wrap_t wrap = {out, head > 0 ? (size_t) head : 0, head > 0 ? (size_t) head + 1 : 0};
    if (wrap.indent > S_WRAP / 2)
        wrap.indent = 8;
    //  Outermost first: the common options, then each group's, then the verb's own.
    s_wrap_opts (&wrap, self->program->common, self->path, self->depth);
    for (int level = 0; level < self->depth; level++)
        s_wrap_opts (&wrap, self->path [level]->opts, self->path + level + 1,
                     self->depth - level - 1);
    if (tail && *tail)
        s_wrap_word (&wrap, tail);
    fputc ('\n', out);
}

//  The usage line of the current level: the verb's positional synopsis, or COMMAND for a group
//  and for the program itself.
static void
s_print_usage (cii_cli_t *self, FILE *out)
{
    const cii_cli_verb_t *verb = s_current (self);
    s_print_usage_line (self, out, verb && verb->run ? verb->args : "COMMAND [ARGS]");
}

//  Width of the longest "prefix name" of the runnable verbs below table.
static size_t
s_verbs_width (const cii_cli_verb_t *table, size_t prefix)
{
    size_t width = 0;
    for (const cii_cli_verb_t *verb = table; verb && verb->name; verb++) {
        size_t len = prefix + strlen (verb->name);
        size_t below = verb->sub ? s_verbs_width (verb->sub, len + 1) : 0;
        if (verb->run && len > width)
            width = len;
        if (below > width)
            width = below;
    }
    return width;
}

//  One line per runnable verb below table, nested ones by their full name ("signal add").
static void
s_print_verbs (FILE *out, const cii_cli_verb_t *table, const char *prefix, int width)
{
    for (const cii_cli_verb_t *verb = table; verb && verb->name; verb++) {
        char *name = *prefix ? s_format ("%s %s", prefix, verb->name) : s_format ("%s", verb->name);
        if (!name)
            return;
        if (verb->run)
            fprintf (out, "  %-*s   %s\n", width, name, verb->summary ? verb->summary : "");
        if (verb->sub)
            s_print_verbs (out, verb->sub, name, width);
        free (name);
    }
}

//  Width of the option labels of table that will be shown.
static size_t
s_opts_width (const cii_cli_opt_t *table)
{
    size_t width = 0;
    for (const cii_cli_opt_t *opt = table; opt && opt->name; opt++) {
        size_t len = 2 + strlen (opt->name) + (opt->value ? 1 + strlen (opt->value) : 0);
        if (!s_streq (opt->name, "help") && len > width)
            width = len;
    }
    return width;
}

static void
s_print_opt_row (FILE *out, const char *label, const char *help, bool repeat, int width)
{
    fprintf (out, "  %-*s   %s%s\n", width, label, help ? help : "",
             repeat ? " (may be repeated)" : "");
}

//  One line per option of table that is not hidden ("--name VALUE   help").
static void
s_print_opts (FILE *out, const cii_cli_opt_t *table, const cii_cli_verb_t *const *inner,
              int ninner, int width)
{
    for (const cii_cli_opt_t *opt = table; opt && opt->name; opt++) {
        if (s_hidden (opt, inner, ninner))
            continue;
        char *label = s_opt_label (opt);
        s_print_opt_row (out, label ? label : opt->name, opt->help, opt->repeat, width);
        free (label);
    }
}

//  Help of the program: usage, the verbs, the common options, the epilog.
static void
s_print_main_help (cii_cli_t *self, FILE *out)
{
    const cii_cli_program_t *program = self->program;
    s_print_usage (self, out);
    fprintf (out, "\ncommands:\n");
    s_print_verbs (out, program->verbs, "", (int) s_verbs_width (program->verbs, 0));
    int width = (int) s_opts_width (program->common);
    if (width < 11)
        width = 11;             //  "-h, --help", "--version"
    fprintf (out, "\noptions (before or after the command):\n");
    s_print_opts (out, program->common, NULL, 0, width);
    s_print_opt_row (out, "-h, --help", "print this help; after a command, the command's help",
                     false, width);
    s_print_opt_row (out, "--version", "print the version", false, width);
    if (program->epilog && *program->epilog) {
        size_t len = strlen (program->epilog);
        fprintf (out, "\n%s%s", program->epilog, program->epilog [len - 1] == '\n' ? "" : "\n");
    }
    fprintf (out, "\n'%s COMMAND --help' describes a command.\n", program->name);
}

//  Help of a verb or a group: usage, summary, the sub-verbs of a group, the options (the
//  verb's own and its groups', then the common ones).
static void
s_print_verb_help (cii_cli_t *self, FILE *out)
{
    const cii_cli_verb_t *verb = s_current (self);
    s_print_usage (self, out);
    if (verb->summary && *verb->summary)
        fprintf (out, "%s\n", verb->summary);
    if (!verb->run) {
        fprintf (out, "\ncommands:\n");
        size_t prefix = strlen (self->verb_name) + 1;
        s_print_verbs (out, verb->sub, self->verb_name, (int) s_verbs_width (verb->sub, prefix));
    }
    size_t width = s_opts_width (self->program->common);
    for (int level = 0; level < self->depth; level++) {
        size_t level_width = s_opts_width (self->path [level]->opts);
        if (level_width > width)
            width = level_width;
    }
    if (width < 10)
        width = 10;             //  "-h, --help"
    //  Innermost first: the verb's own options, then its groups', then the common ones.
    fprintf (out, "\noptions:\n");
    for (int level = self->depth - 1; level >= 0; level--)
        s_print_opts (out, self->path [level]->opts, self->path + level + 1,
                      self->depth - level - 1, (int) width);
    s_print_opt_row (out, "-h, --help", "print this help", false, (int) width);
    if (s_opts_width (self->program->common) > 0) {
        fprintf (out, "common options (before or after the command):\n");
        s_print_opts (out, self->program->common, self->path, self->depth, (int) width);
    }
    if (!verb->run)
        fprintf (out, "\n'%s %s COMMAND --help' describes a command.\n", self->program->name,
                 self->verb_name);
}

static void
s_print_help (cii_cli_t *self, FILE *out)
{
    if (self->depth == 0)
        s_print_main_help (self, out);
    else
        s_print_verb_help (self, out);
}

//  "PROG[ VERB]: " then the reason on one line and a newline. reason may be NULL (out of
//  memory while formatting it).
static void
s_print_reason (cii_cli_t *self, char *reason)
{
    if (reason)
        s_one_line (reason);
    fprintf (self->err, "%s%s%s: %s\n", self->program->name, self->depth ? " " : "",
             self->verb_name, reason ? reason : "out of memory");
}

//  A usage error at the current level: the reason, then the usage of a verb, or the whole help
//  of a group or of the program (the list of what can come next). Takes reason.
static int
s_usage_error (cii_cli_t *self, char *reason)
{
    s_print_reason (self, reason);
    free (reason);
    if (s_resolved (self))
        s_print_usage (self, self->err);
    else
        s_print_help (self, self->err);
    return CII_CLI_USAGE;
}

//  --------------------------------------------------------------------------------------------
//  Parsing

//  Parses the option token argv[*index] (may consume the next token as its value). Returns 0,
//  or -1 with *reason_p set to the reason of a usage error (caller frees; NULL when out of
//  memory).
static int
s_parse_option (cii_cli_t *self, int argc, char **argv, int *index, char **reason_p)
{
    const char *arg = argv [*index];
    if (arg [1] != '-') {
        *reason_p = s_format ("unknown option %s", arg);
        return -1;
    }
    const char *name = arg + 2;
    const char *eq = strchr (name, '=');
    size_t len = eq ? (size_t) (eq - name) : strlen (name);
    const cii_cli_opt_t *opt = s_lookup_opt (self, name, len);
    if (!opt) {
        *reason_p = s_format ("unknown option --%.*s", (int) len, name);
        return -1;
    }
    const char *value = "";
    if (opt->value) {
        if (eq)
            value = eq + 1;
        else
        if (*index + 1 < argc && argv [*index + 1])
            value = argv [++*index];
        else {
            *reason_p = s_format ("--%s needs a value", opt->name);
            return -1;
        }
    }
    else
    if (eq) {
        *reason_p = s_format ("--%s takes no value", opt->name);
        return -1;
    }
    bool after = s_resolved (self);
    if (!opt->repeat)
        for (int i = 0; i < self->nvalues; i++)
            if (self->values [i].after == after && s_streq (self->values [i].name, opt->name)) {
                *reason_p = s_format ("--%s given twice", opt->name);
                return -1;
            }
    self->values [self->nvalues++] = (s_value_t) {opt->name, value, after};
    return 0;
}

static bool
s_is_help (const char *arg)
{
    return s_streq (arg, "--help") || s_streq (arg, "-h");
}

//  Parses argv. Returns S_RUN when the verb is to run; else the exit code, after printing help,
//  the version or a usage error.
static int
s_parse (cii_cli_t *self, int argc, char **argv)
{
    const cii_cli_program_t *program = self->program;
    bool only_args = false;     //  after "--"
    bool help_word = false;     //  "help" in place of a command
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (!arg)
            continue;
        if (!only_args && s_streq (arg, "--")) {
            only_args = true;
            continue;
        }
        if (!only_args && arg [0] == '-' && arg [1] != '\0') {
            if (s_is_help (arg)) {
                s_print_help (self, self->out);
                return CII_CLI_OK;
            }
            if (self->depth == 0 && s_streq (arg, "--version")) {
                fprintf (self->out, "%s%s%s\n", program->name, program->version ? " " : "",
                         program->version ? program->version : "");
                return CII_CLI_OK;
            }
            char *reason = NULL;
            if (s_parse_option (self, argc, argv, &i, &reason) == 0)
                continue;
            //  A later --help still wins over a mistake (but not over an unknown command).
            for (int j = i + 1; j < argc && argv [j] && !s_streq (argv [j], "--"); j++)
                if (s_is_help (argv [j])) {
                    free (reason);
                    s_print_help (self, self->out);
                    return CII_CLI_OK;
                }
            return s_usage_error (self, reason);
        }
        if (!s_resolved (self)) {
            const cii_cli_verb_t *table = self->depth ? s_current (self)->sub : program->verbs;
            const cii_cli_verb_t *verb = s_find_verb (table, arg);
            if (!verb && !help_word && s_streq (arg, "help")) {
                help_word = true;
                continue;
            }
            if (!verb)
                return s_usage_error (self, s_format ("unknown command '%s'", arg));
            if (s_push (self, verb) != 0)
                return cii_cli_refuse (self, "out of memory");
            if (help_word && verb->run)
                break;
            continue;
        }
        self->args [self->nargs++] = arg;
    }
    if (help_word) {
        s_print_help (self, self->out);
        return CII_CLI_OK;
    }
    if (!s_resolved (self))
        return s_usage_error (self, s_format ("missing command"));
    const cii_cli_verb_t *verb = s_current (self);
    if (self->nargs < verb->min_args) {
        const char *synopsis = verb->args ? verb->args : "";
        const char *space = *synopsis ? " " : "";
        return s_usage_error (self, s_format ("missing argument%s%s", space, synopsis));
    }
    if (verb->max_args >= 0 && self->nargs > verb->max_args) {
        const char *extra = self->args [verb->max_args];
        return s_usage_error (self, s_format ("unexpected argument '%s'", extra));
    }
    return S_RUN;
}

//  --------------------------------------------------------------------------------------------
//  Public API

int
cii_cli_run (const cii_cli_program_t *program, int argc, char **argv, FILE *out, FILE *err,
             void *app)
{
    assert (program && program->name && program->verbs);
    assert (out && err);
    assert (argc <= 0 || argv);
    cii_cli_t *self = s_cli_new (program, argc, out, err, app);
    if (!self) {
        fprintf (err, "%s: out of memory\n", program->name);
        return CII_CLI_REFUSED;
    }
    int code = s_parse (self, argc, argv);
    if (code == S_RUN) {
        code = program->before ? program->before (self) : CII_CLI_OK;
        if (code == CII_CLI_OK)
            code = s_current (self)->run (self);
    }
    fflush (out);
    fflush (err);
    s_cli_destroy (&self);
    return code;
}

const char *
cii_cli_opt (cii_cli_t *self, const char *name)
{
    assert (self && name);
    //  Values are in command-line order and those after the verb come last: the last one wins.
    for (int i = self->nvalues - 1; i >= 0; i--)
        if (s_streq (self->values [i].name, name))
            return self->values [i].value;
    return NULL;
}

const char *
cii_cli_opt_at (cii_cli_t *self, const char *name, int index)
{
    assert (self && name);
    if (index < 0)
        return NULL;
    for (int i = 0; i < self->nvalues; i++)
        if (s_streq (self->values [i].name, name) && index-- == 0)
            return self->values [i].value;
    return NULL;
}

int
cii_cli_opt_count (cii_cli_t *self, const char *name)
{
    assert (self && name);
    int count = 0;
    for (int i = 0; i < self->nvalues; i++)
        count += s_streq (self->values [i].name, name);
    return count;
}

bool
cii_cli_flag (cii_cli_t *self, const char *name)
{
    return cii_cli_opt (self, name) != NULL;
}

bool
cii_cli_json (cii_cli_t *self)
{
    return cii_cli_flag (self, "json");
}

int
cii_cli_nargs (cii_cli_t *self)
{
    assert (self);
    return self->nargs;
}

const char *
cii_cli_arg (cii_cli_t *self, int index)
{
    assert (self);
    return index >= 0 && index < self->nargs ? self->args [index] : NULL;
}

FILE *
cii_cli_out (cii_cli_t *self)
{
    assert (self);
    return self->out;
}

FILE *
cii_cli_err (cii_cli_t *self)
{
    assert (self);
    return self->err;
}

void *
cii_cli_app (cii_cli_t *self)
{
    assert (self);
    return self->app;
}

const char *
cii_cli_verb (cii_cli_t *self)
{
    assert (self);
    return self->verb_name;
}

const char *
cii_cli_program (cii_cli_t *self)
{
    assert (self);
    return self->program->name;
}

int
cii_cli_refuse (cii_cli_t *self, const char *format, ...)
{
    assert (self && format);
    va_list args;
    va_start (args, format);
    char *reason = s_vformat (format, args);
    va_end (args);
    s_print_reason (self, reason);
    free (reason);
    return CII_CLI_REFUSED;
}

int
cii_cli_fail (cii_cli_t *self, const cii_err_t *err)
{
    assert (self && err);
    size_t len = strnlen (err->text, sizeof err->text);
    if (len == 0)
        return cii_cli_refuse (self, "%s", cii_rc_name (err->rc));
    return cii_cli_refuse (self, "%.*s", (int) len, err->text);
}

int
cii_cli_usage (cii_cli_t *self, const char *format, ...)
{
    assert (self && format);
    va_list args;
    va_start (args, format);
    char *reason = s_vformat (format, args);
    va_end (args);
    return s_usage_error (self, reason);
}

int
cii_cli_print_json (cii_cli_t *self, json_t *value)
{
    assert (self);
    if (!value)
        return cii_cli_refuse (self, "out of memory");
    if (cii_json_print (self->out, value) != 0 || fflush (self->out) != 0)
        return cii_cli_refuse (self, "cannot write the output");
    return CII_CLI_OK;
}
