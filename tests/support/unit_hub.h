/*  unit_hub.h — the hub's unit tests: a fresh database per test (unit_pg), migrated by the hub's
    own migrations, with a hub_store_t open on it; cmocka setup/teardown that make one per test
    case; and the few facts most tests start from (an enrolled agent, a test-only ingest shape; a
    valid signal is unit_domain_signal's). Links the hub library (the cii_unit_hub target). */
#ifndef UNIT_HUB_H_INCLUDED
#define UNIT_HUB_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "hub_store.h"
#include "hub_store_agents.h"
#include "hub_store_ingest.h"
#include "unit_pg.h"

typedef struct {
    unit_pg_t *pg;              /* the test's database: pg->conninfo, unit_pg_int (hub->pg, ...) */
    hub_store_t *store;         /* open on it */
    char *dir;                  /* a temporary directory (certificates, bundles), removed at the end */
} unit_hub_t;

/*  A fresh database (migrated to this binary's schema when migrate), a store on it and a temporary
    directory. Logging (zsys) is silenced: refusals are expected. Never NULL (fails the test). */
unit_hub_t *unit_hub_new (const char *label, bool migrate);

/*  Closes the store, drops the database, removes the directory, frees; *self_p = NULL; safe on
    NULL. */
void unit_hub_destroy (unit_hub_t **self_p);

/*  Asserts that call (a service call that reports into the cii_err_t e_, declared here) returns
    want_rc with exactly want_text as its reason; fails the test naming the call otherwise. Use in
    a file that includes cmocka.h and <string.h>. */
#define UNIT_HUB_REFUSED(call, want_rc, want_text)                                       \
    do {                                                                                 \
        cii_err_t e_;                                                                    \
        cii_err_clear (&e_);                                                             \
        cii_rc_t rc_ = (call);                                                           \
        if (rc_ != (want_rc) || strcmp (e_.text, (want_text)) != 0)                      \
            fail_msg ("%s: got %s \"%s\", expected %s \"%s\"", #call,                    \
                      cii_rc_name (rc_), e_.text, cii_rc_name (want_rc), (want_text));   \
    } while (0)

/*  cmocka fixtures (one database per test case): *state becomes a unit_hub_t, migrated
    (unit_hub_setup) or empty (unit_hub_setup_empty); unit_hub_teardown destroys it. */
int unit_hub_setup (void **state);
int unit_hub_setup_empty (void **state);
int unit_hub_teardown (void **state);

/*  Applies the embedded hub migrations up to version (and no further), recording them as
    hub_store_migrate does: a database as an older cii-hub left it. */
void unit_hub_migrate_to (unit_hub_t *self, int version);

/*  A fresh Z85 public key (a new CURVE key pair's) into key[41]. */
void unit_hub_key (char key [41]);

/*  Enrols an agent for network with a fresh key (hub_store_enroll); its id. */
int64_t unit_hub_enrol (unit_hub_t *self, const char *network);

/*  The listing row of agent id (fails the test when there is none). */
hub_agent_row_t unit_hub_agent (unit_hub_t *self, int64_t id);

/*  Asserts that the one value of the query (printf format) is the text expected; fails the test
    naming the query otherwise. */
void unit_hub_text_is (unit_hub_t *self, const char *expected, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Moves ref to `to` by organ (hub_flow_decide_in; meeting and note may be NULL); fails the test
    naming the move when it is refused. */
void unit_hub_decide (unit_hub_t *self, const char *ref, const char *to, const char *organ, const char *meeting,
                      const char *note);

/*  A test-only upward kind for the generic ingest: "probe-up" (as tests/support/test_kinds.h names
    it), stored by unit_hub_probe_shape into the table probes of the test's database (made by
    unit_hub_probe_table: id, ref "PRB-<id>", agent_id, network, text, number, received_at,
    message_id; number must be >= 0, so that a probe can be made to fail inside the database).
    hub_ingest_item_t.item is a const unit_probe_t *. */
typedef struct {
    const char *text;
    int64_t number;
} unit_probe_t;

extern const hub_ingest_shape_t unit_hub_probe_shape;

void unit_hub_probe_table (unit_hub_t *self);

#endif
