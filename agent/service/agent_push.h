/*  agent_push.h — recommendations pushed into the cantons' systems (issue 9): a delivered
    RECOMMENDATION stored and one push queued per addressed canton of this network, in the inbox
    transaction; the payload in each canton's official languages; the coordinator's adapters
    (canton set); and the push worker, a thread with its own store handle that runs the due pushes
    off the daemon's event loop, with exponential backoff until a day after the first attempt.
    A push that ends (pushed or failed) is marked and its PUSH queued in the outbox in one
    transaction (agent_store_push_end); the daemon sends it like any upward message. */
#ifndef AGENT_PUSH_H_INCLUDED
#define AGENT_PUSH_H_INCLUDED

#include <stdatomic.h>

#include "agent_store.h"
#include "agent_store_push.h"
#include "cii_domain.h"

/*  The retry limits. Defaults: first retry after 2 s, doubling, at most 1 h apart, given up 24 h
    after the first attempt. For tests only, the daemon reads them at start from the environment:
    CII_PUSH_BACKOFF_MS, CII_PUSH_BACKOFF_MAX_MS, CII_PUSH_GIVE_UP_MS (milliseconds, > 0). */
typedef struct {
    int64_t backoff_ms;
    int64_t backoff_max_ms;
    int64_t give_up_ms;
} agent_push_limits_t;

#define AGENT_PUSH_BACKOFF_MS      2000
#define AGENT_PUSH_BACKOFF_MAX_MS  (3600 * 1000)
#define AGENT_PUSH_GIVE_UP_MS      ((int64_t) 24 * 3600 * 1000)

/*  The defaults above, overridden by the environment variables above when set. */
void agent_push_limits_get (agent_push_limits_t *limits);

/*  The downward handler of a RECOMMENDATION (inside the inbox transaction): checks it
    (cii_recommendation_check), stores the version and queues one push per addressed canton; a
    canton that is not of this network is skipped with a warning. Anything but CII_OK rolls the
    item back. */
cii_rc_t agent_push_on_recommendation (agent_store_t *store, int64_t seq, const cii_recommendation_t *rec,
                                       cii_err_t *err);

/*  The payload of the push of (ref, version) into canton, a new JSON text (*json_p, caller frees;
    *size_p its length): {ref, version, adopted_on, report_by, basis, partners, all_cantons,
    canton, languages, title: {LANG: ...}, text: {LANG: ...}, issued_at, note}, title and text in
    the canton's official languages only (rm when the version has it). The same bytes every time. */
cii_rc_t agent_push_payload (agent_store_t *store, const char *ref, uint32_t version, const char *canton,
                             char **json_p, size_t *size_p, cii_err_t *err);

/*  Runs the first due push (if any) once: *did_p says whether one was attempted. Its adapter is
    run synchronously (up to its time limit); cancel (may be NULL) interrupts it. */
cii_rc_t agent_push_step (agent_store_t *store, const agent_push_limits_t *limits, const atomic_bool *cancel,
                          bool *did_p, cii_err_t *err);

/*  Runs agent_push_step until no push is due now; *count_p (may be NULL) the attempts made. */
cii_rc_t agent_push_run_due (agent_store_t *store, const agent_push_limits_t *limits, size_t *count_p,
                             cii_err_t *err);

/*  `cii-agent canton set`: checks that canton is one of the network's and that the adapter's
    target is usable (the adapter's check; none needs nothing), then stores it. Pushes waiting for
    an adapter start once the worker sees it. CII_NOT_FOUND / CII_REFUSED / CII_BAD_INPUT with a
    reason naming the option. */
cii_rc_t agent_push_canton_set (agent_store_t *store, const agent_canton_push_t *push, cii_err_t *err);

/*  `cii-agent cantons`: every canton of the network in order, with its languages, its adapter and
    its push counts. */
typedef struct {
    const char *canton;
    const char *languages;             /* "fr,de" */
    const agent_canton_push_t *push;
    const char *target;                /* the command, folder or URL ("" for none) */
    agent_push_counts_t counts;
} agent_canton_row_t;
typedef bool (agent_canton_fn) (const agent_canton_row_t *row, void *arg);
cii_rc_t agent_push_cantons (agent_store_t *store, agent_canton_fn *fn, void *arg, cii_err_t *err);

/*  The push worker: a thread with its own store on state_dir, running due pushes until destroyed.
    NULL with err when the state cannot be opened. Destroy interrupts a running attempt (the push
    stays queued, due at once) and joins the thread. */
typedef struct _agent_push_worker_t agent_push_worker_t;
agent_push_worker_t *agent_push_worker_new (const char *state_dir, cii_err_t *err);
void agent_push_worker_destroy (agent_push_worker_t **self_p);

#endif
