/*  test_hub_store.c — hub_store against a real PostgreSQL (PG* environment from CTest): migrations,
    seed registry, enrollment, batched idempotent ingest, notice fan-out, downward walk, acks,
    notifications and reconnects. Each run works in its own fresh database, dropped at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>

#include <cmocka.h>
#include <czmq.h>
#include <libpq-fe.h>

#include "cii_codec.h"
#include "cii_migration.h"
#include "hub_store.h"
#include "unit_pg.h"

static char s_dbname[64];
static char s_conninfo[128];
static hub_store_t *s_store;

//  Keys: 40 chars of Z85, distinct per agent.
#define KEY_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define KEY_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define KEY_Z "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
#define KEY_O "OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO"

static int64_t s_agent_lemanique, s_agent_zuerich, s_agent_ost;

//  --------------------------------------------------------------------------------------------
//  Helpers

//  Runs a query on the test database and returns the first column of the first row as a new
//  string ("" when no row).
static char *
s_query (const char *sql)
{
    PGconn *conn = PQconnectdb (s_conninfo);
    assert_int_equal (PQstatus (conn), CONNECTION_OK);
    PQsetClientEncoding (conn, "UTF8");
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (conn));
    char *value = strdup (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0 ? PQgetvalue (res, 0, 0) : "");
    PQclear (res);
    PQfinish (conn);
    return value;
}

static long long
s_query_int (const char *sql)
{
    char *value = s_query (sql);
    long long n = atoll (value);
    free (value);
    return n;
}

static int
s_setup (void **state)
{
    (void) state;
    zsys_init ();
    zsys_set_logstream (NULL);          //  expected refusals would clutter the test output
    snprintf (s_dbname, sizeof s_dbname, "cii_test_store_%d", (int) getpid ());
    snprintf (s_conninfo, sizeof s_conninfo, "dbname=%s", s_dbname);
    char sql[160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", s_dbname);
    s_admin (sql);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", s_dbname);
    s_admin (sql);
    char reason[256] = "";
    s_store = hub_store_new (s_conninfo, reason, sizeof reason);
    if (!s_store)
        fail_msg ("hub_store_new: %s", reason);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    hub_store_destroy (&s_store);
    hub_store_destroy (&s_store);       //  safe twice
    char sql[160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", s_dbname);
    s_admin (sql);
    return 0;
}

//  Fills an envelope carrying one signal. Pointers refer to the caller's storage.
typedef struct {
    Cii__Envelope env;
    Cii__Signal sig;
    Cii__Institution institutions[2];
    Cii__TargetGroup groups[1];
    char message_id[64];
} s_msg_t;

static void
s_msg (s_msg_t *m, const char *message_id, const char *canton, const char *title)
{
    memset (m, 0, sizeof *m);
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal sig = CII__SIGNAL__INIT;
    m->env = env;
    m->sig = sig;
    snprintf (m->message_id, sizeof m->message_id, "%s", message_id);
    m->institutions[0] = CII__INSTITUTION__INSTITUTION_SOCIAL_AID;
    m->institutions[1] = CII__INSTITUTION__INSTITUTION_HEALTH;
    m->groups[0] = CII__TARGET_GROUP__TARGET_GROUP_LATE_ARRIVING_YOUTH;
    m->sig.canton = (char *) canton;
    m->sig.title = (char *) title;
    m->sig.description = (char *) "Les jeunes arrivés tardivement n'ont pas accès à la formation.";
    m->sig.n_institutions = 2;
    m->sig.institutions = m->institutions;
    m->sig.n_target_groups = 1;
    m->sig.target_groups = m->groups;
    m->sig.national_reason = (char *) "Gleiche Lücke in mehreren Kantonen";
    m->sig.language = (char *) "fr";
    m->sig.created_at_ms = 1700000000123;
    m->env.version = CII_PROTOCOL_VERSION;
    m->env.message_id = m->message_id;
    m->env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    m->env.signal = &m->sig;
}

static hub_agent_info_t
s_agent (int64_t id)
{
    hub_agent_info_t *rows = NULL;
    int count = hub_store_agent_list (s_store, &rows);
    assert_true (count >= 0);
    hub_agent_info_t found;
    memset (&found, 0, sizeof found);
    for (int i = 0; i < count; i++)
        if (rows[i].id == id)
            found = rows[i];
    free (rows);
    assert_int_equal (found.id, id);
    return found;
}

//  --------------------------------------------------------------------------------------------
//  Schema

static void
test_migrate_twice (void **state)
{
    (void) state;
    int binary = hub_store_binary_schema_version ();
    assert_true (binary >= 2);
    assert_int_equal (hub_store_schema_version (s_store), 0);
    assert_int_equal (hub_store_migrate (s_store), binary);
    assert_int_equal (hub_store_schema_version (s_store), binary);
    assert_int_equal (hub_store_migrate (s_store), binary);
    assert_int_equal (hub_store_schema_version (s_store), binary);
    assert_int_equal (s_query_int ("SELECT count(*) FROM schema_migrations"), (long long) hub_migrations_count);
    //  The seed ran exactly once.
    assert_int_equal (s_query_int ("SELECT count(*) FROM cantons"), 26);
}

static void
test_refuse_newer (void **state)
{
    (void) state;
    int binary = hub_store_binary_schema_version ();
    char sql[160];
    snprintf (sql, sizeof sql, "INSERT INTO schema_migrations (version, name) VALUES (%d, 'future') RETURNING 1",
              binary + 1);
    free (s_query (sql));
    assert_int_equal (hub_store_schema_version (s_store), binary + 1);
    assert_int_equal (hub_store_migrate (s_store), -1);
    assert_non_null (strstr (hub_store_error (s_store), "newer"));
    free (s_query ("DELETE FROM schema_migrations WHERE name = 'future' RETURNING 1"));
    assert_int_equal (hub_store_migrate (s_store), binary);
}

typedef struct {
    char conninfo[128];
    int result;
} s_migrate_job_t;

static void *
s_migrate_thread (void *arg)
{
    s_migrate_job_t *job = (s_migrate_job_t *) arg;
    hub_store_t *store = hub_store_new (job->conninfo, NULL, 0);
    job->result = store ? hub_store_migrate (store) : -1;
    hub_store_destroy (&store);
    return NULL;
}

static void
test_concurrent_migrate (void **state)
{
    (void) state;
    char db[80], sql[200];
    snprintf (db, sizeof db, "%s_conc", s_dbname);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", db);
    s_admin (sql);
    s_migrate_job_t jobs[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        snprintf (jobs[i].conninfo, sizeof jobs[i].conninfo, "dbname=%s", db);
        jobs[i].result = -5;
        assert_int_equal (pthread_create (&threads[i], NULL, s_migrate_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join (threads[i], NULL);
        assert_int_equal (jobs[i].result, hub_store_binary_schema_version ());
    }
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db);
    s_admin (sql);
}

//  --------------------------------------------------------------------------------------------
//  Registry and settings

static void
test_seed (void **state)
{
    (void) state;
    hub_canton_row_t *rows = NULL;
    int count = hub_store_cantons (s_store, &rows);
    assert_int_equal (count, 26);
    bool vd = false;
    for (int i = 0; i < count; i++)
        if (streq (rows[i].code, "VD"))
            vd = streq (rows[i].network, "lemanique");
    free (rows);
    assert_true (vd);
    assert_int_equal (s_query_int ("SELECT count(*) FROM networks"), 7);
    assert_int_equal (s_query_int ("SELECT count(*) FROM institutions"), 6);
    assert_int_equal (s_query_int ("SELECT count(*) FROM target_groups"), 5);
    assert_int_equal (s_query_int ("SELECT count(*) FROM cantons WHERE network = 'ost'"), 7);
    assert_int_equal (hub_store_network_exists (s_store, "lemanique"), 1);
    assert_int_equal (hub_store_network_exists (s_store, "atlantis"), 0);
    char *name = s_query ("SELECT name FROM cantons WHERE code = 'ZH'");
    assert_string_equal (name, "Z\xc3\xbcrich");
    free (name);
    char *langs = s_query ("SELECT languages::text FROM cantons WHERE code = 'GR'");
    assert_string_equal (langs, "{de,it,rm}");
    free (langs);
}

static void
test_settings (void **state)
{
    (void) state;
    assert_null (hub_store_setting_get (s_store, "hub_public_key"));
    assert_int_equal (hub_store_setting_set (s_store, "hub_public_key", KEY_A), 0);
    char *value = hub_store_setting_get (s_store, "hub_public_key");
    assert_string_equal (value, KEY_A);
    free (value);
    assert_int_equal (hub_store_setting_set (s_store, "hub_public_key", KEY_B), 0);
    value = hub_store_setting_get (s_store, "hub_public_key");
    assert_string_equal (value, KEY_B);
    free (value);
}

//  --------------------------------------------------------------------------------------------
//  Agents

static void
test_enroll_revoke (void **state)
{
    (void) state;
    int64_t first = hub_store_enroll (s_store, "lemanique", KEY_A);
    assert_true (first > 0);
    assert_int_equal (hub_store_enroll (s_store, "lemanique", KEY_B), -3);
    assert_int_equal (hub_store_enroll (s_store, "atlantis", KEY_B), -2);
    assert_int_equal (hub_store_revoke (s_store, "lemanique"), 0);
    assert_int_equal (hub_store_revoke (s_store, "lemanique"), -2);
    assert_int_equal (hub_store_revoke (s_store, "ticino"), -2);
    //  A revoked key never comes back, not even for another network.
    assert_int_equal (hub_store_enroll (s_store, "ticino", KEY_A), -1);
    s_agent_lemanique = hub_store_enroll (s_store, "lemanique", KEY_B);
    assert_true (s_agent_lemanique > first);
    s_agent_zuerich = hub_store_enroll (s_store, "zuerich", KEY_Z);
    s_agent_ost = hub_store_enroll (s_store, "ost", KEY_O);
    assert_true (s_agent_zuerich > 0 && s_agent_ost > 0);

    hub_agent_info_t old = s_agent (first);
    assert_true (old.revoked);
    assert_string_equal (old.network, "lemanique");
    hub_agent_info_t now = s_agent (s_agent_lemanique);
    assert_false (now.revoked);
    assert_string_equal (now.public_key, KEY_B);
    assert_int_equal (now.last_seq, 0);

    //  Session bookkeeping, as the listing shows it.
    assert_int_equal (hub_store_agent_session (s_store, s_agent_zuerich, true), 0);
    int64_t seen[] = { s_agent_zuerich, s_agent_ost };
    assert_int_equal (hub_store_agents_seen (s_store, seen, 2), 0);
    hub_agent_info_t *info = NULL;
    int count = hub_store_agent_list (s_store, &info);
    assert_int_equal (count, 4);
    int connected = 0, revoked = 0;
    for (int i = 0; i < count; i++) {
        connected += info[i].connected;
        revoked += info[i].revoked;
        if (info[i].id == s_agent_ost) {
            assert_false (info[i].connected);       //  seen, but no session
            assert_true (info[i].last_seen_ms > 0);
        }
        if (info[i].id == first)
            assert_true (info[i].revoked_at_ms >= info[i].enrolled_at_ms);
        assert_true (info[i].enrolled_at_ms > 1700000000000);
    }
    free (info);
    assert_int_equal (connected, 1);
    assert_int_equal (revoked, 1);
    //  A stale last_seen means not connected, whatever the flag says.
    free (s_query ("UPDATE agents SET last_seen = now() - interval '1 minute' WHERE connected RETURNING 1"));
    count = hub_store_agent_list (s_store, &info);
    for (int i = 0; i < count; i++)
        assert_false (info[i].connected);
    free (info);
    assert_int_equal (hub_store_agents_reset_sessions (s_store), 0);
    assert_int_equal (s_query_int ("SELECT count(*) FROM agents WHERE connected"), 0);
}

//  --------------------------------------------------------------------------------------------
//  Ingest

typedef struct {
    int rows;
    char title[256];
    char institutions[128];
    char target_groups[128];
    char national_reason[128];
    int64_t created_at_ms;
} s_signal_seen_t;

static int
s_signal_cb (const hub_signal_row_t *row, void *arg)
{
    s_signal_seen_t *seen = (s_signal_seen_t *) arg;
    if (seen->rows++ == 0) {
        snprintf (seen->title, sizeof seen->title, "%s", row->title);
        snprintf (seen->institutions, sizeof seen->institutions, "%s", row->institutions);
        snprintf (seen->target_groups, sizeof seen->target_groups, "%s", row->target_groups);
        snprintf (seen->national_reason, sizeof seen->national_reason, "%s", row->national_reason);
        seen->created_at_ms = row->created_at_ms;
    }
    return 0;
}

static void
test_ingest_batch (void **state)
{
    (void) state;
    s_msg_t msgs[5];
    hub_ingest_item_t items[5];
    const char *cantons[] = { "SG", "GR", "TG", "AI", "SH" };
    for (int i = 0; i < 5; i++) {
        char id[40];
        snprintf (id, sizeof id, "msg-%d", i);
        s_msg (&msgs[i], id, cantons[i], "Übergang Schule–Beruf für Spätankömmlinge");
        memset (&items[i], 0, sizeof items[i]);
        items[i].agent_id = s_agent_ost;
        items[i].network = "ost";
        items[i].env = &msgs[i].env;
    }
    assert_int_equal (hub_store_ingest (s_store, items, 5), 0);
    for (int i = 0; i < 5; i++) {
        assert_true (items[i].stored);
        assert_false (items[i].duplicate);
        assert_int_equal (strncmp (items[i].ref, "SIG-", 4), 0);
        assert_true (items[i].received_at_ms > 1700000000000);
        for (int j = 0; j < i; j++)
            assert_string_not_equal (items[i].ref, items[j].ref);
    }
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals"), 5);
    assert_int_equal (s_query_int ("SELECT count(*) FROM ingest_log"), 5);
    //  The log's ref is the signal's ref.
    assert_int_equal (s_query_int ("SELECT count(*) FROM ingest_log l JOIN signals s ON s.ref = l.ref "
                                   "AND s.message_id = l.message_id AND s.agent_id = l.agent_id"),
                      5);
    s_signal_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_signals (s_store, "ost", s_signal_cb, &seen), 5);
    assert_string_equal (seen.title, "Übergang Schule–Beruf für Spätankömmlinge");
    assert_string_equal (seen.institutions, "social-aid,health");
    assert_string_equal (seen.target_groups, "late-arriving-youth");
    assert_string_equal (seen.national_reason, "Gleiche Lücke in mehreren Kantonen");
    assert_int_equal (seen.created_at_ms, 1700000000123);
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_signals (s_store, "zuerich", s_signal_cb, &seen), 0);
    assert_int_equal (hub_store_signals (s_store, NULL, s_signal_cb, &seen), 5);
}

static void
test_ingest_duplicate (void **state)
{
    (void) state;
    s_msg_t first;
    s_msg (&first, "dup-1", "ZH", "Erstes Signal");
    hub_ingest_item_t item = { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &first.env };
    assert_int_equal (hub_store_ingest (s_store, &item, 1), 0);
    assert_true (item.stored);
    assert_false (item.duplicate);
    char ref[32];
    snprintf (ref, sizeof ref, "%s", item.ref);
    int64_t received = item.received_at_ms;
    usleep (20 * 1000);

    //  The same id again (even with different content): the original ref and time.
    s_msg_t again;
    s_msg (&again, "dup-1", "ZH", "Changed title");
    hub_ingest_item_t batch[3] = {
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &again.env },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &first.env },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &first.env },
    };
    assert_int_equal (hub_store_ingest (s_store, batch, 3), 0);
    for (int i = 0; i < 3; i++) {
        assert_true (batch[i].stored);
        assert_true (batch[i].duplicate);
        assert_string_equal (batch[i].ref, ref);
        assert_int_equal (batch[i].received_at_ms, received);
    }
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals WHERE message_id = 'dup-1'"), 1);
    char *title = s_query ("SELECT title FROM signals WHERE message_id = 'dup-1'");
    assert_string_equal (title, "Erstes Signal");
    free (title);

    //  A new id and its resend inside one batch: stored once, the second is a duplicate.
    s_msg_t fresh;
    s_msg (&fresh, "dup-2", "ZH", "Zweites");
    hub_ingest_item_t pair[2] = {
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &fresh.env },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &fresh.env },
    };
    assert_int_equal (hub_store_ingest (s_store, pair, 2), 0);
    assert_false (pair[0].duplicate);
    assert_true (pair[1].duplicate);
    assert_string_equal (pair[0].ref, pair[1].ref);
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals WHERE message_id = 'dup-2'"), 1);
}

static void
test_ingest_other_agent (void **state)
{
    (void) state;
    s_msg_t m;
    s_msg (&m, "dup-1", "VD", "Même identifiant, autre agent");
    hub_ingest_item_t item = { .agent_id = s_agent_lemanique, .network = "lemanique", .env = &m.env };
    assert_int_equal (hub_store_ingest (s_store, &item, 1), 0);
    assert_true (item.stored);
    assert_false (item.duplicate);
    char *zref = s_query ("SELECT ref FROM signals WHERE message_id = 'dup-1' AND network = 'zuerich'");
    assert_string_not_equal (item.ref, zref);
    free (zref);
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals WHERE message_id = 'dup-1'"), 2);
}

static void
test_ingest_rollback (void **state)
{
    (void) state;
    long long before = s_query_int ("SELECT count(*) FROM signals");
    long long log_before = s_query_int ("SELECT count(*) FROM ingest_log");
    s_msg_t good, bad, after;
    s_msg (&good, "rb-1", "ZH", "fine");
    //  The codec and the serving hub keep such input out; here it stands for any message the
    //  database refuses (a time beyond PostgreSQL's range: SQLSTATE class 22).
    s_msg (&bad, "rb-2", "ZH", "time out of range");
    bad.sig.created_at_ms = INT64_MAX;
    s_msg (&after, "rb-3", "ZH", "fine too");
    hub_ingest_item_t items[3] = {
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &good.env },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &bad.env },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &after.env },
    };
    assert_int_equal (hub_store_ingest (s_store, items, 3), -1);
    for (int i = 0; i < 3; i++)
        assert_false (items[i].stored);
    assert_memory_equal (hub_store_sqlstate (s_store), "22", 2);
    assert_false (hub_store_broken (s_store));
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals"), before);
    assert_int_equal (s_query_int ("SELECT count(*) FROM ingest_log"), log_before);

    //  The connection is usable at once; the good ones go through on their own.
    hub_ingest_item_t retry[2] = { items[0], items[2] };
    assert_int_equal (hub_store_ingest (s_store, retry, 2), 0);
    assert_true (retry[0].stored && retry[1].stored);
    assert_false (retry[0].duplicate || retry[1].duplicate);
    assert_int_equal (s_query_int ("SELECT count(*) FROM signals"), before + 2);

    //  An unknown body kind is skipped (stored = false) without failing the batch.
    Cii__Envelope ping = CII__ENVELOPE__INIT;
    Cii__Ping body = CII__PING__INIT;
    ping.message_id = (char *) "ping-1";
    ping.body_case = CII__ENVELOPE__BODY_PING;
    ping.ping = &body;
    s_msg_t more;
    s_msg (&more, "rb-4", "ZH", "after a ping");
    hub_ingest_item_t mixed[2] = {
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &ping },
        { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &more.env },
    };
    assert_int_equal (hub_store_ingest (s_store, mixed, 2), 0);
    assert_false (mixed[0].stored);
    assert_true (mixed[1].stored);
    assert_int_equal (hub_store_ingest (s_store, NULL, 0), 0);
}

//  --------------------------------------------------------------------------------------------
//  Downward

static void
test_notice_fanout (void **state)
{
    (void) state;
    int64_t lem = s_agent (s_agent_lemanique).last_seq;
    int64_t zh = s_agent (s_agent_zuerich).last_seq;
    int64_t ost = s_agent (s_agent_ost).last_seq;
    assert_int_equal (lem + zh + ost, 0);

    int64_t all = hub_store_notice (s_store, "Recommandation 2026-03", "Texte « complet » à appliquer.", NULL, 0);
    assert_true (all > 0);
    assert_int_equal (hub_store_notice_recipients (s_store, all), 3);     //  the revoked agent gets nothing
    const char *only[] = { "zuerich" };
    int64_t zh_only = hub_store_notice (s_store, "Nur Zürich", "Hinweis für Zürich", only, 1);
    assert_true (zh_only > all);
    assert_int_equal (hub_store_notice_recipients (s_store, zh_only), 1);
    const char *two[] = { "zuerich", "ticino" };        //  ticino has no agent
    int64_t pair = hub_store_notice (s_store, "Zwei", "Avviso", two, 2);
    assert_int_equal (hub_store_notice_recipients (s_store, pair), 1);

    assert_int_equal (s_agent (s_agent_lemanique).last_seq, 1);
    assert_int_equal (s_agent (s_agent_ost).last_seq, 1);
    assert_int_equal (s_agent (s_agent_zuerich).last_seq, 3);
    //  Consecutive sequences per agent, no gaps.
    assert_int_equal (s_query_int ("SELECT count(*) FROM downward d JOIN agents a ON a.id = d.agent_id "
                                   "WHERE a.network = 'zuerich' AND d.seq BETWEEN 1 AND 3"),
                      3);
    assert_int_equal (s_query_int ("SELECT count(*) FROM downward d JOIN agents a ON a.id = d.agent_id "
                                   "WHERE a.revoked_at IS NOT NULL"),
                      0);

    long long before = s_query_int ("SELECT count(*) FROM notices");
    const char *unknown[] = { "zuerich", "atlantis" };
    assert_int_equal (hub_store_notice (s_store, "x", "y", unknown, 2), -2);
    assert_non_null (strstr (hub_store_error (s_store), "atlantis"));
    assert_int_equal (s_query_int ("SELECT count(*) FROM notices"), before);
    assert_int_equal (s_agent (s_agent_zuerich).last_seq, 3);
    //  Over the protocol limit: nothing stored either.
    char big[CII_MAX_TITLE + 2];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal (hub_store_notice (s_store, big, "y", NULL, 0), -2);
    assert_int_equal (s_query_int ("SELECT count(*) FROM notices"), before);
    assert_int_equal (s_agent (s_agent_zuerich).last_seq, 3);
}

typedef struct {
    int count;
    int stop_after;
    int64_t seqs[8];
    char titles[8][64];
} s_walk_t;

static int
s_walk_cb (int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    s_walk_t *walk = (s_walk_t *) arg;
    assert_string_equal (kind, "notice");
    Cii__Notice *notice = cii__notice__unpack (NULL, size, body);
    assert_non_null (notice);
    assert_true (notice->notice_id > 0);
    assert_true (notice->issued_at_ms > 1700000000000);
    if (walk->count < 8) {
        walk->seqs[walk->count] = seq;
        snprintf (walk->titles[walk->count], sizeof walk->titles[0], "%s", notice->title);
    }
    cii__notice__free_unpacked (notice, NULL);
    walk->count++;
    return walk->stop_after && walk->count >= walk->stop_after ? -1 : 0;
}

static void
test_downward_walk (void **state)
{
    (void) state;
    s_walk_t walk;
    memset (&walk, 0, sizeof walk);
    assert_int_equal (hub_store_downward (s_store, s_agent_zuerich, 0, 100, s_walk_cb, &walk), 3);
    assert_int_equal (walk.count, 3);
    assert_int_equal (walk.seqs[0], 1);
    assert_int_equal (walk.seqs[1], 2);
    assert_int_equal (walk.seqs[2], 3);
    assert_string_equal (walk.titles[0], "Recommandation 2026-03");
    assert_string_equal (walk.titles[1], "Nur Zürich");

    memset (&walk, 0, sizeof walk);
    assert_int_equal (hub_store_downward (s_store, s_agent_zuerich, 1, 100, s_walk_cb, &walk), 2);
    assert_int_equal (walk.seqs[0], 2);
    memset (&walk, 0, sizeof walk);
    assert_int_equal (hub_store_downward (s_store, s_agent_zuerich, 0, 1, s_walk_cb, &walk), 1);
    memset (&walk, 0, sizeof walk);
    walk.stop_after = 2;
    assert_int_equal (hub_store_downward (s_store, s_agent_zuerich, 0, 100, s_walk_cb, &walk), 2);
    memset (&walk, 0, sizeof walk);
    assert_int_equal (hub_store_downward (s_store, s_agent_zuerich, 3, 100, s_walk_cb, &walk), 0);
    assert_int_equal (hub_store_downward (s_store, s_agent_ost, 0, 100, s_walk_cb, &walk), 1);
}

static void
test_acks (void **state)
{
    (void) state;
    int64_t ids[] = { s_agent_zuerich };
    int64_t seqs[] = { 1 };
    assert_int_equal (hub_store_acks (s_store, ids, seqs, 1), 0);
    assert_int_equal (s_agent (s_agent_zuerich).acked_seq, 1);
    seqs[0] = 0;                    //  backwards: ignored
    assert_int_equal (hub_store_acks (s_store, ids, seqs, 1), 0);
    assert_int_equal (s_agent (s_agent_zuerich).acked_seq, 1);
    assert_int_equal (s_query_int ("SELECT count(*) FROM downward d JOIN agents a ON a.id = d.agent_id "
                                   "WHERE a.network = 'zuerich' AND d.acked_at IS NOT NULL"),
                      1);
    //  Several agents in one call; beyond last_seq never passes last_seq.
    int64_t many_ids[] = { s_agent_zuerich, s_agent_ost, s_agent_zuerich };
    int64_t many_seqs[] = { 2, 1, 99 };
    assert_int_equal (hub_store_acks (s_store, many_ids, many_seqs, 3), 0);
    assert_int_equal (s_agent (s_agent_zuerich).acked_seq, 3);
    assert_int_equal (s_agent (s_agent_ost).acked_seq, 1);
    assert_int_equal (s_agent (s_agent_lemanique).acked_seq, 0);
    assert_int_equal (s_query_int ("SELECT count(*) FROM downward WHERE acked_at IS NULL"), 1);
    assert_int_equal (hub_store_acks (s_store, NULL, NULL, 0), 0);
}

typedef struct {
    int rows;
    int64_t recipients[8];
    int64_t acked[8];
    char networks[8][64];
} s_notices_seen_t;

static int
s_notice_cb (const hub_notice_row_t *row, void *arg)
{
    s_notices_seen_t *seen = (s_notices_seen_t *) arg;
    if (seen->rows < 8) {
        seen->recipients[seen->rows] = row->recipients;
        seen->acked[seen->rows] = row->acked;
        snprintf (seen->networks[seen->rows], sizeof seen->networks[0], "%s", row->networks);
    }
    seen->rows++;
    return 0;
}

static void
test_notice_listing (void **state)
{
    (void) state;
    s_notices_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_notices (s_store, s_notice_cb, &seen), 3);
    assert_int_equal (seen.recipients[0], 3);
    assert_int_equal (seen.acked[0], 2);        //  zuerich and ost acked, lemanique not
    assert_string_equal (seen.networks[0], "");
    assert_int_equal (seen.recipients[1], 1);
    assert_int_equal (seen.acked[1], 1);
    assert_string_equal (seen.networks[2], "zuerich,ticino");
}

//  --------------------------------------------------------------------------------------------
//  Wake-ups and connection loss

//  Waits up to 3 s for the notification bits `want` on store.
static int
s_wait_bits (hub_store_t *store, int want)
{
    int bits = 0;
    for (int i = 0; i < 300 && (bits & want) != want; i++) {
        int rc = hub_store_notifications (store);
        assert_true (rc >= 0);
        bits |= rc;
        if ((bits & want) != want)
            usleep (10 * 1000);
    }
    return bits;
}

static void
test_notifications (void **state)
{
    (void) state;
    hub_store_t *listener = hub_store_new (s_conninfo, NULL, 0);
    assert_non_null (listener);
    assert_int_equal (hub_store_listen (listener), 0);
    assert_true (hub_store_socket (listener) >= 0);
    assert_int_equal (hub_store_notifications (listener), 0);

    assert_true (hub_store_notice (s_store, "Wake up", "Réveil", NULL, 0) > 0);
    assert_int_equal (s_wait_bits (listener, 1) & 1, 1);
    assert_int_equal (hub_store_revoke (s_store, "ost"), 0);
    assert_int_equal (s_wait_bits (listener, 2) & 2, 2);
    assert_true (hub_store_enroll (s_store, "ost", "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ") > 0);
    assert_int_equal (s_wait_bits (listener, 2) & 2, 2);

    //  Nothing is sent for a rolled-back revocation.
    assert_int_equal (hub_store_begin (s_store), 0);
    assert_int_equal (hub_store_revoke (s_store, "zuerich"), 0);
    assert_int_equal (hub_store_rollback (s_store), 0);
    usleep (200 * 1000);
    assert_int_equal (hub_store_notifications (listener), 0);
    assert_false (s_agent (s_agent_zuerich).revoked);
    hub_store_destroy (&listener);
}

static void
test_reconnect (void **state)
{
    (void) state;
    hub_store_t *listener = hub_store_new (s_conninfo, NULL, 0);
    assert_non_null (listener);
    assert_int_equal (hub_store_listen (listener), 0);
    char sql[200];
    snprintf (sql, sizeof sql,
              "SELECT pg_terminate_backend (pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid ()",
              s_dbname);
    s_admin (sql);
    usleep (100 * 1000);

    assert_int_equal (hub_store_schema_version (s_store), -1);
    assert_true (hub_store_broken (s_store));
    assert_int_equal (hub_store_reconnect (s_store), 0);
    assert_false (hub_store_broken (s_store));
    assert_int_equal (hub_store_schema_version (s_store), hub_store_binary_schema_version ());
    //  The prepared ingest statement is prepared again on the new connection.
    s_msg_t m;
    s_msg (&m, "after-reconnect", "ZH", "wieder da");
    hub_ingest_item_t item = { .agent_id = s_agent_zuerich, .network = "zuerich", .env = &m.env };
    assert_int_equal (hub_store_ingest (s_store, &item, 1), 0);
    assert_true (item.stored);

    //  The listener notices the loss, reconnects and listens again.
    //  (The server's FATAL message and the end of the stream may come in separate reads.)
    int rc = 0;
    for (int i = 0; i < 100 && rc != -1; i++) {
        rc = hub_store_notifications (listener);
        if (rc != -1)
            usleep (10 * 1000);
    }
    assert_int_equal (rc, -1);
    assert_true (hub_store_broken (listener));
    assert_int_equal (hub_store_reconnect (listener), 0);
    assert_true (hub_store_notice (s_store, "Encore", "Ancora", NULL, 0) > 0);
    assert_int_equal (s_wait_bits (listener, 1) & 1, 1);
    hub_store_destroy (&listener);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_migrate_twice),
        cmocka_unit_test (test_refuse_newer),
        cmocka_unit_test (test_concurrent_migrate),
        cmocka_unit_test (test_seed),
        cmocka_unit_test (test_settings),
        cmocka_unit_test (test_enroll_revoke),
        cmocka_unit_test (test_ingest_batch),
        cmocka_unit_test (test_ingest_duplicate),
        cmocka_unit_test (test_ingest_other_agent),
        cmocka_unit_test (test_ingest_rollback),
        cmocka_unit_test (test_notice_fanout),
        cmocka_unit_test (test_downward_walk),
        cmocka_unit_test (test_acks),
        cmocka_unit_test (test_notice_listing),
        cmocka_unit_test (test_notifications),
        cmocka_unit_test (test_reconnect),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
