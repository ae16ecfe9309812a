/*  cii_codec.h — the only code that packs and unpacks wire messages (proto/cii.proto).
    Decoding checks the protocol version and every limit of docs/protocol.md §5 (frame size,
    string lengths, UTF-8, list lengths, enum values, required fields per message kind), the
    domain kinds (cii_kind.h) by their own checks. Encoding runs the same checks, so we never send
    what a peer must refuse. Every function returns a cii_rc_t: CII_OK, CII_BAD_INPUT (refused:
    err says why, with the wire error code to answer), or CII_NO_MEMORY. */
#ifndef CII_CODEC_H_INCLUDED
#define CII_CODEC_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "cii.pb-c.h"
#include "cii_domain.h"
#include "cii_kind.h"
#include "cii_rc.h"

#define CII_PROTOCOL_VERSION   1
#define CII_MAX_FRAME          65536   /* bytes of one packed Envelope */
#define CII_MAX_MESSAGE_ID     64      /* bytes, printable ASCII 0x21..0x7e */
#define CII_MAX_REF            31      /* bytes of Receipt.ref, printable ASCII */
#define CII_MAX_SHORT          64      /* bytes: agent_version */
#define CII_MAX_ERROR_TEXT     400     /* bytes of UTF-8 */
#define CII_MAX_CANTONS        26      /* entries in Welcome.cantons */
#define CII_HEARTBEAT_MIN_MS   100     /* Welcome.heartbeat_ms bounds */
#define CII_HEARTBEAT_MAX_MS   600000

/*  Why a decode failed, for the ERROR reply: code is a CII__ERROR_CODE__* value and text one
    line naming the field and the limit, e.g. "signal.title: 213 bytes, limit 200". */
typedef struct {
    Cii__ErrorCode code;
    char text [CII_MAX_ERROR_TEXT + 1];
    char message_id [CII_MAX_MESSAGE_ID + 1];   /* the message id, when it could be read */
    uint32_t body;                              /* the Envelope body's field number, when it could
                                                   be read (13 = ERROR: never answer one), else 0 */
} cii_codec_error_t;

/*  Decodes one frame. CII_OK and *env_p owns a new Envelope (free it with cii_codec_free), or
    CII_BAD_INPUT (err filled, *env_p NULL): err->code is TOO_LARGE (frame over CII_MAX_FRAME),
    VERSION (version != CII_PROTOCOL_VERSION), UNKNOWN_CANTON (a canton that is not one of the 26)
    or MALFORMED (anything else, including a NUL byte inside a string on the wire); err->message_id
    holds the frame's message id whenever it could be read intact, even when the frame does not
    decode. Unknown fields are tolerated (kept, and packed again on encode). Of two bodies in one
    Envelope (or two items in one Deliver) the last one counts, as protobuf says for a oneof. Never
    asserts on input. */
cii_rc_t cii_codec_decode (const uint8_t *data, size_t size, Cii__Envelope **env_p, cii_codec_error_t *err);

/*  Frees an envelope returned by cii_codec_decode; sets *env_p to NULL; safe on NULL. */
void cii_codec_free (Cii__Envelope **env_p);

/*  Checks an envelope against the protocol limits without packing it (CII_OK or CII_BAD_INPUT).
    cii_codec_decode calls this after unpacking. */
cii_rc_t cii_codec_validate (const Cii__Envelope *env, cii_codec_error_t *err);

/*  Validates and packs env into a new buffer of *size_p bytes; the caller frees *data_p with
    free(). env->version is used as given (callers set CII_PROTOCOL_VERSION). */
cii_rc_t cii_codec_encode (const Cii__Envelope *env, uint8_t **data_p, size_t *size_p, cii_codec_error_t *err);

/*  --- domain items (cii_kind.h) ------------------------------------------------------------- */

/*  The kind of the domain item env carries: its body for an upward kind, its Deliver item for a
    DELIVER; NULL for control messages (and for an unknown field number). */
const cii_kind_t *cii_codec_kind (const Cii__Envelope *env);

/*  The domain item env carries (see cii_codec_kind). For a kind compiled into cii.proto it is
    borrowed from env; for a kind registered at run time it is unpacked into *owned_p (free it with
    cii_codec_item_free; *owned_p is NULL otherwise). NULL when env carries no item or out of
    memory. env must come from cii_codec_decode (so the item was checked). */
const ProtobufCMessage *cii_codec_item (const Cii__Envelope *env, ProtobufCMessage **owned_p);

/*  Packs an Envelope carrying item as the body of upward kind (validated like any frame). */
cii_rc_t cii_codec_encode_up (const cii_kind_t *kind, const ProtobufCMessage *item, const char *message_id,
                              uint8_t **data_p, size_t *size_p, cii_codec_error_t *err);

/*  Packs a Deliver envelope for a stored downward item: kind names the item's kind ("notice"),
    body is the item's own packed message as stored (cii_codec_item_pack). Checks the item first.
    CII_BAD_INPUT for an unknown kind or a malformed body (reason logged with zsys_warning). */
cii_rc_t cii_codec_encode_deliver (uint64_t seq, const char *kind, const uint8_t *body, size_t body_size,
                                   const char *message_id, uint8_t **data_p, size_t *size_p);

/*  Checks item against its kind's limits and packs it on its own (the stored form of an item):
    a new buffer of *size_p bytes in *data_p (caller frees with free()). */
cii_rc_t cii_codec_item_pack (const cii_kind_t *kind, const ProtobufCMessage *item, uint8_t **data_p,
                              size_t *size_p, cii_codec_error_t *err);

/*  Decodes one stored item of kind (the form cii_codec_item_pack writes) with the same checks as
    cii_codec_decode (limits, UTF-8, embedded NUL). CII_OK and *item_p owns a new message (free with
    cii_codec_item_free), or CII_BAD_INPUT (err filled when not NULL). */
cii_rc_t cii_codec_item_unpack (const cii_kind_t *kind, const uint8_t *data, size_t size,
                                ProtobufCMessage **item_p, cii_codec_error_t *err);

/*  Frees an item returned by cii_codec_item or cii_codec_item_unpack; sets *item_p to NULL; safe
    on NULL. */
void cii_codec_item_free (ProtobufCMessage **item_p);

/*  Checks one Signal against the protocol limits on its own (kind "signal"). prefix names it in
    err->text ("signal" when NULL). UNKNOWN_CANTON for a canton that is not one of the 26,
    MALFORMED for every other violation. */
cii_rc_t cii_codec_validate_signal (const Cii__Signal *signal, const char *prefix, cii_codec_error_t *err);

/*  Returns the name of a body case ("hello", "signal", ...) for logs; "none" when unset. */
const char *cii_codec_body_name (const Cii__Envelope *env);

/*  Returns the symbolic name of an error code ("MALFORMED", "NOT_AUTHORISED", ...). */
const char *cii_codec_error_name (Cii__ErrorCode code);

#endif
