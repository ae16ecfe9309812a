/*  unit_pg.h — PostgreSQL for the unit tests: every test gets its own fresh database, created over
    the PG* environment the CTest fixture "pg" sets (PGHOST, PGUSER, PGDATABASE = the maintenance
    database) and dropped WITH (FORCE) at the end, and a few one-line queries for assertions. A
    failure here fails the running cmocka test (these are test helpers, not product code).
    Migrating the database is the business of the store under test (see unit_hub.h). */
#ifndef UNIT_PG_H_INCLUDED
#define UNIT_PG_H_INCLUDED

#include <stdbool.h>

typedef struct {
    char dbname [64];           /* cii_u_LABEL_PID_N */
    char conninfo [96];         /* "dbname=..." (host and user from the PG* environment) */
} unit_pg_t;

/*  Creates a fresh, empty UTF-8 database named after label ([a-z0-9_], cut to fit) and this
    process. Never NULL: fails the test when PostgreSQL refuses. */
unit_pg_t *unit_pg_new (const char *label);

/*  Drops the database (WITH (FORCE): open connections are closed) and frees; sets *self_p to NULL;
    safe on NULL. */
void unit_pg_destroy (unit_pg_t **self_p);

/*  Runs sql (one or several statements, no parameters) on the maintenance database. Fails the test
    on an error; server notices ("... does not exist, skipping") are not printed. */
void unit_pg_admin (const char *sql);

/*  Runs the printf-formatted statements on the test's database (write %% for a literal %). Fails
    the test on an error. */
void unit_pg_exec (const unit_pg_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

/*  The first column of the first row of a formatted query, as a number (0 when there is no row or
    it is NULL) or as a new string (free; "" when no row or NULL). Fail the test on an error. */
long long unit_pg_int (const unit_pg_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
char *unit_pg_text (const unit_pg_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

/*  Closes every other session on the test's database (pg_terminate_backend), as a lost connection
    looks to a client; returns how many were closed. */
int unit_pg_terminate (const unit_pg_t *self);

#endif
