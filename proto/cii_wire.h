/*  cii_wire.h — conversion between the protobuf messages of cii.proto that carry domain content
    and the domain structs of cii_domain.h, so that protobuf types stay in proto/ and in the code
    that speaks the wire, and the service layers see only domain structs. Views borrow every
    string from their source; nothing here allocates. */
#ifndef CII_WIRE_H_INCLUDED
#define CII_WIRE_H_INCLUDED

#include "cii.pb-c.h"
#include "cii_domain.h"

/*  Fills *out from a wire signal: strings borrowed, the canton copied when it has exactly two
    bytes (else out->canton is "" or "??" so that cii_signal_check refuses it). Lists longer than
    the domain allows are kept by count (n_institutions > CII_MAX_INSTITUTIONS) with only the first
    entries copied, so the check reports the count. */
void cii_wire_signal_view (const Cii__Signal *wire, cii_signal_t *out);

/*  A wire signal filled from a domain signal, with room for its lists. Strings are borrowed
    from the domain signal. */
typedef struct {
    Cii__Signal msg;
    Cii__Institution institutions [CII_MAX_INSTITUTIONS];
    Cii__TargetGroup target_groups [CII_MAX_TARGET_GROUPS];
} cii_wire_signal_t;

void cii_wire_signal_fill (cii_wire_signal_t *out, const cii_signal_t *signal);

/*  The same for notices. */
void cii_wire_notice_view (const Cii__Notice *wire, cii_notice_t *out);
void cii_wire_notice_fill (Cii__Notice *out, const cii_notice_t *notice);

#endif
