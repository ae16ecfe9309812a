/*  hub_kinds.h — the hub's handler of each upward kind, the only code that turns an upward wire
    item into domain terms: how to view it as a domain struct (cii_wire), which service rule
    authorises it for the sending agent (hub/service), and how the batch ingest stores it
    (hub/store shape). The server finds a kind's entry here by its cii_kind_t and never names a kind.
    Downward kinds need nothing here: their producers queue packed items (hub_store_downward) and
    the server delivers any kind. Adding an upward kind: its message and limits (proto/), one entry
    here, its shape in hub/store, its rule in hub/service. */
#ifndef HUB_KINDS_H_INCLUDED
#define HUB_KINDS_H_INCLUDED

#include <protobuf-c/protobuf-c.h>

#include "cii_kind.h"
#include "cii_rc.h"
#include "hub_registry.h"
#include "hub_store_ingest.h"

#define HUB_KIND_DOMAIN_MAX 1024     /* bytes of the largest domain struct a kind views into */

typedef struct {
    const cii_kind_t *kind;              /* an upward kind of cii_kind.h */
    size_t domain_size;                  /* sizeof its domain struct, <= HUB_KIND_DOMAIN_MAX */
    /*  Fills domain (domain_size bytes) from the wire item, borrowing its strings. */
    void (*view) (const ProtobufCMessage *item, void *domain);
    /*  May the agent of network send it? CII_OK; CII_NOT_FOUND (answered UNKNOWN_CANTON),
        CII_REFUSED (NOT_AUTHORISED), anything else (MALFORMED), with the reason in err. */
    cii_rc_t (*authorise) (const hub_registry_t *registry, const char *network, const void *domain,
                           cii_err_t *err);
    const hub_ingest_shape_t *shape;     /* how the batch ingest stores it */
    /*  Optional: what the kind has to do once its items are committed (e.g. evaluating new requests
        and queueing their STATUS). Runs in the control worker after every batch that stored one of
        them, and every few seconds (a hub may have died in between): it must find its own work in
        the database and be idempotent. */
    cii_rc_t (*after_commit) (hub_store_t *store, cii_err_t *err);
} hub_upward_kind_t;

/*  The after_commit functions of every handler, NULL-terminated, into fns[capacity]; the count. */
size_t hub_kinds_after_commit (cii_rc_t (**fns) (hub_store_t *, cii_err_t *), size_t capacity);

/*  The handler of an upward kind, or NULL when the hub does not take that kind. */
const hub_upward_kind_t *hub_kinds_upward (const cii_kind_t *kind);

/*  Adds a handler (a test's kind, registered with cii_kind_register first). The entry is
    borrowed. CII_OK, CII_CONFLICT when the kind has one, CII_BAD_INPUT for an incomplete entry,
    CII_NO_MEMORY when the table is full. Call before starting a server. */
cii_rc_t hub_kinds_register_upward (const hub_upward_kind_t *entry);

/*  Removes a handler added with hub_kinds_register_upward. */
void hub_kinds_unregister_upward (const hub_upward_kind_t *entry);

#endif
