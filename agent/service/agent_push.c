/*  agent_push.c — recommendations pushed into the cantons' systems (see agent_push.h): the
    downward handler, the payload, one attempt of a due push with its backoff, the coordinator's
    adapters and the worker thread. */
#include "agent_push.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_adapter.h"
#include "agent_store_config.h"
#include "cii_json.h"
#include "cii_util.h"

#define S_IDLE_MS   100           //  the worker looks for due pushes this often when idle

//  --------------------------------------------------------------------------------------------
//  Limits

static int64_t
s_env_ms (const char *name, int64_t fallback)
{
    const char *value = getenv (name);
    if (!value || !*value)
        return fallback;
    char *end = NULL;
    long long ms = strtoll (value, &end, 10);
    return end && *end == '\0' && ms > 0 ? (int64_t) ms : fallback;
}

void
agent_push_limits_get (agent_push_limits_t *limits)
{
    assert (limits);
    limits->backoff_ms = s_env_ms ("CII_PUSH_BACKOFF_MS", AGENT_PUSH_BACKOFF_MS);
    limits->backoff_max_ms = s_env_ms ("CII_PUSH_BACKOFF_MAX_MS", AGENT_PUSH_BACKOFF_MAX_MS);
    limits->give_up_ms = s_env_ms ("CII_PUSH_GIVE_UP_MS", AGENT_PUSH_GIVE_UP_MS);
}

//  The wait after attempt number `attempts` (1, 2, ...): backoff doubling, capped.
static int64_t
s_backoff (const agent_push_limits_t *limits, int attempts)
{
    int64_t wait = limits->backoff_ms;
    for (int i = 1; i < attempts && wait < limits->backoff_max_ms; i++)
        wait *= 2;
    return wait < limits->backoff_max_ms ? wait : limits->backoff_max_ms;
}

//  --------------------------------------------------------------------------------------------
//  The downward handler

cii_rc_t
agent_push_on_recommendation (agent_store_t *store, int64_t seq, const cii_recommendation_t *rec, cii_err_t *err)
{
    assert (store && rec);
    cii_rc_t rc = cii_recommendation_check (rec, "recommendation", err);
    if (rc != CII_OK) {
        zsys_warning ("agent %s: recommendation item %" PRId64 " refused: %s", agent_store_label (store), seq,
                      err ? err->text : "");
        return rc;
    }
    rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    rc = agent_store_rec_add (store, seq, rec, err);
    size_t queued = 0;
    for (size_t i = 0; i < rec->n_cantons && rc == CII_OK; i++) {
        const char *canton = rec->cantons [i];
        bool member = false;
        rc = agent_store_canton_member (store, canton, &member, err);
        if (rc == CII_OK && !member) {
            zsys_warning ("agent %s: %s.v%" PRIu32 " addresses canton %s, which is not of this network: not pushed",
                          agent_store_label (store), rec->ref, rec->version, canton);
            continue;
        }
        bool added = false;
        if (rc == CII_OK)
            rc = agent_store_push_enqueue (store, rec->ref, rec->version, canton, &added, err);
        queued += added;
    }
    if (rc != CII_OK) {
        agent_store_rollback (store);
        return rc;
    }
    rc = agent_store_commit (store, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: recommendation %s.v%" PRIu32 " received (seq %" PRId64 "): %zu push%s queued",
                   agent_store_label (store), rec->ref, rec->version, seq, queued, queued == 1 ? "" : "es");
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The payload

//  A JSON array of a list of n strings.
static json_t *
s_array (const char *const *items, size_t n)
{
    json_t *array = json_array ();
    for (size_t i = 0; array && i < n; i++)
        json_array_append_new (array, cii_json_str (items [i]));
    return array;
}

cii_rc_t
agent_push_payload (agent_store_t *store, const char *ref, uint32_t version, const char *canton, char **json_p,
                    size_t *size_p, cii_err_t *err)
{
    assert (store && ref && canton && json_p);
    const char *languages = cii_domain_canton_languages (canton);
    if (!languages)
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton \"%s\"", canton);
    agent_rec_t *held = NULL;
    cii_rc_t rc = agent_store_rec_get (store, ref, version, &held, err);
    if (rc != CII_OK)
        return rc;
    const cii_recommendation_t *rec = &held->rec;
    json_t *title = json_object (), *text = json_object ();
    json_t *langs = cii_json_list (languages);
    size_t index;
    json_t *lang;
    json_array_foreach (langs, index, lang) {
        const cii_translation_t *t = cii_recommendation_translation (rec, json_string_value (lang));
        if (t) {
            cii_json_set (title, t->language, cii_json_str (t->title));
            cii_json_set (text, t->language, cii_json_str (t->text));
        }
    }
    json_t *payload = json_object ();
    cii_json_set (payload, "ref", cii_json_str (rec->ref));
    cii_json_set (payload, "version", json_integer (rec->version));
    cii_json_set (payload, "adopted_on", cii_json_str (rec->adopted_on));
    cii_json_set (payload, "report_by", cii_json_str (rec->report_by));
    cii_json_set (payload, "basis", s_array (rec->basis, rec->n_basis));
    cii_json_set (payload, "partners", s_array (rec->partners, rec->n_partners));
    cii_json_set (payload, "all_cantons", json_boolean (rec->all_cantons));
    cii_json_set (payload, "canton", cii_json_str (canton));
    cii_json_set (payload, "languages", langs);
    cii_json_set (payload, "title", title);
    cii_json_set (payload, "text", text);
    cii_json_set (payload, "issued_at", cii_json_time (rec->issued_at_ms));
    cii_json_set (payload, "note", cii_json_str (rec->note));
    char *json = payload ? json_dumps (payload, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref (payload);
    agent_store_rec_free (&held);
    if (!json)
        return cii_err_set (err, CII_NO_MEMORY, "out of memory");
    *json_p = json;
    if (size_p)
        *size_p = strlen (json);
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  One attempt

//  The adapter's view of a canton's target.
static agent_adapter_target_t
s_target (const agent_canton_push_t *push)
{
    return (agent_adapter_target_t) {
        .command = push->command, .path = push->path, .url = push->url, .secret_file = push->secret_file,
        .timeout_ms = push->timeout_ms,
    };
}

//  Ends row as failed: the retries are over.
static cii_rc_t
s_give_up (agent_store_t *store, const agent_push_entry_t *row, const char *reason, int64_t now, cii_err_t *err)
{
    char why [CII_ERR_TEXT + 40];         //  agent_store_push_end cuts it to the protocol's limit
    snprintf (why, sizeof why, "gave up after %d attempt%s: %s", row->attempts, row->attempts == 1 ? "" : "s",
              *reason ? reason : "no success");
    zsys_error ("agent %s: push %s failed: %s", agent_store_label (store), row->idem_key, why);
    return agent_store_push_end (store, row->id, "failed", why, now, err);
}

cii_rc_t
agent_push_step (agent_store_t *store, const agent_push_limits_t *limits, const atomic_bool *cancel, bool *did_p,
                 cii_err_t *err)
{
    assert (store && limits && did_p);
    *did_p = false;
    int64_t now = cii_util_now_ms ();
    agent_push_entry_t row;
    cii_rc_t rc = agent_store_push_next_due (store, now, &row, err);
    if (rc == CII_NOT_FOUND)
        return CII_OK;
    if (rc != CII_OK)
        return rc;
    agent_canton_push_t push;
    rc = agent_store_canton_push_get (store, row.canton, &push, err);
    if (rc != CII_OK)
        return rc;
    const agent_adapter_t *adapter = agent_adapter_find (push.adapter);
    if (!adapter)
        return cii_err_set (err, CII_FAILED, "canton %s: no adapter \"%s\"", row.canton, push.adapter);
    *did_p = true;
    if (row.first_attempt_ms > 0 && now - row.first_attempt_ms >= limits->give_up_ms)
        return s_give_up (store, &row, row.last_error, now, err);
    rc = agent_store_push_attempt (store, row.id, adapter->name, now, now + s_backoff (limits, row.attempts + 1),
                                   err);
    if (rc != CII_OK)
        return rc;
    row.attempts++;
    if (!row.first_attempt_ms)
        row.first_attempt_ms = now;
    agent_store_copy (row.adapter, sizeof row.adapter, adapter->name);

    char *body = NULL;
    size_t size = 0;
    cii_err_t why;
    char detail [AGENT_ADAPTER_DETAIL] = "";
    rc = agent_push_payload (store, row.ref, row.version, row.canton, &body, &size, &why);
    if (rc == CII_OK) {
        agent_adapter_job_t job = {
            .ref = row.ref, .version = row.version, .canton = row.canton,
            .languages = cii_domain_canton_languages (row.canton), .idem_key = row.idem_key,
            .body = body, .size = size, .cancel = cancel,
        };
        agent_adapter_target_t target = s_target (&push);
        rc = adapter->push (&target, &job, detail, &why);
    }
    free (body);
    int64_t end = cii_util_now_ms ();
    if (rc == CII_OK) {
        zsys_info ("agent %s: push %s done by %s (attempt %d): %s", agent_store_label (store), row.idem_key,
                   adapter->name, row.attempts, detail);
        return agent_store_push_end (store, row.id, "pushed", detail, end, err);
    }
    if (cancel && atomic_load (cancel)) {
        zsys_info ("agent %s: push %s interrupted: the agent stops; it stays queued", agent_store_label (store),
                   row.idem_key);
        return agent_store_push_retry (store, row.id, why.text, end, err);
    }
    if (end - row.first_attempt_ms >= limits->give_up_ms)
        return s_give_up (store, &row, why.text, end, err);
    int64_t next = end + s_backoff (limits, row.attempts);
    zsys_warning ("agent %s: push %s by %s failed (attempt %d), retrying in %" PRId64 " ms: %s",
                  agent_store_label (store), row.idem_key, adapter->name, row.attempts, next - end, why.text);
    return agent_store_push_retry (store, row.id, why.text, next, err);
}

cii_rc_t
agent_push_run_due (agent_store_t *store, const agent_push_limits_t *limits, size_t *count_p, cii_err_t *err)
{
    size_t count = 0;
    bool did = true;
    cii_rc_t rc = CII_OK;
    while (did && rc == CII_OK) {
        rc = agent_push_step (store, limits, NULL, &did, err);
        count += did;
    }
    if (count_p)
        *count_p = count;
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The coordinator's adapters

cii_rc_t
agent_push_canton_set (agent_store_t *store, const agent_canton_push_t *push, cii_err_t *err)
{
    assert (store && push);
    if (!cii_domain_canton_valid (push->canton))
        return cii_err_set (err, CII_NOT_FOUND, "canton: unknown canton \"%s\"", push->canton);
    bool member = false;
    cii_rc_t rc = agent_store_canton_member (store, push->canton, &member, err);
    if (rc != CII_OK)
        return rc;
    if (!member)
        return cii_err_set (err, CII_REFUSED, "canton %s is not of network %s", push->canton,
                            agent_store_label (store));
    if (strcmp (push->adapter, "none") != 0) {
        const agent_adapter_t *adapter = agent_adapter_find (push->adapter);
        if (!adapter)
            return cii_err_set (err, CII_BAD_INPUT, "--push: \"%s\" is not exec, dir, webhook or none", push->adapter);
        agent_adapter_target_t target = s_target (push);
        rc = adapter->check (&target, err);
        if (rc != CII_OK)
            return rc;
    }
    rc = agent_store_canton_push_set (store, push, err);
    if (rc == CII_OK)
        zsys_info ("agent %s: canton %s pushes by %s", agent_store_label (store), push->canton, push->adapter);
    return rc;
}

cii_rc_t
agent_push_cantons (agent_store_t *store, agent_canton_fn *fn, void *arg, cii_err_t *err)
{
    assert (store && fn);
    cii_bundle_t config;
    cii_rc_t rc = agent_store_config_get (store, &config, err);
    memset (config.agent_secret, 0, sizeof config.agent_secret);
    char *save = NULL;
    for (char *canton = rc == CII_OK ? strtok_r (config.cantons, ",", &save) : NULL; canton && rc == CII_OK;
         canton = strtok_r (NULL, ",", &save)) {
        agent_canton_push_t push;
        agent_canton_row_t row = { .canton = canton, .push = &push };
        rc = agent_store_canton_push_get (store, canton, &push, err);
        if (rc == CII_OK)
            rc = agent_store_push_counts (store, canton, &row.counts, err);
        if (rc != CII_OK)
            break;
        row.languages = cii_domain_canton_languages (canton);
        if (!row.languages)
            row.languages = "";
        row.target = strcmp (push.adapter, "exec") == 0 ? push.command
                   : strcmp (push.adapter, "dir") == 0 ? push.path
                   : strcmp (push.adapter, "webhook") == 0 ? push.url : "";
        if (!fn (&row, arg))
            break;
    }
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The worker

struct _agent_push_worker_t {
    agent_store_t *store;         //  its own handle: the daemon's is for the event loop
    agent_push_limits_t limits;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    atomic_bool stop;
};

static void *
s_worker (void *arg)
{
    agent_push_worker_t *self = arg;
    int64_t logged_ms = 0;
    while (!atomic_load (&self->stop)) {
        bool did = false;
        cii_err_t err;
        if (agent_push_step (self->store, &self->limits, &self->stop, &did, &err) != CII_OK) {
            int64_t now = cii_util_mono_ms ();
            if (now - logged_ms > 10000) {      //  a store that keeps failing: once per 10 s
                zsys_warning ("agent %s: push worker: %s", agent_store_label (self->store), err.text);
                logged_ms = now;
            }
            did = false;
        }
        if (did)
            continue;
        pthread_mutex_lock (&self->mutex);
        struct timespec until;
        clock_gettime (CLOCK_REALTIME, &until);
        until.tv_nsec += S_IDLE_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!atomic_load (&self->stop))
            pthread_cond_timedwait (&self->cond, &self->mutex, &until);
        pthread_mutex_unlock (&self->mutex);
    }
    return NULL;
}

agent_push_worker_t *
agent_push_worker_new (const char *state_dir, cii_err_t *err)
{
    assert (state_dir);
    agent_push_worker_t *self = calloc (1, sizeof *self);
    if (!self) {
        cii_err_set (err, CII_NO_MEMORY, "out of memory");
        return NULL;
    }
    self->store = agent_store_open (state_dir, err);
    if (!self->store) {
        free (self);
        return NULL;
    }
    cii_bundle_t config;
    if (agent_store_config_get (self->store, &config, NULL) == CII_OK)
        agent_store_set_label (self->store, config.network);
    memset (config.agent_secret, 0, sizeof config.agent_secret);
    agent_push_limits_get (&self->limits);
    atomic_init (&self->stop, false);
    pthread_mutex_init (&self->mutex, NULL);
    pthread_cond_init (&self->cond, NULL);
    if (pthread_create (&self->thread, NULL, s_worker, self) != 0) {
        cii_err_set (err, CII_FAILED, "cannot start the push worker");
        pthread_mutex_destroy (&self->mutex);
        pthread_cond_destroy (&self->cond);
        agent_store_destroy (&self->store);
        free (self);
        return NULL;
    }
    return self;
}

void
agent_push_worker_destroy (agent_push_worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_push_worker_t *self = *self_p;
    pthread_mutex_lock (&self->mutex);
    atomic_store (&self->stop, true);
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->mutex);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->mutex);
    pthread_cond_destroy (&self->cond);
    agent_store_destroy (&self->store);
    free (self);
    *self_p = NULL;
}
