/*  hub_store.c — the hub's PostgreSQL connection core (see hub_store.h): connect and
    reconnect, the one statement wrapper that checks results and keeps the error and SQLSTATE,
    rows, joinable transactions, array literals, LISTEN/NOTIFY. The aggregates (hub_store_*.c)
    use only this API. */
#include "hub_store.h"
#include "hub_store_internal.h"

#include <assert.h>
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#define S_MAX_CHANNELS  8
#define S_MAX_PREPARED  16

struct _hub_store_t {
    PGconn *conn;
    char *conninfo;                         //  as given ("" = PG* environment)
    bool broken;                            //  connection lost: reconnect before anything else
    char *channels [S_MAX_CHANNELS];        //  LISTENed, again after a reconnect
    size_t n_channels;
    const char *prepared [S_MAX_PREPARED];  //  statement names prepared on this connection
    size_t n_prepared;
    char error [512];
    char sqlstate [6];
    char constraint [64];                   //  constraint named by the last integrity error
};

struct _hub_rows_t {
    PGresult *res;
    int row;                                //  current row, -1 before the first
    int count;
};

//  --------------------------------------------------------------------------------------------
//  Errors

void
hub_store_set_error (hub_store_t *self, const char *what, const char *message)
{
    assert (self);
    snprintf (self->error, sizeof self->error, "%s: %s", what, message && *message ? message : "unknown error");
    for (char *p = self->error; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen (self->error);
    while (len > 0 && self->error [len - 1] == ' ')
        self->error [--len] = 0;
}

//  Checks one result against the expected status. Keeps the error text and SQLSTATE, flags a lost
//  connection (class 08 or CONNECTION_BAD). Does not clear res. 0 ok, -1 failed.
static int
s_check (hub_store_t *self, PGresult *res, const char *what, ExecStatusType expect)
{
    ExecStatusType status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
    if (res && status == expect) {
        self->sqlstate [0] = 0;
        self->constraint [0] = 0;
        return 0;
    }
    const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
    snprintf (self->sqlstate, sizeof self->sqlstate, "%s", state ? state : "");
    const char *constraint = res ? PQresultErrorField (res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    snprintf (self->constraint, sizeof self->constraint, "%s", constraint ? constraint : "");
    const char *message = res ? PQresultErrorMessage (res) : "";
    if (!message || !*message)
        message = PQerrorMessage (self->conn);
    if (res && status != expect && (!message || !*message))
        message = PQresStatus (status);
    hub_store_set_error (self, what, message);
    if (strncmp (self->sqlstate, "08", 2) == 0 || PQstatus (self->conn) == CONNECTION_BAD) {
        self->broken = true;
        if (!self->sqlstate [0])
            snprintf (self->sqlstate, sizeof self->sqlstate, "08006");
    }
    //  Integrity violations are expected answers (unknown network, already enrolled): the caller
    //  maps them to a result code and logs; everything else is logged here.
    if (strncmp (self->sqlstate, "23", 2) != 0)
        zsys_error ("hub store: %s%s", self->error, self->broken ? " (connection lost)" : "");
    return -1;
}

const char *
hub_store_error (hub_store_t *self)
{
    return self ? self->error : "no store";
}

const char *
hub_store_sqlstate (hub_store_t *self)
{
    return self ? self->sqlstate : "";
}

const char *
hub_store_constraint (hub_store_t *self)
{
    return self ? self->constraint : "";
}

cii_rc_t
hub_store_rc (hub_store_t *self)
{
    assert (self);
    const char *s = self->sqlstate;
    if (self->broken || strncmp (s, "08", 2) == 0 || strncmp (s, "53", 2) == 0
    ||  streq (s, "40001") || streq (s, "40P01") || streq (s, "57014") || streq (s, "55P03")
    ||  streq (s, "57P01") || streq (s, "57P02") || streq (s, "57P03"))
        return CII_UNAVAILABLE;
    if (streq (s, "23505"))
        return CII_CONFLICT;
    if (streq (s, "23503"))
        return CII_NOT_FOUND;
    if (strncmp (s, "23", 2) == 0 || strncmp (s, "22", 2) == 0)
        return CII_BAD_INPUT;
    return CII_FAILED;
}

cii_rc_t
hub_store_fail (hub_store_t *self, cii_err_t *err)
{
    cii_rc_t rc = hub_store_rc (self);
    cii_err_set (err, rc, "%s", self->error [0] ? self->error : "database error");
    return rc;
}

//  True if the store can run a statement now; records an error otherwise.
static bool
s_usable (hub_store_t *self, const char *what)
{
    if (self->conn && !self->broken && PQstatus (self->conn) == CONNECTION_OK)
        return true;
    self->broken = true;
    snprintf (self->sqlstate, sizeof self->sqlstate, "08006");
    hub_store_set_error (self, what, "not connected to PostgreSQL");
    return false;
}

//  --------------------------------------------------------------------------------------------
//  Statements and rows

static hub_rows_t *
s_rows_new (PGresult *res)
{
    hub_rows_t *rows = calloc (1, sizeof *rows);
    if (!rows) {
        PQclear (res);
        return NULL;
    }
    rows->res = res;
    rows->row = -1;
    rows->count = PQresultStatus (res) == PGRES_TUPLES_OK ? PQntuples (res) : 0;
    return rows;
}

hub_rows_t *
hub_store_query_bin (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values,
                     const int *lengths, const int *formats, bool binary_result)
{
    assert (self && what && sql);
    if (!s_usable (self, what))
        return NULL;
    PGresult *res = PQexecParams (self->conn, sql, nparams, NULL, values, lengths, formats, binary_result ? 1 : 0);
    if (s_check (self, res, what, PGRES_TUPLES_OK) != 0) {
        PQclear (res);
        return NULL;
    }
    hub_rows_t *rows = s_rows_new (res);
    if (!rows)
        hub_store_set_error (self, what, "out of memory");
    return rows;
}

hub_rows_t *
hub_store_query (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values)
{
    return hub_store_query_bin (self, what, sql, nparams, values, NULL, NULL, false);
}

cii_rc_t
hub_store_command (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values)
{
    assert (self && what && sql);
    if (!s_usable (self, what))
        return CII_UNAVAILABLE;
    PGresult *res = PQexecParams (self->conn, sql, nparams, NULL, values, NULL, NULL, 0);
    int rc = s_check (self, res, what, PGRES_COMMAND_OK);
    PQclear (res);
    return rc == 0 ? CII_OK : hub_store_rc (self);
}

cii_rc_t
hub_store_query_id (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values,
                    int64_t *id_p)
{
    assert (id_p);
    hub_rows_t *rows = hub_store_query (self, what, sql, nparams, values);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_FAILED;
    if (hub_rows_next (rows)) {
        *id_p = hub_rows_i64 (rows, 0);
        rc = CII_OK;
    }
    else
        hub_store_set_error (self, what, "no row");
    hub_rows_destroy (&rows);
    return rc;
}

hub_rows_t *
hub_store_query_prepared (hub_store_t *self, const char *what, const char *name, const char *sql, int nparams,
                          const char *const *values)
{
    assert (self && what && name && sql);
    if (!s_usable (self, what))
        return NULL;
    bool prepared = false;
    for (size_t i = 0; i < self->n_prepared; i++)
        if (self->prepared [i] == name || streq (self->prepared [i], name))
            prepared = true;
    if (!prepared) {
        PGresult *res = PQprepare (self->conn, name, sql, nparams, NULL);
        int rc = s_check (self, res, what, PGRES_COMMAND_OK);
        PQclear (res);
        if (rc != 0)
            return NULL;
        if (self->n_prepared < S_MAX_PREPARED)
            self->prepared [self->n_prepared++] = name;
    }
    PGresult *res = PQexecPrepared (self->conn, name, nparams, values, NULL, NULL, 0);
    if (s_check (self, res, what, PGRES_TUPLES_OK) != 0) {
        PQclear (res);
        return NULL;
    }
    hub_rows_t *rows = s_rows_new (res);
    if (!rows)
        hub_store_set_error (self, what, "out of memory");
    return rows;
}

int
hub_rows_count (hub_rows_t *rows)
{
    return rows ? rows->count : 0;
}

cii_rc_t
hub_rows_ids (hub_store_t *self, hub_rows_t *rows, int64_t **ids_p, size_t *count_p)
{
    assert (self && ids_p && count_p);
    if (!rows)
        return hub_store_rc (self);
    int count = hub_rows_count (rows);
    int64_t *ids = malloc ((count > 0 ? (size_t) count : 1) * sizeof *ids);
    if (!ids) {
        hub_rows_destroy (&rows);
        hub_store_set_error (self, "ids", "out of memory");
        return CII_NO_MEMORY;
    }
    size_t n = 0;
    while (hub_rows_next (rows))
        ids [n++] = hub_rows_i64 (rows, 0);
    hub_rows_destroy (&rows);
    *ids_p = ids;
    *count_p = n;
    return CII_OK;
}

bool
hub_rows_next (hub_rows_t *rows)
{
    if (!rows || rows->row + 1 >= rows->count)
        return false;
    rows->row++;
    return true;
}

static bool
s_valid (hub_rows_t *rows, int col)
{
    return rows && rows->row >= 0 && rows->row < rows->count && col >= 0 && col < PQnfields (rows->res);
}

const char *
hub_rows_text (hub_rows_t *rows, int col)
{
    if (!s_valid (rows, col) || PQgetisnull (rows->res, rows->row, col))
        return "";
    return PQgetvalue (rows->res, rows->row, col);
}

int64_t
hub_rows_i64 (hub_rows_t *rows, int col)
{
    if (!s_valid (rows, col) || PQgetisnull (rows->res, rows->row, col))
        return 0;
    if (PQfformat (rows->res, col) == 1) {
        //  A binary int8: big-endian; int4 and int2 likewise.
        const char *value = PQgetvalue (rows->res, rows->row, col);
        int len = PQgetlength (rows->res, rows->row, col);
        if (len == 8) {
            uint64_t be;
            memcpy (&be, value, 8);
            return (int64_t) be64toh (be);
        }
        if (len == 4) {
            uint32_t be;
            memcpy (&be, value, 4);
            return (int32_t) be32toh (be);
        }
        return 0;
    }
    return strtoll (PQgetvalue (rows->res, rows->row, col), NULL, 10);
}

bool
hub_rows_bool (hub_rows_t *rows, int col)
{
    if (!s_valid (rows, col) || PQgetisnull (rows->res, rows->row, col))
        return false;
    const char *value = PQgetvalue (rows->res, rows->row, col);
    return PQfformat (rows->res, col) == 1 ? value [0] != 0 : value [0] == 't';
}

bool
hub_rows_null (hub_rows_t *rows, int col)
{
    return !s_valid (rows, col) || PQgetisnull (rows->res, rows->row, col);
}

const uint8_t *
hub_rows_bytes (hub_rows_t *rows, int col, size_t *size_p)
{
    *size_p = 0;
    if (!s_valid (rows, col) || PQgetisnull (rows->res, rows->row, col))
        return NULL;
    *size_p = (size_t) PQgetlength (rows->res, rows->row, col);
    return (const uint8_t *) PQgetvalue (rows->res, rows->row, col);
}

void
hub_rows_copy (hub_rows_t *rows, int col, char *buf, size_t size)
{
    snprintf (buf, size, "%s", hub_rows_text (rows, col));
}

void
hub_rows_destroy (hub_rows_t **rows_p)
{
    if (rows_p && *rows_p) {
        PQclear ((*rows_p)->res);
        free (*rows_p);
        *rows_p = NULL;
    }
}

//  --------------------------------------------------------------------------------------------
//  Transactions

cii_rc_t
hub_store_tx_begin (hub_store_t *self, const char *what, bool *own)
{
    assert (self && own);
    *own = false;
    if (!s_usable (self, what))
        return CII_UNAVAILABLE;
    if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
        return CII_OK;
    cii_rc_t rc = hub_store_command (self, what, "BEGIN", 0, NULL);
    *own = rc == CII_OK;
    return rc;
}

cii_rc_t
hub_store_tx_end (hub_store_t *self, const char *what, bool own, bool ok)
{
    assert (self);
    if (!own)
        return ok ? CII_OK : CII_FAILED;
    if (ok)
        return hub_store_command (self, what, "COMMIT", 0, NULL);
    if (self->conn && PQstatus (self->conn) == CONNECTION_OK) {
        //  Keep the first error: the rollback is only cleanup.
        PGresult *res = PQexec (self->conn, "ROLLBACK");
        PQclear (res);
    }
    return CII_FAILED;
}

cii_rc_t
hub_store_begin (hub_store_t *self)
{
    return hub_store_command (self, "begin", "BEGIN", 0, NULL);
}

cii_rc_t
hub_store_commit (hub_store_t *self)
{
    return hub_store_command (self, "commit", "COMMIT", 0, NULL);
}

cii_rc_t
hub_store_rollback (hub_store_t *self)
{
    return hub_store_command (self, "rollback", "ROLLBACK", 0, NULL);
}

//  --------------------------------------------------------------------------------------------
//  Values

char *
hub_store_text_array (const char *const *items, size_t count)
{
    size_t size = 3;
    for (size_t i = 0; i < count; i++)
        size += 2 * strlen (items [i] ? items [i] : "") + 3;
    char *out = malloc (size);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items [i] ? items [i] : ""; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = 0;
    return out;
}

char *
hub_store_id_array (const int64_t *ids, size_t count)
{
    char *out = malloc (count * 21 + 3);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '{';
    for (size_t i = 0; i < count; i++)
        p += sprintf (p, "%s%" PRId64, i ? "," : "", ids [i]);
    *p++ = '}';
    *p = 0;
    return out;
}

//  --------------------------------------------------------------------------------------------
//  Connection

//  Server notices (e.g. "relation already exists, skipping") go to the log, not to stderr.
static void
s_notice_processor (void *arg, const char *message)
{
    (void) arg;
    char line [512];
    snprintf (line, sizeof line, "%s", message ? message : "");
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = ' ';
    zsys_debug ("hub store: server: %s", line);
}

static PGconn *
s_connect (const char *conninfo, char *reason, size_t n)
{
    //  Defaults that keep a hub from hanging on a dead network path to a remote database (they
    //  only matter over TCP); anything in conninfo (listed after them) wins.
    static const char *const keywords [] = { "connect_timeout", "keepalives", "keepalives_idle",
                                             "keepalives_interval", "keepalives_count",
                                             "tcp_user_timeout", "dbname", NULL };
    const char *values [] = { "5", "1", "10", "5", "3", "10000", conninfo ? conninfo : "", NULL };
    PGconn *conn = PQconnectdbParams (keywords, values, 1);
    if (!conn) {
        snprintf (reason, n, "cannot allocate a PostgreSQL connection");
        return NULL;
    }
    if (PQstatus (conn) != CONNECTION_OK) {
        snprintf (reason, n, "cannot connect to PostgreSQL: %s", PQerrorMessage (conn));
        PQfinish (conn);
        return NULL;
    }
    PQsetNoticeProcessor (conn, s_notice_processor, NULL);
    //  All user text is UTF-8 end to end, whatever the client locale says.
    if (PQsetClientEncoding (conn, "UTF8") != 0) {
        snprintf (reason, n, "cannot set client encoding UTF8: %s", PQerrorMessage (conn));
        PQfinish (conn);
        return NULL;
    }
    return conn;
}

hub_store_t *
hub_store_new (const char *conninfo, cii_err_t *err)
{
    hub_store_t *self = calloc (1, sizeof *self);
    if (!self) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        return NULL;
    }
    self->conninfo = strdup (conninfo ? conninfo : "");
    char reason [512] = "";
    if (self->conninfo)
        self->conn = s_connect (self->conninfo, reason, sizeof reason);
    if (!self->conn) {
        cii_err_set (err, self->conninfo ? CII_UNAVAILABLE : CII_NO_MEMORY, "%s",
                     self->conninfo ? reason : "out of memory");
        if (self->conninfo)
            zsys_error ("hub store: %s", err ? err->text : reason);
        free (self->conninfo);
        free (self);
        return NULL;
    }
    return self;
}

void
hub_store_destroy (hub_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hub_store_t *self = *self_p;
    if (self->conn)
        PQfinish (self->conn);
    for (size_t i = 0; i < self->n_channels; i++)
        free (self->channels [i]);
    free (self->conninfo);
    free (self);
    *self_p = NULL;
}

bool
hub_store_broken (hub_store_t *self)
{
    return !self || self->broken || !self->conn || PQstatus (self->conn) != CONNECTION_OK;
}

static cii_rc_t
s_listen_one (hub_store_t *self, const char *channel)
{
    //  Channel names are our constants, never input: quoted as identifiers all the same.
    char *quoted = PQescapeIdentifier (self->conn, channel, strlen (channel));
    if (!quoted)
        return CII_NO_MEMORY;
    char sql [128];
    snprintf (sql, sizeof sql, "LISTEN %s", quoted);
    PQfreemem (quoted);
    return hub_store_command (self, "listen", sql, 0, NULL);
}

cii_rc_t
hub_store_reconnect (hub_store_t *self)
{
    assert (self);
    if (!hub_store_broken (self))
        return CII_OK;
    char reason [256];                      //  a reason of its own, shorter than self->error
    PGconn *conn = s_connect (self->conninfo, reason, sizeof reason);
    if (!conn) {
        hub_store_set_error (self, "reconnect", reason);
        return CII_UNAVAILABLE;
    }
    if (self->conn)
        PQfinish (self->conn);
    self->conn = conn;
    self->broken = false;
    self->n_prepared = 0;
    self->sqlstate [0] = 0;
    for (size_t i = 0; i < self->n_channels; i++)
        if (s_listen_one (self, self->channels [i]) != CII_OK)
            return CII_UNAVAILABLE;
    zsys_info ("hub store: reconnected to PostgreSQL");
    return CII_OK;
}

PGconn *
hub_store_conn (hub_store_t *self)
{
    assert (self);
    return s_usable (self, "connection") ? self->conn : NULL;
}

int
hub_store_check_result (hub_store_t *self, PGresult *res, const char *what, int expect)
{
    return s_check (self, res, what, (ExecStatusType) expect);
}

//  --------------------------------------------------------------------------------------------
//  Wake-ups

cii_rc_t
hub_store_listen (hub_store_t *self, const char *channel)
{
    assert (self && channel);
    for (size_t i = 0; i < self->n_channels; i++)
        if (streq (self->channels [i], channel))
            return CII_OK;
    if (self->n_channels == S_MAX_CHANNELS)
        return CII_NO_MEMORY;
    if (!s_usable (self, "listen"))
        return CII_UNAVAILABLE;
    cii_rc_t rc = s_listen_one (self, channel);
    if (rc != CII_OK)
        return rc;
    self->channels [self->n_channels] = strdup (channel);
    if (!self->channels [self->n_channels])
        return CII_NO_MEMORY;
    self->n_channels++;
    return CII_OK;
}

int
hub_store_socket (hub_store_t *self)
{
    return self && self->conn ? PQsocket (self->conn) : -1;
}

int
hub_store_notifications (hub_store_t *self, hub_notify_fn *fn, void *arg)
{
    if (!self || !self->conn || self->broken)
        return -1;
    if (PQconsumeInput (self->conn) != 1 || PQstatus (self->conn) != CONNECTION_OK) {
        hub_store_set_error (self, "notifications", PQerrorMessage (self->conn));
        self->broken = true;
        zsys_error ("hub store: %s (connection lost)", self->error);
        return -1;
    }
    int count = 0;
    PGnotify *notify;
    while ((notify = PQnotifies (self->conn)) != NULL) {
        if (fn)
            fn (notify->relname, notify->extra ? notify->extra : "", arg);
        count++;
        PQfreemem (notify);
    }
    return count;
}
