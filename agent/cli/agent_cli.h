/*  agent_cli.h — the cii-agent command line: verbs dispatched from one table {name, handler,
    usage} with nested verbs (`signal add`, `signal import`); every verb but `run` works on the
    SQLite state directly, whether the daemon runs or not. */
#ifndef AGENT_CLI_H_INCLUDED
#define AGENT_CLI_H_INCLUDED

#include <stdio.h>

/*  Runs one command line (argv[0] is the program name) writing results to out and diagnostics
    to err (both borrowed). Returns the exit code: 0 success, 1 refused operation (one line
    reason on err), 2 bad usage. */
int agent_cli_run (int argc, char **argv, FILE *out, FILE *err);

/*  agent_cli_run on stdout and stderr; czmq log lines are off (on stderr with CII_AGENT_VERBOSE=1)
    so stdout stays clean for --json (except for `run`, which logs to stderr). */
int agent_cli_main (int argc, char **argv);

#endif
