/*  cii_util.h — small helpers shared by hub, agent and tests: clocks, message ids, times, bounded
    file reads. (JSON: cii_json.h.) */
#ifndef CII_UTIL_H_INCLUDED
#define CII_UTIL_H_INCLUDED

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include "cii_rc.h"

/*  Wall clock, Unix milliseconds. */
int64_t cii_util_now_ms (void);

/*  Monotonic clock, milliseconds (for timeouts). */
int64_t cii_util_mono_ms (void);

/*  Writes a new UUIDv7 (RFC 9562) in text form (36 chars + NUL) into buf[37]: the Unix time in
    milliseconds, then 74 random bits. Ids made later sort after earlier ones (to the
    millisecond), so the hub's index of (agent, message id) grows at its end instead of at random
    places: with random UUIDv4 ids the ingest fell by a third once that index outgrew PostgreSQL's
    buffers (issue 10, docs/performance.md). */
void cii_util_uuid (char buf[37]);

/*  Formats Unix milliseconds as ISO 8601 UTC "2026-11-28T20:42:17.123Z" into buf[32]. */
void cii_util_iso8601 (int64_t ms, char buf[32]);

/*  Reads the file at path into a new NUL-terminated buffer (*text_p, caller frees; *size_p its
    length without the NUL), refusing anything over max_bytes before reading it: a regular file by
    its size, anything else (a pipe, /dev/zero) once max_bytes + 1 bytes have come. Returns CII_OK;
    CII_NOT_FOUND "cannot read P: No such file or directory"; CII_BAD_INPUT "P is larger than N
    bytes" or "P is a directory"; CII_FAILED for other read errors; CII_NO_MEMORY. */
cii_rc_t cii_util_read_file_max (const char *path, size_t max_bytes, char **text_p, size_t *size_p,
                                 cii_err_t *err);

/*  Checks that the file or directory at path (holding a secret key) is private to its owner, as ssh
    checks a key file: CII_OK; CII_REFUSED "PATH is readable by group or others (mode 0644): run
    chmod 600 PATH" (700 for a directory); CII_NOT_FOUND / CII_FAILED when it cannot be looked at.
    A loosened mode (a restore, a `cp -r`) is refused rather than used silently. */
cii_rc_t cii_util_check_private (const char *path, cii_err_t *err);

#endif
