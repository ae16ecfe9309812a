/*  hub_store_requests.h — requests at the national level (schema 0007/0008): how the batch ingest
    stores a REQUEST (its own store function: idempotent by ingest_log, named signals checked, a
    gapless reference CII-YYYY-NNNN, the request, its signals and its first history row), the rows
    the gate reads and writes (locked requests, history, criteria, the facts the criteria are
    evaluated on), national themes NT-YYYY-NN, and the listings. SQL only: the rules (which state
    may follow which, what a criterion means) are in hub/service (hub_flow, hub_gate, hub_themes). */
#ifndef HUB_STORE_REQUESTS_H_INCLUDED
#define HUB_STORE_REQUESTS_H_INCLUDED

#include "cii_domain.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  The ingest shape of kind "request": hub_ingest_item_t.item is a const cii_request_t *, already
    checked by the codec and authorised (its supporting cantons) by the serving hub. Per item, in
    the batch's transaction: a message id stored before gives the original reference (duplicate,
    conflict as the generic ingest); every named signal must be stored for the sender's network,
    else the item is refused with nothing written (CII_NOT_FOUND "request names signal X, which the
    hub does not hold", CII_REFUSED "request names signal X, of network Y"); else the next number
    of ("CII", the year of receipt in Europe/Zurich) is taken from ref_counters (the row stays locked
    until the batch commits: concurrent batches wait, a rollback returns the number), and the
    ingest_log row, the request (state `initial_state`), its signals and its first history row
    (that state, organ "hub", not yet queued) are written. */
extern const hub_ingest_shape_t hub_store_request_shape;

/*  The state and organ of the history row every new request starts with (hub_flow's table names
    the same state as its initial one). */
#define HUB_STORE_REQUEST_INITIAL "received"
#define HUB_STORE_REQUEST_ORGAN   "hub"

/*  --- building blocks of a kind's own store function ------------------------------------------ */

/*  Writes the ingest_log row of (agent_id, message_id): CII_OK (*received_at_ms is the commit time
    to be), CII_CONFLICT when the row exists (a resend, or a concurrent insert that committed
    meanwhile: look it up with hub_store_ingest_lookup_digest), or the database error. */
cii_rc_t hub_store_requests_log (hub_store_t *self, int64_t agent_id, const char *message_id, const char *kind,
                                 const char *ref, const char *digest, int64_t *received_at_ms);

/*  Takes the next reference of prefix for the current calendar year (Europe/Zurich) from
    ref_counters inside the caller's transaction: "CII-2027-0001" with digits 4, "NT-2027-01" with
    digits 2 (more digits once the year needs them). Gapless: a rollback returns the number. */
cii_rc_t hub_store_ref_next (hub_store_t *self, const char *prefix, int digits, char ref [HUB_MAX_REF]);

/*  The same for calendar year `year` (2000..9999) instead of the current one: "M-2028-01" for a
    meeting of 2028 created in 2027. */
cii_rc_t hub_store_ref_next_year (hub_store_t *self, const char *prefix, int year, int digits,
                                  char ref [HUB_MAX_REF]);

/*  --- national requests (schema 0015) ----------------------------------------------------- */

/*  Opens a national request from the monitoring of recommendation rec ("REC-2027-01"), inside the
    caller's transaction: CII_NOT_FOUND (nothing written, no number taken) when there is no such
    recommendation; else the next number of ("CII", the current year) from ref_counters (as the
    ingest takes it: gapless), and the request: no agent, no network, message id "", from_rec_id
    the recommendation, title, summary, language as given, no supporting canton, no signal, the
    institutions, target groups, objectives and priorities of the requests of the recommendation's
    basis (their union, sorted), state HUB_STORE_REQUEST_INITIAL; and its first history row (that
    state, organ, note, not yet queued). ref, *id_p and *at_ms (the time of receipt) filled. */
cii_rc_t hub_store_request_national (hub_store_t *self, const char *rec, const char *title, const char *summary,
                                     const char *language, const char *organ, const char *note,
                                     char ref [HUB_MAX_REF], int64_t *id_p, int64_t *at_ms);

/*  --- one request as the transition function needs it --------------------------------------- */

typedef struct {
    int64_t id;
    char ref [HUB_MAX_REF];
    char network [CII_MAX_NETWORK_NAME + 1];
    char message_id [CII_MAX_ID + 1];
    char state [CII_MAX_STATE + 1];
    int64_t theme_id;                       /* 0: in no theme */
    char theme [HUB_MAX_REF];               /* "" or "NT-2027-03" */
    char mandated_by [CII_MAX_STATE + 1];   /* "" or the organ of the last wg-mandated row of its history:
                                               the organ its working group reports to */
} hub_request_lock_t;

/*  Locks requests FOR UPDATE, in id order (so that two transactions never wait on each other):
    the one with reference ref; the one of network with the REQUEST's message id; the one with id;
    those of the theme with reference theme_ref; those whose references are refs[0..n-1]. The
    single ones: CII_OK, CII_NOT_FOUND, or the database error. The lists: a new array *rows_p
    (free) of *count_p rows (0 when none). */
cii_rc_t hub_store_request_lock (hub_store_t *self, const char *ref, hub_request_lock_t *out);
cii_rc_t hub_store_request_lock_message (hub_store_t *self, const char *network, const char *message_id,
                                         hub_request_lock_t *out);
cii_rc_t hub_store_request_lock_id (hub_store_t *self, int64_t id, hub_request_lock_t *out);
cii_rc_t hub_store_requests_lock_theme (hub_store_t *self, const char *theme_ref, hub_request_lock_t **rows_p,
                                        size_t *count_p);
cii_rc_t hub_store_requests_lock_refs (hub_store_t *self, const char *const *refs, size_t n,
                                       hub_request_lock_t **rows_p, size_t *count_p);

/*  Locks the downward heads of the active agents of networks[0..n-1] in agent id order, as the
    downward queue locks them (never their agents rows), so that a transaction about to queue items
    for several networks one by one (a decision on a theme) never waits for them in another order
    than a transaction queueing for all at once. */
cii_rc_t hub_store_requests_lock_agents (hub_store_t *self, const char *const *networks, size_t n);

/*  Writes a state change of request_id: its history row (state, organ, note, meeting or NULL, not
    yet queued) and the request's state (and its theme when theme_id > 0). Only the transition
    function (hub_flow_move) calls this. *at_ms (when not NULL): the time of the change. */
cii_rc_t hub_store_request_change (hub_store_t *self, int64_t request_id, const char *state, const char *organ,
                                   const char *note, const char *meeting, int64_t theme_id, int64_t *at_ms);

/*  One history row. Strings borrowed during the callback. */
typedef struct {
    int64_t id;
    const char *state;
    const char *organ;
    int64_t at_ms;
    const char *note;
    const char *meeting;                    /* "" when none */
    bool queued;                            /* its STATUS is in the downward queue */
} hub_history_row_t;

typedef bool (hub_history_fn) (const hub_history_row_t *row, void *arg);

/*  Calls fn for the history of request_id in order: every row, or only those whose STATUS is not
    yet queued (pending). */
cii_rc_t hub_store_request_history (hub_store_t *self, int64_t request_id, bool pending, hub_history_fn *fn,
                                    void *arg);

/*  Marks count history rows queued (their STATUS items are in the downward queue, same
    transaction), with one statement. */
cii_rc_t hub_store_history_queued (hub_store_t *self, const int64_t *history_ids, size_t count);

/*  Requests with history rows not yet queued, oldest first, at most limit: a new array *ids_p
    (free) of *count_p ids. */
cii_rc_t hub_store_requests_pending (hub_store_t *self, size_t limit, int64_t **ids_p, size_t *count_p);

/*  Ids of the requests in one of the states[0..n-1], in id order: a new array (free). */
cii_rc_t hub_store_requests_in_states (hub_store_t *self, const char *const *states, size_t n, int64_t **ids_p,
                                       size_t *count_p);

/*  --- criteria ---------------------------------------------------------------------------- */

/*  What the admissibility criteria are evaluated on, for one request. Comma lists of domain names
    or codes, sorted; strings are the caller's copies (free with hub_request_facts_clear). */
typedef struct {
    char *ref;
    char *institutions;                     /* the request's and its signals' */
    char *objectives;
    char *cantons;                          /* its supporting cantons */
    bool has_reason;                        /* its own national_reason is not blank */
    char *reason_signals;                   /* refs of its signals with a national reason, "SIG-4,SIG-9" */
    char *theme;                            /* "" or the theme's reference */
    char *theme_cantons;                    /* over the theme's requests not in an excluded state */
    char *theme_networks;                   /* ... their networks */
    char *from_rec;                         /* "" or, for a national request, the recommendation whose
                                               monitoring opened it: no network raised it */
} hub_request_facts_t;

/*  Reads the facts of request_id; over its theme, the requests in one of excluded[0..n-1] do not
    count. CII_OK, CII_NOT_FOUND, or the database error. */
cii_rc_t hub_store_request_facts (hub_store_t *self, int64_t request_id, const char *const *excluded,
                                  size_t n_excluded, hub_request_facts_t *out);
void hub_request_facts_clear (hub_request_facts_t *facts);

/*  Replaces the stored criteria of request_id with criteria[0..n-1] (evaluated now). */
cii_rc_t hub_store_criteria_set (hub_store_t *self, int64_t request_id, const cii_criterion_t *criteria, size_t n);

/*  One criterion as stored. Strings borrowed during the callback. */
typedef struct {
    const char *id;
    bool met;
    const char *reason;
    int64_t evaluated_at_ms;
} hub_criterion_row_t;

typedef bool (hub_criterion_fn) (const hub_criterion_row_t *row, void *arg);

/*  Calls fn for each stored criterion of request_id, by id ("C1" first). */
cii_rc_t hub_store_criteria (hub_store_t *self, int64_t request_id, hub_criterion_fn *fn, void *arg);

/*  --- listings ------------------------------------------------------------------------------ */

/*  One request. Strings borrowed during the callback; lists are comma lists, except lineage,
    whose one-line entries are separated by LF. */
typedef struct {
    int64_t id;
    const char *ref;
    const char *network;
    const char *message_id;
    const char *title;
    const char *summary;
    const char *state;
    const char *theme;                      /* "" or "NT-2027-03" */
    const char *cantons;
    const char *institutions;
    const char *target_groups;
    const char *objectives;
    const char *priorities;
    const char *assessment;
    const char *national_reason;
    const char *language;
    const char *lineage;
    const char *signals;                    /* the hub references of its signals: "SIG-4,SIG-9" */
    const char *criteria_met;               /* ids of the criteria met: "C1,C2" */
    int criteria;                           /* how many were evaluated (0: not yet) */
    int64_t created_at_ms;
    int64_t received_at_ms;
    int64_t updated_at_ms;
    const char *from_rec;                   /* a national request: the recommendation whose monitoring
                                               opened it ("REC-2027-01"; network is ""), else "" */
} hub_request_row_t;

typedef bool (hub_request_fn) (const hub_request_row_t *row, void *arg);

/*  Which requests: every field NULL means any. canton: supported by it or raised by one of its
    signals. */
typedef struct {
    const char *ref;
    const char *state;
    const char *network;
    const char *canton;
    const char *theme;                      /* a theme's reference */
    const char *from_rec;                   /* the national requests opened from the monitoring of this
                                               recommendation ("REC-2027-01") */
} hub_request_filter_t;

/*  Calls fn for each request that passes filter (NULL: all), in reference order (by id). */
cii_rc_t hub_store_requests (hub_store_t *self, const hub_request_filter_t *filter, hub_request_fn *fn, void *arg);

/*  --- themes ------------------------------------------------------------------------------- */

/*  Stores a new theme titled title with the next NT reference (hub_store_ref_next) in state
    state: ref and *id_p filled. Joins the caller's transaction (which should hold it all). */
cii_rc_t hub_store_theme_add (hub_store_t *self, const char *title, const char *state, char ref [HUB_MAX_REF],
                              int64_t *id_p);

/*  Sets the state of theme id (the state decided for it as a whole; only hub_flow_move calls it). */
cii_rc_t hub_store_theme_state (hub_store_t *self, int64_t id, const char *state);

/*  One theme. Strings borrowed during the callback; comma lists. Breadth counts the requests not
    in an excluded state (see hub_store_themes). */
typedef struct {
    int64_t id;
    const char *ref;
    const char *title;
    const char *state;
    const char *requests;                   /* references of all its requests */
    const char *networks;                   /* networks of those that count */
    const char *cantons;                    /* their supporting cantons */
    int64_t created_at_ms;
} hub_theme_row_t;

typedef bool (hub_theme_fn) (const hub_theme_row_t *row, void *arg);

/*  Calls fn for the theme with reference ref (NULL: every theme, in reference order). Requests in
    one of excluded[0..n-1] do not count for networks and cantons. */
cii_rc_t hub_store_themes (hub_store_t *self, const char *ref, const char *const *excluded, size_t n_excluded,
                           hub_theme_fn *fn, void *arg);

#endif
