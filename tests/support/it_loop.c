/*  it_loop.c — integration helpers for the national loop (issues 7 and 8): agent command lines,
    drafts of delivered signals, waiting for a request's state at an agent, the hub's `show`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

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

json_t *
it_hub_json (it_fixture_t *f, const char *what, ...)
{
    const char *argv [40] = { CII_HUB_BIN, "--db", f->conninfo };
    int argc = 3;
    va_list args;
    va_start (args, what);
    const char *arg;
    while ((arg = va_arg (args, const char *)) != NULL && argc < 39)
        argv [argc++] = arg;
    va_end (args);
    argv [argc] = NULL;
    it_result_t r;
    memset (&r, 0, sizeof r);
    int status = it_run (f, &r, argv);
    if (status != 0)
        fail_msg ("cii-hub %s: exit %d: %s", what, status, r.err);
    json_t *doc = it_json (r.out);
    it_result_free (&r);
    return doc;
}

void
it_ref_of (json_t *doc, char ref [40])
{
    const char *value = it_json_str (doc, "ref");
    assert_non_null (value);
    snprintf (ref, 40, "%s", value);
    json_decref (doc);
}

void
it_write_file (it_fixture_t *f, const char *name, const char *text, char path [600])
{
    snprintf (path, 600, "%s/%s", f->dir, name);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    assert_true (fputs (text, file) >= 0);
    assert_int_equal (fclose (file), 0);
}

//  A whole small file as a new string, or NULL.
static char *
s_slurp (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    size_t size = 0, cap = 4096;
    char *text = malloc (cap);
    assert_non_null (text);
    size_t n;
    while ((n = fread (text + size, 1, cap - size - 1, file)) > 0) {
        size += n;
        if (cap - size - 1 == 0) {
            cap *= 2;
            text = realloc (text, cap);
            assert_non_null (text);
        }
    }
    fclose (file);
    text [size] = '\0';
    return text;
}

typedef struct {
    const char *port_file;
} s_sink_wait_t;

static bool
s_port_written (void *arg)
{
    char *port = s_slurp (((s_sink_wait_t *) arg)->port_file);
    bool ok = port && atoi (port) > 0;
    free (port);
    return ok;
}

pid_t
it_webhook_sink_start (it_fixture_t *f, const char *dir, int *port_p)
{
    char port_file [600], log [600];
    snprintf (port_file, sizeof port_file, "%s/webhook-sink.port", f->dir);
    snprintf (log, sizeof log, "%s/webhook-sink.log", f->dir);
    unlink (port_file);
    const char *argv [] = { WEBHOOK_SINK_BIN, "--dir", dir, "--port-file", port_file, "--mode", "200", NULL };
    pid_t pid = it_spawn (argv, log);
    assert_true (pid > 0);
    s_sink_wait_t wait = { port_file };
    assert_true (it_wait_until (10000, s_port_written, &wait));
    char *port = s_slurp (port_file);
    *port_p = atoi (port);
    free (port);
    return pid;
}

void
it_webhook_sink_stop (it_fixture_t *f, pid_t pid)
{
    (void) f;
    if (pid > 0) {
        kill (pid, SIGTERM);
        if (it_wait_pid (pid, 5000) < 0) {
            kill (pid, SIGKILL);
            it_wait_pid (pid, 5000);
        }
    }
}

char *
it_webhook_sink_request (const char *dir, int n)
{
    char path [700];
    snprintf (path, sizeof path, "%s/%d.headers", dir, n);
    char *headers = s_slurp (path);
    snprintf (path, sizeof path, "%s/%d.body", dir, n);
    char *body = s_slurp (path);
    char *text = NULL;
    if (headers && body) {
        text = malloc (strlen (headers) + strlen (body) + 2);
        assert_non_null (text);
        sprintf (text, "%s\n%s", headers, body);
    }
    free (headers);
    free (body);
    return text;
}
