/*  agent_import.h — user input to signals for cii-agent: the array of `signal import FILE.json`,
    read with jansson, into checked domain signals (cii_signal_t: format, vocabulary and the
    domain's limits), plus the per-field checks `signal add` shares. Needs no store or network:
    whether a canton belongs to the agent's network is agent_intake's rule. */
#ifndef AGENT_IMPORT_H_INCLUDED
#define AGENT_IMPORT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "cii_domain.h"
#include "cii_rc.h"

#define AGENT_IMPORT_MAX_BYTES (32 * 1024 * 1024)   /* of one import document */
#define AGENT_IMPORT_MAX_DEPTH 16                   /* nesting of arrays and objects */
#define AGENT_IMPORT_MAX_KEYS  64                   /* keys of one object (an entry has 8 fields) */

/*  --- one signal from user input ---------------------------------------------------------- */

/*  A signal under construction. Fill it with the agent_import_input_* checks, then
    agent_import_input_finish; signal.title, description and national_reason then point at the
    strings given to _finish (borrowed). Zero it (memset) before the first check. */
typedef struct {
    cii_signal_t signal;
} agent_import_input_t;

/*  Each check returns CII_OK, or CII_BAD_INPUT with a one-line reason naming the bad value, e.g.
    "unknown canton ZZ", "unknown institution 'x' (valid: ...)", "institution health given
    twice", "unknown language 'en' (valid: fr, de, it, rm)".

    _canton: a canton code in any case ("vd"), stored upper case; checks it is one of the 26. */
cii_rc_t agent_import_input_canton (agent_import_input_t *in, const char *canton, cii_err_t *err);

/*  _institution / _group: one CLI name ("social-aid"); unknown or repeated names are refused. */
cii_rc_t agent_import_input_institution (agent_import_input_t *in, const char *name, cii_err_t *err);
cii_rc_t agent_import_input_group (agent_import_input_t *in, const char *name, cii_err_t *err);

/*  Adds each name of a comma list ("social-aid, health") with add (one of the two above);
    spaces around names and empty names are ignored. */
typedef cii_rc_t (agent_import_add_fn) (agent_import_input_t *in, const char *name, cii_err_t *err);
cii_rc_t agent_import_input_list (agent_import_input_t *in, const char *list, agent_import_add_fn *add,
                                  cii_err_t *err);

/*  _lang: "fr", "de", "it" or "rm"; NULL or "" takes the canton's first official language
    (so call it after _canton). */
cii_rc_t agent_import_input_lang (agent_import_input_t *in, const char *lang, cii_err_t *err);

/*  Fills the rest of in->signal: title, body and reason (NULL for none) are borrowed;
    created_ms <= 0 means now. The domain's limits are not checked here (cii_signal_check). */
void agent_import_input_finish (agent_import_input_t *in, const char *title, const char *body, const char *reason,
                                int64_t created_ms);

/*  Parses Unix milliseconds (1..15 digits) or "YYYY-MM-DD[(T| )HH:MM[:SS[.mmm]]][Z]" (UTC) into
    *ms_p. CII_OK, or CII_BAD_INPUT if s is not such a date. */
cii_rc_t agent_import_parse_time (const char *s, int64_t *ms_p);

/*  --- a JSON array of signals -------------------------------------------------------------- */

/*  The file format: a JSON array of objects with the fields "canton", "title", "body",
    "institutions" (array of names) — required — and "target_groups" (array of names), "reason",
    "lang" (strings), "created_at" (date string, or Unix milliseconds as a whole number of up to
    15 digits) — optional, null allowed. Strings must be valid UTF-8 (escapes included) without
    NUL; title, body and reason take no other control characters than TAB, LF and CR. Unknown
    fields, duplicate keys, objects of more than AGENT_IMPORT_MAX_KEYS keys, nesting deeper than
    AGENT_IMPORT_MAX_DEPTH and documents larger than AGENT_IMPORT_MAX_BYTES are refused. */
typedef struct _agent_import_t agent_import_t;

/*  Checks one canton (already upper case and one of the 26) against what the caller knows, e.g.
    the agent's network. CII_OK accepts; anything else refuses the entry with err's reason. */
typedef cii_rc_t (agent_import_canton_fn) (const char *canton, void *arg, cii_err_t *err);

/*  Step 1: reads text (size bytes, need not be NUL-terminated) as one JSON document which must be
    an array. CII_OK and *self_p owns a new import holding the document (entries not yet checked;
    destroy it with agent_import_destroy). CII_BAD_INPUT when malformed, with one line of UTF-8
    such as "line 3, column 17: REASON" (jansson's reason, or "duplicate object key near
    '\"canton\"'", "nested too deeply (more than 16 levels)", "too many keys in an object (more
    than 64)"), "expected a JSON array of signals" or "document is larger than N bytes";
    CII_NO_MEMORY; *self_p is NULL on failure. */
cii_rc_t agent_import_read (const char *text, size_t size, agent_import_t **self_p, cii_err_t *err);

/*  Step 2: turns every entry into a signal, in order, calling check (when not NULL) on each
    entry's canton right after its code is known to be valid, then checks every signal against
    the domain's limits (cii_signal_check). Stops at the first bad entry: CII_BAD_INPUT with
    "signal N: REASON" (N counts from 1; REASON names the field) or "signal N refused: REASON"
    for a limit; check's own code and "signal N: REASON" when check refuses. CII_OK when all are
    valid: then the accessors below give them. Call once per import (CII_FAILED after that). */
cii_rc_t agent_import_check (agent_import_t *self, agent_import_canton_fn *check, void *arg, cii_err_t *err);

/*  agent_import_read then agent_import_check without a canton callback: JSON text to a list of
    checked signals. *result_p is NULL on failure. */
cii_rc_t agent_import_parse (const char *text, size_t size, agent_import_t **result_p, cii_err_t *err);

/*  Number of entries of the array (after step 1). */
size_t agent_import_count (const agent_import_t *self);

/*  Signal at index (0..count-1), borrowed from self: valid until agent_import_destroy. NULL
    before a successful agent_import_check or if index is out of range. */
const cii_signal_t *agent_import_signal (const agent_import_t *self, size_t index);

/*  Frees an import and everything its signals point to; sets *self_p to NULL; safe on NULL. */
void agent_import_destroy (agent_import_t **self_p);

#endif
