/*  agent_cli_setup.c — the verbs about the agent as a whole: `init` (a state from an enrollment
    bundle), `run` (the daemon) and `status`. */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <string.h>

#include "agent_daemon.h"
#include "agent_query.h"
#include "agent_setup.h"
#include "cii_util.h"

//  Room for a network's cantons as "VD, VS, GE".
#define S_CANTONS_TEXT (sizeof ((cii_bundle_t *) 0)->cantons * 2)

int
agent_cli_init (cii_cli_t *cli)
{
    const char *bundle_path = cii_cli_opt (cli, "bundle");
    if (!bundle_path || !*bundle_path)
        return cii_cli_usage (cli, "--bundle FILE is required");
    int code = CII_CLI_OK;
    const char *dir = agent_cli_state_dir (cli, &code);
    if (!dir)
        return code;
    cii_bundle_t config;
    cii_err_t err;
    if (agent_setup_init (dir, bundle_path, &config, &err) != CII_OK)
        return cii_cli_fail (cli, &err);
    if (cii_cli_json (cli)) {
        json_t *result = json_object ();
        cii_json_set (result, "network", cii_json_str (config.network));
        cii_json_set (result, "cantons", cii_json_list (config.cantons));
        cii_json_set (result, "endpoint", cii_json_str (config.endpoint));
        cii_json_set (result, "state", cii_json_str (dir));
        return cii_cli_print_json (cli, result);
    }
    char cantons [S_CANTONS_TEXT];
    agent_setup_cantons_text (config.cantons, cantons, sizeof cantons);
    fprintf (cii_cli_out (cli), "initialised network %s (cantons %s) in %s; hub %s\n", config.network, cantons,
             dir, config.endpoint);
    return CII_CLI_OK;
}

int
agent_cli_daemon (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    const char *dir = agent_cli_state_dir (cli, &code);
    if (!dir)
        return code;
    return agent_daemon_run (dir) == 0 ? CII_CLI_OK : CII_CLI_REFUSED;
}

static json_t *
s_status_json (const agent_status_t *status)
{
    json_t *result = json_object ();
    cii_json_set (result, "network", cii_json_str (status->config.network));
    cii_json_set (result, "cantons", cii_json_list (status->config.cantons));
    cii_json_set (result, "endpoint", cii_json_str (status->config.endpoint));
    cii_json_set (result, "agent_public", cii_json_str (status->config.agent_public));
    json_t *daemon = json_null ();
    if (status->daemon_known) {
        daemon = json_object ();
        cii_json_set (daemon, "status", cii_json_str (status->daemon.status));
        cii_json_set (daemon, "detail", cii_json_str (status->daemon.detail));
        cii_json_set (daemon, "time", cii_json_time (status->daemon.time_ms));
        cii_json_set (daemon, "running", json_boolean (status->running));
        cii_json_set (daemon, "replaced", json_integer (status->daemon.replaced_count));
        cii_json_set (daemon, "last_replaced", cii_json_time (status->daemon.replaced_ms));
        cii_json_set (daemon, "replaced_recently", json_boolean (status->replaced_recently));
    }
    cii_json_set (result, "daemon", daemon);
    cii_json_set (result, "outbox", json_integer (status->outbox));
    cii_json_set (result, "outbox_held", json_integer (status->outbox_held));
    cii_json_set (result, "last_seq", json_integer (status->last_seq));
    char epoch [24];
    snprintf (epoch, sizeof epoch, "%" PRIu64, status->epoch);
    cii_json_set (result, "epoch", cii_json_str (epoch));
    cii_json_set (result, "schema_version", json_integer (status->schema_version));
    return result;
}

int
agent_cli_status (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    agent_status_t status;
    cii_err_t err;
    cii_rc_t rc = agent_query_status (store, &status, &err);
    if (rc != CII_OK) {
        agent_store_destroy (&store);
        return cii_cli_fail (cli, &err);
    }
    if (cii_cli_json (cli)) {
        json_t *result = s_status_json (&status);
        rc = agent_cli_status_pushes (store, NULL, result, &err);
        agent_store_destroy (&store);
        if (rc != CII_OK) {
            json_decref (result);
            return cii_cli_fail (cli, &err);
        }
        return cii_cli_print_json (cli, result);
    }
    FILE *out = cii_cli_out (cli);
    char cantons [S_CANTONS_TEXT];
    agent_setup_cantons_text (status.config.cantons, cantons, sizeof cantons);
    char when [32] = "";
    if (status.daemon.time_ms > 0)
        cii_util_iso8601 (status.daemon.time_ms, when);
    const agent_daemon_status_t *daemon = &status.daemon;
    fprintf (out, "network   %s\n", status.config.network);
    fprintf (out, "cantons   %s\n", cantons);
    fprintf (out, "hub       %s\n", status.config.endpoint);
    fprintf (out, "agent key %s\n", status.config.agent_public);
    if (status.dead)
        fprintf (out, "daemon    NOT RUNNING (it died; last recorded: %s at %s)\n", daemon->status, when);
    else
    if (status.daemon_known)
        fprintf (out, "daemon    %s%s%s%s (recorded %s)\n", daemon->status, *daemon->detail ? " (" : "",
                 daemon->detail, *daemon->detail ? ")" : "", when);
    else
        fprintf (out, "daemon    never ran\n");
    if (status.replaced_recently) {
        char last [32];
        cii_util_iso8601 (daemon->replaced_ms, last);
        fprintf (out, "WARNING   another process with this agent's key took the session over %" PRId64 " time%s, "
                 "last at %s: is the same enrollment bundle initialised twice? Run one cii-agent per bundle "
                 "(stop the other one)\n", daemon->replaced_count, daemon->replaced_count == 1 ? "" : "s", last);
    }
    if (status.outbox_held > 0)
        fprintf (out, "outbox    %" PRId64 " waiting (%" PRId64 " held until the signals they name are receipted)\n",
                 status.outbox, status.outbox_held);
    else
        fprintf (out, "outbox    %" PRId64 " waiting\n", status.outbox);
    if (status.epoch != 0)
        fprintf (out, "last seq  %" PRId64 " (stream epoch %" PRIu64 ")\n", status.last_seq, status.epoch);
    else
        fprintf (out, "last seq  %" PRId64 "\n", status.last_seq);
    rc = agent_cli_status_pushes (store, out, NULL, &err);
    agent_store_destroy (&store);
    return rc == CII_OK ? CII_CLI_OK : cii_cli_fail (cli, &err);
}
