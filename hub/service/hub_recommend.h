/*  hub_recommend.h — the CP's recommendations (plan 3.3, issue 9): the REC.json file read
    (hub_recommend_parse), a recommendation published (hub_recommend_publish) or amended
    (hub_recommend_amend), each all or none in one transaction: the version stored whole (REC-YYYY-NN,
    gapless per adoption year; an amendment is version n+1, the earlier ones kept), the requests of its
    basis (a theme stands for its requests) moved to `recommended` through hub_flow (history, STATUS
    down), and one RECOMMENDATION downward item per network holding an addressed canton, with that
    network's addressed cantons. Also the listings (hub_recommend_list, hub_recommend_show) and the
    national partners a recommendation may address. The SQL is in hub/store/hub_store_recommend.c. */
#ifndef HUB_RECOMMEND_H_INCLUDED
#define HUB_RECOMMEND_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"
#include "hub_flow.h"
#include "hub_store.h"
#include "hub_store_recommend.h"

#define HUB_REC_MAX_BYTES  (256 * 1024)    /* a larger REC.json is refused unread */
#define HUB_REC_LANGUAGES  4               /* fr, de, it (required), rm (optional): hub_recommend_language */

/*  The language at index (0..3: "fr", "de", "it", "rm"; NULL past the end): the order of the
    title[] and text[] of a draft. */
const char *hub_recommend_language (size_t index);

/*  A recommendation as the CP adopts it, a new one or an amendment: every string borrowed. */
typedef struct {
    const char *title [HUB_REC_LANGUAGES];  /* by hub_recommend_language; NULL: not given */
    const char *text [HUB_REC_LANGUAGES];
    const char *adopted_on;                 /* "YYYY-MM-DD" */
    const char *report_by;                  /* "YYYY-MM-DD": implementation reported by then */
    const char *const *basis;               /* requests "CII-...", themes "NT-...", projects "PR-...",
                                               groups "WG-...", recommendations "REC-...", or free text
                                               (a study): one line each */
    size_t n_basis;
    bool all_cantons;                       /* addressed to every canton ("cantons": "all") */
    const char *const *cantons;             /* else these canton codes */
    size_t n_cantons;
    const char *const *partners;            /* and/or these national partners (codes, `cii-hub partners`) */
    size_t n_partners;
    const char *note;                       /* NULL or what this version changed */
    const char *meeting;                    /* NULL or the CP (or joint) meeting that adopted it */
} hub_rec_draft_t;

/*  A REC.json read: the draft, its strings borrowed from the document it keeps. */
typedef struct {
    hub_rec_draft_t draft;
    const char **strings;                   /* the lists of the draft */
    void *doc;                              /* the parsed document (jansson) */
} hub_rec_file_t;

/*  Reads a REC.json's text (size bytes, at most HUB_REC_MAX_BYTES) into *out (cleared first;
    hub_recommend_file_clear frees it): one object {"title": {"fr", "de", "it"[, "rm"]}, "text":
    {the same}, "adopted_on", "report_by", "basis": [...], "addressees": {"cantons": "all" | [...],
    "partners": [...]}, "note", "meeting"}. Only the shape is read here (the rules are
    hub_recommend_check's): CII_OK, or CII_BAD_INPUT with one line: "NAME: line L, column C: REASON"
    (NAME: the file's name, left out when NULL) for text that is not JSON, else "NAME: the
    recommendation must be a JSON object {\"title\", \"text\", ...}", "unknown key \"K\" (title, text,
    adopted_on, report_by, basis, addressees, note, meeting)", "\"title\" must be an object
    {\"fr\", \"de\", \"it\", \"rm\"} of strings", "title: unknown language \"en\" (fr, de, it, rm)",
    "title.fr must be a string", "\"adopted_on\" must be a string", "\"basis\" must be an array of
    strings", "basis[2] must be a string", "addressees: unknown key \"K\" (cantons, partners)",
    "addressees.cantons must be \"all\" or an array of canton codes", "addressees.cantons[1] must be
    a string", "addressees.partners must be an array of partner codes", "at most 64 entries in
    basis (got N)". CII_NO_MEMORY. */
cii_rc_t hub_recommend_parse (const char *name, const char *text, size_t size, hub_rec_file_t *out, cii_err_t *err);

/*  Frees what a REC.json read holds (safe twice, and on a zeroed one). */
void hub_recommend_file_clear (hub_rec_file_t *file);

/*  The rules of a draft that need no database, in this order: CII_BAD_INPUT "title.de: missing
    (French, German and Italian are required)", "text.it: missing (...)", "text.rm: missing (the
    title has a Romansh version)", "title.fr must be 1..200 bytes of UTF-8 text (got N bytes)",
    "text.fr must be 1..8000 bytes of UTF-8 text (got N bytes)"; "adopted_on: missing (the date of
    the adoption, YYYY-MM-DD)", "adopted_on: \"x\" is not a calendar date YYYY-MM-DD",
    "report_by: missing (the date by which implementation is reported, YYYY-MM-DD)",
    "report_by: \"x\" is not ...", "report_by: 2027-03-01 is before the adoption on 2027-04-20";
    "basis[2] must be one line of 1..64 bytes", "basis[2]: \"X\" is named twice", "at most 64
    entries in basis (got N)"; "addressees: none (\"cantons\": \"all\" or a list, and/or
    \"partners\")", CII_NOT_FOUND "addressees.cantons[1]: unknown canton \"XX\"", CII_BAD_INPUT
    "addressees.cantons[2]: VD is named twice", "addressees.partners[0]: \"x\" is not a partner
    code", "addressees.partners[1]: CSIAS is named twice", "note must be UTF-8 text of at most 4000
    bytes (got N bytes)", "meeting: \"x\" is not a meeting reference (M-YYYY-NN)". */
cii_rc_t hub_recommend_check (const hub_rec_draft_t *draft, cii_err_t *err);

/*  A network's item of a published version. */
typedef struct {
    char network [CII_MAX_NETWORK_NAME + 1];
    char cantons [CII_CANTON_COUNT * 3];    /* its addressed cantons, comma list "VD,VS" */
    int64_t recipients;                     /* agents it was queued for (0: none enrolled) */
} hub_rec_sent_t;

/*  What a publication or an amendment did. */
typedef struct {
    char ref [HUB_MAX_REF];                 /* "REC-2027-01" */
    uint32_t version;
    char adopted_on [11];
    char report_by [11];
    char meeting [HUB_MAX_REF];             /* "" or the meeting */
    int64_t issued_at_ms;
    hub_moved_t *requests;                  /* the requests of the basis, by id: ref and the state before
                                               ("recommended": already, it stays) */
    size_t count;
    hub_rec_sent_t sent [CII_MAX_NETWORKS]; /* one per network holding an addressed canton, by name */
    size_t n_sent;
} hub_rec_done_t;

/*  Frees what done holds (safe twice). */
void hub_rec_done_clear (hub_rec_done_t *done);

/*  Publishes draft as a new recommendation, all or none: refused with nothing stored (no number
    taken) on hub_recommend_check's refusals and on CII_NOT_FOUND "addressees.partners[0]: unknown
    partner \"X\" (cii-hub partners)", "basis[1]: unknown request CII-2027-0009" (theme, recommendation,
    project, working group alike), "unknown meeting M-2027-09"; CII_REFUSED hub_meeting_allows's
    refusal for a meeting not of the cp, "meeting: M-2027-02 was on 2027-04-22, not on the adoption
    date 2027-04-20", "NT-2027-01 has no open request", and hub_flow's refusal for a request of the
    basis that may not move to recommended ("CII-2027-0001 is received: only a request that is
    recommendation-planned, scheduled, referred-to-cp or wg-reported may move to recommended"); a
    request already recommended (by an earlier recommendation) stays and is linked. Else, in one
    transaction: REC-<adoption year>-NN, version 1 stored (texts as given), the basis requests linked
    and moved to recommended by the cp (note "recommendation REC-2027-01: <French title>", in the
    meeting, STATUS queued), and one RECOMMENDATION (subject "recommendation:REC-2027-01.v1") per
    network holding an addressed canton (its cantons only), checked by cii_recommendation_check
    before it is queued. */
cii_rc_t hub_recommend_publish (hub_store_t *store, const hub_rec_draft_t *draft, hub_rec_done_t *out, cii_err_t *err);

/*  Amends recommendation ref with draft as its version n+1, delivered again in the same way (to the
    networks of the new version's addressees), the earlier versions kept: refusals as publishing,
    and CII_NOT_FOUND "unknown recommendation REC-2027-09", CII_BAD_INPUT "adopted_on: 2027-03-01 is
    before version 1's adoption on 2027-04-20" (the current version's), "basis[0]: REC-2027-01 is the recommendation
    itself". The requests of its basis not yet recommended move (the note names the version:
    "recommendation REC-2027-01 v2: ..."); those linked before stay linked. */
cii_rc_t hub_recommend_amend (hub_store_t *store, const char *ref, const hub_rec_draft_t *draft, hub_rec_done_t *out,
                              cii_err_t *err);

/*  Calls fn for every recommendation, in reference order. */
cii_rc_t hub_recommend_list (hub_store_t *store, hub_rec_row_fn *fn, void *arg, cii_err_t *err);

/*  True if ref looks like a recommendation's reference (REC-...): what `show` hands here. */
bool hub_recommend_is_ref (const char *ref);

/*  What `show REC` is told, in order: the recommendation, each version (oldest first), each
    (version, network) delivery. A function may be NULL; returning false skips the rest of its kind. */
typedef struct {
    hub_rec_row_fn *rec;
    hub_rec_version_fn *version;
    hub_rec_delivery_fn *delivery;
} hub_rec_visitor_t;

/*  Shows recommendation ref through visitor: CII_OK, CII_NOT_FOUND "unknown recommendation REF". */
cii_rc_t hub_recommend_show (hub_store_t *store, const char *ref, const hub_rec_visitor_t *visitor, void *arg,
                             cii_err_t *err);

/*  Calls fn for every national partner, by code. */
cii_rc_t hub_recommend_partners (hub_store_t *store, hub_partner_fn *fn, void *arg, cii_err_t *err);

/*  Adds a national partner: code 1..32 of [A-Za-z0-9-] starting with a letter, name one line of
    1..200 bytes. CII_BAD_INPUT "the partner code must be 1..32 letters, digits or '-', starting with
    a letter (got \"x\")", "the name must be one line of UTF-8 text of 1..200 bytes (got N bytes)";
    CII_CONFLICT "partner CSIAS exists already". */
cii_rc_t hub_recommend_partner_add (hub_store_t *store, const char *code, const char *name, cii_err_t *err);

#endif
