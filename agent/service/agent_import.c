/*  agent_import.c — user input to signals for cii-agent: the document of `signal import` read
    with jansson (cii_json_parse) plus the limits jansson does not keep, the entry -> cii_signal_t
    conversion with its vocabulary and domain-limit checks, and the field checks of `signal add`. */
#include "agent_import.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cii_json.h"
#include "cii_util.h"

#define S_MAX_MS      999999999999999LL     //  created_at as a number: up to 15 digits
#define S_MS_DIGITS   15
#define S_SHOWN_NAME  40                    //  bytes of a bad name quoted in a reason
#define S_SHOWN_CODE  16                    //  bytes of a bad canton or language quoted

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

cii_rc_t
agent_import_input_canton (agent_import_input_t *in, const char *canton, cii_err_t *err)
{
    char shown[80];
    char *code = in->signal.canton;
    if (strlen (canton) != 2)
        return cii_err_set (err, CII_BAD_INPUT, "unknown canton %s",
                            s_excerpt (canton, S_SHOWN_CODE, shown, sizeof shown));
    code[0] = (char) toupper ((unsigned char) canton[0]);
    code[1] = (char) toupper ((unsigned char) canton[1]);
    code[2] = 0;
    if (!cii_domain_canton_valid (code))
        return cii_err_set (err, CII_BAD_INPUT, "unknown canton %s", s_excerpt (code, 2, shown, sizeof shown));
    return CII_OK;
}

//  Adds value (0 when name is unknown) to a list of at most max distinct values. what names the
//  list's entries in the reason ("institution"), name_of gives the valid names.
static cii_rc_t
s_add_value (int value, const char *name, int *values, size_t *count, size_t max, const char *what,
             const char *(*name_of) (int), cii_err_t *err)
{
    if (value == 0) {
        char names[256], shown[176];
        s_valid_names (name_of, names, sizeof names);
        return cii_err_set (err, CII_BAD_INPUT, "unknown %s '%s' (valid: %s)", what,
                            s_excerpt (name, S_SHOWN_NAME, shown, sizeof shown), names);
    }
    for (size_t i = 0; i < *count; i++)
        if (values[i] == value)
            return cii_err_set (err, CII_BAD_INPUT, "%s %s given twice", what, name);
    if (*count == max)            //  unreachable while every value is distinct: kept as a guard
        return cii_err_set (err, CII_BAD_INPUT, "too many %ss", what);
    values[(*count)++] = value;
    return CII_OK;
}

cii_rc_t
agent_import_input_institution (agent_import_input_t *in, const char *name, cii_err_t *err)
{
    int values[CII_MAX_INSTITUTIONS];
    cii_signal_t *signal = &in->signal;
    for (size_t i = 0; i < signal->n_institutions; i++)
        values[i] = (int) signal->institutions[i];
    cii_rc_t rc = s_add_value ((int) cii_domain_institution_from_name (name), name, values, &signal->n_institutions,
                               CII_MAX_INSTITUTIONS, "institution", cii_domain_institution_name, err);
    if (rc == CII_OK)
        signal->institutions[signal->n_institutions - 1] = (cii_institution_t) values[signal->n_institutions - 1];
    return rc;
}

cii_rc_t
agent_import_input_group (agent_import_input_t *in, const char *name, cii_err_t *err)
{
    int values[CII_MAX_TARGET_GROUPS];
    cii_signal_t *signal = &in->signal;
    for (size_t i = 0; i < signal->n_target_groups; i++)
        values[i] = (int) signal->target_groups[i];
    cii_rc_t rc = s_add_value ((int) cii_domain_target_group_from_name (name), name, values, &signal->n_target_groups,
                               CII_MAX_TARGET_GROUPS, "target group", cii_domain_target_group_name, err);
    if (rc == CII_OK)
        signal->target_groups[signal->n_target_groups - 1] =
            (cii_target_group_t) values[signal->n_target_groups - 1];
    return rc;
}

cii_rc_t
agent_import_input_list (agent_import_input_t *in, const char *list, agent_import_add_fn *add, cii_err_t *err)
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
        if (*start) {
            cii_rc_t rc = add (in, start, err);
            if (rc != CII_OK)
                return rc;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return CII_OK;
}

cii_rc_t
agent_import_input_lang (agent_import_input_t *in, const char *lang, cii_err_t *err)
{
    char *code = in->signal.language;
    if (!lang || !*lang) {
        const char *langs = cii_domain_canton_languages (in->signal.canton);
        snprintf (code, sizeof in->signal.language, "%.2s", langs ? langs : "fr");
        return CII_OK;
    }
    if (!cii_domain_language_valid (lang)) {
        char shown[80];
        return cii_err_set (err, CII_BAD_INPUT, "unknown language '%s' (valid: fr, de, it, rm)",
                            s_excerpt (lang, S_SHOWN_CODE, shown, sizeof shown));
    }
    snprintf (code, sizeof in->signal.language, "%s", lang);
    return CII_OK;
}

void
agent_import_input_finish (agent_import_input_t *in, const char *title, const char *body, const char *reason,
                           int64_t created_ms)
{
    in->signal.title = title;
    in->signal.description = body;
    in->signal.national_reason = reason ? reason : "";
    in->signal.created_at_ms = created_ms > 0 ? created_ms : cii_util_now_ms ();
}

cii_rc_t
agent_import_parse_time (const char *s, int64_t *ms_p)
{
    size_t len = strlen (s);
    if (len > 0 && len <= S_MS_DIGITS && strspn (s, "0123456789") == len) {
        int64_t ms = strtoll (s, NULL, 10);
        if (ms <= 0)
            return CII_BAD_INPUT;
        *ms_p = ms;
        return CII_OK;
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
                return CII_BAD_INPUT;
            f[i] = f[i] * 10 + (*p - '0');
        }
        if (*p == 0 || *p == 'Z')
            break;
        if (*p != seps[i] && !(i == 2 && *p == ' '))
            return CII_BAD_INPUT;
        p++;
        if (i == 5)
            break;
    }
    if (i < 2 || i == 3)          //  a date at least; never an hour without minutes
        return CII_BAD_INPUT;
    if (i == 5 && p[-1] == '.') {
        for (int d = 0; d < 3; d++, p++) {
            if (!isdigit ((unsigned char) *p))
                return CII_BAD_INPUT;
            millis = millis * 10 + (*p - '0');
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != 0)
        return CII_BAD_INPUT;
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
        return CII_BAD_INPUT;
    *ms_p = (int64_t) t * 1000 + millis;
    return CII_OK;
}

//  --- a JSON array of signals -------------------------------------------------------------------

struct _agent_import_t {
    json_t *root;                    //  the array; signals borrow its strings
    agent_import_input_t *inputs;    //  count entries, set once all are valid
    bool checked;
};

//  jansson limits neither the keys of an object nor nesting (but at 2048 levels). The document is
//  valid JSON when this runs, so one pass over its bytes that only tells strings from the rest
//  finds the first container past a limit; line and column are counted as jansson counts them
//  (lines from 1 at '\n', columns in characters from 1). CII_OK, or CII_BAD_INPUT with the reason.
static cii_rc_t
s_check_bounds (const char *text, size_t size, cii_err_t *err)
{
    size_t keys[AGENT_IMPORT_MAX_DEPTH + 1] = {0};     //  keys so far of each open object
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
            if (depth == AGENT_IMPORT_MAX_DEPTH)
                return cii_err_set (err, CII_BAD_INPUT, "line %d, column %d: nested too deeply (more than %d levels)",
                                    line, column, AGENT_IMPORT_MAX_DEPTH);
            keys[++depth] = 0;
        }
        else if (c == ']' || c == '}')
            depth--;
        else if (c == ':' && ++keys[depth] > AGENT_IMPORT_MAX_KEYS)
            return cii_err_set (err, CII_BAD_INPUT, "line %d, column %d: too many keys in an object (more than %d)",
                                key_line, key_column, AGENT_IMPORT_MAX_KEYS);
    }
    return CII_OK;
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

//  Adds every name of the array at field with add.
static cii_rc_t
s_import_names (agent_import_input_t *in, const json_t *array, const char *field, agent_import_add_fn *add,
                cii_err_t *err)
{
    if (!json_is_array (array))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be an array of names", field);
    size_t i;
    const json_t *item;
    json_array_foreach (array, i, item) {
        if (!json_is_string (item))
            return cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be an array of names", field);
        cii_rc_t rc = add (in, json_string_value (item), err);
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

//  Free text is stored and sent untouched: valid UTF-8 (jansson checked that), and no control
//  characters but TAB, LF and CR (jansson refuses only \u0000).
static cii_rc_t
s_import_text (const json_t *obj, const char *field, cii_err_t *err)
{
    const json_t *value = json_object_get (obj, field);
    if (json_is_string (value) && !cii_domain_utf8_valid (json_string_value (value), json_string_length (value)))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" holds a control character", field);
    return CII_OK;
}

//  The optional string at field: *value_p NULL when absent or null; refused when another type.
static cii_rc_t
s_optional_string (const json_t *obj, const char *field, const char **value_p, cii_err_t *err)
{
    *value_p = s_string (obj, field);
    if (!*value_p && !s_absent (obj, field))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be a string", field);
    return CII_OK;
}

//  created_at: absent, a date string or Unix milliseconds (whole, up to 15 digits).
static cii_rc_t
s_import_created (const json_t *obj, int64_t *ms_p, cii_err_t *err)
{
    *ms_p = 0;
    const json_t *created = json_object_get (obj, "created_at");
    if (json_is_integer (created) && json_integer_value (created) > 0 && json_integer_value (created) <= S_MAX_MS)
        *ms_p = json_integer_value (created);
    else if (json_is_string (created)) {
        if (agent_import_parse_time (json_string_value (created), ms_p) != CII_OK)
            return cii_err_set (err, CII_BAD_INPUT, "\"created_at\" is not a date");
    }
    else if (!s_absent (obj, "created_at"))
        return cii_err_set (err, CII_BAD_INPUT, "\"created_at\" must be a date string or Unix milliseconds");
    return CII_OK;
}

//  Refuses a member of obj that is not a field of the format.
static cii_rc_t
s_known_fields (const json_t *obj, cii_err_t *err)
{
    static const char *known[] = {"canton", "title", "body", "institutions", "target_groups",
                                  "reason", "lang", "created_at", NULL};
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *) obj, key, value) {       //  in document order
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || strcmp (key, known[k]) == 0;
        if (!ok) {
            char shown[176];
            return cii_err_set (err, CII_BAD_INPUT, "unknown field \"%s\"",
                                s_excerpt (key, S_SHOWN_NAME, shown, sizeof shown));
        }
    }
    return CII_OK;
}

//  One entry -> checked input (format and vocabulary; the limits come after every entry).
static cii_rc_t
s_import_entry (const json_t *obj, agent_import_input_t *in, agent_import_canton_fn *check, void *arg,
                cii_err_t *err)
{
    if (!json_is_object (obj))
        return cii_err_set (err, CII_BAD_INPUT, "not an object");
    cii_rc_t rc = s_known_fields (obj, err);
    if (rc != CII_OK)
        return rc;
    const char *canton = s_string (obj, "canton");
    if (!canton)
        return cii_err_set (err, CII_BAD_INPUT, "\"canton\" must be a string");
    if ((rc = agent_import_input_canton (in, canton, err)) != CII_OK)
        return rc;
    if (check && (rc = check (in->signal.canton, arg, err)) != CII_OK)
        return rc;
    const char *title = s_string (obj, "title");
    const char *body = s_string (obj, "body");
    if (!title || !body)
        return cii_err_set (err, CII_BAD_INPUT, "\"title\" and \"body\" must be strings");
    const char *why = NULL, *lang = NULL;
    int64_t created_ms = 0;
    if ((rc = s_import_text (obj, "title", err)) != CII_OK
    ||  (rc = s_import_text (obj, "body", err)) != CII_OK
    ||  (rc = s_import_names (in, json_object_get (obj, "institutions"), "institutions",
                              agent_import_input_institution, err)) != CII_OK)
        return rc;
    if (!s_absent (obj, "target_groups")
    &&  (rc = s_import_names (in, json_object_get (obj, "target_groups"), "target_groups",
                              agent_import_input_group, err)) != CII_OK)
        return rc;
    if ((rc = s_optional_string (obj, "reason", &why, err)) != CII_OK
    ||  (rc = s_import_text (obj, "reason", err)) != CII_OK
    ||  (rc = s_optional_string (obj, "lang", &lang, err)) != CII_OK
    ||  (rc = agent_import_input_lang (in, lang, err)) != CII_OK
    ||  (rc = s_import_created (obj, &created_ms, err)) != CII_OK)
        return rc;
    agent_import_input_finish (in, title, body, why, created_ms);
    return CII_OK;
}

cii_rc_t
agent_import_read (const char *text, size_t size, agent_import_t **self_p, cii_err_t *err)
{
    *self_p = NULL;
    if (size > AGENT_IMPORT_MAX_BYTES)
        return cii_err_set (err, CII_BAD_INPUT, "document is larger than %d bytes", AGENT_IMPORT_MAX_BYTES);
    agent_import_t *self = calloc (1, sizeof *self);
    if (!self)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    cii_err_t parse_err;
    cii_err_clear (&parse_err);
    self->root = cii_json_parse (text, size, &parse_err);
    cii_rc_t rc = CII_OK;
    if (!self->root) {
        //  jansson quotes the bytes near the fault: keep the line one of valid UTF-8
        char shown[CII_ERR_TEXT + 8];
        rc = cii_err_set (err, parse_err.rc, "%s", s_excerpt (parse_err.text, sizeof parse_err.text, shown, sizeof shown));
    }
    else if (!json_is_array (self->root))
        rc = cii_err_set (err, CII_BAD_INPUT, "expected a JSON array of signals");
    else
        rc = s_check_bounds (text, size, err);
    if (rc != CII_OK)
        agent_import_destroy (&self);
    *self_p = self;
    return rc;
}

cii_rc_t
agent_import_check (agent_import_t *self, agent_import_canton_fn *check, void *arg, cii_err_t *err)
{
    if (!self || self->checked)
        return cii_err_set (err, CII_FAILED, "import already checked");
    size_t count = json_array_size (self->root);
    agent_import_input_t *inputs = calloc (count + 1, sizeof *inputs);
    if (!inputs)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    //  Every entry's format and vocabulary first, then the domain's limits: a refusal names the
    //  first entry in file order for each kind of fault
    cii_rc_t rc = CII_OK;
    for (size_t i = 0; i < count && rc == CII_OK; i++) {
        rc = s_import_entry (json_array_get (self->root, i), &inputs[i], check, arg, err);
        if (rc != CII_OK)
            cii_err_prefix (err, "signal %zu", i + 1);
    }
    for (size_t i = 0; i < count && rc == CII_OK; i++) {
        if (cii_signal_check (&inputs[i].signal, "signal", err) != CII_OK) {
            cii_err_prefix (err, "signal %zu refused", i + 1);
            rc = CII_BAD_INPUT;
        }
    }
    if (rc != CII_OK) {
        free (inputs);
        return rc;
    }
    self->inputs = inputs;
    self->checked = true;
    return CII_OK;
}

cii_rc_t
agent_import_parse (const char *text, size_t size, agent_import_t **result_p, cii_err_t *err)
{
    cii_rc_t rc = agent_import_read (text, size, result_p, err);
    if (rc == CII_OK) {
        rc = agent_import_check (*result_p, NULL, NULL, err);
        if (rc != CII_OK)
            agent_import_destroy (result_p);
    }
    return rc;
}

size_t
agent_import_count (const agent_import_t *self)
{
    return self ? json_array_size (self->root) : 0;
}

const cii_signal_t *
agent_import_signal (const agent_import_t *self, size_t index)
{
    if (!self || !self->checked || index >= json_array_size (self->root))
        return NULL;
    return &self->inputs[index].signal;
}

void
agent_import_destroy (agent_import_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_import_t *self = *self_p;
    json_decref (self->root);
    free (self->inputs);
    free (self);
    *self_p = NULL;
}
