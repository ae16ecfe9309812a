/*  it_loop.h — integration helpers for the national loop (issues 7 to 9) on the harness: an
    agent's command line with its state directory, the id a JSON answer gives, a draft request of a
    delivered signal, waiting until an agent holds a request in a state, the hub's `show` and JSON
    answers, a file to give a command, a webhook endpoint. Shared by the loop tests (gate,
    processing, recommendation) and the push and report kill tests. */
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

/*  `cii-hub --db ... ARGS... --json` expecting exit 0 and a JSON document (the caller's
    json_decref); what names the command in a failure. IT_HUB_JSON (f, "agenda", m) spells it. */
json_t *it_hub_json (it_fixture_t *f, const char *what, ...) __attribute__ ((sentinel));
#define IT_HUB_JSON(f, ...) it_hub_json (f, #__VA_ARGS__, __VA_ARGS__, "--json", NULL)

/*  The "ref" member of a JSON answer copied into ref[40]; the document is dropped. */
void it_ref_of (json_t *doc, char ref [40]);

/*  Writes text to the fixture's DIR/name; the path in path[600]. */
void it_write_file (it_fixture_t *f, const char *name, const char *text, char path [600]);

/*  A canton's HTTP endpoint for the webhook adapter: the real server process of
    tests/support/webhook_sink.c on 127.0.0.1, recording request N as DIR/N.headers and DIR/N.body
    (dir must exist), answering 200. Returns its pid (the port in *port_p), failing the test when
    it does not come up; stop it with it_webhook_sink_stop. */
pid_t it_webhook_sink_start (it_fixture_t *f, const char *dir, int *port_p);
void it_webhook_sink_stop (it_fixture_t *f, pid_t pid);

/*  Request n (1, 2, ...) the sink recorded: its header lines then a blank line and its body, as a
    new string (free); NULL when there is no such request. */
char *it_webhook_sink_request (const char *dir, int n);

#endif
