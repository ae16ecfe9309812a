/*  hub_store.h — the hub's connection to PostgreSQL: the core every aggregate file of hub/store
    builds on. One hub_store_t is one libpq connection (not thread-safe: one thread uses it at a
    time). Every statement uses $n parameters through hub_store_query / hub_store_command, which
    check the result status, keep the one-line error and its SQLSTATE, PQclear on every path, and
    mark the connection broken on SQLSTATE class 08 (then hub_store_reconnect). Transactions nest
    by joining: a function that needs several statements opens one unless its caller already did.

    The aggregates, one file and header each: hub_store_schema (migrations), hub_store_registry
    (settings, networks, cantons), hub_store_agents, hub_store_ingest (batched idempotent upward
    ingest of any kind), hub_store_downward (the per-agent queue of any kind), hub_store_signals,
    hub_store_notices. */
#ifndef HUB_STORE_H_INCLUDED
#define HUB_STORE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"

typedef struct _hub_store_t hub_store_t;
typedef struct _hub_rows_t hub_rows_t;

/*  SQL for a timestamptz column as Unix milliseconds (bigint). */
#define HUB_SQL_MS(col) "(extract(epoch FROM " col ") * 1000)::bigint"

/*  Connects with a libpq conninfo string (NULL or "" = PG* environment variables). NULL on
    failure, with err (when given) CII_UNAVAILABLE and the reason. */
hub_store_t *hub_store_new (const char *conninfo, cii_err_t *err);

/*  Closes the connection and frees the store; sets *self_p to NULL; safe on NULL. */
void hub_store_destroy (hub_store_t **self_p);

/*  Last error of this store: one line ("what: message"), its SQLSTATE ("" if none), the constraint
    an integrity error named ("" if none). Borrowed strings. */
const char *hub_store_error (hub_store_t *self);
const char *hub_store_sqlstate (hub_store_t *self);
const char *hub_store_constraint (hub_store_t *self);

/*  The last error as a result code: CII_UNAVAILABLE for a lost connection (class 08), a
    serialization failure or deadlock (40001, 40P01), insufficient resources (class 53), a
    cancelled statement or an admin shutdown (57014, 57P01..03), a lock or statement timeout
    (55P03): all worth retrying; CII_CONFLICT for a unique violation (23505); CII_NOT_FOUND for a
    foreign key violation (23503); CII_BAD_INPUT for other integrity or data errors (classes 22,
    23); CII_FAILED otherwise. */
cii_rc_t hub_store_rc (hub_store_t *self);

/*  Copies the last error into err (when not NULL) with hub_store_rc as its code; returns it. */
cii_rc_t hub_store_fail (hub_store_t *self, cii_err_t *err);

/*  Records an error of the caller's own ("what: message", rc for hub_store_fail) on this store. */
void hub_store_set_error (hub_store_t *self, const char *what, const char *message);

/*  True once the connection was lost (SQLSTATE class 08 or CONNECTION_BAD). */
bool hub_store_broken (hub_store_t *self);

/*  Reconnects a broken connection (and LISTENs again if it listened). CII_OK or CII_UNAVAILABLE. */
cii_rc_t hub_store_reconnect (hub_store_t *self);

/*  --- statements ----------------------------------------------------------------------------- */

/*  Runs one statement that returns rows, with nparams text parameters (NULL values are SQL NULL).
    Returns the rows (free with hub_rows_destroy), or NULL with the error kept. */
hub_rows_t *hub_store_query (hub_store_t *self, const char *what, const char *sql, int nparams,
                             const char *const *values);

/*  The same with parameter lengths and formats (1 = binary) as PQexecParams, and binary results
    when binary_result. */
hub_rows_t *hub_store_query_bin (hub_store_t *self, const char *what, const char *sql, int nparams,
                                 const char *const *values, const int *lengths, const int *formats,
                                 bool binary_result);

/*  Runs one statement that returns no rows. CII_OK, or the error's code (hub_store_rc). */
cii_rc_t hub_store_command (hub_store_t *self, const char *what, const char *sql, int nparams,
                            const char *const *values);

/*  Runs one statement that returns one id in its first column (INSERT ... RETURNING id). CII_OK
    with *id_p, CII_FAILED when it returned no row ("what: no row" recorded), or the error's code. */
cii_rc_t hub_store_query_id (hub_store_t *self, const char *what, const char *sql, int nparams,
                             const char *const *values, int64_t *id_p);

/*  Runs a prepared statement (prepared on this connection at first use under `name`, and again
    after a reconnect) that returns rows. */
hub_rows_t *hub_store_query_prepared (hub_store_t *self, const char *what, const char *name, const char *sql,
                                      int nparams, const char *const *values);

/*  --- rows ---------------------------------------------------------------------------------- */

/*  Number of rows; rows affected for a command (INSERT/UPDATE ... without RETURNING: 0). */
int hub_rows_count (hub_rows_t *rows);

/*  Moves to the next row (the first on the first call). False past the last. */
bool hub_rows_next (hub_rows_t *rows);

/*  Column col of the current row: text ("" for NULL), number (0 for NULL), bool, NULL-ness, and
    for binary results the raw bytes and their length. Borrowed until hub_rows_destroy. */
const char *hub_rows_text (hub_rows_t *rows, int col);
int64_t hub_rows_i64 (hub_rows_t *rows, int col);
bool hub_rows_bool (hub_rows_t *rows, int col);
bool hub_rows_null (hub_rows_t *rows, int col);
const uint8_t *hub_rows_bytes (hub_rows_t *rows, int col, size_t *size_p);

/*  Copies column col of the current row into buf (size bytes, truncated, NUL-terminated). */
void hub_rows_copy (hub_rows_t *rows, int col, char *buf, size_t size);

/*  Frees rows; sets *rows_p to NULL; safe on NULL. */
void hub_rows_destroy (hub_rows_t **rows_p);

/*  The first column of every row as ids, into a new array (free) and *count_p; destroys rows
    (NULL: the statement's failure, hub_store_rc). CII_OK, CII_NO_MEMORY (the error kept). */
cii_rc_t hub_rows_ids (hub_store_t *self, hub_rows_t *rows, int64_t **ids_p, size_t *count_p);

/*  --- transactions ---------------------------------------------------------------------------- */

/*  Opens a transaction unless one is open on this connection (then the caller's is joined); *own
    says whether hub_store_tx_end must finish it. CII_OK or the error's code. */
cii_rc_t hub_store_tx_begin (hub_store_t *self, const char *what, bool *own);

/*  Ends what hub_store_tx_begin began: commits when ok (CII_OK, or the commit's error), rolls back
    otherwise (returns CII_FAILED, keeping the first error). A joined transaction is left to its
    owner (CII_OK when ok). */
cii_rc_t hub_store_tx_end (hub_store_t *self, const char *what, bool own, bool ok);

/*  An explicit transaction for callers that make several calls atomic (e.g. `enroll` removes the
    agent again when the bundle cannot be written). */
cii_rc_t hub_store_begin (hub_store_t *self);
cii_rc_t hub_store_commit (hub_store_t *self);
cii_rc_t hub_store_rollback (hub_store_t *self);

/*  --- values ---------------------------------------------------------------------------------- */

/*  A PostgreSQL text[] literal {"a","b"} of count strings (quotes and backslashes escaped; NULL
    entries as ""), or a bigint[] literal {1,2}. New strings (caller frees), NULL out of memory. */
char *hub_store_text_array (const char *const *items, size_t count);
char *hub_store_id_array (const int64_t *ids, size_t count);

/*  --- wake-ups ------------------------------------------------------------------------------- */

/*  LISTENs on channel (a constant such as "cii_downward"; several calls add channels, kept across
    reconnects). CII_OK or the error's code. */
cii_rc_t hub_store_listen (hub_store_t *self, const char *channel);

/*  The connection's socket, for polling (readable = notifications may have arrived); -1 if none. */
int hub_store_socket (hub_store_t *self);

/*  Consumes pending input and calls fn(channel, payload, arg) for each notification received.
    Returns the number of notifications, or -1 when the connection is lost. Notifications are
    hints only: the data is always read from the tables. */
typedef void (hub_notify_fn) (const char *channel, const char *payload, void *arg);
int hub_store_notifications (hub_store_t *self, hub_notify_fn *fn, void *arg);

#endif
