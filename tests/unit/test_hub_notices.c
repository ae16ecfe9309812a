/*  test_hub_notices.c — the notices service (hub_notices) against a real PostgreSQL: a notice
    stored and queued for every active agent addressed in one transaction, packed with its id and
    time as the agents receive it; networks named twice addressed once; every refusal (unknown
    network, over a limit, not text) with its reason and nothing stored; the listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "hub_notices.h"
#include "hub_store_downward.h"
#include "unit_hub.h"

//  Sends a notice titled title to networks (NULL-terminated; none = all). The result code.
static cii_rc_t
s_send (unit_hub_t *hub, const char *title, const char *text, const char *const *networks, hub_notice_sent_t *sent,
        cii_err_t *err)
{
    size_t count = 0;
    while (networks && networks [count])
        count++;
    cii_notice_t notice = { .title = title, .text = text, .networks = networks, .n_networks = count };
    return hub_notices_send (hub->store, &notice, sent, err);
}

typedef struct {
    int count;
    int64_t notice_id;
    int64_t issued_at_ms;
    char title [64];
    size_t n_networks;
    char network [33];
} s_item_t;

static void
s_item_cb (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    (void) agent_id;
    (void) seq;
    s_item_t *item = arg;
    assert_string_equal (kind, "notice");
    ProtobufCMessage *message = NULL;
    assert_int_equal (cii_codec_item_unpack (cii_kind_find ("notice"), body, size, &message, NULL), CII_OK);
    const Cii__Notice *notice = (const Cii__Notice *) message;
    item->notice_id = notice->notice_id;
    item->issued_at_ms = notice->issued_at_ms;
    snprintf (item->title, sizeof item->title, "%s", notice->title);
    item->n_networks = notice->n_networks;
    snprintf (item->network, sizeof item->network, "%s", notice->n_networks ? notice->networks [0] : "");
    cii_codec_item_free (&message);
    item->count++;
}

static void
test_send (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    unit_hub_enrol (hub, "ost");
    assert_int_equal (hub_store_revoke (hub->store, "ost", NULL), CII_OK);

    hub_notice_sent_t sent;
    cii_err_t err;
    assert_int_equal (s_send (hub, "Recommandation 2026-03", "Texte « complet » à appliquer.", NULL, &sent, &err),
                      CII_OK);
    assert_int_equal (sent.id, 1);
    assert_int_equal (sent.recipients, 2);          //  the revoked agent gets nothing
    assert_true (sent.issued_at_ms > 1700000000000);
    //  What the agents receive: the notice with the hub's id and time.
    s_item_t item;
    memset (&item, 0, sizeof item);
    hub_fetch_t fetch = { lem, 0, 10 };
    assert_int_equal (hub_store_downward_fetch (hub->store, &fetch, 1, s_item_cb, &item), CII_OK);
    assert_int_equal (item.count, 1);
    assert_int_equal (item.notice_id, sent.id);
    assert_int_equal (item.issued_at_ms, sent.issued_at_ms);
    assert_string_equal (item.title, "Recommandation 2026-03");
    assert_int_equal (item.n_networks, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'notice:1'"), 2);

    //  A network named twice is addressed once.
    const char *twice [] = { "zuerich", "ticino", "zuerich", NULL };
    assert_int_equal (s_send (hub, "Nur Zürich", "Hinweis", twice, &sent, &err), CII_OK);
    assert_int_equal (sent.recipients, 1);
    char *networks = unit_pg_text (hub->pg, "SELECT networks::text FROM notices WHERE id = %lld", (long long) sent.id);
    assert_string_equal (networks, "{zuerich,ticino}");
    free (networks);
    memset (&item, 0, sizeof item);
    fetch = (hub_fetch_t) { zh, 1, 10 };
    assert_int_equal (hub_store_downward_fetch (hub->store, &fetch, 1, s_item_cb, &item), CII_OK);
    assert_int_equal (item.count, 1);
    assert_int_equal (item.n_networks, 2);
    assert_string_equal (item.network, "zuerich");
    //  A network without an agent: stored, queued for nobody.
    const char *ticino [] = { "ticino", NULL };
    assert_int_equal (s_send (hub, "Avviso", "Per il Ticino", ticino, &sent, &err), CII_OK);
    assert_int_equal (sent.recipients, 0);
}

static void
test_refusals (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    hub_notice_sent_t sent;
    cii_err_t err;
    const char *unknown [] = { "zuerich", "atlantis", "mu", NULL };
    assert_int_equal (s_send (hub, "x", "y", unknown, &sent, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network atlantis");
    const char *bad_name [] = { "Zürich", NULL };
    assert_int_equal (s_send (hub, "x", "y", bad_name, &sent, &err), CII_NOT_FOUND);
    assert_string_equal (err.text, "unknown network Zürich");

    char big [CII_MAX_TEXT + 2];
    memset (big, 'a', sizeof big - 1);
    big [sizeof big - 1] = 0;
    big [CII_MAX_TITLE + 1] = 0;
    assert_int_equal (s_send (hub, big, "y", NULL, &sent, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the title must be 1..200 bytes of UTF-8 text (got 201 bytes)");
    assert_int_equal (s_send (hub, "", "y", NULL, &sent, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the title must be 1..200 bytes of UTF-8 text (got 0 bytes)");
    big [CII_MAX_TITLE + 1] = 'a';
    assert_int_equal (s_send (hub, "x", big, NULL, &sent, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the text must be 1..8000 bytes of UTF-8 text (got 8001 bytes)");
    assert_int_equal (s_send (hub, "x", "\xff\xfe", NULL, &sent, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "the text must be 1..8000 bytes of UTF-8 text (got 2 bytes)");
    assert_int_equal (s_send (hub, "x", NULL, NULL, &sent, &err), CII_BAD_INPUT);
    //  The title comes first, before the networks.
    assert_int_equal (s_send (hub, "", "y", unknown, &sent, &err), CII_BAD_INPUT);
    //  More networks than a notice may address (distinct ones: repeats do not count).
    const char *many [CII_MAX_NETWORKS + 2];
    char names [CII_MAX_NETWORKS + 1][16];
    for (int i = 0; i <= CII_MAX_NETWORKS; i++) {
        snprintf (names [i], sizeof names [i], "net-%d", i);
        many [i] = names [i];
    }
    many [CII_MAX_NETWORKS + 1] = NULL;
    assert_int_equal (s_send (hub, "x", "y", many, &sent, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "at most 64 networks per notice");

    //  Nothing of it was stored or queued.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), 0);
    assert_int_equal (unit_hub_agent (hub, zh).last_seq, 0);
}

//  In a transaction of the caller's: the notice and its items go with it.
static void
test_joins_transaction (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    hub_notice_sent_t sent;
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    assert_int_equal (s_send (hub, "Entwurf", "wird verworfen", NULL, &sent, NULL), CII_OK);
    assert_int_equal (sent.recipients, 1);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM notices"), 0);       //  not committed
    assert_int_equal (hub_store_rollback (hub->store), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), 0);
    assert_int_equal (unit_hub_agent (hub, zh).last_seq, 0);
    assert_int_equal (hub_store_begin (hub->store), CII_OK);
    assert_int_equal (s_send (hub, "Gültig", "bleibt", NULL, &sent, NULL), CII_OK);
    assert_int_equal (hub_store_commit (hub->store), CII_OK);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'notice:%lld'",
                                   (long long) sent.id), 1);
}

typedef struct {
    int rows;
    int64_t recipients [4];
    int64_t acked [4];
    char networks [4][64];
} s_listed_t;

static bool
s_listed_cb (const hub_notice_row_t *row, void *arg)
{
    s_listed_t *listed = arg;
    if (listed->rows < 4) {
        listed->recipients [listed->rows] = row->recipients;
        listed->acked [listed->rows] = row->acked;
        snprintf (listed->networks [listed->rows], sizeof listed->networks [0], "%s", row->networks);
    }
    listed->rows++;
    return true;
}

static void
test_list (void **state)
{
    unit_hub_t *hub = *state;
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    unit_hub_enrol (hub, "ticino");
    hub_notice_sent_t sent;
    assert_int_equal (s_send (hub, "An alle", "Text", NULL, &sent, NULL), CII_OK);
    const char *two [] = { "ticino", "zuerich", NULL };
    assert_int_equal (s_send (hub, "An zwei", "Text", two, &sent, NULL), CII_OK);
    int64_t ids [] = { zh };
    int64_t seqs [] = { 2 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 1), CII_OK);
    s_listed_t listed;
    memset (&listed, 0, sizeof listed);
    cii_err_t err;
    assert_int_equal (hub_notices_list (hub->store, s_listed_cb, &listed, &err), CII_OK);
    assert_int_equal (listed.rows, 2);
    assert_int_equal (listed.recipients [0], 2);
    assert_int_equal (listed.acked [0], 1);
    assert_string_equal (listed.networks [0], "");
    assert_int_equal (listed.recipients [1], 2);
    assert_int_equal (listed.acked [1], 1);
    assert_string_equal (listed.networks [1], "ticino,zuerich");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_send, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_joins_transaction, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_list, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
