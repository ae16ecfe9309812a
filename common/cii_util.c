/*  cii_util.c — small helpers shared by hub, agent and tests: clocks, UUIDs,
    ISO 8601 times, whole-file reads. */
#include "cii_util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int64_t
cii_util_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
cii_util_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
cii_util_uuid (char buf[37])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t rc = getrandom (b + got, sizeof b - got, 0);
        if (rc > 0)
            got += (size_t) rc;
        else if (rc < 0 && errno != EINTR) {
            //  No kernel entropy interface: fall back to the clock and pid mixed, still unique
            //  enough per process for message ids, never for keys.
            uint64_t x = (uint64_t) cii_util_now_ms () ^ ((uint64_t) getpid () << 32) ^ (uint64_t) (uintptr_t) b;
            for (size_t i = got; i < sizeof b; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                b[i] = (unsigned char) x;
            }
            got = sizeof b;
        }
    }
    uint64_t ms = (uint64_t) cii_util_now_ms ();
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char) (ms >> (40 - 8 * i));
    b[6] = (unsigned char) ((b[6] & 0x0f) | 0x70);
    b[8] = (unsigned char) ((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = 0;
}

void
cii_util_iso8601 (int64_t ms, char buf[32])
{
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    size_t n = strftime (buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buf + n, 32 - n, ".%03dZ", (int) (ms % 1000 + 1000) % 1000);
}

cii_rc_t
cii_util_read_file_max (const char *path, size_t max_bytes, char **text_p, size_t *size_p, cii_err_t *err)
{
    *text_p = NULL;
    if (size_p)
        *size_p = 0;
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cii_err_set (err, errno == ENOENT ? CII_NOT_FOUND : CII_FAILED, "cannot read %s: %s", path,
                            strerror (errno));
    struct stat st;
    if (fstat (fd, &st) != 0) {
        int saved = errno;
        close (fd);
        return cii_err_set (err, CII_FAILED, "cannot read %s: %s", path, strerror (saved));
    }
    if (S_ISDIR (st.st_mode)) {
        close (fd);
        return cii_err_set (err, CII_BAD_INPUT, "%s is a directory", path);
    }
    if (S_ISREG (st.st_mode) && (uint64_t) st.st_size > (uint64_t) max_bytes) {
        close (fd);
        return cii_err_set (err, CII_BAD_INPUT, "%s is larger than %zu bytes", path, max_bytes);
    }
    size_t cap = S_ISREG (st.st_mode) ? (size_t) st.st_size + 1 : 4096;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    char *buf = malloc (cap + 1);
    size_t len = 0;
    cii_rc_t rc = CII_OK;
    while (buf) {
        if (len == cap) {
            if (cap > max_bytes)
                break;
            size_t bigger_cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            char *bigger = realloc (buf, bigger_cap + 1);
            if (!bigger) {
                free (buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap = bigger_cap;
        }
        ssize_t got = read (fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = cii_err_set (err, CII_FAILED, "cannot read %s: %s", path, strerror (errno));
            break;
        }
        if (got == 0)
            break;
        len += (size_t) got;
    }
    close (fd);
    if (!buf)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory reading %s", path);
    if (rc == CII_OK && len > max_bytes)
        rc = cii_err_set (err, CII_BAD_INPUT, "%s is larger than %zu bytes", path, max_bytes);
    if (rc != CII_OK) {
        free (buf);
        return rc;
    }
    buf [len] = '\0';
    *text_p = buf;
    if (size_p)
        *size_p = len;
    return CII_OK;
}

cii_rc_t
cii_util_check_private (const char *path, cii_err_t *err)
{
    struct stat st;
    if (stat (path, &st) != 0)
        return cii_err_set (err, errno == ENOENT ? CII_NOT_FOUND : CII_FAILED, "cannot check %s: %s", path,
                            strerror (errno));
    if ((st.st_mode & 077) == 0)
        return CII_OK;
    bool dir = S_ISDIR (st.st_mode);
    return cii_err_set (err, CII_REFUSED, "%s is %s by group or others (mode %04o): run chmod %s %s", path,
                        (st.st_mode & 066) ? "readable or writable" : "accessible", (unsigned) (st.st_mode & 07777),
                        dir ? "700" : "600", path);
}
