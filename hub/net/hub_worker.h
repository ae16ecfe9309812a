/*  hub_worker.h — a database worker: a thread (czmq actor) that owns one PostgreSQL connection
    and runs the jobs the server's event loop hands it, one at a time, so that a slow or blocked
    statement never stops the loop from answering PING, HELLO and ERRORs. The loop keeps each job's
    memory and must not touch a job between hub_worker_submit and getting it back from
    hub_worker_recv. The worker also LISTENs on the given channels and passes notifications on
    (wake-up hints only), and reconnects a lost connection by itself. */
#ifndef HUB_WORKER_H_INCLUDED
#define HUB_WORKER_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

#include "cii_rc.h"
#include "hub_store.h"

typedef struct _hub_worker_t hub_worker_t;

/*  A job: runs in the worker's thread with its store (which may be broken: the job then fails
    with CII_UNAVAILABLE, as any statement would). */
typedef void (hub_job_fn) (hub_store_t *store, void *job);

/*  Starts a worker named name (for logs) connected with conninfo, LISTENing on the channels
    (NULL-terminated, may be NULL). NULL when it cannot connect (err says why). */
hub_worker_t *hub_worker_new (const char *name, const char *conninfo, const char *const *channels, cii_err_t *err);

/*  Stops the worker (after its current job) and frees it; sets *self_p to NULL; safe on NULL. */
void hub_worker_destroy (hub_worker_t **self_p);

/*  The socket the loop reads results and notifications from (zloop_reader). */
zsock_t *hub_worker_sock (hub_worker_t *self);

/*  Hands job to the worker: fn (store, job) will run in its thread. Jobs run in submission order.
    CII_OK, or CII_UNAVAILABLE when the worker is gone. */
cii_rc_t hub_worker_submit (hub_worker_t *self, hub_job_fn *fn, void *job);

/*  Jobs submitted and not yet given back. */
size_t hub_worker_pending (hub_worker_t *self);

/*  What the worker said: a job done, a notification, or that its connection came back. */
typedef enum {
    HUB_WORKER_NONE,            /* nothing readable (or the worker is gone) */
    HUB_WORKER_DONE,            /* *job_p is a job given back */
    HUB_WORKER_NOTIFY,          /* channel (and payload) of a notification */
    HUB_WORKER_RECONNECTED      /* the connection was lost and is back: reload what is cached */
} hub_worker_event_t;

/*  Reads one message from the worker's socket (call when readable). channel and payload (sizes
    64 and 256) receive a notification's; *job_p a finished job. */
hub_worker_event_t hub_worker_recv (hub_worker_t *self, void **job_p, char channel [64], char payload [256]);

#endif
