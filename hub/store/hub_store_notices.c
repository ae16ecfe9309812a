/*  hub_store_notices.c — bureau notices (see hub_store_notices.h). */
#include "hub_store_notices.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

void
hub_store_notice_subject (int64_t id, char buf [32])
{
    snprintf (buf, 32, "notice:%" PRId64, id);
}

cii_rc_t
hub_store_notice_add (hub_store_t *self, const cii_notice_t *notice, int64_t *id_p, int64_t *issued_at_ms_p)
{
    assert (notice && id_p && issued_at_ms_p);
    char *nets = hub_store_text_array (notice->networks, notice->n_networks);
    if (!nets)
        return CII_NO_MEMORY;
    const char *values [] = { notice->title, notice->text, nets };
    hub_rows_t *rows = hub_store_query (self, "notice",
                                        "INSERT INTO notices (title, text, networks) VALUES ($1, $2, $3::text[]) "
                                        "RETURNING id, " HUB_SQL_MS ("issued_at"), 3, values);
    free (nets);
    if (!rows)
        return hub_store_rc (self);
    cii_rc_t rc = CII_FAILED;
    if (hub_rows_next (rows)) {
        *id_p = hub_rows_i64 (rows, 0);
        *issued_at_ms_p = hub_rows_i64 (rows, 1);
        rc = CII_OK;
    }
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_networks_exist (hub_store_t *self, const char *const *networks, size_t count, cii_err_t *err)
{
    if (count == 0)
        return CII_OK;
    char *nets = hub_store_text_array (networks, count);
    if (!nets)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    const char *values [] = { nets };
    hub_rows_t *rows = hub_store_query (self, "networks exist",
                                        "SELECT n FROM unnest ($1::text[]) AS n WHERE NOT EXISTS "
                                        "(SELECT 1 FROM networks WHERE name = n) LIMIT 1", 1, values);
    free (nets);
    if (!rows)
        return hub_store_fail (self, err);
    cii_rc_t rc = CII_OK;
    if (hub_rows_next (rows))
        rc = cii_err_set (err, CII_NOT_FOUND, "unknown network %s", hub_rows_text (rows, 0));
    hub_rows_destroy (&rows);
    return rc;
}

cii_rc_t
hub_store_notices (hub_store_t *self, hub_notice_fn *fn, void *arg)
{
    assert (fn);
    hub_rows_t *rows = hub_store_query (self, "notices",
                                        "SELECT n.id, n.title, n.text, array_to_string (n.networks, ','), "
                                        HUB_SQL_MS ("n.issued_at") ", count (d.agent_id), count (d.acked_at) "
                                        "FROM notices n LEFT JOIN downward d ON d.subject = 'notice:' || n.id "
                                        "GROUP BY n.id ORDER BY n.id", 0, NULL);
    if (!rows)
        return hub_store_rc (self);
    while (hub_rows_next (rows)) {
        hub_notice_row_t row = {
            .id = hub_rows_i64 (rows, 0),
            .title = hub_rows_text (rows, 1),
            .text = hub_rows_text (rows, 2),
            .networks = hub_rows_text (rows, 3),
            .issued_at_ms = hub_rows_i64 (rows, 4),
            .recipients = hub_rows_i64 (rows, 5),
            .acked = hub_rows_i64 (rows, 6),
        };
        if (!fn (&row, arg))
            break;
    }
    hub_rows_destroy (&rows);
    return CII_OK;
}
