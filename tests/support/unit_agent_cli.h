/*  unit_agent_cli.h — the agent's command-line tests: an agent's files (unit_agent) and
    `cii-agent ARGS...` run in process (agent_cli_run through unit_cli), with CII_AGENT_STATE unset
    so that every run names its state. A test's fixture embeds a unit_agent_cli_t and adds its own
    fields. Links the agent library (the cii_unit_agent target). */
#ifndef UNIT_AGENT_CLI_H_INCLUDED
#define UNIT_AGENT_CLI_H_INCLUDED

#include "agent_store.h"
#include "unit_agent.h"
#include "unit_cli.h"

typedef struct {
    unit_agent_t *agent;        /* directory, state path, bundle, scratch file */
    unit_cli_t run;             /* the last run */
} unit_agent_cli_t;

/*  Makes self->agent (unit_agent_new (label, network, cantons, endpoint)) and unsets
    CII_AGENT_STATE; self is the caller's, zeroed (calloc). */
void unit_agent_cli_init (unit_agent_cli_t *self, const char *label, const char *network, const char *cantons,
                          const char *endpoint);

/*  Frees the last run's output and destroys the agent's files (safe twice). */
void unit_agent_cli_clear (unit_agent_cli_t *self);

/*  Runs `cii-agent ARGS...` (NULL-terminated) into self->run; with CII_TEST_SHOW set, writes the
    exit code and both streams to stderr. Returns the exit code. */
int unit_agent_cli_run (unit_agent_cli_t *self, ...) __attribute__ ((sentinel));

/*  unit_agent_cli_run, and the test fails ("exit N: " and stderr) unless the run exits 0. */
void unit_agent_cli_ok (unit_agent_cli_t *self, ...) __attribute__ ((sentinel));

/*  Opens the agent's state (agent_setup_open): a handle for the test (agent_store_destroy it);
    fails the test when it cannot. */
agent_store_t *unit_agent_cli_open (unit_agent_cli_t *self);

#endif
