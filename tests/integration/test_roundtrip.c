/*  test_roundtrip.c — integration: hub + two agents as real processes on loopback; signals in
    French, German and Italian travel upward and arrive byte-exact at the hub, the agents show
    them delivered with the hub's reference, and the hub lists both agents connected, backlog 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct {
    const char *canton;
    const char *lang;
    const char *title;
    const char *body;
} sample_t;

//  lemanique: VD (fr) and VS (de); ticino: TI (it). Accents, umlauts, guillemets, a quote and a
//  backslash: all must come back byte for byte.
static const sample_t s_lemanique[] = {
    {"VD", "fr", "Coordination AI – aide sociale : délais trop longs à Lausanne « été » œuvre",
     "Les bénéficiaires attendent des décisions coordonnées ; ça coûte cher.\nDeuxième ligne."},
    {"VS", "de", "Übergänge für Jugendliche: Schnittstelle Berufsbildung – Sozialhilfe (größer)",
     "Die Zusammenarbeit zwischen IV, ALV und Sozialhilfe ist lückenhaft: \"dringend\" \\ prüfen."},
};
static const sample_t s_ticino[] = {
    {"TI", "it", "Integrazione professionale: più attenzione ai giovani, città e però perché",
     "L'assicurazione invalidità e l'aiuto sociale non si coordinano abbastanza già oggi."},
};

typedef struct {
    it_fixture_t *f;
} ctx_t;

//  Both agents listed by `agents --json` as connected with backlog 0.
static bool s_agents_connected (void *arg)
{
    ctx_t *ctx = arg;
    it_result_t r;
    bool ok = false;
    if (it_hub_cli (ctx->f, &r, "agents", "--json", NULL) == 0) {
        json_t *listing = it_json_array (r.out);
        const json_t *lem = it_json_find (listing, "network", "lemanique");
        const json_t *tic = it_json_find (listing, "network", "ticino");
        //  backlog must be present as a number, not just absent (it_json_long is LONG_MIN then)
        ok = lem && tic && it_json_true (lem, "connected") && it_json_true (tic, "connected") &&
             !it_json_true (lem, "revoked") && !it_json_true (tic, "revoked") &&
             it_json_long (lem, "backlog") == 0 && it_json_long (tic, "backlog") == 0;
        json_decref (listing);
    }
    it_result_free (&r);
    return ok;
}

//  Checks every sample of one agent: listed delivered with the hub's ref for its message id,
//  and stored byte-exact at the hub (CLI JSON and SQL).
static void s_check_agent (it_fixture_t *f, it_agent_t *agent, const sample_t *samples,
                           size_t count, const json_t *hub_listing)
{
    it_result_t r;
    assert_int_equal (it_agent_cli (f, agent, &r, "signals", "--json", NULL), 0);
    json_t *listing = it_json_array (r.out);
    assert_int_equal (json_array_size (listing), count);
    for (size_t i = 0; i < count; i++) {
        const json_t *local = it_json_find (listing, "title", samples[i].title);
        assert_non_null (local);
        assert_true (it_json_true (local, "delivered"));
        const char *canton = it_json_str (local, "canton");
        assert_non_null (canton);
        assert_string_equal (canton, samples[i].canton);
        const char *message_id = it_json_str (local, "message_id");
        const char *hub_ref = it_json_str (local, "hub_ref");
        assert_non_null (message_id);
        assert_non_null (hub_ref);
        assert_true (strlen (hub_ref) > 0);

        //  the hub's row for that message id: same ref, same title bytes, right network
        char *ref =
            it_sql_text (f, "SELECT ref FROM signals WHERE message_id = $1", message_id, NULL);
        assert_non_null (ref);
        assert_string_equal (ref, hub_ref);
        char *title =
            it_sql_text (f, "SELECT title FROM signals WHERE message_id = $1", message_id, NULL);
        assert_non_null (title);
        assert_memory_equal (title, samples[i].title, strlen (samples[i].title) + 1);
        char *network =
            it_sql_text (f, "SELECT network FROM signals WHERE message_id = $1", message_id, NULL);
        assert_non_null (network);
        assert_string_equal (network, agent->network);
        assert_int_equal (
            it_sql_long (f, "SELECT count(*) FROM signals WHERE message_id = $1", message_id, NULL),
            1);

        //  `cii-hub signals --json` shows the same bytes
        const json_t *listed = it_json_find (hub_listing, "ref", hub_ref);
        assert_non_null (listed);
        const char *listed_title = it_json_str (listed, "title");
        assert_non_null (listed_title);
        assert_memory_equal (listed_title, samples[i].title, strlen (samples[i].title) + 1);
        const char *listed_canton = it_json_str (listed, "canton");
        assert_non_null (listed_canton);
        assert_string_equal (listed_canton, samples[i].canton);
        const char *listed_network = it_json_str (listed, "network");
        assert_non_null (listed_network);
        assert_string_equal (listed_network, agent->network);

        free (network);
        free (title);
        free (ref);
    }
    json_decref (listing);
    it_result_free (&r);
}

static void test_roundtrip (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    it_agent_t *tic = it_agent_add (f, "ticino");
    assert_non_null (lem);
    assert_non_null (tic);
    assert_int_equal (it_agent_start (f, lem), 0);
    assert_int_equal (it_agent_start (f, tic), 0);

    it_result_t r;
    for (size_t i = 0; i < sizeof s_lemanique / sizeof s_lemanique[0]; i++) {
        int status = it_signal_add (f, lem, s_lemanique[i].canton, s_lemanique[i].title,
                                    s_lemanique[i].body, s_lemanique[i].lang, &r);
        if (status != 0) print_message ("signal add: %s", r.err);
        assert_int_equal (status, 0);
        it_result_free (&r);
    }
    assert_int_equal (it_signal_add (f, tic, s_ticino[0].canton, s_ticino[0].title,
                                     s_ticino[0].body, s_ticino[0].lang, &r),
                      0);
    it_result_free (&r);

    //  all three stored at the hub, each agent sees them delivered
    assert_true (it_wait_sql (f, 30000, 3, "SELECT count(*) FROM signals", NULL));
    assert_true (it_wait_delivered (f, lem, 2, 30000));
    assert_true (it_wait_delivered (f, tic, 1, 30000));
    assert_int_equal (it_sql_long (f, "SELECT count(DISTINCT message_id) FROM signals", NULL), 3);
    assert_int_equal (it_sql_long (f, "SELECT count(*) FROM ingest_log", NULL), 3);
    assert_int_equal (it_agent_sql_long (lem, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal (it_agent_sql_long (tic, "SELECT count(*) FROM outbox"), 0);
    //  the description and language travel untouched too
    assert_int_equal (
        it_sql_long (f, "SELECT count(*) FROM signals WHERE title = $1 AND canton = 'VS'",
                     s_lemanique[1].title, NULL),
        1);

    it_result_t hub;
    assert_int_equal (it_hub_cli (f, &hub, "signals", "--json", NULL), 0);
    json_t *hub_listing = it_json_array (hub.out);
    assert_int_equal (json_array_size (hub_listing), 3);
    s_check_agent (f, lem, s_lemanique, sizeof s_lemanique / sizeof s_lemanique[0], hub_listing);
    s_check_agent (f, tic, s_ticino, 1, hub_listing);
    json_decref (hub_listing);
    it_result_free (&hub);

    //  --network filters
    assert_int_equal (it_hub_cli (f, &hub, "signals", "--network", "ticino", "--json", NULL), 0);
    hub_listing = it_json_array (hub.out);
    assert_int_equal (json_array_size (hub_listing), 1);
    const char *network = it_json_str (json_array_get (hub_listing, 0), "network");
    assert_non_null (network);
    assert_string_equal (network, "ticino");
    json_decref (hub_listing);
    it_result_free (&hub);

    //  both agents connected with nothing left to deliver
    ctx_t ctx = {f};
    assert_true (it_wait_until (30000, s_agents_connected, &ctx));

    //  clean shutdown of everything (exit 0 also means no sanitizer report)
    assert_int_equal (it_agent_stop (f, lem), 0);
    assert_int_equal (it_agent_stop (f, tic), 0);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_roundtrip, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
