/*  hub_server.c — `cii-hub serve`: one ROUTER socket (CURVE server, ROUTER_MANDATORY), the ZAP
    handler admitting only enrolled non-revoked keys, agent sessions, batched idempotent ingest
    (commit, then receipts) and the per-agent downward queue — one zloop over a stateless store.
    Everything that must survive a crash is in PostgreSQL; what is here is a cache of it. */
#include "hub_server.h"
#include "hub_store.h"
#include "cii_codec.h"
#include "cii_util.h"

#include <czmq.h>
#include <string.h>
#include <sys/resource.h>

#define HEARTBEAT_MS        1000    //  agents PING at least this often (WELCOME.heartbeat_ms)
#define SESSION_TIMEOUT_MS  5000    //  silence after which a session is closed
#define RESEND_AFTER_MS     10000   //  unacknowledged downward items are resent after this
#define DOWN_WINDOW         128     //  unacknowledged DELIVERs per session
#define BATCH_MAX           512     //  upward messages read (and committed) per batch
#define RELOAD_MS           1000    //  agents/registry reload and housekeeping
#define ZAP_RELOAD_MIN_MS   200     //  at most this often, reload agents on an unknown key
#define ZAP_ENDPOINT        "inproc://zeromq.zap.01"

typedef struct {
    uint8_t data[256];
    size_t size;
} rid_t;

//  One enrolled agent: the cached row, plus its session when one is open.
typedef struct {
    int64_t id;
    char network[33];
    char public_key[41];
    bool revoked;
    int64_t last_seq;           //  highest sequence assigned (PostgreSQL)
    int64_t acked_seq;          //  highest sequence acknowledged
    bool in_session;
    rid_t rid;                  //  routing id of the current session
    int64_t heard_ms;           //  monotonic time of the last message
    int64_t sent_seq;           //  next DELIVER goes out after this (moved back to resend)
    int64_t max_sent_seq;       //  highest sequence ever sent in this session (ACK check)
    int64_t sent_ms;            //  monotonic time of the last DELIVER sent
    int64_t ack_to_flush;       //  acknowledged sequence not yet written (0 = none)
} agent_t;

typedef struct {
    agent_t *agent;
    rid_t rid;
    Cii__Envelope *env;
} pending_t;

typedef struct {
    hub_store_t *store;
    zcert_t *cert;
    zsock_t *router;
    zsock_t *zap;
    zloop_t *loop;
    zhashx_t *agents;            //  Z85 public key -> agent_t (owned)
    zhashx_t *cantons;           //  canton code -> network name (owned strings)
    zmq_pollitem_t pg_item;      //  PostgreSQL socket for NOTIFY wake-ups (fd -1 when none)
    int64_t zap_reload_ms;
    uint64_t out_counter;        //  for our own message ids
    pending_t batch[BATCH_MAX];
    size_t batch_size;
    hub_ingest_item_t items[BATCH_MAX];
    Cii__ErrorCode refuse[BATCH_MAX];   //  final refusal of an item the database would not take
} server_t;

//  --------------------------------------------------------------------------
//  Sending

static void
s_next_id (server_t *self, char *buf, size_t size)
{
    snprintf (buf, size, "h-%" PRIx64 "-%" PRIx64, (uint64_t) getpid (), ++self->out_counter);
}

//  Sends one packed frame to a routing id. 0 sent, -1 peer gone (EHOSTUNREACH), -2 would block
//  (high-water mark: the caller keeps the item and retries later; nothing is silently dropped).
static int
s_send_raw (server_t *self, const rid_t *rid, const uint8_t *data, size_t size)
{
    void *handle = zsock_resolve (self->router);
    if (zmq_send (handle, rid->data, rid->size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? -2 : -1;
    if (zmq_send (handle, data, size, ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? -2 : -1;
    return 0;
}

static int
s_send (server_t *self, const rid_t *rid, Cii__Envelope *env)
{
    char id[40];
    s_next_id (self, id, sizeof id);
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = id;
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    if (cii_codec_encode (env, &data, &size, &err) != 0) {
        zsys_error ("hub: cannot encode %s: %s", cii_codec_body_name (env), err.text);
        return -1;
    }
    int rc = s_send_raw (self, rid, data, size);
    free (data);
    return rc;
}

static void
s_send_error (server_t *self, const rid_t *rid, Cii__ErrorCode code, const char *text,
              const char *message_id)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Error error = CII__ERROR__INIT;
    char line[CII_MAX_ERROR_TEXT + 1];
    snprintf (line, sizeof line, "%s", text);
    error.code = code;
    error.text = line;
    error.message_id = (char *) (message_id ? message_id : "");
    env.body_case = CII__ENVELOPE__BODY_ERROR;
    env.error = &error;
    s_send (self, rid, &env);
}

//  --------------------------------------------------------------------------
//  Agents cache and sessions

static void
s_agent_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

static void
s_session_close (server_t *self, agent_t *agent, const char *why)
{
    if (!agent->in_session)
        return;
    agent->in_session = false;
    zsys_info ("hub: agent %s: session closed (%s)", agent->network, why);
    hub_store_agent_session (self->store, agent->id, false);
}

//  Reloads agents and the canton registry from PostgreSQL. Revocations close sessions at once.
static int
s_reload (server_t *self)
{
    hub_agent_info_t *rows = NULL;
    int count = hub_store_agent_list (self->store, &rows);
    if (count < 0)
        return -1;
    for (int i = 0; i < count; i++) {
        hub_agent_info_t *row = &rows[i];
        agent_t *agent = zhashx_lookup (self->agents, row->public_key);
        if (!agent) {
            agent = calloc (1, sizeof *agent);
            if (!agent)
                continue;         //  out of memory: this agent stays unknown, the others update
            agent->id = row->id;
            snprintf (agent->network, sizeof agent->network, "%s", row->network);
            snprintf (agent->public_key, sizeof agent->public_key, "%s", row->public_key);
            zhashx_insert (self->agents, agent->public_key, agent);
        }
        if (row->last_seq > agent->last_seq)
            agent->last_seq = row->last_seq;
        if (row->acked_seq > agent->acked_seq)
            agent->acked_seq = row->acked_seq;
        if (row->revoked && !agent->revoked) {
            agent->revoked = true;
            zsys_warning ("hub: agent %s: key %s revoked", agent->network, agent->public_key);
            if (agent->in_session) {
                s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_REVOKED,
                              "this agent's key was revoked by the bureau", NULL);
                s_session_close (self, agent, "revoked");
            }
        }
    }
    free (rows);

    hub_canton_row_t *cantons = NULL;
    count = hub_store_cantons (self->store, &cantons);
    if (count < 0)
        return -1;
    for (int i = 0; i < count; i++) {
        const char *known = zhashx_lookup (self->cantons, cantons[i].code);
        if (!known || strcmp (known, cantons[i].network) != 0)
            zhashx_update (self->cantons, cantons[i].code, strdup (cantons[i].network));
    }
    free (cantons);
    return 0;
}

//  Sends every downward item the session has not been sent yet, within the window.
static int
s_down_item (int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg);

typedef struct {
    server_t *server;
    agent_t *agent;
    int blocked;
} down_ctx_t;

static void
s_dispatch (server_t *self, agent_t *agent)
{
    if (!agent->in_session || agent->revoked)
        return;
    while (agent->sent_seq < agent->last_seq
           && agent->sent_seq - agent->acked_seq < DOWN_WINDOW) {
        int64_t in_flight = agent->sent_seq - agent->acked_seq;
        int room = in_flight < 0 ? DOWN_WINDOW : (int) (DOWN_WINDOW - in_flight);
        down_ctx_t ctx = { self, agent, 0 };
        int64_t before = agent->sent_seq;
        int rc = hub_store_downward (self->store, agent->id, agent->sent_seq, room, s_down_item, &ctx);
        if (rc <= 0 || ctx.blocked || agent->sent_seq == before)
            break;
    }
}

static int
s_down_item (int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    down_ctx_t *ctx = arg;
    agent_t *agent = ctx->agent;
    if (seq != agent->sent_seq + 1) {
        zsys_error ("hub: agent %s: downward sequence gap %" PRId64 " after %" PRId64,
                    agent->network, seq, agent->sent_seq);
        return -1;
    }
    char id[48];
    snprintf (id, sizeof id, "d-%" PRId64 "-%" PRId64, agent->id, seq);
    uint8_t *data = NULL;
    size_t data_size = 0;
    if (cii_codec_encode_deliver ((uint64_t) seq, kind, body, size, id, &data, &data_size) != 0) {
        zsys_error ("hub: agent %s: stored item %" PRId64 " (%s) cannot be encoded", agent->network, seq, kind);
        return -1;
    }
    int rc = s_send_raw (ctx->server, &agent->rid, data, data_size);
    free (data);
    if (rc == -2) {
        ctx->blocked = 1;          //  high-water mark: stays pending, retried on the next tick
        return -1;
    }
    if (rc == -1) {
        s_session_close (ctx->server, agent, "peer gone");
        ctx->blocked = 1;
        return -1;
    }
    agent->sent_seq = seq;
    if (seq > agent->max_sent_seq)
        agent->max_sent_seq = seq;
    agent->sent_ms = cii_util_mono_ms ();
    return 0;
}

static void
s_dispatch_all (server_t *self)
{
    for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents))
        s_dispatch (self, agent);
}

//  Writes pending acknowledgements; those that fail stay pending for the next flush.
static void
s_flush_acks (server_t *self)
{
    agent_t *agents[64];
    int64_t ids[64], seqs[64];
    size_t n = 0;
    for (agent_t *agent = zhashx_first (self->agents); ; agent = zhashx_next (self->agents)) {
        if (agent && agent->ack_to_flush) {
            agents[n] = agent;
            ids[n] = agent->id;
            seqs[n] = agent->ack_to_flush;
            n++;
        }
        if ((n == 64 || !agent) && n > 0) {
            if (hub_store_acks (self->store, ids, seqs, n) == 0)
                for (size_t i = 0; i < n; i++)
                    if (agents[i]->ack_to_flush == seqs[i])
                        agents[i]->ack_to_flush = 0;
            n = 0;
        }
        if (!agent)
            break;
    }
}

//  --------------------------------------------------------------------------
//  Message handlers, one per body kind

static int
s_strcmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
s_on_hello (server_t *self, agent_t *agent, const rid_t *rid, const Cii__Hello *hello)
{
    if (agent->in_session && (agent->rid.size != rid->size || memcmp (agent->rid.data, rid->data, rid->size))) {
        s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_SESSION_REPLACED,
                      "a newer session of this agent took over", NULL);
        zsys_info ("hub: agent %s: new session replaces the previous one", agent->network);
    }
    //  Compared as unsigned: a last_seq beyond 2^63 is simply more than we ever assigned.
    int64_t held = hello->last_seq > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) hello->last_seq;
    if (held > agent->last_seq) {
        //  The agent holds more than this database ever assigned it: the database was restored
        //  from an older backup. Number new items after what the agent holds, or it would take
        //  them for duplicates and drop them.
        zsys_warning ("hub: agent %s: holds seq %" PRId64 " but only %" PRId64 " assigned here "
                      "(database restored from a backup?); new items are numbered after %" PRId64,
                      agent->network, held, agent->last_seq, held);
        if (held - agent->last_seq > 1000000 || hub_store_agent_hold (self->store, agent->id, held) != 0) {
            s_send_error (self, rid, CII__ERROR_CODE__ERROR_BAD_ACK,
                          "HELLO.last_seq is beyond anything this hub assigned", NULL);
            return;
        }
        agent->last_seq = held;
    }
    agent->in_session = true;
    agent->rid = *rid;
    agent->sent_seq = held;       //  replay everything after what the agent holds
    agent->max_sent_seq = held;
    if (held > agent->acked_seq)
        agent->ack_to_flush = held;   //  HELLO.last_seq is an acknowledgement
    //  In memory the window starts at what the agent holds, even below an earlier ACK (its
    //  state was restored from a backup): it gets those items again. PostgreSQL keeps the
    //  highest acknowledgement.
    agent->acked_seq = held;
    hub_store_agent_session (self->store, agent->id, true);

    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Welcome welcome = CII__WELCOME__INIT;
    char *cantons[CII_MAX_CANTONS];
    size_t n = 0;
    for (const char *net = zhashx_first (self->cantons); net && n < CII_MAX_CANTONS;
         net = zhashx_next (self->cantons))
        if (strcmp (net, agent->network) == 0)
            cantons[n++] = (char *) zhashx_cursor (self->cantons);
    qsort (cantons, n, sizeof cantons[0], s_strcmp);
    welcome.network = agent->network;
    welcome.cantons = cantons;
    welcome.n_cantons = n;
    welcome.heartbeat_ms = HEARTBEAT_MS;
    welcome.last_seq = (uint64_t) agent->last_seq;
    welcome.hub_time_ms = cii_util_now_ms ();
    env.body_case = CII__ENVELOPE__BODY_WELCOME;
    env.welcome = &welcome;
    s_send (self, rid, &env);
    zsys_info ("hub: agent %s: session open (holds seq %" PRId64 ", %" PRId64 " to replay)",
               agent->network, held, agent->last_seq - held);
    s_dispatch (self, agent);
}

static void
s_on_ack (server_t *self, agent_t *agent, const Cii__Envelope *env)
{
    char text[120];
    if (env->ack->seq > (uint64_t) agent->max_sent_seq) {
        snprintf (text, sizeof text, "ack %" PRIu64 " for a sequence never sent (sent up to %" PRId64 ")",
                  env->ack->seq, agent->max_sent_seq);
        s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_BAD_ACK, text, env->message_id);
        return;
    }
    int64_t seq = (int64_t) env->ack->seq;
    if (seq == agent->acked_seq)
        return;                   //  re-acknowledgement after a resend: idempotent
    if (seq < agent->acked_seq) {
        snprintf (text, sizeof text, "ack %" PRId64 " is behind the acknowledged sequence %" PRId64,
                  seq, agent->acked_seq);
        s_send_error (self, &agent->rid, CII__ERROR_CODE__ERROR_BAD_ACK, text, env->message_id);
        return;
    }
    agent->acked_seq = seq;
    agent->ack_to_flush = seq;
    if (agent->sent_seq < seq)
        agent->sent_seq = seq;    //  acknowledged while a resend was pending: skip what it holds
    s_dispatch (self, agent);     //  the window moved
}

static void
s_on_ping (server_t *self, agent_t *agent, const Cii__Envelope *env)
{
    Cii__Envelope reply = CII__ENVELOPE__INIT;
    Cii__Pong pong = CII__PONG__INIT;
    pong.sent_at_ms = env->ping->sent_at_ms;
    reply.body_case = CII__ENVELOPE__BODY_PONG;
    reply.pong = &pong;
    s_send (self, &agent->rid, &reply);
}

//  Checks an upward SIGNAL against the registry; queues it for the batch. Returns 0 queued (the
//  batch owns env), -1 refused (ERROR sent; caller frees env).
static void s_send_receipt (server_t *self, const rid_t *rid, const char *message_id, const char *ref,
                            int64_t received_at_ms, bool duplicate);

static int
s_on_signal (server_t *self, agent_t *agent, const rid_t *rid, Cii__Envelope *env)
{
    const char *canton = env->signal->canton;
    const char *network = zhashx_lookup (self->cantons, canton);
    char text[160];
    if (!network || strcmp (network, agent->network) != 0) {
        //  Refused by today's registry, but it may be a resend of a message stored before the
        //  bureau moved the canton: then it gets its original receipt, not a refusal.
        char ref[32];
        int64_t received_at_ms = 0;
        if (hub_store_ingest_lookup (self->store, agent->id, env->message_id, ref, &received_at_ms) == 1) {
            s_send_receipt (self, rid, env->message_id, ref, received_at_ms, true);
            return -1;
        }
    }
    if (!network) {
        snprintf (text, sizeof text, "canton %s is not in the registry", canton);
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON, text, env->message_id);
        return -1;
    }
    if (strcmp (network, agent->network) != 0) {
        snprintf (text, sizeof text, "canton %s belongs to network %s, not %s", canton, network, agent->network);
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, text, env->message_id);
        zsys_warning ("hub: agent %s: refused signal %s for canton %s", agent->network, env->message_id, canton);
        return -1;
    }
    pending_t *pending = &self->batch[self->batch_size++];
    pending->agent = agent;
    pending->rid = *rid;
    pending->env = env;
    return 0;
}

static void
s_send_receipt (server_t *self, const rid_t *rid, const char *message_id, const char *ref,
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

//  Commits the batch in one transaction, then sends the receipts.
static void
s_commit_batch (server_t *self)
{
    if (self->batch_size == 0)
        return;
    size_t n = self->batch_size;
    for (size_t i = 0; i < n; i++) {
        hub_ingest_item_t *item = &self->items[i];
        self->refuse[i] = CII__ERROR_CODE__ERROR_UNSPECIFIED;
        memset (item, 0, sizeof *item);
        item->agent_id = self->batch[i].agent->id;
        item->network = self->batch[i].agent->network;
        item->env = self->batch[i].env;
    }
    int rc = hub_store_ingest (self->store, self->items, n);
    if (rc != 0 && n > 1 && !hub_store_broken (self->store)) {
        //  The database is up but refused the batch: one message must be at fault. Store the
        //  messages one by one so that it cannot hold back everybody else's.
        zsys_warning ("hub: batch of %zu refused (%s); storing its messages one by one", n,
                      hub_store_error (self->store));
        for (size_t i = 0; i < n; i++) {
            if (hub_store_ingest (self->store, &self->items[i], 1) == 0)
                continue;
            const char *state = hub_store_sqlstate (self->store);
            zsys_error ("hub: agent %s: %s not stored: %s (SQLSTATE %s)", self->batch[i].agent->network,
                        self->batch[i].env->message_id, hub_store_error (self->store), state);
            //  Data exceptions and integrity violations (classes 22, 23) come back on every
            //  resend: refuse the message for good. Anything else may pass later.
            if (!hub_store_broken (self->store) && (strncmp (state, "22", 2) == 0 || strncmp (state, "23", 2) == 0))
                self->refuse[i] = CII__ERROR_CODE__ERROR_MALFORMED;
        }
        rc = 0;
    }
    else
    if (rc != 0)
        zsys_error ("hub: batch of %zu not stored: %s", n, hub_store_error (self->store));
    for (size_t i = 0; i < n; i++) {
        pending_t *pending = &self->batch[i];
        hub_ingest_item_t *item = &self->items[i];
        if (rc == 0 && item->stored) {
            s_send_receipt (self, &pending->rid, pending->env->message_id, item->ref, item->received_at_ms,
                            item->duplicate);
            if (item->duplicate)
                zsys_info ("hub: agent %s: %s resent, already stored as %s", pending->agent->network,
                           pending->env->message_id, item->ref);
        }
        else
        if (self->refuse[i])
            s_send_error (self, &pending->rid, self->refuse[i],
                          "the hub's database refused this message's content", pending->env->message_id);
        else
            s_send_error (self, &pending->rid, CII__ERROR_CODE__ERROR_UNAVAILABLE,
                          "hub cannot store right now; resend later", pending->env->message_id);
        cii_codec_free (&pending->env);
    }
    self->batch_size = 0;
}

//  Handles one message from the ROUTER. user_id is the CURVE key the ZAP handler admitted.
static void
s_on_message (server_t *self, const rid_t *rid, const char *user_id, const uint8_t *data, size_t size)
{
    agent_t *agent = user_id ? zhashx_lookup (self->agents, user_id) : NULL;
    if (!agent) {
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "key not enrolled", NULL);
        return;
    }
    if (agent->revoked) {
        s_send_error (self, rid, CII__ERROR_CODE__ERROR_REVOKED,
                      "this agent's key was revoked by the bureau", NULL);
        return;
    }
    Cii__Envelope *env = NULL;
    cii_codec_error_t err;
    int rc = cii_codec_decode (data, size, &env, &err);
    if (rc != 0) {
        zsys_warning ("hub: agent %s: refused a frame of %zu bytes: %s (%s)", agent->network, size,
                      err.text, cii_codec_error_name (err.code));
        s_send_error (self, rid, rc == CII_BAD_INPUT ? err.code : CII__ERROR_CODE__ERROR_UNAVAILABLE, err.text,
                      err.message_id);
        return;
    }
    bool current = agent->in_session && agent->rid.size == rid->size
                   && memcmp (agent->rid.data, rid->data, rid->size) == 0;
    if (current)
        agent->heard_ms = cii_util_mono_ms ();
    switch (env->body_case) {
        case CII__ENVELOPE__BODY_HELLO:
            agent->heard_ms = cii_util_mono_ms ();
            s_on_hello (self, agent, rid, env->hello);
            break;
        case CII__ENVELOPE__BODY_PING:
        case CII__ENVELOPE__BODY_ACK:
        case CII__ENVELOPE__BODY_SIGNAL:
            if (!current) {
                s_send_error (self, rid, CII__ERROR_CODE__ERROR_NO_SESSION,
                              "no open session on this connection: send HELLO", env->message_id);
                break;
            }
            if (env->body_case == CII__ENVELOPE__BODY_PING)
                s_on_ping (self, agent, env);
            else
            if (env->body_case == CII__ENVELOPE__BODY_ACK)
                s_on_ack (self, agent, env);
            else
            if (s_on_signal (self, agent, rid, env) == 0)
                env = NULL;       //  now owned by the batch
            break;
        case CII__ENVELOPE__BODY_ERROR:
            zsys_warning ("hub: agent %s reports error %s: %s", agent->network,
                          cii_codec_error_name (env->error->code), env->error->text);
            break;
        default:
            s_send_error (self, rid, CII__ERROR_CODE__ERROR_UNEXPECTED,
                          "message kind not accepted from an agent", env->message_id);
            break;
    }
    cii_codec_free (&env);
}

//  Reads everything readable (up to BATCH_MAX), commits the batch once, then flushes receipts,
//  acknowledgements and the downward items they unblocked.
static int
s_on_router (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    server_t *self = arg;
    void *handle = zsock_resolve (reader);
    for (int count = 0; count < BATCH_MAX && self->batch_size < BATCH_MAX; count++) {
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
            s_send_error (self, &rid, CII__ERROR_CODE__ERROR_MALFORMED,
                          "one frame per message expected", NULL);
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
    s_commit_batch (self);
    s_flush_acks (self);
    //  libpq may have read NOTIFYs while we queried: without this they would wait for the
    //  socket to become readable again, or for the next tick.
    if (hub_store_notifications (self->store) > 0) {
        s_reload (self);
        s_dispatch_all (self);
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  ZAP handler (RFC 27): admits a CURVE key only if an enrolled, non-revoked agent has it.

static int
s_on_zap (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    server_t *self = arg;
    zmsg_t *request = zmsg_recv (reader);
    if (!request)
        return 0;
    char *version = zmsg_popstr (request);
    char *request_id = zmsg_popstr (request);
    char *domain = zmsg_popstr (request);
    char *address = zmsg_popstr (request);
    zframe_t *identity = zmsg_pop (request);     //  the ROUTER's own routing id: unused
    char *mechanism = zmsg_popstr (request);
    zframe_t *key = zmsg_pop (request);

    const char *status = "400", *text = "not enrolled";
    char key_txt[41] = "";
    if (version && streq (version, "1.0") && mechanism && streq (mechanism, "CURVE")
        && key && zframe_size (key) == 32) {
        zmq_z85_encode (key_txt, zframe_data (key), 32);
        agent_t *agent = zhashx_lookup (self->agents, key_txt);
        if (!agent && cii_util_mono_ms () - self->zap_reload_ms > ZAP_RELOAD_MIN_MS) {
            self->zap_reload_ms = cii_util_mono_ms ();   //  maybe enrolled a moment ago
            s_reload (self);
            agent = zhashx_lookup (self->agents, key_txt);
        }
        if (agent && !agent->revoked) {
            status = "200";
            text = "OK";
        }
        else {
            text = agent ? "revoked" : "not enrolled";
            zsys_warning ("hub: refused CURVE key %s from %s (%s)", key_txt, address ? address : "?", text);
        }
    }
    else
        zsys_warning ("hub: refused a non-CURVE handshake from %s", address ? address : "?");

    zmsg_t *reply = zmsg_new ();
    zmsg_addstr (reply, "1.0");
    zmsg_addstr (reply, request_id ? request_id : "");
    zmsg_addstr (reply, status);
    zmsg_addstr (reply, text);
    zmsg_addstr (reply, streq (status, "200") ? key_txt : "");
    zmsg_addmem (reply, NULL, 0);
    zmsg_send (&reply, reader);

    zstr_free (&version);
    zstr_free (&request_id);
    zstr_free (&domain);
    zstr_free (&address);
    zframe_destroy (&identity);
    zstr_free (&mechanism);
    zframe_destroy (&key);
    zmsg_destroy (&request);
    return 0;
}

//  --------------------------------------------------------------------------
//  Wake-ups and housekeeping

static int s_on_pg (zloop_t *loop, zmq_pollitem_t *item, void *arg);

static void
s_watch_pg (server_t *self)
{
    int fd = hub_store_socket (self->store);
    if (self->pg_item.fd == fd && fd >= 0)
        return;
    if (self->pg_item.fd >= 0)
        zloop_poller_end (self->loop, &self->pg_item);
    self->pg_item = (zmq_pollitem_t) { NULL, fd, ZMQ_POLLIN, 0 };
    if (fd >= 0 && zloop_poller (self->loop, &self->pg_item, s_on_pg, self) != 0)
        self->pg_item.fd = -1;
}

static int
s_on_pg (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    server_t *self = arg;
    int what = hub_store_notifications (self->store);
    if (what < 0) {
        zloop_poller_end (self->loop, &self->pg_item);
        self->pg_item.fd = -1;
        return 0;
    }
    if (what) {
        s_reload (self);          //  new sequences and revocations are in the agents table
        s_dispatch_all (self);
    }
    return 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    server_t *self = arg;
    if (hub_store_broken (self->store)) {
        if (hub_store_reconnect (self->store) != 0)
            return 0;
        zsys_info ("hub: database connection restored");
        s_watch_pg (self);
    }
    s_reload (self);
    int64_t now = cii_util_mono_ms ();
    int64_t seen[256];
    size_t n_seen = 0;
    for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents)) {
        if (!agent->in_session)
            continue;
        if (now - agent->heard_ms > SESSION_TIMEOUT_MS) {
            s_session_close (self, agent, "silent");
            continue;
        }
        if (agent->sent_seq > agent->acked_seq && now - agent->sent_ms > RESEND_AFTER_MS) {
            zsys_info ("hub: agent %s: no ack after %d ms, resending from %" PRId64, agent->network,
                       RESEND_AFTER_MS, agent->acked_seq + 1);
            agent->sent_seq = agent->acked_seq;
        }
        //  last_seen of every connected agent moves, so `agents` can tell live from stale
        seen[n_seen++] = agent->id;
        if (n_seen == 256) {
            hub_store_agents_seen (self->store, seen, n_seen);
            n_seen = 0;
        }
    }
    if (n_seen)
        hub_store_agents_seen (self->store, seen, n_seen);
    s_flush_acks (self);
    s_dispatch_all (self);
    return 0;
}

//  --------------------------------------------------------------------------

static void
s_server_destroy (server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    if (self->store) {
        for (agent_t *agent = zhashx_first (self->agents); agent; agent = zhashx_next (self->agents))
            if (agent->in_session)
                hub_store_agent_session (self->store, agent->id, false);
    }
    zloop_destroy (&self->loop);
    zsock_destroy (&self->router);
    zsock_destroy (&self->zap);
    zhashx_destroy (&self->agents);
    zhashx_destroy (&self->cantons);
    zcert_destroy (&self->cert);
    hub_store_destroy (&self->store);
    free (self);
    *self_p = NULL;
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

int
hub_server_run (const char *conninfo, const char *certs_dir, const char *bind)
{
    char reason[256] = "";
    s_raise_fd_limit ();
    server_t *self = calloc (1, sizeof *self);
    if (!self)
        return 1;
    self->pg_item.fd = -1;
    int rc = 1;

    self->store = hub_store_new (conninfo, reason, sizeof reason);
    if (!self->store)
        goto fail;
    int have = hub_store_schema_version (self->store);
    int need = hub_store_binary_schema_version ();
    if (have != need) {
        if (have < 0)
            snprintf (reason, sizeof reason, "cannot read the schema version: %s", hub_store_error (self->store));
        else
        if (have > need)
            snprintf (reason, sizeof reason,
                      "database schema is version %d, newer than this cii-hub (%d): upgrade cii-hub", have, need);
        else
            snprintf (reason, sizeof reason,
                      "database schema is version %d, this cii-hub needs %d: run cii-hub init", have, need);
        goto fail;
    }
    char *path = zsys_sprintf ("%s/hub.cert", certs_dir);
    self->cert = path ? zcert_load (path) : NULL;
    if (!self->cert || streq (zcert_secret_txt (self->cert), "0000000000000000000000000000000000000000")) {
        snprintf (reason, sizeof reason, "cannot load the hub key pair %s(_secret): run cii-hub init --certs %s",
                  path ? path : certs_dir, certs_dir);
        zstr_free (&path);
        goto fail;
    }
    zstr_free (&path);
    char *stored = hub_store_setting_get (self->store, "hub_public_key");
    if (stored && !streq (stored, zcert_public_txt (self->cert)))
        zsys_warning ("hub: the key in %s differs from the one bundles were issued with: agents "
                      "will not connect", certs_dir);
    zstr_free (&stored);

    self->agents = zhashx_new ();
    zhashx_set_destructor (self->agents, s_agent_free);
    self->cantons = zhashx_new ();
    zhashx_set_destructor (self->cantons, (zhashx_destructor_fn *) zstr_free);
    hub_store_agents_reset_sessions (self->store);
    if (hub_store_listen (self->store) != 0 || s_reload (self) != 0) {
        snprintf (reason, sizeof reason, "database: %s", hub_store_error (self->store));
        goto fail;
    }

    //  The ZAP handler must be bound before any CURVE socket starts handshakes.
    self->zap = zsock_new (ZMQ_REP);
    if (!self->zap || zsock_bind (self->zap, ZAP_ENDPOINT) != 0) {
        snprintf (reason, sizeof reason, "cannot bind the ZAP handler (another in this process?)");
        goto fail;
    }
    self->router = zsock_new (ZMQ_ROUTER);
    if (!self->router)
        goto fail;
    zsock_set_zap_domain (self->router, "cii");
    zcert_apply (self->cert, self->router);
    zsock_set_curve_server (self->router, 1);
    zsock_set_router_mandatory (self->router, 1);
    //  No ZMTP heartbeats on the hub side: libzmq 4.3.4 cancels a connection's heartbeat timer
    //  with a linear scan of all timers, on every message, which with 5,000 agents kept one
    //  core busy doing nothing (measured: 89 % idle CPU). Sessions live and die by the
    //  application PING/PONG; dead TCP connections are reaped by TCP keepalive.
    zsock_set_tcp_keepalive (self->router, 1);
    zsock_set_tcp_keepalive_idle (self->router, 30);
    zsock_set_tcp_keepalive_intvl (self->router, 10);
    zsock_set_tcp_keepalive_cnt (self->router, 3);
    zsock_set_sndhwm (self->router, 10000);
    zsock_set_rcvhwm (self->router, 100000);
    zsock_set_linger (self->router, 0);
    if (zsock_bind (self->router, "%s", bind) < 0) {
        snprintf (reason, sizeof reason, "cannot bind %s: %s", bind, zmq_strerror (zmq_errno ()));
        goto fail;
    }

    self->loop = zloop_new ();
    zloop_reader (self->loop, self->zap, s_on_zap, self);
    zloop_reader (self->loop, self->router, s_on_router, self);
    zloop_timer (self->loop, RELOAD_MS, 0, s_on_tick, self);
    s_watch_pg (self);
    zsys_info ("hub: serving on %s (schema %d, %zu agents enrolled, key %s)", bind, have,
               zhashx_size (self->agents), zcert_public_txt (self->cert));
    s_dispatch_all (self);
    //  zloop_start also returns when zmq_poll fails (EINTR from a stray signal): the hub stops
    //  only on SIGINT/SIGTERM, so anything else is logged and the loop resumes.
    while (!zsys_interrupted) {
        errno = 0;
        zloop_start (self->loop);
        if (!zsys_interrupted) {
            zsys_warning ("hub: event loop interrupted (%s); resuming", errno ? strerror (errno) : "no error");
            zclock_sleep (10);
        }
    }
    zsys_info ("hub: stopping");
    rc = 0;
    s_server_destroy (&self);
    return rc;

fail:
    if (!*reason)
        snprintf (reason, sizeof reason, "cannot start (out of memory or socket limit)");
    zsys_error ("hub: %s", reason);
    fprintf (stderr, "cii-hub: %s\n", reason);
    s_server_destroy (&self);
    return rc;
}
