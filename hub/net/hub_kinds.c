/*  hub_kinds.c — the hub's upward kind handlers (see hub_kinds.h). */
#include "hub_kinds.h"
#include "cii_wire.h"
#include "hub_flow.h"
#include "hub_gate.h"
#include "hub_intake.h"
#include "hub_monitor.h"
#include "hub_store_monitor.h"
#include "hub_store_requests.h"
#include "hub_store_signals.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#define S_MAX_REGISTERED 16

//  --- signal --------------------------------------------------------------------------------

static void
s_signal_view (const ProtobufCMessage *item, void *domain)
{
    cii_wire_signal_view ((const Cii__Signal *) item, (cii_signal_t *) domain);
}

static cii_rc_t
s_signal_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    return hub_intake_authorise_signal (registry, network, (const cii_signal_t *) domain, err);
}

//  --- request, withdraw (the national gate: hub_gate, hub_flow) ---------------------------------

static void
s_request_view (const ProtobufCMessage *item, void *domain)
{
    cii_wire_request_view ((const Cii__Request *) item, (cii_request_t *) domain);
}

static cii_rc_t
s_request_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    return hub_gate_authorise_request (registry, network, (const cii_request_t *) domain, err);
}

static void
s_withdraw_view (const ProtobufCMessage *item, void *domain)
{
    cii_wire_withdraw_view ((const Cii__Withdraw *) item, (cii_withdraw_t *) domain);
}

static cii_rc_t
s_withdraw_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    return hub_gate_authorise_withdraw (registry, network, (const cii_withdraw_t *) domain, err);
}

//  --- push, report (the monitoring of recommendations: hub_monitor) -----------------------------

static void
s_push_view (const ProtobufCMessage *item, void *domain)
{
    cii_wire_push_view ((const Cii__PushState *) item, (cii_push_t *) domain);
}

static cii_rc_t
s_push_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    return hub_monitor_authorise_push (registry, network, (const cii_push_t *) domain, err);
}

static void
s_report_view (const ProtobufCMessage *item, void *domain)
{
    cii_wire_report_view ((const Cii__Report *) item, (cii_report_t *) domain);
}

static cii_rc_t
s_report_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    return hub_monitor_authorise_report (registry, network, (const cii_report_t *) domain, err);
}

//  --- the table -----------------------------------------------------------------------------

//  The compiled kinds' handlers; .kind is resolved by name once (s_resolve).
static const char *const s_names [] = { "signal", "request", "withdraw", "push", "report" };
static hub_upward_kind_t s_compiled [] = {
    { NULL, sizeof (cii_signal_t), s_signal_view, s_signal_authorise, &hub_store_signal_shape, NULL },
    { NULL, sizeof (cii_request_t), s_request_view, s_request_authorise, &hub_store_request_shape,
      hub_gate_after_commit },
    { NULL, sizeof (cii_withdraw_t), s_withdraw_view, s_withdraw_authorise, &hub_flow_withdraw_shape,
      hub_gate_after_commit },
    { NULL, sizeof (cii_push_t), s_push_view, s_push_authorise, &hub_store_push_shape, NULL },
    { NULL, sizeof (cii_report_t), s_report_view, s_report_authorise, &hub_store_report_shape, NULL },
};
#define S_COMPILED (sizeof s_compiled / sizeof s_compiled [0])

static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_resolve_once (void)
{
    for (size_t i = 0; i < S_COMPILED; i++)
        s_compiled [i].kind = cii_kind_find (s_names [i]);
}

//  The loop and the control worker both ask: resolved once, whichever comes first.
static void
s_resolve (void)
{
    pthread_once (&s_once, s_resolve_once);
}

static const hub_upward_kind_t *s_registered [S_MAX_REGISTERED];
static size_t s_registered_count;

const hub_upward_kind_t *
hub_kinds_upward (const cii_kind_t *kind)
{
    if (!kind || kind->direction != CII_UP)
        return NULL;
    s_resolve ();
    for (size_t i = 0; i < S_COMPILED; i++)
        if (kind == s_compiled [i].kind)
            return &s_compiled [i];
    for (size_t i = 0; i < s_registered_count; i++)
        if (s_registered [i]->kind == kind)
            return s_registered [i];
    return NULL;
}

cii_rc_t
hub_kinds_register_upward (const hub_upward_kind_t *entry)
{
    assert (entry);
    if (!entry->kind || entry->kind->direction != CII_UP || !entry->view || !entry->authorise || !entry->shape
    ||  entry->domain_size == 0 || entry->domain_size > HUB_KIND_DOMAIN_MAX)
        return CII_BAD_INPUT;
    if (hub_kinds_upward (entry->kind))
        return CII_CONFLICT;
    if (s_registered_count == S_MAX_REGISTERED)
        return CII_NO_MEMORY;
    s_registered [s_registered_count++] = entry;
    return CII_OK;
}

size_t
hub_kinds_after_commit (cii_rc_t (**fns) (hub_store_t *, cii_err_t *), size_t capacity)
{
    size_t n = 0;
    s_resolve ();
    const hub_upward_kind_t *all [S_MAX_REGISTERED + S_COMPILED];
    size_t count = 0;
    for (size_t i = 0; i < S_COMPILED; i++)
        all [count++] = &s_compiled [i];
    for (size_t i = 0; i < s_registered_count; i++)
        all [count++] = s_registered [i];
    for (size_t i = 0; i < count && n + 1 < capacity; i++) {
        //  Kinds may share their work (request and withdraw do): each function once.
        bool listed = !all [i]->after_commit;
        for (size_t j = 0; j < n && !listed; j++)
            listed = fns [j] == all [i]->after_commit;
        if (!listed)
            fns [n++] = all [i]->after_commit;
    }
    if (capacity > 0)
        fns [n] = NULL;
    return n;
}

void
hub_kinds_unregister_upward (const hub_upward_kind_t *entry)
{
    for (size_t i = 0; i < s_registered_count; i++)
        if (s_registered [i] == entry) {
            memmove (&s_registered [i], &s_registered [i + 1], (s_registered_count - i - 1) * sizeof entry);
            s_registered_count--;
            return;
        }
}
