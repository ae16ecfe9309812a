/*  hub_cli_notices.c — `cii-hub notice` (send one through hub_notices_send: --to, --title, --text or
    --text-file) and `cii-hub notices` (the table of notices with recipients and acks, or JSON). */
#include "hub_cli_verbs.h"
#include "hub_notices.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cii_domain.h"
#include "cii_util.h"

//  Splits --to into network names ("all" gives none): a new array *names_p (free) pointing into
//  *copy_p (free). Returns how many, or -1 when --to names nothing (or out of memory).
static int
s_split_to (const char *to, const char ***names_p, char **copy_p)
{
    *names_p = NULL;
    *copy_p = NULL;
    if (streq (to, "all"))
        return 0;
    size_t slots = 1;
    for (const char *p = to; *p; p++)
        slots += *p == ',';
    char *copy = strdup (to);
    const char **names = calloc (slots, sizeof *names);
    if (!copy || !names) {
        free (copy);
        free (names);
        return -1;
    }
    int count = 0;
    char *save = NULL;
    for (char *name = strtok_r (copy, ",", &save); name; name = strtok_r (NULL, ",", &save))
        names [count++] = name;
    *names_p = names;
    *copy_p = copy;
    return count > 0 ? count : -1;
}

int
hub_cli_notice (cii_cli_t *cli)
{
    const char *to = cii_cli_opt (cli, "to");
    const char *title = cii_cli_opt (cli, "title");
    const char *text = cii_cli_opt (cli, "text");
    const char *text_file = cii_cli_opt (cli, "text-file");
    if (!to || !title)
        return cii_cli_usage (cli, "--to and --title are required");
    if ((text != NULL) == (text_file != NULL))
        return cii_cli_usage (cli, "give exactly one of --text and --text-file");
    const char **names = NULL;
    char *to_copy = NULL;
    int count = s_split_to (to, &names, &to_copy);
    if (count < 0) {
        free (names);
        free (to_copy);
        return cii_cli_usage (cli, "--to needs 'all' or network names");
    }

    int code = CII_CLI_OK;
    cii_err_t err;
    cii_err_clear (&err);
    char *file_text = NULL;
    hub_store_t *store = NULL;
    if (text_file) {
        //  The protocol limit bounds the read: a larger file is refused before it is read.
        size_t size = 0;
        if (cii_util_read_file_max (text_file, CII_MAX_TEXT, &file_text, &size, &err) != CII_OK) {
            code = cii_cli_fail (cli, &err);
            goto cleanup;
        }
        if (strlen (file_text) != size) {
            code = cii_cli_refuse (cli, "%s holds a NUL byte", text_file);
            goto cleanup;
        }
        text = file_text;
    }
    store = hub_cli_connect (cli, &code);
    if (!store)
        goto cleanup;
    cii_notice_t notice = {
        .title = title,
        .text = text,
        .networks = names,
        .n_networks = (size_t) count,
    };
    hub_notice_sent_t sent;
    if (hub_notices_send (store, &notice, &sent, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "id", json_integer (sent.id));
        cii_json_set (doc, "recipients", json_integer (sent.recipients));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "notice %" PRId64 " queued for %" PRId64 " agent%s\n", sent.id, sent.recipients,
                 sent.recipients == 1 ? "" : "s");

cleanup:
    hub_store_destroy (&store);
    free (file_text);
    free (names);
    free (to_copy);
    return code;
}

static json_t *
s_notice_json (const hub_notice_row_t *r)
{
    json_t *notice = json_object ();
    cii_json_set (notice, "id", json_integer (r->id));
    cii_json_set (notice, "title", cii_json_str (r->title));
    cii_json_set (notice, "text", cii_json_str (r->text));
    cii_json_set (notice, "networks", cii_json_list (r->networks));
    cii_json_set (notice, "issued_at", cii_json_time (r->issued_at_ms));
    cii_json_set (notice, "recipients", json_integer (r->recipients));
    cii_json_set (notice, "acked", json_integer (r->acked));
    return notice;
}

static bool
s_notice_row (const hub_notice_row_t *r, void *arg)
{
    hub_cli_listing_t *listing = (hub_cli_listing_t *) arg;
    if (listing->list)
        return hub_cli_listing_add (listing, s_notice_json (r));
    FILE *out = cii_cli_out (listing->cli);
    if (listing->rows++ == 0)
        fprintf (out, "%6s  %-24s  %-24s  %10s  %6s  %s\n", "ID", "ISSUED", "TO", "RECIPIENTS", "ACKED", "TITLE");
    char issued [32];
    hub_cli_time (r->issued_at_ms, issued);
    fprintf (out, "%6" PRId64 "  %-24s  %-24s  %10" PRId64 "  %6" PRId64 "  %s\n", r->id, issued,
             *r->networks ? r->networks : "all", r->recipients, r->acked, r->title);
    return true;
}

int
hub_cli_notices (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    hub_cli_listing_t listing;
    hub_cli_listing_init (&listing, cli);
    cii_rc_t rc = listing.failed ? CII_OK : hub_notices_list (store, s_notice_row, &listing, &listing.err);
    code = hub_cli_listing_end (&listing, rc, "no notices");
    hub_store_destroy (&store);
    return code;
}
