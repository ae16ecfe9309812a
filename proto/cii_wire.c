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
