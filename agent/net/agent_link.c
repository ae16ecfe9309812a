/*  agent_link.c — the agent's DEALER to the hub with its endpoints and handshake monitor (see
    agent_link.h). */
#include "agent_link.h"

#include <assert.h>
#include <stdatomic.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_util.h"

#define S_MONITOR_EVENTS (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL \
                          | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
#define S_EVENT_FRAME    6        //  a monitor event frame: 16-bit event id, 32-bit value

struct _agent_link_t {
    cii_bundle_t config;
    zsock_t *dealer;
    zsock_t *monitor;
    int index;                    //  which of the configured endpoints is in use
    char endpoint [sizeof ((cii_bundle_t *) 0)->endpoint];
    int64_t since_ms;
};

//  Every monitor needs its own inproc endpoint (several daemons may run in one test process).
static atomic_int s_monitors;

agent_link_t *
agent_link_new (const cii_bundle_t *config)
{
    assert (config);
    agent_link_t *self = calloc (1, sizeof *self);
    if (self)
        self->config = *config;
    return self;
}

void
agent_link_close (agent_link_t *self)
{
    assert (self);
    if (self->monitor) {
        zmq_socket_monitor (zsock_resolve (self->dealer), NULL, 0);
        zsock_destroy (&self->monitor);
    }
    zsock_destroy (&self->dealer);
}

void
agent_link_destroy (agent_link_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_link_close (*self_p);
    memset ((*self_p)->config.agent_secret, 0, sizeof (*self_p)->config.agent_secret);
    free (*self_p);
    *self_p = NULL;
}

//  The endpoint at self->index of the bundle's comma list (the first when index is past the end,
//  and then index is reset): several stateless hubs may share one database.
static void
s_choose_endpoint (agent_link_t *self)
{
    const char *list = self->config.endpoint;
    const char *p = list;
    for (int i = 0; i < self->index && *p; i++) {
        p += strcspn (p, ",");
        if (*p == ',')
            p++;
    }
    if (!*p) {
        self->index = 0;
        p = list;
    }
    size_t len = strcspn (p, ",");
    snprintf (self->endpoint, sizeof self->endpoint, "%.*s", (int) len, p);
}

static void
s_monitor_open (agent_link_t *self)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://cii-agent-monitor-%d", atomic_fetch_add (&s_monitors, 1) + 1);
    if (zmq_socket_monitor (zsock_resolve (self->dealer), endpoint, S_MONITOR_EVENTS) != 0)
        return;
    self->monitor = zsock_new_pair (endpoint);
}

cii_rc_t
agent_link_connect (agent_link_t *self, bool next)
{
    assert (self);
    agent_link_close (self);
    if (next)
        self->index++;
    s_choose_endpoint (self);
    self->since_ms = cii_util_mono_ms ();
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer) {
        zsys_error ("agent %s: cannot create a socket", self->config.network);
        return CII_UNAVAILABLE;
    }
    zsock_set_curve_publickey (self->dealer, self->config.agent_public);
    zsock_set_curve_secretkey (self->dealer, self->config.agent_secret);
    zsock_set_curve_serverkey (self->dealer, self->config.hub_public);
    //  No ZMTP heartbeats (docs/protocol.md §2.3): the daemon's PING/PONG already notices a silent
    //  hub and makes a new connection, and at 10,000 agents the second heartbeat doubled the hub's
    //  idle CPU (21 % -> 37 % of a core, issue 10).
    zsock_set_reconnect_ivl (self->dealer, AGENT_LINK_RECONNECT_MS);
    zsock_set_reconnect_ivl_max (self->dealer, AGENT_LINK_RECONNECT_MAX_MS);
    zsock_set_maxmsgsize (self->dealer, CII_MAX_FRAME);
    zsock_set_immediate (self->dealer, 1);
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndhwm (self->dealer, AGENT_LINK_SNDHWM);
    if (zsock_connect (self->dealer, "%s", self->endpoint) != 0) {
        zsys_error ("agent %s: cannot connect to %s", self->config.network, self->endpoint);
        return CII_UNAVAILABLE;
    }
    s_monitor_open (self);
    return CII_OK;
}

zsock_t *
agent_link_dealer (agent_link_t *self)
{
    assert (self);
    return self->dealer;
}

zsock_t *
agent_link_monitor (agent_link_t *self)
{
    assert (self);
    return self->monitor;
}

const char *
agent_link_endpoint (agent_link_t *self)
{
    assert (self);
    return self->endpoint;
}

int64_t
agent_link_since (agent_link_t *self)
{
    assert (self);
    return self->since_ms;
}

cii_rc_t
agent_link_send (agent_link_t *self, const void *data, size_t size)
{
    assert (self);
    if (!self->dealer || zmq_send (zsock_resolve (self->dealer), data, size, ZMQ_DONTWAIT) < 0)
        return CII_UNAVAILABLE;
    return CII_OK;
}

cii_rc_t
agent_link_recv (agent_link_t *self, zmq_msg_t *msg)
{
    assert (self && msg);
    if (!self->dealer || zmq_msg_recv (msg, zsock_resolve (self->dealer), ZMQ_DONTWAIT) < 0)
        return CII_UNAVAILABLE;
    return CII_OK;
}

cii_rc_t
agent_link_monitor_event (agent_link_t *self, int *event_p, char *address, size_t size)
{
    assert (self && event_p && address && size > 0);
    address [0] = '\0';
    if (!self->monitor)
        return CII_UNAVAILABLE;
    zframe_t *event = zframe_recv (self->monitor);
    char *peer = event ? zstr_recv (self->monitor) : NULL;
    cii_rc_t rc = CII_UNAVAILABLE;
    if (event && zframe_size (event) >= S_EVENT_FRAME) {
        uint16_t id;
        memcpy (&id, zframe_data (event), sizeof id);
        *event_p = id;
        snprintf (address, size, "%s", peer ? peer : self->endpoint);
        rc = CII_OK;
    }
    zframe_destroy (&event);
    zstr_free (&peer);
    return rc;
}
