/*  main.c — entry point of cii-agent: the regional network's daemon (`run`) and its command
    line; everything is dispatched from the verb table in agent_cli.c. */
#include "agent_cli.h"

int
main (int argc, char **argv)
{
    return agent_cli_main (argc, argv);
}
