/*  unit_hub.c — hub databases and facts for the hub's unit tests (see unit_hub.h). */
#include "unit_hub.h"
#include "unit_fs.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "cii_migration.h"
#include "hub_flow.h"
#include "hub_store_schema.h"

unit_hub_t *
unit_hub_new (const char *label, bool migrate)
{
    zsys_init ();
    zsys_set_logstream (NULL);          //  expected refusals would clutter the test output
    unit_hub_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    self->pg = unit_pg_new (label);
    self->dir = unit_dir_new (label);
    cii_err_t err;
    cii_err_clear (&err);
    self->store = hub_store_new (self->pg->conninfo, &err);
    if (!self->store)
        fail_msg ("hub_store_new: %s", err.text);
    int version = 0;
    if (migrate && hub_store_migrate (self->store, &version, &err) != CII_OK)
        fail_msg ("hub_store_migrate: %s", err.text);
    return self;
}

void
unit_hub_destroy (unit_hub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    unit_hub_t *self = *self_p;
    hub_store_destroy (&self->store);
    unit_pg_destroy (&self->pg);
    unit_dir_destroy (&self->dir);
    free (self);
    *self_p = NULL;
}

int
unit_hub_setup (void **state)
{
    *state = unit_hub_new ("hub", true);
    return 0;
}

int
unit_hub_setup_empty (void **state)
{
    *state = unit_hub_new ("hub", false);
    return 0;
}

int
unit_hub_teardown (void **state)
{
    unit_hub_t *self = *state;
    unit_hub_destroy (&self);
    *state = NULL;
    return 0;
}

void
unit_hub_migrate_to (unit_hub_t *self, int version)
{
    assert_non_null (self);
    //  The bookkeeping table as hub_store_migrate creates it.
    unit_pg_exec (self->pg, "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, "
                            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now ())");
    for (size_t i = 0; i < hub_migrations_count; i++) {
        const cii_migration_t *m = &hub_migrations [i];
        if (m->version > version)
            break;
        if (unit_pg_int (self->pg, "SELECT count(*) FROM schema_migrations WHERE version = %d", m->version))
            continue;
        //  The file holds several statements: no formatting of its text.
        unit_pg_exec (self->pg, "%s", m->sql);
        unit_pg_exec (self->pg, "INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')", m->version,
                      m->name);
    }
}

void
unit_hub_key (char key [41])
{
    zcert_t *cert = zcert_new ();
    assert_non_null (cert);
    snprintf (key, 41, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
}

int64_t
unit_hub_enrol (unit_hub_t *self, const char *network)
{
    assert_non_null (self);
    char key [41];
    unit_hub_key (key);
    int64_t id = 0;
    cii_err_t err;
    cii_err_clear (&err);
    if (hub_store_enroll (self->store, network, key, &id, &err) != CII_OK)
        fail_msg ("enrol %s: %s", network, err.text);
    assert_true (id > 0);
    return id;
}

void
unit_hub_text_is (unit_hub_t *self, const char *expected, const char *format, ...)
{
    char query [600];
    va_list args;
    va_start (args, format);
    vsnprintf (query, sizeof query, format, args);
    va_end (args);
    char *text = unit_pg_text (self->pg, "%s", query);
    if (strcmp (text, expected) != 0)
        fail_msg ("%s: got \"%s\", expected \"%s\"", query, text, expected);
    free (text);
}

void
unit_hub_decide (unit_hub_t *self, const char *ref, const char *to, const char *organ, const char *meeting,
                 const char *note)
{
    cii_err_t err;
    cii_err_clear (&err);
    hub_decision_t d;
    if (hub_flow_decide_in (self->store, ref, to, organ, meeting, note, &d, &err) != CII_OK)
        fail_msg ("%s -> %s by %s: %s", ref, to, organ, err.text);
    hub_decision_clear (&d);
}

hub_agent_row_t
unit_hub_agent (unit_hub_t *self, int64_t id)
{
    assert_non_null (self);
    hub_agent_row_t *rows = NULL;
    size_t count = 0;
    assert_int_equal (hub_store_agent_list (self->store, &rows, &count), CII_OK);
    hub_agent_row_t found;
    memset (&found, 0, sizeof found);
    for (size_t i = 0; i < count; i++)
        if (rows [i].id == id)
            found = rows [i];
    free (rows);
    if (found.id != id)
        fail_msg ("no agent %lld", (long long) id);
    return found;
}

//  --------------------------------------------------------------------------------------------
//  The probe shape

static cii_rc_t
s_probe_row (const void *item, const char **values, char *scratch, size_t scratch_size)
{
    const unit_probe_t *probe = item;
    if (!probe || !probe->text)
        return CII_BAD_INPUT;
    snprintf (scratch, scratch_size, "%" PRId64, probe->number);
    values [0] = probe->text;
    values [1] = scratch;
    return CII_OK;
}

static const hub_ingest_column_t s_probe_columns [] = { { "text", "text" }, { "number", "bigint" } };

const hub_ingest_shape_t unit_hub_probe_shape = {
    .kind = "probe-up",
    .statement = "unit_ingest_probe",
    .id_sql = "nextval ('probes_id_seq')",
    .ref_sql = "'PRB-' || id",
    .columns = s_probe_columns,
    .ncolumns = sizeof s_probe_columns / sizeof s_probe_columns [0],
    .insert_sql = "INSERT INTO probes (id, ref, agent_id, network, text, number, received_at, message_id) "
                  "SELECT f.id, 'PRB-' || f.id, f.agent_id, f.network, f.text, f.number, l.received_at, "
                  "       f.message_id "
                  "FROM fresh f JOIN log l ON l.agent_id = f.agent_id AND l.message_id = f.message_id",
    .row = s_probe_row,
    .scratch_size = 24,
};

void
unit_hub_probe_table (unit_hub_t *self)
{
    assert_non_null (self);
    unit_pg_exec (self->pg, "CREATE TABLE probes (id bigserial PRIMARY KEY, ref text NOT NULL, agent_id bigint NOT NULL, "
                            "network text NOT NULL, text text NOT NULL, number bigint NOT NULL CHECK (number >= 0), "
                            "received_at timestamptz NOT NULL, message_id text NOT NULL)");
}
