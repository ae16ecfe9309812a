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

/*  Requests: a view of a wire request (strings and lists borrowed; lists longer than the domain
    allows are kept by count, as for signals), and a wire request filled from a domain one. */
void cii_wire_request_view (const Cii__Request *wire, cii_request_t *out);

typedef struct {
    Cii__Request msg;
    Cii__Institution institutions [CII_MAX_INSTITUTIONS];
    Cii__TargetGroup target_groups [CII_MAX_TARGET_GROUPS];
    Cii__Objective objectives [CII_MAX_OBJECTIVES];
    Cii__Priority priorities [CII_MAX_PRIORITIES];
} cii_wire_request_t;

void cii_wire_request_fill (cii_wire_request_t *out, const cii_request_t *request);

/*  Withdrawals. */
void cii_wire_withdraw_view (const Cii__Withdraw *wire, cii_withdraw_t *out);
void cii_wire_withdraw_fill (Cii__Withdraw *out, const cii_withdraw_t *withdraw);

/*  Statuses: the view borrows; criteria[CII_MAX_CRITERIA] receives the criteria it points to. */
void cii_wire_status_view (const Cii__Status *wire, cii_status_t *out, cii_criterion_t criteria [CII_MAX_CRITERIA]);

/*  Packs a request / a withdrawal as an upward Envelope with message_id (kinds "request",
    "withdraw"), and a status as the stored form of a downward item of kind "status", each checked
    by the codec. Results as cii_wire_notice_pack. */
cii_rc_t cii_wire_request_envelope (const cii_request_t *request, const char *message_id, uint8_t **data_p,
                                    size_t *size_p, cii_err_t *err);
cii_rc_t cii_wire_withdraw_envelope (const cii_withdraw_t *withdraw, const char *message_id, uint8_t **data_p,
                                     size_t *size_p, cii_err_t *err);
cii_rc_t cii_wire_status_pack (const cii_status_t *status, uint8_t **data_p, size_t *size_p, cii_err_t *err);

/*  Recommendations (downward kind "recommendation"): a view (strings and lists borrowed; more
    translations than the domain allows are kept by count with the first four copied), and the
    stored form of a downward item, checked by the codec (results as cii_wire_notice_pack). */
void cii_wire_recommendation_view (const Cii__Recommendation *wire, cii_recommendation_t *out);
cii_rc_t cii_wire_recommendation_pack (const cii_recommendation_t *rec, uint8_t **data_p, size_t *size_p,
                                       cii_err_t *err);

/*  Pushes and reports (upward kinds "push" and "report"): views, and upward Envelopes with
    message_id, checked by the codec. */
void cii_wire_push_view (const Cii__PushState *wire, cii_push_t *out);
cii_rc_t cii_wire_push_envelope (const cii_push_t *push, const char *message_id, uint8_t **data_p, size_t *size_p,
                                 cii_err_t *err);
void cii_wire_report_view (const Cii__Report *wire, cii_report_t *out);
cii_rc_t cii_wire_report_envelope (const cii_report_t *report, const char *message_id, uint8_t **data_p,
                                   size_t *size_p, cii_err_t *err);

/*  Packs a notice as the stored form of a downward item of kind "notice" (checked against the
    protocol limits by the codec): a new buffer *data_p of *size_p bytes (caller frees). CII_OK,
    CII_BAD_INPUT (err says which limit), CII_NO_MEMORY. */
cii_rc_t cii_wire_notice_pack (const cii_notice_t *notice, uint8_t **data_p, size_t *size_p, cii_err_t *err);

/*  Packs a signal as an upward Envelope with message_id (kind "signal"), checked by the codec:
    the frame an agent keeps in its outbox. Same results as cii_wire_notice_pack. */
cii_rc_t cii_wire_signal_envelope (const cii_signal_t *signal, const char *message_id, uint8_t **data_p,
                                   size_t *size_p, cii_err_t *err);

#endif
