/*  unit_agent_cli.c — cii-agent run in process on a test's agent files (see unit_agent_cli.h). */
#include "unit_agent_cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "agent_cli.h"
#include "agent_setup.h"

static const char *const s_program [] = { "cii-agent", NULL };

void
unit_agent_cli_init (unit_agent_cli_t *self, const char *label, const char *network, const char *cantons,
                     const char *endpoint)
{
    assert_non_null (self);
    self->agent = unit_agent_new (label, network, cantons, endpoint);
    unsetenv ("CII_AGENT_STATE");
}

void
unit_agent_cli_clear (unit_agent_cli_t *self)
{
    if (!self)
        return;
    unit_cli_free (&self->run);
    unit_agent_destroy (&self->agent);
}

static int
s_run_va (unit_agent_cli_t *self, va_list args)
{
    int status = unit_cli_run_va (&self->run, agent_cli_run, s_program, args);
    if (getenv ("CII_TEST_SHOW"))
        fprintf (stderr, "[%d]\n%s%s", status, self->run.out, self->run.err);
    return status;
}

int
unit_agent_cli_run (unit_agent_cli_t *self, ...)
{
    va_list args;
    va_start (args, self);
    int status = s_run_va (self, args);
    va_end (args);
    return status;
}

void
unit_agent_cli_ok (unit_agent_cli_t *self, ...)
{
    va_list args;
    va_start (args, self);
    int status = s_run_va (self, args);
    va_end (args);
    if (status != 0)
        fail_msg ("exit %d: %s", status, self->run.err);
}

agent_store_t *
unit_agent_cli_open (unit_agent_cli_t *self)
{
    cii_err_t err;
    agent_store_t *store = agent_setup_open (self->agent->state, NULL, &err);
    if (!store)
        fail_msg ("open: %s", err.text);
    return store;
}
