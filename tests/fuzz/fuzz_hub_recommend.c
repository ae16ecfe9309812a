/*  fuzz_hub_recommend.c — fuzz target for the REC.json reader (`cii-hub recommend --file F`,
    hub/service/hub_recommend.c hub_recommend_parse, over jansson) and the rules of a draft
    (hub_recommend_check): every input is read as a REC.json. Refused: CII_BAD_INPUT (or
    CII_NO_MEMORY) with one line of valid UTF-8 that gives the file name with a line and column, or
    names the field or the shape, and nothing left in the result. Accepted: every string valid UTF-8
    without NUL (control characters pass here: the rules refuse them, naming the field). Then the
    rules: refused with one line naming the field; accepted only when the recommendation built from
    the draft, as the hub builds each network's item, passes the domain's own check
    (cii_recommendation_check: what the codec enforces on the wire), so that nothing the rules let
    through fails later when it is packed. Any breach calls abort(). The database is not touched:
    what a publication then does is tested in test_hub_recommend. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_recommend.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_hub_recommend: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

//  A refusal of the reader names the document's position, a field or the shape of the whole.
static bool
s_parse_error_ok (const char *error)
{
    static const char *const starts [] = {
        "REC.json: line ", "REC.json: the recommendation must be a JSON object", "REC.json: the recommendation is "
        "larger than", "\"title\" must be", "\"text\" must be", "\"adopted_on\" must be", "\"report_by\" must be",
        "\"note\" must be", "\"meeting\" must be", "\"addressees\" must be", "title: unknown language", "text: unknown "
        "language", "title.", "text.", "basis must be", "basis[", "addressees.cantons", "addressees.partners",
        "addressees: unknown key", "unknown key \"",
    };
    for (size_t i = 0; i < sizeof starts / sizeof starts [0]; i++)
        if (strncmp (error, starts [i], strlen (starts [i])) == 0)
            return true;
    return false;
}

//  A refusal of the rules names the field.
static bool
s_check_error_ok (const char *error)
{
    static const char *const starts [] = {
        "title.", "text.", "adopted_on: ", "report_by: ", "basis[", "at most ", "addressees: none",
        "addressees.cantons[", "addressees.partners[", "note must be",
    };
    for (size_t i = 0; i < sizeof starts / sizeof starts [0]; i++)
        if (strncmp (error, starts [i], strlen (starts [i])) == 0)
            return true;
    return false;
}

static void
s_error_ok (const cii_err_t *err, bool (*shape_ok) (const char *))
{
    size_t len = strnlen (err->text, sizeof err->text);
    if (len == 0 || len >= sizeof err->text)
        s_die ("empty or unterminated error", NULL);
    if (strchr (err->text, '\n') || strchr (err->text, '\r') || !cii_domain_utf8_valid (err->text, len))
        s_die ("error is not one line of UTF-8", err->text);
    if (err->rc != CII_NO_MEMORY && !shape_ok (err->text))
        s_die ("error names neither the position, the field nor the shape", err->text);
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

static void
s_list_ok (const char *const *list, size_t n, size_t size, const char *what)
{
    if (n > size)
        s_die ("more entries than input bytes", what);
    if (n && !list)
        s_die ("no list inside the count", what);
    for (size_t i = 0; i < n; i++) {
        if (!list [i])
            s_die ("NULL entry", what);
        s_string_ok (list [i], what);
    }
}

//  The recommendation the hub builds from an accepted draft (its addressed cantons all at once)
//  must pass the domain's check.
static void
s_domain_ok (const hub_rec_draft_t *d)
{
    cii_recommendation_t rec;
    memset (&rec, 0, sizeof rec);
    rec.ref = "REC-2027-01";
    rec.version = 1;
    for (size_t i = 0; i < HUB_REC_LANGUAGES; i++)
        if (d->title [i]) {
            cii_translation_t *t = &rec.translations [rec.n_translations++];
            snprintf (t->language, sizeof t->language, "%s", hub_recommend_language (i));
            t->title = d->title [i];
            t->text = d->text [i];
        }
    const char *all [CII_CANTON_COUNT];
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        all [i] = cii_domain_canton_at (i);
    rec.adopted_on = d->adopted_on;
    rec.report_by = d->report_by;
    rec.basis = d->basis;
    rec.n_basis = d->n_basis;
    rec.cantons = d->all_cantons ? all : d->cantons;
    rec.n_cantons = d->all_cantons ? CII_CANTON_COUNT : d->n_cantons;
    rec.partners = d->partners;
    rec.n_partners = d->n_partners;
    rec.all_cantons = d->all_cantons;
    rec.note = d->note ? d->note : "";
    cii_err_t err;
    memset (&err, 0, sizeof err);
    //  Partners only: no network gets an item, so no item to check.
    if (rec.n_cantons == 0)
        return;
    if (cii_recommendation_check (&rec, NULL, &err) != CII_OK)
        s_die ("the rules accepted what the domain refuses", err.text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    hub_rec_file_t file;
    cii_err_t err;
    memset (&err, 0, sizeof err);
    cii_rc_t rc = hub_recommend_parse ("REC.json", (const char *) data, size, &file, &err);
    if (rc != CII_OK) {
        if (rc != CII_BAD_INPUT && rc != CII_NO_MEMORY)
            s_die ("unexpected return code", err.text);
        if (file.strings || file.doc || file.draft.n_basis || file.draft.n_cantons || file.draft.n_partners)
            s_die ("result left on failure", err.text);
        s_error_ok (&err, s_parse_error_ok);
        return 0;
    }
    const hub_rec_draft_t *d = &file.draft;
    for (size_t i = 0; i < HUB_REC_LANGUAGES; i++) {
        s_string_ok (d->title [i], "title");
        s_string_ok (d->text [i], "text");
    }
    s_string_ok (d->adopted_on, "adopted_on");
    s_string_ok (d->report_by, "report_by");
    s_string_ok (d->note, "note");
    s_string_ok (d->meeting, "meeting");
    s_list_ok (d->basis, d->n_basis, size, "basis");
    s_list_ok (d->cantons, d->n_cantons, size, "cantons");
    s_list_ok (d->partners, d->n_partners, size, "partners");
    if (d->all_cantons && d->n_cantons)
        s_die ("all cantons and a list", NULL);
    memset (&err, 0, sizeof err);
    rc = hub_recommend_check (d, &err);
    if (rc == CII_OK)
        s_domain_ok (d);
    else {
        if (rc != CII_BAD_INPUT && rc != CII_NOT_FOUND)
            s_die ("unexpected return code of the rules", err.text);
        s_error_ok (&err, s_check_error_ok);
    }
    hub_recommend_file_clear (&file);
    hub_recommend_file_clear (&file);       //  safe twice
    if (file.strings || file.doc || file.draft.n_basis)
        s_die ("clear left something", NULL);
    return 0;
}
