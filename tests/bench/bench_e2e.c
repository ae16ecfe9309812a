/*  bench_e2e.c — end-to-end figures of DESIGN §6 against a real `cii-hub serve` on loopback:
    agent->receipt latency at a fixed rate, upward throughput with a window, one notice acknowledged
    by many agents, downward throughput to the seven agents, and hub memory and idle CPU with many
    connected agents. Agents are simulated in this process (CURVE DEALERs with enrolled keys speaking
    the real protocol through the codec; they acknowledge without a SQLite write, cumulatively after
    each wake-up, and PING at the heartbeat their WELCOME gives, as real agents do) so that thousands
    fit on two cores. Every send has a timeout and the whole run a time limit (--limit, default
    600 s): the benchmark ends with figures or with a clear failure, never hangs. Each part is off
    when its count is 0.
    Usage: PGHOST=... bench_e2e [--agents 7] [--rate 500] [--seconds 10] [--throughput-seconds S]
                                [--size BYTES] [--down 0] [--down-batch 500] [--down-kind status]
                                [--fanout 1000] [--many 5000] [--zmtp-heartbeat 0] [--limit 600]
      --seconds             latency part: --rate signals a second for this long (0: off)
      --throughput-seconds  throughput part (window 256 per agent); default: --seconds (0: off)
      --size                upward signals padded so that the packed SIGNAL envelope is about BYTES
                            (default: a short real-looking signal); the size is printed
      --down                downward part: N items (status, or recommendation of 6 KB), one agent
                            each in turn, queued in transactions of --down-batch (one
                            hub_store_downward_queue_many statement each) while the agents
                            receive and acknowledge (0: off)
      --many                agents connected at once in child processes of up to 5,000 (0: off)
      --zmtp-heartbeat      1: simulated agents also send ZMTP heartbeats every second, as cii-agent
                            did before issue 10; 0 (default): PINGs only, as cii-agent now */
#include "hub_notices.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_downward.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

typedef struct {
    zsock_t *sock;
    void *handle;
    int64_t acked;      //  downward sequence acknowledged
    int64_t held;       //  downward sequence received in order (acknowledged after the wake-up)
    int heartbeat_ms;   //  from the WELCOME
    int outstanding;    //  signals sent without receipt
    const char *canton; //  a canton of the agent's network
    bool welcomed;
    int64_t pinged_ms;  //  when it last sent a PING
} sim_t;

#define SEND_TIMEOUT_MS 5000
#define HEARTBEAT_MS    1000
static long s_send_failures = 0;
static long s_pings = 0;        //  PINGs sent by all simulated agents
//  --zmtp-heartbeat 1: ZMTP heartbeats on the simulated agents' sockets, as cii-agent's link set
//  them before issue 10, besides their PINGs. Off by default, as cii-agent now (docs/protocol.md
//  §2.3): with them, on the shared 2-core machine, 10,000 agents took 110 s instead of 22 s to
//  be welcomed, the idle hub used 37 % of a core instead of 21 %, and the simulated agents
//  themselves 130 % of a core. Crowd processes get it through the environment.
static int s_zmtp_heartbeat = 0;
#define S_ZMTP_ENV "CII_BENCH_ZMTP_HEARTBEAT"

//  The seven default networks, with one canton of each, for the upward phases.
static const char *s_networks[7][2] = {
    { "lemanique", "VD" }, { "mittelland", "BE" }, { "nordwest", "BS" }, { "zuerich", "ZH" },
    { "ost", "SG" }, { "zentral", "LU" }, { "ticino", "TI" } };

static char s_db[64], s_certs[128], s_endpoint[64];
static char *s_description;     //  the upward signals' description (--size)
static pid_t s_hub = 0;
static PGconn *s_admin;
static hub_store_t *s_store;
static char s_hub_key[41];

static void
s_sql (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK) {
        fprintf (stderr, "bench: %s: %s", sql, PQerrorMessage (conn));
        exit (1);
    }
    PQclear (res);
}

//  The number after `key` on its line of /proc/PID/FILE (-1 if there is none).
static long
s_proc_number (pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
    FILE *f = fopen (path, "r");
    long number = -1;
    size_t length = strlen (key);
    while (f && fgets (line, sizeof line, f))
        if (strncmp (line, key, length) == 0)
            number = atol (line + length);
    if (f)
        fclose (f);
    return number;
}

//  Resident memory of a process in KiB (-1 if unknown).
static long
s_rss_kib (pid_t pid)
{
    return s_proc_number (pid, "status", "VmRSS:");
}

static void s_hub_stop (void);

//  Descriptors a simulated agent holds in this process: its TCP connection and its socket's
//  mailbox (an eventfd).
#define S_FDS_PER_AGENT 2

//  Each simulated agent holds descriptors: raises the open-files limit to the hard limit; returns
//  the soft limit now, and the hard one in *hard_p. The hub, forked and exec'd from here,
//  inherits both limits and raises its own soft limit to the hard one too (hub_server.c).
static long
s_raise_nofile (long *hard_p)
{
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
            fprintf (stderr, "bench: cannot raise the open-files limit: %s\n", strerror (errno));
    }
    if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
        return *hard_p = 1024;
    *hard_p = (long) rl.rlim_max;
    return (long) rl.rlim_cur;
}

//  The soft open-files limit of a process (-1 if unknown).
static long
s_nofile_of (pid_t pid)
{
    return s_proc_number (pid, "limits", "Max open files");
}

//  CPU seconds (user + system) the process has used so far.
static double
s_cpu_seconds (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *f = fopen (path, "r");
    unsigned long utime = 0, stime = 0;
    if (f) {
        //  fields 14 and 15 (after the command in parentheses)
        if (fscanf (f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
            utime = stime = 0;
        fclose (f);
    }
    return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

static void
s_hub_start (void)
{
    atexit (s_hub_stop);        //  never leave a hub behind, whatever exit path
    s_hub = fork ();
    if (s_hub == 0) {
        char log[96];
        snprintf (log, sizeof log, "/tmp/cii-bench-hub-%d.log", (int) getppid ());
        int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (fd, 1);
        dup2 (fd, 2);
        char db[96];
        snprintf (db, sizeof db, "dbname=%s", s_db);
        execl (CII_HUB_BIN, "cii-hub", "--db", db, "serve", "--certs", s_certs, "--bind", s_endpoint, (char *) NULL);
        _exit (127);
    }
    zclock_sleep (700);
}

static void
s_hub_stop (void)
{
    if (s_hub > 0) {
        kill (s_hub, SIGTERM);
        waitpid (s_hub, NULL, 0);
        s_hub = 0;
    }
}

//  Enrolls count agents on networks named prefix-N, N = first + 1 .. first + count (created
//  here; "real": the seven default networks) and connects a simulated agent for each (no HELLO).
static sim_t *
s_agents_connect (const char *prefix, int first, int count)
{
    bool real = streq (prefix, "real");
    char sql[256];
    snprintf (sql, sizeof sql,
              "INSERT INTO networks (name, label) SELECT '%s-' || i, 'bench' FROM generate_series (%d, %d) i "
              "ON CONFLICT DO NOTHING", prefix, first + 1, first + count);
    char conninfo[96];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", s_db);
    PGconn *conn = PQconnectdb (conninfo);
    if (!real)
        s_sql (conn, sql);
    PQfinish (conn);

    sim_t *sims = calloc ((size_t) count, sizeof *sims);
    for (int i = 0; i < count; i++) {
        zcert_t *cert = zcert_new ();
        char network[40];
        snprintf (network, sizeof network, "%s-%d", prefix, first + i + 1);
        if (real) {
            snprintf (network, sizeof network, "%s", s_networks[i % 7][0]);
            sims[i].canton = s_networks[i % 7][1];
        }
        int64_t agent_id = 0;
        if (hub_store_enroll (s_store, network, zcert_public_txt (cert), &agent_id, NULL) != CII_OK) {
            fprintf (stderr, "bench: enroll %s failed\n", network);
            exit (1);
        }
        sims[i].sock = zsock_new (ZMQ_DEALER);
        zcert_apply (cert, sims[i].sock);
        zsock_set_curve_serverkey (sims[i].sock, s_hub_key);
        zsock_set_sndhwm (sims[i].sock, 100000);
        zsock_set_rcvhwm (sims[i].sock, 100000);
        zsock_set_linger (sims[i].sock, 0);
        if (s_zmtp_heartbeat) {
            zsock_set_heartbeat_ivl (sims[i].sock, 1000);       //  as cii-agent's link did before issue 10
            zsock_set_heartbeat_timeout (sims[i].sock, 5000);
        }
        zsock_set_sndtimeo (sims[i].sock, SEND_TIMEOUT_MS);     //  never block for good
        zsock_connect (sims[i].sock, "%s", s_endpoint);
        sims[i].handle = zsock_resolve (sims[i].sock);
        zcert_destroy (&cert);
    }
    return sims;
}

static void
s_send (sim_t *sim, Cii__Envelope *env, const char *id)
{
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = (char *) id;
    uint8_t *data;
    size_t size;
    if (cii_codec_encode (env, &data, &size, NULL) != CII_OK)
        abort ();
    //  HELLO, PING, ACK: never wait (one simulated agent without a connection must not stall the
    //  others' heartbeats); a lost one is sent again (HELLO after 3 s, PING every heartbeat).
    if (zmq_send (sim->handle, data, size, ZMQ_DONTWAIT) < 0)
        s_send_failures++;
    free (data);
}

static void
s_hello (sim_t *sim)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = (uint64_t) sim->acked;
    hello.agent_version = "bench";
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    char id[37];
    cii_util_uuid (id);
    s_send (sim, &env, id);
}

static void
s_ping (sim_t *sim)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ping ping = CII__PING__INIT;
    ping.sent_at_ms = cii_util_now_ms ();
    env.body_case = CII__ENVELOPE__BODY_PING;
    env.ping = &ping;
    char id[40];
    snprintf (id, sizeof id, "p-%" PRId64, ping.sent_at_ms);
    s_send (sim, &env, id);
    sim->pinged_ms = zclock_mono ();
    s_pings++;
}

//  After the frames of one wake-up: one cumulative ACK for what arrived in order, as agents do.
static void
s_ack (sim_t *sim)
{
    if (sim->held <= sim->acked)
        return;
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Ack ack = CII__ACK__INIT;
    ack.seq = (uint64_t) sim->held;
    env.body_case = CII__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    char id[32];
    snprintf (id, sizeof id, "ack-%" PRIu64, ack.seq);
    s_send (sim, &env, id);
    sim->acked = sim->held;
}

#define S_DESCRIPTION "Les jeunes adultes en situation de handicap psychique passent d'un système à l'autre."

//  The packed SIGNAL envelope of canton VD with message id `id` and the current description.
static size_t
s_signal_size (const char *id)
{
    cii_signal_t signal = { .title = "Coordination entre l'AI et l'aide sociale", .description = s_description,
                            .institutions = { CII_INSTITUTION_HEALTH, CII_INSTITUTION_SOCIAL_AID },
                            .n_institutions = 2, .national_reason = "", .language = "fr", .canton = "VD" };
    uint8_t *data = NULL;
    size_t size = 0;
    if (cii_wire_signal_envelope (&signal, id, &data, &size, NULL) != CII_OK)
        abort ();
    free (data);
    return size;
}

//  Sets the description so that the packed envelope is about `size` bytes (0: the short default
//  one); returns the packed size of a signal with a message id of the benchmark's width.
static size_t
s_description_set (int size)
{
    free (s_description);
    s_description = strdup (S_DESCRIPTION);
    if (size <= 0)
        return s_signal_size ("m-00000000");
    s_description [1] = '\0';
    size_t base = s_signal_size ("m-00000000");       //  with a description of one byte
    size_t length = (size_t) size > base ? (size_t) size - base + 1 : 1;
    if (length > CII_MAX_TEXT)
        length = CII_MAX_TEXT;
    free (s_description);
    s_description = malloc (length + 1);
    //  Text as a coordinator writes it (the codec checks UTF-8; ASCII keeps the size exact)
    static const char words[] = "Les jeunes adultes passent d'un systeme a l'autre sans coordination. ";
    for (size_t i = 0; i < length; i++)
        s_description [i] = words [i % (sizeof words - 1)];
    s_description [length] = '\0';
    if (length > 1 && s_description [length - 1] == ' ')
        s_description [length - 1] = '.';
    //  The length prefix of the description may have grown by a byte: trim to the size asked
    while (length > 1 && s_signal_size ("m-00000000") > (size_t) size)
        s_description [--length] = '\0';
    return s_signal_size ("m-00000000");
}

static void
s_signal (sim_t *sim, const char *id)
{
    cii_signal_t signal = { .title = "Coordination entre l'AI et l'aide sociale", .description = s_description,
                            .institutions = { CII_INSTITUTION_HEALTH, CII_INSTITUTION_SOCIAL_AID },
                            .n_institutions = 2, .national_reason = "", .language = "fr" };
    snprintf (signal.canton, sizeof signal.canton, "%s", sim->canton);
    uint8_t *data = NULL;
    size_t size = 0;
    if (cii_wire_signal_envelope (&signal, id, &data, &size, NULL) != CII_OK)
        abort ();
    if (zmq_send (sim->handle, data, size, 0) < 0)
        s_send_failures++;
    free (data);
    sim->outstanding++;
}

//  Reads everything pending on sim: returns the envelope kinds seen through callbacks inline.
typedef void (on_env_fn) (sim_t *sim, Cii__Envelope *env, void *arg);

static int
s_poll (sim_t *sims, int count, int timeout_ms, on_env_fn *fn, void *arg)
{
    static zmq_pollitem_t *items = NULL;
    static int n_items = 0;
    if (n_items < count) {
        items = realloc (items, sizeof *items * (size_t) count);
        n_items = count;
    }
    //  Like real agents: a PING every heartbeat (the WELCOME's) once welcomed, or the hub closes
    //  the session.
    int64_t now = zclock_mono ();
    for (int i = 0; i < count; i++)
        if (sims[i].welcomed && now - sims[i].pinged_ms >= sims[i].heartbeat_ms)
            s_ping (&sims[i]);
    for (int i = 0; i < count; i++)
        items[i] = (zmq_pollitem_t) { sims[i].handle, 0, ZMQ_POLLIN, 0 };
    //  Never a negative timeout (zmq_poll would wait for good): a caller that computes it from a
    //  due time can be a millisecond late on a loaded machine (seen: a run that hung 10 minutes)
    if (timeout_ms < 0)
        timeout_ms = 0;
    int rc = zmq_poll (items, count, timeout_ms > HEARTBEAT_MS / 10 ? HEARTBEAT_MS / 10 : timeout_ms);
    if (rc <= 0)
        return 0;
    int got = 0;
    for (int i = 0; i < count; i++) {
        if (!(items[i].revents & ZMQ_POLLIN))
            continue;
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        while (zmq_msg_recv (&msg, sims[i].handle, ZMQ_DONTWAIT) >= 0) {
            Cii__Envelope *env = NULL;
            if (cii_codec_decode (zmq_msg_data (&msg), zmq_msg_size (&msg), &env, NULL) == CII_OK) {
                fn (&sims[i], env, arg);
                cii_codec_free (&env);
                got++;
            }
        }
        zmq_msg_close (&msg);
        s_ack (&sims[i]);
    }
    return got;
}

typedef struct {
    int welcomed;
    int receipts;
    int errors;
    int64_t *sent_at;     //  by message index, microseconds
    int64_t *latency;     //  microseconds
    int n_latency;
    int acked_agents;
    int64_t target_seq;
    int pongs;
    int gaps;             //  DELIVERs out of order (none expected)
    int64_t delivered;    //  DELIVERs received in order
} stats_t;

static int64_t
s_us (void)
{
    return zclock_usecs ();
}

static void
s_on_env (sim_t *sim, Cii__Envelope *env, void *arg)
{
    stats_t *st = arg;
    switch (env->body_case) {
        case CII__ENVELOPE__BODY_WELCOME:
            if (!sim->welcomed)
                st->welcomed++;
            sim->welcomed = true;
            sim->pinged_ms = zclock_mono ();
            sim->heartbeat_ms = env->welcome->heartbeat_ms ? (int) env->welcome->heartbeat_ms : HEARTBEAT_MS;
            break;
        case CII__ENVELOPE__BODY_PONG:
            st->pongs++;
            if (env->pong->heartbeat_ms)        //  the hub's heartbeat changed: as cii-agent does
                sim->heartbeat_ms = (int) env->pong->heartbeat_ms;
            break;
        case CII__ENVELOPE__BODY_RECEIPT: {
            st->receipts++;
            sim->outstanding--;
            int index = atoi (env->receipt->message_id + 2);   //  "m-<index>"
            if (st->sent_at && index >= 0)
                st->latency[st->n_latency++] = s_us () - st->sent_at[index];
            break;
        }
        case CII__ENVELOPE__BODY_DELIVER: {
            //  In order only (a real agent resynchronises on a gap); acknowledged after the wake-up
            int64_t seq = (int64_t) env->deliver->seq;
            if (seq == sim->held + 1) {
                sim->held = seq;
                st->delivered++;
                if (seq == st->target_seq)
                    st->acked_agents++;
            }
            else
            if (seq > sim->held + 1)
                st->gaps++;
            break;
        }
        case CII__ENVELOPE__BODY_ERROR:
            st->errors++;
            if (env->error->code == CII__ERROR_CODE__ERROR_NO_SESSION && sim->welcomed) {
                sim->welcomed = false;              //  the hub closed it: open a new one, as agents do
                s_hello (sim);
            }
            break;
        default:
            break;
    }
}

//  Sends HELLO from sims[from..count-1] and waits for their WELCOMEs, while every one of
//  sims[0..count-1] keeps its session (PINGs, ACKs).
static void
s_welcome_range (sim_t *sims, int from, int count)
{
    stats_t st = { 0 };
    for (int i = from; i < count; i++)
        s_hello (&sims[i]);
    //  As a real agent does: HELLO again when no WELCOME came (a key enrolled a moment ago may
    //  have been refused once by the hub's cache).
    int64_t deadline = zclock_mono () + 120000, again = zclock_mono () + 3000;
    int welcomed = 0;
    while (zclock_mono () < deadline) {
        welcomed = 0;
        for (int i = from; i < count; i++)
            welcomed += sims[i].welcomed;
        if (welcomed == count - from)
            break;
        s_poll (sims, count, 100, s_on_env, &st);
        if (zclock_mono () > again) {
            for (int i = from; i < count; i++)
                if (!sims[i].welcomed)
                    s_hello (&sims[i]);
            again = zclock_mono () + 3000;
        }
    }
    if (welcomed < count - from) {
        fprintf (stderr, "bench: only %d of %d agents welcomed\n", welcomed, count - from);
        exit (1);
    }
}

static void
s_welcome_all (sim_t *sims, int count)
{
    s_welcome_range (sims, 0, count);
}

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  The whole run's time limit: a benchmark ends with figures or a clear failure.
static void
s_on_alarm (int sig)
{
    (void) sig;
    static const char text[] = "bench: time limit reached: giving up (hub log: /tmp/cii-bench-hub-*.log)\n";
    if (write (2, text, sizeof text - 1) < 0)
        _exit (3);
    if (s_hub > 0)
        kill (s_hub, SIGKILL);
    _exit (2);
}

//  A recommendation as the CP writes it: three languages of about 2 KB each. Packed into *body_p.
static cii_rc_t
s_recommendation_pack (uint8_t **body_p, size_t *size_p, cii_err_t *err)
{
    static char texts [3][2049];
    for (int i = 0; i < 3; i++) {
        memset (texts [i], 'a' + i, 2048);
        texts [i][2048] = '\0';
    }
    static const char *const rec_cantons [] = { "VD" };
    cii_recommendation_t rec = {
        .ref = "REC-2026-03", .version = 1,
        .translations = { { "fr", "Guichet unique pour les jeunes adultes", texts [0] },
                          { "de", "Anlaufstelle für junge Erwachsene", texts [1] },
                          { "it", "Sportello unico per i giovani adulti", texts [2] } },
        .n_translations = 3, .adopted_on = "2026-04-20", .report_by = "2026-12-31",
        .cantons = rec_cantons, .n_cantons = 1, .issued_at_ms = 1776000000000, .note = "" };
    return cii_wire_recommendation_pack (&rec, body_p, size_p, err);
}

//  Downward throughput (issue 10 goal 5): `items` items, each for one of the agents in turn (as a
//  STATUS goes to its request's network), queued in transactions of `batch` items, each with one
//  hub_store_downward_queue_many call, while the agents receive and acknowledge. Timed from the first
//  queued item to the agents' last acknowledgement.
static void
s_downward (sim_t *sims, int agents, int items, int batch, const char *kind)
{
    uint8_t *body = NULL;
    size_t body_size = 0;
    cii_err_t err = { 0 };
    cii_rc_t rc;
    if (streq (kind, "status")) {
        static const cii_criterion_t criteria [] = {
            { "C1", true, "an interface between invalidity insurance and social aid" },
            { "C2", true, "several cantons raised it" } };
        cii_status_t status = { .ref = "CII-2027-0042", .request_id = "r-0000000042", .state = "admissible",
                                .organ = "bureau", .at_ms = 1776000000000,
                                .note = "On the agenda of the next CDC meeting.", .criteria = criteria,
                                .n_criteria = 2, .theme = "", .meeting = "" };
        rc = cii_wire_status_pack (&status, &body, &body_size, &err);
    }
    else
        rc = s_recommendation_pack (&body, &body_size, &err);
    if (rc != CII_OK) {
        fprintf (stderr, "bench: %s cannot be packed: %s\n", kind, err.text);
        exit (1);
    }
    int64_t before [7];
    for (int a = 0; a < agents; a++)
        before [a] = sims [a].acked;
    stats_t st = { 0 };
    //  One transaction of `batch` items is one hub_store_downward_queue_many call: one statement,
    //  the agents' heads locked once in id order (never their agents rows, which the hub's ACKs
    //  lock), so the round-robin needs no care for lock order.
    hub_downward_item_t *batch_items = calloc ((size_t) batch, sizeof *batch_items);
    char (*subjects) [48] = calloc ((size_t) batch, sizeof *subjects);
    if (!batch_items || !subjects) {
        fprintf (stderr, "bench: downward: out of memory\n");
        exit (1);
    }
    int64_t t0 = s_us (), queue_us = 0;
    int queued = 0;
    while (queued < items) {
        int64_t q0 = s_us ();
        if (hub_store_begin (s_store) != CII_OK) {
            fprintf (stderr, "bench: downward: cannot begin\n");
            exit (1);
        }
        int n = 0;
        for (; n < batch && queued < items; n++, queued++) {
            snprintf (subjects [n], sizeof subjects [n], "request:CII-B-%07d", queued);
            batch_items [n] = (hub_downward_item_t) { kind, body, body_size, s_networks [queued % agents], 1,
                                                      subjects [n] };
        }
        if (hub_store_downward_queue_many (s_store, batch_items, (size_t) n, NULL) != CII_OK) {
            fprintf (stderr, "bench: downward: queueing items %d-%d failed: %s\n", queued - n, queued - 1,
                     hub_store_error (s_store));
            exit (1);
        }
        if (hub_store_commit (s_store) != CII_OK) {
            fprintf (stderr, "bench: downward: commit failed\n");
            exit (1);
        }
        queue_us += s_us () - q0;
        s_poll (sims, agents, 0, s_on_env, &st);
    }
    int64_t deadline = zclock_mono () + 120000;
    while (st.delivered < items && zclock_mono () < deadline)
        s_poll (sims, agents, 10, s_on_env, &st);
    double secs = (s_us () - t0) / 1e6;
    int64_t acked = 0;
    for (int a = 0; a < agents; a++)
        acked += sims [a].acked - before [a];
    if (acked < items)
        printf ("downward: only %" PRId64 " of %d items acknowledged in %.2f s\n", acked, items, secs);
    printf ("downward: %d items to %d agents acknowledged in %.2f s: %.0f items/s (%s of %zu bytes packed, "
            "one agent each; queued in transactions of %d, one statement each, in %.2f s: %.0f items/s; "
            "%d out of order)\n", items,
            agents, secs, acked / secs, kind, body_size, batch, queue_us / 1e6, items / (queue_us / 1e6), st.gaps);

    //  The same items as a backlog, without the producer: seven more agents (networks down-1..7)
    //  are connected but say HELLO only once every item is queued for them (each item for all
    //  seven, --down-batch items a statement), as consumers draining a full durable queue. Timed
    //  from the HELLOs.
    int each = (items + agents - 1) / agents;
    sim_t *late = s_agents_connect ("down", 0, agents);
    const char *networks [7];
    char names [7][16];
    for (int a = 0; a < agents; a++) {
        snprintf (names [a], sizeof names [a], "down-%d", a + 1);
        networks [a] = names [a];
    }
    int64_t q0 = s_us ();
    for (int i = 0; i < each; ) {
        if (hub_store_begin (s_store) != CII_OK) {
            fprintf (stderr, "bench: downward backlog: cannot begin\n");
            exit (1);
        }
        int n = 0;
        for (; n < batch && i < each; n++, i++) {
            snprintf (subjects [n], sizeof subjects [n], "request:CII-L-%07d", i);
            batch_items [n] = (hub_downward_item_t) { kind, body, body_size, networks, (size_t) agents, subjects [n] };
        }
        if (hub_store_downward_queue_many (s_store, batch_items, (size_t) n, NULL) != CII_OK) {
            fprintf (stderr, "bench: downward backlog: queueing failed: %s\n", hub_store_error (s_store));
            exit (1);
        }
        if (hub_store_commit (s_store) != CII_OK) {
            fprintf (stderr, "bench: downward backlog: commit failed\n");
            exit (1);
        }
    }
    double queued_s = (s_us () - q0) / 1e6;
    memset (&st, 0, sizeof st);
    t0 = s_us ();
    s_welcome_all (late, agents);
    deadline = zclock_mono () + 120000;
    for (;;) {
        acked = 0;
        for (int a = 0; a < agents; a++)
            acked += late [a].acked;
        if (acked >= (int64_t) each * agents || zclock_mono () > deadline)
            break;
        s_poll (late, agents, 10, s_on_env, &st);
    }
    secs = (s_us () - t0) / 1e6;
    printf ("downward backlog: %d items to %d agents acknowledged in %.2f s: %.0f items/s (%d each, queued "
            "before their HELLO in %.2f s, one statement per %d items)\n", each * agents, agents, secs,
            acked / secs, each, queued_s, batch * agents);
    for (int a = 0; a < agents; a++)
        zsock_destroy (&late [a].sock);
    free (late);
    free (batch_items);
    free (subjects);
    free (body);
}

//  --------------------------------------------------------------------------------------------
//  The crowd of part 4, in child processes (this program run with --crowd-child).

#define S_CROWD_MAX 5000        //  simulated agents per crowd process
#define S_CROWD_WAVE 250        //  connected at once by one crowd process

//  A crowd process: `count` simulated agents on networks many-(first + 1)..., each PINGing at its
//  WELCOME's heartbeat and reading its PONGs. One line each way with the parent: it writes
//  "ready SECONDS" once all are welcomed; "mark" restarts its counts; "stop" (or the end of its
//  input) makes it write "stats PINGS PONGS ERRORS CPU_SECONDS" and end.
static int
s_crowd_child (char **argv, int limit)
{
    snprintf (s_db, sizeof s_db, "%s", argv [2]);
    snprintf (s_endpoint, sizeof s_endpoint, "%s", argv [3]);
    snprintf (s_hub_key, sizeof s_hub_key, "%s", argv [4]);
    int first = atoi (argv [5]), count = atoi (argv [6]);
    s_zmtp_heartbeat = getenv (S_ZMTP_ENV) && atoi (getenv (S_ZMTP_ENV)) > 0;
    signal (SIGALRM, s_on_alarm);
    alarm ((unsigned) limit);
    long hard;
    s_raise_nofile (&hard);
    zsys_set_max_sockets (0);
    zsys_init ();
    zsys_set_logstream (stderr);
    char conninfo [96];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", s_db);
    s_store = hub_store_new (conninfo, NULL);
    if (!s_store)
        return 1;
    //  In waves: the hub's listening socket has libzmq's default backlog (ZMQ_BACKLOG, 100); 5,000
    //  connections at once overflow it and the kernel's SYN retries (1, 3, 7, 15 ... s) left a few
    //  hundred agents without a WELCOME after 120 s on a loaded machine.
    int64_t t0 = zclock_mono ();
    sim_t *crowd = calloc ((size_t) count, sizeof *crowd);
    for (int w = 0; w < count; w += S_CROWD_WAVE) {
        int n = count - w < S_CROWD_WAVE ? count - w : S_CROWD_WAVE;
        sim_t *wave = s_agents_connect ("many", first + w, n);
        memcpy (crowd + w, wave, (size_t) n * sizeof *wave);
        free (wave);
        s_welcome_range (crowd, w, w + n);
    }
    printf ("ready %.1f\n", (zclock_mono () - t0) / 1000.0);
    fflush (stdout);
    stats_t st = { 0 };
    long pings0 = s_pings;
    double cpu0 = s_cpu_seconds (getpid ());
    for (;;) {
        s_poll (crowd, count, 100, s_on_env, &st);
        struct pollfd input = { 0, POLLIN, 0 };
        if (poll (&input, 1, 0) <= 0)
            continue;
        char line [64];
        ssize_t got = read (0, line, sizeof line - 1);
        if (got <= 0)
            break;
        line [got] = '\0';
        if (strstr (line, "stop"))
            break;
        if (strstr (line, "mark")) {
            memset (&st, 0, sizeof st);
            pings0 = s_pings;
            cpu0 = s_cpu_seconds (getpid ());
        }
    }
    printf ("stats %ld %d %d %.3f\n", s_pings - pings0, st.pongs, st.errors, s_cpu_seconds (getpid ()) - cpu0);
    fflush (stdout);
    for (int i = 0; i < count; i++)
        zsock_destroy (&crowd [i].sock);
    free (crowd);
    hub_store_destroy (&s_store);
    return 0;
}

typedef struct {
    pid_t pid;
    FILE *to;           //  its input
    FILE *from;         //  its output
} crowd_t;

static void
s_crowd_spawn (crowd_t *kid, int first, int count, int limit)
{
    int to [2], from [2];
    if (pipe (to) != 0 || pipe (from) != 0) {
        fprintf (stderr, "bench: pipe: %s\n", strerror (errno));
        exit (1);
    }
    kid->pid = fork ();
    if (kid->pid == 0) {
        dup2 (to [0], 0);
        dup2 (from [1], 1);
        close (to [0]);
        close (to [1]);
        close (from [0]);
        close (from [1]);
        char first_s [16], count_s [16], limit_s [16];
        snprintf (first_s, sizeof first_s, "%d", first);
        snprintf (count_s, sizeof count_s, "%d", count);
        snprintf (limit_s, sizeof limit_s, "%d", limit);
        execl ("/proc/self/exe", "bench_e2e", "--crowd-child", s_db, s_endpoint, s_hub_key, first_s, count_s,
               limit_s, (char *) NULL);
        _exit (127);
    }
    close (to [0]);
    close (from [1]);
    kid->to = fdopen (to [1], "w");
    kid->from = fdopen (from [0], "r");
}

static void
s_crowd_say (crowd_t *kids, int n, const char *what)
{
    for (int k = 0; k < n; k++) {
        fputs (what, kids [k].to);
        fflush (kids [k].to);
    }
}

//  Part 4: `many` simulated agents in processes of at most `per`; hub RSS and idle CPU.
static void
s_crowd (int many, int per)
{
    long rss_before = s_rss_kib (s_hub);
    int n = (many + per - 1) / per;
    crowd_t *kids = calloc ((size_t) n, sizeof *kids);
    setenv (S_ZMTP_ENV, s_zmtp_heartbeat ? "1" : "0", 1);
    int64_t t0 = zclock_mono ();
    for (int k = 0; k < n; k++)
        s_crowd_spawn (&kids [k], k * per, k == n - 1 ? many - k * per : per, 600);
    char line [128];
    for (int k = 0; k < n; k++)
        if (!fgets (line, sizeof line, kids [k].from) || strncmp (line, "ready", 5) != 0) {
            fprintf (stderr, "bench: crowd process %d of %d failed (see above)\n", k + 1, n);
            exit (1);
        }
    printf ("%d more agents enrolled, connected and welcomed in %.1f s (%d process%s of up to %d simulated "
            "agents)\n", many, (zclock_mono () - t0) / 1000.0, n, n == 1 ? "" : "es", per);
    zclock_sleep (2000);        //  they settle while they PING
    long rss = s_rss_kib (s_hub);
    printf ("hub RSS with %d more connected agents: %ld KiB (%.1f MiB; before: %.1f MiB)\n", many, rss,
            rss / 1024.0, rss_before / 1024.0);
    //  Idle cost of that many sessions: each simulated agent PINGs at the WELCOME's heartbeat
    //  and reads its PONGs, as a real one does.
    s_crowd_say (kids, n, "mark\n");
    double cpu0 = s_cpu_seconds (s_hub);
    int64_t w0 = zclock_mono ();
    zclock_sleep (10000);
    double wall = (zclock_mono () - w0) / 1000.0;
    double hub_cpu = s_cpu_seconds (s_hub) - cpu0;
    long rss_after = s_rss_kib (s_hub);
    s_crowd_say (kids, n, "stop\n");
    long pings = 0, pongs = 0, errors = 0;
    double crowd_cpu = 0;
    for (int k = 0; k < n; k++) {
        long p = 0, q = 0, e = 0;
        double c = 0;
        if (fgets (line, sizeof line, kids [k].from) && sscanf (line, "stats %ld %ld %ld %lf", &p, &q, &e, &c) == 4) {
            pings += p;
            pongs += q;
            errors += e;
            crowd_cpu += c;
        }
        fclose (kids [k].to);
        fclose (kids [k].from);
        waitpid (kids [k].pid, NULL, 0);
    }
    free (kids);
    printf ("hub CPU with %d connected agents, idle: %.1f %% of one core over 10 s\n", many, hub_cpu * 100.0 / wall);
    printf ("idle %d agents for %.1f s: %ld PINGs, %ld PONGs (%.2f per agent a second; ZMTP heartbeats %s), "
            "%ld errors; hub RSS %.1f MiB after; the simulated agents used %.0f %% of a core\n", many, wall, pings,
            pongs, pongs / wall / many, s_zmtp_heartbeat ? "every 1 s too, as cii-agent before issue 10" : "off, as cii-agent", errors,
            rss_after / 1024.0, crowd_cpu * 100.0 / wall);
}

int
main (int argc, char **argv)
{
    if (argc == 8 && streq (argv[1], "--crowd-child"))
        return s_crowd_child (argv, atoi (argv[7]));
    int agents = 7, rate = 500, seconds = 10, fanout = 1000, many = 5000, limit = 600;
    setvbuf (stdout, NULL, _IOLBF, 0);  //  each figure out at once, even if the time limit ends the run
    int tput_seconds = -1, size = 0, down = 0, down_batch = 500;
    const char *down_kind = "status";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv[i], "--agents")) agents = atoi (argv[i + 1]);
        else if (streq (argv[i], "--rate")) rate = atoi (argv[i + 1]);
        else if (streq (argv[i], "--seconds")) seconds = atoi (argv[i + 1]);
        else if (streq (argv[i], "--throughput-seconds")) tput_seconds = atoi (argv[i + 1]);
        else if (streq (argv[i], "--size")) size = atoi (argv[i + 1]);
        else if (streq (argv[i], "--down")) down = atoi (argv[i + 1]);
        else if (streq (argv[i], "--down-batch")) down_batch = atoi (argv[i + 1]);
        else if (streq (argv[i], "--down-kind")) down_kind = argv[i + 1];
        else if (streq (argv[i], "--zmtp-heartbeat")) s_zmtp_heartbeat = atoi (argv[i + 1]);
        else if (streq (argv[i], "--fanout")) fanout = atoi (argv[i + 1]);
        else if (streq (argv[i], "--many")) many = atoi (argv[i + 1]);
        else if (streq (argv[i], "--limit")) limit = atoi (argv[i + 1]);
        else {
            fprintf (stderr, "bench: unknown option %s (see the head of tests/bench/bench_e2e.c)\n", argv[i]);
            return 1;
        }
    }
    if (tput_seconds < 0)
        tput_seconds = seconds;
    if (down_batch < 1)
        down_batch = 1;
    if (!streq (down_kind, "status") && !streq (down_kind, "recommendation")) {
        fprintf (stderr, "bench: --down-kind is status or recommendation\n");
        return 1;
    }
    signal (SIGALRM, s_on_alarm);
    alarm ((unsigned) limit);
    long nofile_hard = 0;
    long nofile = s_raise_nofile (&nofile_hard);
    zsys_set_max_sockets (0);
    zsys_init ();
    zsys_set_logstream (stderr);

    snprintf (s_db, sizeof s_db, "cii_bench_e2e_%d", (int) getpid ());
    snprintf (s_certs, sizeof s_certs, "/tmp/cii-bench-certs-%d", (int) getpid ());
    int port = 20000 + getpid () % 20000;
    snprintf (s_endpoint, sizeof s_endpoint, "tcp://127.0.0.1:%d", port);
    s_admin = PQconnectdb ("");
    char sql[160];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", s_db);
    s_sql (s_admin, sql);
    char cmd[512];
    snprintf (cmd, sizeof cmd, "%s --db dbname=%s init --certs %s >/dev/null", CII_HUB_BIN, s_db, s_certs);
    if (system (cmd) != 0) {
        fprintf (stderr, "bench: cii-hub init failed\n");
        return 1;
    }
    char path[160];
    snprintf (path, sizeof path, "%s/hub.cert", s_certs);
    zcert_t *hub_cert = zcert_load (path);
    snprintf (s_hub_key, sizeof s_hub_key, "%s", zcert_public_txt (hub_cert));
    zcert_destroy (&hub_cert);
    char conninfo[96];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", s_db);
    s_store = hub_store_new (conninfo, NULL);
    s_hub_start ();
    printf ("hub on %s, database %s\n", s_endpoint, s_db);
    size_t packed = s_description_set (size);
    printf ("upward signal: %zu bytes packed (SIGNAL envelope, description of %zu bytes)%s\n", packed,
            strlen (s_description), size > 0 ? "" : "; --size sets it");

    //  1. Latency at a fixed rate, round-robin over `agents` agents.
    if (agents > 7)
        agents = 7;             //  one active agent per network: the seven default networks
    sim_t *sims = s_agents_connect ("real", 0, agents);
    s_welcome_all (sims, agents);
    int total = rate * seconds;
    stats_t st = { 0 };
    int64_t start, deadline;
    if (total > 0) {
        st.sent_at = calloc ((size_t) total, sizeof (int64_t));
        st.latency = calloc ((size_t) total, sizeof (int64_t));
        start = s_us ();
        for (int i = 0; i < total; i++) {
            int64_t due = start + (int64_t) i * 1000000 / rate;
            while (s_us () < due)
                s_poll (sims, agents, (int) ((due - s_us ()) / 1000), s_on_env, &st);
            char id[32];
            snprintf (id, sizeof id, "m-%08d", i);
            st.sent_at[i] = s_us ();
            s_signal (&sims[i % agents], id);
        }
        deadline = zclock_mono () + 30000;
        while (st.receipts < total && zclock_mono () < deadline)
            s_poll (sims, agents, 100, s_on_env, &st);
        qsort (st.latency, (size_t) st.n_latency, sizeof (int64_t), s_cmp);
        //  The line as run.sh and docs/performance.md quote it, then p99.9 and the size after it
        printf ("latency at %d msg/s for %d s over %d agents: %d receipts, %d errors, "
                "p50 %.2f ms, p99 %.2f ms, max %.2f ms; p99.9 %.2f ms (%zu-byte signals)\n", rate, seconds,
                agents, st.receipts, st.errors,
                st.n_latency ? st.latency[st.n_latency / 2] / 1000.0 : -1,
                st.n_latency ? st.latency[(st.n_latency * 99) / 100] / 1000.0 : -1,
                st.n_latency ? st.latency[st.n_latency - 1] / 1000.0 : -1,
                st.n_latency ? st.latency[(st.n_latency * 999) / 1000] / 1000.0 : -1, packed);
        free (st.sent_at);
        free (st.latency);
    }

    //  2. Throughput: every agent keeps a window of 256 signals outstanding.
    memset (&st, 0, sizeof st);
    int sent = 0;
    start = s_us ();
    int64_t end = start + (int64_t) tput_seconds * 1000000;
    while (tput_seconds > 0 && s_us () < end) {
        for (int a = 0; a < agents; a++)
            while (sims[a].outstanding < 256) {
                char id[32];
                snprintf (id, sizeof id, "t-%08d", sent++);
                s_signal (&sims[a], id);
            }
        s_poll (sims, agents, 10, s_on_env, &st);
    }
    double secs = (s_us () - start) / 1e6;
    if (tput_seconds > 0)
        printf ("throughput with %d agents, window 256: %.0f receipts/s (%d in %.1f s, %d errors)\n", agents,
                st.receipts / secs, st.receipts, secs, st.errors);
    deadline = zclock_mono () + 30000;
    while (zclock_mono () < deadline) {
        int outstanding = 0;
        for (int a = 0; a < agents; a++)
            outstanding += sims[a].outstanding;
        if (outstanding <= 0)
            break;
        s_poll (sims, agents, 100, s_on_env, &st);
    }

    //  2b. Downward throughput (issue 10 goal 5): `down` items, each for one of the seven agents
    //  in turn (as a STATUS goes to its request's network), queued in transactions of down_batch
    //  through hub_store_downward_queue while the agents receive and acknowledge (one cumulative
    //  ACK per wake-up). Timed from the first queued item to the last acknowledgement.
    if (down > 0)
        s_downward (sims, agents, down, down_batch, down_kind);

    //  3. One notice acknowledged by `fanout` agents.
    if (fanout > 0) {
        sim_t *fan = s_agents_connect ("fan", 0, fanout);
        s_welcome_all (fan, fanout);
        long rss_before = s_rss_kib (s_hub);
        memset (&st, 0, sizeof st);
        st.target_seq = 1;
        int64_t t0 = s_us ();
        //  addressed to every network: the latency/throughput agents get it too (not counted)
        cii_notice_t notice = { .title = "Recommandation REC-2026-03 publiée",
                                .text = "Le CP a adopté la recommandation REC-2026-03. Merci d'en informer les cantons." };
        hub_notice_sent_t sent;
        cii_err_t err;
        if (hub_notices_send (s_store, &notice, &sent, &err) != CII_OK) {
            fprintf (stderr, "bench: notice failed: %s\n", err.text);
            exit (1);
        }
        deadline = zclock_mono () + 60000;
        while (st.acked_agents < fanout && zclock_mono () < deadline)
            s_poll (fan, fanout, 10, s_on_env, &st);
        double ms = (s_us () - t0) / 1000.0;
        printf ("notice acknowledged by %d of %d agents in %.0f ms (hub RSS %ld KiB)\n", st.acked_agents,
                fanout, ms, rss_before);

        //  One recommendation (three languages of about 2 KB each, as the CP writes them) to the
        //  same agents: the same downward path, a larger item.
        st.acked_agents = 0;
        st.target_seq = 2;
        uint8_t *body = NULL;
        size_t body_size = 0;
        t0 = s_us ();
        if (s_recommendation_pack (&body, &body_size, &err) != CII_OK
        ||  hub_store_begin (s_store) != CII_OK
        ||  hub_store_downward_queue (s_store, "recommendation", body, body_size, NULL, 0,
                                      "recommendation:REC-2026-03.v1", NULL) != CII_OK
        ||  hub_store_commit (s_store) != CII_OK) {
            fprintf (stderr, "bench: recommendation failed: %s\n", err.text);
            exit (1);
        }
        free (body);
        deadline = zclock_mono () + 60000;
        while (st.acked_agents < fanout && zclock_mono () < deadline)
            s_poll (fan, fanout, 10, s_on_env, &st);
        ms = (s_us () - t0) / 1000.0;
        printf ("recommendation (%zu bytes) acknowledged by %d of %d agents in %.0f ms\n", body_size,
                st.acked_agents, fanout, ms);
        for (int i = 0; i < fanout; i++)
            zsock_destroy (&fan[i].sock);
        free (fan);
    }

    //  4. Hub memory and idle CPU with `many` connected agents (issue 10 goal 4: 10,000 agents that
    //  PING like real ones, under 1 GiB and under 10 % of a core when idle). The crowd lives in
    //  child processes of at most S_CROWD_MAX agents each (each process has its own open-files
    //  limit; a simulated agent holds S_FDS_PER_AGENT descriptors there, one at the hub).
    if (many > 0) {
        long per = (nofile - 256) / S_FDS_PER_AGENT;
        if (per > S_CROWD_MAX)
            per = S_CROWD_MAX;
        long hub_nofile = s_nofile_of (s_hub);
        printf ("open-files limits: bench %ld (hard %ld), hub %ld (inherited from the bench, raised to its hard limit)\n",
                nofile, nofile_hard, hub_nofile);
        if (per < 1) {
            printf ("bench: the open-files limit %ld is too low for simulated agents: raise it (ulimit -n)\n", nofile);
            many = 0;
        }
        if (hub_nofile > 0 && hub_nofile < many + fanout + 256)
            printf ("bench: the hub's open-files limit %ld is too low for %d more agents: raise the hard limit "
                    "(ulimit -Hn, LimitNOFILE)\n", hub_nofile, many);
        if (many > 0)
            s_crowd (many, (int) per);
    }

    if (s_send_failures)
        printf ("sends that failed (no connection; signals after %d ms): %ld\n", SEND_TIMEOUT_MS, s_send_failures);
    for (int i = 0; i < agents; i++)
        zsock_destroy (&sims[i].sock);
    free (sims);
    s_hub_stop ();
    hub_store_destroy (&s_store);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", s_db);
    s_sql (s_admin, sql);
    PQfinish (s_admin);
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_certs);
    if (system (cmd) != 0)
        return 1;
    return 0;
}
