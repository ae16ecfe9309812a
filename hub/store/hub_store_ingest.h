/*  hub_store_ingest.h — batched, idempotent ingest of upward messages of any kind. A batch is
    stored with ONE statement per kind present (one round trip, one executor start for the whole
    batch, the batch's fields travelling as parallel arrays unnested server-side); several kinds
    run in one BEGIN/COMMIT. ingest_log (agent_id, message_id) makes it idempotent: a message id
    stored before inserts nothing and yields the original reference and time. Each kind describes
    how it is stored with a hub_ingest_shape_t; nothing here names a kind. */
#ifndef HUB_STORE_INGEST_H_INCLUDED
#define HUB_STORE_INGEST_H_INCLUDED

#include "hub_store.h"

#define HUB_MAX_REF 32

/*  One column of a kind's input rows: name and PostgreSQL type ("canton", "text"). */
typedef struct {
    const char *name;
    const char *type;
} hub_ingest_column_t;

/*  How one kind is stored. The generic statement unnests the batch into `input` (agent_id bigint,
    message_id text, network text, then the kind's columns, ord), keeps the first of each (agent,
    message id) as `fresh` with id = id_sql, logs it in ingest_log with ref = ref_sql (an
    expression over fresh's columns, `id` among them), and runs insert_sql, which reads
    `fresh f JOIN log l ON l.agent_id = f.agent_id AND l.message_id = f.message_id` (l has
    received_at) to insert the kind's own rows. */
typedef struct _hub_ingest_item_t hub_ingest_item_t;

typedef struct {
    const char *kind;                        /* ingest_log.kind: [a-z-]+, e.g. "signal" */
    const char *statement;                   /* prepared statement name, unique per kind */
    const char *id_sql;                      /* e.g. "nextval ('signals_id_seq')" */
    const char *ref_sql;                     /* e.g. "'SIG-' || id" */
    const hub_ingest_column_t *columns;
    size_t ncolumns;
    const char *insert_sql;
    /*  Fills values[0..ncolumns-1] for one item (pointers into item or into scratch, which has
        scratch_size bytes). CII_OK, or CII_BAD_INPUT when the item cannot be stored. */
    cii_rc_t (*row) (const void *item, const char **values, char *scratch, size_t scratch_size);
    size_t scratch_size;
    /*  Optional, instead of all the above: stores one item of the kind itself, inside the batch's
        transaction, with as many statements as it needs (a kind whose rows need more than one
        set-based statement: gapless references, checks against stored rows); called in batch
        order for each item that has a message id, a network and an item. It fills the item's out
        fields as the generic statement would (stored, duplicate, conflict, ref, received_at_ms,
        using item->digest and ingest_log; hub_store_ingest_resend does the resend), or refuses it
        for good (refused, reason) after writing nothing for it. Returns CII_OK, or the database
        error: then the rest is not stored and the whole batch is rolled back. */
    cii_rc_t (*store) (hub_store_t *store, hub_ingest_item_t *item);
} hub_ingest_shape_t;

struct _hub_ingest_item_t {
    /* in */
    int64_t agent_id;
    const char *network;                     /* the sender's network (checked by the caller) */
    const char *message_id;
    const char *digest;                      /* what it carries (any text, e.g. a hash of the item),
                                                or NULL: tells a resend from a reused id */
    const hub_ingest_shape_t *shape;
    const void *item;                        /* the domain struct shape->row reads */
    /* out, valid after hub_store_ingest returned CII_OK */
    bool stored;                             /* committed now or before: a receipt may be sent */
    bool duplicate;                          /* this message id had been stored before */
    bool conflict;                           /* ... with another digest: a reused id, not a resend
                                                (stored stays true: ref names what was stored) */
    char ref [HUB_MAX_REF];                  /* the hub's reference, e.g. "SIG-42" */
    int64_t received_at_ms;                  /* first commit time */
    cii_rc_t refused;                        /* not stored and never will be (a shape's own store):
                                                CII_NOT_FOUND names something unknown, CII_REFUSED
                                                something not the sender's, CII_BAD_INPUT other */
    char reason [200];                       /* ... why, one line */
};

/*  Stores a batch in one transaction. Rules, for every message: (agent_id, message_id) already in
    ingest_log: nothing is inserted, the original ref and time come back with duplicate = true (and
    conflict = true when the stored digest and this one differ, both known); the
    same id twice in one batch: stored once, both get the same ref, the later one duplicate =
    true; a concurrent insert of the same id by another hub: stored = false (the agent resends
    later and then gets the duplicate receipt); an item its shape cannot turn into a row: stored =
    false. CII_OK when the transaction committed (each item's out fields filled), or the error's
    code when nothing was committed. */
cii_rc_t hub_store_ingest (hub_store_t *self, hub_ingest_item_t *items, size_t count, cii_err_t *err);

/*  Looks up an upward message already stored for this agent: CII_OK (ref and *received_at_ms
    filled), CII_NOT_FOUND, or the database error. */
cii_rc_t hub_store_ingest_lookup (hub_store_t *self, int64_t agent_id, const char *message_id,
                                  char ref [HUB_MAX_REF], int64_t *received_at_ms);

/*  The same, and whether what was stored carried another digest than digest (false when either is
    unknown). */
cii_rc_t hub_store_ingest_lookup_digest (hub_store_t *self, int64_t agent_id, const char *message_id,
                                         const char *digest, char ref [HUB_MAX_REF], int64_t *received_at_ms,
                                         bool *conflict_p);

/*  For a shape's own store: looks item's message up in ingest_log. True when it was stored before
    (item filled as a resend: stored, duplicate, conflict, ref, received_at_ms); false when it was
    not or on a database error. *rc_p is CII_OK, or the database error. */
bool hub_store_ingest_resend (hub_store_t *self, hub_ingest_item_t *item, cii_rc_t *rc_p);

#endif
