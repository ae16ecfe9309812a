/*  agent_link.h — the agent's one connection to the hub: a DEALER socket (CURVE client with the
    agent's key pair and the hub's public key from the enrollment bundle, ZMTP heartbeats,
    ZMQ_MAXMSGSIZE at the protocol's frame limit, ZMQ_IMMEDIATE so nothing queues for a connection
    that is not up), connected to one of the bundle's endpoints at a time and moved to the next
    one on each reconnect, with a socket monitor that reports refused handshakes (a key the hub
    does not admit is otherwise invisible: ZeroMQ just retries). Sends never block. */
#ifndef AGENT_LINK_H_INCLUDED
#define AGENT_LINK_H_INCLUDED

#include <czmq.h>

#include "cii_bundle.h"
#include "cii_rc.h"

#define AGENT_LINK_RECONNECT_MS          200    /* libzmq's own reconnect, first and ... */
#define AGENT_LINK_RECONNECT_MAX_MS      5000   /* ... longest interval */
#define AGENT_LINK_SNDHWM                10000  /* frames queued for a live connection */

typedef struct _agent_link_t agent_link_t;

/*  A link for the keys and endpoints of config (copied); not connected yet. NULL if out of
    memory. */
agent_link_t *agent_link_new (const cii_bundle_t *config);

/*  Closes the socket and frees; sets *self_p to NULL; safe on NULL. */
void agent_link_destroy (agent_link_t **self_p);

/*  Closes the current socket (if any) and connects a new one to the current endpoint, or to the
    next one of the bundle's list when next is true (back to the first after the last).
    CII_UNAVAILABLE when the socket could not be made or connected (logged). */
cii_rc_t agent_link_connect (agent_link_t *self, bool next);

/*  Closes the socket and its monitor. */
void agent_link_close (agent_link_t *self);

/*  The DEALER and the monitor socket (NULL when closed), for a zloop reader; they change with
    every agent_link_connect. */
zsock_t *agent_link_dealer (agent_link_t *self);
zsock_t *agent_link_monitor (agent_link_t *self);

/*  The endpoint in use ("tcp://host:port"). */
const char *agent_link_endpoint (agent_link_t *self);

/*  Monotonic time (cii_util_mono_ms) of the last agent_link_connect. */
int64_t agent_link_since (agent_link_t *self);

/*  Sends one frame without blocking. CII_OK, or CII_UNAVAILABLE when there is no connection yet
    or its queue is full (try again later). */
cii_rc_t agent_link_send (agent_link_t *self, const void *data, size_t size);

/*  Receives one frame without blocking into msg (initialised by the caller). CII_OK, or
    CII_UNAVAILABLE when none is waiting. */
cii_rc_t agent_link_recv (agent_link_t *self, zmq_msg_t *msg);

/*  Reads one monitor event: *event_p a ZMQ_EVENT_* value, address (size bytes) the peer's
    endpoint. CII_UNAVAILABLE when none could be read. */
cii_rc_t agent_link_monitor_event (agent_link_t *self, int *event_p, char *address, size_t size);

#endif
