/*  agent_kinds.c — the agent's handlers of domain message kinds and their dispatch (see
    agent_kinds.h): the compiled kinds' handlers (notice and status down; signal, request and
    withdraw up) in two small tables,
    room for kinds registered at run time, and the generic DELIVER / RECEIPT / ERROR paths. */
#include "agent_kinds.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <string.h>

#include "agent_reports.h"
#include "agent_push.h"
#include "agent_requests.h"
#include "agent_store_inbox.h"
#include "agent_store_notices.h"
#include "agent_store_outbox.h"
#include "agent_store_signals.h"
#include "cii_codec.h"
#include "cii_wire.h"

#define S_MAX_REGISTERED 16           //  handlers registered at run time, per direction

//  --------------------------------------------------------------------------------------------
//  Downward: notice

static cii_rc_t
s_store_notice (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err)
{
    cii_notice_t notice;
    cii_wire_notice_view ((const Cii__Notice *) item, &notice);
    cii_rc_t rc = agent_store_notice_add (store, seq, &notice, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: notice %" PRId64 " received (seq %" PRId64 "): %s", agent_store_label (store),
                   notice.id, seq, notice.title);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Downward: status (a request changed state at the national level)

static cii_rc_t
s_store_status (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err)
{
    cii_status_t status;
    cii_criterion_t criteria [CII_MAX_CRITERIA];
    cii_wire_status_view ((const Cii__Status *) item, &status, criteria);
    return agent_requests_on_status (store, seq, &status, err);
}

//  --------------------------------------------------------------------------------------------
//  Downward: recommendation (stored, and one push queued per addressed canton of this network)

static cii_rc_t
s_store_recommendation (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err)
{
    cii_recommendation_t rec;
    cii_wire_recommendation_view ((const Cii__Recommendation *) item, &rec);
    return agent_push_on_recommendation (store, seq, &rec, err);
}

//  --------------------------------------------------------------------------------------------
//  Upward: what a RECEIPT or a final ERROR changes. Most kinds' store or service functions have
//  the handlers' shape and stand in the table themselves: a signal's and a push's row, a request
//  (its receipt carries the national reference), a report (receipt ref "RPT-<id>"). These two add
//  something:

//  A WITHDRAW's receipt carries no reference of its own.
static cii_rc_t
s_withdraw_delivered (agent_store_t *store, int64_t ref_id, const char *hub_ref, int64_t hub_received_at_ms,
                      cii_err_t *err)
{
    (void) hub_ref;
    return agent_requests_on_withdraw_receipt (store, ref_id, hub_received_at_ms, err);
}

//  A PUSH the hub refused is logged too (the push keeps the state it ended in).
static cii_rc_t
s_push_refused (agent_store_t *store, int64_t ref_id, int code, const char *text, cii_err_t *err)
{
    zsys_warning ("agent %s: the hub refused the state of push %" PRId64 " (code %d): %s", agent_store_label (store),
                  ref_id, code, text ? text : "");
    return agent_store_push_refused (store, ref_id, code, text, err);
}

//  --------------------------------------------------------------------------------------------
//  The tables: one entry per compiled kind, then those registered at run time

static const agent_down_handler_t s_down [] = {
    { "notice", s_store_notice },
    { "status", s_store_status },
    { "recommendation", s_store_recommendation },
};

static const agent_up_handler_t s_up [] = {
    { "signal", agent_store_signal_delivered, agent_store_signal_refused },
    { "request", agent_requests_on_receipt, agent_requests_on_refusal },
    { "withdraw", s_withdraw_delivered, agent_requests_on_withdraw_refusal },
    { "push", agent_store_push_delivered, s_push_refused },
    { "report", agent_reports_on_receipt, agent_reports_on_refusal },
};

static const agent_down_handler_t *s_down_registered [S_MAX_REGISTERED];
static size_t s_down_count;
static const agent_up_handler_t *s_up_registered [S_MAX_REGISTERED];
static size_t s_up_count;

#define S_COUNT(a) (sizeof (a) / sizeof ((a) [0]))

const agent_down_handler_t *
agent_kinds_down (const char *kind)
{
    for (size_t i = 0; kind && i < S_COUNT (s_down); i++)
        if (strcmp (s_down [i].kind, kind) == 0)
            return &s_down [i];
    for (size_t i = 0; kind && i < s_down_count; i++)
        if (strcmp (s_down_registered [i]->kind, kind) == 0)
            return s_down_registered [i];
    return NULL;
}

const agent_up_handler_t *
agent_kinds_up (const char *kind)
{
    for (size_t i = 0; kind && i < S_COUNT (s_up); i++)
        if (strcmp (s_up [i].kind, kind) == 0)
            return &s_up [i];
    for (size_t i = 0; kind && i < s_up_count; i++)
        if (strcmp (s_up_registered [i]->kind, kind) == 0)
            return s_up_registered [i];
    return NULL;
}

//  Checks a registration: a known kind of that direction, not handled yet, room left.
static cii_rc_t
s_register_check (const char *kind, cii_direction_t direction, bool taken, size_t count)
{
    const cii_kind_t *known = cii_kind_find (kind);
    if (!known || known->direction != direction)
        return CII_BAD_INPUT;
    if (taken)
        return CII_CONFLICT;
    return count < S_MAX_REGISTERED ? CII_OK : CII_NO_MEMORY;
}

cii_rc_t
agent_kinds_register_down (const agent_down_handler_t *handler)
{
    assert (handler && handler->kind);
    cii_rc_t rc = s_register_check (handler->kind, CII_DOWN, agent_kinds_down (handler->kind) != NULL, s_down_count);
    if (rc == CII_OK)
        s_down_registered [s_down_count++] = handler;
    return rc;
}

cii_rc_t
agent_kinds_register_up (const agent_up_handler_t *handler)
{
    assert (handler && handler->kind);
    cii_rc_t rc = s_register_check (handler->kind, CII_UP, agent_kinds_up (handler->kind) != NULL, s_up_count);
    if (rc == CII_OK)
        s_up_registered [s_up_count++] = handler;
    return rc;
}

//  Removes entry from a table of registered pointers.
static void
s_unregister (const void **table, size_t *count, const void *entry)
{
    for (size_t i = 0; i < *count; i++)
        if (table [i] == entry) {
            memmove (&table [i], &table [i + 1], (*count - i - 1) * sizeof table [0]);
            (*count)--;
            return;
        }
}

void
agent_kinds_unregister_down (const agent_down_handler_t *handler)
{
    s_unregister ((const void **) s_down_registered, &s_down_count, handler);
}

void
agent_kinds_unregister_up (const agent_up_handler_t *handler)
{
    s_unregister ((const void **) s_up_registered, &s_up_count, handler);
}

//  --------------------------------------------------------------------------------------------
//  Dispatch

//  agent_inbox_fn: the kind's handler inside the inbox transaction.
static cii_rc_t
s_inbox_handler (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, void *arg, cii_err_t *err)
{
    const agent_down_handler_t *handler = arg;
    return handler->store (store, seq, item, err);
}

cii_rc_t
agent_kinds_deliver (agent_store_t *store, const Cii__Envelope *deliver, agent_inbox_outcome_t *outcome_p,
                     cii_err_t *err)
{
    assert (store && deliver && outcome_p);
    if (deliver->body_case != CII__ENVELOPE__BODY_DELIVER || !deliver->deliver)
        return cii_err_set (err, CII_BAD_INPUT, "not a deliver");
    const cii_kind_t *kind = cii_codec_kind (deliver);
    ProtobufCMessage *owned = NULL;
    const ProtobufCMessage *item = kind ? cii_codec_item (deliver, &owned) : NULL;
    if (!kind || !item)
        return cii_err_set (err, CII_BAD_INPUT, "deliver seq %" PRIu64 ": no item of a known kind",
                            deliver->deliver->seq);
    const agent_down_handler_t *handler = agent_kinds_down (kind->name);
    if (!handler || !handler->store)
        zsys_warning ("agent %s: no handler for downward kind %s: item %" PRIu64 " held in the inbox only",
                      agent_store_label (store), kind->name, deliver->deliver->seq);
    cii_rc_t rc = agent_store_inbox_add (store, deliver->deliver->seq, kind, item,
                                         handler && handler->store ? s_inbox_handler : NULL, (void *) handler,
                                         outcome_p, err);
    cii_codec_item_free (&owned);
    return rc;
}

typedef struct {
    const Cii__Receipt *receipt;
    int code;
    const char *text;
} s_settle_t;

//  agent_outbox_settle_fn for a RECEIPT.
static cii_rc_t
s_on_receipt (agent_store_t *store, const char *kind, int64_t ref_id, void *arg, cii_err_t *err)
{
    const s_settle_t *settle = arg;
    const agent_up_handler_t *handler = agent_kinds_up (kind);
    if (!handler || !handler->receipt)
        return CII_OK;
    return handler->receipt (store, ref_id, settle->receipt->ref, settle->receipt->received_at_ms, err);
}

//  agent_outbox_settle_fn for a final ERROR.
static cii_rc_t
s_on_refusal (agent_store_t *store, const char *kind, int64_t ref_id, void *arg, cii_err_t *err)
{
    const s_settle_t *settle = arg;
    const agent_up_handler_t *handler = agent_kinds_up (kind);
    if (!handler || !handler->refused)
        return CII_OK;
    return handler->refused (store, ref_id, settle->code, settle->text, err);
}

cii_rc_t
agent_kinds_receipt (agent_store_t *store, const Cii__Receipt *receipt, cii_err_t *err)
{
    assert (store && receipt);
    if (!receipt->message_id || !*receipt->message_id)
        return cii_err_set (err, CII_NOT_FOUND, "receipt without a message id");
    s_settle_t settle = { receipt, 0, NULL };
    cii_rc_t rc = agent_store_outbox_settle (store, receipt->message_id, s_on_receipt, &settle, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: message %s delivered as %s%s", agent_store_label (store), receipt->message_id,
                   receipt->ref ? receipt->ref : "?", receipt->duplicate ? " (duplicate)" : "");
    return rc;
}

cii_rc_t
agent_kinds_refused (agent_store_t *store, const char *message_id, int code, const char *text, cii_err_t *err)
{
    assert (store);
    if (!message_id || !*message_id)
        return cii_err_set (err, CII_NOT_FOUND, "error without a message id");
    s_settle_t settle = { NULL, code, text ? text : "" };
    return agent_store_outbox_settle (store, message_id, s_on_refusal, &settle, err);
}
