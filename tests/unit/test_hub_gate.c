/*  test_hub_gate.c — the national gate's services against a real PostgreSQL: the criteria C1..C4
    (pure, every branch, bounded reasons), the work after a commit (criteria of new requests, their
    first STATUS, idempotent), decisions through the one transition function (STATUS in order even
    before the work after the commit ran, every refusal naming what is allowed, nothing changed by
    a refusal), every (state, target, organ) of the table allowed or refused as the table says,
    themes (gapless NT references, C3 over the theme, every network told, a decision on a theme
    applied to each request), withdrawals stored by the batch ingest, and the C3 thresholds. */
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
#include "hub_requests.h"
#include "hub_store_downward.h"
#include "hub_themes.h"
#include "unit_gate.h"
#include "unit_hub.h"

//  --- what went down to an agent ------------------------------------------------------------------

typedef struct {
    int count;
    char lines [16][640];       //  "state/organ/ref/theme/criteria-count/note"
    char criteria [16][1024];   //  "C1+reason|C2-reason|..."
} s_down_t;

static void
s_down_cb (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    (void) agent_id;
    s_down_t *down = arg;
    assert_int_equal (seq, down->count + 1);
    assert_string_equal (kind, "status");
    ProtobufCMessage *item = NULL;
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("status"), body, size, &item, NULL), CII_OK);
    const Cii__Status *status = (const Cii__Status *) item;
    if (down->count < 16) {
        snprintf (down->lines [down->count], sizeof down->lines [0], "%s/%s/%s/%s/%zu/%s", status->state, status->organ,
                  status->ref, status->theme, status->n_criteria, status->note);
        size_t used = 0;
        for (size_t i = 0; i < status->n_criteria; i++)
            used += (size_t) snprintf (down->criteria [down->count] + used, sizeof down->criteria [0] - used, "%s%s%s%s",
                                       i ? "|" : "", status->criteria [i]->id, status->criteria [i]->met ? "+" : "-",
                                       status->criteria [i]->reason);
        assert_true (status->at_ms > 0);
    }
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

static void
s_after_commit (unit_hub_t *hub)
{
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_gate_after_commit (hub->store, &err) != CII_OK)
        fail_msg ("after commit: %s", err.text);
}

//  Every state, as the refusals of an unknown one list them.
#define S_STATES_LIST "received, grouped, admissible, inadmissible, withdrawn, scheduled, answered, wg-mandated, " \
                      "referred-to-cp, deferred, declined, project, recommendation-planned, returned-to-cdc, wg-reported"
#define S_STATES_OR    S_STATES_LIST " or recommended"
#define S_STATES_COMMA S_STATES_LIST ", recommended"

//  --- the criteria ----------------------------------------------------------------------------

static void
test_criteria (void **state)
{
    (void) state;
    hub_gate_thresholds_t two = { 2, 2, 0.4 };
    hub_criterion_t c [HUB_GATE_CRITERIA];
    hub_request_facts_t facts = {
        .ref = (char *) "CII-2027-0001", .institutions = (char *) "health,social-aid",
        .objectives = (char *) "labour-market-integration", .cantons = (char *) "GE,VD", .has_reason = true,
        .reason_signals = (char *) "SIG-1", .theme = (char *) "", .theme_cantons = (char *) "",
        .theme_networks = (char *) "",
    };
    hub_gate_criteria (&facts, NULL, &two, c);
    assert_string_equal (c [0].id, "C1");
    assert_true (c [0].met);
    assert_string_equal (c [0].reason, "2 institutions involved: health, social-aid");
    assert_true (c [1].met);
    assert_string_equal (c [1].reason, "linked to labour-market-integration");
    assert_true (c [2].met);
    assert_string_equal (c [2].reason, "2 supporting cantons (GE, VD); no other network with a similar request; "
                                       "thresholds 2 cantons or 2 networks");
    assert_true (c [3].met);
    assert_string_equal (c [3].reason, "reason given by the request and by signal SIG-1");
    //  Nothing met.
    hub_request_facts_t poor = {
        .ref = (char *) "CII-2027-0002", .institutions = (char *) "health", .objectives = (char *) "",
        .cantons = (char *) "VD", .has_reason = false, .reason_signals = (char *) "", .theme = (char *) "",
        .theme_cantons = (char *) "", .theme_networks = (char *) "",
    };
    hub_gate_criteria (&poor, NULL, &two, c);
    assert_false (c [0].met || c [1].met || c [2].met || c [3].met);
    assert_string_equal (c [0].reason, "1 institution involved (health): CII needs at least 2");
    assert_string_equal (c [1].reason, "linked to no general objective (labour-market-integration or "
                                       "system-coordination)");
    assert_string_equal (c [2].reason, "1 supporting canton (VD); no other network with a similar request; "
                                       "thresholds 2 cantons or 2 networks");
    assert_string_equal (c [3].reason, "no reason given why it needs a national or uniform answer");
    //  One canton, but another network raised the same problem (a similar request, any language)
    hub_match_breadth_t similar = { .networks = 1, .names = "ticino", .refs = "CII-2027-0007", .threshold = 0.4 };
    hub_gate_criteria (&poor, &similar, &two, c);
    assert_true (c [2].met);
    assert_string_equal (c [2].reason, "1 supporting canton (VD); 1 other network with a similar request "
                                       "(ticino CII-2027-0007); thresholds 2 cantons or 2 networks");
    hub_gate_thresholds_t three_networks = { 2, 3, 0.4 };
    hub_gate_criteria (&poor, &similar, &three_networks, c);
    assert_false (c [2].met);
    hub_match_breadth_t two_others = { .networks = 2, .names = "ticino,zuerich", .refs = "CII-2027-0007,CII-2027-0011",
                                       .threshold = 0.4 };
    hub_gate_criteria (&poor, &two_others, &three_networks, c);
    assert_true (c [2].met);
    assert_string_equal (c [2].reason, "1 supporting canton (VD); 2 other networks with a similar request "
                                       "(ticino CII-2027-0007, zuerich CII-2027-0011); thresholds 2 cantons or 3 networks");
    poor.institutions = (char *) "";
    poor.reason_signals = (char *) "SIG-4,SIG-9";
    poor.objectives = (char *) "labour-market-integration,system-coordination";
    hub_gate_criteria (&poor, NULL, &two, c);
    assert_string_equal (c [0].reason, "no institution named: CII needs at least 2");
    assert_string_equal (c [1].reason, "linked to labour-market-integration, system-coordination");
    assert_true (c [3].met);
    assert_string_equal (c [3].reason, "reason given by signals SIG-4, SIG-9");
    //  In a theme: broad over the theme.
    hub_gate_thresholds_t three = { 3, 2, 0.4 };
    poor.theme = (char *) "NT-2027-01";
    poor.theme_cantons = (char *) "VD,ZH";
    poor.theme_networks = (char *) "lemanique,zuerich";
    hub_gate_criteria (&poor, NULL, &three, c);
    assert_true (c [2].met);
    assert_string_equal (c [2].reason, "theme NT-2027-01: 2 networks (lemanique, zuerich), 2 cantons (VD, ZH); "
                                       "no other network with a similar request; thresholds 2 networks or 3 cantons");
    hub_gate_thresholds_t strict = { 3, 3, 0.4 };
    hub_gate_criteria (&poor, NULL, &strict, c);
    assert_false (c [2].met);
    //  Long lists are cut, reasons stay within their limit and on one line.
    poor.theme_cantons = (char *) "AG,AI,AR,BE,BL,BS,FR,GE,GL,GR,JU,LU,NE,NW,OW,SG,SH,SO,SZ,TG,TI,UR,VD,VS,ZG,ZH";
    poor.theme_networks = (char *) "network-number-one-with-a-long-name,network-number-two-with-a-long-name,"
                                   "network-number-three-with-a-long,network-number-four-with-a-long-n,"
                                   "network-number-five-with-a-long-n,network-number-six-with-a-long-na";
    hub_gate_criteria (&poor, NULL, &strict, c);
    assert_true (c [2].met);
    for (int i = 0; i < HUB_GATE_CRITERIA; i++) {
        assert_true (strlen (c [i].reason) <= HUB_GATE_REASON);
        assert_true (cii_domain_line_valid (c [i].reason, strlen (c [i].reason)));
    }
    assert_non_null (strstr (c [2].reason, "..."));
    assert_non_null (strstr (c [2].reason, "26 cantons"));
}

//  --- after the commit ----------------------------------------------------------------------------

static void
test_after_commit (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "lemanique");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "lemanique", "VD", "req-1", ref);
    assert_int_equal (s_down (hub, agent).count, 0);
    s_after_commit (hub);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_criteria"), 4);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    s_down_t down = s_down (hub, agent);
    assert_int_equal (down.count, 1);
    char line [640];
    snprintf (line, sizeof line, "received/hub/%s//4/", ref);
    assert_string_equal (down.lines [0], line);
    assert_string_equal (down.criteria [0], "C1+2 institutions involved: health, social-aid|"
                                            "C2+linked to labour-market-integration|"
                                            "C3-1 supporting canton (VD); no other network with a similar request; "
                                            "thresholds 2 cantons or 2 networks|"
                                            "C4+reason given by the request and by signal SIG-1");
    //  Idempotent: nothing more.
    s_after_commit (hub);
    assert_int_equal (s_down (hub, agent).count, 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'request:%s'", ref), 1);
}

//  --- decisions ----------------------------------------------------------------------------------

static void
test_decide (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "zuerich");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "zuerich", "ZH", "req-1", ref);
    //  Decided before the work after the commit ran: "received" (with its criteria) still goes first.
    cii_err_t err;
    cii_err_clear (&err);
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide (hub->store, ref, "admissible", "bureau", "Dossier complet.", &decision, &err),
                      CII_OK);
    assert_string_equal (decision.ref, ref);
    assert_int_equal (decision.count, 1);
    assert_string_equal (decision.moved [0].from, "received");
    assert_true (decision.at_ms > 0);
    hub_decision_clear (&decision);
    hub_decision_clear (&decision);
    s_down_t down = s_down (hub, agent);
    assert_int_equal (down.count, 2);
    char line [640];
    snprintf (line, sizeof line, "received/hub/%s//4/", ref);
    assert_string_equal (down.lines [0], line);
    snprintf (line, sizeof line, "admissible/bureau/%s//0/Dossier complet.", ref);
    assert_string_equal (down.lines [1], line);
    s_after_commit (hub);
    assert_int_equal (s_down (hub, agent).count, 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'admissible'"), 1);
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "%s is admissible: the bureau may move it to scheduled", ref);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", "non", &decision, &e_), CII_REFUSED, expect);
}

static void
test_decide_refused (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ticino");
    char ref [HUB_MAX_REF];
    ug_simple (hub, agent, "ticino", "TI", "req-1", ref);
    hub_decision_t d;
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, "CII-1999-0042", "admissible", "bureau", NULL, &d, &e_), CII_NOT_FOUND,
                      "unknown request CII-1999-0042");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, "CII\x01\n\"x", "admissible", "bureau", NULL, &d, &e_), CII_NOT_FOUND,
                      "unknown request CII???x");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, "NT-1999-01", "admissible", "bureau", NULL, &d, &e_), CII_NOT_FOUND,
                      "unknown theme NT-1999-01");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "admissible", "chef", NULL, &d, &e_), CII_BAD_INPUT,
                      "unknown organ \"chef\" (bureau, cdc, cp or wg)");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "admissible", "hub", NULL, &d, &e_), CII_BAD_INPUT,
                      "not a deciding organ \"hub\" (bureau, cdc, cp or wg)");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "decided", "bureau", NULL, &d, &e_), CII_BAD_INPUT,
                      "unknown state \"decided\" (" S_STATES_OR ")");
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "Admis\xc3\xa9", "bureau", NULL, &d, &e_), CII_BAD_INPUT,
                      "unknown state \"Admis??\" (" S_STATES_OR ")");
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "%s is received: the bureau may move it to admissible or inadmissible", ref);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "grouped", "bureau", NULL, &d, &e_), CII_REFUSED, expect);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "withdrawn", "bureau", "x", &d, &e_), CII_REFUSED, expect);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "admissible", "cdc", NULL, &d, &e_), CII_REFUSED, expect);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "received", "bureau", NULL, &d, &e_), CII_REFUSED, expect);
    snprintf (expect, sizeof expect, "a note is required to move %s to inadmissible (the reason)", ref);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", NULL, &d, &e_), CII_BAD_INPUT, expect);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", " \t\r\n", &d, &e_), CII_BAD_INPUT, expect);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", "bad \xff", &d, &e_), CII_BAD_INPUT,
                      "the note must be at most 4000 bytes of UTF-8 text (got 5 bytes, not valid text)");
    char *long_note = malloc (4002);
    memset (long_note, 'n', 4001);
    long_note [4001] = 0;
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", long_note, &d, &e_), CII_BAD_INPUT,
                      "the note must be at most 4000 bytes of UTF-8 text (got 4001 bytes)");
    //  Nothing changed by any of them.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'received'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), 0);
    //  4000 bytes are fine; then the state is final.
    long_note [4000] = 0;
    cii_err_t err;
    assert_int_equal (hub_flow_decide (hub->store, ref, "inadmissible", "bureau", long_note, &d, &err), CII_OK);
    hub_decision_clear (&d);
    free (long_note);
    snprintf (expect, sizeof expect, "%s is inadmissible, which is final", ref);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, ref, "admissible", "bureau", NULL, &d, &e_), CII_REFUSED, expect);
    s_down_t down = s_down (hub, agent);
    assert_int_equal (down.count, 2);
    assert_int_equal (strncmp (down.lines [1], "inadmissible/bureau/", 20), 0);
}

//  Every (from, to, organ, how) is allowed exactly when the table has it.
static void
test_table (void **state)
{
    (void) state;
    const hub_state_t *from, *to;
    const hub_organ_t *organ;
    size_t initial = 0;
    for (size_t i = 0; (from = hub_flow_state_at (i)) != NULL; i++) {
        assert_true (cii_domain_state_name_valid (from->name));
        if (from->flags & HUB_STATE_INITIAL) {
            initial++;
            assert_string_equal (from->name, HUB_STORE_REQUEST_INITIAL);
        }
    }
    assert_int_equal (initial, 1);
    for (size_t i = 0; (organ = hub_flow_organ_at (i)) != NULL; i++)
        assert_true (cii_domain_state_name_valid (organ->name));
    assert_non_null (hub_flow_organ (HUB_STORE_REQUEST_ORGAN));
    const hub_transition_t *t;
    for (size_t i = 0; (t = hub_flow_transition_at (i)) != NULL; i++) {
        assert_non_null (hub_flow_state (t->from));
        assert_non_null (hub_flow_state (t->to));
        assert_non_null (hub_flow_organ (t->organ));
        assert_false (hub_flow_state (t->from)->flags & HUB_STATE_CLOSED);
    }
    int allowed = 0, refused = 0;
    for (size_t f = 0; (from = hub_flow_state_at (f)) != NULL; f++)
        for (size_t g = 0; (to = hub_flow_state_at (g)) != NULL; g++)
            for (size_t o = 0; (organ = hub_flow_organ_at (o)) != NULL; o++)
                for (int by = HUB_BY_DECIDE; by <= HUB_BY_NETWORK; by++) {
                    bool listed = false;
                    for (size_t i = 0; (t = hub_flow_transition_at (i)) != NULL; i++)
                        listed = listed || (streq (t->from, from->name) && streq (t->to, to->name)
                                            && streq (t->organ, organ->name) && (int) t->by == by);
                    hub_move_t move = { .to = to->name, .organ = organ->name, .by = (hub_by_t) by, .note = "why" };
                    cii_err_t err;
                    cii_err_clear (&err);
                    const hub_transition_t *row = NULL;
                    cii_rc_t rc = hub_flow_check ("CII-2027-0001", from->name, &move, &row, &err);
                    if (listed != (rc == CII_OK))
                        fail_msg ("%s -> %s by %s (%d): %s", from->name, to->name, organ->name, by, err.text);
                    if (listed) {
                        allowed++;
                        assert_non_null (row);
                        //  A required note is required.
                        move.note = "";
                        rc = hub_flow_check ("CII-2027-0001", from->name, &move, NULL, &err);
                        assert_int_equal (rc, row->note ? CII_BAD_INPUT : CII_OK);
                    }
                    else {
                        refused++;
                        assert_true (rc == CII_REFUSED || rc == CII_BAD_INPUT);
                        assert_true (cii_domain_line_valid (err.text, strlen (err.text)));
                    }
                }
    assert_int_equal (allowed, 7 + 36);    //  the gate's, and the national processing's (test_hub_processing)
    assert_true (refused > 0);
    //  The refusal names the allowed ones, for a theme and a withdrawal too.
    hub_move_t move = { .to = "grouped", .organ = "bureau", .by = HUB_BY_THEME };
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2027-0001", "admissible", &move, NULL, &e_), CII_REFUSED,
                      "CII-2027-0001 is admissible: only a request that is received may move to grouped");
    move = (hub_move_t) { .to = "withdrawn", .organ = "network", .by = HUB_BY_NETWORK, .note = "x" };
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2027-0001", "admissible", &move, NULL, &e_), CII_REFUSED,
                      "CII-2027-0001 is admissible: only a request that is received or grouped may move to withdrawn");
    move = (hub_move_t) { .to = "admissible", .organ = "network", .by = HUB_BY_NETWORK };
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2027-0001", "received", &move, NULL, &e_), CII_REFUSED,
                      "CII-2027-0001 is received: it may not move to admissible");
    move = (hub_move_t) { .to = "admissible", .organ = "bureau", .by = HUB_BY_DECIDE };
    UNIT_HUB_REFUSED (hub_flow_check ("CII-2027-0001", "from-a-newer-hub", &move, NULL, &e_), CII_REFUSED,
                      "CII-2027-0001 is from-a-newer-hub: no organ may move it now");
}

//  --- themes ------------------------------------------------------------------------------------

typedef struct {
    int rows;
    char requests [256];
    char networks [256];
    char cantons [256];
    char state [40];
} s_theme_seen_t;

static bool
s_theme_cb (const hub_theme_row_t *row, void *arg)
{
    s_theme_seen_t *seen = arg;
    seen->rows++;
    snprintf (seen->requests, sizeof seen->requests, "%s", row->requests);
    snprintf (seen->networks, sizeof seen->networks, "%s", row->networks);
    snprintf (seen->cantons, sizeof seen->cantons, "%s", row->cantons);
    snprintf (seen->state, sizeof seen->state, "%s", row->state);
    return true;
}

static void
test_theme (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ti = unit_hub_enrol (hub, "ticino");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-a", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-b", b);
    ug_simple (hub, ti, "ticino", "TI", "req-c", c);
    s_after_commit (hub);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_criteria WHERE id = 'C3' AND met"), 0);
    const char *refs [] = { b, a };
    hub_theme_made_t made;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_themes_new (hub->store, "Santé et aide sociale", refs, 2, &made, &err) != CII_OK)
        fail_msg ("theme new: %s", err.text);
    char expect [640];
    snprintf (expect, sizeof expect, "NT-%d-01", ug_year (hub));
    assert_string_equal (made.ref, expect);
    assert_int_equal (made.requests, 2);
    assert_int_equal (made.networks, 2);
    //  Both grouped, C3 met over the theme, each network told with the theme and the criteria.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'grouped' AND theme_id = %lld",
                                   (long long) made.id), 2);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_criteria WHERE id = 'C3' AND met"), 2);
    s_down_t down = s_down (hub, leman);
    assert_int_equal (down.count, 2);
    snprintf (expect, sizeof expect, "grouped/bureau/%s/%s/4/%s (networks lemanique, zuerich): Santé et aide sociale", a,
              made.ref, made.ref);
    assert_string_equal (down.lines [1], expect);
    snprintf (expect, sizeof expect, "C3+theme %s: 2 networks (lemanique, zuerich), 2 cantons (VD, ZH); ", made.ref);
    assert_non_null (strstr (down.criteria [1], expect));
    assert_int_equal (s_down (hub, zh).count, 2);
    assert_int_equal (s_down (hub, ti).count, 1);
    //  The theme's breadth.
    s_theme_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_themes_list (hub->store, s_theme_cb, &seen, &err), CII_OK);
    assert_int_equal (seen.rows, 1);
    snprintf (expect, sizeof expect, "%s,%s", a, b);
    assert_string_equal (seen.requests, expect);
    assert_string_equal (seen.networks, "lemanique,zuerich");
    assert_string_equal (seen.cantons, "VD,ZH");
    assert_string_equal (seen.state, "grouped");
    //  A decision on the theme applies to each of its requests.
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide (hub->store, made.ref, "admissible", "bureau", NULL, &decision, &err), CII_OK);
    assert_int_equal (decision.count, 2);
    assert_string_equal (decision.moved [0].ref, a);
    assert_string_equal (decision.moved [1].ref, b);
    assert_string_equal (decision.moved [1].from, "grouped");
    hub_decision_clear (&decision);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'admissible'"), 2);
    down = s_down (hub, zh);
    assert_int_equal (down.count, 3);
    snprintf (expect, sizeof expect, "admissible/bureau/%s/%s/0/", b, made.ref);
    assert_string_equal (down.lines [2], expect);
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_themes_list (hub->store, s_theme_cb, &seen, &err), CII_OK);
    assert_string_equal (seen.state, "admissible");
    snprintf (expect, sizeof expect, "%s is admissible: the bureau may move it to scheduled", a);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, made.ref, "admissible", "bureau", NULL, &decision, &e_), CII_REFUSED,
                      expect);
    //  The second theme takes the next number; a theme of closed requests has no open request.
    char d [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "GE", "req-d", d);
    const char *more [] = { c, d };
    assert_int_equal (hub_themes_new (hub->store, "Zweites Thema", more, 2, &made, &err), CII_OK);
    snprintf (expect, sizeof expect, "NT-%d-02", ug_year (hub));
    assert_string_equal (made.ref, expect);
    assert_int_equal (hub_flow_decide (hub->store, c, "inadmissible", "bureau", "hors CII", &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    assert_int_equal (hub_flow_decide (hub->store, d, "inadmissible", "bureau", "hors CII", &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    snprintf (expect, sizeof expect, "%s has no open request", made.ref);
    UNIT_HUB_REFUSED (hub_flow_decide (hub->store, made.ref, "admissible", "bureau", NULL, &decision, &e_), CII_REFUSED,
                      expect);
}

static void
test_theme_refused (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-a", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-b", b);
    ug_simple (hub, zh, "zuerich", "ZH", "req-c", c);
    hub_theme_made_t made;
    const char *two [] = { a, b };
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "", two, 2, &made, &e_), CII_BAD_INPUT,
                      "the title must be 1..200 bytes of UTF-8 text (got 0 bytes)");
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "bad \xc0\x80", two, 2, &made, &e_), CII_BAD_INPUT,
                      "the title must be 1..200 bytes of UTF-8 text (got 6 bytes)");
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "T", two, 1, &made, &e_), CII_BAD_INPUT, "a theme groups at least 2 requests");
    const char *twice [] = { a, b, a };
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "%s is named twice", a);
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "T", twice, 3, &made, &e_), CII_BAD_INPUT, expect);
    const char *unknown [] = { a, "CII-1999-0001" };
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "T", unknown, 2, &made, &e_), CII_NOT_FOUND, "unknown request CII-1999-0001");
    cii_err_t err;
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide (hub->store, c, "admissible", "bureau", NULL, &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    const char *decided [] = { a, c };
    snprintf (expect, sizeof expect, "%s is admissible: only a request that is received may move to grouped", c);
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "T", decided, 2, &made, &e_), CII_REFUSED, expect);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM themes"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'NT'"), 0);
    assert_int_equal (hub_themes_new (hub->store, "T", two, 2, &made, &err), CII_OK);
    ug_simple (hub, leman, "lemanique", "GE", "req-d", c);
    const char *again [] = { c, a };
    snprintf (expect, sizeof expect, "%s is already in theme %s", a, made.ref);
    UNIT_HUB_REFUSED (hub_themes_new (hub->store, "T", again, 2, &made, &e_), CII_CONFLICT, expect);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM themes"), 1);
}

//  --- withdrawals -----------------------------------------------------------------------------

static hub_ingest_item_t
s_withdraw (unit_hub_t *hub, int64_t agent, const char *network, const char *message_id, const char *request_id,
            const char *reason)
{
    cii_withdraw_t withdraw = { request_id, reason };
    char digest [128];
    snprintf (digest, sizeof digest, "%s|%s", request_id, reason);
    hub_ingest_item_t item = ug_item (agent, network, message_id, &hub_flow_withdraw_shape, &withdraw, digest);
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    item.item = NULL;
    item.digest = NULL;
    return item;
}

static void
test_withdraw (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-a", a);
    ug_simple (hub, leman, "lemanique", "GE", "req-b", b);
    s_after_commit (hub);
    hub_ingest_item_t item = s_withdraw (hub, leman, "lemanique", "w-1", "req-a", "Résolu au niveau cantonal");
    assert_true (item.stored);
    assert_false (item.duplicate);
    assert_string_equal (item.ref, a);
    //  The change is written, its STATUS waits for the work after the commit.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'withdrawn'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE state = 'withdrawn' "
                                            "AND organ = 'network' AND NOT queued"), 1);
    assert_int_equal (s_down (hub, leman).count, 2);
    s_after_commit (hub);
    s_down_t down = s_down (hub, leman);
    assert_int_equal (down.count, 3);
    char expect [CII_ERR_TEXT];
    snprintf (expect, sizeof expect, "withdrawn/network/%s//0/Résolu au niveau cantonal", a);
    assert_string_equal (down.lines [2], expect);
    //  A resend: the original receipt.
    hub_ingest_item_t again = s_withdraw (hub, leman, "lemanique", "w-1", "req-a", "Résolu au niveau cantonal");
    assert_true (again.duplicate && !again.conflict);
    assert_string_equal (again.ref, a);
    //  Refused, nothing written: unknown, another network's, withdrawn already, decided, no reason.
    item = s_withdraw (hub, leman, "lemanique", "w-2", "req-nope", "x");
    assert_int_equal (item.refused, CII_NOT_FOUND);
    assert_string_equal (item.reason, "withdraw names request req-nope, which network lemanique has not sent");
    item = s_withdraw (hub, zh, "zuerich", "w-3", "req-b", "x");
    assert_int_equal (item.refused, CII_NOT_FOUND);
    item = s_withdraw (hub, leman, "lemanique", "w-4", "req-a", "encore");
    assert_int_equal (item.refused, CII_REFUSED);
    snprintf (expect, sizeof expect, "%s is withdrawn, which is final", a);
    assert_string_equal (item.reason, expect);
    cii_err_t err;
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide (hub->store, b, "admissible", "bureau", NULL, &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    item = s_withdraw (hub, leman, "lemanique", "w-5", "req-b", "trop tard");
    assert_int_equal (item.refused, CII_REFUSED);
    snprintf (expect, sizeof expect, "%s is admissible: only a request that is received or grouped may move to "
              "withdrawn", b);
    assert_string_equal (item.reason, expect);
    char c [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VS", "req-c", c);
    item = s_withdraw (hub, leman, "lemanique", "w-6", "req-c", "   ");
    assert_int_equal (item.refused, CII_BAD_INPUT);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ingest_log WHERE kind = 'withdraw'"), 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'withdrawn'"), 1);
}

//  --- thresholds -------------------------------------------------------------------------------

static void
test_thresholds (void **state)
{
    unit_hub_t *hub = *state;
    int64_t agent = unit_hub_enrol (hub, "ost");
    char a [HUB_MAX_REF], b [HUB_MAX_REF];
    ug_simple (hub, agent, "ost", "SG", "req-a", a);
    ug_simple (hub, agent, "ost", "GR", "req-b", b);
    s_after_commit (hub);
    cii_err_t err;
    hub_decision_t decision;
    assert_int_equal (hub_flow_decide (hub->store, b, "admissible", "bureau", NULL, &decision, &err), CII_OK);
    hub_decision_clear (&decision);
    hub_gate_thresholds_t t;
    assert_int_equal (hub_gate_thresholds (hub->store, &t, &err), CII_OK);
    assert_int_equal (t.min_cantons, 2);
    assert_int_equal (t.min_networks, 2);
    int zero = 0, big = 27, many = 65, one = 1;
    size_t count = 99;
    UNIT_HUB_REFUSED (hub_gate_set_thresholds (hub->store, &zero, NULL, NULL, &t, &count, &e_), CII_BAD_INPUT,
                      "c3_min_cantons must be 1..26 (got 0)");
    UNIT_HUB_REFUSED (hub_gate_set_thresholds (hub->store, &big, NULL, NULL, &t, &count, &e_), CII_BAD_INPUT,
                      "c3_min_cantons must be 1..26 (got 27)");
    UNIT_HUB_REFUSED (hub_gate_set_thresholds (hub->store, NULL, &many, NULL, &t, &count, &e_), CII_BAD_INPUT,
                      "c3_min_networks must be 1..64 (got 65)");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT value::int FROM settings WHERE key = 'c3_min_cantons'"), 2);
    //  One canton is enough now: the request at the gate is re-evaluated, the decided one is not.
    assert_int_equal (hub_gate_set_thresholds (hub->store, &one, NULL, NULL, &t, &count, &err), CII_OK);
    assert_int_equal (t.min_cantons, 1);
    assert_int_equal (t.min_networks, 2);
    assert_int_equal (count, 1);
    char *reason = unit_pg_text (hub->pg, "SELECT c.met || ' ' || c.reason FROM request_criteria c "
                                          "JOIN requests r ON r.id = c.request_id WHERE r.ref = '%s' AND c.id = 'C3'", a);
    assert_string_equal (reason, "true 1 supporting canton (SG); no other network with a similar request; "
                                 "thresholds 1 canton or 2 networks");
    free (reason);
    reason = unit_pg_text (hub->pg, "SELECT c.met::text FROM request_criteria c "
                                    "JOIN requests r ON r.id = c.request_id WHERE r.ref = '%s' AND c.id = 'C3'", b);
    assert_string_equal (reason, "false");
    free (reason);
    //  A setting the bureau broke by hand reads as the default.
    unit_pg_exec (hub->pg, "UPDATE settings SET value = 'many' WHERE key = 'c3_min_networks'");
    assert_int_equal (hub_gate_thresholds (hub->store, &t, &err), CII_OK);
    assert_int_equal (t.min_networks, 2);
    char id [4], text [400];
    assert_true (hub_gate_describe (2, &t, id, text, sizeof text));
    assert_string_equal (id, "C3");
    assert_string_equal (text, "broadly shared: at least 1 supporting canton, or at least 2 networks raising it (its "
                               "own and those with a request scoring 0.40 or more against it, in any language), or, "
                               "in a theme, at least 1 canton or 2 networks over the theme");
    assert_false (hub_gate_describe (4, &t, id, text, sizeof text));
}

//  --- listings ------------------------------------------------------------------------------------

typedef struct {
    int requests;
    int criteria;
    int history;
    char last [128];
} s_count_t;

static bool
s_count_request (const hub_request_row_t *row, void *arg)
{
    s_count_t *c = arg;
    c->requests++;
    snprintf (c->last, sizeof c->last, "%s", row->ref);
    return true;
}

static bool
s_count_criterion (const hub_criterion_row_t *row, void *arg)
{
    (void) row;
    ((s_count_t *) arg)->criteria++;
    return true;
}

static bool
s_count_history (const hub_history_row_t *row, void *arg)
{
    (void) row;
    ((s_count_t *) arg)->history++;
    return true;
}

static void
test_listing (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], b [HUB_MAX_REF];
    ug_simple (hub, leman, "lemanique", "VD", "req-a", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-b", b);
    s_after_commit (hub);
    cii_err_t err;
    s_count_t c;
    memset (&c, 0, sizeof c);
    hub_request_filter_t filter = { .network = "zuerich" };
    assert_int_equal (hub_requests_list (hub->store, &filter, s_count_request, &c, &err), CII_OK);
    assert_int_equal (c.requests, 1);
    assert_string_equal (c.last, b);
    memset (&c, 0, sizeof c);
    filter = (hub_request_filter_t) { .canton = "VD", .state = "received" };
    assert_int_equal (hub_requests_list (hub->store, &filter, s_count_request, &c, &err), CII_OK);
    assert_int_equal (c.requests, 1);
    assert_string_equal (c.last, a);
    memset (&c, 0, sizeof c);
    filter = (hub_request_filter_t) { .state = "admissible" };
    assert_int_equal (hub_requests_list (hub->store, &filter, s_count_request, &c, &err), CII_OK);
    assert_int_equal (c.requests, 0);
    filter = (hub_request_filter_t) { .state = "decided" };
    UNIT_HUB_REFUSED (hub_requests_list (hub->store, &filter, s_count_request, &c, &e_), CII_BAD_INPUT,
                      "unknown state \"decided\" (" S_STATES_COMMA ")");
    filter = (hub_request_filter_t) { .network = "atlantis" };
    UNIT_HUB_REFUSED (hub_requests_list (hub->store, &filter, s_count_request, &c, &e_), CII_NOT_FOUND,
                      "unknown network atlantis");
    filter = (hub_request_filter_t) { .canton = "vd" };
    UNIT_HUB_REFUSED (hub_requests_list (hub->store, &filter, s_count_request, &c, &e_), CII_NOT_FOUND,
                      "unknown canton \"vd\"");
    memset (&c, 0, sizeof c);
    hub_request_visitor_t visitor = { s_count_request, s_count_criterion, s_count_history };
    assert_int_equal (hub_requests_show (hub->store, a, &visitor, &c, &err), CII_OK);
    assert_int_equal (c.requests, 1);
    assert_int_equal (c.criteria, 4);
    assert_int_equal (c.history, 1);
    UNIT_HUB_REFUSED (hub_requests_show (hub->store, "CII-1999-0001", &visitor, &c, &e_), CII_NOT_FOUND,
                      "unknown request CII-1999-0001");
    assert_true (hub_requests_is_theme ("NT-2027-01"));
    assert_false (hub_requests_is_theme ("CII-2027-0001"));
    UNIT_HUB_REFUSED (hub_themes_show (hub->store, "NT-1999-01", NULL, NULL, NULL, &e_), CII_NOT_FOUND,
                      "unknown theme NT-1999-01");
}

//  --- C3 across languages ----------------------------------------------------------------------

//  A request of network (one signal of canton) with its own title, summary and language, about
//  late-arriving youth and vocational training; its reference into ref.
static void
s_youth (unit_hub_t *hub, int64_t agent, const char *network, const char *canton, const char *id, const char *lang,
         const char *title, const char *summary, char ref [HUB_MAX_REF])
{
    char signal_id [80];
    snprintf (signal_id, sizeof signal_id, "sig-%s", id);
    ug_signal (hub, agent, network, signal_id, canton);
    const char *signals [] = { signal_id };
    const char *cantons [] = { canton };
    cii_request_t request;
    ug_request (&request, title, signals, 1, cantons, 1);
    request.summary = summary;
    request.institutions [0] = CII_INSTITUTION_VOCATIONAL_TRAINING;
    request.institutions [1] = CII_INSTITUTION_MIGRATION;
    snprintf (request.language, sizeof request.language, "%s", lang);
    hub_ingest_item_t item = ug_ingest_request (hub, agent, network, id, &request);
    assert_true (item.stored);
    snprintf (ref, HUB_MAX_REF, "%s", item.ref);
}

static char *
s_c3 (unit_hub_t *hub, const char *ref)
{
    return unit_pg_text (hub->pg, "SELECT c.met || ' ' || c.reason FROM request_criteria c JOIN requests r "
                                  "ON r.id = c.request_id WHERE r.ref = '%s' AND c.id = 'C3'", ref);
}

//  One canton each, but the same problem raised by two networks in two languages: C3 is met for
//  both, the first re-evaluated when the second arrives (no STATUS for that); a withdrawn twin no
//  longer counts for a request evaluated afterwards.
static void
test_c3_similar (void **state)
{
    unit_hub_t *hub = *state;
    int64_t leman = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ti = unit_hub_enrol (hub, "ticino");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF];
    s_youth (hub, leman, "lemanique", "VD", "req-fr", "fr",
             "Accès à la formation professionnelle pour les jeunes arrivés en Suisse après 16 ans",
             "De nombreux jeunes arrivés en Suisse après l'âge de la scolarité obligatoire n'atteignent pas le niveau "
             "de français exigé pour signer un contrat d'apprentissage. Les classes d'accueil s'arrêtent à 18 ans.", a);
    s_after_commit (hub);
    char *reason = s_c3 (hub, a);
    assert_string_equal (reason, "false 1 supporting canton (VD); no other network with a similar request; "
                                 "thresholds 2 cantons or 2 networks");
    free (reason);
    s_youth (hub, zh, "zuerich", "ZH", "req-de", "de", "Spät eingereiste Jugendliche ohne Anschluss an die Berufsbildung",
             "Wer mit 17 oder 18 Jahren in die Schweiz kommt, ist für die Volksschule zu alt; für eine Lehrstelle "
             "fehlen Deutschkenntnisse. Die Integrationsangebote enden häufig mit dem 20. Altersjahr.", b);
    s_after_commit (hub);
    char expect [400];
    reason = s_c3 (hub, b);
    snprintf (expect, sizeof expect, "true 1 supporting canton (ZH); 1 other network with a similar request "
              "(lemanique %s); thresholds 2 cantons or 2 networks", a);
    assert_string_equal (reason, expect);
    free (reason);
    //  The first one counts the second now, without a STATUS of its own for it
    reason = s_c3 (hub, a);
    snprintf (expect, sizeof expect, "true 1 supporting canton (VD); 1 other network with a similar request "
              "(zuerich %s); thresholds 2 cantons or 2 networks", b);
    assert_string_equal (reason, expect);
    free (reason);
    assert_int_equal (s_down (hub, leman).count, 1);
    //  A problem of its own stays alone
    char other [HUB_MAX_REF];
    ug_simple (hub, ti, "ticino", "TI", "req-it", other);
    s_after_commit (hub);
    reason = s_c3 (hub, other);
    assert_non_null (strstr (reason, "false 1 supporting canton (TI); no other network"));
    free (reason);
    //  An Italian twin counts the French one; once lemanique withdraws it, it no longer counts
    s_youth (hub, ti, "ticino", "TI", "req-it2", "it", "Ragazzi giunti in Ticino dopo i 15 anni: quale strada verso un "
             "mestiere?", "Ragazze e ragazzi che arrivano nel cantone dopo la scuola dell'obbligo, con un italiano "
             "ancora fragile: nessuna azienda formatrice li assume per un tirocinio.", c);
    s_after_commit (hub);
    reason = s_c3 (hub, c);
    snprintf (expect, sizeof expect, "(lemanique %s", a);
    assert_non_null (strstr (reason, expect));
    free (reason);
    hub_ingest_item_t withdrawn = s_withdraw (hub, leman, "lemanique", "w-1", "req-fr", "Résolu au niveau cantonal");
    assert_true (withdrawn.stored);
    s_after_commit (hub);
    //  The withdrawal re-evaluates its peers at the gate at once
    reason = s_c3 (hub, c);
    assert_non_null (strstr (reason, "false 1 supporting canton (TI); no other network with a similar request"));
    free (reason);
    reason = s_c3 (hub, b);
    assert_null (strstr (reason, "lemanique"));
    free (reason);
    size_t n = 0;
    cii_err_t err;
    hub_gate_thresholds_t t;
    int two = 2;
    assert_int_equal (hub_gate_set_thresholds (hub->store, NULL, &two, NULL, &t, &n, &err), CII_OK);
    reason = s_c3 (hub, c);
    assert_null (strstr (reason, "lemanique"));
    free (reason);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_criteria),
        cmocka_unit_test (test_table),
        cmocka_unit_test_setup_teardown (test_after_commit, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_decide, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_decide_refused, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_theme, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_theme_refused, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_withdraw, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_thresholds, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_listing, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_c3_similar, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
