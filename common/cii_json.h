/*  cii_json.h — every JSON read and write of the product and its tests goes through jansson; this
    module holds the few conventions on top of it: how times, comma lists and absent strings look
    in --json output, how a document is printed (compact, UTF-8 untouched, one line, a newline),
    and how a document is read from a file with bounded size and a "line L, column C" reason. */
#ifndef CII_JSON_H_INCLUDED
#define CII_JSON_H_INCLUDED

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cii_rc.h"

/*  A new JSON string of s, or JSON null when s is NULL or not valid UTF-8. Never NULL. */
json_t *cii_json_str (const char *s);

/*  A new JSON string with Unix milliseconds as ISO 8601 UTC ("2026-11-28T20:42:17.123Z"), or
    JSON null when ms <= 0 (never happened). Never NULL. */
json_t *cii_json_time (int64_t ms);

/*  A new JSON array of the entries of a comma list ("VD,VS" -> ["VD","VS"]); NULL or "" gives
    []. Entries are copied untouched. Never NULL. */
json_t *cii_json_list (const char *list);

/*  Sets key of object to value, taking the reference (json_object_set_new); a NULL value becomes
    JSON null. Returns object, so calls chain. */
json_t *cii_json_set (json_t *object, const char *key, json_t *value);

/*  Writes value compactly (UTF-8 untouched, keys in insertion order) and a newline to out, and
    drops the reference. 0, or -1 when value is NULL or the write failed. */
int cii_json_print (FILE *out, json_t *value);

/*  Parses size bytes of text (need not be NUL-terminated) as one JSON document: duplicate keys,
    NUL characters and trailing content are refused. Returns a new reference, or NULL with err set
    to CII_BAD_INPUT "line L, column C: REASON" (CII_NO_MEMORY when out of memory). */
json_t *cii_json_parse (const char *text, size_t size, cii_err_t *err);

/*  Reads the file at path (at most max_bytes; a larger file is refused before it is read) and
    parses it as cii_json_parse does. NULL with err: CII_NOT_FOUND / CII_FAILED "cannot read P:
    REASON", CII_BAD_INPUT "P is larger than N bytes" or "P: line L, column C: REASON". */
json_t *cii_json_load_file (const char *path, size_t max_bytes, cii_err_t *err);

#endif
