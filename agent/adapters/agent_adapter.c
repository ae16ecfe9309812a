/*  agent_adapter.c — the table of push adapters (see agent_adapter.h). */
#include "agent_adapter.h"

#include <stdio.h>
#include <string.h>

static const agent_adapter_t *s_adapters [] = { &agent_adapter_exec, &agent_adapter_dir, &agent_adapter_webhook };

const agent_adapter_t *
agent_adapter_find (const char *name)
{
    for (size_t i = 0; name && i < sizeof s_adapters / sizeof s_adapters [0]; i++)
        if (strcmp (s_adapters [i]->name, name) == 0 && s_adapters [i]->version == AGENT_ADAPTER_VERSION)
            return s_adapters [i];
    return NULL;
}

void
agent_adapter_file_name (const char *idem_key, char *buf, size_t size)
{
    snprintf (buf, size, "%s.json", idem_key);
}
