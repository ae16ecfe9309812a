/*  test_hub_store_requests.c — requests in the hub's store against a real PostgreSQL: the REQUEST
    ingest shape (reference CII-YYYY-NNNN, rows written, resends and reused ids, the same id twice
    in a batch, unknown and other networks' signals refused with nothing written, a refused item
    leaving no gap), eight connections taking references at once (with rollbacks) leaving no gap
    and no duplicate, hostile text stored byte for byte, the transition building blocks (locks,
    changes, history, criteria, facts) and themes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_requests.h"
#include "unit_gate.h"
#include "unit_hub.h"

typedef struct {
    int rows;
    char ref [HUB_MAX_REF];
    char title [512];
    char summary [512];
    char cantons [128];
    char institutions [128];
    char target_groups [128];
    char objectives [128];
    char priorities [64];
    char assessment [512];
    char lineage [512];
    char signals [128];
    char state [40];
    char theme [HUB_MAX_REF];
    char criteria_met [64];
    int criteria;
} s_request_seen_t;

static bool
s_request_cb (const hub_request_row_t *row, void *arg)
{
    s_request_seen_t *seen = arg;
    if (seen->rows++ == 0) {
        snprintf (seen->ref, sizeof seen->ref, "%s", row->ref);
        snprintf (seen->title, sizeof seen->title, "%s", row->title);
        snprintf (seen->summary, sizeof seen->summary, "%s", row->summary);
        snprintf (seen->cantons, sizeof seen->cantons, "%s", row->cantons);
        snprintf (seen->institutions, sizeof seen->institutions, "%s", row->institutions);
        snprintf (seen->target_groups, sizeof seen->target_groups, "%s", row->target_groups);
        snprintf (seen->objectives, sizeof seen->objectives, "%s", row->objectives);
        snprintf (seen->priorities, sizeof seen->priorities, "%s", row->priorities);
        snprintf (seen->assessment, sizeof seen->assessment, "%s", row->assessment);
        snprintf (seen->lineage, sizeof seen->lineage, "%s", row->lineage);
        snprintf (seen->signals, sizeof seen->signals, "%s", row->signals);
        snprintf (seen->state, sizeof seen->state, "%s", row->state);
        snprintf (seen->theme, sizeof seen->theme, "%s", row->theme);
        snprintf (seen->criteria_met, sizeof seen->criteria_met, "%s", row->criteria_met);
        seen->criteria = row->criteria;
    }
    return true;
}

static void
test_request_stored (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "lemanique");
    ug_signal (hub, agent, "lemanique", "sig-vd", "VD");
    ug_signal (hub, agent, "lemanique", "sig-ge", "GE");
    const char *signals [] = { "sig-ge", "sig-vd" };
    const char *cantons [] = { "VD", "GE", "VS" };
    cii_request_t request;
    ug_request (&request, "Accès à la formation", signals, 2, cantons, 3);
    const char *lineage [] = { "merged from 3 and 4" };
    request.lineage = lineage;
    request.n_lineage = 1;
    request.assessment = "Urgent.";
    hub_ingest_item_t item = ug_ingest_request (hub, agent, "lemanique", "req-1", &request);
    assert_true (item.stored);
    assert_false (item.duplicate);
    assert_int_equal (item.refused, CII_OK);
    char ref [HUB_MAX_REF];
    assert_string_equal (item.ref, ug_ref (hub, 1, ref));
    assert_true (item.received_at_ms > 1700000000000LL);
    //  Its rows: the request, its two signals, its first history row (not yet queued), the log.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'received' "
                                            "AND network = 'lemanique' AND message_id = 'req-1'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_signals"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'received' "
                                            "AND organ = 'hub' AND NOT queued"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log l JOIN requests r ON r.ref = l.ref "
                                            "AND r.received_at = l.received_at WHERE l.kind = 'request'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT " HUB_SQL_MS ("received_at") " FROM requests"),
                      item.received_at_ms);
    s_request_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_requests (hub->store, NULL, s_request_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 1);
    assert_string_equal (seen.title, "Accès à la formation");
    assert_string_equal (seen.cantons, "VD,GE,VS");
    assert_string_equal (seen.institutions, "social-aid,health");
    assert_string_equal (seen.objectives, "labour-market-integration");
    assert_string_equal (seen.priorities, "P3");
    assert_string_equal (seen.assessment, "Urgent.");
    assert_string_equal (seen.lineage, "merged from 3 and 4");
    assert_string_equal (seen.signals, "SIG-1,SIG-2");
    assert_string_equal (seen.state, "received");
    assert_int_equal (seen.criteria, 0);
    //  The next one takes the next number.
    hub_ingest_item_t second = ug_ingest_request (hub, agent, "lemanique", "req-2", &request);
    assert_string_equal (second.ref, ug_ref (hub, 2, ref));
}

static void
test_request_resend (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ticino");
    ug_signal (hub, agent, "ticino", "sig-ti", "TI");
    const char *signals [] = { "sig-ti" };
    const char *cantons [] = { "TI" };
    cii_request_t request;
    ug_request (&request, "Apprendistato", signals, 1, cantons, 1);
    hub_ingest_item_t first = ug_ingest_request (hub, agent, "ticino", "req-1", &request);
    hub_ingest_item_t again = ug_ingest_request (hub, agent, "ticino", "req-1", &request);
    assert_true (again.stored);
    assert_true (again.duplicate);
    assert_false (again.conflict);
    assert_string_equal (again.ref, first.ref);
    assert_int_equal (again.received_at_ms, first.received_at_ms);
    //  The same id with other content: a conflict, nothing stored.
    request.title = "Altro";
    hub_ingest_item_t other = ug_ingest_request (hub, agent, "ticino", "req-1", &request);
    assert_true (other.duplicate);
    assert_true (other.conflict);
    assert_string_equal (other.ref, first.ref);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT last FROM ref_counters WHERE prefix = 'CII'"), 1);
    //  A signal's message id reused for a request: a conflict too.
    hub_ingest_item_t reused = ug_ingest_request (hub, agent, "ticino", "sig-ti", &request);
    assert_true (reused.conflict);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), 1);
}

static void
test_request_same_batch (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zuerich");
    ug_signal (hub, agent, "zuerich", "sig-zh", "ZH");
    const char *signals [] = { "sig-zh" };
    const char *cantons [] = { "ZH" };
    cii_request_t request;
    ug_request (&request, "Lehre", signals, 1, cantons, 1);
    //  A signal and two requests (the second twice) in one batch, in the agent's outbox order.
    cii_signal_t signal;
    unit_domain_signal (&signal, "ZH", "Neues Signal");
    const char *both [] = { "sig-zh", "sig-new" };
    cii_request_t second;
    ug_request (&second, "Zweite", both, 2, cantons, 1);
    hub_ingest_item_t items [] = {
        ug_item (agent, "zuerich", "sig-new", &hub_store_signal_shape, &signal, "s"),
        ug_item (agent, "zuerich", "req-a", &hub_store_request_shape, &request, "a"),
        ug_item (agent, "zuerich", "req-b", &hub_store_request_shape, &second, "b"),
        ug_item (agent, "zuerich", "req-b", &hub_store_request_shape, &second, "b"),
    };
    assert_int_equal (hub_store_ingest (hub->store, items, 4, NULL), CII_OK);
    char ref [HUB_MAX_REF];
    assert_true (items [1].stored && !items [1].duplicate);
    assert_string_equal (items [1].ref, ug_ref (hub, 1, ref));
    assert_true (items [2].stored && !items [2].duplicate);
    assert_string_equal (items [2].ref, ug_ref (hub, 2, ref));
    assert_true (items [3].stored && items [3].duplicate && !items [3].conflict);
    assert_string_equal (items [3].ref, items [2].ref);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_signals"), 3);
}

static void
test_request_refused (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t ticino = unit_hub_enrol (hub, "ticino");
    ug_signal (hub, leman, "lemanique", "sig-vd", "VD");
    ug_signal (hub, ticino, "ticino", "sig-ti", "TI");
    const char *cantons [] = { "VD" };
    cii_request_t request;
    //  A signal the hub does not hold.
    const char *unknown [] = { "sig-vd", "sig-nowhere" };
    ug_request (&request, "Inconnu", unknown, 2, cantons, 1);
    hub_ingest_item_t item = ug_ingest_request (hub, leman, "lemanique", "req-1", &request);
    assert_false (item.stored);
    assert_int_equal (item.refused, CII_NOT_FOUND);
    assert_string_equal (item.reason, "request names signal sig-nowhere, which the hub does not hold");
    //  Another network's signal.
    const char *foreign [] = { "sig-ti" };
    ug_request (&request, "Étranger", foreign, 1, cantons, 1);
    item = ug_ingest_request (hub, leman, "lemanique", "req-2", &request);
    assert_false (item.stored);
    assert_int_equal (item.refused, CII_REFUSED);
    assert_string_equal (item.reason, "request names signal sig-ti, of network ticino");
    //  Nothing written for either: no request, no log row, no number taken.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log WHERE kind <> 'signal'"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters"), 0);
    //  A refused item between two good ones leaves no gap.
    const char *good [] = { "sig-vd" };
    cii_request_t ok;
    ug_request (&ok, "Bonne", good, 1, cantons, 1);
    hub_ingest_item_t items [] = {
        ug_item (leman, "lemanique", "req-3", &hub_store_request_shape, &ok, "3"),
        ug_item (leman, "lemanique", "req-4", &hub_store_request_shape, &request, "4"),
        ug_item (leman, "lemanique", "req-5", &hub_store_request_shape, &ok, "5"),
    };
    assert_int_equal (hub_store_ingest (hub->store, items, 3, NULL), CII_OK);
    char ref [HUB_MAX_REF];
    assert_string_equal (items [0].ref, ug_ref (hub, 1, ref));
    assert_int_equal (items [1].refused, CII_REFUSED);
    assert_string_equal (items [2].ref, ug_ref (hub, 2, ref));
    //  The same signal id in the sender's own network wins over another network's.
    ug_signal (hub, ticino, "ticino", "sig-twin", "TI");
    ug_signal (hub, leman, "lemanique", "sig-twin", "GE");
    const char *twin [] = { "sig-twin" };
    ug_request (&request, "Jumeau", twin, 1, cantons, 1);
    item = ug_ingest_request (hub, leman, "lemanique", "req-6", &request);
    assert_true (item.stored);
}

//  --- eight connections at once ----------------------------------------------------------------

#define S_THREADS  8
#define S_BATCHES  12
#define S_PER      3

typedef struct {
    const char *conninfo;
    int index;
    int committed;
    char failure [600];
} s_worker_t;

static void *
s_worker (void *arg)
{
    s_worker_t *w = arg;
    cii_err_t err;
    hub_store_t *store = hub_store_new (w->conninfo, &err);
    if (!store) {
        snprintf (w->failure, sizeof w->failure, "connect: %s", err.text);
        return NULL;
    }
    const char *signals [] = { "sig-shared" };
    const char *cantons [] = { "VD" };
    cii_request_t request;
    ug_request (&request, "Concurrente", signals, 1, cantons, 1);
    char ids [S_PER][48];
    for (int b = 0; b < S_BATCHES && !w->failure [0]; b++) {
        hub_ingest_item_t items [S_PER];
        for (int i = 0; i < S_PER; i++) {
            snprintf (ids [i], sizeof ids [i], "w%d-b%d-i%d", w->index, b, i);
            items [i] = ug_item (100 + w->index, "lemanique", ids [i], &hub_store_request_shape, &request, ids [i]);
        }
        //  Every fourth batch is rolled back after taking its numbers, as a hub killed mid-batch.
        bool rollback = b % 4 == 3;
        if (rollback && hub_store_begin (store) != CII_OK) {
            snprintf (w->failure, sizeof w->failure, "begin: %s", hub_store_error (store));
            break;
        }
        cii_rc_t rc = hub_store_ingest (store, items, S_PER, &err);
        if (rc != CII_OK) {
            snprintf (w->failure, sizeof w->failure, "ingest: %s", err.text);
            break;
        }
        if (rollback) {
            hub_store_rollback (store);
            continue;
        }
        for (int i = 0; i < S_PER; i++)
            if (!items [i].stored || items [i].duplicate)
                snprintf (w->failure, sizeof w->failure, "%s not stored", ids [i]);
        w->committed += S_PER;
    }
    hub_store_destroy (&store);
    return NULL;
}

static void
test_refs_concurrent (void **state)
{
    unit_hub_t *hub = *state;
    //  The signal from lemanique's enrolled agent (a request finds its signals through the agents'
    //  ingest logs); the requests below come from made-up agent ids, which the store accepts.
    ug_signal (hub, unit_hub_enrol (hub, "lemanique"), "lemanique", "sig-shared", "VD");
    pthread_t threads [S_THREADS];
    s_worker_t workers [S_THREADS];
    for (int i = 0; i < S_THREADS; i++) {
        workers [i] = (s_worker_t) { .conninfo = hub->pg->conninfo, .index = i };
        assert_int_equal (pthread_create (&threads [i], NULL, s_worker, &workers [i]), 0);
    }
    int committed = 0;
    for (int i = 0; i < S_THREADS; i++) {
        pthread_join (threads [i], NULL);
        if (workers [i].failure [0])
            fail_msg ("worker %d: %s", i, workers [i].failure);
        committed += workers [i].committed;
    }
    assert_int_equal (committed, S_THREADS * S_BATCHES * S_PER * 3 / 4);
    //  Numbers 1..committed, each once, and the counter at the last.
    int year = ug_year (hub);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), committed);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(DISTINCT ref) FROM requests"), committed);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM generate_series (1, %d) n WHERE NOT EXISTS "
                                            "(SELECT 1 FROM requests WHERE ref = 'CII-%d-' || lpad (n::text, 4, '0'))",
                                   committed, year), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT last FROM ref_counters WHERE prefix = 'CII' AND year = %d", year),
                      committed);
    //  References follow the commit order within the year: ingest_log agrees.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log l JOIN requests r ON r.ref = l.ref "
                                            "AND r.message_id = l.message_id"), committed);
}

//  --- hostile text -----------------------------------------------------------------------------

static void
test_request_hostile_text (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "mittelland");
    ug_signal (hub, agent, "mittelland", "sig\"{,}\\", "BE");
    const char *signals [] = { "sig\"{,}\\" };
    const char *cantons [] = { "BE", "FR" };
    cii_request_t request;
    const char *title = "Übergang \"Schule\" {Beruf}, 'ß' \\ — l'été; NULL'); DROP TABLE requests; --";
    const char *summary = "Zeile 1\nriga 2\tcon tab\r\nligne 3: «guillemets», 中文, 🙂";
    ug_request (&request, title, signals, 1, cantons, 2);
    request.summary = summary;
    const char *lineage [] = { "merged from {a,b}", "split from \"x\", \\y" };
    request.lineage = lineage;
    request.n_lineage = 2;
    request.assessment = "\\N";
    hub_ingest_item_t item = ug_ingest_request (hub, agent, "mittelland", "req-\"1\"", &request);
    assert_true (item.stored);
    s_request_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_requests (hub->store, NULL, s_request_cb, &seen), CII_OK);
    assert_string_equal (seen.title, title);
    assert_string_equal (seen.summary, summary);
    assert_string_equal (seen.lineage, "merged from {a,b}\nsplit from \"x\", \\y");
    assert_string_equal (seen.assessment, "\\N");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests"), 1);
    hub_request_lock_t lock;
    assert_int_equal (hub_store_request_lock_message (hub->store, "mittelland", "req-\"1\"", &lock), CII_OK);
    assert_string_equal (lock.ref, item.ref);
}

//  --- transition building blocks ----------------------------------------------------------------

typedef struct {
    int rows;
    char states [256];
    int64_t last_id;
} s_history_t;

static bool
s_history_cb (const hub_history_row_t *row, void *arg)
{
    s_history_t *h = arg;
    h->rows++;
    size_t used = strlen (h->states);
    snprintf (h->states + used, sizeof h->states - used, "%s%s/%s%s", used ? "," : "", row->state, row->organ,
              row->queued ? "/q" : "");
    h->last_id = row->id;
    return true;
}

static void
test_change_history_criteria (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "nordwest");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "nordwest", "BS", "req-1", ref);
    hub_request_lock_t lock;
    assert_int_equal (hub_store_request_lock (hub->store, ref, &lock), CII_OK);
    assert_string_equal (lock.state, "received");
    assert_string_equal (lock.network, "nordwest");
    assert_string_equal (lock.message_id, "req-1");
    assert_int_equal (lock.theme_id, 0);
    assert_int_equal (hub_store_request_lock (hub->store, "CII-1999-0001", &lock), CII_NOT_FOUND);
    assert_int_equal (hub_store_request_lock_message (hub->store, "lemanique", "req-1", &lock), CII_NOT_FOUND);
    assert_int_equal (hub_store_request_lock_message (hub->store, "nordwest", "req-1", &lock), CII_OK);
    //  Pending STATUS rows and one change.
    int64_t *ids = NULL;
    size_t count = 0;
    assert_int_equal (hub_store_requests_pending (hub->store, 10, &ids, &count), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (ids [0], lock.id);
    free (ids);
    int64_t at = 0;
    assert_int_equal (hub_store_request_change (hub->store, lock.id, "admissible", "bureau", "ok", NULL, 0, &at),
                      CII_OK);
    assert_true (at > 0);
    assert_int_equal (hub_store_request_change (hub->store, 424242, "admissible", "bureau", "", NULL, 0, NULL),
                      CII_NOT_FOUND);
    s_history_t history;
    memset (&history, 0, sizeof history);
    assert_int_equal (hub_store_request_history (hub->store, lock.id, true, s_history_cb, &history), CII_OK);
    assert_string_equal (history.states, "received/hub,admissible/bureau");
    assert_int_equal (hub_store_history_queued (hub->store, &history.last_id, 1), CII_OK);
    memset (&history, 0, sizeof history);
    assert_int_equal (hub_store_request_history (hub->store, lock.id, false, s_history_cb, &history), CII_OK);
    assert_string_equal (history.states, "received/hub,admissible/bureau/q");
    //  A state name outside [a-z-] is refused by the database.
    assert_int_equal (hub_store_request_change (hub->store, lock.id, "Bad State", "bureau", "", NULL, 0, NULL),
                      CII_BAD_INPUT);
    //  Criteria: replaced as a whole.
    cii_criterion_t criteria [] = { { "C1", true, "two" }, { "C2", false, "none" }, { "C10", true, "x" } };
    assert_int_equal (hub_store_criteria_set (hub->store, lock.id, criteria, 3), CII_OK);
    assert_int_equal (hub_store_criteria_set (hub->store, lock.id, criteria, 2), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_criteria"), 2);
    s_request_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_requests (hub->store, NULL, s_request_cb, &seen), CII_OK);
    assert_string_equal (seen.criteria_met, "C1");
    assert_int_equal (seen.criteria, 2);
    assert_string_equal (seen.state, "admissible");
}

static void
test_facts_and_themes (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-a", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-b", b);
    ug_simple (hub, leman, "lemanique", "GE", "req-c", c);
    hub_request_lock_t la, lb, lc;
    assert_int_equal (hub_store_request_lock (hub->store, a, &la), CII_OK);
    assert_int_equal (hub_store_request_lock (hub->store, b, &lb), CII_OK);
    assert_int_equal (hub_store_request_lock (hub->store, c, &lc), CII_OK);
    hub_request_facts_t facts;
    const char *left [] = { "withdrawn" };
    assert_int_equal (hub_store_request_facts (hub->store, la.id, left, 1, &facts), CII_OK);
    assert_string_equal (facts.ref, a);
    assert_string_equal (facts.institutions, "health,social-aid");
    assert_string_equal (facts.objectives, "labour-market-integration");
    assert_string_equal (facts.cantons, "VD");
    assert_true (facts.has_reason);
    assert_string_equal (facts.reason_signals, "SIG-1");
    assert_string_equal (facts.theme, "");
    assert_string_equal (facts.theme_cantons, "");
    hub_request_facts_clear (&facts);
    //  A theme of the three; c withdrawn does not count.
    char theme [HUB_MAX_REF];
    int64_t theme_id = 0;
    assert_int_equal (hub_store_theme_add (hub->store, "Thème «national»", "grouped", theme, &theme_id), CII_OK);
    char expect [HUB_MAX_REF];
    snprintf (expect, sizeof expect, "NT-%d-01", ug_year (hub));
    assert_string_equal (theme, expect);
    assert_int_equal (hub_store_request_change (hub->store, la.id, "grouped", "bureau", "", NULL, theme_id, NULL),
                      CII_OK);
    assert_int_equal (hub_store_request_change (hub->store, lb.id, "grouped", "bureau", "", NULL, theme_id, NULL),
                      CII_OK);
    assert_int_equal (hub_store_request_change (hub->store, lc.id, "withdrawn", "network", "", NULL, theme_id, NULL),
                      CII_OK);
    assert_int_equal (hub_store_request_facts (hub->store, la.id, left, 1, &facts), CII_OK);
    assert_string_equal (facts.theme, theme);
    assert_string_equal (facts.theme_cantons, "VD,ZH");
    assert_string_equal (facts.theme_networks, "lemanique,zuerich");
    hub_request_facts_clear (&facts);
    hub_request_lock_t *rows = NULL;
    size_t count = 0;
    assert_int_equal (hub_store_requests_lock_theme (hub->store, theme, &rows, &count), CII_OK);
    assert_int_equal (count, 3);
    assert_string_equal (rows [0].theme, theme);
    free (rows);
    const char *refs [] = { c, a, "CII-1999-0001" };
    assert_int_equal (hub_store_requests_lock_refs (hub->store, refs, 3, &rows, &count), CII_OK);
    assert_int_equal (count, 2);
    assert_string_equal (rows [0].ref, a);          //  in id order
    free (rows);
    //  The second theme takes the next number.
    assert_int_equal (hub_store_theme_add (hub->store, "Deuxième", "grouped", theme, &theme_id), CII_OK);
    snprintf (expect, sizeof expect, "NT-%d-02", ug_year (hub));
    assert_string_equal (theme, expect);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_request_stored, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_request_resend, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_request_same_batch, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_request_refused, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refs_concurrent, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_request_hostile_text, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_change_history_criteria, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_facts_and_themes, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
