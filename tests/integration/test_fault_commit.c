/*  test_fault_commit.c — integration, fault injection (U3, U4, U8): the hub must never send the
    receipt of a message before it is committed. A DEFERRABLE INITIALLY DEFERRED constraint trigger
    the test creates on the hub's signals fails at COMMIT for a marked signal. On the wire (a raw
    agent, a batch of six held together): no RECEIPT for the marked message, and every RECEIPT that
    does come names a message already committed when it arrives; once the trigger is gone every
    message is stored exactly once and receipted, those receipted before with their original
    reference. With a real agent: the marked signal stays pending, neither delivered nor refused,
    and is stored exactly once after the trigger is dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define S_MARK "[fail at commit]"

static const char s_function[] =
    "CREATE FUNCTION fault_commit () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF NEW.title LIKE '%" S_MARK "%' THEN"
    "   RAISE EXCEPTION 'injected fault at commit: %', NEW.message_id;"
    " END IF; RETURN NULL; END $$";
static const char s_trigger[] =
    "CREATE CONSTRAINT TRIGGER fault_commit AFTER INSERT ON signals"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_commit ()";

static it_raw_t *s_raw_session (it_agent_t *agent)
{
    cii_bundle_t bundle;
    assert_int_equal (cii_bundle_load (&bundle, agent->bundle, NULL), CII_OK);
    it_raw_t *raw = it_raw_new_bundle (&bundle);
    assert_non_null (raw);
    assert_int_equal (it_raw_send_hello (raw, "hello-1", 0), 0);
    Cii__Envelope *reply = it_raw_recv (raw, 20000, true);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, CII__ENVELOPE__BODY_WELCOME);
    cii_codec_free (&reply);
    return raw;
}

static void s_send_signal (it_raw_t *raw, const char *message_id, const char *title)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Signal signal;
    it_signal_init (&signal, "GE", title, "Le signal doit être enregistré avant sa quittance.");
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *)message_id;
    env.body_case = CII__ENVELOPE__BODY_SIGNAL;
    env.signal = &signal;
    assert_int_equal (it_raw_send (raw, &env), 0);
}

#define N_BATCH 6

static const char *s_ids[N_BATCH] = {"warm-1",   "batch-1", "batch-2",
                                     "marked-3", "batch-4", "batch-5"};

typedef struct {
    bool receipted;
    bool duplicate;
    char ref[32];
} seen_t;

static int s_index (const char *message_id)
{
    for (int i = 0; i < N_BATCH; i++)
        if (strcmp (s_ids[i], message_id) == 0) return i;
    return -1;
}

//  Every message but the marked one (all of them when marked_allowed) has its RECEIPT.
static bool s_all_receipted (const seen_t *seen, bool marked_allowed)
{
    for (int i = 0; i < N_BATCH; i++)
        if (!seen[i].receipted && (marked_allowed || strcmp (s_ids[i], "marked-3") != 0))
            return false;
    return true;
}

//  Reads the hub's answers until every message but the marked one (all of them when
//  marked_allowed) has its RECEIPT and nothing more came for a second, or for 30 s at most. Every
//  RECEIPT must name a message committed at that moment (checked on another connection at once);
//  the marked one must get none unless marked_allowed (UNAVAILABLE or nothing).
static void s_answers (it_fixture_t *f, it_raw_t *raw, seen_t *seen, bool marked_allowed)
{
    int quiet_ms = 0;
    for (int waited = 0;
         waited < 30000 && (quiet_ms < 1000 || !s_all_receipted (seen, marked_allowed));) {
        Cii__Envelope *env = it_raw_recv (raw, 200, true);
        if (!env) {
            quiet_ms += 200;
            waited += 200;
            continue;
        }
        quiet_ms = 0;
        if (env->body_case == CII__ENVELOPE__BODY_RECEIPT) {
            const char *id = env->receipt->message_id;
            int i = s_index (id);
            assert_true (i >= 0);
            if (!marked_allowed && strcmp (id, "marked-3") == 0)
                fail_msg ("RECEIPT for %s although its commit failed", id);
            long stored =
                it_sql_long (f, "SELECT count(*) FROM signals WHERE message_id = $1", id, NULL);
            long logged =
                it_sql_long (f, "SELECT count(*) FROM ingest_log WHERE message_id = $1", id, NULL);
            if (stored != 1 || logged != 1)
                fail_msg ("RECEIPT for %s (%s) while the hub holds %ld rows of it (%ld logged)", id,
                          env->receipt->ref, stored, logged);
            if (seen[i].receipted && !env->receipt->duplicate)
                fail_msg ("second RECEIPT for %s not flagged duplicate", id);
            if (seen[i].receipted) assert_string_equal (env->receipt->ref, seen[i].ref);
            seen[i].receipted = true;
            seen[i].duplicate = env->receipt->duplicate;
            snprintf (seen[i].ref, sizeof seen[i].ref, "%s", env->receipt->ref);
        } else if (env->body_case == CII__ENVELOPE__BODY_ERROR) {
            //  U3: UNAVAILABLE (or nothing) for what could not be committed; never a refusal
            if (env->error->code != CII__ERROR_CODE__ERROR_UNAVAILABLE)
                fail_msg ("ERROR %d for %s: %s", (int)env->error->code, env->error->message_id,
                          env->error->text);
        }
        cii_codec_free (&env);
    }
}

static void test_commit_fails_on_the_wire (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agent = it_agent_add (f, "lemanique");
    assert_non_null (agent);
    assert_int_equal (it_sql_exec (f, s_function, NULL), 0);
    assert_int_equal (it_sql_exec (f, s_trigger, NULL), 0);
    it_raw_t *raw = s_raw_session (agent);

    //  The ingest is held (a lock) while warm-1 is in flight, so that the five others arrive
    //  meanwhile and go to the database as one batch, the marked one in its middle
    assert_int_equal (it_sql_exec (f, "BEGIN", NULL), 0);
    assert_int_equal (it_sql_exec (f, "LOCK TABLE ingest_log IN ACCESS EXCLUSIVE MODE", NULL), 0);
    s_send_signal (raw, "warm-1", "Avant le lot");
    usleep (300 * 1000);
    for (int i = 1; i < N_BATCH; i++) {
        char title[64];
        snprintf (title, sizeof title, "Lot n° %d%s", i, i == 3 ? " " S_MARK : "");
        s_send_signal (raw, s_ids[i], title);
    }
    usleep (300 * 1000);
    assert_int_equal (it_sql_exec (f, "COMMIT", NULL), 0);
    seen_t seen[N_BATCH] = {{0}};
    s_answers (f, raw, seen, false);
    assert_false (seen[3].receipted);
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE message_id = 'marked-3'", NULL), 0);
    assert_true (it_file_contains (f->hub_log, "injected fault at commit: marked-3"));

    //  The trigger goes; everything is sent again: each stored once, each receipted
    assert_int_equal (it_sql_exec (f, "DROP TRIGGER fault_commit ON signals", NULL), 0);
    for (int i = 0; i < N_BATCH; i++) {
        char title[64];
        snprintf (title, sizeof title, "Lot n° %d%s", i, i == 3 ? " " S_MARK : "");
        s_send_signal (raw, s_ids[i], i == 0 ? "Avant le lot" : title);
    }
    seen_t again[N_BATCH] = {{0}};
    s_answers (f, raw, again, true);
    for (int i = 0; i < N_BATCH; i++) {
        if (!again[i].receipted)
            fail_msg ("no RECEIPT for %s after the trigger was dropped", s_ids[i]);
        if (seen[i].receipted) {
            assert_true (again[i].duplicate);
            assert_string_equal (again[i].ref, seen[i].ref);
        } else
            assert_false (again[i].duplicate);
    }
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), N_BATCH);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL),
                      N_BATCH);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM ingest_log", NULL), N_BATCH);
    it_raw_destroy (&raw);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

static void test_commit_fails_for_an_agent (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *agent = it_agent_add (f, "lemanique");
    assert_non_null (agent);
    assert_int_equal (it_sql_exec (f, s_function, NULL), 0);
    assert_int_equal (it_sql_exec (f, s_trigger, NULL), 0);
    assert_int_equal (it_agent_start (f, agent), 0);
    it_result_t r;
    assert_int_equal (it_signal_add (f, agent, "VD", "Avant la panne", NULL, NULL, &r), 0);
    it_result_free (&r);
    assert_int_equal (it_signal_add (f, agent, "GE", "Le signal marqué " S_MARK, NULL, NULL, &r),
                      0);
    it_result_free (&r);
    assert_int_equal (it_signal_add (f, agent, "VS", "Après la panne", NULL, NULL, &r), 0);
    it_result_free (&r);
    //  The two others are delivered; the marked one is tried, and stays pending
    assert_true (it_wait_sql (f, 20000, 2, "SELECT count(*) FROM signals", NULL));
    assert_true (it_wait_sql (f, 20000, 2, "SELECT count(*) FROM ingest_log", NULL));
    for (int i = 0; i < 100 && !it_file_contains (f->hub_log, "injected fault at commit"); i++)
        usleep (100 * 1000);
    assert_true (it_file_contains (f->hub_log, "injected fault at commit"));
    usleep (1000 * 1000);
    const char *marked = "SELECT count(*) FROM signals WHERE title LIKE '%" S_MARK "%'";
    assert_int_equal (
        it_agent_sql_long (agent, "SELECT count(*) FROM signals WHERE refused_code IS NOT NULL"),
        0);
    assert_int_equal (
        it_agent_sql_long (agent, "SELECT count(*) FROM signals WHERE delivered_at IS NOT NULL"
                                  " AND title LIKE '%" S_MARK "%'"),
        0);
    assert_int_equal (it_agent_sql_long (agent, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal (it_sql_long (f, marked, NULL), 0);

    //  The trigger goes: the agent's resend is stored, once
    assert_int_equal (it_sql_exec (f, "DROP TRIGGER fault_commit ON signals", NULL), 0);
    assert_true (it_wait_delivered (f, agent, 3, 30000));
    assert_int_equal (it_sql_long (f, marked, NULL), 1);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM signals", NULL), 3);
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL), 3);
    assert_int_equal (
        it_agent_sql_long (agent, "SELECT count(*) FROM signals WHERE refused_code IS NOT NULL"),
        0);
    assert_int_equal (it_agent_stop (f, agent), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_commit_fails_on_the_wire, it_setup, it_teardown),
        cmocka_unit_test_setup_teardown (test_commit_fails_for_an_agent, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
