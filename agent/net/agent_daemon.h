/*  agent_daemon.h — the agent daemon (`cii-agent run`) as an object: one link to the hub
    (agent_link), the session as an explicit state table (CONNECTING, HELLO_SENT, READY, STOPPED ×
    events, one action per transition), the outbox sender with resend and backoff, and the inbox
    (store, then cumulative ACK). The SQLite state is the only state that matters: kill the daemon
    at any point and restart it, and the outbox and inbox carry on.

    A test drives it in one process as a czmq actor (as Malamute's mlm_server):

        zactor_t *daemon = zactor_new (agent_daemon_actor, (void *) state_dir);
        ...                                  //  the test plays the hub on a ROUTER
        zactor_destroy (&daemon);            //  sends "$TERM" and waits */
#ifndef AGENT_DAEMON_H_INCLUDED
#define AGENT_DAEMON_H_INCLUDED

#include <czmq.h>

#include "cii_rc.h"

#define AGENT_DAEMON_VERSION  "cii-agent " CII_VERSION     /* HELLO.agent_version */

typedef struct _agent_daemon_t agent_daemon_t;

/*  A daemon for the initialised state in state_dir (store and configuration opened; nothing
    connects yet). NULL with err when the state cannot be opened. */
agent_daemon_t *agent_daemon_new (const char *state_dir, cii_err_t *err);

/*  Frees the daemon (its socket and store); sets *self_p to NULL; safe on NULL. */
void agent_daemon_destroy (agent_daemon_t **self_p);

/*  Runs the daemon once: connects and works until "$TERM" arrives on pipe (when not NULL), the
    process is interrupted (SIGINT, SIGTERM), or the hub says the key is revoked. Records its
    status in the state as it goes ("connecting", "connected", ..., "stopped" or "revoked").
    CII_OK after a stop that was asked for; CII_REFUSED when revoked. */
cii_rc_t agent_daemon_loop (agent_daemon_t *self, zsock_t *pipe);

/*  The daemon as a czmq actor; args is the state directory (const char *, borrowed until
    zactor_new returns). Commands on the pipe: "$TERM" ends it; "STATE" is answered with the
    session state's name ("connecting", "hello-sent", "ready", "stopped"). When the daemon ends on
    its own (revoked, or its state could not be opened), the actor sends "STOPPED" and waits for
    "$TERM". */
void agent_daemon_actor (zsock_t *pipe, void *args);

/*  `cii-agent run`: logs on stderr, runs the daemon for state_dir until SIGINT/SIGTERM or
    revocation. Returns the exit code: 0 after a clean stop, 1 when revoked or the state cannot
    be opened (reason logged and written to stderr). */
int agent_daemon_run (const char *state_dir);

#endif
