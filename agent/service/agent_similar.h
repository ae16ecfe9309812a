/*  agent_similar.h — `cii-agent similar SIGNAL`: the network's signals and requests that look like
    a signal, with why, to help the coordinator consolidate (issue 7). Within one network and its
    languages only: the hub's `cii-hub similar` matches across French, German and Italian.

    How: the signal's words (title, description, national reason) as the full-text indexes see
    them (SQLite FTS5, unicode61, diacritics removed and case folded: "Accès" = "acces"), without
    the common words of French, German, Italian and English and without numbers, the 32 rarest
    of them asked of both indexes (any of them matches); then each hit is scored by the words it
    shares with the signal, each weighing its rarity among the network's signals (ln (1 + N / df)),
    plus AGENT_SIMILAR_INSTITUTION per shared institution and AGENT_SIMILAR_GROUP per shared target
    group; the score is that sum in hundredths, rounded (an integer: 233 for 2.33). Requests that already consolidate the signal are always listed ("contains"); merged
    drafts and requests known only from the hub are not. */
#ifndef AGENT_SIMILAR_H_INCLUDED
#define AGENT_SIMILAR_H_INCLUDED

#include "agent_store.h"

#define AGENT_SIMILAR_LIMIT        10     /* hits by default */
#define AGENT_SIMILAR_LIMIT_MAX    200
#define AGENT_SIMILAR_QUERY_TERMS  32     /* the signal's rarest words asked of the indexes */
#define AGENT_SIMILAR_WORDS        8      /* shared words named per hit, rarest first */
#define AGENT_SIMILAR_INSTITUTION  0.5
#define AGENT_SIMILAR_GROUP        1.0

/*  One hit. Strings are borrowed for the duration of the callback; lists are comma separated. */
typedef struct {
    const char *kind;             /* "signal" or "request" */
    int64_t id;                   /* its local id */
    const char *title;
    const char *state;            /* a signal's "pending", "delivered", "refused"; a request's state */
    const char *cantons;          /* a signal's canton; a request's cantons */
    const char *ref;              /* the hub's reference, NULL when none yet */
    int64_t score;                /* hundredths of the sum, rounded: higher is closer */
    const char *words;            /* shared words, rarest first (at most AGENT_SIMILAR_WORDS) */
    const char *institutions;     /* shared institutions */
    const char *target_groups;    /* shared target groups */
    bool contains;                /* a request that consolidates the signal already */
} agent_similar_t;

/*  Calls fn with the hits for signal key (a local id or its hub reference), best first, at most
    limit (0: AGENT_SIMILAR_LIMIT; capped at AGENT_SIMILAR_LIMIT_MAX), until fn returns false.
    *signal_id_p (may be NULL) receives the signal's id, *count_p (may be NULL) the number of hits
    fn saw. CII_NOT_FOUND for an unknown signal. */
typedef bool (agent_similar_fn) (const agent_similar_t *hit, void *arg);
cii_rc_t agent_similar (agent_store_t *store, const char *key, size_t limit, agent_similar_fn *fn, void *arg,
                        int64_t *signal_id_p, size_t *count_p, cii_err_t *err);

#endif
