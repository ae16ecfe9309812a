/*  unit_hub_cli.c — cii-hub run in process against a test's hub (see unit_hub_cli.h). */
#include "unit_hub_cli.h"

#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hub_cli.h"

void
unit_hub_cli_init (unit_hub_cli_t *self, const char *label, bool migrate)
{
    assert_non_null (self);
    self->hub = unit_hub_new (label, migrate);
}

void
unit_hub_cli_clear (unit_hub_cli_t *self)
{
    if (!self)
        return;
    unit_cli_free (&self->run);
    unit_hub_destroy (&self->hub);
}

static int
s_run_va (unit_hub_cli_t *self, va_list args)
{
    const char *head [] = { "cii-hub", "--db", self->hub->pg->conninfo, NULL };
    return unit_cli_run_va (&self->run, hub_cli_run, head, args);
}

int
unit_hub_cli_run (unit_hub_cli_t *self, ...)
{
    va_list args;
    va_start (args, self);
    int status = s_run_va (self, args);
    va_end (args);
    return status;
}

void
unit_hub_cli_ok (unit_hub_cli_t *self, ...)
{
    va_list args;
    va_start (args, self);
    int status = s_run_va (self, args);
    va_end (args);
    if (status != 0)
        fail_msg ("exit %d: %s", status, self->run.err);
}

const char *
unit_hub_cli_err_line (unit_hub_cli_t *self, int n)
{
    return unit_line (self->run.err, n, self->line, sizeof self->line);
}

const char *
unit_hub_cli_out_line (unit_hub_cli_t *self, int n)
{
    return unit_line (self->run.out, n, self->line, sizeof self->line);
}

void
unit_hub_cli_assert_refused (unit_hub_cli_t *self, const char *expect)
{
    if (self->run.status != 1 || strcmp (unit_hub_cli_err_line (self, 0), expect) != 0)
        fail_msg ("exit %d, stderr \"%s\", expected 1 \"%s\"", self->run.status, self->run.err, expect);
    assert_string_equal (self->run.out, "");
    assert_int_equal (unit_lines (self->run.err), 1);
}
