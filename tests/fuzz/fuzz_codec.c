/*  fuzz_codec.c — fuzz target for the wire decoder (proto/cii_codec): every input is decoded as an
    Envelope and as a stored Notice; whatever decodes must re-encode, decode again and re-encode to
    the very same bytes. Any inconsistency calls abort(). libFuzzer or tests/fuzz/driver.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_die (const char *what, const cii_codec_error_t *err)
{
    fprintf (stderr, "fuzz_codec: %s (%s: %s)\n", what, err ? cii_codec_error_name (err->code) : "-",
             err ? err->text : "-");
    abort ();
}

/*  A refusal must be well-formed: a specific code, a one-line UTF-8 text, a valid or empty id. */
static void
s_check_refusal (int rc, const void *out, const cii_codec_error_t *err)
{
    if (rc != -2 && rc != -1)
        s_die ("unexpected return code", err);
    if (out)
        s_die ("output set on failure", err);
    if (rc == -1)
        return;
    if (err->code != CII__ERROR_CODE__ERROR_MALFORMED && err->code != CII__ERROR_CODE__ERROR_VERSION
    &&  err->code != CII__ERROR_CODE__ERROR_TOO_LARGE && err->code != CII__ERROR_CODE__ERROR_UNKNOWN_CANTON)
        s_die ("unexpected error code", err);
    size_t len = strnlen (err->text, sizeof (err->text));
    if (len == 0 || len >= sizeof (err->text) || !cii_domain_utf8_valid (err->text, len)
    ||  strchr (err->text, '\n'))
        s_die ("bad error text", err);
    len = strnlen (err->message_id, sizeof (err->message_id));
    if (len >= sizeof (err->message_id))
        s_die ("unterminated message id", err);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) err->message_id [i] < 0x21 || (unsigned char) err->message_id [i] > 0x7e)
            s_die ("bad message id in error", err);
}

static void
s_envelope (const uint8_t *data, size_t size)
{
    Cii__Envelope *env = NULL, *again = NULL;
    uint8_t *first = NULL, *second = NULL;
    size_t first_size = 0, second_size = 0;
    cii_codec_error_t err;

    int rc = cii_codec_decode (data, size, &env, &err);
    if (rc != 0) {
        s_check_refusal (rc, env, &err);
        return;
    }
    if (!env || cii_codec_validate (env, &err) != 0)
        s_die ("decoded envelope does not validate", &err);
    if (cii_codec_encode (env, &first, &first_size, &err) != 0) {
        //  A valid frame may send a repeated enum unpacked; protobuf-c re-encodes it packed,
        //  which costs one byte more per list. Only a frame at the size limit may so fail.
        if (err.code == CII__ERROR_CODE__ERROR_TOO_LARGE && size + 16 > CII_MAX_FRAME) {
            cii_codec_free (&env);
            return;
        }
        s_die ("decoded envelope does not encode", &err);
    }
    if (cii_codec_decode (first, first_size, &again, &err) != 0)
        s_die ("re-encoded envelope does not decode", &err);
    if (again->body_case != env->body_case || strcmp (again->message_id, env->message_id) != 0)
        s_die ("round trip changed the envelope", NULL);
    if (cii_codec_encode (again, &second, &second_size, &err) != 0)
        s_die ("second encode failed", &err);
    if (second_size != first_size || memcmp (first, second, first_size) != 0)
        s_die ("round trip is not stable", NULL);

    /*  A delivered notice stored on its own and delivered again gives the same item. */
    if (env->body_case == CII__ENVELOPE__BODY_DELIVER) {
        uint8_t *body = NULL, *frame = NULL;
        size_t body_size = 0, frame_size = 0;
        Cii__Envelope *redelivered = NULL;
        if (cii_codec_encode_notice (env->deliver->notice, &body, &body_size) != 0)
            s_die ("delivered notice does not encode", NULL);
        if (cii_codec_encode_deliver (env->deliver->seq, "notice", body, body_size, env->message_id,
                                      &frame, &frame_size) != 0)
            s_die ("encode_deliver failed", NULL);
        if (cii_codec_decode (frame, frame_size, &redelivered, &err) != 0)
            s_die ("redelivered envelope does not decode", &err);
        if (redelivered->deliver->seq != env->deliver->seq
        ||  strcmp (redelivered->deliver->notice->title, env->deliver->notice->title) != 0
        ||  strcmp (redelivered->deliver->notice->text, env->deliver->notice->text) != 0
        ||  redelivered->deliver->notice->n_networks != env->deliver->notice->n_networks)
            s_die ("redelivered notice differs", NULL);
        cii_codec_free (&redelivered);
        free (frame);
        free (body);
    }
    cii_codec_free (&again);
    cii_codec_free (&env);
    free (first);
    free (second);
}

static void
s_notice (const uint8_t *data, size_t size)
{
    Cii__Notice *notice = NULL, *again = NULL;
    uint8_t *first = NULL, *second = NULL;
    size_t first_size = 0, second_size = 0;
    cii_codec_error_t err;

    int rc = cii_codec_decode_notice (data, size, &notice, &err);
    if (rc != 0) {
        s_check_refusal (rc, notice, &err);
        return;
    }
    if (cii_codec_encode_notice (notice, &first, &first_size) != 0)
        s_die ("decoded notice does not encode", NULL);
    if (cii_codec_decode_notice (first, first_size, &again, &err) != 0)
        s_die ("re-encoded notice does not decode", &err);
    if (cii_codec_encode_notice (again, &second, &second_size) != 0)
        s_die ("second notice encode failed", NULL);
    if (second_size != first_size || memcmp (first, second, first_size) != 0)
        s_die ("notice round trip is not stable", NULL);
    cii_codec_free_notice (&again);
    cii_codec_free_notice (&notice);
    free (first);
    free (second);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_envelope (data, size);
    s_notice (data, size);
    return 0;
}
