/*  hub_kinds.c — the hub's upward kind handlers (see hub_kinds.h). */
#include "hub_kinds.h"
#include "cii_wire.h"
#include "hub_intake.h"
#include "hub_store_signals.h"

#include <assert.h>
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

//  --- the table -----------------------------------------------------------------------------

static hub_upward_kind_t s_signal = {
    NULL, sizeof (cii_signal_t), s_signal_view, s_signal_authorise, &hub_store_signal_shape, NULL
};

static const hub_upward_kind_t *s_registered [S_MAX_REGISTERED];
static size_t s_registered_count;

const hub_upward_kind_t *
hub_kinds_upward (const cii_kind_t *kind)
{
    if (!kind || kind->direction != CII_UP)
        return NULL;
    if (!s_signal.kind)
        s_signal.kind = cii_kind_find ("signal");
    if (kind == s_signal.kind)
        return &s_signal;
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
    if (!s_signal.kind)
        s_signal.kind = cii_kind_find ("signal");
    const hub_upward_kind_t *all [S_MAX_REGISTERED + 1];
    size_t count = 0;
    all [count++] = &s_signal;
    for (size_t i = 0; i < s_registered_count; i++)
        all [count++] = s_registered [i];
    for (size_t i = 0; i < count && n + 1 < capacity; i++)
        if (all [i]->after_commit)
            fns [n++] = all [i]->after_commit;
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
