/*  it_loop.c — integration helpers for the national loop (issues 7 and 8): agent command lines,
    drafts of delivered signals, waiting for a request's state at an agent, the hub's `show`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_loop.h"

#define S_STREQ(a, b) (strcmp ((a), (b)) == 0)

int
it_agent_run_v (it_fixture_t *f, it_agent_t *agent, it_result_t *r, va_list args)
{
    const char *argv [32] = { CII_AGENT_BIN, "--state", agent->state };
    int argc = 3;
    const char *arg;
    while ((arg = va_arg (args, const char *)) != NULL && argc < 31)
        argv [argc++] = arg;
    argv [argc] = NULL;
    memset (r, 0, sizeof *r);
    return it_run (f, r, argv);
}

int
it_agent_run (it_fixture_t *f, it_agent_t *agent, it_result_t *r, ...)
{
    va_list args;
    va_start (args, r);
    int status = it_agent_run_v (f, agent, r, args);
    va_end (args);
    return status;
}

long
it_agent_run_id (it_fixture_t *f, it_agent_t *agent, const char *what, ...)
{
    it_result_t r;
    va_list args;
    va_start (args, what);
    int status = it_agent_run_v (f, agent, &r, args);
    va_end (args);
    if (status != 0)
        print_message ("%s: exit %d: %s\n", what, status, r.err);
    assert_int_equal (status, 0);
    json_t *doc = it_json (r.out);
    long id = it_json_long (doc, "id");
    json_decref (doc);
    it_result_free (&r);
    return id;
}

long
it_agent_signal_id (it_fixture_t *f, it_agent_t *agent, const char *title)
{
    it_result_t r;
    assert_int_equal (it_agent_run (f, agent, &r, "signals", "--json", NULL), 0);
    json_t *list = it_json_array (r.out);
    json_t *signal = it_json_find (list, "title", title);
    assert_non_null (signal);
    long id = it_json_long (signal, "id");
    json_decref (list);
    it_result_free (&r);
    return id;
}

long
it_draft_of (it_fixture_t *f, it_agent_t *agent, const char *signal_title, const char *title, const char *summary,
             const char *objective, char *ids)
{
    assert_true (it_wait_delivered (f, agent, 1, IT_LOOP_WAIT_MS));
    char sig [24];
    snprintf (sig, sizeof sig, "%ld", it_agent_signal_id (f, agent, signal_title));
    long id = objective
            ? it_agent_run_id (f, agent, "request new", "request", "new", "--title", title, "--summary", summary,
                               "--signals", sig, "--objective", objective, "--json", NULL)
            : it_agent_run_id (f, agent, "request new", "request", "new", "--title", title, "--summary", summary,
                               "--signals", sig, "--json", NULL);
    snprintf (ids, 24, "%ld", id);
    return id;
}

typedef struct {
    it_fixture_t *f;
    it_agent_t *agent;
    long id;                      //  local request id
    const char *state;            //  the state to wait for
    char ref [40];                //  out: its reference
} s_req_wait_t;

//  True when the agent's request id is in state (and has a reference).
static bool
s_request_in_state (void *arg)
{
    s_req_wait_t *w = arg;
    it_result_t r;
    char id [24];
    snprintf (id, sizeof id, "%ld", w->id);
    bool ok = false;
    if (it_agent_run (w->f, w->agent, &r, "show", id, "--json", NULL) == 0) {
        json_t *doc = it_json (r.out);
        const char *state = it_json_str (doc, "state");
        const char *ref = it_json_str (doc, "ref");
        ok = state && ref && *ref && S_STREQ (state, w->state);
        if (ok)
            snprintf (w->ref, sizeof w->ref, "%s", ref);
        json_decref (doc);
    }
    it_result_free (&r);
    return ok;
}

void
it_wait_request_state (it_fixture_t *f, it_agent_t *agent, long id, const char *state, char *ref)
{
    s_req_wait_t w = { f, agent, id, state, "" };
    if (!it_wait_until (IT_LOOP_WAIT_MS, s_request_in_state, &w))
        fail_msg ("request %ld of %s never reached state %s", id, agent->network, state);
    if (ref)
        snprintf (ref, 40, "%s", w.ref);
}

json_t *
it_hub_show (it_fixture_t *f, const char *ref)
{
    it_result_t r;
    assert_int_equal (it_hub_cli (f, &r, "show", ref, "--json", NULL), 0);
    json_t *doc = it_json (r.out);
    it_result_free (&r);
    return doc;
}
