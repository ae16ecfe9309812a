/*  hub_cli_verbs.h — inside hub/cli only: the verbs of cii-hub (one file per group: hub_cli_setup.c
    init and serve, hub_cli_agents.c enroll, revoke and agents, hub_cli_signals.c signals,
    hub_cli_notices.c notice and notices) and the few helpers they share. The program table that
    names them is in hub_cli.c. */
#ifndef HUB_CLI_VERBS_H_INCLUDED
#define HUB_CLI_VERBS_H_INCLUDED

#include <stdint.h>

#include "cii_cli.h"
#include "hub_store.h"

int hub_cli_init (cii_cli_t *cli);
int hub_cli_serve (cii_cli_t *cli);
int hub_cli_enroll (cii_cli_t *cli);
int hub_cli_revoke (cii_cli_t *cli);
int hub_cli_agents (cii_cli_t *cli);
int hub_cli_signals (cii_cli_t *cli);
int hub_cli_notice (cii_cli_t *cli);
int hub_cli_notices (cii_cli_t *cli);

/*  The store of --db (else the PG* environment), its schema checked (hub_setup_connect). NULL
    after printing the refusal; *code then holds the exit code. */
hub_store_t *hub_cli_connect (cii_cli_t *cli, int *code);

/*  Unix milliseconds as ISO 8601 UTC for a table, "-" when 0 (never). */
void hub_cli_time (int64_t ms, char buf [32]);

#endif
