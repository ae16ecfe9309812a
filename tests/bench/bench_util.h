/*  bench_util.h — what the hub's database benches share (bench_agenda, bench_monitor,
    bench_similar, bench_similar_quality): dying with a message, running set-up SQL, a summary of
    timings, and a fresh hub database made for the run and dropped after it. */
#ifndef BENCH_UTIL_H_INCLUDED
#define BENCH_UTIL_H_INCLUDED

#include <libpq-fe.h>
#include <stdbool.h>

#include "hub_store.h"

/*  Names the bench in its messages ("bench_monitor"); name is borrowed (a literal). */
void bench_init (const char *name);

/*  Prints "NAME: what[: detail]" on stderr and exits with 1. */
void bench_die (const char *what, const char *detail);

/*  Runs sql on conn (a statement or a query, no parameters); dies when it fails. */
void bench_exec (PGconn *conn, const char *sql);

/*  Sorts the n timings ms (milliseconds) and prints one line: what (padded to width), n, mean,
    p50, p95 and max. */
void bench_report (const char *what, int width, double *ms, int n);

/*  A database for one run: created from the PG* environment, the hub schema migrated. */
typedef struct {
    char dbname [64];
    char conninfo [128];    /* "dbname=..." */
    bool keep;              /* a name given: kept after the run */
    PGconn *admin;          /* the connection that created it (and drops it) */
    PGconn *conn;           /* to it, for set-up SQL */
    hub_store_t *store;     /* to it, as the hub's store */
} bench_db_t;

/*  Creates the database keep, or prefix_PID when keep is NULL, migrates the hub schema and
    connects; dies on any failure. */
void bench_db_open (bench_db_t *self, const char *prefix, const char *keep);

/*  Disconnects, and drops the database unless it was kept. */
void bench_db_close (bench_db_t *self);

#endif
