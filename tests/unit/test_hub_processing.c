/*  test_hub_processing.c — the national processing (issue 8, first slice) against a real
    PostgreSQL: every (state, target, organ) of states x states x organs allowed or refused as the
    issue lists it (the expected list is written here, independently of hub_flow.c's table), the
    required notes, a working group's result back to the organ that mandated it only, decisions in
    a meeting (of that organ; a joint one for the cdc and the cp) recorded and sent down in STATUS,
    themes, and meetings: gapless M-YYYY-NN per year, listing, the proposed calendar, the check,
    and bad input refused with a specific reason and nothing stored. */
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
#include "hub_gate.h"
#include "hub_meeting.h"
#include "hub_store_downward.h"
#include "hub_themes.h"
#include "unit_gate.h"
#include "unit_hub.h"

//  --- the list, written out here ----------------------------------------------------------

static const char *const s_states [] = {
    "received", "grouped", "admissible", "inadmissible", "withdrawn",
    "scheduled", "answered", "wg-mandated", "referred-to-cp", "deferred", "declined", "project",
    "recommendation-planned", "returned-to-cdc", "wg-reported", "recommended",
};
#define S_STATES (sizeof s_states / sizeof s_states [0])

static const char *const s_organs [] = { "bureau", "cdc", "cp", "wg" };
#define S_ORGANS (sizeof s_organs / sizeof s_organs [0])

static const char *const s_cdc_outcomes [] = { "answered", "wg-mandated", "referred-to-cp", "deferred" };
static const char *const s_cp_outcomes [] = { "answered", "declined", "project", "recommendation-planned",
                                              "returned-to-cdc", "wg-mandated", "deferred" };

static bool
s_in (const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (name, list [i]) == 0)
            return true;
    return false;
}

#define S_IN(name, ...) s_in (name, (const char *const []) { __VA_ARGS__ }, \
                              sizeof ((const char *const []) { __VA_ARGS__ }) / sizeof (const char *))

//  What the issue (and the gate before it) allows by `decide`: organ may move from to to.
static bool
s_expected (const char *from, const char *to, const char *organ)
{
    if (strcmp (organ, "bureau") == 0)
        return (S_IN (from, "received", "grouped") && S_IN (to, "admissible", "inadmissible"))
            || (S_IN (from, "admissible", "deferred") && strcmp (to, "scheduled") == 0);
    if (strcmp (organ, "cdc") == 0)
        return S_IN (from, "scheduled", "returned-to-cdc", "wg-reported") && s_in (to, s_cdc_outcomes, 4);
    if (strcmp (organ, "cp") == 0)
        return S_IN (from, "scheduled", "referred-to-cp", "wg-reported") && s_in (to, s_cp_outcomes, 7);
    if (strcmp (organ, "wg") == 0)
        return strcmp (from, "wg-mandated") == 0 && strcmp (to, "wg-reported") == 0;
    return false;
}

//  The note a move requires ("" none).
static const char *
s_required (const char *to)
{
    return strcmp (to, "answered") == 0 ? "the answer"
         : strcmp (to, "declined") == 0 || strcmp (to, "inadmissible") == 0 ? "the reason" : "";
}

static void
test_triples (void **state)
{
    (void) state;
    //  The table has exactly the states.
    size_t n = 0;
    for (const hub_state_t *s; (s = hub_flow_state_at (n)) != NULL; n++)
        assert_string_equal (s->name, s_states [n]);
    assert_int_equal (n, S_STATES);
    assert_true (hub_flow_state ("answered")->flags & HUB_STATE_CLOSED);
    assert_true (hub_flow_state ("declined")->flags & HUB_STATE_CLOSED);
    //  Only a working group's result is limited to the organ that mandated it.
    for (size_t i = 0; i < S_STATES; i++)
        assert_int_equal (!!(hub_flow_state (s_states [i])->flags & HUB_STATE_MANDATOR),
                          strcmp (s_states [i], "wg-reported") == 0);
    for (size_t o = 0; o < S_ORGANS; o++)
        assert_true (hub_flow_organ (s_organs [o])->decides);
    int allowed = 0, refused = 0;
    for (size_t f = 0; f < S_STATES; f++)
        for (size_t t = 0; t < S_STATES; t++)
            for (size_t o = 0; o < S_ORGANS; o++) {
                const char *from = s_states [f], *to = s_states [t], *organ = s_organs [o];
                hub_move_t move = { .to = to, .organ = organ, .by = HUB_BY_DECIDE, .note = "Une note." };
                cii_err_t err;
                cii_err_clear (&err);
                const hub_transition_t *row = NULL;
                cii_rc_t rc = hub_flow_check ("CII-2031-0001", from, &move, &row, &err);
                bool expect = s_expected (from, to, organ);
                if (expect != (rc == CII_OK))
                    fail_msg ("%s -> %s by %s: expected %s, got %s \"%s\"", from, to, organ,
                              expect ? "allowed" : "refused", cii_rc_name (rc), err.text);
                if (expect) {
                    allowed++;
                    //  The required note, and only it.
                    move.note = " ";
                    rc = hub_flow_check ("CII-2031-0001", from, &move, NULL, &err);
                    if (*s_required (to)) {
                        char want [CII_ERR_TEXT];
                        snprintf (want, sizeof want, "a note is required to move CII-2031-0001 to %s (%s)", to,
                                  s_required (to));
                        assert_int_equal (rc, CII_BAD_INPUT);
                        assert_string_equal (err.text, want);
                    }
                    else
                        assert_int_equal (rc, CII_OK);
                    assert_non_null (row);
                }
                else {
                    refused++;
                    assert_int_equal (rc, CII_REFUSED);
                    assert_true (cii_domain_line_valid (err.text, strlen (err.text)));
                    //  It names the state, and what is allowed from it (or that it is final).
                    char head [80];
                    snprintf (head, sizeof head, "CII-2031-0001 is %s", from);
                    assert_int_equal (strncmp (err.text, head, strlen (head)), 0);
                }
            }
    assert_int_equal (allowed, 4 + 2 + 3 * 4 + 3 * 7 + 1);
    assert_int_equal (refused, (int) (S_STATES * S_STATES * S_ORGANS) - allowed);
    //  The refusals name what is allowed.
    hub_move_t move = { .to = "declined", .organ = "cdc", .by = HUB_BY_DECIDE, .note = "x" };
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "scheduled", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is scheduled: the cdc may move it to answered, wg-mandated, referred-to-cp or deferred; "
                      "the cp may move it to answered, declined, project, recommendation-planned, returned-to-cdc, "
                      "wg-mandated or deferred");
    move.organ = "cdc";
    move.to = "answered";
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "referred-to-cp", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is referred-to-cp: the cp may move it to answered, declined, project, "
                      "recommendation-planned, returned-to-cdc, wg-mandated or deferred");
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "wg-mandated", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is wg-mandated: the wg may move it to wg-reported");
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "answered", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is answered, which is final");
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "declined", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is declined, which is final");
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "project", &move, NULL, &e_), CII_REFUSED,
                      "CII-2031-0001 is project: no organ may move it now");
    move.organ = "hub";
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2031-0001", "scheduled", &move, NULL, &e_), CII_BAD_INPUT,
                      "not a deciding organ \"hub\" (bureau, cdc, cp or wg)");
}

//  --- what went down to an agent ------------------------------------------------------------------

typedef struct {
    int count;
    char lines [24][160];       //  "state/organ/ref/meeting/note" (the note cut)
} s_down_t;

static void
s_down_cb (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    (void) agent_id;
    (void) seq;
    s_down_t *down = arg;
    assert_string_equal (kind, "status");
    ProtobufCMessage *item = NULL;
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("status"), body, size, &item, NULL), CII_OK);
    const Cii__Status *status = (const Cii__Status *) item;
    if (down->count < 24)
        snprintf (down->lines [down->count], sizeof down->lines [0], "%s/%s/%s/%s/%.40s", status->state, status->organ,
                  status->ref, status->meeting, status->note);
    down->count++;
    cii_codec_item_free (&item);
}

static s_down_t
s_down (unit_hub_t *hub, int64_t agent)
{
    s_down_t down;
    memset (&down, 0, sizeof down);
    hub_fetch_t fetch = { agent, 0, 100 };
    assert_int_equal (hub_store_downward_fetch (hub->store, &fetch, 1, s_down_cb, &down), CII_OK);
    return down;
}

//  Asserts that the one value of query is expected.
static void
s_text_is (unit_hub_t *hub, const char *query, const char *expected)
{
    char *text = unit_pg_text (hub->pg, "%s", query);
    assert_string_equal (text, expected);
    free (text);
}

//  Decides; fails the test when refused.
static void
s_decide (unit_hub_t *hub, const char *ref, const char *to, const char *organ, const char *meeting, const char *note,
          size_t moved)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_decision_t d;
    if (hub_flow_decide_in (hub->store, ref, to, organ, meeting, note, &d, &err) != CII_OK)
        fail_msg ("%s -> %s by %s in %s: %s", ref, to, organ, meeting ? meeting : "-", err.text);
    assert_int_equal (d.count, moved);
    assert_string_equal (d.meeting, meeting ? meeting : "");
    hub_decision_clear (&d);
}

static void
s_meeting (unit_hub_t *hub, const char *organ, const char *date, bool joint, const char *expect_ref)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t m;
    if (hub_meeting_new (hub->store, organ, date, joint, &m, &err) != CII_OK)
        fail_msg ("meeting %s %s: %s", organ, date, err.text);
    assert_string_equal (m.ref, expect_ref);
    assert_string_equal (m.organ, organ);
    assert_string_equal (m.date, date);
    assert_int_equal (m.joint, joint);
    assert_true (m.created_at_ms > 0);
}

//  --- a request through the CDC, the CP and a working group ---------------------------------------

static void
test_path (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "lemanique");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "lemanique", "VD", "req-1", ref);
    s_meeting (hub, "cdc", "2031-03-10", false, "M-2031-01");
    s_meeting (hub, "cp", "2031-03-24", false, "M-2031-02");
    s_meeting (hub, "cp", "2031-12-01", true, "M-2031-03");
    s_decide (hub, ref, "admissible", "bureau", NULL, NULL, 1);
    s_decide (hub, ref, "scheduled", "bureau", NULL, "Ordre du jour CDC de mars.", 1);
    s_decide (hub, ref, "wg-mandated", "cdc", "M-2031-01", NULL, 1);
    s_decide (hub, ref, "wg-reported", "wg", NULL, "Rapport du groupe.", 1);
    //  Back to the CDC, which mandated the group: the CP may not take it.
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "%s is wg-reported: its working group was mandated by the cdc, so only the cdc "
              "may move it (to answered, wg-mandated, referred-to-cp or deferred)", ref);
    hub_decision_t d;
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "project", "cp", "M-2031-02", NULL, &d, &e_), CII_REFUSED, expect);
    s_decide (hub, ref, "referred-to-cp", "cdc", "M-2031-01", "Au CP.", 1);
    s_decide (hub, ref, "wg-mandated", "cp", "M-2031-02", NULL, 1);
    s_decide (hub, ref, "wg-reported", "wg", NULL, NULL, 1);
    //  Now the CP mandated the last group: only the CP.
    snprintf (expect, sizeof expect, "%s is wg-reported: its working group was mandated by the cp, so only the cp "
              "may move it (to answered, declined, project, recommendation-planned, returned-to-cdc, wg-mandated or "
              "deferred)", ref);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "answered", "cdc", NULL, "Réponse.", &d, &e_), CII_REFUSED,
                      expect);
    snprintf (expect, sizeof expect, "a note is required to move %s to answered (the answer)", ref);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "answered", "cp", "M-2031-03", NULL, &d, &e_), CII_BAD_INPUT,
                      expect);
    //  The joint meeting counts for the CP.
    s_decide (hub, ref, "answered", "cp", "M-2031-03", "La CII publie une fiche commune.", 1);
    snprintf (expect, sizeof expect, "%s is answered, which is final", ref);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "deferred", "cp", NULL, NULL, &d, &e_), CII_REFUSED, expect);
    //  The history has each meeting, and each step went down in order, with its meeting.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE meeting IS NOT NULL"), 4);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    s_down_t down = s_down (hub, agent);
    assert_int_equal (down.count, 9);
    const char *want [] = {
        "received/hub/%s//", "admissible/bureau/%s//", "scheduled/bureau/%s//Ordre du jour CDC de mars.",
        "wg-mandated/cdc/%s/M-2031-01/", "wg-reported/wg/%s//Rapport du groupe.", "referred-to-cp/cdc/%s/M-2031-01/Au CP.",
        "wg-mandated/cp/%s/M-2031-02/", "wg-reported/wg/%s//", "answered/cp/%s/M-2031-03/La CII publie une fiche commune.",
    };
    for (size_t i = 0; i < sizeof want / sizeof want [0]; i++) {
        char line [160];
        snprintf (line, sizeof line, want [i], ref);
        //  "received" goes with the first decision (its criteria evaluated then)
        assert_string_equal (down.lines [i], line);
    }
    s_text_is (hub, "SELECT state FROM requests", "answered");
}

//  Declined needs its reason; a project and a recommendation stay open; returned to the CDC.
static void
test_cp_outcomes (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ticino");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF];
    ug_simple (hub, agent, "ticino", "TI", "req-a", a);
    ug_simple (hub, agent, "ticino", "TI", "req-b", b);
    ug_simple (hub, agent, "ticino", "TI", "req-c", c);
    const char *refs [] = { a, b, c };
    for (int i = 0; i < 3; i++) {
        s_decide (hub, refs [i], "admissible", "bureau", NULL, NULL, 1);
        s_decide (hub, refs [i], "scheduled", "bureau", NULL, NULL, 1);
    }
    char expect [CII_ERR_TEXT];
    hub_decision_t d;
    snprintf (expect, sizeof expect, "a note is required to move %s to declined (the reason)", a);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, a, "declined", "cp", NULL, "", &d, &e_), CII_BAD_INPUT, expect);
    s_decide (hub, a, "declined", "cp", NULL, "Hors du champ de la CII.", 1);
    //  A project goes into the work programme covering this year: there must be one (test_hub_wg).
    snprintf (expect, sizeof expect, "no work programme covers %d: a project decision adds the request to it "
              "(cii-hub programme new first)", ug_year (hub));
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, b, "project", "cp", NULL, NULL, &d, &e_), CII_REFUSED, expect);
    unit_pg_exec (hub->pg, "INSERT INTO programmes (ref, year_from, year_to, presidency) "
                           "SELECT 'WP-' || y || '-' || (y + 1), y, y + 1, 'SECO' FROM "
                           "(SELECT extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int AS y) n");
    s_decide (hub, b, "project", "cp", NULL, NULL, 1);
    s_decide (hub, c, "returned-to-cdc", "cp", NULL, "À préciser.", 1);
    s_decide (hub, c, "deferred", "cdc", NULL, NULL, 1);
    s_decide (hub, c, "scheduled", "bureau", NULL, NULL, 1);
    s_decide (hub, c, "recommendation-planned", "cp", NULL, NULL, 1);
    snprintf (expect, sizeof expect, "%s is project: no organ may move it now", b);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, b, "answered", "cp", NULL, "x", &d, &e_), CII_REFUSED, expect);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state IN "
                                            "('declined', 'project', 'recommendation-planned')"), 3);
    assert_int_equal (s_down (hub, agent).count, 3 + 3 * 2 + 6);
}

//  --- meetings and decisions ------------------------------------------------------------------------

static void
test_meeting_refused (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zuerich");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "zuerich", "ZH", "req-1", ref);
    s_meeting (hub, "cdc", "2031-03-10", false, "M-2031-01");
    s_meeting (hub, "cp", "2031-03-24", false, "M-2031-02");
    s_meeting (hub, "cdc", "2031-12-01", true, "M-2031-03");
    s_decide (hub, ref, "admissible", "bureau", NULL, NULL, 1);
    long long history = unit_pg_int (hub->pg, "SELECT count(*) FROM request_history");
    long long queued = unit_pg_int (hub->pg, "SELECT count(*) FROM downward");
    hub_decision_t d;
    //  The bureau does not meet; nor does a working group.
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "scheduled", "bureau", "M-2031-01", NULL, &d, &e_), CII_REFUSED,
                      "M-2031-01 is a meeting of the cdc: the bureau cannot decide in it");
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "scheduled", "bureau", "M-2031-03", NULL, &d, &e_), CII_REFUSED,
                      "M-2031-03 is a joint meeting of the cdc and the cp: the bureau cannot decide in it");
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "scheduled", "bureau", "M-2031-09", NULL, &d, &e_),
                      CII_NOT_FOUND, "unknown meeting M-2031-09");
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "scheduled", "bureau", "M-2031'; DROP TABLE meetings;--", NULL,
                                          &d, &e_), CII_NOT_FOUND, "unknown meeting M-2031';...");
    s_decide (hub, ref, "scheduled", "bureau", "", NULL, 1);
    //  The CP may not decide in the CDC's meeting, nor the CDC in the CP's.
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "project", "cp", "M-2031-01", NULL, &d, &e_), CII_REFUSED,
                      "M-2031-01 is a meeting of the cdc: the cp cannot decide in it");
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "referred-to-cp", "cdc", "M-2031-02", NULL, &d, &e_), CII_REFUSED,
                      "M-2031-02 is a meeting of the cp: the cdc cannot decide in it");
    //  A forbidden move is refused as such, whatever the meeting.
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "%s is scheduled: the cdc may move it to answered, wg-mandated, referred-to-cp or "
              "deferred; the cp may move it to answered, declined, project, recommendation-planned, returned-to-cdc, "
              "wg-mandated or deferred", ref);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, ref, "declined", "cdc", "M-2031-01", "x", &d, &e_), CII_REFUSED, expect);
    //  Nothing changed by any of them.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history"), history + 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), queued + 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM meetings"), 3);
    //  The joint meeting counts for the CDC (and the CP: test_path).
    s_decide (hub, ref, "referred-to-cp", "cdc", "M-2031-03", NULL, 1);
    s_text_is (hub, "SELECT meeting FROM request_history ORDER BY id DESC LIMIT 1", "M-2031-03");
}

//  A decision on a theme moves each of its open requests, every network told, with the meeting.
static void
test_theme (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-1", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-2", b);
    cii_err_t err;
    cii_err_clear (&err);
    hub_theme_made_t made;
    const char *refs [] = { a, b };
    assert_int_equal (hub_themes_new (hub->store, "Santé et aide sociale", refs, 2, &made, &err), CII_OK);
    s_meeting (hub, "cdc", "2031-03-10", false, "M-2031-01");
    s_meeting (hub, "cp", "2031-03-24", false, "M-2031-02");
    s_decide (hub, made.ref, "admissible", "bureau", NULL, NULL, 2);
    s_decide (hub, made.ref, "scheduled", "bureau", NULL, NULL, 2);
    s_decide (hub, made.ref, "referred-to-cp", "cdc", "M-2031-01", "Au CP.", 2);
    //  One of them answered on its own; the theme's decision passes it by.
    s_decide (hub, a, "answered", "cp", "M-2031-02", "Réponse pour VD.", 1);
    hub_decision_t d;
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "a note is required to move %s to declined (the reason)", b);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, made.ref, "declined", "cp", "M-2031-02", NULL, &d, &e_), CII_BAD_INPUT,
                      expect);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, made.ref, "declined", "cp", "M-2031-01", "Non.", &d, &e_), CII_REFUSED,
                      "M-2031-01 is a meeting of the cdc: the cp cannot decide in it");
    assert_int_equal (hub_flow_decide_in (hub->store, made.ref, "declined", "cp", "M-2031-02", "Non.", &d, &err),
                      CII_OK);
    assert_int_equal (d.count, 1);
    assert_string_equal (d.moved [0].ref, b);
    assert_string_equal (d.moved [0].from, "referred-to-cp");
    hub_decision_clear (&d);
    snprintf (expect, sizeof expect, "%s has no open request", made.ref);
    UNIT_HUB_REFUSED (hub_flow_decide_in (hub->store, made.ref, "deferred", "cp", NULL, NULL, &d, &e_), CII_REFUSED, expect);
    //  Each network was told each step of its own request, with the meeting.
    s_down_t down = s_down (hub, leman);
    char line [160];
    snprintf (line, sizeof line, "referred-to-cp/cdc/%s/M-2031-01/Au CP.", a);
    assert_string_equal (down.lines [down.count - 2], line);
    snprintf (line, sizeof line, "answered/cp/%s/M-2031-02/Réponse pour VD.", a);
    assert_string_equal (down.lines [down.count - 1], line);
    down = s_down (hub, zh);
    snprintf (line, sizeof line, "referred-to-cp/cdc/%s/M-2031-01/Au CP.", b);
    assert_string_equal (down.lines [down.count - 2], line);
    snprintf (line, sizeof line, "declined/cp/%s/M-2031-02/Non.", b);
    assert_string_equal (down.lines [down.count - 1], line);
    s_text_is (hub, "SELECT state FROM themes", "declined");
}

//  --- meetings ----------------------------------------------------------------------------------

static bool
s_collect (const hub_meeting_t *m, void *arg)
{
    char *buf = arg;
    size_t used = strlen (buf);
    snprintf (buf + used, 1024 - used, "%s%s %s %s%s", used ? "|" : "", m->ref, m->date, m->organ,
              m->joint ? " joint" : "");
    return true;
}

static void
test_meetings (void **state)
{
    unit_hub_t *hub = *state;
    //  Gapless per year of the meeting's date, whatever the order they are created in.
    s_meeting (hub, "cdc", "2031-03-10", false, "M-2031-01");
    s_meeting (hub, "cp", "2032-03-24", false, "M-2032-01");
    s_meeting (hub, "cp", "2031-02-24", false, "M-2031-02");
    s_meeting (hub, "cdc", "2032-02-29", false, "M-2032-02");       //  a leap day
    cii_err_t err;
    cii_err_clear (&err);
    char list [1024] = "";
    assert_int_equal (hub_meeting_list (hub->store, 2031, s_collect, list, &err), CII_OK);
    assert_string_equal (list, "M-2031-02 2031-02-24 cp|M-2031-01 2031-03-10 cdc");
    list [0] = 0;
    assert_int_equal (hub_meeting_list (hub->store, 0, s_collect, list, &err), CII_OK);
    assert_string_equal (list, "M-2031-02 2031-02-24 cp|M-2031-01 2031-03-10 cdc|M-2032-02 2032-02-29 cdc|"
                               "M-2032-01 2032-03-24 cp");
    hub_meeting_t m;
    assert_int_equal (hub_meeting_find (hub->store, "M-2032-02", &m, &err), CII_OK);
    assert_string_equal (m.date, "2032-02-29");
    //  Bad input: a specific reason, nothing stored, no number taken.
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "2031-02-29", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"2031-02-29\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "2031-13-01", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"2031-13-01\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "31-03-10", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"31-03-10\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "1999-12-31", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"1999-12-31\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "2031-03-1x", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"2031-03-1x\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "", false, &m, &e_), CII_BAD_INPUT,
                      "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 (got \"\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "2031-03-10'); DROP TABLE meetings;--\n\x01", false, &m, &e_),
               CII_BAD_INPUT, "the date must be a calendar date YYYY-MM-DD between 2000 and 9999 "
                              "(got \"2031-03-10'); DR...\")");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "bureau", "2031-06-10", false, &m, &e_), CII_BAD_INPUT,
                      "unknown organ \"bureau\": a meeting is of the cdc or the cp");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "wg", "2031-06-10", false, &m, &e_), CII_BAD_INPUT,
                      "unknown organ \"wg\": a meeting is of the cdc or the cp");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "CDC\"\x1b[31m", "2031-06-10", false, &m, &e_), CII_BAD_INPUT,
                      "unknown organ \"CDC??[31m\": a meeting is of the cdc or the cp");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, NULL, "2031-06-10", false, &m, &e_), CII_BAD_INPUT,
                      "unknown organ \"\": a meeting is of the cdc or the cp");
    UNIT_HUB_REFUSED (hub_meeting_new (hub->store, "cdc", "2031-03-10", true, &m, &e_), CII_CONFLICT,
                      "the cdc already meets on 2031-03-10 (M-2031-01)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM meetings"), 4);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT sum(last) FROM ref_counters WHERE prefix = 'M'"), 4);
    UNIT_HUB_REFUSED (hub_meeting_list (hub->store, 1999, s_collect, list, &e_), CII_BAD_INPUT,
                      "the year must be 2000..9999 (got 1999)");
    UNIT_HUB_REFUSED (hub_meeting_find (hub->store, "M-2031-99", &m, &e_), CII_NOT_FOUND, "unknown meeting M-2031-99");
    //  The next one after the refusals keeps the sequence.
    s_meeting (hub, "cp", "2031-06-24", false, "M-2031-03");
}

static void
test_plan_and_check (void **state)
{
    unit_hub_t *hub = *state;
    cii_err_t err;
    cii_err_clear (&err);
    hub_meeting_t plan [HUB_MEETING_PLAN];
    assert_int_equal (hub_meeting_plan (2031, plan, &err), CII_OK);
    const char *want [] = { "2031-03-10 cdc", "2031-03-24 cp", "2031-06-10 cdc", "2031-06-24 cp", "2031-09-10 cdc",
                            "2031-09-24 cp", "2031-12-01 cp joint" };
    for (int i = 0; i < HUB_MEETING_PLAN; i++) {
        char line [64];
        snprintf (line, sizeof line, "%s %s%s", plan [i].date, plan [i].organ, plan [i].joint ? " joint" : "");
        assert_string_equal (line, want [i]);
        assert_string_equal (plan [i].ref, "");
    }
    //  Weekends are moved to the Monday: 2028-06-10 is a Saturday, 2028-09-10 a Sunday.
    assert_int_equal (hub_meeting_plan (2028, plan, &err), CII_OK);
    assert_string_equal (plan [2].date, "2028-06-12");
    assert_string_equal (plan [4].date, "2028-09-11");
    UNIT_HUB_REFUSED (hub_meeting_plan (10000, plan, &e_), CII_BAD_INPUT, "the year must be 2000..9999 (got 10000)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM meetings"), 0);
    //  A year as planned: no warning.
    assert_int_equal (hub_meeting_plan (2031, plan, &err), CII_OK);
    hub_meeting_t m;
    for (int i = 0; i < HUB_MEETING_PLAN; i++)
        assert_int_equal (hub_meeting_new (hub->store, plan [i].organ, plan [i].date, plan [i].joint, &m, &err), CII_OK);
    hub_calendar_t *years = NULL;
    size_t n = 0;
    assert_int_equal (hub_meeting_check (hub->store, 2031, &years, &n, &err), CII_OK);
    assert_int_equal (n, 1);
    assert_int_equal (years [0].cdc, 4);
    assert_int_equal (years [0].cp, 4);
    assert_int_equal (years [0].n_warnings, 0);
    assert_string_equal (years [0].last.ref, "M-2031-07");
    free (years);
    //  A year that departs: three CDC, five CP, the last not joint.
    const char *dates [] = { "2032-03-10", "2032-03-24", "2032-06-10", "2032-06-24", "2032-09-24", "2032-11-03",
                             "2032-12-01" };
    const char *organs [] = { "cdc", "cp", "cdc", "cp", "cp", "cdc", "cp" };
    for (int i = 0; i < 7; i++)
        assert_int_equal (hub_meeting_new (hub->store, organs [i], dates [i], i == 5, &m, &err), CII_OK);
    assert_int_equal (hub_meeting_check (hub->store, 2032, &years, &n, &err), CII_OK);
    assert_int_equal (n, 1);
    assert_int_equal (years [0].n_warnings, 3);
    assert_string_equal (years [0].warnings [0], "2032: 3 meetings of the CDC (the plan has 4; a joint one counts for both)");
    assert_string_equal (years [0].warnings [1], "2032: 5 meetings of the CP (the plan has 4; a joint one counts for both)");
    assert_string_equal (years [0].warnings [2], "2032: the last meeting of the year, M-2032-07 of the cp on 2032-12-01, "
                                                 "is not joint (the plan makes it joint)");
    free (years);
    //  Every year with meetings; a year with none.
    assert_int_equal (hub_meeting_check (hub->store, 0, &years, &n, &err), CII_OK);
    assert_int_equal (n, 2);
    assert_int_equal (years [0].year, 2031);
    assert_int_equal (years [1].year, 2032);
    free (years);
    assert_int_equal (hub_meeting_check (hub->store, 2033, &years, &n, &err), CII_OK);
    assert_int_equal (years [0].n_warnings, 2);
    assert_string_equal (years [0].warnings [0], "2033: no meeting of the CDC (the plan has 4)");
    assert_string_equal (years [0].warnings [1], "2033: no meeting of the CP (the plan has 4)");
    free (years);
    UNIT_HUB_REFUSED (hub_meeting_check (hub->store, 42, &years, &n, &e_), CII_BAD_INPUT, "the year must be 2000..9999 (got 42)");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_triples),
        cmocka_unit_test_setup_teardown (test_path, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_cp_outcomes, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_meeting_refused, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_theme, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_meetings, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_plan_and_check, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
