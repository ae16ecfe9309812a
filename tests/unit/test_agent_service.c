/*  test_agent_service.c — unit tests of agent/service: setup (init from a bundle: checks, modes,
    nothing left behind; open), intake (the order of the checks, the canton-of-this-network rule
    with the cantons of the last WELCOME, --body-file read with a bound, import all or none with
    the file and entry named), and the status (the recorded daemon alive, killed, or stopped). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_import.h"
#include "agent_intake.h"
#include "agent_query.h"
#include "agent_setup.h"
#include "agent_store_config.h"
#include "agent_store_outbox.h"
#include "agent_store_status.h"
#include "cii_migration.h"
#include "unit_agent.h"
#include "unit_bundle.h"
#include "unit_fs.h"

typedef struct {
    unit_agent_t *agent;          //  directory, state path, bundle, scratch file
    agent_store_t *store;
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    fx->agent = unit_agent_new ("agent-service", "lemanique", "VD,VS,GE", "tcp://127.0.0.1:7300");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_destroy (&fx->store);
    unit_agent_destroy (&fx->agent);
    free (fx);
    return 0;
}

//  Initialised and open.
static void
s_init (s_fixture_t *fx)
{
    fx->store = unit_agent_init (fx->agent, NULL);
}

//  A signal as `signal add` would give it: canton and title, a body, health.
static agent_signal_input_t
s_input (const char *canton, const char *title)
{
    return (agent_signal_input_t) {
        .canton = canton, .title = title, .body = "Description.", .institutions = "health",
    };
}

//  agent_intake_add; the reason of a refusal into err.
static cii_rc_t
s_add (s_fixture_t *fx, const agent_signal_input_t *input, agent_queued_t *queued, cii_err_t *err)
{
    agent_queued_t local;
    cii_err_clear (err);
    return agent_intake_add (fx->store, input, queued ? queued : &local, err);
}

//  A file of size bytes that holds nothing (sparse): reading it would take long, refusing it not.
static void
s_sparse (const char *path, off_t size)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (ftruncate (fd, size), 0);
    close (fd);
}

//  --- setup ----------------------------------------------------------------------------------

static void
test_init_and_open (void **state)
{
    s_fixture_t *fx = *state;
    cii_err_t err;
    cii_bundle_t config;
    //  A bundle that is not there, or not a bundle
    assert_int_equal (agent_setup_init (fx->agent->state, "/nonexistent/bundle", &config, &err), CII_NOT_FOUND);
    unit_write_text (fx->agent->file, "not a bundle\n");
    assert_int_equal (agent_setup_init (fx->agent->state, fx->agent->file, &config, &err), CII_BAD_INPUT);
    //  A canton list that is not the network's cantons: nothing is created
    cii_bundle_t bad;
    char *bad_path = unit_path (fx->agent->root, "bad.bundle");
    unit_bundle_save (&bad, "lemanique", "VD,XX", "tcp://127.0.0.1:7300", bad_path);
    assert_int_equal (agent_setup_init (fx->agent->state, bad_path, &config, &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "invalid bundle/cantons"));
    assert_int_equal (unit_mode (fx->agent->state), -1);
    free (bad_path);
    bad_path = unit_path (fx->agent->root, "twice.bundle");
    unit_bundle_save (&bad, "lemanique", "VD,VD", "tcp://127.0.0.1:7300", bad_path);
    assert_int_equal (agent_setup_init (fx->agent->state, bad_path, &config, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "bundle canton list 'VD,VD' is not valid");
    assert_int_equal (unit_mode (fx->agent->state), -1);
    free (bad_path);

    //  Made: the configuration comes back without the secret, the files owner-only
    assert_int_equal (agent_setup_init (fx->agent->state, fx->agent->bundle_path, &config, &err), CII_OK);
    assert_string_equal (config.network, "lemanique");
    assert_string_equal (config.cantons, "VD,VS,GE");
    assert_string_equal (config.endpoint, "tcp://127.0.0.1:7300");
    assert_string_equal (config.agent_secret, "");
    assert_int_equal (unit_mode (fx->agent->state), 0700);
    char *db = unit_path (fx->agent->state, AGENT_STORE_FILE);
    assert_int_equal (unit_mode (db), 0600);
    free (db);
    assert_int_equal (agent_setup_init (fx->agent->state, fx->agent->bundle_path, &config, &err), CII_CONFLICT);
    assert_non_null (strstr (err.text, "already exists"));

    //  Open: the configuration, the secret included (the daemon needs it)
    fx->store = agent_setup_open (fx->agent->state, &config, &err);
    assert_non_null (fx->store);
    assert_string_equal (config.network, "lemanique");
    assert_int_equal (strlen (config.agent_secret), 40);
    assert_string_equal (agent_store_label (fx->store), "lemanique");
    //  An incomplete init is refused with the path
    assert_int_equal (agent_store_exec (fx->store, "DELETE FROM config", NULL), CII_OK);
    assert_null (agent_setup_open (fx->agent->state, NULL, &err));
    assert_int_equal (err.rc, CII_NOT_FOUND);
    assert_non_null (strstr (err.text, "agent.db: no network configured (incomplete init?)"));
    char *other = unit_path (fx->agent->root, "other");
    assert_null (agent_setup_open (other, NULL, &err));
    assert_non_null (strstr (err.text, "is not initialised"));
    free (other);
    char text [64];
    agent_setup_cantons_text ("VD,VS,GE", text, sizeof text);
    assert_string_equal (text, "VD, VS, GE");
}

//  --- intake ---------------------------------------------------------------------------------

static void
test_add_checks_in_order (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    cii_err_t err;
    //  The canton first, even when other fields are wrong too
    agent_signal_input_t input = s_input ("ZH", "T");
    input.institutions = "nope";
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_REFUSED);
    assert_string_equal (err.text, "canton ZH is not in network lemanique (VD, VS, GE)");
    input = s_input ("XY", "T");
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "unknown canton XY");
    input = s_input ("VD", "T");
    input.institutions = "health,nope";
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "unknown institution 'nope' (valid: unemployment,"));
    input = s_input ("VD", "T");
    input.target_groups = "everyone";
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    input = s_input ("VD", "T");
    input.lang = "en";
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "unknown language 'en' (valid: fr, de, it, rm)");
    //  The domain's limits last
    char title [CII_MAX_TITLE + 2];
    memset (title, 'x', CII_MAX_TITLE + 1);
    title [CII_MAX_TITLE + 1] = '\0';
    input = s_input ("VD", title);
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "signal refused: signal.title: 201 bytes, limit 200");
    input = s_input ("VD", "T");
    input.institutions = "";
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "signal refused: signal.institutions: missing, at least 1 required");
    assert_int_equal (unit_agent_outbox (fx->store), 0);

    //  Accepted: the canton in any case, the canton's first language
    agent_queued_t queued;
    input = s_input ("vs", "Übergänge");
    assert_int_equal (s_add (fx, &input, &queued, &err), CII_OK);
    assert_int_equal (queued.id, 1);
    assert_string_equal (queued.canton, "VS");
    assert_int_equal (strlen (queued.message_id), 36);
    assert_int_equal (unit_agent_outbox (fx->store), 1);

    //  The network's cantons are those of the last WELCOME: VS moved away, ZH came
    const char *welcome [] = { "GE", "VD", "ZH" };
    assert_int_equal (agent_store_cantons_set (fx->store, welcome, 3, NULL), CII_OK);
    input = s_input ("VS", "T");
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_REFUSED);
    assert_string_equal (err.text, "canton VS is not in network lemanique (GE, VD, ZH)");
    input = s_input ("ZH", "Zürich");
    assert_int_equal (s_add (fx, &input, &queued, &err), CII_OK);
    assert_int_equal (queued.id, 2);
}

static void
test_add_body_file (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    cii_err_t err;
    agent_signal_input_t input = s_input ("GE", "Fichier");
    input.body = NULL;
    input.body_file = fx->agent->file;
    //  Not there
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_NOT_FOUND);
    assert_non_null (strstr (err.text, "cannot read"));
    //  Invalid UTF-8
    unit_write (fx->agent->file, "caf\xc3", 4);
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "is not valid UTF-8 text"));
    //  Larger than a description may be: refused by its size, before it is read (1 GiB)
    s_sparse (fx->agent->file, 1024LL * 1024 * 1024);
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_BAD_INPUT);
    char expected [256];
    snprintf (expected, sizeof expected, "%s is larger than %d bytes", fx->agent->file, CII_MAX_TEXT);
    assert_string_equal (err.text, expected);
    //  At the limit: accepted, stored byte for byte
    char *body = malloc (CII_MAX_TEXT);
    assert_non_null (body);
    memset (body, 'a', CII_MAX_TEXT);
    memcpy (body, "Zürich\n\t", 9);
    unit_write (fx->agent->file, body, CII_MAX_TEXT);
    assert_int_equal (s_add (fx, &input, NULL, &err), CII_OK);
    free (body);
    assert_int_equal (unit_agent_outbox (fx->store), 1);
}

//  Collects the titles of the stored signals.
static bool
s_title (const agent_signal_row_t *row, void *arg)
{
    char *titles = arg;
    strcat (titles, row->title);
    strcat (titles, ";");
    return true;
}

static void
test_import_all_or_none (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    agent_queued_t *queued = NULL;
    size_t count = 99;
    cii_err_t err;
    //  Not there; larger than an import may be (refused by its size)
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_NOT_FOUND);
    s_sparse (fx->agent->file, AGENT_IMPORT_MAX_BYTES + 1);
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "is larger than"));
    //  The document, named with the file
    unit_write_text (fx->agent->file, "[{\"canton\":\"VD\",}]");
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_BAD_INPUT);
    char expected [512];
    snprintf (expected, sizeof expected, "%s: line 1, column 17: string or '}' expected near '}'", fx->agent->file);
    assert_string_equal (err.text, expected);
    //  An entry of another network: nothing imported
    unit_write_text (fx->agent->file, "[{\"canton\":\"VD\",\"title\":\"Un\",\"body\":\"x\",\"institutions\":[\"health\"]},"
                               " {\"canton\":\"TI\",\"title\":\"Deux\",\"body\":\"x\",\"institutions\":[\"health\"]}]");
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_REFUSED);
    snprintf (expected, sizeof expected,
              "%s: signal 2: canton TI is not in network lemanique (VD, VS, GE) (nothing imported)", fx->agent->file);
    assert_string_equal (err.text, expected);
    //  A limit: nothing imported either
    unit_write_text (fx->agent->file, "[{\"canton\":\"VD\",\"title\":\"Un\",\"body\":\"x\",\"institutions\":[\"health\"]},"
                               " {\"canton\":\"GE\",\"title\":\"\",\"body\":\"x\",\"institutions\":[\"health\"]}]");
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_BAD_INPUT);
    snprintf (expected, sizeof expected, "%s: signal 2 refused: signal.title: missing (nothing imported)", fx->agent->file);
    assert_string_equal (err.text, expected);
    assert_null (queued);
    assert_int_equal (count, 0);
    assert_int_equal (unit_agent_outbox (fx->store), 0);

    //  All of them, in document order, in one transaction
    unit_write_text (fx->agent->file, "[{\"canton\":\"vd\",\"title\":\"Un\",\"body\":\"x\",\"institutions\":[\"health\"]},"
                               " {\"canton\":\"GE\",\"title\":\"Deux\",\"body\":\"x\",\"institutions\":[\"migration\"],"
                               "\"lang\":\"it\"}]");
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_OK);
    assert_int_equal (count, 2);
    assert_int_equal (queued [0].id, 1);
    assert_string_equal (queued [0].canton, "VD");
    assert_int_equal (queued [1].id, 2);
    assert_string_equal (queued [1].canton, "GE");
    assert_string_not_equal (queued [0].message_id, queued [1].message_id);
    free (queued);
    char titles [64] = "";
    assert_int_equal (agent_query_signals (fx->store, s_title, titles, &count, NULL), CII_OK);
    assert_string_equal (titles, "Un;Deux;");
    assert_int_equal (unit_agent_outbox (fx->store), 2);
    //  An empty array imports nothing, successfully
    unit_write_text (fx->agent->file, "[]");
    assert_int_equal (agent_intake_import (fx->store, fx->agent->file, &queued, &count, &err), CII_OK);
    assert_int_equal (count, 0);
    free (queued);
}

//  --- status ---------------------------------------------------------------------------------

//  The pid of a process that has ended.
static pid_t
s_dead_pid (void)
{
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0)
        _exit (0);
    int status = 0;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    return pid;
}

static void
s_record (s_fixture_t *fx, const char *status, pid_t pid)
{
    assert_int_equal (agent_store_status_set (fx->store, status, "detail", NULL), CII_OK);
    char sql [96];
    snprintf (sql, sizeof sql, "UPDATE status SET value = '%d' WHERE key = 'pid'", (int) pid);
    assert_int_equal (agent_store_exec (fx->store, sql, NULL), CII_OK);
}

static void
test_status (void **state)
{
    s_fixture_t *fx = *state;
    s_init (fx);
    agent_status_t status;
    assert_int_equal (agent_query_status (fx->store, &status, NULL), CII_OK);
    assert_string_equal (status.config.network, "lemanique");
    assert_string_equal (status.config.cantons, "VD,VS,GE");
    assert_string_equal (status.config.agent_secret, "");
    assert_false (status.daemon_known);
    assert_false (status.running);
    assert_false (status.dead);
    assert_int_equal (status.outbox, 0);
    assert_int_equal (status.last_seq, 0);
    assert_true (status.epoch == 0);
    assert_false (status.replaced_recently);
    assert_int_equal (status.schema_version, cii_migration_latest (agent_migrations, agent_migrations_count));

    //  A daemon that runs (this process)
    s_record (fx, "connected", getpid ());
    assert_int_equal (agent_query_status (fx->store, &status, NULL), CII_OK);
    assert_true (status.daemon_known);
    assert_string_equal (status.daemon.status, "connected");
    assert_true (status.running);
    assert_false (status.dead);
    //  Killed outright: its last record says connected, its process is gone
    pid_t dead = s_dead_pid ();
    s_record (fx, "connected", dead);
    assert_int_equal (agent_query_status (fx->store, &status, NULL), CII_OK);
    assert_false (status.running);
    assert_true (status.dead);
    assert_int_equal (status.daemon.pid, dead);
    //  Stopped or revoked: gone, as it said
    s_record (fx, "stopped", dead);
    assert_int_equal (agent_query_status (fx->store, &status, NULL), CII_OK);
    assert_false (status.running);
    assert_false (status.dead);
    s_record (fx, "revoked", dead);
    assert_int_equal (agent_query_status (fx->store, &status, NULL), CII_OK);
    assert_false (status.dead);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_init_and_open, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_add_checks_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_add_body_file, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_import_all_or_none, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_status, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
