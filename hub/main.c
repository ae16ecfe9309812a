/*  main.c — entry point of cii-hub, the national hub of the CII feedback bus. Everything is in
    hub_cli (verbs) and hub_server (`serve`); this file only hands over argv. */
#include "hub_cli.h"

int
main (int argc, char **argv)
{
    return hub_cli_main (argc, argv);
}
