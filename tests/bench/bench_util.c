/*  bench_util.c — what the hub's database benches share (see bench_util.h). */
#include "bench_util.h"

#include "hub_store_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *s_name = "bench";

void
bench_init (const char *name)
{
    s_name = name;
}

void
bench_die (const char *what, const char *detail)
{
    fprintf (stderr, "%s: %s%s%s\n", s_name, what, detail ? ": " : "", detail ? detail : "");
    exit (1);
}

void
bench_exec (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        bench_die (sql, PQerrorMessage (conn));
    PQclear (res);
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

void
bench_report (const char *what, int width, double *ms, int n)
{
    qsort (ms, (size_t) n, sizeof *ms, s_cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms [i];
    printf ("%-*s n %4d  mean %7.1f ms  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms\n", width, what, n, sum / n,
            ms [n / 2], ms [(int) (n * 0.95) < n ? (int) (n * 0.95) : n - 1], ms [n - 1]);
}

void
bench_db_open (bench_db_t *self, const char *prefix, const char *keep)
{
    char sql [256];
    self->keep = keep != NULL;
    if (keep)
        snprintf (self->dbname, sizeof self->dbname, "%s", keep);
    else
        snprintf (self->dbname, sizeof self->dbname, "%s_%d", prefix, (int) getpid ());
    self->admin = PQconnectdb ("");
    if (PQstatus (self->admin) != CONNECTION_OK)
        bench_die ("cannot connect", PQerrorMessage (self->admin));
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", self->dbname);
    bench_exec (self->admin, sql);
    snprintf (self->conninfo, sizeof self->conninfo, "dbname=%s", self->dbname);
    self->store = hub_store_new (self->conninfo, NULL);
    int version = 0;
    if (!self->store || hub_store_migrate (self->store, &version, NULL) != CII_OK)
        bench_die ("cannot prepare the hub schema", NULL);
    self->conn = PQconnectdb (self->conninfo);
    if (PQstatus (self->conn) != CONNECTION_OK)
        bench_die ("cannot connect", PQerrorMessage (self->conn));
}

void
bench_db_close (bench_db_t *self)
{
    char sql [256];
    hub_store_destroy (&self->store);
    PQfinish (self->conn);
    self->conn = NULL;
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", self->dbname);
    if (!self->keep)
        bench_exec (self->admin, sql);
    PQfinish (self->admin);
    self->admin = NULL;
}
