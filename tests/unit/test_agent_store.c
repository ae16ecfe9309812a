/*  test_agent_store.c — unit tests of agent/store: the connection core (create with owner-only
    modes, open, migrations by user_version and a newer database refused, joinable transactions,
    the statement cache and row iterator) and each aggregate (config and cantons, signals with
    their outbox entries, outbox scheduling and settling, an entry held until those it waits for
    are settled, inbox in order, notices, status, requests with their signals, lineage,
    withdrawals, history and criteria, the full-text indexes), two handles on one file,
    durability, and states made by cii-agent 0.1.0 and 0.2.0 opening unchanged and indexed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_store.h"
#include "agent_store_config.h"
#include "agent_store_inbox.h"
#include "agent_store_notices.h"
#include "agent_store_outbox.h"
#include "agent_store_requests.h"
#include "agent_store_search.h"
#include "agent_store_signals.h"
#include "agent_store_status.h"
#include "cii_codec.h"
#include "cii_migration.h"
#include "cii_util.h"
#include "test_kinds.h"
#include "unit_domain.h"
#include "unit_agent.h"
#include "unit_fs.h"

typedef struct {
    unit_agent_t *agent;     //  directory, state path (made by agent_store_create), bundle
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    fx->agent = unit_agent_new ("agent-store", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7300");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_agent_destroy (&fx->agent);
    free (fx);
    return 0;
}

//  A new state with the fixture's configuration, open.
static agent_store_t *
s_create (s_fixture_t *fx)
{
    cii_err_t err;
    agent_store_t *store = agent_store_create (fx->agent->state, &err);
    if (!store)
        fail_msg ("create: %s", err.text);
    assert_int_equal (agent_store_config_put (store, &fx->agent->bundle, &err), CII_OK);
    return store;
}

static int64_t
s_add (agent_store_t *store, const char *canton, const char *title, char *message_id)
{
    cii_signal_t signal;
    unit_domain_signal (&signal, canton, title);
    int64_t id = 0;
    char mid [AGENT_MESSAGE_ID_SIZE];
    cii_err_t err;
    if (agent_store_signal_add (store, &signal, &id, message_id ? message_id : mid, &err) != CII_OK)
        fail_msg ("signal_add %s: %s", title, err.text);
    return id;
}

//  Signal rows, copied.
typedef struct {
    size_t count;
    int64_t id [16];
    char message_id [16][AGENT_MESSAGE_ID_SIZE];
    char canton [16][3];
    char title [16][256];
    char description [16][256];
    char institutions [16][128];
    char target_groups [16][128];
    char reason [16][128];
    char language [16][3];
    int64_t created_at [16];
    int64_t delivered_at [16];
    char hub_ref [16][32];
    int64_t hub_received_at [16];
    bool refused [16];
    int refused_code [16];
    char refused_text [16][128];
} s_signals_t;

static bool
s_collect_signal (const agent_signal_row_t *row, void *arg)
{
    s_signals_t *c = arg;
    if (c->count == 16)
        return false;
    size_t i = c->count++;
    c->id [i] = row->id;
    snprintf (c->message_id [i], sizeof c->message_id [i], "%s", row->message_id);
    snprintf (c->canton [i], sizeof c->canton [i], "%s", row->canton);
    snprintf (c->title [i], sizeof c->title [i], "%s", row->title);
    snprintf (c->description [i], sizeof c->description [i], "%s", row->description);
    snprintf (c->institutions [i], sizeof c->institutions [i], "%s", row->institutions);
    snprintf (c->target_groups [i], sizeof c->target_groups [i], "%s", row->target_groups);
    snprintf (c->reason [i], sizeof c->reason [i], "%s", row->national_reason);
    snprintf (c->language [i], sizeof c->language [i], "%s", row->language);
    c->created_at [i] = row->created_at_ms;
    c->delivered_at [i] = row->delivered_at_ms;
    snprintf (c->hub_ref [i], sizeof c->hub_ref [i], "%s", row->hub_ref ? row->hub_ref : "(null)");
    c->hub_received_at [i] = row->hub_received_at_ms;
    c->refused [i] = row->refused;
    c->refused_code [i] = row->refused_code;
    snprintf (c->refused_text [i], sizeof c->refused_text [i], "%s", row->refused_text ? row->refused_text : "(null)");
    return true;
}

static size_t
s_signals (agent_store_t *store, s_signals_t *c)
{
    memset (c, 0, sizeof *c);
    size_t count = 0;
    assert_int_equal (agent_store_signals_each (store, s_collect_signal, c, &count, NULL), CII_OK);
    return count;
}

//  Outbox visits, copied.
typedef struct {
    size_t count;
    int64_t id [16];
    char message_id [16][AGENT_MESSAGE_ID_SIZE];
    char kind [16][32];
    int64_t ref_id [16];
    int attempts [16];
    size_t stop_after;       //  return false after this many visits (0: never)
    agent_store_t *store;    //  when set, records a send from inside the callback
    int64_t next_ms;
} s_due_t;

static bool
s_collect_due (const agent_outbox_item_t *item, void *arg)
{
    s_due_t *c = arg;
    size_t i = c->count++;
    c->id [i] = item->id;
    snprintf (c->message_id [i], sizeof c->message_id [i], "%s", item->message_id);
    snprintf (c->kind [i], sizeof c->kind [i], "%s", item->kind);
    c->ref_id [i] = item->ref_id;
    c->attempts [i] = item->attempts;
    //  The packed Envelope decodes to an item of its kind with the same message id
    Cii__Envelope *env = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (item->data, item->size, &env, &err), CII_OK);
    assert_ptr_equal (cii_codec_kind (env), cii_kind_find (item->kind));
    assert_string_equal (env->message_id, item->message_id);
    cii_codec_free (&env);
    if (c->store)
        assert_int_equal (agent_store_outbox_sent (c->store, &item->id, &c->next_ms, 1, NULL), CII_OK);
    return !(c->stop_after && c->count >= c->stop_after);
}

//  Counts due entries without decoding them (for hand-made rows).
static bool
s_collect_kind_only (const agent_outbox_item_t *item, void *arg)
{
    s_due_t *c = arg;
    snprintf (c->kind [c->count++], sizeof c->kind [0], "%s", item->kind);
    return true;
}

static size_t
s_due (agent_store_t *store, int64_t now, size_t limit, s_due_t *c)
{
    s_due_t keep = *c;
    memset (c, 0, sizeof *c);
    c->stop_after = keep.stop_after;
    c->store = keep.store;
    c->next_ms = keep.next_ms;
    size_t visited = 0;
    assert_int_equal (agent_store_outbox_due (store, now, limit, s_collect_due, c, &visited, NULL), CII_OK);
    assert_int_equal (visited, c->count);
    return visited;
}

//  agent_outbox_settle_fn: records what it was called with; fails when arg says so.
typedef struct {
    int calls;
    char kind [32];
    int64_t ref_id;
    cii_rc_t answer;
} s_settle_t;

static cii_rc_t
s_settle (agent_store_t *store, const char *kind, int64_t ref_id, void *arg, cii_err_t *err)
{
    (void) store;
    s_settle_t *settle = arg;
    settle->calls++;
    snprintf (settle->kind, sizeof settle->kind, "%s", kind);
    settle->ref_id = ref_id;
    return settle->answer == CII_OK ? CII_OK : cii_err_set (err, settle->answer, "refused by the test");
}

//  --- the core ------------------------------------------------------------------------------

static void
test_create_modes_and_refusal (void **state)
{
    s_fixture_t *fx = *state;
    umask (022);
    agent_store_t *store = s_create (fx);
    assert_int_equal (unit_mode (fx->agent->state), 0700);
    char *db = unit_path (fx->agent->state, AGENT_STORE_FILE);
    assert_int_equal (unit_mode (db), 0600);
    //  After a write the WAL file exists with the database's mode
    s_add (store, "VD", "Titre", NULL);
    char *wal = unit_path (fx->agent->state, AGENT_STORE_FILE "-wal");
    assert_int_equal (unit_mode (wal), 0600);
    int version = 0;
    assert_int_equal (agent_store_schema_version (store, &version, NULL), CII_OK);
    assert_int_equal (version, cii_migration_latest (agent_migrations, agent_migrations_count));

    //  A second create refuses and leaves the existing state alone
    cii_err_t err;
    assert_null (agent_store_create (fx->agent->state, &err));
    assert_int_equal (err.rc, CII_CONFLICT);
    assert_non_null (strstr (err.text, "already exists"));
    assert_int_equal (unit_agent_outbox (store), 1);
    agent_store_destroy (&store);
    assert_null (store);
    agent_store_destroy (&store);     //  safe twice
    agent_store_destroy (NULL);

    //  An existing, too open directory is restricted to 0700
    char *open_dir = unit_path (fx->agent->root, "open");
    assert_int_equal (mkdir (open_dir, 0755), 0);
    store = agent_store_create (open_dir, &err);
    assert_non_null (store);
    assert_int_equal (unit_mode (open_dir), 0700);
    //  Discarded: the files go
    agent_store_discard (&store);
    char *open_db = unit_path (open_dir, AGENT_STORE_FILE);
    assert_int_equal (unit_mode (open_db), -1);
    //  A file in the way of the directory
    char *file = unit_path (fx->agent->root, "file");
    unit_write_text (file, "x");
    assert_null (agent_store_create (file, &err));
    assert_int_equal (err.rc, CII_FAILED);
    free (file);
    free (open_db);
    free (open_dir);
    free (wal);
    free (db);
}

static void
test_open_refusals (void **state)
{
    s_fixture_t *fx = *state;
    cii_err_t err;
    assert_null (agent_store_open (fx->agent->state, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    assert_non_null (strstr (err.text, "not initialised"));

    agent_store_t *store = s_create (fx);
    agent_store_destroy (&store);
    //  A database from a newer cii-agent is refused, not downgraded
    char *path = unit_path (fx->agent->state, AGENT_STORE_FILE);
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    assert_null (agent_store_open (fx->agent->state, &err));
    assert_int_equal (err.rc, CII_REFUSED);
    assert_non_null (strstr (err.text, "newer"));
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    char pragma [48];
    snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d",
              cii_migration_latest (agent_migrations, agent_migrations_count));
    assert_int_equal (sqlite3_exec (db, pragma, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    //  Modes loosened by a restore or a copy: refused, naming the file and the chmod to run
    char expect [1200];
    assert_int_equal (chmod (fx->agent->state, 0755), 0);
    assert_null (agent_store_open (fx->agent->state, &err));
    assert_int_equal (err.rc, CII_REFUSED);
    snprintf (expect, sizeof expect, "%s is readable or writable by group or others (mode 0755): run chmod 700 %s",
              fx->agent->state, fx->agent->state);
    assert_string_equal (err.text, expect);
    assert_int_equal (chmod (fx->agent->state, 0700), 0);
    assert_int_equal (chmod (path, 0640), 0);
    assert_null (agent_store_open (fx->agent->state, &err));
    snprintf (expect, sizeof expect, "%s is readable or writable by group or others (mode 0640): run chmod 600 %s",
              path, path);
    assert_string_equal (err.text, expect);
    assert_int_equal (chmod (path, 0600), 0);
    agent_store_t *again = agent_store_open (fx->agent->state, &err);
    assert_non_null (again);
    agent_store_destroy (&again);
    free (path);
}

static bool
s_count_row (sqlite3_stmt *row, void *arg)
{
    (void) row;
    (*(int *) arg)++;
    return true;
}

static void
test_transactions_and_statements (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    cii_err_t err;
    //  Joined transactions: the outermost commits everything
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "VD", "un", NULL);
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "VS", "deux", NULL);
    assert_int_equal (agent_store_commit (store, NULL), CII_OK);
    assert_int_equal (agent_store_commit (store, NULL), CII_OK);
    assert_int_equal (unit_agent_outbox (store), 2);
    //  An inner rollback dooms the outer transaction: nothing of it stays
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "GE", "trois", NULL);
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    agent_store_rollback (store);
    assert_int_equal (agent_store_commit (store, &err), CII_FAILED);
    assert_int_equal (unit_agent_outbox (store), 2);
    //  An outer rollback undoes the inner commit
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "GE", "quatre", NULL);
    assert_int_equal (agent_store_commit (store, NULL), CII_OK);
    agent_store_rollback (store);
    assert_int_equal (unit_agent_outbox (store), 2);
    agent_store_rollback (store);         //  no transaction: nothing happens
    //  A transaction that commits after a doomed one works again
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "GE", "cinq", NULL);
    assert_int_equal (agent_store_commit (store, NULL), CII_OK);
    assert_int_equal (unit_agent_outbox (store), 3);

    //  Statements are cached by their text; the row iterator resets them
    sqlite3_stmt *a = agent_store_prepare (store, "SELECT id FROM signals ORDER BY id", NULL);
    assert_non_null (a);
    int rows = 0;
    size_t count = 0;
    assert_int_equal (agent_store_rows (store, a, "signals", s_count_row, &rows, &count, NULL), CII_OK);
    assert_int_equal (rows, 3);
    assert_int_equal (count, 3);
    char sql [] = "SELECT id FROM signals ORDER BY id";      //  the same text elsewhere
    assert_ptr_equal (agent_store_prepare (store, sql, NULL), a);
    int64_t first = 0;
    assert_int_equal (agent_store_int (store, a, "first", &first, NULL), CII_OK);
    assert_int_equal (first, 1);
    //  Errors: a bad statement, a constraint, no row
    assert_null (agent_store_prepare (store, "SELEKT 1", &err));
    assert_int_equal (err.rc, CII_FAILED);
    sqlite3_stmt *dup = agent_store_prepare (store, "INSERT INTO cantons (code, position) VALUES ('VD', 9)", NULL);
    assert_int_equal (agent_store_run (store, dup, "dup", &err), CII_CONFLICT);
    sqlite3_stmt *none = agent_store_prepare (store, "SELECT id FROM signals WHERE id < 0", NULL);
    assert_int_equal (agent_store_int (store, none, "none", &first, &err), CII_NOT_FOUND);
    assert_int_equal (agent_store_exec (store, "CREATE TABLE nope (", &err), CII_FAILED);
    agent_store_destroy (&store);
}

//  --- aggregates -----------------------------------------------------------------------------

static void
test_config_and_cantons (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    cii_bundle_t config;
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.network, "lemanique");
    assert_string_equal (config.endpoint, fx->agent->bundle.endpoint);
    assert_string_equal (config.hub_public, fx->agent->bundle.hub_public);
    assert_string_equal (config.agent_public, fx->agent->bundle.agent_public);
    assert_string_equal (config.agent_secret, fx->agent->bundle.agent_secret);
    assert_string_equal (config.cantons, "VD,VS,GE");
    bool member = false;
    assert_int_equal (agent_store_canton_member (store, "VS", &member, NULL), CII_OK);
    assert_true (member);
    assert_int_equal (agent_store_canton_member (store, "ZH", &member, NULL), CII_OK);
    assert_false (member);
    const char *welcome [] = { "GE", "VD" };
    assert_int_equal (agent_store_cantons_set (store, welcome, 2, NULL), CII_OK);
    assert_int_equal (agent_store_canton_member (store, "VS", &member, NULL), CII_OK);
    assert_false (member);
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.cantons, "GE,VD");
    //  Twice the same code violates the table's key: nothing changes
    const char *twice [] = { "GE", "GE" };
    assert_int_equal (agent_store_cantons_set (store, twice, 2, NULL), CII_CONFLICT);
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.cantons, "GE,VD");
    //  The configuration rewritten as a whole
    cii_bundle_t other = fx->agent->bundle;
    snprintf (other.endpoint, sizeof other.endpoint, "tcp://hub-a:7300,tcp://hub-b:7300");
    assert_int_equal (agent_store_config_put (store, &other, NULL), CII_OK);
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.endpoint, "tcp://hub-a:7300,tcp://hub-b:7300");
    assert_string_equal (config.cantons, "VD,VS,GE");
    //  No network: an incomplete init
    assert_int_equal (agent_store_exec (store, "DELETE FROM config WHERE key = 'network'", NULL), CII_OK);
    cii_err_t err;
    assert_int_equal (agent_store_config_get (store, &config, &err), CII_NOT_FOUND);
    assert_non_null (strstr (err.text, "incomplete init"));
    agent_store_destroy (&store);
}

static void
test_signals_and_outbox_entries (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    char mid [AGENT_MESSAGE_ID_SIZE] = "";
    int64_t id = s_add (store, "VD", "Accès aux mesures pour les jeunes arrivés tardivement", mid);
    assert_true (id > 0);
    assert_int_equal (strlen (mid), 36);
    assert_int_equal (unit_agent_outbox (store), 1);

    s_signals_t c;
    assert_int_equal (s_signals (store, &c), 1);
    assert_int_equal (c.id [0], id);
    assert_string_equal (c.message_id [0], mid);
    assert_string_equal (c.canton [0], "VD");
    assert_string_equal (c.title [0], "Accès aux mesures pour les jeunes arrivés tardivement");
    assert_string_equal (c.institutions [0], "social-aid,health");
    assert_string_equal (c.target_groups [0], "health-impaired");
    assert_string_equal (c.language [0], "fr");
    assert_int_equal (c.created_at [0], 1700000000000);
    assert_int_equal (c.delivered_at [0], 0);
    assert_string_equal (c.hub_ref [0], "(null)");
    assert_false (c.refused [0]);

    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, cii_util_now_ms (), 10, &due), 1);
    assert_string_equal (due.message_id [0], mid);
    assert_string_equal (due.kind [0], "signal");
    assert_int_equal (due.ref_id [0], id);
    assert_int_equal (due.attempts [0], 0);

    //  The codec refuses a 201-byte title: nothing stored, not even the signal row
    char title [CII_MAX_TITLE + 2];
    memset (title, 'a', CII_MAX_TITLE + 1);
    title [CII_MAX_TITLE + 1] = '\0';
    cii_signal_t signal;
    unit_domain_signal (&signal, "VD", title);
    cii_err_t err;
    int64_t bad_id = -7;
    assert_int_equal (agent_store_signal_add (store, &signal, &bad_id, mid, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "signal.title: 201 bytes, limit 200");
    assert_int_equal (bad_id, -7);
    unit_domain_signal (&signal, "GE", "Titre");
    signal.description = "caf\xc3";
    assert_int_equal (agent_store_signal_add (store, &signal, &bad_id, mid, &err), CII_BAD_INPUT);
    unit_domain_signal (&signal, "XY", "Titre");
    assert_int_equal (agent_store_signal_add (store, &signal, &bad_id, mid, &err), CII_BAD_INPUT);
    assert_int_equal (unit_agent_outbox (store), 1);
    assert_int_equal (s_signals (store, &c), 1);

    //  In one transaction, all or nothing: the second is refused, the first is not stored either
    assert_int_equal (agent_store_begin (store, NULL), CII_OK);
    s_add (store, "VS", "Bon", NULL);
    unit_domain_signal (&signal, "VS", title);
    assert_int_equal (agent_store_signal_add (store, &signal, &bad_id, NULL, NULL), CII_BAD_INPUT);
    agent_store_rollback (store);
    assert_int_equal (unit_agent_outbox (store), 1);
    assert_int_equal (s_signals (store, &c), 1);
    //  A created_at of 0 means now
    unit_domain_signal (&signal, "GE", "Maintenant");
    signal.created_at_ms = 0;
    int64_t before = cii_util_now_ms ();
    assert_int_equal (agent_store_signal_add (store, &signal, &id, NULL, NULL), CII_OK);
    assert_int_equal (s_signals (store, &c), 2);
    assert_true (c.created_at [1] >= before);

    //  Delivered and refused
    assert_int_equal (agent_store_signal_delivered (store, c.id [0], "SIG-42", 1700000123456, NULL), CII_OK);
    assert_int_equal (agent_store_signal_refused (store, c.id [1], 4, "canton GE is not in network x", NULL), CII_OK);
    assert_int_equal (s_signals (store, &c), 2);
    assert_true (c.delivered_at [0] > 0);
    assert_string_equal (c.hub_ref [0], "SIG-42");
    assert_int_equal (c.hub_received_at [0], 1700000123456);
    assert_false (c.refused [0]);
    assert_true (c.refused [1]);
    assert_int_equal (c.refused_code [1], 4);
    assert_string_equal (c.refused_text [1], "canton GE is not in network x");
    agent_store_destroy (&store);
}

static void
test_outbox_any_kind (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (test_kinds_register (), CII_OK);
    agent_store_t *store = s_create (fx);
    int64_t id1 = s_add (store, "VD", "un", NULL);
    //  A kind the product does not know travels the same way
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = (char *) "sonde";
    probe.number = 77;
    cii_err_t err;
    assert_int_equal (agent_store_outbox_add (store, &test_kind_probe_up, &probe.base, 77, "probe-1", &err), CII_OK);
    //  The codec checks it; a message id is never reused
    assert_int_equal (agent_store_outbox_add (store, &test_kind_probe_up, &probe.base, 78, "probe-1", &err),
                      CII_CONFLICT);
    probe.text = (char *) "";
    assert_int_equal (agent_store_outbox_add (store, &test_kind_probe_up, &probe.base, 79, "probe-2", &err),
                      CII_BAD_INPUT);
    assert_string_equal (err.text, "probe-up.text: missing");
    assert_int_equal (unit_agent_outbox (store), 2);
    int64_t now = cii_util_now_ms ();
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, now, 10, &due), 2);
    assert_string_equal (due.kind [0], "signal");
    assert_int_equal (due.ref_id [0], id1);
    assert_string_equal (due.kind [1], "probe-up");
    assert_string_equal (due.message_id [1], "probe-1");
    assert_int_equal (due.ref_id [1], 77);

    //  Settling: the entry leaves and the callback sees its kind and record, in one transaction
    s_settle_t settle = { 0, "", 0, CII_REFUSED };
    assert_int_equal (agent_store_outbox_settle (store, "probe-1", s_settle, &settle, &err), CII_REFUSED);
    assert_int_equal (unit_agent_outbox (store), 2);         //  the callback refused: rolled back
    settle.answer = CII_OK;
    assert_int_equal (agent_store_outbox_settle (store, "probe-1", s_settle, &settle, NULL), CII_OK);
    assert_int_equal (settle.calls, 2);
    assert_string_equal (settle.kind, "probe-up");
    assert_int_equal (settle.ref_id, 77);
    assert_int_equal (unit_agent_outbox (store), 1);
    assert_int_equal (agent_store_outbox_settle (store, "probe-1", s_settle, &settle, &err), CII_NOT_FOUND);
    assert_int_equal (settle.calls, 2);
    agent_store_destroy (&store);
    test_kinds_unregister ();
}

static void
test_outbox_scheduling (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    int64_t id1 = s_add (store, "VD", "un", NULL);
    int64_t id2 = s_add (store, "VS", "deux", NULL);
    int64_t id3 = s_add (store, "GE", "trois", NULL);
    int64_t now = cii_util_now_ms ();
    s_due_t due;
    memset (&due, 0, sizeof due);

    //  Oldest first, at most limit
    assert_int_equal (s_due (store, now, 2, &due), 2);
    assert_int_equal (due.id [0], id1);
    assert_int_equal (due.id [1], id2);
    //  Stop early when fn returns false
    due.stop_after = 1;
    assert_int_equal (s_due (store, now, 10, &due), 1);
    due.stop_after = 0;

    //  A sent entry waits until its next attempt; attempts counted
    int64_t next = now + 5000;
    assert_int_equal (agent_store_outbox_sent (store, &id1, &next, 1, NULL), CII_OK);
    assert_int_equal (s_due (store, now, 10, &due), 2);
    assert_int_equal (due.id [0], id2);
    assert_int_equal (due.id [1], id3);
    assert_int_equal (s_due (store, now + 5000, 10, &due), 3);
    assert_int_equal (due.id [0], id1);
    assert_int_equal (due.attempts [0], 1);
    assert_int_equal (due.attempts [1], 0);

    //  fn may record sends from inside the callback (the entries were read first)
    due.store = store;
    due.next_ms = now + 60000;
    assert_int_equal (s_due (store, now + 5000, 10, &due), 3);
    due.store = NULL;
    assert_int_equal (s_due (store, now + 59999, 10, &due), 0);
    assert_int_equal (s_due (store, now + 60000, 10, &due), 3);
    assert_int_equal (due.attempts [0], 2);
    //  Several sends in one transaction
    int64_t ids [2] = { id2, id3 };
    int64_t nexts [2] = { now + 70000, now + 80000 };
    assert_int_equal (agent_store_outbox_sent (store, ids, nexts, 2, NULL), CII_OK);
    assert_int_equal (agent_store_outbox_sent (store, NULL, NULL, 0, NULL), CII_OK);
    assert_int_equal (s_due (store, now + 70000, 10, &due), 2);
    assert_int_equal (due.id [1], id2);
    assert_int_equal (due.attempts [1], 2);

    //  Reset after a new session: everything due at once
    assert_int_equal (agent_store_outbox_reset (store, NULL), CII_OK);
    assert_int_equal (s_due (store, now, 10, &due), 3);
    assert_int_equal (due.attempts [0], 2);      //  reset keeps the count
    assert_int_equal (s_due (store, now, 0, &due), 0);
    agent_store_destroy (&store);
}

//  agent_inbox_fn: stores the notice item; arg counts the calls, or refuses when negative.
static cii_rc_t
s_store_notice (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, void *arg, cii_err_t *err)
{
    int *calls = arg;
    if (*calls < 0)
        return cii_err_set (err, CII_FAILED, "refused by the test");
    (*calls)++;
    const Cii__Notice *wire = (const Cii__Notice *) item;
    cii_notice_t notice = {
        .id = wire->notice_id, .title = wire->title, .text = wire->text,
        .networks = (const char *const *) wire->networks, .n_networks = wire->n_networks,
        .issued_at_ms = wire->issued_at_ms,
    };
    return agent_store_notice_add (store, seq, &notice, err);
}

//  Delivers notice as item seq with s_store_notice (calls: its counter); the outcome, or
//  S_NOT_STORED + the rc when it failed.
#define S_NOT_STORED 100

static int
s_deliver (agent_store_t *store, uint64_t seq, const Cii__Notice *notice, int *calls, cii_err_t *err)
{
    agent_inbox_outcome_t outcome = AGENT_INBOX_GAP;
    cii_rc_t rc = agent_store_inbox_add (store, seq, cii_kind_find ("notice"), &notice->base,
                                         calls ? s_store_notice : NULL, calls, &outcome, err);
    return rc == CII_OK ? (int) outcome : S_NOT_STORED + (int) rc;
}

static Cii__Notice
s_notice (int64_t id, const char *title, char **networks, size_t n_networks)
{
    Cii__Notice notice = CII__NOTICE__INIT;
    notice.notice_id = id;
    notice.title = (char *) title;
    notice.text = (char *) "Empfehlung: die Zusammenarbeit verstärken. Raccomandazione: più coordinamento.";
    notice.networks = networks;
    notice.n_networks = n_networks;
    notice.issued_at_ms = 1700000000000;
    return notice;
}

typedef struct {
    size_t count;
    int64_t seq [8];
    int64_t notice_id [8];
    char title [8][128];
    char text [8][256];
    char networks [8][64];
} s_notices_t;

static bool
s_collect_notice (const agent_notice_row_t *row, void *arg)
{
    s_notices_t *c = arg;
    size_t i = c->count++;
    c->seq [i] = row->seq;
    c->notice_id [i] = row->notice_id;
    snprintf (c->title [i], sizeof c->title [i], "%s", row->title);
    snprintf (c->text [i], sizeof c->text [i], "%s", row->text);
    snprintf (c->networks [i], sizeof c->networks [i], "%s", row->networks);
    return c->count < 8;
}

static bool
s_collect_kind (const agent_inbox_item_t *item, void *arg)
{
    char (*kinds) [32] = arg;
    snprintf (kinds [item->seq - 1], 32, "%s:%zu", item->kind, item->size);
    return true;
}

static void
test_inbox_in_order (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    char *networks [2] = { (char *) "lemanique", (char *) "zuerich" };
    int calls = 0;
    cii_err_t err;

    assert_int_equal (unit_agent_last_seq (store), 0);
    Cii__Notice notice = s_notice (101, "Überprüfung der Zusammenarbeit", networks, 2);
    assert_int_equal (s_deliver (store, 1, &notice, &calls, NULL), AGENT_INBOX_STORED);
    assert_int_equal (unit_agent_last_seq (store), 1);
    //  Duplicate: nothing to do; gap: not stored
    notice = s_notice (102, "autre titre", NULL, 0);
    assert_int_equal (s_deliver (store, 1, &notice, &calls, &err), AGENT_INBOX_DUPLICATE);
    assert_int_equal (s_deliver (store, 3, &notice, &calls, &err), AGENT_INBOX_GAP);
    assert_int_equal (calls, 1);
    //  seq 0 and an item the codec refuses (empty title) are not stored
    assert_int_equal (s_deliver (store, 0, &notice, &calls, &err), S_NOT_STORED + CII_BAD_INPUT);
    Cii__Notice empty = s_notice (103, "", NULL, 0);
    assert_int_equal (s_deliver (store, 2, &empty, &calls, &err), S_NOT_STORED + CII_BAD_INPUT);
    assert_string_equal (err.text, "notice.title: missing");
    //  The kind's handler refuses: the item is rolled back with it
    int refuse = -1;
    assert_int_equal (s_deliver (store, 2, &notice, &refuse, &err), S_NOT_STORED + CII_FAILED);
    assert_int_equal (unit_agent_last_seq (store), 1);
    //  In order again; an item without a handler is held in the inbox alone
    notice = s_notice (102, "deux", NULL, 0);
    assert_int_equal (s_deliver (store, 2, &notice, &calls, NULL), AGENT_INBOX_STORED);
    notice = s_notice (103, "trois", NULL, 0);
    assert_int_equal (s_deliver (store, 3, &notice, NULL, NULL), AGENT_INBOX_STORED);
    assert_int_equal (unit_agent_last_seq (store), 3);

    s_notices_t c;
    memset (&c, 0, sizeof c);
    size_t count = 0;
    assert_int_equal (agent_store_notices_each (store, s_collect_notice, &c, &count, NULL), CII_OK);
    assert_int_equal (count, 2);
    assert_int_equal (c.seq [0], 1);
    assert_int_equal (c.notice_id [0], 101);
    assert_string_equal (c.title [0], "Überprüfung der Zusammenarbeit");
    assert_string_equal (c.text [0], notice.text);
    assert_string_equal (c.networks [0], "lemanique,zuerich");
    assert_string_equal (c.title [1], "deux");
    assert_string_equal (c.networks [1], "");
    char kinds [3][32];
    assert_int_equal (agent_store_inbox_each (store, NULL, s_collect_kind, kinds, &count, NULL), CII_OK);
    assert_int_equal (count, 3);
    assert_non_null (strstr (kinds [2], "notice:"));
    assert_int_equal (agent_store_inbox_each (store, "probe-down", s_collect_kind, kinds, &count, NULL), CII_OK);
    assert_int_equal (count, 0);
    //  A network name holding a ',' cannot be stored as a list
    char *comma [1] = { (char *) "a,b" };
    cii_notice_t bad = { .id = 9, .title = "t", .text = "x", .networks = (const char *const *) comma, .n_networks = 1 };
    assert_int_equal (agent_store_notice_add (store, 3, &bad, &err), CII_BAD_INPUT);
    agent_store_destroy (&store);
}

//  The last item seen: "SEQ@EPOCH:KIND".
static bool
s_item_epoch (const agent_inbox_item_t *item, void *arg)
{
    snprintf (arg, 64, "%" PRId64 "@%" PRIu64 ":%s", item->seq, item->epoch, item->kind);
    return true;
}

//  The hub starts a new stream epoch (its database was restored): the agent enters it at the
//  hub's resume point, items numbered from there are stored in it (the same seq as an item of the
//  earlier epoch is another item), what it held stays, and its position is per epoch.
static void
test_inbox_epochs (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    int calls = 0;
    for (uint64_t seq = 1; seq <= 4; seq++) {
        Cii__Notice notice = s_notice ((int64_t) seq, "avant", NULL, 0);
        assert_int_equal (s_deliver (store, seq, &notice, &calls, NULL), AGENT_INBOX_STORED);
    }
    uint64_t epoch = 99;
    int64_t seq = -1;
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == 0);
    assert_int_equal (seq, 4);
    //  The same epoch again: nothing changes
    bool entered = true;
    assert_int_equal (agent_store_inbox_enter (store, 0, 2, &entered, NULL), CII_OK);
    assert_false (entered);
    assert_int_equal (unit_agent_last_seq (store), 4);
    //  A new epoch from 2: 3 is the next item (another item than the 3 held), 2 a duplicate
    uint64_t next = (uint64_t) 1 << 32 | 0xbeef;
    assert_int_equal (agent_store_inbox_enter (store, next, 2, &entered, NULL), CII_OK);
    assert_true (entered);
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == next);
    assert_int_equal (seq, 2);
    Cii__Notice notice = s_notice (33, "après", NULL, 0);
    cii_err_t err;
    assert_int_equal (s_deliver (store, 2, &notice, &calls, &err), AGENT_INBOX_DUPLICATE);
    assert_int_equal (s_deliver (store, 4, &notice, &calls, &err), AGENT_INBOX_GAP);
    assert_int_equal (s_deliver (store, 3, &notice, &calls, NULL), AGENT_INBOX_STORED);
    notice = s_notice (34, "après, deux", NULL, 0);
    assert_int_equal (s_deliver (store, 4, &notice, &calls, NULL), AGENT_INBOX_STORED);
    assert_int_equal (unit_agent_last_seq (store), 4);
    //  Everything held, in arrival order, each in its epoch
    s_notices_t c;
    memset (&c, 0, sizeof c);
    size_t count = 0;
    assert_int_equal (agent_store_notices_each (store, s_collect_notice, &c, &count, NULL), CII_OK);
    assert_int_equal (count, 6);
    assert_int_equal (c.seq [3], 4);
    assert_string_equal (c.title [3], "avant");
    assert_int_equal (c.seq [4], 3);
    assert_int_equal (c.notice_id [4], 33);
    assert_string_equal (c.title [5], "après, deux");
    char held [64] = "";
    assert_int_equal (agent_store_inbox_each (store, NULL, s_item_epoch, held, &count, NULL), CII_OK);
    assert_int_equal (count, 6);
    char expect [64];
    snprintf (expect, sizeof expect, "4@%" PRIu64 ":notice", next);
    assert_string_equal (held, expect);
    //  Any 64-bit epoch is kept as it came (SQLite holds its bits); a resume point past 2^63 is not
    assert_int_equal (agent_store_inbox_enter (store, UINT64_MAX, 0, &entered, NULL), CII_OK);
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == UINT64_MAX);
    assert_int_equal (seq, 0);
    assert_int_equal (agent_store_inbox_enter (store, 7, (uint64_t) 1 << 63, &entered, &err), CII_BAD_INPUT);
    agent_store_destroy (&store);
    //  The position survives a reopen
    store = agent_store_open (fx->agent->state, NULL);
    assert_non_null (store);
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == UINT64_MAX);
    agent_store_destroy (&store);
}

static void
test_status (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    agent_daemon_status_t status;
    assert_int_equal (agent_store_status_get (store, &status, NULL), CII_NOT_FOUND);
    int64_t before = cii_util_now_ms ();
    assert_int_equal (agent_store_status_set (store, "connected", "tcp://127.0.0.1:7300", NULL), CII_OK);
    assert_int_equal (agent_store_status_set (store, "disconnected", "no answer to HELLO", NULL), CII_OK);
    assert_int_equal (agent_store_status_get (store, &status, NULL), CII_OK);
    assert_string_equal (status.status, "disconnected");
    assert_string_equal (status.detail, "no answer to HELLO");
    assert_true (status.time_ms >= before && status.time_ms <= cii_util_now_ms ());
    assert_int_equal (status.pid, getpid ());
    assert_int_equal (status.replaced_count, 0);
    assert_int_equal (status.replaced_ms, 0);
    //  Sessions taken over by another process with the key: counted, the last time kept
    assert_int_equal (agent_store_status_replaced (store, NULL), CII_OK);
    assert_int_equal (agent_store_status_replaced (store, NULL), CII_OK);
    assert_int_equal (agent_store_status_get (store, &status, NULL), CII_OK);
    assert_int_equal (status.replaced_count, 2);
    assert_true (status.replaced_ms >= before && status.replaced_ms <= cii_util_now_ms ());
    assert_string_equal (status.status, "disconnected");
    agent_store_destroy (&store);
}

static void
test_two_handles (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *cli = s_create (fx);
    agent_store_t *daemon = agent_store_open (fx->agent->state, NULL);
    assert_non_null (daemon);

    //  The CLI queues, the daemon sees it
    char mid [AGENT_MESSAGE_ID_SIZE];
    s_add (cli, "VD", "partagé", mid);
    assert_int_equal (unit_agent_outbox (daemon), 1);
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (daemon, cii_util_now_ms (), 10, &due), 1);
    assert_string_equal (due.message_id [0], mid);
    //  While the daemon reads the outbox, the CLI can still write
    due.store = cli;
    due.next_ms = 1;
    assert_int_equal (s_due (daemon, cii_util_now_ms (), 10, &due), 1);
    due.store = NULL;

    //  The daemon settles and delivers, the CLI sees both
    s_settle_t settle = { 0, "", 0, CII_OK };
    assert_int_equal (agent_store_outbox_settle (daemon, mid, s_settle, &settle, NULL), CII_OK);
    assert_int_equal (unit_agent_outbox (cli), 0);
    Cii__Notice notice = s_notice (1, "un", NULL, 0);
    int calls = 0;
    assert_int_equal (s_deliver (daemon, 1, &notice, &calls, NULL), AGENT_INBOX_STORED);
    assert_int_equal (unit_agent_last_seq (cli), 1);
    //  The same seq through the other handle is a duplicate, not a second row
    assert_int_equal (s_deliver (cli, 1, &notice, &calls, NULL), AGENT_INBOX_DUPLICATE);
    assert_int_equal (agent_store_status_set (daemon, "connected", "", NULL), CII_OK);
    agent_daemon_status_t status;
    assert_int_equal (agent_store_status_get (cli, &status, NULL), CII_OK);
    assert_string_equal (status.status, "connected");
    agent_store_destroy (&daemon);
    agent_store_destroy (&cli);
}

static void
test_durability (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    char mid1 [AGENT_MESSAGE_ID_SIZE], mid2 [AGENT_MESSAGE_ID_SIZE];
    int64_t id1 = s_add (store, "VD", "persistant", mid1);
    int64_t id2 = s_add (store, "GE", "livré", mid2);
    s_settle_t settle = { 0, "", 0, CII_OK };
    assert_int_equal (agent_store_outbox_settle (store, mid2, s_settle, &settle, NULL), CII_OK);
    assert_int_equal (agent_store_signal_delivered (store, id2, "SIG-7", 42, NULL), CII_OK);
    int64_t next = 123;
    assert_int_equal (agent_store_outbox_sent (store, &id1, &next, 1, NULL), CII_OK);
    Cii__Notice notice = s_notice (1, "un", NULL, 0);
    int calls = 0;
    assert_int_equal (s_deliver (store, 1, &notice, &calls, NULL), AGENT_INBOX_STORED);
    agent_store_destroy (&store);

    store = agent_store_open (fx->agent->state, NULL);
    assert_non_null (store);
    assert_int_equal (unit_agent_outbox (store), 1);
    assert_int_equal (unit_agent_last_seq (store), 1);
    s_signals_t c;
    assert_int_equal (s_signals (store, &c), 2);
    assert_string_equal (c.title [0], "persistant");
    assert_int_equal (c.delivered_at [0], 0);
    assert_string_equal (c.hub_ref [1], "SIG-7");
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, 122, 10, &due), 0);
    assert_int_equal (s_due (store, 123, 10, &due), 1);
    assert_string_equal (due.message_id [0], mid1);
    assert_int_equal (due.attempts [0], 1);
    cii_bundle_t config;
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.agent_secret, fx->agent->bundle.agent_secret);
    agent_store_destroy (&store);
}


//  --- an entry held until those it waits for are settled ------------------------------------

static void
test_outbox_held (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (test_kinds_register (), CII_OK);
    agent_store_t *store = s_create (fx);
    char mid1 [AGENT_MESSAGE_ID_SIZE], mid2 [AGENT_MESSAGE_ID_SIZE];
    s_add (store, "VD", "un", mid1);
    s_add (store, "GE", "deux", mid2);
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = (char *) "attend";
    probe.number = 1;
    //  Waits for both signals, and for an id the outbox never had (that one holds nothing)
    const char *after [] = { mid1, mid2, "never-queued" };
    assert_int_equal (agent_store_outbox_add_after (store, &test_kind_probe_up, &probe.base, 5, "probe-held", after, 3,
                                                    NULL), CII_OK);
    int64_t held = -1;
    assert_int_equal (agent_store_outbox_held (store, &held, NULL), CII_OK);
    assert_int_equal (held, 1);
    int64_t now = cii_util_now_ms ();
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, now, 10, &due), 2);          //  the signals only
    assert_string_equal (due.kind [0], "signal");
    assert_string_equal (due.kind [1], "signal");
    s_settle_t settle = { 0, "", 0, CII_OK };
    assert_int_equal (agent_store_outbox_settle (store, mid1, s_settle, &settle, NULL), CII_OK);
    assert_int_equal (s_due (store, now, 10, &due), 1);          //  still waits for the second
    assert_int_equal (agent_store_outbox_settle (store, mid2, s_settle, &settle, NULL), CII_OK);
    assert_int_equal (s_due (store, now, 10, &due), 1);
    assert_string_equal (due.message_id [0], "probe-held");
    assert_int_equal (agent_store_outbox_held (store, &held, NULL), CII_OK);
    assert_int_equal (held, 0);
    //  A failing add leaves nothing behind, not even its waits (one transaction)
    assert_int_equal (agent_store_outbox_add_after (store, &test_kind_probe_up, &probe.base, 6, "probe-held", after, 3,
                                                    NULL), CII_CONFLICT);
    //  Settled, its waits go with it
    assert_int_equal (agent_store_outbox_settle (store, "probe-held", s_settle, &settle, NULL), CII_OK);
    sqlite3_stmt *stmt = agent_store_prepare (store, "SELECT count(*) FROM outbox_after", NULL);
    int64_t rows = -1;
    assert_int_equal (agent_store_int (store, stmt, "count", &rows, NULL), CII_OK);
    assert_int_equal (rows, 0);
    agent_store_destroy (&store);
    test_kinds_unregister ();
}

//  --- requests ------------------------------------------------------------------------------

typedef struct {
    size_t count;
    int64_t id [8];
    char state [8][40];
    char title [8][256];
    char cantons [8][80];
    char signals [8][80];
    char message_id [8][AGENT_MESSAGE_ID_SIZE];
    char hub_ref [8][32];
    bool refused [8];
    char refused_name [8][32];
    char theme [8][32];
} s_requests_t;

static bool
s_collect_request (const agent_request_row_t *row, void *arg)
{
    s_requests_t *c = arg;
    if (c->count == 8)
        return false;
    size_t i = c->count++;
    c->id [i] = row->id;
    snprintf (c->state [i], sizeof c->state [i], "%s", row->state);
    snprintf (c->title [i], sizeof c->title [i], "%s", row->title);
    snprintf (c->cantons [i], sizeof c->cantons [i], "%s", row->cantons);
    snprintf (c->signals [i], sizeof c->signals [i], "%s", row->signals);
    snprintf (c->message_id [i], sizeof c->message_id [i], "%s", row->message_id ? row->message_id : "(null)");
    snprintf (c->hub_ref [i], sizeof c->hub_ref [i], "%s", row->hub_ref ? row->hub_ref : "(null)");
    c->refused [i] = row->refused;
    snprintf (c->refused_name [i], sizeof c->refused_name [i], "%s", row->refused_name ? row->refused_name : "(null)");
    snprintf (c->theme [i], sizeof c->theme [i], "%s", row->theme);
    return true;
}

static size_t
s_requests (agent_store_t *store, const agent_request_filter_t *filter, s_requests_t *c)
{
    memset (c, 0, sizeof *c);
    size_t count = 0;
    assert_int_equal (agent_store_requests_each (store, filter, s_collect_request, c, &count, NULL), CII_OK);
    return count;
}

static bool
s_history_text (const agent_history_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s/%s/%s", len ? ";" : "", row->state, row->organ, row->note);
    return true;
}

static bool
s_criteria_text (const cii_criterion_t *criterion, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s=%d", len ? ";" : "", criterion->id, criterion->met);
    return true;
}

static bool
s_lineage_text (const agent_lineage_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s:%" PRId64 ":%s", len ? ";" : "", row->relation, row->other_id,
              row->other_title);
    return true;
}

static bool
s_withdrawal_text (const agent_withdrawal_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s:%s:%s", len ? ";" : "", row->reason,
              row->delivered_at_ms ? "delivered" : "-", row->refused ? row->refused_name : "-");
    return true;
}

static void
test_requests_rows (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    int64_t s1 = s_add (store, "VD", "un", NULL), s2 = s_add (store, "GE", "deux", NULL);
    agent_request_row_t row = {
        .state = "draft", .title = "Accès à la formation", .summary = "Résumé", .language = "fr",
        .cantons = "GE,VD", .created_at_ms = 1, .updated_at_ms = 2,
    };
    int64_t id = 0, other = 0;
    cii_err_t err;
    assert_int_equal (agent_store_request_insert (store, &row, &id, &err), CII_OK);
    int64_t ids [] = { s2, s1 };
    assert_int_equal (agent_store_request_signals_set (store, id, ids, 2, NULL), CII_OK);
    row.title = "Zweiter Antrag";
    row.cantons = "VS";
    assert_int_equal (agent_store_request_insert (store, &row, &other, NULL), CII_OK);
    s_requests_t c;
    assert_int_equal (s_requests (store, NULL, &c), 2);
    assert_string_equal (c.title [0], "Accès à la formation");
    char expected [32];
    snprintf (expected, sizeof expected, "%" PRId64 ",%" PRId64, s2, s1);
    assert_string_equal (c.signals [0], expected);              //  in the request's order
    assert_string_equal (c.signals [1], "");
    assert_string_equal (c.message_id [0], "(null)");
    assert_string_equal (c.hub_ref [0], "(null)");
    //  Filters: state, canton (whole codes only), signal
    agent_request_filter_t filter = { .canton = "VD" };
    assert_int_equal (s_requests (store, &filter, &c), 1);
    assert_int_equal (c.id [0], id);
    filter = (agent_request_filter_t) { .canton = "V" };
    assert_int_equal (s_requests (store, &filter, &c), 0);
    filter = (agent_request_filter_t) { .signal_id = s1 };
    assert_int_equal (s_requests (store, &filter, &c), 1);
    filter = (agent_request_filter_t) { .state = "forwarded" };
    assert_int_equal (s_requests (store, &filter, &c), 0);

    //  Update: every field; a message id is one request's only
    row.id = id;
    row.title = "Accès à la formation";
    row.cantons = "GE,VD";
    row.state = "refused";
    row.message_id = "m-1";
    row.hub_ref = "CII-2027-0001";
    row.refused = true;
    row.refused_code = 13;
    row.refused_text = "signal inconnu";
    row.theme = "NT-2027-01";
    assert_int_equal (agent_store_request_update (store, &row, NULL), CII_OK);
    row.id = other;
    assert_int_equal (agent_store_request_update (store, &row, &err), CII_CONFLICT);
    row.id = 999;
    assert_int_equal (agent_store_request_update (store, &row, &err), CII_NOT_FOUND);
    assert_int_equal (s_requests (store, NULL, &c), 2);
    assert_string_equal (c.state [0], "refused");
    assert_true (c.refused [0]);
    assert_string_equal (c.refused_name [0], "UNKNOWN_REFERENCE");
    assert_string_equal (c.theme [0], "NT-2027-01");
    int64_t found = 0;
    assert_int_equal (agent_store_request_find (store, "m-1", NULL, &found, NULL), CII_OK);
    assert_int_equal (found, id);
    assert_int_equal (agent_store_request_find (store, "nope", "CII-2027-0001", &found, NULL), CII_OK);
    assert_int_equal (found, id);
    assert_int_equal (agent_store_request_find (store, "nope", "CII-2027-0002", &found, NULL), CII_NOT_FOUND);
    assert_int_equal (agent_store_request_get (store, 999, s_collect_request, &c, NULL), CII_NOT_FOUND);

    //  Lineage, with the other's title
    char text [256] = "";
    assert_int_equal (agent_store_request_lineage_add (store, id, "merged-from", other, 5, NULL), CII_OK);
    assert_int_equal (agent_store_request_lineage_each (store, id, s_lineage_text, text, NULL, NULL), CII_OK);
    snprintf (expected, sizeof expected, "merged-from:%" PRId64 ":", other);
    assert_true (strncmp (text, expected, strlen (expected)) == 0);
    assert_non_null (strstr (text, "Zweiter Antrag"));

    //  Withdrawals
    int64_t w1 = 0, w2 = 0;
    assert_int_equal (agent_store_withdrawal_add (store, id, "w-1", "plus nécessaire", &w1, NULL), CII_OK);
    assert_int_equal (agent_store_withdrawal_add (store, id, "w-2", "encore", &w2, NULL), CII_OK);
    assert_int_equal (agent_store_withdrawal_add (store, id, "w-2", "doublon", &w2, NULL), CII_CONFLICT);
    assert_int_equal (agent_store_withdrawal_delivered (store, w1, 7, NULL), CII_OK);
    assert_int_equal (agent_store_withdrawal_refused (store, w2, 13, "inconnue", NULL), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_store_withdrawals_each (store, id, s_withdrawal_text, text, NULL, NULL), CII_OK);
    assert_string_equal (text, "plus nécessaire:delivered:-;encore:-:UNKNOWN_REFERENCE");

    //  History in the order received; criteria as last received (the same id twice: the last)
    int64_t one = 0, two = 0;
    sqlite3_stmt *stmt = agent_store_prepare (store, "INSERT INTO inbox (stream, seq, kind, body, received_at)"
                                                     " VALUES (1, ?1, 'status', x'00', 0)", NULL);
    sqlite3_bind_int64 (stmt, 1, 1);
    assert_int_equal (agent_store_run (store, stmt, "inbox", NULL), CII_OK);
    one = agent_store_last_rowid (store);
    stmt = agent_store_prepare (store, "INSERT INTO inbox (stream, seq, kind, body, received_at)"
                                       " VALUES (1, ?1, 'status', x'00', 0)", NULL);
    sqlite3_bind_int64 (stmt, 1, 2);
    assert_int_equal (agent_store_run (store, stmt, "inbox", NULL), CII_OK);
    two = agent_store_last_rowid (store);
    cii_status_t status = { .ref = "CII-2027-0001", .request_id = "m-1", .state = "received", .organ = "hub",
                            .at_ms = 10, .note = "", .theme = "" };
    assert_int_equal (agent_store_request_history_add (store, id, one, &status, NULL), CII_OK);
    status.state = "admissible";
    status.organ = "bureau";
    status.note = "« recevable »";
    assert_int_equal (agent_store_request_history_add (store, id, two, &status, NULL), CII_OK);
    assert_int_equal (agent_store_request_history_add (store, id, two, &status, &err), CII_CONFLICT);
    text [0] = '\0';
    assert_int_equal (agent_store_request_history_each (store, id, s_history_text, text, NULL, NULL), CII_OK);
    assert_string_equal (text, "received/hub/;admissible/bureau/« recevable »");
    cii_criterion_t criteria [] = { { "C1", true, "2 institutions" }, { "C2", false, "aucun objectif" },
                                    { "C1", false, "repris" } };
    assert_int_equal (agent_store_request_criteria_set (store, id, one, criteria, 3, NULL), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_store_request_criteria_each (store, id, s_criteria_text, text, NULL, NULL), CII_OK);
    assert_string_equal (text, "C2=0;C1=0");
    assert_int_equal (agent_store_request_criteria_set (store, id, two, criteria, 1, NULL), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_store_request_criteria_each (store, id, s_criteria_text, text, NULL, NULL), CII_OK);
    assert_string_equal (text, "C1=1");
    agent_store_destroy (&store);
}

//  --- full-text search ------------------------------------------------------------------------

static bool
s_term_text (const char *term, size_t size, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%.*s", len ? "|" : "", (int) size, term);
    return true;
}

static bool
s_hit_ids (int64_t id, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%" PRId64, len ? "," : "", id);
    return true;
}

static void
test_search (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_create (fx);
    //  The indexes' tokenizer: lower case, diacritics removed, punctuation splits
    char text [256] = "";
    const char *sample = "Accès À L'ÉCOLE: Übergänge, façon «IV/AI»";
    assert_int_equal (agent_store_search_terms (store, sample, strlen (sample), s_term_text, text, NULL), CII_OK);
    assert_string_equal (text, "acces|a|l|ecole|ubergange|facon|iv|ai");
    text [0] = '\0';
    assert_int_equal (agent_store_search_terms (store, "", 0, s_term_text, text, NULL), CII_OK);
    assert_string_equal (text, "");

    int64_t s1 = s_add (store, "VD", "Accès des jeunes à la formation", NULL);
    int64_t s2 = s_add (store, "VS", "Übergänge in die Lehre", NULL);
    (void) s2;
    //  Signals are indexed as they are stored, without their accents
    text [0] = '\0';
    assert_int_equal (agent_store_search_match (store, "signals", "\"acces\"", 10, s_hit_ids, text, NULL), CII_OK);
    char expected [32];
    snprintf (expected, sizeof expected, "%" PRId64, s1);
    assert_string_equal (text, expected);
    int64_t df = 0, total = 0;
    assert_int_equal (agent_store_search_df (store, "ubergange", &df, &total, NULL), CII_OK);
    assert_int_equal (df, 1);
    assert_int_equal (total, 2);
    assert_int_equal (agent_store_search_df (store, "systemes", &df, &total, NULL), CII_OK);
    assert_int_equal (df, 2);              //  in both descriptions
    assert_int_equal (agent_store_search_df (store, "absent", &df, &total, NULL), CII_OK);
    assert_int_equal (df, 0);

    //  Requests: indexed on insert, re-indexed when their texts change
    agent_request_row_t row = { .state = "draft", .title = "Éducation", .summary = "Résumé", .language = "fr",
                                .created_at_ms = 1, .updated_at_ms = 1 };
    int64_t id = 0;
    assert_int_equal (agent_store_request_insert (store, &row, &id, NULL), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_store_search_match (store, "requests", "\"education\"", 10, s_hit_ids, text, NULL), CII_OK);
    snprintf (expected, sizeof expected, "%" PRId64, id);
    assert_string_equal (text, expected);
    row.id = id;
    row.title = "Santé";
    assert_int_equal (agent_store_request_update (store, &row, NULL), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_store_search_match (store, "requests", "\"education\"", 10, s_hit_ids, text, NULL), CII_OK);
    assert_string_equal (text, "");
    assert_int_equal (agent_store_search_match (store, "requests", "\"sante\"", 10, s_hit_ids, text, NULL), CII_OK);
    assert_string_equal (text, expected);
    //  Not a query, not an index: refused, nothing else
    cii_err_t err;
    assert_int_equal (agent_store_search_match (store, "requests", "\"open", 10, s_hit_ids, text, &err), CII_BAD_INPUT);
    assert_int_equal (agent_store_search_match (store, "notices", "x", 10, s_hit_ids, text, &err), CII_BAD_INPUT);
    agent_store_destroy (&store);
}

//  --- the state of a released agent ------------------------------------------------------------

//  Every row of every query on the database at path, as text (queries order their rows).
static char *
s_dump (const char *path, const char *const *queries, size_t count)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *dump = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&dump, &size);
    assert_non_null (out);
    for (size_t q = 0; q < count; q++) {
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2 (db, queries [q], -1, &stmt, NULL) != SQLITE_OK)
            fail_msg ("%s: %s", queries [q], sqlite3_errmsg (db));
        while (sqlite3_step (stmt) == SQLITE_ROW) {
            fprintf (out, "%zu:", q);
            for (int col = 0; col < sqlite3_column_count (stmt); col++) {
                const unsigned char *blob = sqlite3_column_blob (stmt, col);
                int bytes = sqlite3_column_bytes (stmt, col);
                fputc ('|', out);
                for (int i = 0; i < bytes; i++)
                    fprintf (out, "%02x", blob [i]);
            }
            fputc ('\n', out);
        }
        sqlite3_finalize (stmt);
    }
    sqlite3_close (db);
    fclose (out);
    return dump;
}

//  What a state holds, read the same way from schema 1 (0.1.0) and from today's: the tables the
//  migrations leave alone whole, the inbox and the notices by their columns of 0.1.0.
static const char *s_rows [] = {
    "SELECT * FROM config ORDER BY 1",
    "SELECT * FROM cantons ORDER BY 1",
    "SELECT * FROM signals ORDER BY 1",
    "SELECT * FROM outbox ORDER BY 1",
    "SELECT * FROM status ORDER BY 1",
    "SELECT seq, kind, body, received_at FROM inbox ORDER BY seq",
    "SELECT seq, notice_id, title, text, networks, issued_at, received_at FROM notices ORDER BY seq",
};

static void
test_state_of_release_0_1_0 (void **state)
{
    s_fixture_t *fx = *state;
    char *copy = unit_agent_release_0_1_0 (fx->agent);
    size_t n_rows = sizeof s_rows / sizeof s_rows [0];
    char *before = s_dump (copy, s_rows, n_rows);

    //  Opens with today's code and migrates in place (schema 2: the inbox per stream epoch;
    //  3: requests and the full-text indexes; 4: the meeting of a STATUS)
    cii_err_t err;
    agent_store_t *store = agent_store_open (fx->agent->state, &err);
    if (!store)
        fail_msg ("open: %s", err.text);
    int version = 0;
    assert_int_equal (agent_store_schema_version (store, &version, NULL), CII_OK);
    assert_int_equal (version, 6);
    assert_int_equal (cii_migration_latest (agent_migrations, agent_migrations_count), 6);
    //  Its signals are indexed: "Accès à la formation des adultes peu qualifiés" is signal 1
    char hits [256] = "";
    assert_int_equal (agent_store_search_match (store, "signals", "\"acces\"", 10, s_hit_ids, hits, NULL), CII_OK);
    assert_string_equal (hits, "1");
    hits [0] = '\0';
    assert_int_equal (agent_store_search_match (store, "signals", "\"giovani\"", 10, s_hit_ids, hits, NULL), CII_OK);
    assert_string_equal (hits, "3");
    int64_t waiting = -1;
    assert_int_equal (agent_store_outbox_held (store, &waiting, NULL), CII_OK);
    assert_int_equal (waiting, 0);

    cii_bundle_t config;
    assert_int_equal (agent_store_config_get (store, &config, NULL), CII_OK);
    assert_string_equal (config.network, "lemanique");
    assert_string_equal (config.endpoint, "tcp://127.0.0.1:7391");
    assert_string_equal (config.cantons, "GE,VD,VS");
    assert_int_equal (strlen (config.hub_public), 40);
    assert_int_equal (strlen (config.agent_public), 40);
    assert_int_equal (strlen (config.agent_secret), 40);

    s_signals_t c;
    assert_int_equal (s_signals (store, &c), 3);
    assert_string_equal (c.message_id [0], "91de1592-0333-4289-a4b0-0958aa9e276d");
    assert_string_equal (c.canton [0], "VD");
    assert_string_equal (c.title [0], "Accès à la formation des adultes peu qualifiés");
    assert_string_equal (c.language [0], "fr");
    assert_string_equal (c.hub_ref [0], "SIG-2");
    assert_true (c.delivered_at [0] > 0);
    assert_string_equal (c.canton [1], "VS");
    assert_string_equal (c.title [1], "Koordination zwischen RAV und Sozialhilfe");
    assert_string_equal (c.language [1], "de");
    assert_string_equal (c.hub_ref [1], "SIG-1");
    assert_string_equal (c.message_id [2], "f0d37d27-0022-4e80-a508-6adf41e62d9b");
    assert_string_equal (c.canton [2], "GE");
    assert_string_equal (c.title [2], "Giovani in arrivo tardivo");
    assert_string_equal (c.language [2], "it");
    assert_int_equal (c.delivered_at [2], 0);
    assert_false (c.refused [2]);

    //  The pending entry is due and decodes as the signal it carries
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, cii_util_now_ms (), 10, &due), 1);
    assert_string_equal (due.message_id [0], "f0d37d27-0022-4e80-a508-6adf41e62d9b");
    assert_string_equal (due.kind [0], "signal");
    assert_int_equal (due.ref_id [0], c.id [2]);

    s_notices_t notices;
    memset (&notices, 0, sizeof notices);
    size_t count = 0;
    assert_int_equal (agent_store_notices_each (store, s_collect_notice, &notices, &count, NULL), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (notices.seq [0], 1);
    assert_string_equal (notices.title [0], "Séance du CDC");
    assert_string_equal (notices.text [0],
                         "La prochaine séance aura lieu le 3 mars. Ärztliche Fragen: Übersicht folgt.");
    assert_string_equal (notices.networks [0], "");
    //  Its notice is held in epoch 0, where it stands
    uint64_t epoch = 99;
    int64_t seq = -1;
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == 0);
    assert_int_equal (seq, 1);
    char held [64] = "";
    assert_int_equal (agent_store_inbox_each (store, NULL, s_item_epoch, held, NULL, NULL), CII_OK);
    assert_string_equal (held, "1@0:notice");
    agent_daemon_status_t status;
    assert_int_equal (agent_store_status_get (store, &status, NULL), CII_OK);
    assert_string_equal (status.status, "stopped");
    agent_store_destroy (&store);

    //  Byte for byte, every row it held is as the release left it
    char *after = s_dump (copy, s_rows, n_rows);
    assert_string_equal (after, before);
    free (after);
    free (before);
    free (copy);
}

//  A state as cii-agent 0.2.0 left it (schema 2): a delivered signal, a pending one with its
//  outbox entry, a notice held in epoch 0 and one in a later epoch, its status.
static void
test_state_of_release_0_2_0 (void **state)
{
    s_fixture_t *fx = *state;
    char *path = unit_agent_state_at (fx->agent, 2);
    unit_agent_sql (path,
        "INSERT INTO signals (id, message_id, canton, title, description, institutions, target_groups,"
        " national_reason, language, created_at, delivered_at, hub_ref, hub_received_at)"
        " VALUES (1, '6a1b7f0e-1111-4c1e-9a57-1e0d2b3c4d5e', 'VS', 'Übergänge für spät zugewanderte Jugendliche',"
        " 'Die Jugendlichen fallen zwischen RAV und Sozialhilfe.', 'unemployment,social-aid',"
        " 'late-arriving-youth', 'Bundesrecht.', 'de', 1760000000000, 1760000001000, 'SIG-9', 1760000000500);"
        "INSERT INTO signals (id, message_id, canton, title, description, institutions, target_groups,"
        " national_reason, language, created_at)"
        " VALUES (2, '6a1b7f0e-2222-4c1e-9a57-1e0d2b3c4d5e', 'VD', 'Accès à l''apprentissage',"
        " 'Les jeunes arrivés tardivement n''accèdent pas à l''apprentissage.', 'vocational-training,migration',"
        " 'late-arriving-youth', '', 'fr', 1760000002000);"
        "INSERT INTO outbox (message_id, kind, ref_id, body, created_at, attempts, next_attempt_ms)"
        " VALUES ('6a1b7f0e-2222-4c1e-9a57-1e0d2b3c4d5e', 'signal', 2, x'0801', 1760000002000, 3, 0);"
        "INSERT INTO streams (id, epoch, resume_seq, started_at) VALUES (2, 4294967297, 1, 1760000003000);"
        "INSERT INTO inbox (id, stream, seq, kind, body, received_at) VALUES"
        " (1, 1, 1, 'notice', x'0801', 1760000000000), (2, 2, 2, 'notice', x'0802', 1760000004000);"
        "INSERT INTO notices (inbox_id, seq, notice_id, title, text, networks, issued_at, received_at) VALUES"
        " (1, 1, 7, 'Séance du CDC', 'Texte', '', 1, 1760000000000),"
        " (2, 2, 8, 'Rapport', 'Text', 'lemanique', 2, 1760000004000);"
        "INSERT INTO status (key, value) VALUES ('status', 'stopped'), ('detail', 'daemon stopped');");
    static const char *rows [] = {
        "SELECT * FROM config ORDER BY 1",
        "SELECT * FROM cantons ORDER BY 1",
        "SELECT * FROM signals ORDER BY 1",
        "SELECT * FROM outbox ORDER BY 1",
        "SELECT * FROM status ORDER BY 1",
        "SELECT * FROM streams ORDER BY 1",
        "SELECT * FROM inbox ORDER BY 1",
        "SELECT * FROM notices ORDER BY 1",
    };
    size_t n_rows = sizeof rows / sizeof rows [0];
    char *before = s_dump (path, rows, n_rows);

    cii_err_t err;
    agent_store_t *store = agent_store_open (fx->agent->state, &err);
    if (!store)
        fail_msg ("open: %s", err.text);
    int version = 0;
    assert_int_equal (agent_store_schema_version (store, &version, NULL), CII_OK);
    assert_int_equal (version, 6);
    //  What it held reads as before: position, notices, signals, the pending entry due
    uint64_t epoch = 0;
    int64_t seq = 0;
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, NULL), CII_OK);
    assert_true (epoch == 4294967297ULL);
    assert_int_equal (seq, 2);
    s_signals_t c;
    assert_int_equal (s_signals (store, &c), 2);
    assert_string_equal (c.hub_ref [0], "SIG-9");
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (agent_store_outbox_due (store, cii_util_now_ms (), 10, s_collect_kind_only, &due, NULL, NULL),
                      CII_OK);
    assert_int_equal (due.count, 1);
    //  Both signals indexed, accents and umlauts folded
    char hits [256] = "";
    assert_int_equal (agent_store_search_match (store, "signals", "\"ubergange\"", 10, s_hit_ids, hits, NULL), CII_OK);
    assert_string_equal (hits, "1");
    hits [0] = '\0';
    assert_int_equal (agent_store_search_match (store, "signals", "\"acces\"", 10, s_hit_ids, hits, NULL), CII_OK);
    assert_string_equal (hits, "2");
    //  Requests can be kept over its signals
    agent_request_row_t row = { .state = "draft", .title = "Jugendliche", .summary = "s", .language = "de",
                                .created_at_ms = 1, .updated_at_ms = 1 };
    int64_t id = 0;
    assert_int_equal (agent_store_request_insert (store, &row, &id, NULL), CII_OK);
    int64_t ids [] = { 1, 2 };
    assert_int_equal (agent_store_request_signals_set (store, id, ids, 2, NULL), CII_OK);
    agent_store_destroy (&store);

    //  Byte for byte, every row it held is as the release left it
    char *after = s_dump (path, rows, n_rows);
    assert_string_equal (after, before);
    free (after);
    free (before);
    free (path);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_create_modes_and_refusal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_open_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_transactions_and_statements, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_config_and_cantons, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_signals_and_outbox_entries, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_outbox_any_kind, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_outbox_scheduling, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_inbox_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_inbox_epochs, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_status, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_two_handles, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_durability, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_outbox_held, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_requests_rows, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_search, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state_of_release_0_1_0, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state_of_release_0_2_0, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
