/*  unit_pg.c — a fresh PostgreSQL database per test and one-line queries (see unit_pg.h). */
#include "unit_pg.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
s_quiet (void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

//  Connects with conninfo ("" = the PG* environment) or fails the test.
static PGconn *
s_connect (const char *conninfo)
{
    PGconn *conn = PQconnectdb (conninfo);
    if (!conn || PQstatus (conn) != CONNECTION_OK)
        fail_msg ("cannot connect to PostgreSQL (%s): %s", *conninfo ? conninfo : "PG* environment",
                  conn ? PQerrorMessage (conn) : "out of memory");
    PQsetNoticeProcessor (conn, s_quiet, NULL);
    PQsetClientEncoding (conn, "UTF8");
    return conn;
}

//  Runs sql on conninfo; returns the first column of the first row as a new string ("" when none).
static char *
s_run (const char *conninfo, const char *sql)
{
    PGconn *conn = s_connect (conninfo);
    PGresult *res = PQexec (conn, sql);
    ExecStatusType status = PQresultStatus (res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        char message [512];
        snprintf (message, sizeof message, "%s", PQerrorMessage (conn));
        PQclear (res);
        PQfinish (conn);
        fail_msg ("%s: %s", sql, message);
    }
    bool value = status == PGRES_TUPLES_OK && PQntuples (res) > 0 && PQnfields (res) > 0;
    char *text = strdup (value ? PQgetvalue (res, 0, 0) : "");
    PQclear (res);
    PQfinish (conn);
    assert_non_null (text);
    return text;
}

//  Formats the query and runs it on the test's database: s_run's answer.
static char *
s_run_v (const unit_pg_t *self, const char *format, va_list args)
{
    assert_non_null (self);
    char *sql = NULL;
    if (vasprintf (&sql, format, args) < 0)
        fail_msg ("out of memory");
    char *text = s_run (self->conninfo, sql);
    free (sql);
    return text;
}

unit_pg_t *
unit_pg_new (const char *label)
{
    static int counter;
    unit_pg_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    char clean [24] = "";
    size_t n = 0;
    for (const char *p = label ? label : "test"; *p && n < sizeof clean - 1; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
            clean [n++] = *p;
    clean [n] = 0;
    snprintf (self->dbname, sizeof self->dbname, "cii_u_%s_%d_%d", clean, (int) getpid (), ++counter);
    snprintf (self->conninfo, sizeof self->conninfo, "dbname=%s", self->dbname);
    char sql [160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", self->dbname);
    unit_pg_admin (sql);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", self->dbname);
    unit_pg_admin (sql);
    return self;
}

void
unit_pg_destroy (unit_pg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    char sql [160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", (*self_p)->dbname);
    free (*self_p);
    *self_p = NULL;
    unit_pg_admin (sql);
}

void
unit_pg_admin (const char *sql)
{
    free (s_run ("", sql));
}

void
unit_pg_exec (const unit_pg_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    free (s_run_v (self, format, args));
    va_end (args);
}

long long
unit_pg_int (const unit_pg_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = s_run_v (self, format, args);
    va_end (args);
    long long value = atoll (text);
    free (text);
    return value;
}

char *
unit_pg_text (const unit_pg_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = s_run_v (self, format, args);
    va_end (args);
    return text;
}

int
unit_pg_terminate (const unit_pg_t *self)
{
    assert_non_null (self);
    char sql [256];
    snprintf (sql, sizeof sql,
              "SELECT count (pg_terminate_backend (pid)) FROM pg_stat_activity "
              "WHERE datname = '%s' AND pid <> pg_backend_pid ()", self->dbname);
    char *text = s_run ("", sql);
    int count = atoi (text);
    free (text);
    return count;
}
