/*  agent_intake.h — signal intake, the agent's first use case: one signal from a coordinator's
    input (`signal add`) or many from a JSON document (`signal import`, all or none), checked in a
    fixed order (the canton first: one of the 26, then one of this network's cantons — the rule
    lives here and nowhere else —, then the vocabulary, then the domain's limits) and queued
    upward: stored with its outbox entry in one transaction. */
#ifndef AGENT_INTAKE_H_INCLUDED
#define AGENT_INTAKE_H_INCLUDED

#include "agent_store.h"
#include "cii_bundle.h"

/*  One signal as a user gives it (strings as typed; all borrowed). */
typedef struct {
    const char *canton;           /* any case: "vd" */
    const char *title;
    const char *body;             /* the description; NULL when body_file is given */
    const char *body_file;        /* a file holding the description, at most CII_MAX_TEXT bytes */
    const char *institutions;     /* comma list of names: "social-aid, health" */
    const char *target_groups;    /* comma list, NULL for none */
    const char *reason;           /* why it needs a national answer; NULL for none */
    const char *lang;             /* NULL or "": the canton's first official language */
    int64_t created_at_ms;        /* <= 0: now */
} agent_signal_input_t;

/*  What was queued for one signal. */
typedef struct {
    int64_t id;                                 /* the local signal id */
    char message_id [AGENT_MESSAGE_ID_SIZE];    /* its upward message */
    char canton [3];
} agent_queued_t;

/*  Checks and queues one signal; *queued receives its id, message id and canton. Refusals, all
    CII_REFUSED / CII_BAD_INPUT / CII_NOT_FOUND with one line for the user: "unknown canton XY",
    "canton ZH is not in network lemanique (VD, VS, GE)", "unknown institution 'x' (valid: ...)",
    "FILE is not valid UTF-8 text (or holds control characters)", "FILE is larger than 8000
    bytes", "signal refused: signal.title: 201 bytes, limit 200". Nothing is stored then. */
cii_rc_t agent_intake_add (agent_store_t *store, const agent_signal_input_t *input, agent_queued_t *queued,
                           cii_err_t *err);

/*  The rule every use case applies to a canton it is given (signals, a request's supporting
    cantons): canton (one of the 26, upper case) must be one of the network's cantons as the hub's
    last WELCOME (or the bundle) gave them in config. CII_REFUSED "canton ZH is not in network
    lemanique (VD, VS, GE)" otherwise. */
cii_rc_t agent_intake_in_network (const cii_bundle_t *config, const char *canton, cii_err_t *err);

/*  Reads the import document at path (at most AGENT_IMPORT_MAX_BYTES, refused before it is read
    when larger), checks every entry (the document, then each entry's canton against the network
    and its fields, then the limits) and stores them all in one transaction, or none. On CII_OK
    *queued_p is a new array of *count_p entries in document order (caller frees). Refusals name
    the file and the entry: "F: signal 3: canton TI is not in network lemanique (VD, VS, GE)
    (nothing imported)", "F: line 1, column 17: ...". */
cii_rc_t agent_intake_import (agent_store_t *store, const char *path, agent_queued_t **queued_p, size_t *count_p,
                              cii_err_t *err);

#endif
