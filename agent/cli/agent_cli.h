/*  agent_cli.h — the cii-agent command line on the common framework (common/cii_cli.h): the
    verb table of the program (agent_cli.c) and one small file per verb group (agent_cli_setup.c:
    init, run, status; agent_cli_signal.c: signal add, signal import, signals;
    agent_cli_notices.c: notices; agent_cli_request.c: request new|edit|merge|split|forward|
    withdraw, requests, show, similar). Every verb parses, calls a service (agent/service) and prints;
    all but `run` work on the SQLite state directly, whether the daemon runs or not. */
#ifndef AGENT_CLI_H_INCLUDED
#define AGENT_CLI_H_INCLUDED

#include <stdio.h>

/*  Runs one command line (argv[0] is the program name) writing results to out and diagnostics
    to err (both borrowed). Returns the exit code: 0 success, 1 refused operation (one line
    "cii-agent VERB: reason" on err), 2 bad usage. The verbs but `run` keep czmq's log lines off
    (on stderr with CII_AGENT_VERBOSE=1), so stdout stays clean for --json; `run` logs on
    stderr. */
int agent_cli_run (int argc, char **argv, FILE *out, FILE *err);

/*  agent_cli_run on stdout and stderr. */
int agent_cli_main (int argc, char **argv);

#endif
