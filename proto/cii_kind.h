/*  cii_kind.h — the table of domain message kinds. A kind is a protobuf message of cii.proto that
    carries domain content: upward as an Envelope body (signal, later request, withdraw, report),
    downward as a Deliver item (notice, later status, recommendation). Control messages (HELLO,
    WELCOME, RECEIPT, ERROR, PING, PONG, DELIVER, ACK) are not kinds.

    Everything generic — the codec, the hub's upward batch and downward queue, the agent's outbox
    and inbox — finds a kind here by name or by field number and never names a kind itself. Adding
    a kind is: its message in cii.proto (a field of Envelope.body or Deliver.item), one entry in
    s_kinds (cii_kind.c) with its validation (its protocol limits), and one handler on each side.

    A kind not compiled into cii.proto can be registered at run time (tests do, to prove the
    machinery carries any kind): the codec then reads and writes it as the same field number, which
    protobuf-c keeps among the unknown fields; on the wire it is indistinguishable from a compiled
    one. */
#ifndef CII_KIND_H_INCLUDED
#define CII_KIND_H_INCLUDED

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"

typedef enum {
    CII_UP = 1,         /* agent -> hub: an Envelope body, answered by RECEIPT or ERROR */
    CII_DOWN = 2        /* hub -> agent: a Deliver item with a per-agent sequence, answered by ACK */
} cii_direction_t;

/*  Checks one item of the kind against its protocol limits. prefix names it in the reason
    ("signal", "deliver.notice"). CII_OK; CII_NOT_FOUND for an unknown canton code (answered
    UNKNOWN_CANTON on the wire); CII_BAD_INPUT for anything else (MALFORMED). */
typedef cii_rc_t (cii_kind_check_fn) (const ProtobufCMessage *item, const char *prefix, cii_err_t *err);

typedef struct {
    const char *name;                                /* "signal": in logs, tables, `kind` columns */
    cii_direction_t direction;
    uint32_t field;                                  /* field number in Envelope (UP) or Deliver (DOWN) */
    const ProtobufCMessageDescriptor *descriptor;    /* the item's message type */
    cii_kind_check_fn *check;                        /* its limits */
} cii_kind_t;

/*  The kind called name, or NULL. */
const cii_kind_t *cii_kind_find (const char *name);

/*  The kind at field number `field` of the Envelope (CII_UP) or of Deliver (CII_DOWN), or NULL. */
const cii_kind_t *cii_kind_at (cii_direction_t direction, uint32_t field);

/*  True if the kind's field is part of the compiled cii.proto (a member of the oneof), false for a
    kind registered at run time. */
bool cii_kind_compiled (const cii_kind_t *kind);

/*  Registers a kind not compiled into cii.proto (the entry is borrowed and must outlive its use).
    CII_OK, CII_CONFLICT when its name or field number is taken, CII_BAD_INPUT when the entry is
    incomplete or its field number belongs to a compiled field, CII_NO_MEMORY when the table is
    full. Not thread-safe: register before starting servers and daemons. */
cii_rc_t cii_kind_register (const cii_kind_t *kind);

/*  Removes a kind registered with cii_kind_register (tests clean up); no-op for others. */
void cii_kind_unregister (const cii_kind_t *kind);

/*  The kinds in table order (compiled first): index 0..count-1; NULL past the end. */
const cii_kind_t *cii_kind_index (size_t index);

#endif
