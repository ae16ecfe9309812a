/*  cii_domain.h — the domain vocabulary of DESIGN §2 shared by hub and agent: the 26 cantons and
    their languages, the default regional networks, institutions, target groups, languages; and
    the validity checks for them (UTF-8 included). Names here are the CLI and JSON names. */
#ifndef CII_DOMAIN_H_INCLUDED
#define CII_DOMAIN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "cii.pb-c.h"

#define CII_CANTON_COUNT 26

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

/*  Institution name <-> enum ("social-aid" <-> CII__INSTITUTION__INSTITUTION_SOCIAL_AID).
    _from_name returns INSTITUTION_UNSPECIFIED (0) for an unknown name; _name returns NULL for an
    unknown value. Same for target groups. */
Cii__Institution cii_domain_institution_from_name (const char *name);
const char *cii_domain_institution_name (int value);
Cii__TargetGroup cii_domain_target_group_from_name (const char *name);
const char *cii_domain_target_group_name (int value);

/*  True if the size bytes at s are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
    and contain no NUL and no C0 control other than TAB, LF, CR. */
bool cii_domain_utf8_valid (const char *s, size_t size);

/*  True if name is a valid network name: 1..32 bytes of [a-z0-9-], starting with a letter. */
bool cii_domain_network_name_valid (const char *name);

#endif
