/*  hub_cli.h — the cii-hub command line: global options, verb dispatch from one table, and the
    verbs init, serve, enroll, revoke, agents, signals, notice, notices. Exit codes: 0 success,
    1 refused operation (one line on the error stream), 2 bad usage. */
#ifndef HUB_CLI_H_INCLUDED
#define HUB_CLI_H_INCLUDED

#include <stdio.h>

/*  Runs `cii-hub ARGS...` with argv[0] the program name, writing results to out and reasons /
    usage to err (so tests can capture both). Returns the process exit code (0, 1 or 2). */
int hub_cli_run (int argc, char **argv, FILE *out, FILE *err);

/*  hub_cli_run on stdout and stderr: what main() calls. */
int hub_cli_main (int argc, char **argv);

#endif
