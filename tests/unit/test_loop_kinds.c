/*  test_loop_kinds.c — the whole loop in one process, through both programs' real code: the hub
    server and the agent daemon run as actors on a fresh PostgreSQL database and a fresh SQLite
    state, enrolled through the services. A signal and a notice travel as any user's would; then a
    test-only kind (tests/support/test_kinds.h, not in cii.proto) is registered on both sides and
    travels up (agent outbox -> hub ingest by its own shape -> receipt applied by its agent handler)
    and down (hub queue -> agent inbox -> its agent handler) with nothing else changed. And the
    hub's database restored from an older backup under an agent that holds more: the hub starts
    a new stream epoch, the agent enters it, and the new items reach it once each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "agent_daemon.h"
#include "agent_intake.h"
#include "agent_kinds.h"
#include "agent_setup.h"
#include "agent_store_inbox.h"
#include "agent_store_notices.h"
#include "agent_store_outbox.h"
#include "cii_codec.h"
#include "cii_util.h"
#include "hub_enrol.h"
#include "hub_kinds.h"
#include "hub_notices.h"
#include "hub_server.h"
#include "hub_setup.h"
#include "hub_store_downward.h"
#include "test_kinds.h"
#include "unit_agent.h"
#include "unit_hub.h"

#define S_WAIT_MS 10000

//  What the agent's test handlers saw (they run in the daemon's thread).
static _Atomic int64_t s_receipt_ref_id = -1;
static char s_receipt_ref [32];
static _Atomic int64_t s_down_number = -1;

static cii_rc_t
s_probe_down (agent_store_t *store, int64_t seq, const ProtobufCMessage *item, cii_err_t *err)
{
    (void) store;
    (void) seq;
    (void) err;
    atomic_store (&s_down_number, ((const CiiTest__Probe *) item)->number);
    return CII_OK;
}

static cii_rc_t
s_probe_receipt (agent_store_t *store, int64_t ref_id, const char *hub_ref, int64_t at, cii_err_t *err)
{
    (void) store;
    (void) at;
    (void) err;
    snprintf (s_receipt_ref, sizeof s_receipt_ref, "%s", hub_ref);
    atomic_store (&s_receipt_ref_id, ref_id);
    return CII_OK;
}

static const agent_down_handler_t s_agent_down = { "probe-down", s_probe_down };
static const agent_up_handler_t s_agent_up = { "probe-up", s_probe_receipt, NULL };

static void
s_hub_probe_view (const ProtobufCMessage *item, void *domain)
{
    const CiiTest__Probe *probe = (const CiiTest__Probe *) item;
    unit_probe_t *out = domain;
    out->text = probe->text;
    out->number = probe->number;
}

static cii_rc_t
s_hub_probe_authorise (const hub_registry_t *registry, const char *network, const void *domain, cii_err_t *err)
{
    (void) registry;
    (void) network;
    (void) domain;
    (void) err;
    return CII_OK;
}

static hub_upward_kind_t s_hub_up = {
    &test_kind_probe_up, sizeof (unit_probe_t), s_hub_probe_view, s_hub_probe_authorise, &unit_hub_probe_shape,
    NULL
};

//  Polls cond (with a fresh look at the agent's state each time) until true or S_WAIT_MS.
typedef bool (s_cond_fn) (void *arg);

static bool
s_wait (s_cond_fn *cond, void *arg)
{
    for (int64_t deadline = zclock_mono () + S_WAIT_MS; zclock_mono () < deadline; zclock_sleep (20))
        if (cond (arg))
            return true;
    return cond (arg);
}

typedef struct {
    unit_hub_t *hub;
    unit_agent_t *agent;
    const char *sql;
    long expected;
} s_check_t;

static bool
s_sql_is (void *arg)
{
    s_check_t *check = arg;
    return unit_pg_int (check->hub->pg, "%s", check->sql) == check->expected;
}

static bool
s_outbox_empty (void *arg)
{
    s_check_t *check = arg;
    cii_err_t err;
    agent_store_t *store = agent_setup_open (check->agent->state, NULL, &err);
    int64_t count = -1;
    if (store)
        agent_store_outbox_count (store, &count, &err);
    agent_store_destroy (&store);
    return count == 0;
}

static bool
s_count_inbox (const agent_inbox_item_t *item, void *arg)
{
    (void) item;
    (void) arg;
    return true;
}

static bool
s_inbox_has (void *arg)
{
    s_check_t *check = arg;
    cii_err_t err;
    agent_store_t *store = agent_setup_open (check->agent->state, NULL, &err);
    size_t count = 0;
    if (store)
        agent_store_inbox_each (store, check->sql, s_count_inbox, NULL, &count, &err);
    agent_store_destroy (&store);
    return (long) count == check->expected;
}

static bool
s_receipt_seen (void *arg)
{
    return atomic_load (&s_receipt_ref_id) == *(int64_t *) arg;
}

static bool
s_down_seen (void *arg)
{
    return atomic_load (&s_down_number) == *(int64_t *) arg;
}

static void
test_loop (void **state)
{
    (void) state;
    unit_hub_t *hub = unit_hub_new ("loop", true);
    unit_hub_probe_table (hub);
    //  The hub: its key pair, then the server as an actor on a free port
    cii_err_t err;
    hub_setup_info_t info;
    assert_int_equal (hub_setup_init (hub->store, hub->dir, &info, &err), CII_OK);
    hub_server_config_t config = { .conninfo = hub->pg->conninfo, .certs_dir = hub->dir, .bind = "tcp://127.0.0.1:*" };
    zactor_t *server = zactor_new (hub_server_actor, &config);
    char *status = NULL, *endpoint = NULL, *key = NULL;
    assert_int_equal (zsock_recv (server, "sss", &status, &endpoint, &key), 0);
    assert_string_equal (status, "READY");

    //  The agent: enrolled by the bureau's service, initialised from the bundle, daemon started
    unit_agent_t *agent = unit_agent_new ("loop", "lemanique", "GE,VD,VS", endpoint);
    char bundle [600];
    snprintf (bundle, sizeof bundle, "%s/lemanique-loop.bundle", agent->root);
    hub_enrolled_t enrolled;
    if (hub_enrol_agent (hub->store, "lemanique", endpoint, bundle, &enrolled, &err) != CII_OK)
        fail_msg ("enrol: %s", err.text);
    if (agent_setup_init (agent->state, bundle, NULL, &err) != CII_OK)
        fail_msg ("agent init: %s", err.text);
    assert_int_equal (test_kinds_register (), CII_OK);
    assert_int_equal (hub_kinds_register_upward (&s_hub_up), CII_OK);
    assert_int_equal (agent_kinds_register_down (&s_agent_down), CII_OK);
    assert_int_equal (agent_kinds_register_up (&s_agent_up), CII_OK);
    zactor_t *daemon = zactor_new (agent_daemon_actor, (void *) agent->state);
    assert_non_null (daemon);
    s_check_t check = { hub, agent, NULL, 0 };

    //  1. A signal, as a coordinator adds it, stored at the hub exactly once
    agent_store_t *store = agent_setup_open (agent->state, NULL, &err);
    assert_non_null (store);
    agent_signal_input_t input = { .canton = "vd", .title = "Accès des jeunes à la formation",
                                   .body = "Les jeunes arrivés tard n'ont pas accès aux mesures.",
                                   .institutions = "vocational-training, migration", .lang = "fr" };
    agent_queued_t queued;
    if (agent_intake_add (store, &input, &queued, &err) != CII_OK)
        fail_msg ("signal: %s", err.text);
    agent_store_destroy (&store);
    check.sql = "SELECT count(*) FROM signals WHERE title = 'Accès des jeunes à la formation'";
    check.expected = 1;
    assert_true (s_wait (s_sql_is, &check));
    assert_true (s_wait (s_outbox_empty, &check));

    //  2. A notice, as the bureau sends it, held by the agent and acknowledged
    cii_notice_t notice = { .title = "Séance du CDC", .text = "Die nächste Sitzung findet am 3. März statt." };
    hub_notice_sent_t sent;
    if (hub_notices_send (hub->store, &notice, &sent, &err) != CII_OK)
        fail_msg ("notice: %s", err.text);
    check.sql = "notice";
    check.expected = 1;
    assert_true (s_wait (s_inbox_has, &check));
    check.sql = "SELECT count(*) FROM downward WHERE acked_at IS NOT NULL";
    assert_true (s_wait (s_sql_is, &check));

    //  3. The test-only kind upward: outbox -> hub's generic ingest with its shape -> receipt
    store = agent_setup_open (agent->state, NULL, &err);
    CiiTest__Probe probe = CII_TEST__PROBE__INIT;
    probe.text = "Grüezi vom Agenten";
    probe.number = 42;
    char message_id [37];
    cii_util_uuid (message_id);
    int64_t ref_id = 4242;
    assert_int_equal (agent_store_outbox_add (store, &test_kind_probe_up, &probe.base, ref_id, message_id, &err), CII_OK);
    agent_store_destroy (&store);
    assert_true (s_wait (s_receipt_seen, &ref_id));
    assert_true (strncmp (s_receipt_ref, "PRB-", 4) == 0);
    check.sql = "SELECT count(*) FROM probes WHERE text = 'Grüezi vom Agenten' AND number = 42";
    check.expected = 1;
    assert_true (s_wait (s_sql_is, &check));
    assert_true (s_wait (s_outbox_empty, &check));

    //  4. The test-only kind downward: hub queue -> agent inbox -> its handler, acknowledged
    CiiTest__Probe down = CII_TEST__PROBE__INIT;
    down.text = "Salut d'en haut";
    down.number = 7;
    uint8_t *body = NULL;
    size_t size = 0;
    assert_int_equal (cii_codec_item_pack (&test_kind_probe_down, &down.base, &body, &size, NULL), CII_OK);
    const char *only [] = { "lemanique" };
    assert_int_equal (hub_store_downward_queue (hub->store, "probe-down", body, size, only, 1, "probe:1", NULL),
                      CII_OK);
    free (body);
    int64_t seven = 7;
    assert_true (s_wait (s_down_seen, &seven));
    check.sql = "probe-down";
    check.expected = 1;
    assert_true (s_wait (s_inbox_has, &check));
    check.sql = "SELECT count(*) FROM downward WHERE subject = 'probe:1' AND acked_at IS NOT NULL";
    assert_true (s_wait (s_sql_is, &check));

    zactor_destroy (&daemon);
    zactor_destroy (&server);
    agent_kinds_unregister_down (&s_agent_down);
    agent_kinds_unregister_up (&s_agent_up);
    hub_kinds_unregister_upward (&s_hub_up);
    test_kinds_unregister ();
    zstr_free (&status);
    zstr_free (&endpoint);
    zstr_free (&key);
    unit_agent_destroy (&agent);
    unit_hub_destroy (&hub);
}

static bool
s_notice_title (const agent_notice_row_t *row, void *arg)
{
    char *titles = arg;
    size_t len = strlen (titles);
    snprintf (titles + len, 1024 - len, "%s%s", len ? "|" : "", row->title);
    return true;
}

//  The agent's position, "EPOCH:SEQ".
static void
s_position (unit_agent_t *agent, char *out, size_t size)
{
    cii_err_t err;
    agent_store_t *store = agent_setup_open (agent->state, NULL, &err);
    assert_non_null (store);
    uint64_t epoch = 0;
    int64_t seq = 0;
    assert_int_equal (agent_store_inbox_position (store, &epoch, &seq, &err), CII_OK);
    agent_store_destroy (&store);
    snprintf (out, size, "%" PRIu64 ":%" PRId64, epoch, seq);
}

static bool
s_position_is (void *arg)
{
    s_check_t *check = arg;
    char position [48];
    s_position (check->agent, position, sizeof position);
    return streq (position, check->sql);
}

static void
s_notice_send (unit_hub_t *hub, const char *title)
{
    cii_notice_t notice = { .title = title, .text = "Texte de l'avis." };
    hub_notice_sent_t sent;
    cii_err_t err;
    if (hub_notices_send (hub->store, &notice, &sent, &err) != CII_OK)
        fail_msg ("notice: %s", err.text);
}

//  The agent holds notices 1..10; the hub's database is put back to a backup taken at 5 (its
//  agents row and downward queue as they were then, with the hub stopped); the agent reconnects
//  by itself to the restarted hub, which starts a new epoch at 5; the notices sent after are
//  numbered 6, 7, stored by the agent in the new epoch and acknowledged. Every notice is held
//  once: the ten of before and the two of after.
static void
test_restore_from_backup (void **state)
{
    (void) state;
    unit_hub_t *hub = unit_hub_new ("restore", true);
    cii_err_t err;
    hub_setup_info_t info;
    assert_int_equal (hub_setup_init (hub->store, hub->dir, &info, &err), CII_OK);
    hub_server_config_t config = { .conninfo = hub->pg->conninfo, .certs_dir = hub->dir, .bind = "tcp://127.0.0.1:*" };
    zactor_t *server = zactor_new (hub_server_actor, &config);
    char *status = NULL, *endpoint = NULL, *key = NULL;
    assert_int_equal (zsock_recv (server, "sss", &status, &endpoint, &key), 0);
    assert_string_equal (status, "READY");
    unit_agent_t *agent = unit_agent_new ("restore", "lemanique", "GE,VD,VS", endpoint);
    char bundle [600];
    snprintf (bundle, sizeof bundle, "%s/lemanique-restore.bundle", agent->root);
    hub_enrolled_t enrolled;
    if (hub_enrol_agent (hub->store, "lemanique", endpoint, bundle, &enrolled, &err) != CII_OK)
        fail_msg ("enrol: %s", err.text);
    if (agent_setup_init (agent->state, bundle, NULL, &err) != CII_OK)
        fail_msg ("agent init: %s", err.text);
    zactor_t *daemon = zactor_new (agent_daemon_actor, (void *) agent->state);
    assert_non_null (daemon);
    s_check_t check = { hub, agent, NULL, 0 };

    char title [32];
    for (int i = 1; i <= 10; i++) {
        snprintf (title, sizeof title, "Avis %d", i);
        s_notice_send (hub, title);
    }
    check.sql = "0:10";
    assert_true (s_wait (s_position_is, &check));
    check.sql = "SELECT acked_seq FROM agents WHERE network = 'lemanique'";
    check.expected = 10;
    assert_true (s_wait (s_sql_is, &check));

    //  The restore, with the hub stopped (the agent keeps running and reconnecting)
    zactor_destroy (&server);
    unit_pg_exec (hub->pg, "DELETE FROM downward WHERE seq > 5");
    unit_pg_exec (hub->pg, "DELETE FROM notices WHERE id > 5");
    unit_pg_exec (hub->pg, "UPDATE downward_heads SET last_seq = 5; UPDATE agents SET acked_seq = 5");
    hub_server_config_t again = { .conninfo = hub->pg->conninfo, .certs_dir = hub->dir, .bind = endpoint };
    server = zactor_new (hub_server_actor, &again);
    zstr_free (&status);
    char *endpoint_again = NULL, *key_again = NULL;
    assert_int_equal (zsock_recv (server, "sss", &status, &endpoint_again, &key_again), 0);
    assert_string_equal (status, "READY");
    check.sql = "SELECT count(*) FROM agents JOIN downward_heads h ON h.agent_id = id "
                "WHERE epoch <> 0 AND epoch_start = 5 AND h.last_seq = 5";
    check.expected = 1;
    assert_true (s_wait (s_sql_is, &check));
    long long epoch = unit_pg_int (hub->pg, "SELECT epoch FROM agents");
    char position [48];
    snprintf (position, sizeof position, "%lld:5", epoch);
    check.sql = position;
    assert_true (s_wait (s_position_is, &check));

    s_notice_send (hub, "Après la restauration");
    s_notice_send (hub, "Après la restauration, deux");
    snprintf (position, sizeof position, "%lld:7", epoch);
    assert_true (s_wait (s_position_is, &check));
    check.sql = "SELECT acked_seq FROM agents WHERE network = 'lemanique'";
    check.expected = 7;
    assert_true (s_wait (s_sql_is, &check));
    check.sql = "SELECT count(*) FROM downward WHERE acked_at IS NOT NULL AND seq > 5";
    check.expected = 2;
    assert_true (s_wait (s_sql_is, &check));
    zclock_sleep (500);                   //  nothing more comes: no item twice
    agent_store_t *store = agent_setup_open (agent->state, NULL, &err);
    assert_non_null (store);
    char titles [1024] = "";
    size_t count = 0;
    assert_int_equal (agent_store_notices_each (store, s_notice_title, titles, &count, &err), CII_OK);
    assert_int_equal (count, 12);
    assert_string_equal (titles, "Avis 1|Avis 2|Avis 3|Avis 4|Avis 5|Avis 6|Avis 7|Avis 8|Avis 9|Avis 10|"
                                 "Après la restauration|Après la restauration, deux");
    agent_store_destroy (&store);

    zactor_destroy (&daemon);
    zactor_destroy (&server);
    zstr_free (&status);
    zstr_free (&endpoint);
    zstr_free (&key);
    zstr_free (&endpoint_again);
    zstr_free (&key_again);
    unit_agent_destroy (&agent);
    unit_hub_destroy (&hub);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_loop),
        cmocka_unit_test (test_restore_from_backup),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
