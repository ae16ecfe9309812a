/*  bench_e2e.c — end-to-end figures of DESIGN §6 against a real `cii-hub serve` on loopback:
    agent->receipt latency at a fixed rate, upward throughput with a window, one notice acknowledged
    by many agents, and hub memory with many connected agents. Agents are simulated in this
    process (CURVE DEALERs with enrolled keys speaking the real protocol through the codec; they
    acknowledge without a SQLite write, and PING every heartbeat as real agents do) so that thousands
    fit on two cores. Every send has a timeout and the whole run a time limit (--limit, default
    600 s): the benchmark ends with figures or with a clear failure, never hangs.
    Usage: PGHOST=... bench_e2e [--agents 7] [--rate 500] [--seconds 10] [--fanout 1000] [--many 5000]
                                [--limit 600] */
#include "hub_notices.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_downward.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "cii_wire.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

typedef struct {
    zsock_t *sock;
    void *handle;
    int64_t acked;      //  downward sequence acknowledged
    int outstanding;    //  signals sent without receipt
    const char *canton; //  a canton of the agent's network
    bool welcomed;
    int64_t pinged_ms;  //  when it last sent a PING
} sim_t;

#define SEND_TIMEOUT_MS 5000
#define HEARTBEAT_MS    1000
static long s_send_failures = 0;

//  The seven default networks, with one canton of each, for the upward phases.
static const char *s_networks[7][2] = {
    { "lemanique", "VD" }, { "mittelland", "BE" }, { "nordwest", "BS" }, { "zuerich", "ZH" },
    { "ost", "SG" }, { "zentral", "LU" }, { "ticino", "TI" } };

static char s_db[64], s_certs[128], s_endpoint[64];
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

static long
s_rss_kib (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen (path, "r");
    long kib = -1;
    while (f && fgets (line, sizeof line, f))
        if (strncmp (line, "VmRSS:", 6) == 0)
            kib = atol (line + 6);
    if (f)
        fclose (f);
    return kib;
}

static void s_hub_stop (void);

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

//  Enrolls count agents on networks named prefix-N (created here) and connects a simulated agent
//  for each; returns when every one has its WELCOME.
static sim_t *
s_agents_connect (const char *prefix, int count)
{
    bool real = streq (prefix, "real");
    char sql[256];
    snprintf (sql, sizeof sql,
              "INSERT INTO networks (name, label) SELECT '%s-' || i, 'bench' FROM generate_series (1, %d) i "
              "ON CONFLICT DO NOTHING", prefix, count);
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
        snprintf (network, sizeof network, "%s-%d", prefix, i + 1);
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
}

static void
s_signal (sim_t *sim, const char *id)
{
    cii_signal_t signal = { .title = "Coordination entre l'AI et l'aide sociale",
                            .description = "Les jeunes adultes en situation de handicap psychique passent d'un "
                                           "système à l'autre.",
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
    //  Like real agents: a PING every heartbeat once welcomed, or the hub closes the session.
    int64_t now = zclock_mono ();
    for (int i = 0; i < count; i++)
        if (sims[i].welcomed && now - sims[i].pinged_ms >= HEARTBEAT_MS)
            s_ping (&sims[i]);
    for (int i = 0; i < count; i++)
        items[i] = (zmq_pollitem_t) { sims[i].handle, 0, ZMQ_POLLIN, 0 };
    int rc = zmq_poll (items, count, timeout_ms > HEARTBEAT_MS ? HEARTBEAT_MS : timeout_ms);
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
            Cii__Envelope reply = CII__ENVELOPE__INIT;
            Cii__Ack ack = CII__ACK__INIT;
            ack.seq = env->deliver->seq;
            reply.body_case = CII__ENVELOPE__BODY_ACK;
            reply.ack = &ack;
            char id[32];
            snprintf (id, sizeof id, "ack-%" PRIu64, ack.seq);
            s_send (sim, &reply, id);
            sim->acked = (int64_t) ack.seq;
            if (sim->acked == st->target_seq)
                st->acked_agents++;
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

static void
s_welcome_all (sim_t *sims, int count)
{
    stats_t st = { 0 };
    for (int i = 0; i < count; i++)
        s_hello (&sims[i]);
    //  As a real agent does: HELLO again when no WELCOME came (a key enrolled a moment ago may
    //  have been refused once by the hub's cache).
    int64_t deadline = zclock_mono () + 120000, again = zclock_mono () + 3000;
    while (st.welcomed < count && zclock_mono () < deadline) {
        s_poll (sims, count, 100, s_on_env, &st);
        if (zclock_mono () > again) {
            for (int i = 0; i < count; i++)
                if (!sims[i].welcomed)
                    s_hello (&sims[i]);
            again = zclock_mono () + 3000;
        }
    }
    if (st.welcomed < count) {
        fprintf (stderr, "bench: only %d of %d agents welcomed\n", st.welcomed, count);
        exit (1);
    }
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

int
main (int argc, char **argv)
{
    int agents = 7, rate = 500, seconds = 10, fanout = 1000, many = 5000, limit = 600;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv[i], "--agents")) agents = atoi (argv[i + 1]);
        else if (streq (argv[i], "--rate")) rate = atoi (argv[i + 1]);
        else if (streq (argv[i], "--seconds")) seconds = atoi (argv[i + 1]);
        else if (streq (argv[i], "--fanout")) fanout = atoi (argv[i + 1]);
        else if (streq (argv[i], "--many")) many = atoi (argv[i + 1]);
        else if (streq (argv[i], "--limit")) limit = atoi (argv[i + 1]);
    }
    signal (SIGALRM, s_on_alarm);
    alarm ((unsigned) limit);
    struct rlimit rl = { 65536, 65536 };
    setrlimit (RLIMIT_NOFILE, &rl);
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

    //  1. Latency at a fixed rate, round-robin over `agents` agents.
    if (agents > 7)
        agents = 7;             //  one active agent per network: the seven default networks
    sim_t *sims = s_agents_connect ("real", agents);
    s_welcome_all (sims, agents);
    int total = rate * seconds;
    stats_t st = { 0 };
    st.sent_at = calloc ((size_t) total, sizeof (int64_t));
    st.latency = calloc ((size_t) total, sizeof (int64_t));
    int64_t start = s_us ();
    for (int i = 0; i < total; i++) {
        int64_t due = start + (int64_t) i * 1000000 / rate;
        while (s_us () < due)
            s_poll (sims, agents, (int) ((due - s_us ()) / 1000), s_on_env, &st);
        char id[32];
        snprintf (id, sizeof id, "m-%d", i);
        st.sent_at[i] = s_us ();
        s_signal (&sims[i % agents], id);
    }
    int64_t deadline = zclock_mono () + 30000;
    while (st.receipts < total && zclock_mono () < deadline)
        s_poll (sims, agents, 100, s_on_env, &st);
    qsort (st.latency, (size_t) st.n_latency, sizeof (int64_t), s_cmp);
    printf ("latency at %d msg/s for %d s over %d agents: %d receipts, %d errors, "
            "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", rate, seconds, agents, st.receipts, st.errors,
            st.n_latency ? st.latency[st.n_latency / 2] / 1000.0 : -1,
            st.n_latency ? st.latency[(st.n_latency * 99) / 100] / 1000.0 : -1,
            st.n_latency ? st.latency[st.n_latency - 1] / 1000.0 : -1);
    free (st.sent_at);
    free (st.latency);

    //  2. Throughput: every agent keeps a window of 256 signals outstanding.
    memset (&st, 0, sizeof st);
    int sent = 0;
    start = s_us ();
    int64_t end = start + (int64_t) seconds * 1000000;
    while (s_us () < end) {
        for (int a = 0; a < agents; a++)
            while (sims[a].outstanding < 256) {
                char id[32];
                snprintf (id, sizeof id, "t-%d", sent++);
                s_signal (&sims[a], id);
            }
        s_poll (sims, agents, 10, s_on_env, &st);
    }
    double secs = (s_us () - start) / 1e6;
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

    //  3. One notice acknowledged by `fanout` agents.
    if (fanout > 0) {
        sim_t *fan = s_agents_connect ("fan", fanout);
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
        uint8_t *body = NULL;
        size_t body_size = 0;
        t0 = s_us ();
        if (cii_wire_recommendation_pack (&rec, &body, &body_size, &err) != CII_OK
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

    //  4. Hub memory with `many` connected agents.
    if (many > 0) {
        long idle = s_rss_kib (s_hub);
        sim_t *crowd = s_agents_connect ("many", many);
        s_welcome_all (crowd, many);
        zclock_sleep (2000);
        long rss = s_rss_kib (s_hub);
        printf ("hub RSS with %d more connected agents: %ld KiB (%.1f MiB; before: %.1f MiB)\n", many, rss,
                rss / 1024.0, idle / 1024.0);
        //  Idle cost of that many connections (ZeroMQ heartbeats, session housekeeping), while
        //  each simulated agent answers what it gets, as a real one would.
        double cpu0 = s_cpu_seconds (s_hub);
        int64_t until = zclock_mono () + 10000;
        stats_t idle_st = { 0 };
        while (zclock_mono () < until)
            s_poll (crowd, many, 100, s_on_env, &idle_st);
        printf ("hub CPU with %d connected agents, idle: %.1f %% of one core over 10 s\n", many,
                (s_cpu_seconds (s_hub) - cpu0) * 10.0);
        for (int i = 0; i < many; i++)
            zsock_destroy (&crowd[i].sock);
        free (crowd);
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
