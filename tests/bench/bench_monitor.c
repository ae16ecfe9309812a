/*  bench_monitor.c — the speed of the monitoring matrix (issue 9: `cii-hub monitor` over 1,000
    recommendations x 26 cantons in under 200 ms). A fresh hub database with N recommendations to all
    26 cantons (one in ten amended: version 2 current, pushes of version 1 left behind), half due in
    the past, their downward items for the seven networks' agents (four in five acknowledged), one
    PUSH per cell (one in twenty failed, then pushed again) and zero to three REPORTs per cell; then
    hub_monitor_build for the whole matrix, one network, one recommendation and the overdue cells,
    and `cii-hub monitor` in process (JSON, text), repeated. docs/operator-guide.md §19.
    Usage: PGHOST=... PGUSER=... bench_monitor [--recs N] [--runs R] [--keep DBNAME] */
#include "bench_util.h"
#include "hub_cli.h"
#include "hub_monitor.h"
#include "hub_store.h"

#include <czmq.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
    bench_init ("bench_monitor");
    int n_recs = 1000, runs = 20;
    const char *keep = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--recs"))
            n_recs = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--runs"))
            runs = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--keep"))
            keep = argv [i + 1];
        else {
            fprintf (stderr, "usage: bench_monitor [--recs N] [--runs R] [--keep DBNAME]\n");
            return 2;
        }
    }
    if (n_recs < 10 || n_recs > 9999 || runs < 1)
        bench_die ("bad counts", NULL);
    zsys_init ();
    zsys_set_logstream (NULL);

    char sql [4096];
    bench_db_t db;
    bench_db_open (&db, "cii_bench_monitor", keep);
    hub_store_t *store = db.store;
    PGconn *conn = db.conn;

    //  The rows, generated in SQL.
    int64_t t0 = zclock_mono ();
    bench_exec (conn, "INSERT INTO agents (network, public_key) SELECT name, rpad (name, 40, 'x') FROM networks");
    snprintf (sql, sizeof sql,
        "INSERT INTO recommendations (ref, version) "
        "SELECT 'REC-2030-' || lpad (g::text, 4, '0'), CASE WHEN g %% 10 = 0 THEN 2 ELSE 1 END "
        "FROM generate_series (1, %d) g", n_recs);
    bench_exec (conn, sql);
    bench_exec (conn, "INSERT INTO recommendation_versions (rec_id, version, adopted_on, report_by, all_cantons, cantons) "
                      "SELECT r.id, v, '2020-01-10', CASE WHEN r.id % 2 = 0 THEN date '2021-06-30' "
                      "                                   ELSE date '2099-06-30' END, true, "
                      "       (SELECT array_agg (code ORDER BY code) FROM cantons) "
                      "FROM recommendations r, generate_series (1, r.version) v");
    bench_exec (conn, "INSERT INTO recommendation_texts (rec_id, version, language, title, text) "
                      "SELECT v.rec_id, v.version, l, 'Recommandation ' || v.rec_id || ' sur la coordination', 'Texte' "
                      "FROM recommendation_versions v, unnest (ARRAY['fr', 'de', 'it']) l");
    //  The downward items: every version of every recommendation for every agent, in order.
    bench_exec (conn, "INSERT INTO downward (agent_id, seq, kind, body, subject, acked_at) "
                      "SELECT a.id, row_number () OVER (PARTITION BY a.id ORDER BY v.rec_id, v.version), "
                      "       'recommendation', '\\x0a00', 'recommendation:' || r.ref || '.v' || v.version, "
                      "       CASE WHEN (v.rec_id + a.id) % 5 <> 0 THEN now () END "
                      "FROM agents a, recommendation_versions v JOIN recommendations r ON r.id = v.rec_id");
    bench_exec (conn, "UPDATE downward_heads h SET last_seq = coalesce ((SELECT max (seq) FROM downward d "
                      "WHERE d.agent_id = h.agent_id), 0)");
    //  One PUSH per cell of version 1 and of the current version; one in twenty failed, then pushed.
    bench_exec (conn, "INSERT INTO rec_pushes (rec_id, version, canton, network, agent_id, message_id, state, adapter, "
                      "                        detail, attempts, at) "
                      "SELECT v.rec_id, v.version, c.code, c.network, a.id, 'p-' || v.rec_id || '-' || v.version || '-' || "
                      "       c.code || '-' || k, CASE WHEN k = 1 AND (v.rec_id + ascii (c.code)) % 20 = 0 THEN 'failed' "
                      "       ELSE 'pushed' END, 'dir', CASE WHEN k = 1 THEN 'timeout' ELSE '' END, k, now () "
                      "FROM recommendation_versions v CROSS JOIN cantons c JOIN agents a ON a.network = c.network "
                      "CROSS JOIN generate_series (1, 2) k "
                      "WHERE (v.rec_id + a.id) % 5 <> 0 AND (k = 1 OR (v.rec_id + ascii (c.code)) % 20 = 0)");
    //  Zero to three REPORTs per cell, in order: acknowledged, planned or in-progress, a final one.
    bench_exec (conn, "INSERT INTO rec_reports (rec_id, version, canton, network, agent_id, message_id, state, note, at) "
                      "SELECT r.id, 0, c.code, c.network, a.id, 'r-' || r.id || '-' || c.code || '-' || k, "
                      "       (ARRAY['acknowledged', CASE WHEN r.id % 2 = 0 THEN 'planned' ELSE 'in-progress' END, "
                      "              CASE WHEN (r.id + ascii (c.code)) % 7 = 0 THEN 'declined' ELSE 'implemented' END])[k], "
                      "       CASE WHEN k = 3 THEN 'Décidé par le canton, parce que la loi le prévoit.' ELSE '' END, "
                      "       now () - (4 - k) * interval '30 days' "
                      "FROM recommendations r CROSS JOIN cantons c JOIN agents a ON a.network = c.network "
                      "CROSS JOIN generate_series (1, 3) k "
                      "WHERE k <= (r.id + ascii (c.code)) % 4");
    bench_exec (conn, "ANALYZE");
    PGresult *res = PQexec (conn, "SELECT (SELECT count(*) FROM rec_pushes), (SELECT count(*) FROM rec_reports), "
                                  "(SELECT count(*) FROM downward)");
    printf ("rows: %d recommendations x 26 cantons, %s pushes, %s reports, %s downward items, in %.1f s\n", n_recs,
            PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2), (zclock_mono () - t0) / 1000.0);
    PQclear (res);

    cii_err_t err;
    cii_err_clear (&err);
    double *ms = calloc ((size_t) runs, sizeof *ms);
    char one [32];
    snprintf (one, sizeof one, "REC-2030-%04d", n_recs / 2);
    const hub_monitor_filter_t filters [] = {
        { NULL, NULL, false }, { NULL, "mittelland", false }, { one, NULL, false }, { NULL, NULL, true },
    };
    const char *names [] = { "the whole matrix", "one network (mittelland)", "one recommendation", "the overdue cells" };
    for (size_t f = 0; f < sizeof filters / sizeof filters [0]; f++) {
        hub_monitor_t m;
        //  One run first, untimed (the plan and the cache warm, as on a hub that serves).
        if (hub_monitor_build (store, &filters [f], &m, &err) != CII_OK)
            bench_die ("monitor", err.text);
        size_t cells = m.count;
        hub_monitor_clear (&m);
        for (int r = 0; r < runs; r++) {
            int64_t start = zclock_usecs ();
            if (hub_monitor_build (store, &filters [f], &m, &err) != CII_OK)
                bench_die ("monitor", err.text);
            ms [r] = (zclock_usecs () - start) / 1000.0;
            hub_monitor_clear (&m);
        }
        char what [80];
        snprintf (what, sizeof what, "%s (%zu cells)", names [f], cells);
        bench_report (what, 44, ms, runs);
    }
    //  The command line as the bureau runs it (in process, the output to /dev/null): the matrix read,
    //  then printed as JSON or as text.
    FILE *sink = fopen ("/dev/null", "w");
    if (!sink)
        bench_die ("/dev/null", NULL);
    const char *formats [] = { "--json", NULL };
    const char *cli_names [] = { "cii-hub monitor --json", "cii-hub monitor (text)" };
    for (int f = 0; f < 2; f++) {
        char *args [] = { "cii-hub", "--db", db.conninfo, "monitor", (char *) formats [f], NULL };
        int argc = formats [f] ? 5 : 4;
        for (int r = 0; r <= runs; r++) {
            int64_t start = zclock_usecs ();
            if (hub_cli_run (argc, args, sink, stderr) != 0)
                bench_die ("cii-hub monitor", "failed");
            if (r > 0)
                ms [r - 1] = (zclock_usecs () - start) / 1000.0;
        }
        bench_report (cli_names [f], 44, ms, runs);
    }
    fclose (sink);
    printf ("goal: the matrix of %d recommendations x 26 cantons in under 200 ms\n", n_recs);
    free (ms);

    bench_db_close (&db);
    return 0;
}
