/*  agent_store.c — the connection core of the agent's SQLite state (see agent_store.h): file and
    directory creation with owner-only modes, connection settings, forward-only migrations from
    the embedded schema/agent/ files by PRAGMA user_version, the joinable transaction, the
    statement cache and the row iterator. */
#include "agent_store.h"
#include "cii_util.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cii_migration.h"

#define S_CACHE_MAX   128             //  cached statements (the agent has fewer distinct ones)
#define S_LABEL_MAX   40

typedef struct {
    const char *sql;                  //  borrowed: statements are string literals
    sqlite3_stmt *stmt;
} s_cached_t;

struct _agent_store_t {
    sqlite3 *db;
    char path [PATH_MAX];
    char label [S_LABEL_MAX];         //  for log lines: the network
    int depth;                        //  open begins (joined transactions)
    bool doomed;                      //  a joined part rolled back: the outermost must not commit
    s_cached_t cache [S_CACHE_MAX];
    size_t cached;
};

//  --------------------------------------------------------------------------------------------
//  Errors

/*  Maps the connection's last SQLite result to a cii_rc_t and a reason naming what failed. */
static cii_rc_t
s_fail (agent_store_t *self, const char *what, cii_err_t *err)
{
    int code = sqlite3_errcode (self->db) & 0xff;
    cii_rc_t rc = code == SQLITE_CONSTRAINT ? CII_CONFLICT
                : code == SQLITE_BUSY || code == SQLITE_LOCKED ? CII_UNAVAILABLE
                : code == SQLITE_NOMEM ? CII_NO_MEMORY : CII_FAILED;
    if (rc != CII_CONFLICT)
        zsys_error ("agent %s: store: %s: %s", self->label, what, sqlite3_errmsg (self->db));
    return cii_err_set (err, rc, "%s: %s", what, sqlite3_errmsg (self->db));
}

//  --------------------------------------------------------------------------------------------
//  Statements

cii_rc_t
agent_store_exec (agent_store_t *self, const char *sql, cii_err_t *err)
{
    assert (self && sql);
    char *msg = NULL;
    if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return CII_OK;
    char what [48];
    snprintf (what, sizeof what, "%.40s", sql);
    sqlite3_free (msg);
    return s_fail (self, what, err);
}

sqlite3_stmt *
agent_store_prepare (agent_store_t *self, const char *sql, cii_err_t *err)
{
    assert (self && sql);
    for (size_t i = 0; i < self->cached; i++)
        if (self->cache [i].sql == sql || strcmp (self->cache [i].sql, sql) == 0) {
            sqlite3_reset (self->cache [i].stmt);
            sqlite3_clear_bindings (self->cache [i].stmt);
            return self->cache [i].stmt;
        }
    sqlite3_stmt *stmt = NULL;
    unsigned flags = self->cached < S_CACHE_MAX ? SQLITE_PREPARE_PERSISTENT : 0;
    if (sqlite3_prepare_v3 (self->db, sql, -1, flags, &stmt, NULL) != SQLITE_OK) {
        sqlite3_finalize (stmt);
        s_fail (self, "prepare", err);
        return NULL;
    }
    if (self->cached == S_CACHE_MAX) {
        //  Never expected (the agent has fewer statements): recycle the oldest entry
        sqlite3_finalize (self->cache [0].stmt);
        memmove (&self->cache [0], &self->cache [1], (S_CACHE_MAX - 1) * sizeof self->cache [0]);
        self->cached--;
    }
    self->cache [self->cached++] = (s_cached_t) { sql, stmt };
    return stmt;
}

cii_rc_t
agent_store_run (agent_store_t *self, sqlite3_stmt *stmt, const char *what, cii_err_t *err)
{
    assert (self && stmt);
    int rc = sqlite3_step (stmt);
    cii_rc_t result = rc == SQLITE_DONE ? CII_OK : s_fail (self, what, err);
    sqlite3_reset (stmt);
    return result;
}

cii_rc_t
agent_store_rows (agent_store_t *self, sqlite3_stmt *stmt, const char *what, agent_row_fn *fn, void *arg,
                  size_t *count_p, cii_err_t *err)
{
    assert (self && stmt && fn);
    size_t count = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        count++;
        if (!fn (stmt, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    cii_rc_t result = rc == SQLITE_DONE ? CII_OK : s_fail (self, what, err);
    sqlite3_reset (stmt);           //  ends the read: never keep a snapshot open
    if (count_p)
        *count_p = count;
    return result;
}

cii_rc_t
agent_store_int (agent_store_t *self, sqlite3_stmt *stmt, const char *what, int64_t *value_p, cii_err_t *err)
{
    assert (self && stmt && value_p);
    int rc = sqlite3_step (stmt);
    cii_rc_t result = CII_OK;
    if (rc == SQLITE_ROW)
        *value_p = sqlite3_column_int64 (stmt, 0);
    else
    if (rc == SQLITE_DONE)
        result = cii_err_set (err, CII_NOT_FOUND, "%s: no row", what);
    else
        result = s_fail (self, what, err);
    sqlite3_reset (stmt);
    return result;
}

int64_t
agent_store_last_rowid (agent_store_t *self)
{
    assert (self);
    return sqlite3_last_insert_rowid (self->db);
}

cii_rc_t
agent_store_mark_delivered (agent_store_t *self, const char *sql, int64_t id, const char *hub_ref,
                            int64_t hub_received_at_ms, const char *what, cii_err_t *err)
{
    assert (self && sql);
    sqlite3_stmt *stmt = agent_store_prepare (self, sql, err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, hub_ref ? hub_ref : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, hub_received_at_ms);
    if (sqlite3_bind_parameter_count (stmt) >= 4)
        sqlite3_bind_int64 (stmt, 4, cii_util_now_ms ());
    return agent_store_run (self, stmt, what, err);
}

cii_rc_t
agent_store_mark_refused (agent_store_t *self, const char *sql, int64_t id, int code, const char *text,
                          const char *what, cii_err_t *err)
{
    assert (self && sql);
    sqlite3_stmt *stmt = agent_store_prepare (self, sql, err);
    if (!stmt)
        return CII_FAILED;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int (stmt, 2, code);
    sqlite3_bind_text (stmt, 3, text ? text : "", -1, SQLITE_STATIC);
    return agent_store_run (self, stmt, what, err);
}

sqlite3 *
agent_store_handle (agent_store_t *self)
{
    assert (self);
    return self->db;
}

const char *
agent_store_text (sqlite3_stmt *row, int col)
{
    const char *text = (const char *) sqlite3_column_text (row, col);
    return text ? text : "";
}

const char *
agent_store_text_or_null (sqlite3_stmt *row, int col)
{
    return sqlite3_column_type (row, col) == SQLITE_NULL ? NULL : agent_store_text (row, col);
}

void
agent_store_copy (char *dst, size_t size, const char *src)
{
    if (size > 0)
        snprintf (dst, size, "%s", src ? src : "");
}

//  --------------------------------------------------------------------------------------------
//  Transactions

cii_rc_t
agent_store_begin (agent_store_t *self, cii_err_t *err)
{
    assert (self);
    if (self->depth == 0) {
        cii_rc_t rc = agent_store_exec (self, "BEGIN IMMEDIATE", err);
        if (rc != CII_OK)
            return rc;
        self->doomed = false;
    }
    self->depth++;
    return CII_OK;
}

cii_rc_t
agent_store_commit (agent_store_t *self, cii_err_t *err)
{
    assert (self && self->depth > 0);
    if (--self->depth > 0)
        return CII_OK;
    if (self->doomed) {
        agent_store_exec (self, "ROLLBACK", NULL);
        return cii_err_set (err, CII_FAILED, "transaction rolled back");
    }
    cii_rc_t rc = agent_store_exec (self, "COMMIT", err);
    if (rc != CII_OK && !sqlite3_get_autocommit (self->db))
        agent_store_exec (self, "ROLLBACK", NULL);
    return rc;
}

void
agent_store_rollback (agent_store_t *self)
{
    assert (self);
    if (self->depth == 0)
        return;
    self->doomed = true;
    if (--self->depth == 0 && !sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

//  --------------------------------------------------------------------------------------------
//  Migrations: schema/agent/NNNN_name.sql, embedded as agent_migrations[]. Each one runs in one
//  transaction together with the new user_version; the version is read again under the write
//  lock, so two processes opening an old file at once migrate it once.

cii_rc_t
agent_store_schema_version (agent_store_t *self, int *version_p, cii_err_t *err)
{
    assert (self && version_p);
    sqlite3_stmt *stmt = agent_store_prepare (self, "PRAGMA user_version", err);
    int64_t version = 0;
    cii_rc_t rc = stmt ? agent_store_int (self, stmt, "user_version", &version, err) : CII_FAILED;
    if (rc == CII_OK)
        *version_p = (int) version;
    return rc;
}

static cii_rc_t
s_migrate (agent_store_t *self, cii_err_t *err)
{
    int latest = cii_migration_latest (agent_migrations, agent_migrations_count);
    for (;;) {
        int version = 0;
        if (agent_store_schema_version (self, &version, err) != CII_OK)
            return cii_err_prefix (err, "cannot read the schema version");
        if (version > latest)
            return cii_err_set (err, CII_REFUSED, "state schema version %d is newer than this cii-agent (%d)",
                                version, latest);
        if (version == latest)
            return CII_OK;
        const cii_migration_t *next = NULL;
        for (size_t i = 0; i < agent_migrations_count && !next; i++)
            if (agent_migrations [i].version == version + 1)
                next = &agent_migrations [i];
        if (!next)
            return cii_err_set (err, CII_FAILED, "schema migration %d is missing from this cii-agent", version + 1);
        if (agent_store_begin (self, err) != CII_OK)
            return cii_err_prefix (err, "cannot lock the state");
        int locked = 0;
        if (agent_store_schema_version (self, &locked, err) != CII_OK || locked != version) {
            agent_store_rollback (self);     //  migrated by another process meanwhile: look again
            continue;
        }
        //  PRAGMA takes no parameters; the value is our own integer, never input
        char pragma [48];
        snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d", next->version);
        if (agent_store_exec (self, next->sql, err) != CII_OK || agent_store_exec (self, pragma, err) != CII_OK) {
            agent_store_rollback (self);
            return cii_err_prefix (err, "schema migration %s failed", next->name);
        }
        if (agent_store_commit (self, err) != CII_OK)
            return cii_err_prefix (err, "schema migration %s failed", next->name);
        if (version > 0)        //  an existing state migrated in place (a new one is just made)
            zsys_info ("agent %s: store: schema migrated to version %d (%s)", self->label, next->version, next->name);
    }
}

//  --------------------------------------------------------------------------------------------
//  Connection

static void
s_unlink (const char *path)
{
    char extra [PATH_MAX + 8];
    unlink (path);
    snprintf (extra, sizeof extra, "%s-wal", path);
    unlink (extra);
    snprintf (extra, sizeof extra, "%s-shm", path);
    unlink (extra);
}

void
agent_store_destroy (agent_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_store_t *self = *self_p;
    for (size_t i = 0; i < self->cached; i++)
        sqlite3_finalize (self->cache [i].stmt);
    if (self->db)
        sqlite3_close_v2 (self->db);
    free (self);
    *self_p = NULL;
}

void
agent_store_discard (agent_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    char path [PATH_MAX];
    memcpy (path, (*self_p)->path, sizeof path);
    agent_store_destroy (self_p);
    s_unlink (path);
}

const char *
agent_store_label (agent_store_t *self)
{
    assert (self);
    return self->label;
}

void
agent_store_set_label (agent_store_t *self, const char *label)
{
    assert (self);
    agent_store_copy (self->label, sizeof self->label, label && *label ? label : "-");
}

/*  DIR/agent.db into self->path. */
static cii_rc_t
s_path (agent_store_t *self, const char *state_dir, cii_err_t *err)
{
    if ((size_t) snprintf (self->path, sizeof self->path, "%s/%s", state_dir, AGENT_STORE_FILE) >= sizeof self->path)
        return cii_err_set (err, CII_BAD_INPUT, "state directory path too long");
    return CII_OK;
}

/*  Opens self->path (which exists) with the shared settings and migrates the schema. */
static cii_rc_t
s_connect (agent_store_t *self, cii_err_t *err)
{
    int rc = sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK)
        return cii_err_set (err, CII_FAILED, "cannot open %s: %s", self->path,
                            self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
    sqlite3_extended_result_codes (self->db, 1);
    sqlite3_busy_timeout (self->db, AGENT_STORE_BUSY_MS);
    //  WAL lets the CLI write while the daemon reads; FULL: a commit survives a power cut
    sqlite3_stmt *stmt = agent_store_prepare (self, "PRAGMA journal_mode=WAL", err);
    bool wal = stmt && sqlite3_step (stmt) == SQLITE_ROW && strcmp (agent_store_text (stmt, 0), "wal") == 0;
    if (stmt)
        sqlite3_reset (stmt);
    if (!wal || agent_store_exec (self, "PRAGMA synchronous=FULL", err) != CII_OK
    ||  agent_store_exec (self, "PRAGMA foreign_keys=ON", err) != CII_OK)
        return cii_err_set (err, CII_FAILED, "cannot configure the state database: %s", sqlite3_errmsg (self->db));
    return s_migrate (self, err);
}

static agent_store_t *
s_new (const char *state_dir, cii_err_t *err)
{
    assert (state_dir);
    agent_store_t *self = calloc (1, sizeof *self);
    if (!self) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        return NULL;
    }
    agent_store_set_label (self, NULL);
    if (s_path (self, state_dir, err) != CII_OK)
        agent_store_destroy (&self);
    return self;
}

/*  The directory holds the agent's secret key: owner only. */
static cii_rc_t
s_make_dir (const char *state_dir, cii_err_t *err)
{
    if (mkdir (state_dir, 0700) == 0) {
        if (chmod (state_dir, 0700) != 0)          //  mkdir's mode is filtered by the umask
            return cii_err_set (err, CII_FAILED, "cannot set mode 0700 on %s: %s", state_dir, strerror (errno));
        return CII_OK;
    }
    struct stat st;
    if (errno != EEXIST || stat (state_dir, &st) != 0 || !S_ISDIR (st.st_mode))
        return cii_err_set (err, CII_FAILED, "cannot create state directory %s: %s", state_dir,
                            strerror (errno == EEXIST ? ENOTDIR : errno));
    if ((st.st_mode & 077) != 0) {
        if (chmod (state_dir, 0700) != 0)
            return cii_err_set (err, CII_FAILED, "cannot restrict %s to mode 0700: %s", state_dir, strerror (errno));
        zsys_warning ("agent: state directory %s restricted to mode 0700", state_dir);
    }
    return CII_OK;
}

agent_store_t *
agent_store_create (const char *state_dir, cii_err_t *err)
{
    agent_store_t *self = s_new (state_dir, err);
    if (!self || s_make_dir (state_dir, err) != CII_OK) {
        agent_store_destroy (&self);
        return NULL;
    }
    //  Create the file ourselves so it is never readable by others, not even for a moment;
    //  SQLite gives the -wal and -shm files the same mode
    int fd = open (self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            cii_err_set (err, CII_CONFLICT, "%s already exists (this state directory is initialised)", self->path);
        else
            cii_err_set (err, CII_FAILED, "cannot create %s: %s", self->path, strerror (errno));
        agent_store_destroy (&self);
        return NULL;
    }
    int mode_rc = fchmod (fd, 0600);
    int saved = errno;
    close (fd);
    if (mode_rc != 0) {
        cii_err_set (err, CII_FAILED, "cannot set mode 0600 on %s: %s", self->path, strerror (saved));
        agent_store_discard (&self);
        return NULL;
    }
    if (s_connect (self, err) != CII_OK)
        agent_store_discard (&self);
    return self;
}

agent_store_t *
agent_store_open (const char *state_dir, cii_err_t *err)
{
    agent_store_t *self = s_new (state_dir, err);
    if (!self)
        return NULL;
    struct stat st;
    if (stat (self->path, &st) != 0) {
        if (errno == ENOENT)
            cii_err_set (err, CII_NOT_FOUND, "%s is not initialised (no %s; run cii-agent init)", state_dir,
                         AGENT_STORE_FILE);
        else
            cii_err_set (err, CII_FAILED, "cannot open %s: %s", self->path, strerror (errno));
        agent_store_destroy (&self);
        return NULL;
    }
    //  The state holds the agent's secret key: refuse it when a restore or a copy loosened its
    //  modes, as ssh refuses a key file readable by others.
    char extra [sizeof self->path + 8];
    const char *suffixes [] = { "-wal", "-shm" };
    if (cii_util_check_private (state_dir, err) != CII_OK || cii_util_check_private (self->path, err) != CII_OK) {
        agent_store_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < 2; i++) {
        snprintf (extra, sizeof extra, "%s%s", self->path, suffixes [i]);
        if (access (extra, F_OK) == 0 && cii_util_check_private (extra, err) != CII_OK) {
            agent_store_destroy (&self);
            return NULL;
        }
    }
    if (s_connect (self, err) != CII_OK)
        agent_store_destroy (&self);
    return self;
}
