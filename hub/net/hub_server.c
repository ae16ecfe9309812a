/*  hub_server.c — the serving hub (see hub_server.h): ROUTER + ZAP + sessions + upward batches +
    downward queue in one zloop; every database statement runs in a worker thread:
    - two ingest workers (lanes) store batches of upward messages, each an agent's messages always
      in the same lane (its id modulo the lanes), so one batch commits while the next is stored
      and each agent's messages are still stored in the order they came (one batch in flight per
      lane; what arrives meanwhile is its next batch, up to a bound, then UNAVAILABLE);
    - the control worker records acknowledgements, sessions and last_seen, reads downward items,
      and reloads the agents and the registry (on NOTIFY, after a reconnect, and every few
      seconds), all in one job at a time that carries whatever is due.
    Sessions are a table of (state, event) -> action, next state; nothing else assigns a state. */
#include "hub_server.h"
#include "hub_kinds.h"
#include "hub_match.h"
#include "hub_registry.h"
#include "hub_setup.h"
#include "hub_store_agents.h"
#include "hub_store_downward.h"
#include "hub_store_ingest.h"
#include "hub_store_registry.h"
#include "hub_store_schema.h"
#include "hub_worker.h"
#include "cii_codec.h"
#include "cii_util.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>

#define LISTEN_BACKLOG      4096    //  pending TCP connections (ZMQ_BACKLOG; capped by somaxconn)
#define HEARTBEAT_MS        1000    //  agents PING at least this often (WELCOME.heartbeat_ms) ...
#define PING_BUDGET         2000    //  ... unless there are more agents than PINGs a second this
                                    //  many: each PING and PONG costs the hub about 25 us (most of
                                    //  it libzmq's I/O thread and the kernel), so the heartbeat
                                    //  lengthens with the enrolled agents to keep idle CPU near 5 %
#define HEARTBEAT_MAX_MS    60000   //  ... up to this
#define SESSION_TIMEOUT_MS  5000    //  silence after which a session is closed
#define RESEND_AFTER_MS     10000   //  unacknowledged downward items are resent after this
#define DOWN_WINDOW         128     //  unacknowledged DELIVERs per session
#define READ_MAX            1024    //  frames read per wake-up of the ROUTER
#define PENDING_MAX         4096    //  upward messages waiting for the database, at most, per lane
#define INGEST_LANES        2       //  ingest workers: measured (issue 10), one lane left PostgreSQL
                                    //  idle while a batch's receipts went out and the next came in
#define TICK_MS             1000    //  housekeeping
#define RELOAD_EVERY_MS     5000    //  agents and registry reloaded at least this often
#define ZAP_WAITING_MAX     1024    //  handshakes of unknown keys waiting for a reload, at most
#define PENDING_PER_AGENT   256     //  ... of them from one agent, at most
#define MAX_FRAME_IN        (2 * CII_MAX_FRAME)   //  libzmq drops the peer beyond this
#define RCVHWM              32      //  frames queued per peer before its TCP stream waits:
                                    //  with MAX_FRAME_IN, at most 4 MiB per peer
#define SNDHWM              1000    //  frames queued to one peer (DELIVERs are windowed anyway)
#define HANDSHAKE_MS        5000    //  a connection that has not completed CURVE by then is closed
#define HELLO_BURST         10      //  HELLOs one key may send at once ...
#define HELLO_PER_MS        1000    //  ... and one more per this many ms
#define REFUSAL_LOG_MS      10000   //  refused handshakes: one log line per interval
#define REPLACED_LOG_MS     60000   //  session replacements of one agent: one log line per interval
#define REPLACED_WARN_AT    3       //  ... a warning from this many on (two processes, one key)
#define ZAP_ENDPOINT        "inproc://zeromq.zap.01"

typedef struct {
    uint8_t data [256];
    size_t size;
} rid_t;

//  --------------------------------------------------------------------------------------------
//  Sessions: states and events

typedef enum { S_OFFLINE, S_OPEN, S_REVOKED, S_STATES } session_state_t;
typedef enum {
    E_HELLO,            //  HELLO (on any connection of the agent's key)
    E_PING,             //  PING on the session's connection
    E_ACK,              //  ACK on the session's connection
    E_UPWARD,           //  an upward kind on the session's connection
    E_STRANGER,         //  PING, ACK or an upward kind on another connection
    E_AGENT_ERROR,      //  an ERROR from the agent
    E_SILENT,           //  nothing heard for the session timeout
    E_GONE,             //  the connection is gone (EHOSTUNREACH)
    E_REVOKED,          //  the bureau revoked the key
    E_EVENTS
} session_event_t;

static const char *s_state_names [] = { "offline", "open", "revoked" };

//  One enrolled agent: the cached row, plus its session.
typedef struct {
    int64_t id;
    char network [33];
    char public_key [41];
    char id_text [24];
    session_state_t state;
    int64_t last_seq;           //  highest sequence assigned (PostgreSQL)
    int64_t acked_seq;          //  highest sequence acknowledged
    rid_t rid;                  //  routing id of the current session
    int64_t heard_ms;           //  monotonic time of the last message
    int heartbeat_ms;           //  the heartbeat its WELCOME gave (s_heartbeat_ms)
    int64_t sent_seq;           //  next DELIVER goes out after this (moved back to resend)
    int64_t max_sent_seq;       //  highest sequence sent in this session (ACK check)
    int64_t sent_ms;            //  monotonic time of the last DELIVER sent
    int64_t ack_to_flush;       //  acknowledged sequence not yet written (0 = none)
    uint64_t epoch;             //  the downward stream's epoch (s_resume) ...
    int64_t epoch_start;        //  ... begun at this sequence
    int epoch_write;            //  EPOCH_WRITTEN, EPOCH_DUE or EPOCH_WRITING (a job carries it)
    int64_t replaced_to_flush;  //  session replacements not yet written
    int replaced_count;         //  replacements since replaced_since_ms (logged once per interval)
    int64_t replaced_since_ms;
    int session_to_flush;       //  0 nothing, 1 connected, 2 disconnected
    bool fetching;              //  a fetch of its items is in the control job in flight
    int pending;                //  its upward messages waiting for the database
    double hello_tokens;        //  HELLO throttle: tokens left (refilled with time)
    int64_t hello_ms;           //  when the tokens were last refilled
} agent_t;

//  --------------------------------------------------------------------------------------------
//  Jobs for the workers

//  One upward message waiting for the database.
typedef struct {
    agent_t *agent;
    rid_t rid;
    Cii__Envelope *env;                         //  owned: the domain view borrows its strings
    ProtobufCMessage *owned;                    //  a registered kind's item, owned
    const hub_upward_kind_t *handler;
    Cii__ErrorCode refuse;                      //  refused by a rule (unless a resend: see lookup)
    char reason [CII_MAX_ERROR_TEXT + 1];
    bool found;                                 //  stored now or before: gets its receipt
    bool duplicate;                             //  stored before
    bool conflict;                              //  ... with other content: a reused message id
    char digest [41];                           //  what it carries (SHA-1 of the packed item)
    char ref [HUB_MAX_REF];
    int64_t received_at_ms;
    Cii__ErrorCode final;                       //  refused by the database for good
    uint64_t domain [HUB_KIND_DOMAIN_MAX / 8];  //  the domain struct the shape reads
} pending_t;

typedef struct {
    pending_t *items;
    size_t count;
    hub_ingest_item_t *ingest;                  //  parallel to items
    cii_rc_t rc;
    bool after_commit;                          //  a kind with work after its commit stored items
} ingest_job_t;

//  One ingest worker with its batches.
typedef struct {
    hub_server_t *server;
    hub_worker_t *worker;
    ingest_job_t *collecting;        //  upward messages for its next batch
    ingest_job_t *in_flight;         //  the batch its worker has, or NULL
    ingest_job_t *spare;
} ingest_lane_t;

typedef struct {
    int64_t agent_id;
    int64_t seq;
    char kind [32];
    uint8_t *body;
    size_t size;
} fetched_t;

typedef struct {
    //  in
    bool reload;
    int64_t *ack_ids, *ack_seqs;
    size_t n_acks;
    int64_t *session_ids;
    bool *session_connected;
    size_t n_sessions;
    int64_t *epoch_ids, *epochs, *epoch_starts;
    size_t n_epochs;
    int64_t *replaced_ids, *replaced_counts;
    size_t n_replaced;
    int64_t *seen_ids;
    size_t n_seen;
    hub_fetch_t *fetch;
    size_t n_fetch;
    bool reset_sessions;
    bool after_commit;               //  run the kinds' after-commit work
    bool index;                      //  the hub is idle: index for `similar` (hub_match_background)
    uint64_t reload_number;          //  which reload this is (when reload)
    //  out
    cii_rc_t rc_acks, rc_sessions, rc_epochs, rc_replaced, rc_reload, rc_fetch;
    hub_agent_row_t *agents;
    size_t n_agents;
    hub_canton_row_t *cantons;
    size_t n_cantons;
    fetched_t *fetched;
    size_t n_fetched, cap_fetched;
} control_job_t;

//  A ZAP request waiting for a reload (its key was unknown): answered once reload number `after`
//  (one that started after the request came) has completed.
typedef struct {
    zmsg_t *request;
    uint64_t after;
} zap_wait_t;

struct _hub_server_t {
    hub_server_config_t config;
    char *conninfo;
    char endpoint [256];
    zcert_t *cert;
    zsock_t *router;
    zsock_t *zap;
    zloop_t *loop;
    zsock_t *pipe;                   //  the actor's pipe, when run as an actor
    ingest_lane_t lanes [INGEST_LANES];
    hub_worker_t *control;
    hub_registry_t *registry;
    zhashx_t *agents;                //  Z85 public key -> agent_t (owned)
    zhashx_t *by_id;                 //  id text -> agent_t (borrowed)
    uint64_t out_counter;            //  for our own message ids
    control_job_t *control_job;      //  the job the control worker has, or NULL
    bool dirty;                      //  an agent has something for the control worker
    bool reload_wanted;
    bool fetch_all_wanted;           //  downward items were queued: look at every session
    bool seen_wanted;
    bool after_commit_wanted;        //  a batch stored items of a kind with after-commit work
    bool ingested;                   //  a batch came back from the ingest worker since the last tick
    bool index_wanted;               //  no batch during the last tick: time for hub_match_background
    bool reset_wanted;
    int64_t reload_ms;               //  when the last reload was asked for
    uint64_t reloads_started;        //  reload jobs handed to the control worker
    zlist_t *zap_waiting;            //  zap_wait_t: answered after a reload
    zhashx_t *refusals;              //  "ADDRESS (reason)" -> count, logged once per interval
    size_t refused;                  //  refused handshakes in this interval
    int64_t refusals_ms;             //  when the interval began
};

static void s_event (hub_server_t *self, agent_t *agent, session_event_t event, const rid_t *rid,
                     Cii__Envelope **env_p);
static void s_control_schedule (hub_server_t *self);
static void s_ingest_schedule (hub_server_t *self);

//  --------------------------------------------------------------------------------------------
//  Sending

//  Sends one packed frame to a routing id. 0 sent, -1 peer gone (EHOSTUNREACH), -2 would block
//  (high-water mark: the caller keeps the item and retries later; nothing is silently dropped).
static int
s_send_raw (hub_server_t *self, const rid_t *rid, const uint8_t *data, size_t size)
{
    void *handle = zsock_resolve (self->router);
    if (zmq_send (handle, rid->data, rid->size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? -2 : -1;
    if (zmq_send (handle, data, size, ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? -2 : -1;
    return 0;
}

static int
s_send (hub_server_t *self, const rid_t *rid, Cii__Envelope *env)
{
    char id [40];
    snprintf (id, sizeof id, "h-%" PRIx64 "-%" PRIx64, (uint64_t) getpid (), ++self->out_counter);
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = id;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    if (cii_codec_encode (env, &data, &size, &err) != CII_OK) {
        zsys_error ("hub: cannot encode %s: %s", cii_codec_body_name (env), err.text);
        return -1;
    }
    int rc = s_send_raw (self, rid, data, size);
    free (data);
    return rc;
}

static void
s_send_error (hub_server_t *self, const rid_t *rid, Cii__ErrorCode code, const char *text, const char *message_id)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Error error = CII__ERROR__INIT;
    char line [CII_MAX_ERROR_TEXT + 1];
    snprintf (line, sizeof line, "%s", text);
    error.code = code;
    error.text = line;
    error.message_id = (char *) (message_id ? message_id : "");
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    s_send (self, rid, &env);
}

static void
s_send_receipt (hub_server_t *self, const rid_t *rid, const char *message_id, const char *ref,
                int64_t received_at_ms, bool duplicate)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = (char *) message_id;
    receipt.ref = (char *) ref;
    receipt.received_at_ms = received_at_ms;
    receipt.duplicate = duplicate;
    env.body_case = CII__ENVELOPE__BODY_RECEIPT;
    env.receipt = &receipt;
    s_send (self, rid, &env);
}

static bool
s_rid_equal (const rid_t *a, const rid_t *b)
{
    return a->size == b->size && memcmp (a->data, b->data, a->size) == 0;
}

//  --------------------------------------------------------------------------------------------
//  Downward: sends what a session has not been sent, within its window, from fetched items

static bool
s_wants_items (const agent_t *agent)
{
    return agent->state == S_OPEN && agent->sent_seq < agent->last_seq
        && agent->sent_seq - agent->acked_seq < DOWN_WINDOW;
}

//  Sends one fetched item if it is the next one of the agent's open session.
static void
s_deliver (hub_server_t *self, agent_t *agent, const fetched_t *item)
{
    if (agent->state != S_OPEN || item->seq != agent->sent_seq + 1
    ||  agent->sent_seq - agent->acked_seq >= DOWN_WINDOW)
        return;             //  stale (resent meanwhile, or a new session): fetched again later
    char id [48];
    snprintf (id, sizeof id, "d-%" PRId64 "-%" PRId64, agent->id, item->seq);
    uint8_t *data = NULL;
    size_t size = 0;
    if (cii_codec_encode_deliver ((uint64_t) item->seq, item->kind, item->body, item->size, id, &data, &size)
        != CII_OK) {
        zsys_error ("hub: agent %s: stored item %" PRId64 " (%s) cannot be encoded", agent->network, item->seq,
                    item->kind);
        return;
    }
    int rc = s_send_raw (self, &agent->rid, data, size);
    free (data);
    if (rc == -1) {
        s_event (self, agent, E_GONE, NULL, NULL);
        return;
    }
    if (rc == -2)
        return;             //  high-water mark: stays unsent, fetched again on the next tick
    agent->sent_seq = item->seq;
    if (item->seq > agent->max_sent_seq)
        agent->max_sent_seq = item->seq;
    agent->sent_ms = cii_util_mono_ms ();
}

//  --------------------------------------------------------------------------------------------
//  Session actions, one per (state, event) cell of the table below

typedef bool (s_action_fn) (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p);

static int
s_strcmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  Stream epochs (docs/protocol.md §6.2). An epoch names one numbering of an agent's downward
//  items; a HELLO says (epoch, last_seq) and the hub answers where the session resumes. Nothing an
//  agent claims raises its sequence: a position beyond what this database assigned starts a new
//  epoch at what was assigned (the database was restored from an older backup, or the agent is
//  faulty), so that whoever then says its true position gets every item after it.
//  An epoch's high 31 bits count the epochs this hub issued for the agent (a generation), the low
//  32 bits are random. So the epoch of a HELLO is the current one, an earlier one (a lower
//  generation: the agent holds this stream up to where the current epoch began), or one this
//  database never recorded (a hub died before writing it, or the database was restored from a
//  backup older than it): that stream is this database's items, as far as they go.
#define EPOCH_WRITTEN       0
#define EPOCH_DUE           1
#define EPOCH_WRITING       2
#define EPOCH_GEN(epoch)    ((uint64_t) (epoch) >> 32)
#define EPOCH_GEN_MAX       UINT64_C (0x7fffffff)

//  A new epoch after current: the next generation (kept below 2^63), a random non-zero low half.
static uint64_t
s_epoch_new (uint64_t current)
{
    uint64_t gen = EPOCH_GEN (current) < EPOCH_GEN_MAX ? EPOCH_GEN (current) + 1 : EPOCH_GEN_MAX;
    uint64_t epoch = current;
    while (epoch == current || (uint32_t) epoch == 0) {
        uint32_t low = 0;
        if (getrandom (&low, sizeof low, 0) != (ssize_t) sizeof low)
            low = (uint32_t) random () ^ (uint32_t) cii_util_mono_ms ();
        epoch = gen << 32 | low;
    }
    return epoch;
}

//  Where a session resumes, from what a HELLO says the agent holds.
typedef struct {
    int64_t held;               //  HELLO.last_seq (beyond 2^63: 2^63 - 1)
    int64_t resume;             //  replay everything after this
    uint64_t epoch;             //  in this epoch (what WELCOME says)
    bool new_epoch;             //  a new epoch begins at last_seq
    bool skip;                  //  an agent without epochs holds more than was assigned
} s_resume_t;

static s_resume_t
s_resume (const agent_t *agent, const Cii__Hello *hello)
{
    s_resume_t at = { 0 };
    at.held = hello->last_seq > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) hello->last_seq;
    at.epoch = agent->epoch;
    if (hello->stream_case != CII__HELLO__STREAM_EPOCH) {
        //  An agent older than epochs cannot change streams: it gets what comes after its
        //  position. Beyond what was assigned, the items up to it are skipped in this session
        //  (it would take them for ones it holds); nothing is written.
        at.resume = at.held;
        at.skip = at.held > agent->last_seq;
    }
    else
    if (hello->epoch == agent->epoch || EPOCH_GEN (hello->epoch) >= EPOCH_GEN (agent->epoch)) {
        //  The current epoch, or one this database never recorded: the agent's position holds as
        //  far as this database's items go; beyond them, a new epoch.
        if (at.held <= agent->last_seq) {
            at.resume = at.held;
            at.epoch = hello->epoch;
        }
        else {
            at.resume = agent->last_seq;
            at.epoch = s_epoch_new (agent->epoch);
            at.new_epoch = true;
        }
    }
    else        //  an earlier epoch: it matches the current stream up to where that began
        at.resume = at.held < agent->epoch_start ? at.held : agent->epoch_start;
    return at;
}

//  Another connection took the session over: counted (written with the next job), logged once
//  per interval (s_on_tick).
static void
s_replaced (hub_server_t *self, agent_t *agent)
{
    agent->replaced_to_flush++;
    if (agent->replaced_count++ == 0) {
        agent->replaced_since_ms = cii_util_mono_ms ();
        zsys_info ("hub: agent %s: new session replaces the previous one", agent->network);
    }
    self->dirty = true;
}

//  The heartbeat a WELCOME gives: the configured one, lengthened so that all enrolled agents
//  together PING at most PING_BUDGET times a second (1 s up to 2,000 agents, 5 s at 10,000).
static int
s_heartbeat_ms (hub_server_t *self)
{
    int64_t spread = (int64_t) zhashx_size (self->agents) * 1000 / self->config.ping_budget;
    int64_t heartbeat = self->config.heartbeat_ms;
    if (spread > heartbeat)
        heartbeat = spread < HEARTBEAT_MAX_MS ? spread : HEARTBEAT_MAX_MS;
    return (int) heartbeat;
}

//  Silence after which an open session is closed: the configured timeout, scaled with the
//  heartbeat the session was given (the same number of missed PINGs).
static int64_t
s_session_timeout_ms (hub_server_t *self, const agent_t *agent)
{
    int64_t timeout = self->config.session_timeout_ms;
    if (agent->heartbeat_ms > self->config.heartbeat_ms)
        timeout = timeout * agent->heartbeat_ms / self->config.heartbeat_ms;
    return timeout;
}

//  HELLO: works out where the session resumes (s_resume; a new epoch is written by the control
//  worker), replaces another session of the same key, sends WELCOME and replays what the agent
//  has not got. No HELLO is refused for the position it claims.
static bool
s_open (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    const Cii__Hello *hello = (*env_p)->hello;
    s_resume_t at = s_resume (agent, hello);
    if (at.new_epoch) {
        zsys_warning ("hub: agent %s: holds seq %" PRId64 " of epoch %" PRIu64 " but only %" PRId64 " were "
                      "assigned here (database restored from a backup, or a faulty agent); new epoch %" PRIu64
                      " from seq %" PRId64, agent->network, at.held, (uint64_t) hello->epoch, agent->last_seq,
                      at.epoch, at.resume);
        agent->epoch = at.epoch;
        agent->epoch_start = agent->last_seq;
        agent->epoch_write = EPOCH_DUE;
    }
    else
    if (at.skip)
        zsys_warning ("hub: agent %s: holds seq %" PRId64 " but only %" PRId64 " were assigned here (database "
                      "restored from a backup?); it is older than stream epochs, so it will take new items up to %"
                      PRId64 " for ones it holds and miss them: upgrade it", agent->network, at.held,
                      agent->last_seq, at.held);
    else
    if (at.resume != at.held)
        zsys_info ("hub: agent %s: holds seq %" PRId64 " of the earlier epoch %" PRIu64 "; epoch %" PRIu64
                   " began at %" PRId64 ": resuming there", agent->network, at.held, (uint64_t) hello->epoch,
                   agent->epoch, at.resume);
    if (agent->state == S_OPEN && !s_rid_equal (&agent->rid, rid)) {
        s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_SESSION_REPLACED,
                      "a newer session of this agent took over", NULL);
        s_replaced (self, agent);
    }
    agent->rid = *rid;
    agent->heard_ms = cii_util_mono_ms ();
    agent->sent_seq = at.resume;          //  replay everything after the resume point
    agent->max_sent_seq = at.resume;
    //  The resume point is an acknowledgement, recorded when the agent's claim is within what was
    //  assigned (a claim beyond it is a restore or a fault: what it holds is not known here).
    if (at.resume > agent->acked_seq && at.held <= agent->last_seq)
        agent->ack_to_flush = at.resume;
    //  In memory the window starts at the resume point, even below an earlier ACK (the agent's
    //  state was restored from a backup): it gets those items again. PostgreSQL keeps the highest.
    agent->acked_seq = at.resume;
    agent->session_to_flush = 1;
    self->dirty = true;

    Cii__Envelope reply = CII__ENVELOPE__INIT;
    Cii__Welcome welcome = CII__WELCOME__INIT;
    const char *cantons [CII_CANTON_COUNT];
    size_t n = hub_registry_cantons_of (self->registry, agent->network, cantons);
    qsort (cantons, n, sizeof cantons [0], s_strcmp);
    welcome.network = agent->network;
    welcome.cantons = (char **) cantons;
    welcome.n_cantons = n;
    agent->heartbeat_ms = s_heartbeat_ms (self);
    welcome.heartbeat_ms = (uint32_t) agent->heartbeat_ms;
    welcome.last_seq = (uint64_t) agent->last_seq;
    welcome.hub_time_ms = cii_util_now_ms ();
    welcome.stream_case = CII__WELCOME__STREAM_EPOCH;
    welcome.epoch = at.epoch;
    welcome.resume_seq = (uint64_t) (at.skip ? agent->last_seq : at.resume);
    reply.body_case = CII__ENVELOPE__BODY_WELCOME;
    reply.welcome = &welcome;
    s_send (self, rid, &reply);
    zsys_info ("hub: agent %s: session open (epoch %" PRIu64 ", resumes after seq %" PRId64 ", %" PRId64
               " to replay)", agent->network, at.epoch, at.resume,
               agent->last_seq > at.resume ? agent->last_seq - at.resume : 0);
    return true;
}

static bool
s_pong (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) agent;
    Cii__Envelope reply = CII__ENVELOPE__INIT;
    Cii__Pong pong = CII__PONG__INIT;
    pong.sent_at_ms = (*env_p)->ping->sent_at_ms;
    //  The heartbeat follows the enrolled agents: an agent welcomed when there were fewer learns
    //  the longer one here (and the session's timeout with it).
    int heartbeat = s_heartbeat_ms (self);
    if (heartbeat != agent->heartbeat_ms) {
        agent->heartbeat_ms = heartbeat;
        pong.heartbeat_ms = (uint32_t) heartbeat;
    }
    reply.body_case = CII__ENVELOPE__BODY_PONG;
    reply.pong = &pong;
    s_send (self, rid, &reply);
    return true;
}

static bool
s_ack (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    const Cii__Envelope *env = *env_p;
    char text [120];
    if (env->ack->seq > (uint64_t) agent->max_sent_seq) {
        snprintf (text, sizeof text, "ack %" PRIu64 " for a sequence never sent (sent up to %" PRId64 ")",
                  env->ack->seq, agent->max_sent_seq);
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_BAD_ACK, text, env->message_id);
        return true;
    }
    int64_t seq = (int64_t) env->ack->seq;
    if (seq == agent->acked_seq)
        return true;              //  re-acknowledgement after a resend: idempotent
    if (seq < agent->acked_seq) {
        snprintf (text, sizeof text, "ack %" PRId64 " is behind the acknowledged sequence %" PRId64, seq,
                  agent->acked_seq);
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_BAD_ACK, text, env->message_id);
        return true;
    }
    agent->acked_seq = seq;
    agent->ack_to_flush = seq;
    if (agent->sent_seq < seq)
        agent->sent_seq = seq;    //  acknowledged while a resend was pending: skip what it holds
    self->dirty = true;           //  the window moved
    return true;
}

//  What an item carries, as the SHA-1 of its packed form (protobuf-c packs fields in a fixed
//  order): a resend has the same; a reused message id with other content has another.
static void
s_digest (const ProtobufCMessage *item, char digest [41])
{
    digest [0] = '\0';
    size_t size = protobuf_c_message_get_packed_size (item);
    uint8_t *data = malloc (size ? size : 1);
    zdigest_t *sha = zdigest_new ();
    if (data && sha) {
        protobuf_c_message_pack (item, data);
        zdigest_update (sha, data, size);
        snprintf (digest, 41, "%s", zdigest_string (sha));
    }
    zdigest_destroy (&sha);
    free (data);
}

//  The lane that stores an agent's messages: always the same, so they are stored in order.
static ingest_lane_t *
s_lane_of (hub_server_t *self, const agent_t *agent)
{
    return &self->lanes [(uint64_t) agent->id % INGEST_LANES];
}

//  An upward kind: view it, check it against the rules, queue it for the next batch. Refused
//  messages go to the batch too: a resend of a message stored before the rule changed gets its
//  original receipt, not a refusal (the worker looks it up).
static bool
s_upward (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    Cii__Envelope *env = *env_p;
    const cii_kind_t *kind = cii_codec_kind (env);
    const hub_upward_kind_t *handler = hub_kinds_upward (kind);
    if (!handler) {
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNEXPECTED, "message kind not accepted from an agent",
                      env->message_id);
        return true;
    }
    ingest_job_t *collecting = s_lane_of (self, agent)->collecting;
    if (collecting->count == PENDING_MAX || agent->pending >= PENDING_PER_AGENT) {
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNAVAILABLE, "hub busy: resend later", env->message_id);
        return true;
    }
    pending_t *pending = &collecting->items [collecting->count];
    memset (pending, 0, offsetof (pending_t, domain));
    const ProtobufCMessage *item = cii_codec_item (env, &pending->owned);
    if (!item) {
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNAVAILABLE, "hub out of memory: resend later",
                      env->message_id);
        return true;
    }
    handler->view (item, pending->domain);
    s_digest (item, pending->digest);
    cii_err_t reason;
    cii_err_clear (&reason);
    cii_rc_t rc = handler->authorise (self->registry, agent->network, pending->domain, &reason);
    if (rc != CII_OK) {
        pending->refuse = rc == CII_NOT_FOUND ? CII__ERROR_CODE__ERROR_UNKNOWN_CANTON
                        : rc == CII_REFUSED ? CII__ERROR_CODE__ERROR_NOT_AUTHORISED
                                            : CII__ERROR_CODE__ERROR_MALFORMED;
        snprintf (pending->reason, sizeof pending->reason, "%.*s", (int) sizeof pending->reason - 1, reason.text);
    }
    pending->agent = agent;
    pending->rid = *rid;
    pending->handler = handler;
    pending->env = env;
    *env_p = NULL;                //  owned by the batch now
    collecting->count++;
    agent->pending++;
    return true;
}

static bool
s_no_session (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) agent;
    s_send_error (self, rid, CII__ERROR_CODE__ERROR_NO_SESSION, "no open session on this connection: send HELLO",
                  (*env_p)->message_id);
    return true;
}

static bool
s_log_error (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) self;
    (void) rid;
    const Cii__Error *error = (*env_p)->error;
    zsys_warning ("hub: agent %s reports error %s: %s", agent->network, cii_codec_error_name (error->code),
                  error->text);
    return true;
}

static bool
s_close (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) rid;
    (void) env_p;
    agent->session_to_flush = 2;
    self->dirty = true;
    return true;
}

static bool
s_revoke (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) rid;
    (void) env_p;
    zsys_warning ("hub: agent %s: key %s revoked", agent->network, agent->public_key);
    if (agent->state == S_OPEN) {
        s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_REVOKED, "this agent's key was revoked by the bureau",
                      NULL);
        agent->session_to_flush = 2;
        self->dirty = true;
    }
    return true;
}

static bool
s_refuse_revoked (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) agent;
    s_send_error (self, rid, CII__ERROR_CODE__ERROR_REVOKED, "this agent's key was revoked by the bureau",
                  env_p && *env_p ? (*env_p)->message_id : NULL);
    return true;
}

static bool
s_nothing (hub_server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope **env_p)
{
    (void) self;
    (void) agent;
    (void) rid;
    (void) env_p;
    return true;
}

typedef struct {
    s_action_fn *action;
    session_state_t next;
} s_cell_t;

//  The session table: what each event does in each state, and the state after it. An action
//  returning false leaves the state as it was (none does today).
static const s_cell_t s_table [S_STATES][E_EVENTS] = {
    [S_OFFLINE] = {
        [E_HELLO]       = { s_open,           S_OPEN },
        [E_PING]        = { s_no_session,     S_OFFLINE },
        [E_ACK]         = { s_no_session,     S_OFFLINE },
        [E_UPWARD]      = { s_no_session,     S_OFFLINE },
        [E_STRANGER]    = { s_no_session,     S_OFFLINE },
        [E_AGENT_ERROR] = { s_log_error,      S_OFFLINE },
        [E_SILENT]      = { s_nothing,        S_OFFLINE },
        [E_GONE]        = { s_nothing,        S_OFFLINE },
        [E_REVOKED]     = { s_revoke,         S_REVOKED },
    },
    [S_OPEN] = {
        [E_HELLO]       = { s_open,           S_OPEN },
        [E_PING]        = { s_pong,           S_OPEN },
        [E_ACK]         = { s_ack,            S_OPEN },
        [E_UPWARD]      = { s_upward,         S_OPEN },
        [E_STRANGER]    = { s_no_session,     S_OPEN },
        [E_AGENT_ERROR] = { s_log_error,      S_OPEN },
        [E_SILENT]      = { s_close,          S_OFFLINE },
        [E_GONE]        = { s_close,          S_OFFLINE },
        [E_REVOKED]     = { s_revoke,         S_REVOKED },
    },
    [S_REVOKED] = {
        [E_HELLO]       = { s_refuse_revoked, S_REVOKED },
        [E_PING]        = { s_refuse_revoked, S_REVOKED },
        [E_ACK]         = { s_refuse_revoked, S_REVOKED },
        [E_UPWARD]      = { s_refuse_revoked, S_REVOKED },
        [E_STRANGER]    = { s_refuse_revoked, S_REVOKED },
        [E_AGENT_ERROR] = { s_log_error,      S_REVOKED },
        [E_SILENT]      = { s_nothing,        S_REVOKED },
        [E_GONE]        = { s_nothing,        S_REVOKED },
        [E_REVOKED]     = { s_nothing,        S_REVOKED },
    },
};

static const char *s_event_names [] = {
    "hello", "ping", "ack", "upward", "stranger", "agent error", "silent", "gone", "revoked"
};

//  The one transition function: runs the cell's action and moves to its next state.
static void
s_event (hub_server_t *self, agent_t *agent, session_event_t event, const rid_t *rid, Cii__Envelope **env_p)
{
    const s_cell_t *cell = &s_table [agent->state][event];
    session_state_t before = agent->state;
    if (!cell->action (self, agent, rid, env_p))
        return;
    agent->state = cell->next;
    if (before == S_OPEN && cell->next != S_OPEN)
        zsys_info ("hub: agent %s: session closed (%s)", agent->network, s_event_names [event]);
    if (before != cell->next)
        zsys_debug ("hub: agent %s: %s -> %s (%s)", agent->network, s_state_names [before],
                    s_state_names [cell->next], s_event_names [event]);
}

//  --------------------------------------------------------------------------------------------
//  The ingest worker

static ingest_job_t *
s_ingest_job_new (void)
{
    ingest_job_t *job = calloc (1, sizeof *job);
    if (job) {
        job->items = calloc (PENDING_MAX, sizeof *job->items);
        job->ingest = calloc (PENDING_MAX, sizeof *job->ingest);
        if (!job->items || !job->ingest) {
            free (job->items);
            free (job->ingest);
            free (job);
            job = NULL;
        }
    }
    return job;
}

static void
s_ingest_job_clear (ingest_job_t *job)
{
    for (size_t i = 0; i < job->count; i++) {
        cii_codec_free (&job->items [i].env);
        cii_codec_item_free (&job->items [i].owned);
    }
    job->count = 0;
    job->after_commit = false;
}

static void
s_ingest_job_destroy (ingest_job_t **job_p)
{
    if (*job_p) {
        s_ingest_job_clear (*job_p);
        free ((*job_p)->items);
        free ((*job_p)->ingest);
        free (*job_p);
        *job_p = NULL;
    }
}

//  In the ingest worker: stores the batch; looks up the refused ones (a resend of a message
//  stored before the registry changed gets its receipt).
static void
s_ingest_run (hub_store_t *store, void *arg)
{
    ingest_job_t *job = arg;
    size_t n = 0;
    pending_t *order [PENDING_MAX];
    for (size_t i = 0; i < job->count; i++) {
        pending_t *pending = &job->items [i];
        if (pending->refuse) {
            pending->found = hub_store_ingest_lookup_digest (store, pending->agent->id, pending->env->message_id,
                                                             pending->digest, pending->ref, &pending->received_at_ms,
                                                             &pending->conflict) == CII_OK;
            continue;
        }
        hub_ingest_item_t *item = &job->ingest [n];
        memset (item, 0, sizeof *item);
        item->agent_id = pending->agent->id;
        item->network = pending->agent->network;
        item->message_id = pending->env->message_id;
        item->digest = pending->digest;
        item->shape = pending->handler->shape;
        item->item = pending->domain;
        order [n++] = pending;
    }
    cii_err_t err;
    job->rc = hub_store_ingest (store, job->ingest, n, &err);
    if (job->rc != CII_OK && n > 1 && !hub_store_broken (store)) {
        //  The database is up but refused the batch: one message must be at fault. Store the
        //  messages one by one so that it cannot hold back everybody else's.
        zsys_warning ("hub: batch of %zu refused (%s); storing its messages one by one", n, err.text);
        for (size_t i = 0; i < n; i++) {
            if (hub_store_ingest (store, &job->ingest [i], 1, &err) == CII_OK)
                continue;
            zsys_error ("hub: agent %s: %s not stored: %s (SQLSTATE %s)", order [i]->agent->network,
                        order [i]->env->message_id, err.text, hub_store_sqlstate (store));
            //  Data exceptions and integrity violations come back on every resend: refuse the
            //  message for good. Anything else may pass later.
            if (!hub_store_broken (store) && err.rc == CII_BAD_INPUT)
                order [i]->final = CII__ERROR_CODE__ERROR_MALFORMED;
        }
        job->rc = CII_OK;
    }
    else
    if (job->rc != CII_OK)
        zsys_error ("hub: batch of %zu not stored: %s", n, err.text);
    //  Copy the results back next to each message
    for (size_t i = 0; i < n; i++) {
        hub_ingest_item_t *item = &job->ingest [i];
        order [i]->found = job->rc == CII_OK && item->stored;
        snprintf (order [i]->ref, sizeof order [i]->ref, "%s", item->ref);
        order [i]->received_at_ms = item->received_at_ms;
        order [i]->duplicate = item->duplicate;
        order [i]->conflict = item->conflict;
        if (job->rc == CII_OK && item->refused != CII_OK) {
            //  Refused for good by its kind's own store (e.g. a request naming an unknown signal).
            order [i]->found = false;
            order [i]->final = item->refused == CII_NOT_FOUND ? CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE
                             : item->refused == CII_REFUSED ? CII__ERROR_CODE__ERROR_NOT_AUTHORISED
                             : item->refused == CII_CONFLICT ? CII__ERROR_CODE__ERROR_CONFLICT
                                                             : CII__ERROR_CODE__ERROR_MALFORMED;
            snprintf (order [i]->reason, sizeof order [i]->reason, "%s", item->reason);
        }
        if (job->rc == CII_OK && item->stored && !item->duplicate && order [i]->handler->after_commit)
            job->after_commit = true;
    }
}

//  In the loop: the batch is back; receipts for what is stored, errors for the rest.
static void
s_ingest_done (hub_server_t *self, ingest_job_t *job)
{
    for (size_t i = 0; i < job->count; i++) {
        pending_t *pending = &job->items [i];
        const char *message_id = pending->env->message_id;
        if (pending->agent->pending > 0)
            pending->agent->pending--;
        if (pending->found && pending->conflict) {
            //  Not a resend: the id was used before for something else. Nothing stored, never will be.
            char text [160];
            snprintf (text, sizeof text, "message id %.64s was stored before, as %s, with other content", message_id,
                      pending->ref);
            s_send_error (self, &pending->rid, CII__ERROR_CODE__ERROR_CONFLICT, text, message_id);
            zsys_warning ("hub: agent %s: %s", pending->agent->network, text);
        }
        else
        if (pending->refuse) {
            if (pending->found)
                s_send_receipt (self, &pending->rid, message_id, pending->ref, pending->received_at_ms, true);
            else {
                s_send_error (self, &pending->rid, pending->refuse, pending->reason, message_id);
                zsys_warning ("hub: agent %s: refused %s: %s", pending->agent->network, message_id, pending->reason);
            }
        }
        else
        if (pending->found) {
            s_send_receipt (self, &pending->rid, message_id, pending->ref, pending->received_at_ms,
                            pending->duplicate);
            if (pending->duplicate)
                zsys_info ("hub: agent %s: %s resent, already stored as %s", pending->agent->network, message_id,
                           pending->ref);
        }
        else
        if (pending->final)
            s_send_error (self, &pending->rid, pending->final,
                          pending->reason [0] ? pending->reason : "the hub's database refused this message's content",
                          message_id);
        else
            s_send_error (self, &pending->rid, CII__ERROR_CODE__ERROR_UNAVAILABLE,
                          "hub cannot store right now; resend later", message_id);
    }
    s_ingest_job_clear (job);
}

//  Hands each idle lane its collected batch.
static void
s_ingest_schedule (hub_server_t *self)
{
    for (size_t l = 0; l < INGEST_LANES; l++) {
        ingest_lane_t *lane = &self->lanes [l];
        if (lane->in_flight || lane->collecting->count == 0)
            continue;
        ingest_job_t *job = lane->collecting;
        lane->collecting = lane->spare;
        lane->spare = NULL;
        if (hub_worker_submit (lane->worker, s_ingest_run, job) != CII_OK) {
            s_ingest_done (self, job);          //  every message gets UNAVAILABLE (found is false)
            lane->spare = lane->collecting;
            lane->collecting = job;
            continue;
        }
        lane->in_flight = job;
    }
}

//  --------------------------------------------------------------------------------------------
//  The control worker

static void
s_control_job_destroy (control_job_t **job_p)
{
    control_job_t *job = *job_p;
    if (!job)
        return;
    for (size_t i = 0; i < job->n_fetched; i++)
        free (job->fetched [i].body);
    free (job->fetched);
    free (job->agents);
    free (job->cantons);
    free (job->ack_ids);
    free (job->ack_seqs);
    free (job->session_ids);
    free (job->session_connected);
    free (job->epoch_ids);
    free (job->epochs);
    free (job->epoch_starts);
    free (job->replaced_ids);
    free (job->replaced_counts);
    free (job->seen_ids);
    free (job->fetch);
    free (job);
    *job_p = NULL;
}

static void
s_fetched (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    control_job_t *job = arg;
    if (job->n_fetched == job->cap_fetched) {
        size_t cap = job->cap_fetched ? job->cap_fetched * 2 : 64;
        fetched_t *bigger = realloc (job->fetched, cap * sizeof *bigger);
        if (!bigger)
            return;                 //  out of memory: those items are fetched again later
        job->fetched = bigger;
        job->cap_fetched = cap;
    }
    fetched_t *item = &job->fetched [job->n_fetched];
    item->body = malloc (size ? size : 1);
    if (!item->body)
        return;
    memcpy (item->body, body, size);
    item->size = size;
    item->agent_id = agent_id;
    item->seq = seq;
    snprintf (item->kind, sizeof item->kind, "%s", kind);
    job->n_fetched++;
}

//  In the control worker: writes what is due, then reloads and reads items.
static void
s_control_run (hub_store_t *store, void *arg)
{
    control_job_t *job = arg;
    if (job->after_commit) {
        cii_rc_t (*fns [17]) (hub_store_t *, cii_err_t *);
        hub_kinds_after_commit (fns, 17);
        for (size_t i = 0; fns [i]; i++) {
            cii_err_t err;
            if (fns [i] (store, &err) != CII_OK)
                zsys_warning ("hub: work after a commit failed (retried): %s", err.text);
        }
    }
    if (job->index) {
        cii_err_t err;
        if (hub_match_background (store, &err) != CII_OK)
            zsys_warning ("hub: indexing for similar failed (retried): %s", err.text);
    }
    if (job->reset_sessions)
        hub_store_agents_reset_sessions (store);
    job->rc_epochs = hub_store_agents_epoch (store, job->epoch_ids, job->epochs, job->epoch_starts, job->n_epochs);
    job->rc_replaced = hub_store_agents_replaced (store, job->replaced_ids, job->replaced_counts, job->n_replaced);
    job->rc_acks = hub_store_acks (store, job->ack_ids, job->ack_seqs, job->n_acks);
    job->rc_sessions = hub_store_agents_session (store, job->session_ids, job->session_connected, job->n_sessions);
    if (job->n_seen)
        hub_store_agents_seen (store, job->seen_ids, job->n_seen);
    job->rc_reload = CII_OK;
    if (job->reload) {
        job->rc_reload = hub_store_agent_list (store, &job->agents, &job->n_agents);
        if (job->rc_reload == CII_OK)
            job->rc_reload = hub_store_cantons (store, &job->cantons, &job->n_cantons);
    }
    job->rc_fetch = hub_store_downward_fetch (store, job->fetch, job->n_fetch, s_fetched, job);
}

static agent_t *
s_agent_by_id (hub_server_t *self, int64_t id)
{
    char key [24];
    snprintf (key, sizeof key, "%" PRId64, id);
    return zhashx_lookup (self->by_id, key);
}

static void s_zap_answer_waiting (hub_server_t *self, uint64_t done);

//  Applies a reload: new agents, sequences, revocations (closing their sessions at once).
static void
s_apply_reload (hub_server_t *self, control_job_t *job)
{
    for (size_t i = 0; i < job->n_agents; i++) {
        hub_agent_row_t *row = &job->agents [i];
        agent_t *agent = zhashx_lookup (self->agents, row->public_key);
        if (!agent) {
            agent = calloc (1, sizeof *agent);
            if (!agent)
                continue;           //  out of memory: this agent stays unknown, the others update
            agent->id = row->id;
            snprintf (agent->network, sizeof agent->network, "%s", row->network);
            snprintf (agent->public_key, sizeof agent->public_key, "%s", row->public_key);
            snprintf (agent->id_text, sizeof agent->id_text, "%" PRId64, row->id);
            agent->state = S_OFFLINE;
            zhashx_insert (self->agents, agent->public_key, agent);
            zhashx_insert (self->by_id, agent->id_text, agent);
        }
        if (row->last_seq > agent->last_seq)
            agent->last_seq = row->last_seq;
        if (row->acked_seq > agent->acked_seq && agent->state != S_OPEN)
            agent->acked_seq = row->acked_seq;
        if (agent->epoch_write == EPOCH_WRITTEN) {  //  else ours is newer than what was read
            agent->epoch = (uint64_t) row->epoch;
            agent->epoch_start = row->epoch_start;
        }
        if (row->revoked && agent->state != S_REVOKED)
            s_event (self, agent, E_REVOKED, NULL, NULL);
    }
    for (size_t i = 0; i < job->n_cantons; i++)
        hub_registry_set (self->registry, job->cantons [i].code, job->cantons [i].network);
}

static void
s_control_done (hub_server_t *self, control_job_t *job)
{
    //  What failed to be written stays due (unless something newer replaced it meanwhile).
    if (job->rc_acks != CII_OK)
        for (size_t i = 0; i < job->n_acks; i++) {
            agent_t *agent = s_agent_by_id (self, job->ack_ids [i]);
            if (agent && agent->ack_to_flush < job->ack_seqs [i])
                agent->ack_to_flush = job->ack_seqs [i];
        }
    if (job->rc_sessions != CII_OK)
        for (size_t i = 0; i < job->n_sessions; i++) {
            agent_t *agent = s_agent_by_id (self, job->session_ids [i]);
            if (agent && !agent->session_to_flush)
                agent->session_to_flush = job->session_connected [i] ? 1 : 2;
        }
    for (size_t i = 0; i < job->n_epochs; i++) {
        agent_t *agent = s_agent_by_id (self, job->epoch_ids [i]);
        if (agent && agent->epoch_write == EPOCH_WRITING)   //  (DUE: changed again meanwhile)
            agent->epoch_write = job->rc_epochs == CII_OK ? EPOCH_WRITTEN : EPOCH_DUE;
    }
    if (job->rc_replaced != CII_OK)
        for (size_t i = 0; i < job->n_replaced; i++) {
            agent_t *agent = s_agent_by_id (self, job->replaced_ids [i]);
            if (agent)
                agent->replaced_to_flush += job->replaced_counts [i];
        }
    if (job->reload && job->rc_reload == CII_OK)
        s_apply_reload (self, job);
    if (job->reload)                        //  without the database: refused, and they retry
        s_zap_answer_waiting (self, job->reload_number);
    for (size_t i = 0; i < job->n_fetch; i++) {
        agent_t *agent = s_agent_by_id (self, job->fetch [i].agent_id);
        if (agent)
            agent->fetching = false;
    }
    for (size_t i = 0; i < job->n_fetched; i++) {
        agent_t *agent = s_agent_by_id (self, job->fetched [i].agent_id);
        if (agent)
            s_deliver (self, agent, &job->fetched [i]);
    }
    //  Whatever is still due (failed writes, items beyond this fetch) goes in the next job.
    self->dirty = true;
}

//  Builds and hands over one job with everything due, when the control worker is free.
static void
s_control_schedule (hub_server_t *self)
{
    if (self->control_job || !(self->dirty || self->reload_wanted || self->reset_wanted || self->seen_wanted
                               || self->after_commit_wanted || self->index_wanted))
        return;
    size_t n_agents = zhashx_size (self->agents);
    control_job_t *job = calloc (1, sizeof *job);
    if (!job)
        return;
    job->ack_ids = calloc (n_agents + 1, sizeof (int64_t));
    job->ack_seqs = calloc (n_agents + 1, sizeof (int64_t));
    job->session_ids = calloc (n_agents + 1, sizeof (int64_t));
    job->session_connected = calloc (n_agents + 1, sizeof (bool));
    job->epoch_ids = calloc (n_agents + 1, sizeof (int64_t));
    job->epochs = calloc (n_agents + 1, sizeof (int64_t));
    job->epoch_starts = calloc (n_agents + 1, sizeof (int64_t));
    job->replaced_ids = calloc (n_agents + 1, sizeof (int64_t));
    job->replaced_counts = calloc (n_agents + 1, sizeof (int64_t));
    job->seen_ids = calloc (n_agents + 1, sizeof (int64_t));
    job->fetch = calloc (n_agents + 1, sizeof (hub_fetch_t));
    if (!job->ack_ids || !job->ack_seqs || !job->session_ids || !job->session_connected || !job->epoch_ids
    ||  !job->epochs || !job->epoch_starts || !job->replaced_ids || !job->replaced_counts || !job->seen_ids
    ||  !job->fetch) {
        s_control_job_destroy (&job);
        return;
    }
    job->reload = self->reload_wanted;
    job->after_commit = self->after_commit_wanted;
    job->index = self->index_wanted;
    if (job->reload)
        job->reload_number = self->reloads_started + 1;
    job->reset_sessions = self->reset_wanted;
    bool fetch_all = self->fetch_all_wanted;
    for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents)) {
        if (agent->ack_to_flush) {
            job->ack_ids [job->n_acks] = agent->id;
            job->ack_seqs [job->n_acks++] = agent->ack_to_flush;
        }
        if (agent->session_to_flush) {
            job->session_ids [job->n_sessions] = agent->id;
            job->session_connected [job->n_sessions++] = agent->session_to_flush == 1;
        }
        if (agent->epoch_write == EPOCH_DUE) {
            job->epoch_ids [job->n_epochs] = agent->id;
            job->epochs [job->n_epochs] = (int64_t) agent->epoch;
            job->epoch_starts [job->n_epochs++] = agent->epoch_start;
        }
        if (agent->replaced_to_flush) {
            job->replaced_ids [job->n_replaced] = agent->id;
            job->replaced_counts [job->n_replaced++] = agent->replaced_to_flush;
        }
        if (self->seen_wanted && agent->state == S_OPEN)
            job->seen_ids [job->n_seen++] = agent->id;
        bool room = agent->state == S_OPEN && agent->sent_seq - agent->acked_seq < DOWN_WINDOW;
        if (!agent->fetching && room && (fetch_all || s_wants_items (agent))) {
            hub_fetch_t *fetch = &job->fetch [job->n_fetch++];
            fetch->agent_id = agent->id;
            fetch->after_seq = agent->sent_seq;
            fetch->limit = (int) (DOWN_WINDOW - (agent->sent_seq - agent->acked_seq));
        }
    }
    if (!job->reload && !job->reset_sessions && !job->after_commit && !job->index && job->n_acks + job->n_sessions + job->n_epochs + job->n_replaced
        + job->n_seen
        + job->n_fetch == 0) {
        self->dirty = false;
        s_control_job_destroy (&job);
        return;
    }
    if (hub_worker_submit (self->control, s_control_run, job) != CII_OK) {
        s_control_job_destroy (&job);
        return;
    }
    //  Handed over: what it carries is no longer due.
    for (size_t i = 0; i < job->n_fetch; i++) {
        agent_t *agent = s_agent_by_id (self, job->fetch [i].agent_id);
        if (agent)
            agent->fetching = true;
    }
    for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents)) {
        agent->ack_to_flush = 0;
        agent->session_to_flush = 0;
        agent->replaced_to_flush = 0;
        if (agent->epoch_write == EPOCH_DUE)
            agent->epoch_write = EPOCH_WRITING;
    }
    self->reload_wanted = false;
    self->reset_wanted = false;
    self->seen_wanted = false;
    self->after_commit_wanted = false;
    self->index_wanted = false;
    self->dirty = false;
    //  A fetch of everything is only complete with the reload in the same job.
    if (job->reload) {
        self->fetch_all_wanted = false;
        self->reloads_started = job->reload_number;
    }
    self->control_job = job;
}

//  --------------------------------------------------------------------------------------------
//  Worker events

static int
s_on_ingest_worker (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    ingest_lane_t *lane = arg;
    hub_server_t *self = lane->server;
    void *job = NULL;
    char channel [64], payload [256];
    if (hub_worker_recv (lane->worker, &job, channel, payload) == HUB_WORKER_DONE && job == lane->in_flight) {
        lane->in_flight = NULL;
        self->ingested = true;
        if (((ingest_job_t *) job)->after_commit)
            self->after_commit_wanted = true;
        s_ingest_done (self, job);
        lane->spare = job;
        s_ingest_schedule (self);
        s_control_schedule (self);
    }
    return 0;
}

static int
s_on_control_worker (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hub_server_t *self = arg;
    void *job = NULL;
    char channel [64], payload [256];
    hub_worker_event_t event = hub_worker_recv (self->control, &job, channel, payload);
    if (event == HUB_WORKER_DONE && job == self->control_job) {
        self->control_job = NULL;
        s_control_done (self, job);
        s_control_job_destroy ((control_job_t **) &job);
    }
    else
    if (event == HUB_WORKER_NOTIFY) {
        //  A hint only: the data is read from the tables by the reload and fetch it triggers.
        self->reload_wanted = true;
        if (streq (channel, HUB_CHANNEL_DOWNWARD))
            self->fetch_all_wanted = true;
    }
    else
    if (event == HUB_WORKER_RECONNECTED) {
        self->reload_wanted = true;
        self->fetch_all_wanted = true;
    }
    s_control_schedule (self);
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  The ROUTER

//  The HELLO throttle of one key: a token bucket of HELLO_BURST, refilled one per HELLO_PER_MS.
static bool
s_hello_allowed (agent_t *agent)
{
    int64_t now = cii_util_mono_ms ();
    if (agent->hello_ms == 0)
        agent->hello_tokens = HELLO_BURST;
    else
        agent->hello_tokens += (double) (now - agent->hello_ms) / HELLO_PER_MS;
    if (agent->hello_tokens > HELLO_BURST)
        agent->hello_tokens = HELLO_BURST;
    agent->hello_ms = now;
    if (agent->hello_tokens < 1)
        return false;
    agent->hello_tokens -= 1;
    return true;
}

//  Handles one message from the ROUTER. user_id is the CURVE key the ZAP handler admitted.
static void
s_on_message (hub_server_t *self, const rid_t *rid, const char *user_id, const uint8_t *data, size_t size)
{
    agent_t *agent = user_id ? zhashx_lookup (self->agents, user_id) : NULL;
    if (!agent) {
        //  ZAP admitted the key, so it was known a moment ago; never act for an unknown key.
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "key not enrolled", NULL);
        return;
    }
    Cii__Envelope *env = NULL;
    cii_codec_error_t err;
    cii_rc_t rc = cii_codec_decode (data, size, &env, &err);
    if (rc != CII_OK) {
        zsys_warning ("hub: agent %s: refused a frame of %zu bytes: %s (%s)", agent->network, size, err.text,
                      cii_codec_error_name (err.code));
        //  An ERROR is never answered with an ERROR (docs/protocol.md §4.9): only logged.
        if (err.body != CII__ENVELOPE__BODY_ERROR)
            s_send_error (self, rid, rc == CII_BAD_INPUT ? err.code : CII__ERROR_CODE__ERROR_UNAVAILABLE, err.text,
                          err.message_id);
        return;
    }
    bool current = agent->state == S_OPEN && s_rid_equal (&agent->rid, rid);
    if (current)
        agent->heard_ms = cii_util_mono_ms ();
    session_event_t event;
    if (env->body_case == CII__ENVELOPE__BODY_HELLO && !s_hello_allowed (agent)) {
        //  A HELLO flood from one key costs everyone: refused, the session unchanged.
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNAVAILABLE, "too many HELLOs from this key: wait a second",
                      env->message_id);
        cii_codec_free (&env);
        return;
    }
    switch (env->body_case) {
        case CII__ENVELOPE__BODY_HELLO: event = E_HELLO; break;
        case CII__ENVELOPE__BODY_ERROR: event = E_AGENT_ERROR; break;
        case CII__ENVELOPE__BODY_PING:  event = current ? E_PING : E_STRANGER; break;
        case CII__ENVELOPE__BODY_ACK:   event = current ? E_ACK : E_STRANGER; break;
        default:
            if (cii_codec_kind (env) && cii_codec_kind (env)->direction == CII_UP) {
                event = current ? E_UPWARD : E_STRANGER;
                break;
            }
            s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNEXPECTED, "message kind not accepted from an agent",
                          env->message_id);
            cii_codec_free (&env);
            return;
    }
    s_event (self, agent, event, rid, &env);
    cii_codec_free (&env);
}

//  Reads what is readable (up to READ_MAX frames), then hands the batch and whatever else is due
//  to the workers.
static int
s_on_router (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hub_server_t *self = arg;
    void *handle = zsock_resolve (reader);
    for (int count = 0; count < READ_MAX; count++) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, handle, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part);
            break;
        }
        rid_t rid;
        rid.size = zmq_msg_size (&part) <= sizeof rid.data ? zmq_msg_size (&part) : sizeof rid.data;
        memcpy (rid.data, zmq_msg_data (&part), rid.size);
        int more = zmq_msg_more (&part);
        zmq_msg_close (&part);
        if (!more)
            continue;
        zmq_msg_t body;
        zmq_msg_init (&body);
        if (zmq_msg_recv (&body, handle, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&body);
            break;
        }
        //  libzmq 4.3.4: the ZAP user id is attached to body frames, not to the routing-id frame.
        const char *user_id = zmq_msg_gets (&body, "User-Id");
        if (zmq_msg_more (&body)) {
            //  A well-behaved agent sends exactly one frame per message.
            s_send_error (self, &rid, CII__ERROR_CODE__ERROR_MALFORMED, "one frame per message expected", NULL);
            zmq_msg_close (&body);
            while (1) {
                zmq_msg_t rest;
                zmq_msg_init (&rest);
                int rc = zmq_msg_recv (&rest, handle, ZMQ_DONTWAIT);
                int again = rc >= 0 && zmq_msg_more (&rest);
                zmq_msg_close (&rest);
                if (!again)
                    break;
            }
            continue;
        }
        s_on_message (self, &rid, user_id, zmq_msg_data (&body), zmq_msg_size (&body));
        zmq_msg_close (&body);
    }
    s_ingest_schedule (self);
    s_control_schedule (self);
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  ZAP handler (RFC 27) on a ROUTER, so that a request for an unknown key can wait for a reload
//  (a key enrolled a moment ago) without holding up the others. Admits a CURVE key only if an
//  enrolled, non-revoked agent has it; the user id is the key.

//  Counts a refused handshake; s_refusals_flush logs them, one line per interval (an attacker
//  retrying thousands of times a minute must not fill the disk with log lines).
static void
s_refusal (hub_server_t *self, const char *address, const char *reason)
{
    char key [160];
    snprintf (key, sizeof key, "%s (%s)", address && *address ? address : "?", reason);
    size_t *count = zhashx_lookup (self->refusals, key);
    if (!count && zhashx_size (self->refusals) < 1000) {
        count = calloc (1, sizeof *count);
        if (count)
            zhashx_insert (self->refusals, key, count);
    }
    if (count)
        (*count)++;
    self->refused++;
}

typedef struct {
    const char *key;
    size_t count;
} s_refusal_t;

static int
s_refusal_cmp (const void *a, const void *b)
{
    const s_refusal_t *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp (x->key, y->key);
}

//  Logs the refused handshakes of the interval as one line: the total and the addresses that
//  refused most, with their counts and reasons.
static void
s_refusals_flush (hub_server_t *self)
{
    int64_t now = cii_util_mono_ms ();
    if (self->refused == 0) {
        self->refusals_ms = now;
        return;
    }
    size_t n = zhashx_size (self->refusals);
    s_refusal_t *list = calloc (n + 1, sizeof *list);
    size_t i = 0;
    for (size_t *count = zhashx_first (self->refusals); list && count; count = zhashx_next (self->refusals)) {
        list [i].key = zhashx_cursor (self->refusals);
        list [i++].count = *count;
    }
    char line [600];
    int used = snprintf (line, sizeof line, "hub: refused %zu handshake%s in the last %" PRId64 " s:", self->refused,
                         self->refused == 1 ? "" : "s", (now - self->refusals_ms + 500) / 1000);
    if (list) {
        qsort (list, i, sizeof *list, s_refusal_cmp);
        for (size_t k = 0; k < i && k < 5 && used < (int) sizeof line; k++)
            used += snprintf (line + used, sizeof line - (size_t) used, "%s %s x%zu", k ? "," : "", list [k].key,
                              list [k].count);
        if (i > 5 && used < (int) sizeof line)
            snprintf (line + used, sizeof line - (size_t) used, " and %zu more address%s", i - 5, i - 5 == 1 ? "" : "es");
    }
    zsys_warning ("%s", line);
    free (list);
    zhashx_purge (self->refusals);
    self->refused = 0;
    self->refusals_ms = now;
}

//  Answers one request: [routing id][empty][version][request id][domain][address][identity]
//  [mechanism][credentials]. With reload_allowed, an unknown key waits for the next reload.
static bool
s_zap_answer (hub_server_t *self, zmsg_t *request, bool reload_allowed)
{
    zframe_t *routing = zmsg_pop (request);
    zframe_t *empty = zmsg_pop (request);
    char *version = zmsg_popstr (request);
    char *request_id = zmsg_popstr (request);
    char *domain = zmsg_popstr (request);
    char *address = zmsg_popstr (request);
    zframe_t *identity = zmsg_pop (request);
    char *mechanism = zmsg_popstr (request);
    zframe_t *key = zmsg_pop (request);
    bool waiting = false;

    const char *status = "400", *text = "not enrolled";
    char key_txt [41] = "";
    if (version && streq (version, "1.0") && mechanism && streq (mechanism, "CURVE") && key
    &&  zframe_size (key) == 32) {
        zmq_z85_encode (key_txt, zframe_data (key), 32);
        agent_t *agent = zhashx_lookup (self->agents, key_txt);
        if (!agent && reload_allowed && zlist_size (self->zap_waiting) < ZAP_WAITING_MAX) {
            waiting = true;       //  maybe enrolled a moment ago: ask again after a reload
        }
        else
        if (agent && agent->state != S_REVOKED) {
            status = "200";
            text = "OK";
        }
        else {
            text = agent ? "revoked" : "not enrolled";
            s_refusal (self, address, text);
        }
    }
    else
        s_refusal (self, address, "not CURVE");

    if (waiting) {
        //  Rebuild the request as it came and keep it.
        zmsg_t *again = zmsg_new ();
        zmsg_append (again, &routing);
        zmsg_append (again, &empty);
        zmsg_addstr (again, version);
        zmsg_addstr (again, request_id);
        zmsg_addstr (again, domain ? domain : "");
        zmsg_addstr (again, address ? address : "");
        zmsg_append (again, &identity);
        zmsg_addstr (again, mechanism);
        zmsg_append (again, &key);
        zap_wait_t *wait = calloc (1, sizeof *wait);
        if (wait) {
            //  A reload already running may have read the agents before this key was enrolled:
            //  the request waits for the next one to start.
            wait->request = again;
            wait->after = self->reloads_started + 1;
            zlist_append (self->zap_waiting, wait);
            self->reload_wanted = true;
        }
        else
            zmsg_destroy (&again);
    }
    else {
        zmsg_t *reply = zmsg_new ();
        zmsg_append (reply, &routing);
        zmsg_addmem (reply, NULL, 0);
        zmsg_addstr (reply, "1.0");
        zmsg_addstr (reply, request_id ? request_id : "");
        zmsg_addstr (reply, status);
        zmsg_addstr (reply, text);
        zmsg_addstr (reply, streq (status, "200") ? key_txt : "");
        zmsg_addmem (reply, NULL, 0);
        zmsg_send (&reply, self->zap);
    }
    zframe_destroy (&routing);
    zframe_destroy (&empty);
    zstr_free (&version);
    zstr_free (&request_id);
    zstr_free (&domain);
    zstr_free (&address);
    zframe_destroy (&identity);
    zstr_free (&mechanism);
    zframe_destroy (&key);
    return waiting;
}

//  Answers the waiting requests that reload number `done` settles.
static void
s_zap_answer_waiting (hub_server_t *self, uint64_t done)
{
    zap_wait_t *wait = zlist_first (self->zap_waiting);
    while (wait) {
        zap_wait_t *next = zlist_next (self->zap_waiting);
        if (wait->after <= done) {
            zlist_remove (self->zap_waiting, wait);
            s_zap_answer (self, wait->request, false);
            zmsg_destroy (&wait->request);
            free (wait);
        }
        wait = next;
    }
    if (zlist_size (self->zap_waiting) > 0)
        self->reload_wanted = true;
}

static int
s_on_zap (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hub_server_t *self = arg;
    zmsg_t *request = zmsg_recv (reader);
    if (!request)
        return 0;
    s_zap_answer (self, request, true);
    zmsg_destroy (&request);
    s_control_schedule (self);
    return 0;
}

//  --------------------------------------------------------------------------------------------
//  Housekeeping

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hub_server_t *self = arg;
    int64_t now = cii_util_mono_ms ();
    if (now - self->reload_ms >= RELOAD_EVERY_MS) {
        self->reload_wanted = true;
        self->after_commit_wanted = true;      //  work a hub that died left undone
        self->reload_ms = now;
    }
    for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents)) {
        if (agent->replaced_count && now - agent->replaced_since_ms >= self->config.replaced_log_ms) {
            char interval [24] = "minute";
            if (self->config.replaced_log_ms != 60000)
                snprintf (interval, sizeof interval, "%d ms", self->config.replaced_log_ms);
            if (agent->replaced_count >= REPLACED_WARN_AT)
                zsys_warning ("hub: agent %s: session replaced %d times in the last %s: two processes with one "
                              "key?", agent->network, agent->replaced_count, interval);
            agent->replaced_count = 0;
        }
        if (agent->state != S_OPEN)
            continue;
        if (now - agent->heard_ms > s_session_timeout_ms (self, agent)) {
            s_event (self, agent, E_SILENT, NULL, NULL);
            continue;
        }
        if (s_wants_items (agent))
            self->dirty = true;
        if (agent->sent_seq > agent->acked_seq && now - agent->sent_ms > self->config.resend_ms) {
            zsys_info ("hub: agent %s: no ack after %d ms, resending from %" PRId64, agent->network,
                       self->config.resend_ms, agent->acked_seq + 1);
            agent->sent_seq = agent->acked_seq;
            self->dirty = true;
        }
    }
    if (now - self->refusals_ms >= self->config.refusal_log_ms)
        s_refusals_flush (self);
    //  last_seen of every connected agent moves, so `agents` can tell live from stale
    self->seen_wanted = true;
    //  Indexing for `similar` only while nothing is being stored (hub_match_background)
    if (!self->ingested)
        self->index_wanted = true;
    self->ingested = false;
    s_ingest_schedule (self);
    s_control_schedule (self);
    return 0;
}

static int
s_on_pipe (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) arg;
    char *command = zstr_recv (reader);
    bool term = !command || streq (command, "$TERM");
    zstr_free (&command);
    return term ? -1 : 0;
}

//  --------------------------------------------------------------------------------------------
//  Life cycle

static void
s_agent_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  Every agent connection is a file descriptor; the usual soft limit of 1024 would cap the hub
//  near a thousand agents. Raise it to the hard limit (systemd: LimitNOFILE in the unit).
static void
s_raise_fd_limit (void)
{
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
            zsys_warning ("hub: cannot raise the open-files limit: %s", strerror (errno));
    }
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192)
        zsys_warning ("hub: open-files limit %lu allows about %lu agents (raise LimitNOFILE)",
                      (unsigned long) rl.rlim_cur, (unsigned long) rl.rlim_cur - 64);
}

//  The first job, run before the loop starts: sessions of a previous run are over; load agents
//  and registry. Waits for it (the loop is not running yet).
static cii_rc_t
s_first_load (hub_server_t *self, cii_err_t *err)
{
    control_job_t *job = calloc (1, sizeof *job);
    if (!job)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    job->reset_sessions = true;
    job->reload = true;
    cii_rc_t rc = hub_worker_submit (self->control, s_control_run, job);
    if (rc == CII_OK) {
        void *done = NULL;
        char channel [64], payload [256];
        hub_worker_event_t event;
        while ((event = hub_worker_recv (self->control, &done, channel, payload)) != HUB_WORKER_DONE)
            if (event == HUB_WORKER_NONE)
                break;
        rc = event == HUB_WORKER_DONE ? job->rc_reload : CII_UNAVAILABLE;
    }
    if (rc == CII_OK)
        s_apply_reload (self, job);
    else
        cii_err_set (err, rc, "cannot load the agents from the database");
    s_control_job_destroy (&job);
    return rc;
}

hub_server_t *
hub_server_new (const hub_server_config_t *config, cii_err_t *err)
{
    assert (config && config->certs_dir && config->bind);
    s_raise_fd_limit ();
    hub_server_t *self = calloc (1, sizeof *self);
    if (!self) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        return NULL;
    }
    self->config = *config;
    if (self->config.heartbeat_ms <= 0)
        self->config.heartbeat_ms = HEARTBEAT_MS;
    if (self->config.ping_budget <= 0)
        self->config.ping_budget = PING_BUDGET;
    if (self->config.session_timeout_ms <= 0)
        self->config.session_timeout_ms = SESSION_TIMEOUT_MS;
    if (self->config.resend_ms <= 0)
        self->config.resend_ms = RESEND_AFTER_MS;
    if (self->config.refusal_log_ms <= 0)
        self->config.refusal_log_ms = REFUSAL_LOG_MS;
    if (self->config.replaced_log_ms <= 0)
        self->config.replaced_log_ms = REPLACED_LOG_MS;
    self->conninfo = strdup (config->conninfo ? config->conninfo : "");
    self->agents = zhashx_new ();
    self->by_id = zhashx_new ();
    self->registry = hub_registry_new ();
    self->zap_waiting = zlist_new ();
    self->refusals = zhashx_new ();
    bool jobs = true;
    for (size_t l = 0; l < INGEST_LANES; l++) {
        self->lanes [l].server = self;
        self->lanes [l].collecting = s_ingest_job_new ();
        self->lanes [l].spare = s_ingest_job_new ();
        jobs = jobs && self->lanes [l].collecting && self->lanes [l].spare;
    }
    if (!self->conninfo || !self->agents || !self->by_id || !self->registry || !self->zap_waiting
    ||  !self->refusals || !jobs) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        goto fail;
    }
    zhashx_set_destructor (self->agents, s_agent_free);
    zhashx_set_destructor (self->refusals, s_agent_free);      //  plain malloc'd counters

    //  The database: exactly this binary's schema; the key pair (the one bundles were issued with).
    hub_store_t *store = hub_setup_connect (self->conninfo, err);
    if (!store)
        goto fail;
    self->cert = hub_setup_load_cert (store, config->certs_dir, err);
    hub_store_destroy (&store);
    if (!self->cert)
        goto fail;

    const char *ingest_channels [] = { NULL };
    const char *control_channels [] = { HUB_CHANNEL_AGENTS, HUB_CHANNEL_DOWNWARD, NULL };
    for (size_t l = 0; l < INGEST_LANES; l++) {
        char name [16];
        snprintf (name, sizeof name, "ingest-%zu", l + 1);
        self->lanes [l].worker = hub_worker_new (name, self->conninfo, ingest_channels, err);
        if (!self->lanes [l].worker)
            goto fail;
    }
    self->control = hub_worker_new ("control", self->conninfo, control_channels, err);
    if (!self->control || s_first_load (self, err) != CII_OK)
        goto fail;

    //  The ZAP handler must be bound before any CURVE socket starts handshakes.
    self->zap = zsock_new (ZMQ_ROUTER);
    if (!self->zap || zsock_bind (self->zap, ZAP_ENDPOINT) != 0) {
        cii_err_set (err, CII_CONFLICT, "cannot bind the ZAP handler (another hub in this process?)");
        goto fail;
    }
    self->router = zsock_new (ZMQ_ROUTER);
    if (!self->router) {
        cii_err_set (err, CII_NO_MEMORY, "cannot create the ROUTER socket");
        goto fail;
    }
    zsock_set_zap_domain (self->router, "cii");
    zcert_apply (self->cert, self->router);
    zsock_set_curve_server (self->router, 1);
    zsock_set_router_mandatory (self->router, 1);
    //  No ZMTP heartbeats on the hub side: libzmq 4.3.4 cancels a connection's heartbeat timer
    //  with a linear scan of all timers, on every message, which with 5,000 agents kept one core
    //  busy doing nothing (measured: 89 % idle CPU). Sessions live and die by the application
    //  PING/PONG; dead TCP connections are reaped by TCP keepalive.
    zsock_set_tcp_keepalive (self->router, 1);
    zsock_set_tcp_keepalive_idle (self->router, 30);
    zsock_set_tcp_keepalive_intvl (self->router, 10);
    zsock_set_tcp_keepalive_cnt (self->router, 3);
    //  libzmq reads a whole frame before we see it: bound it (a larger frame drops the peer).
    zsock_set_maxmsgsize (self->router, MAX_FRAME_IN);
    //  ... and how many frames one peer can have waiting in the hub's memory.
    zsock_set_sndhwm (self->router, SNDHWM);
    zsock_set_rcvhwm (self->router, RCVHWM);
    //  A TCP connection that does not complete its CURVE handshake in time is closed: a peer
    //  holding connections open without authenticating cannot keep descriptors for long.
    zsock_set_handshake_ivl (self->router, HANDSHAKE_MS);
    //  After a hub restart every agent reconnects at once: libzmq's default listen backlog of 100
    //  overflowed with thousands, and the refused SYNs' retries left agents without a WELCOME for
    //  minutes (bench_e2e, issue 10). The kernel caps it at net.core.somaxconn (4096 on Debian 12).
    zsock_set_backlog (self->router, LISTEN_BACKLOG);
    zsock_set_linger (self->router, 0);
    if (zsock_bind (self->router, "%s", config->bind) < 0) {
        cii_err_set (err, CII_UNAVAILABLE, "cannot bind %s: %s", config->bind, zmq_strerror (zmq_errno ()));
        goto fail;
    }
    const char *last = zsock_last_endpoint (self->router);
    snprintf (self->endpoint, sizeof self->endpoint, "%s", last ? last : config->bind);
    zstr_free ((char **) &last);

    self->loop = zloop_new ();
    if (!self->loop) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        goto fail;
    }
    zloop_reader (self->loop, self->zap, s_on_zap, self);
    zloop_reader (self->loop, self->router, s_on_router, self);
    for (size_t l = 0; l < INGEST_LANES; l++)
        zloop_reader (self->loop, hub_worker_sock (self->lanes [l].worker), s_on_ingest_worker, &self->lanes [l]);
    zloop_reader (self->loop, hub_worker_sock (self->control), s_on_control_worker, self);
    zloop_timer (self->loop, TICK_MS, 0, s_on_tick, self);
    self->reload_ms = cii_util_mono_ms ();
    self->refusals_ms = self->reload_ms;
    int version = hub_store_binary_schema_version ();
    zsys_info ("hub: serving on %s (schema %d, %zu agents enrolled, key %s)", self->endpoint, version,
               zhashx_size (self->agents), zcert_public_txt (self->cert));
    return self;

fail:
    hub_server_destroy (&self);
    return NULL;
}

const char *
hub_server_endpoint (hub_server_t *self)
{
    assert (self);
    return self->endpoint;
}

const char *
hub_server_public_key (hub_server_t *self)
{
    assert (self);
    return zcert_public_txt (self->cert);
}

void
hub_server_destroy (hub_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hub_server_t *self = *self_p;
    zloop_destroy (&self->loop);
    zsock_destroy (&self->router);
    if (self->zap_waiting) {
        zap_wait_t *wait;
        while ((wait = zlist_pop (self->zap_waiting)) != NULL) {
            zmsg_destroy (&wait->request);
            free (wait);
        }
        zlist_destroy (&self->zap_waiting);
    }
    zsock_destroy (&self->zap);
    //  Wait for the jobs in flight (the workers finish them), then record sessions closed.
    for (size_t l = 0; l < INGEST_LANES; l++) {
        ingest_lane_t *lane = &self->lanes [l];
        if (!lane->worker || !lane->in_flight)
            continue;
        void *job = NULL;
        char channel [64], payload [256];
        while (hub_worker_pending (lane->worker) > 0
               && hub_worker_recv (lane->worker, &job, channel, payload) != HUB_WORKER_NONE)
            ;
    }
    if (self->control && self->control_job) {
        void *job = NULL;
        char channel [64], payload [256];
        while (hub_worker_pending (self->control) > 0
               && hub_worker_recv (self->control, &job, channel, payload) != HUB_WORKER_NONE)
            ;
        s_control_job_destroy (&self->control_job);
    }
    if (self->control && self->agents) {
        control_job_t *job = calloc (1, sizeof *job);
        size_t n = zhashx_size (self->agents);
        if (job && (job->session_ids = calloc (n + 1, sizeof (int64_t)))
        &&  (job->session_connected = calloc (n + 1, sizeof (bool)))
        &&  (job->epoch_ids = calloc (n + 1, sizeof (int64_t))) && (job->epochs = calloc (n + 1, sizeof (int64_t)))
        &&  (job->epoch_starts = calloc (n + 1, sizeof (int64_t)))
        &&  (job->replaced_ids = calloc (n + 1, sizeof (int64_t)))
        &&  (job->replaced_counts = calloc (n + 1, sizeof (int64_t)))) {
            for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents)) {
                if (agent->state == S_OPEN) {
                    job->session_ids [job->n_sessions] = agent->id;
                    job->session_connected [job->n_sessions++] = false;
                }
                //  A new epoch not written yet (should the write fail, an agent that took it is
                //  still served: s_resume), and the replacements counted since the last job.
                if (agent->epoch_write != EPOCH_WRITTEN) {
                    job->epoch_ids [job->n_epochs] = agent->id;
                    job->epochs [job->n_epochs] = (int64_t) agent->epoch;
                    job->epoch_starts [job->n_epochs++] = agent->epoch_start;
                }
                if (agent->replaced_to_flush) {
                    job->replaced_ids [job->n_replaced] = agent->id;
                    job->replaced_counts [job->n_replaced++] = agent->replaced_to_flush;
                }
            }
            if (job->n_sessions + job->n_epochs + job->n_replaced
            &&  hub_worker_submit (self->control, s_control_run, job) == CII_OK) {
                void *done = NULL;
                char channel [64], payload [256];
                hub_worker_event_t event;
                while ((event = hub_worker_recv (self->control, &done, channel, payload)) != HUB_WORKER_DONE
                       && event != HUB_WORKER_NONE)
                    ;
            }
        }
        s_control_job_destroy (&job);
    }
    for (size_t l = 0; l < INGEST_LANES; l++) {
        hub_worker_destroy (&self->lanes [l].worker);
        s_ingest_job_destroy (&self->lanes [l].in_flight);
        s_ingest_job_destroy (&self->lanes [l].collecting);
        s_ingest_job_destroy (&self->lanes [l].spare);
    }
    hub_worker_destroy (&self->control);
    zhashx_destroy (&self->by_id);
    if (self->refusals) {
        s_refusals_flush (self);
        zhashx_destroy (&self->refusals);
    }
    zhashx_destroy (&self->agents);
    hub_registry_destroy (&self->registry);
    zcert_destroy (&self->cert);
    free (self->conninfo);
    free (self);
    *self_p = NULL;
}

void
hub_server_run (hub_server_t *self, zsock_t *pipe)
{
    assert (self);
    if (pipe) {
        self->pipe = pipe;
        zloop_reader (self->loop, pipe, s_on_pipe, self);
        zloop_set_nonstop (self->loop, true);       //  an actor stops on "$TERM" only
        zloop_start (self->loop);
        return;
    }
    //  zloop_start also returns when zmq_poll fails (EINTR from a stray signal): the hub stops only
    //  on SIGINT/SIGTERM, so anything else is logged and the loop resumes.
    while (!zsys_interrupted) {
        errno = 0;
        zloop_start (self->loop);
        if (!zsys_interrupted) {
            zsys_warning ("hub: event loop interrupted (%s); resuming", errno ? strerror (errno) : "no error");
            zclock_sleep (10);
        }
    }
    zsys_info ("hub: stopping");
}

void
hub_server_actor (zsock_t *pipe, void *args)
{
    const hub_server_config_t *config = args;
    zsock_signal (pipe, 0);
    cii_err_t err;
    cii_err_clear (&err);
    hub_server_t *self = hub_server_new (config, &err);
    if (!self) {
        zsock_send (pipe, "ss", "FAILED", err.text);
        char *term = zstr_recv (pipe);
        zstr_free (&term);
        return;
    }
    zsock_send (pipe, "sss", "READY", self->endpoint, hub_server_public_key (self));
    hub_server_run (self, pipe);
    hub_server_destroy (&self);
}

int
hub_server_main (const char *conninfo, const char *certs_dir, const char *bind)
{
    hub_server_config_t config = { .conninfo = conninfo, .certs_dir = certs_dir, .bind = bind };
    cii_err_t err;
    cii_err_clear (&err);
    hub_server_t *self = hub_server_new (&config, &err);
    if (!self) {
        zsys_error ("hub: %s", err.text);
        fprintf (stderr, "cii-hub serve: %s\n", err.text);
        return 1;
    }
    hub_server_run (self, NULL);
    hub_server_destroy (&self);
    return 0;
}
