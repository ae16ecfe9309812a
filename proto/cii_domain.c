/*  cii_domain.c — the domain vocabulary of DESIGN §2: canton table (languages, default network),
    institutions, target groups, languages, network names, and the strict UTF-8 validator used by
    the codec for every wire string. Pure functions over constant tables; no allocation. */
#include "cii_domain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

static const char *s_objectives [] = { NULL, "labour-market-integration", "system-coordination" };
static const char *s_priorities [] = { NULL, "P1", "P2", "P3" };

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

cii_institution_t
cii_domain_institution_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_institutions); i++)
            if (strcmp (s_institutions [i], name) == 0)
                return (cii_institution_t) i;
    return CII_INSTITUTION_NONE;
}

const char *
cii_domain_institution_name (int value)
{
    if (value < 1 || (size_t) value >= S_COUNT (s_institutions))
        return NULL;
    return s_institutions [value];
}

cii_target_group_t
cii_domain_target_group_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_target_groups); i++)
            if (strcmp (s_target_groups [i], name) == 0)
                return (cii_target_group_t) i;
    return CII_TARGET_GROUP_NONE;
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

bool
cii_domain_line_valid (const char *s, size_t size)
{
    return cii_domain_utf8_valid (s, size) && (!s || !memchr (s, '\t', size))
        && (!s || !memchr (s, '\r', size)) && (!s || !memchr (s, '\n', size));
}

//  --------------------------------------------------------------------------------------------
//  Checks of the domain structs

//  At most max bytes of s into buf (max + 4 bytes), printable ASCII but '"' as is, others '?', then
//  "..." if there was more.
static const char *
s_shown (const char *s, size_t max, char *buf)
{
    size_t i = 0;
    if (s)
        for (; s [i] && i < max; i++)
            buf [i] = (s [i] >= 0x20 && s [i] <= 0x7e && s [i] != '"') ? s [i] : '?';
    if (s && s [i]) {
        memcpy (buf + i, "...", 3);
        i += 3;
    }
    buf [i] = '\0';
    return buf;
}

char *
cii_domain_line_copy (char *dst, size_t cap, const char *src, size_t size)
{
    if (cap == 0)
        return dst;
    size_t i = 0, out = 0;
    while (i < size && (src [i] == ' ' || src [i] == '\t'))
        i++;
    while (i < size && src [i] != '\n' && src [i] != '\r' && src [i] != '\0') {
        unsigned char c = (unsigned char) src [i];
        //  the length of a well-formed character starting here (0: not one)
        size_t len = c < 0x80 ? (c >= 0x20 && c != 0x7f ? 1 : 0) : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (len > 1 && (i + len > size || !cii_domain_utf8_valid (src + i, len)))
            len = 0;
        size_t put = len ? len : 1;
        if (out + put + 1 > cap)
            break;
        if (len)
            memcpy (dst + out, src + i, len);
        else
            dst [out] = '?';
        out += put;
        i += len ? len : 1;
    }
    while (out > 0 && dst [out - 1] == ' ')
        out--;
    dst [out] = '\0';
    return dst;
}

const char *
cii_domain_sanitize (const char *s, char buf [12])
{
    return s_shown (s, 8, buf);
}

const char *
cii_domain_shown (const char *s, char buf [24])
{
    return s_shown (s, 16, buf);
}

bool
cii_domain_date_valid (const char *date, int *year_p)
{
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (!date || strlen (date) != 10 || date [4] != '-' || date [7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (date [i] < '0' || date [i] > '9'))
            return false;
    int year = atoi (date), month = atoi (date + 5), day = atoi (date + 8);
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 2000 || year > 9999 || month < 1 || month > 12
    ||  day < 1 || day > (month == 2 && leap ? 29 : days [month - 1]))
        return false;
    if (year_p)
        *year_p = year;
    return true;
}

/*  A text field: min..max bytes of valid UTF-8 text. NULL counts as empty. */
static cii_rc_t
s_check_text (cii_err_t *err, const char *prefix, const char *field, const char *s, size_t min, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 && min > 0)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: missing", prefix, field);
    if (len < min)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: %zu bytes, minimum %zu", prefix, field, len, min);
    if (len > max)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: %zu bytes, limit %zu", prefix, field, len, max);
    if (!cii_domain_utf8_valid (s, len))
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: not valid UTF-8 (or a control character)", prefix,
                            field);
    return CII_OK;
}

/*  A list of enum values: min..max entries, each named by name_of, distinct. */
static cii_rc_t
s_check_values (cii_err_t *err, const char *prefix, const char *field, const int *values, size_t count,
                size_t min, size_t max, const char *(*name_of) (int))
{
    if (count < min)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: missing, at least %zu required", prefix, field, min);
    if (count > max)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: %zu entries, limit %zu", prefix, field, count, max);
    for (size_t i = 0; i < count; i++) {
        if (!name_of (values [i]))
            return cii_err_set (err, CII_BAD_INPUT, "%s.%s[%zu]: unknown value %d", prefix, field, i, values [i]);
        for (size_t j = 0; j < i; j++)
            if (values [j] == values [i])
                return cii_err_set (err, CII_BAD_INPUT, "%s.%s[%zu]: duplicate %s", prefix, field, i,
                                    name_of (values [i]));
    }
    return CII_OK;
}

cii_rc_t
cii_signal_check (const cii_signal_t *signal, const char *prefix, cii_err_t *err)
{
    char buf [12];
    if (!prefix)
        prefix = "signal";
    if (!signal)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!signal->canton [0])
        return cii_err_set (err, CII_BAD_INPUT, "%s.canton: missing", prefix);
    if (!cii_domain_canton_valid (signal->canton))
        return cii_err_set (err, CII_NOT_FOUND, "%s.canton: unknown canton \"%s\"", prefix,
                            cii_domain_sanitize (signal->canton, buf));
    cii_rc_t rc;
    if ((rc = s_check_text (err, prefix, "title", signal->title, 1, CII_MAX_TITLE))
    ||  (rc = s_check_text (err, prefix, "description", signal->description, 1, CII_MAX_TEXT))
    ||  (rc = s_check_text (err, prefix, "national_reason", signal->national_reason, 0, CII_MAX_REASON)))
        return rc;
    int values [CII_MAX_INSTITUTIONS > CII_MAX_TARGET_GROUPS ? CII_MAX_INSTITUTIONS : CII_MAX_TARGET_GROUPS];
    size_t count = signal->n_institutions <= CII_MAX_INSTITUTIONS ? signal->n_institutions : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) signal->institutions [i];
    if ((rc = s_check_values (err, prefix, "institutions", values, signal->n_institutions > CII_MAX_INSTITUTIONS
                              ? signal->n_institutions : count, 1, CII_MAX_INSTITUTIONS, cii_domain_institution_name)))
        return rc;
    count = signal->n_target_groups <= CII_MAX_TARGET_GROUPS ? signal->n_target_groups : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) signal->target_groups [i];
    if ((rc = s_check_values (err, prefix, "target_groups", values, signal->n_target_groups > CII_MAX_TARGET_GROUPS
                              ? signal->n_target_groups : count, 0, CII_MAX_TARGET_GROUPS,
                              cii_domain_target_group_name)))
        return rc;
    if (!cii_domain_language_valid (signal->language))
        return cii_err_set (err, CII_BAD_INPUT, "%s.language: \"%s\" is not fr, de, it or rm", prefix,
                            cii_domain_sanitize (signal->language, buf));
    if (signal->created_at_ms < 0 || signal->created_at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.created_at_ms: %" PRId64 " outside 0..%" PRId64 " (9999-12-31)",
                            prefix, signal->created_at_ms, (int64_t) CII_MAX_TIME_MS);
    return CII_OK;
}

cii_rc_t
cii_notice_check (const cii_notice_t *notice, const char *prefix, cii_err_t *err)
{
    char buf [12];
    if (!prefix)
        prefix = "notice";
    if (!notice)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    cii_rc_t rc;
    if ((rc = s_check_text (err, prefix, "title", notice->title, 1, CII_MAX_TITLE))
    ||  (rc = s_check_text (err, prefix, "text", notice->text, 1, CII_MAX_TEXT)))
        return rc;
    if (notice->n_networks > CII_MAX_NETWORKS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.networks: %zu entries, limit %d", prefix, notice->n_networks,
                            CII_MAX_NETWORKS);
    if (notice->n_networks > 0 && !notice->networks)
        return cii_err_set (err, CII_BAD_INPUT, "%s.networks: missing", prefix);
    for (size_t i = 0; i < notice->n_networks; i++) {
        if (!cii_domain_network_name_valid (notice->networks [i]))
            return cii_err_set (err, CII_BAD_INPUT, "%s.networks[%zu]: \"%s\" is not a network name", prefix, i,
                                cii_domain_sanitize (notice->networks [i], buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (notice->networks [i], notice->networks [j]) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s.networks[%zu]: duplicate network %s", prefix, i,
                                    notice->networks [i]);
    }
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Objectives, priorities, requests, withdrawals, statuses

cii_objective_t
cii_domain_objective_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_objectives); i++)
            if (strcmp (s_objectives [i], name) == 0)
                return (cii_objective_t) i;
    return CII_OBJECTIVE_NONE;
}

const char *
cii_domain_objective_name (int value)
{
    return value >= 1 && (size_t) value < S_COUNT (s_objectives) ? s_objectives [value] : NULL;
}

cii_priority_t
cii_domain_priority_from_name (const char *name)
{
    if (name)
        for (size_t i = 1; i < S_COUNT (s_priorities); i++)
            if (strcmp (s_priorities [i], name) == 0)
                return (cii_priority_t) i;
    return CII_PRIORITY_NONE;
}

const char *
cii_domain_priority_name (int value)
{
    return value >= 1 && (size_t) value < S_COUNT (s_priorities) ? s_priorities [value] : NULL;
}

bool
cii_domain_state_name_valid (const char *s)
{
    size_t len = s ? strlen (s) : 0;
    if (len < 1 || len > CII_MAX_STATE || s [0] < 'a' || s [0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s [i] >= 'a' && s [i] <= 'z') || s [i] == '-'))
            return false;
    return true;
}

/*  A message id: 1..CII_MAX_ID bytes of printable ASCII. */
static bool
s_id_valid (const char *s)
{
    size_t len = s ? strlen (s) : 0;
    if (len < 1 || len > CII_MAX_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s [i] < 0x21 || (unsigned char) s [i] > 0x7e)
            return false;
    return true;
}

/*  A list of strings: min..max entries, each passing valid, distinct. what names an entry. */
static cii_rc_t
s_check_strings (cii_err_t *err, const char *prefix, const char *field, const char *const *items, size_t count,
                 size_t min, size_t max, bool (*valid) (const char *), const char *what)
{
    char buf [12];
    if (count < min)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: missing, at least %zu required", prefix, field, min);
    if (count > max)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: %zu entries, limit %zu", prefix, field, count, max);
    if (count > 0 && !items)
        return cii_err_set (err, CII_BAD_INPUT, "%s.%s: missing", prefix, field);
    for (size_t i = 0; i < count; i++) {
        if (!valid (items [i]))
            return cii_err_set (err, CII_BAD_INPUT, "%s.%s[%zu]: \"%s\" is not %s", prefix, field, i,
                                cii_domain_sanitize (items [i], buf), what);
        for (size_t j = 0; j < i; j++)
            if (strcmp (items [i], items [j]) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s.%s[%zu]: duplicate %s", prefix, field, i,
                                    cii_domain_sanitize (items [i], buf));
    }
    return CII_OK;
}

static bool
s_line_valid (const char *s)
{
    size_t len = s ? strlen (s) : 0;
    return len >= 1 && len <= CII_MAX_LINE && cii_domain_line_valid (s, len);
}

cii_rc_t
cii_request_check (const cii_request_t *request, const char *prefix, cii_err_t *err)
{
    char buf [12];
    if (!prefix)
        prefix = "request";
    if (!request)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    cii_rc_t rc;
    if ((rc = s_check_text (err, prefix, "title", request->title, 1, CII_MAX_TITLE))
    ||  (rc = s_check_text (err, prefix, "summary", request->summary, 1, CII_MAX_TEXT))
    ||  (rc = s_check_text (err, prefix, "assessment", request->assessment, 0, CII_MAX_REASON))
    ||  (rc = s_check_text (err, prefix, "national_reason", request->national_reason, 0, CII_MAX_REASON)))
        return rc;
    if ((rc = s_check_strings (err, prefix, "signal_ids", request->signal_ids, request->n_signal_ids, 1,
                               CII_MAX_REQUEST_SIGNALS, s_id_valid, "a message id")))
        return rc;
    int values [CII_MAX_INSTITUTIONS];
    size_t count = request->n_institutions <= CII_MAX_INSTITUTIONS ? request->n_institutions : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) request->institutions [i];
    if ((rc = s_check_values (err, prefix, "institutions", values, count ? count : request->n_institutions, 0,
                              CII_MAX_INSTITUTIONS, cii_domain_institution_name)))
        return rc;
    count = request->n_target_groups <= CII_MAX_TARGET_GROUPS ? request->n_target_groups : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) request->target_groups [i];
    if ((rc = s_check_values (err, prefix, "target_groups", values, count ? count : request->n_target_groups, 0,
                              CII_MAX_TARGET_GROUPS, cii_domain_target_group_name)))
        return rc;
    count = request->n_objectives <= CII_MAX_OBJECTIVES ? request->n_objectives : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) request->objectives [i];
    if ((rc = s_check_values (err, prefix, "objectives", values, count ? count : request->n_objectives, 0,
                              CII_MAX_OBJECTIVES, cii_domain_objective_name)))
        return rc;
    count = request->n_priorities <= CII_MAX_PRIORITIES ? request->n_priorities : 0;
    for (size_t i = 0; i < count; i++)
        values [i] = (int) request->priorities [i];
    if ((rc = s_check_values (err, prefix, "priorities", values, count ? count : request->n_priorities, 0,
                              CII_MAX_PRIORITIES, cii_domain_priority_name)))
        return rc;
    if (request->n_cantons < 1)
        return cii_err_set (err, CII_BAD_INPUT, "%s.cantons: missing, at least 1 required", prefix);
    if (request->n_cantons > CII_CANTON_COUNT)
        return cii_err_set (err, CII_BAD_INPUT, "%s.cantons: %zu entries, limit %d", prefix, request->n_cantons,
                            CII_CANTON_COUNT);
    if (!request->cantons)
        return cii_err_set (err, CII_BAD_INPUT, "%s.cantons: missing", prefix);
    for (size_t i = 0; i < request->n_cantons; i++) {
        if (!cii_domain_canton_valid (request->cantons [i]))
            return cii_err_set (err, CII_NOT_FOUND, "%s.cantons[%zu]: unknown canton \"%s\"", prefix, i,
                                cii_domain_sanitize (request->cantons [i], buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (request->cantons [i], request->cantons [j]) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s.cantons[%zu]: duplicate %s", prefix, i, request->cantons [i]);
    }
    if (!cii_domain_language_valid (request->language))
        return cii_err_set (err, CII_BAD_INPUT, "%s.language: \"%s\" is not fr, de, it or rm", prefix,
                            cii_domain_sanitize (request->language, buf));
    if (request->n_lineage > CII_MAX_LINEAGE)
        return cii_err_set (err, CII_BAD_INPUT, "%s.lineage: %zu entries, limit %d", prefix, request->n_lineage,
                            CII_MAX_LINEAGE);
    for (size_t i = 0; i < request->n_lineage; i++)
        if (!request->lineage || !s_line_valid (request->lineage [i]))
            return cii_err_set (err, CII_BAD_INPUT, "%s.lineage[%zu]: not one line of 1..%d bytes of UTF-8 text", prefix,
                                i, CII_MAX_LINE);
    if (request->created_at_ms < 0 || request->created_at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.created_at_ms: %" PRId64 " outside 0..%" PRId64 " (9999-12-31)",
                            prefix, request->created_at_ms, (int64_t) CII_MAX_TIME_MS);
    return CII_OK;
}

cii_rc_t
cii_withdraw_check (const cii_withdraw_t *withdraw, const char *prefix, cii_err_t *err)
{
    if (!prefix)
        prefix = "withdraw";
    if (!withdraw)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!s_id_valid (withdraw->request_id))
        return cii_err_set (err, CII_BAD_INPUT, "%s.request_id: not a message id (1..%d bytes of printable ASCII)", prefix,
                            CII_MAX_ID);
    return s_check_text (err, prefix, "reason", withdraw->reason, 1, CII_MAX_REASON);
}

/*  A reference: 0..CII_MAX_REF bytes of [A-Z0-9-]. */
static bool
s_ref_valid (const char *s, bool required)
{
    size_t len = s ? strlen (s) : 0;
    if (len > CII_MAX_REF || (required && len == 0))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s [i] >= 'A' && s [i] <= 'Z') || (s [i] >= '0' && s [i] <= '9') || s [i] == '-'))
            return false;
    return true;
}

cii_rc_t
cii_status_check (const cii_status_t *status, const char *prefix, cii_err_t *err)
{
    char buf [12];
    if (!prefix)
        prefix = "status";
    if (!status)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!s_ref_valid (status->ref, true))
        return cii_err_set (err, CII_BAD_INPUT, "%s.ref: \"%s\" is not a reference (1..%d of [A-Z0-9-])", prefix,
                            cii_domain_sanitize (status->ref, buf), CII_MAX_REF);
    if (!s_id_valid (status->request_id))
        return cii_err_set (err, CII_BAD_INPUT, "%s.request_id: not a message id", prefix);
    if (!cii_domain_state_name_valid (status->state))
        return cii_err_set (err, CII_BAD_INPUT, "%s.state: \"%s\" is not a state (1..%d of [a-z-])", prefix,
                            cii_domain_sanitize (status->state, buf), CII_MAX_STATE);
    if (!cii_domain_state_name_valid (status->organ))
        return cii_err_set (err, CII_BAD_INPUT, "%s.organ: \"%s\" is not an organ (1..%d of [a-z-])", prefix,
                            cii_domain_sanitize (status->organ, buf), CII_MAX_STATE);
    if (status->at_ms < 0 || status->at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.at_ms: %" PRId64 " outside 0..%" PRId64, prefix, status->at_ms,
                            (int64_t) CII_MAX_TIME_MS);
    cii_rc_t rc = s_check_text (err, prefix, "note", status->note, 0, CII_MAX_REASON);
    if (rc)
        return rc;
    if (status->n_criteria > CII_MAX_CRITERIA)
        return cii_err_set (err, CII_BAD_INPUT, "%s.criteria: %zu entries, limit %d", prefix, status->n_criteria,
                            CII_MAX_CRITERIA);
    for (size_t i = 0; i < status->n_criteria; i++) {
        const cii_criterion_t *c = &status->criteria [i];
        size_t len = c->id ? strlen (c->id) : 0;
        if (len < 1 || len > 8 || !s_ref_valid (c->id, true))
            return cii_err_set (err, CII_BAD_INPUT, "%s.criteria[%zu].id: not 1..8 of [A-Z0-9-]", prefix, i);
        size_t reason = c->reason ? strlen (c->reason) : 0;
        if (reason > 400 || !cii_domain_line_valid (c->reason, reason))
            return cii_err_set (err, CII_BAD_INPUT, "%s.criteria[%zu].reason: not one line of 0..400 bytes", prefix, i);
    }
    if (!s_ref_valid (status->theme, false))
        return cii_err_set (err, CII_BAD_INPUT, "%s.theme: \"%s\" is not a reference", prefix,
                            cii_domain_sanitize (status->theme, buf));
    if (status->meeting && !s_ref_valid (status->meeting, false))
        return cii_err_set (err, CII_BAD_INPUT, "%s.meeting: \"%s\" is not a reference", prefix,
                            cii_domain_sanitize (status->meeting, buf));
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Recommendations, pushes, implementation reports

static const char *const s_report_states [] = { "acknowledged", "planned", "in-progress", "implemented",
                                                "declined" };

const char *
cii_domain_report_state_at (size_t index)
{
    return index < sizeof s_report_states / sizeof s_report_states [0] ? s_report_states [index] : NULL;
}

bool
cii_domain_report_state_valid (const char *state)
{
    for (size_t i = 0; state && cii_domain_report_state_at (i); i++)
        if (strcmp (state, cii_domain_report_state_at (i)) == 0)
            return true;
    return false;
}

bool
cii_domain_report_state_final (const char *state)
{
    return state && (strcmp (state, "implemented") == 0 || strcmp (state, "declined") == 0);
}

bool
cii_domain_push_state_valid (const char *state)
{
    return state && (strcmp (state, "pushed") == 0 || strcmp (state, "failed") == 0);
}

bool
cii_domain_push_adapter_valid (const char *adapter)
{
    return adapter && (strcmp (adapter, "exec") == 0 || strcmp (adapter, "dir") == 0
                       || strcmp (adapter, "webhook") == 0);
}

bool
cii_domain_rec_ref_valid (const char *ref)
{
    size_t len = ref ? strlen (ref) : 0;
    if (len < 11 || len > CII_MAX_REF || strncmp (ref, "REC-", 4) != 0 || ref [8] != '-')
        return false;
    for (size_t i = 4; i < len; i++)
        if (i != 8 && !(ref [i] >= '0' && ref [i] <= '9'))
            return false;
    return true;
}

static bool
s_basis_valid (const char *s)
{
    size_t len = s ? strlen (s) : 0;
    return len >= 1 && len <= CII_MAX_BASIS_ITEM && cii_domain_line_valid (s, len);
}

const cii_translation_t *
cii_recommendation_translation (const cii_recommendation_t *rec, const char *lang)
{
    for (size_t i = 0; rec && lang && i < rec->n_translations && i < CII_MAX_TRANSLATIONS; i++)
        if (strcmp (rec->translations [i].language, lang) == 0)
            return &rec->translations [i];
    return NULL;
}

cii_rc_t
cii_recommendation_check (const cii_recommendation_t *rec, const char *prefix, cii_err_t *err)
{
    char buf [24];
    if (!prefix)
        prefix = "recommendation";
    if (!rec)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!cii_domain_rec_ref_valid (rec->ref))
        return cii_err_set (err, CII_BAD_INPUT, "%s.ref: \"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            prefix, cii_domain_shown (rec->ref, buf));
    if (rec->version < 1)
        return cii_err_set (err, CII_BAD_INPUT, "%s.version: missing (versions start at 1)", prefix);
    if (rec->n_translations > CII_MAX_TRANSLATIONS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.translations: %zu entries, limit %d", prefix,
                            rec->n_translations, CII_MAX_TRANSLATIONS);
    for (size_t i = 0; i < rec->n_translations; i++) {
        const cii_translation_t *t = &rec->translations [i];
        if (!cii_domain_language_valid (t->language))
            return cii_err_set (err, CII_BAD_INPUT, "%s.translations[%zu].language: \"%s\" is not fr, de, it or rm",
                                prefix, i, cii_domain_shown (t->language, buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (rec->translations [j].language, t->language) == 0)
                return cii_err_set (err, CII_BAD_INPUT, "%s.translations[%zu]: a second %s text", prefix, i,
                                    t->language);
        char field [32];
        snprintf (field, sizeof field, "title.%s", t->language);
        cii_rc_t rc = s_check_text (err, prefix, field, t->title, 1, CII_MAX_TITLE);
        if (rc)
            return rc;
        snprintf (field, sizeof field, "text.%s", t->language);
        if ((rc = s_check_text (err, prefix, field, t->text, 1, CII_MAX_TEXT)))
            return rc;
    }
    static const char *const required [] = { "fr", "de", "it" };
    for (size_t i = 0; i < 3; i++)
        if (!cii_recommendation_translation (rec, required [i]))
            return cii_err_set (err, CII_BAD_INPUT, "%s.title.%s: missing (French, German and Italian are required)",
                                prefix, required [i]);
    int adopted_year, report_year;
    if (!cii_domain_date_valid (rec->adopted_on, &adopted_year))
        return cii_err_set (err, CII_BAD_INPUT, "%s.adopted_on: \"%s\" is not a date YYYY-MM-DD", prefix,
                            cii_domain_shown (rec->adopted_on, buf));
    if (!cii_domain_date_valid (rec->report_by, &report_year))
        return cii_err_set (err, CII_BAD_INPUT, "%s.report_by: \"%s\" is not a date YYYY-MM-DD", prefix,
                            cii_domain_shown (rec->report_by, buf));
    if (strcmp (rec->report_by, rec->adopted_on) < 0)
        return cii_err_set (err, CII_BAD_INPUT, "%s.report_by: %s is before the adoption on %s", prefix,
                            rec->report_by, rec->adopted_on);
    cii_rc_t rc;
    if ((rc = s_check_strings (err, prefix, "basis", rec->basis, rec->n_basis, 0, CII_MAX_BASIS, s_basis_valid,
                               "one line of 1..64 bytes"))
    ||  (rc = s_check_strings (err, prefix, "cantons", rec->cantons, rec->n_cantons, 1, CII_CANTON_COUNT,
                               cii_domain_canton_valid, "a canton"))
    ||  (rc = s_check_strings (err, prefix, "partners", rec->partners, rec->n_partners, 0, CII_MAX_PARTNERS,
                               s_basis_valid, "one line of 1..64 bytes")))
        return rc;
    if (rec->issued_at_ms < 0 || rec->issued_at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.issued_at_ms: %" PRId64 " outside 0..%" PRId64, prefix,
                            rec->issued_at_ms, (int64_t) CII_MAX_TIME_MS);
    return s_check_text (err, prefix, "note", rec->note, 0, CII_MAX_REASON);
}

cii_rc_t
cii_push_check (const cii_push_t *push, const char *prefix, cii_err_t *err)
{
    char buf [24];
    if (!prefix)
        prefix = "push";
    if (!push)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!cii_domain_rec_ref_valid (push->ref))
        return cii_err_set (err, CII_BAD_INPUT, "%s.ref: \"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            prefix, cii_domain_shown (push->ref, buf));
    if (push->version < 1)
        return cii_err_set (err, CII_BAD_INPUT, "%s.version: missing (versions start at 1)", prefix);
    if (!cii_domain_canton_valid (push->canton))
        return cii_err_set (err, CII_NOT_FOUND, "%s.canton: unknown canton \"%s\"", prefix,
                            cii_domain_shown (push->canton, buf));
    if (!cii_domain_push_state_valid (push->state))
        return cii_err_set (err, CII_BAD_INPUT, "%s.state: \"%s\" is not pushed or failed", prefix,
                            cii_domain_shown (push->state, buf));
    if (!cii_domain_push_adapter_valid (push->adapter))
        return cii_err_set (err, CII_BAD_INPUT, "%s.adapter: \"%s\" is not exec, dir or webhook", prefix,
                            cii_domain_shown (push->adapter, buf));
    size_t len = push->detail ? strlen (push->detail) : 0;
    if (len > CII_MAX_DETAIL || !cii_domain_line_valid (push->detail, len))
        return cii_err_set (err, CII_BAD_INPUT, "%s.detail: not one line of 0..%d bytes", prefix, CII_MAX_DETAIL);
    if (push->attempts < 1)
        return cii_err_set (err, CII_BAD_INPUT, "%s.attempts: missing (at least 1)", prefix);
    if (push->at_ms < 0 || push->at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.at_ms: %" PRId64 " outside 0..%" PRId64, prefix, push->at_ms,
                            (int64_t) CII_MAX_TIME_MS);
    return CII_OK;
}

cii_rc_t
cii_report_check (const cii_report_t *report, const char *prefix, cii_err_t *err)
{
    char buf [24];
    if (!prefix)
        prefix = "report";
    if (!report)
        return cii_err_set (err, CII_BAD_INPUT, "%s: missing", prefix);
    if (!cii_domain_rec_ref_valid (report->ref))
        return cii_err_set (err, CII_BAD_INPUT, "%s.rec: \"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            prefix, cii_domain_shown (report->ref, buf));
    if (!cii_domain_canton_valid (report->canton))
        return cii_err_set (err, CII_NOT_FOUND, "%s.canton: unknown canton \"%s\"", prefix,
                            cii_domain_shown (report->canton, buf));
    if (!cii_domain_report_state_valid (report->state))
        return cii_err_set (err, CII_BAD_INPUT,
                            "%s.state: \"%s\" is not acknowledged, planned, in-progress, implemented or declined",
                            prefix, cii_domain_shown (report->state, buf));
    cii_rc_t rc = s_check_text (err, prefix, "note", report->note, 0, CII_MAX_REASON);
    if (rc)
        return rc;
    if (strcmp (report->state, "declined") == 0) {
        bool blank = true;
        for (const char *c = report->note; c && *c && blank; c++)
            blank = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
        if (blank)
            return cii_err_set (err, CII_BAD_INPUT,
                                "%s.note: declined needs its reason (\"declined, because ...\"): give --note", prefix);
    }
    if (report->at_ms < 0 || report->at_ms > CII_MAX_TIME_MS)
        return cii_err_set (err, CII_BAD_INPUT, "%s.at_ms: %" PRId64 " outside 0..%" PRId64, prefix, report->at_ms,
                            (int64_t) CII_MAX_TIME_MS);
    if (report->source && *report->source && !cii_domain_state_name_valid (report->source))
        return cii_err_set (err, CII_BAD_INPUT, "%s.source: \"%s\" is not 1..32 of [a-z-]", prefix,
                            cii_domain_shown (report->source, buf));
    return CII_OK;
}
