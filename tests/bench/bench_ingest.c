/*  bench_ingest.c — upward durable ingest throughput of hub_store_ingest (one transaction per
    batch, pipelined, idempotent) side by side with the two baselines of DESIGN §6, in one run on
    the same database: a plain libpq loop of one INSERT per transaction, and 100 INSERTs per
    transaction. Also measures the ingest rate as the signals table grows (flatness).
    Usage: PGHOST=... PGUSER=... bench_ingest [ROWS] [GROWTH_ROWS]   (see tests/bench/run.sh) */
#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_ingest.h"
#include "hub_store_schema.h"
#include "hub_store_signals.h"
#include "hub_store_agents.h"
#include "hub_store_schema.h"
#include "hub_store_signals.h"
#include "cii_codec.h"
#include "cii_util.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

//  Ours: hub_store_ingest over batches of batch signals from agents round-robin.
static double
s_ours (hub_store_t *store, const int64_t *agents, int n_agents, int rows, int batch)
{
    cii_signal_t *signals = calloc ((size_t) batch, sizeof *signals);
    char (*ids)[37] = calloc ((size_t) batch, 37);
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
    free (items);
    return rows * 1000.0 / (ms ? ms : 1);
}

int
main (int argc, char **argv)
{
    int rows = argc > 1 ? atoi (argv[1]) : 20000;
    int growth = argc > 2 ? atoi (argv[2]) : 0;
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

    int one_rows = rows / 10 < 2000 ? rows / 10 : 2000;
    double one = s_baseline (conn, one_rows, 1);
    double hundred = s_baseline (conn, rows, 100);
    double ours100 = s_ours (store, agents, 1, rows, 100);
    double ours512 = s_ours (store, agents, 1, rows, 512);
    printf ("rows %d (one-per-transaction baseline: %d rows)\n", rows, one_rows);
    printf ("%-44s %10.0f rows/s\n", "baseline: 1 INSERT per transaction", one);
    printf ("%-44s %10.0f rows/s\n", "baseline: 100 INSERTs per transaction", hundred);
    printf ("%-44s %10.0f rows/s  (%.1fx 1/tx, %.0f%% of 100/tx)\n", "hub_store_ingest, batches of 100",
            ours100, ours100 / one, 100.0 * ours100 / hundred);
    printf ("%-44s %10.0f rows/s  (%.1fx 1/tx, %.0f%% of 100/tx)\n", "hub_store_ingest, batches of 512",
            ours512, ours512 / one, 100.0 * ours512 / hundred);

    if (growth > 0) {
        //  Flatness: ingest in steps up to `growth` rows in total, rate of each step.
        int step = growth / 10;
        printf ("growth to %d rows, step %d (batches of 512):\n", growth, step);
        for (int total = 0; total < growth; total += step) {
            double rate = s_ours (store, agents, 7, step, 512);
            printf ("  rows %9d .. %9d  %10.0f rows/s\n", total, total + step, rate);
        }
    }
    PQfinish (conn);
    hub_store_destroy (&store);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    s_exec (admin, sql);
    PQfinish (admin);
    return 0;
}
