/*  test_hub_store_notices.c — bureau notices in hub_store_notices against a real PostgreSQL: the
    stored notice with its id and time, its downward subject, and the listing with how many agents
    each was queued for and how many acknowledged it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_downward.h"
#include "hub_store_notices.h"
#include "unit_hub.h"

//  Stores a notice and queues a one-byte item for it, as the notices service does.
static int64_t
s_notice (unit_hub_t *hub, const char *title, const char *const *networks, size_t count)
{
    cii_notice_t notice = { .title = title, .text = "Texte « complet » à appliquer.", .networks = networks,
                            .n_networks = count };
    int64_t id = 0, issued = 0;
    assert_int_equal (hub_store_notice_add (hub->store, &notice, &id, &issued), CII_OK);
    assert_true (id > 0);
    assert_true (issued > 1700000000000);
    char subject [32];
    hub_store_notice_subject (id, subject);
    uint8_t body = (uint8_t) id;
    assert_int_equal (hub_store_downward_queue (hub->store, "notice", &body, 1, networks, count, subject, NULL), CII_OK);
    return id;
}

static void
test_subject (void **state)
{
    (void) state;
    char subject [32];
    hub_store_notice_subject (42, subject);
    assert_string_equal (subject, "notice:42");
    hub_store_notice_subject (INT64_MAX, subject);
    assert_string_equal (subject, "notice:9223372036854775807");
}

typedef struct {
    int rows;
    int stop_after;
    int64_t ids [8];
    int64_t recipients [8];
    int64_t acked [8];
    char networks [8][64];
    char titles [8][64];
    int64_t issued [8];
} s_seen_t;

static bool
s_notice_cb (const hub_notice_row_t *row, void *arg)
{
    s_seen_t *seen = arg;
    if (seen->rows < 8) {
        seen->ids [seen->rows] = row->id;
        seen->recipients [seen->rows] = row->recipients;
        seen->acked [seen->rows] = row->acked;
        seen->issued [seen->rows] = row->issued_at_ms;
        snprintf (seen->networks [seen->rows], sizeof seen->networks [0], "%s", row->networks);
        snprintf (seen->titles [seen->rows], sizeof seen->titles [0], "%s", row->title);
        assert_string_equal (row->text, "Texte « complet » à appliquer.");
    }
    seen->rows++;
    return !(seen->stop_after && seen->rows >= seen->stop_after);
}

static void
test_listing (void **state)
{
    unit_hub_t *hub = *state;
    s_seen_t seen;
    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_notices (hub->store, s_notice_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 0);

    unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ost = unit_hub_enrol (hub, "ost");
    int64_t all = s_notice (hub, "Recommandation 2026-03", NULL, 0);
    const char *only [] = { "zuerich" };
    int64_t zh_only = s_notice (hub, "Nur Zürich", only, 1);
    const char *two [] = { "zuerich", "ticino" };
    s_notice (hub, "Zwei", two, 2);
    assert_true (zh_only > all);
    int64_t ids [] = { zh, ost };
    int64_t seqs [] = { 2, 1 };
    assert_int_equal (hub_store_acks (hub->store, ids, seqs, 2), CII_OK);

    memset (&seen, 0, sizeof seen);
    assert_int_equal (hub_store_notices (hub->store, s_notice_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 3);
    assert_int_equal (seen.ids [0], all);
    assert_string_equal (seen.titles [0], "Recommandation 2026-03");
    assert_true (seen.issued [0] > 1700000000000);
    assert_int_equal (seen.recipients [0], 3);
    assert_int_equal (seen.acked [0], 2);           //  zuerich and ost acked, lemanique not
    assert_string_equal (seen.networks [0], "");    //  all networks
    assert_int_equal (seen.recipients [1], 1);
    assert_int_equal (seen.acked [1], 1);
    assert_string_equal (seen.networks [1], "zuerich");
    assert_int_equal (seen.recipients [2], 1);
    assert_int_equal (seen.acked [2], 0);
    assert_string_equal (seen.networks [2], "zuerich,ticino");
    //  The callback stops the walk.
    memset (&seen, 0, sizeof seen);
    seen.stop_after = 1;
    assert_int_equal (hub_store_notices (hub->store, s_notice_cb, &seen), CII_OK);
    assert_int_equal (seen.rows, 1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_subject),
        cmocka_unit_test_setup_teardown (test_listing, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
