/*  test_processing_loop.c — integration (issue 8): the national processing with real processes,
    from a cantonal signal through CDC and CP meetings and a working group to `answered`. Two
    networks in two languages forward a request each, the bureau decides them admissible, the CDC's
    agenda lists them broadest first with why, is published to both agents as a notice; the CDC's
    minutes (one bad file first: nothing changes) refer one request to the CP and mandate a working
    group on the other; with the Ticino agent stopped the group reports, its request is back on the
    CDC's agenda only, a second CDC meeting refers it to the CP, whose minutes answer both; the agent
    restarted holds the whole history in order (state, organ, meeting, note). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "it_loop.h"

//  The agenda items of meeting (`cii-hub agenda M --json`, and --publish when publish).
static json_t *
s_agenda (it_fixture_t *f, const char *meeting, bool publish)
{
    return publish ? IT_HUB_JSON (f, "agenda", meeting, "--publish") : IT_HUB_JSON (f, "agenda", meeting);
}

//  The item of ref on an agenda, or NULL.
static json_t *
s_item (json_t *agenda, const char *ref)
{
    return it_json_find (json_object_get (agenda, "items"), "ref", ref);
}

typedef struct {
    it_fixture_t *f;
    it_agent_t *agent;
    const char *title;            //  a notice whose title starts so
} s_notice_wait_t;

static bool
s_has_notice (void *arg)
{
    s_notice_wait_t *w = arg;
    it_result_t r;
    bool found = false;
    if (it_agent_run (w->f, w->agent, &r, "notices", "--json", NULL) == 0) {
        json_t *list = it_json_array (r.out);
        for (size_t i = 0; i < json_array_size (list) && !found; i++) {
            const char *title = it_json_str (json_array_get (list, i), "title");
            found = title && strncmp (title, w->title, strlen (w->title)) == 0;
        }
        json_decref (list);
    }
    it_result_free (&r);
    return found;
}

//  One expected step of a request's history at an agent.
typedef struct {
    const char *state, *organ, *meeting, *note;    //  meeting NULL: none; note NULL: not checked
} s_step_t;

//  The agent's history of request id, from its first `admissible` on, is exactly steps (in order,
//  times never going back).
static void
s_assert_history (it_fixture_t *f, it_agent_t *agent, const char *id, const s_step_t *steps, size_t count)
{
    it_result_t r;
    assert_int_equal (it_agent_run (f, agent, &r, "show", id, "--json", NULL), 0);
    json_t *doc = it_json (r.out);
    json_t *history = json_object_get (doc, "history");
    assert_true (json_is_array (history));
    size_t from = 0;
    while (from < json_array_size (history)
           && !streq (it_json_str (json_array_get (history, from), "state") ?: "", "admissible"))
        from++;
    if (json_array_size (history) - from != count)
        print_message ("%s: %s\n", agent->network, r.out);
    assert_int_equal (json_array_size (history) - from, count);
    const char *previous = "";
    for (size_t i = 0; i < count; i++) {
        json_t *entry = json_array_get (history, from + i);
        const char *state = it_json_str (entry, "state");
        const char *organ = it_json_str (entry, "organ");
        const char *meeting = it_json_str (entry, "meeting");
        const char *note = it_json_str (entry, "note");
        const char *at = it_json_str (entry, "at");
        if (!state || !streq (state, steps [i].state) || !organ || !streq (organ, steps [i].organ)
            || !streq (meeting ? meeting : "", steps [i].meeting ? steps [i].meeting : "")
            || (steps [i].note && (!note || !streq (note, steps [i].note))))
            fail_msg ("%s history step %zu: got %s/%s/%s/%s, expected %s/%s/%s/%s", agent->network, i,
                      state, organ, meeting ? meeting : "-", note ? note : "-", steps [i].state, steps [i].organ,
                      steps [i].meeting ? steps [i].meeting : "-", steps [i].note ? steps [i].note : "(any)");
        assert_non_null (at);
        assert_true (strcmp (previous, at) <= 0);
        previous = at;
    }
    json_decref (doc);
    it_result_free (&r);
}

static void
test_processing_loop (void **state)
{
    it_fixture_t *f = *state;
    assert_int_equal (it_hub_start (f), 0);
    it_agent_t *lem = it_agent_add (f, "lemanique");
    it_agent_t *ti = it_agent_add (f, "ticino");
    assert_int_equal (it_agent_start (f, lem), 0);
    assert_int_equal (it_agent_start (f, ti), 0);
    it_result_t r;

    //  A cantonal signal each, in French and Italian; a request each, the French one supported by VD
    const char *fr_signal = "Jeunes en rupture de formation sans suivi entre l'OFPC et l'aide sociale";
    const char *it_signal = "Giovani senza formazione: nessun passaggio di informazioni tra orientamento e assistenza";
    assert_int_equal (it_agent_cli (f, lem, &r, "signal", "add", "--canton", "GE", "--lang", "fr", "--title", fr_signal,
                                    "--body", "Les jeunes qui quittent un apprentissage disparaissent des radars : "
                                    "l'aide sociale les reçoit des mois plus tard, sans le dossier de l'orientation.",
                                    "--institutions", "vocational-training,social-aid", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_cli (f, ti, &r, "signal", "add", "--canton", "TI", "--lang", "it", "--title", it_signal,
                                    "--body", "I giovani che interrompono l'apprendistato arrivano all'assistenza "
                                    "sociale mesi dopo, senza le informazioni dell'orientamento professionale.",
                                    "--institutions", "vocational-training,social-aid", NULL), 0);
    it_result_free (&r);
    char a_id [24], b_id [24];
    long a = it_draft_of (f, lem, fr_signal, "Rupture de formation : suivi coordonné OFPC – aide sociale",
                          "Un suivi commun des jeunes en rupture d'apprentissage.", "system-coordination", a_id);
    long b = it_draft_of (f, ti, it_signal, "Interruzione della formazione: seguito coordinato",
                          "Un seguito comune dei giovani che interrompono l'apprendistato.", "labour-market-integration",
                          b_id);
    assert_int_equal (it_agent_run (f, lem, &r, "request", "edit", a_id, "--support", "VD", "--json", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, lem, &r, "request", "forward", a_id, NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_agent_run (f, ti, &r, "request", "forward", b_id, NULL), 0);
    it_result_free (&r);
    char ref_a [40], ref_b [40];
    it_wait_request_state (f, lem, a, "received", ref_a);
    it_wait_request_state (f, ti, b, "received", ref_b);

    //  The bureau decides both admissible
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_a, "--to", "admissible", "--organ", "bureau", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_b, "--to", "admissible", "--organ", "bureau", NULL), 0);
    it_result_free (&r);

    //  Meetings of next year: a CDC, the CP two weeks after the second CDC
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    char d_cdc1 [32], d_cdc2 [32], d_cp [32];
    snprintf (d_cdc1, sizeof d_cdc1, "%04d-03-10", tm.tm_year + 1901);
    snprintf (d_cdc2, sizeof d_cdc2, "%04d-06-10", tm.tm_year + 1901);
    snprintf (d_cp, sizeof d_cp, "%04d-06-24", tm.tm_year + 1901);
    char m_cdc1 [40], m_cdc2 [40], m_cp [40];
    it_ref_of (IT_HUB_JSON (f, "meeting", "new", "--organ", "cdc", "--date", d_cdc1), m_cdc1);
    it_ref_of (IT_HUB_JSON (f, "meeting", "new", "--organ", "cdc", "--date", d_cdc2), m_cdc2);
    it_ref_of (IT_HUB_JSON (f, "meeting", "new", "--organ", "cp", "--date", d_cp), m_cp);
    assert_true (strncmp (m_cdc1, "M-", 2) == 0 && strcmp (m_cdc1, m_cdc2) < 0 && strcmp (m_cdc2, m_cp) < 0);

    //  The CDC's agenda: both requests, broadest first (GE + VD before TI), each with its why; the
    //  CP's agenda has neither (admissible requests go to the CDC first)
    json_t *agenda = s_agenda (f, m_cdc1, false);
    json_t *items = json_object_get (agenda, "items");
    assert_int_equal (json_array_size (items), 2);
    assert_string_equal (it_json_str (json_array_get (items, 0), "ref"), ref_a);
    assert_string_equal (it_json_str (json_array_get (items, 1), "ref"), ref_b);
    for (size_t i = 0; i < 2; i++) {
        const char *why = it_json_str (json_array_get (items, i), "why");
        assert_non_null (why);
        assert_non_null (strstr (why, "admissible since"));
        assert_non_null (strstr (why, "not yet discussed"));
        assert_string_equal (it_json_str (json_array_get (items, i), "kind"), "request");
    }
    assert_int_equal (json_array_size (json_object_get (json_array_get (items, 0), "cantons")), 2);
    json_decref (agenda);
    agenda = s_agenda (f, m_cp, false);
    assert_int_equal (json_array_size (json_object_get (agenda, "items")), 0);
    json_decref (agenda);

    //  The bureau schedules them and publishes the CDC's agenda: both agents get it as a notice
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_a, "--to", "scheduled", "--organ", "bureau", NULL), 0);
    it_result_free (&r);
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_b, "--to", "scheduled", "--organ", "bureau", NULL), 0);
    it_result_free (&r);
    agenda = s_agenda (f, m_cdc1, true);
    json_t *published = json_object_get (agenda, "published");
    assert_true (it_json_true (published, "sent"));
    assert_int_equal (it_json_long (published, "recipients"), 2);
    assert_non_null (strstr (it_json_str (s_item (agenda, ref_a), "why"), "scheduled by the bureau"));
    assert_non_null (strstr (it_json_str (s_item (agenda, ref_b), "why"), "scheduled by the bureau"));
    json_decref (agenda);
    char title [64];
    snprintf (title, sizeof title, "Agenda %s", m_cdc1);
    s_notice_wait_t nw = { f, lem, title };
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_has_notice, &nw));
    nw.agent = ti;
    assert_true (it_wait_until (IT_LOOP_WAIT_MS, s_has_notice, &nw));

    //  Minutes with one bad item (an answer without its text): refused whole, the item named
    char path [600], text [2048];
    snprintf (text, sizeof text,
              "[{\"ref\": \"%s\", \"to\": \"referred-to-cp\", \"note\": \"Au CP : financement commun à décider.\"},\n"
              " {\"ref\": \"%s\", \"to\": \"answered\"}]\n", ref_a, ref_b);
    it_write_file (f, "bad.json", text, path);
    assert_int_equal (it_hub_cli (f, &r, "minutes", m_cdc1, "--file", path, NULL), 1);
    assert_non_null (strstr (r.err, "item 2"));
    assert_non_null (strstr (r.err, ref_b));
    it_result_free (&r);
    json_t *doc = it_hub_show (f, ref_a);
    assert_string_equal (it_json_str (doc, "state"), "scheduled");
    json_decref (doc);
    doc = it_hub_show (f, ref_b);
    assert_string_equal (it_json_str (doc, "state"), "scheduled");
    json_decref (doc);

    //  The CDC's minutes: the French request referred to the CP, the Italian one to a working group
    const char *note_a1 = "Au CP : financement commun OFPC – aide sociale à décider.";
    const char *note_b1 = "Gruppo di lavoro: analisi dei passaggi tra orientamento e assistenza.";
    snprintf (text, sizeof text,
              "[{\"ref\": \"%s\", \"to\": \"referred-to-cp\", \"note\": \"%s\"},\n"
              " {\"ref\": \"%s\", \"to\": \"wg-mandated\", \"note\": \"%s\"}]\n", ref_a, note_a1, ref_b, note_b1);
    it_write_file (f, "cdc1.json", text, path);
    assert_int_equal (it_hub_cli (f, &r, "minutes", m_cdc1, "--file", path, NULL), 0);
    it_result_free (&r);
    char wg [40];
    it_ref_of (IT_HUB_JSON (f, "wg", "new", "--mandated-by", "cdc", "--refs", ref_b, "--meeting", m_cdc1, "--title",
                          "Passaggi tra orientamento professionale e assistenza sociale", "--context",
                          "Giovani che interrompono l'apprendistato.", "--objective", "Un protocollo di passaggio.",
                          "--deliverables", "Rapporto e protocollo.", "--process", "Quattro sedute.",
                          "--composition", "URC, orientamento, assistenza sociale.", "--communication",
                          "Rapporto al CDC.", "--financing", "Budget dei partner.", "--lead", "SEFRI", "--staffing",
                          "Segreteria CII.", "--until", d_cdc2), wg);
    assert_true (strncmp (wg, "WG-", 3) == 0);
    it_wait_request_state (f, lem, a, "referred-to-cp", NULL);
    it_wait_request_state (f, ti, b, "wg-mandated", NULL);

    //  Ticino goes offline; the group reports: the request is back with the CDC only
    assert_int_equal (it_agent_stop (f, ti), 0);
    it_write_file (f, "result.md", "# Risultato\n\nUn protocollo di passaggio comune, firmato da URC e assistenza.\n", path);
    json_decref (IT_HUB_JSON (f, "wg", "report", wg, "--file", path));
    agenda = s_agenda (f, m_cdc2, false);
    assert_int_equal (json_array_size (json_object_get (agenda, "items")), 1);
    const char *why = it_json_str (s_item (agenda, ref_b), "why");
    assert_non_null (why);
    assert_non_null (strstr (why, "working group, mandated by the cdc, reported"));
    json_decref (agenda);
    agenda = s_agenda (f, m_cp, false);
    assert_int_equal (json_array_size (json_object_get (agenda, "items")), 1);
    why = it_json_str (s_item (agenda, ref_a), "why");
    assert_non_null (why);
    assert_non_null (strstr (why, "referred to the CP by the CDC"));
    assert_null (s_item (agenda, ref_b));
    json_decref (agenda);
    //  The CP may not take up the CDC's group's result
    assert_int_equal (it_hub_cli (f, &r, "decide", ref_b, "--to", "answered", "--organ", "cp", "--meeting", m_cp,
                                  "--note", "No.", NULL), 1);
    it_result_free (&r);

    //  The second CDC meeting refers it to the CP; the CP answers both
    const char *note_b2 = "Al CP con il rapporto del gruppo di lavoro.";
    const char *answer_a = "Le CP charge l'OFPC et l'aide sociale d'un suivi commun dès la rentrée.";
    const char *answer_b = "Il CP adotta il protocollo di passaggio del gruppo di lavoro.";
    snprintf (text, sizeof text, "[{\"ref\": \"%s\", \"to\": \"referred-to-cp\", \"note\": \"%s\"}]\n", ref_b, note_b2);
    it_write_file (f, "cdc2.json", text, path);
    assert_int_equal (it_hub_cli (f, &r, "minutes", m_cdc2, "--file", path, NULL), 0);
    it_result_free (&r);
    snprintf (text, sizeof text,
              "[{\"ref\": \"%s\", \"to\": \"answered\", \"note\": \"%s\"},\n"
              " {\"ref\": \"%s\", \"to\": \"answered\", \"note\": \"%s\"}]\n", ref_a, answer_a, ref_b, answer_b);
    it_write_file (f, "cp.json", text, path);
    assert_int_equal (it_hub_cli (f, &r, "minutes", m_cp, "--file", path, NULL), 0);
    it_result_free (&r);
    it_wait_request_state (f, lem, a, "answered", NULL);
    doc = it_hub_show (f, ref_b);
    assert_string_equal (it_json_str (doc, "state"), "answered");
    json_decref (doc);

    //  Ticino back: it holds the whole history in order
    assert_int_equal (it_agent_start (f, ti), 0);
    it_wait_request_state (f, ti, b, "answered", NULL);
    char wg_note [120];
    snprintf (wg_note, sizeof wg_note, "working group %s reported to the cdc", wg);
    const s_step_t steps_b [] = {
        { "admissible", "bureau", NULL, NULL },
        { "scheduled", "bureau", NULL, NULL },
        { "wg-mandated", "cdc", m_cdc1, note_b1 },
        { "wg-reported", "wg", NULL, wg_note },
        { "referred-to-cp", "cdc", m_cdc2, note_b2 },
        { "answered", "cp", m_cp, answer_b },
    };
    s_assert_history (f, ti, b_id, steps_b, sizeof steps_b / sizeof steps_b [0]);
    const s_step_t steps_a [] = {
        { "admissible", "bureau", NULL, NULL },
        { "scheduled", "bureau", NULL, NULL },
        { "referred-to-cp", "cdc", m_cdc1, note_a1 },
        { "answered", "cp", m_cp, answer_a },
    };
    s_assert_history (f, lem, a_id, steps_a, sizeof steps_a / sizeof steps_a [0]);
    //  The final state is final: nothing more on any agenda
    agenda = s_agenda (f, m_cp, false);
    assert_int_equal (json_array_size (json_object_get (agenda, "items")), 0);
    json_decref (agenda);
    assert_int_equal (it_hub_stop (f), 0);
    it_fixture_pass (f);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_processing_loop, it_setup, it_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
