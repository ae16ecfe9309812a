/*  test_agent_push.c — unit tests of the pushes into the cantons' systems (agent/service/
    agent_push.c, agent/store/agent_store_push.c, agent/adapters/, agent/cli/agent_cli_cantons.c):
    a RECOMMENDATION item through the kind handler (stored, one push per addressed canton of the
    network, another network's canton skipped, the same version again a no-op); the payload in
    each canton's languages; the dir adapter on a real folder; the exec adapter with real scripts
    (environment, stdin, exit 1, a hang killed with its process group); the webhook adapter
    against a real HTTP server process (tests/support/webhook_sink.c): the signature checked
    here with OpenSSL, a retried push with the same Idempotency-Key, 500, a redirect, a timeout;
    the agent's two digests (libsodium) against published vectors: the signature (RFC 4231) and a
    report file's SHA-256 ("abc"); giving up into `failed` with its PUSH; the hub's receipt; the
    CLI (`canton set`, `cantons`, `status`). The network holds VD (fr), VS (fr/de) and GR (de/it/rm) to show the languages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_adapter.h"
#include "agent_cli.h"
#include "agent_kinds.h"
#include "agent_push.h"
#include "agent_reports.h"
#include "agent_store_push.h"
#include "cii_json.h"
#include "cii_util.h"
#include "unit_agent.h"
#include "unit_agent_cli.h"
#include "unit_fs.h"

#define S_REF "REC-2027-01"

typedef struct {
    unit_agent_cli_t cli;
    agent_store_t *store;
    char *dir;                    //  scratch: scripts, canton folders, the sink's records
    uint64_t seq;
    pid_t sink;
    int sink_port;
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_agent_cli_init (&fx->cli, "agent-push", "lemanique", "VD,VS,GE,GR", "tcp://127.0.0.1:7300");
    fx->store = unit_agent_init (fx->cli.agent, NULL);
    fx->dir = unit_dir_new ("agent-push-files");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    if (fx->sink > 0) {
        kill (fx->sink, SIGTERM);
        waitpid (fx->sink, NULL, 0);
    }
    agent_store_destroy (&fx->store);
    unit_agent_cli_clear (&fx->cli);
    unit_dir_destroy (&fx->dir);
    free (fx);
    return 0;
}

//  The next RECOMMENDATION item, through the kind handlers (as the daemon stores a DELIVER).
static cii_rc_t
s_recommend (s_fixture_t *fx, uint32_t version, const char *const *cantons, size_t n_cantons, cii_err_t *err)
{
    Cii__Translation t [4] = { CII__TRANSLATION__INIT, CII__TRANSLATION__INIT, CII__TRANSLATION__INIT,
                               CII__TRANSLATION__INIT };
    Cii__Translation *translations [4] = { &t [0], &t [1], &t [2], &t [3] };
    const char *langs [] = { "fr", "de", "it", "rm" };
    const char *titles [] = { "Accès à la formation", "Zugang zur Ausbildung", "Accesso alla formazione",
                              "Access a la furmaziun" };
    const char *texts [] = { "Les cantons créent un guichet unique « CII ».", "Die Kantone schaffen eine Anlaufstelle.",
                             "I cantoni creano uno sportello unico.", "Ils chantuns creeschan in post da contact." };
    for (int i = 0; i < 4; i++) {
        t [i].language = (char *) langs [i];
        t [i].title = (char *) titles [i];
        t [i].text = (char *) texts [i];
    }
    char *basis [] = { "CII-2027-0001", "NT-2027-02" };
    char *partners [] = { "CSIAS" };
    Cii__Recommendation rec = CII__RECOMMENDATION__INIT;
    rec.ref = (char *) S_REF;
    rec.version = version;
    rec.translations = translations;
    rec.n_translations = 4;
    rec.adopted_on = (char *) "2027-04-20";
    rec.report_by = (char *) "2027-12-31";
    rec.basis = basis;
    rec.n_basis = 2;
    rec.cantons = (char **) cantons;
    rec.n_cantons = n_cantons;
    rec.partners = partners;
    rec.n_partners = 1;
    rec.issued_at_ms = 1808000000000;
    rec.note = (char *) (version > 1 ? "délai prolongé" : "");
    Cii__Deliver deliver = CII__DELIVER__INIT;
    deliver.seq = fx->seq + 1;
    deliver.item_case = CII__DELIVER__ITEM_RECOMMENDATION;
    deliver.recommendation = &rec;
    agent_inbox_outcome_t outcome;
    cii_rc_t rc = unit_agent_deliver (fx->store, &deliver, &outcome, err);
    if (rc == CII_OK && outcome == AGENT_INBOX_STORED)
        fx->seq++;
    return rc;
}

static void
s_recommend_ok (s_fixture_t *fx, uint32_t version, const char *cantons)
{
    char copy [128];
    snprintf (copy, sizeof copy, "%s", cantons);
    const char *list [26];
    size_t n = 0;
    char *save = NULL;
    for (char *c = strtok_r (copy, ",", &save); c && n < 26; c = strtok_r (NULL, ",", &save))
        list [n++] = c;
    cii_err_t err;
    if (s_recommend (fx, version, list, n, &err) != CII_OK)
        fail_msg ("recommend: %s", err.text);
}

//  The message id of the first row of sql, into mid.
static void
s_message_id (s_fixture_t *fx, const char *sql, char mid [AGENT_MESSAGE_ID_SIZE])
{
    sqlite3_stmt *stmt = agent_store_prepare (fx->store, sql, NULL);
    assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
    snprintf (mid, AGENT_MESSAGE_ID_SIZE, "%s", (const char *) sqlite3_column_text (stmt, 0));
    sqlite3_reset (stmt);
}

//  The push of canton for version 1, copied.
static agent_push_entry_t s_found;
static const char *s_want;

static bool
s_find (const agent_push_entry_t *row, void *arg)
{
    (void) arg;
    if (strcmp (row->canton, s_want) == 0)
        s_found = *row;
    return true;
}

static agent_push_entry_t
s_push (s_fixture_t *fx, const char *canton)
{
    memset (&s_found, 0, sizeof s_found);
    s_want = canton;
    assert_int_equal (agent_store_pushes_each (fx->store, NULL, s_find, NULL, NULL, NULL), CII_OK);
    assert_true (s_found.id > 0);
    return s_found;
}

static void
s_set (s_fixture_t *fx, const char *canton, const char *adapter, const char *command, const char *path,
       const char *url, const char *secret, int timeout_ms)
{
    agent_canton_push_t push;
    memset (&push, 0, sizeof push);
    snprintf (push.canton, sizeof push.canton, "%s", canton);
    snprintf (push.adapter, sizeof push.adapter, "%s", adapter);
    snprintf (push.command, sizeof push.command, "%s", command ? command : "");
    snprintf (push.path, sizeof push.path, "%s", path ? path : "");
    snprintf (push.url, sizeof push.url, "%s", url ? url : "");
    snprintf (push.secret_file, sizeof push.secret_file, "%s", secret ? secret : "");
    push.timeout_ms = timeout_ms;
    cii_err_t err;
    if (agent_push_canton_set (fx->store, &push, &err) != CII_OK)
        fail_msg ("canton set: %s", err.text);
}

static const agent_push_limits_t s_fast = { 1, 1, 3600000 };      //  retries due at once

static size_t
s_run_due (s_fixture_t *fx, const agent_push_limits_t *limits)
{
    size_t count = 0;
    cii_err_t err;
    if (agent_push_run_due (fx->store, limits, &count, &err) != CII_OK)
        fail_msg ("run due: %s", err.text);
    return count;
}

//  One step; true when a push was attempted.
static bool
s_step (s_fixture_t *fx, const agent_push_limits_t *limits)
{
    bool did = false;
    cii_err_t err;
    if (agent_push_step (fx->store, limits, NULL, &did, &err) != CII_OK)
        fail_msg ("step: %s", err.text);
    return did;
}

//  One step that attempts canton's push and fails: the push stays queued, reason in its last
//  error. Its row.
static agent_push_entry_t
s_step_fails (s_fixture_t *fx, const char *canton, const agent_push_limits_t *limits, const char *reason)
{
    assert_true (s_step (fx, limits));
    agent_push_entry_t row = s_push (fx, canton);
    assert_string_equal (row.state, "queued");
    assert_non_null (strstr (row.last_error, reason));
    return row;
}

//  An executable script in the scratch folder; its path (free).
static char *
s_script (s_fixture_t *fx, const char *name, const char *text)
{
    char *path = unit_path (fx->dir, name);
    unit_write_text (path, text);
    chmod (path, 0700);
    return path;
}

static char *
s_payload (s_fixture_t *fx, const char *canton)
{
    char *json = NULL;
    cii_err_t err;
    if (agent_push_payload (fx->store, S_REF, 1, canton, &json, NULL, &err) != CII_OK)
        fail_msg ("payload: %s", err.text);
    return json;
}

//  --------------------------------------------------------------------------------------------

static void
test_recommendation_queues_pushes (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VD,VS,GR,ZH");               //  ZH is not of this network: skipped
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM recommendations"), 1);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM recommendation_texts"), 4);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM pushes WHERE state = 'queued'"), 3);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM pushes WHERE canton = 'ZH'"), 0);
    agent_push_entry_t vd = s_push (fx, "VD");
    assert_string_equal (vd.idem_key, S_REF ".v1.VD");
    assert_int_equal (vd.attempts, 0);
    //  The same version again (another seq): nothing new
    s_recommend_ok (fx, 1, "VD,VS,GR");
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM pushes"), 3);
    //  No adapter yet: the pushes wait
    assert_int_equal (s_run_due (fx, &s_fast), 0);
    //  Version 2 queues its own
    s_recommend_ok (fx, 2, "VD");
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM pushes WHERE idem_key = '" S_REF ".v2.VD'"),
                      1);
    //  A broken item is refused and stores nothing
    const char *bad [] = { "VD", "VD" };
    cii_err_t err;
    assert_int_not_equal (s_recommend (fx, 3, bad, 2, &err), CII_OK);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM recommendations"), 2);
}

static void
test_payload_languages (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VD,VS,GR");
    const char *expect [][2] = { { "VD", "fr" }, { "VS", "fr,de" }, { "GR", "de,it,rm" } };
    for (size_t i = 0; i < 3; i++) {
        char *json = s_payload (fx, expect [i][0]);
        json_t *doc = cii_json_parse (json, strlen (json), NULL);
        assert_non_null (doc);
        assert_string_equal (json_string_value (json_object_get (doc, "ref")), S_REF);
        assert_int_equal (json_integer_value (json_object_get (doc, "version")), 1);
        assert_string_equal (json_string_value (json_object_get (doc, "canton")), expect [i][0]);
        assert_string_equal (json_string_value (json_object_get (doc, "report_by")), "2027-12-31");
        assert_int_equal (json_array_size (json_object_get (doc, "basis")), 2);
        assert_string_equal (json_string_value (json_array_get (json_object_get (doc, "partners"), 0)), "CSIAS");
        json_t *title = json_object_get (doc, "title");
        size_t n_langs = 1;
        for (const char *c = expect [i][1]; *c; c++)
            n_langs += *c == ',';
        assert_int_equal (json_object_size (title), n_langs);
        assert_int_equal (json_object_size (json_object_get (doc, "text")), n_langs);
        assert_int_equal (json_array_size (json_object_get (doc, "languages")), n_langs);
        if (strchr (expect [i][1], 'f')) {
            assert_string_equal (json_string_value (json_object_get (title, "fr")), "Accès à la formation");
            assert_string_equal (json_string_value (json_object_get (json_object_get (doc, "text"), "fr")),
                                 "Les cantons créent un guichet unique « CII ».");
        }
        else
            assert_null (json_object_get (title, "fr"));
        json_decref (doc);
        //  The same bytes every time (the signature and the file depend on it)
        char *again = s_payload (fx, expect [i][0]);
        assert_string_equal (json, again);
        free (again);
        free (json);
    }
}

static void
test_dir_adapter (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VD,VS");
    char *folder = unit_path (fx->dir, "vd-inbox");
    assert_int_equal (mkdir (folder, 0700), 0);
    s_set (fx, "VD", "dir", NULL, folder, NULL, NULL, 0);
    assert_int_equal (s_run_due (fx, &s_fast), 1);             //  VS has no adapter: waits
    char *file = unit_path (folder, S_REF ".v1.VD.json");
    char *written = unit_read (file, NULL);
    char *payload = s_payload (fx, "VD");
    assert_string_equal (written, payload);
    agent_push_entry_t vd = s_push (fx, "VD");
    assert_string_equal (vd.state, "pushed");
    assert_string_equal (vd.adapter, "dir");
    assert_string_equal (vd.detail, S_REF ".v1.VD.json");
    assert_int_equal (vd.attempts, 1);
    //  Its PUSH is in the outbox, one
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM outbox WHERE kind = 'push'"), 1);
    assert_string_equal (s_push (fx, "VS").state, "queued");
    //  Nothing else in the folder (no temporary file left), and nothing more to do
    assert_int_equal (s_run_due (fx, &s_fast), 0);
    char *temp = unit_path (folder, "." S_REF ".v1.VD.json.tmp");
    assert_int_equal (unit_mode (temp), -1);
    //  The hub's receipt of the PUSH is recorded
    char mid [AGENT_MESSAGE_ID_SIZE];
    s_message_id (fx, "SELECT message_id FROM pushes WHERE canton = 'VD'", mid);
    assert_int_equal (unit_agent_receipt (fx->store, mid, "PUSH-7", 1808000001000), CII_OK);
    assert_string_equal (s_push (fx, "VD").hub_ref, "PUSH-7");
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM outbox"), 0);
    //  A folder that went away: the push is retried, not lost
    s_set (fx, "VS", "dir", NULL, folder, NULL, NULL, 0);
    rmdir (folder);
    unlink (file);
    rmdir (folder);
    s_step_fails (fx, "VS", &s_fast, "vd-inbox");
    free (temp);
    free (payload);
    free (written);
    free (file);
    free (folder);
}

static void
test_exec_adapter (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VS");
    setenv ("PUSH_OUT", fx->dir, 1);
    char *script = s_script (fx, "push.sh", "#!/bin/sh\n"
                                            "cat > \"$PUSH_OUT/got.$CII_REF.v$CII_VERSION.$CII_CANTON\"\n"
                                            "echo \"$CII_LANG\" > \"$PUSH_OUT/lang\"\n"
                                            "echo 'accepted by the cantonal system'\n"
                                            "echo 'second line' >&2\n"
                                            "exit 0\n");
    s_set (fx, "VS", "exec", script, NULL, NULL, NULL, 5000);
    assert_int_equal (s_run_due (fx, &s_fast), 1);
    char *got_path = unit_path (fx->dir, "got." S_REF ".v1.VS");
    char *got = unit_read (got_path, NULL);
    char *payload = s_payload (fx, "VS");
    assert_string_equal (got, payload);
    char *lang_path = unit_path (fx->dir, "lang");
    char *lang = unit_read (lang_path, NULL);
    assert_string_equal (lang, "fr,de\n");
    agent_push_entry_t vs = s_push (fx, "VS");
    assert_string_equal (vs.state, "pushed");
    assert_string_equal (vs.detail, "exit 0: accepted by the cantonal system");
    free (lang);
    free (lang_path);
    free (payload);
    free (got);
    free (got_path);
    free (script);
}

//  A cantonal command that answers in bytes that are not text (Latin-1, a TAB, binary): the push
//  still ends, its detail one line of valid UTF-8, and its PUSH goes into the outbox.
static void
test_exec_output_not_text (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VS");
    char *script = s_script (fx, "latin1.sh", "#!/bin/sh\ncat > /dev/null\n"
                                              "printf 'accept\\351 par le syst\\350me\\tcantonal \\001\\377 \\303\\251t\\303\\251\\n'\n"
                                              "exit 0\n");
    s_set (fx, "VS", "exec", script, NULL, NULL, NULL, 5000);
    assert_int_equal (s_run_due (fx, &s_fast), 1);
    agent_push_entry_t vs = s_push (fx, "VS");
    assert_string_equal (vs.state, "pushed");
    assert_string_equal (vs.detail, "exit 0: accept? par le syst?me?cantonal ?? \xc3\xa9t\xc3\xa9");
    assert_true (cii_domain_line_valid (vs.detail, strlen (vs.detail)));
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM outbox WHERE kind = 'push'"), 1);
    free (script);
}

static void
test_exec_failures (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VD,VS");
    //  exit 1: retried with backoff, the first line kept
    char *fails = s_script (fx, "fails.sh", "#!/bin/sh\necho 'cantonal system down' >&2\nexit 1\n");
    s_set (fx, "VD", "exec", fails, NULL, NULL, NULL, 5000);
    agent_push_limits_t limits = { 60000, 60000, 3600000 };
    agent_push_entry_t vd = s_step_fails (fx, "VD", &limits, "exit 1: cantonal system down");
    assert_int_equal (vd.attempts, 1);
    assert_true (vd.next_attempt_ms > cii_util_now_ms () + 50000);
    assert_false (s_step (fx, &limits));                        //  not due again yet
    //  A command that hangs (and leaves a child behind): killed with its group at the limit
    char *hangs = s_script (fx, "hangs.sh", "#!/bin/sh\nsleep 30 &\necho $! > \"$PUSH_OUT/child\"\n"
                                            "echo 'working'\nsleep 30\n");
    setenv ("PUSH_OUT", fx->dir, 1);
    s_set (fx, "VS", "exec", hangs, NULL, NULL, NULL, 1000);
    int64_t start = cii_util_mono_ms ();
    assert_true (s_step (fx, &limits));
    int64_t took = cii_util_mono_ms () - start;
    assert_true (took >= 1000 && took < 4000);
    agent_push_entry_t vs = s_push (fx, "VS");
    assert_string_equal (vs.state, "queued");
    assert_non_null (strstr (vs.last_error, "no exit within 1 s (killed): working"));
    char *child_path = unit_path (fx->dir, "child");
    char *child = unit_read (child_path, NULL);
    pid_t pid = (pid_t) atoi (child);
    assert_true (pid > 0);
    int64_t until = cii_util_mono_ms () + 2000;
    while (kill (pid, 0) == 0 && cii_util_mono_ms () < until)
        usleep (10000);
    assert_int_not_equal (kill (pid, 0), 0);                    //  the whole group is gone
    //  Giving up: failed with the reason, its PUSH queued; shown by status
    agent_push_limits_t give_up = { 1, 1, 1 };
    usleep (5000);
    assert_int_equal (agent_store_exec (fx->store, "UPDATE pushes SET next_attempt_ms = 0 WHERE canton = 'VD'", NULL),
                      CII_OK);                                  //  its next attempt is due
    assert_true (s_step (fx, &give_up));
    vd = s_push (fx, "VD");
    assert_string_equal (vd.state, "failed");
    assert_non_null (strstr (vd.last_error, "gave up after 1 attempt: exec"));
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM outbox WHERE kind = 'push'"), 1);
    //  Should the hub refuse that PUSH, the refusal is recorded on the push (which stays failed)
    char mid [AGENT_MESSAGE_ID_SIZE];
    s_message_id (fx, "SELECT message_id FROM outbox WHERE kind = 'push'", mid);
    assert_int_equal (agent_kinds_refused (fx->store, mid, 9, "test refusal", NULL), CII_OK);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM pushes WHERE canton = 'VD'"
                                                 " AND state = 'failed' AND refused_code = 9"
                                                 " AND refused_text = 'test refusal'"), 1);
    assert_int_equal (unit_agent_int (fx->store, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", fx->cli.agent->state, "status", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "pushes    1 queued, 0 pushed, 1 failed"));
    assert_non_null (strstr (fx->cli.run.out, "FAILED    push " S_REF ".v1.VD by exec: gave up after 1 attempt"));
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", fx->cli.agent->state, "status", "--json", NULL), 0);
    json_t *status = cii_json_parse (fx->cli.run.out, strlen (fx->cli.run.out), NULL);
    json_t *pushes = json_object_get (status, "pushes");
    assert_int_equal (json_integer_value (json_object_get (pushes, "failed")), 1);
    assert_string_equal (json_string_value (json_object_get (json_array_get (json_object_get (pushes, "failures"), 0),
                                                             "canton")), "VD");
    json_decref (status);
    free (child);
    free (child_path);
    free (hangs);
    free (fails);
}

//  --------------------------------------------------------------------------------------------
//  Webhook, against the sink process

static void
s_sink_start (s_fixture_t *fx, const char *mode)
{
    char *records = unit_path (fx->dir, "sink");
    mkdir (records, 0700);
    char *port_file = unit_path (fx->dir, "sink.port");
    fx->sink = fork ();
    assert_true (fx->sink >= 0);
    if (fx->sink == 0) {
        execl (WEBHOOK_SINK_BIN, WEBHOOK_SINK_BIN, "--dir", records, "--port-file", port_file, "--mode", mode,
               (char *) NULL);
        _exit (127);
    }
    int64_t until = cii_util_mono_ms () + 5000;
    while (unit_mode (port_file) < 0 && cii_util_mono_ms () < until)
        usleep (10000);
    char *port = unit_read (port_file, NULL);
    fx->sink_port = atoi (port);
    assert_true (fx->sink_port > 0);
    free (port);
    free (port_file);
    free (records);
}

static void
s_sink_mode (s_fixture_t *fx, const char *mode)
{
    char *path = unit_path (fx->dir, "sink/mode");
    unit_write_text (path, mode);
    free (path);
}

//  Request n as the sink recorded it (free both).
static void
s_sink_request (s_fixture_t *fx, int n, char **headers_p, char **body_p, size_t *size_p)
{
    char name [64];
    snprintf (name, sizeof name, "sink/%d.headers", n);
    char *path = unit_path (fx->dir, name);
    *headers_p = unit_read (path, NULL);
    free (path);
    snprintf (name, sizeof name, "sink/%d.body", n);
    path = unit_path (fx->dir, name);
    *body_p = unit_read (path, size_p);
    free (path);
}

//  The value of header name in a recorded header block, into buf.
static const char *
s_header (const char *headers, const char *name, char *buf, size_t size)
{
    buf [0] = '\0';
    size_t len = strlen (name);
    for (const char *line = headers; line; line = strstr (line, "\r\n") ? strstr (line, "\r\n") + 2 : NULL)
        if (strncasecmp (line, name, len) == 0 && line [len] == ':') {
            const char *value = line + len + 1;
            while (*value == ' ')
                value++;
            size_t n = strcspn (value, "\r\n");
            snprintf (buf, size, "%.*s", (int) (n < size ? n : size - 1), value);
            break;
        }
    return buf;
}

static char *
s_secret (s_fixture_t *fx, const char *text, int mode)
{
    char *path = unit_path (fx->dir, "secret");
    unlink (path);
    unit_write_text (path, text);
    chmod (path, (mode_t) mode);
    return path;
}

static void
test_webhook_signed_and_retried_with_same_key (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "GR");
    s_sink_start (fx, "500");
    char *secret = s_secret (fx, "s3cret-key\n", 0600);
    char url [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/cii/push", fx->sink_port);
    s_set (fx, "GR", "webhook", NULL, NULL, url, secret, 5000);
    //  500: failed attempt, retried later
    s_step_fails (fx, "GR", &s_fast, "HTTP 500: sink says no");
    //  Then 200
    s_sink_mode (fx, "200");
    usleep (2000);
    assert_true (s_step (fx, &s_fast));
    agent_push_entry_t gr = s_push (fx, "GR");
    assert_string_equal (gr.state, "pushed");
    assert_string_equal (gr.detail, "HTTP 200");
    assert_int_equal (gr.attempts, 2);
    //  Both requests: the same key, the same body, a signature that checks
    char *payload = s_payload (fx, "GR");
    for (int n = 1; n <= 2; n++) {
        char *headers = NULL, *body = NULL;
        size_t size = 0;
        s_sink_request (fx, n, &headers, &body, &size);
        assert_true (strncmp (headers, "POST /cii/push HTTP/1.1\r\n", 25) == 0);
        char value [256];
        assert_string_equal (s_header (headers, "Idempotency-Key", value, sizeof value), S_REF ".v1.GR");
        assert_string_equal (s_header (headers, "Content-Type", value, sizeof value), "application/json");
        assert_string_equal (body, payload);
        unsigned char mac [EVP_MAX_MD_SIZE];
        unsigned int mac_size = 0;
        assert_non_null (HMAC (EVP_sha256 (), "s3cret-key", 10, (const unsigned char *) body, size, mac, &mac_size));
        char expect [80] = "sha256=";
        for (unsigned int i = 0; i < mac_size; i++)
            snprintf (expect + 7 + 2 * i, sizeof expect - 7 - 2 * i, "%02x", mac [i]);
        assert_string_equal (s_header (headers, "X-CII-Signature", value, sizeof value), expect);
        free (headers);
        free (body);
    }
    free (payload);
    free (secret);
}

static void
test_webhook_failures (void **state)
{
    s_fixture_t *fx = *state;
    s_recommend_ok (fx, 1, "VD");
    s_sink_start (fx, "302");
    char *secret = s_secret (fx, "k", 0400);
    char url [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/hook", fx->sink_port);
    s_set (fx, "VD", "webhook", NULL, NULL, url, secret, 1000);
    //  A redirect is not followed
    s_step_fails (fx, "VD", &s_fast, "HTTP 302 redirect to http://127.0.0.1:9/elsewhere (not followed)");
    //  A server that does not answer: the time limit
    s_sink_mode (fx, "hang");
    usleep (2000);
    int64_t start = cii_util_mono_ms ();
    assert_true (s_step (fx, &s_fast));
    assert_true (cii_util_mono_ms () - start < 4000);
    agent_push_entry_t vd = s_push (fx, "VD");
    assert_non_null (strstr (vd.last_error, "no answer within 1 s"));
    assert_string_equal (vd.state, "queued");
    //  Nobody listening
    s_sink_mode (fx, "200");
    snprintf (url, sizeof url, "http://127.0.0.1:9/hook");
    s_set (fx, "VD", "webhook", NULL, NULL, url, secret, 1000);
    usleep (2000);
    assert_true (s_step (fx, &s_fast));
    assert_string_equal (s_push (fx, "VD").state, "queued");
    //  Refused at canton set: plain http elsewhere, a secret readable by others, no secret
    agent_canton_push_t push;
    memset (&push, 0, sizeof push);
    strcpy (push.canton, "VD");
    strcpy (push.adapter, "webhook");
    strcpy (push.url, "http://example.org/hook");
    snprintf (push.secret_file, sizeof push.secret_file, "%s", secret);
    push.timeout_ms = 1000;
    cii_err_t err;
    assert_int_equal (agent_push_canton_set (fx->store, &push, &err), CII_REFUSED);
    assert_non_null (strstr (err.text, "plain http is allowed only to loopback"));
    strcpy (push.url, "https://example.org/hook");
    chmod (secret, 0644);
    assert_int_equal (agent_push_canton_set (fx->store, &push, &err), CII_REFUSED);
    assert_non_null (strstr (err.text, "by group or others"));
    //  ... and at push: the stored secret loosened since is refused, nothing sent
    usleep (5000);                                              //  the retry is due (1 ms backoff)
    assert_true (s_step (fx, &s_fast));
    assert_non_null (strstr (s_push (fx, "VD").last_error, "by group or others"));
    free (secret);
}

//  The agent's digests against published vectors, not only against OpenSSL: X-CII-Signature is
//  HMAC-SHA256 as RFC 4231 test cases 2 and 6 (6: a 131-byte key, longer than SHA-256's block,
//  hashed first), the webhook adapter called directly; a report file's SHA-256 is FIPS 180-2's
//  "abc", seen by the import as the digest of a report stored before (imported before, not
//  rejected as the JSON it is not).
static void
test_digest_vectors (void **state)
{
    s_fixture_t *fx = *state;
    s_sink_start (fx, "200");
    char url [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/vectors", fx->sink_port);
    char long_key [132];
    memset (long_key, 0xaa, 131);
    long_key [131] = '\0';
    const struct {
        const char *key;
        const char *data;
        const char *signature;
    } vectors [] = {
        { "Jefe", "what do ya want for nothing?",
          "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { long_key, "Test Using Larger Than Block-Size Key - Hash Key First",
          "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    };
    for (int i = 0; i < 2; i++) {
        char *secret = s_secret (fx, vectors [i].key, 0600);
        agent_adapter_target_t target = { .url = url, .secret_file = secret, .timeout_ms = 5000 };
        agent_adapter_job_t job = { .ref = S_REF, .version = 1, .canton = "VD", .languages = "fr",
                                    .idem_key = S_REF ".v1.VD", .body = vectors [i].data,
                                    .size = strlen (vectors [i].data) };
        char detail [AGENT_ADAPTER_DETAIL];
        cii_err_t err;
        if (agent_adapter_webhook.push (&target, &job, detail, &err) != CII_OK)
            fail_msg ("push: %s", err.text);
        assert_string_equal (detail, "HTTP 200");
        char *headers = NULL, *body = NULL;
        size_t size = 0;
        s_sink_request (fx, i + 1, &headers, &body, &size);
        assert_string_equal (body, vectors [i].data);
        char value [256];
        assert_string_equal (s_header (headers, "X-CII-Signature", value, sizeof value), vectors [i].signature);
        free (headers);
        free (body);
        free (secret);
    }

    s_recommend_ok (fx, 1, "VD");
    agent_report_input_t input = {
        .ref = S_REF, .canton = "VD", .state = "planned", .source = "file", .file_name = "abc.json",
        .file_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" };
    agent_reported_t reported;
    cii_err_t err;
    if (agent_reports_add (fx->store, &input, &reported, &err) != CII_OK)
        fail_msg ("report: %s", err.text);
    agent_reports_summary_t summary;
    assert_int_equal (agent_reports_import (fx->store, fx->cli.agent->state, &summary, &err), CII_OK);
    char path [600];
    snprintf (path, sizeof path, "%s/reports/VD/abc-again.json", fx->cli.agent->state);
    unit_write_text (path, "abc");
    assert_int_equal (agent_reports_import (fx->store, fx->cli.agent->state, &summary, &err), CII_OK);
    assert_int_equal (summary.duplicates, 1);
    assert_int_equal (summary.imported + summary.rejected + summary.left, 0);
    snprintf (path, sizeof path, "%s/reports/VD/done/abc-again.json", fx->cli.agent->state);
    assert_true (unit_mode (path) >= 0);
}

//  --------------------------------------------------------------------------------------------
//  The worker thread

static bool
s_wait_state (s_fixture_t *fx, const char *canton, const char *state, int timeout_ms)
{
    int64_t until = cii_util_mono_ms () + timeout_ms;
    while (cii_util_mono_ms () < until) {
        if (strcmp (s_push (fx, canton).state, state) == 0)
            return true;
        usleep (20000);
    }
    return false;
}

static void
test_worker (void **state)
{
    s_fixture_t *fx = *state;
    cii_err_t err;
    agent_push_worker_t *worker = agent_push_worker_new (fx->cli.agent->state, &err);
    assert_non_null (worker);
    //  A push queued while it runs is done by it; one waiting for an adapter starts once set
    s_recommend_ok (fx, 1, "VD,VS");
    s_set (fx, "VD", "dir", NULL, fx->dir, NULL, NULL, 0);
    assert_true (s_wait_state (fx, "VD", "pushed", 5000));
    assert_string_equal (s_push (fx, "VS").state, "queued");
    assert_int_equal (s_push (fx, "VS").attempts, 0);
    char *hangs = s_script (fx, "hangs.sh", "#!/bin/sh\nsleep 30\n");
    s_set (fx, "VS", "exec", hangs, NULL, NULL, NULL, 60000);
    int64_t until = cii_util_mono_ms () + 5000;
    while (s_push (fx, "VS").attempts == 0 && cii_util_mono_ms () < until)
        usleep (20000);
    assert_int_equal (s_push (fx, "VS").attempts, 1);
    //  The store stays usable meanwhile (the attempt holds no lock) ...
    s_recommend_ok (fx, 2, "VD");
    //  ... and stopping interrupts the hanging command at once: the push stays queued, due now
    int64_t start = cii_util_mono_ms ();
    agent_push_worker_destroy (&worker);
    assert_null (worker);
    assert_true (cii_util_mono_ms () - start < 3000);
    agent_push_entry_t vs = s_push (fx, "VS");
    assert_string_equal (vs.state, "queued");
    assert_non_null (strstr (vs.last_error, "interrupted"));
    assert_true (vs.next_attempt_ms <= cii_util_now_ms ());
    free (hangs);
}

//  --------------------------------------------------------------------------------------------
//  The CLI

static void
test_cli_canton_set_and_cantons (void **state)
{
    s_fixture_t *fx = *state;
    const char *dir = fx->cli.agent->state;
    s_recommend_ok (fx, 1, "VD,VS");
    //  Bad usage and refusals
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", NULL), 2);
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "ftp", NULL), 2);
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "dir",
                                          "--url", "https://x", NULL), 2);
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "ZH", "--push", "none", NULL), 1);
    assert_non_null (strstr (fx->cli.run.err, "canton ZH is not of network lemanique"));
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "exec",
                                          "--command", "/nonexistent/push", NULL), 1);
    assert_non_null (strstr (fx->cli.run.err, "--command /nonexistent/push"));
    char *plain = unit_path (fx->dir, "plain.txt");
    unit_write_text (plain, "not a program");
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "exec",
                                          "--command", plain, NULL), 1);
    assert_non_null (strstr (fx->cli.run.err, "not executable"));
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "dir",
                                          "--path", plain, NULL), 1);
    assert_non_null (strstr (fx->cli.run.err, "not a directory"));
    //  Set, then list
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "dir",
                                          "--path", fx->dir, NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "canton VD pushes by dir to"));
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "cantons", "--json", NULL), 0);
    json_t *list = cii_json_parse (fx->cli.run.out, strlen (fx->cli.run.out), NULL);
    assert_int_equal (json_array_size (list), 4);
    json_t *vd = json_array_get (list, 0), *vs = json_array_get (list, 1), *gr = json_array_get (list, 3);
    assert_string_equal (json_string_value (json_object_get (vd, "canton")), "VD");
    assert_string_equal (json_string_value (json_object_get (vd, "adapter")), "dir");
    assert_string_equal (json_string_value (json_object_get (vd, "target")), fx->dir);
    assert_int_equal (json_integer_value (json_object_get (vd, "queued")), 1);
    assert_string_equal (json_string_value (json_object_get (vs, "adapter")), "none");
    assert_int_equal (json_array_size (json_object_get (vs, "languages")), 2);
    assert_int_equal (json_array_size (json_object_get (gr, "languages")), 3);
    json_decref (list);
    assert_int_equal (s_run_due (fx, &s_fast), 1);
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "cantons", NULL), 0);
    char line [256];
    assert_non_null (strstr (unit_line (fx->cli.run.out, 1, line, sizeof line), "VD     fr        dir           0"
                                                                                  "      1      0"));
    //  Back to none
    assert_int_equal (unit_agent_cli_run (&fx->cli, "--state", dir, "canton", "set", "VD", "--push", "none", NULL), 0);
    free (plain);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_recommendation_queues_pushes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_payload_languages, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_dir_adapter, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_exec_adapter, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_exec_output_not_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_exec_failures, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_webhook_signed_and_retried_with_same_key, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_webhook_failures, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_digest_vectors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_worker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cli_canton_set_and_cantons, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
