/*  unit_hub_cli.h — the hub's command-line tests: a hub (unit_hub) and `cii-hub --db CONNINFO
    ARGS...` run in process against it (hub_cli_run through unit_cli), the last run's output read
    line by line, and the one-line refusal every verb gives (exit 1). A test's fixture embeds a
    unit_hub_cli_t and adds its own fields. Links the hub library (the cii_unit_hub target). */
#ifndef UNIT_HUB_CLI_H_INCLUDED
#define UNIT_HUB_CLI_H_INCLUDED

#include <stdarg.h>
#include <stdbool.h>

#include "unit_cli.h"
#include "unit_hub.h"

typedef struct {
    unit_hub_t *hub;            /* the test's hub: database, store, directory */
    unit_cli_t run;             /* the last run */
    char line [1024];           /* the last line read by unit_hub_cli_err_line / _out_line */
} unit_hub_cli_t;

/*  Makes self->hub (unit_hub_new (label, migrate)); self is the caller's, zeroed (calloc). */
void unit_hub_cli_init (unit_hub_cli_t *self, const char *label, bool migrate);

/*  Frees the last run's output and destroys the hub (safe twice). */
void unit_hub_cli_clear (unit_hub_cli_t *self);

/*  Runs `cii-hub --db CONNINFO ARGS...` (ARGS NULL-terminated) into self->run. Returns the exit
    code. */
int unit_hub_cli_run (unit_hub_cli_t *self, ...) __attribute__ ((sentinel));

/*  unit_hub_cli_run, and the test fails ("exit N: " and stderr) unless the run exits 0. */
void unit_hub_cli_ok (unit_hub_cli_t *self, ...) __attribute__ ((sentinel));

/*  Line n (0-based) of the last run's stderr / stdout, borrowed: self->line, until the next call. */
const char *unit_hub_cli_err_line (unit_hub_cli_t *self, int n);
const char *unit_hub_cli_out_line (unit_hub_cli_t *self, int n);

/*  Asserts a refusal: exit 1, nothing on stdout, exactly one line on stderr and it is expect. */
void unit_hub_cli_assert_refused (unit_hub_cli_t *self, const char *expect);

#endif
