/*  unit_cli.h — runs a program's command line in the test's process (hub_cli_run, agent_cli_run:
    any function of the shape int (argc, argv, out, err)) with its output captured in memory, and
    reads that output line by line. */
#ifndef UNIT_CLI_H_INCLUDED
#define UNIT_CLI_H_INCLUDED

#include <stdarg.h>
#include <stdio.h>

/*  A command line's entry point, as hub_cli_run. */
typedef int (unit_cli_fn) (int argc, char **argv, FILE *out, FILE *err);

/*  One run: the exit code and everything written to out and to err (never NULL after a run). */
typedef struct {
    int status;
    char *out;
    char *err;
} unit_cli_t;

/*  Runs fn with argv = head (NULL-terminated: the program name and any fixed arguments, e.g.
    "cii-hub", "--db", CONNINFO) followed by the NULL-terminated args, capturing both streams into
    result (its previous output freed). Returns result->status. At most 63 arguments in all. */
int unit_cli_run (unit_cli_t *result, unit_cli_fn *fn, const char *const *head, ...) __attribute__ ((sentinel));
int unit_cli_run_va (unit_cli_t *result, unit_cli_fn *fn, const char *const *head, va_list args);

/*  Frees the output of a run (safe twice; the struct may then be reused). */
void unit_cli_free (unit_cli_t *result);

/*  Number of newline characters in text. */
int unit_lines (const char *text);

/*  Line n (0-based, without its newline) of text, copied into buf[size] ("" past the end). */
const char *unit_line (const char *text, int n, char *buf, size_t size);

#endif
