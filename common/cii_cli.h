/*  cii_cli.h — the one command-line framework of cii-hub and cii-agent (PgBouncer admin.c style
    dispatch by table). A program is a table of verbs, possibly nested ("signal add"), each with
    its own options and positional arguments; `--help` is generated from the table at every level;
    options common to the whole program (cii-hub --db, cii-agent --state) may come before the verb
    or after it. Exit codes: 0 success, 1 refused (one line "PROG VERB: reason" on the error
    stream), 2 bad usage ("PROG VERB: reason" then "usage: ..."). A verb is a small function that
    reads its options, calls the service layer and prints: no business rule lives in a CLI file. */
#ifndef CII_CLI_H_INCLUDED
#define CII_CLI_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>

#include "cii_json.h"
#include "cii_rc.h"

#define CII_CLI_OK      0
#define CII_CLI_REFUSED 1
#define CII_CLI_USAGE   2

typedef struct _cii_cli_t cii_cli_t;

/*  A verb's handler; returns the exit code (use the helpers below to refuse or to report bad
    usage). */
typedef int (cii_cli_fn) (cii_cli_t *cli);

/*  One long option: `--name VALUE` or `--name=VALUE`, or a flag `--name` when value is NULL.
    Tables end with an entry whose name is NULL. An option given twice is bad usage, unless
    `repeat` is set: then cii_cli_opt_at reads every value in order. */
typedef struct {
    const char *name;       /* without the leading "--", e.g. "state" */
    const char *value;      /* placeholder shown in --help ("DIR"); NULL for a flag */
    const char *help;       /* one line for --help */
    bool repeat;            /* may be given several times */
} cii_cli_opt_t;

/*  One verb, or a group of nested verbs (run == NULL, sub != NULL). Tables end with an entry whose
    name is NULL. */
typedef struct cii_cli_verb {
    const char *name;                   /* "add" */
    cii_cli_fn *run;                    /* NULL for a group */
    const struct cii_cli_verb *sub;     /* nested verbs of a group, else NULL */
    const cii_cli_opt_t *opts;          /* the verb's own options (NULL: none); --help is implied */
    const char *args;                   /* positional synopsis for --help, e.g. "NETWORK" ("" none) */
    int min_args;                       /* positional arguments required ... */
    int max_args;                       /* ... and allowed (-1: any number) */
    const char *summary;                /* one line for the verb list and --help */
} cii_cli_verb_t;

/*  A program. */
typedef struct {
    const char *name;                   /* "cii-hub" */
    const char *version;                /* "--version" prints "NAME VERSION" */
    const cii_cli_opt_t *common;        /* accepted before the verb and by every verb (may be NULL) */
    const cii_cli_verb_t *verbs;
    const char *epilog;                 /* lines after the verb list of the main --help (may be NULL) */
    cii_cli_fn *before;                 /* called after a successful parse, before the verb runs
                                           (logging set-up); non-zero stops with that exit code */
} cii_cli_program_t;

/*  Parses argv (argv[0] is the program path and is ignored), finds the verb, parses its options
    and runs it; --help / -h anywhere prints the help of the deepest verb named so far to out and
    exits 0. out and err are borrowed; app is handed to the verb through cii_cli_app. Returns the
    exit code. Both streams are flushed before it returns.

    The command line, in detail:
    - Words name the verb, then the sub-verb of a group; what follows a runnable verb is its
      options and positional arguments, in any order. `help` in place of a command word (when no
      verb is called "help") is --help for what is named after it: `PROG help signal add`.
    - Options are long only: `--name VALUE`, `--name=VALUE` (the value may be empty), `--flag`;
      `-h` is --help; no abbreviations, no other short options. A separate VALUE is taken as it
      is, even when it starts with '-'. `--` ends the options (before the verb too); a lone `-`
      is a positional argument.
    - Before the verb: the common options and --version (only there: "NAME VERSION" on out,
      exit 0). Between a group and its sub-verb: the group's options and the common ones. After
      the verb: its own options, its groups' (so a group's options are inherited by its
      sub-verbs) and the common ones.
    - An option given twice on the same side of the verb is bad usage (unless repeat); given
      before and after the verb, the value after wins (cii_cli_opt), and cii_cli_opt_at still
      sees both, in order.
    - --help wins over a mistake in the options that comes before it, not over an unknown command.
    - Usage errors: before the verb "PROG: reason" then the main help, on err; inside a group
      "PROG GROUP: reason" then the group's help; for a verb "PROG VERB: reason" then
      "usage: PROG VERB [--opt VALUE]... ARGS" (wrapped at 80 columns). Exit 2. Reasons:
      "missing command", "unknown command 'x'", "unknown option --x", "--x needs a value",
      "--x takes no value", "--x given twice", "missing argument ARGS", "unexpected argument 'x'".
    - Which options are required, and the checks of their values, are the verb's business (it
      calls cii_cli_usage); --help shows every option as optional.
    - program->before runs only when the parse succeeded (not for --help, --version or a usage
      error), with the verb already known (cii_cli_verb, cii_cli_opt work).
    - Nothing is kept between calls: tests may call it any number of times in one process.
      Values returned by cii_cli_opt / cii_cli_arg point into argv; cii_cli_verb's string lives
      until cii_cli_run returns. */
int cii_cli_run (const cii_cli_program_t *program, int argc, char **argv, FILE *out, FILE *err, void *app);

/*  --- inside a verb ----------------------------------------------------------------------- */

/*  The value of option name (the verb's own or a common one, given before or after the verb; a
    value given after the verb wins); "" for a flag that was given; NULL when absent. For a
    repeatable option, its last value. */
const char *cii_cli_opt (cii_cli_t *cli, const char *name);

/*  Value number index (0-based) of a repeatable option, in command-line order; NULL past the end. */
const char *cii_cli_opt_at (cii_cli_t *cli, const char *name, int index);

/*  How many values option name was given (repeatable options: cii_cli_opt_at 0 .. count - 1). */
int cii_cli_opt_count (cii_cli_t *cli, const char *name);

/*  True if the flag or option name was given. */
bool cii_cli_flag (cii_cli_t *cli, const char *name);

/*  True if --json was given (verbs that list things declare it in their options). */
bool cii_cli_json (cii_cli_t *cli);

/*  Positional arguments after the verb. */
int cii_cli_nargs (cii_cli_t *cli);
const char *cii_cli_arg (cii_cli_t *cli, int index);

/*  The streams and the caller's context given to cii_cli_run. */
FILE *cii_cli_out (cii_cli_t *cli);
FILE *cii_cli_err (cii_cli_t *cli);
void *cii_cli_app (cii_cli_t *cli);

/*  The full name of the running verb ("signal add"), and the program name ("cii-agent"). */
const char *cii_cli_verb (cii_cli_t *cli);
const char *cii_cli_program (cii_cli_t *cli);

/*  A refused operation: writes "PROG VERB: reason" (one line: newlines, tabs and the other
    control characters become spaces, trailing spaces go) to the error stream and returns
    CII_CLI_REFUSED. */
int cii_cli_refuse (cii_cli_t *cli, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

/*  cii_cli_refuse with err->text as the reason. */
int cii_cli_fail (cii_cli_t *cli, const cii_err_t *err);

/*  Bad usage: writes "PROG VERB: reason" and "usage: PROG VERB SYNOPSIS" to the error stream and
    returns CII_CLI_USAGE. */
int cii_cli_usage (cii_cli_t *cli, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

/*  Prints value (taking the reference) as one compact JSON line on the output stream; returns
    CII_CLI_OK, or refuses when the write failed. */
int cii_cli_print_json (cii_cli_t *cli, json_t *value);

#endif
