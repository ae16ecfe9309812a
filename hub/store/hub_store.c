/*  hub_store.c — all SQL of the hub over libpq: embedded migrations, settings and registry,
    agents, batched idempotent ingest (one pipelined transaction per batch), the per-agent downward
    queue, notices and LISTEN/NOTIFY wake-ups. Every statement goes through s_exec / s_check. */
#include "hub_store.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>
#include <libpq-fe.h>

#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_migration.h"

//  Advisory lock key serialising migrations across concurrent `cii-hub init`s ("CIIMIGR").
#define S_MIGRATE_LOCK  "4848571758954822"
#define S_INGEST_SIGNAL "cii_ingest_signal"
#define S_MS(col)       "(extract(epoch FROM " col ") * 1000)::bigint"

struct _hub_store_t {
    PGconn *conn;
    char *conninfo;          //  as given ("" = PG* environment)
    bool broken;             //  connection lost: reconnect before anything else
    bool listening;          //  LISTEN again after a reconnect
    bool ingest_prepared;    //  S_INGEST_SIGNAL prepared on this connection
    char error[512];
    char sqlstate[6];
    char constraint[64];     //  constraint named by the last integrity error
};

//  --------------------------------------------------------------------------------------------
//  Errors and the one statement wrapper

//  Records "what: message" as one line (libpq messages end with newlines and may hold DETAIL).
static void
s_set_error (hub_store_t *self, const char *what, const char *message)
{
    snprintf (self->error, sizeof self->error, "%s: %s", what, message && *message ? message : "unknown error");
    for (char *p = self->error; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen (self->error);
    while (len > 0 && self->error[len - 1] == ' ')
        self->error[--len] = 0;
}

//  Checks one result against the expected status. Keeps the error text and SQLSTATE, flags a lost
//  connection (class 08 or CONNECTION_BAD). Does not clear res. 0 ok, -1 failed.
static int
s_check (hub_store_t *self, PGresult *res, const char *what, ExecStatusType expect)
{
    ExecStatusType status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
    if (res && status == expect) {
        self->sqlstate[0] = 0;
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
    s_set_error (self, what, message);
    if (strncmp (self->sqlstate, "08", 2) == 0 || PQstatus (self->conn) == CONNECTION_BAD)
        self->broken = true;
    //  Integrity violations are expected answers (unknown network, already enrolled): the caller
    //  maps them to a return code and logs; everything else is logged here.
    if (strncmp (self->sqlstate, "23", 2) != 0)
        zsys_error ("hub store: %s%s", self->error, self->broken ? " (connection lost)" : "");
    return -1;
}

//  True if the store can run a statement now; records an error otherwise.
static bool
s_usable (hub_store_t *self, const char *what)
{
    if (self->conn && !self->broken && PQstatus (self->conn) == CONNECTION_OK)
        return true;
    self->broken = true;
    snprintf (self->sqlstate, sizeof self->sqlstate, "08006");
    s_set_error (self, what, "not connected to PostgreSQL");
    return false;
}

//  Runs one statement with $n parameters (text unless formats says otherwise). Returns the result
//  when its status is `expect` (caller PQclears), else NULL with the error kept and res cleared.
static PGresult *
s_exec_full (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values,
             const int *lengths, const int *formats, int result_format, ExecStatusType expect)
{
    if (!s_usable (self, what))
        return NULL;
    PGresult *res = PQexecParams (self->conn, sql, nparams, NULL, values, lengths, formats, result_format);
    if (s_check (self, res, what, expect) != 0) {
        PQclear (res);
        return NULL;
    }
    return res;
}

static PGresult *
s_exec (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values,
        ExecStatusType expect)
{
    return s_exec_full (self, what, sql, nparams, values, NULL, NULL, 0, expect);
}

//  Runs a statement that returns no rows. 0 / -1.
static int
s_command (hub_store_t *self, const char *what, const char *sql, int nparams, const char *const *values)
{
    PGresult *res = s_exec (self, what, sql, nparams, values, PGRES_COMMAND_OK);
    PQclear (res);
    return res ? 0 : -1;
}

static int64_t
s_i64 (const PGresult *res, int row, int col)
{
    if (PQgetisnull (res, row, col))
        return 0;
    return strtoll (PQgetvalue (res, row, col), NULL, 10);
}

static bool
s_bool (const PGresult *res, int row, int col)
{
    return !PQgetisnull (res, row, col) && PQgetvalue (res, row, col)[0] == 't';
}

static void
s_copy (char *dest, size_t size, const PGresult *res, int row, int col)
{
    snprintf (dest, size, "%s", PQgetisnull (res, row, col) ? "" : PQgetvalue (res, row, col));
}

//  Builds a PostgreSQL text[] literal {"a","b"} from count strings (quotes and backslashes
//  escaped). Returns a new string (caller frees) or NULL.
static char *
s_array_literal (const char *const *items, size_t count)
{
    size_t size = 3;
    for (size_t i = 0; i < count; i++)
        size += 2 * strlen (items[i] ? items[i] : "") + 3;
    char *out = malloc (size);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items[i] ? items[i] : ""; *s; s++) {
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

//  Opens a transaction unless one is already open (then the caller's transaction is joined).
//  *own tells s_tx_end whether to finish it. 0 / -1.
static int
s_tx_begin (hub_store_t *self, const char *what, bool *own)
{
    *own = false;
    if (!s_usable (self, what))
        return -1;
    if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
        return 0;
    if (s_command (self, what, "BEGIN", 0, NULL) != 0)
        return -1;
    *own = true;
    return 0;
}

//  Commits (ok) or rolls back an own transaction. Returns 0 when committed or joined, -1 if the
//  commit failed or ok was false.
static int
s_tx_end (hub_store_t *self, const char *what, bool own, bool ok)
{
    if (!own)
        return ok ? 0 : -1;
    if (ok)
        return s_command (self, what, "COMMIT", 0, NULL);
    if (self->conn && PQstatus (self->conn) == CONNECTION_OK) {
        //  Keep the first error: the rollback is only cleanup.
        PGresult *res = PQexec (self->conn, "ROLLBACK");
        PQclear (res);
    }
    return -1;
}

//  --------------------------------------------------------------------------------------------
//  Connection

//  Server notices (e.g. "relation already exists, skipping") go to the log, not to stderr.
static void
s_notice_processor (void *arg, const char *message)
{
    (void) arg;
    char line[512];
    snprintf (line, sizeof line, "%s", message ? message : "");
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = ' ';
    zsys_debug ("hub store: server: %s", line);
}

static PGconn *
s_connect (const char *conninfo, char *reason, size_t n)
{
    //  Defaults that keep the hub's single loop from hanging on a dead network path to a remote
    //  database (they only matter over TCP); anything in conninfo (listed after them) wins.
    static const char *const keywords[] = { "connect_timeout", "keepalives", "keepalives_idle",
                                            "keepalives_interval", "keepalives_count",
                                            "tcp_user_timeout", "dbname", NULL };
    const char *values[] = { "5", "1", "10", "5", "3", "10000", conninfo ? conninfo : "", NULL };
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
hub_store_new (const char *conninfo, char *reason, size_t n)
{
    char local[512] = "";
    if (!reason || n == 0) {
        reason = local;
        n = sizeof local;
    }
    reason[0] = 0;
    hub_store_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (reason, n, "out of memory");
        return NULL;
    }
    self->conninfo = strdup (conninfo ? conninfo : "");
    if (!self->conninfo) {
        snprintf (reason, n, "out of memory");
        free (self);
        return NULL;
    }
    self->conn = s_connect (self->conninfo, reason, n);
    if (!self->conn) {
        for (char *p = reason; *p; p++)
            if (*p == '\n')
                *p = ' ';
        zsys_error ("hub store: %s", reason);
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
    free (self->conninfo);
    free (self);
    *self_p = NULL;
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

bool
hub_store_broken (hub_store_t *self)
{
    return !self || self->broken || !self->conn || PQstatus (self->conn) != CONNECTION_OK;
}

int
hub_store_reconnect (hub_store_t *self)
{
    if (!self)
        return -1;
    if (!hub_store_broken (self))
        return 0;
    char reason[512];
    PGconn *conn = s_connect (self->conninfo, reason, sizeof reason);
    if (!conn) {
        s_set_error (self, "reconnect", reason);
        return -1;
    }
    if (self->conn)
        PQfinish (self->conn);
    self->conn = conn;
    self->broken = false;
    self->ingest_prepared = false;
    self->sqlstate[0] = 0;
    if (self->listening) {
        self->listening = false;
        if (hub_store_listen (self) != 0)
            return -1;
    }
    zsys_info ("hub store: reconnected to PostgreSQL");
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  Schema

int
hub_store_binary_schema_version (void)
{
    int version = 0;
    for (size_t i = 0; i < hub_migrations_count; i++)
        if (hub_migrations[i].version > version)
            version = hub_migrations[i].version;
    return version;
}

int
hub_store_schema_version (hub_store_t *self)
{
    if (!self)
        return -1;
    PGresult *res = s_exec (self, "schema version", "SELECT to_regclass ('schema_migrations') IS NOT NULL",
                            0, NULL, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    bool exists = s_bool (res, 0, 0);
    PQclear (res);
    if (!exists)
        return 0;
    res = s_exec (self, "schema version", "SELECT coalesce (max (version), 0) FROM schema_migrations", 0,
                  NULL, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int version = (int) s_i64 (res, 0, 0);
    PQclear (res);
    return version;
}

//  Applies migration m if the database is below it, in one transaction holding the migration
//  lock. Returns the version after the step, or -1.
static int
s_migrate_one (hub_store_t *self, const cii_migration_t *m)
{
    int version = -1;
    const char *what = "migrate";
    if (PQtransactionStatus (self->conn) != PQTRANS_IDLE) {
        s_set_error (self, what, "cannot migrate inside an open transaction");
        return -1;
    }
    if (s_command (self, what, "BEGIN", 0, NULL) != 0)
        return -1;
    PGresult *res = s_exec (self, what, "SELECT pg_advisory_xact_lock (" S_MIGRATE_LOCK ")", 0, NULL,
                            PGRES_TUPLES_OK);
    PQclear (res);
    if (!res)
        goto cleanup;
    if (s_command (self, what,
                   "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, "
                   "applied_at timestamptz NOT NULL DEFAULT now ())",
                   0, NULL)
            != 0
        || s_command (self, what, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE", 0, NULL) != 0)
        goto cleanup;
    res = s_exec (self, what, "SELECT coalesce (max (version), 0) FROM schema_migrations", 0, NULL,
                  PGRES_TUPLES_OK);
    if (!res)
        goto cleanup;
    int current = (int) s_i64 (res, 0, 0);
    PQclear (res);
    if (current > hub_store_binary_schema_version ()) {
        char text[160];
        snprintf (text, sizeof text, "database schema is version %d, newer than this cii-hub (%d)", current,
                  hub_store_binary_schema_version ());
        s_set_error (self, what, text);
        zsys_error ("hub store: %s", self->error);
        goto cleanup;
    }
    if (current >= m->version) {
        version = current;          //  applied before (maybe by a concurrent init)
        goto cleanup;
    }
    //  A migration file holds several statements without parameters: the simple query protocol.
    res = PQexec (self->conn, m->sql);
    char label[96];
    snprintf (label, sizeof label, "migration %s", m->name);
    int rc = s_check (self, res, label, PGRES_COMMAND_OK);
    PQclear (res);
    if (rc != 0)
        goto cleanup;
    char number[16];
    snprintf (number, sizeof number, "%d", m->version);
    const char *values[] = { number, m->name };
    if (s_command (self, what, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", 2, values)
        != 0)
        goto cleanup;
    version = m->version;
    if (s_command (self, what, "COMMIT", 0, NULL) != 0)
        return -1;
    zsys_info ("hub store: schema migrated to version %d (%s)", m->version, m->name);
    return version;

cleanup:
    if (PQstatus (self->conn) == CONNECTION_OK) {
        res = PQexec (self->conn, version >= 0 ? "COMMIT" : "ROLLBACK");
        PQclear (res);
    }
    return version;
}

int
hub_store_migrate (hub_store_t *self)
{
    if (!self || !s_usable (self, "migrate"))
        return -1;
    int binary = hub_store_binary_schema_version ();
    int version = hub_store_schema_version (self);
    if (version < 0)
        return -1;
    if (version > binary) {
        char text[160];
        snprintf (text, sizeof text, "database schema is version %d, newer than this cii-hub (%d)", version, binary);
        s_set_error (self, "migrate", text);
        zsys_error ("hub store: %s", self->error);
        return -1;
    }
    for (size_t i = 0; i < hub_migrations_count; i++) {
        if (hub_migrations[i].version <= version)
            continue;
        int now = s_migrate_one (self, &hub_migrations[i]);
        if (now < 0)
            return -1;
        version = now;
    }
    return version;
}

//  --------------------------------------------------------------------------------------------
//  Settings and registry

char *
hub_store_setting_get (hub_store_t *self, const char *key)
{
    if (!self || !key)
        return NULL;
    const char *values[] = { key };
    PGresult *res = s_exec (self, "setting get", "SELECT value FROM settings WHERE key = $1", 1, values,
                            PGRES_TUPLES_OK);
    if (!res)
        return NULL;
    char *value = PQntuples (res) == 1 ? strdup (PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    return value;
}

int
hub_store_setting_set (hub_store_t *self, const char *key, const char *value)
{
    if (!self || !key || !value)
        return -1;
    const char *values[] = { key, value };
    return s_command (self, "setting set",
                      "INSERT INTO settings (key, value) VALUES ($1, $2) "
                      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                      2, values);
}

int
hub_store_cantons (hub_store_t *self, hub_canton_row_t **rows_p)
{
    if (!self || !rows_p)
        return -1;
    *rows_p = NULL;
    PGresult *res = s_exec (self, "cantons", "SELECT code, network FROM cantons ORDER BY code", 0, NULL,
                            PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int count = PQntuples (res);
    hub_canton_row_t *rows = calloc ((size_t) count + 1, sizeof *rows);
    if (!rows) {
        PQclear (res);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        s_copy (rows[i].code, sizeof rows[i].code, res, i, 0);
        s_copy (rows[i].network, sizeof rows[i].network, res, i, 1);
    }
    PQclear (res);
    *rows_p = rows;
    return count;
}

int
hub_store_network_exists (hub_store_t *self, const char *network)
{
    if (!self || !network)
        return -1;
    const char *values[] = { network };
    PGresult *res = s_exec (self, "network exists", "SELECT 1 FROM networks WHERE name = $1", 1, values,
                            PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int exists = PQntuples (res) > 0 ? 1 : 0;
    PQclear (res);
    return exists;
}

//  --------------------------------------------------------------------------------------------
//  Agents

int
hub_store_agent_list (hub_store_t *self, hub_agent_info_t **rows_p)
{
    if (!self || !rows_p)
        return -1;
    *rows_p = NULL;
    PGresult *res = s_exec (self, "agent list",
                            "SELECT id, network, public_key, revoked_at IS NOT NULL, "
                            "connected AND last_seen > now () - interval '10 seconds', "
                            S_MS ("enrolled_at") ", " S_MS ("revoked_at") ", " S_MS ("last_seen") ", "
                            "last_seq, acked_seq FROM agents ORDER BY network, id",
                            0, NULL, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int count = PQntuples (res);
    hub_agent_info_t *rows = calloc ((size_t) count + 1, sizeof *rows);
    if (!rows) {
        PQclear (res);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        rows[i].id = s_i64 (res, i, 0);
        s_copy (rows[i].network, sizeof rows[i].network, res, i, 1);
        s_copy (rows[i].public_key, sizeof rows[i].public_key, res, i, 2);
        rows[i].revoked = s_bool (res, i, 3);
        rows[i].connected = s_bool (res, i, 4);
        rows[i].enrolled_at_ms = s_i64 (res, i, 5);
        rows[i].revoked_at_ms = s_i64 (res, i, 6);
        rows[i].last_seen_ms = s_i64 (res, i, 7);
        rows[i].last_seq = s_i64 (res, i, 8);
        rows[i].acked_seq = s_i64 (res, i, 9);
    }
    PQclear (res);
    *rows_p = rows;
    return count;
}

int64_t
hub_store_enroll (hub_store_t *self, const char *network, const char *public_key)
{
    if (!self || !network || !public_key)
        return -1;
    const char *values[] = { network, public_key };
    //  One statement: the insert and its NOTIFY commit together (or with the caller's transaction).
    PGresult *res = s_exec (self, "enroll",
                            "WITH ins AS (INSERT INTO agents (network, public_key) VALUES ($1, $2) RETURNING id) "
                            "SELECT id, pg_notify ('cii_agents', id::text) FROM ins",
                            2, values, PGRES_TUPLES_OK);
    if (!res) {
        if (streq (self->sqlstate, "23503"))
            return -2;      //  foreign key: unknown network
        if (streq (self->sqlstate, "23505") && streq (self->constraint, "agents_one_active_per_network"))
            return -3;
        if (strncmp (self->sqlstate, "23", 2) == 0)
            zsys_error ("hub store: network %s: %s", network, self->error);
        return -1;
    }
    int64_t id = PQntuples (res) == 1 ? s_i64 (res, 0, 0) : -1;
    PQclear (res);
    if (id > 0)
        zsys_info ("hub store: network %s: agent %" PRId64 " enrolled, key %s", network, id, public_key);
    return id;
}

int
hub_store_revoke (hub_store_t *self, const char *network)
{
    if (!self || !network)
        return -1;
    const char *values[] = { network };
    PGresult *res = s_exec (self, "revoke",
                            "WITH r AS (UPDATE agents SET revoked_at = now (), connected = false "
                            "           WHERE network = $1 AND revoked_at IS NULL RETURNING id) "
                            "SELECT id, pg_notify ('cii_agents', id::text) FROM r",
                            1, values, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int count = PQntuples (res);
    PQclear (res);
    if (count == 0) {
        s_set_error (self, "revoke", "no active agent for that network");
        return -2;
    }
    zsys_info ("hub store: network %s: agent revoked", network);
    return 0;
}

int
hub_store_agent_session (hub_store_t *self, int64_t agent_id, bool connected)
{
    if (!self)
        return -1;
    char id[24];
    snprintf (id, sizeof id, "%" PRId64, agent_id);
    const char *values[] = { id, connected ? "true" : "false" };
    return s_command (self, "agent session",
                      "UPDATE agents SET connected = $2::boolean, last_seen = now () WHERE id = $1::bigint", 2,
                      values);
}

//  Formats count ids as a bigint[] literal; NULL on allocation failure.
static char *
s_id_array (const int64_t *ids, size_t count)
{
    char *out = malloc (count * 21 + 3);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '{';
    for (size_t i = 0; i < count; i++)
        p += sprintf (p, "%s%" PRId64, i ? "," : "", ids[i]);
    *p++ = '}';
    *p = 0;
    return out;
}

int
hub_store_agents_seen (hub_store_t *self, const int64_t *agent_ids, size_t count)
{
    if (!self || (count > 0 && !agent_ids))
        return -1;
    if (count == 0)
        return 0;
    char *ids = s_id_array (agent_ids, count);
    if (!ids)
        return -1;
    const char *values[] = { ids };
    //  Rows locked in id order, as the notice fan-out does, so the two never deadlock.
    int rc = s_command (self, "agents seen",
                        "UPDATE agents SET last_seen = now () WHERE id IN "
                        "(SELECT id FROM agents WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE)",
                        1, values);
    free (ids);
    return rc;
}

int
hub_store_agent_hold (hub_store_t *self, int64_t agent_id, int64_t held)
{
    if (!self || held < 0)
        return -1;
    char id[24], seq[24];
    snprintf (id, sizeof id, "%" PRId64, agent_id);
    snprintf (seq, sizeof seq, "%" PRId64, held);
    const char *values[] = { id, seq };
    return s_command (self, "agent hold",
                      "UPDATE agents SET last_seq = greatest (last_seq, $2::bigint), "
                      "acked_seq = greatest (acked_seq, $2::bigint) "
                      "WHERE id = $1::bigint AND (last_seq < $2::bigint OR acked_seq < $2::bigint)",
                      2, values);
}

int
hub_store_ingest_lookup (hub_store_t *self, int64_t agent_id, const char *message_id, char ref[32],
                         int64_t *received_at_ms)
{
    if (!self || !message_id)
        return -1;
    char id[24];
    snprintf (id, sizeof id, "%" PRId64, agent_id);
    const char *values[] = { id, message_id };
    PGresult *res = s_exec (self, "ingest lookup",
                            "SELECT ref, " S_MS ("received_at") " FROM ingest_log "
                            "WHERE agent_id = $1::bigint AND message_id = $2",
                            2, values, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int found = PQntuples (res) == 1;
    if (found) {
        s_copy (ref, 32, res, 0, 0);
        *received_at_ms = s_i64 (res, 0, 1);
    }
    PQclear (res);
    return found;
}

int
hub_store_agents_reset_sessions (hub_store_t *self)
{
    if (!self)
        return -1;
    return s_command (self, "reset sessions", "UPDATE agents SET connected = false WHERE connected", 0, NULL);
}

//  --------------------------------------------------------------------------------------------
//  Upward ingest

//  Upward messages are stored with ONE statement per kind per batch: the batch's fields travel
//  as parallel arrays and are unnested server-side, which costs one round trip and one executor
//  start for the whole batch instead of one per message. In autocommit the statement is its own
//  transaction, so the batch is all-or-nothing. Rules, for every message of the batch:
//   - (agent_id, message_id) already in ingest_log: nothing is inserted, the original ref and
//     time come back with duplicate = true;
//   - the same id twice in one batch: stored once, both get the same ref, the later one
//     duplicate = true;
//   - a concurrent insert of the same id by another hub: no row comes back for it (stored =
//     false), so the agent resends later and then gets the duplicate receipt.
//  A kind that gets a table of its own adds a statement of this shape; the batch then runs them
//  in one BEGIN/COMMIT.
static const char *s_sql_ingest_signals =
    "WITH input AS MATERIALIZED ("
    "  SELECT * FROM unnest ($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "                        $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[]) "
    "  WITH ORDINALITY AS t (agent_id, message_id, network, canton, title, description, institutions, "
    "                        target_groups, reason, language, created_ms, ord)), "
    //  One candidate per (agent, message id), the first in the batch, each with a signal id.
    "fresh AS MATERIALIZED ("
    "  SELECT d.*, nextval ('signals_id_seq') AS id FROM ("
    "    SELECT DISTINCT ON (i.agent_id, i.message_id) i.* FROM input i "
    "    ORDER BY i.agent_id, i.message_id, i.ord) d), "
    //  The log row decides: an id stored before conflicts and inserts nothing.
    "log AS ("
    "  INSERT INTO ingest_log (agent_id, message_id, kind, ref) "
    "  SELECT agent_id, message_id, 'signal', 'SIG-' || id FROM fresh "
    "  ON CONFLICT (agent_id, message_id) DO NOTHING RETURNING agent_id, message_id, ref, received_at), "
    "sig AS ("
    "  INSERT INTO signals (id, agent_id, network, canton, title, description, institutions, "
    "                       target_groups, national_reason, language, created_at, received_at, message_id) "
    "  SELECT f.id, f.agent_id, f.network, f.canton, f.title, f.description, "
    "         string_to_array (f.institutions, ','), "
    "         coalesce (string_to_array (nullif (f.target_groups, ''), ','), '{}'), f.reason, f.language, "
    "         timestamptz 'epoch' + f.created_ms * interval '1 millisecond', l.received_at, f.message_id "
    "  FROM fresh f JOIN log l ON l.agent_id = f.agent_id AND l.message_id = f.message_id) "
    //  Every input row: its new log row, or else the one stored before this statement (visible in
    //  its snapshot; looked up only for the rare resends), or nothing (a concurrent insert).
    "SELECT i.ord, coalesce (l.ref, o.ref), " S_MS ("coalesce (l.received_at, o.received_at)") ", "
    "       l.ref IS NULL OR f.ord <> i.ord "
    "FROM input i "
    "LEFT JOIN log l ON l.agent_id = i.agent_id AND l.message_id = i.message_id "
    "LEFT JOIN fresh f ON f.agent_id = i.agent_id AND f.message_id = i.message_id "
    "LEFT JOIN LATERAL (SELECT g.ref, g.received_at FROM ingest_log g "
    "                   WHERE l.ref IS NULL AND g.agent_id = i.agent_id AND g.message_id = i.message_id) o "
    "ON true";

#define S_SIGNAL_COLUMNS 11

//  Joins enum names with commas into buf ("invalidity,social-aid"); -2 for an unknown value.
static int
s_join_names (const int *values, size_t count, const char *(*name_of) (int), char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = name_of (values[i]);
        if (!name)
            return -2;
        int n = snprintf (buf + used, size - used, "%s%s", i ? "," : "", name);
        if (n < 0 || (size_t) n >= size - used)
            return -2;
        used += (size_t) n;
    }
    return 0;
}

int
hub_store_ingest (hub_store_t *self, hub_ingest_item_t *items, size_t count)
{
    if (!self || (count > 0 && !items))
        return -1;
    for (size_t i = 0; i < count; i++) {
        items[i].stored = false;
        items[i].duplicate = false;
        items[i].ref[0] = 0;
        items[i].received_at_ms = 0;
    }
    if (count == 0)
        return 0;
    if (!s_usable (self, "ingest"))
        return -1;

    int rc = -1;
    //  Column arrays: one entry per storable item; `index` maps a row back to its item.
    const char **cols[S_SIGNAL_COLUMNS] = { NULL };
    char *numbers = NULL, *lists = NULL;
    size_t *index = calloc (count, sizeof *index);
    char *literals[S_SIGNAL_COLUMNS] = { NULL };
    numbers = calloc (count, 2 * 24);                //  agent id, created_at per row
    lists = calloc (count, 2 * 128);                 //  institutions, target groups per row
    for (int c = 0; c < S_SIGNAL_COLUMNS; c++)
        cols[c] = calloc (count, sizeof (char *));
    bool oom = !index || !numbers || !lists;
    for (int c = 0; c < S_SIGNAL_COLUMNS; c++)
        oom = oom || !cols[c];
    if (oom) {
        s_set_error (self, "ingest", "out of memory");
        goto cleanup;
    }
    size_t rows = 0;
    for (size_t i = 0; i < count; i++) {
        const Cii__Envelope *env = items[i].env;
        const Cii__Signal *sig = env && env->body_case == CII__ENVELOPE__BODY_SIGNAL ? env->signal : NULL;
        char *num = numbers + rows * 48, *list = lists + rows * 256;
        if (!sig || !env->message_id || !*env->message_id || !items[i].network || !sig->canton
            || !sig->title || !sig->description || !sig->language
            || s_join_names ((const int *) sig->institutions, sig->n_institutions,
                             cii_domain_institution_name, list, 128) != 0
            || s_join_names ((const int *) sig->target_groups, sig->n_target_groups,
                             cii_domain_target_group_name, list + 128, 128) != 0) {
            //  The codec admits nothing like this; a kind without a table yet lands here too.
            zsys_warning ("hub store: agent %" PRId64 ": message %s cannot be stored (kind %s)",
                          items[i].agent_id, env && env->message_id ? env->message_id : "?",
                          env ? cii_codec_body_name (env) : "none");
            continue;
        }
        snprintf (num, 24, "%" PRId64, items[i].agent_id);
        snprintf (num + 24, 24, "%" PRId64, sig->created_at_ms);
        cols[0][rows] = num;
        cols[1][rows] = env->message_id;
        cols[2][rows] = items[i].network;
        cols[3][rows] = sig->canton;
        cols[4][rows] = sig->title;
        cols[5][rows] = sig->description;
        cols[6][rows] = list;
        cols[7][rows] = list + 128;
        cols[8][rows] = sig->national_reason ? sig->national_reason : "";
        cols[9][rows] = sig->language;
        cols[10][rows] = num + 24;
        index[rows++] = i;
    }
    if (rows == 0) {
        rc = 0;
        goto cleanup;
    }
    for (int c = 0; c < S_SIGNAL_COLUMNS; c++)
        if (!(literals[c] = s_array_literal (cols[c], rows))) {
            s_set_error (self, "ingest", "out of memory");
            goto cleanup;
        }
    if (!self->ingest_prepared) {
        PGresult *res = PQprepare (self->conn, S_INGEST_SIGNAL, s_sql_ingest_signals, S_SIGNAL_COLUMNS, NULL);
        int prc = s_check (self, res, "prepare ingest", PGRES_COMMAND_OK);
        PQclear (res);
        if (prc != 0)
            goto cleanup;
        self->ingest_prepared = true;
    }
    PGresult *res = PQexecPrepared (self->conn, S_INGEST_SIGNAL, S_SIGNAL_COLUMNS,
                                    (const char *const *) literals, NULL, NULL, 0);
    if (s_check (self, res, "ingest", PGRES_TUPLES_OK) == 0) {
        for (int r = 0; r < PQntuples (res); r++) {
            int64_t ord = s_i64 (res, r, 0);
            if (ord < 1 || (size_t) ord > rows || PQgetisnull (res, r, 1))
                continue;       //  resolved by nobody (concurrent insert elsewhere): resend later
            hub_ingest_item_t *item = &items[index[ord - 1]];
            s_copy (item->ref, sizeof item->ref, res, r, 1);
            item->received_at_ms = s_i64 (res, r, 2);
            item->duplicate = s_bool (res, r, 3);
            item->stored = true;
        }
        rc = 0;
    }
    PQclear (res);

cleanup:
    for (int c = 0; c < S_SIGNAL_COLUMNS; c++) {
        free (literals[c]);
        free (cols[c]);
    }
    free (numbers);
    free (lists);
    free (index);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Downward

int
hub_store_acks (hub_store_t *self, const int64_t *agent_ids, const int64_t *seqs, size_t count)
{
    if (!self || (count > 0 && (!agent_ids || !seqs)))
        return -1;
    if (count == 0)
        return 0;
    char *ids = s_id_array (agent_ids, count);
    char *sq = s_id_array (seqs, count);
    int rc = -1;
    if (ids && sq) {
        const char *values[] = { ids, sq };
        //  One statement = one transaction. acked_seq only grows and never passes last_seq; the
        //  rows between the old and the new acked_seq get acked_at. Agent rows are locked in id
        //  order, as the notice fan-out and agents_seen lock them, so the three never deadlock.
        rc = s_command (self, "acks",
                        "WITH a AS (SELECT agent_id, max (seq) AS seq "
                        "           FROM unnest ($1::bigint[], $2::bigint[]) AS t (agent_id, seq) GROUP BY agent_id), "
                        "old AS (SELECT g.id, g.acked_seq AS old_seq, least (a.seq, g.last_seq) AS new_seq "
                        "        FROM agents g JOIN a ON g.id = a.agent_id WHERE a.seq > g.acked_seq "
                        "        ORDER BY g.id FOR UPDATE OF g), "
                        "upd AS (UPDATE agents g SET acked_seq = o.new_seq FROM old o "
                        "        WHERE g.id = o.id AND g.acked_seq < o.new_seq RETURNING g.id) "
                        "UPDATE downward d SET acked_at = now () FROM old o "
                        "WHERE d.agent_id = o.id AND d.seq > o.old_seq AND d.seq <= o.new_seq AND d.acked_at IS NULL",
                        2, values);
    }
    free (ids);
    free (sq);
    return rc;
}

int
hub_store_downward (hub_store_t *self, int64_t agent_id, int64_t after_seq, int limit, hub_downward_fn *fn,
                    void *arg)
{
    if (!self || !fn || limit < 0)
        return -1;
    char id[24], after[24], lim[16];
    snprintf (id, sizeof id, "%" PRId64, agent_id);
    snprintf (after, sizeof after, "%" PRId64, after_seq);
    snprintf (lim, sizeof lim, "%d", limit);
    const char *values[] = { id, after, lim };
    //  Binary results: the body comes back as raw bytes, seq as a big-endian int8.
    PGresult *res = s_exec_full (self, "downward",
                                 "SELECT seq, kind, body FROM downward WHERE agent_id = $1::bigint "
                                 "AND seq > $2::bigint ORDER BY seq LIMIT $3::int",
                                 3, values, NULL, NULL, 1, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    int visited = 0;
    for (int i = 0; i < rows; i++) {
        if (PQgetlength (res, i, 0) != 8) {
            s_set_error (self, "downward", "unexpected binary seq");
            visited = -1;
            break;
        }
        uint64_t be;
        memcpy (&be, PQgetvalue (res, i, 0), 8);
        int64_t seq = (int64_t) be64toh (be);
        visited++;
        if (fn (seq, PQgetvalue (res, i, 1), (const uint8_t *) PQgetvalue (res, i, 2),
                (size_t) PQgetlength (res, i, 2), arg)
            == -1)
            break;
    }
    PQclear (res);
    return visited;
}

int64_t
hub_store_notice (hub_store_t *self, const char *title, const char *text, const char *const *networks,
                  size_t count)
{
    if (!self || !title || !text || (count > 0 && !networks))
        return -1;
    const char *what = "notice";
    int64_t result = -1;
    bool own = false;
    uint8_t *body = NULL;
    size_t body_size = 0;
    PGresult *res = NULL;
    char *nets = NULL;

    for (size_t i = 0; i < count; i++)
        if (!networks[i] || !cii_domain_network_name_valid (networks[i])) {
            s_set_error (self, what, "invalid network name");
            return -2;
        }
    nets = s_array_literal (networks, count);
    if (!nets) {
        s_set_error (self, what, "out of memory");
        return -1;
    }
    if (s_tx_begin (self, what, &own) != 0)
        goto cleanup;
    if (count > 0) {
        const char *values[] = { nets };
        res = s_exec (self, what,
                      "SELECT n FROM unnest ($1::text[]) AS n WHERE NOT EXISTS "
                      "(SELECT 1 FROM networks WHERE name = n) LIMIT 1",
                      1, values, PGRES_TUPLES_OK);
        if (!res)
            goto cleanup;
        if (PQntuples (res) > 0) {
            char text_[128];
            snprintf (text_, sizeof text_, "unknown network %s", PQgetvalue (res, 0, 0));
            s_set_error (self, what, text_);
            result = -2;
            goto cleanup;
        }
        PQclear (res);
        res = NULL;
    }
    {
        const char *values[] = { title, text, nets };
        res = s_exec (self, what,
                      "INSERT INTO notices (title, text, networks) VALUES ($1, $2, $3::text[]) "
                      "RETURNING id, " S_MS ("issued_at"),
                      3, values, PGRES_TUPLES_OK);
        if (!res)
            goto cleanup;
    }
    int64_t notice_id = s_i64 (res, 0, 0);
    Cii__Notice notice = CII__NOTICE__INIT;
    notice.notice_id = notice_id;
    notice.title = (char *) title;
    notice.text = (char *) text;
    notice.n_networks = count;
    notice.networks = (char **) networks;
    notice.issued_at_ms = s_i64 (res, 0, 1);
    PQclear (res);
    res = NULL;
    cii_rc_t erc = cii_codec_item_pack (cii_kind_find ("notice"), &notice.base, &body, &body_size, NULL);
    if (erc != CII_OK) {
        s_set_error (self, what, erc == CII_BAD_INPUT ? "notice breaks a protocol limit (title, text or networks)"
                                                      : "cannot encode the notice");
        result = erc == CII_BAD_INPUT ? -2 : -1;
        goto cleanup;
    }
    char id[24];
    snprintf (id, sizeof id, "%" PRId64, notice_id);
    {
        //  Addressed active agents get their next sequence, locked in id order.
        const char *values[] = { nets, (const char *) body, id };
        int lengths[] = { 0, (int) body_size, 0 };
        int formats[] = { 0, 1, 0 };
        res = s_exec_full (self, what,
                           "WITH up AS (UPDATE agents SET last_seq = last_seq + 1 WHERE id IN "
                           "  (SELECT id FROM agents WHERE revoked_at IS NULL AND "
                           "   (cardinality ($1::text[]) = 0 OR network = ANY ($1::text[])) ORDER BY id FOR UPDATE) "
                           "  RETURNING id, last_seq) "
                           "INSERT INTO downward (agent_id, seq, kind, body, notice_id) "
                           "SELECT id, last_seq, 'notice', $2::bytea, $3::bigint FROM up",
                           3, values, lengths, formats, 0, PGRES_COMMAND_OK);
        if (!res)
            goto cleanup;
    }
    const char *recipients = PQcmdTuples (res);
    char count_text[24];
    snprintf (count_text, sizeof count_text, "%s", recipients && *recipients ? recipients : "0");
    PQclear (res);
    {
        const char *values[] = { id };
        res = s_exec (self, what, "SELECT pg_notify ('cii_downward', $1)", 1, values, PGRES_TUPLES_OK);
        if (!res)
            goto cleanup;
    }
    if (s_tx_end (self, what, own, true) != 0) {
        own = false;
        goto cleanup;
    }
    own = false;
    result = notice_id;
    zsys_info ("hub store: notice %" PRId64 " queued for %s agents", notice_id, count_text);

cleanup:
    PQclear (res);
    if (own)
        s_tx_end (self, what, own, false);
    free (body);
    free (nets);
    return result;
}

int64_t
hub_store_notice_recipients (hub_store_t *self, int64_t notice_id)
{
    if (!self)
        return -1;
    char id[24];
    snprintf (id, sizeof id, "%" PRId64, notice_id);
    const char *values[] = { id };
    PGresult *res = s_exec (self, "notice recipients", "SELECT count (*) FROM downward WHERE notice_id = $1::bigint",
                            1, values, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int64_t count = s_i64 (res, 0, 0);
    PQclear (res);
    return count;
}

//  --------------------------------------------------------------------------------------------
//  Listings

int
hub_store_signals (hub_store_t *self, const char *network, hub_signal_fn *fn, void *arg)
{
    if (!self || !fn)
        return -1;
    const char *values[] = { network };
    PGresult *res = s_exec (self, "signals",
                            "SELECT id, ref, network, canton, title, description, "
                            "array_to_string (institutions, ','), array_to_string (target_groups, ','), "
                            "national_reason, language, " S_MS ("created_at") ", " S_MS ("received_at") " "
                            "FROM signals WHERE $1::text IS NULL OR network = $1::text ORDER BY id",
                            1, values, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    int visited = 0;
    for (int i = 0; i < rows; i++) {
        hub_signal_row_t row = {
            .id = s_i64 (res, i, 0),
            .ref = PQgetvalue (res, i, 1),
            .network = PQgetvalue (res, i, 2),
            .canton = PQgetvalue (res, i, 3),
            .title = PQgetvalue (res, i, 4),
            .description = PQgetvalue (res, i, 5),
            .institutions = PQgetvalue (res, i, 6),
            .target_groups = PQgetvalue (res, i, 7),
            .national_reason = PQgetvalue (res, i, 8),
            .language = PQgetvalue (res, i, 9),
            .created_at_ms = s_i64 (res, i, 10),
            .received_at_ms = s_i64 (res, i, 11),
        };
        visited++;
        if (fn (&row, arg) == -1)
            break;
    }
    PQclear (res);
    return visited;
}

int
hub_store_notices (hub_store_t *self, hub_notice_fn *fn, void *arg)
{
    if (!self || !fn)
        return -1;
    PGresult *res = s_exec (self, "notices",
                            "SELECT n.id, n.title, n.text, array_to_string (n.networks, ','), "
                            S_MS ("n.issued_at") ", count (d.agent_id), count (d.acked_at) "
                            "FROM notices n LEFT JOIN downward d ON d.notice_id = n.id "
                            "GROUP BY n.id ORDER BY n.id",
                            0, NULL, PGRES_TUPLES_OK);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    int visited = 0;
    for (int i = 0; i < rows; i++) {
        hub_notice_row_t row = {
            .id = s_i64 (res, i, 0),
            .title = PQgetvalue (res, i, 1),
            .text = PQgetvalue (res, i, 2),
            .networks = PQgetvalue (res, i, 3),
            .issued_at_ms = s_i64 (res, i, 4),
            .recipients = s_i64 (res, i, 5),
            .acked = s_i64 (res, i, 6),
        };
        visited++;
        if (fn (&row, arg) == -1)
            break;
    }
    PQclear (res);
    return visited;
}

//  --------------------------------------------------------------------------------------------
//  Transactions for callers

int
hub_store_begin (hub_store_t *self)
{
    return self ? s_command (self, "begin", "BEGIN", 0, NULL) : -1;
}

int
hub_store_commit (hub_store_t *self)
{
    return self ? s_command (self, "commit", "COMMIT", 0, NULL) : -1;
}

int
hub_store_rollback (hub_store_t *self)
{
    return self ? s_command (self, "rollback", "ROLLBACK", 0, NULL) : -1;
}

//  --------------------------------------------------------------------------------------------
//  Wake-ups

int
hub_store_listen (hub_store_t *self)
{
    if (!self)
        return -1;
    //  Channel names are constants, not input: LISTEN takes no parameters.
    if (s_command (self, "listen", "LISTEN cii_downward", 0, NULL) != 0
        || s_command (self, "listen", "LISTEN cii_agents", 0, NULL) != 0)
        return -1;
    self->listening = true;
    return 0;
}

int
hub_store_socket (hub_store_t *self)
{
    return self && self->conn ? PQsocket (self->conn) : -1;
}

int
hub_store_notifications (hub_store_t *self)
{
    if (!self || !self->conn || self->broken)
        return -1;
    if (PQconsumeInput (self->conn) != 1 || PQstatus (self->conn) != CONNECTION_OK) {
        s_set_error (self, "notifications", PQerrorMessage (self->conn));
        self->broken = true;
        zsys_error ("hub store: %s (connection lost)", self->error);
        return -1;
    }
    int bits = 0;
    PGnotify *notify;
    while ((notify = PQnotifies (self->conn)) != NULL) {
        if (streq (notify->relname, "cii_downward"))
            bits |= 1;
        else
        if (streq (notify->relname, "cii_agents"))
            bits |= 2;
        PQfreemem (notify);
    }
    return bits;
}
