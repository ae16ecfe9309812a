/*  agent_cli_cantons.c — `canton set` (a canton's push adapter: exec, dir, webhook or none) and
    `cantons` (each canton of the network with its languages, adapter, target and push counts). */
#include "agent_cli_verbs.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agent_push.h"
#include "cii_util.h"

//  Copies an option's value into dst, refusing one too long for the state.
static bool
s_copy_opt (cii_cli_t *cli, const char *name, char *dst, size_t size, int *code_p)
{
    const char *value = cii_cli_opt (cli, name);
    if (!value)
        return true;
    if (strlen (value) >= size) {
        *code_p = cii_cli_usage (cli, "--%s: longer than %zu bytes", name, size - 1);
        return false;
    }
    agent_store_copy (dst, size, value);
    return true;
}

//  The options that belong to adapters other than `adapter` are a usage error.
static bool
s_only_options_of (cii_cli_t *cli, const char *adapter, int *code_p)
{
    static const struct {
        const char *option;
        const char *adapters;
    } owners [] = {
        { "command", "exec" }, { "timeout", "exec webhook" }, { "path", "dir" }, { "url", "webhook" },
        { "secret-file", "webhook" },
    };
    for (size_t i = 0; i < sizeof owners / sizeof owners [0]; i++)
        if (cii_cli_opt (cli, owners [i].option) && !strstr (owners [i].adapters, adapter)) {
            *code_p = cii_cli_usage (cli, "--%s does not go with --push %s", owners [i].option, adapter);
            return false;
        }
    return true;
}

int
agent_cli_canton_set (cii_cli_t *cli)
{
    const char *canton = cii_cli_arg (cli, 0);
    const char *adapter = cii_cli_opt (cli, "push");
    if (!adapter)
        return cii_cli_usage (cli, "--push: required (exec, dir, webhook or none)");
    if (strcmp (adapter, "none") != 0 && !cii_domain_push_adapter_valid (adapter))
        return cii_cli_usage (cli, "--push: \"%s\" is not exec, dir, webhook or none", adapter);
    int code = CII_CLI_OK;
    if (!s_only_options_of (cli, adapter, &code))
        return code;
    agent_canton_push_t push;
    memset (&push, 0, sizeof push);
    agent_store_copy (push.canton, sizeof push.canton, canton);
    if (strlen (canton) != 2 || !cii_domain_canton_valid (canton))
        return cii_cli_refuse (cli, "canton: unknown canton \"%s\"", canton);
    agent_store_copy (push.adapter, sizeof push.adapter, adapter);
    push.timeout_ms = 30000;
    const char *timeout = cii_cli_opt (cli, "timeout");
    if (timeout) {
        char *end = NULL;
        long seconds = strtol (timeout, &end, 10);
        if (!end || *end || seconds < 1 || seconds > 3600)
            return cii_cli_usage (cli, "--timeout: \"%s\" is not a number of seconds from 1 to 3600", timeout);
        push.timeout_ms = (int) seconds * 1000;
    }
    if (!s_copy_opt (cli, "command", push.command, sizeof push.command, &code)
        || !s_copy_opt (cli, "path", push.path, sizeof push.path, &code)
        || !s_copy_opt (cli, "url", push.url, sizeof push.url, &code)
        || !s_copy_opt (cli, "secret-file", push.secret_file, sizeof push.secret_file, &code))
        return code;
    //  Paths are kept absolute: the daemon does not run in the coordinator's folder
    char *fields [] = { push.command, push.path, push.secret_file };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++) {
        char resolved [PATH_MAX];
        if (*fields [i] && fields [i][0] != '/' && realpath (fields [i], resolved)
            && strlen (resolved) < AGENT_PUSH_TARGET)
            agent_store_copy (fields [i], AGENT_PUSH_TARGET, resolved);
    }
    agent_store_t *store = agent_cli_open (cli, NULL, &code);
    if (!store)
        return code;
    cii_err_t err;
    cii_rc_t rc = agent_push_canton_set (store, &push, &err);
    agent_canton_push_t stored;
    if (rc == CII_OK)
        rc = agent_store_canton_push_get (store, canton, &stored, &err);
    agent_push_counts_t counts = { 0, 0, 0 };
    if (rc == CII_OK)
        rc = agent_store_push_counts (store, canton, &counts, &err);
    agent_store_destroy (&store);
    if (rc != CII_OK)
        return cii_cli_fail (cli, &err);
    const char *target = *stored.command ? stored.command : *stored.path ? stored.path : stored.url;
    if (cii_cli_json (cli)) {
        json_t *result = json_object ();
        cii_json_set (result, "canton", cii_json_str (canton));
        cii_json_set (result, "adapter", cii_json_str (stored.adapter));
        cii_json_set (result, "target", *target ? cii_json_str (target) : json_null ());
        cii_json_set (result, "queued", json_integer (counts.queued));
        return cii_cli_print_json (cli, result);
    }
    if (strcmp (stored.adapter, "none") == 0)
        fprintf (cii_cli_out (cli), "canton %s: no push adapter; %" PRId64 " queued push%s wait for one\n", canton,
                 counts.queued, counts.queued == 1 ? "" : "es");
    else
        fprintf (cii_cli_out (cli), "canton %s pushes by %s to %s (%" PRId64 " queued)\n", canton, stored.adapter,
                 target, counts.queued);
    return CII_CLI_OK;
}

static bool
s_canton (const agent_canton_row_t *row, void *arg)
{
    agent_cli_listing_t *listing = arg;
    if (listing->json) {
        json_t *canton = json_object ();
        cii_json_set (canton, "canton", cii_json_str (row->canton));
        cii_json_set (canton, "languages", cii_json_list (row->languages));
        cii_json_set (canton, "adapter", cii_json_str (row->push->adapter));
        cii_json_set (canton, "target", *row->target ? cii_json_str (row->target) : json_null ());
        cii_json_set (canton, "timeout_s", strcmp (row->push->adapter, "exec") == 0
                                           || strcmp (row->push->adapter, "webhook") == 0
                                           ? json_integer (row->push->timeout_ms / 1000) : json_null ());
        cii_json_set (canton, "secret_file", *row->push->secret_file ? cii_json_str (row->push->secret_file)
                                                                   : json_null ());
        cii_json_set (canton, "queued", json_integer (row->counts.queued));
        cii_json_set (canton, "pushed", json_integer (row->counts.pushed));
        cii_json_set (canton, "failed", json_integer (row->counts.failed));
        return agent_cli_listing_add (listing, canton);
    }
    if (listing->count == 0)
        fprintf (listing->out, "%-6s %-9s %-8s %6s %6s %6s  %s\n", "CANTON", "LANGUAGES", "ADAPTER", "QUEUED",
                 "PUSHED", "FAILED", "TARGET");
    fprintf (listing->out, "%-6s %-9s %-8s %6" PRId64 " %6" PRId64 " %6" PRId64 "  %s\n", row->canton, row->languages,
             row->push->adapter, row->counts.queued, row->counts.pushed, row->counts.failed,
             *row->target ? row->target : "-");
    return agent_cli_listing_add (listing, NULL);
}

static cii_rc_t
s_query (agent_store_t *store, agent_cli_listing_t *listing, cii_err_t *err)
{
    return agent_push_cantons (store, s_canton, listing, err);
}

int
agent_cli_cantons (cii_cli_t *cli)
{
    return agent_cli_list (cli, s_query, "no cantons");
}

//  --------------------------------------------------------------------------------------------
//  For `status`

typedef struct {
    FILE *out;
    json_t *json;
} s_failed_t;

static bool
s_failed (const agent_push_entry_t *row, void *arg)
{
    s_failed_t *failed = arg;
    if (failed->json) {
        json_t *push = json_object ();
        cii_json_set (push, "key", cii_json_str (row->idem_key));
        cii_json_set (push, "ref", cii_json_str (row->ref));
        cii_json_set (push, "version", json_integer (row->version));
        cii_json_set (push, "canton", cii_json_str (row->canton));
        cii_json_set (push, "adapter", cii_json_str (row->adapter));
        cii_json_set (push, "attempts", json_integer (row->attempts));
        cii_json_set (push, "reason", cii_json_str (row->last_error));
        cii_json_set (push, "failed_at", cii_json_time (row->done_at_ms));
        json_array_append_new (failed->json, push);
    }
    else
        fprintf (failed->out, "FAILED    push %s by %s: %s\n", row->idem_key, row->adapter, row->last_error);
    return true;
}

cii_rc_t
agent_cli_status_pushes (agent_store_t *store, FILE *out, json_t *json, cii_err_t *err)
{
    agent_push_counts_t counts;
    cii_rc_t rc = agent_store_push_counts (store, NULL, &counts, err);
    if (rc != CII_OK)
        return rc;
    if (json) {
        json_t *pushes = json_object ();
        cii_json_set (pushes, "queued", json_integer (counts.queued));
        cii_json_set (pushes, "pushed", json_integer (counts.pushed));
        cii_json_set (pushes, "failed", json_integer (counts.failed));
        json_t *list = json_array ();
        s_failed_t failed = { NULL, list };
        rc = agent_store_pushes_each (store, "failed", s_failed, &failed, NULL, err);
        cii_json_set (pushes, "failures", list);
        cii_json_set (json, "pushes", pushes);
        return rc;
    }
    fprintf (out, "pushes    %" PRId64 " queued, %" PRId64 " pushed, %" PRId64 " failed\n", counts.queued, counts.pushed,
             counts.failed);
    s_failed_t failed = { out, NULL };
    return counts.failed > 0 ? agent_store_pushes_each (store, "failed", s_failed, &failed, NULL, err) : CII_OK;
}
