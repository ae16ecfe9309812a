/*  cii_domain.c — the domain vocabulary of DESIGN §2: canton table (languages, default network),
    institutions, target groups, languages, network names, and the strict UTF-8 validator used by
    the codec for every wire string. Pure functions over constant tables; no allocation. */
#include "cii_domain.h"

#include <string.h>

typedef struct {
    const char *code;
    const char *languages;
    const char *network;
} s_canton_t;

/*  Alphabetical by code; cii_domain_canton_at relies on the order. */
static const s_canton_t s_cantons [CII_CANTON_COUNT] = {
    { "AG", "de",       "nordwest" },
    { "AI", "de",       "ost" },
    { "AR", "de",       "ost" },
    { "BE", "fr,de",    "mittelland" },
    { "BL", "de",       "nordwest" },
    { "BS", "de",       "nordwest" },
    { "FR", "fr,de",    "mittelland" },
    { "GE", "fr",       "lemanique" },
    { "GL", "de",       "ost" },
    { "GR", "de,it,rm", "ost" },
    { "JU", "fr",       "mittelland" },
    { "LU", "de",       "zentral" },
    { "NE", "fr",       "mittelland" },
    { "NW", "de",       "zentral" },
    { "OW", "de",       "zentral" },
    { "SG", "de",       "ost" },
    { "SH", "de",       "ost" },
    { "SO", "de",       "mittelland" },
    { "SZ", "de",       "zentral" },
    { "TG", "de",       "ost" },
    { "TI", "it",       "ticino" },
    { "UR", "de",       "zentral" },
    { "VD", "fr",       "lemanique" },
    { "VS", "fr,de",    "lemanique" },
    { "ZG", "de",       "zentral" },
    { "ZH", "de",       "zuerich" },
};

/*  Index = enum value; index 0 (UNSPECIFIED) has no name. */
static const char *s_institutions [] = {
    NULL, "unemployment", "invalidity", "social-aid", "vocational-training", "migration", "health"
};
static const char *s_target_groups [] = {
    NULL, "social-aid-recipients", "health-impaired", "low-qualified-adults",
    "late-arriving-youth", "provisionally-admitted-and-refugees"
};

#define S_COUNT(a) (sizeof (a) / sizeof ((a) [0]))

static const s_canton_t *
s_canton_find (const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        if (strcmp (s_cantons [i].code, code) == 0)
            return &s_cantons [i];
    return NULL;
}

bool
cii_domain_canton_valid (const char *code)
{
    return s_canton_find (code) != NULL;
}

const char *
cii_domain_canton_at (size_t index)
{
    return index < CII_CANTON_COUNT ? s_cantons [index].code : NULL;
}

const char *
cii_domain_canton_languages (const char *code)
{
    const s_canton_t *canton = s_canton_find (code);
    return canton ? canton->languages : NULL;
}

const char *
cii_domain_default_network (const char *code)
{
    const s_canton_t *canton = s_canton_find (code);
    return canton ? canton->network : NULL;
}

bool
cii_domain_language_valid (const char *lang)
{
    if (!lang)
        return false;
    return strcmp (lang, "fr") == 0 || strcmp (lang, "de") == 0
        || strcmp (lang, "it") == 0 || strcmp (lang, "rm") == 0;
}

Cii__Institution
cii_domain_institution_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_institutions); i++)
            if (strcmp (s_institutions [i], name) == 0)
                return (Cii__Institution) i;
    return CII__INSTITUTION__INSTITUTION_UNSPECIFIED;
}

const char *
cii_domain_institution_name (int value)
{
    if (value < 1 || (size_t) value >= S_COUNT (s_institutions))
        return NULL;
    return s_institutions [value];
}

Cii__TargetGroup
cii_domain_target_group_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_target_groups); i++)
            if (strcmp (s_target_groups [i], name) == 0)
                return (Cii__TargetGroup) i;
    return CII__TARGET_GROUP__TARGET_GROUP_UNSPECIFIED;
}

const char *
cii_domain_target_group_name (int value)
{
    if (value < 1 || (size_t) value >= S_COUNT (s_target_groups))
        return NULL;
    return s_target_groups [value];
}

/*  Strict UTF-8 per RFC 3629 / Unicode table 3-7: the second byte's range depends on the lead
    byte, which rules out overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF)
    and code points above U+10FFFF (F4 90.., F5..FF). */
bool
cii_domain_utf8_valid (const char *s, size_t size)
{
    if (!s)
        return size == 0;
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;
    while (i < size) {
        unsigned char c = p [i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return false;          /* NUL and other C0 controls */
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else
        if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;             /* no overlong 3-byte form */
            else
            if (c == 0xED)
                hi = 0x9F;             /* no UTF-16 surrogates */
        }
        else
        if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;             /* no overlong 4-byte form */
            else
            if (c == 0xF4)
                hi = 0x8F;             /* nothing above U+10FFFF */
        }
        else
            return false;              /* continuation byte as lead, C0/C1, F5..FF */
        if (size - i - 1 < need)
            return false;              /* truncated sequence */
        if (p [i + 1] < lo || p [i + 1] > hi)
            return false;
        for (size_t k = 2; k <= need; k++)
            if (p [i + k] < 0x80 || p [i + k] > 0xBF)
                return false;
        i += need + 1;
    }
    return true;
}

bool
cii_domain_network_name_valid (const char *name)
{
    if (!name)
        return false;
    size_t len = strlen (name);
    if (len < 1 || len > 32)
        return false;
    if (name [0] < 'a' || name [0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}
