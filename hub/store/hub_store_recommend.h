/*  hub_store_recommend.h — the CP's recommendations (schema 0013, plan 3.3): a new recommendation
    with its gapless reference REC-YYYY-NN (ref_counters, the year of its adoption), every version
    whole (texts per language, dates, basis, addressees), the requests of its basis, the national
    partners it may address, the listings and the per-network delivery counts. SQL only: what a
    recommendation needs and who gets it are in hub/service/hub_recommend.c. */
#ifndef HUB_STORE_RECOMMEND_H_INCLUDED
#define HUB_STORE_RECOMMEND_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_store.h"
#include "hub_store_ingest.h"

/*  --- partners --------------------------------------------------------------------------------- */

/*  One national partner. Strings borrowed during the callback. */
typedef struct {
    const char *code;                   /* "CSIAS" */
    const char *name;
} hub_partner_row_t;

typedef bool (hub_partner_fn) (const hub_partner_row_t *row, void *arg);

/*  Calls fn for every partner, by code. */
cii_rc_t hub_store_partners (hub_store_t *self, hub_partner_fn *fn, void *arg);

/*  CII_OK when a partner with exactly this code exists, CII_NOT_FOUND when not, or the database
    error. */
cii_rc_t hub_store_partner_exists (hub_store_t *self, const char *code);

/*  Adds a partner: CII_OK, CII_CONFLICT when the code exists, CII_BAD_INPUT when the table's check
    refuses the code, or the database error. */
cii_rc_t hub_store_partner_add (hub_store_t *self, const char *code, const char *name);

/*  --- the basis ------------------------------------------------------------------------------- */

/*  CII_OK when ref names a stored request ("CII-"), theme ("NT-"), recommendation ("REC-"),
    project ("PR-") or working group ("WG-"); CII_NOT_FOUND when not (or another prefix); or the
    database error. */
cii_rc_t hub_store_rec_basis_exists (hub_store_t *self, const char *ref);

/*  --- recommendations ---------------------------------------------------------------------------- */

/*  A recommendation locked FOR UPDATE, with what its current version says. */
typedef struct {
    int64_t id;
    char ref [HUB_MAX_REF];
    uint32_t version;                   /* the current version */
    char adopted_on [11];               /* of the current version */
} hub_rec_lock_t;

/*  Locks recommendation ref: CII_OK, CII_NOT_FOUND, or the database error. */
cii_rc_t hub_store_rec_lock (hub_store_t *self, const char *ref, hub_rec_lock_t *out);

/*  Stores a new recommendation (version 1 to come) with the next reference REC-<year>-NN of
    ref_counters (locked until the caller's transaction ends: gapless), adopted in meeting (NULL:
    none), joining the caller's transaction: ref and *id_p filled. */
cii_rc_t hub_store_rec_add (hub_store_t *self, int year, const char *meeting, char ref [HUB_MAX_REF], int64_t *id_p);

/*  Stores version rec->version of recommendation rec_id as rec gives it (translations, dates,
    basis as given, all_cantons, cantons, partner codes, note; ref and issued_at_ms are not read),
    adopted in meeting (NULL: none), and makes it the current one: *issued_at_ms (when not NULL)
    the time it was stored. CII_CONFLICT when that version exists. */
cii_rc_t hub_store_rec_version_add (hub_store_t *self, int64_t rec_id, const cii_recommendation_t *rec,
                                    const char *meeting, int64_t *issued_at_ms);

/*  Links request_id to recommendation rec_id (its basis); a link that exists stays. */
cii_rc_t hub_store_rec_link (hub_store_t *self, int64_t rec_id, int64_t request_id);

/*  One recommendation as listed: the current version's title (French) and dates. Strings borrowed
    during the callback; comma lists. */
typedef struct {
    int64_t id;
    const char *ref;
    uint32_t version;                   /* the current version */
    const char *title;                  /* its French title */
    const char *adopted_on;             /* of version 1 */
    const char *amended_on;             /* of the current version ("" when it is version 1) */
    const char *report_by;              /* of the current version */
    const char *meeting;                /* "" or the meeting that adopted version 1 */
    bool all_cantons;
    const char *cantons;                /* addressed cantons of the current version */
    const char *partners;               /* partner codes of the current version */
    const char *requests;               /* references of the requests of its basis (every version), by id */
    int64_t created_at_ms;
} hub_rec_row_t;

typedef bool (hub_rec_row_fn) (const hub_rec_row_t *row, void *arg);

/*  Calls fn for recommendation ref (when not NULL), else for every one, in reference order (by
    year, then number). */
cii_rc_t hub_store_recs (hub_store_t *self, const char *ref, hub_rec_row_fn *fn, void *arg);

/*  One version, whole. Strings borrowed during the callback. */
typedef struct {
    uint32_t version;
    const char *adopted_on;
    const char *report_by;
    const char *meeting;                /* "" when none */
    const char *basis;                  /* the entries as given, separated by LF (each is one line) */
    bool all_cantons;
    const char *cantons;                /* comma list */
    const char *partners;               /* comma list of codes */
    const char *note;
    int64_t issued_at_ms;
    cii_translation_t translations [CII_MAX_TRANSLATIONS];   /* fr, de, it, then rm when there is one */
    size_t n_translations;
} hub_rec_version_row_t;

typedef bool (hub_rec_version_fn) (const hub_rec_version_row_t *row, void *arg);

/*  Calls fn for every version of recommendation rec_id, oldest first. */
cii_rc_t hub_store_rec_versions (hub_store_t *self, int64_t rec_id, hub_rec_version_fn *fn, void *arg);

/*  What one network got of one version: the network holds `cantons` of the version's addressed
    cantons (in the registry as it is now); `queued` agents got the downward item with subject
    "recommendation:REF.vN", `acked` acknowledged it. */
typedef struct {
    uint32_t version;
    const char *network;
    const char *cantons;                /* comma list */
    int64_t queued;
    int64_t acked;
} hub_rec_delivery_row_t;

typedef bool (hub_rec_delivery_fn) (const hub_rec_delivery_row_t *row, void *arg);

/*  Calls fn for each (version, network) of recommendation rec_id with ref, by version then
    network: every network holding an addressed canton, and any other that got the item. */
cii_rc_t hub_store_rec_deliveries (hub_store_t *self, int64_t rec_id, const char *ref, hub_rec_delivery_fn *fn,
                                   void *arg);

#endif
