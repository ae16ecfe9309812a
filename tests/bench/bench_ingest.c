/*  bench_ingest.c — upward durable ingest throughput of hub_store_ingest (one transaction per
    batch, pipelined, idempotent) side by side, in one run on the same database, with the baselines
    of DESIGN §6 and issue 10 goal 1: a plain libpq loop of one INSERT per transaction, one of 100
    INSERTs per transaction, and the practical limit, a COPY of the same rows into the same tables
    (signals and ingest_log, with their indexes and trigger) in one transaction. The goal line
    takes the ingest as `cii-hub serve` runs it: two lanes, each its own connection. Then the ingest
    rate as the tables grow from empty (flatness, issue 10 goal 3), step by step.
    Usage: PGHOST=... PGUSER=... bench_ingest [--rows N] [--copy N] [--growth N] [--step N]
    (the older positional form `bench_ingest ROWS [GROWTH_ROWS]` still works; see tests/bench/run.sh) */
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_ingest.h"
#include "hub_store_schema.h"
#include "hub_store_signals.h"
#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_util.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static PGconn *
s_connect (const char *dbname)
{
    char conninfo[128];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", dbname);
    PGconn *conn = PQconnectdb (dbname ? conninfo : "");
    if (PQstatus (conn) != CONNECTION_OK) {
        fprintf (stderr, "bench: cannot connect: %s", PQerrorMessage (conn));
        exit (1);
    }
    return conn;
}

static void
s_exec (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK) {
        fprintf (stderr, "bench: %s: %s", sql, PQerrorMessage (conn));
        exit (1);
    }
    PQclear (res);
}

static const char *TITLE = "Accès des personnes admises à titre provisoire à la formation professionnelle";
static const char *TEXT =
    "Les offices AI et les services sociaux constatent que les jeunes adultes admis à titre provisoire "
    "n'ont pas accès aux mesures préparatoires de la formation professionnelle faute de coordination "
    "entre les financeurs. Une réponse uniforme au niveau national est demandée.";

//  Baseline: one INSERT per statement, n_per_tx per transaction (1 = autocommit).
static double
s_baseline (PGconn *conn, int rows, int per_tx)
{
    s_exec (conn, "TRUNCATE bench_plain");
    int64_t start = cii_util_mono_ms ();
    for (int i = 0; i < rows; i += per_tx) {
        if (per_tx > 1)
            s_exec (conn, "BEGIN");
        for (int j = 0; j < per_tx && i + j < rows; j++) {
            char id[37], n[16];
            cii_util_uuid (id);
            snprintf (n, sizeof n, "%d", i + j);
            const char *values[6] = { n, id, "VD", TITLE, TEXT, "fr" };
            PGresult *res = PQexecParams (conn,
                "INSERT INTO bench_plain (agent_id, message_id, canton, title, description, language) "
                "VALUES ($1, $2, $3, $4, $5, $6)", 6, NULL, values, NULL, NULL, 0);
            if (PQresultStatus (res) != PGRES_COMMAND_OK) {
                fprintf (stderr, "bench: insert: %s", PQerrorMessage (conn));
                exit (1);
            }
            PQclear (res);
        }
        if (per_tx > 1)
            s_exec (conn, "COMMIT");
    }
    int64_t ms = cii_util_mono_ms () - start;
    return rows * 1000.0 / (ms ? ms : 1);
}

//  A digest as the serving hub gives one (40 hex digits, SHA-1 of the packed item there): here made
//  from the message id, as only its shape and size matter to the store.
static void
s_digest (const char *message_id, int n, char digest[41])
{
    size_t d = 0;
    for (const char *c = message_id; *c && d < 32; c++)
        if (*c != '-')
            digest[d++] = *c;
    snprintf (digest + d, 41 - d, "%08x", (unsigned) n);
}

//  Appends text to a COPY text-format buffer, escaped (backslash, tab, newline, return).
static size_t
s_copy_text (char *buf, size_t at, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '\\' || *c == '\t' || *c == '\n' || *c == '\r') {
            buf[at++] = '\\';
            buf[at++] = *c == '\t' ? 't' : *c == '\n' ? 'n' : *c == '\r' ? 'r' : '\\';
        }
        else
            buf[at++] = *c;
    }
    return at;
}

static void
s_copy_start (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    if (PQresultStatus (res) != PGRES_COPY_IN) {
        fprintf (stderr, "bench: %s: %s", sql, PQerrorMessage (conn));
        exit (1);
    }
    PQclear (res);
}

static void
s_copy_put (PGconn *conn, const char *buf, size_t size)
{
    if (PQputCopyData (conn, buf, (int) size) != 1) {
        fprintf (stderr, "bench: COPY: %s", PQerrorMessage (conn));
        exit (1);
    }
}

enum { S_CHUNK = 256 * 1024, S_ROW_MAX = 4096 };     //  COPY data sent per call; one row, at most

//  Sends the rows gathered in buf once they fill a chunk (or whatever there is, when last).
static void
s_copy_chunk (PGconn *conn, char *buf, size_t *at, bool last)
{
    if (*at >= S_CHUNK || (last && *at > 0)) {
        s_copy_put (conn, buf, *at);
        *at = 0;
    }
}

static void
s_copy_end (PGconn *conn)
{
    if (PQputCopyEnd (conn, NULL) != 1) {
        fprintf (stderr, "bench: COPY end: %s", PQerrorMessage (conn));
        exit (1);
    }
    PGresult *res;
    while ((res = PQgetResult (conn))) {
        if (PQresultStatus (res) != PGRES_COMMAND_OK) {
            fprintf (stderr, "bench: COPY: %s", PQerrorMessage (conn));
            exit (1);
        }
        PQclear (res);
    }
}

//  The practical limit (issue 10 goal 1): the rows hub_store_ingest writes for `rows` signals —
//  one signals row and one ingest_log row each, the same values — with COPY FROM STDIN (text) into
//  the hub's own tables (their indexes, and the statement trigger on signals), in one transaction,
//  committed. Ids are taken from signals_id_seq as the ingest does, in one block. Rows/s.
static double
s_copy (PGconn *conn, int64_t agent_id, int rows)
{
    const char *inst = cii_domain_institution_name (CII_INSTITUTION_INVALIDITY);
    const char *inst2 = cii_domain_institution_name (CII_INSTITUTION_SOCIAL_AID);
    char *buf = malloc (S_CHUNK + S_ROW_MAX);
    char (*ids)[37] = calloc ((size_t) rows, 37);
    if (!buf || !ids) {
        fprintf (stderr, "bench: out of memory\n");
        exit (1);
    }
    int64_t start = cii_util_mono_ms ();
    s_exec (conn, "BEGIN");
    PGresult *res = PQexec (conn, "SELECT nextval ('signals_id_seq')");
    if (PQresultStatus (res) != PGRES_TUPLES_OK) {
        fprintf (stderr, "bench: nextval: %s", PQerrorMessage (conn));
        exit (1);
    }
    long long base = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    char sql[160];
    snprintf (sql, sizeof sql, "SELECT setval ('signals_id_seq', %lld)", base + rows - 1);
    s_exec (conn, sql);

    s_copy_start (conn, "COPY signals (id, agent_id, network, canton, title, description, institutions, target_groups, "
                  "national_reason, language, created_at, message_id) FROM STDIN");
    size_t at = 0;
    for (int i = 0; i < rows; i++) {
        cii_util_uuid (ids[i]);
        int64_t ms = cii_util_now_ms ();
        time_t secs = (time_t) (ms / 1000);
        struct tm tm;
        gmtime_r (&secs, &tm);
        char created[40];
        size_t c = strftime (created, sizeof created, "%Y-%m-%d %H:%M:%S", &tm);
        snprintf (created + c, sizeof created - c, ".%03d+00", (int) (ms % 1000));
        at += (size_t) snprintf (buf + at, S_ROW_MAX, "%lld\t%lld\tlemanique\tVD\t", base + i,
                                 (long long) agent_id);
        at = s_copy_text (buf, at, TITLE);
        buf[at++] = '\t';
        at = s_copy_text (buf, at, TEXT);
        at += (size_t) snprintf (buf + at, S_ROW_MAX, "\t{%s,%s}\t{}\t\tfr\t%s\t%s\n", inst, inst2, created, ids[i]);
        s_copy_chunk (conn, buf, &at, false);
    }
    s_copy_chunk (conn, buf, &at, true);
    s_copy_end (conn);

    s_copy_start (conn, "COPY ingest_log (agent_id, message_id, kind, ref, digest) FROM STDIN");
    at = 0;
    for (int i = 0; i < rows; i++) {
        char digest[41];
        s_digest (ids[i], i, digest);
        at += (size_t) snprintf (buf + at, S_ROW_MAX, "%lld\t%s\tsignal\tSIG-%lld\t%s\n", (long long) agent_id,
                                 ids[i], base + i, digest);
        s_copy_chunk (conn, buf, &at, false);
    }
    s_copy_chunk (conn, buf, &at, true);
    s_copy_end (conn);
    s_exec (conn, "COMMIT");
    int64_t ms = cii_util_mono_ms () - start;
    free (buf);
    free (ids);
    return rows * 1000.0 / (ms ? ms : 1);
}

//  Empties the tables the ingest writes (and what references them: nothing else is stored here).
static void
s_empty (PGconn *conn)
{
    s_exec (conn, "TRUNCATE signals, ingest_log, match_queue CASCADE");
}

//  Ours: hub_store_ingest over batches of batch signals from agents round-robin.
static double
s_ours (hub_store_t *store, const int64_t *agents, int n_agents, int rows, int batch)
{
    cii_signal_t *signals = calloc ((size_t) batch, sizeof *signals);
    char (*ids)[37] = calloc ((size_t) batch, 37);
    char (*digests)[41] = calloc ((size_t) batch, 41);
    hub_ingest_item_t *items = calloc ((size_t) batch, sizeof *items);
    int64_t start = cii_util_mono_ms ();
    for (int done = 0; done < rows; done += batch) {
        int n = rows - done < batch ? rows - done : batch;
        for (int i = 0; i < n; i++) {
            cii_signal_t *signal = &signals[i];
            memset (signal, 0, sizeof *signal);
            memcpy (signal->canton, "VD", 3);
            signal->title = TITLE;
            signal->description = TEXT;
            signal->institutions[0] = CII_INSTITUTION_INVALIDITY;
            signal->institutions[1] = CII_INSTITUTION_SOCIAL_AID;
            signal->n_institutions = 2;
            signal->national_reason = "";
            memcpy (signal->language, "fr", 3);
            signal->created_at_ms = cii_util_now_ms ();
            cii_util_uuid (ids[i]);
            memset (&items[i], 0, sizeof items[i]);
            items[i].agent_id = agents[(done + i) % n_agents];
            items[i].network = "lemanique";
            items[i].message_id = ids[i];
            s_digest (ids[i], done + i, digests[i]);
            items[i].digest = digests[i];
            items[i].shape = &hub_store_signal_shape;
            items[i].item = signal;
        }
        cii_err_t err;
        if (hub_store_ingest (store, items, (size_t) n, &err) != CII_OK) {
            fprintf (stderr, "bench: ingest failed: %s\n", err.text);
            exit (1);
        }
        for (int i = 0; i < n; i++)
            if (!items[i].stored || items[i].duplicate) {
                fprintf (stderr, "bench: item not stored\n");
                exit (1);
            }
    }
    int64_t ms = cii_util_mono_ms () - start;
    free (signals);
    free (ids);
    free (digests);
    free (items);
    return rows * 1000.0 / (ms ? ms : 1);
}

//  As `cii-hub serve` stores: two ingest lanes, each its own connection, an agent's batches always
//  in the same lane (hub_server.c, INGEST_LANES). Rows in total, half per lane; the wall time.
typedef struct {
    const char *conninfo;
    const int64_t *agent;
    int rows, batch;
} s_lane_t;

static void *
s_lane (void *arg)
{
    s_lane_t *lane = arg;
    hub_store_t *store = hub_store_new (lane->conninfo, NULL);
    if (!store) {
        fprintf (stderr, "bench: a lane cannot connect\n");
        exit (1);
    }
    s_ours (store, lane->agent, 1, lane->rows, lane->batch);
    hub_store_destroy (&store);
    return NULL;
}

#define S_LANES 2

static double
s_ours_lanes (const char *conninfo, const int64_t *agents, int rows, int batch)
{
    pthread_t threads[S_LANES];
    s_lane_t lanes[S_LANES];
    int64_t start = cii_util_mono_ms ();
    for (int l = 0; l < S_LANES; l++) {
        lanes[l] = (s_lane_t) { conninfo, &agents[l], rows / S_LANES, batch };
        if (pthread_create (&threads[l], NULL, s_lane, &lanes[l]) != 0) {
            fprintf (stderr, "bench: cannot start a lane\n");
            exit (1);
        }
    }
    for (int l = 0; l < S_LANES; l++)
        pthread_join (threads[l], NULL);
    int64_t ms = cii_util_mono_ms () - start;
    return (double) (rows / S_LANES * S_LANES) * 1000.0 / (double) (ms > 0 ? ms : 1);
}

//  The server's settings that decide the ingest's pace, as one line.
static void
s_print_settings (PGconn *conn)
{
    PGresult *res = PQexec (conn, "SELECT current_setting ('server_version'), current_setting ('max_wal_size'), "
                                  "current_setting ('checkpoint_completion_target'), current_setting ('shared_buffers'), "
                                  "current_setting ('synchronous_commit'), current_setting ('fsync')");
    if (PQresultStatus (res) == PGRES_TUPLES_OK)
        printf ("PostgreSQL %s: max_wal_size %s, checkpoint_completion_target %s, shared_buffers %s, "
                "synchronous_commit %s, fsync %s\n", PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1),
                PQgetvalue (res, 0, 2), PQgetvalue (res, 0, 3), PQgetvalue (res, 0, 4), PQgetvalue (res, 0, 5));
    PQclear (res);
}

int
main (int argc, char **argv)
{
    int rows = 20000, copy_rows = 200000, growth = 0, step = 0, positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : "0";
        if (streq (argv[i], "--rows")) rows = atoi (value), i++;
        else if (streq (argv[i], "--copy")) copy_rows = atoi (value), i++;
        else if (streq (argv[i], "--growth")) growth = atoi (value), i++;
        else if (streq (argv[i], "--step")) step = atoi (value), i++;
        else if (argv[i][0] != '-' && positional == 0) rows = atoi (argv[i]), positional++;
        else if (argv[i][0] != '-' && positional == 1) growth = atoi (argv[i]), positional++;
        else {
            fprintf (stderr, "usage: bench_ingest [--rows N] [--copy N] [--growth N] [--step N]\n"
                             "  --rows    signals for the ingest and the 100/tx baseline (20000)\n"
                             "  --copy    rows of the COPY limit, 0 = none (200000)\n"
                             "  --growth  flatness: ingest from empty tables up to N rows, 0 = none (0)\n"
                             "  --step    rows per growth step (growth / 10)\n");
            return 2;
        }
    }
    if (rows < 1 || copy_rows < 0 || growth < 0 || step < 0) {
        fprintf (stderr, "bench: --rows must be positive, --copy, --growth and --step not negative\n");
        return 2;
    }
    if (growth > 0 && step == 0)
        step = growth / 10 > 0 ? growth / 10 : growth;
    zsys_init ();
    zsys_set_logstream (stderr);
    char dbname[64];
    snprintf (dbname, sizeof dbname, "cii_bench_%d", (int) getpid ());
    PGconn *admin = s_connect (NULL);
    char sql[160];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", dbname);
    s_exec (admin, sql);

    char conninfo[128];
    snprintf (conninfo, sizeof conninfo, "dbname=%s", dbname);
    hub_store_t *store = hub_store_new (conninfo, NULL);
    int version = 0;
    if (!store || hub_store_migrate (store, &version, NULL) != CII_OK) {
        fprintf (stderr, "bench: cannot prepare the hub schema\n");
        return 1;
    }
    //  Several agents of one network, as after re-enrollments (only one may be active: revoke
    //  between enrollments; ingest does not look at revocation, the server does).
    int64_t agents[7];
    const char *networks[7] = { "lemanique", "mittelland", "nordwest", "zuerich", "ost", "zentral", "ticino" };
    for (int i = 0; i < 7; i++) {
        zcert_t *cert = zcert_new ();
        if (hub_store_enroll (store, networks[i], zcert_public_txt (cert), &agents[i], NULL) != CII_OK) {
            fprintf (stderr, "bench: cannot enroll %s\n", networks[i]);
            return 1;
        }
        zcert_destroy (&cert);
    }
    PGconn *conn = s_connect (dbname);
    s_exec (conn, "CREATE TABLE bench_plain (id bigserial PRIMARY KEY, agent_id bigint, message_id text, "
                  "canton text, title text, description text, language text, "
                  "received_at timestamptz DEFAULT now(), UNIQUE (agent_id, message_id))");

    s_print_settings (conn);
    int one_rows = rows / 10 < 2000 ? rows / 10 : 2000;
    double one = s_baseline (conn, one_rows, 1);
    double hundred = s_baseline (conn, rows, 100);
    //  The limit first, into the empty tables, which are then emptied again for the ingest.
    double copy = copy_rows > 0 ? s_copy (conn, agents[0], copy_rows) : 0;
    s_empty (conn);
    double ours100 = s_ours (store, agents, 1, rows, 100);
    double ours512 = s_ours (store, agents, 1, rows, 512);
    s_empty (conn);
    double lanes512 = s_ours_lanes (conninfo, agents, rows, 512);
    printf ("rows %d (one-per-transaction baseline: %d rows; COPY: %d rows)\n", rows, one_rows, copy_rows);
    printf ("%-44s %10.0f rows/s\n", "baseline: 1 INSERT per transaction", one);
    printf ("%-44s %10.0f rows/s\n", "baseline: 100 INSERTs per transaction", hundred);
    if (copy_rows > 0)
        printf ("%-44s %10.0f rows/s  (%d rows in %.2f s, one transaction)\n",
                "limit: COPY into signals + ingest_log", copy, copy_rows, copy_rows / copy);
    const char *names[3] = { "hub_store_ingest, batches of 100", "hub_store_ingest, batches of 512",
                             "... 2 lanes as serve, batches of 512" };
    double ours[3] = { ours100, ours512, lanes512 };
    for (int i = 0; i < 3; i++) {
        printf ("%-44s %10.0f rows/s  (%.1fx 1/tx, %.0f%% of 100/tx", names[i], ours[i], ours[i] / one,
                100.0 * ours[i] / hundred);
        if (copy_rows > 0)
            printf (", %.0f%% of COPY", 100.0 * ours[i] / copy);
        printf (")\n");
    }
    //  The goal line: the ingest as the serving hub runs it (two lanes).
    double best = lanes512;
    printf ("goal 1 (issue 10): ingest %.0f rows/s = %.1fx the 1/tx loop (goal >= 10x: %s)", best, best / one,
            best / one >= 10 ? "met" : "not met");
    if (copy_rows > 0)
        printf (", %.0f%% of COPY (goal >= 50%%: %s)", 100.0 * best / copy, best >= copy / 2 ? "met" : "not met");
    printf ("\n");

    if (growth > 0) {
        //  Flatness: from empty tables, ingest in steps up to `growth` rows in total, rate of each
        //  step against the first.
        s_empty (conn);
        s_exec (conn, "CHECKPOINT");
        printf ("growth to %d rows from empty tables, step %d (batches of 512, 7 agents):\n", growth, step);
        fflush (stdout);
        double first = 0, low = 0, high = 0;
        int64_t start = cii_util_mono_ms ();
        for (int total = 0; total < growth; total += step) {
            int n = growth - total < step ? growth - total : step;
            int64_t t0 = cii_util_mono_ms ();
            double rate = s_ours (store, agents, 7, n, 512);
            if (total == 0)
                first = low = high = rate;
            low = rate < low ? rate : low;
            high = rate > high ? rate : high;
            printf ("  rows %9d .. %9d  %10.0f rows/s  %+6.1f%%  (%.1f s)\n", total, total + n, rate,
                    100.0 * (rate - first) / first, (cii_util_mono_ms () - t0) / 1000.0);
            fflush (stdout);
        }
        double seconds = (cii_util_mono_ms () - start) / 1000.0;
        bool flat = low >= 0.8 * first && high <= 1.2 * first;
        printf ("goal 3 (issue 10): %d rows in %.0f s; slowest step %+.1f%%, fastest %+.1f%% of the first "
                "(goal within +-20%%: %s)\n", growth, seconds, 100.0 * (low - first) / first,
                100.0 * (high - first) / first, flat ? "met" : "not met");
    }
    PQfinish (conn);
    hub_store_destroy (&store);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    s_exec (admin, sql);
    PQfinish (admin);
    return 0;
}
