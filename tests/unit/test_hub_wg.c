/*  test_hub_wg.c — working groups and the work programme (issue 8, third slice) against a real
    PostgreSQL: a group's mandate all or none (every missing part named, a request its organ may not
    mandate named, nothing stored), requests already wg-mandated linked, the one report back to the
    mandating organ, overdue groups; programmes (two years, no overlap, the rotation warned about),
    projects with milestones and requests, and a CP project decision creating a linked project;
    hostile text everywhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_kind.h"
#include "hub_flow.h"
#include "hub_meeting.h"
#include "hub_programme.h"
#include "hub_store_downward.h"
#include "hub_themes.h"
#include "hub_wg.h"
#include "unit_gate.h"
#include "unit_hub.h"

static hub_wg_mandate_t
s_mandate (const char *until)
{
    return (hub_wg_mandate_t) {
        .title = "Passerelles AI – aide sociale",
        .context = "Les personnes atteintes dans leur santé tombent entre l'AI et l'aide sociale.",
        .objective = "Proposer une procédure commune.",
        .deliverables = "Un rapport et une fiche.",
        .process = "Trois séances, un atelier avec les cantons.",
        .composition = "OFAS, CDAS, CSIAS, deux cantons.",
        .communication = "Rapport au CDC; fiche sur iiz.ch.",
        .financing = "Par les partenaires, sans budget propre.",
        .lead = "OFAS",
        .staffing = "Secrétariat: bureau CII, 10 %.",
        .until = until,
    };
}

//  A request of network moved to scheduled.
static void
s_scheduled (unit_hub_t *hub, int64_t agent, const char *network, const char *canton, const char *id,
             char ref [HUB_MAX_REF])
{
    ug_simple (hub, agent, network, canton, id, ref);
    unit_hub_decide (hub, ref, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (hub, ref, "scheduled", "bureau", NULL, NULL);
}

static char *
s_wg_ref (unit_hub_t *hub, int n, char buf [HUB_MAX_REF])
{
    snprintf (buf, HUB_MAX_REF, "WG-%d-%02d", ug_year (hub), n);
    return buf;
}

//  --- working groups ---------------------------------------------------------------------------------

static void
test_wg_all_or_none (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "lemanique");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF], expect [CII_ERR_TEXT], wg [HUB_MAX_REF];
    s_scheduled (hub, agent, "lemanique", "VD", "req-a", a);
    s_scheduled (hub, agent, "lemanique", "GE", "req-b", b);
    ug_simple (hub, agent, "lemanique", "VS", "req-c", c);      //  received: the cdc may not mandate
    hub_wg_mandate_t m = s_mandate ("2031-09-30");
    hub_wg_done_t done;
    const char *three [] = { a, b, c };
    snprintf (expect, sizeof expect, "%s is received: the bureau may move it to admissible or inadmissible", c);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", three, 3, NULL, &done, &e_), CII_REFUSED, expect);
    //  Nothing stored: no group, no number taken, no state changed.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_groups"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_group_requests"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'WG'"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'scheduled'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'wg-mandated'"), 0);
    //  Unknown, twice, none.
    char unknown [HUB_MAX_REF];
    snprintf (unknown, sizeof unknown, "CII-%d-0999", ug_year (hub));
    const char *with_unknown [] = { a, unknown };
    snprintf (expect, sizeof expect, "unknown request %s", unknown);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", with_unknown, 2, NULL, &done, &e_), CII_NOT_FOUND, expect);
    const char *twice [] = { a, b, a };
    snprintf (expect, sizeof expect, "%s is named twice", a);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", twice, 3, NULL, &done, &e_), CII_BAD_INPUT, expect);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", NULL, 0, NULL, &done, &e_), CII_BAD_INPUT,
                      "a working group needs at least one request (--refs)");
    const char *hostile [] = { "CII-2031-0001'; DELETE FROM requests;--" };
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", hostile, 1, NULL, &done, &e_), CII_NOT_FOUND,
                      "unknown request CII-2031...");
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "bureau", three, 2, NULL, &done, &e_), CII_BAD_INPUT,
                      "unknown organ \"bureau\": a working group is mandated by the cdc or the cp");
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc\n\x1b[2J", three, 2, NULL, &done, &e_), CII_BAD_INPUT,
                      "unknown organ \"cdc??[2J\": a working group is mandated by the cdc or the cp");
    //  A meeting of the other organ.
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t meeting;
    assert_int_equal (hub_meeting_new (hub->store, "cp", "2031-03-24", false, &meeting, &err), CII_OK);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", three, 2, "M-2031-01", &done, &e_), CII_REFUSED,
                      "M-2031-01 is a meeting of the cp: the cdc cannot decide in it");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_groups"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'WG'"), 0);
    //  The two scheduled ones: mandated, through hub_flow (history, STATUS down, organ the cdc).
    assert_int_equal (hub_wg_new (hub->store, &m, "cdc", three, 2, NULL, &done, &err), CII_OK);
    assert_string_equal (done.ref, s_wg_ref (hub, 1, wg));
    assert_string_equal (done.mandated_by, "cdc");
    assert_string_equal (done.until, "2031-09-30");
    assert_int_equal (done.count, 2);
    assert_string_equal (done.requests [0].ref, a);
    assert_string_equal (done.requests [0].from, "scheduled");
    assert_true (done.at_ms > 0);
    hub_wg_done_clear (&done);
    hub_wg_done_clear (&done);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'wg-mandated'"), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'wg-mandated' "
                                            "AND organ = 'cdc' AND queued"), 2);
    snprintf (expect, sizeof expect, "working group %s: Passerelles AI – aide sociale", wg);
    unit_hub_text_is (hub, expect, "SELECT note FROM request_history WHERE state = 'wg-mandated' ORDER BY id LIMIT 1");
    //  Every part of the mandate is stored as given.
    unit_hub_text_is (hub, m.staffing, "SELECT staffing FROM working_groups");
    unit_hub_text_is (hub, "2", "SELECT count(*) FROM working_group_requests");
    //  A request already with a group is not given a second one.
    s_scheduled (hub, agent, "lemanique", "VD", "req-d", c);
    const char *again [] = { c, b };
    snprintf (expect, sizeof expect, "%s is already with working group %s", b, wg);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", again, 2, NULL, &done, &e_), CII_REFUSED, expect);
    //  Numbers are gapless: the next one is 02.
    assert_int_equal (hub_wg_new (hub->store, &m, "cdc", again, 1, NULL, &done, &err), CII_OK);
    assert_string_equal (done.ref, s_wg_ref (hub, 2, wg));
    hub_wg_done_clear (&done);
}

static void
test_wg_mandate_fields (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ticino");
    char a [HUB_MAX_REF], expect [CII_ERR_TEXT];
    s_scheduled (hub, agent, "ticino", "TI", "req-a", a);
    const char *refs [] = { a };
    hub_wg_done_t done;
    static const char *const names [] = { "title", "context", "objective", "deliverables", "process", "composition",
                                          "communication", "financing", "lead", "staffing", "until" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        for (int blank = 0; blank < 2; blank++) {
            hub_wg_mandate_t m = s_mandate ("2031-09-30");
            const char **field = (const char **) &m + i;
            *field = blank ? " \n\t " : NULL;
            snprintf (expect, sizeof expect, "the mandate needs its %s (--%s)", names [i], names [i]);
            UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT, expect);
        }
    hub_wg_mandate_t m = s_mandate ("2031-02-30");
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the date --until must be a calendar date YYYY-MM-DD (got \"2031-02-30\")");
    m.until = "30.09.2031\x1b[31m";
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the date --until must be a calendar date YYYY-MM-DD (got \"30.09.2031?[31m\")");
    //  Hostile text: a title on two lines, control characters, bad UTF-8, too long.
    m = s_mandate ("2031-09-30");
    m.title = "Titre\nDeuxième ligne";
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the title must be one line of UTF-8 text of at most 200 bytes (got 21 bytes)");
    m = s_mandate ("2031-09-30");
    m.lead = "OFAS\x1b[2J";
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the lead must be one line of UTF-8 text of at most 200 bytes (got 8 bytes)");
    m = s_mandate ("2031-09-30");
    m.context = "caf\xc3";
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the context must be UTF-8 text of at most 8000 bytes (got 4 bytes)");
    char *big = malloc (8002);
    memset (big, 'x', 8001);
    big [8001] = 0;
    m.context = big;
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &e_), CII_BAD_INPUT,
                      "the context must be UTF-8 text of at most 8000 bytes (got 8001 bytes)");
    free (big);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_groups"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'wg-mandated'"), 0);
    //  Multi-line text with quotes and SQL is stored as it is.
    m = s_mandate ("2031-09-30");
    m.context = "Ligne 1\nLigne 2: \"'; DROP TABLE working_groups; --\n\tfin — ü ß 漢";
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_wg_new (hub->store, &m, "cdc", refs, 1, NULL, &done, &err), CII_OK);
    hub_wg_done_clear (&done);
    unit_hub_text_is (hub, m.context, "SELECT context FROM working_groups");
}

//  A request the CP mandated by a decision is linked; the CDC cannot take it over.
static void
test_wg_links_mandated (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], expect [CII_ERR_TEXT];
    s_scheduled (hub, agent, "zuerich", "ZH", "req-a", a);
    s_scheduled (hub, agent, "zuerich", "ZH", "req-b", b);
    unit_hub_decide (hub, a, "wg-mandated", "cp", NULL, NULL);
    hub_wg_mandate_t m = s_mandate ("2031-09-30");
    hub_wg_done_t done;
    const char *refs [] = { a, b };
    snprintf (expect, sizeof expect, "%s is wg-mandated by the cp: the cdc cannot give it a working group", a);
    UNIT_HUB_REFUSED (hub_wg_new (hub->store, &m, "cdc", refs, 2, NULL, &done, &e_), CII_REFUSED, expect);
    int64_t rows = unit_pg_int (hub->pg, "SELECT count(*) FROM request_history");
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_wg_new (hub->store, &m, "cp", refs, 2, NULL, &done, &err), CII_OK);
    assert_int_equal (done.count, 2);
    assert_string_equal (done.requests [0].from, "wg-mandated");
    assert_string_equal (done.requests [1].from, "scheduled");
    hub_wg_done_clear (&done);
    //  Only b moved: one history row more.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history"), rows + 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_group_requests"), 2);
}

//  The report: once, back to the mandating organ, result untouched.
static void
test_wg_report (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "nordwest");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], wg [HUB_MAX_REF], expect [CII_ERR_TEXT];
    s_scheduled (hub, agent, "nordwest", "BS", "req-a", a);
    s_scheduled (hub, agent, "nordwest", "BL", "req-b", b);
    hub_wg_mandate_t m = s_mandate ("2031-09-30");
    hub_wg_done_t done;
    cii_err_t err;
    cii_err_clear (&err);
    const char *refs [] = { a, b };
    assert_int_equal (hub_wg_new (hub->store, &m, "cdc", refs, 2, NULL, &done, &err), CII_OK);
    snprintf (wg, sizeof wg, "%s", done.ref);
    hub_wg_done_clear (&done);
    //  b moves on before the report (the CDC answered it): it stays.
    unit_hub_decide (hub, b, "wg-reported", "wg", NULL, NULL);
    unit_hub_decide (hub, b, "answered", "cdc", NULL, "Réglé entre-temps.");
    const char result [] = "# Résultat\r\n\nLe groupe propose une *procédure commune*.\t— ü 漢 \xf0\x9f\x98\x80\n";
    UNIT_HUB_REFUSED (hub_wg_report (hub->store, "WG-2031-99", result, sizeof result - 1, &done, &e_), CII_NOT_FOUND,
                      "unknown working group WG-2031-99");
    UNIT_HUB_REFUSED (hub_wg_report (hub->store, wg, "caf\xc3\xa9\xff", 6, &done, &e_), CII_BAD_INPUT,
                      "the result must be UTF-8 text of at most 200000 bytes (got 6 bytes)");
    UNIT_HUB_REFUSED (hub_wg_report (hub->store, wg, "a\0b", 3, &done, &e_), CII_BAD_INPUT,
                      "the result must be UTF-8 text of at most 200000 bytes (got 3 bytes)");
    UNIT_HUB_REFUSED (hub_wg_report (hub->store, wg, " \n", 2, &done, &e_), CII_BAD_INPUT, "the result is empty");
    UNIT_HUB_REFUSED (hub_wg_report (hub->store, wg, result, HUB_WG_MAX_RESULT + 1, &done, &e_), CII_BAD_INPUT,
                      "the result must be UTF-8 text of at most 200000 bytes (got 200001 bytes)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM working_groups WHERE result IS NOT NULL"), 0);
    assert_int_equal (hub_wg_report (hub->store, wg, result, sizeof result - 1, &done, &err), CII_OK);
    assert_string_equal (done.ref, wg);
    assert_string_equal (done.mandated_by, "cdc");
    assert_int_equal (done.count, 1);
    assert_string_equal (done.requests [0].ref, a);
    hub_wg_done_clear (&done);
    unit_hub_text_is (hub, result, "SELECT result FROM working_groups");
    unit_hub_text_is (hub, "wg-reported", "SELECT state FROM requests WHERE ref = '%s'", a);
    unit_hub_text_is (hub, "answered", "SELECT state FROM requests WHERE ref = '%s'", b);
    snprintf (expect, sizeof expect, "wg/working group %s reported to the cdc", wg);
    unit_hub_text_is (hub, expect, "SELECT organ || '/' || note FROM request_history WHERE state = 'wg-reported' "
                                   "ORDER BY id DESC LIMIT 1");
    //  Once.
    cii_err_clear (&err);
    assert_int_equal (hub_wg_report (hub->store, wg, "Encore.", 7, &done, &err), CII_CONFLICT);
    snprintf (expect, sizeof expect, "%s reported already (on ", wg);
    assert_int_equal (strncmp (err.text, expect, strlen (expect)), 0);
    assert_non_null (strstr (err.text, "): a group reports once"));
    unit_hub_text_is (hub, result, "SELECT result FROM working_groups");
    //  Back to the CDC, which mandated it: the CP may not take it, the CDC may.
    hub_decision_t d;
    snprintf (expect, sizeof expect, "%s is wg-reported: its working group was mandated by the cdc, so only the cdc "
              "may move it (to answered, wg-mandated, referred-to-cp or deferred)", a);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, a, "declined", "cp", NULL, "Non.", &d, &e_), CII_REFUSED, expect);
    unit_hub_decide (hub, a, "referred-to-cp", "cdc", NULL, "Au CP avec le rapport du groupe.");
    //  The agent was told every step, in order.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    //  The group is no longer open: a request it held may be given a new one.
    unit_hub_decide (hub, a, "wg-mandated", "cp", NULL, NULL);
    const char *one [] = { a };
    assert_int_equal (hub_wg_new (hub->store, &m, "cp", one, 1, NULL, &done, &err), CII_OK);
    hub_wg_done_clear (&done);
}

typedef struct {
    char refs [8][HUB_MAX_REF];
    bool overdue [8];
    size_t count;
} s_list_t;

static bool
s_list_row (const hub_wg_row_t *row, void *arg)
{
    s_list_t *list = arg;
    if (list->count < 8) {
        snprintf (list->refs [list->count], HUB_MAX_REF, "%s", row->ref);
        list->overdue [list->count] = row->overdue;
        list->count++;
    }
    return true;
}

static void
test_wg_overdue (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ost");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF], late [HUB_MAX_REF], early [HUB_MAX_REF];
    s_scheduled (hub, agent, "ost", "SG", "req-a", a);
    s_scheduled (hub, agent, "ost", "SG", "req-b", b);
    s_scheduled (hub, agent, "ost", "GR", "req-c", c);
    cii_err_t err;
    cii_err_clear (&err);
    hub_wg_done_t done;
    const char *refs [] = { a, b, c };
    hub_wg_mandate_t past = s_mandate ("2001-01-31"), future = s_mandate ("9999-12-31");
    assert_int_equal (hub_wg_new (hub->store, &past, "cdc", refs, 1, NULL, &done, &err), CII_OK);
    snprintf (late, sizeof late, "%s", done.ref);
    hub_wg_done_clear (&done);
    assert_int_equal (hub_wg_new (hub->store, &future, "cdc", refs + 1, 1, NULL, &done, &err), CII_OK);
    hub_wg_done_clear (&done);
    assert_int_equal (hub_wg_new (hub->store, &past, "cdc", refs + 2, 1, NULL, &done, &err), CII_OK);
    snprintf (early, sizeof early, "%s", done.ref);
    hub_wg_done_clear (&done);
    s_list_t list;
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_wg_list (hub->store, NULL, false, s_list_row, &list, &err), CII_OK);
    assert_int_equal (list.count, 3);
    assert_true (list.overdue [0]);
    assert_false (list.overdue [1]);
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_wg_list (hub->store, NULL, true, s_list_row, &list, &err), CII_OK);
    assert_int_equal (list.count, 2);
    assert_string_equal (list.refs [0], late);
    assert_string_equal (list.refs [1], early);
    //  A group that reported is not overdue any more, however late.
    assert_int_equal (hub_wg_report (hub->store, early, "Fin.", 4, &done, &err), CII_OK);
    hub_wg_done_clear (&done);
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_wg_list (hub->store, NULL, true, s_list_row, &list, &err), CII_OK);
    assert_int_equal (list.count, 1);
    assert_string_equal (list.refs [0], late);
    memset (&list, 0, sizeof list);
    assert_int_equal (hub_wg_list (hub->store, early, false, s_list_row, &list, &err), CII_OK);
    assert_int_equal (list.count, 1);
    assert_false (list.overdue [0]);
    UNIT_HUB_REFUSED (hub_wg_list (hub->store, "WG-1'--", false, s_list_row, &list, &e_), CII_NOT_FOUND,
                      "unknown working group WG-1'--");
}

//  --- the work programme ------------------------------------------------------------------------------

static void
s_programme (unit_hub_t *hub, int from, const char *presidency, size_t warnings, const char *first_warning)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_programme_t p;
    if (hub_programme_new (hub->store, from, from + 1, presidency, &p, &err) != CII_OK)
        fail_msg ("programme %d %s: %s", from, presidency, err.text);
    char ref [HUB_MAX_REF];
    snprintf (ref, sizeof ref, "WP-%d-%d", from, from + 1);
    assert_string_equal (p.ref, ref);
    assert_string_equal (p.presidency, presidency);
    assert_true (p.created_at_ms > 0);
    if (p.n_warnings != warnings)
        fail_msg ("programme %d %s: %zu warnings (%s), expected %zu", from, presidency, p.n_warnings,
                  p.n_warnings ? p.warnings [0] : "", warnings);
    if (first_warning)
        assert_string_equal (p.warnings [0], first_warning);
}

static void
test_programme_rotation (void **state)
{
    unit_hub_t *hub = *state;
    s_programme (hub, 2031, "OFAS", 0, NULL);
    s_programme (hub, 2033, "SEFRI", 0, NULL);
    s_programme (hub, 2035, "SECO", 0, NULL);
    s_programme (hub, 2037, "SEM", 0, NULL);
    //  SEFRI presided within the last three programmes: warned, stored.
    s_programme (hub, 2039, "SEFRI", 1, "the SEFRI presided WP-2033-2034 already: the rotation gives the presidency "
                                        "to an office that has not had it for the last three programmes (OFAS)");
    s_programme (hub, 2041, "OFAS", 0, NULL);
    //  A gap, then the same office twice.
    s_programme (hub, 2045, "OFAS", 2, "no work programme covers 2043-2044, between WP-2041-2042 and this one");
    hub_programme_t p;
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_programme_find (hub->store, 2046, &p, NULL, &err), CII_OK);
    assert_string_equal (p.ref, "WP-2045-2046");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM programmes"), 7);
    //  Overlaps refused, whichever year.
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2032, 2033, "SECO", &p, &e_), CII_CONFLICT,
                      "WP-2031-2032 already covers 2032: work programmes may not overlap");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2030, 2031, "SECO", &p, &e_), CII_CONFLICT,
                      "WP-2031-2032 already covers 2031: work programmes may not overlap");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2041, 2042, "SECO", &p, &e_), CII_CONFLICT,
                      "WP-2041-2042 already covers 2041: work programmes may not overlap");
    //  Two years, a real office, a year in range.
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2050, 2052, "SECO", &p, &e_), CII_BAD_INPUT,
                      "a work programme covers two years: --to must be 2051 (got 2052)");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2050, 2050, "SECO", &p, &e_), CII_BAD_INPUT,
                      "a work programme covers two years: --to must be 2051 (got 2050)");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 1999, 2000, "SECO", &p, &e_), CII_BAD_INPUT,
                      "the first year must be 2000..9998 (got 1999)");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2050, 2051, "seco", &p, &e_), CII_BAD_INPUT,
                      "unknown presidency \"seco\": OFAS, SEFRI, SECO or SEM");
    UNIT_HUB_REFUSED (hub_programme_new (hub->store, 2050, 2051, "SEM'); DROP TABLE programmes;--\n", &p, &e_),
               CII_BAD_INPUT, "unknown presidency \"SEM'); DROP TABL...\": OFAS, SEFRI, SECO or SEM");
    UNIT_HUB_REFUSED (hub_programme_find (hub->store, 2050, &p, NULL, &e_), CII_NOT_FOUND,
                      "no work programme covers 2050 (cii-hub programme new adopts one)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM programmes"), 7);
}

typedef struct {
    char lines [8][600];
    size_t count;
} s_shown_t;

static bool
s_shown_project (const hub_project_row_t *row, const char *incomplete, const hub_milestone_t *milestones, size_t n,
                 void *arg)
{
    s_shown_t *shown = arg;
    if (shown->count == 8)
        return false;
    snprintf (shown->lines [shown->count++], sizeof shown->lines [0], "%s/%s/%s/%s/[%s]/%zu:%s %s/%s", row->kind, row->title, row->lead,
              row->decided_by, incomplete, n, n ? milestones [0].date : "", n ? milestones [0].text : "",
              row->requests);
    return true;
}

static void
test_project_add (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zentral");
    char a [HUB_MAX_REF], expect [CII_ERR_TEXT], ref [HUB_MAX_REF];
    ug_simple (hub, agent, "zentral", "LU", "req-a", a);
    int year = ug_year (hub);
    const char *refs [] = { a };
    const char *milestones [] = { "2031-06-30:Rapport intermédiaire", "2031-12-15:Rapport final" };
    hub_project_new_t p = {
        .kind = "cii", .title = "Coaching intégré", .lead = "SECO", .financing = "SECO et OFAS, moitié chacun",
        .objective = "Un accompagnement commun AC/AI.", .refs = refs, .n_refs = 1, .milestones = milestones,
        .n_milestones = 2,
    };
    hub_project_done_t done;
    snprintf (expect, sizeof expect, "no work programme covers %d (cii-hub programme new adopts one)", year);
    UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &p, &done, &e_), CII_NOT_FOUND, expect);
    s_programme (hub, year - 1, "SEM", 0, NULL);
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_programme_project_add (hub->store, &p, &done, &err), CII_OK);
    snprintf (ref, sizeof ref, "PR-%d-01", year);
    assert_string_equal (done.ref, ref);
    char programme [HUB_MAX_REF];
    snprintf (programme, sizeof programme, "WP-%d-%d", year - 1, year);
    assert_string_equal (done.programme, programme);
    //  Refusals, nothing stored.
    hub_project_new_t bad = p;
    bad.kind = "CII";
    UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_BAD_INPUT,
                      "unknown kind \"CII\": a project is cii or associated");
    static const char *const names [] = { "title", "lead", "financing", "objective" };
    for (size_t i = 0; i < 4; i++) {
        bad = p;
        const char **field = i == 0 ? &bad.title : i == 1 ? &bad.lead : i == 2 ? &bad.financing : &bad.objective;
        *field = i % 2 ? NULL : "  ";
        snprintf (expect, sizeof expect, "a project needs its %s (--%s)", names [i], names [i]);
        UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_BAD_INPUT, expect);
    }
    bad = p;
    bad.title = "Titre\r\nInjecté";
    UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_BAD_INPUT,
                      "the title must be one line of UTF-8 text of at most 200 bytes (got 15 bytes)");
    const char *bad_milestones [] = { "2031-06-30 Rapport", "2031-13-01:Rapport", "2031-06-30:", "2031-06-30:a\nb" };
    const char *bad_why [] = {
        "a milestone is YYYY-MM-DD:TEXT (got \"2031-06-30 Rappo...\")",
        "a milestone is YYYY-MM-DD:TEXT with a calendar date (got \"2031-13-01:Rappo...\")",
        "a milestone is YYYY-MM-DD:TEXT (got \"2031-06-30:\")",
        "the milestone must be one line of UTF-8 text of at most 200 bytes (got 3 bytes)",
    };
    for (size_t i = 0; i < 4; i++) {
        bad = p;
        bad.milestones = &bad_milestones [i];
        bad.n_milestones = 1;
        UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_BAD_INPUT, bad_why [i]);
    }
    const char *unknown [] = { a, "CII-2031-0999" };
    bad = p;
    bad.refs = unknown;
    bad.n_refs = 2;
    UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_NOT_FOUND, "unknown request CII-2031-0999");
    const char *twice [] = { a, a };
    bad.refs = twice;
    snprintf (expect, sizeof expect, "%s is named twice", a);
    UNIT_HUB_REFUSED (hub_programme_project_add (hub->store, &bad, &done, &e_), CII_BAD_INPUT, expect);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM projects"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT last FROM ref_counters WHERE prefix = 'PR'"), 1);
    //  An associated project, no requests, no milestones; hostile but valid text kept.
    hub_project_new_t assoc = {
        .kind = "associated", .title = "Projet «pilote» \"'; DROP TABLE projects;--", .lead = "CDIP",
        .financing = "Fonds propres\nde la CDIP", .objective = "Orientation professionnelle.",
    };
    assert_int_equal (hub_programme_project_add (hub->store, &assoc, &done, &err), CII_OK);
    snprintf (ref, sizeof ref, "PR-%d-02", year);
    assert_string_equal (done.ref, ref);
    //  The programme: CII projects first, then associated ones, with milestones and requests.
    hub_programme_t shown_p;
    s_shown_t shown;
    memset (&shown, 0, sizeof shown);
    assert_int_equal (hub_programme_show (hub->store, 0, &shown_p, s_shown_project, &shown, &err), CII_OK);
    assert_string_equal (shown_p.ref, programme);
    assert_int_equal (shown.count, 2);
    snprintf (expect, sizeof expect, "cii/Coaching intégré/SECO//[]/2:2031-06-30 Rapport intermédiaire/%s", a);
    assert_string_equal (shown.lines [0], expect);
    assert_string_equal (shown.lines [1], "associated/Projet «pilote» \"'; DROP TABLE projects;--/CDIP//[]/0: /");
    snprintf (expect, sizeof expect, "no work programme covers %d (cii-hub programme new adopts one)", year + 1);
    UNIT_HUB_REFUSED (hub_programme_show (hub->store, year + 1, &shown_p, s_shown_project, &shown, &e_), CII_NOT_FOUND,
                      expect);
    UNIT_HUB_REFUSED (hub_programme_show (hub->store, 123, &shown_p, s_shown_project, &shown, &e_), CII_BAD_INPUT,
                      "the year must be 2000..9999 (got 123)");
}

//  A CP project decision creates a CII project linked to its request(s), to be completed.
static void
test_project_decision (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF], expect [CII_ERR_TEXT], ref [HUB_MAX_REF];
    int year = ug_year (hub);
    s_scheduled (hub, leman, "lemanique", "VD", "req-a", a);
    //  No programme: the decision is refused, nothing moves.
    hub_decision_t d;
    snprintf (expect, sizeof expect, "no work programme covers %d: a project decision adds the request to it "
              "(cii-hub programme new first)", year);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, a, "project", "cp", NULL, NULL, &d, &e_), CII_REFUSED, expect);
    unit_hub_text_is (hub, "scheduled", "SELECT state FROM requests WHERE ref = '%s'", a);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM projects"), 0);
    s_programme (hub, year, "SECO", 0, NULL);
    unit_hub_decide (hub, a, "project", "cp", NULL, NULL);
    snprintf (ref, sizeof ref, "PR-%d-01", year);
    unit_hub_text_is (hub, ref, "SELECT p.ref FROM projects p JOIN project_requests l ON l.project_id = p.id "
                                "JOIN requests r ON r.id = l.request_id WHERE r.ref = '%s'", a);
    unit_hub_text_is (hub, "cii/Demande/cp", "SELECT kind || '/' || title || '/' || decided_by FROM projects");
    //  A theme's decision: one project for its requests, titled after the theme.
    ug_simple (hub, leman, "lemanique", "GE", "req-b", b);
    ug_simple (hub, zh, "zuerich", "ZH", "req-c", c);
    cii_err_t err;
    cii_err_clear (&err);
    hub_theme_made_t made;
    const char *both [] = { b, c };
    assert_int_equal (hub_themes_new (hub->store, "Jeunes sans formation", both, 2, &made, &err), CII_OK);
    unit_hub_decide (hub, made.ref, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (hub, made.ref, "scheduled", "bureau", NULL, NULL);
    unit_hub_decide (hub, made.ref, "project", "cp", NULL, NULL);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM projects"), 2);
    snprintf (expect, sizeof expect, "Jeunes sans formation/%s,%s", b, c);
    unit_hub_text_is (hub, expect, "SELECT p.title || '/' || string_agg (r.ref, ',' ORDER BY r.id) FROM projects p "
                                   "JOIN project_requests l ON l.project_id = p.id JOIN requests r ON r.id = l.request_id "
                                   "WHERE p.id = (SELECT max (id) FROM projects) GROUP BY p.title");
    //  Shown as incomplete until the partners' lead, financing and objective are recorded.
    s_shown_t shown;
    memset (&shown, 0, sizeof shown);
    hub_programme_t p;
    assert_int_equal (hub_programme_show (hub->store, year, &p, s_shown_project, &shown, &err), CII_OK);
    assert_int_equal (shown.count, 2);
    snprintf (expect, sizeof expect, "cii/Demande//cp/[lead,financing,objective]/0: /%s", a);
    assert_string_equal (shown.lines [0], expect);
    UNIT_HUB_REFUSED (hub_programme_project_set (hub->store, ref, NULL, NULL, NULL, &e_), CII_BAD_INPUT,
                      "nothing to set: --lead, --financing or --objective");
    UNIT_HUB_REFUSED (hub_programme_project_set (hub->store, ref, "OFAS\n", NULL, NULL, &e_), CII_BAD_INPUT,
                      "the lead must be one line of UTF-8 text of at most 200 bytes (got 5 bytes)");
    UNIT_HUB_REFUSED (hub_programme_project_set (hub->store, "PR-2031-77", "OFAS", NULL, NULL, &e_), CII_NOT_FOUND,
                      "unknown project PR-2031-77");
    assert_int_equal (hub_programme_project_set (hub->store, ref, "OFAS", "OFAS et SEFRI", NULL, &err), CII_OK);
    memset (&shown, 0, sizeof shown);
    assert_int_equal (hub_programme_show (hub->store, year, &p, s_shown_project, &shown, &err), CII_OK);
    snprintf (expect, sizeof expect, "cii/Demande/OFAS/cp/[objective]/0: /%s", a);
    assert_string_equal (shown.lines [0], expect);
    //  Every step went down.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'project'"), 3);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_wg_all_or_none, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_wg_mandate_fields, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_wg_links_mandated, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_wg_report, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_wg_overdue, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_programme_rotation, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_project_add, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_project_decision, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
