/*  agent_adapter.c — the table of push adapters (see agent_adapter.h). */
#include "agent_adapter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

cii_rc_t
agent_adapter_check_path (const char *adapter, const char *option, const char *path, bool folder, int mode,
                          const char *denied, cii_err_t *err)
{
    if (!path || !*path)
        return cii_err_set (err, CII_BAD_INPUT, "%s: required for --push %s", option, adapter);
    struct stat st;
    if (stat (path, &st) != 0)
        return cii_err_set (err, CII_NOT_FOUND, "%s %s: %s", option, path, strerror (errno));
    if (folder ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode))
        return cii_err_set (err, CII_BAD_INPUT, "%s %s: %s", option, path,
                            folder ? "not a directory" : "not a regular file");
    if (access (path, mode) != 0)
        return cii_err_set (err, CII_REFUSED, "%s %s: %s", option, path, denied);
    return CII_OK;
}
