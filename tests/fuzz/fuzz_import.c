/*  fuzz_import.c — fuzz target for the `signal import` reader (agent/agent_import): every input is
    parsed as a JSON array of signals; whatever is accepted must pass the codec's own signal checks,
    and a refusal must come with one line of valid UTF-8. Any breach calls abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_import.h"
#include "cii_codec.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

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
    char error[600];
    memset (error, 0, sizeof error);
    int rc = agent_import_parse ((const char *) data, size, &import, error, sizeof error);
    if (rc != 0) {
        if (rc != -2 && rc != -1)
            s_die ("unexpected return code", error);
        if (import)
            s_die ("result set on failure", error);
        size_t len = strnlen (error, sizeof error);
        if (len == 0 || len >= sizeof error)
            s_die ("empty or unterminated error", NULL);
        if (strchr (error, '\n') || strchr (error, '\r') || !cii_domain_utf8_valid (error, len))
            s_die ("error is not one line of UTF-8", error);
        return 0;
    }
    if (!import)
        s_die ("no result on success", NULL);
    size_t count = agent_import_count (import);
    const Cii__Signal *const *signals = agent_import_signals (import);
    if (count > size)
        s_die ("more signals than input bytes", NULL);
    if (!signals)
        s_die ("no signal array on success", NULL);
    for (size_t i = 0; i < count; i++) {
        const Cii__Signal *signal = agent_import_signal (import, i);
        cii_codec_error_t err;
        memset (&err, 0, sizeof err);
        if (!signal || signal != signals[i])
            s_die ("accessors disagree", NULL);
        if (cii_codec_validate_signal (signal, "signal", &err) != 0)
            s_die ("accepted signal fails cii_codec_validate_signal", err.text);
        //  A stored signal is packed as an Envelope: that must work too
        Cii__Signal copy = *signal;
        Cii__Envelope env = CII__ENVELOPE__INIT;
        env.version = CII_PROTOCOL_VERSION;
        env.message_id = (char *) "fuzz-import";
        env.body_case = CII__ENVELOPE__BODY_SIGNAL;
        env.signal = &copy;
        uint8_t *frame = NULL;
        size_t frame_size = 0;
        if (cii_codec_encode (&env, &frame, &frame_size, &err) != 0)
            s_die ("accepted signal does not encode", err.text);
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
