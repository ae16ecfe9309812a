/*  cii_json.c — JSON conventions over jansson: output of times, lists and strings, compact
    printing, bounded parsing with line and column (see cii_json.h). */
#include "cii_json.h"
#include "cii_util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

json_t *
cii_json_str (const char *s)
{
    json_t *value = s ? json_string (s) : NULL;
    return value ? value : json_null ();
}

json_t *
cii_json_time (int64_t ms)
{
    if (ms <= 0)
        return json_null ();
    char buf [32];
    cii_util_iso8601 (ms, buf);
    return cii_json_str (buf);
}

json_t *
cii_json_list (const char *list)
{
    json_t *array = json_array ();
    if (!array)
        return json_null ();
    const char *p = list ? list : "";
    while (*p) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        json_t *item = json_stringn (p, len);
        json_array_append_new (array, item ? item : json_null ());
        p += len;
        if (*p == ',')
            p++;
    }
    return array;
}

json_t *
cii_json_set (json_t *object, const char *key, json_t *value)
{
    json_object_set_new (object, key, value ? value : json_null ());
    return object;
}

int
cii_json_print (FILE *out, json_t *value)
{
    if (!value)
        return -1;
    //  Numbers with a fraction (scores, thresholds) to 6 significant digits: 0.489, not 0.48899999999999999
    int rc = json_dumpf (value, out, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION (6));
    json_decref (value);
    if (rc != 0 || fputc ('\n', out) == EOF)
        return -1;
    return 0;
}

/*  jansson quotes the input near a parse error; that quote may hold control characters or a cut
    UTF-8 sequence. Copies text into out (size bytes) with every control character and every byte
    not part of a whole UTF-8 sequence as '?', so a reason stays one line of valid UTF-8. */
static void
s_clean (const char *text, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *) text;
    size_t len = 0;
    while (*p && len + 5 < size) {
        size_t need = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 1 : (*p & 0xF0) == 0xE0 ? 2
                    : (*p & 0xF8) == 0xF0 && *p <= 0xF4 ? 3 : 4;
        bool whole = need < 4;
        for (size_t k = 1; whole && k <= need; k++)
            whole = (p [k] & 0xC0) == 0x80;         //  stops at the NUL: never reads past it
        if (!whole || (need == 0 && (*p < 0x20 || *p == 0x7F))) {
            out [len++] = '?';
            p++;
            continue;
        }
        memcpy (out + len, p, need + 1);
        len += need + 1;
        p += need + 1;
    }
    out [len] = '\0';
}

json_t *
cii_json_parse (const char *text, size_t size, cii_err_t *err)
{
    json_error_t jerr;
    json_t *value = json_loadb (text ? text : "", text ? size : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!value) {
        if (json_error_code (&jerr) == json_error_out_of_memory)
            cii_err_set (err, CII_NO_MEMORY, "out of memory");
        else {
            char reason [sizeof jerr.text];
            s_clean (jerr.text, reason, sizeof reason);
            cii_err_set (err, CII_BAD_INPUT, "line %d, column %d: %s", jerr.line, jerr.column, reason);
        }
    }
    return value;
}

json_t *
cii_json_load_file (const char *path, size_t max_bytes, cii_err_t *err)
{
    size_t size = 0;
    char *text = NULL;
    cii_rc_t rc = cii_util_read_file_max (path, max_bytes, &text, &size, err);
    if (rc != CII_OK)
        return NULL;
    json_t *value = cii_json_parse (text, size, err);
    free (text);
    if (!value)
        cii_err_prefix (err, "%s", path);
    return value;
}
