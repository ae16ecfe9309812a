/*  agent_store.h — the connection core of the agent's SQLite state (DIR/agent.db): create and
    open (WAL, busy timeout, synchronous=FULL, schema migrations from schema/agent/ by PRAGMA
    user_version, a newer database refused), one joinable transaction API, cached prepared
    statements, one row iterator. The aggregates (config, signals, outbox, inbox, notices,
    status) live in agent_store_*.c, each over this core; the daemon and the CLI share the file.

    Conventions: every function returns a cii_rc_t and fills the optional err (cii_rc.h); a NULL
    store is a programmer error. Every write is one transaction: a function that writes begins
    one, or joins the caller's (agent_store_begin nests). */
#ifndef AGENT_STORE_H_INCLUDED
#define AGENT_STORE_H_INCLUDED

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"

#define AGENT_STORE_FILE      "agent.db"
#define AGENT_STORE_BUSY_MS   5000      /* wait this long for the other process's write lock */
#define AGENT_MESSAGE_ID_SIZE 65        /* a message id (CII_MAX_MESSAGE_ID bytes) and its NUL */

typedef struct _agent_store_t agent_store_t;

/*  Creates state_dir (mode 0700, an existing directory is restricted to it) and a new, empty
    DIR/agent.db (mode 0600, created so it is never readable by others), schema migrated.
    CII_CONFLICT when DIR/agent.db exists already ("... already exists (this state directory is
    initialised)"), CII_FAILED when the directory or file cannot be made. NULL on failure. */
agent_store_t *agent_store_create (const char *state_dir, cii_err_t *err);

/*  Opens an initialised state directory (schema migrated in place). NULL on failure, with
    CII_NOT_FOUND "DIR is not initialised (no agent.db; run cii-agent init)", CII_REFUSED "state
    schema version N is newer than this cii-agent (M)", or CII_FAILED. */
agent_store_t *agent_store_open (const char *state_dir, cii_err_t *err);

/*  Closes and frees; sets *self_p to NULL; safe on NULL. */
void agent_store_destroy (agent_store_t **self_p);

/*  Closes and frees like agent_store_destroy, then removes the database files: for a store made
    by agent_store_create whose set-up failed. */
void agent_store_discard (agent_store_t **self_p);

/*  The label of log lines about this store (the network once agent_store_set_label was called,
    else "-"). */
const char *agent_store_label (agent_store_t *self);
void agent_store_set_label (agent_store_t *self, const char *label);

/*  The schema version of the open store (PRAGMA user_version). */
cii_rc_t agent_store_schema_version (agent_store_t *self, int *version_p, cii_err_t *err);

/*  --- transactions ------------------------------------------------------------------------- */

/*  Begins a write transaction (BEGIN IMMEDIATE: the write lock is taken now, so what is read
    inside stays true until commit), or joins the one already open on this connection. Every
    begin is closed by one commit or one rollback. CII_UNAVAILABLE when the lock could not be had
    within AGENT_STORE_BUSY_MS. */
cii_rc_t agent_store_begin (agent_store_t *self, cii_err_t *err);

/*  Ends one begin. The outermost commits (CII_FAILED, and everything rolled back, when a joined
    part rolled back or COMMIT failed); an inner one only closes its part. */
cii_rc_t agent_store_commit (agent_store_t *self, cii_err_t *err);

/*  Ends one begin and dooms the transaction: the outermost rolls back at once; an inner one makes
    the outermost commit fail. Safe to call when no transaction is open (does nothing). */
void agent_store_rollback (agent_store_t *self);

/*  --- statements ---------------------------------------------------------------------------- */

/*  Runs sql (no parameters, one or several statements; for schema and PRAGMAs). */
cii_rc_t agent_store_exec (agent_store_t *self, const char *sql, cii_err_t *err);

/*  The prepared statement for sql on this connection, reset with its bindings cleared. Statements
    are cached by their text for the life of the store: never finalize one. Bind parameters with
    sqlite3_bind_* (?1, ?2, ... are the SQLite form of $n). NULL with err on a bad statement. */
sqlite3_stmt *agent_store_prepare (agent_store_t *self, const char *sql, cii_err_t *err);

/*  Steps a statement that returns no rows (INSERT, UPDATE, DELETE) to its end and resets it.
    CII_OK; CII_CONFLICT on a constraint violation; CII_UNAVAILABLE when the database is busy;
    CII_FAILED otherwise. what names the step in the reason ("insert signal"). */
cii_rc_t agent_store_run (agent_store_t *self, sqlite3_stmt *stmt, const char *what, cii_err_t *err);

/*  The row iterator: calls fn for every row of stmt (read the columns with sqlite3_column_*;
    they are valid during the call), until the rows end or fn returns false, then resets stmt.
    *count_p (when not NULL) receives the number of rows fn saw. fn must not use stmt's own sql
    again (it is the same cached statement). */
typedef bool (agent_row_fn) (sqlite3_stmt *row, void *arg);
cii_rc_t agent_store_rows (agent_store_t *self, sqlite3_stmt *stmt, const char *what, agent_row_fn *fn,
                           void *arg, size_t *count_p, cii_err_t *err);

/*  Reads column 0 of the first row of stmt as an integer and resets stmt. CII_NOT_FOUND when
    there is no row (*value_p untouched). */
cii_rc_t agent_store_int (agent_store_t *self, sqlite3_stmt *stmt, const char *what, int64_t *value_p,
                          cii_err_t *err);

/*  The rowid of the last INSERT on this connection. */
int64_t agent_store_last_rowid (agent_store_t *self);

/*  The SQLite connection, for the store's own files that need more than statements (the FTS5
    tokenizer API of agent_store_search.c). Not for other layers. */
sqlite3 *agent_store_handle (agent_store_t *self);

/*  --- the hub's answer on an upward record ------------------------------------------------- */

/*  Records the hub's RECEIPT on row id of the table that stands for an upward message. sql is that
    table's UPDATE, a literal (statements are cached by their text), with ?1 the row id, ?2 the
    hub's reference (NULL as ""), ?3 the hub's time of receipt and, where the table keeps one, ?4
    the local time of delivery (now). what names the step in a reason ("signal delivered"). */
cii_rc_t agent_store_mark_delivered (agent_store_t *self, const char *sql, int64_t id, const char *hub_ref,
                                     int64_t hub_received_at_ms, const char *what, cii_err_t *err);

/*  Records the hub's final refusal on row id, as agent_store_mark_delivered: sql with ?1 the row
    id, ?2 the wire ErrorCode, ?3 its text (NULL as ""). */
cii_rc_t agent_store_mark_refused (agent_store_t *self, const char *sql, int64_t id, int code, const char *text,
                                   const char *what, cii_err_t *err);

/*  Text of column col of a row, "" for SQL NULL (use sqlite3_column_type to tell NULL apart). */
const char *agent_store_text (sqlite3_stmt *row, int col);

/*  Text of column col of a row, NULL for SQL NULL. */
const char *agent_store_text_or_null (sqlite3_stmt *row, int col);

/*  Copies src (NULL as "") into dst of size bytes, always NUL-terminated. */
void agent_store_copy (char *dst, size_t size, const char *src);

#endif
