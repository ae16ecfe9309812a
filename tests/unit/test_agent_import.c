/*  test_agent_import.c — unit tests of agent/service/agent_import: JSON text to validated signals
    (UTF-8 and escapes decoded exactly, defaults, dates), one-line refusals with line and column
    for the document and naming the entry and field for an entry, the limits (nesting, keys, size),
    the order of checks, the canton callback, and the field checks shared with `signal add`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_import.h"
#include "cii_domain.h"

//  Parses a NUL-terminated text; returns rc and leaves the reason in err.
static cii_rc_t
s_parse (const char *text, agent_import_t **import_p, cii_err_t *err)
{
    cii_err_clear (err);
    return agent_import_parse (text, strlen (text), import_p, err);
}

//  Asserts text is refused with exactly the given one-line reason.
static void
s_refused (const char *text, const char *expected)
{
    agent_import_t *import = NULL;
    cii_err_t err;
    assert_int_equal (s_parse (text, &import, &err), CII_BAD_INPUT);
    assert_null (import);
    assert_string_equal (err.text, expected);
}

static void
test_parse_languages_and_escapes (void **state)
{
    (void) state;
    const char *text =
        "[{\"canton\":\"vd\",\"title\":\"Accès\",\"body\":\"Corps \\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\/\","
        "\"institutions\":[\"health\",\"social-aid\"],\"created_at\":\"2026-03-01T10:15:30.250Z\"},\n"
        " {\"canton\":\"BE\",\"title\":\"Übergang\",\"body\":\"Größe\\nzwei\",\"institutions\":[\"unemployment\"],"
        "\"target_groups\":[\"late-arriving-youth\",\"health-impaired\"],\"reason\":\"SEM\",\"lang\":\"fr\","
        "\"created_at\":1772359200000},\n"
        " {\"canton\":\"TI\",\"title\":\"Più\",\"body\":\"x\",\"institutions\":[\"invalidity\"],\"target_groups\":null,"
        "\"reason\":null,\"lang\":null,\"created_at\":null}]";
    agent_import_t *import = NULL;
    cii_err_t err;
    assert_int_equal (s_parse (text, &import, &err), CII_OK);
    assert_non_null (import);
    assert_int_equal (agent_import_count (import), 3);

    const cii_signal_t *s = agent_import_signal (import, 0);
    assert_non_null (s);
    assert_string_equal (s->canton, "VD");                  //  upper-cased
    assert_string_equal (s->title, "Accès");
    assert_string_equal (s->description, "Corps \xc3\xa9\xf0\x9f\x98\x80 \"q\" \\ /");
    assert_string_equal (s->language, "fr");                //  the canton's first language
    assert_string_equal (s->national_reason, "");
    assert_int_equal (s->n_institutions, 2);
    assert_int_equal (s->institutions[0], CII_INSTITUTION_HEALTH);
    assert_int_equal (s->institutions[1], CII_INSTITUTION_SOCIAL_AID);
    assert_int_equal (s->created_at_ms, 1772360130250LL);  //  2026-03-01T10:15:30.250Z

    s = agent_import_signal (import, 1);
    assert_string_equal (s->canton, "BE");
    assert_string_equal (s->description, "Größe\nzwei");
    assert_string_equal (s->language, "fr");                //  given explicitly
    assert_string_equal (s->national_reason, "SEM");
    assert_int_equal (s->n_target_groups, 2);
    assert_int_equal (s->target_groups[0], CII_TARGET_GROUP_LATE_ARRIVING_YOUTH);
    assert_int_equal (s->created_at_ms, 1772359200000LL);

    s = agent_import_signal (import, 2);
    assert_string_equal (s->language, "it");                //  TI -> it
    assert_int_equal (s->n_institutions, 1);
    assert_int_equal (s->n_target_groups, 0);
    assert_true (s->created_at_ms > 1700000000000LL);       //  now
    for (size_t i = 0; i < 3; i++)
        assert_int_equal (cii_signal_check (agent_import_signal (import, i), "signal", NULL), CII_OK);
    assert_null (agent_import_signal (import, 3));

    agent_import_destroy (&import);
    assert_null (import);
    agent_import_destroy (&import);                         //  safe twice
    agent_import_destroy (NULL);

    assert_int_equal (s_parse ("  [ ]\n", &import, &err), CII_OK);
    assert_int_equal (agent_import_count (import), 0);
    assert_null (agent_import_signal (import, 0));
    agent_import_destroy (&import);
}

static void
test_refusals_name_entry_and_field (void **state)
{
    (void) state;
    //  The document: jansson's reason after the line and column (columns in characters from 1)
    s_refused ("", "line 1, column 0: '[' or '{' expected near end of file");
    s_refused ("{\"canton\":\"VD\"}", "expected a JSON array of signals");
    s_refused ("[] x", "line 1, column 4: end of file expected near 'x'");
    s_refused ("[{\"canton\":\"VD\",}]", "line 1, column 17: string or '}' expected near '}'");
    s_refused ("[\"\\ud800\"]", "line 1, column 9: invalid Unicode '\\uD800' near '\"\\ud800\"'");
    s_refused ("[\"\\udc00\"]", "line 1, column 9: invalid Unicode '\\uDC00' near '\"\\udc00\"'");
    s_refused ("[\"\\u0000\"]", "line 1, column 9: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'");
    s_refused ("[\"\\u00e9\\u0000\"]",
               "line 1, column 15: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u00e9\\u0000\"'");
    s_refused ("[\"\xc3\x28\"]", "line 1, column 2: unable to decode byte 0xc3 near '\"'");
    s_refused ("[\"a\tb\"]", "line 1, column 3: control character 0x9 near '\"a'");
    s_refused ("[12345678901234567890]", "line 1, column 21: too big integer near '12345678901234567890'");
    //  Lines count from 1 at each LF, columns in characters (é is one)
    s_refused ("[\n {\"canton\":\"VD\",\n  \"title\":tru}]", "line 3, column 13: invalid token near 'tru'");
    s_refused ("[\"é\",\n\"à\", x]", "line 2, column 6: invalid token near 'x'");
    //  Duplicate keys, at any depth
    s_refused ("[{\"canton\":\"VD\",\"canton\":\"GE\"}]", "line 1, column 24: duplicate object key near '\"canton\"'");
    s_refused ("[{\"canton\":\"VD\",\n \"x\":{\"a\":1,\"a\":2}}]",
               "line 2, column 15: duplicate object key near '\"a\"'");
    //  Nesting: 16 levels are read, the 17th bracket is refused where it is; jansson's own limit
    //  (2048) is reached first by a deeper document
    agent_import_t *import = NULL;
    cii_err_t err;
    const char *sixteen = "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]";
    assert_int_equal (agent_import_read (sixteen, strlen (sixteen), &import, &err), CII_OK);
    agent_import_destroy (&import);
    s_refused ("[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", "line 1, column 17: nested too deeply (more than 16 levels)");
    s_refused ("[{\"a\":[{\"b\":\"[[[[{{\",\n\"c\":[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}]}]",
               "line 2, column 17: nested too deeply (more than 16 levels)");      //  brackets in strings do not count
    char *deep = malloc (6001);
    assert_non_null (deep);
    memset (deep, '[', 3000);
    memset (deep + 3000, ']', 3000);
    deep[6000] = 0;
    s_refused (deep, "line 1, column 2049: maximum parsing depth reached near '['");
    free (deep);
    //  Keys: 64 in one object are read, the 65th is refused at its opening quote
    char keys[1200] = "[{";
    for (int i = 0; i < 64; i++)
        snprintf (keys + strlen (keys), sizeof keys - strlen (keys), "%s\"k%d\":0", i ? "," : "", i);
    strcat (keys, "}]");
    assert_int_equal (agent_import_read (keys, strlen (keys), &import, &err), CII_OK);
    agent_import_destroy (&import);
    snprintf (keys + strlen (keys) - 2, sizeof keys - strlen (keys) + 2, ",\"k64\":0}]");
    s_refused (keys, "line 1, column 505: too many keys in an object (more than 64)");
    //  Size: AGENT_IMPORT_MAX_BYTES are read, one more byte is refused before it is parsed
    char *huge = malloc (AGENT_IMPORT_MAX_BYTES + 1);
    assert_non_null (huge);
    memset (huge, ' ', AGENT_IMPORT_MAX_BYTES + 1);
    huge[0] = '[';
    huge[AGENT_IMPORT_MAX_BYTES - 1] = ']';
    assert_int_equal (agent_import_read (huge, AGENT_IMPORT_MAX_BYTES, &import, &err), CII_OK);
    assert_int_equal (agent_import_count (import), 0);
    agent_import_destroy (&import);
    assert_int_equal (agent_import_read (huge, AGENT_IMPORT_MAX_BYTES + 1, &import, &err), CII_BAD_INPUT);
    assert_null (import);
    snprintf (keys, sizeof keys, "document is larger than %d bytes", AGENT_IMPORT_MAX_BYTES);
    assert_string_equal (err.text, keys);
    free (huge);
    //  Each entry: "signal N: ..." with the field
    s_refused ("[1]", "signal 1: not an object");
    s_refused ("[1.5]", "signal 1: not an object");          //  a number is never an entry
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[]},{\"titel\":1}]",
               "signal 2: unknown field \"titel\"");
    s_refused ("[{\"canton\":1}]", "signal 1: \"canton\" must be a string");
    s_refused ("[{\"canton\":\"zz\"}]", "signal 1: unknown canton ZZ");
    s_refused ("[{\"canton\":\"VD\",\"body\":\"b\"}]", "signal 1: \"title\" and \"body\" must be strings");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":\"health\"}]",
               "signal 1: \"institutions\" must be an array of names");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"health\",\"health\"]}]",
               "signal 1: institution health given twice");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"target_groups\":[\"x\"]}]",
               "signal 1: unknown target group 'x' (valid: social-aid-recipients, health-impaired, "
               "low-qualified-adults, late-arriving-youth, provisionally-admitted-and-refugees)");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"lang\":\"en\"}]",
               "signal 1: unknown language 'en' (valid: fr, de, it, rm)");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"created_at\":\"2026-02-30\"}]",
               "signal 1: \"created_at\" is not a date");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"created_at\":-1}]",
               "signal 1: \"created_at\" must be a date string or Unix milliseconds");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"created_at\":1.5}]",
               "signal 1: \"created_at\" must be a date string or Unix milliseconds");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"created_at\":1000000000000000}]",
               "signal 1: \"created_at\" must be a date string or Unix milliseconds");      //  16 digits
    //  Free text: jansson refuses \u0000, the other control characters but TAB, LF and CR are ours
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\\u0001\",\"body\":\"b\",\"institutions\":[]}]",
               "signal 1: \"title\" holds a control character");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"\\t\\n\\r\\b\",\"institutions\":[]}]",
               "signal 1: \"body\" holds a control character");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"health\"],\"reason\":\"\\u001f\"}]",
               "signal 1: \"reason\" holds a control character");
    //  Codec limits, after the format of every entry
    s_refused ("[{\"canton\":\"VD\",\"title\":\"\",\"body\":\"b\",\"institutions\":[]}]",
               "signal 1 refused: signal.title: missing");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[]}]",
               "signal 1 refused: signal.institutions: missing, at least 1 required");
    char big[400];
    snprintf (big, sizeof big, "[{\"canton\":\"VD\",\"title\":\"%0201d\",\"body\":\"b\",\"institutions\":[]},"
              "{\"canton\":\"GE\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"nope\"]}]", 0);
    assert_int_equal (s_parse (big, &import, &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "signal 2: unknown institution 'nope'"));
    snprintf (big, sizeof big, "[{\"canton\":\"VD\",\"title\":\"%0201d\",\"body\":\"b\",\"institutions\":[]},"
              "{\"canton\":\"GE\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[]}]", 0);
    assert_int_equal (s_parse (big, &import, &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "signal 1 refused: signal.title: 201 bytes, limit 200");
}

static void
test_refusal_is_one_line (void **state)
{
    (void) state;
    //  Control characters and a cut UTF-8 character never reach the one-line reason
    s_refused ("[{\"canton\":\"V\\nD\"}]", "signal 1: unknown canton V?D");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"a\\r\\nb\"]}]",
               "signal 1: unknown institution 'a??b' (valid: unemployment, invalidity, social-aid, "
               "vocational-training, migration, health)");
    //  "é" is two bytes: at the 16-byte limit the second half would be cut, so it is left out
    s_refused ("[{\"canton\":\"abcdefghijklmnoé\"}]", "signal 1: unknown canton abcdefghijklmno");
    s_refused ("[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[],\"lang\":\"français\"}]",
               "signal 1: unknown language 'français' (valid: fr, de, it, rm)");
    //  jansson quotes the bytes near a fault: controls and invalid UTF-8 become '?' there too
    s_refused ("\x01", "line 1, column 1: '[' or '{' expected near '?'");
    s_refused ("[\"\xc3\xa9\", \x7f]", "line 1, column 7: invalid token near '?'");
    s_refused ("[{\"canton\":\"VD\",\"ti\\u0007tle\":\"t\"}]", "signal 1: unknown field \"ti?tle\"");
}

typedef struct {
    int calls;
    int answer;
    char last[3];
} s_member_t;

static cii_rc_t
s_member (const char *canton, void *arg, cii_err_t *err)
{
    s_member_t *member = arg;
    member->calls++;
    snprintf (member->last, sizeof member->last, "%s", canton);
    if (member->answer == CII_OK || strcmp (canton, "VD") == 0)
        return CII_OK;
    return cii_err_set (err, (cii_rc_t) member->answer, "canton %s is not ours", canton);
}

static void
test_read_then_check_with_callback (void **state)
{
    (void) state;
    const char *text =
        "[{\"canton\":\"VD\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"health\"]},"
        " {\"canton\":\"ge\",\"title\":\"t\",\"body\":\"b\",\"institutions\":[\"health\"]}]";
    cii_err_t err;
    agent_import_t *import = NULL;
    assert_int_equal (agent_import_read (text, strlen (text), &import, &err), CII_OK);
    assert_int_equal (agent_import_count (import), 2);
    assert_null (agent_import_signal (import, 0));            //  not checked yet
    s_member_t member = {0, CII_REFUSED, ""};
    assert_int_equal (agent_import_check (import, s_member, &member, &err), CII_REFUSED);
    assert_int_equal (member.calls, 2);
    assert_string_equal (member.last, "GE");                  //  upper case before the callback
    assert_string_equal (err.text, "signal 2: canton GE is not ours");
    assert_null (agent_import_signal (import, 0));
    agent_import_destroy (&import);

    //  A callback's failure comes back with its code and reason
    assert_int_equal (agent_import_read (text, strlen (text), &import, &err), CII_OK);
    member = (s_member_t) {0, CII_FAILED, ""};
    assert_int_equal (agent_import_check (import, s_member, &member, &err), CII_FAILED);
    assert_string_equal (err.text, "signal 2: canton GE is not ours");
    agent_import_destroy (&import);

    //  The callback runs right after the canton, before the other fields of that entry
    const char *early = "[{\"canton\":\"GE\",\"title\":1}]";
    assert_int_equal (agent_import_read (early, strlen (early), &import, &err), CII_OK);
    member = (s_member_t) {0, CII_REFUSED, ""};
    assert_int_equal (agent_import_check (import, s_member, &member, &err), CII_REFUSED);
    assert_string_equal (err.text, "signal 1: canton GE is not ours");
    agent_import_destroy (&import);

    //  Accepting: the signals are there, and a second check is refused
    assert_int_equal (agent_import_read (text, strlen (text), &import, &err), CII_OK);
    member = (s_member_t) {0, CII_OK, ""};
    assert_int_equal (agent_import_check (import, s_member, &member, &err), CII_OK);
    assert_int_equal (member.calls, 2);
    assert_string_equal (agent_import_signal (import, 1)->canton, "GE");
    assert_int_equal (agent_import_check (import, NULL, NULL, &err), CII_FAILED);
    agent_import_destroy (&import);

    //  Not NUL-terminated input: only size bytes are read
    char raw[] = {'[', ']', 'x'};
    assert_int_equal (agent_import_read (raw, 2, &import, &err), CII_OK);
    agent_import_destroy (&import);
}

static void
test_input_checks_and_time (void **state)
{
    (void) state;
    agent_import_input_t in;
    memset (&in, 0, sizeof in);
    cii_err_t err;
    assert_int_equal (agent_import_input_canton (&in, "gr", &err), CII_OK);
    assert_string_equal (in.signal.canton, "GR");
    assert_int_equal (agent_import_input_canton (&in, "GRR", &err), CII_BAD_INPUT);
    assert_string_equal (err.text, "unknown canton GRR");
    assert_int_equal (agent_import_input_list (&in, " social-aid, health ,,", agent_import_input_institution, &err),
                      CII_OK);
    assert_int_equal (in.signal.n_institutions, 2);
    assert_int_equal (agent_import_input_list (&in, "migration,health", agent_import_input_institution, &err),
                      CII_BAD_INPUT);
    assert_string_equal (err.text, "institution health given twice");
    //  Every institution once: nothing more can be added
    assert_int_equal (agent_import_input_list (&in, "unemployment,invalidity,vocational-training",
                                               agent_import_input_institution, &err), CII_OK);
    assert_int_equal (in.signal.n_institutions, CII_MAX_INSTITUTIONS);
    assert_int_equal (agent_import_input_institution (&in, "health", &err), CII_BAD_INPUT);
    assert_int_equal (agent_import_input_list (&in, "late-arriving-youth, health-impaired", agent_import_input_group,
                                               &err), CII_OK);
    assert_int_equal (in.signal.target_groups[1], CII_TARGET_GROUP_HEALTH_IMPAIRED);
    assert_int_equal (agent_import_input_group (&in, "everyone", &err), CII_BAD_INPUT);
    assert_non_null (strstr (err.text, "unknown target group 'everyone' (valid: social-aid-recipients"));
    assert_int_equal (agent_import_input_lang (&in, NULL, &err), CII_OK);
    assert_string_equal (in.signal.language, "de");           //  GR: de,it,rm
    assert_int_equal (agent_import_input_lang (&in, "rm", &err), CII_OK);
    assert_string_equal (in.signal.language, "rm");
    agent_import_input_finish (&in, "Titel", "Text", NULL, 5);
    assert_string_equal (in.signal.canton, "GR");
    assert_string_equal (in.signal.national_reason, "");
    assert_int_equal (in.signal.created_at_ms, 5);
    assert_int_equal (cii_signal_check (&in.signal, "signal", NULL), CII_OK);

    int64_t ms = 0;
    assert_int_equal (agent_import_parse_time ("2026-03-01", &ms), CII_OK);
    assert_int_equal (ms, 1772323200000LL);
    assert_int_equal (agent_import_parse_time ("2026-03-01 10:15", &ms), CII_OK);
    assert_int_equal (ms, 1772360100000LL);
    assert_int_equal (agent_import_parse_time ("1772360100000", &ms), CII_OK);
    assert_int_equal (ms, 1772360100000LL);
    const char *bad[] = {"", "0", "2026-3-01", "2026-03-01T10", "2026-02-29", "2026-03-01T24:00",
                         "2026-03-01Zx", "2026-03-01T10:15:30.25", "1234567890123456"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal (agent_import_parse_time (bad[i], &ms), CII_BAD_INPUT);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_parse_languages_and_escapes),
        cmocka_unit_test (test_refusals_name_entry_and_field),
        cmocka_unit_test (test_refusal_is_one_line),
        cmocka_unit_test (test_read_then_check_with_callback),
        cmocka_unit_test (test_input_checks_and_time),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
