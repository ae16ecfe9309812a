/*  test_util.c — common/cii_util: the message ids agents give their upward messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cii_util.h"

//  UUIDv7 (RFC 9562): 8-4-4-4-12 lowercase hex, version 7, variant 10, the first 48 bits the
//  Unix time in milliseconds; ids made in a later millisecond sort after (the hub's index of
//  (agent, message id) then grows at its end), ids of one millisecond still differ.
static void
test_uuid_v7 (void **state)
{
    (void) state;
    int64_t before = cii_util_now_ms ();
    char id [37];
    cii_util_uuid (id);
    int64_t after = cii_util_now_ms ();
    assert_int_equal (strlen (id), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal (id [i], '-');
        else
            assert_true (isxdigit ((unsigned char) id [i]) && !isupper ((unsigned char) id [i]));
    }
    assert_int_equal (id [14], '7');
    assert_non_null (strchr ("89ab", id [19]));
    char hex [13];
    memcpy (hex, id, 8);
    memcpy (hex + 8, id + 9, 4);
    hex [12] = 0;
    int64_t ms = (int64_t) strtoll (hex, NULL, 16);
    assert_true (ms >= before && ms <= after);

    char earlier [37], later [37], same [37];
    cii_util_uuid (earlier);
    struct timespec pause = { 0, 3 * 1000 * 1000 };
    nanosleep (&pause, NULL);
    cii_util_uuid (later);
    assert_true (strcmp (earlier, later) < 0);
    cii_util_uuid (same);
    assert_string_not_equal (later, same);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_uuid_v7),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
