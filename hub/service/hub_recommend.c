/*  hub_recommend.c — the CP's recommendations: the REC.json reader, the rules of a recommendation,
    its publication and amendments (stored, basis moved to recommended, delivered down per network),
    the listings and the national partners (see hub_recommend.h). */
#include "hub_recommend.h"
#include "hub_meeting.h"
#include "hub_requests.h"
#include "hub_store_downward.h"
#include "hub_store_registry.h"
#include "hub_store_requests.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_json.h"
#include "cii_wire.h"

static const char *const s_languages [HUB_REC_LANGUAGES] = { "fr", "de", "it", "rm" };
static const char *const s_language_names [HUB_REC_LANGUAGES] = { "French", "German", "Italian", "Romansh" };

const char *
hub_recommend_language (size_t index)
{
    return index < HUB_REC_LANGUAGES ? s_languages [index] : NULL;
}

bool
hub_recommend_is_ref (const char *ref)
{
    return ref && strncmp (ref, "REC-", 4) == 0;
}

//  True if s is NULL or has only blanks.
static bool
s_blank (const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

//  --------------------------------------------------------------------------------------------
//  The REC.json reader

void
hub_recommend_file_clear (hub_rec_file_t *file)
{
    if (!file)
        return;
    free (file->strings);
    json_decref ((json_t *) file->doc);
    memset (file, 0, sizeof *file);
}

//  Reads {"fr": "...", ...} of key (title or text) into values[].
static cii_rc_t
s_parse_languages (json_t *object, const char *key, const char **values, cii_err_t *err)
{
    if (!json_is_object (object))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be an object {\"fr\", \"de\", \"it\", \"rm\"} of strings",
                            key);
    const char *lang;
    json_t *value;
    json_object_foreach (object, lang, value) {
        size_t index = HUB_REC_LANGUAGES;
        for (size_t i = 0; i < HUB_REC_LANGUAGES; i++)
            if (streq (lang, s_languages [i]))
                index = i;
        char shown [12];
        if (index == HUB_REC_LANGUAGES)
            return cii_err_set (err, CII_BAD_INPUT, "%s: unknown language \"%s\" (fr, de, it, rm)", key,
                                cii_domain_sanitize (lang, shown));
        if (!json_is_string (value))
            return cii_err_set (err, CII_BAD_INPUT, "%s.%s must be a string", key, lang);
        values [index] = json_string_value (value);
    }
    return CII_OK;
}

//  Reads an array of strings into list (taken from *next), *n_p entries.
static cii_rc_t
s_parse_strings (json_t *array, const char *what, const char *shape, const char ***next, const char *const **list_p,
                 size_t *n_p, cii_err_t *err)
{
    if (!json_is_array (array))
        return cii_err_set (err, CII_BAD_INPUT, "%s must be %s", what, shape);
    *list_p = *next;
    *n_p = json_array_size (array);
    size_t index;
    json_t *value;
    json_array_foreach (array, index, value) {
        if (!json_is_string (value))
            return cii_err_set (err, CII_BAD_INPUT, "%s[%zu] must be a string", what, index);
        (*next) [index] = json_string_value (value);
    }
    *next += *n_p;
    return CII_OK;
}

static cii_rc_t
s_parse_addressees (json_t *addressees, const char ***next, hub_rec_draft_t *draft, cii_err_t *err)
{
    if (!json_is_object (addressees))
        return cii_err_set (err, CII_BAD_INPUT, "\"addressees\" must be an object {\"cantons\", \"partners\"}");
    const char *key;
    json_t *value;
    json_object_foreach (addressees, key, value) {
        char shown [12];
        cii_rc_t rc = CII_OK;
        if (streq (key, "cantons")) {
            if (json_is_string (value) && streq (json_string_value (value), "all"))
                draft->all_cantons = true;
            else
            if (json_is_string (value))
                rc = cii_err_set (err, CII_BAD_INPUT, "addressees.cantons must be \"all\" or an array of canton codes "
                                  "(got \"%s\")", cii_domain_sanitize (json_string_value (value), shown));
            else
                rc = s_parse_strings (value, "addressees.cantons", "\"all\" or an array of canton codes", next,
                                      &draft->cantons, &draft->n_cantons, err);
        }
        else
        if (streq (key, "partners"))
            rc = s_parse_strings (value, "addressees.partners", "an array of partner codes", next, &draft->partners,
                                  &draft->n_partners, err);
        else
            rc = cii_err_set (err, CII_BAD_INPUT, "addressees: unknown key \"%s\" (cantons, partners)",
                              cii_domain_sanitize (key, shown));
        if (rc != CII_OK)
            return rc;
    }
    return CII_OK;
}

//  Entries of the arrays of the document (basis, cantons, partners): what the lists need.
static size_t
s_entries (json_t *doc)
{
    size_t n = json_array_size (json_object_get (doc, "basis"));
    json_t *addressees = json_object_get (doc, "addressees");
    n += json_array_size (json_object_get (addressees, "cantons"));
    n += json_array_size (json_object_get (addressees, "partners"));
    return n;
}

cii_rc_t
hub_recommend_parse (const char *name, const char *text, size_t size, hub_rec_file_t *out, cii_err_t *err)
{
    assert (text && out);
    memset (out, 0, sizeof *out);
    if (size > HUB_REC_MAX_BYTES)
        return cii_err_set (err, CII_BAD_INPUT, "%s%sthe recommendation is larger than %d bytes", name ? name : "",
                            name ? ": " : "", HUB_REC_MAX_BYTES);
    json_t *doc = cii_json_parse (text, size, err);
    if (!doc) {
        if (name)
            cii_err_prefix (err, "%s", name);
        return err && err->rc == CII_NO_MEMORY ? CII_NO_MEMORY : CII_BAD_INPUT;
    }
    out->doc = doc;
    cii_rc_t rc = CII_OK;
    if (!json_is_object (doc))
        rc = cii_err_set (err, CII_BAD_INPUT, "%s%sthe recommendation must be a JSON object {\"title\", \"text\", "
                          "\"adopted_on\", \"report_by\", \"basis\", \"addressees\"}", name ? name : "",
                          name ? ": " : "");
    else
    if (!(out->strings = calloc (s_entries (doc) + 1, sizeof *out->strings)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    const char **next = out->strings;
    hub_rec_draft_t *draft = &out->draft;
    const char *key;
    json_t *value;
    if (rc == CII_OK)
        json_object_foreach (doc, key, value) {
            char shown [12];
            if (streq (key, "title"))
                rc = s_parse_languages (value, key, draft->title, err);
            else
            if (streq (key, "text"))
                rc = s_parse_languages (value, key, draft->text, err);
            else
            if (streq (key, "adopted_on") || streq (key, "report_by") || streq (key, "note") || streq (key, "meeting")) {
                bool optional = streq (key, "note") || streq (key, "meeting");
                if (!json_is_string (value) && !(optional && json_is_null (value)))
                    rc = cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be a string", key);
                const char *s = json_string_value (value);
                if (streq (key, "adopted_on"))
                    draft->adopted_on = s;
                else
                if (streq (key, "report_by"))
                    draft->report_by = s;
                else
                if (streq (key, "note"))
                    draft->note = s;
                else
                    draft->meeting = s;
            }
            else
            if (streq (key, "basis"))
                rc = s_parse_strings (value, "basis", "an array of strings", &next, &draft->basis, &draft->n_basis,
                                      err);
            else
            if (streq (key, "addressees"))
                rc = s_parse_addressees (value, &next, draft, err);
            else
                rc = cii_err_set (err, CII_BAD_INPUT, "unknown key \"%s\" (title, text, adopted_on, report_by, basis, "
                                  "addressees, note, meeting)", cii_domain_sanitize (key, shown));
            if (rc != CII_OK)
                break;
        }
    if (rc != CII_OK)
        hub_recommend_file_clear (out);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The rules

//  True for a partner code: [A-Za-z][A-Za-z0-9-]{0,31} (the partners table's check).
static bool
s_partner_code_valid (const char *code)
{
    size_t len = code ? strlen (code) : 0;
    if (len < 1 || len > 32 || !((code [0] >= 'A' && code [0] <= 'Z') || (code [0] >= 'a' && code [0] <= 'z')))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = code [i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static cii_rc_t
s_check_texts (const hub_rec_draft_t *draft, cii_err_t *err)
{
    for (size_t i = 0; i < HUB_REC_LANGUAGES; i++) {
        const char *lang = s_languages [i];
        const char *title = draft->title [i], *text = draft->text [i];
        if (i < 3) {
            if (s_blank (title))
                return cii_err_set (err, CII_BAD_INPUT, "title.%s: missing (French, German and Italian are required)",
                                    lang);
            if (s_blank (text))
                return cii_err_set (err, CII_BAD_INPUT, "text.%s: missing (French, German and Italian are required)",
                                    lang);
        }
        else {
            if (!title && !text)
                continue;
            if (s_blank (text))
                return cii_err_set (err, CII_BAD_INPUT, "text.%s: missing (the title has a %s version)", lang,
                                    s_language_names [i]);
            if (s_blank (title))
                return cii_err_set (err, CII_BAD_INPUT, "title.%s: missing (the text has a %s version)", lang,
                                    s_language_names [i]);
        }
        size_t len = strlen (title);
        if (len > CII_MAX_TITLE || !cii_domain_line_valid (title, len))
            return cii_err_set (err, CII_BAD_INPUT, "title.%s must be one line of 1..%d bytes of UTF-8 text (got %zu "
                                "bytes%s)", lang, CII_MAX_TITLE, len, len <= CII_MAX_TITLE ? ", not one line of text" : "");
        len = strlen (text);
        if (len > CII_MAX_TEXT || !cii_domain_utf8_valid (text, len))
            return cii_err_set (err, CII_BAD_INPUT, "text.%s must be 1..%d bytes of UTF-8 text (got %zu bytes%s)", lang,
                                CII_MAX_TEXT, len, len <= CII_MAX_TEXT ? ", not valid text" : "");
    }
    return CII_OK;
}

static cii_rc_t
s_check_dates (const hub_rec_draft_t *draft, cii_err_t *err)
{
    char shown [24];
    if (!draft->adopted_on || s_blank (draft->adopted_on))
        return cii_err_set (err, CII_BAD_INPUT, "adopted_on: missing (the date of the adoption, YYYY-MM-DD)");
    if (!cii_domain_date_valid (draft->adopted_on, NULL))
        return cii_err_set (err, CII_BAD_INPUT, "adopted_on: \"%s\" is not a calendar date YYYY-MM-DD",
                            cii_domain_shown (draft->adopted_on, shown));
    if (!draft->report_by || s_blank (draft->report_by))
        return cii_err_set (err, CII_BAD_INPUT, "report_by: missing (the date by which implementation is reported, "
                            "YYYY-MM-DD)");
    if (!cii_domain_date_valid (draft->report_by, NULL))
        return cii_err_set (err, CII_BAD_INPUT, "report_by: \"%s\" is not a calendar date YYYY-MM-DD",
                            cii_domain_shown (draft->report_by, shown));
    if (strcmp (draft->report_by, draft->adopted_on) < 0)
        return cii_err_set (err, CII_BAD_INPUT, "report_by: %s is before the adoption on %s", draft->report_by,
                            draft->adopted_on);
    return CII_OK;
}

static cii_rc_t
s_check_basis (const hub_rec_draft_t *draft, cii_err_t *err)
{
    if (draft->n_basis > CII_MAX_BASIS)
        return cii_err_set (err, CII_BAD_INPUT, "at most %d entries in basis (got %zu)", CII_MAX_BASIS, draft->n_basis);
    for (size_t i = 0; i < draft->n_basis; i++) {
        const char *entry = draft->basis [i];
        size_t len = entry ? strlen (entry) : 0;
        if (len < 1 || len > CII_MAX_BASIS_ITEM || !cii_domain_line_valid (entry, len) || s_blank (entry))
            return cii_err_set (err, CII_BAD_INPUT, "basis[%zu] must be one line of 1..%d bytes (got %zu bytes)", i,
                                CII_MAX_BASIS_ITEM, len);
        for (size_t j = 0; j < i; j++)
            if (streq (draft->basis [j], entry))
                return cii_err_set (err, CII_BAD_INPUT, "basis[%zu]: \"%s\" is named twice", i, entry);
    }
    return CII_OK;
}

static cii_rc_t
s_check_addressees (const hub_rec_draft_t *draft, cii_err_t *err)
{
    size_t n_cantons = draft->all_cantons ? 0 : draft->n_cantons;
    if (!draft->all_cantons && n_cantons == 0 && draft->n_partners == 0)
        return cii_err_set (err, CII_BAD_INPUT, "addressees: none (\"cantons\": \"all\" or a list, and/or "
                            "\"partners\")");
    char shown [24];
    for (size_t i = 0; i < n_cantons; i++) {
        const char *code = draft->cantons [i];
        if (!cii_domain_canton_valid (code))
            return cii_err_set (err, CII_NOT_FOUND, "addressees.cantons[%zu]: unknown canton \"%s\"", i,
                                cii_domain_shown (code, shown));
        for (size_t j = 0; j < i; j++)
            if (streq (draft->cantons [j], code))
                return cii_err_set (err, CII_BAD_INPUT, "addressees.cantons[%zu]: %s is named twice", i, code);
    }
    if (draft->n_partners > CII_MAX_PARTNERS)
        return cii_err_set (err, CII_BAD_INPUT, "at most %d partners in addressees (got %zu)", CII_MAX_PARTNERS,
                            draft->n_partners);
    for (size_t i = 0; i < draft->n_partners; i++) {
        const char *code = draft->partners [i];
        if (!s_partner_code_valid (code))
            return cii_err_set (err, CII_BAD_INPUT, "addressees.partners[%zu]: \"%s\" is not a partner code", i,
                                cii_domain_shown (code, shown));
        for (size_t j = 0; j < i; j++)
            if (streq (draft->partners [j], code))
                return cii_err_set (err, CII_BAD_INPUT, "addressees.partners[%zu]: %s is named twice", i, code);
    }
    return CII_OK;
}

cii_rc_t
hub_recommend_check (const hub_rec_draft_t *draft, cii_err_t *err)
{
    assert (draft);
    cii_rc_t rc;
    if ((rc = s_check_texts (draft, err)) != CII_OK || (rc = s_check_dates (draft, err)) != CII_OK
    ||  (rc = s_check_basis (draft, err)) != CII_OK || (rc = s_check_addressees (draft, err)) != CII_OK)
        return rc;
    size_t len = draft->note ? strlen (draft->note) : 0;
    if (len > CII_MAX_REASON || !cii_domain_utf8_valid (draft->note ? draft->note : "", len))
        return cii_err_set (err, CII_BAD_INPUT, "note must be UTF-8 text of at most %d bytes (got %zu bytes%s)",
                            CII_MAX_REASON, len, len <= CII_MAX_REASON ? ", not valid text" : "");
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Publishing

void
hub_rec_done_clear (hub_rec_done_t *done)
{
    if (!done)
        return;
    free (done->requests);
    done->requests = NULL;
    done->count = 0;
}

static int
s_strcmp (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

//  The kind of thing a basis reference names, for a reason.
static const char *
s_basis_kind (const char *ref)
{
    return strncmp (ref, "CII-", 4) == 0 ? "request"
         : strncmp (ref, "NT-", 3) == 0 ? "theme"
         : strncmp (ref, "REC-", 4) == 0 ? "recommendation"
         : strncmp (ref, "PR-", 3) == 0 ? "project" : "working group";
}

//  True if a basis entry is a reference (rather than a study or other free text): CII-, NT-, REC-,
//  PR- or WG- followed by a digit.
static bool
s_basis_ref (const char *entry)
{
    static const char *const prefixes [] = { "CII-", "NT-", "REC-", "PR-", "WG-" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes [0]; i++) {
        size_t len = strlen (prefixes [i]);
        if (strncmp (entry, prefixes [i], len) == 0 && entry [len] >= '0' && entry [len] <= '9')
            return true;
    }
    return false;
}

//  A list of strings that grows (copies).
typedef struct {
    char **items;
    size_t count;
    size_t capacity;
} s_list_t;

static bool
s_list_add (s_list_t *list, const char *s, size_t len)
{
    for (size_t i = 0; i < list->count; i++)
        if (strlen (list->items [i]) == len && memcmp (list->items [i], s, len) == 0)
            return true;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        char **bigger = realloc (list->items, capacity * sizeof *bigger);
        if (!bigger)
            return false;
        list->items = bigger;
        list->capacity = capacity;
    }
    char *copy = malloc (len + 1);
    if (!copy)
        return false;
    memcpy (copy, s, len);
    copy [len] = 0;
    list->items [list->count++] = copy;
    return true;
}

static void
s_list_clear (s_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free (list->items [i]);
    free (list->items);
    memset (list, 0, sizeof *list);
}

//  A theme of the basis: its id, and its requests (a comma list, copied).
typedef struct {
    const char *ref;
    int64_t id;
    char *requests;
    bool found;
} s_theme_t;

static bool
s_theme_row (const hub_theme_row_t *row, void *arg)
{
    s_theme_t *theme = arg;
    theme->id = row->id;
    theme->requests = strdup (row->requests);
    theme->found = true;
    return false;
}

//  Everything a publication works on, in one place (freed by s_work_clear).
typedef struct {
    const hub_rec_draft_t *draft;
    const char *meeting;                    /* NULL or the meeting */
    const char *cantons [CII_CANTON_COUNT]; /* addressed, sorted */
    size_t n_cantons;
    s_list_t refs;                          /* the requests of the basis (direct or through a theme) */
    s_list_t direct;                        /* those named directly */
    s_theme_t *themes;                      /* the themes of the basis */
    size_t n_themes;
    hub_request_lock_t *rows;               /* refs, locked, by id */
    size_t n_rows;
    hub_request_lock_t *moving;             /* those that move to recommended */
    size_t n_moving;
    hub_canton_row_t *registry;
    size_t n_registry;
} s_work_t;

static void
s_work_clear (s_work_t *work)
{
    s_list_clear (&work->refs);
    s_list_clear (&work->direct);
    for (size_t i = 0; i < work->n_themes; i++)
        free (work->themes [i].requests);
    free (work->themes);
    free (work->rows);
    free (work->moving);
    free (work->registry);
}

//  The meeting: of the cp (or joint), on the adoption date.
static cii_rc_t
s_check_meeting (hub_store_t *store, s_work_t *work, cii_err_t *err)
{
    if (!work->meeting)
        return CII_OK;
    hub_meeting_t meeting;
    cii_rc_t rc = hub_meeting_find (store, work->meeting, &meeting, err);
    if (rc == CII_OK)
        rc = hub_meeting_allows (store, work->meeting, "cp", err);
    if (rc == CII_OK && !streq (meeting.date, work->draft->adopted_on))
        rc = cii_err_set (err, CII_REFUSED, "meeting: %s was on %s, not on the adoption date %s", meeting.ref,
                          meeting.date, work->draft->adopted_on);
    return rc;
}

static cii_rc_t
s_check_partners (hub_store_t *store, s_work_t *work, cii_err_t *err)
{
    for (size_t i = 0; i < work->draft->n_partners; i++) {
        cii_rc_t rc = hub_store_partner_exists (store, work->draft->partners [i]);
        if (rc == CII_NOT_FOUND)
            return cii_err_set (err, rc, "addressees.partners[%zu]: unknown partner \"%s\" (cii-hub partners lists "
                                "them)", i, work->draft->partners [i]);
        if (rc != CII_OK)
            return hub_store_fail (store, err);
    }
    return CII_OK;
}

//  Every reference of the basis exists; the requests they stand for into work->refs.
static cii_rc_t
s_resolve_basis (hub_store_t *store, s_work_t *work, const char *self, cii_err_t *err)
{
    const hub_rec_draft_t *draft = work->draft;
    if (draft->n_basis && !(work->themes = calloc (draft->n_basis, sizeof *work->themes)))
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    char shown [12];
    for (size_t i = 0; i < draft->n_basis; i++) {
        const char *entry = draft->basis [i];
        if (!s_basis_ref (entry))
            continue;
        if (self && streq (entry, self))
            return cii_err_set (err, CII_BAD_INPUT, "basis[%zu]: %s is the recommendation itself", i, self);
        cii_rc_t rc = hub_store_rec_basis_exists (store, entry);
        if (rc == CII_NOT_FOUND)
            return cii_err_set (err, rc, "basis[%zu]: unknown %s %s", i, s_basis_kind (entry),
                                hub_requests_ref_shown (entry, shown));
        if (rc != CII_OK)
            return hub_store_fail (store, err);
        if (strncmp (entry, "CII-", 4) == 0) {
            if (!s_list_add (&work->refs, entry, strlen (entry)) || !s_list_add (&work->direct, entry, strlen (entry)))
                return cii_err_set (err, CII_NO_MEMORY, "out of memory");
        }
        else
        if (strncmp (entry, "NT-", 3) == 0) {
            s_theme_t *theme = &work->themes [work->n_themes++];
            theme->ref = entry;
            if (hub_store_themes (store, entry, NULL, 0, s_theme_row, theme) != CII_OK)
                return hub_store_fail (store, err);
            if (!theme->found)
                return cii_err_set (err, CII_NOT_FOUND, "basis[%zu]: unknown theme %s", i,
                                    hub_requests_ref_shown (entry, shown));
            if (!theme->requests)
                return cii_err_set (err, CII_NO_MEMORY, "out of memory");
            for (const char *p = theme->requests; *p;) {
                size_t len = strcspn (p, ",");
                if (len && !s_list_add (&work->refs, p, len))
                    return cii_err_set (err, CII_NO_MEMORY, "out of memory");
                p += len + (p [len] == ',');
            }
        }
    }
    return CII_OK;
}

static bool
s_in_list (const s_list_t *list, const char *s)
{
    for (size_t i = 0; i < list->count; i++)
        if (streq (list->items [i], s))
            return true;
    return false;
}

//  Locks the requests of the basis and sorts them: already recommended (they stay), moving, or (in
//  a theme only) closed and passed by. A request that may not move is refused, naming it.
static cii_rc_t
s_check_requests (hub_store_t *store, s_work_t *work, const hub_move_t *move, cii_err_t *err)
{
    if (work->refs.count == 0)
        return CII_OK;
    if (hub_store_requests_lock_refs (store, (const char *const *) work->refs.items, work->refs.count, &work->rows,
                                      &work->n_rows) != CII_OK)
        return hub_store_fail (store, err);
    if (!(work->moving = calloc (work->n_rows + 1, sizeof *work->moving)))
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < work->n_rows; i++) {
        hub_request_lock_t *row = &work->rows [i];
        const hub_state_t *state = hub_flow_state (row->state);
        if (streq (row->state, move->to)) {
            work->rows [kept++] = *row;         //  recommended already: it stays, linked
            continue;
        }
        if (state && (state->flags & HUB_STATE_CLOSED) && !s_in_list (&work->direct, row->ref))
            continue;                           //  a closed request of a theme is passed by
        cii_rc_t rc = hub_flow_check (row->ref, row->state, move, NULL, err);
        if (rc == CII_OK)
            rc = hub_flow_check_more (store, row, move, err);
        if (rc != CII_OK)
            return rc;
        work->moving [work->n_moving++] = *row;
        work->rows [kept++] = *row;
    }
    work->n_rows = kept;
    //  A theme that stands for nothing.
    for (size_t t = 0; t < work->n_themes; t++) {
        bool any = false;
        for (size_t i = 0; i < work->n_rows && !any; i++)
            any = streq (work->rows [i].theme, work->themes [t].ref);
        if (!any)
            return cii_err_set (err, CII_REFUSED, "%s has no open request", work->themes [t].ref);
    }
    return CII_OK;
}

//  The network of canton code in the registry, or NULL.
static const char *
s_network_of (const s_work_t *work, const char *code)
{
    for (size_t i = 0; i < work->n_registry; i++)
        if (streq (work->registry [i].code, code))
            return work->registry [i].network;
    return NULL;
}

static int
s_sent_cmp (const void *a, const void *b)
{
    return strcmp (((const hub_rec_sent_t *) a)->network, ((const hub_rec_sent_t *) b)->network);
}

//  The networks holding an addressed canton, each with its cantons, into out->sent (by name).
static cii_rc_t
s_networks (hub_store_t *store, s_work_t *work, hub_rec_done_t *out, cii_err_t *err)
{
    if (hub_store_cantons (store, &work->registry, &work->n_registry) != CII_OK)
        return hub_store_fail (store, err);
    for (size_t i = 0; i < work->n_cantons; i++) {
        const char *network = s_network_of (work, work->cantons [i]);
        if (!network)
            return cii_err_set (err, CII_REFUSED, "addressees.cantons: %s belongs to no network in the registry",
                                work->cantons [i]);
        size_t n = 0;
        while (n < out->n_sent && !streq (out->sent [n].network, network))
            n++;
        if (n == out->n_sent) {
            if (n == CII_CANTON_COUNT)
                return cii_err_set (err, CII_FAILED, "more networks than cantons");
            snprintf (out->sent [n].network, sizeof out->sent [n].network, "%s", network);
            out->n_sent++;
        }
        hub_rec_sent_t *sent = &out->sent [n];
        size_t used = strlen (sent->cantons);
        snprintf (sent->cantons + used, sizeof sent->cantons - used, "%s%s", used ? "," : "", work->cantons [i]);
    }
    qsort (out->sent, out->n_sent, sizeof out->sent [0], s_sent_cmp);
    return CII_OK;
}

//  Queues the RECOMMENDATION of every network in out->sent, all with one statement.
static cii_rc_t
s_deliver (hub_store_t *store, const s_work_t *work, cii_recommendation_t *rec, hub_rec_done_t *out, cii_err_t *err)
{
    char subject [HUB_MAX_REF + 32];
    snprintf (subject, sizeof subject, "recommendation:%s.v%" PRIu32, rec->ref, rec->version);
    hub_downward_item_t items [CII_CANTON_COUNT];
    uint8_t *bodies [CII_CANTON_COUNT] = { NULL };
    const char *networks [CII_CANTON_COUNT];
    int64_t recipients [CII_CANTON_COUNT];
    cii_rc_t rc = CII_OK;
    for (size_t n = 0; rc == CII_OK && n < out->n_sent; n++) {
        hub_rec_sent_t *sent = &out->sent [n];
        const char *cantons [CII_CANTON_COUNT];
        size_t count = 0;
        for (size_t i = 0; i < work->n_cantons; i++)
            if (streq (s_network_of (work, work->cantons [i]), sent->network))
                cantons [count++] = work->cantons [i];
        rec->cantons = cantons;
        rec->n_cantons = count;
        size_t size = 0;
        rc = cii_recommendation_check (rec, "recommendation", err);
        if (rc == CII_OK)
            rc = cii_wire_recommendation_pack (rec, &bodies [n], &size, err);
        if (rc != CII_OK)
            zsys_error ("hub: %s v%" PRIu32 ": the RECOMMENDATION for %s cannot be packed: %s", rec->ref, rec->version,
                        sent->network, err ? err->text : "");
        networks [n] = sent->network;
        items [n] = (hub_downward_item_t) { "recommendation", bodies [n], size, &networks [n], 1, subject };
    }
    rec->cantons = work->cantons;
    rec->n_cantons = work->n_cantons;
    if (rc == CII_OK && hub_store_downward_queue_many (store, items, out->n_sent, recipients) != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t n = 0; n < out->n_sent; n++) {
        if (rc == CII_OK)
            out->sent [n].recipients = recipients [n];
        free (bodies [n]);
    }
    return rc;
}

//  Locks the agents of every network this transaction queues for (the STATUS of the moving requests,
//  the items), in id order, before any queueing: as hub_flow_move does for a theme.
static cii_rc_t
s_lock_agents (hub_store_t *store, const s_work_t *work, const hub_rec_done_t *out, cii_err_t *err)
{
    size_t count = work->n_moving + out->n_sent;
    if (count == 0)
        return CII_OK;
    const char **networks = calloc (count, sizeof *networks);
    if (!networks)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < work->n_moving; i++)
        networks [i] = work->moving [i].network;
    for (size_t i = 0; i < out->n_sent; i++)
        networks [work->n_moving + i] = out->sent [i].network;
    cii_rc_t rc = CII_OK;
    if (hub_store_requests_lock_agents (store, networks, count) != CII_OK)
        rc = hub_store_fail (store, err);
    free (networks);
    return rc;
}

//  Publishes draft: a new recommendation (amend NULL) or version n+1 of amend.
static cii_rc_t
s_publish (hub_store_t *store, const char *amend, const hub_rec_draft_t *draft, hub_rec_done_t *out, cii_err_t *err)
{
    memset (out, 0, sizeof *out);
    cii_rc_t rc = hub_recommend_check (draft, err);
    if (rc != CII_OK)
        return rc;
    s_work_t work;
    memset (&work, 0, sizeof work);
    work.draft = draft;
    work.meeting = draft->meeting && *draft->meeting ? draft->meeting : NULL;
    for (size_t i = 0; draft->all_cantons && i < CII_CANTON_COUNT; i++)
        work.cantons [work.n_cantons++] = cii_domain_canton_at (i);
    for (size_t i = 0; !draft->all_cantons && i < draft->n_cantons; i++)
        work.cantons [work.n_cantons++] = draft->cantons [i];
    qsort (work.cantons, work.n_cantons, sizeof work.cantons [0], s_strcmp);
    int year = 0;
    cii_domain_date_valid (draft->adopted_on, &year);

    bool own = false;
    if (hub_store_tx_begin (store, "recommend", &own) != CII_OK)
        return hub_store_fail (store, err);
    char shown [12];
    hub_rec_lock_t lock;
    memset (&lock, 0, sizeof lock);
    if (amend) {
        rc = hub_store_rec_lock (store, amend, &lock);
        if (rc == CII_NOT_FOUND)
            cii_err_set (err, rc, "unknown recommendation %s", hub_requests_ref_shown (amend, shown));
        else
        if (rc != CII_OK)
            hub_store_fail (store, err);
        if (rc == CII_OK && strcmp (draft->adopted_on, lock.adopted_on) < 0)
            rc = cii_err_set (err, CII_BAD_INPUT, "adopted_on: %s is before version %" PRIu32 "'s adoption on %s",
                              draft->adopted_on, lock.version, lock.adopted_on);
    }
    if (rc == CII_OK)
        rc = s_check_meeting (store, &work, err);
    if (rc == CII_OK)
        rc = s_check_partners (store, &work, err);
    if (rc == CII_OK)
        rc = s_resolve_basis (store, &work, amend ? lock.ref : NULL, err);
    hub_move_t move = { .to = "recommended", .organ = "cp", .by = HUB_BY_RECOMMEND, .meeting = work.meeting };
    if (rc == CII_OK)
        rc = s_check_requests (store, &work, &move, err);
    if (rc == CII_OK)
        rc = s_networks (store, &work, out, err);
    //  Checked: the reference, the version, the links.
    int64_t id = lock.id;
    if (rc == CII_OK && !amend && hub_store_rec_add (store, year, work.meeting, out->ref, &id) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && amend)
        snprintf (out->ref, sizeof out->ref, "%s", lock.ref);
    out->version = amend ? lock.version + 1 : 1;
    cii_recommendation_t rec;
    memset (&rec, 0, sizeof rec);
    rec.ref = out->ref;
    rec.version = out->version;
    for (size_t i = 0; i < HUB_REC_LANGUAGES; i++)
        if (draft->title [i]) {
            cii_translation_t *t = &rec.translations [rec.n_translations++];
            snprintf (t->language, sizeof t->language, "%s", s_languages [i]);
            t->title = draft->title [i];
            t->text = draft->text [i];
        }
    rec.adopted_on = draft->adopted_on;
    rec.report_by = draft->report_by;
    rec.basis = draft->basis;
    rec.n_basis = draft->n_basis;
    rec.cantons = work.cantons;
    rec.n_cantons = work.n_cantons;
    rec.partners = draft->partners;
    rec.n_partners = draft->n_partners;
    rec.all_cantons = draft->all_cantons;
    rec.note = draft->note ? draft->note : "";
    if (rc == CII_OK && hub_store_rec_version_add (store, id, &rec, work.meeting, &rec.issued_at_ms) != CII_OK)
        rc = hub_store_fail (store, err);
    for (size_t i = 0; rc == CII_OK && i < work.n_rows; i++)
        if (hub_store_rec_link (store, id, work.rows [i].id) != CII_OK)
            rc = hub_store_fail (store, err);
    //  Down: the items, then the STATUS of the requests that move (which names the recommendation).
    if (rc == CII_OK)
        rc = s_lock_agents (store, &work, out, err);
    if (rc == CII_OK)
        rc = s_deliver (store, &work, &rec, out, err);
    char note [CII_MAX_TITLE + 64];
    if (amend)
        snprintf (note, sizeof note, "recommendation %s v%" PRIu32 ": %s", out->ref, out->version, draft->title [0]);
    else
        snprintf (note, sizeof note, "recommendation %s: %s", out->ref, draft->title [0]);
    move.note = note;
    if (rc == CII_OK && work.n_moving > 0)
        rc = hub_flow_move (store, work.moving, work.n_moving, &move, 0, NULL, err);
    for (size_t t = 0; rc == CII_OK && t < work.n_themes; t++)
        if (hub_store_theme_state (store, work.themes [t].id, move.to) != CII_OK)
            rc = hub_store_fail (store, err);
    if (rc == CII_OK && work.n_rows && !(out->requests = calloc (work.n_rows, sizeof *out->requests)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (hub_store_tx_end (store, "recommend", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK) {
        snprintf (out->adopted_on, sizeof out->adopted_on, "%s", draft->adopted_on);
        snprintf (out->report_by, sizeof out->report_by, "%s", draft->report_by);
        snprintf (out->meeting, sizeof out->meeting, "%s", work.meeting ? work.meeting : "");
        out->issued_at_ms = rec.issued_at_ms;
        for (size_t i = 0; i < work.n_rows; i++) {
            snprintf (out->requests [i].ref, sizeof out->requests [i].ref, "%s", work.rows [i].ref);
            snprintf (out->requests [i].from, sizeof out->requests [i].from, "%s", work.rows [i].state);
        }
        out->count = work.n_rows;
        int64_t agents = 0;
        for (size_t n = 0; n < out->n_sent; n++)
            agents += out->sent [n].recipients;
        zsys_info ("hub: %s v%" PRIu32 " %s: %zu canton%s, %zu partner%s, %zu network%s (%" PRId64 " agent%s), "
                   "%zu request%s moved to recommended", out->ref, out->version, amend ? "amended" : "published",
                   work.n_cantons, work.n_cantons == 1 ? "" : "s", draft->n_partners, draft->n_partners == 1 ? "" : "s",
                   out->n_sent, out->n_sent == 1 ? "" : "s", agents, agents == 1 ? "" : "s", work.n_moving,
                   work.n_moving == 1 ? "" : "s");
    }
    else {
        hub_rec_done_clear (out);
        memset (out, 0, sizeof *out);
    }
    s_work_clear (&work);
    return rc;
}

cii_rc_t
hub_recommend_publish (hub_store_t *store, const hub_rec_draft_t *draft, hub_rec_done_t *out, cii_err_t *err)
{
    assert (store && draft && out);
    return s_publish (store, NULL, draft, out, err);
}

cii_rc_t
hub_recommend_amend (hub_store_t *store, const char *ref, const hub_rec_draft_t *draft, hub_rec_done_t *out,
                     cii_err_t *err)
{
    assert (store && draft && out);
    char shown [12];
    if (!ref || !cii_domain_rec_ref_valid (ref)) {
        memset (out, 0, sizeof *out);
        return cii_err_set (err, CII_NOT_FOUND, "unknown recommendation %s", hub_requests_ref_shown (ref, shown));
    }
    return s_publish (store, ref, draft, out, err);
}

//  --------------------------------------------------------------------------------------------
//  Listings and partners

cii_rc_t
hub_recommend_list (hub_store_t *store, hub_rec_row_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    if (hub_store_recs (store, NULL, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

typedef struct {
    const hub_rec_visitor_t *visitor;
    void *arg;
    int64_t id;
    bool found;
} s_show_t;

static bool
s_show_rec (const hub_rec_row_t *row, void *arg)
{
    s_show_t *show = arg;
    show->id = row->id;
    show->found = true;
    if (show->visitor->rec)
        show->visitor->rec (row, show->arg);
    return false;
}

cii_rc_t
hub_recommend_show (hub_store_t *store, const char *ref, const hub_rec_visitor_t *visitor, void *arg, cii_err_t *err)
{
    assert (store && visitor);
    char shown [12];
    if (!ref || !cii_domain_rec_ref_valid (ref))
        return cii_err_set (err, CII_NOT_FOUND, "unknown recommendation %s", hub_requests_ref_shown (ref, shown));
    s_show_t show = { visitor, arg, 0, false };
    //  One snapshot: the versions and counts as of the recommendation read.
    bool own = false;
    if (hub_store_tx_begin (store, "show recommendation", &own) != CII_OK)
        return hub_store_fail (store, err);
    cii_rc_t rc = CII_OK;
    if (hub_store_recs (store, ref, s_show_rec, &show) != CII_OK)
        rc = hub_store_fail (store, err);
    else
    if (!show.found)
        rc = cii_err_set (err, CII_NOT_FOUND, "unknown recommendation %s", hub_requests_ref_shown (ref, shown));
    if (rc == CII_OK && visitor->version && hub_store_rec_versions (store, show.id, visitor->version, arg) != CII_OK)
        rc = hub_store_fail (store, err);
    if (rc == CII_OK && visitor->delivery
    &&  hub_store_rec_deliveries (store, show.id, ref, visitor->delivery, arg) != CII_OK)
        rc = hub_store_fail (store, err);
    if (hub_store_tx_end (store, "show recommendation", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    return rc;
}

cii_rc_t
hub_recommend_partners (hub_store_t *store, hub_partner_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    if (hub_store_partners (store, fn, arg) != CII_OK)
        return hub_store_fail (store, err);
    return CII_OK;
}

cii_rc_t
hub_recommend_partner_add (hub_store_t *store, const char *code, const char *name, cii_err_t *err)
{
    assert (store);
    char shown [24];
    if (!s_partner_code_valid (code))
        return cii_err_set (err, CII_BAD_INPUT, "the partner code must be 1..32 letters, digits or '-', starting with a "
                            "letter (got \"%s\")", cii_domain_shown (code, shown));
    size_t len = name ? strlen (name) : 0;
    if (len < 1 || len > CII_MAX_TITLE || !cii_domain_line_valid (name, len) || s_blank (name))
        return cii_err_set (err, CII_BAD_INPUT, "the name must be one line of UTF-8 text of 1..%d bytes (got %zu bytes)",
                            CII_MAX_TITLE, len);
    cii_rc_t rc = hub_store_partner_add (store, code, name);
    if (rc == CII_CONFLICT)
        return cii_err_set (err, rc, "partner %s exists already", code);
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    zsys_info ("hub: partner %s added", code);
    return CII_OK;
}
