/*  peer_rabbit.c — the peer of issue 10's benchmark: RabbitMQ (Debian's rabbitmq-server) at the
    same shape as the bus's durable upward path, through librabbitmq (Debian librabbitmq-dev).

    publish: P publishers, each on its own connection and channel in confirm mode, publish
      persistent messages of SIZE bytes to one durable queue, at most WINDOW unconfirmed each (the
      bus: 7 agents x 256 in flight, receipt after commit); confirmed messages per second over
      SECONDS. The queue is purged before and after.
    consume: the downward shape: N messages are published first, then P consumers (prefetch WINDOW,
      manual acknowledgements) take them; acknowledged messages per second.

    Usage: peer_rabbit publish|consume [--port 5672] [--publishers 7] [--window 256] [--size 1024]
                       [--seconds 10] [--messages 100000]
    Prints one line "rabbitmq publish: N msg/s (...)". Built only when librabbitmq is found; not a
    product program and not a test. */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define S_QUEUE "cii_bench"

static int s_port = 5672;
static int s_window = 256;
static int s_size = 1024;
static int s_seconds = 10;
static long s_messages = 100000;

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
s_check (amqp_rpc_reply_t reply, const char *what)
{
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        fprintf (stderr, "peer_rabbit: %s failed (reply type %d, library error %d)\n", what, reply.reply_type,
                 reply.library_error);
        exit (1);
    }
}

//  A connection with channel 1 open, the durable queue declared.
static amqp_connection_state_t
s_connect (void)
{
    amqp_connection_state_t conn = amqp_new_connection ();
    amqp_socket_t *socket = amqp_tcp_socket_new (conn);
    if (!socket || amqp_socket_open (socket, "127.0.0.1", s_port) != AMQP_STATUS_OK) {
        fprintf (stderr, "peer_rabbit: cannot connect to 127.0.0.1:%d\n", s_port);
        exit (1);
    }
    s_check (amqp_login (conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
    amqp_channel_open (conn, 1);
    s_check (amqp_get_rpc_reply (conn), "channel.open");
    amqp_queue_declare (conn, 1, amqp_cstring_bytes (S_QUEUE), 0, 1, 0, 0, amqp_empty_table);
    s_check (amqp_get_rpc_reply (conn), "queue.declare");
    return conn;
}

static void
s_close (amqp_connection_state_t conn)
{
    amqp_channel_close (conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close (conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection (conn);
}

static void
s_purge (void)
{
    amqp_connection_state_t conn = s_connect ();
    amqp_queue_purge (conn, 1, amqp_cstring_bytes (S_QUEUE));
    s_check (amqp_get_rpc_reply (conn), "queue.purge");
    s_close (conn);
}

typedef struct {
    int index;
    long published;
    long confirmed;
    int64_t until_us;
} s_publisher_t;

static void
s_publish_one (amqp_connection_state_t conn, const char *body)
{
    amqp_basic_properties_t props;
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2;                         //  persistent
    props.content_type = amqp_cstring_bytes ("application/octet-stream");
    amqp_bytes_t bytes = { (size_t) s_size, (void *) body };
    if (amqp_basic_publish (conn, 1, amqp_empty_bytes, amqp_cstring_bytes (S_QUEUE), 0, 0, &props, bytes)
        != AMQP_STATUS_OK) {
        fprintf (stderr, "peer_rabbit: basic.publish failed\n");
        exit (1);
    }
}

//  Reads confirms (basic.ack, possibly `multiple`) until at most `outstanding_max` are unconfirmed.
static void
s_read_confirms (amqp_connection_state_t conn, s_publisher_t *p, long outstanding_max)
{
    while (p->published - p->confirmed > outstanding_max) {
        amqp_frame_t frame;
        struct timeval tv = { 5, 0 };
        int rc = amqp_simple_wait_frame_noblock (conn, &frame, &tv);
        if (rc == AMQP_STATUS_TIMEOUT) {
            fprintf (stderr, "peer_rabbit: no confirm within 5 s\n");
            exit (1);
        }
        if (rc != AMQP_STATUS_OK) {
            fprintf (stderr, "peer_rabbit: reading confirms failed (%d)\n", rc);
            exit (1);
        }
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->multiple)
                p->confirmed = (long) ack->delivery_tag;
            else
                p->confirmed++;
        }
        else
        if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            fprintf (stderr, "peer_rabbit: the broker refused a message (nack)\n");
            exit (1);
        }
        amqp_maybe_release_buffers (conn);
    }
}

static void *
s_publisher (void *arg)
{
    s_publisher_t *p = arg;
    amqp_connection_state_t conn = s_connect ();
    amqp_confirm_select (conn, 1);
    s_check (amqp_get_rpc_reply (conn), "confirm.select");
    char *body = malloc ((size_t) s_size);
    memset (body, 'x', (size_t) s_size);
    while (s_now_us () < p->until_us) {
        while (p->published - p->confirmed < s_window) {
            s_publish_one (conn, body);
            p->published++;
        }
        s_read_confirms (conn, p, s_window - 1);
    }
    s_read_confirms (conn, p, 0);
    free (body);
    s_close (conn);
    return NULL;
}

typedef struct {
    long acked;
    long target;
} s_consumer_t;

static void *
s_consumer (void *arg)
{
    s_consumer_t *c = arg;
    amqp_connection_state_t conn = s_connect ();
    amqp_basic_qos (conn, 1, 0, (uint16_t) s_window, 0);
    s_check (amqp_get_rpc_reply (conn), "basic.qos");
    amqp_basic_consume (conn, 1, amqp_cstring_bytes (S_QUEUE), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    s_check (amqp_get_rpc_reply (conn), "basic.consume");
    while (c->acked < c->target) {
        amqp_envelope_t envelope;
        struct timeval tv = { 2, 0 };
        amqp_maybe_release_buffers (conn);
        amqp_rpc_reply_t reply = amqp_consume_message (conn, &envelope, &tv, 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL)
            break;                                   //  the queue is empty (others took the rest)
        amqp_basic_ack (conn, 1, envelope.delivery_tag, 0);
        amqp_destroy_envelope (&envelope);
        c->acked++;
    }
    s_close (conn);
    return NULL;
}

int
main (int argc, char **argv)
{
    if (argc < 2 || (strcmp (argv [1], "publish") != 0 && strcmp (argv [1], "consume") != 0)) {
        fprintf (stderr, "usage: peer_rabbit publish|consume [--port N] [--publishers N] [--window N] [--size N]"
                         " [--seconds N] [--messages N]\n");
        return 2;
    }
    bool publish = strcmp (argv [1], "publish") == 0;
    int publishers = 7;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp (argv [i], "--port") == 0) s_port = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--publishers") == 0) publishers = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--window") == 0) s_window = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--size") == 0) s_size = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--seconds") == 0) s_seconds = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--messages") == 0) s_messages = atol (argv [i + 1]);
        else {
            fprintf (stderr, "peer_rabbit: unknown option %s\n", argv [i]);
            return 2;
        }
    }
    if (publishers < 1 || publishers > 64 || s_window < 1 || s_size < 1 || s_seconds < 1 || s_messages < 1)
        return 2;
    s_purge ();
    pthread_t threads [64];
    if (publish) {
        s_publisher_t pubs [64];
        int64_t t0 = s_now_us ();
        for (int i = 0; i < publishers; i++) {
            pubs [i] = (s_publisher_t) { i, 0, 0, t0 + (int64_t) s_seconds * 1000000 };
            pthread_create (&threads [i], NULL, s_publisher, &pubs [i]);
        }
        long confirmed = 0;
        for (int i = 0; i < publishers; i++) {
            pthread_join (threads [i], NULL);
            confirmed += pubs [i].confirmed;
        }
        double seconds = (double) (s_now_us () - t0) / 1e6;
        printf ("rabbitmq publish: %.0f msg/s (%ld confirmed in %.1f s; %d publishers x %d in flight, %d bytes,"
                " durable queue, persistent, publisher confirms)\n", confirmed / seconds, confirmed, seconds,
                publishers, s_window, s_size);
    }
    else {
        //  Fill the queue first (one publisher with confirms), then time the consumers.
        amqp_connection_state_t conn = s_connect ();
        amqp_confirm_select (conn, 1);
        s_check (amqp_get_rpc_reply (conn), "confirm.select");
        char *body = malloc ((size_t) s_size);
        memset (body, 'y', (size_t) s_size);
        s_publisher_t filler = { 0, 0, 0, 0 };
        while (filler.published < s_messages) {
            s_publish_one (conn, body);
            filler.published++;
            s_read_confirms (conn, &filler, s_window);
        }
        s_read_confirms (conn, &filler, 0);
        free (body);
        s_close (conn);
        s_consumer_t cons [64];
        int64_t t0 = s_now_us ();
        for (int i = 0; i < publishers; i++) {
            cons [i] = (s_consumer_t) { 0, s_messages / publishers + (i == 0 ? s_messages % publishers : 0) };
            pthread_create (&threads [i], NULL, s_consumer, &cons [i]);
        }
        long acked = 0;
        for (int i = 0; i < publishers; i++) {
            pthread_join (threads [i], NULL);
            acked += cons [i].acked;
        }
        double seconds = (double) (s_now_us () - t0) / 1e6;
        printf ("rabbitmq consume: %.0f msg/s (%ld acknowledged in %.1f s; %d consumers, prefetch %d, %d bytes,"
                " manual acks)\n", acked / seconds, acked, seconds, publishers, s_window, s_size);
    }
    s_purge ();
    return 0;
}
