/*  hub_cli_request_new.c — `cii-hub request new --from-monitoring REC --title T --summary S
    [--language fr|de|it|rm] [--json]`: the bureau opens a national request from the monitoring of a
    recommendation (plan 3.4; hub_requests_from_monitoring). It then goes through the gate, the
    agendas and the decisions like any request. */
#include "hub_cli_verbs.h"
#include "hub_requests.h"

int
hub_cli_request_new (cii_cli_t *cli)
{
    const char *rec = cii_cli_opt (cli, "from-monitoring");
    const char *title = cii_cli_opt (cli, "title");
    const char *summary = cii_cli_opt (cli, "summary");
    if (!rec)
        return cii_cli_usage (cli, "--from-monitoring REC is required (the recommendation whose monitoring leads to "
                              "the request)");
    if (!title)
        return cii_cli_usage (cli, "--title is required");
    if (!summary)
        return cii_cli_usage (cli, "--summary is required");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_national_t made;
    if (hub_requests_from_monitoring (store, rec, title, summary, cii_cli_opt (cli, "language"), &made, &err)
        != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (made.ref));
        cii_json_set (doc, "from_rec", cii_json_str (made.rec));
        cii_json_set (doc, "network", json_null ());
        cii_json_set (doc, "state", cii_json_str (made.state));
        cii_json_set (doc, "organ", cii_json_str (made.organ));
        cii_json_set (doc, "note", cii_json_str (made.note));
        cii_json_set (doc, "received_at", cii_json_time (made.at_ms));
        code = cii_cli_print_json (cli, doc);
    }
    else
        fprintf (cii_cli_out (cli), "%s: national request opened from the monitoring of %s (%s by the %s)\n", made.ref,
                 made.rec, made.state, made.organ);
    hub_store_destroy (&store);
    return code;
}
