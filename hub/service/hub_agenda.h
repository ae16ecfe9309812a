/*  hub_agenda.h — the agenda of a CDC or CP meeting and its minutes (issue 8, plan 2.1-2.3: the
    bureau prepares the meetings of the national organs). The agenda is built, never stored, from
    what waits for the meeting's organ (a joint meeting: for both):

      for the CDC  admissible requests not yet discussed (the default path: the CDC examines
                   first), scheduled requests, requests the CDC deferred, requests the CP returned
                   to it (returned-to-cdc), working-group results of groups it mandated (wg-reported);
      for the CP   scheduled requests (the bureau sends a request straight on to the CP by scheduling
                   it: the table lets the CP take a scheduled request up), requests the CP deferred,
                   requests the CDC referred to it (referred-to-cp), working-group results of groups
                   it mandated;

    and, for the CDC, the recommendations with overdue implementation reports (issue 9,
    hub_agenda_monitoring_items: one item per recommendation, its networks and overdue cantons, the
    days since its report date as waiting time; minutes record no outcome for it). A theme
    stands for its requests (one item); items are ordered broadest first: networks, then cantons,
    then waiting time, then reference. Publishing sends the agenda down to every network as a
    notice and records it (a second publication sends only a changed agenda). Minutes record a
    meeting's outcomes, one hub_flow transition per item, all or none. */
#ifndef HUB_AGENDA_H_INCLUDED
#define HUB_AGENDA_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "cii_rc.h"
#include "hub_flow.h"
#include "hub_meeting.h"
#include "hub_store.h"

/*  One item of an agenda. Strings are the agenda's (hub_agenda_clear frees them). */
typedef struct {
    char ref [HUB_MAX_REF];                 /* "CII-2027-0042" or, for a theme, "NT-2027-03" */
    char *title;
    const char *kind;                       /* "request", "theme" or "recommendation" (static) */
    char *networks;                         /* comma list, sorted */
    int n_networks;
    char *cantons;                          /* comma list, sorted */
    int n_cantons;
    char *criteria_met;                     /* "C1,C2" (a theme: those all its requests on the agenda meet) */
    int waiting_days;                       /* since it entered its state (a theme: its longest wait) */
    char *why;                              /* in words: why it is on the agenda */
    char *requests;                         /* a theme: its requests on the agenda, comma list; a request: its ref */
    char organs [8];                        /* "cdc", "cp" or "cdc,cp": who may take it up in this meeting */
} hub_agenda_item_t;

/*  An agenda. */
typedef struct {
    hub_meeting_t meeting;
    char today [11];                        /* the date it was built (Europe/Zurich) */
    hub_agenda_item_t *items;               /* in agenda order */
    size_t count;
} hub_agenda_t;

/*  Frees what an agenda holds (safe twice, and on a zeroed agenda). */
void hub_agenda_clear (hub_agenda_t *agenda);

/*  Builds the agenda of meeting ref into *out (cleared first). CII_NOT_FOUND "unknown meeting REF";
    CII_REFUSED "M-2027-01 met on 2027-03-10, in the past: its agenda can no longer be built (today
    is 2027-04-02)"; or the database error. */
cii_rc_t hub_agenda_build (hub_store_t *store, const char *ref, hub_agenda_t *out, cii_err_t *err);

/*  The same, whatever the meeting's date (the minutes of a meeting held are checked against it). */
cii_rc_t hub_agenda_build_any (hub_store_t *store, const char *ref, hub_agenda_t *out, cii_err_t *err);

/*  The agenda in plain readable text (a heading line, then per item a numbered block of three
    lines), as the notice carries it: a new string (free), NULL out of memory. At most max_bytes
    (0: no limit): the items that do not fit are counted in a last line instead. */
char *hub_agenda_text (const hub_agenda_t *agenda, size_t max_bytes);

/*  What hub_agenda_publish did. */
typedef struct {
    bool sent;                              /* a notice went down now (false: unchanged, already sent) */
    bool changed;                           /* sent, and it had been published before with other items */
    int64_t notice_id;                      /* the notice that carries it (now or before) */
    int64_t recipients;                     /* agents it was queued for now (0 when not sent) */
    int times;                              /* how many times it has been sent */
    int64_t published_at_ms;                /* when it was last sent */
} hub_agenda_published_t;

/*  Builds the agenda of meeting ref (hub_agenda_build's refusals) into *agenda (the caller clears
    it) and, in one transaction with the meeting's row locked, sends it down to every network as a
    notice (hub_notices_send; title "Agenda M-2027-01: CDC meeting of 2027-03-10", the text
    hub_agenda_text) and records it. An agenda already published with the same items and reasons
    is not sent again (out->sent false); a changed one is (out->changed). */
cii_rc_t hub_agenda_publish (hub_store_t *store, const char *ref, hub_agenda_t *agenda, hub_agenda_published_t *out,
                             cii_err_t *err);

/*  The monitoring of recommendations (issue 9): adds to agenda, when its meeting is the CDC's or
    a joint one, one item (kind "recommendation", organs "cdc") per recommendation with overdue
    cells (hub_monitor): title its French title, networks and cantons those overdue, waiting_days
    the days since its report date, why "report due 2027-12-31: 5 of 26 cantons overdue (AG, BE,
    FR, VD, ZH)". Items are appended unsorted (the builder sorts). */
cii_rc_t hub_agenda_monitoring_items (hub_store_t *store, hub_agenda_t *agenda, cii_err_t *err);

/*  One outcome of a meeting, as the minutes file gives it (borrowed strings). */
typedef struct {
    const char *ref;                        /* a request or a theme on the meeting's agenda */
    const char *to;                         /* the state it moves to */
    const char *organ;                      /* NULL: the meeting's organ; required for a joint meeting */
    const char *note;                       /* NULL or the note (required where the table says) */
} hub_outcome_t;

/*  A minutes file (`cii-hub minutes M --file OUTCOMES.json`): a JSON array of {"ref", "to",
    "organ", "note"} objects, every value a string, no other key. */
#define HUB_MINUTES_MAX_BYTES  (1024 * 1024)    /* a larger file is refused unread */
#define HUB_MINUTES_MAX_ITEMS  10000

typedef struct {
    hub_outcome_t *outcomes;                /* strings borrowed from the document it keeps */
    size_t count;
    void *doc;                              /* the parsed document (jansson) */
} hub_minutes_file_t;

/*  Reads a minutes file's text (size bytes, at most HUB_MINUTES_MAX_BYTES) into *out (cleared
    first; hub_minutes_file_clear frees it): CII_OK with count >= 0 (an empty array too: the minutes
    refuse it), or CII_BAD_INPUT with one line: "NAME: line L, column C: REASON" (NAME: the file's
    name, left out when NULL) for text that is not JSON, else "the minutes must be a JSON array of
    {...} objects", "at most 10000 items in the minutes (got N)", "item N: not an object", "item N:
    unknown key \"K\" (ref, to, organ, note)", "item N: \"KEY\" must be a string". CII_NO_MEMORY. */
cii_rc_t hub_minutes_parse (const char *name, const char *text, size_t size, hub_minutes_file_t *out, cii_err_t *err);

/*  Frees what a minutes file holds (safe twice, and on a zeroed one). */
void hub_minutes_file_clear (hub_minutes_file_t *file);

/*  What hub_agenda_minutes recorded: one decision per outcome, in order. */
typedef struct {
    char meeting [HUB_MAX_REF];
    hub_decision_t *decisions;
    size_t count;
} hub_minutes_t;

/*  Frees what minutes hold (safe twice). */
void hub_minutes_clear (hub_minutes_t *minutes);

/*  Records the outcomes[0..n-1] of meeting ref, all or none, in one transaction: each through
    hub_flow_decide_in with the meeting (history row, STATUS down). The meeting's agenda is built as
    hub_agenda_build_any does (minutes come after the meeting) before anything moves; an outcome
    must name an item of it (a request, a theme, or a request of a theme item). The first bad
    outcome refuses the whole file, nothing changed, its error prefixed "item N (REF): " (N counts
    from 1): CII_BAD_INPUT "a joint meeting needs \"organ\": \"cdc\" or \"cp\"", "\"organ\" must be
    the meeting's, cdc (got cp)", "ref and to are required", "the request is already item 1";
    CII_NOT_FOUND "unknown request R"; CII_REFUSED "R is answered, which is final", "R is not on
    the agenda of M-2027-01 (it is project)"; and hub_flow's refusals. CII_NOT_FOUND "unknown
    meeting REF"; CII_BAD_INPUT "the minutes have no item" when n is 0. */
cii_rc_t hub_agenda_minutes (hub_store_t *store, const char *ref, const hub_outcome_t *outcomes, size_t n,
                             hub_minutes_t *out, cii_err_t *err);

#endif
