/*  hub_cli_setup.c — `cii-hub init` (schema, registry, hub key pair: hub_setup_init) and `cii-hub
    serve` (hands over to the server until it stops). */
#include "hub_cli_verbs.h"
#include "hub_server.h"
#include "hub_setup.h"

//  --certs DIR, required by both verbs; NULL after reporting bad usage in *code.
static const char *
s_certs (cii_cli_t *cli, int *code)
{
    const char *certs = cii_cli_opt (cli, "certs");
    if (!certs || !*certs) {
        *code = cii_cli_usage (cli, "--certs DIR is required");
        return NULL;
    }
    return certs;
}

int
hub_cli_init (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    const char *certs = s_certs (cli, &code);
    if (!certs)
        return code;
    cii_err_t err;
    cii_err_clear (&err);
    //  No schema check here: init is what brings the schema up to date.
    hub_store_t *store = hub_store_new (cii_cli_opt (cli, "db"), &err);
    if (!store)
        return cii_cli_fail (cli, &err);
    hub_setup_info_t info;
    if (hub_setup_init (store, certs, &info, &err) != CII_OK)
        code = cii_cli_fail (cli, &err);
    else {
        FILE *out = cii_cli_out (cli);
        fprintf (out, "schema version %d\n", info.schema_version);
        fprintf (out, "hub public key %s (%s %s)\n", info.public_key, info.created ? "created" : "in", info.cert_path);
    }
    hub_store_destroy (&store);
    return code;
}

int
hub_cli_serve (cii_cli_t *cli)
{
    int code = CII_CLI_OK;
    const char *certs = s_certs (cli, &code);
    if (!certs)
        return code;
    const char *bind = cii_cli_opt (cli, "bind");
    //  The server prints its own reason when it cannot start.
    return hub_server_main (cii_cli_opt (cli, "db"), certs, bind && *bind ? bind : "tcp://*:7300") == 0
         ? CII_CLI_OK : CII_CLI_REFUSED;
}
