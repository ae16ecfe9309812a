/*  test_domain.c — unit tests of proto/cii_domain: the canton table (codes, languages, default
    networks), institution and target-group names both ways, languages, network names and the
    strict UTF-8 validator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cii_domain.h"

static void
test_canton_table (void **state)
{
    (void) state;
    static const char *expected [CII_CANTON_COUNT] = {
        "AG", "AI", "AR", "BE", "BL", "BS", "FR", "GE", "GL", "GR", "JU", "LU", "NE",
        "NW", "OW", "SG", "SH", "SO", "SZ", "TG", "TI", "UR", "VD", "VS", "ZG", "ZH"
    };
    for (size_t i = 0; i < CII_CANTON_COUNT; i++) {
        assert_non_null (cii_domain_canton_at (i));
        assert_string_equal (cii_domain_canton_at (i), expected [i]);
        assert_true (cii_domain_canton_valid (expected [i]));
        if (i > 0)
            assert_true (strcmp (cii_domain_canton_at (i - 1), cii_domain_canton_at (i)) < 0);
    }
    assert_null (cii_domain_canton_at (CII_CANTON_COUNT));
    assert_null (cii_domain_canton_at ((size_t) -1));

    assert_false (cii_domain_canton_valid ("vd"));
    assert_false (cii_domain_canton_valid ("XX"));
    assert_false (cii_domain_canton_valid ("VDX"));
    assert_false (cii_domain_canton_valid ("V"));
    assert_false (cii_domain_canton_valid (""));
    assert_false (cii_domain_canton_valid (NULL));
    assert_false (cii_domain_canton_valid ("CH"));
}

static void
test_canton_languages (void **state)
{
    (void) state;
    const char *bilingual [] = { "BE", "FR", "VS" };
    for (size_t i = 0; i < 3; i++)
        assert_string_equal (cii_domain_canton_languages (bilingual [i]), "fr,de");
    const char *french [] = { "GE", "VD", "NE", "JU" };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal (cii_domain_canton_languages (french [i]), "fr");
    assert_string_equal (cii_domain_canton_languages ("GR"), "de,it,rm");
    assert_string_equal (cii_domain_canton_languages ("TI"), "it");

    size_t german = 0;
    for (size_t i = 0; i < CII_CANTON_COUNT; i++) {
        const char *langs = cii_domain_canton_languages (cii_domain_canton_at (i));
        assert_non_null (langs);
        if (strcmp (langs, "de") == 0)
            german++;
    }
    assert_int_equal (german, 26 - 3 - 4 - 1 - 1);
    assert_null (cii_domain_canton_languages ("XX"));
    assert_null (cii_domain_canton_languages (NULL));
}

static void
test_default_networks (void **state)
{
    (void) state;
    struct { const char *network; const char *cantons [8]; } expected [] = {
        { "lemanique",  { "VD", "VS", "GE", NULL } },
        { "mittelland", { "BE", "FR", "SO", "NE", "JU", NULL } },
        { "nordwest",   { "BS", "BL", "AG", NULL } },
        { "zuerich",    { "ZH", NULL } },
        { "ost",        { "GL", "SH", "AR", "AI", "SG", "GR", "TG", NULL } },
        { "zentral",    { "LU", "UR", "SZ", "OW", "NW", "ZG", NULL } },
        { "ticino",     { "TI", NULL } },
    };
    size_t total = 0;
    for (size_t n = 0; n < sizeof (expected) / sizeof (expected [0]); n++) {
        assert_true (cii_domain_network_name_valid (expected [n].network));
        for (size_t c = 0; expected [n].cantons [c]; c++) {
            const char *network = cii_domain_default_network (expected [n].cantons [c]);
            assert_non_null (network);
            assert_string_equal (network, expected [n].network);
            total++;
        }
    }
    /*  every canton in exactly one network */
    assert_int_equal (total, CII_CANTON_COUNT);
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        assert_non_null (cii_domain_default_network (cii_domain_canton_at (i)));
    assert_null (cii_domain_default_network ("XX"));
    assert_null (cii_domain_default_network (NULL));
}

static void
test_languages (void **state)
{
    (void) state;
    assert_true (cii_domain_language_valid ("fr"));
    assert_true (cii_domain_language_valid ("de"));
    assert_true (cii_domain_language_valid ("it"));
    assert_true (cii_domain_language_valid ("rm"));
    assert_false (cii_domain_language_valid ("en"));
    assert_false (cii_domain_language_valid ("FR"));
    assert_false (cii_domain_language_valid ("fr "));
    assert_false (cii_domain_language_valid ("f"));
    assert_false (cii_domain_language_valid (""));
    assert_false (cii_domain_language_valid (NULL));
}

static void
test_institutions (void **state)
{
    (void) state;
    struct { const char *name; cii_institution_t value; } table [] = {
        { "unemployment",        CII_INSTITUTION_UNEMPLOYMENT },
        { "invalidity",          CII_INSTITUTION_INVALIDITY },
        { "social-aid",          CII_INSTITUTION_SOCIAL_AID },
        { "vocational-training", CII_INSTITUTION_VOCATIONAL_TRAINING },
        { "migration",           CII_INSTITUTION_MIGRATION },
        { "health",              CII_INSTITUTION_HEALTH },
    };
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal (cii_domain_institution_from_name (table [i].name), table [i].value);
        assert_string_equal (cii_domain_institution_name (table [i].value), table [i].name);
    }
    assert_int_equal (cii_domain_institution_from_name ("Health"), CII_INSTITUTION_NONE);
    assert_int_equal (cii_domain_institution_from_name ("social_aid"), CII_INSTITUTION_NONE);
    assert_int_equal (cii_domain_institution_from_name (""), CII_INSTITUTION_NONE);
    assert_int_equal (cii_domain_institution_from_name (NULL), CII_INSTITUTION_NONE);
    assert_null (cii_domain_institution_name (0));
    assert_null (cii_domain_institution_name (7));
    assert_null (cii_domain_institution_name (-1));
}

static void
test_target_groups (void **state)
{
    (void) state;
    struct { const char *name; cii_target_group_t value; } table [] = {
        { "social-aid-recipients", CII_TARGET_GROUP_SOCIAL_AID_RECIPIENTS },
        { "health-impaired",       CII_TARGET_GROUP_HEALTH_IMPAIRED },
        { "low-qualified-adults",  CII_TARGET_GROUP_LOW_QUALIFIED_ADULTS },
        { "late-arriving-youth",   CII_TARGET_GROUP_LATE_ARRIVING_YOUTH },
        { "provisionally-admitted-and-refugees",
          CII_TARGET_GROUP_PROVISIONALLY_ADMITTED_AND_REFUGEES },
    };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal (cii_domain_target_group_from_name (table [i].name), table [i].value);
        assert_string_equal (cii_domain_target_group_name (table [i].value), table [i].name);
    }
    assert_int_equal (cii_domain_target_group_from_name ("refugees"), CII_TARGET_GROUP_NONE);
    assert_int_equal (cii_domain_target_group_from_name (NULL), CII_TARGET_GROUP_NONE);
    assert_null (cii_domain_target_group_name (0));
    assert_null (cii_domain_target_group_name (6));
    assert_null (cii_domain_target_group_name (-3));
}

#define S_VALID(s)   assert_true (cii_domain_utf8_valid (s, sizeof (s) - 1))
#define S_INVALID(s) assert_false (cii_domain_utf8_valid (s, sizeof (s) - 1))

static void
test_utf8_valid (void **state)
{
    (void) state;
    S_VALID ("");
    S_VALID ("plain ASCII");
    S_VALID ("Jeunes arrivés tardivement : accès à la formation, œuvre, ça, Été");
    S_VALID ("Übergänge für gesundheitlich beeinträchtigte Personen, Straße, Größe");
    S_VALID ("Giovani arrivati tardivamente: città, perché, più");
    S_VALID ("Rumantsch: lingua, ü, è");
    S_VALID ("line one\nline two\twith tab\r\n");
    S_VALID ("\xe2\x82\xac euro, \xf0\x9f\x98\x80 emoji, \xf4\x8f\xbf\xbf max");
    S_VALID ("\xc2\x80 first two-byte, \xe0\xa0\x80 first three-byte, \xf0\x90\x80\x80 first four-byte");
    S_VALID ("\xed\x9f\xbf last before surrogates, \xee\x80\x80 after");
    assert_true (cii_domain_utf8_valid (NULL, 0));
    assert_false (cii_domain_utf8_valid (NULL, 1));

    S_INVALID ("\x80");                     /* lone continuation */
    S_INVALID ("abc\xbf");
    S_INVALID ("\xc3");                     /* truncated 2-byte */
    S_INVALID ("\xe2\x82");                 /* truncated 3-byte */
    S_INVALID ("\xf0\x9f\x98");             /* truncated 4-byte */
    S_INVALID ("\xc3\x28");                 /* bad continuation */
    S_INVALID ("\xc0\xaf");                 /* overlong '/' */
    S_INVALID ("\xc1\xbf");                 /* overlong */
    S_INVALID ("\xe0\x80\xaf");             /* overlong 3-byte */
    S_INVALID ("\xe0\x9f\xbf");             /* overlong 3-byte, top */
    S_INVALID ("\xf0\x80\x80\xaf");         /* overlong 4-byte */
    S_INVALID ("\xf0\x8f\xbf\xbf");         /* overlong 4-byte, top */
    S_INVALID ("\xed\xa0\x80");             /* surrogate D800 */
    S_INVALID ("\xed\xbf\xbf");             /* surrogate DFFF */
    S_INVALID ("\xf4\x90\x80\x80");         /* U+110000 */
    S_INVALID ("\xf5\x80\x80\x80");
    S_INVALID ("\xfe");
    S_INVALID ("\xff");
    S_INVALID ("ok\x01");                   /* C0 control */
    S_INVALID ("bell\x07");
    S_INVALID ("esc\x1b[0m");
    assert_false (cii_domain_utf8_valid ("a\0b", 3));   /* NUL */
    /*  a valid prefix is valid when the size stops before the bad byte */
    assert_true (cii_domain_utf8_valid ("abc\xff", 3));
    /*  a multi-byte character cut by size is refused */
    assert_false (cii_domain_utf8_valid ("\xc3\xa9", 1));
}

static void
test_network_names (void **state)
{
    (void) state;
    assert_true (cii_domain_network_name_valid ("lemanique"));
    assert_true (cii_domain_network_name_valid ("a"));
    assert_true (cii_domain_network_name_valid ("net-2"));
    assert_true (cii_domain_network_name_valid ("abcdefghijklmnopqrstuvwxyz012345"));   /* 32 */
    assert_false (cii_domain_network_name_valid ("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
    assert_false (cii_domain_network_name_valid (""));
    assert_false (cii_domain_network_name_valid (NULL));
    assert_false (cii_domain_network_name_valid ("1net"));
    assert_false (cii_domain_network_name_valid ("-net"));
    assert_false (cii_domain_network_name_valid ("Lemanique"));
    assert_false (cii_domain_network_name_valid ("net_2"));
    assert_false (cii_domain_network_name_valid ("net 2"));
    assert_false (cii_domain_network_name_valid ("léman"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_canton_table),
        cmocka_unit_test (test_canton_languages),
        cmocka_unit_test (test_default_networks),
        cmocka_unit_test (test_languages),
        cmocka_unit_test (test_institutions),
        cmocka_unit_test (test_target_groups),
        cmocka_unit_test (test_utf8_valid),
        cmocka_unit_test (test_network_names),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
