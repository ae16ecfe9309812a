/*  cii_rc.h — the one result type of the product (as Mosquitto's enum mosq_err_t): every function
    that can fail for a reason a caller must tell apart returns a cii_rc_t, and fills a cii_err_t
    with one line a user can read when it is given one.

    Conventions, everywhere in hub/, agent/, proto/ and common/:
    - CII_OK is 0, so `if (rc)` means "did not happen".
    - A NULL object or a NULL required argument is a programmer error: asserted, never reported.
      `x_destroy (&p)` is safe on a NULL pointer and on a pointer to NULL.
    - An optional `cii_err_t *err` may be NULL; when given it receives the code and the reason.
    - Network and database input is never asserted on: it gets CII_BAD_INPUT (or CII_REFUSED). */
#ifndef CII_RC_H_INCLUDED
#define CII_RC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CII_OK = 0,
    CII_REFUSED,        /* a rule says no: not authorised, wrong network, wrong state, revoked */
    CII_NOT_FOUND,      /* no such thing: unknown network, reference, message id */
    CII_CONFLICT,       /* exists already, or changed by someone else meanwhile */
    CII_BAD_INPUT,      /* malformed, out of its limits, an unknown value */
    CII_UNAVAILABLE,    /* a resource is down or busy (database, socket, full queue): retry later */
    CII_NO_MEMORY,      /* an allocation failed */
    CII_FAILED          /* anything else (I/O error, storage error); the reason says what */
} cii_rc_t;

#define CII_ERR_TEXT 480

/*  A result with its reason: one line of UTF-8, no newline. */
typedef struct {
    cii_rc_t rc;
    char text [CII_ERR_TEXT];
} cii_err_t;

/*  Sets err (when not NULL) to rc and the formatted reason (newlines, tabs and carriage returns
    become spaces, trailing spaces go) and returns rc, so callers can `return cii_err_set (…)`. */
cii_rc_t cii_err_set (cii_err_t *err, cii_rc_t rc, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Resets err (when not NULL) to CII_OK with an empty text. */
void cii_err_clear (cii_err_t *err);

/*  Prefixes the reason already in err with "prefix: " (when err is not NULL); returns err->rc. */
cii_rc_t cii_err_prefix (cii_err_t *err, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

/*  Lower-case name of a code ("ok", "refused", "not found", ...); "unknown" for other values. */
const char *cii_rc_name (cii_rc_t rc);

#endif
