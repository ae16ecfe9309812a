/*  cii_wire.c — protobuf messages <-> domain structs (see cii_wire.h). */
#include "cii_wire.h"
#include "cii_codec.h"

#include <string.h>

void
cii_wire_signal_view (const Cii__Signal *wire, cii_signal_t *out)
{
    memset (out, 0, sizeof *out);
    const char *canton = wire->canton ? wire->canton : "";
    size_t len = strlen (canton);
    if (len == 2)
        memcpy (out->canton, canton, 3);
    else
    if (len > 0)
        memcpy (out->canton, "??", 3);
    out->title = wire->title;
    out->description = wire->description;
    out->n_institutions = wire->institutions ? wire->n_institutions : 0;
    for (size_t i = 0; i < out->n_institutions && i < CII_MAX_INSTITUTIONS; i++)
        out->institutions [i] = (cii_institution_t) wire->institutions [i];
    out->n_target_groups = wire->target_groups ? wire->n_target_groups : 0;
    for (size_t i = 0; i < out->n_target_groups && i < CII_MAX_TARGET_GROUPS; i++)
        out->target_groups [i] = (cii_target_group_t) wire->target_groups [i];
    out->national_reason = wire->national_reason;
    const char *language = wire->language ? wire->language : "";
    if (strlen (language) == 2)
        memcpy (out->language, language, 3);
    else
    if (*language)
        memcpy (out->language, "??", 3);
    out->created_at_ms = wire->created_at_ms;
}

void
cii_wire_signal_fill (cii_wire_signal_t *out, const cii_signal_t *signal)
{
    memset (out, 0, sizeof *out);
    cii__signal__init (&out->msg);
    out->msg.canton = (char *) signal->canton;
    out->msg.title = (char *) signal->title;
    out->msg.description = (char *) signal->description;
    size_t n = signal->n_institutions <= CII_MAX_INSTITUTIONS ? signal->n_institutions : CII_MAX_INSTITUTIONS;
    for (size_t i = 0; i < n; i++)
        out->institutions [i] = (Cii__Institution) signal->institutions [i];
    out->msg.institutions = out->institutions;
    out->msg.n_institutions = n;
    n = signal->n_target_groups <= CII_MAX_TARGET_GROUPS ? signal->n_target_groups : CII_MAX_TARGET_GROUPS;
    for (size_t i = 0; i < n; i++)
        out->target_groups [i] = (Cii__TargetGroup) signal->target_groups [i];
    out->msg.target_groups = out->target_groups;
    out->msg.n_target_groups = n;
    out->msg.national_reason = (char *) (signal->national_reason ? signal->national_reason : "");
    out->msg.language = (char *) signal->language;
    out->msg.created_at_ms = signal->created_at_ms;
}

void
cii_wire_notice_view (const Cii__Notice *wire, cii_notice_t *out)
{
    memset (out, 0, sizeof *out);
    out->id = wire->notice_id;
    out->title = wire->title;
    out->text = wire->text;
    out->networks = (const char *const *) wire->networks;
    out->n_networks = wire->n_networks;
    out->issued_at_ms = wire->issued_at_ms;
}

void
cii_wire_notice_fill (Cii__Notice *out, const cii_notice_t *notice)
{
    cii__notice__init (out);
    out->notice_id = notice->id;
    out->title = (char *) notice->title;
    out->text = (char *) notice->text;
    out->networks = (char **) notice->networks;
    out->n_networks = notice->n_networks;
    out->issued_at_ms = notice->issued_at_ms;
}

cii_rc_t
cii_wire_notice_pack (const cii_notice_t *notice, uint8_t **data_p, size_t *size_p, cii_err_t *err)
{
    Cii__Notice wire;
    cii_wire_notice_fill (&wire, notice);
    cii_codec_error_t cerr;
    cii_rc_t rc = cii_codec_item_pack (cii_kind_find ("notice"), &wire.base, data_p, size_p, &cerr);
    if (rc != CII_OK)
        cii_err_set (err, rc, "%s", rc == CII_NO_MEMORY ? "out of memory" : cerr.text);
    return rc;
}

cii_rc_t
cii_wire_signal_envelope (const cii_signal_t *signal, const char *message_id, uint8_t **data_p, size_t *size_p,
                          cii_err_t *err)
{
    cii_wire_signal_t wire;
    cii_wire_signal_fill (&wire, signal);
    cii_codec_error_t cerr;
    cii_rc_t rc = cii_codec_encode_up (cii_kind_find ("signal"), &wire.msg.base, message_id, data_p, size_p, &cerr);
    if (rc != CII_OK)
        cii_err_set (err, rc, "%s", rc == CII_NO_MEMORY ? "out of memory" : cerr.text);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Requests, withdrawals, statuses

//  Copies a two-byte code ("fr") into dst[3], or "??" for anything else non-empty.
static void
s_code (char dst [3], const char *src)
{
    const char *s = src ? src : "";
    if (strlen (s) == 2)
        memcpy (dst, s, 3);
    else
    if (*s)
        memcpy (dst, "??", 3);
    else
        dst [0] = '\0';
}

void
cii_wire_request_view (const Cii__Request *wire, cii_request_t *out)
{
    memset (out, 0, sizeof *out);
    out->title = wire->title;
    out->summary = wire->summary;
    out->signal_ids = (const char *const *) wire->signal_ids;
    out->n_signal_ids = wire->n_signal_ids;
    out->n_institutions = wire->institutions ? wire->n_institutions : 0;
    for (size_t i = 0; i < out->n_institutions && i < CII_MAX_INSTITUTIONS; i++)
        out->institutions [i] = (cii_institution_t) wire->institutions [i];
    out->n_target_groups = wire->target_groups ? wire->n_target_groups : 0;
    for (size_t i = 0; i < out->n_target_groups && i < CII_MAX_TARGET_GROUPS; i++)
        out->target_groups [i] = (cii_target_group_t) wire->target_groups [i];
    out->n_objectives = wire->objectives ? wire->n_objectives : 0;
    for (size_t i = 0; i < out->n_objectives && i < CII_MAX_OBJECTIVES; i++)
        out->objectives [i] = (cii_objective_t) wire->objectives [i];
    out->n_priorities = wire->priorities ? wire->n_priorities : 0;
    for (size_t i = 0; i < out->n_priorities && i < CII_MAX_PRIORITIES; i++)
        out->priorities [i] = (cii_priority_t) wire->priorities [i];
    out->cantons = (const char *const *) wire->cantons;
    out->n_cantons = wire->n_cantons;
    out->assessment = wire->assessment;
    out->national_reason = wire->national_reason;
    s_code (out->language, wire->language);
    out->lineage = (const char *const *) wire->lineage;
    out->n_lineage = wire->n_lineage;
    out->created_at_ms = wire->created_at_ms;
}

void
cii_wire_request_fill (cii_wire_request_t *out, const cii_request_t *request)
{
    memset (out, 0, sizeof *out);
    cii__request__init (&out->msg);
    out->msg.title = (char *) request->title;
    out->msg.summary = (char *) request->summary;
    out->msg.signal_ids = (char **) request->signal_ids;
    out->msg.n_signal_ids = request->n_signal_ids;
    size_t n = request->n_institutions <= CII_MAX_INSTITUTIONS ? request->n_institutions : CII_MAX_INSTITUTIONS;
    for (size_t i = 0; i < n; i++)
        out->institutions [i] = (Cii__Institution) request->institutions [i];
    out->msg.institutions = out->institutions;
    out->msg.n_institutions = n;
    n = request->n_target_groups <= CII_MAX_TARGET_GROUPS ? request->n_target_groups : CII_MAX_TARGET_GROUPS;
    for (size_t i = 0; i < n; i++)
        out->target_groups [i] = (Cii__TargetGroup) request->target_groups [i];
    out->msg.target_groups = out->target_groups;
    out->msg.n_target_groups = n;
    n = request->n_objectives <= CII_MAX_OBJECTIVES ? request->n_objectives : CII_MAX_OBJECTIVES;
    for (size_t i = 0; i < n; i++)
        out->objectives [i] = (Cii__Objective) request->objectives [i];
    out->msg.objectives = out->objectives;
    out->msg.n_objectives = n;
    n = request->n_priorities <= CII_MAX_PRIORITIES ? request->n_priorities : CII_MAX_PRIORITIES;
    for (size_t i = 0; i < n; i++)
        out->priorities [i] = (Cii__Priority) request->priorities [i];
    out->msg.priorities = out->priorities;
    out->msg.n_priorities = n;
    out->msg.cantons = (char **) request->cantons;
    out->msg.n_cantons = request->n_cantons;
    out->msg.assessment = (char *) (request->assessment ? request->assessment : "");
    out->msg.national_reason = (char *) (request->national_reason ? request->national_reason : "");
    out->msg.language = (char *) request->language;
    out->msg.lineage = (char **) request->lineage;
    out->msg.n_lineage = request->n_lineage;
    out->msg.created_at_ms = request->created_at_ms;
}

void
cii_wire_withdraw_view (const Cii__Withdraw *wire, cii_withdraw_t *out)
{
    out->request_id = wire->request_id;
    out->reason = wire->reason;
}

void
cii_wire_withdraw_fill (Cii__Withdraw *out, const cii_withdraw_t *withdraw)
{
    cii__withdraw__init (out);
    out->request_id = (char *) withdraw->request_id;
    out->reason = (char *) withdraw->reason;
}

void
cii_wire_status_view (const Cii__Status *wire, cii_status_t *out, cii_criterion_t criteria [CII_MAX_CRITERIA])
{
    memset (out, 0, sizeof *out);
    out->ref = wire->ref;
    out->request_id = wire->request_id;
    out->state = wire->state;
    out->organ = wire->organ;
    out->at_ms = wire->at_ms;
    out->note = wire->note;
    out->theme = wire->theme;
    out->meeting = wire->meeting;
    out->n_criteria = wire->criteria ? wire->n_criteria : 0;
    for (size_t i = 0; i < out->n_criteria && i < CII_MAX_CRITERIA; i++) {
        criteria [i].id = wire->criteria [i]->id;
        criteria [i].met = wire->criteria [i]->met;
        criteria [i].reason = wire->criteria [i]->reason;
    }
    out->criteria = criteria;
}

//  Packs item as the body of an upward Envelope of kind name.
static cii_rc_t
s_envelope (const char *name, const ProtobufCMessage *item, const char *message_id, uint8_t **data_p,
            size_t *size_p, cii_err_t *err)
{
    cii_codec_error_t cerr;
    cii_rc_t rc = cii_codec_encode_up (cii_kind_find (name), item, message_id, data_p, size_p, &cerr);
    if (rc != CII_OK)
        cii_err_set (err, rc, "%s", rc == CII_NO_MEMORY ? "out of memory" : cerr.text);
    return rc;
}

cii_rc_t
cii_wire_request_envelope (const cii_request_t *request, const char *message_id, uint8_t **data_p, size_t *size_p,
                           cii_err_t *err)
{
    cii_wire_request_t wire;
    cii_wire_request_fill (&wire, request);
    return s_envelope ("request", &wire.msg.base, message_id, data_p, size_p, err);
}

cii_rc_t
cii_wire_withdraw_envelope (const cii_withdraw_t *withdraw, const char *message_id, uint8_t **data_p,
                            size_t *size_p, cii_err_t *err)
{
    Cii__Withdraw wire;
    cii_wire_withdraw_fill (&wire, withdraw);
    return s_envelope ("withdraw", &wire.base, message_id, data_p, size_p, err);
}

cii_rc_t
cii_wire_status_pack (const cii_status_t *status, uint8_t **data_p, size_t *size_p, cii_err_t *err)
{
    Cii__Status wire = CII__STATUS__INIT;
    Cii__Criterion criteria [CII_MAX_CRITERIA];
    Cii__Criterion *pointers [CII_MAX_CRITERIA];
    size_t n = status->n_criteria <= CII_MAX_CRITERIA ? status->n_criteria : CII_MAX_CRITERIA;
    for (size_t i = 0; i < n; i++) {
        cii__criterion__init (&criteria [i]);
        criteria [i].id = (char *) status->criteria [i].id;
        criteria [i].met = status->criteria [i].met;
        criteria [i].reason = (char *) (status->criteria [i].reason ? status->criteria [i].reason : "");
        pointers [i] = &criteria [i];
    }
    wire.ref = (char *) status->ref;
    wire.request_id = (char *) status->request_id;
    wire.state = (char *) status->state;
    wire.organ = (char *) status->organ;
    wire.at_ms = status->at_ms;
    wire.note = (char *) (status->note ? status->note : "");
    wire.criteria = pointers;
    wire.n_criteria = n;
    wire.theme = (char *) (status->theme ? status->theme : "");
    wire.meeting = (char *) (status->meeting ? status->meeting : "");
    cii_codec_error_t cerr;
    cii_rc_t rc = cii_codec_item_pack (cii_kind_find ("status"), &wire.base, data_p, size_p, &cerr);
    if (rc != CII_OK)
        cii_err_set (err, rc, "%s", rc == CII_NO_MEMORY ? "out of memory" : cerr.text);
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  Recommendations, pushes, reports

void
cii_wire_recommendation_view (const Cii__Recommendation *wire, cii_recommendation_t *out)
{
    memset (out, 0, sizeof *out);
    out->ref = wire->ref;
    out->version = wire->version;
    out->n_translations = wire->translations ? wire->n_translations : 0;
    for (size_t i = 0; i < out->n_translations && i < CII_MAX_TRANSLATIONS; i++) {
        const Cii__Translation *t = wire->translations [i];
        s_code (out->translations [i].language, t ? t->language : NULL);
        out->translations [i].title = t ? t->title : NULL;
        out->translations [i].text = t ? t->text : NULL;
    }
    out->adopted_on = wire->adopted_on;
    out->report_by = wire->report_by;
    out->basis = (const char *const *) wire->basis;
    out->n_basis = wire->n_basis;
    out->cantons = (const char *const *) wire->cantons;
    out->n_cantons = wire->n_cantons;
    out->partners = (const char *const *) wire->partners;
    out->n_partners = wire->n_partners;
    out->all_cantons = wire->all_cantons;
    out->issued_at_ms = wire->issued_at_ms;
    out->note = wire->note;
}

cii_rc_t
cii_wire_recommendation_pack (const cii_recommendation_t *rec, uint8_t **data_p, size_t *size_p, cii_err_t *err)
{
    Cii__Recommendation wire = CII__RECOMMENDATION__INIT;
    Cii__Translation translations [CII_MAX_TRANSLATIONS];
    Cii__Translation *pointers [CII_MAX_TRANSLATIONS];
    size_t n = rec->n_translations <= CII_MAX_TRANSLATIONS ? rec->n_translations : CII_MAX_TRANSLATIONS;
    for (size_t i = 0; i < n; i++) {
        cii__translation__init (&translations [i]);
        translations [i].language = (char *) rec->translations [i].language;
        translations [i].title = (char *) rec->translations [i].title;
        translations [i].text = (char *) rec->translations [i].text;
        pointers [i] = &translations [i];
    }
    wire.ref = (char *) rec->ref;
    wire.version = rec->version;
    wire.translations = pointers;
    wire.n_translations = n;
    wire.adopted_on = (char *) rec->adopted_on;
    wire.report_by = (char *) rec->report_by;
    wire.basis = (char **) rec->basis;
    wire.n_basis = rec->n_basis;
    wire.cantons = (char **) rec->cantons;
    wire.n_cantons = rec->n_cantons;
    wire.partners = (char **) rec->partners;
    wire.n_partners = rec->n_partners;
    wire.all_cantons = rec->all_cantons;
    wire.issued_at_ms = rec->issued_at_ms;
    wire.note = (char *) (rec->note ? rec->note : "");
    cii_codec_error_t cerr;
    cii_rc_t rc = cii_codec_item_pack (cii_kind_find ("recommendation"), &wire.base, data_p, size_p, &cerr);
    if (rc != CII_OK)
        cii_err_set (err, rc, "%s", rc == CII_NO_MEMORY ? "out of memory" : cerr.text);
    return rc;
}

void
cii_wire_push_view (const Cii__PushState *wire, cii_push_t *out)
{
    memset (out, 0, sizeof *out);
    out->ref = wire->ref;
    out->version = wire->version;
    s_code (out->canton, wire->canton);
    out->state = wire->state;
    out->adapter = wire->adapter;
    out->detail = wire->detail;
    out->attempts = wire->attempts;
    out->at_ms = wire->at_ms;
}

cii_rc_t
cii_wire_push_envelope (const cii_push_t *push, const char *message_id, uint8_t **data_p, size_t *size_p,
                        cii_err_t *err)
{
    Cii__PushState wire = CII__PUSH_STATE__INIT;
    wire.ref = (char *) push->ref;
    wire.version = push->version;
    wire.canton = (char *) push->canton;
    wire.state = (char *) push->state;
    wire.adapter = (char *) push->adapter;
    wire.detail = (char *) (push->detail ? push->detail : "");
    wire.attempts = push->attempts;
    wire.at_ms = push->at_ms;
    return s_envelope ("push", &wire.base, message_id, data_p, size_p, err);
}

void
cii_wire_report_view (const Cii__Report *wire, cii_report_t *out)
{
    memset (out, 0, sizeof *out);
    out->ref = wire->ref;
    s_code (out->canton, wire->canton);
    out->state = wire->state;
    out->note = wire->note;
    out->at_ms = wire->at_ms;
    out->version = wire->version;
    out->source = wire->source;
}

cii_rc_t
cii_wire_report_envelope (const cii_report_t *report, const char *message_id, uint8_t **data_p, size_t *size_p,
                          cii_err_t *err)
{
    Cii__Report wire = CII__REPORT__INIT;
    wire.ref = (char *) report->ref;
    wire.canton = (char *) report->canton;
    wire.state = (char *) report->state;
    wire.note = (char *) (report->note ? report->note : "");
    wire.at_ms = report->at_ms;
    wire.version = report->version;
    wire.source = (char *) (report->source ? report->source : "");
    return s_envelope ("report", &wire.base, message_id, data_p, size_p, err);
}
