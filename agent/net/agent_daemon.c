/*  agent_daemon.c — `cii-agent run`: one DEALER (CURVE client) to the hub, the session state
    machine (CONNECTING -> HELLO_SENT -> READY), the outbox sender with resend and backoff, and
    the downward inbox (store durably, then ACK). The SQLite store is the only state that matters:
    kill the daemon at any point and restart it, and the outbox and inbox carry on. */
#include "agent_daemon.h"
#include "agent_store.h"
#include "cii_codec.h"
#include "cii_util.h"

#include <czmq.h>
#include <string.h>

#define TICK_MS            100      //  state machine clock
#define OUTBOX_POLL_MS     250      //  new outbox entries are noticed within this
#define OUTBOX_BATCH       256      //  entries sent per poll at most
#define HELLO_TIMEOUT_MS   3000     //  no WELCOME within this: reconnect
#define SILENCE_FACTOR     3        //  READY and silent for this many heartbeats: reconnect
#define BACKOFF_MIN_MS     200
#define BACKOFF_MAX_MS     5000
#define RESEND_MIN_MS      2000     //  first resend of an unreceipted message
#define RESEND_MAX_MS      60000
#define DRAIN_MAX          256      //  messages read per wake-up before acknowledging

typedef enum {
    STATE_CONNECTING,       //  no session; HELLO goes out at next_hello_ms
    STATE_HELLO_SENT,       //  waiting for WELCOME
    STATE_READY,            //  session open: outbox flows up, items flow down
    STATE_STOPPED           //  revoked: the daemon ends
} state_t;

static const char *s_state_names[] = { "connecting", "hello-sent", "ready", "stopped" };

typedef struct {
    agent_store_t *store;
    cii_bundle_t config;
    zsock_t *dealer;
    zloop_t *loop;
    state_t state;
    int endpoint_index;         //  which of the configured endpoints we use now
    int64_t hello_ms;           //  when HELLO was sent
    int64_t next_hello_ms;      //  when to send HELLO (CONNECTING)
    int64_t heard_ms;           //  last message from the hub
    int64_t ping_ms;            //  last PING sent
    int64_t outbox_ms;          //  last outbox poll
    int64_t connecting_ms;      //  when this socket started trying to reach the hub
    zsock_t *monitor;           //  handshake events of the DEALER (key refused by the hub)
    int64_t refused_ms;         //  when a refused handshake was last logged (once a minute)
    char endpoint[256];         //  the endpoint the DEALER is connected to now
    int heartbeat_ms;
    int backoff_ms;
    uint64_t counter;           //  for our own message ids
    int exit_code;
} daemon_t;

//  --------------------------------------------------------------------------
//  Socket

static void
s_endpoint (daemon_t *self, char *out, size_t size)
{
    //  The bundle may list several hubs separated by commas; we use one at a time and move to
    //  the next one when a connection attempt fails (several stateless hubs on one database).
    char copy[sizeof self->config.endpoint];
    snprintf (copy, sizeof copy, "%s", self->config.endpoint);
    int count = 0;
    char *save = NULL, *first = NULL, *chosen = NULL;
    for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save), count++) {
        if (!first)
            first = tok;
        if (count == self->endpoint_index)
            chosen = tok;
    }
    if (!chosen) {
        self->endpoint_index = 0;
        chosen = first ? first : copy;
    }
    snprintf (out, size, "%s", chosen);
}

static int s_on_dealer (zloop_t *loop, zsock_t *reader, void *arg);
static int s_on_monitor (zloop_t *loop, zsock_t *reader, void *arg);

static void
s_socket_close (daemon_t *self)
{
    if (self->monitor) {
        zloop_reader_end (self->loop, self->monitor);
        zmq_socket_monitor (zsock_resolve (self->dealer), NULL, 0);
        zsock_destroy (&self->monitor);
    }
    if (self->dealer) {
        zloop_reader_end (self->loop, self->dealer);
        zsock_destroy (&self->dealer);
    }
}

//  Watches the DEALER's handshakes: a refused key is otherwise invisible (ZeroMQ just retries).
static void
s_monitor_open (daemon_t *self)
{
    static int counter = 0;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://cii-agent-monitor-%d", ++counter);
    if (zmq_socket_monitor (zsock_resolve (self->dealer), endpoint,
                            ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                            | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
        return;
    self->monitor = zsock_new_pair (endpoint);
    if (self->monitor)
        zloop_reader (self->loop, self->monitor, s_on_monitor, self);
}

static int
s_socket_open (daemon_t *self)
{
    s_socket_close (self);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer)
        return -1;
    zsock_set_curve_publickey (self->dealer, self->config.agent_public);
    zsock_set_curve_secretkey (self->dealer, self->config.agent_secret);
    zsock_set_curve_serverkey (self->dealer, self->config.hub_public);
    zsock_set_heartbeat_ivl (self->dealer, 1000);
    zsock_set_heartbeat_timeout (self->dealer, 5000);
    zsock_set_reconnect_ivl (self->dealer, 200);
    zsock_set_reconnect_ivl_max (self->dealer, BACKOFF_MAX_MS);
    zsock_set_immediate (self->dealer, 1);      //  never queue for a connection not yet up
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndhwm (self->dealer, 10000);
    s_endpoint (self, self->endpoint, sizeof self->endpoint);
    self->connecting_ms = cii_util_mono_ms ();
    if (zsock_connect (self->dealer, "%s", self->endpoint) != 0) {
        zsys_error ("agent %s: cannot connect to %s", self->config.network, self->endpoint);
        return -1;
    }
    zloop_reader (self->loop, self->dealer, s_on_dealer, self);
    s_monitor_open (self);
    return 0;
}

//  A fresh socket on the next endpoint of the bundle (the same one when there is only one).
static void
s_socket_reset (daemon_t *self)
{
    self->endpoint_index++;
    s_socket_open (self);
}

static int
s_on_monitor (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    daemon_t *self = arg;
    zframe_t *event = zframe_recv (reader);
    char *address = zstr_recv (reader);
    if (event && zframe_size (event) >= 6) {
        uint16_t id;
        memcpy (&id, zframe_data (event), 2);
        int64_t now = cii_util_mono_ms ();
        if (self->refused_ms && now - self->refused_ms < 60000)
            ;                   //  logged within the last minute: ZeroMQ retries quietly
        else
        if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            self->refused_ms = now;
            zsys_error ("agent %s: the hub at %s refused this agent's key (revoked, or not enrolled): "
                        "ask the bureau", self->config.network, address ? address : self->endpoint);
            agent_store_set_status (self->store, "refused", "the hub refused this agent's key");
        }
        else {
            self->refused_ms = now;
            zsys_warning ("agent %s: CURVE handshake with %s failed (wrong hub key in the bundle?)",
                          self->config.network, address ? address : self->endpoint);
        }
    }
    zframe_destroy (&event);
    zstr_free (&address);
    return 0;
}

//  Packs and sends env. 0 sent, -1 not sent (no connection yet or high-water mark).
static int
s_send (daemon_t *self, Cii__Envelope *env)
{
    char id[40];
    snprintf (id, sizeof id, "a-%" PRIx64 "-%" PRIx64, (uint64_t) getpid (), ++self->counter);
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = id;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    if (cii_codec_encode (env, &data, &size, &err) != 0) {
        zsys_error ("agent %s: cannot encode %s: %s", self->config.network, cii_codec_body_name (env), err.text);
        return -1;
    }
    int rc = zmq_send (zsock_resolve (self->dealer), data, size, ZMQ_DONTWAIT) < 0 ? -1 : 0;
    free (data);
    return rc;
}

//  --------------------------------------------------------------------------
//  State machine: one function per action

static void
s_state_set (daemon_t *self, state_t state, const char *why)
{
    if (self->state != state)
        zsys_debug ("agent %s: %s -> %s (%s)", self->config.network, s_state_names[self->state],
                    s_state_names[state], why);
    self->state = state;
}

//  Action: send HELLO with the last sequence we hold.
static void
s_send_hello (daemon_t *self)
{
    int64_t last = agent_store_last_seq (self->store);
    if (last < 0) {
        zsys_error ("agent %s: cannot read the inbox; retrying", self->config.network);
        self->next_hello_ms = cii_util_mono_ms () + BACKOFF_MAX_MS;
        return;
    }
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = (uint64_t) last;
    hello.agent_version = "cii-agent 0.1.0";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    self->hello_ms = cii_util_mono_ms ();
    if (s_send (self, &env) == 0)
        s_state_set (self, STATE_HELLO_SENT, "hello sent");
    else
        self->next_hello_ms = self->hello_ms + self->backoff_ms;   //  not connected yet
}

//  Action: the connection is not answering; start over on a fresh socket, with backoff.
static void
s_reconnect (daemon_t *self, const char *why)
{
    if (self->state == STATE_READY) {
        zsys_warning ("agent %s: lost the hub (%s); reconnecting", self->config.network, why);
        agent_store_set_status (self->store, "disconnected", why);
    }
    s_socket_reset (self);
    s_state_set (self, STATE_CONNECTING, why);
    self->next_hello_ms = cii_util_mono_ms () + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : self->backoff_ms * 2;
}

typedef struct {
    daemon_t *daemon;
    int64_t now;
    int sent;
    int64_t ids[OUTBOX_BATCH];      //  sent entries and their next attempt, recorded at once
    int64_t next[OUTBOX_BATCH];
} outbox_ctx_t;

static int
s_outbox_item (const agent_outbox_item_t *item, void *arg)
{
    outbox_ctx_t *ctx = arg;
    daemon_t *self = ctx->daemon;
    if (zmq_send (zsock_resolve (self->dealer), item->data, item->size, ZMQ_DONTWAIT) < 0)
        return -1;              //  not connected or high-water mark: try again next poll
    int64_t wait = RESEND_MIN_MS;
    for (int i = 0; i < item->attempts && wait < RESEND_MAX_MS; i++)
        wait *= 2;
    if (wait > RESEND_MAX_MS)
        wait = RESEND_MAX_MS;
    ctx->ids[ctx->sent] = item->id;
    ctx->next[ctx->sent] = ctx->now + wait;
    if (item->attempts > 0)
        zsys_info ("agent %s: resent %s (attempt %d)", self->config.network, item->message_id, item->attempts + 1);
    ctx->sent++;
    return 0;
}

//  Action: send what is due in the outbox.
static void
s_send_outbox (daemon_t *self)
{
    outbox_ctx_t ctx = { .daemon = self, .now = cii_util_now_ms () };
    agent_store_outbox_due (self->store, ctx.now, OUTBOX_BATCH, s_outbox_item, &ctx);
    //  One transaction for the whole poll. Should it fail, the entries are merely sent again.
    agent_store_outbox_sent_many (self->store, ctx.ids, ctx.next, (size_t) ctx.sent);
    self->outbox_ms = cii_util_mono_ms ();
}

static void
s_send_ping (daemon_t *self)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = cii_util_now_ms ();
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    s_send (self, &env);
    self->ping_ms = cii_util_mono_ms ();
}

static void
s_send_ack (daemon_t *self, int64_t seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = (uint64_t) seq;
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    s_send (self, &env);
}

//  --------------------------------------------------------------------------
//  Events from the hub

static void
s_on_welcome (daemon_t *self, const Cii__Welcome *welcome)
{
    if (self->state != STATE_HELLO_SENT)
        return;
    if (strcmp (welcome->network, self->config.network) != 0)
        zsys_warning ("agent %s: hub says this key is for network %s", self->config.network, welcome->network);
    agent_store_set_cantons (self->store, (const char *const *) welcome->cantons, welcome->n_cantons);
    self->heartbeat_ms = (int) welcome->heartbeat_ms;
    self->backoff_ms = BACKOFF_MIN_MS;
    s_state_set (self, STATE_READY, "welcome");
    int waiting = agent_store_outbox_count (self->store);
    zsys_info ("agent %s: session open (%d waiting in the outbox, hub has %" PRIu64 " items for us)",
               self->config.network, waiting, welcome->last_seq);
    agent_store_set_status (self->store, "connected", "session open");
    agent_store_outbox_reset (self->store);     //  everything unreceipted goes again, now
    s_send_outbox (self);
}

//  Returns the sequence to acknowledge after this item (0: none).
static int64_t
s_on_deliver (daemon_t *self, const Cii__Deliver *deliver)
{
    int rc = agent_store_deliver (self->store, deliver);
    if (rc == 0) {
        if (deliver->item_case == CII__DELIVER__ITEM_NOTICE)
            zsys_info ("agent %s: notice %" PRId64 " received (seq %" PRIu64 "): %s", self->config.network,
                       deliver->notice->notice_id, deliver->seq, deliver->notice->title);
        return (int64_t) deliver->seq;
    }
    if (rc == 1)
        return agent_store_last_seq (self->store);   //  a resend: acknowledge what we hold
    if (rc == 2) {
        zsys_warning ("agent %s: downward gap (got seq %" PRIu64 "); resynchronising", self->config.network,
                      deliver->seq);
        s_send_hello (self);
        return 0;
    }
    zsys_error ("agent %s: could not store item seq %" PRIu64 " (%s); the hub will resend it",
                self->config.network, deliver->seq, rc == -2 ? "unknown kind" : "storage error");
    return 0;
}

//  Returns -1 to stop the daemon.
static int
s_on_error (daemon_t *self, const Cii__Error *error)
{
    const char *name = cii_codec_error_name (error->code);
    switch (error->code) {
        case CII__ERROR_CODE__ERROR_REVOKED:
            zsys_error ("agent %s: the bureau revoked this agent's key; stopping. Ask the bureau for a new "
                        "enrollment bundle.", self->config.network);
            agent_store_set_status (self->store, "revoked", error->text);
            s_state_set (self, STATE_STOPPED, "revoked");
            self->exit_code = 1;
            return -1;
        case CII__ERROR_CODE__ERROR_NO_SESSION:
            //  Only a hub that lost our session (it restarted) matters. While a HELLO is on its way,
            //  the NO_SESSIONs for messages queued before it are expected: answering each with
            //  another HELLO would reopen the session (and resend the outbox) again and again.
            if (self->state == STATE_READY) {
                zsys_info ("agent %s: hub says %s; opening a new session", self->config.network, name);
                s_state_set (self, STATE_CONNECTING, name);
                s_send_hello (self);
            }
            return 0;
        case CII__ERROR_CODE__ERROR_SESSION_REPLACED:
            //  Another process with our key opened a session: back off instead of fighting over it.
            zsys_error ("agent %s: another process with this agent's key took over the session; "
                        "retrying in %d ms", self->config.network, BACKOFF_MAX_MS);
            agent_store_set_status (self->store, "disconnected", "session taken over by another process");
            s_state_set (self, STATE_CONNECTING, name);
            self->next_hello_ms = cii_util_mono_ms () + BACKOFF_MAX_MS;
            return 0;
        case CII__ERROR_CODE__ERROR_UNAVAILABLE:
        case CII__ERROR_CODE__ERROR_BAD_ACK:
            zsys_warning ("agent %s: hub: %s: %s", self->config.network, name, error->text);
            return 0;           //  the outbox entry stays and is resent later
        default:
            if (*error->message_id && agent_store_refused (self->store, error->message_id, error->code,
                                                            error->text) == 0) {
                zsys_error ("agent %s: hub refused %s: %s: %s", self->config.network, error->message_id,
                            name, error->text);
                return 0;
            }
            zsys_warning ("agent %s: hub error %s: %s", self->config.network, name, error->text);
            return 0;
    }
}

static int
s_on_dealer (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    daemon_t *self = arg;
    int64_t ack = 0;
    int rc = 0;
    for (int count = 0; count < DRAIN_MAX && rc == 0; count++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, zsock_resolve (reader), ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&msg);
            break;
        }
        self->heard_ms = cii_util_mono_ms ();
        Cii__Envelope *env = NULL;
        cii_codec_error_t err;
        if (cii_codec_decode (zmq_msg_data (&msg), zmq_msg_size (&msg), &env, &err) != 0) {
            zsys_error ("agent %s: refused a frame from the hub: %s", self->config.network, err.text);
            zmq_msg_close (&msg);
            continue;
        }
        zmq_msg_close (&msg);
        switch (env->body_case) {
            case CII__ENVELOPE__BODY_WELCOME:
                s_on_welcome (self, env->welcome);
                break;
            case CII__ENVELOPE__BODY_RECEIPT:
                agent_store_receipt (self->store, env->receipt);   //  logs the delivery
                break;
            case CII__ENVELOPE__BODY_DELIVER:
                if (self->state == STATE_READY) {
                    int64_t seq = s_on_deliver (self, env->deliver);
                    if (seq > ack)
                        ack = seq;
                }
                break;
            case CII__ENVELOPE__BODY_ERROR:
                rc = s_on_error (self, env->error);
                break;
            case CII__ENVELOPE__BODY_PONG:
                break;
            default:
                zsys_warning ("agent %s: unexpected %s from the hub", self->config.network,
                              cii_codec_body_name (env));
                break;
        }
        cii_codec_free (&env);
    }
    if (ack > 0 && rc == 0)
        s_send_ack (self, ack);     //  cumulative: everything up to ack is stored
    return rc;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    daemon_t *self = arg;
    int64_t now = cii_util_mono_ms ();
    switch (self->state) {
        case STATE_CONNECTING:
            if (now - self->connecting_ms > HELLO_TIMEOUT_MS && now >= self->next_hello_ms) {
                //  No connection at all (ZMQ_IMMEDIATE refuses the HELLO): try the next endpoint.
                char why[300];
                snprintf (why, sizeof why, "cannot reach the hub at %s", self->endpoint);
                s_reconnect (self, why);
            }
            else
            if (now >= self->next_hello_ms)
                s_send_hello (self);
            break;
        case STATE_HELLO_SENT:
            if (now - self->hello_ms > HELLO_TIMEOUT_MS)
                s_reconnect (self, "no answer to HELLO: is the hub up, and our key still enrolled?");
            break;
        case STATE_READY:
            if (now - self->heard_ms > (int64_t) SILENCE_FACTOR * self->heartbeat_ms)
                s_reconnect (self, "hub silent");
            else {
                if (now - self->ping_ms >= self->heartbeat_ms)
                    s_send_ping (self);
                if (now - self->outbox_ms >= OUTBOX_POLL_MS)
                    s_send_outbox (self);
            }
            break;
        case STATE_STOPPED:
            return -1;
    }
    return 0;
}

int
agent_daemon_run (const char *state_dir)
{
    char reason[256] = "";
    zsys_set_logident ("cii-agent");
    zsys_set_logstream (stderr);      //  the service log: stderr (journald under systemd)
    daemon_t *self = calloc (1, sizeof *self);
    if (!self)
        return 1;
    self->store = agent_store_open (state_dir, reason, sizeof reason);
    if (!self->store || agent_store_config (self->store, &self->config) != 0) {
        zsys_error ("agent: cannot open state %s: %s", state_dir, *reason ? reason : "no configuration");
        fprintf (stderr, "cii-agent: cannot open state %s: %s\n", state_dir, *reason ? reason : "no configuration");
        agent_store_destroy (&self->store);
        free (self);
        return 1;
    }
    self->heartbeat_ms = 1000;
    self->backoff_ms = BACKOFF_MIN_MS;
    self->endpoint_index = 0;
    self->loop = zloop_new ();
    s_socket_open (self);
    zloop_timer (self->loop, TICK_MS, 0, s_on_tick, self);
    s_state_set (self, STATE_CONNECTING, "start");
    self->next_hello_ms = cii_util_mono_ms ();
    zsys_info ("agent %s: running (state %s, hub %s, %d waiting in the outbox)", self->config.network,
               state_dir, self->config.endpoint, agent_store_outbox_count (self->store));
    agent_store_set_status (self->store, "connecting", self->config.endpoint);
    zloop_start (self->loop);

    int rc = self->exit_code;
    if (self->state != STATE_STOPPED)
        agent_store_set_status (self->store, "stopped", "daemon stopped");
    zsys_info ("agent %s: stopped", self->config.network);
    s_socket_close (self);
    zloop_destroy (&self->loop);
    agent_store_destroy (&self->store);
    free (self);
    return rc;
}
