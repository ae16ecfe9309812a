/*  test_hub_cli_recommend.c — the recommendation verbs of cii-hub (recommend --file [--amend],
    recommendations, show REC, partners, partner add) run in process against a real PostgreSQL:
    --json (an object with "ref" and "version"; the listings; show with every version), the text
    forms, the REC.json read with jansson (line and column, the shape named, a file over the limit
    refused before it is read), one-line refusals (exit 1) with nothing stored, usage errors (exit
    2), --help from the table, UTF-8 text untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_cli.h"
#include "hub_flow.h"
#include "unit_cli.h"
#include "unit_fs.h"
#include "unit_gate.h"
#include "unit_hub.h"
#include "unit_hub_cli.h"
#include "unit_json.h"

typedef struct {
    unit_hub_cli_t cli;         //  hub, last run, line buffer
    char *dir;
    char *file;                 //  REC.json
    char a [HUB_MAX_REF];       //  lemanique VD, recommendation-planned
    char b [HUB_MAX_REF];       //  zuerich ZH, received
} s_fixture_t;

//  The shared cii-hub fixture (unit_hub_cli.h) under this file's names.
#define s_run(fx, ...) unit_hub_cli_run (&(fx)->cli, __VA_ARGS__)
#define s_err_line(fx, n) unit_hub_cli_err_line (&(fx)->cli, n)
#define s_assert_refused(fx, expect) unit_hub_cli_assert_refused (&(fx)->cli, expect)

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    unit_hub_cli_init (&fx->cli, "reccli", true);
    int64_t leman = unit_hub_enrol (fx->cli.hub, "lemanique");
    int64_t zh = unit_hub_enrol (fx->cli.hub, "zuerich");
    unit_hub_enrol (fx->cli.hub, "ticino");
    ug_simple (fx->cli.hub, leman, "lemanique", "VD", "req-a", fx->a);
    ug_simple (fx->cli.hub, zh, "zuerich", "ZH", "req-b", fx->b);
    unit_hub_decide (fx->cli.hub, fx->a, "admissible", "bureau", NULL, NULL);
    unit_hub_decide (fx->cli.hub, fx->a, "scheduled", "bureau", NULL, NULL);
    unit_hub_decide (fx->cli.hub, fx->a, "recommendation-planned", "cp", NULL, NULL);
    fx->dir = unit_dir_new ("reccli");
    fx->file = unit_path (fx->dir, "REC.json");
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    unit_hub_cli_clear (&fx->cli);
    free (fx->file);
    unit_dir_destroy (&fx->dir);
    free (fx);
    return 0;
}

#define S_TITLE_DE "Früherfassung: Zusammenarbeit IV – Sozialhilfe (Straße)"
#define S_TEXT_FR  "Les cantons désignent un interlocuteur unique.\\nÀ évaluer d'ici fin 2027."

//  Writes a REC.json: the languages, the dates, the basis and the addressees as JSON text.
static void
s_write (s_fixture_t *fx, const char *adopted_on, const char *report_by, const char *basis, const char *addressees,
         const char *extra)
{
    char text [4096];
    snprintf (text, sizeof text,
              "{\n"
              "  \"title\": {\"fr\": \"Détection précoce : coopération AI – aide sociale\",\n"
              "            \"de\": \"" S_TITLE_DE "\",\n"
              "            \"it\": \"Individuazione precoce: qualità\", \"rm\": \"Identificaziun tempriva\"},\n"
              "  \"text\": {\"fr\": \"" S_TEXT_FR "\", \"de\": \"Die Kantone bezeichnen eine Anlaufstelle für "
              "Übergänge.\",\n"
              "           \"it\": \"I cantoni designano un interlocutore unico; è così.\", \"rm\": \"Ils chantuns.\"},\n"
              "  \"adopted_on\": \"%s\", \"report_by\": \"%s\",\n"
              "  \"basis\": %s,\n"
              "  \"addressees\": %s%s\n"
              "}\n", adopted_on, report_by, basis, addressees, extra ? extra : "");
    unit_write_text (fx->file, text);
}

static void
test_help_and_usage (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "recommend", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "usage: cii-hub recommend"));
    assert_non_null (strstr (fx->cli.run.out, "--amend REC"));
    assert_non_null (strstr (fx->cli.run.out, "--file REC.json"));
    assert_int_equal (s_run (fx, "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "recommendations"));
    assert_non_null (strstr (fx->cli.run.out, "partners"));
    assert_int_equal (s_run (fx, "partner", "--help", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "add"));
    assert_int_equal (s_run (fx, "recommend", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub recommend: --file is required");
    assert_int_equal (s_run (fx, "recommend", "REC-2027-01", "--file", fx->file, NULL), 2);
    assert_int_equal (s_run (fx, "partner", "add", "FSEA", NULL), 2);
    assert_string_equal (s_err_line (fx, 0), "cii-hub partner add: --name is required");
    assert_int_equal (s_run (fx, "recommendations", "--json", NULL), 0);
    assert_string_equal (fx->cli.run.out, "[]\n");
    assert_int_equal (s_run (fx, "recommendations", NULL), 0);
    assert_string_equal (fx->cli.run.out, "no recommendations\n");
}

static void
test_recommend (void **state)
{
    s_fixture_t *fx = *state;
    char basis [256], expect [1024];
    snprintf (basis, sizeof basis, "[\"%s\", \"Étude BASS 2026\"]", fx->a);
    s_write (fx, "2027-04-20", "2027-12-31", basis, "{\"cantons\": [\"VD\", \"ZH\", \"TI\"], \"partners\": [\"CSIAS\"]}",
             NULL);
    assert_int_equal (s_run (fx, "recommend", "--file", fx->file, "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "ref", "\"REC-2027-01\"");
    s_json_member (doc, "version", "1");
    s_json_member (doc, "adopted_on", "\"2027-04-20\"");
    s_json_member (doc, "report_by", "\"2027-12-31\"");
    s_json_member (doc, "meeting", "null");
    snprintf (expect, sizeof expect, "[{\"ref\": \"%s\", \"from\": \"recommendation-planned\"}]", fx->a);
    s_json_member (doc, "requests", expect);
    s_json_member (doc, "networks", "[{\"network\": \"lemanique\", \"cantons\": [\"VD\"], \"recipients\": 1}, "
                   "{\"network\": \"ticino\", \"cantons\": [\"TI\"], \"recipients\": 1}, "
                   "{\"network\": \"zuerich\", \"cantons\": [\"ZH\"], \"recipients\": 1}]");
    json_decref (doc);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests WHERE state = 'recommended'"), 1);
    //  Text: a second one, to all cantons, no basis.
    s_write (fx, "2027-06-01", "2028-06-01", "[]", "{\"cantons\": \"all\"}", ", \"note\": null");
    assert_int_equal (s_run (fx, "recommend", "--file", fx->file, NULL), 0);
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 0),
                         "REC-2027-02 v1: adopted on 2027-06-01, implementation reported by 2028-06-01");
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 1), "  lemanique (GE,VD,VS): queued for 1 agent");
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 7), "  zuerich (ZH): queued for 1 agent");
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 4), "  ost (AI,AR,GL,GR,SG,SH,TG): queued for 0 agents");
    //  The listing.
    assert_int_equal (s_run (fx, "recommendations", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 2);
    json_t *first = json_array_get (doc, 0);
    s_json_member (first, "ref", "\"REC-2027-01\"");
    s_json_member (first, "title", "\"Détection précoce : coopération AI – aide sociale\"");
    s_json_member (first, "cantons", "[\"TI\", \"VD\", \"ZH\"]");
    s_json_member (first, "partners", "[\"CSIAS\"]");
    s_json_member (first, "amended_on", "null");
    snprintf (expect, sizeof expect, "[\"%s\"]", fx->a);
    s_json_member (first, "requests", expect);
    s_json_member (json_array_get (doc, 1), "all_cantons", "true");
    json_decref (doc);
    assert_int_equal (s_run (fx, "recommendations", NULL), 0);
    assert_int_equal (strncmp (unit_hub_cli_out_line (&fx->cli, 0), "REF          V   ADOPTED", 24), 0);
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 1), "REC-2027-01  1   2027-04-20  2027-12-31  TI,VD,ZH+CSIAS"
                         "            Détection précoce : coopération AI – aide sociale");
    assert_int_equal (strncmp (unit_hub_cli_out_line (&fx->cli, 2), "REC-2027-02  1   2027-06-01  2028-06-01  all ", 44), 0);
    //  show REC, JSON: the version whole, UTF-8 untouched, its deliveries.
    assert_int_equal (s_run (fx, "show", "REC-2027-01", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "version", "1");
    json_t *versions = json_object_get (doc, "versions");
    assert_int_equal (json_array_size (versions), 1);
    json_t *v = json_array_get (versions, 0);
    s_json_member (json_object_get (v, "title"), "de", "\"" S_TITLE_DE "\"");
    s_json_member (json_object_get (v, "text"), "fr", "\"" S_TEXT_FR "\"");
    s_json_member (json_object_get (v, "title"), "rm", "\"Identificaziun tempriva\"");
    snprintf (expect, sizeof expect, "[\"%s\", \"Étude BASS 2026\"]", fx->a);
    s_json_member (v, "basis", expect);
    s_json_member (v, "addressees", "{\"cantons\": [\"TI\", \"VD\", \"ZH\"], \"partners\": [\"CSIAS\"]}");
    s_json_member (v, "networks", "[{\"network\": \"lemanique\", \"cantons\": [\"VD\"], \"queued\": 1, "
                   "\"acknowledged\": 0}, {\"network\": \"ticino\", \"cantons\": [\"TI\"], \"queued\": 1, "
                   "\"acknowledged\": 0}, {\"network\": \"zuerich\", \"cantons\": [\"ZH\"], \"queued\": 1, "
                   "\"acknowledged\": 0}]");
    json_decref (doc);
    //  show REC, text.
    assert_int_equal (s_run (fx, "show", "REC-2027-01", NULL), 0);
    const char *out = fx->cli.run.out;
    assert_int_equal (strncmp (out, "REC-2027-01 (version 1)\nadopted: 2027-04-20\n", 44), 0);
    assert_non_null (strstr (out, "\nversion 1 (current): adopted on 2027-04-20, issued "));
    assert_non_null (strstr (out, "\n  title (de): " S_TITLE_DE "\n"));
    assert_non_null (strstr (out, "\n  report by: 2027-12-31\n  basis: "));
    assert_non_null (strstr (out, "; Étude BASS 2026\n  cantons: TI,VD,ZH\n  partners: CSIAS\n"));
    assert_non_null (strstr (out, "\n  zuerich (ZH): 1 queued, 0 acknowledged\n"));
    assert_non_null (strstr (out, "\ntext (fr):\nLes cantons désignent un interlocuteur unique.\nÀ évaluer d'ici fin "
                             "2027.\n"));
    //  show still shows a request; an unknown recommendation is refused.
    assert_int_equal (s_run (fx, "show", fx->a, "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "state", "\"recommended\"");
    json_decref (doc);
    s_run (fx, "show", "REC-2027-09", NULL);
    s_assert_refused (fx, "cii-hub show: unknown recommendation REC-2027-09");
}

static void
test_amend (void **state)
{
    s_fixture_t *fx = *state;
    char basis [256];
    snprintf (basis, sizeof basis, "[\"%s\"]", fx->a);
    s_write (fx, "2027-04-20", "2027-12-31", basis, "{\"cantons\": [\"VD\", \"TI\"]}", NULL);
    assert_int_equal (s_run (fx, "recommend", "--file", fx->file, NULL), 0);
    s_write (fx, "2027-09-15", "2028-03-31", "[]", "{\"cantons\": [\"ZH\"], \"partners\": [\"CDAS\"]}",
             ", \"note\": \"Zurich au lieu du Tessin; délai prolongé.\"");
    assert_int_equal (s_run (fx, "recommend", "--amend", "REC-2027-01", "--file", fx->file, "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    s_json_member (doc, "ref", "\"REC-2027-01\"");
    s_json_member (doc, "version", "2");
    s_json_member (doc, "networks", "[{\"network\": \"zuerich\", \"cantons\": [\"ZH\"], \"recipients\": 1}]");
    json_decref (doc);
    assert_int_equal (s_run (fx, "recommend", "--amend", "REC-2027-01", "--file", fx->file, NULL), 0);
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 0),
                         "REC-2027-01 v3: amended on 2027-09-15, implementation reported by 2028-03-31");
    //  Every version shown, the text of the current one.
    assert_int_equal (s_run (fx, "show", "REC-2027-01", "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "version", "3");
    s_json_member (doc, "adopted_on", "\"2027-04-20\"");
    s_json_member (doc, "amended_on", "\"2027-09-15\"");
    json_t *versions = json_object_get (doc, "versions");
    assert_int_equal (json_array_size (versions), 3);
    s_json_member (json_array_get (versions, 0), "addressees", "{\"cantons\": [\"TI\", \"VD\"], \"partners\": []}");
    s_json_member (json_array_get (versions, 1), "note", "\"Zurich au lieu du Tessin; délai prolongé.\"");
    s_json_member (json_array_get (versions, 1), "networks", "[{\"network\": \"zuerich\", \"cantons\": [\"ZH\"], "
                   "\"queued\": 1, \"acknowledged\": 0}]");
    json_decref (doc);
    assert_int_equal (s_run (fx, "show", "REC-2027-01", NULL), 0);
    assert_non_null (strstr (fx->cli.run.out, "\nversion 1: adopted on 2027-04-20"));
    assert_non_null (strstr (fx->cli.run.out, "\nversion 3 (current): adopted on 2027-09-15"));
    assert_non_null (strstr (fx->cli.run.out, "  note: Zurich au lieu du Tessin; délai prolongé.\n"));
    //  Unknown.
    s_run (fx, "recommend", "--amend", "REC-2027-09", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: unknown recommendation REC-2027-09");
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM recommendation_versions"), 3);
}

static void
test_refused (void **state)
{
    s_fixture_t *fx = *state;
    char basis [256], expect [1024];
    const char *all = "{\"cantons\": \"all\"}";
    //  Not JSON: line and column.
    unit_write_text (fx->file, "{\n  \"title\": {\"fr\": \"x\"},\n  \"text\": \n}");
    s_run (fx, "recommend", "--file", fx->file, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    snprintf (expect, sizeof expect, "cii-hub recommend: %s: line 4, column ", fx->file);
    if (strncmp (s_err_line (fx, 0), expect, strlen (expect)) != 0)
        fail_msg ("got %s", s_err_line (fx, 0));
    //  The shape.
    unit_write_text (fx->file, "{\"title\": {\"fr\": \"x\", \"en\": \"y\"}}");
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: title: unknown language \"en\" (fr, de, it, rm)");
    //  The rules, each.
    unit_write_text (fx->file, "{\"title\": {\"fr\": \"Titre\", "
                     "\"it\": \"Titolo\"}, \"text\": {\"fr\": \"a\", \"de\": \"b\", \"it\": \"c\"}, \"adopted_on\": "
                     "\"2027-04-20\", \"report_by\": \"2027-12-31\", \"addressees\": {\"cantons\": \"all\"}}");
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: title.de: missing (French, German and Italian are required)");
    s_write (fx, "2027-04-20", "2027-03-31", "[]", all, NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: report_by: 2027-03-31 is before the adoption on 2027-04-20");
    s_write (fx, "2027-04-20", "", "[]", all, NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: report_by: missing (the date by which implementation is reported, "
                          "YYYY-MM-DD)");
    s_write (fx, "2027-04-20", "2027-12-31", "[]", "{\"cantons\": [\"VD\", \"ZX\"]}", NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: addressees.cantons[1]: unknown canton \"ZX\"");
    s_write (fx, "2027-04-20", "2027-12-31", "[]", "{\"cantons\": [\"VD\"], \"partners\": [\"ACME\"]}", NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: addressees.partners[0]: unknown partner \"ACME\" (cii-hub partners lists "
                          "them)");
    s_write (fx, "2027-04-20", "2027-12-31", "[]", "{\"cantons\": [], \"partners\": []}", NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: addressees: none (\"cantons\": \"all\" or a list, and/or \"partners\")");
    s_write (fx, "2027-04-20", "2027-12-31", "[\"NT-2027-04\"]", all, NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    s_assert_refused (fx, "cii-hub recommend: basis[0]: unknown theme NT-2027-04");
    snprintf (basis, sizeof basis, "[\"%s\", \"%s\"]", fx->a, fx->b);
    s_write (fx, "2027-04-20", "2027-12-31", basis, all, NULL);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub recommend: %s is received: only a request that is recommendation-planned, "
              "scheduled, referred-to-cp or wg-reported may move to recommended", fx->b);
    s_assert_refused (fx, expect);
    //  Too large: refused before it is read.
    char *big = malloc (256 * 1024 + 2);
    memset (big, ' ', 256 * 1024 + 1);
    big [0] = '{';
    big [256 * 1024] = '}';
    big [256 * 1024 + 1] = 0;
    unit_write_text (fx->file, big);
    free (big);
    s_run (fx, "recommend", "--file", fx->file, NULL);
    snprintf (expect, sizeof expect, "cii-hub recommend: %s is larger than 262144 bytes", fx->file);
    s_assert_refused (fx, expect);
    char *missing = unit_path (fx->dir, "none.json");
    s_run (fx, "recommend", "--file", missing, NULL);
    assert_int_equal (fx->cli.run.status, 1);
    free (missing);
    //  Nothing stored by any of them; the request as it was.
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM recommendations"), 0);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM ref_counters WHERE prefix = 'REC'"), 0);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM downward WHERE kind = 'recommendation'"), 0);
    assert_int_equal (unit_pg_int (fx->cli.hub->pg, "SELECT count(*) FROM requests WHERE state = 'recommended'"), 0);
}

static void
test_partners (void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal (s_run (fx, "partners", "--json", NULL), 0);
    json_t *doc = s_json (fx->cli.run.out);
    assert_int_equal (json_array_size (doc), 15);
    bool found = false;
    for (size_t i = 0; i < json_array_size (doc); i++)
        if (s_json_is (json_object_get (json_array_get (doc, i), "code"), "\"CSIAS\"")) {
            s_json_member (json_array_get (doc, i), "name", "\"Conférence suisse des institutions d'action sociale\"");
            found = true;
        }
    assert_true (found);
    json_decref (doc);
    assert_int_equal (s_run (fx, "partner", "add", "FSEA", "--name", "Fédération suisse pour la formation continue",
                             "--json", NULL), 0);
    doc = s_json (fx->cli.run.out);
    s_json_member (doc, "code", "\"FSEA\"");
    json_decref (doc);
    s_run (fx, "partner", "add", "FSEA", "--name", "Autre", NULL);
    s_assert_refused (fx, "cii-hub partner add: partner FSEA exists already");
    s_run (fx, "partner", "add", "F\x1b[2J", "--name", "Autre", NULL);
    s_assert_refused (fx, "cii-hub partner add: the partner code must be 1..32 letters, digits or '-', starting with a "
                          "letter (got \"F?[2J\")");
    assert_int_equal (s_run (fx, "partners", NULL), 0);
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 0), "CODE      NAME");
    assert_non_null (strstr (fx->cli.run.out, "\nFSEA      Fédération suisse pour la formation continue\n"));
    //  Addressed.
    s_write (fx, "2027-04-20", "2027-12-31", "[]", "{\"partners\": [\"FSEA\"]}", NULL);
    assert_int_equal (s_run (fx, "recommend", "--file", fx->file, NULL), 0);
    assert_string_equal (unit_hub_cli_out_line (&fx->cli, 1), "  no canton addressed: nothing goes down");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_help_and_usage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_recommend, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_amend, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_partners, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
