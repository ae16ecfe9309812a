/*  agent_requests.c — the regional coordinator's consolidation (see agent_requests.h): every use
    case works on a request loaded into memory (s_request_t) inside one write transaction: its
    state checked and changed by s_transition (the table s_table; the only code that assigns a
    state), the input applied, the derived fields recomputed from its signals (s_derive), the
    result checked against the domain (cii_request_check), then written back. */
#include "agent_requests.h"

#include <assert.h>
#include <czmq.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_intake.h"
#include "agent_store_config.h"
#include "agent_store_inbox.h"
#include "agent_store_outbox.h"
#include "cii_kind.h"
#include "cii_util.h"
#include "cii_wire.h"

#define S_STATE_MAX   (CII_MAX_STATE + 8)
#define S_ERROR_TEXT  401               //  a wire error text (400 bytes) and its NUL
#define S_TOKEN_SHOW  48                //  an echoed token in a reason

//  --------------------------------------------------------------------------------------------
//  A request in memory: the row's fields, owned; lists as arrays and canton sets

typedef struct {
    int64_t id;
    char state [S_STATE_MAX];
    char origin [8];
    char *title;
    char *summary;
    char *assessment;
    char *national_reason;
    char language [3];
    cii_objective_t objectives [CII_MAX_OBJECTIVES];
    size_t n_objectives;
    cii_priority_t priorities [CII_MAX_PRIORITIES];
    size_t n_priorities;
    bool support [CII_CANTON_COUNT];            //  by index of cii_domain_canton_at
    cii_institution_t institutions [CII_MAX_INSTITUTIONS];
    size_t n_institutions;
    cii_target_group_t target_groups [CII_MAX_TARGET_GROUPS];
    size_t n_target_groups;
    bool cantons [CII_CANTON_COUNT];
    int64_t created_at_ms;
    int64_t updated_at_ms;
    char message_id [AGENT_MESSAGE_ID_SIZE];    //  "" before forward
    int64_t forwarded_at_ms;
    char hub_ref [CII_MAX_REF + 1];             //  "" until known
    int64_t hub_received_at_ms;
    bool refused;
    int refused_code;
    char refused_text [S_ERROR_TEXT];
    int64_t refused_at_ms;
    char theme [CII_MAX_REF + 1];
    int64_t signals [CII_MAX_REQUEST_SIGNALS];
    size_t n_signals;
    bool no_memory;
} s_request_t;

static void
s_request_free (s_request_t *r)
{
    free (r->title);
    free (r->summary);
    free (r->assessment);
    free (r->national_reason);
    r->title = r->summary = r->assessment = r->national_reason = NULL;
}

//  Replaces *field by a copy of text (NULL as ""); false when out of memory.
static bool
s_set (char **field, const char *text)
{
    char *copy = strdup (text ? text : "");
    if (!copy)
        return false;
    free (*field);
    *field = copy;
    return true;
}

static int
s_canton_index (const char *code)
{
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        if (code && strcmp (cii_domain_canton_at (i), code) == 0)
            return (int) i;
    return -1;
}

//  Calls fn with each entry of a comma list (spaces around entries trimmed, empty ones skipped),
//  copied into a NUL-terminated buffer (entries longer than it are cut: never a valid value).
typedef cii_rc_t (s_item_fn) (const char *item, void *arg, cii_err_t *err);

static cii_rc_t
s_each_item (const char *list, s_item_fn *fn, void *arg, cii_err_t *err)
{
    for (const char *p = list ? list : ""; *p; ) {
        size_t len = strcspn (p, ",");
        const char *start = p;
        size_t size = len;
        while (size > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            size--;
        }
        while (size > 0 && (start [size - 1] == ' ' || start [size - 1] == '\t'))
            size--;
        if (size > 0) {
            char item [80];
            if (size >= sizeof item)
                size = sizeof item - 1;
            memcpy (item, start, size);
            item [size] = '\0';
            cii_rc_t rc = fn (item, arg, err);
            if (rc != CII_OK)
                return rc;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return CII_OK;
}

//  A token as it may appear in a reason: printable ASCII, at most S_TOKEN_SHOW - 4 bytes.
static const char *
s_show (const char *token, char buf [S_TOKEN_SHOW])
{
    size_t len = 0;
    for (const char *p = token ? token : ""; *p && len < S_TOKEN_SHOW - 4; p++)
        buf [len++] = (*p >= 0x20 && *p < 0x7f && *p != '\'') ? *p : '?';
    if (token && strlen (token) > len)
        buf [len++] = '.', buf [len++] = '.', buf [len++] = '.';
    buf [len] = '\0';
    return buf;
}

//  "none" (any case) or nothing: an empty list.
static bool
s_none (const char *list)
{
    while (list && (*list == ' ' || *list == '\t'))
        list++;
    return !list || !*list || strcasecmp (list, "none") == 0;
}

//  --- lists from their text --------------------------------------------------------------------

static cii_rc_t
s_add_objective (const char *item, void *arg, cii_err_t *err)
{
    s_request_t *r = arg;
    cii_objective_t value = cii_domain_objective_from_name (item);
    char buf [S_TOKEN_SHOW];
    if (value == CII_OBJECTIVE_NONE)
        return cii_err_set (err, CII_BAD_INPUT, "unknown objective '%s' (valid: labour-market-integration, "
                            "system-coordination)", s_show (item, buf));
    for (size_t i = 0; i < r->n_objectives; i++)
        if (r->objectives [i] == value)
            return CII_OK;
    if (r->n_objectives < CII_MAX_OBJECTIVES)
        r->objectives [r->n_objectives++] = value;
    return CII_OK;
}

static cii_rc_t
s_add_priority (const char *item, void *arg, cii_err_t *err)
{
    s_request_t *r = arg;
    char upper [8] = "";
    for (size_t i = 0; item [i] && i < sizeof upper - 1; i++)
        upper [i] = (char) toupper ((unsigned char) item [i]), upper [i + 1] = '\0';
    cii_priority_t value = cii_domain_priority_from_name (upper);
    char buf [S_TOKEN_SHOW];
    if (value == CII_PRIORITY_NONE)
        return cii_err_set (err, CII_BAD_INPUT, "unknown priority '%s' (valid: P1, P2, P3)", s_show (item, buf));
    for (size_t i = 0; i < r->n_priorities; i++)
        if (r->priorities [i] == value)
            return CII_OK;
    if (r->n_priorities < CII_MAX_PRIORITIES)
        r->priorities [r->n_priorities++] = value;
    return CII_OK;
}

//  A canton as typed: one of the 26 (any case) into code[3].
static cii_rc_t
s_canton (const char *item, char code [3], cii_err_t *err)
{
    char buf [S_TOKEN_SHOW];
    if (strlen (item) != 2)
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton '%s'", s_show (item, buf));
    code [0] = (char) toupper ((unsigned char) item [0]);
    code [1] = (char) toupper ((unsigned char) item [1]);
    code [2] = '\0';
    if (!cii_domain_canton_valid (code))
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton '%s'", s_show (item, buf));
    return CII_OK;
}

typedef struct {
    bool *set;
    const cii_bundle_t *config;       //  NULL: any canton (read back from the store)
} s_cantons_t;

static cii_rc_t
s_add_canton (const char *item, void *arg, cii_err_t *err)
{
    s_cantons_t *cantons = arg;
    char code [3];
    cii_rc_t rc = s_canton (item, code, err);
    if (rc == CII_OK && cantons->config)
        rc = agent_intake_in_network (cantons->config, code, err);
    if (rc == CII_OK)
        cantons->set [s_canton_index (code)] = true;
    return rc;
}

static cii_rc_t
s_add_institution (const char *item, void *arg, cii_err_t *err)
{
    (void) err;
    s_request_t *r = arg;
    cii_institution_t value = cii_domain_institution_from_name (item);
    if (value != CII_INSTITUTION_NONE && r->n_institutions < CII_MAX_INSTITUTIONS)
        r->institutions [r->n_institutions++] = value;
    return CII_OK;
}

static cii_rc_t
s_add_group (const char *item, void *arg, cii_err_t *err)
{
    (void) err;
    s_request_t *r = arg;
    cii_target_group_t value = cii_domain_target_group_from_name (item);
    if (value != CII_TARGET_GROUP_NONE && r->n_target_groups < CII_MAX_TARGET_GROUPS)
        r->target_groups [r->n_target_groups++] = value;
    return CII_OK;
}

static cii_rc_t
s_add_signal_id (const char *item, void *arg, cii_err_t *err)
{
    (void) err;
    s_request_t *r = arg;
    if (r->n_signals < CII_MAX_REQUEST_SIGNALS)
        r->signals [r->n_signals++] = strtoll (item, NULL, 10);
    return CII_OK;
}

//  --- lists to their text ----------------------------------------------------------------------

//  Room for every name of a list, commas included.
#define S_LIST_MAX 200

static void
s_names (const int *values, size_t count, const char *(*name_of) (int), char buf [S_LIST_MAX])
{
    size_t len = 0;
    buf [0] = '\0';
    for (size_t i = 0; i < count; i++) {
        const char *name = name_of (values [i]);
        if (name && len < S_LIST_MAX)
            len += (size_t) snprintf (buf + len, S_LIST_MAX - len, "%s%s", len ? "," : "", name);
    }
}

static void
s_canton_list (const bool set [CII_CANTON_COUNT], char buf [S_LIST_MAX])
{
    size_t len = 0;
    buf [0] = '\0';
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        if (set [i])
            len += (size_t) snprintf (buf + len, S_LIST_MAX - len, "%s%s", len ? "," : "", cii_domain_canton_at (i));
}

//  --------------------------------------------------------------------------------------------
//  Loading and saving

static bool
s_copy_row (const agent_request_row_t *row, void *arg)
{
    s_request_t *r = arg;
    r->id = row->id;
    agent_store_copy (r->state, sizeof r->state, row->state);
    agent_store_copy (r->origin, sizeof r->origin, row->origin);
    if (!s_set (&r->title, row->title) || !s_set (&r->summary, row->summary)
    ||  !s_set (&r->assessment, row->assessment) || !s_set (&r->national_reason, row->national_reason))
        r->no_memory = true;
    agent_store_copy (r->language, sizeof r->language, row->language);
    r->n_objectives = r->n_priorities = r->n_institutions = r->n_target_groups = r->n_signals = 0;
    s_each_item (row->objectives, s_add_objective, r, NULL);
    s_each_item (row->priorities, s_add_priority, r, NULL);
    s_each_item (row->institutions, s_add_institution, r, NULL);
    s_each_item (row->target_groups, s_add_group, r, NULL);
    memset (r->support, 0, sizeof r->support);
    memset (r->cantons, 0, sizeof r->cantons);
    s_each_item (row->support, s_add_canton, &(s_cantons_t) { r->support, NULL }, NULL);
    s_each_item (row->cantons, s_add_canton, &(s_cantons_t) { r->cantons, NULL }, NULL);
    r->created_at_ms = row->created_at_ms;
    r->updated_at_ms = row->updated_at_ms;
    agent_store_copy (r->message_id, sizeof r->message_id, row->message_id);
    r->forwarded_at_ms = row->forwarded_at_ms;
    agent_store_copy (r->hub_ref, sizeof r->hub_ref, row->hub_ref);
    r->hub_received_at_ms = row->hub_received_at_ms;
    r->refused = row->refused;
    r->refused_code = row->refused_code;
    agent_store_copy (r->refused_text, sizeof r->refused_text, row->refused_text);
    r->refused_at_ms = row->refused_at_ms;
    agent_store_copy (r->theme, sizeof r->theme, row->theme);
    s_each_item (row->signals, s_add_signal_id, r, NULL);
    return false;
}

static cii_rc_t
s_load (agent_store_t *store, int64_t id, s_request_t *r, cii_err_t *err)
{
    memset (r, 0, sizeof *r);
    cii_rc_t rc = agent_store_request_get (store, id, s_copy_row, r, err);
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, CII_NOT_FOUND, "no request %" PRId64 " in this agent", id);
    if (rc == CII_OK && r->no_memory)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    return rc;
}

//  Sorts count values ascending (lists are kept in enum order).
static void
s_sort (int *values, size_t count)
{
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && values [j - 1] > values [j]; j--) {
            int swap = values [j];
            values [j] = values [j - 1];
            values [j - 1] = swap;
        }
}

//  Writes r (a new row when r->id is 0: r->id receives its id), and its signals when with_signals.
static cii_rc_t
s_save (agent_store_t *store, s_request_t *r, bool with_signals, cii_err_t *err)
{
    int values [CII_MAX_INSTITUTIONS];
    char objectives [S_LIST_MAX], priorities [S_LIST_MAX], support [S_LIST_MAX], institutions [S_LIST_MAX],
         groups [S_LIST_MAX], cantons [S_LIST_MAX];
    for (size_t i = 0; i < r->n_objectives; i++)
        values [i] = (int) r->objectives [i];
    s_sort (values, r->n_objectives);
    s_names (values, r->n_objectives, cii_domain_objective_name, objectives);
    for (size_t i = 0; i < r->n_priorities; i++)
        values [i] = (int) r->priorities [i];
    s_sort (values, r->n_priorities);
    s_names (values, r->n_priorities, cii_domain_priority_name, priorities);
    for (size_t i = 0; i < r->n_institutions; i++)
        values [i] = (int) r->institutions [i];
    s_names (values, r->n_institutions, cii_domain_institution_name, institutions);
    for (size_t i = 0; i < r->n_target_groups; i++)
        values [i] = (int) r->target_groups [i];
    s_names (values, r->n_target_groups, cii_domain_target_group_name, groups);
    s_canton_list (r->support, support);
    s_canton_list (r->cantons, cantons);
    agent_request_row_t row = {
        .id = r->id,
        .state = r->state,
        .origin = r->origin [0] ? r->origin : "agent",
        .title = r->title,
        .summary = r->summary,
        .assessment = r->assessment,
        .language = r->language,
        .objectives = objectives,
        .priorities = priorities,
        .support = support,
        .institutions = institutions,
        .target_groups = groups,
        .cantons = cantons,
        .national_reason = r->national_reason,
        .created_at_ms = r->created_at_ms,
        .updated_at_ms = r->updated_at_ms,
        .message_id = r->message_id [0] ? r->message_id : NULL,
        .forwarded_at_ms = r->forwarded_at_ms,
        .hub_ref = r->hub_ref [0] ? r->hub_ref : NULL,
        .hub_received_at_ms = r->hub_received_at_ms,
        .refused = r->refused,
        .refused_code = r->refused_code,
        .refused_text = r->refused_text,
        .refused_at_ms = r->refused_at_ms,
        .theme = r->theme,
    };
    cii_rc_t rc = r->id == 0 ? agent_store_request_insert (store, &row, &r->id, err)
                             : agent_store_request_update (store, &row, err);
    if (rc == CII_OK && with_signals)
        rc = agent_store_request_signals_set (store, r->id, r->signals, r->n_signals, err);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The state table: (class of the current state, event) -> next state. A request is made as a
//  "draft" (by the coordinator) or in the state a STATUS names (one this agent did not know);
//  every later state is assigned by s_transition, and nowhere else.

typedef enum {
    EV_EDIT,            //  request edit (a refused request becomes a draft again)
    EV_MERGE,           //  request merge: the one that absorbs the other
    EV_ABSORB,          //  request merge: the one absorbed
    EV_SPLIT,           //  request split: the one signals are taken from
    EV_FORWARD,
    EV_RECEIPT,         //  RECEIPT of the REQUEST
    EV_REFUSAL,         //  a final ERROR for the REQUEST
    EV_STATUS,          //  a STATUS: the state it names
    EV_WITHDRAW         //  request withdraw: the hub decides, the state stays
} s_event_t;

static const char *s_event_names [] = {
    "edited", "merged", "merged", "split", "forwarded", "receipted", "refused", "given a status", "withdrawn"
};

typedef enum {
    C_DRAFT,            //  "draft"
    C_MERGED,           //  "merged"
    C_FORWARDED,        //  "forwarded"
    C_REFUSED,          //  "refused"
    C_HUB,              //  any state of the hub's but a final one
    C_FINAL             //  a final state of the hub's (agent_requests_final)
} s_class_t;

#define S_SAME  NULL                      //  the state does not change
#define S_GIVEN "*"                       //  the state the STATUS names

static const struct {
    s_class_t from;
    s_event_t event;
    const char *to;
} s_table [] = {
    { C_DRAFT,     EV_EDIT,     "draft" },
    { C_REFUSED,   EV_EDIT,     "draft" },        //  corrected, to be forwarded again
    { C_DRAFT,     EV_MERGE,    "draft" },
    { C_DRAFT,     EV_ABSORB,   "merged" },
    { C_DRAFT,     EV_SPLIT,    "draft" },
    { C_DRAFT,     EV_FORWARD,  "forwarded" },
    { C_FORWARDED, EV_RECEIPT,  "received" },
    { C_HUB,       EV_RECEIPT,  S_SAME },         //  a STATUS came before the RECEIPT
    { C_FINAL,     EV_RECEIPT,  S_SAME },
    { C_FORWARDED, EV_REFUSAL,  "refused" },
    { C_FORWARDED, EV_STATUS,   S_GIVEN },
    { C_REFUSED,   EV_STATUS,   S_GIVEN },        //  the hub is the truth
    { C_HUB,       EV_STATUS,   S_GIVEN },
    { C_FINAL,     EV_STATUS,   S_GIVEN },
    { C_FORWARDED, EV_WITHDRAW, S_SAME },         //  the WITHDRAW waits for the REQUEST's receipt
    { C_HUB,       EV_WITHDRAW, S_SAME },
};

//  The hub's closed states (hub_flow.c: HUB_STATE_CLOSED), and "closed" of an older hub.
static const char *s_final_states [] = { "withdrawn", "inadmissible", "declined", "answered", "recommended",
                                          "closed" };

bool
agent_requests_final (const char *state)
{
    for (size_t i = 0; state && i < sizeof s_final_states / sizeof s_final_states [0]; i++)
        if (strcmp (state, s_final_states [i]) == 0)
            return true;
    return false;
}

static s_class_t
s_class (const char *state)
{
    return strcmp (state, "draft") == 0 ? C_DRAFT
         : strcmp (state, "merged") == 0 ? C_MERGED
         : strcmp (state, "forwarded") == 0 ? C_FORWARDED
         : strcmp (state, "refused") == 0 ? C_REFUSED
         : agent_requests_final (state) ? C_FINAL : C_HUB;
}

//  Why event does not apply to r.
static cii_rc_t
s_not_allowed (const s_request_t *r, s_event_t event, cii_err_t *err)
{
    s_class_t from = s_class (r->state);
    if (event == EV_WITHDRAW)
        return cii_err_set (err, CII_REFUSED, "request %" PRId64 " %s: nothing to withdraw", r->id,
                            from == C_DRAFT ? "is a draft, never forwarded"
                          : from == C_MERGED ? "was merged into another request"
                          : from == C_REFUSED ? "was refused by the hub, which holds nothing of it"
                          : "is in a final state");
    if (from == C_FINAL && event != EV_REFUSAL)
        return cii_err_set (err, CII_REFUSED, "request %" PRId64 " is %s (final): it cannot be %s", r->id, r->state,
                            s_event_names [event]);
    const char *only = event == EV_EDIT ? "only drafts (and refused requests) are edited"
                     : event == EV_FORWARD ? "only drafts are forwarded"
                     : event == EV_SPLIT ? "only drafts are split"
                     : event == EV_MERGE || event == EV_ABSORB ? "only drafts are merged"
                     : "that does not apply";
    return cii_err_set (err, CII_REFUSED, "request %" PRId64 " is %s: %s", r->id, r->state, only);
}

//  The only code that assigns a request's state: the table's entry for (r's state, event), with
//  given as the state a STATUS names. CII_REFUSED, r unchanged, when there is none.
static cii_rc_t
s_transition (s_request_t *r, s_event_t event, const char *given, cii_err_t *err)
{
    s_class_t from = s_class (r->state);
    for (size_t i = 0; i < sizeof s_table / sizeof s_table [0]; i++) {
        if (s_table [i].from != from || s_table [i].event != event)
            continue;
        const char *to = s_table [i].to;
        if (to && strcmp (to, S_GIVEN) == 0)
            to = given;
        if (to && !cii_domain_state_name_valid (to))
            return cii_err_set (err, CII_BAD_INPUT, "not a state name");
        if (to)
            agent_store_copy (r->state, sizeof r->state, to);
        r->updated_at_ms = cii_util_now_ms ();
        return CII_OK;
    }
    return s_not_allowed (r, event, err);
}

//  --------------------------------------------------------------------------------------------
//  The signals of a request, and what is derived from them

typedef struct {
    int64_t id;
    char message_id [AGENT_MESSAGE_ID_SIZE];
    char canton [3];
    char language [3];
    unsigned institutions;            //  bit n: institution n
    unsigned target_groups;
    char *reason;
    bool delivered;
    bool refused;
    char refused_name [32];
    char refused_text [S_ERROR_TEXT];
} s_signal_t;

typedef struct {
    s_signal_t *signal;
    bool no_memory;
} s_signal_copy_t;

static cii_rc_t
s_institution_bit (const char *item, void *arg, cii_err_t *err)
{
    (void) err;
    unsigned value = (unsigned) cii_domain_institution_from_name (item);
    if (value > 0 && value < 32)
        *(unsigned *) arg |= 1u << value;
    return CII_OK;
}

static cii_rc_t
s_group_bit (const char *item, void *arg, cii_err_t *err)
{
    (void) err;
    unsigned value = (unsigned) cii_domain_target_group_from_name (item);
    if (value > 0 && value < 32)
        *(unsigned *) arg |= 1u << value;
    return CII_OK;
}

static bool
s_copy_signal (const agent_signal_row_t *row, void *arg)
{
    s_signal_copy_t *copy = arg;
    s_signal_t *s = copy->signal;
    s->id = row->id;
    agent_store_copy (s->message_id, sizeof s->message_id, row->message_id);
    agent_store_copy (s->canton, sizeof s->canton, row->canton);
    agent_store_copy (s->language, sizeof s->language, row->language);
    s_each_item (row->institutions, s_institution_bit, &s->institutions, NULL);
    s_each_item (row->target_groups, s_group_bit, &s->target_groups, NULL);
    s->reason = strdup (row->national_reason ? row->national_reason : "");
    copy->no_memory = s->reason == NULL;
    s->delivered = row->delivered_at_ms > 0;
    s->refused = row->refused;
    agent_store_copy (s->refused_name, sizeof s->refused_name, row->refused_name);
    agent_store_copy (s->refused_text, sizeof s->refused_text, row->refused_text);
    return false;
}

static void
s_signals_free (s_signal_t **signals_p, size_t count)
{
    for (size_t i = 0; *signals_p && i < count; i++)
        free ((*signals_p) [i].reason);
    free (*signals_p);
    *signals_p = NULL;
}

//  Reads the signals of r into a new array *signals_p (r->n_signals entries).
static cii_rc_t
s_signals_load (agent_store_t *store, const s_request_t *r, s_signal_t **signals_p, cii_err_t *err)
{
    s_signal_t *signals = calloc (r->n_signals + 1, sizeof *signals);
    if (!signals)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    cii_rc_t rc = CII_OK;
    size_t loaded = 0;
    for (; loaded < r->n_signals && rc == CII_OK; loaded++) {
        s_signal_copy_t copy = { &signals [loaded], false };
        rc = agent_store_signal_get (store, r->signals [loaded], s_copy_signal, &copy, err);
        if (rc == CII_OK && copy.no_memory)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    if (rc != CII_OK) {
        s_signals_free (&signals, loaded);
        return rc;
    }
    *signals_p = signals;
    return CII_OK;
}

//  The combined national reason (agent_requests.h): each distinct text once, as "VD, GE: text",
//  one per line, cut at CII_MAX_REASON bytes with "…". NULL when out of memory.
static char *
s_national_reason (const s_signal_t *signals, size_t count)
{
    typedef struct {
        const char *text;
        bool cantons [CII_CANTON_COUNT];
    } group_t;
    group_t *groups = calloc (count + 1, sizeof *groups);
    if (!groups)
        return NULL;
    size_t n_groups = 0, size = 1;
    for (size_t i = 0; i < count; i++) {
        if (!signals [i].reason || !*signals [i].reason)
            continue;
        size_t g = 0;
        while (g < n_groups && strcmp (groups [g].text, signals [i].reason) != 0)
            g++;
        if (g == n_groups) {
            groups [n_groups++].text = signals [i].reason;
            size += strlen (signals [i].reason) + 3;      //  ": " and the line's end
        }
        int index = s_canton_index (signals [i].canton);
        if (index >= 0 && !groups [g].cantons [index]) {
            groups [g].cantons [index] = true;
            size += 4;
        }
    }
    char *text = malloc (size + 4);
    if (!text) {
        free (groups);
        return NULL;
    }
    size_t len = 0;
    text [0] = '\0';
    for (size_t g = 0; g < n_groups; g++) {
        if (g > 0)
            text [len++] = '\n';
        bool first = true;
        for (size_t c = 0; c < CII_CANTON_COUNT; c++)
            if (groups [g].cantons [c]) {
                len += (size_t) sprintf (text + len, "%s%s", first ? "" : ", ", cii_domain_canton_at (c));
                first = false;
            }
        len += (size_t) sprintf (text + len, ": %s", groups [g].text);
    }
    free (groups);
    if (len > CII_MAX_REASON) {
        size_t cut = CII_MAX_REASON - 3;              //  room for "…" (3 bytes of UTF-8)
        while (cut > 0 && ((unsigned char) text [cut] & 0xc0) == 0x80)
            cut--;                                    //  not inside a character
        memcpy (text + cut, "\xe2\x80\xa6", 4);
    }
    return text;
}

//  Recomputes r's derived fields from its signals (agent_requests.h).
static cii_rc_t
s_derive (s_request_t *r, const s_signal_t *signals, cii_err_t *err)
{
    unsigned institutions = 0, groups = 0;
    memcpy (r->cantons, r->support, sizeof r->cantons);
    for (size_t i = 0; i < r->n_signals; i++) {
        institutions |= signals [i].institutions;
        groups |= signals [i].target_groups;
        int index = s_canton_index (signals [i].canton);
        if (index >= 0)
            r->cantons [index] = true;
    }
    r->n_institutions = r->n_target_groups = 0;
    for (int value = 1; value <= CII_MAX_INSTITUTIONS; value++)
        if (institutions & (1u << value))
            r->institutions [r->n_institutions++] = (cii_institution_t) value;
    for (int value = 1; value <= CII_MAX_TARGET_GROUPS; value++)
        if (groups & (1u << value))
            r->target_groups [r->n_target_groups++] = (cii_target_group_t) value;
    char *reason = s_national_reason (signals, r->n_signals);
    if (!reason)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    free (r->national_reason);
    r->national_reason = reason;
    return CII_OK;
}

//  The language most of the signals have (the first one's on a tie); "" without signals.
static void
s_majority_language (const s_signal_t *signals, size_t count, char language [3])
{
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < count; i++) {
        size_t same = 0;
        for (size_t j = 0; j < count; j++)
            same += strcmp (signals [i].language, signals [j].language) == 0;
        if (same > best_count) {
            best = i;
            best_count = same;
        }
    }
    agent_store_copy (language, 3, count ? signals [best].language : "");
}

//  The domain view of r (strings borrowed from r and signals) with its lists in the arrays given.
typedef struct {
    cii_request_t request;
    const char *signal_ids [CII_MAX_REQUEST_SIGNALS];
    const char *cantons [CII_CANTON_COUNT];
} s_domain_t;

static void
s_domain (const s_request_t *r, const s_signal_t *signals, s_domain_t *d)
{
    memset (d, 0, sizeof *d);
    cii_request_t *q = &d->request;
    q->title = r->title;
    q->summary = r->summary;
    for (size_t i = 0; i < r->n_signals; i++)
        d->signal_ids [i] = signals [i].message_id;
    q->signal_ids = d->signal_ids;
    q->n_signal_ids = r->n_signals;
    memcpy (q->institutions, r->institutions, sizeof q->institutions);
    q->n_institutions = r->n_institutions;
    memcpy (q->target_groups, r->target_groups, sizeof q->target_groups);
    q->n_target_groups = r->n_target_groups;
    memcpy (q->objectives, r->objectives, sizeof q->objectives);
    q->n_objectives = r->n_objectives;
    memcpy (q->priorities, r->priorities, sizeof q->priorities);
    q->n_priorities = r->n_priorities;
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        if (r->cantons [i])
            d->cantons [q->n_cantons++] = cii_domain_canton_at (i);
    q->cantons = d->cantons;
    q->assessment = r->assessment;
    q->national_reason = r->national_reason;
    memcpy (q->language, r->language, sizeof q->language);
    q->created_at_ms = r->created_at_ms;
}

//  Derives r's fields from its signals (loaded here) and checks the result against the domain.
//  *signals_p (may be NULL) receives the signals (caller frees with s_signals_free).
static cii_rc_t
s_settle (agent_store_t *store, s_request_t *r, s_signal_t **signals_p, cii_err_t *err)
{
    if (r->n_signals == 0)
        return cii_err_set (err, CII_REFUSED, "a request needs at least one signal");
    s_signal_t *signals = NULL;
    cii_rc_t rc = s_signals_load (store, r, &signals, err);
    if (rc == CII_OK)
        rc = s_derive (r, signals, err);
    if (rc == CII_OK && !r->language [0])
        s_majority_language (signals, r->n_signals, r->language);
    if (rc == CII_OK) {
        s_domain_t d;
        s_domain (r, signals, &d);
        rc = cii_request_check (&d.request, "request", err);
        if (rc != CII_OK) {
            cii_err_prefix (err, "request refused");
            rc = CII_BAD_INPUT;
            if (err)
                err->rc = rc;
        }
    }
    if (rc == CII_OK && signals_p)
        *signals_p = signals;
    else
        s_signals_free (&signals, r->n_signals);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Input

//  Resolves one signal key: a local id ("12") or the hub's reference ("SIG-42", any case).
static cii_rc_t
s_signal_key (agent_store_t *store, const char *key, int64_t *id_p, cii_err_t *err)
{
    char buf [S_TOKEN_SHOW];
    bool digits = *key != '\0' && strlen (key) <= 18;
    for (const char *p = key; *p && digits; p++)
        digits = *p >= '0' && *p <= '9';
    cii_rc_t rc;
    if (digits) {
        *id_p = strtoll (key, NULL, 10);
        s_signal_t probe;
        memset (&probe, 0, sizeof probe);
        s_signal_copy_t copy = { &probe, false };
        rc = agent_store_signal_get (store, *id_p, s_copy_signal, &copy, err);
        free (probe.reason);
    }
    else {
        char upper [CII_MAX_REF + 1];
        size_t i = 0;
        for (; key [i] && i < sizeof upper - 1; i++)
            upper [i] = (char) toupper ((unsigned char) key [i]);
        upper [i] = '\0';
        rc = strlen (key) <= CII_MAX_REF ? agent_store_signal_by_ref (store, upper, id_p, err) : CII_NOT_FOUND;
    }
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, CII_NOT_FOUND, "no signal '%s' in this agent (give a signal id of cii-agent "
                            "signals, or its hub reference)", s_show (key, buf));
    return rc;
}

typedef struct {
    agent_store_t *store;
    int64_t ids [CII_MAX_REQUEST_SIGNALS];
    size_t count;
    size_t given;
} s_keys_t;

static cii_rc_t
s_add_key (const char *item, void *arg, cii_err_t *err)
{
    s_keys_t *keys = arg;
    int64_t id = 0;
    cii_rc_t rc = s_signal_key (keys->store, item, &id, err);
    if (rc != CII_OK)
        return rc;
    keys->given++;
    for (size_t i = 0; i < keys->count; i++)
        if (keys->ids [i] == id)
            return CII_OK;                //  named twice: once
    if (keys->count == CII_MAX_REQUEST_SIGNALS)
        return cii_err_set (err, CII_BAD_INPUT, "more than %d signals in one request", CII_MAX_REQUEST_SIGNALS);
    keys->ids [keys->count++] = id;
    return CII_OK;
}

static cii_rc_t
s_keys (agent_store_t *store, const char *list, s_keys_t *keys, cii_err_t *err)
{
    memset (keys, 0, sizeof *keys);
    keys->store = store;
    return s_each_item (list, s_add_key, keys, err);
}

static bool
s_has_signal (const s_request_t *r, int64_t id)
{
    for (size_t i = 0; i < r->n_signals; i++)
        if (r->signals [i] == id)
            return true;
    return false;
}

//  Adds signal id to r (once); CII_REFUSED when it would make too many.
static cii_rc_t
s_add_signal (s_request_t *r, int64_t id, cii_err_t *err)
{
    if (s_has_signal (r, id))
        return CII_OK;
    if (r->n_signals == CII_MAX_REQUEST_SIGNALS)
        return cii_err_set (err, CII_REFUSED, "request %" PRId64 " would consolidate more than %d signals", r->id,
                            CII_MAX_REQUEST_SIGNALS);
    r->signals [r->n_signals++] = id;
    return CII_OK;
}

static void
s_remove_signal (s_request_t *r, int64_t id)
{
    for (size_t i = 0; i < r->n_signals; i++)
        if (r->signals [i] == id) {
            memmove (&r->signals [i], &r->signals [i + 1], (r->n_signals - i - 1) * sizeof r->signals [0]);
            r->n_signals--;
            return;
        }
}

//  Applies the fields of input that are given (all but the signal lists) to r.
static cii_rc_t
s_apply (agent_store_t *store, s_request_t *r, const agent_request_input_t *input, cii_err_t *err)
{
    if (input->summary && input->summary_file)
        return cii_err_set (err, CII_BAD_INPUT, "give a summary or a summary file, not both");
    cii_bundle_t config;
    cii_rc_t rc = agent_store_config_get (store, &config, err);
    memset (config.agent_secret, 0, sizeof config.agent_secret);
    if (rc != CII_OK)
        return rc;
    if (input->title && !s_set (&r->title, input->title))
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (input->summary && !s_set (&r->summary, input->summary))
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (input->summary_file) {
        char *text = NULL;
        size_t size = 0;
        rc = cii_util_read_file_max (input->summary_file, CII_MAX_TEXT, &text, &size, err);
        if (rc == CII_OK && !cii_domain_utf8_valid (text, size))
            rc = cii_err_set (err, CII_BAD_INPUT, "%s is not valid UTF-8 text (or holds control characters)",
                              input->summary_file);
        if (rc != CII_OK) {
            free (text);
            return rc;
        }
        free (r->summary);
        r->summary = text;
    }
    if (input->assessment && !s_set (&r->assessment, input->assessment))
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (input->objectives) {
        r->n_objectives = 0;
        if (!s_none (input->objectives) && (rc = s_each_item (input->objectives, s_add_objective, r, err)) != CII_OK)
            return rc;
    }
    if (input->priorities) {
        r->n_priorities = 0;
        if (!s_none (input->priorities) && (rc = s_each_item (input->priorities, s_add_priority, r, err)) != CII_OK)
            return rc;
    }
    if (input->support) {
        memset (r->support, 0, sizeof r->support);
        s_cantons_t cantons = { r->support, &config };
        if (!s_none (input->support) && (rc = s_each_item (input->support, s_add_canton, &cantons, err)) != CII_OK)
            return rc;
    }
    if (input->lang) {
        char buf [S_TOKEN_SHOW];
        if (!cii_domain_language_valid (input->lang))
            return cii_err_set (err, CII_BAD_INPUT, "language '%s' is not fr, de, it or rm", s_show (input->lang, buf));
        agent_store_copy (r->language, sizeof r->language, input->lang);
    }
    return CII_OK;
}

//  Ends the transaction: commits when rc is CII_OK, else rolls back. Returns the outcome.
static cii_rc_t
s_end (agent_store_t *store, cii_rc_t rc, cii_err_t *err)
{
    if (rc == CII_OK)
        return agent_store_commit (store, err);
    agent_store_rollback (store);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The coordinator's use cases

cii_rc_t
agent_requests_new (agent_store_t *store, const agent_request_input_t *input, int64_t *id_p, cii_err_t *err)
{
    assert (store && input && id_p);
    if (!input->title)
        return cii_err_set (err, CII_BAD_INPUT, "a request needs a title");
    if (!input->summary && !input->summary_file)
        return cii_err_set (err, CII_BAD_INPUT, "a request needs a summary");
    if (s_none (input->signals))
        return cii_err_set (err, CII_BAD_INPUT, "a request needs at least one signal");
    s_request_t r;
    memset (&r, 0, sizeof r);
    agent_store_copy (r.state, sizeof r.state, "draft");        //  what every request starts as
    agent_store_copy (r.origin, sizeof r.origin, "agent");
    r.created_at_ms = r.updated_at_ms = cii_util_now_ms ();
    s_keys_t keys;
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = s_apply (store, &r, input, err);
    if (rc == CII_OK)
        rc = s_keys (store, input->signals, &keys, err);
    if (rc == CII_OK && keys.count == 0)
        rc = cii_err_set (err, CII_BAD_INPUT, "a request needs at least one signal");
    for (size_t i = 0; rc == CII_OK && i < keys.count; i++)
        rc = s_add_signal (&r, keys.ids [i], err);
    if (rc == CII_OK && !r.assessment && !s_set (&r.assessment, ""))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        rc = s_settle (store, &r, NULL, err);
    if (rc == CII_OK)
        rc = s_save (store, &r, true, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK) {
        *id_p = r.id;
        zsys_info ("agent %s: request %" PRId64 " drafted from %zu signals", agent_store_label (store), r.id,
                   r.n_signals);
    }
    s_request_free (&r);
    return rc;
}

cii_rc_t
agent_requests_edit (agent_store_t *store, int64_t id, const agent_request_input_t *input, bool *reopened_p,
                     cii_err_t *err)
{
    assert (store && input);
    if (reopened_p)
        *reopened_p = false;
    bool changes = input->title || input->summary || input->summary_file || input->assessment || input->add_signals
                || input->remove_signals || input->objectives || input->priorities || input->support || input->lang;
    s_request_t r;
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = s_load (store, id, &r, err);
    bool reopened = rc == CII_OK && s_class (r.state) == C_REFUSED;
    if (rc == CII_OK && !changes && !reopened)
        rc = cii_err_set (err, CII_BAD_INPUT, "nothing to change");
    if (rc == CII_OK)
        rc = s_transition (&r, EV_EDIT, NULL, err);
    if (rc == CII_OK)
        rc = s_apply (store, &r, input, err);
    s_keys_t keys;
    if (rc == CII_OK && input->add_signals && (rc = s_keys (store, input->add_signals, &keys, err)) == CII_OK)
        for (size_t i = 0; i < keys.count && rc == CII_OK; i++)
            rc = s_add_signal (&r, keys.ids [i], err);
    if (rc == CII_OK && input->remove_signals && (rc = s_keys (store, input->remove_signals, &keys, err)) == CII_OK)
        for (size_t i = 0; i < keys.count && rc == CII_OK; i++) {
            if (!s_has_signal (&r, keys.ids [i]))
                rc = cii_err_set (err, CII_REFUSED, "signal %" PRId64 " is not in request %" PRId64, keys.ids [i], id);
            s_remove_signal (&r, keys.ids [i]);
        }
    if (rc == CII_OK && r.n_signals == 0)
        rc = cii_err_set (err, CII_REFUSED, "request %" PRId64 " would have no signal left (a request needs one)", id);
    if (rc == CII_OK && reopened) {
        r.message_id [0] = '\0';          //  a new message at the next forward; the hub holds nothing
        r.forwarded_at_ms = 0;
    }
    if (rc == CII_OK)
        rc = s_settle (store, &r, NULL, err);
    if (rc == CII_OK)
        rc = s_save (store, &r, true, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK && reopened_p)
        *reopened_p = reopened;
    s_request_free (&r);
    return rc;
}

//  *text_p followed by a blank line and more, unless more is empty or the same; CII_REFUSED when
//  the result would pass limit bytes.
static cii_rc_t
s_append (char **text_p, const char *more, size_t limit, const char *what, int64_t id, cii_err_t *err)
{
    if (!more || !*more || strcmp (*text_p, more) == 0)
        return CII_OK;
    size_t len = strlen (*text_p), extra = strlen (more);
    size_t total = len ? len + 2 + extra : extra;
    if (total > limit)
        return cii_err_set (err, CII_REFUSED, "the merged %s would be %zu bytes, limit %zu: shorten one first "
                            "(cii-agent request edit %" PRId64 " --%s ...)", what, total, limit, id, what);
    char *joined = malloc (total + 1);
    if (!joined)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    snprintf (joined, total + 1, "%s%s%s", *text_p, len ? "\n\n" : "", more);
    free (*text_p);
    *text_p = joined;
    return CII_OK;
}

cii_rc_t
agent_requests_merge (agent_store_t *store, int64_t into, int64_t from, const char *title, cii_err_t *err)
{
    assert (store);
    if (into == from)
        return cii_err_set (err, CII_REFUSED, "a request cannot be merged into itself");
    s_request_t a, b;
    memset (&b, 0, sizeof b);
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = s_load (store, into, &a, err);
    if (rc == CII_OK)
        rc = s_load (store, from, &b, err);
    if (rc == CII_OK)
        rc = s_transition (&a, EV_MERGE, NULL, err);
    if (rc == CII_OK)
        rc = s_transition (&b, EV_ABSORB, NULL, err);
    for (size_t i = 0; rc == CII_OK && i < b.n_signals; i++)
        rc = s_add_signal (&a, b.signals [i], err);
    for (size_t i = 0; rc == CII_OK && i < CII_CANTON_COUNT; i++)
        a.support [i] = a.support [i] || b.support [i];
    for (size_t i = 0; rc == CII_OK && i < b.n_objectives; i++)
        rc = s_add_objective (cii_domain_objective_name (b.objectives [i]), &a, err);
    for (size_t i = 0; rc == CII_OK && i < b.n_priorities; i++)
        rc = s_add_priority (cii_domain_priority_name (b.priorities [i]), &a, err);
    if (rc == CII_OK)
        rc = s_append (&a.summary, b.summary, CII_MAX_TEXT, "summary", into, err);
    if (rc == CII_OK)
        rc = s_append (&a.assessment, b.assessment, CII_MAX_REASON, "assessment", into, err);
    if (rc == CII_OK && title && !s_set (&a.title, title))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        rc = s_settle (store, &a, NULL, err);
    if (rc == CII_OK)
        rc = s_save (store, &a, true, err);
    if (rc == CII_OK)
        rc = s_save (store, &b, false, err);
    int64_t now = cii_util_now_ms ();
    if (rc == CII_OK)
        rc = agent_store_request_lineage_add (store, into, "merged-from", from, now, err);
    if (rc == CII_OK)
        rc = agent_store_request_lineage_add (store, from, "merged-into", into, now, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: request %" PRId64 " merged into request %" PRId64, agent_store_label (store), from, into);
    s_request_free (&a);
    s_request_free (&b);
    return rc;
}

cii_rc_t
agent_requests_split (agent_store_t *store, int64_t id, const char *signals, const char *title, const char *summary,
                      int64_t *new_id_p, cii_err_t *err)
{
    assert (store && new_id_p);
    if (!title)
        return cii_err_set (err, CII_BAD_INPUT, "the new request needs a title");
    if (s_none (signals))
        return cii_err_set (err, CII_BAD_INPUT, "name the signals that go to the new request");
    s_request_t r, n;
    memset (&n, 0, sizeof n);
    s_keys_t keys;
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = s_load (store, id, &r, err);
    if (rc == CII_OK)
        rc = s_transition (&r, EV_SPLIT, NULL, err);
    if (rc == CII_OK)
        rc = s_keys (store, signals, &keys, err);
    for (size_t i = 0; rc == CII_OK && i < keys.count; i++) {
        if (!s_has_signal (&r, keys.ids [i]))
            rc = cii_err_set (err, CII_REFUSED, "signal %" PRId64 " is not in request %" PRId64, keys.ids [i], id);
        s_remove_signal (&r, keys.ids [i]);
        n.signals [n.n_signals++] = keys.ids [i];
    }
    if (rc == CII_OK && r.n_signals == 0)
        rc = cii_err_set (err, CII_REFUSED, "request %" PRId64 " would have no signal left: leave at least one in it", id);
    if (rc == CII_OK) {
        agent_store_copy (n.state, sizeof n.state, "draft");    //  what every request starts as
        agent_store_copy (n.origin, sizeof n.origin, "agent");
        n.created_at_ms = n.updated_at_ms = cii_util_now_ms ();
        memcpy (n.language, r.language, sizeof n.language);
        memcpy (n.objectives, r.objectives, sizeof n.objectives);
        n.n_objectives = r.n_objectives;
        memcpy (n.priorities, r.priorities, sizeof n.priorities);
        n.n_priorities = r.n_priorities;
        memcpy (n.support, r.support, sizeof n.support);
        if (!s_set (&n.title, title) || !s_set (&n.summary, summary ? summary : r.summary)
        ||  !s_set (&n.assessment, r.assessment))
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    if (rc == CII_OK)
        rc = s_settle (store, &n, NULL, err);
    if (rc == CII_OK)
        rc = s_settle (store, &r, NULL, err);
    if (rc == CII_OK)
        rc = s_save (store, &n, true, err);
    if (rc == CII_OK)
        rc = s_save (store, &r, true, err);
    int64_t now = cii_util_now_ms ();
    if (rc == CII_OK)
        rc = agent_store_request_lineage_add (store, n.id, "split-from", id, now, err);
    if (rc == CII_OK)
        rc = agent_store_request_lineage_add (store, id, "split-into", n.id, now, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK) {
        *new_id_p = n.id;
        zsys_info ("agent %s: request %" PRId64 " split from request %" PRId64, agent_store_label (store), n.id, id);
    }
    s_request_free (&r);
    s_request_free (&n);
    return rc;
}

//  --- forward ----------------------------------------------------------------------------------

typedef struct {
    char notes [CII_MAX_LINEAGE][CII_MAX_LINE + 1];
    const char *pointers [CII_MAX_LINEAGE];
    size_t count;
    size_t more;                      //  entries beyond what one request carries
} s_lineage_t;

//  One lineage entry as the one-line note that goes up: `merged from draft 5 "Title"`.
static bool
s_lineage_note (const agent_lineage_row_t *row, void *arg)
{
    s_lineage_t *lineage = arg;
    if (lineage->count == CII_MAX_LINEAGE - 1) {
        lineage->more++;
        return true;
    }
    char *note = lineage->notes [lineage->count];
    const char *relation = strcmp (row->relation, "merged-from") == 0 ? "merged from"
                         : strcmp (row->relation, "merged-into") == 0 ? "merged into"
                         : strcmp (row->relation, "split-from") == 0 ? "split from"
                         : strcmp (row->relation, "split-into") == 0 ? "split into" : "related to";
    int len = snprintf (note, CII_MAX_LINE + 1, "%s draft %" PRId64 "%s%s \"%s\"", relation, row->other_id,
                        row->other_ref ? " " : "", row->other_ref ? row->other_ref : "", row->other_title);
    size_t end = len < 0 ? 0 : (size_t) len > CII_MAX_LINE ? CII_MAX_LINE : (size_t) len;
    while (end > 0 && ((unsigned char) note [end] & 0xc0) == 0x80)
        end--;                        //  cut between characters
    note [end] = '\0';
    for (char *p = note; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';                 //  one line
    lineage->pointers [lineage->count] = note;
    lineage->count++;
    return true;
}

//  The notes of the forward: what the hub's admissibility criteria will likely find.
static void
s_forward_notes (const s_request_t *r, agent_forwarded_t *out)
{
    size_t cantons = 0;
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        cantons += r->cantons [i];
    if (r->n_institutions < 2)
        snprintf (out->notes [out->n_notes++], sizeof out->notes [0], "one institution involved: criterion C1 "
                  "(two or more institutions, the CII understanding) will not be met");
    if (r->n_objectives == 0)
        snprintf (out->notes [out->n_notes++], sizeof out->notes [0], "no general objective: criterion C2 "
                  "(linked to a general objective) will not be met");
    if (cantons < 2)
        snprintf (out->notes [out->n_notes++], sizeof out->notes [0], "one supporting canton: criterion C3 "
                  "(broadly shared) then rests on similar requests of other networks");
}

cii_rc_t
agent_requests_forward (agent_store_t *store, int64_t id, agent_forwarded_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    s_request_t r;
    s_signal_t *signals = NULL;
    cii_bundle_t config;
    s_lineage_t *lineage = calloc (1, sizeof *lineage);
    if (!lineage)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK) {
        free (lineage);
        return rc;
    }
    rc = s_load (store, id, &r, err);
    if (rc == CII_OK)
        rc = s_transition (&r, EV_FORWARD, NULL, err);
    if (rc == CII_OK)
        rc = agent_store_config_get (store, &config, err);
    memset (config.agent_secret, 0, sizeof config.agent_secret);
    if (rc == CII_OK)
        rc = s_settle (store, &r, &signals, err);
    //  The hub refuses a request naming a signal it does not hold: say which one now
    for (size_t i = 0; rc == CII_OK && i < r.n_signals; i++)
        if (signals [i].refused)
            rc = cii_err_set (err, CII_REFUSED, "signal %" PRId64 " was refused by the hub (%s: %s): remove it first: "
                              "cii-agent request edit %" PRId64 " --remove-signals %" PRId64, signals [i].id,
                              signals [i].refused_name, signals [i].refused_text, id, signals [i].id);
    //  Supporting cantons must still be this network's (the bureau may have moved one)
    for (size_t i = 0; rc == CII_OK && i < CII_CANTON_COUNT; i++)
        if (r.cantons [i] && (rc = agent_intake_in_network (&config, cii_domain_canton_at (i), err)) != CII_OK)
            cii_err_prefix (err, "request %" PRId64, id);
    if (rc == CII_OK)
        rc = agent_store_request_lineage_each (store, id, s_lineage_note, lineage, NULL, err);
    if (rc == CII_OK && lineage->more > 0) {
        snprintf (lineage->notes [lineage->count], CII_MAX_LINE + 1, "and %zu more lineage entries at the network",
                  lineage->more);
        lineage->pointers [lineage->count] = lineage->notes [lineage->count];
        lineage->count++;
    }
    if (rc == CII_OK) {
        s_domain_t d;
        s_domain (&r, signals, &d);
        d.request.lineage = lineage->pointers;
        d.request.n_lineage = lineage->count;
        cii_util_uuid (r.message_id);
        r.forwarded_at_ms = cii_util_now_ms ();
        r.refused = false;                //  a refusal of an earlier forward is history now
        r.refused_text [0] = '\0';
        r.refused_at_ms = 0;
        cii_wire_request_t wire;
        cii_wire_request_fill (&wire, &d.request);
        //  Exactly once, as signals; held until every signal is receipted (the hub refuses a
        //  request naming a signal it does not hold)
        rc = agent_store_outbox_add_after (store, cii_kind_find ("request"), &wire.msg.base, id, r.message_id,
                                           d.signal_ids, r.n_signals, err);
        if (rc == CII_BAD_INPUT)
            cii_err_prefix (err, "request refused");
    }
    if (rc == CII_OK)
        rc = s_save (store, &r, false, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK) {
        out->id = id;
        agent_store_copy (out->message_id, sizeof out->message_id, r.message_id);
        for (size_t i = 0; i < r.n_signals; i++)
            if (!signals [i].delivered)
                out->waiting [out->n_waiting++] = signals [i].id;
        s_forward_notes (&r, out);
        zsys_info ("agent %s: request %" PRId64 " forwarded as message %s (%zu signals waiting for their receipt)",
                   agent_store_label (store), id, r.message_id, out->n_waiting);
    }
    s_signals_free (&signals, r.n_signals);
    s_request_free (&r);
    free (lineage);
    return rc;
}

//  --- withdraw ---------------------------------------------------------------------------------

static bool
s_pending_withdrawal (const agent_withdrawal_row_t *row, void *arg)
{
    if (row->delivered_at_ms == 0 && !row->refused)
        *(int64_t *) arg = row->id;
    return true;
}

cii_rc_t
agent_requests_withdraw (agent_store_t *store, int64_t id, const char *reason, char *message_id, cii_err_t *err)
{
    assert (store);
    cii_withdraw_t withdraw = { .reason = reason };
    s_request_t r;
    int64_t pending = 0, withdrawal_id = 0;
    char mid [AGENT_MESSAGE_ID_SIZE];
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = s_load (store, id, &r, err);
    if (rc == CII_OK)
        rc = s_transition (&r, EV_WITHDRAW, NULL, err);
    if (rc == CII_OK)
        rc = agent_store_withdrawals_each (store, id, s_pending_withdrawal, &pending, NULL, err);
    if (rc == CII_OK && pending)
        rc = cii_err_set (err, CII_REFUSED, "a withdrawal of request %" PRId64 " is queued already, waiting for the "
                          "hub's answer", id);
    if (rc == CII_OK) {
        withdraw.request_id = r.message_id;
        if (cii_withdraw_check (&withdraw, "withdraw", err) != CII_OK)
            rc = cii_err_prefix (err, "withdrawal refused");
    }
    if (rc == CII_OK) {
        cii_util_uuid (mid);
        rc = agent_store_withdrawal_add (store, id, mid, reason, &withdrawal_id, err);
    }
    if (rc == CII_OK) {
        Cii__Withdraw wire;
        cii_wire_withdraw_fill (&wire, &withdraw);
        const char *after [] = { r.message_id };
        rc = agent_store_outbox_add_after (store, cii_kind_find ("withdraw"), &wire.base, withdrawal_id, mid, after, 1,
                                           err);
    }
    if (rc == CII_OK)
        rc = s_save (store, &r, false, err);
    rc = s_end (store, rc, err);
    if (rc == CII_OK) {
        if (message_id)
            agent_store_copy (message_id, AGENT_MESSAGE_ID_SIZE, mid);
        zsys_info ("agent %s: withdrawal of request %" PRId64 " queued as message %s", agent_store_label (store), id,
                   mid);
    }
    s_request_free (&r);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Reading

cii_rc_t
agent_requests_resolve (agent_store_t *store, const char *key, int64_t *id_p, cii_err_t *err)
{
    assert (store && key && id_p);
    char buf [S_TOKEN_SHOW];
    bool digits = *key != '\0' && strlen (key) <= 18;
    for (const char *p = key; *p && digits; p++)
        digits = *p >= '0' && *p <= '9';
    cii_rc_t rc = CII_NOT_FOUND;
    if (digits) {
        s_request_t r;
        rc = s_load (store, strtoll (key, NULL, 10), &r, err);
        if (rc == CII_OK)
            *id_p = r.id;
        s_request_free (&r);
    }
    else
    if (strlen (key) <= CII_MAX_REF) {
        char upper [CII_MAX_REF + 1];
        size_t i = 0;
        for (; key [i]; i++)
            upper [i] = (char) toupper ((unsigned char) key [i]);
        upper [i] = '\0';
        rc = agent_store_request_find (store, NULL, upper, id_p, err);
    }
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, CII_NOT_FOUND, "no request '%s' in this agent", s_show (key, buf));
    return rc;
}

cii_rc_t
agent_requests_signal_key (agent_store_t *store, const char *key, int64_t *id_p, cii_err_t *err)
{
    assert (store && key && id_p);
    return s_signal_key (store, key, id_p, err);
}

cii_rc_t
agent_requests_list (agent_store_t *store, const char *state, const char *canton, agent_request_fn *fn, void *arg,
                     size_t *count_p, cii_err_t *err)
{
    assert (store && fn);
    char buf [S_TOKEN_SHOW], code [3];
    if (state && !cii_domain_state_name_valid (state))
        return cii_err_set (err, CII_BAD_INPUT, "'%s' is not a state name (e.g. draft, forwarded, received)",
                            s_show (state, buf));
    if (canton) {
        cii_rc_t rc = s_canton (canton, code, err);
        if (rc != CII_OK)
            return rc;
    }
    agent_request_filter_t filter = { .state = state, .canton = canton ? code : NULL };
    return agent_store_requests_each (store, &filter, fn, arg, count_p, err);
}

cii_rc_t
agent_requests_get (agent_store_t *store, int64_t id, agent_request_fn *fn, void *arg, cii_err_t *err)
{
    cii_rc_t rc = agent_store_request_get (store, id, fn, arg, err);
    return rc == CII_NOT_FOUND ? cii_err_set (err, rc, "no request %" PRId64 " in this agent", id) : rc;
}

cii_rc_t
agent_requests_signals (agent_store_t *store, int64_t id, agent_signal_fn *fn, void *arg, cii_err_t *err)
{
    return agent_store_signals_of_request (store, id, fn, arg, NULL, err);
}

cii_rc_t
agent_requests_lineage (agent_store_t *store, int64_t id, agent_lineage_fn *fn, void *arg, cii_err_t *err)
{
    return agent_store_request_lineage_each (store, id, fn, arg, NULL, err);
}

cii_rc_t
agent_requests_withdrawals (agent_store_t *store, int64_t id, agent_withdrawal_fn *fn, void *arg, cii_err_t *err)
{
    return agent_store_withdrawals_each (store, id, fn, arg, NULL, err);
}

cii_rc_t
agent_requests_criteria (agent_store_t *store, int64_t id, agent_criterion_fn *fn, void *arg, cii_err_t *err)
{
    return agent_store_request_criteria_each (store, id, fn, arg, NULL, err);
}

cii_rc_t
agent_requests_history (agent_store_t *store, int64_t id, agent_history_fn *fn, void *arg, cii_err_t *err)
{
    return agent_store_request_history_each (store, id, fn, arg, NULL, err);
}

//  --------------------------------------------------------------------------------------------
//  What the hub says

cii_rc_t
agent_requests_on_receipt (agent_store_t *store, int64_t id, const char *hub_ref, int64_t received_at_ms,
                           cii_err_t *err)
{
    assert (store);
    s_request_t r;
    cii_rc_t rc = s_load (store, id, &r, err);
    if (rc == CII_OK && s_transition (&r, EV_RECEIPT, NULL, NULL) != CII_OK)
        zsys_warning ("agent %s: request %" PRId64 " is %s: its receipt (%s) changes no state",
                      agent_store_label (store), id, r.state, hub_ref ? hub_ref : "?");
    if (rc == CII_OK) {
        agent_store_copy (r.hub_ref, sizeof r.hub_ref, hub_ref);
        r.hub_received_at_ms = received_at_ms;
        r.updated_at_ms = cii_util_now_ms ();
        rc = s_save (store, &r, false, err);
    }
    if (rc == CII_OK)
        zsys_info ("agent %s: request %" PRId64 " received by the hub as %s", agent_store_label (store), id, r.hub_ref);
    s_request_free (&r);
    return rc;
}

cii_rc_t
agent_requests_on_refusal (agent_store_t *store, int64_t id, int code, const char *text, cii_err_t *err)
{
    assert (store);
    s_request_t r;
    cii_rc_t rc = s_load (store, id, &r, err);
    if (rc == CII_OK && s_transition (&r, EV_REFUSAL, NULL, NULL) != CII_OK)
        zsys_warning ("agent %s: request %" PRId64 " is %s: its refusal changes no state", agent_store_label (store),
                      id, r.state);
    if (rc == CII_OK) {
        r.refused = true;
        r.refused_code = code;
        agent_store_copy (r.refused_text, sizeof r.refused_text, text);
        r.refused_at_ms = cii_util_now_ms ();
        rc = s_save (store, &r, false, err);
    }
    s_request_free (&r);
    return rc;
}

cii_rc_t
agent_requests_on_withdraw_receipt (agent_store_t *store, int64_t withdrawal_id, int64_t received_at_ms, cii_err_t *err)
{
    assert (store);
    return agent_store_withdrawal_delivered (store, withdrawal_id, received_at_ms, err);
}

cii_rc_t
agent_requests_on_withdraw_refusal (agent_store_t *store, int64_t withdrawal_id, int code, const char *text,
                                    cii_err_t *err)
{
    assert (store);
    return agent_store_withdrawal_refused (store, withdrawal_id, code, text, err);
}

cii_rc_t
agent_requests_on_status (agent_store_t *store, int64_t seq, const cii_status_t *status, cii_err_t *err)
{
    assert (store && status);
    int64_t inbox_id = 0, id = 0;
    s_request_t r;
    memset (&r, 0, sizeof r);
    cii_rc_t rc = agent_store_inbox_item_id (store, seq, &inbox_id, err);
    if (rc == CII_OK)
        rc = agent_store_request_find (store, status->request_id, status->ref, &id, err);
    if (rc == CII_NOT_FOUND) {
        //  A request this agent does not know (a state restored from an older backup): the hub is
        //  the truth, so it is recorded as the hub describes it
        zsys_warning ("agent %s: status %s of %s for a request this agent does not know: recorded",
                      agent_store_label (store), status->state, status->ref);
        agent_store_copy (r.state, sizeof r.state, status->state);
        agent_store_copy (r.origin, sizeof r.origin, "hub");
        agent_store_copy (r.message_id, sizeof r.message_id, status->request_id);
        r.created_at_ms = status->at_ms > 0 ? status->at_ms : cii_util_now_ms ();
        r.updated_at_ms = cii_util_now_ms ();
        if (!s_set (&r.title, "") || !s_set (&r.summary, "") || !s_set (&r.assessment, "")
        ||  !s_set (&r.national_reason, ""))
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
        else
            rc = CII_OK;
    }
    else
    if (rc == CII_OK && (rc = s_load (store, id, &r, err)) == CII_OK
    &&  s_transition (&r, EV_STATUS, status->state, NULL) != CII_OK)
        zsys_warning ("agent %s: request %" PRId64 " is %s: status %s recorded in its history only",
                      agent_store_label (store), id, r.state, status->state);
    if (rc == CII_OK) {
        agent_store_copy (r.hub_ref, sizeof r.hub_ref, status->ref);
        if (status->theme && *status->theme)
            agent_store_copy (r.theme, sizeof r.theme, status->theme);
        r.updated_at_ms = cii_util_now_ms ();
        rc = s_save (store, &r, false, err);
    }
    if (rc == CII_OK)
        rc = agent_store_request_history_add (store, r.id, inbox_id, status, err);
    if (rc == CII_OK && status->n_criteria > 0)
        rc = agent_store_request_criteria_set (store, r.id, inbox_id, status->criteria, status->n_criteria, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: request %" PRId64 " (%s) is %s (%s)", agent_store_label (store), r.id, status->ref,
                   status->state, status->organ);
    s_request_free (&r);
    return rc;
}
