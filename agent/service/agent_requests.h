/*  agent_requests.h — the regional coordinator's consolidation (issue 7): requests drafted from
    the network's signals, edited, merged and split on drafts (lineage kept), forwarded upward as
    REQUEST (exactly once, through the outbox; held there until every one of its signals has its
    receipt), withdrawn (WITHDRAW), and what the hub says back (RECEIPT with the national
    reference, a refusal, STATUS items with the history, the criteria and the current state).

    A request's state is a string. The agent's own states are "draft" (editable), "merged"
    (folded into another draft; frozen), "forwarded" (frozen, in the outbox or sent, no receipt
    yet) and "refused" (the hub refused the REQUEST: code and text kept; `edit` makes it a draft
    again). From the RECEIPT on the state is the hub's: "received" and every state a STATUS names,
    shown as given. One table of transitions and one function (s_transition) assign every state.

    Derived fields, recomputed at every change of a draft and frozen at forward:
    - institutions and target groups: the union of its signals';
    - supporting cantons: its signals' cantons and the cantons added with --support (this
      network's only), in alphabetical order;
    - national reason: the signals' reasons, each distinct text once, in the order of the signals,
      as lines "VD, GE: reason" (the cantons that gave that text), cut at CII_MAX_REASON bytes
      with "…" (each signal's own reason goes up whole with the signal);
    - language: --lang, else the language most of its signals have (the first signal's on a tie),
      chosen when the draft is made. */
#ifndef AGENT_REQUESTS_H_INCLUDED
#define AGENT_REQUESTS_H_INCLUDED

#include "agent_store.h"
#include "agent_store_requests.h"
#include "agent_store_signals.h"
#include "cii_domain.h"

/*  A request as the coordinator types it; all borrowed. For `edit`, NULL means "unchanged". */
typedef struct {
    const char *title;
    const char *summary;
    const char *summary_file;     /* a UTF-8 file holding the summary (instead of summary) */
    const char *assessment;
    const char *signals;          /* new: comma list of signal ids or hub references (required) */
    const char *add_signals;      /* edit: comma lists as above */
    const char *remove_signals;
    const char *objectives;       /* comma list of objective names; "" or "none": none */
    const char *priorities;       /* comma list of P1, P2, P3; "" or "none": none */
    const char *support;          /* comma list of this network's cantons; "" or "none": none */
    const char *lang;             /* fr, de, it, rm */
} agent_request_input_t;

/*  Makes a draft from input (title, summary or summary_file, and signals required); *id_p
    receives its id. Refusals (nothing stored), one line each: CII_BAD_INPUT for a missing or bad
    field ("request refused: request.title: 213 bytes, limit 200", "unknown objective 'x'
    (valid: ...)"), CII_NOT_FOUND for an unknown signal or canton ("no signal '99' in this
    agent"), CII_REFUSED for a canton of another network. */
cii_rc_t agent_requests_new (agent_store_t *store, const agent_request_input_t *input, int64_t *id_p, cii_err_t *err);

/*  Changes draft id as input says (at least one field, unless id is refused); a refused request
    becomes a draft again (*reopened_p, may be NULL, is then true). CII_REFUSED for a request in
    any other state ("request 3 is forwarded: only drafts are edited") or an edit that would leave
    it without signals; CII_NOT_FOUND for an unknown request or signal; CII_BAD_INPUT as above. */
cii_rc_t agent_requests_edit (agent_store_t *store, int64_t id, const agent_request_input_t *input, bool *reopened_p,
                              cii_err_t *err);

/*  Folds draft from into draft into: its signals, supporting cantons, objectives and priorities
    are added; its summary and assessment are appended after a blank line when they differ;
    title replaces into's title when given. from becomes "merged" (lineage: merged into `into`;
    into: merged from `from`). CII_REFUSED when either is not a draft, they are the same, or the
    result breaks a limit (the reason says which text to shorten first). */
cii_rc_t agent_requests_merge (agent_store_t *store, int64_t into, int64_t from, const char *title, cii_err_t *err);

/*  Moves the signals named in the comma list signals out of draft id into a new draft titled
    title, with summary (NULL: id's summary) and id's assessment, objectives, priorities,
    language and support; *new_id_p receives its id. Lineage: split from id / split into the new
    one. CII_REFUSED when id is not a draft, a signal is not in it, or none would be left. */
cii_rc_t agent_requests_split (agent_store_t *store, int64_t id, const char *signals, const char *title,
                               const char *summary, int64_t *new_id_p, cii_err_t *err);

/*  What forward did. */
typedef struct {
    int64_t id;
    char message_id [AGENT_MESSAGE_ID_SIZE];        /* the REQUEST's */
    size_t n_waiting;                               /* its signals without a receipt yet: it ... */
    int64_t waiting [CII_MAX_REQUEST_SIGNALS];      /* ... is sent once they all have one */
    size_t n_notes;                                 /* what the hub's criteria will likely say */
    char notes [3][160];
} agent_forwarded_t;

/*  Freezes draft id and queues its REQUEST in the outbox (one transaction), held there until
    every one of its signals is receipted by the hub. CII_REFUSED when it is not a draft, when one
    of its signals was refused by the hub ("signal 4 was refused by the hub (NOT_AUTHORISED: ...):
    remove it first: cii-agent request edit 3 --remove-signals 4"), or when a supporting canton
    is no longer this network's; CII_BAD_INPUT when the codec refuses the message. */
cii_rc_t agent_requests_forward (agent_store_t *store, int64_t id, agent_forwarded_t *forwarded, cii_err_t *err);

/*  Queues a WITHDRAW of request id with reason (1..CII_MAX_REASON bytes), held until the REQUEST
    itself is receipted; the hub decides and says so in a STATUS. message_id (may be NULL)
    receives its message id. CII_REFUSED on a draft, a merged or refused request, one in a final
    state as the hub's STATUS history says (withdrawn, inadmissible, declined, closed), or while
    another withdrawal of it waits for the hub's answer. */
cii_rc_t agent_requests_withdraw (agent_store_t *store, int64_t id, const char *reason, char *message_id,
                                  cii_err_t *err);

/*  True for the hub's final states: nothing more happens to such a request. */
bool agent_requests_final (const char *state);

/*  --- reading --------------------------------------------------------------------------------- */

/*  The request named by key: a local id ("12") or a national reference ("CII-2027-0042", any
    case). CII_NOT_FOUND "no request 'x' in this agent". */
cii_rc_t agent_requests_resolve (agent_store_t *store, const char *key, int64_t *id_p, cii_err_t *err);

/*  The signal named by key: a local id ("12") or the hub's reference ("SIG-42", any case).
    CII_NOT_FOUND "no signal 'x' in this agent (...)". */
cii_rc_t agent_requests_signal_key (agent_store_t *store, const char *key, int64_t *id_p, cii_err_t *err);

/*  Every request in state (NULL: any; a state name is any string of [a-z-]) that canton (NULL:
    any; a code of the 26, any case) signalled or supports, by id. CII_BAD_INPUT for a state that
    is no state name, CII_NOT_FOUND for an unknown canton. */
cii_rc_t agent_requests_list (agent_store_t *store, const char *state, const char *canton, agent_request_fn *fn,
                              void *arg, size_t *count_p, cii_err_t *err);

/*  One request and what belongs to it (for `show`): the row, its signals in order, its lineage,
    its withdrawals, the criteria as last received and the history of STATUS items. */
cii_rc_t agent_requests_get (agent_store_t *store, int64_t id, agent_request_fn *fn, void *arg, cii_err_t *err);
cii_rc_t agent_requests_signals (agent_store_t *store, int64_t id, agent_signal_fn *fn, void *arg, cii_err_t *err);
cii_rc_t agent_requests_lineage (agent_store_t *store, int64_t id, agent_lineage_fn *fn, void *arg, cii_err_t *err);
cii_rc_t agent_requests_withdrawals (agent_store_t *store, int64_t id, agent_withdrawal_fn *fn, void *arg,
                                     cii_err_t *err);
cii_rc_t agent_requests_criteria (agent_store_t *store, int64_t id, agent_criterion_fn *fn, void *arg, cii_err_t *err);
cii_rc_t agent_requests_history (agent_store_t *store, int64_t id, agent_history_fn *fn, void *arg, cii_err_t *err);

/*  --- what the hub says (the daemon's kind handlers, inside the transaction that clears the
    outbox entry or holds the inbox item) ---------------------------------------------------------- */

/*  RECEIPT of request id's REQUEST: its national reference and first-commit time; "forwarded"
    becomes "received" (a state a STATUS gave already stays). */
cii_rc_t agent_requests_on_receipt (agent_store_t *store, int64_t id, const char *hub_ref, int64_t received_at_ms,
                                    cii_err_t *err);

/*  A final ERROR for request id's REQUEST: "refused" with the code and text. */
cii_rc_t agent_requests_on_refusal (agent_store_t *store, int64_t id, int code, const char *text, cii_err_t *err);

/*  RECEIPT / final ERROR of withdrawal id's WITHDRAW. */
cii_rc_t agent_requests_on_withdraw_receipt (agent_store_t *store, int64_t withdrawal_id, int64_t received_at_ms,
                                             cii_err_t *err);
cii_rc_t agent_requests_on_withdraw_refusal (agent_store_t *store, int64_t withdrawal_id, int code, const char *text,
                                             cii_err_t *err);

/*  STATUS item seq (already checked by the codec; its inbox row exists): recorded in the history
    of the request it names (by its REQUEST's message id, else its reference; a request this agent
    does not know, e.g. after its state was restored from a backup, is recorded as one of origin
    "hub": the hub is the truth), its criteria replace the previous ones when it carries some, its
    theme and reference are kept, and its state becomes the request's. */
cii_rc_t agent_requests_on_status (agent_store_t *store, int64_t seq, const cii_status_t *status, cii_err_t *err);

#endif
