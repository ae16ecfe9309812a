/*  agent_import.c — user input to signals for cii-agent: the strict JSON reader of `signal
    import` (moved out of agent_cli.c so it can be fuzzed on its own), the entry -> Cii__Signal
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
#include "cii_util.h"

#define S_MAX_DEPTH 16
#define S_MAX_KEYS  64      //  per object: bounds the duplicate-key check (an entry has 8 fields)

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
    Cii__Institution value = cii_domain_institution_from_name (name);
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
    Cii__TargetGroup value = cii_domain_target_group_from_name (name);
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

//  --- a small strict JSON reader ------------------------------------------------------------

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } s_jtype_t;

typedef struct _s_json_t s_json_t;
struct _s_json_t {
    s_jtype_t type;
    bool boolean;
    int64_t number;          //  integers only
    char *string;            //  J_STRING: decoded, NUL-terminated UTF-8
    size_t size;             //  J_STRING: bytes
    s_json_t **items;        //  J_ARRAY and J_OBJECT values
    char **keys;             //  J_OBJECT keys
    size_t count;
    size_t capacity;         //  of items (and keys)
};

typedef struct {
    const char *p;
    const char *end;
    const char *start;
    char error[128];
    int depth;
} s_jparser_t;

static void
s_json_destroy (s_json_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_json_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        s_json_destroy (&self->items[i]);
        if (self->keys)
            free (self->keys[i]);
    }
    free (self->items);
    free (self->keys);
    free (self->string);
    free (self);
    *self_p = NULL;
}

static s_json_t *
s_jfail (s_jparser_t *jp, const char *what)
{
    if (!jp->error[0])
        snprintf (jp->error, sizeof jp->error, "%s at byte %zu", what, (size_t) (jp->p - jp->start));
    return NULL;
}

static void
s_jspace (s_jparser_t *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

static int
s_jhex4 (s_jparser_t *jp, unsigned *value)
{
    if (jp->end - jp->p < 4)
        return -1;
    *value = 0;
    for (int i = 0; i < 4; i++) {
        char c = *jp->p++;
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned) (c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned) (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned) (c - 'A' + 10);
        else
            return -1;
        *value = *value * 16 + d;
    }
    return 0;
}

//  Parses a string literal (jp->p on the opening quote) into a new buffer.
static char *
s_jstring (s_jparser_t *jp, size_t *size_p)
{
    jp->p++;
    size_t cap = 64, len = 0;
    char *buf = malloc (cap);
    if (!buf)
        return (char *) s_jfail (jp, "out of memory");
    while (true) {
        if (jp->p >= jp->end) {
            free (buf);
            return (char *) s_jfail (jp, "unterminated string");
        }
        if (cap - len < 5) {
            char *bigger = realloc (buf, cap * 2);
            if (!bigger) {
                free (buf);
                return (char *) s_jfail (jp, "out of memory");
            }
            buf = bigger;
            cap *= 2;
        }
        unsigned char c = (unsigned char) *jp->p;
        if (c == '"') {
            jp->p++;
            break;
        }
        if (c < 0x20) {
            free (buf);
            return (char *) s_jfail (jp, "control character in string");
        }
        if (c != '\\') {
            buf[len++] = (char) c;
            jp->p++;
            continue;
        }
        jp->p++;
        if (jp->p >= jp->end) {
            free (buf);
            return (char *) s_jfail (jp, "unterminated string");
        }
        char e = *jp->p++;
        unsigned cp = 0;
        switch (e) {
            case '"': buf[len++] = '"'; continue;
            case '\\': buf[len++] = '\\'; continue;
            case '/': buf[len++] = '/'; continue;
            case 'b': buf[len++] = '\b'; continue;
            case 'f': buf[len++] = '\f'; continue;
            case 'n': buf[len++] = '\n'; continue;
            case 'r': buf[len++] = '\r'; continue;
            case 't': buf[len++] = '\t'; continue;
            case 'u':
                if (s_jhex4 (jp, &cp))
                    break;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low;
                    if (jp->end - jp->p < 6 || jp->p[0] != '\\' || jp->p[1] != 'u')
                        break;
                    jp->p += 2;
                    if (s_jhex4 (jp, &low) || low < 0xDC00 || low > 0xDFFF)
                        break;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                else if (cp >= 0xDC00 && cp <= 0xDFFF)
                    break;
                if (cp < 0x80)
                    buf[len++] = (char) cp;
                else if (cp < 0x800) {
                    buf[len++] = (char) (0xC0 | (cp >> 6));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                else if (cp < 0x10000) {
                    buf[len++] = (char) (0xE0 | (cp >> 12));
                    buf[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                else {
                    buf[len++] = (char) (0xF0 | (cp >> 18));
                    buf[len++] = (char) (0x80 | ((cp >> 12) & 0x3F));
                    buf[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char) (0x80 | (cp & 0x3F));
                }
                continue;
            default:
                break;
        }
        free (buf);
        return (char *) s_jfail (jp, "bad escape in string");
    }
    buf[len] = 0;
    //  Text is stored untouched, so it must be valid UTF-8 without NUL or odd controls
    if (!cii_domain_utf8_valid (buf, len)) {
        free (buf);
        return (char *) s_jfail (jp, "string is not valid UTF-8 text");
    }
    *size_p = len;
    return buf;
}

static s_json_t *s_jvalue (s_jparser_t *jp);

//  Appends value (and key, owned) to a container, growing it by doubling. 0 / -1.
static int
s_jappend (s_json_t *container, s_json_t *value, char *key)
{
    if (container->count == container->capacity) {
        size_t capacity = container->capacity ? container->capacity * 2 : 8;
        s_json_t **items = realloc (container->items, capacity * sizeof *items);
        if (!items)
            return -1;
        container->items = items;
        if (container->type == J_OBJECT) {
            char **keys = realloc (container->keys, capacity * sizeof *keys);
            if (!keys)
                return -1;
            container->keys = keys;
        }
        container->capacity = capacity;
    }
    if (container->type == J_OBJECT)
        container->keys[container->count] = key;
    container->items[container->count++] = value;
    return 0;
}

static s_json_t *
s_jcontainer (s_jparser_t *jp, s_json_t *self)
{
    char close = self->type == J_ARRAY ? ']' : '}';
    jp->p++;
    if (++jp->depth > S_MAX_DEPTH)
        return s_jfail (jp, "nested too deeply");
    s_jspace (jp);
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return self;
    }
    while (true) {
        char *key = NULL;
        if (self->type == J_OBJECT) {
            s_jspace (jp);
            size_t klen;
            if (jp->p >= jp->end || *jp->p != '"')
                return s_jfail (jp, "expected a key");
            if (self->count == S_MAX_KEYS)
                return s_jfail (jp, "too many keys in an object");
            key = s_jstring (jp, &klen);
            if (!key)
                return NULL;
            for (size_t i = 0; i < self->count; i++)
                if (strcmp (self->keys[i], key) == 0) {
                    free (key);
                    return s_jfail (jp, "duplicate key");
                }
            s_jspace (jp);
            if (jp->p >= jp->end || *jp->p != ':') {
                free (key);
                return s_jfail (jp, "expected ':'");
            }
            jp->p++;
        }
        s_json_t *value = s_jvalue (jp);
        if (!value || s_jappend (self, value, key)) {
            free (key);
            s_json_destroy (&value);
            return s_jfail (jp, "out of memory");
        }
        s_jspace (jp);
        if (jp->p < jp->end && *jp->p == ',') {
            jp->p++;
            continue;
        }
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
            jp->depth--;
            return self;
        }
        return s_jfail (jp, self->type == J_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

static s_json_t *
s_jvalue (s_jparser_t *jp)
{
    s_jspace (jp);
    if (jp->p >= jp->end)
        return s_jfail (jp, "unexpected end");
    s_json_t *self = calloc (1, sizeof *self);
    if (!self)
        return s_jfail (jp, "out of memory");
    char c = *jp->p;
    size_t left = (size_t) (jp->end - jp->p);
    if (c == '{' || c == '[') {
        self->type = c == '{' ? J_OBJECT : J_ARRAY;
        if (!s_jcontainer (jp, self))
            s_json_destroy (&self);
    }
    else if (c == '"') {
        self->type = J_STRING;
        self->string = s_jstring (jp, &self->size);
        if (!self->string)
            s_json_destroy (&self);
    }
    else if (left >= 4 && strncmp (jp->p, "null", 4) == 0) {
        self->type = J_NULL;
        jp->p += 4;
    }
    else if (left >= 4 && strncmp (jp->p, "true", 4) == 0) {
        self->type = J_BOOL;
        self->boolean = true;
        jp->p += 4;
    }
    else if (left >= 5 && strncmp (jp->p, "false", 5) == 0) {
        self->type = J_BOOL;
        jp->p += 5;
    }
    else if (c == '-' || isdigit ((unsigned char) c)) {
        self->type = J_NUMBER;
        const char *q = jp->p + (c == '-');
        const char *digits = q;
        while (q < jp->end && isdigit ((unsigned char) *q))
            q++;
        size_t count = (size_t) (q - digits);
        if (count == 0 || count > 15 || (q < jp->end && (*q == '.' || *q == 'e' || *q == 'E'))) {
            s_json_destroy (&self);
            return s_jfail (jp, "only whole numbers of up to 15 digits are accepted");
        }
        int64_t value = 0;
        for (const char *d = digits; d < q; d++)
            value = value * 10 + (*d - '0');
        self->number = c == '-' ? -value : value;
        jp->p = q;
    }
    else {
        s_json_destroy (&self);
        return s_jfail (jp, "unexpected character");
    }
    if (!self)
        return s_jfail (jp, "invalid value");
    return self;
}

static s_json_t *
s_json_parse (const char *text, size_t size, char *error, size_t n)
{
    s_jparser_t jp = {text, text + size, text, "", 0};
    s_json_t *root = s_jvalue (&jp);
    if (root) {
        s_jspace (&jp);
        if (jp.p != jp.end) {
            s_json_destroy (&root);
            s_jfail (&jp, "trailing data");
        }
    }
    if (!root)
        snprintf (error, n, "%s", jp.error[0] ? jp.error : "invalid JSON");
    return root;
}

static const s_json_t *
s_jget (const s_json_t *object, const char *key)
{
    for (size_t i = 0; i < object->count; i++)
        if (strcmp (object->keys[i], key) == 0)
            return object->items[i];
    return NULL;
}

//  --- a JSON array of signals -------------------------------------------------------------------

struct _agent_import_t {
    s_json_t *root;                  //  the array; signals borrow its strings
    agent_import_input_t *inputs;    //  count entries
    const Cii__Signal **signals;     //  count pointers into inputs, set once all are valid
    bool checked;
};

//  One entry -> checked input. 0, -2 refused or -1 error (check callback), with reason.
static int
s_import_entry (const s_json_t *obj, agent_import_input_t *in, agent_import_canton_fn *check,
                void *arg, char *reason, size_t n)
{
    static const char *known[] = {"canton", "title", "body", "institutions", "target_groups",
                                  "reason", "lang", "created_at", NULL};
    if (obj->type != J_OBJECT) {
        snprintf (reason, n, "not an object");
        return -2;
    }
    for (size_t i = 0; i < obj->count; i++) {
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || strcmp (obj->keys[i], known[k]) == 0;
        if (!ok) {
            char shown[176];
            snprintf (reason, n, "unknown field \"%s\"", s_excerpt (obj->keys[i], 40, shown, sizeof shown));
            return -2;
        }
    }
    const s_json_t *canton = s_jget (obj, "canton");
    const s_json_t *title = s_jget (obj, "title");
    const s_json_t *body = s_jget (obj, "body");
    const s_json_t *inst = s_jget (obj, "institutions");
    const s_json_t *groups = s_jget (obj, "target_groups");
    const s_json_t *why = s_jget (obj, "reason");
    const s_json_t *lang = s_jget (obj, "lang");
    const s_json_t *created = s_jget (obj, "created_at");
    if (!canton || canton->type != J_STRING) {
        snprintf (reason, n, "\"canton\" must be a string");
        return -2;
    }
    if (agent_import_input_canton (in, canton->string, reason, n))
        return -2;
    if (check) {
        int rc = check (in->canton, arg, reason, n);
        if (rc != 0)
            return rc == -1 ? -1 : -2;
    }
    if (!title || title->type != J_STRING || !body || body->type != J_STRING) {
        snprintf (reason, n, "\"title\" and \"body\" must be strings");
        return -2;
    }
    if (!inst || inst->type != J_ARRAY) {
        snprintf (reason, n, "\"institutions\" must be an array of names");
        return -2;
    }
    for (size_t i = 0; i < inst->count; i++) {
        if (inst->items[i]->type != J_STRING) {
            snprintf (reason, n, "\"institutions\" must be an array of names");
            return -2;
        }
        if (agent_import_input_institution (in, inst->items[i]->string, reason, n))
            return -2;
    }
    if (groups && groups->type != J_NULL) {
        if (groups->type != J_ARRAY) {
            snprintf (reason, n, "\"target_groups\" must be an array of names");
            return -2;
        }
        for (size_t i = 0; i < groups->count; i++) {
            if (groups->items[i]->type != J_STRING) {
                snprintf (reason, n, "\"target_groups\" must be an array of names");
                return -2;
            }
            if (agent_import_input_group (in, groups->items[i]->string, reason, n))
                return -2;
        }
    }
    if (why && why->type != J_STRING && why->type != J_NULL) {
        snprintf (reason, n, "\"reason\" must be a string");
        return -2;
    }
    if (lang && lang->type != J_STRING && lang->type != J_NULL) {
        snprintf (reason, n, "\"lang\" must be a string");
        return -2;
    }
    if (agent_import_input_lang (in, lang && lang->type == J_STRING ? lang->string : NULL, reason, n))
        return -2;
    int64_t created_ms = 0;
    if (created && created->type == J_NUMBER && created->number > 0)
        created_ms = created->number;
    else if (created && created->type == J_STRING) {
        if (agent_import_parse_time (created->string, &created_ms)) {
            snprintf (reason, n, "\"created_at\" is not a date");
            return -2;
        }
    }
    else if (created && created->type != J_NULL) {
        snprintf (reason, n, "\"created_at\" must be a date string or Unix milliseconds");
        return -2;
    }
    agent_import_input_finish (in, title->string, body->string,
                               why && why->type == J_STRING ? why->string : NULL, created_ms);
    return 0;
}

int
agent_import_read (const char *text, size_t size, agent_import_t **self_p, char *error, size_t n)
{
    *self_p = NULL;
    agent_import_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (error, n, "out of memory");
        return -1;
    }
    self->root = s_json_parse (text, size, error, n);
    if (!self->root) {
        agent_import_destroy (&self);
        return -2;
    }
    if (self->root->type != J_ARRAY) {
        snprintf (error, n, "expected a JSON array of signals");
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
    size_t count = self->root->count;
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
        rc = s_import_entry (self->root->items[i], &inputs[i], check, arg, reason, sizeof reason);
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
    return self && self->root ? self->root->count : 0;
}

const Cii__Signal *
agent_import_signal (const agent_import_t *self, size_t index)
{
    if (!self || !self->checked || index >= self->root->count)
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
    s_json_destroy (&self->root);
    free (self->inputs);
    free (self->signals);
    free (self);
    *self_p = NULL;
}
