/*  test_agent_store.c — unit tests of agent/agent_store: init and file modes, migrations,
    signals with their outbox (atomic, refusals store nothing), outbox scheduling, receipts and
    refusals, downward delivery in order, status, two handles on one file, and durability. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_store.h"
#include "cii_codec.h"
#include "cii_util.h"

typedef struct {
    char root[64];           //  mkdtemp directory, removed at the end
    char state[128];         //  root/state: created by agent_store_init
    cii_bundle_t bundle;
} s_fixture_t;

static int
s_rm (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    return remove (path);
}

static void
s_bundle (cii_bundle_t *bundle)
{
    memset (bundle, 0, sizeof *bundle);
    zcert_t *agent = zcert_new ();
    zcert_t *hub = zcert_new ();
    assert_non_null (agent);
    assert_non_null (hub);
    snprintf (bundle->network, sizeof bundle->network, "lemanique");
    snprintf (bundle->endpoint, sizeof bundle->endpoint, "tcp://127.0.0.1:7300");
    snprintf (bundle->cantons, sizeof bundle->cantons, "VD,VS,GE");
    snprintf (bundle->hub_public, sizeof bundle->hub_public, "%s", zcert_public_txt (hub));
    snprintf (bundle->agent_public, sizeof bundle->agent_public, "%s", zcert_public_txt (agent));
    snprintf (bundle->agent_secret, sizeof bundle->agent_secret, "%s", zcert_secret_txt (agent));
    zcert_destroy (&agent);
    zcert_destroy (&hub);
}

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    snprintf (fx->root, sizeof fx->root, "/tmp/cii-agent-store-XXXXXX");
    assert_non_null (mkdtemp (fx->root));
    snprintf (fx->state, sizeof fx->state, "%s/state", fx->root);
    s_bundle (&fx->bundle);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    nftw (fx->root, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    free (fx);
    return 0;
}

//  Init + open, asserting success.
static agent_store_t *
s_init_open (s_fixture_t *fx)
{
    char reason[256] = "";
    assert_int_equal (agent_store_init (fx->state, &fx->bundle, reason, sizeof reason), 0);
    agent_store_t *store = agent_store_open (fx->state, reason, sizeof reason);
    if (!store)
        fail_msg ("open: %s", reason);
    return store;
}

//  A valid signal; arrays live in the caller's storage.
typedef struct {
    Cii__Signal signal;
    Cii__Institution institutions[2];
    Cii__TargetGroup groups[1];
} s_signal_t;

static Cii__Signal *
s_signal (s_signal_t *s, const char *canton, const char *title)
{
    Cii__Signal init = CII__SIGNAL__INIT;
    s->signal = init;
    s->institutions[0] = CII__INSTITUTION__INSTITUTION_SOCIAL_AID;
    s->institutions[1] = CII__INSTITUTION__INSTITUTION_HEALTH;
    s->groups[0] = CII__TARGET_GROUP__TARGET_GROUP_HEALTH_IMPAIRED;
    s->signal.canton = (char *) canton;
    s->signal.title = (char *) title;
    s->signal.description = (char *) "Les personnes atteintes dans leur santé tombent entre deux systèmes.";
    s->signal.national_reason = (char *) "Pas de solution cantonale: règles fédérales.";
    s->signal.language = (char *) "fr";
    s->signal.institutions = s->institutions;
    s->signal.n_institutions = 2;
    s->signal.target_groups = s->groups;
    s->signal.n_target_groups = 1;
    s->signal.created_at_ms = 1700000000000;
    return &s->signal;
}

static int64_t
s_add (agent_store_t *store, const char *canton, const char *title, char *message_id)
{
    s_signal_t s;
    int64_t id = 0;
    cii_codec_error_t err;
    char mid[65];
    int rc = agent_store_add_signal (store, s_signal (&s, canton, title), &id,
                                     message_id ? message_id : mid, &err);
    if (rc != 0)
        fail_msg ("add_signal %s: rc %d: %s", title, rc, err.text);
    return id;
}

//  Collects signal rows (copies of the interesting columns).
typedef struct {
    int count;
    int64_t id[16];
    char title[16][256];
    char institutions[16][128];
    char target_groups[16][128];
    int64_t delivered_at[16];
    char hub_ref[16][32];
    int64_t hub_received_at[16];
    bool refused[16];
    int refused_code[16];
    char refused_text[16][128];
} s_signals_t;

static int
s_collect_signal (const agent_signal_row_t *row, void *arg)
{
    s_signals_t *c = arg;
    if (c->count == 16)
        return -1;
    int i = c->count++;
    c->id[i] = row->id;
    snprintf (c->title[i], sizeof c->title[i], "%s", row->title);
    snprintf (c->institutions[i], sizeof c->institutions[i], "%s", row->institutions);
    snprintf (c->target_groups[i], sizeof c->target_groups[i], "%s", row->target_groups);
    c->delivered_at[i] = row->delivered_at_ms;
    snprintf (c->hub_ref[i], sizeof c->hub_ref[i], "%s", row->hub_ref ? row->hub_ref : "(null)");
    c->hub_received_at[i] = row->hub_received_at_ms;
    c->refused[i] = row->refused;
    c->refused_code[i] = row->refused_code;
    snprintf (c->refused_text[i], sizeof c->refused_text[i], "%s",
              row->refused_text ? row->refused_text : "(null)");
    return 0;
}

static int
s_signal_count (agent_store_t *store)
{
    s_signals_t c;
    memset (&c, 0, sizeof c);
    return agent_store_signals (store, s_collect_signal, &c);
}

//  Collects outbox visits.
typedef struct {
    int count;
    int64_t id[16];
    char message_id[16][65];
    int attempts[16];
    int stop_after;          //  return -1 after this many visits (0: never)
    agent_store_t *store;    //  when set, records a send from inside the callback
    int64_t next_ms;
} s_due_t;

static int
s_collect_due (const agent_outbox_item_t *item, void *arg)
{
    s_due_t *c = arg;
    int i = c->count++;
    c->id[i] = item->id;
    snprintf (c->message_id[i], sizeof c->message_id[i], "%s", item->message_id);
    c->attempts[i] = item->attempts;
    //  The packed Envelope must decode to a signal with the same message id
    Cii__Envelope *env = NULL;
    cii_codec_error_t err;
    assert_int_equal (cii_codec_decode (item->data, item->size, &env, &err), 0);
    assert_int_equal (env->body_case, CII__ENVELOPE__BODY_SIGNAL);
    assert_string_equal (env->message_id, item->message_id);
    assert_int_equal (env->version, CII_PROTOCOL_VERSION);
    cii_codec_free (&env);
    if (c->store)
        assert_int_equal (agent_store_outbox_sent (c->store, item->id, c->next_ms), 0);
    if (c->stop_after && c->count >= c->stop_after)
        return -1;
    return 0;
}

static int
s_due (agent_store_t *store, int64_t now, int limit, s_due_t *c)
{
    int stop = c->stop_after;
    agent_store_t *writer = c->store;
    int64_t next = c->next_ms;
    memset (c, 0, sizeof *c);
    c->stop_after = stop;
    c->store = writer;
    c->next_ms = next;
    return agent_store_outbox_due (store, now, limit, s_collect_due, c);
}

//  --- tests ----------------------------------------------------------------------------------

static void
test_init_modes_and_refusal (void **state)
{
    s_fixture_t *fx = *state;
    char reason[256] = "";
    umask (022);
    agent_store_t *store = s_init_open (fx);
    struct stat st;
    assert_int_equal (stat (fx->state, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0700);
    char path[256];
    snprintf (path, sizeof path, "%s/agent.db", fx->state);
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);
    //  After a write the WAL file exists with the database's mode
    s_add (store, "VD", "Titre", NULL);
    snprintf (path, sizeof path, "%s/agent.db-wal", fx->state);
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);

    //  A second init refuses and leaves the existing state alone
    assert_int_equal (agent_store_init (fx->state, &fx->bundle, reason, sizeof reason), -1);
    assert_non_null (strstr (reason, "already exists"));
    assert_int_equal (agent_store_outbox_count (store), 1);

    //  Configuration and schema version
    cii_bundle_t config;
    assert_int_equal (agent_store_config (store, &config), 0);
    assert_string_equal (config.network, "lemanique");
    assert_string_equal (config.endpoint, fx->bundle.endpoint);
    assert_string_equal (config.hub_public, fx->bundle.hub_public);
    assert_string_equal (config.agent_public, fx->bundle.agent_public);
    assert_string_equal (config.agent_secret, fx->bundle.agent_secret);
    assert_string_equal (config.cantons, "VD,VS,GE");
    assert_int_equal (agent_store_schema_version (store), 1);
    agent_store_destroy (&store);
    assert_null (store);
    agent_store_destroy (&store);     //  safe twice

    //  An existing, too open directory is restricted to 0700
    char open_dir[128];
    snprintf (open_dir, sizeof open_dir, "%s/open", fx->root);
    assert_int_equal (mkdir (open_dir, 0755), 0);
    assert_int_equal (agent_store_init (open_dir, &fx->bundle, reason, sizeof reason), 0);
    assert_int_equal (stat (open_dir, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0700);

    //  A bad bundle creates nothing
    char bad_dir[128];
    snprintf (bad_dir, sizeof bad_dir, "%s/bad", fx->root);
    cii_bundle_t bad = fx->bundle;
    snprintf (bad.cantons, sizeof bad.cantons, "VD,XX");
    assert_int_equal (agent_store_init (bad_dir, &bad, reason, sizeof reason), -1);
    snprintf (path, sizeof path, "%s/agent.db", bad_dir);
    assert_int_not_equal (stat (path, &st), 0);
}

static void
test_open_refusals (void **state)
{
    s_fixture_t *fx = *state;
    char reason[256] = "";
    assert_null (agent_store_open (fx->state, reason, sizeof reason));
    assert_non_null (strstr (reason, "not initialised"));

    agent_store_t *store = s_init_open (fx);
    agent_store_destroy (&store);
    //  A database from a newer cii-agent is refused, not downgraded
    char path[256];
    snprintf (path, sizeof path, "%s/agent.db", fx->state);
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    assert_null (agent_store_open (fx->state, reason, sizeof reason));
    assert_non_null (strstr (reason, "newer"));
}

static void
test_add_signal (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    char mid[65] = "";
    int64_t id = s_add (store, "VD", "Accès aux mesures pour les jeunes arrivés tardivement", mid);
    assert_true (id > 0);
    assert_int_equal (strlen (mid), 36);
    assert_int_equal (agent_store_outbox_count (store), 1);

    s_signals_t c;
    memset (&c, 0, sizeof c);
    assert_int_equal (agent_store_signals (store, s_collect_signal, &c), 1);
    assert_int_equal (c.id[0], id);
    assert_string_equal (c.title[0], "Accès aux mesures pour les jeunes arrivés tardivement");
    assert_string_equal (c.institutions[0], "social-aid,health");
    assert_string_equal (c.target_groups[0], "health-impaired");
    assert_int_equal (c.delivered_at[0], 0);
    assert_false (c.refused[0]);

    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, cii_util_now_ms (), 10, &due), 1);
    assert_string_equal (due.message_id[0], mid);
    assert_int_equal (due.attempts[0], 0);

    //  The codec refuses a 201-byte title: nothing stored
    char title[202];
    memset (title, 'a', 201);
    title[201] = 0;
    s_signal_t s;
    cii_codec_error_t err;
    memset (&err, 0, sizeof err);
    int64_t bad_id = -7;
    assert_int_equal (agent_store_add_signal (store, s_signal (&s, "VD", title), &bad_id, mid, &err), -2);
    assert_true (strlen (err.text) > 0);
    assert_int_equal (bad_id, -7);
    //  Invalid UTF-8 in the description is refused too
    s_signal (&s, "GE", "Titre");
    s.signal.description = (char *) "caf\xc3";
    assert_int_equal (agent_store_add_signal (store, &s.signal, &bad_id, mid, &err), -2);
    //  No institution
    s_signal (&s, "GE", "Titre");
    s.signal.n_institutions = 0;
    assert_int_equal (agent_store_add_signal (store, &s.signal, &bad_id, mid, &err), -2);
    //  A canton of another network, and an unknown canton
    memset (&err, 0, sizeof err);
    assert_int_equal (agent_store_add_signal (store, s_signal (&s, "ZH", "Titre"), &bad_id, mid, &err), -2);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_non_null (strstr (err.text, "lemanique"));
    assert_int_equal (agent_store_add_signal (store, s_signal (&s, "XY", "Titre"), &bad_id, mid, &err), -2);
    assert_int_equal (err.code, CII__ERROR_CODE__ERROR_UNKNOWN_CANTON);
    assert_int_equal (agent_store_outbox_count (store), 1);
    assert_int_equal (s_signal_count (store), 1);

    //  A batch is all or nothing: the second is refused, the first is not stored either
    s_signal_t a, b;
    const Cii__Signal *batch[2] = {s_signal (&a, "VS", "Bon"), s_signal (&b, "VS", title)};
    size_t failed = 99;
    int64_t ids[2] = {0, 0};
    char mids[2][65];
    assert_int_equal (agent_store_add_signals (store, batch, 2, ids, mids, &failed, &err), -2);
    assert_int_equal (failed, 1);
    assert_int_equal (agent_store_outbox_count (store), 1);
    assert_int_equal (s_signal_count (store), 1);
    s_signal (&b, "GE", "Bon aussi");
    assert_int_equal (agent_store_add_signals (store, batch, 2, ids, mids, &failed, &err), 0);
    assert_true (ids[1] == ids[0] + 1);
    assert_string_not_equal (mids[0], mids[1]);
    assert_int_equal (agent_store_outbox_count (store), 3);
    assert_int_equal (s_signal_count (store), 3);
    agent_store_destroy (&store);
}

static void
test_outbox_scheduling (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    int64_t id1 = s_add (store, "VD", "un", NULL);
    int64_t id2 = s_add (store, "VS", "deux", NULL);
    int64_t id3 = s_add (store, "GE", "trois", NULL);
    int64_t now = cii_util_now_ms ();
    s_due_t due;
    memset (&due, 0, sizeof due);

    //  Oldest first, at most limit
    assert_int_equal (s_due (store, now, 2, &due), 2);
    assert_int_equal (due.id[0], id1);
    assert_int_equal (due.id[1], id2);
    //  Stop early when fn returns -1
    due.stop_after = 1;
    assert_int_equal (s_due (store, now, 10, &due), 1);
    due.stop_after = 0;

    //  A sent entry waits until its next attempt; attempts counted
    assert_int_equal (agent_store_outbox_sent (store, id1, now + 5000), 0);
    assert_int_equal (s_due (store, now, 10, &due), 2);
    assert_int_equal (due.id[0], id2);
    assert_int_equal (due.id[1], id3);
    assert_int_equal (s_due (store, now + 5000, 10, &due), 3);
    assert_int_equal (due.id[0], id1);
    assert_int_equal (due.attempts[0], 1);
    assert_int_equal (due.attempts[1], 0);

    //  fn may record sends from inside the callback (as the daemon does)
    due.store = store;
    due.next_ms = now + 60000;
    assert_int_equal (s_due (store, now + 5000, 10, &due), 3);
    due.store = NULL;
    assert_int_equal (s_due (store, now + 59999, 10, &due), 0);
    assert_int_equal (s_due (store, now + 60000, 10, &due), 3);
    assert_int_equal (due.attempts[0], 2);

    //  Reset after a new session: everything due at once
    assert_int_equal (agent_store_outbox_reset (store), 0);
    assert_int_equal (s_due (store, now, 10, &due), 3);
    assert_int_equal (due.attempts[0], 2);     //  reset keeps the count
    assert_int_equal (s_due (store, now, 0, &due), 0);
    agent_store_destroy (&store);
}

static void
test_receipt_and_refusal (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    char mid1[65], mid2[65];
    s_add (store, "VD", "reçu", mid1);
    s_add (store, "VS", "refusé", mid2);

    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = mid1;
    receipt.ref = (char *) "SIG-42";
    receipt.received_at_ms = 1700000123456;
    assert_int_equal (agent_store_receipt (store, &receipt), 0);
    assert_int_equal (agent_store_outbox_count (store), 1);
    //  A second receipt (resend answered twice) has nothing left to do
    receipt.duplicate = true;
    assert_int_equal (agent_store_receipt (store, &receipt), 1);
    receipt.message_id = (char *) "no-such-message";
    assert_int_equal (agent_store_receipt (store, &receipt), 1);
    assert_int_equal (agent_store_outbox_count (store), 1);

    assert_int_equal (agent_store_refused (store, mid2, CII__ERROR_CODE__ERROR_NOT_AUTHORISED,
                                           "canton VS is not in network lemanique"), 0);
    assert_int_equal (agent_store_outbox_count (store), 0);
    assert_int_equal (agent_store_refused (store, mid2, 4, "again"), 1);
    receipt.message_id = mid2;
    assert_int_equal (agent_store_receipt (store, &receipt), 1);

    s_signals_t c;
    memset (&c, 0, sizeof c);
    assert_int_equal (agent_store_signals (store, s_collect_signal, &c), 2);
    assert_true (c.delivered_at[0] > 0);
    assert_string_equal (c.hub_ref[0], "SIG-42");
    assert_int_equal (c.hub_received_at[0], 1700000123456);
    assert_false (c.refused[0]);
    assert_int_equal (c.delivered_at[1], 0);
    assert_string_equal (c.hub_ref[1], "(null)");
    assert_true (c.refused[1]);
    assert_int_equal (c.refused_code[1], CII__ERROR_CODE__ERROR_NOT_AUTHORISED);
    assert_string_equal (c.refused_text[1], "canton VS is not in network lemanique");
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, cii_util_now_ms (), 10, &due), 0);
    agent_store_destroy (&store);
}

//  Notices collected by the listing.
typedef struct {
    int count;
    int64_t seq[8];
    int64_t notice_id[8];
    char title[8][128];
    char text[8][256];
    char networks[8][64];
} s_notices_t;

static int
s_collect_notice (const agent_notice_row_t *row, void *arg)
{
    s_notices_t *c = arg;
    if (c->count == 8)
        return -1;
    int i = c->count++;
    c->seq[i] = row->seq;
    c->notice_id[i] = row->notice_id;
    snprintf (c->title[i], sizeof c->title[i], "%s", row->title);
    snprintf (c->text[i], sizeof c->text[i], "%s", row->text);
    snprintf (c->networks[i], sizeof c->networks[i], "%s", row->networks);
    return 0;
}

static void
s_deliver (Cii__Deliver *deliver, Cii__Notice *notice, uint64_t seq, const char *title,
           char **networks, size_t n_networks)
{
    Cii__Deliver dinit = CII__DELIVER__INIT;
    Cii__Notice ninit = CII__NOTICE__INIT;
    *deliver = dinit;
    *notice = ninit;
    notice->notice_id = (int64_t) seq + 100;
    notice->title = (char *) title;
    notice->text = (char *) "Empfehlung: die Zusammenarbeit verstärken. Raccomandazione: più coordinamento.";
    notice->networks = networks;
    notice->n_networks = n_networks;
    notice->issued_at_ms = 1700000000000;
    deliver->seq = seq;
    deliver->item_case = CII__DELIVER__ITEM_NOTICE;
    deliver->notice = notice;
}

static void
test_deliver (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    Cii__Deliver deliver;
    Cii__Notice notice;
    char *networks[2] = {(char *) "lemanique", (char *) "zuerich"};

    assert_int_equal (agent_store_last_seq (store), 0);
    s_deliver (&deliver, &notice, 1, "Überprüfung der Zusammenarbeit", networks, 2);
    assert_int_equal (agent_store_deliver (store, &deliver), 0);
    assert_int_equal (agent_store_last_seq (store), 1);
    //  Duplicate: nothing to do
    s_deliver (&deliver, &notice, 1, "autre titre", networks, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), 1);
    //  Gap: not stored
    s_deliver (&deliver, &notice, 3, "trois", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), 2);
    assert_int_equal (agent_store_last_seq (store), 1);
    //  Unknown item kind and seq 0
    Cii__Deliver empty = CII__DELIVER__INIT;
    empty.seq = 2;
    assert_int_equal (agent_store_deliver (store, &empty), -2);
    s_deliver (&deliver, &notice, 0, "zéro", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), -2);
    //  A notice the codec refuses (empty title) is not stored
    s_deliver (&deliver, &notice, 2, "", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), -2);
    assert_int_equal (agent_store_last_seq (store), 1);
    //  In order again
    s_deliver (&deliver, &notice, 2, "deux", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), 0);
    s_deliver (&deliver, &notice, 3, "trois", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), 0);
    assert_int_equal (agent_store_last_seq (store), 3);

    s_notices_t c;
    memset (&c, 0, sizeof c);
    assert_int_equal (agent_store_notices (store, s_collect_notice, &c), 3);
    assert_int_equal (c.seq[0], 1);
    assert_int_equal (c.notice_id[0], 101);
    assert_string_equal (c.title[0], "Überprüfung der Zusammenarbeit");
    assert_string_equal (c.text[0], notice.text);
    assert_string_equal (c.networks[0], "lemanique,zuerich");
    assert_string_equal (c.title[1], "deux");
    assert_string_equal (c.networks[1], "");
    assert_int_equal (c.seq[2], 3);
    agent_store_destroy (&store);
}

static void
test_cantons_and_status (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    assert_int_equal (agent_store_canton_in_network (store, "VS"), 1);
    assert_int_equal (agent_store_canton_in_network (store, "ZH"), 0);
    const char *welcome[] = {"GE", "VD"};
    assert_int_equal (agent_store_set_cantons (store, welcome, 2), 0);
    assert_int_equal (agent_store_canton_in_network (store, "VS"), 0);
    assert_int_equal (agent_store_canton_in_network (store, "GE"), 1);
    cii_bundle_t config;
    assert_int_equal (agent_store_config (store, &config), 0);
    assert_string_equal (config.cantons, "GE,VD");
    const char *bad[] = {"GE", "XX"};
    assert_int_equal (agent_store_set_cantons (store, bad, 2), -2);
    const char *twice[] = {"GE", "GE"};
    assert_int_equal (agent_store_set_cantons (store, twice, 2), -2);
    assert_int_equal (agent_store_config (store, &config), 0);
    assert_string_equal (config.cantons, "GE,VD");

    agent_daemon_status_t status;
    assert_int_equal (agent_store_get_status (store, &status), 1);
    int64_t before = cii_util_now_ms ();
    assert_int_equal (agent_store_set_status (store, "connected", "tcp://127.0.0.1:7300"), 0);
    assert_int_equal (agent_store_set_status (store, "disconnected", "no answer to HELLO"), 0);
    assert_int_equal (agent_store_get_status (store, &status), 0);
    assert_string_equal (status.status, "disconnected");
    assert_string_equal (status.detail, "no answer to HELLO");
    assert_true (status.time_ms >= before && status.time_ms <= cii_util_now_ms ());
    agent_store_destroy (&store);
}

static void
test_two_handles (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *cli = s_init_open (fx);
    char reason[256];
    agent_store_t *daemon = agent_store_open (fx->state, reason, sizeof reason);
    assert_non_null (daemon);

    //  The CLI queues, the daemon sees it
    char mid[65];
    s_add (cli, "VD", "partagé", mid);
    assert_int_equal (agent_store_outbox_count (daemon), 1);
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (daemon, cii_util_now_ms (), 10, &due), 1);
    assert_string_equal (due.message_id[0], mid);
    //  While the daemon holds a read open, the CLI can still write
    due.store = cli;
    due.next_ms = 1;
    assert_int_equal (s_due (daemon, cii_util_now_ms (), 10, &due), 1);
    due.store = NULL;

    //  The daemon applies a receipt and a delivery, the CLI sees both
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = mid;
    receipt.ref = (char *) "SIG-1";
    receipt.received_at_ms = 1;
    assert_int_equal (agent_store_receipt (daemon, &receipt), 0);
    assert_int_equal (agent_store_outbox_count (cli), 0);
    Cii__Deliver deliver;
    Cii__Notice notice;
    s_deliver (&deliver, &notice, 1, "un", NULL, 0);
    assert_int_equal (agent_store_deliver (daemon, &deliver), 0);
    assert_int_equal (agent_store_last_seq (cli), 1);
    //  The same seq through the other handle is a duplicate, not a second row
    assert_int_equal (agent_store_deliver (cli, &deliver), 1);
    assert_int_equal (agent_store_set_status (daemon, "connected", ""), 0);
    agent_daemon_status_t status;
    assert_int_equal (agent_store_get_status (cli, &status), 0);
    assert_string_equal (status.status, "connected");
    agent_store_destroy (&daemon);
    agent_store_destroy (&cli);
}

static void
test_durability (void **state)
{
    s_fixture_t *fx = *state;
    agent_store_t *store = s_init_open (fx);
    char mid1[65], mid2[65];
    s_add (store, "VD", "persistant", mid1);
    s_add (store, "GE", "livré", mid2);
    Cii__Receipt receipt = CII__RECEIPT__INIT;
    receipt.message_id = mid2;
    receipt.ref = (char *) "SIG-7";
    receipt.received_at_ms = 42;
    assert_int_equal (agent_store_receipt (store, &receipt), 0);
    assert_int_equal (agent_store_outbox_sent (store, 1, 123), 0);
    Cii__Deliver deliver;
    Cii__Notice notice;
    s_deliver (&deliver, &notice, 1, "un", NULL, 0);
    assert_int_equal (agent_store_deliver (store, &deliver), 0);
    agent_store_destroy (&store);

    char reason[256];
    store = agent_store_open (fx->state, reason, sizeof reason);
    assert_non_null (store);
    assert_int_equal (agent_store_schema_version (store), 1);
    assert_int_equal (agent_store_outbox_count (store), 1);
    assert_int_equal (agent_store_last_seq (store), 1);
    s_signals_t c;
    memset (&c, 0, sizeof c);
    assert_int_equal (agent_store_signals (store, s_collect_signal, &c), 2);
    assert_string_equal (c.title[0], "persistant");
    assert_int_equal (c.delivered_at[0], 0);
    assert_string_equal (c.hub_ref[1], "SIG-7");
    s_due_t due;
    memset (&due, 0, sizeof due);
    assert_int_equal (s_due (store, 122, 10, &due), 0);
    assert_int_equal (s_due (store, 123, 10, &due), 1);
    assert_string_equal (due.message_id[0], mid1);
    assert_int_equal (due.attempts[0], 1);
    cii_bundle_t config;
    assert_int_equal (agent_store_config (store, &config), 0);
    assert_string_equal (config.agent_secret, fx->bundle.agent_secret);
    agent_store_destroy (&store);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_init_modes_and_refusal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_open_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_add_signal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_outbox_scheduling, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_receipt_and_refusal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_deliver, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cantons_and_status, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_two_handles, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_durability, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
