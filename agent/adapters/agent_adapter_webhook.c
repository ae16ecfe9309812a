/*  agent_adapter_webhook.c — the webhook push adapter: an HTTPS POST of the payload with libcurl
    (plain HTTP only to loopback: 127.0.0.1, ::1, localhost), headers Content-Type:
    application/json, Idempotency-Key: REF.vN.CANTON and X-CII-Signature: sha256=HEX, the
    HMAC-SHA256 (libsodium) of the exact body with the canton's secret (the secret file's content,
    trailing newline stripped; a file readable by group or others is refused). 2xx means pushed;
    redirects are not followed (a 3xx fails, naming its Location); a connect and a total time
    limit. libcurl is loaded (dlopen) at the adapter's first use, not linked: an agent whose
    cantons use no webhook never maps it nor its dependencies (DESIGN §6). */
#include "agent_adapter.h"
#include "cii_domain.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cii_util.h"

#define S_SECRET_MAX      4096      //  bytes of a secret file
#define S_CONNECT_MAX_MS  10000     //  the connect limit (or the whole limit when shorter)
#define S_REPLY_KEPT      512       //  bytes of the answer's body kept for the reason
#define S_CURL_LIBRARY    "libcurl.so.4"

//  --------------------------------------------------------------------------------------------
//  libcurl, loaded at the first use. <curl/curl.h> gives the types and constants only; every call
//  goes through this table, its entries named apart from curl's functions (curl.h defines
//  curl_easy_setopt and curl_easy_getinfo as macros). The macros' compile-time type check of
//  setopt is gone with them: every value below is of its option's type (long with an L,
//  curl_off_t cast, pointers, callbacks of curl's prototypes).

typedef struct {
    CURLcode (*global_init) (long flags);
    CURL *(*easy_init) (void);
    CURLcode (*easy_setopt) (CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform) (CURL *curl);
    CURLcode (*easy_getinfo) (CURL *curl, CURLINFO info, ...);
    void (*easy_cleanup) (CURL *curl);
    const char *(*easy_strerror) (CURLcode code);
    struct curl_slist *(*slist_append) (struct curl_slist *list, const char *text);
    void (*slist_free_all) (struct curl_slist *list);
    CURLU *(*url) (void);
    CURLUcode (*url_set) (CURLU *url, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get) (CURLU *url, CURLUPart what, char **part, unsigned int flags);
    void (*url_cleanup) (CURLU *url);
    void (*free) (void *data);
} s_curl_t;

//  The table's entries by symbol (each entry a function pointer, stored from dlsym's void *).
static const struct {
    const char *symbol;
    size_t offset;
} s_curl_symbols [] = {
    { "curl_global_init", offsetof (s_curl_t, global_init) },
    { "curl_easy_init", offsetof (s_curl_t, easy_init) },
    { "curl_easy_setopt", offsetof (s_curl_t, easy_setopt) },
    { "curl_easy_perform", offsetof (s_curl_t, easy_perform) },
    { "curl_easy_getinfo", offsetof (s_curl_t, easy_getinfo) },
    { "curl_easy_cleanup", offsetof (s_curl_t, easy_cleanup) },
    { "curl_easy_strerror", offsetof (s_curl_t, easy_strerror) },
    { "curl_slist_append", offsetof (s_curl_t, slist_append) },
    { "curl_slist_free_all", offsetof (s_curl_t, slist_free_all) },
    { "curl_url", offsetof (s_curl_t, url) },
    { "curl_url_set", offsetof (s_curl_t, url_set) },
    { "curl_url_get", offsetof (s_curl_t, url_get) },
    { "curl_url_cleanup", offsetof (s_curl_t, url_cleanup) },
    { "curl_free", offsetof (s_curl_t, free) },
};
_Static_assert (sizeof (void *) == sizeof (void (*) (void)), "dlsym's void * holds a function pointer");

static pthread_mutex_t s_curl_mutex = PTHREAD_MUTEX_INITIALIZER;
static s_curl_t s_curl;                 //  filled once under s_curl_mutex, read-only afterwards
static bool s_curl_loaded;              //  under s_curl_mutex

//  Opens libcurl and fills the table (the library stays loaded), under s_curl_mutex.
static cii_rc_t
s_curl_open (cii_err_t *err)
{
    dlerror ();
    void *library = dlopen (S_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror ();
        return cii_err_set (err, CII_UNAVAILABLE, "webhook: cannot load %s (install libcurl4): %s", S_CURL_LIBRARY,
                            why ? why : "unknown reason");
    }
    s_curl_t curl;
    for (size_t i = 0; i < sizeof s_curl_symbols / sizeof s_curl_symbols [0]; i++) {
        dlerror ();
        void *symbol = dlsym (library, s_curl_symbols [i].symbol);
        if (!symbol) {
            const char *why = dlerror ();
            cii_rc_t rc = cii_err_set (err, CII_UNAVAILABLE, "webhook: %s has no %s (libcurl older than 7.62?): %s",
                                       S_CURL_LIBRARY, s_curl_symbols [i].symbol, why ? why : "not found");
            dlclose (library);
            return rc;
        }
        memcpy ((char *) &curl + s_curl_symbols [i].offset, &symbol, sizeof symbol);
    }
    CURLcode code = curl.global_init (CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        cii_rc_t rc = cii_err_set (err, CII_UNAVAILABLE, "webhook: %s: curl_global_init: %s", S_CURL_LIBRARY,
                                   curl.easy_strerror (code));
        dlclose (library);
        return rc;
    }
    s_curl = curl;
    return CII_OK;
}

//  CII_OK once libcurl is loaded (at the first call; thread-safe: the push worker is a thread).
//  Else CII_UNAVAILABLE naming the library and dlerror()'s reason; the next call tries again (a
//  push is retried with backoff, so installing libcurl4 needs no restart).
static cii_rc_t
s_curl_load (cii_err_t *err)
{
    pthread_mutex_lock (&s_curl_mutex);
    cii_rc_t rc = s_curl_loaded ? CII_OK : s_curl_open (err);
    if (rc == CII_OK)
        s_curl_loaded = true;
    pthread_mutex_unlock (&s_curl_mutex);
    return rc;
}

//  --------------------------------------------------------------------------------------------

//  CII_OK for https://HOST..., or http:// to a loopback host.
static cii_rc_t
s_check_url (const char *url, cii_err_t *err)
{
    cii_rc_t rc = s_curl_load (err);
    if (rc != CII_OK)
        return rc;
    CURLU *u = s_curl.url ();
    if (!u)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    char *scheme = NULL, *host = NULL;
    if (s_curl.url_set (u, CURLUPART_URL, url, 0) != CURLUE_OK
        || s_curl.url_get (u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || s_curl.url_get (u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = cii_err_set (err, CII_BAD_INPUT, "--url %s: not a URL", url);
    else
    if (strcasecmp (scheme, "https") == 0)
        rc = CII_OK;
    else
    if (strcasecmp (scheme, "http") == 0) {
        if (strcmp (host, "127.0.0.1") != 0 && strcmp (host, "[::1]") != 0 && strcasecmp (host, "localhost") != 0)
            rc = cii_err_set (err, CII_REFUSED, "--url %s: plain http is allowed only to loopback (127.0.0.1, ::1,"
                              " localhost); use https", url);
    }
    else
        rc = cii_err_set (err, CII_BAD_INPUT, "--url %s: not https", url);
    s_curl.free (scheme);
    s_curl.free (host);
    s_curl.url_cleanup (u);
    return rc;
}

//  Reads the secret (trailing newline stripped) into a new buffer: caller wipes and frees.
static cii_rc_t
s_read_secret (const char *path, char **secret_p, size_t *size_p, cii_err_t *err)
{
    cii_rc_t rc = cii_util_check_private (path, err);
    if (rc != CII_OK)
        return rc;
    char *secret = NULL;
    size_t size = 0;
    rc = cii_util_read_file_max (path, S_SECRET_MAX, &secret, &size, err);
    if (rc != CII_OK)
        return rc;
    while (size > 0 && (secret [size - 1] == '\n' || secret [size - 1] == '\r'))
        secret [--size] = '\0';
    if (size == 0) {
        free (secret);
        return cii_err_set (err, CII_BAD_INPUT, "--secret-file %s: empty", path);
    }
    *secret_p = secret;
    *size_p = size;
    return CII_OK;
}

static cii_rc_t
s_check (const agent_adapter_target_t *target, cii_err_t *err)
{
    if (!target->url || !*target->url)
        return cii_err_set (err, CII_BAD_INPUT, "--url: required for --push webhook");
    if (!target->secret_file || !*target->secret_file)
        return cii_err_set (err, CII_BAD_INPUT, "--secret-file: required for --push webhook");
    if (target->timeout_ms <= 0)
        return cii_err_set (err, CII_BAD_INPUT, "--timeout: must be at least 1 second");
    cii_rc_t rc = s_check_url (target->url, err);
    char *secret = NULL;
    size_t size = 0;
    if (rc == CII_OK)
        rc = s_read_secret (target->secret_file, &secret, &size, err);
    if (secret) {
        memset (secret, 0, size);
        free (secret);
    }
    return rc;
}

typedef struct {
    char kept [S_REPLY_KEPT + 1];
    size_t size;
} s_reply_t;

static size_t
s_on_body (char *data, size_t size, size_t nmemb, void *arg)
{
    s_reply_t *reply = arg;
    size_t n = size * nmemb;
    size_t take = n < S_REPLY_KEPT - reply->size ? n : S_REPLY_KEPT - reply->size;
    memcpy (reply->kept + reply->size, data, take);
    reply->size += take;
    reply->kept [reply->size] = '\0';
    return n;
}

//  CURLOPT_XFERINFOFUNCTION: a non-zero return aborts the transfer (the agent stops).
static int
s_on_progress (void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void) dltotal, (void) dlnow, (void) ultotal, (void) ulnow;
    const atomic_bool *cancel = arg;
    return cancel && atomic_load (cancel) ? 1 : 0;
}

//  The first line of the answer's body, for the reason.
static const char *
s_reply_line (s_reply_t *reply)
{
    //  The server's words as one line of valid UTF-8, in place (never longer than what came)
    char line [sizeof reply->kept];
    cii_domain_line_copy (line, sizeof line, reply->kept, strlen (reply->kept));
    memcpy (reply->kept, line, strlen (line) + 1);
    return reply->kept;
}

//  The HMAC-SHA256 of body with key (of any length, as RFC 2104) in lowercase hex into hex.
static cii_rc_t
s_sign (const char *key, size_t key_size, const char *body, size_t size,
        char hex [2 * crypto_auth_hmacsha256_BYTES + 1], cii_err_t *err)
{
    crypto_auth_hmacsha256_state state;
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    bool signed_ok = sodium_init () >= 0
                     && crypto_auth_hmacsha256_init (&state, (const unsigned char *) key, key_size) == 0
                     && crypto_auth_hmacsha256_update (&state, (const unsigned char *) body, size) == 0
                     && crypto_auth_hmacsha256_final (&state, mac) == 0;
    sodium_memzero (&state, sizeof state);
    if (!signed_ok)
        return cii_err_set (err, CII_FAILED, "webhook: cannot compute the signature");
    sodium_bin2hex (hex, 2 * crypto_auth_hmacsha256_BYTES + 1, mac, sizeof mac);
    return CII_OK;
}

static cii_rc_t
s_push (const agent_adapter_target_t *target, const agent_adapter_job_t *job, char detail [AGENT_ADAPTER_DETAIL],
        cii_err_t *err)
{
    detail [0] = '\0';
    cii_rc_t rc = s_check_url (target->url, err);     //  loads libcurl, at the first push
    char *secret = NULL;
    size_t secret_size = 0;
    if (rc == CII_OK)
        rc = s_read_secret (target->secret_file, &secret, &secret_size, err);
    if (rc != CII_OK)
        return rc;
    char mac [2 * crypto_auth_hmacsha256_BYTES + 1];
    rc = s_sign (secret, secret_size, job->body, job->size, mac, err);
    sodium_memzero (secret, secret_size);
    free (secret);
    if (rc != CII_OK)
        return rc;
    char signature [32 + sizeof mac];
    snprintf (signature, sizeof signature, "X-CII-Signature: sha256=%s", mac);
    char key [128];
    snprintf (key, sizeof key, "Idempotency-Key: %s", job->idem_key);

    CURL *curl = s_curl.easy_init ();
    struct curl_slist *headers = NULL;
    struct curl_slist *more = NULL;
    headers = s_curl.slist_append (NULL, "Content-Type: application/json");
    if (headers && (more = s_curl.slist_append (headers, key)) != NULL)
        headers = more;
    if (headers && more && (more = s_curl.slist_append (headers, signature)) != NULL)
        headers = more;
    if (headers && more && (more = s_curl.slist_append (headers, "Expect:")) != NULL)
        headers = more;
    if (!curl || !headers || !more) {
        s_curl.slist_free_all (headers);
        s_curl.easy_cleanup (curl);
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    }
    s_reply_t reply = { "", 0 };
    char curl_error [CURL_ERROR_SIZE] = "";
    long connect_ms = target->timeout_ms < S_CONNECT_MAX_MS ? target->timeout_ms : S_CONNECT_MAX_MS;
    s_curl.easy_setopt (curl, CURLOPT_URL, target->url);
    s_curl.easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    s_curl.easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
    s_curl.easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    s_curl.easy_setopt (curl, CURLOPT_POST, 1L);
    s_curl.easy_setopt (curl, CURLOPT_POSTFIELDS, job->body);
    s_curl.easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) job->size);
    s_curl.easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    s_curl.easy_setopt (curl, CURLOPT_USERAGENT, "cii-agent/" CII_VERSION);
    s_curl.easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    s_curl.easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) target->timeout_ms);
    s_curl.easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_on_body);
    s_curl.easy_setopt (curl, CURLOPT_WRITEDATA, &reply);
    s_curl.easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_error);
    if (job->cancel) {
        s_curl.easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, s_on_progress);
        s_curl.easy_setopt (curl, CURLOPT_XFERINFODATA, (void *) job->cancel);
        s_curl.easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode code = s_curl.easy_perform (curl);
    long status = 0;
    s_curl.easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_ABORTED_BY_CALLBACK)
        rc = cii_err_set (err, CII_UNAVAILABLE, "webhook %s: interrupted (the agent stopped)", target->url);
    else
    if (code == CURLE_OPERATION_TIMEDOUT)
        rc = cii_err_set (err, CII_UNAVAILABLE, "webhook %s: no answer within %d s", target->url,
                          (target->timeout_ms + 999) / 1000);
    else
    if (code != CURLE_OK)
        rc = cii_err_set (err, CII_UNAVAILABLE, "webhook %s: %s", target->url,
                          *curl_error ? curl_error : s_curl.easy_strerror (code));
    else
    if (status >= 200 && status < 300) {
        snprintf (detail, AGENT_ADAPTER_DETAIL, "HTTP %ld", status);
        rc = CII_OK;
    }
    else
    if (status >= 300 && status < 400) {
        char *location = NULL;
        s_curl.easy_getinfo (curl, CURLINFO_REDIRECT_URL, &location);
        char shown [200];
        cii_domain_line_copy (shown, sizeof shown, location ? location : "(no Location)",
                              strlen (location ? location : "(no Location)"));
        rc = cii_err_set (err, CII_REFUSED, "webhook %s: HTTP %ld redirect to %s (not followed)", target->url, status,
                          shown);
    }
    else {
        const char *line = s_reply_line (&reply);
        rc = cii_err_set (err, CII_FAILED, "webhook %s: HTTP %ld%s%s", target->url, status, *line ? ": " : "", line);
    }
    s_curl.slist_free_all (headers);
    s_curl.easy_cleanup (curl);
    return rc;
}

const agent_adapter_t agent_adapter_webhook = { AGENT_ADAPTER_VERSION, "webhook", s_check, s_push };
