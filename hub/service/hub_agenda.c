/*  hub_agenda.c — the agenda builder, publication and minutes of CDC and CP meetings (see
    hub_agenda.h): which request waits for which organ and why, the order of the items, a theme
    standing for its requests, the agenda as text, and the minutes' all-or-none transaction. */
#include "hub_agenda.h"
#include "hub_monitor.h"
#include "hub_notices.h"
#include "hub_requests.h"
#include "hub_store_agenda.h"

#include <assert.h>
#include <czmq.h>
#include <jansson.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cii_domain.h"
#include "cii_json.h"

//  The organs an item waits for, as a mask.
#define S_CDC 0x1u
#define S_CP  0x2u

//  The states in which a request may wait for an organ (s_waits_for says for which).
static const char *const s_waiting_states [] = {
    "admissible", "scheduled", "deferred", "returned-to-cdc", "referred-to-cp", "wg-reported",
};

//  --------------------------------------------------------------------------------------------
//  Small strings

//  Appends a formatted text to the heap string *s (NULL: a new one). False out of memory.
static bool s_append (char **s, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static bool
s_append (char **s, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int add = vsnprintf (NULL, 0, format, args);
    va_end (args);
    if (add < 0)
        return false;
    size_t had = *s ? strlen (*s) : 0;
    char *grown = realloc (*s, had + (size_t) add + 1);
    if (!grown)
        return false;
    va_start (args, format);
    vsnprintf (grown + had, (size_t) add + 1, format, args);
    va_end (args);
    *s = grown;
    return true;
}

//  A growing text whose length is known (the agenda as text: thousands of appends).
typedef struct {
    char *text;
    size_t len;
    size_t cap;
} s_text_t;

static bool
s_text_add (s_text_t *t, const char *part, size_t len)
{
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + len + 1 > cap)
            cap *= 2;
        char *grown = realloc (t->text, cap);
        if (!grown)
            return false;
        t->text = grown;
        t->cap = cap;
    }
    memcpy (t->text + t->len, part, len);
    t->len += len;
    t->text [t->len] = 0;
    return true;
}

//  Adds the entries of comma list `more` to the sorted comma list *list (no repeats); *n its count.
static bool
s_set_add (char **list, int *n, const char *more)
{
    const char *entries [128];
    size_t count = 0;
    char *copy = strdup (*list ? *list : "");
    char *extra = strdup (more ? more : "");
    bool ok = copy && extra;
    for (char *p = copy, *e; ok && p && *p; p = e ? e + 1 : NULL) {
        if ((e = strchr (p, ',')))
            *e = 0;
        if (*p && count < 128)
            entries [count++] = p;
    }
    for (char *p = extra, *e; ok && p && *p; p = e ? e + 1 : NULL) {
        if ((e = strchr (p, ',')))
            *e = 0;
        bool seen = false;
        for (size_t i = 0; i < count && !seen; i++)
            seen = streq (entries [i], p);
        if (!seen && *p && count < 128) {
            //  Sorted insertion.
            size_t at = count;
            while (at > 0 && strcmp (entries [at - 1], p) > 0) {
                entries [at] = entries [at - 1];
                at--;
            }
            entries [at] = p;
            count++;
        }
    }
    char *joined = NULL;
    for (size_t i = 0; ok && i < count; i++)
        ok = s_append (&joined, "%s%s", i ? "," : "", entries [i]);
    if (ok && !joined)
        ok = (joined = strdup ("")) != NULL;
    free (copy);
    free (extra);
    if (!ok) {
        free (joined);
        return false;
    }
    free (*list);
    *list = joined;
    *n = (int) count;
    return true;
}

//  Keeps in comma list *have only the entries also in `other`.
static bool
s_intersect (char **have, const char *other)
{
    char *copy = strdup (*have ? *have : "");
    if (!copy)
        return false;
    char *kept = strdup ("");
    bool ok = kept != NULL;
    size_t olen = strlen (other);
    for (char *p = copy, *e; ok && p && *p; p = e ? e + 1 : NULL) {
        if ((e = strchr (p, ',')))
            *e = 0;
        size_t len = strlen (p);
        bool in = false;
        for (const char *q = other; !in && (q = strstr (q, p)); q += len)
            in = (q == other || q [-1] == ',') && (q + len == other + olen || q [len] == ',');
        if (in)
            ok = s_append (&kept, "%s%s", *kept ? "," : "", p);
    }
    free (copy);
    if (!ok) {
        free (kept);
        return false;
    }
    free (*have);
    *have = kept;
    return true;
}

//  "C1,C2" as "C1, C2" (into a new string), "none" when empty.
static char *
s_spaced (const char *list, const char *none)
{
    if (!list || !*list)
        return strdup (none);
    char *out = NULL;
    for (const char *p = list; *p; p++)
        if (!s_append (&out, *p == ',' ? ", " : "%c", *p)) {
            free (out);
            return NULL;
        }
    return out;
}

//  --------------------------------------------------------------------------------------------
//  Who a request waits for, and why

//  The organs request row waits for (0: none).
static unsigned
s_waits_for (const hub_agenda_row_t *row)
{
    if (streq (row->state, "admissible") || streq (row->state, "returned-to-cdc"))
        return S_CDC;
    if (streq (row->state, "scheduled"))
        return S_CDC | S_CP;
    if (streq (row->state, "referred-to-cp"))
        return S_CP;
    if (streq (row->state, "deferred"))
        return streq (row->last_organ, "cp") ? S_CP : S_CDC;
    if (streq (row->state, "wg-reported"))
        return streq (row->mandated_by, "cp") ? S_CP : streq (row->mandated_by, "cdc") ? S_CDC : 0;
    return 0;
}

//  Why row is on an agenda of the organs `mask` (the meeting's and those it waits for): a new string.
static char *
s_why (const hub_agenda_row_t *row, unsigned mask)
{
    char in [HUB_MAX_REF + 8] = "";
    if (*row->last_meeting)
        snprintf (in, sizeof in, " in %s", row->last_meeting);
    char *why = NULL;
    bool ok;
    if (streq (row->state, "admissible"))
        ok = s_append (&why, "admissible since %s, not yet discussed (the bureau schedules it)", row->since);
    else
    if (streq (row->state, "scheduled"))
        ok = mask == S_CP ? s_append (&why, "scheduled by the bureau on %s: sent straight on to the CP", row->since)
                          : s_append (&why, "scheduled by the bureau on %s", row->since);
    else
    if (streq (row->state, "deferred"))
        ok = s_append (&why, "deferred by the %s on %s%s: back for a later agenda (the bureau schedules it again)",
                       row->last_organ, row->since, in);
    else
    if (streq (row->state, "returned-to-cdc"))
        ok = s_append (&why, "returned to the CDC by the CP on %s%s", row->since, in);
    else
    if (streq (row->state, "referred-to-cp"))
        ok = s_append (&why, "referred to the CP by the CDC on %s%s", row->since, in);
    else
        ok = s_append (&why, "its working group, mandated by the %s, reported on %s", row->mandated_by, row->since);
    if (!ok) {
        free (why);
        return NULL;
    }
    return why;
}

//  --------------------------------------------------------------------------------------------
//  Building

void
hub_agenda_clear (hub_agenda_t *agenda)
{
    if (!agenda)
        return;
    for (size_t i = 0; i < agenda->count; i++) {
        hub_agenda_item_t *item = &agenda->items [i];
        free (item->title);
        free (item->networks);
        free (item->cantons);
        free (item->criteria_met);
        free (item->why);
        free (item->requests);
    }
    free (agenda->items);
    agenda->items = NULL;
    agenda->count = 0;
}

typedef struct {
    hub_agenda_t *agenda;
    size_t capacity;
    unsigned mask;                  //  the meeting's organs
    int64_t theme_id;               //  the theme of the last item (0: a request)
    bool failed;
} s_builder_t;

static void
s_organs (hub_agenda_item_t *item, unsigned waits)
{
    unsigned had = (strstr (item->organs, "cdc") ? S_CDC : 0) | (strstr (item->organs, "cp") ? S_CP : 0);
    had |= waits;
    snprintf (item->organs, sizeof item->organs, "%s", had == (S_CDC | S_CP) ? "cdc,cp" : had == S_CP ? "cp" : "cdc");
}

static bool
s_candidate (const hub_agenda_row_t *row, void *arg)
{
    s_builder_t *b = arg;
    unsigned waits = s_waits_for (row) & b->mask;
    if (waits == 0)
        return true;
    hub_agenda_t *agenda = b->agenda;
    char *why = s_why (row, waits);
    bool ok = why != NULL;
    if (ok && row->theme_id && row->theme_id == b->theme_id) {
        //  One more request of the theme of the last item.
        hub_agenda_item_t *item = &agenda->items [agenda->count - 1];
        ok = s_set_add (&item->networks, &item->n_networks, row->network)
          && s_set_add (&item->cantons, &item->n_cantons, row->cantons)
          && s_intersect (&item->criteria_met, row->criteria_met)
          && s_append (&item->requests, ",%s", row->ref)
          && s_append (&item->why, "; %s (%s)", row->ref, why);
        if (row->waiting_days > item->waiting_days)
            item->waiting_days = row->waiting_days;
        s_organs (item, waits);
        free (why);
        b->failed = !ok;
        return ok;
    }
    if (agenda->count == b->capacity) {
        size_t bigger = b->capacity ? b->capacity * 2 : 64;
        hub_agenda_item_t *grown = realloc (agenda->items, bigger * sizeof *grown);
        if (!grown) {
            free (why);
            b->failed = true;
            return false;
        }
        agenda->items = grown;
        b->capacity = bigger;
    }
    hub_agenda_item_t *item = &agenda->items [agenda->count++];
    memset (item, 0, sizeof *item);
    bool theme = row->theme_id != 0;
    snprintf (item->ref, sizeof item->ref, "%s", theme ? row->theme : row->ref);
    item->kind = theme ? "theme" : "request";
    item->title = strdup (theme ? row->theme_title : row->title);
    item->criteria_met = strdup (row->criteria_met);
    item->requests = strdup (row->ref);
    item->waiting_days = row->waiting_days;
    ok = ok && item->title && item->criteria_met && item->requests
      && s_set_add (&item->networks, &item->n_networks, row->network)
      && s_set_add (&item->cantons, &item->n_cantons, row->cantons);
    if (ok && theme)
        ok = s_append (&item->why, "its requests on the agenda: %s (%s)", row->ref, why);
    else
    if (ok) {
        item->why = why;
        why = NULL;
    }
    free (why);
    s_organs (item, waits);
    b->theme_id = row->theme_id;
    b->failed = !ok;
    return ok;
}

//  Broadest first: networks, then cantons, then waiting time; then by reference.
static int
s_order (const void *a, const void *b)
{
    const hub_agenda_item_t *x = a, *y = b;
    if (x->n_networks != y->n_networks)
        return x->n_networks > y->n_networks ? -1 : 1;
    if (x->n_cantons != y->n_cantons)
        return x->n_cantons > y->n_cantons ? -1 : 1;
    if (x->waiting_days != y->waiting_days)
        return x->waiting_days > y->waiting_days ? -1 : 1;
    return strcmp (x->ref, y->ref);
}

//  The overdue cantons of recommendation r (its cells from index first on) and their networks into
//  item's sorted comma lists (s_set_add).
static bool
s_overdue_of (const hub_monitor_t *m, size_t r, size_t first, hub_agenda_item_t *item)
{
    bool ok = true;
    for (size_t k = first; ok && k < m->count && m->cells [k].rec == r; k++)
        if (m->cells [k].overdue)
            ok = s_set_add (&item->cantons, &item->n_cantons, m->cells [k].canton)
              && s_set_add (&item->networks, &item->n_networks, m->cells [k].network);
    return ok;
}

cii_rc_t
hub_agenda_monitoring_items (hub_store_t *store, hub_agenda_t *agenda, cii_err_t *err)
{
    //  The CDC follows the implementation of recommendations (plan 3.4): one item per recommendation
    //  with cantons past its report date without a final report, on its agendas and joint ones.
    if (!agenda->meeting.joint && !streq (agenda->meeting.organ, "cdc"))
        return CII_OK;
    hub_monitor_t m;
    hub_monitor_filter_t filter = { NULL, NULL, true };
    cii_rc_t rc = hub_monitor_build (store, &filter, &m, err);
    if (rc != CII_OK || m.n_recs == 0) {
        hub_monitor_clear (&m);
        return rc;
    }
    hub_agenda_item_t *grown = realloc (agenda->items, (agenda->count + m.n_recs) * sizeof *grown);
    bool ok = grown != NULL;
    if (ok)
        agenda->items = grown;
    for (size_t r = 0, c = 0; ok && r < m.n_recs; r++) {
        const hub_monitor_rec_t *rec = &m.recs [r];
        while (c < m.count && m.cells [c].rec < r)
            c++;
        hub_agenda_item_t *item = &agenda->items [agenda->count++];
        memset (item, 0, sizeof *item);
        snprintf (item->ref, sizeof item->ref, "%s", rec->ref);
        item->kind = "recommendation";
        snprintf (item->organs, sizeof item->organs, "cdc");
        item->waiting_days = rec->days_past;
        char *cantons = NULL;
        ok = (item->title = strdup (rec->title)) && (item->criteria_met = strdup ("")) && (item->requests = strdup (""))
          && s_overdue_of (&m, r, c, item) && (cantons = s_spaced (item->cantons, "-"))
          && s_append (&item->why, "report due %s: %d of %d canton%s overdue (%s)", rec->report_by, rec->overdue,
                       rec->addressed, rec->addressed == 1 ? "" : "s", cantons);
        free (cantons);
    }
    hub_monitor_clear (&m);
    if (!ok)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    return CII_OK;
}

//  The agenda of meeting ref; past meetings refused when `past` is false.
static cii_rc_t
s_build (hub_store_t *store, const char *ref, bool past, hub_agenda_t *out, cii_err_t *err)
{
    assert (store && ref && out);
    memset (out, 0, sizeof *out);
    cii_rc_t rc = hub_meeting_find (store, ref, &out->meeting, err);
    if (rc != CII_OK)
        return rc;
    if (hub_store_agenda_today (store, out->today) != CII_OK)
        return hub_store_fail (store, err);
    if (!past && strcmp (out->meeting.date, out->today) < 0)
        return cii_err_set (err, CII_REFUSED, "%s met on %s, in the past: its agenda can no longer be built (today is "
                            "%s)", out->meeting.ref, out->meeting.date, out->today);
    s_builder_t builder = { out, 0, 0, 0, false };
    builder.mask = out->meeting.joint ? S_CDC | S_CP : streq (out->meeting.organ, "cp") ? S_CP : S_CDC;
    size_t n = sizeof s_waiting_states / sizeof s_waiting_states [0];
    if (hub_store_agenda_candidates (store, s_waiting_states, n, s_candidate, &builder) != CII_OK)
        rc = hub_store_fail (store, err);
    else
    if (builder.failed)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc == CII_OK)
        rc = hub_agenda_monitoring_items (store, out, err);
    if (rc != CII_OK) {
        hub_agenda_clear (out);
        return rc;
    }
    if (out->count > 1)
        qsort (out->items, out->count, sizeof *out->items, s_order);
    return CII_OK;
}

cii_rc_t
hub_agenda_build (hub_store_t *store, const char *ref, hub_agenda_t *out, cii_err_t *err)
{
    return s_build (store, ref, false, out, err);
}

cii_rc_t
hub_agenda_build_any (hub_store_t *store, const char *ref, hub_agenda_t *out, cii_err_t *err)
{
    return s_build (store, ref, true, out, err);
}

//  --------------------------------------------------------------------------------------------
//  Text and publication

//  "meeting of the CDC" / "joint meeting of the CDC and the CP".
static const char *
s_meeting_words (const hub_meeting_t *m)
{
    return m->joint ? "joint meeting of the CDC and the CP" : streq (m->organ, "cp") ? "meeting of the CP"
                                                                                     : "meeting of the CDC";
}

char *
hub_agenda_text (const hub_agenda_t *agenda, size_t max_bytes)
{
    assert (agenda);
    s_text_t t = { NULL, 0, 0 };
    char *part = NULL;
    bool ok = s_append (&part, "Agenda of %s, %s on %s (built on %s): %zu item%s\n", agenda->meeting.ref,
                        s_meeting_words (&agenda->meeting), agenda->meeting.date, agenda->today, agenda->count,
                        agenda->count == 1 ? "" : "s")
           && (agenda->count > 0 || s_append (&part, "\nNothing waits for this meeting.\n"))
           && s_text_add (&t, part, strlen (part));
    free (part);
    //  Room kept for the last line that counts what did not fit.
    const size_t reserve = 96;
    for (size_t i = 0; ok && i < agenda->count; i++) {
        const hub_agenda_item_t *item = &agenda->items [i];
        char *networks = s_spaced (item->networks, "-"), *cantons = s_spaced (item->cantons, "-");
        char *criteria = s_spaced (item->criteria_met, "none");
        char *block = NULL;
        ok = networks && cantons && criteria
          && s_append (&block, "\n%zu. %s (%s): %s\n   networks: %s; cantons: %s; criteria met: %s; waiting %d "
                       "day%s\n   why: %s\n", i + 1, item->ref, item->kind, item->title, networks, cantons,
                       criteria, item->waiting_days, item->waiting_days == 1 ? "" : "s", item->why);
        free (networks);
        free (cantons);
        free (criteria);
        size_t len = block ? strlen (block) : 0;
        if (ok && max_bytes && t.len + len + reserve > max_bytes) {
            free (block);
            block = NULL;
            size_t left = agenda->count - i;
            ok = s_append (&block, "\n... and %zu more item%s: the bureau holds the whole agenda.\n", left,
                           left == 1 ? "" : "s")
              && s_text_add (&t, block, strlen (block));
            free (block);
            break;
        }
        ok = ok && s_text_add (&t, block, len);
        free (block);
    }
    if (!ok) {
        free (t.text);
        return NULL;
    }
    return t.text;
}

//  What a publication is compared on: "REF|organs|why" per item (not the waiting days, which grow).
static char *
s_content (const hub_agenda_t *agenda)
{
    char *content = strdup ("");
    for (size_t i = 0; content && i < agenda->count; i++)
        if (!s_append (&content, "%s|%s|%s\n", agenda->items [i].ref, agenda->items [i].organs, agenda->items [i].why)) {
            free (content);
            content = NULL;
        }
    return content;
}

cii_rc_t
hub_agenda_publish (hub_store_t *store, const char *ref, hub_agenda_t *agenda, hub_agenda_published_t *out,
                    cii_err_t *err)
{
    assert (store && ref && agenda && out);
    memset (out, 0, sizeof *out);
    cii_rc_t rc = hub_agenda_build (store, ref, agenda, err);
    if (rc != CII_OK)
        return rc;
    char *content = s_content (agenda);
    char *text = hub_agenda_text (agenda, CII_MAX_TEXT);
    if (!content || !text) {
        free (content);
        free (text);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    bool own = false;
    if (hub_store_tx_begin (store, "agenda", &own) != CII_OK) {
        free (content);
        free (text);
        return hub_store_fail (store, err);
    }
    hub_agenda_publication_t before;
    rc = hub_store_agenda_publication (store, agenda->meeting.ref, &before);
    bool published = rc == CII_OK;
    if (rc == CII_NOT_FOUND)
        rc = CII_OK;
    if (rc != CII_OK)
        hub_store_fail (store, err);
    if (rc == CII_OK && published && streq (before.content, content)) {
        //  Unchanged: already sent.
        out->notice_id = before.notice_id;
        out->times = before.times;
        out->published_at_ms = before.published_at_ms;
    }
    else
    if (rc == CII_OK) {
        char title [CII_MAX_TITLE + 1];
        snprintf (title, sizeof title, "Agenda %s%s: %s on %s", agenda->meeting.ref, published ? " (updated)" : "",
                  s_meeting_words (&agenda->meeting), agenda->meeting.date);
        cii_notice_t notice;
        memset (&notice, 0, sizeof notice);
        notice.title = title;
        notice.text = text;
        hub_notice_sent_t sent;
        rc = hub_notices_send (store, &notice, &sent, err);
        if (rc == CII_OK && hub_store_agenda_published (store, agenda->meeting.ref, content, (int) agenda->count,
                                                        sent.id, &out->published_at_ms) != CII_OK)
            rc = hub_store_fail (store, err);
        if (rc == CII_OK) {
            out->sent = true;
            out->changed = published;
            out->notice_id = sent.id;
            out->recipients = sent.recipients;
            out->times = published ? before.times + 1 : 1;
        }
    }
    free (before.content);
    free (content);
    free (text);
    if (hub_store_tx_end (store, "agenda", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        memset (out, 0, sizeof *out);
        return rc;
    }
    if (out->sent)
        zsys_info ("hub: agenda %s (%zu items) %s as notice %" PRId64 " for %" PRId64 " agents", agenda->meeting.ref,
                   agenda->count, out->changed ? "published again, changed," : "published", out->notice_id,
                   out->recipients);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Minutes

void
hub_minutes_clear (hub_minutes_t *minutes)
{
    if (!minutes)
        return;
    for (size_t i = 0; i < minutes->count; i++)
        hub_decision_clear (&minutes->decisions [i]);
    free (minutes->decisions);
    minutes->decisions = NULL;
    minutes->count = 0;
}

cii_rc_t
hub_minutes_parse (const char *name, const char *text, size_t size, hub_minutes_file_t *out, cii_err_t *err)
{
    assert (text && out);
    memset (out, 0, sizeof *out);
    if (size > HUB_MINUTES_MAX_BYTES)
        return cii_err_set (err, CII_BAD_INPUT, "%s%sthe minutes are larger than %d bytes", name ? name : "",
                            name ? ": " : "", HUB_MINUTES_MAX_BYTES);
    json_t *doc = cii_json_parse (text, size, err);
    if (!doc) {
        if (name)
            cii_err_prefix (err, "%s", name);
        return CII_BAD_INPUT;
    }
    cii_rc_t rc = CII_OK;
    if (!json_is_array (doc))
        rc = cii_err_set (err, CII_BAD_INPUT, "the minutes must be a JSON array of {\"ref\", \"to\", \"organ\", "
                          "\"note\"} objects");
    else
    if (json_array_size (doc) > HUB_MINUTES_MAX_ITEMS)
        rc = cii_err_set (err, CII_BAD_INPUT, "at most %d items in the minutes (got %zu)", HUB_MINUTES_MAX_ITEMS,
                          json_array_size (doc));
    else
    if (!(out->outcomes = calloc (json_array_size (doc) + 1, sizeof *out->outcomes)))
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    static const char *const keys [] = { "ref", "to", "organ", "note" };
    size_t index;
    json_t *item;
    if (rc == CII_OK)
        json_array_foreach (doc, index, item) {
            if (!json_is_object (item)) {
                rc = cii_err_set (err, CII_BAD_INPUT, "item %zu: not an object", index + 1);
                break;
            }
            const char *key;
            json_t *value;
            json_object_foreach (item, key, value) {
                bool known = false;
                for (size_t k = 0; k < sizeof keys / sizeof keys [0] && !known; k++)
                    known = streq (key, keys [k]);
                char shown [12];
                if (!known)
                    rc = cii_err_set (err, CII_BAD_INPUT, "item %zu: unknown key \"%s\" (ref, to, organ, note)",
                                      index + 1, cii_domain_sanitize (key, shown));
                else
                if (!json_is_string (value))
                    rc = cii_err_set (err, CII_BAD_INPUT, "item %zu: \"%s\" must be a string", index + 1, key);
                if (rc != CII_OK)
                    break;
            }
            if (rc != CII_OK)
                break;
            out->outcomes [index] = (hub_outcome_t) {
                .ref = json_string_value (json_object_get (item, "ref")),
                .to = json_string_value (json_object_get (item, "to")),
                .organ = json_string_value (json_object_get (item, "organ")),
                .note = json_string_value (json_object_get (item, "note")),
            };
            out->count = index + 1;
        }
    out->doc = doc;
    if (rc != CII_OK)
        hub_minutes_file_clear (out);
    return rc;
}

void
hub_minutes_file_clear (hub_minutes_file_t *file)
{
    if (!file)
        return;
    free (file->outcomes);
    json_decref ((json_t *) file->doc);
    memset (file, 0, sizeof *file);
}

//  True if ref is an item of agenda, or a request of one.
static bool
s_on_agenda (const hub_agenda_t *agenda, const char *ref)
{
    size_t len = strlen (ref);
    for (size_t i = 0; i < agenda->count; i++) {
        const hub_agenda_item_t *item = &agenda->items [i];
        if (streq (item->ref, ref))
            return true;
        for (const char *q = item->requests; q && (q = strstr (q, ref)); q += len)
            if ((q == item->requests || q [-1] == ',') && (q [len] == 0 || q [len] == ','))
                return true;
    }
    return false;
}

//  Checks outcome i (0-based) against the meeting and its agenda: CII_OK, or the refusal (without the
//  "item N (REF): " prefix).
static cii_rc_t
s_check_outcome (hub_store_t *store, const hub_agenda_t *agenda, const hub_outcome_t *outcomes, size_t i,
                 const char **organ_p, cii_err_t *err)
{
    const hub_outcome_t *o = &outcomes [i];
    const hub_meeting_t *m = &agenda->meeting;
    char shown [12], organ_shown [12];
    if (!o->ref || !*o->ref || !o->to || !*o->to)
        return cii_err_set (err, CII_BAD_INPUT, "\"ref\" and \"to\" are required");
    const char *organ = o->organ;
    const char *organ_name = organ && cii_domain_state_name_valid (organ) ? organ
                                                                           : cii_domain_sanitize (organ, organ_shown);
    if (m->joint) {
        if (!organ || (!streq (organ, "cdc") && !streq (organ, "cp")))
            return cii_err_set (err, CII_BAD_INPUT, "%s is a joint meeting: each item needs \"organ\": \"cdc\" or "
                                "\"cp\"%s%s%s", m->ref, organ ? " (got \"" : "", organ ? organ_name : "",
                                organ ? "\")" : "");
    }
    else {
        if (organ && !streq (organ, m->organ))
            return cii_err_set (err, CII_BAD_INPUT, "%s is a meeting of the %s: \"organ\" must be %s (got \"%s\")",
                                m->ref, m->organ, m->organ, organ_name);
        organ = m->organ;
    }
    *organ_p = organ;
    for (size_t j = 0; j < i; j++)
        if (outcomes [j].ref && streq (outcomes [j].ref, o->ref))
            return cii_err_set (err, CII_BAD_INPUT, "it is already item %zu: one outcome per item", j + 1);
    for (size_t j = 0; j < agenda->count; j++)
        if (streq (agenda->items [j].ref, o->ref) && streq (agenda->items [j].kind, "recommendation"))
            return cii_err_set (err, CII_REFUSED, "%s is on the agenda for its overdue reports: minutes record "
                                "outcomes of requests and themes, not of recommendations", o->ref);
    if (s_on_agenda (agenda, o->ref))
        return CII_OK;
    const char *who = hub_requests_ref_shown (o->ref, shown);
    if (strncmp (o->ref, "NT-", 3) == 0)
        return cii_err_set (err, CII_REFUSED, "%s is not on the agenda of %s", who, m->ref);
    char state [CII_MAX_STATE + 1];
    cii_rc_t rc = hub_store_agenda_request_state (store, o->ref, state, sizeof state);
    if (rc == CII_NOT_FOUND)
        return cii_err_set (err, CII_NOT_FOUND, "unknown request %s", who);
    if (rc != CII_OK)
        return hub_store_fail (store, err);
    const hub_state_t *s = hub_flow_state (state);
    if (s && (s->flags & HUB_STATE_CLOSED))
        return cii_err_set (err, CII_REFUSED, "%s is %s, which is final: it is closed", who, state);
    return cii_err_set (err, CII_REFUSED, "%s is not on the agenda of %s (it is %s)", who, m->ref, state);
}

//  An item the bureau has not yet scheduled (admissible, deferred: on the agenda because it waits
//  for the organ) is scheduled for this meeting first, by the bureau, so that the meeting's outcome
//  is a move the table allows (scheduled -> answered, ...): only when the outcome is not allowed
//  from the item's state as it is, and is from scheduled.
static cii_rc_t
s_schedule_first (hub_store_t *store, const hub_agenda_t *agenda, const hub_outcome_t *o, const char *organ,
                  cii_err_t *err)
{
    //  A theme's requests share its state: the first of its requests on the agenda tells it
    const char *request = o->ref;
    char first [HUB_MAX_REF];
    for (size_t i = 0; i < agenda->count; i++)
        if (streq (agenda->items [i].ref, o->ref) && strcmp (agenda->items [i].kind, "theme") == 0) {
            const char *list = agenda->items [i].requests ? agenda->items [i].requests : "";
            size_t len = strcspn (list, ",");
            snprintf (first, sizeof first, "%.*s", (int) (len < sizeof first ? len : sizeof first - 1), list);
            request = first;
        }
    char state [CII_MAX_STATE + 1];
    if (!*request || hub_store_agenda_request_state (store, request, state, sizeof state) != CII_OK)
        return CII_OK;                  //  the decision itself names what is wrong
    //  Which moves the table allows (a required note is the decision's to check, and to name)
    hub_move_t outcome = { .to = o->to, .organ = organ, .by = HUB_BY_DECIDE, .note = "-" };
    hub_move_t schedule = { .to = "scheduled", .organ = "bureau", .by = HUB_BY_DECIDE };
    if (hub_flow_check (o->ref, state, &outcome, NULL, NULL) == CII_OK
    ||  hub_flow_check (o->ref, state, &schedule, NULL, NULL) != CII_OK
    ||  hub_flow_check (o->ref, "scheduled", &outcome, NULL, NULL) != CII_OK)
        return CII_OK;
    char note [64];
    snprintf (note, sizeof note, "on the agenda of %s", agenda->meeting.ref);
    hub_decision_t decision;
    cii_rc_t rc = hub_flow_decide_in (store, o->ref, "scheduled", "bureau", NULL, note, &decision, err);
    hub_decision_clear (&decision);
    return rc;
}

cii_rc_t
hub_agenda_minutes (hub_store_t *store, const char *ref, const hub_outcome_t *outcomes, size_t n, hub_minutes_t *out,
                    cii_err_t *err)
{
    assert (store && ref && (n == 0 || outcomes) && out);
    memset (out, 0, sizeof *out);
    if (n == 0)
        return cii_err_set (err, CII_BAD_INPUT, "the minutes have no item");
    out->decisions = calloc (n, sizeof *out->decisions);
    if (!out->decisions)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    bool own = false;
    if (hub_store_tx_begin (store, "minutes", &own) != CII_OK) {
        hub_minutes_clear (out);
        return hub_store_fail (store, err);
    }
    hub_agenda_t agenda;
    cii_rc_t rc = hub_agenda_build_any (store, ref, &agenda, err);
    for (size_t i = 0; rc == CII_OK && i < n; i++) {
        const char *organ = NULL;
        rc = s_check_outcome (store, &agenda, outcomes, i, &organ, err);
        if (rc == CII_OK)
            rc = s_schedule_first (store, &agenda, &outcomes [i], organ, err);
        if (rc == CII_OK)
            rc = hub_flow_decide_in (store, outcomes [i].ref, outcomes [i].to, organ, agenda.meeting.ref,
                                     outcomes [i].note, &out->decisions [i], err);
        if (rc == CII_OK)
            out->count = i + 1;
        else {
            char shown [12];
            cii_err_prefix (err, "item %zu (%s)", i + 1,
                            outcomes [i].ref ? hub_requests_ref_shown (outcomes [i].ref, shown) : "no ref");
        }
    }
    if (rc == CII_OK)
        snprintf (out->meeting, sizeof out->meeting, "%s", agenda.meeting.ref);
    hub_agenda_clear (&agenda);
    if (hub_store_tx_end (store, "minutes", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        hub_minutes_clear (out);
        return rc;
    }
    zsys_info ("hub: minutes of %s: %zu outcome%s recorded", out->meeting, out->count, out->count == 1 ? "" : "s");
    return CII_OK;
}
