/*  bench_agenda.c — the speed of the agenda builder (issue 8: an agenda over 10,000 open requests in
    under 200 ms). A fresh hub database with N open requests spread over the states an agenda reads
    and those it does not (wg-mandated, project, recommendation-planned), N/2 closed ones, themes of
    two requests (one request in ten), three history rows each (a working group's mandate before its
    report) and four criteria; then hub_agenda_build for a CDC, a CP and a joint meeting, repeated,
    and hub_agenda_text of the largest. docs/performance.md, "Agendas".
    Usage: PGHOST=... PGUSER=... bench_agenda [--requests N] [--runs R] [--keep DBNAME] */
#include "bench_util.h"
#include "hub_agenda.h"
#include "hub_meeting.h"
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
    bench_init ("bench_agenda");
    int n_requests = 10000, runs = 20;
    const char *keep = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--requests"))
            n_requests = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--runs"))
            runs = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--keep"))
            keep = argv [i + 1];
        else {
            fprintf (stderr, "usage: bench_agenda [--requests N] [--runs R] [--keep DBNAME]\n");
            return 2;
        }
    }
    if (n_requests < 20 || runs < 1)
        bench_die ("bad counts", NULL);
    zsys_init ();
    zsys_set_logstream (NULL);

    char sql [4096];
    bench_db_t db;
    bench_db_open (&db, "cii_bench_agenda", keep);
    hub_store_t *store = db.store;
    PGconn *conn = db.conn;

    //  The rows, generated in SQL: N open requests over nine open states (six an agenda reads), then
    //  N/2 answered; one in 20 in a theme of two; history and criteria as the gate writes them.
    int64_t t0 = zclock_mono ();
    int themes = n_requests / 40 + 1, total = n_requests + n_requests / 2;
    snprintf (sql, sizeof sql, "INSERT INTO themes (ref, title, state) SELECT 'NT-2030-' || lpad (g::text, 4, '0'), "
              "'Thème ' || g, 'admissible' FROM generate_series (1, %d) g", themes);
    bench_exec (conn, sql);
    snprintf (sql, sizeof sql,
        "INSERT INTO requests (ref, agent_id, network, message_id, title, summary, cantons, language, created_at, "
        "                      state, theme_id) "
        "SELECT 'CII-2030-' || lpad (g::text, 6, '0'), 1, "
        "       (ARRAY['lemanique','mittelland','nordwest','zuerich','ost','zentral','ticino'])[1 + g %% 7], "
        "       'm-' || g, 'Demande numéro ' || g || ' sur la coordination entre l''AI et l''aide sociale', 'Résumé', "
        "       CASE g %% 4 WHEN 0 THEN ARRAY['VD'] WHEN 1 THEN ARRAY['VD','GE'] WHEN 2 THEN ARRAY['BE','FR','SO'] "
        "            ELSE ARRAY['ZH'] END, "
        "       'fr', now (), "
        "       CASE WHEN g > %d THEN 'answered' ELSE (ARRAY['admissible','scheduled','deferred','returned-to-cdc', "
        "            'referred-to-cp','wg-reported','wg-mandated','project','recommendation-planned'])[1 + g %% 9] END, "
        "       CASE WHEN g %% 20 IN (0, 1) AND g <= %d THEN (SELECT id FROM themes WHERE ref = 'NT-2030-' || "
        "            lpad ((g / 40 + 1)::text, 4, '0')) END "
        "FROM generate_series (1, %d) g",
        n_requests, n_requests, total);
    bench_exec (conn, sql);
    bench_exec (conn, "INSERT INTO request_history (request_id, state, organ, at, queued) "
                      "SELECT id, 'received', 'hub', now () - interval '90 days', true FROM requests");
    bench_exec (conn, "INSERT INTO request_history (request_id, state, organ, at, queued) "
                      "SELECT id, CASE WHEN state = 'wg-reported' THEN 'wg-mandated' ELSE 'admissible' END, "
                      "       CASE WHEN state = 'wg-reported' THEN (CASE WHEN id % 2 = 0 THEN 'cdc' ELSE 'cp' END) "
                      "            ELSE 'bureau' END, now () - interval '80 days', true FROM requests");
    bench_exec (conn, "INSERT INTO request_history (request_id, state, organ, at, meeting, queued) "
                      "SELECT id, state, CASE WHEN state IN ('deferred', 'returned-to-cdc', 'project') THEN 'cp' "
                      "                       WHEN state IN ('referred-to-cp', 'answered') THEN 'cdc' "
                      "                       WHEN state = 'wg-reported' THEN 'wg' ELSE 'bureau' END, "
                      "       now () - (id % 60) * interval '1 day', NULL, true FROM requests");
    bench_exec (conn, "INSERT INTO request_criteria (request_id, id, met, reason) "
                      "SELECT r.id, c, (r.id + length (c)) % 3 <> 0, 'raison' FROM requests r, "
                      "       unnest (ARRAY['C1','C2','C3','C4']) c");
    bench_exec (conn, "ANALYZE");
    printf ("rows: %d open requests (%d in themes), %d answered, %d history rows, in %.1f s\n", n_requests,
            n_requests / 10, n_requests / 2, total * 3, (zclock_mono () - t0) / 1000.0);

    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t m;
    const char *organs [] = { "cdc", "cp", "cp" };
    const char *dates [] = { "2099-03-10", "2099-03-24", "2099-12-01" };
    const char *names [] = { "agenda of a CDC meeting", "agenda of a CP meeting", "agenda of a joint meeting" };
    char refs [3][HUB_MAX_REF];
    for (int i = 0; i < 3; i++) {
        if (hub_meeting_new (store, organs [i], dates [i], i == 2, &m, &err) != CII_OK)
            bench_die ("meeting", err.text);
        snprintf (refs [i], sizeof refs [i], "%s", m.ref);
    }
    double *ms = calloc ((size_t) runs, sizeof *ms);
    hub_agenda_t agenda;
    for (int i = 0; i < 3; i++) {
        size_t items = 0;
        //  One run first, untimed (the plan and the cache warm, as on a hub that serves).
        if (hub_agenda_build (store, refs [i], &agenda, &err) != CII_OK)
            bench_die ("agenda", err.text);
        hub_agenda_clear (&agenda);
        for (int r = 0; r < runs; r++) {
            int64_t start = zclock_usecs ();
            if (hub_agenda_build (store, refs [i], &agenda, &err) != CII_OK)
                bench_die ("agenda", err.text);
            ms [r] = (zclock_usecs () - start) / 1000.0;
            items = agenda.count;
            if (i < 2 || r + 1 < runs)
                hub_agenda_clear (&agenda);
        }
        char what [80];
        snprintf (what, sizeof what, "%s (%zu items)", names [i], items);
        bench_report (what, 40, ms, runs);
    }
    //  The joint agenda, the largest, as text (what --publish sends, and the CLI prints).
    for (int r = 0; r < runs; r++) {
        int64_t start = zclock_usecs ();
        char *text = hub_agenda_text (&agenda, 0);
        ms [r] = (zclock_usecs () - start) / 1000.0;
        if (!text)
            bench_die ("text", "out of memory");
        free (text);
    }
    bench_report ("the joint agenda as text", 40, ms, runs);
    printf ("goal: an agenda over %d open requests in under 200 ms\n", n_requests);
    hub_agenda_clear (&agenda);
    free (ms);

    bench_db_close (&db);
    return 0;
}
