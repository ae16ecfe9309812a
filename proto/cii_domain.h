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

/*  Copies at most 8 bytes of untrusted s into buf[12] for an error text (then "..." if there was
    more), every byte outside printable ASCII (and '"') as '?', so the text stays one line of valid
    UTF-8. Returns buf. NULL gives "". */
const char *cii_domain_sanitize (const char *s, char buf [12]);

/*  True if name is a valid network name: 1..32 bytes of [a-z0-9-], starting with a letter. */
bool cii_domain_network_name_valid (const char *name);

#endif
