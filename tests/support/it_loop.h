/*  it_loop.h — integration helpers for the national loop (issues 7 and 8) on the harness: an
    agent's command line with its state directory, the id a JSON answer gives, a draft request of a
    delivered signal, waiting until an agent holds a request in a state, the hub's `show`. Shared
    by test_gate_loop.c and test_processing_loop.c. */
#ifndef CII_TEST_IT_LOOP_H_INCLUDED
#define CII_TEST_IT_LOOP_H_INCLUDED

#include <stdarg.h>
#include "harness.h"

/*  How long the loop helpers wait for the agents (ms). */
#define IT_LOOP_WAIT_MS 60000

/*  `cii-agent --state DIR ARGS...` (the state before the verb: `requests --state S` is a filter),
    args a NULL-terminated list. Returns the exit status; free r with it_result_free. */
int it_agent_run_v (it_fixture_t *f, it_agent_t *agent, it_result_t *r, va_list args);
int it_agent_run (it_fixture_t *f, it_agent_t *agent, it_result_t *r, ...) __attribute__ ((sentinel));

/*  Runs the agent command (what names it in a failure), expects exit 0 and a JSON object on
    stdout: returns its "id" (fails the test otherwise). */
long it_agent_run_id (it_fixture_t *f, it_agent_t *agent, const char *what, ...) __attribute__ ((sentinel));

/*  The local id of the agent's signal titled title (fails the test when there is none). */
long it_agent_signal_id (it_fixture_t *f, it_agent_t *agent, const char *title);

/*  A draft of the agent's one delivered signal titled signal_title (waits for its delivery): its
    local id, also as text in ids[24]. objective may be NULL. */
long it_draft_of (it_fixture_t *f, it_agent_t *agent, const char *signal_title, const char *title,
                  const char *summary, const char *objective, char *ids);

/*  Waits up to IT_LOOP_WAIT_MS until the agent holds its request id in state (with a national
    reference), failing the test otherwise; ref (when not NULL, 40 bytes) receives the reference. */
void it_wait_request_state (it_fixture_t *f, it_agent_t *agent, long id, const char *state, char *ref);

/*  The hub's JSON of `cii-hub show REF --json` (exit 0 expected): the caller's json_decref. */
json_t *it_hub_show (it_fixture_t *f, const char *ref);

#endif
