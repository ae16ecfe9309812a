/*  agent_adapter.h — the one interface of the canton push adapters (DESIGN §3, STYLE rule 14, as
    Mosquitto's plugin interface): each adapter (exec, dir, webhook) checks a target when the
    coordinator sets it (and again before each push) and pushes one recommendation payload into
    one canton's systems. An adapter pushes the same payload with the same idempotency key on
    every retry; "once in effect" rests on the receiver keying on it (exec: CII_REF, CII_VERSION,
    CII_CANTON; dir: the file name; webhook: the Idempotency-Key header).

    Adapters block for at most their time limit; the push service runs them off the daemon's
    event loop. */
#ifndef AGENT_ADAPTER_H_INCLUDED
#define AGENT_ADAPTER_H_INCLUDED

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cii_rc.h"

#define AGENT_ADAPTER_VERSION  1         /* of this interface */
#define AGENT_ADAPTER_DETAIL   401       /* a result's one line and its NUL (CII_MAX_DETAIL + 1) */

/*  Where a canton's pushes go (strings borrowed; those the adapter does not use may be NULL). */
typedef struct {
    const char *command;               /* exec: an absolute or relative path, run without a shell */
    const char *path;                  /* dir: an existing writable folder */
    const char *url;                   /* webhook: https://..., or http:// to loopback only */
    const char *secret_file;           /* webhook: the HMAC key, mode 0600 or 0400 */
    int timeout_ms;                    /* exec, webhook: the whole attempt's limit */
} agent_adapter_target_t;

/*  One push (strings borrowed). */
typedef struct {
    const char *ref;                   /* "REC-2027-01" */
    uint32_t version;
    const char *canton;                /* "VD" */
    const char *languages;             /* the canton's official languages, "fr,de" */
    const char *idem_key;              /* "REC-2027-01.v2.VD" */
    const char *body;                  /* the JSON payload (agent_push_payload) */
    size_t size;
    const atomic_bool *cancel;         /* may be NULL; when it turns true the attempt ends at once
                                          (the agent stops): CII_UNAVAILABLE "interrupted" */
} agent_adapter_job_t;

typedef struct {
    int version;                       /* AGENT_ADAPTER_VERSION */
    const char *name;                  /* "exec", "dir", "webhook" */
    /*  Checks target: CII_OK, or CII_BAD_INPUT / CII_NOT_FOUND / CII_REFUSED with a reason that
        names the option ("--command /x: not executable"). */
    cii_rc_t (*check) (const agent_adapter_target_t *target, cii_err_t *err);
    /*  Pushes job: CII_OK with detail (one line: the file written, "HTTP 200", "exit 0"); else
        the attempt failed and err says why in one line (the first line of the command's output,
        the HTTP status, the timeout). Never retries by itself. */
    cii_rc_t (*push) (const agent_adapter_target_t *target, const agent_adapter_job_t *job,
                      char detail [AGENT_ADAPTER_DETAIL], cii_err_t *err);
} agent_adapter_t;

/*  The adapters. */
extern const agent_adapter_t agent_adapter_exec;
extern const agent_adapter_t agent_adapter_dir;
extern const agent_adapter_t agent_adapter_webhook;

/*  The adapter called name, or NULL ("none" and unknown names). */
const agent_adapter_t *agent_adapter_find (const char *name);

/*  Checks the file or folder an adapter's option names (option "--path" of adapter "dir"): given
    (CII_BAD_INPUT "--path: required for --push dir"), there (CII_NOT_FOUND with the system's
    reason), a folder when folder is true else a regular file (CII_BAD_INPUT "--path X: not a
    directory" / "not a regular file"), open to access(2) mode (CII_REFUSED "--path X: " denied,
    e.g. "not writable"). For the adapters' check functions. */
cii_rc_t agent_adapter_check_path (const char *adapter, const char *option, const char *path, bool folder, int mode,
                                   const char *denied, cii_err_t *err);

/*  The dir adapter's file name for a push: "REC-2027-01.v2.VD.json" (idem_key + ".json"). */
void agent_adapter_file_name (const char *idem_key, char *buf, size_t size);

#endif
