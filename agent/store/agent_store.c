/*  agent_store.c — the agent's SQLite state (DIR/agent.db): schema migrations by PRAGMA
    user_version, configuration, signals with their outbox, downward inbox and notices, daemon
    status. Every write is one BEGIN IMMEDIATE transaction so the daemon and the CLI share the file. */
#include "agent_store.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cii_domain.h"
#include "cii_util.h"

#define DB_NAME "agent.db"

struct _agent_store_t {
    sqlite3 *db;
    char network[33];        //  for log prefixes
};

//  Forward-only migrations: entry i brings the schema from user_version i to i + 1, applied in
//  one transaction together with the new user_version. Never edit an entry once released; add one.
//  SQLite parameters below are numbered ?N (explicit positions, the SQLite form of $n).
static const char *s_migrations[] = {
    //  1: initial schema
    "CREATE TABLE config ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE cantons ("
    "  code TEXT PRIMARY KEY,"
    "  position INTEGER NOT NULL);"
    "CREATE TABLE signals ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  canton TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  institutions TEXT NOT NULL,"
    "  target_groups TEXT NOT NULL,"
    "  national_reason TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  delivered_at INTEGER,"
    "  hub_ref TEXT,"
    "  hub_received_at INTEGER,"
    "  refused_code INTEGER,"
    "  refused_text TEXT);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  ref_id INTEGER NOT NULL,"
    "  body BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    "  last_sent_ms INTEGER);"
    "CREATE INDEX outbox_due ON outbox (next_attempt_ms, id);"
    "CREATE TABLE inbox ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  body BLOB NOT NULL,"
    "  received_at INTEGER NOT NULL);"
    "CREATE TABLE notices ("
    "  seq INTEGER PRIMARY KEY REFERENCES inbox (seq),"
    "  notice_id INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  networks TEXT NOT NULL,"
    "  issued_at INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL);"
    "CREATE TABLE status ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);",
};
#define MIGRATION_COUNT ((int) (sizeof s_migrations / sizeof s_migrations[0]))

static const char *
s_net (agent_store_t *self)
{
    return self && self->network[0] ? self->network : "-";
}

static void
s_db_error (agent_store_t *self, const char *what)
{
    zsys_error ("agent %s: store: %s: %s", s_net (self), what, sqlite3_errmsg (self->db));
}

static int
s_exec (agent_store_t *self, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        zsys_error ("agent %s: store: %.40s: %s", s_net (self), sql, msg ? msg : "?");
        sqlite3_free (msg);
        return -1;
    }
    return 0;
}

static int
s_begin (agent_store_t *self)
{
    return s_exec (self, "BEGIN IMMEDIATE");
}

static int
s_commit (agent_store_t *self)
{
    return s_exec (self, "COMMIT");
}

static void
s_rollback (agent_store_t *self)
{
    if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *
s_prepare (agent_store_t *self, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        s_db_error (self, "prepare");
        sqlite3_finalize (stmt);
        return NULL;
    }
    return stmt;
}

//  Runs a statement that returns no rows (INSERT/UPDATE/DELETE) and finalizes it. 0 / -1.
static int
s_step_done (agent_store_t *self, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE)
        s_db_error (self, what);
    sqlite3_finalize (stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const char *
s_col_text (sqlite3_stmt *stmt, int col)
{
    return (const char *) sqlite3_column_text (stmt, col);
}

//  Safe bounded copy, always NUL-terminated.
static void
s_copy (char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    snprintf (dst, size, "%s", src ? src : "");
}

static int
s_user_version (agent_store_t *self)
{
    sqlite3_stmt *stmt = s_prepare (self, "PRAGMA user_version");
    if (!stmt)
        return -1;
    int version = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        version = sqlite3_column_int (stmt, 0);
    else
        s_db_error (self, "user_version");
    sqlite3_finalize (stmt);
    return version;
}

//  Brings the schema up to MIGRATION_COUNT; refuses a database newer than this binary.
static int
s_migrate (agent_store_t *self, char *reason, size_t n)
{
    for (;;) {
        int version = s_user_version (self);
        if (version < 0) {
            snprintf (reason, n, "cannot read schema version: %s", sqlite3_errmsg (self->db));
            return -1;
        }
        if (version > MIGRATION_COUNT) {
            snprintf (reason, n, "state schema version %d is newer than this cii-agent (%d)",
                      version, MIGRATION_COUNT);
            return -1;
        }
        if (version == MIGRATION_COUNT)
            return 0;
        if (s_begin (self)) {
            snprintf (reason, n, "cannot lock the state: %s", sqlite3_errmsg (self->db));
            return -1;
        }
        //  Re-read under the write lock: another process may have migrated meanwhile
        int locked = s_user_version (self);
        if (locked != version) {
            s_rollback (self);
            continue;
        }
        //  PRAGMA takes no parameters; the value is our own integer, never input
        char pragma[64];
        snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
        if (s_exec (self, s_migrations[version]) || s_exec (self, pragma) || s_commit (self)) {
            snprintf (reason, n, "schema migration %d failed: %s", version + 1,
                      sqlite3_errmsg (self->db));
            s_rollback (self);
            return -1;
        }
        zsys_debug ("agent %s: store: schema migrated to version %d", s_net (self), version + 1);
    }
}

//  Connection settings shared by init and open.
static int
s_configure (agent_store_t *self, char *reason, size_t n)
{
    sqlite3_busy_timeout (self->db, 5000);
    sqlite3_stmt *stmt = s_prepare (self, "PRAGMA journal_mode=WAL");
    const char *mode = NULL;
    int ok = 0;
    if (stmt && sqlite3_step (stmt) == SQLITE_ROW && (mode = s_col_text (stmt, 0)) != NULL
        && strcmp (mode, "wal") == 0)
        ok = 1;
    sqlite3_finalize (stmt);
    if (!ok || s_exec (self, "PRAGMA synchronous=FULL") || s_exec (self, "PRAGMA foreign_keys=ON")) {
        snprintf (reason, n, "cannot configure the state database: %s", sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

static agent_store_t *
s_connect (const char *path, char *reason, size_t n)
{
    agent_store_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (reason, n, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf (reason, n, "cannot open %s: %s", path,
                  self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
        agent_store_destroy (&self);
        return NULL;
    }
    sqlite3_extended_result_codes (self->db, 1);
    if (s_configure (self, reason, n) || s_migrate (self, reason, n)) {
        agent_store_destroy (&self);
        return NULL;
    }
    return self;
}

static int
s_config_put (agent_store_t *self, const char *key, const char *value)
{
    sqlite3_stmt *stmt = s_prepare (self, "INSERT INTO config (key, value) VALUES (?1, ?2)"
                                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
    return s_step_done (self, stmt, "config");
}

//  Replaces the cantons table; inside the caller's transaction.
static int
s_cantons_put (agent_store_t *self, const char *const *cantons, size_t count)
{
    sqlite3_stmt *del = s_prepare (self, "DELETE FROM cantons");
    if (!del || s_step_done (self, del, "cantons"))
        return -1;
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *stmt = s_prepare (self, "INSERT INTO cantons (code, position) VALUES (?1, ?2)");
        if (!stmt)
            return -1;
        sqlite3_bind_text (stmt, 1, cantons[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
        if (s_step_done (self, stmt, "canton"))
            return -1;
    }
    return 0;
}

//  Splits "VD,VS,GE" into up to CII_CANTON_COUNT codes stored in buf; returns the count, -1 if
//  there are too many or one is not a valid canton code.
static int
s_split_cantons (const char *list, char buf[CII_CANTON_COUNT][3], const char *ptrs[CII_CANTON_COUNT])
{
    int count = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        if (len != 2 || count == CII_CANTON_COUNT)
            return -1;
        memcpy (buf[count], p, 2);
        buf[count][2] = 0;
        if (!cii_domain_canton_valid (buf[count]))
            return -1;
        for (int i = 0; i < count; i++)
            if (strcmp (buf[i], buf[count]) == 0)
                return -1;
        ptrs[count] = buf[count];
        count++;
        p += len;
        if (*p == ',')
            p++;
    }
    return count;
}

static void
s_unlink_db (const char *path)
{
    char extra[PATH_MAX + 8];
    unlink (path);
    snprintf (extra, sizeof extra, "%s-wal", path);
    unlink (extra);
    snprintf (extra, sizeof extra, "%s-shm", path);
    unlink (extra);
}

int
agent_store_init (const char *state_dir, const cii_bundle_t *bundle, char *reason, size_t n)
{
    assert (state_dir);
    assert (bundle);
    char path[PATH_MAX];
    char codes[CII_CANTON_COUNT][3];
    const char *ptrs[CII_CANTON_COUNT];
    agent_store_t *self = NULL;
    int created = 0;
    int rc = -1;

    if (!cii_domain_network_name_valid (bundle->network)) {
        snprintf (reason, n, "bundle network name '%s' is not valid", bundle->network);
        goto cleanup;
    }
    int count = s_split_cantons (bundle->cantons, codes, ptrs);
    if (count < 0) {
        snprintf (reason, n, "bundle canton list '%s' is not valid", bundle->cantons);
        goto cleanup;
    }
    if ((size_t) snprintf (path, sizeof path, "%s/%s", state_dir, DB_NAME) >= sizeof path) {
        snprintf (reason, n, "state directory path too long");
        goto cleanup;
    }
    //  The directory holds the agent's secret key: owner only
    if (mkdir (state_dir, 0700) != 0) {
        struct stat st;
        if (errno != EEXIST || stat (state_dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
            snprintf (reason, n, "cannot create state directory %s: %s", state_dir,
                      strerror (errno == EEXIST ? ENOTDIR : errno));
            goto cleanup;
        }
        if ((st.st_mode & 077) != 0) {
            if (chmod (state_dir, 0700) != 0) {
                snprintf (reason, n, "cannot restrict %s to mode 0700: %s", state_dir,
                          strerror (errno));
                goto cleanup;
            }
            zsys_warning ("agent %s: state directory %s restricted to mode 0700", bundle->network,
                          state_dir);
        }
    }
    else if (chmod (state_dir, 0700) != 0) {   //  mkdir's mode is filtered by the umask
        snprintf (reason, n, "cannot set mode 0700 on %s: %s", state_dir, strerror (errno));
        goto cleanup;
    }
    //  Create the file ourselves so it is never readable by others, not even for a moment;
    //  SQLite gives the -wal and -shm files the same mode
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            snprintf (reason, n, "%s already exists (this state directory is initialised)", path);
        else
            snprintf (reason, n, "cannot create %s: %s", path, strerror (errno));
        goto cleanup;
    }
    created = 1;
    int mode_rc = fchmod (fd, 0600);
    close (fd);
    if (mode_rc != 0) {
        snprintf (reason, n, "cannot set mode 0600 on %s: %s", path, strerror (errno));
        goto cleanup;
    }
    self = s_connect (path, reason, n);
    if (!self)
        goto cleanup;
    s_copy (self->network, sizeof self->network, bundle->network);
    if (s_begin (self))
        goto db_error;
    if (s_config_put (self, "network", bundle->network)
        || s_config_put (self, "endpoint", bundle->endpoint)
        || s_config_put (self, "hub_public", bundle->hub_public)
        || s_config_put (self, "agent_public", bundle->agent_public)
        || s_config_put (self, "agent_secret", bundle->agent_secret)
        || s_cantons_put (self, ptrs, (size_t) count) || s_commit (self))
        goto db_error;
    zsys_info ("agent %s: store: initialised %s (cantons %s)", bundle->network, path,
               bundle->cantons);
    rc = 0;
    goto cleanup;

db_error:
    snprintf (reason, n, "cannot write %s: %s", path, sqlite3_errmsg (self->db));
    s_rollback (self);
cleanup:
    agent_store_destroy (&self);
    if (rc != 0 && created)
        s_unlink_db (path);
    return rc;
}

agent_store_t *
agent_store_open (const char *state_dir, char *reason, size_t n)
{
    assert (state_dir);
    char path[PATH_MAX];
    if ((size_t) snprintf (path, sizeof path, "%s/%s", state_dir, DB_NAME) >= sizeof path) {
        snprintf (reason, n, "state directory path too long");
        return NULL;
    }
    struct stat st;
    if (stat (path, &st) != 0) {
        if (errno == ENOENT)
            snprintf (reason, n, "%s is not initialised (no %s; run cii-agent init)", state_dir,
                      DB_NAME);
        else
            snprintf (reason, n, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    agent_store_t *self = s_connect (path, reason, n);
    if (!self)
        return NULL;
    sqlite3_stmt *stmt = s_prepare (self, "SELECT value FROM config WHERE key = 'network'");
    if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
        s_copy (self->network, sizeof self->network, s_col_text (stmt, 0));
    sqlite3_finalize (stmt);
    if (!self->network[0]) {
        snprintf (reason, n, "%s has no network configured (incomplete init?)", path);
        agent_store_destroy (&self);
        return NULL;
    }
    return self;
}

void
agent_store_destroy (agent_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_store_t *self = *self_p;
    if (self->db)
        sqlite3_close_v2 (self->db);
    free (self);
    *self_p = NULL;
}

int
agent_store_config (agent_store_t *self, cii_bundle_t *config)
{
    assert (self);
    assert (config);
    memset (config, 0, sizeof *config);
    sqlite3_stmt *stmt = s_prepare (self, "SELECT key, value FROM config");
    if (!stmt)
        return -1;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        const char *key = s_col_text (stmt, 0);
        const char *value = s_col_text (stmt, 1);
        if (!key || !value)
            continue;
        if (streq (key, "network"))
            s_copy (config->network, sizeof config->network, value);
        else if (streq (key, "endpoint"))
            s_copy (config->endpoint, sizeof config->endpoint, value);
        else if (streq (key, "hub_public"))
            s_copy (config->hub_public, sizeof config->hub_public, value);
        else if (streq (key, "agent_public"))
            s_copy (config->agent_public, sizeof config->agent_public, value);
        else if (streq (key, "agent_secret"))
            s_copy (config->agent_secret, sizeof config->agent_secret, value);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE) {
        s_db_error (self, "config");
        return -1;
    }
    stmt = s_prepare (self, "SELECT code FROM cantons ORDER BY position, code");
    if (!stmt)
        return -1;
    size_t len = 0;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        const char *code = s_col_text (stmt, 0);
        if (!code || strlen (code) != 2 || len + 3 >= sizeof config->cantons)
            continue;
        len += (size_t) snprintf (config->cantons + len, sizeof config->cantons - len, "%s%s",
                                  len ? "," : "", code);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE) {
        s_db_error (self, "cantons");
        return -1;
    }
    return 0;
}

int
agent_store_set_cantons (agent_store_t *self, const char *const *cantons, size_t count)
{
    assert (self);
    if (count > CII_CANTON_COUNT)
        return -2;
    for (size_t i = 0; i < count; i++) {
        if (!cantons[i] || !cii_domain_canton_valid (cantons[i])) {
            zsys_warning ("agent %s: store: refusing canton list with invalid code '%s'",
                          s_net (self), cantons[i] ? cantons[i] : "(null)");
            return -2;
        }
        for (size_t j = 0; j < i; j++)
            if (streq (cantons[i], cantons[j]))
                return -2;
    }
    if (s_begin (self))
        return -1;
    if (s_cantons_put (self, cantons, count) || s_commit (self)) {
        s_rollback (self);
        return -1;
    }
    return 0;
}

int
agent_store_canton_in_network (agent_store_t *self, const char *canton)
{
    assert (self);
    if (!canton)
        return 0;
    sqlite3_stmt *stmt = s_prepare (self, "SELECT 1 FROM cantons WHERE code = ?1");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, canton, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    int result = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (result < 0)
        s_db_error (self, "canton lookup");
    sqlite3_finalize (stmt);
    return result;
}

//  Joins enum values as comma-separated names into a new string (caller frees); NULL on an
//  unknown value or no memory.
static char *
s_join_names (const int *values, size_t count, const char *(*name_of) (int))
{
    size_t cap = 1;
    for (size_t i = 0; i < count; i++) {
        const char *name = name_of (values[i]);
        if (!name)
            return NULL;
        cap += strlen (name) + 1;
    }
    char *out = malloc (cap);
    if (!out)
        return NULL;
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < count; i++)
        len += (size_t) snprintf (out + len, cap - len, "%s%s", i ? "," : "", name_of (values[i]));
    return out;
}

static void
s_set_err (cii_codec_error_t *err, Cii__ErrorCode code, const char *text)
{
    if (!err)
        return;
    memset (err, 0, sizeof *err);
    err->code = code;
    s_copy (err->text, sizeof err->text, text);
}

//  A signal checked and packed, ready to insert.
typedef struct {
    const Cii__Signal *signal;
    char message_id[37];
    uint8_t *data;
    size_t size;
    char *institutions;
    char *target_groups;
} s_prepared_t;

static void
s_prepared_free (s_prepared_t *p)
{
    free (p->data);
    free (p->institutions);
    free (p->target_groups);
    memset (p, 0, sizeof *p);
}

//  Checks the canton against this network, gives the signal a fresh message id and packs its
//  Envelope with the codec. 0, -2 refused (err filled), -1 error.
static int
s_prepare_signal (agent_store_t *self, const Cii__Signal *signal, s_prepared_t *p,
                  cii_codec_error_t *err)
{
    memset (p, 0, sizeof *p);
    if (!signal || !signal->canton) {
        s_set_err (err, CII__ERROR_CODE__ERROR_MALFORMED, "signal: missing");
        return -2;
    }
    int member = agent_store_canton_in_network (self, signal->canton);
    if (member < 0)
        return -1;
    if (member == 0) {
        char text[160];
        snprintf (text, sizeof text, "signal.canton: %.8s is not in network %s", signal->canton,
                  self->network);
        s_set_err (err,
                   cii_domain_canton_valid (signal->canton) ? CII__ERROR_CODE__ERROR_NOT_AUTHORISED
                                                            : CII__ERROR_CODE__ERROR_UNKNOWN_CANTON,
                   text);
        return -2;
    }
    p->signal = signal;
    cii_util_uuid (p->message_id);
    Cii__Signal copy = *signal;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = p->message_id;
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &copy;
    cii_codec_error_t local_err;
    int rc = cii_codec_encode (&env, &p->data, &p->size, err ? err : &local_err);
    if (rc != 0) {
        p->data = NULL;
        return rc == CII_BAD_INPUT ? -2 : -1;
    }
    //  Lists as CLI names; the codec has checked every value, so NULL here means no memory
    p->institutions = s_join_names ((const int *) signal->institutions, signal->n_institutions,
                                    cii_domain_institution_name);
    p->target_groups = s_join_names ((const int *) signal->target_groups, signal->n_target_groups,
                                     cii_domain_target_group_name);
    if (!p->institutions || !p->target_groups) {
        zsys_error ("agent %s: store: cannot name institutions/target groups", self->network);
        return -1;
    }
    return 0;
}

//  Inserts a prepared signal and its outbox row; inside the caller's transaction.
static int
s_insert_signal (agent_store_t *self, const s_prepared_t *p, int64_t now, int64_t *id_p)
{
    const Cii__Signal *signal = p->signal;
    sqlite3_stmt *stmt = s_prepare (self,
        "INSERT INTO signals (message_id, canton, title, description, institutions,"
        " target_groups, national_reason, language, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, p->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, signal->canton, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, signal->title ? signal->title : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, signal->description ? signal->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, p->institutions, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 6, p->target_groups, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 7, signal->national_reason ? signal->national_reason : "", -1,
                       SQLITE_STATIC);
    sqlite3_bind_text (stmt, 8, signal->language ? signal->language : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 9, signal->created_at_ms ? signal->created_at_ms : now);
    if (s_step_done (self, stmt, "insert signal"))
        return -1;
    int64_t id = sqlite3_last_insert_rowid (self->db);

    stmt = s_prepare (self, "INSERT INTO outbox (message_id, kind, ref_id, body, created_at)"
                            " VALUES (?1, 'signal', ?2, ?3, ?4)");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, p->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, id);
    sqlite3_bind_blob (stmt, 3, p->data, (int) p->size, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, now);
    if (s_step_done (self, stmt, "insert outbox"))
        return -1;
    *id_p = id;
    return 0;
}

int
agent_store_add_signals (agent_store_t *self, const Cii__Signal *const *signals, size_t count,
                         int64_t *ids, char (*message_ids)[65], size_t *failed_p,
                         cii_codec_error_t *err)
{
    assert (self);
    if (count == 0)
        return 0;
    s_prepared_t *prepared = calloc (count, sizeof *prepared);
    if (!prepared)
        return -1;
    int rc = -1;
    size_t i;
    //  Check and pack everything first: a refusal stores nothing
    for (i = 0; i < count; i++) {
        int prc = s_prepare_signal (self, signals[i], &prepared[i], err);
        if (prc != 0) {
            if (failed_p)
                *failed_p = i;
            rc = prc;
            goto cleanup;
        }
    }
    int64_t now = cii_util_now_ms ();
    if (s_begin (self))
        goto cleanup;
    for (i = 0; i < count; i++) {
        int64_t id;
        if (s_insert_signal (self, &prepared[i], now, &id)) {
            s_rollback (self);
            goto cleanup;
        }
        if (ids)
            ids[i] = id;
    }
    if (s_commit (self)) {
        s_rollback (self);
        goto cleanup;
    }
    //  No log line here: the CLI reports each queued signal on its own output
    for (i = 0; i < count && message_ids; i++)
        s_copy (message_ids[i], 65, prepared[i].message_id);
    rc = 0;

cleanup:
    for (i = 0; i < count; i++)
        s_prepared_free (&prepared[i]);
    free (prepared);
    return rc;
}

int
agent_store_add_signal (agent_store_t *self, const Cii__Signal *signal, int64_t *id_p,
                        char *message_id, cii_codec_error_t *err)
{
    int64_t id = 0;
    char mid[1][65];
    int rc = agent_store_add_signals (self, &signal, 1, &id, mid, NULL, err);
    if (rc == 0) {
        if (id_p)
            *id_p = id;
        if (message_id)
            s_copy (message_id, 65, mid[0]);
    }
    return rc;
}

//  --- outbox ---------------------------------------------------------------------------------

int
agent_store_outbox_due (agent_store_t *self, int64_t now_ms, int limit, agent_outbox_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    if (limit <= 0)
        return 0;
    if (limit > 4096)
        limit = 4096;           //  bounds the copy below; callers send in windows anyway
    //  Copy the due entries first and finish the read, so fn may write to the store (e.g.
    //  agent_store_outbox_sent) without a read transaction pending on this connection
    agent_outbox_item_t *items = calloc ((size_t) limit, sizeof *items);
    if (!items)
        return -1;
    int count = 0;
    int visited = -1;
    int rc = SQLITE_DONE;
    sqlite3_stmt *stmt = s_prepare (self, "SELECT id, message_id, body, attempts FROM outbox"
                                          " WHERE next_attempt_ms <= ?1 ORDER BY id LIMIT ?2");
    if (!stmt)
        goto cleanup;
    sqlite3_bind_int64 (stmt, 1, now_ms);
    sqlite3_bind_int (stmt, 2, limit);
    while (count < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        agent_outbox_item_t *item = &items[count];
        item->id = sqlite3_column_int64 (stmt, 0);
        s_copy (item->message_id, sizeof item->message_id, s_col_text (stmt, 1));
        const void *blob = sqlite3_column_blob (stmt, 2);
        int size = sqlite3_column_bytes (stmt, 2);
        item->attempts = sqlite3_column_int (stmt, 3);
        if (!blob || size <= 0)
            continue;           //  never written so; skip rather than send an empty frame
        uint8_t *copy = malloc ((size_t) size);
        if (!copy)
            goto cleanup;
        memcpy (copy, blob, (size_t) size);
        item->data = copy;
        item->size = (size_t) size;
        count++;
    }
    if (count < limit && rc != SQLITE_DONE) {
        s_db_error (self, "outbox due");
        goto cleanup;
    }
    sqlite3_finalize (stmt);
    stmt = NULL;
    visited = 0;
    for (int i = 0; i < count; i++) {
        visited++;
        if (fn (&items[i], arg) == -1)
            break;
    }
cleanup:
    sqlite3_finalize (stmt);
    for (int i = 0; i < count; i++)
        free ((void *) items[i].data);
    free (items);
    return visited;
}

int
agent_store_outbox_sent (agent_store_t *self, int64_t id, int64_t next_ms)
{
    return agent_store_outbox_sent_many (self, &id, &next_ms, 1);
}

int
agent_store_outbox_sent_many (agent_store_t *self, const int64_t *ids, const int64_t *next_ms, size_t count)
{
    assert (self);
    if (count == 0)
        return 0;
    if (s_begin (self))
        return -1;
    sqlite3_stmt *stmt = s_prepare (self, "UPDATE outbox SET attempts = attempts + 1,"
                                          " next_attempt_ms = ?2, last_sent_ms = ?3 WHERE id = ?1");
    if (!stmt) {
        s_rollback (self);
        return -1;
    }
    int64_t now = cii_util_now_ms ();
    for (size_t i = 0; i < count; i++) {
        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, ids[i]);
        sqlite3_bind_int64 (stmt, 2, next_ms[i]);
        sqlite3_bind_int64 (stmt, 3, now);
        if (sqlite3_step (stmt) != SQLITE_DONE) {
            s_db_error (self, "outbox sent");
            sqlite3_finalize (stmt);
            s_rollback (self);
            return -1;
        }
    }
    sqlite3_finalize (stmt);
    if (s_commit (self)) {
        s_rollback (self);
        return -1;
    }
    return 0;
}

int
agent_store_outbox_reset (agent_store_t *self)
{
    assert (self);
    if (s_begin (self))
        return -1;
    sqlite3_stmt *stmt = s_prepare (self, "UPDATE outbox SET next_attempt_ms = 0");
    if (!stmt || s_step_done (self, stmt, "outbox reset") || s_commit (self)) {
        s_rollback (self);
        return -1;
    }
    return 0;
}

static int64_t
s_scalar (agent_store_t *self, const char *sql, const char *what)
{
    sqlite3_stmt *stmt = s_prepare (self, sql);
    if (!stmt)
        return -1;
    int64_t value = -1;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
    else
        s_db_error (self, what);
    sqlite3_finalize (stmt);
    return value;
}

int
agent_store_outbox_count (agent_store_t *self)
{
    assert (self);
    return (int) s_scalar (self, "SELECT count(*) FROM outbox", "outbox count");
}

//  Removes the outbox entry of message_id and runs update (bound: ?1 = ref_id, then the
//  caller's binder) on what it carried, in one transaction. 0 applied, 1 unknown id, -1 error.
typedef void (s_bind_fn) (sqlite3_stmt *stmt, const void *arg);

static int
s_outbox_settle (agent_store_t *self, const char *message_id, const char *update, s_bind_fn *bind,
                 const void *arg)
{
    if (!message_id)
        return 1;
    if (s_begin (self))
        return -1;
    sqlite3_stmt *stmt = s_prepare (self, "SELECT kind, ref_id FROM outbox WHERE message_id = ?1");
    if (!stmt)
        goto rollback;
    sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize (stmt);
        s_rollback (self);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        s_db_error (self, "outbox lookup");
        sqlite3_finalize (stmt);
        goto rollback;
    }
    int is_signal = streq (s_col_text (stmt, 0) ? s_col_text (stmt, 0) : "", "signal");
    int64_t ref_id = sqlite3_column_int64 (stmt, 1);
    sqlite3_finalize (stmt);

    stmt = s_prepare (self, "DELETE FROM outbox WHERE message_id = ?1");
    if (!stmt)
        goto rollback;
    sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
    if (s_step_done (self, stmt, "outbox delete"))
        goto rollback;
    if (is_signal) {
        stmt = s_prepare (self, update);
        if (!stmt)
            goto rollback;
        sqlite3_bind_int64 (stmt, 1, ref_id);
        bind (stmt, arg);
        if (s_step_done (self, stmt, "signal update"))
            goto rollback;
    }
    if (s_commit (self))
        goto rollback;
    return 0;

rollback:
    s_rollback (self);
    return -1;
}

static void
s_bind_receipt (sqlite3_stmt *stmt, const void *arg)
{
    const Cii__Receipt *receipt = arg;
    sqlite3_bind_int64 (stmt, 2, cii_util_now_ms ());
    sqlite3_bind_text (stmt, 3, receipt->ref ? receipt->ref : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, receipt->received_at_ms);
}

int
agent_store_receipt (agent_store_t *self, const Cii__Receipt *receipt)
{
    assert (self);
    if (!receipt)
        return 1;
    int rc = s_outbox_settle (self, receipt->message_id,
                              "UPDATE signals SET delivered_at = ?2, hub_ref = ?3,"
                              " hub_received_at = ?4 WHERE id = ?1",
                              s_bind_receipt, receipt);
    if (rc == 0)
        zsys_info ("agent %s: message %s delivered as %s%s", self->network, receipt->message_id,
                   receipt->ref ? receipt->ref : "?", receipt->duplicate ? " (duplicate)" : "");
    return rc;
}

typedef struct {
    int code;
    const char *text;
} s_refusal_t;

static void
s_bind_refusal (sqlite3_stmt *stmt, const void *arg)
{
    const s_refusal_t *refusal = arg;
    sqlite3_bind_int (stmt, 2, refusal->code);
    sqlite3_bind_text (stmt, 3, refusal->text ? refusal->text : "", -1, SQLITE_STATIC);
}

int
agent_store_refused (agent_store_t *self, const char *message_id, int code, const char *text)
{
    assert (self);
    s_refusal_t refusal = {code, text};
    int rc = s_outbox_settle (self, message_id,
                              "UPDATE signals SET refused_code = ?2, refused_text = ?3 WHERE id = ?1",
                              s_bind_refusal, &refusal);
    if (rc == 0)
        zsys_warning ("agent %s: message %s refused by the hub (%d): %s", self->network,
                      message_id, code, text ? text : "");
    return rc;
}

//  --- downward -------------------------------------------------------------------------------

int64_t
agent_store_last_seq (agent_store_t *self)
{
    assert (self);
    return s_scalar (self, "SELECT coalesce(max(seq), 0) FROM inbox", "last seq");
}

//  Joins the notice's network names with ','; NULL on no memory or a name with a ','.
static char *
s_join_networks (const Cii__Notice *notice)
{
    size_t cap = 1;
    for (size_t i = 0; i < notice->n_networks; i++) {
        if (!notice->networks[i] || strchr (notice->networks[i], ','))
            return NULL;
        cap += strlen (notice->networks[i]) + 1;
    }
    char *out = malloc (cap);
    if (!out)
        return NULL;
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < notice->n_networks; i++)
        len += (size_t) snprintf (out + len, cap - len, "%s%s", i ? "," : "", notice->networks[i]);
    return out;
}

int
agent_store_deliver (agent_store_t *self, const Cii__Deliver *deliver)
{
    assert (self);
    uint8_t *body = NULL;
    size_t size = 0;
    char *networks = NULL;
    int rc = -1;

    if (!deliver || deliver->item_case != CII__DELIVER__ITEM_NOTICE || !deliver->notice) {
        zsys_warning ("agent %s: deliver: unknown item kind", s_net (self));
        return -2;
    }
    const Cii__Notice *notice = deliver->notice;
    if (deliver->seq == 0 || deliver->seq > INT64_MAX) {
        zsys_warning ("agent %s: deliver: sequence %" PRIu64 " out of range", self->network,
                      deliver->seq);
        return -2;
    }
    networks = s_join_networks (notice);
    cii_rc_t enc = networks ? cii_codec_item_pack (cii_kind_find ("notice"), &notice->base, &body, &size, NULL)
                            : CII_BAD_INPUT;
    if (enc != CII_OK) {
        zsys_warning ("agent %s: deliver %" PRIu64 ": notice %" PRId64 " is malformed",
                      self->network, deliver->seq, notice->notice_id);
        rc = enc == CII_NO_MEMORY ? -1 : -2;
        goto cleanup;
    }
    if (s_begin (self))
        goto cleanup;
    //  Read last_seq under the write lock so two writers cannot both store the same seq
    int64_t last = agent_store_last_seq (self);
    if (last < 0)
        goto rollback;
    int64_t seq = (int64_t) deliver->seq;
    if (seq <= last) {
        rc = 1;
        goto rollback;
    }
    if (seq > last + 1) {
        zsys_warning ("agent %s: deliver %" PRId64 ": gap after %" PRId64 ", not stored",
                      self->network, seq, last);
        rc = 2;
        goto rollback;
    }
    int64_t now = cii_util_now_ms ();
    sqlite3_stmt *stmt = s_prepare (self, "INSERT INTO inbox (seq, kind, body, received_at)"
                                          " VALUES (?1, 'notice', ?2, ?3)");
    if (!stmt)
        goto rollback;
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_blob (stmt, 2, body, (int) size, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, now);
    if (s_step_done (self, stmt, "insert inbox"))
        goto rollback;
    stmt = s_prepare (self, "INSERT INTO notices (seq, notice_id, title, text, networks, issued_at,"
                            " received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!stmt)
        goto rollback;
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_int64 (stmt, 2, notice->notice_id);
    sqlite3_bind_text (stmt, 3, notice->title ? notice->title : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, notice->text ? notice->text : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, networks, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 6, notice->issued_at_ms);
    sqlite3_bind_int64 (stmt, 7, now);
    if (s_step_done (self, stmt, "insert notice") || s_commit (self))
        goto rollback;
    zsys_info ("agent %s: notice %" PRId64 " stored as downward item %" PRId64, self->network,
               notice->notice_id, seq);
    rc = 0;
    goto cleanup;

rollback:
    s_rollback (self);
cleanup:
    free (body);
    free (networks);
    return rc;
}

//  --- daemon status --------------------------------------------------------------------------

int
agent_store_set_status (agent_store_t *self, const char *status, const char *detail)
{
    assert (self);
    char when[32], pid[24];
    snprintf (when, sizeof when, "%" PRId64, cii_util_now_ms ());
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    if (s_begin (self))
        return -1;
    if (s_exec (self, "DELETE FROM status WHERE key IN ('daemon', 'detail', 'time_ms', 'pid')"))
        goto rollback;
    const char *keys[] = {"daemon", "detail", "time_ms", "pid"};
    const char *values[] = {status ? status : "", detail ? detail : "", when, pid};
    for (int i = 0; i < 4; i++) {
        sqlite3_stmt *stmt = s_prepare (self, "INSERT INTO status (key, value) VALUES (?1, ?2)");
        if (!stmt)
            goto rollback;
        sqlite3_bind_text (stmt, 1, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, values[i], -1, SQLITE_STATIC);
        if (s_step_done (self, stmt, "status"))
            goto rollback;
    }
    if (s_commit (self))
        goto rollback;
    return 0;

rollback:
    s_rollback (self);
    return -1;
}

int
agent_store_get_status (agent_store_t *self, agent_daemon_status_t *status)
{
    assert (self);
    assert (status);
    memset (status, 0, sizeof *status);
    sqlite3_stmt *stmt = s_prepare (self, "SELECT key, value FROM status");
    if (!stmt)
        return -1;
    int found = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        const char *key = s_col_text (stmt, 0);
        const char *value = s_col_text (stmt, 1);
        if (!key || !value)
            continue;
        if (streq (key, "daemon")) {
            s_copy (status->status, sizeof status->status, value);
            found = 1;
        }
        else if (streq (key, "detail"))
            s_copy (status->detail, sizeof status->detail, value);
        else if (streq (key, "time_ms"))
            status->time_ms = strtoll (value, NULL, 10);
        else if (streq (key, "pid"))
            status->pid = strtoll (value, NULL, 10);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE) {
        s_db_error (self, "status");
        return -1;
    }
    return found ? 0 : 1;
}

//  --- listings -------------------------------------------------------------------------------

int
agent_store_signals (agent_store_t *self, agent_signal_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    sqlite3_stmt *stmt = s_prepare (self,
        "SELECT id, message_id, canton, title, description, institutions, target_groups,"
        " national_reason, language, created_at, delivered_at, hub_ref, hub_received_at,"
        " refused_code, refused_text FROM signals ORDER BY id");
    if (!stmt)
        return -1;
    int visited = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        agent_signal_row_t row = {
            .id = sqlite3_column_int64 (stmt, 0),
            .message_id = s_col_text (stmt, 1),
            .canton = s_col_text (stmt, 2),
            .title = s_col_text (stmt, 3),
            .description = s_col_text (stmt, 4),
            .institutions = s_col_text (stmt, 5),
            .target_groups = s_col_text (stmt, 6),
            .national_reason = s_col_text (stmt, 7),
            .language = s_col_text (stmt, 8),
            .created_at_ms = sqlite3_column_int64 (stmt, 9),
            .delivered_at_ms = sqlite3_column_int64 (stmt, 10),
            .hub_ref = s_col_text (stmt, 11),
            .hub_received_at_ms = sqlite3_column_int64 (stmt, 12),
            .refused = sqlite3_column_type (stmt, 13) != SQLITE_NULL,
            .refused_code = sqlite3_column_int (stmt, 13),
            .refused_text = sqlite3_column_type (stmt, 13) != SQLITE_NULL ? s_col_text (stmt, 14) : NULL,
        };
        visited++;
        if (fn (&row, arg) == -1) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) {
        s_db_error (self, "signals");
        visited = -1;
    }
    sqlite3_finalize (stmt);
    return visited;
}

int
agent_store_notices (agent_store_t *self, agent_notice_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    sqlite3_stmt *stmt = s_prepare (self, "SELECT seq, notice_id, title, text, networks, issued_at,"
                                          " received_at FROM notices ORDER BY seq");
    if (!stmt)
        return -1;
    int visited = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        agent_notice_row_t row = {
            .seq = sqlite3_column_int64 (stmt, 0),
            .notice_id = sqlite3_column_int64 (stmt, 1),
            .title = s_col_text (stmt, 2),
            .text = s_col_text (stmt, 3),
            .networks = s_col_text (stmt, 4),
            .issued_at_ms = sqlite3_column_int64 (stmt, 5),
            .received_at_ms = sqlite3_column_int64 (stmt, 6),
        };
        visited++;
        if (fn (&row, arg) == -1) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) {
        s_db_error (self, "notices");
        visited = -1;
    }
    sqlite3_finalize (stmt);
    return visited;
}

int
agent_store_schema_version (agent_store_t *self)
{
    assert (self);
    return s_user_version (self);
}
