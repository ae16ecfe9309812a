/*  hub_flow.h — what happens to a request at the national level, as one state machine (plan 2.1-2.4;
    STYLE rule 12): the states, the organs, one transition table saying which organ may move a
    request from which state to which (and how: a bureau decision, grouping into a theme, the
    network's WITHDRAW; whether a note is required), and one transition function, hub_flow_move,
    that checks a move against the table, writes the history row, updates the state and queues
    the STATUS down to the network that raised the request, in one transaction. Nothing else
    assigns a state. The national processing (the bureau schedules, the CDC examines, the CP
    decides, working groups report back to the organ that mandated them; plan 2.1-2.4) is rows of
    the same tables in hub_flow.c: its states (with their flags), its organs, its transitions. */
#ifndef HUB_FLOW_H_INCLUDED
#define HUB_FLOW_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"
#include "hub_store_requests.h"

/*  What a state means to the rest of the hub. */
#define HUB_STATE_INITIAL   0x01u   /* a new request is in it (exactly one state) */
#define HUB_STATE_GATE      0x02u   /* at the bureau's gate, not yet decided: its criteria follow the thresholds */
#define HUB_STATE_EVALUATE  0x04u   /* entering it (re-)evaluates the criteria; its STATUS carries them */
#define HUB_STATE_CLOSED    0x08u   /* no transition leaves it; a decision on a theme passes it by */
#define HUB_STATE_LEFT      0x10u   /* the network took it back: it no longer counts for a theme's breadth */
#define HUB_STATE_MANDATOR  0x20u   /* only the organ that mandated the request's working group (the organ
                                       of the last wg-mandated row of its history) may move it on */
#define HUB_STATE_PROGRAMME 0x40u   /* entering it adds a project to the work programme, linked to the requests
                                       moved (hub_programme_on_project, in the move's transaction) */

typedef struct {
    const char *name;                   /* [a-z-], as STATUS and the CLI carry it */
    unsigned flags;                     /* HUB_STATE_* */
    const char *summary;                /* one line for the docs and --help */
} hub_state_t;

/*  An organ that acts on requests. */
typedef struct {
    const char *name;                   /* "bureau" */
    bool decides;                       /* may be named by `cii-hub decide --organ` */
    const char *summary;
} hub_organ_t;

/*  How a transition is taken. */
typedef enum {
    HUB_BY_DECIDE = 1,                  /* an organ's decision: `cii-hub decide` */
    HUB_BY_THEME = 2,                   /* the bureau groups it into a theme: `cii-hub theme new` */
    HUB_BY_NETWORK = 3,                 /* the network's WITHDRAW, over the wire */
    HUB_BY_RECOMMEND = 4                /* the CP publishes a recommendation on it: `cii-hub recommend` */
} hub_by_t;

/*  One allowed transition. */
typedef struct {
    const char *from;
    const char *to;
    const char *organ;
    hub_by_t by;
    const char *note;                   /* NULL: a note is optional; else it is required and this says
                                           what it is ("the reason") */
} hub_transition_t;

/*  The tables, by index (NULL past the end), and lookups by name (NULL when unknown). */
const hub_state_t *hub_flow_state_at (size_t index);
const hub_state_t *hub_flow_state (const char *name);
const hub_organ_t *hub_flow_organ_at (size_t index);
const hub_organ_t *hub_flow_organ (const char *name);
const hub_transition_t *hub_flow_transition_at (size_t index);

/*  The names of the states that have any of flags, into names[capacity]; the count. */
size_t hub_flow_states_with (unsigned flags, const char **names, size_t capacity);

/*  A move asked for. */
typedef struct {
    const char *to;                     /* the state to move to */
    const char *organ;
    hub_by_t by;
    const char *note;                   /* NULL or "": none */
    const char *meeting;                /* the meeting it was taken in, or NULL (national processing) */
    int64_t theme_id;                   /* HUB_BY_THEME: the theme it is grouped into */
} hub_move_t;

/*  The transition of the table that allows move for request ref in state from: CII_OK (*row_p,
    when given, the row); else a refusal naming what is allowed:
    CII_REFUSED "CII-2027-0001 is received: the bureau may move it to admissible or inadmissible"
    (a decision), "... is admissible: only a request that is received may move to grouped" (a theme,
    a withdrawal), "... is withdrawn, which is final"; CII_BAD_INPUT "a note is required to move
    CII-2027-0001 to inadmissible (the reason)" when the row requires a note and move has none (or
    only blanks), "the note must be at most 4000 bytes of UTF-8 text (got N bytes)", "unknown
    state X (received, admissible, ...)", "unknown organ X (bureau, cdc, cp, wg)". */
cii_rc_t hub_flow_check (const char *ref, const char *from, const hub_move_t *move, const hub_transition_t **row_p,
                         cii_err_t *err);

/*  The checks of a move that need the request's history and the meetings, after hub_flow_check
    allowed it by the table (hub_flow_move runs them): a state flagged HUB_STATE_MANDATOR is left
    only by the organ that mandated the working group, CII_REFUSED "CII-2027-0001 is wg-reported: its working
    group was mandated by the cdc, so only the cdc may move it (to answered, ...)"; a move with a
    meeting needs a meeting of the acting organ (a joint meeting counts for the cdc and the cp):
    hub_meeting_allows's refusals. */
cii_rc_t hub_flow_check_more (hub_store_t *store, const hub_request_lock_t *request, const hub_move_t *move,
                              cii_err_t *err);

/*  Leave the STATUS to the work after the commit (hub_gate_after_commit): for a move inside a batch
    ingest, which holds no agent rows and must not wait for them. */
#define HUB_FLOW_DEFER 0x01u

/*  THE transition function: moves each of the count locked requests (hub_store_request_lock*, in
    id order) by move, all or none. Every one is checked first (hub_flow_check: the first refusal
    is returned, nothing written). Then, in one transaction (the caller's, joined, or its own):
    each gets its history row and new state (and its theme with HUB_BY_THEME); then, unless
    HUB_FLOW_DEFER, each entering an HUB_STATE_EVALUATE state has its criteria re-evaluated (after
    all moved, so that a theme's breadth counts them all), and its STATUS items not yet queued are
    queued in order (hub_flow_queue). *at_ms (when not NULL): the time of the change. */
cii_rc_t hub_flow_move (hub_store_t *store, const hub_request_lock_t *requests, size_t count, const hub_move_t *move,
                        unsigned flags, int64_t *at_ms, cii_err_t *err);

/*  Queues the STATUS of every history row of request_id not yet queued, in order, to the agent of
    the request's network (kind "status", subject "request:REF"), and marks them queued; a row whose
    state has HUB_STATE_EVALUATE carries the criteria (evaluated first when the request has none),
    every row the request's theme. A national request (no network: from the monitoring of a
    recommendation) has no one to tell: its rows are only marked queued. Locks the request; joins
    the caller's transaction or runs its own. Idempotent. */
cii_rc_t hub_flow_queue (hub_store_t *store, int64_t request_id, cii_err_t *err);

/*  One request a decision moved. */
typedef struct {
    char ref [HUB_MAX_REF];
    char from [CII_MAX_STATE + 1];
} hub_moved_t;

/*  What hub_flow_decide did. */
typedef struct {
    char ref [HUB_MAX_REF];             /* as given: a request or a theme */
    char to [CII_MAX_STATE + 1];
    char organ [CII_MAX_STATE + 1];
    char meeting [HUB_MAX_REF];         /* "" or the meeting it was taken in, "M-2027-02" */
    int64_t at_ms;
    hub_moved_t *moved;                 /* the requests moved, in reference order */
    size_t count;
} hub_decision_t;

/*  Frees what a decision holds (safe twice). */
void hub_decision_clear (hub_decision_t *decision);

/*  An organ's decision (`cii-hub decide`): moves request ref, or each request of theme ref that is
    not in a closed state, to state `to` with hub_flow_move (HUB_BY_DECIDE), all or none, and for a
    theme records the theme's state. Refusals as hub_flow_check, and CII_NOT_FOUND "unknown request
    REF" / "unknown theme REF", CII_REFUSED "NT-2027-01 has no open request". */
cii_rc_t hub_flow_decide (hub_store_t *store, const char *ref, const char *to, const char *organ, const char *note,
                          hub_decision_t *out, cii_err_t *err);

/*  The same, taken in meeting (NULL or "": outside a meeting): each history row records it and its
    STATUS carries it. The meeting must exist and be of organ (a joint one: of the cdc or the cp),
    else hub_meeting_allows's refusal and nothing is changed. */
cii_rc_t hub_flow_decide_in (hub_store_t *store, const char *ref, const char *to, const char *organ,
                             const char *meeting, const char *note, hub_decision_t *out, cii_err_t *err);

/*  The ingest shape of kind "withdraw" (hub_ingest_item_t.item is a const cii_withdraw_t *). It
    lives here, not in hub/store, because a withdrawal is a transition: per item, in the batch's
    transaction, a resend gets its original receipt; the request must be one of the sender's
    network (CII_NOT_FOUND "withdraw names request X, which network N has not sent") and the table
    must allow it (CII_REFUSED with hub_flow_check's reason); then the ingest_log row (ref: the
    request's reference) and the move to "withdrawn" by organ "network", the reason as its note,
    with HUB_FLOW_DEFER: the STATUS goes down after the commit. */
extern const hub_ingest_shape_t hub_flow_withdraw_shape;

#endif
