/*  bench_hostile.c — measures a real `cii-hub serve` under a descriptor attack (issue 6 point 2):
    one address opens TCP connections to the hub's port as fast as it can and never speaks, while
    an enrolled agent's session PINGs and new agents try to connect. The hub runs with a small
    open-files limit (--nofile, default 1024) so that the attacker can reach it. Prints the hub's
    CPU, the PONG latency of the established session, how long a new agent waits for WELCOME, and
    how many connections the attacker held, before and during the attack.
    Usage: PGHOST=... bench_hostile [--nofile 1024] [--seconds 20] */
#include "cii_codec.h"
#include "cii_util.h"
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_schema.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static char s_db [64], s_certs [128], s_endpoint [64];
static int s_port;
static pid_t s_hub, s_attacker;

static void
s_cleanup (void)
{
    if (s_attacker > 0)
        kill (s_attacker, SIGKILL);
    if (s_hub > 0)
        kill (s_hub, SIGKILL);
    while (wait (NULL) > 0)
        ;
}

static double
s_cpu_seconds (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *f = fopen (path, "r");
    unsigned long utime = 0, stime = 0;
    if (f) {
        if (fscanf (f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
            utime = stime = 0;
        fclose (f);
    }
    return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

//  The attacker: connects as fast as it can, keeps every connection, never sends a byte; replaces
//  the ones the hub closes. Reports how many it holds on its stdout every second.
static void
s_attack (void)
{
    struct rlimit rl = { 65536, 65536 };
    setrlimit (RLIMIT_NOFILE, &rl);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) s_port) };
    inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);
    int64_t report = zclock_mono () + 1000;
    int open_now = 0;
    static int fds [60000];
    while (1) {
        if (open_now < 60000) {
            int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd >= 0) {
                connect (fd, (struct sockaddr *) &addr, sizeof addr);
                fds [open_now++] = fd;
            }
        }
        if (zclock_mono () >= report) {
            //  Count the ones still open (the hub closes unauthenticated connections).
            int alive = 0;
            for (int i = 0; i < open_now; i++) {
                char byte;
                ssize_t n = recv (fds [i], &byte, 1, MSG_DONTWAIT | MSG_PEEK);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != ENOTCONN && errno != EINPROGRESS)) {
                    close (fds [i]);
                    fds [i] = -1;
                }
                else
                    fds [alive++] = fds [i];
            }
            open_now = alive;
            printf ("attacker holds %d connections\n", open_now);
            fflush (stdout);
            report = zclock_mono () + 1000;
        }
        if (open_now >= 60000)
            zclock_sleep (10);
    }
}

typedef struct {
    zsock_t *sock;
    zcert_t *cert;
} agent_t;

static agent_t
s_agent (hub_store_t *store, const char *network, const char *hub_key)
{
    agent_t agent;
    agent.cert = zcert_new ();
    int64_t id = 0;
    cii_err_t err;
    if (hub_store_enroll (store, network, zcert_public_txt (agent.cert), &id, &err) != CII_OK) {
        fprintf (stderr, "bench: enroll %s: %s\n", network, err.text);
        exit (1);
    }
    agent.sock = zsock_new (ZMQ_DEALER);
    zcert_apply (agent.cert, agent.sock);
    zsock_set_curve_serverkey (agent.sock, hub_key);
    zsock_set_linger (agent.sock, 0);
    zsock_set_sndtimeo (agent.sock, 1000);
    return agent;
}

static void
s_send (zsock_t *sock, Cii__Envelope *env, const char *id)
{
    env->version = CII_PROTOCOL_VERSION;
    env->message_id = (char *) id;
    uint8_t *data;
    size_t size;
    if (cii_codec_encode (env, &data, &size, NULL) == CII_OK) {
        zmq_send (zsock_resolve (sock), data, size, ZMQ_DONTWAIT);
        free (data);
    }
}

//  HELLO, then waits for WELCOME: milliseconds it took, or -1 after timeout_ms.
static int64_t
s_hello (zsock_t *sock, int timeout_ms)
{
    int64_t start = zclock_mono ();
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    int64_t resend = start;
    while (zclock_mono () - start < timeout_ms) {
        if (zclock_mono () >= resend) {
            s_send (sock, &env, "hello");
            resend = zclock_mono () + 1000;
        }
        zsock_set_rcvtimeo (sock, 100);
        zframe_t *frame = zframe_recv (sock);
        if (!frame)
            continue;
        Cii__Envelope *reply = NULL;
        bool welcome = cii_codec_decode (zframe_data (frame), zframe_size (frame), &reply, NULL) == CII_OK
                    && reply->body_case == CII__ENVELOPE__BODY_WELCOME;
        cii_codec_free (&reply);
        zframe_destroy (&frame);
        if (welcome)
            return zclock_mono () - start;
    }
    return -1;
}

//  PINGs every 200 ms for seconds; prints p50, p99, max of the PONG round trips and how many were lost.
static void
s_pings (zsock_t *sock, int seconds, const char *label)
{
    int64_t rtt [1000];
    int n = 0, lost = 0;
    int64_t end = zclock_mono () + seconds * 1000;
    while (zclock_mono () < end && n < 1000) {
        Cii__Envelope env = CII__ENVELOPE__INIT;
        Cii__Ping ping = CII__PING__INIT;
        ping.sent_at_ms = zclock_usecs ();
        env.body_case = CII__ENVELOPE__BODY_PING;
        env.ping = &ping;
        s_send (sock, &env, "ping");
        int64_t sent = zclock_usecs ();
        bool got = false;
        while (!got && zclock_usecs () - sent < 2000000) {
            zsock_set_rcvtimeo (sock, 100);
            zframe_t *frame = zframe_recv (sock);
            if (!frame)
                continue;
            Cii__Envelope *reply = NULL;
            if (cii_codec_decode (zframe_data (frame), zframe_size (frame), &reply, NULL) == CII_OK
            &&  reply->body_case == CII__ENVELOPE__BODY_PONG && reply->pong->sent_at_ms == ping.sent_at_ms) {
                rtt [n++] = zclock_usecs () - sent;
                got = true;
            }
            cii_codec_free (&reply);
            zframe_destroy (&frame);
        }
        if (!got)
            lost++;
        zclock_sleep (200);
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && rtt [j - 1] > rtt [j]; j--) {
            int64_t t = rtt [j];
            rtt [j] = rtt [j - 1];
            rtt [j - 1] = t;
        }
    printf ("%s: %d PONGs, %d lost; round trip p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", label, n, lost,
            n ? rtt [n / 2] / 1000.0 : -1, n ? rtt [(n * 99) / 100] / 1000.0 : -1, n ? rtt [n - 1] / 1000.0 : -1);
}

int
main (int argc, char **argv)
{
    int nofile = 1024, seconds = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--nofile")) nofile = atoi (argv [i + 1]);
        else if (streq (argv [i], "--seconds")) seconds = atoi (argv [i + 1]);
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    atexit (s_cleanup);
    alarm ((unsigned) (seconds * 3 + 120));           //  never hang: SIGALRM ends the run
    snprintf (s_db, sizeof s_db, "cii_bench_hostile_%d", (int) getpid ());
    snprintf (s_certs, sizeof s_certs, "/tmp/cii-bench-hostile-%d", (int) getpid ());
    s_port = 20000 + getpid () % 20000;
    snprintf (s_endpoint, sizeof s_endpoint, "tcp://127.0.0.1:%d", s_port);
    PGconn *admin = PQconnectdb ("");
    char sql [160];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", s_db);
    PQclear (PQexec (admin, sql));
    char cmd [512];
    snprintf (cmd, sizeof cmd, "%s --db dbname=%s init --certs %s >/dev/null", CII_HUB_BIN, s_db, s_certs);
    if (system (cmd) != 0)
        return 1;
    char path [160];
    snprintf (path, sizeof path, "%s/hub.cert", s_certs);
    zcert_t *hub_cert = zcert_load (path);
    char hub_key [41];
    snprintf (hub_key, sizeof hub_key, "%s", zcert_public_txt (hub_cert));
    zcert_destroy (&hub_cert);
    char conninfo [96];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", s_db);
    hub_store_t *store = hub_store_new (conninfo, NULL);
    agent_t agents [4];
    const char *networks [4] = { "lemanique", "ticino", "zuerich", "ost" };
    for (int i = 0; i < 4; i++)
        agents [i] = s_agent (store, networks [i], hub_key);

    s_hub = fork ();
    if (s_hub == 0) {
        struct rlimit rl = { (rlim_t) nofile, (rlim_t) nofile };
        setrlimit (RLIMIT_NOFILE, &rl);
        int fd = open ("/dev/null", O_WRONLY);
        dup2 (fd, 1);
        dup2 (fd, 2);
        char db [96];
        snprintf (db, sizeof db, "dbname=%s", s_db);
        execl (CII_HUB_BIN, "cii-hub", "--db", db, "serve", "--certs", s_certs, "--bind", s_endpoint, (char *) NULL);
        _exit (127);
    }
    zclock_sleep (1000);
    printf ("hub on %s with an open-files limit of %d\n", s_endpoint, nofile);
    zsock_connect (agents [0].sock, "%s", s_endpoint);
    printf ("established agent: WELCOME after %" PRId64 " ms\n", s_hello (agents [0].sock, 10000));
    double cpu0 = s_cpu_seconds (s_hub);
    s_pings (agents [0].sock, 5, "before the attack");
    printf ("hub CPU before the attack: %.1f %% of one core\n", (s_cpu_seconds (s_hub) - cpu0) * 20.0);
    fflush (stdout);

    s_attacker = fork ();
    if (s_attacker == 0) {
        s_attack ();
        _exit (0);
    }
    zclock_sleep (3000);
    cpu0 = s_cpu_seconds (s_hub);
    int64_t t0 = zclock_mono ();
    s_pings (agents [0].sock, seconds, "during the attack, established session");
    double cpu = (s_cpu_seconds (s_hub) - cpu0) * 100.0 / ((zclock_mono () - t0) / 1000.0);
    printf ("hub CPU during the attack: %.1f %% of one core\n", cpu);
    for (int i = 1; i < 4; i++) {
        zsock_connect (agents [i].sock, "%s", s_endpoint);
        int64_t ms = s_hello (agents [i].sock, 30000);
        if (ms < 0)
            printf ("new agent %d during the attack: no WELCOME within 30 s\n", i);
        else
            printf ("new agent %d during the attack: WELCOME after %" PRId64 " ms\n", i, ms);
    }
    kill (s_attacker, SIGKILL);
    waitpid (s_attacker, NULL, 0);
    s_attacker = 0;
    for (int i = 0; i < 4; i++) {
        zsock_destroy (&agents [i].sock);
        zcert_destroy (&agents [i].cert);
    }
    kill (s_hub, SIGTERM);
    waitpid (s_hub, NULL, 0);
    s_hub = 0;
    hub_store_destroy (&store);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", s_db);
    PQclear (PQexec (admin, sql));
    PQfinish (admin);
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_certs);
    return system (cmd) == 0 ? 0 : 1;
}
