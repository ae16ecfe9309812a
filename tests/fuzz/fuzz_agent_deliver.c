/*  fuzz_agent_deliver.c — fuzz target for what an agent does with a downward item (agent/net/
    agent_kinds, the kinds' handlers, agent_requests_on_status, the inbox): every input is decoded
    as an Envelope as the daemon decodes a frame, and a DELIVER is stored as the next item of the
    stream in one agent state (a temporary directory made on the first input, kept across inputs so
    that later STATUS items meet the requests earlier ones recorded). A stored item must advance
    the position by one (a STATUS leaving its request findable); a refusal must leave it where it
    was, with a one-line UTF-8 reason; no transaction may be left open. Any breach calls abort().
    Seeds: tests/fuzz/corpus/fuzz_agent_deliver (a NOTICE, STATUS items of every state). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>

#include "agent_kinds.h"
#include "agent_store.h"
#include "agent_store_inbox.h"
#include "agent_store_requests.h"
#include "cii_codec.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static agent_store_t *s_store;
static char s_dir [64];
static long s_stored, s_refused;         //  reported at exit: evidence the store was reached

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_agent_deliver: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

static void
s_cleanup (void)
{
    fprintf (stderr, "fuzz_agent_deliver: %ld items stored, %ld refused\n", s_stored, s_refused);
    agent_store_destroy (&s_store);
    char command [128];
    snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
    if (system (command) != 0)
        fprintf (stderr, "fuzz_agent_deliver: could not remove %s\n", s_dir);
}

static void
s_open (void)
{
    zsys_set_logstream (NULL);          //  every refused or unknown item is logged: expected here
    snprintf (s_dir, sizeof s_dir, "/tmp/cii-fuzz-agent-XXXXXX");
    if (!mkdtemp (s_dir))
        s_die ("mkdtemp", s_dir);
    cii_err_t err;
    s_store = agent_store_create (s_dir, &err);
    if (!s_store)
        s_die ("agent_store_create", err.text);
    //  Durability is not under test: thousands of items, each its own transaction
    if (agent_store_exec (s_store, "PRAGMA synchronous = OFF", &err) != CII_OK)
        s_die ("pragma", err.text);
    atexit (s_cleanup);
}

static int64_t
s_position (void)
{
    uint64_t epoch = 0;
    int64_t seq = 0;
    cii_err_t err;
    if (agent_store_inbox_position (s_store, &epoch, &seq, &err) != CII_OK)
        s_die ("position", err.text);
    return seq;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_store)
        s_open ();
    Cii__Envelope *env = NULL;
    if (cii_codec_decode (data, size, &env, NULL) != CII_OK)
        return 0;
    if (env->body_case != CII__ENVELOPE__BODY_DELIVER) {
        cii_codec_free (&env);
        return 0;
    }
    int64_t before = s_position ();
    env->deliver->seq = (uint64_t) before + 1;
    agent_inbox_outcome_t outcome = AGENT_INBOX_GAP;
    cii_err_t err;
    memset (&err, 0, sizeof err);
    cii_rc_t rc = agent_kinds_deliver (s_store, env, &outcome, &err);
    int64_t after = s_position ();
    if (rc == CII_OK) {
        if (outcome != AGENT_INBOX_STORED)
            s_die ("the next item was not stored", NULL);
        if (after != before + 1)
            s_die ("stored, but the position did not advance by one", NULL);
        s_stored++;
        //  A stored STATUS is about a request the agent holds from then on (known or recorded)
        int64_t id = 0;
        if (env->deliver->item_case == CII__DELIVER__ITEM_STATUS
        &&  agent_store_request_find (s_store, env->deliver->status->request_id, env->deliver->status->ref, &id,
                                      &err) != CII_OK)
            s_die ("a stored STATUS left no request", env->deliver->status->ref);
    }
    else {
        size_t len = strnlen (err.text, sizeof err.text);
        if (len == 0 || len >= sizeof err.text || !cii_domain_utf8_valid (err.text, len) || strchr (err.text, '\n'))
            s_die ("refusal without a one-line reason", err.text);
        if (after != before)
            s_die ("refused, but the position moved", err.text);
        s_refused++;
    }
    if (agent_store_begin (s_store, &err) != CII_OK)
        s_die ("a transaction was left open", err.text);
    agent_store_rollback (s_store);
    cii_codec_free (&env);
    return 0;
}
