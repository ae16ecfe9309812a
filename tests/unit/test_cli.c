/*  test_cli.c — unit tests of common/cii_cli: dispatch of nested verbs, long options (=, separate
    value, flags, repeatable, common before and after the verb), `--` and `-`, every usage error
    with its exit code and first line, --help at every level, refusals, JSON output, the before
    hook, and long command lines. A small test program stands in for cii-hub and cii-agent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cii_cli.h"

//  --- the test program -----------------------------------------------------------------------

typedef struct {
    int before_calls;
    int before_rc;              //  what the before hook returns
    char trace [128];           //  "before run " in call order
    char before_verb [64];
    char before_db [64];
} s_app_t;

static void
s_trace (cii_cli_t *cli, const char *step)
{
    s_app_t *app = cii_cli_app (cli);
    size_t len = strlen (app->trace);
    snprintf (app->trace + len, sizeof app->trace - len, "%s ", step);
}

//  Prints what the verb was given: "VERB name=value ... args=[a,b]"; an option given n > 1
//  times prints as "name=LAST[first,...,last]".
static int
s_dump (cii_cli_t *cli)
{
    static const char *names[] = {"db", "verbose", "tag", "json", "network", "label", "canton",
                                  "title", NULL};
    s_trace (cli, "run");
    FILE *out = cii_cli_out (cli);
    fprintf (out, "%s", cii_cli_verb (cli));
    for (int n = 0; names [n]; n++) {
        int count = cii_cli_opt_count (cli, names [n]);
        if (count == 0) {
            assert_null (cii_cli_opt (cli, names [n]));
            assert_false (cii_cli_flag (cli, names [n]));
            continue;
        }
        assert_true (cii_cli_flag (cli, names [n]));
        fprintf (out, " %s=%s", names [n], cii_cli_opt (cli, names [n]));
        if (count > 1) {
            for (int i = 0; i < count; i++)
                fprintf (out, "%s%s", i ? "," : "[", cii_cli_opt_at (cli, names [n], i));
            fputc (']', out);
        }
        assert_null (cii_cli_opt_at (cli, names [n], count));
        assert_null (cii_cli_opt_at (cli, names [n], -1));
    }
    fprintf (out, " args=[");
    for (int i = 0; i < cii_cli_nargs (cli); i++)
        fprintf (out, "%s%s", i ? "," : "", cii_cli_arg (cli, i));
    fprintf (out, "]\n");
    assert_null (cii_cli_arg (cli, cii_cli_nargs (cli)));
    assert_null (cii_cli_arg (cli, -1));
    return CII_CLI_OK;
}

static int
s_list (cii_cli_t *cli)
{
    s_trace (cli, "run");
    if (!cii_cli_json (cli)) {
        fprintf (cii_cli_out (cli), "Genève\n");
        return CII_CLI_OK;
    }
    json_t *value = json_object ();
    cii_json_set (value, "city", cii_json_str ("Genève"));
    cii_json_set (value, "n", json_integer (1));
    cii_json_set (value, "tags", cii_json_list ("a,b"));
    return cii_cli_print_json (cli, value);
}

static int
s_refuse (cii_cli_t *cli)
{
    const char *reason = cii_cli_opt (cli, "reason");
    if (reason)
        return cii_cli_refuse (cli, "%s", reason);
    return cii_cli_refuse (cli, "line one\nline\ttwo %d\v\x1b[2J Genève\r\n  ", 2);
}

static int
s_fail (cii_cli_t *cli)
{
    cii_err_t err;
    cii_err_set (&err, CII_NOT_FOUND, "unknown network %s", cii_cli_arg (cli, 0));
    return cii_cli_fail (cli, &err);
}

static int
s_check (cii_cli_t *cli)
{
    if (!cii_cli_opt (cli, "title"))
        return cii_cli_usage (cli, "--title is required");
    return s_dump (cli);
}

static int
s_before (cii_cli_t *cli)
{
    s_app_t *app = cii_cli_app (cli);
    s_trace (cli, "before");
    app->before_calls++;
    snprintf (app->before_verb, sizeof app->before_verb, "%s", cii_cli_verb (cli));
    const char *db = cii_cli_opt (cli, "db");
    snprintf (app->before_db, sizeof app->before_db, "%s", db ? db : "(none)");
    if (app->before_rc == CII_CLI_REFUSED)
        return cii_cli_refuse (cli, "logging not ready");
    return app->before_rc;
}

static const cii_cli_opt_t s_common[] = {
    {"db", "CONNINFO", "libpq connection string", false},
    {"verbose", NULL, "log to stderr", false},
    {"tag", "TAG", "a tag", true},
    {NULL, NULL, NULL, false}};

static const cii_cli_opt_t s_opts_show[] = {
    {"json", NULL, "JSON output", false},
    {"network", "NETWORK", "the network", false},
    {"label", "LABEL", "a label", true},
    {NULL, NULL, NULL, false}};

static const cii_cli_opt_t s_opts_json[] = {{"json", NULL, "JSON output", false},
                                            {NULL, NULL, NULL, false}};
static const cii_cli_opt_t s_opts_signal[] = {{"canton", "CODE", "the canton", false},
                                              {NULL, NULL, NULL, false}};
static const cii_cli_opt_t s_opts_title[] = {{"title", "TEXT", "the title", false},
                                             {NULL, NULL, NULL, false}};
static const cii_cli_opt_t s_opts_refuse[] = {{"reason", "TEXT", "the reason", false},
                                              {NULL, NULL, NULL, false}};

static const cii_cli_verb_t s_signal_verbs[] = {
    {"add", s_dump, NULL, s_opts_title, "", 0, 0, "queue a signal"},
    {"import", s_dump, NULL, NULL, "FILE...", 1, -1, "queue signals from files"},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};

static const cii_cli_verb_t s_verbs[] = {
    {"show", s_dump, NULL, s_opts_show, "NAME", 1, 1, "show one thing"},
    {"list", s_list, NULL, s_opts_json, "", 0, 0, "list things"},
    {"signal", NULL, s_signal_verbs, s_opts_signal, NULL, 0, 0, "signals: add, import"},
    {"refuse", s_refuse, NULL, s_opts_refuse, "", 0, 0, "always refuses"},
    {"fail", s_fail, NULL, NULL, "NETWORK", 1, 1, "refuses with a cii_err_t"},
    {"check", s_check, NULL, s_opts_title, "", 0, 0, "needs --title"},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};

static const cii_cli_program_t s_program = {
    "t", "1.2.3", s_common, s_verbs, "Without --db the PG* environment applies.", s_before};

//  --- running it -----------------------------------------------------------------------------

typedef struct {
    s_app_t app;
    int status;
    char *out;
    char *err;
    char line [4096];
} s_fixture_t;

static void
s_free_output (s_fixture_t *fx)
{
    free (fx->out);
    free (fx->err);
    fx->out = fx->err = NULL;
}

//  Runs program with argv[0] = "t" and argc - 1 more arguments; captures status, out, err.
static int
s_runv (s_fixture_t *fx, const cii_cli_program_t *program, int argc, char **argv)
{
    s_free_output (fx);
    memset (&fx->app.trace, 0, sizeof fx->app.trace);
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream (&fx->out, &out_size);
    FILE *err = open_memstream (&fx->err, &err_size);
    assert_non_null (out);
    assert_non_null (err);
    fx->status = cii_cli_run (program, argc, argv, out, err, &fx->app);
    fclose (out);
    fclose (err);
    return fx->status;
}

//  Runs `t ARGS...` (NULL-terminated) with the test program.
static int
s_run (s_fixture_t *fx, ...)
{
    char *argv [64];
    int argc = 0;
    argv [argc++] = (char *) "t";
    va_list args;
    va_start (args, fx);
    const char *arg;
    while ((arg = va_arg (args, const char *)) != NULL) {
        assert_true (argc < 63);
        argv [argc++] = (char *) arg;
    }
    va_end (args);
    argv [argc] = NULL;
    return s_runv (fx, &s_program, argc, argv);
}

//  Line n (0-based) of text, without its newline ("" past the end).
static const char *
s_line (s_fixture_t *fx, const char *text, int n)
{
    const char *p = text;
    while (n-- > 0 && p) {
        p = strchr (p, '\n');
        if (p)
            p++;
    }
    size_t len = p ? strcspn (p, "\n") : 0;
    assert_true (len < sizeof fx->line);
    memcpy (fx->line, p ? p : "", len);
    fx->line [len] = '\0';
    return fx->line;
}

static int
s_lines (const char *text)
{
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    return lines;
}

//  Asserts a usage error: exit 2, nothing on out, err's first line exactly `first`, the second
//  starting with `usage`, and neither the hook nor the verb ran.
static void
s_assert_usage (s_fixture_t *fx, const char *first, const char *usage)
{
    assert_int_equal (fx->status, CII_CLI_USAGE);
    assert_string_equal (fx->out, "");
    assert_string_equal (s_line (fx, fx->err, 0), first);
    const char *second = s_line (fx, fx->err, 1);
    assert_true (strncmp (second, usage, strlen (usage)) == 0);
    assert_string_equal (fx->app.trace, "");
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    s_free_output (fx);
    free (fx);
    return 0;
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_dispatch (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "show", "thing", NULL), 0);
    assert_string_equal (fx->out, "show args=[thing]\n");
    assert_string_equal (fx->err, "");
    assert_int_equal (s_run (fx, "signal", "add", "--title", "T", NULL), 0);
    assert_string_equal (fx->out, "signal add title=T args=[]\n");
    assert_int_equal (s_run (fx, "signal", "import", "a", "b", "c", NULL), 0);
    assert_string_equal (fx->out, "signal import args=[a,b,c]\n");
    //  A group's options: between the group and its sub-verb, or after the sub-verb
    assert_int_equal (s_run (fx, "signal", "--canton", "VD", "add", NULL), 0);
    assert_string_equal (fx->out, "signal add canton=VD args=[]\n");
    assert_int_equal (s_run (fx, "signal", "import", "f", "--canton=GE", NULL), 0);
    assert_string_equal (fx->out, "signal import canton=GE args=[f]\n");
    //  A sibling's option is not valid
    s_run (fx, "signal", "import", "f", "--title", "T", NULL);
    s_assert_usage (fx, "t signal import: unknown option --title", "usage: t signal import ");
}

static void
test_option_values (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "show", "--network=lemanique", "x", NULL), 0);
    assert_string_equal (fx->out, "show network=lemanique args=[x]\n");
    assert_int_equal (s_run (fx, "show", "--network", "lemanique", "x", NULL), 0);
    assert_string_equal (fx->out, "show network=lemanique args=[x]\n");
    //  Options after the positional argument; values taken as they are
    assert_int_equal (s_run (fx, "show", "x", "--network", "-5", NULL), 0);
    assert_string_equal (fx->out, "show network=-5 args=[x]\n");
    assert_int_equal (s_run (fx, "show", "x", "--network=a=b", NULL), 0);
    assert_string_equal (fx->out, "show network=a=b args=[x]\n");
    assert_int_equal (s_run (fx, "show", "x", "--network=", NULL), 0);
    assert_string_equal (fx->out, "show network= args=[x]\n");
    assert_int_equal (s_run (fx, "show", "x", "--network", "Genève Zürich", NULL), 0);
    assert_string_equal (fx->out, "show network=Genève Zürich args=[x]\n");
}

static void
test_flags (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "show", "--json", "x", NULL), 0);
    assert_string_equal (fx->out, "show json= args=[x]\n");
    assert_int_equal (s_run (fx, "--verbose", "show", "x", NULL), 0);
    assert_string_equal (fx->out, "show verbose= args=[x]\n");
    assert_int_equal (s_run (fx, "list", NULL), 0);
    assert_string_equal (fx->out, "Genève\n");
}

static void
test_repeatable (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "show", "--label", "a", "--label=b", "x", "--label", "c", NULL),
                      0);
    assert_string_equal (fx->out, "show label=c[a,b,c] args=[x]\n");
    assert_int_equal (s_run (fx, "show", "--label", "only", "x", NULL), 0);
    assert_string_equal (fx->out, "show label=only args=[x]\n");
    //  A repeatable common option keeps the values from both sides, in order
    assert_int_equal (s_run (fx, "--tag", "1", "--tag", "2", "show", "x", "--tag", "3", NULL), 0);
    assert_string_equal (fx->out, "show tag=3[1,2,3] args=[x]\n");
}

static void
test_common_options (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "--db", "A", "show", "x", NULL), 0);
    assert_string_equal (fx->out, "show db=A args=[x]\n");
    assert_int_equal (s_run (fx, "--db=A", "show", "x", NULL), 0);
    assert_string_equal (fx->out, "show db=A args=[x]\n");
    assert_int_equal (s_run (fx, "show", "x", "--db", "B", NULL), 0);
    assert_string_equal (fx->out, "show db=B args=[x]\n");
    //  The value after the verb wins; both are in cii_cli_opt_at
    assert_int_equal (s_run (fx, "--db", "A", "show", "--db=B", "x", NULL), 0);
    assert_string_equal (fx->out, "show db=B[A,B] args=[x]\n");
    assert_int_equal (s_run (fx, "--db", "A", "signal", "--db", "G", "add", NULL), 2);
    assert_string_equal (s_line (fx, fx->err, 0), "t signal: --db given twice");
    assert_int_equal (s_run (fx, "--db", "A", "signal", "add", "--db", "C", NULL), 0);
    assert_string_equal (fx->out, "signal add db=C[A,C] args=[]\n");
    //  Twice on the same side of the verb is bad usage
    s_run (fx, "--db", "A", "--db", "B", "show", "x", NULL);
    s_assert_usage (fx, "t: --db given twice", "usage: t ");
    s_run (fx, "show", "--db", "A", "x", "--db=B", NULL);
    s_assert_usage (fx, "t show: --db given twice", "usage: t show ");
    s_run (fx, "show", "--network", "a", "x", "--network", "b", NULL);
    s_assert_usage (fx, "t show: --network given twice", "usage: t show ");
    s_run (fx, "show", "--json", "x", "--json", NULL);
    s_assert_usage (fx, "t show: --json given twice", "usage: t show ");
    //  A verb's own option is not valid before the verb
    s_run (fx, "--network", "a", "show", "x", NULL);
    s_assert_usage (fx, "t: unknown option --network", "usage: t ");
}

static void
test_double_dash_and_dash (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "show", "--", "--network", NULL), 0);
    assert_string_equal (fx->out, "show args=[--network]\n");
    assert_int_equal (s_run (fx, "show", "-", NULL), 0);
    assert_string_equal (fx->out, "show args=[-]\n");
    assert_int_equal (s_run (fx, "signal", "import", "-", "--", "-h", "--help", "--", NULL), 0);
    assert_string_equal (fx->out, "signal import args=[-,-h,--help,--]\n");
    //  Before the verb too: the words after it are the verb and its arguments
    assert_int_equal (s_run (fx, "--db", "A", "--", "show", "--json", NULL), 0);
    assert_string_equal (fx->out, "show db=A args=[--json]\n");
    s_run (fx, "--", "--help", NULL);
    s_assert_usage (fx, "t: unknown command '--help'", "usage: t ");
    s_run (fx, "show", "x", "--", "y", NULL);
    s_assert_usage (fx, "t show: unexpected argument 'y'", "usage: t show ");
}

static void
test_usage_errors (void **state)
{
    s_fixture_t *fx = *state;
    const char *main_usage = "usage: t [--db CONNINFO] [--verbose] [--tag TAG]... COMMAND [ARGS]";
    s_run (fx, NULL);
    s_assert_usage (fx, "t: missing command", main_usage);
    assert_non_null (strstr (fx->err, "signal add"));       //  the main usage lists the verbs
    s_run (fx, "bogus", NULL);
    s_assert_usage (fx, "t: unknown command 'bogus'", main_usage);
    assert_non_null (strstr (fx->err, "show one thing"));
    s_run (fx, "bogus", "--help", NULL);
    s_assert_usage (fx, "t: unknown command 'bogus'", main_usage);
    s_run (fx, "--bogus", "show", "x", NULL);
    s_assert_usage (fx, "t: unknown option --bogus", main_usage);
    s_run (fx, "--db", NULL);
    s_assert_usage (fx, "t: --db needs a value", main_usage);
    s_run (fx, "--verbose=1", "show", "x", NULL);
    s_assert_usage (fx, "t: --verbose takes no value", main_usage);
    s_run (fx, "-v", "show", "x", NULL);
    s_assert_usage (fx, "t: unknown option -v", main_usage);
    //  Groups: the group's usage and its sub-verbs
    s_run (fx, "signal", NULL);
    s_assert_usage (fx, "t signal: missing command", "usage: t signal [--db CONNINFO] ");
    assert_non_null (strstr (fx->err, "signal import"));
    s_run (fx, "signal", "remove", NULL);
    s_assert_usage (fx, "t signal: unknown command 'remove'", "usage: t signal ");
    //  Verbs: the reason, then the verb's usage: common options first, then the verb's
    s_run (fx, "show", NULL);
    s_assert_usage (fx, "t show: missing argument NAME",
                    "usage: t show [--db CONNINFO] [--verbose] [--tag TAG]... [--json]");
    assert_non_null (strstr (fx->err, "[--network NETWORK] [--label LABEL]... NAME\n"));
    for (int n = 0; n < s_lines (fx->err); n++)
        assert_true (strlen (s_line (fx, fx->err, n)) < 80);
    assert_true (s_line (fx, fx->err, s_lines (fx->err) - 1)[0] == ' ');     //  wrapped
    s_run (fx, "show", "a", "b", NULL);
    s_assert_usage (fx, "t show: unexpected argument 'b'", "usage: t show ");
    s_run (fx, "show", "--bogus", "x", NULL);
    s_assert_usage (fx, "t show: unknown option --bogus", "usage: t show ");
    s_run (fx, "show", "--bogus=1", "x", NULL);
    s_assert_usage (fx, "t show: unknown option --bogus", "usage: t show ");
    s_run (fx, "show", "-x", "a", NULL);
    s_assert_usage (fx, "t show: unknown option -x", "usage: t show ");
    s_run (fx, "show", "x", "--network", NULL);
    s_assert_usage (fx, "t show: --network needs a value", "usage: t show ");
    s_run (fx, "show", "x", "--json=yes", NULL);
    s_assert_usage (fx, "t show: --json takes no value", "usage: t show ");
    s_run (fx, "show", "x", "--version", NULL);
    s_assert_usage (fx, "t show: unknown option --version", "usage: t show ");
    s_run (fx, "signal", "import", NULL);
    s_assert_usage (fx, "t signal import: missing argument FILE...", "usage: t signal import ");
    s_run (fx, "list", "extra", NULL);
    s_assert_usage (fx, "t list: unexpected argument 'extra'",
                    "usage: t list [--db CONNINFO] [--verbose] [--tag TAG]... [--json]");
    //  cii_cli_usage from inside a verb (the hook ran, so no s_assert_usage)
    assert_int_equal (s_run (fx, "check", NULL), CII_CLI_USAGE);
    assert_string_equal (s_line (fx, fx->err, 0), "t check: --title is required");
    assert_string_equal (s_line (fx, fx->err, 1), "usage: t check [--db CONNINFO] [--verbose] "
                                                  "[--tag TAG]... [--title TEXT]");
    assert_int_equal (s_lines (fx->err), 2);
    assert_string_equal (fx->out, "");
}

static void
test_help (void **state)
{
    s_fixture_t *fx = *state;
    //  The program: usage, verbs (nested by full name), common options, epilog
    const char *forms[][2] = {{"--help", NULL}, {"-h", NULL}, {"help", NULL}, {"--db", "A"}};
    for (size_t i = 0; i < sizeof forms / sizeof forms [0]; i++) {
        if (forms [i][1])
            assert_int_equal (s_run (fx, forms [i][0], forms [i][1], "--help", NULL), 0);
        else
            assert_int_equal (s_run (fx, forms [i][0], NULL), 0);
        assert_string_equal (fx->err, "");
        assert_string_equal (fx->app.trace, "");
        assert_string_equal (s_line (fx, fx->out, 0),
                             "usage: t [--db CONNINFO] [--verbose] [--tag TAG]... COMMAND [ARGS]");
        const char *verbs = strstr (fx->out, "commands:\n");
        const char *options = strstr (fx->out, "options (before or after the command):\n");
        const char *epilog = strstr (fx->out, "Without --db the PG* environment applies.\n");
        assert_non_null (verbs);
        assert_non_null (options);
        assert_non_null (epilog);
        assert_true (verbs < options && options < epilog);
        assert_non_null (strstr (fx->out, "\n  show            show one thing\n"));
        assert_non_null (strstr (fx->out, "\n  signal add      queue a signal\n"));
        assert_non_null (strstr (fx->out, "\n  signal import   queue signals from files\n"));
        assert_non_null (strstr (fx->out, "\n  --db CONNINFO   libpq connection string\n"));
        assert_non_null (strstr (fx->out, "\n  --tag TAG       a tag (may be repeated)\n"));
        assert_non_null (strstr (fx->out, "--version"));
        assert_null (strstr (fx->out, "\n  signal   "));           //  groups are not rows
    }
    //  A verb: usage with the common options, summary, one line per option
    const char *show_usage = "usage: t show [--db CONNINFO] [--verbose] [--tag TAG]... [--json]\n"
                             "              [--network NETWORK] [--label LABEL]... NAME\n";
    assert_int_equal (s_run (fx, "show", "--help", NULL), 0);
    assert_string_equal (fx->err, "");
    assert_true (strncmp (fx->out, show_usage, strlen (show_usage)) == 0);
    assert_non_null (strstr (fx->out, "\nshow one thing\n"));
    assert_non_null (strstr (fx->out, "\n  --network NETWORK   the network\n"));
    assert_non_null (strstr (fx->out, "\n  --label LABEL       a label (may be repeated)\n"));
    assert_non_null (strstr (fx->out, "\n  --json              JSON output\n"));
    assert_non_null (strstr (fx->out, "\n  -h, --help          print this help\n"));
    assert_non_null (strstr (fx->out, "\n  --db CONNINFO       libpq connection string\n"));
    char *show_help = strdup (fx->out);
    assert_non_null (show_help);
    //  Same help, other ways; --help wins over a mistake before it and over missing arguments
    const char *same[][4] = {{"show", "-h", NULL, NULL},
                             {"help", "show", NULL, NULL},
                             {"--db", "A", "show", "--help"},
                             {"show", "--bogus", "--help", NULL},
                             {"show", "x", "y", "--help"}};
    for (size_t i = 0; i < sizeof same / sizeof same [0]; i++) {
        assert_int_equal (s_run (fx, same [i][0], same [i][1], same [i][2], same [i][3], NULL), 0);
        assert_string_equal (fx->out, show_help);
        assert_string_equal (fx->err, "");
        assert_string_equal (fx->app.trace, "");
    }
    free (show_help);
    //  A group: its sub-verbs and its options; a nested verb: inherited options too
    assert_int_equal (s_run (fx, "signal", "--help", NULL), 0);
    assert_string_equal (s_line (fx, fx->out, 0), "usage: t signal [--db CONNINFO] [--verbose] "
                                                  "[--tag TAG]... [--canton CODE]");
    assert_string_equal (s_line (fx, fx->out, 1), "                COMMAND [ARGS]");
    assert_non_null (strstr (fx->out, "\nsignals: add, import\n"));
    assert_non_null (strstr (fx->out, "\n  signal add      queue a signal\n"));
    assert_non_null (strstr (fx->out, "\n  signal import   queue signals from files\n"));
    assert_non_null (strstr (fx->out, "\n  --canton CODE"));
    assert_int_equal (s_run (fx, "help", "signal", NULL), 0);
    assert_non_null (strstr (fx->out, "\n  signal add      queue a signal\n"));
    assert_int_equal (s_run (fx, "signal", "help", NULL), 0);
    assert_non_null (strstr (fx->out, "\n  signal add      queue a signal\n"));
    assert_int_equal (s_run (fx, "signal", "add", "--help", NULL), 0);
    const char *add_usage = "usage: t signal add [--db CONNINFO] [--verbose] [--tag TAG]... "
                            "[--canton CODE]\n                    [--title TEXT]\n";
    assert_true (strncmp (fx->out, add_usage, strlen (add_usage)) == 0);
    assert_non_null (strstr (fx->out, "\nqueue a signal\n"));
    assert_non_null (strstr (fx->out, "\n  --title TEXT"));
    assert_non_null (strstr (fx->out, "\n  --canton CODE"));
    assert_int_equal (s_run (fx, "help", "signal", "add", NULL), 0);
    assert_true (strncmp (fx->out, "usage: t signal add ", 20) == 0);
    //  help before a word that is no verb is still an unknown command
    s_run (fx, "help", "bogus", NULL);
    s_assert_usage (fx, "t: unknown command 'bogus'", "usage: t ");
    //  --version, before the verb only
    assert_int_equal (s_run (fx, "--version", NULL), 0);
    assert_string_equal (fx->out, "t 1.2.3\n");
    assert_string_equal (fx->err, "");
}

static void
test_refusal (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "refuse", NULL), CII_CLI_REFUSED);
    assert_string_equal (fx->err, "t refuse: line one line two 2  [2J Genève\n");
    assert_string_equal (fx->out, "");
    assert_int_equal (s_run (fx, "fail", "lemanique", NULL), CII_CLI_REFUSED);
    assert_string_equal (fx->err, "t fail: unknown network lemanique\n");
    //  No limit on the reason's length
    char reason [3000];
    memset (reason, 'x', sizeof reason - 1);
    reason [sizeof reason - 1] = '\0';
    reason [1000] = '\n';
    assert_int_equal (s_run (fx, "refuse", "--reason", reason, NULL), CII_CLI_REFUSED);
    reason [1000] = ' ';
    assert_int_equal (s_lines (fx->err), 1);
    assert_int_equal (strlen (fx->err), strlen ("t refuse: ") + strlen (reason) + 1);
    assert_non_null (strstr (fx->err, reason));
    //  A refusal from the before hook
    fx->app.before_rc = CII_CLI_REFUSED;
    assert_int_equal (s_run (fx, "signal", "add", NULL), CII_CLI_REFUSED);
    assert_string_equal (fx->err, "t signal add: logging not ready\n");
    fx->app.before_rc = 0;
}

static void
test_print_json (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "list", "--json", NULL), 0);
    assert_string_equal (fx->out, "{\"city\":\"Genève\",\"n\":1,\"tags\":[\"a\",\"b\"]}\n");
    assert_string_equal (fx->err, "");
    //  A failed write is refused
    FILE *full = fopen ("/dev/full", "w");
    if (!full)
        skip ();
    char *argv[] = {(char *) "t", (char *) "list", (char *) "--json", NULL};
    s_free_output (fx);
    size_t err_size = 0;
    FILE *err = open_memstream (&fx->err, &err_size);
    assert_non_null (err);
    assert_int_equal (cii_cli_run (&s_program, 3, argv, full, err, &fx->app), CII_CLI_REFUSED);
    fclose (full);
    fclose (err);
    assert_string_equal (fx->err, "t list: cannot write the output\n");
}

static void
test_before_hook (void **state)
{
    s_fixture_t *fx = *state;
    fx->app.before_calls = 0;
    assert_int_equal (s_run (fx, "--db", "A", "show", "x", "--db", "B", NULL), 0);
    assert_int_equal (fx->app.before_calls, 1);
    assert_string_equal (fx->app.trace, "before run ");
    assert_string_equal (fx->app.before_verb, "show");
    assert_string_equal (fx->app.before_db, "B");
    assert_int_equal (s_run (fx, "signal", "import", "f", NULL), 0);
    assert_string_equal (fx->app.before_verb, "signal import");
    assert_int_equal (fx->app.before_calls, 2);
    //  Not for help, version or bad usage
    s_run (fx, "--help", NULL);
    s_run (fx, "show", "--help", NULL);
    s_run (fx, "--version", NULL);
    s_run (fx, "show", NULL);
    s_run (fx, "bogus", NULL);
    assert_int_equal (fx->app.before_calls, 2);
    //  A non-zero result stops before the verb, with that exit code
    fx->app.before_rc = 7;
    assert_int_equal (s_run (fx, "show", "x", NULL), 7);
    assert_string_equal (fx->app.trace, "before ");
    assert_string_equal (fx->out, "");
    fx->app.before_rc = 0;
}

static void
test_long_command_line (void **state)
{
    s_fixture_t *fx = *state;
    enum { N = 5000 };
    char **argv = calloc (3 * N + 6, sizeof *argv);
    char (*words) [16] = calloc (N, sizeof *words);
    char *big = malloc (100001);
    assert_non_null (argv);
    assert_non_null (words);
    assert_non_null (big);
    memset (big, 'v', 100000);
    big [100000] = '\0';
    int argc = 0;
    argv [argc++] = (char *) "t";
    argv [argc++] = (char *) "signal";
    argv [argc++] = (char *) "import";
    for (int i = 0; i < N; i++) {
        snprintf (words [i], sizeof words [i], "f%d", i);
        argv [argc++] = (char *) "--tag";
        argv [argc++] = words [i];
        argv [argc++] = words [i];
    }
    argv [argc++] = (char *) "--canton";
    argv [argc++] = big;
    argv [argc] = NULL;
    assert_int_equal (s_runv (fx, &s_program, argc, argv), 0);
    //  Every value and argument kept, in order
    assert_int_equal (s_lines (fx->out), 1);
    assert_non_null (strstr (fx->out, " tag=f4999[f0,f1,f2,"));
    assert_non_null (strstr (fx->out, ",f4998,f4999] canton=vvvv"));
    assert_non_null (strstr (fx->out, " args=[f0,f1,f2,"));
    assert_non_null (strstr (fx->out, ",f4999]\n"));
    assert_true (strlen (fx->out) > 100000);
    free (big);
    free (words);
    free (argv);
}

static int
s_bare (cii_cli_t *cli)
{
    fprintf (cii_cli_out (cli), "%s %s %d\n", cii_cli_program (cli), cii_cli_verb (cli),
             cii_cli_nargs (cli));
    assert_true (cii_cli_err (cli) != cii_cli_out (cli));
    return CII_CLI_OK;
}

static void
test_bare_program (void **state)
{
    //  No common options, no epilog, no hook, a verb without options, a verb called "help"
    s_fixture_t *fx = *state;
    static const cii_cli_verb_t verbs[] = {
        {"go", s_bare, NULL, NULL, "[ARG...]", 0, -1, "go"},
        {"help", s_bare, NULL, NULL, "", 0, 0, "its own help verb"},
        {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};
    static const cii_cli_program_t program = {"bare", NULL, NULL, verbs, NULL, NULL};
    char *argv[] = {(char *) "/usr/bin/whatever", (char *) "go", (char *) "a", (char *) "b", NULL};
    assert_int_equal (s_runv (fx, &program, 4, argv), 0);
    assert_string_equal (fx->out, "bare go 2\n");
    argv [1] = (char *) "help";
    assert_int_equal (s_runv (fx, &program, 2, argv), 0);
    assert_string_equal (fx->out, "bare help 0\n");
    argv [1] = (char *) "--version";
    assert_int_equal (s_runv (fx, &program, 2, argv), 0);
    assert_string_equal (fx->out, "bare\n");
    argv [1] = (char *) "--help";
    assert_int_equal (s_runv (fx, &program, 2, argv), 0);
    assert_string_equal (s_line (fx, fx->out, 0), "usage: bare COMMAND [ARGS]");
    assert_int_equal (s_runv (fx, &program, 1, argv), CII_CLI_USAGE);
    assert_string_equal (s_line (fx, fx->err, 0), "bare: missing command");
    assert_int_equal (s_runv (fx, &program, 0, NULL), CII_CLI_USAGE);
    argv [1] = (char *) "go";
    argv [2] = (char *) "--x";
    assert_int_equal (s_runv (fx, &program, 3, argv), CII_CLI_USAGE);
    assert_string_equal (s_line (fx, fx->err, 0), "bare go: unknown option --x");
    assert_string_equal (s_line (fx, fx->err, 1), "usage: bare go [ARG...]");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_dispatch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_option_values, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_flags, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_repeatable, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_common_options, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_double_dash_and_dash, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_usage_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_help, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refusal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_print_json, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_before_hook, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_long_command_line, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bare_program, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
