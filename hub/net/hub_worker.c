/*  hub_worker.c — a database worker thread (see hub_worker.h). Its actor loop polls the pipe
    from the server and, while connected, the PostgreSQL socket for notifications; a lost
    connection is retried every second. */
#include "hub_worker.h"

#include <assert.h>
#include <string.h>

#define S_RETRY_MS 1000

typedef struct {
    char name [32];
    char *conninfo;
    char **channels;
    size_t n_channels;
    hub_store_t *store;
    zsock_t *pipe;
    bool connected_once;
} s_thread_t;

struct _hub_worker_t {
    zactor_t *actor;
    s_thread_t *thread;         //  the actor's arguments: freed after it ended
    size_t pending;             //  jobs submitted, not yet given back
};

static void
s_forward (const char *channel, const char *payload, void *arg)
{
    s_thread_t *self = arg;
    zsock_send (self->pipe, "sss", "NOTIFY", channel, payload);
}

//  Connects (or reconnects) and LISTENs; true when the store is usable.
static bool
s_connect (s_thread_t *self)
{
    if (self->store && !hub_store_broken (self->store))
        return true;
    if (!self->store) {
        cii_err_t err;
        self->store = hub_store_new (self->conninfo, &err);
        if (!self->store)
            return false;
        for (size_t i = 0; i < self->n_channels; i++)
            if (hub_store_listen (self->store, self->channels [i]) != CII_OK) {
                hub_store_destroy (&self->store);
                return false;
            }
    }
    else
    if (hub_store_reconnect (self->store) != CII_OK)
        return false;
    if (self->connected_once) {
        zsys_info ("hub %s worker: database connection restored", self->name);
        zsock_send (self->pipe, "s", "RECONNECTED");
    }
    self->connected_once = true;
    return true;
}

static void
s_thread (zsock_t *pipe, void *args)
{
    s_thread_t *self = args;
    self->pipe = pipe;
    zsock_signal (pipe, 0);             //  zactor_new waits for this
    bool ok = s_connect (self);
    zsock_send (pipe, "si", ok ? "READY" : "FAILED", 0);
    if (!ok) {
        char *term = zstr_recv (pipe);  //  the "$TERM" that follows a failed start
        zstr_free (&term);
        return;
    }
    bool running = true;
    int64_t retry_ms = 0;
    while (running) {
        zmq_pollitem_t items [2] = {
            { zsock_resolve (pipe), 0, ZMQ_POLLIN, 0 },
            { NULL, hub_store_socket (self->store), ZMQ_POLLIN, 0 },
        };
        bool listening = self->n_channels > 0 && !hub_store_broken (self->store) && items [1].fd >= 0;
        int rc = zmq_poll (items, listening ? 2 : 1, S_RETRY_MS);
        if (rc < 0 && errno != EINTR)
            break;
        if (items [0].revents & ZMQ_POLLIN) {
            char *command = NULL;
            void *fn = NULL, *job = NULL;
            if (zsock_recv (pipe, "spp", &command, &fn, &job) != 0) {
                zstr_free (&command);
                break;
            }
            if (streq (command, "$TERM"))
                running = false;
            else
            if (streq (command, "JOB")) {
                if (hub_store_broken (self->store))
                    s_connect (self);
                ((hub_job_fn *) fn) (self->store, job);
                zsock_send (pipe, "sp", "DONE", job);
                //  libpq may have read notifications while the job's statements ran: they are in
                //  its queue now, and the socket will not be readable for them again.
                if (self->n_channels > 0 && !hub_store_broken (self->store))
                    hub_store_notifications (self->store, s_forward, self);
            }
            zstr_free (&command);
        }
        if (listening && (items [1].revents & ZMQ_POLLIN))
            hub_store_notifications (self->store, s_forward, self);
        if (hub_store_broken (self->store) && zclock_mono () >= retry_ms) {
            retry_ms = zclock_mono () + S_RETRY_MS;
            s_connect (self);
        }
    }
    hub_store_destroy (&self->store);
}

static void
s_thread_free (s_thread_t **thread_p)
{
    s_thread_t *thread = *thread_p;
    if (!thread)
        return;
    for (size_t i = 0; thread->channels && i < thread->n_channels; i++)
        free (thread->channels [i]);
    free (thread->channels);
    free (thread->conninfo);
    free (thread);
    *thread_p = NULL;
}

hub_worker_t *
hub_worker_new (const char *name, const char *conninfo, const char *const *channels, cii_err_t *err)
{
    hub_worker_t *self = calloc (1, sizeof *self);
    s_thread_t *thread = calloc (1, sizeof *thread);
    if (!self || !thread)
        goto oom;
    snprintf (thread->name, sizeof thread->name, "%s", name);
    thread->conninfo = strdup (conninfo ? conninfo : "");
    if (!thread->conninfo)
        goto oom;
    for (size_t i = 0; channels && channels [i]; i++)
        thread->n_channels++;
    thread->channels = calloc (thread->n_channels + 1, sizeof (char *));
    if (!thread->channels)
        goto oom;
    for (size_t i = 0; i < thread->n_channels; i++)
        if (!(thread->channels [i] = strdup (channels [i])))
            goto oom;
    self->thread = thread;
    self->actor = zactor_new (s_thread, thread);
    if (!self->actor)
        goto oom;
    char *status = NULL;
    int ignored = 0;
    zsock_recv (self->actor, "si", &status, &ignored);
    bool ready = status && streq (status, "READY");
    zstr_free (&status);
    if (!ready) {
        cii_err_set (err, CII_UNAVAILABLE, "hub %s worker: cannot connect to PostgreSQL (see the log)", name);
        hub_worker_destroy (&self);
        return NULL;
    }
    zsys_debug ("hub %s worker: started", name);
    return self;

oom:
    cii_err_set (err, CII_NO_MEMORY, "out of memory");
    if (self && !self->thread)
        s_thread_free (&thread);
    hub_worker_destroy (&self);
    return NULL;
}

void
hub_worker_destroy (hub_worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hub_worker_t *self = *self_p;
    zactor_destroy (&self->actor);          //  "$TERM", then waits for the thread to end
    s_thread_free (&self->thread);
    free (self);
    *self_p = NULL;
}

zsock_t *
hub_worker_sock (hub_worker_t *self)
{
    assert (self);
    return zactor_sock (self->actor);
}

cii_rc_t
hub_worker_submit (hub_worker_t *self, hub_job_fn *fn, void *job)
{
    assert (self && fn);
    if (zsock_send (self->actor, "spp", "JOB", (void *) fn, job) != 0)
        return CII_UNAVAILABLE;
    self->pending++;
    return CII_OK;
}

size_t
hub_worker_pending (hub_worker_t *self)
{
    assert (self);
    return self->pending;
}

hub_worker_event_t
hub_worker_recv (hub_worker_t *self, void **job_p, char channel [64], char payload [256])
{
    assert (self && job_p);
    *job_p = NULL;
    zmsg_t *msg = zmsg_recv (self->actor);
    if (!msg)
        return HUB_WORKER_NONE;
    hub_worker_event_t event = HUB_WORKER_NONE;
    char *command = zmsg_popstr (msg);
    if (command && streq (command, "DONE")) {
        zframe_t *frame = zmsg_pop (msg);
        if (frame && zframe_size (frame) == sizeof (void *)) {
            memcpy (job_p, zframe_data (frame), sizeof (void *));
            event = HUB_WORKER_DONE;
            if (self->pending)
                self->pending--;
        }
        zframe_destroy (&frame);
    }
    else
    if (command && streq (command, "NOTIFY")) {
        char *name = zmsg_popstr (msg);
        char *extra = zmsg_popstr (msg);
        snprintf (channel, 64, "%s", name ? name : "");
        snprintf (payload, 256, "%s", extra ? extra : "");
        zstr_free (&name);
        zstr_free (&extra);
        event = HUB_WORKER_NOTIFY;
    }
    else
    if (command && streq (command, "RECONNECTED"))
        event = HUB_WORKER_RECONNECTED;
    zstr_free (&command);
    zmsg_destroy (&msg);
    return event;
}
