/*  unit_gate.h — shared by the unit tests of the national gate (requests, withdrawals, criteria,
    transitions, themes): a network's signals and requests stored through the real batch ingest,
    and a request as an agent would send it. Include after <cmocka.h> and unit_hub.h. */
#ifndef UNIT_GATE_H_INCLUDED
#define UNIT_GATE_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_ingest.h"
#include "hub_store_requests.h"
#include "hub_store_signals.h"
#include "unit_domain.h"
#include "unit_hub.h"

//  One batch item.
static inline hub_ingest_item_t
ug_item (int64_t agent, const char *network, const char *message_id, const hub_ingest_shape_t *shape,
         const void *item, const char *digest)
{
    return (hub_ingest_item_t) { .agent_id = agent, .network = network, .message_id = message_id,
                                 .digest = digest, .shape = shape, .item = item };
}

//  Stores a signal of network (canton, title) with message id message_id; fails the test if not.
static inline void
ug_signal (unit_hub_t *hub, int64_t agent, const char *network, const char *message_id, const char *canton)
{
    cii_signal_t signal;
    unit_domain_signal (&signal, canton, "Signal cantonal");
    hub_ingest_item_t item = ug_item (agent, network, message_id, &hub_store_signal_shape, &signal, message_id);
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    assert_true (item.stored);
}

//  A request as an agent sends it: title, summary, the signals' message ids, the supporting
//  cantons (all borrowed), institutions social-aid and health, objective labour-market-integration,
//  priority P3, a national reason, French.
static inline void
ug_request (cii_request_t *request, const char *title, const char *const *signals, size_t n_signals,
            const char *const *cantons, size_t n_cantons)
{
    memset (request, 0, sizeof *request);
    request->title = title;
    request->summary = "Les personnes atteintes dans leur santé tombent entre l'AI et l'aide sociale.";
    request->signal_ids = signals;
    request->n_signal_ids = n_signals;
    request->institutions [0] = CII_INSTITUTION_SOCIAL_AID;
    request->institutions [1] = CII_INSTITUTION_HEALTH;
    request->n_institutions = 2;
    request->objectives [0] = CII_OBJECTIVE_LABOUR_MARKET_INTEGRATION;
    request->n_objectives = 1;
    request->priorities [0] = CII_PRIORITY_P3;
    request->n_priorities = 1;
    request->cantons = cantons;
    request->n_cantons = n_cantons;
    request->national_reason = "Règles fédérales.";
    snprintf (request->language, sizeof request->language, "fr");
    request->created_at_ms = 1800000000000LL;
}

//  Ingests one request; returns the item (its ref, refused, ...). The digest is the message id
//  followed by the title (enough to tell other content).
static inline hub_ingest_item_t
ug_ingest_request (unit_hub_t *hub, int64_t agent, const char *network, const char *message_id,
                   const cii_request_t *request)
{
    static char digest [256];
    snprintf (digest, sizeof digest, "%s|%.200s", message_id, request->title);
    hub_ingest_item_t item = ug_item (agent, network, message_id, &hub_store_request_shape, request, digest);
    assert_int_equal (hub_store_ingest (hub->store, &item, 1, NULL), CII_OK);
    item.digest = NULL;
    return item;
}

//  The summary of ug_simple's request for network: a problem of its own, so that requests of
//  different networks are not similar (C3 would count them); lemanique's is ug_request's.
static inline const char *
ug_summary (const char *network)
{
    if (strcmp (network, "zuerich") == 0)
        return "Les horaires des crèches ne couvrent pas le travail de nuit des parents.";
    if (strcmp (network, "ticino") == 0)
        return "Aucun bus ne relie les vallées aux écoles du soir.";
    if (strcmp (network, "ost") == 0)
        return "Les données fiscales n'arrivent pas aux bureaux des bourses d'études.";
    return NULL;
}

//  A request of network with one signal (message id SIGNAL) of canton, stored; its reference into
//  ref. Requests of different networks are about different problems (ug_summary).
static inline void
ug_simple (unit_hub_t *hub, int64_t agent, const char *network, const char *canton, const char *message_id,
           char ref [HUB_MAX_REF])
{
    char signal_id [80];
    snprintf (signal_id, sizeof signal_id, "sig-%s", message_id);
    ug_signal (hub, agent, network, signal_id, canton);
    const char *signals [] = { signal_id };
    const char *cantons [] = { canton };
    cii_request_t request;
    ug_request (&request, "Demande", signals, 1, cantons, 1);
    if (ug_summary (network))
        request.summary = ug_summary (network);
    hub_ingest_item_t item = ug_ingest_request (hub, agent, network, message_id, &request);
    if (!item.stored)
        fail_msg ("request %s not stored: %s", message_id, item.reason);
    snprintf (ref, HUB_MAX_REF, "%s", item.ref);
}

//  The bureau's calendar year now, as references count it.
static inline int
ug_year (unit_hub_t *hub)
{
    return (int) unit_pg_int (hub->pg, "SELECT extract (year FROM now () AT TIME ZONE 'Europe/Zurich')::int");
}

//  "CII-YEAR-000N" into buf.
static inline const char *
ug_ref (unit_hub_t *hub, int n, char buf [HUB_MAX_REF])
{
    snprintf (buf, HUB_MAX_REF, "CII-%d-%04d", ug_year (hub), n);
    return buf;
}

#endif
