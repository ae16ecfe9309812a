/*  agent_import.h — user input to signals for cii-agent: the array of `signal import FILE.json`,
    read with jansson, into validated Cii__Signal values (format, vocabulary and codec limits),
    plus the per-field checks `signal add` shares. Needs no store or network. */
#ifndef AGENT_IMPORT_H_INCLUDED
#define AGENT_IMPORT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include "cii.pb-c.h"

#define AGENT_IMPORT_MAX_LIST  8     /* institutions / target groups of one signal */
#define AGENT_IMPORT_MAX_BYTES (32 * 1024 * 1024)  /* of one import document */

/*  --- one signal from user input ---------------------------------------------------------- */

/*  A signal under construction. Fill it with the agent_import_input_* checks, then
    agent_import_input_finish; signal then points into this struct (canton, lang, lists) and at
    the strings given to _finish (borrowed). Zero it (memset) before the first check. */
typedef struct {
    char canton[3];
    char lang[3];
    Cii__Institution institutions[AGENT_IMPORT_MAX_LIST];
    size_t n_institutions;
    Cii__TargetGroup groups[AGENT_IMPORT_MAX_LIST];
    size_t n_groups;
    Cii__Signal signal;
} agent_import_input_t;

/*  Each check returns 0, or -2 with a one-line reason in reason (size n) naming the bad value,
    e.g. "unknown canton ZZ", "unknown institution 'x' (valid: ...)", "institution health given
    twice", "unknown language 'en' (valid: fr, de, it, rm)".

    _canton: a canton code in any case ("vd"), stored upper case; checks it is one of the 26
    (not whether the agent's network holds it: that needs the store and is the caller's). */
int agent_import_input_canton (agent_import_input_t *in, const char *canton, char *reason, size_t n);

/*  _institution / _group: one CLI name ("social-aid"); unknown, repeated or more than
    AGENT_IMPORT_MAX_LIST names are refused. */
int agent_import_input_institution (agent_import_input_t *in, const char *name, char *reason, size_t n);
int agent_import_input_group (agent_import_input_t *in, const char *name, char *reason, size_t n);

/*  Adds each name of a comma list ("social-aid, health") with add (one of the two above);
    spaces around names and empty names are ignored. */
int agent_import_input_list (agent_import_input_t *in, const char *list,
                             int (*add) (agent_import_input_t *, const char *, char *, size_t),
                             char *reason, size_t n);

/*  _lang: "fr", "de", "it" or "rm"; NULL or "" takes the canton's first official language
    (so call it after _canton). */
int agent_import_input_lang (agent_import_input_t *in, const char *lang, char *reason, size_t n);

/*  Fills in->signal from the checked parts. title, body and reason_text (NULL for none) are
    borrowed; created_ms <= 0 means now. The codec limits are not checked here. */
void agent_import_input_finish (agent_import_input_t *in, char *title, char *body, char *reason_text,
                                int64_t created_ms);

/*  Parses Unix milliseconds (1..15 digits) or "YYYY-MM-DD[(T| )HH:MM[:SS[.mmm]]][Z]" (UTC) into
    *ms_p. 0, or -2 if s is not such a date. */
int agent_import_parse_time (const char *s, int64_t *ms_p);

/*  --- a JSON array of signals -------------------------------------------------------------- */

/*  The file format: a JSON array of objects with the fields "canton", "title", "body",
    "institutions" (array of names) — required — and "target_groups" (array of names), "reason",
    "lang" (strings), "created_at" (date string, or Unix milliseconds as a whole number of up to
    15 digits) — optional, null allowed. Strings must be valid UTF-8 (escapes included) without
    NUL; title, body and reason take no other control characters than TAB, LF and CR. Unknown
    fields, duplicate keys, objects of more than 64 keys, nesting deeper than 16 and documents
    larger than AGENT_IMPORT_MAX_BYTES are refused. */
typedef struct _agent_import_t agent_import_t;

/*  Checks one canton (already upper case and one of the 26) against what the caller knows, e.g.
    the agent's network. Returns 0 to accept, -2 to refuse or -1 on error, with a one-line reason
    in reason (size n) in both cases. arg is the caller's. */
typedef int (agent_import_canton_fn) (const char *canton, void *arg, char *reason, size_t n);

/*  Step 1: reads text (size bytes, need not be NUL-terminated) as one JSON document which must be
    an array. On success returns 0 and *self_p owns a new import holding the document (entries
    not yet checked; destroy it with agent_import_destroy). Returns -2 if malformed, error (size
    n) then holding one line of UTF-8 such as "line 3, column 17: REASON" (jansson's reason, or
    "duplicate object key near '\"canton\"'", "nested too deeply (more than 16 levels)", "too
    many keys in an object (more than 64)"), "expected a JSON array of signals" or "document is
    larger than N bytes"; -1 on allocation failure; *self_p is NULL on failure. */
int agent_import_read (const char *text, size_t size, agent_import_t **self_p, char *error, size_t n);

/*  Step 2: turns every entry into a signal, in order, calling check (when not NULL) on each
    entry's canton right after its code is known to be valid, then checks every signal against
    the codec limits (cii_codec_validate_signal). Stops at the first bad entry: returns -2 with
    error = "signal N: REASON" (N counts from 1; REASON names the field) or
    "signal N refused: CODEC TEXT" for a codec limit; -1 if out of memory or check returned -1
    (error "signal N: REASON"). 0 when all are valid: then the accessors below give them. Call
    once per import. */
int agent_import_check (agent_import_t *self, agent_import_canton_fn *check, void *arg,
                        char *error, size_t n);

/*  agent_import_read then agent_import_check without a canton callback: JSON text to a list of
    validated signals. 0 ok (*result_p owns the import), -2 malformed (one-line error naming the
    entry and field, as above), -1 out of memory; *result_p is NULL on failure. */
int agent_import_parse (const char *text, size_t size, agent_import_t **result_p, char *error, size_t n);

/*  Number of entries of the array (after step 1). */
size_t agent_import_count (const agent_import_t *self);

/*  Signal at index (0..count-1), borrowed from self: valid until agent_import_destroy. NULL
    before a successful agent_import_check or if index is out of range. */
const Cii__Signal *agent_import_signal (const agent_import_t *self, size_t index);

/*  All count signals as one array (for agent_store_add_signals), borrowed as above; NULL before a
    successful agent_import_check. */
const Cii__Signal *const *agent_import_signals (const agent_import_t *self);

/*  Frees an import and everything its signals point to; sets *self_p to NULL; safe on NULL. */
void agent_import_destroy (agent_import_t **self_p);

#endif
