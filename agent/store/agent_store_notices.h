/*  agent_store_notices.h — the bureau's notices held by the agent (a downward kind): one row per
    notice, written by the inbox handler of kind "notice" in the inbox transaction. Table
    `notices`. */
#ifndef AGENT_STORE_NOTICES_H_INCLUDED
#define AGENT_STORE_NOTICES_H_INCLUDED

#include "agent_store.h"
#include "cii_domain.h"

/*  Stores notice as downward item seq of the current stream epoch (its inbox row must exist:
    call it from the inbox handler); network names joined with ','. CII_BAD_INPUT for a network
    name holding a ','; CII_NOT_FOUND when item seq is not in the inbox. */
cii_rc_t agent_store_notice_add (agent_store_t *self, int64_t seq, const cii_notice_t *notice, cii_err_t *err);

/*  One stored notice. Strings are borrowed for the duration of the callback; networks is a
    comma list of network names ("" = all networks). */
typedef struct {
    int64_t seq;
    int64_t notice_id;
    const char *title;
    const char *text;
    const char *networks;
    int64_t issued_at_ms;
    int64_t received_at_ms;
} agent_notice_row_t;

/*  Calls fn for every notice in the order they arrived until it returns false; *count_p (may be NULL)
    receives the number fn saw. fn must not write to the store. */
typedef bool (agent_notice_fn) (const agent_notice_row_t *row, void *arg);
cii_rc_t agent_store_notices_each (agent_store_t *self, agent_notice_fn *fn, void *arg, size_t *count_p,
                                   cii_err_t *err);

#endif
