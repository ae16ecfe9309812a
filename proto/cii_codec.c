/*  cii_codec.c — the only code that packs and unpacks wire messages (proto/cii.proto): frame size,
    protocol version, message ids, per-body limits, UTF-8 and embedded-NUL checks, run on decode
    and on encode alike, with error texts that name the field and the limit. Domain items (kinds)
    are handled generically through cii_kind.h: by field number, descriptor and check function. */
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

static const char *s_error_names [] = {
    "UNSPECIFIED", "VERSION", "MALFORMED", "TOO_LARGE", "NOT_AUTHORISED", "UNKNOWN_CANTON",
    "NO_SESSION", "REVOKED", "BAD_ACK", "UNAVAILABLE", "SESSION_REPLACED", "UNEXPECTED",
    "CONFLICT", "UNKNOWN_REFERENCE"
};

static void
s_error_reset (cii_codec_error_t *err)
{
    err->code = CII__ERROR_CODE__ERROR_UNSPECIFIED;
    err->text [0] = '\0';
    err->message_id [0] = '\0';
    err->body = 0;
}

/*  Fills err (code + formatted one-line text) and returns CII_BAD_INPUT, so callers can
    `return s_fail (…)`. */
static cii_rc_t
s_fail (cii_codec_error_t *err, Cii__ErrorCode code, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static cii_rc_t
s_fail (cii_codec_error_t *err, Cii__ErrorCode code, const char *format, ...)
{
    err->code = code;
    va_list args;
    va_start (args, format);
    vsnprintf (err->text, sizeof (err->text), format, args);
    va_end (args);
    return CII_BAD_INPUT;
}

/*  A domain check's verdict as a codec error: CII_NOT_FOUND (an unknown canton) is UNKNOWN_CANTON,
    everything else MALFORMED. */
static cii_rc_t
s_fail_check (cii_codec_error_t *err, cii_rc_t rc, const cii_err_t *reason)
{
    return s_fail (err, rc == CII_NOT_FOUND ? CII__ERROR_CODE__ERROR_UNKNOWN_CANTON
                                            : CII__ERROR_CODE__ERROR_MALFORMED, "%s", reason->text);
}

/*  True if s is a valid message id: 1..64 bytes of printable ASCII 0x21..0x7e. */
static bool
s_id_valid (const char *s)
{
    size_t len = s ? strlen (s) : 0;
    if (len < 1 || len > CII_MAX_MESSAGE_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s [i] < 0x21 || (unsigned char) s [i] > 0x7e)
            return false;
    return true;
}

/*  Checks an id or reference field: printable ASCII, length min..max. */
static cii_rc_t
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
    return CII_OK;
}

/*  Checks a one-line text field (versions, error texts that end up in logs): length min..max bytes
    of valid UTF-8 without NUL, controls, TAB, CR or LF, so a peer cannot forge log lines. */
static cii_rc_t
s_check_line (cii_codec_error_t *err, const char *field, const char *s, size_t min, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 && min > 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", field);
    if (len > max)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: %zu bytes, limit %zu",
                       field, len, max);
    if (!cii_domain_utf8_valid (s, len))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "%s: not valid UTF-8 (or a control character)", field);
    if (!cii_domain_line_valid (s, len))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: must be one line (no TAB, CR, LF)", field);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Kinds inside containers: a oneof member of Envelope.body / Deliver.item, found generically
//  through the protobuf-c descriptors, or a kind registered at run time among the unknown fields.

/*  The registered (not compiled) kind at field number of container desc, or NULL. */
static const cii_kind_t *
s_registered_kind (const ProtobufCMessageDescriptor *desc, uint32_t number)
{
    cii_direction_t direction = desc == &cii__envelope__descriptor ? CII_UP
                              : desc == &cii__deliver__descriptor ? CII_DOWN : 0;
    if (!direction)
        return NULL;
    const cii_kind_t *kind = cii_kind_at (direction, number);
    return kind && !cii_kind_compiled (kind) ? kind : NULL;
}

/*  The member set in container's oneof, with its kind: for Envelope, the body; for Deliver, the
    item. NULL (kind NULL) when the case is not a kind's field. */
static const ProtobufCMessage *
s_member (const ProtobufCMessage *container, uint32_t field, const cii_kind_t **kind_p)
{
    *kind_p = NULL;
    cii_direction_t direction = container->descriptor == &cii__envelope__descriptor ? CII_UP : CII_DOWN;
    const cii_kind_t *kind = cii_kind_at (direction, field);
    if (!kind || !cii_kind_compiled (kind))
        return NULL;
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field (container->descriptor, field);
    if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    *kind_p = kind;
    return *(ProtobufCMessage *const *) ((const char *) container + fd->offset);
}

/*  Sets the oneof of container to item of a compiled kind (case and member). */
static void
s_member_set (ProtobufCMessage *container, const cii_kind_t *kind, const ProtobufCMessage *item)
{
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field (container->descriptor,
                                                                                  kind->field);
    assert (fd && (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF));
    *(uint32_t *) ((char *) container + fd->quantifier_offset) = kind->field;
    *(const ProtobufCMessage **) ((char *) container + fd->offset) = item;
}

/*  The last unknown field of container that holds a registered kind of its direction: its kind and
    payload (the length prefix skipped). NULL when there is none. */
static const cii_kind_t *
s_unknown_item (const ProtobufCMessage *container, const uint8_t **data_p, size_t *size_p)
{
    const cii_kind_t *found = NULL;
    for (size_t i = 0; i < container->n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *uf = &container->unknown_fields [i];
        const cii_kind_t *kind = s_registered_kind (container->descriptor, uf->tag);
        if (!kind || uf->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
            continue;
        //  protobuf-c keeps the length prefix in data
        size_t pos = 0;
        uint64_t len = 0;
        unsigned shift = 0;
        while (pos < uf->len && shift < 64) {
            uint8_t byte = uf->data [pos++];
            len |= (uint64_t) (byte & 0x7f) << shift;
            shift += 7;
            if (!(byte & 0x80))
                break;
        }
        if (len != uf->len - pos)
            continue;
        found = kind;
        *data_p = uf->data + pos;
        *size_p = uf->len - pos;
    }
    return found;
}

/*  An unknown field carrying payload as field number `field` (length-prefixed). The caller frees
    uf->data. CII_OK or CII_NO_MEMORY. */
static cii_rc_t
s_unknown_make (ProtobufCMessageUnknownField *uf, uint32_t field, const uint8_t *payload, size_t size)
{
    uint8_t prefix [10];
    size_t n = 0;
    uint64_t v = size;
    do {
        prefix [n] = (uint8_t) (v & 0x7f);
        v >>= 7;
        if (v)
            prefix [n] |= 0x80;
        n++;
    } while (v);
    uf->tag = field;
    uf->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    uf->len = n + size;
    uf->data = malloc (uf->len ? uf->len : 1);
    if (!uf->data)
        return CII_NO_MEMORY;
    memcpy (uf->data, prefix, n);
    if (size)
        memcpy (uf->data + n, payload, size);
    return CII_OK;
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
        if (!field) {
            //  A kind registered at run time travels as an unknown field of Envelope / Deliver.
            const cii_kind_t *kind = s_registered_kind (desc, number);
            if (kind) {
                int rc = s_wire_check_nul (value, value_size, kind->descriptor, err);
                if (rc)
                    return rc;
            }
            continue;               /* unknown field: tolerated */
        }
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
    in a raw frame that may not decode, and copies it to err->message_id if it is a valid id; and
    the field number of its body (the last length-delimited field from 10 on) to err->body. */
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
        if (number >= 10 && type == 2)
            err->body = number;
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


//  --------------------------------------------------------------------------------------------
//  Per-body validation

static cii_rc_t
s_validate_hello (const Cii__Hello *hello, cii_codec_error_t *err)
{
    return s_check_line (err, "hello.agent_version", hello->agent_version, 0, CII_MAX_SHORT);
}

static cii_rc_t
s_validate_welcome (const Cii__Welcome *welcome, cii_codec_error_t *err)
{
    char buf [12];
    if (!welcome->network || !*welcome->network)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.network: missing");
    if (!cii_domain_network_name_valid (welcome->network))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "welcome.network: \"%s\" is not a network name (1..32 of [a-z0-9-])",
                       cii_domain_sanitize (welcome->network, buf));
    if (welcome->n_cantons > CII_MAX_CANTONS)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.cantons: %zu entries, limit %d",
                       welcome->n_cantons, CII_MAX_CANTONS);
    if (welcome->n_cantons > 0 && !welcome->cantons)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "welcome.cantons: missing");
    for (size_t i = 0; i < welcome->n_cantons; i++) {
        if (!cii_domain_canton_valid (welcome->cantons [i]))
            return s_fail (err, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON,
                           "welcome.cantons[%zu]: unknown canton \"%s\"", i,
                           cii_domain_sanitize (welcome->cantons [i], buf));
        for (size_t j = 0; j < i; j++)
            if (strcmp (welcome->cantons [i], welcome->cantons [j]) == 0)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                               "welcome.cantons[%zu]: duplicate canton %s", i, welcome->cantons [i]);
    }
    if (welcome->heartbeat_ms < CII_HEARTBEAT_MIN_MS || welcome->heartbeat_ms > CII_HEARTBEAT_MAX_MS)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "welcome.heartbeat_ms: %" PRIu32 ", limits %d..%d", welcome->heartbeat_ms,
                       CII_HEARTBEAT_MIN_MS, CII_HEARTBEAT_MAX_MS);
    if (welcome->stream_case == CII__WELCOME__STREAM_EPOCH && welcome->resume_seq > welcome->last_seq)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED,
                       "welcome.resume_seq: %" PRIu64 " is beyond welcome.last_seq %" PRIu64, welcome->resume_seq,
                       welcome->last_seq);
    return CII_OK;
}

static cii_rc_t
s_validate_receipt (const Cii__Receipt *receipt, cii_codec_error_t *err)
{
    if (s_check_token (err, "receipt.message_id", receipt->message_id, 1, CII_MAX_MESSAGE_ID))
        return CII_BAD_INPUT;
    return s_check_token (err, "receipt.ref", receipt->ref, 1, CII_MAX_REF);
}

static cii_rc_t
s_validate_error (const Cii__Error *error, cii_codec_error_t *err)
{
    /*  UNSPECIFIED is refused too: every refusal names a specific reason. */
    if ((int) error->code <= 0
    ||  !protobuf_c_enum_descriptor_get_value (&cii__error_code__descriptor, (int) error->code))
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "error.code: unknown value %d",
                       (int) error->code);
    if (s_check_line (err, "error.text", error->text, 0, CII_MAX_ERROR_TEXT))
        return CII_BAD_INPUT;
    return s_check_token (err, "error.message_id", error->message_id, 0, CII_MAX_MESSAGE_ID);
}

/*  Checks one item with its kind's check; prefix names it ("signal", "deliver.notice"). */
static cii_rc_t
s_validate_item (const cii_kind_t *kind, const ProtobufCMessage *item, const char *prefix,
                 cii_codec_error_t *err)
{
    if (!item)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: missing", prefix);
    cii_err_t reason;
    cii_err_clear (&reason);
    cii_rc_t rc = kind->check (item, prefix, &reason);
    return rc == CII_OK ? CII_OK : s_fail_check (err, rc, &reason);
}

/*  Checks the item of a registered kind held in an unknown field: unpacks it, checks it, frees it. */
static cii_rc_t
s_validate_unknown (const cii_kind_t *kind, const uint8_t *data, size_t size, const char *prefix,
                    cii_codec_error_t *err)
{
    ProtobufCMessage *item = protobuf_c_message_unpack (kind->descriptor, NULL, size, data);
    if (!item)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: not a valid %s", prefix,
                       kind->descriptor->short_name);
    cii_rc_t rc = s_validate_item (kind, item, prefix, err);
    protobuf_c_message_free_unpacked (item, NULL);
    return rc;
}

static cii_rc_t
s_validate_deliver (const Cii__Deliver *deliver, cii_codec_error_t *err)
{
    if (deliver->seq < 1)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "deliver.seq: 0, minimum 1");
    const cii_kind_t *kind = NULL;
    const ProtobufCMessage *item = s_member (&deliver->base, (uint32_t) deliver->item_case, &kind);
    char prefix [48];
    if (kind) {
        snprintf (prefix, sizeof prefix, "deliver.%s", kind->name);
        return s_validate_item (kind, item, prefix, err);
    }
    const uint8_t *data = NULL;
    size_t size = 0;
    kind = s_unknown_item (&deliver->base, &data, &size);
    if (kind && deliver->item_case == CII__DELIVER__ITEM__NOT_SET) {
        snprintf (prefix, sizeof prefix, "deliver.%s", kind->name);
        return s_validate_unknown (kind, data, size, prefix, err);
    }
    return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "deliver has no item");
}

cii_rc_t
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
        return CII_BAD_INPUT;

    const cii_kind_t *kind = NULL;
    switch (env->body_case) {
        case CII__ENVELOPE__BODY__NOT_SET: {
            const uint8_t *data = NULL;
            size_t size = 0;
            kind = s_unknown_item (&env->base, &data, &size);
            if (kind)
                return s_validate_unknown (kind, data, size, kind->name, err);
            return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope has no body");
        }
        case CII__ENVELOPE__BODY_HELLO:
            return env->hello ? s_validate_hello (env->hello, err)
                              : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.hello: missing");
        case CII__ENVELOPE__BODY_WELCOME:
            return env->welcome ? s_validate_welcome (env->welcome, err)
                                : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.welcome: missing");
        case CII__ENVELOPE__BODY_RECEIPT:
            return env->receipt ? s_validate_receipt (env->receipt, err)
                                : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.receipt: missing");
        case CII__ENVELOPE__BODY_ERROR:
            return env->error ? s_validate_error (env->error, err)
                              : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.error: missing");
        case CII__ENVELOPE__BODY_PING:
            return env->ping ? CII_OK : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.ping: missing");
        case CII__ENVELOPE__BODY_PONG:
            if (!env->pong)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.pong: missing");
            if (env->pong->heartbeat_ms != 0
            &&  (env->pong->heartbeat_ms < CII_HEARTBEAT_MIN_MS || env->pong->heartbeat_ms > CII_HEARTBEAT_MAX_MS))
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "pong.heartbeat_ms: %" PRIu32 ", limits 0 or %d..%d",
                               env->pong->heartbeat_ms, CII_HEARTBEAT_MIN_MS, CII_HEARTBEAT_MAX_MS);
            return CII_OK;
        case CII__ENVELOPE__BODY_DELIVER:
            return env->deliver ? s_validate_deliver (env->deliver, err)
                                : s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.deliver: missing");
        case CII__ENVELOPE__BODY_ACK:
            if (!env->ack)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.ack: missing");
            if (env->ack->seq < 1)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "ack.seq: 0, minimum 1");
            return CII_OK;
        default: {
            const ProtobufCMessage *item = s_member (&env->base, (uint32_t) env->body_case, &kind);
            if (!kind)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope: unknown body case %d",
                               (int) env->body_case);
            if (!item)
                return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "envelope.%s: missing", kind->name);
            return s_validate_item (kind, item, kind->name, err);
        }
    }
}

// --------------------------------------------------------------------------------------------

cii_rc_t
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
        uint32_t body = err->body;
        if (cii_codec_validate (env, err) != CII_OK) {
            if (!err->message_id [0])
                memcpy (err->message_id, peeked, sizeof (peeked));
            err->body = body;
            goto refused;
        }
    }
    *env_p = env;
    return CII_OK;

refused:
    cii__envelope__free_unpacked (env, NULL);
    return CII_BAD_INPUT;
}

void
cii_codec_free (Cii__Envelope **env_p)
{
    if (env_p && *env_p) {
        cii__envelope__free_unpacked (*env_p, NULL);
        *env_p = NULL;
    }
}

cii_rc_t
cii_codec_encode (const Cii__Envelope *env, uint8_t **data_p, size_t *size_p, cii_codec_error_t *err)
{
    assert (data_p && size_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    *data_p = NULL;
    *size_p = 0;
    if (cii_codec_validate (env, err) != CII_OK)
        return CII_BAD_INPUT;
    size_t size = cii__envelope__get_packed_size (env);
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "envelope: %zu bytes, limit %d",
                       size, CII_MAX_FRAME);
    uint8_t *data = (uint8_t *) malloc (size ? size : 1);
    if (!data)
        return CII_NO_MEMORY;
    if (cii__envelope__pack (env, data) != size) {
        free (data);
        return CII_NO_MEMORY;
    }
    *data_p = data;
    *size_p = size;
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Domain items

const cii_kind_t *
cii_codec_kind (const Cii__Envelope *env)
{
    if (!env)
        return NULL;
    const cii_kind_t *kind = NULL;
    const uint8_t *data;
    size_t size;
    if (env->body_case == CII__ENVELOPE__BODY_DELIVER) {
        if (!env->deliver)
            return NULL;
        s_member (&env->deliver->base, (uint32_t) env->deliver->item_case, &kind);
        if (!kind && env->deliver->item_case == CII__DELIVER__ITEM__NOT_SET)
            kind = s_unknown_item (&env->deliver->base, &data, &size);
        return kind;
    }
    if (env->body_case == CII__ENVELOPE__BODY__NOT_SET)
        return s_unknown_item (&env->base, &data, &size);
    s_member (&env->base, (uint32_t) env->body_case, &kind);
    return kind;
}

const ProtobufCMessage *
cii_codec_item (const Cii__Envelope *env, ProtobufCMessage **owned_p)
{
    assert (owned_p);
    *owned_p = NULL;
    if (!env)
        return NULL;
    const ProtobufCMessage *container = &env->base;
    uint32_t field = (uint32_t) env->body_case;
    if (env->body_case == CII__ENVELOPE__BODY_DELIVER) {
        if (!env->deliver)
            return NULL;
        container = &env->deliver->base;
        field = (uint32_t) env->deliver->item_case;
    }
    const cii_kind_t *kind = NULL;
    const ProtobufCMessage *item = s_member (container, field, &kind);
    if (kind)
        return item;
    if (field != 0)
        return NULL;          //  a control message
    const uint8_t *data = NULL;
    size_t size = 0;
    kind = s_unknown_item (container, &data, &size);
    if (!kind)
        return NULL;
    *owned_p = protobuf_c_message_unpack (kind->descriptor, NULL, size, data);
    return *owned_p;
}

cii_rc_t
cii_codec_encode_up (const cii_kind_t *kind, const ProtobufCMessage *item, const char *message_id,
                     uint8_t **data_p, size_t *size_p, cii_codec_error_t *err)
{
    assert (kind && item && data_p && size_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    *data_p = NULL;
    *size_p = 0;
    if (kind->direction != CII_UP)
        return s_fail (err, CII__ERROR_CODE__ERROR_UNEXPECTED, "%s is not an upward kind", kind->name);
    Cii__Envelope env = CII__ENVELOPE__INIT;
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *) (message_id ? message_id : "");
    ProtobufCMessageUnknownField uf = { 0 };
    uint8_t *packed = NULL;
    cii_rc_t rc = CII_OK;
    if (cii_kind_compiled (kind))
        s_member_set (&env.base, kind, item);
    else {
        size_t size = protobuf_c_message_get_packed_size (item);
        if (size > CII_MAX_FRAME)
            return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "%s: %zu bytes, limit %d", kind->name, size,
                           CII_MAX_FRAME);
        packed = malloc (size ? size : 1);
        if (!packed)
            return CII_NO_MEMORY;
        protobuf_c_message_pack (item, packed);
        rc = s_unknown_make (&uf, kind->field, packed, size);
        env.base.n_unknown_fields = 1;
        env.base.unknown_fields = &uf;
    }
    if (rc == CII_OK)
        rc = cii_codec_encode (&env, data_p, size_p, err);
    free (uf.data);
    free (packed);
    return rc;
}

cii_rc_t
cii_codec_item_pack (const cii_kind_t *kind, const ProtobufCMessage *item, uint8_t **data_p, size_t *size_p,
                     cii_codec_error_t *err)
{
    assert (kind && data_p && size_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    *data_p = NULL;
    *size_p = 0;
    if (s_validate_item (kind, item, kind->name, err) != CII_OK)
        return CII_BAD_INPUT;
    size_t size = protobuf_c_message_get_packed_size (item);
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "%s: %zu bytes, limit %d", kind->name, size,
                       CII_MAX_FRAME);
    uint8_t *data = malloc (size ? size : 1);
    if (!data)
        return CII_NO_MEMORY;
    if (protobuf_c_message_pack (item, data) != size) {
        free (data);
        return CII_NO_MEMORY;
    }
    *data_p = data;
    *size_p = size;
    return CII_OK;
}

cii_rc_t
cii_codec_item_unpack (const cii_kind_t *kind, const uint8_t *data, size_t size, ProtobufCMessage **item_p,
                       cii_codec_error_t *err)
{
    assert (kind && item_p);
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    *item_p = NULL;
    if (!data || size == 0)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: empty", kind->name);
    if (size > CII_MAX_FRAME)
        return s_fail (err, CII__ERROR_CODE__ERROR_TOO_LARGE, "%s: %zu bytes, limit %d", kind->name, size,
                       CII_MAX_FRAME);
    ProtobufCMessage *item = protobuf_c_message_unpack (kind->descriptor, NULL, size, data);
    if (!item)
        return s_fail (err, CII__ERROR_CODE__ERROR_MALFORMED, "%s: not a valid protobuf %s", kind->name,
                       kind->descriptor->short_name);
    if (s_wire_check_nul (data, size, kind->descriptor, err) != 0
    ||  s_validate_item (kind, item, kind->name, err) != CII_OK) {
        protobuf_c_message_free_unpacked (item, NULL);
        return CII_BAD_INPUT;
    }
    *item_p = item;
    return CII_OK;
}

void
cii_codec_item_free (ProtobufCMessage **item_p)
{
    if (item_p && *item_p) {
        protobuf_c_message_free_unpacked (*item_p, NULL);
        *item_p = NULL;
    }
}

cii_rc_t
cii_codec_encode_deliver (uint64_t seq, const char *kind_name, const uint8_t *body, size_t body_size,
                          const char *message_id, uint8_t **data_p, size_t *size_p)
{
    assert (data_p && size_p);
    *data_p = NULL;
    *size_p = 0;
    cii_codec_error_t err;
    s_error_reset (&err);
    const cii_kind_t *kind = cii_kind_find (kind_name);
    if (!kind || kind->direction != CII_DOWN) {
        char buf [12];
        zsys_warning ("codec: deliver seq %" PRIu64 " not encoded: unknown item kind \"%s\"",
                      seq, cii_domain_sanitize (kind_name, buf));
        return CII_BAD_INPUT;
    }
    ProtobufCMessage *item = NULL;
    cii_rc_t rc = cii_codec_item_unpack (kind, body, body_size, &item, &err);
    if (rc == CII_OK) {
        Cii__Deliver deliver = CII__DELIVER__INIT;
        deliver.seq = seq;
        ProtobufCMessageUnknownField uf = { 0 };
        if (cii_kind_compiled (kind))
            s_member_set (&deliver.base, kind, item);
        else {
            rc = s_unknown_make (&uf, kind->field, body, body_size);
            deliver.base.n_unknown_fields = 1;
            deliver.base.unknown_fields = &uf;
        }
        Cii__Envelope env = CII__ENVELOPE__INIT;
        env.version = CII_PROTOCOL_VERSION;
        env.message_id = (char *) (message_id ? message_id : "");
        env.body_case = CII__ENVELOPE__BODY_DELIVER;
        env.deliver = &deliver;
        if (rc == CII_OK)
            rc = cii_codec_encode (&env, data_p, size_p, &err);
        free (uf.data);
        cii_codec_item_free (&item);
    }
    if (rc == CII_BAD_INPUT)
        zsys_warning ("codec: deliver seq %" PRIu64 " not encoded: %s", seq, err.text);
    return rc;
}

cii_rc_t
cii_codec_validate_signal (const Cii__Signal *signal, const char *prefix, cii_codec_error_t *err)
{
    cii_codec_error_t local;
    if (!err)
        err = &local;
    s_error_reset (err);
    return s_validate_item (cii_kind_find ("signal"), signal ? &signal->base : NULL, prefix ? prefix : "signal",
                            err);
}

const char *
cii_codec_body_name (const Cii__Envelope *env)
{
    if (!env)
        return "none";
    switch (env->body_case) {
        case CII__ENVELOPE__BODY__NOT_SET: {
            const cii_kind_t *kind = cii_codec_kind (env);
            return kind ? kind->name : "none";
        }
        case CII__ENVELOPE__BODY_HELLO:    return "hello";
        case CII__ENVELOPE__BODY_WELCOME:  return "welcome";
        case CII__ENVELOPE__BODY_RECEIPT:  return "receipt";
        case CII__ENVELOPE__BODY_ERROR:    return "error";
        case CII__ENVELOPE__BODY_PING:     return "ping";
        case CII__ENVELOPE__BODY_PONG:     return "pong";
        case CII__ENVELOPE__BODY_DELIVER:  return "deliver";
        case CII__ENVELOPE__BODY_ACK:      return "ack";
        default: {
            const cii_kind_t *kind = cii_codec_kind (env);
            return kind ? kind->name : "unknown";
        }
    }
}

const char *
cii_codec_error_name (Cii__ErrorCode code)
{
    if ((int) code < 0 || (size_t) code >= sizeof (s_error_names) / sizeof (s_error_names [0]))
        return "UNKNOWN";
    return s_error_names [code];
}
