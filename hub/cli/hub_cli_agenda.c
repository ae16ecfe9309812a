/*  hub_cli_agenda.c — `cii-hub agenda MEETING [--publish] [--json]` (the agenda built from what
    waits for the meeting's organ, or sent down to every network as a notice) and `cii-hub minutes
    MEETING --file OUTCOMES.json [--json]` (a meeting's outcomes, all or none). Parse, call
    hub_agenda, print. */
#include "hub_agenda.h"
#include "hub_cli_verbs.h"

#include "cii_domain.h"
#include "cii_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static json_t *
s_item_json (const hub_agenda_item_t *item)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "ref", cii_json_str (item->ref));
    cii_json_set (doc, "title", cii_json_str (item->title));
    cii_json_set (doc, "kind", cii_json_str (item->kind));
    cii_json_set (doc, "networks", cii_json_list (item->networks));
    cii_json_set (doc, "cantons", cii_json_list (item->cantons));
    cii_json_set (doc, "criteria_met", cii_json_list (item->criteria_met));
    cii_json_set (doc, "waiting_days", json_integer (item->waiting_days));
    cii_json_set (doc, "why", cii_json_str (item->why));
    cii_json_set (doc, "organs", cii_json_list (item->organs));
    cii_json_set (doc, "requests", cii_json_list (item->requests));
    return doc;
}

static json_t *
s_agenda_json (const hub_agenda_t *agenda)
{
    json_t *doc = json_object ();
    cii_json_set (doc, "meeting", cii_json_str (agenda->meeting.ref));
    cii_json_set (doc, "organ", cii_json_str (agenda->meeting.organ));
    cii_json_set (doc, "joint", json_boolean (agenda->meeting.joint));
    cii_json_set (doc, "date", cii_json_str (agenda->meeting.date));
    cii_json_set (doc, "built_on", cii_json_str (agenda->today));
    json_t *items = json_array ();
    for (size_t i = 0; i < agenda->count; i++)
        json_array_append_new (items, s_item_json (&agenda->items [i]));
    cii_json_set (doc, "items", items);
    return doc;
}

int
hub_cli_agenda (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_agenda_t agenda;
    memset (&agenda, 0, sizeof agenda);
    bool publish = cii_cli_flag (cli, "publish");
    hub_agenda_published_t published;
    memset (&published, 0, sizeof published);
    cii_rc_t rc = publish ? hub_agenda_publish (store, ref, &agenda, &published, &err)
                          : hub_agenda_build (store, ref, &agenda, &err);
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = s_agenda_json (&agenda);
        if (publish) {
            json_t *p = json_object ();
            cii_json_set (p, "sent", json_boolean (published.sent));
            cii_json_set (p, "changed", json_boolean (published.changed));
            cii_json_set (p, "notice", json_integer (published.notice_id));
            cii_json_set (p, "recipients", json_integer (published.recipients));
            cii_json_set (p, "times", json_integer (published.times));
            cii_json_set (p, "published_at", cii_json_time (published.published_at_ms));
            cii_json_set (doc, "published", p);
        }
        code = cii_cli_print_json (cli, doc);
    }
    else {
        char *text = hub_agenda_text (&agenda, 0);
        FILE *out = cii_cli_out (cli);
        if (!text)
            code = cii_cli_refuse (cli, "out of memory");
        else
            fputs (text, out);
        free (text);
        char when [32];
        hub_cli_time (published.published_at_ms, when);
        if (code == CII_CLI_OK && publish && published.sent)
            fprintf (out, "\npublished%s as notice %" PRId64 ", queued for %" PRId64 " agent%s\n",
                     published.changed ? " again (the agenda changed)" : "", published.notice_id, published.recipients,
                     published.recipients == 1 ? "" : "s");
        else
        if (code == CII_CLI_OK && publish)
            fprintf (out, "\nalready published on %s as notice %" PRId64 ", unchanged: not sent again\n", when,
                     published.notice_id);
    }
    hub_agenda_clear (&agenda);
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_minutes (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    const char *path = cii_cli_opt (cli, "file");
    if (!path)
        return cii_cli_usage (cli, "--file is required");
    cii_err_t err;
    cii_err_clear (&err);
    char *text = NULL;
    size_t size = 0;
    if (cii_util_read_file_max (path, HUB_MINUTES_MAX_BYTES, &text, &size, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    hub_minutes_file_t file;
    cii_rc_t rc = hub_minutes_parse (path, text, size, &file, &err);
    free (text);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    hub_minutes_t minutes;
    memset (&minutes, 0, sizeof minutes);
    if (store && hub_agenda_minutes (store, ref, file.outcomes, file.count, &minutes, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (store && cii_cli_json (cli)) {
        json_t *out = json_object ();
        cii_json_set (out, "meeting", cii_json_str (minutes.meeting));
        json_t *list = json_array ();
        for (size_t i = 0; i < minutes.count; i++) {
            const hub_decision_t *d = &minutes.decisions [i];
            json_t *row = json_object ();
            cii_json_set (row, "ref", cii_json_str (d->ref));
            cii_json_set (row, "state", cii_json_str (d->to));
            cii_json_set (row, "organ", cii_json_str (d->organ));
            cii_json_set (row, "at", cii_json_time (d->at_ms));
            json_t *moved = json_array ();
            for (size_t j = 0; j < d->count; j++) {
                json_t *m = json_object ();
                cii_json_set (m, "ref", cii_json_str (d->moved [j].ref));
                cii_json_set (m, "from", cii_json_str (d->moved [j].from));
                json_array_append_new (moved, m);
            }
            cii_json_set (row, "requests", moved);
            json_array_append_new (list, row);
        }
        cii_json_set (out, "outcomes", list);
        code = cii_cli_print_json (cli, out);
    }
    else
    if (store) {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "%s: %zu outcome%s recorded\n", minutes.meeting, minutes.count, minutes.count == 1 ? "" : "s");
        for (size_t i = 0; i < minutes.count; i++) {
            const hub_decision_t *d = &minutes.decisions [i];
            for (size_t j = 0; j < d->count; j++)
                fprintf (out, "  %s: %s -> %s (%s)\n", d->moved [j].ref, d->moved [j].from, d->to, d->organ);
        }
    }
    hub_minutes_clear (&minutes);
    hub_store_destroy (&store);
    hub_minutes_file_clear (&file);
    return code;
}
