/*  fuzz_import.c — fuzz target for the `signal import` reader (agent/service/agent_import, over
    jansson): every input is parsed as a JSON array of signals; whatever is accepted must pass the
    domain's signal checks and pack as an upward Envelope, and a refusal must come with one line of valid UTF-8 that either
    gives the line and column of a fault in the document or names the entry. Any breach calls
    abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_import.h"
#include "cii_codec.h"
#include "cii_domain.h"
#include "cii_wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  The position after prefix and a number at the start of s (a leading 0 only when zero_ok), or NULL.
static const char *
s_number_after (const char *s, const char *prefix, int zero_ok)
{
    size_t len = strlen (prefix);
    if (strncmp (s, prefix, len) != 0)
        return NULL;
    s += len;
    size_t digits = strspn (s, "0123456789");
    if (digits == 0 || (!zero_ok && s[0] == '0'))
        return NULL;
    return s + digits;
}

//  A refusal is about the document ("line L, column C: REASON", "expected a JSON array of
//  signals") or about one entry ("signal N: REASON", "signal N refused: REASON").
static int
s_error_shape_ok (const char *error)
{
    const char *p = s_number_after (error, "line ", 0);
    if (p && (p = s_number_after (p, ", column ", 1)) && strncmp (p, ": ", 2) == 0 && p[2])
        return 1;
    if (strcmp (error, "expected a JSON array of signals") == 0)
        return 1;
    p = s_number_after (error, "signal ", 0);
    return p && ((strncmp (p, ": ", 2) == 0 && p[2]) || (strncmp (p, " refused: ", 10) == 0 && p[10]));
}

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_import: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    agent_import_t *import = NULL;
    cii_err_t err;
    memset (&err, 0, sizeof err);
    cii_rc_t rc = agent_import_parse ((const char *) data, size, &import, &err);
    if (rc != CII_OK) {
        if (rc != CII_BAD_INPUT && rc != CII_NO_MEMORY)
            s_die ("unexpected return code", err.text);
        if (import)
            s_die ("result set on failure", err.text);
        size_t len = strnlen (err.text, sizeof err.text);
        if (len == 0 || len >= sizeof err.text)
            s_die ("empty or unterminated error", NULL);
        if (strchr (err.text, '\n') || strchr (err.text, '\r') || !cii_domain_utf8_valid (err.text, len))
            s_die ("error is not one line of UTF-8", err.text);
        if (rc == CII_BAD_INPUT && !s_error_shape_ok (err.text))
            s_die ("error gives neither line and column nor the entry", err.text);
        return 0;
    }
    if (!import)
        s_die ("no result on success", NULL);
    size_t count = agent_import_count (import);
    if (count > size)
        s_die ("more signals than input bytes", NULL);
    for (size_t i = 0; i < count; i++) {
        const cii_signal_t *signal = agent_import_signal (import, i);
        if (!signal)
            s_die ("no signal inside the count", NULL);
        if (cii_signal_check (signal, "signal", &err) != CII_OK)
            s_die ("accepted signal fails cii_signal_check", err.text);
        //  A stored signal is packed as an upward Envelope: that must work too
        cii_wire_signal_t wire;
        cii_wire_signal_fill (&wire, signal);
        uint8_t *frame = NULL;
        size_t frame_size = 0;
        cii_codec_error_t refusal;
        if (cii_codec_encode_up (cii_kind_find ("signal"), &wire.msg.base, "fuzz-import", &frame, &frame_size,
                                 &refusal) != CII_OK)
            s_die ("accepted signal does not encode", refusal.text);
        free (frame);
        if (signal->created_at_ms <= 0)
            s_die ("created_at not set", NULL);
    }
    if (agent_import_signal (import, count) != NULL)
        s_die ("signal past the end", NULL);
    agent_import_destroy (&import);
    agent_import_destroy (&import);         //  safe twice
    if (import)
        s_die ("destroy did not clear the pointer", NULL);
    return 0;
}
