/*  test_hub_agenda.c — the agenda builder, its publication and the minutes of CDC and CP meetings
    (issue 8, second slice) against a real PostgreSQL: the order (networks, then cantons, then
    waiting time) and the reasons of each item, a theme standing for its requests, what waits for
    the CDC, the CP and a joint meeting (deferred, working-group results to the mandating organ only,
    sent back by the other organ, scheduled), a past meeting refused; one notice per network on
    --publish, not sent twice unless changed; minutes all or none (a bad item in the middle: nothing
    changed, the item named), items not on the agenda, closed requests, duplicates, a joint meeting's
    organ per item, hostile text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_agenda.h"
#include "hub_flow.h"
#include "hub_meeting.h"
#include "hub_themes.h"
#include "unit_gate.h"
#include "unit_hub.h"

//  The world every test starts from (s_world): requests in each state an agenda knows.
typedef struct {
    char a [HUB_MAX_REF];       //  lemanique VD,VS,GE, admissible, 5 days
    char b [HUB_MAX_REF];       //  zuerich ZH, admissible, 30 days
    char c [HUB_MAX_REF];       //  ticino TI, admissible, 10 days
    char d [HUB_MAX_REF];       //  lemanique VD  } theme T, admissible, 3 and 20 days
    char e [HUB_MAX_REF];       //  zuerich ZH    }
    char t [HUB_MAX_REF];
    char f [HUB_MAX_REF];       //  ost SG, scheduled, 8 days
    char g [HUB_MAX_REF];       //  mittelland BE, deferred by the cdc in M-2031-01, 7 days
    char h [HUB_MAX_REF];       //  nordwest BS, wg-reported (mandated by the cp), 2 days
    char i [HUB_MAX_REF];       //  zentral LU, wg-reported (mandated by the cdc), 6 days
    char j [HUB_MAX_REF];       //  lemanique GE, referred-to-cp in M-2031-01, 1 day
    char k [HUB_MAX_REF];       //  lemanique VS, returned-to-cdc in M-2031-02, 4 days
    char l [HUB_MAX_REF];       //  ticino TI, answered: on no agenda
    int64_t leman;
} s_world_t;

static void
s_meeting (unit_hub_t *hub, const char *organ, const char *date, bool joint)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t m;
    if (hub_meeting_new (hub->store, organ, date, joint, &m, &err) != CII_OK)
        fail_msg ("meeting %s %s: %s", organ, date, err.text);
}

//  The request's current state began `days` days ago.
static void
s_waited (unit_hub_t *hub, const char *ref, int days)
{
    unit_pg_exec (hub->pg, "UPDATE request_history SET at = now () - interval '%d days' WHERE id = (SELECT max (h.id) "
                  "FROM request_history h JOIN requests r ON r.id = h.request_id WHERE r.ref = '%s')", days, ref);
}

//  "2031-01-05": today minus days (Europe/Zurich), into buf.
static const char *
s_ago (unit_hub_t *hub, int days, char buf [11])
{
    char *text = unit_pg_text (hub->pg, "SELECT to_char ((now () AT TIME ZONE 'Europe/Zurich')::date - %d, 'YYYY-MM-DD')",
                               days);
    snprintf (buf, 11, "%s", text);
    free (text);
    return buf;
}

static void
s_world (unit_hub_t *hub, s_world_t *w)
{
    memset (w, 0, sizeof *w);
    const char *networks [] = { "lemanique", "zuerich", "ticino", "ost", "mittelland", "nordwest", "zentral" };
    int64_t agents [7];
    for (int n = 0; n < 7; n++)
        agents [n] = unit_hub_enrol (hub, networks [n]);
    w->leman = agents [0];
    //  A: three cantons.
    ug_signal (hub, agents [0], "lemanique", "sig-a", "VD");
    const char *signals [] = { "sig-a" };
    const char *cantons [] = { "VD", "VS", "GE" };
    cii_request_t request;
    ug_request (&request, "Trois cantons", signals, 1, cantons, 3);
    hub_ingest_item_t item = ug_ingest_request (hub, agents [0], "lemanique", "req-a", &request);
    assert_true (item.stored);
    snprintf (w->a, sizeof w->a, "%s", item.ref);
    ug_simple (hub, agents [1], "zuerich", "ZH", "req-b", w->b);
    ug_simple (hub, agents [2], "ticino", "TI", "req-c", w->c);
    ug_simple (hub, agents [0], "lemanique", "VD", "req-d", w->d);
    ug_simple (hub, agents [1], "zuerich", "ZH", "req-e", w->e);
    ug_simple (hub, agents [3], "ost", "SG", "req-f", w->f);
    ug_simple (hub, agents [4], "mittelland", "BE", "req-g", w->g);
    ug_simple (hub, agents [5], "nordwest", "BS", "req-h", w->h);
    ug_simple (hub, agents [6], "zentral", "LU", "req-i", w->i);
    ug_simple (hub, agents [0], "lemanique", "GE", "req-j", w->j);
    ug_simple (hub, agents [0], "lemanique", "VS", "req-k", w->k);
    ug_simple (hub, agents [2], "ticino", "TI", "req-l", w->l);
    s_meeting (hub, "cdc", "2031-03-10", false);    //  M-2031-01
    s_meeting (hub, "cp", "2031-03-24", false);     //  M-2031-02
    s_meeting (hub, "cp", "2031-12-01", true);      //  M-2031-03, joint
    cii_err_t err;
    cii_err_clear (&err);
    hub_theme_made_t made;
    const char *refs [] = { w->d, w->e };
    assert_int_equal (hub_themes_new (hub->store, "Santé et aide sociale", refs, 2, &made, &err), CII_OK);
    snprintf (w->t, sizeof w->t, "%s", made.ref);
    unit_hub_decide (hub, w->t, "admissible", "bureau", NULL, NULL);
    const char *admissible [] = { w->a, w->b, w->c, w->f, w->g, w->h, w->i, w->j, w->k, w->l };
    for (size_t n = 0; n < sizeof admissible / sizeof admissible [0]; n++)
        unit_hub_decide (hub, admissible [n], "admissible", "bureau", NULL, NULL);
    const char *scheduled [] = { w->f, w->g, w->h, w->i, w->j, w->k, w->l };
    for (size_t n = 0; n < sizeof scheduled / sizeof scheduled [0]; n++)
        unit_hub_decide (hub, scheduled [n], "scheduled", "bureau", NULL, NULL);
    unit_hub_decide (hub, w->g, "deferred", "cdc", "M-2031-01", "Pas mûr.");
    unit_hub_decide (hub, w->h, "wg-mandated", "cp", "M-2031-02", NULL);
    unit_hub_decide (hub, w->h, "wg-reported", "wg", NULL, "Rapport.");
    unit_hub_decide (hub, w->i, "wg-mandated", "cdc", "M-2031-01", NULL);
    unit_hub_decide (hub, w->i, "wg-reported", "wg", NULL, "Rapport.");
    unit_hub_decide (hub, w->j, "referred-to-cp", "cdc", "M-2031-01", NULL);
    unit_hub_decide (hub, w->k, "returned-to-cdc", "cp", "M-2031-02", NULL);
    unit_hub_decide (hub, w->l, "answered", "cdc", "M-2031-01", "Déjà réglé.");
    const struct { const char *ref; int days; } waits [] = {
        { w->a, 5 }, { w->b, 30 }, { w->c, 10 }, { w->d, 3 }, { w->e, 20 }, { w->f, 8 }, { w->g, 7 }, { w->h, 2 },
        { w->i, 6 }, { w->j, 1 }, { w->k, 4 }, { w->l, 40 },
    };
    for (size_t n = 0; n < sizeof waits / sizeof waits [0]; n++)
        s_waited (hub, waits [n].ref, waits [n].days);
}

static hub_agenda_t
s_agenda (unit_hub_t *hub, const char *meeting)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_agenda_t agenda;
    if (hub_agenda_build (hub->store, meeting, &agenda, &err) != CII_OK)
        fail_msg ("agenda %s: %s", meeting, err.text);
    return agenda;
}

//  Asserts the agenda's references, in order.
static void
s_refs_are (const hub_agenda_t *agenda, const char *const *refs, size_t n)
{
    for (size_t i = 0; i < agenda->count && i < n; i++)
        if (strcmp (agenda->items [i].ref, refs [i]) != 0)
            fail_msg ("item %zu is %s, expected %s", i + 1, agenda->items [i].ref, refs [i]);
    assert_int_equal (agenda->count, n);
}

static const hub_agenda_item_t *
s_item (const hub_agenda_t *agenda, const char *ref)
{
    for (size_t i = 0; i < agenda->count; i++)
        if (strcmp (agenda->items [i].ref, ref) == 0)
            return &agenda->items [i];
    fail_msg ("%s is not on the agenda", ref);
    return NULL;
}

static void
test_cdc_agenda (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    hub_agenda_t agenda = s_agenda (hub, "M-2031-01");
    assert_string_equal (agenda.meeting.organ, "cdc");
    //  The theme (2 networks), A (3 cantons), then by waiting time; the CP's, the closed and the
    //  theme's own requests are not there.
    const char *expect [] = { w.t, w.a, w.b, w.c, w.f, w.g, w.i, w.k };
    s_refs_are (&agenda, expect, 8);
    char day [11], why [CII_ERR_TEXT];
    const hub_agenda_item_t *t = s_item (&agenda, w.t);
    assert_string_equal (t->kind, "theme");
    assert_string_equal (t->title, "Santé et aide sociale");
    assert_string_equal (t->networks, "lemanique,zuerich");
    assert_int_equal (t->n_networks, 2);
    assert_string_equal (t->cantons, "VD,ZH");
    assert_int_equal (t->waiting_days, 20);
    char requests [2 * HUB_MAX_REF];
    snprintf (requests, sizeof requests, "%s,%s", w.d, w.e);
    assert_string_equal (t->requests, requests);
    char day2 [11];
    snprintf (why, sizeof why, "its requests on the agenda: %s (admissible since %s, not yet discussed (the bureau "
              "schedules it)); %s (admissible since %s, not yet discussed (the bureau schedules it))", w.d,
              s_ago (hub, 3, day), w.e, s_ago (hub, 20, day2));
    assert_string_equal (t->why, why);
    const hub_agenda_item_t *a = s_item (&agenda, w.a);
    assert_string_equal (a->kind, "request");
    assert_string_equal (a->title, "Trois cantons");
    assert_string_equal (a->cantons, "GE,VD,VS");
    assert_int_equal (a->n_cantons, 3);
    assert_string_equal (a->networks, "lemanique");
    assert_int_equal (a->waiting_days, 5);
    assert_non_null (strstr (a->criteria_met, "C1"));
    snprintf (why, sizeof why, "admissible since %s, not yet discussed (the bureau schedules it)", s_ago (hub, 5, day));
    assert_string_equal (a->why, why);
    snprintf (why, sizeof why, "scheduled by the bureau on %s", s_ago (hub, 8, day));
    assert_string_equal (s_item (&agenda, w.f)->why, why);
    snprintf (why, sizeof why, "deferred by the cdc on %s in M-2031-01: back for a later agenda (the bureau schedules "
              "it again)", s_ago (hub, 7, day));
    assert_string_equal (s_item (&agenda, w.g)->why, why);
    snprintf (why, sizeof why, "its working group, mandated by the cdc, reported on %s", s_ago (hub, 6, day));
    assert_string_equal (s_item (&agenda, w.i)->why, why);
    snprintf (why, sizeof why, "returned to the CDC by the CP on %s in M-2031-02", s_ago (hub, 4, day));
    assert_string_equal (s_item (&agenda, w.k)->why, why);
    assert_string_equal (s_item (&agenda, w.k)->organs, "cdc");
    //  The text form: a heading, then three lines an item.
    char *text = hub_agenda_text (&agenda, 0);
    assert_non_null (text);
    assert_non_null (strstr (text, "Agenda of M-2031-01, meeting of the CDC on 2031-03-10"));
    assert_non_null (strstr (text, ": 8 items\n"));
    snprintf (why, sizeof why, "\n1. %s (theme): Santé et aide sociale\n   networks: lemanique, zuerich; cantons: VD, ZH;",
              w.t);
    assert_non_null (strstr (text, why));
    free (text);
    hub_agenda_clear (&agenda);
    hub_agenda_clear (&agenda);
}

static void
test_cp_and_joint_agenda (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    hub_agenda_t agenda = s_agenda (hub, "M-2031-02");
    //  Scheduled (sent straight on), the cp's working group, referred by the cdc; not the cdc's group.
    const char *cp [] = { w.f, w.h, w.j };
    s_refs_are (&agenda, cp, 3);
    char day [11], why [CII_ERR_TEXT];
    snprintf (why, sizeof why, "scheduled by the bureau on %s: sent straight on to the CP", s_ago (hub, 8, day));
    assert_string_equal (s_item (&agenda, w.f)->why, why);
    snprintf (why, sizeof why, "its working group, mandated by the cp, reported on %s", s_ago (hub, 2, day));
    assert_string_equal (s_item (&agenda, w.h)->why, why);
    snprintf (why, sizeof why, "referred to the CP by the CDC on %s in M-2031-01", s_ago (hub, 1, day));
    assert_string_equal (s_item (&agenda, w.j)->why, why);
    hub_agenda_clear (&agenda);
    //  The joint meeting: both, each once.
    agenda = s_agenda (hub, "M-2031-03");
    const char *joint [] = { w.t, w.a, w.b, w.c, w.f, w.g, w.i, w.k, w.h, w.j };
    s_refs_are (&agenda, joint, 10);
    assert_string_equal (s_item (&agenda, w.f)->organs, "cdc,cp");
    assert_string_equal (s_item (&agenda, w.h)->organs, "cp");
    assert_string_equal (s_item (&agenda, w.i)->organs, "cdc");
    snprintf (why, sizeof why, "scheduled by the bureau on %s", s_ago (hub, 8, day));
    assert_string_equal (s_item (&agenda, w.f)->why, why);
    hub_agenda_clear (&agenda);
    //  A CP deferral goes back to the CP's agenda, not to the CDC's.
    unit_hub_decide (hub, w.j, "deferred", "cp", "M-2031-02", NULL);
    agenda = s_agenda (hub, "M-2031-02");
    assert_non_null (strstr (s_item (&agenda, w.j)->why, "deferred by the cp on "));
    hub_agenda_clear (&agenda);
    agenda = s_agenda (hub, "M-2031-01");
    for (size_t i = 0; i < agenda.count; i++)
        assert_string_not_equal (agenda.items [i].ref, w.j);
    hub_agenda_clear (&agenda);
}

static void
test_refused (void **state)
{
    unit_hub_t *hub = *state;
    s_meeting (hub, "cdc", "2020-01-10", false);
    char today [11], expect [CII_ERR_TEXT];
    s_ago (hub, 0, today);
    snprintf (expect, sizeof expect, "M-2020-01 met on 2020-01-10, in the past: its agenda can no longer be built "
              "(today is %s)", today);
    hub_agenda_t agenda;
    UNIT_HUB_REFUSED (hub_agenda_build (hub->store, "M-2020-01", &agenda, &e_), CII_REFUSED, expect);
    hub_agenda_published_t p;
    UNIT_HUB_REFUSED (hub_agenda_publish (hub->store, "M-2020-01", &agenda, &p, &e_), CII_REFUSED, expect);
    hub_agenda_clear (&agenda);
    UNIT_HUB_REFUSED (hub_agenda_build (hub->store, "M-2031-09", &agenda, &e_), CII_NOT_FOUND, "unknown meeting M-2031-09");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agenda_publications"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 0);
    //  The minutes of a meeting held are accepted (the agenda is built whatever its date).
    assert_int_equal (hub_agenda_build_any (hub->store, "M-2020-01", &agenda, NULL), CII_OK);
    assert_int_equal (agenda.count, 0);
    hub_agenda_clear (&agenda);
}

static void
test_publish (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    long long before = unit_pg_int (hub->pg, "SELECT count(*) FROM downward");
    cii_err_t err;
    cii_err_clear (&err);
    hub_agenda_t agenda;
    hub_agenda_published_t p;
    assert_int_equal (hub_agenda_publish (hub->store, "M-2031-01", &agenda, &p, &err), CII_OK);
    assert_true (p.sent);
    assert_false (p.changed);
    assert_int_equal (p.recipients, 7);
    assert_int_equal (p.times, 1);
    assert_int_equal (agenda.count, 8);
    hub_agenda_clear (&agenda);
    //  One notice, queued once for each network's agent.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward") - before, 7);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(DISTINCT agent_id) FROM downward WHERE kind = 'notice'"), 7);
    char *title = unit_pg_text (hub->pg, "SELECT title FROM notices");
    assert_string_equal (title, "Agenda M-2031-01: meeting of the CDC on 2031-03-10");
    free (title);
    char *text = unit_pg_text (hub->pg, "SELECT text FROM notices");
    assert_non_null (strstr (text, "Agenda of M-2031-01, meeting of the CDC on 2031-03-10"));
    assert_non_null (strstr (text, w.t));
    assert_non_null (strstr (text, "why: returned to the CDC by the CP on"));
    free (text);
    //  Again, unchanged: not sent.
    assert_int_equal (hub_agenda_publish (hub->store, "M-2031-01", &agenda, &p, &err), CII_OK);
    hub_agenda_clear (&agenda);
    assert_false (p.sent);
    assert_int_equal (p.times, 1);
    assert_int_equal (p.recipients, 0);
    assert_true (p.notice_id > 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 1);
    //  Changed (B scheduled: its reason changes): sent again, said so.
    unit_hub_decide (hub, w.b, "scheduled", "bureau", NULL, NULL);
    assert_int_equal (hub_agenda_publish (hub->store, "M-2031-01", &agenda, &p, &err), CII_OK);
    hub_agenda_clear (&agenda);
    assert_true (p.sent);
    assert_true (p.changed);
    assert_int_equal (p.times, 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE kind = 'notice'"), 14);
    title = unit_pg_text (hub->pg, "SELECT title FROM notices ORDER BY id DESC LIMIT 1");
    assert_string_equal (title, "Agenda M-2031-01 (updated): meeting of the CDC on 2031-03-10");
    free (title);
    //  The CP's agenda is its own publication.
    assert_int_equal (hub_agenda_publish (hub->store, "M-2031-02", &agenda, &p, &err), CII_OK);
    hub_agenda_clear (&agenda);
    assert_true (p.sent);
    assert_false (p.changed);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM agenda_publications"), 2);
}

//  A long agenda fits the notice: what does not fit is counted.
static void
test_text_limit (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ticino");
    s_meeting (hub, "cdc", "2031-03-10", false);
    for (int n = 0; n < 60; n++) {
        char id [16], ref [HUB_MAX_REF];
        snprintf (id, sizeof id, "req-%d", n);
        ug_simple (hub, agent, "ticino", "TI", id, ref);
        unit_hub_decide (hub, ref, "admissible", "bureau", NULL, NULL);
    }
    hub_agenda_t agenda = s_agenda (hub, "M-2031-01");
    assert_int_equal (agenda.count, 60);
    char *text = hub_agenda_text (&agenda, CII_MAX_TEXT);
    assert_true (strlen (text) <= CII_MAX_TEXT);
    assert_non_null (strstr (text, "more items: the bureau holds the whole agenda.\n"));
    free (text);
    hub_agenda_clear (&agenda);
    hub_agenda_published_t p;
    assert_int_equal (hub_agenda_publish (hub->store, "M-2031-01", &agenda, &p, NULL), CII_OK);
    hub_agenda_clear (&agenda);
    assert_true (p.sent);
    assert_int_equal (p.recipients, 1);
}

//  --- minutes --------------------------------------------------------------------------------

//  Everything a refused minutes file must leave as it was.
static char *
s_snapshot (unit_hub_t *hub)
{
    return unit_pg_text (hub->pg, "SELECT (SELECT string_agg (ref || '=' || state, ',' ORDER BY id) FROM requests) || '|' "
                                  "|| (SELECT count(*) FROM request_history) || '|' || (SELECT count(*) FROM downward)");
}

static void
test_minutes (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    char *before = s_snapshot (hub);
    char expect [CII_ERR_TEXT];
    hub_minutes_t m;
    //  A bad item in the middle: nothing changed, the item named.
    hub_outcome_t bad [] = {
        { w.f, "referred-to-cp", NULL, "Au CP." },
        { w.k, "declined", NULL, "Non." },
        { w.i, "answered", NULL, "Réponse du groupe." },
    };
    snprintf (expect, sizeof expect, "item 2 (%s): %s is returned-to-cdc: the cdc may move it to answered, wg-mandated, "
              "referred-to-cp or deferred", w.k, w.k);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", bad, 3, &m, &e_), CII_REFUSED, expect);
    char *after = s_snapshot (hub);
    assert_string_equal (after, before);
    free (after);
    //  The required note.
    hub_outcome_t nonote [] = { { w.f, "referred-to-cp", NULL, NULL }, { w.i, "answered", NULL, NULL } };
    snprintf (expect, sizeof expect, "item 2 (%s): a note is required to move %s to answered (the answer)", w.i, w.i);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", nonote, 2, &m, &e_), CII_BAD_INPUT, expect);
    //  Not on this agenda (the CP's), closed, unknown, twice, another organ, a theme not on it.
    hub_outcome_t one = { w.j, "answered", NULL, "x" };
    snprintf (expect, sizeof expect, "item 1 (%s): %s is not on the agenda of M-2031-01 (it is referred-to-cp)", w.j, w.j);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 1, &m, &e_), CII_REFUSED, expect);
    one.ref = w.l;
    snprintf (expect, sizeof expect, "item 1 (%s): %s is answered, which is final: it is closed", w.l, w.l);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 1, &m, &e_), CII_REFUSED, expect);
    one.ref = "CII-2099-9999";
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 1, &m, &e_), CII_NOT_FOUND,
                      "item 1 (CII-2099-9999): unknown request CII-2099-9999");
    one.ref = "NT-2099-99";
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 1, &m, &e_), CII_REFUSED,
                      "item 1 (NT-2099-99): NT-2099-99 is not on the agenda of M-2031-01");
    hub_outcome_t twice [] = { { w.f, "referred-to-cp", NULL, NULL }, { w.f, "deferred", NULL, NULL } };
    snprintf (expect, sizeof expect, "item 2 (%s): it is already item 1: one outcome per item", w.f);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", twice, 2, &m, &e_), CII_BAD_INPUT, expect);
    hub_outcome_t other = { w.f, "project", "cp", NULL };
    snprintf (expect, sizeof expect, "item 1 (%s): M-2031-01 is a meeting of the cdc: \"organ\" must be cdc (got \"cp\")",
              w.f);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &other, 1, &m, &e_), CII_BAD_INPUT, expect);
    hub_outcome_t noref = { NULL, "answered", NULL, "x" };
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &noref, 1, &m, &e_), CII_BAD_INPUT,
                      "item 1 (no ref): \"ref\" and \"to\" are required");
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 0, &m, &e_), CII_BAD_INPUT, "the minutes have no item");
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-07", &one, 1, &m, &e_), CII_NOT_FOUND, "unknown meeting M-2031-07");
    after = s_snapshot (hub);
    assert_string_equal (after, before);
    free (after);
    free (before);
    //  The good minutes: each through hub_flow, with the meeting, STATUS down. Theme T is admissible,
    //  not yet scheduled: the minutes schedule it for the meeting first (by the bureau).
    hub_outcome_t good [] = {
        { w.f, "referred-to-cp", NULL, "Au CP." },
        { w.k, "answered", "cdc", "Réponse." },
        { w.t, "wg-mandated", NULL, NULL },
        { w.d, "wg-reported", NULL, NULL },     //  not the cdc's: refused below
    };
    snprintf (expect, sizeof expect, "item 4 (%s): %s is wg-mandated: the wg may move it to wg-reported", w.d, w.d);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", good, 4, &m, &e_), CII_REFUSED, expect);
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", good, 3, &m, &err), CII_OK);
    assert_string_equal (m.meeting, "M-2031-01");
    assert_int_equal (m.count, 3);
    assert_int_equal (m.decisions [2].count, 2);       //  the theme: both its requests
    assert_string_equal (m.decisions [1].organ, "cdc");
    hub_minutes_clear (&m);
    hub_minutes_clear (&m);
    char sql [256];
    snprintf (sql, sizeof sql, "SELECT h.state || '/' || h.organ || '/' || h.meeting || '/' || h.note || '/' || h.queued FROM "
              "request_history h JOIN requests r ON r.id = h.request_id WHERE r.ref = '%s' ORDER BY h.id DESC LIMIT 1",
              w.f);
    char *last = unit_pg_text (hub->pg, "%s", sql);
    assert_string_equal (last, "referred-to-cp/cdc/M-2031-01/Au CP./true");
    free (last);
    char sql2 [512];
    snprintf (sql2, sizeof sql2, "SELECT string_agg (h.state || '/' || h.organ || '/' || coalesce (h.meeting, '') || '/' || "
              "h.note, ' ; ' ORDER BY h.id) FROM request_history h JOIN requests r ON r.id = h.request_id "
              "WHERE r.ref = '%s' AND h.state IN ('scheduled', 'wg-mandated')", w.d);
    last = unit_pg_text (hub->pg, "%s", sql2);
    assert_string_equal (last, "scheduled/bureau//on the agenda of M-2031-01 ; wg-mandated/cdc/M-2031-01/");
    free (last);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'wg-mandated'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    //  K is answered now: closed.
    one.ref = w.k;
    snprintf (expect, sizeof expect, "item 1 (%s): %s is answered, which is final: it is closed", w.k, w.k);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-01", &one, 1, &m, &e_), CII_REFUSED, expect);
}

static void
test_minutes_joint (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    unit_hub_decide (hub, w.b, "scheduled", "bureau", NULL, NULL);
    hub_minutes_t m;
    char expect [CII_ERR_TEXT];
    hub_outcome_t missing [] = { { w.j, "declined", "cp", "Hors champ." }, { w.b, "wg-mandated", NULL, NULL } };
    snprintf (expect, sizeof expect, "item 2 (%s): M-2031-03 is a joint meeting: each item needs \"organ\": \"cdc\" or "
              "\"cp\"", w.b);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-03", missing, 2, &m, &e_), CII_BAD_INPUT, expect);
    hub_outcome_t wrong = { w.b, "wg-mandated", "bureau", NULL };
    snprintf (expect, sizeof expect, "item 1 (%s): M-2031-03 is a joint meeting: each item needs \"organ\": \"cdc\" or "
              "\"cp\" (got \"bureau\")", w.b);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-03", &wrong, 1, &m, &e_), CII_BAD_INPUT, expect);
    //  The cdc's group reports to the cdc only, even in a joint meeting.
    hub_outcome_t mandator = { w.i, "project", "cp", NULL };
    snprintf (expect, sizeof expect, "item 1 (%s): %s is wg-reported: its working group was mandated by the cdc, so only "
              "the cdc may move it (to answered, wg-mandated, referred-to-cp or deferred)", w.i, w.i);
    UNIT_HUB_REFUSED (hub_agenda_minutes (hub->store, "M-2031-03", &mandator, 1, &m, &e_), CII_REFUSED, expect);
    hub_outcome_t good [] = {
        { w.j, "declined", "cp", "Hors champ." },
        { w.b, "wg-mandated", "cdc", NULL },
        { w.h, "recommendation-planned", "cp", NULL },
        { w.i, "answered", "cdc", "Le groupe a répondu." },
    };
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_agenda_minutes (hub->store, "M-2031-03", good, 4, &m, &err) != CII_OK)
        fail_msg ("%s", err.text);
    assert_int_equal (m.count, 4);
    hub_minutes_clear (&m);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE meeting = 'M-2031-03'"), 4);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE meeting = 'M-2031-03' AND "
                                            "organ = 'cdc'"), 2);
}

static void
test_minutes_hostile (void **state)
{
    unit_hub_t *hub = *state;
    s_world_t w;
    s_world (hub, &w);
    char *before = s_snapshot (hub);
    hub_minutes_t m;
    cii_err_t err;
    const char *hostile [] = { "CII-\x1b[31m-0001", "\xff\xfe", "x\ny", "NT-\x07", "'; DROP TABLE requests; --" };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile [0]; i++) {
        hub_outcome_t o = { hostile [i], "answered", NULL, "x" };
        cii_err_clear (&err);
        assert_int_not_equal (hub_agenda_minutes (hub->store, "M-2031-01", &o, 1, &m, &err), CII_OK);
        assert_true (cii_domain_line_valid (err.text, strlen (err.text)));
        hub_outcome_t s = { w.f, hostile [i], NULL, "x" };
        cii_err_clear (&err);
        assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", &s, 1, &m, &err), CII_BAD_INPUT);
        assert_true (cii_domain_line_valid (err.text, strlen (err.text)));
        hub_outcome_t org = { w.f, "referred-to-cp", hostile [i], "x" };
        cii_err_clear (&err);
        assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", &org, 1, &m, &err), CII_BAD_INPUT);
        assert_true (cii_domain_line_valid (err.text, strlen (err.text)));
    }
    //  A note that is not text, or too long.
    hub_outcome_t note = { w.f, "referred-to-cp", NULL, "\xc3\x28" };
    cii_err_clear (&err);
    assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", &note, 1, &m, &err), CII_BAD_INPUT);
    char *big = malloc (CII_MAX_REASON + 2);
    memset (big, 'a', CII_MAX_REASON + 1);
    big [CII_MAX_REASON + 1] = 0;
    note.note = big;
    assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", &note, 1, &m, &err), CII_BAD_INPUT);
    free (big);
    char *after = s_snapshot (hub);
    assert_string_equal (after, before);
    free (after);
    free (before);
    //  Text a note carries is kept as given (it is data).
    hub_outcome_t ok = { w.f, "referred-to-cp", NULL, "Voir « annexe » ; 'quote' -- \\ fin" };
    assert_int_equal (hub_agenda_minutes (hub->store, "M-2031-01", &ok, 1, &m, &err), CII_OK);
    hub_minutes_clear (&m);
    char *stored = unit_pg_text (hub->pg, "SELECT note FROM request_history ORDER BY id DESC LIMIT 1");
    assert_string_equal (stored, "Voir « annexe » ; 'quote' -- \\ fin");
    free (stored);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_cdc_agenda, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_cp_and_joint_agenda, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refused, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_publish, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_text_limit, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_minutes, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_minutes_joint, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_minutes_hostile, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
