/*  cii_codec.h — the only code that packs and unpacks wire messages (proto/cii.proto).
    Decoding checks the protocol version and every limit of docs/protocol.md §5 (frame size,
    string lengths, UTF-8, list lengths, enum values, required fields per message kind).
    Encoding runs the same checks, so we never send what a peer must refuse. */
#ifndef CII_CODEC_H_INCLUDED
#define CII_CODEC_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include "cii.pb-c.h"

#define CII_PROTOCOL_VERSION   1
#define CII_MAX_FRAME          65536   /* bytes of one packed Envelope */
#define CII_MAX_MESSAGE_ID     64      /* bytes, printable ASCII 0x21..0x7e */
#define CII_MAX_TITLE          200     /* bytes of UTF-8 */
#define CII_MAX_TEXT           8000    /* bytes of UTF-8: signal description, notice text */
#define CII_MAX_REASON         4000    /* bytes of UTF-8: signal national_reason */
#define CII_MAX_SHORT          64      /* bytes: agent_version, network names, error-free ids */
#define CII_MAX_ERROR_TEXT     400     /* bytes of UTF-8 */
#define CII_MAX_CANTONS        26      /* entries in Welcome.cantons */
#define CII_MAX_NETWORKS       64      /* entries in Notice.networks */
#define CII_MAX_TIME_MS        253402300799999LL   /* 9999-12-31T23:59:59.999Z: latest time field */

/*  Why a decode failed, for the ERROR reply: code is a CII__ERROR_CODE__* value and text one
    line naming the field and the limit, e.g. "signal.title: 213 bytes, limit 200". */
typedef struct {
    Cii__ErrorCode code;
    char text[160];
    char message_id[CII_MAX_MESSAGE_ID + 1];   /* the message id, when it could be read */
} cii_codec_error_t;

/*  Decodes one frame. On success returns 0 and *env_p owns a new Envelope (free it with
    cii_codec_free). Returns -2 for malformed or out-of-limit input (err filled, *env_p NULL),
    -1 on allocation failure. Never asserts on input. err->code is TOO_LARGE (frame over
    CII_MAX_FRAME), VERSION (version != CII_PROTOCOL_VERSION), UNKNOWN_CANTON (a canton that is not
    one of the 26 codes) or MALFORMED (anything else, including a NUL byte inside a string on the
    wire); err->message_id holds the frame's message id whenever it could be read intact, even when
    the frame does not decode. Unknown fields are tolerated (kept, and packed again on encode). */
int cii_codec_decode (const uint8_t *data, size_t size, Cii__Envelope **env_p, cii_codec_error_t *err);

/*  Frees an envelope returned by cii_codec_decode; sets *env_p to NULL; safe on NULL. */
void cii_codec_free (Cii__Envelope **env_p);

/*  Checks an envelope against the protocol limits without packing it. 0 ok, -2 invalid (err
    filled). cii_codec_decode calls this after unpacking. */
int cii_codec_validate (const Cii__Envelope *env, cii_codec_error_t *err);

/*  Validates and packs env into a new buffer of *size_p bytes; the caller frees *data_p with
    free(). Returns 0, -2 if env breaks a limit (err filled when not NULL), -1 on allocation
    failure. env->version is used as given (callers set CII_PROTOCOL_VERSION). */
int cii_codec_encode (const Cii__Envelope *env, uint8_t **data_p, size_t *size_p, cii_codec_error_t *err);

/*  Packs a Deliver envelope for a stored downward item: kind names the Deliver.item case
    ("notice"), body is that item's own packed message (e.g. a packed cii.Notice) as stored by the
    hub. Returns 0 and a new buffer as cii_codec_encode, -2 if kind is unknown or body malformed
    (the reason is logged with zsys_warning). */
int cii_codec_encode_deliver (uint64_t seq, const char *kind, const uint8_t *body, size_t body_size,
                              const char *message_id, uint8_t **data_p, size_t *size_p);

/*  Packs one Notice on its own (the stored form of a downward notice), after the same checks as
    a delivered notice. Same return values (a -2 reason is logged with zsys_warning). */
int cii_codec_encode_notice (const Cii__Notice *notice, uint8_t **data_p, size_t *size_p);

/*  Checks one Signal / one Notice against the limits of the protocol on its own (e.g. before an
    agent stores a new signal, or the hub a new notice). prefix names the message in err->text
    ("signal", "notice"; NULL for those defaults). 0 ok, -2 invalid (err filled when not NULL).
    A signal canton that is not one of the 26 codes gives CII__ERROR_CODE__ERROR_UNKNOWN_CANTON;
    every other violation CII__ERROR_CODE__ERROR_MALFORMED. */
int cii_codec_validate_signal (const Cii__Signal *signal, const char *prefix, cii_codec_error_t *err);
int cii_codec_validate_notice (const Cii__Notice *notice, const char *prefix, cii_codec_error_t *err);

/*  Decodes one stored Notice (the form cii_codec_encode_notice writes) with the same checks as
    cii_codec_decode (limits, UTF-8, embedded NUL). 0 and *notice_p owns a new Notice (free with
    cii_codec_free_notice), -2 if malformed (err filled when not NULL). */
int cii_codec_decode_notice (const uint8_t *data, size_t size, Cii__Notice **notice_p,
                             cii_codec_error_t *err);

/*  Frees a notice returned by cii_codec_decode_notice; sets *notice_p to NULL; safe on NULL. */
void cii_codec_free_notice (Cii__Notice **notice_p);

/*  Returns the name of a body case ("hello", "signal", ...) for logs; "none" when unset. */
const char *cii_codec_body_name (const Cii__Envelope *env);

/*  Returns the symbolic name of an error code ("MALFORMED", "NOT_AUTHORISED", ...). */
const char *cii_codec_error_name (Cii__ErrorCode code);

#endif
