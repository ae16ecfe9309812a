/*  unit_cli.c — command lines run in process with captured output (see unit_cli.h). */
#include "unit_cli.h"

#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define S_MAX_ARGS 64

int
unit_cli_run_va (unit_cli_t *result, unit_cli_fn *fn, const char *const *head, va_list args)
{
    assert_non_null (result);
    assert_non_null (fn);
    assert_non_null (head);
    char *argv [S_MAX_ARGS + 1];
    int argc = 0;
    for (; head [argc]; argc++) {
        assert_true (argc < S_MAX_ARGS);
        argv [argc] = (char *) head [argc];
    }
    const char *arg;
    while ((arg = va_arg (args, const char *)) != NULL) {
        assert_true (argc < S_MAX_ARGS);
        argv [argc++] = (char *) arg;
    }
    argv [argc] = NULL;
    unit_cli_free (result);
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream (&result->out, &out_size);
    FILE *err = open_memstream (&result->err, &err_size);
    assert_non_null (out);
    assert_non_null (err);
    result->status = fn (argc, argv, out, err);
    fclose (out);
    fclose (err);
    return result->status;
}

int
unit_cli_run (unit_cli_t *result, unit_cli_fn *fn, const char *const *head, ...)
{
    va_list args;
    va_start (args, head);
    int status = unit_cli_run_va (result, fn, head, args);
    va_end (args);
    return status;
}

void
unit_cli_free (unit_cli_t *result)
{
    if (!result)
        return;
    free (result->out);
    free (result->err);
    result->out = result->err = NULL;
}

int
unit_lines (const char *text)
{
    int lines = 0;
    for (const char *p = text ? text : ""; *p; p++)
        lines += *p == '\n';
    return lines;
}

const char *
unit_line (const char *text, int n, char *buf, size_t size)
{
    assert_true (size > 0);
    const char *p = text ? text : "";
    while (n-- > 0 && p) {
        p = strchr (p, '\n');
        if (p)
            p++;
    }
    size_t len = p ? strcspn (p, "\n") : 0;
    if (len >= size)
        len = size - 1;
    memcpy (buf, p ? p : "", len);
    buf [len] = 0;
    return buf;
}
