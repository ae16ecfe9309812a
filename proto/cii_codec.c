/*  cii_codec.c — the only code that packs and unpacks wire messages (proto/cii.proto): frame size,
    protocol version, message ids, per-body limits, UTF-8 and embedded-NUL checks, run on decode
    and on encode alike, with error texts that name the field and the limit. */
#include "cii_codec.h"
#include "cii_domain.h"

#include <assert.h>
#include <ctype.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  Forward compatibility: fields this version does not know are tolerated on decode (protobuf-c
    keeps them as unknown fields and packs them again on re-encode); only the fields below are
    checked. A newer peer adding fields therefore still talks to us; a peer changing the meaning
    of a field must bump CII_PROTOCOL_VERSION. */

#define S_MAX_REF 31    /* Receipt.ref: 1..31 bytes printable ASCII */

static const char *s_error_names [] = {
    "UNSPECIFIED", "VERSION", "MALFORMED", "TOO_LARGE", "NOT_AUTHORISED", "UNKNOWN_CANTON",
    "NO_SESSION", "REVOKED", "BAD_ACK", "UNAVAILABLE", "SESSION_REPLACED", "UNEXPECTED"
};

static void
s_error_reset (cii_codec_error_t *err)
{
    err->code = CII__ERROR_CODE__ERROR_UNSPECIFIED;
    err->text [0] = '\0';
    err->message_id [0] = '\0';
}

/*  Fills err (code + formatted one-line text) and returns -2, so callers can `return s_fail (…)`. */
static int
s_fail (cii_codec_error_t *err, Cii__ErrorCode code, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_fail (cii_codec_error_t *err, Cii__ErrorCode code, const char *format, ...)
{
    err->code = code;
    va_list args;
    va_start (args, format);
    vsnprintf (err->text, sizeof (err->text), format, args);
    va_end (args);
    return -2;
}

/*  Copies at most 8 bytes of untrusted s into buf[12] for an error text, replacing every byte
    outside printable ASCII by '?', so the text stays one line of valid UTF-8. */
static const char *
s_sanitize (const char *s, char buf [12])
{
    size_t i = 0;
    if (s)
        for (; s [i] && i < 8; i++)
            buf [i] = (s [i] >= 0x20 && s [i] <= 0x7e && s [i] != '"') ? s [i] : '?';
    if (s && s [i]) {
        memcpy (buf + i, "...", 3);
        i += 3;
    }
    buf [i] = '\0';
    return buf;
}

static bool
s_ascii_token (const char *s, size_t min, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len < min || len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s [i] < 0x21 || (unsigned char) s [i] > 0x7e)
            return false;
    return true;
}

/*  True if s is a valid message id: 1..64 bytes of printable ASCII 0x21..0x7e. */
static bool
s_id_valid (const char *s)
{
    return s_ascii_token (s, 1, CII_MAX_MESSAGE_ID);
}

/*  Checks an id or reference field: printable ASCII, length min..max. */
static int
s_check_token (cii_codec_error_t *err, const char *field, const char *s, size_t min, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 && min > 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", field);
    if (len > max)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: %zu bytes, limit %zu",
                       field, len, max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c < 0x21 || c > 0x7e)
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                           "%s: byte 0x%02x at offset %zu is not printable ASCII", field, c, i);
    }
    return 0;
}

/*  Checks a text field: length min..max bytes, well-formed UTF-8 without NUL or C0 controls other
    than TAB, LF, CR. NULL counts as empty. */
static int
s_check_text (cii_codec_error_t *err, const char *field, const char *s, size_t min, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 && min > 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", field);
    if (len < min)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: %zu bytes, minimum %zu",
                       field, len, min);
    if (len > max)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: %zu bytes, limit %zu",
                       field, len, max);
    if (!cii_domain_utf8_valid (s, len))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "%s: not valid UTF-8 (or a control character)", field);
    return 0;
}

//  As s_check_text, for one-line fields (versions, error texts that end up in logs): no TAB, CR
//  or LF either, so a peer cannot forge log lines.
static int
s_check_line (cii_codec_error_t *err, const char *field, const char *s, size_t min, size_t max)
{
    if (s_check_text (err, field, s, min, max))
        return -2;
    if (s && strpbrk (s, "\t\r\n"))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: must be one line (no TAB, CR, LF)", field);
    return 0;
}

// --------------------------------------------------------------------------------------------
//  Wire walk: protobuf-c copies a string into a NUL-terminated char *, so an embedded NUL would
//  silently truncate it. We walk the raw wire format with the message descriptors and refuse any
//  length-delimited value of a known string field that contains a NUL byte. Unknown fields are
//  skipped (forward compatibility). Nesting follows the schema only, so depth is bounded.

static int
s_wire_varint (const uint8_t *data, size_t size, size_t *pos, uint64_t *value)
{
    uint64_t result = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (*pos >= size)
            return -1;
        uint8_t byte = data [(*pos)++];
        result |= (uint64_t) (byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            *value = result;
            return 0;
        }
    }
    return -1;
}

/*  Reads one field header and locates its value. For a length-delimited field, *value_p and
    *value_size_p point at the payload. Returns 0, or -1 if the wire is malformed. */
static int
s_wire_next (const uint8_t *data, size_t size, size_t *pos, uint32_t *number_p, unsigned *type_p,
             const uint8_t **value_p, size_t *value_size_p)
{
    uint64_t key, len;
    if (s_wire_varint (data, size, pos, &key))
        return -1;
    uint64_t number = key >> 3;
    unsigned type = (unsigned) (key & 7);
    if (number == 0 || number > 0x1fffffff)
        return -1;
    *number_p = (uint32_t) number;
    *type_p = type;
    *value_p = NULL;
    *value_size_p = 0;
    switch (type) {
        case 0:
            return s_wire_varint (data, size, pos, &len);
        case 1:
            if (size - *pos < 8)
                return -1;
            *pos += 8;
            return 0;
        case 5:
            if (size - *pos < 4)
                return -1;
            *pos += 4;
            return 0;
        case 2:
            if (s_wire_varint (data, size, pos, &len) || len > size - *pos)
                return -1;
            *value_p = data + *pos;
            *value_size_p = (size_t) len;
            *pos += (size_t) len;
            return 0;
        default:
            return -1;              /* groups (3, 4) are not part of our protocol */
    }
}

/*  Returns 0 when no known string field (recursively) holds a NUL byte, 1 when one does (err
    filled naming it), -1 when the wire format is malformed (err filled). */
static int
s_wire_check_nul (const uint8_t *data, size_t size, const ProtobufCMessageDescriptor *desc,
                  cii_codec_error_t *err)
{
    size_t pos = 0;
    while (pos < size) {
        uint32_t number;
        unsigned type;
        const uint8_t *value;
        size_t value_size;
        if (s_wire_next (data, size, &pos, &number, &type, &value, &value_size)) {
            s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: malformed wire format",
                    desc->short_name);
            return -1;
        }
        if (type != 2)
            continue;
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (desc, number);
        if (!field)
            continue;               /* unknown field: tolerated */
        if (field->type == PROTOBUF_C_TYPE_STRING && memchr (value, 0, value_size)) {
            char name [40];
            size_t i = 0;
            for (; desc->short_name [i] && i < sizeof (name) - 1; i++)
                name [i] = (char) tolower ((unsigned char) desc->short_name [i]);
            name [i] = '\0';
            s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.%s: embedded NUL byte",
                    name, field->name);
            return 1;
        }
        if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
            int rc = s_wire_check_nul (value, value_size,
                                       (const ProtobufCMessageDescriptor *) field->descriptor, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/*  Best effort: finds the Envelope's message_id (field 2, last occurrence wins as in protobuf)
    in a raw frame that may not decode, and copies it to err->message_id if it is a valid id. */
static void
s_peek_message_id (const uint8_t *data, size_t size, cii_codec_error_t *err)
{
    const uint8_t *found = NULL;
    size_t found_size = 0;
    size_t pos = 0;
    while (pos < size) {
        uint32_t number;
        unsigned type;
        const uint8_t *value;
        size_t value_size;
        if (s_wire_next (data, size, &pos, &number, &type, &value, &value_size))
            break;
        if (number == 2 && type == 2) {
            found = value;
            found_size = value_size;
        }
    }
    err->message_id [0] = '\0';
    if (!found || found_size < 1 || found_size > CII_MAX_MESSAGE_ID)
        return;
    for (size_t i = 0; i < found_size; i++)
        if (found [i] < 0x21 || found [i] > 0x7e)
            return;
    memcpy (err->message_id, found, found_size);
    err->message_id [found_size] = '\0';
}

// --------------------------------------------------------------------------------------------
//  Per-body validation

static int
s_validate_hello (const Cii__Hello *hello, cii_codec_error_t *err)
{
    return s_check_line (err, "hello.agent_version", hello->agent_version, 0, CII_MAX_SHORT);
}

static int
s_validate_welcome (const Cii__Welcome *welcome, cii_codec_error_t *err)
{
    char buf [12];
    if (!welcome->network || !*welcome->network)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.network: missing");
    if (!cii_domain_network_name_valid (welcome->network))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "welcome.network: \"%s\" is not a network name (1..32 of [a-z0-9-])",
                       s_sanitize (welcome->network, buf));
    if (welcome->n_cantons > CII_MAX_CANTONS)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.cantons: %zu entries, limit %d",
                       welcome->n_cantons, CII_MAX_CANTONS);
    if (welcome->n_cantons > 0 && !welcome->cantons)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.cantons: missing");
    for (size_t i = 0; i < welcome->n_cantons; i++) {
        if (!cii_domain_canton_valid (welcome->cantons [i]))
            return s_fail (err, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON,
                           "welcome.cantons[%zu]: unknown canton \"%s\"", i,
                           s_sanitize (welcome->cantons [i], buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (welcome->cantons [i], welcome->cantons [j]) == 0)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                               "welcome.cantons[%zu]: duplicate canton %s", i, welcome->cantons [i]);
    }
    if (welcome->heartbeat_ms < 100 || welcome->heartbeat_ms > 600000)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "welcome.heartbeat_ms: %" PRIu32 ", limits 100..600000", welcome->heartbeat_ms);
    return 0;
}

static int
s_validate_receipt (const Cii__Receipt *receipt, cii_codec_error_t *err)
{
    if (s_check_token (err, "receipt.message_id", receipt->message_id, 1, CII_MAX_MESSAGE_ID))
        return -2;
    return s_check_token (err, "receipt.ref", receipt->ref, 1, S_MAX_REF);
}

static int
s_validate_error (const Cii__Error *error, cii_codec_error_t *err)
{
    /*  UNSPECIFIED is refused too: every refusal names a specific reason. */
    if ((int) error->code <= 0
    ||  !protobuf_c_enum_descriptor_get_value (&cii__error_code__descriptor, (int) error->code))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "error.code: unknown value %d",
                       (int) error->code);
    if (s_check_line (err, "error.text", error->text, 0, CII_MAX_ERROR_TEXT))
        return -2;
    return s_check_token (err, "error.message_id", error->message_id, 0, CII_MAX_MESSAGE_ID);
}

int
cii_codec_validate_notice (const Cii__Notice *notice, const char *prefix, cii_codec_error_t *err)
{
    cii_codec_error_t local;
    if (!err) {
        err = &local;
        s_error_reset (err);
    }
    if (!prefix)
        prefix = "notice";
    char field [48], buf [12];
    if (!notice) {
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", prefix);
    }
    snprintf (field, sizeof (field), "%s.title", prefix);
    if (s_check_text (err, field, notice->title, 1, CII_MAX_TITLE))
        return -2;
    snprintf (field, sizeof (field), "%s.text", prefix);
    if (s_check_text (err, field, notice->text, 1, CII_MAX_TEXT))
        return -2;
    if (notice->n_networks > CII_MAX_NETWORKS)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.networks: %zu entries, limit %d",
                       prefix, notice->n_networks, CII_MAX_NETWORKS);
    if (notice->n_networks > 0 && !notice->networks)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.networks: missing", prefix);
    for (size_t i = 0; i < notice->n_networks; i++) {
        if (!cii_domain_network_name_valid (notice->networks [i]))
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                           "%s.networks[%zu]: \"%s\" is not a network name", prefix, i,
                           s_sanitize (notice->networks [i], buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (notice->networks [i], notice->networks [j]) == 0)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                               "%s.networks[%zu]: duplicate network %s", prefix, i,
                               notice->networks [i]);     /* a valid name: safe to print */
    }
    return 0;
}

int
cii_codec_validate_signal (const Cii__Signal *signal, const char *prefix, cii_codec_error_t *err)
{
    cii_codec_error_t local;
    if (!err) {
        err = &local;
        s_error_reset (err);
    }
    if (!prefix)
        prefix = "signal";
    char field [48], buf [12];
    if (!signal)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", prefix);

    if (!signal->canton || !*signal->canton)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.canton: missing", prefix);
    if (!cii_domain_canton_valid (signal->canton))
        return s_fail (err, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON, "%s.canton: unknown canton \"%s\"",
                       prefix, s_sanitize (signal->canton, buf));
    snprintf (field, sizeof (field), "%s.title", prefix);
    if (s_check_text (err, field, signal->title, 1, CII_MAX_TITLE))
        return -2;
    snprintf (field, sizeof (field), "%s.description", prefix);
    if (s_check_text (err, field, signal->description, 1, CII_MAX_TEXT))
        return -2;
    snprintf (field, sizeof (field), "%s.national_reason", prefix);
    if (s_check_text (err, field, signal->national_reason, 0, CII_MAX_REASON))
        return -2;

    if (signal->n_institutions == 0 || !signal->institutions)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "%s.institutions: missing, at least 1 required", prefix);
    if (signal->n_institutions > 6)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.institutions: %zu entries, limit 6",
                       prefix, signal->n_institutions);
    for (size_t i = 0; i < signal->n_institutions; i++) {
        int value = (int) signal->institutions [i];
        if (!cii_domain_institution_name (value))
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                           "%s.institutions[%zu]: unknown value %d", prefix, i, value);
        for (size_t j = 0; j < i; j++)
            if ((int) signal->institutions [j] == value)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                               "%s.institutions[%zu]: duplicate %s", prefix, i,
                               cii_domain_institution_name (value));
    }
    if (signal->n_target_groups > 0 && !signal->target_groups)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.target_groups: missing", prefix);
    if (signal->n_target_groups > 5)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s.target_groups: %zu entries, limit 5",
                       prefix, signal->n_target_groups);
    for (size_t i = 0; i < signal->n_target_groups; i++) {
        int value = (int) signal->target_groups [i];
        if (!cii_domain_target_group_name (value))
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                           "%s.target_groups[%zu]: unknown value %d", prefix, i, value);
        for (size_t j = 0; j < i; j++)
            if ((int) signal->target_groups [j] == value)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                               "%s.target_groups[%zu]: duplicate %s", prefix, i,
                               cii_domain_target_group_name (value));
    }
    if (!cii_domain_language_valid (signal->language))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "%s.language: \"%s\" is not fr, de, it or rm", prefix,
                       s_sanitize (signal->language, buf));
    if (signal->created_at_ms < 0 || signal->created_at_ms > CII_MAX_TIME_MS)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "%s.created_at_ms: %" PRId64 " outside 0..%" PRId64 " (9999-12-31)",
                       prefix, signal->created_at_ms, (int64_t) CII_MAX_TIME_MS);
    return 0;
}

int
cii_codec_validate (const Cii__Envelope *env, cii_codec_error_t *err)
{
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    if (!env)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope: missing");
    if (s_id_valid (env->message_id))
        snprintf (err->message_id, sizeof (err->message_id), "%s", env->message_id);
    if (env->version != CII_PROTOCOL_VERSION)
        return s_fail (err, CII__ERROR_CODE__ERROR_VERSION,
                       "protocol version %" PRIu32 " not supported; this peer speaks %d",
                       env->version, CII_PROTOCOL_VERSION);
    if (s_check_token (err, "envelope.message_id", env->message_id, 1, CII_MAX_MESSAGE_ID))
        return -2;

    const void *body = NULL;
    switch (env->body_case) {
        case CII__ENVELOPE__BODY__NOT_SET:
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope has no body");
        case CII__ENVELOPE__BODY_HELLO:   body = env->hello;   break;
        case CII__ENVELOPE__BODY_WELCOME: body = env->welcome; break;
        case CII__ENVELOPE__BODY_RECEIPT: body = env->receipt; break;
        case CII__ENVELOPE__BODY_ERROR:   body = env->error;   break;
        case CII__ENVELOPE__BODY_PING:    body = env->ping;    break;
        case CII__ENVELOPE__BODY_PONG:    body = env->pong;    break;
        case CII__ENVELOPE__BODY_DELIVER: body = env->deliver; break;
        case CII__ENVELOPE__BODY_ACK:     body = env->ack;     break;
        case CII__ENVELOPE__BODY_SIGNAL:  body = env->signal;  break;
        default:
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope: unknown body case %d",
                           (int) env->body_case);
    }
    if (!body)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.%s: missing",
                       cii_codec_body_name (env));

    switch (env->body_case) {
        case CII__ENVELOPE__BODY_HELLO:
            return s_validate_hello (env->hello, err);
        case CII__ENVELOPE__BODY_WELCOME:
            return s_validate_welcome (env->welcome, err);
        case CII__ENVELOPE__BODY_RECEIPT:
            return s_validate_receipt (env->receipt, err);
        case CII__ENVELOPE__BODY_ERROR:
            return s_validate_error (env->error, err);
        case CII__ENVELOPE__BODY_DELIVER:
            if (env->deliver->seq < 1)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "deliver.seq: 0, minimum 1");
            if (env->deliver->item_case != CII__DELIVER__ITEM_NOTICE || !env->deliver->notice)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "deliver has no item");
            return cii_codec_validate_notice (env->deliver->notice, "deliver.notice", err);
        case CII__ENVELOPE__BODY_ACK:
            if (env->ack->seq < 1)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "ack.seq: 0, minimum 1");
            return 0;
        case CII__ENVELOPE__BODY_SIGNAL:
            return cii_codec_validate_signal (env->signal, "signal", err);
        default:
            return 0;               /* ping, pong: no limits beyond the envelope */
    }
}

// --------------------------------------------------------------------------------------------

int
cii_codec_decode (const uint8_t *data, size_t size, Cii__Envelope **env_p, cii_codec_error_t *err)
{
    assert (env_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    *env_p = NULL;

    if (!data || size == 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope: empty frame");
    s_peek_message_id (data, size, err);
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "envelope: %zu bytes, limit %d",
                       size, CII_MAX_FRAME);

    /*  protobuf-c returns NULL both for a malformed frame and when out of memory; we cannot tell
        them apart and treat both as malformed (the peer gets an ERROR, nothing is stored). */
    Cii__Envelope *env = cii__envelope__unpack (NULL, size, data);
    if (!env)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope: not a valid protobuf Envelope");

    /*  The version first, so a peer speaking another version hears exactly that. */
    if (env->version != CII_PROTOCOL_VERSION) {
        s_fail (err, CII__ERROR_CODE__ERROR_VERSION,
                "protocol version %" PRIu32 " not supported; this peer speaks %d",
                env->version, CII_PROTOCOL_VERSION);
        goto refused;
    }
    if (s_wire_check_nul (data, size, &cii__envelope__descriptor, err) != 0)
        goto refused;
    {
        char peeked [CII_MAX_MESSAGE_ID + 1];
        memcpy (peeked, err->message_id, sizeof (peeked));
        if (cii_codec_validate (env, err) != 0) {
            if (!err->message_id [0])
                memcpy (err->message_id, peeked, sizeof (peeked));
            goto refused;
        }
    }
    *env_p = env;
    return 0;

refused:
    cii__envelope__free_unpacked (env, NULL);
    return -2;
}

void
cii_codec_free (Cii__Envelope **env_p)
{
    if (env_p && *env_p) {
        cii__envelope__free_unpacked (*env_p, NULL);
        *env_p = NULL;
    }
}

int
cii_codec_encode (const Cii__Envelope *env, uint8_t **data_p, size_t *size_p, cii_codec_error_t *err)
{
    assert (data_p && size_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    *data_p = NULL;
    *size_p = 0;
    if (cii_codec_validate (env, err) != 0)
        return -2;
    size_t size = cii__envelope__get_packed_size (env);
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "envelope: %zu bytes, limit %d",
                       size, CII_MAX_FRAME);
    uint8_t *data = (uint8_t *) malloc (size ? size : 1);
    if (!data)
        return -1;
    size_t packed = cii__envelope__pack (env, data);
    if (packed != size) {
        free (data);
        return -1;
    }
    *data_p = data;
    *size_p = size;
    return 0;
}

int
cii_codec_encode_notice (const Cii__Notice *notice, uint8_t **data_p, size_t *size_p)
{
    assert (data_p && size_p);
    *data_p = NULL;
    *size_p = 0;
    cii_codec_error_t err;
    s_error_reset (&err);
    if (cii_codec_validate_notice (notice, "notice", &err) != 0) {
        zsys_warning ("codec: notice %" PRId64 " not encoded: %s", notice ? notice->notice_id : 0, err.text);
        return -2;
    }
    size_t size = cii__notice__get_packed_size (notice);
    if (size > CII_MAX_FRAME) {
        zsys_warning ("codec: notice %" PRId64 " not encoded: %zu bytes, limit %d",
                      notice->notice_id, size, CII_MAX_FRAME);
        return -2;
    }
    uint8_t *data = (uint8_t *) malloc (size ? size : 1);
    if (!data)
        return -1;
    if (cii__notice__pack (notice, data) != size) {
        free (data);
        return -1;
    }
    *data_p = data;
    *size_p = size;
    return 0;
}

int
cii_codec_decode_notice (const uint8_t *data, size_t size, Cii__Notice **notice_p,
                         cii_codec_error_t *err)
{
    assert (notice_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    *notice_p = NULL;
    if (!data || size == 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "notice: empty");
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "notice: %zu bytes, limit %d",
                       size, CII_MAX_FRAME);
    Cii__Notice *notice = cii__notice__unpack (NULL, size, data);
    if (!notice)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "notice: not a valid protobuf Notice");
    if (s_wire_check_nul (data, size, &cii__notice__descriptor, err) != 0
    ||  cii_codec_validate_notice (notice, "notice", err) != 0) {
        cii__notice__free_unpacked (notice, NULL);
        return -2;
    }
    *notice_p = notice;
    return 0;
}

void
cii_codec_free_notice (Cii__Notice **notice_p)
{
    if (notice_p && *notice_p) {
        cii__notice__free_unpacked (*notice_p, NULL);
        *notice_p = NULL;
    }
}

int
cii_codec_encode_deliver (uint64_t seq, const char *kind, const uint8_t *body, size_t body_size,
                          const char *message_id, uint8_t **data_p, size_t *size_p)
{
    assert (data_p && size_p);
    *data_p = NULL;
    *size_p = 0;
    cii_codec_error_t err;
    s_error_reset (&err);
    if (!kind || strcmp (kind, "notice") != 0) {
        char buf [12];
        zsys_warning ("codec: deliver seq %" PRIu64 " not encoded: unknown item kind \"%s\"",
                      seq, s_sanitize (kind, buf));
        return -2;
    }
    Cii__Notice *notice = NULL;
    int rc = cii_codec_decode_notice (body, body_size, &notice, &err);
    if (rc == 0) {
        Cii__Deliver deliver = CII__DELIVER__INIT;
        deliver.seq = seq;
        deliver.item_case = CII__DELIVER__ITEM_NOTICE;
        deliver.notice = notice;
        Cii__Envelope env = CII__ENVELOPE__INIT;
        env.version = CII_PROTOCOL_VERSION;
        env.message_id = (char *) (message_id ? message_id : "");
        env.body_case = CII__ENVELOPE__BODY_DELIVER;
        env.deliver = &deliver;
        rc = cii_codec_encode (&env, data_p, size_p, &err);
        cii_codec_free_notice (&notice);
    }
    if (rc == -2)
        zsys_warning ("codec: deliver seq %" PRIu64 " not encoded: %s", seq, err.text);
    return rc;
}

const char *
cii_codec_body_name (const Cii__Envelope *env)
{
    if (!env)
        return "none";
    switch (env->body_case) {
        case CII__ENVELOPE__BODY__NOT_SET: return "none";
        case CII__ENVELOPE__BODY_HELLO:    return "hello";
        case CII__ENVELOPE__BODY_WELCOME:  return "welcome";
        case CII__ENVELOPE__BODY_RECEIPT:  return "receipt";
        case CII__ENVELOPE__BODY_ERROR:    return "error";
        case CII__ENVELOPE__BODY_PING:     return "ping";
        case CII__ENVELOPE__BODY_PONG:     return "pong";
        case CII__ENVELOPE__BODY_DELIVER:  return "deliver";
        case CII__ENVELOPE__BODY_ACK:      return "ack";
        case CII__ENVELOPE__BODY_SIGNAL:   return "signal";
        default:                           return "unknown";
    }
}

const char *
cii_codec_error_name (Cii__ErrorCode code)
{
    if ((int) code < 0 || (size_t) code >= sizeof (s_error_names) / sizeof (s_error_names [0]))
        return "UNKNOWN";
    return s_error_names [code];
}
