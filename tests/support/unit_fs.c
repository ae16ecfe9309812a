/*  unit_fs.c — temporary directories and whole files for the unit tests (see unit_fs.h). */
#include "unit_fs.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
unit_dir_new (const char *label)
{
    char *path = NULL;
    if (asprintf (&path, "/tmp/cii-%s-XXXXXX", label ? label : "test") < 0)
        fail_msg ("out of memory");
    if (!mkdtemp (path))
        fail_msg ("mkdtemp %s: %s", path, strerror (errno));
    return path;
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    remove (path);
    return 0;
}

void
unit_dir_destroy (char **path_p)
{
    if (!path_p || !*path_p)
        return;
    //  Depth first, without following links out of the tree.
    nftw (*path_p, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (*path_p);
    *path_p = NULL;
}

char *
unit_path (const char *dir, const char *name)
{
    char *path = NULL;
    if (asprintf (&path, "%s/%s", dir, name) < 0)
        fail_msg ("out of memory");
    return path;
}

void
unit_write (const char *path, const void *data, size_t size)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fail_msg ("cannot write %s: %s", path, strerror (errno));
    size_t done = 0;
    while (done < size) {
        ssize_t n = write (fd, (const char *) data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t) n;
    }
    close (fd);
    if (done != size)
        fail_msg ("cannot write %s: %s", path, strerror (errno));
}

void
unit_write_text (const char *path, const char *text)
{
    unit_write (path, text, strlen (text));
}

char *
unit_read (const char *path, size_t *size_p)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        fail_msg ("cannot read %s: %s", path, strerror (errno));
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    assert_non_null (mem);
    char buf [4096];
    size_t n;
    while ((n = fread (buf, 1, sizeof buf, f)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (f);
    fclose (mem);
    if (size_p)
        *size_p = size;
    return text;
}

int
unit_mode (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 ? (int) (st.st_mode & 07777) : -1;
}
