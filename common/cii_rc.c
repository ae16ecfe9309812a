/*  cii_rc.c — result codes and their one-line reasons (see cii_rc.h). */
#include "cii_rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
s_one_line (char *text)
{
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen (text);
    while (len > 0 && text [len - 1] == ' ')
        text [--len] = '\0';
}

cii_rc_t
cii_err_set (cii_err_t *err, cii_rc_t rc, const char *format, ...)
{
    if (!err)
        return rc;
    err->rc = rc;
    va_list args;
    va_start (args, format);
    vsnprintf (err->text, sizeof err->text, format, args);
    va_end (args);
    s_one_line (err->text);
    return rc;
}

void
cii_err_clear (cii_err_t *err)
{
    if (err) {
        err->rc = CII_OK;
        err->text [0] = '\0';
    }
}

cii_rc_t
cii_err_prefix (cii_err_t *err, const char *format, ...)
{
    if (!err)
        return CII_FAILED;
    char prefix [CII_ERR_TEXT], old [CII_ERR_TEXT];
    va_list args;
    va_start (args, format);
    vsnprintf (prefix, sizeof prefix, format, args);
    va_end (args);
    memcpy (old, err->text, sizeof old);
    size_t used = strlen (prefix);
    if (used > sizeof err->text - 3)
        used = sizeof err->text - 3;
    memcpy (err->text, prefix, used);
    memcpy (err->text + used, ": ", 2);
    used += 2;
    size_t rest = strnlen (old, sizeof old);
    if (rest > sizeof err->text - 1 - used)
        rest = sizeof err->text - 1 - used;
    memcpy (err->text + used, old, rest);
    err->text [used + rest] = '\0';
    s_one_line (err->text);
    return err->rc;
}

const char *
cii_rc_name (cii_rc_t rc)
{
    switch (rc) {
        case CII_OK:          return "ok";
        case CII_REFUSED:     return "refused";
        case CII_NOT_FOUND:   return "not found";
        case CII_CONFLICT:    return "conflict";
        case CII_BAD_INPUT:   return "bad input";
        case CII_UNAVAILABLE: return "unavailable";
        case CII_NO_MEMORY:   return "out of memory";
        case CII_FAILED:      return "failed";
    }
    return "unknown";
}
