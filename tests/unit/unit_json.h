/*  unit_json.h — shared by the unit tests that read a CLI's --json output: the output is parsed
    with jansson (cii_json_parse) or the test fails, and members are compared with a JSON value
    written as text, so an assertion reads like the output it expects. Include after <cmocka.h>. */
#ifndef UNIT_JSON_H_INCLUDED
#define UNIT_JSON_H_INCLUDED

#include <string.h>
#include "cii_json.h"

//  Parses text as one JSON document (duplicate keys refused); a new reference, json_decref it.
//  Fails the test with line, column and the start of text when text is not JSON.
static inline json_t *
s_json (const char *text)
{
    cii_err_t err;
    cii_err_clear (&err);
    json_t *value = cii_json_parse (text, text ? strlen (text) : 0, &err);
    if (!value)
        fail_msg ("not JSON (%s): %.300s", err.text, text ? text : "(null)");
    return value;
}

//  True when value equals the JSON value written in expected ("0", "null", "[\"VD\"]").
static inline bool
s_json_is (const json_t *value, const char *expected)
{
    json_error_t jerr;
    json_t *want = json_loads (expected, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!want)
        fail_msg ("expected value is not JSON (%s): %s", jerr.text, expected);
    bool same = value && json_equal ((json_t *) value, want);
    json_decref (want);
    return same;
}

//  Asserts that member key of obj is there and equals the JSON value written in expected.
static inline void
s_json_member (const json_t *obj, const char *key, const char *expected)
{
    const json_t *value = json_object_get (obj, key);
    if (!s_json_is (value, expected)) {
        char *shown = value ? json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        fail_msg ("\"%s\" is %s, expected %s", key, shown ? shown : "absent", expected);
    }
}

//  The first element of array whose member key equals the JSON value written in expected,
//  borrowed from array; NULL when there is none (or array is not an array).
static inline json_t *
s_json_find (const json_t *array, const char *key, const char *expected)
{
    size_t index;
    json_t *element;
    json_array_foreach (array, index, element)
        if (s_json_is (json_object_get (element, key), expected))
            return element;
    return NULL;
}

#endif
