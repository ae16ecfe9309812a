/*  test_agent_cli.c — unit tests of agent/agent_cli: the command-line contract (exit codes 0/1/2,
    one-line reasons, --help, --state / CII_AGENT_STATE), `init`, `signal add` checks in order,
    --body-file UTF-8, `signal import` all-or-nothing, the JSON of the listings, and the
    consolidation verbs: `request new|edit|merge|split|forward|withdraw`, `requests`, `show`,
    `similar`, in text and JSON. */
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
#include "agent_kinds.h"
#include "agent_requests.h"
#include "agent_setup.h"
#include "agent_store_notices.h"
#include "agent_store_outbox.h"
#include "agent_store_signals.h"
#include "agent_store_status.h"
#include "cii_codec.h"
#include "unit_agent.h"
#include "unit_agent_cli.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_json.h"

typedef struct {
    unit_agent_cli_t cli;    //  the agent's files (directory, state path, bundle, scratch file), the last run
    int status;
    char *out;
    char *err;
} s_fixture_t;

//  The shared cii-agent fixture (unit_agent_cli.h) under this file's names; s_run also copies the
//  run's status, stdout and stderr into fx.
#define s_run(fx, ...) s_ran ((fx), unit_agent_cli_run (&(fx)->cli, __VA_ARGS__))
#define s_open(fx) unit_agent_cli_open (&(fx)->cli)

static int
s_ran (s_fixture_t *fx, int status)
{
    fx->status = status;
    fx->out = fx->cli.run.out;
    fx->err = fx->cli.run.err;
    return status;
}

static int
s_lines (const char *text)
{
    return unit_lines (text);
}

static void
s_write (const char *path, const char *data, size_t size)
{
    unit_write (path, data, size);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_agent_cli_init (&fx->cli, "agent-cli", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7399");
    *state = fx;
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
s_init (s_fixture_t *fx)
{
    assert_int_equal (s_run (fx, "init", "--bundle", fx->cli.agent->bundle_path, "--state", fx->cli.agent->state, NULL), 0);
}

//  Collects message ids by outbox id (1, 2).
static bool
s_mid (const agent_outbox_item_t *item, void *arg)
{
    char (*mids) [AGENT_MESSAGE_ID_SIZE] = arg;
    snprintf (mids [item->id - 1], AGENT_MESSAGE_ID_SIZE, "%s", item->message_id);
    return true;
}

//  Copies the description of signal 2.
static bool
s_description (const agent_signal_row_t *row, void *arg)
{
    if (row->id == 2)
        snprintf (arg, 256, "%s", row->description);
    return true;
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_usage_and_help (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, NULL), 2);
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->out, "signal add"));
    assert_int_equal (s_run (fx, "bogus", NULL), 2);
    //  --help on every verb, before any other check
    const char *verbs[][2] = {{"init", NULL}, {"run", NULL}, {"signal", "add"}, {"signal", "import"},
                              {"signals", NULL}, {"notices", NULL}, {"status", NULL}};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (verbs[i][1])
            s_run (fx, verbs[i][0], verbs[i][1], "--help", NULL);
        else
            s_run (fx, verbs[i][0], "--help", NULL);
        assert_int_equal (fx->status, 0);
        assert_non_null (strstr (fx->out, "usage: cii-agent"));
    }
    assert_int_equal (s_run (fx, "signal", "--help", NULL), 0);
    assert_int_equal (s_run (fx, "signal", NULL), 2);
    assert_int_equal (s_run (fx, "signal", "remove", NULL), 2);
    //  No state directory: bad usage
    assert_int_equal (s_run (fx, "signals", NULL), 2);
    assert_non_null (strstr (fx->err, "--state"));
    assert_int_equal (s_run (fx, "signals", "--state", NULL), 2);
    assert_int_equal (s_run (fx, "signals", "--bogus", NULL), 2);
    assert_int_equal (s_run (fx, "signals", "--json=yes", NULL), 2);
    assert_int_equal (s_run (fx, "init", "--state", fx->cli.agent->state, NULL), 2);   //  no --bundle
    //  State given but never initialised: refused with one line
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, NULL), 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_non_null (strstr (fx->err, "not initialised"));
}

static void
test_init (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    assert_non_null (strstr (fx->out, "lemanique"));
    assert_non_null (strstr (fx->out, "VD, VS, GE"));
    assert_int_equal (s_run (fx, "init", "--bundle", fx->cli.agent->bundle_path, "--state", fx->cli.agent->state, NULL), 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_non_null (strstr (fx->err, "already exists"));
    //  A missing bundle is refused
    char other[160];
    snprintf (other, sizeof other, "%s/other", fx->cli.agent->root);
    assert_int_equal (s_run (fx, "init", "--bundle", "/nonexistent/bundle", "--state", other, NULL), 1);
    assert_int_equal (s_lines (fx->err), 1);
    //  CII_AGENT_STATE stands in for --state
    setenv ("CII_AGENT_STATE", fx->cli.agent->state, 1);
    assert_int_equal (s_run (fx, "status", "--json", NULL), 0);
    unsetenv ("CII_AGENT_STATE");
    json_t *status = s_json (fx->out);
    s_json_member (status, "network", "\"lemanique\"");
    s_json_member (status, "cantons", "[\"VD\",\"VS\",\"GE\"]");
    s_json_member (status, "endpoint", "\"tcp://127.0.0.1:7399\"");
    s_json_member (status, "daemon", "null");
    s_json_member (status, "outbox", "0");
    s_json_member (status, "last_seq", "0");
    json_decref (status);
    assert_null (strstr (fx->out, "secret"));             //  nowhere in the text, key or value
    //  --state before the verb, as every common option; --version before any verb
    assert_int_equal (s_run (fx, "--state", fx->cli.agent->state, "status", NULL), 0);
    assert_non_null (strstr (fx->out, "daemon    never ran\n"));
    assert_int_equal (s_run (fx, "--version", NULL), 0);
    assert_string_equal (fx->out, "cii-agent " CII_VERSION "\n");
    //  A daemon that recorded it was connected and is gone (killed outright)
    agent_store_t *store = s_open (fx);
    assert_int_equal (agent_store_status_set (store, "connected", "session open", NULL), CII_OK);
    assert_int_equal (agent_store_exec (store, "UPDATE status SET value = '2147483646' WHERE key = 'pid'", NULL),
                      CII_OK);
    agent_store_destroy (&store);
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, NULL), 0);
    assert_non_null (strstr (fx->out, "daemon    NOT RUNNING (it died; last recorded: connected at "));
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, "--json", NULL), 0);
    status = s_json (fx->out);
    s_json_member (json_object_get (status, "daemon"), "running", "false");
    s_json_member (json_object_get (status, "daemon"), "status", "\"connected\"");
    s_json_member (json_object_get (status, "daemon"), "replaced", "0");
    s_json_member (json_object_get (status, "daemon"), "last_replaced", "null");
    s_json_member (json_object_get (status, "daemon"), "replaced_recently", "false");
    s_json_member (status, "epoch", "\"0\"");
    json_decref (status);
    assert_null (strstr (fx->out, "WARNING"));
    //  Another process with this agent's key took the session over (the bundle initialised twice):
    //  the status says so, whatever the daemon's last record
    store = s_open (fx);
    assert_int_equal (agent_store_status_set (store, "connected", "session open", NULL), CII_OK);
    assert_int_equal (agent_store_status_replaced (store, NULL), CII_OK);
    assert_int_equal (agent_store_status_replaced (store, NULL), CII_OK);
    agent_store_destroy (&store);
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, NULL), 0);
    assert_non_null (strstr (fx->out, "\nWARNING   another process with this agent's key took the session over 2 "
                                      "times, last at "));
    assert_non_null (strstr (fx->out, ": is the same enrollment bundle initialised twice? Run one cii-agent per "
                                      "bundle (stop the other one)\n"));
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, "--json", NULL), 0);
    status = s_json (fx->out);
    s_json_member (json_object_get (status, "daemon"), "replaced", "2");
    s_json_member (json_object_get (status, "daemon"), "replaced_recently", "true");
    assert_true (json_is_string (json_object_get (json_object_get (status, "daemon"), "last_replaced")));
    json_decref (status);
}

static void
test_signal_add_checks (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    const char *st = fx->cli.agent->state;
    //  Canton first, even when other options are wrong too
    s_run (fx, "signal", "add", "--state", st, "--canton", "ZH", "--title", "T", "--body", "B",
           "--institutions", "nope", NULL);
    assert_int_equal (fx->status, 1);
    assert_string_equal (fx->err, "cii-agent signal add: canton ZH is not in network lemanique (VD, VS, GE)\n");
    s_run (fx, "signal", "add", "--state", st, "--canton", "XY", "--title", "T", "--body", "B",
           "--institutions", "health", NULL);
    assert_int_equal (fx->status, 1);
    assert_string_equal (fx->err, "cii-agent signal add: unknown canton XY\n");
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body", "B",
           "--institutions", "health,nope", NULL);
    assert_int_equal (fx->status, 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_non_null (strstr (fx->err, "unknown institution 'nope'"));
    assert_non_null (strstr (fx->err, "vocational-training"));
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body", "B",
           "--institutions", "health", "--target-groups", "everyone", NULL);
    assert_int_equal (fx->status, 1);
    assert_non_null (strstr (fx->err, "late-arriving-youth"));
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body", "B",
           "--institutions", "health", "--lang", "en", NULL);
    assert_int_equal (fx->status, 1);
    //  Codec limits: a 201-byte title
    char title[202];
    memset (title, 'x', 201);
    title[201] = 0;
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", title, "--body", "B",
           "--institutions", "health", NULL);
    assert_int_equal (fx->status, 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_non_null (strstr (fx->err, "200"));
    //  Usage errors
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--institutions",
           "health", NULL);
    assert_int_equal (fx->status, 2);      //  no body
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body", "B",
           "--body-file", fx->cli.agent->file, "--institutions", "health", NULL);
    assert_int_equal (fx->status, 2);      //  both bodies
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body", "B",
           "--institutions", "health", "--created-at", "2026-02-30", NULL);
    assert_int_equal (fx->status, 2);
    //  --body-file with invalid UTF-8
    s_write (fx->cli.agent->file, "caf\xc3", 4);
    s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title", "T", "--body-file",
           fx->cli.agent->file, "--institutions", "health", NULL);
    assert_int_equal (fx->status, 1);
    assert_non_null (strstr (fx->err, "UTF-8"));
    //  Nothing of all that was stored
    assert_int_equal (s_run (fx, "signals", "--state", st, "--json", NULL), 0);
    assert_string_equal (fx->out, "[]\n");
}

static void
test_signal_add_and_list (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    const char *st = fx->cli.agent->state;
    s_run (fx, "signal", "add", "--state", st, "--canton", "vs", "--title", "Übergänge für Jugendliche",
           "--body", "Texte", "--institutions", "social-aid, vocational-training", "--target-groups",
           "late-arriving-youth", "--json", NULL);
    assert_int_equal (fx->status, 0);
    json_t *added = s_json (fx->out);
    s_json_member (added, "id", "1");
    assert_true (json_string_length (json_object_get (added, "message_id")) > 0);
    s_json_member (added, "canton", "\"VS\"");
    s_json_member (added, "queued", "true");
    json_decref (added);
    const char body[] = "Zürich: «ça coince» entre l'AI et l'aide sociale\nzweite Zeile\tmit Tab\n";
    s_write (fx->cli.agent->file, body, sizeof body - 1);
    s_run (fx, "signal", "add", "--state", st, "--canton", "GE", "--title", "Deuxième", "--body-file",
           fx->cli.agent->file, "--institutions", "invalidity,social-aid", "--lang", "de", "--created-at",
           "2026-03-01T10:00:00Z", NULL);
    assert_int_equal (fx->status, 0);
    assert_non_null (strstr (fx->out, "signal 2 queued (message "));

    assert_int_equal (s_run (fx, "signals", "--state", st, "--json", NULL), 0);
    assert_non_null (strstr (fx->out, "Übergänge für Jugendliche"));   //  UTF-8 untouched, not escaped
    json_t *listing = s_json (fx->out);
    assert_int_equal (json_array_size (listing), 2);
    const json_t *first = s_json_find (listing, "title", "\"Übergänge für Jugendliche\"");
    assert_non_null (first);
    s_json_member (first, "language", "\"fr\"");                   //  VS: first language fr
    s_json_member (first, "institutions", "[\"social-aid\",\"vocational-training\"]");
    s_json_member (first, "target_groups", "[\"late-arriving-youth\"]");
    const json_t *second = s_json_find (listing, "title", "\"Deuxième\"");
    assert_non_null (second);
    s_json_member (second, "target_groups", "[]");
    s_json_member (second, "created_at", "\"2026-03-01T10:00:00.000Z\"");
    s_json_member (second, "language", "\"de\"");
    for (size_t i = 0; i < 2; i++) {
        const json_t *signal = json_array_get (listing, i);
        s_json_member (signal, "delivered", "false");
        s_json_member (signal, "hub_ref", "null");
        s_json_member (signal, "hub_received_at", "null");
        s_json_member (signal, "refused", "null");
    }
    json_decref (listing);

    //  The body file was stored byte for byte; a receipt and a refusal show in the listing
    agent_store_t *store = s_open (fx);
    char description[256] = "";
    size_t count = 0;
    assert_int_equal (agent_store_signals_each (store, s_description, description, &count, NULL), CII_OK);
    assert_int_equal (count, 2);
    assert_string_equal (description, body);
    char mids[2][AGENT_MESSAGE_ID_SIZE];
    assert_int_equal (agent_store_outbox_due (store, INT64_MAX, 10, s_mid, mids, &count, NULL), CII_OK);
    assert_int_equal (count, 2);
    assert_int_equal (unit_agent_receipt (store, mids[0], "SIG-42", 1772359200000), CII_OK);
    assert_int_equal (agent_kinds_refused (store, mids[1], 4, "canton \"GE\" refusé", NULL), CII_OK);
    agent_store_destroy (&store);

    assert_int_equal (s_run (fx, "signals", "--state", st, "--json", NULL), 0);
    listing = s_json (fx->out);
    const json_t *delivered = s_json_find (listing, "hub_ref", "\"SIG-42\"");
    assert_non_null (delivered);
    s_json_member (delivered, "delivered", "true");
    s_json_member (delivered, "hub_received_at", "\"2026-03-01T10:00:00.000Z\"");
    assert_non_null (s_json_find (listing, "refused", "{\"code\":4,\"text\":\"canton \\\"GE\\\" refusé\"}"));
    json_decref (listing);
    assert_int_equal (s_run (fx, "signals", "--state", st, NULL), 0);
    assert_non_null (strstr (fx->out, "delivered"));
    assert_non_null (strstr (fx->out, "refused"));
    assert_int_equal (s_lines (fx->out), 3);
    assert_int_equal (s_run (fx, "status", "--state", st, "--json", NULL), 0);
    json_t *status = s_json (fx->out);
    s_json_member (status, "outbox", "0");
    json_decref (status);
}

static void
test_signal_import (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    const char *st = fx->cli.agent->state;
    //  The third entry is of another network: nothing is imported
    const char *bad =
        "[{\"canton\":\"VD\",\"title\":\"Un\",\"body\":\"Corps \\u00e9\\ud83d\\ude00\","
        "\"institutions\":[\"health\",\"social-aid\"]},\n"
        " {\"canton\":\"GE\",\"title\":\"Deux\",\"body\":\"x\",\"institutions\":[\"migration\"],"
        "\"target_groups\":[\"provisionally-admitted-and-refugees\"],\"reason\":\"r\",\"lang\":\"fr\"},\n"
        " {\"canton\":\"TI\",\"title\":\"Tre\",\"body\":\"x\",\"institutions\":[\"health\"]}]";
    s_write (fx->cli.agent->file, bad, strlen (bad));
    assert_int_equal (s_run (fx, "signal", "import", "--state", st, fx->cli.agent->file, NULL), 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_non_null (strstr (fx->err, "cii-agent signal import: "));
    assert_non_null (strstr (fx->err, ": signal 3: canton TI is not in network lemanique (VD, VS, GE) (nothing imported)"));
    assert_int_equal (s_run (fx, "signals", "--state", st, "--json", NULL), 0);
    assert_string_equal (fx->out, "[]\n");

    //  Malformed JSON and unknown fields are refused with a reason
    const char *broken[] = {"[{\"canton\":\"VD\",}]", "{\"canton\":\"VD\"}", "[1.5]",
                            "[{\"canton\":\"VD\",\"titel\":\"x\"}]", "[\"\\ud800\"]",
                            "[{\"canton\":\"VD\",\"canton\":\"GE\"}]", "[] x"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        s_write (fx->cli.agent->file, broken[i], strlen (broken[i]));
        assert_int_equal (s_run (fx, "signal", "import", "--state", st, fx->cli.agent->file, NULL), 1);
        assert_int_equal (s_lines (fx->err), 1);
    }

    //  Without the bad entry: both stored, escapes decoded to UTF-8
    const char *good =
        "[{\"canton\":\"VD\",\"title\":\"Un\",\"body\":\"Corps \\u00e9\\ud83d\\ude00\","
        "\"institutions\":[\"health\",\"social-aid\"]},\n"
        " {\"canton\":\"GE\",\"title\":\"Deux \\\"guillemets\\\"\",\"body\":\"x\",\"institutions\":[\"migration\"],"
        "\"target_groups\":[\"provisionally-admitted-and-refugees\"],\"reason\":\"r\",\"lang\":\"it\"}]";
    s_write (fx->cli.agent->file, good, strlen (good));
    assert_int_equal (s_run (fx, "signal", "import", "--state", st, fx->cli.agent->file, "--json", NULL), 0);
    json_t *imported = s_json (fx->out);
    assert_int_equal (json_array_size (imported), 2);
    s_json_member (json_array_get (imported, 0), "id", "1");
    s_json_member (json_array_get (imported, 1), "id", "2");
    json_decref (imported);
    assert_int_equal (s_run (fx, "signals", "--state", st, "--json", NULL), 0);
    json_t *listing = s_json (fx->out);
    const json_t *quoted = s_json_find (listing, "title", "\"Deux \\\"guillemets\\\"\"");
    assert_non_null (quoted);
    s_json_member (quoted, "language", "\"it\"");
    s_json_member (quoted, "target_groups", "[\"provisionally-admitted-and-refugees\"]");
    json_decref (listing);
}

static void
test_notices_listing (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    assert_int_equal (s_run (fx, "notices", "--state", fx->cli.agent->state, "--json", NULL), 0);
    assert_string_equal (fx->out, "[]\n");
    agent_store_t *store = s_open (fx);
    Cii__Notice notice = CII__NOTICE__INIT;
    char *networks[] = {(char *) "lemanique", (char *) "ticino"};
    notice.notice_id = 7;
    notice.title = (char *) "Raccomandazione REC-2026-03";
    notice.text = (char *) "Testo «completo»\ncon a capo";
    notice.networks = networks;
    notice.n_networks = 2;
    notice.issued_at_ms = 1772359200000;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = 1;
    deliver.item_case = CII__DELIVER__ITEM_NOTICE;
    deliver.notice = &notice;
    agent_inbox_outcome_t outcome;
    assert_int_equal (unit_agent_deliver (store, &deliver, &outcome, NULL), CII_OK);
    assert_int_equal (outcome, AGENT_INBOX_STORED);
    assert_int_equal (agent_store_status_set (store, "connected", "tcp://127.0.0.1:7399", NULL), CII_OK);
    agent_store_destroy (&store);

    assert_int_equal (s_run (fx, "notices", "--state", fx->cli.agent->state, "--json", NULL), 0);
    json_t *listing = s_json (fx->out);
    assert_int_equal (json_array_size (listing), 1);
    const json_t *notice_json = json_array_get (listing, 0);
    s_json_member (notice_json, "seq", "1");
    s_json_member (notice_json, "notice_id", "7");
    s_json_member (notice_json, "title", "\"Raccomandazione REC-2026-03\"");
    s_json_member (notice_json, "text", "\"Testo «completo»\\ncon a capo\"");
    s_json_member (notice_json, "networks", "[\"lemanique\",\"ticino\"]");
    s_json_member (notice_json, "issued_at", "\"2026-03-01T10:00:00.000Z\"");
    assert_true (json_is_string (json_object_get (notice_json, "received_at")));
    json_decref (listing);
    assert_int_equal (s_run (fx, "notices", "--state", fx->cli.agent->state, NULL), 0);
    assert_non_null (strstr (fx->out, "Raccomandazione REC-2026-03"));
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, "--json", NULL), 0);
    json_t *status = s_json (fx->out);
    const json_t *daemon = json_object_get (status, "daemon");
    s_json_member (daemon, "status", "\"connected\"");
    s_json_member (daemon, "detail", "\"tcp://127.0.0.1:7399\"");
    s_json_member (status, "last_seq", "1");
    json_decref (status);
    assert_int_equal (s_run (fx, "status", "--state", fx->cli.agent->state, NULL), 0);
    assert_non_null (strstr (fx->out, "connected"));
}

//  --- requests ------------------------------------------------------------------------------------

//  The keys of a JSON object, in order, joined with ','.
static const char *
s_keys_of (const json_t *object)
{
    static char keys [512];
    keys [0] = '\0';
    const char *key;
    json_t *value;
    size_t len = 0;
    json_object_foreach ((json_t *) object, key, value)
        len += (size_t) snprintf (keys + len, sizeof keys - len, "%s%s", len ? "," : "", key);
    return keys;
}

static void
test_requests (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    const char *st = fx->cli.agent->state;
    assert_int_equal (s_run (fx, "signal", "add", "--state", st, "--canton", "VD", "--title",
                             "Accès des admis provisoires à l'apprentissage", "--body", "Les jeunes arrivés tard.",
                             "--institutions", "vocational-training,migration", "--target-groups",
                             "provisionally-admitted-and-refugees", "--reason", "Permis F: droit fédéral.", NULL), 0);
    assert_int_equal (s_run (fx, "signal", "add", "--state", st, "--canton", "GE", "--title",
                             "Apprentissage et admission provisoire", "--body", "Pas d'accès à l'apprentissage.",
                             "--institutions", "vocational-training", NULL), 0);
    assert_int_equal (s_run (fx, "signal", "add", "--state", st, "--canton", "VS", "--lang", "de", "--title",
                             "Lehre für vorläufig Aufgenommene", "--body", "Kein Zugang zur Lehre.",
                             "--institutions", "migration", NULL), 0);

    //  new: a draft, {"id", "state"} with --json
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "Accès à l'apprentissage", "--summary",
                             "Deux cantons.", "--signals", "1,2", "--objective", "labour-market-integration",
                             "--objective", "system-coordination", "--priority", "P2", "--support", "VS", "--json",
                             NULL), 0);
    json_t *result = s_json (fx->out);
    assert_string_equal (s_keys_of (result), "id,state");
    s_json_member (result, "id", "1");
    s_json_member (result, "state", "\"draft\"");
    json_decref (result);
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "Autre", "--summary", "S.", "--signals",
                             "2", NULL), 0);
    assert_string_equal (fx->out, "request 2 drafted (cii-agent show 2)\n");
    //  Usage and refusals: exit 2 for the command line, 1 with one line for a rule
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--summary", "S.", "--signals", "1", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "T", "--summary", "S.", "--summary-file",
                             fx->cli.agent->file, "--signals", "1", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "T", "--summary", "S.", NULL), 2);
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "T", "--summary", "S.", "--signals", "9",
                             NULL), 1);
    assert_int_equal (s_lines (fx->err), 1);
    assert_string_equal (fx->err, "cii-agent request new: no signal '9' in this agent (give a signal id of cii-agent "
                                  "signals, or its hub reference)\n");
    assert_int_equal (s_run (fx, "request", "new", "--state", st, "--title", "T", "--summary", "S.", "--signals", "1",
                             "--support", "ZH", NULL), 1);
    assert_string_equal (fx->err, "cii-agent request new: canton ZH is not in network lemanique (VD, VS, GE)\n");
    assert_int_equal (s_run (fx, "request", "edit", "--state", st, "x1", "--title", "T", NULL), 2);
    assert_int_equal (s_run (fx, "request", "edit", "--state", st, "1", NULL), 1);
    assert_string_equal (fx->err, "cii-agent request edit: nothing to change\n");

    //  edit, split, merge
    assert_int_equal (s_run (fx, "request", "edit", "--state", st, "1", "--add-signals", "3", "--json", NULL), 0);
    result = s_json (fx->out);
    s_json_member (result, "reopened", "false");
    json_decref (result);
    assert_int_equal (s_run (fx, "request", "split", "--state", st, "1", "--signals", "3", "--title", "Valais",
                             "--json", NULL), 0);
    result = s_json (fx->out);
    s_json_member (result, "id", "3");
    s_json_member (result, "split_from", "1");
    json_decref (result);
    assert_int_equal (s_run (fx, "request", "merge", "--state", st, "1", "2", "--title", "Accès à l'apprentissage",
                             NULL), 0);
    assert_string_equal (fx->out, "request 2 merged into request 1\n");
    assert_int_equal (s_run (fx, "request", "merge", "--state", st, "1", "2", NULL), 1);
    assert_string_equal (fx->err, "cii-agent request merge: request 2 is merged: only drafts are merged\n");

    //  requests: the listing's fields; by canton, by state (its own --state: the directory then
    //  goes before the verb, or in CII_AGENT_STATE)
    assert_int_equal (s_run (fx, "--state", st, "requests", "--json", NULL), 0);
    json_t *listing = s_json (fx->out);
    assert_int_equal (json_array_size (listing), 3);
    const json_t *first = json_array_get (listing, 0);
    assert_string_equal (s_keys_of (first), "id,ref,title,state,cantons,signals,updated_at");
    s_json_member (first, "ref", "null");
    s_json_member (first, "cantons", "[\"GE\",\"VD\",\"VS\"]");
    s_json_member (first, "signals", "[1,2]");
    s_json_member (json_array_get (listing, 1), "state", "\"merged\"");
    s_json_member (json_array_get (listing, 2), "signals", "[3]");
    json_decref (listing);
    assert_int_equal (s_run (fx, "--state", st, "requests", "--canton", "vs", "--json", NULL), 0);
    listing = s_json (fx->out);
    assert_int_equal (json_array_size (listing), 2);              //  1 (support), 3 (its signal)
    json_decref (listing);
    assert_int_equal (s_run (fx, "--state", st, "requests", "--canton", "XX", NULL), 1);
    assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "merged", NULL), 0);
    assert_int_equal (s_lines (fx->out), 2);
    assert_non_null (strstr (fx->out, "merged"));
    assert_int_equal (s_run (fx, "--state=" , "requests", NULL), 2);
    setenv ("CII_AGENT_STATE", st, 1);
    assert_int_equal (s_run (fx, "requests", "--state", "answered", NULL), 0);
    assert_string_equal (fx->out, "no requests\n");
    assert_int_equal (s_run (fx, "requests", "--state", "draft", "--canton", "GE", NULL), 0);
    assert_int_equal (s_lines (fx->out), 2);
    unsetenv ("CII_AGENT_STATE");
    //  The directory after the verb is taken for the filter, and said so
    assert_int_equal (s_run (fx, "requests", "--state", st, NULL), 2);
    assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "Draft!", NULL), 1);
    assert_string_equal (fx->err, "cii-agent requests: 'Draft!' is not a state name (e.g. draft, forwarded, received)\n");

    //  show: every field, lineage, signals
    assert_int_equal (s_run (fx, "show", "--state", st, "1", "--json", NULL), 0);
    json_t *shown = s_json (fx->out);
    assert_string_equal (s_keys_of (shown), "id,ref,state,origin,title,summary,assessment,language,cantons,support,"
                                            "institutions,target_groups,objectives,priorities,national_reason,theme,"
                                            "message_id,created_at,updated_at,forwarded_at,hub_received_at,refused,"
                                            "signals,lineage,withdrawals,criteria,history");
    s_json_member (shown, "title", "\"Accès à l'apprentissage\"");
    s_json_member (shown, "summary", "\"Deux cantons.\\n\\nS.\"");
    s_json_member (shown, "objectives", "[\"labour-market-integration\",\"system-coordination\"]");
    s_json_member (shown, "priorities", "[\"P2\"]");
    s_json_member (shown, "institutions", "[\"vocational-training\",\"migration\"]");
    s_json_member (shown, "target_groups", "[\"provisionally-admitted-and-refugees\"]");
    s_json_member (shown, "national_reason", "\"VD: Permis F: droit fédéral.\"");
    s_json_member (shown, "support", "[\"VS\"]");
    s_json_member (shown, "refused", "null");
    s_json_member (shown, "history", "[]");
    const json_t *lineage = json_object_get (shown, "lineage");
    assert_int_equal (json_array_size (lineage), 2);
    s_json_member (json_array_get (lineage, 0), "relation", "\"split-into\"");
    s_json_member (json_array_get (lineage, 0), "request", "3");
    s_json_member (json_array_get (lineage, 1), "relation", "\"merged-from\"");
    s_json_member (json_array_get (lineage, 1), "title", "\"Autre\"");
    const json_t *signals = json_object_get (shown, "signals");
    assert_int_equal (json_array_size (signals), 2);
    s_json_member (json_array_get (signals, 0), "canton", "\"VD\"");
    s_json_member (json_array_get (signals, 0), "state", "\"pending\"");
    json_decref (shown);
    assert_int_equal (s_run (fx, "show", "--state", st, "1", NULL), 0);
    assert_non_null (strstr (fx->out, "request 1  (no reference yet)  draft\n"));
    assert_non_null (strstr (fx->out, "  summary         Deux cantons.\n\n                  S.\n"));
    assert_non_null (strstr (fx->out, "  lineage         split into request 3 ("));
    assert_non_null (strstr (fx->out, "merged from request 2 ("));
    assert_int_equal (s_run (fx, "show", "--state", st, "CII-2027-0042", NULL), 1);
    assert_string_equal (fx->err, "cii-agent show: no request 'CII-2027-0042' in this agent\n");

    //  similar: the other canton's signal and the draft holding it
    assert_int_equal (s_run (fx, "similar", "--state", st, "2", "--json", NULL), 0);
    listing = s_json (fx->out);
    assert_true (json_array_size (listing) >= 2);
    first = json_array_get (listing, 0);
    assert_string_equal (s_keys_of (first), "kind,id,title,state,cantons,ref,score,why");
    s_json_member (first, "kind", "\"request\"");
    s_json_member (json_object_get (first, "why"), "contains", "true");
    s_json_member (json_array_get (listing, 1), "kind", "\"signal\"");
    s_json_member (json_array_get (listing, 1), "id", "1");
    s_json_member (json_array_get (listing, 1), "score", "233");
    s_json_member (json_object_get (json_array_get (listing, 1), "why"), "institutions", "[\"vocational-training\"]");
    json_decref (listing);
    assert_int_equal (s_run (fx, "similar", "--state", st, "2", NULL), 0);
    assert_non_null (strstr (fx->out, "why: consolidates this signal already"));
    assert_non_null (strstr (fx->out, "   233 signal  1     pending    VD              Accès des admis provisoires à "
                                      "l'apprentissage\n       why: words acces,apprentissage; institutions "
                                      "vocational-training\n"));
    assert_int_equal (s_run (fx, "similar", "--state", st, "99", NULL), 1);
    assert_int_equal (s_run (fx, "similar", "--state", st, "2", "--limit", "0", NULL), 2);

    //  forward: frozen, held until its signals are receipted; once only
    assert_int_equal (s_run (fx, "request", "forward", "--state", st, "1", "--json", NULL), 0);
    result = s_json (fx->out);
    s_json_member (result, "state", "\"forwarded\"");
    s_json_member (result, "waiting_for_signals", "[1,2]");
    s_json_member (result, "notes", "[]");
    char request_mid [AGENT_MESSAGE_ID_SIZE];
    snprintf (request_mid, sizeof request_mid, "%s", json_string_value (json_object_get (result, "message_id")));
    json_decref (result);
    assert_int_equal (s_run (fx, "request", "forward", "--state", st, "1", NULL), 1);
    assert_string_equal (fx->err, "cii-agent request forward: request 1 is forwarded: only drafts are forwarded\n");
    assert_int_equal (s_run (fx, "status", "--state", st, NULL), 0);
    assert_non_null (strstr (fx->out, "outbox    4 waiting (1 held until the signals they name are receipted)\n"));
    assert_int_equal (s_run (fx, "status", "--state", st, "--json", NULL), 0);
    result = s_json (fx->out);
    s_json_member (result, "outbox", "4");
    s_json_member (result, "outbox_held", "1");
    json_decref (result);
    assert_int_equal (s_run (fx, "request", "forward", "--state", st, "3", NULL), 0);
    assert_non_null (strstr (fx->out, "; it goes up once the hub has receipted signal 3\n"));
    assert_non_null (strstr (fx->out, "note: one institution involved: criterion C1"));
    assert_non_null (strstr (fx->out, "note: one supporting canton: criterion C3"));

    //  withdraw: a reason is required; a draft has nothing to withdraw
    assert_int_equal (s_run (fx, "request", "withdraw", "--state", st, "1", NULL), 2);
    assert_int_equal (s_run (fx, "request", "withdraw", "--state", st, "2", "--reason", "x", NULL), 1);
    assert_int_equal (s_run (fx, "request", "withdraw", "--state", st, "1", "--reason", "Réglé au niveau cantonal.",
                             "--json", NULL), 0);
    result = s_json (fx->out);
    s_json_member (result, "queued", "true");
    json_decref (result);

    //  What the hub says shows in requests and show, by id or reference
    agent_store_t *store = s_open (fx);
    assert_int_equal (unit_agent_receipt (store, request_mid, "CII-2027-0042", 1790000000000), CII_OK);
    Cii__Criterion criterion = CII__CRITERION__INIT;
    Cii__Criterion *criteria [] = { &criterion };
    criterion.id = (char *) "C3";
    criterion.met = true;
    criterion.reason = (char *) "3 supporting cantons";
    Cii__Status status = CII__STATUS__INIT;
    status.ref = (char *) "CII-2027-0042";
    status.request_id = request_mid;
    status.state = (char *) "admissible";
    status.organ = (char *) "bureau";
    status.at_ms = 1790000100000;
    status.note = (char *) "Recevable.\nÀ l'ordre du jour du CDC.";
    status.criteria = criteria;
    status.n_criteria = 1;
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = 1;
    deliver.item_case = CII__DELIVER__ITEM_STATUS;
    deliver.status = &status;
    agent_inbox_outcome_t outcome;
    assert_int_equal (unit_agent_deliver (store, &deliver, &outcome, NULL), CII_OK);
    agent_store_destroy (&store);
    assert_int_equal (s_run (fx, "show", "--state", st, "cii-2027-0042", "--json", NULL), 0);
    shown = s_json (fx->out);
    s_json_member (shown, "id", "1");
    s_json_member (shown, "ref", "\"CII-2027-0042\"");
    s_json_member (shown, "state", "\"admissible\"");
    s_json_member (shown, "hub_received_at", "\"2026-09-21T14:13:20.000Z\"");
    s_json_member (shown, "criteria", "[{\"id\":\"C3\",\"met\":true,\"reason\":\"3 supporting cantons\"}]");
    s_json_member (shown, "history", "[{\"state\":\"admissible\",\"organ\":\"bureau\",\"at\":\"2026-09-21T14:15:00.000Z\","
                                     "\"note\":\"Recevable.\\nÀ l'ordre du jour du CDC.\",\"theme\":null}]");
    s_json_member (json_array_get (json_object_get (shown, "withdrawals"), 0), "state", "\"pending\"");
    json_decref (shown);
    assert_int_equal (s_run (fx, "show", "--state", st, "CII-2027-0042", NULL), 0);
    assert_non_null (strstr (fx->out, "request 1  CII-2027-0042  admissible\n"));
    assert_non_null (strstr (fx->out, "  criteria        C3   met     3 supporting cantons\n"));
    assert_non_null (strstr (fx->out, "  history         2026-09-21T14:15:00.000Z admissible             bureau  Recevable.\n"
                                      "                  À l'ordre du jour du CDC.\n"));
    assert_int_equal (s_run (fx, "--state", st, "requests", NULL), 0);
    assert_non_null (strstr (fx->out, "CII-2027-0042  admissible"));
    //  The national processing (issue 8): states the CDC and the CP decide in a meeting, stored and
    //  shown with the meeting; "answered" is final
    store = s_open (fx);
    const char *steps [][4] = { { "scheduled", "bureau", "", "" },
                                { "referred-to-cp", "cdc", "M-2027-01", "Au CP." },
                                { "answered", "cp", "M-2027-02", "Réponse du CP." } };
    for (int i = 0; i < 3; i++) {
        Cii__Status step = CII__STATUS__INIT;
        step.ref = (char *) "CII-2027-0042";
        step.request_id = request_mid;
        step.state = (char *) steps [i][0];
        step.organ = (char *) steps [i][1];
        step.meeting = (char *) steps [i][2];
        step.note = (char *) steps [i][3];
        step.at_ms = 1790000200000 + i * 1000;
        deliver.seq = 2 + (uint64_t) i;
        deliver.status = &step;
        assert_int_equal (unit_agent_deliver (store, &deliver, &outcome, NULL), CII_OK);
        if (i == 1) {
            agent_store_destroy (&store);
            assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "referred-to-cp", NULL), 0);
            assert_non_null (strstr (fx->out, "CII-2027-0042  referred-to-cp"));
            store = s_open (fx);
        }
    }
    agent_store_destroy (&store);
    assert_int_equal (s_run (fx, "show", "--state", st, "CII-2027-0042", "--json", NULL), 0);
    shown = s_json (fx->out);
    s_json_member (shown, "state", "\"answered\"");
    json_t *history = json_object_get (shown, "history");
    assert_int_equal (json_array_size (history), 4);
    s_json_member (json_array_get (history, 2), "meeting", "\"M-2027-01\"");
    s_json_member (json_array_get (history, 3), "state", "\"answered\"");
    s_json_member (json_array_get (history, 3), "organ", "\"cp\"");
    s_json_member (json_array_get (history, 3), "meeting", "\"M-2027-02\"");
    assert_null (json_object_get (json_array_get (history, 1), "meeting"));
    json_decref (shown);
    assert_int_equal (s_run (fx, "show", "--state", st, "CII-2027-0042", NULL), 0);
    assert_non_null (strstr (fx->out, "request 1  CII-2027-0042  answered\n"));
    assert_non_null (strstr (fx->out, "2026-09-21T14:16:40.000Z scheduled              bureau\n"));
    assert_non_null (strstr (fx->out, "2026-09-21T14:16:41.000Z referred-to-cp         cdc     M-2027-01  Au CP.\n"));
    assert_non_null (strstr (fx->out, "2026-09-21T14:16:42.000Z answered               cp      M-2027-02  Réponse du CP.\n"));
    assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "answered", NULL), 0);
    assert_non_null (strstr (fx->out, "CII-2027-0042  answered"));
    assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "recommendation-planned", NULL), 0);
    assert_int_equal (s_run (fx, "--state", st, "requests", "--state", "Answered!", NULL), 1);
    assert_string_equal (fx->err, "cii-agent requests: 'Answered!' is not a state name (e.g. draft, forwarded, "
                                  "received)\n");
    //  Final: nothing left to withdraw
    assert_int_equal (s_run (fx, "request", "withdraw", "--state", st, "1", "--reason", "Plus d'actualité.", NULL), 1);
    assert_string_equal (fx->err, "cii-agent request withdraw: request 1 is in a final state: nothing to withdraw\n");
    //  --help of every new verb
    const char *verbs [][2] = { { "request", "new" }, { "request", "edit" }, { "request", "merge" },
                                { "request", "split" }, { "request", "forward" }, { "request", "withdraw" },
                                { "requests", NULL }, { "show", NULL }, { "similar", NULL } };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs [0]; i++) {
        if (verbs [i][1])
            s_run (fx, verbs [i][0], verbs [i][1], "--help", NULL);
        else
            s_run (fx, verbs [i][0], "--help", NULL);
        assert_int_equal (fx->status, 0);
        assert_non_null (strstr (fx->out, "usage: cii-agent"));
    }
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_usage_and_help, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_init, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_signal_add_checks, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_signal_add_and_list, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_signal_import, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_notices_listing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_requests, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
