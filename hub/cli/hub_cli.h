/*  hub_cli.h — the cii-hub command line (common/cii_cli framework): the common options --db and
    --verbose, and the verbs init, serve, enroll, revoke, agents, signals, notice, notices (one file
    per group in hub/cli). Exit codes: 0 success, 1 refused operation (one line "cii-hub VERB:
    reason" on the error stream), 2 bad usage. */
#ifndef HUB_CLI_H_INCLUDED
#define HUB_CLI_H_INCLUDED

#include <stdio.h>

/*  Runs `cii-hub ARGS...` (argv[0] the program path, ignored) writing results to out and reasons,
    usage and, with --verbose (or for serve), log lines to err, so tests can capture both; out and
    err are borrowed and no longer used once it returns (logging is off again). Returns the
    process exit code (0, 1 or 2). */
int hub_cli_run (int argc, char **argv, FILE *out, FILE *err);

/*  hub_cli_run on stdout and stderr: what main() calls. */
int hub_cli_main (int argc, char **argv);

#endif
