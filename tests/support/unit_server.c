/*  unit_server.c — the serving hub in one process for unit tests: see unit_server.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"
#include "hub_server.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "unit_pg.h"
#include "unit_server.h"

const char *unit_server_networks [3] = { "lemanique", "ticino", "zuerich" };

static void
s_quiet (void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

long
unit_server_long (unit_server_t *self, const char *sql)
{
    PGresult *res = PQexec (self->pg, sql);
    if (PQresultStatus (res) != PGRES_TUPLES_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (self->pg));
    long value = PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? strtol (PQgetvalue (res, 0, 0), NULL, 10) : -1;
    PQclear (res);
    return value;
}

void
unit_server_exec (unit_server_t *self, const char *sql)
{
    PGresult *res = PQexec (self->pg, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        fail_msg ("%s: %s", sql, PQerrorMessage (self->pg));
    PQclear (res);
}

void
unit_server_wait_long (unit_server_t *self, const char *sql, long expected)
{
    int64_t deadline = zclock_mono () + UNIT_WAIT_MS;
    while (unit_server_long (self, sql) != expected && zclock_mono () < deadline)
        zclock_sleep (20);
    long got = unit_server_long (self, sql);
    if (got != expected)
        fail_msg ("%s: %ld, expected %ld", sql, got, expected);
}

void
unit_server_start (unit_server_t *self)
{
    hub_server_config_t config = { .conninfo = self->conninfo, .certs_dir = self->dir, .bind = "tcp://127.0.0.1:*",
                                   .refusal_log_ms = 1000, .replaced_log_ms = 1000,
                                   .ping_budget = self->ping_budget };
    self->server = zactor_new (hub_server_actor, &config);
    assert_non_null (self->server);
    char *status = NULL, *endpoint = NULL, *key = NULL;
    assert_int_equal (zsock_recv (self->server, "sss", &status, &endpoint, &key), 0);
    if (!streq (status, "READY"))
        fail_msg ("server did not start: %s", endpoint ? endpoint : "?");
    snprintf (self->endpoint, sizeof self->endpoint, "%s", endpoint);
    assert_string_equal (key, self->hub_public);
    zstr_free (&status);
    zstr_free (&endpoint);
    zstr_free (&key);
}

void
unit_server_stop (unit_server_t *self)
{
    zactor_destroy (&self->server);
}

int
unit_server_setup (void **state)
{
    static int counter = 0;
    unit_server_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    snprintf (self->dbname, sizeof self->dbname, "cii_srv_%d_%d", (int) getpid (), counter++);
    snprintf (self->conninfo, sizeof self->conninfo, "dbname=%s", self->dbname);
    char sql [160];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", self->dbname);
    unit_pg_admin (sql);
    snprintf (self->dir, sizeof self->dir, "/tmp/cii-srv-XXXXXX");
    assert_non_null (mkdtemp (self->dir));

    cii_err_t err;
    hub_store_t *store = hub_store_new (self->conninfo, &err);
    assert_non_null (store);
    int version = 0;
    if (hub_store_migrate (store, &version, &err) != CII_OK)
        fail_msg ("migrate: %s", err.text);
    zcert_t *hub = zcert_new ();
    char path [256];
    snprintf (path, sizeof path, "%s/hub.cert", self->dir);
    assert_int_equal (zcert_save (hub, path), 0);
    snprintf (self->hub_public, sizeof self->hub_public, "%s", zcert_public_txt (hub));
    assert_int_equal (hub_store_setting_set (store, "hub_public_key", self->hub_public), CII_OK);
    zcert_destroy (&hub);
    for (int i = 0; i < 3; i++) {
        self->agents [i] = zcert_new ();
        int64_t id = 0;
        assert_int_equal (
            hub_store_enroll (store, unit_server_networks [i], zcert_public_txt (self->agents [i]), &id, &err), CII_OK);
    }
    hub_store_destroy (&store);
    self->pg = PQconnectdb (self->conninfo);
    assert_int_equal (PQstatus (self->pg), CONNECTION_OK);
    PQsetNoticeProcessor (self->pg, s_quiet, NULL);
    unit_server_start (self);
    *state = self;
    return 0;
}

int
unit_server_teardown (void **state)
{
    unit_server_t *self = *state;
    unit_server_stop (self);
    PQfinish (self->pg);
    for (int i = 0; i < 3; i++)
        zcert_destroy (&self->agents [i]);
    char sql [160];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", self->dbname);
    unit_pg_admin (sql);
    char command [300];
    snprintf (command, sizeof command, "rm -rf '%s'", self->dir);
    assert_int_equal (system (command), 0);
    free (self);
    return 0;
}

//  --- a test agent: a CURVE DEALER -----------------------------------------------------------

zsock_t *
unit_server_dealer (unit_server_t *self, int index)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zcert_apply (self->agents [index], dealer);
    zsock_set_curve_serverkey (dealer, self->hub_public);
    zsock_set_linger (dealer, 0);
    zsock_set_sndtimeo (dealer, UNIT_WAIT_MS);
    assert_int_equal (zsock_connect (dealer, "%s", self->endpoint), 0);
    return dealer;
}

void
unit_send (zsock_t *dealer, Cii__Envelope *env, const char *message_id)
{
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = (char *) message_id;
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_encode (env, &data, &size, NULL), CII_OK);
    assert_int_equal (zmq_send (zsock_resolve (dealer), data, size, 0), (int) size);
    free (data);
}

void
unit_send_bytes (zsock_t *dealer, const uint8_t *data, size_t size)
{
    assert_int_equal (zmq_send (zsock_resolve (dealer), data, size, 0), (int) size);
}

Cii__Envelope *
unit_recv (zsock_t *dealer, int timeout_ms, bool skip_pong)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (zclock_mono () < deadline) {
        zsock_set_rcvtimeo (dealer, (int) (deadline - zclock_mono ()) + 1);
        zframe_t *frame = zframe_recv (dealer);
        if (!frame)
            return NULL;
        Cii__Envelope *env = NULL;
        cii_rc_t rc = cii_codec_decode (zframe_data (frame), zframe_size (frame), &env, NULL);
        zframe_destroy (&frame);
        assert_int_equal (rc, CII_OK);
        if (skip_pong && env->body_case == CII__ENVELOPE__BODY_PONG) {
            cii_codec_free (&env);
            continue;
        }
        return env;
    }
    return NULL;
}

Cii__Envelope *
unit_expect (zsock_t *dealer, Cii__Envelope__BodyCase body)
{
    Cii__Envelope *env = unit_recv (dealer, UNIT_WAIT_MS, true);
    if (!env)
        fail_msg ("expected %d, got nothing", (int) body);
    if (env->body_case != body)
        fail_msg ("expected body %d, got %s%s%s", (int) body, cii_codec_body_name (env),
                  env->body_case == CII__ENVELOPE__BODY_ERROR ? ": " : "",
                  env->body_case == CII__ENVELOPE__BODY_ERROR ? env->error->text : "");
    return env;
}

void
unit_expect_error (zsock_t *dealer, Cii__ErrorCode code, const char *message_id)
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_ERROR);
    if (env->error->code != code)
        fail_msg ("expected error %s, got %s: %s", cii_codec_error_name (code), cii_codec_error_name (env->error->code),
                  env->error->text);
    if (message_id)
        assert_string_equal (env->error->message_id, message_id);
    cii_codec_free (&env);
}

void
unit_expect_deliver (zsock_t *dealer, uint64_t seq)
{
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_DELIVER);
    if (env->deliver->seq != seq)
        fail_msg ("expected DELIVER %" PRIu64 ", got %" PRIu64, seq, env->deliver->seq);
    cii_codec_free (&env);
}

void
unit_expect_nothing (zsock_t *dealer, int ms)
{
    Cii__Envelope *env = unit_recv (dealer, ms, true);
    if (env)
        fail_msg ("unexpected %s", cii_codec_body_name (env));
}

void
unit_hello (zsock_t *dealer, const char *id, uint64_t last_seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.agent_version = "test";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    unit_send (dealer, &env, id);
}

void
unit_ping (zsock_t *dealer, const char *id)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = 42;
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    unit_send (dealer, &env, id);
}

void
unit_ack (zsock_t *dealer, const char *id, uint64_t seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = seq;
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    unit_send (dealer, &env, id);
}

void
unit_signal (zsock_t *dealer, const char *id, const char *canton, const char *title)
{
    cii_signal_t signal = { .title = title, .description = "Les mesures AI ne sont pas ouvertes à l'aide sociale.",
                            .institutions = { CII_INSTITUTION_SOCIAL_AID, CII_INSTITUTION_INVALIDITY },
                            .n_institutions = 2, .language = "fr", .created_at_ms = 1764355337000 };
    snprintf (signal.canton, sizeof signal.canton, "%s", canton);
    uint8_t *data = NULL;
    size_t size = 0;
    assert_int_equal (cii_wire_signal_envelope (&signal, id, &data, &size, NULL), CII_OK);
    unit_send_bytes (dealer, data, size);
    free (data);
}

zsock_t *
unit_session (unit_server_t *self, int index, uint64_t last_seq)
{
    zsock_t *dealer = unit_server_dealer (self, index);
    unit_hello (dealer, "hello-1", last_seq);
    Cii__Envelope *env = unit_expect (dealer, CII__ENVELOPE__BODY_WELCOME);
    assert_string_equal (env->welcome->network, unit_server_networks [index]);
    cii_codec_free (&env);
    return dealer;
}
