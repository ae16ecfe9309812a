/*  unit_fs.h — files for the unit tests: a temporary directory per test (removed with everything
    in it at the end), paths inside it, and whole files written and read. A failure fails the
    running cmocka test. */
#ifndef UNIT_FS_H_INCLUDED
#define UNIT_FS_H_INCLUDED

#include <stddef.h>

/*  A new directory /tmp/cii-LABEL-XXXXXX (mode 0700); its path, a new string (free). */
char *unit_dir_new (const char *label);

/*  Removes path and everything below it (no error when it is not there), and frees it; sets
    *path_p to NULL; safe on NULL. */
void unit_dir_destroy (char **path_p);

/*  "DIR/NAME" as a new string (free). */
char *unit_path (const char *dir, const char *name);

/*  Writes size bytes of data to path (created or truncated, mode 0600). */
void unit_write (const char *path, const void *data, size_t size);

/*  Writes the NUL-terminated text to path. */
void unit_write_text (const char *path, const char *text);

/*  The whole file as a new NUL-terminated string (free); *size_p (when not NULL) its length. */
char *unit_read (const char *path, size_t *size_p);

/*  The permission bits of path (st_mode & 07777), or -1 when it does not exist. */
int unit_mode (const char *path);

#endif
