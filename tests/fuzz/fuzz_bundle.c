/*  fuzz_bundle.c — fuzz target for the enrollment bundle loader (proto/cii_bundle.c, czmq's ZPL
    parser underneath): each input is written to one temporary file and loaded; an accepted bundle
    must meet the header's promises (valid network, 40-char Z85 keys, tcp:// endpoint, canton
    codes), a refused one must be all zero with a one-line reason. Any breach calls abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cii_bundle.h"
#include "cii_domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char s_path[64];
static int s_fd = -1;
static int s_devnull = -1;

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_bundle: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

static void
s_remove_file (void)
{
    if (s_fd >= 0) {
        close (s_fd);
        unlink (s_path);
    }
    if (s_devnull >= 0)
        close (s_devnull);
}

//  Once per process: the temporary file every input is written to.
static void
s_setup (void)
{
    const char *dir = getenv ("TMPDIR");
    snprintf (s_path, sizeof s_path, "%.40s/fuzz_bundle-XXXXXX", dir && *dir ? dir : "/tmp");
    s_fd = mkstemp (s_path);
    if (s_fd < 0)
        s_die ("cannot create a temporary file", s_path);
    s_devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
    atexit (s_remove_file);
}

static void
s_write_input (const uint8_t *data, size_t size)
{
    if (ftruncate (s_fd, 0) != 0)
        s_die ("ftruncate failed", s_path);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite (s_fd, data + done, size - done, (off_t) done);
        if (n <= 0)
            s_die ("write failed", s_path);
        done += (size_t) n;
    }
}

static void
s_check_key (const char *key, const char *name)
{
    static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              ".-:+=^!/*?&<>()[]{}@%$#";
    if (strnlen (key, 41) != 40)
        s_die ("key is not 40 characters", name);
    for (size_t i = 0; i < 40; i++)
        if (!strchr (z85, key[i]))
            s_die ("key holds a character outside Z85", name);
}

static void
s_check_accepted (const cii_bundle_t *bundle)
{
    if (strnlen (bundle->network, sizeof bundle->network) >= sizeof bundle->network
    ||  !cii_domain_network_name_valid (bundle->network))
        s_die ("invalid network accepted", bundle->network);
    size_t len = strnlen (bundle->endpoint, sizeof bundle->endpoint);
    if (len >= sizeof bundle->endpoint || strncmp (bundle->endpoint, "tcp://", 6) != 0)
        s_die ("endpoint is not tcp://", NULL);
    s_check_key (bundle->hub_public, "hub/public-key");
    s_check_key (bundle->agent_public, "agent/public-key");
    s_check_key (bundle->agent_secret, "agent/secret-key");
    len = strnlen (bundle->cantons, sizeof bundle->cantons);
    if (len >= sizeof bundle->cantons)
        s_die ("cantons not terminated", NULL);
    char copy[sizeof bundle->cantons];
    memcpy (copy, bundle->cantons, len + 1);
    char *save = NULL;
    for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
        if (!cii_domain_canton_valid (tok))
            s_die ("invalid canton accepted", tok);
}

static void
s_check_refused (int rc, const cii_bundle_t *bundle, const char *reason, size_t reason_size)
{
    static const cii_bundle_t zero;
    if (rc != CII_BAD_INPUT && rc != CII_NOT_FOUND && rc != CII_FAILED)
        s_die ("unexpected return code", reason);
    if (memcmp (bundle, &zero, sizeof zero) != 0)
        s_die ("refused bundle not cleared", reason);
    size_t len = strnlen (reason, reason_size);
    if (len == 0 || len >= reason_size || strchr (reason, '\n'))
        s_die ("reason is not one line", reason);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (s_fd < 0)
        s_setup ();
    s_write_input (data, size);

    cii_bundle_t bundle;
    memset (&bundle, 0xA5, sizeof bundle);      //  the loader must set every byte
    char reason[512];
    memset (reason, 0, sizeof reason);
    //  czmq 4.2.1's ZPL parser reports syntax errors with zclock_log, on stdout: keep the
    //  driver's own output readable by muting stdout around the call
    fflush (stdout);
    int saved = s_devnull >= 0 ? dup (1) : -1;
    if (saved >= 0)
        dup2 (s_devnull, 1);
    cii_err_t err;
    cii_err_clear (&err);
    cii_rc_t rc = cii_bundle_load (&bundle, s_path, &err);
    snprintf (reason, sizeof reason, "%s", err.text);
    fflush (stdout);
    if (saved >= 0) {
        dup2 (saved, 1);
        close (saved);
    }
    if (rc == CII_OK)
        s_check_accepted (&bundle);
    else
        s_check_refused (rc, &bundle, reason, sizeof reason);

    //  Without a reason buffer the result must be the same
    cii_bundle_t again;
    saved = s_devnull >= 0 ? dup (1) : -1;
    if (saved >= 0)
        dup2 (s_devnull, 1);
    cii_rc_t rc2 = cii_bundle_load (&again, s_path, NULL);
    fflush (stdout);
    if (saved >= 0) {
        dup2 (saved, 1);
        close (saved);
    }
    if (rc2 != rc || memcmp (&again, &bundle, sizeof bundle) != 0)
        s_die ("second load differs", NULL);
    return 0;
}
