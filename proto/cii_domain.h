/*  cii_domain.h — the domain vocabulary of docs/domain.md shared by hub and agent: the 26 cantons
    and their languages, the default regional networks, institutions, target groups, languages,
    the limits of every text; the domain structs the service layers work on (a signal, a notice),
    which are not protobuf types; and the validity checks for all of them (UTF-8 included). Names
    here are the CLI and JSON names. Enum values equal the wire values of proto/cii.proto. */
#ifndef CII_DOMAIN_H_INCLUDED
#define CII_DOMAIN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"

#define CII_CANTON_COUNT       26
#define CII_MAX_TITLE          200     /* bytes of UTF-8: every title */
#define CII_MAX_TEXT           8000    /* bytes of UTF-8: signal description, notice text */
#define CII_MAX_REASON         4000    /* bytes of UTF-8: signal national_reason */
#define CII_MAX_NETWORKS       64      /* networks addressed by one notice */
#define CII_MAX_NETWORK_NAME   32      /* bytes of [a-z0-9-] */
#define CII_MAX_INSTITUTIONS   6       /* institutions of one signal (all of them) */
#define CII_MAX_TARGET_GROUPS  5       /* target groups of one signal (all of them) */
#define CII_MAX_TIME_MS        253402300799999LL   /* 9999-12-31T23:59:59.999Z: latest time */
#define CII_MAX_REQUEST_SIGNALS 200    /* signals one request consolidates */
#define CII_MAX_OBJECTIVES     2
#define CII_MAX_PRIORITIES     3
#define CII_MAX_LINEAGE        16      /* lineage notes of a request */
#define CII_MAX_LINE           200     /* bytes of a one-line note (lineage, criterion reason 400) */
#define CII_MAX_ID             64      /* bytes of a message id */
#define CII_MAX_STATE          32      /* bytes of a state or organ name: [a-z-] */
#define CII_MAX_CRITERIA       8
#define CII_MAX_REF            31      /* bytes of a reference: "CII-2027-0042", "NT-2027-03" */
#define CII_MAX_TRANSLATIONS   4       /* fr, de, it (required) and rm (optional) */
#define CII_MAX_BASIS          64      /* basis entries of a recommendation */
#define CII_MAX_BASIS_ITEM     64      /* bytes of one basis entry or partner name, one line */
#define CII_MAX_PARTNERS       32      /* national partners addressed by one recommendation */
#define CII_MAX_DETAIL         400     /* bytes of a push's one-line detail */

/*  Institutions (plan 1.3) and target groups (plan 3.1); 0 is "none". */
typedef enum {
    CII_INSTITUTION_NONE = 0,
    CII_INSTITUTION_UNEMPLOYMENT = 1,
    CII_INSTITUTION_INVALIDITY = 2,
    CII_INSTITUTION_SOCIAL_AID = 3,
    CII_INSTITUTION_VOCATIONAL_TRAINING = 4,
    CII_INSTITUTION_MIGRATION = 5,
    CII_INSTITUTION_HEALTH = 6
} cii_institution_t;

typedef enum {
    CII_TARGET_GROUP_NONE = 0,
    CII_TARGET_GROUP_SOCIAL_AID_RECIPIENTS = 1,
    CII_TARGET_GROUP_HEALTH_IMPAIRED = 2,
    CII_TARGET_GROUP_LOW_QUALIFIED_ADULTS = 3,
    CII_TARGET_GROUP_LATE_ARRIVING_YOUTH = 4,
    CII_TARGET_GROUP_PROVISIONALLY_ADMITTED_AND_REFUGEES = 5
} cii_target_group_t;

/*  General objectives (plan 1.3) and content priorities (plan 3.1); 0 is "none". */
typedef enum {
    CII_OBJECTIVE_NONE = 0,
    CII_OBJECTIVE_LABOUR_MARKET_INTEGRATION = 1,
    CII_OBJECTIVE_SYSTEM_COORDINATION = 2
} cii_objective_t;

typedef enum {
    CII_PRIORITY_NONE = 0,
    CII_PRIORITY_P1 = 1,
    CII_PRIORITY_P2 = 2,
    CII_PRIORITY_P3 = 3
} cii_priority_t;

/*  A cantonal seismograph entry (docs/domain.md). Strings are borrowed from whoever filled it. */
typedef struct {
    char canton [3];                                   /* "VD" */
    const char *title;                                 /* 1..CII_MAX_TITLE bytes */
    const char *description;                           /* 1..CII_MAX_TEXT bytes */
    cii_institution_t institutions [CII_MAX_INSTITUTIONS];
    size_t n_institutions;                             /* 1..6, distinct */
    cii_target_group_t target_groups [CII_MAX_TARGET_GROUPS];
    size_t n_target_groups;                            /* 0..5, distinct */
    const char *national_reason;                       /* 0..CII_MAX_REASON bytes (NULL = "") */
    char language [3];                                 /* "fr", "de", "it", "rm" */
    int64_t created_at_ms;                             /* when the canton raised it */
} cii_signal_t;

/*  A bureau notice to all networks (n_networks 0) or some. Strings are borrowed. */
typedef struct {
    int64_t id;                                        /* the hub's id (0 before it is stored) */
    const char *title;                                 /* 1..CII_MAX_TITLE bytes */
    const char *text;                                  /* 1..CII_MAX_TEXT bytes */
    const char *const *networks;                       /* network names, distinct */
    size_t n_networks;                                 /* 0..CII_MAX_NETWORKS */
    int64_t issued_at_ms;
} cii_notice_t;

/*  A request consolidated by a network's coordinator from its signals (docs/domain.md). Strings and
    lists are borrowed; signal_ids are the message ids of the network's SIGNALs. */
typedef struct {
    const char *title;                                 /* 1..CII_MAX_TITLE */
    const char *summary;                               /* 1..CII_MAX_TEXT */
    const char *const *signal_ids;                     /* 1..CII_MAX_REQUEST_SIGNALS, distinct */
    size_t n_signal_ids;
    cii_institution_t institutions [CII_MAX_INSTITUTIONS];
    size_t n_institutions;                             /* 0..6, distinct */
    cii_target_group_t target_groups [CII_MAX_TARGET_GROUPS];
    size_t n_target_groups;                            /* 0..5, distinct */
    cii_objective_t objectives [CII_MAX_OBJECTIVES];
    size_t n_objectives;                               /* 0..2, distinct */
    cii_priority_t priorities [CII_MAX_PRIORITIES];
    size_t n_priorities;                               /* 0..3, distinct */
    const char *const *cantons;                        /* 1..26 distinct canton codes */
    size_t n_cantons;
    const char *assessment;                            /* 0..CII_MAX_REASON (NULL = "") */
    const char *national_reason;                       /* 0..CII_MAX_REASON (NULL = "") */
    char language [3];
    const char *const *lineage;                        /* 0..CII_MAX_LINEAGE one-line notes */
    size_t n_lineage;
    int64_t created_at_ms;
} cii_request_t;

/*  A network withdraws one of its requests. */
typedef struct {
    const char *request_id;                            /* the REQUEST's message id */
    const char *reason;                                /* 1..CII_MAX_REASON */
} cii_withdraw_t;

/*  One admissibility criterion as evaluated (C1..C4). */
typedef struct {
    const char *id;                                    /* "C1" */
    bool met;
    const char *reason;                                /* 0..400 bytes, one line */
} cii_criterion_t;

/*  A state change of a request at the national level, as the agent is told it. */
typedef struct {
    const char *ref;                                   /* "CII-2027-0042" */
    const char *request_id;                            /* the REQUEST's message id */
    const char *state;                                 /* [a-z-]{1,32}: "received", "admissible", ... */
    const char *organ;                                 /* [a-z-]{1,32}: "bureau", "cdc", "cp", "wg", "hub" */
    int64_t at_ms;
    const char *note;                                  /* 0..CII_MAX_REASON */
    const cii_criterion_t *criteria;                   /* 0..CII_MAX_CRITERIA */
    size_t n_criteria;
    const char *theme;                                 /* "" or "NT-2027-03" */
    const char *meeting;                               /* "" (or NULL) or the meeting, "M-2027-02" */
} cii_status_t;

/*  One language version of a recommendation. */
typedef struct {
    char language [3];                                 /* "fr", "de", "it", "rm" */
    const char *title;                                 /* 1..CII_MAX_TITLE */
    const char *text;                                  /* 1..CII_MAX_TEXT */
} cii_translation_t;

/*  A CP recommendation as delivered to one network (docs/domain.md): one version, with the
    addressed cantons of that network. Strings and lists are borrowed. */
typedef struct {
    const char *ref;                                   /* "REC-2027-01" */
    uint32_t version;                                  /* 1.. */
    cii_translation_t translations [CII_MAX_TRANSLATIONS];
    size_t n_translations;                             /* 3..4: fr, de, it once each, rm optional */
    const char *adopted_on;                            /* "YYYY-MM-DD" */
    const char *report_by;                             /* "YYYY-MM-DD", not before adopted_on */
    const char *const *basis;                          /* 0..CII_MAX_BASIS one-line entries, distinct */
    size_t n_basis;
    const char *const *cantons;                        /* 1..26 distinct canton codes */
    size_t n_cantons;
    const char *const *partners;                       /* 0..CII_MAX_PARTNERS one-line names, distinct */
    size_t n_partners;
    bool all_cantons;                                  /* addressed to all 26 cantons */
    int64_t issued_at_ms;
    const char *note;                                  /* 0..CII_MAX_REASON: what this version changed */
} cii_recommendation_t;

/*  The end of an agent's push of one recommendation version into one canton's systems. */
typedef struct {
    const char *ref;                                   /* "REC-2027-01" */
    uint32_t version;                                  /* >= 1 */
    char canton [3];
    const char *state;                                 /* "pushed" or "failed" */
    const char *adapter;                               /* "exec", "dir", "webhook" */
    const char *detail;                                /* 0..CII_MAX_DETAIL, one line */
    uint32_t attempts;                                 /* >= 1 */
    int64_t at_ms;
} cii_push_t;

/*  A canton's implementation report on a recommendation. */
typedef struct {
    const char *ref;                                   /* "REC-2027-01" */
    char canton [3];
    const char *state;                                 /* cii_domain_report_state_valid */
    const char *note;                                  /* 0..CII_MAX_REASON; 1.. for "declined" */
    int64_t at_ms;
    uint32_t version;                                  /* the version reported on; 0: the latest */
    const char *source;                                /* "" or [a-z-]{1,32}: "cli", "file" */
} cii_report_t;

/*  The report states in their order (index 0..4; NULL past the end): "acknowledged", "planned",
    "in-progress", "implemented", "declined". */
const char *cii_domain_report_state_at (size_t index);

/*  True for one of the report states above. */
bool cii_domain_report_state_valid (const char *state);

/*  True for a final report state ("implemented", "declined"): a cell with one is not overdue. */
bool cii_domain_report_state_final (const char *state);

/*  True for a push state ("pushed", "failed") and a push adapter ("exec", "dir", "webhook"). */
bool cii_domain_push_state_valid (const char *state);
bool cii_domain_push_adapter_valid (const char *adapter);

/*  True if ref looks like a recommendation reference "REC-YYYY-NN" (NN: 2 or more digits). */
bool cii_domain_rec_ref_valid (const char *ref);

/*  Checks a recommendation ("recommendation"), a push ("push") and a report ("report") against
    every rule of the domain, as cii_request_check does. A "declined" report without a note is
    refused ("report.note: declined needs its reason"). */
cii_rc_t cii_recommendation_check (const cii_recommendation_t *rec, const char *prefix, cii_err_t *err);
cii_rc_t cii_push_check (const cii_push_t *push, const char *prefix, cii_err_t *err);
cii_rc_t cii_report_check (const cii_report_t *report, const char *prefix, cii_err_t *err);

/*  The translation of rec in language lang, or NULL. */
const cii_translation_t *cii_recommendation_translation (const cii_recommendation_t *rec, const char *lang);

/*  Objective and priority names <-> enums ("labour-market-integration", "P1"); as for institutions. */
cii_objective_t cii_domain_objective_from_name (const char *name);
const char *cii_domain_objective_name (int value);
cii_priority_t cii_domain_priority_from_name (const char *name);
const char *cii_domain_priority_name (int value);

/*  True if s is 1..CII_MAX_STATE bytes of [a-z-] starting with a letter (states, organs). */
bool cii_domain_state_name_valid (const char *s);

/*  Checks a request (prefix "request"), a withdrawal ("withdraw") and a status ("status") against
    every rule of the domain, as cii_signal_check does: CII_OK, CII_NOT_FOUND for an unknown canton,
    else CII_BAD_INPUT naming the field. */
cii_rc_t cii_request_check (const cii_request_t *request, const char *prefix, cii_err_t *err);
cii_rc_t cii_withdraw_check (const cii_withdraw_t *withdraw, const char *prefix, cii_err_t *err);
cii_rc_t cii_status_check (const cii_status_t *status, const char *prefix, cii_err_t *err);

/*  Checks a signal against every rule of the domain: the canton is one of the 26, texts within
    their limits and valid UTF-8 text, institutions 1..6 known and distinct, target groups 0..5
    known and distinct, the language one of fr/de/it/rm, the time within 0..CII_MAX_TIME_MS.
    prefix names the struct in the reason ("signal": "signal.title: 213 bytes, limit 200").
    CII_OK; CII_NOT_FOUND for an unknown canton ("signal.canton: unknown canton \"ZZ\""); else
    CII_BAD_INPUT with the first violation. */
cii_rc_t cii_signal_check (const cii_signal_t *signal, const char *prefix, cii_err_t *err);

/*  The same for a notice: title and text, 0..CII_MAX_NETWORKS valid and distinct network names. */
cii_rc_t cii_notice_check (const cii_notice_t *notice, const char *prefix, cii_err_t *err);

/*  True if code is one of the 26 ISO canton codes (upper case, e.g. "VD"). */
bool cii_domain_canton_valid (const char *code);

/*  The canton codes in alphabetical order; index 0..CII_CANTON_COUNT-1. */
const char *cii_domain_canton_at (size_t index);

/*  Official languages of a canton as a comma list ("fr", "fr,de", "de,it,rm"); NULL if unknown. */
const char *cii_domain_canton_languages (const char *code);

/*  Default regional network of a canton in the seed registry ("lemanique", ...); NULL if unknown. */
const char *cii_domain_default_network (const char *code);

/*  True if lang is "fr", "de", "it" or "rm". */
bool cii_domain_language_valid (const char *lang);

/*  Institution name <-> enum ("social-aid" <-> CII_INSTITUTION_SOCIAL_AID). _from_name returns
    CII_INSTITUTION_NONE (0) for an unknown name; _name returns NULL for an unknown value. Same for
    target groups. */
cii_institution_t cii_domain_institution_from_name (const char *name);
const char *cii_domain_institution_name (int value);
cii_target_group_t cii_domain_target_group_from_name (const char *name);
const char *cii_domain_target_group_name (int value);

/*  True if the size bytes at s are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
    and contain no NUL and no C0 control other than TAB, LF, CR. */
bool cii_domain_utf8_valid (const char *s, size_t size);

/*  True if s (size bytes) is cii_domain_utf8_valid and has no TAB, CR or LF: a one-line field. */
bool cii_domain_line_valid (const char *s, size_t size);

/*  Copies the first line of untrusted bytes (src, size bytes; it ends at CR, LF or NUL) into
    dst[cap] as a valid one-line field: each character of well-formed UTF-8 kept, every other byte
    (a malformed sequence, a TAB or another control character) as '?', cut at a character
    boundary so that it fits with its NUL, blanks at both ends dropped. For what a foreign system
    answers (a command's output, an HTTP reply) before it goes into a push's detail. Returns dst. */
char *cii_domain_line_copy (char *dst, size_t cap, const char *src, size_t size);

/*  Copies at most 8 bytes of untrusted s into buf[12] for an error text (then "..." if there was
    more), every byte outside printable ASCII (and '"') as '?', so the text stays one line of valid
    UTF-8. Returns buf. NULL gives "". */
const char *cii_domain_sanitize (const char *s, char buf [12]);

/*  The same with at most 16 bytes of s, into buf[24]: for reasons that show a date, an organ or a
    reference as it was given. */
const char *cii_domain_shown (const char *s, char buf [24]);

/*  True when date is a calendar date "YYYY-MM-DD" of 2000..9999 (*year_p, when given, its year). */
bool cii_domain_date_valid (const char *date, int *year_p);

/*  True if name is a valid network name: 1..32 bytes of [a-z0-9-], starting with a letter. */
bool cii_domain_network_name_valid (const char *name);

#endif
