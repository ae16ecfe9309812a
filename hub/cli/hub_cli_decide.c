/*  hub_cli_decide.c — `cii-hub decide REF --to STATE --organ ORGAN [--meeting M-YYYY-NN] [--note TEXT]
    [--json]` (one transition of a request, or of each request of a theme, in a meeting or not:
    hub_flow_decide_in) and `cii-hub gate
    [--c3-min-cantons N] [--c3-min-networks N] [--c3-min-similarity X] [--json]` (the admissibility criteria and the bureau's
    C3 thresholds, shown or set: hub_gate). */
#include "hub_cli_verbs.h"
#include "hub_flow.h"
#include "hub_gate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int
hub_cli_decide (cii_cli_t *cli)
{
    const char *ref = cii_cli_arg (cli, 0);
    const char *to = cii_cli_opt (cli, "to");
    const char *organ = cii_cli_opt (cli, "organ");
    if (!to || !organ)
        return cii_cli_usage (cli, "--to and --organ are required");
    int code = CII_CLI_OK;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_decision_t decision;
    if (hub_flow_decide_in (store, ref, to, organ, cii_cli_opt (cli, "meeting"), cii_cli_opt (cli, "note"), &decision,
                            &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "ref", cii_json_str (decision.ref));
        cii_json_set (doc, "state", cii_json_str (decision.to));
        cii_json_set (doc, "organ", cii_json_str (decision.organ));
        cii_json_set (doc, "meeting", cii_json_str (*decision.meeting ? decision.meeting : NULL));
        cii_json_set (doc, "at", cii_json_time (decision.at_ms));
        json_t *moved = json_array ();
        for (size_t i = 0; i < decision.count; i++) {
            json_t *row = json_object ();
            cii_json_set (row, "ref", cii_json_str (decision.moved [i].ref));
            cii_json_set (row, "from", cii_json_str (decision.moved [i].from));
            json_array_append_new (moved, row);
        }
        cii_json_set (doc, "requests", moved);
        code = cii_cli_print_json (cli, doc);
    }
    else
        for (size_t i = 0; i < decision.count; i++)
            fprintf (cii_cli_out (cli), "%s: %s -> %s (%s%s%s)\n", decision.moved [i].ref, decision.moved [i].from,
                     decision.to, decision.organ, *decision.meeting ? ", " : "", decision.meeting);
    hub_decision_clear (&decision);
    hub_store_destroy (&store);
    return code;
}

//  Reads the value of a threshold option into *value: true when given (a usage error in *code
//  when it is not a whole number).
static bool
s_number (cii_cli_t *cli, const char *name, int *value, int *code)
{
    const char *text = cii_cli_opt (cli, name);
    if (!text)
        return false;
    char *end = NULL;
    long n = strtol (text, &end, 10);
    if (end == text || *end || n < -1000000 || n > 1000000) {
        *code = cii_cli_usage (cli, "--%s needs a whole number", name);
        return false;
    }
    *value = (int) n;
    return true;
}

//  The same for a decimal number (--c3-min-similarity 0.4).
static bool
s_decimal (cii_cli_t *cli, const char *name, double *value, int *code)
{
    const char *text = cii_cli_opt (cli, name);
    if (!text)
        return false;
    char *end = NULL;
    double x = strtod (text, &end);
    if (end == text || *end || !(x >= -1e6 && x <= 1e6)) {
        *code = cii_cli_usage (cli, "--%s needs a number such as 0.4", name);
        return false;
    }
    *value = x;
    return true;
}

int
hub_cli_gate (cii_cli_t *cli)
{
    int code = CII_CLI_OK, cantons = 0, networks = 0;
    double similarity = 0;
    bool set_cantons = s_number (cli, "c3-min-cantons", &cantons, &code);
    if (code != CII_CLI_OK)
        return code;
    bool set_networks = s_number (cli, "c3-min-networks", &networks, &code);
    if (code != CII_CLI_OK)
        return code;
    bool set_similarity = s_decimal (cli, "c3-min-similarity", &similarity, &code);
    if (code != CII_CLI_OK)
        return code;
    bool setting = set_cantons || set_networks || set_similarity;
    hub_store_t *store = hub_cli_connect (cli, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    hub_gate_thresholds_t thresholds;
    size_t reevaluated = 0;
    cii_rc_t rc = setting
                ? hub_gate_set_thresholds (store, set_cantons ? &cantons : NULL, set_networks ? &networks : NULL,
                                           set_similarity ? &similarity : NULL, &thresholds, &reevaluated, &err)
                : hub_gate_thresholds (store, &thresholds, &err);
    if (rc != CII_OK)
        code = cii_cli_fail (cli, &err);
    else
    if (cii_cli_json (cli)) {
        json_t *doc = json_object ();
        cii_json_set (doc, "c3_min_cantons", json_integer (thresholds.min_cantons));
        cii_json_set (doc, "c3_min_networks", json_integer (thresholds.min_networks));
        cii_json_set (doc, "c3_min_similarity", json_real (thresholds.min_similarity));
        json_t *criteria = json_array ();
        char id [4], text [400];
        for (size_t i = 0; hub_gate_describe (i, &thresholds, id, text, sizeof text); i++) {
            json_t *row = json_object ();
            cii_json_set (row, "id", cii_json_str (id));
            cii_json_set (row, "asks", cii_json_str (text));
            json_array_append_new (criteria, row);
        }
        cii_json_set (doc, "criteria", criteria);
        if (setting)
            cii_json_set (doc, "reevaluated", json_integer ((json_int_t) reevaluated));
        code = cii_cli_print_json (cli, doc);
    }
    else {
        FILE *out = cii_cli_out (cli);
        char id [4], text [400];
        for (size_t i = 0; hub_gate_describe (i, &thresholds, id, text, sizeof text); i++)
            fprintf (out, "%-3s %s\n", id, text);
        fprintf (out, "thresholds: c3_min_cantons %d, c3_min_networks %d, c3_min_similarity %.2f\n",
                 thresholds.min_cantons, thresholds.min_networks, thresholds.min_similarity);
        if (setting)
            fprintf (out, "criteria re-evaluated for %zu request%s at the gate\n", reevaluated,
                     reevaluated == 1 ? "" : "s");
    }
    hub_store_destroy (&store);
    return code;
}
