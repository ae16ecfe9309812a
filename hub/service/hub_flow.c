/*  hub_flow.c — the states, organs and transitions of a request at the national level, and the
    one transition function (see hub_flow.h). The three tables below are the whole state machine,
    the gate and the national processing (CDC and CP meetings, working groups) alike. */
#include "hub_flow.h"
#include "hub_gate.h"
#include "hub_meeting.h"
#include "hub_programme.h"
#include "hub_requests.h"
#include "hub_store_downward.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_wire.h"

//  --------------------------------------------------------------------------------------------
//  The tables

static const hub_state_t s_states [] = {
    { "received", HUB_STATE_INITIAL | HUB_STATE_GATE | HUB_STATE_EVALUATE,
      "at the bureau's gate, with its national reference and criteria" },
    { "grouped", HUB_STATE_GATE | HUB_STATE_EVALUATE,
      "grouped by the bureau into a national theme (criteria over the theme), not yet decided" },
    { "admissible", 0, "admitted by the bureau: goes on to national processing" },
    { "inadmissible", HUB_STATE_CLOSED, "not admitted by the bureau, with the reason" },
    { "withdrawn", HUB_STATE_CLOSED | HUB_STATE_LEFT, "withdrawn by its network before a decision" },
    //  National processing (plan 2.1-2.4): the CDC examines, the CP decides, working groups report
    { "scheduled", 0, "on a CDC agenda (or a CP agenda, where the bureau sends it straight on)" },
    { "answered", HUB_STATE_CLOSED, "answered by the CDC or the CP, with the answer" },
    { "wg-mandated", 0, "a working group is mandated (by the CDC or the CP) to work on it" },
    { "referred-to-cp", 0, "referred by the CDC to the CP, for its next agenda" },
    { "deferred", 0, "deferred by the CDC or the CP: back to the pool for a later agenda" },
    { "declined", HUB_STATE_CLOSED, "declined by the CP, with the reason" },
    { "project", HUB_STATE_PROGRAMME, "the CP adds it to its work programme as a project" },
    { "recommendation-planned", 0, "the CP plans a recommendation on it" },
    { "returned-to-cdc", 0, "returned by the CP to the CDC, for its next agenda" },
    { "wg-reported", HUB_STATE_MANDATOR, "the working group reported: back to the organ that mandated it" },
    { "recommended", HUB_STATE_CLOSED, "answered by a recommendation of the CP (its basis), REC-YYYY-NN" },
};

static const hub_organ_t s_organs [] = {
    { "bureau", true, "the national bureau: the single entry gate" },
    { "cdc", true, "the development and coordination committee" },
    { "cp", true, "the national steering committee" },
    { "wg", true, "a working group mandated by the CP or the CDC" },
    { "hub", false, "the hub itself (a request received)" },
    { "network", false, "the regional network that raised the request (its WITHDRAW)" },
};

//  from, to, organ, how, note (NULL: optional; else required and what it is)
static const hub_transition_t s_transitions [] = {
    { "received", "admissible", "bureau", HUB_BY_DECIDE, NULL },
    { "received", "inadmissible", "bureau", HUB_BY_DECIDE, "the reason" },
    { "received", "grouped", "bureau", HUB_BY_THEME, NULL },
    { "grouped", "admissible", "bureau", HUB_BY_DECIDE, NULL },
    { "grouped", "inadmissible", "bureau", HUB_BY_DECIDE, "the reason" },
    { "received", "withdrawn", "network", HUB_BY_NETWORK, "the reason" },
    { "grouped", "withdrawn", "network", HUB_BY_NETWORK, "the reason" },
    //  National processing: the bureau puts it on an agenda (again, when deferred)
    { "admissible", "scheduled", "bureau", HUB_BY_DECIDE, NULL },
    { "deferred", "scheduled", "bureau", HUB_BY_DECIDE, NULL },
    //  the CDC, on its agenda
    { "scheduled", "answered", "cdc", HUB_BY_DECIDE, "the answer" },
    { "scheduled", "wg-mandated", "cdc", HUB_BY_DECIDE, NULL },
    { "scheduled", "referred-to-cp", "cdc", HUB_BY_DECIDE, NULL },
    { "scheduled", "deferred", "cdc", HUB_BY_DECIDE, NULL },
    //  the CDC, on what the CP returned to it
    { "returned-to-cdc", "answered", "cdc", HUB_BY_DECIDE, "the answer" },
    { "returned-to-cdc", "wg-mandated", "cdc", HUB_BY_DECIDE, NULL },
    { "returned-to-cdc", "referred-to-cp", "cdc", HUB_BY_DECIDE, NULL },
    { "returned-to-cdc", "deferred", "cdc", HUB_BY_DECIDE, NULL },
    //  the CP, on its agenda (the bureau sent it straight on)
    { "scheduled", "answered", "cp", HUB_BY_DECIDE, "the answer" },
    { "scheduled", "declined", "cp", HUB_BY_DECIDE, "the reason" },
    { "scheduled", "project", "cp", HUB_BY_DECIDE, NULL },
    { "scheduled", "recommendation-planned", "cp", HUB_BY_DECIDE, NULL },
    { "scheduled", "returned-to-cdc", "cp", HUB_BY_DECIDE, NULL },
    { "scheduled", "wg-mandated", "cp", HUB_BY_DECIDE, NULL },
    { "scheduled", "deferred", "cp", HUB_BY_DECIDE, NULL },
    //  the CP, on what the CDC referred to it
    { "referred-to-cp", "answered", "cp", HUB_BY_DECIDE, "the answer" },
    { "referred-to-cp", "declined", "cp", HUB_BY_DECIDE, "the reason" },
    { "referred-to-cp", "project", "cp", HUB_BY_DECIDE, NULL },
    { "referred-to-cp", "recommendation-planned", "cp", HUB_BY_DECIDE, NULL },
    { "referred-to-cp", "returned-to-cdc", "cp", HUB_BY_DECIDE, NULL },
    { "referred-to-cp", "wg-mandated", "cp", HUB_BY_DECIDE, NULL },
    { "referred-to-cp", "deferred", "cp", HUB_BY_DECIDE, NULL },
    //  a working group reports to the organ that mandated it, which takes it up again (only that organ:
    //  the last wg-mandated row of its history names it)
    { "wg-mandated", "wg-reported", "wg", HUB_BY_DECIDE, NULL },
    { "wg-reported", "answered", "cdc", HUB_BY_DECIDE, "the answer" },
    { "wg-reported", "wg-mandated", "cdc", HUB_BY_DECIDE, NULL },
    { "wg-reported", "referred-to-cp", "cdc", HUB_BY_DECIDE, NULL },
    { "wg-reported", "deferred", "cdc", HUB_BY_DECIDE, NULL },
    { "wg-reported", "answered", "cp", HUB_BY_DECIDE, "the answer" },
    { "wg-reported", "declined", "cp", HUB_BY_DECIDE, "the reason" },
    { "wg-reported", "project", "cp", HUB_BY_DECIDE, NULL },
    { "wg-reported", "recommendation-planned", "cp", HUB_BY_DECIDE, NULL },
    { "wg-reported", "returned-to-cdc", "cp", HUB_BY_DECIDE, NULL },
    { "wg-reported", "wg-mandated", "cp", HUB_BY_DECIDE, NULL },
    { "wg-reported", "deferred", "cp", HUB_BY_DECIDE, NULL },
    //  the CP publishes a recommendation (`cii-hub recommend`) whose basis names the request or its
    //  theme: what it planned, or straight from its agenda
    { "recommendation-planned", "recommended", "cp", HUB_BY_RECOMMEND, NULL },
    { "scheduled", "recommended", "cp", HUB_BY_RECOMMEND, NULL },
    { "referred-to-cp", "recommended", "cp", HUB_BY_RECOMMEND, NULL },
    { "wg-reported", "recommended", "cp", HUB_BY_RECOMMEND, NULL },
};

#define S_COUNT(a) (sizeof (a) / sizeof (a) [0])

const hub_state_t *
hub_flow_state_at (size_t index)
{
    return index < S_COUNT (s_states) ? &s_states [index] : NULL;
}

const hub_state_t *
hub_flow_state (const char *name)
{
    for (size_t i = 0; name && i < S_COUNT (s_states); i++)
        if (streq (s_states [i].name, name))
            return &s_states [i];
    return NULL;
}

const hub_organ_t *
hub_flow_organ_at (size_t index)
{
    return index < S_COUNT (s_organs) ? &s_organs [index] : NULL;
}

const hub_organ_t *
hub_flow_organ (const char *name)
{
    for (size_t i = 0; name && i < S_COUNT (s_organs); i++)
        if (streq (s_organs [i].name, name))
            return &s_organs [i];
    return NULL;
}

const hub_transition_t *
hub_flow_transition_at (size_t index)
{
    return index < S_COUNT (s_transitions) ? &s_transitions [index] : NULL;
}

size_t
hub_flow_states_with (unsigned flags, const char **names, size_t capacity)
{
    size_t n = 0;
    for (size_t i = 0; i < S_COUNT (s_states) && n < capacity; i++)
        if (s_states [i].flags & flags)
            names [n++] = s_states [i].name;
    return n;
}

//  --------------------------------------------------------------------------------------------
//  Checking a move

//  Appends "A, B or C" of names[0..n-1] to buf (size bytes, used so far *used).
static void
s_join (char *buf, size_t size, size_t *used, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n && *used < size; i++) {
        int w = snprintf (buf + *used, size - *used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names [i]);
        *used += w > 0 ? (size_t) w : 0;
    }
    if (*used >= size)
        *used = size - 1;
}

//  A state or organ name as given, safe to show.
static const char *
s_name_shown (const char *name, char buf [12])
{
    return cii_domain_state_name_valid (name) ? name : cii_domain_sanitize (name, buf);
}

//  True if note has something other than blanks.
static bool
s_has_note (const char *note)
{
    for (const char *p = note; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return true;
    return false;
}

//  The parts of a move that do not depend on the request: a known target state, an organ that may
//  act that way, a note within its limits.
static cii_rc_t
s_check_move (const hub_move_t *move, cii_err_t *err)
{
    char buf [512], shown [12];
    size_t used = 0;
    if (!hub_flow_state (move->to)) {
        const char *names [S_COUNT (s_states)];
        for (size_t i = 0; i < S_COUNT (s_states); i++)
            names [i] = s_states [i].name;
        used = (size_t) snprintf (buf, sizeof buf, "unknown state \"%s\" (", s_name_shown (move->to, shown));
        s_join (buf, sizeof buf, &used, names, S_COUNT (s_states));
        return cii_err_set (err, CII_BAD_INPUT, "%s)", buf);
    }
    const hub_organ_t *organ = hub_flow_organ (move->organ);
    if (!organ || (move->by == HUB_BY_DECIDE && !organ->decides)) {
        const char *names [S_COUNT (s_organs)];
        size_t n = 0;
        for (size_t i = 0; i < S_COUNT (s_organs); i++)
            if (s_organs [i].decides)
                names [n++] = s_organs [i].name;
        used = (size_t) snprintf (buf, sizeof buf, "%s organ \"%s\" (", organ ? "not a deciding" : "unknown",
                                  s_name_shown (move->organ, shown));
        s_join (buf, sizeof buf, &used, names, n);
        return cii_err_set (err, CII_BAD_INPUT, "%s)", buf);
    }
    size_t len = move->note ? strlen (move->note) : 0;
    if (len > CII_MAX_REASON || !cii_domain_utf8_valid (move->note ? move->note : "", len))
        return cii_err_set (err, CII_BAD_INPUT, "the note must be at most %d bytes of UTF-8 text (got %zu bytes%s)",
                            CII_MAX_REASON, len, len <= CII_MAX_REASON ? ", not valid text" : "");
    return CII_OK;
}

cii_rc_t
hub_flow_check (const char *ref, const char *from, const hub_move_t *move, const hub_transition_t **row_p,
                cii_err_t *err)
{
    assert (move);
    if (row_p)
        *row_p = NULL;
    cii_rc_t rc = s_check_move (move, err);
    if (rc != CII_OK)
        return rc;
    char shown [12];
    const char *who = hub_requests_ref_shown (ref, shown);
    const hub_state_t *state = hub_flow_state (from);
    for (size_t i = 0; i < S_COUNT (s_transitions); i++) {
        const hub_transition_t *t = &s_transitions [i];
        if (!from || !streq (t->from, from) || !streq (t->to, move->to) || !streq (t->organ, move->organ)
        ||  t->by != move->by)
            continue;
        if (t->note && !s_has_note (move->note))
            return cii_err_set (err, CII_BAD_INPUT, "a note is required to move %s to %s (%s)", who, t->to, t->note);
        if (row_p)
            *row_p = t;
        return CII_OK;
    }
    //  Refused: say what is allowed.
    char buf [CII_ERR_TEXT];
    size_t used = 0;
    if (state && (state->flags & HUB_STATE_CLOSED))
        return cii_err_set (err, CII_REFUSED, "%s is %s, which is final", who, from);
    if (move->by == HUB_BY_DECIDE) {
        //  Every organ that may decide from here, with its targets, in table order.
        for (size_t o = 0; o < S_COUNT (s_organs); o++) {
            const char *targets [S_COUNT (s_transitions)];
            size_t n = 0;
            for (size_t i = 0; i < S_COUNT (s_transitions); i++) {
                const hub_transition_t *t = &s_transitions [i];
                if (t->by == HUB_BY_DECIDE && from && streq (t->from, from) && streq (t->organ, s_organs [o].name))
                    targets [n++] = t->to;
            }
            if (n == 0)
                continue;
            int w = snprintf (buf + used, sizeof buf - used, "%sthe %s may move it to ", used ? "; " : "",
                              s_organs [o].name);
            used += w > 0 ? (size_t) w : 0;
            if (used >= sizeof buf)
                break;
            s_join (buf, sizeof buf, &used, targets, n);
        }
        if (used == 0)
            return cii_err_set (err, CII_REFUSED, "%s is %s: no organ may move it now", who, from ? from : "?");
        return cii_err_set (err, CII_REFUSED, "%s is %s: %s", who, from ? from : "?", buf);
    }
    //  A theme or a withdrawal: from which states that move is open.
    const char *sources [S_COUNT (s_transitions)];
    size_t n = 0;
    for (size_t i = 0; i < S_COUNT (s_transitions); i++) {
        const hub_transition_t *t = &s_transitions [i];
        if (t->by == move->by && streq (t->to, move->to) && streq (t->organ, move->organ))
            sources [n++] = t->from;
    }
    if (n == 0)
        return cii_err_set (err, CII_REFUSED, "%s is %s: it may not move to %s", who, from ? from : "?", move->to);
    s_join (buf, sizeof buf, &used, sources, n);
    return cii_err_set (err, CII_REFUSED, "%s is %s: only a request that is %s may move to %s", who, from ? from : "?",
                        buf, move->to);
}

cii_rc_t
hub_flow_check_more (hub_store_t *store, const hub_request_lock_t *request, const hub_move_t *move, cii_err_t *err)
{
    assert (store && request && move);
    const hub_state_t *state = hub_flow_state (request->state);
    if (state && (state->flags & HUB_STATE_MANDATOR) && !streq (request->mandated_by, move->organ)) {
        //  The table allows it to this organ in general, but the group reports to the other one.
        const char *mandator = *request->mandated_by ? request->mandated_by : "?";
        const char *targets [S_COUNT (s_transitions)];
        size_t n = 0;
        for (size_t i = 0; i < S_COUNT (s_transitions); i++)
            if (streq (s_transitions [i].from, request->state) && streq (s_transitions [i].organ, mandator)
            &&  s_transitions [i].by == move->by)
                targets [n++] = s_transitions [i].to;
        char buf [CII_ERR_TEXT];
        size_t used = 0;
        buf [0] = 0;
        s_join (buf, sizeof buf, &used, targets, n);
        return cii_err_set (err, CII_REFUSED, "%s is %s: its working group was mandated by the %s, so only the %s may "
                            "move it (to %s)", request->ref, request->state, mandator, mandator, n ? buf : "nothing");
    }
    if (move->meeting && *move->meeting)
        return hub_meeting_allows (store, move->meeting, move->organ, err);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  The STATUS outbox

typedef struct {
    int64_t id;
    char meeting [HUB_MAX_REF];
    char state [CII_MAX_STATE + 1];
    char organ [CII_MAX_STATE + 1];
    int64_t at_ms;
    char *note;
} s_pending_t;

typedef struct {
    s_pending_t *rows;
    size_t count;
    size_t capacity;
    bool failed;
} s_pendings_t;

static bool
s_pending_row (const hub_history_row_t *row, void *arg)
{
    s_pendings_t *list = arg;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 4;
        s_pending_t *bigger = realloc (list->rows, capacity * sizeof *bigger);
        if (!bigger) {
            list->failed = true;
            return false;
        }
        list->rows = bigger;
        list->capacity = capacity;
    }
    s_pending_t *p = &list->rows [list->count];
    p->id = row->id;
    snprintf (p->state, sizeof p->state, "%s", row->state);
    snprintf (p->organ, sizeof p->organ, "%s", row->organ);
    snprintf (p->meeting, sizeof p->meeting, "%s", row->meeting ? row->meeting : "");
    p->at_ms = row->at_ms;
    p->note = strdup (row->note);
    if (!p->note) {
        list->failed = true;
        return false;
    }
    list->count++;
    return true;
}

typedef struct {
    char id [9];
    bool met;
    char reason [401];
} s_criterion_t;

typedef struct {
    s_criterion_t rows [CII_MAX_CRITERIA];
    size_t count;
} s_criteria_t;

static bool
s_criterion_row (const hub_criterion_row_t *row, void *arg)
{
    s_criteria_t *list = arg;
    if (list->count == CII_MAX_CRITERIA)
        return false;
    s_criterion_t *c = &list->rows [list->count++];
    snprintf (c->id, sizeof c->id, "%s", row->id);
    c->met = row->met;
    snprintf (c->reason, sizeof c->reason, "%s", row->reason);
    return true;
}

//  STATUS items packed and waiting to be queued together (one hub_store_downward_queue_many for
//  every request a move or a queueing tells), each with the history row it tells.
typedef struct {
    int64_t history_id;
    uint8_t *body;
    size_t size;
    char ref [HUB_MAX_REF];
    char network [CII_MAX_NETWORK_NAME + 1];
    char state [CII_MAX_STATE + 1];
    char subject [HUB_MAX_REF + 16];
} s_status_t;

typedef struct {
    s_status_t *rows;
    size_t count, capacity;
} s_statuses_t;

static void
s_statuses_clear (s_statuses_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free (list->rows [i].body);
    free (list->rows);
    memset (list, 0, sizeof *list);
}

//  Queues every collected STATUS with one statement (the heads of their agents locked once, in id
//  order), marks their history rows queued, and empties the list.
static cii_rc_t
s_statuses_flush (hub_store_t *store, s_statuses_t *list, cii_err_t *err)
{
    cii_rc_t rc = CII_OK;
    hub_downward_item_t *items = calloc (list->count + 1, sizeof *items);
    const char **networks = calloc (list->count + 1, sizeof *networks);
    int64_t *recipients = calloc (list->count + 1, sizeof *recipients);
    int64_t *history_ids = calloc (list->count + 1, sizeof *history_ids);
    if (!items || !networks || !recipients || !history_ids)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == CII_OK && i < list->count; i++) {
        s_status_t *row = &list->rows [i];
        networks [i] = row->network;
        items [i] = (hub_downward_item_t) { "status", row->body, row->size, &networks [i], 1, row->subject };
        history_ids [i] = row->history_id;
    }
    if (rc == CII_OK
    &&  (hub_store_downward_queue_many (store, items, list->count, recipients) != CII_OK
    ||   hub_store_history_queued (store, history_ids, list->count) != CII_OK))
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < list->count; i++) {
        s_status_t *row = &list->rows [i];
        zsys_info ("hub: %s (%s): STATUS %s queued for %" PRId64 " agent%s", row->ref, row->network, row->state,
                   recipients [i], recipients [i] == 1 ? "" : "s");
    }
    free (items);
    free (networks);
    free (recipients);
    free (history_ids);
    s_statuses_clear (list);
    return rc;
}

//  Packs one STATUS into list (queued by s_statuses_flush, which marks its history row queued).
static cii_rc_t
s_queue_one (hub_store_t *store, const hub_request_lock_t *request, const s_pending_t *row,
             const s_criteria_t *criteria, s_statuses_t *list, cii_err_t *err)
{
    if (!*request->network) {
        //  A national request (from the monitoring of a recommendation): no network raised it, so
        //  nothing goes down; the row counts as told.
        if (hub_store_history_queued (store, &row->id, 1) != CII_OK)
            return hub_store_fail (store, err);
        return CII_OK;
    }
    const hub_state_t *state = hub_flow_state (row->state);
    cii_criterion_t list_criteria [CII_MAX_CRITERIA];
    size_t n = 0;
    if (state && (state->flags & HUB_STATE_EVALUATE))
        for (; n < criteria->count; n++)
            list_criteria [n] = (cii_criterion_t) { criteria->rows [n].id, criteria->rows [n].met,
                                                    criteria->rows [n].reason };
    cii_status_t status = {
        .ref = request->ref,
        .request_id = request->message_id,
        .state = row->state,
        .organ = row->organ,
        .at_ms = row->at_ms,
        .note = row->note,
        .criteria = list_criteria,
        .n_criteria = n,
        .theme = request->theme,
        .meeting = row->meeting,
    };
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        s_status_t *bigger = realloc (list->rows, capacity * sizeof *bigger);
        if (!bigger)
            return cii_err_set (err, CII_NO_MEMORY, "out of memory");
        list->rows = bigger;
        list->capacity = capacity;
    }
    s_status_t *item = &list->rows [list->count];
    memset (item, 0, sizeof *item);
    cii_rc_t rc = cii_wire_status_pack (&status, &item->body, &item->size, err);
    if (rc != CII_OK) {
        zsys_error ("hub: %s: the STATUS %s cannot be packed: %s", request->ref, row->state, err ? err->text : "");
        return rc;
    }
    item->history_id = row->id;
    snprintf (item->ref, sizeof item->ref, "%s", request->ref);
    snprintf (item->network, sizeof item->network, "%s", request->network);
    snprintf (item->state, sizeof item->state, "%s", row->state);
    snprintf (item->subject, sizeof item->subject, "request:%s", request->ref);
    list->count++;
    return CII_OK;
}

//  hub_flow_queue with the STATUS items collected into list (the caller flushes it).
static cii_rc_t
s_flow_queue (hub_store_t *store, int64_t request_id, s_statuses_t *list, cii_err_t *err)
{
    bool own = false;
    if (hub_store_tx_begin (store, "status", &own) != CII_OK)
        return hub_store_fail (store, err);
    s_pendings_t pending = { NULL, 0, 0, false };
    s_criteria_t criteria;
    memset (&criteria, 0, sizeof criteria);
    hub_request_lock_t request;
    cii_rc_t rc = hub_store_request_lock_id (store, request_id, &request);
    if (rc == CII_NOT_FOUND)
        cii_err_set (err, rc, "no request %" PRId64, request_id);
    else
    if (rc != CII_OK)
        hub_store_fail (store, err);
    if (rc == CII_OK && hub_store_request_history (store, request_id, true, s_pending_row, &pending) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && pending.failed)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    bool carries = false;
    for (size_t i = 0; rc == CII_OK && i < pending.count; i++) {
        const hub_state_t *state = hub_flow_state (pending.rows [i].state);
        carries = carries || (state && (state->flags & HUB_STATE_EVALUATE));
    }
    if (rc == CII_OK && carries && hub_store_criteria (store, request_id, s_criterion_row, &criteria) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && carries && criteria.count == 0) {
        //  Queued before the work after the commit evaluated it (a decision came first): now.
        rc = hub_gate_evaluate (store, request_id, err);
        if (rc == CII_OK && hub_store_criteria (store, request_id, s_criterion_row, &criteria) != CII_OK)
            rc = hub_store_fail (store, err);
    }
    for (size_t i = 0; rc == CII_OK && i < pending.count; i++)
        rc = s_queue_one (store, &request, &pending.rows [i], &criteria, list, err);
    for (size_t i = 0; i < pending.count; i++)
        free (pending.rows [i].note);
    free (pending.rows);
    //  Joined (a move): the caller flushes the list before its commit. Its own: now.
    if (rc == CII_OK && own)
        rc = s_statuses_flush (store, list, err);
    if (hub_store_tx_end (store, "status", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    return rc;
}

cii_rc_t
hub_flow_queue (hub_store_t *store, int64_t request_id, cii_err_t *err)
{
    assert (store);
    s_statuses_t list = { NULL, 0, 0 };
    cii_rc_t rc = s_flow_queue (store, request_id, &list, err);
    if (rc == CII_OK && list.count)
        rc = s_statuses_flush (store, &list, err);
    s_statuses_clear (&list);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The transition function

cii_rc_t
hub_flow_move (hub_store_t *store, const hub_request_lock_t *requests, size_t count, const hub_move_t *move,
               unsigned flags, int64_t *at_ms, cii_err_t *err)
{
    assert (store && (count == 0 || requests) && move);
    for (size_t i = 0; i < count; i++) {
        cii_rc_t rc = hub_flow_check (requests [i].ref, requests [i].state, move, NULL, err);
        if (rc == CII_OK)
            rc = hub_flow_check_more (store, &requests [i], move, err);
        if (rc != CII_OK)
            return rc;
    }
    const hub_state_t *target = hub_flow_state (move->to);
    bool own = false;
    if (hub_store_tx_begin (store, "move", &own) != CII_OK)
        return hub_store_fail (store, err);
    cii_rc_t rc = CII_OK;
    int64_t when = 0;
    for (size_t i = 0; rc == CII_OK && i < count; i++) {
        rc = hub_store_request_change (store, requests [i].id, move->to, move->organ, move->note, move->meeting,
                                       move->by == HUB_BY_THEME ? move->theme_id : 0, &when);
        if (rc != CII_OK)
            hub_store_fail (store, err);
    }
    if (rc == CII_OK && (target->flags & HUB_STATE_PROGRAMME))
        rc = hub_programme_on_project (store, requests, count, move->organ, NULL, err);
    if (rc == CII_OK && !(flags & HUB_FLOW_DEFER) && count > 1) {
        //  The STATUS items go to several networks one by one: their agents locked first, in the
        //  order every other queueing transaction locks them.
        const char **networks = calloc (count, sizeof *networks);
        if (!networks)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
        for (size_t i = 0; networks && i < count; i++)
            networks [i] = requests [i].network;
        if (networks && hub_store_requests_lock_agents (store, networks, count) != CII_OK)
            rc = hub_store_fail (store, err);
        free (networks);
    }
    if (!(flags & HUB_FLOW_DEFER)) {
        //  Every request moved before any is evaluated: a theme's breadth counts them all.
        for (size_t i = 0; rc == CII_OK && i < count; i++)
            if (target->flags & HUB_STATE_EVALUATE)
                rc = hub_gate_evaluate (store, requests [i].id, err);
        //  Their STATUS items queued together: one statement for them all.
        s_statuses_t list = { NULL, 0, 0 };
        for (size_t i = 0; rc == CII_OK && i < count; i++)
            rc = s_flow_queue (store, requests [i].id, &list, err);
        if (rc == CII_OK && list.count)
            rc = s_statuses_flush (store, &list, err);
        s_statuses_clear (&list);
    }
    if (hub_store_tx_end (store, "move", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK)
        return rc;
    for (size_t i = 0; i < count; i++)
        zsys_info ("hub: %s (%s): %s -> %s by the %s%s%s", requests [i].ref,
                   *requests [i].network ? requests [i].network : "national", requests [i].state,
                   move->to, move->organ, move->meeting && *move->meeting ? " in " : "",
                   move->meeting ? move->meeting : "");
    if (at_ms)
        *at_ms = when;
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Decisions

void
hub_decision_clear (hub_decision_t *decision)
{
    if (!decision)
        return;
    free (decision->moved);
    decision->moved = NULL;
    decision->count = 0;
}

typedef struct {
    int64_t id;
    bool found;
} s_theme_t;

static bool
s_theme_row (const hub_theme_row_t *row, void *arg)
{
    s_theme_t *theme = arg;
    theme->id = row->id;
    theme->found = true;
    return false;
}

cii_rc_t
hub_flow_decide (hub_store_t *store, const char *ref, const char *to, const char *organ, const char *note,
                 hub_decision_t *out, cii_err_t *err)
{
    return hub_flow_decide_in (store, ref, to, organ, NULL, note, out, err);
}

cii_rc_t
hub_flow_decide_in (hub_store_t *store, const char *ref, const char *to, const char *organ, const char *meeting,
                    const char *note, hub_decision_t *out, cii_err_t *err)
{
    assert (store && ref && out);
    memset (out, 0, sizeof *out);
    if (meeting && !*meeting)
        meeting = NULL;
    hub_move_t move = { .to = to, .organ = organ, .by = HUB_BY_DECIDE, .note = note, .meeting = meeting };
    cii_rc_t rc = s_check_move (&move, err);
    if (rc != CII_OK)
        return rc;
    char shown [12];
    bool theme = strncmp (ref, "NT-", 3) == 0;
    bool own = false;
    if (hub_store_tx_begin (store, "decide", &own) != CII_OK)
        return hub_store_fail (store, err);
    hub_request_lock_t *requests = NULL;
    size_t count = 0;
    s_theme_t found = { 0, false };
    if (theme) {
        if (hub_store_themes (store, ref, NULL, 0, s_theme_row, &found) != CII_OK)
            rc = hub_store_fail (store, err);
        else
        if (!found.found)
            rc = cii_err_set (err, CII_NOT_FOUND, "unknown theme %s", hub_requests_ref_shown (ref, shown));
        else
        if (hub_store_requests_lock_theme (store, ref, &requests, &count) != CII_OK)
            rc = hub_store_fail (store, err);
        //  The closed ones are passed by.
        size_t open = 0;
        for (size_t i = 0; rc == CII_OK && i < count; i++) {
            const hub_state_t *state = hub_flow_state (requests [i].state);
            if (!state || !(state->flags & HUB_STATE_CLOSED))
                requests [open++] = requests [i];
        }
        count = open;
        if (rc == CII_OK && count == 0)
            rc = cii_err_set (err, CII_REFUSED, "%s has no open request", ref);
    }
    else {
        requests = calloc (1, sizeof *requests);
        if (!requests)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
        else {
            rc = hub_store_request_lock (store, ref, requests);
            if (rc == CII_NOT_FOUND)
                cii_err_set (err, rc, "unknown request %s", hub_requests_ref_shown (ref, shown));
            else
            if (rc != CII_OK)
                hub_store_fail (store, err);
            count = rc == CII_OK ? 1 : 0;
        }
    }
    if (rc == CII_OK)
        rc = hub_flow_move (store, requests, count, &move, 0, &out->at_ms, err);
    if (rc == CII_OK && theme && hub_store_theme_state (store, found.id, to) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && !(out->moved = calloc (count, sizeof *out->moved)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (hub_store_tx_end (store, "decide", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK) {
        snprintf (out->ref, sizeof out->ref, "%s", ref);
        snprintf (out->to, sizeof out->to, "%s", to);
        snprintf (out->organ, sizeof out->organ, "%s", organ);
        snprintf (out->meeting, sizeof out->meeting, "%s", meeting ? meeting : "");
        for (size_t i = 0; i < count; i++) {
            snprintf (out->moved [i].ref, sizeof out->moved [i].ref, "%s", requests [i].ref);
            snprintf (out->moved [i].from, sizeof out->moved [i].from, "%s", requests [i].state);
        }
        out->count = count;
    }
    else
        hub_decision_clear (out);
    free (requests);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  WITHDRAW: the network's own transition, stored by the batch ingest

static cii_rc_t
s_withdraw_one (hub_store_t *store, hub_ingest_item_t *item)
{
    const cii_withdraw_t *withdraw = item->item;
    cii_rc_t rc;
    if (hub_store_ingest_resend (store, item, &rc) || rc != CII_OK)
        return rc;
    hub_request_lock_t request;
    rc = withdraw->request_id ? hub_store_request_lock_message (store, item->network, withdraw->request_id, &request)
                              : CII_NOT_FOUND;
    if (rc == CII_NOT_FOUND) {
        item->refused = CII_NOT_FOUND;
        snprintf (item->reason, sizeof item->reason, "withdraw names request %.64s, which network %.32s has not sent",
                  withdraw->request_id ? withdraw->request_id : "", item->network);
        zsys_warning ("hub: agent %s: refused %s: %s", item->network, item->message_id, item->reason);
        return CII_OK;
    }
    if (rc != CII_OK)
        return rc;
    hub_move_t move = { .to = "withdrawn", .organ = "network", .by = HUB_BY_NETWORK, .note = withdraw->reason };
    cii_err_t why;
    cii_err_clear (&why);
    if (hub_flow_check (request.ref, request.state, &move, NULL, &why) != CII_OK) {
        item->refused = why.rc == CII_REFUSED ? CII_REFUSED : CII_BAD_INPUT;
        snprintf (item->reason, sizeof item->reason, "%.*s", (int) sizeof item->reason - 1, why.text);
        zsys_warning ("hub: agent %s: refused %s: %s", item->network, item->message_id, item->reason);
        return CII_OK;
    }
    //  The log row first: a concurrent insert of the same message makes this one a resend.
    rc = hub_store_requests_log (store, item->agent_id, item->message_id, "withdraw", request.ref, item->digest,
                                 &item->received_at_ms);
    if (rc == CII_CONFLICT) {
        hub_store_ingest_resend (store, item, &rc);
        return rc;
    }
    if (rc != CII_OK)
        return rc;
    rc = hub_flow_move (store, &request, 1, &move, HUB_FLOW_DEFER, NULL, &why);
    if (rc != CII_OK)
        return rc;
    snprintf (item->ref, sizeof item->ref, "%s", request.ref);
    item->stored = true;
    return CII_OK;
}

const hub_ingest_shape_t hub_flow_withdraw_shape = {
    .kind = "withdraw",
    .statement = "cii_ingest_withdraw",
    .store = s_withdraw_one,
};
