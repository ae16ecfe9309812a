/*  test_agent_requests.c — unit tests of the coordinator's consolidation (agent/service/
    agent_requests.c, agent_similar.c, through the kind handlers of agent/net/agent_kinds.c for
    what the hub says): drafts with their derived fields (institutions, target groups, supporting
    cantons, the combined national reason, the language), refusals that store nothing, edit,
    merge and split with lineage, forward (the REQUEST in the outbox, held until its signals are
    receipted, its lineage notes; a signal the hub refused named), receipts, refusals (a refused
    request edited into a draft and forwarded again), STATUS items (history, criteria, theme,
    new states as given, a request the agent does not know), withdrawals, the listings,
    `similar` (diacritics, why, hostile text), hostile text in every field, and a state of
    cii-agent 0.2.0 consolidated after its migration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_intake.h"
#include "agent_kinds.h"
#include "agent_requests.h"
#include "agent_setup.h"
#include "agent_similar.h"
#include "agent_store_config.h"
#include "agent_store_outbox.h"
#include "agent_store_requests.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "unit_agent.h"
#include "unit_fs.h"

typedef struct {
    unit_agent_t *agent;
    agent_store_t *store;
    uint64_t seq;                 //  the last downward item given to the agent
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    fx->agent = unit_agent_new ("agent-requests", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7300");
    fx->store = unit_agent_init (fx->agent, NULL);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_destroy (&fx->store);
    unit_agent_destroy (&fx->agent);
    free (fx);
    return 0;
}

//  A signal through intake; its id, and its message id into mid (may be NULL).
static int64_t
s_signal (s_fixture_t *fx, const char *canton, const char *lang, const char *title, const char *body,
          const char *institutions, const char *groups, const char *reason, char *mid)
{
    agent_signal_input_t input = {
        .canton = canton, .lang = lang, .title = title, .body = body, .institutions = institutions,
        .target_groups = groups, .reason = reason,
    };
    agent_queued_t queued;
    cii_err_t err;
    if (agent_intake_add (fx->store, &input, &queued, &err) != CII_OK)
        fail_msg ("intake: %s", err.text);
    if (mid)
        snprintf (mid, AGENT_MESSAGE_ID_SIZE, "%s", queued.message_id);
    return queued.id;
}

//  A plain signal of canton.
static int64_t
s_plain (s_fixture_t *fx, const char *canton, const char *title, char *mid)
{
    return s_signal (fx, canton, "fr", title, "Description.", "social-aid,health", "health-impaired", "", mid);
}

//  The hub's RECEIPT of message_id, through the kind handlers.
static cii_rc_t
s_receipt (s_fixture_t *fx, const char *message_id, const char *ref)
{
    return unit_agent_receipt (fx->store, message_id, ref, 1790000000000);
}

//  The next STATUS item, through the kind handlers (as the daemon stores a DELIVER).
static cii_rc_t
s_status (s_fixture_t *fx, const char *ref, const char *request_id, const char *state, const char *organ,
          const char *note, const char *theme, size_t n_criteria, cii_err_t *err)
{
    Cii__Criterion c [4] = { CII__CRITERION__INIT, CII__CRITERION__INIT, CII__CRITERION__INIT, CII__CRITERION__INIT };
    Cii__Criterion *criteria [4] = { &c [0], &c [1], &c [2], &c [3] };
    const char *ids [] = { "C1", "C2", "C3", "C4" };
    for (size_t i = 0; i < 4; i++) {
        c [i].id = (char *) ids [i];
        c [i].met = i % 2 == 0;
        c [i].reason = (char *) (i % 2 == 0 ? "rempli" : "pas rempli");
    }
    Cii__Status status = CII__STATUS__INIT;
    status.ref = (char *) ref;
    status.request_id = (char *) request_id;
    status.state = (char *) state;
    status.organ = (char *) organ;
    status.at_ms = 1790000000000 + (int64_t) fx->seq;
    status.note = (char *) note;
    status.theme = (char *) theme;
    status.criteria = criteria;
    status.n_criteria = n_criteria;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = fx->seq + 1;
    deliver.item_case = CII__DELIVER__ITEM_STATUS;
    deliver.status = &status;
    agent_inbox_outcome_t outcome;
    cii_rc_t rc = unit_agent_deliver (fx->store, &deliver, &outcome, err);
    if (rc == CII_OK && outcome == AGENT_INBOX_STORED)
        fx->seq++;
    return rc;
}

//  One request, copied.
typedef struct {
    int64_t id;
    char state [40];
    char origin [8];
    char title [256];
    char summary [1024];
    char assessment [512];
    char language [3];
    char objectives [64];
    char priorities [16];
    char support [80];
    char institutions [160];
    char target_groups [160];
    char cantons [80];
    char national_reason [4100];
    char message_id [AGENT_MESSAGE_ID_SIZE];
    char hub_ref [32];
    bool refused;
    int refused_code;
    char refused_text [256];
    char theme [32];
    char signals [128];
} s_request_t;

static bool
s_copy (const agent_request_row_t *row, void *arg)
{
    s_request_t *r = arg;
    r->id = row->id;
    snprintf (r->state, sizeof r->state, "%s", row->state);
    snprintf (r->origin, sizeof r->origin, "%s", row->origin);
    snprintf (r->title, sizeof r->title, "%s", row->title);
    snprintf (r->summary, sizeof r->summary, "%s", row->summary);
    snprintf (r->assessment, sizeof r->assessment, "%s", row->assessment);
    snprintf (r->language, sizeof r->language, "%s", row->language);
    snprintf (r->objectives, sizeof r->objectives, "%s", row->objectives);
    snprintf (r->priorities, sizeof r->priorities, "%s", row->priorities);
    snprintf (r->support, sizeof r->support, "%s", row->support);
    snprintf (r->institutions, sizeof r->institutions, "%s", row->institutions);
    snprintf (r->target_groups, sizeof r->target_groups, "%s", row->target_groups);
    snprintf (r->cantons, sizeof r->cantons, "%s", row->cantons);
    snprintf (r->national_reason, sizeof r->national_reason, "%s", row->national_reason);
    snprintf (r->message_id, sizeof r->message_id, "%s", row->message_id ? row->message_id : "");
    snprintf (r->hub_ref, sizeof r->hub_ref, "%s", row->hub_ref ? row->hub_ref : "");
    r->refused = row->refused;
    r->refused_code = row->refused_code;
    snprintf (r->refused_text, sizeof r->refused_text, "%s", row->refused_text ? row->refused_text : "");
    snprintf (r->theme, sizeof r->theme, "%s", row->theme);
    snprintf (r->signals, sizeof r->signals, "%s", row->signals);
    return false;
}

static s_request_t *
s_get (s_fixture_t *fx, int64_t id)
{
    static s_request_t r;
    memset (&r, 0, sizeof r);
    cii_err_t err;
    if (agent_requests_get (fx->store, id, s_copy, &r, &err) != CII_OK)
        fail_msg ("get %" PRId64 ": %s", id, err.text);
    return &r;
}

//  "a,b" of two ids.
static const char *
s_ids (int64_t a, int64_t b)
{
    static char texts [4][64];
    static int next;
    char *text = texts [next++ % 4];
    if (b)
        snprintf (text, 64, "%" PRId64 ",%" PRId64, a, b);
    else
        snprintf (text, 64, "%" PRId64, a);
    return text;
}

static bool
s_any (const agent_request_row_t *row, void *arg)
{
    (void) row;
    (void) arg;
    return true;
}

static size_t
s_count (s_fixture_t *fx)
{
    size_t count = 0;
    assert_int_equal (agent_requests_list (fx->store, NULL, NULL, s_any, NULL, &count, NULL), CII_OK);
    return count;
}

//  A draft over signals (a comma list).
static int64_t
s_draft (s_fixture_t *fx, const char *title, const char *signals)
{
    agent_request_input_t input = { .title = title, .summary = "Résumé.", .signals = signals,
                                    .objectives = "system-coordination" };
    int64_t id = 0;
    cii_err_t err;
    if (agent_requests_new (fx->store, &input, &id, &err) != CII_OK)
        fail_msg ("new: %s", err.text);
    return id;
}

//  The REQUEST in the outbox for request id, decoded (cii_codec_free it).
typedef struct {
    int64_t ref_id;
    Cii__Envelope *env;
} s_found_t;

static bool
s_find_entry (const agent_outbox_item_t *item, void *arg)
{
    s_found_t *found = arg;
    if (strcmp (item->kind, "request") != 0 || item->ref_id != found->ref_id)
        return true;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (item->data, item->size, &found->env, &err), CII_OK);
    return false;
}

//  Every entry that is due now, held ones not: their kinds, joined.
static bool
s_due_kind (const agent_outbox_item_t *item, void *arg)
{
    char *kinds = arg;
    size_t len = strlen (kinds);
    snprintf (kinds + len, 256 - len, "%s%s", len ? "," : "", item->kind);
    return true;
}

static const char *
s_due (s_fixture_t *fx)
{
    static char kinds [256];
    kinds [0] = '\0';
    assert_int_equal (agent_store_outbox_due (fx->store, INT64_MAX, 100, s_due_kind, kinds, NULL, NULL), CII_OK);
    return kinds;
}

//  --- drafts ----------------------------------------------------------------------------------

static void
test_new_draft (void **state)
{
    s_fixture_t *fx = *state;
    char mid_vd [AGENT_MESSAGE_ID_SIZE];
    int64_t vd = s_signal (fx, "VD", "fr", "Accès à la formation", "Les jeunes adultes.", "social-aid,health",
                           "health-impaired", "Règles fédérales.", mid_vd);
    int64_t ge = s_signal (fx, "GE", "fr", "Fin de droits", "Hospice général.", "unemployment,social-aid",
                           "social-aid-recipients", "Règles fédérales.", NULL);
    int64_t vs = s_signal (fx, "VS", "de", "Übergänge", "RAV und Sozialhilfe.", "unemployment",
                           "", "Bundesrecht.", NULL);
    assert_int_equal (s_receipt (fx, mid_vd, "SIG-41"), CII_OK);
    char signals [64];
    snprintf (signals, sizeof signals, " sig-41 , %" PRId64 ",%" PRId64 ",%" PRId64, ge, vs, ge);   //  VD by ref
    agent_request_input_t input = {
        .title = "Coordination aide sociale et chômage", .summary = "Trois cantons signalent…", .signals = signals,
        .objectives = "system-coordination,labour-market-integration", .priorities = "p3,P1", .support = "vs",
        .assessment = "À traiter au niveau national.",
    };
    int64_t id = 0;
    cii_err_t err;
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_OK);
    s_request_t *r = s_get (fx, id);
    assert_string_equal (r->state, "draft");
    assert_string_equal (r->origin, "agent");
    char expected [128];
    snprintf (expected, sizeof expected, "%" PRId64 ",%" PRId64 ",%" PRId64, vd, ge, vs);
    assert_string_equal (r->signals, expected);                   //  in the order given, once each
    assert_string_equal (r->institutions, "unemployment,social-aid,health");
    assert_string_equal (r->target_groups, "social-aid-recipients,health-impaired");
    assert_string_equal (r->cantons, "GE,VD,VS");
    assert_string_equal (r->support, "VS");
    assert_string_equal (r->objectives, "labour-market-integration,system-coordination");
    assert_string_equal (r->priorities, "P1,P3");
    assert_string_equal (r->language, "fr");                       //  two of three signals
    //  The same reason once, with the cantons that gave it, in the signals' order
    assert_string_equal (r->national_reason, "GE, VD: Règles fédérales.\nVS: Bundesrecht.");
    assert_string_equal (r->assessment, "À traiter au niveau national.");
    assert_string_equal (r->message_id, "");
    assert_string_equal (r->hub_ref, "");
    assert_string_equal (s_due (fx), "signal,signal");           //  nothing queued for a draft

    //  Refusals store nothing
    agent_request_input_t bad = input;
    bad.signals = "999";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no signal '999' in this agent (give a signal id of cii-agent signals, or its hub "
                                   "reference)");
    bad.signals = "SIG-7";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_NOT_FOUND);
    bad = input;
    bad.support = "VD,ZH";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_REFUSED);
    assert_string_equal (err.text, "canton ZH is not in network lemanique (VD, VS, GE)");
    bad.support = "XX";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown canton 'XX'");
    bad = input;
    bad.objectives = "integration";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "unknown objective 'integration' (valid: labour-market-integration, "
                                   "system-coordination)");
    bad = input;
    bad.priorities = "P4";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "unknown priority 'P4' (valid: P1, P2, P3)");
    bad = input;
    char title [202];
    memset (title, 'x', 201);
    title [201] = '\0';
    bad.title = title;
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "request refused: request.title: 201 bytes, limit 200");
    bad = input;
    bad.signals = " , ";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_BAD_INPUT);
    bad = input;
    bad.lang = "en";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "language 'en' is not fr, de, it or rm");
    bad = input;
    bad.summary = NULL;
    bad.summary_file = "/nonexistent/summary.txt";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_NOT_FOUND);
    assert_int_equal (s_count (fx), 1);

    //  A summary from a file; the language as given
    unit_write (fx->agent->file, "Zusammenfassung aus einer Datei.\n", 33);
    bad = input;
    bad.summary = NULL;
    bad.summary_file = fx->agent->file;
    bad.lang = "de";
    assert_int_equal (agent_requests_new (fx->store, &bad, &id, &err), CII_OK);
    r = s_get (fx, id);
    assert_string_equal (r->summary, "Zusammenfassung aus einer Datei.\n");
    assert_string_equal (r->language, "de");
}

static void
test_edit (void **state)
{
    s_fixture_t *fx = *state;
    int64_t s1 = s_plain (fx, "VD", "un", NULL), s2 = s_plain (fx, "GE", "deux", NULL);
    int64_t s3 = s_signal (fx, "VS", "de", "drei", "Beschreibung.", "migration", "late-arriving-youth", "", NULL);
    int64_t id = s_draft (fx, "Titre", s_ids (s1, s2));
    agent_request_input_t input = { .title = "Nouveau titre", .add_signals = s_ids (s3, 0), .remove_signals = s_ids (s1, 0),
                                    .objectives = "none", .support = "VD" };
    cii_err_t err;
    bool reopened = true;
    assert_int_equal (agent_requests_edit (fx->store, id, &input, &reopened, &err), CII_OK);
    assert_false (reopened);
    s_request_t *r = s_get (fx, id);
    assert_string_equal (r->title, "Nouveau titre");
    assert_string_equal (r->signals, s_ids (s2, s3));
    assert_string_equal (r->institutions, "social-aid,migration,health");
    assert_string_equal (r->target_groups, "health-impaired,late-arriving-youth");
    assert_string_equal (r->cantons, "GE,VD,VS");                 //  VD still supports
    assert_string_equal (r->objectives, "");
    assert_string_equal (r->summary, "Résumé.");                  //  what was not given stays
    //  Clearing the support drops VD
    input = (agent_request_input_t) { .support = "none" };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_OK);
    assert_string_equal (s_get (fx, id)->cantons, "GE,VS");
    //  Refusals, nothing changed
    input = (agent_request_input_t) { .remove_signals = s_ids (s1, 0) };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_REFUSED);
    char expected [96];
    snprintf (expected, sizeof expected, "signal %" PRId64 " is not in request %" PRId64, s1, id);
    assert_string_equal (err.text, expected);
    input = (agent_request_input_t) { .remove_signals = s_ids (s2, s3) };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_REFUSED);
    input = (agent_request_input_t) { 0 };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "nothing to change");
    input = (agent_request_input_t) { .title = "" };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "request refused: request.title: missing");
    input = (agent_request_input_t) { .title = "x" };
    assert_int_equal (agent_requests_edit (fx->store, 999, &input, NULL, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no request 999 in this agent");
    assert_string_equal (s_get (fx, id)->title, "Nouveau titre");
    assert_string_equal (s_get (fx, id)->signals, s_ids (s2, s3));
    //  Forwarded: frozen
    agent_forwarded_t forwarded;
    assert_int_equal (agent_requests_forward (fx->store, id, &forwarded, &err), CII_OK);
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 " is forwarded: only drafts (and refused requests) are "
              "edited", id);
    assert_string_equal (err.text, expected);
}

//  Lineage entries, joined.
static bool
s_lineage (const agent_lineage_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s %" PRId64, len ? ";" : "", row->relation, row->other_id);
    return true;
}

static const char *
s_lineage_of (s_fixture_t *fx, int64_t id)
{
    static char text [256];
    text [0] = '\0';
    assert_int_equal (agent_requests_lineage (fx->store, id, s_lineage, text, NULL), CII_OK);
    return text;
}

static void
test_merge_split_lineage (void **state)
{
    s_fixture_t *fx = *state;
    int64_t s1 = s_plain (fx, "VD", "un", NULL), s2 = s_plain (fx, "GE", "deux", NULL);
    int64_t s3 = s_plain (fx, "VS", "trois", NULL);
    int64_t a = s_draft (fx, "A", s_ids (s1, 0));
    agent_request_input_t input = { .title = "B", .summary = "Autre résumé.", .signals = s_ids (s2, s3),
                                    .priorities = "P2", .assessment = "Urgent." };
    int64_t b = 0;
    cii_err_t err;
    assert_int_equal (agent_requests_new (fx->store, &input, &b, &err), CII_OK);
    assert_int_equal (agent_requests_merge (fx->store, a, b, "A et B", &err), CII_OK);
    s_request_t *r = s_get (fx, a);
    assert_string_equal (r->title, "A et B");
    char expected [128];
    snprintf (expected, sizeof expected, "%" PRId64 ",%" PRId64 ",%" PRId64, s1, s2, s3);
    assert_string_equal (r->signals, expected);
    assert_string_equal (r->summary, "Résumé.\n\nAutre résumé.");
    assert_string_equal (r->assessment, "Urgent.");
    assert_string_equal (r->priorities, "P2");
    assert_string_equal (r->objectives, "system-coordination");
    assert_string_equal (r->cantons, "GE,VD,VS");
    assert_string_equal (s_get (fx, b)->state, "merged");
    snprintf (expected, sizeof expected, "merged-from %" PRId64, b);
    assert_string_equal (s_lineage_of (fx, a), expected);
    snprintf (expected, sizeof expected, "merged-into %" PRId64, a);
    assert_string_equal (s_lineage_of (fx, b), expected);
    //  A merged draft is frozen; a request does not merge with itself
    assert_int_equal (agent_requests_merge (fx->store, a, b, NULL, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 " is merged: only drafts are merged", b);
    assert_string_equal (err.text, expected);
    assert_int_equal (agent_requests_merge (fx->store, a, a, NULL, &err), CII_REFUSED);
    input = (agent_request_input_t) { .title = "x" };
    assert_int_equal (agent_requests_edit (fx->store, b, &input, NULL, &err), CII_REFUSED);

    //  Split: s3 to a new draft
    int64_t c = 0;
    assert_int_equal (agent_requests_split (fx->store, a, s_ids (s3, 0), "C", NULL, &c, &err), CII_OK);
    r = s_get (fx, c);
    assert_string_equal (r->state, "draft");
    assert_string_equal (r->title, "C");
    assert_string_equal (r->signals, s_ids (s3, 0));
    assert_string_equal (r->cantons, "VS");
    assert_string_equal (r->summary, "Résumé.\n\nAutre résumé.");
    assert_string_equal (r->priorities, "P2");
    assert_string_equal (s_get (fx, a)->signals, s_ids (s1, s2));
    assert_string_equal (s_get (fx, a)->cantons, "GE,VD");
    snprintf (expected, sizeof expected, "split-from %" PRId64, a);
    assert_string_equal (s_lineage_of (fx, c), expected);
    snprintf (expected, sizeof expected, "merged-from %" PRId64 ";split-into %" PRId64, b, c);
    assert_string_equal (s_lineage_of (fx, a), expected);
    //  Refusals: a signal not in it, nothing left, not a draft
    assert_int_equal (agent_requests_split (fx->store, a, s_ids (s3, 0), "D", NULL, &c, &err), CII_REFUSED);
    assert_int_equal (agent_requests_split (fx->store, a, s_ids (s1, s2), "D", NULL, &c, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 " would have no signal left: leave at least one in it", a);
    assert_string_equal (err.text, expected);
    assert_int_equal (agent_requests_split (fx->store, b, s_ids (s2, 0), "D", NULL, &c, &err), CII_REFUSED);
    assert_int_equal (s_count (fx), 3);

    //  A merge whose summary would pass the limit is refused, nothing changed
    char *big = malloc (CII_MAX_TEXT);
    assert_non_null (big);
    memset (big, 'y', CII_MAX_TEXT - 1);
    big [CII_MAX_TEXT - 1] = '\0';
    input = (agent_request_input_t) { .summary = big };
    assert_int_equal (agent_requests_edit (fx->store, c, &input, NULL, &err), CII_OK);
    assert_int_equal (agent_requests_merge (fx->store, a, c, NULL, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "the merged summary would be %d bytes, limit %d: shorten one first "
              "(cii-agent request edit %" PRId64 " --summary ...)",
              (int) strlen ("Résumé.\n\nAutre résumé.") + 2 + CII_MAX_TEXT - 1, CII_MAX_TEXT, a);
    assert_string_equal (err.text, expected);
    assert_string_equal (s_get (fx, c)->state, "draft");
    assert_string_equal (s_get (fx, a)->signals, s_ids (s1, s2));
    free (big);
}

//  --- forward, what the hub says ----------------------------------------------------------------

static void
test_forward_held_until_signals_receipted (void **state)
{
    s_fixture_t *fx = *state;
    char mid1 [AGENT_MESSAGE_ID_SIZE], mid2 [AGENT_MESSAGE_ID_SIZE], mid3 [AGENT_MESSAGE_ID_SIZE];
    int64_t s1 = s_plain (fx, "VD", "un", mid1), s2 = s_plain (fx, "GE", "deux", mid2);
    int64_t s3 = s_plain (fx, "VS", "trois", mid3);
    int64_t a = s_draft (fx, "A", s_ids (s1, 0)), b = s_draft (fx, "B \"cité\"\nsur deux lignes", s_ids (s2, 0));
    cii_err_t err;
    assert_int_equal (agent_requests_merge (fx->store, a, b, NULL, &err), CII_OK);
    int64_t c = 0;
    assert_int_equal (agent_requests_split (fx->store, a, s_ids (s2, 0), "C", NULL, &c, &err), CII_OK);
    agent_request_input_t input = { .add_signals = s_ids (s2, s3) };
    assert_int_equal (agent_requests_edit (fx->store, a, &input, NULL, &err), CII_OK);
    assert_int_equal (s_receipt (fx, mid1, "SIG-1"), CII_OK);

    agent_forwarded_t forwarded;
    assert_int_equal (agent_requests_forward (fx->store, a, &forwarded, &err), CII_OK);
    assert_int_equal (forwarded.id, a);
    assert_int_equal (strlen (forwarded.message_id), 36);
    assert_int_equal (forwarded.n_waiting, 2);                   //  s2 and s3 have no receipt yet
    assert_int_equal (forwarded.waiting [0], s2);
    assert_int_equal (forwarded.waiting [1], s3);
    assert_int_equal (forwarded.n_notes, 0);                     //  2 institutions, an objective, 3 cantons
    s_request_t *r = s_get (fx, a);
    assert_string_equal (r->state, "forwarded");
    assert_string_equal (r->message_id, forwarded.message_id);

    //  Held while any of its signals waits for its receipt
    s_found_t found = { a, NULL };
    assert_int_equal (agent_store_outbox_due (fx->store, INT64_MAX, 100, s_find_entry, &found, NULL, NULL), CII_OK);
    assert_null (found.env);
    int64_t held = 0;
    assert_int_equal (agent_store_outbox_held (fx->store, &held, NULL), CII_OK);
    assert_int_equal (held, 1);
    assert_string_equal (s_due (fx), "signal,signal");
    assert_int_equal (s_receipt (fx, mid2, "SIG-2"), CII_OK);
    assert_string_equal (s_due (fx), "signal");
    assert_int_equal (s_receipt (fx, mid3, "SIG-3"), CII_OK);
    assert_string_equal (s_due (fx), "request");

    //  The REQUEST as it goes up: the signals by message id, frozen fields, lineage notes
    assert_int_equal (agent_store_outbox_due (fx->store, INT64_MAX, 100, s_find_entry, &found, NULL, NULL), CII_OK);
    assert_non_null (found.env);
    assert_string_equal (found.env->message_id, forwarded.message_id);
    const Cii__Request *q = found.env->request;
    assert_non_null (q);
    assert_string_equal (q->title, "A");
    assert_int_equal (q->n_signal_ids, 3);
    assert_string_equal (q->signal_ids [0], mid1);
    assert_string_equal (q->signal_ids [1], mid2);
    assert_string_equal (q->signal_ids [2], mid3);
    assert_int_equal (q->n_cantons, 3);
    assert_string_equal (q->cantons [0], "GE");
    assert_int_equal (q->n_objectives, 1);
    assert_int_equal (q->objectives [0], CII__OBJECTIVE__OBJECTIVE_SYSTEM_COORDINATION);
    assert_string_equal (q->language, "fr");
    assert_true (q->created_at_ms > 0);
    assert_int_equal (q->n_lineage, 2);
    char expected [256];
    snprintf (expected, sizeof expected, "merged from draft %" PRId64 " \"B \"cité\" sur deux lignes\"", b);
    assert_string_equal (q->lineage [0], expected);               //  one line
    snprintf (expected, sizeof expected, "split into draft %" PRId64 " \"C\"", c);
    assert_string_equal (q->lineage [1], expected);
    cii_codec_free (&found.env);

    //  Frozen: no second forward, no edit, merge or split
    assert_int_equal (agent_requests_forward (fx->store, a, &forwarded, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 " is forwarded: only drafts are forwarded", a);
    assert_string_equal (err.text, expected);
    assert_int_equal (agent_requests_merge (fx->store, c, a, NULL, &err), CII_REFUSED);
    assert_int_equal (agent_requests_split (fx->store, a, s_ids (s3, 0), "D", NULL, &c, &err), CII_REFUSED);
    assert_int_equal (agent_requests_forward (fx->store, 999, &forwarded, &err), CII_NOT_FOUND);
}

static void
test_forward_refused_signal (void **state)
{
    s_fixture_t *fx = *state;
    char mid1 [AGENT_MESSAGE_ID_SIZE];
    int64_t s1 = s_plain (fx, "VD", "un", mid1), s2 = s_plain (fx, "GE", "deux", NULL);
    int64_t id = s_draft (fx, "A", s_ids (s1, s2));
    //  The hub refuses s1 for good: a request naming it would be refused (UNKNOWN_REFERENCE)
    assert_int_equal (agent_kinds_refused (fx->store, mid1, CII__ERROR_CODE__ERROR_NOT_AUTHORISED,
                                           "canton VD belongs to network x", NULL), CII_OK);
    agent_forwarded_t forwarded;
    cii_err_t err;
    assert_int_equal (agent_requests_forward (fx->store, id, &forwarded, &err), CII_REFUSED);
    char expected [256];
    snprintf (expected, sizeof expected, "signal %" PRId64 " was refused by the hub (NOT_AUTHORISED: canton VD belongs "
              "to network x): remove it first: cii-agent request edit %" PRId64 " --remove-signals %" PRId64, s1, id, s1);
    assert_string_equal (err.text, expected);
    assert_string_equal (s_get (fx, id)->state, "draft");
    assert_string_equal (s_due (fx), "signal");                   //  nothing queued
    agent_request_input_t input = { .remove_signals = s_ids (s1, 0) };
    assert_int_equal (agent_requests_edit (fx->store, id, &input, NULL, &err), CII_OK);
    assert_int_equal (agent_requests_forward (fx->store, id, &forwarded, &err), CII_OK);
    //  One canton, an objective, two institutions: only C3 is worth a note
    assert_int_equal (forwarded.n_notes, 1);
    assert_non_null (strstr (forwarded.notes [0], "C3"));
    //  A canton the bureau moved to another network since: refused at forward
    int64_t s3 = s_plain (fx, "VS", "trois", NULL);
    int64_t other = s_draft (fx, "B", s_ids (s3, 0));
    const char *cantons [] = { "GE", "VD" };
    assert_int_equal (agent_store_cantons_set (fx->store, cantons, 2, NULL), CII_OK);
    assert_int_equal (agent_requests_forward (fx->store, other, &forwarded, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 ": canton VS is not in network lemanique (GE, VD)", other);
    assert_string_equal (err.text, expected);
}

//  History entries, joined "state/organ/note".
static bool
s_history (const agent_history_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 512 - len, "%s%s/%s/%s", len ? ";" : "", row->state, row->organ, row->note);
    return true;
}

static const char *
s_history_of (s_fixture_t *fx, int64_t id)
{
    static char text [512];
    text [0] = '\0';
    assert_int_equal (agent_requests_history (fx->store, id, s_history, text, NULL), CII_OK);
    return text;
}

static bool
s_criterion (const cii_criterion_t *criterion, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s=%s", len ? ";" : "", criterion->id, criterion->met ? "met" : "not");
    return true;
}

static const char *
s_criteria_of (s_fixture_t *fx, int64_t id)
{
    static char text [256];
    text [0] = '\0';
    assert_int_equal (agent_requests_criteria (fx->store, id, s_criterion, text, NULL), CII_OK);
    return text;
}

//  Forwards a draft over one fresh signal, both receipted; the REQUEST's message id into mid.
static int64_t
s_forwarded (s_fixture_t *fx, const char *title, char *mid)
{
    char signal_mid [AGENT_MESSAGE_ID_SIZE];
    int64_t signal = s_plain (fx, "VD", title, signal_mid);
    assert_int_equal (s_receipt (fx, signal_mid, "SIG-100"), CII_OK);
    int64_t id = s_draft (fx, title, s_ids (signal, 0));
    agent_forwarded_t forwarded;
    cii_err_t err;
    if (agent_requests_forward (fx->store, id, &forwarded, &err) != CII_OK)
        fail_msg ("forward: %s", err.text);
    snprintf (mid, AGENT_MESSAGE_ID_SIZE, "%s", forwarded.message_id);
    return id;
}

static void
test_receipt_and_status (void **state)
{
    s_fixture_t *fx = *state;
    char mid [AGENT_MESSAGE_ID_SIZE];
    int64_t id = s_forwarded (fx, "A", mid);
    cii_err_t err;
    //  RECEIPT: the national reference; forwarded becomes received
    assert_int_equal (s_receipt (fx, mid, "CII-2027-0042"), CII_OK);
    s_request_t *r = s_get (fx, id);
    assert_string_equal (r->state, "received");
    assert_string_equal (r->hub_ref, "CII-2027-0042");
    assert_int_equal (s_receipt (fx, mid, "CII-2027-0042"), CII_NOT_FOUND);     //  once
    //  STATUS items: the history in order, criteria as last received, the state as given
    assert_int_equal (s_status (fx, "CII-2027-0042", mid, "received", "hub", "", "", 4, &err), CII_OK);
    assert_string_equal (s_criteria_of (fx, id), "C1=met;C2=not;C3=met;C4=not");
    assert_int_equal (s_status (fx, "CII-2027-0042", mid, "admissible", "bureau", "Recevable.", "", 0, &err), CII_OK);
    assert_string_equal (s_criteria_of (fx, id), "C1=met;C2=not;C3=met;C4=not");
    assert_int_equal (s_status (fx, "CII-2027-0042", mid, "grouped", "bureau", "", "NT-2027-03", 2, &err), CII_OK);
    assert_string_equal (s_criteria_of (fx, id), "C1=met;C2=not");
    assert_int_equal (s_status (fx, "CII-2027-0042", mid, "cdc-agenda", "cdc", "Séance du 3 mars.", "", 0, &err),
                      CII_OK);
    r = s_get (fx, id);
    assert_string_equal (r->state, "cdc-agenda");                  //  a state this agent never heard of
    assert_string_equal (r->theme, "NT-2027-03");
    assert_string_equal (s_history_of (fx, id), "received/hub/;admissible/bureau/Recevable.;grouped/bureau/;"
                                                "cdc-agenda/cdc/Séance du 3 mars.");
    //  Found by its reference when the message id is not known (it still is the hub's truth)
    assert_int_equal (s_status (fx, "CII-2027-0042", "not-a-known-id", "answered", "cdc", "", "", 0, &err), CII_OK);
    assert_string_equal (s_get (fx, id)->state, "answered");

    //  A STATUS may come before the RECEIPT: the receipt then changes no state
    char mid2 [AGENT_MESSAGE_ID_SIZE];
    int64_t id2 = s_forwarded (fx, "B", mid2);
    assert_int_equal (s_status (fx, "CII-2027-0043", mid2, "received", "hub", "", "", 0, &err), CII_OK);
    assert_int_equal (s_status (fx, "CII-2027-0043", mid2, "admissible", "bureau", "", "", 0, &err), CII_OK);
    assert_int_equal (s_receipt (fx, mid2, "CII-2027-0043"), CII_OK);
    assert_string_equal (s_get (fx, id2)->state, "admissible");
    assert_string_equal (s_get (fx, id2)->hub_ref, "CII-2027-0043");

    //  A STATUS about a request this agent does not know (its state restored from a backup):
    //  recorded and shown as the hub describes it
    assert_int_equal (s_status (fx, "CII-2027-0007", "0b5d0c1e-0000-4000-8000-000000000007", "inadmissible", "bureau",
                                "Un seul canton.", "", 4, &err), CII_OK);
    int64_t unknown = 0;
    assert_int_equal (agent_requests_resolve (fx->store, "cii-2027-0007", &unknown, &err), CII_OK);
    r = s_get (fx, unknown);
    assert_string_equal (r->origin, "hub");
    assert_string_equal (r->state, "inadmissible");
    assert_string_equal (r->message_id, "0b5d0c1e-0000-4000-8000-000000000007");
    assert_string_equal (s_history_of (fx, unknown), "inadmissible/bureau/Un seul canton.");
    assert_string_equal (s_criteria_of (fx, unknown), "C1=met;C2=not;C3=met;C4=not");
    //  Its next STATUS finds it
    assert_int_equal (s_status (fx, "CII-2027-0007", "0b5d0c1e-0000-4000-8000-000000000007", "closed", "bureau", "", "",
                                0, &err), CII_OK);
    assert_string_equal (s_get (fx, unknown)->state, "closed");
    //  Items in order only: a gap is not stored, a duplicate neither
    uint64_t seq = fx->seq;
    fx->seq += 1;
    assert_int_equal (s_status (fx, "CII-2027-0007", "0b5d0c1e-0000-4000-8000-000000000007", "x", "bureau", "", "", 0,
                                &err), CII_OK);
    fx->seq = seq - 1;
    assert_int_equal (s_status (fx, "CII-2027-0007", "0b5d0c1e-0000-4000-8000-000000000007", "y", "bureau", "", "", 0,
                                &err), CII_OK);
    fx->seq = seq;
    assert_string_equal (s_get (fx, unknown)->state, "closed");
    //  A STATUS the codec refuses (a state that is no state name) is not stored
    assert_int_equal (s_status (fx, "CII-2027-0007", "0b5d0c1e-0000-4000-8000-000000000007", "Clos!", "bureau", "", "",
                                0, &err), CII_BAD_INPUT);
    assert_string_equal (s_get (fx, unknown)->state, "closed");
}

static void
test_refused_then_forwarded_again (void **state)
{
    s_fixture_t *fx = *state;
    char mid [AGENT_MESSAGE_ID_SIZE];
    int64_t id = s_forwarded (fx, "A", mid);
    //  The hub refuses the REQUEST: "refused", with the code and text
    assert_int_equal (agent_kinds_refused (fx->store, mid, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE,
                                           "signal 9f… is not held by the hub", NULL), CII_OK);
    s_request_t *r = s_get (fx, id);
    assert_string_equal (r->state, "refused");
    assert_true (r->refused);
    assert_int_equal (r->refused_code, CII__ERROR_CODE__ERROR_UNKNOWN_REFERENCE);
    assert_string_equal (r->refused_text, "signal 9f… is not held by the hub");
    cii_err_t err;
    assert_int_equal (agent_requests_withdraw (fx->store, id, "plus utile", NULL, &err), CII_REFUSED);
    char expected [160];
    snprintf (expected, sizeof expected, "request %" PRId64 " was refused by the hub, which holds nothing of it: nothing "
              "to withdraw", id);
    assert_string_equal (err.text, expected);
    //  Edited, it is a draft again (the refusal kept until the next forward), then forwarded anew
    agent_request_input_t input = { 0 };
    bool reopened = false;
    assert_int_equal (agent_requests_edit (fx->store, id, &input, &reopened, &err), CII_OK);
    assert_true (reopened);
    r = s_get (fx, id);
    assert_string_equal (r->state, "draft");
    assert_string_equal (r->message_id, "");
    assert_true (r->refused);
    agent_forwarded_t forwarded;
    assert_int_equal (agent_requests_forward (fx->store, id, &forwarded, &err), CII_OK);
    assert_string_not_equal (forwarded.message_id, mid);
    r = s_get (fx, id);
    assert_string_equal (r->state, "forwarded");
    assert_false (r->refused);
    assert_int_equal (s_receipt (fx, forwarded.message_id, "CII-2027-0050"), CII_OK);
    assert_string_equal (s_get (fx, id)->state, "received");
}

//  Withdrawals, joined "reason:state".
static bool
s_withdrawal (const agent_withdrawal_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 256 - len, "%s%s:%s", len ? ";" : "", row->reason,
              row->refused ? row->refused_name : row->delivered_at_ms ? "received" : "pending");
    return true;
}

static const char *
s_withdrawals_of (s_fixture_t *fx, int64_t id)
{
    static char text [256];
    text [0] = '\0';
    assert_int_equal (agent_requests_withdrawals (fx->store, id, s_withdrawal, text, NULL), CII_OK);
    return text;
}

static void
test_withdraw (void **state)
{
    s_fixture_t *fx = *state;
    int64_t draft = s_draft (fx, "brouillon", s_ids (s_plain (fx, "VD", "un", NULL), 0));
    cii_err_t err;
    char wmid [AGENT_MESSAGE_ID_SIZE];
    assert_int_equal (agent_requests_withdraw (fx->store, draft, "raison", wmid, &err), CII_REFUSED);
    char expected [160];
    snprintf (expected, sizeof expected, "request %" PRId64 " is a draft, never forwarded: nothing to withdraw", draft);
    assert_string_equal (err.text, expected);

    char mid [AGENT_MESSAGE_ID_SIZE];
    int64_t id = s_forwarded (fx, "A", mid);
    assert_int_equal (agent_requests_withdraw (fx->store, id, "", wmid, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "withdrawal refused: withdraw.reason: missing");
    //  Allowed while forwarded: held until the REQUEST has its receipt
    assert_int_equal (agent_requests_withdraw (fx->store, id, "Le canton a trouvé une solution.", wmid, &err), CII_OK);
    assert_string_equal (s_due (fx), "signal,request");          //  the draft's signal, the REQUEST
    assert_int_equal (agent_requests_withdraw (fx->store, id, "encore", NULL, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "a withdrawal of request %" PRId64 " is queued already, waiting for the hub's "
              "answer", id);
    assert_string_equal (err.text, expected);
    assert_int_equal (s_receipt (fx, mid, "CII-2027-0001"), CII_OK);
    assert_string_equal (s_due (fx), "signal,withdraw");
    assert_string_equal (s_get (fx, id)->state, "received");     //  the hub decides
    //  The hub refuses it (e.g. decided meanwhile): recorded; another may be asked
    assert_int_equal (agent_kinds_refused (fx->store, wmid, CII__ERROR_CODE__ERROR_NOT_AUTHORISED, "decided", NULL),
                      CII_OK);
    assert_string_equal (s_withdrawals_of (fx, id), "Le canton a trouvé une solution.:NOT_AUTHORISED");
    assert_int_equal (agent_requests_withdraw (fx->store, id, "Deuxième demande.", wmid, &err), CII_OK);
    assert_int_equal (s_receipt (fx, wmid, "CII-2027-0001"), CII_OK);
    assert_string_equal (s_withdrawals_of (fx, id), "Le canton a trouvé une solution.:NOT_AUTHORISED;"
                                                    "Deuxième demande.:received");
    //  The hub says it is withdrawn: final, nothing more to withdraw
    assert_int_equal (s_status (fx, "CII-2027-0001", mid, "withdrawn", "bureau", "Retiré.", "", 0, &err), CII_OK);
    assert_int_equal (agent_requests_withdraw (fx->store, id, "encore", NULL, &err), CII_REFUSED);
    snprintf (expected, sizeof expected, "request %" PRId64 " is in a final state: nothing to withdraw", id);
    assert_string_equal (err.text, expected);
    assert_true (agent_requests_final ("inadmissible"));
    assert_false (agent_requests_final ("admissible"));
    assert_false (agent_requests_final ("cdc-agenda"));
}

//  --- listings ----------------------------------------------------------------------------------

static bool
s_list_ids (const agent_request_row_t *row, void *arg)
{
    char *text = arg;
    size_t len = strlen (text);
    snprintf (text + len, 128 - len, "%s%" PRId64, len ? "," : "", row->id);
    return true;
}

static void
test_listings (void **state)
{
    s_fixture_t *fx = *state;
    int64_t vd = s_plain (fx, "VD", "un", NULL), ge = s_plain (fx, "GE", "deux", NULL);
    int64_t a = s_draft (fx, "A", s_ids (vd, 0)), b = s_draft (fx, "B", s_ids (ge, 0));
    agent_request_input_t input = { .title = "C", .summary = "s", .signals = s_ids (ge, 0), .support = "VD" };
    int64_t c = 0;
    cii_err_t err;
    assert_int_equal (agent_requests_new (fx->store, &input, &c, &err), CII_OK);
    char text [128] = "";
    //  What VD signalled or supports
    assert_int_equal (agent_requests_list (fx->store, NULL, "vd", s_list_ids, text, NULL, &err), CII_OK);
    char expected [64];
    snprintf (expected, sizeof expected, "%" PRId64 ",%" PRId64, a, c);
    assert_string_equal (text, expected);
    text [0] = '\0';
    assert_int_equal (agent_requests_list (fx->store, NULL, "VS", s_list_ids, text, NULL, &err), CII_OK);
    assert_string_equal (text, "");
    agent_forwarded_t forwarded;
    assert_int_equal (agent_requests_forward (fx->store, b, &forwarded, &err), CII_OK);
    text [0] = '\0';
    assert_int_equal (agent_requests_list (fx->store, "forwarded", NULL, s_list_ids, text, NULL, &err), CII_OK);
    snprintf (expected, sizeof expected, "%" PRId64, b);
    assert_string_equal (text, expected);
    assert_int_equal (agent_requests_list (fx->store, NULL, "XX", s_list_ids, text, NULL, &err), CII_NOT_FOUND);
    assert_int_equal (agent_requests_list (fx->store, "Draft'; --", NULL, s_list_ids, text, NULL, &err), CII_BAD_INPUT);
    //  show's key: an id or a reference
    int64_t id = 0;
    assert_int_equal (agent_requests_resolve (fx->store, s_ids (a, 0), &id, &err), CII_OK);
    assert_int_equal (id, a);
    assert_int_equal (agent_requests_resolve (fx->store, "999", &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no request '999' in this agent");
    assert_int_equal (agent_requests_resolve (fx->store, "CII-2027-9999", &id, &err), CII_NOT_FOUND);
    assert_int_equal (agent_requests_resolve (fx->store, "\x01\xff'x", &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no request '???x' in this agent");
}

//  --- similar ---------------------------------------------------------------------------------

typedef struct {
    size_t count;
    char kind [8][8];
    int64_t id [8];
    int64_t score [8];
    char words [8][256];
    char institutions [8][128];
    char groups [8][128];
    bool contains [8];
} s_hits_t;

static bool
s_hit (const agent_similar_t *hit, void *arg)
{
    s_hits_t *hits = arg;
    if (hits->count == 8)
        return false;
    size_t i = hits->count++;
    snprintf (hits->kind [i], sizeof hits->kind [i], "%s", hit->kind);
    hits->id [i] = hit->id;
    hits->score [i] = hit->score;
    snprintf (hits->words [i], sizeof hits->words [i], "%s", hit->words);
    snprintf (hits->institutions [i], sizeof hits->institutions [i], "%s", hit->institutions);
    snprintf (hits->groups [i], sizeof hits->groups [i], "%s", hit->target_groups);
    hits->contains [i] = hit->contains;
    return true;
}

static void
test_similar (void **state)
{
    s_fixture_t *fx = *state;
    int64_t vd = s_signal (fx, "VD", "fr", "Accès des jeunes admis à titre provisoire à la formation professionnelle",
                           "Les jeunes arrivés après 18 ans n'accèdent pas à l'apprentissage.",
                           "vocational-training,migration", "provisionally-admitted-and-refugees,late-arriving-youth",
                           "Statut fédéral (permis F).", NULL);
    int64_t ge = s_signal (fx, "GE", "fr", "ACCES A LA FORMATION PROFESSIONNELLE POUR LES ADMIS PROVISOIRES",
                           "Pas d'apprentissage pour les jeunes sans permis B.", "vocational-training",
                           "provisionally-admitted-and-refugees", "", NULL);
    int64_t vs = s_signal (fx, "VS", "de", "Koordination zwischen IV-Stelle und Sozialdienst",
                           "Wiedereingliederung ohne gemeinsamen Plan.", "invalidity,social-aid", "health-impaired", "",
                           NULL);
    int64_t draft = s_draft (fx, "Formation professionnelle des personnes admises", s_ids (vd, 0));
    s_hits_t hits = { 0 };
    int64_t signal_id = 0;
    size_t count = 0;
    cii_err_t err;
    //  The other canton's signal, in capitals and without accents, first; the draft that
    //  consolidates the signal; not the unrelated German one
    assert_int_equal (agent_similar (fx->store, s_ids (ge, 0), 0, s_hit, &hits, &signal_id, &count, &err), CII_OK);
    assert_int_equal (signal_id, ge);
    assert_int_equal (count, 2);
    assert_string_equal (hits.kind [0], "signal");
    assert_int_equal (hits.id [0], vd);
    assert_non_null (strstr (hits.words [0], "acces"));
    assert_non_null (strstr (hits.words [0], "professionnelle"));
    assert_non_null (strstr (hits.words [0], "apprentissage"));
    assert_string_equal (hits.institutions [0], "vocational-training");
    assert_string_equal (hits.groups [0], "provisionally-admitted-and-refugees");
    assert_false (hits.contains [0]);
    assert_string_equal (hits.kind [1], "request");
    assert_int_equal (hits.id [1], draft);
    assert_true (hits.score [0] > hits.score [1]);
    //  For vd: the draft that holds it comes first, saying so
    memset (&hits, 0, sizeof hits);
    assert_int_equal (agent_similar (fx->store, s_ids (vd, 0), 0, s_hit, &hits, NULL, NULL, &err), CII_OK);
    assert_string_equal (hits.kind [0], "request");
    assert_int_equal (hits.id [0], draft);
    assert_true (hits.contains [0]);
    assert_string_equal (hits.kind [1], "signal");
    assert_int_equal (hits.id [1], ge);
    //  Nothing like the German one here (the hub matches across languages)
    memset (&hits, 0, sizeof hits);
    assert_int_equal (agent_similar (fx->store, s_ids (vs, 0), 0, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_int_equal (count, 0);
    //  A limit, an unknown signal
    memset (&hits, 0, sizeof hits);
    assert_int_equal (agent_similar (fx->store, s_ids (vd, 0), 1, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (agent_similar (fx->store, "999", 0, s_hit, &hits, NULL, NULL, &err), CII_NOT_FOUND);
    //  Query syntax in the text is only text
    int64_t hostile = s_signal (fx, "VD", "fr", "\" OR * NEAR(formation ^ -- '); DROP TABLE signals; --",
                                "formation\" AND \"x", "migration", "", "", NULL);
    memset (&hits, 0, sizeof hits);
    assert_int_equal (agent_similar (fx->store, s_ids (hostile, 0), 0, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_true (count >= 2);
    memset (&hits, 0, sizeof hits);
    assert_int_equal (agent_similar (fx->store, s_ids (vd, 0), 0, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_int_equal (count, 3);
    //  A signal of common words only finds nothing, and says so without an error
    int64_t empty = s_signal (fx, "VD", "fr", "de la", "et les", "migration", "", "", NULL);
    assert_int_equal (agent_similar (fx->store, s_ids (empty, 0), 0, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_int_equal (count, 0);
}

//  --- hostile text ------------------------------------------------------------------------------

static void
test_hostile_text (void **state)
{
    s_fixture_t *fx = *state;
    const char *nasty = "'); DROP TABLE requests; -- \"quoted\" \t\xe2\x80\xae\xd7\x90 RTL \xf0\x9f\x98\x80\r\nnext";
    int64_t s1 = s_signal (fx, "VD", "fr", nasty, nasty, "social-aid,health", "", nasty, NULL);
    agent_request_input_t input = { .title = nasty, .summary = nasty, .assessment = nasty, .signals = s_ids (s1, 0),
                                    .support = " vd , GE ", .objectives = " system-coordination " };
    int64_t id = 0;
    cii_err_t err;
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_OK);
    s_request_t *r = s_get (fx, id);
    assert_string_equal (r->title, nasty);                        //  byte for byte
    assert_string_equal (r->summary, nasty);
    assert_string_equal (r->assessment, nasty);
    assert_string_equal (r->cantons, "GE,VD");
    char expected [512];
    snprintf (expected, sizeof expected, "VD: %s", nasty);
    assert_string_equal (r->national_reason, expected);
    //  Not UTF-8, a NUL-less control character: refused, nothing stored
    input.title = "bad \xc3\x28 bytes";
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_BAD_INPUT);
    input.title = "bell \x07";
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_BAD_INPUT);
    input.title = "ok";
    input.signals = "1; DROP TABLE signals";
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no signal '1; DROP TABLE signals' in this agent (give a signal id of cii-agent "
                                   "signals, or its hub reference)");
    input.signals = "\xff\xfe";
    assert_int_equal (agent_requests_new (fx->store, &input, &id, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "no signal '?\?' in this agent (give a signal id of cii-agent signals, or its hub "
                                   "reference)");
    assert_int_equal (s_count (fx), 1);
    //  A reason and a withdrawal reason of any text
    char mid [AGENT_MESSAGE_ID_SIZE];
    int64_t fwd = s_forwarded (fx, "A", mid);
    assert_int_equal (agent_requests_withdraw (fx->store, fwd, nasty, NULL, &err), CII_OK);
    assert_string_equal (s_withdrawals_of (fx, fwd), "'); DROP TABLE requests; -- \"quoted\" \t\xe2\x80\xae\xd7\x90 RTL "
                                                     "\xf0\x9f\x98\x80\r\nnext:pending");
    //  A STATUS note of any text is kept byte for byte
    assert_int_equal (s_status (fx, "CII-2027-0001", mid, "received", "hub", nasty, "", 0, &err), CII_OK);
    snprintf (expected, sizeof expected, "received/hub/%s", nasty);
    assert_string_equal (s_history_of (fx, fwd), expected);
    //  The merge of a hostile title into the lineage note stays one line
    assert_int_equal (s_count (fx), 2);
}

//  --- a state of cii-agent 0.2.0 ------------------------------------------------------------------

static void
test_state_of_0_2_0_consolidated (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_destroy (&fx->store);
    unit_agent_destroy (&fx->agent);
    fx->agent = unit_agent_new ("agent-requests-old", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7300");
    char *path = unit_agent_state_at (fx->agent, 2);
    unit_agent_sql (path,
        "INSERT INTO signals (id, message_id, canton, title, description, institutions, target_groups,"
        " national_reason, language, created_at, delivered_at, hub_ref, hub_received_at)"
        " VALUES (1, '6a1b7f0e-1111-4c1e-9a57-1e0d2b3c4d5e', 'VD', 'Accès à l''apprentissage',"
        " 'Jeunes arrivés tardivement.', 'vocational-training,migration', 'late-arriving-youth', 'Fédéral.', 'fr',"
        " 1760000000000, 1760000001000, 'SIG-9', 1760000000500),"
        " (2, '6a1b7f0e-2222-4c1e-9a57-1e0d2b3c4d5e', 'GE', 'Apprentissage et permis F',"
        " 'Accès à l''apprentissage refusé.', 'vocational-training', '', '', 'fr', 1760000002000, 1760000003000,"
        " 'SIG-10', 1760000002500);");
    free (path);
    cii_err_t err;
    fx->store = agent_setup_open (fx->agent->state, NULL, &err);
    if (!fx->store)
        fail_msg ("open: %s", err.text);
    s_hits_t hits = { 0 };
    size_t count = 0;
    assert_int_equal (agent_similar (fx->store, "SIG-9", 0, s_hit, &hits, NULL, &count, &err), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (hits.id [0], 2);
    int64_t id = s_draft (fx, "Apprentissage", "SIG-9,sig-10");
    agent_forwarded_t forwarded;
    assert_int_equal (agent_requests_forward (fx->store, id, &forwarded, &err), CII_OK);
    assert_int_equal (forwarded.n_waiting, 0);
    assert_string_equal (s_due (fx), "request");                  //  both signals delivered long ago
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_new_draft, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_edit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_merge_split_lineage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_forward_held_until_signals_receipted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_forward_refused_signal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_receipt_and_status, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refused_then_forwarded_again, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_withdraw, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_similar, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_hostile_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state_of_0_2_0_consolidated, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
