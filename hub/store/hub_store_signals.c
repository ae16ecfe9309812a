/*  hub_store_signals.c — the signal ingest shape and the listing (see hub_store_signals.h). */
#include "hub_store_signals.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define S_LIST 128        //  bytes of one comma list of names (all six institutions fit)

//  Joins enum names with commas into buf ("invalidity,social-aid"). CII_BAD_INPUT for an unknown
//  value or a list that does not fit.
static cii_rc_t
s_join_names (const int *values, size_t count, const char *(*name_of) (int), char *buf, size_t size)
{
    size_t used = 0;
    buf [0] = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = name_of (values [i]);
        if (!name)
            return CII_BAD_INPUT;
        int n = snprintf (buf + used, size - used, "%s%s", i ? "," : "", name);
        if (n < 0 || (size_t) n >= size - used)
            return CII_BAD_INPUT;
        used += (size_t) n;
    }
    return CII_OK;
}

static cii_rc_t
s_signal_row (const void *item, const char **values, char *scratch, size_t scratch_size)
{
    const cii_signal_t *sig = item;
    assert (scratch_size >= 2 * S_LIST + 24);
    (void) scratch_size;
    if (!sig || !sig->canton [0] || !sig->title || !sig->description || !sig->language [0]
    ||  sig->n_institutions > CII_MAX_INSTITUTIONS || sig->n_target_groups > CII_MAX_TARGET_GROUPS)
        return CII_BAD_INPUT;
    int inst [CII_MAX_INSTITUTIONS], groups [CII_MAX_TARGET_GROUPS];
    for (size_t i = 0; i < sig->n_institutions; i++)
        inst [i] = (int) sig->institutions [i];
    for (size_t i = 0; i < sig->n_target_groups; i++)
        groups [i] = (int) sig->target_groups [i];
    if (s_join_names (inst, sig->n_institutions, cii_domain_institution_name, scratch, S_LIST)
    ||  s_join_names (groups, sig->n_target_groups, cii_domain_target_group_name, scratch + S_LIST, S_LIST))
        return CII_BAD_INPUT;
    snprintf (scratch + 2 * S_LIST, 24, "%" PRId64, sig->created_at_ms);
    values [0] = sig->canton;
    values [1] = sig->title;
    values [2] = sig->description;
    values [3] = scratch;
    values [4] = scratch + S_LIST;
    values [5] = sig->national_reason ? sig->national_reason : "";
    values [6] = sig->language;
    values [7] = scratch + 2 * S_LIST;
    return CII_OK;
}

static const hub_ingest_column_t s_signal_columns [] = {
    { "canton", "text" }, { "title", "text" }, { "description", "text" }, { "institutions", "text" },
    { "target_groups", "text" }, { "reason", "text" }, { "language", "text" }, { "created_ms", "bigint" },
};

const hub_ingest_shape_t hub_store_signal_shape = {
    .kind = "signal",
    .statement = "cii_ingest_signal",
    .id_sql = "nextval ('signals_id_seq')",
    .ref_sql = "'SIG-' || id",
    .columns = s_signal_columns,
    .ncolumns = sizeof s_signal_columns / sizeof s_signal_columns [0],
    .insert_sql =
        "INSERT INTO signals (id, agent_id, network, canton, title, description, institutions, "
        "                     target_groups, national_reason, language, created_at, received_at, message_id) "
        "SELECT f.id, f.agent_id, f.network, f.canton, f.title, f.description, "
        "       string_to_array (f.institutions, ','), "
        "       coalesce (string_to_array (nullif (f.target_groups, ''), ','), '{}'), f.reason, f.language, "
        "       timestamptz 'epoch' + f.created_ms * interval '1 millisecond', l.received_at, f.message_id "
        "FROM fresh f JOIN log l ON l.agent_id = f.agent_id AND l.message_id = f.message_id",
    .row = s_signal_row,
    .scratch_size = 2 * S_LIST + 24,
};

cii_rc_t
hub_store_signals (hub_store_t *self, const char *network, hub_signal_fn *fn, void *arg)
{
    assert (fn);
    const char *values [] = { network };
    hub_rows_t *rows = hub_store_query (self, "signals",
                                        "SELECT id, ref, network, canton, title, description, "
                                        "array_to_string (institutions, ','), array_to_string (target_groups, ','), "
                                        "national_reason, language, " HUB_SQL_MS ("created_at") ", "
                                        HUB_SQL_MS ("received_at") " "
                                        "FROM signals WHERE $1::text IS NULL OR network = $1::text ORDER BY id",
                                        1, values);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_signal_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .ref = hub_rows_text (rows, 1),
            .network = hub_rows_text (rows, 2),
            .canton = hub_rows_text (rows, 3),
            .title = hub_rows_text (rows, 4),
            .description = hub_rows_text (rows, 5),
            .institutions = hub_rows_text (rows, 6),
            .target_groups = hub_rows_text (rows, 7),
            .national_reason = hub_rows_text (rows, 8),
            .language = hub_rows_text (rows, 9),
            .created_at_ms = hub_rows_i64 (rows, 10),
            .received_at_ms = hub_rows_i64 (rows, 11),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
