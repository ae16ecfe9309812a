/*  unit_agent.c — an agent's files for the unit tests (see unit_agent.h). */
#include "unit_agent.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "agent_kinds.h"
#include "agent_setup.h"
#include "cii_migration.h"
#include "agent_store_inbox.h"
#include "agent_store_outbox.h"
#include "unit_bundle.h"
#include "unit_fs.h"

unit_agent_t *
unit_agent_new (const char *label, const char *network, const char *cantons, const char *endpoint)
{
    unit_agent_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    self->root = unit_dir_new (label);
    self->state = unit_path (self->root, "state");
    char name [64];
    snprintf (name, sizeof name, "%s.bundle", network);
    self->bundle_path = unit_path (self->root, name);
    self->file = unit_path (self->root, "input");
    unit_bundle_save (&self->bundle, network, cantons, endpoint, self->bundle_path);
    return self;
}

void
unit_agent_destroy (unit_agent_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    unit_agent_t *self = *self_p;
    unit_dir_destroy (&self->root);
    free (self->state);
    free (self->bundle_path);
    free (self->file);
    free (self);
    *self_p = NULL;
}

agent_store_t *
unit_agent_init (unit_agent_t *self, const char *bundle_path)
{
    assert_non_null (self);
    cii_err_t err;
    if (agent_setup_init (self->state, bundle_path ? bundle_path : self->bundle_path, NULL, &err) != CII_OK)
        fail_msg ("agent_setup_init %s: %s", self->state, err.text);
    agent_store_t *store = agent_setup_open (self->state, NULL, &err);
    if (!store)
        fail_msg ("agent_setup_open %s: %s", self->state, err.text);
    return store;
}

char *
unit_agent_release_0_1_0 (unit_agent_t *self)
{
    assert_non_null (self);
    char source [] = __FILE__;             //  tests/support/unit_agent.c
    char *fixture = unit_path (dirname (source), "../fixtures/agent-state-0.1.0/" AGENT_STORE_FILE);
    size_t size = 0;
    char *bytes = unit_read (fixture, &size);
    if (mkdir (self->state, 0700) != 0)
        fail_msg ("cannot make %s", self->state);
    char *copy = unit_path (self->state, AGENT_STORE_FILE);
    unit_write (copy, bytes, size);
    free (bytes);
    free (fixture);
    return copy;
}

void
unit_agent_sql (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg ("cannot open %s", path);
    char *msg = NULL;
    if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg ("%s: %s", msg ? msg : "?", sql);
    sqlite3_close (db);
}

char *
unit_agent_state_at (unit_agent_t *self, int version)
{
    assert_non_null (self);
    if (mkdir (self->state, 0700) != 0)
        fail_msg ("cannot make %s", self->state);
    char *path = unit_path (self->state, AGENT_STORE_FILE);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true (fd >= 0);
    close (fd);
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < agent_migrations_count; i++)
        if (agent_migrations [i].version <= version) {
            char *msg = NULL;
            if (sqlite3_exec (db, agent_migrations [i].sql, NULL, NULL, &msg) != SQLITE_OK)
                fail_msg ("%s: %s", agent_migrations [i].name, msg ? msg : "?");
        }
    char *sql = sqlite3_mprintf ("PRAGMA user_version = %d;"
                                 "INSERT INTO config (key, value) VALUES ('network', %Q), ('endpoint', %Q),"
                                 " ('hub_public', %Q), ('agent_public', %Q), ('agent_secret', %Q);",
                                 version, self->bundle.network, self->bundle.endpoint, self->bundle.hub_public,
                                 self->bundle.agent_public, self->bundle.agent_secret);
    assert_int_equal (sqlite3_exec (db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free (sql);
    int position = 0;
    for (const char *p = self->bundle.cantons; *p; ) {
        size_t len = strcspn (p, ",");
        sql = sqlite3_mprintf ("INSERT INTO cantons (code, position) VALUES (%.*Q, %d)", (int) len, p, position++);
        assert_int_equal (sqlite3_exec (db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free (sql);
        p += len;
        if (*p == ',')
            p++;
    }
    sqlite3_close (db);
    return path;
}

int64_t
unit_agent_outbox (agent_store_t *store)
{
    int64_t count = -1;
    assert_int_equal (agent_store_outbox_count (store, &count, NULL), CII_OK);
    return count;
}

int64_t
unit_agent_last_seq (agent_store_t *store)
{
    int64_t seq = -1;
    assert_int_equal (agent_store_inbox_last_seq (store, &seq, NULL), CII_OK);
    return seq;
}

int64_t
unit_agent_int (agent_store_t *store, const char *sql)
{
    sqlite3_stmt *stmt = agent_store_prepare (store, sql, NULL);
    assert_non_null (stmt);
    int64_t value = -1;
    assert_int_equal (agent_store_int (store, stmt, "test", &value, NULL), CII_OK);
    return value;
}

cii_rc_t
unit_agent_deliver (agent_store_t *store, Cii__Deliver *deliver, agent_inbox_outcome_t *outcome_p, cii_err_t *err)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.body_case = CII__ENVELOPE__BODY_DELIVER;
    env.deliver = deliver;
    return agent_kinds_deliver (store, &env, outcome_p, err);
}

cii_rc_t
unit_agent_receipt (agent_store_t *store, const char *message_id, const char *ref, int64_t received_at_ms)
{
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = (char *) message_id;
    receipt.ref = (char *) ref;
    receipt.received_at_ms = received_at_ms;
    return agent_kinds_receipt (store, &receipt, NULL);
}
