/*  unit_agent.h — an agent's files and state for the agent's unit tests (cii_unit_agent): a
    temporary directory with the path of a state directory in it (not created: the test makes it,
    or unit_agent_init does), an enrolment bundle with fresh keys written next to it, the path of
    a scratch file; a copy of the state made by cii-agent 0.1.0; the outbox and inbox counts most
    assertions read; a downward item and a RECEIPT through the kind handlers, as the daemon hands
    them over. A failure fails the running cmocka test. */
#ifndef UNIT_AGENT_H_INCLUDED
#define UNIT_AGENT_H_INCLUDED

#include <stdint.h>

#include "agent_store.h"
#include "agent_store_inbox.h"
#include "cii.pb-c.h"
#include "cii_bundle.h"

typedef struct {
    char *root;                   /* the temporary directory, removed with everything in it */
    char *state;                  /* ROOT/state */
    char *bundle_path;            /* ROOT/NETWORK.bundle, written (mode 0600) */
    char *file;                   /* ROOT/input: for bodies, imports, copies */
    cii_bundle_t bundle;          /* what the bundle holds */
} unit_agent_t;

/*  A new directory /tmp/cii-LABEL-XXXXXX with a bundle for network, cantons (comma list) and
    endpoint. Never NULL: a failure fails the running test. */
unit_agent_t *unit_agent_new (const char *label, const char *network, const char *cantons, const char *endpoint);

/*  Removes the directory and frees; sets *self_p to NULL; safe on NULL. */
void unit_agent_destroy (unit_agent_t **self_p);

/*  Initialises the state from bundle_path (agent_setup_init; NULL: the directory's own bundle)
    and opens it: a handle for the test (agent_store_destroy it). */
agent_store_t *unit_agent_init (unit_agent_t *self, const char *bundle_path);

/*  Makes the state directory and copies tests/fixtures/agent-state-0.1.0/agent.db into it (the
    state of a released agent, never to be regenerated); returns the copy's path (free). */
char *unit_agent_release_0_1_0 (unit_agent_t *self);

/*  Makes the state directory and a database migrated only up to schema version (1: cii-agent
    0.1.0, 2: 0.2.0), as those releases made it, with the bundle's configuration and cantons in
    it; returns its path (free). The test fills it with raw SQL as that release would have. */
char *unit_agent_state_at (unit_agent_t *self, int version);

/*  Runs sql (several statements) on the database at path; fails the test on an error. */
void unit_agent_sql (const char *path, const char *sql);

/*  Entries in the outbox; the highest downward sequence held. */
int64_t unit_agent_outbox (agent_store_t *store);
int64_t unit_agent_last_seq (agent_store_t *store);

/*  Column 0 of the first row of sql (a count, an id) on the test's handle; fails the test when
    the statement fails or returns no row. */
int64_t unit_agent_int (agent_store_t *store, const char *sql);

/*  Stores deliver (its seq, its item_case and item set by the caller) as the daemon stores a
    DELIVER: in an Envelope, through agent_kinds_deliver. Its result. */
cii_rc_t unit_agent_deliver (agent_store_t *store, Cii__Deliver *deliver, agent_inbox_outcome_t *outcome_p,
                             cii_err_t *err);

/*  The hub's RECEIPT of message_id (reference ref, received at received_at_ms), through
    agent_kinds_receipt. Its result. */
cii_rc_t unit_agent_receipt (agent_store_t *store, const char *message_id, const char *ref, int64_t received_at_ms);

#endif
