/*  agent_import.c — user input to signals for cii-agent: the document of `signal import` read
    with jansson (cii_json_parse) plus the limits jansson does not keep, the entry -> Cii__Signal
    conversion with its vocabulary and codec-limit checks, and the field checks of `signal add`. */
#include "agent_import.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_json.h"
#include "cii_util.h"

#define S_MAX_DEPTH 16
#define S_MAX_KEYS  64                      //  per object (an entry has 8 fields)
#define S_MAX_MS    999999999999999LL       //  created_at as a number: up to 15 digits

static char s_empty[] = "";

//  Copies at most max bytes of src into dst (size) for a one-line message: whole UTF-8 sequences
//  only, control characters and invalid bytes as '?'. Same as "%.*s" for printable ASCII.
static const char *
s_excerpt (const char *src, size_t max, char *dst, size_t size)
{
    const unsigned char *p = (const unsigned char *) src;
    size_t len = 0, used = 0;
    while (p[used] && used < max && len + 5 < size) {
        unsigned char c = p[used];
        if (c < 0x80) {
            dst[len++] = c < 0x20 || c == 0x7F ? '?' : (char) c;
            used++;
            continue;
        }
        size_t seq = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool whole = seq > 0;
        for (size_t k = 1; whole && k < seq; k++)       //  stops at the NUL: never reads past it
            whole = (p[used + k] & 0xC0) == 0x80;
        if (whole && used + seq > max)
            break;                   //  a character cut by the limit: leave it out
        if (!whole || !cii_domain_utf8_valid ((const char *) p + used, seq)) {
            dst[len++] = '?';
            used++;
            continue;
        }
        memcpy (dst + len, p + used, seq);
        len += seq;
        used += seq;
    }
    dst[len] = 0;
    return dst;
}

//  --- one signal from user input -----------------------------------------------------------

//  Names of all values of an enum, "a, b, c", into buf.
static void
s_valid_names (const char *(*name_of) (int), char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int v = 1; name_of (v) && len < size; v++)
        len += (size_t) snprintf (buf + len, size - len, "%s%s", v > 1 ? ", " : "", name_of (v));
}

int
agent_import_input_canton (agent_import_input_t *in, const char *canton, char *reason, size_t n)
{
    char shown[80];
    size_t len = strlen (canton);
    if (len != 2) {
        snprintf (reason, n, "unknown canton %s", s_excerpt (canton, 16, shown, sizeof shown));
        return -2;
    }
    in->canton[0] = (char) toupper ((unsigned char) canton[0]);
    in->canton[1] = (char) toupper ((unsigned char) canton[1]);
    in->canton[2] = 0;
    if (!cii_domain_canton_valid (in->canton)) {
        snprintf (reason, n, "unknown canton %s", s_excerpt (in->canton, 2, shown, sizeof shown));
        return -2;
    }
    return 0;
}

int
agent_import_input_institution (agent_import_input_t *in, const char *name, char *reason, size_t n)
{
    Cii__Institution value = (Cii__Institution) cii_domain_institution_from_name (name);
    if (value == CII__INSTITUTION__INSTITUTION_UNSPECIFIED) {
        char names[256], shown[176];
        s_valid_names (cii_domain_institution_name, names, sizeof names);
        snprintf (reason, n, "unknown institution '%s' (valid: %s)",
                  s_excerpt (name, 40, shown, sizeof shown), names);
        return -2;
    }
    for (size_t i = 0; i < in->n_institutions; i++)
        if (in->institutions[i] == value) {
            snprintf (reason, n, "institution %s given twice", name);
            return -2;
        }
    if (in->n_institutions == AGENT_IMPORT_MAX_LIST) {
        snprintf (reason, n, "too many institutions");
        return -2;
    }
    in->institutions[in->n_institutions++] = value;
    return 0;
}

int
agent_import_input_group (agent_import_input_t *in, const char *name, char *reason, size_t n)
{
    Cii__TargetGroup value = (Cii__TargetGroup) cii_domain_target_group_from_name (name);
    if (value == CII__TARGET_GROUP__TARGET_GROUP_UNSPECIFIED) {
        char names[256], shown[176];
        s_valid_names (cii_domain_target_group_name, names, sizeof names);
        snprintf (reason, n, "unknown target group '%s' (valid: %s)",
                  s_excerpt (name, 40, shown, sizeof shown), names);
        return -2;
    }
    for (size_t i = 0; i < in->n_groups; i++)
        if (in->groups[i] == value) {
            snprintf (reason, n, "target group %s given twice", name);
            return -2;
        }
    if (in->n_groups == AGENT_IMPORT_MAX_LIST) {
        snprintf (reason, n, "too many target groups");
        return -2;
    }
    in->groups[in->n_groups++] = value;
    return 0;
}

int
agent_import_input_list (agent_import_input_t *in, const char *list,
                         int (*add) (agent_import_input_t *, const char *, char *, size_t),
                         char *reason, size_t n)
{
    const char *p = list;
    while (*p) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char name[64];
        snprintf (name, sizeof name, "%.*s", (int) (len < sizeof name ? len : sizeof name - 1), p);
        //  Tolerate spaces after commas: "social-aid, health"
        char *start = name;
        while (*start == ' ')
            start++;
        char *stop = start + strlen (start);
        while (stop > start && stop[-1] == ' ')
            *--stop = 0;
        if (*start && add (in, start, reason, n))
            return -2;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int
agent_import_input_lang (agent_import_input_t *in, const char *lang, char *reason, size_t n)
{
    if (!lang || !*lang) {
        const char *langs = cii_domain_canton_languages (in->canton);
        snprintf (in->lang, sizeof in->lang, "%.2s", langs ? langs : "fr");
        return 0;
    }
    if (!cii_domain_language_valid (lang)) {
        char shown[80];
        snprintf (reason, n, "unknown language '%s' (valid: fr, de, it, rm)",
                  s_excerpt (lang, 16, shown, sizeof shown));
        return -2;
    }
    snprintf (in->lang, sizeof in->lang, "%s", lang);
    return 0;
}

void
agent_import_input_finish (agent_import_input_t *in, char *title, char *body, char *reason_text,
                           int64_t created_ms)
{
    Cii__Signal init = CII__SIGNAL__INIT;
    in->signal = init;
    in->signal.canton = in->canton;
    in->signal.title = title;
    in->signal.description = body;
    in->signal.national_reason = reason_text ? reason_text : s_empty;
    in->signal.language = in->lang;
    in->signal.institutions = in->institutions;
    in->signal.n_institutions = in->n_institutions;
    in->signal.target_groups = in->groups;
    in->signal.n_target_groups = in->n_groups;
    in->signal.created_at_ms = created_ms > 0 ? created_ms : cii_util_now_ms ();
}

int
agent_import_parse_time (const char *s, int64_t *ms_p)
{
    size_t len = strlen (s);
    if (len > 0 && len <= 15 && strspn (s, "0123456789") == len) {
        int64_t ms = strtoll (s, NULL, 10);
        if (ms <= 0)
            return -2;
        *ms_p = ms;
        return 0;
    }
    int f[6] = {0, 0, 0, 0, 0, 0};      //  year month day hour minute second
    int millis = 0;
    const char *p = s;
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
    int i;
    for (i = 0; i < 6; i++) {
        for (int d = 0; d < widths[i]; d++, p++) {
            if (!isdigit ((unsigned char) *p))
                return -2;
            f[i] = f[i] * 10 + (*p - '0');
        }
        if (*p == 0 || *p == 'Z')
            break;
        if (*p != seps[i] && !(i == 2 && *p == ' '))
            return -2;
        p++;
        if (i == 5)
            break;
    }
    if (i < 2 || i == 3)          //  a date at least; never an hour without minutes
        return -2;
    if (i == 5 && p[-1] == '.') {
        for (int d = 0; d < 3; d++, p++) {
            if (!isdigit ((unsigned char) *p))
                return -2;
            millis = millis * 10 + (*p - '0');
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != 0)
        return -2;
    struct tm tm = {0};
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    time_t t = timegm (&tm);
    struct tm check;
    if (t == (time_t) -1 || !gmtime_r (&t, &check) || check.tm_year != f[0] - 1900
        || check.tm_mon != f[1] - 1 || check.tm_mday != f[2] || check.tm_hour != f[3]
        || check.tm_min != f[4] || check.tm_sec != f[5] || t <= 0)
        return -2;
    *ms_p = (int64_t) t * 1000 + millis;
    return 0;
}

//  --- a JSON array of signals -------------------------------------------------------------------

struct _agent_import_t {
    json_t *root;                    //  the array; signals borrow its strings
    agent_import_input_t *inputs;    //  count entries
    const Cii__Signal **signals;     //  count pointers into inputs, set once all are valid
    bool checked;
};

//  jansson limits neither the keys of an object nor nesting (but at 2048 levels). The document is
//  valid JSON when this runs, so one pass over its bytes that only tells strings from the rest
//  finds the first container past a limit; line and column are counted as jansson counts them
//  (lines from 1 at '\n', columns in characters from 1). 0, or -2 with the reason in error.
static int
s_check_bounds (const char *text, size_t size, char *error, size_t n)
{
    size_t keys[S_MAX_DEPTH + 1] = {0};     //  keys so far of each open object
    int depth = 0, line = 1, column = 0, key_line = 0, key_column = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c == '\n') {                    //  never inside a string: raw controls are refused
            line++;
            column = 0;
            continue;
        }
        if ((c & 0xC0) != 0x80)
            column++;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        }
        else if (c == '"') {
            in_string = true;
            key_line = line;                //  a ':' follows the key of a member: keep where it began
            key_column = column;
        }
        else if (c == '[' || c == '{') {
            if (depth == S_MAX_DEPTH) {
                snprintf (error, n, "line %d, column %d: nested too deeply (more than %d levels)",
                          line, column, S_MAX_DEPTH);
                return -2;
            }
            keys[++depth] = 0;
        }
        else if (c == ']' || c == '}')
            depth--;
        else if (c == ':' && ++keys[depth] > S_MAX_KEYS) {
            snprintf (error, n, "line %d, column %d: too many keys in an object (more than %d)",
                      key_line, key_column, S_MAX_KEYS);
            return -2;
        }
    }
    return 0;
}

//  String value of field, or NULL when it is absent, null or not a string.
static const char *
s_string (const json_t *obj, const char *field)
{
    return json_string_value (json_object_get (obj, field));
}

//  True when field is absent or null.
static bool
s_absent (const json_t *obj, const char *field)
{
    const json_t *value = json_object_get (obj, field);
    return !value || json_is_null (value);
}

//  Adds every name of the array at field with add. 0, or -2 with reason.
static int
s_import_names (agent_import_input_t *in, const json_t *array, const char *field,
                int (*add) (agent_import_input_t *, const char *, char *, size_t),
                char *reason, size_t n)
{
    if (!json_is_array (array)) {
        snprintf (reason, n, "\"%s\" must be an array of names", field);
        return -2;
    }
    size_t i;
    const json_t *item;
    json_array_foreach (array, i, item) {
        if (!json_is_string (item)) {
            snprintf (reason, n, "\"%s\" must be an array of names", field);
            return -2;
        }
        if (add (in, json_string_value (item), reason, n))
            return -2;
    }
    return 0;
}

//  Free text is stored and sent untouched: valid UTF-8 (jansson checked that), and no control
//  characters but TAB, LF and CR (jansson refuses only \u0000). 0, or -2 with reason.
static int
s_import_text (const json_t *obj, const char *field, char *reason, size_t n)
{
    const json_t *value = json_object_get (obj, field);
    if (json_is_string (value)
        && !cii_domain_utf8_valid (json_string_value (value), json_string_length (value))) {
        snprintf (reason, n, "\"%s\" holds a control character", field);
        return -2;
    }
    return 0;
}

//  One entry -> checked input. 0, -2 refused or -1 error (check callback), with reason.
static int
s_import_entry (const json_t *obj, agent_import_input_t *in, agent_import_canton_fn *check,
                void *arg, char *reason, size_t n)
{
    static const char *known[] = {"canton", "title", "body", "institutions", "target_groups",
                                  "reason", "lang", "created_at", NULL};
    if (!json_is_object (obj)) {
        snprintf (reason, n, "not an object");
        return -2;
    }
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *) obj, key, value) {       //  in document order
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || strcmp (key, known[k]) == 0;
        if (!ok) {
            char shown[176];
            snprintf (reason, n, "unknown field \"%s\"", s_excerpt (key, 40, shown, sizeof shown));
            return -2;
        }
    }
    const char *canton = s_string (obj, "canton");
    if (!canton) {
        snprintf (reason, n, "\"canton\" must be a string");
        return -2;
    }
    if (agent_import_input_canton (in, canton, reason, n))
        return -2;
    if (check) {
        int rc = check (in->canton, arg, reason, n);
        if (rc != 0)
            return rc == -1 ? -1 : -2;
    }
    const char *title = s_string (obj, "title");
    const char *body = s_string (obj, "body");
    if (!title || !body) {
        snprintf (reason, n, "\"title\" and \"body\" must be strings");
        return -2;
    }
    if (s_import_text (obj, "title", reason, n) || s_import_text (obj, "body", reason, n))
        return -2;
    if (s_import_names (in, json_object_get (obj, "institutions"), "institutions",
                        agent_import_input_institution, reason, n))
        return -2;
    if (!s_absent (obj, "target_groups")
        && s_import_names (in, json_object_get (obj, "target_groups"), "target_groups",
                           agent_import_input_group, reason, n))
        return -2;
    const char *why = s_string (obj, "reason");
    if (!why && !s_absent (obj, "reason")) {
        snprintf (reason, n, "\"reason\" must be a string");
        return -2;
    }
    if (s_import_text (obj, "reason", reason, n))
        return -2;
    const char *lang = s_string (obj, "lang");
    if (!lang && !s_absent (obj, "lang")) {
        snprintf (reason, n, "\"lang\" must be a string");
        return -2;
    }
    if (agent_import_input_lang (in, lang, reason, n))
        return -2;
    int64_t created_ms = 0;
    const json_t *created = json_object_get (obj, "created_at");
    if (json_is_integer (created) && json_integer_value (created) > 0
        && json_integer_value (created) <= S_MAX_MS)
        created_ms = json_integer_value (created);
    else if (json_is_string (created)) {
        if (agent_import_parse_time (json_string_value (created), &created_ms)) {
            snprintf (reason, n, "\"created_at\" is not a date");
            return -2;
        }
    }
    else if (!s_absent (obj, "created_at")) {
        snprintf (reason, n, "\"created_at\" must be a date string or Unix milliseconds");
        return -2;
    }
    agent_import_input_finish (in, (char *) title, (char *) body, (char *) why, created_ms);
    return 0;
}

int
agent_import_read (const char *text, size_t size, agent_import_t **self_p, char *error, size_t n)
{
    *self_p = NULL;
    if (size > AGENT_IMPORT_MAX_BYTES) {
        snprintf (error, n, "document is larger than %d bytes", AGENT_IMPORT_MAX_BYTES);
        return -2;
    }
    agent_import_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (error, n, "out of memory");
        return -1;
    }
    cii_err_t err;
    cii_err_clear (&err);
    self->root = cii_json_parse (text, size, &err);
    if (!self->root) {
        //  jansson quotes the bytes near the fault: keep the line one of valid UTF-8
        char shown[CII_ERR_TEXT + 8];
        snprintf (error, n, "%s", s_excerpt (err.text, sizeof err.text, shown, sizeof shown));
        agent_import_destroy (&self);
        return err.rc == CII_NO_MEMORY ? -1 : -2;
    }
    if (!json_is_array (self->root)) {
        snprintf (error, n, "expected a JSON array of signals");
        agent_import_destroy (&self);
        return -2;
    }
    if (s_check_bounds (text, size, error, n)) {
        agent_import_destroy (&self);
        return -2;
    }
    *self_p = self;
    return 0;
}

int
agent_import_check (agent_import_t *self, agent_import_canton_fn *check, void *arg, char *error,
                    size_t n)
{
    if (!self || self->checked || self->inputs) {
        snprintf (error, n, "import already checked");
        return -1;
    }
    size_t count = json_array_size (self->root);
    int rc = -1;
    char reason[512] = "";
    agent_import_input_t *inputs = calloc (count + 1, sizeof *inputs);
    const Cii__Signal **signals = calloc (count + 1, sizeof *signals);
    if (!inputs || !signals) {
        snprintf (error, n, "out of memory");
        goto cleanup;
    }
    //  Every entry's format and vocabulary first, then the codec limits: a refusal names the
    //  first entry in file order for each kind of fault, as the store would
    for (size_t i = 0; i < count; i++) {
        rc = s_import_entry (json_array_get (self->root, i), &inputs[i], check, arg, reason, sizeof reason);
        if (rc != 0) {
            snprintf (error, n, "signal %zu: %s", i + 1, reason);
            goto cleanup;
        }
        signals[i] = &inputs[i].signal;
    }
    for (size_t i = 0; i < count; i++) {
        cii_codec_error_t err;
        memset (&err, 0, sizeof err);
        if (cii_codec_validate_signal (signals[i], "signal", &err) != 0) {
            snprintf (error, n, "signal %zu refused: %s", i + 1, err.text);
            rc = -2;
            goto cleanup;
        }
    }
    self->inputs = inputs;
    self->signals = signals;
    self->checked = true;
    inputs = NULL;
    signals = NULL;
    rc = 0;

cleanup:
    free (inputs);
    free (signals);
    return rc;
}

int
agent_import_parse (const char *text, size_t size, agent_import_t **result_p, char *error, size_t n)
{
    int rc = agent_import_read (text, size, result_p, error, n);
    if (rc == 0) {
        rc = agent_import_check (*result_p, NULL, NULL, error, n);
        if (rc != 0)
            agent_import_destroy (result_p);
    }
    return rc;
}

size_t
agent_import_count (const agent_import_t *self)
{
    return self ? json_array_size (self->root) : 0;
}

const Cii__Signal *
agent_import_signal (const agent_import_t *self, size_t index)
{
    if (!self || !self->checked || index >= json_array_size (self->root))
        return NULL;
    return self->signals[index];
}

const Cii__Signal *const *
agent_import_signals (const agent_import_t *self)
{
    return self && self->checked ? self->signals : NULL;
}

void
agent_import_destroy (agent_import_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_import_t *self = *self_p;
    json_decref (self->root);
    free (self->inputs);
    free (self->signals);
    free (self);
    *self_p = NULL;
}
