/*  test_agent_trace.c — `cii-agent trace ID|REF [--json]` (agent_trace, agent_store_trace) run in
    process on a real agent state: two drafts merged (the lineage at both ends, with the state of
    the other), signals receipted (their hub references), the request forwarded and receipted, then
    STATUS items delivered as the daemon delivers them (the bureau, a CDC meeting, a CP meeting,
    a theme) and read back in order, by id and by reference, with --state before or after the
    verb; JSON and text; unknown and hostile keys refused with one line, exit 1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_cli.h"
#include "agent_setup.h"
#include "agent_store_outbox.h"
#include "cii_codec.h"
#include "unit_agent.h"
#include "unit_agent_cli.h"
#include "unit_cli.h"
#include "unit_json.h"

typedef struct {
    unit_agent_cli_t cli;       //  the agent's files, the last run
} s_fixture_t;

//  The shared cii-agent fixture (unit_agent_cli.h) under this file's names.
#define s_run(fx, ...) unit_agent_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_open(fx) unit_agent_cli_open (&(fx)->cli)

#define S_OK(fx, ...) unit_agent_cli_ok (&(fx)->cli, __VA_ARGS__, NULL)

//  Collects the message ids of the outbox, by outbox id (1..8).
static bool
s_mid (const agent_outbox_item_t *item, void *arg)
{
    char (*mids) [AGENT_MESSAGE_ID_SIZE] = arg;
    if (item->id >= 1 && item->id <= 8)
        snprintf (mids [item->id - 1], AGENT_MESSAGE_ID_SIZE, "%s", item->message_id);
    return true;
}

//  STATUS seq of request mid (CII-2027-0042): state, organ, meeting, note, theme ("" for none).
static void
s_status (agent_store_t *store, uint64_t seq, const char *mid, const char *state, const char *organ,
          const char *meeting, const char *note, const char *theme)
{
    Cii__Status status = CII__STATUS__INIT;
    status.ref = (char *) "CII-2027-0042";
    status.request_id = (char *) mid;
    status.state = (char *) state;
    status.organ = (char *) organ;
    status.meeting = (char *) meeting;
    status.note = (char *) note;
    status.theme = *theme ? (char *) theme : NULL;
    status.at_ms = 1790000000000 + (int64_t) seq * 1000;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = seq;
    deliver.item_case = CII__DELIVER__ITEM_STATUS;
    deliver.status = &status;
    agent_inbox_outcome_t outcome;
    cii_err_t err;
    cii_err_clear (&err);
    if (unit_agent_deliver (store, &deliver, &outcome, &err) != CII_OK)
        fail_msg ("STATUS %s: %s", state, err.text);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_agent_cli_init (&fx->cli, "agent-trace", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7399");
    *state = fx;
    const char *st = fx->cli.agent->state;
    S_OK (fx, "init", "--bundle", fx->cli.agent->bundle_path, "--state", st);
    S_OK (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "Apprentissage «AI» \"'; DROP TABLE x;--",
          "--body", "Corps.", "--institutions", "vocational-training,migration");
    S_OK (fx, "signal", "add", "--state", st, "--canton", "GE", "--title", "Admission provisoire", "--body", "Corps.",
          "--institutions", "migration");
    S_OK (fx, "request", "new", "--state", st, "--title", "Accès à l'apprentissage", "--summary", "Deux cantons.",
          "--signals", "1");
    S_OK (fx, "request", "new", "--state", st, "--title", "Autre", "--summary", "S.", "--signals", "2");
    S_OK (fx, "request", "merge", "--state", st, "1", "2");
    agent_store_t *store = s_open (fx);
    char mids [8][AGENT_MESSAGE_ID_SIZE];
    size_t count = 0;
    assert_int_equal (agent_store_outbox_due (store, INT64_MAX, 10, s_mid, mids, &count, NULL), CII_OK);
    assert_int_equal (count, 2);
    assert_int_equal (unit_agent_receipt (store, mids [0], "SIG-41", 1789000000000), CII_OK);
    assert_int_equal (unit_agent_receipt (store, mids [1], "SIG-42", 1789000000000), CII_OK);
    agent_store_destroy (&store);
    S_OK (fx, "request", "forward", "--state", st, "1");
    store = s_open (fx);
    assert_int_equal (agent_store_outbox_due (store, INT64_MAX, 10, s_mid, mids, &count, NULL), CII_OK);
    assert_int_equal (count, 1);
    assert_int_equal (unit_agent_receipt (store, mids [2], "CII-2027-0042", 1789500000000), CII_OK);
    s_status (store, 1, mids [2], "admissible", "bureau", "", "Recevable.", "");
    s_status (store, 2, mids [2], "scheduled", "bureau", "", "", "NT-2027-01");
    s_status (store, 3, mids [2], "referred-to-cp", "cdc", "M-2027-01", "Au CP.\n«suite» \"'; --", "NT-2027-01");
    s_status (store, 4, mids [2], "answered", "cp", "M-2027-02", "Réponse du CP.", "NT-2027-01");
    agent_store_destroy (&store);
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_agent_cli_clear (&fx->cli);
    free (fx);
    return 0;
}

static void
test_trace_json (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    S_OK (fx, "trace", "--state", st, "cii-2027-0042", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "id", "1");
    s_json_member (doc, "ref", "\"CII-2027-0042\"");
    s_json_member (doc, "state", "\"answered\"");
    s_json_member (doc, "theme", "\"NT-2027-01\"");
    s_json_member (doc, "cantons", "[\"GE\",\"VD\"]");
    //  its signals, the merged draft's with them
    json_t *signals = json_object_get (doc, "signals");
    assert_int_equal (json_array_size (signals), 2);
    s_json_member (json_array_get (signals, 0), "id", "1");
    s_json_member (json_array_get (signals, 0), "canton", "\"VD\"");
    s_json_member (json_array_get (signals, 0), "ref", "\"SIG-41\"");
    s_json_member (json_array_get (signals, 0), "title", "\"Apprentissage «AI» \\\"'; DROP TABLE x;--\"");
    s_json_member (json_array_get (signals, 1), "ref", "\"SIG-42\"");
    //  the lineage: the draft merged into it, with its state
    json_t *lineage = json_object_get (doc, "lineage");
    assert_int_equal (json_array_size (lineage), 1);
    s_json_member (json_array_get (lineage, 0), "relation", "\"merged-from\"");
    s_json_member (json_array_get (lineage, 0), "request", "2");
    s_json_member (json_array_get (lineage, 0), "state", "\"merged\"");
    s_json_member (json_array_get (lineage, 0), "ref", "null");
    s_json_member (json_array_get (lineage, 0), "title", "\"Autre\"");
    //  every decision received, in order, with organ and meeting; the note untouched
    json_t *history = json_object_get (doc, "history");
    assert_int_equal (json_array_size (history), 4);
    static const char *const expect [][3] = { { "\"admissible\"", "\"bureau\"", "null" },
                                              { "\"scheduled\"", "\"bureau\"", "null" },
                                              { "\"referred-to-cp\"", "\"cdc\"", "\"M-2027-01\"" },
                                              { "\"answered\"", "\"cp\"", "\"M-2027-02\"" } };
    for (size_t i = 0; i < 4; i++) {
        json_t *row = json_array_get (history, i);
        s_json_member (row, "state", expect [i][0]);
        s_json_member (row, "organ", expect [i][1]);
        s_json_member (row, "meeting", expect [i][2]);
        assert_true (json_is_string (json_object_get (row, "at")));
    }
    s_json_member (json_array_get (history, 2), "note", "\"Au CP.\\n«suite» \\\"'; --\"");
    s_json_member (json_array_get (history, 2), "theme", "\"NT-2027-01\"");
    json_decref (doc);
    //  The merged draft: the other end is the request that went up, with its reference and state.
    S_OK (fx, "--state", st, "trace", "2", "--json");
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "state", "\"merged\"");
    s_json_member (doc, "ref", "null");
    lineage = json_object_get (doc, "lineage");
    s_json_member (json_array_get (lineage, 0), "relation", "\"merged-into\"");
    s_json_member (json_array_get (lineage, 0), "request", "1");
    s_json_member (json_array_get (lineage, 0), "ref", "\"CII-2027-0042\"");
    s_json_member (json_array_get (lineage, 0), "state", "\"answered\"");
    assert_int_equal (json_array_size (json_object_get (doc, "history")), 0);
    json_decref (doc);
}

static void
test_trace_text (void **state)
{
    s_fixture_t *fx = *state;
    setenv ("CII_AGENT_STATE", fx->cli.agent->state, 1);
    S_OK (fx, "trace", "1");
    unsetenv ("CII_AGENT_STATE");
    const char *out = fx->cli.run.out;
    const char *expect_head = "trace request 1  CII-2027-0042  answered\n"
                              "  title  Accès à l'apprentissage\n"
                              "  theme  NT-2027-01\n"
                              "signals\n"
                              "  1  VD  SIG-41  Apprentissage «AI» \"'; DROP TABLE x;--\n"
                              "  2  GE  SIG-42  Admission provisoire\n"
                              "lineage\n"
                              "  merged-from  2  -  merged  Autre\n"
                              "history\n";
    if (strncmp (out, expect_head, strlen (expect_head)) != 0)
        fail_msg ("got:\n%s\nexpected to start with:\n%s", out, expect_head);
    assert_non_null (strstr (out, "Z  admissible  bureau  -  Recevable.\n"));
    assert_non_null (strstr (out, "Z  referred-to-cp  cdc  M-2027-01  Au CP.?«suite» \"'; --\n"));
    assert_non_null (strstr (out, "Z  answered  cp  M-2027-02  Réponse du CP.\n"));
    assert_null (strchr (out, '\x1b'));
    assert_int_equal (unit_lines (out), 13);
    S_OK (fx, "trace", "--state", fx->cli.agent->state, "2");
    assert_non_null (strstr (fx->cli.run.out, "lineage\n  merged-into  1  CII-2027-0042  answered  Accès à l'apprentissage\n"
                                          "history\n  (none)\n"));
}

static void
test_trace_unknown (void **state)
{
    s_fixture_t *fx = *state;
    const char *st = fx->cli.agent->state;
    s_run (fx, "trace", "--state", st, "99", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_string_equal (fx->cli.run.err, "cii-agent trace: no request '99' in this agent\n");
    assert_string_equal (fx->cli.run.out, "");
    s_run (fx, "trace", "--state", st, "CII-2027-0999", "--json", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_string_equal (fx->cli.run.err, "cii-agent trace: no request 'CII-2027-0999' in this agent\n");
    assert_string_equal (fx->cli.run.out, "");
    s_run (fx, "trace", "--state", st, "1'; DROP TABLE requests;--\n\x1b[2J", NULL);
    assert_int_equal (fx->cli.run.status, 1);
    assert_int_equal (unit_lines (fx->cli.run.err), 1);
    assert_null (strchr (fx->cli.run.err, '\x1b'));
    //  Usage: no key, two; no state directory; --help.
    assert_int_equal (s_run (fx, "trace", "--state", st, NULL), 2);
    assert_int_equal (s_run (fx, "trace", "--state", st, "1", "2", NULL), 2);
    assert_int_equal (s_run (fx, "trace", "1", NULL), 2);
    assert_int_equal (s_run (fx, "trace", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-agent trace"));
    //  Nothing changed.
    S_OK (fx, "trace", "--state", st, "1", "--json");
    json_t *doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (json_object_get (doc, "history")), 4);
    json_decref (doc);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_trace_json, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trace_unknown, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
