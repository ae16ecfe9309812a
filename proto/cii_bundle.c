/*  cii_bundle.c — the enrollment bundle file: a ZPL document written once by `cii-hub enroll`
    (mode 0600, never overwriting) and read by `cii-agent init`. Holds a secret key: treat as such. */
#include "cii_bundle.h"
#include "cii_domain.h"
#include "cii_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUNDLE_VERSION "1"

cii_rc_t
cii_bundle_save (const cii_bundle_t *bundle, const char *path, cii_err_t *err)
{
    int rc = -1;
    zconfig_t *root = zconfig_new ("root", NULL);
    if (!root)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    zconfig_set_comment (root, "   CII feedback bus: agent enrollment bundle for network %s", bundle->network);
    zconfig_set_comment (root, "   Contains the agent's SECRET key: keep this file private (mode 0600).");
    zconfig_set_comment (root, "   Use it once: cii-agent init --bundle FILE --state DIR");
    zconfig_put (root, "bundle/version", BUNDLE_VERSION);
    zconfig_put (root, "bundle/network", bundle->network);
    zconfig_put (root, "bundle/cantons", bundle->cantons);
    zconfig_put (root, "hub/endpoint", bundle->endpoint);
    zconfig_put (root, "hub/public-key", bundle->hub_public);
    zconfig_put (root, "agent/public-key", bundle->agent_public);
    zconfig_put (root, "agent/secret-key", bundle->agent_secret);

    char *text = zconfig_str_save (root);
    zconfig_destroy (&root);
    if (!text)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int saved = errno;
    if (fd >= 0) {
        size_t len = strlen (text), done = 0;
        while (done < len) {
            ssize_t n = write (fd, text + done, len - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            done += (size_t) n;
        }
        if (done == len && fsync (fd) == 0)
            rc = 0;
        saved = errno;
        close (fd);
        if (rc != 0)
            unlink (path);
    }
    zstr_free (&text);
    if (rc == 0)
        return CII_OK;
    if (fd < 0 && saved == EEXIST)
        return cii_err_set (err, CII_CONFLICT, "%s already exists", path);
    return cii_err_set (err, CII_FAILED, "cannot write %s: %s", path, strerror (saved ? saved : EIO));
}

//  Copies a 40-char Z85 key from the config into dst[41]; 0 ok, -1 missing/invalid.
static int
s_copy_key (zconfig_t *root, const char *path, char *dst)
{
    const char *value = zconfig_get (root, path, "");
    if (strlen (value) != 40)
        return -1;
    uint8_t bin[32];
    if (!zmq_z85_decode (bin, value))
        return -1;
    memcpy (dst, value, 41);
    return 0;
}

static int
s_copy_text (zconfig_t *root, const char *path, char *dst, size_t size)
{
    const char *value = zconfig_get (root, path, "");
    size_t len = strlen (value);
    if (len == 0 || len >= size)
        return -1;
    memcpy (dst, value, len + 1);
    return 0;
}

cii_rc_t
cii_bundle_load (cii_bundle_t *bundle, const char *path, cii_err_t *err)
{
    memset (bundle, 0, sizeof *bundle);
    //  Not zconfig_load: czmq 4.2.1 leaks its zfile_t whenever the file is not valid ZPL (found
    //  by tests/fuzz/fuzz_bundle.c). Read the file ourselves (bounded) and parse it from memory.
    size_t size = 0;
    char *text = NULL;
    cii_err_t read_err;
    cii_rc_t rc = cii_util_read_file_max (path, CII_BUNDLE_MAX, &text, &size, &read_err);
    if (rc == CII_BAD_INPUT)
        return cii_err_set (err, rc, "bundle %s is not a regular file of at most 64 KiB", path);
    if (rc != CII_OK)
        return cii_err_set (err, rc, "cannot read bundle %s: %s", path,
                            strstr (read_err.text, ": ") ? strstr (read_err.text, ": ") + 2 : read_err.text);
    zchunk_t *chunk = zchunk_new (text, size);
    free (text);
    zconfig_t *root = chunk ? zconfig_chunk_load (chunk) : NULL;
    zchunk_destroy (&chunk);
    if (!root)
        return cii_err_set (err, CII_BAD_INPUT, "bundle %s is not a valid ZPL document", path);
    rc = CII_BAD_INPUT;
    if (strcmp (zconfig_get (root, "bundle/version", ""), BUNDLE_VERSION) != 0)
        cii_err_set (err, rc, "bundle %s: version is not %s", path, BUNDLE_VERSION);
    else
    if (s_copy_text (root, "bundle/network", bundle->network, sizeof bundle->network)
        || !cii_domain_network_name_valid (bundle->network))
        cii_err_set (err, rc, "bundle %s: missing or invalid bundle/network", path);
    else
    if (s_copy_text (root, "hub/endpoint", bundle->endpoint, sizeof bundle->endpoint)
        || strncmp (bundle->endpoint, "tcp://", 6) != 0)
        cii_err_set (err, rc, "bundle %s: missing or invalid hub/endpoint (tcp://HOST:PORT)", path);
    else
    if (s_copy_key (root, "hub/public-key", bundle->hub_public))
        cii_err_set (err, rc, "bundle %s: missing or invalid hub/public-key", path);
    else
    if (s_copy_key (root, "agent/public-key", bundle->agent_public))
        cii_err_set (err, rc, "bundle %s: missing or invalid agent/public-key", path);
    else
    if (s_copy_key (root, "agent/secret-key", bundle->agent_secret))
        cii_err_set (err, rc, "bundle %s: missing or invalid agent/secret-key", path);
    else {
        //  Cantons: optional (the hub sends the current list in WELCOME), but if present each
        //  entry must be a canton code.
        const char *cantons = zconfig_get (root, "bundle/cantons", "");
        rc = CII_OK;
        if (strlen (cantons) >= sizeof bundle->cantons)
            rc = CII_BAD_INPUT;
        else {
            char copy [sizeof bundle->cantons];
            strcpy (copy, cantons);
            char *save = NULL;
            for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
                if (!cii_domain_canton_valid (tok))
                    rc = CII_BAD_INPUT;
            if (rc == CII_OK)
                strcpy (bundle->cantons, cantons);
        }
        if (rc != CII_OK)
            cii_err_set (err, rc, "bundle %s: invalid bundle/cantons", path);
    }
    zconfig_destroy (&root);
    if (rc != CII_OK)
        memset (bundle, 0, sizeof *bundle);
    return rc;
}
