/*  unit_pg.h — shared by the unit tests that use the CTest PostgreSQL fixture: run SQL on the
    maintenance database of the PG* environment (to create and drop each test's own database).
    Include after <cmocka.h> and <libpq-fe.h>. */
#ifndef UNIT_PG_H_INCLUDED
#define UNIT_PG_H_INCLUDED

static inline void
s_quiet (void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

//  Runs sql on the maintenance database (PG* environment, normally "postgres"); fails the test
//  on an error. Server notices ("does not exist, skipping") are not printed.
static inline void
s_admin (const char *sql)
{
    PGconn *conn = PQconnectdb ("");
    assert_int_equal (PQstatus (conn), CONNECTION_OK);
    PQsetNoticeProcessor (conn, s_quiet, NULL);
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (conn));
    PQclear (res);
    PQfinish (conn);
}

#endif
