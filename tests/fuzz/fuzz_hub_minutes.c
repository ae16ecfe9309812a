/*  fuzz_hub_minutes.c — fuzz target for the minutes file reader (`cii-hub minutes M --file F`,
    hub/service/hub_agenda.c hub_minutes_parse, over jansson): every input is read as a minutes
    file. Accepted: at most HUB_MINUTES_MAX_ITEMS outcomes, each value either absent (NULL) or a
    string of valid UTF-8 without NUL (control characters pass here: the decision refuses them,
    naming the item). Refused: CII_BAD_INPUT (or CII_NO_MEMORY) with one line of
    valid UTF-8 that gives the file name with a line and column, or names the item, or the shape.
    Any breach calls abort(). The database is not touched: what the minutes then do with the
    outcomes is tested in test_hub_agenda. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_agenda.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_hub_minutes: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

//  A refusal names the document's position, an item, or the shape of the whole.
static int
s_error_shape_ok (const char *error)
{
    static const char *const starts [] = {
        "OUTCOMES.json: line ", "item ", "the minutes must be a JSON array", "at most ",
        "OUTCOMES.json: the minutes are larger than",
    };
    for (size_t i = 0; i < sizeof starts / sizeof starts [0]; i++)
        if (strncmp (error, starts [i], strlen (starts [i])) == 0)
            return 1;
    return 0;
}

static void
s_string_ok (const char *s, const char *what)
{
    if (!s)
        return;
    //  Valid UTF-8 apart from C0 controls (strlen: no NUL inside, jansson refuses \u0000)
    size_t len = strlen (s);
    char *copy = malloc (len + 1);
    if (!copy)
        s_die ("out of memory", what);
    for (size_t i = 0; i <= len; i++)
        copy [i] = s [i] > 0 && s [i] < 0x20 ? ' ' : s [i];
    bool ok = cii_domain_utf8_valid (copy, len);
    free (copy);
    if (!ok)
        s_die ("accepted value is not UTF-8", what);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    hub_minutes_file_t file;
    cii_err_t err;
    memset (&err, 0, sizeof err);
    cii_rc_t rc = hub_minutes_parse ("OUTCOMES.json", (const char *) data, size, &file, &err);
    if (rc != CII_OK) {
        if (rc != CII_BAD_INPUT && rc != CII_NO_MEMORY)
            s_die ("unexpected return code", err.text);
        if (file.outcomes || file.doc || file.count)
            s_die ("result left on failure", err.text);
        size_t len = strnlen (err.text, sizeof err.text);
        if (len == 0 || len >= sizeof err.text)
            s_die ("empty or unterminated error", NULL);
        if (strchr (err.text, '\n') || strchr (err.text, '\r') || !cii_domain_utf8_valid (err.text, len))
            s_die ("error is not one line of UTF-8", err.text);
        if (rc == CII_BAD_INPUT && !s_error_shape_ok (err.text))
            s_die ("error names neither the position, the item nor the shape", err.text);
        return 0;
    }
    if (file.count > HUB_MINUTES_MAX_ITEMS || file.count > size)
        s_die ("more outcomes than allowed or than input bytes", NULL);
    if (file.count && !file.outcomes)
        s_die ("no outcomes inside the count", NULL);
    for (size_t i = 0; i < file.count; i++) {
        s_string_ok (file.outcomes [i].ref, "ref");
        s_string_ok (file.outcomes [i].to, "to");
        s_string_ok (file.outcomes [i].organ, "organ");
        s_string_ok (file.outcomes [i].note, "note");
    }
    hub_minutes_file_clear (&file);
    hub_minutes_file_clear (&file);         //  safe twice
    if (file.outcomes || file.doc || file.count)
        s_die ("clear left something", NULL);
    return 0;
}
