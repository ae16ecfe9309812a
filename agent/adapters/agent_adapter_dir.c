/*  agent_adapter_dir.c — the dir push adapter (the way sedex hands files to cantonal systems):
    writes REF.vN.CANTON.json into the canton's folder atomically: a temporary file in the same
    folder (".REF.vN.CANTON.json.tmp": receivers skip names starting with a dot), fsync, rename
    over the final name, fsync of the folder. A retry writes the same name with the same bytes. */
#include "agent_adapter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cii_rc_t
s_check (const agent_adapter_target_t *target, cii_err_t *err)
{
    return agent_adapter_check_path ("dir", "--path", target->path, true, W_OK | X_OK, "not writable", err);
}

static cii_rc_t
s_write_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t put = write (fd, data, size);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return CII_FAILED;
        data += put;
        size -= (size_t) put;
    }
    return CII_OK;
}

static cii_rc_t
s_push (const agent_adapter_target_t *target, const agent_adapter_job_t *job, char detail [AGENT_ADAPTER_DETAIL],
        cii_err_t *err)
{
    detail [0] = '\0';
    cii_rc_t rc = s_check (target, err);
    if (rc != CII_OK)
        return rc;
    char name [128], final [4096], temp [4096];
    agent_adapter_file_name (job->idem_key, name, sizeof name);
    if ((size_t) snprintf (final, sizeof final, "%s/%s", target->path, name) >= sizeof final
        || (size_t) snprintf (temp, sizeof temp, "%s/.%s.tmp", target->path, name) >= sizeof temp)
        return cii_err_set (err, CII_BAD_INPUT, "dir %s: path too long", target->path);
    int fd = open (temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return cii_err_set (err, CII_FAILED, "dir: cannot create %s: %s", temp, strerror (errno));
    if (s_write_all (fd, job->body, job->size) != CII_OK || fsync (fd) != 0) {
        int error = errno;
        close (fd);
        unlink (temp);
        return cii_err_set (err, CII_FAILED, "dir: cannot write %s: %s", temp, strerror (error));
    }
    if (close (fd) != 0 || rename (temp, final) != 0) {
        int error = errno;
        unlink (temp);
        return cii_err_set (err, CII_FAILED, "dir: cannot write %s: %s", final, strerror (error));
    }
    int dir = open (target->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || fsync (dir) != 0) {
        int error = errno;
        if (dir >= 0)
            close (dir);
        return cii_err_set (err, CII_FAILED, "dir: cannot sync %s: %s", target->path, strerror (error));
    }
    close (dir);
    snprintf (detail, AGENT_ADAPTER_DETAIL, "%s", name);
    return CII_OK;
}

const agent_adapter_t agent_adapter_dir = { AGENT_ADAPTER_VERSION, "dir", s_check, s_push };
