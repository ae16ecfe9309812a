/*  agent_daemon.c — the agent daemon (see agent_daemon.h): one zloop over the link to the hub,
    a tick timer and (as an actor) the command pipe. The session is a state table in the manner
    of Malamute's mlm_server: each (state, event) names one action and the next state; an action
    may raise an exception event instead, which is then handled in the same state. s_execute is
    the only code that assigns the state. */
#include "agent_daemon.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "agent_kinds.h"
#include "agent_link.h"
#include "agent_push.h"
#include "agent_reports.h"
#include "agent_setup.h"
#include "agent_store_config.h"
#include "agent_store_inbox.h"
#include "agent_store_outbox.h"
#include "agent_store_status.h"
#include "cii_codec.h"
#include "cii_util.h"

#define TICK_MS              100      //  the state table's clock
#define OUTBOX_POLL_MS       250      //  new outbox entries are noticed within this
#define OUTBOX_BATCH         256      //  entries sent per poll at most
#define HELLO_TIMEOUT_MS     3000     //  no connection, or no WELCOME, within this: reconnect
#define SILENCE_FACTOR       3        //  READY and silent for this many heartbeats: reconnect
#define HEARTBEAT_MS         1000     //  until a WELCOME says otherwise
#define BACKOFF_MIN_MS       200      //  between reconnects: doubling from ...
#define BACKOFF_MAX_MS       5000     //  ... to this; also the pause after SESSION_REPLACED
#define RESEND_MIN_MS        2000     //  first resend of an unreceipted message, doubling to ...
#define RESEND_MAX_MS        60000
#define DRAIN_MAX            256      //  frames read per wake-up before acknowledging
#define REFUSED_LOG_MS       60000    //  a refused handshake is logged once per this
#define ID_SIZE              40       //  our own message ids: "a-PID-COUNTER"

//  --------------------------------------------------------------------------------------------
//  States and events

typedef enum {
    CONNECTING,         //  no session; HELLO goes out at next_hello_ms
    HELLO_SENT,         //  waiting for WELCOME
    READY,              //  session open: the outbox flows up, items flow down
    STOPPED,            //  revoked or asked to stop: the loop ends
    SAME                //  in the table: the state does not change
} state_t;

static const char *s_state_names [] = { "connecting", "hello-sent", "ready", "stopped" };

typedef enum {
    NO_EVENT,
    //  from the clock
    HELLO_DUE,          //  CONNECTING: time to send HELLO
    UNREACHABLE,        //  CONNECTING: no connection for HELLO_TIMEOUT_MS
    HELLO_TIMEOUT,      //  HELLO_SENT: no WELCOME for HELLO_TIMEOUT_MS
    SILENCE,            //  READY: the hub has been silent for SILENCE_FACTOR heartbeats
    PING_DUE,           //  READY: a heartbeat is due
    OUTBOX_DUE,         //  READY: time to poll the outbox
    //  from the hub
    WELCOME,
    RECEIPT,
    DELIVER,
    DRAINED,            //  the frames of one wake-up are read: acknowledge what was stored
    ERROR_REFUSAL,      //  ERROR with any other code: a final refusal of an outbox message, or logged
    ERROR_TRANSIENT,    //  ERROR UNAVAILABLE, BAD_ACK: logged, the outbox entry stays
    ERROR_NO_SESSION,
    ERROR_REPLACED,     //  ERROR SESSION_REPLACED
    ERROR_REVOKED,
    UNEXPECTED,         //  a message the hub never sends
    //  from the link's monitor
    KEY_REFUSED,        //  the hub's ZAP handler refused our key
    HANDSHAKE_FAILED,   //  another handshake failure (wrong hub key?)
    //  from the owner
    TERM,               //  $TERM, SIGINT, SIGTERM
    //  raised by actions
    NOT_SENT,           //  HELLO could not go out (no connection yet)
    NOT_OPENED,         //  a WELCOME could not be applied (the new stream epoch not recorded)
    GAP                 //  a DELIVER left a gap: resynchronise with HELLO
} event_t;

struct _agent_daemon_t {
    agent_store_t *store;
    char *state_dir;            //  for the workers (report import), which open their own store
    cii_bundle_t config;
    agent_link_t *link;
    zloop_t *loop;
    state_t state;
    const Cii__Envelope *env;   //  the message being handled (borrowed during s_execute)
    int64_t hello_ms;           //  when HELLO was sent (monotonic)
    int64_t next_hello_ms;      //  when to send HELLO (CONNECTING)
    int64_t heard_ms;           //  last frame from the hub
    int64_t ping_ms;            //  last PING sent
    int64_t outbox_ms;          //  last outbox poll
    int64_t refused_ms;         //  when a refused handshake was last logged
    int64_t ack_seq;            //  highest seq to acknowledge after this wake-up (0: none)
    int heartbeat_ms;
    int backoff_ms;
    uint64_t counter;           //  for our own message ids
    bool revoked;               //  the hub revoked our key
    bool terminated;            //  $TERM came on the pipe
};

typedef event_t (action_fn) (agent_daemon_t *self);

typedef struct {
    state_t state;
    event_t event;
    action_fn *action;          //  NULL: nothing to do
    state_t next;
} transition_t;

//  --------------------------------------------------------------------------------------------
//  Helpers for the actions

static const char *
s_net (agent_daemon_t *self)
{
    return self->config.network;
}

static void
s_status (agent_daemon_t *self, const char *status, const char *detail)
{
    cii_err_t err;
    if (agent_store_status_set (self->store, status, detail, &err) != CII_OK)
        zsys_warning ("agent %s: cannot record status %s: %s", s_net (self), status, err.text);
}

//  Packs env (a control message) with our own message id and sends it. CII_UNAVAILABLE when no
//  connection is up yet or its queue is full.
static cii_rc_t
s_send (agent_daemon_t *self, Cii__Envelope *env)
{
    char id [ID_SIZE];
    snprintf (id, sizeof id, "a-%" PRIx64 "-%" PRIx64, (uint64_t) getpid (), ++self->counter);
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = id;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    if (cii_codec_encode (env, &data, &size, &err) != CII_OK) {
        zsys_error ("agent %s: cannot encode %s: %s", s_net (self), cii_codec_body_name (env), err.text);
        return CII_BAD_INPUT;
    }
    cii_rc_t rc = agent_link_send (self->link, data, size);
    free (data);
    return rc;
}

static int s_on_dealer (zloop_t *loop, zsock_t *reader, void *arg);
static int s_on_monitor (zloop_t *loop, zsock_t *reader, void *arg);

//  A new socket (on the next endpoint when next), its readers in the loop.
static void
s_link_open (agent_daemon_t *self, bool next)
{
    if (agent_link_dealer (self->link))
        zloop_reader_end (self->loop, agent_link_dealer (self->link));
    if (agent_link_monitor (self->link))
        zloop_reader_end (self->loop, agent_link_monitor (self->link));
    if (agent_link_connect (self->link, next) != CII_OK)
        return;                 //  logged; the clock tries again
    zloop_reader (self->loop, agent_link_dealer (self->link), s_on_dealer, self);
    if (agent_link_monitor (self->link))
        zloop_reader (self->loop, agent_link_monitor (self->link), s_on_monitor, self);
}

//  --------------------------------------------------------------------------------------------
//  Actions: one per transition; an action returns NO_EVENT, or an exception event

//  Sends HELLO with the position held: the stream epoch and the last sequence in it (D6).
//  NOT_SENT when no connection is up yet.
static event_t
s_send_hello (agent_daemon_t *self)
{
    int64_t last = 0;
    uint64_t epoch = 0;
    cii_err_t err;
    if (agent_store_inbox_position (self->store, &epoch, &last, &err) != CII_OK) {
        zsys_error ("agent %s: cannot read the inbox (%s); retrying", s_net (self), err.text);
        return NOT_SENT;
    }
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = (uint64_t) last;
    hello.stream_case = CII__HELLO__STREAM_EPOCH;
    hello.epoch = epoch;
    hello.agent_version = (char *) AGENT_DAEMON_VERSION;
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    self->hello_ms = cii_util_mono_ms ();
    return s_send (self, &env) == CII_OK ? NO_EVENT : NOT_SENT;
}

//  HELLO could not go out: try again after the backoff.
static event_t
s_retry_hello_later (agent_daemon_t *self)
{
    self->next_hello_ms = cii_util_mono_ms () + self->backoff_ms;
    return NO_EVENT;
}

//  The hub lost our session (it restarted): open a new one at once.
static event_t
s_reopen_session (agent_daemon_t *self)
{
    zsys_info ("agent %s: hub says NO_SESSION; opening a new session", s_net (self));
    return s_send_hello (self);
}

//  The downward sequence has a gap (D5): have the hub replay everything after what we hold.
static event_t
s_resynchronise (agent_daemon_t *self)
{
    zsys_warning ("agent %s: downward gap (got seq %" PRIu64 "); resynchronising", s_net (self),
                  self->env ? self->env->deliver->seq : 0);
    return s_send_hello (self);
}

//  The connection does not answer: a fresh socket on the next endpoint, after a growing backoff.
static event_t
s_reconnect (agent_daemon_t *self)
{
    const char *why = self->state == READY ? "hub silent"
                    : self->state == HELLO_SENT ? "no answer to HELLO: is the hub up, and our key still enrolled?"
                    : "cannot reach the hub";
    if (self->state == READY) {
        zsys_warning ("agent %s: lost the hub (%s); reconnecting", s_net (self), why);
        s_status (self, "disconnected", why);
    }
    else
        zsys_debug ("agent %s: %s at %s; reconnecting", s_net (self), why, agent_link_endpoint (self->link));
    s_link_open (self, true);
    self->next_hello_ms = cii_util_mono_ms () + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : self->backoff_ms * 2;
    return NO_EVENT;
}

typedef struct {
    agent_daemon_t *daemon;
    int64_t now;
    size_t sent;
    int64_t ids [OUTBOX_BATCH];       //  sent entries and their next attempt, recorded at once
    int64_t next [OUTBOX_BATCH];
} s_poll_t;

//  agent_outbox_fn: sends one due entry (U6: resent with exponential backoff).
static bool
s_send_entry (const agent_outbox_item_t *item, void *arg)
{
    s_poll_t *poll = arg;
    agent_daemon_t *self = poll->daemon;
    if (agent_link_send (self->link, item->data, item->size) != CII_OK)
        return false;           //  not connected or queue full: the next poll tries again
    int64_t wait = RESEND_MIN_MS;
    for (int i = 0; i < item->attempts && wait < RESEND_MAX_MS; i++)
        wait *= 2;
    poll->ids [poll->sent] = item->id;
    poll->next [poll->sent] = poll->now + (wait > RESEND_MAX_MS ? RESEND_MAX_MS : wait);
    poll->sent++;
    if (item->attempts > 0)
        zsys_info ("agent %s: resent %s %s (attempt %d)", s_net (self), item->kind, item->message_id,
                   item->attempts + 1);
    return true;
}

//  Sends what is due in the outbox, and records the sends in one transaction (should that
//  fail, the entries are merely sent again).
static event_t
s_send_outbox (agent_daemon_t *self)
{
    s_poll_t poll = { .daemon = self, .now = cii_util_now_ms () };
    cii_err_t err;
    if (agent_store_outbox_due (self->store, poll.now, OUTBOX_BATCH, s_send_entry, &poll, NULL, &err) != CII_OK)
        zsys_warning ("agent %s: cannot read the outbox: %s", s_net (self), err.text);
    if (agent_store_outbox_sent (self->store, poll.ids, poll.next, poll.sent, &err) != CII_OK)
        zsys_warning ("agent %s: cannot record %zu sends: %s", s_net (self), poll.sent, err.text);
    self->outbox_ms = cii_util_mono_ms ();
    return NO_EVENT;
}

static event_t
s_send_ping (agent_daemon_t *self)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = cii_util_now_ms ();
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    s_send (self, &env);
    self->ping_ms = cii_util_mono_ms ();
    return NO_EVENT;
}

//  WELCOME: the session is open. The stream epoch the items that follow are numbered in (a new
//  one after the hub's database was restored: entered at the hub's resume point, what is held
//  stays), the network's cantons as the hub's registry has them now, the heartbeat, and
//  everything unreceipted goes again at once (U6). NOT_OPENED when the epoch cannot be recorded.
static event_t
s_open_session (agent_daemon_t *self)
{
    const Cii__Welcome *welcome = self->env->welcome;
    cii_err_t err;
    if (welcome->stream_case == CII__WELCOME__STREAM_EPOCH) {
        uint64_t epoch = 0;
        int64_t held = 0;
        bool entered = false;
        if (agent_store_inbox_position (self->store, &epoch, &held, &err) != CII_OK
        ||  agent_store_inbox_enter (self->store, welcome->epoch, welcome->resume_seq, &entered, &err) != CII_OK) {
            zsys_error ("agent %s: cannot record the hub's stream epoch (%s); reconnecting", s_net (self), err.text);
            return NOT_OPENED;
        }
        if (entered)
            zsys_warning ("agent %s: the hub numbers items in a new stream epoch %" PRIu64 " from seq %" PRIu64
                          " (its database was restored?); up to seq %" PRId64 " of epoch %" PRIu64 " are kept",
                          s_net (self), welcome->epoch, welcome->resume_seq, held, epoch);
    }
    self->ack_seq = 0;          //  an ACK of the stream before this WELCOME means nothing now
    if (strcmp (welcome->network, s_net (self)) != 0)
        zsys_warning ("agent %s: hub says this key is for network %s", s_net (self), welcome->network);
    if (agent_store_cantons_set (self->store, (const char *const *) welcome->cantons, welcome->n_cantons, &err)
        != CII_OK)
        zsys_warning ("agent %s: cannot record the network's cantons: %s", s_net (self), err.text);
    self->heartbeat_ms = (int) welcome->heartbeat_ms;
    self->backoff_ms = BACKOFF_MIN_MS;
    self->ping_ms = self->heard_ms;
    int64_t waiting = 0;
    agent_store_outbox_count (self->store, &waiting, NULL);
    zsys_info ("agent %s: session open (%" PRId64 " waiting in the outbox, hub has %" PRIu64 " items for us)",
               s_net (self), waiting, welcome->last_seq);
    s_status (self, "connected", "session open");
    if (agent_store_outbox_reset (self->store, &err) != CII_OK)
        zsys_warning ("agent %s: cannot reschedule the outbox: %s", s_net (self), err.text);
    return s_send_outbox (self);
}

//  RECEIPT (U5): the entry leaves the outbox, its record is marked delivered.
static event_t
s_apply_receipt (agent_daemon_t *self)
{
    cii_err_t err;
    cii_rc_t rc = agent_kinds_receipt (self->store, self->env->receipt, &err);
    if (rc != CII_OK && rc != CII_NOT_FOUND)         //  not found: receipted before
        zsys_error ("agent %s: cannot apply the receipt for %s: %s", s_net (self),
                    self->env->receipt->message_id, err.text);
    return NO_EVENT;
}

//  DELIVER (D3, D4): store item seq (in order only), then acknowledge after the wake-up.
static event_t
s_store_item (agent_daemon_t *self)
{
    const Cii__Deliver *deliver = self->env->deliver;
    cii_err_t err;
    agent_inbox_outcome_t outcome;
    if (agent_kinds_deliver (self->store, self->env, &outcome, &err) != CII_OK) {
        zsys_error ("agent %s: could not store item seq %" PRIu64 " (%s); the hub will resend it", s_net (self),
                    deliver->seq, err.text);
        return NO_EVENT;
    }
    int64_t held = (int64_t) deliver->seq;
    switch (outcome) {
        case AGENT_INBOX_STORED:
            break;
        case AGENT_INBOX_DUPLICATE:       //  a resend: acknowledge our position
            if (agent_store_inbox_last_seq (self->store, &held, NULL) != CII_OK)
                held = 0;
            break;
        case AGENT_INBOX_GAP:
            return GAP;
    }
    if (held > self->ack_seq)
        self->ack_seq = held;
    return NO_EVENT;
}

//  After the frames of one wake-up: one cumulative ACK for everything stored (D3).
static event_t
s_send_ack (agent_daemon_t *self)
{
    if (self->ack_seq > 0) {
        Cii__Envelope env = CII__ENVELOPE__INIT;
        Cii__Ack ack = CII__ACK__INIT;
        ack.seq = (uint64_t) self->ack_seq;
        env.body_case = CII__ENVELOPE__BODY_ACK;
        env.ack = &ack;
        s_send (self, &env);
        self->ack_seq = 0;
    }
    return NO_EVENT;
}

//  A final ERROR (U7) for an outbox message: the entry leaves, its record is marked refused.
//  Any other ERROR (e.g. VERSION for our HELLO) is logged.
static event_t
s_apply_refusal (agent_daemon_t *self)
{
    const Cii__Error *error = self->env->error;
    const char *name = cii_codec_error_name (error->code);
    if (*error->message_id
    &&  agent_kinds_refused (self->store, error->message_id, (int) error->code, error->text, NULL) == CII_OK)
        zsys_error ("agent %s: hub refused %s: %s: %s", s_net (self), error->message_id, name, error->text);
    else
        zsys_warning ("agent %s: hub error %s: %s", s_net (self), name, error->text);
    return NO_EVENT;
}

//  UNAVAILABLE, BAD_ACK: logged; the outbox entry stays and is resent later (U6).
static event_t
s_log_error (agent_daemon_t *self)
{
    zsys_warning ("agent %s: hub: %s: %s", s_net (self), cii_codec_error_name (self->env->error->code),
                  self->env->error->text);
    return NO_EVENT;
}

//  SESSION_REPLACED: another process with our key opened a session; back off instead of
//  fighting over it.
static event_t
s_back_off (agent_daemon_t *self)
{
    zsys_error ("agent %s: another process with this agent's key took over the session (the same enrollment "
                "bundle initialised twice?); retrying in %d ms", s_net (self), BACKOFF_MAX_MS);
    s_status (self, "disconnected", "session taken over by another process with this agent's key");
    cii_err_t err;
    if (agent_store_status_replaced (self->store, &err) != CII_OK)
        zsys_warning ("agent %s: cannot record the takeover: %s", s_net (self), err.text);
    self->next_hello_ms = cii_util_mono_ms () + BACKOFF_MAX_MS;
    return NO_EVENT;
}

//  REVOKED: the bureau revoked our key; the daemon stops.
static event_t
s_stop_revoked (agent_daemon_t *self)
{
    zsys_error ("agent %s: the bureau revoked this agent's key; stopping. Ask the bureau for a new "
                "enrollment bundle.", s_net (self));
    s_status (self, "revoked", self->env->error->text);
    self->revoked = true;
    return NO_EVENT;
}

//  $TERM, SIGINT, SIGTERM.
static event_t
s_stop_asked (agent_daemon_t *self)
{
    s_status (self, "stopped", "daemon stopped");
    return NO_EVENT;
}

static event_t
s_log_unexpected (agent_daemon_t *self)
{
    zsys_warning ("agent %s: unexpected %s from the hub", s_net (self), cii_codec_body_name (self->env));
    return NO_EVENT;
}

//  The hub's ZAP handler refused our key: logged and recorded once a minute (ZeroMQ retries).
static event_t
s_record_refused (agent_daemon_t *self)
{
    int64_t now = cii_util_mono_ms ();
    if (self->refused_ms && now - self->refused_ms < REFUSED_LOG_MS)
        return NO_EVENT;
    self->refused_ms = now;
    zsys_error ("agent %s: the hub at %s refused this agent's key (revoked, or not enrolled): ask the bureau",
                s_net (self), agent_link_endpoint (self->link));
    s_status (self, "refused", "the hub refused this agent's key");
    return NO_EVENT;
}

static event_t
s_log_handshake (agent_daemon_t *self)
{
    int64_t now = cii_util_mono_ms ();
    if (self->refused_ms && now - self->refused_ms < REFUSED_LOG_MS)
        return NO_EVENT;
    self->refused_ms = now;
    zsys_warning ("agent %s: CURVE handshake with %s failed (wrong hub key in the bundle?)", s_net (self),
                  agent_link_endpoint (self->link));
    return NO_EVENT;
}

//  --------------------------------------------------------------------------------------------
//  The state table. A (state, event) that is not listed is ignored (protocol §3 rule 3): e.g. a
//  WELCOME outside HELLO_SENT, a DELIVER before the session is open, NO_SESSION for messages
//  queued before a pending HELLO (answering each with another HELLO would reopen the session
//  and resend the outbox again and again), a PONG (any frame counts as hearing the hub).

#define S_ANY_STATE(state) \
    { state, RECEIPT,          s_apply_receipt,    SAME }, \
    { state, DRAINED,          s_send_ack,         SAME }, \
    { state, ERROR_REFUSAL,    s_apply_refusal,    SAME }, \
    { state, ERROR_TRANSIENT,  s_log_error,        SAME }, \
    { state, ERROR_REPLACED,   s_back_off,         CONNECTING }, \
    { state, ERROR_REVOKED,    s_stop_revoked,     STOPPED }, \
    { state, UNEXPECTED,       s_log_unexpected,   SAME }, \
    { state, KEY_REFUSED,      s_record_refused,   SAME }, \
    { state, HANDSHAKE_FAILED, s_log_handshake,    SAME }, \
    { state, TERM,             s_stop_asked,       STOPPED }

static const transition_t s_table [] = {
    { CONNECTING, HELLO_DUE,        s_send_hello,        HELLO_SENT },
    { CONNECTING, NOT_SENT,         s_retry_hello_later, SAME },
    { CONNECTING, UNREACHABLE,      s_reconnect,         SAME },
    S_ANY_STATE (CONNECTING),

    { HELLO_SENT, WELCOME,          s_open_session,      READY },
    { HELLO_SENT, NOT_OPENED,       s_reconnect,         CONNECTING },
    { HELLO_SENT, HELLO_TIMEOUT,    s_reconnect,         CONNECTING },
    S_ANY_STATE (HELLO_SENT),

    { READY,      PING_DUE,         s_send_ping,         SAME },
    { READY,      OUTBOX_DUE,       s_send_outbox,       SAME },
    { READY,      DELIVER,          s_store_item,        SAME },
    { READY,      GAP,              s_resynchronise,     HELLO_SENT },
    { READY,      ERROR_NO_SESSION, s_reopen_session,    HELLO_SENT },
    { READY,      NOT_SENT,         s_retry_hello_later, CONNECTING },
    { READY,      SILENCE,          s_reconnect,         CONNECTING },
    S_ANY_STATE (READY),
};

#define S_TABLE_SIZE (sizeof s_table / sizeof s_table [0])

//  Handles event in the current state, then any exception the action raises. The only place
//  that assigns self->state.
static void
s_execute (agent_daemon_t *self, event_t event)
{
    while (event != NO_EVENT && self->state != STOPPED) {
        const transition_t *found = NULL;
        for (size_t i = 0; i < S_TABLE_SIZE && !found; i++)
            if (s_table [i].state == self->state && s_table [i].event == event)
                found = &s_table [i];
        if (!found)
            return;
        event_t raised = found->action ? found->action (self) : NO_EVENT;
        if (raised == NO_EVENT && found->next != SAME && found->next != self->state) {
            zsys_debug ("agent %s: %s -> %s", s_net (self), s_state_names [self->state], s_state_names [found->next]);
            self->state = found->next;
        }
        event = raised;
    }
}

//  --------------------------------------------------------------------------------------------
//  Loop handlers: turn what happens into events

//  The event of a decoded frame from the hub.
static event_t
s_event_of (const Cii__Envelope *env)
{
    switch (env->body_case) {
        case CII__ENVELOPE__BODY_WELCOME: return WELCOME;
        case CII__ENVELOPE__BODY_RECEIPT: return RECEIPT;
        case CII__ENVELOPE__BODY_DELIVER: return DELIVER;
        case CII__ENVELOPE__BODY_PONG:    return NO_EVENT;
        case CII__ENVELOPE__BODY_ERROR:
            switch (env->error->code) {
                case CII__ERROR_CODE__ERROR_REVOKED:          return ERROR_REVOKED;
                case CII__ERROR_CODE__ERROR_NO_SESSION:       return ERROR_NO_SESSION;
                case CII__ERROR_CODE__ERROR_SESSION_REPLACED: return ERROR_REPLACED;
                case CII__ERROR_CODE__ERROR_UNAVAILABLE:
                case CII__ERROR_CODE__ERROR_BAD_ACK:          return ERROR_TRANSIENT;
                default:                                      return ERROR_REFUSAL;
            }
        default:
            return UNEXPECTED;
    }
}

static int
s_on_dealer (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    agent_daemon_t *self = arg;
    for (int count = 0; count < DRAIN_MAX && self->state != STOPPED; count++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (agent_link_recv (self->link, &msg) != CII_OK) {
            zmq_msg_close (&msg);
            break;
        }
        self->heard_ms = cii_util_mono_ms ();
        Cii__Envelope *env = NULL;
        cii_codec_error_t err;
        cii_rc_t rc = cii_codec_decode (zmq_msg_data (&msg), zmq_msg_size (&msg), &env, &err);
        zmq_msg_close (&msg);
        if (rc != CII_OK) {
            zsys_error ("agent %s: refused a frame from the hub: %s", s_net (self), err.text);
            continue;
        }
        self->env = env;
        if (env->body_case == CII__ENVELOPE__BODY_PONG && env->pong->heartbeat_ms && self->state == READY) {
            zsys_info ("agent %s: heartbeat now %" PRIu32 " ms (the hub's PONG)", s_net (self), env->pong->heartbeat_ms);
            self->heartbeat_ms = (int) env->pong->heartbeat_ms;
        }
        s_execute (self, s_event_of (env));
        self->env = NULL;
        cii_codec_free (&env);
    }
    s_execute (self, DRAINED);
    return self->state == STOPPED ? -1 : 0;
}

static int
s_on_monitor (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    agent_daemon_t *self = arg;
    int event = 0;
    char address [256];
    if (agent_link_monitor_event (self->link, &event, address, sizeof address) == CII_OK)
        s_execute (self, event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? KEY_REFUSED : HANDSHAKE_FAILED);
    return self->state == STOPPED ? -1 : 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    agent_daemon_t *self = arg;
    int64_t now = cii_util_mono_ms ();
    switch (self->state) {
        case CONNECTING:
            if (now >= self->next_hello_ms)
                //  No connection at all (ZMQ_IMMEDIATE refuses the HELLO): try the next endpoint
                s_execute (self, now - agent_link_since (self->link) > HELLO_TIMEOUT_MS ? UNREACHABLE : HELLO_DUE);
            break;
        case HELLO_SENT:
            if (now - self->hello_ms > HELLO_TIMEOUT_MS)
                s_execute (self, HELLO_TIMEOUT);
            break;
        case READY:
            if (now - self->heard_ms > (int64_t) SILENCE_FACTOR * self->heartbeat_ms)
                s_execute (self, SILENCE);
            else {
                if (now - self->ping_ms >= self->heartbeat_ms)
                    s_execute (self, PING_DUE);
                if (now - self->outbox_ms >= OUTBOX_POLL_MS)
                    s_execute (self, OUTBOX_DUE);
            }
            break;
        case STOPPED:
        case SAME:
            break;
    }
    return self->state == STOPPED ? -1 : 0;
}

static int
s_on_pipe (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    agent_daemon_t *self = arg;
    char *command = zstr_recv (pipe);
    if (!command || streq (command, "$TERM")) {
        self->terminated = true;
        s_execute (self, TERM);
        zstr_free (&command);
        return -1;
    }
    if (streq (command, "STATE"))
        zstr_send (pipe, s_state_names [self->state]);
    else
        zsys_warning ("agent %s: unknown command %s", s_net (self), command);
    zstr_free (&command);
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  The object

agent_daemon_t *
agent_daemon_new (const char *state_dir, cii_err_t *err)
{
    assert (state_dir);
    agent_daemon_t *self = calloc (1, sizeof *self);
    if (!self) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        return NULL;
    }
    self->store = agent_setup_open (state_dir, &self->config, err);
    self->state_dir = self->store ? strdup (state_dir) : NULL;
    self->link = self->state_dir ? agent_link_new (&self->config) : NULL;
    if (!self->link) {
        if (self->store)
            cii_err_set (err, CII_NO_MEMORY, "out of memory");
        agent_daemon_destroy (&self);
        return NULL;
    }
    self->state = CONNECTING;
    self->heartbeat_ms = HEARTBEAT_MS;
    self->backoff_ms = BACKOFF_MIN_MS;
    return self;
}

void
agent_daemon_destroy (agent_daemon_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_daemon_t *self = *self_p;
    agent_link_destroy (&self->link);
    agent_store_destroy (&self->store);
    free (self->state_dir);
    memset (self->config.agent_secret, 0, sizeof self->config.agent_secret);
    free (self);
    *self_p = NULL;
}

cii_rc_t
agent_daemon_loop (agent_daemon_t *self, zsock_t *pipe)
{
    assert (self && !self->loop);
    self->loop = zloop_new ();
    if (!self->loop)
        return CII_NO_MEMORY;
    if (pipe)
        zloop_reader (self->loop, pipe, s_on_pipe, self);
    zloop_timer (self->loop, TICK_MS, 0, s_on_tick, self);
    s_link_open (self, false);
    self->next_hello_ms = cii_util_mono_ms ();
    int64_t waiting = 0;
    agent_store_outbox_count (self->store, &waiting, NULL);
    zsys_info ("agent %s: running (hub %s, %" PRId64 " waiting in the outbox)", s_net (self), self->config.endpoint,
               waiting);
    s_status (self, "connecting", self->config.endpoint);
    //  Report files are imported by a worker of their own, off this loop
    zactor_t *reports = zactor_new (agent_reports_actor, self->state_dir);
    //  Pushes into the cantons' systems run in a thread of their own: a hanging command or
    //  webhook never stalls the session
    cii_err_t err;
    agent_push_worker_t *pushes = agent_push_worker_new (self->state_dir, &err);
    if (!pushes)
        zsys_error ("agent %s: no push worker (%s): recommendations are not pushed", s_net (self), err.text);
    zloop_start (self->loop);
    s_execute (self, TERM);               //  interrupted: SIGINT / SIGTERM (no-op when stopped)
    agent_push_worker_destroy (&pushes);
    zactor_destroy (&reports);
    zsys_info ("agent %s: stopped", s_net (self));
    zloop_destroy (&self->loop);
    agent_link_close (self->link);
    return self->revoked ? CII_REFUSED : CII_OK;
}

void
agent_daemon_actor (zsock_t *pipe, void *args)
{
    cii_err_t err;
    agent_daemon_t *self = agent_daemon_new ((const char *) args, &err);
    if (!self)        //  args is the caller's until the signal: use it before
        zsys_error ("agent: cannot open the state %s: %s", (const char *) args, err.text);
    zsock_signal (pipe, 0);
    if (self)
        agent_daemon_loop (self, pipe);
    bool terminated = self && self->terminated;
    agent_daemon_destroy (&self);
    if (terminated)
        return;                           //  $TERM came: the shim signals the pipe
    //  Ended on its own: say so, then wait for $TERM as every actor must
    zstr_send (pipe, "STOPPED");
    char *command = NULL;
    while ((command = zstr_recv (pipe)) != NULL && !streq (command, "$TERM"))
        zstr_free (&command);
    zstr_free (&command);
}

int
agent_daemon_run (const char *state_dir)
{
    zsys_set_logident ("cii-agent");
    zsys_set_logstream (stderr);          //  the service log: stderr (journald under systemd)
    cii_err_t err;
    agent_daemon_t *self = agent_daemon_new (state_dir, &err);
    if (!self) {
        zsys_error ("agent: cannot open state %s: %s", state_dir, err.text);
        fprintf (stderr, "cii-agent: cannot open state %s: %s\n", state_dir, err.text);
        return 1;
    }
    cii_rc_t rc = agent_daemon_loop (self, NULL);
    agent_daemon_destroy (&self);
    return rc == CII_OK ? 0 : 1;
}
