/*  cii_kind.c — the table of domain message kinds (see cii_kind.h): the kinds compiled into
    cii.proto with their protocol limits, and room for kinds registered at run time. */
#include "cii_kind.h"
#include "cii.pb-c.h"
#include "cii_domain.h"
#include "cii_wire.h"

#include <assert.h>
#include <string.h>

#define S_MAX_KINDS 32

static cii_rc_t
s_check_signal (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    const Cii__Signal *wire = (const Cii__Signal *) item;
    //  The canton first, named as it came (the view keeps only two-byte codes).
    if (!wire->canton || !*wire->canton)
        return cii_err_set (err, CII_BAD_INPUT, "%s.canton: missing", prefix);
    if (!cii_domain_canton_valid (wire->canton)) {
        char shown [12];
        return cii_err_set (err, CII_NOT_FOUND, "%s.canton: unknown canton \"%s\"", prefix,
                            cii_domain_sanitize (wire->canton, shown));
    }
    cii_signal_t signal;
    cii_wire_signal_view (wire, &signal);
    return cii_signal_check (&signal, prefix, err);
}

static cii_rc_t
s_check_notice (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    cii_notice_t notice;
    cii_wire_notice_view ((const Cii__Notice *) item, &notice);
    return cii_notice_check (&notice, prefix, err);
}

static cii_rc_t
s_check_request (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    cii_request_t request;
    cii_wire_request_view ((const Cii__Request *) item, &request);
    return cii_request_check (&request, prefix, err);
}

static cii_rc_t
s_check_withdraw (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    cii_withdraw_t withdraw;
    cii_wire_withdraw_view ((const Cii__Withdraw *) item, &withdraw);
    return cii_withdraw_check (&withdraw, prefix, err);
}

static cii_rc_t
s_check_status (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    const Cii__Status *wire = (const Cii__Status *) item;
    if (wire->n_criteria > CII_MAX_CRITERIA)
        return cii_err_set (err, CII_BAD_INPUT, "%s.criteria: %zu entries, limit %d", prefix, wire->n_criteria,
                            CII_MAX_CRITERIA);
    for (size_t i = 0; i < wire->n_criteria; i++)
        if (!wire->criteria || !wire->criteria [i])
            return cii_err_set (err, CII_BAD_INPUT, "%s.criteria[%zu]: missing", prefix, i);
    cii_status_t status;
    cii_criterion_t criteria [CII_MAX_CRITERIA];
    cii_wire_status_view (wire, &status, criteria);
    return cii_status_check (&status, prefix, err);
}

static cii_rc_t
s_check_recommendation (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    const Cii__Recommendation *wire = (const Cii__Recommendation *) item;
    for (size_t i = 0; i < wire->n_translations; i++)
        if (!wire->translations || !wire->translations [i])
            return cii_err_set (err, CII_BAD_INPUT, "%s.translations[%zu]: missing", prefix, i);
    cii_recommendation_t rec;
    cii_wire_recommendation_view (wire, &rec);
    return cii_recommendation_check (&rec, prefix, err);
}

static cii_rc_t
s_check_push (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    cii_push_t push;
    cii_wire_push_view ((const Cii__PushState *) item, &push);
    return cii_push_check (&push, prefix, err);
}

static cii_rc_t
s_check_report (const ProtobufCMessage *item, const char *prefix, cii_err_t *err)
{
    cii_report_t report;
    cii_wire_report_view ((const Cii__Report *) item, &report);
    return cii_report_check (&report, prefix, err);
}

//  Compiled kinds: their field numbers are those of cii.proto (Envelope.body / Deliver.item).
static const cii_kind_t s_compiled [] = {
    { "signal", CII_UP, 20, &cii__signal__descriptor, s_check_signal },
    { "request", CII_UP, 21, &cii__request__descriptor, s_check_request },
    { "withdraw", CII_UP, 22, &cii__withdraw__descriptor, s_check_withdraw },
    { "push", CII_UP, 23, &cii__push_state__descriptor, s_check_push },
    { "report", CII_UP, 24, &cii__report__descriptor, s_check_report },
    { "notice", CII_DOWN, 10, &cii__notice__descriptor, s_check_notice },
    { "status", CII_DOWN, 11, &cii__status__descriptor, s_check_status },
    { "recommendation", CII_DOWN, 12, &cii__recommendation__descriptor, s_check_recommendation },
};
#define S_COMPILED (sizeof s_compiled / sizeof s_compiled [0])

static const cii_kind_t *s_registered [S_MAX_KINDS];
static size_t s_registered_count;

const cii_kind_t *
cii_kind_index (size_t index)
{
    if (index < S_COMPILED)
        return &s_compiled [index];
    index -= S_COMPILED;
    return index < s_registered_count ? s_registered [index] : NULL;
}

const cii_kind_t *
cii_kind_find (const char *name)
{
    if (!name)
        return NULL;
    const cii_kind_t *kind;
    for (size_t i = 0; (kind = cii_kind_index (i)) != NULL; i++)
        if (strcmp (kind->name, name) == 0)
            return kind;
    return NULL;
}

const cii_kind_t *
cii_kind_at (cii_direction_t direction, uint32_t field)
{
    const cii_kind_t *kind;
    for (size_t i = 0; (kind = cii_kind_index (i)) != NULL; i++)
        if (kind->direction == direction && kind->field == field)
            return kind;
    return NULL;
}

bool
cii_kind_compiled (const cii_kind_t *kind)
{
    for (size_t i = 0; i < S_COMPILED; i++)
        if (kind == &s_compiled [i])
            return true;
    return false;
}

cii_rc_t
cii_kind_register (const cii_kind_t *kind)
{
    assert (kind);
    if (!kind->name || !*kind->name || !kind->descriptor || !kind->check || kind->field == 0
    ||  (kind->direction != CII_UP && kind->direction != CII_DOWN))
        return CII_BAD_INPUT;
    const ProtobufCMessageDescriptor *container = kind->direction == CII_UP ? &cii__envelope__descriptor
                                                                            : &cii__deliver__descriptor;
    if (protobuf_c_message_descriptor_get_field (container, (unsigned) kind->field))
        return CII_BAD_INPUT;         //  a compiled field: it would be decoded as that one
    if (cii_kind_find (kind->name) || cii_kind_at (kind->direction, kind->field))
        return CII_CONFLICT;
    if (s_registered_count == S_MAX_KINDS)
        return CII_NO_MEMORY;
    s_registered [s_registered_count++] = kind;
    return CII_OK;
}

void
cii_kind_unregister (const cii_kind_t *kind)
{
    for (size_t i = 0; i < s_registered_count; i++)
        if (s_registered [i] == kind) {
            memmove (&s_registered [i], &s_registered [i + 1], (s_registered_count - i - 1) * sizeof kind);
            s_registered_count--;
            return;
        }
}
