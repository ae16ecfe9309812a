/*  hub_server.h — the serving hub as an object: one ROUTER socket (CURVE server,
    ROUTER_MANDATORY, bounded frames), its own ZAP handler admitting only enrolled, non-revoked
    keys, agent sessions as an explicit state table, batched idempotent ingest of any upward kind
    (commit, then receipts) and the per-agent downward queue of any kind — one zloop that never
    waits on PostgreSQL: all database work runs in two worker threads (hub_worker), one for ingest
    and one for everything else, so the loop keeps answering PING, HELLO and ERRORs within
    milliseconds while a statement is blocked. Everything that must survive a crash is in
    PostgreSQL; what the server holds is a cache of it.

    A test drives a server in one process (Malamute's mlm_server_test style): start it as an actor
    with zactor_new (hub_server_actor, &config), read its endpoint from the READY reply, connect
    DEALER sockets, and zactor_destroy to stop it. One server per process at a time (the ZAP
    endpoint inproc://zeromq.zap.01 is per ZeroMQ context). */
#ifndef HUB_SERVER_H_INCLUDED
#define HUB_SERVER_H_INCLUDED

#include <czmq.h>

#include "cii_rc.h"

typedef struct {
    const char *conninfo;            /* libpq conninfo; NULL or "" = PG* environment */
    const char *certs_dir;           /* holds hub.cert and hub.cert_secret (cii-hub init) */
    const char *bind;                /* e.g. "tcp://0.0.0.0:7300"; port "*" takes a free one */
    int heartbeat_ms;                /* WELCOME.heartbeat_ms; 0 = 1000; lengthened beyond 2,000
                                        enrolled agents (at most 2,000 PINGs a second in all) */
    int session_timeout_ms;          /* a silent session is closed after this; 0 = 5000 (scaled
                                        with a lengthened heartbeat) */
    int resend_ms;                   /* unacknowledged items are resent after this; 0 = 10000 */
    int refusal_log_ms;              /* refused handshakes are logged as one line per this; 0 = 10000 */
    int replaced_log_ms;             /* an agent's session replacements: one line per this; 0 = 60000 */
    int ping_budget;                 /* PINGs a second all agents together may send; 0 = 2000 */
} hub_server_config_t;

typedef struct _hub_server_t hub_server_t;

/*  Checks the database schema and the key pair, starts the database workers, binds. NULL when it
    cannot start, with err saying why in one line. */
hub_server_t *hub_server_new (const hub_server_config_t *config, cii_err_t *err);

/*  Stops the workers, closes sessions (recorded as disconnected), frees; sets *self_p to NULL;
    safe on NULL. */
void hub_server_destroy (hub_server_t **self_p);

/*  The endpoint actually bound (the port resolved), and the hub's public key (Z85). Borrowed. */
const char *hub_server_endpoint (hub_server_t *self);
const char *hub_server_public_key (hub_server_t *self);

/*  Runs the event loop until SIGINT/SIGTERM (or, with a pipe, until "$TERM" arrives on it). */
void hub_server_run (hub_server_t *self, zsock_t *pipe);

/*  The server as a czmq actor (args: a hub_server_config_t *, read before the actor signals).
    Replies on the pipe "READY" ENDPOINT PUBLIC-KEY or "FAILED" REASON, then serves until
    "$TERM". */
void hub_server_actor (zsock_t *pipe, void *args);

/*  `cii-hub serve`: runs a server until SIGINT/SIGTERM. 0 on a clean stop, 1 when it cannot start
    (reason logged and printed on stderr as "cii-hub serve: REASON"). */
int hub_server_main (const char *conninfo, const char *certs_dir, const char *bind);

#endif
