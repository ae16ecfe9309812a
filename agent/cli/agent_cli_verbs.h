/*  agent_cli_verbs.h — inside the cii-agent command line: the verbs of each group file and the
    helpers they share (the state directory, opening the state). Not for other layers. */
#ifndef AGENT_CLI_VERBS_H_INCLUDED
#define AGENT_CLI_VERBS_H_INCLUDED

#include "agent_store.h"
#include "cii_bundle.h"
#include "cii_cli.h"

/*  agent_cli_setup.c */
int agent_cli_init (cii_cli_t *cli);
int agent_cli_daemon (cii_cli_t *cli);
int agent_cli_status (cii_cli_t *cli);

/*  agent_cli_signal.c */
int agent_cli_signal_add (cii_cli_t *cli);
int agent_cli_signal_import (cii_cli_t *cli);
int agent_cli_signals (cii_cli_t *cli);

/*  agent_cli_notices.c */
int agent_cli_notices (cii_cli_t *cli);

/*  The state directory: --state DIR, else CII_AGENT_STATE; NULL after a usage error (exit 2,
    which *code_p receives). */
const char *agent_cli_state_dir (cii_cli_t *cli, int *code_p);

/*  Opens the state named by --state / CII_AGENT_STATE, with its configuration in *config (may be
    NULL). NULL after a usage error or a refusal; *code_p receives the exit code. */
agent_store_t *agent_cli_open (cii_cli_t *cli, cii_bundle_t *config, int *code_p);

#endif
