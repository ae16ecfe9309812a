/*  hub_monitor.c — the monitoring of recommendations (see hub_monitor.h): the authorisation of PUSH
    and REPORT, a cell's push state and whether it is overdue, the roll-ups and their shares, the
    reminder's text and its sending. */
#include "hub_monitor.h"
#include "hub_notices.h"
#include "hub_store_agenda.h"
#include "hub_store_monitor.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_states [HUB_MONITOR_STATES] = {
    "acknowledged", "planned", "in-progress", "implemented", "declined", "none",
};

const char *
hub_monitor_state_at (size_t index)
{
    return index < HUB_MONITOR_STATES ? s_states [index] : NULL;
}

int
hub_monitor_state_index (const char *state)
{
    for (size_t i = 0; state && i < HUB_MONITOR_STATES; i++)
        if (streq (state, s_states [i]))
            return (int) i;
    return -1;
}

//  --------------------------------------------------------------------------------------------
//  Who may send a PUSH or a REPORT

cii_rc_t
hub_monitor_authorise_push (const hub_registry_t *registry, const char *network, const cii_push_t *push,
                            cii_err_t *err)
{
    assert (registry && network && push);
    return hub_registry_authorise (registry, network, push->canton, err);
}

cii_rc_t
hub_monitor_authorise_report (const hub_registry_t *registry, const char *network, const cii_report_t *report,
                              cii_err_t *err)
{
    assert (registry && network && report);
    return hub_registry_authorise (registry, network, report->canton, err);
}

//  --------------------------------------------------------------------------------------------
//  The matrix

void
hub_monitor_clear (hub_monitor_t *monitor)
{
    if (!monitor)
        return;
    for (size_t i = 0; i < monitor->n_recs; i++)
        free (monitor->recs [i].title);
    for (size_t i = 0; i < monitor->count; i++) {
        free (monitor->cells [i].push_detail);
        free (monitor->cells [i].note);
    }
    free (monitor->recs);
    free (monitor->cells);
    free (monitor->networks);
    memset (monitor, 0, sizeof *monitor);
}

typedef struct {
    hub_monitor_t *m;
    bool overdue_only;
    size_t rec_capacity;
    size_t cell_capacity;
    size_t net_capacity;
    int64_t *ids;                   //  the recommendations' ids, as recs
    size_t at;                      //  the recommendation of the last cell
    bool failed;
} s_builder_t;

const char *
hub_monitor_push_state (const char *push, bool queued, bool acked)
{
    if (push && streq (push, "pushed"))
        return "pushed";                    //  static: a cell outlives the row it was read from
    if (push && streq (push, "failed"))
        return "failed";
    return acked ? "delivered" : queued ? "queued" : "unsent";
}

//  A copy of s, or NULL for "" (a cell's strings are mostly empty: read back as "").
static bool
s_dup (char **to, const char *s)
{
    *to = NULL;
    if (!s || !*s)
        return true;
    return (*to = strdup (s)) != NULL;
}

static hub_monitor_rollup_t *
s_rollup (s_builder_t *b, const char *network)
{
    hub_monitor_t *m = b->m;
    size_t at = 0;
    while (at < m->n_networks && strcmp (m->networks [at].network, network) < 0)
        at++;
    if (at < m->n_networks && streq (m->networks [at].network, network))
        return &m->networks [at];
    if (m->n_networks == b->net_capacity) {
        size_t bigger = b->net_capacity ? b->net_capacity * 2 : 8;
        hub_monitor_rollup_t *grown = realloc (m->networks, bigger * sizeof *grown);
        if (!grown)
            return NULL;
        m->networks = grown;
        b->net_capacity = bigger;
    }
    memmove (&m->networks [at + 1], &m->networks [at], (m->n_networks - at) * sizeof *m->networks);
    m->n_networks++;
    hub_monitor_rollup_t *r = &m->networks [at];
    memset (r, 0, sizeof *r);
    snprintf (r->network, sizeof r->network, "%s", network);
    return r;
}

static bool
s_rec (const hub_monitor_rec_row_t *row, void *arg)
{
    s_builder_t *b = arg;
    hub_monitor_t *m = b->m;
    if (m->n_recs == b->rec_capacity) {
        size_t bigger = b->rec_capacity ? b->rec_capacity * 2 : 16;
        hub_monitor_rec_t *grown = realloc (m->recs, bigger * sizeof *grown);
        int64_t *ids = grown ? realloc (b->ids, bigger * sizeof *ids) : NULL;
        if (grown)
            m->recs = grown;
        if (!ids) {
            b->failed = true;
            return false;
        }
        b->ids = ids;
        b->rec_capacity = bigger;
    }
    hub_monitor_rec_t *rec = &m->recs [m->n_recs];
    memset (rec, 0, sizeof *rec);
    if (!(rec->title = strdup (row->title))) {
        b->failed = true;
        return false;
    }
    b->ids [m->n_recs++] = row->id;
    snprintf (rec->ref, sizeof rec->ref, "%s", row->ref);
    snprintf (rec->report_by, sizeof rec->report_by, "%s", row->report_by);
    rec->version = row->version;
    rec->addressed = row->addressed;
    rec->days_past = row->days_past;
    return true;
}

static bool
s_cell (const hub_monitor_row_t *row, void *arg)
{
    s_builder_t *b = arg;
    hub_monitor_t *m = b->m;
    //  Cells and recommendations come in the same order (id); a cell of a recommendation read after
    //  the recommendations were (a concurrent publication) is left for the next build.
    while (b->at < m->n_recs && b->ids [b->at] < row->rec_id)
        b->at++;
    if (b->at == m->n_recs || b->ids [b->at] != row->rec_id)
        return true;
    hub_monitor_rec_t *rec = &m->recs [b->at];
    const char *state = *row->state ? row->state : "none";
    int index = hub_monitor_state_index (state);
    if (index < 0)
        return true;                        //  the schema's CHECK allows no other
    bool overdue = rec->days_past > 0 && !cii_domain_report_state_final (state);
    if (b->overdue_only && !overdue)
        return true;
    if (m->count == b->cell_capacity) {
        size_t bigger = b->cell_capacity ? b->cell_capacity * 2 : 64;
        hub_monitor_cell_t *grown = realloc (m->cells, bigger * sizeof *grown);
        if (!grown)
            goto oom;
        m->cells = grown;
        b->cell_capacity = bigger;
    }
    hub_monitor_cell_t *cell = &m->cells [m->count];
    memset (cell, 0, sizeof *cell);
    if (!s_dup (&cell->push_detail, streq (row->push, "failed") ? row->push_detail : NULL)
    ||  !s_dup (&cell->note, row->note)) {
        free (cell->push_detail);
        goto oom;
    }
    m->count++;
    cell->rec = b->at;
    snprintf (cell->canton, sizeof cell->canton, "%s", row->canton);
    snprintf (cell->network, sizeof cell->network, "%s", row->network);
    cell->push = hub_monitor_push_state (row->push, row->queued, row->acked);
    cell->state = s_states [index];
    snprintf (cell->reported_at, sizeof cell->reported_at, "%s", row->reported_at);
    cell->overdue = overdue;
    rec->cells++;
    rec->overdue += overdue;
    m->overdue += overdue;
    hub_monitor_rollup_t *net = s_rollup (b, row->network);
    if (!net)
        goto oom;
    net->cells++;
    net->counts [index]++;
    m->national.cells++;
    m->national.counts [index]++;
    return true;

oom:
    b->failed = true;
    return false;
}

//  Leaves out the recommendations without cells (under the filter), keeping the cells' indexes.
static void
s_compact (hub_monitor_t *m)
{
    size_t kept = 0;
    size_t *map = m->n_recs ? calloc (m->n_recs, sizeof *map) : NULL;
    for (size_t r = 0; r < m->n_recs; r++) {
        if (m->recs [r].cells == 0) {
            free (m->recs [r].title);
            continue;
        }
        if (map)
            map [r] = kept;
        m->recs [kept++] = m->recs [r];
    }
    for (size_t k = 0; map && k < m->count; k++)
        m->cells [k].rec = map [m->cells [k].rec];
    //  Without memory for the map the indexes would go wrong: then nothing is left out (the
    //  recommendation's index is its position, as built).
    if (map || kept == m->n_recs)
        m->n_recs = kept;
    free (map);
}

cii_rc_t
hub_monitor_build (hub_store_t *store, const hub_monitor_filter_t *filter, hub_monitor_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    hub_monitor_filter_t all = { NULL, NULL, false };
    if (!filter)
        filter = &all;
    const char *rec = filter->rec && *filter->rec ? filter->rec : NULL;
    const char *network = filter->network && *filter->network ? filter->network : NULL;
    if (rec || network) {
        bool rec_known = true, network_known = true;
        if (hub_store_monitor_known (store, rec, rec ? &rec_known : NULL, network, network ? &network_known : NULL)
            != CII_OK)
            return hub_store_fail (store, err);
        char shown [24];
        if (!rec_known)
            return cii_err_set (err, CII_NOT_FOUND, "unknown recommendation %s", cii_domain_shown (rec, shown));
        if (!network_known)
            return cii_err_set (err, CII_NOT_FOUND, "unknown network %s", cii_domain_shown (network, shown));
    }
    if (hub_store_agenda_today (store, out->today) != CII_OK)
        return hub_store_fail (store, err);
    s_builder_t builder = { .m = out, .overdue_only = filter->overdue };
    cii_rc_t rc = hub_store_monitor_cells (store, rec, network, out->today, s_rec, s_cell, &builder);
    free (builder.ids);
    if (rc != CII_OK)
        rc = hub_store_fail (store, err);
    else
    if (builder.failed)
        rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (rc != CII_OK) {
        hub_monitor_clear (out);
        return rc;
    }
    s_compact (out);
    return CII_OK;
}

double
hub_monitor_share (const hub_monitor_rollup_t *rollup, size_t index)
{
    assert (rollup);
    if (index >= HUB_MONITOR_STATES || rollup->cells <= 0)
        return 0;
    return round (10000.0 * rollup->counts [index] / rollup->cells) / 10000.0;
}

//  --------------------------------------------------------------------------------------------
//  Reminders

//  Appends a formatted text to the heap string *s (NULL: a new one) of length *len. False out of
//  memory.
static bool s_append (char **s, size_t *len, const char *format, ...) __attribute__ ((format (printf, 3, 4)));

static bool
s_append (char **s, size_t *len, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int add = vsnprintf (NULL, 0, format, args);
    va_end (args);
    if (add < 0)
        return false;
    char *grown = realloc (*s, *len + (size_t) add + 1);
    if (!grown)
        return false;
    va_start (args, format);
    vsnprintf (grown + *len, (size_t) add + 1, format, args);
    va_end (args);
    *s = grown;
    *len += (size_t) add;
    return true;
}

char *
hub_monitor_overdue_text (const hub_monitor_t *m, size_t max_bytes)
{
    assert (m);
    char *text = NULL;
    size_t len = 0;
    bool ok = s_append (&text, &len, "Implementation reports overdue on %s: %zu canton%s of %zu recommendation%s.\n"
                        "Report on them with cii-agent report REC --canton C --state STATE.\n", m->today, m->overdue,
                        m->overdue == 1 ? "" : "s", m->n_recs, m->n_recs == 1 ? "" : "s");
    //  Room kept for the last line that counts what did not fit.
    const size_t reserve = 120;
    size_t listed = 0;
    for (size_t n = 0; ok && n < m->n_networks; n++) {
        const char *network = m->networks [n].network;
        char *block = NULL;
        size_t block_len = 0, block_cells = 0;
        ok = s_append (&block, &block_len, "\n%s:\n", network);
        for (size_t r = 0, c = 0; ok && r < m->n_recs; r++) {
            //  The cells of recommendation r follow each other.
            while (c < m->count && m->cells [c].rec < r)
                c++;
            size_t cantons = 0;
            for (size_t k = c; ok && k < m->count && m->cells [k].rec == r; k++) {
                const hub_monitor_cell_t *cell = &m->cells [k];
                if (!cell->overdue || !streq (cell->network, network))
                    continue;
                if (cantons++ == 0)
                    ok = s_append (&block, &block_len, "  %s (due %s, %d day%s ago): %s", m->recs [r].ref,
                                   m->recs [r].report_by, m->recs [r].days_past, m->recs [r].days_past == 1 ? "" : "s",
                                   cell->canton);
                else
                    ok = s_append (&block, &block_len, ", %s", cell->canton);
            }
            if (ok && cantons)
                ok = s_append (&block, &block_len, "\n");
            block_cells += cantons;
        }
        if (ok && max_bytes && len + block_len + reserve > max_bytes) {
            free (block);
            size_t left = m->overdue - listed;
            ok = s_append (&text, &len, "\n... and %zu more overdue canton%s: cii-hub monitor --overdue lists them "
                           "all.\n", left, left == 1 ? "" : "s");
            break;
        }
        ok = ok && s_append (&text, &len, "%s", block);
        listed += block_cells;
        free (block);
    }
    if (!ok) {
        free (text);
        return NULL;
    }
    return text;
}

void
hub_monitor_reminder_clear (hub_monitor_reminder_t *reminder)
{
    if (!reminder)
        return;
    free (reminder->networks);
    free (reminder->text);
    memset (reminder, 0, sizeof *reminder);
}

cii_rc_t
hub_monitor_remind (hub_store_t *store, hub_monitor_reminder_t *out, cii_err_t *err)
{
    assert (store && out);
    memset (out, 0, sizeof *out);
    bool own = false;
    if (hub_store_tx_begin (store, "remind", &own) != CII_OK)
        return hub_store_fail (store, err);
    hub_monitor_t m;
    hub_monitor_filter_t filter = { NULL, NULL, true };
    cii_rc_t rc = hub_monitor_build (store, &filter, &m, err);
    const char **names = NULL;
    if (rc == CII_OK && m.overdue > 0) {
        names = calloc (m.n_networks, sizeof *names);
        size_t len = 0;
        bool ok = names != NULL;
        for (size_t i = 0; ok && i < m.n_networks; i++) {
            names [i] = m.networks [i].network;
            ok = s_append (&out->networks, &len, "%s%s", i ? "," : "", names [i]);
        }
        if (ok)
            ok = (out->text = hub_monitor_overdue_text (&m, CII_MAX_TEXT)) != NULL;
        if (!ok)
            rc = cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    if (rc == CII_OK && m.overdue > 0) {
        snprintf (out->title, sizeof out->title, "Reminder: %zu implementation report%s overdue", m.overdue,
                  m.overdue == 1 ? "" : "s");
        cii_notice_t notice;
        memset (&notice, 0, sizeof notice);
        notice.title = out->title;
        notice.text = out->text;
        notice.networks = names;
        notice.n_networks = m.n_networks;
        hub_notice_sent_t sent;
        rc = hub_notices_send (store, &notice, &sent, err);
        if (rc == CII_OK && hub_store_monitor_reminded (store, sent.id, names, m.n_networks, m.overdue) != CII_OK)
            rc = hub_store_fail (store, err);
        if (rc == CII_OK) {
            out->sent = true;
            out->cells = m.overdue;
            out->n_recs = m.n_recs;
            out->notice_id = sent.id;
            out->recipients = sent.recipients;
        }
    }
    free (names);
    hub_monitor_clear (&m);
    if (hub_store_tx_end (store, "remind", own, rc == CII_OK) != CII_OK && rc == CII_OK)
        rc = hub_store_fail (store, err);
    if (rc != CII_OK) {
        hub_monitor_reminder_clear (out);
        return rc;
    }
    if (out->sent)
        zsys_info ("hub: reminder of %zu overdue reports sent as notice %" PRId64 " to %s (%" PRId64 " agents)",
                   out->cells, out->notice_id, out->networks, out->recipients);
    return CII_OK;
}
