/*  test_hub_recommend.c — the CP's recommendations (issue 9, publishing on the hub) against a real
    PostgreSQL: the REC.json reader (shape refusals, line and column), the rules of a draft, a
    recommendation published in fr/de/it/rm with its UTF-8 untouched, REC-YYYY-NN gapless per adoption
    year, every refusal with its reason and nothing stored, the basis moved to recommended (a theme
    standing for its requests, one already recommended staying) with a STATUS down, one downward item
    per network with that network's cantons ("all": seven), amendments as version n+1 with the earlier
    kept, and what `show` reads (versions, deliveries, acknowledgements). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cii_codec.h"
#include "cii_kind.h"
#include "cii_wire.h"
#include "hub_flow.h"
#include "hub_meeting.h"
#include "hub_recommend.h"
#include "hub_store_downward.h"
#include "hub_themes.h"
#include "unit_gate.h"
#include "unit_hub.h"

static const char *const s_title_fr = "Détection précoce : coopération AI – aide sociale";
static const char *const s_title_de = "Früherfassung: Zusammenarbeit IV – Sozialhilfe (Straße, Größe)";
static const char *const s_title_it = "Individuazione precoce: collaborazione AI – assistenza sociale, qualità";
static const char *const s_title_rm = "Identificaziun tempriva: collavuraziun AI – agid social";
static const char *const s_text_fr = "Les cantons désignent un interlocuteur unique.\n\nÀ évaluer d'ici fin 2027.";
static const char *const s_text_de = "Die Kantone bezeichnen eine Anlaufstelle für Übergänge; Maßnahmen «früh».";
static const char *const s_text_it = "I cantoni designano un interlocutore unico; è così.";
static const char *const s_text_rm = "Ils chantuns designeschan in post da contact.";

static const char *const s_three [] = { "VD", "ZH", "TI" };
static const char *const s_csias [] = { "CSIAS" };

//  A draft in fr, de, it (and rm when rm), adopted 2027-04-20, to report by 2027-12-31, addressed
//  to cantons[0..n-1] and CSIAS, with basis[0..n_basis-1].
static hub_rec_draft_t
s_draft (const char *const *cantons, size_t n, const char *const *basis, size_t n_basis, bool rm)
{
    hub_rec_draft_t d;
    memset (&d, 0, sizeof d);
    d.title [0] = s_title_fr;
    d.title [1] = s_title_de;
    d.title [2] = s_title_it;
    d.text [0] = s_text_fr;
    d.text [1] = s_text_de;
    d.text [2] = s_text_it;
    if (rm) {
        d.title [3] = s_title_rm;
        d.text [3] = s_text_rm;
    }
    d.adopted_on = "2027-04-20";
    d.report_by = "2027-12-31";
    d.basis = basis;
    d.n_basis = n_basis;
    d.cantons = cantons;
    d.n_cantons = n;
    d.partners = s_csias;
    d.n_partners = 1;
    return d;
}

//  A request of network brought to `to` through a CP agenda (NULL: left received; referred-to-cp:
//  by the cdc).
static void
s_request (unit_hub_t *hub, int64_t agent, const char *network, const char *canton, const char *id, const char *to,
           char ref [HUB_MAX_REF])
{
    ug_simple (hub, agent, network, canton, id, ref);
    if (!to)
        return;
    unit_hub_decide (hub, ref, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (hub, ref, "scheduled", "bureau", NULL, NULL);
    if (strcmp (to, "scheduled") != 0)
        unit_hub_decide (hub, ref, to, strcmp (to, "referred-to-cp") == 0 ? "cdc" : "cp", NULL, NULL);
}

static void
s_publish (unit_hub_t *hub, const hub_rec_draft_t *draft, hub_rec_done_t *done)
{
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_recommend_publish (hub->store, draft, done, &err) != CII_OK)
        fail_msg ("publish: %s", err.text);
}

//  --- what went down to an agent ------------------------------------------------------------------

typedef struct {
    int count;
    char lines [16][200];       //  "REF.vN CANTONS[ all] partners=P de=TITLE" / "status REF STATE ORGAN NOTE"
} s_down_t;

static void
s_down_cb (int64_t agent_id, int64_t seq, const char *kind, const uint8_t *body, size_t size, void *arg)
{
    (void) agent_id;
    (void) seq;
    s_down_t *down = arg;
    ProtobufCMessage *item = NULL;
    char line [200] = "";
    if (strcmp (kind, "recommendation") == 0) {
        assert_int_equal (cii_codec_item_unpack (cii_kind_find (kind), body, size, &item, NULL), CII_OK);
        cii_recommendation_t rec;
        cii_wire_recommendation_view ((const Cii__Recommendation *) item, &rec);
        assert_int_equal (cii_recommendation_check (&rec, NULL, NULL), CII_OK);
        char cantons [80] = "";
        for (size_t i = 0; i < rec.n_cantons; i++)
            snprintf (cantons + strlen (cantons), sizeof cantons - strlen (cantons), "%s%s", i ? "," : "",
                      rec.cantons [i]);
        const cii_translation_t *de = cii_recommendation_translation (&rec, "de");
        snprintf (line, sizeof line, "%s.v%u %s%s partners=%s langs=%zu de=%.60s", rec.ref, rec.version, cantons,
                  rec.all_cantons ? " all" : "", rec.n_partners ? rec.partners [0] : "-", rec.n_translations,
                  de ? de->title : "-");
    }
    else
    if (strcmp (kind, "status") == 0) {
        assert_int_equal (cii_codec_item_unpack (cii_kind_find (kind), body, size, &item, NULL), CII_OK);
        const Cii__Status *status = (const Cii__Status *) item;
        snprintf (line, sizeof line, "status %s %s %s %s %.60s", status->ref, status->state, status->organ,
                  *status->meeting ? status->meeting : "-", status->note);
    }
    else
        return;
    if (down->count < 16)
        snprintf (down->lines [down->count], sizeof down->lines [0], "%s", line);
    down->count++;
    cii_codec_item_free (&item);
}

//  The items after seq `after` for agent (statuses and recommendations only).
static s_down_t
s_down (unit_hub_t *hub, int64_t agent, int64_t after)
{
    s_down_t down;
    memset (&down, 0, sizeof down);
    hub_fetch_t fetch = { agent, after, 200 };
    assert_int_equal (hub_store_downward_fetch (hub->store, &fetch, 1, s_down_cb, &down), CII_OK);
    return down;
}

static int64_t
s_last_seq (unit_hub_t *hub, int64_t agent)
{
    return unit_pg_int (hub->pg, "SELECT last_seq FROM downward_heads WHERE agent_id = %lld", (long long) agent);
}

//  Nothing of a recommendation stored, no number taken.
static void
s_nothing_stored (unit_hub_t *hub)
{
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendations"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_versions"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'REC'"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE kind = 'recommendation'"), 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'recommended'"), 0);
}

//  --- the file --------------------------------------------------------------------------------------

//  Refused with exactly expect (or, when expect ends with "*", a reason starting with what comes before).
static void
s_parse_refused (const char *text, const char *expect)
{
    hub_rec_file_t file;
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc = hub_recommend_parse ("REC.json", text, strlen (text), &file, &err);
    size_t len = strlen (expect);
    bool prefix = len > 0 && expect [len - 1] == '*';
    if (rc != CII_BAD_INPUT || (prefix ? strncmp (err.text, expect, len - 1) : strcmp (err.text, expect)) != 0)
        fail_msg ("%s: got %s \"%s\", expected \"%s\"", text, cii_rc_name (rc), err.text, expect);
    assert_null (file.doc);
    assert_null (file.strings);
}

static void
test_parse (void **state)
{
    (void) state;
    const char *text =
        "{\n"
        "  \"title\": {\"fr\": \"Détection précoce\", \"de\": \"Früherfassung (Straße)\", \"it\": \"Qualità\",\n"
        "            \"rm\": \"Identificaziun\"},\n"
        "  \"text\": {\"fr\": \"Texte\\nsuite\", \"de\": \"Übergänge\", \"it\": \"così\", \"rm\": \"Text\"},\n"
        "  \"adopted_on\": \"2027-04-20\", \"report_by\": \"2027-12-31\",\n"
        "  \"basis\": [\"CII-2027-0001\", \"NT-2027-02\", \"Étude BASS 2026\"],\n"
        "  \"addressees\": {\"cantons\": [\"VD\", \"ZH\"], \"partners\": [\"CSIAS\"]},\n"
        "  \"note\": null, \"meeting\": \"M-2027-03\"\n"
        "}\n";
    hub_rec_file_t file;
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_recommend_parse ("REC.json", text, strlen (text), &file, &err), CII_OK);
    const hub_rec_draft_t *d = &file.draft;
    assert_string_equal (d->title [1], "Früherfassung (Straße)");
    assert_string_equal (d->text [0], "Texte\nsuite");
    assert_string_equal (d->title [3], "Identificaziun");
    assert_string_equal (d->adopted_on, "2027-04-20");
    assert_int_equal (d->n_basis, 3);
    assert_string_equal (d->basis [2], "Étude BASS 2026");
    assert_false (d->all_cantons);
    assert_int_equal (d->n_cantons, 2);
    assert_string_equal (d->cantons [1], "ZH");
    assert_int_equal (d->n_partners, 1);
    assert_string_equal (d->partners [0], "CSIAS");
    assert_null (d->note);
    assert_string_equal (d->meeting, "M-2027-03");
    assert_int_equal (hub_recommend_check (d, &err), CII_OK);
    hub_recommend_file_clear (&file);
    hub_recommend_file_clear (&file);
    //  "all"
    const char *all = "{\"addressees\": {\"cantons\": \"all\"}}";
    assert_int_equal (hub_recommend_parse (NULL, all, strlen (all), &file, &err), CII_OK);
    assert_true (file.draft.all_cantons);
    assert_int_equal (file.draft.n_cantons, 0);
    hub_recommend_file_clear (&file);
    //  The shape, each refusal.
    s_parse_refused ("{\n  \"title\": {\"fr\": \"x\",}\n}", "REC.json: line 2, column *");
    s_parse_refused ("[1]", "REC.json: the recommendation must be a JSON object {\"title\", \"text\", \"adopted_on\", "
                     "\"report_by\", \"basis\", \"addressees\"}");
    s_parse_refused ("{\"titel\": {}}", "unknown key \"titel\" (title, text, adopted_on, report_by, basis, addressees, "
                     "note, meeting)");
    s_parse_refused ("{\"title\": \"x\"}", "\"title\" must be an object {\"fr\", \"de\", \"it\", \"rm\"} of strings");
    s_parse_refused ("{\"text\": {\"en\": \"x\"}}", "text: unknown language \"en\" (fr, de, it, rm)");
    s_parse_refused ("{\"title\": {\"de\": 3}}", "title.de must be a string");
    s_parse_refused ("{\"report_by\": 20271231}", "\"report_by\" must be a string");
    s_parse_refused ("{\"basis\": \"CII-2027-0001\"}", "basis must be an array of strings");
    s_parse_refused ("{\"basis\": [\"a\", 2]}", "basis[1] must be a string");
    s_parse_refused ("{\"addressees\": [\"VD\"]}", "\"addressees\" must be an object {\"cantons\", \"partners\"}");
    s_parse_refused ("{\"addressees\": {\"canton\": \"all\"}}", "addressees: unknown key \"canton\" (cantons, partners)");
    s_parse_refused ("{\"addressees\": {\"cantons\": \"VD\"}}",
                     "addressees.cantons must be \"all\" or an array of canton codes (got \"VD\")");
    s_parse_refused ("{\"addressees\": {\"cantons\": [\"VD\", null]}}", "addressees.cantons[1] must be a string");
    s_parse_refused ("{\"addressees\": {\"partners\": \"CSIAS\"}}", "addressees.partners must be an array of partner codes");
    s_parse_refused ("{\"title\": {\"fr\": \"a\\u0000b\"}}", "REC.json: line 1, column *");
}

static void
s_check_refused (const hub_rec_draft_t *d, cii_rc_t rc, const char *expect)
{
    UNIT_HUB_REFUSED (hub_recommend_check (d, &e_), rc, expect);
}

static void
test_check (void **state)
{
    (void) state;
    hub_rec_draft_t d = s_draft (s_three, 3, NULL, 0, true);
    assert_int_equal (hub_recommend_check (&d, NULL), CII_OK);
    d.title [1] = NULL;
    s_check_refused (&d, CII_BAD_INPUT, "title.de: missing (French, German and Italian are required)");
    d.title [1] = " \n";
    s_check_refused (&d, CII_BAD_INPUT, "title.de: missing (French, German and Italian are required)");
    d = s_draft (s_three, 3, NULL, 0, false);
    d.text [2] = NULL;
    s_check_refused (&d, CII_BAD_INPUT, "text.it: missing (French, German and Italian are required)");
    d = s_draft (s_three, 3, NULL, 0, false);
    d.title [3] = "Titel";
    s_check_refused (&d, CII_BAD_INPUT, "text.rm: missing (the title has a Romansh version)");
    d.title [3] = NULL;
    d.text [3] = "Text";
    s_check_refused (&d, CII_BAD_INPUT, "title.rm: missing (the text has a Romansh version)");
    d = s_draft (s_three, 3, NULL, 0, false);
    char long_title [CII_MAX_TITLE + 2];
    memset (long_title, 'a', sizeof long_title - 1);
    long_title [sizeof long_title - 1] = 0;
    d.title [0] = long_title;
    s_check_refused (&d, CII_BAD_INPUT, "title.fr must be one line of 1..200 bytes of UTF-8 text (got 201 bytes)");
    d.title [0] = "Deux\nlignes";
    s_check_refused (&d, CII_BAD_INPUT, "title.fr must be one line of 1..200 bytes of UTF-8 text (got 11 bytes, not "
                     "one line of text)");
    d.title [0] = s_title_fr;
    d.text [1] = "\xc3\x28";
    s_check_refused (&d, CII_BAD_INPUT, "text.de must be 1..8000 bytes of UTF-8 text (got 2 bytes, not valid text)");
    d = s_draft (s_three, 3, NULL, 0, false);
    d.adopted_on = NULL;
    s_check_refused (&d, CII_BAD_INPUT, "adopted_on: missing (the date of the adoption, YYYY-MM-DD)");
    d.adopted_on = "2027-02-30";
    s_check_refused (&d, CII_BAD_INPUT, "adopted_on: \"2027-02-30\" is not a calendar date YYYY-MM-DD");
    d.adopted_on = "2027-04-20";
    d.report_by = NULL;
    s_check_refused (&d, CII_BAD_INPUT, "report_by: missing (the date by which implementation is reported, YYYY-MM-DD)");
    d.report_by = "31.12.2027";
    s_check_refused (&d, CII_BAD_INPUT, "report_by: \"31.12.2027\" is not a calendar date YYYY-MM-DD");
    d.report_by = "2027-04-19";
    s_check_refused (&d, CII_BAD_INPUT, "report_by: 2027-04-19 is before the adoption on 2027-04-20");
    d.report_by = "2027-04-20";
    assert_int_equal (hub_recommend_check (&d, NULL), CII_OK);
    //  Addressees
    const char *const bad [] = { "VD", "XX" };
    d = s_draft (bad, 2, NULL, 0, false);
    s_check_refused (&d, CII_NOT_FOUND, "addressees.cantons[1]: unknown canton \"XX\"");
    const char *const twice [] = { "VD", "ZH", "VD" };
    d = s_draft (twice, 3, NULL, 0, false);
    s_check_refused (&d, CII_BAD_INPUT, "addressees.cantons[2]: VD is named twice");
    const char *const lower [] = { "vd" };
    d = s_draft (lower, 1, NULL, 0, false);
    s_check_refused (&d, CII_NOT_FOUND, "addressees.cantons[0]: unknown canton \"vd\"");
    d = s_draft (NULL, 0, NULL, 0, false);
    d.n_partners = 0;
    s_check_refused (&d, CII_BAD_INPUT, "addressees: none (\"cantons\": \"all\" or a list, and/or \"partners\")");
    const char *const hostile [] = { "CSIAS'; DROP TABLE partners;--" };
    d.partners = hostile;
    d.n_partners = 1;
    s_check_refused (&d, CII_BAD_INPUT, "addressees.partners[0]: \"CSIAS'; DROP TAB...\" is not a partner code");
    const char *const two [] = { "CSIAS", "CSIAS" };
    d.partners = two;
    d.n_partners = 2;
    s_check_refused (&d, CII_BAD_INPUT, "addressees.partners[1]: CSIAS is named twice");
    //  Only partners is an addressee; "all" too.
    d.n_partners = 1;
    assert_int_equal (hub_recommend_check (&d, NULL), CII_OK);
    d.n_partners = 0;
    d.all_cantons = true;
    assert_int_equal (hub_recommend_check (&d, NULL), CII_OK);
    //  Basis
    const char *const basis_twice [] = { "Étude BASS 2026", "CII-2027-0001", "Étude BASS 2026" };
    d = s_draft (s_three, 3, basis_twice, 3, false);
    s_check_refused (&d, CII_BAD_INPUT, "basis[2]: \"Étude BASS 2026\" is named twice");
    const char *const basis_lines [] = { "Deux\nlignes" };
    d = s_draft (s_three, 3, basis_lines, 1, false);
    s_check_refused (&d, CII_BAD_INPUT, "basis[0] must be one line of 1..64 bytes (got 11 bytes)");
    d = s_draft (s_three, 3, NULL, 0, false);
    d.note = "\x01";
    s_check_refused (&d, CII_BAD_INPUT, "note must be UTF-8 text of at most 4000 bytes (got 1 bytes, not valid text)");
}

//  --- publishing ------------------------------------------------------------------------------------

static void
test_publish (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ti = unit_hub_enrol (hub, "ticino");
    int64_t ost = unit_hub_enrol (hub, "ost");
    char planned [HUB_MAX_REF], cp [HUB_MAX_REF], expect [400];
    s_request (hub, lem, "lemanique", "VD", "req-a", "recommendation-planned", planned);
    s_request (hub, zh, "zuerich", "ZH", "req-b", "referred-to-cp", cp);
    int64_t lem_seq = s_last_seq (hub, lem), zh_seq = s_last_seq (hub, zh);
    const char *basis [] = { planned, cp, "Étude BASS 2026" };
    hub_rec_draft_t d = s_draft (s_three, 3, basis, 3, true);
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-01");
    assert_int_equal (done.version, 1);
    assert_string_equal (done.adopted_on, "2027-04-20");
    assert_string_equal (done.report_by, "2027-12-31");
    assert_true (done.issued_at_ms > 0);
    //  The requests of the basis, by id, with the state they had.
    assert_int_equal (done.count, 2);
    assert_string_equal (done.requests [0].ref, planned);
    assert_string_equal (done.requests [0].from, "recommendation-planned");
    assert_string_equal (done.requests [1].from, "referred-to-cp");
    //  One item per network holding an addressed canton, by name.
    assert_int_equal (done.n_sent, 3);
    assert_string_equal (done.sent [0].network, "lemanique");
    assert_string_equal (done.sent [0].cantons, "VD");
    assert_int_equal (done.sent [0].recipients, 1);
    assert_string_equal (done.sent [1].network, "ticino");
    assert_string_equal (done.sent [1].cantons, "TI");
    assert_string_equal (done.sent [2].network, "zuerich");
    hub_rec_done_clear (&done);
    hub_rec_done_clear (&done);
    //  Stored whole, UTF-8 untouched.
    unit_hub_text_is (hub, "REC-2027-01/1", "SELECT ref || '/' || version FROM recommendations");
    unit_hub_text_is (hub, s_title_de, "SELECT title FROM recommendation_texts WHERE language = 'de'");
    unit_hub_text_is (hub, s_text_fr, "SELECT text FROM recommendation_texts WHERE language = 'fr'");
    unit_hub_text_is (hub, s_title_rm, "SELECT title FROM recommendation_texts WHERE language = 'rm'");
    unit_hub_text_is (hub, s_text_it, "SELECT text FROM recommendation_texts WHERE language = 'it'");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT octet_length (title) FROM recommendation_texts WHERE language = 'de'"),
                      (long long) strlen (s_title_de));
    unit_hub_text_is (hub, "2027-04-20|2027-12-31|false|TI,VD,ZH|CSIAS", "SELECT adopted_on || '|' || report_by || '|' || all_cantons "
                      "|| '|' || array_to_string (cantons, ',') || '|' || array_to_string (partners, ',') "
                      "FROM recommendation_versions");
    snprintf (expect, sizeof expect, "%s|%s|Étude BASS 2026", planned, cp);
    unit_hub_text_is (hub, expect, "SELECT array_to_string (basis, '|') FROM recommendation_versions");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_requests"), 2);
    //  The basis is recommended, by the cp, the note naming the recommendation, and the STATUS went down.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM requests WHERE state = 'recommended'"), 2);
    snprintf (expect, sizeof expect, "cp|recommendation REC-2027-01: %s", s_title_fr);
    unit_hub_text_is (hub, expect, "SELECT organ || '|' || note FROM request_history WHERE state = 'recommended' "
                      "AND request_id = (SELECT id FROM requests WHERE ref = '%s')", planned);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history WHERE NOT queued"), 0);
    //  Down to lemanique: its recommendation (VD only, all four languages), then the STATUS.
    s_down_t down = s_down (hub, lem, lem_seq);
    assert_int_equal (down.count, 2);
    snprintf (expect, sizeof expect, "REC-2027-01.v1 VD partners=CSIAS langs=4 de=%.60s", s_title_de);
    assert_string_equal (down.lines [0], expect);
    snprintf (expect, sizeof expect, "status %s recommended cp - recommendation REC-2027-01: %s", planned, s_title_fr);
    expect [strlen ("status ") + strlen (planned) + strlen (" recommended cp - ") + 60] = 0;
    assert_string_equal (down.lines [1], expect);
    down = s_down (hub, zh, zh_seq);
    assert_int_equal (down.count, 2);
    assert_int_equal (strncmp (down.lines [0], "REC-2027-01.v1 ZH partners", 26), 0);
    assert_int_equal (strncmp (down.lines [1], "status ", 7), 0);
    down = s_down (hub, ti, 0);
    assert_int_equal (down.count, 1);
    assert_int_equal (strncmp (down.lines [0], "REC-2027-01.v1 TI partners", 26), 0);
    //  ost holds no addressed canton: nothing.
    assert_int_equal (s_down (hub, ost, 0).count, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE subject = 'recommendation:REC-2027-01.v1'"),
                      3);
    (void) ost;
}

static void
test_gapless (void **state)
{
    unit_hub_t *hub = *state;
    unit_hub_enrol (hub, "lemanique");
    hub_rec_draft_t d = s_draft (s_three, 3, NULL, 0, false);
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-01");
    hub_rec_done_clear (&done);
    //  A refusal takes no number.
    const char *const unknown [] = { "CII-2027-0999" };
    hub_rec_draft_t bad = s_draft (s_three, 3, unknown, 1, false);
    UNIT_HUB_REFUSED (hub_recommend_publish (hub->store, &bad, &done, &e_), CII_NOT_FOUND,
                      "basis[0]: unknown request CII-2027-0999");
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-02");
    hub_rec_done_clear (&done);
    //  Per adoption year.
    d.adopted_on = "2028-01-15";
    d.report_by = "2028-06-30";
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2028-01");
    hub_rec_done_clear (&done);
    d.adopted_on = "2027-11-30";
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-03");
    hub_rec_done_clear (&done);
    //  Listed in reference order.
    unit_hub_text_is (hub, "REC-2027-01,REC-2027-02,REC-2027-03,REC-2028-01",
                      "SELECT string_agg (ref, ',' ORDER BY substr (ref, 5, 4), substr (ref, 10)::int) FROM recommendations");
}

//  A refusal of publish with rc and text, nothing stored, the requests and the queue as they were.
static void
s_publish_refused (unit_hub_t *hub, const hub_rec_draft_t *d, cii_rc_t rc, const char *expect)
{
    long long recs = unit_pg_int (hub->pg, "SELECT count(*) FROM recommendations");
    long long versions = unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_versions");
    long long texts = unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_texts");
    long long links = unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_requests");
    long long counter = unit_pg_int (hub->pg, "SELECT coalesce (sum (last), 0) FROM ref_counters WHERE prefix = 'REC'");
    long long queued = unit_pg_int (hub->pg, "SELECT count(*) FROM downward");
    long long history = unit_pg_int (hub->pg, "SELECT count(*) FROM request_history");
    char *states = unit_pg_text (hub->pg, "SELECT string_agg (state, ',' ORDER BY id) FROM requests");
    hub_rec_done_t done;
    UNIT_HUB_REFUSED (hub_recommend_publish (hub->store, d, &done, &e_), rc, expect);
    assert_null (done.requests);
    assert_int_equal (done.n_sent, 0);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendations"), recs);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_versions"), versions);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_texts"), texts);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_requests"), links);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT coalesce (sum (last), 0) FROM ref_counters WHERE prefix = 'REC'"),
                      counter);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward"), queued);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history"), history);
    unit_hub_text_is (hub, states, "SELECT string_agg (state, ',' ORDER BY id) FROM requests");
    free (states);
}

static void
test_refusals (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    char planned [HUB_MAX_REF], received [HUB_MAX_REF], answered [HUB_MAX_REF], expect [400];
    s_request (hub, lem, "lemanique", "VD", "req-a", "recommendation-planned", planned);
    s_request (hub, lem, "lemanique", "GE", "req-b", NULL, received);
    s_request (hub, lem, "lemanique", "VS", "req-c", "scheduled", answered);
    cii_err_t err;
    hub_decision_t dec;
    assert_int_equal (hub_flow_decide_in (hub->store, answered, "answered", "cp", NULL, "Réponse.", &dec, &err), CII_OK);
    hub_decision_clear (&dec);
    //  Each rule of the draft (checked before the database).
    hub_rec_draft_t d = s_draft (s_three, 3, NULL, 0, false);
    d.title [1] = NULL;
    s_publish_refused (hub, &d, CII_BAD_INPUT, "title.de: missing (French, German and Italian are required)");
    d = s_draft (s_three, 3, NULL, 0, false);
    d.report_by = NULL;
    s_publish_refused (hub, &d, CII_BAD_INPUT, "report_by: missing (the date by which implementation is reported, "
                       "YYYY-MM-DD)");
    d.report_by = "2027-01-01";
    s_publish_refused (hub, &d, CII_BAD_INPUT, "report_by: 2027-01-01 is before the adoption on 2027-04-20");
    const char *const xx [] = { "VD", "XX" };
    d = s_draft (xx, 2, NULL, 0, false);
    s_publish_refused (hub, &d, CII_NOT_FOUND, "addressees.cantons[1]: unknown canton \"XX\"");
    d = s_draft (NULL, 0, NULL, 0, false);
    d.n_partners = 0;
    s_publish_refused (hub, &d, CII_BAD_INPUT, "addressees: none (\"cantons\": \"all\" or a list, and/or \"partners\")");
    //  Partners, basis, meetings: against the database.
    const char *const unknown_partner [] = { "CSIAS", "ACME" };
    d = s_draft (s_three, 3, NULL, 0, false);
    d.partners = unknown_partner;
    d.n_partners = 2;
    s_publish_refused (hub, &d, CII_NOT_FOUND, "addressees.partners[1]: unknown partner \"ACME\" (cii-hub partners "
                       "lists them)");
    const char *const unknown_request [] = { planned, "CII-2026-0999" };
    d = s_draft (s_three, 3, unknown_request, 2, false);
    s_publish_refused (hub, &d, CII_NOT_FOUND, "basis[1]: unknown request CII-2026-0999");
    const char *const unknown_theme [] = { "Étude", "NT-2027-09" };
    d = s_draft (s_three, 3, unknown_theme, 2, false);
    s_publish_refused (hub, &d, CII_NOT_FOUND, "basis[1]: unknown theme NT-2027-09");
    const char *const unknown_rec [] = { "REC-2027-01" };
    d = s_draft (s_three, 3, unknown_rec, 1, false);
    s_publish_refused (hub, &d, CII_NOT_FOUND, "basis[0]: unknown recommendation REC-2027-01");
    const char *const unknown_wg [] = { "WG-2027-01", "PR-2027-01" };
    d = s_draft (s_three, 3, unknown_wg, 2, false);
    s_publish_refused (hub, &d, CII_NOT_FOUND, "basis[0]: unknown working group WG-2027-01");
    //  A request that may not move to recommended, named; the one that could stays where it is.
    const char *const not_movable [] = { planned, received };
    d = s_draft (s_three, 3, not_movable, 2, false);
    snprintf (expect, sizeof expect, "%s is received: only a request that is recommendation-planned, scheduled, "
              "referred-to-cp or wg-reported may move to recommended", received);
    s_publish_refused (hub, &d, CII_REFUSED, expect);
    const char *const closed [] = { answered };
    d = s_draft (s_three, 3, closed, 1, false);
    snprintf (expect, sizeof expect, "%s is answered, which is final", answered);
    s_publish_refused (hub, &d, CII_REFUSED, expect);
    //  Meetings: unknown, of the cdc, on another day.
    hub_meeting_t cdc, cpm;
    assert_int_equal (hub_meeting_new (hub->store, "cdc", "2027-04-06", false, &cdc, &err), CII_OK);
    assert_int_equal (hub_meeting_new (hub->store, "cp", "2027-04-22", false, &cpm, &err), CII_OK);
    d = s_draft (s_three, 3, NULL, 0, false);
    d.meeting = "M-2027-09";
    s_publish_refused (hub, &d, CII_NOT_FOUND, "unknown meeting M-2027-09");
    d.meeting = cdc.ref;
    snprintf (expect, sizeof expect, "%s is a meeting of the cdc: the cp cannot decide in it", cdc.ref);
    s_publish_refused (hub, &d, CII_REFUSED, expect);
    d.meeting = cpm.ref;
    snprintf (expect, sizeof expect, "meeting: %s was on 2027-04-22, not on the adoption date 2027-04-20", cpm.ref);
    s_publish_refused (hub, &d, CII_REFUSED, expect);
    //  Amending one that does not exist.
    hub_rec_done_t done;
    d = s_draft (s_three, 3, NULL, 0, false);
    UNIT_HUB_REFUSED (hub_recommend_amend (hub->store, "REC-2027-07", &d, &done, &e_), CII_NOT_FOUND,
                      "unknown recommendation REC-2027-07");
    UNIT_HUB_REFUSED (hub_recommend_amend (hub->store, "REC'; --", &d, &done, &e_), CII_NOT_FOUND,
                      "unknown recommendation REC'; --");
    s_nothing_stored (hub);
    //  After all that: the first is REC-2027-01, in the cp's meeting of its adoption date.
    d = s_draft (s_three, 3, not_movable, 1, false);
    d.adopted_on = "2027-04-22";
    d.meeting = cpm.ref;
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-01");
    assert_string_equal (done.meeting, cpm.ref);
    hub_rec_done_clear (&done);
    snprintf (expect, sizeof expect, "recommended|%s", cpm.ref);
    unit_hub_text_is (hub, expect, "SELECT state || '|' || meeting FROM request_history WHERE state = 'recommended'");
    unit_hub_text_is (hub, cpm.ref, "SELECT meeting FROM recommendations");
    unit_hub_text_is (hub, cpm.ref, "SELECT meeting FROM recommendation_versions");
}

static void
test_all_cantons (void **state)
{
    unit_hub_t *hub = *state;
    static const char *const networks [] = { "lemanique", "mittelland", "nordwest", "zuerich", "ost", "zentral",
                                              "ticino" };
    int64_t agents [7];
    for (size_t i = 0; i < 7; i++)
        agents [i] = unit_hub_enrol (hub, networks [i]);
    hub_rec_draft_t d = s_draft (NULL, 0, NULL, 0, false);
    d.all_cantons = true;
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    assert_int_equal (done.n_sent, 7);
    assert_string_equal (done.sent [0].network, "lemanique");
    assert_string_equal (done.sent [0].cantons, "GE,VD,VS");
    assert_string_equal (done.sent [1].network, "mittelland");
    assert_string_equal (done.sent [1].cantons, "BE,FR,JU,NE,SO");
    assert_string_equal (done.sent [3].network, "ost");
    assert_string_equal (done.sent [3].cantons, "AI,AR,GL,GR,SG,SH,TG");
    hub_rec_done_clear (&done);
    int cantons = 0;
    for (size_t i = 0; i < 7; i++) {
        s_down_t down = s_down (hub, agents [i], 0);
        assert_int_equal (down.count, 1);
        assert_non_null (strstr (down.lines [0], " all partners=CSIAS"));
        for (const char *p = down.lines [0] + strlen ("REC-2027-01.v1 "); *p != ' '; p++)
            cantons += *p == ',';
        cantons++;
    }
    assert_int_equal (cantons, 26);
    unit_hub_text_is (hub, "true|26", "SELECT all_cantons || '|' || cardinality (cantons) FROM recommendation_versions");
    //  Partners only: stored, nothing goes down.
    d = s_draft (NULL, 0, NULL, 0, false);
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-02");
    assert_int_equal (done.n_sent, 0);
    hub_rec_done_clear (&done);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE kind = 'recommendation'"), 7);
}

static void
test_amend (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ti = unit_hub_enrol (hub, "ticino");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], expect [400];
    s_request (hub, lem, "lemanique", "VD", "req-a", "recommendation-planned", a);
    s_request (hub, zh, "zuerich", "ZH", "req-b", "recommendation-planned", b);
    const char *const basis1 [] = { a };
    hub_rec_draft_t d = s_draft (s_three, 3, basis1, 1, false);
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    hub_rec_done_clear (&done);
    long long a_history = unit_pg_int (hub->pg, "SELECT count(*) FROM request_history h JOIN requests r ON r.id = "
                                       "h.request_id WHERE r.ref = '%s'", a);
    int64_t ti_seq = s_last_seq (hub, ti), zh_seq = s_last_seq (hub, zh);
    //  Version 2: GE and ZH instead of TI, Romansh added, one more request, a note.
    const char *const cantons2 [] = { "ZH", "VD", "GE" };
    const char *const basis2 [] = { a, b };
    hub_rec_draft_t d2 = s_draft (cantons2, 3, basis2, 2, true);
    d2.title [0] = "Détection précoce (révisée)";
    d2.adopted_on = "2027-09-15";
    d2.report_by = "2028-03-31";
    d2.note = "Délai prolongé; Genève ajouté.";
    //  Refused first: before the adoption of version 1, or naming itself.
    d2.adopted_on = "2027-04-19";
    d2.report_by = "2027-12-31";
    UNIT_HUB_REFUSED (hub_recommend_amend (hub->store, "REC-2027-01", &d2, &done, &e_), CII_BAD_INPUT,
                      "adopted_on: 2027-04-19 is before version 1's adoption on 2027-04-20");
    const char *const self [] = { a, "REC-2027-01" };
    d2.adopted_on = "2027-09-15";
    d2.report_by = "2028-03-31";
    d2.basis = self;
    UNIT_HUB_REFUSED (hub_recommend_amend (hub->store, "REC-2027-01", &d2, &done, &e_), CII_BAD_INPUT,
                      "basis[1]: REC-2027-01 is the recommendation itself");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_versions"), 1);
    d2.basis = basis2;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_recommend_amend (hub->store, "REC-2027-01", &d2, &done, &err) != CII_OK)
        fail_msg ("amend: %s", err.text);
    assert_string_equal (done.ref, "REC-2027-01");
    assert_int_equal (done.version, 2);
    assert_int_equal (done.count, 2);
    assert_string_equal (done.requests [0].from, "recommended");        //  a: recommended by version 1, stays
    assert_string_equal (done.requests [1].from, "recommendation-planned");
    assert_int_equal (done.n_sent, 2);
    assert_string_equal (done.sent [0].network, "lemanique");
    assert_string_equal (done.sent [0].cantons, "GE,VD");
    assert_string_equal (done.sent [1].network, "zuerich");
    hub_rec_done_clear (&done);
    //  Both versions kept whole; the recommendation is at version 2; no new number.
    unit_hub_text_is (hub, "REC-2027-01|2", "SELECT ref || '|' || version FROM recommendations");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'REC'"), 1);
    unit_hub_text_is (hub, "1:TI,VD,ZH:2027-12-31:|2:GE,VD,ZH:2028-03-31:Délai prolongé; Genève ajouté.",
                      "SELECT string_agg (version || ':' || array_to_string (cantons, ',') || ':' || report_by || ':' || note, "
                      "'|' ORDER BY version) FROM recommendation_versions");
    unit_hub_text_is (hub, s_title_fr, "SELECT title FROM recommendation_texts WHERE version = 1 AND language = 'fr'");
    unit_hub_text_is (hub, "Détection précoce (révisée)", "SELECT title FROM recommendation_texts WHERE version = 2 AND "
                      "language = 'fr'");
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_texts WHERE version = 2"), 4);
    //  a was not moved again; b was, its note naming the version.
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM request_history h JOIN requests r ON r.id = "
                                   "h.request_id WHERE r.ref = '%s'", a), a_history);
    unit_hub_text_is (hub, "recommendation REC-2027-01 v2: Détection précoce (révisée)", "SELECT note FROM request_history h "
                      "JOIN requests r ON r.id = h.request_id WHERE r.ref = '%s' AND h.state = 'recommended'", b);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM recommendation_requests"), 2);
    //  Delivered again to the new addressees only: ticino gets nothing of version 2.
    assert_int_equal (s_down (hub, ti, ti_seq).count, 0);
    s_down_t down = s_down (hub, zh, zh_seq);
    assert_int_equal (down.count, 2);
    assert_int_equal (strncmp (down.lines [0], "REC-2027-01.v2 ZH partners=CSIAS langs=4", 40), 0);
    snprintf (expect, sizeof expect, "status %s recommended cp - recommendation REC-2027-01 v2", b);
    assert_int_equal (strncmp (down.lines [1], expect, strlen (expect)), 0);
    unit_hub_text_is (hub, "recommendation:REC-2027-01.v1:3|recommendation:REC-2027-01.v2:2",
                      "SELECT string_agg (subject || ':' || n, '|' ORDER BY subject) FROM (SELECT subject, count(*) AS n "
                      "FROM downward WHERE kind = 'recommendation' GROUP BY subject) s");
    //  Version 3, addressed to partners only: nothing more goes down.
    hub_rec_draft_t d3 = s_draft (NULL, 0, NULL, 0, false);
    d3.adopted_on = "2027-09-15";
    cii_err_clear (&err);
    if (hub_recommend_amend (hub->store, "REC-2027-01", &d3, &done, &err) != CII_OK)
        fail_msg ("amend: %s", err.text);
    assert_int_equal (done.version, 3);
    assert_int_equal (done.n_sent, 0);
    hub_rec_done_clear (&done);
    assert_int_equal (unit_pg_int (hub->pg, "SELECT count(*) FROM downward WHERE kind = 'recommendation'"), 5);
}

static void
test_theme_basis (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    int64_t zh = unit_hub_enrol (hub, "zuerich");
    int64_t ost = unit_hub_enrol (hub, "ost");
    char a [HUB_MAX_REF], b [HUB_MAX_REF], c [HUB_MAX_REF], w [HUB_MAX_REF];
    ug_simple (hub, lem, "lemanique", "VD", "req-a", a);
    ug_simple (hub, zh, "zuerich", "ZH", "req-b", b);
    ug_simple (hub, ost, "ost", "SG", "req-c", c);
    cii_err_t err;
    cii_err_clear (&err);
    const char *refs [] = { a, b, c };
    hub_theme_made_t made;
    if (hub_themes_new (hub->store, "Passerelles AI – aide sociale", refs, 3, &made, &err) != CII_OK)
        fail_msg ("theme: %s", err.text);
    //  c is withdrawn by its network: a closed request of the theme is passed by.
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'withdrawn' WHERE ref = '%s'", c);
    unit_hub_decide (hub, made.ref, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (hub, made.ref, "scheduled", "bureau", NULL, NULL);
    unit_hub_decide (hub, made.ref, "recommendation-planned", "cp", NULL, NULL);
    //  An earlier recommendation on a (directly): it stays recommended and is linked again.
    const char *const first [] = { a };
    hub_rec_draft_t d = s_draft (s_three, 3, first, 1, false);
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    hub_rec_done_clear (&done);
    //  The theme stands for its requests.
    s_request (hub, lem, "lemanique", "GE", "req-w", NULL, w);
    const char *const basis [] = { made.ref, "Rapport du groupe de travail" };
    d = s_draft (s_three, 3, basis, 2, false);
    s_publish (hub, &d, &done);
    assert_string_equal (done.ref, "REC-2027-02");
    assert_int_equal (done.count, 2);
    assert_string_equal (done.requests [0].ref, a);
    assert_string_equal (done.requests [0].from, "recommended");
    assert_string_equal (done.requests [1].ref, b);
    assert_string_equal (done.requests [1].from, "recommendation-planned");
    hub_rec_done_clear (&done);
    char expect [200];
    snprintf (expect, sizeof expect, "%s:recommended,%s:recommended,%s:withdrawn,%s:received", a, b, c, w);
    unit_hub_text_is (hub, expect, "SELECT string_agg (ref || ':' || state, ',' ORDER BY id) FROM requests");
    snprintf (expect, sizeof expect, "%s|recommended", made.ref);
    unit_hub_text_is (hub, expect, "SELECT ref || '|' || state FROM themes");
    snprintf (expect, sizeof expect, "REC-2027-01:%s|REC-2027-02:%s|REC-2027-02:%s", a, a, b);
    unit_hub_text_is (hub, expect, "SELECT string_agg (c.ref || ':' || q.ref, '|' ORDER BY c.ref, q.id) FROM "
                      "recommendation_requests l JOIN recommendations c ON c.id = l.rec_id JOIN requests q ON q.id = l.request_id");
    //  A theme whose requests are all closed (and none recommended) stands for nothing.
    char x [HUB_MAX_REF], y [HUB_MAX_REF];
    ug_simple (hub, lem, "lemanique", "VS", "req-x", x);
    ug_simple (hub, zh, "zuerich", "ZH", "req-y", y);
    const char *pair [] = { x, y };
    hub_theme_made_t closed;
    if (hub_themes_new (hub->store, "Autre thème", pair, 2, &closed, &err) != CII_OK)
        fail_msg ("theme: %s", err.text);
    unit_pg_exec (hub->pg, "UPDATE requests SET state = 'withdrawn' WHERE ref IN ('%s', '%s')", x, y);
    const char *const nothing [] = { closed.ref };
    d = s_draft (s_three, 3, nothing, 1, false);
    snprintf (expect, sizeof expect, "%s has no open request", closed.ref);
    s_publish_refused (hub, &d, CII_REFUSED, expect);
}

//  --- show and list ---------------------------------------------------------------------------------

typedef struct {
    char rec [200];
    char versions [4][300];
    int n_versions;
    char deliveries [8][80];
    int n_deliveries;
} s_shown_t;

static bool
s_shown_rec (const hub_rec_row_t *row, void *arg)
{
    s_shown_t *s = arg;
    snprintf (s->rec, sizeof s->rec, "%s v%u %s/%s/%s %s all=%d %s %s [%s]", row->ref, row->version, row->adopted_on,
              row->amended_on, row->report_by, row->meeting, row->all_cantons, row->cantons, row->partners,
              row->requests);
    return true;
}

static bool
s_shown_version (const hub_rec_version_row_t *row, void *arg)
{
    s_shown_t *s = arg;
    if (s->n_versions < 4)
        snprintf (s->versions [s->n_versions], sizeof s->versions [0], "v%u %s %s %s|%s|%zu|%s|%s", row->version,
                  row->adopted_on, row->report_by, row->cantons, row->basis, row->n_translations,
                  row->translations [1].language, row->translations [1].title);
    s->n_versions++;
    return true;
}

static bool
s_shown_delivery (const hub_rec_delivery_row_t *row, void *arg)
{
    s_shown_t *s = arg;
    if (s->n_deliveries < 8)
        snprintf (s->deliveries [s->n_deliveries], sizeof s->deliveries [0], "v%u %s %s %lld/%lld", row->version,
                  row->network, row->cantons, (long long) row->queued, (long long) row->acked);
    s->n_deliveries++;
    return true;
}

static void
test_show (void **state)
{
    unit_hub_t *hub = *state;
    int64_t lem = unit_hub_enrol (hub, "lemanique");
    unit_hub_enrol (hub, "zuerich");
    char a [HUB_MAX_REF], expect [300];
    s_request (hub, lem, "lemanique", "VD", "req-a", "recommendation-planned", a);
    const char *const basis [] = { a, "Étude BASS 2026" };
    hub_rec_draft_t d = s_draft (s_three, 3, basis, 2, false);
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    hub_rec_done_clear (&done);
    //  lemanique's agent acknowledges everything it got.
    int64_t seq = s_last_seq (hub, lem);
    assert_int_equal (hub_store_acks (hub->store, &lem, &seq, 1), CII_OK);
    const char *const two [] = { "VD" };
    hub_rec_draft_t d2 = s_draft (two, 1, NULL, 0, true);
    d2.adopted_on = "2027-05-02";
    cii_err_t err;
    cii_err_clear (&err);
    assert_int_equal (hub_recommend_amend (hub->store, "REC-2027-01", &d2, &done, &err), CII_OK);
    hub_rec_done_clear (&done);
    s_shown_t shown;
    memset (&shown, 0, sizeof shown);
    hub_rec_visitor_t visitor = { s_shown_rec, s_shown_version, s_shown_delivery };
    assert_int_equal (hub_recommend_show (hub->store, "REC-2027-01", &visitor, &shown, &err), CII_OK);
    snprintf (expect, sizeof expect, "REC-2027-01 v2 2027-04-20/2027-05-02/2027-12-31  all=0 VD CSIAS [%s]", a);
    assert_string_equal (shown.rec, expect);
    assert_int_equal (shown.n_versions, 2);
    snprintf (expect, sizeof expect, "v1 2027-04-20 2027-12-31 TI,VD,ZH|%s\nÉtude BASS 2026|3|de|%s", a, s_title_de);
    assert_string_equal (shown.versions [0], expect);
    snprintf (expect, sizeof expect, "v2 2027-05-02 2027-12-31 VD||4|de|%s", s_title_de);
    assert_string_equal (shown.versions [1], expect);
    //  Per version and network: the ticino has no agent (0 queued); lemanique acknowledged v1.
    assert_int_equal (shown.n_deliveries, 4);
    assert_string_equal (shown.deliveries [0], "v1 lemanique VD 1/1");
    assert_string_equal (shown.deliveries [1], "v1 ticino TI 0/0");
    assert_string_equal (shown.deliveries [2], "v1 zuerich ZH 1/0");
    assert_string_equal (shown.deliveries [3], "v2 lemanique VD 1/0");
    int64_t recipients = 0, acked = 0;
    assert_int_equal (hub_store_downward_counts (hub->store, "recommendation:REC-2027-01.v1", &recipients, &acked),
                      CII_OK);
    assert_int_equal (recipients, 2);
    assert_int_equal (acked, 1);
    //  Unknown ones.
    UNIT_HUB_REFUSED (hub_recommend_show (hub->store, "REC-2027-02", &visitor, &shown, &e_), CII_NOT_FOUND,
                      "unknown recommendation REC-2027-02");
    UNIT_HUB_REFUSED (hub_recommend_show (hub->store, "REC-\x1b[2J", &visitor, &shown, &e_), CII_NOT_FOUND,
                      "unknown recommendation REC-?[2J");
    //  The list.
    memset (&shown, 0, sizeof shown);
    assert_int_equal (hub_recommend_list (hub->store, s_shown_rec, &shown, &err), CII_OK);
    assert_int_equal (strncmp (shown.rec, "REC-2027-01 v2", 14), 0);
}

static bool
s_partner_count (const hub_partner_row_t *row, void *arg)
{
    int *n = arg;
    (*n)++;
    if (strcmp (row->code, "CSIAS") == 0)
        assert_string_equal (row->name, "Conférence suisse des institutions d'action sociale");
    return true;
}

static void
test_partners (void **state)
{
    unit_hub_t *hub = *state;
    int n = 0;
    cii_err_t err;
    assert_int_equal (hub_recommend_partners (hub->store, s_partner_count, &n, &err), CII_OK);
    assert_int_equal (n, 15);
    assert_int_equal (hub_recommend_partner_add (hub->store, "FSEA", "Fédération suisse pour la formation continue",
                                                 &err), CII_OK);
    UNIT_HUB_REFUSED (hub_recommend_partner_add (hub->store, "FSEA", "Autre", &e_), CII_CONFLICT, "partner FSEA exists already");
    UNIT_HUB_REFUSED (hub_recommend_partner_add (hub->store, "1FSEA", "Autre", &e_), CII_BAD_INPUT,
                      "the partner code must be 1..32 letters, digits or '-', starting with a letter (got \"1FSEA\")");
    UNIT_HUB_REFUSED (hub_recommend_partner_add (hub->store, "X", "deux\nlignes", &e_), CII_BAD_INPUT,
                      "the name must be one line of UTF-8 text of 1..200 bytes (got 11 bytes)");
    n = 0;
    assert_int_equal (hub_recommend_partners (hub->store, s_partner_count, &n, &err), CII_OK);
    assert_int_equal (n, 16);
    //  The new partner may be addressed.
    unit_hub_enrol (hub, "lemanique");
    const char *const fsea [] = { "FSEA" };
    hub_rec_draft_t d = s_draft (NULL, 0, NULL, 0, false);
    d.partners = fsea;
    hub_rec_done_t done;
    s_publish (hub, &d, &done);
    hub_rec_done_clear (&done);
    unit_hub_text_is (hub, "FSEA", "SELECT array_to_string (partners, ',') FROM recommendation_versions");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_parse),
        cmocka_unit_test (test_check),
        cmocka_unit_test_setup_teardown (test_publish, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_gapless, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_all_cantons, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_amend, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_theme_basis, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_show, unit_hub_setup, unit_hub_teardown),
        cmocka_unit_test_setup_teardown (test_partners, unit_hub_setup, unit_hub_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
