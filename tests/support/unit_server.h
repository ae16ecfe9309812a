/*  unit_server.h — the serving hub in one process for unit tests (as Malamute's mlm_server_test):
    a fresh database migrated by the hub's own migrations, a hub certificate, three enrolled
    networks (lemanique, ticino, zuerich) each with its own CURVE key pair, and hub_server_actor
    running on them; the test plays the agents with raw CURVE DEALER sockets and checks every
    answer. A failure here fails the running cmocka test. Links the hub library (cii_unit_hub). */
#ifndef UNIT_SERVER_H_INCLUDED
#define UNIT_SERVER_H_INCLUDED

#include <czmq.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "cii.pb-c.h"

/*  How long an expected answer may take, in milliseconds. */
#define UNIT_WAIT_MS 5000

typedef struct {
    char dbname [64];
    char conninfo [128];
    char dir [128];             /* the hub's certificate directory (hub.cert), removed at the end */
    zactor_t *server;           /* NULL while stopped */
    char endpoint [256];        /* where the server listens (tcp://127.0.0.1:PORT) */
    char hub_public [41];
    zcert_t *agents [3];        /* lemanique, ticino, zuerich (unit_server_networks) */
    PGconn *pg;                 /* a connection of the test's own to the database */
    int ping_budget;            /* hub_server_config_t.ping_budget at the next start (0: default) */
} unit_server_t;

extern const char *unit_server_networks [3];

/*  cmocka fixtures: *state becomes a unit_server_t with its server running (one database per test
    case); unit_server_teardown stops it, drops the database and frees. */
int unit_server_setup (void **state);
int unit_server_teardown (void **state);

/*  Starts the server (again) on the fixture's database and checks it announced the hub's key. */
void unit_server_start (unit_server_t *self);

/*  Stops the server (the database and enrolments stay). */
void unit_server_stop (unit_server_t *self);

/*  The first column of the first row of sql as a number (-1 when no row or NULL); runs sql (no
    result expected); polls sql until it returns expected (a worker writes soon, not at once) and
    fails after UNIT_WAIT_MS. */
long unit_server_long (unit_server_t *self, const char *sql);
void unit_server_exec (unit_server_t *self, const char *sql);
void unit_server_wait_long (unit_server_t *self, const char *sql, long expected);

/*  A new CURVE DEALER connected as network index (0..2), nothing sent yet. */
zsock_t *unit_server_dealer (unit_server_t *self, int index);

/*  A new connection of network index that said HELLO (last_seq) and got its WELCOME. */
zsock_t *unit_session (unit_server_t *self, int index, uint64_t last_seq);

/*  Sends env (version and message_id filled in) or raw bytes as one frame. */
void unit_send (zsock_t *dealer, Cii__Envelope *env, const char *message_id);
void unit_send_bytes (zsock_t *dealer, const uint8_t *data, size_t size);

/*  HELLO without an epoch, PING, ACK seq, a valid SIGNAL (French, two institutions) of canton. */
void unit_hello (zsock_t *dealer, const char *id, uint64_t last_seq);
void unit_ping (zsock_t *dealer, const char *id);
void unit_ack (zsock_t *dealer, const char *id, uint64_t seq);
void unit_signal (zsock_t *dealer, const char *id, const char *canton, const char *title);

/*  The next frame decoded (skipping PONGs when skip_pong); NULL after timeout_ms. Free with
    cii_codec_free. */
Cii__Envelope *unit_recv (zsock_t *dealer, int timeout_ms, bool skip_pong);

/*  The next non-PONG envelope, which must have body (else the test fails naming what came). */
Cii__Envelope *unit_expect (zsock_t *dealer, Cii__Envelope__BodyCase body);

/*  The next envelope must be an ERROR with code (for message_id, when given). */
void unit_expect_error (zsock_t *dealer, Cii__ErrorCode code, const char *message_id);

/*  The next envelope must be DELIVER seq (not acknowledged). */
void unit_expect_deliver (zsock_t *dealer, uint64_t seq);

/*  Nothing but PONGs for ms. */
void unit_expect_nothing (zsock_t *dealer, int ms);

#endif
