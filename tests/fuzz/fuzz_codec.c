/*  fuzz_codec.c — fuzz target for the wire decoder (proto/cii_codec): every input is decoded as an
    Envelope and as a stored item of every kind (cii_kind.h); whatever decodes must re-encode,
    decode again and re-encode to the very same bytes. Any inconsistency calls abort(). libFuzzer
    or tests/fuzz/driver.c. */
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
    if (rc != CII_BAD_INPUT && rc != CII_NO_MEMORY)
        s_die ("unexpected return code", err);
    if (out)
        s_die ("output set on failure", err);
    if (rc == CII_NO_MEMORY)
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

    cii_rc_t rc = cii_codec_decode (data, size, &env, &err);
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

    /*  A delivered item stored on its own and delivered again gives the same item. */
    if (env->body_case == CII__ENVELOPE__BODY_DELIVER) {
        uint8_t *body = NULL, *frame = NULL, *body_again = NULL;
        size_t body_size = 0, frame_size = 0, body_again_size = 0;
        Cii__Envelope *redelivered = NULL;
        ProtobufCMessage *owned = NULL, *owned_again = NULL;
        const cii_kind_t *kind = cii_codec_kind (env);
        const ProtobufCMessage *item = cii_codec_item (env, &owned);
        if (!kind || !item)
            s_die ("decoded deliver has no item", NULL);
        if (cii_codec_item_pack (kind, item, &body, &body_size, &err) != CII_OK)
            s_die ("delivered item does not encode", &err);
        if (cii_codec_encode_deliver (env->deliver->seq, kind->name, body, body_size, env->message_id,
                                      &frame, &frame_size) != CII_OK)
            s_die ("encode_deliver failed", NULL);
        if (cii_codec_decode (frame, frame_size, &redelivered, &err) != CII_OK)
            s_die ("redelivered envelope does not decode", &err);
        const ProtobufCMessage *item_again = cii_codec_item (redelivered, &owned_again);
        if (redelivered->deliver->seq != env->deliver->seq || cii_codec_kind (redelivered) != kind || !item_again
        ||  cii_codec_item_pack (kind, item_again, &body_again, &body_again_size, &err) != CII_OK
        ||  body_again_size != body_size || memcmp (body, body_again, body_size) != 0)
            s_die ("redelivered item differs", NULL);
        cii_codec_item_free (&owned);
        cii_codec_item_free (&owned_again);
        cii_codec_free (&redelivered);
        free (frame);
        free (body);
        free (body_again);
    }
    cii_codec_free (&again);
    cii_codec_free (&env);
    free (first);
    free (second);
}

static void
s_item (const cii_kind_t *kind, const uint8_t *data, size_t size)
{
    ProtobufCMessage *item = NULL, *again = NULL;
    uint8_t *first = NULL, *second = NULL;
    size_t first_size = 0, second_size = 0;
    cii_codec_error_t err;

    cii_rc_t rc = cii_codec_item_unpack (kind, data, size, &item, &err);
    if (rc != CII_OK) {
        s_check_refusal (rc, item, &err);
        return;
    }
    if (cii_codec_item_pack (kind, item, &first, &first_size, &err) != CII_OK)
        s_die ("decoded item does not encode", &err);
    if (cii_codec_item_unpack (kind, first, first_size, &again, &err) != CII_OK)
        s_die ("re-encoded item does not decode", &err);
    if (cii_codec_item_pack (kind, again, &second, &second_size, &err) != CII_OK)
        s_die ("second item encode failed", &err);
    if (second_size != first_size || memcmp (first, second, first_size) != 0)
        s_die ("item round trip is not stable", NULL);
    cii_codec_item_free (&again);
    cii_codec_item_free (&item);
    free (first);
    free (second);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_envelope (data, size);
    const cii_kind_t *kind;
    for (size_t i = 0; (kind = cii_kind_index (i)) != NULL; i++)
        s_item (kind, data, size);
    return 0;
}
